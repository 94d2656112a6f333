"""The direct mechanism: the optimal allocation and payments per type profile (SPEC §1.1).

The LP (or, for deterministic mechanisms, the MIP) of :mod:`amd.models.direct_mechanism` over
every type profile — with IC rows generated lazily (:mod:`amd.separation`), exchangeable agents
solved over symmetric mechanisms (:mod:`amd.models.symmetry`), and instances with tiny or huge
numbers solved in solver units — and the independent verifier of :mod:`amd.verifier`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp

from amd import infeasibility, limits, modeling, separation
from amd.auction import SingleItem
from amd.certificate import Certificate
from amd.concepts.base import Concept, count
from amd.environment import Design, Environment, Objective
from amd.errors import InstanceError
from amd.io.schema import Instance
from amd.mechanism import Mechanism
from amd.models import direct_mechanism, symmetry
from amd.plot import mechanism_kind, plot_mechanism
from amd.report import interim_view_table, mechanism_table
from amd.result import Details, Result, checked, no_gc, timed
from amd.solver import (
    LinearProgram,
    SolverOptions,
    TriviallyInfeasible,
    solve_with_cuts,
)
from amd.verifier import (
    DEFAULT_TOLERANCE,
    instance_scale,
    interim_view,
    objective_value,
    verify,
)

#: BIC results carry the interim view up to this many type profiles
INTERIM_VIEW_UP_TO = 100_000


@dataclass(frozen=True)
class Symmetry(Details):
    """Exchangeable agents solved over symmetric mechanisms (:mod:`amd.models.symmetry`)."""

    exchangeable_agents: int
    columns_full: int
    columns_symmetric: int


@dataclass(frozen=True)
class ConstraintGeneration(Details):
    """IC rows generated lazily (:mod:`amd.separation`): how many of all were needed."""

    ic_rows_full: int
    ic_rows_core: int
    ic_rows_added: int
    rounds: int


@dataclass(frozen=True)
class Tidy(Details):
    """The second stage of ``--tidy``: the largest payment before and after, same objective."""

    largest_payment_before: float
    largest_payment_after: float
    criterion: str = "minimize the largest |t_i(θ)| over the optimal face"


@dataclass(frozen=True)
class DirectDetails(Details):
    symmetry: Symmetry | None = None
    constraint_generation: ConstraintGeneration | None = None
    #: the instance's numbers were divided by this before solving (see :func:`_in_solver_units`)
    solver_units: float | None = None
    #: BIC: per agent and type the expected value, payment and utility (amd.verifier.interim_view)
    interim: dict | None = None
    tidy: Tidy | None = None


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
    result = solve_design(inst, fixed, SolverOptions(), tolerance, allocation)
    if result.status == "unbounded":  # payments exist; any feasible ones will do
        zero = Objective("maximize", "feasibility", (0.0,) * inst.environment.n_agents, 0.0, 0.0)
        result = solve_design(inst, dataclasses.replace(fixed, objective=zero), SolverOptions(), tolerance, allocation)
    return result


def _check_size(inst: Instance, design: Design, lazy: bool) -> None:
    """Refuse, before building, a direct model or verifier tables beyond amd.limits."""
    env = inst.environment
    k = env.shape
    limits.check(env.n_profiles * sum(k), inst.file, "agents", "the verifier's utility tables (profiles x types)")
    rows = (env.n_profiles * sum(min(ki - 1, 8) for ki in k) if lazy
            else separation.ic_row_count(env, design.ic) if design.ic != "none" else 0)
    # every IC term pairs a true profile with a misreport (a BIC row sums over all θ_-i), and
    # carries a value per outcome and a payment, on the truthful and the misreported side
    deviations = (0 if design.ic == "none" else
                  env.n_profiles * sum(min(ki - 1, 8) if lazy else ki - 1 for ki in k))
    terms = deviations * 2 * (env.n_outcomes + 1)
    columns = env.n_profiles * (env.n_outcomes + env.n_agents)
    # a Pyomo column or row weighs about 16 plain numbers, a term of a row about 2
    limits.check(columns + rows + terms // 8, inst.file, "agents",
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


def solve_design(inst: Instance, design: Design, options: SolverOptions, tolerance: float,
           allocation: np.ndarray | None = None, full: bool | None = None,
           symmetric: bool | None = None, tidy: bool = False, user=None) -> Result:
    """The direct model of ``inst`` under ``design``, solved and verified. With ``tidy``, a second
    stage keeps the optimum and picks, on the optimal face, a mechanism whose largest payment
    |t_i(θ)| is smallest (a vertex of the first stage may charge 264 on values of at most 4).
    ``user``: (constraint functions, objective function) called on the readable model
    (:mod:`amd.modeling`) — every row is then built, in the instance's units, not symmetrized."""
    env = inst.environment
    timing: dict[str, float] = {}
    if user is not None:  # the user's functions see the whole model, in the instance's units
        full, symmetric = True, False
    lazy = separation.applies(env, design, allocation, full)
    _check_size(inst, design, lazy)
    unit, model_env, model_design = (1.0, env, design) if user is not None else _in_solver_units(env, design)
    with no_gc():
        with timed(timing, "build_s"):
            orbits = None
            if symmetric is not False and design.randomized and allocation is None:
                orbits = symmetry.orbits(model_env, design.payments)
            one = direct_mechanism.writes_over_orbits(model_env, design, allocation, orbits)
            core = direct_mechanism.core_deviations(model_env, design.ic, 1 if one else None) if lazy else None
            form = direct_mechanism.build(model_env, model_design, allocation, core, orbits)
            if user is not None:
                modeling.readable(form.model, env, form.layout)
                modeling.apply_user(form.model, *user, design.objective.sense)
        try:
            with timed(timing, "load_s"):
                program = LinearProgram.from_pyomo(form.model, form.columns, options)
        except TriviallyInfeasible as e:
            return Result(inst.name, "infeasible", timing=timing, message=str(e))

    extra = [0]  # columns appended after the model's (the tidy stage's M)
    user_value = [None]  # the user's objective at the solution (None: amd's objective)

    def separate(out):
        x, t = form.split(out.values[:len(out.values) - extra[0]])
        t = t * unit
        if not design.randomized:
            x = x.round()  # integral up to HiGHS's 1e-9 feasibility tolerance
        mech = Mechanism(env.agents, env.types, env.outcomes, x, t)
        cert = verify(env, design, mech, tolerance)
        if user is not None:
            worst, where, mine = modeling.user_check(form.model, form.columns, out.values[:len(form.columns)])
            cert.include("user_constraints", worst, where)
            user_value[0] = mine
        cuts = None
        if lazy and out.status == "optimal" and not cert.checks[design.ic].holds:
            cuts = separation.violated(env, design, mech, cert.tolerance)
        return (mech, cert), cuts

    def ic_rows(cuts=None):
        return form.rows((direct_mechanism.dsic_rows if design.ic == "dsic" else direct_mechanism.bic_rows)(
            model_env, form.layout, cuts))

    def add(cuts) -> int:
        A, lo, hi = ic_rows(cuts)
        program.add_rows(A, lo, hi)
        return A.shape[0]

    if lazy:  # the IC rows never loaded, for an exact check of the final vertex (amd.exact)
        program.omitted_rows = ic_rows

    run = solve_with_cuts(program, timing, separate, add, separation.MAX_ROUNDS, "constraint generation")
    out, rounds, added = run.out, run.rounds, run.added
    if out.values is None:
        cert = None
        if out.status == "infeasible" and program.highs is not None:  # the explanation re-solves in HiGHS
            with timed(timing, "explain_s"):
                why = infeasibility.explain(program, families(form, program, design), row_label(env, form, program))
            if why is not None:
                cert = Certificate(False, 0.0, 0.0, {}, why)
        return Result(inst.name, out.status, certificate=cert, timing=timing, message=out.message, program=program)
    if run.error:
        return Result(inst.name, "error", timing=timing, program=program, message=run.error + " (try --full)")
    mech, cert = run.solution
    value = objective_value(env, design, mech) if user_value[0] is None else user_value[0]
    details = DirectDetails(
        Symmetry(env.n_agents, form.layout.n_columns, orbits.n_orbits) if orbits is not None else None,
        ConstraintGeneration(separation.ic_row_count(env, design.ic), len(getattr(form.model, design.ic)), added,
                             rounds) if lazy else None,
        unit if unit != 1.0 else None,
        interim_view(env, mech) if design.ic == "bic" and env.n_profiles <= INTERIM_VIEW_UP_TO else None)

    status, message = checked(out.status, out.message, value, out.objective * unit, cert,
                               "objective recomputed from the mechanism", "the solver's mechanism")
    if tidy and status == "optimal" and design.payments:
        before = float(np.abs(mech.payments).max(initial=0.0))
        n_x = form.layout.n_x if orbits is None else orbits.n_x
        payment_columns = np.arange(n_x, len(form.columns))
        program.minimize_largest(out.objective, payment_columns, 1e-9 * max(1.0, abs(out.objective)))
        extra[0] = 1
        with timed(timing, "tidy_s"):
            run2 = solve_with_cuts(program, {}, separate, add, separation.MAX_ROUNDS, "constraint generation")
        if run2.out.values is None or run2.error:
            return Result(inst.name, "error", value, mech, cert, timing, out.gap,
                          f"the tidy stage failed ({run2.error or run2.out.message}); the first-stage optimum stands",
                          program=program, details=details)
        tidy_mech, tidy_cert = run2.solution
        tidy_value = objective_value(env, design, tidy_mech)
        # the certificate covers both stages: the tidy mechanism's constraints, and its value
        # against the first stage's proven optimum (which stays the reported objective)
        tidy_cert.include("optimal_face", abs(tidy_value - value), {"first_stage": value, "tidy": tidy_value})
        status, message = checked("optimal", message, tidy_value, value, tidy_cert,
                                  "objective of the tidy mechanism", "the tidy mechanism")
        details = dataclasses.replace(details, tidy=Tidy(before, float(np.abs(tidy_mech.payments).max(initial=0.0))),
                                      interim=interim_view(env, tidy_mech) if details.interim is not None else None)
        mech, cert = tidy_mech, tidy_cert
    return Result(inst.name, status, value, mech, cert, timing, out.gap, message, program=program,
                  details=details)


