"""The instance library as a table computed from the files (the path is the identity; the
description, citation and known optimum live in each file, as in Gambit's game catalog)."""

from __future__ import annotations

from pathlib import Path

from amd import concepts
from amd.errors import InstanceError
from amd.io.read import discover
from amd.io.schema import Instance, load


def describe_size(inst: Instance) -> str:
    """'2 agents, 100 profiles, 3 outcomes' or '2 players, 1 state, 4 action profiles'."""
    return concepts.for_instance(inst).describe(inst)


def problem(inst: Instance) -> str:
    """What is asked, in one line: 'dsic · expost IR · LP · max revenue' or 'bce · max'."""
    return concepts.for_instance(inst).problem(inst)


def catalog(paths: list[str | Path]) -> list[dict]:
    """One row per instance file under ``paths``: path, name, kind, size, problem, expected,
    source, tags — or the validation error of a broken file."""
    rows = []
    for f in discover(paths):
        try:
            inst = load(f)
        except InstanceError as e:
            rows.append({"path": str(f), "name": "", "kind": "invalid", "size": "", "problem": str(e),
                         "expected": "", "source": "", "tags": ""})
            continue
        exp = inst.expected
        expected = "" if exp is None else (exp.status if exp.objective is None else f"{exp.objective:.10g}")
        rows.append({"path": str(f), "name": inst.name, "kind": inst.kind, "size": describe_size(inst),
                     "problem": problem(inst), "expected": expected, "source": inst.source or "",
                     "tags": ",".join(inst.tags)})
    return rows
