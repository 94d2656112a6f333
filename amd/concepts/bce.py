"""Bayes correlated equilibrium (Bergemann & Morris 2016) — Bayesian persuasion with one player
(Kamenica & Gentzkow 2011): the designer-best or adversarial outcome π(θ, a) subject to
obedience, one LP (:mod:`amd.models.bce`), verified by :func:`amd.information.verify_outcome`.

Players with types (BCE(G, S)) and a public signal keep it one LP. A partial audience
(``informed``) does not: the uninformed players' mixed strategies multiply the informed
players' signal, π(ω, a) = p(ω) π(a_I | ω) Π_j σ_j(a_j | t_j), a non-convex set. amd solves two
exact LPs around it. The *relaxation* keeps each uninformed action independent of the state given
the player's type but lets it correlate with the others' recommendations; it contains every
equilibrium, so its value bounds the designer's from above (below, for ``minimize``). The *pure*
programs fix a pure strategy s_j(t_j) for every uninformed player (all of them are searched, up to
:data:`MAX_PURE`); each is a set of equilibria, so the best of them is attained. When the two
agree the answer is ``optimal``; otherwise ``bounded`` with both ends (mixed strategies of the
uninformed players, which could lie in between, are not searched).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import numpy as np
from rich.markup import escape

from amd import information, limits
from amd.concepts.base import Concept, count, run_lp, solve_information
from amd.errors import InstanceError
from amd.io.arrays import nested_array
from amd.mechanism import clean
from amd.models import bce
from amd.plot import plot_outcome, plot_vs_prior
from amd.report import number, outcome_tables
from amd.result import Details, Result, checked, no_gc, timed
from amd.solver import LinearProgram, SolverOptions


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
    #: with a partial audience: the uninformed players' (pure) strategy, {player: {type: action}}
    uninformed_strategy: dict | None = None
    #: with a partial audience: how many pure strategy profiles of the uninformed were solved
    pure_strategies: int | None = None
    #: [lower, upper] when the value is not proven exactly (status ``bounded``)
    bounds: list | None = None

    @classmethod
    def of(cls, game, pi, **more) -> OutcomeDetails:
        more.setdefault("player_payoffs", information.player_payoffs(game, pi))
        return cls(clean(information.signals(game, pi)).tolist(), clean(information.posteriors(game, pi)).tolist(),
                   **more)


def outcome_axes(game) -> list[str]:
    return ["one per state"] + [f"one per action of {p}" for p in game.players]


#: pure strategy profiles of the uninformed players solved at most (one small LP each)
MAX_PURE = 4096


def pure_strategies(game) -> list[tuple[tuple[int, ...], ...]]:
    """Every pure strategy profile of the uninformed players: per player, an action per type."""
    return list(itertools.product(*(itertools.product(range(game.shape[1 + j]), repeat=len(game.player_types(j)))
                                    for j in game.uninformed)))


def allowed(game, strategy) -> np.ndarray:
    """Flat columns π(ω, a) that the pure strategy allows (a_j = s_j(t_j(ω)) for uninformed j)."""
    mask = np.ones(game.shape, bool)
    for j, s in zip(game.uninformed, strategy):
        k = game.shape[1 + j]
        ok = np.asarray(s)[game.type_index(j)][:, None] == np.arange(k)[None, :]  # (ω, a_j)
        shape = [game.shape[0]] + [1] * game.n_players
        shape[1 + j] = k
        mask &= ok.reshape(shape)
    return mask.ravel()


def solve_partial_audience(inst, options, tolerance) -> Result:
    """Bounds for a partial audience (module docstring): the relaxation, then every pure strategy
    of the uninformed players on the same kept HiGHS model (column bounds changed, warm starts)."""
    game = inst.environment
    n_pure = math.prod(game.shape[1 + j] ** len(game.player_types(j)) for j in game.uninformed)
    if n_pure > MAX_PURE:
        raise InstanceError(inst.file, "informed", f"the uninformed players have {limits.count(n_pure)} pure "
                                                   f"strategy profiles, more than the {MAX_PURE} amd searches")
    timing: dict[str, float] = {}
    with timed(timing, "build_s"), no_gc():
        form = bce.build(game, inst.design.sense)
    program, relaxed = run_lp(form, options, timing)
    if relaxed.values is None:  # every equilibrium lies in the relaxation
        return Result(inst.name, relaxed.status, timing=timing, message=relaxed.message, kind="information",
                      program=program)
    maximize = inst.design.sense == "maximize"
    best, best_s = None, None
    for s in pure_strategies(game):
        program.set_upper_bounds(np.where(allowed(game, s), np.inf, 0.0))
        out = program.solve()
        timing["solve_s"] += out.solve_s
        if out.status in ("time_limit", "error"):
            return Result(inst.name, out.status, timing=timing, message=out.message, kind="information",
                          program=program)
        if out.status == "optimal" and (best is None or (out.objective > best.objective) == maximize):
            best, best_s = out, s
    strategy = None if best_s is None else {
        game.players[j]: dict(zip(game.player_types(j), (game.actions[j][a] for a in s_j)))
        for j, s_j in zip(game.uninformed, best_s)}
    if best is None:
        return Result(inst.name, "bounded", None, timing=timing, kind="information", program=program,
                      message=f"no pure strategy of the uninformed players is an equilibrium; the relaxation "
                              f"bounds the value by {relaxed.objective:.6g}",
                      details=OutcomeDetails([], [], pure_strategies=n_pure,
                                             bounds=[None, relaxed.objective] if maximize else [relaxed.objective, None]))
    with timed(timing, "verify_s"):
        pi = best.values.reshape(game.shape)
        cert = information.verify_outcome(game, pi, tolerance)
        value = information.designer_value(game, pi)
    status, message = checked(best.status, best.message, value, best.objective, cert,
                              "designer value recomputed from the outcome", "the solver's outcome")
    bounds = None
    if status == "optimal" and abs(relaxed.objective - value) > cert.tolerance:
        status = "bounded"
        bounds = sorted([value, relaxed.objective])
        message = (f"best with pure uninformed strategies {value:.6g}; every equilibrium, mixed ones included, "
                   f"is within the relaxation's {relaxed.objective:.6g}")
    details = OutcomeDetails.of(game, pi, obedience_slack=information.obedience_slack(game, pi),
                                uninformed_strategy=strategy, pure_strategies=n_pure, bounds=bounds)
    return Result(inst.name, status, value, None, cert, timing, None, message, kind="information",
                  outcome=pi, details=details, program=program)


def value_against_prior(inst, points: int = 101, options: SolverOptions | None = None):
    """For a two-state game: on a grid of μ = P(second state), the optimal value V(μ) (the BCE LP
    with prior (1 − μ, μ)) and the value without information v̂(μ) (the same LP for the game whose
    payoffs are averaged over the belief μ: the players may still be correlated, but learn nothing
    about the state). Returns (μ, V, v̂); a grid point where an LP has no optimum is NaN."""
    game = inst.environment
    options = options or SolverOptions()
    mu = np.linspace(0.0, 1.0, points)
    V, vhat = np.full(points, np.nan), np.full(points, np.nan)
    for j, m in enumerate(mu):
        belief = np.array([1.0 - m, m])
        pooled = dataclasses.replace(
            game, states=("μ",), prior=np.ones(1),
            payoffs=np.tensordot(game.payoffs, belief, axes=([1], [0]))[:, None],
            designer=np.tensordot(game.designer, belief, axes=([0], [0]))[None])
        for g, out in ((dataclasses.replace(game, prior=belief), V), (pooled, vhat)):
            lp = LinearProgram.from_pyomo(*_model(g, inst.design.sense), options)
            answer = lp.solve()
            if answer.status == "optimal":
                out[j] = answer.objective
    return mu, V, vhat


def _model(game, sense):
    form = bce.build(game, sense)
    return form.model, form.columns


class BCE(Concept):
    name = "bce"
    value_label = "designer value"

    def solve(self, inst, options, tolerance, choices):
        game = inst.environment
        limits.check(math.prod(game.shape), inst.file, "players", "the BCE LP (columns)", limits.PYTHON_OBJECT)
        if game.uninformed:
            return solve_partial_audience(inst, options, tolerance)

        def build():
            return bce.build(game, inst.design.sense)

        def read(values, _):
            pi = values.reshape(game.shape)
            details = OutcomeDetails.of(game, pi, obedience_slack=information.obedience_slack(game, pi))
            return pi, information.verify_outcome(game, pi, tolerance), information.designer_value(game, pi), details

        return solve_information(inst, options, tolerance, build, read)

    def check(self, inst, document, file):
        """Read the joint outcome π(θ, a) (``outcome``) or, as a designer writes an information
        structure, the signal π(a | θ) (``signal``, or a result's ``details.signals``), which
        the prior turns into the outcome."""
        game = inst.environment
        details = document.get("details") if isinstance(document.get("details"), dict) else {}
        if document.get("outcome") is not None or ("signal" not in document and "signals" not in details):
            pi = nested_array(document.get("outcome"), game.shape, outcome_axes(game), file, "outcome")
        else:
            key = "signal" if "signal" in document else "details.signals"
            raw = document["signal"] if key == "signal" else details["signals"]
            signal = nested_array(raw, game.shape, outcome_axes(game), file, key)
            for s, row in enumerate(signal.reshape(game.shape[0], -1)):
                if (row < 0).any() or abs(row.sum() - 1) > 1e-6:
                    raise InstanceError(file, f"{key}[{s}]", f"expected a distribution over action profiles "
                                                             f"for state {game.states[s]!r}, got sum {row.sum():g}")
            pi = signal * game.prior.reshape((-1,) + (1,) * game.n_players)
        return information.designer_value(game, pi), information.verify_outcome(game, pi)

    def report(self, result, inst, console, max_rows):
        if result.outcome is None:
            return
        for table in outcome_tables(inst.environment, result.outcome, max_rows):
            console.print(table)
        payoffs = getattr(result.details, "player_payoffs", None)
        if payoffs:
            console.print("  players' expected payoffs: " + ", ".join(f"{escape(p)} {number(v)}" for p, v in payoffs.items()))
        strategy = getattr(result.details, "uninformed_strategy", None)
        if strategy:
            console.print("  uninformed players: " + "; ".join(
                f"{escape(p)} plays " + ", ".join(f"{escape(a)}" if t == "-" else f"{escape(a)} as {escape(t)}"
                                                   for t, a in by_type.items())
                for p, by_type in strategy.items()))
        bounds = getattr(result.details, "bounds", None)
        if bounds:
            console.print("  bounds: [" + ", ".join("-" if b is None else number(b) for b in bounds) + "]")
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

    def plot_vs_prior(self, inst, result, path, title):
        """The designer's value against the prior, with the optimal split of this prior."""
        game = inst.environment
        if len(game.states) != 2 or game.types is not None or game.uninformed:
            raise InstanceError(inst.file, "states", "--vs-prior draws games with two states whose players "
                                                     "have no types and are all informed")
        mu, V, vhat = value_against_prior(inst)
        mass = result.outcome.sum(axis=0).ravel()
        post = result.outcome.reshape(2, -1)
        d = game.designer.reshape(2, -1)
        split = [(float(post[1, a] / mass[a]), float((post[:, a] * d[:, a]).sum() / mass[a]))
                 for a in np.flatnonzero(mass > 1e-12)]
        return plot_vs_prior(game, mu, V, vhat, float(game.prior[1]), split, path, title)


CONCEPT = BCE()
