r"""Selling over time when the seller commits only to today's mechanism (Doval & Skreta 2022).

One seller, one buyer whose type k (value θ_k, prior μ_k) persists; T periods, discount δ. A
*durable* good is sold at most once and the game ends at the sale; a *rental* good is one
period's use, sold again every period. The seller's cost c (her value of the good, or her cost
per period of use) enters only through the net values θ_k − c: the buyer's payoff θq − x equals
(θ − c)q − (x − cq), so we work with net values and a seller whose payoff is the net payment.

**Limited commitment.** Each period the seller offers a mechanism for that period only. By the
revelation principle of Doval & Skreta (Econometrica 90(4), 2022, Thm. 1) it is without loss a
*direct Blackwell mechanism*: the buyer reports a type, and the mechanism draws the period's
allocation and a message that is the seller's posterior belief. The value computed here is the
seller's payoff in the seller-optimal perfect Bayesian equilibrium in which, at every belief, the
continuation is itself seller-optimal (a recursive, Markov selection), with every tie — at a
belief where several continuations are optimal, or a buyer type indifferent between buying and
not — broken the seller's way. A buyer who refuses a mechanism trades nothing that period and
the seller then believes the highest type (an off-path belief PBE permits, the seller-optimal
one): every type's continuation utility is then 0, so participation is U ≥ 0.

**A period as one LP** (:class:`Stage`). At a node with unnormalized type masses m_k, the
mechanism is per reported type k: trade probability q_k, expected payment x_k and the mass
β_{k,g} sent to continuation group g. A group collects every posterior at which the same
continuation plan is seller-optimal; plan g gives the seller a_g(k) per unit mass of type k and
type k (truthful or not) a continuation utility u_g(k). Membership of g is a set of linear,
homogeneous rows in the masses sent there, Σ_k m_k β_{k,g} M_g[r, k] ≥ 0 (a cone, so merging all
posteriors with the same plan loses nothing). Then, with c the continuation discount,

    max  Σ_k m_k x_k + c Σ_{g,k} m_k β_{k,g} a_g(k)
    s.t. U(k,k) ≥ U(k,k'),  U(k,k) ≥ 0,  membership of every g,  flow,
         U(k,k') = θ_k q_{k'} − x_{k'} + c Σ_g β_{k',g} u_g(k).

Flow: durable Σ_g β_{k,g} = 1 − q_k (a sale ends the game); rental Σ_{g after trade} β_{k,g} = q_k
and Σ_{g after no trade} β_{k,g} = 1 − q_k (the seller sees the allocation).

**Two periods are exact, for any number of types** (:func:`last_period_groups`). In the last
period the seller, at posterior ν, faces a one-period commitment problem with one buyer: a
posted price is optimal (Riley & Zeckhauser 1983), so the groups are the prices θ_j (and "no
sale"), price j optimal at ν iff Σ_{k≥j} ν_k θ_j ≥ Σ_{k≥j'} ν_k θ_{j'} for every j' and ≥ 0, with
a_j(k) = θ_j·[k ≥ j] (an indifferent buyer buys) and u_j(k) = (θ_k − θ_j)^+. Any seller-optimal
last-period mechanism is a lottery over optimal prices, which the LP represents by splitting
mass across groups at the same posterior. So the T = 2 problem is one LP and its optimum is
exact.

**Full commitment** is the revelation-principle benchmark: the seller commits to the whole
T-period mechanism, which collapses to the static screening problem with discounted trade
Q_k ∈ [0, Q̄] (Q̄ = 1 durable, Σ_t δ^{t−1} rental): for the durable good the best posted price
today (Stokey 1979), for rental the static optimum every period.

**Three or more periods** (:func:`bounds`): the continuation after period 1 is itself a
limited-commitment problem whose plan changes with the belief in a way the one-LP construction
above does not capture exactly, so amd returns a certified interval (status ``bounded``). The
upper bound relaxes sequential rationality in periods 2..T−1 (the seller commits until the last
period; every equilibrium is feasible for it) and is at most the full-commitment value. The lower
bound is the value of an explicit plan whose continuations are exactly seller-optimal: a period-1
mechanism whose posteriors are either point masses (where the optimal continuation is known:
sell at θ_j now) or, for T = 3, points of a grid of beliefs where the two-period continuation is
solved exactly. When the two meet (within 1e-9 relative), the value is reported ``optimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from amd.certificate import DEFAULT_TOLERANCE, Certificate, Checks, magnitude

#: the grid of beliefs (per type, its denominator) used for the T = 3 lower bound
GRID = {2: 96, 3: 16, 4: 8}


@dataclass(frozen=True)
class DynamicSale:
    """The primitives of ``kind: dynamic`` (SPEC §1.3)."""

    types: tuple[str, ...]
    values: np.ndarray  # θ_k, increasing
    prior: np.ndarray
    periods: int
    discount: float
    good: str = "durable"  # durable | rental
    cost: float = 0.0

    @property
    def net(self) -> np.ndarray:
        """θ_k − c: what a sale to type k is worth to the seller at the buyer's willingness to pay."""
        return self.values - self.cost

    @property
    def n_types(self) -> int:
        return len(self.types)

    def horizon_weight(self, periods: int) -> float:
        """Σ_{s<periods} δ^s: the discounted number of periods of use (rental) in ``periods``."""
        return sum(self.discount ** s for s in range(periods))


