r"""Information design on a given extensive form: the designer's plan and its independent check.

The game is a :class:`~amd.game_tree.GameTree`: nature draws θ, then players move at
information sets. A *designer* (the mediator of Forges 1986 and Myerson 1986, who here also
sees the state: Makris & Renou, "Information design in multistage games", TE 2023) observes
the state and all past play, including every deviation, and at each decision node privately
recommends an action to the player who moves there. What a player knows at a move is his
information set, the recommendations he has received and his own actions: his *information
state* (I, record, r).

**The plan.** The designer's behaviour is a realization plan w over *designer histories*
(chance outcomes, and at each decision the pair recommended r / played a): w(h, r) is the
probability that the designer's recommendations along h and then r at h are the ones made,
times nature's probabilities. It is linear: Σ_r w(h, r) = w(parent edge) (von Stengel 1996's
sequence form for the designer). On path every player obeys (a = r).

**Obedience at every information state against any continuation plan.** For player k and an
information state s, with others obeying: c(s, a) = Σ u_k(z) w(z) over leaves z reached after
playing a at s before k moves again; O(s) = c(s, r_s) + Σ_{s' after (s, r_s)} O(s') is the value
of obeying from s on, and the best any continuation plan can do is the least v with
v(s) ≥ c(s, a) + Σ_{s' after (s, a)} v(s') for every action a (the dual of the sequence-form
best response; von Stengel & Forges 2008, Farina et al. 2019). The rows O(s) ≥ v(s), at every
information state (those after the player's own past deviations included), make obeying a best
reply at every one of them: sequential rationality of the recommendations, with beliefs from
w. All masses are unnormalized, so an information state that is never reached constrains
nothing — hence the credible version below.

**Credibility** (``credible``, the default): after player i deviates (told r at information
set I, plays a), the designer continues with a plan it chooses; the later movers must be
willing to follow it. Each deviation event e = (i, I, r, a) splits, at the designer's first
recommendation after it, into

* a *hidden* continuation η_e: recommendations that look like the path to everyone else —
  it sends mass only to information states (I_j, r') the path reaches with positive
  probability, however small, so j, who cannot tell, holds on-path beliefs (deviations being
  infinitely less likely than the path, as in any consistent assessment) and obeys by the
  on-path rows. Which states some plan reaches is a greatest fixed point (one support LP per
  round, :func:`amd.models.extensive.build`); an optimum whose hidden continuation goes where
  its own path does not is a supremum, reached by mixing in ε of a *witness* plan that goes
  on path everywhere it may (``attained: false``); and
* a *revealed* continuation ρ_e: later movers' obedience is imposed under the beliefs
  conditional on e and on the designer continuing with ρ_e — nature's draws and the designer's
  own randomization (this split included) weighed by the plan, the nodes of I alike: the belief
  every consistent assessment assigns to a deviation of i at I (a tremble at an information
  set is common to its nodes). Imposed for each event separately, obedience holds under every
  mixture of events (the best reply to a mixture is worth at most the mixture of best replies),
  hence whatever the relative likelihood of deviations, and whatever a mover who cannot tell
  ρ_e from the path believes.

The deviator's own continuation is chosen freely (any plan; its value pools η_e and ρ_e, which
he cannot tell apart). Without credibility (``credible: false``) later movers follow any
post-deviation recommendation: the designer can threaten anything (a communication equilibrium
with observed actions).

What is not captured: the hidden/revealed choice is made at the first recommendation after the
deviation (not later); after a deviation, only one further player's deviations are examined
(a second deviator's punishers are not re-examined); a revealed continuation is obeyed under
the belief conditional on its own deviation event (not pooled with other events, whose
relative likelihood a consistent assessment may rank). So the credible value is implementable
but may fall short of the best credible plan: :mod:`amd.concepts.extensive` reports it
``optimal`` when the tree leaves them nothing to bind (:func:`restrictions_cannot_bind`) or the
relaxation of :func:`unjustified_threats` meets it, and ``bounded`` otherwise.

The tree is a *given* extensive form. Doval & Ely's designer, who also chooses the order of
moves and what each player sees (``solution: sequential``), is the tree whose root is a
designer node picking a hidden order; on such trees the two routes' answers meet (tested on
random games). With the order fixed and known they differ by design: the prisoner's dilemma at
g = 2.9 cooperates with probability 1 under ``sequential`` and 0 here, the second mover knowing
that no punishment follows his move.
Every Bayes correlated equilibrium of a simultaneous-move game written as a tree is feasible:
replay its recommendations, hidden (tested).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from amd.certificate import DEFAULT_TOLERANCE, Certificate, Checks, magnitude
from amd.errors import InstanceError
from amd.game_tree import CHANCE, CHOICE, LEAF, MOVE, GameTree
from amd.numeric import to_number

ON = ("on",)
#: beyond this many designer histories the LP takes minutes and memory grows past gigabytes
#: (measured: 12,727 histories, a 4-stage repeated dilemma, build + solve + verify 2.7 s)
MAX_DESIGNER_HISTORIES = 200_000


class TreeTooLarge(ValueError):
    """The tree's designer histories exceed :data:`MAX_DESIGNER_HISTORIES`."""


