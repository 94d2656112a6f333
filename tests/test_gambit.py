"""Gambit files in full: .nfg strategic games (both documented versions) as base games, and the
.efg grammar's shorthand (information sets referenced without their actions, outcomes at inner
nodes). The sample file tests/data/selten.nfg is the one Gambit's documentation prints for the
outcome version of the format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import amd

DATA = Path(__file__).parent / "data"

PD_PAYOFF_VERSION = '''NFG 1 R "Prisoner's dilemma" { "p1" "p2" }
{ { "C" "D" } { "C" "D" } }
""
3 3 4 0 0 4 1 1
'''


def instance(tmp_path, **keys) -> amd.Instance:
    path = tmp_path / "game.yaml"
    path.write_text(yaml.safe_dump({"format": "amd/1", "kind": "information", **keys}))
    return amd.load(path)


def test_payoff_version_lists_profiles_with_the_first_player_fastest(tmp_path):
    (tmp_path / "pd.nfg").write_text(PD_PAYOFF_VERSION)
    g = instance(tmp_path, nfg="pd.nfg", designer="welfare").environment
    assert g.players == ("p1", "p2") and g.actions == (("C", "D"), ("C", "D"))
    # profiles (C,C), (D,C), (C,D), (D,D): p1 gets 4 from (D, C), p2 gets 4 from (C, D)
    assert g.payoffs[0, 0].tolist() == [[3, 0], [4, 1]] and g.payoffs[1, 0].tolist() == [[3, 4], [0, 1]]
    assert g.designer[0].tolist() == [[6, 4], [4, 2]]


def test_outcome_version_of_gambits_own_sample(tmp_path):
    """Selten's game (Gambit's documentation): outcomes 1..6 for the profiles in Gambit's order,
    (1,1), (2,1), (3,1), (1,2), (2,2), (3,2)."""
    (tmp_path / "s.nfg").write_text((DATA / "selten.nfg").read_text())
    g = instance(tmp_path, nfg="s.nfg", designer="Player 1").environment
    assert g.actions == (("1", "2", "3"), ("1", "2"))
    assert g.payoffs[0, 0].tolist() == [[1, 1], [0, 0], [0, 2]]
    assert g.payoffs[1, 0].tolist() == [[1, 1], [2, 3], [2, 0]]


def test_one_nfg_per_state_is_a_persuasion_problem(tmp_path):
    """The prosecutor as two one-player strategic games (innocent, guilty): KG's 0.6."""
    for state, pay in (("innocent", "1 0"), ("guilty", "0 1")):
        (tmp_path / f"{state}.nfg").write_text(f'NFG 1 R "{state}" {{ "judge" }} {{ {{ "acquit" "convict" }} }}\n{pay}\n')
    inst = instance(tmp_path, states=["innocent", "guilty"], prior=[0.7, 0.3],
                    nfg={"innocent": "innocent.nfg", "guilty": "guilty.nfg"}, designer=[[0, 1], [0, 1]])
    r = amd.solve(inst)
    assert r.status == "optimal" and r.objective == pytest.approx(0.6, abs=1e-9)


@pytest.mark.parametrize("text, keys, where", [
    ('NFG 1 R "x" { "a" } { { "s" } }\n1 2\n', {}, "expected 1 payoffs"),
    ('NFG 1 R "x" { "a" } { { "s" "s" } }\n1 2\n', {}, "two strategies of the same name"),
    ('EFG 2 R "x" { "a" }\n', {}, "not a Gambit .nfg file"),
    ('NFG 1 R "x" { "a" } { { "s" } }\n1\n', {"payoffs": {"a": [[1]]}}, "given together"),
    ('NFG 1 R "x" { "a" } { { "s" } }\n1\n', {"designer": "nobody"}, "expected 'welfare'"),
])
def test_nfg_errors_name_the_file_and_key(tmp_path, text, keys, where):
    (tmp_path / "g.nfg").write_text(text)
    with pytest.raises(amd.InstanceError, match=where):
        instance(tmp_path, nfg="g.nfg", **({"designer": "welfare"} | keys))