@dataclass(frozen=True)
class DynamicDesign:
    commitment: str = "limited"  # limited | full
    sense: str = "maximize"


@dataclass
class Group:
    """A continuation plan and the beliefs at which it is seller-optimal.

    ``rows`` (r × K over the stage's types): membership Σ_k z_k rows[r, k] ≥ 0 (= 0 when
    ``equal``) for the masses z sent here; ``a[k]`` the seller's continuation value per unit mass
    of type k; ``u[k]`` type k's continuation utility; ``after_trade``: reached after this
    period's trade (rental) rather than after no trade. ``plan`` says what happens there (for
    the plan tree): ``("price", j)``, ``("none",)``, ``("reveal", j)`` or ``("belief", b)``."""

    rows: np.ndarray
    a: np.ndarray
    u: np.ndarray
    plan: tuple
    after_trade: bool = False
    equal: bool = False


@dataclass
class Stage:
    """One period's LP at a node: types (indices into the sale's types), their masses, the
    continuation groups and discount, the bound on (discounted) trade and whether the flow is
    exact (``=``) or relaxed (``≤``, the T ≥ 3 upper bound)."""

    sale: DynamicSale
    support: np.ndarray  # indices of the types present
    mass: np.ndarray  # m_k for the support
    groups: list[Group]
    continuation_discount: float
    trade_max: float = 1.0
    relaxed: bool = False

    @property
    def theta(self) -> np.ndarray:
        return self.sale.net[self.support]


def posted_price(net: np.ndarray, mass: np.ndarray) -> tuple[float, list[int]]:
    """The best posted price at (unnormalized) ``mass`` over types with net values ``net``
    (increasing): (revenue, every optimal price index; [] when not selling is optimal).
    Price θ_j sells to every k ≥ j (an indifferent buyer buys)."""
    tail = np.cumsum(mass[::-1])[::-1]  # Σ_{k≥j} m_k
    revenue = net * tail
    best = float(max(revenue.max(initial=0.0), 0.0))
    scale = max(magnitude(net) * float(mass.sum()), 1e-300)
    if best <= 1e-12 * scale:
        return best, []
    return best, [int(j) for j in np.flatnonzero(revenue >= best - 1e-12 * scale) if net[j] > 0]


def last_period_groups(sale: DynamicSale, support: np.ndarray, periods_left: int = 1,
                       after: tuple[bool, ...] = (False,)) -> list[Group]:
    """The groups of the last period: one per price θ_j (j in ``support``) and "no sale", with
    the membership rows of SPEC §1.3's tie rule; for every branch in ``after`` (rental: after
    trade and after no trade)."""
    theta = sale.net[support]
    K = len(support)
    sells = np.triu(np.ones((K, K)))  # sells[j, k] = [k ≥ j]
    revenue = theta[:, None] * sells  # revenue[j, k]: price j's revenue per unit of type k
    alternatives = np.vstack([revenue, np.zeros((1, K))])  # every price, and not selling
    groups = []
    for branch in after:
        for j in range(K):
            if theta[j] <= 0:
                continue  # a price at or below cost never beats not selling strictly; "none" covers it
            rows = revenue[j][None, :] - np.delete(alternatives, j, axis=0)
            u = np.maximum(sale.net[support] - theta[j], 0.0)
            groups.append(Group(rows, revenue[j].copy(), u, ("price", int(support[j])), branch))
        groups.append(Group(-revenue[theta > 0], np.zeros(K), np.zeros(K), ("none",), branch))
    return groups


