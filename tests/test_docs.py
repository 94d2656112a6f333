"""The examples in docstrings run (doctest), against the installed package; and the wheel's
package list names every package of the source tree (a missing one installs a broken amd)."""

from __future__ import annotations

import doctest
import importlib
import os
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


DOC_PAGES = sorted((Path(__file__).resolve().parents[1] / "docs" / "pages").rglob("*.md"))


@pytest.mark.parametrize("page", [p for p in DOC_PAGES if "```python" in p.read_text()], ids=lambda p: p.stem)
def test_documentation_examples_run(page):
    """Every ```python block of the documentation site's pages runs (worked examples assert the
    theory values they show), in a fresh interpreter from the repository root."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    out = subprocess.run([sys.executable, "-c", "\n\n".join(blocks)], cwd=root, capture_output=True, text=True,
                         env=os.environ | {"MPLBACKEND": "Agg"}, timeout=300)
    assert out.returncode == 0, f"{page.name}: {out.stderr[-2000:]}"
