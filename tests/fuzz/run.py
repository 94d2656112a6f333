"""Run mutants through the installed ``amd solve --json`` and sort the outcomes.

A mutant passes when the program answers as SPEC §2 promises: exit 0 with one JSON document
on stdout; exit 2 with one line on stderr naming the file, and nothing on stdout; exit 3 only
with a JSON result carrying a solver status. Everything else — another exit code, a traceback,
an "internal error", a signal, a hang past the time limit, a MemoryError past the memory
limit — is a failure, recorded with the mutant that caused it.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mutations import ROOT, Mutant

MEMORY = 4 * 2**30


def _limit_memory():  # in the child, before amd starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def amd_command() -> list[str]:
    script = Path(sys.executable).with_name("amd")
    found = str(script) if script.exists() else shutil.which("amd")
    if not found:
        raise RuntimeError("the amd console script is not installed (pip install '.[test]')")
    return [found]


def judge(proc: subprocess.CompletedProcess) -> str:
    """'' when the run kept SPEC §2's promises, else what went wrong."""
    err = proc.stderr
    if "Traceback" in err or "internal error" in err or "MemoryError" in err:
        return "internal error: " + (err.strip().splitlines() or [""])[-1][:200]
    if proc.returncode < 0:
        return f"killed by signal {-proc.returncode}"
    if proc.returncode == 2:
        lines = err.strip().splitlines()
        if proc.stdout or len(lines) != 1 or not lines[0].startswith("amd: error: "):
            return f"exit 2 without one error line: {err[:200]!r}"
        return ""
    if proc.returncode in (0, 3):
        try:
            result = json.loads(proc.stdout)
        except json.JSONDecodeError:
            return f"exit {proc.returncode} and stdout is not one JSON document: {proc.stdout[:100]!r}"
        if proc.returncode == 3 and result.get("status") not in ("time_limit", "error"):
            return f"exit 3 with status {result.get('status')!r}"
        return ""
    return f"exit {proc.returncode}: {err[-200:]!r}"


def run_one(mutant: Mutant, folder: Path, j: int, timeout: float) -> tuple[Mutant, str, str]:
    """(mutant, outcome 'exit N', failure or '')."""
    path = folder / f"m{j:05d}{mutant.suffix}"
    path.write_text(mutant.text, encoding="utf-8", errors="surrogateescape")
    try:
        proc = subprocess.run(amd_command() + ["solve", str(path), "--json", "--time-limit", str(timeout / 2)],
                              cwd=folder, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit_memory, stdin=subprocess.DEVNULL, errors="replace")
    except subprocess.TimeoutExpired:
        return mutant, "hang", f"no answer in {timeout:g} s"
    return mutant, f"exit {proc.returncode}", judge(proc)


def run_all(mutants: list[Mutant], folder: Path, timeout: float = 60, workers: int = 2, progress=None):
    """Run every mutant (``workers`` at a time); returns [(mutant, outcome, failure)]."""
    for efg in (ROOT / "instances").rglob("*.efg"):
        shutil.copy(efg, folder)
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(run_one, m, folder, j, timeout) for j, m in enumerate(mutants)]
        results = []
        for f in futures:
            results.append(f.result())
            if progress:
                progress(len(results), len(mutants))
    return results
