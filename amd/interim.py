r"""Solving a single-item BIC design in interim reduced form, and checking the answer.

The flow (each step its own function):

1. :func:`reason_not_applicable` — the reduced form is exact for a single good
   (:class:`amd.auction.SingleItem`), independent types with positive probabilities, BIC (or
   no IC), randomized allocation, payments free of bounds, participation interim/ex post/ex
   ante, budget none or ex ante.
2. :func:`solve_interim` — the LP of :mod:`amd.models.reduced_form` on a kept HiGHS model;
   violated Border inequalities (threshold sets, :func:`amd.border.violated_sets`) and any
   violated non-adjacent BIC pair are added as rows and the LP re-solved warm, until none is
   violated.
3. :func:`decompose` — the optimal interim rule written as a lottery over hierarchies
   (column generation with :func:`amd.border.pricing`): an ex-post mechanism. Bidder i of type
   t pays p(t)/q(t) when winning (p(t) regardless, when q(t) = 0), so interim payments are
   p and ex-post participation holds whenever interim participation does.
4. :func:`verify_interim` — numpy only: every BIC pair, participation, budget, Border's
   inequalities, and the lottery's interim rule recomputed against q. For instances small
   enough to write out, the lottery is exploded into an explicit
   :class:`~amd.mechanism.Mechanism` and checked by the full verifier :func:`amd.verifier.verify`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from amd.auction import SingleItem
from amd.border import (
    Classes,
    Lottery,
    caratheodory,
    ex_post_allocation,
    hierarchy_allocation,
    max_violation,
    pricing,
    violated_sets,
)
from amd.certificate import DEFAULT_TOLERANCE, Certificate, Checks, magnitude
from amd.environment import Design, Environment
from amd.mechanism import Mechanism
from amd.models import reduced_form as rf
from amd.solver import LinearProgram, SolverOptions, solve_with_cuts

#: explode the lottery into an explicit mechanism (and run the full verifier) up to this many
#: allocation entries
EXPLODE_BELOW = 2_000_000
#: Border/BIC separation rounds before giving up
MAX_ROUNDS = 2_000
#: column-generation rounds for the part of a lottery that Carathéodory steps leave
MAX_COLUMNS = 300
#: the decomposition stops once Σ_t |lottery's q − q| is below this
RESIDUAL = 1e-11
#: cuts added per round
CUTS_PER_ROUND = 10


def classes_of(auction: SingleItem, design: Design) -> Classes:
    """Exchangeable bidders (equal values, marginals and objective weights) as classes."""
    w = design.objective.agent_weights
    groups: list[list[int]] = []
    for g in auction.classes():
        by_weight: dict[float, list[int]] = {}
        for i in g:
            by_weight.setdefault(w[i], []).append(i)
        groups += by_weight.values()
    groups.sort(key=lambda g: g[0])
    return Classes(tuple(auction.marginals[g[0]] for g in groups), np.array([len(g) for g in groups]),
                   tuple(tuple(g) for g in groups))


@dataclass
class InterimSolution:
    """What :func:`solve_interim` found: status and the interim rule (q, p) per class."""

    status: str
    layout: object
    q: list | None
    p: list | None
    program: LinearProgram
    stats: dict
    message: str
    value: float | None


def solve_interim(auction: SingleItem, design: Design, options: SolverOptions, tolerance: float,
                  timing: dict) -> InterimSolution:
    """The interim LP, with violated Border sets and BIC pairs added until none is left."""
    classes = classes_of(auction, design)
    lay = rf.Layout(classes, tuple(auction.values[g[0]] for g in classes.members), design.payments)
    weights = [design.objective.agent_weights[g[0]] for g in classes.members]
    start = time.perf_counter()
    form = rf.build(lay, design, weights)
    timing["build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    program = LinearProgram.from_pyomo(form.model, form.columns, options)
    timing["load_s"] = time.perf_counter() - start
    stats = {"border_rows": 1, "bic_rows_added": 0, "rounds": 0, "classes": [len(g) for g in classes.members]}
    cut_tol = tolerance * 1e-2

    def separate(out):
        q, p = lay.split(out.values)
        if out.status != "optimal":
            return (q, p), None
        sets = violated_sets(classes, q, cut_tol, CUTS_PER_ROUND)
        pairs = _violated_pairs(lay, q, p, cut_tol) if design.ic == "bic" else []
        return (q, p), (sets, pairs) if sets or pairs else None

    def add(cuts) -> int:
        sets, pairs = cuts
        for block in ([rf.border_rows(lay, sets)] if sets else []) + ([rf.ic_rows(lay, pairs)] if pairs else []):
            program.add_rows(block.A, block.lo, block.hi)
        stats["border_rows"] += len(sets)
        stats["bic_rows_added"] += len(pairs)
        return len(sets) + len(pairs)

    run = solve_with_cuts(program, timing, separate, add, MAX_ROUNDS, "Border separation", "separate_s")
    stats["rounds"] = run.rounds
    out = run.out
    if run.error:
        return InterimSolution("error", lay, None, None, program, stats, run.error, None)
    if out.values is None or out.status != "optimal":
        return InterimSolution(out.status, lay, None, None, program, stats, out.message, out.objective)
    q, p = run.solution
    return InterimSolution("optimal", lay, q, p, program, stats, out.message, out.objective)


def _interim_gains(values: np.ndarray, q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """gain[t, s] = (v(t) q(s) − p(s)) − (v(t) q(t) − p(t)): type t's gain from reporting s."""
    U = values[:, None] * q[None, :] - p[None, :]
    return U - np.diag(U)[:, None]