@dataclass(frozen=True)
class ExtensiveDesign:
    solution: str  # extensive
    sense: str  # maximize | minimize
    credible: bool = True


@dataclass
class InfoState:
    player: int
    context: tuple  # ("main",) or ("event", e)
    infoset: int
    record: tuple  # the player's earlier (recommended, played) pairs
    rec: int  # the recommendation now
    n_actions: int


@dataclass
class PlanLayout:
    """Designer histories, information states and the sparse pieces of every row.

    Columns 0..n_w-1 are the plan w (one per designer decision point and recommendation)."""

    tree: GameTree
    credible: bool
    events: list[tuple[int, int, int, int]] = field(default_factory=list)  # (player, infoset, r, a)
    points: list[tuple] = field(default_factory=list)  # (node, branch, label) per decision point
    point_cols: list[list[int]] = field(default_factory=list)
    n_w: int = 0
    # flow groups: Σ w[cols] = factor · w[parent] (parent −1: = factor), and where
    groups: list[tuple[list[int], int, float, str]] = field(default_factory=list)
    states: list[InfoState] = field(default_factory=list)
    state_index: dict = field(default_factory=dict)
    c: list[tuple[int, int, int, float]] = field(default_factory=list)  # (info state, action, col, coef)
    after: dict = field(default_factory=dict)  # (info state, action) -> set of next info states
    hidden: list[tuple[list[int], list[int]]] = field(default_factory=list)  # Σ η cols ≤ Σ on-path cols
    objective: dict = field(default_factory=dict)  # col -> coefficient
    outcome: list[tuple[int, int, int, float]] = field(default_factory=list)  # (state, leaf, col, factor)
    constant_outcome: list[tuple[int, int, float]] = field(default_factory=list)
    fresh: list[int] = field(default_factory=list)  # the first decision points after a deviation

    @property
    def n_states(self) -> int:
        return len(self.states)


def _context(k: int, branch: tuple, events, credible: bool):
    """Which obedience system player k's move on ``branch`` belongs to (None: not examined)."""
    if branch == ON:
        return ("main",)
    e, side, m = branch
    i = events[e][0]
    if k == i:
        return ("main",) if m in (-1, i) else None
    if credible and side == "rho" and m in (-1, k):
        return ("event", e)
    return None


def _member(branch: tuple, k: int, ctx: tuple, events) -> bool:
    """Does a leaf on ``branch`` count in player k's system ``ctx``?"""
    if branch == ON:
        return ctx == ("main",)
    e, side, m = branch
    i = events[e][0]
    if ctx == ("main",):
        return k == i and m in (-1, i)
    return ctx == ("event", e) and side == "rho" and m in (-1, k) and k != i


def _may_deviate(branch: tuple, k: int, events, credible: bool) -> bool:
    if branch == ON:
        return True
    e, side, m = branch
    i = events[e][0]
    if m == -1:
        return k == i or (credible and side == "rho")
    return k == m


