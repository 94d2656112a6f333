"""The interim reduced form of a single-item auction (Border 1991; Cai, Daskalakis & Weinberg 2012).

For single-item BIC designs with independent private values the optimum is found over interim
rules q_i(t), p_i(t) with Border's inequalities separated exactly (:mod:`amd.border`), then
written as a lottery over hierarchies (Carathéodory, column generation as a fallback) and
verified bidder by bidder (:mod:`amd.interim`); up to two million allocation entries the
lottery is also exploded into an explicit mechanism and checked by the full verifier.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from amd import interim, limits
from amd.auction import SingleItem, reason_not_applicable
from amd.border import Classes, Lottery
from amd.certificate import Certificate
from amd.concepts.base import Concept
from amd.concepts.direct import CONCEPT as DIRECT
from amd.errors import InstanceError
from amd.interim import interim_objective, verify_interim
from amd.io.arrays import nested_array
from amd.io.schema import Instance
from amd.report import interim_table
from amd.result import Details, Result, checked, no_gc
from amd.solver import SolverOptions
from amd.verifier import objective_value, verify

#: the default switches to the reduced form from this many allocation columns
REDUCED_FROM = 20_000


@dataclass(frozen=True)
class InterimSolve(Details):
    """How the interim rule was found and implemented (the last four once it is optimal)."""

    border_rows: int
    bic_rows_added: int
    rounds: int
    #: the sizes of the classes of alike bidders
    classes: list[int]
    hierarchies: int | None = None
    column_generation_rounds: int | None = None
    #: per bidder: types, values, win_probability, payment (amd.interim.interim_to_dict)
    interim: dict | None = None
    #: the rule that implements it ex post and the lottery over hierarchies
    ex_post: dict | None = None


@dataclass(frozen=True)
class ReducedFormDetails(Details):
    reduced_form: InterimSolve


def _auction(inst: Instance, reduced: bool | None):
    """The SingleItem to solve in reduced form, or None for the direct model."""
    env = inst.environment
    if isinstance(env, SingleItem):  # too large to write out: the reduced form or nothing
        why = reason_not_applicable(env, inst.design)
        if why is not None or reduced is False:
            raise InstanceError(inst.file, None, f"{limits.count(env.n_profiles)} type profiles are too many for the direct "
                                                 f"model, and the interim reduced form {why or 'was turned off'}")
        return env
    if reduced is False or (reduced is None and env.n_profiles * env.n_outcomes < REDUCED_FROM):
        return None
    auction = SingleItem.from_environment(env)
    why = reason_not_applicable(auction, inst.design)
    if why is None:
        return auction
    if reduced:
        raise InstanceError(inst.file, None, f"the interim reduced form does not apply: {why}")
    return None


def solve_reduced(inst: Instance, auction, options: SolverOptions, tolerance: float) -> Result:
    """Interim LP with lazy Border rows, lottery over hierarchies, verification (amd.interim)."""
    design = inst.design
    timing: dict[str, float] = {}
    with no_gc():
        sol = interim.solve_interim(auction, design, options, tolerance, timing)
    if sol.status != "optimal":
        return Result(inst.name, sol.status, timing=timing, message=sol.message, program=sol.program,
                      details=ReducedFormDetails(InterimSolve(**sol.stats)))
    lay, q, p, program, stats, lp_value = sol.layout, sol.q, sol.p, sol.program, sol.stats, sol.value
    classes = lay.classes
    start = time.perf_counter()
    lottery, cg_rounds = interim.decompose(classes, q, options)
    timing["decompose_s"] = time.perf_counter() - start
    start = time.perf_counter()
    cert = interim.verify_interim(auction, classes, design, q, p, lottery, tolerance)
    value = interim.interim_objective(classes, lay.values, design, q, p)
    mech = None
    if interim.explicit_environment_ok(inst.environment):
        mech = interim.explode(auction, classes, lottery, q, p)
        full = verify(inst.environment, design, mech, tolerance)
        cert = Certificate(cert.verified and full.verified, max(cert.max_violation, full.max_violation),
                           max(cert.tolerance, full.tolerance), full.checks | {
                               k: c for k, c in cert.checks.items() if k in ("border", "ex_post_lottery")})
        value = objective_value(inst.environment, design, mech)
    timing["verify_s"] = time.perf_counter() - start
    details = ReducedFormDetails(InterimSolve(
        **stats, hierarchies=len(lottery.weights), column_generation_rounds=cg_rounds,
        interim=interim.interim_to_dict(auction, classes, q, p),
        ex_post={"rule": "with probability weight, the hierarchy's highest positive score wins (ties "
                         "uniform); the winner pays payment/win_probability of their type",
                 "lottery": lottery.to_dict(classes, auction.agents)}))
    status, message = checked("optimal", sol.message, value, lp_value, cert,
                               "objective recomputed from the mechanism", "the reduced-form mechanism")
    failed = set(cert.failures())
    if abs(value - lp_value) <= cert.tolerance and failed and failed <= {"ex_post_lottery", "lottery_weights"}:
        message += (f" (the interim rule itself passes every check, Border's inequalities exactly, so its value "
                    f"{value:.10g} is the optimum; only the lottery over hierarchies that implements it fell "
                    f"short after {cg_rounds} column-generation rounds)")
    return Result(inst.name, status, value, mech, cert, timing, None, message, program=program, details=details)


def check_reduced_form(inst, form: dict, file: str):
    """`amd verify` for a reduced-form result (``mechanism: null``): the interim rule and the
    ex-post lottery, bidder by bidder (see amd.interim.verify_interim)."""
    env = inst.environment
    auction = env if isinstance(env, SingleItem) else SingleItem.from_environment(env)
    if auction is None:
        raise InstanceError(inst.file, None, "a reduced-form result needs a single-item auction instance")
    n = auction.n_agents
    classes = Classes(auction.marginals, np.ones(n, int), tuple((i,) for i in range(n)))
    interim, lottery = form.get("interim"), (form.get("ex_post") or {}).get("lottery")
    if not isinstance(interim, dict) or not isinstance(lottery, list):
        raise InstanceError(file, "reduced_form", "expected 'interim' and 'ex_post.lottery' (a result of amd solve)")
    q, p = [], []
    for i, a in enumerate(auction.agents):
        row = interim.get(a)
        if not isinstance(row, dict):
            raise InstanceError(file, f"reduced_form.interim.{a}", "missing this bidder's interim rule")
        k = (len(auction.types[i]),)
        q.append(nested_array(row.get("win_probability"), k, [f"one per type of {a}"], file,
                              f"reduced_form.interim.{a}.win_probability"))
        p.append(nested_array(row.get("payment"), k, [f"one per type of {a}"], file, f"reduced_form.interim.{a}.payment"))
    scores, weights = [], []
    for h, entry in enumerate(lottery):
        where = f"reduced_form.ex_post.lottery[{h}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("scores"), dict):
            raise InstanceError(file, where, "expected {weight, scores: {bidder: [...]}}")
        weights.append(nested_array(entry.get("weight"), (), [], file, f"{where}.weight"))
        scores.append(classes.flat([nested_array(entry["scores"].get(a), (len(auction.types[i]),),
                                                 [f"one per type of {a}"], file, f"{where}.scores.{a}")
                                    for i, a in enumerate(auction.agents)]))
    cert = verify_interim(auction, classes, inst.design, q, p, Lottery(scores, np.array(weights, float)))
    return interim_objective(classes, auction.values, inst.design, q, p), cert


def chosen(inst: Instance, reduced: bool | None) -> bool:
    """Whether ``inst`` is solved in reduced form (``reduced``: True forces it, False forbids it,
    None decides by size); a clear error where it is forced but does not apply."""
    return _auction(inst, reduced) is not None


class ReducedForm(Concept):
    name = "reduced_form"

    def solve(self, inst, options, tolerance, choices):
        env = inst.environment
        auction = env if isinstance(env, SingleItem) else SingleItem.from_environment(env)
        return solve_reduced(inst, auction, options, tolerance)

    def check(self, inst, document, file):
        return check_reduced_form(inst, document["reduced_form"], file)

    def report(self, result, inst, console, max_rows):
        DIRECT.report(result, inst, console, max_rows)  # the exploded mechanism, when there is one
        form = getattr(result.details, "reduced_form", None)
        if form is not None and form.interim is not None:
            console.print(interim_table(form, max_rows))

    def describe(self, inst):
        return DIRECT.describe(inst)

    def problem(self, inst):
        return DIRECT.problem(inst)


CONCEPT = ReducedForm()
