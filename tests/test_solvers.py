"""--solver NAME: the same model through Pyomo's SolverFactory, the same verifier. CI installs
GLPK (glpsol) and sets AMD_REQUIRE_GLPK=1, so these tests cannot be skipped there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import amd

if shutil.which("glpsol") is None:
    if os.environ.get("AMD_REQUIRE_GLPK") == "1":
        raise RuntimeError("AMD_REQUIRE_GLPK=1 but glpsol (GLPK) is not installed")
    pytest.skip("GLPK (glpsol) is not installed", allow_module_level=True)

CASES = [
    "auctions/myerson-2-bidders-midpoint10.yaml",       # randomized DSIC, every IC row built
    "bundling/yao-2x2-dsic-deterministic.yaml",         # a MIP
    "bilateral-trade/second-best-bic-midpoint10.yaml",  # BIC, interim IR, budget
    "persuasion/prosecutor.yaml",                       # BCE
    "dynamic/durable-lecture.yaml",                     # limited commitment
]


@pytest.mark.parametrize("path", CASES)
def test_glpk_reaches_the_same_verified_optimum(path):
    ours = amd.solve(f"instances/{path}", solver="glpk")
    highs = amd.solve(f"instances/{path}")
    assert ours.status == "optimal" and ours.certificate.verified
    assert ours.objective == pytest.approx(highs.objective, abs=1e-6)
    expected = amd.load(f"instances/{path}").expected
    if expected is not None and expected.objective is not None:
        assert ours.objective == pytest.approx(float(expected.objective), abs=1e-6)
    assert ours.options["solver"] == "glpk"


def test_glpk_through_the_console_script():
    out = subprocess.run([sys.executable, "-m", "amd", "solve", "instances/persuasion/prosecutor.yaml",
                          "--solver", "glpk", "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["status"] == "optimal" and abs(r["objective"] - 0.6) < 1e-9 and r["options"]["solver"] == "glpk"


def test_glpk_says_infeasible():
    assert amd.solve("instances/degenerate/infeasible-no-money.yaml", solver="glpk").status == "infeasible"


@pytest.mark.parametrize("args, text", [
    (["--solver", "no_such_solver"], "not installed"),
    (["--solver", "glpk", "--exact"], "--exact needs HiGHS"),
    (["--solver", "glpk", "--tidy"], "--tidy needs HiGHS"),
    (["--solver", "x;rm -rf"], "a solver's name"),
])
def test_solver_errors_are_one_line_exit_2(args, text):
    out = subprocess.run([sys.executable, "-m", "amd", "solve", "instances/auctions/myerson-2-bidders-midpoint10.yaml",
                          *args], capture_output=True, text=True)
    assert out.returncode == 2 and text in out.stderr and "Traceback" not in out.stderr
