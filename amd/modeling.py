"""The model in the user's hands: ``amd.build(instance)`` and user constraints and objectives.

The Pyomo model amd solves is built by :mod:`amd.models` with integer-indexed columns (the fast
build path of DESIGN.md). :func:`build` returns that same model, every IC row built, with readable
names laid over the same variables (Pyomo ``Reference`` components, no copies):

* ``m.allocation[θ_1, …, θ_n, o]``  x(o | θ), indexed by the agents' type labels and the outcome;
* ``m.payment[i, θ_1, …, θ_n]``     t_i(θ), indexed by the agent's name and the type labels;
* ``m.prior[θ_1, …, θ_n]``          p(θ) (a Param);
* the constraint families as amd names them: ``feasibility``, ``dsic`` / ``bic``,
  ``expost_ir`` / ``interim_ir`` / ``exante_ir``, ``*_budget``; the objective ``objective``.

For ``kind: information`` (BCE): ``m.outcome[state, a_1, …, a_n]`` over π, and ``m.prior[state]``.

``amd.solve(instance, constraints=[fn, …], objective=fn)`` calls each ``fn(m)`` on that model before
it is solved: a constraint function returns a Pyomo relational expression (or a list of them) —
or adds components itself — and an objective function returns a linear expression that replaces
amd's objective (same sense). The answer is verified against the user's constraints too
(``user_constraints`` in the certificate).

Example: bidder 1 never pays more than 1, and the item is sold with probability at least 0.9::

    def cap(m):
        return [m.payment["b1", *θ] <= 1 for θ in m.profiles]

    def sold(m):
        return sum(m.prior[θ] * (m.allocation[(*θ, "b1")] + m.allocation[(*θ, "b2")])
                   for θ in m.profiles) >= 0.9

    amd.solve("auction.yaml", constraints=[cap, sold])
"""

from __future__ import annotations

import itertools

import numpy as np
import pyomo.environ as pyo

from amd.errors import InstanceError


def readable(m, env, layout) -> None:
    """Lay readable references over the direct model's columns (see the module docstring)."""
    profiles = list(itertools.product(*env.types))
    m.profiles = profiles  # a plain attribute: the type-label tuples in model order
    O = env.n_outcomes
    m.allocation = pyo.Reference({(*theta, o): m.x[p * O + k] for p, theta in enumerate(profiles)
                                  for k, o in enumerate(env.outcomes)})
    if hasattr(m, "t"):
        m.payment = pyo.Reference({(a, *theta): m.t[i * len(profiles) + p] for i, a in enumerate(env.agents)
                                   for p, theta in enumerate(profiles)})
    m.prior = pyo.Param(profiles, initialize={theta: float(w) for theta, w in zip(profiles, env.prior.ravel())},
                        doc="p(θ)")


def readable_outcome(m, game) -> None:
    """``m.outcome[state, a_1, …]`` over the BCE model's π, and ``m.prior[state]``."""
    cells = list(itertools.product(game.states, *game.actions))
    m.outcome = pyo.Reference({cell: m.pi[j] for j, cell in enumerate(cells)})
    m.prior = pyo.Param(list(game.states), initialize=dict(zip(game.states, map(float, game.prior))), doc="μ0(θ)")


def build(instance):
    """The readable Pyomo ``ConcreteModel`` of ``instance`` (an :class:`amd.Instance` or a path),
    every row built, in the instance's own units (module docstring). Solve it with any Pyomo
    solver, or change it and pass the changes to ``amd.solve`` as ``constraints=`` / ``objective=``.

    >>> import amd
    >>> m = amd.build("instances/auctions/two-bidders-two-values.yaml")
    >>> sorted(c.local_name for c in m.component_objects(pyo.Constraint))
    ['dsic', 'expost_ir', 'feasibility']
    >>> m.payment["b1", "2", "1"].name, float(m.prior["2", "1"])
    ('t[2]', 0.25)
    """
    from amd.environment import Environment
    from amd.information import InformationGame
    from amd.io.schema import Instance, load
    from amd.models import bce, direct_mechanism

    inst = instance if isinstance(instance, Instance) else load(instance)
    env = inst.environment
    from amd.models.linear import expand

    if isinstance(env, Environment):
        form = direct_mechanism.build(env, inst.design)
        readable(form.model, env, form.layout)
        expand(form.model)
        return form.model
    if isinstance(env, InformationGame) and inst.design.solution == "bce":
        form = bce.build(env, inst.design.sense)
        readable_outcome(form.model, env)
        expand(form.model)
        return form.model
    raise InstanceError(inst.file, "kind", "amd.build gives the model of a 'kind: mechanism' instance written out, "
                                           "or of 'kind: information' with 'solution: bce'")


def apply_user(m, constraints, objective, sense: str) -> None:
    """Call the user's constraint functions and objective function on ``m`` (module docstring)."""
    from amd.models.linear import expand, recorded

    if recorded(m) is not None:  # user code may change rows in place: compile the model, not the record
        expand(m)
        recorded(m).touched = True
    if constraints:
        m.user_constraints = pyo.ConstraintList(doc="the user's constraints")
        for fn in constraints:
            out = fn(m)
            for expr in (out if isinstance(out, (list, tuple)) else [out] if out is not None else []):
                if isinstance(expr, bool):
                    raise InstanceError("constraints", None, f"{getattr(fn, '__name__', fn)!r} returned {expr}: a "
                                                             "constraint must involve the model's variables")
                m.user_constraints.add(expr)
    if objective is not None:
        for obj in m.component_objects(pyo.Objective, active=True):
            obj.deactivate()
        m.user_objective = pyo.Objective(expr=objective(m), sense=pyo.maximize if sense == "maximize" else pyo.minimize)


def declared(extra, env) -> list:
    """The declared extra constraints of a file (``constraints.extra``, validated by the schema)
    as constraint functions of the readable model — the same path as ``constraints=``."""
    fns = []
    for e in extra:
        if "payment_cap" in e:
            agents = [e["agent"]] if e["agent"] is not None else list(env.agents)
            fns.append(lambda m, cap=e["payment_cap"], agents=agents:
                       [m.payment[a, *th] <= cap for a in agents for th in m.profiles])
        elif "probability" in e:
            def probability(m, outs=e["probability"], lo=e["at_least"], hi=e["at_most"]):
                p = sum(m.prior[th] * m.allocation[(*th, o)] for th in m.profiles for o in outs)
                return [r for r in ((p >= lo) if lo is not None else None,
                                    (p <= hi) if hi is not None else None) if r is not None]
            fns.append(probability)
        else:
            fns.append(lambda m, floor=e["revenue_floor"]:
                       sum(m.prior[th] * m.payment[a, *th] for a in env.agents for th in m.profiles) >= floor)
    return fns


def user_check(m, columns, values) -> tuple[float, dict | None, float | None]:
    """With the solution ``values`` loaded into ``columns``: the largest violation of the user's
    constraints (and where), and the value of the user's objective (None without one)."""
    for v, z in zip(columns, values):
        if not v.fixed:
            v.set_value(float(z), skip_validation=True)
    worst, where = 0.0, None
    block = getattr(m, "user_constraints", None)
    if block is not None:
        for c in block.values():
            body = float(pyo.value(c.body))
            lo = -np.inf if c.lower is None else float(pyo.value(c.lower))
            hi = np.inf if c.upper is None else float(pyo.value(c.upper))
            v = max(lo - body, body - hi)
            if v > worst:
                worst, where = v, {"constraint": str(c.expr)[:200], "value": body}
    obj = getattr(m, "user_objective", None)
    return worst, where, None if obj is None else float(pyo.value(obj.expr))
