"""Numbers as instance files write them: plain numbers or exact fractions in strings."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any


def to_number(value: Any) -> float:
    """Return ``value`` as a finite float; accept ``3``, ``0.25``, ``"1/3"``, ``"1e-7"``.

    Raises ``ValueError`` with a message fit for the user otherwise (booleans, NaN and
    infinities included: a probability or a value must be a finite number).
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise ValueError(
                f"expected a number or a fraction like '1/3', got {value!r}"
            ) from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(x):
        raise ValueError(f"expected a finite number, got {value!r}")
    return x
