"""Throughput of `amd batch` on the instance library with 1 and with 2 workers.

Runs the whole library --repeat times per worker count into fresh folders (interleaved, so
machine noise hits both alike) and prints the median wall time and the speed-up
(1 worker) / (2 workers). Target (issue 5): at least 1.7x on a 2-core machine.

    python benchmarks/batch_throughput.py [--repeat 3] [PATH ...]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from amd.batch import run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["instances"])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.repeat):
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                records = run(args.paths, out, workers=workers, skip_tags=("large",))
                times[workers].append(time.perf_counter() - start)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    solved = sum(r["status"] != "skipped" for r in records)
    print(f"{solved} instances (tagged large left out), {args.repeat} runs each (medians)")
    print(f"  1 worker : {one:.2f} s")
    print(f"  2 workers: {two:.2f} s")
    print(f"  speed-up : {one / two:.2f}x")


if __name__ == "__main__":
    main()
