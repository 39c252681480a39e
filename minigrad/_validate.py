"""The one set of argument validators: each names the argument and what was wrong."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

__all__ = ["positive_int", "integer", "number"]


def positive_int(value: Any, what: str) -> int:
    """Return ``value`` as an int if it is an integer > 0 (not a bool), else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def integer(value: Any, what: str, low: int = 0) -> int:
    """Return ``value`` (anything ``operator.index`` takes, not a bool) as an int ``>= low``.

    Raises TypeError for a non-integer (bools and floats included) and ValueError below
    ``low``.
    """
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, got bool")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {type(value).__name__}") from None
    if n < low:
        raise ValueError(f"{what} must be >= {low}, got {n}")
    return n


def number(value: Any, what: str, low: float = 0.0, high: float = np.inf,
           low_open: bool = False) -> float:
    """Return ``value`` as a finite float in ``[low, high]`` (``(low, high]`` if ``low_open``).

    Raises TypeError for a non-number (bools included) and ValueError outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v) or v < low or (low_open and v == low) or v > high:
        raise ValueError(f"{what} must be {'>' if low_open else '>='} {low}"
                         f"{'' if high == np.inf else f' and <= {high}'}, got {value}")
    return v
