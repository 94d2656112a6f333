"""Writing files so that a reader (or a resumed batch) never sees half of one."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from amd.errors import InstanceError


def write_atomic(path: str | Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a result is as readable as any file
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps(payload, indent: int | None = None) -> str:
    """Strict JSON (RFC 8259) of a result: numpy scalars and arrays as plain numbers and lists,
    and a non-finite number — which JSON cannot hold — as null."""
    try:
        return json.dumps(payload, indent=indent, default=_plain, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(payload), indent=indent, default=_plain, allow_nan=False)


def _plain(value):
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _finite(value.tolist())
    raise TypeError(f"{type(value).__name__} is not JSON")


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: str | Path, payload: dict, indent: int | None = None) -> None:
    write_atomic(path, dumps(payload, indent) + "\n")


def read_text(path: Path, limit: int, file: str, key: str | None) -> str:
    """The UTF-8 text of the regular file ``path`` of at most ``limit`` bytes; anything else (no
    such file, a folder, a device such as /dev/zero, a pipe that never ends) is an
    :class:`InstanceError` naming ``file`` and ``key``."""
    name = "" if str(path) == file else f"{path}: "
    try:
        if not path.exists():
            raise InstanceError(file, key, f"{name}no such file")
        if path.is_dir():
            raise InstanceError(file, key, f"{name}is a directory, expected a file")
        if not path.is_file():
            raise InstanceError(file, key, f"{name}is not a regular file (a device or a pipe?)")
        with path.open("rb") as f:
            raw = f.read(limit + 1)
        if len(raw) > limit:
            raise InstanceError(file, key, f"{name}is larger than {limit // 2**20} MiB")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise InstanceError(file, key, f"{name}cannot read: {getattr(e, 'strerror', None) or e}") from None


def output_path(path: str | Path, key: str, protect: tuple[str | Path, ...] = ()) -> Path:
    """Check a file the user asked amd to write (``--out``): not a folder, not a symbolic link
    (amd never writes through one onto another file) and none of the ``protect``ed files (the
    instance being solved). An existing regular file is replaced — that is what --out asks."""
    p = Path(path)
    if p.is_symlink():
        raise InstanceError(key, None, f"{p} is a symbolic link; amd does not write through links")
    if p.is_dir():
        raise InstanceError(key, None, f"{p} is a directory; give the name of a file to write")
    for other in protect:
        if p.exists() and Path(other).exists() and p.resolve() == Path(other).resolve():
            raise InstanceError(key, None, f"{p} is the instance file itself; write the result elsewhere")
    return p
