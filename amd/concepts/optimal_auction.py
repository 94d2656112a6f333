"""Theory as a fast path: Myerson's optimal auction instead of the LP where the theorem applies.

For a single item with independent private values, revenue under DSIC and ex-post (or interim)
participation, randomized mechanisms, no budget or payment bounds, the optimum is the ironed
virtual-value auction (Myerson 1981; Elkind 2007 for discrete values): the item to a highest
positive ironed virtual value, ties split evenly, envelope payments. amd returns it without an
LP (:mod:`amd.virtual_values` on the compact form; :func:`amd.classic.myerson` for the ex-post
mechanism) and checks it like any answer: the full DSIC/IR verifier on the written-out
mechanism, monotone virtual values, and the revenue computed two independent ways (the
order-statistics formula E[max φ̄⁺] and the interim envelope payments) must agree. The
mechanism is written out when it fits (:func:`amd.interim.explicit_environment_ok`); beyond
that the answer is the rule, per bidder. ``--direct`` (``reduced=False``) still solves the LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.markup import escape
from rich.table import Table

from amd import classic, interim, limits
from amd import virtual_values as vv
from amd.auction import SingleItem, myerson_answers
from amd.certificate import Checks, magnitude
from amd.concepts.base import Concept
from amd.concepts.direct import CONCEPT as DIRECT
from amd.environment import Environment
from amd.report import fill, number
from amd.result import Details, Result, checked, timed
from amd.verifier import objective_value, verify

RULE = ("the item goes to a highest positive ironed virtual value, ties split evenly; the winner pays by the "
        "envelope formula (Myerson 1981; Elkind 2007)")


@dataclass(frozen=True)
class AuctionRule(Details):
    rule: str
    #: per bidder, in type order: the ironed virtual value, the interim probability of winning and
    #: the interim expected payment
    virtual_values: dict[str, list[float]]
    win_probability: dict[str, list[float]]
    payment: dict[str, list[float]]
    #: E[max_i φ̄_i⁺]: the revenue by order statistics, an upper bound for every DSIC/BIC, IR mechanism
    revenue_bound: float


@dataclass(frozen=True)
class OptimalAuctionDetails(Details):
    optimal_auction: AuctionRule


def applies(inst, reduced: bool | None) -> SingleItem | None:
    """The compact auction when Myerson's theorem answers ``inst`` exactly, else None
    (``reduced`` not None: the user chose the reduced form or the direct LP)."""
    if reduced is not None or inst.kind != "mechanism" or not myerson_answers(inst.design):
        return None
    env = inst.environment
    return env if isinstance(env, SingleItem) else SingleItem.from_environment(env)


def rule(auction: SingleItem):
    """(φ̄, Q, T, E[max φ̄⁺]) per bidder."""
    phis = vv.virtual_values(auction)
    Q, T = vv.interim_rule(auction, phis)
    return phis, Q, T, vv.expected_max(phis, auction.marginals)


def certify(inst, auction: SingleItem, tolerance: float, phis, Q, T, bound):
    """(mechanism or None, certificate, value): the full verifier on the ex-post mechanism when it
    is written out, and in any case monotone virtual values and the revenue two ways."""
    env, design = inst.environment, inst.design
    interim_revenue = float(sum(f @ t for f, t in zip(auction.marginals, T)))
    mech = None
    fits = isinstance(env, Environment) and env.n_profiles * sum(env.shape) <= limits.max_size()
    if fits and interim.explicit_environment_ok(env):  # the verifier's tables fit the size budget
        mech = classic.myerson(inst)
        cert = verify(env, design, mech, tolerance)
        value = objective_value(env, design, mech)
    else:
        cert = Checks(tolerance, magnitude(*auction.values)).certificate()
        value = interim_revenue
    drop = 0.0
    for v, phi in zip(auction.values, phis):
        order = np.argsort(v, kind="stable")
        drop = max(drop, float(np.max(-np.diff(phi[order]), initial=0.0)))
    cert.include("virtual_values_monotone", drop, {"largest_decrease": drop})
    cert.include("revenue_two_ways", max(abs(value - bound), abs(interim_revenue - bound)),
                 {"order_statistics": bound, "interim_payments": interim_revenue, "mechanism": value})
    return mech, cert, value


class OptimalAuction(Concept):
    name = "optimal_auction"

    def solve(self, inst, options, tolerance, choices):
        auction = applies(inst, choices.get("reduced"))
        timing: dict[str, float] = {"build_s": 0.0}  # nothing to build: the theorem gives the form
        with timed(timing, "solve_s"):
            phis, Q, T, bound = rule(auction)
        with timed(timing, "verify_s"):
            mech, cert, value = certify(inst, auction, tolerance, phis, Q, T, bound)
        status, message = checked("optimal", "Myerson's optimal auction: no LP needed (--direct solves the LP)",
                                  value, bound, cert, "revenue of the mechanism", "the auction")
        names = auction.agents
        details = OptimalAuctionDetails(AuctionRule(
            RULE, {a: p.tolist() for a, p in zip(names, phis)}, {a: q.tolist() for a, q in zip(names, Q)},
            {a: t.tolist() for a, t in zip(names, T)}, bound))
        return Result(inst.name, status, value, mech, cert, timing, None, message, details=details)

    def check(self, inst, document, file):
        if isinstance(document.get("mechanism"), dict):
            return DIRECT.check(inst, document, file)
        auction = applies(inst, None)
        if auction is None:
            return DIRECT.check(inst, document, file)
        phis, Q, T, bound = rule(auction)
        _, cert, value = certify(inst, auction, 1e-7, phis, Q, T, bound)
        return value, cert

    def report(self, result, inst, console, max_rows):
        DIRECT.report(result, inst, console, max_rows)
        d = getattr(result.details, "optimal_auction", None)
        if d is None:
            return
        auction = applies(inst, None)
        table = Table(title="Myerson's optimal auction: " + d.rule, title_justify="left")
        for col in ("bidder", "type", "value", "virtual value", "P(win)", "payment"):
            table.add_column(col, justify="left" if col in ("bidder", "type") else "right")

        def rows():
            seen = set()
            for i, a in enumerate(auction.agents):
                key = (tuple(auction.values[i]), tuple(d.virtual_values[a]), tuple(d.win_probability[a]))
                if key in seen:
                    continue  # alike bidders once
                seen.add(key)
                for t, v, p, q, x in zip(auction.types[i], auction.values[i], d.virtual_values[a],
                                         d.win_probability[a], d.payment[a]):
                    yield escape(a), escape(t), number(v), number(p), number(q), number(x)

        console.print(fill(table, rows(), max_rows))

    def footnote(self, result):
        return "  by Myerson's theorem (no LP); --direct solves the LP instead"

    def describe(self, inst):
        return DIRECT.describe(inst)

    def plottable(self, inst):
        DIRECT.plottable(inst)

    def plot(self, inst, result, path, title):
        return DIRECT.plot(inst, result, path, title)

    def problem(self, inst):
        return DIRECT.problem(inst)


CONCEPT = OptimalAuction()
