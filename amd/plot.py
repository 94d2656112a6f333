"""Plots (matplotlib, written to a file): an information-design outcome π(θ, a), a tree's outcome,
and the value of selling with limited commitment against the belief."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from amd.errors import InstanceError
from amd.information import signals


def pyplot():
    """matplotlib's pyplot, drawing to files only (the Agg backend: no display needed); an
    :class:`amd.InstanceError` naming the extra when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        raise InstanceError("amd plot", None, "pictures need matplotlib: pip install 'amd[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


#: above this many actions per axis a heat map drops its cell labels and thins its ticks
LABELLED_CELLS = 12


def _ticks(ax, axis: str, labels) -> None:
    """At most about ten tick labels along ``axis`` ('x' or 'y'), evenly spaced."""
    step = max(1, -(-len(labels) // 10))
    where = list(range(0, len(labels), step))
    (ax.set_xticks if axis == "x" else ax.set_yticks)(where, [labels[j] for j in where],
                                                      rotation=45 if axis == "x" and step > 1 else 0)


def plot_outcome(game, pi: np.ndarray, path: str | Path, title: str = "", note: str = "") -> Path:
    """One panel per state: π(a | θ) as a bar chart (one player) or a heat map over the two
    players' actions (two players), with the state's prior probability in the panel title. Past
    :data:`LABELLED_CELLS` actions the cells lose their numbers and the ticks are thinned, so a
    30×30 game stays legible; ``note`` (the order of moves, say) is written under the panels."""
    plt = pyplot()

    if game.n_players > 2:
        raise ValueError("plots are drawn for one- and two-player games")
    cond = signals(game, pi)
    S = len(game.states)
    side = min(3.2 + 0.1 * max(game.shape[1:]), 7.0)
    fig, axes = plt.subplots(1, S, figsize=(side * S + 0.8, side), squeeze=False)
    for s, ax in enumerate(axes[0]):
        ax.set_title(f"{game.states[s]} (prior {game.prior[s]:.3g})", fontsize=10)
        if game.n_players == 1:
            ax.bar(range(len(game.actions[0])), cond[s], color="#4C72B0")
            _ticks(ax, "x", game.actions[0])
            ax.set_ylim(0, 1)
            ax.set_ylabel(f"P({game.players[0]} told a | state)" if s == 0 else "")
        else:
            im = ax.imshow(cond[s], vmin=0, vmax=1, cmap="Blues", aspect="auto")
            _ticks(ax, "x", game.actions[1])
            _ticks(ax, "y", game.actions[0])
            ax.set_xlabel(game.players[1])
            ax.set_ylabel(game.players[0])
            if max(game.shape[1:]) <= LABELLED_CELLS:
                for (r, c), v in np.ndenumerate(cond[s]):
                    ax.text(c, r, f"{v:.3g}", ha="center", va="center", color="white" if v > 0.6 else "black")
    if game.n_players == 2:
        fig.colorbar(im, ax=axes[0].tolist(), shrink=0.8, label="π(a | θ)")
    if note:
        fig.text(0.5, -0.02, note, ha="center", va="top", fontsize=9)
    return _save(plt, fig, path, title, 1.04)


def plot_vs_prior(game, mu: np.ndarray, value: np.ndarray, no_information: np.ndarray, prior: float,
                  split: list[tuple[float, float]], path: str | Path, title: str = "") -> Path:
    """The lecture picture of persuasion with two states: against μ = P(second state), the
    designer's value without information v̂(μ) (the players act on the belief μ alone), the
    designer's optimal value V(μ) (the concavification of v̂ for one receiver, Kamenica–Gentzkow),
    the prior and the posteriors the optimal signal splits it into (``split``: (μ', v̂(μ')))."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(mu, no_information, color="#999999", lw=1.5, drawstyle="steps-post" if game.n_players == 1 else "default",
            label="v̂(μ): no information")
    ax.plot(mu, value, color="#4C72B0", lw=2, label="V(μ): optimal information")
    if split:
        xs, ys = zip(*sorted(split))
        ax.plot(xs, ys, "o--", color="#C44E52", lw=1, label="optimal split of the prior")
    ax.axvline(prior, color="black", lw=0.8, ls=":")
    ax.annotate("prior", (prior, ax.get_ylim()[0]), textcoords="offset points", xytext=(3, 3), fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"μ = P({game.states[1]})")
    ax.set_ylabel("designer's value")
    ax.legend(fontsize=8, loc="best")
    return _save(plt, fig, path, title, 1.02)


def plot_tree_outcome(tree, pi: np.ndarray, path: str | Path, title: str = "") -> Path:
    """One panel per state: how play ends, π(leaf | θ), over the leaves the designer's plan reaches."""
    plt = pyplot()

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
    plt = pyplot()

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


def mechanism_figure(env, mech, title: str = ""):
    """The picture of a mechanism, by the shape of its environment:

    * a single-good auction: per bidder (alike bidders once), the interim probability of winning
      and the expected payment against the value, with the ironed virtual values on a second axis
      and ironed intervals shaded (Myerson 1981);
    * bilateral trade (outcomes ``no_trade, trade``): the probability of trade over (buyer value,
      seller cost);
    * one buyer and two items: the probability of getting each item over the type grid (the
      Manelli–Vincent / Pavlov menu picture).

    Returns the matplotlib Figure; raises ValueError for any other environment."""
    plt = pyplot()

    from amd.classic import ironed_virtual_values, single_good_outcomes

    shape = mechanism_kind(env)
    if shape == "auction":
        none, own = single_good_outcomes(env)
        seen, bidders = set(), []
        for i in range(env.n_agents):
            key = (env.marginal(i).round(12).tobytes(), np.moveaxis(env.values[i][..., own[i]], i, 0).reshape(
                env.shape[i], -1)[:, 0].round(12).tobytes())
            if key not in seen:
                seen.add(key)
                bidders.append(i)
        fig, axes = plt.subplots(2, len(bidders), figsize=(4.2 * len(bidders) + 0.6, 6.2), squeeze=False)
        for c, i in enumerate(bidders):
            others = tuple(a for a in range(env.n_agents) if a != i)
            belief = env.beliefs(i)
            q = (belief * mech.allocation[..., own[i]]).sum(axis=others)
            t = (belief * mech.payments[i]).sum(axis=others)
            v = np.moveaxis(env.values[i][..., own[i]], i, 0).reshape(env.shape[i], -1)[:, 0]
            order = np.argsort(v, kind="stable")
            f = env.marginal(i)
            top, bottom = axes[0][c], axes[1][c]
            top.step(v[order], q[order], where="mid", color="#4C72B0", label="P(win)")
            top.set_ylim(-0.02, 1.02)
            top.set_ylabel("interim probability of winning")
            top.set_title(env.agents[i] + (f" (and {env.n_agents - len(bidders)} alike)" if len(bidders) == 1
                                           and env.n_agents > 1 else ""), fontsize=10)
            if np.all(f > 0):
                phi = ironed_virtual_values(v[order], f[order])
                twin = top.twinx()
                twin.plot(v[order], phi, color="#C44E52", ls="--", label="ironed virtual value")
                twin.axhline(0, color="grey", lw=0.6)
                twin.set_ylabel("ironed virtual value")
                flat = np.flatnonzero(np.isclose(np.diff(phi), 0.0, atol=1e-12))
                for j in flat:
                    top.axvspan(v[order][j], v[order][j + 1], color="#C44E52", alpha=0.12, lw=0)
            bottom.step(v[order], t[order], where="mid", color="#55A868")
            bottom.set_ylabel("expected payment")
            bottom.set_xlabel("value")
        fig.tight_layout()
    elif shape == "bilateral":
        trade = mech.allocation[..., 1]
        buyer = env.values[0][:, 0, 1]
        cost = -env.values[1][0, :, 1]
        fig, ax = plt.subplots(figsize=(5.4, 4.6))
        im = ax.imshow(trade.T, origin="lower", vmin=0, vmax=1, cmap="Blues", aspect="auto",
                       extent=(buyer.min(), buyer.max(), cost.min(), cost.max()))
        ax.set_xlabel(f"{env.agents[0]}'s value")
        ax.set_ylabel(f"{env.agents[1]}'s cost")
        fig.colorbar(im, ax=ax, label="probability of trade")
    elif shape == "two_items":
        item1, item2 = _two_item_outcomes(env)
        v1 = env.values[0][:, item1[0]]
        v2 = env.values[0][:, item2[0]]
        xs, ys = np.unique(v1), np.unique(v2)
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.4), squeeze=False)
        for ax, outcomes, name in zip(axes[0], (item1, item2), ("item 1", "item 2")):
            grid = np.full((len(ys), len(xs)), np.nan)
            p = mech.allocation[:, outcomes].sum(axis=-1)
            grid[np.searchsorted(ys, v2), np.searchsorted(xs, v1)] = p
            im = ax.imshow(grid, origin="lower", vmin=0, vmax=1, cmap="Blues", aspect="auto",
                           extent=(xs.min(), xs.max(), ys.min(), ys.max()))
            ax.set_xlabel("value of item 1")
            ax.set_ylabel("value of item 2")
            ax.set_title(f"probability of getting {name}", fontsize=10)
        fig.colorbar(im, ax=axes[0].tolist(), label="probability")
    else:
        raise ValueError("mechanisms are drawn for single-item auctions, bilateral trade and one buyer with two items")
    if title:
        fig.suptitle(title, y=1.02)
    return fig


def mechanism_kind(env) -> str | None:
    """``auction``, ``bilateral``, ``two_items`` or None: which picture :func:`mechanism_figure` draws."""
    from amd.classic import single_good_outcomes

    try:
        single_good_outcomes(env)
        if all(env.private):
            return "auction"
    except ValueError:
        pass
    if env.n_agents == 2 and tuple(env.outcomes) == ("no_trade", "trade") and all(env.private):
        return "bilateral"
    if env.n_agents == 1 and env.n_outcomes == 4 and _two_item_outcomes(env) is not None:
        return "two_items"
    return None


def _two_item_outcomes(env):
    """(outcomes giving item 1, outcomes giving item 2) of one buyer's additive two-item menu:
    the outcome ``a,b`` gives item 1 when ``a`` is the buyer and item 2 when ``b`` is."""
    b = env.agents[0]
    parts = [o.split(",") for o in env.outcomes]
    if any(len(p) != 2 for p in parts):
        return None
    item1 = [k for k, p in enumerate(parts) if p[0] == b]
    item2 = [k for k, p in enumerate(parts) if p[1] == b]
    return (item1, item2) if len(item1) == 2 and len(item2) == 2 else None


def plot_mechanism(env, mech, path: str | Path, title: str = "") -> Path:
    """Draw :func:`mechanism_figure` into ``path``."""
    plt = pyplot()
    fig = mechanism_figure(env, mech)
    return _save(plt, fig, path, title, 1.02)
