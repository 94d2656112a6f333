"""Pictures of mechanisms: the file is written, non-empty, and the figure has the axes the
picture promises (amd plot on kind: mechanism)."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import amd
from amd.cli import app
from amd.plot import mechanism_figure


def labels(fig) -> set[str]:
    return {t for ax in fig.axes for t in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) if t}


@pytest.mark.parametrize("path, expected", [
    ("instances/auctions/myerson-irregular-2-bidders.yaml",
     {"value", "interim probability of winning", "expected payment", "ironed virtual value"}),
    ("instances/bilateral-trade/second-best-bic-midpoint10.yaml", {"buyer's value", "seller's cost"}),
    ("instances/bundling/manelli-vincent-midpoint10.yaml",
     {"value of item 1", "value of item 2", "probability of getting item 1", "probability of getting item 2"}),
])
def test_mechanism_pictures(path, expected, tmp_path):
    inst = amd.load(path)
    r = amd.solve(inst)
    fig = mechanism_figure(inst.environment, r.mechanism)
    assert expected <= labels(fig)
    out = tmp_path / "m.png"
    res = CliRunner().invoke(app, ["plot", path, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 5000


def test_an_irregular_auction_shows_its_ironed_interval():
    """Values 1, 2, 3, 4 with an irregular prior: the virtual values of 2 and 3 are ironed into one
    (the instance's own derivation), drawn as one shaded interval."""
    inst = amd.load("instances/auctions/myerson-irregular-2-bidders.yaml")
    fig = mechanism_figure(inst.environment, amd.solve(inst).mechanism)
    assert len(fig.axes[0].patches) == 1  # one ironed interval, [2, 3]


def test_other_mechanisms_are_refused_clearly(tmp_path):
    res = CliRunner().invoke(app, ["plot", "instances/public-goods/vcg-3-agents.yaml", "--out", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and "single-item auctions" in res.output


def test_value_against_prior_is_kamenica_gentzkows_concavification(tmp_path):
    """The prosecutor (convict iff P(guilty) ≥ 1/2; the prosecutor wants a conviction): without
    information v̂(μ) = [μ ≥ 1/2]; with the optimal signal V(μ) = min(2μ, 1), the concavification."""
    from amd.concepts.bce import value_against_prior

    inst = amd.load("instances/persuasion/prosecutor.yaml")
    mu, V, vhat = value_against_prior(inst, points=11)
    assert V == pytest.approx(np.minimum(2 * mu, 1), abs=1e-9)
    assert vhat == pytest.approx((mu >= 0.5).astype(float), abs=1e-9)
    out = tmp_path / "v.png"
    res = CliRunner().invoke(app, ["plot", "instances/persuasion/prosecutor.yaml", "--vs-prior", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 5000


def test_vs_prior_refuses_what_it_cannot_draw(tmp_path):
    res = CliRunner().invoke(app, ["plot", "instances/bce/chicken-max-welfare.yaml", "--vs-prior",
                                   "--out", str(tmp_path / "c.png")])
    assert res.exit_code == 2 and "states" in res.output


def test_a_30_by_30_game_stays_legible(tmp_path, monkeypatch):
    """Cournot 30×30: no numbers in the cells, at most about ten tick labels per axis."""
    import matplotlib.pyplot as plt

    from amd.plot import plot_outcome

    inst = amd.parse({"format": "amd/1", "kind": "information",
                      "family": {"name": "cournot", "firms": 2, "quantities": list(range(30)),
                                 "intercepts": [40, 60]}})
    r = amd.solve(inst)
    seen = []
    original = plt.Figure.savefig

    def keep(fig, *args, **kwargs):
        seen.append(fig)
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", keep)  # a spy: the figure is still written
    plot_outcome(inst.environment, r.outcome, tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 5000
    panels = [ax for ax in seen[0].axes if ax.get_xlabel()]
    assert len(panels) == 2
    for ax in panels:
        assert not ax.texts
        assert len(ax.get_xticklabels()) <= 10 and len(ax.get_yticklabels()) <= 10
