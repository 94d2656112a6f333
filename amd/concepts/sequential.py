"""Sequential information design (Doval & Ely 2020): the designer also chooses the hidden order
of moves. The LP is :mod:`amd.models.sequential`; what later movers can be made to do after a
deviation, per equilibrium notion, is :mod:`amd.punishment`; the check is
:func:`amd.information.verify_sequential`.

The flow, per notion:

* ``nash`` — one LP, exact.
* ``weak_pbe`` — the greatest support H (the actions recommendable with positive probability,
  hence usable by hidden punishments; :func:`greatest_support`) and, within it, the admissible
  revealed actions; exact.
* ``sequential`` (the default) — a construction (hidden punishments, and revealed ones by the
  last mover under the belief conditional on the deviation) gives the achievable value; a
  relaxation (off-path beliefs over any history after a move) bounds it. ``optimal`` when they
  agree, else ``bounded`` with both.

An optimum that punishes with an action it recommends only with probability zero is a supremum:
``attained: false`` and ``plan.witness`` holds an outcome that recommends every action of H, so
that (1 − ε)·optimum + ε·witness is implementable for every ε > 0 (both are verified).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from rich.markup import escape

from amd import information, limits, punishment
from amd.certificate import DEFAULT_TOLERANCE, Checks, magnitude
from amd.concepts.base import Concept
from amd.concepts.bce import CONCEPT as BCE_CONCEPT
from amd.concepts.bce import OutcomeDetails, outcome_axes
from amd.errors import InstanceError
from amd.io.arrays import nested_array
from amd.mechanism import clean
from amd.models import sequential
from amd.models.sequential import SequentialLayout
from amd.plot import plot_outcome
from amd.report import number
from amd.result import Result, checked, no_gc, timed
from amd.solver import LinearProgram

#: an action counts as recommended on path above this probability (HiGHS's tolerances are 1e-7)
SUPPORT = 1e-7
#: re-solves on the optimum's own support, looking for an optimum that is attained
ATTEMPTS = 3


@dataclass(frozen=True)
class SequentialDetails(OutcomeDetails):
    """The outcome's signals and posteriors, and the plan behind it (:mod:`amd.models.sequential`)."""

    #: sequential | weak_pbe | nash: what later movers can be made to do after a deviation
    equilibrium: str | None = None
    #: the probability of each order of moves
    order: dict[str, float] | None = None
    #: H: per player, the actions a hidden punishment may use (recommended with positive probability)
    recommendable: dict[str, list[str]] | None = None
    #: R: per player, the actions a revealed punishment may use (all under nash; none when
    #: revealed deviations are the plan's η)
    revealed_actions: dict[str, list[str]] | None = None
    #: false when the plan reaches the value only in the limit: mixing in ε of ``plan.witness``
    attained: bool | None = None
    #: the ordered outcome ``onpath`` (S, orders, a…), the revealed continuations ``revealed``
    #: (per order), and the ``witness`` when the value is not attained
    plan: dict | None = None


@dataclass
class _Design:
    """One program of the flow at its fixed point."""

    program: LinearProgram | None
    layout: SequentialLayout | None
    recommendable: list[np.ndarray]
    revealed: list[np.ndarray]
    values: np.ndarray | None = None
    witness: np.ndarray | None = None
    status: str = "optimal"
    message: str = ""
    objective: float | None = None


def _masks(game, values: np.ndarray, layout: SequentialLayout) -> list[np.ndarray]:
    """Per player, the actions ρ recommends with probability above :data:`SUPPORT`."""
    rho = values[layout.pi]
    return [np.moveaxis(rho, 2 + j, 0).reshape(game.shape[1 + j], -1).sum(axis=1) > SUPPORT
            for j in range(game.n_players)]


def _program(game, sense, options, timing, allowed, revealed, support=False):
    with timed(timing, "build_s"), no_gc():
        form = sequential.build(game, sense, punishment.punishments(game, allowed), revealed, support)
    with timed(timing, "load_s"), no_gc():
        program = LinearProgram.from_pyomo(form.model, form.columns, options)
    return program, form.layout


def _solve(program, timing):
    out = program.solve()
    timing["solve_s"] = timing.get("solve_s", 0.0) + out.solve_s
    return out


