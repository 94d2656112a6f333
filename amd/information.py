r"""Information design on a finite base game: the environment and the independent verifier.

A base game (Bergemann & Morris, "Bayes correlated equilibrium and the comparison of
information structures in games", Theoretical Economics 2016): states θ with prior μ0(θ),
players i with finite actions A_i, payoffs u_i(θ, a) and the designer's payoff d(θ, a). An
*outcome* is a joint distribution π(θ, a). It is a Bayes correlated equilibrium (BCE) iff

* consistency (Bayes plausibility): Σ_a π(θ, a) = μ0(θ) for every θ, and
* obedience: for every player i, recommended a_i and deviation a_i',
  Σ_θ Σ_{a_-i} π(θ, a_i, a_-i) [u_i(θ, a_i, a_-i) − u_i(θ, a_i', a_-i)] ≥ 0.

With one player this is Bayesian persuasion (Kamenica & Gentzkow, "Bayesian persuasion",
AER 2011): π(a | θ) is the signal, recommendations are the signal realizations, and obedience
is the receiver's best response to the posterior each one induces.

Three generalizations, all Bergemann & Morris (2016) or standard:

* **Players with types** — BCE(G, S) of Bergemann & Morris (2016, Def. 1): the base game comes
  with an information structure, each player i holding a type t_i drawn with θ from a joint
  prior p(θ, t). A *state* ω is then a pair (θ, t) of positive prior probability, payoffs depend
  on θ only, and obedience is conditional on the player's own type:
  Σ_{ω: t_i(ω) = τ} Σ_{a_-i} π(ω, r, a_-i) [u_i(θ, r, a_-i) − u_i(θ, d, a_-i)] ≥ 0 for every
  τ, r, d. With no types it is the BCE above; with types that reveal θ it is the set of Bayes
  correlated equilibria of the game of incomplete information (every BNE of every expansion).
* **A public signal** — the designer sends one recommendation profile that every player sees, so
  obedience holds given the whole profile: for every i, τ, profile a and d,
  Σ_{ω: t_i(ω) = τ} π(ω, a) [u_i(θ, a) − u_i(θ, d, a_-i)] ≥ 0 (public persuasion: the designer
  value is the concavification of the value of a common posterior, Kamenica–Gentzkow §V).
* **Partial audiences** — only the players in ``informed`` receive a signal; the others best
  respond to their type and the prior with a (possibly mixed) strategy σ_j(a_j | t_j), so
  π(ω, a) = p(ω) · π(a_I | ω) · Π_j σ_j(a_j | t_j(ω)). That set is not convex in π; see
  :mod:`amd.concepts.bce` for the bounds that are solved exactly.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from amd.certificate import DEFAULT_TOLERANCE, Certificate, Checks, magnitude


@dataclass(frozen=True, eq=False)
class InformationGame:
    """States, prior, players, actions and payoff arrays indexed [state][a_1]…[a_n]."""

    states: tuple[str, ...]
    prior: np.ndarray  # (S,)
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray  # (n, S, |A_1|, …, |A_n|)
    designer: np.ndarray  # (S, |A_1|, …, |A_n|)
    #: the players' own prior information: type names per player (None: nobody has a type)
    types: tuple[tuple[str, ...], ...] | None = None
    #: (n, S): each player's type index in each state ω = (θ, t)
    type_of: np.ndarray | None = None
    #: one public recommendation profile that every player sees
    public: bool = False
    #: per player, whether the designer sends it a signal (None: everyone)
    informed: tuple[bool, ...] | None = None

    @property
    def n_players(self) -> int:
        return len(self.players)

    def player_types(self, i: int) -> tuple[str, ...]:
        """Player i's type names (one anonymous type '-' when it has none)."""
        return self.types[i] if self.types is not None else ("-",)

    def type_index(self, i: int) -> np.ndarray:
        """(S,): player i's type in each state."""
        return self.type_of[i] if self.type_of is not None else np.zeros(len(self.states), np.int64)

    def type_groups(self, i: int) -> np.ndarray:
        """(T_i, S) 0/1: which states hold each of player i's types."""
        return (self.type_index(i)[None, :] == np.arange(len(self.player_types(i)))[:, None]).astype(float)

    @property
    def uninformed(self) -> tuple[int, ...]:
        """The players who receive no signal from the designer."""
        return () if self.informed is None else tuple(i for i, f in enumerate(self.informed) if not f)

    @property
    def shape(self) -> tuple[int, ...]:
        """(S, |A_1|, …, |A_n|): the layout of an outcome π."""
        return self.designer.shape


