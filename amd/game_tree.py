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

A decision node may carry ``designer_sees: false`` (on every node of its information set): the
designer neither sees the move nor advises it — the mover acts on his own information (the
prior and the designer's plan), and advice to later movers cannot depend on what he did. This
is information fixed before the move, as in Roesler & Szentes (AER 2017), whose designer chooses
the buyer's signal before the seller posts a price he cannot see. Since the designer cannot
tell which node after the move is reached, his advice there is a *contingent* message: for each
later information set, the action it recommends, and a player learns the message's part about
his own information sets (any signal can be coarsened to that part without breaking obedience:
a player who obeys after every signal obeys after their union). :meth:`TreeBuilder.blind`
writes this as the designer choosing the message just before the move (a choice the players
see only in their own part), the later advice then fixed by it (``GameTree.forced``). So that
committing to the message loses nothing, every decision after an unseen move must end the game
(its moves lead to leaves) or itself be unseen, and nature must not move after it.

Players must have perfect recall (Kuhn 1953): all nodes of an information set share the
player's own past information sets and actions. A Gambit ``.efg`` file (outcome payoffs per
player, chance nodes with probabilities) may be given instead of the YAML tree.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from amd.errors import InstanceError
from amd.numeric import to_number

DESIGNER = "designer"
MOVE, CHANCE, CHOICE, LEAF = "move", "chance", "designer", "leaf"
#: contingent messages before one unseen move (each a copy of the subtree below it)
MAX_MESSAGES = 4096
#: decision nodes those copies may add (the designer histories they lead to are capped later)
MAX_COPIED_NODES = 200_000


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
    #: per node, the action the designer's earlier contingent message fixes as its advice, else -1
    forced: tuple[int, ...] = ()
    #: the information sets whose mover the designer neither sees nor advises (designer_sees: false)
    unadvised: tuple[int, ...] = ()

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
    unseen: bool = False  # designer_sees: false
    forced: int = -1  # the action a contingent message fixes as the advice here
    silent: bool = False  # the designer's message before an unseen move: not part of leaf labels


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
            unknown = set(raw) - {"player", "infoset", "designer_sees", "moves"}
            if unknown:
                self.fail(f"{path}.{min(unknown)}", "unknown key in a decision node "
                          "(expected 'player', 'infoset', 'designer_sees', 'moves'; or 'chance' and 'moves')")
            if "player" not in raw:
                self.fail(f"{path}.player", "required key is missing (who moves here: a player or 'designer')")
            i = self.player_index(raw["player"], f"{path}.player")
            if i < 0 and "infoset" in raw:
                self.fail(f"{path}.infoset", "the designer's own choices have no information set")
            sees = raw.get("designer_sees", True)
            if not isinstance(sees, bool):
                self.fail(f"{path}.designer_sees", f"expected true or false, got {sees!r}")
            if i < 0 and not sees:
                self.fail(f"{path}.designer_sees", "the designer sees his own choices")
            node = Node(MOVE if i >= 0 else CHOICE, path, labels, [], player=i,
                         infoset=str(raw["infoset"]) if "infoset" in raw else None, unseen=not sees)
        self.nodes.append(node)
        for k, child in moves.items():
            node.children.append(self.yaml_node(child, f"{path}.moves.{k}"))
        return me

    def _check_probabilities(self, prob: list[float], path: str) -> None:
        if any(p < 0 for p in prob) or abs(sum(prob) - 1.0) > 1e-9:
            self.fail(path, f"chance probabilities must be non-negative and sum to 1, got {prob}")

    # ---- checks -------------------------------------------------------------------------
    def infoset_name(self, v: int) -> str:
        node = self.nodes[v]
        return node.infoset if node.infoset is not None else f"{self.players[node.player]}@{node.path}"

    def reachable(self, root: int) -> list[int]:
        """The nodes below ``root``, in increasing order."""
        out, stack = set(), [root]
        while stack:
            v = stack.pop()
            if v not in out:
                out.add(v)
                stack.extend(self.nodes[v].children)
        return sorted(out)

    def information_sets(self, root: int = 0) -> tuple[list[str], list[int]]:
        """Name every decision node's information set; check actions and perfect recall."""
        names: list[str] = []
        index: dict[str, int] = {}
        of = [-1] * len(self.nodes)
        first: dict[int, int] = {}
        for v in self.reachable(root):  # blind() leaves the unseen subtrees it copied unreachable
            node = self.nodes[v]
            if node.node_type != MOVE:
                continue
            name = self.infoset_name(v)
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

        walk(root, {})
        return names, of

    # ---- moves the designer does not see ----------------------------------------------------
    def blind(self, prior: np.ndarray, root: int = 0) -> int:
        """Write every move the designer does not see as in the module docstring: a designer
        choice of the contingent message just before it. Returns the (new) root."""
        if not any(node.unseen for node in self.nodes):
            return root
        marks: dict[str, bool] = {}
        for v, node in enumerate(self.nodes):
            if node.node_type == MOVE and marks.setdefault(self.infoset_name(v), node.unseen) != node.unseen:
                self.fail(f"{node.path}.designer_sees", f"information set {self.infoset_name(v)!r} has nodes the "
                          "designer sees and nodes he does not: mark all of them alike")
        advised_below: dict[str, str] = {}  # advised information set after an unseen move -> its unseen node
        advised_elsewhere: set[str] = set()

        def rewrite(v: int) -> int:
            node = self.nodes[v]
            if node.node_type == MOVE and node.unseen:
                return self._message(v, advised_below, prior)
            if node.node_type == MOVE:
                advised_elsewhere.add(self.infoset_name(v))
            node.children = [rewrite(c) for c in node.children]
            return v

        root = rewrite(root)
        both = sorted(set(advised_below) & advised_elsewhere)
        if both:
            self.fail(advised_below[both[0]], f"information set {both[0]!r} has nodes after a move the designer "
                      "does not see and nodes elsewhere: the player would tell them apart by the advice")
        return root

    def _message(self, top: int, advised_below: dict[str, str], prior: np.ndarray) -> int:
        """The designer's choice of a contingent message before the unseen node ``top``."""
        parts: list[tuple[str, int, str]] = []  # (information set, player, its tag in a message)
        where: dict[str, int] = {}

        def scan(v: int, trail: tuple[str, ...]) -> bool:
            """Check the subtree; True when another unseen move lies below ``top``."""
            node = self.nodes[v]
            if node.node_type == LEAF:
                return False
            if node.node_type != MOVE:
                what = "nature moves" if node.node_type == CHANCE else "the designer chooses"
                self.fail(node.path, f"{what} after a move the designer does not see ({self.nodes[top].path}): "
                          "not supported; let it happen before that move")
            if not node.unseen:
                if any(self.nodes[c].node_type != LEAF for c in node.children):
                    self.fail(node.path, f"a move after one the designer does not see ({self.nodes[top].path}) must "
                              "end the game (lead to leaves) or be unseen too: advice committed before the unseen "
                              "move could not use what is seen later")
                name = self.infoset_name(v)
                advised_below[name] = node.path
                if name not in where:
                    where[name] = len(parts)
                    parts.append((name, node.player, node.infoset or "/".join(trail)))
            below = [scan(c, trail + (a,)) for a, c in zip(node.edges, node.children)]
            return any(below) or (node.unseen and v != top)

        nested = scan(top, ())
        members = {name: self._template_nodes(name) for name, _, _ in parts}
        edges = [self.nodes[members[name][0]].edges for name, _, _ in parts]
        too_many = (f"{self.nodes[top].path}.designer_sees", f"the designer's advice after this move covers "
                    f"{len(parts)} information sets: more than {MAX_MESSAGES:,} contingent messages")
        if nested or any(len(nodes) > 1 for nodes in members.values()):
            if np.prod([len(e) for e in edges], dtype=float) > MAX_MESSAGES:
                self.fail(*too_many)
            messages = list(itertools.product(*[range(len(e)) for e in edges]))
        else:
            messages = self._obeyable(parts, [members[name][0] for name, _, _ in parts], prior, too_many)
        inner = sum(self.nodes[v].node_type != LEAF for v in self.reachable(top))
        if len(messages) * inner > MAX_COPIED_NODES:
            self.fail(f"{self.nodes[top].path}.designer_sees", f"{len(messages):,} contingent messages, each a copy of "
                      f"the {inner:,} decisions from this move on: more than {MAX_COPIED_NODES:,} nodes")
        labels, kids = [], []
        for message in messages:
            told = {}
            for (name, k, tag), a, acts in zip(parts, message, edges):
                told.setdefault(k, []).append(f"{tag}→{acts[a]}")
            own = {k: ", ".join(v) for k, v in told.items()}
            labels.append("; ".join(f"{self.players[k]}: {v}" for k, v in own.items()) or "(nothing to advise)")
            choice = {name: a for (name, _, _), a in zip(parts, message)}
            kids.append(self._copy(top, choice, {name: own[k] for name, k, _ in parts}))
        self.nodes.append(Node(CHOICE, self.nodes[top].path, labels, kids, silent=True))
        return len(self.nodes) - 1

    def _template_nodes(self, name: str) -> list[int]:
        return [v for v, node in enumerate(self.nodes) if node.node_type == MOVE and self.infoset_name(v) == name]

    def _obeyable(self, parts: list[tuple[str, int, str]], nodes: list[int], prior: np.ndarray,
                  too_many: tuple[str, str]) -> list:
        """The contingent messages some posterior could make obeyed. Here (no other unseen move
        below, each advised information set one node of the template, its moves ending the game)
        a player told a message holds one belief over the states at all his advised sets: he
        sees the unseen move's outcome, and nothing else after it happened. A message sent with
        positive probability must be obeyed at every one of them — on path, or after the unseen
        mover's deviation, revealed and with the belief unchanged (his deviation tells nothing
        about the state) — so a part no belief makes a best reply everywhere is never sent.
        Built set by set, a partial message no belief obeys is dropped with all its extensions."""
        from amd.punishment import one_belief_suffices

        live = np.flatnonzero(np.asarray(prior) > 0)
        leaves = [[self.nodes[c].payoffs[k, live] for c in self.nodes[v].children] for (_, k, _), v in zip(parts, nodes)]
        scale = max((float(np.abs(u).max(initial=0.0)) for row in leaves for u in row), default=1.0)
        by_player: dict[int, list[int]] = {}
        for j, (_, k, _) in enumerate(parts):
            by_player.setdefault(k, []).append(j)
        kept: dict[int, list[tuple[int, ...]]] = {}
        for k, sets in by_player.items():
            partial = [((), np.zeros((len(live), 0)))]
            for j in sets:
                u = leaves[j]
                grown = []
                for told, gain in partial:
                    for r in range(len(u)):
                        g = np.column_stack([gain] + [u[r] - u[a] for a in range(len(u)) if a != r])
                        if one_belief_suffices(g, scale):
                            grown.append((told + (r,), g))
                if len(grown) > MAX_MESSAGES:
                    self.fail(*too_many)
                partial = grown
            kept[k] = [told for told, _ in partial]
        messages = []
        for combo in itertools.product(*kept.values()):
            message = [0] * len(parts)
            for (k, sets), told in zip(by_player.items(), combo):
                for j, r in zip(sets, told):
                    message[j] = r
            messages.append(tuple(message))
            if len(messages) > MAX_MESSAGES:
                self.fail(*too_many)
        return messages

    def _copy(self, v: int, choice: dict[str, int], told: dict[str, str]) -> int:
        """The subtree at v under one message: advised sets renamed by what the player is told
        and their advice fixed; leaves shared (the same outcome under every message)."""
        node = self.nodes[v]
        if node.node_type == LEAF:
            return v
        name = self.infoset_name(v)
        copy = dataclasses.replace(node, edges=list(node.edges), children=[self._copy(c, choice, told)
                                                                           for c in node.children])
        if node.unseen:
            copy.infoset = name
        else:
            copy.infoset, copy.forced = f"{name} | told {told[name]}", choice[name]
        self.nodes.append(copy)
        return len(self.nodes) - 1

    def tree(self, states: tuple[str, ...], prior: np.ndarray) -> GameTree:
        root = self.blind(prior)
        names, of = self.information_sets(root)
        n, S = len(self.players), len(states)
        # node 0, nature's draw of the state; its children are filled in below
        node_type, children, edges, prob = [CHANCE], [()], [tuple(states)], [tuple(prior)]
        mover, infoset, state, leaf = [-1], [-1], [-1], [-1]
        pay, val = [np.zeros(n)], [0.0]
        leaf_labels: list[str] = []
        leaf_of: dict[int, int] = {}

        forced: list[int] = [-1]

        def copy(v: int, s: int, trail: tuple[str, ...]) -> int:
            node = self.nodes[v]
            forced.append(node.forced)
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
            kids = tuple(copy(c, s, trail if node.silent else trail + (a,)) for a, c in zip(node.edges, node.children))
            children[me] = kids
            return me

        children[0] = tuple(copy(root, s, ()) for s in range(S))
        unadvised = sorted({of[v] for v in self.reachable(root) if self.nodes[v].unseen})
        return GameTree(tuple(states), np.asarray(prior, float), self.players, tuple(node_type), tuple(children),
                        tuple(edges), tuple(prob), tuple(mover), tuple(infoset), tuple(names),
                        np.array(pay), np.array(val), tuple(state), tuple(leaf), tuple(leaf_labels),
                        tuple(forced), tuple(unadvised))


def from_yaml(raw: Any, states: tuple[str, ...], prior: np.ndarray, players: tuple[str, ...], file: str,
              path: str = "game.tree") -> GameTree:
    """The tree under ``game.tree`` of an instance file (module docstring for the format)."""
    b = TreeBuilder(players, len(states), file)
    b.yaml_node(raw, path)
    return b.tree(states, prior)
