r"""Sequential information design for two players: the designer also chooses the order of moves.

After Doval & Ely, "Sequential information design", Econometrica 2020. The designer draws the
state θ and an order σ (who moves first), which the players do not see, and recommends actions
one mover at a time; a recommendation may depend on θ, σ and what was played before. Columns:

* π(θ, σ, a_1, a_2) ≥ 0 — the on-path plan (players in file order);
* ρ_σ(θ, r, d, c) ≥ 0 — *revealed* punishment: the first mover was told r and played d ≠ r;
  the designer reveals the deviation (the second mover learns who moved and what was played)
  and recommends c;
* η_σ(θ, r, d, c) ≥ 0 — *hidden* punishment: the same history, but the second mover is sent
  the recommendation c he would have received on path, with η_σ(θ, r, d, c) ≤ π_σ(θ, r, c);
  he cannot tell the history from the on-path one.

Rows:

* ``consistency``   Σ_{σ,a} π(θ, σ, a) = μ0(θ);
* ``continuation``  Σ_c ρ_σ(θ,r,d,c) + Σ_c η_σ(θ,r,d,c) = Σ_c π_σ(θ,r,c): after a deviation the
                    plan continues on the whole mass of the event;
* ``hidden_replay`` η_σ(θ,r,d,c) ≤ π_σ(θ,r,c);
* ``obedience``     for player i told r, deviation d: pooled over the positions i may hold
                    (he does not know σ), Σ_{σ: i first} Σ_θ [Σ_c π_σ(θ,r,c) u_i(θ,r,c) −
                    Σ_c (ρ_σ + η_σ)(θ,r,d,c) u_i(θ,d,c)] + Σ_{σ: i second} Σ_θ Σ_c π_σ(θ,c,r)
                    [u_i(θ,c,r) − u_i(θ,c,d)] ≥ 0;
* ``revealed_obedience`` the second mover, told c after a revealed deviation to d, obeys:
                    Σ_θ Σ_{r≠d} ρ_σ(θ,r,d,c) [u_j(θ,d,c) − u_j(θ,d,c')] ≥ 0 for all c'.

A hidden punishment needs no constraint of its own: the second mover's belief on receiving c
is the on-path one (the deviation has probability zero), so on-path obedience makes him follow.

What this captures. Every BCE: a uniform order with hidden replay makes the first mover's
deviation payoff exactly his BCE deviation payoff, and the second mover's term is BCE obedience.
Beyond BCE: outcomes sustained by punishments that are revealed and obeyed (credible), or hidden
by replaying the on-path recommendation. Not captured: hidden punishments that switch the second
mover to *another* recommendation in his on-path support (that needs support binaries), and
games with more than two players (post-deviation play among several later movers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from amd.information import InformationGame
from amd.models.linear import RowBlock, add_rows


@dataclass(frozen=True)
class SequentialLayout:
    """Index arrays of every column, laid out by order σ as (θ, first action, second action, …)."""

    n: int
    pi: np.ndarray  # (S, 2, k_1, k_2), players in file order
    rho: tuple[np.ndarray, np.ndarray]  # per σ: (S, k_first, k_first, k_second)
    eta: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, game: InformationGame) -> "SequentialLayout":
        S, k1, k2 = game.shape
        pi = np.arange(S * 2 * k1 * k2).reshape(S, 2, k1, k2)
        nxt = pi.size
        rho, eta = [], []
        for kf, ks in ((k1, k2), (k2, k1)):
            size = S * kf * kf * ks
            rho.append(np.arange(nxt, nxt + size).reshape(S, kf, kf, ks))
            eta.append(np.arange(nxt + size, nxt + 2 * size).reshape(S, kf, kf, ks))
            nxt += 2 * size
        return cls(nxt, pi, tuple(rho), tuple(eta))


def by_order(a: np.ndarray, sigma: int) -> np.ndarray:
    """An array over (θ, a_1, a_2, …) re-laid as (θ, first mover's action, second's, …)."""
    return a if sigma == 0 else np.swapaxes(a, 1, 2)


def first_mover(sigma: int) -> tuple[int, int]:
    """(first, second) player of order σ (σ = 0: file order)."""
    return (0, 1) if sigma == 0 else (1, 0)


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


def build(game: InformationGame, sense: str) -> tuple[pyo.ConcreteModel, list, SequentialLayout]:
    if game.n_players != 2:
        raise ValueError("sequential information design is implemented for two players")
    lay = SequentialLayout.of(game)
    S = game.shape[0]
    m = pyo.ConcreteModel(name="sequential_information_design")
    m.z = pyo.Var(range(lay.n), domain=pyo.NonNegativeReals, doc="π, then ρ_σ and η_σ per order (SequentialLayout)")
    cols = list(m.z.values())

    cons = _Rows()
    for t in range(S):
        cons.add(t, lay.pi[t], 1.0)
    cons.n = S
    add_rows(m, "consistency", cons.block(lay.n, game.prior, game.prior), cols, "Σ π(θ,σ,a) = μ0(θ)")

    cont, hide = _Rows(), _Rows()
    for s in (0, 1):
        P = by_order(lay.pi[:, s], s)  # (S, k_first, k_second)
        R, H = lay.rho[s], lay.eta[s]
        kf = P.shape[1]
        for t in range(S):
            for r in range(kf):
                for d in range(kf):
                    if d == r:
                        continue
                    cont.add(cont.n, R[t, r, d], 1.0)
                    cont.add(cont.n, H[t, r, d], 1.0)
                    cont.add(cont.n, P[t, r], -1.0)
                    cont.n += 1
                    for c in range(P.shape[2]):
                        hide.add(hide.n, [H[t, r, d, c], P[t, r, c]], [1.0, -1.0])
                        hide.n += 1
    add_rows(m, "continuation", cont.block(lay.n, 0.0, 0.0), cols, "the plan continues after a deviation")
    add_rows(m, "hidden_replay", hide.block(lay.n, -np.inf, 0.0), cols, "η ≤ π: hidden punishment replays")

    obey = _Rows()
    for i in range(2):
        k = game.shape[1 + i]
        for r in range(k):
            for d in range(k):
                if d == r:
                    continue
                for s in (0, 1):
                    f, _ = first_mover(s)
                    P = by_order(lay.pi[:, s], s)
                    U = by_order(game.payoffs[i], s)  # (θ, first, second)
                    if f == i:  # i moves first: told r, plays d, then the continuation
                        obey.add(obey.n, P[:, r, :], U[:, r, :])
                        obey.add(obey.n, lay.rho[s][:, r, d, :], -U[:, d, :])
                        obey.add(obey.n, lay.eta[s][:, r, d, :], -U[:, d, :])
                    else:  # i moves second: the game ends with his move
                        obey.add(obey.n, P[:, :, r], U[:, :, r] - U[:, :, d])
                obey.n += 1
    add_rows(m, "obedience", obey.block(lay.n, 0.0, np.inf).nonempty(), cols, "obedience pooled over positions")

    rev = _Rows()
    for s in (0, 1):
        _, j = first_mover(s)
        R = lay.rho[s]
        U = by_order(game.payoffs[j], s)  # (θ, first, second)
        kf, ks = R.shape[1], R.shape[3]
        for d in range(kf):
            others = [r for r in range(kf) if r != d]
            for c in range(ks):
                for c2 in range(ks):
                    if c2 == c:
                        continue
                    gain = (U[:, d, c] - U[:, d, c2])[:, None]  # (θ, 1): the same for every r
                    rev.add(rev.n, R[:, others, d, c], np.broadcast_to(gain, (S, len(others))))
                    rev.n += 1
    add_rows(m, "revealed_obedience", rev.block(lay.n, 0.0, np.inf).nonempty(), cols,
             "the second mover obeys after a revealed deviation")

    coef = np.zeros(lay.n)
    coef[lay.pi] = np.broadcast_to(game.designer[:, None], lay.pi.shape)
    nz = np.flatnonzero(coef)
    m.objective = pyo.Objective(
        expr=LinearExpression(constant=0.0, linear_coefs=coef[nz].tolist(), linear_vars=[cols[j] for j in nz]),
        sense=pyo.maximize if sense == "maximize" else pyo.minimize,
    )
    return m, cols, lay
