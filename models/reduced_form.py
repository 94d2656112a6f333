r"""The optimal single-item auction in interim reduced form (BIC, independent types).

Myerson (1981), Border (1991), Matthews (1984); in LP form e.g. Vohra, *Mechanism Design: A
Linear Programming Approach* (2011), ch. 5. With independent types and private values a
bidder's interim utility from reporting s when of type t is v(t) q(s) − p(s), where
q(s) = E[x(s, t_{-i})] is the interim probability of winning and p(s) the interim payment.
Everything BIC and interim IR ask is therefore a constraint on (q, p): n·k variables where
the direct mechanism has k^n·(n + 1).

Variables, per class c of exchangeable bidders (:meth:`amd.auction.SingleItem.classes`;
by convexity an optimum may treat members alike) and type t:

* ``q[c, t]`` ∈ [0, 1] the interim probability of winning, ``p[c, t]`` the interim payment.

Constraint families (one named block each):

* ``bic``           v(t) q(t) − p(t) ≥ v(t) q(s) − p(s) for adjacent types in value order
                    (both directions). With single-parameter linear utility these imply every
                    other pair when values are distinct; the caller checks all pairs and adds
                    any that fail (ties in value).
* ``interim_ir``    v(t) q(t) − p(t) ≥ 0 (``expost`` too: charging p(t)/q(t) only to a winner
                    makes the interim and ex-post conditions the same);
  ``exante_ir``     Σ_t f(t) (v(t) q(t) − p(t)) ≥ 0 per class.
* ``exante_budget`` Σ_c m_c Σ_t f_c(t) p(c, t) = 0 (or ≥ 0 for ``exante_weak``).
* ``border``        Σ_c m_c Σ_{t ∈ S_c} f_c(t) q(c, t) ≤ 1 − Π_c (1 − f_c(S_c))^{m_c}: Border's
                    inequality of the set S. Only the set of all types is built; the rest are
                    separated lazily (:func:`amd.border.violated_sets`, :func:`border_rows`).

Columns: q in class-space order (class by class, types in file order), then p.

:func:`build_decomposition` is the companion LP that writes an implementable q as a lottery
over hierarchies (Dantzig–Wolfe master of :func:`amd.border.pricing`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective

from amd.border import BorderSet, Classes
from amd.environment import Design

INF = np.inf


@dataclass(frozen=True)
class Layout:
    """Class space: ``classes``, per class the values, and where q and p live."""

    classes: Classes
    values: tuple[np.ndarray, ...]
    payments: bool

    @property
    def n_types(self) -> int:
        return int(self.classes.offsets[-1])

    @property
    def n_columns(self) -> int:
        return self.n_types * (2 if self.payments else 1)

    def split(self, z: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Column vector → (q per class, p per class)."""
        N = self.n_types
        q = self.classes.split(z[:N])
        p = self.classes.split(z[N:2 * N]) if self.payments else [np.zeros(len(f)) for f in self.classes.marginals]
        return q, p


def ic_rows(lay: Layout, pairs: list[tuple[int, int, int]]) -> RowBlock:
    """v(t) q(t) − p(t) − v(t) q(s) + p(s) ≥ 0 for each (class, t, s)."""
    off, N = lay.classes.offsets, lay.n_types
    rows, cols, coefs = [], [], []
    for r, (c, t, s) in enumerate(pairs):
        a, b, v = off[c] + t, off[c] + s, lay.values[c][t]
        rows += [r, r]
        cols += [a, b]
        coefs += [v, -v]
        if lay.payments:
            rows += [r, r]
            cols += [N + a, N + b]
            coefs += [-1.0, 1.0]
    return RowBlock.from_entries(len(pairs), lay.n_columns, rows, cols, coefs, 0.0, INF).nonempty()


def adjacent_pairs(lay: Layout) -> list[tuple[int, int, int]]:
    """Neighbours in value order, both directions, per class."""
    out = []
    for c, v in enumerate(lay.values):
        order = np.argsort(v, kind="stable")
        for a, b in itertools.pairwise(order):
            out += [(c, int(a), int(b)), (c, int(b), int(a))]
    return out


def _utility_entries(lay: Layout, rows, c: int, weights):
    """Entries of Σ_t weights[t] (v(t) q(t) − p(t)) for class c into ``rows``."""
    off, N = lay.classes.offsets, lay.n_types
    idx = off[c] + np.arange(len(weights))
    R = [rows, rows] if lay.payments else [rows]
    C = [idx, N + idx] if lay.payments else [idx]
    A = [weights * lay.values[c], -weights] if lay.payments else [weights * lay.values[c]]
    return R, C, A


def ir_rows(lay: Layout, kind: str) -> RowBlock:
    """Interim (= ex-post, see the module text) or ex-ante participation."""
    R, C, A, n_rows = [], [], [], 0
    for c, f in enumerate(lay.classes.marginals):
        k = len(f)
        rows = n_rows + (np.arange(k) if kind in ("interim", "expost") else np.zeros(k, int))
        w = np.ones(k) if kind in ("interim", "expost") else f
        r, co, a = _utility_entries(lay, rows, c, w)
        R += r
        C += co
        A += a
        n_rows += k if kind in ("interim", "expost") else 1
    return RowBlock.from_entries(n_rows, lay.n_columns, np.concatenate(R), np.concatenate(C),
                                 np.concatenate(A), 0.0, INF)


