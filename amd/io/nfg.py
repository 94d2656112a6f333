"""Gambit ``.nfg`` files: strategic (normal-form) games as base games for information design.

Both documented versions are read (Gambit's "strategic game file format", payoff and outcome
versions): ``NFG 1 R "title" { "P1" "P2" } { { "a" "b" } { "c" "d" } } "comment"`` followed either
by the payoffs — for each strategy profile, every player's payoff, profiles listed with the first
player's strategy changing fastest — or by a list of outcomes ``{ "name" u1, u2 }`` and one outcome
number per profile (0: all payoffs 0). The strategy lists may be counts (``{ 3 2 }``), the
strategies then being named 1, 2, ….

In an instance, ``nfg: FILE`` gives the base game of a one-state problem and
``nfg: {state: FILE, …}`` one game per state (same players and strategies in each).
"""

from __future__ import annotations

import math
import re

import numpy as np

from amd import limits
from amd.errors import InstanceError, short_repr
from amd.io.efg import _tokens
from amd.numeric import to_number

#: the largest .nfg file read
MAX_NFG_BYTES = 16 * 2**20


def from_nfg(text: str, file: str, key: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], np.ndarray]:
    """(players, strategies per player, payoffs indexed [player][s_1]…[s_n]) of an .nfg text."""
    toks = _tokens(text)
    pos = 0

    def fail(msg: str):
        raise InstanceError(file, key, msg)

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(toks):
            fail("the file ends too early")
        pos += 1
        return toks[pos - 1]

    def peek() -> tuple[str, str] | None:
        return toks[pos] if pos < len(toks) else None

    def expect(tok, what: str):
        got = take()
        if got != tok:
            fail(f"expected {what}, got {short_repr(got[1])}")

    def number(tok) -> float:
        if tok[0] != "word":
            fail(f"expected a number (without quotes), got {short_repr(tok[1])}")
        try:
            return to_number(tok[1])
        except ValueError as e:
            fail(str(e))

    def quoted_names(what: str) -> list[str]:
        """Quoted labels up to the closing brace (consumed)."""
        names = []
        while peek() != ("sym", "}"):
            t = take()
            if t[0] != "str":
                fail(f"expected a {what} in quotes, got {short_repr(t[1])}")
            names.append(t[1])
        take()
        return names

    if [t[1] for t in toks[:3]] != ["NFG", "1", "R"] and [t[1] for t in toks[:3]] != ["NFG", "1", "D"]:
        fail("not a Gambit .nfg file (the first line starts 'NFG 1 R')")
    pos = 3
    if peek() is not None and peek()[0] == "str":
        take()  # the title
    expect(("sym", "{"), "'{' before the player names")
    players = quoted_names("player name")
    if not players:
        fail("the game declares no players")
    expect(("sym", "{"), "'{' before the strategies")
    strategies: list[tuple[str, ...]] = []
    while peek() != ("sym", "}"):
        t = take()
        if t == ("sym", "{"):
            strategies.append(tuple(quoted_names("strategy name")))
        elif t[0] == "word" and re.fullmatch(r"\d{1,6}", t[1]):
            strategies.append(tuple(str(j + 1) for j in range(int(t[1]))))
        else:
            fail(f"expected a strategy list or count, got {short_repr(t[1])}")
    take()
    if len(strategies) != len(players) or any(not s for s in strategies):
        fail(f"expected a non-empty strategy list for each of the {len(players)} players")
    for i, s in enumerate(strategies):
        if len(set(s)) != len(s):
            fail(f"player {players[i]!r} has two strategies of the same name")
    shape = tuple(len(s) for s in strategies)
    profiles = math.prod(shape)
    limits.check(profiles * len(players), file, key, "the .nfg payoff table", limits.PYTHON_OBJECT)
    if peek() is not None and peek()[0] == "str":
        take()  # the comment
    table = np.zeros((profiles, len(players)))
    if peek() == ("sym", "{"):  # the outcome version
        take()
        outcomes = [np.zeros(len(players))]
        while peek() != ("sym", "}"):
            expect(("sym", "{"), "'{' opening an outcome")
            if peek() is not None and peek()[0] == "str":
                take()
            pays = []
            while peek() != ("sym", "}"):
                t = take()
                if t != ("sym", ","):
                    pays.append(number(t))
            take()
            if len(pays) != len(players):
                fail(f"outcome {len(outcomes)} has {len(pays)} payoffs for {len(players)} players")
            outcomes.append(np.array(pays))
        take()
        for j in range(profiles):
            t = take()
            if t[0] != "word" or not re.fullmatch(r"\d{1,9}", t[1]) or int(t[1]) >= len(outcomes):
                fail(f"profile {j + 1}: expected an outcome number from 0 to {len(outcomes) - 1}, got {short_repr(t[1])}")
            table[j] = outcomes[int(t[1])]
    else:
        values = [number(t) for t in toks[pos:] if t != ("sym", ",")]
        if len(values) != profiles * len(players):
            fail(f"expected {profiles * len(players)} payoffs ({profiles} profiles × {len(players)} players), "
                 f"got {len(values)}")
        table[:] = np.array(values).reshape(profiles, len(players))
        pos = len(toks)
    if peek() is not None:
        fail(f"unexpected {short_repr(peek()[1])} after the payoffs")
    # Gambit lists profiles with the first player's strategy changing fastest: Fortran order
    payoffs = np.stack([table[:, i].reshape(shape, order="F") for i in range(len(players))])
    return tuple(players), tuple(strategies), payoffs