@dataclass(frozen=True)
class InformationDesign:
    solution: str  # bce | sequential
    sense: str  # maximize | minimize
    #: with ``sequential``: sequential | weak_pbe | nash (:mod:`amd.punishment`)
    equilibrium: str = "sequential"


def obedience_gains(game: InformationGame, pi: np.ndarray, i: int) -> np.ndarray:
    """G[τ, x, r, d]: what player i of type τ, recommended r, gains in total by playing d
    instead: Σ_{ω: t_i = τ} Σ_{a_-i ∈ x} π(ω, r, a_-i) [u_i(ω, d, a_-i) − u_i(ω, r, a_-i)].
    x is the one cell of all a_-i (private signals) or each a_-i (a public profile).
    Obedient iff G ≤ 0 everywhere."""
    ax = 1 + i
    k = game.shape[ax]
    S = game.shape[0]
    u = np.moveaxis(game.payoffs[i], ax, -1).reshape(S, -1, k)  # (ω, a_-i, a_i)
    p = np.moveaxis(pi, ax, -1).reshape(S, -1, k)
    M = game.type_groups(i)  # (τ, ω)
    if game.public:
        dev = np.einsum("ts,sxr,sxd->txrd", M, p, u)
        own = np.einsum("ts,sxr,sxr->txr", M, p, u)
    else:
        dev = np.einsum("ts,sxr,sxd->trd", M, p, u)[:, None]
        own = np.einsum("ts,sxr,sxr->tr", M, p, u)[:, None]
    return dev - own[..., None]


def worst_disobedience(game: InformationGame, gains: list[np.ndarray]) -> tuple[float, dict | None]:
    """The largest gain from disobeying, over players i and the (type, others' recommendation,
    recommended, deviation) cells of ``gains[i]`` (shaped as :func:`obedience_gains`, or just
    (recommended, deviation)); obeying — the diagonal — does not count. Says who gains it."""
    worst, where = 0.0, None
    for i, G in enumerate(gains):
        G = np.array(G, float)
        if G.ndim == 2:  # (recommended, deviation) only: no types, private signals
            G = G[None, None]
        k = G.shape[-1]
        G[..., np.arange(k), np.arange(k)] = 0.0
        t, x, r, d = np.unravel_index(int(np.argmax(G)), G.shape)
        if G[t, x, r, d] > worst:
            worst = float(G[t, x, r, d])
            where = {"player": game.players[i], "recommended": game.actions[i][r],
                     "deviation": game.actions[i][d], "gain": worst}
            if game.types is not None:
                where["type"] = game.player_types(i)[t]
            if game.public and G.shape[1] > 1:
                others = list(itertools.product(*(a for j, a in enumerate(game.actions) if j != i)))[x]
                where["others_recommended"] = ",".join(others)
    return worst, where


def product_violation(game: InformationGame, pi: np.ndarray) -> tuple[float, dict | None]:
    """How far π is from p(ω) · π(a_I | ω) · Π_j σ_j(a_j | t_j) for the uninformed players j:
    the largest |π − that product| (0 when every player is informed) and where."""
    if not game.uninformed:
        return 0.0, None
    S = game.shape[0]
    mu = game.prior.reshape((S,) + (1,) * game.n_players)
    target = pi.sum(axis=tuple(1 + j for j in game.uninformed), keepdims=True)  # p(ω) π(a_I | ω)
    for j in game.uninformed:
        ax = 1 + j
        own = np.moveaxis(pi, ax, -1).reshape(S, -1, game.shape[ax]).sum(axis=1)  # (ω, a_j)
        by_type = game.type_groups(j) @ own  # (τ, a_j)
        mass = by_type.sum(axis=1, keepdims=True)
        sigma = np.divide(by_type, mass, out=np.zeros_like(by_type), where=mass > 0)[game.type_index(j)]  # (ω, a_j)
        shape = [S] + [1] * game.n_players
        shape[ax] = game.shape[ax]
        target = target * sigma.reshape(shape)
    off = np.abs(pi - np.broadcast_to(target, pi.shape) * np.where(mu > 0, 1.0, 0.0))
    worst = float(off.max(initial=0.0))
    if worst == 0.0:
        return 0.0, None
    w = np.unravel_index(int(np.argmax(off)), off.shape)
    return worst, {"state": game.states[w[0]],
                   "profile": ",".join(game.actions[j][w[1 + j]] for j in range(game.n_players)),
                   "uninformed": [game.players[j] for j in game.uninformed]}


