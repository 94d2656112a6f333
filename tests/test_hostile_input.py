"""Hostile and careless input, and a verifier no input can fool.

Each case is one that once reached an internal error, a hang, a memory blow-up — or a wrong
answer certified "optimal". Files go through the real command line (one line, exit 2) or the
API (``amd.InstanceError`` naming the key); answers are checked against what theory gives.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import amd
from amd.cli import app
from conftest import document
from test_input_errors import explicit, run_bad

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


# ---- numbers: one gate, bounded before anything is converted -------------------------------

@pytest.mark.parametrize("bad", ["1e400", "1e999999999", "1e-999999999", "1/0", "a/b", "-.inf", ".nan",
                                 str(10**400), "99999999999999999999999999999999999/3", "1e16"])
def test_numbers_beyond_sense_name_the_key(tmp_path, bad):
    doc = explicit()
    text = yaml.safe_dump(doc).replace("- 0.5\n", f"- {bad}\n", 1) if bad.startswith((".", "-.", "1", "9")) \
        else None
    if text is None or bad == str(10**400):
        doc["prior"]["independent"]["a"] = [bad if not bad.isdigit() else int(bad), 0.5]
        text = yaml.safe_dump(doc)
    start = time.monotonic()
    line = run_bad(tmp_path, doc, text=text)
    assert time.monotonic() - start < 5, "a number must be refused before it is expanded"
    assert "prior.independent.a[0]" in line, line


def test_an_integer_of_5000_digits_and_a_json_nan(tmp_path):
    line = run_bad(tmp_path, None, text="format: amd/1\nkind: mechanism\nname: x\nagents: " + "9" * 5000 + "\n")
    assert "4,300 digits" in line
    doc = explicit()
    doc["values"]["a"]["private"][0][1] = float("nan")
    line = run_bad(tmp_path, None, text=json.dumps(doc), suffix=".json")
    assert "values.a.private[0][1]" in line and "finite" in line


# ---- structure: nesting, aliases, duplicates, tags ------------------------------------------

@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting(tmp_path, suffix):
    text = '{"format": "amd/1", "kind": "mechanism", "agents": ' + "[" * 5000 + "]" * 5000 + "}"
    assert "nested more than" in run_bad(tmp_path, None, text=text, suffix=suffix)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    rows = "".join(f"{chr(98 + j)}: &{chr(98 + j)} [" + ", ".join([f"*{chr(97 + j)}"] * 9) + "]\n" for j in range(9))
    text = "format: amd/1\nkind: information\na: &a [1, 2]\n" + rows + "players: *j\n"
    start = time.monotonic()
    assert "aliases are expanded" in run_bad(tmp_path, None, text=text)
    assert time.monotonic() - start < 5


def test_duplicate_keys_and_sets_are_refused(tmp_path):
    doc = document({"name": "single_item", "bidders": 1, "values": [1, 2]})
    text = yaml.safe_dump(doc) + "objective: {minimize: revenue}\n"
    assert "duplicate key 'objective'" in run_bad(tmp_path, None, text=text)
    text = yaml.safe_dump(explicit()).replace("outcomes:\n- none\n- a\n- b\n", "outcomes: !!set {none, a, b}\n")
    assert "!!set" not in text or True
    assert "tag:yaml.org,2002:set" in run_bad(tmp_path, None, text=text)


def test_names_are_echoed_on_one_printable_line(tmp_path):
    doc = explicit()
    doc["agents"][1]["name"] = "a"  # a duplicate, so that the name is echoed...
    doc["agents"][0]["name"] = "a"
    doc["agents"][0]["types"] = ["\x1b[31mred\x1b[0m\nsecond line" + "x" * 5000, "hi"]
    doc["agents"][1]["types"] = doc["agents"][0]["types"]
    line = run_bad(tmp_path, doc)  # ...one line (run_bad checks), and no raw escape
    assert "\x1b" not in line and len(line) < 1000


@pytest.mark.parametrize("family", [{"name": "single_item", "bidders": 10**6, "values": [1, 2]},
                                    {"name": "single_item", "bidders": 1, "values": {"midpoint": 10**8}},
                                    {"name": "additive_items", "buyers": 40, "items": 6, "values": [1, 2]},
                                    {"name": "bilateral_trade", "values": {"midpoint": 10**7}},
                                    {"name": {"a": 1}, "bidders": 2, "values": [1, 2]}])
def test_sizes_are_refused_before_building(tmp_path, family):
    start = time.monotonic()
    line = run_bad(tmp_path, document(family))
    assert "family" in line
    assert time.monotonic() - start < 10


def test_a_model_too_large_for_the_budget_is_refused_with_its_size(tmp_path):
    doc = document({"name": "single_item", "bidders": 1, "values": {"midpoint": 3000}})
    f = tmp_path / "big.yaml"
    f.write_text(yaml.safe_dump(doc))
    r = runner.invoke(app, ["--max-size", "1e6", "solve", str(f), "--direct"])  # the LP (not Myerson's rule)
    assert r.exit_code == 2 and "more than the limit of" in r.output and "--max-size" in r.output


# ---- wrong answers that were once certified --------------------------------------------------

@pytest.mark.parametrize("scale", [1e-10, 1e8])
def test_tiny_and_huge_values_reach_the_optimum(scale):
    """Three bidders, values 1, 2, 3, 5 (uniform): Myerson's revenue is 3.1875 in any units."""
    inst = amd.parse(document({"name": "single_item", "bidders": 3, "values": [v * scale for v in (1, 2, 3, 5)]}))
    r = amd.solve(inst)
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(3.1875 * scale, rel=1e-7)


