"""The precision of a run's CSV tables: minutes to 0.1, people and loads to 0.1, shares to 4
decimals (:func:`rounded`).

``assignments.csv`` is the exception: it is written at full precision, because every KPI
of ``kpis.json`` is recomputed from it exactly (a time rounded to 0.1 min could cross a 30
or 60 minute threshold and change a share).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["SHARE_COLUMNS", "rounded"]

#: Columns that hold a share or a ratio (rounded to 4 decimals).
SHARE_COLUMNS: frozenset[str] = frozenset({"utilisation", "capacity_served", "share"})


def _decimals(column: str) -> int:
    """Decimals a float column keeps: 4 for shares, 1 for minutes, people, loads and beds."""
    if column in SHARE_COLUMNS or column.endswith("_share"):
        return 4
    return 1


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with its float columns rounded for a CSV file.

    Shares (:data:`SHARE_COLUMNS`, ``*_share``) keep 4 decimals; every other float column
    (minutes ``*_min``, population, referral loads and capacities, beds, patient-hours)
    keeps 1. Integers, text and flags are unchanged; NaN stays NaN.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(_decimals(str(col)))
    return out
