"""Gambit ``.efg`` files (the documented "outcome-based" extensive-form format, version 2):
where the file is, its text, its players, and the :class:`~amd.game_tree.GameTree` it describes."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from amd.errors import InstanceError, short_repr
from amd.files import read_text
from amd.game_tree import CHANCE, LEAF, MOVE, GameTree, Node, TreeBuilder
from amd.numeric import to_number

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
    if not isinstance(reference, str) or not reference or "\x00" in reference:
        raise InstanceError(file, key, f"expected the path of a Gambit file, got {short_repr(reference)}")
    base = Path(file).parent if file != "<input>" else Path(".")
    path = base / reference
    if os.environ.get("AMD_ALLOW_PATHS") == "1":
        return path
    inside = base.resolve()
    if Path(reference).is_absolute() or not path.resolve().is_relative_to(inside):
        raise InstanceError(file, key, f"{short_repr(reference)} leads outside the instance's folder "
                                       f"{str(base)!r}; put the Gambit file beside the instance, or allow it with "
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
    """Read a Gambit .efg tree (Gambit's documented "outcome-based" format, version 2). As in Gambit,
    a node of an information set met before may omit the set's name and actions, and an outcome at
    an inner node adds its payoffs to every leaf below it. The designer's payoff at a leaf is
    ``designer``: 'welfare' (the players' sum), a player's name, or a mapping from outcome name to
    number (summed over the outcomes on the path). Gambit's chance nodes are nature's moves."""
    players = efg_players(text, file, key)
    toks = _tokens(text)
    pos = toks.index(("sym", "}"), 0) + 1
    if pos < len(toks) and toks[pos][0] == "str":  # the game's comment
        pos += 1
    b = TreeBuilder(players, len(states), file)
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

    def designer_of(name: str, u: np.ndarray) -> float:
        """The designer's value of one outcome (for 'welfare' or a player: of its payoffs)."""
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

    isets: dict[tuple, list] = {}  # a node of a known information set may omit its name and actions

    def moves_of(kind: tuple, chance: bool) -> list:
        if peek()[0] == "str":
            take()  # the information set's name
        given = braced(chance) if peek() == ("sym", "{") else None
        known = isets.get(kind)
        need(given is not None or known is not None,
             f"information set {kind[-1]} of {'chance' if chance else players[kind[0] - 1]} is used before its "
             "actions are listed")
        if given is not None and known is not None:
            need(given == known,
                 f"information set {kind[-1]} is listed twice with different actions")
        isets.setdefault(kind, given)
        return isets[kind]

    def node(label: str, paid: np.ndarray, owed: float) -> int:
        """Read the subtree at ``label``; ``paid``/``owed``: the players' payoffs and the designer's
        value of the outcomes at the nodes above (Gambit adds them to the leaf's)."""
        token = take()
        need(token[0] == "word" and token[1] in ("p", "c", "t"), f"expected a node ('p', 'c' or 't'), got {token[1]!r}")
        take()  # node name
        me = len(b.nodes)
        if token[1] == "t":
            oc = outcome_of()
            u = paid if oc is None else paid + oc[1]
            if isinstance(designer, dict):  # valued per outcome: the outcomes on the path add up
                d = owed if oc is None else owed + designer_of(*oc)
            else:  # 'welfare' or a player: a function of the payoffs at the end
                d = designer_of("", u)
            b.nodes.append(Node(LEAF, f"{where} node {label or 'root'}", [], [], payoffs=np.repeat(u[:, None], b.S, 1),
                                 value=np.full(b.S, d)))
            return me
        if token[1] == "c":
            iset = whole(take())
            moves = moves_of(("c", iset), True)
            prob = [p for _, p in moves]
            b._check_probabilities(prob, where)
            n = Node(CHANCE, f"{where} chance set {iset}", [m for m, _ in moves], [], prob=prob)
        else:
            player = whole(take())
            need(1 <= player <= len(players), f"player {player} is not declared")
            iset = whole(take())
            acts = [t[1] for t in moves_of((player, iset), False)]
            n = Node(MOVE, f"{where} infoset {player}:{iset}", acts, [], player=player - 1,
                      infoset=f"{players[player - 1]}:{iset}")
        oc = outcome_of()
        if oc is not None:  # an outcome at an inner node: Gambit adds it to every leaf below
            paid = paid + oc[1]
            owed = owed + designer_of(*oc) if isinstance(designer, dict) else owed
        b.nodes.append(n)
        for a in list(n.edges):
            n.children.append(node(a, paid, owed))
        return me

    try:
        node("", np.zeros(len(players)), 0.0)
    except RecursionError:
        raise InstanceError(file, where, "the tree is deeper than this reader follows (about 900 moves)") from None
    return b.tree(states, prior)
