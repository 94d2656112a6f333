"""Where the time goes on amd's default path: build / load / solve / verify, and total / solve.

    python benchmarks/default_path.py [--repeat 3] [--only single,lp,items,mip,correlated,bce,batch]

For every case, medians over --repeat runs of `amd.solve` in-process (imports excluded):
the timings amd reports, the total wall time, and total / (HiGHS solve). Cases (issue 17):

* ``single``  randomized single-item DSIC + ex-post IR revenue on midpoint grids, (n, k) = (2,100),
  (2,200), (3,40), (5,8), (6,6): the default path (Myerson's optimal auction, no LP) and
  ``--direct`` (the LP over symmetric mechanisms with generated IC rows);
* ``items``   one buyer, two additive items, K = 30, 50, 70; two buyers × two items, K = 5, 8;
* ``mip``     deterministic single item, n = 3, k = 8, 10, 12;
* ``correlated`` BIC with a correlated prior (3 agents, k = 10, 15, 20; prior ∝ 1 + (i+j+l) mod 3);
* ``bce``     a 60 × 60 Cournot-like game with 5 states (seed 0);
* ``batch``   `amd batch instances --workers 1` and `--workers 2`: per-instance overhead (wall
  time minus the sum of in-process solve times) and the speed-up.

Machines are shared: compare ratios within one run; the targets are in the issue, not here.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import amd

ROOT = Path(__file__).resolve().parents[1]


def single(n: int, k: int) -> amd.Instance:
    return amd.parse({"format": "amd/1", "kind": "mechanism", "name": f"single-{n}x{k}",
                      "family": {"name": "single_item", "bidders": n, "values": {"midpoint": k}}})


def items(buyers: int, K: int) -> amd.Instance:
    return amd.parse({"format": "amd/1", "kind": "mechanism", "name": f"items-{buyers}x2-K{K}",
                      "family": {"name": "additive_items", "buyers": buyers, "items": 2, "values": {"midpoint": K}}})


def deterministic(n: int, k: int) -> amd.Instance:
    return amd.parse({"format": "amd/1", "kind": "mechanism", "name": f"mip-{n}x{k}",
                      "family": {"name": "single_item", "bidders": n, "values": {"midpoint": k}},
                      "mechanism": {"randomized": False}})


def correlated(k: int) -> amd.Instance:
    g = np.indices((k, k, k)).sum(axis=0) % 3 + 1.0
    prior = g / g.sum()
    values = {}
    for i, a in enumerate(("a", "b", "c")):
        table = [[0.0, 0.0, 0.0, 0.0] for _ in range(k)]
        for t in range(k):
            table[t][1 + i] = (t + 0.5) / k
        values[a] = {"private": table}
    return amd.parse({"format": "amd/1", "kind": "mechanism", "name": f"correlated-3x{k}",
                      "agents": [{"name": a, "types": [f"t{t}" for t in range(k)]} for a in ("a", "b", "c")],
                      "prior": {"joint": prior.tolist()}, "outcomes": ["none", "a", "b", "c"], "values": values,
                      "constraints": {"ic": "bic", "ir": "interim"}, "objective": {"maximize": "revenue"}})


def bce(m: int = 60, states: int = 5) -> amd.Instance:
    rng = np.random.default_rng(0)
    q = np.arange(m) / (m - 1)
    demand = 1.5 + rng.random(states)
    price = np.maximum(demand[:, None, None] - q[None, :, None] - q[None, None, :], 0.0)
    u1 = price * q[None, :, None]
    u2 = price * q[None, None, :]
    return amd.parse({"format": "amd/1", "kind": "information", "name": f"bce-{m}x{m}x{states}",
                      "states": [f"s{s}" for s in range(states)], "prior": "uniform",
                      "players": [{"name": "f1", "actions": [f"q{a}" for a in range(m)]},
                                  {"name": "f2", "actions": [f"q{a}" for a in range(m)]}],
                      "payoffs": {"f1": u1.tolist(), "f2": u2.tolist()}, "designer": (u1 + u2).tolist(),
                      "solution": "bce"})


def measure(inst: amd.Instance, repeat: int, **options) -> tuple[amd.Result, dict, float]:
    runs = []
    for _ in range(repeat):
        # the previous run's Pyomo model is cyclic garbage: collect it outside the clock, as a
        # fresh process would not have it (left in, it is collected inside some later build)
        gc.collect()
        start = time.perf_counter()
        r = amd.solve(inst, **options)
        runs.append((time.perf_counter() - start, r))
    total = statistics.median(t for t, _ in runs)
    keys = sorted({k for _, r in runs for k in r.timing})
    timing = {k: statistics.median(r.timing.get(k, 0.0) for _, r in runs) for k in keys}
    return runs[-1][1], timing, total


def row(label: str, r: amd.Result, timing: dict, total: float) -> None:
    solve = timing.get("solve_s", 0.0)
    parts = "  ".join(f"{k.removesuffix('_s')} {v:7.3f}" for k, v in timing.items())
    ratio = f"{total / solve:7.1f}" if solve > 1e-4 else "     — "
    print(f"{label:<34} {r.status:>8} {r.objective if r.objective is not None else float('nan'):>12.9g} "
          f"{total:8.3f} s  total/solve {ratio}   [{r.concept}] {parts}", flush=True)


def batch(repeat: int) -> None:
    files = sorted(str(p) for p in (ROOT / "instances").rglob("*.yaml") if "large" not in amd.load(p).tags)
    inproc = 0.0
    for f in files:
        start = time.perf_counter()
        amd.solve(f)
        inproc += time.perf_counter() - start
    walls = {}
    for workers in (1, 2):
        times = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "amd", "batch", *files, "--workers", str(workers), "--out", out],
                               check=False, capture_output=True)
                times.append(time.perf_counter() - start)
        walls[workers] = statistics.median(times)
    n = len(files)
    print(f"batch of {n} instances: in-process solves {inproc:.2f} s; 1 worker {walls[1]:.2f} s "
          f"(overhead {(walls[1] - inproc) / n * 1000:.0f} ms per instance, start-up included); "
          f"2 workers {walls[2]:.2f} s (speed-up {walls[1] / walls[2]:.2f}×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="single,items,mip,correlated,bce,batch")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if "single" in only:
        for n, k in ((2, 100), (2, 200), (3, 40), (5, 8), (6, 6)):
            inst = single(n, k)
            row(f"single item ({n},{k}) default", *measure(inst, args.repeat))
            row(f"single item ({n},{k}) --direct", *measure(inst, args.repeat, reduced=False))
    if "items" in only:
        for buyers, K in ((1, 30), (1, 50), (1, 70), (2, 5), (2, 8)):
            row(f"{buyers} buyer(s) x 2 items K={K}", *measure(items(buyers, K), args.repeat))
    if "mip" in only:
        for k in (8, 10, 12):
            row(f"deterministic single item (3,{k})", *measure(deterministic(3, k), args.repeat))
    if "correlated" in only:
        for k in (10, 15, 20):
            row(f"correlated BIC 3 agents k={k}", *measure(correlated(k), args.repeat))
    if "bce" in only:
        row("BCE 60x60x5", *measure(bce(), args.repeat))
    if "batch" in only:
        batch(args.repeat)
    print(json.dumps({"note": "ratios are total / HiGHS solve, medians of --repeat runs"}))


if __name__ == "__main__":
    main()
