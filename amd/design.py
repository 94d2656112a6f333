"""The one flow: instance → Pyomo model → HiGHS → mechanism → independent verification.

``solve`` is what ``amd solve`` and the Python API call. Build, load (compile + pass to
HiGHS), solve and verify are timed separately. A result is ``optimal`` only when the solver
says so *and* the verifier passes; a solution that fails verification is reported as
``error`` with the violated constraint named.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from amd import limits, separation
from amd.environment import Design, Environment, Objective
from amd.errors import InstanceError
from amd.mechanism import Mechanism, clean
from amd.provenance import versions
from amd.models import direct_mechanism
from amd.schema import Instance, load
from amd.solver import LinearProgram, SolverOptions, TriviallyInfeasible
from amd.verifier import DEFAULT_TOLERANCE, Certificate, instance_scale, objective_value, verify


@dataclass
class Result:
    """The answer to one instance (SPEC §3)."""

    instance: str
    status: str
    objective: float | None = None
    mechanism: Mechanism | None = None
    certificate: Certificate | None = None
    timing: dict = field(default_factory=dict)
    gap: float | None = None
    message: str = ""
    kind: str = "mechanism"
    #: information design: π(θ, a) laid out [state][a_1]…[a_n], and what it implies
    outcome: np.ndarray | None = None
    details: dict = field(default_factory=dict)
    #: the options it was solved with (SPEC §3: every result carries them)
    options: dict = field(default_factory=dict)
    #: the kept HiGHS model (add rows, change bounds, re-solve warm); not serialized
    program: LinearProgram | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        out = {
            "format": "amd/1",
            "instance": self.instance,
            "kind": self.kind,
            "status": self.status,
            "objective": self.objective,
        }
        if self.kind == "information":
            out["outcome"] = None if self.outcome is None else clean(self.outcome).tolist()
            out.update(self.details)
        else:
            out["mechanism"] = self.mechanism.to_dict() if self.mechanism is not None else None
            out.update(self.details)
        out |= {
            "certificate": self.certificate.to_dict() if self.certificate is not None else None,
            "timing": {k: round(v, 6) for k, v in self.timing.items()},
        }
        if self.gap is not None:
            out["gap"] = self.gap
        if self.message:
            out["message"] = self.message
        out["options"] = self.options
        out["versions"] = versions()
        return out


def _checked(status: str, message: str, value: float, lp_value: float, cert: Certificate, recomputed: str,
             what: str) -> tuple[str, str]:
    """The status to report: "error" (and why) when the value recomputed from the solution differs
    from HiGHS's or the independent check fails, else the solver's own."""
    if abs(value - lp_value) > cert.tolerance:
        return "error", f"{recomputed} ({value!r}) differs from HiGHS's ({lp_value!r})"
    if not cert.verified:
        return "error", f"{what} fails verification: " + ", ".join(
            f"{k} violated by {cert.checks[k].max_violation:.3g}" for k in cert.failures())
    return status, message


@contextmanager
def _no_gc():
    """Pyomo's build and compile allocate many small objects that never form cycles;
    pausing the cyclic collector there is measured to save 1.4-2.3x (DESIGN.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def solve(instance: Instance | str | Path, *, time_limit: float | None = None, gap: float | None = None,
          threads: int | None = None, method: str = "choose", tolerance: float = DEFAULT_TOLERANCE,
          verbose: bool = False, full: bool | None = None, symmetric: bool | None = None,
          reduced: bool | None = None) -> Result:
    """Find the optimal direct mechanism of ``instance`` (an :class:`Instance` or a file path).

    Parameters
    ----------
    time_limit : seconds of wall time for the whole solve (build, load, every HiGHS call and
        separation round); on expiry the best incumbent (MIP) is returned with
        ``status == 'time_limit'`` and its gap. The model build itself is not interrupted.
    gap : relative MIP gap at which HiGHS may stop; default 1e-9 (a proven optimum, where
        HiGHS's own default of 1e-4 would accept a mechanism 0.01 % short of it).
    threads : HiGHS threads (default: HiGHS decides).
    method : ``choose`` | ``simplex`` | ``ipm`` | ``pdlp``.
    tolerance : the verifier's relative tolerance.
    full : build every IC row (True), generate them lazily (False), or decide (None: lazily
        for randomized private-value designs with at least 20,000 IC rows; see
        :mod:`amd.separation`). The optimum is the same either way.
    symmetric : solve over symmetric mechanisms when the agents are exchangeable (None or True,
        for randomized designs; see :mod:`amd.models.symmetry`), or never (False). The optimum
        is the same; the exploded mechanism is returned and verified.
    reduced : solve a single-item BIC design in interim reduced form (True), never (False), or
        decide (None: when the direct model would have at least 20,000 allocation columns, and
        always for instances too large to write out). See :mod:`amd.interim`.

    Examples
    --------
    >>> r = solve("instances/auctions/myerson-1-bidder-midpoint10.yaml")  # doctest: +SKIP
    >>> r.status, round(r.objective, 6)  # doctest: +SKIP
    ('optimal', 0.275)
    """
    options = SolverOptions(time_limit=time_limit, gap=gap, threads=threads, method=method, verbose=verbose)
    choices = {"tolerance": tolerance, "full": full, "symmetric": symmetric, "reduced": reduced}
    for name, value in choices.items():
        if name == "tolerance":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise InstanceError("--tolerance", None, f"expected a number in (0, 1), got {value!r}")
        elif value is not None and not isinstance(value, bool):
            raise InstanceError(f"--{name}", None, f"expected true, false or None, got {value!r}")
    inst = instance if isinstance(instance, Instance) else load(instance)
    options = options.started()
    if inst.kind == "information":
        result = _solve_information(inst, options, tolerance)
    elif (auction := _reduced_form_auction(inst, reduced)) is not None:
        result = _solve_reduced(inst, auction, options, tolerance)
    else:
        result = _solve(inst, inst.design, options, tolerance, full=full, symmetric=symmetric)
    result.options = options.as_dict() | choices
    return result


#: the default switches to the reduced form from this many allocation columns
REDUCED_FROM = 20_000


def _reduced_form_auction(inst: Instance, reduced: bool | None):
    """The SingleItem to solve in reduced form, or None for the direct model."""
    from amd import interim
    from amd.auction import SingleItem

    env = inst.environment
    if isinstance(env, SingleItem):  # too large to write out: the reduced form or nothing
        why = interim.reason_not_applicable(env, inst.design)
        if why is not None or reduced is False:
            raise InstanceError(inst.file, None, f"{limits.count(env.n_profiles)} type profiles are too many for the direct "
                                                 f"model, and the interim reduced form {why or 'was turned off'}")
        return env
    if reduced is False or (reduced is None and env.n_profiles * env.n_outcomes < REDUCED_FROM):
        return None
    auction = SingleItem.from_environment(env)
    why = interim.reason_not_applicable(auction, inst.design)
    if why is None:
        return auction
    if reduced:
        raise InstanceError(inst.file, None, f"the interim reduced form does not apply: {why}")
    return None


def _solve_reduced(inst: Instance, auction, options: SolverOptions, tolerance: float) -> Result:
    """Interim LP with lazy Border rows, lottery over hierarchies, verification (amd.interim)."""
    from amd import interim

    design = inst.design
    timing: dict[str, float] = {}
    with _no_gc():
        sol = interim.solve_interim(auction, design, options, tolerance, timing)
    if sol.status != "optimal":
        return Result(inst.name, sol.status, timing=timing, message=sol.message, program=sol.program,
                      details={"reduced_form": sol.stats})
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
    details = {"reduced_form": stats | {
        "hierarchies": len(lottery.weights), "column_generation_rounds": cg_rounds,
        "interim": interim.interim_to_dict(auction, classes, q, p),
        "ex_post": {"rule": "with probability weight, the hierarchy's highest positive score wins (ties "
                            "uniform); the winner pays payment/win_probability of their type",
                    "lottery": lottery.to_dict(classes, auction.agents)}}}
    status, message = _checked("optimal", sol.message, value, lp_value, cert,
                               "objective recomputed from the mechanism", "the reduced-form mechanism")
    failed = set(cert.failures())
    if abs(value - lp_value) <= cert.tolerance and failed and failed <= {"ex_post_lottery", "lottery_weights"}:
        message += (f" (the interim rule itself passes every check, Border's inequalities exactly, so its value "
                    f"{value:.10g} is the optimum; only the lottery over hierarchies that implements it fell "
                    f"short after {cg_rounds} column-generation rounds)")
    return Result(inst.name, status, value, mech, cert, timing, None, message, program=program, details=details)


def _solve_information(inst: Instance, options: SolverOptions, tolerance: float) -> Result:
    """Designer-best or adversarial outcome over Bayes correlated equilibria, over the
    sequential extensive forms, or on a given game tree; verified independently."""
    from amd import extensive, information
    from amd.models import bce, sequential
    from amd.models import extensive as tree_model

    game = inst.environment
    timing: dict[str, float] = {}
    start = time.perf_counter()
    with _no_gc():
        if inst.design.solution == "extensive":
            try:
                layout = extensive.layout(game, inst.design.credible)
            except extensive.TreeTooLarge as e:
                raise InstanceError(inst.file, "game", str(e)) from None
            model, columns = tree_model.build(layout, inst.design.sense)
        elif inst.design.solution == "sequential":
            model, columns, layout = sequential.build(game, inst.design.sense)
        else:
            model, columns = bce.build(game, inst.design.sense)
        timing["build_s"] = time.perf_counter() - start
        start = time.perf_counter()
        program = LinearProgram.from_pyomo(model, columns, options)
    timing["load_s"] = time.perf_counter() - start
    out = program.solve()
    timing["solve_s"] = out.solve_s
    if out.values is None:
        return Result(inst.name, out.status, timing=timing, message=out.message, kind="information", program=program)
    start = time.perf_counter()
    details: dict = {}
    if inst.design.solution == "extensive":
        w = np.maximum(out.values[:layout.n_w], 0.0)  # HiGHS's −1e-12 noise is no designer probability
        cert = extensive.verify_plan(layout, w, tolerance)
        pi = extensive.outcome(layout, w)
        details = {"leaves": list(game.leaves), "credible": inst.design.credible,
                   "size": {"designer_histories": len(layout.points), "information_states": layout.n_states,
                            "deviation_events": len(layout.events)},
                   "punishment_mass": extensive.punishment_mass(layout, w),
                   # the whole plan, so that `amd verify` can check a written result again
                   "plan": extensive.plan_to_dict(layout, w)}
    elif inst.design.solution == "sequential":
        z = out.values
        plan = z[layout.pi]
        keys = information.deviation_keys(game.n_players)
        eta = [z[layout.hidden[key]] for key in keys]
        rho = [z[layout.revealed[key]] for key in keys if key in layout.revealed]
        cert = information.verify_sequential(game, plan, rho, eta, tolerance)
        pi = plan.sum(axis=1)
        details["order"] = {information.order_label(game, o): float(plan[:, s].sum()) + 0.0
                            for s, o in enumerate(layout.orders)}
        details["punishment_mass"] = {"revealed": float(sum(x.sum() for x in rho)),
                                      "hidden": float(sum(x.sum() for x in eta))}
        # the whole plan, so that `amd verify` can check a written result again
        details["plan"] = {"onpath": clean(plan).tolist(), "revealed": [clean(x).tolist() for x in rho],
                           "hidden": [clean(x).tolist() for x in eta]}
    else:
        pi = out.values.reshape(game.shape)
        cert = information.verify_outcome(game, pi, tolerance)
    if inst.design.solution == "extensive":
        value = extensive.designer_value(game, pi)
    else:
        value = information.designer_value(game, pi)
        details |= {
            "signals": clean(information.signals(game, pi)).tolist(),
            "posteriors": clean(information.posteriors(game, pi)).tolist(),
        }
    if inst.design.solution == "bce":
        details["obedience_slack"] = information.obedience_slack(game, pi)
    timing["verify_s"] = time.perf_counter() - start
    status, message = _checked(out.status, out.message, value, out.objective, cert,
                               "designer value recomputed from the outcome", "the solver's outcome")
    return Result(inst.name, status, value, None, cert, timing, None, message, kind="information",
                  outcome=pi, details=details, program=program)


def solve_fixed_allocation(inst: Instance, allocation: np.ndarray, *, objective: Objective | None = None,
                           tolerance: float = DEFAULT_TOLERANCE) -> Result:
    """The payments-only LP: ``inst``'s constraints with the allocation fixed.

    Maximizes expected payments when participation constraints bound them (the
    revenue-maximal payments for this rule), else looks for any feasible payments.
    """
    design = inst.design
    if objective is None:
        n = inst.environment.n_agents
        bounded = design.ir != "none" or design.payment_bounds[1] is not None
        objective = Objective("maximize", "revenue" if bounded else "feasibility", (0.0,) * n,
                              1.0 if bounded else 0.0, 0.0)
    fixed = dataclasses.replace(design, objective=objective, randomized=True)
    result = _solve(inst, fixed, SolverOptions(), tolerance, allocation)
    if result.status == "unbounded":  # payments exist; any feasible ones will do
        zero = Objective("maximize", "feasibility", (0.0,) * inst.environment.n_agents, 0.0, 0.0)
        result = _solve(inst, dataclasses.replace(fixed, objective=zero), SolverOptions(), tolerance, allocation)
    return result


def _check_size(inst: Instance, design: Design, lazy: bool) -> None:
    """Refuse, before building, a direct model or verifier tables beyond amd.limits."""
    env = inst.environment
    k = env.shape
    limits.check(env.n_profiles * sum(k), inst.file, "agents", "the verifier's utility tables (profiles x types)")
    rows = (env.n_profiles * sum(min(ki - 1, 8) for ki in k) if lazy
            else separation.ic_row_count(env, design.ic) if design.ic != "none" else 0)
    columns = env.n_profiles * (env.n_outcomes + env.n_agents)
    # a Pyomo column or row weighs about 16 plain numbers, a term of a row about 2
    limits.check(columns + rows + rows * (2 * env.n_outcomes + 2) // 8, inst.file, "agents",
                 "the direct model (columns, IC rows and their terms)", limits.PYTHON_OBJECT)


#: instances whose numbers are this large (in magnitude, at most) are solved as written
UNITS = (1e-3, 1e3)


def _in_solver_units(env: Environment, design: Design) -> tuple[float, Environment, Design]:
    """(unit, environment, design) with values, the designer's values and payment bounds divided
    by ``unit``, the instance's scale, when that lies outside UNITS — else unit 1, unchanged.

    HiGHS works to absolute tolerances (1e-9 here) and drops coefficients below 1e-9: an auction
    with values of 1e-10 would come back with the zero mechanism, "optimal". Every constraint and
    the objective are homogeneous of degree one in (values, payments), so the optimum of the
    rescaled problem times ``unit`` is the optimum of the original; the verifier checks the
    mechanism in the original units."""
    scale = instance_scale(env, design)
    if UNITS[0] <= scale <= UNITS[1]:
        return 1.0, env, design
    lo, hi = design.payment_bounds
    return scale, dataclasses.replace(env, values=env.values / scale, designer_values=env.designer_values / scale), \
        dataclasses.replace(design, payment_bounds=(None if lo is None else lo / scale, None if hi is None else hi / scale))


def _solve(inst: Instance, design: Design, options: SolverOptions, tolerance: float,
           allocation: np.ndarray | None = None, full: bool | None = None,
           symmetric: bool | None = None) -> Result:
    from amd.models import symmetry

    env = inst.environment
    timing: dict[str, float] = {}
    lazy = separation.applies(env, design, allocation, full)
    _check_size(inst, design, lazy)
    unit, model_env, model_design = _in_solver_units(env, design)
    start = time.perf_counter()
    with _no_gc():
        orbits = None
        if symmetric is not False and design.randomized and allocation is None:
            orbits = symmetry.orbits(model_env, design.payments)
        core = direct_mechanism.core_deviations(model_env, design.ic) if lazy else None
        form = direct_mechanism.build(model_env, model_design, allocation, core, orbits)
        timing["build_s"] = time.perf_counter() - start
        start = time.perf_counter()
        try:
            program = LinearProgram.from_pyomo(form.model, form.columns, options)
        except TriviallyInfeasible as e:
            timing["load_s"] = time.perf_counter() - start
            return Result(inst.name, "infeasible", timing=timing, message=str(e))
    timing["load_s"] = time.perf_counter() - start

    timing["solve_s"] = timing["verify_s"] = 0.0
    rounds, added = 0, 0
    while True:
        out = program.solve()
        timing["solve_s"] += out.solve_s
        if out.values is None:
            return Result(inst.name, out.status, timing=timing, message=out.message, program=program)
        start = time.perf_counter()
        x, t = form.split(out.values)
        t = t * unit
        if not design.randomized:
            x = x.round()  # integral up to HiGHS's 1e-9 feasibility tolerance
        mech = Mechanism(env.agents, env.types, env.outcomes, x, t)
        cert = verify(env, design, mech, tolerance)
        cuts = None
        if lazy and out.status == "optimal" and not cert.checks[design.ic].holds:
            cuts = separation.violated(env, design, mech, cert.tolerance)
        timing["verify_s"] += time.perf_counter() - start
        if cuts is None:
            break
        if rounds == separation.MAX_ROUNDS:
            return Result(inst.name, "error", timing=timing, program=program,
                          message=f"constraint generation did not converge in {rounds} rounds (try --full)")
        rows = (direct_mechanism.dsic_rows if design.ic == "dsic" else direct_mechanism.bic_rows)(
            model_env, form.layout, cuts)
        A, lo, hi = form.rows(rows)
        program.add_rows(A, lo, hi)
        rounds, added = rounds + 1, added + A.shape[0]
    value = objective_value(env, design, mech)
    details = {}
    if orbits is not None:
        details["symmetry"] = {"exchangeable_agents": env.n_agents, "columns_full": form.layout.n_columns,
                               "columns_symmetric": orbits.n_orbits}
    if lazy:
        details["constraint_generation"] = {
            "ic_rows_full": separation.ic_row_count(env, design.ic),
            "ic_rows_core": len(getattr(form.model, design.ic)),
            "ic_rows_added": added, "rounds": rounds}
    if unit != 1.0:
        details["solver_units"] = unit

    status, message = _checked(out.status, out.message, value, out.objective * unit, cert,
                               "objective recomputed from the mechanism", "the solver's mechanism")
    return Result(inst.name, status, value, mech, cert, timing, out.gap, message, program=program,
                  details=details)
