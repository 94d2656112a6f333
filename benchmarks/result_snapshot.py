"""Snapshot the result JSON of every shipped instance, or compare two snapshots.

    python benchmarks/result_snapshot.py write DIR        # one JSON per instance, timings removed
    python benchmarks/result_snapshot.py compare OLD NEW  # exit 1 and a list when they differ

A refactoring must leave what users see unchanged: run `write` before and after, then `compare`.
Numbers are compared to 1e-9 (relative) so that a reordered floating-point sum is not a change.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = {"timing", "wall_s", "versions"}


def _strip(node):
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def write(folder: Path) -> None:
    import amd
    from amd.files import dumps

    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "instances").rglob("*.yaml")):
        inst = amd.load(path)
        if "large" in inst.tags:
            continue
        result = _strip(json.loads(dumps(amd.solve(inst).to_dict())))
        name = str(path.relative_to(ROOT / "instances")).replace("/", "__")
        (folder / f"{name}.json").write_text(json.dumps(result, indent=1, sort_keys=True))
        print(f"{name}: {result['status']} {result['objective']}")


def _diff(a, b, where="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only in {'old' if k in a else 'new'}" for k in set(a) ^ set(b)]
        for k in sorted(set(a) & set(b)):
            out += _diff(a[k], b[k], f"{where}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: length {len(a)} vs {len(b)}"]
        return [d for j, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{where}[{j}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) else [f"{where}: {a} vs {b}"]
    return [] if a == b else [f"{where}: {str(a)[:60]} vs {str(b)[:60]}"]


def compare(old: Path, new: Path) -> int:
    problems = []
    for f in sorted(old.glob("*.json")):
        g = new / f.name
        if not g.exists():
            problems.append(f"{f.name}: missing in {new}")
            continue
        problems += [f"{f.name}{d}" for d in _diff(json.loads(f.read_text()), json.loads(g.read_text()))]
    for line in problems[:100]:
        print(line)
    print(f"{len(list(old.glob('*.json')))} results compared, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
