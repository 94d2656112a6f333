"""Batch solving of an instance library: parallel, crash-proof, resumable.

Every instance runs in a process of its own (forked, so imports are paid once), at most
``workers`` at a time; a worker that crashes is recorded as ``error``, one that outlives the
time limit (plus a grace period for building) is killed and recorded as ``time_limit``, an
invalid file as ``invalid`` — none of them stops the batch. Each result is written atomically
to ``OUT/results/<key>.json``, where the key hashes the expanded instance and the solve options:
``--resume`` skips every key already present (so nothing is solved twice and an edited instance
is solved again), and the aggregate ``OUT/results.csv`` is rebuilt from those files, sorted by
path, with no timing in it — a resumed batch yields the same file as an uninterrupted one.
Timings go to ``OUT/timings.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import multiprocessing as mp
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import highspy

from amd.design import solve
from amd.errors import InstanceError
from amd.files import write_atomic, write_json
from amd.io.read import discover
from amd.io.schema import load, parse
from amd.numeric import parse_fraction
from amd.provenance import versions
from amd.result import ANSWERS

log = logging.getLogger(__name__)

COLUMNS = ["path", "instance", "status", "objective", "objective_exact", "expected_status", "expected_objective", "check", "key",
           "message"]
TIMING_COLUMNS = ["path", "key", "build_s", "load_s", "solve_s", "verify_s", "wall_s"]


@dataclass
class Task:
    path: str
    key: str
    expected: dict | None
    document: dict  # the validated, family-expanded instance: workers need no file system
    name: str


def task_key(spec: dict, options: dict) -> str:
    """sha256 of the expanded instance, the solve options and the amd and HiGHS versions (the
    identity of a result: ``--resume`` never reuses one that another version computed)."""
    made_by = {k: v for k, v in versions().items() if k in ("amd", "highs")}
    blob = json.dumps({"instance": spec, "options": options, "versions": made_by}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the batch process dies (even by SIGKILL), so
    no orphan can finish an instance that a resumed batch solves again."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: orphans may finish; results stay atomic
        pass


def solve_payload(document: dict, path: str, name: str, key: str, options: dict) -> dict:
    """Solve one instance and return its result record (runs in a worker, local or Dask)."""
    # a forked child inherits HiGHS's scheduler state but not its threads: start afresh
    highspy.Highs.resetGlobalScheduler(True)
    start = time.perf_counter()
    try:
        result = solve(parse(document, file=path, default_name=name), threads=1, **options).to_dict()
    except InstanceError as e:
        result = {"status": "invalid", "message": str(e), "objective": None}
    except Exception as e:  # noqa: BLE001 - one instance must never stop the batch
        result = {"status": "error", "message": f"{type(e).__name__}: {e}", "objective": None}
    result.update(path=path, key=key, wall_s=time.perf_counter() - start)
    return result


def _work(task: Task, out: str, options: dict) -> None:  # a local worker process
    _die_with_parent()
    write_json(Path(out) / "results" / f"{task.key}.json",
               solve_payload(task.document, task.path, task.name, task.key, options))


def check(record: dict, expected: dict | None, written: object = None) -> str:
    """'ok', 'differs' or '' (nothing expected) for one result against its ``expected``. With a
    proven ``objective_exact`` (``--exact``) and an expected objective ``written`` as a fraction or
    a decimal of at most 15 significant digits, the two must be equal as rationals: 'exact'."""
    if not expected:
        return ""
    if record.get("status") != expected["status"]:
        return "differs"
    want = expected.get("objective")
    if want is not None:
        got = record.get("objective")
        if got is None or abs(got - want) > expected.get("tolerance", 1e-7):
            return "differs"
        exact, theory = record.get("objective_exact"), _as_written(written)
        if exact is not None and theory is not None:
            return "exact" if Fraction(exact) == theory else "differs"
    return "ok"


def _as_written(value: object) -> Fraction | None:
    """The expected objective as the rational the file writes ('181/400', 0.4525, 2), or None
    for a number too long to be meant exactly (a float printed to 16 or 17 digits)."""
    if isinstance(value, bool) or value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    digits = sum(c.isdigit() for c in text.split("e")[0].split("E")[0])
    if "/" not in text and digits > 15:
        return None
    try:
        return parse_fraction(text)  # a float as the decimal it was written as (1.8 → 9/5)
    except ValueError:
        return None


def run(paths: list[str | Path], out: str | Path = "results", *, workers: int | None = None,
        time_limit: float | None = None, resume: bool = False, progress=None,
        skip_tags: tuple[str, ...] = (), engine: str = "local", scheduler: str | None = None,
        exact: bool = False) -> list[dict]:
    """Solve every instance under ``paths``; returns one record per instance, sorted by path.

    ``progress(done, failed, running, total)`` is called as work advances; instances carrying
    one of ``skip_tags`` are left out (and listed as ``skipped``). ``engine="dask"`` runs the
    tasks on the Dask cluster at ``scheduler`` (or on a new ``distributed.LocalCluster`` of
    ``workers`` single-threaded processes); there HiGHS enforces ``time_limit`` inside the worker.
    ``exact`` proves every optimum in rational arithmetic (:mod:`amd.exact`); ``check`` then says
    ``exact`` where the proven fraction equals the fraction the file expects.
    """
    out = Path(out)
    files = discover(paths)
    with _lock(out):
        return _run(files, out, workers, time_limit, resume, progress, skip_tags, engine, scheduler, exact)


def _run(files, out: Path, workers, time_limit, resume, progress, skip_tags, engine, scheduler,
         exact: bool = False) -> list[dict]:
    options = {"time_limit": time_limit} | ({"exact": True} if exact else {})
    workers = max(1, workers or os.cpu_count() or 1)
    tasks: list[Task] = []
    records: dict[str, dict] = {}
    for f in files:
        try:
            inst = load(f)
        except Exception as e:  # noqa: BLE001 - one file, whatever is wrong with it, never stops the batch
            status = "invalid" if isinstance(e, InstanceError) else "error"
            message = str(e) if isinstance(e, InstanceError) else f"{type(e).__name__}: {e}"
            key = task_key({"invalid": str(f), "error": message}, options)
            records[str(f)] = {"path": str(f), "key": key, "status": status, "message": message, "objective": None,
                               "versions": versions()}
            write_json(out / "results" / f"{key}.json", records[str(f)])
            continue
        key = task_key(inst.spec, options)
        if set(inst.tags) & set(skip_tags):
            records[str(f)] = {"path": str(f), "key": key, "instance": inst.name, "status": "skipped",
                               "objective": None, "message": f"tagged {', '.join(sorted(set(inst.tags) & set(skip_tags)))}"}
            continue
        expected = inst.expected.model_dump() if inst.expected else None
        tasks.append(Task(str(f), key, expected, inst.spec, inst.name))
    expectations = {t.path: t.expected for t in tasks}
    written = {t.path: (t.document.get("expected") or {}).get("objective") for t in tasks}
    todo, redo = [], {}
    for t in tasks:
        if not resume:
            todo.append(t)
            continue
        kept = _read_result(out / "results" / f"{t.key}.json")
        if kept is None:
            todo.append(t)
            if (out / "results" / f"{t.key}.json").exists():
                redo[t.path] = "solved again: the earlier result file was unreadable"
        elif kept.get("status") == "error":  # a crash or a killed worker: worth another try
            todo.append(t)
            redo[t.path] = f"solved again after an earlier error ({str(kept.get('message', ''))[:80]})"

    state = {"done": len(tasks) - len(todo), "failed": 0, "running": 0}

    def report():
        if progress is not None:
            progress(state["done"], state["failed"], state["running"], len(tasks))

    def finished(t: Task) -> None:
        state["done"] += 1
        status = (_read_result(out / "results" / f"{t.key}.json") or {}).get("status")
        state["failed"] += status not in ANSWERS
        report()

    report()
    if engine == "dask":
        _run_dask(todo, out, options, workers, scheduler, state, report, finished)
    else:
        _run_local(todo, out, options, workers, time_limit, state, report, finished)

    for t in tasks:
        data = _read_result(out / "results" / f"{t.key}.json") or {
            "status": "error", "objective": None, "message": "no readable result was written"}
        records[t.path] = {**data, "path": t.path, "key": t.key}
        if t.path in redo:
            records[t.path]["message"] = f"{redo[t.path]}; {data.get('message', '')}".rstrip("; ")
    for path, rec in records.items():
        exp = expectations.get(path)
        rec["expected_status"] = exp["status"] if exp else ""
        rec["expected_objective"] = exp.get("objective") if exp else ""
        rec["check"] = check(rec, exp, written.get(path))
    ordered = [records[p] for p in sorted(records)]
    _aggregate(out, ordered)
    return ordered


def _died(code: int | None) -> str:
    return f"worker killed by signal {-code}" if code is not None and code < 0 else f"worker died (exit code {code})"


def _read_result(path: Path) -> dict | None:
    """A result file's record, or None when it is missing, truncated or not a result."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("status"), str) else None


