"""How large an instance amd builds: sizes computed from the file alone, refused before anything
is allocated.

A family with ``bidders: 1000000`` or ``values: {midpoint: 100000000}`` is a few bytes of YAML
and terabytes of tables. Every family and every formulation states the size of what it would
build — entries of the expanded document, of the utility tables the verifier needs, columns
and rows of the model — and :func:`check` refuses anything beyond the budget with the file,
the key, the size and the limit (exit 2), before the first array exists.

The budget is a count of numbers held at once, by default one per 64 bytes of a quarter of
the machine's memory (about 10⁸ on 24 GiB), and never below 10⁷; an entry of a Python document
or of a Pyomo model counts as 16 (:data:`PYTHON_OBJECT`). ``amd --max-size N`` or the
environment variable ``AMD_MAX_SIZE`` sets it.
"""

from __future__ import annotations

import math
import os

from amd.errors import InstanceError

FLOOR = 10**7
_override: int | None = None


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def max_size() -> int:
    """The budget in numbers held at once (see the module docstring)."""
    if _override is not None:
        return _override
    env = os.environ.get("AMD_MAX_SIZE")
    if env:
        try:
            return int(float(env))
        except ValueError:
            raise InstanceError("AMD_MAX_SIZE", None, f"expected a whole number, got {env[:40]!r}") from None
    return max(FLOOR, _memory_bytes() // 4 // 64)


def set_max_size(n: int | float | None) -> None:
    """Set the budget for this process and the workers it starts (None: back to the default)."""
    global _override
    if n is not None and not (isinstance(n, (int, float)) and math.isfinite(n) and n >= 1):
        raise InstanceError("--max-size", None, f"expected a number >= 1, got {n!r}")
    _override = None if n is None else int(n)
    if n is None:
        os.environ.pop("AMD_MAX_SIZE", None)
    else:
        os.environ["AMD_MAX_SIZE"] = str(int(n))


def count(n: int | float) -> str:
    """A count for people: 1234, or 1.23e+20 — also for integers too large for a float."""
    if n < 10**7:
        return str(int(n))
    if n < 1e300:
        return f"{float(n):.3g}"
    return f"about 1e+{int(math.log10(n))}"


#: what one entry weighs in plain numbers: a number inside a Python document (a list entry
#: and its object), or a column or row term of a Pyomo model
PYTHON_OBJECT = 16


def check(size: int | float, file: str, key: str | None, what: str, weight: int = 1) -> None:
    """Refuse ``size`` entries of ``what``, each as heavy as ``weight`` plain numbers, beyond the
    budget, naming the file and key."""
    limit = max_size() // weight
    if size > limit:
        raise InstanceError(file, key, f"{what} would hold {count(size)} numbers, more than the limit of "
                                       f"{count(limit)} (raise it with amd --max-size N)")
