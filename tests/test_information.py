"""Information design: values from Kamenica–Gentzkow, Bergemann–Morris and correlated equilibrium."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import amd
from amd.information import verify_outcome

TOL = 1e-7


def game(states, prior, players, payoffs, designer, solution="bce", objective="maximize"):
    return amd.parse({
        "format": "amd/1", "kind": "information", "name": "test", "states": states, "prior": prior,
        "players": [{"name": p, "actions": a} for p, a in players], "payoffs": payoffs,
        "designer": designer, "solution": solution, "objective": objective,
    })


PROSECUTOR = dict(states=["innocent", "guilty"], prior=[0.7, 0.3], players=[("judge", ["acquit", "convict"])],
                  payoffs={"judge": [[1, 0], [0, 1]]}, designer=[[0, 1], [0, 1]])


def test_prosecutor():
    """Convict iff P(guilty) ≥ 1/2; prior 0.3: the best signal sends 'convict' always when
    guilty and w.p. q when innocent with 0.3 = 0.7 q (posterior exactly 1/2): q = 3/7, and
    P(convict) = 0.3 + 0.7·3/7 = 0.6 (Kamenica & Gentzkow 2011)."""
    r = amd.solve(game(**PROSECUTOR))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(0.6, abs=TOL)
    assert r.details["signals"][0][1] == pytest.approx(3 / 7, abs=TOL)
    assert r.details["posteriors"][1][1] == pytest.approx(0.5, abs=TOL)  # P(guilty | convict)
    # the judge is right when acquitting the innocent (0.7 − 0.3) and convicting the guilty (0.3)
    assert r.details["player_payoffs"]["judge"] == pytest.approx(0.4 + 0.3, abs=TOL)


def test_full_disclosure_is_a_bce_worth_the_prior():
    """Revealing the state convicts exactly the guilty: P(convict) = 0.3."""
    g = game(**PROSECUTOR).environment
    pi = np.array([[0.7, 0.0], [0.0, 0.3]])
    assert verify_outcome(g, pi).verified
    assert (pi * g.designer).sum() == pytest.approx(0.3)


def test_adversarial_prosecutor_never_convicts():
    """With no information the judge acquits (0.3 < 1/2): the worst BCE convicts nobody."""
    assert amd.solve(game(**PROSECUTOR, objective="minimize")).objective == pytest.approx(0.0, abs=TOL)


@pytest.mark.parametrize("x", [0.55, 0.2, 1.0])
def test_investment_bergemann_morris(x):
    """Invest pays −1 in the bad state, x in the good; prior 1/2. Obedience to 'invest' needs
    P(good | invest) ≥ 1/(1+x), so at most P(bad, invest) = x/2: P(invest) = (1+x)/2."""
    r = amd.solve(game(states=["bad", "good"], prior=[0.5, 0.5], players=[("firm", ["stay", "invest"])],
                       payoffs={"firm": [[0, -1], [0, x]]}, designer=[[0, 1], [0, 1]]))
    assert r.objective == pytest.approx((1 + x) / 2, abs=TOL)


CHICKEN = dict(states=["s"], prior=[1], players=[("row", ["C", "D"]), ("col", ["C", "D"])],
               payoffs={"row": [[[6, 2], [7, 0]]], "col": [[[6, 7], [2, 0]]]},
               designer=[[[12, 9], [9, 0]]])


def test_chicken_uniform_on_three_cells_is_a_correlated_equilibrium():
    """Aumann (1974): told C, the other is C or D with prob 1/2 each: C gives 4, D gives 3.5;
    told D, the other is C: D gives 7, C gives 6."""
    g = game(**CHICKEN).environment
    pi = np.array([[[1 / 3, 1 / 3], [1 / 3, 0]]])
    assert verify_outcome(g, pi).verified


def test_chicken_welfare_over_correlated_equilibria():
    """Maximal welfare 10.5 (1/2 on (C,C), 1/4 on each of (C,D), (D,C)); minimal 7.2."""
    assert amd.solve(game(**CHICKEN)).objective == pytest.approx(10.5, abs=TOL)
    assert amd.solve(game(**CHICKEN, objective="minimize")).objective == pytest.approx(7.2, abs=TOL)


def prisoners_dilemma(g, A=3.0, b=1.0, solution="bce"):
    return game(states=["s"], prior=[1], players=[("p1", ["C", "D"]), ("p2", ["C", "D"])],
                payoffs={"p1": [[[g, 0], [A, b]]], "p2": [[[g, A], [0, b]]]},
                designer=[[[1, 0], [0, 0]]], solution=solution)


@pytest.mark.parametrize("g", [1.9, 2.0, 2.9])
def test_prisoners_dilemma_bce_never_cooperates(g):
    """D strictly dominates C, so no obedient recommendation says C: P(C,C) = 0."""
    assert amd.solve(prisoners_dilemma(g)).objective == pytest.approx(0.0, abs=TOL)


def test_information_errors_name_the_key():
    with pytest.raises(amd.InstanceError) as e:
        game(**{**PROSECUTOR, "payoffs": {"judge": [[1, 0], [0]]}})
    assert e.value.path == "payoffs.judge[1]"
    with pytest.raises(amd.InstanceError) as e:
        game(**{**PROSECUTOR, "prior": [0.7, 0.4]})
    assert e.value.path == "prior"
    with pytest.raises(amd.InstanceError) as e:
        game(**{**PROSECUTOR, "payoffs": {"jury": [[1, 0], [0, 1]]}})
    assert e.value.path == "payoffs.jury"


# --- sequential information design (Doval & Ely 2020) -------------------------------------
@pytest.mark.parametrize("g, best", [(1.9, 0.0), (2.0, 1.0), (2.9, 1.0)])
def test_sequential_prisoners_dilemma(g, best):
    """A player told C is first or second with prob 1/2 each (he does not see the order). First,
    obeying gives g and defecting b (the second mover, shown the deviation, defects: D is
    dominant); second, defecting gives A. Pooled: (g − b)/2 + (g − A)/2 ≥ 0 iff g ≥ (A + b)/2
    = 2 with A = 3, b = 1. So P(C,C) is 1 from g = 2 on and 0 below."""
    r = amd.solve(prisoners_dilemma(g, solution="sequential"))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(best, abs=TOL)


def test_sequential_is_strictly_better_than_bce_in_the_prisoners_dilemma():
    assert amd.solve(prisoners_dilemma(2.0, solution="sequential")).objective == pytest.approx(1.0, abs=TOL)
    assert amd.solve(prisoners_dilemma(2.0, solution="bce")).objective == pytest.approx(0.0, abs=TOL)


def test_sequential_coincides_with_bce_when_no_one_can_punish():
    """Two firms each choose whether to invest (−1 in the bad state, x in the good, prior 1/2),
    and neither payoff depends on the other's action: continuation play cannot punish, so
    both solutions give twice the one-firm value, 2·(1+x)/2 = 1 + x."""
    x = 0.55
    u = [[[0, 0], [-1, -1]], [[0, 0], [x, x]]]  # firm 1: [state][a1][a2]
    u2 = [[[0, -1], [0, -1]], [[0, x], [0, x]]]
    d = [[[0, 1], [1, 2]], [[0, 1], [1, 2]]]  # number of firms investing
    kw = dict(states=["bad", "good"], prior=[0.5, 0.5], players=[("f1", ["stay", "invest"]), ("f2", ["stay", "invest"])],
              payoffs={"f1": u, "f2": u2}, designer=d)
    assert amd.solve(game(**kw, solution="bce")).objective == pytest.approx(1 + x, abs=TOL)
    assert amd.solve(game(**kw, solution="sequential")).objective == pytest.approx(1 + x, abs=TOL)


@st.composite
def two_player_games(draw):
    S = draw(st.integers(1, 2))
    k1, k2 = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    ints = lambda n: draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))  # noqa: E731
    shape = (S, k1, k2)
    size = S * k1 * k2
    prior = np.array(draw(st.lists(st.integers(1, 3), min_size=S, max_size=S)), float)
    return dict(states=[f"s{j}" for j in range(S)], prior=(prior / prior.sum()).tolist(),
                players=[("p", [f"a{j}" for j in range(k1)]), ("q", [f"b{j}" for j in range(k2)])],
                payoffs={"p": np.reshape(ints(size), shape).tolist(), "q": np.reshape(ints(size), shape).tolist()},
                designer=np.reshape(ints(size), shape).tolist())


@settings(max_examples=40, deadline=None)
@given(two_player_games(), st.sampled_from(["maximize", "minimize"]))
def test_sequential_contains_every_bce(kw, sense):
    assert_sequential_contains_bce(kw, sense)


def assert_sequential_contains_bce(kw, sense):
    """Every BCE outcome is a sequential outcome (any order, each later mover replaying his
    recommendation, an action in H), so the designer-best sequential value is at least the BCE
    one, and the worst at most — for the value amd proves implementable, also when the result
    is ``bounded`` (then the relaxation's bound lies on the other side)."""
    bce = amd.solve(game(**kw, objective=sense))
    seq = amd.solve(game(**kw, solution="sequential", objective=sense))
    assert bce.status == "optimal" and seq.status in ("optimal", "bounded")
    assert seq.certificate.verified
    if sense == "maximize":
        assert seq.objective >= bce.objective - 1e-7
    else:
        assert seq.objective <= bce.objective + 1e-7
    if seq.status == "bounded":
        lo, hi = seq.details.bounds
        assert lo <= seq.objective + 1e-9 and seq.objective <= hi + 1e-9 and hi - lo > 1e-7


def test_sequential_with_one_player_is_persuasion():
    """One mover: no one to punish, so sequential design is Bayesian persuasion (0.6)."""
    r = amd.solve(game(**PROSECUTOR, solution="sequential"))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(0.6, abs=TOL)


def prisoners_dilemma_with_bystander(g, A=3.0, b=1.0, solution="sequential"):
    """The prisoner's dilemma and a third player with one action and no stake."""
    u1 = [[[[g], [0]], [[A], [b]]]]
    u2 = [[[[g], [A]], [[0], [b]]]]
    return game(states=["s"], prior=[1], players=[("p1", ["C", "D"]), ("p2", ["C", "D"]), ("z", ["wait"])],
                payoffs={"p1": u1, "p2": u2, "z": [[[[0], [0]], [[0], [0]]]]},
                designer=[[[[1], [0]], [[0], [0]]]], solution=solution)


@pytest.mark.parametrize(("g", "expected"), [(1.9, 0.0), (2.0, 1.0), (2.9, 1.0)])
def test_three_player_sequential_prisoners_dilemma(g, expected):
    """A bystander with one action and no stake: the two-player threshold carries over,
    P(C,C) = 1 iff g ≥ (A + b)/2 = 2. Sufficiency: with the bystander first the prisoners face
    exactly the two-player problem (a first prisoner's deviation is revealed to the last mover,
    who punishes with D). Nothing more: the bystander can neither punish nor be punished, and
    with it anywhere else a first prisoner's deviation leaves two movers, so it can only be met
    by hidden replay — the bystander adds no punishment the two-player design lacks."""
    r = amd.solve(prisoners_dilemma_with_bystander(g))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize(("g", "expected"), [(1.9, 0.0), (2.0, 1.0)])
def test_four_players_two_of_them_bystanders(g, expected):
    """No cap on the number of players (only on the program's size): with two bystanders the
    prisoner's dilemma threshold g ≥ (A + b)/2 = 2 carries over (same argument as with one)."""
    pd = np.zeros((1, 2, 2, 1, 1))
    u1, u2, d = pd.copy(), pd.copy(), pd.copy()
    u1[0, :, :, 0, 0] = [[g, 0], [3, 1]]
    u2[0, :, :, 0, 0] = [[g, 3], [0, 1]]
    d[0, 0, 0, 0, 0] = 1
    r = amd.solve(game(states=["s"], prior=[1], players=[("p1", ["C", "D"]), ("p2", ["C", "D"]), ("y", ["wait"]),
                                                         ("z", ["wait"])],
                       payoffs={"p1": u1.tolist(), "p2": u2.tolist(), "y": pd.tolist(), "z": pd.tolist()},
                       designer=d.tolist(), solution="sequential"))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(expected, abs=TOL)


@st.composite
def three_player_games(draw):
    S = draw(st.integers(1, 2))
    shape = (S, 2, 2, 2)
    size = int(np.prod(shape))
    ints = lambda: np.reshape(draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size)), shape).tolist()  # noqa: E731
    prior = np.array(draw(st.lists(st.integers(1, 3), min_size=S, max_size=S)), float)
    return dict(states=[f"s{j}" for j in range(S)], prior=(prior / prior.sum()).tolist(),
                players=[(p, ["x", "y"]) for p in ("p", "q", "r")],
                payoffs={p: ints() for p in ("p", "q", "r")}, designer=ints())


