"""Sequential information design (after Doval & Ely 2020): the designer also chooses the hidden
order of moves; one LP over orders (:mod:`amd.models.sequential`, which states exactly what is
captured), verified by :func:`amd.information.verify_sequential`."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape

from amd import information, limits
from amd.concepts.base import Concept, solve_information
from amd.concepts.bce import CONCEPT as BCE_CONCEPT
from amd.concepts.bce import OutcomeDetails, outcome_axes
from amd.errors import InstanceError
from amd.io.arrays import nested_array
from amd.mechanism import clean
from amd.models import sequential
from amd.models.sequential import SequentialLayout
from amd.plot import plot_outcome
from amd.report import number


@dataclass(frozen=True)
class SequentialDetails(OutcomeDetails):
    """The outcome's signals and posteriors, and the plan behind it (notation of
    :mod:`amd.models.sequential`)."""

    #: the probability of each order of moves
    order: dict[str, float] | None = None
    #: total unnormalized mass of the revealed and the hidden continuations after deviations
    punishment_mass: dict[str, float] | None = None
    #: the whole plan (``onpath``, ``revealed``, ``hidden``), so that `amd verify` can check it again
    plan: dict | None = None


class Sequential(Concept):
    name = "sequential"
    value_label = "designer value"

    def solve(self, inst, options, tolerance, choices):
        game = inst.environment
        limits.check(SequentialLayout.columns(game), inst.file, "players", "the sequential design's LP (columns)",
                     limits.PYTHON_OBJECT)

        def build():
            return sequential.build(game, inst.design.sense)

        def read(z, layout):
            plan = z[layout.pi]
            keys = information.deviation_keys(game.n_players)
            eta = [z[layout.hidden[key]] for key in keys]
            rho = [z[layout.revealed[key]] for key in keys if key in layout.revealed]
            cert = information.verify_sequential(game, plan, rho, eta, tolerance)
            pi = plan.sum(axis=1)
            details = SequentialDetails.of(
                game, pi,
                order={information.order_label(game, o): float(plan[:, s].sum()) + 0.0
                       for s, o in enumerate(layout.orders)},
                punishment_mass={"revealed": float(sum(x.sum() for x in rho)),
                                 "hidden": float(sum(x.sum() for x in eta))},
                plan={"onpath": clean(plan).tolist(), "revealed": [clean(x).tolist() for x in rho],
                      "hidden": [clean(x).tolist() for x in eta]})
            return pi, cert, information.designer_value(game, pi), details

        return solve_information(inst, options, tolerance, build, read)

    def check(self, inst, document, file):
        game = inst.environment
        plan = document.get("plan")
        if not isinstance(plan, dict):
            raise InstanceError(file, "plan", "required key is missing (a result of 'solution: sequential')")
        lay = SequentialLayout.of(game)
        axes = outcome_axes(game)
        onpath = nested_array(plan.get("onpath"), lay.pi.shape, ["one per state", "one per order", *axes[1:]], file,
                              "plan.onpath")
        keys = information.deviation_keys(game.n_players)
        dev_axes = [f"one per {a}" for a in ("state", "earlier moves", "told", "played", "later moves")]
        try:
            eta = [nested_array(plan["hidden"][j], lay.hidden[key].shape, dev_axes[:lay.hidden[key].ndim], file,
                                f"plan.hidden[{j}]") for j, key in enumerate(keys)]
            rho = [nested_array(plan["revealed"][j], lay.revealed[key].shape, dev_axes[:lay.revealed[key].ndim],
                                file, f"plan.revealed[{j}]")
                   for j, key in enumerate(k for k in keys if k in lay.revealed)]
        except (KeyError, IndexError, TypeError):
            raise InstanceError(file, "plan", "expected 'revealed' and 'hidden', one array per deviation") from None
        cert = information.verify_sequential(game, onpath, rho, eta)
        return information.designer_value(game, onpath.sum(axis=1)), cert

    def report(self, result, inst, console, max_rows):
        BCE_CONCEPT.report(result, inst, console, max_rows)
        order = getattr(result.details, "order", None)
        if result.outcome is not None and order:
            console.print("  order of moves: " + ", ".join(f"{escape(k)} {number(v)}" for k, v in order.items()))

    def describe(self, inst):
        return BCE_CONCEPT.describe(inst)

    def problem(self, inst):
        return BCE_CONCEPT.problem(inst)

    def plottable(self, inst):
        BCE_CONCEPT.plottable(inst)

    def plot(self, inst, result, path, title):
        order = getattr(result.details, "order", None) or {}
        note = "order of moves: " + ", ".join(f"{k} {v:.3g}" for k, v in order.items() if v > 1e-9)
        return plot_outcome(inst.environment, result.outcome, path, title, note=note)


CONCEPT = Sequential()
