"""How selling with limited commitment (kind: dynamic) grows with the number of types K and periods T.

    python benchmarks/dynamic_size.py [--repeat 3]

Prints, per (K, T), the median wall time of `amd.solve` in-process (build, load, solve, verify),
the LP's size (columns and rows of the last stage solved), the number of stage LPs and the
status. Targets (issue 13): K = 10, T = 2 under a second; K = 2, T = 5 under 5 s. Values
θ_k = k + 1, prior ∝ k + 1 (more mass on higher values), δ = 0.9.
"""

from __future__ import annotations

import argparse
import statistics
import time

import amd


def instance(K: int, T: int, good: str = "durable") -> amd.Instance:
    return amd.parse({"format": "amd/1", "kind": "dynamic", "good": good, "periods": T, "discount": 0.9,
                      "buyer": {"types": [f"t{k}" for k in range(K)], "values": list(range(1, K + 1)),
                                "prior": [f"{k + 1}/{K * (K + 1) // 2}" for k in range(K)]}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [(K, 2, "durable") for K in (2, 3, 5, 10, 20, 40)] + [(2, T, "durable") for T in (3, 4, 5, 10)] + \
            [(3, 3, "durable"), (4, 3, "durable"), (10, 3, "durable"), (10, 2, "rental"), (2, 5, "rental")]
    print(f"{'K':>3} {'T':>3} {'good':>8} {'status':>8} {'columns':>8} {'rows':>7} {'median s':>9}  value / bounds")
    for K, T, good in cases:
        inst = instance(K, T, good)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            r = amd.solve(inst)
            times.append(time.perf_counter() - start)
        p = r.program
        cols, rows = (p.lp.num_col_, p.lp.num_row_) if p is not None else ("?", "?")
        what = f"{r.objective:.6g}" if r.details.bounds is None else f"[{r.details.bounds[0]:.6g}, {r.details.bounds[1]:.6g}]"
        print(f"{K:>3} {T:>3} {good:>8} {r.status:>8} {cols!s:>8} {rows!s:>7} {statistics.median(times):>9.3f}  {what}",
              flush=True)


if __name__ == "__main__":
    main()
