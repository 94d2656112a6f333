"""The HiGHS adapter: the only code that talks to the solver.

A Pyomo model is compiled once by Pyomo's ``LinearStandardFormCompiler`` (mixed form: each
row keeps its own sense) into a sparse matrix, which is passed to a ``highspy.Highs`` object
that :class:`LinearProgram` keeps — so rows can be added later and the model re-solved warm
without a rebuild. A model built by :mod:`amd.models.linear` and left as built skips the
compile: the numpy rows its constraints were made from are the same matrix (tests/
test_loading.py compares the two), loaded directly — a fifth of the former load time or less.
Every HiGHS outcome maps to one of ``optimal``, ``infeasible``,
``unbounded``, ``time_limit`` (with the incumbent and its gap when there is one) or ``error``;
no solver exception escapes.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

# isort: off
import amd.models  # noqa: F401, I001 - first, before SciPy and Pyomo are imported (see amd.models)
# isort: on
import highspy
import numpy as np
import scipy.sparse as sp
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from amd.errors import InstanceError
from amd.result import timed
from amd.streams import solver_output

# Tighter than HiGHS's defaults (1e-7, and 1e-6 for MIP) so that the independent verifier,
# which recomputes every constraint at a scaled 1e-7, sees solutions well inside tolerance.
FEASIBILITY_TOLERANCE = 1e-9
# The default MIP gap: the optimum proven, not HiGHS's 1e-4.
MIP_GAP = 1e-9
METHODS = ("choose", "simplex", "ipm", "pdlp")
log = logging.getLogger(__name__)

_LIMIT = {
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
    highspy.HighsModelStatus.kInterrupt,
    highspy.HighsModelStatus.kObjectiveBound,
    highspy.HighsModelStatus.kObjectiveTarget,
}


@dataclass(frozen=True)
class SolverOptions:
    """What the user may ask of HiGHS, checked here once for the API and the command line alike.

    ``time_limit`` in seconds of wall time for the whole solve — build, load, every HiGHS call,
    every separation round — counted from :meth:`started`; ``gap`` the relative MIP gap (default
    1e-9); ``threads`` HiGHS's thread count (``None``: HiGHS decides); ``method`` one of choose |
    simplex | ipm | pdlp. Raises :class:`amd.InstanceError` naming the option otherwise.
    """

    time_limit: float | None = None
    gap: float | None = None
    threads: int | None = None
    method: str = "choose"
    presolve: bool = True
    verbose: bool = False
    #: the solver: HiGHS through highspy (default, the fast path), or any solver Pyomo's
    #: SolverFactory finds by this name (glpk, cbc, gurobi, cplex, scip, …; see PyomoProgram)
    solver: str = "highs"
    #: time.monotonic() by which everything must be done (set by :meth:`started`)
    deadline: float | None = field(default=None, compare=False)

    def __post_init__(self):
        def bad(name, expected):  # named as on the command line; the API's keyword is the same word
            raise InstanceError("--" + name.replace("_", "-"), None, f"expected {expected}, got {getattr(self, name)!r}")

        def number(x) -> bool:
            return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

        if self.time_limit is not None and not (number(self.time_limit) and self.time_limit >= 0):
            bad("time_limit", "a number of seconds >= 0")
        if self.gap is not None and not (number(self.gap) and 0 <= self.gap < 1):
            bad("gap", "a relative gap in [0, 1)")
        if self.threads is not None and not (isinstance(self.threads, int) and not isinstance(self.threads, bool)
                                             and self.threads >= 1):
            bad("threads", "a whole number >= 1")
        if self.method not in METHODS:
            bad("method", f"one of {', '.join(METHODS)}")
        for flag in ("presolve", "verbose"):
            if not isinstance(getattr(self, flag), bool):
                bad(flag, "true or false")
        if not (isinstance(self.solver, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]{0,39}", self.solver)):
            bad("solver", "a solver's name, such as highs, glpk, cbc, gurobi, cplex or scip")

    def started(self) -> SolverOptions:
        """These options with the wall-clock deadline of a solve that starts now."""
        if self.time_limit is None:
            return self
        return replace(self, deadline=time.monotonic() + self.time_limit)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no limit)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def as_dict(self) -> dict:
        """The options a result was computed with (SPEC §3)."""
        return {"time_limit": self.time_limit, "gap": self.gap, "threads": self.threads, "method": self.method,
                "presolve": self.presolve, "solver": self.solver}


@dataclass
class SolverOutcome:
    status: str  # optimal | infeasible | unbounded | time_limit | error
    values: np.ndarray | None  # the full column vector, in the model's column order
    objective: float | None
    gap: float | None
    message: str
    solve_s: float


class LinearProgram:
    """``min/max c·z`` s.t. ``row_lo ≤ A z ≤ row_hi``, ``col_lo ≤ z ≤ col_hi``, some z integer,
    held in a kept ``highspy.Highs``.

    ``index[j]`` is the position in the model's full column vector of HiGHS column j
    (Pyomo's compiler drops columns that appear nowhere; they are set to a feasible 0).
    """

    def __init__(self, A: sp.csc_array, cost, offset, row_lo, row_hi, col_lo, col_hi,
                 integer, maximize: bool, index, n_full: int, fill, options: SolverOptions):
        self.index = np.asarray(index, dtype=np.int64)
        self.n_full = n_full
        self.fill = fill  # values of the dropped columns
        self.dropped_bounds: dict = {}
        self.row_position: dict = {}
        #: loaded from recorded blocks: id(Constraint component) → (first HiGHS row, rows)
        self.block_rows: dict = {}
        self.maximize = maximize
        self.is_mip = bool(np.any(integer))
        self.options = options
        self.refused: str | None = None
        #: rows of the model never loaded (constraint generation): () → (A, lo, hi) over the full
        #: column vector, for an exact check at the end (amd.exact)
        self.omitted_rows = None
        self.highs = _new_highs(options)
        sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        # the numpy overload of passModel: a HighsLp filled field by field converts every entry
        # through Python (0.14 s for 2 M nonzeros, against 0.02 s)
        with solver_output(self.options.verbose):
            status = self.highs.passModel(
                A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise), int(sense), float(offset),
                np.ascontiguousarray(cost, float), np.ascontiguousarray(col_lo, float),
                np.ascontiguousarray(col_hi, float), np.ascontiguousarray(row_lo, float),
                np.ascontiguousarray(row_hi, float), A.indptr.astype(np.int32), A.indices.astype(np.int32),
                A.data.astype(float), np.asarray(integer, np.int32))
        self._require_ok(status, "passModel")

    @property
    def lp(self) -> highspy.HighsLp:
        """A copy of the model HiGHS holds now (rows added later included)."""
        return self.highs.getLp()

    def _require_ok(self, status, call: str) -> None:
        """HiGHS answers a call it refuses (coefficients of 1e15 and more, say) with kError and
        keeps the model it had — solving on would report that model's optimum as this one's —
        so the refusal is kept and every later :meth:`solve` answers ``error``."""
        if status == highspy.HighsStatus.kError and self.refused is None:
            self.refused = f"HiGHS refused {call} (a coefficient too large for it?)"

    @staticmethod
    def _configure(h: highspy.Highs, o: SolverOptions) -> None:
        h.setOptionValue("output_flag", bool(o.verbose))
        h.setOptionValue("primal_feasibility_tolerance", FEASIBILITY_TOLERANCE)
        h.setOptionValue("dual_feasibility_tolerance", FEASIBILITY_TOLERANCE)
        h.setOptionValue("mip_feasibility_tolerance", FEASIBILITY_TOLERANCE)
        h.setOptionValue("solver", o.method)
        # "choose" (HiGHS's default), not "on": "on" presolves again after rows are added and
        # throws the warm basis away
        h.setOptionValue("presolve", "choose" if o.presolve else "off")
        if o.time_limit is not None:
            h.setOptionValue("time_limit", float(o.time_limit))
        h.setOptionValue("mip_rel_gap", MIP_GAP if o.gap is None else float(o.gap))
        h.setOptionValue("mip_abs_gap", MIP_GAP if o.gap is None else min(float(o.gap), 1e-6))
        if o.threads is not None:
            h.setOptionValue("threads", int(o.threads))

    @classmethod
    def from_pyomo(cls, model, columns: list, options: SolverOptions = SolverOptions()) -> LinearProgram:
        """Compile ``model`` (linear, one active objective) and load it into HiGHS — or, with
        ``options.solver`` other than highs, a :class:`PyomoProgram` that hands it to that solver.

        Raises :class:`TriviallyInfeasible` when Pyomo finds a constraint without variables
        that cannot hold.
        """
        if options.solver != "highs":
            return PyomoProgram(model, columns, options)
        fast = _from_recorded(cls, model, columns, options)
        if fast is not None:
            return fast
        try:
            info = LinearStandardFormCompiler().write(
                model, mixed_form=True, set_sense=None, column_order=columns
            )
        except InfeasibleConstraintException as e:
            raise TriviallyInfeasible(str(e)) from None
        position = {id(v): j for j, v in enumerate(columns)}
        index = np.fromiter((position[id(v)] for v in info.columns), np.int64, len(info.columns))
        kept = np.zeros(len(columns), bool)
        kept[index] = True
        dropped = np.flatnonzero(~kept)
        fill = {int(j): _resting_value(columns[j]) for j in dropped}
        dropped_bounds = {int(j): (-np.inf if columns[j].lb is None else columns[j].lb,
                                   np.inf if columns[j].ub is None else columns[j].ub) for j in dropped}
        mult = np.fromiter((r[1] for r in info.rows), np.int8, len(info.rows))
        rhs = np.asarray(info.rhs, float)
        row_lo = np.where(mult <= 0, rhs, -np.inf)
        row_hi = np.where(mult >= 0, rhs, np.inf)
        col_lo = np.array([-np.inf if v.lb is None else v.lb for v in info.columns], float)
        col_hi = np.array([np.inf if v.ub is None else v.ub for v in info.columns], float)
        integer = np.array([v.is_integer() for v in info.columns], bool)
        obj = info.objectives[0]
        cost = info.c.toarray().ravel() if info.c.shape[0] else np.zeros(len(info.columns))
        offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
        program = cls(info.A.tocsc(), cost, offset, row_lo, row_hi, col_lo, col_hi, integer,
                      obj.sense == -1, index, len(columns), fill, options)
        program.dropped_bounds = dropped_bounds
        program.row_position = {id(r[0]): k for k, r in enumerate(info.rows)}
        return program

    def rows_of(self, constraint) -> np.ndarray:
        """HiGHS row of each member of the Pyomo ``constraint`` (in its index order), -1 where
        the compiler dropped a row without variables."""
        if id(constraint) in self.block_rows:
            start, n = self.block_rows[id(constraint)]
            return np.arange(start, start + n, dtype=np.int64)
        return np.array([self.row_position.get(id(c), -1) for c in constraint.values()], np.int64)

    def row_duals(self) -> np.ndarray:
        """Dual values of the rows after the last solve, in HiGHS row order."""
        return np.asarray(self.highs.getSolution().row_dual, float)

    def add_columns(self, cost, lo, hi, A) -> None:
        """Append columns (``A`` over HiGHS rows, CSC, one column per entry of ``cost``) to
        the kept model; they extend the full column vector at its end. The next
        :meth:`solve` starts from the current basis (warm)."""
        A = sp.csc_array(A)
        k = A.shape[1]
        with solver_output(self.options.verbose):
            status = self.highs.addCols(k, np.asarray(cost, float), np.asarray(lo, float), np.asarray(hi, float),
                                        A.nnz, A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32),
                                        A.data.astype(float))
        self._require_ok(status, "addCols")
        self.index = np.r_[self.index, np.arange(self.n_full, self.n_full + k)]
        self.n_full += k

    def add_rows(self, A, lo, hi) -> None:
        """Append rows ``lo ≤ A z ≤ hi`` (A over the model's full column vector, CSR) to the
        kept HiGHS model; the next :meth:`solve` starts from the current basis (warm)."""
        where = np.full(self.n_full, -1, dtype=np.int64)
        where[self.index] = np.arange(len(self.index))
        missing = np.setdiff1d(np.unique(A.indices), self.index)
        for j in missing:  # a column the compiler dropped: bring it back before it is used
            lb, ub = self.dropped_bounds[int(j)]
            self.highs.addCol(0.0, lb, ub, 0, np.zeros(0, np.int32), np.zeros(0))
            where[j] = len(self.index)
            self.index = np.append(self.index, j)
            self.fill.pop(int(j), None)
        cols = where[A.indices]
        with solver_output(self.options.verbose):
            status = self.highs.addRows(A.shape[0], np.asarray(lo, float), np.asarray(hi, float), A.nnz,
                                        A.indptr[:-1].astype(np.int32), cols.astype(np.int32), A.data.astype(float))
        self._require_ok(status, "addRows")

    def minimize_largest(self, optimum: float, columns: np.ndarray, slack: float) -> None:
        """Turn the kept program into its *tidy* second stage: keep the objective within ``slack``
        of ``optimum`` (the optimal face) and minimize M ≥ |z_j| over ``columns`` (positions in the
        full column vector). M is appended as the last column of the full vector."""
        h = self.highs
        lp = h.getLp()
        cost = np.asarray(lp.col_cost_, float)
        n = lp.num_col_
        nz = np.flatnonzero(cost)
        lo, hi = (optimum - slack, highspy.kHighsInf) if self.maximize else (-highspy.kHighsInf, optimum + slack)
        with solver_output(self.options.verbose):
            h.addRow(lo, hi, nz.size, nz.astype(np.int32), cost[nz])
        self.add_columns(np.zeros(1), np.zeros(1), np.full(1, np.inf), sp.csc_array((lp.num_row_ + 1, 1)))
        where = np.full(self.n_full, -1, dtype=np.int64)
        where[self.index] = np.arange(len(self.index))
        cols = where[np.asarray(columns, np.int64)]
        cols = cols[cols >= 0]
        m = len(cols)
        starts = np.arange(0, 4 * m, 2, dtype=np.int32)
        idx = np.empty(4 * m, np.int32)
        idx[0::4], idx[1::4], idx[2::4], idx[3::4] = cols, n, cols, n
        val = np.tile([1.0, -1.0, -1.0, -1.0], m)
        with solver_output(self.options.verbose):
            h.addRows(2 * m, np.full(2 * m, -highspy.kHighsInf), np.zeros(2 * m), 4 * m, starts, idx, val)
            h.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), np.r_[np.zeros(n), 1.0])
            h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.maximize = False

    def set_upper_bounds(self, upper: np.ndarray) -> None:
        """Give every column of the full vector the upper bound ``upper[j]`` (columns the compiler
        dropped rest at their fill value and are left alone); the next :meth:`solve` is warm."""
        cols = np.arange(len(self.index), dtype=np.int32)
        lo = np.asarray(self.highs.getLp().col_lower_, float)
        with solver_output(self.options.verbose):
            status = self.highs.changeColsBounds(len(cols), cols, lo, np.asarray(upper, float)[self.index])
        self._require_ok(status, "changeColsBounds")

    def reoptimize(self, cost: np.ndarray, maximize: bool, fixed: dict[int, float], warm: bool = True) -> None:
        """Optimize ``cost`` (over the full column vector) in the given sense instead, with the
        columns of ``fixed`` (full-vector positions) held at their values; the next :meth:`solve`
        starts from the last basis (``warm``) or afresh. One model, solved for several objectives."""
        where = np.full(self.n_full, -1, dtype=np.int64)
        where[self.index] = np.arange(len(self.index))
        cols = np.arange(len(self.index), dtype=np.int32)
        with solver_output(self.options.verbose):
            self._require_ok(self.highs.changeColsCost(len(cols), cols, np.asarray(cost, float)[self.index]),
                             "changeColsCost")
            self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize)
            for j, v in fixed.items():
                if where[j] < 0:  # a column the compiler dropped rests at its fill value
                    self.fill[int(j)] = float(v)
                else:
                    status = self.highs.changeColBounds(int(where[j]), float(v), float(v))
                    self._require_ok(status, "changeColBounds")
            if not warm:
                self.highs.clearSolver()
        self.maximize = maximize

    def full_vector(self, col_values) -> np.ndarray:
        z = np.zeros(self.n_full)
        z[self.index] = np.asarray(col_values, float)
        for j, v in self.fill.items():
            z[j] = v
        return z

    def solve(self) -> SolverOutcome:
        """Run HiGHS (warm, if it ran before) and map its outcome to ours."""
        h = self.highs
        if self.refused is not None:
            return SolverOutcome("error", None, None, None, self.refused, 0.0)
        left = self.options.remaining()
        if left is not None:
            if left <= 0:
                return SolverOutcome("time_limit", None, None, None,
                                     f"the time limit of {self.options.time_limit:g} s ran out before HiGHS could run", 0.0)
            h.setOptionValue("time_limit", left)
        start = time.perf_counter()
        try:
            with solver_output(self.options.verbose):
                h.run()
        except Exception as e:  # noqa: BLE001 - the solver must never surface a traceback
            return SolverOutcome("error", None, None, None, f"HiGHS failed: {e}", time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        ms = h.getModelStatus()
        info = h.getInfo()
        has_point = info.primal_solution_status == 2  # kSolutionStatusFeasible
        gap = float(info.mip_gap) if self.is_mip and has_point else None
        text = h.modelStatusToString(ms)
        if ms == highspy.HighsModelStatus.kOptimal or ms == highspy.HighsModelStatus.kModelEmpty:
            z = self.full_vector(h.getSolution().col_value)
            return SolverOutcome("optimal", z, float(info.objective_function_value), gap, text, elapsed)
        if ms == highspy.HighsModelStatus.kInfeasible:
            return SolverOutcome("infeasible", None, None, None, text, elapsed)
        if ms == highspy.HighsModelStatus.kUnbounded:
            return SolverOutcome("unbounded", None, None, None, text, elapsed)
        if ms == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            status = self._infeasible_or_unbounded()
            return SolverOutcome(status, None, None, None, f"{text}; resolved by a feasibility solve",
                                 time.perf_counter() - start)
        if ms == highspy.HighsModelStatus.kMemoryLimit:  # no limit the user set: a failure
            return SolverOutcome("error", None, None, None, "memory: HiGHS ran out of memory", elapsed)
        if ms in _LIMIT:
            if has_point:
                z = self.full_vector(h.getSolution().col_value)
                return SolverOutcome("time_limit", z, float(info.objective_function_value), gap, text, elapsed)
            return SolverOutcome("time_limit", None, None, None, f"{text}; no feasible point found", elapsed)
        return SolverOutcome("error", None, None, None, f"HiGHS: {text}", elapsed)

    def _infeasible_or_unbounded(self) -> str:
        """Presolve may only say 'infeasible or unbounded': decide by a zero-cost solve."""
        h = _new_highs(self.options)
        lp = self.lp  # a copy: its costs may go
        lp.col_cost_ = np.zeros(lp.num_col_)
        with solver_output(self.options.verbose):
            h.passModel(lp)
            h.run()
        ms = h.getModelStatus()
        if ms == highspy.HighsModelStatus.kOptimal:
            return "unbounded"
        if ms == highspy.HighsModelStatus.kInfeasible:
            return "infeasible"
        return "error"


@dataclass
class Rounds:
    """How a cutting-plane solve ended: HiGHS's last outcome, the separated solution (None when
    HiGHS gave none), the rounds run and rows added, and why it stopped short (``error``)."""

    out: SolverOutcome
    solution: Any
    rounds: int
    added: int
    error: str | None = None


def solve_with_cuts(program: LinearProgram, timing: dict, separate, add, max_rounds: int, what: str,
                    separate_key: str = "verify_s") -> Rounds:
    """The one solve–separate–cut loop: solve warm; ``separate(out)`` → (solution, cuts) — cuts
    empty or None when nothing is violated — timed under ``separate_key``; ``add(cuts)`` adds
    the rows to the kept program and returns how many; at most ``max_rounds`` rounds."""
    rounds = added = 0
    timing.setdefault("solve_s", 0.0)
    timing.setdefault(separate_key, 0.0)
    while True:
        out = program.solve()
        timing["solve_s"] += out.solve_s
        if out.values is None:
            return Rounds(out, None, rounds, added)
        with timed(timing, separate_key):
            solution, cuts = separate(out)
        if not cuts:
            return Rounds(out, solution, rounds, added)
        if rounds == max_rounds:
            return Rounds(out, solution, rounds, added, f"{what} did not converge in {rounds} rounds")
        n = add(cuts)
        added += n
        rounds += 1
        log.info("%s: round %d added %d rows (objective %.10g)", what, rounds, n, out.objective)


def _new_highs(options: SolverOptions) -> highspy.Highs:
    """A configured ``Highs``; its start-up banner goes to stderr (amd.streams)."""
    with solver_output(options.verbose):
        h = highspy.Highs()
        LinearProgram._configure(h, options)
    return h


def _from_recorded(cls, model, columns: list, options: SolverOptions):
    """Load the rows and costs amd recorded while building ``model`` (:class:`models.linear.
    Recorded`) straight into HiGHS — what the standard-form compiler would recover from the
    Pyomo components, without walking a Pyomo expression (DESIGN.md measures that walk as the
    larger part of build + load). Only when the model is exactly what was recorded: the same
    columns, the recorded Constraint components and no other active one, every row active, the
    recorded objective the only active one, no fixed column, and no user code given the model.
    Otherwise None, and the caller compiles."""
    import pyomo.environ as pyo

    from amd.models.linear import recorded

    rec = recorded(model)
    if rec is None or rec.touched or rec.objective is None or len(rec.columns) != len(columns):
        return None
    if rec.columns is not columns and any(a is not b for a, b in zip(rec.columns, columns)):
        return None
    active = [c for c in model.component_objects(pyo.Constraint, active=True, descend_into=True)]
    if [id(c) for c in active] != [id(c) for c, _ in rec.rows]:
        return None
    if any(not all(d.active for d in c.values()) or len(c) != block.n_rows for c, block in rec.rows):
        return None
    objectives = list(model.component_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) != 1 or objectives[0] is not rec.objective[0]:
        return None
    if any(v.fixed for v in columns):
        return None
    blocks = [block for _, block in rec.rows]
    for block in blocks:  # a row without variables that cannot hold: as the compiler says it
        empty = np.diff(block.A.indptr) == 0
        if (empty & ((block.lo > 0) | (block.hi < 0))).any():
            raise TriviallyInfeasible("a constraint without variables cannot hold")
    n = len(columns)
    A = sp.vstack([b.A for b in blocks], format="csc") if blocks else sp.csc_array((0, n))
    row_lo = np.concatenate([b.lo for b in blocks]) if blocks else np.zeros(0)
    row_hi = np.concatenate([b.hi for b in blocks]) if blocks else np.zeros(0)
    col_lo = np.array([-np.inf if v.lb is None else v.lb for v in columns], float)
    col_hi = np.array([np.inf if v.ub is None else v.ub for v in columns], float)
    integer = np.array([v.is_integer() for v in columns], bool)
    _, cost, maximize = rec.objective
    program = cls(sp.csc_array(A), cost, 0.0, row_lo, row_hi, col_lo, col_hi, integer, maximize,
                  np.arange(n), n, {}, options)
    start = 0
    for component, block in rec.rows:
        program.block_rows[id(component)] = (start, block.n_rows)
        start += block.n_rows
    return program


def _resting_value(v) -> float:
    """A column the compiler dropped: its fixed value, else 0 moved into its bounds."""
    if v.fixed:
        return float(v.value)
    lo = -np.inf if v.lb is None else v.lb
    hi = np.inf if v.ub is None else v.ub
    return float(min(max(0.0, lo), hi))


class TriviallyInfeasible(Exception):
    """A constraint with no variables that cannot hold (found while compiling)."""


#: the time-limit option of common Pyomo solvers (others run without one)
_TIME_LIMIT_OPTION = {"glpk": "tmlim", "cbc": "sec", "gurobi": "TimeLimit", "gurobi_direct": "TimeLimit",
                      "gurobi_persistent": "TimeLimit", "cplex": "timelimit", "cplex_direct": "timelimit",
                      "scip": "limits/time", "appsi_highs": "time_limit"}


class PyomoProgram:
    """A program solved once through Pyomo's ``SolverFactory(name)`` (``--solver NAME``): the same
    Pyomo model amd builds for HiGHS, answered by the solver a lab licenses or trusts. What needs
    HiGHS's kept model — adding rows (constraint generation, Border separation), changing bounds,
    the tidy second stage, exact proofs, infeasibility explanations — is refused with a clear
    error naming ``--solver``."""

    highs = None
    omitted_rows = None

    def __init__(self, model, columns: list, options: SolverOptions):
        import pyomo.environ as pyo

        from amd.models.linear import expand

        expand(model)  # Pyomo's writers and interfaces read each row's expression
        self.model, self.columns, self.options = model, columns, options
        self.n_full = len(columns)
        self.is_mip = any(v.is_integer() for v in columns)
        self.solver = pyo.SolverFactory(options.solver)
        if self.solver is None or not self.solver.available(exception_flag=False):
            raise InstanceError("--solver", None, f"the solver {options.solver!r} is not installed or Pyomo cannot "
                                                  "find it (HiGHS, the default, always is: leave out --solver)")

    def _refuse(self, what: str):
        raise InstanceError("--solver", None, f"{what} needs HiGHS's kept model; leave out --solver "
                                              f"{self.options.solver}")

    def add_rows(self, *args):
        self._refuse("adding rows (constraint generation, or Border separation of the reduced form: try "
                     "--direct)")

    def add_columns(self, *args):
        self._refuse("adding columns")

    def set_upper_bounds(self, *args):
        self._refuse("changing column bounds (a partial audience)")

    def reoptimize(self, *args):
        self._refuse("re-solving one model for another objective")

    def minimize_largest(self, *args):
        self._refuse("--tidy")

    def rows_of(self, constraint):
        self._refuse("explaining infeasibility")

    def solve(self) -> SolverOutcome:
        import pyomo.environ as pyo
        from pyomo.opt import SolverStatus
        from pyomo.opt import TerminationCondition as TC

        name = self.options.solver
        left = self.options.remaining()
        if left is not None and left <= 0:
            return SolverOutcome("time_limit", None, None, None, "the time limit ran out before the solver could run", 0.0)
        if left is not None and name in _TIME_LIMIT_OPTION:
            self.solver.options[_TIME_LIMIT_OPTION[name]] = max(1, int(math.ceil(left))) if name == "glpk" else left
        start = time.perf_counter()
        try:
            with solver_output(self.options.verbose):
                res = self.solver.solve(self.model, tee=self.options.verbose, load_solutions=False)
        except Exception as e:  # noqa: BLE001 - a solver failure is a status, never a traceback
            return SolverOutcome("error", None, None, None, f"{name} failed: {e}", time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        tc = res.solver.termination_condition
        text = f"{name}: {tc}"
        if tc == TC.optimal or (tc == TC.other and res.solver.status == SolverStatus.ok and len(res.solution)):
            self.model.solutions.load_from(res)
            z = np.array([0.0 if v.value is None else float(v.value) for v in self.columns])
            objective = float(pyo.value(next(self.model.component_data_objects(pyo.Objective, active=True))))
            return SolverOutcome("optimal", z, objective, None, text, elapsed)
        if tc == TC.infeasible:
            return SolverOutcome("infeasible", None, None, None, text, elapsed)
        if tc == TC.unbounded:
            return SolverOutcome("unbounded", None, None, None, text, elapsed)
        if tc == TC.infeasibleOrUnbounded:
            return SolverOutcome("error", None, None, None, f"{text} (not told apart: try HiGHS)", elapsed)
        if tc in (TC.maxTimeLimit, TC.maxIterations):
            return SolverOutcome("time_limit", None, None, None, text, elapsed)
        return SolverOutcome("error", None, None, None, text, elapsed)

    def full_vector(self, col_values) -> np.ndarray:
        return np.asarray(col_values, float)
