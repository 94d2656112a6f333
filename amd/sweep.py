"""Parameter sweeps: one instance file expanded into a grid of instances and batch-solved.

``--set objective.maximize=welfare,revenue --set family.bidders=1,2,3`` gives the Cartesian
product of the values (6 points). A key is a dotted path into the document (an integer segment
indexes a list: ``agents.0.types``); each value is read as YAML, so ``3`` is a number and
``[1, 2]`` a list, and commas inside brackets or quotes do not split values.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import yaml

from amd.errors import InstanceError
from amd.files import write_atomic
from amd.io import efg
from amd.io.read import parse_text, read_document


def split_values(text: str) -> list[str]:
    """Split at top-level commas: 'a,[1, 2],{x: 1}' → ['a', '[1, 2]', '{x: 1}']."""
    parts, depth, quote, cur = [], 0, None, ""
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


def parse_set(expr: str) -> tuple[list[str], list]:
    """'family.bidders=1,2' → (['family', 'bidders'], [1, 2])."""
    if "=" not in expr:
        raise InstanceError("--set", None, f"expected KEY=VALUE[,VALUE...], got {expr!r}")
    key, _, values = expr.partition("=")
    path = [p for p in key.strip().split(".") if p]
    if not path or not values.strip():
        raise InstanceError("--set", None, f"expected KEY=VALUE[,VALUE...], got {expr!r}")
    try:
        return path, [parse_text(f"v: {v}", "--set")["v"] for v in split_values(values)]
    except InstanceError as e:
        raise InstanceError("--set", key, f"a value is not valid YAML: {e.message}") from None


def assign(document: dict, path: list[str], value) -> None:
    """Set ``document[path...] = value``, creating mappings on the way."""
    node = document
    for j, part in enumerate(path[:-1]):
        nxt = path[j + 1]
        if isinstance(node, list):
            node = node[int(part)]
        else:
            if part not in node or node[part] is None:
                node[part] = [] if nxt.isdigit() else {}
            node = node[part]
    last = path[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def points(file: str | Path, sets: list[str]) -> list[tuple[dict, dict]]:
    """(parameters, document) for every point of the grid."""
    base = read_document(file)
    game = base.get("game")
    if isinstance(game, dict) and isinstance(game.get("efg"), str):  # the points live elsewhere: carry the tree
        text = efg.read_efg(efg.efg_path(game["efg"], str(file), "game.efg"), str(file), "game.efg")
        base["game"] = {**game, "efg": {"file": game["efg"], "text": text}}
    axes = [parse_set(s) for s in sets]
    out = []
    for combo in itertools.product(*(values for _, values in axes)):
        doc = copy.deepcopy(base)
        doc.pop("expected", None)  # a changed instance no longer has the file's known optimum
        params = {}
        for (path, _), value in zip(axes, combo):
            try:
                assign(doc, path, value)
            except (IndexError, ValueError, TypeError, KeyError):
                raise InstanceError(str(file), ".".join(path), "cannot be set: no such place in the document") from None
            params[".".join(path)] = value
        label = ",".join(f"{k}={v}" for k, v in params.items())
        doc["name"] = f"{doc.get('name') or Path(file).stem}[{label}]"
        out.append((params, doc))
    return out


def write_points(file: str | Path, sets: list[str], folder: Path) -> list[tuple[dict, Path]]:
    """Write every point as its own instance file under ``folder``/points."""
    stem = Path(file).stem
    written = []
    for j, (params, doc) in enumerate(points(file, sets)):
        path = folder / "points" / f"{stem}--{j:04d}.yaml"
        write_atomic(path, yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100, allow_unicode=True))
        written.append((params, path))
    return written
