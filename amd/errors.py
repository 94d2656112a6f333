"""The one exception type for bad input.

Every message names the file, the key path inside it (``agents[1].types``) and what was
expected, so the command line can print it as one line and exit with status 2.
"""

from __future__ import annotations


class InstanceError(ValueError):
    """Bad input: ``file: key.path: what was expected``."""

    def __init__(self, file: str | None, path: str | None, message: str):
        self.file = file or "<input>"
        self.path = path or ""
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


def key_path(loc: tuple | list) -> str:
    """Render a location tuple as ``agents[1].types``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
