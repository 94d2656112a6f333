"""amd sweep: a grid of instances from one file, one row per point."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from amd.cli import app
from amd.sweep import parse_set, split_values

runner = CliRunner()


def test_sweep_grid(root, tmp_path):
    """Revenue and welfare for one and two bidders on the grid (2k+1)/20: 11/40 and 1/2
    (E[v]), 181/400 and 1330/2000 (E[max v]) — see test_theory for the derivations."""
    out = tmp_path / "sw"
    r = runner.invoke(app, ["sweep", str(root / "instances/auctions/myerson-1-bidder-midpoint10.yaml"),
                            "--set", "family.bidders=1,2", "--set", "objective.maximize=revenue,welfare",
                            "--out", str(out), "--workers", "2"])
    assert r.exit_code == 0, r.output
    with open(out / "sweep.csv") as f:
        rows = {(row["family.bidders"], row["objective.maximize"]): float(row["objective"]) for row in csv.DictReader(f)}
    assert rows == pytest.approx({("1", "revenue"): 11 / 40, ("1", "welfare"): 0.5,
                                  ("2", "revenue"): 181 / 400, ("2", "welfare"): 1330 / 2000}, abs=1e-7)
    assert len(list((out / "points").glob("*.yaml"))) == 4


def test_split_values_respects_brackets():
    assert split_values("a, [1, 2], {x: 1, y: 2}, 'p,q'") == ["a", "[1, 2]", "{x: 1, y: 2}", "'p,q'"]
    assert parse_set("family.values=[1, 2],{midpoint: 4}") == (["family", "values"], [[1, 2], {"midpoint": 4}])


def test_bad_point_names_the_key(root, tmp_path):
    r = runner.invoke(app, ["sweep", str(root / "instances/auctions/myerson-1-bidder-midpoint10.yaml"),
                            "--set", "constraints.ic=dsic,strategyproof", "--out", str(tmp_path / "sw")])
    assert r.exit_code == 2
    assert "constraints.ic: expected 'dsic', 'bic' or 'none', got 'strategyproof'" in r.output
    assert "strategyproof" in r.output and "at the point" in r.output


def test_bad_set_expression(root, tmp_path):
    r = runner.invoke(app, ["sweep", str(root / "instances/auctions/myerson-1-bidder-midpoint10.yaml"),
                            "--set", "family.bidders", "--out", str(tmp_path / "sw")])
    assert r.exit_code == 2 and "--set: expected KEY=VALUE" in r.output
