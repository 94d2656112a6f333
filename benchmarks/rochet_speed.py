"""Time of the Rochet implementability check for one agent with many types.

A deterministic rule on k types (one agent, values (j+1)/k, outcomes none / item): the
monotone posted-price rule (implementable, payments returned) and a non-monotone one (a
negative cycle returned). Prints median seconds of `amd.implementable` over --repeat runs,
graph building included. Target (issue 3): well under a second at k = 1000.

    python benchmarks/rochet_speed.py [--types 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import amd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--types", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    k = args.types
    vals = np.arange(1, k + 1) / k
    inst = amd.parse({
        "format": "amd/1", "kind": "mechanism",
        "agents": [{"name": "buyer", "types": [str(j) for j in range(k)]}],
        "prior": {"independent": "uniform"}, "outcomes": ["none", "item"],
        "values": {"buyer": {"private": np.stack([0 * vals, vals], 1).tolist()}},
        "constraints": {"ic": "dsic", "ir": "expost"},
    })
    rng = np.random.default_rng(0)
    rules = {
        "posted price (implementable)": (vals >= 0.5).astype(int),
        "random rule (not implementable)": rng.integers(0, 2, k),
    }
    print(f"k = {k} types, {args.repeat} runs (median seconds)")
    for name, sold in rules.items():
        x = np.eye(2)[sold]
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            res = amd.implementable(inst, x)
            times.append(time.perf_counter() - start)
        print(f"  {name:34s} {statistics.median(times):.4f} s   implementable={res.implementable}")


if __name__ == "__main__":
    main()
