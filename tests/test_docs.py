"""The examples in docstrings run (doctest), against the installed package; and the wheel's
package list names every package of the source tree (a missing one installs a broken amd)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

import amd

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted({m.name for m in pkgutil.walk_packages(amd.__path__, "amd.")} | {"amd"})


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples name instance files relative to the repository
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"


def test_the_wheel_lists_every_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {"amd." + ".".join(p.parent.relative_to(ROOT / "amd").parts) if p.parent != ROOT / "amd" else "amd"
               for p in (ROOT / "amd").rglob("__init__.py")} | {"amd.models"}
    assert on_disk <= listed, f"not in pyproject.toml's packages: {sorted(on_disk - listed)}"
