"""Selling over time with limited commitment (``kind: dynamic``, SPEC §1.3; Doval & Skreta 2022).

:mod:`amd.limited_commitment` states the model, the equilibrium and the tie rule; each period
is one LP of :mod:`amd.models.dynamic`. One and two periods are solved exactly, for any number
of types; three or more periods return a certified interval (``bounded``) unless its ends
meet; full commitment is the benchmark every result reports as ``commitment_objective``. The
plan — a tree of period mechanisms — is checked node by node with numpy
(:func:`amd.limited_commitment.verify_plan`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from rich.markup import escape
from rich.table import Table

from amd import limited_commitment as lc
from amd.concepts.base import Concept, count, run_lp
from amd.errors import InstanceError
from amd.limited_commitment import DynamicSale, Node, Stage
from amd.models import dynamic as stage_model
from amd.report import number
from amd.result import Details, Result, checked, no_gc, timed
from amd.solver import SolverOptions

#: the last period's value and the limited-commitment value agree with HiGHS to this (relative)
MEET = 1e-9


@dataclass(frozen=True)
class DynamicDetails(Details):
    #: the same instance under full commitment (SPEC §1.3)
    commitment_objective: float | None = None
    #: the tree of period mechanisms (per node: period, belief, probability, per type the trade
    #: probability, the expected payment and the distribution over next nodes)
    plan: list[dict] | None = None
    #: the price path when the plan is a sequence of posted prices, else null
    posted_prices: list | None = None
    #: [lower, upper] when the value is not proven exactly (status ``bounded``)
    bounds: list[float] | None = None
    #: which equilibrium the value refers to, in words
    equilibrium: str | None = None


EQUILIBRIUM = {
    "limited": "seller-optimal perfect Bayesian equilibrium with a seller-optimal continuation at every belief "
               "(ties the seller's way); direct Blackwell mechanisms (Doval & Skreta 2022)",
    "full": "full commitment to the whole horizon (revelation principle)",
}


@dataclass
class StageSolution:
    status: str
    value: float | None
    q: np.ndarray | None = None
    x: np.ndarray | None = None
    beta: np.ndarray | None = None
    message: str = ""
    program: object = None


def solve_stage(st: Stage, options: SolverOptions, timing: dict) -> StageSolution:
    with timed(timing, "build_s"), no_gc():
        form = stage_model.build(st)
    program, out = run_lp(form, options, timing)
    if out.values is None:
        return StageSolution(out.status, None, message=out.message, program=program)
    q, x, beta = form.layout.split(out.values)
    return StageSolution(out.status, out.objective, q, x, beta, out.message, program)


class Planner:
    """Turns stage solutions into the plan's nodes; solves (and caches) the two-period problem
    at the beliefs a T = 3 lower bound sends mass to."""

    def __init__(self, sale: DynamicSale, options: SolverOptions, timing: dict):
        self.sale, self.options, self.timing = sale, options, timing
        self.cache: dict[tuple, tuple[Stage, StageSolution]] = {}

    def two_period(self, belief: np.ndarray) -> tuple[Stage, StageSolution]:
        key = tuple(np.round(belief, 12))
        if key not in self.cache:
            st = lc.stage(self.sale, belief, 2)
            self.cache[key] = (st, solve_stage(st, self.options, self.timing))
        return self.cache[key]

    def expand(self, st: Stage, sol: StageSolution, period: int, belief: np.ndarray, probability: float,
               nodes: list[Node], after: bool | None = None) -> int:
        """Add the node of ``sol`` (and below it, its continuations) to ``nodes``; its index."""
        sale, K = self.sale, self.sale.n_types
        trade, pay = np.zeros(K), np.zeros(K)
        trade[st.support] = np.clip(sol.q, 0.0, None)
        pay[st.support] = sol.x + sale.cost * sol.q
        nxt: list[dict[int, float]] = [{} for _ in range(K)]
        me = len(nodes)
        nodes.append(Node(period, belief, probability, trade, pay, nxt, after_trade=after))
        for g, grp in enumerate(st.groups):
            b = np.clip(sol.beta[:, g], 0.0, None)
            b[b < 1e-11] = 0.0
            flow = np.zeros(K)
            flow[st.support] = belief[st.support] * b
            if flow.sum() <= 1e-11:
                continue
            child_belief = flow / flow.sum()
            child_prob = probability * float(flow.sum())
            child = self.continuation(grp, period + 1, child_belief, child_prob, nodes,
                                      grp.after_trade if sale.good == "rental" else None)
            nodes[me].children.append(child)
            for i, k in enumerate(st.support):
                if b[i] > 0:
                    nxt[k][child] = float(b[i])
        return me

    def continuation(self, grp, period: int, belief: np.ndarray, probability: float, nodes: list[Node],
                     after: bool | None) -> int:
        what = grp.plan[0]
        if what in ("price", "none"):
            node = lc.posted_price_node(self.sale, period, belief, probability,
                                        grp.plan[1] if what == "price" else None)
            node.after_trade = after
            nodes.append(node)
            return len(nodes) - 1
        if what == "reveal":
            return self.posted_forever(grp.plan[1], period, belief, probability, nodes, after)
        st, sol = self.two_period(grp.plan[1])
        return self.expand(st, sol, period, belief, probability, nodes, after)

    def posted_forever(self, j: int, period: int, belief: np.ndarray, probability: float, nodes: list[Node],
                       after: bool | None) -> int:
        """At a point mass on type j: post θ_j now (rental: every remaining period)."""
        sale = self.sale
        price = j if sale.net[j] > 0 else None
        node = lc.posted_price_node(sale, period, belief, probability, price)
        node.after_trade = after
        nodes.append(node)
        me = len(nodes) - 1
        if sale.good == "rental" and period < sale.periods:
            buys = price is not None
            child = self.posted_forever(j, period + 1, belief, probability, nodes, buys)
            nodes[me].children.append(child)
            nodes[me].next[j] = {child: 1.0}
        return me


def commitment_plan(sale: DynamicSale, st: Stage, sol: StageSolution) -> list[Node]:
    """The full-commitment optimum as a plan: durable, a period-1 sale with probability Q_k;
    rental, the same per-period mechanism Q_k/Q̄ every period (a tree over what trade reveals)."""
    K = sale.n_types
    top = st.trade_max
    q = np.zeros(K)
    q[st.support] = np.clip(sol.q, 0.0, None) / top
    x = np.zeros(K)
    x[st.support] = sol.x / top + sale.cost * q[st.support]
    nodes: list[Node] = []

    def add(period: int, belief: np.ndarray, prob: float, after: bool | None) -> int:
        me = len(nodes)
        nodes.append(Node(period, belief, prob, q.copy(), x.copy(), [{} for _ in range(K)], after_trade=after))
        if sale.good == "rental" and period < sale.periods:
            for branch, w in ((True, q), (False, 1.0 - q)):
                flow = belief * w
                if flow.sum() > 1e-12:
                    c = add(period + 1, flow / flow.sum(), prob * float(flow.sum()), branch)
                    nodes[me].children.append(c)
                    for k in np.flatnonzero(flow > 0):
                        nodes[me].next[k][c] = float(w[k])
        return me

    add(1, sale.prior.copy(), 1.0, None)
    return nodes


def plan_to_json(sale: DynamicSale, nodes: list[Node]) -> list[dict]:
    return [n.to_dict(i, sale) for i, n in enumerate(nodes)]


def plan_from_json(sale: DynamicSale, raw, file: str) -> list[Node]:
    """Read a written plan back (``amd verify``); errors name the key."""
    if not isinstance(raw, list) or not raw:
        raise InstanceError(file, "plan", "expected the list of nodes written by 'amd solve' (kind: dynamic)")
    index = {t: k for k, t in enumerate(sale.types)}
    nodes = []
    for i, d in enumerate(raw):
        where = f"plan[{i}]"
        try:
            if d["id"] != i:
                raise InstanceError(file, f"{where}.id", f"expected {i} (nodes in order)")
            belief = np.array([float(v) for v in d["belief"]])
            if belief.shape != (sale.n_types,):
                raise InstanceError(file, f"{where}.belief", f"expected {sale.n_types} probabilities")
            K = sale.n_types
            trade, pay, nxt = np.zeros(K), np.zeros(K), [{} for _ in range(K)]
            for t, m in d["mechanism"].items():
                if t not in index:
                    raise InstanceError(file, f"{where}.mechanism.{t}", "unknown type")
                k = index[t]
                trade[k], pay[k] = float(m["trade"]), float(m["payment"])
                nxt[k] = {int(c): float(p) for c, p in m["next"].items()}
            after = {"trade": True, "no trade": False, None: None}[d.get("after")]
            price = d.get("price")
            nodes.append(Node(int(d["period"]), belief, float(d["probability"]), trade, pay, nxt, after,
                              None if price is None else float(price)))
        except InstanceError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise InstanceError(file, where, f"malformed node ({type(e).__name__}: {e})") from None
    for i, n in enumerate(nodes):
        kids = sorted({c for m in n.next for c in m})
        if any(not (i < c < len(nodes)) for c in kids):
            raise InstanceError(file, f"plan[{i}]", "a next node must come later in the list")
        n.children = kids
    return nodes


def lower_plan(sale: DynamicSale, options: SolverOptions, timing: dict) -> tuple[float, list[Node], object]:
    """A plan for ``sale`` and its value, a lower bound on the limited-commitment value (exact
    for T ≤ 2). For T ≥ 3 the better of

    * one period-1 LP whose posteriors are point masses (where the seller-optimal continuation is
      known) or, for T = 3, points of a grid of beliefs where the two-period continuation is solved
      exactly (ties: HiGHS's optimal plan there) — each continuation seller-optimal;
    * pooling in period 1 (no information: durable, no trade; rental, everyone trades at the lowest
      value) and then the plan for T − 1 periods at the prior. The true continuation at the prior
      is at least as good for the seller, and pooling cannot upset truth-telling, so
      V_T(μ) ≥ now + δ·(this plan's value for T − 1).

    Full revelation alone can be infeasible (renting over a long horizon, the ratchet effect:
    the high type's future rent exceeds what one period can pay), so pooling keeps a plan."""
    planner = Planner(sale, options, timing)
    if sale.periods <= 2:
        st = lc.stage(sale, sale.prior, sale.periods)
        sol = solve_stage(st, options, timing)
        if sol.value is None:
            raise RuntimeError(f"the {sale.periods}-period LP has no solution ({sol.status}: {sol.message})")
        nodes: list[Node] = []
        planner.expand(st, sol, 1, sale.prior.copy(), 1.0, nodes)
        return float(sol.value), nodes, sol.program
    support = np.flatnonzero(sale.prior > 0)
    after = (True, False) if sale.good == "rental" else (False,)
    groups = lc.reveal_groups(sale, support, sale.periods - 1, after)
    if sale.periods == 3 and len(support) in lc.GRID:
        with timed(timing, "grid_s"):
            for b in lc.simplex_grid(len(support), lc.GRID[len(support)]):
                if np.count_nonzero(b) < 2:
                    continue  # point masses are the reveal groups
                belief = np.zeros(sale.n_types)
                belief[support] = b
                st2, sol2 = planner.two_period(belief)
                if sol2.value is None:
                    continue
                nodes2: list[Node] = []
                planner.expand(st2, sol2, 2, belief, 1.0, nodes2)
                u = lc.continuation_utility(sale, nodes2, 0)[support]
                for branch in after:
                    groups.append(lc.belief_group(support, b, sol2.value, u, branch, belief))
    best: tuple[float, list[Node], object] | None = None
    st = Stage(sale, support, sale.prior[support], groups, sale.discount)
    sol = solve_stage(st, options, timing)
    if sol.value is not None:
        nodes = []
        planner.expand(st, sol, 1, sale.prior.copy(), 1.0, nodes)
        best = (float(sol.value), nodes, sol.program)
    shorter = dataclasses.replace(sale, periods=sale.periods - 1)
    later_value, later_nodes, program = lower_plan(shorter, options, timing)
    pooled = pool_then(sale, later_nodes)
    value = lc.seller_value(sale, pooled)
    if best is None or value > best[0] + 1e-12:
        best = (value, pooled, program)
    return best


def pool_then(sale: DynamicSale, later: list[Node]) -> list[Node]:
    """Period 1 reveals nothing (durable: no trade; rental: everyone trades at the lowest value,
    if it is above cost), then ``later`` (a plan for one period fewer) from period 2 on."""
    K = sale.n_types
    support = np.flatnonzero(sale.prior > 0)
    low = support[0]
    trade = np.zeros(K)
    if sale.good == "rental" and sale.net[low] > 0:
        trade[support] = 1.0
    pay = trade * sale.values[low]
    root = Node(1, sale.prior.copy(), 1.0, trade, pay, [{} for _ in range(K)])
    shifted = []
    for n in later:
        shifted.append(dataclasses.replace(n, period=n.period + 1, next=[{c + 1: p for c, p in m.items()} for m in n.next],
                                           children=[c + 1 for c in n.children]))
    if sale.good == "rental":
        shifted[0].after_trade = bool(trade[low] > 0)
    root.children = [1]
    for k in support:
        root.next[k] = {1: 1.0}
    return [root] + shifted


class Dynamic(Concept):
    name = "dynamic"
    value_label = "seller's value"

    def solve(self, inst, options, tolerance, choices):
        sale, design = inst.environment, inst.design
        timing: dict[str, float] = {}
        full_st = lc.commitment_stage(sale, sale.prior)
        full = solve_stage(full_st, options, timing)
        if full.value is None:
            return self._fail(inst, full, timing)
        if design.commitment == "full":
            nodes = commitment_plan(sale, full_st, full)
            return self._finish(inst, nodes, full.value, full.value, full.status, full.message, timing, tolerance,
                                sequential=False, program=full.program)
        planner = Planner(sale, options, timing)
        if sale.periods <= 2:
            st = lc.stage(sale, sale.prior, sale.periods)
            sol = solve_stage(st, options, timing)
            if sol.value is None:
                return self._fail(inst, sol, timing)
            nodes: list[Node] = []
            planner.expand(st, sol, 1, sale.prior.copy(), 1.0, nodes)
            return self._finish(inst, nodes, sol.value, full.value, sol.status, sol.message, timing, tolerance,
                                program=sol.program)
        return self._bounded(inst, planner, full, timing, tolerance, options)

    def _bounded(self, inst, planner: Planner, full: StageSolution, timing, tolerance, options) -> Result:
        """T ≥ 3: the best plan amd can write down (lower bound) and the relaxation (upper bound)."""
        sale = inst.environment
        upper_sol = solve_stage(lc.relaxed_stage(sale, sale.prior), options, timing)
        if upper_sol.value is None:
            return self._fail(inst, upper_sol, timing)
        upper = min(upper_sol.value, full.value)
        lower, nodes, program = lower_plan(sale, options, timing)
        scale = max(abs(upper), abs(lower), 1e-12)
        if upper - lower <= MEET * scale:
            return self._finish(inst, nodes, lower, full.value, "optimal", "the plan's value meets the relaxation",
                                timing, tolerance, program=program)
        message = (f"the value lies in [{lower:.10g}, {upper:.10g}]: below, the value of the plan shown (the "
                   f"seller's optimal continuations can only do better); above, a relaxation (the seller commits "
                   f"until the last period); {sale.periods} periods are not solved exactly")
        return self._finish(inst, nodes, lower, full.value, "bounded", message, timing, tolerance,
                            bounds=[lower, upper], program=program)

    def _fail(self, inst, sol: StageSolution, timing) -> Result:
        return Result(inst.name, sol.status, timing=timing, message=sol.message, kind="dynamic", program=sol.program)

    def _finish(self, inst, nodes, lp_value, commitment, status, message, timing, tolerance, *,
                sequential: bool = True, bounds=None, program=None) -> Result:
        sale, design = inst.environment, inst.design
        with timed(timing, "verify_s"):
            cert = lc.verify_plan(sale, nodes, tolerance, sequential=sequential)
            value = lc.seller_value(sale, nodes)
        status, message = checked(status, message, value, lp_value, cert, "seller's value recomputed from the plan",
                                  "the plan")
        details = DynamicDetails(
            commitment_objective=float(commitment), plan=plan_to_json(sale, nodes),
            posted_prices=lc.path_prices(sale, nodes) if sale.good == "durable" else None,
            bounds=bounds, equilibrium=EQUILIBRIUM[design.commitment])
        return Result(inst.name, status, value, None, cert, timing, None, message, kind="dynamic",
                      details=details, program=program)

    def check(self, inst, document, file):
        sale = inst.environment
        nodes = plan_from_json(sale, document.get("plan"), file)
        cert = lc.verify_plan(sale, nodes, sequential=inst.design.commitment == "limited")
        return lc.seller_value(sale, nodes), cert

    def report(self, result, inst, console, max_rows):
        plan = getattr(result.details, "plan", None)
        if not plan:
            return
        table = Table(title="plan: one row per node and reported type", title_justify="left")
        for col in ("node", "period", "belief", "P(reach)", "type", "trade", "payment", "next"):
            table.add_column(col, justify="right" if col in ("P(reach)", "trade", "payment") else "left")
        shown = 0
        for node in plan:
            belief = " ".join(f"{number(b)}" for b in node["belief"])
            period = str(node["period"])
            where = f"{node['id']}" + (f" ({node['after']})" if "after" in node else "")
            if node["price"] is not None:
                where += f" · price {number(node['price'])}"
            for t, m in node["mechanism"].items():
                if shown >= max_rows:
                    break
                nxt = ", ".join(f"{c}: {number(p)}" for c, p in m["next"].items()) or "—"
                table.add_row(escape(where), period, belief, number(node["probability"]), escape(t),
                              number(m["trade"]), number(m["payment"]), nxt)
                where, belief, period = "", "", ""
                shown += 1
        console.print(table)
        d = result.details
        line = f"  full commitment: {number(d.commitment_objective)}"
        if d.posted_prices is not None:
            line += "; posted prices " + " → ".join("none" if p is None else number(p) for p in d.posted_prices)
        if d.bounds is not None:
            line += f"; bounds [{number(d.bounds[0])}, {number(d.bounds[1])}]"
        console.print(line)

    def footnote(self, result):
        d = result.details
        return f"  {d.equilibrium}" if getattr(d, "equilibrium", None) else None

    def describe(self, inst):
        sale = inst.environment
        return f"1 buyer, {count(sale.n_types, 'type')}, {count(sale.periods, 'period')}"

    def problem(self, inst):
        sale = inst.environment
        return f"{sale.good} · {inst.design.commitment} commitment · δ {sale.discount:g}"

    def plottable(self, inst):
        sale = inst.environment
        if sale.n_types != 2 or sale.periods != 2 or sale.good != "durable":
            raise InstanceError(inst.file, "buyer.types", "the plot is drawn for two types, two periods, a durable good")

    def plot(self, inst, result, path, title):
        from amd.plot import plot_dynamic

        sale = inst.environment

        def value_at(mu: float) -> float:
            prior = np.array([1.0 - mu, mu])
            st = lc.stage(sale, prior, 2)
            sol = solve_stage(st, SolverOptions(), {})
            return float(sol.value) if sol.value is not None else float("nan")

        children = [n for n in result.details.plan if n["period"] == 2]
        return plot_dynamic(sale, value_at, [(n["belief"][1], n["probability"]) for n in children], path, title)


CONCEPT = Dynamic()