def reveal_groups(sale: DynamicSale, support: np.ndarray, periods_left: int,
                  after: tuple[bool, ...] = (False,)) -> list[Group]:
    """Groups whose posterior is a point mass on one type j: there the seller-optimal
    continuation is known — post θ_j now (and every period, rental) — so a_j and u_j are exact:
    the seller gets θ_j^+ per period of use and a type k that lied its way there (θ_k − θ_j)^+."""
    theta = sale.net[support]
    K = len(support)
    weight = sale.horizon_weight(periods_left) if sale.good == "rental" else 1.0
    groups = []
    for branch in after:
        for j in range(K):
            rows = np.zeros((K - 1, K))
            others = [k for k in range(K) if k != j]
            rows[np.arange(K - 1), others] = 1.0  # no other type's mass: = 0
            sell = theta[j] > 0
            a = np.zeros(K)
            a[j] = theta[j] * weight if sell else 0.0
            u = np.maximum(sale.net[support] - theta[j], 0.0) * weight if sell else np.zeros(K)
            groups.append(Group(rows, a, u, ("reveal", int(support[j])), branch, equal=True))
    return groups


def belief_group(support: np.ndarray, belief: np.ndarray, value: float, u: np.ndarray, after_trade: bool,
                 plan) -> Group:
    """A group that receives mass only in proportion to ``belief`` (over ``support``), where the
    continuation is a known plan worth ``value`` per unit mass with buyer utilities ``u``."""
    K = len(support)
    ref = int(np.argmax(belief))
    rows = []
    for k in range(K):
        if k == ref:
            continue
        row = np.zeros(K)
        row[k], row[ref] = belief[ref], -belief[k]  # z_k b_ref − z_ref b_k = 0
        rows.append(row)
    return Group(np.array(rows).reshape(-1, K), np.full(K, value), np.asarray(u, float), ("belief", plan),
                 after_trade, equal=True)


def stage(sale: DynamicSale, mass: np.ndarray, periods_left: int) -> Stage:
    """The exact stage at a node with ``periods_left`` ≤ 2 (the last period, or the one before)."""
    support = np.flatnonzero(mass > 0)
    after = (True, False) if sale.good == "rental" else (False,)
    groups = last_period_groups(sale, support, 1, after) if periods_left == 2 else []
    return Stage(sale, support, mass[support], groups, sale.discount)


def commitment_stage(sale: DynamicSale, mass: np.ndarray) -> Stage:
    """Full commitment: the static screening problem with discounted trade Q_k ∈ [0, Q̄]."""
    support = np.flatnonzero(mass > 0)
    top = sale.horizon_weight(sale.periods) if sale.good == "rental" else 1.0
    return Stage(sale, support, mass[support], [], 0.0, trade_max=top, relaxed=True)


def relaxed_stage(sale: DynamicSale, mass: np.ndarray) -> Stage:
    """The T ≥ 3 upper bound: commitment through period T−1, the last period sequentially
    rational (groups of the last period, discount δ^{T−1}, trade Q_k ≤ what is not carried on)."""
    support = np.flatnonzero(mass > 0)
    T = sale.periods
    groups = last_period_groups(sale, support, 1, (False,))
    top = sale.horizon_weight(T - 1) if sale.good == "rental" else 1.0
    return Stage(sale, support, mass[support], groups, sale.discount ** (T - 1), trade_max=top, relaxed=True)


def simplex_grid(K: int, N: int) -> np.ndarray:
    """Every belief over K types with coordinates in multiples of 1/N."""
    out = []

    def rec(prefix, left, slots):
        if slots == 1:
            out.append(prefix + [left])
            return
        for a in range(left + 1):
            rec(prefix + [a], left - a, slots - 1)

    rec([], N, K)
    return np.array(out, float) / N


