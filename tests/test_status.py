"""Every solver outcome is an answer or a clean status, never a traceback."""

from __future__ import annotations

import pytest

import amd
from conftest import instance

ONE_BIDDER = {"name": "single_item", "bidders": 1, "values": [1, 2]}


def test_no_participation_constraint_makes_revenue_unbounded():
    r = amd.solve(instance(ONE_BIDDER, ir="none"))
    assert r.status == "unbounded"
    assert r.objective is None and r.mechanism is None


def test_contradictory_constraints_are_infeasible():
    """The only outcome is worth -1 to the agent; ex-post IR needs a payment ≤ -1, but
    payments are bounded below by 0."""
    r = amd.solve(instance(
        None, payment_bounds=[0, 10],
        agents=[{"name": "a", "types": ["x"]}], prior={"independent": "uniform"},
        outcomes=["forced"], values={"a": {"private": [[-1]]}},
    ))
    assert r.status == "infeasible"
    assert r.objective is None


def test_payment_bounds_bind():
    """A bidder of value 1 or 2 (uniform) facing payments ≤ 1: the best is to sell always at 1."""
    r = amd.solve(instance(ONE_BIDDER, payment_bounds=[0, 1]))
    assert r.status == "optimal"
    assert r.objective == pytest.approx(1.0, abs=1e-7)
    assert r.certificate.checks["payment_bounds"].holds


def test_time_limit_without_incumbent_is_reported():
    """A zero time limit stops HiGHS before any solution: status time_limit, no objective."""
    fam = {"name": "additive_items", "buyers": 1, "items": 2, "values": {"midpoint": 10}}
    r = amd.solve(instance(fam, randomized=False), time_limit=0.0)
    assert r.status == "time_limit"
    assert r.objective is None
