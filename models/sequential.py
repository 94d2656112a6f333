r"""Sequential information design as one LP over ordered outcomes (Doval & Ely 2020).

The designer draws the state θ, an order of moves σ (a permutation of the players, which they
do not see) and a recommendation profile, and calls the players in order, telling each only
his own recommendation; it sees every action as it is taken. An *ordered outcome* is
ρ(θ, σ, a) ≥ 0 with Σ_{σ,a} ρ(θ, σ, a) = μ0(θ) (``consistency``). Relabel the players of σ by
position: the mover at position p is told r after the earlier moves h, the later movers play c.

**Sequential obedience** (``obedience``): player i, told r, must not gain by playing d ≠ r,
pooled over the orders and positions he may hold and the histories before him (he sees none of
them):

    Σ_σ Σ_{θ,h,c} ρ_σ(θ,h,r,c) [u_i(θ,h,r,c) − W_{σ,p}(θ,h,d)]
        + Σ_σ Σ_{θ,h,c} η_σ(θ,h,r,d,c) [W_{σ,p}(θ,h,d) − u_i(θ,h,d,c)] ≥ 0,

where W is the worst continuation the designer can induce after the deviation
(:func:`amd.punishment.punishments`: the later movers' hidden or revealed actions, per notion;
for the last mover W = u_i(θ,h,d), the game ending with his move), and η, present only in the
lower bound for ``sequential`` (sequential equilibrium), is the mass on which a deviation of the
second-to-last mover is *revealed* to the last mover, who is then told c:

* ``revealed_mass``      Σ_c η_σ(θ,h,r,d,c) ≤ Σ_c ρ_σ(θ,h,r,c) — the rest is met by W;
* ``revealed_obedience`` the last mover j, told c after the revealed (h, d), obeys under the
                         belief conditional on it (every deviation at an information set
                         equally likely, nature's and the designer's draws weighed by the plan):
                         Σ_θ Σ_{r≠d} η_σ(θ,h,r,d,c) [u_j(θ,h,d,c) − u_j(θ,h,d,c')] ≥ 0 ∀ c'.

Every BCE is feasible (a uniform order, each later mover replaying his recommendation: its
action is in H), so the designer-best value is at least the BCE one. With one player there is
no one to punish: Bayesian persuasion. The LP has S·n!·Π|A_i| columns for ρ and, with η,
S·Π|A_i|·|A_d| more per order; :mod:`amd.concepts.sequential` checks the size before building.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.information import InformationGame, move_orders
from amd.punishment import by_position


@dataclass(frozen=True)
class SequentialLayout:
    """Index arrays of every column: ρ over (θ, σ, a_1..a_n) in file order; with ``revealed``,
    per order σ (index s) η over (θ, h, r, d, c) by position, the deviator second to last."""

    n: int
    orders: tuple[tuple[int, ...], ...]
    pi: np.ndarray
    revealed: dict

    @staticmethod
    def size(game: InformationGame, revealed: bool) -> tuple[int, int, int]:
        """(columns, rows at most, terms at most) of :func:`build`'s LP, counted without allocating.
        Per order, ρ has S·Π|A_i| columns, each in 1 + Σ(|A_i| − 1) rows; η (the deviator d
        second to last, the last mover l) has S·Π|A_i|·|A_d| more, each in about |A_l| + 2 rows
        — the revealed-obedience terms S·Π|A_i|·(|A_d| − 1)(|A_l| − 1) dominate."""
        S, ks = game.shape[0], game.shape[1:]
        n, orders, P = len(ks), move_orders(len(ks)), math.prod(ks)
        rho = S * len(orders) * P
        columns, rows = rho, S + sum(k * (k - 1) for k in ks)
        terms = rho * (1 + sum(k - 1 for k in ks))
        if revealed and n >= 2:
            for o in orders:
                kd, kl = ks[o[n - 2]], ks[o[n - 1]]
                columns += S * P * kd
                rows += S * P // kl * (kd - 1) + P * (kl - 1)
                terms += S * P * kd + 2 * S * P * (kd - 1) + S * P * (kd - 1) * (kl - 1)
        return columns, rows, terms

    @classmethod
    def of(cls, game: InformationGame, revealed: bool) -> "SequentialLayout":
        S, ks = game.shape[0], game.shape[1:]
        n = len(ks)
        orders = move_orders(n)
        pi = np.arange(S * len(orders) * int(np.prod(ks))).reshape((S, len(orders)) + tuple(ks))
        nxt, eta = pi.size, {}
        if revealed and n >= 2:
            for s, o in enumerate(orders):
                k = [ks[j] for j in o]
                shape = (S, *k[:n - 2], k[n - 2], k[n - 2], k[n - 1])
                eta[s] = np.arange(nxt, nxt + int(np.prod(shape))).reshape(shape)
                nxt += eta[s].size
        return cls(nxt, orders, pi, eta)


class _Rows:
    """Accumulates (row, column, coefficient) entries of one constraint family."""

    def __init__(self):
        self.r, self.c, self.a, self.n = [], [], [], 0

    def add(self, row, cols, coefs):
        cols = np.asarray(cols).ravel()
        self.r.append(np.full(cols.size, row) if np.isscalar(row) else np.asarray(row).ravel())
        self.c.append(cols)
        self.a.append(np.broadcast_to(coefs, np.shape(cols)).ravel() if np.isscalar(coefs) else np.asarray(coefs).ravel())

    def block(self, n_cols, lo, hi) -> RowBlock:
        cat = (lambda xs, t: np.concatenate(xs) if xs else np.zeros(0, t))
        return RowBlock.from_entries(self.n, n_cols, cat(self.r, int), cat(self.c, int), cat(self.a, float), lo, hi)


def build(game: InformationGame, sense: str, punish: dict, revealed: bool, support: bool = False) -> Formulation:
    """The LP of the module docstring; ``punish[(s, p)]`` is W by position (θ, h, d) for the
    mover at position p < n−1 of order s (:func:`amd.punishment.punishments`).

    With ``support``, instead, the LP whose optimum recommends every action some feasible ρ
    recommends: the feasible set homogenized (Σ ρ(θ,·) = λ μ0(θ), λ ≥ 0: the cone over it, every
    other row being homogeneous) and, per player j and action a, t_{j,a} ≤ min(1, Σ ρ(·, a_j = a))
    with Σ t maximized. Cones are closed under sums, so one ρ reaches t = 1 on every action of
    the union of the feasible supports and 0 elsewhere; ρ/λ is then a feasible outcome with
    that support. The extra columns λ, t follow the layout's (``support_columns``)."""
    n, S = game.n_players, game.shape[0]
    lay = SequentialLayout.of(game, revealed)
    extra = 1 + sum(game.shape[1:]) if support else 0
    m = pyo.ConcreteModel(name="sequential_information_design")
    m.z = pyo.Var(range(lay.n + extra), domain=pyo.NonNegativeReals,
                  doc="ρ, then η per order (SequentialLayout); with support, λ and t")
    cols = list(m.z.values())
    N = lay.n + extra

    cons = _Rows()
    for t in range(S):
        cons.add(t, lay.pi[t], 1.0)
        if support:
            cons.add(t, lay.n, -game.prior[t])
    cons.n = S
    mu = np.zeros(S) if support else game.prior
    add_rows(m, "consistency", cons.block(N, mu, mu), cols, "Σ ρ(θ,σ,a) = μ0(θ) (λ μ0(θ) for the support)")

    obey = _Rows()
    for i in range(n):
        k = game.shape[1 + i]
        for r in range(k):
            for d in range(k):
                if d == r:
                    continue
                for s, order in enumerate(lay.orders):
                    p = order.index(i)
                    P = by_position(lay.pi[:, s], order).take(r, axis=1 + p)  # (θ, h, c)
                    U = by_position(game.payoffs[i], order)
                    W = U.take(d, axis=1 + p) if p == n - 1 else punish[(s, p)].take(d, axis=1 + p)
                    W = W.reshape(W.shape + (1,) * (P.ndim - W.ndim))  # (θ, h, 1…): the same for every c
                    obey.add(obey.n, P, U.take(r, axis=1 + p) - W)
                    if p == n - 2 and s in lay.revealed:
                        E = lay.revealed[s][(slice(None),) * (1 + p) + (r, d)]  # (θ, h, c)
                        obey.add(obey.n, E, np.broadcast_to(W, E.shape) - U.take(d, axis=1 + p))
                obey.n += 1
    add_rows(m, "obedience", obey.block(N, 0.0, np.inf).nonempty(), cols, "sequential obedience")

    if lay.revealed:
        mass, rev = _Rows(), _Rows()
        for s, E in lay.revealed.items():
            order = lay.orders[s]
            P = by_position(lay.pi[:, s], order)  # (θ, h, r, c)
            U = by_position(game.payoffs[order[-1]], order)  # the last mover's payoff (θ, h, d, c)
            k, kl = E.shape[-2], E.shape[-1]
            for t in range(S):
                for h in np.ndindex(*E.shape[1:n - 1]):
                    for r in range(k):
                        for d in range(k):
                            if d != r:
                                mass.add(mass.n, E[(t, *h, r, d)], 1.0)
                                mass.add(mass.n, P[(t, *h, r)], -1.0)
                                mass.n += 1
            for h in np.ndindex(*E.shape[1:n - 1]):
                Eh, Uh = E[(slice(None), *h)], U[(slice(None), *h)]  # (θ, r, d, c), (θ, d, c)
                for d in range(k):
                    others = [r for r in range(k) if r != d]
                    for c in range(kl):
                        for c2 in range(kl):
                            if c2 != c:
                                gain = (Uh[:, d, c] - Uh[:, d, c2])[:, None]
                                rev.add(rev.n, Eh[:, others, d, c], np.broadcast_to(gain, (S, len(others))))
                                rev.n += 1
        add_rows(m, "revealed_mass", mass.block(N, -np.inf, 0.0), cols, "η ≤ ρ: revealed on part of the event")
        add_rows(m, "revealed_obedience", rev.block(N, 0.0, np.inf).nonempty(), cols,
                 "the last mover obeys after a revealed deviation")

    coef = np.zeros(N)
    if support:
        marks = _Rows()
        first = lay.n + 1
        for j, k in enumerate(game.shape[1:]):
            for a in range(k):
                marks.add(marks.n, first + a, 1.0)
                marks.add(marks.n, np.take(lay.pi, a, axis=2 + j), -1.0)
                cols[first + a].setub(1.0)
                marks.n += 1
            first += k
        add_rows(m, "support", marks.block(N, -np.inf, 0.0), cols, "t_{j,a} ≤ Σ ρ(·, a_j = a)")
        coef[lay.n + 1:] = 1.0
        sense = "maximize"
    else:
        coef[lay.pi] = np.broadcast_to(game.designer[:, None], lay.pi.shape)
    set_objective(m, cols, coef, sense)
    return Formulation(m, cols, lay)
