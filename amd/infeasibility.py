"""Why an instance is infeasible: an irreducible set of constraint families, then of rows.

*Deletion filtering* (Chinneck & Dravnieks 1991): take the constraint groups one at a time;
drop a group's rows (bounds set to ±∞) and solve the feasibility problem (zero objective) —
if it stays infeasible the group is not needed and stays dropped, else it is restored. What is
left is infeasible, and removing any one group makes it feasible: an irreducible infeasible
subsystem at the level of the groups. Groups are the model's constraint families (``dsic``,
``interim_ir``, ``exante_budget``, …) and the payment bounds; within the families that are
left, when they have at most :data:`ROW_LIMIT` rows, the filter runs again row by row, so the
explanation can name agents and types ("interim_ir of seller at 0.875"). Each step is one warm
HiGHS solve of a copy of the model; nothing here changes the kept program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np

from amd.solver import LinearProgram, _new_highs
from amd.streams import solver_output

#: families with at most this many rows are refined row by row
ROW_LIMIT = 400
#: models with more rows are not explained (each filter step is a solve of the whole model)
MODEL_LIMIT = 50_000


@dataclass
class Group:
    """Rows (HiGHS indices) and columns whose bounds belong to one explainable piece."""

    name: str
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    columns: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


class _Filter:
    def __init__(self, program: LinearProgram):
        lp = program.highs.getLp()
        self.h = _new_highs(program.options)
        self.h.setOptionValue("time_limit", 60.0)
        lp.col_cost_ = np.zeros(lp.num_col_)
        lp.integrality_ = []  # the relaxation: a subsystem infeasible as an LP is infeasible as a MIP
        self.row_lo, self.row_hi = np.array(lp.row_lower_), np.array(lp.row_upper_)
        self.col_lo, self.col_hi = np.array(lp.col_lower_), np.array(lp.col_upper_)
        with solver_output(program.options.verbose):
            self.h.passModel(lp)
        self.verbose = program.options.verbose

    def relax(self, g: Group, on: bool) -> None:
        if g.rows.size:
            lo = np.full(g.rows.size, -highspy.kHighsInf) if on else self.row_lo[g.rows]
            hi = np.full(g.rows.size, highspy.kHighsInf) if on else self.row_hi[g.rows]
            self.h.changeRowsBounds(g.rows.size, g.rows.astype(np.int32), lo, hi)
        if g.columns.size:
            lo = np.full(g.columns.size, -highspy.kHighsInf) if on else self.col_lo[g.columns]
            hi = np.full(g.columns.size, highspy.kHighsInf) if on else self.col_hi[g.columns]
            self.h.changeColsBounds(g.columns.size, g.columns.astype(np.int32), lo, hi)

    def infeasible(self) -> bool | None:
        with solver_output(self.verbose):
            self.h.run()
        ms = self.h.getModelStatus()
        if ms == highspy.HighsModelStatus.kInfeasible:
            return True
        if ms in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty):
            return False
        return None  # a limit or an error: no verdict

    def filter(self, groups: list[Group]) -> list[Group] | None:
        """The groups of an irreducible infeasible subsystem, or None without a verdict."""
        kept = []
        for g in groups:
            self.relax(g, True)
            verdict = self.infeasible()
            if verdict is None:
                return None
            if not verdict:  # needed: restore it
                self.relax(g, False)
                kept.append(g)
        return kept


def explain(program: LinearProgram, groups: list[Group], label) -> dict | None:
    """Deletion filtering over ``groups``, then over the rows of the groups left (``label(name,
    row)`` names a row in words, or None when it cannot). The JSON of ``certificate.infeasibility``:
    ``families``, ``rows`` (when refined) and ``words``; None when HiGHS gives no verdict or the
    model has more than :data:`MODEL_LIMIT` rows."""
    groups = [g for g in groups if g.rows.size or g.columns.size]
    if program.highs.getNumRow() > MODEL_LIMIT:
        return None
    f = _Filter(program)
    if not f.infeasible():
        return None
    core = f.filter(groups)
    if core is None:
        return None
    families = [g.name for g in core]
    out: dict = {"method": "deletion filter over constraint families (Chinneck & Dravnieks 1991), then rows",
                 "families": families}
    rows: list[str] = []
    fine = []
    for g in core:
        if 1 < g.rows.size <= ROW_LIMIT and label is not None:
            fine += [Group(f"{g.name}#{r}", np.array([r])) for r in g.rows]
        else:
            fine.append(g)
    if len(fine) > len(core):
        f = _Filter(program)
        for g in groups:
            if g.name not in families:
                f.relax(g, True)
        small = f.filter(fine)
        if small is not None:
            for g in small:
                name, _, row = g.name.partition("#")
                rows.append((label(name, int(row)) if row else None) or {"family": name})
            out["rows"] = rows
    out["words"] = summary(families, rows) + " cannot hold together"
    return out


def summary(families: list[str], rows: list[dict]) -> str:
    """'bic of buyer (3 rows) and seller (8) + interim_ir of buyer at 0.05, …, 0.65 and of seller at
    0.85, 0.95 + exante_budget': the families, and per agent which types."""
    parts = []
    for fam in families:
        mine = [r for r in rows if r.get("family") == fam]
        agents: dict[str, list[str]] = {}
        for r in mine:
            if "agent" in r:
                agents.setdefault(r["agent"], []).append(r.get("type", ""))
        if not agents:
            parts.append(fam)
            continue
        if fam.endswith("_ir"):
            said = [f"of {a} at {_types(ts)}" for a, ts in agents.items()]
        else:
            said = [f"of {a} ({len(ts)} row{'s' if len(ts) > 1 else ''})" for a, ts in agents.items()]
        parts.append(f"{fam} " + " and ".join(said))
    return " + ".join(parts)


def _types(ts: list[str]) -> str:
    ts = list(dict.fromkeys(ts))
    return ", ".join(ts) if len(ts) <= 3 else f"{ts[0]}, {ts[1]}, …, {ts[-1]} ({len(ts)} types)"
