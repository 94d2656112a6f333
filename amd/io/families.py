"""Families: short descriptions of classic environments that expand to explicit tables.

A file may say ``family: {name: single_item, bidders: 2, values: {midpoint: 10}}`` instead of
listing agents, prior, outcomes and values; :func:`expand_document` writes out exactly the
explicit form of SPEC §1.1 (``amd expand FILE`` prints it), which is then validated like any
hand-written file. Every value grid is either a list of numbers or ``{midpoint: K}``, the
midpoints (2k+1)/(2K), k = 0..K-1, of K equal cells of [0, 1] — the discretization used by
Elkind (2007) and in the automated-mechanism-design literature. A ``prior`` is ``uniform``
(default) or a list of probabilities, one per grid value; types are independent.

Families
--------
``single_item``     n bidders, one good: outcomes ``none, b1..bn``; v_i = θ_i if i wins.
                    ``{name: single_item, bidders: 2, values: [1, 2, 3]}``
``additive_items``  n buyers, m goods, each good to at most one buyer; a buyer's type is a
                    value per good; v_i = Σ_j θ_ij [good j to i]. Outcomes name the holder of
                    each good (``-`` for unsold): ``"b1,-"``.
                    ``{name: additive_items, buyers: 2, items: 2, values: [1, 2]}``  (Yao)
``unit_demand``     as ``additive_items`` but v_i = max_j θ_ij [good j to i].
``bilateral_trade`` a buyer with value v and a seller with cost c; outcomes ``no_trade,
                    trade``; v_buyer(trade) = v, v_seller(trade) = -c. An optional
                    ``broker_cost`` is the designer's (broker's) cost per trade.
                    ``{name: bilateral_trade, values: {midpoint: 4}}``  (Myerson–Satterthwaite)
``public_project``  n agents, a project of cost C: outcomes ``no, build``; v_i(build) = θ_i,
                    designer value of building -C.
                    ``{name: public_project, agents: 3, values: [0, 1], cost: 1.5}``
``multi_unit``      k identical units, unit demand: outcomes the sets of winners ``b1+b2``.
                    ``{name: multi_unit, bidders: 3, units: 2, values: [1, 2]}``; with
                    ``demand: d`` a type is d non-increasing marginal values (``2,1``) and an
                    outcome the units per bidder (``2,0``).
``position_auction`` slots with click-through rates, v_i = θ_i·α_slot; outcomes ``1,-``.
                    ``{name: position_auction, bidders: 2, ctr: [1, 0.5], values: [1, 2]}``
``lemons``          Akerlof: a seller knows quality v, the buyer values the good at v + Δ.
                    ``{name: lemons, values: {midpoint: 10}, premium: 0.12}``
``screening``       Mussa–Rosen: one buyer θ, qualities q at cost c(q), v = θ·q.
                    ``{name: screening, types: [1, 2], qualities: [0, 0.5, 1], cost: [0, 0.125, 0.5]}``

``single_item`` also takes one grid (and prior) per bidder: ``values: [[1, 2], [2, 3]]``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from amd import limits
from amd.errors import InstanceError, pydantic_error, short_repr
from amd.numeric import parse_fraction

EXPLICIT_KEYS = ("agents", "prior", "outcomes", "values", "designer_values")


class FamilyError(ValueError):
    """A bad family parameter: the key (inside ``family``) and what was expected."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def _exact(x: Any) -> Fraction:
    if isinstance(x, str):
        return parse_fraction(x)
    return parse_fraction(x).limit_denominator(10**12)


def number_out(q: Fraction) -> int | float | str:
    """Write an exact number the shortest faithful way: 2, 0.15, or '1/60'."""
    if q.denominator == 1:
        return int(q)
    f = float(q)
    if Fraction(repr(f)) == q and len(repr(f)) <= 12:
        return f
    return f"{q.numerator}/{q.denominator}"


def _grid_size(v: Any, key: str = "values") -> int:
    """How many values :func:`_grid` will produce, checked without producing them."""
    if isinstance(v, dict):
        k = v.get("midpoint")
        if set(v) != {"midpoint"} or isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise FamilyError(key, f"expected a list of numbers or {{midpoint: K}} with K >= 1, got {short_repr(v)}")
        return k
    if not isinstance(v, list) or not v:
        raise FamilyError(key, f"expected a non-empty list of numbers or {{midpoint: K}}, got {short_repr(v)}")
    return len(v)


