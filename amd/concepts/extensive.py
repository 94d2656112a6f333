"""Information design on a given game tree (``solution: extensive``): the designer's plan in
sequence form with obedience at every information state (:mod:`amd.extensive` lays it out and
verifies it, :mod:`amd.models.extensive` is the LP).

The credible formulation restricts the designer (:mod:`amd.extensive`, "What is not captured"),
so its value is implementable but may fall short of the best credible plan. It is reported
``optimal`` when none of the restrictions can bind (:func:`amd.extensive.restrictions_cannot_bind`)
or when a relaxation meets it: the plan without credibility in which, after a
deviation, no one is told an action that no belief justifies (:func:`amd.extensive.
unjustified_threats`) — every credible plan is one of those. Otherwise ``bounded`` with both."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from rich.markup import escape

from amd import extensive
from amd.concepts.base import Concept, count, run_lp, solve_information
from amd.errors import InstanceError
from amd.models import extensive as tree_model
from amd.plot import plot_tree_outcome
from amd.report import number, tree_outcome_table
from amd.result import Details, Result, no_gc, timed


@dataclass(frozen=True)
class TreeSize(Details):
    designer_histories: int
    information_states: int
    deviation_events: int


@dataclass(frozen=True)
class TreeDetails(Details):
    #: the tree's leaves, in the order of the outcome's last axis
    leaves: list[str]
    credible: bool
    size: TreeSize
    #: total unnormalized mass of the hidden and the revealed continuations after deviations
    punishment_mass: dict[str, float]
    #: the whole plan (amd.extensive.plan_to_dict), so that `amd verify` can check it again
    plan: dict
    #: per player, the expected payoff under the outcome
    player_payoffs: dict[str, float] | None = None
    #: [lower, upper] when the credible value and the relaxation's differ (status bounded)
    bounds: list[float] | None = None
    #: false when the plan reaches the value only in the limit: a hidden continuation goes where
    #: the path does not; mixing in ε of ``witness``, which goes on path everywhere it may
    attained: bool | None = None
    #: a plan (as ``plan``) reaching on path every information state a hidden continuation may use
    witness: dict | None = None
    #: per information set the designer neither sees nor advises (designer_sees: false), the
    #: mover's choice: a best reply, the designer's best among all pure choices
    unadvised: dict[str, str] | None = None


#: re-solves on an optimum's own path, looking for an optimum that is attained
ATTEMPTS = 3


def _reachable(L, options, timing: dict, blind: list[int]):
    """The hidden groups whose information states some credible plan reaches on path when hidden
    continuations may go exactly there (a greatest fixed point, from all of them down: the map
    is monotone), one support LP each round (:func:`amd.models.extensive.build`); returns (flags,
    witness plan reaching them all, None) or (None, None, the failed solver outcome)."""
    H = np.ones(len(L.hidden), bool)
    first = L.n_w + 2 * L.n_states
    while True:
        with timed(timing, "build_s"), no_gc():
            form = tree_model.build(L, "maximize", H, support=True, blind=blind)
        _, out = run_lp(form, options, timing)
        if out.values is None:
            return None, None, out
        found = out.values[first + 1:] > 0.5
        if (found == H).all():
            scale = out.values[first]
            return H, (np.maximum(out.values[:L.n_w], 0.0) / scale if scale > 0 else None), None
        H = found


def _best(results: list, sense: str, tolerance: float, tried: int):
    """The designer's best over the unadvised movers' pure choices; bounds when some choice's
    program is only bounded and its upper (maximize) or lower (minimize) end lies beyond."""
    feasible = [r for r in results if r.status in ("optimal", "bounded")]
    if not feasible:
        return results[0]
    sign = 1.0 if sense == "maximize" else -1.0
    best = max(feasible, key=lambda r: sign * r.objective)
    if len(results) == 1:
        return best
    far = max(sign * (r.details.bounds[1 if sign > 0 else 0] if r.details.bounds else r.objective) for r in feasible)
    note = f"the best of {tried} pure choices of the movers the designer neither sees nor advises"
    if far - sign * best.objective <= tolerance * max(1.0, abs(best.objective)):
        return replace(best, message="; ".join(m for m in (best.message, note) if m))
    bounds = sorted([best.objective, sign * far])
    return replace(best, status="bounded", details=replace(best.details, bounds=bounds),
                   message=f"{best.objective:.6g} is implementable; some other choice of the unseen movers is "
                           f"bounded only by {sign * far:.6g} ({note})")


def _read_unadvised(game, raw, file: str) -> dict[int, int]:
    """The unadvised movers' choices of a result (``unadvised``), as {information set: action}."""
    if not game.unadvised:
        return {}
    if not isinstance(raw, dict):
        raise InstanceError(file, "unadvised", "required: the choices of the movers the designer does not see")
    out = {}
    for h in game.unadvised:
        acts = game.edges[game.infoset_nodes[h][0]]
        got = raw.get(game.infosets[h])
        if got not in acts:
            raise InstanceError(file, f"unadvised.{game.infosets[h]}", f"expected one of {', '.join(acts)}")
        out[h] = acts.index(got)
    return out


