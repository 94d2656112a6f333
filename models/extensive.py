r"""Information design on a given extensive form as one LP (notation of :mod:`amd.extensive`).

Columns: the plan w ≥ 0 (one per designer decision point and recommendation), then per
information state s the obedience value O(s) and the best-response bound v(s) (free). Rows:

* ``flow``            Σ_r w(h, r) = w(parent edge) · nature's probabilities (the realization plan);
* ``obey_value``      O(s) − Σ_{s' after (s, r_s)} O(s') = c(s, r_s);
* ``best_response``   v(s) − Σ_{s' after (s, a)} v(s') ≥ c(s, a) for every action a
                      (the dual of the best continuation plan from s);
* ``obedience``       O(s) − v(s) ≥ 0 at every information state;
* ``hidden``          (credible) Σ η-mass at j's information state ≤ its on-path mass — or,
                      given the states some plan reaches on path, any mass there and none
                      elsewhere (:func:`build`'s ``hidden_in``).

with c(s, a) = Σ u_k(z) w(z) over the leaves reached after a at s before k moves again.
Objective: max (designer-best) or min (adversarial) of Σ_z d(z) w(z) on path.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.extensive import PlanLayout


def _rows(L: PlanLayout, hidden_in: np.ndarray | None, support: bool) -> dict[str, RowBlock]:
    n_w, n_s = L.n_w, L.n_states
    N = n_w + 2 * n_s + (1 + len(L.hidden) if support else 0)
    lam = n_w + 2 * n_s  # with support: λ, then t per hidden group
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
        elif support:  # the cone over the plans: the root's mass is λ, not 1
            R.append(g), C.append(lam), A.append(-factor)
        lo.append(0.0 if parent >= 0 or support else factor)
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
    capped = hidden_in is None
    for j, (eta, on) in enumerate(L.hidden):
        if capped or not hidden_in[j]:  # at most the on-path mass; none where the path never goes
            R += [j] * (len(eta) + (len(on) if capped else 0))
            C += eta + (on if capped else [])
            A += [1.0] * len(eta) + ([-1.0] * len(on) if capped else [])
    blocks["hidden"] = RowBlock.from_entries(len(L.hidden), N, R, C, A, -np.inf, 0.0)
    if support:
        R, C, A = [], [], []
        for j, (_, on) in enumerate(L.hidden):
            R += [j] * (1 + len(on))
            C += [lam + 1 + j] + on
            A += [1.0] + [-1.0] * len(on)
        blocks["support"] = RowBlock.from_entries(len(L.hidden), N, R, C, A, -np.inf, 0.0)
    return blocks


def build(L: PlanLayout, sense: str, hidden_in: np.ndarray | None = None, support: bool = False,
          blind: list[int] = ()) -> Formulation:
    """The LP: columns w, then O, then v; the layout is ``L``.

    ``hidden_in`` (one flag per hidden group of ``L.hidden``) replaces the cap of a hidden
    continuation by its on-path mass with what beliefs need: any mass where the flag is set (an
    information state some plan reaches on path), none elsewhere. With ``support``, instead, the
    LP over the cone of plans (root mass λ ≥ 0) maximizing Σ_j t_j, t_j ≤ min(1, on-path mass of
    group j): its optimum reaches, in one plan, every group any plan reaches (cones are closed
    under sums); the plan divided by λ is such a plan. Columns λ and t follow v. ``blind``: plan
    columns held at 0, advice the designer's information rules out (:func:`amd.extensive.
    blind_columns`)."""
    m = pyo.ConcreteModel(name="extensive_form_information_design")
    m.w = pyo.Var(range(L.n_w), domain=pyo.NonNegativeReals, doc="the designer's realization plan")
    m.O = pyo.Var(range(L.n_states), doc="value of obeying from each information state on")
    m.v = pyo.Var(range(L.n_states), doc="value of the best continuation plan from each information state")
    for c in blind:
        m.w[c].setub(0.0)
    columns = list(m.w.values()) + list(m.O.values()) + list(m.v.values())
    if support:
        m.scale = pyo.Var(domain=pyo.NonNegativeReals, doc="λ: the root's mass")
        m.t = pyo.Var(range(len(L.hidden)), bounds=(0.0, 1.0), doc="reached on path (up to 1)")
        columns += [m.scale] + list(m.t.values())
    docs = {"flow": "Σ_r w(h, r) = w(parent) · chance", "obey_value": "O(s) = c(s, r) + Σ O(next)",
            "best_response": "v(s) ≥ c(s, a) + Σ v(next) for every a", "obedience": "O(s) ≥ v(s)",
            "hidden": "hidden continuation: at most the on-path mass, or none off the path's support",
            "support": "t_j ≤ on-path mass of hidden group j"}
    for name, block in _rows(L, hidden_in, support).items():
        add_rows(m, name, block.nonempty(), columns, docs[name])
    coefs = np.zeros(len(columns))
    if support:
        coefs[L.n_w + 2 * L.n_states + 1:] = 1.0
        sense = "maximize"
    else:
        for j, c in L.objective.items():
            coefs[j] = c
    set_objective(m, columns, coefs, sense)
    return Formulation(m, columns, L)