def _grid(v: Any, key: str = "values") -> list[Fraction]:
    k = _grid_size(v, key)
    if isinstance(v, dict):
        return [Fraction(2 * j + 1, 2 * k) for j in range(k)]
    try:
        grid = [_exact(x) for x in v]
    except ValueError as e:
        raise FamilyError(key, str(e)) from None
    if len(set(grid)) != len(grid):
        raise FamilyError(key, "the values of a grid must be distinct")
    return grid


def _marginal(prior: Any, size: int, key: str = "prior") -> Any:
    if prior == "uniform":
        return "uniform"
    if not isinstance(prior, list) or len(prior) != size:
        raise FamilyError(key, f"expected 'uniform' or a list of {size} probabilities, got {short_repr(prior)}")
    try:
        return [number_out(_exact(x)) for x in prior]
    except ValueError as e:
        raise FamilyError(key, str(e)) from None


class _Family(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def size(self) -> int:
        """How many numbers the expansion writes (checked against amd.limits before expanding)."""
        raise NotImplementedError


def _per_bidder(v: Any, n: int, key: str) -> list:
    """``v`` as one entry per bidder: a list whose entries are grids (lists or mappings; for a
    prior, lists or 'uniform') is per bidder and must have n entries; anything else is shared."""
    if isinstance(v, list) and v and all(isinstance(g, (list, dict)) or g == "uniform" for g in v):
        if len(v) != n:
            raise FamilyError(key, f"expected one entry per bidder ({n}), got {len(v)}")
        return list(v)
    return [v] * n


def _bidders(grids: list, priors: list, outcomes: list[str], value) -> dict:
    """The explicit keys for bidders b1..bn with private values and independent types: bidder i
    of grid value q values outcome k at ``value(i, k, q)``."""
    names = [f"b{i + 1}" for i in range(len(grids))]
    return {
        "agents": [{"name": b, "types": [str(number_out(q)) for q in g]} for b, g in zip(names, grids)],
        "prior": {"independent": {b: _marginal(p, len(g)) for b, g, p in zip(names, grids, priors)}},
        "outcomes": outcomes,
        "values": {b: {"private": [[number_out(value(i, k, q)) for k in range(len(outcomes))] for q in grids[i]]}
                   for i, b in enumerate(names)},
    }


class SingleItemFamily(_Family):
    """One good; ``values`` (and ``prior``) one grid for all bidders or a list of grids, one per
    bidder (asymmetric bidders: ``values: [[1, 2], [2, 3]]``)."""

    name: Literal["single_item"]
    bidders: int = Field(ge=1)
    values: Any
    prior: Any = "uniform"

    def size(self) -> int:
        grids = _per_bidder(self.values, self.bidders, "values")
        return sum(_grid_size(g) for g in grids) * (self.bidders + 2)

    def expand(self) -> dict:
        n = self.bidders
        grids = [_grid(g, "values") for g in _per_bidder(self.values, n, "values")]
        outcomes = ["none"] + [f"b{i + 1}" for i in range(n)]
        return _bidders(grids, _per_bidder(self.prior, n, "prior"), outcomes,
                        lambda i, k, q: q if k == i + 1 else 0)


class MultiUnitFamily(_Family):
    """k identical units, n bidders.

    Unit demand (``demand: 1``, the default): outcomes are the sets of winners (at most k),
    written ``b1+b3`` (``none`` for nobody); v_i = θ_i when i is among the winners.

    Multi-unit demand (``demand: d`` > 1): a bidder's type is its non-increasing marginal values
    θ_i1 ≥ … ≥ θ_id for a first, second, … unit, each from the grid (every such tuple is a type,
    written ``2,1``; ``prior`` is ``uniform`` over the tuples or one probability per tuple);
    outcomes give each bidder's number of units (``2,0``: two to b1, none to b2), at most d each
    and k in all; v_i = θ_i1 + … + θ_ix for x units.
    """

    name: Literal["multi_unit"]
    bidders: int = Field(ge=1)
    units: int = Field(ge=1)
    demand: int = Field(1, ge=1, le=8)
    values: Any
    prior: Any = "uniform"

    def _quantities(self) -> list[tuple[int, ...]]:
        cap = min(self.demand, self.units)
        return [x for x in itertools.product(range(cap + 1), repeat=self.bidders) if sum(x) <= self.units]

    def size(self) -> int:
        if self.demand == 1:
            outcomes = sum(math.comb(self.bidders, j) for j in range(min(self.units, self.bidders) + 1))
            return self.bidders * _grid_size(self.values) * (outcomes + 2)
        types = math.comb(_grid_size(self.values) + self.demand - 1, self.demand)
        outcomes = (min(self.demand, self.units) + 1) ** self.bidders  # an upper bound, counted cheaply
        return self.bidders * types * (outcomes + 2)

    def expand(self) -> dict:
        n = self.bidders
        if self.demand == 1:
            sets = [s for j in range(min(self.units, n) + 1) for s in itertools.combinations(range(n), j)]
            outcomes = ["+".join(f"b{i + 1}" for i in s) or "none" for s in sets]
            return _bidders([_grid(self.values)] * n, [self.prior] * n, outcomes,
                            lambda i, k, q: q if i in sets[k] else 0)
        grid = _grid(self.values)
        # marginal values listed first-unit first: non-increasing tuples (multisets of the grid)
        tuples = sorted(tuple(reversed(c)) for c in itertools.combinations_with_replacement(grid, self.demand))
        labels = [",".join(str(number_out(q)) for q in t) for t in tuples]
        quantities = self._quantities()
        outcomes = [",".join(map(str, x)) for x in quantities]
        names = [f"b{i + 1}" for i in range(n)]
        marginal = _marginal(self.prior, len(tuples))
        return {
            "agents": [{"name": b, "types": labels} for b in names],
            "prior": {"independent": {b: marginal for b in names}},
            "outcomes": outcomes,
            "values": {b: {"private": [[number_out(sum(t[:x[i]], Fraction(0))) for x in quantities] for t in tuples]}
                       for i, b in enumerate(names)},
        }


class PositionAuctionFamily(_Family):
    """Slots with click-through rates α_1 ≥ α_2 ≥ …, n bidders: an outcome assigns each slot to at
    most one bidder and each bidder at most one slot, written per bidder (``1,-``: b1 in slot 1,
    b2 in none); v_i = θ_i·α_s for bidder i in slot s (Edelman, Ostrovsky & Schwarz 2007; Varian 2007)."""

    name: Literal["position_auction"]
    bidders: int = Field(ge=1)
    ctr: Any
    values: Any
    prior: Any = "uniform"

    def size(self) -> int:
        slots = len(self.ctr) if isinstance(self.ctr, list) else 0
        outcomes = sum(math.perm(self.bidders, j) * math.comb(slots, j) for j in range(min(slots, self.bidders) + 1))
        return self.bidders * _grid_size(self.values) * (outcomes + 2)

    def expand(self) -> dict:
        if not isinstance(self.ctr, list) or not self.ctr:
            raise FamilyError("ctr", f"expected a list of click-through rates, one per slot, got {short_repr(self.ctr)}")
        ctr = [_number(a, "ctr") for a in self.ctr]
        n, S = self.bidders, len(ctr)
        # every assignment: slot of each bidder (None: no slot), no slot used twice
        assignments = [a for a in itertools.product([None, *range(S)], repeat=n)
                       if len([s for s in a if s is not None]) == len({s for s in a if s is not None})]
        outcomes = [",".join("-" if s is None else str(s + 1) for s in a) for a in assignments]
        return _bidders([_grid(self.values)] * n, [self.prior] * n, outcomes,
                        lambda i, k, q: q * ctr[assignments[k][i]] if assignments[k][i] is not None else 0)


class ScreeningFamily(_Family):
    """Mussa–Rosen screening: one buyer of type θ, qualities q with the seller's cost c(q); the
    buyer values quality q at θ·q; outcomes are the qualities (the designer's value is −c(q),
    so ``maximize: revenue`` is the seller's profit)."""

    name: Literal["screening"]
    types: Any
    qualities: Any
    cost: Any
    prior: Any = "uniform"

    def size(self) -> int:
        return _grid_size(self.types, "types") * (_grid_size(self.qualities, "qualities") + 2)

    def expand(self) -> dict:
        theta = _grid(self.types, "types")
        quality = _grid(self.qualities, "qualities")
        if not isinstance(self.cost, list) or len(self.cost) != len(quality):
            raise FamilyError("cost", f"expected one cost per quality ({len(quality)}), got {short_repr(self.cost)}")
        cost = [_number(c, "cost") for c in self.cost]
        return {
            "agents": [{"name": "buyer", "types": [str(number_out(t)) for t in theta]}],
            "prior": {"independent": {"buyer": _marginal(self.prior, len(theta))}},
            "outcomes": [f"q={number_out(q)}" for q in quality],
            "values": {"buyer": {"private": [[number_out(t * q) for q in quality] for t in theta]}},
            "designer_values": [number_out(-c) for c in cost],
        }


class MultiItemFamily(_Family):
    name: Literal["additive_items", "unit_demand"]
    buyers: int = Field(1, ge=1)
    items: int = Field(ge=1, le=6, description="the outcome set grows as (buyers+1)^items")
    values: Any
    prior: Any = "uniform"

    def _per_item(self) -> list:
        per_item = self.values if (isinstance(self.values, list) and self.values and
                                   isinstance(self.values[0], (list, dict))) else [self.values] * self.items
        if len(per_item) != self.items:
            raise FamilyError("values", f"expected one grid or {self.items} grids (one per item)")
        return per_item

    def size(self) -> int:
        bundles = math.prod(_grid_size(g) for g in self._per_item())
        return self.buyers * bundles * ((self.buyers + 1) ** self.items + 1)

    def expand(self) -> dict:
        per_item = self._per_item()
        grids = [_grid(g) for g in per_item]
        priors = self.prior if (isinstance(self.prior, list) and self.prior and isinstance(self.prior[0], list)) \
            else [self.prior] * self.items
        if len(priors) != self.items:
            raise FamilyError("prior", f"expected one marginal or {self.items} (one per item)")
        item_marginals = []
        for g, p in zip(grids, priors):
            m = _marginal(p, len(g))
            item_marginals.append([Fraction(1, len(g))] * len(g) if m == "uniform" else [_exact(x) for x in m])
        buyers = [f"b{i + 1}" for i in range(self.buyers)]
        bundles = list(itertools.product(*grids))  # a buyer's type: one value per item
        labels = [",".join(str(number_out(q)) for q in b) for b in bundles]
        probs = [number_out(math.prod(ps)) for ps in itertools.product(*item_marginals)]
        holders = ["-"] + buyers
        assignments = list(itertools.product(range(len(holders)), repeat=self.items))
        outcomes = [",".join(holders[h] for h in a) for a in assignments]
        values = {}
        for i, b in enumerate(buyers):
            table = []
            for bundle in bundles:
                row = []
                for a in assignments:
                    won = [bundle[j] for j in range(self.items) if a[j] == i + 1]
                    v = (sum(won, Fraction(0)) if self.name == "additive_items" else max(won, default=Fraction(0)))
                    row.append(number_out(v))
                table.append(row)
            values[b] = {"private": table}
        uniform = all(p == "uniform" for p in priors)
        return {
            "agents": [{"name": b, "types": labels} for b in buyers],
            "prior": {"independent": {b: ("uniform" if uniform else probs) for b in buyers}},
            "outcomes": outcomes,
            "values": values,
        }


def _number(x: Any, key: str) -> Fraction:
    try:
        return _exact(x)
    except ValueError as e:
        raise FamilyError(key, str(e)) from None


class BilateralTradeFamily(_Family):
    name: Literal["bilateral_trade"]
    values: Any = None
    buyer_values: Any = None
    seller_costs: Any = None
    buyer_prior: Any = "uniform"
    seller_prior: Any = "uniform"
    broker_cost: Any = None

    def size(self) -> int:
        bv = self.buyer_values if self.buyer_values is not None else self.values
        sc = self.seller_costs if self.seller_costs is not None else self.values
        return 3 * sum(_grid_size(g) for g in (bv, sc) if g is not None)

    def expand(self) -> dict:
        bv = self.buyer_values if self.buyer_values is not None else self.values
        sc = self.seller_costs if self.seller_costs is not None else self.values
        if bv is None or sc is None:
            raise FamilyError("values", "give 'values' (both sides) or 'buyer_values' and 'seller_costs'")
        bg = _grid(bv, "buyer_values" if self.buyer_values is not None else "values")
        sg = _grid(sc, "seller_costs" if self.seller_costs is not None else "values")
        doc = {
            "agents": [
                {"name": "buyer", "types": [str(number_out(q)) for q in bg]},
                {"name": "seller", "types": [str(number_out(q)) for q in sg]},
            ],
            "prior": {"independent": {"buyer": _marginal(self.buyer_prior, len(bg), "buyer_prior"),
                                      "seller": _marginal(self.seller_prior, len(sg), "seller_prior")}},
            "outcomes": ["no_trade", "trade"],
            "values": {
                "buyer": {"private": [[0, number_out(q)] for q in bg]},
                "seller": {"private": [[0, number_out(-q)] for q in sg]},
            },
        }
        if self.broker_cost is not None:
            doc["designer_values"] = [0, number_out(-_number(self.broker_cost, "broker_cost"))]
        return doc


class LemonsFamily(_Family):
    """Akerlof's market for lemons as a mechanism: a seller who knows the quality v of the good
    (her value of keeping it, a grid) and a buyer without private information who values it at
    v + Δ (``premium``: Δ, or one Δ per quality), so values are interdependent. Outcomes
    ``no_trade, trade``; v_seller(trade) = −v, v_buyer(trade) = v + Δ. Trade is always efficient,
    but the buyer must pay for the seller's information rent: under BIC, interim IR and ex-ante
    budget balance the second best trades only the low qualities (Akerlof 1970; the second-best
    mechanism as in Myerson–Satterthwaite with one uninformed side)."""

    name: Literal["lemons"]
    values: Any
    premium: Any
    prior: Any = "uniform"

    def size(self) -> int:
        return 5 * _grid_size(self.values)

    def expand(self) -> dict:
        grid = _grid(self.values)
        premium = [_number(d, "premium") for d in _per_quality(self.premium, len(grid))]
        return {
            "agents": [{"name": "seller", "types": [str(number_out(q)) for q in grid]},
                       {"name": "buyer", "types": ["-"]}],
            "prior": {"independent": {"seller": _marginal(self.prior, len(grid)), "buyer": "uniform"}},
            "outcomes": ["no_trade", "trade"],
            "values": {"seller": {"private": [[0, number_out(-q)] for q in grid]},
                       "buyer": {"interdependent": [[[0, number_out(q + d)]] for q, d in zip(grid, premium)]}},
        }


def _per_quality(v: Any, size: int) -> list:
    if isinstance(v, list):
        if len(v) != size:
            raise FamilyError("premium", f"expected one number or one per quality ({size}), got {len(v)}")
        return v
    return [v] * size


class PublicProjectFamily(_Family):
    name: Literal["public_project"]
    agents: int = Field(ge=1)
    values: Any
    cost: Any
    prior: Any = "uniform"

    def size(self) -> int:
        return self.agents * _grid_size(self.values) * 3

    def expand(self) -> dict:
        grid = _grid(self.values)
        names = [f"a{i + 1}" for i in range(self.agents)]
        marginal = _marginal(self.prior, len(grid))
        return {
            "agents": [{"name": a, "types": [str(number_out(q)) for q in grid]} for a in names],
            "prior": {"independent": {a: marginal for a in names}},
            "outcomes": ["no", "build"],
            "values": {a: {"private": [[0, number_out(q)] for q in grid]} for a in names},
            "designer_values": [0, number_out(-_number(self.cost, "cost"))],
        }


FAMILIES = {
    "single_item": SingleItemFamily,
    "multi_unit": MultiUnitFamily,
    "screening": ScreeningFamily,
    "position_auction": PositionAuctionFamily,
    "additive_items": MultiItemFamily,
    "unit_demand": MultiItemFamily,
    "bilateral_trade": BilateralTradeFamily,
    "public_project": PublicProjectFamily,
    "lemons": LemonsFamily,
}


def expand_family(family: dict, file: str, registry: dict | None = None) -> dict:
    """Expand a ``family:`` mapping into the explicit keys of SPEC §1.1 (``registry``: the
    families to choose from, by name; :data:`FAMILIES` unless given)."""
    registry = FAMILIES if registry is None else registry
    name = family.get("name") if isinstance(family, dict) else None
    if not isinstance(name, str) or name not in registry:
        raise InstanceError(file, "family.name", f"expected one of {', '.join(sorted(registry))}, got {short_repr(name)}")
    try:
        model = registry[name].model_validate(family)
    except ValidationError as e:
        raise pydantic_error(e, file, ("family",)) from None
    try:
        limits.check(model.size(), file, "family", f"the {name} family written out", limits.PYTHON_OBJECT)
        return model.expand()
    except FamilyError as e:
        raise InstanceError(file, f"family.{e.key}", str(e)) from None


def expand_document(document: dict, file: str, registry: dict | None = None,
                    explicit_keys: tuple[str, ...] = EXPLICIT_KEYS) -> dict:
    """The explicit document: the family replaced by agents, prior, outcomes and values (or, with
    another ``registry``, by the ``explicit_keys`` its families write)."""
    clash = [k for k in explicit_keys if document.get(k) is not None]
    if clash:
        raise InstanceError(file, clash[0], "given together with 'family'; give one or the other")
    family = document["family"]
    if not isinstance(family, dict):
        raise InstanceError(file, "family", f"expected a mapping with a 'name', got {short_repr(family)}")
    explicit = expand_family(family, file, registry)
    out = {k: v for k, v in document.items() if k != "family"}
    # keep the file's own keys first, then the expansion, in SPEC order
    head = {k: out.pop(k) for k in ("format", "kind", "name", "description", "source") if k in out}
    return {**head, **explicit, **out}
