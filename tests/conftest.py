"""Shared helpers: instances written as the dicts a file would hold (SPEC §1.1)."""

from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings

import amd

# CI draws the same examples every run (derandomize), so that a red run can be reproduced by hand
# with `HYPOTHESIS_PROFILE=ci pytest`; elsewhere hypothesis explores freely.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))

ROOT = Path(__file__).resolve().parents[1]


def document(family=None, *, ic="dsic", ir="expost", budget="none", maximize="revenue", minimize=None,
             randomized=True, payments=True, payment_bounds=None, **explicit) -> dict:
    """An amd/1 mechanism document from a family (or explicit tables in ``explicit``)."""
    doc = {"format": "amd/1", "kind": "mechanism", "name": "test"}
    if family is not None:
        doc["family"] = family
    doc.update(explicit)
    doc["mechanism"] = {"randomized": randomized, "payments": payments}
    if payment_bounds is not None:
        doc["mechanism"]["payment_bounds"] = payment_bounds
    doc["constraints"] = {"ic": ic, "ir": ir, "budget": budget}
    doc["objective"] = {"minimize": minimize} if minimize is not None else {"maximize": maximize}
    return doc


def instance(family=None, **kw) -> amd.Instance:
    return amd.parse(document(family, **kw))


@pytest.fixture
def root() -> Path:
    return ROOT
