r"""Myerson's optimal auction on the compact single-item form, computed without profiles.

For a single item, independent private values and the objective revenue under DSIC (or BIC)
and participation, the optimum is the *ironed virtual-value auction* (Myerson 1981; for
discrete values Elkind 2007): bidder i of value v has the ironed virtual value φ̄_i(v); the item
goes to a highest positive φ̄ (ties split evenly) and the winner pays by the envelope formula.
Its revenue is E[max_i φ̄_i(θ_i)⁺], and no DSIC or BIC, interim-IR mechanism earns more.

Everything here works on the n·k numbers of :class:`amd.auction.SingleItem`:

* :func:`expected_max` — E[max_i Z_i⁺] for independent discrete Z_i, by
  E[M] = Σ_j (z_j − z_{j−1}) P(M > z_{j−1}) over the sorted support (order statistics);
* :func:`interim_rule` — each bidder's probability of winning with value v,
  Q_i(v) = E[1/(1+N)·1{all others ≤ φ̄_i(v)}] with N the others tied at φ̄_i(v), as the integral
  ∫₀¹ Π_{j≠i} (P(φ̄_j < z) + P(φ̄_j = z)·s) ds of a polynomial; and the interim envelope payments.

The two routes to the revenue (order statistics; Σ_i E[T_i]) share no code, so their agreement
is a check on the answer (:class:`amd.concepts.optimal_auction.OptimalAuction`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import roots_legendre

from amd.auction import SingleItem
from amd.classic import ironed_virtual_values

#: virtual values closer than this are one tie (they come from the same hull slope)
TIE = 1e-12


def virtual_values(auction: SingleItem) -> list[np.ndarray]:
    """φ̄_i per bidder, in the bidder's type order (ironed over the value order)."""
    out = []
    for v, f in zip(auction.values, auction.marginals):
        order = np.argsort(v, kind="stable")
        phi = np.empty(len(v))
        phi[order] = ironed_virtual_values(v[order], f[order])
        out.append(phi)
    return out


def expected_max(phis: list[np.ndarray], marginals) -> float:
    """E[max_i φ̄_i(θ_i)⁺] for independent θ_i ~ marginals."""
    support = np.unique(np.concatenate([np.maximum(p, 0.0) for p in phis] + [np.zeros(1)]))
    below = np.ones(len(support))  # P(max ≤ z_j)
    for p, f in zip(phis, marginals):
        below *= np.array([float(f[np.maximum(p, 0.0) <= z + TIE].sum()) for z in support])
    return float(np.sum(np.diff(support) * (1.0 - below[:-1])))


def interim_rule(auction: SingleItem, phis: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(Q_i, T_i) per bidder and type: the interim probability of winning and the interim
    envelope payment T_i(v_l) = v_l Q_i(v_l) − Σ_{m<l} Q_i(v_m)(v_{m+1} − v_m).

    With ties split uniformly, Q_i(z) = ∫₀¹ Π_{j≠i} (P(φ_j < z) + s·P(φ_j = z)) ds: a polynomial of
    degree n − 1 in s, integrated exactly by Gauss–Legendre quadrature with ⌊n/2⌋ + 1 nodes (every
    factor lies in [0, 1], so a thousand bidders cost no more than ten). Bidders with the same
    virtual values and marginal are computed once."""
    n = len(phis)
    classes: dict[tuple, list[int]] = {}
    for i, (phi, f) in enumerate(zip(phis, auction.marginals)):
        classes.setdefault((np.asarray(phi).tobytes(), np.asarray(f, float).tobytes()), []).append(i)
    nodes, weights = roots_legendre(n // 2 + 1)
    s, w = (nodes + 1.0) / 2.0, weights / 2.0  # on [0, 1]
    by_class = {}
    for key, members in classes.items():
        phi = phis[members[0]]
        q = np.zeros(len(phi))
        for t, z in enumerate(phi):
            if z <= TIE:
                continue
            value = np.ones_like(s)
            for other, group in classes.items():
                count = len(group) - (other == key)
                if count:
                    pj, fj = phis[group[0]], auction.marginals[group[0]]
                    less = float(fj[pj < z - TIE].sum())
                    tied = float(fj[np.abs(pj - z) <= TIE].sum())
                    value *= (less + tied * s) ** count
            q[t] = float(w @ value)
        by_class[key] = q
    class_of = {i: key for key, group in classes.items() for i in group}
    Q = [by_class[class_of[i]] for i in range(n)]
    T = []
    for v, q in zip(auction.values, Q):
        order = np.argsort(v, kind="stable")
        vs, qs = v[order], q[order]
        u = np.concatenate([[0.0], np.cumsum(qs[:-1] * np.diff(vs))])
        out = np.empty(len(v))
        out[order] = vs * qs - u
        T.append(out)
    return Q, T
