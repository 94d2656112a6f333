r"""Bayes correlated equilibrium as an LP (Bergemann & Morris 2016); persuasion when n = 1.

Columns: π(θ, a) ≥ 0 at the flat (C-order) index of (θ, a_1, …, a_n). Rows:

* ``consistency``  Σ_a π(θ, a) = μ0(θ)  (the martingale / Bayes-plausibility constraint);
* ``obedience``    Σ_{θ, a_-i} π(θ, r, a_-i) [u_i(θ, r, a_-i) − u_i(θ, d, a_-i)] ≥ 0 for every
                   player i, recommendation r and deviation d ≠ r.

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


def obedience_rows(game: InformationGame) -> RowBlock:
    N = int(np.prod(game.shape))
    flat = np.arange(N).reshape(game.shape)
    R, C, A = [], [], []
    row = 0
    for i in range(game.n_players):
        cols = np.moveaxis(flat, 1 + i, -1)
        u = np.moveaxis(game.payoffs[i], 1 + i, -1)
        k = u.shape[-1]
        for r in range(k):
            for d in range(k):
                if d == r:
                    continue
                coef = (u[..., r] - u[..., d]).ravel()
                R.append(np.full(coef.size, row))
                C.append(cols[..., r].ravel())
                A.append(coef)
                row += 1
    cat = (lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype))
    return RowBlock.from_entries(row, N, cat(R, int), cat(C, int), cat(A, float), 0.0, np.inf).nonempty()


def build(game: InformationGame, sense: str) -> Formulation:
    """The BCE LP: columns π in flat (θ, a) order; no layout beyond that."""
    N = int(np.prod(game.shape))
    m = pyo.ConcreteModel(name="bayes_correlated_equilibrium")
    m.pi = pyo.Var(range(N), domain=pyo.NonNegativeReals, doc="π(θ, a) at the flat index of (θ, a)")
    columns = list(m.pi.values())
    add_rows(m, "consistency", consistency_rows(game), columns, "Σ_a π(θ,a) = μ0(θ)")
    add_rows(m, "obedience", obedience_rows(game), columns, "obedience of every recommendation")
    set_objective(m, columns, game.designer.ravel(), sense)
    return Formulation(m, columns, None)
