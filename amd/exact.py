r"""Exact optimality proofs for the linear programs amd solves (``amd solve --exact``).

HiGHS works in floating point; its answer comes with a basis. From the basis alone the optimum
is recomputed in rational arithmetic and proven:

1. **The program in rationals.** Every coefficient, bound and cost of the program HiGHS holds is
   read as the rational it denotes: the simplest fraction p/q with q ≤ :data:`MAX_DENOMINATOR`
   within a few units in the last place of the float (a probability 1/3, a value 0.55, a product
   of the two), else the float's own binary value. Instance numbers written as decimals or
   fractions therefore stay exact; ``binary_coefficients`` counts the others.
2. **The vertex.** With B the basic columns and R the nonbasic (tight) rows, x_N at its bounds,
   x_B solves A[R, B] x_B = b_R − A[R, N] x_N exactly. Primal feasibility is then checked
   exactly on every row and column bound — and on the rows a constraint-generation run left out
   of the program (every IC row of the full model).
3. **The duals.** y_R solves A[R, B]ᵀ y_R = c_B; the reduced costs d = c − Aᵀy of the nonbasic
   columns and the signs of y_R must fit the bounds each sits at (for a maximum: d ≤ 0 at a lower
   bound, ≥ 0 at an upper one; y ≥ 0 on a row at its upper bound, ≤ 0 at its lower one).

Primal and dual feasibility with complementary slackness (true by construction) prove that
c·x is the optimum of the rational program: the reported ``objective_exact`` (e.g. ``181/400``).
The linear systems are solved by sparse Gaussian elimination over :class:`fractions.Fraction`
(Markowitz-style pivots: fewest entries first), or by python-flint's ``fmpq_mat`` when installed.

A MIP (a deterministic mechanism) is proven in two LPs on the same model: the incumbent with its
integer columns fixed (the continuous rest — payments — re-optimized and proven: the incumbent's
exact value, attained) and the LP relaxation (proven: an exact bound). When the two agree the
incumbent is proven optimal; otherwise ``proven`` is false and both numbers are given.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

#: the largest denominator a float is recognized as (see the module docstring)
MAX_DENOMINATOR = 10**6


def rational(x: float) -> Fraction:
    """The rational a float denotes: the simplest p/q (q ≤ MAX_DENOMINATOR) within 4 ulp, else
    the float's exact binary value.

    >>> rational(0.1), rational(1 / 3), rational(0.01 * 0.55), rational(2.0 ** -40)
    (Fraction(1, 10), Fraction(1, 3), Fraction(11, 2000), Fraction(1, 1099511627776))
    """
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return Fraction(0) if x == 0 else Fraction(x)  # an infinite bound raises: never asked for
    q = Fraction(x).limit_denominator(MAX_DENOMINATOR)
    return q if abs(float(q) - x) <= 4 * math.ulp(x) else Fraction(x)


def _simple(q: Fraction) -> bool:
    return q.denominator <= MAX_DENOMINATOR


class _Rationals:
    """A memo of :func:`rational` (programs repeat few distinct numbers) that counts the numbers
    taken at their binary value."""

    def __init__(self):
        self.memo: dict[float, Fraction] = {}
        self.binary = 0

    def __call__(self, x: float) -> Fraction:
        q = self.memo.get(x)
        if q is None:
            q = self.memo[x] = rational(x)
        if not _simple(q):
            self.binary += 1
        return q

    def bound(self, x: float) -> Fraction | None:
        """A row or column bound: None for ±infinity (HiGHS's 1e30 included)."""
        return None if abs(x) >= highspy.kHighsInf else self(x)


def solve_exact(rows: list[dict[int, Fraction]], rhs: list[Fraction], n: int,
                use_flint: bool | None = None) -> list[Fraction] | None:
    """x with Σ_j rows[r][j] x_j = rhs[r] for the square system (n rows, columns 0..n-1), or None
    when it is singular. python-flint's fmpq_mat is used when installed (``use_flint``: None
    decides so; False: always the pure-Python elimination).

    >>> solve_exact([{0: Fraction(2), 1: Fraction(1)}, {0: Fraction(1), 1: Fraction(3)}],
    ...             [Fraction(3), Fraction(5)], 2, use_flint=False)
    [Fraction(4, 5), Fraction(7, 5)]
    """
    flint = None
    if use_flint is not False:
        try:
            import flint  # optional: amd[exact]
        except ImportError:
            if use_flint:
                raise
    if flint is not None and n:
        M = flint.fmpq_mat(n, n)
        for r, row in enumerate(rows):
            for j, a in row.items():
                M[r, j] = flint.fmpq(a.numerator, a.denominator)
        b = flint.fmpq_mat(n, 1, [flint.fmpq(q.numerator, q.denominator) for q in rhs])
        try:
            x = M.solve(b)
        except ZeroDivisionError:
            return None
        return [Fraction(int(x[j, 0].p), int(x[j, 0].q)) for j in range(n)]
    rows = [dict(r) for r in rows]
    rhs = list(rhs)
    where: dict[int, set[int]] = {}  # column → rows holding it
    for r, row in enumerate(rows):
        for j in row:
            where.setdefault(j, set()).add(r)
    free_rows = set(range(n))
    order: list[tuple[int, int]] = []  # (pivot row, pivot column)
    for _ in range(n):
        # Markowitz-style: the column in fewest remaining rows, then its shortest row
        col = min((j for j in where if where[j]), key=lambda j: len(where[j]), default=None)
        if col is None:
            return None
        r = min(where[col], key=lambda i: len(rows[i]))
        piv = rows[r][col]
        free_rows.discard(r)
        for j in rows[r]:
            where[j].discard(r)
        for i in list(where[col]):
            f = rows[i][col] / piv
            for j, a in rows[r].items():
                v = rows[i].get(j, 0) - f * a
                if v:
                    if j not in rows[i]:
                        where[j].add(i)
                    rows[i][j] = v
                elif j in rows[i]:
                    del rows[i][j]
                    where[j].discard(i)
            rhs[i] -= f * rhs[r]
        where[col] = set()
        order.append((r, col))
    x = [Fraction(0)] * n
    for r, col in reversed(order):
        s = rhs[r] - sum((a * x[j] for j, a in rows[r].items() if j != col), Fraction(0))
        x[col] = s / rows[r][col]
    return x


@dataclass
class Proof:
    """What ``--exact`` established (``certificate.exact`` in the JSON)."""

    proven: bool
    objective: Fraction | None
    reason: str
    #: the full column vector of the program in rationals (None unless proven)
    values: list[Fraction] | None = None
    basis_size: int = 0
    binary_coefficients: int = 0
    rows_checked: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"proven": self.proven, "objective": None if self.objective is None else fraction_text(self.objective),
                "reason": self.reason, "basis_size": self.basis_size, "rows_checked": self.rows_checked,
                "binary_coefficients": self.binary_coefficients, "seconds": round(self.seconds, 6)}


