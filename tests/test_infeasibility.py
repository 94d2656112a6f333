"""An infeasible instance comes with the constraints that clash (deletion filtering), checked
against what theory says must clash."""

from __future__ import annotations

import amd
from amd import classic


def test_a_forced_loss_names_participation_and_the_payment_bounds():
    """The only outcome costs the agent 1: ex-post IR needs t ≤ −1, the bounds say t ≥ 0."""
    r = amd.solve("instances/degenerate/infeasible-forced-loss.yaml")
    assert r.status == "infeasible"
    why = r.certificate.infeasibility
    assert why["families"] == ["feasibility", "expost_ir", "payment_bounds"]
    assert why["words"] == "feasibility + expost_ir + payment_bounds cannot hold together"
    assert r.to_dict()["certificate"]["infeasibility"] == why


def test_without_money_participation_alone_clashes_with_the_forced_outcome():
    r = amd.solve("instances/degenerate/infeasible-no-money.yaml")
    assert r.status == "infeasible" and r.certificate.infeasibility["families"] == ["feasibility", "expost_ir"]


def test_contradictory_payment_bounds():
    """A bidder of value 0 must pay at least 1 (bounds [1, 2]) yet ex-post IR allows at most 0
    when the good is not worth anything to it: IR and the bounds clash, nothing else is needed."""
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "family": {"name": "single_item", "bidders": 1, "values": [0, 1]},
                      "mechanism": {"payment_bounds": [1, 2]}, "constraints": {"ic": "dsic", "ir": "expost"}})
    r = amd.solve(inst)
    assert r.status == "infeasible"
    why = r.certificate.infeasibility
    assert why["families"] == ["expost_ir", "payment_bounds"]


def test_myerson_satterthwaite_on_a_grid():
    """Bilateral trade, values and costs 0.05, …, 0.95 uniform: efficient trade is not BIC,
    interim IR and ex-ante budget balanced together (Myerson & Satterthwaite 1983). The clash
    needs all three families, and participation binds at the lowest buyer and the highest
    seller (the types the envelope theorem pins to zero utility)."""
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "family": {"name": "bilateral_trade", "values": {"midpoint": 10}},
                      "constraints": {"ic": "bic", "ir": "interim", "budget": "exante"},
                      "objective": {"maximize": "welfare"}})
    res = amd.implementable(inst, classic.efficient_allocation(inst.environment))
    assert not res.implementable
    why = res.certificate.infeasibility
    assert why["families"] == ["bic", "interim_ir", "exante_budget"]
    ir = {(row["agent"], row["type"]) for row in why["rows"] if row["family"] == "interim_ir"}
    assert ("buyer", "0.05") in ir and ("seller", "0.95") in ir
    assert "bic" in res.certificate.words and "exante_budget" in res.certificate.words