def families(form, program: LinearProgram, design: Design) -> list[infeasibility.Group]:
    """The model's constraint families (its Pyomo constraint blocks) and the payment bounds, as
    groups of HiGHS rows and columns for :func:`amd.infeasibility.explain`."""
    groups = []
    for block in form.model.component_objects(pyo.Constraint, active=True):
        rows = program.rows_of(block)
        groups.append(infeasibility.Group(block.local_name, rows[rows >= 0]))
    if design.payments and design.payment_bounds != (None, None):
        t_cols = np.flatnonzero(program.index >= form.layout.n_x if form.orbits is None
                                else program.index >= form.orbits.n_x)
        groups.append(infeasibility.Group("payment_bounds", columns=t_cols))
    return groups


def row_label(env: Environment, form, program: LinearProgram):
    """``label(family, row)``: a row of the direct model in words — whose constraint, at which
    type — read off its payment columns; None for a symmetric model (orbit columns)."""
    if form.orbits is not None or not form.layout.payments:
        return None
    lp = program.highs.getLp()
    A = sp.csc_array((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_), np.asarray(lp.a_matrix_.start_)),
                     shape=(lp.num_row_, lp.num_col_)).tocsr()
    lay = form.layout
    coords = np.unravel_index(np.arange(env.n_profiles), env.shape)

    def label(family: str, r: int) -> dict | None:
        cols = program.index[A.indices[A.indptr[r]:A.indptr[r + 1]]]
        coef = A.data[A.indptr[r]:A.indptr[r + 1]]
        t = cols >= lay.n_x
        if not t.any():
            return None
        agent, prof = np.divmod(cols[t] - lay.n_x, env.n_profiles)
        if family.endswith("budget"):
            return {"family": family} | ({"profile": _profile_words(env, prof[0])} if family.startswith("expost") else {})
        if len(set(agent.tolist())) != 1:
            return None
        i = int(agent[0])
        types = env.types[i]
        own = sorted({types[coords[i][p]] for p, a in zip(prof, coef[t]) if a < 0})
        out = {"family": family, "agent": env.agents[i], "type": "/".join(own)}
        if family in ("dsic", "bic"):
            out["report"] = "/".join(sorted({types[coords[i][p]] for p, a in zip(prof, coef[t]) if a > 0}))
        if family in ("dsic", "expost_ir"):
            out["profile"] = _profile_words(env, prof[0])
        return out

    return label