def budget_rows(lay: Layout, kind: str) -> RowBlock:
    """Expected payments Σ_c m_c Σ_t f p = 0 (``exante``) or ≥ 0 (``exante_weak``)."""
    N = lay.n_types
    coefs = lay.classes.flat([m * f for m, f in zip(lay.classes.sizes, lay.classes.marginals)])
    hi = INF if kind == "exante_weak" else 0.0
    return RowBlock.from_entries(1, lay.n_columns, np.zeros(N), N + np.arange(N), coefs, 0.0, hi)


def border_rows(lay: Layout, sets: list[BorderSet]) -> RowBlock:
    """Border's inequality of each set (its members and right side from :mod:`amd.border`)."""
    off = lay.classes.offsets
    R, C, A = [], [], []
    for r, s in enumerate(sets):
        for c, members in enumerate(s.members):
            R.append(np.full(len(members), r))
            C.append(off[c] + members)
            A.append(lay.classes.sizes[c] * lay.classes.marginals[c][members])
    hi = np.array([s.rhs for s in sets])
    return RowBlock.from_entries(len(sets), lay.n_columns, np.concatenate(R), np.concatenate(C),
                                 np.concatenate(A), -INF, hi)


def objective_coefficients(lay: Layout, design: Design, weights: list[float]) -> np.ndarray:
    """E[Σ_i w_i u_i + w_pay Σ_i t_i] over the columns; ``weights[c]`` the class's w_i."""
    N, pay = lay.n_types, design.objective.payment_weight
    c = np.zeros(lay.n_columns)
    off = lay.classes.offsets
    for k, (f, m, w) in enumerate(zip(lay.classes.marginals, lay.classes.sizes, weights)):
        s = slice(off[k], off[k + 1])
        c[s] = m * w * f * lay.values[k]
        if lay.payments:
            c[N + off[k]:N + off[k + 1]] = m * (pay - w) * f
    return c


def build(lay: Layout, design: Design, weights: list[float]) -> Formulation:
    """The interim LP with adjacent BIC rows and the all-types Border row."""
    m = pyo.ConcreteModel(name="interim_reduced_form")
    N = lay.n_types
    m.q = pyo.Var(range(N), bounds=(0.0, 1.0), doc="q[c, t] at class offset + t")
    columns = list(m.q.values())
    if lay.payments:
        m.p = pyo.Var(range(N), doc="p[c, t] at N + class offset + t")
        columns += list(m.p.values())
    every = BorderSet(tuple(np.arange(len(f)) for f in lay.classes.marginals), 1.0, 0.0)
    blocks = [("border", border_rows(lay, [every]), "Border's inequality of the set of all types")]
    if design.ic == "bic":
        blocks.append(("bic", ic_rows(lay, adjacent_pairs(lay)), "adjacent BIC, both directions"))
    if design.ir != "none":
        blocks.append((f"{design.ir}_ir", ir_rows(lay, design.ir), "participation"))
    if design.budget != "none":
        blocks.append(("exante_budget", budget_rows(lay, design.budget), "expected budget"))
    for name, block, doc in blocks:
        if block.n_rows:
            add_rows(m, name, block, columns, doc)
    set_objective(m, columns, objective_coefficients(lay, design, weights), design.objective.sense)
    return Formulation(m, columns, lay)


def build_decomposition(classes: Classes, q: np.ndarray, first: list[np.ndarray]):
    r"""min Σ_j (s⁺_j + s⁻_j) s.t. Σ_h λ_h q^h + s⁺ − s⁻ = q (row ``link``), Σ_h λ_h ≤ 1
    (row ``convexity``), λ, s ≥ 0: q (class space) as a lottery over the hierarchies whose
    interim rules are ``first`` (more are added as columns). Columns: λ, then s⁺, s⁻."""
    N, H = len(q), len(first)
    m = pyo.ConcreteModel(name="hierarchy_decomposition")
    m.weight = pyo.Var(range(H), bounds=(0.0, None), doc="λ_h")
    m.over = pyo.Var(range(N), bounds=(0.0, None))
    m.under = pyo.Var(range(N), bounds=(0.0, None))
    columns = list(m.weight.values()) + list(m.over.values()) + list(m.under.values())
    Q = np.column_stack(first) if H else np.zeros((N, 0))
    rows, cols = np.nonzero(Q)
    link = RowBlock.from_entries(N, H + 2 * N, np.r_[rows, np.arange(N), np.arange(N)],
                                 np.r_[cols, H + np.arange(N), H + N + np.arange(N)],
                                 np.r_[Q[rows, cols], np.ones(N), -np.ones(N)], q, q)
    add_rows(m, "link", link, columns, "Σ_h λ_h q^h + s⁺ − s⁻ = q")
    add_rows(m, "convexity", RowBlock.from_entries(1, H + 2 * N, np.zeros(H), np.arange(H), np.ones(H), -INF, 1.0),
             columns, "Σ_h λ_h ≤ 1")
    set_objective(m, columns, np.r_[np.zeros(H), np.ones(2 * N)], "minimize")
    return Formulation(m, columns, None)
