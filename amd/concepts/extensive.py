"""Information design on a given game tree (``solution: extensive``): the designer's plan in
sequence form with obedience at every information state (:mod:`amd.extensive` lays it out and
verifies it, :mod:`amd.models.extensive` is the LP)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.markup import escape

from amd import extensive
from amd.concepts.base import Concept, count, solve_information
from amd.errors import InstanceError
from amd.models import extensive as tree_model
from amd.plot import plot_tree_outcome
from amd.report import number, tree_outcome_table
from amd.result import Details


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


class Extensive(Concept):
    name = "extensive"
    value_label = "designer value"

    def solve(self, inst, options, tolerance, choices):
        game = inst.environment

        def build():
            try:
                layout = extensive.layout(game, inst.design.credible)
            except extensive.TreeTooLarge as e:
                raise InstanceError(inst.file, "game", str(e)) from None
            return tree_model.build(layout, inst.design.sense)

        def read(values, layout):
            w = np.maximum(values[:layout.n_w], 0.0)  # HiGHS's −1e-12 noise is no designer probability
            pi = extensive.outcome(layout, w)
            details = TreeDetails(
                list(game.leaves), inst.design.credible,
                TreeSize(len(layout.points), layout.n_states, len(layout.events)),
                extensive.punishment_mass(layout, w), extensive.plan_to_dict(layout, w),
                extensive.player_payoffs(game, pi))
            return pi, extensive.verify_plan(layout, w, tolerance), extensive.designer_value(game, pi), details

        return solve_information(inst, options, tolerance, build, read)

    def check(self, inst, document, file):
        game = inst.environment
        layout = extensive.layout(game, inst.design.credible)
        w = extensive.plan_from_dict(layout, document.get("plan"), file, "plan")
        return extensive.designer_value(game, extensive.outcome(layout, w)), extensive.verify_plan(layout, w)

    def report(self, result, inst, console, max_rows):
        if result.outcome is None:
            return
        console.print(tree_outcome_table(inst.environment, result.outcome, max_rows))
        d = result.details
        console.print(f"  {'credible' if d.credible else 'not credible (later movers follow any advice)'}; "
                      f"punishment mass: hidden {number(d.punishment_mass['hidden'])}, revealed "
                      f"{number(d.punishment_mass['revealed'])}; {d.size.designer_histories:,} designer "
                      f"histories, {d.size.information_states:,} information states", style="dim")
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
