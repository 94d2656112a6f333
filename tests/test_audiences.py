"""Information design beyond the uninformed, privately advised audience: players with prior
private information (Bergemann & Morris's BCE(G, S)), a public signal, and informing only some
players. Every expected value is derived in the test or computed by an LP written here from the
definitions (scipy's linprog), not read off amd."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

import amd

CHICKEN = {"row": [[6, 2], [7, 0]], "col": [[6, 7], [2, 0]]}
CHICKEN_WELFARE = [[12, 9], [9, 0]]


def information(**keys) -> dict:
    return {"format": "amd/1", "kind": "information", "solution": "bce", "objective": "maximize", **keys}


def test_types_that_reveal_the_state_give_each_states_correlated_equilibrium():
    """Chicken in state s1, chicken with doubled payoffs in s2, prior 1/2 each, and each player
    learns the state as its type. Obedience is then conditional on the state, so BCE(G, S) is a
    correlated equilibrium state by state: max welfare = ½·10.5 + ½·21 = 15.75 (Aumann's CE value
    10.5, doubled in s2). Without the types the players may be kept uncertain about the state."""
    double = {p: np.multiply(u, 2).tolist() for p, u in CHICKEN.items()}
    doc = information(states=["s1", "s2"], prior=[[[0.5, 0], [0, 0]], [[0, 0], [0, 0.5]]],
                      players=[{"name": "row", "actions": ["C", "D"], "types": ["s1", "s2"]},
                               {"name": "col", "actions": ["C", "D"], "types": ["s1", "s2"]}],
                      payoffs={p: [CHICKEN[p], double[p]] for p in CHICKEN},
                      designer=[CHICKEN_WELFARE, np.multiply(CHICKEN_WELFARE, 2).tolist()])
    r = amd.solve(amd.parse(doc))
    assert r.status == "optimal" and r.objective == pytest.approx(15.75, abs=1e-9)
    assert amd.parse(doc).environment.states == ("s1 | s1, s1", "s2 | s2, s2")


def _first_price(values, bids):
    """Two bidders with private values on ``values`` (independent, uniform) and bids on ``bids``;
    the highest bid wins and pays its bid, ties split evenly. The state is the value profile, and
    each bidder's type is its own value."""
    V, B = len(values), len(bids)
    states = [f"{a},{b}" for a in values for b in values]
    u = np.zeros((2, V * V, B, B))
    revenue = np.zeros((V * V, B, B))
    for s, (i1, i2) in enumerate(itertools.product(range(V), repeat=2)):
        for b1, b2 in itertools.product(range(B), repeat=2):
            w1 = 1.0 if b1 > b2 else 0.5 if b1 == b2 else 0.0
            u[0, s, b1, b2] = w1 * (values[i1] - bids[b1])
            u[1, s, b1, b2] = (1 - w1) * (values[i2] - bids[b2])
            revenue[s, b1, b2] = bids[max(b1, b2)]
    prior = np.zeros((V * V, V, V))
    for s, (i1, i2) in enumerate(itertools.product(range(V), repeat=2)):
        prior[s, i1, i2] = 1 / (V * V)
    labels = [str(b) for b in bids]
    doc = information(states=states, prior=prior.tolist(),
                      players=[{"name": f"b{i + 1}", "actions": labels, "types": [str(v) for v in values]}
                               for i in range(2)],
                      payoffs={"b1": u[0].tolist(), "b2": u[1].tolist()}, designer=revenue.tolist())
    return doc, u, revenue