def layout(tree: GameTree, credible: bool = True, profile: dict[int, int] | None = None) -> PlanLayout:
    """Enumerate the designer histories the formulation needs (module docstring). Advice the
    designer's information rules out (:func:`blind_columns` with ``profile``) keeps its column,
    held at 0, but nothing after it is laid out."""
    L = PlanLayout(tree, credible)
    profile = profile or {}
    event_index: dict[tuple, int] = {}
    onpath_cols: dict[tuple, list[int]] = {}
    hidden_cols: dict[tuple, list[int]] = {}
    n = tree.n_players

    def info_state(k, ctx, h, record, r, m) -> int:
        key = (k, ctx, h, record, r)
        if key not in L.state_index:
            L.state_index[key] = len(L.states)
            L.states.append(InfoState(k, ctx, h, record, r, m))
        return L.state_index[key]

    def label(node: int, trail: tuple) -> str:
        return f"{tree.states[tree.state[node]]}|" + ",".join(trail)

    def walk(node: int, parent: int, factor: float, branches: list[tuple], fresh: bool,
             last: tuple, records: tuple, trail: tuple):
        """``branches``: one branch, or the two (hidden, revealed) a fresh deviation splits into."""
        node_type = tree.node_type[node]
        if node_type == CHANCE:
            for lab, c, p in zip(tree.edges[node], tree.children[node], tree.prob[node]):
                if p > 0:  # the root's draw is the state, which every label starts with
                    walk(c, parent, factor * p, branches, fresh, last, records, trail + ((lab,) if node else ()))
            return
        if node_type == LEAF:
            branch = branches[-1]  # a deviation with no one left to move: hidden or revealed alike
            s, z = tree.state[node], tree.leaf[node]
            if branch == ON:
                if parent < 0:
                    L.constant_outcome.append((s, z, factor))
                else:
                    L.outcome.append((s, z, parent, factor))
                    L.objective[parent] = L.objective.get(parent, 0.0) + factor * tree.value[node]
            if parent >= 0:
                for k in range(n):
                    if last[k] is None:
                        continue
                    st, a = last[k]
                    if _member(branch, k, L.states[st].context, L.events):
                        L.c.append((st, a, parent, factor * tree.payoffs[node, k]))
            return
        group = len(L.groups)
        L.groups.append(([], parent, factor, label(node, trail)))
        acts = tree.edges[node]
        k = tree.mover[node]
        for branch in branches:
            cols = list(range(L.n_w, L.n_w + len(acts)))
            L.n_w += len(acts)
            if len(L.points) == MAX_DESIGNER_HISTORIES:
                raise TreeTooLarge(f"the tree has more than {MAX_DESIGNER_HISTORIES:,} designer histories (state, "
                                   "recommendations and play, deviations included): too large for one LP; "
                                   "merge information sets or shorten the game")
            if fresh:
                L.fresh.append(len(L.points))
            L.points.append((node, branch, label(node, trail)))
            L.point_cols.append(cols)
            L.groups[group][0].extend(cols)
            if node_type == CHOICE:
                for r, child in enumerate(tree.children[node]):
                    walk(child, cols[r], 1.0, [branch], False, last, records, trail + (acts[r],))
                continue
            h = tree.infoset[node]
            ctx = _context(k, branch, L.events, L.credible)
            advice = fixed_advice(tree, node, profile)
            for r in range(len(acts)):
                if advice >= 0 and r != advice:
                    continue
                st = info_state(k, ctx, h, records[k], r, len(acts)) if ctx is not None else None
                if st is not None and last[k] is not None and L.states[last[k][0]].context == ctx:
                    L.after.setdefault(last[k], set()).add(st)
                key = (k, h, records[k], r)
                if branch == ON:
                    onpath_cols.setdefault(key, []).append(cols[r])
                elif branch[1] == "eta" and branch[2] == -1 and k != L.events[branch[0]][0]:
                    hidden_cols.setdefault((branch[0],) + key, []).append(cols[r])
                for a, child in enumerate(tree.children[node]):
                    if a != r and not _may_deviate(branch, k, L.events, L.credible):
                        continue
                    nlast = last[:k] + ((st, a) if st is not None else None,) + last[k + 1:]
                    nrec = records[:k] + (records[k] + ((r, a),),) + records[k + 1:]
                    step = trail + (acts[a] if a == r else f"{acts[r]}→{acts[a]}",)
                    if a == r:
                        walk(child, cols[r], 1.0, [branch], False, nlast, nrec, step)
                    elif branch == ON:
                        ev = (k, h, r, a)
                        if ev not in event_index:
                            event_index[ev] = len(L.events)
                            L.events.append(ev)
                        e = event_index[ev]
                        split = [(e, "eta", -1), (e, "rho", -1)] if L.credible else [(e, "rho", -1)]
                        walk(child, cols[r], 1.0, split, True, nlast, nrec, step)
                    else:
                        walk(child, cols[r], 1.0, [(branch[0], branch[1], k)], False, nlast, nrec, step)

    walk(0, -1, 1.0, [ON], False, (None,) * n, ((),) * n, ())
    for key, cols in hidden_cols.items():
        L.hidden.append((cols, onpath_cols.get(key[1:], [])))
    return L