def _violated_pairs(lay, q, p, tol) -> list[tuple[int, int, int]]:
    out = []
    for c, v in enumerate(lay.values):
        gain = _interim_gains(v, q[c], p[c])
        t, s = np.nonzero(gain > tol)
        out += [(c, int(a), int(b)) for a, b in zip(t, s)]
    return out


def decompose(classes: Classes, q: list[np.ndarray], options: SolverOptions) -> tuple[Lottery, int]:
    """Write ``q`` as a lottery over hierarchies: (lottery, column-generation rounds); how
    closely it reproduces q is for :func:`verify_interim` to say.

    :func:`amd.border.caratheodory` first (exact, at most Σ k + 1 hierarchies). Should it stop
    short, column generation on :func:`amd.models.reduced_form.build_decomposition` finishes:
    the duals y of the ``link`` rows and μ of ``convexity`` price a new hierarchy
    (:func:`amd.border.pricing`), which enters while y·q^h + μ > 0.
    """
    flat = classes.flat(q)
    lottery, rest = caratheodory(classes, q)
    rounds = 0
    if classes.flat(rest).max(initial=0.0) > RESIDUAL:
        scores = [classes.flat(q)] + list(lottery.scores)
        rules = [classes.flat(hierarchy_allocation(classes, classes.split(s))) for s in scores]
        form = rf.build_decomposition(classes, flat, rules)
        program = LinearProgram.from_pyomo(form.model, form.columns, replace(options, method="simplex"))
        link = program.rows_of(form.model.link)
        convexity = int(program.rows_of(form.model.convexity)[0])
        positions = list(range(len(scores)))
        while True:
            out = program.solve()
            if out.values is None:  # out of time: the verifier says how far the lottery falls short
                return lottery, rounds
            if out.objective <= RESIDUAL or rounds == MAX_COLUMNS:
                break
            y = program.row_duals()
            h = classes.flat(pricing(classes, classes.split(y[link])))
            rule = classes.flat(hierarchy_allocation(classes, classes.split(h)))
            if y[link] @ rule + y[convexity] <= 1e-12:
                break
            nz = np.flatnonzero(rule)
            column = sp.csc_array((np.r_[rule[nz], 1.0], (np.r_[link[nz], convexity], np.zeros(len(nz) + 1, int))),
                                  shape=(program.highs.getNumRow(), 1))
            positions.append(program.n_full)
            program.add_columns([0.0], [0.0], [np.inf], column)
            scores.append(h)
            rounds += 1
        weights = np.clip(out.values[positions], 0.0, None)
        keep = weights > 1e-13
        lottery = Lottery([s for s, k in zip(scores, keep) if k], weights[keep])
    return lottery, rounds


