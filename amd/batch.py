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
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from pathlib import Path

from amd.errors import InstanceError
from amd.files import write_atomic, write_json

SUFFIXES = (".yaml", ".yml", ".json")
COLUMNS = ["path", "instance", "status", "objective", "expected_status", "expected_objective", "check", "key",
           "message"]
TIMING_COLUMNS = ["path", "key", "build_s", "load_s", "solve_s", "verify_s", "wall_s"]


@dataclass
class Task:
    path: str
    key: str
    expected: dict | None


def discover(paths: list[str | Path]) -> list[Path]:
    """Instance files under ``paths`` (files as given, folders searched), sorted, once each."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found.update(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        elif p.exists():
            found.add(p)
        else:
            raise InstanceError(str(p), None, "no such file or folder")
    return sorted(found)


def task_key(spec: dict, options: dict) -> str:
    """sha256 of the expanded instance and the solve options (the identity of a result)."""
    blob = json.dumps({"instance": spec, "options": options}, sort_keys=True, default=str)
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


def _work(path: str, key: str, out: str, options: dict) -> None:  # runs in the child
    import highspy

    from amd.design import solve
    from amd.schema import load

    _die_with_parent()
    # a forked child inherits HiGHS's scheduler state but not its threads: start afresh
    highspy.Highs.resetGlobalScheduler(True)
    start = time.perf_counter()
    try:
        result = solve(load(path), threads=1, **options).to_dict()
    except InstanceError as e:
        result = {"status": "invalid", "message": str(e), "objective": None}
    except Exception as e:  # noqa: BLE001 - one instance must never stop the batch
        result = {"status": "error", "message": f"{type(e).__name__}: {e}", "objective": None}
    result.update(path=path, key=key, wall_s=time.perf_counter() - start)
    write_json(Path(out) / "results" / f"{key}.json", result)


def check(record: dict, expected: dict | None) -> str:
    """'ok', 'differs' or '' (nothing expected) for one result against its ``expected``."""
    if not expected:
        return ""
    if record.get("status") != expected["status"]:
        return "differs"
    want = expected.get("objective")
    if want is not None:
        got = record.get("objective")
        if got is None or abs(got - want) > expected.get("tolerance", 1e-7):
            return "differs"
    return "ok"


def run(paths: list[str | Path], out: str | Path = "results", *, workers: int | None = None,
        time_limit: float | None = None, resume: bool = False, progress=None) -> list[dict]:
    """Solve every instance under ``paths``; returns one record per instance, sorted by path.

    ``progress(done, failed, running, total)`` is called as work advances.
    """
    from amd.schema import load

    out = Path(out)
    (out / "results").mkdir(parents=True, exist_ok=True)
    options = {"time_limit": time_limit}
    files = discover(paths)
    workers = max(1, workers or os.cpu_count() or 1)
    tasks: list[Task] = []
    records: dict[str, dict] = {}
    for f in files:
        try:
            inst = load(f)
        except InstanceError as e:
            key = task_key({"invalid": str(f), "error": str(e)}, options)
            records[str(f)] = {"path": str(f), "key": key, "status": "invalid", "message": str(e), "objective": None}
            write_json(out / "results" / f"{key}.json", records[str(f)])
            continue
        key = task_key(inst.spec, options)
        expected = inst.expected.model_dump() if inst.expected else None
        tasks.append(Task(str(f), key, expected))
    expectations = {t.path: t.expected for t in tasks}
    todo = [t for t in tasks if not (resume and (out / "results" / f"{t.key}.json").exists())]

    ctx = mp.get_context("fork")
    grace = None if time_limit is None else time_limit + max(10.0, 0.5 * time_limit)
    running: dict = {}
    queue = list(todo)
    done = len(tasks) - len(todo)
    failed = 0
    total = len(tasks)

    def report():
        if progress is not None:
            progress(done, failed, len(running), total)

    report()
    while queue or running:
        while queue and len(running) < workers:
            t = queue.pop(0)
            proc = ctx.Process(target=_work, args=(t.path, t.key, str(out), options), daemon=True)
            proc.start()
            running[proc] = (t, time.monotonic())
            report()
        time.sleep(0.02)
        for proc, (t, started) in list(running.items()):
            if proc.is_alive():
                if grace is not None and time.monotonic() - started > grace:
                    proc.kill()
                    proc.join()
                    write_json(out / "results" / f"{t.key}.json",
                                {"path": t.path, "key": t.key, "status": "time_limit", "objective": None,
                                 "message": f"killed after {grace:.0f} s (time limit {time_limit} s)"})
                else:
                    continue
            else:
                proc.join()
                result_file = out / "results" / f"{t.key}.json"
                if not result_file.exists():
                    write_json(result_file, {"path": t.path, "key": t.key, "status": "error", "objective": None,
                                              "message": f"worker died (exit code {proc.exitcode})"})
            del running[proc]
            done += 1
            status = json.loads((out / "results" / f"{t.key}.json").read_text()).get("status")
            failed += status not in ("optimal", "infeasible", "unbounded")
            report()

    for t in tasks:
        data = json.loads((out / "results" / f"{t.key}.json").read_text())
        records[t.path] = {**data, "path": t.path, "key": t.key}
    for path, rec in records.items():
        exp = expectations.get(path)
        rec["expected_status"] = exp["status"] if exp else ""
        rec["expected_objective"] = exp.get("objective") if exp else ""
        rec["check"] = check(rec, exp)
    ordered = [records[p] for p in sorted(records)]
    _aggregate(out, ordered)
    return ordered


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
        return
    pq.write_table(pa.Table.from_pylist([{c: str(r.get(c, "")) for c in COLUMNS} for r in rows]),
                   out / "results.parquet")
