"""Information design on a given game tree (`solution: extensive`): values from theory."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import amd
from amd import extensive

TOL = 1e-7


def tree_game(tree, players, states=None, prior=None, objective="maximize", credible=True, **extra):
    doc = {"format": "amd/1", "kind": "information", "name": "tree", "players": [{"name": p} for p in players],
           "solution": "extensive", "objective": objective, "game": {"tree": tree, "credible": credible}}
    if states is not None:
        doc |= {"states": states, "prior": prior}
    return amd.parse(doc | extra)


def leaf(designer, **payoffs):
    return {"payoffs": payoffs, "designer": designer}


JUDGE = {"player": "judge", "moves": {"acquit": leaf(0, judge=[1, 0]), "convict": leaf(1, judge=[0, 1])}}


def test_one_mover_tree_is_bayesian_persuasion():
    """Kamenica–Gentzkow: prior guilty 0.3, convict iff P(guilty) ≥ ½ → P(convict) = 0.3 + 0.7·(3/7)
    = 0.6; the worst signal for the prosecutor never convicts."""
    r = amd.solve(tree_game(JUDGE, ["judge"], ["innocent", "guilty"], [0.7, 0.3]))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(0.6, abs=TOL)
    z = r.details["leaves"].index("convict")
    assert r.outcome[0, z] / 0.7 == pytest.approx(3 / 7, abs=TOL)
    assert r.outcome[:, z].sum() == pytest.approx(0.6, abs=TOL)
    worst = amd.solve(tree_game(JUDGE, ["judge"], ["innocent", "guilty"], [0.7, 0.3], objective="minimize"))
    assert worst.objective == pytest.approx(0.0, abs=TOL)


ENTRY = {"player": "entrant", "moves": {
    "out": leaf(2, entrant=0, incumbent=2),
    "in": {"player": "incumbent", "moves": {"fight": leaf(-1, entrant=-1, incumbent=-1),
                                            "accommodate": leaf(1, entrant=1, incumbent=1)}}}}


def test_entry_deterrence_needs_a_credible_threat():
    """The designer (paid like the incumbent) would like the entrant out (2). A threat to fight
    keeps him out only if the incumbent follows it: without credibility the value is 2; with it,
    the incumbent accommodates after any entry (1 > −1), the entrant enters (1 > 0): value 1."""
    credible = amd.solve(tree_game(ENTRY, ["entrant", "incumbent"]))
    threat = amd.solve(tree_game(ENTRY, ["entrant", "incumbent"], credible=False))
    assert credible.certificate.verified and threat.certificate.verified
    assert credible.objective == pytest.approx(1.0, abs=TOL)
    assert threat.objective == pytest.approx(2.0, abs=TOL)
    assert credible.outcome[0, credible.details["leaves"].index("in,accommodate")] == pytest.approx(1.0, abs=TOL)


def prisoners_dilemma(g, A=3.0, b=1.0, designer_orders=True, observed=False):
    """PD with CC=(g,g), CD=(0,A), DC=(A,0), DD=(b,b); the designer wants P(C,C). With
    ``designer_orders`` the designer picks who moves first, unseen (Doval & Ely 2020); each
    player has one information set whatever his position and does not see the other's move."""
    pay = {("C", "C"): (g, g), ("C", "D"): (0, A), ("D", "C"): (A, 0), ("D", "D"): (b, b)}

    def end(a1, a2):
        return leaf(1 if (a1, a2) == ("C", "C") else 0, row=pay[a1, a2][0], col=pay[a1, a2][1])

    def second(first_action, who):
        sets = {"infoset": who} if not observed else {}
        if who == "col":
            return {"player": "col", **sets, "moves": {a: end(first_action, a) for a in "CD"}}
        return {"player": "row", **sets, "moves": {a: end(a, first_action) for a in "CD"}}

    row_first = {"player": "row", "infoset": "row", "moves": {a: second(a, "col") for a in "CD"}}
    if not designer_orders:
        return row_first
    col_first = {"player": "col", "infoset": "col", "moves": {a: second(a, "row") for a in "CD"}}
    return {"player": "designer", "moves": {"row first": row_first, "col first": col_first}}