def _profile_words(env: Environment, p: int) -> str:
    idx = np.unravel_index(int(p), env.shape)
    return ", ".join(f"{a}={t[j]}" for a, t, j in zip(env.agents, env.types, idx))


def require_explicit(inst: Instance) -> Instance:
    """The instance, if its type profiles are written out (not a compact SingleItem)."""
    if isinstance(inst.environment, SingleItem):
        raise InstanceError(inst.file, None, f"{limits.count(inst.environment.n_profiles)} type profiles are too "
                            "many to write out; only 'amd solve' handles this instance (in interim reduced form)")
    return inst


class Direct(Concept):
    name = "direct"

    def solve(self, inst, options, tolerance, choices):
        user = choices.get("user")
        return solve_design(inst, inst.design, options, tolerance, full=choices.get("full"),
                            symmetric=choices.get("symmetric"), tidy=bool(choices.get("tidy")),
                            user=user if user and any(user) else None)

    def check(self, inst, document, file):
        require_explicit(inst)
        data, path = document, ""
        if isinstance(document.get("mechanism"), dict):  # a result file written by `amd solve --out`
            data, path = document["mechanism"], "mechanism"
        mech = Mechanism.from_dict(data, inst.environment, file, path, require_payments=inst.design.payments)
        cert = verify(inst.environment, inst.design, mech)
        return objective_value(inst.environment, inst.design, mech), cert

    def report(self, result, inst, console, max_rows):
        if result.mechanism is not None:
            table, left = mechanism_table(result.mechanism, inst.environment.prior, max_rows)
            console.print(table)
            if left:
                console.print(f"  … {left} more profiles not shown (--rows N shows more; --json or --out gives all)")
        view = getattr(result.details, "interim", None)
        if view:
            console.print(interim_view_table(view, max_rows))

    def footnote(self, result):
        gen = getattr(result.details, "constraint_generation", None)
        if gen:
            return (f"  IC rows: {gen.ic_rows_core:,} core + {gen.ic_rows_added:,} generated in "
                    f"{gen.rounds} rounds, of {gen.ic_rows_full:,} (--full builds all)")
        return None

    def describe(self, inst):
        env = inst.environment
        return f"{count(env.n_agents, 'agent')}, {count(env.n_profiles, 'profile')}, {count(env.n_outcomes, 'outcome')}"

    def plottable(self, inst):
        env = require_explicit(inst).environment
        if mechanism_kind(env) is None:
            raise InstanceError(inst.file, "outcomes", "mechanisms are drawn for single-item auctions, bilateral trade "
                                                       "(outcomes no_trade, trade) and one buyer with two items")

    def plot(self, inst, result, path, title):
        if result.mechanism is None:
            raise InstanceError(inst.file, None, "no mechanism to draw (too many profiles to write out)")
        return plot_mechanism(inst.environment, result.mechanism, path, title)

    def problem(self, inst):
        d = inst.design
        parts = [d.ic, f"{d.ir} IR" if d.ir != "none" else "no IR"]
        if d.budget != "none":
            parts.append(f"{d.budget} BB" + (" incl. designer" if d.budget_designer else ""))
        parts.append("LP" if d.randomized else "MIP")
        if not d.payments:
            parts.append("no money")
        parts.append(f"{d.objective.sense[:3]} {d.objective.name}")
        return " · ".join(parts)


CONCEPT = Direct()
