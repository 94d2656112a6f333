"""Classic mechanisms have the properties theory gives them, checked by the verifier."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import amd
from amd import classic
from amd.cli import app
from amd.verifier import objective_value
from conftest import instance

MID10 = {"midpoint": 10}
FAMILIES = {
    "single_item": {"name": "single_item", "bidders": 2, "values": MID10},
    "additive_items": {"name": "additive_items", "buyers": 2, "items": 2, "values": [1, 2]},
    "unit_demand": {"name": "unit_demand", "buyers": 2, "items": 2, "values": [0, 1, 3]},
    "bilateral_trade": {"name": "bilateral_trade", "values": {"midpoint": 4}},
    "public_project": {"name": "public_project", "agents": 3, "values": [0, 1, 2], "cost": 2.5},
}
NONNEGATIVE = ["single_item", "additive_items", "unit_demand", "public_project"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("pivot", [False, True])
def test_vcg_is_dsic_everywhere(family, pivot):
    env = instance(FAMILIES[family]).environment
    assert classic.properties(env, classic.vcg(env, pivot=pivot))["dsic"].holds


@pytest.mark.parametrize("family", NONNEGATIVE)
def test_clarke_pivot_runs_no_deficit_and_is_ir(family):
    """With non-negative values Clarke's payments are ≥ 0 and u_i = W(x*) − max W_{-i} ≥ 0."""
    env = instance(FAMILIES[family]).environment
    props = classic.properties(env, classic.vcg(env, pivot=True))
    assert props["expost_weak_budget"].holds
    assert props["expost_ir"].holds


def test_groves_with_own_type_in_h_is_not_dsic():
    """h_i may not depend on θ_i: charging b1 his own value on top breaks DSIC."""
    env = instance(FAMILIES["single_item"]).environment
    h = classic.vcg(env).payments * 0
    h[0] = env.values[0][..., 1]  # b1's own value
    props = classic.properties(env, classic.vcg(env, h=h))
    assert not props["dsic"].holds and props["dsic"].worst["agent"] == "b1"


def test_agv_is_bic_and_budget_balanced_but_not_dsic():
    env = instance(FAMILIES["public_project"]).environment
    props = classic.properties(env, classic.agv(env))
    assert props["bic"].holds
    assert props["expost_budget"].holds
    dsic = props["dsic"]
    assert not dsic.holds
    assert dsic.worst["agent"] in env.agents and dsic.worst["gain"] > 0


@pytest.mark.parametrize("n, value", [(2, 181 / 400), (3, 457 / 800)])
def test_myerson_equals_the_lp_optimum(n, value):
    inst = instance({"name": "single_item", "bidders": n, "values": MID10})
    mech = classic.myerson(inst)
    assert objective_value(inst.environment, inst.design, mech) == pytest.approx(value, abs=1e-7)
    assert amd.solve(inst).objective == pytest.approx(value, abs=1e-7)
    assert amd.verify(inst.environment, inst.design, mech).verified


def test_myerson_irons_an_irregular_prior():
    """Values 1..4 w.p. (.1, .4, .1, .4): φ = (−8, 0.75, −1, 4) is not monotone; the lower
    convex hull of H(F) irons types 2 and 3 to slope 0.4. Two bidders: revenue
    = 4·(1 − .6²) + 0.4·(.6² − .1²) = 2.56 + 0.14 = 2.70, which the LP confirms."""
    import numpy as np

    phi = classic.ironed_virtual_values(np.array([1, 2, 3, 4.0]), np.array([0.1, 0.4, 0.1, 0.4]))
    assert phi == pytest.approx([-8, 0.4, 0.4, 4])
    inst = instance({"name": "single_item", "bidders": 2, "values": [1, 2, 3, 4], "prior": [0.1, 0.4, 0.1, 0.4]})
    mech = classic.myerson(inst)
    assert objective_value(inst.environment, inst.design, mech) == pytest.approx(2.70, abs=1e-7)
    assert amd.solve(inst).objective == pytest.approx(2.70, abs=1e-7)


def test_second_price_revenue():
    """E[min(v1, v2)] on the grid (2k+1)/20 is Σ_j (2j+1)(19−2j)/2000 = 670/2000. With reserve
    0.55: the 50 profiles with one value above it pay 0.55, the 25 with both above pay the
    lower value (Σ = .55·9 + .65·7 + .75·5 + .85·3 + .95 = 16.75): (27.5 + 16.75)/100 = 0.4425.
    That is 1/100 short of the discrete optimum 181/400: on a grid, the revenue-maximal price
    for a winner is the lowest *winning* report, one step above a tied loser's bid."""
    inst = instance(FAMILIES["single_item"])
    env = inst.environment
    assert objective_value(env, inst.design, classic.second_price(env)) == pytest.approx(0.335)
    reserve = classic.second_price(env, reserve=0.55)
    assert objective_value(env, inst.design, reserve) == pytest.approx(0.4425)
    assert classic.properties(env, reserve)["dsic"].holds
    best = amd.implementable(inst, reserve.allocation)  # same allocation, revenue-maximal payments
    assert objective_value(env, inst.design, best.mechanism) == pytest.approx(0.4525)


def test_posted_price_one_buyer():
    inst = instance({"name": "single_item", "bidders": 1, "values": MID10})
    mech = classic.posted_price(inst.environment, 0.55)
    assert objective_value(inst.environment, inst.design, mech) == pytest.approx(11 / 40)
    props = classic.properties(inst.environment, mech)
    assert props["dsic"].holds and props["expost_ir"].holds


def test_single_good_mechanisms_refuse_other_environments():
    env = instance(FAMILIES["additive_items"]).environment
    with pytest.raises(ValueError, match="single-good"):
        classic.second_price(env)