def fraction_text(q: Fraction) -> str:
    """'181/400', or '2' for a whole number."""
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _within(v: Fraction, lo: Fraction | None, hi: Fraction | None) -> bool:
    return (lo is None or v >= lo) and (hi is None or v <= hi)


def _guess(values, check) -> list[Fraction] | None:
    """The floats read as rationals of growing denominators (10⁶, 10⁹, 10¹²) until ``check``
    accepts them exactly: the vertices of these programs have modest denominators, and checking a
    guess costs one sparse product where elimination costs a factorization."""
    values = [float(v) if math.isfinite(v) else 0.0 for v in values]
    for bound in (MAX_DENOMINATOR, 10**9, 10**12):
        q = [Fraction(v).limit_denominator(bound) for v in values]
        if check(q):
            return q
    return None


#: how a float of the solution is read as a rational, tried in turn until the exact check accepts:
#: the simplest fraction within a growing denominator bound
GUESSES = (MAX_DENOMINATOR, 10**9, 10**12)


def _read(v: float, bound: int, memo: dict) -> Fraction:
    """``v`` as the simplest fraction of denominator ≤ ``bound`` (memoized: a vertex repeats few
    numbers)."""
    q = memo.get((v, bound))
    if q is None:
        if not math.isfinite(v):
            q = Fraction(0)
        elif v == int(v):  # most of a vertex: 0 and 1, read without a continued fraction
            q = Fraction(int(v))
        else:
            q = Fraction(v).limit_denominator(bound)
        memo[(v, bound)] = q
    return q