@contextmanager
def _lock(out: Path):
    """One batch per output folder at a time: OUT/.lock holds the owner's process id; a lock whose
    owner is gone (killed) is taken over."""
    results = out / "results"
    for p in (out, results):
        if p.is_symlink():
            raise InstanceError("--out", None, f"{p} is a symbolic link; amd does not write through links")
    results.mkdir(parents=True, exist_ok=True)
    lock = out / ".lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            try:
                owner = int(lock.read_text().strip() or 0)
                os.kill(owner, 0)
            except (ValueError, OSError):  # no owner left: a stale lock
                lock.unlink(missing_ok=True)
                continue
            raise InstanceError("--out", None, f"another amd batch (process {owner}) is writing to {out}; "
                                               "wait for it, or give another --out") from None
    else:
        raise InstanceError("--out", None, f"cannot take the lock {lock}")
    with os.fdopen(fd, "w") as f:
        f.write(str(os.getpid()))
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


#: seconds a worker may run past the time limit (at least; half the limit when that is more):
#: the model build is not interrupted by the limit, the solver is
BUILD_GRACE = 10.0


def _run_local(todo, out, options, workers, time_limit, state, report, finished) -> None:
    """A forked process per task, at most ``workers`` at once; kill those past the limit."""
    ctx = mp.get_context("fork")
    grace = None if time_limit is None else time_limit + max(BUILD_GRACE, 0.5 * time_limit)
    running: dict = {}
    queue = list(todo)
    while queue or running:
        while queue and len(running) < workers:
            t = queue.pop(0)
            proc = ctx.Process(target=_work, args=(t, str(out), options), daemon=True)
            proc.start()
            running[proc] = (t, time.monotonic())
            state["running"] = len(running)
            report()
        time.sleep(0.02)
        for proc, (t, started) in list(running.items()):
            result_file = out / "results" / f"{t.key}.json"
            if proc.is_alive():
                if grace is None or time.monotonic() - started <= grace:
                    continue
                proc.kill()
                proc.join()
                write_json(result_file, {"path": t.path, "key": t.key, "status": "time_limit", "objective": None,
                                         "message": f"killed after {grace:.0f} s (time limit {time_limit} s)"})
            else:
                proc.join()
                if not result_file.exists():
                    write_json(result_file, {"path": t.path, "key": t.key, "status": "error", "objective": None,
                                             "message": _died(proc.exitcode)})
            del running[proc]
            state["running"] = len(running)
            finished(t)


