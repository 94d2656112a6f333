"""Families expand to exactly the explicit tables SPEC §1.1 describes."""

from __future__ import annotations

import numpy as np
import pytest

import amd
from conftest import document


def expanded(family):
    return amd.parse(document(family))


def test_single_item_tables():
    env = expanded({"name": "single_item", "bidders": 2, "values": {"midpoint": 4}}).environment
    assert env.agents == ("b1", "b2") and env.outcomes == ("none", "b1", "b2")
    assert env.types[0] == ("0.125", "0.375", "0.625", "0.875")
    assert env.prior.shape == (4, 4) and np.allclose(env.prior, 1 / 16)
    # v_1(b1 wins, θ) = θ_1 whatever θ_2; v_1 of other outcomes is 0
    assert np.allclose(env.values[0, :, :, 1], np.array([0.125, 0.375, 0.625, 0.875])[:, None])
    assert np.allclose(env.values[0, :, :, [0, 2]], 0)


def test_additive_items_yao_tables():
    env = expanded({"name": "additive_items", "buyers": 2, "items": 2, "values": [1, 2]}).environment
    assert env.n_outcomes == 9 and env.shape == (4, 4)
    assert env.types[0] == ("1,1", "1,2", "2,1", "2,2")
    o = env.outcomes.index("b1,b1")
    assert env.values[0, 3, 0, o] == 4  # type (2,2) gets both items
    assert env.values[1, 3, 0, o] == 0


def test_unit_demand_takes_the_best_item():
    env = expanded({"name": "unit_demand", "buyers": 1, "items": 2, "values": [1, 3]}).environment
    assert env.values[0, env.types[0].index("1,3"), env.outcomes.index("b1,b1")] == 3


def test_multi_item_prior_is_a_product():
    env = expanded({"name": "additive_items", "buyers": 1, "items": 2, "values": [0, 1],
                    "prior": [0.25, 0.75]}).environment
    assert np.allclose(env.prior, [0.0625, 0.1875, 0.1875, 0.5625])


def test_bilateral_trade_with_broker():
    env = expanded({"name": "bilateral_trade", "buyer_values": [1, 2], "seller_costs": [0, 1],
                    "broker_cost": "1/10"}).environment
    assert env.agents == ("buyer", "seller") and env.outcomes == ("no_trade", "trade")
    assert env.values[1, 0, 1, 1] == -1  # a seller of cost 1 loses 1 by trading
    assert np.allclose(env.designer_values[..., 1], -0.1)


def test_public_project():
    env = expanded({"name": "public_project", "agents": 3, "values": [0, 1], "cost": 1.5}).environment
    assert env.outcomes == ("no", "build") and env.shape == (2, 2, 2)
    assert np.allclose(env.designer_values[..., 1], -1.5)


@pytest.mark.parametrize("family, key", [
    ({"name": "single_item", "bidders": 2, "values": {"midpoint": 0}}, "family.values"),
    ({"name": "single_item", "bidders": 2, "values": [1, 1]}, "family.values"),
    ({"name": "single_item", "bidders": 2, "values": [1, 2], "prior": [1]}, "family.prior"),
    ({"name": "additive_items", "items": 9, "values": [1]}, "family.items"),
    ({"name": "bilateral_trade"}, "family.values"),
    ({"name": "public_project", "agents": 2, "values": [1], "cost": "x"}, "family.cost"),
    ({"name": "auction"}, "family.name"),
    ({"name": "single_item", "bidders": 2, "values": [1], "colour": 1}, "family.colour"),
])
def test_family_errors_name_the_key(family, key):
    with pytest.raises(amd.InstanceError) as e:
        amd.parse(document(family))
    assert e.value.path == key


def test_asymmetric_bidders_per_bidder_grids_and_priors():
    doc = {"format": "amd/1", "kind": "mechanism",
           "family": {"name": "single_item", "bidders": 2, "values": [[1, 2], [2, 3]], "prior": [[0.25, 0.75], "uniform"]}}
    env = amd.parse(doc).environment
    assert env.types == (("1", "2"), ("2", "3"))
    assert env.marginal(0).tolist() == [0.25, 0.75] and env.marginal(1).tolist() == [0.5, 0.5]
    with pytest.raises(amd.InstanceError, match="one entry per bidder"):
        amd.parse(doc | {"family": doc["family"] | {"values": [[1, 2], [2, 3], [3, 4]]}})


