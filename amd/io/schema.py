"""Instance files (format ``amd/1``): read, expand families, validate, build the Environment.

This is the one place that checks user input (SPEC §1). The structure — keys, types, enums —
is declared as pydantic v2 models with ``extra="forbid"``; the semantics — shapes that depend
on the number of types and outcomes, priors summing to one, names that must refer to agents —
are checked right after, with the same kind of message: file, key path, what was expected.
Everything downstream trusts the :class:`Instance` it gets. Reading the text is
:mod:`amd.io.read`'s job; families are expanded by :mod:`amd.io.families`, Gambit files read by
:mod:`amd.io.efg`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)

from amd import game_tree, limits
from amd.auction import SingleItem, myerson_answers, reason_not_applicable
from amd.environment import Design, Environment, Objective
from amd.errors import InstanceError, pydantic_error, short_repr
from amd.extensive import ExtensiveDesign
from amd.files import read_text
from amd.information import InformationDesign, InformationGame
from amd.io import efg, families, games, nfg
from amd.io.arrays import check_distribution, nested_array
from amd.io.read import read_document
from amd.limited_commitment import DynamicDesign, DynamicSale
from amd.numeric import to_number
from amd.result import STATUSES

# ---------------------------------------------------------------------------------------
# reading


# ---------------------------------------------------------------------------------------
# structure (pydantic)


def _label(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise ValueError(f"expected a name (a string), got {short_repr(v)}")
    s = str(v).strip()
    if not s:
        raise ValueError("expected a non-empty name")
    return s


#: a number as files write it: 0.25, 3, or an exact fraction in a string ("1/3")
NUMBER_SCHEMA = {"anyOf": [{"type": "number"},
                           {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
                                                         r"(\s*/\s*[+-]?\d+)?\s*$"}]}
Number = Annotated[float, BeforeValidator(to_number), WithJsonSchema(NUMBER_SCHEMA)]
Label = Annotated[str, BeforeValidator(_label)]


#: the longest horizon a ``kind: dynamic`` file may ask for
MAX_PERIODS = 50


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentSpec(_Strict):
    name: Label
    types: list[Label] = Field(min_length=1, description="the agent's finite type set, in order")


class PriorSpec(_Strict):
    """Exactly one of ``independent`` (marginals per agent) or ``joint`` (nested lists)."""

    independent: Any = Field(
        None, description="{agent: [probabilities in type order] | 'uniform'}, or 'uniform'"
    )
    joint: Any = Field(None, description="nested lists, axis i = agent i's type")


class ValueSpec(_Strict):
    """Exactly one of ``private`` ([own type][outcome]) or ``interdependent``."""

    private: Any = Field(None, description="[own type][outcome]")
    interdependent: Any = Field(None, description="[type_1]...[type_n][outcome]")


class MechanismSpec(_Strict):
    randomized: bool = True
    payments: bool = True
    payment_bounds: list[Number | None] | None = Field(
        None, min_length=2, max_length=2, description="[lo, hi] on each agent's payment"
    )


class BudgetSpec(_Strict):
    """Budget balance with the designer's own value counted: Σ_i t_i + d(x) = 0 (or ≥ 0, weak)."""

    balance: Literal["expost", "expost_weak", "exante", "exante_weak"]
    include_designer: bool = Field(False, description="count the designer's value of the outcome (e.g. a "
                                                      "project's cost) in the balance")


class ExtraConstraint(_Strict):
    """One of the commonest extra constraints, declared (no expression is evaluated):
    ``{payment_cap: c}`` (optionally ``agent: a``): t_i(θ) ≤ c at every profile;
    ``{probability: [outcomes], at_least: p}`` / ``at_most``: the ex-ante probability
    Σ_θ p(θ) Σ_{o ∈ outcomes} x(o|θ); ``{revenue_floor: r}``: E[Σ_i t_i(θ)] ≥ r."""

    payment_cap: Number | None = None
    agent: Label | None = None
    probability: list[Label] | None = Field(None, min_length=1)
    at_least: Number | None = None
    at_most: Number | None = None
    revenue_floor: Number | None = None


class ConstraintsSpec(_Strict):
    ic: Literal["dsic", "bic", "none"] = "dsic"
    ir: Literal["expost", "interim", "exante", "none"] = "expost"
    budget: Literal["none", "expost", "expost_weak", "exante", "exante_weak"] | BudgetSpec = "none"
    extra: list[ExtraConstraint] | None = Field(None, description="declared extra constraints (payment caps, "
                                                                   "outcome probabilities, a revenue floor)")


class ObjectiveSpec(_Strict):
    """Exactly one of ``maximize`` or ``minimize``: revenue | welfare | designer |
    ``{weights: {<agent>: w, payments: w, designer: w}}``."""

    maximize: Any = None
    minimize: Any = None


class ExpectedSpec(_Strict):
    status: Literal[STATUSES]
    objective: Number | None = None
    tolerance: Number = 1e-7
    source: str | None = None


class _InstanceFile(_Strict):
    """What every instance file may carry besides its problem: identity, citation, answer."""

    format: Literal["amd/1"]
    name: str | None = None
    description: str | None = None
    source: str | None = None
    tags: list[str] = Field(default_factory=list, description="free labels, e.g. 'large' (amd batch --skip-tag)")
    expected: ExpectedSpec | None = None


