"""Bad input: one line naming file and key path, exit 2, never a traceback (SPEC §1)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from amd.cli import app
from conftest import document

runner = CliRunner()
GOOD = document({"name": "single_item", "bidders": 2, "values": [1, 2]})


def explicit():
    return {
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": "a", "types": ["lo", "hi"]}, {"name": "b", "types": ["lo", "hi"]}],
        "prior": {"independent": {"a": [0.5, 0.5], "b": "uniform"}},
        "outcomes": ["none", "a", "b"],
        "values": {"a": {"private": [[0, 1, 0], [0, 2, 0]]}, "b": {"private": [[0, 0, 1], [0, 0, 2]]}},
    }


def run_bad(tmp_path, doc, *, text=None, suffix=".yaml"):
    f = tmp_path / f"bad{suffix}"
    f.write_text(text if text is not None else yaml.safe_dump(doc))
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert str(f) in lines[0]
    return lines[0]


def edit(path, value):
    doc = explicit()
    node = doc
    for k in path[:-1]:
        node = node[k]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def test_unknown_key(tmp_path):
    assert "agents[1].typez: unknown key" in run_bad(tmp_path, edit(["agents", 1, "typez"], ["x"]))


def test_unknown_top_level_key(tmp_path):
    assert "colour: unknown key" in run_bad(tmp_path, edit(["colour"], "red"))


def test_wrong_shape(tmp_path):
    msg = run_bad(tmp_path, edit(["values", "a", "private"], [[0, 1, 0], [0, 2]]))
    assert "values.a.private[1]: expected 3 entries (one per outcome), got 2" in msg


def test_prior_not_summing_to_one(tmp_path):
    msg = run_bad(tmp_path, edit(["prior", "independent", "a"], [0.5, 0.6]))
    assert "prior.independent.a: probabilities must sum to 1" in msg


def test_negative_prior(tmp_path):
    msg = run_bad(tmp_path, edit(["prior"], {"joint": [[0.5, 0.6], [-0.1, 0.0]]}))
    assert "prior.joint[1][0]: a probability must not be negative" in msg


def test_unknown_agent(tmp_path):
    msg = run_bad(tmp_path, edit(["values", "c"], {"private": [[0, 0, 0], [0, 0, 0]]}))
    assert "values.c: unknown agent" in msg


def test_missing_agent_valuation(tmp_path):
    assert "values.b: missing valuation" in run_bad(tmp_path, edit(["values", "b"], KeyError))


def test_duplicate_outcome(tmp_path):
    assert "outcomes[2]: duplicate outcome 'a'" in run_bad(tmp_path, edit(["outcomes"], ["none", "a", "a"]))


def test_non_numeric_value(tmp_path):
    msg = run_bad(tmp_path, edit(["values", "a", "private"], [[0, 1, 0], [0, "two", 0]]))
    assert "values.a.private[1][1]: expected a number or a fraction like '1/3', got 'two'" in msg


@pytest.mark.parametrize("bad", [".nan", ".inf", "-.inf"])
def test_nan_and_inf(tmp_path, bad):
    text = yaml.safe_dump(explicit()).replace("- 2\n", f"- {bad}\n", 1)
    assert "expected a finite number" in run_bad(tmp_path, None, text=text)


def test_fraction_strings_are_accepted(tmp_path):
    doc = edit(["prior", "independent", "a"], ["1/3", "2/3"])
    f = tmp_path / "ok.yaml"
    f.write_text(yaml.safe_dump(doc))
    assert runner.invoke(app, ["validate", str(f)]).exit_code == 0


def test_bad_enum(tmp_path):
    doc = explicit()
    doc["constraints"] = {"ic": "strategyproof"}
    assert "constraints.ic: expected 'dsic', 'bic' or 'none', got 'strategyproof'" in run_bad(tmp_path, doc)


def test_bad_objective(tmp_path):
    doc = explicit()
    doc["objective"] = {"maximize": "profit"}
    assert "objective.maximize: expected 'revenue', 'welfare', 'designer'" in run_bad(tmp_path, doc)


def test_bad_format(tmp_path):
    assert "format: expected 'amd/1'" in run_bad(tmp_path, edit(["format"], "amd/0"))


def test_bad_family_parameter(tmp_path):
    doc = dict(GOOD, family={"name": "single_item", "bidders": 0, "values": [1]})
    assert "family.bidders:" in run_bad(tmp_path, doc)


def test_family_and_explicit_tables_clash(tmp_path):
    doc = dict(GOOD, outcomes=["x"])
    assert "outcomes: given together with 'family'" in run_bad(tmp_path, doc)


def test_invalid_yaml(tmp_path):
    assert "invalid YAML" in run_bad(tmp_path, None, text="format: amd/1\nagents: [{name: a\n")


def test_invalid_json(tmp_path):
    assert "invalid JSON" in run_bad(tmp_path, None, text='{"format": "amd/1",', suffix=".json")


def test_yaml_cannot_execute_code(tmp_path):
    marker = tmp_path / "pwned"
    text = f"format: amd/1\nkind: mechanism\nprior: !!python/object/apply:os.system ['touch {marker}']\n"
    assert "invalid YAML" in run_bad(tmp_path, None, text=text)
    assert not marker.exists()


def test_yes_no_are_strings(tmp_path):
    """YAML 1.1 would read `no` as false; amd reads outcome names as written."""
    doc = yaml.safe_dump(explicit()).replace("- none\n", "- 'no'\n")
    f = tmp_path / "ok.yaml"
    f.write_text(doc.replace("- 'no'", "- no"))
    result = runner.invoke(app, ["expand", str(f), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["outcomes"][0] == "no"


def test_console_script_exit_code_and_no_traceback(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(edit(["prior", "independent", "a"], [0.5, 0.6])))
    # run outside the checkout so that the installed package, not the source tree, is imported
    p = subprocess.run([sys.executable, "-m", "amd.cli", "solve", str(f)], capture_output=True, text=True,
                       cwd=tmp_path)
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert f"{f}: prior.independent.a:" in p.stderr
