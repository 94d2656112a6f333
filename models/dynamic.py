r"""One period of selling with limited commitment as an LP (notation of
:mod:`amd.limited_commitment`, after Doval & Skreta 2022).

Columns, per type i of the stage's support (in order): q_i (this period's trade, or discounted
trade under commitment), x_i (the expected net payment), then β_{i,g} for every continuation
group g. Rows:

* ``flow``        durable: Σ_g β_{i,g} + q_i = 1 (≤ 1 when relaxed); rental: Σ_{g after trade}
                  β_{i,g} = q_i and Σ_{g after no trade} β_{i,g} = 1 − q_i (relaxed: Σ_g β_{i,g} = 1);
* ``truth``       U(i,i) − U(i,i') ≥ 0 with U(i,i') = θ_i q_{i'} − x_{i'} + c Σ_g β_{i',g} u_g(i);
* ``participation`` U(i,i) ≥ 0;
* ``membership``  Σ_i m_i M_g[r, i] β_{i,g} ≥ 0 (= 0 for a group at one fixed belief).

Objective: max Σ_i m_i x_i + c Σ_{g,i} m_i a_g(i) β_{i,g}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.limited_commitment import Stage


@dataclass(frozen=True)
class StageLayout:
    n_types: int
    n_groups: int

    @property
    def width(self) -> int:
        return 2 + self.n_groups

    def q(self, i: int) -> int:
        return i * self.width

    def x(self, i: int) -> int:
        return i * self.width + 1

    def beta(self, i: int, g: int) -> int:
        return i * self.width + 2 + g

    @property
    def n_columns(self) -> int:
        return self.n_types * self.width

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(q, x, β[i, g]) from the solver's column values."""
        Z = np.asarray(z, float).reshape(self.n_types, self.width)
        return Z[:, 0], Z[:, 1], Z[:, 2:]


def _rows(entries: list[tuple[list[int], list[float]]], n_cols: int, lo, hi) -> RowBlock:
    rows = [r for r, (cols, _) in enumerate(entries) for _ in cols]
    cols = [c for cols, _ in entries for c in cols]
    coefs = [a for _, coefs in entries for a in coefs]
    return RowBlock.from_entries(len(entries), n_cols, rows, cols, coefs, lo, hi)


def build(st: Stage) -> Formulation:
    """The stage LP; the layout is a :class:`StageLayout`."""
    K, G = len(st.support), len(st.groups)
    lay = StageLayout(K, G)
    theta, m, c = st.theta, st.mass, st.continuation_discount
    U = np.array([g.u for g in st.groups]).reshape(G, K)  # U[g, i]: type i's continuation utility
    model = pyo.ConcreteModel(name="limited_commitment_stage")
    model.z = pyo.Var(range(lay.n_columns), doc="per type: q, x, β per group")
    columns = list(model.z.values())
    for i in range(K):
        columns[lay.q(i)].setlb(0.0)
        columns[lay.q(i)].setub(st.trade_max)
        for g in range(G):
            columns[lay.beta(i, g)].setlb(0.0)

    if G:
        flow, lo, hi = [], [], []
        after = [g.after_trade for g in st.groups]
        for i in range(K):
            if st.sale.good == "rental" and not st.relaxed:
                flow.append(([lay.beta(i, g) for g in range(G) if after[g]] + [lay.q(i)],
                             [1.0] * sum(after) + [-1.0]))
                lo.append(0.0), hi.append(0.0)
                flow.append(([lay.beta(i, g) for g in range(G) if not after[g]] + [lay.q(i)],
                             [1.0] * (G - sum(after)) + [1.0]))
                lo.append(1.0), hi.append(1.0)
            elif st.sale.good == "rental":
                flow.append(([lay.beta(i, g) for g in range(G)], [1.0] * G))
                lo.append(1.0), hi.append(1.0)
            else:
                flow.append(([lay.beta(i, g) for g in range(G)] + [lay.q(i)], [1.0] * (G + 1)))
                lo.append(-np.inf if st.relaxed else 1.0), hi.append(1.0)
        add_rows(model, "flow", _rows(flow, lay.n_columns, lo, hi), columns, "where every type's mass goes")

    def utility(i: int, r: int) -> tuple[list[int], list[float]]:
        """U(i, r) as (columns, coefficients)."""
        cols = [lay.q(r), lay.x(r)] + [lay.beta(r, g) for g in range(G)]
        return cols, [theta[i], -1.0] + [c * U[g, i] for g in range(G)]

    truth = []
    for i in range(K):
        own_c, own_a = utility(i, i)
        for r in range(K):
            if r != i:
                dev_c, dev_a = utility(i, r)
                truth.append((own_c + dev_c, own_a + [-a for a in dev_a]))
    if truth:
        add_rows(model, "truth", _rows(truth, lay.n_columns, 0.0, np.inf), columns, "truth-telling")
    add_rows(model, "participation", _rows([utility(i, i) for i in range(K)], lay.n_columns, 0.0, np.inf),
             columns, "participation (refusal: utility 0)")

    member, lo, hi = [], [], []
    for g, grp in enumerate(st.groups):
        for row in grp.rows:
            cols = [lay.beta(i, g) for i in range(K) if row[i] != 0]
            member.append((cols, [m[i] * row[i] for i in range(K) if row[i] != 0]))
            lo.append(0.0), hi.append(0.0 if grp.equal else np.inf)
    if member:
        add_rows(model, "membership", _rows(member, lay.n_columns, lo, hi).nonempty(), columns,
                 "the continuation is seller-optimal at the posterior")

    obj = np.zeros(lay.n_columns)
    for i in range(K):
        obj[lay.x(i)] = m[i]
        for g, grp in enumerate(st.groups):
            obj[lay.beta(i, g)] = c * m[i] * grp.a[i]
    set_objective(model, columns, obj, "maximize")
    return Formulation(model, columns, lay)
