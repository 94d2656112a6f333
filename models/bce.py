r"""Bayes correlated equilibrium as an LP (Bergemann & Morris 2016); persuasion when n = 1.

Columns: π(θ, a) ≥ 0 at the flat (C-order) index of (θ, a_1, …, a_n). Rows:

* ``consistency``  Σ_a π(θ, a) = μ0(θ)  (the martingale / Bayes-plausibility constraint);
* ``obedience``    for every player i, own type τ, recommendation r and deviation d ≠ r:
                   Σ_{ω: t_i(ω)=τ} Σ_{a_-i} π(ω, r, a_-i) [u_i(ω, r, a_-i) − u_i(ω, d, a_-i)] ≥ 0
                   — one row per (i, τ, r, d); with a public signal one per (i, τ, a_-i, r, d),
                   the sum then running over ω only (the whole profile is seen);
* ``uninformed``   (only with ``relaxed_audience``) for a player j who receives no signal, its
                   action is independent of the state given its type: Σ_{a_-j} π(ω, a) p(ω') =
                   Σ_{a_-j} π(ω', a) p(ω) for consecutive states ω, ω' of the same type of j.

Objective: max (designer-best) or min (adversarial selection) of Σ_{θ,a} π(θ, a) d(θ, a).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.information import InformationGame


def consistency_rows(game: InformationGame) -> RowBlock:
    S = game.shape[0]
    N = int(np.prod(game.shape))
    per_state = N // S
    rows = np.repeat(np.arange(S), per_state)
    return RowBlock.from_entries(S, N, rows, np.arange(N), np.ones(N), game.prior, game.prior)


def _cat(parts: list, dtype) -> np.ndarray:
    """The entry lists of a row family joined (empty of ``dtype`` when there are none)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def obedience_rows(game: InformationGame) -> RowBlock:
    N = int(np.prod(game.shape))
    S = game.shape[0]
    flat = np.arange(N).reshape(game.shape)
    R, C, A = [], [], []
    row = 0
    for i in range(game.n_players):
        k = game.shape[1 + i]
        cols = np.moveaxis(flat, 1 + i, -1).reshape(S, -1, k)  # (ω, a_-i, a_i)
        u = np.moveaxis(game.payoffs[i], 1 + i, -1).reshape(S, -1, k)
        for tau in range(len(game.player_types(i))):
            mine = game.type_index(i) == tau
            c, v = cols[mine], u[mine]
            X = c.shape[1]
            for r in range(k):
                for d in range(k):
                    if d == r:
                        continue
                    coef = v[..., r] - v[..., d]
                    if game.public:  # one row per others' recommendation a_-i
                        R.append((row + np.broadcast_to(np.arange(X), coef.shape)).ravel())
                        row += X
                    else:
                        R.append(np.full(coef.size, row))
                        row += 1
                    C.append(c[..., r].ravel())
                    A.append(coef.ravel())
    return RowBlock.from_entries(row, N, _cat(R, int), _cat(C, int), _cat(A, float), 0.0, np.inf).nonempty()


def independence_rows(game: InformationGame) -> RowBlock:
    """For each uninformed player j: P(a_j | ω) is the same for all states ω of one type of j."""
    N = int(np.prod(game.shape))
    S = game.shape[0]
    flat = np.arange(N).reshape(game.shape)
    R, C, A = [], [], []
    row = 0
    for j in game.uninformed:
        k = game.shape[1 + j]
        cols = np.moveaxis(flat, 1 + j, -1).reshape(S, -1, k)  # (ω, a_-j, a_j)
        for tau in range(len(game.player_types(j))):
            states = np.flatnonzero(game.type_index(j) == tau)
            for w, w2 in zip(states[:-1], states[1:]):
                for a in range(k):
                    X = cols.shape[1]
                    R.append(np.full(2 * X, row))
                    C.append(np.r_[cols[w, :, a], cols[w2, :, a]])
                    A.append(np.r_[np.full(X, game.prior[w2]), np.full(X, -game.prior[w])])
                    row += 1
    return RowBlock.from_entries(row, N, _cat(R, int), _cat(C, int), _cat(A, float), 0.0, 0.0)


def build(game: InformationGame, sense: str) -> Formulation:
    """The BCE LP: columns π in flat (ω, a) order; no layout beyond that. With uninformed players
    it is the relaxation that keeps their actions independent of the state (``uninformed``) but
    not of the others' recommendations (see :mod:`amd.concepts.bce`)."""
    N = int(np.prod(game.shape))
    m = pyo.ConcreteModel(name="bayes_correlated_equilibrium")
    m.pi = pyo.Var(range(N), domain=pyo.NonNegativeReals, doc="π(θ, a) at the flat index of (θ, a)")
    columns = list(m.pi.values())
    add_rows(m, "consistency", consistency_rows(game), columns, "Σ_a π(θ,a) = μ0(θ)")
    add_rows(m, "obedience", obedience_rows(game), columns, "obedience of every recommendation")
    if game.uninformed:
        add_rows(m, "uninformed", independence_rows(game), columns,
                 "an uninformed player's action does not depend on the state beyond its type")
    set_objective(m, columns, game.designer.ravel(), sense)
    return Formulation(m, columns, None)
