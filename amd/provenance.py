"""What a result was computed with (SPEC §3): the versions of amd and of what it stands on."""

from __future__ import annotations

import platform
from functools import cache
from importlib import metadata

from amd import __version__


@cache
def versions() -> dict[str, str]:
    """``{"amd", "highs", "pyomo", "numpy", "python"}`` — read from the installed packages'
    metadata, so that asking costs no import (HiGHS's version is highspy's)."""

    def of(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "unknown"

    return {"amd": __version__, "highs": of("highspy"), "pyomo": of("pyomo"), "numpy": of("numpy"),
            "python": platform.python_version()}
