"""What `--exact` costs: the rational proof (amd.exact.prove) against HiGHS's float solve.

    python benchmarks/exact_cost.py [--repeat 5]

Cases (issue 14): the README instance (two bidders, midpoint grid 10, randomized DSIC: 181/400)
solved through the LP, and a BIC instance with about 2,000 IC rows (3 agents, 26 types each, the
correlated prior of benchmarks/default_path.py). For each: medians over --repeat runs of the HiGHS
solve and of the proof, their ratio (target: ≤ 1), the proven fraction, the basis size, and how
many coefficients were not simple rationals (taken at their binary value). With python-flint
installed (amd[exact]) the linear systems use fmpq_mat when a guess from the floats fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import amd  # noqa: E402
from amd import exact  # noqa: E402
from default_path import correlated  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def case(label: str, inst, repeat: int) -> None:
    solves, proofs = [], []
    for _ in range(repeat):
        r = amd.solve(inst, exact=True)
        solves.append(r.timing["solve_s"])
        program = r.program
        omitted = program.omitted_rows() if program.omitted_rows is not None else None
        start = time.perf_counter()
        proof = exact.prove(program, omitted)
        proofs.append(time.perf_counter() - start)
    s, p = statistics.median(solves), statistics.median(proofs)
    text = exact.fraction_text(proof.objective) if proof.proven else f"not proven: {proof.reason}"
    if len(text) > 40:
        text = f"{text[:18]}…({len(text)} chars)"
    print(f"{label:44s} solve {s:8.4f}s  exact {p:8.4f}s  exact/solve {p / s:6.2f}  basis {proof.basis_size:5d}  "
          f"binary {proof.binary_coefficients:6d}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    case("README: myerson-2-bidders-midpoint10 (LP)",
         amd.load(ROOT / "instances/auctions/myerson-2-bidders-midpoint10.yaml"), args.repeat)
    inst = correlated(26)
    rows = sum(k * (k - 1) for k in inst.environment.shape)
    case(f"correlated BIC 3x26 ({rows} IC rows)", inst, args.repeat)


if __name__ == "__main__":
    main()
