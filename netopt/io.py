"""Load a :class:`~netopt.region.Region` from a folder with a ``region.toml``, and save one.

``region.toml`` names the file of each layer and maps the user's column names and tier
labels to ours, so nobody has to edit their data (the format is in ``docs/design.md`` and
the README). Loading collects every problem in every file in one pass and raises a single
:class:`~netopt._errors.DataError` listing them all.

Coordinates may be declared as WGS-84, GCJ-02 (converted to WGS-84 on load) or any CRS
pyproj understands; every layer of the returned region is in EPSG:4326 and
:attr:`Region.metric_crs` is the UTM zone of the facilities and zones.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from netopt import _osm
from netopt._atomic import atomic_dir
from netopt._errors import DataError, Problem
from netopt._gcj02 import gcj02_to_wgs84
from netopt.region import LEAD_TIERS, SCHEMA, TIERS, Region
from netopt.validate import (
    DEFAULT_LIMITS,
    WGS84,
    _cached_crs,
    _check_crs,
    find_problems,
    haversine_km,
)

__all__ = [
    "GCJ02",
    "WEEKDAYS",
    "dumps_toml",
    "empty_layer",
    "load_region",
    "parse_crs",
    "pick_metric_crs",
    "save_region",
]

logger = logging.getLogger(__name__)

#: The value :func:`parse_crs` returns for the GCJ-02 datum (not an EPSG CRS).
GCJ02 = "GCJ-02"
_GCJ_ALIASES = {"gcj-02", "gcj02", "gcj_02", "gcj"}
_WGS_ALIASES = {"wgs84", "wgs-84", "wgs 84", "epsg:4326"}

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

_LAYERS = ("facilities", "zones", "ferries", "links", "experts", "boundaries", "roads")
_GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")
_OSM_SUFFIXES = (".pbf", ".osm", ".xml")
_TOP_KEYS = {"name", "crs", "metric_crs", "validate", *_LAYERS}
_LAYER_KEYS = {
    "file",
    "layer",
    "crs",
    "lon",
    "lat",
    "columns",
    "tiers",
    "defaults",
    "ferry_speed_kmh",
    "osm_ferries",
}

#: Columns that must be present in a layer's file (after column mapping).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "facilities": ("id", "tier"),
    "zones": ("id", "population"),
    "ferries": ("id", "crossing_min"),
    "links": ("id",),
    "experts": ("id", "home_facility", "specialty"),
    "boundaries": (),
    "roads": (),
}
#: Fill values of optional columns (None: computed, see ``_fill_defaults``).
_DEFAULTS: dict[str, dict[str, Any]] = {
    "facilities": {
        "name": None,
        "beds": math.nan,
        "outpatient_per_day": math.nan,
        "specialties": (),
        "can_lead": None,
        "alliance": None,
        "township": None,
    },
    "zones": {"island": False, "island_name": None, "township": None, "primary_facility": None},
    "ferries": {
        "name": None,
        "from_port": "A",
        "to_port": "B",
        "headway_min": math.nan,
        "departures_ab": (),
        "departures_ba": (),
        "service_start": "00:00",
        "service_end": "24:00",
        "kind": "passenger",
        "source": None,
        "estimated": False,
    },
    "links": {
        "name": None,
        "kind": "bridge",
        "travel_min": math.nan,
        "length_m": math.nan,
        "source": None,
        "estimated": False,
    },
    "experts": {"name": None, "weekdays": (0, 1, 2, 3, 4), "max_days_per_month": 4},
    "boundaries": {"name": None},
    "roads": {"highway": "road", "maxspeed_kmh": math.nan, "oneway": False, "name": None},
}
_LIST_COLUMNS = {"specialties", "departures_ab", "departures_ba", "weekdays"}
_LINE_LAYERS = {"ferries", "links"}
_TRUE = {"true", "yes", "y", "1", "t", "是"}
_FALSE = {"false", "no", "n", "0", "f", "否", ""}
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$|^24:00$")


def load_region(folder: str | os.PathLike[str], *, validate: bool = True) -> Region:
    """Load and validate the region described by ``folder/region.toml``.

    Parameters
    ----------
    folder : path-like
        A folder containing ``region.toml`` (or the path of the ``.toml`` file itself).
    validate : bool, default True
        Run the cross-layer checks of :func:`netopt.validate_region` as well as the
        per-file checks; problems from both are reported together.

    Returns
    -------
    Region
        Every layer in EPSG:4326, indexed by string ``id``.

    Raises
    ------
    DataError
        Listing every problem found (file, record, field, what was found, how to fix it).
    FileNotFoundError
        If there is no ``region.toml``.

    Notes
    -----
    The CRS of a layer is, in order: its own ``crs`` key; else the top-level ``crs`` (for a
    GeoJSON/GeoPackage only if the file itself is unreferenced or geographic -- a file that
    states a projected CRS keeps it); else the file's own CRS; a CSV with neither is a
    problem. ``GCJ-02`` coordinates are converted to WGS-84 with
    :func:`netopt._gcj02.gcj02_to_wgs84`. The metric CRS is ``metric_crs`` from the TOML or
    :func:`pick_metric_crs` of the facilities and zones.

    Examples
    --------
    >>> region = load_region("tests/data/synthetic")  # doctest: +SKIP
    >>> region.summary()["population"]  # doctest: +SKIP
    """
    toml_path = Path(folder)
    if toml_path.is_dir():
        toml_path = toml_path / "region.toml"
    if not toml_path.is_file():
        raise FileNotFoundError(f"{toml_path}: no region.toml here (see the README for its format)")
    folder = toml_path.parent
    problems: list[Problem] = []
    try:
        config = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(
            Problem(toml_path.name, "", "", f"not valid TOML ({exc})", "fix the TOML syntax")
        ) from exc
    problems += _check_config(config, toml_path.name)
    top_crs = config.get("crs")
    layers: dict[str, gpd.GeoDataFrame | pd.DataFrame | None] = {}
    files: dict[str, str] = {}
    osm_ferries = None
    for layer in _LAYERS:
        spec = config.get(layer)
        if not isinstance(spec, Mapping):
            layers[layer] = None
            continue
        files[layer] = str(spec.get("file", f"[{layer}]"))
        if layer == "roads" and files[layer].lower().endswith(_OSM_SUFFIXES):
            roads, osm_ferries = _read_osm_layer(folder, spec, problems)
            layers[layer] = roads
            continue
        layers[layer] = _read_layer(folder, layer, spec, top_crs, problems)

    ferries = layers["ferries"]
    if osm_ferries is not None and len(osm_ferries) and config["roads"].get("osm_ferries", True):
        ferries = osm_ferries if ferries is None else pd.concat([ferries, osm_ferries])
        files.setdefault("ferries", files["roads"])
    frames = {k: (v if v is not None else empty_layer(k)) for k, v in layers.items()}
    frames["ferries"] = ferries if ferries is not None else empty_layer("ferries")
    points = pd.concat(
        [frames["facilities"].geometry, frames["zones"].geometry.representative_point()]
    )
    metric = config.get("metric_crs") or pick_metric_crs(points)
    extra = {k: v for k, v in config.items() if k not in _TOP_KEYS}
    region = Region(
        name=str(config.get("name", folder.name)),
        facilities=frames["facilities"],
        zones=frames["zones"],
        ferries=frames["ferries"],
        links=frames["links"],
        experts=frames["experts"],
        boundaries=frames["boundaries"],
        metric_crs=str(metric),
        roads=layers["roads"],
        source=folder,
        metadata=extra,
    )
    if validate:
        table = config.get("validate", {})
        limits = {
            k: float(table[k]) if isinstance(table.get(k), (int, float)) else v
            for k, v in DEFAULT_LIMITS.items()
        }
        failed = {f"there are no {k}" for k, v in layers.items() if v is None and k in files}
        seen = {(p.file, p.record, p.field) for p in problems}
        problems += [
            p
            for p in find_problems(region, files=files, **limits)
            if p.found not in failed and (p.file, p.record, p.field) not in seen
        ]
    if problems:
        raise DataError(problems)
    logger.info("loaded region %r from %s", region.name, folder)
    return region


def save_region(region: Region, folder: str | os.PathLike[str]) -> Path:
    """Write ``region`` to ``folder`` as ``region.toml`` + ``region.gpkg`` + ``experts.csv``.

    The folder is written beside its final place and swapped in only when complete, so a
    failed save leaves any previous folder untouched. :func:`load_region` reads it back to
    identical data.

    Parameters
    ----------
    region : Region
        The region to save.
    folder : path-like
        Target folder (replaced if it exists).

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    DataError
        If a layer is not in EPSG:4326 (the saved ``region.toml`` declares WGS-84).
    """
    folder = Path(folder)
    problems = [
        p
        for layer in ("facilities", "zones", "ferries", "links", "boundaries", "roads")
        if getattr(region, layer) is not None
        for p in _check_crs(getattr(region, layer), layer, layer)
    ]
    if problems:
        raise DataError(problems)
    config: dict[str, Any] = {
        "name": region.name,
        "crs": "EPSG:4326",
        "metric_crs": region.metric_crs,
        **region.metadata,
    }
    with atomic_dir(folder) as tmp:
        for layer in ("facilities", "zones", "ferries", "links", "boundaries", "roads"):
            frame = getattr(region, layer)
            if frame is None or len(frame) == 0:
                continue
            out = _to_text_lists(frame).reset_index(names="id")
            out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs)
            out.to_file(tmp / "region.gpkg", layer=layer, driver="GPKG")
            config[layer] = {"file": "region.gpkg", "layer": layer}
        if len(region.experts):
            _to_text_lists(region.experts).reset_index(names="id").to_csv(
                tmp / "experts.csv", index=False
            )
            config["experts"] = {"file": "experts.csv"}
        (tmp / "region.toml").write_text(dumps_toml(config), encoding="utf-8")
    logger.info("saved region %r to %s", region.name, folder)
    return folder


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


def parse_crs(value: str) -> CRS | str:
    """Parse a CRS declaration: ``"WGS84"``, ``"GCJ-02"`` (aliases) or anything pyproj reads.

    Parameters
    ----------
    value : str
        The declaration, e.g. ``"EPSG:4326"``, ``"gcj02"``, ``"EPSG:32651"``.

    Returns
    -------
    pyproj.CRS or str
        :data:`GCJ02` for GCJ-02, a :class:`pyproj.CRS` otherwise.

    Raises
    ------
    ValueError
        If pyproj cannot parse it.
    """
    key = str(value).strip().lower()
    if key in _GCJ_ALIASES:
        return GCJ02
    if key in _WGS_ALIASES:
        return WGS84
    try:
        return _cached_crs(str(value).strip())
    except CRSError as exc:
        raise ValueError(f"unknown CRS {value!r}") from exc


def pick_metric_crs(points: gpd.GeoSeries, *, outlier_km: float = 300.0) -> str:
    """Return the UTM zone (``"EPSG:nnnnn"``) of a set of lon/lat points.

    Points more than ``outlier_km`` from the median point (e.g. swapped coordinates) are
    ignored so that one bad record does not move the zone.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points in EPSG:4326.
    outlier_km : float, default 300
        Ignore points farther than this from the median.

    Returns
    -------
    str
        e.g. ``"EPSG:32651"``; ``"EPSG:3857"`` when there are no usable points.
    """
    pts = points[points.notna() & ~points.is_empty]
    pts = pts[pts.geom_type == "Point"]
    if len(pts) == 0:
        return "EPSG:3857"
    lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    near = haversine_km(lon, lat, np.median(lon), np.median(lat)) <= outlier_km
    near &= np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if not near.any():
        return "EPSG:3857"
    utm = gpd.GeoSeries(pts[near].to_numpy(), crs="EPSG:4326").estimate_utm_crs()
    return f"EPSG:{utm.to_epsg()}"


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise a nested mapping of scalars, lists and tables to TOML text.

    Parameters
    ----------
    data : mapping
        Keys to str, int, float, bool, list or mapping (sub-table) values.

    Returns
    -------
    str
    """
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(data: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    """Append the scalars of one table, then its sub-tables, to ``lines``."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    if path and (scalars or not tables):
        lines += ["", "[" + ".".join(_toml_key(p) for p in path) + "]"]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items() if v is not None]
    for key, sub in tables.items():
        _dump_table(sub, [*path, key], lines)


def _toml_key(key: str) -> str:
    """Return a bare TOML key if possible, else a quoted one."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    """Return the TOML literal of a scalar or list."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "nan" if math.isnan(value) else repr(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


# ----------------------------------------------------------------------------- reading


def _check_config(config: Mapping[str, Any], toml_name: str) -> list[Problem]:
    """Return problems with the structure of region.toml itself."""
    problems = []
    for layer in ("facilities", "zones"):
        if not isinstance(config.get(layer), Mapping) or "file" not in config[layer]:
            problems.append(
                Problem(
                    toml_name,
                    f"[{layer}]",
                    "file",
                    "no file given",
                    f'add a [{layer}] table with file = "<your {layer} file>"',
                )
            )
    for layer in _LAYERS:
        spec = config.get(layer)
        if isinstance(spec, Mapping):
            for key in sorted(set(spec) - _LAYER_KEYS):
                problems.append(
                    Problem(
                        toml_name,
                        f"[{layer}]",
                        key,
                        "unknown key",
                        f"use one of {', '.join(sorted(_LAYER_KEYS))}",
                    )
                )
            columns = spec.get("columns", {})
            known = set(SCHEMA[layer]) | {
                "id",
                "lon",
                "lat",
                "from_lon",
                "from_lat",
                "to_lon",
                "to_lat",
            }
            for key in sorted(set(columns) - known):
                problems.append(
                    Problem(
                        toml_name,
                        f"[{layer}.columns]",
                        key,
                        f"'{key}' is not a netopt column",
                        f"the left-hand side is our name: one of {', '.join(sorted(known))}",
                    )
                )
    table = config.get("validate", {})
    for key in sorted(set(table) - set(DEFAULT_LIMITS)):
        problems.append(
            Problem(
                toml_name,
                "[validate]",
                key,
                "unknown key",
                f"use one of {', '.join(DEFAULT_LIMITS)}",
            )
        )
    for key in sorted(set(table) & set(DEFAULT_LIMITS)):
        if isinstance(table[key], bool) or not isinstance(table[key], (int, float)):
            problems.append(
                Problem(
                    toml_name,
                    "[validate]",
                    key,
                    f"{table[key]!r} is not a number",
                    "give a distance in km, e.g. 2.5",
                )
            )
    if "crs" in config:
        problems += _crs_problem(config["crs"], toml_name, "", "crs")
    return problems


def _crs_problem(value: Any, toml_name: str, record: str, key: str) -> list[Problem]:
    """Return a problem if ``value`` is not a CRS we can use."""
    try:
        parse_crs(value)
    except ValueError:
        return [
            Problem(
                toml_name,
                record,
                key,
                f"unknown CRS {value!r}",
                'use "EPSG:4326" / "WGS84", "GCJ-02", or an "EPSG:nnnn" code',
            )
        ]
    return []


def _read_layer(
    folder: Path, layer: str, spec: Mapping[str, Any], top_crs: Any, problems: list[Problem]
) -> gpd.GeoDataFrame | pd.DataFrame | None:
    """Read, map, reproject and type one layer; append problems; None if unusable."""
    fname = str(spec.get("file", ""))
    path = folder / fname
    n0 = len(problems)
    if not fname or not path.is_file():
        problems.append(_file_not_found(layer, fname, folder))
        return None
    if path.stat().st_size == 0:
        problems.append(
            Problem(
                fname,
                "",
                "",
                "the file is empty (0 bytes)",
                f"export the {layer} again, or remove [{layer}] from region.toml",
            )
        )
        return None
    try:
        raw = _read_table(path, spec)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a data problem
        problems.append(
            Problem(
                fname,
                "",
                "",
                f"cannot be read ({exc})",
                "check the file format (CSV, GeoJSON or GeoPackage)",
            )
        )
        return None
    if len(raw) == 0:
        problems.append(
            Problem(
                fname,
                "",
                "",
                "the file has no rows",
                f"add the {layer}, or remove the [{layer}] table from region.toml",
            )
        )
        return None
    mapping = {str(k): str(v) for k, v in spec.get("columns", {}).items()}
    is_csv = not isinstance(raw, gpd.GeoDataFrame)
    needed = list(_REQUIRED[layer])
    if is_csv and layer != "experts":
        coord = (
            ["from_lon", "from_lat", "to_lon", "to_lat"]
            if layer in _LINE_LAYERS
            else ["lon", "lat"]
        )
        for c in ("lon", "lat"):
            if c in spec:
                mapping.setdefault(c, str(spec[c]))
        needed += coord
    found = [str(c) for c in raw.columns if c != "geometry"]
    for col in needed:
        user = mapping.get(col, col)
        if user not in raw.columns:
            how = f" (mapped from '{col}' in [{layer}.columns])" if col in mapping else ""
            problems.append(
                Problem(
                    fname,
                    "",
                    col,
                    f"expected column '{user}'{how}; found: {', '.join(found)}",
                    f'rename the column, or add {col} = "<your column>" under [{layer}.columns]',
                )
            )
    if len(problems) > n0:
        return None
    frame = raw.rename(columns={u: o for o, u in mapping.items() if u in raw.columns and u != o})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if is_csv and layer != "experts":
        frame = _csv_geometry(frame, layer, fname, problems)
    elif not is_csv:
        frame = frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame
    if layer != "experts":
        frame = _to_wgs84(frame, layer, fname, spec, top_crs, is_csv, problems)
        if frame is None:
            return None
    frame = _set_ids(frame, layer, fname, problems)
    frame = _typed(frame, layer, fname, spec, problems)
    return frame


def _file_not_found(layer: str, fname: str, folder: Path) -> Problem:
    """The problem for a layer whose ``file`` in region.toml does not exist."""
    return Problem(
        "region.toml",
        f"[{layer}]",
        "file",
        f"file '{fname}' not found in {folder}",
        "check the file name (relative to the folder of region.toml)",
    )


def _read_table(path: Path, spec: Mapping[str, Any]) -> pd.DataFrame:
    """Read a CSV (all columns as text) or a vector file."""
    if path.suffix.lower() in (".csv", ".txt"):
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", skipinitialspace=True)
    if path.suffix.lower() in _GEO_SUFFIXES:
        kwargs = {"layer": spec["layer"]} if "layer" in spec else {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = gpd.read_file(path, **kwargs)
        for w in caught:  # e.g. a column of mixed types read as text: checked below
            logger.info("%s: %s", path.name, w.message)
        return frame
    raise ValueError(f"unsupported file type '{path.suffix}'")


def _numbers(frame: pd.DataFrame, col: str, fname: str, problems: list[Problem]) -> pd.Series:
    """Parse a column as float; text that is not a number is a problem (blank is NaN)."""
    raw = frame[col]
    text = raw.astype("object").where(raw.notna(), None)
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = values.isna() & text.notna() & (text.astype(str).str.strip() != "")
    for rec, val in zip(_records(frame)[bad.to_numpy()], text[bad], strict=True):
        problems.append(
            Problem(
                fname,
                rec,
                col,
                f"'{val}' is not a number",
                "write a plain number (decimal point '.', no units)",
            )
        )
    return values


def _records(frame: pd.DataFrame) -> np.ndarray:
    """Return a label per row: ``id`` when known, else ``row n`` (1-based data rows)."""
    if "id" in frame.columns:
        ids = frame["id"].astype("object")
        rows = [f"row {i + 1}" for i in range(len(frame))]
        return np.array(
            [f"{v}" if isinstance(v, str) and v else r for v, r in zip(ids, rows, strict=True)]
        )
    return np.array([f"row {i + 1}" for i in range(len(frame))], dtype=object)


def _csv_geometry(
    frame: pd.DataFrame, layer: str, fname: str, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Build points (or A->B lines for ferries/links) from coordinate columns."""
    if layer in _LINE_LAYERS:
        c = {
            k: _numbers(frame, k, fname, problems).to_numpy()
            for k in ("from_lon", "from_lat", "to_lon", "to_lat")
        }
        ok = np.isfinite(np.column_stack(list(c.values()))).all(axis=1)
        coords = np.stack(
            [
                np.column_stack([c["from_lon"], c["from_lat"]]),
                np.column_stack([c["to_lon"], c["to_lat"]]),
            ],
            axis=1,
        )
        geoms = np.where(ok, shapely.linestrings(np.nan_to_num(coords)), None)
        fields = "from_lon/from_lat/to_lon/to_lat"
    else:
        lon = _numbers(frame, "lon", fname, problems).to_numpy()
        lat = _numbers(frame, "lat", fname, problems).to_numpy()
        ok = np.isfinite(lon) & np.isfinite(lat)
        geoms = np.where(ok, shapely.points(np.nan_to_num(lon), np.nan_to_num(lat)), None)
        fields = "lon/lat"
    for rec in _records(frame)[~ok]:
        problems.append(
            Problem(
                fname,
                rec,
                fields,
                "coordinates missing",
                "fill in both coordinates in decimal degrees",
            )
        )
    drop = [k for k in ("lon", "lat", "from_lon", "from_lat", "to_lon", "to_lat") if k in frame]
    return gpd.GeoDataFrame(frame.drop(columns=drop), geometry=list(geoms))


def _to_wgs84(
    frame: gpd.GeoDataFrame,
    layer: str,
    fname: str,
    spec: Mapping[str, Any],
    top_crs: Any,
    is_csv: bool,
    problems: list[Problem],
) -> gpd.GeoDataFrame | None:
    """Resolve the layer's CRS (see the README) and return it in EPSG:4326."""
    declared = spec.get("crs", top_crs)
    file_crs = None if is_csv else frame.crs
    if declared is None and file_crs is None:
        problems.append(
            Problem(
                fname,
                "",
                "crs",
                "no coordinate reference system is declared",
                f'declare crs = "EPSG:4326" (or "GCJ-02", "EPSG:nnnn") in '
                f"[{layer}] or at the top of region.toml",
            )
        )
        return None
    try:
        crs = parse_crs(declared) if declared is not None else file_crs
    except ValueError:
        if "crs" in spec:  # an unknown top-level crs is reported once, by _check_config
            problems.append(
                Problem(
                    "region.toml",
                    f"[{layer}]",
                    "crs",
                    f"unknown CRS {declared!r} for {fname}",
                    'use "EPSG:4326" / "WGS84", "GCJ-02", or an "EPSG:nnnn" code',
                )
            )
        return None
    own_projected = file_crs is not None and not file_crs.is_geographic
    if "crs" not in spec and own_projected and declared is not None:
        # a top-level default does not override a file that states a projected CRS
        logger.info("%s: using the file's own CRS %s", fname, file_crs)
        crs = file_crs
    if isinstance(crs, str) and crs == GCJ02:
        frame = frame.set_crs("EPSG:4326", allow_override=True)
        frame.geometry = shapely.transform(frame.geometry.array, _gcj_to_wgs)
        return frame.set_crs("EPSG:4326", allow_override=True)
    frame = frame.set_crs(crs, allow_override=True)
    return frame if frame.crs == WGS84 else frame.to_crs(WGS84)


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    """shapely.transform callback: GCJ-02 (n x 2) -> WGS-84."""
    lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def _set_ids(frame: pd.DataFrame, layer: str, fname: str, problems: list[Problem]) -> pd.DataFrame:
    """Turn the ``id`` column into a string index (boundaries/roads may lack ids)."""
    if "id" not in frame.columns:
        frame = frame.assign(id=[f"{layer[0].upper()}{i + 1}" for i in range(len(frame))])
    ids = frame["id"].astype("object")
    text = ids.map(_id_text)
    missing = text.isna().to_numpy()
    for i in np.flatnonzero(missing):
        problems.append(
            Problem(fname, f"row {i + 1}", "id", "the id is empty", "give every record a unique id")
        )
    frame = frame.assign(id=text.fillna("").to_numpy(dtype=object))
    frame = frame.set_index("id")
    frame.index = pd.Index(frame.index.to_numpy(dtype=object), dtype=object, name="id")
    return frame


def _id_text(value: Any) -> str | None:
    """Return an id as text: ``12.0`` -> ``"12"``, blank/NaN -> None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _typed(
    frame: pd.DataFrame, layer: str, fname: str, spec: Mapping[str, Any], problems: list[Problem]
) -> pd.DataFrame:
    """Fill defaults and convert every schema column to its dtype, collecting problems."""
    defaults = {**_DEFAULTS[layer], **spec.get("defaults", {})}
    out = pd.DataFrame(index=frame.index)
    records = frame.index.to_numpy(dtype=object)
    for col, dtype in SCHEMA[layer].items():
        default = defaults.get(col)
        raw = (
            frame[col] if col in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        )
        raw = raw.astype("object").where(raw.notna(), None)
        blank = raw.map(lambda v: v is None or (isinstance(v, str) and not v.strip()))
        ctx = (fname, records, col, problems)
        if col in _LIST_COLUMNS:
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
                values = _numbers(pd.DataFrame({col: raw, "id": records}), col, fname, problems)
            values = values.where(~blank, default if default is not None else math.nan)
        elif dtype == "int64":
            num = _numbers(pd.DataFrame({col: raw, "id": records}), col, fname, problems)
            num = num.where(~blank, default)
            values = num.fillna(0).round().astype("int64")
        elif dtype == "bool":
            values = _booleans(raw, layer, col, *ctx).where(~blank, default)
        else:
            values = raw.map(lambda v: str(v).strip() if v is not None else None)
            if col in ("service_start", "service_end"):
                _check_clock(values.map(lambda v: (v,) if v else ()), *ctx)
            values = values.where(~blank, default)
        out[col] = values.astype("object") if dtype in ("object", "bool") else values
    out = _fill_defaults(out, layer, fname, spec)
    out = out.astype({c: t for c, t in SCHEMA[layer].items() if t != "object"})
    if isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")
    return out


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
    values: pd.Series, fname: str, records: np.ndarray, col: str, problems: list[Problem]
) -> pd.Series:
    """Turn weekday names or numbers into ints 0..6, reporting unknown entries."""
    out = []
    for rec, days in zip(records, values, strict=True):
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
    values: pd.Series, fname: str, records: np.ndarray, col: str, problems: list[Problem]
) -> None:
    """Report clock times that are not ``HH:MM``."""
    for rec, times in zip(records, values, strict=True):
        for t in times:
            if not _CLOCK.match(t):
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
    records: np.ndarray,
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
    for rec, val in zip(records[bad.to_numpy()], raw[bad], strict=True):
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


def _read_osm_layer(
    folder: Path, spec: Mapping[str, Any], problems: list[Problem]
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Read roads (and ferry ways) from an OSM file named in [roads]."""
    fname = str(spec["file"])
    path = folder / fname
    if not path.is_file():
        problems.append(_file_not_found("roads", fname, folder))
        return None, None
    speed = float(spec.get("ferry_speed_kmh", _osm.DEFAULT_FERRY_SPEED_KMH))
    try:
        roads, ferries = _osm.read_osm(path, ferry_speed_kmh=speed)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a data problem
        problems.append(
            Problem(
                fname,
                "",
                "",
                f"cannot be read as OpenStreetMap data ({exc})",
                "export the extract again as .osm.pbf or .osm XML",
            )
        )
        return None, None
    return _conform(roads, "roads"), _conform(ferries, "ferries")


def _conform(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Cast a frame that already has the schema columns to the schema dtypes."""
    cols = list(SCHEMA[layer])
    out = frame[cols].copy()
    for col, dtype in SCHEMA[layer].items():
        if dtype == "object":
            out[col] = _none_for_nan(out[col])
        else:
            out[col] = out[col].astype(dtype)
    out.index = pd.Index(out.index.to_numpy(dtype=object), dtype=object, name="id")
    return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")


def _to_text_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with tuple columns written as ``;``-separated text."""
    out = frame.copy()
    for col in _LIST_COLUMNS & set(out.columns):
        out[col] = out[col].map(lambda v: ";".join(str(x) for x in v)).astype(object)
    return out