@settings(max_examples=15, deadline=None)
@given(three_player_games(), st.sampled_from(["maximize", "minimize"]))
def test_three_player_sequential_contains_every_bce(kw, sense):
    assert_sequential_contains_bce(kw, sense)


def with_notion(inst, equilibrium):
    from dataclasses import replace

    return replace(inst, design=replace(inst.design, equilibrium=equilibrium))


def three_player_dilemma(alpha, beta):
    """u_i = α·(how many others play C) + β·[i plays D]: D dominant, designer wants (C,C,C)."""
    names = ["p1", "p2", "p3"]
    u = {p: np.zeros((1, 2, 2, 2)) for p in names}
    for prof in np.ndindex(2, 2, 2):
        for i, p in enumerate(names):
            u[p][(0, *prof)] = alpha * sum(prof[j] == 0 for j in range(3) if j != i) + beta * (prof[i] == 1)
    d = np.zeros((1, 2, 2, 2))
    d[0, 0, 0, 0] = 1
    return game(states=["s"], prior=[1], players=[(p, ["C", "D"]) for p in names],
                payoffs={p: x.tolist() for p, x in u.items()}, designer=d.tolist(), solution="sequential")


@pytest.mark.parametrize(("alpha", "expected"), [(1.5, 1.0), (1.0, 1.0), (0.9, 0.0)])
def test_three_player_dilemma_cooperates_iff_alpha_at_least_beta(alpha, expected):
    """Derived by hand (β = 1). Told C, player i obeys for 2α. Deviating, he is punished by the
    later movers playing D — hidden punishment: D must be recommended with positive probability
    somewhere (mix in ε of (D,D,D), a Nash equilibrium), so the value is a supremum. At
    position 1, 2 or 3 the deviation is worth β, α + β, 2α + β; summed over the three players
    the positions each occur once whatever the order distribution, so obedience for all needs
    3α + 3β ≤ 3·2α, i.e. α ≥ β, and the uniform order achieves it: P(C,C,C) → 1 iff α ≥ β.
    The formulation before issue 19 gave 0 at α = 1.5 and α = 1 (wrong by 1): it punished the
    first mover only by replay, and hidden punishments were capped by the on-path mass."""
    r = amd.solve(three_player_dilemma(alpha, 1.0))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(expected, abs=TOL)
    if expected == 1.0:
        assert r.details.attained is False and r.details.plan["witness"]
        # under Nash of some extensive form the later movers can be told D off path: attained
        nash = amd.solve(with_notion(three_player_dilemma(alpha, 1.0), "nash"))
        assert nash.objective == pytest.approx(1.0, abs=TOL) and nash.details.attained is True


