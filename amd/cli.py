"""The ``amd`` command line (SPEC §2).

Exit codes: 0 the command answered (an infeasible instance is an answer); 1 a checked
property failed (``amd verify``); 2 bad input, one line naming file and key; 3 the solver
failed or hit a limit with no answer.
"""

from __future__ import annotations

import os
import sys
from functools import wraps
from pathlib import Path
from typing import Optional

import typer
import yaml
from rich.console import Console

from amd.errors import InstanceError
from amd.files import dumps, output_path, write_json
from amd.provenance import versions

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Automated mechanism design: optimal direct mechanisms with certificates (format amd/1).",
)


class _Output(Console):
    """Standard output for people. Piped into a file or another program it does not wrap tables at
    80 columns (a terminal's width is used where there is one), and a reader who closes the pipe
    early (``amd library | head``) ends the command quietly: rich would exit 1 there, which means
    "a check failed" in amd."""

    def __init__(self):
        piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
        super().__init__(width=10_000 if piped else None)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


out = _Output()


def _error(e: InstanceError) -> None:
    """One line, never wrapped: file, key path, what was expected."""
    sys.stderr.write(f"amd: error: {e}\n")


def _guard(fn):
    """Bad input → one line on stderr and exit 2; never a traceback (AMD_DEBUG=1 shows it)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            try:
                return fn(*args, **kwargs)
            finally:
                sys.stdout.flush()  # here, so that a closed pipe meets the handler below
        except InstanceError as e:
            _error(e)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            sys.stderr.write("amd: interrupted\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:  # `amd solve F | head`: the reader has what it wanted
            _discard_stdout()
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as e:  # noqa: BLE001
            if os.environ.get("AMD_DEBUG"):
                raise
            sys.stderr.write(f"amd: internal error: {type(e).__name__}: {e} (AMD_DEBUG=1 shows the traceback)\n")
            raise typer.Exit(3) from None

    return wrapper


def _version(value: bool):
    if value:
        from amd import __version__

        out.print(f"amd {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit."),
          max_size: Optional[float] = typer.Option(
              None, "--max-size", help="The most numbers an instance may make amd hold at once (default: from the "
                                       "machine's memory, about 1e8 on 24 GiB; also AMD_MAX_SIZE)."),
          allow_paths: bool = typer.Option(
              False, "--allow-paths", help="Let instance files refer to files outside their own folder "
                                           "(game.efg: absolute paths, '..', links out).")):
    """Automated mechanism design: optimal direct mechanisms with certificates (format amd/1)."""
    from amd import limits

    try:
        limits.set_max_size(max_size)
    except InstanceError as e:
        _error(e)
        raise typer.Exit(2) from None
    if allow_paths:
        os.environ["AMD_ALLOW_PATHS"] = "1"  # read by amd.game_tree, here and in batch workers


@app.command()
@_guard
def solve(
    file: Path = typer.Argument(..., help="Instance file (YAML or JSON, format amd/1)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object (SPEC §3)."),
    out_file: Optional[Path] = typer.Option(None, "--out", help="Also write the JSON result to this file."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", min=0, help="Seconds for the solver."),
    gap: Optional[float] = typer.Option(None, "--gap", min=0, help="Relative MIP gap (default 1e-9: proven optimum)."),
    threads: Optional[int] = typer.Option(None, "--threads", min=1, help="HiGHS threads (default: HiGHS decides)."),
    method: str = typer.Option("choose", "--method", help="HiGHS method: choose | simplex | ipm | pdlp."),
    rows: int = typer.Option(40, "--rows", min=0, help="Profiles to show in the table."),
    verbose: bool = typer.Option(False, "--verbose", help="Show the HiGHS log."),
    full: bool = typer.Option(False, "--full", help="Build every IC row instead of generating them lazily."),
    tidy: bool = typer.Option(False, "--tidy", help="Among optimal mechanisms, pick one whose largest payment is "
                                                    "smallest (a second LP on the optimal face; same objective)."),
    solver: str = typer.Option("highs", "--solver", help="highs (default, the fast path) or any solver Pyomo "
                                                         "finds: glpk, cbc, gurobi, cplex, scip, … (the whole "
                                                         "model is built; same verifier)."),
    exact: bool = typer.Option(False, "--exact", help="Prove the optimum in rational arithmetic from HiGHS's "
                                                      "basis and print it as a fraction (objective_exact)."),
    reduced: Optional[bool] = typer.Option(
        None, "--reduced/--direct",
        help="Single-item BIC: solve in interim reduced form (Border's inequalities), or force the direct "
             "model. Default: reduced from 20,000 allocation columns; single-item DSIC revenue with independent "
             "private values: Myerson's optimal auction, no LP (--direct solves the LP)."),
):
    """Find the optimal mechanism for FILE and verify it independently.

    Prints the allocation and payments per type profile and the certificate (every
    constraint recomputed with numpy, with its worst case). Exit 0 when the instance is
    answered (optimal, infeasible or unbounded), 2 on bad input, 3 when the solver fails or
    stops at a limit without a solution.
    """
    from amd.io.schema import load

    if out_file is not None:
        out_file = output_path(out_file, "--out", protect=(file,))
    inst = load(file)
    # the solver stack (Pyomo, HiGHS) is imported only once the input is known to be good:
    # a bad file is answered in a fraction of the time
    from amd import concepts
    from amd.design import solve as run
    from amd.report import print_result
    from amd.result import ANSWERS

    result = run(inst, time_limit=time_limit, gap=gap, threads=threads, method=method, verbose=verbose,
                 full=True if full else None, reduced=reduced, tidy=tidy, exact=exact, solver=solver)
    payload = result.to_dict()
    if out_file is not None:
        write_json(out_file, payload, indent=1)
    if as_json:
        sys.stdout.write(dumps(payload) + "\n")
    else:
        print_result(result, inst, out, rows, concepts.REGISTRY[result.concept])
    answered = result.status in ANSWERS or (
        result.status == "time_limit" and result.objective is not None)
    raise typer.Exit(0 if answered else 3)


@app.command()
@_guard
def validate(files: list[Path] = typer.Argument(..., help="Instance files.")):
    """Validate instance files; exit 0 when every one is valid, 2 otherwise (one line per problem)."""
    from amd.library import describe_size
    from amd.io.schema import load

    bad = 0
    for f in files:
        try:
            inst = load(f)
        except InstanceError as e:
            for each in e.all:
                _error(each)
            bad += 1
            continue
        sys.stdout.write(f"{f}: ok ({inst.name}: {describe_size(inst)})\n")
    raise typer.Exit(2 if bad else 0)


@app.command()
@_guard
def expand(
    file: Path = typer.Argument(..., help="Instance file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of YAML."),
):
    """Print the explicit instance: a 'family' written out as agents, prior, outcomes and values."""
    from amd.io.schema import load

    doc = load(file).spec
    if as_json:
        sys.stdout.write(dumps(doc, indent=1) + "\n")
    else:
        sys.stdout.write(yaml.dump(doc, Dumper=_PlainDumper, sort_keys=False, default_flow_style=None, width=100,
                                   allow_unicode=True))


class _PlainDumper(yaml.SafeDumper):
    """YAML for people: a list that appears twice is written twice, not as &id001 / *id001."""

    def ignore_aliases(self, data) -> bool:
        return True


@app.command()
@_guard
def schema():
    """Print the JSON Schema of the instance format (kind: mechanism)."""
    from amd.io.schema import json_schema

    sys.stdout.write(dumps(json_schema(), indent=1) + "\n")


@app.command()
@_guard
def verify(
    file: Path = typer.Argument(..., help="Instance file whose constraints to check."),
    mechanism: Path = typer.Argument(..., help="JSON with a 'mechanism' (a result file) or the mechanism itself."),
    as_json: bool = typer.Option(False, "--json", help="Print the certificate as JSON."),
):
    """Check a given mechanism against FILE's constraints and name the worst deviation.

    Exit 0 when every constraint holds, 1 when one fails, 2 on bad input.
    """
    from amd import concepts
    from amd.io.read import read_document
    from amd.io.schema import load

    inst = load(file)
    data = read_document(mechanism)
    concept = concepts.for_result(inst, data)
    value, cert = concept.check(inst, data, str(mechanism))
    _report_verification(inst, value, cert, as_json, concept.value_label, data, str(mechanism))


def _report_verification(inst, value: float, cert, as_json: bool, label: str, document: dict, file: str) -> None:
    """Print what `amd verify` found and exit 0 (every constraint holds) or 1. A result file's own
    ``objective`` is a claim like the rest: it must be the value recomputed from its mechanism."""
    from amd.numeric import to_number
    from amd.report import certificate_table

    claimed = document.get("objective")
    if claimed is not None and document.get("status") in (None, "optimal", "bounded", "time_limit"):
        try:
            claimed = to_number(claimed)
        except ValueError as e:
            raise InstanceError(file, "objective", str(e)) from None
        cert.include("claimed_objective", abs(claimed - value), {"claimed": claimed, "recomputed": value})

    if as_json:
        sys.stdout.write(dumps({"format": "amd/1", "instance": inst.name, "objective": value,
                                "certificate": cert.to_dict(), "versions": versions()}) + "\n")
    else:
        verdict = "[green]verified[/]" if cert.verified else "[red]fails[/]"
        out.print(f"[bold]{inst.name}[/]: {verdict}   {label} = {value:.10g}")
        out.print(certificate_table(cert))
    raise typer.Exit(0 if cert.verified else 1)


@app.command("implementable")
@_guard
def implementable_cmd(
    file: Path = typer.Argument(..., help="Instance file: agents, prior, values and the constraints to meet."),
    allocation: Path = typer.Argument(..., help="JSON with an 'allocation' (a result file works too)."),
    method: str = typer.Option("auto", "--method", help="auto | graph (Rochet negative cycles) | lp."),
    as_json: bool = typer.Option(False, "--json", help="Print {implementable, payments, certificate} as JSON."),
):
    """Do payments exist that make ALLOCATION incentive compatible (Rochet's theorem)?

    Decides by negative cycles in the type graph (one per agent and profile of the others
    for dsic; one interim graph per agent for bic), or by the payments-only LP when the
    constraints are not difference constraints (correlated prior, budget balance, payment
    bounds). Prints the revenue-maximal payments, or the profitable cycle of misreports.
    Exit 0 either way (both are answers), 2 on bad input.
    """
    from amd.concepts import direct
    from amd.io.arrays import check_allocation
    from amd.mechanism import Mechanism
    from amd.rochet import implementable
    from amd.io.read import read_document
    from amd.io.schema import load

    if method not in ("auto", "graph", "lp"):
        raise InstanceError("--method", None, f"expected auto, graph or lp, got {method!r}")
    inst = direct.require_explicit(load(file))
    data = read_document(allocation)
    path = ""
    if isinstance(data.get("mechanism"), dict):
        data, path = data["mechanism"], "mechanism"
    mech = Mechanism.from_dict(data, inst.environment, str(allocation), path, require_payments=False)
    check_allocation(mech.allocation, str(allocation), f"{path}.allocation" if path else "allocation")
    try:
        res = implementable(inst, mech.allocation, method=method)
    except ValueError as e:  # the graph test was asked for where it does not apply
        raise InstanceError(str(file), "constraints", str(e)) from None
    if as_json:
        sys.stdout.write(dumps(res.to_dict() | {"versions": versions()}) + "\n")
        raise typer.Exit(0)
    c = res.certificate
    if res.implementable:
        out.print(f"[green]implementable[/] (by {c.method}); payments verified: {c.verified}")
        from amd.report import mechanism_table

        table, left = mechanism_table(res.mechanism, inst.environment.prior)
        out.print(table)
        if left:
            out.print(f"  … {left} more profiles not shown (--json gives all)")
    else:
        out.print(f"[red]not implementable[/] (by {c.method})")
        out.print(c.words or "", markup=False)
    wm = c.weak_monotonicity
    if wm is not None:
        out.print(f"weak monotonicity (2-cycles): {'holds' if wm['holds'] else 'fails'}", markup=False)
    raise typer.Exit(0)


@app.command()
@_guard
def classic(
    file: Path = typer.Argument(..., help="Instance file (its constraints are ignored; every property is checked)."),
    mechanism: str = typer.Option(..., "--mechanism", "-m",
                                  help="vcg | clarke | agv | second_price | posted_price | myerson."),
    price: Optional[float] = typer.Option(None, "--price", help="The price, for posted_price."),
    reserve: float = typer.Option(0.0, "--reserve", help="The reserve price, for second_price."),
    ties: Optional[str] = typer.Option(
        None, "--ties", help="first | last | uniform: how tied outcomes (or top bids) are chosen. Default: the textbook "
                             "rule — auctions split ties evenly, a public project (outcomes no, build) builds when "
                             "Σθ ≥ C, otherwise the first outcome in the file."),
    as_json: bool = typer.Option(False, "--json", help="Print mechanism, objective and properties as JSON."),
    out_file: Optional[Path] = typer.Option(None, "--out", help="Also write the JSON (readable by amd verify)."),
    rows: int = typer.Option(40, "--rows", min=0, help="Profiles to show in the table."),
):
    """Build a classic mechanism on FILE and report which properties it has.

    vcg (Groves with h = 0), clarke (pivot), agv (expected externality), second_price,
    posted_price (--price) and myerson (ironed virtual values). Every property — DSIC, BIC,
    ex-post and interim IR, ex-post / weak / ex-ante budget balance — is checked by the
    independent verifier, with the worst violation of those that fail.
    """
    from amd import classic as catalog
    from amd.concepts import direct
    from amd.report import explain, mechanism_table
    from amd.io.schema import load
    from amd.verifier import objective_value

    if out_file is not None:
        out_file = output_path(out_file, "--out", protect=(file,))
    inst = direct.require_explicit(load(file))
    if mechanism not in catalog.MECHANISMS:
        raise InstanceError("--mechanism", None, f"expected one of {', '.join(catalog.MECHANISMS)}, got {mechanism!r}")
    if ties is not None and ties not in catalog.TIES:
        raise InstanceError("--ties", None, f"expected one of {', '.join(catalog.TIES)}, got {ties!r}")
    rule = ties or catalog.default_ties(inst.environment)
    try:
        mech = catalog.build(mechanism, inst, price=price, reserve=reserve, ties=rule)
    except ValueError as e:
        raise InstanceError(str(file), None, f"{mechanism}: {e}") from None
    props = catalog.properties(inst.environment, mech)
    value = objective_value(inst.environment, inst.design, mech)
    payload = {"format": "amd/1", "instance": inst.name, "kind": "mechanism", "classic": mechanism,
               "ties": rule, "objective": value, "mechanism": mech.to_dict(),
               "properties": {k: c.to_dict() for k, c in props.items()}, "versions": versions()}
    if out_file is not None:
        write_json(out_file, payload, indent=1)
    if as_json:
        sys.stdout.write(dumps(payload) + "\n")
        raise typer.Exit(0)
    out.print(f"[bold]{mechanism}[/] on {inst.name}: {inst.design.objective.name} = {value:.10g}   "
              f"(ties: {rule}{'' if ties else ', the default here'})")
    table, left = mechanism_table(mech, inst.environment.prior, rows)
    out.print(table)
    if left:
        out.print(f"  … {left} more profiles not shown (--rows N shows more; --json gives all)")
    for k, c in props.items():
        mark = "[green]holds[/]" if c.holds else f"[red]fails[/] by {c.max_violation:.4g}: {explain(k, c.worst)}"
        out.print(f"  {k:<32} {mark}")
    raise typer.Exit(0)


@app.command()
@_guard
def batch(
    paths: list[Path] = typer.Argument(..., help="Instance files or folders (searched for .yaml/.yml/.json)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Parallel workers (default: all cores)."),
    engine: str = typer.Option("local", "--engine", help="local (a process per instance) | dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                            help="Dask scheduler address (tcp://HOST:PORT); default: a LocalCluster."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for results/, results.csv, timings.csv."),
    resume: bool = typer.Option(False, "--resume", help="Skip instances whose result (same instance, same options) exists."),
    check_expected: bool = typer.Option(False, "--check", help="Exit 1 when a result departs from its 'expected'."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", min=0,
                                               help="Seconds per instance; a worker still busy well after it is killed."),
    skip_tag: list[str] = typer.Option([], "--skip-tag", help="Leave out instances with this tag (e.g. large)."),
    exact: bool = typer.Option(False, "--exact", help="Prove every optimum in rational arithmetic; with --check, "
                                                      "a fraction the file expects must be met exactly."),
):
    """Solve every instance under PATHS in parallel, with progress, resumable after a crash.

    One JSON result per instance in OUT/results/ (written atomically, keyed by a hash of the
    expanded instance and the options), an aggregate OUT/results.csv (sorted by path, no
    timings: a resumed batch gives the same file) and OUT/timings.csv. An invalid, crashing or
    hanging instance is recorded and never stops the batch. Exit 0, or 1 with --check when a
    result differs from its expected status or objective.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from amd.batch import run

    if engine not in ("local", "dask"):
        raise InstanceError("--engine", None, f"expected 'local' or 'dask', got {engine!r}")
    if scheduler is not None and engine != "dask":
        raise InstanceError("--scheduler", None, "goes with --engine dask")
    console = Console(stderr=True)
    # auto_refresh off: rich's refresh thread must not run while workers are forked (Python 3.12
    # warns, rightly: a fork copies a process whose other threads may hold locks); we refresh
    # ourselves on every progress report instead
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False, auto_refresh=False) as bar:
        job = bar.add_task("starting", total=None)

        def progress(done, failed, running, total):
            bar.update(job, completed=done, total=total,
                       description=f"done {done - failed}  failed {failed}  running {running}")
            bar.refresh()

        records = run([str(p) for p in paths], out_dir, workers=workers, time_limit=time_limit, resume=resume,
                      progress=progress, skip_tags=tuple(skip_tag), engine=engine, scheduler=scheduler, exact=exact)
    counts: dict[str, int] = {}
    for r in records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    out.print(f"{len(records)} instances → {out_dir}/results.csv", markup=False, highlight=False)
    summary = Table(show_edge=False)
    summary.add_column("status")
    summary.add_column("count", justify="right")
    for status, n in sorted(counts.items()):
        summary.add_row(status, str(n))
    out.print(summary)
    departures = [r for r in records if r["check"] == "differs"]
    if check_expected:
        checked = sum(1 for r in records if r["check"])
        for r in departures:
            got = f"{r['status']} {r.get('objective')}"
            want = f"{r['expected_status']} {r['expected_objective']}"
            sys.stdout.write(f"differs: {r['path']}: got {got}, expected {want}\n")
        proven = sum(1 for r in records if r["check"] == "exact")
        sys.stdout.write(f"check: {checked - len(departures)} of {checked} results match their expected value"
                         + (f" ({proven} exactly, as rationals)" if exact else "") + "\n")
        raise typer.Exit(1 if departures else 0)
    raise typer.Exit(0)


