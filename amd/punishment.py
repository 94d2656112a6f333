r"""What later movers can be made to do after a deviation, under each equilibrium notion.

Sequential information design (Doval & Ely, "Sequential information design", Econometrica
88(6), 2020): the designer draws the state θ, an order of moves σ and recommendations, calls
the players one at a time and tells each only his own recommendation; it sees every action as
it is taken. When a player deviates, the designer continues as it likes: it may reorder the
players still to move and tell each of them what it wants. What it can make them *do* is what
separates the equilibrium notions, and it is all :mod:`amd.models.sequential` needs: the
deviator, who played d at history h in state θ, then gets at least

    W_i(θ, h, d) = min { u_i(θ, h, d, c) : c ∈ Π_{j later} (H_j ∪ R_j) },

the pointwise worst continuation the designer can induce. Two kinds of continuation:

* **hidden** — player j is sent a recommendation he also receives on path. The deviation has
  probability zero, so his belief on receiving it is the on-path one and on-path obedience
  makes him follow: any action in H_j, the set of actions recommended to j with positive
  probability (Doval & Ely's punishments that later movers cannot detect). Because any positive
  on-path mass will do, however small, H_j is the *support* the outcome can have: the greatest
  set of actions that some implementable outcome recommends with positive probability while
  using H itself to punish (a greatest fixed point, computed in :mod:`amd.concepts.sequential`);
  an optimum that punishes with an action it recommends with probability zero is a supremum,
  approached by mixing in ε of an outcome that recommends it.
* **revealed** — player j is sent a message never sent on path: his information set is
  off path and he plays what is sequentially rational there. R_j, the actions he can be made to
  play, depends on the notion:

  - ``nash`` (Nash equilibrium of some extensive form): no rationality is required off path,
    R_j = A_j — the deviator is minmaxed by the later movers (an exact characterization).
  - ``weak_pbe`` (weak perfect Bayesian equilibrium): off-path beliefs are arbitrary over the
    nodes of the information set, which the designer builds to contain any history — any state,
    any earlier actions, any set of earlier movers, none included. a_j ∈ R_j iff for some
    belief β over nodes ν = (θ, M, a_M) (M ⊆ N∖{j} the players who have moved),
    E_β[max_c u_j(θ, a_M, a_j, c)] ≥ E_β[min_c u_j(θ, a_M, a'', c)] for every a'', the
    continuation c of the players still to move ranging over Π (H_k ∪ R_k): the best
    continuation rewards obeying, the worst punishes a further deviation. R is the greatest
    such family (:func:`admissible`); it is achieved, so this characterization is exact.
  - ``sequential`` (Kreps–Wilson sequential equilibrium): beliefs must be limits of trembles;
    nature's and the designer's draws do not tremble, so an off-path information set only holds
    histories after some deviation. The same test with M ≠ ∅ gives a superset of what can be
    induced (an *upper* bound on the designer-best value); the *lower* bound uses hidden
    continuations and, when one mover is left, a revealed deviation (h, d) with the last
    mover's belief conditional on it, deviations at every information set equally likely
    (:mod:`amd.models.sequential`'s η). When the two agree the value is exact.

The ladder BCE ≤ sequential ≤ weak_pbe ≤ nash (designer-best) follows: each notion's set of
implementable outcomes contains the next one's.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from amd.information import InformationGame

NOTIONS = ("sequential", "weak_pbe", "nash")


def by_position(a: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """An array over (θ, a_1, …, a_n) in file order, re-laid by position in ``order``."""
    return np.transpose(a, (0, *(1 + j for j in order)))


def _extreme(u: np.ndarray, axes: list[int], allowed: list[np.ndarray], best: bool) -> np.ndarray:
    """max (``best``) or min of ``u`` over the file-order player ``axes`` (array axis 1 + j),
    each restricted to the actions ``allowed[j]``; the axes are kept with size 1."""
    for j in axes:
        mask = np.asarray(allowed[j], bool).reshape([-1 if ax == 1 + j else 1 for ax in range(u.ndim)])
        u = np.where(mask, u, -np.inf if best else np.inf)
        u = u.max(axis=1 + j, keepdims=True) if best else u.min(axis=1 + j, keepdims=True)
    return u


def revealed_test(game: InformationGame, j: int, allowed: list[np.ndarray],
                  first: bool) -> tuple[np.ndarray, np.ndarray]:
    """(U⁺, U⁻), each (nodes, |A_j|): over every node ν = (θ, M, a_M) of positive prior — M ⊆
    N∖{j} the earlier movers, M = ∅ only with ``first`` — the best and the worst continuation
    of the players still to move for each action of j (module docstring)."""
    n = game.n_players
    keep = game.prior > 0
    up, down = [], []
    others = [k for k in range(n) if k != j]
    for size in range(0 if first else 1, n):
        for movers in itertools.combinations(others, size):
            later = [k for k in others if k not in movers]
            u = game.payoffs[j][keep]
            pos = 1 + sum(1 for k in range(n) if k < j and k not in later)  # j's axis once later ones go
            for x, into in ((_extreme(u, later, allowed, True), up), (_extreme(u, later, allowed, False), down)):
                x = x.reshape(x.shape[:1] + tuple(x.shape[1 + k] for k in range(n) if k not in later))
                into.append(np.moveaxis(x, pos, -1).reshape(-1, game.shape[1 + j]))
    return np.concatenate(up), np.concatenate(down)


def justified(up: np.ndarray, down: np.ndarray, a: int, scale: float = 1.0) -> bool:
    """Is action ``a`` a best reply to some belief β over the nodes, with the best continuation
    after ``a`` and the worst after every other action: max_β min_{a''} Σ_ν β_ν (U⁺_ν(a) −
    U⁻_ν(a'')) ≥ 0? One small LP (scipy's HiGHS)."""
    others = [b for b in range(up.shape[1]) if b != a]
    if not others:
        return True
    return one_belief_suffices(up[:, [a]] - down[:, others], scale)


def one_belief_suffices(gain: np.ndarray, scale: float = 1.0) -> bool:
    """Is there one belief β over the rows (nodes) with Σ_ν β_ν gain[ν, j] ≥ 0 for every column
    j — max_β min_j of it ≥ 0 (up to 1e-9 of the payoff scale)? One small LP (scipy's HiGHS)."""
    nodes, cols = gain.shape
    slack = 1e-9 * max(scale, 1.0)
    if not cols or (gain >= -slack).all(axis=1).any():  # a belief on one node does it
        return True
    if (gain < -slack).all(axis=0).any():  # a column no belief can make hold
        return False
    # variables (β_1..β_nodes, t): maximize t s.t. t − Σ β gain[:, j] ≤ 0, Σ β = 1, β ≥ 0
    c = np.r_[np.zeros(nodes), -1.0]
    A_ub = np.c_[-gain.T, np.ones(cols)]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(cols), A_eq=np.r_[np.ones(nodes), 0.0][None, :],
                  b_eq=[1.0], bounds=[(0, None)] * nodes + [(None, None)], method="highs")
    return bool(res.status == 0 and -res.fun >= -slack)


