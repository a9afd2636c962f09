"""Read one layer's file (CSV, GeoJSON, GeoPackage, Shapefile, FlatGeobuf or OSM) into a frame.

:func:`read_layer` applies the layer's table of region.toml: it reads the file, checks the
required columns, renames the user's columns to ours, builds geometry from coordinate
columns of a CSV, resolves the CRS and converts to WGS-84 (GCJ-02 included), sets the
string ``id`` index and types the columns (:func:`netopt.io.columns.typed`). Problems are
appended to a list so that one load reports every problem of every file.

Common export mistakes get one problem with a hint, not one per record: a CSV in a Chinese
Windows encoding (read it with ``encoding = "gbk"`` in the layer's table), a ``;``-delimited
CSV, and projected metres (EPSG:3857) in a layer declared in degrees.
"""

from __future__ import annotations

import codecs
import logging
import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from netopt import _osm
from netopt._crs import GCJ02, WGS84, parse_crs
from netopt._errors import NetoptWarning, Problem
from netopt._gcj02 import gcj02_to_wgs84
from netopt.io.columns import conform, numbers, records, typed
from netopt.io.config import LINE_LAYERS, REQUIRED

__all__ = ["file_not_found", "read_layer", "read_osm_layer"]

logger = logging.getLogger(__name__)

_CSV_SUFFIXES = (".csv", ".txt")
_GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")
_COORDINATES = ("lon", "lat", "from_lon", "from_lat", "to_lon", "to_lat")
#: A coordinate beyond -180..180 / -90..90 and at least this large looks like metres.
_METRES_MIN = 1_000.0
# Chinese characters, CJK punctuation and full-width forms: what GBK text is mostly made of.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def read_layer(
    folder: Path, layer: str, spec: Mapping[str, Any], top_crs: Any, problems: list[Problem]
) -> gpd.GeoDataFrame | pd.DataFrame | None:
    """Read, map, reproject and type one layer; append problems; None if unusable.

    Parameters
    ----------
    folder : pathlib.Path
        The folder of region.toml (file names are relative to it).
    layer : str
        The layer, e.g. ``"facilities"``.
    spec : mapping
        Its table in region.toml.
    top_crs : object
        The top-level ``crs`` of region.toml (None if not given).
    problems : list of Problem
        Appended to.

    Returns
    -------
    geopandas.GeoDataFrame, pandas.DataFrame (experts) or None
        None when the file is missing, empty, unreadable, lacks a required column or has
        no usable CRS (the reason is in ``problems``).
    """
    fname = str(spec.get("file", ""))
    path = folder / fname
    n0 = len(problems)
    if not fname or not path.is_file():
        problems.append(file_not_found(layer, fname, folder))
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
    encoding = str(spec.get("encoding", "utf-8-sig"))
    try:
        codecs.lookup(encoding)
    except LookupError:
        problems.append(
            Problem(
                "region.toml",
                f"[{layer}]",
                "encoding",
                f"unknown encoding {encoding!r} for {fname}",
                'use a Python codec name such as "utf-8", "gbk" or "gb18030"',
            )
        )
        return None
    try:
        raw = _read_table(path, spec, encoding)
    except UnicodeDecodeError as exc:
        problems.append(_encoding_problem(path, fname, layer, encoding, exc))
        return None
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
    is_csv = not isinstance(raw, gpd.GeoDataFrame)
    if is_csv and len(raw.columns) == 1:
        delimiter = next((d for d in (";", "\t", "|") if d in str(raw.columns[0])), None)
        if delimiter is not None:
            problems.append(
                Problem(
                    fname,
                    "",
                    "",
                    f"looks {delimiter!r}-delimited (one column named {str(raw.columns[0])!r})",
                    "save as comma-separated (CSV with ',' between the columns)",
                )
            )
            return None
    mapping = _column_mapping(raw, layer, fname, spec, is_csv, problems)
    if len(problems) > n0:
        return None
    renames = {u: o for o, u in mapping.items() if u in raw.columns and u != o}
    frame = raw.drop(columns=_shadowed(raw, renames, layer, fname)).rename(columns=renames)
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
    return typed(frame, layer, fname, spec, problems)


