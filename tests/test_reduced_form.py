"""The interim reduced form (Border's inequalities, lottery over hierarchies) for single-item BIC."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
from conftest import ROOT, instance
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import amd
from amd.border import (
    Classes,
    Lottery,
    caratheodory,
    ex_post_allocation,
    hierarchy_allocation,
    violated_sets,
)
from amd.cli import app

TOL = 1e-7


def myerson_uniform_midpoint(n: int, K: int) -> float:
    """Myerson's revenue for n iid bidders, values (2t+1)/(2K) uniform: the discrete virtual
    value (4t + 3 − 2K)/(2K) is increasing, and revenue = E[max(φ(max type), 0)]."""
    return float(sum(max(Fraction(4 * t + 3 - 2 * K, 2 * K), 0) * (Fraction(t + 1, K) ** n - Fraction(t, K) ** n)
                     for t in range(K)))


@pytest.mark.parametrize(("n", "expected"), [(2, Fraction(181, 400)), (3, Fraction(457, 800))])
@pytest.mark.parametrize("ir", ["interim", "expost"])
def test_reduced_form_equals_discrete_myerson(n, expected, ir):
    inst = instance({"name": "single_item", "bidders": n, "values": {"midpoint": 10}}, ic="bic", ir=ir)
    r = amd.solve(inst, reduced=True)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(float(expected), abs=TOL)
    assert "reduced_form" in r.details
    # the lottery exploded into an explicit mechanism passes the full verifier, ex-post IR included
    assert r.mechanism is not None and r.certificate.verified
    assert {"bic", f"{ir}_ir", "border", "ex_post_lottery"} <= set(r.certificate.checks)


def test_myerson_formula_matches_the_papers_values():
    assert myerson_uniform_midpoint(2, 10) == pytest.approx(181 / 400, abs=1e-15)
    assert myerson_uniform_midpoint(3, 10) == pytest.approx(457 / 800, abs=1e-15)


def test_ten_bidders_hundred_types():
    """100^10 profiles: only the reduced form can answer; it must give Myerson's revenue."""
    inst = amd.load(ROOT / "instances/auctions/myerson-10-bidders-bic-midpoint100.yaml")
    r = amd.solve(inst)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(myerson_uniform_midpoint(10, 100), abs=TOL)
    assert r.mechanism is None  # too large to write out; the lottery describes it
    form = r.details["reduced_form"]
    assert form["classes"] == [10]
    lottery = form["ex_post"]["lottery"]
    assert sum(h["weight"] for h in lottery) == pytest.approx(1.0, abs=1e-9)
    assert r.certificate.verified and r.certificate.checks["ex_post_lottery"].holds


@st.composite
def random_auction(draw):
    """1–3 bidders, 1–4 distinct values each, random marginals; alike bidders half the time."""
    n = draw(st.integers(1, 3))
    symmetric = draw(st.booleans())

    def bidder():
        k = draw(st.integers(1, 4))
        grid = sorted(draw(st.lists(st.integers(0, 8), min_size=k, max_size=k, unique=True)))
        w = draw(st.lists(st.integers(1, 4), min_size=k, max_size=k))
        return grid, [x / sum(w) for x in w]

    drawn = [bidder()] * n if symmetric else [bidder() for _ in range(n)]
    values = {}
    for i, (grid, _) in enumerate(drawn):
        values[f"b{i}"] = {"private": [[v if o == i + 1 else 0 for o in range(n + 1)] for v in grid]}
    return amd.parse({
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": f"b{i}", "types": [f"t{j}" for j in range(len(g))]} for i, (g, _) in enumerate(drawn)],
        "prior": {"independent": {f"b{i}": m for i, (_, m) in enumerate(drawn)}},
        "outcomes": ["none"] + [f"b{i}" for i in range(n)], "values": values,
        "constraints": {"ic": "bic", "ir": draw(st.sampled_from(["interim", "expost", "exante"])),
                        "budget": draw(st.sampled_from(["none", "exante_weak"]))},
        "objective": {"maximize": draw(st.sampled_from(["revenue", "welfare"]))},
    })


@settings(max_examples=60, deadline=None)
@given(random_auction())
def test_reduced_form_equals_full_model(inst):
    full = amd.solve(inst, reduced=False)
    reduced = amd.solve(inst, reduced=True)
    assert reduced.status == full.status
    if full.status == "optimal":
        assert reduced.objective == pytest.approx(full.objective, abs=1e-6)
        assert reduced.certificate.verified  # the full verifier on the exploded lottery


def _classes(rng, n_classes):
    sizes = rng.integers(1, 3, n_classes)
    marginals = tuple(rng.dirichlet(np.ones(k)) for k in rng.integers(1, 4, n_classes))
    members, start = [], 0
    for m in sizes:
        members.append(tuple(range(start, start + m)))
        start += m
    return Classes(marginals, np.asarray(sizes), tuple(members))


