"""The command line per SPEC §2–3, driven in-process through the real typer app."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import amd
from amd.cli import app
from conftest import document

runner = CliRunner()
MYERSON = "instances/auctions/myerson-2-bidders-midpoint10.yaml"


def test_solve_json_follows_spec(root):
    r = runner.invoke(app, ["solve", str(root / MYERSON), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["format"] == "amd/1" and out["kind"] == "mechanism"
    assert out["status"] == "optimal"
    assert out["objective"] == pytest.approx(181 / 400, abs=1e-7)
    mech = out["mechanism"]
    assert [a["name"] for a in mech["agents"]] == ["b1", "b2"]
    assert mech["outcomes"] == ["none", "b1", "b2"]
    assert len(mech["allocation"]) == 10 and len(mech["allocation"][0]) == 10 and len(mech["allocation"][0][0]) == 3
    assert len(mech["payments"]) == 2 and len(mech["payments"][0]) == 10
    assert out["certificate"]["verified"] is True
    assert set(out["timing"]) >= {"build_s", "solve_s", "verify_s"}


def test_solve_table_for_humans(root):
    r = runner.invoke(app, ["solve", str(root / MYERSON), "--rows", "5"])
    assert r.exit_code == 0
    assert "objective = 0.4525" in r.output
    assert "95 more profiles not shown" in r.output
    assert "dsic" in r.output and "expost_ir" in r.output


def test_out_file_reads_back_into_verify(root, tmp_path):
    res = tmp_path / "res" / "result.json"
    r = runner.invoke(app, ["solve", str(root / MYERSON), "--out", str(res)])
    assert r.exit_code == 0
    r = runner.invoke(app, ["verify", str(root / MYERSON), str(res), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["certificate"]["verified"] is True
    assert out["objective"] == pytest.approx(181 / 400, abs=1e-7)


def test_verify_names_a_failing_deviation(root, tmp_path):
    """Selling to the highest bidder at a price of 0 is IR, but a bidder of the lowest value
    who loses would gain by claiming a higher one: DSIC fails and exit code is 1."""
    inst = amd.load(root / MYERSON)
    res = amd.solve(inst).to_dict()
    pay = res["mechanism"]["payments"]
    res["mechanism"]["payments"] = [[[0.0 for _ in row] for row in agent] for agent in pay]
    f = tmp_path / "free.json"
    f.write_text(json.dumps(res))
    r = runner.invoke(app, ["verify", str(root / MYERSON), str(f)])
    assert r.exit_code == 1
    assert "fails" in r.output and "gains" in r.output


def test_verify_bad_mechanism_file(root, tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"allocation": [[0, 1]], "payments": []}))
    r = runner.invoke(app, ["verify", str(root / MYERSON), str(f)])
    assert r.exit_code == 2
    assert f"{f}: allocation: expected 10 entries (one per type of b1), got 1" in r.output


def test_unbounded_and_infeasible_exit_zero(tmp_path):
    f = tmp_path / "u.yaml"
    f.write_text(yaml.safe_dump(document({"name": "single_item", "bidders": 1, "values": [1]}, ir="none")))
    r = runner.invoke(app, ["solve", str(f), "--json"])
    assert r.exit_code == 0
    assert json.loads(r.output)["status"] == "unbounded"


def test_expand_round_trips(root, tmp_path):
    r = runner.invoke(app, ["expand", str(root / MYERSON)])
    assert r.exit_code == 0
    doc = yaml.safe_load(r.output)
    assert "family" not in doc and doc["outcomes"] == ["none", "b1", "b2"]
    f = tmp_path / "explicit.yaml"
    f.write_text(r.output)
    assert amd.solve(f).objective == pytest.approx(181 / 400, abs=1e-7)


def test_validate_many_files(root, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: amd/1\nkind: auction\n")
    r = runner.invoke(app, ["validate", str(root / MYERSON), str(bad)])
    assert r.exit_code == 2
    assert "ok" in r.output and "kind: expected 'mechanism', 'information' or 'dynamic'" in r.output


def test_schema_is_json_schema():
    r = runner.invoke(app, ["schema"])
    assert r.exit_code == 0
    schema = json.loads(r.output)
    mech, info, dyn = schema["oneOf"]
    assert all(s["additionalProperties"] is False for s in (mech, info, dyn))
    assert {"good", "periods", "discount", "buyer", "seller_cost", "commitment"} <= set(dyn["properties"])
    assert {"format", "kind", "agents", "prior", "values", "constraints", "objective"} <= set(mech["properties"])
    assert {"states", "prior", "players", "payoffs", "designer", "solution"} <= set(info["properties"])


def test_bad_method_is_bad_input(root):
    r = runner.invoke(app, ["solve", str(root / MYERSON), "--method", "magic"])
    assert r.exit_code == 2
    assert "--method: expected one of choose, simplex, ipm, pdlp" in r.output


def test_implementable_command(root, tmp_path):
    """The optimal mechanism's own allocation is implementable, and the revenue-maximal
    payments for it recover the optimal revenue 181/400."""
    res = tmp_path / "r.json"
    assert runner.invoke(app, ["solve", str(root / MYERSON), "--out", str(res)]).exit_code == 0
    r = runner.invoke(app, ["implementable", str(root / MYERSON), str(res), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["implementable"] is True and out["certificate"]["method"] == "graph"
    pay = np.array(out["payments"])
    assert (pay.sum(axis=0) / 100).sum() == pytest.approx(181 / 400, abs=1e-7)


def test_implementable_rejects_a_non_distribution(root, tmp_path):
    f = tmp_path / "a.json"
    x = np.zeros((10, 10, 3))
    x[..., 1] = 1
    x[2, 3, 2] = 0.5
    f.write_text(json.dumps({"allocation": x.tolist()}))
    r = runner.invoke(app, ["implementable", str(root / MYERSON), str(f)])
    assert r.exit_code == 2
    assert f"{f}: allocation[2][3]: outcome probabilities must sum to 1, they sum to 1.5" in r.output
