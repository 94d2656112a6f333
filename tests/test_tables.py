"""Results in notebooks: to_frame() and to_xarray() for every kind of result, with the
probability as a column, and the HTML a notebook shows."""

from __future__ import annotations

import pytest

import amd

pd = pytest.importorskip("pandas")


def test_a_mechanism_frame_has_the_profile_probability():
    r = amd.solve("instances/auctions/two-bidders-two-values.yaml")
    df = r.to_frame()
    assert list(df.columns[:3]) == ["b1", "b2", "p(θ)"] and df["p(θ)"].sum() == pytest.approx(1)
    # revenue recomputed from the table: Σ p(θ) Σ_i t_i(θ) = the objective (1.5)
    assert (df["p(θ)"] * (df["t[b1]"] + df["t[b2]"])).sum() == pytest.approx(r.objective)


def test_an_information_frame_lists_the_outcome_with_mass():
    r = amd.solve("instances/bce/chicken-max-welfare.yaml")
    df = r.to_frame()
    assert set(df.columns) == {"state", "row", "col", "π(θ,a)", "π(a|θ)"}
    assert df["π(θ,a)"].sum() == pytest.approx(1) and len(df) == 3  # Aumann's CE: (C,C), (C,D), (D,C)


def test_a_plan_frame_has_one_row_per_node():
    r = amd.solve("instances/dynamic/durable-lecture.yaml")
    df = r.to_frame()
    assert len(df) == len(r.details.plan) and {"period", "probability", "trade[high]"} <= set(df.columns)


def test_a_tree_frame_has_the_leaves_reached():
    df = amd.solve("instances/extensive/entry-deterrence.yaml").to_frame()
    assert {"state", "leaf", "π(θ,z)"} == set(df.columns) and df["π(θ,z)"].sum() == pytest.approx(1)


def test_xarray_names_the_dimensions():
    pytest.importorskip("xarray")
    ds = amd.solve("instances/auctions/two-bidders-two-values.yaml").to_xarray()
    assert ds["allocation"].dims == ("b1", "b2", "outcome") and float(ds["prior"].sum()) == pytest.approx(1)
    da = amd.solve("instances/bce/chicken-max-welfare.yaml").to_xarray()
    assert da.dims == ("state", "row", "col") and float(da.sel(row="C", col="C").sum()) == pytest.approx(0.5)


def test_notebooks_show_a_table_and_the_certificate():
    r = amd.solve("instances/auctions/myerson-2-bidders-midpoint10.yaml", exact=True)
    page = r._repr_html_()
    assert "<table>" in page and "181/400" in page and "verified" in page and "more rows" in page
    assert "<table>" in r.mechanism._repr_html_() and "verified" in r.certificate._repr_html_()
