"""End-to-end time of `amd.solve` against a pure HiGHS solve of the very same matrix.

For the randomized single-item DSIC + ex-post IR revenue LP (the naive full model: every IC
row and no symmetry reduction, ``full=True, symmetric=False``; the default solve generates IC
rows lazily over symmetric mechanisms and is much faster, see benchmarks/scale.py)
on the midpoint grid, at (n, k) = (2, 30), (3, 10), (4, 8), print build, load (compile +
pass to HiGHS), solve and verify seconds, the end-to-end wall time of ``amd.solve`` (file
expansion included, interpreter start and imports excluded), the pure HiGHS solve of the
same ``HighsLp`` with the same options in a fresh ``highspy.Highs``, and

    ratio = end-to-end wall / pure HiGHS solve        (target ≤ 1.3 at (2,30) and (4,8)).

It also times the default ``amd.solve`` (constraint generation + symmetry, what ``amd solve``
runs) on the same instance and prints ``default / pure``: the user's end-to-end time against
handing the naive matrix to HiGHS directly.

Medians over --repeat runs, interleaved so that machine noise hits both sides alike.

    python benchmarks/build_overhead.py [--repeat 3] [--method choose] [--sizes 2x30,4x8]
"""

from __future__ import annotations

import argparse
import statistics
import time

import highspy

import amd
from amd.solver import LinearProgram


def instance(n: int, k: int) -> amd.Instance:
    return amd.parse({
        "format": "amd/1", "kind": "mechanism", "name": f"single-item-{n}x{k}",
        "family": {"name": "single_item", "bidders": n, "values": {"midpoint": k}},
        "mechanism": {"randomized": True, "payments": True},
        "constraints": {"ic": "dsic", "ir": "expost", "budget": "none"},
        "objective": {"maximize": "revenue"},
    })


def pure_highs(program: LinearProgram) -> tuple[float, float]:
    h = highspy.Highs()
    LinearProgram._configure(h, program.options)
    h.passModel(program.lp)
    start = time.perf_counter()
    h.run()
    return time.perf_counter() - start, h.getInfo().objective_function_value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--method", default="choose")
    ap.add_argument("--sizes", default="2x30,3x10,4x8")
    args = ap.parse_args()
    print(f"method={args.method}  repeat={args.repeat}  (medians)")
    print(f"{'(n,k)':>7} {'rows':>8} {'build':>7} {'load':>7} {'solve':>7} {'verify':>7} "
          f"{'e2e':>7} {'pure':>7} {'ratio':>6} {'default':>8} {'def/pure':>8}  objective")
    for size in args.sizes.split(","):
        n, k = map(int, size.split("x"))
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            # the naive full model — every IC row, no symmetry reduction — is what issue 2 measures
            r = amd.solve(instance(n, k), method=args.method, full=True, symmetric=False)
            wall = time.perf_counter() - start
            assert r.status == "optimal", r.message
            pure, pure_obj = pure_highs(r.program)
            assert abs(pure_obj - r.objective) < 1e-7
            start = time.perf_counter()
            d = amd.solve(instance(n, k), method=args.method, reduced=False)  # the default LP path
            default = time.perf_counter() - start
            assert d.status == "optimal" and abs(d.objective - r.objective) < 1e-7
            runs.append((r.timing, wall, pure, r.program.lp.num_row_, r.objective, default))
        med = lambda f: statistics.median(f(x) for x in runs)  # noqa: E731
        e2e, pure = med(lambda x: x[1]), med(lambda x: x[2])
        print(f"{f'({n},{k})':>7} {runs[0][3]:>8} {med(lambda x: x[0]['build_s']):7.3f} "
              f"{med(lambda x: x[0]['load_s']):7.3f} {med(lambda x: x[0]['solve_s']):7.3f} "
              f"{med(lambda x: x[0]['verify_s']):7.3f} {e2e:7.3f} {pure:7.3f} "
              f"{statistics.median(x[1] / x[2] for x in runs):6.2f} {med(lambda x: x[5]):8.3f} "
              f"{statistics.median(x[5] / x[2] for x in runs):8.3f}  {runs[0][4]:.9f}", flush=True)


if __name__ == "__main__":
    main()
