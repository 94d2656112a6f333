"""Pictures of mechanisms: the file is written, non-empty, and the figure has the axes the
picture promises (amd plot on kind: mechanism)."""

from __future__ import annotations

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
