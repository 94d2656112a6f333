"""The single-item auction environment in compact form: one marginal and one value per type.

With independent types and private values a single-item auction is fully described by each
bidder's values v_i(t) and marginal f_i(t) — n·k numbers where the explicit
:class:`~amd.environment.Environment` holds k^n profiles (10^20 at n = 10, k = 100). This is
the environment of the interim reduced form (:mod:`amd.models.reduced_form`, :mod:`amd.border`).

An explicit instance *is* a single-item auction when its prior is independent, its values
are private, the designer values nothing, and its outcomes are one "no sale" outcome that
every bidder values at 0 plus one outcome per bidder that only that bidder values
(``single_item`` family: ``none, b1..bn``). :meth:`SingleItem.from_tables` recognizes that
shape; anything else is not a single-item auction and gets ``None``.

Bidders are *exchangeable* when their values and marginals are equal;
:meth:`SingleItem.classes` groups them. By convexity (average a mechanism over the
permutations of a class) an optimal mechanism may treat the members of a class alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from amd.environment import Design, Environment


@dataclass(frozen=True, eq=False)
class SingleItem:
    """Bidders, their types, values v_i(t) and marginals f_i(t); who wins in which outcome."""

    agents: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    outcomes: tuple[str, ...]
    values: tuple[np.ndarray, ...]
    marginals: tuple[np.ndarray, ...]
    #: ``winner_outcome[i]``: the outcome in which bidder i gets the good
    winner_outcome: tuple[int, ...]
    #: the outcome in which nobody does
    no_sale: int

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(t) for t in self.types)

    @property
    def n_outcomes(self) -> int:
        return len(self.outcomes)

    @property
    def n_profiles(self) -> int:
        return math.prod(self.shape)

    @classmethod
    def from_tables(cls, agents, types, outcomes, marginals, tables, designer=None) -> SingleItem | None:
        """Recognize a single-item auction from per-agent private tables ``[own type][outcome]``.

        ``designer``: the designer's values per outcome (must be zero), or None.
        """
        n, n_out = len(agents), len(outcomes)
        if n_out != n + 1 or (designer is not None and np.any(designer != 0)):
            return None
        owner = np.full(n_out, -1)
        silent = []  # bidders who value nothing: any outcome that nobody values will do
        for i, table in enumerate(tables):
            valued = np.flatnonzero(np.any(table != 0, axis=0))
            if len(valued) == 0:
                silent.append(i)
                continue
            if len(valued) != 1 or owner[valued[0]] != -1:
                return None
            owner[valued[0]] = i
        free = np.flatnonzero(owner == -1)
        if len(free) != len(silent) + 1:
            return None
        # the first free outcome is "no sale" (``none`` in the family); the rest go in order
        owner[free[1:]] = silent
        winner = [int(np.flatnonzero(owner == i)[0]) for i in range(n)]
        free = free[:1]
        values = tuple(np.asarray(t[:, o], float) for t, o in zip(tables, winner))
        return cls(tuple(agents), tuple(map(tuple, types)), tuple(outcomes), values,
                   tuple(np.asarray(m, float) for m in marginals), tuple(winner), int(free[0]))

    @classmethod
    def from_environment(cls, env: Environment) -> SingleItem | None:
        """The compact form of ``env``, or None when ``env`` is not such an auction."""
        if not env.independent or not all(env.private) or np.any(env.designer_values != 0):
            return None
        tables = []
        for i in range(env.n_agents):
            first = tuple(slice(None) if a == i else 0 for a in range(env.n_agents))
            tables.append(env.values[i][first])
        marginals = [env.marginal(i) for i in range(env.n_agents)]
        return cls.from_tables(env.agents, env.types, env.outcomes, marginals, tables)

    def classes(self) -> list[list[int]]:
        """Bidders grouped by (values, marginal): the exchangeable classes, in agent order."""
        groups: list[list[int]] = []
        for i in range(self.n_agents):
            for g in groups:
                j = g[0]
                # marginals summed out of a joint prior differ in the last bits
                if (self.values[i].shape == self.values[j].shape and np.array_equal(self.values[i], self.values[j])
                        and np.allclose(self.marginals[i], self.marginals[j], rtol=0, atol=1e-12)):
                    g.append(i)
                    break
            else:
                groups.append([i])
        return groups


def myerson_answers(design: Design) -> bool:
    """Whether Myerson's theorem gives the optimum of ``design`` on a single-item auction with
    independent private values: revenue (maximized) under DSIC and ex-post or interim
    participation, randomized mechanisms with payments, no budget constraint or payment bounds
    (:mod:`amd.concepts.optimal_auction`)."""
    o = design.objective
    return (design.ic == "dsic" and design.ir in ("expost", "interim") and design.budget == "none"
            and design.payments and design.randomized and design.payment_bounds == (None, None)
            and o.sense == "maximize" and o.payment_weight == 1.0 and all(w == 0 for w in o.agent_weights))


def reason_not_applicable(auction: SingleItem | None, design: Design) -> str | None:
    """Why the reduced form cannot answer this design exactly, or None when it can."""
    if auction is None:
        return ("not a single-item auction with independent types and private values "
                "(outcomes: one no-sale outcome plus one per bidder that only that bidder values)")
    if any(np.any(f <= 0) for f in auction.marginals):
        return "every type needs a positive prior probability"
    if design.ic not in ("bic", "none"):
        return f"needs ic: bic (got {design.ic}); DSIC is not a constraint on interim rules"
    if not design.randomized:
        return "needs a randomized mechanism (a lottery over hierarchies)"
    if design.payment_bounds != (None, None):
        return "payment bounds are not expressible on interim payments"
    if design.budget not in ("none", "exante", "exante_weak"):
        return f"budget {design.budget} is ex post; the reduced form handles none, exante, exante_weak"
    return None
