"""Every bundled instance is valid, and each one with a known optimum reaches it.

The ``expected`` values in instances/ come from the theory cited in each file's ``source``
(SPEC §4), never from amd's own output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import amd

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "instances").rglob("*.yaml")) + sorted((ROOT / "instances").rglob("*.json"))


def test_library_is_not_empty():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT / "instances")))
def test_instance_reaches_expected(path):
    inst = amd.load(path)
    assert inst.description and inst.source, "every instance carries a description and a source"
    if inst.expected is None:
        pytest.skip("no known optimum")
    if "large" in inst.tags:
        pytest.skip("tagged large: run it with `amd batch` (benchmarks)")
    r = amd.solve(inst)
    assert r.status == inst.expected.status, r.message
    if inst.expected.objective is not None:
        assert r.objective == pytest.approx(inst.expected.objective, abs=inst.expected.tolerance)