class MechanismFile(_InstanceFile):
    """A ``kind: mechanism`` instance file (SPEC §1.1)."""

    kind: Literal["mechanism"]
    family: dict[str, Any] | None = None
    agents: list[AgentSpec] | None = None
    prior: PriorSpec | None = None
    outcomes: list[Label] | None = None
    values: dict[str, ValueSpec] | None = None
    designer_values: Any = None
    mechanism: MechanismSpec = MechanismSpec()
    constraints: ConstraintsSpec = ConstraintsSpec()
    objective: ObjectiveSpec = ObjectiveSpec(maximize="revenue")


class PlayerSpec(_Strict):
    name: Label
    actions: list[Label] | None = Field(None, min_length=1, description="required unless the game is a tree")
    types: list[Label] | None = Field(None, min_length=1, description="the player's own prior information "
                                      "(Bergemann–Morris's base information structure); the prior then "
                                      "runs over [state][type of each player with types]")


class GameSpec(_Strict):
    """A given extensive form (``solution: extensive``): a YAML tree or a Gambit .efg file."""

    tree: Any = Field(None, description="the root node (amd.game_tree describes the nodes)")
    efg: Any = Field(None, description="a Gambit .efg file, relative to the instance file")
    designer: Any = Field(None, description="with efg: 'welfare', a player's name or {outcome: value}")
    credible: bool = Field(True, description="later movers must be willing to follow post-deviation advice")


class InformationFile(_InstanceFile):
    """A ``kind: information`` instance file (SPEC §1.2)."""

    kind: Literal["information"]
    states: list[Label] | None = Field(None, min_length=1, description="required unless the game is a tree")
    prior: Any = Field(None, description="probabilities in state order, or 'uniform'")
    players: list[PlayerSpec] | None = Field(None, min_length=1, description="required unless a family gives them")
    payoffs: dict[str, Any] | None = Field(None, description="u_i: nested [state][a_1]...[a_n] per player")
    designer: Any = Field(None, description="designer payoff, nested [state][a_1]...[a_n]")
    solution: Literal["bce", "sequential", "extensive"] = "bce"
    objective: Literal["maximize", "minimize"] = "maximize"
    signal: Literal["private", "public"] = Field("private", description="private: each player sees its own "
                                                 "recommendation; public: everyone sees the whole profile")
    informed: list[Label] | None = Field(None, description="the players who receive a signal (default: all)")
    equilibrium: Literal["sequential", "weak_pbe", "nash"] | None = Field(
        None, description="with 'solution: sequential': what later movers can be made to do after a deviation "
                          "(sequential equilibrium, weak perfect Bayesian, Nash); default sequential")
    game: GameSpec | None = None
    family: dict[str, Any] | None = Field(None, description="a base game written short (amd.io.games)")
    nfg: Any = Field(None, description="Gambit .nfg file(s): one path, or a mapping state → path")


class BuyerSpec(_Strict):
    types: list[Label] = Field(min_length=1, description="the buyer's persistent private types")
    values: list[Number] = Field(min_length=1, description="θ_k per type: value of the good (durable) or of one "
                                                           "period's use (rental), increasing")
    prior: Any = Field("uniform", description="probabilities in type order, or 'uniform'")


class DynamicObjectiveSpec(_Strict):
    maximize: Literal["revenue"] = "revenue"


class DynamicFile(_InstanceFile):
    """A ``kind: dynamic`` instance file (SPEC §1.3)."""

    kind: Literal["dynamic"]
    good: Literal["durable", "rental"] = "durable"
    periods: int = Field(ge=1, le=MAX_PERIODS, description="T, the number of periods")
    discount: Number = Field(description="δ in (0, 1]")
    buyer: BuyerSpec
    seller_cost: Number = Field(0.0, description="the seller's value of the good (durable) or cost per period (rental)")
    commitment: Literal["limited", "full"] = "limited"
    objective: DynamicObjectiveSpec = DynamicObjectiveSpec()


#: the schema's identity (a URN: it names the format, not a place to download it from)
SCHEMA_ID = "urn:amd:schema:instance:amd-1"


def json_schema() -> dict:
    """JSON Schema of the instance format: a mechanism or an information file."""
    mech, info, dyn = (MechanismFile.model_json_schema(), InformationFile.model_json_schema(),
                       DynamicFile.model_json_schema())
    defs = {**mech.pop("$defs", {}), **info.pop("$defs", {}), **dyn.pop("$defs", {})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "amd/1 instance",
        "oneOf": [mech, info, dyn],
        "$defs": defs,
    }


# ---------------------------------------------------------------------------------------
# semantics


