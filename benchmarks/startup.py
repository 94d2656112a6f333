"""Start-up: how long a new process takes to answer, and what its imports cost.

    python benchmarks/startup.py [--repeat 5]

Prints the median wall time of `amd --version`, `python -c "import amd"` and `amd solve` of the
README's instance in fresh processes (targets: 0.3 s and 1.5 s on a quiet 2-core machine), and
the ten most expensive imports of that solve by `python -X importtime`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_INSTANCE = "instances/auctions/myerson-2-bidders-midpoint10.yaml"


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    amd = shutil.which("amd") or str(Path(sys.executable).with_name("amd"))
    rows = [("amd --version", [amd, "--version"], 0.3),
            ("python -c 'import amd'", [sys.executable, "-c", "import amd"], 0.3),
            ("amd solve README instance --json", [amd, "solve", README_INSTANCE, "--json"], 1.5)]
    print(f"median of {args.repeat} fresh processes")
    for label, cmd, target in rows:
        t = wall(cmd, args.repeat)
        print(f"  {label:<36} {t:6.3f} s   target {target} s   {'ok' if t <= target else 'OVER'}")
    trace = subprocess.run([sys.executable, "-X", "importtime", "-m", "amd", "solve", README_INSTANCE, "--json"],
                           cwd=ROOT, capture_output=True, text=True).stderr
    cumulative = []
    for line in trace.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and len(m.group(2)) <= 3:  # top-level imports only
            cumulative.append((int(m.group(1)) / 1e6, m.group(3)))
    print("most expensive top-level imports of that solve (cumulative):")
    for seconds, name in sorted(cumulative, reverse=True)[:10]:
        print(f"  {seconds:6.3f} s  {name}")


if __name__ == "__main__":
    main()
