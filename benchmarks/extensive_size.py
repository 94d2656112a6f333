"""How `solution: extensive` grows: the T-stage repeated prisoner's dilemma (moves seen between
stages), credible and with threats; prints designer histories, information states and seconds
(median of --repeat runs of amd.solve: layout + build + HiGHS + verification).

    python benchmarks/extensive_size.py [--stages 1 2 3 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import amd

STAGE = {("C", "C"): (2, 2), ("C", "D"): (0, 3), ("D", "C"): (3, 0), ("D", "D"): (1, 1)}


def tree(T: int, t: int = 0, hist: tuple = (), tot: tuple = (0, 0)) -> dict:
    if t == T:
        return {"payoffs": {"row": tot[0], "col": tot[1]}, "designer": tot[0] + tot[1]}
    tag = "/".join(hist) or "start"
    return {"player": "row", "infoset": f"row@{tag}", "moves": {a: {
        "player": "col", "infoset": f"col@{tag}", "moves": {
            b: tree(T, t + 1, (*hist, a + b), tuple(x + y for x, y in zip(tot, STAGE[a, b]))) for b in "CD"}}
        for a in "CD"}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'T':>2} {'credible':>8} {'histories':>10} {'info states':>11} {'value':>6} {'seconds':>8}")
    for T in args.stages:
        for credible in (True, False):
            doc = {"format": "amd/1", "kind": "information", "players": [{"name": "row"}, {"name": "col"}],
                   "solution": "extensive", "game": {"credible": credible, "tree": tree(T)}}
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                r = amd.solve(amd.parse(doc))
                times.append(time.perf_counter() - start)
            assert r.certificate.verified and abs(r.objective - 2 * T) < 1e-7  # unravelling: 2 per stage
            print(f"{T:>2} {credible!s:>8} {r.details['size']['designer_histories']:>10,} "
                  f"{r.details['size']['information_states']:>11,} {r.objective:>6.3g} {statistics.median(times):>8.3f}")


if __name__ == "__main__":
    main()