@dataclass(frozen=True, eq=False)
class Instance:
    """A validated instance (what :func:`load` and :func:`parse` return).

    Attributes
    ----------
    name, file : str
        The instance's name (its file's stem unless it has ``name``) and where it came from.
    environment : Environment, InformationGame or SingleItem
        What the designer faces: agents, types, prior and values (``kind: mechanism``; a
        compact SingleItem when the profiles are too many to write out), or the base game
        (``kind: information``).
    design : Design or InformationDesign
        What is asked: constraints and objective, or the solution concept and its sense.
    expected : the file's ``expected`` (status, objective, tolerance), or None.
    kind : str
        ``mechanism`` or ``information`` (SPEC §1).
    """

    name: str
    file: str
    environment: Environment | InformationGame | SingleItem  # SingleItem: too large to write out
    design: Design | InformationDesign
    description: str | None = None
    source: str | None = None
    expected: ExpectedSpec | None = None
    spec: dict | None = None  # the explicit (family-expanded) document, for `amd expand`
    tags: tuple[str, ...] = ()

    kind: str = "mechanism"


def _unique(names: list[str], file: str, path: str, what: str) -> None:
    seen: set[str] = set()
    for j, s in enumerate(names):
        if s in seen:
            raise InstanceError(file, f"{path}[{j}]", f"duplicate {what} {s!r}")
        seen.add(s)


def _objective(spec: ObjectiveSpec, agents: tuple[str, ...], file: str) -> Objective:
    given = [(s, getattr(spec, s)) for s in ("maximize", "minimize") if getattr(spec, s) is not None]
    if len(given) != 1:
        raise InstanceError(file, "objective", "expected exactly one of 'maximize' or 'minimize'")
    sense, target = given[0]
    path = f"objective.{sense}"
    if isinstance(target, str):
        if target not in ("revenue", "welfare", "designer"):
            raise InstanceError(
                file, path, f"expected 'revenue', 'welfare', 'designer' or {{weights: ...}}, got {short_repr(target)}"
            )
        return Objective.named(sense, target, len(agents))
    if not isinstance(target, dict) or set(target) != {"weights"} or not isinstance(target["weights"], dict):
        raise InstanceError(
            file, path, f"expected 'revenue', 'welfare', 'designer' or {{weights: {{...}}}}, got {short_repr(target)}"
        )
    weights = target["weights"]
    allowed = set(agents) | {"payments", "designer"}
    for key, w in weights.items():
        if key not in allowed:
            raise InstanceError(
                file, f"{path}.weights.{key}",
                f"unknown weight; expected an agent name ({', '.join(agents)}), 'payments' or 'designer'",
            )
        try:
            to_number(w)
        except ValueError as e:
            raise InstanceError(file, f"{path}.weights.{key}", str(e)) from None
    return Objective(
        sense,  # type: ignore[arg-type]
        "weights",
        tuple(to_number(weights.get(a, 0)) for a in agents),
        to_number(weights.get("payments", 0)),
        to_number(weights.get("designer", 0)),
    )


def _marginals(spec: PriorSpec | None, agents, types, file) -> list[np.ndarray] | None:
    """The marginals of an ``independent`` prior (None for a ``joint`` one), validated."""
    if spec is None:
        raise InstanceError(file, "prior", "required key is missing")
    if (spec.independent is None) == (spec.joint is None):
        raise InstanceError(file, "prior", "expected exactly one of 'independent' or 'joint'")
    if spec.joint is not None:
        return None
    ind = spec.independent
    if ind == "uniform":
        ind = {a: "uniform" for a in agents}
    if not isinstance(ind, dict):
        raise InstanceError(
            file, "prior.independent", f"expected a mapping agent -> marginal, or 'uniform', got {short_repr(ind)}"
        )
    for a in ind:
        if a not in agents:
            raise InstanceError(
                file, f"prior.independent.{a}", f"unknown agent; the agents are {', '.join(agents)}"
            )
    out = []
    for i, a in enumerate(agents):
        path = f"prior.independent.{a}"
        if a not in ind:
            raise InstanceError(file, path, "missing marginal for this agent")
        k = len(types[i])
        if ind[a] == "uniform":
            marg = np.full(k, 1.0 / k)
        else:
            marg = nested_array(ind[a], (k,), [f"one per type of {a}"], file, path)
            check_distribution(marg, file, path)
        out.append(marg)
    return out


def _prior(spec: PriorSpec | None, agents, types, file) -> tuple[np.ndarray, bool]:
    marginals = _marginals(spec, agents, types, file)
    if marginals is None:
        axes = [f"one per type of {a}" for a in agents]
        p = nested_array(spec.joint, tuple(len(t) for t in types), axes, file, "prior.joint")
        check_distribution(p, file, "prior.joint")
        return p, False
    p = np.ones(())
    for marg in marginals:
        p = np.multiply.outer(p, marg)
    return p, True


#: explicit environments up to this many value entries (n · |Θ| · |O|); beyond, only the
#: compact single-item form (amd.auction) is built
EXPLICIT_LIMIT = 50_000_000