def verify_outcome(game: InformationGame, pi: np.ndarray, tolerance: float = DEFAULT_TOLERANCE) -> Certificate:
    """Check that π is a BCE of ``game``: non-negative, consistent with the prior, obedient."""
    checks = Checks(tolerance, magnitude(game.payoffs))
    checks.add("nonnegative", -float(pi.min()))
    marg = pi.reshape(pi.shape[0], -1).sum(axis=1)
    off = np.abs(marg - game.prior)
    j = int(np.argmax(off))
    checks.add("consistency", float(off[j]), {"state": game.states[j], "probability": float(marg[j]),
                                              "prior": float(game.prior[j])})
    checks.add("obedience", *worst_disobedience(game, [obedience_gains(game, pi, i) for i in range(game.n_players)]))
    if game.uninformed:
        checks.add("uninformed", *product_violation(game, pi))
    return checks.certificate()


def designer_value(game: InformationGame, pi: np.ndarray) -> float:
    """Σ_{θ,a} π(θ, a) d(θ, a): what the outcome is worth to the designer."""
    return float((pi * game.designer).sum())


def player_payoffs(game: InformationGame, pi: np.ndarray) -> dict[str, float]:
    """Σ_{θ,a} π(θ, a) u_i(θ, a) per player: each player's expected payoff under the outcome."""
    return {p: float((pi * game.payoffs[i]).sum()) + 0.0 for i, p in enumerate(game.players)}


def signals(game: InformationGame, pi: np.ndarray) -> np.ndarray:
    """π(a | θ): the recommendation signal each state sends (zero where μ0(θ) = 0)."""
    mu = game.prior.reshape((-1,) + (1,) * game.n_players)
    return np.divide(pi, mu, out=np.zeros_like(pi), where=mu > 0)


def posteriors(game: InformationGame, pi: np.ndarray) -> np.ndarray:
    """P(θ | a) for every recommendation profile a (zero where a is never recommended)."""
    total = pi.sum(axis=0, keepdims=True)
    return np.divide(pi, total, out=np.zeros_like(pi), where=total > 0)


def obedience_slack(game: InformationGame, pi: np.ndarray) -> dict[str, float]:
    """Per player, the smallest margin by which obedience holds (over used recommendations)."""
    out = {}
    S = game.shape[0]
    for i in range(game.n_players):
        G = obedience_gains(game, pi, i)  # (τ, x, r, d)
        k = G.shape[-1]
        G[..., np.arange(k), np.arange(k)] = -np.inf
        p = np.moveaxis(pi, 1 + i, -1).reshape(S, -1, k)
        mass = (np.einsum("ts,sxr->txr", game.type_groups(i), p) if game.public
                else np.einsum("ts,sxr->tr", game.type_groups(i), p)[:, None])
        used = mass > 1e-12
        out[game.players[i]] = float(-G[used].max()) + 0.0 if used.any() and k > 1 else float("inf")
    return out


def profile_labels(game: InformationGame) -> list[str]:
    """Action profiles in C order, written "a_1,a_2,…"."""
    import itertools

    return [",".join(p) for p in itertools.product(*game.actions)]


def move_orders(n: int) -> tuple[tuple[int, ...], ...]:
    """The orders of moves σ (permutations of the players), file order first."""
    return tuple(itertools.permutations(range(n)))


def deviation_keys(n: int) -> list[tuple[int, int]]:
    """(order, position) of every deviation with someone left to move, in plan order."""
    return [(s, p) for s in range(math.factorial(n)) for p in range(n - 1)]


def order_label(game: InformationGame, order: tuple[int, ...]) -> str:
    return f"{game.players[order[0]]} first" if len(order) == 2 else " > ".join(game.players[j] for j in order)


def continuation_floor(game: InformationGame, i: int, order: tuple[int, ...], p: int,
                       allowed: list[np.ndarray]) -> np.ndarray:
    """What player i, at position p of ``order``, gets at least after playing d: (θ, h, d) by
    position, the minimum of u_i over the later movers' profiles drawn from ``allowed``
    (index lists; written apart from :func:`amd.punishment.punishments`, which the LP uses)."""
    u = np.transpose(game.payoffs[i], (0, *(1 + j for j in order)))
    later = [np.flatnonzero(allowed[j]) for j in order[p + 1:]]
    if not later:
        return u
    pick = u[(Ellipsis, *np.ix_(*later))] if len(later) > 1 else u[..., later[0]]
    return pick.reshape(u.shape[:p + 2] + (-1,)).min(axis=-1)