class _TooLarge(Exception):
    """A common denominator or a product beyond the int64 fast path: fall back to Fractions."""


#: common denominators and scaled entries the int64 fast path accepts (products stay below 2⁶²)
_INT_LIMIT = 2**40


def _common(values: list[Fraction]) -> tuple[np.ndarray, int]:
    """(integers, D) with values = integers / D: int64 when they fit, else Python integers in an
    object array (a vertex whose payments divide by many different marginals has a common
    denominator of hundreds of digits; products of Python integers stay exact and cheap)."""
    D = math.lcm(*(q.denominator for q in values)) if values else 1
    ints = [q.numerator * (D // q.denominator) for q in values]
    if D <= _INT_LIMIT and (not ints or max(map(abs, ints)) <= _INT_LIMIT):
        return np.array(ints, dtype=np.int64), D
    out = np.empty(len(ints), dtype=object)
    out[:] = ints
    return out, D


class _Scaled:
    """A sparse rational matrix as an int64 matrix, row r over its own common denominator L[r]
    (a probability-weighted row shares few denominators with the next)."""

    def __init__(self, A: sp.csr_array, Q: _Rationals):
        A = sp.csr_array(A)
        A.sum_duplicates()
        uniq, inv = np.unique(A.data, return_inverse=True)
        qs = [Q(u) for u in uniq.tolist()]
        num = np.array([q.numerator for q in qs], dtype=object)
        den = np.array([q.denominator for q in qs], dtype=object)
        if den.size and max(den) > _INT_LIMIT or num.size and max(map(abs, num)) > _INT_LIMIT:
            raise _TooLarge
        inv = inv.ravel()
        d = den.astype(np.int64)[inv]
        starts = A.indptr[:-1]
        nonempty = np.diff(A.indptr) > 0
        L = np.ones(A.shape[0], dtype=np.int64)
        if d.size:
            L[nonempty] = np.lcm.reduceat(d, starts[nonempty])
        # overflow in lcm is harmless if what comes out is still a common multiple of the row's
        # denominators within range: that is all the scaling needs, and it is checked here
        row_of = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
        if (L < 1).any() or (L > _INT_LIMIT).any() or (d.size and (L[row_of] % d != 0).any()):
            raise _TooLarge
        scaled = num.astype(np.int64)[inv] * (L[row_of] // d)
        if d.size and float(np.abs(num.astype(float))[inv].max() * (L[row_of] / d).max()) > 2.0**62:
            raise _TooLarge
        self.M = sp.csr_array((scaled, A.indices, A.indptr), shape=A.shape)
        self.L = [int(v) for v in L]
        self.M_abs = abs(self.M).astype(float)

    def times(self, v: np.ndarray) -> np.ndarray:
        """M @ v exactly: in int64 when no row's sum can overflow, else over Python integers."""
        if v.dtype != object and (not self.M.shape[0] or
                                  float((self.M_abs @ np.abs(v).astype(float)).max(initial=0.0)) < 2.0**62):
            return self.M @ v
        M = self.M
        terms = M.data.astype(object) * v.astype(object)[M.indices]
        out = np.zeros(M.shape[0], dtype=object)
        full = np.diff(M.indptr) > 0
        if terms.size:
            out[full] = np.add.reduceat(terms, M.indptr[:-1][full])
        return out


def _sign(num_left: int, den_left: int, num_right: int, den_right: int) -> int:
    """sign(num_left/den_left − num_right/den_right) for positive denominators."""
    d = num_left * den_right - num_right * den_left
    return (d > 0) - (d < 0)


def _bounds_hold(values: np.ndarray, scale, lo: list, hi: list, Q: _Rationals) -> bool:
    """lo[r] ≤ values[r] / scale(r) ≤ hi[r] for every r, exactly: bounds of 0 and ±∞ (nearly all
    of them) compared at once, the others one by one in integers."""
    for bounds, below in ((np.asarray(lo, float), True), (np.asarray(hi, float), False)):
        zero = bounds == 0
        if zero.any():
            w = values[zero]
            if (w < 0).any() if below else (w > 0).any():
                return False
        for r in np.flatnonzero((bounds != 0) & (np.abs(bounds) < highspy.kHighsInf)).tolist():
            q = Q(bounds[r])
            v, ref = int(values[r]) * q.denominator, q.numerator * scale(r)
            if (v < ref) if below else (v > ref):
                return False
    return True


def _fast(program, lp, basis, omitted, start: float) -> Proof | None:
    """The proof with the vertex and the duals guessed from HiGHS's floats and every product taken
    in int64 over common denominators (one sparse product per check). None when a guess fails or
    a number outgrows int64: :func:`prove` then eliminates in Fractions."""
    m, n = lp.num_row_, lp.num_col_
    am = lp.a_matrix_
    raw = (np.asarray(am.value_, float), np.asarray(am.index_), np.asarray(am.start_))
    A = (sp.csc_array(raw, shape=(m, n)) if am.format_ == highspy.MatrixFormat.kColwise
         else sp.csr_array(raw, shape=(m, n)))
    Q = _Rationals()
    S = highspy.HighsBasisStatus
    try:
        rows = _Scaled(sp.csr_array(A), Q)
        cols = _Scaled(sp.csr_array(A.T), Q)
        col_lo_f, col_hi_f = list(lp.col_lower_), list(lp.col_upper_)
        row_lo_f, row_hi_f = list(lp.row_lower_), list(lp.row_upper_)
        cost = [Q(v) for v in lp.col_cost_]
        col_status, row_status = list(basis.col_status), list(basis.row_status)
        solution = program.highs.getSolution()
        basic = [j for j, st in enumerate(col_status) if st == S.kBasic]
        tight = [r for r, st in enumerate(row_status) if st != S.kBasic]
        if len(basic) != len(tight):
            return None
        bound_of = {}
        for r in tight:
            b = (Q.bound(row_lo_f[r]) if row_status[r] == S.kLower else
                 Q.bound(row_hi_f[r]) if row_status[r] == S.kUpper else None)
            if b is None:
                return None
            bound_of[r] = b
        at = {}
        for j, st in enumerate(col_status):
            if st == S.kBasic:
                continue
            b = (Q.bound(col_lo_f[j]) if st == S.kLower else Q.bound(col_hi_f[j]) if st == S.kUpper else
                 Fraction(0) if st == S.kZero else None)
            if b is None:
                return None
            at[j] = b
        floats = list(solution.col_value)
        memo: dict = {}
        x = act = None
        for limit in GUESSES:
            guess = [at[j] if j in at else _read(floats[j], limit, memo) for j in range(n)]
            x_int, X = _common(guess)
            a = rows.times(x_int)  # activity_r · L_r · X
            if all(int(a[r]) * bound_of[r].denominator == bound_of[r].numerator * rows.L[r] * X for r in tight):
                x, act = guess, a
                break
        if x is None:
            return None
        if not (_bounds_hold(x_int, lambda j: X, col_lo_f, col_hi_f, Q)
                and _bounds_hold(act, lambda r: rows.L[r] * X, row_lo_f, row_hi_f, Q)):
            return None
        duals = list(solution.row_dual)
        maximize = lp.sense_ == highspy.ObjSense.kMaximize
        sign = 1 if maximize else -1
        y = red = None
        for limit in GUESSES:
            guess = [Fraction(0)] * m
            for r in tight:
                guess[r] = _read(duals[r], limit, memo)
            y_int, Y = _common(guess)
            red_try = cols.times(y_int)  # (Aᵀy)_j · L_j · Y
            if all(_sign(cost[j].numerator, cost[j].denominator, int(red_try[j]), cols.L[j] * Y) == 0 for j in basic):
                y, red = guess, red_try
                break
        if y is None:
            return None
        for r in tight:
            equality = row_lo_f[r] == row_hi_f[r]
            if not equality and sign * y[r] * (1 if row_status[r] == S.kUpper else -1) < 0:
                return None
        for j, st in enumerate(col_status):
            if st == S.kBasic or col_lo_f[j] == col_hi_f[j]:
                continue
            d = _sign(cost[j].numerator, cost[j].denominator, int(red[j]), cols.L[j] * Y)
            if d and (st == S.kZero or sign * d * (1 if st == S.kLower else -1) > 0):
                return None
        objective = sum((cost[j] * x[j] for j in range(n) if x[j]), Fraction(0)) + Q(lp.offset_)
        full = [rational(v) for v in program.full_vector(np.zeros(n))]
        for j, v in zip(program.index.tolist(), x):
            full[j] = v
        checked = m
        if omitted is not None:
            Ao, lo, hi = omitted
            extra = _Scaled(sp.csr_array(Ao), Q)
            f_int, F = _common(full)
            a = extra.times(f_int)
            if not _bounds_hold(a, lambda r: extra.L[r] * F, list(lo), list(hi), Q):
                return None
            checked += Ao.shape[0]
    except _TooLarge:
        return None
    return Proof(True, objective, "primal and dual feasible in exact arithmetic", full, len(basic), Q.binary,
                 checked, time.perf_counter() - start)


def prove(program, omitted=None) -> Proof:
    """Prove the last optimum of ``program`` (an :class:`amd.solver.LinearProgram`) exactly.
    ``omitted``: (A, lo, hi) over the full column vector — rows of the model a
    constraint-generation run never loaded, checked against the vertex too."""
    start = time.perf_counter()
    h = program.highs
    if program.is_mip:
        return _prove_mip(program, omitted)
    basis = h.getBasis()
    if not basis.valid:
        return Proof(False, None, "HiGHS returned no basis (an interior-point solve without crossover?)")
    lp = h.getLp()
    fast = _fast(program, lp, basis, omitted, start)
    if fast is not None:
        return fast
    log.info("exact: the vertex's denominators outgrow int64 (or a guess failed): checking in Fractions")
    m, n = lp.num_row_, lp.num_col_
    am = lp.a_matrix_
    raw = (np.asarray(am.value_, float), np.asarray(am.index_), np.asarray(am.start_))
    A = (sp.csc_array(raw, shape=(m, n)) if am.format_ == highspy.MatrixFormat.kColwise
         else sp.csr_array(raw, shape=(m, n)).tocsc())
    A.sort_indices()
    Q = _Rationals()
    # column-wise lists of (row, rational coefficient), and the same by row
    ptr, rows_of, vals = A.indptr.tolist(), A.indices.tolist(), [Q(v) for v in A.data.tolist()]
    by_col = [list(zip(rows_of[ptr[j]:ptr[j + 1]], vals[ptr[j]:ptr[j + 1]])) for j in range(n)]
    by_row: list[list[tuple[int, Fraction]]] = [[] for _ in range(m)]
    for j, entries in enumerate(by_col):
        for r, a in entries:
            by_row[r].append((j, a))
    S = highspy.HighsBasisStatus
    col_lo = [Q.bound(v) for v in lp.col_lower_]
    col_hi = [Q.bound(v) for v in lp.col_upper_]
    row_lo = [Q.bound(v) for v in lp.row_lower_]
    row_hi = [Q.bound(v) for v in lp.row_upper_]
    cost = [Q(v) for v in lp.col_cost_]
    maximize = lp.sense_ == highspy.ObjSense.kMaximize
    col_status, row_status = list(basis.col_status), list(basis.row_status)

    def fail(reason: str) -> Proof:
        return Proof(False, None, reason, binary_coefficients=Q.binary, seconds=time.perf_counter() - start)

    x: list[Fraction] = [Fraction(0)] * n
    basic = []
    for j, st in enumerate(col_status):
        if st == S.kBasic:
            basic.append(j)
        elif st == S.kLower and col_lo[j] is not None:
            x[j] = col_lo[j]
        elif st == S.kUpper and col_hi[j] is not None:
            x[j] = col_hi[j]
        elif st != S.kZero:
            return fail(f"column {j} is nonbasic at an infinite bound")
    tight, bound = [], []
    for r, st in enumerate(row_status):
        if st == S.kBasic:
            continue
        b = row_lo[r] if st == S.kLower else row_hi[r] if st == S.kUpper else None
        if b is None:
            return fail(f"row {r} is nonbasic at an infinite bound")
        tight.append(r)
        bound.append(b)
    if len(tight) != len(basic):
        return fail(f"the basis is not square ({len(tight)} tight rows, {len(basic)} basic columns)")
    k = len(basic)
    pos = {j: c for c, j in enumerate(basic)}
    tpos = {r: c for c, r in enumerate(tight)}
    # primal: A[R, B] x_B = b_R − A[R, N] x_N
    system, rhs = [], []
    for r, b in zip(tight, bound):
        row, s = {}, b
        for j, a in by_row[r]:
            if j in pos:
                row[pos[j]] = a
            elif x[j]:
                s -= a * x[j]
        system.append(row)
        rhs.append(s)

    def solves(rows, right):
        return lambda z: all(sum((a * z[c] for c, a in row.items()), Fraction(0)) == b for row, b in zip(rows, right))

    solution = h.getSolution()
    xb = _guess([solution.col_value[j] for j in basic], solves(system, rhs)) or solve_exact(system, rhs, k)
    if xb is None:
        return fail("the basis matrix is singular in exact arithmetic")
    for j, v in zip(basic, xb):
        x[j] = v
    # primal feasibility, exactly, on every row and column
    for j in range(n):
        if not _within(x[j], col_lo[j], col_hi[j]):
            return fail(f"column {j} = {float(x[j]):.3g} lies outside its bounds")
    activity = [Fraction(0)] * m
    for j in range(n):
        if x[j]:
            for r, a in by_col[j]:
                activity[r] += a * x[j]
    for r in range(m):
        if not _within(activity[r], row_lo[r], row_hi[r]):
            return fail(f"row {r} (activity {float(activity[r]):.6g}) is violated at the exact vertex")
    # dual: A[R, B]ᵀ y_R = c_B, then the signs of y_R and of the reduced costs
    dual_rows = [{tpos[r]: a for r, a in by_col[j] if r in tpos} for j in basic]
    c_b = [cost[j] for j in basic]
    y = _guess([solution.row_dual[r] for r in tight], solves(dual_rows, c_b)) or solve_exact(dual_rows, c_b, k)
    if y is None:
        return fail("the basis matrix is singular in exact arithmetic (dual)")
    sign = 1 if maximize else -1
    for c, r in enumerate(tight):
        equality = row_lo[r] is not None and row_lo[r] == row_hi[r]
        at_upper = row_status[r] == S.kUpper
        if not equality and sign * y[c] * (1 if at_upper else -1) < 0:
            return fail(f"row {r}'s dual {float(y[c]):.3g} has the wrong sign: the vertex is not optimal")
    for j, st in enumerate(col_status):
        if st == S.kBasic or (col_lo[j] is not None and col_lo[j] == col_hi[j]):
            continue
        d = cost[j] - sum((a * y[tpos[r]] for r, a in by_col[j] if r in tpos), Fraction(0))
        if d and (st == S.kZero or sign * d * (1 if st == S.kLower else -1) > 0):
            return fail(f"column {j}'s reduced cost {float(d):.3g} has the wrong sign: the vertex is not optimal")
    objective = sum((cost[j] * x[j] for j in range(n) if x[j]), Fraction(0)) + Q(lp.offset_)
    full = [rational(v) for v in program.full_vector(np.zeros(n))]  # dropped columns at their resting value
    for j, v in zip(program.index.tolist(), x):
        full[j] = v
    checked = m
    if omitted is not None:
        Ao, lo, hi = omitted
        Ao = sp.csr_array(Ao)
        optr, ocols, ovals = Ao.indptr.tolist(), Ao.indices.tolist(), Ao.data.tolist()
        for r in range(Ao.shape[0]):
            act = sum((Q(a) * full[j] for j, a in zip(ocols[optr[r]:optr[r + 1]], ovals[optr[r]:optr[r + 1]])
                       if full[j]), Fraction(0))
            if not _within(act, Q.bound(lo[r]), Q.bound(hi[r])):
                return fail(f"a row left out by constraint generation is violated at the exact vertex "
                            f"(activity {float(act):.6g})")
        checked += Ao.shape[0]
    return Proof(True, objective, "primal and dual feasible in exact arithmetic", full, k, Q.binary, checked,
                 time.perf_counter() - start)


def _prove_mip(program, omitted) -> Proof:
    """The incumbent (integers fixed) and the LP relaxation, each proven by :func:`prove`; the
    HiGHS model is restored afterwards."""
    start = time.perf_counter()
    h = program.highs
    lp = h.getLp()
    integer = [j for j, t in enumerate(lp.integrality_) if t == highspy.HighsVarType.kInteger]
    values = np.asarray(h.getSolution().col_value, float)
    idx = np.asarray(integer, np.int32)
    lo, hi = np.asarray(lp.col_lower_, float)[idx], np.asarray(lp.col_upper_, float)[idx]
    cont = np.full(len(idx), highspy.HighsVarType.kContinuous)
    program.is_mip = False
    try:
        h.changeColsIntegrality(len(idx), idx, cont)
        fixed = np.round(values[idx])
        h.changeColsBounds(len(idx), idx, fixed, fixed)
        program.solve()
        incumbent = prove(program, omitted)
        h.changeColsBounds(len(idx), idx, lo, hi)
        program.solve()
        relaxation = prove(program, omitted)
    finally:
        h.changeColsBounds(len(idx), idx, lo, hi)
        h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kInteger))
        program.is_mip = True
    seconds = time.perf_counter() - start
    if not incumbent.proven:
        return Proof(False, None, f"the incumbent is not proven: {incumbent.reason}", seconds=seconds)
    bound = relaxation.objective if relaxation.proven else None
    if bound is not None and bound == incumbent.objective:
        return Proof(True, incumbent.objective, "the incumbent (integers fixed) and the LP relaxation are both "
                     "proven in exact arithmetic and agree", incumbent.values, incumbent.basis_size,
                     incumbent.binary_coefficients, incumbent.rows_checked, seconds)
    text = "unproven" if bound is None else fraction_text(bound)
    return Proof(False, incumbent.objective, f"the incumbent's value is exact; the LP relaxation bounds the "
                 f"optimum by {text}: optimality rests on HiGHS's branch and bound in floating point",
                 incumbent.values, incumbent.basis_size, incumbent.binary_coefficients, incumbent.rows_checked,
                 seconds)
