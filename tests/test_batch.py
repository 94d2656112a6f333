"""amd batch: parallel, resumable, checked against expected values (SPEC §2, §4)."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from amd.cli import app
from conftest import document

runner = CliRunner()


def library(tmp_path, root, n_copies=1):
    lib = tmp_path / "lib"
    for sub in ("auctions", "bundling", "degenerate"):
        shutil.copytree(root / "instances" / sub, lib / sub)
    for f in lib.rglob("*.yaml"):  # large instances are for benchmarks, not for tests
        if "large" in (yaml.safe_load(f.read_text()).get("tags") or []):
            f.unlink()
    for j in range(1, n_copies):  # distinct instances (different names), same problems
        for f in sorted((root / "instances/auctions").glob("*.yaml")):
            doc = yaml.safe_load(f.read_text())
            doc["name"] = f"{doc.get('name', f.stem)}-copy{j}"
            (lib / "auctions" / f"{f.stem}-copy{j}.yaml").write_text(yaml.safe_dump(doc))
    return lib


def rows(out):
    with open(out / "results.csv") as f:
        return list(csv.DictReader(f))


def test_batch_check_and_bad_instances(tmp_path, root):
    lib = library(tmp_path, root)
    (lib / "broken.yaml").write_text("format: amd/1\nkind: mechanism\nagents: 3\n")
    wrong = document({"name": "single_item", "bidders": 1, "values": {"midpoint": 10}})
    wrong["expected"] = {"status": "optimal", "objective": 0.3, "source": "deliberately wrong"}
    (lib / "wrong.yaml").write_text(yaml.safe_dump(wrong))
    out = tmp_path / "out"
    r = runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(out), "--check"])
    assert r.exit_code == 1, r.output
    assert f"differs: {lib / 'wrong.yaml'}: got optimal 0.275" in r.output
    table = {row["path"]: row for row in rows(out)}
    assert table[str(lib / "broken.yaml")]["status"] == "invalid"
    assert "agents" in table[str(lib / "broken.yaml")]["message"]
    ok = [row for row in table.values() if row["check"] == "ok"]
    with_expected = [row for row in table.values() if row["expected_status"]]
    assert len(ok) == len(with_expected) - 1  # every instance with a known answer but the wrong one
    assert (out / "timings.csv").exists()
    assert len(list((out / "results").glob("*.json"))) == len(table)


def test_resume_after_sigkill_solves_nothing_twice(tmp_path, root):
    lib = library(tmp_path, root, n_copies=3)
    clean = tmp_path / "clean"
    assert runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(clean)]).exit_code == 0

    out = tmp_path / "crashed"
    cmd = [sys.executable, "-m", "amd.cli", "batch", str(lib), "--workers", "1", "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((out / "results").glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.3)  # the worker dies with its parent (PR_SET_PDEATHSIG)
    before = {f.name: f.stat().st_mtime_ns for f in (out / "results").glob("*.json")}
    assert 3 <= len(before) < len(rows(clean)), "the batch was killed mid-run"

    r = runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    after = {f.name: f.stat().st_mtime_ns for f in (out / "results").glob("*.json")}
    assert all(after[name] == mtime for name, mtime in before.items()), "a finished instance was solved again"
    assert len(after) == len(rows(clean))
    assert (out / "results.csv").read_text() == (clean / "results.csv").read_text()


def test_edited_instance_is_solved_again(tmp_path, root):
    lib = tmp_path / "lib"
    lib.mkdir()
    f = lib / "a.yaml"
    f.write_text(yaml.safe_dump(document({"name": "single_item", "bidders": 1, "values": [1, 2]})))
    out = tmp_path / "out"
    assert runner.invoke(app, ["batch", str(lib), "--out", str(out)]).exit_code == 0
    first = rows(out)[0]
    f.write_text(yaml.safe_dump(document({"name": "single_item", "bidders": 1, "values": [1, 3]})))
    assert runner.invoke(app, ["batch", str(lib), "--out", str(out), "--resume"]).exit_code == 0
    second = rows(out)[0]
    assert first["key"] != second["key"]
    assert float(first["objective"]) == 1.0 + 0 * 2  # price 1 sells always; price 2 earns 2·½ = 1
    assert float(second["objective"]) == 1.5  # price 3 earns 3·½


def test_unknown_engine_is_refused(tmp_path, root):
    r = runner.invoke(app, ["batch", str(root / "instances/auctions"), "--engine", "spark", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--engine: expected 'local' or 'dask'" in r.output


def test_dask_engine_on_a_real_cluster_matches_the_local_engine(tmp_path, root):
    """A distributed.LocalCluster with two worker processes, reached through --scheduler."""
    distributed = pytest.importorskip("distributed")
    lib = library(tmp_path, root)
    shutil.copytree(root / "instances" / "bce", lib / "bce")
    local = tmp_path / "local"
    assert runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(local), "--check"]).exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        out = tmp_path / "dask"
        r = runner.invoke(app, ["batch", str(lib), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                                "--out", str(out), "--check"])
        assert r.exit_code == 0, r.output
    assert (out / "results.csv").read_text() == (local / "results.csv").read_text()
    # resume behaves the same whichever engine ran: nothing left to do
    r = runner.invoke(app, ["batch", str(lib), "--out", str(out), "--resume", "--check"])
    assert r.exit_code == 0


def test_skip_tag(tmp_path, root):
    out = tmp_path / "out"
    r = runner.invoke(app, ["batch", str(root / "instances/bundling/manelli-vincent-midpoint30.yaml"),
                            "--skip-tag", "large", "--out", str(out)])
    assert r.exit_code == 0
    assert rows(out)[0]["status"] == "skipped"


def test_a_worker_past_the_time_limit_is_killed_and_recorded(tmp_path, root, monkeypatch):
    """The 900-type grid over deterministic mechanisms builds all 809,100 IC rows (no constraint
    generation for a MIP), several seconds: with --time-limit 0.5 and a grace of 1 s the worker
    is killed and recorded as time_limit; the batch goes on. (The default grace, 10 s, lets this
    build finish since loading skips the Pyomo compile: then the limit is met inside the worker.)"""
    from amd import batch

    monkeypatch.setattr(batch, "BUILD_GRACE", 1.0)
    lib = _big_mip_library(tmp_path, root)
    out = tmp_path / "out"
    start = time.monotonic()
    r = runner.invoke(app, ["batch", str(lib), "--workers", "2", "--time-limit", "0.5", "--out", str(out)])
    assert r.exit_code == 0, r.output
    table = {row["path"]: row for row in rows(out)}
    assert table[str(lib / "big.yaml")]["status"] == "time_limit"
    assert "killed after" in table[str(lib / "big.yaml")]["message"]
    assert table[str(lib / "small.yaml")]["status"] == "optimal"
    assert time.monotonic() - start < 60


def _big_mip_library(tmp_path, root):
    """A 900-type deterministic instance (far longer than the tests wait) beside a small one."""
    lib = tmp_path / "lib"
    lib.mkdir()
    big = yaml.safe_load((root / "instances/bundling/manelli-vincent-midpoint30.yaml").read_text())
    big["mechanism"] = {"randomized": False}
    (lib / "big.yaml").write_text(yaml.safe_dump(big))
    shutil.copy(root / "instances/auctions/myerson-1-bidder-midpoint10.yaml", lib / "small.yaml")
    return lib


def _start_batch(lib, out, *extra):
    cmd = [sys.executable, "-m", "amd", "batch", str(lib), "--workers", "2", "--out", str(out), *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads worker pids from /proc (Linux)")
def test_a_worker_killed_by_a_signal_is_recorded_and_solved_again_on_resume(tmp_path, root):
    lib, out = _big_mip_library(tmp_path, root), tmp_path / "out"
    proc = _start_batch(lib, out, "--time-limit", "1")
    _wait_for(lambda: (out / "results").is_dir() and len(_children(proc.pid)) >= 1)
    _wait_for(lambda: len(list((out / "results").glob("*.json"))) >= 1)  # the small one is done
    for worker in _children(proc.pid):  # what is left is the big one
        os.kill(worker, signal.SIGKILL)
    proc.communicate(timeout=60)
    table = {row["path"]: row for row in rows(out)}
    assert table[str(lib / "big.yaml")]["status"] == "error"
    assert "killed by signal 9" in table[str(lib / "big.yaml")]["message"]

    r = runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(out), "--resume", "--time-limit", "1"])
    assert r.exit_code == 0, r.output
    table = {row["path"]: row for row in rows(out)}
    big = table[str(lib / "big.yaml")]
    assert big["status"] == "time_limit" and "solved again after an earlier error" in big["message"]
    assert table[str(lib / "small.yaml")]["status"] == "optimal"


def test_an_unreadable_result_file_is_solved_again_and_said(tmp_path, root):
    lib = tmp_path / "lib"
    lib.mkdir()
    for f in ("myerson-1-bidder-midpoint10.yaml", "two-bidders-two-values.yaml", "one-buyer-three-values.yaml"):
        shutil.copy(root / "instances/auctions" / f, lib / f)
    out = tmp_path / "out"
    assert runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(out)]).exit_code == 0
    clean = (out / "results.csv").read_text()
    files = sorted((out / "results").glob("*.json"))
    files[0].write_text(files[0].read_text()[:40])  # truncated
    files[1].write_text("{}")  # not a result
    untouched = files[2].stat().st_mtime_ns
    r = runner.invoke(app, ["batch", str(lib), "--workers", "2", "--out", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    assert files[2].stat().st_mtime_ns == untouched
    table = rows(out)
    assert [row["status"] for row in table] == ["optimal"] * 3
    assert sum("the earlier result file was unreadable" in row["message"] for row in table) == 2
    assert [row["objective"] for row in table] == [row["objective"] for row in csv.DictReader(clean.splitlines())]


def test_two_batches_on_one_out_folder(tmp_path, root):
    """The second batch on the same --out is refused (exit 2) while the first runs; after the
    first is gone (even killed), its lock is taken over."""
    lib, out = _big_mip_library(tmp_path, root), tmp_path / "out"
    first = _start_batch(lib, out, "--time-limit", "30")
    _wait_for(lambda: (out / ".lock").exists())
    r = runner.invoke(app, ["batch", str(lib / "small.yaml"), "--out", str(out)])
    assert r.exit_code == 2 and "another amd batch" in r.output
    first.kill()
    first.communicate()
    r = runner.invoke(app, ["batch", str(lib / "small.yaml"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert not (out / ".lock").exists()


def test_a_dask_worker_killed_mid_run_loses_nothing(tmp_path, root):
    """SIGKILL one of two Dask worker processes while it solves: the scheduler hands its task to
    the other worker (the nanny restarts the dead one), and every instance gets its record."""
    distributed = pytest.importorskip("distributed")
    lib = tmp_path / "lib"
    lib.mkdir()
    for f in ("myerson-1-bidder-midpoint10.yaml", "myerson-2-bidders-midpoint10.yaml", "two-bidders-two-values.yaml"):
        shutil.copy(root / "instances/auctions" / f, lib / f)
    slow = yaml.safe_load((root / "instances/bundling/manelli-vincent-midpoint30.yaml").read_text())
    (lib / "slow.yaml").write_text(yaml.safe_dump(slow))  # the 900-type LP: seconds, not milliseconds
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            pids = client.run(os.getpid)
            batch = subprocess.Popen([sys.executable, "-m", "amd", "batch", str(lib), "--engine", "dask", "--scheduler",
                                      cluster.scheduler_address, "--out", str(out)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

            def busy() -> str | None:  # the worker now solving the slow instance
                for address, tasks in client.processing().items():
                    if tasks:
                        return address
                return None

            _wait_for(lambda: busy() is not None, 60)
            os.kill(pids[busy()], signal.SIGKILL)
            stdout, stderr = batch.communicate(timeout=300)
    assert batch.returncode == 0, stdout + stderr
    table = {Path(row["path"]).name: row for row in rows(out)}
    assert set(table) == {"myerson-1-bidder-midpoint10.yaml", "myerson-2-bidders-midpoint10.yaml",
                          "two-bidders-two-values.yaml", "slow.yaml"}
    assert all(row["status"] == "optimal" for row in table.values()), table


def test_exact_check_compares_rationals():
    """With --exact a result's proven fraction must equal the fraction the file writes: 0.4525
    written is 181/400; a long float (0.8230993924743883) is not meant exactly and is checked
    within its tolerance only."""
    from amd.batch import check

    expected = {"status": "optimal", "objective": 0.4525, "tolerance": 1e-7}
    record = {"status": "optimal", "objective": 0.4525000000000002, "objective_exact": "181/400"}
    assert check(record, expected, 0.4525) == "exact"
    assert check(record, expected, "181/400") == "exact"
    assert check(record | {"objective_exact": "4525/10001"}, expected, 0.4525) == "differs"
    assert check(record, expected, 0.45250000000000002) == "exact"  # the same float, read as written
    assert check(record, expected | {"objective": 0.8230993924743883}, 0.8230993924743883) == "differs"
    long = {"status": "optimal", "objective": 0.8230993924743881, "objective_exact": "185345505861826861/225179981368524800"}
    assert check(long, expected | {"objective": 0.8230993924743883}, 0.8230993924743883) == "ok"


def test_batch_exact_proves_the_library_fractions(tmp_path):
    files = ["instances/auctions/myerson-2-bidders-midpoint10.yaml", "instances/bundling/yao-2x2-bic.yaml",
             "instances/persuasion/prosecutor.yaml"]
    out = subprocess.run([sys.executable, "-m", "amd", "batch", *files, "--exact", "--check", "--workers", "1",
                          "--out", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 of 3 results match their expected value (3 exactly, as rationals)" in out.stdout
    rows = (tmp_path / "results.csv").read_text()
    assert "181/400" in rows and "51/16" in rows and "3/5" in rows
