"""The one exception type for bad input.

Every message names the file, the key path inside it (``agents[1].types``) and what was
expected, so the command line can print it as one line and exit with status 2.
"""

from __future__ import annotations

import math
import reprlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class InstanceError(ValueError):
    """Bad input: ``file: key.path: what was expected`` (the command line prints it and exits 2).

    Attributes
    ----------
    file : str
        The file (or option, e.g. ``--method``) at fault.
    path : str
        The key inside it, dotted (``values.b1.private[0]``), or empty.
    message : str
        What was expected.
    all : list of InstanceError
        Every problem found at once (schema validation reports them together), this one first.

    Examples
    --------
    >>> import amd
    >>> try:
    ...     amd.solve("instances/auctions/two-bidders-two-values.yaml", method="fastest")
    ... except amd.InstanceError as e:
    ...     print(e.file, "|", e.message)
    --method | expected one of choose, simplex, ipm, pdlp, got 'fastest'
    """

    def __init__(self, file: str | None, path: str | None, message: str):
        self.file = file or "<input>"
        self.path = path or ""
        self.message = message
        #: every problem found at once (pydantic reports them together), this one first
        self.all: list[InstanceError] = [self]
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{printable(self.file, 200)}: {printable(self.path, 200)}" if self.path else printable(self.file, 200)
        return f"{where}: {printable(self.message, 600)}"


def printable(text: str, limit: int) -> str:
    """``text`` fit for one line of a terminal: control characters (newlines, ANSI escapes)
    written as escapes, and cut to ``limit`` characters — names in messages come from files."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def key_path(loc: tuple | list) -> str:
    """Render a location tuple as ``agents[1].types``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = 6
_REPR.maxdict = 4
_REPR.maxlevel = 3


def short_repr(value) -> str:
    """``repr(value)`` cut to a size fit for a message, without building the whole repr first
    (a value echoed from a file may be a huge list or a 5,000-digit integer)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return _REPR.repr(value)


def pydantic_error(err: ValidationError, file: str, prefix: tuple = ()) -> InstanceError:
    """Turn pydantic's errors into our one-line messages: the first is raised, and all of them
    (the first included) ride along in ``.all`` for ``amd validate``."""
    errors = err.errors(include_url=False)
    # an unknown key is the cause of a "missing" one more often than not: report it first
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    every = [_one_pydantic_error(e, file, prefix) for e in errors[:50]]
    first = every[0]
    if len(errors) > 1:
        first = InstanceError(file, first.path, first.message + f" (and {len(errors) - 1} more "
                              f"problem{'s' if len(errors) > 2 else ''}: amd validate lists them)")
    first.all = every
    return first


def _one_pydantic_error(e: dict, file: str, prefix: tuple) -> InstanceError:
    loc = prefix + tuple(e["loc"])
    error_type = e["type"]
    if error_type == "extra_forbidden":
        msg = "unknown key"
    elif error_type == "missing":
        msg = "required key is missing"
    elif error_type == "literal_error":
        msg = f"expected {e['ctx']['expected']}, got {short_repr(e['input'])}"
    else:
        msg = e["msg"].removeprefix("Value error, ")
        if error_type not in ("value_error",) and "input" in e and not isinstance(e["input"], dict):
            msg += f", got {short_repr(e['input'])}"
    return InstanceError(file, key_path(loc), msg)
