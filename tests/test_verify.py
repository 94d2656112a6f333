"""The independent verifier finds the deviations theory predicts in classic mechanisms."""

from __future__ import annotations

import numpy as np
import pytest

import amd
from amd.verifier import objective_value, verify
from conftest import instance

FAM = {"name": "single_item", "bidders": 2, "values": [1, 2, 3]}


def _auction(inst, price_rule) -> amd.Mechanism:
    """Highest bid wins (ties to bidder 1); the winner pays price_rule(own, other)."""
    env = inst.environment
    vals = np.array([1.0, 2.0, 3.0])
    x = np.zeros(env.shape + (3,))
    t = np.zeros((2,) + env.shape)
    for a in range(3):
        for b in range(3):
            w = 0 if vals[a] >= vals[b] else 1
            x[a, b, 1 + w] = 1
            own, other = (vals[a], vals[b]) if w == 0 else (vals[b], vals[a])
            t[w, a, b] = price_rule(own, other)
    return amd.Mechanism(env.agents, env.types, env.outcomes, x, t)


def test_second_price_auction_is_dsic_and_ir():
    inst = instance(FAM)
    cert = verify(inst.environment, inst.design, _auction(inst, lambda own, other: other))
    assert cert.verified, cert.to_dict()


def test_first_price_auction_is_not_dsic_and_the_deviation_is_named():
    """Truthful first-price bidding: b1 of value 3 facing a bid of 1 pays 3 and gains 0; by
    reporting 1 he still wins (ties go to bidder 1) and pays 1, gaining 2 — the largest
    gain in this auction (b2 must outbid strictly, so his best shading gains at most 1)."""
    inst = instance(FAM)
    cert = verify(inst.environment, inst.design, _auction(inst, lambda own, other: own))
    dsic = cert.checks["dsic"]
    assert not cert.verified and not dsic.holds
    assert dsic.max_violation == pytest.approx(2.0)
    assert dsic.worst == {"agent": "b1", "type": "3", "report": "1", "others": {"b2": "1"}, "gain": 2.0}
    assert cert.checks["expost_ir"].holds


def test_ir_violation_is_found():
    """Charging the winner twice the second price breaks ex-post IR: value 2 facing 2
    (ties to bidder 1) pays 4, utility -2."""
    inst = instance(FAM)
    cert = verify(inst.environment, inst.design, _auction(inst, lambda own, other: 2 * other))
    ir = cert.checks["expost_ir"]
    assert not ir.holds
    assert ir.max_violation == pytest.approx(3.0)  # value 3 facing 3 pays 6


def test_objective_value_of_second_price():
    """Revenue of the second-price auction = E[min(v1, v2)] = (1·5 + 2·3 + 3·1)/9 = 14/9."""
    inst = instance(FAM)
    assert objective_value(inst.environment, inst.design, _auction(inst, lambda own, other: other)) == \
        pytest.approx(14 / 9)


def test_budget_and_bic_checks():
    """The second-price auction runs a surplus, so strong ex-post budget balance fails at the
    profile with the largest payment, while the weak version holds."""
    strong = instance(FAM, ic="bic", ir="interim", budget="expost")
    weak = instance(FAM, ic="bic", ir="interim", budget="expost_weak")
    mech = _auction(strong, lambda own, other: other)
    c1 = verify(strong.environment, strong.design, mech)
    assert c1.checks["bic"].holds and c1.checks["interim_ir"].holds
    assert not c1.checks["expost_budget"].holds
    assert c1.checks["expost_budget"].max_violation == pytest.approx(3.0)
    assert verify(weak.environment, weak.design, mech).verified


def test_tidy_keeps_the_optimum_and_shrinks_the_payments():
    """Yao's two-item BIC instance: the optimum 3.1875 (the file's theory value) is kept, and
    among optimal mechanisms --tidy finds one whose largest payment is below the largest value
    of an item bundle (with independent types BIC and interim IR depend on interim payments only,
    so an optimum charging each type its interim payment, at most its interim value, exists)."""
    path = "instances/bundling/yao-2x2-bic.yaml"
    inst = amd.load(path)
    plain = amd.solve(inst)
    tidy = amd.solve(inst, tidy=True)
    assert tidy.status == "optimal" and tidy.certificate.verified
    assert tidy.objective == pytest.approx(inst.expected.objective, abs=1e-7)
    assert tidy.certificate.checks["optimal_face"].holds
    top = float(inst.environment.values.max())
    before, after = tidy.details.tidy.largest_payment_before, tidy.details.tidy.largest_payment_after
    assert before == pytest.approx(float(abs(plain.mechanism.payments).max()), abs=1e-9)
    assert after <= top + 1e-7 < before
    assert float(abs(tidy.mechanism.payments).max()) == pytest.approx(after, abs=1e-9)
    with pytest.raises(amd.InstanceError, match="--tidy"):
        amd.solve("instances/persuasion/prosecutor.yaml", tidy=True)
