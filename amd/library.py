"""The instance library as a table computed from the files (the path is the identity; the
description, citation and known optimum live in each file, as in Gambit's game catalog)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from amd import limits
from amd.batch import discover
from amd.errors import InstanceError
from amd.schema import Instance, load


def _count(n: int, noun: str) -> str:
    return f"{limits.count(n)} {noun}{'' if n == 1 else 's'}"  # 1e+20 profiles, not twenty-one digits


def describe_size(inst: Instance) -> str:
    """'2 agents, 100 profiles, 3 outcomes' or '2 players, 1 state, 4 action profiles'."""
    env = inst.environment
    if inst.kind == "information" and inst.design.solution == "extensive":
        return (f"{_count(env.n_players, 'player')}, {_count(env.shape[0], 'state')}, {_count(env.shape[1], 'leaf')}"
                f", {_count(len(env.infosets), 'information set')}").replace("leafs", "leaves")
    if inst.kind == "information":
        profiles = int(np.prod(env.shape[1:]))
        return f"{_count(env.n_players, 'player')}, {_count(env.shape[0], 'state')}, {_count(profiles, 'action profile')}"
    return f"{_count(env.n_agents, 'agent')}, {_count(env.n_profiles, 'profile')}, {_count(env.n_outcomes, 'outcome')}"


def problem(inst: Instance) -> str:
    """What is asked, in one line: 'dsic · expost IR · LP · max revenue' or 'bce · max'."""
    d = inst.design
    if inst.kind == "information" and d.solution == "extensive":
        return f"extensive · {'credible' if d.credible else 'threats'} · {d.sense[:3]}"
    if inst.kind == "information":
        return f"{d.solution} · {d.sense[:3]}"
    parts = [d.ic, f"{d.ir} IR" if d.ir != "none" else "no IR"]
    if d.budget != "none":
        parts.append(f"{d.budget} BB")
    parts.append("LP" if d.randomized else "MIP")
    if not d.payments:
        parts.append("no money")
    parts.append(f"{d.objective.sense[:3]} {d.objective.name}")
    return " · ".join(parts)


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
