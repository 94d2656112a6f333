r"""A finite extensive-form game with a state drawn by nature: the tree, read from YAML or Gambit.

The tree is written once and played in every state θ of ``states`` (drawn from ``prior`` by
nature at the root, observed by the designer, by no player): leaves carry each player's payoff
and the designer's, a number or one per state. Inner nodes are

* ``player: NAME, infoset: LABEL, moves: {action: node, …}`` — a decision; nodes with the same
  ``infoset`` label form one information set (same player, same actions); without a label
  the node is an information set of its own;
* ``chance: {label: probability, …}, moves: {label: node, …}`` — nature moves;
* ``player: designer, moves: {…}`` — the designer chooses (with any probabilities it likes),
  unseen by the players unless an information set says otherwise: how a designer-chosen order
  of moves (Doval & Ely 2020) is written as a tree.

Players must have perfect recall (Kuhn 1953): all nodes of an information set share the
player's own past information sets and actions. A Gambit ``.efg`` file (outcome payoffs per
player, chance nodes with probabilities) may be given instead of the YAML tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from amd.errors import InstanceError
from amd.numeric import to_number

DESIGNER = "designer"
MOVE, CHANCE, CHOICE, LEAF = "move", "chance", "designer", "leaf"


@dataclass(frozen=True, eq=False)
class GameTree:
    """Nodes 0..N-1 in depth-first order, node 0 the root: nature's draw of the state."""

    states: tuple[str, ...]
    prior: np.ndarray  # (S,)
    players: tuple[str, ...]
    node_type: tuple[str, ...]  # move | chance | designer | leaf
    children: tuple[tuple[int, ...], ...]
    edges: tuple[tuple[str, ...], ...]  # the label of the edge to each child
    prob: tuple[tuple[float, ...] | None, ...]  # chance probabilities
    mover: tuple[int, ...]  # the player at a move node, else -1
    infoset: tuple[int, ...]  # the information set of a move node, else -1
    infosets: tuple[str, ...]  # information set names
    payoffs: np.ndarray  # (N, n) at leaves
    value: np.ndarray  # (N,) the designer's payoff at leaves
    state: tuple[int, ...]  # the state each node is played in (-1 at the root)
    leaf: tuple[int, ...]  # at leaves the index into ``leaves``, else -1
    leaves: tuple[str, ...]  # a leaf's path of edge labels, the same in every state

    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def shape(self) -> tuple[int, int]:
        """(S, leaves): the layout of an outcome, the distribution of (state, leaf)."""
        return len(self.states), len(self.leaves)

    @property
    def infoset_nodes(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.infosets]
        for v, h in enumerate(self.infoset):
            if h >= 0:
                out[h].append(v)
        return out


@dataclass
class Node:
    node_type: str
    path: str  # key path in the file, for errors
    edges: list[str]
    children: list[int]
    prob: list[float] | None = None
    player: int = -1
    infoset: str | None = None
    payoffs: np.ndarray | None = None  # (n, S)
    value: np.ndarray | None = None  # (S,)


def _per_state(raw: Any, S: int, file: str, path: str) -> np.ndarray:
    try:
        if isinstance(raw, list):
            if len(raw) != S:
                raise InstanceError(file, path, f"expected one number per state ({S}), got {len(raw)}")
            return np.array([to_number(x) for x in raw])
        return np.full(S, to_number(raw))
    except ValueError as e:
        raise InstanceError(file, path, str(e)) from None