@pytest.mark.parametrize("g, best", [(1.9, 0.0), (2.0, 1.0), (2.9, 1.0)])
def test_designer_chosen_order_reaches_doval_ely(g, best):
    """Doval & Ely: with a hidden random order P(C,C) = 1 iff g ≥ (A+b)/2 = 2 — a player told C
    is first or second with probability ½; first, a deviation is seen and punished with D
    (worth b = 1), second, it is worth A = 3; so obeying needs g ≥ (1 + 3)/2. The same tree
    under `solution: extensive` gives the value `solution: sequential` gives."""
    r = amd.solve(tree_game(prisoners_dilemma(g), ["row", "col"]))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(best, abs=TOL)


def test_a_known_order_never_cooperates():
    """With the order fixed and known, the second mover told C defects (A > g whatever he
    believes): P(C,C) = 0 even at g = 2.9 — whether or not he sees the first move."""
    for observed in (False, True):
        r = amd.solve(tree_game(prisoners_dilemma(2.9, designer_orders=False, observed=observed), ["row", "col"]))
        assert r.objective == pytest.approx(0.0, abs=TOL)


def test_extensive_strictly_better_than_bce_and_coinciding():
    """PD at g = 2: BCE never cooperates (D dominant), the designer-ordered tree always does.
    One mover: both are Bayesian persuasion (0.6)."""
    pd = amd.solve(tree_game(prisoners_dilemma(2.0), ["row", "col"]))
    bce = amd.solve(amd.parse({"format": "amd/1", "kind": "information", "states": ["s"], "prior": [1],
                               "players": [{"name": "row", "actions": ["C", "D"]}, {"name": "col", "actions": ["C", "D"]}],
                               "payoffs": {"row": [[[2, 0], [3, 1]]], "col": [[[2, 3], [0, 1]]]},
                               "designer": [[[1, 0], [0, 0]]]}))
    assert (pd.objective, bce.objective) == pytest.approx((1.0, 0.0), abs=TOL)
    persuasion = amd.solve(amd.parse({"format": "amd/1", "kind": "information", "states": ["innocent", "guilty"],
                                      "prior": [0.7, 0.3], "players": [{"name": "judge", "actions": ["acquit", "convict"]}],
                                      "payoffs": {"judge": [[1, 0], [0, 1]]}, "designer": [[0, 1], [0, 1]]}))
    tree = amd.solve(tree_game(JUDGE, ["judge"], ["innocent", "guilty"], [0.7, 0.3]))
    assert tree.objective == pytest.approx(persuasion.objective, abs=TOL) == 0.6


@st.composite
def simultaneous_games(draw):
    n = draw(st.integers(2, 3))
    S = draw(st.integers(1, 2))
    k = [draw(st.integers(2, 3 if n == 2 else 2)) for _ in range(n)]
    shape = (S, *k)
    ints = lambda: np.reshape(draw(st.lists(st.integers(-3, 3), min_size=int(np.prod(shape)),
                                            max_size=int(np.prod(shape)))), shape)
    prior = np.array(draw(st.lists(st.integers(1, 3), min_size=S, max_size=S)), float)
    return [f"p{i}" for i in range(n)], [[f"a{j}" for j in range(m)] for m in k], [ints() for _ in range(n)], \
        ints(), (prior / prior.sum()).tolist()


def normal_form(g, **extra):
    """The drawn game as a `kind: information` base game (BCE unless ``extra`` says otherwise)."""
    players, actions, U, D, prior = g
    return amd.parse({"format": "amd/1", "kind": "information", "states": [f"s{j}" for j in range(len(prior))],
                      "prior": prior, "players": [{"name": p, "actions": a} for p, a in zip(players, actions)],
                      "payoffs": {p: U[j].tolist() for j, p in enumerate(players)}, "designer": D.tolist(), **extra})


