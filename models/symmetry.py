r"""Symmetry: exchangeable agents and anonymous (symmetric) mechanisms.

If permuting the agents π (with the matching permutation ρ_π of outcomes) leaves the prior,
every valuation and the designer's value unchanged — v_{π(i)}(ρ_π(o), πθ) = v_i(o, θ) — then the
mechanism design LP is invariant under π, and averaging any optimum over the group gives an
optimum that is itself invariant. So one may solve over *symmetric* mechanisms only:
x(o | θ) = x(ρ_π(o) | πθ) and t_i(θ) = t_{π(i)}(πθ). Columns equal on an orbit of the group are
merged (z = M z_orbit) and rows that become identical are kept once; the optimum is the full
LP's. (Symmetric LPs: Bödi, Herr & Joswig 2013; for auctions, Maskin & Riley 1984 and the
symmetric reduced forms of Border 1991.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from amd.environment import Environment


@dataclass
class Orbits:
    """``M`` maps orbit variables to the full column vector (z = M z_orbit)."""

    M: sp.csr_array
    n_orbits: int
    n_x: int  # orbits of allocation columns; they come first (labels are column indices)

    def explode(self, z_orbit: np.ndarray) -> np.ndarray:
        return self.M @ z_orbit


def outcome_permutation(env: Environment, perm: tuple[int, ...], image: np.ndarray) -> np.ndarray | None:
    """ρ with v_{perm[i]}(ρ(o), πθ) = v_i(o, θ) and d(ρ(o), πθ) = d(o, θ), or None."""
    n, P, O = env.n_agents, env.n_profiles, env.n_outcomes
    V = env.values.reshape(n, P, O)
    D = env.designer_values.reshape(P, O)
    target = np.empty((O, n + 1, P))  # what outcome ρ(o) must look like at the permuted profiles
    for i in range(n):
        target[:, perm[i], image] = V[i].T
    target[:, n, image] = D.T
    have = np.ascontiguousarray(np.concatenate([V, D[None]], axis=0).transpose(2, 0, 1))  # (O, n + 1, P)
    free: dict[bytes, list[int]] = {}  # outcomes alike in every value may be matched in order
    for o in range(O):
        free.setdefault(have[o].tobytes(), []).append(o)
    rho = np.empty(O, dtype=np.int64)
    for o in range(O):
        pool = free.get(target[o].tobytes())
        if not pool:
            return None
        rho[o] = pool.pop(0)
    return rho


def profile_image(env: Environment, perm: tuple[int, ...]) -> np.ndarray:
    """Flat index of πθ for every flat profile θ, with (πθ)_{perm[i]} = θ_i."""
    coords = np.array(np.unravel_index(np.arange(env.n_profiles), env.shape))
    moved = np.empty_like(coords)
    moved[list(perm)] = coords
    return np.ravel_multi_index(tuple(moved), env.shape)


def orbits(env: Environment, payments: bool) -> Orbits | None:
    """Orbits of the columns under the agent permutations (with their outcome permutations)
    that leave ``env`` unchanged — all of them or none: None when the agents are not
    exchangeable."""
    n = env.n_agents
    if n < 2 or len(set(env.types)) != 1:
        return None
    P, O = env.n_profiles, env.n_outcomes
    n_x = P * O
    n_cols = n_x + (n * P if payments else 0)
    label = np.arange(n_cols)
    images = []
    # the adjacent transpositions generate every permutation of the agents: invariance under
    # them is invariance under the group, and their orbits are the group's orbits
    for a in range(n - 1):
        perm = tuple(a + 1 if j == a else a if j == a + 1 else j for j in range(n))
        image = profile_image(env, perm)
        if not np.allclose(env.prior.ravel()[image], env.prior.ravel()):
            return None
        rho = outcome_permutation(env, perm, image)
        if rho is None:
            return None
        col = np.empty(n_cols, dtype=np.int64)
        col[:n_x] = (image[:, None] * O + rho[None, :]).ravel()
        if payments:
            for i in range(n):
                col[n_x + i * P: n_x + (i + 1) * P] = n_x + perm[i] * P + image
        images.append(col)
    # the orbits are the connected components of "column c and its image under a generator":
    # every column takes the smallest column it is linked to, and the one that column took
    # (pointer jumping), until nothing moves; components are numbered in the order of their
    # smallest column, x columns first
    inverses = []
    for img in images:
        inv = np.empty_like(img)
        inv[img] = label
        inverses.append(inv)
    least = label.copy()
    while True:
        nxt = least.copy()
        for img, inv in zip(images, inverses):
            np.minimum(nxt, least[img], out=nxt)
            np.minimum(nxt, least[inv], out=nxt)
        nxt = nxt[nxt]
        if np.array_equal(nxt, least):
            break
        least = nxt
    roots, orbit = np.unique(least, return_inverse=True)
    n_orb = len(roots)
    M = sp.csr_array((np.ones(n_cols), orbit, np.arange(n_cols + 1)), shape=(n_cols, n_orb))
    return Orbits(M, n_orb, int(orbit[:n_x].max()) + 1)


def aggregate_rows(A: sp.csr_array, lo: np.ndarray, hi: np.ndarray, orb: Orbits):
    """Rows over orbit variables (A M), each distinct row once, in the order of first occurrence.

    Rows are compared exactly — columns, coefficients rounded to 12 decimals, bounds — all at
    once in numpy: each row is written as one fixed-width record (padded) and the records are
    deduplicated by sorting their bytes."""
    B = (A @ orb.M).tocsr()
    B.sum_duplicates()
    B.eliminate_zeros()
    B.sort_indices()
    R = B.shape[0]
    counts = np.diff(B.indptr)
    L = int(counts.max(initial=0))
    record = np.zeros((R, 2 * L + 2))
    record[:, :L] = -1.0  # padding of the column part: no column is -1
    pos = np.arange(B.nnz) - np.repeat(B.indptr[:-1], counts)
    rows = np.repeat(np.arange(R), counts)
    record[rows, pos] = B.indices
    record[rows, L + pos] = np.round(B.data, 12)
    record[:, 2 * L] = np.asarray(lo, float) + 0.0  # + 0.0: -0.0 and 0.0 are the same bound
    record[:, 2 * L + 1] = np.asarray(hi, float) + 0.0
    keys = np.ascontiguousarray(record).view(np.dtype((np.void, record.shape[1] * 8))).ravel()
    _, first = np.unique(keys, return_index=True)
    keep = np.sort(first)
    return B[keep], lo[keep], hi[keep]
