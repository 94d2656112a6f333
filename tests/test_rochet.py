"""Rochet's theorem: the negative-cycle test agrees with the payments-only LP and with theory."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import amd
from amd.rochet import implementable
from amd.verifier import objective_value


def one_agent(types, outcomes, values, ir="none", ic="dsic"):
    return amd.parse({
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": "a", "types": types}], "prior": {"independent": "uniform"},
        "outcomes": outcomes, "values": {"a": {"private": values}},
        "constraints": {"ic": ic, "ir": ir},
    })


RPS = one_agent(["r", "p", "s"], ["R", "P", "S"],
                # own outcome 0, the next one in R→P→S→R is worth 1, the previous one -2
                [[0, 1, -2], [-2, 0, 1], [1, -2, 0]])


def test_rock_paper_scissors_is_weakly_monotone_but_not_implementable():
    """2-cycles: 1 + (-2) < 0 in gain, harmless; the 3-cycle r→p→s→r gains 1+1+1 = 3."""
    res = implementable(RPS, np.eye(3))
    assert not res.implementable and res.payments is None
    c = res.certificate
    assert c["weak_monotonicity"]["holds"] is True
    assert c["gain"] == pytest.approx(3.0)
    steps = {(s["type"], s["reports"]): s["gain"] for s in c["cycle"]}
    assert steps == {("r", "p"): 1.0, ("p", "s"): 1.0, ("s", "r"): 1.0}
    # consecutive steps chain: each report is the next step's type
    cyc = c["cycle"]
    assert all(cyc[j]["reports"] == cyc[(j + 1) % 3]["type"] for j in range(3))
    assert "type r gains 1 by reporting p" in c["words"]
    assert not implementable(RPS, np.eye(3), method="lp").implementable


def test_weak_monotonicity_failure_is_reported():
    """Giving the item to the low type only: the 2-cycle (1, 2) gains 2 - 1 = 1."""
    inst = one_agent(["1", "2"], ["none", "item"], [[0, 1], [0, 2]])
    res = implementable(inst, np.array([[0, 1], [1, 0]]))
    assert not res.implementable
    wm = res.certificate["weak_monotonicity"]
    assert wm["holds"] is False and wm["gain"] == pytest.approx(1.0)
    assert res.certificate["gain"] == pytest.approx(1.0)


def test_monotone_rule_gets_revenue_maximal_payments():
    """x = (0, 1/2, 1) on values (1, 2, 3) with ex-post IR: t1 = 0 (IR binds),
    t2 = t1 + 2·(1/2 - 0) = 1, t3 = t2 + 3·(1 - 1/2) = 2.5 (the envelope formula)."""
    inst = one_agent(["1", "2", "3"], ["none", "item"], [[0, 1], [0, 2], [0, 3]], ir="expost")
    x = np.array([[1, 0], [0.5, 0.5], [0, 1]])
    res = implementable(inst, x)
    assert res.implementable
    assert res.payments[0] == pytest.approx([0, 1, 2.5], abs=1e-12)
    assert res.verification.verified
    lp = implementable(inst, x, method="lp")
    assert lp.payments[0] == pytest.approx([0, 1, 2.5], abs=1e-7)


def _efficient_trade(K):
    g = (2 * np.arange(K) + 1) / (2 * K)
    trade = (g[:, None] > g[None, :]).astype(float)
    return np.stack([1 - trade, trade], axis=-1)


def test_myerson_satterthwaite(root):
    """Efficient trade is not BIC + interim IR + ex-ante budget balanced on K = 10 (it needs a
    subsidy), while on K = 4 it is (its first best 5/32 is the second best)."""
    k10 = amd.load(root / "instances/bilateral-trade/second-best-bic-midpoint10.yaml")
    res = implementable(k10, _efficient_trade(10))
    assert not res.implementable
    assert res.certificate["method"] == "lp"
    assert res.certificate["max_expected_surplus"] < 0
    assert "subsidize" in res.certificate["words"]
    k4 = amd.load(root / "instances/bilateral-trade/efficient-bic-midpoint4.yaml")
    ok = implementable(k4, _efficient_trade(4))
    assert ok.implementable and ok.verification.verified


def test_correlated_prior_is_decided_by_lp(root):
    inst = amd.load(root / "instances/correlated/cremer-mclean-2x2.yaml")
    x = np.zeros((2, 2, 3))
    x[..., 0] = 1
    res = implementable(inst, x)
    assert res.implementable and res.certificate["method"] == "lp"
    assert "correlated" in res.certificate["reason"]


def test_thousand_types_deterministic():
    """A posted price on 1000 types: at most two allocation classes, revenue-maximal
    payments charge the price to every buyer (IR binds at the cheapest buyer)."""
    k = 1000
    vals = np.arange(1, k + 1) / k
    inst = one_agent([str(v) for v in range(k)], ["none", "item"], np.stack([0 * vals, vals], 1).tolist(),
                     ir="expost")
    x = np.zeros((k, 2))
    x[vals >= 0.5, 1] = 1
    x[vals < 0.5, 0] = 1
    res = implementable(inst, x)
    assert res.implementable
    assert res.payments[0][vals >= 0.5] == pytest.approx(0.5)
    assert res.payments[0][vals < 0.5] == pytest.approx(0.0)


# --- agreement with the payments-only LP on random small instances ----------------------
@st.composite
def random_problem(draw):
    n = draw(st.integers(1, 3))
    ks = [draw(st.integers(2, 4 if n < 3 else 3)) for _ in range(n)]
    n_out = draw(st.integers(2, 4))
    ic = draw(st.sampled_from(["dsic", "bic"]))
    ir = draw(st.sampled_from(["none", "expost" if ic == "dsic" else "interim", "exante"]))
    shape = tuple(ks)
    values = {}
    for i in range(n):
        if draw(st.booleans()):
            table = draw(st.lists(st.lists(st.integers(-3, 3), min_size=n_out, max_size=n_out),
                                  min_size=ks[i], max_size=ks[i]))
            values[f"a{i}"] = {"private": table}
        else:
            flat = draw(st.lists(st.integers(-3, 3), min_size=int(np.prod(shape)) * n_out,
                                 max_size=int(np.prod(shape)) * n_out))
            values[f"a{i}"] = {"interdependent": np.array(flat).reshape(shape + (n_out,)).tolist()}
    marginals = {}
    for i in range(n):
        w = np.array(draw(st.lists(st.integers(1, 4), min_size=ks[i], max_size=ks[i])), float)
        marginals[f"a{i}"] = (w / w.sum()).tolist()
    inst = amd.parse({
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": f"a{i}", "types": [f"t{j}" for j in range(ks[i])]} for i in range(n)],
        "prior": {"independent": marginals}, "outcomes": [f"o{j}" for j in range(n_out)],
        "values": values, "constraints": {"ic": ic, "ir": ir},
    })
    rule = draw(st.sampled_from(["efficient", "deterministic", "randomized"]))
    if rule == "efficient":  # welfare-maximizing: VCG implements it when values are private
        x = np.eye(n_out)[np.argmax(inst.environment.values.sum(axis=0), axis=-1)]
    elif rule == "deterministic":
        choice = np.array(draw(st.lists(st.integers(0, n_out - 1), min_size=int(np.prod(shape)),
                                        max_size=int(np.prod(shape)))))
        x = np.eye(n_out)[choice].reshape(shape + (n_out,))
    else:
        w = np.array(draw(st.lists(st.integers(0, 3), min_size=int(np.prod(shape)) * n_out,
                                   max_size=int(np.prod(shape)) * n_out)), float).reshape(-1, n_out)
        w[w.sum(axis=1) == 0, 0] = 1
        x = (w / w.sum(axis=1, keepdims=True)).reshape(shape + (n_out,))
    return inst, x


def networkx_corner():
    """Drawn by the strategy above (BIC, 4 x 3 types, no IR): networkx's cycle search raised
    NetworkXUnbounded here, and the graph path crashed where the LP says "not implementable"."""
    values = {"a0": {"interdependent": [
        [[-2, 0, -3, 2], [3, -2, 1, 1], [-3, -2, -1, 2]], [[-1, -1, 2, 1], [2, 3, 1, 2], [-1, 0, 1, -2]],
        [[-3, 0, 1, 0], [-1, -1, 1, 1], [-2, 2, 3, 2]], [[-1, -2, -1, 3], [-2, 0, 2, -3], [-2, 2, -2, 3]]]},
        "a1": {"private": [[2, -1, -2, 2], [1, 0, -1, 1], [0, 0, 3, 3]]}}
    inst = amd.parse({
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": "a0", "types": ["t0", "t1", "t2", "t3"]}, {"name": "a1", "types": ["t0", "t1", "t2"]}],
        "prior": {"independent": {"a0": ["3/13", "4/13", "2/13", "4/13"], "a1": ["1/2", "3/8", "1/8"]}},
        "outcomes": ["o0", "o1", "o2", "o3"], "values": values, "constraints": {"ic": "bic", "ir": "none"}})
    x = np.array([[[1, 2, 2, 0], [1, 1, 3, 0], [1, 0, 0, 0]], [[0, 3, 0, 1], [2, 1, 3, 1], [0, 0, 0, 1]],
                  [[3, 3, 3, 1], [0, 1, 0, 2], [0, 1, 1, 1]], [[1, 0, 1, 0], [1, 2, 1, 2], [2, 1, 0, 0]]], float)
    return inst, x / x.sum(axis=-1, keepdims=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problem())
@example(networkx_corner())
def test_graph_verdict_equals_lp_feasibility(problem):
    inst, x = problem
    graph = implementable(inst, x, method="graph")
    lp = implementable(inst, x, method="lp")
    assert graph.implementable == lp.implementable, (graph.certificate, lp.certificate)
    if graph.implementable:
        assert graph.verification.verified
        if inst.design.ir != "none":  # shortest paths give the revenue-maximal payments
            rev = amd.environment.Objective.named("maximize", "revenue", inst.environment.n_agents)
            design = dataclasses.replace(inst.design, objective=rev)
            assert objective_value(inst.environment, design, graph.mechanism) == pytest.approx(
                objective_value(inst.environment, design, lp.mechanism), abs=1e-6)
    else:
        assert graph.certificate["gain"] > 0


def test_fixed_randomized_allocation_with_thirds():
    """Found by the property test: thirds sum to 0.9999999999999999, which Pyomo's
    compiler, comparing constant rows exactly, took for an infeasible constraint. A constant
    rule (the same lottery for every report) is trivially DSIC with zero payments."""
    inst = one_agent(["a", "b"], ["o1", "o2", "o3"], [[0, 1, 2], [2, 1, 0]])
    x = np.full((2, 3), 1 / 3)
    assert implementable(inst, x, method="lp").implementable
    assert implementable(inst, x, method="graph").implementable
