"""Constraint generation returns the full model's optimum and passes the full verifier."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import amd
from amd.models import direct_mechanism


@st.composite
def random_design(draw):
    n = draw(st.integers(1, 3))
    ks = [draw(st.integers(2, 4)) for _ in range(n)]
    n_out = draw(st.integers(2, 4))
    ic = draw(st.sampled_from(["dsic", "bic"]))
    ir = "expost" if ic == "dsic" else "interim"
    values, marginals = {}, {}
    for i in range(n):
        table = draw(st.lists(st.lists(st.integers(0, 5), min_size=n_out, max_size=n_out), min_size=ks[i], max_size=ks[i]))
        values[f"a{i}"] = {"private": table}
        w = np.array(draw(st.lists(st.integers(1, 4), min_size=ks[i], max_size=ks[i])), float)
        marginals[f"a{i}"] = (w / w.sum()).tolist()
    objective = draw(st.sampled_from(["revenue", "welfare"]))
    return amd.parse({
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": f"a{i}", "types": [f"t{j}" for j in range(ks[i])]} for i in range(n)],
        "prior": {"independent": marginals}, "outcomes": [f"o{j}" for j in range(n_out)], "values": values,
        "constraints": {"ic": ic, "ir": ir}, "objective": {"maximize": objective},
    })


def upward_core(env, ic, agents=None):
    """A deliberately poor core — only θ_i → θ_i + 1 — so that separation must do the work."""
    out = []
    for i, k in enumerate(env.shape[:agents]):
        mask = np.eye(k, k, 1, dtype=bool)
        if ic == "bic":
            out.append(mask)
        else:
            theta_i, _ = direct_mechanism._profile_axis(env, i)
            p, q = direct_mechanism.deviations(env, i)
            keep = mask[theta_i[p], theta_i[q]]
            out.append((p[keep], q[keep]))
    return out


@settings(max_examples=60, deadline=None)
@given(random_design())
def test_generation_equals_full_model(inst):
    full = amd.solve(inst, full=True)
    with mock.patch.object(direct_mechanism, "core_deviations", upward_core):
        lazy = amd.solve(inst, full=False)
    assert full.status == lazy.status == "optimal"
    assert lazy.certificate.verified
    assert lazy.objective == pytest.approx(full.objective, abs=1e-7)
    gen = lazy.details["constraint_generation"]
    assert gen["ic_rows_core"] + gen["ic_rows_added"] <= gen["ic_rows_full"]


def test_separation_adds_rows_from_a_poor_core():
    """Two bidders on (1, 2, 3): upward deviations alone let high types be overcharged; the
    verifier finds the downward ones and the optimum is Myerson's."""
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "family": {"name": "single_item", "bidders": 2, "values": [1, 2, 3]}})
    with mock.patch.object(direct_mechanism, "core_deviations", upward_core):
        lazy = amd.solve(inst, full=False)
    assert lazy.details["constraint_generation"]["rounds"] >= 1
    assert lazy.objective == pytest.approx(amd.solve(inst, full=True).objective, abs=1e-7)


@pytest.mark.parametrize("n, k, value", [(2, 30, None), (3, 10, 457 / 800)])
def test_generation_on_auction_grids(n, k, value):
    inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                      "family": {"name": "single_item", "bidders": n, "values": {"midpoint": k}}})
    lazy = amd.solve(inst, reduced=False)  # the LP (not Myerson's rule), large enough that generation is the default
    gen = lazy.details["constraint_generation"]
    assert gen["ic_rows_core"] < gen["ic_rows_full"] / 3
    full = amd.solve(inst, full=True)
    assert lazy.objective == pytest.approx(full.objective, abs=1e-7)
    if value is not None:
        assert lazy.objective == pytest.approx(value, abs=1e-7)
