r"""Border's theorem: which interim allocation rules of a single good can be implemented.

Bidders i = 1..n have independent types t with probabilities f_i(t). An ex-post allocation
x_i(t_1..t_n) ≥ 0, Σ_i x_i ≤ 1, has the *interim* (reduced) form
q_i(t) = E[x_i(t, t_{-i})]. Border (1991; Mierendorff 2011 and Che, Kim & Mierendorff 2013
for asymmetric bidders): q is the reduced form of some ex-post allocation iff for all sets
S_i of types

    Σ_i Σ_{t ∈ S_i} f_i(t) q_i(t)  ≤  1 − Π_i (1 − f_i(S_i))                 (Border)

(the left side is the probability that the good goes to a bidder whose type is in S, the
right side the probability that such a bidder exists). There are 2^{Σ k_i} such sets; the
most violated one is found exactly in O(N log N) by a one-parameter sweep
(:func:`violated_sets`), so the inequalities can be separated lazily.

Everything here works in *class space*: bidders with equal values and marginals form a class
c of m_c members that share one interim rule q_c (see :meth:`amd.auction.SingleItem.classes`);
a set is then one subset per class taken for every member, which is what threshold sets of a
class-symmetric q are.

The vertices of the Border polytope are the reduced forms of *hierarchies* (Border 2007;
Vohra, *Mechanism Design: A Linear Programming Approach*, 2011, ch. 5): every type has a
score, the good goes to the bidder with the highest positive score, ties broken uniformly at
random (:func:`hierarchy_allocation`). An implementable q is therefore a lottery over
hierarchies, found by column generation (:func:`decompose`), and that lottery *is* an ex-post
mechanism (:func:`ex_post_allocation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Classes:
    """Class space: ``marginals[c]`` f_c(t), ``sizes[c]`` m_c, ``members[c]`` the agents."""

    marginals: tuple[np.ndarray, ...]
    sizes: np.ndarray
    members: tuple[tuple[int, ...], ...]

    @property
    def n_classes(self) -> int:
        return len(self.marginals)

    @property
    def n_bidders(self) -> int:
        return int(self.sizes.sum())

    @property
    def offsets(self) -> np.ndarray:
        """Where each class starts in the class-space vector (and, last, its length)."""
        return np.r_[0, np.cumsum([len(f) for f in self.marginals])]

    def flat(self, per_class) -> np.ndarray:
        """Concatenate one array per class (the class-space vector)."""
        return np.concatenate([np.asarray(a, float) for a in per_class])

    def split(self, vector: np.ndarray) -> list[np.ndarray]:
        return np.split(np.asarray(vector, float), self.offsets[1:-1])


@dataclass(frozen=True)
class BorderSet:
    """One Border inequality: ``members[c]`` the types of class c in S, and its right side."""

    members: tuple[np.ndarray, ...]
    rhs: float
    violation: float


def violated_sets(classes: Classes, q: list[np.ndarray], tolerance: float = 0.0,
                  limit: int = 1) -> list[BorderSet]:
    r"""The most violated Border sets of the interim rule ``q`` (at most ``limit``), exactly.

    The violation of S is Φ(S) = Σ_c m_c A_c(S_c) + Π_c G_c(S_c)^{m_c} − 1, with
    A_c = Σ_{t ∈ S_c} f_c q_c and G_c = 1 − f_c(S_c). With the other bidders' sets fixed,
    bidder i's best S_i is the threshold set {t : q_i(t) ≥ c_i}, c_i = Π_{j≠i} G_j = P / G_i
    (P = Π_j G_j): a prefix of its types sorted by decreasing q, of length a_i, with

        q_(a_i + 1) G_i(a_i)  ≤  P  ≤  q_(a_i) G_i(a_i)                      (*)

    (q_(0) = ∞, q_(k+1) = 0). A maximizer of Φ satisfies (*) for every bidder at its own P.
    For P > 0 the intervals (*) of one bidder are disjoint (every type has f > 0), so each P
    determines at most one prefix per bidder, and the prefixes change only at the interval
    ends: evaluating Φ on the combination at every end and between consecutive ends (plus
    the set of all types, P = 0) meets the maximizer. Members of a class have the same
    intervals, hence the same prefix. O(N log N + n N) for N = Σ_c k_c.

    (Sets with one *common* threshold on q do not suffice for asymmetric bidders: a bidder's
    threshold is P / G_i, its own.)
    """
    orders, los, his, Gs = [], [], [], []
    for f, qc in zip(classes.marginals, q):
        order = np.argsort(-qc, kind="stable")
        qs = qc[order]
        G = np.clip(1.0 - np.r_[0.0, np.cumsum(f[order])], 0.0, 1.0)  # G(a), a = 0..k
        orders.append(order)
        Gs.append(G)
        los.append(np.r_[qs, 0.0] * G)  # q_(a+1) G(a)
        his.append(np.r_[np.inf, qs] * G)  # q_(a) G(a)
    ends = np.unique(np.concatenate([np.r_[lo, hi[np.isfinite(hi)]] for lo, hi in zip(los, his)]))
    ends = ends[ends > 0]
    points = np.r_[ends, (ends[:-1] + ends[1:]) / 2, ends[-1] * 2 if len(ends) else 1.0] if len(ends) else np.ones(1)
    choice = np.zeros((len(points), classes.n_classes), dtype=np.int64)
    ok = np.ones(len(points), bool)
    for c, (lo, hi) in enumerate(zip(los, his)):
        # lo decreases with a: the first a with lo_a ≤ P, then P ≤ hi_a must hold
        a = np.searchsorted(-lo, -points, side="left")
        a = np.minimum(a, len(lo) - 1)
        ok &= (lo[a] <= points * (1 + 1e-12)) & (points <= hi[a] * (1 + 1e-12))
        choice[:, c] = a
    full = np.array([[len(f) for f in classes.marginals]])
    choice = np.unique(np.vstack([choice[ok], full]), axis=0)
    lhs = np.zeros(len(choice))
    free = np.ones(len(choice))
    for c, (f, qc, order, G) in enumerate(zip(classes.marginals, q, orders, Gs)):
        A = np.r_[0.0, np.cumsum((f * qc)[order])]
        lhs += classes.sizes[c] * A[choice[:, c]]
        free *= G[choice[:, c]] ** classes.sizes[c]
    rhs = 1.0 - free
    violation = lhs - rhs
    best = np.flatnonzero(violation > tolerance)
    best = best[np.argsort(-violation[best], kind="stable")][:limit]
    return [BorderSet(tuple(np.sort(order[: choice[b, c]]) for c, order in enumerate(orders)),
                      float(rhs[b]), float(violation[b])) for b in best]


def max_violation(classes: Classes, q: list[np.ndarray]) -> tuple[float, BorderSet | None]:
    """The largest violation of Border's inequalities by ``q`` (0 when implementable)."""
    found = violated_sets(classes, q, tolerance=-np.inf, limit=1)
    if not found or found[0].violation <= 0:
        return 0.0, None
    return found[0].violation, found[0]


