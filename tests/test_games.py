"""Base-game families (kind: information) expand to exactly the explicit games."""

from __future__ import annotations

import numpy as np
import pytest

import amd
from test_audiences import _bce_by_definition, _first_price


def game(family, **keys):
    return amd.parse({"format": "amd/1", "kind": "information", "family": family, **keys}).environment


def test_investment_payoffs_and_complementarity():
    g = game({"name": "investment", "firms": 2, "good": 0.5, "complementarity": 0.25})
    assert g.states == ("bad", "good") and g.actions == (("stay", "invest"),) * 2
    # f1 invests in the good state: 0.5, plus 0.25 when f2 invests too; staying pays 0
    assert g.payoffs[0, 1].tolist() == [[0, 0], [0.5, 0.75]]
    assert g.designer[0].tolist() == [[0, 1], [1, 2]]


def test_cournot_profits_and_welfare():
    g = game({"name": "cournot", "firms": 2, "quantities": [0, 1, 2], "intercepts": [4, 8], "cost": 1})
    # state a = 8, q = (1, 2): price 8 − 3 = 5, f1's profit 1·(5 − 1) = 4, f2's 2·4 = 8;
    # consumer surplus Q²/2 = 4.5, welfare 16.5
    assert g.payoffs[0, 1, 1, 2] == 4 and g.payoffs[1, 1, 1, 2] == 8
    assert g.designer[1, 1, 2] == 16.5


def test_contribution_threshold():
    g = game({"name": "contribution", "players": 3, "values": [0, 2], "cost": 1, "threshold": 2})
    # θ = 2, p1 and p2 contribute, p3 free-rides: 2 − 1, 2 − 1, 2
    assert [g.payoffs[i, 1, 1, 1, 0] for i in range(3)] == [1, 1, 2]
    assert g.designer[1, 1, 0, 0] == 0 and g.designer[1, 1, 1, 0] == 1


def test_first_price_private_values_is_the_hand_written_game():
    values, bids = [1, 2], [0, 0.5, 1, 1.5]
    doc, u, revenue = _first_price(values, bids)
    hand = amd.parse(doc).environment
    fam = game({"name": "first_price", "bidders": 2, "values": values, "bids": bids}, solution="bce")
    assert fam.states == ("1,1 | 1, 1", "1,2 | 1, 2", "2,1 | 2, 1", "2,2 | 2, 2") == hand.states
    assert np.array_equal(fam.payoffs, hand.payoffs) and np.array_equal(fam.designer, hand.designer)
    assert np.array_equal(fam.type_of, hand.type_of)
    r = amd.solve(amd.parse({"format": "amd/1", "kind": "information", "objective": "minimize",
                             "family": {"name": "first_price", "bidders": 2, "values": values, "bids": bids}}))
    assert r.objective == pytest.approx(_bce_by_definition(u, revenue, values, "minimize"), abs=1e-8)


def test_all_pay_everyone_pays():
    g = game({"name": "all_pay", "bidders": 2, "values": [1], "bids": [0, 1], "common": True})
    # both bid 1: each wins half, pays 1: 1/2 − 1; revenue 2
    assert g.payoffs[0, 0, 1, 1] == -0.5 and g.designer[0, 1, 1] == 2


@pytest.mark.parametrize("family, key", [
    ({"name": "investment", "firms": 2, "good": 0.5, "prior": 1}, "family.prior"),
    ({"name": "cournot", "firms": 2, "quantities": [0, 1], "intercepts": [4], "slope": 0}, "family.slope"),
    ({"name": "contribution", "players": 2, "values": [1], "cost": 1, "threshold": 3}, "family.threshold"),
    ({"name": "first_price", "bidders": 2, "values": [1], "bids": [0, 0, 1]}, "family.bids"),
    ({"name": "poker"}, "family.name"),
    ({"name": "cournot", "firms": 4, "quantities": {"midpoint": 400}, "intercepts": [1]}, "family"),
])
def test_game_family_errors_name_the_key(family, key):
    with pytest.raises(amd.InstanceError) as e:
        game(family)
    assert e.value.path == key
