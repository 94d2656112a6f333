r"""The optimal direct mechanism as an LP (randomized) or MIP (deterministic).

Automated mechanism design (Conitzer & Sandholm, "Complexity of mechanism design", UAI 2002;
"Self-interested automated mechanism design", 2004). Over finite type profiles θ ∈ Θ and
outcomes o ∈ O the designer chooses

* an allocation x(o | θ) ≥ 0 with Σ_o x(o | θ) = 1 (binary when deterministic), and
* payments t_i(θ) from agent i to the designer (absent when ``payments: false``).

Agent i of true profile θ who reports r_i (others truthful) gets

    U_i(r_i | θ) = Σ_o x(o | r_i, θ_{-i}) v_i(o, θ) − t_i(r_i, θ_{-i}).

Constraint families (each one named block of the Pyomo model):

* ``feasibility``  Σ_o x(o|θ) = 1 for every θ.
* ``dsic``         U_i(θ_i | θ) ≥ U_i(r_i | θ) for every i, θ, r_i ≠ θ_i (ex-post IC when
                   values are interdependent).
* ``bic``          Σ_{θ_{-i}} p(θ_{-i} | θ_i) [U_i(θ_i | θ) − U_i(r_i | θ)] ≥ 0 for every i,
                   θ_i of positive probability, r_i ≠ θ_i. Beliefs are the exact conditionals
                   of the joint prior (correlated priors included; Crémer & McLean 1988).
* ``expost_ir``    U_i(θ_i | θ) ≥ 0 for every i, θ;  ``interim_ir`` the same in expectation
                   over p(θ_{-i} | θ_i);  ``exante_ir`` in expectation over p(θ).
* ``expost_budget`` Σ_i t_i(θ) = 0 (``expost``) or ≥ 0 (``expost_weak``) for every θ;
  ``exante_budget`` the same in expectation.

Ex-post constraints are imposed at every profile, including those of prior probability zero
(dominance does not depend on beliefs). The objective is
E_θ[Σ_i w_i u_i + w_pay Σ_i t_i + w_d Σ_o x(o|θ) d(o, θ)] (see :class:`amd.environment.Objective`).

Columns: x(o | θ) at ``p·|O| + o`` for the flat (C-order) profile index p, then t_i(θ) at
``|Θ|·|O| + i·|Θ| + p``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from amd.models.linear import Formulation, RowBlock, add_rows, set_objective
from amd.models.symmetry import aggregate_rows, distinct_rows

from amd.environment import Design, Environment

INF = np.inf


@dataclass(frozen=True)
class Layout:
    """Where each variable lives in the column vector."""

    n_profiles: int
    n_outcomes: int
    n_agents: int
    payments: bool

    @property
    def n_x(self) -> int:
        return self.n_profiles * self.n_outcomes

    @property
    def n_columns(self) -> int:
        return self.n_x + (self.n_agents * self.n_profiles if self.payments else 0)

    @property
    def width(self) -> int:
        """The number of columns the rows are written over."""
        return self.n_columns

    def t(self, agent: int, profile):
        return self.n_x + agent * self.n_profiles + profile

    def x_columns(self, profiles: np.ndarray) -> np.ndarray:
        """(m, |O|): the columns of x(· | θ) for flat profiles θ."""
        return profiles[:, None] * self.n_outcomes + np.arange(self.n_outcomes)


@dataclass(frozen=True)
class OrbitLayout(Layout):
    """The columns of a symmetric mechanism, one per orbit (:class:`amd.models.symmetry.
    Canonical`): rows written over it name orbit columns directly, so the kⁿ profiles are never
    enumerated to build the model."""

    labels: object = None

    @property
    def width(self) -> int:
        return self.labels.n_orbits

    def t(self, agent: int, profile):
        return self.labels.t(agent, np.atleast_1d(profile))

    def x_columns(self, profiles: np.ndarray) -> np.ndarray:
        return self.labels.x(profiles, np.broadcast_to(np.arange(self.n_outcomes), (len(profiles), self.n_outcomes)))


@dataclass
class DirectFormulation(Formulation):
    """The direct model (:class:`amd.models.linear.Formulation`), with what it needs to map
    solver columns back to a mechanism. With ``orbits`` the columns are orbit variables of a
    symmetric mechanism (see :mod:`amd.models.symmetry`) and ``split`` explodes them."""

    environment: Environment | None = None
    design: Design | None = None
    orbits: object = None

    def rows(self, block: RowBlock):
        """(A, lo, hi) of ``block`` over this model's columns (orbit variables if symmetric)."""
        if self.orbits is None:
            return block.A, block.lo, block.hi
        if isinstance(self.layout, OrbitLayout):  # written over the orbits already
            return distinct_rows(block.A, block.lo, block.hi)
        return aggregate_rows(block.A, block.lo, block.hi, self.orbits)

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column vector → (allocation (k_1..k_n, |O|), payments (n, k_1..k_n))."""
        env, lay = self.environment, self.layout
        if self.orbits is not None:
            z = self.orbits.explode(z)
        x = z[: lay.n_x].reshape(env.shape + (env.n_outcomes,))
        if lay.payments:
            t = z[lay.n_x :].reshape((env.n_agents,) + env.shape)
        else:
            t = np.zeros((env.n_agents,) + env.shape)
        return x, t


# ---------------------------------------------------------------------------------------
# rows, computed with numpy


def _profile_axis(env: Environment, i: int) -> tuple[np.ndarray, int]:
    """θ_i of every flat profile, and the flat-index stride of axis i."""
    stride = int(np.prod(env.shape[i + 1 :], dtype=np.int64))
    theta_i = (np.arange(env.n_profiles) // stride) % env.shape[i]
    return theta_i, stride


def utility_entries(env: Environment, lay: Layout, i: int, rows, p, q, w):
    """Entries of Σ w · U_i(q | p): w·v_i(o, p) on x(o | q) and −w on t_i(q).

    ``rows, p, q, w`` are equal-length arrays: each term adds w times agent i's utility at
    true profile p from the outcome and payment of reported profile q to row ``rows``.
    """
    O = env.n_outcomes
    V = env.values[i].reshape(env.n_profiles, O)
    coef = (w[:, None] * V[p]).ravel()
    cols = lay.x_columns(q).ravel()
    r = np.repeat(rows, O)
    nz = coef != 0
    R, C, A = [r[nz]], [cols[nz]], [coef[nz]]
    if lay.payments:
        R.append(rows)
        C.append(lay.t(i, q))
        A.append(-w)
    return R, C, A


def _block(lay: Layout, n_rows: int, entries: list, lo, hi) -> RowBlock:
    """Collect the (rows, columns, coefficients) lists of ``utility_entries`` into a block."""
    R, C, A = (np.concatenate([arr for e in entries for arr in e[part]] or [np.zeros(0)]) for part in range(3))
    return RowBlock.from_entries(n_rows, lay.width, R, C, A, lo, hi).nonempty()


def sorted_profiles(env: Environment, first: int = 0) -> np.ndarray:
    """Which flat profiles have θ_first ≤ θ_first+1 ≤ … ≤ θ_n (type indices): one per orbit of
    the permutations of agents first..n."""
    coords = np.array(np.unravel_index(np.arange(env.n_profiles), env.shape))
    return np.all(coords[first:-1] <= coords[first + 1:], axis=0) if env.n_agents - first > 1 \
        else np.ones(env.n_profiles, bool)


def _chosen(P: int, profiles: np.ndarray | None) -> np.ndarray:
    """Flat profile indices: all, those of a boolean mask, or the given indices."""
    if profiles is None:
        return np.arange(P)
    return np.flatnonzero(profiles) if profiles.dtype == bool else profiles


def feasibility_rows(env: Environment, lay: Layout, profiles: np.ndarray | None = None) -> RowBlock:
    """Σ_o x(o | θ) = 1 (only at ``profiles``, a boolean mask or indices, when given)."""
    O = env.n_outcomes
    p = _chosen(env.n_profiles, profiles)
    rows = np.repeat(np.arange(p.size), O)
    return RowBlock.from_entries(p.size, lay.width, rows, lay.x_columns(p).ravel(), np.ones(p.size * O), 1.0, 1.0)


def deviations(env: Environment, i: int, profiles: np.ndarray | None = None,
               mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All (θ, θ') with θ' = (r_i, θ_{-i}), r_i ≠ θ_i, as flat profile indices — from the flat
    ``profiles`` only and for the (θ_i, r_i) marked in ``mask`` (k_i, k_i) only, when given."""
    k = env.shape[i]
    stride = int(np.prod(env.shape[i + 1:], dtype=np.int64))
    mask = ~np.eye(k, dtype=bool) if mask is None else mask
    base = np.arange(env.n_profiles) if profiles is None else profiles
    t, r = np.nonzero(mask[(base // stride) % k])  # (profile, misreport) pairs
    p = base[t]
    return p, p + (r - (p // stride) % k) * stride


def dsic_rows(env: Environment, lay: Layout, selected: list | None = None) -> RowBlock:
    """U_i(θ_i | θ) − U_i(r_i | θ) ≥ 0 for every agent, profile and misreport — or, with
    ``selected[i] = (p, q)``, only for agent i's deviations from profile p to profile q."""
    entries, offset = [], 0
    for i in range(env.n_agents):
        p, q = deviations(env, i) if selected is None else selected[i]
        rows = offset + np.arange(p.size)
        ones = np.ones(p.size)
        entries.append(utility_entries(env, lay, i, rows, p, p, ones))
        entries.append(utility_entries(env, lay, i, rows, p, q, -ones))
        offset += p.size
    return _block(lay, offset, entries, 0.0, INF)


def bic_rows(env: Environment, lay: Layout, selected: list | None = None) -> RowBlock:
    """Σ_{θ_-i} p(θ_-i | θ_i) [U_i(θ_i | θ) − U_i(r_i | θ)] ≥ 0 per agent, type and misreport —
    or, with ``selected[i]`` a boolean (k_i, k_i) mask, only for the marked (θ_i, r_i)."""
    entries, offset = [], 0
    for i in range(env.n_agents):
        k = env.shape[i]
        theta_i, _ = _profile_axis(env, i)
        belief = env.beliefs(i).ravel()
        p, q = deviations(env, i)
        keep = belief[p] > 0
        if selected is not None:
            keep &= selected[i][theta_i[p], theta_i[q]]
        p, q = p[keep], q[keep]
        rows = offset + theta_i[p] * k + theta_i[q]  # row (θ_i, r_i); unused rows stay empty
        w = belief[p]
        entries.append(utility_entries(env, lay, i, rows, p, p, w))
        entries.append(utility_entries(env, lay, i, rows, p, q, -w))
        offset += k * k
    return _block(lay, offset, entries, 0.0, INF)


def ir_rows(env: Environment, lay: Layout, ir: str, agents: int | None = None,
            profiles: np.ndarray | None = None) -> RowBlock:
    """Participation: U_i(θ_i | θ) ≥ 0 ex post, in interim or in ex-ante expectation (for the
    first ``agents`` agents, ex post only at ``profiles`` when given)."""
    entries, offset = [], 0
    P = env.n_profiles
    for i in range(env.n_agents if agents is None else agents):
        p = np.arange(P)
        if ir == "expost":
            p = _chosen(P, profiles)
            rows, w, n = offset + np.arange(p.size), np.ones(p.size), p.size
        elif ir == "interim":
            theta_i, _ = _profile_axis(env, i)
            w = env.beliefs(i).ravel()
            rows, n = offset + theta_i, env.shape[i]
        else:  # exante
            w = env.prior.ravel()
            rows, n = np.full(P, offset), 1
        keep = w != 0
        entries.append(utility_entries(env, lay, i, rows[keep], p[keep], p[keep], w[keep]))
        offset += n
    return _block(lay, offset, entries, 0.0, INF)


def budget_rows(env: Environment, lay: Layout, budget: str, profiles: np.ndarray | None = None,
                designer: bool = False) -> RowBlock:
    """Σ_i t_i(θ) = 0 (or ≥ 0, weak) at every θ (at ``profiles`` when given), or in expectation;
    with ``designer`` the designer's value Σ_o x(o|θ) d(o, θ) counts too (a cost is negative)."""
    P, n, O = env.n_profiles, env.n_agents, env.n_outcomes
    chosen = np.arange(P) if profiles is None or not budget.startswith("expost") else np.flatnonzero(profiles)
    m = chosen.size
    p = np.tile(chosen, n)
    agent = np.repeat(np.arange(n), m)
    cols = [lay.n_x + agent * P + p]
    if budget.startswith("expost"):
        rows, coef, n_rows, weight = [np.tile(np.arange(m), n)], [np.ones(n * m)], m, np.ones(m)
    else:
        weight = env.prior.ravel()
        rows, coef, n_rows = [np.zeros(n * P, int)], [np.tile(weight, n)], 1
    if designer:
        d = env.designer_values.reshape(P, O)[chosen] * weight[:, None]
        r = np.repeat(np.arange(m), O) if budget.startswith("expost") else np.zeros(m * O, int)
        rows.append(r)
        cols.append((chosen[:, None] * O + np.arange(O)).ravel())
        coef.append(d.ravel())
    hi = INF if budget.endswith("_weak") else 0.0
    return RowBlock.from_entries(n_rows, lay.n_columns, np.concatenate(rows), np.concatenate(cols),
                                 np.concatenate(coef), 0.0, hi).nonempty()


def objective_coefficients(env: Environment, design: Design, lay: Layout) -> np.ndarray:
    """c with c·z = E[Σ_i w_i u_i + w_pay Σ_i t_i + w_d d]."""
    obj = design.objective
    P, O = env.n_profiles, env.n_outcomes
    prior = env.prior.ravel()
    w = np.asarray(obj.agent_weights, float).reshape((-1,) + (1,) * (env.values.ndim - 1))
    vx = (w * env.values).sum(axis=0) + obj.designer_weight * env.designer_values
    c = np.zeros(lay.n_columns)
    c[: lay.n_x] = (prior[:, None] * vx.reshape(P, O)).ravel()
    if lay.payments:
        for i, wi in enumerate(obj.agent_weights):
            c[lay.t(i, 0) : lay.t(i, P)] = prior * (obj.payment_weight - wi)
    return c


# ---------------------------------------------------------------------------------------
# the Pyomo model


def core_deviations(env: Environment, ic: str, agents: int | None = None) -> list:
    """The IC rows to start constraint generation with: each type against its nearest types.

    Agent i's type θ_i is a point v_i(·, θ_i) ∈ R^|O| (private values). Against its 3^d − 1
    nearest types, d the dimension of those points — the Moore neighbourhood of a grid point —
    this is "adjacent types" in single-parameter settings (d = 1: local IC implies global IC,
    Myerson 1981) and the 8 surrounding types on a two-item grid, diagonals included (measured:
    with them the Manelli–Vincent grids need no separation round at all); whatever else binds is
    found by separation. Only the first ``agents`` agents when given (a model written per orbit
    needs agent 1's alone).
    """
    out = []
    for i in range(env.n_agents if agents is None else agents):
        k = env.shape[i]
        pts = np.moveaxis(env.values[i], i, 0).reshape(k, -1, env.n_outcomes)[:, 0, :]  # private: θ_i only
        d = max(1, int(np.linalg.matrix_rank(pts - pts.mean(axis=0)))) if k > 1 else 1
        dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=-1))  # Euclidean, as cdist
        np.fill_diagonal(dist, np.inf)
        m = min(k - 1, 3**d - 1)
        near = np.argsort(dist, axis=1, kind="stable")[:, :m]  # stable: ties broken by type order
        mask = np.zeros((k, k), bool)
        mask[np.repeat(np.arange(k), near.shape[1]), near.ravel()] = True
        mask |= mask.T  # both directions of every neighbouring pair
        np.fill_diagonal(mask, False)
        if ic == "bic":
            out.append(mask)
            continue
        theta_i, stride = _profile_axis(env, i)
        base = np.flatnonzero(theta_i == 0)  # one profile per θ_-i, with θ_i = 0
        t, r = np.nonzero(mask)
        out.append(((base[:, None] + t * stride).ravel(), (base[:, None] + r * stride).ravel()))
    return out


def build(env: Environment, design: Design, allocation: np.ndarray | None = None,
          ic_selected: list | None = None, orbits=None) -> DirectFormulation:
    """The Pyomo model of the optimal direct mechanism for ``env`` under ``design``.

    With ``allocation`` (shape (k_1..k_n, |O|)) the allocation is fixed and only payments
    are chosen: the payments-only LP that decides whether a given rule is implementable.
    With ``ic_selected`` (see :func:`core_deviations`) only those IC rows are built. With
    ``orbits`` (:func:`amd.models.symmetry.orbits`) the variables are those of a symmetric
    mechanism, one per orbit, and every family of rows is aggregated onto them.
    """
    by_orbit = writes_over_orbits(env, design, allocation, orbits)
    lay = (OrbitLayout(env.n_profiles, env.n_outcomes, env.n_agents, design.payments, orbits.labels) if by_orbit
           else Layout(env.n_profiles, env.n_outcomes, env.n_agents, design.payments))
    m = pyo.ConcreteModel(name="direct_mechanism")
    n_x = lay.n_x if orbits is None else orbits.n_x
    m.x = pyo.Var(
        range(n_x),
        domain=pyo.NonNegativeReals if (design.randomized or allocation is not None) else pyo.Binary,
        bounds=(0, 1),
        doc="x(o | θ) at p·|O| + o (or its orbit, for a symmetric mechanism)",
    )
    columns = list(m.x.values())
    if allocation is not None:
        for v, value in zip(columns, np.asarray(allocation, float).ravel().tolist()):
            v.fix(value)
    if design.payments:
        n_t = env.n_agents * env.n_profiles if orbits is None else orbits.n_orbits - n_x
        m.t = pyo.Var(range(n_t), bounds=design.payment_bounds, doc="t_i(θ) at i·|Θ| + p (or its orbit)")
        columns += list(m.t.values())
    form = DirectFormulation(m, columns, lay, env, design, orbits)
    # With a symmetric mechanism every family of rows is invariant under permuting the agents:
    # one row per orbit is enough (agent 0; the profiles sorted), and aggregation onto orbit
    # variables makes the rows of one orbit identical anyway — so the kⁿ profiles are never
    # written row by row.
    agents, everyone, others = None, None, None
    if by_orbit:  # the same rows, written per orbit: sorted profiles; agent 0 and the others sorted
        labels = orbits.labels
        agents, everyone, others = 1, labels.flat, labels.others()
        if ic_selected is None:
            mask = ~np.eye(env.shape[0], dtype=bool)
        else:
            theta_0, _ = _profile_axis(env, 0)
            p, q = ic_selected[0]
            mask = np.zeros((env.shape[0],) * 2, bool)
            mask[theta_0[p], theta_0[q]] = True
        p, q = deviations(env, 0, others, mask)
        empty = np.zeros(0, np.int64)
        ic_selected = [(p, q)] + [(empty, empty)] * (env.n_agents - 1)
    elif orbits is not None:
        agents, everyone, others = 1, sorted_profiles(env), sorted_profiles(env, 1)
        if design.ic == "dsic":
            if ic_selected is None:
                ic_selected = [deviations(env, i) for i in range(env.n_agents)]
            p, q = ic_selected[0]
            keep = others[p]
            empty = np.zeros(0, np.int64)
            ic_selected = [(p[keep], q[keep])] + [(empty, empty)] * (env.n_agents - 1)
        elif design.ic == "bic" and ic_selected is not None:
            ic_selected = [ic_selected[0]] + [np.zeros_like(s) for s in ic_selected[1:]]
        elif design.ic == "bic":
            k = env.shape[0]
            ic_selected = [~np.eye(k, dtype=bool)] + [np.zeros((k, k), bool)] * (env.n_agents - 1)

    def add(name: str, block: RowBlock, doc: str) -> None:
        A, lo, hi = form.rows(block)
        add_rows(m, name, RowBlock(A, lo, hi), columns, doc)

    if allocation is None:  # a fixed allocation was checked on input; as constant rows it would
        # only meet Pyomo's exact (tolerance-free) test of constant constraints
        add("feasibility", feasibility_rows(env, lay, everyone), "Σ_o x(o|θ) = 1")
    if design.ic == "dsic":
        add("dsic", dsic_rows(env, lay, ic_selected), "dominant-strategy IC")
    elif design.ic == "bic":
        add("bic", bic_rows(env, lay, ic_selected), "Bayesian IC")
    if design.ir != "none":
        add(f"{design.ir}_ir", ir_rows(env, lay, design.ir, agents, others), f"{design.ir} IR")
    if design.budget != "none" and design.payments:
        add(f"{design.budget.split('_')[0]}_budget",
            budget_rows(env, lay, design.budget, everyone, design.budget_designer),
            f"budget: {design.budget}" + (" (the designer's value counted)" if design.budget_designer else ""))

    if by_orbit:
        c = orbits.labels.objective(design.objective)
    else:
        c = objective_coefficients(env, design, lay)
        c = c if orbits is None else orbits.M.T @ c
    set_objective(m, columns, c, design.objective.sense)
    return form


def writes_over_orbits(env: Environment, design: Design, allocation, orbits) -> bool:
    """Are the rows written per orbit (:class:`OrbitLayout`)? For orbits in closed form and the
    families written that way: DSIC, ex-post or no participation, no budget rows, an objective
    that weighs the agents alike; otherwise rows over the profiles are aggregated (A M)."""
    return (orbits is not None and getattr(orbits, "labels", None) is not None and allocation is None
            and design.ic == "dsic" and design.ir in ("expost", "none")
            and (design.budget == "none" or not design.payments)
            and len(set(design.objective.agent_weights)) <= 1)
