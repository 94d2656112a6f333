"""Scale: amd's default solve (constraint generation) against the naive full LP, and a peer.

Prints, as medians over --repeat runs:

1. randomized single-item DSIC + ex-post IR on the midpoint grid, (n, k) = (2, 200), (3, 30):
   amd's end-to-end time and objective, the discrete Myerson value computed independently
   (ironed virtual values, `amd.classic.myerson`), and the full LP — its size, and when it has
   at most --full-max-rows rows, the time of HiGHS solving it directly (matrix assembled with
   numpy, no Pyomo) and the ratio amd / full;
2. one buyer, two additive items on the midpoint grids K = 30, 50 (published 0.562370 and
   0.557168; target under 5 s at K = 30);
3. BIC single item with independent types, n = 10, k = 100 (target under 2 s), in interim
   reduced form: the bundled instance (alike bidders, Myerson's value by formula), the same
   through the command line in a fresh process (imports included), and ten *different*
   bidders (random grids and priors, seed 0) checked against nothing but the verifier;
4. side by side with the PyPI package `mechaudit` (install it only in the benchmark
   environment: `pip install mechaudit`) at (n, k) = (2, 30), (3, 10), (4, 8), randomized DSIC
   + ex-post IR, revenue: both objectives, both times, and amd / mechaudit (target ≤ 1/3).

    python benchmarks/scale.py [--repeat 3] [--full-max-rows 3000000] [--skip-peer] [--only N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy.sparse as sp

import amd
from amd import classic
from amd.models import direct_mechanism as dm
from amd.solver import LinearProgram, SolverOptions
from amd.verifier import objective_value


def myerson_midpoint(n: int, K: int) -> float:
    """E[max(φ(max type), 0)] for iid uniform midpoint values: φ_t = (4t + 3 − 2K) / (2K)."""
    return float(sum(max(Fraction(4 * t + 3 - 2 * K, 2 * K), 0) * (Fraction(t + 1, K) ** n - Fraction(t, K) ** n)
                     for t in range(K)))


def asymmetric_auction(n: int, k: int, seed: int) -> amd.Instance:
    """n bidders with k random values on [0, 1 + i/5] and random (Dirichlet) priors."""
    rng = np.random.default_rng(seed)
    agents, prior, values = [], {}, {}
    for i in range(n):
        a = f"b{i + 1}"
        agents.append({"name": a, "types": [f"t{t}" for t in range(k)]})
        prior[a] = rng.dirichlet(np.ones(k)).tolist()
        table = np.zeros((k, n + 1))
        table[:, i + 1] = np.sort(rng.uniform(0, 1 + 0.2 * i, k))
        values[a] = {"private": table.tolist()}
    return amd.parse({"format": "amd/1", "kind": "mechanism", "agents": agents, "prior": {"independent": prior},
                      "outcomes": ["none"] + [a["name"] for a in agents], "values": values,
                      "constraints": {"ic": "bic", "ir": "interim"}, "objective": {"maximize": "revenue"}})


def single_item(n: int, k: int) -> amd.Instance:
    return amd.parse({"format": "amd/1", "kind": "mechanism", "name": f"single-item-{n}x{k}",
                      "family": {"name": "single_item", "bidders": n, "values": {"midpoint": k}}})


def full_lp(inst: amd.Instance) -> LinearProgram:
    """The naive LP — every IC row — as one sparse matrix handed straight to HiGHS."""
    env, design = inst.environment, inst.design
    lay = dm.Layout(env.n_profiles, env.n_outcomes, env.n_agents, design.payments)
    blocks = [dm.feasibility_rows(env, lay), dm.dsic_rows(env, lay), dm.ir_rows(env, lay, "expost")]
    A = sp.vstack([b.A for b in blocks]).tocsc()
    lo = np.concatenate([b.lo for b in blocks])
    hi = np.concatenate([b.hi for b in blocks])
    col_lo = np.r_[np.zeros(lay.n_x), np.full(lay.n_columns - lay.n_x, -np.inf)]
    col_hi = np.r_[np.ones(lay.n_x), np.full(lay.n_columns - lay.n_x, np.inf)]
    cost = dm.objective_coefficients(env, design, lay)
    return LinearProgram(A, cost, 0.0, lo, hi, col_lo, col_hi, np.zeros(lay.n_columns, bool), True,
                         np.arange(lay.n_columns), lay.n_columns, {}, SolverOptions(time_limit=600))


def timed(f, repeat):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def peer(n: int, k: int) -> float:
    from mechaudit import DSIC, ExpectedRevenue, ExPostIR, FiniteEnvironment, JointPrior, PrivateValues

    vals = {f"t{j}": (2 * j + 1) / (2 * k) for j in range(k)}
    agents = {f"b{i + 1}": list(vals) for i in range(n)}
    env = FiniteEnvironment(
        agents=agents, outcomes=["none"] + list(agents),
        prior=JointPrior.from_independent({a: {t: 1 / k for t in vals} for a in agents}),
        values=PrivateValues(lambda agent, own_type, outcome: vals[own_type] if outcome == agent else 0.0))
    return env.design(objective=ExpectedRevenue(), requirements=(DSIC(), ExPostIR())).solve().objective_value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full-max-rows", type=int, default=3_000_000,
                    help="solve the full LP with HiGHS (time limit 600 s) up to this many rows")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--only", type=int, choices=(1, 2, 3, 4), help="run one section")
    args = ap.parse_args()
    r = args.repeat

    def wanted(section: int) -> bool:
        return args.only in (None, section)

    if wanted(1):
        print("1. single item, DSIC + ex-post IR, midpoint grid")
    for n, k in ((2, 200), (3, 30)) if wanted(1) else ():
        inst = single_item(n, k)
        t_amd, res = timed(lambda: amd.solve(inst, reduced=False), r)  # the LP (the default is Myerson's rule)
        myerson = objective_value(inst.environment, inst.design, classic.myerson(inst))
        gen = res.details["constraint_generation"]
        rows = gen["ic_rows_full"] + inst.environment.n_profiles * (1 + n)
        line = (f"  (n,k)=({n},{k}): amd {t_amd:.2f} s, objective {res.objective:.9f} "
                f"(Myerson {myerson:.9f}), IC rows {gen['ic_rows_core']} core + {gen['ic_rows_added']} added; "
                f"full LP {rows:,} rows")
        if rows <= args.full_max_rows:
            prog = full_lp(inst)
            out = prog.solve()
            if out.objective is None:
                line += f", HiGHS alone: {out.status} after {out.solve_s:.0f} s ({out.message})"
            else:
                line += (f", HiGHS alone {out.solve_s:.2f} s ({out.status}, {out.objective:.9f}); "
                         f"ratio amd/full {t_amd / out.solve_s:.3f}")
        else:
            line += " (not solved: above --full-max-rows)"
        print(line, flush=True)

    if wanted(2):
        print("2. one buyer, two additive items, midpoint grid")
    for K, published in ((30, 0.562370), (50, 0.557168)) if wanted(2) else ():
        inst = amd.parse({"format": "amd/1", "kind": "mechanism",
                          "family": {"name": "additive_items", "buyers": 1, "items": 2, "values": {"midpoint": K}}})
        t_amd, res = timed(lambda: amd.solve(inst), r if K == 30 else 1)
        print(f"  K={K}: amd {t_amd:.2f} s, objective {res.objective:.7f} (published {published}), "
              f"{res.details['constraint_generation']}", flush=True)

    if wanted(3):
        print("3. BIC single item, independent types, n=10, k=100 (direct LP: 10^20 profiles, not buildable)")
        path = Path(__file__).resolve().parents[1] / "instances/auctions/myerson-10-bidders-bic-midpoint100.yaml"
        t_amd, res = timed(lambda: amd.solve(amd.load(path)), r)
        form = res.details["reduced_form"]
        print(f"  alike bidders: amd {t_amd:.3f} s (load + solve + lottery + verify), objective {res.objective:.10f}, "
              f"Myerson {myerson_midpoint(10, 100):.10f}, {form['border_rows']} Border rows in {form['rounds']} rounds, "
              f"{form['hierarchies']} hierarch{'y' if form['hierarchies'] == 1 else 'ies'}", flush=True)
        t_cli, _ = timed(lambda: subprocess.run([str(Path(sys.executable).parent / "amd"), "solve", str(path), "--json"],
                                                check=True, capture_output=True), r)
        print(f"  the same as `amd solve FILE --json` in a new process: {t_cli:.3f} s", flush=True)
        inst = asymmetric_auction(10, 100, seed=0)
        t_amd, res = timed(lambda: amd.solve(inst), 1)
        form = res.details["reduced_form"]
        print(f"  ten different bidders: amd {t_amd:.3f} s, {res.status}, verified {res.certificate.verified}, "
              f"objective {res.objective:.10f}, {form['border_rows']} Border rows in {form['rounds']} rounds, "
              f"{form['hierarchies']} hierarchies", flush=True)

    if args.skip_peer or not wanted(4):
        return
    print("4. side by side with mechaudit (randomized DSIC + ex-post IR, revenue)")
    try:
        import mechaudit  # noqa: F401
    except ImportError:
        print("  mechaudit is not installed here (pip install mechaudit in the benchmark environment)")
        return
    for n, k in ((2, 30), (3, 10), (4, 8)):
        inst = single_item(n, k)
        t_amd, res = timed(lambda: amd.solve(inst, reduced=False), r)  # LP against LP
        t_peer, value = timed(lambda: peer(n, k), r)
        print(f"  (n,k)=({n},{k}): amd {t_amd:.2f} s ({res.objective:.9f}), mechaudit {t_peer:.2f} s "
              f"({value:.9f}), |diff| {abs(value - res.objective):.1e}, amd/mechaudit {t_amd / t_peer:.3f}",
              flush=True)


if __name__ == "__main__":
    main()