def greatest_support(game, options, timing: dict, rule, revealed: bool) -> _Design:
    """H, the greatest family of action sets such that the outcomes implementable when hidden
    punishments draw on H recommend, between them, exactly H (a greatest fixed point: from all
    actions, shrink to the union of the supports of the feasible outcomes until it holds —
    Knaster–Tarski, the map being monotone); ``rule(H)`` gives the revealed actions R. Each
    union of supports is one LP (:func:`amd.models.sequential.build` with ``support``), whose
    solution, rescaled, is the witness: a feasible outcome recommending all of H."""
    H = [np.ones(k, bool) for k in game.shape[1:]]
    while True:
        R = rule(H)
        program, layout = _program(game, "maximize", options, timing, [h | r for h, r in zip(H, R)], revealed, True)
        out = _solve(program, timing)
        if out.values is None:
            return _Design(None, layout, H, R, status=out.status, message=out.message)
        scale = out.values[layout.n]  # λ ≥ 1 when anything is recommended: t ≤ 1 needs mass ≥ 1
        t = out.values[layout.n + 1:] > 0.5
        found = np.split(t, np.cumsum(game.shape[1:])[:-1])
        if scale <= 0 or not all(f.any() for f in found):
            return _Design(None, layout, H, R, status="error",
                           message="the support LP found no implementable outcome (numerical trouble)")
        if all((f == h).all() for f, h in zip(found, H)):
            return _Design(program, layout, H, R, witness=out.values[:layout.n] / scale)
        H = found


def _designer_program(game, sense, options, timing, design: _Design, revealed: bool):
    """The designer's LP at the fixed point: the support LP itself, its root mass λ fixed at 1
    and the designer's payoff as the objective (the t columns then constrain nothing), when
    HiGHS holds it — one model built, not two; else built again."""
    if design.program is not None and options.solver == "highs":
        lay = design.layout
        cost = np.zeros(design.program.n_full)
        cost[lay.pi] = np.broadcast_to(np.expand_dims(game.designer, 1), lay.pi.shape)
        # afresh: from the support LP's basis HiGHS tends to end on an optimum that punishes off
        # its own path (a supremum), where a fresh start finds one that is attained
        design.program.reoptimize(cost, sense == "maximize", {lay.n: 1.0}, warm=False)
        return design.program, lay
    allowed = [h | r for h, r in zip(design.recommendable, design.revealed)]
    return _program(game, sense, options, timing, allowed, revealed)


def _optimize(game, sense, options, timing, design: _Design, rule, revealed: bool) -> _Design:
    """The designer's optimum at the fixed point. While it punishes with actions outside its own
    support, re-solve with H its support: an equal value there is attained; else the value is
    the supremum, kept with the fixed point's H and witness."""
    program, layout = _designer_program(game, sense, options, timing, design, revealed)
    out = _solve(program, timing)
    if out.values is None:
        return replace(design, program=program, status=out.status, message=out.message)
    best = current = replace(design, program=program, layout=layout, values=out.values, objective=out.objective)
    for _ in range(ATTEMPTS):
        own = _masks(game, current.values, current.layout)
        R = rule(own)
        allowed = [h | r for h, r in zip(own, R)]
        rho, eta = current.values[current.layout.pi], _eta(current.values, current.layout)
        if information.verify_sequential(game, rho, eta, allowed).verified:
            return replace(current, recommendable=own, revealed=R, witness=None)
        program, layout = _program(game, sense, options, timing, allowed, revealed)
        again = _solve(program, timing)
        if again.values is None or abs(again.objective - out.objective) > 1e-9 * max(1.0, abs(out.objective)):
            break
        current = _Design(program, layout, own, R, values=again.values, objective=again.objective)
    return best


def _eta(values: np.ndarray, layout: SequentialLayout) -> dict | None:
    return {s: values[E] for s, E in layout.revealed.items()} or None


def _named(game, masks: list[np.ndarray]) -> dict[str, list[str]]:
    return {p: [a for a, keep in zip(game.actions[j], masks[j]) if keep] for j, p in enumerate(game.players)}


def _from_names(game, named, file: str, key: str) -> list[np.ndarray]:
    if not isinstance(named, dict):
        raise InstanceError(file, key, "expected a mapping player → list of actions")
    out = []
    for j, p in enumerate(game.players):
        acts = named.get(p, [])
        if not isinstance(acts, list) or any(a not in game.actions[j] for a in acts):
            raise InstanceError(file, f"{key}.{p}", f"expected a list of {p}'s actions ({', '.join(game.actions[j])})")
        out.append(np.array([a in acts for a in game.actions[j]]))
    return out


def _rules(game, notion: str):
    """(the construction's rule H → R, whether it reveals to the last mover through η, and the
    relaxation's rule or None when the construction is exact)."""
    none = lambda H: [np.zeros_like(h) for h in H]  # noqa: E731 - three one-line rules side by side
    if notion == "nash":
        return (lambda H: [np.ones_like(h) for h in H]), False, None
    if notion == "weak_pbe":
        return (lambda H: punishment.admissible(game, H, "weak_pbe")), False, None
    return none, True, (lambda H: punishment.admissible(game, H, "sequential"))


