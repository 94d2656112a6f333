"""Nested lists from a file as numpy arrays of a known shape; errors name the offending entry."""

from __future__ import annotations

from typing import Any

import numpy as np

from amd.errors import InstanceError, short_repr
from amd.numeric import LARGEST, to_number

PRIOR_TOLERANCE = 1e-9


def _plain_numbers(raw: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """The array at C speed when ``raw`` is a regular nesting of plain ints and floats, each finite
    and within amd.numeric.LARGEST — exactly what :func:`to_number` accepts without a string —
    else None (the careful path then reads it and names what is wrong)."""
    if not shape or not isinstance(raw, list):
        return None
    try:
        obj = np.array(raw, dtype=object)
    except ValueError:  # ragged
        return None
    if obj.shape != shape:
        return None
    flat = obj.ravel()
    if not all(type(v) is int or type(v) is float for v in flat.tolist()):
        return None  # strings (fractions), booleans, None, lists: the careful path
    try:
        arr = flat.astype(float).reshape(shape)
    except OverflowError:  # an integer beyond any float
        return None
    if not np.isfinite(arr).all() or np.abs(arr).max(initial=0.0) > LARGEST:
        return None
    return arr


def nested_array(raw: Any, shape: tuple[int, ...], axes: list[str], file: str, path: str):
    """Convert nested lists to an array of ``shape``; errors name the offending entry."""
    fast = _plain_numbers(raw, shape)
    if fast is not None:
        return fast

    def rec(node: Any, depth: int, where: str):
        if depth == len(shape):
            try:
                return to_number(node)
            except ValueError as e:
                raise InstanceError(file, where, str(e)) from None
        if not isinstance(node, list):
            raise InstanceError(
                file, where, f"expected a list with {shape[depth]} entries ({axes[depth]}), "
                f"got {type(node).__name__} {short_repr(node)}"
            )
        if len(node) != shape[depth]:
            raise InstanceError(
                file, where, f"expected {shape[depth]} entries ({axes[depth]}), got {len(node)}"
            )
        return [rec(c, depth + 1, f"{where}[{j}]") for j, c in enumerate(node)]

    return np.array(rec(raw, 0, path), dtype=float).reshape(shape)


def check_distribution(p: np.ndarray, file: str, path: str) -> None:
    """A probability distribution: no negative entry, summing to 1 (within PRIOR_TOLERANCE)."""
    if (p < 0).any():
        idx = np.argwhere(p < 0)[0]
        where = path + "".join(f"[{j}]" for j in idx)
        raise InstanceError(file, where, f"a probability must not be negative, got {p[tuple(idx)]}")
    total = float(p.sum())
    if abs(total - 1.0) > PRIOR_TOLERANCE:
        raise InstanceError(file, path, f"probabilities must sum to 1, they sum to {total:.12g}")


def check_allocation(x: np.ndarray, file: str, path: str) -> None:
    """An allocation must give a probability distribution over outcomes at every profile."""
    if (x < -1e-9).any():
        idx = np.argwhere(x < -1e-9)[0]
        raise InstanceError(file, path + "".join(f"[{j}]" for j in idx), "a probability must not be negative")
    bad = np.abs(x.sum(axis=-1) - 1) > 1e-9
    if bad.any():
        idx = np.argwhere(bad)[0]
        raise InstanceError(file, path + "".join(f"[{j}]" for j in idx),
                            f"outcome probabilities must sum to 1, they sum to {x.sum(axis=-1)[tuple(idx)]:.12g}")