def _single_item(spec: MechanismFile, agents, types, outcomes, file):
    """The compact :class:`amd.auction.SingleItem` of an instance too large to write out."""
    count = math.prod(len(t) for t in types)
    too_many = f"{limits.count(count)} type profiles are too many to write out"
    marginals = _marginals(spec.prior, agents, types, file)
    if marginals is None:
        raise InstanceError(file, "prior.joint", f"{too_many}; give independent marginals")
    if spec.values is None:
        raise InstanceError(file, "values", "required key is missing")
    tables = []
    for i, a in enumerate(agents):
        v = spec.values.get(a)
        if v is None or v.private is None:
            raise InstanceError(file, f"values.{a}", f"{too_many}; only private values can be kept compact")
        tables.append(nested_array(v.private, (len(types[i]), len(outcomes)),
                                   [f"one per type of {a}", "one per outcome"], file, f"values.{a}.private"))
    designer = None
    if spec.designer_values is not None:
        designer = nested_array(spec.designer_values, (len(outcomes),), ["one per outcome"], file, "designer_values")
    auction = SingleItem.from_tables(agents, types, outcomes, marginals, tables, designer)
    design = _design(spec, agents, file)
    why = reason_not_applicable(auction, design)
    if why is not None and not (auction is not None and myerson_answers(design)):
        raise InstanceError(file, "constraints" if auction is not None else "outcomes",
                            f"{too_many}; amd solves such instances only as single-item auctions in interim "
                            f"reduced form, which {why}" if why.startswith("needs") else f"{too_many}; {why}")
    return auction, design


def _values(spec, agents, types, outcomes, file) -> tuple[np.ndarray, tuple[bool, ...]]:
    shape = tuple(len(t) for t in types)
    n_out = len(outcomes)
    if spec is None:
        raise InstanceError(file, "values", "required key is missing")
    for a in spec:
        if a not in agents:
            raise InstanceError(file, f"values.{a}", f"unknown agent; the agents are {', '.join(agents)}")
    values = np.empty((len(agents),) + shape + (n_out,))
    private = []
    for i, a in enumerate(agents):
        path = f"values.{a}"
        if a not in spec:
            raise InstanceError(file, path, "missing valuation for this agent")
        v = spec[a]
        if (v.private is None) == (v.interdependent is None):
            raise InstanceError(file, path, "expected exactly one of 'private' or 'interdependent'")
        if v.private is not None:
            table = nested_array(
                v.private, (shape[i], n_out), [f"one per type of {a}", "one per outcome"], file, path + ".private"
            )
            bshape = [1] * len(agents) + [n_out]
            bshape[i] = shape[i]
            values[i] = np.broadcast_to(table.reshape(bshape), shape + (n_out,))
            private.append(True)
        else:
            axes = [f"one per type of {b}" for b in agents] + ["one per outcome"]
            values[i] = nested_array(v.interdependent, shape + (n_out,), axes, file, path + ".interdependent")
            private.append(False)
    return values, tuple(private)


def _designer_values(raw, agents, shape, n_out, file) -> np.ndarray:
    if raw is None:
        return np.zeros(shape + (n_out,))
    if isinstance(raw, list) and raw and not isinstance(raw[0], list):
        d = nested_array(raw, (n_out,), ["one per outcome"], file, "designer_values")
        return np.broadcast_to(d, shape + (n_out,)).copy()
    axes = [f"one per type of {a}" for a in agents] + ["one per outcome"]
    return nested_array(raw, shape + (n_out,), axes, file, "designer_values")


def _design(spec: MechanismFile, agents, file) -> Design:
    m, c = spec.mechanism, spec.constraints
    bounds: tuple[float | None, float | None] = (None, None)
    if m.payment_bounds is not None:
        if not m.payments:
            raise InstanceError(file, "mechanism.payment_bounds", "given, but 'payments: false' says no money changes hands")
        lo, hi = m.payment_bounds
        if lo is not None and hi is not None and lo > hi:
            raise InstanceError(file, "mechanism.payment_bounds", f"lower bound {lo} exceeds upper bound {hi}")
        bounds = (lo, hi)
    return Design(
        randomized=m.randomized,
        payments=m.payments,
        payment_bounds=bounds,
        ic=c.ic,
        ir=c.ir,
        budget=c.budget if isinstance(c.budget, str) else c.budget.balance,
        budget_designer=not isinstance(c.budget, str) and c.budget.include_designer,
        objective=_objective(spec.objective, agents, file),
        extra=_extra(c.extra, agents, spec, m.payments, file),
    )


def _extra(extra, agents, spec, payments: bool, file: str) -> tuple[dict, ...]:
    """The declared extra constraints, checked (names exist, one kind per entry) and kept as
    plain mappings; :func:`amd.modeling.declared` turns them into model rows."""
    out = []
    outcomes = list(spec.outcomes or [])
    for j, e in enumerate(extra or []):
        key = f"constraints.extra[{j}]"
        kinds = [k for k in ("payment_cap", "probability", "revenue_floor") if getattr(e, k) is not None]
        if len(kinds) != 1:
            raise InstanceError(file, key, "expected exactly one of payment_cap, probability or revenue_floor")
        kind = kinds[0]
        if kind == "payment_cap":
            if not payments:
                raise InstanceError(file, key, "a payment cap, but 'payments: false'")
            if e.agent is not None and e.agent not in agents:
                raise InstanceError(file, f"{key}.agent", f"unknown agent {e.agent!r}; the agents are {', '.join(agents)}")
            if e.at_least is not None or e.at_most is not None:
                raise InstanceError(file, key, "a payment cap takes 'agent' only")
            out.append({"payment_cap": float(e.payment_cap), "agent": e.agent})
        elif kind == "probability":
            for o in e.probability:
                if o not in outcomes:
                    raise InstanceError(file, f"{key}.probability", f"unknown outcome {o!r}")
            if e.at_least is None and e.at_most is None:
                raise InstanceError(file, key, "expected at_least and/or at_most")
            out.append({"probability": list(e.probability), "at_least": e.at_least, "at_most": e.at_most})
        else:
            if e.agent is not None or e.at_least is not None or e.at_most is not None:
                raise InstanceError(file, key, "a revenue floor is one number")
            out.append({"revenue_floor": float(e.revenue_floor)})
    return tuple(out)


