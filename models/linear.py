"""Blocks of linear rows and their Pyomo form.

Each constraint family of a formulation is first written as a :class:`RowBlock` — rows
``lo ≤ A z ≤ hi`` over the formulation's columns, with the coefficients computed by numpy
from the Environment — and then added to the Pyomo model in bulk, as one ``MatrixConstraint``
(Pyomo's constraint over a CSR matrix: rows 0..m-1, each row's expression built only when
something reads it). This is the build path measured in ``shared/DESIGN.md`` taken one step
further: integer indices, coefficients precomputed, no per-term Python work at all (BCE 60×60×5,
2.1M terms: 0.78 s with one ``LinearExpression`` per row, 0.16 s in bulk). The model handed to
users or to Pyomo's own solver interfaces gets expressions per row (:func:`expand`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.core.expr.numeric_expr import LinearExpression

try:  # Pyomo's bulk constraint; should a later Pyomo move it, rows get expressions as before
    from pyomo.repn.beta.matrix import MatrixConstraint
except ImportError:  # pragma: no cover - not on the pinned Pyomo versions
    MatrixConstraint = None


@dataclass
class RowBlock:
    """Rows ``lo[r] ≤ Σ_j A[r, j] z_j ≤ hi[r]`` in CSR form (``-inf``/``inf`` for no bound)."""

    A: sp.csr_array
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def from_entries(cls, n_rows: int, n_cols: int, rows, cols, coefs, lo, hi) -> "RowBlock":
        """Sum the (row, column, coefficient) entries; ``lo``/``hi`` scalars or arrays."""
        A = sp.coo_array(
            (np.asarray(coefs, float), (np.asarray(rows, np.int64), np.asarray(cols, np.int64))),
            shape=(n_rows, n_cols),
        ).tocsr()
        A.sum_duplicates()
        A.eliminate_zeros()
        return cls(A, np.broadcast_to(np.asarray(lo, float), n_rows).copy(),
                   np.broadcast_to(np.asarray(hi, float), n_rows).copy())

    @property
    def n_rows(self) -> int:
        return self.A.shape[0]

    def nonempty(self) -> "RowBlock":
        """Drop rows without coefficients (they read 0 ≤ 0 and constrain nothing)."""
        keep = np.diff(self.A.indptr) > 0
        empty_violated = (~keep) & ((self.lo > 0) | (self.hi < 0))
        if empty_violated.any():  # kept so that the solver reports the infeasibility
            keep |= empty_violated
        if keep.all():
            return self
        return RowBlock(self.A[keep], self.lo[keep], self.hi[keep])


@dataclass
class Formulation:
    """What every ``models/X.build`` returns: the Pyomo model, its columns in the order the solver
    sees them, and the layout that maps those columns back to the concept's arrays (the
    objective's sense is on the model, set by :func:`set_objective`)."""

    model: pyo.ConcreteModel
    columns: list
    layout: Any = None


def set_objective(model: pyo.Block, columns: list, coefs, sense: str) -> None:
    """The objective Σ_j c_j z_j over ``columns`` (zero coefficients left out), to ``sense``
    ('maximize' or 'minimize')."""
    c = np.asarray(coefs, float)
    nz = np.flatnonzero(c)
    model.objective = pyo.Objective(
        expr=LinearExpression(constant=0.0, linear_coefs=c[nz].tolist(), linear_vars=[columns[j] for j in nz]),
        sense=pyo.maximize if sense == "maximize" else pyo.minimize)
    _record(model, columns).objective = (model.objective, c.copy(), sense == "maximize")


@dataclass
class Recorded:
    """The numpy form of what :func:`add_rows` and :func:`set_objective` put into a model: the
    same rows and costs the standard-form compiler would recover from the Pyomo components,
    kept so that the solver can load them without compiling (:meth:`amd.solver.LinearProgram.
    from_pyomo` uses them only while the model's active components are exactly these)."""

    columns: list
    rows: list = field(default_factory=list)  # (Constraint component, RowBlock) in model order
    objective: tuple | None = None  # (Objective component, costs over columns, maximize)
    #: set when user code got the model (constraints=, objective=): then it is compiled
    touched: bool = False


