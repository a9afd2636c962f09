"""Small number helpers shared by the layers (no netopt imports)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_or_none"]


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