def parse(document: dict, file: str = "<input>", default_name: str | None = None) -> Instance:
    """Validate a document already read into Python data (a dict as from YAML or JSON) and
    build the :class:`Instance`; families are expanded (SPEC §1).

    Parameters
    ----------
    document : dict
        The instance, laid out as in SPEC §1 (``format: amd/1``, ``kind``, …).
    file : str
        What errors call it.
    default_name : str, optional
        The name when the document has none.

    Returns
    -------
    Instance

    Raises
    ------
    amd.InstanceError
        On any problem, naming ``file`` and the key (``e.all`` holds every problem found).

    Examples
    --------
    >>> import amd
    >>> inst = amd.parse({"format": "amd/1", "kind": "mechanism",
    ...     "family": {"name": "single_item", "bidders": 1, "values": [1, 2]}})
    >>> inst.kind, inst.environment.outcomes
    ('mechanism', ('none', 'b1'))
    >>> amd.parse({"format": "amd/1", "kind": "auction"})
    Traceback (most recent call last):
    ...
    amd.errors.InstanceError: <input>: kind: expected 'mechanism', 'information' or 'dynamic', got 'auction'
    """
    if not isinstance(document, dict):
        raise InstanceError(file, None, "expected a mapping with 'format: amd/1' at the top")
    fmt = document.get("format")
    if fmt != "amd/1":
        raise InstanceError(file, "format", f"expected 'amd/1', got {short_repr(fmt)}")
    kind = document.get("kind")
    if kind == "information":
        return _parse_information(document, file, default_name)
    if kind == "dynamic":
        return _parse_dynamic(document, file, default_name)
    if kind != "mechanism":
        raise InstanceError(file, "kind", f"expected 'mechanism', 'information' or 'dynamic', got {short_repr(kind)}")
    if document.get("family") is not None:
        document = families.expand_document(document, file)
    try:
        spec = MechanismFile.model_validate(document)
    except ValidationError as e:
        raise pydantic_error(e, file) from None

    for key in ("agents", "outcomes"):
        if not getattr(spec, key):
            raise InstanceError(file, key, "required key is missing (or give a 'family')")
    agents = tuple(a.name for a in spec.agents)
    _unique(list(agents), file, "agents", "agent name")
    types = tuple(tuple(a.types) for a in spec.agents)
    for i, t in enumerate(types):
        _unique(list(t), file, f"agents[{i}].types", "type")
    outcomes = tuple(spec.outcomes)
    _unique(list(outcomes), file, "outcomes", "outcome")

    if len(agents) * math.prod(len(t) for t in types) * len(outcomes) > EXPLICIT_LIMIT:
        env, design = _single_item(spec, agents, types, outcomes, file)
    else:
        prior, independent = _prior(spec.prior, agents, types, file)
        values, private = _values(spec.values, agents, types, outcomes, file)
        designer = _designer_values(spec.designer_values, agents, prior.shape, len(outcomes), file)
        env = Environment(agents, types, outcomes, prior, values, designer, private, independent)
        design = _design(spec, agents, file)

    _check_expected(spec, file)
    name = spec.name or default_name or "instance"
    return Instance(
        name=name,
        file=file,
        environment=env,
        design=design,
        description=spec.description,
        source=spec.source,
        expected=spec.expected,
        spec=document,
        tags=tuple(spec.tags),
    )


