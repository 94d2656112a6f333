"""A fixed, seeded sample of mutated instances through the installed ``amd solve --json``.

Every mutant must be answered (exit 0 with one JSON document, exit 2 with one error line, exit
3 only with a solver status): no traceback, no internal error, no hang, no memory blow-up. The
full run (2,000+ mutants, counts per class) is ``python benchmarks/fuzz.py``.
"""

from __future__ import annotations

import os

from mutations import mutants
from run import run_all

SEED = 20261206
COUNT = int(os.environ.get("AMD_FUZZ_COUNT", "240"))


def test_mutated_instances_are_answered(tmp_path):
    results = run_all(mutants(SEED, COUNT), tmp_path, timeout=60)
    failures = [f"{m.klass:<9} {m.name}: {why}" for m, _, why in results if why]
    assert not failures, f"{len(failures)} of {len(results)} mutants failed:\n" + "\n".join(failures[:40])
