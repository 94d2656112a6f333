"""Base-game families: short descriptions of classic games that expand to an explicit
``kind: information`` document (states, prior, players, payoffs, designer; ``amd expand`` prints
it), validated like a hand-written file — the counterpart of :mod:`amd.io.families` for
information design. Grids and numbers are written as in :mod:`amd.io.families`.

Families
--------
``investment``    Bergemann & Morris (2019, §2): n firms stay (0) or invest (−1 if the state is
                  bad, ``good`` if good, plus ``complementarity`` per other investor); ``prior``
                  is P(good). ``designer: investments`` (default) or ``welfare``.
                  ``{name: investment, firms: 2, good: 0.55, prior: 0.5}``
``cournot``       n firms choose a quantity on the grid ``quantities``; price
                  a − b·Q (``slope`` b) with the intercept a the state (``intercepts``, ``prior``),
                  unit ``cost`` c; profit q_i(a − bQ − c). ``designer: welfare`` (default:
                  consumer surplus bQ²/2 plus profits), ``consumer_surplus``, ``profit`` or
                  ``quantity``.  ``{name: cournot, firms: 2, quantities: [0, 1, 2], intercepts: [4, 8]}``
``contribution``  a threshold public good: n players contribute (cost ``cost``) or not; the good,
                  worth the state θ (``values``) to everyone, is provided iff at least
                  ``threshold`` (default n) contribute. ``designer: provision`` (default, its
                  probability) or ``welfare``.  ``{name: contribution, players: 2, values: [0, 1], cost: 0.6}``
``first_price``   n bidders bid on the grid ``bids``; the highest bid wins (ties split evenly) and
``all_pay``       pays its bid (``all_pay``: every bidder pays its bid). Values on the grid
                  ``values`` are private (the state is the value profile and each bidder's type
                  its own value, independent with ``prior``) or ``common: true`` (the state is the
                  common value, nobody has a type). ``designer: revenue`` (default), ``welfare``
                  or ``bidders`` (their total surplus).
                  ``{name: first_price, bidders: 2, values: [1, 2], bids: [0, 0.5, 1, 1.5]}``
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field

from amd.errors import short_repr
from amd.io import families
from amd.io.families import (
    FamilyError,
    _exact,
    _Family,
    _grid,
    _grid_size,
    _marginal,
    _number,
    number_out,
)

EXPLICIT_KEYS = ("states", "prior", "players", "payoffs", "designer")


def _table(shape: tuple[int, ...], value) -> list:
    """Nested lists of ``shape`` holding number_out(value(index))."""
    flat = [number_out(value(ix)) for ix in itertools.product(*(range(k) for k in shape))]

    def nest(items: list, dims: tuple[int, ...]) -> list:
        if len(dims) == 1:
            return items
        step = len(items) // dims[0]
        return [nest(items[j * step:(j + 1) * step], dims[1:]) for j in range(dims[0])]

    return nest(flat, shape)


def _labels(grid: list[Fraction]) -> list[str]:
    return [str(number_out(q)) for q in grid]


def _probability(p: Any, key: str) -> Fraction:
    q = _number(p, key)
    if not 0 < q < 1:
        raise FamilyError(key, f"expected a probability strictly between 0 and 1, got {short_repr(p)}")
    return q


def _document(states, prior, names, actions, payoff, designer, types=None) -> dict:
    """The explicit keys: ``payoff(i, s, a)`` and ``designer(s, a)`` for state index s and action
    profile a (a tuple of indices)."""
    shape = (len(states),) + tuple(len(a) for a in actions)
    players = [{"name": p, "actions": list(a)} for p, a in zip(names, actions)]
    if types is not None:
        for p, t in zip(players, types):
            p["types"] = t
    return {
        "states": list(states),
        "prior": prior,
        "players": players,
        "payoffs": {p: _table(shape, lambda ix, i=i: payoff(i, ix[0], ix[1:])) for i, p in enumerate(names)},
        "designer": _table(shape, lambda ix: designer(ix[0], ix[1:])),
    }


class InvestmentGame(_Family):
    name: Literal["investment"]
    firms: int = Field(ge=1, le=8)
    good: Any
    bad: Any = -1
    prior: Any = Field(0.5, description="P(good)")
    complementarity: Any = 0
    designer: Literal["investments", "welfare"] = "investments"

    def size(self) -> int:
        return 2 * 2 ** self.firms * (self.firms + 1)

    def expand(self) -> dict:
        worth = [_number(self.bad, "bad"), _number(self.good, "good")]
        mu = _probability(self.prior, "prior")
        eps = _number(self.complementarity, "complementarity")
        names = [f"f{i + 1}" for i in range(self.firms)]

        def payoff(i, s, a):
            return (worth[s] + eps * (sum(a) - a[i])) if a[i] else Fraction(0)

        def designer(s, a):
            return sum(a) if self.designer == "investments" else sum(payoff(i, s, a) for i in range(self.firms))

        return _document(["bad", "good"], [number_out(1 - mu), number_out(mu)], names,
                         [["stay", "invest"]] * self.firms, payoff, designer)


class CournotGame(_Family):
    name: Literal["cournot"]
    firms: int = Field(ge=1, le=4)
    quantities: Any
    intercepts: Any
    prior: Any = "uniform"
    slope: Any = 1
    cost: Any = 0
    designer: Literal["welfare", "consumer_surplus", "profit", "quantity"] = "welfare"

    def size(self) -> int:
        return _grid_size(self.intercepts, "intercepts") * _grid_size(self.quantities, "quantities") ** self.firms \
            * (self.firms + 1)

    def expand(self) -> dict:
        q = _grid(self.quantities, "quantities")
        a = _grid(self.intercepts, "intercepts")
        b, c = _number(self.slope, "slope"), _number(self.cost, "cost")
        if b <= 0:
            raise FamilyError("slope", f"expected a positive slope, got {short_repr(self.slope)}")
        names = [f"f{i + 1}" for i in range(self.firms)]

        def total(x):
            return sum((q[j] for j in x), Fraction(0))

        def payoff(i, s, x):
            return q[x[i]] * (a[s] - b * total(x) - c)

        def designer(s, x):
            Q = total(x)
            consumers = b * Q * Q / 2
            profits = sum(payoff(i, s, x) for i in range(self.firms))
            return {"welfare": consumers + profits, "consumer_surplus": consumers, "profit": profits,
                    "quantity": Q}[self.designer]

        return _document(_labels(a), _marginal(self.prior, len(a)), names, [_labels(q)] * self.firms,
                         payoff, designer)


class ContributionGame(_Family):
    name: Literal["contribution"]
    players: int = Field(ge=1, le=8)
    values: Any
    cost: Any
    threshold: int | None = Field(None, ge=1)
    prior: Any = "uniform"
    designer: Literal["provision", "welfare"] = "provision"

    def size(self) -> int:
        return _grid_size(self.values) * 2 ** self.players * (self.players + 1)

    def expand(self) -> dict:
        theta = _grid(self.values)
        cost = _number(self.cost, "cost")
        need = self.players if self.threshold is None else self.threshold
        if need > self.players:
            raise FamilyError("threshold", f"expected at most {self.players} (the players), got {need}")
        names = [f"p{i + 1}" for i in range(self.players)]

        def payoff(i, s, x):
            return theta[s] * (sum(x) >= need) - cost * x[i]

        def designer(s, x):
            return int(sum(x) >= need) if self.designer == "provision" else \
                sum(payoff(i, s, x) for i in range(self.players))

        return _document(_labels(theta), _marginal(self.prior, len(theta)), names,
                         [["keep", "contribute"]] * self.players, payoff, designer)


class AuctionGame(_Family):
    name: Literal["first_price", "all_pay"]
    bidders: int = Field(ge=1, le=4)
    values: Any
    bids: Any
    prior: Any = "uniform"
    common: bool = False
    designer: Literal["revenue", "welfare", "bidders"] = "revenue"

    def size(self) -> int:
        K = _grid_size(self.values)
        states = K if self.common else K ** self.bidders
        return states * _grid_size(self.bids, "bids") ** self.bidders * (self.bidders + 2)

    def expand(self) -> dict:
        v = _grid(self.values)
        bids = _grid(self.bids, "bids")
        n, K = self.bidders, len(v)
        names = [f"b{i + 1}" for i in range(n)]
        marginal = _marginal(self.prior, K)
        weights = [Fraction(1, K)] * K if marginal == "uniform" else [_exact(p) for p in marginal]
        profiles = [(s,) * n for s in range(K)] if self.common else list(itertools.product(range(K), repeat=n))

        def share(i, x):  # i's chance of winning at bid profile x: ties split evenly
            top = max(x)
            return Fraction(int(x[i] == top), sum(1 for y in x if y == top))

        def payoff(i, s, x):
            pay = bids[x[i]] * (share(i, x) if self.name == "first_price" else 1)
            return share(i, x) * v[profiles[s][i]] - pay

        def designer(s, x):
            revenue = bids[max(x)] if self.name == "first_price" else sum((bids[y] for y in x), Fraction(0))
            surplus = sum(payoff(i, s, x) for i in range(n))
            return {"revenue": revenue, "bidders": surplus, "welfare": revenue + surplus}[self.designer]

        if self.common:
            return _document(_labels(v), marginal, names, [_labels(bids)] * n, payoff, designer)
        states = [",".join(str(number_out(v[j])) for j in p) for p in profiles]
        # the joint prior over (state, t_1, …, t_n): each bidder's type is its own value
        prior = _table((len(profiles),) + (K,) * n,
                       lambda ix: math.prod(weights[j] for j in ix[1:]) if tuple(ix[1:]) == profiles[ix[0]] else 0)
        return _document(states, prior, names, [_labels(bids)] * n, payoff, designer, types=[_labels(v)] * n)


GAMES = {
    "investment": InvestmentGame,
    "cournot": CournotGame,
    "contribution": ContributionGame,
    "first_price": AuctionGame,
    "all_pay": AuctionGame,
}


def expand_document(document: dict, file: str) -> dict:
    """The explicit ``kind: information`` document: the family replaced by its game."""
    return families.expand_document(document, file, GAMES, EXPLICIT_KEYS)
