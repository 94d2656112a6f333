r"""Selling over time with limited commitment (kind: dynamic), against theory.

Two types, two periods, durable good, no cost (0 < θ_L < θ_H, μ = P(θ_H), r = θ_L/θ_H).
Derivation of the limited-commitment value. Period 2 at posterior ν: price θ_H if ν ≥ r (the
seller's way at ν = r), else θ_L; type H's continuation utility is 0 after price θ_H and
Δ = θ_H − θ_L after price θ_L, type L's is 0. In period 1, write β_{k,H}, β_{k,L} for the mass of
type k sent (without a sale) to the posteriors priced θ_H and θ_L, q_k for the sale. L's
participation and H's truth-telling bind, so x_L = θ_L q_L and
x_H = θ_H q_H + δΔβ_{H,L} − Δ q_L − δΔβ_{L,L}. Substituting, the revenue is
μθ_H[q_H + δ(β_{H,H} + β_{H,L})] + q_L(θ_L − μθ_H) + δβ_{L,L}(θ_L − μθ_H) + 0·β_{L,H},
subject to the posterior priced θ_H having ν ≥ r: μβ_{H,H}Δ ≥ (1 − μ)β_{L,H}θ_L.
* μ ≤ r: every L term is best sold now (θ_L − μθ_H ≥ 0) and H is sold now: V = θ_L.
* μ > r: an L unit sold now or priced θ_L later loses; parking L at the θ_H posterior costs H
  mass there. The problem is linear, so an end point is optimal: all L to the θ_L posterior
  (screening with a first-period discount p₁ = θ_H − δΔ): S = μθ_H + δ(θ_L − μθ_H); or all L to
  the θ_H posterior with β_{H,H} = (1 − μ)θ_L/(μΔ), i.e. H buys now with probability making the
  posterior exactly r (price θ_H twice): P = θ_H(μθ_H − θ_L + δθ_L(1 − μ))/Δ.
So V = θ_L if μ ≤ r, else max(S, P). The lecture (θ = 1, 2; μ = 3/4; δ = 0.9): P = 1.45 > S = 1.05.

Full commitment (durable): the seller can commit to the whole horizon, the problem is the static
one with discounted trade in [0, 1], and a posted price today is optimal (Stokey 1979; Riley &
Zeckhauser 1983): max(θ_L, μθ_H) for any T and δ.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from fractions import Fraction as F

import numpy as np
import pytest

import amd

TOL = 1e-7


def sale(values, prior, delta, periods=2, good="durable", commitment="limited", cost=0, **more) -> dict:
    return {"format": "amd/1", "kind": "dynamic", "good": good, "periods": periods, "discount": delta,
            "buyer": {"types": [f"t{k}" for k in range(len(values))], "values": list(values), "prior": list(prior)},
            "seller_cost": cost, "commitment": commitment} | more


def solve(doc):
    return amd.solve(amd.parse(doc))


def two_type_value(tl, th, mu, delta):
    """The closed form derived in the module docstring."""
    if mu <= tl / th:
        return tl
    screen = mu * th + delta * (tl - mu * th)
    split = th * (mu * th - tl + delta * tl * (1 - mu)) / (th - tl)
    return max(screen, split)


def best_price_path(values, prior, delta):
    """Brute force over posted-price paths (p₁, p₂) of the two-period durable good: each type buys
    now, waits, or — when indifferent — mixes; p₂ must be an optimal last-period price at the
    posterior after no sale (the indifferent last-period buyer buys, ties the seller's way). A
    single indifferent type's mixing is pinned where a seller's indifference binds, so it is
    enumerated exactly: 0, 1 and the root of each of the seller's comparisons."""
    v, mu = np.asarray(values, float), np.asarray(prior, float)
    K = len(v)
    last = list(v) + [np.inf]
    best = -np.inf

    def revenue(p, m):
        return 0.0 if not np.isfinite(p) else p * m[v >= p].sum()

    for p2 in last:
        later = np.maximum(v - p2, 0.0) if np.isfinite(p2) else np.zeros(K)
        for p1 in set(v.tolist()) | {float(a - delta * b) for a, b in zip(v, later)}:
            gain = (v - p1) - delta * later
            buy = (gain > 1e-12).astype(float)
            indifferent = [k for k in range(K) if abs(gain[k]) <= 1e-12]
            options = [dict(zip(indifferent, c)) for c in itertools.product([0.0, 1.0], repeat=len(indifferent))]
            for k in indifferent:
                rest = [j for j in indifferent if j != k]
                for fixed in itertools.product([0.0, 1.0], repeat=len(rest)):
                    for alt in last:
                        def diff(s, fixed=fixed, alt=alt, k=k, rest=rest):
                            b = buy.copy()
                            b[rest], b[k] = fixed, s
                            m = mu * (1 - b)
                            return revenue(p2, m) - revenue(alt, m)
                        a0, a1 = diff(0.0), diff(1.0)
                        if a0 != a1 and 0 <= a0 / (a0 - a1) <= 1:
                            options.append(dict(zip(rest, fixed)) | {k: a0 / (a0 - a1)})
            for mix in options:
                b = buy.copy()
                for j, s in mix.items():
                    b[j] = s
                m = mu * (1 - b)
                if any(revenue(alt, m) > revenue(p2, m) + 1e-12 for alt in last):
                    continue
                best = max(best, p1 * float(mu @ b) + delta * revenue(p2, m))
    return best


def test_the_lecture():
    """θ_L = 1, θ_H = 2, P(θ_H) = 3/4, δ = 0.9, T = 2: 1.45 without commitment, 1.5 with."""
    doc = sale([1, 2], [0.25, 0.75], 0.9)
    r = solve(doc)
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(1.45, abs=TOL)
    assert r.details.commitment_objective == pytest.approx(1.5, abs=TOL)
    assert r.details.posted_prices == pytest.approx([2.0, 2.0], abs=TOL)
    root, after = r.details.plan[0], r.details.plan[1]
    assert root["mechanism"]["t1"]["trade"] == pytest.approx(2 / 3, abs=TOL)  # the high type buys w.p. 2/3
    assert after["belief"][1] == pytest.approx(0.5, abs=TOL)  # θ_L/θ_H after no sale
    assert after["price"] == pytest.approx(2.0, abs=TOL)
    full = solve(doc | {"commitment": "full"})
    assert full.status == "optimal" and full.objective == pytest.approx(1.5, abs=TOL)


@pytest.mark.parametrize("delta", [0.2, 0.5, 0.9, 1.0])
def test_two_types_all_three_regimes(delta):
    """Sell to all at θ_L, screen with a discount, or price θ_H twice with the split (docstring)."""
    regimes = set()
    for tl, th in ((1, 2), (1, 3), (2, 3)):
        for mu in np.linspace(0.02, 0.98, 25):
            r = solve(sale([tl, th], [1 - mu, mu], delta))
            assert r.status == "optimal" and r.certificate.verified
            assert r.objective == pytest.approx(two_type_value(tl, th, mu, delta), abs=TOL)
            if mu <= tl / th:
                regimes.add("all")
            else:
                s = mu * th + delta * (tl - mu * th)
                regimes.add("screen" if s >= two_type_value(tl, th, mu, delta) - 1e-12 else "split")
    # without discounting screening never pays (S = θ_L < P = μθ_H above r): two regimes are left
    assert regimes == ({"all", "screen", "split"} if delta < 1 else {"all", "split"})


@pytest.mark.parametrize("periods", [1, 2, 3, 4, 5])
def test_full_commitment_is_the_best_price_today(periods):
    for mu, delta in ((0.3, 0.9), (0.75, 0.5), (0.6, 1.0)):
        r = solve(sale([1, 2], [1 - mu, mu], delta, periods, commitment="full"))
        assert r.status == "optimal" and r.certificate.verified
        assert r.objective == pytest.approx(max(1, 2 * mu), abs=TOL)


def test_limited_between_the_best_price_path_and_full_commitment():
    rng = np.random.default_rng(7)
    for _ in range(12):
        K = int(rng.integers(2, 4))
        values = np.sort(rng.choice(np.arange(1, 12), K, replace=False)).astype(float)
        prior = rng.dirichlet(np.ones(K))
        delta = float(rng.choice([0.5, 0.8, 0.95]))
        r = solve(sale(values.tolist(), prior.tolist(), delta))
        assert r.status == "optimal" and r.certificate.verified
        assert best_price_path(values, prior, delta) <= r.objective + TOL
        tail = np.cumsum(prior[::-1])[::-1]
        assert r.objective <= float((values * tail).max()) + TOL  # full commitment: the best price today


def test_two_types_the_optimum_is_the_best_price_path():
    """With two types the optimum is a posted-price path (the three regimes are price paths)."""
    for mu in (0.2, 0.6, 0.75, 0.9):
        r = solve(sale([1, 2], [1 - mu, mu], 0.8))
        assert r.objective == pytest.approx(best_price_path([1, 2], [1 - mu, mu], 0.8), abs=TOL)


def test_three_types_where_no_price_path_is_optimal():
    """θ = 3, 5, 7 with prior (0.3, 0.3, 0.4), δ = 0.8. A plan no price path can copy: the lowest
    type is *garbled* between two posteriors. Period 1: type c buys w.p. 13/16 paying 327/80 and
    otherwise goes with probability 3/16 to posterior B; type b goes to posterior A; type a to A
    w.p. 2/3 and to B w.p. 1/3. A = (2/5, 3/5, 0) is priced 5 and B = (4/7, 0, 3/7) priced 7, each
    a tie with pricing 3 (the seller's way). Checked below in exact rational arithmetic, it is
    worth 651/200 = 3.255, more than the best posted-price path (3.15, brute force), so the
    optimum is not a price path."""
    theta, mu, d = [F(3), F(5), F(7)], [F(3, 10), F(3, 10), F(2, 5)], F(4, 5)
    trade = [F(0), F(0), F(13, 16)]
    pay = [F(0), F(0), F(327, 80)]
    to = [{"A": F(2, 3), "B": F(1, 3)}, {"A": F(1)}, {"B": F(3, 16)}]  # P(posterior | report)
    price = {"A": F(5), "B": F(7)}
    for k in range(3):
        assert trade[k] + sum(to[k].values()) == 1  # durable: sold now or carried on
    mass = {g: [mu[k] * to[k].get(g, 0) for k in range(3)] for g in price}
    for g, m in mass.items():  # the posted price is optimal at the posterior (ties allowed)
        rev = {p: p * sum(m[k] for k in range(3) if theta[k] >= p) for p in theta}
        assert rev[price[g]] == max(rev.values())

    def utility(k, r):
        later = sum(p * max(theta[k] - price[g], 0) for g, p in to[r].items())
        return theta[k] * trade[r] - pay[r] + d * later

    for k in range(3):
        assert utility(k, k) >= 0 and all(utility(k, k) >= utility(k, r) for r in range(3))
    value = sum(mu[k] * pay[k] for k in range(3)) + d * sum(
        price[g] * sum(m[k] for k in range(3) if theta[k] >= price[g]) for g, m in mass.items())
    assert value == F(651, 200)
    path = best_price_path([3, 5, 7], [0.3, 0.3, 0.4], 0.8)
    assert path == pytest.approx(3.15, abs=1e-12) and float(value) > path + 0.1
    r = solve(sale([3, 5, 7], [0.3, 0.3, 0.4], 0.8))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(float(value), abs=TOL)
    assert r.details.posted_prices is None


@pytest.mark.parametrize("periods", [3, 4, 5])
def test_longer_horizons_are_bounded_honestly(periods):
    """T ≥ 3: a certified interval unless its ends meet; never above full commitment."""
    r = solve(sale([1, 2], [0.25, 0.75], 0.9, periods))
    assert r.status in ("bounded", "optimal") and r.certificate.verified
    if r.status == "bounded":
        lo, hi = r.details.bounds
        assert lo == pytest.approx(r.objective, abs=TOL) and lo <= hi + TOL
        assert hi <= 1.5 + TOL  # full commitment
        assert "not solved exactly" in r.message


def test_rental_one_period_and_full_commitment():
    """Rental: one period is the static posted price; full commitment repeats it every period."""
    one = solve(sale([1, 2], [0.25, 0.75], 0.9, 1, good="rental"))
    assert one.status == "optimal" and one.objective == pytest.approx(1.5, abs=TOL)
    full = solve(sale([1, 2], [0.25, 0.75], 0.9, 3, good="rental", commitment="full"))
    assert full.status == "optimal" and full.certificate.verified
    assert full.objective == pytest.approx(1.5 * (1 + 0.9 + 0.81), abs=TOL)
    limited = solve(sale([1, 2], [0.25, 0.75], 0.9, 2, good="rental"))
    assert limited.status == "optimal" and limited.certificate.verified
    assert 1.9 - TOL <= limited.objective <= 1.5 * 1.9 + TOL  # at least pooling at θ_L, at most commitment


def test_seller_cost_is_a_shift_of_values():
    """A cost c is the same problem with net values θ − c (the buyer's payoff is unchanged)."""
    a = solve(sale([3, 4], [0.25, 0.75], 0.9, cost=2))
    b = solve(sale([1, 2], [0.25, 0.75], 0.9))
    assert a.objective == pytest.approx(b.objective, abs=TOL)


@pytest.mark.parametrize("change, key", [
    ({"buyer": {"types": ["l", "h"], "values": [2, 1], "prior": [0.5, 0.5]}}, "buyer.values[1]"),
    ({"discount": 0}, "discount"),
    ({"periods": 0}, "periods"),
    ({"good": "lease"}, "good"),
    ({"buyers": []}, "buyers"),
    ({"buyer": [{"types": ["l"], "values": [1], "prior": [1]}]}, "buyer"),
    ({"buyer": {"types": ["l", "h"], "values": [1, 2], "prior": [0.5, 0.6]}}, "buyer.prior"),
])
def test_bad_files_name_the_key(change, key):
    with pytest.raises(amd.InstanceError) as e:
        amd.parse(sale([1, 2], [0.5, 0.5], 0.9) | change)
    assert e.value.path == key


def test_the_product_solves_verifies_and_catches_a_tampered_plan(tmp_path):
    """`amd solve --json`, `amd verify` on the written plan, and a plan whose sale was made
    cheaper for the high type (the low type would then lie) fails naming the node."""
    src = tmp_path / "lecture.yaml"
    src.write_text(json.dumps(sale([1, 2], [0.25, 0.75], 0.9)))
    run = [sys.executable, "-m", "amd"]
    out = subprocess.run(run + ["solve", str(src), "--json"], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["status"] == "optimal" and result["objective"] == pytest.approx(1.45, abs=TOL)
    assert result["commitment_objective"] == pytest.approx(1.5, abs=TOL)
    good = tmp_path / "r.json"
    good.write_text(out.stdout)
    ok = subprocess.run(run + ["verify", str(src), str(good), "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["certificate"]["verified"]
    result["plan"][0]["mechanism"]["t0"] |= {"trade": 0.5, "payment": 0.0}  # give the low type half for free
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(result))
    no = subprocess.run(run + ["verify", str(src), str(bad), "--json"], capture_output=True, text=True)
    assert no.returncode == 1, no.stderr
    checks = json.loads(no.stdout)["certificate"]["checks"]
    assert not checks["truth_telling"]["holds"] and checks["truth_telling"]["worst"]["node"] == 0
