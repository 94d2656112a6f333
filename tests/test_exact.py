"""`--exact`: the optimum proven in rational arithmetic. Each expected fraction is the theory
value the instance file states (Elkind's discrete Myerson, Yao, Manelli–Vincent,
Myerson–Satterthwaite, Kamenica–Gentzkow), not a number amd produced."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction

import pytest

import amd
from amd import exact

THEORY = [
    ("auctions/myerson-1-bidder-midpoint10.yaml", "11/40"),
    ("auctions/myerson-2-bidders-midpoint10.yaml", "181/400"),
    ("auctions/myerson-3-bidders-midpoint10.yaml", "457/800"),
    ("bundling/yao-2x2-dsic.yaml", "25/8"),
    ("bundling/yao-2x2-bic.yaml", "51/16"),
    ("bundling/manelli-vincent-midpoint10.yaml", "59/100"),
    ("bilateral-trade/second-best-bic-midpoint10.yaml", "189/1250"),
    ("bilateral-trade/posted-price-dsic-midpoint10.yaml", "27/200"),
    ("persuasion/prosecutor.yaml", "3/5"),
    ("dynamic/three-types-garbled.yaml", "651/200"),
]


@pytest.mark.parametrize("path, value", THEORY)
def test_theory_values_are_reproduced_exactly(path, value):
    r = amd.solve(f"instances/{path}", exact=True)
    proof = r.certificate.exact
    assert r.status == "optimal" and proof["proven"], proof
    assert r.objective_exact == value and proof["binary_coefficients"] == 0


def test_generated_rows_are_all_checked_at_the_end():
    """Constraint generation loads only some IC rows; the proof checks the rest exactly."""
    r = amd.solve("instances/auctions/myerson-2-bidders-midpoint10.yaml", exact=True, symmetric=False, full=False)
    loaded = r.program.highs.getNumRow()
    assert r.certificate.exact["rows_checked"] > loaded


def test_the_console_script_prints_the_fraction():
    out = subprocess.run([sys.executable, "-m", "amd", "solve", "instances/auctions/myerson-2-bidders-midpoint10.yaml",
                          "--exact", "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["objective_exact"] == "181/400" and r["certificate"]["exact"]["proven"]
    table = subprocess.run([sys.executable, "-m", "amd", "solve", "instances/auctions/myerson-2-bidders-midpoint10.yaml",
                            "--exact"], capture_output=True, text=True)
    assert "181/400 (exact)" in table.stdout


def test_a_mip_is_proven_when_the_incumbent_meets_the_relaxation():
    """Deterministic Myerson on the grid: the randomized optimum 181/400 is attained by a
    deterministic mechanism, so incumbent and relaxation agree."""
    r = amd.solve("instances/auctions/myerson-2-bidders-deterministic-midpoint10.yaml", exact=True)
    assert r.objective_exact == "181/400" and r.certificate.exact["proven"]
    assert r.program.is_mip  # the model is restored


def test_a_mip_with_a_gap_says_what_is_proven():
    """Bilateral trade, deterministic second best 3/20 below the randomized 189/1250: the
    incumbent is exact, the relaxation only bounds the optimum, so nothing is claimed beyond."""
    r = amd.solve("instances/bilateral-trade/second-best-deterministic-midpoint10.yaml", exact=True)
    proof = r.certificate.exact
    assert not proof["proven"] and r.objective_exact is None
    assert proof["objective"] == "3/20" and "189/1250" in proof["reason"]


def test_a_vertex_that_is_not_optimal_is_refused():
    """Change a cost after the solve: the old basis is no longer dual feasible, and the proof
    must say so (the check can fail)."""
    r = amd.solve("instances/persuasion/prosecutor.yaml")
    h = r.program.highs
    cost = list(h.getLp().col_cost_)
    j = max(range(len(cost)), key=lambda c: cost[c])
    h.changeColCost(j, -10.0)
    proof = exact.prove(r.program)
    assert not proof.proven and "wrong sign" in proof.reason


def test_exact_and_tidy_do_not_go_together():
    with pytest.raises(amd.InstanceError, match="--exact"):
        amd.solve("instances/auctions/two-bidders-two-values.yaml", exact=True, tidy=True)


def test_nothing_to_prove_is_said():
    r = amd.solve("instances/degenerate/infeasible-no-money.yaml", exact=True)
    assert r.certificate is None or r.certificate.exact is None or not r.certificate.exact["proven"]


@pytest.mark.parametrize("use_flint", [False, True])
def test_exact_elimination_solves_random_systems(use_flint):
    if use_flint:
        pytest.importorskip("flint")
    rng = random.Random(7)
    for n in (1, 3, 8):
        x = [Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(n)]
        rows = [{j: Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for j in rng.sample(range(n), rng.randint(1, n))}
                for _ in range(n)]
        for r, row in enumerate(rows):  # a dominant diagonal: nonsingular
            row[r] = Fraction(100)
        rhs = [sum((a * x[j] for j, a in row.items()), Fraction(0)) for row in rows]
        assert exact.solve_exact(rows, rhs, n, use_flint=use_flint) == x
    assert exact.solve_exact([{0: Fraction(1), 1: Fraction(1)}, {0: Fraction(2), 1: Fraction(2)}],
                             [Fraction(1), Fraction(2)], 2, use_flint=use_flint) is None
