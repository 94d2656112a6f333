"""Mutations of the shipped instances: what careless or hostile input looks like.

Each mutant is one shipped file with one change of one class — a key deleted, renamed or
retyped; a number made huge, negative, NaN, infinite or fractional; a list made ragged, empty
or 5,000 deep; a YAML alias bomb; the text truncated; a name with a newline or an escape
sequence; a family asked to be enormous. The same seed gives the same mutants, so a failure
found in CI can be reproduced by hand (``python benchmarks/fuzz.py --seed S``).
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for p in (ROOT / "instances").rglob("*") if p.suffix in (".yaml", ".json"))

HUGE = ["1e400", 10**400, "1e999999999", "1e-999999999", "10/0", "a/b", float("inf"), float("-inf"),
        float("nan"), -1e308, 1e300, "99999999999999999999999999999999999999/3", 2**70, "-.inf", "  ", ""]
SCALARS = [None, True, 0, -1, 0.5, "x", "", [], {}, [1, 2], {"a": 1}, "1/3", 10**6]
NAMES = ["a\nb", "\x1b[31mred\x1b[0m", "x" * 100_000, "", " ", "名前", "a\x00b"]
SIZES = {("family", "bidders"): [10**6, 10**3, 0, -1], ("family", "values"): [{"midpoint": 10**8}, {"midpoint": 0}],
         ("family", "buyers"): [40, 10**5], ("family", "items"): [6, 60], ("family", "agents"): [10**6, 64]}


@dataclass
class Mutant:
    name: str  # source file and what was changed
    klass: str  # the mutation class
    text: str  # the file's text
    suffix: str  # .yaml or .json


def _paths(node, prefix=()):
    """Every (path, value) below ``node``."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for j, v in enumerate(node):
            yield from _paths(v, prefix + (j,))


def _set(doc, path, value):
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def _dump(doc) -> str:
    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return yaml.dump(doc, Dumper=Plain, sort_keys=False, allow_unicode=True)