def _parse_information(document: dict, file: str, default_name: str | None) -> Instance:
    if document.get("family") is not None:
        document = games.expand_document(document, file)
    if document.get("nfg") is not None:
        document = _expand_nfg(document, file)
    try:
        spec = InformationFile.model_validate(document)
    except ValidationError as e:
        raise pydantic_error(e, file) from None
    if spec.players is None:
        raise InstanceError(file, "players", "required key is missing (or give a 'family')")
    if spec.solution != "bce":  # nothing asked for is dropped: these are BCE notions (for now)
        for i, p in enumerate(spec.players):
            if p.types is not None:
                raise InstanceError(file, f"players[{i}].types", "players with types are supported with 'solution: bce'")
        for key, asked in (("signal", spec.signal != "private"), ("informed", spec.informed is not None)):
            if asked:
                raise InstanceError(file, key, f"supported with 'solution: bce', not '{spec.solution}'")
    if spec.equilibrium is not None and spec.solution != "sequential":
        raise InstanceError(file, "equilibrium", f"supported with 'solution: sequential', not '{spec.solution}'")
    if spec.solution == "extensive":
        return _parse_extensive(spec, document, file, default_name)
    if spec.game is not None:
        raise InstanceError(file, "game", "a game tree goes with 'solution: extensive'")
    for key in ("states", "prior", "payoffs", "designer"):
        if getattr(spec, key) is None:
            raise InstanceError(file, key, f"required key is missing (for 'solution: {spec.solution}')")
    players = tuple(p.name for p in spec.players)
    _unique(list(players), file, "players", "player name")
    for i, p in enumerate(spec.players):
        if p.actions is None:
            raise InstanceError(file, f"players[{i}].actions", "required key is missing")
        if p.types is not None:
            _unique(list(p.types), file, f"players[{i}].types", "type")
    informed = _audience(spec, players, file)
    states, prior = _states(spec, file)
    actions = tuple(tuple(p.actions) for p in spec.players)
    for i, a in enumerate(actions):
        _unique(list(a), file, f"players[{i}].actions", "action")
    shape = (len(states),) + tuple(len(a) for a in actions)
    axes = ["one per state"] + [f"one per action of {p}" for p in players]
    for p in spec.payoffs:
        if p not in players:
            raise InstanceError(file, f"payoffs.{p}", f"unknown player; the players are {', '.join(players)}")
    payoffs = np.empty((len(players),) + shape)
    for i, p in enumerate(players):
        if p not in spec.payoffs:
            raise InstanceError(file, f"payoffs.{p}", "missing payoffs for this player")
        payoffs[i] = nested_array(spec.payoffs[p], shape, axes, file, f"payoffs.{p}")
    designer = nested_array(spec.designer, shape, axes, file, "designer")
    _check_expected(spec, file)
    game = InformationGame(states, prior, players, actions, payoffs, designer,
                           public=spec.signal == "public", informed=informed)
    if any(p.types is not None for p in spec.players):
        game = _with_types(game, spec, file)
    return Instance(
        name=spec.name or default_name or "instance", file=file, environment=game,
        design=InformationDesign(spec.solution, spec.objective, spec.equilibrium or "sequential"),
        description=spec.description,
        source=spec.source, expected=spec.expected, spec=document, kind="information", tags=tuple(spec.tags),
    )


def _parse_dynamic(document: dict, file: str, default_name: str | None) -> Instance:
    for several in ("buyers", "sellers"):
        if several in document:
            raise InstanceError(file, several, "several buyers or sellers are not supported: with limited commitment "
                                               "this is an open problem (Doval & Skreta 2022); give one 'buyer'")
    if isinstance(document.get("buyer"), list):
        raise InstanceError(file, "buyer", "several buyers are not supported (an open problem with limited "
                                           "commitment, Doval & Skreta 2022); give one buyer as a mapping")
    try:
        spec = DynamicFile.model_validate(document)
    except ValidationError as e:
        raise pydantic_error(e, file) from None
    b = spec.buyer
    types = tuple(b.types)
    _unique(list(types), file, "buyer.types", "type")
    K = len(types)
    limits.check(K * K * (K + 2), file, "buyer.types", "the period LP (truth-telling terms)", limits.PYTHON_OBJECT)
    values = nested_array(b.values, (K,), ["one per type"], file, "buyer.values")
    if np.any(np.diff(values) <= 0):
        j = int(np.argmax(np.diff(values) <= 0))
        raise InstanceError(file, f"buyer.values[{j + 1}]", "expected values strictly increasing in type order "
                                                             f"(list the types from the lowest value), got "
                                                             f"{values[j + 1]:g} after {values[j]:g}")
    if b.prior == "uniform":
        prior = np.full(K, 1.0 / K)
    else:
        prior = nested_array(b.prior, (K,), ["one per type"], file, "buyer.prior")
        check_distribution(prior, file, "buyer.prior")
    if not 0 < spec.discount <= 1:
        raise InstanceError(file, "discount", f"expected δ in (0, 1], got {spec.discount:g}")
    _check_expected(spec, file)
    sale = DynamicSale(types, values, prior, spec.periods, float(spec.discount), spec.good, float(spec.seller_cost))
    return Instance(
        name=spec.name or default_name or "instance", file=file, environment=sale,
        design=DynamicDesign(spec.commitment), description=spec.description, source=spec.source,
        expected=spec.expected, spec=document, kind="dynamic", tags=tuple(spec.tags))


def _check_expected(spec, file: str) -> None:
    if spec.expected is not None and spec.expected.status == "optimal" and spec.expected.objective is None:
        raise InstanceError(file, "expected.objective", "required when expected.status is 'optimal'")


