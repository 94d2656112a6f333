r"""The independent verifier: recompute every constraint of a mechanism with numpy alone.

Nothing here reads the optimization model. For agent i the table

    U_i[θ_{-i}, θ_i, r_i] = Σ_o x(o | r_i, θ_{-i}) v_i(o, θ) − t_i(r_i, θ_{-i})

(true type θ_i, report r_i) gives every constraint family at once: DSIC is
U_i[·, θ_i, r_i] ≤ U_i[·, θ_i, θ_i]; BIC the same averaged with p(θ_{-i} | θ_i); IR reads the
diagonal. A constraint holds when its violation is at most ``tolerance × scale``, with
``scale = max(max|v|, max|d|, |payment bounds|)`` of the instance (:func:`instance_scale`), so that
the test means the same on any units and no candidate can loosen it.
Each family reports its largest violation and where it happens (agent, true type, report,
the others' types), which is the deviation a user needs to see.
"""

from __future__ import annotations

import numpy as np

from amd.certificate import DEFAULT_TOLERANCE, Certificate, Check, Checks, magnitude
from amd.environment import Design, Environment
from amd.mechanism import Mechanism

__all__ = ["DEFAULT_TOLERANCE", "Certificate", "Check", "interim_view", "objective_value", "utility_table", "verify"]


def utility_table(env: Environment, mech: Mechanism, i: int) -> np.ndarray:
    """U_i with axes (θ_{-i} …, true θ_i, report r_i)."""
    xr = np.moveaxis(mech.allocation, i, -2)  # (θ_-i…, report, o)
    vr = np.moveaxis(env.values[i], i, -2)  # (θ_-i…, true, o)
    U = vr @ np.swapaxes(xr, -1, -2)  # (θ_-i…, true, report)
    return U - np.moveaxis(mech.payments[i], i, -1)[..., None, :]


def interim_view(env: Environment, mech: Mechanism) -> dict[str, dict[str, list]]:
    """Per agent and type, under the agent's own beliefs p(θ_-i | θ_i) (correlated priors too):
    the expected value of the outcome V_i(θ_i), the expected payment T_i(θ_i) and the expected
    utility V_i − T_i of reporting truthfully — the interim rule of a BIC mechanism."""
    out = {}
    for i, a in enumerate(env.agents):
        belief = env.beliefs(i)
        others = tuple(j for j in range(env.n_agents) if j != i)
        value = (belief * (mech.allocation * env.values[i]).sum(axis=-1)).sum(axis=others)
        pay = (belief * mech.payments[i]).sum(axis=others)
        out[a] = {"types": list(env.types[i]), "expected_value": [float(v) + 0.0 for v in value],
                  "expected_payment": [float(t) + 0.0 for t in pay],
                  "expected_utility": [float(v - t) + 0.0 for v, t in zip(value, pay)]}
    return out


def _others(env: Environment, i: int, idx) -> dict:
    others = [a for a in range(env.n_agents) if a != i]
    return {env.agents[a]: env.types[a][j] for a, j in zip(others, idx)}


def _profile(env: Environment, idx) -> dict:
    return {a: env.types[k][j] for k, (a, j) in enumerate(zip(env.agents, idx))}


def _worst(arr: np.ndarray):
    """(max value, its index) of a non-empty array."""
    flat = int(np.argmax(arr))
    return float(arr.ravel()[flat]), np.unravel_index(flat, arr.shape)


def objective_value(env: Environment, design: Design, mech: Mechanism) -> float:
    """E_θ[Σ_i w_i u_i + w_pay Σ_i t_i + w_d d] of the truthful outcome."""
    obj = design.objective
    w = np.asarray(obj.agent_weights, float).reshape((-1,) + (1,) * (env.values.ndim - 1))
    per_outcome = (w * env.values).sum(axis=0) + obj.designer_weight * env.designer_values
    value = (mech.allocation * per_outcome).sum(axis=-1)
    wt = (obj.payment_weight - np.asarray(obj.agent_weights, float)).reshape((-1,) + (1,) * env.n_agents)
    value = value + (wt * mech.payments).sum(axis=0)
    return float((env.prior * value).sum())


