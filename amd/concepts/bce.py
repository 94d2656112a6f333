"""Bayes correlated equilibrium (Bergemann & Morris 2016) — Bayesian persuasion with one player
(Kamenica & Gentzkow 2011): the designer-best or adversarial outcome π(θ, a) subject to
obedience, one LP (:mod:`amd.models.bce`), verified by :func:`amd.information.verify_outcome`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.markup import escape

from amd import information, limits
from amd.concepts.base import Concept, count, solve_information
from amd.errors import InstanceError
from amd.io.arrays import nested_array
from amd.mechanism import clean
from amd.models import bce
from amd.plot import plot_outcome
from amd.report import number, outcome_tables
from amd.result import Details


@dataclass(frozen=True)
class OutcomeDetails(Details):
    """What an outcome π(θ, a) implies, stored so that the report need not recompute it."""

    #: [state][recommendation profile]: the probability of each recommendation given the state
    signals: list
    #: [recommendation profile][state]: the posterior belief each recommendation induces
    posteriors: list
    #: per player, the smallest margin by which obedience holds (BCE only)
    obedience_slack: dict[str, float] | None = None
    #: per player, the expected payoff Σ π(θ, a) u_i(θ, a) (a buyer's surplus, a bidder's rent)
    player_payoffs: dict[str, float] | None = None

    @classmethod
    def of(cls, game, pi, **more) -> OutcomeDetails:
        more.setdefault("player_payoffs", information.player_payoffs(game, pi))
        return cls(clean(information.signals(game, pi)).tolist(), clean(information.posteriors(game, pi)).tolist(),
                   **more)


def outcome_axes(game) -> list[str]:
    return ["one per state"] + [f"one per action of {p}" for p in game.players]


class BCE(Concept):
    name = "bce"
    value_label = "designer value"

    def solve(self, inst, options, tolerance, choices):
        game = inst.environment
        limits.check(math.prod(game.shape), inst.file, "players", "the BCE LP (columns)", limits.PYTHON_OBJECT)

        def build():
            return bce.build(game, inst.design.sense)

        def read(values, _):
            pi = values.reshape(game.shape)
            details = OutcomeDetails.of(game, pi, obedience_slack=information.obedience_slack(game, pi))
            return pi, information.verify_outcome(game, pi, tolerance), information.designer_value(game, pi), details

        return solve_information(inst, options, tolerance, build, read)

    def check(self, inst, document, file):
        game = inst.environment
        pi = nested_array(document.get("outcome"), game.shape, outcome_axes(game), file, "outcome")
        return information.designer_value(game, pi), information.verify_outcome(game, pi)

    def report(self, result, inst, console, max_rows):
        if result.outcome is None:
            return
        for table in outcome_tables(inst.environment, result.outcome, max_rows):
            console.print(table)
        payoffs = getattr(result.details, "player_payoffs", None)
        if payoffs:
            console.print("  players' expected payoffs: " + ", ".join(f"{escape(p)} {number(v)}" for p, v in payoffs.items()))
        slack = getattr(result.details, "obedience_slack", None)
        if slack:
            console.print("  obedience slack: " + ", ".join(f"{escape(p)} {number(v)}" for p, v in slack.items()))

    def describe(self, inst):
        game = inst.environment
        return (f"{count(game.n_players, 'player')}, {count(game.shape[0], 'state')}, "
                f"{count(math.prod(game.shape[1:]), 'action profile')}")

    def problem(self, inst):
        return f"{inst.design.solution} · {inst.design.sense[:3]}"

    def plottable(self, inst):
        if inst.environment.n_players > 2:
            raise InstanceError(inst.file, "players", "plots are drawn for one- and two-player games")

    def plot(self, inst, result, path, title):
        return plot_outcome(inst.environment, result.outcome, path, title)


CONCEPT = BCE()
