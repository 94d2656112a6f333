r"""Sequential information design: the designer also chooses the order of moves (2 or 3 players).

After Doval & Ely, "Sequential information design", Econometrica 2020. The designer draws the
state θ and an order σ (a permutation of the players), which the players do not see, and
recommends actions one mover at a time; a recommendation may depend on θ, σ and what was
played before. A player sees only his own recommendation. Columns, per order σ with the
players relabelled by position (h = the actions of the earlier movers, r = the
recommendation of the mover at position p, d ≠ r what he played, c = the later movers'
actions):

* π(θ, σ, a_1, …, a_n) ≥ 0 — the on-path plan (players in file order);
* η_{σ,p}(θ, h, r, d, c) ≥ 0 — *hidden* punishment after the mover at position p deviated:
  the later movers are sent recommendations they could have received on path,
  η_{σ,p}(θ, h, r, d, c) ≤ π_σ(θ, h, r, c); they cannot tell the history from the on-path one;
* ρ_{σ,n−1}(θ, h, r, d, c) ≥ 0 — *revealed* punishment after a deviation of the
  second-to-last mover: the last mover learns the history and is recommended c.

Rows:

* ``consistency``   Σ_{σ,a} π(θ, σ, a) = μ0(θ);
* ``continuation``  Σ_c (η + ρ)_{σ,p}(θ,h,r,d,c) = Σ_c π_σ(θ,h,r,c): after a deviation the plan
                    continues on the whole mass of the event;
* ``hidden_replay`` η_{σ,p}(θ,h,r,d,c) ≤ π_σ(θ,h,r,c);
* ``obedience``     player i told r, deviation d, pooled over the orders and positions he may
                    hold and the histories before him (he sees neither):
                    Σ_σ Σ_{θ,h} [Σ_c π_σ(θ,h,r,c) u_i(θ,h,r,c) − Σ_c (η + ρ)(θ,h,r,d,c) u_i(θ,h,d,c)]
                    ≥ 0, where for the last mover the continuation is empty and the deviation
                    term is Σ π_σ(θ,h,r) u_i(θ,h,d);
* ``revealed_obedience`` the last mover, told c after the revealed history (h, d), obeys:
                    Σ_θ Σ_{r≠d} ρ(θ,h,r,d,c) [u_j(θ,h,d,c) − u_j(θ,h,d,c')] ≥ 0 for all c'.

A hidden punishment needs no constraint of its own: a later mover's belief on receiving a
recommendation is the on-path one (the deviation has probability zero), so on-path obedience
makes him follow.

What this captures. Every BCE: a uniform order with hidden replay (η = π) makes a deviator's
payoff exactly his BCE deviation payoff, so obedience becomes BCE obedience. Beyond BCE:
outcomes sustained by punishments hidden by replaying on-path recommendations, or — when one
mover is left — revealed and obeyed (credible). Not captured: hidden punishments that switch a
later mover to *another* recommendation in his on-path support (support binaries), and
revealed punishments carried out by two or more later movers (a three-player game's first
mover is punished only by hidden replay). With two players this is the formulation of the
earlier versions unchanged; one player gives Bayesian persuasion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.information import InformationGame, deviation_keys, move_orders


@dataclass(frozen=True)
class SequentialLayout:
    """Index arrays of every column: π over (θ, σ, a_1..a_n) in file order; per deviation
    (σ, p) — keys in :func:`amd.information.deviation_keys` order — η (and ρ for the
    second-to-last mover) over (θ, h, r, d, c) with players relabelled by position."""

    n: int
    orders: tuple[tuple[int, ...], ...]
    pi: np.ndarray
    hidden: dict
    revealed: dict

    @staticmethod
    def columns(game: InformationGame) -> int:
        """How many columns :meth:`of` lays out, counted without allocating them."""
        S, ks = game.shape[0], game.shape[1:]
        n, orders = len(ks), move_orders(len(ks))
        profiles = math.prod(ks)
        total = S * len(orders) * profiles
        for s, p in deviation_keys(n):
            size = S * profiles * ks[orders[s][p]]
            total += size * (2 if p == n - 2 else 1)
        return total

    @classmethod
    def of(cls, game: InformationGame) -> "SequentialLayout":
        S, ks = game.shape[0], game.shape[1:]
        n = len(ks)
        orders = move_orders(n)
        pi = np.arange(S * len(orders) * int(np.prod(ks))).reshape((S, len(orders)) + tuple(ks))
        nxt = pi.size
        hidden, revealed = {}, {}
        for s, p in deviation_keys(n):
            k = [ks[j] for j in orders[s]]
            shape = (S, *k[:p], k[p], k[p], *k[p + 1:])
            size = int(np.prod(shape))
            hidden[(s, p)] = np.arange(nxt, nxt + size).reshape(shape)
            nxt += size
            if p == n - 2:
                revealed[(s, p)] = np.arange(nxt, nxt + size).reshape(shape)
                nxt += size
        return cls(nxt, orders, pi, hidden, revealed)


def relabel(a: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """An array over (θ, a_1, …, a_n) in file order, re-laid by position in ``order``."""
    return np.transpose(a, (0, *(1 + j for j in order)))


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


def build(game: InformationGame, sense: str) -> Formulation:
    n = game.n_players
    if n > 3:
        raise ValueError("sequential information design is implemented for up to three players")
    lay = SequentialLayout.of(game)
    S = game.shape[0]
    m = pyo.ConcreteModel(name="sequential_information_design")
    m.z = pyo.Var(range(lay.n), domain=pyo.NonNegativeReals, doc="π, then η (and ρ) per deviation (SequentialLayout)")
    cols = list(m.z.values())

    cons = _Rows()
    for t in range(S):
        cons.add(t, lay.pi[t], 1.0)
    cons.n = S
    add_rows(m, "consistency", cons.block(lay.n, game.prior, game.prior), cols, "Σ π(θ,σ,a) = μ0(θ)")

    cont, hide = _Rows(), _Rows()
    for (s, p), H in lay.hidden.items():
        P = relabel(lay.pi[:, s], lay.orders[s])  # (θ, a by position)
        R = lay.revealed.get((s, p))
        k = P.shape[1 + p]
        for t in range(S):
            for h in np.ndindex(*P.shape[1:1 + p]):
                for r in range(k):
                    on = P[(t, *h, r)]  # the on-path continuations of (h, r)
                    for d in range(k):
                        if d == r:
                            continue
                        cont.add(cont.n, H[(t, *h, r, d)], 1.0)
                        if R is not None:
                            cont.add(cont.n, R[(t, *h, r, d)], 1.0)
                        cont.add(cont.n, on, -1.0)
                        cont.n += 1
                        rows = hide.n + np.arange(on.size)
                        hide.add(rows, H[(t, *h, r, d)], 1.0)
                        hide.add(rows, on, -1.0)
                        hide.n += on.size
    if cont.n:
        add_rows(m, "continuation", cont.block(lay.n, 0.0, 0.0), cols, "the plan continues after a deviation")
        add_rows(m, "hidden_replay", hide.block(lay.n, -np.inf, 0.0), cols, "η ≤ π: hidden punishment replays")

    obey = _Rows()
    for i in range(n):
        k = game.shape[1 + i]
        for r in range(k):
            for d in range(k):
                if d == r:
                    continue
                for s, order in enumerate(lay.orders):
                    p = order.index(i)
                    P = relabel(lay.pi[:, s], order)
                    U = relabel(game.payoffs[i], order)
                    if p == n - 1:  # the last mover: the game ends with his move
                        obey.add(obey.n, P.take(r, axis=1 + p), U.take(r, axis=1 + p) - U.take(d, axis=1 + p))
                        continue
                    # told r, plays d, then the continuation (hidden replay or revealed)
                    obey.add(obey.n, P.take(r, axis=1 + p), U.take(r, axis=1 + p))
                    after = U.take(d, axis=1 + p)
                    for dev in (lay.hidden[(s, p)], lay.revealed.get((s, p))):
                        if dev is not None:
                            obey.add(obey.n, dev.take(r, axis=1 + p).take(d, axis=1 + p), -after)
                obey.n += 1
    add_rows(m, "obedience", obey.block(lay.n, 0.0, np.inf).nonempty(), cols, "obedience pooled over positions")

    rev = _Rows()
    for (s, p), R in lay.revealed.items():
        order = lay.orders[s]
        U = relabel(game.payoffs[order[-1]], order)  # the last mover's payoff (θ, h, a_p, c)
        k, kl = R.shape[1 + p], R.shape[-1]
        for h in np.ndindex(*R.shape[1:1 + p]):
            Rh, Uh = R[(slice(None), *h)], U[(slice(None), *h)]  # (θ, r, d, c), (θ, d, c)
            for d in range(k):
                others = [r for r in range(k) if r != d]
                for c in range(kl):
                    for c2 in range(kl):
                        if c2 == c:
                            continue
                        gain = (Uh[:, d, c] - Uh[:, d, c2])[:, None]  # (θ, 1): the same for every r
                        rev.add(rev.n, Rh[:, others, d, c], np.broadcast_to(gain, (S, len(others))))
                        rev.n += 1
    if rev.n:
        add_rows(m, "revealed_obedience", rev.block(lay.n, 0.0, np.inf).nonempty(), cols,
                 "the last mover obeys after a revealed deviation")

    coef = np.zeros(lay.n)
    coef[lay.pi] = np.broadcast_to(game.designer[:, None], lay.pi.shape)
    set_objective(m, cols, coef, sense)
    return Formulation(m, cols, lay)