def _record(model: pyo.Block, columns: list) -> Recorded:
    rec = model.__dict__.get("_amd_recorded")
    if rec is None or rec.columns is not columns:
        rec = Recorded(columns)
        model.__dict__["_amd_recorded"] = rec
    return rec


def recorded(model: pyo.Block) -> Recorded | None:
    """The rows and objective amd built into ``model``, or None (built otherwise)."""
    return model.__dict__.get("_amd_recorded")


def add_rows(model: pyo.Block, name: str, block: RowBlock, columns: list, doc: str = "") -> None:
    """Add ``block`` to ``model`` as the constraint ``name``, rows 0..rows-1: a Pyomo
    ``MatrixConstraint`` holding the CSR arrays, whose row bodies are expressions built only when
    read (by the standard-form compiler, a printout or user code)."""
    if MatrixConstraint is None:  # pragma: no cover
        component = _expression_rows(block, columns, doc)
        model.add_component(name, component)
        _record(model, columns).rows.append((component, block))
        return
    lo, hi = block.lo, block.hi
    low, high = np.isfinite(lo), np.isfinite(hi)
    kind = np.where(low & high & (lo == hi), MatrixConstraint.Equality,
                    np.where(low, MatrixConstraint.LowerBound, 0) | np.where(high, MatrixConstraint.UpperBound, 0))
    ranges = np.empty(2 * block.n_rows, object)
    ranges[0::2], ranges[1::2] = _bounds(lo), _bounds(hi)
    component = MatrixConstraint(block.n_rows, len(columns), block.A.nnz, block.A.indptr.tolist(),
                                 block.A.indices.tolist(), block.A.data.tolist(), ranges.tolist(),
                                 kind.astype(np.uint8).tolist(), columns)
    component.doc = doc
    model.add_component(name, component)
    _record(model, columns).rows.append((component, block))


def expand(model: pyo.Block) -> None:
    """Give every row family :func:`add_rows` put into ``model`` an expression per row: each
    ``MatrixConstraint`` is replaced by a ``Constraint`` of ``LinearExpression`` rows (the same
    rows, the same name, rows deactivated stay so). For the model handed to users and to Pyomo's
    solver interfaces, some of which (appsi) read a row's expression directly."""
    rec = recorded(model)
    if rec is None:
        return
    for j, (component, block) in enumerate(rec.rows):
        if MatrixConstraint is None or not isinstance(component, MatrixConstraint):
            continue
        name, doc = component.local_name, component.doc
        off = [r for r, row in enumerate(component.values()) if not row.active]
        model.del_component(component)
        rows = _expression_rows(block, rec.columns, doc)
        model.add_component(name, rows)
        for r in off:
            rows[r].deactivate()
        rec.rows[j] = (rows, block)


def _expression_rows(block: RowBlock, columns: list, doc: str) -> pyo.Constraint:
    indptr = block.A.indptr.tolist()
    index = block.A.indices.tolist()
    data = block.A.data.tolist()
    lo, hi = _bounds(block.lo), _bounds(block.hi)

    def rule(m, r):
        s, e = indptr[r], indptr[r + 1]
        body = LinearExpression(linear_coefs=data[s:e], linear_vars=[columns[j] for j in index[s:e]])
        if hi[r] is None:  # one-sided rows built directly: half the relational-expression work
            return body >= lo[r]
        if lo[r] is None:
            return body <= hi[r]
        return body == lo[r] if lo[r] == hi[r] else (lo[r], body, hi[r])

    return pyo.Constraint(range(block.n_rows), rule=rule, doc=doc)


def _bounds(b: np.ndarray) -> list:
    """Row bounds as Python floats, ``None`` where infinite (Pyomo's "no bound")."""
    out = b.astype(object)
    out[~np.isfinite(b)] = None
    return out.tolist()
