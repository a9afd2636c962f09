"""A sweep's results as tables: :func:`kpi_table` (one row per cell and KPI) and
:func:`cell_table` (one row per cell), written by :func:`write_tables`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from netopt._atomic import atomic_path

__all__ = ["CELL_COLUMNS", "KPI_COLUMNS", "cell_table", "kpi_table", "write_tables"]

#: The first columns of :func:`kpi_table`; then one column per changed key, ``kpi``, ``value``.
KPI_COLUMNS: tuple[str, ...] = ("sweep", "cell", "name", "variation", "label")
#: The columns of :func:`cell_table` after :data:`KPI_COLUMNS` and the changed keys.
CELL_COLUMNS: tuple[str, ...] = ("status", "seconds", "error")


def _value(value: Any) -> Any:
    """A changed value as a table cell: numbers and text as they are, the rest as JSON."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float, str)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _keys(records: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for r in records for k in r.get("changes", {})))


def _front(sweep: str, record: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    row = {"sweep": sweep, "cell": record["cell"], "name": record["name"],
           "variation": record.get("variation", ""), "label": record.get("label", "")}  # fmt: skip
    changes = record.get("changes", {})
    row.update({k: _value(changes.get(k)) if k in changes else None for k in keys})
    return row


def _as_text(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Changed-key columns mixing numbers and text become text (Parquet needs one type)."""
    for k in keys:
        kinds = {type(v) for v in frame[k] if v is not None}
        if len(kinds) > 1 or (kinds and not kinds <= {int, float, str}):
            frame[k] = [None if v is None else str(v) for v in frame[k]]
    return frame


def kpi_table(sweep: str, records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per finished cell and KPI.

    Parameters
    ----------
    sweep : str
        The sweep's name.
    records : sequence of dict
        The cells' records (:func:`~netopt.scenario.sweeps.engine.run_cells`).

    Returns
    -------
    pandas.DataFrame
        :data:`KPI_COLUMNS`, the changed keys, ``kpi`` and ``value`` (NaN where a KPI has
        no value, e.g. a balance without a budget).
    """
    keys = _keys(records)
    rows = []
    for record in records:
        front = _front(sweep, record, keys)
        for kpi, value in record.get("kpis", {}).items():
            v = float(value) if value is not None else math.nan
            rows.append({**front, "kpi": kpi, "value": v})
    columns = [*KPI_COLUMNS, *keys, "kpi", "value"]
    return _as_text(pd.DataFrame(rows, columns=columns), keys)


def cell_table(sweep: str, records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per cell: what it changed, its status, seconds and error.

    Parameters
    ----------
    sweep : str
    records : sequence of dict

    Returns
    -------
    pandas.DataFrame
    """
    keys = _keys(records)
    rows = [
        {**_front(sweep, r, keys), "status": r.get("status", ""),
         "seconds": float(r.get("seconds", math.nan)), "error": r.get("error", "")}
        for r in records
    ]  # fmt: skip
    return _as_text(pd.DataFrame(rows, columns=[*KPI_COLUMNS, *keys, *CELL_COLUMNS]), keys)


def write_tables(folder: str | Path, sweep: str, records: Sequence[dict[str, Any]]) -> list[Path]:
    """Write ``sweep.csv``, ``sweep.parquet`` (:func:`kpi_table`) and ``cells.csv``, each
    atomically.

    Parameters
    ----------
    folder : str or pathlib.Path
    sweep : str
    records : sequence of dict

    Returns
    -------
    list of pathlib.Path
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table, cells = kpi_table(sweep, records), cell_table(sweep, records)
    written = []
    for name, frame, kind in (("sweep.csv", table, "csv"), ("sweep.parquet", table, "parquet"),
                              ("cells.csv", cells, "csv")):  # fmt: skip
        path = folder / name
        with atomic_path(path) as tmp:
            if kind == "csv":
                frame.to_csv(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)
        written.append(path)
    return written
