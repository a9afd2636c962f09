"""Small number helpers shared by the layers (no netopt imports)."""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["finite_or_none", "is_number"]


def finite_or_none(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None (not a number, NaN or infinite).

    Parameters
    ----------
    value : object

    Returns
    -------
    float or None

    Examples
    --------
    >>> finite_or_none("2.5"), finite_or_none(float("nan")), finite_or_none(None)
    (2.5, None, None)
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def is_number(value: Any) -> bool:
    """True for an int or float (numpy's included), not a bool.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool

    Examples
    --------
    >>> is_number(2), is_number(2.5), is_number(True), is_number("2")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
