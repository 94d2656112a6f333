"""Symmetric (anonymous) mechanisms for exchangeable agents: same optimum, fewer columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import amd
from amd.models.symmetry import orbits


@st.composite
def exchangeable(draw):
    n = draw(st.integers(2, 3))
    k = draw(st.integers(2, 4))
    grid = sorted(set(draw(st.lists(st.integers(0, 6), min_size=k, max_size=k))))
    w = np.array(draw(st.lists(st.integers(1, 4), min_size=len(grid), max_size=len(grid))), float)
    family = draw(st.sampled_from(["single_item", "additive_items"]))
    fam = {"name": family, "values": grid, "prior": (w / w.sum()).tolist()}
    fam.update({"bidders": n} if family == "single_item" else {"buyers": 2, "items": 2})
    ic = draw(st.sampled_from(["dsic", "bic"]))
    return amd.parse({"format": "amd/1", "kind": "mechanism", "family": fam,
                      "constraints": {"ic": ic, "ir": "expost" if ic == "dsic" else "interim"},
                      "objective": {"maximize": draw(st.sampled_from(["revenue", "welfare"]))}})


@settings(max_examples=40, deadline=None)
@given(exchangeable())
def test_symmetric_optimum_equals_full(inst):
    sym = amd.solve(inst)
    plain = amd.solve(inst, symmetric=False, full=True)
    assert "symmetry" in sym.details
    assert sym.status == plain.status == "optimal"
    assert sym.certificate.verified  # the exploded mechanism, checked in full
    assert sym.objective == pytest.approx(plain.objective, abs=1e-7)


def test_the_exploded_mechanism_is_anonymous():
    """Swapping the bidders' types swaps who wins and who pays."""
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "family": {"name": "single_item", "bidders": 2, "values": {"midpoint": 10}}})
    r = amd.solve(inst)
    x, t = r.mechanism.allocation, r.mechanism.payments
    assert np.allclose(x[..., 1], x[..., 2].T) and np.allclose(t[0], t[1].T)
    assert r.objective == pytest.approx(181 / 400, abs=1e-7)
    assert r.details["symmetry"]["columns_symmetric"] < r.details["symmetry"]["columns_full"] / 1.9


def test_asymmetric_priors_are_not_merged():
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "agents": [{"name": "a", "types": ["1", "2"]}, {"name": "b", "types": ["1", "2"]}],
                      "prior": {"independent": {"a": [0.5, 0.5], "b": [0.3, 0.7]}}, "outcomes": ["none", "a", "b"],
                      "values": {"a": {"private": [[0, 1, 0], [0, 2, 0]]}, "b": {"private": [[0, 0, 1], [0, 0, 2]]}}})
    assert orbits(inst.environment, True) is None
    assert "symmetry" not in amd.solve(inst).details
