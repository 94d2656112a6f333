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

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from amd.errors import InstanceError, short_repr
from amd.files import read_text
from amd.numeric import to_number

DESIGNER = "designer"
MOVE, CHANCE, CHOICE, LEAF = "move", "chance", "designer", "leaf"


@dataclass(frozen=True, eq=False)
class GameTree:
    """Nodes 0..N-1 in depth-first order, node 0 the root: nature's draw of the state."""

    states: tuple[str, ...]
    prior: np.ndarray  # (S,)
    players: tuple[str, ...]
    kind: tuple[str, ...]  # move | chance | designer | leaf
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
class _Node:
    kind: str
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


class _Builder:
    """The template tree (state-free) from either source, then checks common to both."""

    def __init__(self, players: tuple[str, ...], S: int, file: str):
        self.players, self.S, self.file = players, S, file
        self.nodes: list[_Node] = []

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
            self.nodes.append(_Node(LEAF, path, [], [], payoffs=u,
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
            node = _Node(CHANCE, path, labels, [], prob=prob)
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
            node = _Node(MOVE if i >= 0 else CHOICE, path, labels, [], player=i,
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
            if node.kind != MOVE:
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
            if node.kind == MOVE:
                mine = own.get(node.player, ())
                h = of[v]
                if h in seen and seen[h] != mine:
                    self.fail(f"{node.path}", f"information set {names[h]!r} violates perfect recall: "
                              f"{self.players[node.player]} reaches its nodes after different own moves")
                seen[h] = mine
            for a, c in zip(node.edges, node.children):
                nxt = own
                if node.kind == MOVE:
                    nxt = dict(own)
                    nxt[node.player] = own.get(node.player, ()) + ((of[v], a),)
                walk(c, nxt)

        walk(0, {})
        return names, of

    def tree(self, states: tuple[str, ...], prior: np.ndarray) -> GameTree:
        names, of = self.information_sets()
        n, S = len(self.players), len(states)
        # node 0, nature's draw of the state; its children are filled in below
        kind, children, edges, prob = [CHANCE], [()], [tuple(states)], [tuple(prior)]
        mover, infoset, state, leaf = [-1], [-1], [-1], [-1]
        pay, val = [np.zeros(n)], [0.0]
        leaf_labels: list[str] = []
        leaf_of: dict[int, int] = {}

        def copy(v: int, s: int, trail: tuple[str, ...]) -> int:
            node = self.nodes[v]
            me = len(kind)
            kind.append(node.kind)
            children.append(())
            edges.append(tuple(node.edges))
            prob.append(tuple(node.prob) if node.prob is not None else None)
            mover.append(node.player if node.kind == MOVE else -1)
            infoset.append(of[v])
            state.append(s)
            if node.kind == LEAF:
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
        return GameTree(tuple(states), np.asarray(prior, float), self.players, tuple(kind), tuple(children),
                        tuple(edges), tuple(prob), tuple(mover), tuple(infoset), tuple(names),
                        np.array(pay), np.array(val), tuple(state), tuple(leaf), tuple(leaf_labels))


def from_yaml(raw: Any, states: tuple[str, ...], prior: np.ndarray, players: tuple[str, ...], file: str,
              path: str = "game.tree") -> GameTree:
    """The tree under ``game.tree`` of an instance file (module docstring for the format)."""
    b = _Builder(players, len(states), file)
    b.yaml_node(raw, path)
    return b.tree(states, prior)


# ---- Gambit .efg (outcome-based extensive form, version 2) ------------------------------------
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\{|\}|,|[^\s{},"]+')


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        if m.group(1) is not None:
            out.append(("str", m.group(1).replace('\\"', '"')))
        elif m.group(0) in "{},":
            out.append(("sym", m.group(0)))
        else:
            out.append(("word", m.group(0)))
    return out


#: the largest .efg file read
MAX_EFG_BYTES = 16 * 2**20


def efg_path(reference: str, file: str, key: str) -> Path:
    """Where ``efg: reference`` points: relative to the instance file, and inside the instance's
    folder tree — no absolute path, no '..' or symbolic link leading out of it — unless the user
    allows it (``amd --allow-paths``, or AMD_ALLOW_PATHS=1). An instance file is data; it must not
    be able to make amd read (and echo) any file on the machine."""
    base = Path(file).parent if file != "<input>" else Path(".")
    path = base / reference
    if os.environ.get("AMD_ALLOW_PATHS") == "1":
        return path
    inside = base.resolve()
    if Path(reference).is_absolute() or not path.resolve().is_relative_to(inside):
        raise InstanceError(file, key, f"{short_repr(reference)} leads outside the instance's folder "
                                       f"{str(base)!r}; put the .efg beside the instance, or allow it with "
                                       "amd --allow-paths")
    return path


def read_efg(path: Path, file: str, key: str) -> str:
    """The text of a Gambit file, checked to be one (version 2, real or rational payoffs)."""
    text = read_text(path, MAX_EFG_BYTES, file, key)
    if not text.lstrip().startswith("EFG 2 R"):
        raise InstanceError(file, key, f"{path}: not a Gambit .efg file of version 2 with rational or real "
                            "payoffs (the first line starts 'EFG 2 R')")
    return text


def efg_players(text: str, file: str, key: str) -> tuple[str, ...]:
    """The player names an .efg text declares."""
    toks = _tokens(text)
    if ("sym", "{") not in toks[:6]:
        raise InstanceError(file, key, "not a Gambit .efg file (expected 'EFG 2 R \"title\" { players }')")
    names = []
    for t in toks[toks.index(("sym", "{")) + 1:]:
        if t == ("sym", "}"):
            return tuple(names)
        names.append(t[1])
    raise InstanceError(file, key, "unterminated player list in the .efg file")


def from_efg(text: str, name: str, designer: Any, states: tuple[str, ...], prior: np.ndarray, file: str,
             key: str = "game.efg") -> GameTree:
    """Read a Gambit .efg tree (Gambit's documented "outcome-based" format). The designer's payoff
    at a leaf is ``designer``: 'welfare' (the players' sum), a player's name, or a mapping from
    outcome name to number. Gambit's chance nodes are nature's moves inside the tree."""
    players = efg_players(text, file, key)
    toks = _tokens(text)
    pos = toks.index(("sym", "}"), 0) + 1
    if pos < len(toks) and toks[pos][0] == "str":  # the game's comment
        pos += 1
    b = _Builder(players, len(states), file)
    outcomes: dict[int, tuple[str, np.ndarray]] = {}
    where = f"{key} ({name})"

    def need(cond: bool, msg: str):
        if not cond:
            raise InstanceError(file, where, msg)

    def num(tok) -> float:
        if tok[0] != "word":  # Gambit writes numbers bare: a quoted "1" is a label, not a payoff
            raise InstanceError(file, where, f"expected a number (without quotes), got {tok[0]} {short_repr(tok[1])}")
        try:
            return to_number(tok[1])
        except ValueError as e:
            raise InstanceError(file, where, str(e)) from None

    def whole(tok) -> int:
        if tok[0] != "word" or not re.fullmatch(r"\d{1,9}", tok[1]):
            raise InstanceError(file, where, f"expected a whole number, got {short_repr(tok[1])}")
        return int(tok[1])

    def peek() -> tuple[str, str]:
        need(pos < len(toks), "the file ends inside a node")
        return toks[pos]

    def take() -> tuple[str, str]:
        nonlocal pos
        need(pos < len(toks), "the file ends inside a node")
        pos += 1
        return toks[pos - 1]

    def braced(pairs: bool) -> list:
        need(take() == ("sym", "{"), "expected '{'")
        items = []
        while peek() != ("sym", "}"):
            t = take()
            if t == ("sym", ","):
                continue
            items.append((t[1], num(take())) if pairs else t)
        take()
        return items

    def outcome_of() -> tuple[str, np.ndarray] | None:
        number = whole(take())
        if pos < len(toks) and toks[pos][0] == "str":
            name = take()[1]
            pays = [num(t) for t in braced(False)]
            need(len(pays) == len(players), f"outcome {number} has {len(pays)} payoffs for {len(players)} players")
            outcomes[number] = (name, np.array(pays))
        if number == 0:
            return None
        need(number in outcomes, f"outcome {number} used before its payoffs are given")
        return outcomes[number]

    def leaf_value(name: str, u: np.ndarray) -> float:
        if designer == "welfare":
            return float(u.sum())
        if isinstance(designer, str):
            if designer not in players:
                raise InstanceError(file, "game.designer", f"expected 'welfare', a player of the .efg "
                                    f"({', '.join(players)}) or a mapping outcome → value, got {designer!r}")
            return float(u[players.index(designer)])
        if isinstance(designer, dict):
            if name not in designer:
                raise InstanceError(file, f"game.designer.{name}", "missing the designer's value of this outcome")
            try:
                return to_number(designer[name])
            except ValueError as e:
                raise InstanceError(file, f"game.designer.{name}", str(e)) from None
        raise InstanceError(file, "game.designer", "required: 'welfare', a player's name or a mapping outcome → value")

    def node(label: str) -> int:
        kind = take()
        need(kind[0] == "word" and kind[1] in ("p", "c", "t"), f"expected a node ('p', 'c' or 't'), got {kind[1]!r}")
        take()  # node name
        me = len(b.nodes)
        if kind[1] == "t":
            oc = outcome_of()
            need(oc is not None, "a terminal node needs an outcome")
            name, u = oc
            b.nodes.append(_Node(LEAF, f"{where} node {label or 'root'}", [], [], payoffs=np.repeat(u[:, None], b.S, 1),
                                 value=np.full(b.S, leaf_value(name, u))))
            return me
        if kind[1] == "c":
            iset = whole(take())
            if peek()[0] == "str":
                take()
            moves = braced(True)
            prob = [p for _, p in moves]
            b._check_probabilities(prob, where)
            n = _Node(CHANCE, f"{where} chance set {iset}", [m for m, _ in moves], [], prob=prob)
        else:
            player = whole(take())
            need(1 <= player <= len(players), f"player {player} is not declared")
            iset = whole(take())
            if peek()[0] == "str":
                take()
            acts = [t[1] for t in braced(False)]
            n = _Node(MOVE, f"{where} infoset {player}:{iset}", acts, [], player=player - 1,
                      infoset=f"{players[player - 1]}:{iset}")
        oc = outcome_of()
        need(oc is None, "payoffs at inner nodes are not supported: put them on the leaves")
        b.nodes.append(n)
        for a in list(n.edges):
            n.children.append(node(a))
        return me

    try:
        node("")
    except RecursionError:
        raise InstanceError(file, where, "the tree is deeper than this reader follows (about 900 moves)") from None
    return b.tree(states, prior)