def test_multi_unit_outcomes_are_the_sets_of_winners():
    env = amd.parse({"format": "amd/1", "kind": "mechanism",
                     "family": {"name": "multi_unit", "bidders": 3, "units": 2, "values": [1, 2]}}).environment
    assert env.outcomes == ("none", "b1", "b2", "b3", "b1+b2", "b1+b3", "b2+b3")
    # b2 of value 2 values exactly the outcomes in which it wins
    assert env.values[1][0, 1, 0].tolist() == [0, 0, 2, 0, 2, 0, 2]


def test_screening_costs_are_the_designers_values():
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "family": {"name": "screening", "types": [1, 2], "qualities": [0, 0.5, 1], "cost": [0, 0.125, 0.5]}})
    env = inst.environment
    assert env.outcomes == ("q=0", "q=0.5", "q=1")
    assert env.designer_values[0].tolist() == [0, -0.125, -0.5]
    assert env.values[0][1].tolist() == [0, 1, 2]
    with pytest.raises(amd.InstanceError, match="one cost per quality"):
        amd.parse({"format": "amd/1", "kind": "mechanism",
                   "family": {"name": "screening", "types": [1, 2], "qualities": [0, 1], "cost": [0]}})


def test_position_auction_assigns_each_slot_once():
    env = amd.parse({"format": "amd/1", "kind": "mechanism",
                     "family": {"name": "position_auction", "bidders": 2, "ctr": [1, 0.5], "values": [1, 2]}}).environment
    assert env.outcomes == ("-,-", "-,1", "-,2", "1,-", "1,2", "2,-", "2,1")
    # b1 of value 2: 2·α_1 = 2 in slot 1, 2·α_2 = 1 in slot 2, nothing without a slot
    assert env.values[0][1, 0].tolist() == [0, 0, 0, 2, 2, 1, 1]


def test_multi_unit_demand_types_are_non_increasing_marginal_values():
    env = expanded({"name": "multi_unit", "bidders": 2, "units": 2, "demand": 2, "values": [1, 2, 3]}).environment
    assert env.types[0] == ("1,1", "2,1", "2,2", "3,1", "3,2", "3,3")
    assert env.outcomes == ("0,0", "0,1", "0,2", "1,0", "1,1", "2,0")
    # b1 of marginal values (3, 2): 3 for one unit, 5 for two, whatever b2 gets
    assert env.values[0][4, 0].tolist() == [0, 0, 0, 3, 3, 5]
    assert env.values[1][0, 4].tolist() == [0, 3, 5, 0, 3, 0]


def test_lemons_buyer_values_depend_on_the_sellers_quality():
    env = expanded({"name": "lemons", "values": [0, 1], "premium": "1/2"}).environment
    assert env.agents == ("seller", "buyer") and env.shape == (2, 1)
    assert env.values[0][:, 0, 1].tolist() == [0, -1]
    assert env.values[1][:, 0, 1].tolist() == [0.5, 1.5]
    with pytest.raises(amd.InstanceError, match="one per quality") as e:
        expanded({"name": "lemons", "values": [0, 1], "premium": [1, 2, 3]})
    assert e.value.path == "family.premium"


def test_lemons_second_best_pays_the_sellers_rent():
    """Qualities v ∈ {0, 1} equally likely, buyer value v + Δ. The low seller's rent is
    U_0 = q_1·(1 - 0) (she can claim quality 1), the high seller's U_1 = 0; the buyer's interim IR
    with ex-ante budget balance says the buyer's value covers the seller's cost plus rent:
    ½(Δ q_0 + (1 + Δ) q_1) ≥ ½(0·q_0 + 1·q_1) + ½ q_1, i.e. Δ q_0 + (Δ - 1) q_1 ≥ 0, with
    gains from trade ½ Δ (q_0 + q_1). Δ = 1/2: q = (1, 1), gains 1/2 (the first best);
    Δ = 1/4: q = (1, 1/3), gains ½·¼·4/3 = 1/6."""
    for premium, gains in (("1/2", 1 / 2), ("1/4", 1 / 6)):
        doc = document({"name": "lemons", "values": [0, 1], "premium": premium},
                       ic="bic", ir="interim", budget="exante", maximize="welfare")
        r = amd.solve(amd.parse(doc))
        assert r.status == "optimal" and r.objective == pytest.approx(gains, abs=1e-9)