def _mutate(rng: random.Random, doc: dict, text: str) -> tuple[str, str, str]:
    """(class, description, text) of one random mutation of ``doc``."""
    paths = [p for p, _ in _paths(doc) if p]
    klass = rng.choice(["delete", "rename", "retype", "number", "ragged", "empty", "deep", "alias", "truncate",
                        "name", "size", "duplicate", "json"])
    d = copy.deepcopy(doc)
    game = d.get("game")
    if isinstance(game, dict) and isinstance(game.get("efg"), str) and rng.random() < 0.5:
        klass = "efg"
        efg = (ROOT / "instances" / "extensive" / game["efg"]).read_text()
        lines = efg.splitlines()
        j = rng.randrange(len(lines))
        line = lines[j]
        change = rng.choice(["quote", "nan", "drop", "huge", "path"])
        if change == "quote":  # a payoff in quotes: a string where a number belongs
            line = line.replace("{ 1 }", '{ "1" }').replace("{ 0 }", '{ "0" }')
        elif change == "nan":
            line = line.replace("{ 1 }", "{ nan }").replace("7/10", "1/0")
        elif change == "drop":
            line = line[: len(line) // 2]
        elif change == "huge":
            line = line.replace("{ 1 }", "{ 1e999999999 }").replace("3/10", "3/10000000000000000000000000000000000")
        lines[j] = line
        if change == "path":
            game["efg"] = rng.choice(["/etc/passwd", "../../../etc/hostname", "/dev/zero", "missing.efg"])
        else:
            game["efg"] = {"file": "mutated.efg", "text": "\n".join(lines)}
        return klass, f"efg {change} line {j}", _dump(d)
    if klass == "delete":
        p = rng.choice(paths)
        node = d
        for k in p[:-1]:
            node = node[k]
        del node[p[-1]]
        return klass, f"del {p}", _dump(d)
    if klass == "rename":
        keyed = [p for p in paths if isinstance(p[-1], str)]
        p = rng.choice(keyed)
        node = d
        for k in p[:-1]:
            node = node[k]
        node[p[-1] + "_x"] = node.pop(p[-1])
        return klass, f"rename {p}", _dump(d)
    if klass == "retype":
        p = rng.choice(paths)
        v = rng.choice(SCALARS)
        _set(d, p, v)
        return klass, f"{p} = {v!r}", _dump(d)
    if klass == "number":
        numeric = [p for p, v in _paths(d) if p and isinstance(v, (int, float, str)) and not isinstance(v, bool)]
        p = rng.choice(numeric or paths)
        v = rng.choice(HUGE)
        _set(d, p, v)
        return klass, f"{p} = {str(v)[:30]}", _dump(d)
    if klass == "ragged":
        lists = [p for p, v in _paths(d) if p and isinstance(v, list) and v]
        if not lists:
            return "truncate", "cut", text[: len(text) // 2]
        p = rng.choice(lists)
        node = d
        for k in p:
            node = node[k]
        node.pop(rng.randrange(len(node))) if rng.random() < 0.5 else node.append(copy.deepcopy(node[0]))
        return klass, f"ragged {p}", _dump(d)
    if klass == "empty":
        p = rng.choice([p for p, v in _paths(d) if p and isinstance(v, (list, dict))] or paths)
        _set(d, p, [] if rng.random() < 0.5 else {})
        return klass, f"empty {p}", _dump(d)
    if klass == "deep":
        p = rng.choice(paths)
        depth = rng.choice([200, 5000])
        return klass, f"{p} nested {depth}", _dump(d).replace("format: amd/1", "format: amd/1\ndeep: " + "[" * depth
                                                                + "]" * depth, 1)
    if klass == "alias":
        bomb = "".join(f"  {chr(98 + j)}: &{chr(98 + j)} [" + ", ".join([f"*{chr(97 + j)}"] * 9) + "]\n"
                       for j in range(9))
        head = "bomb:\n  a: &a [1, 2]\n" + bomb
        p = rng.choice(paths)
        body = _dump(d)
        if p and isinstance(p[0], str) and rng.random() < 0.5:  # the bomb where a value is expected
            body = body.replace(f"\n{p[0]}:", f"\n{p[0]}: *j\nunused_{p[0]}:", 1)
        return klass, "alias bomb", head + body
    if klass == "truncate":
        cut = rng.randrange(1, max(2, len(text)))
        return klass, f"cut at {cut}", text[:cut]
    if klass == "name":
        strings = [p for p, v in _paths(d) if p and isinstance(v, str)]
        p = rng.choice(strings or paths)
        v = rng.choice(NAMES)
        _set(d, p, v)
        return klass, f"{p} = name {v[:10]!r}", _dump(d)
    if klass == "size":
        fam = d.get("family")
        if isinstance(fam, dict):
            options = [(k, v) for (top, k), vs in SIZES.items() for v in vs]
            k, v = rng.choice(options)
            fam[k] = v
            return klass, f"family.{k} = {str(v)[:20]}", _dump(d)
        p = rng.choice(paths)
        _set(d, p, list(range(10**5)))
        return klass, f"{p} = 1e5 list", _dump(d)
    if klass == "duplicate":
        key = rng.choice([k for k in d if isinstance(k, str)])
        return klass, f"duplicate {key}", _dump(d) + f"{key}: {json.dumps(d[key])}\n"
    # json: the same document as JSON, with NaN / Infinity literals in one number
    p = rng.choice(paths)
    _set(d, p, rng.choice([float("nan"), float("inf"), 1e308 * 10]))
    return "json", f"json {p}", json.dumps(d, allow_nan=True)


def mutants(seed: int, count: int) -> list[Mutant]:
    """``count`` mutants, drawn with ``seed`` round-robin over the shipped files."""
    rng = random.Random(seed)
    docs = []
    for src in SOURCES:
        text = src.read_text()
        docs.append((src, text, yaml.safe_load(text) if src.suffix != ".json" else json.loads(text)))
    out = []
    for j in range(count):
        src, text, doc = docs[j % len(docs)]
        klass, what, new = _mutate(rng, doc, text)
        suffix = ".json" if klass == "json" else ".yaml"
        out.append(Mutant(f"{src.relative_to(ROOT / 'instances')}: {what}", klass, new, suffix))
    return out
