"""Checks of one layer's records: ids, numbers, geometry, tiers, references, timetables.

Each ``check_*`` function takes one layer (or the region) and returns a list of
:class:`~netopt._errors.Problem`; :func:`netopt.validate.find_problems` runs them all.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from netopt._errors import Problem
from netopt.region import TIERS, Region

__all__ = [
    "GEOM_TYPES",
    "check_area_codes",
    "check_geometry",
    "check_ids",
    "check_numbers",
    "check_references",
    "check_tiers",
    "check_timetables",
    "check_weekdays",
]

#: The geometry types each layer may hold.
GEOM_TYPES: dict[str, tuple[str, ...]] = {
    "facilities": ("Point",),
    "zones": ("Point", "Polygon", "MultiPolygon"),
    "ferries": ("LineString",),
    "links": ("LineString",),
    "boundaries": ("Polygon", "MultiPolygon"),
    "roads": ("LineString", "MultiLineString"),
}
_NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "facilities": ("beds", "outpatient_per_day", "doctors", "upgrade_beds", "upgrade_cost_yuan"),
    "zones": ("population",),
    "ferries": ("crossing_min", "headway_min"),
    "links": ("travel_min", "length_m"),
    "experts": ("max_days_per_month",),
}
_REQUIRED_NUMBERS: dict[str, tuple[str, ...]] = {
    "zones": ("population",),
    "ferries": ("crossing_min",),
}
#: Quantities that must be > 0 when given (a zero headway or crossing time is impossible).
_POSITIVE: dict[str, tuple[str, ...]] = {"ferries": ("crossing_min", "headway_min")}
#: Upper bounds of quantities: (limit, why).
_AT_MOST: dict[str, dict[str, tuple[float, str]]] = {
    "experts": {"max_days_per_month": (31.0, "a month has at most 31 days")},
}


def check_ids(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Ids must be non-empty and unique."""
    ids = pd.Series(frame.index.to_numpy(dtype=object))
    problems = []
    empty = ids.isna() | ids.astype(str).str.strip().eq("")
    for pos in np.flatnonzero(empty.to_numpy()):
        problems.append(
            Problem(
                file, f"row {pos + 1}", "id", "the id is empty", "give every record a unique id"
            )
        )
    dup = ids[~empty & ids.duplicated(keep=False)]
    for value, positions in dup.groupby(dup.astype(str)).groups.items():
        rows = ", ".join(str(p + 1) for p in positions)
        problems.append(
            Problem(
                file,
                str(value),
                "id",
                f"id '{value}' is used {len(positions)} times (rows {rows})",
                "give every record a unique id",
            )
        )
    return problems


def check_numbers(frame: pd.DataFrame, layer: str, file: str) -> list[Problem]:
    """Required numbers must be present; quantities must not be negative."""
    problems = []
    records = frame.index.to_numpy(dtype=object)
    for col in _REQUIRED_NUMBERS.get(layer, ()):
        values = pd.to_numeric(frame[col], errors="coerce")
        for rec in records[values.isna().to_numpy()]:
            problems.append(
                Problem(
                    file,
                    str(rec),
                    col,
                    "the value is missing (NaN)",
                    f"fill in {col} (a number >= 0)",
                )
            )
    for col in _NON_NEGATIVE.get(layer, ()):
        values = pd.to_numeric(frame[col], errors="coerce")
        neg = (values < 0).to_numpy()
        for rec, val in zip(records[neg], values[neg], strict=True):
            blank_ok = col not in _REQUIRED_NUMBERS.get(layer, ())
            fix = f"{col} must be >= 0" + (" (leave it blank if unknown)" if blank_ok else "")
            problems.append(Problem(file, str(rec), col, f"negative value {val:g}", fix))
    kept = np.zeros(len(frame), dtype=bool)
    if layer == "ferries" and "estimated" in frame.columns:
        # OSM ferry ways clipped by the extract to one point keep crossing_min 0 (with a warning)
        kept = frame["estimated"].to_numpy(dtype=bool) & (shapely.length(frame.geometry.array) == 0)
    for col in _POSITIVE.get(layer, ()):
        values = pd.to_numeric(frame[col], errors="coerce")
        for rec in records[(values == 0).to_numpy() & ~kept]:
            problems.append(
                Problem(
                    file,
                    str(rec),
                    col,
                    "the value is 0 (a ferry cannot sail in 0 minutes or every 0 minutes)",
                    f"{col} must be > 0 minutes"
                    + (
                        ""
                        if col in _REQUIRED_NUMBERS.get(layer, ())
                        else " (leave it blank if unknown)"
                    ),
                )
            )
    for col, (limit, why) in _AT_MOST.get(layer, {}).items():
        values = pd.to_numeric(frame[col], errors="coerce")
        high = (values > limit).to_numpy()
        for rec, val in zip(records[high], values[high], strict=True):
            problems.append(
                Problem(
                    file,
                    str(rec),
                    col,
                    f"{val:g} is above {limit:g}",
                    f"{col} must be in 0..{limit:g} ({why})",
                )
            )
    return problems