def _bce_by_definition(u, revenue, values, sense):
    """The BCE(G, S) LP written from Bergemann–Morris's definition for the auction above:
    variables π(v1, v2, b1, b2) ≥ 0, Σ_b π(v, b) = 1/|V|², and for each bidder i, value v_i,
    recommended bid b and deviation b', Σ_{v_-i, b_-i} π [u_i(b) − u_i(b', b_-i)] ≥ 0."""
    V = len(values)
    S, B = u.shape[1], u.shape[2]
    idx = np.arange(S * B * B).reshape(S, B, B)
    A_eq = np.zeros((S, S * B * B))
    for s in range(S):
        A_eq[s, idx[s].ravel()] = 1
    rows = []
    for i in range(2):
        for own in range(V):
            mine = [s for s in range(S) if (s // V if i == 0 else s % V) == own]
            for r, d in itertools.permutations(range(B), 2):
                row = np.zeros(S * B * B)
                for s in mine:
                    for o in range(B):
                        a, dev = ((r, o), (d, o)) if i == 0 else ((o, r), (o, d))
                        row[idx[s][a]] -= u[i, s][a] - u[i, s][dev]
                rows.append(row)
    c = revenue.ravel() * (-1 if sense == "maximize" else 1)
    res = linprog(c, A_ub=np.array(rows), b_ub=np.zeros(len(rows)), A_eq=A_eq, b_eq=np.full(S, 1 / S),
                  bounds=(0, None), method="highs")
    assert res.status == 0
    return float(res.fun) * (-1 if sense == "maximize" else 1)


@pytest.mark.parametrize("sense", ["maximize", "minimize"])
def test_first_price_auction_revenue_over_all_extra_information(sense):
    """Bergemann, Brooks & Morris (2017) ask for the revenue of a first-price auction over all
    information the bidders may have beyond their private values: the max and min of revenue
    over BCE(G, S). amd's value equals the LP written from the definition."""
    values, bids = [1, 2], [0, 0.5, 1, 1.5]
    doc, u, revenue = _first_price(values, bids)
    r = amd.solve(amd.parse(doc | {"objective": sense}))
    assert r.status == "optimal"
    assert r.objective == pytest.approx(_bce_by_definition(u, revenue, values, sense), abs=1e-8)


def test_first_price_with_types_is_not_the_uninformed_bce():
    """Knowing one's own value restricts the designer: without the types (bidders told nothing
    but the recommendation) revenue can be pushed higher, never lower."""
    doc, *_ = _first_price([1, 2], [0, 0.5, 1, 1.5])
    with_types = amd.solve(amd.parse(doc)).objective
    plain = dict(doc)
    plain["players"] = [{k: v for k, v in p.items() if k != "types"} for p in doc["players"]]
    plain["prior"] = [0.25] * 4
    assert amd.solve(amd.parse(plain)).objective >= with_types - 1e-9


def _two_receivers(signal):
    """A state ω ∈ {0, 1} with P(ω = 1) = 0.3; receiver j acts iff P(ω = 1) ≥ c_j, c = (1/2, 4/5)
    (u_j(act) = ω − c_j, u_j(wait) = 0); the designer gains 1 per receiver who acts."""
    return information(states=["0", "1"], prior=[0.7, 0.3],
                       players=[{"name": "r1", "actions": ["wait", "act"]}, {"name": "r2", "actions": ["wait", "act"]}],
                       payoffs={"r1": [[[0, 0], [-0.5, -0.5]], [[0, 0], [0.5, 0.5]]],
                                "r2": [[[0, -0.8], [0, -0.8]], [[0, 0.2], [0, 0.2]]]},
                       designer=[[[0, 1], [1, 2]], [[0, 1], [1, 2]]], signal=signal)


def test_public_persuasion_is_the_concavification_of_a_common_posterior():
    """Public: everyone holds the same posterior μ, worth v(μ) = [μ ≥ 1/2] + [μ ≥ 4/5]; the
    concavification at 0.3 splits the prior into μ = 0 and μ = 4/5 (weight 3/8): 2·3/8 = 3/4
    (the split onto 1/2 gives only 0.3/0.5 = 0.6). Private signals persuade each receiver on
    its own: 0.3/0.5 + 0.3/0.8 = 0.975."""
    public = amd.solve(amd.parse(_two_receivers("public")))
    private = amd.solve(amd.parse(_two_receivers("private")))
    assert public.status == private.status == "optimal"
    assert public.objective == pytest.approx(0.75, abs=1e-9)
    assert private.objective == pytest.approx(0.975, abs=1e-9)
    # the public outcome, checked as a private one, is obedient too (public ⊂ private)
    inst = amd.parse(_two_receivers("private"))
    assert amd.information.verify_outcome(inst.environment, public.outcome).verified


def test_a_private_outcome_fails_the_public_check_and_says_whom():
    inst = amd.parse(_two_receivers("public"))
    private = amd.solve(amd.parse(_two_receivers("private")))
    cert = amd.information.verify_outcome(inst.environment, private.outcome)
    assert not cert.verified and cert.checks["obedience"].worst["others_recommended"] in ("wait", "act")


INVESTMENT = information(states=["bad", "good"], prior=[0.5, 0.5],
                         players=[{"name": "f1", "actions": ["stay", "invest"]},
                                  {"name": "f2", "actions": ["stay", "invest"]}],
                         payoffs={"f1": [[[0, 0], [-1, -1]], [[0, 0], [0.55, 0.55]]],
                                  "f2": [[[0, -1], [0, -1]], [[0, 0.55], [0, 0.55]]]},
                         designer=[[[0, 1], [1, 2]], [[0, 1], [1, 2]]])


def test_informing_one_of_two_firms():
    """Bergemann–Morris's investment game with two firms (invest: −1 if bad, 0.55 if good, prior
    1/2; the designer counts investments). Informed, each firm invests with probability
    1/2 + 1/2·0.55 = 0.775 (persuasion: all good states and 0.55 of the bad ones); uninformed,
    a firm expects ½(−1) + ½(0.55) < 0 and stays. Informing f1 only: 0.775 (both: 1.55)."""
    r = amd.solve(amd.parse(INVESTMENT | {"informed": ["f1"]}))
    assert r.status == "optimal" and r.objective == pytest.approx(0.775, abs=1e-9)
    assert r.details.uninformed_strategy == {"f2": {"-": "stay"}}
    assert r.certificate.checks["uninformed"].max_violation == 0
    both = amd.solve(amd.parse(INVESTMENT | {"informed": ["f1", "f2"]}))
    assert both.objective == pytest.approx(1.55, abs=1e-9)


def test_an_uninformed_player_who_would_mix_gives_bounds_not_an_optimum():
    """Chicken with one state and only 'row' informed: the designer cannot correlate the players,
    so the outcomes are the Nash equilibria. Pure ones give welfare 9; the mixed one (each plays C
    with probability 2/3) gives 12·4/9 + 9·4/9 = 28/3; the correlated equilibrium 10.5 bounds all.
    amd searches pure strategies of the uninformed exactly, so it answers [9, 10.5] — bounded,
    and the true 28/3 lies inside."""
    doc = information(states=["s"], prior=[1], players=[{"name": "row", "actions": ["C", "D"]},
                                                         {"name": "col", "actions": ["C", "D"]}],
                      payoffs={p: [u] for p, u in CHICKEN.items()}, designer=[CHICKEN_WELFARE], informed=["row"])
    r = amd.solve(amd.parse(doc))
    assert r.status == "bounded" and r.objective == pytest.approx(9)
    lo, hi = r.details.bounds
    assert lo == pytest.approx(9) and hi == pytest.approx(10.5) and lo <= 28 / 3 <= hi


@pytest.mark.parametrize("keys, path", [
    ({"informed": ["f3"]}, "informed[0]"),
    ({"informed": ["f1", "f1"]}, "informed[1]"),
    ({"informed": ["f1"], "signal": "public"}, "informed"),
    ({"solution": "sequential", "signal": "public"}, "signal"),
    ({"players": [{"name": "f1", "actions": ["stay", "invest"], "types": ["a", "a"]},
                  {"name": "f2", "actions": ["stay", "invest"]}]}, "players[0].types[1]"),
    ({"players": [{"name": "f1", "actions": ["stay", "invest"], "types": ["a", "b"]},
                  {"name": "f2", "actions": ["stay", "invest"]}]}, "prior[0]"),
    ({"solution": "sequential", "players": [{"name": "f1", "actions": ["stay", "invest"], "types": ["a"]},
                                            {"name": "f2", "actions": ["stay", "invest"]}]}, "players[0].types"),
])
def test_audience_errors_name_the_key(keys, path):
    with pytest.raises(amd.InstanceError) as e:
        amd.parse(INVESTMENT | keys)
    assert e.value.path == path


def test_verify_accepts_a_signal_structure(tmp_path):
    """KG's prosecutor: the signal 'convict always when guilty, with probability 3/7 when innocent'
    is obedient and convicts with probability 0.3 + 0.7·3/7 = 0.6; 'always convict' is not."""
    import json
    import subprocess
    import sys

    import yaml

    inst = tmp_path / "judge.yaml"
    inst.write_text(yaml.safe_dump(information(
        states=["innocent", "guilty"], prior=[0.7, 0.3], players=[{"name": "judge", "actions": ["acquit", "convict"]}],
        payoffs={"judge": [[1, 0], [0, 1]]}, designer=[[0, 1], [0, 1]])))
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"signal": [["4/7", "3/7"], [0, 1]], "objective": 0.6}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"signal": [[0, 1], [0, 1]]}))
    run = [sys.executable, "-m", "amd", "verify", str(inst)]
    ok = subprocess.run(run + [str(good), "--json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["certificate"]["verified"] and abs(report["objective"] - 0.6) < 1e-9
    no = subprocess.run(run + [str(bad), "--json"], capture_output=True, text=True)
    assert json.loads(no.stdout)["certificate"]["checks"]["obedience"]["holds"] is False
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"signal": [[0.5, 0.4], [0, 1]]}))
    err = subprocess.run(run + [str(short)], capture_output=True, text=True)
    assert err.returncode == 2 and "signal[0]" in err.stderr and "Traceback" not in err.stderr

