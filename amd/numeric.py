"""Numbers as instance files write them: plain numbers or exact fractions in strings.

This is the one gate every number of a file passes (SPEC §1: "probabilities may be written as
numbers or exact fractions in strings"). It refuses, with a message fit for the user, anything
that is not a finite number of sane size — before converting it, so that ``"1e999999999"`` is
not first expanded into a billion-digit integer, nor ``1e400`` turned into an overflow deep in
the solver.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from amd.errors import short_repr

#: the largest magnitude a number in a file may have: HiGHS treats matrix entries of 1e15 and
#: more as an error (its ``large_matrix_value``), and 1e20 as infinity
LARGEST = 1e15
#: the longest string read as a number, and the most digits a numerator or denominator may have
MAX_CHARS = 64
MAX_DIGITS = 30

_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_FORM = re.compile(rf"\s*(?P<num>{_DECIMAL})\s*(?:/\s*(?P<den>[+-]?\d+)\s*)?")


def parse_fraction(value: Any) -> Fraction:
    """Return ``value`` exactly, as a Fraction: ``3``, ``0.25``, ``"1/3"``, ``"1e-7"``.

    Raises ``ValueError`` naming what was wrong: booleans and None, NaN and infinities, strings
    that are not a number or a fraction, numbers beyond ±1e15, exponents or digit counts beyond
    what a double holds, a zero denominator.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number, got {short_repr(value)}")
    if isinstance(value, int):
        if abs(value) > LARGEST:
            raise ValueError(f"expected a number of magnitude at most {LARGEST:.0e}, got {short_repr(value)}")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        if abs(value) > LARGEST:
            raise ValueError(f"expected a number of magnitude at most {LARGEST:.0e}, got {value!r}")
        return Fraction(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a number, got {type(value).__name__} {short_repr(value)}")
    match = _FORM.fullmatch(value) if len(value) <= MAX_CHARS else None
    if match is None:
        raise ValueError(f"expected a number or a fraction like '1/3', got {short_repr(value)}")
    num, den = match["num"], match["den"]
    mantissa, _, exponent = num.lower().partition("e")
    digits = sum(c.isdigit() for c in mantissa)
    if digits > MAX_DIGITS or (den is not None and len(den.lstrip("+-")) > MAX_DIGITS):
        raise ValueError(f"expected at most {MAX_DIGITS} digits, got {short_repr(value)}")
    if exponent and abs(int(exponent)) > 300:
        raise ValueError(f"expected an exponent between -300 and 300, got {short_repr(value)}")
    if den is not None and int(den) == 0:
        raise ValueError(f"a fraction's denominator must not be 0, got {short_repr(value)}")
    q = Fraction(num) / (int(den) if den is not None else 1)
    if abs(q) > LARGEST:
        raise ValueError(f"expected a number of magnitude at most {LARGEST:.0e}, got {short_repr(value)}")
    return q


def to_number(value: Any) -> float:
    """Return ``value`` as a finite float (see :func:`parse_fraction` for what is accepted)."""
    return float(parse_fraction(value))
