"""The model in the user's hands: amd.build, user constraints and objectives, and the declared
extra constraints of a file. Values are derived in the docstrings.

One buyer, values 1 or 3 equally likely, a good and money (DSIC = IC, ex-post IR). With q the low
type's probability of getting the good (the high type gets it), IR binds for the low type
(t_L = q) and IC for the high type (t_H = 3 − 2q): revenue ½(3 − q), 3/2 at q = 0."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

import amd

ONE_BUYER = {"format": "amd/1", "kind": "mechanism", "agents": [{"name": "b", "types": ["1", "3"]}],
             "prior": {"independent": {"b": "uniform"}}, "outcomes": ["none", "sold"],
             "values": {"b": {"private": [[0, 1], [0, 3]]}},
             "constraints": {"ic": "dsic", "ir": "expost"}, "objective": {"maximize": "revenue"}}


def sold(m):
    return sum(m.prior[th] * m.allocation[(*th, "sold")] for th in m.profiles)


def test_build_gives_the_named_model_that_any_pyomo_solver_solves():
    """The README auction: Elkind's discrete Myerson value 181/400, from the model amd.build
    returns, solved by Pyomo's own HiGHS interface (not amd's)."""
    m = amd.build("instances/auctions/myerson-2-bidders-midpoint10.yaml")
    names = {c.local_name for c in m.component_objects(pyo.Constraint)}
    assert names == {"feasibility", "dsic", "expost_ir"} and len(m.dsic) == 2 * 100 * 9
    assert len(m.allocation) == 100 * 3 and len(m.payment) == 2 * 100
    solver = pyo.SolverFactory("appsi_highs")
    if not solver.available(exception_flag=False):
        pytest.skip("Pyomo's appsi_highs interface is not available")
    solver.solve(m)
    assert pyo.value(m.objective) == pytest.approx(181 / 400, abs=1e-9)


def test_a_floor_on_the_probability_of_sale():
    """P(sold) = ½ + ½q ≥ 0.9 forces q ≥ 0.8: revenue ½(3 − 0.8) = 11/10."""
    r = amd.solve(amd.parse(ONE_BUYER), constraints=[lambda m: sold(m) >= 0.9], exact=True)
    assert r.status == "optimal" and r.objective_exact == "11/10"
    assert r.certificate.checks["user_constraints"].holds and r.options["user_constraints"] == 1


def test_a_payment_cap():
    """t_H ≤ 2: revenue ½(q + min(2, 3 − 2q)), largest at q = ½: 5/4."""
    cap = lambda m: [m.payment["b", *th] <= 2 for th in m.profiles]  # noqa: E731
    r = amd.solve(amd.parse(ONE_BUYER), constraints=[cap], exact=True)
    assert r.objective_exact == "5/4"


def test_a_user_objective():
    """Maximize P(sold) subject to revenue ≥ 1.2: ½(3 − q) ≥ 1.2 gives q ≤ 0.6, P(sold) = 0.8."""
    revenue = lambda m: sum(m.prior[th] * m.payment["b", *th] for th in m.profiles) >= 1.2  # noqa: E731
    r = amd.solve(amd.parse(ONE_BUYER), constraints=[revenue], objective=sold)
    assert r.status == "optimal" and r.objective == pytest.approx(0.8, abs=1e-9)


@pytest.mark.parametrize("extra, value", [
    ({"probability": ["sold"], "at_least": 0.9}, 1.1),
    ({"payment_cap": 2}, 1.25),
    ({"payment_cap": 2, "agent": "b"}, 1.25),
    ({"revenue_floor": 1.2}, 1.5),
])
def test_declared_extra_constraints(extra, value):
    doc = ONE_BUYER | {"constraints": {"ic": "dsic", "ir": "expost", "extra": [extra]}}
    r = amd.solve(amd.parse(doc))
    assert r.status == "optimal" and r.objective == pytest.approx(value, abs=1e-9)
    assert r.certificate.checks["extra"].holds and r.options["declared_constraints"] == 1


@pytest.mark.parametrize("extra, key", [
    ({"payment_cap": 2, "agent": "x"}, "constraints.extra[0].agent"),
    ({"probability": ["lost"], "at_least": 0.5}, "constraints.extra[0].probability"),
    ({"probability": ["sold"]}, "constraints.extra[0]"),
    ({"payment_cap": 1, "revenue_floor": 1}, "constraints.extra[0]"),
    ({"expression": "__import__('os')"}, "constraints.extra[0].expression"),
])
def test_declared_extra_errors_name_the_key(extra, key):
    with pytest.raises(amd.InstanceError) as e:
        amd.parse(ONE_BUYER | {"constraints": {"ic": "dsic", "ir": "expost", "extra": [extra]}})
    assert e.value.path == key


def test_the_verifier_checks_the_declared_constraints():
    """Posting a price of 1 to everyone earns 1 < the declared floor 1.2: amd verify says so."""
    inst = amd.parse(ONE_BUYER | {"constraints": {"ic": "dsic", "ir": "expost", "extra": [{"revenue_floor": 1.2}]}})
    cert = amd.verify(inst, {"allocation": [[0, 1], [0, 1]], "payments": [[1, 1]]})
    assert not cert.verified and cert.failures() == ["extra"]
    assert cert.checks["extra"].worst["revenue"] == pytest.approx(1)


def test_a_constraint_that_is_not_an_expression_is_refused():
    with pytest.raises(amd.InstanceError, match="must involve the model's variables"):
        amd.solve(amd.parse(ONE_BUYER), constraints=[lambda m: 1 <= 2])
    with pytest.raises(amd.InstanceError, match="direct mechanism"):
        amd.solve("instances/persuasion/prosecutor.yaml", constraints=[lambda m: m.pi[0] >= 0])