def _gauss(n_bidders: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights on [0, 1], exact for polynomials of degree < n."""
    x, w = np.polynomial.legendre.leggauss(n_bidders // 2 + 1)
    return (x + 1) / 2, w / 2


def hierarchy_allocation(classes: Classes, scores: list[np.ndarray]) -> list[np.ndarray]:
    r"""Interim rule of the hierarchy ``scores`` (one score per type, shared within a class).

    The good goes to the bidder with the highest positive score, uniformly among ties. A
    bidder of class c and type t with score s > 0 wins with probability

        E[1 / (1 + M)] · P(no rival scores above s) = ∫_0^1 Π_rivals (a_j + b_j z) dz,

    a_j = P(rival j scores below s or not at all), b_j = P(rival j scores exactly s), since
    E[z^M] = Π_j (a_j + b_j z) and ∫_0^1 z^M dz = 1 / (1 + M). The integrand has degree n − 1;
    Gauss–Legendre quadrature evaluates it exactly.
    """
    z, w = _gauss(classes.n_bidders)
    ladders = []
    for s, f in zip(scores, classes.marginals):
        bid = s > 0
        sorted_s = np.sort(s[bid])
        mass = np.r_[0.0, np.cumsum(f[bid][np.argsort(s[bid], kind="stable")])]
        ladders.append((sorted_s, mass, float(f[~bid].sum())))
    out = []
    for c, s in enumerate(scores):
        value = np.ones((len(s), len(z)))
        for d, (sorted_s, mass, silent) in enumerate(ladders):
            below = mass[np.searchsorted(sorted_s, s, "left")]
            at = mass[np.searchsorted(sorted_s, s, "right")] - below
            rivals = classes.sizes[d] - (1 if d == c else 0)
            if rivals:
                value *= ((silent + below)[:, None] + at[:, None] * z[None, :]) ** rivals
        out.append(np.where(s > 0, value @ w, 0.0))
    return out


@dataclass
class Lottery:
    """An ex-post mechanism: hierarchy h (``scores[h]``, class space) w.p. ``weights[h]``;
    the remaining probability 1 − Σ weights keeps the good."""

    scores: list[np.ndarray]
    weights: np.ndarray

    def interim_rule(self, classes: Classes) -> np.ndarray:
        """Σ_h weight_h · (interim rule of hierarchy h), class-space vector."""
        total = np.zeros(sum(len(f) for f in classes.marginals))
        for s, w in zip(self.scores, self.weights):
            total += w * classes.flat(hierarchy_allocation(classes, classes.split(s)))
        return total

    def to_dict(self, classes: Classes, agents: tuple[str, ...]) -> list[dict]:
        out = []
        for s, w in zip(self.scores, self.weights):
            parts = classes.split(s)
            out.append({"weight": float(w), "scores": {agents[i]: parts[c].tolist()
                                                       for c, ms in enumerate(classes.members) for i in ms}})
        return out


def ex_post_allocation(classes: Classes, lottery: Lottery, shape: tuple[int, ...]) -> np.ndarray:
    """x_i(θ) of ``lottery`` on every type profile: shape ``shape + (n,)`` (small instances)."""
    n = len(shape)
    of_agent = np.empty(n, int)
    for c, ms in enumerate(classes.members):
        of_agent[list(ms)] = c
    x = np.zeros(shape + (n,))
    for s, w in zip(lottery.scores, lottery.weights):
        parts = classes.split(s)
        grid = np.stack(np.broadcast_arrays(*[
            parts[of_agent[i]].reshape([-1 if a == i else 1 for a in range(n)]) for i in range(n)]), axis=-1)
        top = grid.max(axis=-1, keepdims=True)
        win = (grid == top) & (top > 0)
        x += w * win / np.maximum(win.sum(axis=-1, keepdims=True), 1)
    return x


def pricing(classes: Classes, weights: list[np.ndarray]) -> list[np.ndarray]:
    """The hierarchy maximizing Σ_c Σ_t weights_c(t) q_c(t) over implementable q.

    Σ_c Σ_t y_c(t) q_c(t) = E_θ[Σ_i y_{c(i)}(θ_i) / (m_c f_c(θ_i)) · x_i(θ)], maximized profile
    by profile by giving the good to the highest positive score y / (m f).
    """
    out = []
    for y, f, m in zip(weights, classes.marginals, classes.sizes):
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.where(f > 0, y / (m * np.where(f > 0, f, 1.0)), 0.0))
    return out


def _members_mask(classes: Classes, S: BorderSet) -> np.ndarray:
    return classes.flat([np.isin(np.arange(len(f)), m) for f, m in zip(classes.marginals, S.members)]).astype(bool)


def _layers(x: np.ndarray, family: list[np.ndarray], tol: float) -> np.ndarray:
    """Rank of each element for a hierarchy tight on every set of ``family``: elements in more
    tight sets first, equal membership patterns tied; elements with x = 0 get -1 (never win).

    For a chain every set is then a prefix of the ranking, and so is every set of a ring
    family that is nested by size; a set this misses blocks the step and is learned
    (:func:`caratheodory`).
    """
    pattern = np.array(family).T if family else np.zeros((len(x), 0), bool)
    keys = np.c_[-pattern.sum(axis=1), pattern[:, ::-1]]
    _, layer = np.unique(keys, axis=0, return_inverse=True)
    return np.where(x > tol, layer.ravel().astype(int), -1)


def caratheodory(classes: Classes, q: list[np.ndarray], tol: float = 1e-9,
                 max_steps: int | None = None) -> tuple[Lottery, list[np.ndarray]]:
    r"""Write an implementable ``q`` as a lottery over hierarchies, peeling one at a time.

    At the current point x take a hierarchy v tight on x's tight Border sets (ranked by how
    many of them contain a type; types with x = 0 never win): v lies on the face of the
    Border polytope containing x. Move from x away from v, x(s) = x + s (x − v), as far as
    it stays implementable — the largest s by Dinkelbach steps on the exact oracle
    :func:`violated_sets` — so that x = α v + (1 − α) x(s), α = s / (1 + s), and x(s) has one
    more tight set or zero. A set that blocks the first step is tight at x and joins the
    family. At most Σ k_c + 1 hierarchies (Carathéodory). Returns the lottery and the part of
    q it does not reproduce (zero unless the steps ran out).
    """
    x = classes.flat(q).copy()
    scores, weights = [], []
    remaining = 1.0
    steps = max_steps if max_steps is not None else 4 * (x.size + 1)
    family = [_members_mask(classes, S) for S in violated_sets(classes, classes.split(x), -tol, 10**9)]
    sizes = classes.flat([m * f for m, f in zip(classes.sizes, classes.marginals)])
    for _ in range(steps):
        if remaining <= 1e-15 or np.all(x <= tol):
            break
        layer = _layers(x, family, tol)
        score = np.where(layer >= 0, layer.max() + 1 - layer, 0).astype(float)
        v = classes.flat(hierarchy_allocation(classes, classes.split(score)))
        gap = x - v
        if np.abs(gap).max() <= tol:  # x is this hierarchy
            scores.append(score)
            weights.append(remaining)
            remaining, x = 0.0, np.zeros_like(x)
            break
        down = gap < 0
        s = float(np.min(x[down] / -gap[down])) if down.any() else 1e6
        blocking = None
        for _ in range(200):  # Dinkelbach: s only decreases
            worst = violated_sets(classes, classes.split(x + s * gap), tolerance=tol, limit=1)
            if not worst:
                break
            mask = _members_mask(classes, worst[0])
            Y, V = sizes[mask] @ x[mask], sizes[mask] @ v[mask]
            s = max(0.0, (worst[0].rhs - Y) / (Y - V)) if Y > V else 0.0
            blocking = mask
            if s <= 0:
                break
        if s <= 1e-12:
            if blocking is None or any(np.array_equal(blocking, f) for f in family):
                break  # no progress and nothing new learned
            family.append(blocking)
            continue
        alpha = s / (1 + s)
        scores.append(score)
        weights.append(remaining * alpha)
        remaining *= 1 - alpha
        x = np.clip(x + s * gap, 0.0, None)
        family = [_members_mask(classes, S) for S in violated_sets(classes, classes.split(x), -tol, 10**9)]
    return Lottery(scores, np.array(weights)), classes.split(remaining * x)