def read_osm_layer(
    folder: Path, spec: Mapping[str, Any], problems: list[Problem]
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Read roads (and ferry ways) from an OSM file named in ``[roads]``.

    Parameters
    ----------
    folder : pathlib.Path
        The folder of region.toml.
    spec : mapping
        The ``[roads]`` table (``file``, optional ``ferry_speed_kmh``).
    problems : list of Problem
        Appended to.

    Returns
    -------
    (roads, ferries) : tuple of geopandas.GeoDataFrame or None
        Both None when the file is missing or unreadable.
    """
    fname = str(spec["file"])
    path = folder / fname
    if not path.is_file():
        problems.append(file_not_found("roads", fname, folder))
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
    return conform(roads, "roads"), conform(ferries, "ferries")


def file_not_found(layer: str, fname: str, folder: Path) -> Problem:
    """Return the problem for a layer whose ``file`` in region.toml does not exist.

    Parameters
    ----------
    layer : str
    fname : str
        The file name as written in region.toml.
    folder : pathlib.Path
        The folder of region.toml.

    Returns
    -------
    Problem
    """
    return Problem(
        "region.toml",
        f"[{layer}]",
        "file",
        f"file '{fname}' not found in {folder}",
        "check the file name (relative to the folder of region.toml)",
    )


def _column_mapping(
    raw: pd.DataFrame,
    layer: str,
    fname: str,
    spec: Mapping[str, Any],
    is_csv: bool,
    problems: list[Problem],
) -> dict[str, str]:
    """Return our column name -> the file's; report required columns the file lacks."""
    mapping = {str(k): str(v) for k, v in spec.get("columns", {}).items()}
    needed = list(REQUIRED[layer])
    if is_csv and layer != "experts":
        coord = (
            ["from_lon", "from_lat", "to_lon", "to_lat"] if layer in LINE_LAYERS else ["lon", "lat"]
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
    return mapping


def _shadowed(raw: pd.DataFrame, renames: Mapping[str, str], layer: str, fname: str) -> list[str]:
    """Return the file's columns an explicit mapping replaces, with a warning for each.

    ``name = "name_zh"`` in ``[layer.columns]`` when the file also has a ``name`` column: the
    mapped column wins and the file's own ``name`` is dropped (unless it is itself mapped
    elsewhere, e.g. ``name_en = "name"``), with a :class:`~netopt._errors.NetoptWarning`.
    """
    dropped = [o for u, o in renames.items() if o in raw.columns and o not in renames]
    for col in dropped:
        user = next(u for u, o in renames.items() if o == col)
        warnings.warn(
            f"{fname}: column '{col}' is not used: [{layer}.columns] maps {col} = "
            f"\"{user}\", so '{user}' is read as {col}",
            NetoptWarning,
            stacklevel=4,
        )
    return dropped


def _read_table(path: Path, spec: Mapping[str, Any], encoding: str) -> pd.DataFrame:
    """Read a CSV (all columns as text, in ``encoding``) or a vector file."""
    if path.suffix.lower() in _CSV_SUFFIXES:
        return pd.read_csv(path, dtype=str, encoding=encoding, skipinitialspace=True)
    if path.suffix.lower() in _GEO_SUFFIXES:
        kwargs = {"layer": spec["layer"]} if "layer" in spec else {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = gpd.read_file(path, **kwargs)
        for w in caught:  # e.g. a column of mixed types read as text: checked below
            logger.info("%s: %s", path.name, w.message)
        return frame
    raise ValueError(f"unsupported file type '{path.suffix}'")


def _encoding_problem(
    path: Path, fname: str, layer: str, encoding: str, exc: UnicodeDecodeError
) -> Problem:
    """The problem for a CSV that does not decode; names GBK when it decodes as GB18030."""
    declared = encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig", "utf8")
    what = f"not {encoding}" if declared else "not UTF-8"
    found = f"{what} (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
    fix = f'save it as UTF-8, or declare the encoding (e.g. encoding = "cp1252") in [{layer}]'
    if not declared:
        try:
            text = path.read_bytes().decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        wide = [ch for ch in text if ord(ch) > 127]
        if wide and sum(bool(_CJK.match(ch)) for ch in wide) >= 0.8 * len(wide):
            found = f"{what}; it looks like GBK/GB18030 (Chinese Windows encoding)"
            fix = f'save it as UTF-8, or declare encoding = "gbk" in [{layer}] of region.toml'
    return Problem(fname, "", "", found, fix)


def _csv_geometry(
    frame: pd.DataFrame, layer: str, fname: str, problems: list[Problem]
) -> gpd.GeoDataFrame:
    """Build points (or A->B lines for ferries/links) from coordinate columns."""
    if layer in LINE_LAYERS:
        c = {
            k: numbers(frame, k, fname, problems).to_numpy()
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
        lon = numbers(frame, "lon", fname, problems).to_numpy()
        lat = numbers(frame, "lat", fname, problems).to_numpy()
        ok = np.isfinite(lon) & np.isfinite(lat)
        geoms = np.where(ok, shapely.points(np.nan_to_num(lon), np.nan_to_num(lat)), None)
        fields = "lon/lat"
    for rec in records(frame)[~ok]:
        problems.append(
            Problem(
                fname,
                rec,
                fields,
                "coordinates missing",
                "fill in both coordinates in decimal degrees",
            )
        )
    drop = [k for k in _COORDINATES if k in frame]
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
    """Resolve the layer's CRS (see :func:`netopt.io.load_region`) and return it in EPSG:4326."""
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
        if "crs" in spec:  # an unknown top-level crs is reported once, by check_config
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
    if (isinstance(crs, str) and crs == GCJ02) or crs.is_geographic:
        metres = _metres_problem(frame, layer, fname)
        if metres is not None:
            problems.append(metres)
            return None
    if isinstance(crs, str) and crs == GCJ02:
        frame = frame.set_crs("EPSG:4326", allow_override=True)
        frame.geometry = shapely.transform(frame.geometry.array, _gcj_to_wgs)
        return frame.set_crs("EPSG:4326", allow_override=True)
    frame = frame.set_crs(crs, allow_override=True)
    return frame if frame.crs == WGS84 else frame.to_crs(WGS84)


def _metres_problem(frame: gpd.GeoDataFrame, layer: str, fname: str) -> Problem | None:
    """One problem for a layer in degrees whose coordinates look like projected metres.

    Returns None unless at least half of the located records lie beyond -180..180 /
    -90..90 by metres-sized values (a few such records are reported one by one by
    :func:`netopt.validate.validate_region`).
    """
    geoms = frame.geometry.array
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not located.any():
        return None
    bounds = shapely.bounds(geoms[located])
    x = np.abs(bounds[:, [0, 2]]).max(axis=1)
    y = np.abs(bounds[:, [1, 3]]).max(axis=1)
    metres = ((x > 180) | (y > 90)) & (np.maximum(x, y) >= _METRES_MIN)
    n = int(metres.sum())
    if n < 0.5 * located.sum():
        return None
    first = records(frame)[located][metres][:5]
    x0, y0 = bounds[metres][0, 0], bounds[metres][0, 1]
    return Problem(
        fname,
        "",
        "geometry",
        f"coordinates look like projected metres (EPSG:3857?): {n:,} of "
        f"{int(located.sum()):,} records, e.g. ({x0:,.0f}, {y0:,.0f}) (first: {', '.join(first)})",
        f'declare crs = "EPSG:3857" (or the file\'s projected CRS) in [{layer}] of region.toml',
    )


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    """shapely.transform callback: GCJ-02 (n x 2) -> WGS-84.

    Only coordinates in range are converted; others are left as they are, for validation to
    report as out of range (the GCJ-02 formulas overflow on absurd values).
    """
    out = np.array(coords, dtype=float, copy=True)
    ok = np.isfinite(out).all(axis=1) & (np.abs(out[:, 0]) <= 180.0) & (np.abs(out[:, 1]) <= 90.0)
    if ok.any():
        lon, lat = gcj02_to_wgs84(out[ok, 0], out[ok, 1])
        out[ok, 0], out[ok, 1] = lon, lat
    return out


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
