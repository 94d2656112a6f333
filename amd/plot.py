"""Plots (matplotlib, written to a file): an information-design outcome π(θ, a), a tree's outcome,
and the value of selling with limited commitment against the belief."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from amd.information import signals


def plot_outcome(game, pi: np.ndarray, path: str | Path, title: str = "") -> Path:
    """One panel per state: π(a | θ) as a bar chart (one player) or a heat map over the two
    players' actions (two players), with the state's prior probability in the panel title."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    if game.n_players > 2:
        raise ValueError("plots are drawn for one- and two-player games")
    cond = signals(game, pi)
    S = len(game.states)
    fig, axes = plt.subplots(1, S, figsize=(3.2 * S + 0.8, 3.2), squeeze=False)
    for s, ax in enumerate(axes[0]):
        ax.set_title(f"{game.states[s]} (prior {game.prior[s]:.3g})", fontsize=10)
        if game.n_players == 1:
            ax.bar(range(len(game.actions[0])), cond[s], color="#4C72B0")
            ax.set_xticks(range(len(game.actions[0])), game.actions[0])
            ax.set_ylim(0, 1)
            ax.set_ylabel(f"P({game.players[0]} told a | state)" if s == 0 else "")
        else:
            im = ax.imshow(cond[s], vmin=0, vmax=1, cmap="Blues")
            ax.set_xticks(range(len(game.actions[1])), game.actions[1])
            ax.set_yticks(range(len(game.actions[0])), game.actions[0])
            ax.set_xlabel(game.players[1])
            ax.set_ylabel(game.players[0])
            for (r, c), v in np.ndenumerate(cond[s]):
                ax.text(c, r, f"{v:.3g}", ha="center", va="center", color="white" if v > 0.6 else "black")
    if game.n_players == 2:
        fig.colorbar(im, ax=axes[0].tolist(), shrink=0.8, label="π(a | θ)")
    return _save(plt, fig, path, title, 1.04)


def plot_tree_outcome(tree, pi: np.ndarray, path: str | Path, title: str = "") -> Path:
    """One panel per state: how play ends, π(leaf | θ), over the leaves the designer's plan reaches."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reached = np.flatnonzero(pi.sum(axis=0) > 1e-12)
    S = len(tree.states)
    fig, axes = plt.subplots(1, S, figsize=(3.6 * S + 1.2, 0.45 * len(reached) + 1.6), squeeze=False, sharey=True)
    for s, ax in enumerate(axes[0]):
        cond = pi[s, reached] / tree.prior[s] if tree.prior[s] > 0 else np.zeros(len(reached))
        ax.barh(range(len(reached)), cond, color="#4C72B0")
        ax.set_yticks(range(len(reached)), [tree.leaves[z] for z in reached])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_title(f"{tree.states[s]} (prior {tree.prior[s]:.3g})" if S > 1 else "how play ends", fontsize=10)
        ax.set_xlabel("P(leaf | state)")
    return _save(plt, fig, path, title, 1.02)


def plot_dynamic(sale, value_at, posteriors: list[tuple[float, float]], path: str | Path, title: str = "") -> Path:
    """The two-type, two-period durable good (Doval & Skreta's lecture figure): against the belief
    μ = P(high type), the seller's discounted continuation δR₂(μ) (the best posted price at μ) and
    the value of the whole problem V(μ) when μ is the prior (``value_at``), with the prior and the
    posteriors the optimal plan splits it into (``posteriors``: (μ', probability) after no sale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from amd.limited_commitment import posted_price

    mu = np.linspace(0.0, 1.0, 201)
    cont = [sale.discount * posted_price(sale.net, np.array([1 - m, m]))[0] for m in mu]
    coarse = np.linspace(0.0, 1.0, 51)
    value = [value_at(m) for m in coarse]
    prior = float(sale.prior[1])
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot(mu, cont, color="#4C72B0", label="δ R₂(μ): the seller's continuation after no sale")
    ax.plot(coarse, value, color="#DD8452", label="V(μ): the seller's value with prior μ")
    ax.axvline(prior, color="grey", ls=":", lw=1)
    ax.plot([prior], [value_at(prior)], "s", color="#DD8452")
    ax.annotate("prior", (prior, ax.get_ylim()[1]), ha="center", va="bottom", fontsize=8)
    for post, prob in posteriors:
        y = sale.discount * posted_price(sale.net, np.array([1 - post, post]))[0]
        ax.plot([post], [y], "o", color="#C44E52")
        ax.annotate(f"posterior {post:.3g}\n(reached w.p. {prob:.3g})", (post, y), textcoords="offset points",
                    xytext=(-40, 14), fontsize=8)
    ax.set_xlabel(f"μ = P({sale.types[1]})")
    ax.set_ylabel("seller's value")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    return _save(plt, fig, path, title, 1.02)


def _save(plt, fig, path: str | Path, title: str, y: float) -> Path:
    """Title the figure, write it (the format from the file's suffix) and free it."""
    if title:
        fig.suptitle(title, y=y)
    path = Path(path)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path