def admissible(game: InformationGame, recommendable: list[np.ndarray], notion: str) -> list[np.ndarray]:
    """R_j for every player (module docstring): the actions a revealed later mover can be made
    to play — all of them under ``nash``; under ``weak_pbe`` (beliefs over any node) and
    ``sequential`` (an outer bound: nodes after some move) the greatest family in which each
    action is justified with continuations drawn from H ∪ R."""
    sets = [np.ones(k, bool) for k in game.shape[1:]]
    if notion == "nash" or game.n_players == 1:
        return sets
    scale = float(np.abs(game.payoffs).max(initial=0.0))
    while True:
        allowed = [h | r for h, r in zip(recommendable, sets)]
        new = []
        for j in range(game.n_players):
            up, down = revealed_test(game, j, allowed, first=notion == "weak_pbe")
            new.append(np.array([sets[j][a] and justified(up, down, a, scale) for a in range(game.shape[1 + j])]))
        if all((x == y).all() for x, y in zip(new, sets)):
            return sets
        sets = new


def punishments(game: InformationGame, allowed: list[np.ndarray]) -> dict[tuple[int, int], np.ndarray]:
    """W for every order σ (index s) and position p with someone left to move: the deviator's
    payoff (θ, h, d) by position, minimized over the later movers' ``allowed`` actions."""
    n = game.n_players
    out = {}
    for s, order in enumerate(itertools.permutations(range(n))):
        for p in range(n - 1):
            i = order[p]
            u = _extreme(game.payoffs[i], list(order[p + 1:]), allowed, False)
            out[(s, p)] = by_position(u, order).reshape(u.shape[:1] + tuple(u.shape[1 + k] for k in order[:p + 1]))
    return out