# ---------------------------------------------------------------------------------------
# the plan: a tree of period mechanisms


@dataclass
class Node:
    """One period's mechanism at one belief. ``trade[k]``, ``payment[k]`` per reported type
    (all types of the sale; zero off the support), ``next[k]``: {child index: probability}.
    ``price``: the posted price when the node's mechanism is one."""

    period: int
    belief: np.ndarray
    probability: float
    trade: np.ndarray
    payment: np.ndarray
    next: list[dict[int, float]]
    after_trade: bool | None = None
    price: float | None = None
    children: list[int] = field(default_factory=list)

    def to_dict(self, index: int, sale: DynamicSale) -> dict:
        return {
            "id": index, "period": self.period, "belief": _clean(self.belief), "probability": _num(self.probability),
            **({"after": "trade" if self.after_trade else "no trade"} if self.after_trade is not None else {}),
            "price": None if self.price is None else _num(self.price),
            "mechanism": {sale.types[k]: {"trade": _num(self.trade[k]), "payment": _num(self.payment[k]),
                                          "next": {str(c): _num(p) for c, p in self.next[k].items()}}
                          for k in range(sale.n_types) if self.belief[k] > 0},
        }


def _num(x: float) -> float:
    x = float(x)
    return 0.0 if abs(x) < 1e-13 else x


def _clean(a) -> list[float]:
    return [_num(v) for v in np.asarray(a, float)]


def posted_price_node(sale: DynamicSale, period: int, belief: np.ndarray, probability: float,
                      price_index: int | None) -> Node:
    """A last-period node posting θ_j (gross price θ_j + c; the indifferent type buys), or no sale."""
    K = sale.n_types
    trade = np.zeros(K)
    if price_index is not None:
        trade = (sale.net >= sale.net[price_index] - 1e-15).astype(float)
    price = None if price_index is None else float(sale.values[price_index])
    pay = trade * (price if price is not None else 0.0)
    return Node(period, belief, probability, trade, pay, [{} for _ in range(K)], price=price)


def continuation_utility(sale: DynamicSale, nodes: list[Node], i: int) -> np.ndarray:
    """Every type's utility from node i on, playing optimally there (any type, also one that is
    not in the node's support: a type that lied its way here): max(0, best report)."""
    node = nodes[i]
    theta = sale.values
    cont = {c: continuation_utility(sale, nodes, c) for c in node.children}
    K = sale.n_types
    best = np.zeros(K)
    for r in np.flatnonzero(node.belief > 0):
        later = sum((p * cont[c] for c, p in node.next[r].items()), np.zeros(K))
        best = np.maximum(best, theta * node.trade[r] - node.payment[r] + sale.discount * later)
    return best


def seller_value(sale: DynamicSale, nodes: list[Node]) -> float:
    """Σ_nodes P(node) δ^{period−1} Σ_k belief_k (x_k − c q_k): the seller's discounted payoff."""
    return float(sum(n.probability * sale.discount ** (n.period - 1)
                     * float(n.belief @ (n.payment - sale.cost * n.trade)) for n in nodes))


