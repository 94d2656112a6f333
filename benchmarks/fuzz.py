"""Fuzz the installed ``amd solve --json`` with mutated shipped instances; print counts per class.

    python benchmarks/fuzz.py [--count 2500] [--seed 1] [--timeout 60] [--workers 2]

Target: every mutant exits 0 (answered) or 2 (bad input, one line) — or 3 with a solver
status. Failures are listed with the mutation that caused them (reproduce one with the same
seed). CI runs a smaller fixed sample as tests/fuzz/test_fuzz.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fuzz"))

from mutations import mutants  # noqa: E402
from run import run_all  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        def progress(done, total):
            if done % 100 == 0 or done == total:
                print(f"  {done}/{total}  {time.perf_counter() - start:.0f} s", file=sys.stderr)

        results = run_all(mutants(args.seed, args.count), Path(tmp), args.timeout, args.workers, progress)
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for m, outcome, why in results:
        outcomes[m.klass]["FAIL" if why else outcome] += 1
    columns = ["exit 0", "exit 2", "exit 3", "FAIL"]
    print(f"{'class':<10}" + "".join(f"{c:>8}" for c in columns))
    for klass in sorted(outcomes):
        print(f"{klass:<10}" + "".join(f"{outcomes[klass][c]:>8}" for c in columns))
    total = Counter()
    for c in outcomes.values():
        total.update(c)
    print(f"{'all':<10}" + "".join(f"{total[c]:>8}" for c in columns))
    print(f"{len(results)} mutants (seed {args.seed}) in {time.perf_counter() - start:.0f} s")
    failures = [(m, why) for m, _, why in results if why]
    for m, why in failures[:60]:
        print(f"FAIL {m.klass:<9} {m.name}: {why}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
