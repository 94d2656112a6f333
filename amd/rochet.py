r"""Implementability of an allocation rule: Rochet's theorem on finite types.

An allocation rule x admits payments t making it incentive compatible iff it is *cyclically
monotone* (Rochet, "A necessary and sufficient condition for rationalizability in a
quasi-linear context", J. Math. Econ. 1987). On finite types this is a shortest-path
statement (Vohra, *Mechanism Design: A Linear Programming Approach*, 2011, ch. 4): with
V(θ, r) the value to type θ of the allocation reported as r, IC reads

    t(θ) − t(r) ≤ V(θ, θ) − V(θ, r)        for all θ, r,

a system of difference constraints: an edge r → θ of weight V(θ, θ) − V(θ, r). Payments exist
iff the graph has no negative cycle, and then shortest-path distances are payments. A negative
cycle is the certificate: going round it, each type prefers the allocation of the previous one
by a total gain that no payments can offset, because payments telescope around a cycle.

Participation adds a node for the outside option (payment 0) with an edge to θ of weight
V(θ, θ) (IR: t(θ) ≤ V(θ, θ)); distances from it are then the *largest* payments the rule
allows, i.e. the revenue-maximal ones.

Graphs. ``dsic``: one graph per agent and per profile of the others (the "slice"), with
V(θ_i, r_i) = Σ_o x(o | r_i, θ_{-i}) v_i(o, θ). ``bic``: one interim graph per agent, V averaged
over p(θ_{-i}); this needs beliefs that do not depend on one's own type, so with a correlated
prior (or with constraints the graph cannot express: budget balance, payment bounds, DSIC with
interim IR, BIC with ex-post IR) the payments-only LP decides instead, and says so.

Reports that every type values alike (identical columns of V) have equal payments under any IC
payments, so they are merged into one node — Vohra's allocation graph. Cycles and distances are
unchanged, and a deterministic rule has at most |O| nodes per graph however many types there are.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from amd.concepts.direct import solve_fixed_allocation
from amd.environment import Environment, Objective
from amd.io.schema import Instance
from amd.mechanism import Mechanism, clean
from amd.result import Details
from amd.verifier import Certificate, utility_table, verify

SOURCE = "outside option"


@dataclass(frozen=True)
class Witness(Details):
    """Why an allocation rule is or is not implementable (``certificate`` in the JSON of
    ``amd implementable``); fields left None are not written.

    ``method``: ``graph`` (Rochet's test), ``lp`` (the payments-only LP) or ``verify`` (no
    payments: the rule as it stands). A failure by ``graph`` names the ``agent``, the ``slice``
    (the others' types, DSIC) and the ``cycle`` of types with its total ``gain``."""

    method: str
    ic: str
    agent: str | None = None
    #: the others' types fixing the graph (DSIC); written as null when there are none
    slice: dict | None = None
    cycle: list[dict] | None = None
    gain: float | None = None
    reason: str | None = None
    verified: bool | None = None
    status: str | None = None
    message: str | None = None
    max_expected_surplus: float | None = None
    words: str | None = None
    weak_monotonicity: dict | None = None
    note: str | None = None
    #: which constraints clash (amd.infeasibility), when the payments-only LP is infeasible
    infeasibility: dict | None = None

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self.cycle is not None:
            out["slice"] = self.slice or None
        return out


@dataclass
class Implementability:
    """What :func:`implementable` returns: the verdict, the payments when they exist
    (``payments[i, θ_1, …, θ_n]``, with the ``mechanism`` they make and its ``verification``),
    and the certificate either way. ``to_dict()`` is the JSON of ``amd implementable``."""

    implementable: bool
    payments: np.ndarray | None
    certificate: Witness
    mechanism: Mechanism | None = None
    verification: Certificate | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {
            "implementable": self.implementable,
            "payments": None if self.payments is None else clean(self.payments).tolist(),
            "certificate": self.certificate.to_dict(),
        }


# ---------------------------------------------------------------------------------------
# the graph


def allocation_graph(V: np.ndarray, types: tuple[str, ...], ir: bool, tol: float) -> nx.DiGraph:
    """The (merged) type graph of value matrix ``V[θ, r]``, plus a source node.

    Nodes are classes of reports with identical columns of V (attribute ``types``); the edge
    A → B has weight min_{θ∈B} V(θ,θ) − V(θ, A) and records the minimizing type. Every weight
    is raised by tol/|nodes| so that a cycle counts as negative only beyond rounding noise.
    The source is the outside option (edges V(θ,θ): IR) or, without IR, a neutral root (0).
    """
    k = V.shape[0]
    _, first, cls = np.unique(np.round(V.T, 12), axis=0, return_index=True, return_inverse=True)
    cls = cls.ravel()
    m = len(first)
    own = np.diagonal(V)
    W = own[:, None] - V[:, first]  # W[θ, A] = V(θ,θ) − V(θ, A)
    order = np.argsort(cls, kind="stable")
    cuts = np.append(np.searchsorted(cls[order], np.arange(m)), k)
    members = [order[cuts[B]: cuts[B + 1]] for B in range(m)]
    # per class B: the smallest W[θ, A] over θ ∈ B, and which θ attains it
    best = np.full((m, m), np.inf)
    arg = np.zeros((m, m), dtype=np.int64)
    for B in range(m):
        sub = W[members[B]]
        j = np.argmin(sub, axis=0)
        best[B] = sub[j, np.arange(m)]
        arg[B] = members[B][j]
    eps = tol / max(m, 1)
    G = nx.DiGraph()
    for B in range(m):
        G.add_node(B, types=[types[t] for t in members[B]])
    for A in range(m):
        for B in range(m):
            if A != B:
                G.add_edge(A, B, weight=float(best[B, A]) + eps, exact=float(best[B, A]), type=int(arg[B, A]),
                           gain=float(-best[B, A]))
    for B in range(m):
        w = float(own[members[B]].min()) if ir else 0.0
        G.add_edge(SOURCE, B, weight=w + eps, exact=w)
    G.graph["class_of"] = cls
    return G


def bellman_ford(G: nx.DiGraph) -> tuple[np.ndarray, np.ndarray, list | None]:
    """Shortest paths from the source over the raised weights, by Bellman–Ford on the dense
    weight matrix: (distances, predecessors, negative cycle as a node list [v0, v1, …, v0] or None).

    Our own pass rather than networkx's, so that the witness is in our hands: networkx can stop
    with "Negative cycle is detected but not found" when rounding makes a relaxation and the
    cycle search disagree. Here the cycle is read off the predecessor graph after a relaxation in
    round |V| (every cycle of that graph has negative weight, CLRS Lemma 24.16), and its weight is
    summed again before it is returned.
    """
    nodes = list(G.nodes)
    index = {v: j for j, v in enumerate(nodes)}
    n = len(nodes)
    W = np.full((n, n), np.inf)
    for a, b, w in G.edges(data="weight"):
        W[index[a], index[b]] = w
    dist = np.full(n, np.inf)
    dist[index[SOURCE]] = 0.0
    pred = np.full(n, -1)
    changed = np.zeros(n, bool)
    for _ in range(n):
        cand = dist[:, None] + W  # cand[a, b]: reach b through a
        via = np.argmin(cand, axis=0)
        best = cand[via, np.arange(n)]
        changed = best < dist
        if not changed.any():
            return dist, pred, None
        dist = np.where(changed, best, dist)
        pred = np.where(changed, via, pred)
    v = int(np.flatnonzero(changed)[0])  # relaxed in round n: a negative cycle leads here
    for _ in range(n):
        v = int(pred[v])
    cycle, u = [v], int(pred[v])
    while u != v:
        cycle.append(u)
        u = int(pred[u])
    cycle = [nodes[j] for j in reversed(cycle + [v])]  # forward order, closed
    weight = sum(G.edges[a, b]["weight"] for a, b in zip(cycle[:-1], cycle[1:]))
    if not weight < 0:  # cannot happen (Lemma 24.16); never return a cycle that is not one
        raise ArithmeticError(f"Bellman-Ford found a cycle of weight {weight}")
    return dist, pred, cycle


def negative_cycle(G: nx.DiGraph) -> list[dict] | None:
    """The profitable cycle of misreports, as steps {type, reports, gain}, or None."""
    nodes = bellman_ford(G)[2]
    if nodes is None:
        return None
    edges = [G.edges[a, b] for a, b in zip(nodes[:-1], nodes[1:])]
    # edge A → B: a type of B takes A's allocation. Walk backwards so each step's report is
    # the type of the next step.
    previous = edges[-1:] + edges[:-1]  # the edge into A carries the type of A that is reported
    return [{"type": e["type"], "reports": p["type"], "gain": e["gain"]}
            for e, p in zip(reversed(edges), reversed(previous))]


def potentials(G: nx.DiGraph) -> dict:
    """Shortest-path distances from the source, summed with the exact (unraised) weights
    along the shortest-path tree of the raised graph (which has no negative cycle)."""
    _, pred, cycle = bellman_ford(G)
    if cycle is not None:
        raise ValueError("the graph has a negative cycle: no potentials")
    nodes = list(G.nodes)
    source = nodes.index(SOURCE)
    out: dict = {SOURCE: 0.0}

    def exact(j: int) -> float:  # iterative walk up the tree, memoized
        path = []
        while nodes[j] not in out:
            path.append(j)
            j = int(pred[j])
            if j < 0 or j == source and nodes[j] in out:
                break
        for k in reversed(path):
            out[nodes[k]] = out[nodes[int(pred[k])]] + G.edges[nodes[int(pred[k])], nodes[k]]["exact"]
        return out[nodes[path[0]]] if path else out[nodes[j]]

    for j in range(len(nodes)):
        exact(j)
    return out


def weak_monotonicity(V: np.ndarray) -> tuple[float, tuple[int, int]]:
    """Smallest 2-cycle weight [V(θ,θ) − V(θ,r)] + [V(r,r) − V(r,θ)] and its pair (θ, r).

    Non-negative for every pair is weak monotonicity: necessary, and sufficient only in
    special domains (Saks & Yu 2005; Bikhchandani et al. 2006).
    """
    own = np.diagonal(V)
    M = own[:, None] - V
    S = M + M.T
    np.fill_diagonal(S, np.inf)
    flat = int(np.argmin(S))
    return (float(S.ravel()[flat]) if S.size > 1 else 0.0), np.unravel_index(flat, S.shape)


# ---------------------------------------------------------------------------------------
# deciding


def _graph_applies(inst: Instance) -> tuple[bool, str]:
    env, d = inst.environment, inst.design
    if not d.payments:
        return False, "payments are off"
    if d.budget != "none":
        return False, f"budget balance ({d.budget}) is not a difference constraint"
    if d.payment_bounds != (None, None):
        return False, "payment bounds are set"
    if d.ic == "dsic" and d.ir in ("none", "expost", "exante"):
        return True, ""
    if d.ic == "bic" and d.ir in ("none", "interim", "exante"):
        if not env.independent and not _is_product(env):
            return False, ("the prior is correlated: Rochet's graph argument needs beliefs that do not depend "
                           "on one's own type")
        return True, ""
    return False, f"ic: {d.ic} with ir: {d.ir} couples the graphs"


def _is_product(env: Environment) -> bool:
    """A joint prior that happens to be the product of its marginals is independent too."""
    outer = functools.reduce(np.multiply.outer, (env.marginal(i) for i in range(env.n_agents)))
    return bool(np.allclose(outer, env.prior, atol=1e-12))


def _describe(steps: list[dict], types: tuple[str, ...], total: float) -> str:
    parts = [f"type {types[s['type']]} gains {s['gain']:.6g} by reporting {types[s['reports']]}" for s in steps]
    return (", ".join(parts) + f": {total:.6g} in total around the cycle, and payments telescope around "
            "a cycle, so no payments can make every step unprofitable")


def implementable(inst: Instance, allocation: np.ndarray, *, method: str = "auto",
                  tolerance: float = 1e-7) -> Implementability:
    """Do payments exist that implement ``allocation`` under ``inst``'s constraints?

    Parameters
    ----------
    inst : Instance
        An explicit ``kind: mechanism`` instance: its IC, IR and budget constraints are asked.
    allocation : array_like
        x(o | θ), shape (k_1, …, k_n, |O|).
    method : str
        ``graph`` (Rochet/Vohra negative-cycle test), ``lp`` (the payments-only LP of the core
        engine), or ``auto`` — the graph whenever the constraints are difference constraints,
        the LP otherwise.
    tolerance : float
        Cycles gaining less than this (in the instance's units) do not count.

    Returns
    -------
    Implementability
        ``implementable``; the ``payments`` when they exist (revenue-maximal under IR, checked by
        the independent verifier); the ``certificate`` (a :class:`Witness`) either way — a
        failure by the graph names the agent, the others' types and the cycle of types with its
        gain, which no payments can offset because payments telescope around a cycle.

    Raises
    ------
    ValueError
        When ``method="graph"`` is asked where the graph test does not apply.

    References
    ----------
    J.-C. Rochet, A necessary and sufficient condition for rationalizability in a
    quasi-linear context, J. Math. Econ. 1987; R. Vohra, Mechanism Design: A Linear
    Programming Approach, 2011, ch. 4.

    Examples
    --------
    Rock–paper–scissors: each type's own outcome is worth 0, the next one in R→P→S→R is worth
    1 and the previous one −2. Every 2-cycle loses (1 − 2), but the 3-cycle gains 3:

    >>> import amd, numpy as np
    >>> rps = amd.parse({"format": "amd/1", "kind": "mechanism",
    ...     "agents": [{"name": "a", "types": ["r", "p", "s"]}], "prior": {"independent": "uniform"},
    ...     "outcomes": ["R", "P", "S"], "values": {"a": {"private": [[0, 1, -2], [-2, 0, 1], [1, -2, 0]]}},
    ...     "constraints": {"ic": "dsic", "ir": "none"}})
    >>> res = implementable(rps, np.eye(3))
    >>> res.implementable, res.certificate["gain"]
    (False, 3.0)
    """
    x = np.asarray(allocation, float)
    applies, why = _graph_applies(inst)
    if method == "graph" and not applies:
        raise ValueError(f"the graph test does not apply: {why}")
    if method == "lp" or (method == "auto" and not applies):
        return _by_lp(inst, x, why if method == "auto" else "method=lp")
    return _by_graph(inst, x, tolerance)


def _values(env: Environment, x: np.ndarray, i: int) -> np.ndarray:
    """V_i[θ_{-i}…, θ_i, r_i] = Σ_o x(o | r_i, θ_{-i}) v_i(o, θ): the verifier's table at t = 0."""
    zero = Mechanism(env.agents, env.types, env.outcomes, x, np.zeros((env.n_agents,) + env.shape))
    return utility_table(env, zero, i)


def _by_graph(inst: Instance, x: np.ndarray, tolerance: float) -> Implementability:
    env, design = inst.environment, inst.design
    scale = max(1.0, float(np.abs(env.values).max(initial=0)))
    tol = 1e-3 * tolerance * scale  # well inside the verifier's tolerance
    ir_edges = design.ir in ("expost", "interim")
    payments = np.zeros((env.n_agents,) + env.shape)
    worst_wm: dict | None = None
    for i in range(env.n_agents):
        V = _values(env, x, i)  # (θ_-i…, θ_i, r)
        k = env.shape[i]
        others = [a for a in range(env.n_agents) if a != i]
        if design.ic == "bic":
            belief = np.moveaxis(env.beliefs(i), i, -1)  # (θ_-i…, θ_i); = p(θ_-i) here
            slices = {(): (belief[..., :, None] * V).reshape(-1, k, k).sum(axis=0)}
        else:
            slices = {idx: V[idx] for idx in np.ndindex(*V.shape[:-2])}
        t_i = np.moveaxis(payments[i], i, -1)  # a view: (θ_-i…, θ_i)
        for idx, Vs in slices.items():
            slice_labels = {env.agents[a]: env.types[a][j] for a, j in zip(others, idx)}
            wm, (a, b) = weak_monotonicity(Vs)
            if worst_wm is None or wm < worst_wm["deficit_min"]:
                worst_wm = {"deficit_min": wm, "agent": env.agents[i], "slice": slice_labels or None,
                            "types": [env.types[i][a], env.types[i][b]]}
            G = allocation_graph(Vs, env.types[i], ir_edges, tol)
            steps = negative_cycle(G)
            if steps is not None:
                total = sum(s["gain"] for s in steps)
                cert = Witness(
                    "graph", design.ic, agent=env.agents[i], slice=slice_labels,
                    cycle=[{"type": env.types[i][s["type"]], "reports": env.types[i][s["reports"]],
                            "gain": s["gain"]} for s in steps],
                    gain=total,
                    words=f"{env.agents[i]}"
                          + (f" (when {', '.join(f'{a}={t}' for a, t in slice_labels.items())})" if slice_labels else "")
                          + ": " + _describe(steps, env.types[i], total),
                    weak_monotonicity=_wm_summary(worst_wm, tol))
                return Implementability(False, None, cert)
            dist = potentials(G)
            t = np.array([dist[c] for c in G.graph["class_of"]])
            if not ir_edges:
                t = t - t.min()  # payments are defined up to a constant: the cheapest type pays 0
            if design.ic == "bic":
                t_i[...] = t  # interim payments charged whatever the others report
            else:
                t_i[idx] = t
        if design.ir == "exante":  # a constant shift keeps IC; make ex-ante IR bind
            u = np.diagonal(V, axis1=-2, axis2=-1) - t_i
            payments[i] += float((np.moveaxis(env.prior, i, -1) * u).sum())
    mech = Mechanism(env.agents, env.types, env.outcomes, x, payments)
    check = verify(env, design, mech, tolerance)
    cert = Witness("graph", design.ic, verified=check.verified, weak_monotonicity=_wm_summary(worst_wm, tol),
                   note="payments are revenue-maximal for this allocation" if design.ir != "none"
                   else "payments are defined up to a constant per graph; the cheapest type pays 0")
    return Implementability(True, payments, cert, mech, check)


def _wm_summary(w: dict | None, tol: float) -> dict:
    if w is None:
        return {"holds": True}
    holds = w["deficit_min"] >= -tol
    out = {"holds": holds}
    if not holds:
        out.update({"agent": w["agent"], "slice": w["slice"], "types": w["types"], "gain": -w["deficit_min"]})
    return out


def _by_lp(inst: Instance, x: np.ndarray, reason: str) -> Implementability:
    """The payments-only LP: the core engine's model with the allocation fixed."""
    env, design = inst.environment, inst.design
    if not design.payments:  # nothing to choose: the rule is implementable iff it already complies
        mech = Mechanism(env.agents, env.types, env.outcomes, x, np.zeros((env.n_agents,) + env.shape))
        check = verify(env, design, mech)
        words = None if check.verified else "without payments the rule violates " + ", ".join(check.failures())
        cert = Witness("verify", design.ic, reason="payments are off", verified=check.verified, words=words)
        return Implementability(check.verified, mech.payments if check.verified else None, cert, mech, check)
    result = solve_fixed_allocation(inst, x)
    if result.status == "optimal":
        cert = Witness("lp", design.ic, reason=reason, verified=result.certificate.verified)
        return Implementability(True, result.mechanism.payments, cert, result.mechanism, result.certificate)
    if result.status != "infeasible":
        return Implementability(False, None, Witness("lp", design.ic, reason=reason, status=result.status,
                                                     message=result.message))
    surplus = None
    words = "no payments satisfy " + ", ".join(
        c for c in (f"{design.ic.upper()}" if design.ic != "none" else "",
                    f"{design.ir} IR" if design.ir != "none" else "",
                    f"{design.budget} budget balance" if design.budget != "none" else "",
                    "the payment bounds" if design.payment_bounds != (None, None) else "") if c)
    why = result.certificate.infeasibility if result.certificate is not None else None
    if why is not None:
        words += f" (together: {why['words'].removesuffix(' cannot hold together')})"
    if design.budget != "none":
        # how much the rule needs the designer to pay in, without the budget constraint
        relaxed = dataclasses.replace(inst, design=dataclasses.replace(design, budget="none"))
        r2 = solve_fixed_allocation(relaxed, x, objective=Objective("maximize", "revenue",
                                                                    (0.0,) * env.n_agents, 1.0, 0.0))
        if r2.status == "optimal":
            surplus = float((env.prior * r2.mechanism.payments.sum(axis=0)).sum())
            if surplus < 0:
                words += (f": without budget balance the best expected surplus is {surplus:.6g}, i.e. the "
                          f"designer must subsidize {-surplus:.6g} in expectation")
    return Implementability(False, None, Witness("lp", design.ic, reason=reason, max_expected_surplus=surplus,
                                                 words=words, infeasibility=why))