def _expand_nfg(document: dict, file: str) -> dict:
    """``nfg: FILE`` (one state) or ``nfg: {state: FILE, …}``: the Gambit strategic game(s) written
    out as players, payoffs and (for ``designer: welfare`` or a player's name) the designer's
    payoffs — the explicit document, validated like a hand-written one (``amd expand`` prints it)."""
    ref = document["nfg"]
    for key in ("payoffs",):
        if document.get(key) is not None:
            raise InstanceError(file, key, "given together with 'nfg'; give one or the other")
    if isinstance(ref, str):
        files = {None: ref}
    elif isinstance(ref, dict) and ref and all(isinstance(k, str) and isinstance(v, str) for k, v in ref.items()):
        files = dict(ref)
    else:
        raise InstanceError(file, "nfg", f"expected the path of a Gambit .nfg file or a mapping state → path, "
                                         f"got {short_repr(ref)}")
    out = {k: v for k, v in document.items() if k != "nfg"}
    games_by_state = []
    for state, ref_j in files.items():
        key = "nfg" if state is None else f"nfg.{state}"
        text = read_text(efg.efg_path(ref_j, file, key), nfg.MAX_NFG_BYTES, file, key)
        games_by_state.append((key, nfg.from_nfg(text, file, key)))
    (key0, (players, strategies, _)) = games_by_state[0]
    for key, (p, s, _) in games_by_state[1:]:
        if (p, s) != (players, strategies):
            raise InstanceError(file, key, f"declares other players or strategies than {key0}")
    if None in files:
        if out.get("states") is None:
            out["states"] = ["state"]
            out.setdefault("prior", [1])
        elif len(out["states"]) != 1:
            raise InstanceError(file, "nfg", "one .nfg file gives one state's game; give a mapping state → file")
    else:
        states = out.get("states")
        if states is not None:
            if not isinstance(states, list) or sorted(map(str, states)) != sorted(files):
                raise InstanceError(file, "nfg", f"expected one file per state of 'states' "
                                                 f"({', '.join(map(str, states or []))}), got {', '.join(files)}")
            order = [str(x) for x in states]
            games_by_state = [games_by_state[list(files).index(x)] for x in order]
        out["states"] = list(files) if states is None else states
    given = out.get("players")
    if given is not None:
        names = [p.get("name") if isinstance(p, dict) else None for p in given] if isinstance(given, list) else None
        if names != list(players):
            raise InstanceError(file, "players", f"the .nfg file declares the players {list(players)}")
        for i, (p, a) in enumerate(zip(given, strategies)):
            if p.get("actions") is not None and list(p["actions"]) != list(a):
                raise InstanceError(file, f"players[{i}].actions", f"the .nfg file gives {p['name']!r} the "
                                                                   f"strategies {list(a)}")
        out["players"] = [{**p, "actions": list(a)} for p, a in zip(given, strategies)]
    else:
        out["players"] = [{"name": p, "actions": list(a)} for p, a in zip(players, strategies)]
    u = np.stack([g[2] for _, g in games_by_state], axis=1)  # (player, state, s_1, …, s_n)
    out["payoffs"] = {p: _plain(u[i]) for i, p in enumerate(players)}
    designer = out.get("designer")
    if designer == "welfare":
        out["designer"] = _plain(u.sum(axis=0))
    elif isinstance(designer, str):
        if designer not in players:
            raise InstanceError(file, "designer", f"expected 'welfare', a player ({', '.join(players)}) or a "
                                                  f"nested list [state][a_1]...[a_n], got {short_repr(designer)}")
        out["designer"] = _plain(u[players.index(designer)])
    head = {k: out.pop(k) for k in ("format", "kind", "name", "description", "source", "states", "prior",
                                    "players", "payoffs", "designer") if k in out}
    return {**head, **out}


def _plain(a: np.ndarray) -> list:
    """Nested lists with whole numbers written as integers (3, not 3.0) for ``amd expand``."""
    if a.ndim == 0:
        x = float(a)
        return int(x) if x.is_integer() else x
    return [_plain(b) for b in a]


def _audience(spec, players: tuple[str, ...], file: str) -> tuple[bool, ...] | None:
    """Who receives a signal: ``informed`` as one flag per player (None: everyone)."""
    if spec.informed is None:
        return None
    for j, name in enumerate(spec.informed):
        if name not in players:
            raise InstanceError(file, f"informed[{j}]", f"unknown player {short_repr(name)}; the players are "
                                                       f"{', '.join(players)}")
    _unique(list(spec.informed), file, "informed", "player")
    flags = tuple(p in spec.informed for p in players)
    if spec.signal == "public" and not all(flags):
        # a public profile would show the informed players the uninformed players' actions
        raise InstanceError(file, "informed", "a public signal goes to every player; informing only some "
                                              "players is supported with 'signal: private'")
    return flags


def _with_types(game: InformationGame, spec, file: str) -> InformationGame:
    """Bergemann–Morris's BCE(G, S): the states become the pairs ω = (θ, t) of positive prior
    probability p(θ, t), labelled 'θ | t_1, t_2'; payoffs and the designer's depend on θ."""
    typed = [i for i, p in enumerate(spec.players) if p.types is not None]
    names = [tuple(spec.players[i].types) if i in typed else ("-",) for i in range(game.n_players)]
    shape = (len(game.states),) + tuple(len(names[i]) for i in typed)
    axes = ["one per state"] + [f"one per type of {game.players[i]}" for i in typed]
    limits.check(math.prod(shape) * math.prod(game.shape[1:]), file, "prior",
                 "the outcome over (state, types, action profile)", limits.PYTHON_OBJECT)
    if spec.prior == "uniform":
        joint = np.full(shape, 1.0 / math.prod(shape))
    else:
        joint = nested_array(spec.prior, shape, axes, file, "prior")
        check_distribution(joint.ravel(), file, "prior")
    cells = np.argwhere(joint > 0)  # C order: by state, then types
    theta = cells[:, 0]
    type_of = np.zeros((game.n_players, len(cells)), np.int64)
    for col, i in enumerate(typed):
        type_of[i] = cells[:, 1 + col]
    labels = tuple(f"{game.states[c[0]]} | " + ", ".join(names[i][c[1 + col]] for col, i in enumerate(typed))
                   for c in cells)
    return dataclasses.replace(game, states=labels, prior=joint[tuple(cells.T)], payoffs=game.payoffs[:, theta],
                               designer=game.designer[theta], types=tuple(names), type_of=type_of)