def _run_dask(todo, out, options, workers, scheduler, state, report, finished) -> None:
    """Submit every task to a Dask cluster; the client writes each result as it arrives."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InstanceError("--engine", None, "dask needs the extra: pip install 'amd[dask]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            # one future per task, even for two files with the same content (and result key)
            futures = {client.submit(solve_payload, t.document, t.path, t.name, t.key, options,
                                     key=f"amd-{t.key}-{j}", pure=False): t for j, t in enumerate(todo)}
            slots = sum(client.nthreads().values()) or 1
            left = len(futures)
            state["running"] = min(left, slots)
            report()
            for fut in as_completed(futures):
                t = futures[fut]
                try:
                    payload = fut.result()
                except Exception as e:  # noqa: BLE001 - a lost worker must not stop the batch
                    payload = {"path": t.path, "key": t.key, "status": "error", "objective": None,
                               "message": f"{type(e).__name__}: {e}"}
                write_json(out / "results" / f"{t.key}.json", payload)
                left -= 1
                state["running"] = min(left, slots)
                finished(t)
    finally:
        if cluster is not None:
            cluster.close()


def _aggregate(out: Path, records: list[dict]) -> None:
    def table(columns, rows):
        import io

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in columns})
        return buf.getvalue()

    rows = [{**r, "instance": r.get("instance", ""), "message": r.get("message", "")} for r in records]
    write_atomic(out / "results.csv", table(COLUMNS, rows))
    timing_rows = [{"path": r["path"], "key": r["key"], "wall_s": r.get("wall_s"), **(r.get("timing") or {})}
                   for r in records]
    write_atomic(out / "timings.csv", table(TIMING_COLUMNS, timing_rows))
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        log.info("results.parquet not written: pip install 'amd[parquet]' (results.csv has the same rows)")
        return
    pq.write_table(pa.Table.from_pylist([{c: str(r.get(c, "")) for c in COLUMNS} for r in rows]),
                   out / "results.parquet")