def test_classic_command(root, tmp_path):
    runner = CliRunner()
    f = root / "instances/auctions/myerson-2-bidders-midpoint10.yaml"
    out = tmp_path / "agv.json"
    r = runner.invoke(app, ["classic", str(f), "-m", "myerson", "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["objective"] == pytest.approx(181 / 400, abs=1e-7)
    assert data["properties"]["dsic"]["holds"] and data["properties"]["expost_ir"]["holds"]
    assert runner.invoke(app, ["verify", str(f), str(out)]).exit_code == 0
    r = runner.invoke(app, ["classic", str(f), "-m", "posted_price"])
    assert r.exit_code == 2 and "posted_price needs a price" in r.output


def _project(cost, **constraints):
    doc = {"format": "amd/1", "kind": "mechanism",
           "family": {"name": "public_project", "agents": 2, "values": [0, 1, 2], "cost": cost}}
    if constraints:
        doc["constraints"] = constraints
        doc["objective"] = {"maximize": "welfare"}
    return amd.parse(doc)


def test_clarke_runs_a_deficit_once_the_cost_is_counted():
    """Two agents, values 0, 1, 2 (uniform), cost 1.5. Clarke's pivot payments are never negative
    (payments alone: weakly balanced), but the designer pays the cost: at (2, 2) both pivots are 0
    and the project costs 1.5; at (1, 2) and (2, 1) one agent pays 0.5 (net −1); at (1, 1) each
    pays 0.5 (net −0.5); at (2, 0) the high agent pays 1.5 (net 0). Expected net:
    (−1.5 − 0.5 − 1 − 1)/9 = −4/9."""
    inst = _project(1.5)
    props = classic.properties(inst.environment, classic.vcg(inst.environment, pivot=True))
    assert props["expost_weak_budget"].holds
    net = props["expost_weak_budget_with_designer"]
    assert not net.holds and net.worst["surplus"] == pytest.approx(-1.5, abs=1e-9)
    assert net.worst["profile"] == {"a1": "2", "a2": "2"}
    ex = props["exante_weak_budget_with_designer"]
    assert not ex.holds and ex.worst["expected_surplus"] == pytest.approx(-4 / 9, abs=1e-9)


def test_bic_pays_for_the_project_out_of_its_own_budget():
    """BIC, no participation constraint, Σ_i t_i = C·[build] at every profile (the cost counted):
    the d'Aspremont–Gérard-Varet construction with the designer as a party still reaches the
    first best, E[(θ1 + θ2 − 1.5)⁺] = (0.5 + 0.5 + 1.5 + 0.5 + 1.5 + 2.5)/9 = 7/9."""
    inst = _project(1.5, ic="bic", ir="none", budget={"balance": "expost", "include_designer": True})
    assert inst.design.budget == "expost" and inst.design.budget_designer
    r = amd.solve(inst)
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(7 / 9, abs=1e-7)
    m = r.mechanism
    net = m.payments.sum(axis=0) + (m.allocation * inst.environment.designer_values).sum(axis=-1)
    assert np.abs(net).max() <= 1e-7  # the cost is paid by the agents, profile by profile



def test_ties_are_said_and_chosen(tmp_path):
    """A public project with cost 2 and values 0, 1, 2: Σθ = C at (0, 2), (1, 1), (2, 0). The
    textbook rule builds when Σθ ≥ C (P(build) = 6/9); the first-outcome rule only when Σθ > C
    (3/9). Either way Clarke is DSIC and welfare is E[(Σθ − 2)⁺] = (1 + 1 + 2)/9 = 4/9."""
    inst = _project(2)
    env = inst.environment
    assert classic.default_ties(env) == "last"
    for ties, p_build in (("last", 6 / 9), ("first", 3 / 9)):
        m = classic.build("clarke", inst, ties=ties)
        assert float((env.prior * m.allocation[..., 1]).sum()) == pytest.approx(p_build, abs=1e-12)
        assert amd.verify(env, classic.PROPERTIES["dsic"], m).verified
        welfare = float((env.prior * (m.allocation * classic.welfare(env)).sum(axis=-1)).sum())
        assert welfare == pytest.approx(4 / 9, abs=1e-12)
    f = tmp_path / "p.yaml"
    f.write_text(json.dumps({"format": "amd/1", "kind": "mechanism",
                             "family": {"name": "public_project", "agents": 2, "values": [0, 1, 2], "cost": 2}}))
    runner = CliRunner()
    out = json.loads(runner.invoke(app, ["classic", str(f), "-m", "clarke", "--json"]).output)
    assert out["ties"] == "last"
    bad = runner.invoke(app, ["classic", str(f), "-m", "clarke", "--ties", "coin"])
    assert bad.exit_code == 2 and "--ties" in bad.output


def test_an_auction_splits_tied_top_bids():
    """Second price, two bidders with values 1 or 2 (uniform): at (2, 2) each wins with
    probability 1/2 and pays 2; revenue 1/4·2 + 3/4·1 = 1.25 whatever the tie rule."""
    inst = amd.load("instances/auctions/two-bidders-two-values.yaml")
    env = inst.environment
    assert classic.default_ties(env) == "uniform"
    m = classic.build("second_price", inst)
    assert m.allocation[1, 1].tolist() == pytest.approx([0.0, 0.5, 0.5])
    assert m.payments[:, 1, 1].tolist() == pytest.approx([1.0, 1.0])  # expected: 2 with probability 1/2
    assert objective_value(env, inst.design, m) == pytest.approx(1.25, abs=1e-12)
    assert amd.verify(inst, m).verified