class Sequential(Concept):
    name = "sequential"
    value_label = "designer value"

    def solve(self, inst, options, tolerance, choices):
        game = inst.environment
        notion, sense = inst.design.equilibrium, inst.design.sense
        rule, revealed, relaxation = _rules(game, notion)
        columns, rows, terms = SequentialLayout.size(game, revealed)
        # a Pyomo column or row weighs 16 numbers (1 KiB), a term 8: measured peak memory is
        # 530-700 bytes per term (benchmarks/sequential_scale.py), the budget a quarter of memory
        limits.check(columns + rows + terms // 2, inst.file, "players",
                     "the sequential design's LP (columns, rows and their terms)", limits.PYTHON_OBJECT)
        timing: dict[str, float] = {}
        if notion == "nash":  # the later movers can do anything: H plays no part
            allowed = [np.ones(k, bool) for k in game.shape[1:]]
            program, layout = _program(game, sense, options, timing, allowed, False)
            out = _solve(program, timing)
            design = _Design(program, layout, [~a for a in allowed], allowed, values=out.values,
                             objective=out.objective, status=out.status, message=out.message)
        else:
            design = greatest_support(game, options, timing, rule, revealed)
            if design.status == "optimal":
                design = _optimize(game, sense, options, timing, design, rule, revealed)
        if design.values is None:
            return Result(inst.name, design.status, timing=timing, message=design.message, kind="information",
                          program=design.program)
        bounds, other = None, None
        if relaxation is not None:
            upper = greatest_support(game, options, timing, relaxation, False)
            if upper.status == "optimal":
                program, _ = _designer_program(game, sense, options, timing, upper, False)
                outer = _solve(program, timing)
                if outer.values is not None and abs(outer.objective - design.objective) > tolerance * max(
                        1.0, abs(design.objective)):
                    bounds, other = sorted([design.objective, outer.objective]), outer.objective
        with timed(timing, "verify_s"):
            result = self._read(inst, design, bounds, other, tolerance)
        return replace(result, timing=timing)

    def _read(self, inst, design: _Design, bounds, other, tolerance) -> Result:
        game, lay = inst.environment, design.layout
        z = np.maximum(design.values, 0.0)
        rho, eta = z[lay.pi], _eta(z, lay)
        allowed = [h | r for h, r in zip(design.recommendable, design.revealed)]
        cert = information.verify_sequential(game, rho, eta, allowed, tolerance)
        attained = design.witness is None
        plan = _plan_dict(rho, eta)
        witness = None
        if not attained:
            w = np.maximum(design.witness, 0.0)
            witness = (w[lay.pi], _eta(w, lay))
            plan["witness"] = _plan_dict(*witness)
        cert.merge(_justify(game, inst.design.equilibrium, rho, eta, design.recommendable, design.revealed, witness,
                            tolerance))
        pi = rho.sum(axis=1)
        value = information.designer_value(game, pi)
        status, message = checked(design.status, design.message, value, design.objective, cert,
                                  "designer value recomputed from the outcome", "the plan")
        if status == "optimal" and bounds is not None:
            status = "bounded"
            message = (f"sequential equilibrium: {value:.6g} is implementable (hidden punishments, revealed ones "
                       f"by the last mover); a relaxation of off-path beliefs bounds the value by {other:.6g}")
        elif status == "optimal" and not attained:
            message = "a supremum: approached by (1 − ε)·outcome + ε·plan.witness as ε → 0"
        details = SequentialDetails.of(
            game, pi, equilibrium=inst.design.equilibrium, bounds=bounds, attained=attained,
            order={information.order_label(game, o): float(rho[:, s].sum()) + 0.0 for s, o in enumerate(lay.orders)},
            recommendable=_named(game, design.recommendable), revealed_actions=_named(game, design.revealed),
            plan=plan)
        return Result(inst.name, status, value, None, cert, {}, None, message, kind="information",
                      outcome=pi, details=details, program=design.program)

    def check(self, inst, document, file):
        game = inst.environment
        plan = document.get("plan")
        if not isinstance(plan, dict):
            raise InstanceError(file, "plan", "required key is missing (a result of 'solution: sequential')")
        notion = document.get("equilibrium", inst.design.equilibrium)
        if notion != inst.design.equilibrium:
            raise InstanceError(file, "equilibrium", f"the result is for {notion!r}, the instance asks for "
                                                     f"{inst.design.equilibrium!r}")
        rule, revealed, _ = _rules(game, notion)
        lay = SequentialLayout.of(game, revealed)
        H = _from_names(game, document.get("recommendable"), file, "recommendable")
        R = _from_names(game, document.get("revealed_actions"), file, "revealed_actions")
        rho, eta = _read_plan(game, lay, plan, file, "plan")
        witness = None
        if document.get("attained") is False:
            if not isinstance(plan.get("witness"), dict):
                raise InstanceError(file, "plan.witness", "required when 'attained' is false")
            witness = _read_plan(game, lay, plan["witness"], file, "plan.witness")
        cert = information.verify_sequential(game, rho, eta, [h | r for h, r in zip(H, R)])
        cert.merge(_justify(game, notion, rho, eta, H, R, witness, None))
        return information.designer_value(game, rho.sum(axis=1)), cert

    def report(self, result, inst, console, max_rows):
        BCE_CONCEPT.report(result, inst, console, max_rows)
        d = result.details
        order = getattr(d, "order", None)
        if result.outcome is not None and order:
            console.print("  order of moves: " + ", ".join(f"{escape(k)} {number(v)}" for k, v in order.items()))
        if result.outcome is not None and getattr(d, "equilibrium", None):
            def listed(sets):
                return "; ".join(f"{escape(p)} {', '.join(map(escape, a))}" for p, a in sets.items() if a) or "none"
            revealed = listed(d.revealed_actions)
            if d.equilibrium == "sequential":
                revealed = "the last mover's best reply to the deviation (plan.revealed)"
            console.print(f"  equilibrium: {d.equilibrium}; after a deviation, hidden punishments: "
                          f"{listed(d.recommendable)}; revealed: {revealed}")
            if d.attained is False:
                console.print("  the value is a supremum: approached by mixing in ε of the plan's witness")

    def describe(self, inst):
        return BCE_CONCEPT.describe(inst)

    def problem(self, inst):
        return BCE_CONCEPT.problem(inst) + f" ({inst.design.equilibrium} equilibrium)"

    def plottable(self, inst):
        BCE_CONCEPT.plottable(inst)

    def plot(self, inst, result, path, title):
        order = getattr(result.details, "order", None) or {}
        note = "order of moves: " + ", ".join(f"{k} {v:.3g}" for k, v in order.items() if v > 1e-9)
        return plot_outcome(inst.environment, result.outcome, path, title, note=note)


