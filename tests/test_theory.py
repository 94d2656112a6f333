"""Optimal mechanisms whose values the theory gives (tolerance 1e-7).

Every expected number is derived in the comment beside it or cited; none was produced by amd.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import amd
from conftest import instance

TOL = 1e-7
MIDPOINT10 = {"midpoint": 10}


def optimum(inst, **kw) -> float:
    r = amd.solve(inst, **kw)
    assert r.status == "optimal", r.message
    assert r.certificate.verified
    return r.objective


# --- single item: Elkind (2007), the discrete Myerson auction on the grid (2k+1)/20 --------
# n = 1: posted price 0.55 sells w.p. 1/2: 11/40. n = 2, 3: 181/400 and 457/800.
@pytest.mark.parametrize("n, value", [(1, F(11, 40)), (2, F(181, 400)), (3, F(457, 800))])
def test_single_item_revenue_is_discrete_myerson(n, value):
    fam = {"name": "single_item", "bidders": n, "values": MIDPOINT10}
    assert optimum(instance(fam)) == pytest.approx(float(value), abs=TOL)


@pytest.mark.parametrize("n, value", [(1, F(11, 40)), (2, F(181, 400)), (3, F(457, 800))])
def test_single_item_bic_equals_dsic(n, value):
    """BIC–DSIC revenue equivalence for independent private values (Manelli–Vincent 2010,
    Gershkov et al. 2013): BIC + interim IR earns no more than DSIC + ex-post IR."""
    fam = {"name": "single_item", "bidders": n, "values": MIDPOINT10}
    assert optimum(instance(fam, ic="bic", ir="interim")) == pytest.approx(float(value), abs=TOL)


def test_efficient_welfare_is_expected_highest_value():
    """VCG implements the efficient allocation with DSIC and ex-post IR, so the welfare
    optimum is E[max(v1, v2)] = Σ_j (2j+1)^2 / 2000 = 1330/2000 on the grid (2k+1)/20."""
    fam = {"name": "single_item", "bidders": 2, "values": MIDPOINT10}
    assert optimum(instance(fam, maximize="welfare")) == pytest.approx(1330 / 2000, abs=TOL)
    weights = {"weights": {"b1": 1, "b2": 1, "payments": 1}}  # Σ u_i + Σ t_i is welfare
    assert optimum(instance(fam, maximize=weights)) == pytest.approx(1330 / 2000, abs=TOL)


def test_revenue_as_weights():
    fam = {"name": "single_item", "bidders": 2, "values": MIDPOINT10}
    weights = {"weights": {"payments": 1, "designer": 1}}
    assert optimum(instance(fam, maximize=weights)) == pytest.approx(181 / 400, abs=TOL)


def test_without_money_dsic_allocation_ignores_own_report():
    """Without payments a DSIC rule cannot let a bidder's own (positive) value change his
    chance of winning, so expected welfare is at most E[v] = 1/2 (and giving the item to
    bidder 1 always attains it)."""
    fam = {"name": "single_item", "bidders": 2, "values": MIDPOINT10}
    assert optimum(instance(fam, payments=False, maximize="welfare")) == pytest.approx(0.5, abs=TOL)


def test_minimize_welfare_sells_nothing():
    fam = {"name": "single_item", "bidders": 2, "values": MIDPOINT10}
    assert optimum(instance(fam, minimize="welfare")) == pytest.approx(0.0, abs=TOL)


# --- Yao (2017): 2 bidders, 2 additive items, values {1, 2} w.p. 1/2 each -----------------
YAO = {"name": "additive_items", "buyers": 2, "items": 2, "values": [1, 2]}


@pytest.mark.parametrize("randomized", [True, False])
def test_yao_dsic_versus_bic(randomized):
    """DSIC + ex-post IR earns 25/8, BIC + interim IR 51/16: exactly 2 % more (Yao 2017)."""
    dsic = optimum(instance(YAO, randomized=randomized))
    bic = optimum(instance(YAO, ic="bic", ir="interim", randomized=randomized))
    assert dsic == pytest.approx(25 / 8, abs=TOL)
    assert bic == pytest.approx(51 / 16, abs=TOL)
    assert bic / dsic == pytest.approx(1.02, abs=TOL)


# --- Manelli & Vincent (2006): one buyer, two items, midpoint grid K = 10 ----------------
@pytest.mark.parametrize("randomized", [True, False])
def test_manelli_vincent_two_items(randomized):
    fam = {"name": "additive_items", "buyers": 1, "items": 2, "values": MIDPOINT10}
    assert optimum(instance(fam, randomized=randomized)) == pytest.approx(59 / 100, abs=TOL)


# --- bilateral trade: Myerson & Satterthwaite (1983) on the midpoint grid -----------------
BT10 = {"name": "bilateral_trade", "values": MIDPOINT10}


def test_bilateral_trade_first_best():
    """E[(v - c)^+] = Σ_{d=1}^{9} d (10 - d) / 1000 = 165/1000 with no constraint at all."""
    assert optimum(instance(BT10, ic="none", ir="none", maximize="welfare")) == pytest.approx(33 / 200, abs=TOL)


def test_bilateral_trade_second_best_bic():
    """BIC + interim IR + ex-ante budget balance: 189/1250 < 33/200 (Myerson–Satterthwaite)."""
    v = optimum(instance(BT10, ic="bic", ir="interim", budget="exante", maximize="welfare"))
    assert v == pytest.approx(189 / 1250, abs=TOL)


def test_bilateral_trade_deterministic_bic_is_worse():
    lp = optimum(instance(BT10, ic="bic", ir="interim", budget="exante", maximize="welfare"))
    mip = optimum(instance(BT10, ic="bic", ir="interim", budget="exante", maximize="welfare", randomized=False))
    assert mip == pytest.approx(0.150, abs=TOL)
    assert mip < lp - 1e-4


def test_bilateral_trade_dsic_strong_budget_balance_is_posted_price():
    """DSIC + ex-post IR + ex-post budget balance leaves posted prices (Hagerty–Rogerson
    1987); the best price 1/2 trades when v > 1/2 > c: 25 pairs with mean gain 0.27 → 27/200."""
    v = optimum(instance(BT10, ic="dsic", ir="expost", budget="expost", maximize="welfare"))
    assert v == pytest.approx(27 / 200, abs=TOL)


def test_bilateral_trade_coarse_grid_efficient_trade_is_feasible():
    """On K = 4 the first best 5/32 survives BIC + interim IR + ex-ante budget balance."""
    fam = {"name": "bilateral_trade", "values": {"midpoint": 4}}
    v = optimum(instance(fam, ic="bic", ir="interim", budget="exante", maximize="welfare"))
    assert v == pytest.approx(5 / 32, abs=TOL)


# --- correlated priors: Crémer & McLean (1988) -------------------------------------------
def _cremer_mclean(joint):
    return dict(
        agents=[{"name": "b1", "types": ["1", "2"]}, {"name": "b2", "types": ["1", "2"]}],
        prior={"joint": joint},
        outcomes=["none", "b1", "b2"],
        values={"b1": {"private": [[0, 1, 0], [0, 2, 0]]}, "b2": {"private": [[0, 0, 1], [0, 0, 2]]}},
    )


def test_cremer_mclean_full_surplus_extraction():
    """With a full-rank correlated prior BIC + interim IR extracts the whole surplus
    E[max v] = .3·1 + .2·2 + .2·2 + .3·2 = 1.7; this needs the exact conditional beliefs."""
    inst = instance(None, ic="bic", ir="interim", **_cremer_mclean([[0.3, 0.2], [0.2, 0.3]]))
    assert optimum(inst) == pytest.approx(1.7, abs=TOL)


def test_independent_prior_cannot_extract_full_surplus():
    """Same values with an independent uniform prior: the surplus E[max v] = 1.75 is out of
    reach; revenue is Myerson's E[max φ(v)^+] with discrete virtual values
    φ(1) = 1 - (2 - 1)·P(v > 1)/P(v = 1) = 0 and φ(2) = 2, i.e. 2 · P(max v = 2) = 3/2."""
    inst = instance(None, ic="bic", ir="interim", **_cremer_mclean([[0.25, 0.25], [0.25, 0.25]]))
    assert optimum(inst) == pytest.approx(1.5, abs=TOL)


def test_the_interim_view_of_a_bic_optimum_is_myersons():
    """Two bidders, values 0.05 … 0.95 uniform, BIC: the optimum (over symmetric mechanisms) gives
    the top type the item unless the other is also top, then half the time: Q(0.95) = 0.9 + 0.05
    = 0.95, so E[value] = 0.95·0.95 = 0.9025; by the envelope formula its utility is
    Σ_{v < 0.95, v ≥ reserve} Q(v)·0.1 = 0.1·(0.55 + 0.65 + 0.75 + 0.85) = 0.28."""
    r = amd.solve("instances/auctions/myerson-2-bidders-bic-midpoint10.yaml")
    view = r.details["interim"]["b1"]
    top = view["types"].index("0.95")
    assert view["expected_value"][top] == pytest.approx(0.9025, abs=1e-7)
    assert view["expected_utility"][top] == pytest.approx(0.28, abs=1e-7)
    assert view["expected_payment"][top] == pytest.approx(0.9025 - 0.28, abs=1e-7)