def instance_scale(env: Environment, design: Design) -> float:
    """The size of the instance's numbers — values, the designer's values, payment bounds — by
    which the tolerance is scaled, so that a test means the same in any units. It comes from the
    instance alone: a candidate mechanism (with a subsidy of 1e6, say) cannot widen it."""
    return magnitude(env.values, env.designer_values, *design.payment_bounds)


def type_scale(env: Environment, i: int, scale: float) -> np.ndarray:
    """Per type of agent i, the size of that type's own values (its largest |v_i(o, θ)|), at least
    1e-6 of the instance's scale. Agent i's IC and IR constraints at type θ_i are judged in these
    units: with values from 1e-6 to 1e6, charging the 1e-6 type 0.05 for nothing is a violation,
    though 0.05 is nothing beside 1e6."""
    k = env.shape[i]
    own = np.abs(np.moveaxis(env.values[i], i, 0)).reshape(k, -1).max(axis=1)
    return np.maximum(own, 1e-6 * scale)


def verify(env: Environment, design: Design, mech: Mechanism,
           tolerance: float = DEFAULT_TOLERANCE) -> Certificate:
    """Check ``mech`` against every constraint ``design`` asks for (and feasibility)."""
    x, t = mech.allocation, mech.payments
    scale = instance_scale(env, design)
    checks = Checks(tolerance, scale)
    for name, arr in (("allocation", x), ("payments", t)):
        if not np.isfinite(arr).all():  # NaN compares false with everything: it would pass every check
            idx = np.unravel_index(int(np.argmin(np.isfinite(arr))), arr.shape)
            checks.add("finite", float("inf"), {name: "not a finite number", "at": [int(j) for j in idx]})
            return checks.certificate()

    def add(name: str, violation: float, worst: dict | None, relative: float | None = None) -> None:
        """``violation`` and ``worst``: the largest violation and where; ``relative``: the largest
        in units of the agent's own type (type_scale), which decides whether the family holds."""
        checks.add(name, violation, worst, holds=None if relative is None else relative <= tolerance)

    # feasibility of the allocation
    neg, idx = _worst(-x)
    total = x.sum(axis=-1)
    off, pidx = _worst(np.abs(total - 1.0))
    if neg >= off:
        add("feasibility", neg, {"profile": _profile(env, idx[:-1]), "outcome": env.outcomes[idx[-1]],
                                 "probability": -neg})
    else:
        add("feasibility", off, {"profile": _profile(env, pidx), "total_probability": float(total[pidx])})
    if not design.randomized:
        frac, idx = _worst(np.abs(x - np.round(x)))
        add("deterministic", frac, {"profile": _profile(env, idx[:-1]), "outcome": env.outcomes[idx[-1]],
                                    "probability": float(x[idx])})
    if not design.payments:
        paid, idx = _worst(np.abs(t))
        add("no_payments", paid, {"agent": env.agents[idx[0]], "profile": _profile(env, idx[1:]),
                                  "payment": float(t[idx])})
    lo, hi = design.payment_bounds
    if lo is not None or hi is not None:
        below = (lo - t) if lo is not None else np.full(t.shape, -np.inf)
        above = (t - hi) if hi is not None else np.full(t.shape, -np.inf)
        v, idx = _worst(np.maximum(below, above))
        add("payment_bounds", v, {"agent": env.agents[idx[0]], "profile": _profile(env, idx[1:]),
                                  "payment": float(t[idx])})

    if design.ic != "none" or design.ir != "none":
        tables = [utility_table(env, mech, i) for i in range(env.n_agents)]
    if design.ic == "dsic":
        best: tuple[float, dict | None, float] = (0.0, None, 0.0)
        for i, U in enumerate(tables):
            gain = U - np.diagonal(U, axis1=-2, axis2=-1)[..., :, None]
            g, idx = _worst(gain)
            rel = max(best[2], _worst(gain / type_scale(env, i, scale)[:, None])[0])
            if g > best[0]:
                best = (g, {"agent": env.agents[i], "type": env.types[i][idx[-2]], "report": env.types[i][idx[-1]],
                            "others": _others(env, i, idx[:-2]), "gain": g}, rel)
            best = best[:2] + (rel,)
        add("dsic", *best)
    elif design.ic == "bic":
        best = (0.0, None, 0.0)
        for i, U in enumerate(tables):
            k = env.shape[i]
            belief = np.moveaxis(env.beliefs(i), i, -1)
            gain = U - np.diagonal(U, axis1=-2, axis2=-1)[..., :, None]
            interim = (belief[..., :, None] * gain).reshape(-1, k, k).sum(axis=0)
            g, (a, r) = _worst(interim)
            rel = max(best[2], _worst(interim / type_scale(env, i, scale)[:, None])[0])
            if g > best[0]:
                best = (g, {"agent": env.agents[i], "type": env.types[i][a], "report": env.types[i][r],
                            "expected_gain": g}, rel)
            best = best[:2] + (rel,)
        add("bic", *best)

    if design.ir != "none":
        best = (0.0, None, 0.0)
        for i, U in enumerate(tables):
            u = np.diagonal(U, axis1=-2, axis2=-1)  # (θ_-i…, θ_i): truthful utility
            own = type_scale(env, i, scale)
            if design.ir == "expost":
                v, idx = _worst(-u)
                rel = _worst(-u / own)[0]
                where = {"agent": env.agents[i], "type": env.types[i][idx[-1]], "others": _others(env, i, idx[:-1]),
                         "utility": -v}
            elif design.ir == "interim":
                belief = np.moveaxis(env.beliefs(i), i, -1)
                interim = (belief * u).reshape(-1, env.shape[i]).sum(axis=0)
                v, (a,) = _worst(-interim)
                rel = _worst(-interim / own)[0]
                where = {"agent": env.agents[i], "type": env.types[i][a], "expected_utility": -v}
            else:
                v = -float((np.moveaxis(env.prior, i, -1) * u).sum())
                rel = v / scale
                where = {"agent": env.agents[i], "expected_utility": -v}
            rel = max(best[2], rel)
            best = (v, where, rel) if v > best[0] else best[:2] + (rel,)
        add(f"{design.ir}_ir", *best)

    if design.budget != "none":
        surplus = t.sum(axis=0)  # Σ_i t_i(θ): what the designer keeps
        if design.budget_designer:  # and the designer's own value of the outcome (a cost: negative)
            surplus = surplus + (x * env.designer_values).sum(axis=-1)
        weak = design.budget.endswith("_weak")
        if design.budget.startswith("expost"):
            v, idx = _worst(-surplus if weak else np.abs(surplus))
            add(f"{design.budget}_budget", v, {"profile": _profile(env, idx), "surplus": float(surplus[idx])})
        else:
            expected = float((env.prior * surplus).sum())
            add(f"{design.budget}_budget", -expected if weak else abs(expected), {"expected_surplus": expected})

    if design.extra:
        add("extra", *_extra_violation(env, design, x, t))

    return checks.certificate()


def _extra_violation(env: Environment, design: Design, x: np.ndarray, t: np.ndarray) -> tuple[float, dict | None]:
    """The largest violation of the declared extra constraints (constraints.extra) and which."""
    worst, where = 0.0, None
    for j, e in enumerate(design.extra):
        if "payment_cap" in e:
            agents = [env.agents.index(e["agent"])] if e["agent"] is not None else range(env.n_agents)
            v = max(float(t[i].max()) for i in agents) - e["payment_cap"]
            what = {"payment_cap": e["payment_cap"], "largest_payment": v + e["payment_cap"]}
        elif "probability" in e:
            cols = [env.outcomes.index(o) for o in e["probability"]]
            p = float((env.prior * x[..., cols].sum(axis=-1)).sum())
            v = max(-np.inf if e["at_least"] is None else e["at_least"] - p,
                    -np.inf if e["at_most"] is None else p - e["at_most"])
            what = {"probability": e["probability"], "value": p}
        else:
            revenue = float((env.prior * t.sum(axis=0)).sum())
            v = e["revenue_floor"] - revenue
            what = {"revenue_floor": e["revenue_floor"], "revenue": revenue}
        if v > worst:
            worst, where = v, {"extra": j, **what}
    return worst, where