#: p1: C, D, E; p2: L, X. u1: (C,L) 2, (D,L) 3, (E,X) 1, else 0; p2 gets 1/2 from L and, from
#: X, 1 iff p1 plays E; the designer wants (C,L)
LURE = dict(states=["s"], prior=[1], players=[("p1", ["C", "D", "E"]), ("p2", ["L", "X"])],
            payoffs={"p1": [[[2, 0], [3, 0], [0, 1]]], "p2": [[[0.5, 0], [0.5, 0], [0.5, 1]]]},
            designer=[[[1, 0], [0, 0], [0, 0]]])


@pytest.mark.parametrize("equilibrium", ["sequential", "weak_pbe", "nash"])
def test_a_rarely_recommended_punishment_is_used_at_full_weight(equilibrium):
    """Derived by hand. BCE: p1 told C gains 1 by D whatever p2 does when p2 plays L, and p2
    plays X only if P(E | X) ≥ 1/2, so no BCE has (C,L): value 0. Sequentially: recommend (C,L)
    with probability 1 − ε and (E,X) with ε (p1 told E gets 1, best against X; p2 told X knows
    E). Told C, p1 is first with probability 1/2: a deviation to D is seen and met by X — a
    recommendation p2 also gets on path, so he obeys it — worth 0; last, D is worth 3:
    obeying, 2 ≥ (0 + 3)/2. So the value is 1 (a probability: no more) under every notion.
    The formulation before issue 19 gave 0 (wrong by 1): it capped the mass of a hidden
    punishment by the on-path mass of X, ε."""
    r = amd.solve(with_notion(game(**LURE, solution="sequential"), equilibrium))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(1.0, abs=TOL)
    assert amd.solve(game(**LURE)).objective == pytest.approx(0.0, abs=TOL)