def _attained(L, w: np.ndarray) -> bool:
    """Does every hidden continuation of w go where w's own path goes?"""
    reached = extensive.reaches(L, w)
    return all(reached[j] or float(w[eta].sum()) <= extensive.REACHED for j, (eta, _) in enumerate(L.hidden))


#: pure choices of the unadvised movers tried, one designer program each
MAX_UNADVISED_PROFILES = 256


def _unadvised(game, profile: dict[int, int]) -> dict[str, str] | None:
    if not profile:
        return None
    return {game.infosets[h]: game.edges[game.infoset_nodes[h][0]][a] for h, a in profile.items()}


class Extensive(Concept):
    name = "extensive"
    value_label = "designer value"

    def solve(self, inst, options, tolerance, choices):
        game = inst.environment
        timing: dict[str, float] = {}
        try:
            profiles = extensive.unadvised_profiles(game, MAX_UNADVISED_PROFILES)
        except extensive.TreeTooLarge as e:
            raise InstanceError(inst.file, "game", str(e)) from None
        results = []
        for profile in profiles:
            with timed(timing, "build_s"), no_gc():
                try:
                    layout = extensive.layout(game, inst.design.credible, profile)
                except extensive.TreeTooLarge as e:
                    raise InstanceError(inst.file, "game", str(e)) from None
            result = self._solve_given(inst, options, tolerance, layout, profile)
            for key, seconds in result.timing.items():
                timing[key] = timing.get(key, 0.0) + seconds
            if result.status not in ("optimal", "bounded", "infeasible"):
                return replace(result, timing=timing)
            results.append(result)
        result = _best(results, inst.design.sense, tolerance, len(profiles))
        return replace(result, timing=timing)

    def _solve_given(self, inst, options, tolerance, layout, profile: dict[int, int]):
        """The designer's program when the unadvised movers choose ``profile``."""
        game = inst.environment
        timing: dict[str, float] = {}
        blind = extensive.blind_columns(layout, profile)
        hidden_in = witness = None
        if inst.design.credible and layout.hidden:
            hidden_in, witness, failed = _reachable(layout, options, timing, blind)
            if failed is not None:
                return Result(inst.name, failed.status, timing=timing, message=failed.message, kind="information")

        plans = []

        def read(values, layout):
            w = np.maximum(values[:layout.n_w], 0.0)  # HiGHS's −1e-12 noise is no designer probability
            plans.append(w)
            pi = extensive.outcome(layout, w)
            attained = hidden_in is None or _attained(layout, w)
            reach = None if hidden_in is None else w if attained else witness
            cert = extensive.verify_plan(layout, w, tolerance, reach, blind=blind)
            if not attained:
                cert.merge(extensive.verify_plan(layout, witness, tolerance, witness, prefix="witness_", blind=blind))
            details = TreeDetails(
                list(game.leaves), inst.design.credible,
                TreeSize(len(layout.points), layout.n_states, len(layout.events)),
                extensive.punishment_mass(layout, w), extensive.plan_to_dict(layout, w),
                extensive.player_payoffs(game, pi), attained=attained,
                witness=None if attained else extensive.plan_to_dict(layout, witness),
                unadvised=_unadvised(game, profile))
            return pi, cert, extensive.designer_value(game, pi), details

        result = solve_information(inst, options, tolerance,
                                   lambda: tree_model.build(layout, inst.design.sense, hidden_in, blind=blind), read)
        for _ in range(ATTEMPTS):  # an optimum that punishes off its own path: is one on it as good?
            if result.status != "optimal" or result.details.attained is not False:
                break
            own = extensive.reaches(layout, plans[-1])
            again = solve_information(inst, options, tolerance,
                                      lambda: tree_model.build(layout, inst.design.sense, own, blind=blind), read)
            if again.status != "optimal" or abs(again.objective - result.objective) > 1e-9 * max(
                    1.0, abs(result.objective)):
                break
            for key, seconds in result.timing.items():  # the superseded solve's time still counts
                timing[key] = timing.get(key, 0.0) + seconds
            result = again
        for key, seconds in timing.items():
            result.timing[key] = result.timing.get(key, 0.0) + seconds
        if result.status == "optimal" and result.details.attained is False:
            result = replace(result, message="a supremum: approached by (1 − ε)·plan + ε·witness as ε → 0")
        if result.status != "optimal" or not inst.design.credible or not result.details.size.deviation_events:
            return result
        if extensive.restrictions_cannot_bind(layout):
            return result
        return self._bounded(inst, options, tolerance, result, profile)

    def _bounded(self, inst, options, tolerance, result, profile: dict[int, int]):
        """Meet the credible value with the relaxation's (module docstring)."""
        timing = dict(result.timing)
        with timed(timing, "build_s"), no_gc():
            layout = extensive.layout(inst.environment, False, profile)
            form = tree_model.build(layout, inst.design.sense, blind=extensive.blind_columns(layout, profile))
            for c in extensive.unjustified_threats(layout):
                form.columns[c].setub(0.0)
        _, out = run_lp(form, options, timing)
        if out.values is None:
            return replace(result, status="error", timing=timing,
                           message=f"the relaxation that bounds the credible value failed: {out.message}")
        if abs(out.objective - result.objective) <= tolerance * max(1.0, abs(result.objective)):
            return replace(result, timing=timing)
        bounds = sorted([result.objective, out.objective])
        return replace(result, status="bounded", timing=timing, details=replace(result.details, bounds=bounds),
                       message=f"{result.objective:.6g} is implementable by a credible plan of the restricted form; "
                               f"without credibility, but telling no one an action no belief justifies, "
                               f"{out.objective:.6g}: the best credible plan lies between")

    def check(self, inst, document, file):
        game = inst.environment
        profile = _read_unadvised(game, document.get("unadvised"), file)
        layout = extensive.layout(game, inst.design.credible, profile)
        w = extensive.plan_from_dict(layout, document.get("plan"), file, "plan")
        blind = extensive.blind_columns(layout, profile)
        reach = w if inst.design.credible else None
        witness = None
        if document.get("attained") is False:
            reach = witness = extensive.plan_from_dict(layout, document.get("witness"), file, "witness")
        cert = extensive.verify_plan(layout, w, reach=reach, blind=blind)
        if witness is not None:
            cert.merge(extensive.verify_plan(layout, witness, reach=witness, prefix="witness_", blind=blind))
        return extensive.designer_value(game, extensive.outcome(layout, w)), cert

    def report(self, result, inst, console, max_rows):
        if result.outcome is None:
            return
        console.print(tree_outcome_table(inst.environment, result.outcome, max_rows))
        d = result.details
        console.print(f"  {'credible' if d.credible else 'not credible (later movers follow any advice)'}; "
                      f"punishment mass: hidden {number(d.punishment_mass['hidden'])}, revealed "
                      f"{number(d.punishment_mass['revealed'])}; {d.size.designer_histories:,} designer "
                      f"histories, {d.size.information_states:,} information states", style="dim")
        if d.bounds:
            console.print("  bounds: [" + ", ".join(number(b) for b in d.bounds) + "]")
        if d.attained is False:
            console.print("  the value is a supremum: approached by mixing in ε of the witness plan")
        if d.unadvised:
            console.print("  unseen and unadvised (a best reply, the designer's best pure choice): " + ", ".join(
                f"{escape(h)} → {escape(a)}" for h, a in d.unadvised.items()))
        if d.player_payoffs:
            console.print("  players' expected payoffs: " + ", ".join(f"{escape(p)} {number(v)}"
                                                                      for p, v in d.player_payoffs.items()))

    def describe(self, inst):
        env = inst.environment
        return (f"{count(env.n_players, 'player')}, {count(env.shape[0], 'state')}, {count(env.shape[1], 'leaf')}"
                f", {count(len(env.infosets), 'information set')}").replace("leafs", "leaves")

    def problem(self, inst):
        return f"extensive · {'credible' if inst.design.credible else 'threats'} · {inst.design.sense[:3]}"

    def plottable(self, inst):
        return None

    def plot(self, inst, result, path, title):
        return plot_tree_outcome(inst.environment, result.outcome, path, title)


CONCEPT = Extensive()
