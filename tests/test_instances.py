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


def test_json_schema_describes_every_shipped_file():
    """`amd schema` is what editors validate against: it must accept every file we ship
    (fractions in strings included) and still reject an unknown key."""
    jsonschema = pytest.importorskip("jsonschema")
    from amd.io.read import read_document

    validator = jsonschema.Draft202012Validator(amd.io.schema.json_schema())
    for path in FILES:
        errors = [e.message for e in validator.iter_errors(read_document(path))]
        assert not errors, f"{path}: {errors[0][:300]}"
    doc = read_document(FILES[0]) | {"colour": "red"}
    assert not validator.is_valid(doc)
