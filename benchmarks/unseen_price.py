"""Roesler–Szentes on a price grid (`designer_sees: false`): the buyer-optimal value as the grid
of posted prices refines, against the continuous closed form, with the program's size and time
(median of --repeat runs of amd.solve: layout, build, HiGHS and verification per pure price the
seller may choose).

Values 1 and 2, P(2) = q; prices 1, 1 + 1/(P−1), …, 2. Roesler & Szentes (AER 2017): if the mean
μ = 1 + q is at most 1 + ln 2, the buyer keeps μ − 1; else μ − π with π(1 + ln(2/π)) = μ.

    python benchmarks/unseen_price.py [--prices 3 5 9 17 33] [--q 0.9] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import amd


def tree(prices: list[float]) -> dict:
    def buyer(p):
        surplus = [1 - p, 2 - p]
        return {"player": "buyer", "moves": {
            "buy": {"payoffs": {"seller": p, "buyer": surplus}, "designer": surplus},
            "pass": {"payoffs": {"seller": 0, "buyer": 0}, "designer": 0}}}
    return {"player": "seller", "infoset": "price", "designer_sees": False,
            "moves": {f"{p:g}": buyer(p) for p in prices}}


def continuous(q: float) -> float:
    mean = 1 + q
    if mean <= 1 + math.log(2):
        return mean - 1
    lo, hi = 1.0, 2.0  # π(1 + ln(2/π)) increases on [1, 2]: bisect
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid * (1 + math.log(2 / mid)) < mean else (lo, mid)
    return mean - lo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prices", type=int, nargs="+", default=[3, 5, 9, 17, 33])
    ap.add_argument("--q", type=float, default=0.9)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"q = {args.q}: continuous Roesler–Szentes value {continuous(args.q):.6f}")
    print(f"{'prices':>6} {'status':>8} {'value':>9} {'histories':>10} {'seconds':>8}")
    for P in args.prices:
        prices = [1 + j / (P - 1) for j in range(P)]
        doc = {"format": "amd/1", "kind": "information", "states": ["low", "high"], "prior": [1 - args.q, args.q],
               "players": [{"name": "seller"}, {"name": "buyer"}], "solution": "extensive",
               "game": {"tree": tree(prices)}}
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            r = amd.solve(amd.parse(doc))
            times.append(time.perf_counter() - start)
        print(f"{P:>6} {r.status:>8} {r.objective:>9.6f} {r.details['size'].designer_histories:>10,} "
              f"{statistics.median(times):>8.2f}")


if __name__ == "__main__":
    main()