@app.command()
@_guard
def library(
    paths: list[Path] = typer.Argument(None, help="Files or folders (default: instances)."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
):
    """List instances as a table computed from the files: name, kind, size, constraints,
    expected value and source. Broken files are listed with their error."""
    from rich.table import Table

    from amd.library import catalog

    rows = catalog([str(p) for p in (paths or [Path("instances")])])
    if as_json:
        sys.stdout.write(dumps(rows, indent=1) + "\n")
        raise typer.Exit(0)
    table = Table(show_edge=False, header_style="bold")
    for col in ("path", "kind", "size", "problem", "expected", "source"):
        table.add_column(col, overflow="fold", max_width=60 if col == "source" else None)
    for r in rows:
        source = r["source"] if len(r["source"]) < 60 else r["source"][:57] + "..."
        table.add_row(r["path"], r["kind"], r["size"], r["problem"], r["expected"], source)
    out.print(table)
    out.print(f"{len(rows)} instances, {sum(1 for r in rows if r['expected'])} with a known answer", highlight=False)
    raise typer.Exit(2 if any(r["kind"] == "invalid" for r in rows) else 0)


@app.command()
@_guard
def sweep(
    file: Path = typer.Argument(..., help="The instance file to vary."),
    sets: list[str] = typer.Option(..., "--set", help="KEY=V1,V2,... (dotted key; values read as YAML). Repeat for a grid."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Parallel workers (default: all cores)."),
    engine: str = typer.Option("local", "--engine", help="local | dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address."),
    out_dir: Path = typer.Option(Path("sweep"), "--out", help="Folder for points/, results/ and sweep.csv."),
    resume: bool = typer.Option(False, "--resume", help="Skip points already solved with the same options."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", min=0, help="Seconds per point."),
):
    """Expand FILE into the grid of --set values and solve every point (like amd batch).

    Example: amd sweep auction.yaml --set family.bidders=1,2,3 --set objective.maximize=revenue,welfare
    writes OUT/points/*.yaml, one result per point and OUT/sweep.csv with one row per point.
    """
    import csv
    import io

    from rich.table import Table

    from amd.batch import run
    from amd.files import write_atomic
    from amd.io.schema import load
    from amd.sweep import write_points

    written = write_points(file, sets, out_dir)
    for params, path in written:  # every point must be valid before anything runs
        try:
            load(path)
        except InstanceError as e:
            raise InstanceError(str(file), e.path, f"{e.message} (at the point {params})") from None
    records = {r["path"]: r for r in run([str(p) for _, p in written], out_dir, workers=workers,
                                        time_limit=time_limit, resume=resume, engine=engine, scheduler=scheduler)}
    keys = list(written[0][0]) if written else []
    table = Table(show_edge=False, header_style="bold")
    for k in keys + ["status", "objective"]:
        table.add_column(k)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys + ["status", "objective", "path"])
    for params, path in written:
        r = records[str(path)]
        objective = "" if r.get("objective") is None else f"{r['objective']:.10g}"
        table.add_row(*[str(params[k]) for k in keys], r["status"], objective)
        writer.writerow([params[k] for k in keys] + [r["status"], r.get("objective"), str(path)])
    write_atomic(out_dir / "sweep.csv", buf.getvalue())
    out.print(table)
    out.print(f"{len(written)} points → {out_dir}/sweep.csv", markup=False, highlight=False)
    raise typer.Exit(0)


@app.command()
@_guard
def plot(
    file: Path = typer.Argument(..., help="An information-design instance (one or two players, or a game tree), "
                                          "or a two-type, two-period 'kind: dynamic' durable good."),
    out_file: Path = typer.Option(Path("outcome.png"), "--out", help="Image file to write (.png, .pdf, .svg)."),
    vs_prior: bool = typer.Option(False, "--vs-prior", help="Two-state information design: draw the designer's "
                                  "value against the prior μ = P(second state), without information and with "
                                  "the optimal one (the concavification), and the optimal split of FILE's prior."),
):
    """Solve FILE and plot its answer: the recommendation signal π(a | θ), one panel per state
    (for a game tree: how play ends, π(leaf | θ)); for selling with limited commitment, the
    seller's continuation δR₂(μ) and value V(μ) against the belief, with the chosen split."""
    from amd import concepts
    from amd.design import solve as run
    from amd.io.schema import load

    out_file = output_path(out_file, "--out", protect=(file,))
    inst = load(file)
    concept = concepts.for_instance(inst)
    concept.plottable(inst)
    from amd.plot import pyplot

    pyplot()  # matplotlib is an extra (amd[plot]): say so before solving
    if vs_prior and not hasattr(concept, "plot_vs_prior"):
        raise InstanceError(str(file), "solution", "--vs-prior draws 'solution: bce' information design")
    result = run(inst)
    if result.objective is None:
        out.print(f"{inst.name}: {result.status}; nothing to plot", markup=False)
        raise typer.Exit(0 if result.status in ("infeasible", "unbounded") else 3)
    title = f"{inst.name}: {concept.value_label} {result.objective:.6g}"
    path = (concept.plot_vs_prior if vs_prior else concept.plot)(inst, result, out_file, title)
    out.print(f"{path}", markup=False, highlight=False)
    raise typer.Exit(0)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that flushing what is left at exit raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def configure_logging() -> None:
    """amd's diagnostics (module loggers under ``amd``: the concept chosen, constraint-generation
    rounds, the exact proof's path, a skipped parquet file) go to stderr at the level named by
    ``AMD_LOG`` (debug, info, warning — the default — or error); stdout stays the answer's."""
    import logging

    level = os.environ.get("AMD_LOG", "warning").upper()
    logger = logging.getLogger("amd")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("amd: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "WARNING")


def main() -> None:
    """The console script: stdout is claimed first (amd.streams), so that no solver or
    library output can reach it, then the command runs."""
    from amd.streams import claim_stdout

    claim_stdout()
    configure_logging()
    try:
        app()
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _discard_stdout()


if __name__ == "__main__":
    main()