def test_a_dominated_punishment_is_a_threat_only_under_nash():
    """Derived by hand: the prisoner's dilemma for p1 ((C,C) 2, (D,C) 3, (D,X) 0) against a p2
    for whom X is strictly dominated (C gives 1, X 0). No belief makes X a best reply and no
    obedient recommendation says X, so under sequential and weak PBE p2 always plays C, p1
    always gains 1 by D: value 0. Under Nash of some extensive form p2 can be told X off path:
    p1 first (probability 1/2) is punished to 0, last he gets 3, and 2 ≥ 3/2: value 1."""
    base = game(states=["s"], prior=[1], players=[("p1", ["C", "D"]), ("p2", ["C", "X"])],
                payoffs={"p1": [[[2, 0], [3, 0]]], "p2": [[[1, 0], [1, 0]]]}, designer=[[[1, 0], [0, 0]]],
                solution="sequential")
    values = {e: amd.solve(with_notion(base, e)).objective for e in ("sequential", "weak_pbe", "nash")}
    assert values == pytest.approx({"sequential": 0.0, "weak_pbe": 0.0, "nash": 1.0}, abs=TOL)


@settings(max_examples=25, deadline=None)
@given(two_player_games())
def test_the_notions_are_nested(kw):
    """BCE ⊆ sequential ⊆ weak PBE ⊆ Nash (each admits the punishments of the one before):
    designer-best values in that order, the relaxation's bound on sequential included."""
    bce = amd.solve(game(**kw)).objective
    values = {}
    for e in ("sequential", "weak_pbe", "nash"):
        r = amd.solve(with_notion(game(**kw, solution="sequential"), e))
        assert r.status in ("optimal", "bounded") and r.certificate.verified, (e, r.message)
        values[e] = r.details.bounds[1] if r.status == "bounded" else r.objective
        if e == "sequential":
            assert r.objective >= bce - 1e-7
    assert values["sequential"] <= values["weak_pbe"] + 1e-7 <= values["nash"] + 2e-7