def verify_interim(auction: SingleItem, classes: Classes, design: Design, q, p, lottery: Lottery | None,
                   tolerance: float = DEFAULT_TOLERANCE) -> Certificate:
    """Every constraint of ``design`` recomputed from the interim rule (q, p) with numpy."""
    values = [auction.values[g[0]] for g in classes.members]
    # the instance's scale, never the candidate's payments (see amd.verifier.instance_scale)
    checks = Checks(tolerance, magnitude(*values, *design.payment_bounds))
    add = checks.add

    def agent(c):
        return auction.agents[classes.members[c][0]]

    out_of_range = max(max(float(np.max(-x, initial=0)), float(np.max(x - 1, initial=0))) for x in q)
    add("interim_range", out_of_range, {"outside": "[0, 1]", "by": out_of_range})
    v, where = max_violation(classes, q)
    add("border", v, None if where is None else {
        "set": {agent(c): [auction.types[classes.members[c][0]][t] for t in m] for c, m in enumerate(where.members)},
        "rhs": where.rhs})
    if lottery is not None:
        residual = np.abs(lottery.interim_rule(classes) - classes.flat(q))
        j = int(np.argmax(residual)) if residual.size else 0
        add("ex_post_lottery", residual.max(initial=0.0), {"hierarchies": len(lottery.weights), "entry": j,
                                                            "total_weight": float(lottery.weights.sum())})
        add("lottery_weights", max(float(np.max(-lottery.weights, initial=0)), float(lottery.weights.sum()) - 1), None)
    if design.ic == "bic":
        best = (0.0, None)
        for c, vc in enumerate(values):
            g = _interim_gains(vc, q[c], p[c])
            t, s = np.unravel_index(int(np.argmax(g)), g.shape)
            if g[t, s] > best[0]:
                types = auction.types[classes.members[c][0]]
                best = (float(g[t, s]), {"agent": agent(c), "type": types[t], "report": types[s],
                                         "expected_gain": float(g[t, s])})
        add("bic", *best)
    if design.ir != "none":
        best = (0.0, None)
        for c, vc in enumerate(values):
            u = vc * q[c] - p[c]
            if design.ir == "exante":
                bad = -float(classes.marginals[c] @ u)
                where = {"agent": agent(c), "expected_utility": -bad}
            else:
                t = int(np.argmin(u))
                bad = -float(u[t])
                where = {"agent": agent(c), "type": auction.types[classes.members[c][0]][t]}
                # ex post: the winner pays p/q, so the interim shortfall is the ex-post one (per win)
                where |= {"utility": -bad, "others": {}} if design.ir == "expost" else {"expected_utility": -bad}
            if bad > best[0]:
                best = (bad, where)
        add(f"{design.ir}_ir", *best)
    if design.budget != "none":
        surplus = sum(m * float(f @ x) for m, f, x in zip(classes.sizes, classes.marginals, p))
        add(f"{design.budget}_budget", -surplus if design.budget == "exante_weak" else abs(surplus),
            {"expected_surplus": surplus})
    if not design.payments:
        add("no_payments", max(float(np.abs(x).max(initial=0)) for x in p), None)
    return checks.certificate()


def interim_objective(classes: Classes, values, design: Design, q, p) -> float:
    """E[Σ_i w_i u_i + w_pay Σ_i t_i] from the interim rule."""
    total = 0.0
    for c, g in enumerate(classes.members):
        w = design.objective.agent_weights[g[0]]
        f = classes.marginals[c]
        utility = float(f @ (values[c] * q[c] - p[c]))
        total += classes.sizes[c] * (w * utility + design.objective.payment_weight * float(f @ p[c]))
    return total


def explode(auction: SingleItem, classes: Classes, lottery: Lottery, q, p) -> Mechanism:
    """The lottery as an explicit direct mechanism (winner pays p/q; p when q = 0)."""
    win = ex_post_allocation(classes, lottery, auction.shape)
    n = auction.n_agents
    x = np.zeros(auction.shape + (len(auction.outcomes),))
    t = np.zeros((n,) + auction.shape)
    for c, g in enumerate(classes.members):
        with np.errstate(divide="ignore", invalid="ignore"):
            price = np.where(q[c] > 0, p[c] / np.where(q[c] > 0, q[c], 1.0), 0.0)
        for i in g:
            x[..., auction.winner_outcome[i]] = win[..., i]
            axis = [1] * n
            axis[i] = -1
            flat_p = np.where(q[c] > 0, 0.0, p[c]).reshape(axis)
            t[i] = price.reshape(axis) * win[..., i] + flat_p
    x[..., auction.no_sale] = np.clip(1.0 - win.sum(axis=-1), 0.0, None)
    return Mechanism(auction.agents, auction.types, auction.outcomes, x, t)


def interim_to_dict(auction: SingleItem, classes: Classes, q, p) -> dict:
    out = {}
    for c, g in enumerate(classes.members):
        for i in g:
            out[auction.agents[i]] = {"types": list(auction.types[i]), "values": auction.values[i].tolist(),
                                      "win_probability": q[c].tolist(), "payment": p[c].tolist()}
    return out


def explicit_environment_ok(env) -> bool:
    return isinstance(env, Environment) and env.n_profiles * (env.n_outcomes + env.n_agents) <= EXPLODE_BELOW