def test_the_verifier_scale_comes_from_the_instance_not_the_candidate():
    """Two bidders with values 1e-6 and 1e6: charging the 1e-6 type 0.05 for nothing breaks
    ex-post IR. Values 1, 2, 3: a subsidy of 1e6 cannot widen the tolerance."""
    inst = amd.parse(document({"name": "single_item", "bidders": 2, "values": [1e-6, 1e6]}))
    r = amd.solve(inst)
    assert r.certificate.verified
    m = r.mechanism
    cheat = amd.Mechanism(m.agents, m.types, m.outcomes, m.allocation, m.payments.copy())
    cheat.payments[0][0, 0] += 0.05  # b1 of type 1e-6 pays 0.05 at one profile
    cert = amd.verify(inst, cheat)
    assert not cert.verified and not cert.checks["expost_ir"].holds
    small = amd.parse(document({"name": "single_item", "bidders": 2, "values": [1, 2, 3]}))
    assert not amd.verify(small, bribe_and_cheat(small)).verified
    nan = amd.Mechanism(m.agents, m.types, m.outcomes, m.allocation, m.payments.copy())
    nan.payments[0][0, 0] = np.nan
    assert not amd.verify(inst, nan).verified


def bribe_and_cheat(inst):
    """Myerson's auction with b2 paid 1e6 at every profile (once that widened the tolerance to
    0.1) and b1's top type overcharged by 0.05 at one profile."""
    m = amd.solve(inst).mechanism
    t = m.payments.copy()
    t[1] -= 1e6
    t[0][2, 0] += 0.05
    return amd.Mechanism(m.agents, m.types, m.outcomes, m.allocation, t)


def test_amd_verify_checks_the_claimed_objective(tmp_path):
    f = ROOT / "instances/auctions/myerson-2-bidders-midpoint10.yaml"
    r = runner.invoke(app, ["solve", str(f), "--out", str(tmp_path / "r.json")])
    assert r.exit_code == 0
    result = json.loads((tmp_path / "r.json").read_text())
    result["objective"] += 1
    (tmp_path / "r.json").write_text(json.dumps(result))
    r = runner.invoke(app, ["verify", str(f), str(tmp_path / "r.json"), "--json"])
    assert r.exit_code == 1
    assert json.loads(r.stdout)["certificate"]["checks"]["claimed_objective"]["holds"] is False


def test_a_quoted_efg_payoff_is_an_error_not_a_nan(tmp_path):
    """Kamenica–Gentzkow's prosecutor read from .efg is worth 0.6; a payoff written "1" once gave
    NaN and a certified 1.0."""
    efg = (ROOT / "instances/extensive/prosecutor.efg").read_text().replace('"acquit innocent" { 1 }',
                                                                            '"acquit innocent" { "1" }')
    (tmp_path / "prosecutor.efg").write_text(efg)
    doc = yaml.safe_load((ROOT / "instances/extensive/prosecutor-efg.yaml").read_text())
    line = run_bad(tmp_path, doc)
    assert "game.efg" in line and "without quotes" in line


