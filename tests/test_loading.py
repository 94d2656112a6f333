"""Loading a formulation into HiGHS from the rows amd recorded while building it (no Pyomo
compile) gives exactly the LP the standard-form compiler recovers from the Pyomo model — and
the compiler is used whenever the model is not exactly what was recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import amd
from amd import extensive, punishment
from amd.models import bce, direct_mechanism, sequential
from amd.models import extensive as tree_model
from amd.solver import LinearProgram

ROOT = Path(__file__).resolve().parents[1]


def dense(program: LinearProgram):
    """(A, row bounds, costs, column bounds, sense) over the model's full column vector."""
    lp = program.lp
    A = sp.csc_array((np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_),
                      np.asarray(lp.a_matrix_.start_)), shape=(lp.num_row_, lp.num_col_)).toarray()
    full = np.zeros((A.shape[0], program.n_full))
    full[:, program.index] = A
    cost = np.zeros(program.n_full)
    cost[program.index] = lp.col_cost_
    bounds = np.full((2, program.n_full), np.nan)  # NaN: a column the compiler dropped (it appears nowhere)
    bounds[0, program.index], bounds[1, program.index] = lp.col_lower_, lp.col_upper_
    return full, np.asarray(lp.row_lower_), np.asarray(lp.row_upper_), cost, bounds, lp.sense_


def compiled(form) -> LinearProgram:
    record = form.model.__dict__.pop("_amd_recorded")
    try:
        return LinearProgram.from_pyomo(form.model, form.columns)
    finally:
        form.model.__dict__["_amd_recorded"] = record


def formulations():
    for name in ("auctions/myerson-2-bidders-midpoint10.yaml", "bundling/yao-2x2-dsic-deterministic.yaml",
                 "bilateral-trade/second-best-bic-midpoint10.yaml"):
        inst = amd.load(ROOT / "instances" / name)
        yield name, direct_mechanism.build(inst.environment, inst.design)
    inst = amd.load(ROOT / "instances/bce/chicken-max-welfare.yaml")
    yield "bce", bce.build(inst.environment, "maximize")
    game = amd.load(ROOT / "instances/sequential/two-firms-investment.yaml").environment
    punish = punishment.punishments(game, [np.ones(k, bool) for k in game.shape[1:]])
    yield "sequential", sequential.build(game, "maximize", punish, True)
    yield "sequential support", sequential.build(game, "maximize", punish, True, support=True)
    L = extensive.layout(amd.load(ROOT / "instances/extensive/entry-deterrence.yaml").environment, True)
    yield "tree", tree_model.build(L, "minimize")
    yield "tree support", tree_model.build(L, "maximize", np.ones(len(L.hidden), bool), support=True)


@pytest.mark.parametrize("name, form", list(formulations()), ids=lambda x: x if isinstance(x, str) else "")
def test_recorded_rows_load_the_compiled_lp(name, form):
    fast, slow = LinearProgram.from_pyomo(form.model, form.columns), compiled(form)
    assert fast.block_rows and not slow.block_rows  # the fast path was taken, and only there
    a, b = dense(fast), dense(slow)
    assert a[0].shape == b[0].shape and np.allclose(a[0], b[0])
    for x, y in zip(a[1:4], b[1:4]):
        assert np.array_equal(x, y)
    both = ~np.isnan(b[4][0])
    assert np.array_equal(a[4][:, both], b[4][:, both]) and a[5] == b[5]
    one, two = fast.solve(), slow.solve()
    assert one.status == two.status == "optimal" and one.objective == pytest.approx(two.objective, abs=1e-9)


def test_a_model_changed_after_building_is_compiled():
    """A deactivated row, an added constraint or user code given the model: the record no
    longer says what the model is, so the compiler reads the model itself."""
    import pyomo.environ as pyo

    inst = amd.load(ROOT / "instances/bce/chicken-max-welfare.yaml")
    form = bce.build(inst.environment, "maximize")
    form.model.obedience[0].deactivate()
    assert not LinearProgram.from_pyomo(form.model, form.columns).block_rows
    form = bce.build(inst.environment, "maximize")
    form.model.extra = pyo.Constraint(expr=form.columns[0] <= 0.1)
    program = LinearProgram.from_pyomo(form.model, form.columns)
    assert not program.block_rows and program.lp.num_row_ == compiled(form).lp.num_row_
    # user constraints through amd.solve are honoured (the model is compiled)
    r = amd.solve(ROOT / "instances/auctions/two-bidders-two-values.yaml",
                  constraints=[lambda m: [m.payment["b1", *t] <= 0.5 for t in m.profiles]])
    assert r.certificate.verified and r.mechanism.payments[0].max() <= 0.5 + 1e-9