def check_geometry(frame: gpd.GeoDataFrame, layer: str, file: str) -> list[Problem]:
    """Geometry must be present, non-empty, valid and of the expected type."""
    problems = []
    geoms = frame.geometry.array
    records = frame.index.to_numpy(dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for rec in records[missing]:
        problems.append(
            Problem(
                file,
                str(rec),
                "geometry",
                "the geometry is missing or empty",
                "give every record a location",
            )
        )
    allowed = GEOM_TYPES[layer]
    kinds = frame.geometry.geom_type.to_numpy(dtype=object)
    wrong = ~missing & ~np.isin(kinds, allowed)
    for rec, kind in zip(records[wrong], kinds[wrong], strict=True):
        problems.append(
            Problem(
                file,
                str(rec),
                "geometry",
                f"a {kind}",
                f"{layer} must be {' or '.join(allowed)} geometries",
            )
        )
    invalid = ~missing & ~shapely.is_valid(geoms)
    if layer == "ferries" and "estimated" in frame.columns:
        # OSM ferry ways clipped by the extract to one point (the reader warns about them)
        degenerate = shapely.length(geoms) == 0
        invalid &= ~(degenerate & frame["estimated"].to_numpy(dtype=bool))
    reasons = shapely.is_valid_reason(geoms[invalid])
    for rec, why in zip(records[invalid], reasons, strict=True):
        problems.append(
            Problem(
                file,
                str(rec),
                "geometry",
                f"invalid geometry ({why})",
                "repair it (shapely.make_valid, or QGIS 'Fix geometries')",
            )
        )
    return problems


def check_tiers(facilities: pd.DataFrame, file: str) -> list[Problem]:
    """Tier labels must be ours (after the [facilities.tiers] mapping)."""
    if len(facilities) == 0:
        return []
    bad = ~facilities["tier"].isin(TIERS)
    return [
        Problem(
            file,
            str(rec),
            "tier",
            f"unknown tier label '{label}'",
            f"use one of {', '.join(TIERS)}, or map it in region.toml: add "
            f'"{label}" = "county" (say) under [facilities.tiers]',
        )
        for rec, label in zip(
            facilities.index[bad.to_numpy()], facilities["tier"][bad], strict=True
        )
    ]


def check_references(region: Region, files: Mapping[str, str]) -> list[Problem]:
    """Experts' home facilities, zones' primary facilities and alliances must exist."""
    known = set(region.facilities.index)
    problems = []
    refs = [
        ("experts", "home_facility", True),
        ("zones", "primary_facility", False),
        ("facilities", "alliance", False),
    ]
    for layer, col, required in refs:
        frame = getattr(region, layer)
        if len(frame) == 0 or (not known and len(region.facilities) == 0):
            continue
        values = frame[col]
        given = values.notna()
        if required:
            for rec in frame.index[~given.to_numpy()]:
                problems.append(
                    Problem(
                        files[layer],
                        str(rec),
                        col,
                        "no facility given",
                        "give the id of a facility",
                    )
                )
        bad = given & ~values.isin(known)
        for rec, val in zip(frame.index[bad.to_numpy()], values[bad], strict=True):
            problems.append(
                Problem(
                    files[layer],
                    str(rec),
                    col,
                    f"facility '{val}' does not exist",
                    f"use an id from {files['facilities']} (e.g. "
                    f"{', '.join(sorted(map(str, known))[:3])})",
                )
            )
    return problems


def check_weekdays(experts: pd.DataFrame, file: str) -> list[Problem]:
    """Expert weekdays must be ints 0..6."""
    problems = []
    for rec, days in zip(
        experts.index, experts.get("weekdays", pd.Series(dtype=object)), strict=True
    ):
        bad = [d for d in days if not (isinstance(d, (int, np.integer)) and 0 <= d <= 6)]
        if bad:
            problems.append(
                Problem(
                    file,
                    str(rec),
                    "weekdays",
                    f"not weekdays: {bad}",
                    "use integers 0..6 (0 = Monday)",
                )
            )
    return problems


def check_timetables(ferries: pd.DataFrame, file: str) -> list[Problem]:
    """Each ferry needs a headway or at least one departure."""
    if len(ferries) == 0:
        return []
    has_table = ferries["departures_ab"].map(len).gt(0) | ferries["departures_ba"].map(len).gt(0)
    none = ferries["headway_min"].isna() & ~has_table
    return [
        Problem(
            file,
            str(rec),
            "headway_min",
            "neither a headway nor departure times",
            "give headway_min (minutes between sailings) or departures_ab/departures_ba",
        )
        for rec in ferries.index[none.to_numpy()]
    ]


def check_area_codes(facilities: pd.DataFrame, file: str) -> list[Problem]:
    """Facilities' ``area`` codes (administrative codes, e.g. ``330225``) must be digits."""
    if len(facilities) == 0 or "area" not in facilities.columns:
        return []
    problems = []
    for rec, code in facilities["area"].items():
        if code is None or (isinstance(code, float) and np.isnan(code)):
            continue
        text = str(code).strip()
        if not (text.isdigit() and text.isascii()):
            problems.append(
                Problem(
                    file,
                    str(rec),
                    "area",
                    f"'{code}' is not an administrative code (digits only)",
                    "write the county or township code as digits, e.g. 330225 (Xiangshan "
                    "County), or leave it blank to place the facility by its position",
                )
            )
    return problems