def test_highs_refusing_a_model_is_an_error_not_an_empty_optimum():
    import scipy.sparse as sp

    from amd.solver import LinearProgram, SolverOptions

    A = sp.csc_array(np.array([[1e16, 1.0]]))
    lp = LinearProgram(A, [1.0, 1.0], 0.0, [1.0], [np.inf], [0.0, 0.0], [10.0, 10.0], [False, False], False,
                       [0, 1], 2, {}, SolverOptions())
    out = lp.solve()
    assert out.status == "error" and "refused" in out.message


# ---- paths and outputs -------------------------------------------------------------------------

@pytest.mark.parametrize("reference", ["/etc/hostname", "../outside.efg", "link.efg"])
def test_efg_paths_stay_in_the_instance_folder(tmp_path, reference):
    (tmp_path / "outside.efg").write_text((ROOT / "instances/extensive/prosecutor.efg").read_text())
    inside = tmp_path / "inst"
    inside.mkdir()
    (inside / "link.efg").symlink_to(tmp_path / "outside.efg")
    doc = yaml.safe_load((ROOT / "instances/extensive/prosecutor-efg.yaml").read_text())
    doc["game"]["efg"] = reference
    f = inside / "i.yaml"
    f.write_text(yaml.safe_dump(doc))
    r = runner.invoke(app, ["validate", str(f)])
    assert r.exit_code == 2 and "outside the instance's folder" in r.output
    if reference != "/etc/hostname":
        r = runner.invoke(app, ["--allow-paths", "validate", str(f)])
        assert r.exit_code == 0, r.output
    os.environ.pop("AMD_ALLOW_PATHS", None)


def test_out_never_writes_through_a_link_or_onto_the_instance(tmp_path):
    f = tmp_path / "i.yaml"
    f.write_text((ROOT / "instances/auctions/myerson-1-bidder-midpoint10.yaml").read_text())
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (tmp_path / "link.json").symlink_to(target)
    for out in (str(tmp_path / "link.json"), str(f), str(tmp_path)):
        r = runner.invoke(app, ["solve", str(f), "--out", out])
        assert r.exit_code == 2, r.output
    assert target.read_text() == "keep me" and f.read_text().startswith("format")
    r = runner.invoke(app, ["solve", str(f), "--out", str(tmp_path / "r.json")])
    assert r.exit_code == 0
    assert oct((tmp_path / "r.json").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_api_options_are_checked_like_the_command_line():
    path = ROOT / "instances/persuasion/prosecutor.yaml"
    for bad in ({"method": "foo"}, {"time_limit": -1}, {"gap": float("nan")}, {"threads": 0}, {"full": "yes"}):
        with pytest.raises(amd.InstanceError):
            amd.solve(path, **bad)


def test_a_sequential_design_too_large_for_the_budget_is_refused(tmp_path):
    """Three players with ten actions each: the sequential LP has 66,000 columns (6,000 for ρ,
    60,000 for η) — counted from the file, before anything is built, and refused under a budget
    of 1e6 numbers."""
    n, k = 3, 10
    zeros = np.zeros((1,) + (k,) * n).tolist()
    doc = {"format": "amd/1", "kind": "information", "states": ["s"], "prior": [1],
           "players": [{"name": f"p{i}", "actions": [f"a{j}" for j in range(k)]} for i in range(n)],
           "payoffs": {f"p{i}": zeros for i in range(n)}, "designer": zeros, "solution": "sequential"}
    f = tmp_path / "seq.json"
    f.write_text(json.dumps(doc))
    start = time.monotonic()
    r = runner.invoke(app, ["--max-size", "1e6", "solve", str(f)])
    assert r.exit_code == 2 and "players" in r.output and "sequential" in r.output, r.output
    assert time.monotonic() - start < 10


def test_an_efg_path_with_a_nul_byte(tmp_path):
    """Found by benchmarks/fuzz.py: a NUL byte in game.efg reached Path() as a ValueError."""
    doc = yaml.safe_load((ROOT / "instances/extensive/prosecutor-efg.yaml").read_text())
    doc["game"]["efg"] = "a\x00b"
    assert "game.efg" in run_bad(tmp_path, doc)