def test_a_failing_plan_names_the_player_the_deviation_and_each_order():
    """(C,C) under a uniform order at g = 1.9: p1 told C gains (b − g)/2 = −0.45 when first (p2,
    told of the deviation, defects) and (A − g)/2 = 0.55 when last: 0.1 in all."""
    from amd.information import verify_sequential

    g = prisoners_dilemma(1.9).environment
    rho = np.zeros((1, 2, 2, 2))
    rho[0, :, 0, 0] = 0.5
    cert = verify_sequential(g, rho, None, [np.ones(2, bool), np.ones(2, bool)])
    assert not cert.verified
    where = cert.checks["obedience"].worst
    assert (where["player"], where["recommended"], where["deviation"]) == ("p1", "C", "D")
    assert where["by_order"] == pytest.approx({"p1 first": -0.45, "p2 first": 0.55})


def test_plot_command(root, tmp_path):
    """The prosecutor's signal as a picture: a PNG file is written (and is a PNG)."""
    from typer.testing import CliRunner

    from amd.cli import app

    out = tmp_path / "kg.png"
    r = CliRunner().invoke(app, ["plot", str(root / "instances/persuasion/prosecutor.yaml"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a mechanism is drawn when it has a picture (an auction: amd/plot.py), else refused by name
    r = CliRunner().invoke(app, ["plot", str(root / "instances/public-goods/vcg-3-agents.yaml"),
                                 "--out", str(tmp_path / "m.png")])
    assert r.exit_code == 2 and "outcomes: mechanisms are drawn for single-item auctions" in r.output


@pytest.mark.parametrize("name", ["persuasion/prosecutor.yaml", "sequential/prisoners-dilemma-g20.yaml"])
def test_written_results_read_back_into_verify(root, tmp_path, name):
    """SPEC §3: a file written by --out can be read back by amd verify — for information
    design too (the outcome π, or the whole sequential plan)."""
    import json

    from typer.testing import CliRunner

    from amd.cli import app

    runner = CliRunner()
    f, res = root / "instances" / name, tmp_path / "r.json"
    assert runner.invoke(app, ["solve", str(f), "--out", str(res)]).exit_code == 0
    r = runner.invoke(app, ["verify", str(f), str(res), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["certificate"]["verified"] is True
    # a tampered outcome is caught: all mass on 'convict' breaks consistency or obedience
    data = json.loads(res.read_text())
    if "plan" in data:
        data["plan"]["onpath"][0][0] = [[0.0, 0.0], [0.0, 1.0]]  # order 1: both told to defect
        data["plan"]["onpath"][0][1] = [[0.0, 0.0], [0.0, 0.0]]
    else:
        data["outcome"] = [[0.0, 0.7], [0.0, 0.3]]
    res.write_text(json.dumps(data))
    assert runner.invoke(app, ["verify", str(f), str(res)]).exit_code == 1


def test_a_sequential_supremum_reads_back_with_its_witness(tmp_path):
    """The three-player dilemma at α = 1.5, β = 1 (value 1, a supremum under sequential: the
    later movers punish with D, recommended only by the witness). Its written result passes
    amd verify; claiming the value attained without the witness fails: D punishes but is never
    recommended on the plan's path."""
    import json

    from typer.testing import CliRunner

    from amd.cli import app

    doc = three_player_dilemma(1.5, 1.0).spec
    f, res = tmp_path / "d.json", tmp_path / "r.json"
    f.write_text(json.dumps(doc))
    runner = CliRunner()
    assert runner.invoke(app, ["solve", str(f), "--out", str(res)]).exit_code == 0
    data = json.loads(res.read_text())
    assert data["attained"] is False and data["plan"]["witness"]
    assert runner.invoke(app, ["verify", str(f), str(res)]).exit_code == 0
    data["attained"] = True
    res.write_text(json.dumps(data))
    r = runner.invoke(app, ["verify", str(f), str(res), "--json"])
    assert r.exit_code == 1 and json.loads(r.output)["certificate"]["checks"]["recommendable"]["holds"] is False


def test_a_ranked_tremble_the_construction_misses_is_reported_as_bounds():
    """Derived by hand (found by hypothesis). p: a0, a1, a2; q: b0, b1, b2; one state; the designer
    minimizes, paying −1 at (a1, b2). q gets 1 from b0 against a0/a1, 0 against a2; b1 and b2 give
    0 against a0/a1 and −1 against a2; p gets 0 except −1 at (a2, b0). BCE: b1, b2 are dominated
    by b0, so value 0. Sequential equilibrium reaches −1: recommend (a1, b2) with q first; his
    deviations are met by telling p a2, and a consistent assessment may rank the deviation to b1
    infinitely more likely than the one to b0, so p, believing b1, is content with a2 (0 = 0),
    which leaves q 0 after b0 and −1 after b1 — no gain. amd's construction weighs the deviations
    at an information set alike, so it proves only 0 and reports [−1, 0]; weak PBE (any belief)
    attains −1."""
    kw = dict(states=["s"], prior=[1], players=[("p", ["a0", "a1", "a2"]), ("q", ["b0", "b1", "b2"])],
              payoffs={"p": [[[0, 0, 0], [0, 0, 0], [-1, 0, 0]]], "q": [[[1, 0, 0], [1, 0, 0], [0, -1, -1]]]},
              designer=[[[0, 0, 0], [0, 0, -1], [0, 0, 0]]], objective="minimize")
    assert amd.solve(game(**kw)).objective == pytest.approx(0.0, abs=TOL)
    seq = amd.solve(game(**kw, solution="sequential"))
    assert seq.status == "bounded" and seq.certificate.verified
    lo, hi = seq.details.bounds
    assert lo == pytest.approx(-1.0, abs=TOL) and hi == pytest.approx(0.0, abs=TOL)
    weak = amd.solve(with_notion(game(**kw, solution="sequential"), "weak_pbe"))
    assert weak.status == "optimal" and weak.objective == pytest.approx(-1.0, abs=TOL)