def _plan_dict(rho, eta) -> dict:
    """An ordered outcome and its revealed continuations as written in a result (:func:`_read_plan`)."""
    return {"onpath": clean(rho).tolist(), "revealed": [clean(x).tolist() for x in (eta or {}).values()]}


def _read_plan(game, lay: SequentialLayout, plan: dict, file: str, key: str):
    axes = outcome_axes(game)
    rho = nested_array(plan.get("onpath"), lay.pi.shape, ["one per state", "one per order", *axes[1:]], file,
                       f"{key}.onpath")
    raw = plan.get("revealed") or []
    if not isinstance(raw, list) or len(raw) != len(lay.revealed):
        raise InstanceError(file, f"{key}.revealed", f"expected {len(lay.revealed)} arrays, one per order")
    dev_axes = ["one per state"] + ["one per earlier move"] * (game.n_players - 2) + [
        "one per told", "one per played", "one per last move"]
    eta = {s: nested_array(raw[s], E.shape, dev_axes, file, f"{key}.revealed[{s}]") for s, E in lay.revealed.items()}
    return rho, eta or None


def _justify(game, notion, rho, eta, H, R, witness, tolerance):
    """The checks that make H and R what the notion allows: H is recommended with positive
    probability (by the outcome, or by a witness that is itself verified), and under weak_pbe
    each revealed action is a best reply to some belief (:func:`amd.punishment.justified`)."""
    tol = DEFAULT_TOLERANCE if tolerance is None else tolerance
    checks = Checks(tol, magnitude(game.payoffs))
    allowed = [h | r for h, r in zip(H, R)]
    source = rho if witness is None else witness[0]
    missing = [(game.players[j], game.actions[j][a]) for j in range(game.n_players) for a in np.flatnonzero(H[j])
               if np.moveaxis(source, 2 + j, 0)[a].sum() <= 1e-10]
    checks.add("recommendable", len(missing), {"player": missing[0][0], "action": missing[0][1],
                                               "why": "punishes, never recommended"} if missing else None,
               holds=not missing)
    if witness is not None:
        w = information.verify_sequential(game, witness[0], witness[1], allowed, tol, prefix="witness_")
        checks.checks.update(w.checks)
    if notion == "weak_pbe":
        bad, scale = None, float(np.abs(game.payoffs).max(initial=0.0))
        for j in range(game.n_players):
            up, down = punishment.revealed_test(game, j, allowed, first=True)
            for a in np.flatnonzero(R[j] & ~H[j]):
                if not punishment.justified(up, down, a, scale):
                    bad = {"player": game.players[j], "action": game.actions[j][a],
                           "why": "a best reply to no belief off path"}
        checks.add("revealed_admissible", 0 if bad is None else 1, bad, holds=bad is None)
    elif notion == "sequential" and any(r.any() for r in R):
        checks.add("revealed_admissible", 1, {"why": "sequential plans reveal deviations through 'revealed' only"},
                   holds=False)
    return checks.certificate()


CONCEPT = Sequential()