def as_tree(players, actions, U, D, S):
    """The normal form as a tree: players move in file order, each at one information set
    (no one sees an earlier move)."""
    def node(i, prof):
        if i == len(players):
            return {"payoffs": {p: [float(U[j][(s, *prof)]) for s in range(S)] for j, p in enumerate(players)},
                    "designer": [float(D[(s, *prof)]) for s in range(S)]}
        return {"player": players[i], "infoset": players[i],
                "moves": {a: node(i + 1, (*prof, j)) for j, a in enumerate(actions[i])}}
    return node(0, ())


@settings(max_examples=30, deadline=None)
@given(simultaneous_games(), st.sampled_from(["maximize", "minimize"]))
def test_tree_of_a_simultaneous_game_contains_every_bce(g, sense):
    """Replaying a BCE's recommendations (hidden after a deviation) is a credible plan, so the
    designer-best tree value is at least the BCE one and the adversarial at most; dropping
    credibility only adds plans."""
    players, actions, U, D, prior = g
    S = len(prior)
    states = [f"s{j}" for j in range(S)]
    bce = amd.solve(normal_form(g, objective=sense))
    tree = as_tree(players, actions, U, D, S)
    cred = amd.solve(tree_game(tree, players, states, prior, objective=sense))
    free = amd.solve(tree_game(tree, players, states, prior, objective=sense, credible=False))
    assert bce.status == free.status == "optimal" and cred.status in ("optimal", "bounded")
    assert cred.certificate.verified and free.certificate.verified
    sign = 1 if sense == "maximize" else -1
    assert sign * cred.objective >= sign * bce.objective - 1e-7
    assert sign * free.objective >= sign * cred.objective - 1e-7


def ordered_tree(players, actions, U, D, S):
    """Doval & Ely's design written as a tree: the designer picks an order of moves (after the
    state), then the players move in it, each at one information set (he sees neither the
    order nor the earlier moves)."""
    n = len(players)

    def node(order, i, prof):
        if i == n:
            t = tuple(prof[k] for k in range(n))
            return {"payoffs": {p: [float(U[j][(s, *t)]) for s in range(S)] for j, p in enumerate(players)},
                    "designer": [float(D[(s, *t)]) for s in range(S)]}
        k = order[i]
        return {"player": players[k], "infoset": players[k],
                "moves": {a: node(order, i + 1, {**prof, k: j}) for j, a in enumerate(actions[k])}}
    return {"player": "designer", "moves": {" > ".join(players[k] for k in o): node(o, 0, {})
                                            for o in itertools.permutations(range(n))}}


def interval(r):
    return tuple(r.details["bounds"]) if r.status == "bounded" else (r.objective, r.objective)


@settings(max_examples=20, deadline=None)
@given(simultaneous_games())
def test_the_designer_ordered_tree_and_sequential_design_agree(g):
    """Issue 19: the same primitives as `solution: sequential` and as a tree in which the
    designer chooses the hidden order. Each route returns the value when it can prove it and an
    interval holding it otherwise (an implementable plan and a relaxation), so the two answers
    must meet: equal when both are optimal, overlapping always."""
    players, actions, U, D, prior = g
    S = len(prior)
    states = [f"s{j}" for j in range(S)]
    seq = amd.solve(normal_form(g, solution="sequential"))
    tree = amd.solve(tree_game(ordered_tree(players, actions, U, D, S), players, states, prior))
    assert seq.certificate.verified and tree.certificate.verified
    (a, b), (c, d) = interval(seq), interval(tree)
    assert a <= d + 1e-6 and c <= b + 1e-6, (interval(seq), interval(tree))