def verify_plan(sale: DynamicSale, nodes: list[Node], tolerance: float = DEFAULT_TOLERANCE,
                sequential: bool = True) -> Certificate:
    """Check a plan with numpy alone, node by node: feasibility (probabilities; durable: at most
    one sale, rental: the allocation branch), Bayes consistency of every child's belief and
    probability, participation and truth-telling given the continuation utilities computed from
    the children, and — with ``sequential`` (limited commitment) — sequential rationality where
    the seller's optimal continuation is known in closed form: in the last period the node's
    revenue equals the best posted price at its belief, and at a point-mass belief on type j the
    node sells at θ_j (earlier nodes at other beliefs are the LP's: not re-derived here)."""
    T = sale.periods
    checks = Checks(tolerance, magnitude(sale.values, sale.cost))
    feas = bayes = ic = ir = seq = 0.0
    where: dict[str, dict | None] = {"feasibility": None, "bayes": None, "ic": None, "ir": None, "seq": None}
    if not all(np.isfinite(n.trade).all() and np.isfinite(n.payment).all() and np.isfinite(n.belief).all()
               for n in nodes):
        checks.add("finite", float("inf"), {"node": "a number is not finite"})
        return checks.certificate()
    util = [continuation_utility(sale, nodes, i) for i in range(len(nodes))]
    for i, n in enumerate(nodes):
        support = np.flatnonzero(n.belief > 0)
        bad = max(abs(float(n.belief.sum()) - 1.0), float(np.max(-n.belief, initial=0.0)))
        for k in support:
            out = sum(n.next[k].values())
            carried = (1.0 - n.trade[k]) if sale.good == "durable" else 1.0
            bad = max(bad, -n.trade[k], n.trade[k] - 1.0, abs(out - carried) if n.children else 0.0,
                      max((-p for p in n.next[k].values()), default=0.0))
            if sale.good == "rental":
                for c, p in n.next[k].items():
                    want = n.trade[k] if nodes[c].after_trade else 1.0 - n.trade[k]
                    tot = sum(q for cc, q in n.next[k].items() if nodes[cc].after_trade == nodes[c].after_trade)
                    bad = max(bad, abs(tot - want))
        if bad > feas:
            feas, where["feasibility"] = bad, {"node": i}
        for c in n.children:
            flow = np.array([n.belief[k] * n.next[k].get(c, 0.0) for k in range(sale.n_types)])
            reach = n.probability * float(flow.sum())
            off = abs(reach - nodes[c].probability)
            if flow.sum() > 0:
                off = max(off, float(np.abs(flow / flow.sum() - nodes[c].belief).max()) * min(1.0, reach * 1e6))
            if off > bayes:
                bayes, where["bayes"] = off, {"node": c, "parent": i}
        for k in support:
            own = _utility(sale, nodes, util, i, k, k)
            if -own > ir:
                ir, where["ir"] = -own, {"node": i, "type": sale.types[k], "utility": own}
            for r in support:
                gain = _utility(sale, nodes, util, i, k, r) - own
                if gain > ic:
                    ic, where["ic"] = gain, {"node": i, "type": sale.types[k], "report": sale.types[r], "gain": gain}
        if sequential and (n.period == T or np.count_nonzero(n.belief) == 1):
            best, _ = posted_price(sale.net, n.belief)
            got = float(n.belief @ (n.payment - sale.cost * n.trade))
            if best - got > seq:
                seq, where["seq"] = best - got, {"node": i, "revenue": got, "best_posted_price_revenue": best}
    checks.add("feasibility", feas, where["feasibility"])
    checks.add("bayes_consistency", bayes, where["bayes"])
    checks.add("participation", ir, where["ir"])
    checks.add("truth_telling", ic, where["ic"])
    if sequential:
        checks.add("sequential_rationality", seq, where["seq"])
    return checks.certificate()


def _utility(sale: DynamicSale, nodes: list[Node], util: list[np.ndarray], i: int, k: int, r: int) -> float:
    n = nodes[i]
    later = sum(p * util[c][k] for c, p in n.next[r].items())
    return float(sale.values[k] * n.trade[r] - n.payment[r] + sale.discount * later)


def path_prices(sale: DynamicSale, nodes: list[Node]) -> list[float | None] | None:
    """The posted-price path when the plan is one: every node's mechanism charges one price to
    every type that trades, and no trade leads to a single next node (the seller learns only
    whether the buyer bought). None otherwise (or for a rental plan that branches)."""
    prices: list[float | None] = []
    i = 0
    while True:
        n = nodes[i]
        support = np.flatnonzero(n.belief > 0)
        traders = [k for k in support if n.trade[k] > 1e-9]
        price = n.price
        if price is None and traders:
            each = {round(float(n.payment[k] / n.trade[k]), 9) for k in traders}
            if len(each) != 1:
                return None
            price = each.pop()
            for k in support:
                if k not in traders and abs(n.payment[k]) > 1e-9:
                    return None
        prices.append(None if price is None else float(price))
        if not n.children:
            return prices
        if len(n.children) != 1:
            return None
        i = n.children[0]