def restrictions_cannot_bind(L: PlanLayout) -> bool:
    """Is the credible form exact here? Its three restrictions (module docstring) concern play
    after a deviation: none binds when every decision after a deviation is a *last move* (no
    decision below it: one recommendation, the first and only, and no further deviator whose
    punishers go unexamined), and when no later mover's information (set, own record,
    recommendation) is reached by two deviation events — then the belief conditional on its
    one event is the belief every consistent assessment holds there (or, where the path goes
    too, the hidden continuation's on-path belief). Roesler–Szentes trees (:mod:`amd.game_tree`,
    ``designer_sees``, laid out for one choice of the unseen mover) are of this kind: one
    unadvised price, then the buyer."""
    t = L.tree
    last: dict[int, bool] = {}

    def settles(v: int) -> bool:  # no decision strictly below v
        if v not in last:
            last[v] = all(t.node_type[c] != MOVE and settles(c) for c in t.children[v])
        return last[v]

    for node, branch, _ in L.points:
        if branch != ON and t.node_type[node] == MOVE and not settles(node):
            return False
    by_information: dict[tuple, tuple] = {}
    for k, context, h, record, r in L.state_index:
        if context != ("main",) and by_information.setdefault((k, h, record, r), context) != context:
            return False
    return True


def branch_label(L: PlanLayout, branch: tuple) -> str:
    if branch == ON:
        return "on path"
    e, side, m = branch
    i, h, r, a = L.events[e]
    t = L.tree
    acts = t.edges[t.infoset_nodes[h][0]]
    what = f"after {t.players[i]} told {acts[r]} played {acts[a]} at {t.infosets[h]}"
    if m != -1:
        what += f", then {t.players[m]} deviated"
    return f"{'hidden' if side == 'eta' else 'revealed'} {what}"


def outcome(L: PlanLayout, w: np.ndarray) -> np.ndarray:
    """The on-path distribution of (state, leaf)."""
    pi = np.zeros(L.tree.shape)
    for s, z, col, f in L.outcome:
        pi[s, z] += f * w[col]
    for s, z, f in L.constant_outcome:
        pi[s, z] += f
    return pi


def player_payoffs(tree: GameTree, pi: np.ndarray) -> dict[str, float]:
    """Σ_{θ, z} π(θ, z) u_i(θ, z) per player."""
    u = np.zeros((len(tree.players),) + tuple(tree.shape))
    for v, z in enumerate(tree.leaf):
        if z >= 0:
            u[:, tree.state[v], z] = tree.payoffs[v]
    return {p: float((pi * u[i]).sum()) + 0.0 for i, p in enumerate(tree.players)}


def designer_value(tree: GameTree, pi: np.ndarray) -> float:
    """Σ_{θ, z} π(θ, z) d(θ, z)."""
    d = np.zeros(tree.shape)
    for v, z in enumerate(tree.leaf):
        if z >= 0:
            d[tree.state[v], z] = tree.value[v]
    return float((pi * d).sum())


def information_state_label(L: PlanLayout, s: int) -> dict:
    st = L.states[s]
    t = L.tree
    acts = t.edges[t.infoset_nodes[st.infoset][0]]
    where = "on path or after own deviations" if st.context == ("main",) else branch_label(L, (st.context[1], "rho", -1))
    past = ", ".join(f"told {r} played {a}" for r, a in st.record) if st.record else "none"
    return {"player": t.players[st.player], "information_set": t.infosets[st.infoset],
            "recommended": acts[st.rec], "own_past_moves": past, "beliefs": where}


#: an information state counts as reached on path above this mass (HiGHS's tolerances are 1e-7)
REACHED = 1e-7


def reaches(L: PlanLayout, w: np.ndarray) -> np.ndarray:
    """Per hidden group of ``L.hidden``: does the plan w reach its information state on path?"""
    return np.array([float(w[on].sum()) > REACHED for _, on in L.hidden], bool)


