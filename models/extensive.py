r"""Information design on a given extensive form as one LP (notation of :mod:`amd.extensive`).

Columns: the plan w ≥ 0 (one per designer decision point and recommendation), then per
information state s the obedience value O(s) and the best-response bound v(s) (free). Rows:

* ``flow``            Σ_r w(h, r) = w(parent edge) · nature's probabilities (the realization plan);
* ``obey_value``      O(s) − Σ_{s' after (s, r_s)} O(s') = c(s, r_s);
* ``best_response``   v(s) − Σ_{s' after (s, a)} v(s') ≥ c(s, a) for every action a
                      (the dual of the best continuation plan from s);
* ``obedience``       O(s) − v(s) ≥ 0 at every information state;
* ``hidden``          (credible) Σ η-mass at j's information state ≤ its on-path mass.

with c(s, a) = Σ u_k(z) w(z) over the leaves reached after a at s before k moves again.
Objective: max (designer-best) or min (adversarial) of Σ_z d(z) w(z) on path.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.extensive import PlanLayout


def _rows(L: PlanLayout) -> dict[str, RowBlock]:
    n_w, n_s = L.n_w, L.n_states
    N = n_w + 2 * n_s
    O = lambda s: n_w + s
    V = lambda s: n_w + n_s + s
    c: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for s, a, col, coef in L.c:
        c.setdefault((s, a), []).append((col, coef))
    blocks = {}

    R, C, A, lo = [], [], [], []
    for g, (cols, parent, factor, _) in enumerate(L.groups):
        R += [g] * len(cols)
        C += cols
        A += [1.0] * len(cols)
        if parent >= 0:
            R.append(g), C.append(parent), A.append(-factor)
        lo.append(0.0 if parent >= 0 else factor)
    blocks["flow"] = RowBlock.from_entries(len(L.groups), N, R, C, A, lo, lo)

    def entries(s: int, a: int, var):
        """var(s) − Σ_{s' after (s, a)} var(s') − c(s, a)."""
        cols, coefs = [var(s)], [1.0]
        for x in L.after.get((s, a), ()):
            cols.append(var(x))
            coefs.append(-1.0)
        for col, coef in c.get((s, a), ()):
            cols.append(col)
            coefs.append(-coef)
        return cols, coefs

    R, C, A = [], [], []
    for s, st in enumerate(L.states):
        cols, coefs = entries(s, st.rec, O)
        R += [s] * len(cols)
        C += cols
        A += coefs
    blocks["obey_value"] = RowBlock.from_entries(n_s, N, R, C, A, 0.0, 0.0)

    R, C, A, row = [], [], [], 0
    for s, st in enumerate(L.states):
        for a in range(st.n_actions):
            cols, coefs = entries(s, a, V)
            R += [row] * len(cols)
            C += cols
            A += coefs
            row += 1
    blocks["best_response"] = RowBlock.from_entries(row, N, R, C, A, 0.0, np.inf)

    s = np.arange(n_s)
    blocks["obedience"] = RowBlock.from_entries(
        n_s, N, np.concatenate([s, s]), np.concatenate([n_w + s, n_w + n_s + s]),
        np.concatenate([np.ones(n_s), -np.ones(n_s)]), 0.0, np.inf)

    R, C, A = [], [], []
    for j, (eta, on) in enumerate(L.hidden):
        R += [j] * (len(eta) + len(on))
        C += eta + on
        A += [1.0] * len(eta) + [-1.0] * len(on)
    blocks["hidden"] = RowBlock.from_entries(len(L.hidden), N, R, C, A, -np.inf, 0.0)
    return blocks


def build(L: PlanLayout, sense: str) -> Formulation:
    """The LP: columns w, then O, then v; the layout is ``L``."""
    m = pyo.ConcreteModel(name="extensive_form_information_design")
    m.w = pyo.Var(range(L.n_w), domain=pyo.NonNegativeReals, doc="the designer's realization plan")
    m.O = pyo.Var(range(L.n_states), doc="value of obeying from each information state on")
    m.v = pyo.Var(range(L.n_states), doc="value of the best continuation plan from each information state")
    columns = list(m.w.values()) + list(m.O.values()) + list(m.v.values())
    docs = {"flow": "Σ_r w(h, r) = w(parent) · chance", "obey_value": "O(s) = c(s, r) + Σ O(next)",
            "best_response": "v(s) ≥ c(s, a) + Σ v(next) for every a", "obedience": "O(s) ≥ v(s)",
            "hidden": "hidden continuation ≤ on-path mass per information state"}
    for name, block in _rows(L).items():
        add_rows(m, name, block.nonempty(), columns, docs[name])
    coefs = np.zeros(len(columns))
    for j, c in L.objective.items():
        coefs[j] = c
    set_objective(m, columns, coefs, sense)
    return Formulation(m, columns, L)