def solved_and_verified(tmp_path, doc):
    """`amd solve --out` then `amd verify` on ``doc`` (both exit 0): the runner, the instance and
    result files, and the result as read back."""
    from typer.testing import CliRunner

    from amd.cli import app

    f, out = tmp_path / "t.json", tmp_path / "r.json"
    f.write_text(json.dumps(doc))
    runner = CliRunner()
    assert runner.invoke(app, ["solve", str(f), "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["verify", str(f), str(out)]).exit_code == 0
    return runner, f, out, json.loads(out.read_text())


def test_a_supremum_on_a_tree_comes_with_a_witness_that_verify_reads_back(tmp_path):
    """The game LURE of tests/test_information.py as a designer-ordered tree (p1: C, D, E; p2: L,
    X; u1 (C,L) 2, (D,L) 3, (E,X) 1, else 0; p2 gets 1/2 from L and from X 1 iff p1 plays E).
    P(C,L) → 1, derived by hand there: p1, first with probability 1/2, is punished for D by X,
    which p2 obeys only as an on-path recommendation (told of D he plays L) — so X must be on
    path somewhere, via (E,X) with probability ε: the plan reaches 1 only in the limit
    (attained: false) and the witness, a plan that recommends X, makes it so. Before issue 19
    the hidden continuation was capped by the on-path mass of X and the tree gave 0.75 (wrong
    by 0.25)."""
    from amd.cli import app

    names, acts = ["p1", "p2"], [["C", "D", "E"], ["L", "X"]]
    U = [np.array([[[2, 0], [3, 0], [0, 1]]], float), np.array([[[0.5, 0], [0.5, 0], [0.5, 1]]])]
    D = np.array([[[1, 0], [0, 0], [0, 0]]], float)
    tree = ordered_tree(names, acts, U, D, 1)
    r = amd.solve(tree_game(tree, names, ["s"], [1]))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(1.0, abs=TOL)
    assert r.details["attained"] is False and "witness_obedience" in r.certificate.checks
    doc = {"format": "amd/1", "kind": "information", "name": "lure", "states": ["s"], "prior": [1],
           "players": [{"name": p} for p in names], "solution": "extensive", "game": {"tree": tree}}
    runner, f, out, data = solved_and_verified(tmp_path, doc)
    data["attained"] = True  # without the witness, the plan's hidden punishments go off its path
    out.write_text(json.dumps(data))
    r = runner.invoke(app, ["verify", str(f), str(out), "--json"])
    assert r.exit_code == 1 and json.loads(r.output)["certificate"]["checks"]["hidden_continuation"]["holds"] is False


def test_verifier_names_the_player_who_gains(tmp_path):
    """The g = 2 plan is not obedient at g = 1.9: the player told C gains 2·½·(2 − 1.9)·… > 0."""
    good = tree_game(prisoners_dilemma(2.0), ["row", "col"])
    r = amd.solve(good)
    L = extensive.layout(tree_game(prisoners_dilemma(1.9), ["row", "col"]).environment)
    w = extensive.plan_from_dict(L, r.details["plan"], "result")
    cert = extensive.verify_plan(L, w, reach=w)  # hidden continuations go where its path goes
    assert not cert.verified and cert.failures() == ["obedience"]
    assert cert.checks["obedience"].worst["recommended"] == "C"
    assert cert.checks["obedience"].max_violation == pytest.approx(0.1, abs=1e-9)
    w2 = w.copy()
    w2[L.point_cols[0][0]] += 0.1  # the order no longer adds up to one
    assert "probability_flow" in extensive.verify_plan(L, w2).failures()


def test_gambit_efg_gives_the_same_values(tmp_path):
    """The entry game and the prosecutor (nature's draw as a Gambit chance node) from .efg files."""
    (tmp_path / "entry.efg").write_text(
        'EFG 2 R "Entry" { "entrant" "incumbent" }\n""\n\n'
        'p "" 1 1 "" { "out" "in" } 0\n'
        't "" 1 "Out" { 0, 2 }\n'
        'p "" 2 1 "" { "fight" "accommodate" } 0\n'
        't "" 2 "Fight" { -1, -1 }\n'
        't "" 3 "Accommodate" { 1, 1 }\n')
    (tmp_path / "kg.efg").write_text(
        'EFG 2 R "Prosecutor" { "judge" }\n""\n\n'
        'c "" 1 "" { "innocent" 7/10 "guilty" 3/10 } 0\n'
        'p "" 1 1 "" { "acquit" "convict" } 0\n'
        't "" 1 "acquit innocent" { 1 }\n'
        't "" 2 "convict innocent" { 0 }\n'
        'p "" 1 1 "" { "acquit" "convict" } 0\n'
        't "" 3 "acquit guilty" { 0 }\n'
        't "" 4 "convict guilty" { 1 }\n')
    base = {"format": "amd/1", "kind": "information", "solution": "extensive"}
    entry = {**base, "players": [{"name": "entrant"}, {"name": "incumbent"}],
             "game": {"efg": "entry.efg", "designer": "incumbent"}}
    (tmp_path / "entry.yaml").write_text(json.dumps(entry))
    assert amd.solve(amd.load(tmp_path / "entry.yaml")).objective == pytest.approx(1.0, abs=TOL)
    entry["game"]["credible"] = False
    (tmp_path / "entry.yaml").write_text(json.dumps(entry))
    assert amd.solve(amd.load(tmp_path / "entry.yaml")).objective == pytest.approx(2.0, abs=TOL)
    kg = {**base, "players": [{"name": "judge"}], "game": {"efg": "kg.efg", "designer": {
        "acquit innocent": 0, "convict innocent": 1, "acquit guilty": 0, "convict guilty": 1}}}
    (tmp_path / "kg.yaml").write_text(json.dumps(kg))
    inst = amd.load(tmp_path / "kg.yaml")
    assert inst.spec["game"]["efg"]["file"] == "kg.efg"  # the text travels with the document
    assert amd.solve(amd.parse(inst.spec)).objective == pytest.approx(0.6, abs=TOL)


@pytest.mark.parametrize("change, path", [
    (lambda t: t["moves"]["in"].update(player="nobody"), "game.tree.moves.in.player"),
    (lambda t: t["moves"]["out"]["payoffs"].pop("incumbent"), "game.tree.moves.out.payoffs.incumbent"),
    (lambda t: t["moves"]["out"].update(designer="lots"), "game.tree.moves.out.designer"),
    (lambda t: t["moves"]["in"].update(colour="red"), "game.tree.moves.in.colour"),
    (lambda t: t.update(moves={}), "game.tree.moves"),
])
def test_tree_errors_name_the_key(change, path):
    tree = json.loads(json.dumps(ENTRY))
    change(tree)
    with pytest.raises(amd.InstanceError) as e:
        tree_game(tree, ["entrant", "incumbent"])
    assert e.value.path == path


def test_information_sets_must_be_consistent_and_recall_perfect():
    mixed = {"player": "a", "infoset": "x", "moves": {
        "l": {"player": "b", "infoset": "x", "moves": {"u": leaf(0, a=0, b=0)}}, "r": leaf(0, a=0, b=0)}}
    with pytest.raises(amd.InstanceError, match="two players"):
        tree_game(mixed, ["a", "b"])
    forgetful = {"player": "a", "moves": {
        side: {"player": "a", "infoset": "x", "moves": {"u": leaf(0, a=0), "d": leaf(0, a=1)}} for side in "lr"}}
    with pytest.raises(amd.InstanceError, match="perfect recall"):
        tree_game(forgetful, ["a"])
    chance = {"chance": {"h": 0.5, "t": 0.6}, "moves": {"h": leaf(0, a=0), "t": leaf(0, a=0)}}
    with pytest.raises(amd.InstanceError) as e:
        tree_game(chance, ["a"])
    assert e.value.path == "game.tree.chance"
    with pytest.raises(amd.InstanceError) as e:
        tree_game(ENTRY, ["entrant", "incumbent"], payoffs={"entrant": [1]})
    assert e.value.path == "payoffs"


def test_cli_solve_out_then_verify(root, tmp_path):
    """SPEC §3 for trees: `amd solve --out` writes the plan, `amd verify` re-checks it (exit 0);
    moving the designer's order to one side breaks the flow of probability (exit 1)."""
    from typer.testing import CliRunner

    from amd.cli import app

    runner = CliRunner()
    f, res = root / "instances" / "extensive" / "prisoners-dilemma-designer-order-g20.yaml", tmp_path / "r.json"
    r = runner.invoke(app, ["solve", str(f), "--out", str(res)])
    assert r.exit_code == 0 and "row first" in r.output
    r = runner.invoke(app, ["verify", str(f), str(res), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["objective"] == pytest.approx(1.0, abs=TOL)
    data = json.loads(res.read_text())
    data["plan"]["path: state|"] = {"row first": 1.0, "col first": 0.5}
    res.write_text(json.dumps(data))
    r = runner.invoke(app, ["verify", str(f), str(res)])
    assert r.exit_code == 1 and "probability_flow" in r.output
    plot = tmp_path / "p.png"
    assert runner.invoke(app, ["plot", str(f), "--out", str(plot)]).exit_code == 0 and plot.stat().st_size > 0


def repeated_dilemma(T: int):
    """The prisoner's dilemma (CC=2,2 CD=0,3 DC=3,0 DD=1,1) played T times, moves seen between
    stages (not within one); payoffs and the designer's (welfare) summed over stages."""
    pay = {("C", "C"): (2, 2), ("C", "D"): (0, 3), ("D", "C"): (3, 0), ("D", "D"): (1, 1)}

    def stage(t, hist, tot):
        if t == T:
            return leaf(tot[0] + tot[1], row=tot[0], col=tot[1])
        tag = "/".join(hist) or "start"
        return {"player": "row", "infoset": f"row@{tag}", "moves": {a: {
            "player": "col", "infoset": f"col@{tag}", "moves": {
                b: stage(t + 1, [*hist, a + b], (tot[0] + pay[a, b][0], tot[1] + pay[a, b][1])) for b in "CD"}}
            for a in "CD"}}
    return stage(0, [], (0, 0))


@pytest.mark.parametrize("T", [2, 3])
@pytest.mark.parametrize("credible", [True, False])
def test_finitely_repeated_dilemma_unravels(T, credible):
    """In the last stage D is dominant, so any recommendation is defected from to D; a
    deviation earlier cannot be punished below what the path gives (DD, the minmax 1, already),
    and D gains 1 now: by induction only (D, D) is played — welfare 2 per stage, 2T, even when
    the designer may threaten anything."""
    r = amd.solve(tree_game(repeated_dilemma(T), ["row", "col"], credible=credible))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(2 * T, abs=TOL)


def test_two_equilibria_in_the_last_stage_reward_cooperation():
    """Benoit & Krishna (1985): stage game C/D/P with CC=4,4 CD=0,5 DC=5,0 DD=1,1 PP=3,3 and 0
    elsewhere; (D,D) and (P,P) are stage equilibria. Played twice with moves seen in between,
    (C,C) then (P,P), with (D,D) after a deviation, is credible: D gains 1 now and loses 3 − 1 = 2
    later. Welfare 8 + 6 = 14, the most possible: no stage exceeds 8 and in the last one C is
    never obeyed (D beats it against C and D, ties against P), leaving at most (P,P)."""
    stage = {("C", "C"): (4, 4), ("C", "D"): (0, 5), ("D", "C"): (5, 0), ("D", "D"): (1, 1), ("P", "P"): (3, 3)}

    def node(t, hist, tot):
        if t == 2:
            return leaf(tot[0] + tot[1], row=tot[0], col=tot[1])
        tag = "/".join(hist) or "start"
        return {"player": "row", "infoset": f"row@{tag}", "moves": {a: {
            "player": "col", "infoset": f"col@{tag}", "moves": {
                b: node(t + 1, [*hist, a + b], tuple(x + y for x, y in zip(tot, stage.get((a, b), (0, 0)))))
                for b in "CDP"}} for a in "CDP"}}
    r = amd.solve(tree_game(node(0, [], (0, 0)), ["row", "col"]))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(14.0, abs=TOL)
    assert r.outcome[0, r.details["leaves"].index("C,C,P,P")] == pytest.approx(1.0, abs=TOL)


def test_a_tree_too_large_for_one_lp_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(extensive, "MAX_DESIGNER_HISTORIES", 50)
    with pytest.raises(amd.InstanceError, match="designer histories") as e:
        amd.solve(tree_game(repeated_dilemma(2), ["row", "col"]))
    assert e.value.path == "game"


# ---- moves the designer does not see (designer_sees: false) ------------------------------------

def posted_price(prices, low=1.0, high=2.0):
    """The seller posts a price the designer does not see; the buyer, advised by the designer who
    knows his value (low or high), buys or passes; the designer is paid the buyer's surplus."""
    def buyer(p):
        surplus = [low - p, high - p]
        return {"player": "buyer", "moves": {"buy": leaf(surplus, seller=p, buyer=surplus),
                                             "pass": leaf(0, seller=0, buyer=0)}}
    return {"player": "seller", "infoset": "price", "designer_sees": False,
            "moves": {f"{p:g}": buyer(p) for p in prices}}


def held_at_the_low_value(prices, low=1.0):
    """The largest mean value at which the seller can be held at price ``low`` (Roesler–Szentes on
    a grid): he stays if his revenue p·P(buy at p) ≤ low at every grid price; a buyer whose
    posterior exceeds p must buy (one at p may be advised to pass), so P(m > p_j) ≤ low/p_j, and
    the mean E m = low + ∫_low^high P(m > t) dt ≤ low + Σ_j (p_{j+1} − p_j)·low/p_j, reached by
    posteriors on the grid with exactly these tails (its limit for a fine grid is Roesler &
    Szentes's low·(1 + ln(high/low)))."""
    return low + sum((b - a) * low / a for a, b in zip(prices, prices[1:]))


@pytest.mark.parametrize("q, value", [
    (0.5, 0.5), (0.8, 0.8), (5 / 6, 5 / 6),  # mean ≤ 11/6: held at 1, everyone buys, surplus mean − 1
    (0.84, 0.42), (0.9, 0.45),  # mean > 11/6: price 1.5 under full information, surplus q·(2 − 1.5)
])
def test_buyer_optimal_information_before_an_unseen_price(q, value):
    """Roesler & Szentes (2017) with values 1, 2 (P(2) = q) and prices {1, 1.5, 2}. The buyer's
    surplus is at most mean − 1 (trade at the lowest price), reached iff the seller can be held at
    1, i.e. mean 1 + q ≤ 11/6 (:func:`held_at_the_low_value`). Above, a price of 1 cannot be kept,
    2 leaves no surplus, and at 1.5 the surplus E[(m − 1.5)⁺] is convex in the posterior, largest
    under full information: q·0.5, with the seller at 1.5 (1.5q ≥ 1, and at 2 the indifferent
    high buyer is advised to pass)."""
    assert held_at_the_low_value([1.0, 1.5, 2.0]) == pytest.approx(11 / 6)
    r = amd.solve(tree_game(posted_price([1.0, 1.5, 2.0]), ["seller", "buyer"], ["low", "high"], [1 - q, q]))
    assert r.status == "optimal" and r.certificate.verified
    assert r.objective == pytest.approx(value, abs=TOL)
    assert r.details["player_payoffs"]["buyer"] == pytest.approx(value, abs=TOL)
    assert r.details["unadvised"] == {"price": "1" if value == pytest.approx(q) else "1.5"}


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(1, 19), min_size=1, max_size=3, unique=True), st.integers(1, 99))
def test_the_seller_is_held_at_the_low_value_exactly_up_to_the_grid_bound(inner, percent):
    """On any grid 1 < p_2 < … < 2 the buyer keeps mean − 1 iff the mean is at most the grid bound."""
    prices = [1.0] + sorted(1 + k / 20 for k in inner) + [2.0]
    q = percent / 100
    bound = held_at_the_low_value(prices)
    if abs(1 + q - bound) < 1e-3:
        return
    r = amd.solve(tree_game(posted_price(prices), ["seller", "buyer"], ["low", "high"], [1 - q, q]))
    assert r.status == "optimal" and r.certificate.verified
    if 1 + q < bound:
        assert r.objective == pytest.approx(q, abs=TOL)
    else:
        assert r.objective < q - 1e-6


def test_an_unseen_unadvised_mover_acts_on_the_prior():
    """The judge alone, unseen: no one is left to advise, so he acts on the prior (acquit,
    0.7 > 0.3): the prosecutor's value is 0 (Kamenica–Gentzkow's no-information value)."""
    r = amd.solve(tree_game(JUDGE | {"designer_sees": False}, ["judge"], ["innocent", "guilty"], [0.7, 0.3]))
    assert r.status == "optimal" and r.objective == pytest.approx(0.0, abs=TOL)
    assert r.details["unadvised"] == {"judge@game.tree": "acquit"}


def test_verify_reads_back_the_unseen_movers_choice(tmp_path):
    """`amd verify` rebuilds the tree for the result's `unadvised` choice: advice to that mover
    other than his own choice breaks `designer_information`; a choice that is no action, or not
    the one the plan was laid out for, is bad input."""
    from amd.cli import app

    doc = {"format": "amd/1", "kind": "information", "name": "rs", "states": ["low", "high"], "prior": [0.2, 0.8],
           "players": [{"name": "seller"}, {"name": "buyer"}], "solution": "extensive",
           "game": {"tree": posted_price([1.0, 1.5, 2.0])}}
    runner, f, out, data = solved_and_verified(tmp_path, doc)
    assert data["unadvised"] == {"price": "1"}
    sent = next(k for k, v in data["plan"].items() if k.startswith("path: high|") and v.get("1", 0) > 0)
    plan = data["plan"][sent]
    plan["1"], plan["1.5"] = 0.0, plan["1"]  # advise the unadvised seller to post 1.5 when the value is high
    out.write_text(json.dumps(data))
    r = runner.invoke(app, ["verify", str(f), str(out), "--json"])
    assert r.exit_code == 1
    assert json.loads(r.output)["certificate"]["checks"]["designer_information"]["holds"] is False
    for choice, key in (("3", "unadvised.price"), ("2", "plan.")):  # not an action; not this plan's choice
        data["unadvised"] = {"price": choice}
        out.write_text(json.dumps(data))
        r = runner.invoke(app, ["verify", str(f), str(out)])
        assert r.exit_code == 2 and key in r.output


@pytest.mark.parametrize("change, path, match", [
    (lambda t: t.update(designer_sees="no"), "game.tree.designer_sees", "true or false"),
    (lambda t: t["moves"].update({"1": {"chance": {"a": 0.5, "b": 0.5}, "moves": {
        "a": leaf(0, seller=0, buyer=0), "b": leaf(0, seller=0, buyer=0)}}}),
     "game.tree.moves.1", "nature moves after a move the designer does not see"),
    (lambda t: t["moves"]["1"]["moves"].update(
        buy={"player": "seller", "moves": {"x": leaf(0, seller=0, buyer=0)}}),
     "game.tree.moves.1", "must end the game"),
    (lambda t: t["moves"]["1"]["moves"].update(
        buy={"player": "seller", "infoset": "price", "moves": {p: leaf(0, seller=0, buyer=0) for p in ("1", "1.5")}}),
     "game.tree.moves.1.moves.buy.designer_sees", "mark all of them alike"),
])
def test_unseen_move_errors_name_the_key(change, path, match):
    tree = posted_price([1.0, 1.5])
    change(tree)
    with pytest.raises(amd.InstanceError, match=match) as e:
        tree_game(tree, ["seller", "buyer"], ["low", "high"], [0.5, 0.5])
    assert e.value.path == path