def _states(spec, file: str) -> tuple[tuple[str, ...], np.ndarray]:
    states = tuple(spec.states)
    _unique(list(states), file, "states", "state")
    if any(getattr(p, "types", None) is not None for p in spec.players):
        return states, np.zeros(len(states))  # the joint prior over (θ, t) is read by _with_types
    if spec.prior == "uniform":
        prior = np.full(len(states), 1.0 / len(states))
    else:
        prior = nested_array(spec.prior, (len(states),), ["one per state"], file, "prior")
        check_distribution(prior, file, "prior")
    return states, prior


def _parse_extensive(spec, document: dict, file: str, default_name: str | None) -> Instance:
    """``solution: extensive``: the tree under ``game`` (amd.game_tree), played in every state."""
    for key in ("payoffs", "designer"):
        if getattr(spec, key) is not None:
            raise InstanceError(file, key, "with 'solution: extensive' payoffs are given at the leaves of game.tree")
    game = spec.game
    if game is None or (game.tree is None) == (game.efg is None):
        raise InstanceError(file, "game", "expected exactly one of 'tree' (a YAML tree) or 'efg' (a Gambit file)")
    if spec.states is None:
        if spec.prior is not None:
            raise InstanceError(file, "prior", "a prior goes with 'states'")
        states, prior = ("state",), np.ones(1)
    else:
        if spec.prior is None:
            raise InstanceError(file, "prior", "required key is missing")
        states, prior = _states(spec, file)
    players = tuple(p.name for p in spec.players)
    _unique(list(players), file, "players", "player name")
    if game_tree.DESIGNER in players:
        raise InstanceError(file, "players", "'designer' names the designer's own moves in a tree; rename the player")
    if game.efg is not None:
        if game.tree is None and isinstance(game.efg, str):
            text = efg.read_efg(efg.efg_path(game.efg, file, "game.efg"), file, "game.efg")
            name = game.efg
            # the file's text travels with the document: batch workers need no file system, and an
            # edited .efg gives the instance a new result key
            document = {**document, "game": {**document["game"], "efg": {"file": name, "text": text}}}
        elif isinstance(game.efg, dict) and set(game.efg) == {"file", "text"}:
            name, text = str(game.efg["file"]), str(game.efg["text"])
        else:
            raise InstanceError(file, "game.efg", "expected the path of a Gambit .efg file")
        declared = efg.efg_players(text, file, "game.efg")
        if declared != players:
            raise InstanceError(file, "players", f"the .efg file declares the players {list(declared)}; "
                                "list the same names in the same order")
        tree = efg.from_efg(text, name, game.designer, states, prior, file)
    else:
        if game.designer is not None:
            raise InstanceError(file, "game.designer", "with a YAML tree the designer's payoff is at each leaf")
        tree = game_tree.from_yaml(game.tree, states, prior, players, file)
    for i, p in enumerate(spec.players):
        if p.actions is None:
            continue
        for h, v in enumerate(tree.infoset_nodes):
            if tree.mover[v[0]] == i and not set(tree.edges[v[0]]) <= set(p.actions):
                raise InstanceError(file, f"players[{i}].actions", f"the tree gives {p.name} the actions "
                                    f"{list(tree.edges[v[0]])} at {tree.infosets[h]!r}, not all listed here")
    _check_expected(spec, file)
    return Instance(
        name=spec.name or default_name or "instance", file=file, environment=tree,
        design=ExtensiveDesign("extensive", spec.objective, game.credible), description=spec.description,
        source=spec.source, expected=spec.expected, spec=document, kind="information", tags=tuple(spec.tags),
    )


def load(path: str | Path) -> Instance:
    """Read, validate and expand an instance file.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML (``.yaml``, ``.yml``) or JSON file in format ``amd/1`` (SPEC §1). YAML is read as
        plain data: no tags, no duplicate keys.

    Returns
    -------
    Instance
        ``environment`` (the agents, types, prior and values, or the game), ``design`` (the
        constraints and objective), ``expected`` (the known optimum, if the file gives one).

    Raises
    ------
    amd.InstanceError
        When the file cannot be read or is not a valid instance: the message names the file
        and the key.

    Examples
    --------
    >>> import amd
    >>> inst = amd.load("instances/auctions/myerson-2-bidders-midpoint10.yaml")
    >>> inst.name, inst.environment.agents, inst.environment.n_profiles
    ('myerson-2-bidders-midpoint10', ('b1', 'b2'), 100)
    >>> inst.expected.objective
    0.4525
    """
    p = Path(path)
    return parse(read_document(p), file=str(p), default_name=p.stem)