def unadvised_profiles(tree: GameTree, limit: int) -> list[dict[int, int]]:
    """Every pure choice of the movers the designer neither sees nor advises: one action per
    :attr:`GameTree.unadvised` information set. Enumerating them is exact: a mixed choice is a
    best reply only if each action in its support is, and the designer's value under it is the
    mixture of the values under those actions. More than ``limit`` (one program each): refused."""
    sets = tree.unadvised
    sizes = [len(tree.edges[tree.infoset_nodes[h][0]]) for h in sets]
    if math.prod(sizes) > limit:
        raise TreeTooLarge(f"the movers the designer does not see have {math.prod(sizes):,} pure choices, more "
                           f"than {limit}: one program each")
    return [dict(zip(sets, combo)) for combo in itertools.product(*[range(m) for m in sizes])]


def fixed_advice(tree: GameTree, node: int, profile: dict[int, int]) -> int:
    """The one action the designer may recommend at ``node`` — fixed by an earlier contingent
    message, or the unadvised mover's own choice in ``profile`` — else -1 (any)."""
    return tree.forced[node] if tree.forced[node] >= 0 else profile.get(tree.infoset[node], -1)


def blind_columns(L: PlanLayout, profile: dict[int, int]) -> list[int]:
    """The plan's columns that must stay 0 when the designer does not see some moves: advice
    other than what the earlier contingent message fixes (:attr:`GameTree.forced`), and at an
    unadvised information set any "recommendation" but the mover's own choice in ``profile``
    (so that it tells him nothing)."""
    t = L.tree
    out = []
    for (node, _, _), cols in zip(L.points, L.point_cols):
        keep = fixed_advice(t, node, profile)
        if keep >= 0:
            out += [c for a, c in enumerate(cols) if a != keep]
    return out


def verify_plan(L: PlanLayout, w: np.ndarray, tolerance: float = DEFAULT_TOLERANCE,
                reach: np.ndarray | None = None, prefix: str = "", blind: list[int] = ()) -> Certificate:
    """Check a plan w on layout L directly: non-negative, flows, hidden continuations, and
    obedience at every information state by backward induction over the player's continuation
    plans. A hidden continuation is checked against the on-path mass (capped, the restricted
    form) or, given ``reach`` (a plan), only where ``reach`` never goes on path: a later mover
    holds on-path beliefs wherever the path goes with any positive probability. ``blind``
    (:func:`blind_columns`): columns the designer's information rules out."""
    t = L.tree
    checks = Checks(tolerance, magnitude(t.payoffs))
    checks.add(prefix + "nonnegative", -float(w.min(initial=0.0)))
    if len(blind):
        checks.add(prefix + "designer_information", float(np.abs(w[list(blind)]).max()))
    worst_flow, where = 0.0, None
    for cols, parent, factor, at in L.groups:
        gap = abs(float(w[cols].sum()) - factor * (float(w[parent]) if parent >= 0 else 1.0))
        if gap > worst_flow:
            worst_flow, where = gap, {"designer_history": at}
    checks.add(prefix + "probability_flow", worst_flow, where if worst_flow > checks.tolerance else None)
    over = 0.0
    reached = None if reach is None else reaches(L, reach)
    for j, (eta, on) in enumerate(L.hidden):
        if reached is None:
            over = max(over, float(w[eta].sum() - w[on].sum()))
        elif not reached[j]:
            over = max(over, float(w[eta].sum()))
    checks.add(prefix + "hidden_continuation", over)
    c = np.zeros((L.n_states, max((s.n_actions for s in L.states), default=1)))
    for s, a, col, coef in L.c:
        c[s, a] += coef * w[col]
    best: dict[int, float] = {}
    obey: dict[int, float] = {}

    def value(s: int, memo: dict, plan) -> float:
        if s not in memo:
            st = L.states[s]
            acts = [st.rec] if plan == "obey" else range(st.n_actions)
            memo[s] = max(c[s, a] + sum(value(x, memo, plan) for x in L.after.get((s, a), ())) for a in acts)
        return memo[s]

    worst, at = 0.0, None
    for s in range(L.n_states):
        gain = float(value(s, best, "best") - value(s, obey, "obey"))
        if gain > worst:
            worst, at = gain, s
    checks.add(prefix + "obedience", worst,
               information_state_label(L, at) | {"gain": worst} if at is not None else None)
    return checks.certificate()



