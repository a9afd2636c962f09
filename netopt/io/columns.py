"""Typed columns: turn the text of a layer's file into the dtypes of :data:`~netopt.region.SCHEMA`.

Numbers, booleans (``yes``/``no``, ``true``/``false``, ``1``/``0``, ``是``/``否``), lists
(``a;b;c``), weekdays (``Mon``..``Sun``, ``0``..``6``, ``一``..``日``), clock times
(``HH:MM``, via :mod:`netopt._clock`), tier labels (via ``[facilities.tiers]``) and
administrative codes (the facilities' ``area``: text, so ``"330225"`` keeps its digits; a
spreadsheet's ``330225.0`` becomes ``"330225"``; see :func:`area_code`). Every
value that cannot be read becomes a :class:`~netopt._errors.Problem`; blank cells take the
layer's defaults (:data:`netopt.io.config.DEFAULTS`, overridden by ``[layer.defaults]``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from netopt import _osm
from netopt._clock import is_clock
from netopt._errors import Problem
from netopt.io.config import DEFAULTS
from netopt.region import LEAD_TIERS, SCHEMA, TIERS

__all__ = [
    "LIST_COLUMNS",
    "WEEKDAYS",
    "area_code",
    "conform",
    "empty_layer",
    "numbers",
    "records",
    "typed",
]

#: Weekday names accepted in ``weekdays`` (0 = Monday).
WEEKDAYS: dict[str, int] = {
    **{d: i for i, d in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
    **{
        d: i
        for i, d in enumerate(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        )
    },
    **{d: i for i, d in enumerate(["一", "二", "三", "四", "五", "六", "日"])},
}

#: Columns holding tuples, written as ``;``-separated text in files.
LIST_COLUMNS = {"specialties", "capabilities", "departures_ab", "departures_ba", "weekdays"}
_TRUE = {"true", "yes", "y", "1", "t", "是"}
_FALSE = {"false", "no", "n", "0", "f", "否", ""}
_WHOLE_NUMBER = re.compile(r"(\d+)\.0*")


def typed(
    frame: pd.DataFrame, layer: str, fname: str, spec: Mapping[str, Any], problems: list[Problem]
) -> pd.DataFrame:
    """Fill defaults and convert every schema column to its dtype, collecting problems.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        One layer with our column names, indexed by id (geometry in EPSG:4326).
    layer : str
        The layer, a key of :data:`~netopt.region.SCHEMA`.
    fname : str
        Its file name, for the problems.
    spec : mapping
        Its table in region.toml (``defaults``, ``tiers``).
    problems : list of Problem
        Appended to.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Exactly the schema columns, in schema order and dtypes (and the geometry).
    """
    defaults = {**DEFAULTS[layer], **spec.get("defaults", {})}
    out = pd.DataFrame(index=frame.index)
    recs = frame.index.to_numpy(dtype=object)
    for col, dtype in SCHEMA[layer].items():
        default = defaults.get(col)
        raw = (
            frame[col] if col in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        )
        raw = raw.astype("object").where(raw.notna(), None)
        blank = raw.map(lambda v: v is None or (isinstance(v, str) and not v.strip()))
        ctx = (fname, recs, col, problems)
        if col in LIST_COLUMNS:
            values = raw.map(_split)
            if col == "weekdays":
                values = _weekdays(values, *ctx)
            elif col.startswith("departures"):
                _check_clock(values, *ctx)
            fill = tuple(default) if default is not None else ()
            values = values.where(~blank, pd.Series([fill] * len(raw), index=raw.index))
        elif dtype == "float64":
            if layer == "roads" and col == "maxspeed_kmh":  # OSM-style tags: "50 mph" etc.
                values = _osm.parse_maxspeed(raw)
            else:
                values = numbers(pd.DataFrame({col: raw, "id": recs}), col, fname, problems)
            values = values.where(~blank, default if default is not None else math.nan)
        elif dtype == "int64":
            num = numbers(pd.DataFrame({col: raw, "id": recs}), col, fname, problems)
            num = num.where(~blank, default)
            values = num.fillna(0).round().astype("int64")
        elif dtype == "bool":
            values = _booleans(raw, layer, col, *ctx).where(~blank, default)
        else:
            values = raw.map(lambda v: str(v).strip() if v is not None else None)
            if col in ("service_start", "service_end"):
                _check_clock(values.map(lambda v: (v,) if v else ()), *ctx)
            elif col == "area":
                values = values.map(area_code)
            values = values.where(~blank, default)
        out[col] = values.astype("object") if dtype in ("object", "bool") else values
    out = _fill_defaults(out, layer, fname, spec)
    out = out.astype({c: t for c, t in SCHEMA[layer].items() if t != "object"})
    if isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")
    return out


def area_code(value: Any) -> str | None:
    """Return an administrative code as text: ``330225.0`` -> ``"330225"``; blank -> None.

    Codes are identifiers, not numbers: they stay text (a leading zero is kept). A number
    written by a spreadsheet loses its ``.0``. Anything else is returned stripped, for
    :func:`netopt.validate.find_problems` to report when it is not all digits.

    Parameters
    ----------
    value : object
        A cell of the ``area`` column.

    Returns
    -------
    str or None

    Examples
    --------
    >>> area_code(330225.0), area_code(" 330225 "), area_code("")
    ('330225', '330225', None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    whole = _WHOLE_NUMBER.fullmatch(text)
    return whole.group(1) if whole else (text or None)


def numbers(frame: pd.DataFrame, col: str, fname: str, problems: list[Problem]) -> pd.Series:
    """Parse a column as float; text that is not a number is a problem (blank is NaN).

    Parameters
    ----------
    frame : pandas.DataFrame
        Holds ``col`` (and ``id``, to name records in problems).
    col : str
        The column.
    fname : str
        The file name, for the problems.
    problems : list of Problem
        Appended to.

    Returns
    -------
    pandas.Series of float64
    """
    raw = frame[col]
    text = raw.astype("object").where(raw.notna(), None)
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    infinite = np.isinf(values.to_numpy())
    bad = values.isna() & text.notna() & (text.astype(str).str.strip() != "")
    for rec, val in zip(records(frame)[bad.to_numpy()], text[bad], strict=True):
        problems.append(
            Problem(
                fname,
                rec,
                col,
                f"'{val}' is not a number",
                "write a plain number (decimal point '.', no units)",
            )
        )
    for rec, val in zip(records(frame)[infinite], text[infinite], strict=True):
        problems.append(
            Problem(
                fname,
                rec,
                col,
                f"'{val}' is not a finite number",
                "write a plain finite number (not inf, and within about ±1e308)",
            )
        )
    return values.where(~infinite, math.nan)


def records(frame: pd.DataFrame) -> np.ndarray:
    """Return a label per row: ``id`` when known, else ``row n`` (1-based data rows).

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    numpy.ndarray of str
    """
    if "id" in frame.columns:
        ids = frame["id"].astype("object")
        rows = [f"row {i + 1}" for i in range(len(frame))]
        return np.array(
            [f"{v}" if isinstance(v, str) and v else r for v, r in zip(ids, rows, strict=True)]
        )
    return np.array([f"row {i + 1}" for i in range(len(frame))], dtype=object)


def conform(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Cast a frame that already has the schema columns to the schema dtypes.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        In EPSG:4326, with every column of ``SCHEMA[layer]`` (e.g. from the OSM reader).
    layer : str
        A key of :data:`~netopt.region.SCHEMA`.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    cols = list(SCHEMA[layer])
    out = frame[cols].copy()
    for col, dtype in SCHEMA[layer].items():
        if dtype == "object":
            out[col] = _none_for_nan(out[col])
        else:
            out[col] = out[col].astype(dtype)
    out.index = pd.Index(out.index.to_numpy(dtype=object), dtype=object, name="id")
    return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")


def empty_layer(layer: str) -> gpd.GeoDataFrame | pd.DataFrame:
    """Return an empty frame with the columns and dtypes of ``layer`` (see ``SCHEMA``).

    Parameters
    ----------
    layer : str
        A key of :data:`netopt.region.SCHEMA`.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        A DataFrame for ``experts``, a GeoDataFrame in EPSG:4326 otherwise.
    """
    data = {c: pd.Series(dtype=t) for c, t in SCHEMA[layer].items()}
    index = pd.Index([], dtype=object, name="id")
    if layer == "experts":
        return pd.DataFrame(data, index=index)
    return gpd.GeoDataFrame(data, index=index, geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def _fill_defaults(
    out: pd.DataFrame, layer: str, fname: str, spec: Mapping[str, Any]
) -> pd.DataFrame:
    """Apply computed defaults and the tier mapping."""
    ids = pd.Series(out.index.to_numpy(dtype=object), index=out.index)
    if "name" in out.columns:
        out["name"] = out["name"].where(out["name"].notna(), ids).astype(object)
    if "source" in out.columns:
        out["source"] = out["source"].where(out["source"].notna(), fname).astype(object)
    if layer == "facilities":
        out["tier"] = _map_tiers(out["tier"], spec.get("tiers", {}))
        lead = out["tier"].isin(LEAD_TIERS)
        out["can_lead"] = out["can_lead"].where(out["can_lead"].notna(), lead).astype(bool)
    for col, dtype in SCHEMA[layer].items():
        if dtype == "bool":
            out[col] = out[col].fillna(False).astype(bool)
        elif dtype == "object":
            out[col] = _none_for_nan(out[col])
    return out


def _none_for_nan(series: pd.Series) -> pd.Series:
    """Return an object column with None (not NaN) for missing values."""
    values = series.to_numpy(dtype=object, na_value=None).copy()
    mask = np.array(
        [v is not None and not isinstance(v, tuple) and pd.isna(v) for v in values], dtype=bool
    )
    values[mask] = None
    return pd.Series(values, index=series.index, dtype=object)


def _map_tiers(labels: pd.Series, tiers: Mapping[str, str]) -> pd.Series:
    """Map user tier labels to ours; our own labels (any case) always pass; others stay."""
    exact = {str(k): str(v) for k, v in tiers.items()}
    folded = {str(k).strip().lower(): str(v) for k, v in tiers.items()}
    ours = {t: t for t in TIERS}

    def one(label: Any) -> Any:
        if label is None:
            return None
        text = str(label).strip()
        return exact.get(text) or folded.get(text.lower()) or ours.get(text.lower(), text)

    return labels.map(one).astype(object)


def _split(value: Any) -> tuple[str, ...]:
    """Split ``"a;b; c"`` into ``("a", "b", "c")``; tuples/lists pass through."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(str(v).strip() for v in value)
    return tuple(p.strip() for p in str(value).split(";") if p.strip())


def _weekdays(
    values: pd.Series, fname: str, recs: np.ndarray, col: str, problems: list[Problem]
) -> pd.Series:
    """Turn weekday names or numbers into ints 0..6, reporting unknown entries."""
    out = []
    for rec, days in zip(recs, values, strict=True):
        parsed = []
        for d in days:
            key = d.lower()
            num = int(key) if key.isdigit() else WEEKDAYS.get(key, WEEKDAYS.get(key[:3], -1))
            if not 0 <= num <= 6:
                problems.append(
                    Problem(
                        fname,
                        str(rec),
                        col,
                        f"'{d}' is not a weekday",
                        "use Mon..Sun or 0..6 (0 = Monday), separated by ';'",
                    )
                )
            else:
                parsed.append(num)
        out.append(tuple(sorted(set(parsed))))
    return pd.Series(out, index=values.index, dtype=object)


def _check_clock(
    values: pd.Series, fname: str, recs: np.ndarray, col: str, problems: list[Problem]
) -> None:
    """Report clock times that are not ``HH:MM`` in 00:00..24:00."""
    for rec, times in zip(recs, values, strict=True):
        for t in times:
            if not is_clock(t):
                problems.append(
                    Problem(
                        fname,
                        str(rec),
                        col,
                        f"'{t}' is not a clock time",
                        "write times as HH:MM, e.g. 07:30",
                    )
                )


def _booleans(
    raw: pd.Series,
    layer: str,
    col: str,
    fname: str,
    recs: np.ndarray,
    _col: str,
    problems: list[Problem],
) -> pd.Series:
    """Parse yes/no, true/false, 1/0 (and OSM oneway values for roads)."""
    if layer == "roads" and col == "oneway":
        return _osm.parse_oneway(raw)[0].astype(object).where(raw.notna(), None)

    def one(v: Any) -> bool | None:
        if v is None or isinstance(v, (bool, np.bool_)):
            return None if v is None else bool(v)
        text = str(v).strip().lower()
        text = text.removesuffix(".0")
        return True if text in _TRUE else False if text in _FALSE else None

    parsed = raw.map(one)
    bad = parsed.isna() & raw.notna()
    for rec, val in zip(recs[bad.to_numpy()], raw[bad], strict=True):
        problems.append(
            Problem(
                fname,
                str(rec),
                col,
                f"'{val}' is not true/false",
                "write true/false, yes/no or 1/0",
            )
        )
    return parsed.astype(object)