def test_border_separation_is_exact():
    """The most violated Border set over *all* 2^N sets, by enumeration, on random rules."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        cl = _classes(rng, rng.integers(1, 4))
        q = [np.round(rng.uniform(0, 1, len(f)) * rng.uniform(0.2, 1), 2) for f in cl.marginals]
        bidders = [c for c, ms in enumerate(cl.members) for _ in ms]
        best = 0.0
        for subsets in itertools.product(*[range(1 << len(cl.marginals[c])) for c in bidders]):
            lhs, free = 0.0, 1.0
            for c, bits in zip(bidders, subsets):
                S = [t for t in range(len(cl.marginals[c])) if bits >> t & 1]
                lhs += sum(cl.marginals[c][t] * q[c][t] for t in S)
                free *= 1 - sum(cl.marginals[c][t] for t in S)
            best = max(best, lhs - (1 - free))
        found = violated_sets(cl, q, tolerance=-np.inf, limit=1)
        assert max(found[0].violation, 0.0) == pytest.approx(best, abs=1e-12)


def test_hierarchy_interim_rule_matches_its_ex_post_rule():
    rng = np.random.default_rng(1)
    for _ in range(100):
        cl = _classes(rng, rng.integers(1, 4))
        scores = [rng.integers(-1, 3, len(f)).astype(float) for f in cl.marginals]  # many ties
        of = [c for c, ms in enumerate(cl.members) for _ in ms]
        x = ex_post_allocation(cl, Lottery([cl.flat(scores)], np.ones(1)), tuple(len(cl.marginals[c]) for c in of))
        assert np.all(x.sum(axis=-1) <= 1 + 1e-12)
        prior = np.ones(())
        for c in of:
            prior = np.multiply.outer(prior, cl.marginals[c])
        q = hierarchy_allocation(cl, scores)
        for i, c in enumerate(of):
            others = tuple(a for a in range(len(of)) if a != i)
            np.testing.assert_allclose((prior * x[..., i]).sum(axis=others) / cl.marginals[c], q[c], atol=1e-12)


def test_caratheodory_recovers_random_lotteries():
    rng = np.random.default_rng(2)
    for _ in range(60):
        cl = _classes(rng, rng.integers(1, 4))
        weights = rng.dirichlet(np.ones(3)) * rng.uniform(0.5, 1)
        q = sum(w * cl.flat(hierarchy_allocation(cl, [rng.normal(size=len(f)) for f in cl.marginals]))
                for w in weights)
        lottery, rest = caratheodory(cl, cl.split(q))
        back = sum(w * cl.flat(hierarchy_allocation(cl, cl.split(s))) for s, w in zip(lottery.scores, lottery.weights))
        assert np.abs(back - q).max() < 1e-8
        assert lottery.weights.sum() <= 1 + 1e-12
        assert cl.flat(rest).max(initial=0) < 1e-8


def test_huge_instance_outside_the_reduced_form_is_a_clear_error(tmp_path):
    f = tmp_path / "big.yaml"
    f.write_text("format: amd/1\nkind: mechanism\nfamily: {name: single_item, bidders: 10, values: {midpoint: 100}}\n"
                 "constraints: {ic: dsic, ir: expost, budget: expost_weak}\n")  # no theorem answers it
    res = CliRunner().invoke(app, ["validate", str(f)])
    assert res.exit_code == 2
    assert "constraints" in res.output and "ic: bic" in res.output and "Traceback" not in res.output


def test_reduced_flag_where_it_does_not_apply(tmp_path):
    f = tmp_path / "yao.yaml"
    f.write_text("format: amd/1\nkind: mechanism\nfamily: {name: additive_items, buyers: 2, items: 2, values: [1, 2]}\n"
                 "constraints: {ic: bic, ir: interim}\n")
    res = CliRunner().invoke(app, ["solve", str(f), "--reduced"])
    assert res.exit_code == 2
    assert "reduced form does not apply" in res.output and "single-item" in res.output


def test_a_reduced_form_result_is_read_back_by_verify(tmp_path):
    """SPEC §3: a file written by --out can be read back by amd verify — also when the
    mechanism is too large to write out and the result holds the interim rule and lottery."""
    path = str(ROOT / "instances/auctions/myerson-10-bidders-bic-midpoint100.yaml")
    out = tmp_path / "r.json"
    runner = CliRunner()
    assert runner.invoke(app, ["solve", path, "--out", str(out)]).exit_code == 0
    ok = runner.invoke(app, ["verify", path, str(out), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["objective"] == pytest.approx(myerson_uniform_midpoint(10, 100), abs=TOL)
    data = json.loads(out.read_text())
    data["reduced_form"]["interim"]["b3"]["payment"][99] += 0.5  # the top type now prefers to shade
    out.write_text(json.dumps(data))
    bad = runner.invoke(app, ["verify", path, str(out), "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.output)["certificate"]["checks"]["bic"]["worst"]["agent"] == "b3"