class TreeBuilder:
    """The template tree (state-free) from either source, then checks common to both."""

    def __init__(self, players: tuple[str, ...], S: int, file: str):
        self.players, self.S, self.file = players, S, file
        self.nodes: list[Node] = []

    def fail(self, path: str, msg: str):
        raise InstanceError(self.file, path, msg)

    def player_index(self, name: Any, path: str) -> int:
        if name == DESIGNER:
            return -1
        if name not in self.players:
            self.fail(path, f"unknown player {name!r}; the players are {', '.join(self.players)} (or 'designer')")
        return self.players.index(name)

    # ---- YAML ---------------------------------------------------------------------------
    def yaml_node(self, raw: Any, path: str) -> int:
        if not isinstance(raw, dict):
            self.fail(path, "expected a node: a mapping with 'moves' (a decision or chance node) or 'payoffs' (a leaf)")
        me = len(self.nodes)
        if "moves" not in raw:
            unknown = set(raw) - {"payoffs", "designer"}
            if unknown:
                self.fail(f"{path}.{min(unknown)}", "unknown key in a leaf (expected 'payoffs', 'designer')")
            for key in ("payoffs", "designer"):
                if key not in raw:
                    self.fail(f"{path}.{key}", "required key is missing in a leaf")
            pay = raw["payoffs"]
            if not isinstance(pay, dict):
                self.fail(f"{path}.payoffs", "expected a mapping player → payoff")
            for p in pay:
                if p not in self.players:
                    self.fail(f"{path}.payoffs.{p}", f"unknown player; the players are {', '.join(self.players)}")
            u = np.empty((len(self.players), self.S))
            for i, p in enumerate(self.players):
                if p not in pay:
                    self.fail(f"{path}.payoffs.{p}", "missing payoff for this player")
                u[i] = _per_state(pay[p], self.S, self.file, f"{path}.payoffs.{p}")
            self.nodes.append(Node(LEAF, path, [], [], payoffs=u,
                                    value=_per_state(raw["designer"], self.S, self.file, f"{path}.designer")))
            return me
        moves = raw["moves"]
        if not isinstance(moves, dict) or not moves:
            self.fail(f"{path}.moves", "expected a non-empty mapping action → node")
        labels = [str(k) for k in moves]
        if "chance" in raw:
            unknown = set(raw) - {"chance", "moves"}
            if unknown:
                self.fail(f"{path}.{min(unknown)}", "unknown key in a chance node (expected 'chance', 'moves')")
            ch = raw["chance"]
            if not isinstance(ch, dict) or set(map(str, ch)) != set(labels):
                self.fail(f"{path}.chance", "expected a mapping with one probability per move")
            try:
                prob = [to_number(ch[k]) for k in moves]
            except ValueError as e:
                self.fail(f"{path}.chance", str(e))
            self._check_probabilities(prob, f"{path}.chance")
            node = Node(CHANCE, path, labels, [], prob=prob)
        else:
            unknown = set(raw) - {"player", "infoset", "moves"}
            if unknown:
                self.fail(f"{path}.{min(unknown)}", "unknown key in a decision node "
                          "(expected 'player', 'infoset', 'moves'; or 'chance' and 'moves')")
            if "player" not in raw:
                self.fail(f"{path}.player", "required key is missing (who moves here: a player or 'designer')")
            i = self.player_index(raw["player"], f"{path}.player")
            if i < 0 and "infoset" in raw:
                self.fail(f"{path}.infoset", "the designer's own choices have no information set")
            node = Node(MOVE if i >= 0 else CHOICE, path, labels, [], player=i,
                         infoset=str(raw["infoset"]) if "infoset" in raw else None)
        self.nodes.append(node)
        for k, child in moves.items():
            node.children.append(self.yaml_node(child, f"{path}.moves.{k}"))
        return me

    def _check_probabilities(self, prob: list[float], path: str) -> None:
        if any(p < 0 for p in prob) or abs(sum(prob) - 1.0) > 1e-9:
            self.fail(path, f"chance probabilities must be non-negative and sum to 1, got {prob}")

    # ---- checks -------------------------------------------------------------------------
    def information_sets(self) -> tuple[list[str], list[int]]:
        """Name every decision node's information set; check actions and perfect recall."""
        names: list[str] = []
        index: dict[str, int] = {}
        of = [-1] * len(self.nodes)
        first: dict[int, int] = {}
        for v, node in enumerate(self.nodes):
            if node.node_type != MOVE:
                continue
            name = node.infoset if node.infoset is not None else f"{self.players[node.player]}@{node.path}"
            if name not in index:
                index[name] = len(names)
                names.append(name)
                first[index[name]] = v
            h = index[name]
            of[v] = h
            ref = self.nodes[first[h]]
            if ref.player != node.player:
                self.fail(f"{node.path}.player", f"information set {name!r} has nodes of two players "
                          f"({self.players[ref.player]} and {self.players[node.player]})")
            if sorted(ref.edges) != sorted(node.edges):
                self.fail(f"{node.path}.moves", f"information set {name!r} offers {ref.edges} at {ref.path}, "
                          f"{node.edges} here: a player must not tell the nodes of a set apart by their actions")
            if ref.edges != node.edges:  # one order of actions per set, the first node's
                order = [node.edges.index(a) for a in ref.edges]
                node.edges = list(ref.edges)
                node.children = [node.children[j] for j in order]
        # perfect recall: the player's own (set, action) history is the same at every node of a set
        seen: dict[int, tuple] = {}

        def walk(v: int, own: dict[int, tuple]):
            node = self.nodes[v]
            if node.node_type == MOVE:
                mine = own.get(node.player, ())
                h = of[v]
                if h in seen and seen[h] != mine:
                    self.fail(f"{node.path}", f"information set {names[h]!r} violates perfect recall: "
                              f"{self.players[node.player]} reaches its nodes after different own moves")
                seen[h] = mine
            for a, c in zip(node.edges, node.children):
                nxt = own
                if node.node_type == MOVE:
                    nxt = dict(own)
                    nxt[node.player] = own.get(node.player, ()) + ((of[v], a),)
                walk(c, nxt)

        walk(0, {})
        return names, of

    def tree(self, states: tuple[str, ...], prior: np.ndarray) -> GameTree:
        names, of = self.information_sets()
        n, S = len(self.players), len(states)
        # node 0, nature's draw of the state; its children are filled in below
        node_type, children, edges, prob = [CHANCE], [()], [tuple(states)], [tuple(prior)]
        mover, infoset, state, leaf = [-1], [-1], [-1], [-1]
        pay, val = [np.zeros(n)], [0.0]
        leaf_labels: list[str] = []
        leaf_of: dict[int, int] = {}

        def copy(v: int, s: int, trail: tuple[str, ...]) -> int:
            node = self.nodes[v]
            me = len(node_type)
            node_type.append(node.node_type)
            children.append(())
            edges.append(tuple(node.edges))
            prob.append(tuple(node.prob) if node.prob is not None else None)
            mover.append(node.player if node.node_type == MOVE else -1)
            infoset.append(of[v])
            state.append(s)
            if node.node_type == LEAF:
                if v not in leaf_of:
                    leaf_of[v] = len(leaf_labels)
                    leaf_labels.append(",".join(trail) or "(root)")
                leaf.append(leaf_of[v])
                pay.append(node.payoffs[:, s])
                val.append(float(node.value[s]))
            else:
                leaf.append(-1)
                pay.append(np.zeros(n))
                val.append(0.0)
            kids = tuple(copy(c, s, trail + (a,)) for a, c in zip(node.edges, node.children))
            children[me] = kids
            return me

        children[0] = tuple(copy(0, s, ()) for s in range(S))
        return GameTree(tuple(states), np.asarray(prior, float), self.players, tuple(node_type), tuple(children),
                        tuple(edges), tuple(prob), tuple(mover), tuple(infoset), tuple(names),
                        np.array(pay), np.array(val), tuple(state), tuple(leaf), tuple(leaf_labels))


def from_yaml(raw: Any, states: tuple[str, ...], prior: np.ndarray, players: tuple[str, ...], file: str,
              path: str = "game.tree") -> GameTree:
    """The tree under ``game.tree`` of an instance file (module docstring for the format)."""
    b = TreeBuilder(players, len(states), file)
    b.yaml_node(raw, path)
    return b.tree(states, prior)
