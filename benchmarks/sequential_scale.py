"""How `solution: sequential` grows (issue 19): Cournot base games (the `cournot` family, five
states on the demand intercept, the designer maximizing total quantity) with 2 and 3 firms on
growing quantity grids, each size solved in a fresh child process under a wall-clock budget.

Prints per size the program's size (`SequentialLayout.size`: columns, rows, terms — what the
refusal before building counts), the status and value, the wall time, the child's peak memory
and, for comparison, the BCE of the same game. A size that runs out of the budget ends its row
of sizes. The exact program grows with S·n!·Π|A_i| (ρ) and, for the sequential-equilibrium
construction, S·Π|A_i|·|A_d|·|A_l| revealed-obedience terms per order; HiGHS is re-run on it
once per batch of newly found recommendable actions (the greatest fixed point), so time grows
faster than size.

    python benchmarks/sequential_scale.py [--budget 60] [--firms 2 3] [--equilibrium sequential]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time

SIZES = {2: [4, 8, 12, 16, 20, 25, 30, 35, 40], 3: [2, 3, 4, 5, 6, 7, 8, 10]}

CHILD = r"""
import json, resource, sys, time
import amd
from amd.models.sequential import SequentialLayout
doc = json.loads(sys.argv[1])
inst = amd.parse(doc)
size = SequentialLayout.size(inst.environment, doc.get("equilibrium", "sequential") == "sequential")
start = time.perf_counter()
r = amd.solve(inst)
seconds = time.perf_counter() - start
bce = amd.solve(amd.parse({**{k: v for k, v in doc.items() if k != "equilibrium"}, "solution": "bce"}))
print(json.dumps({"size": size, "status": r.status, "value": r.objective, "seconds": seconds,
                  "verified": r.certificate.verified if r.certificate else None, "bce": bce.objective,
                  "bce_seconds": sum(bce.timing.values()),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def document(firms: int, q: int, equilibrium: str) -> dict:
    return {"format": "amd/1", "kind": "information", "name": f"cournot-{firms}x{q}", "solution": "sequential",
            "equilibrium": equilibrium,
            "family": {"name": "cournot", "firms": firms, "quantities": list(range(q)),
                       "intercepts": [q + 2 * i for i in range(5)], "designer": "quantity"}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per size (wall clock, child process)")
    ap.add_argument("--firms", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--equilibrium", default="sequential", choices=["sequential", "weak_pbe", "nash"])
    args = ap.parse_args()
    print(f"{'firms':>5} {'|A_i|':>5} {'columns':>10} {'rows':>9} {'terms':>11} {'status':>9} {'value':>9} "
          f"{'seconds':>8} {'peak MB':>8} {'BCE':>8} {'BCE s':>6}")
    for firms in args.firms:
        for q in SIZES[firms]:
            start = time.perf_counter()
            try:
                out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(document(firms, q, args.equilibrium))],
                                     capture_output=True, text=True, timeout=args.budget)
            except subprocess.TimeoutExpired:
                print(f"{firms:>5} {q:>5} {'':>10} {'':>9} {'':>11} {'> budget':>9} {'':>9} "
                      f"{time.perf_counter() - start:>8.1f}")
                break
            if out.returncode != 0:
                last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else str(out.returncode)
                held = re.search(r"would hold (\d+) numbers, more than the limit of (\d+)", last)
                why = (f"refused before building: {int(held[1]):,} numbers over the limit of {int(held[2]):,}"
                       if held else "error: " + last)
                print(f"{firms:>5} {q:>5} {why}")
                break
            r = json.loads(out.stdout.strip().splitlines()[-1])
            c, rows, terms = r["size"]
            print(f"{firms:>5} {q:>5} {c:>10,} {rows:>9,} {terms:>11,} {r['status']:>9} {r['value']:>9.4f} "
                  f"{r['seconds']:>8.2f} {r['rss_mb']:>8.0f} {r['bce']:>8.4f} {r['bce_seconds']:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