def test_nfg_path_cannot_leave_the_instance_folder(tmp_path):
    with pytest.raises(amd.InstanceError, match="outside the instance's folder"):
        instance(tmp_path, nfg="/etc/passwd", designer="welfare")


EFG_SHORTHAND = '''EFG 2 R "entry with a sunk fee" { "entrant" "incumbent" }
""
p "" 1 1 "" { "out" "in" } 1 "fee" { -1, 0 }
t "" 2 "stay out" { 0, 2 }
p "" 2 1 "" { "fight" "accommodate" } 0
t "" 3 "fight" { -1, -1 }
t "" 4 "share" { 2, 1 }
'''


def test_efg_outcomes_at_inner_nodes_add_to_the_leaves(tmp_path):
    """The entrant pays a fee of 1 at the root whatever it does (an outcome at an inner node):
    leaves pay (−1, 2), (−2, −1), (1, 1)."""
    (tmp_path / "e.efg").write_text(EFG_SHORTHAND)
    inst = instance(tmp_path, players=[{"name": "entrant"}, {"name": "incumbent"}], solution="extensive",
                    game={"efg": "e.efg", "designer": "welfare"})
    tree = inst.environment
    leaves = [j for j, t in enumerate(tree.node_type) if t == "leaf"]
    assert sorted(tuple(tree.payoffs[j]) for j in leaves) == [(-2.0, -1.0), (-1.0, 2.0), (1.0, 1.0)]
    assert sorted(float(tree.value[j]) for j in leaves) == [-3.0, 1.0, 2.0]


def test_efg_information_set_referenced_without_its_actions(tmp_path):
    """Matching pennies as a tree: player 2's second node names only its information set."""
    text = '''EFG 2 R "pennies" { "p1" "p2" }
""
p "" 1 1 "" { "H" "T" } 0
p "" 2 1 "" { "h" "t" } 0
t "" 1 "a" { 1, -1 }
t "" 2 "b" { -1, 1 }
p "" 2 1 0
t "" 2 "b" { -1, 1 }
t "" 1 "a" { 1, -1 }
'''
    (tmp_path / "mp.efg").write_text(text)
    inst = instance(tmp_path, players=[{"name": "p1"}, {"name": "p2"}], solution="extensive",
                    game={"efg": "mp.efg", "designer": "p1"})
    tree = inst.environment
    moves = [j for j, t in enumerate(tree.node_type) if t == "move"]
    assert [tree.edges[j] for j in moves] == [("H", "T"), ("h", "t"), ("h", "t")]
    assert tree.infoset[moves[1]] == tree.infoset[moves[2]]
    bad = text.replace('p "" 2 1 0', 'p "" 2 2 0')
    (tmp_path / "bad.efg").write_text(bad)
    with pytest.raises(amd.InstanceError, match="used before its actions are listed"):
        instance(tmp_path, players=[{"name": "p1"}, {"name": "p2"}], solution="extensive",
                 game={"efg": "bad.efg", "designer": "p1"})
    assert np.isfinite(amd.solve(inst).objective)


def test_players_given_beside_an_nfg_must_agree(tmp_path):
    (tmp_path / "pd.nfg").write_text(PD_PAYOFF_VERSION)
    with pytest.raises(amd.InstanceError) as e:
        instance(tmp_path, nfg="pd.nfg", designer="welfare",
                 players=[{"name": "p1", "actions": ["C", "X"]}, {"name": "p2"}])
    assert e.value.path == "players[0].actions"
    g = instance(tmp_path, nfg="pd.nfg", designer="welfare",
                 players=[{"name": "p1", "types": ["a"]}, {"name": "p2"}], prior=[[1]]).environment
    assert g.types == (("a",), ("-",)) and g.actions[0] == ("C", "D")