def admissible_moves(tree: GameTree) -> list[np.ndarray]:
    """Per information set, the actions a best reply to *some* belief over its nodes and *some*
    play after it: a is kept when for a belief β, Σ_ν β_ν max_{z after (ν, a)} u_k(z) ≥
    Σ_ν β_ν min_{z after (ν, a'')} u_k(z) for every a'' (:func:`amd.punishment.justified`).
    Sequential rationality, under any notion, recommends nothing else off path."""
    from amd.punishment import justified

    hi, lo = {}, {}

    def extremes(v: int, k: int) -> tuple[float, float]:
        if (v, k) not in hi:
            if tree.node_type[v] == LEAF:
                hi[v, k] = lo[v, k] = float(tree.payoffs[v, k])
            else:
                pairs = [extremes(c, k) for c in tree.children[v]]
                hi[v, k], lo[v, k] = max(p[0] for p in pairs), min(p[1] for p in pairs)
        return hi[v, k], lo[v, k]

    out = []
    scale = float(np.abs(tree.payoffs).max(initial=0.0))
    for nodes in tree.infoset_nodes:
        k = tree.mover[nodes[0]]
        pairs = np.array([[extremes(c, k) for c in tree.children[v]] for v in nodes])  # (ν, a, hi|lo)
        out.append(np.array([justified(pairs[:, :, 0], pairs[:, :, 1], a, scale) for a in range(pairs.shape[1])]))
    return out


def unjustified_threats(L: PlanLayout) -> list[int]:
    """The columns of a plan without credibility (``credible: false``) that recommend, after
    someone else's deviation, an action no belief justifies (:func:`admissible_moves`): fixing
    them at 0 keeps every credible plan, so that program bounds the credible value."""
    t = L.tree
    keep = admissible_moves(t)
    out = []
    for (node, branch, _), cols in zip(L.points, L.point_cols):
        if branch != ON and t.infoset[node] >= 0 and t.mover[node] != L.events[branch[0]][0]:
            out += [c for c, ok in zip(cols, keep[t.infoset[node]]) if not ok]
    return out


def punishment_mass(L: PlanLayout, w: np.ndarray) -> dict[str, float]:
    """Probability mass (unnormalized, summed over deviations) of hidden and revealed continuations."""
    out = {"hidden": 0.0, "revealed": 0.0}
    for p in L.fresh:
        out["hidden" if L.points[p][1][1] == "eta" else "revealed"] += float(w[L.point_cols[p]].sum())
    return out


def _key(L: PlanLayout, p: int) -> str:
    _node, branch, where = L.points[p]
    which = "path" if branch == ON else "hidden" if branch[1] == "eta" else "revealed"
    return f"{which}: {where}"


def plan_to_dict(L: PlanLayout, w: np.ndarray) -> dict[str, dict[str, float]]:
    """The plan as {"path|hidden|revealed: state|history": {action: mass}} — the history lists the
    edges taken, a deviation written told→played."""
    t = L.tree
    return {_key(L, p): {a: float(w[c]) + 0.0 for a, c in zip(t.edges[L.points[p][0]], cols)}
            for p, cols in enumerate(L.point_cols)}


def plan_from_dict(L: PlanLayout, raw, file: str, key: str = "details.plan") -> np.ndarray:
    """Read a plan written by :func:`plan_to_dict` back onto the layout."""
    if not isinstance(raw, dict):
        raise InstanceError(file, key, "required: the plan of a 'solution: extensive' result")
    w = np.zeros(L.n_w)
    for p, cols in enumerate(L.point_cols):
        k = _key(L, p)
        got = raw.get(k)
        acts = L.tree.edges[L.points[p][0]]
        if not isinstance(got, dict) or set(got) != set(acts):
            raise InstanceError(file, f"{key}.{k}", f"expected the masses of {', '.join(acts)} "
                                "(was the result written for this instance?)")
        for a, c in zip(acts, cols):
            try:
                w[c] = to_number(got[a])
            except ValueError as e:
                raise InstanceError(file, f"{key}.{k}.{a}", str(e)) from None
    extra = set(raw) - {_key(L, p) for p in range(len(L.points))}
    if extra:
        raise InstanceError(file, f"{key}.{min(extra)}", "no such designer history in this game")
    return w
