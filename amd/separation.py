"""Constraint generation for the IC rows, with the independent verifier as separation oracle.

Start from the core IC rows (:func:`amd.models.direct_mechanism.core_deviations`), solve,
recompute every IC constraint with the verifier's utility tables, add the violated rows to the
kept HiGHS model (no rebuild), re-solve warm, and stop only when the full verifier passes. The
optimum is that of the full LP: every row left out holds at the returned solution.
"""

from __future__ import annotations

import numpy as np

from amd.environment import Design, Environment
from amd.mechanism import Mechanism
from amd.verifier import utility_table

#: below this many IC rows the full model is built at once (generation would not pay)
FULL_BELOW = 20_000
#: a safeguard: every round adds at least one violated row, but never loop without end
MAX_ROUNDS = 500


def ic_row_count(env: Environment, ic: str) -> int:
    if ic == "dsic":
        return sum(env.n_profiles * (k - 1) for k in env.shape)
    if ic == "bic":
        return sum(k * (k - 1) for k in env.shape)
    return 0


def applies(env: Environment, design: Design, allocation, full: bool | None) -> bool:
    """Generation is used for randomized designs with private values, unless ``full`` says
    otherwise; by default only when the full model has at least FULL_BELOW IC rows."""
    if full is True or allocation is not None or not design.randomized or design.ic == "none":
        return False
    if not all(env.private):
        return False
    return full is False or ic_row_count(env, design.ic) >= FULL_BELOW


def violated(env: Environment, design: Design, mech: Mechanism, tol: float) -> list | None:
    """The IC rows to add: for dsic, per agent the most profitable misreport at every true
    profile where one gains more than ``tol``; for bic, every violated (θ_i, r_i). None when
    nothing is violated."""
    out, found = [], False
    flat = np.arange(env.n_profiles).reshape(env.shape)
    for i in range(env.n_agents):
        U = utility_table(env, mech, i)  # (θ_-i…, true, report)
        gain = U - np.diagonal(U, axis1=-2, axis2=-1)[..., :, None]
        if design.ic == "bic":
            k = env.shape[i]
            belief = np.moveaxis(env.beliefs(i), i, -1)
            interim = (belief[..., :, None] * gain).reshape(-1, k, k).sum(axis=0)
            mask = interim > tol
            found |= bool(mask.any())
            out.append(mask)
            continue
        best = gain.argmax(axis=-1)  # (θ_-i…, true)
        top = np.take_along_axis(gain, best[..., None], -1)[..., 0]
        where = np.nonzero(top > tol)
        moved = np.moveaxis(flat, i, -1)  # (θ_-i…, θ_i) → flat profile
        p = moved[where]
        q = moved[where[:-1] + (best[where],)]
        found |= p.size > 0
        out.append((p, q))
    return out if found else None