def sequential_gains(game: InformationGame, rho: np.ndarray, eta: dict | None, allowed: list[np.ndarray]):
    """Per player, G[r, d] (what playing d when told r gains in total) and, per order, its part
    from each position: the obedience of :mod:`amd.models.sequential` recomputed from the plan."""
    n, S = game.n_players, game.shape[0]
    orders = move_orders(n)
    gains, parts = [], []
    for i in range(n):
        k = game.shape[1 + i]
        total, part = np.zeros((k, k)), {}
        for s, order in enumerate(orders):
            p = order.index(i)
            P = np.moveaxis(np.transpose(rho[:, s], (0, *(1 + j for j in order))), 1 + p, 1).reshape(S, k, -1)
            U = np.moveaxis(np.transpose(game.payoffs[i], (0, *(1 + j for j in order))), 1 + p, 1)
            follow = np.einsum("trx,trx->r", P, U.reshape(S, k, -1))
            floor = np.moveaxis(continuation_floor(game, i, order, p, allowed), 1 + p, 1).reshape(S, k, -1)  # (θ, d, h)
            mass = P.reshape(S, k, floor.shape[2], -1).sum(axis=3)  # (θ, r, h)
            deviate = np.einsum("trh,tdh->rd", mass, floor)
            if eta is not None and p == n - 2 and s in eta:
                E = np.moveaxis(eta[s], (1 + p, 2 + p), (1, 2)).reshape(S, k, k, floor.shape[2], -1)  # (θ,r,d,h,c)
                Ud = U.reshape(S, k, floor.shape[2], -1)  # (θ, d, h, c)
                deviate += np.einsum("trdhc,tdhc->rd", E, Ud) - np.einsum("trdhc,tdh->rd", E, floor)
            g = deviate - follow[:, None]
            part[order_label(game, order)] = g
            total += g
        gains.append(total)
        parts.append(part)
    return gains, parts


def verify_sequential(game: InformationGame, rho: np.ndarray, eta: dict | None, allowed: list[np.ndarray],
                      tolerance: float = DEFAULT_TOLERANCE, prefix: str = "") -> Certificate:
    """Check an ordered outcome ρ (S, n!, k_1..k_n) and its revealed continuations η (per order
    s, (θ, h, r, d, c) by position, the deviator second to last; None when there are none)
    against :mod:`amd.models.sequential` with the later movers' actions ``allowed`` (boolean
    masks per player). A failure names the player, what he was told, the deviation and the
    gain from it at each order (his position in it)."""
    n, S = game.n_players, game.shape[0]
    checks = Checks(tolerance, magnitude(game.payoffs))
    arrays = [rho, *(eta or {}).values()]
    checks.add(prefix + "nonnegative", -min(float(x.min(initial=0.0)) for x in arrays))
    checks.add(prefix + "consistency", float(np.abs(rho.reshape(S, -1).sum(axis=1) - game.prior).max()))
    gains, parts = sequential_gains(game, rho, eta, allowed)
    worst, where = worst_disobedience(game, gains)
    if where is not None:
        i = game.players.index(where["player"])
        r, d = game.actions[i].index(where["recommended"]), game.actions[i].index(where["deviation"])
        where["by_order"] = {label: float(g[r, d]) for label, g in parts[i].items()}
    checks.add(prefix + "obedience", worst, where)
    if eta:
        over = rworst = 0.0
        orders = move_orders(n)
        for s, E in eta.items():
            order = orders[s]
            P = np.transpose(rho[:, s], (0, *(1 + j for j in order)))  # (θ, h, r, c)
            k = E.shape[n - 1]
            E = E.reshape(S, -1, k, k, E.shape[-1]).copy()
            E[:, :, np.arange(k), np.arange(k), :] = 0.0
            mass = P.reshape(S, -1, k, P.shape[-1]).sum(axis=-1)[..., None]  # (θ, h, r, 1)
            over = max(over, float((E.sum(axis=-1) - mass).max(initial=0.0)))
            U = np.transpose(game.payoffs[order[-1]], (0, *(1 + j for j in order))).reshape(S, -1, k, E.shape[-1])
            w = E.sum(axis=2)  # (θ, h, d, c): pooled over what the deviator was told
            gain = np.einsum("thdc,thde->hdce", w, U) - (w * U).sum(axis=0)[..., None]
            rworst = max(rworst, float(gain.max(initial=0.0)))
        checks.add(prefix + "revealed_mass", over)
        checks.add(prefix + "revealed_obedience", rworst)
    return checks.certificate()
