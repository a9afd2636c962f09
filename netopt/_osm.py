"""Read roads and ferry routes from an OpenStreetMap extract (``.osm.pbf`` or ``.osm`` XML).

``.pbf`` files are read with pyrosm, ``.osm``/``.xml`` files with osmnx. Both readers'
default road filters drop ``route=ferry`` ways, so ferries are read with a separate tag
filter and returned as rows shaped like :attr:`netopt.Region.ferries`:
``source = "osm:way/<id>"``, ``estimated = True``, ``crossing_min`` from the ``duration``
tag when present, otherwise from the way's geodesic length at
:data:`DEFAULT_FERRY_SPEED_KMH`; ``headway_min`` from the ``interval`` tag, otherwise
:data:`DEFAULT_FERRY_HEADWAY_MIN`. A ferry way that the extract clips to a single point is
kept (``crossing_min`` 0) with a :class:`~netopt._errors.NetoptWarning`.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from netopt._errors import NetoptWarning

__all__ = [
    "DEFAULT_FERRY_HEADWAY_MIN",
    "DEFAULT_FERRY_SPEED_KMH",
    "DRIVABLE_HIGHWAYS",
    "parse_duration_min",
    "parse_maxspeed",
    "parse_oneway",
    "read_osm",
]

logger = logging.getLogger(__name__)

#: Speed (km/h) used for a ferry way without a ``duration`` tag: about 11 knots, a typical
#: service speed of the small passenger and car ferries of Chinese island counties.
DEFAULT_FERRY_SPEED_KMH: float = 20.0

#: Headway (minutes) used for a ferry way without an ``interval`` tag (one sailing an hour;
#: OSM rarely carries timetables, so such rows are marked ``estimated``).
DEFAULT_FERRY_HEADWAY_MIN: float = 60.0

#: ``highway`` classes kept as roads (motor traffic).
DRIVABLE_HIGHWAYS: tuple[str, ...] = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
)

_MPH_TO_KMH = 1.609344
_KNOT_TO_KMH = 1.852
_GEOD = Geod(ellps="WGS84")
_ROAD_COLUMNS = ["highway", "maxspeed_kmh", "oneway", "name"]
_FERRY_COLUMNS = [
    "name",
    "from_port",
    "to_port",
    "crossing_min",
    "headway_min",
    "departures_ab",
    "departures_ba",
    "service_start",
    "service_end",
    "kind",
    "source",
    "estimated",
]


def _tag_text(values: pd.Series) -> pd.Series:
    """Raw tag values as stripped pandas strings, ``<NA>`` where missing."""
    return values.astype("object").where(values.notna(), None).astype("string").str.strip()


def parse_maxspeed(values: pd.Series) -> pd.Series:
    """Parse OSM ``maxspeed`` tags to km/h.

    ``"50"`` -> 50, ``"50 mph"`` -> 80.47, ``"10 knots"`` -> 18.52, ``"50;60"`` -> 50 (the
    first value); symbolic values such as ``"RU:urban"``, ``"walk"``, ``"none"`` -> NaN.

    Parameters
    ----------
    values : pandas.Series
        Raw tag values (strings or missing).

    Returns
    -------
    pandas.Series of float
        Speeds in km/h, NaN where the tag is missing or not numeric.
    """
    text = _tag_text(values)
    first = text.str.split(";").str[0].str.strip().str.lower()
    parts = first.str.extract(r"^(\d+(?:\.\d+)?)\s*(mph|knots|kn|km/h|kmh|kph)?$")
    number = pd.to_numeric(parts[0], errors="coerce").astype("float64")
    unit = parts[1].fillna("")
    factor = np.select(
        [unit.eq("mph").to_numpy(bool), unit.isin(["knots", "kn"]).to_numpy(bool)],
        [_MPH_TO_KMH, _KNOT_TO_KMH],
        default=1.0,
    )
    return pd.Series((number.to_numpy(dtype=float, na_value=np.nan) * factor), index=values.index)


def parse_duration_min(values: pd.Series) -> pd.Series:
    """Parse OSM ``duration`` tags (``"mm"``, ``"hh:mm"``, ``"hh:mm:ss"``, ``"PT1H30M"``).

    Parameters
    ----------
    values : pandas.Series
        Raw tag values.

    Returns
    -------
    pandas.Series of float
        Minutes, NaN where missing or unparseable.
    """
    text = _tag_text(values)
    clock = text.str.extract(r"^(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?$")
    h_m_s = clock.apply(pd.to_numeric, errors="coerce").astype("float64")
    one_field = h_m_s[1].isna()
    from_clock = np.where(
        one_field,
        h_m_s[0],  # a bare number is minutes
        h_m_s[0] * 60.0 + h_m_s[1] + h_m_s[2].fillna(0.0) / 60.0,
    )
    iso = text.str.upper().str.extract(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+)S)?$")
    iso_num = iso.apply(pd.to_numeric, errors="coerce").astype("float64")
    iso_ok = iso_num.notna().any(axis=1)
    from_iso = iso_num[0].fillna(0) * 60.0 + iso_num[1].fillna(0) + iso_num[2].fillna(0) / 60.0
    out = np.where(iso_ok, from_iso, from_clock)
    return pd.Series(out.astype(float), index=values.index)


def parse_oneway(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse OSM ``oneway`` tags.

    Parameters
    ----------
    values : pandas.Series
        Raw tag values.

    Returns
    -------
    (pandas.Series of bool, pandas.Series of bool)
        ``oneway`` ("yes", "true", "1", "-1", "reverse") and ``reverse`` ("-1", "reverse":
        traffic runs against the drawing direction, so the line must be reversed).
    """
    text = _tag_text(values)
    text = text.str.lower().fillna("")
    reverse = text.isin(["-1", "reverse"])
    oneway = text.isin(["yes", "true", "1"]) | reverse
    return oneway.astype(bool), reverse.astype(bool)


def read_osm(
    path: str | os.PathLike[str], *, ferry_speed_kmh: float = DEFAULT_FERRY_SPEED_KMH
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read drivable roads and ``route=ferry`` ways from an OpenStreetMap file.

    Parameters
    ----------
    path : path-like
        An ``.osm.pbf`` (pyrosm) or ``.osm`` / ``.xml`` (osmnx) file.
    ferry_speed_kmh : float, default :data:`DEFAULT_FERRY_SPEED_KMH`
        Speed used for ferry ways without a ``duration`` tag.

    Returns
    -------
    (geopandas.GeoDataFrame, geopandas.GeoDataFrame)
        ``roads`` (index ``"way/<id>"``; highway, maxspeed_kmh, oneway, name; lines drawn in
        the direction of travel for ``oneway=-1``) and ``ferries`` (the ferry schema of
        :class:`netopt.Region`), both in EPSG:4326.

    Raises
    ------
    ValueError
        If the file extension is not an OSM format.
    """
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".pbf"):
        raw_roads, raw_ferries = _read_pbf(path)
    elif name.endswith((".osm", ".xml")):
        raw_roads, raw_ferries = _read_xml(path)
    else:
        raise ValueError(f"{path}: not an OpenStreetMap file (expected .osm.pbf, .osm or .xml)")
    roads = _roads_frame(raw_roads)
    ferries = _ferries_frame(raw_ferries, ferry_speed_kmh=ferry_speed_kmh)
    logger.info("read %d road ways and %d ferry ways from %s", len(roads), len(ferries), path)
    return roads, ferries


def _read_pbf(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return raw road and ferry ways from a .pbf with pyrosm (tags as columns)."""
    import pyrosm  # imported lazily: pyrosm is slow to import

    osm = pyrosm.OSM(str(path))
    roads = osm.get_network(network_type="driving")
    ferries = osm.get_data_by_custom_criteria(
        custom_filter={"route": ["ferry"]},
        filter_type="keep",
        keep_nodes=False,
        keep_ways=True,
        keep_relations=False,
    )
    return _expand_tags(roads), _expand_tags(ferries)


def _expand_tags(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Merge pyrosm's JSON ``tags`` column into ordinary columns (existing columns win)."""
    if frame is None or len(frame) == 0:
        return pd.DataFrame({"id": [], "geometry": []})
    frame = frame.reset_index(drop=True)
    if "tags" in frame.columns:
        extra = pd.DataFrame.from_records(
            [
                json.loads(t) if isinstance(t, str) else (t if isinstance(t, dict) else {})
                for t in frame["tags"]
            ],
            index=frame.index,
        )
        extra = extra[[c for c in extra.columns if c not in frame.columns]]
        frame = pd.concat([frame.drop(columns="tags"), extra], axis=1)
    return frame


def _read_xml(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return raw road and ferry ways from an .osm XML file with osmnx."""
    import osmnx as ox

    feats = ox.features_from_xml(path, tags={"highway": True, "route": "ferry"})
    feats = feats[feats.index.get_level_values("element") == "way"]
    feats = feats[feats.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    feats = feats.reset_index()  # index levels "element", "id" become columns
    cols = feats.columns
    is_ferry = feats["route"].eq("ferry") if "route" in cols else pd.Series(False, feats.index)
    no_road = pd.Series(False, feats.index)
    is_road = feats["highway"].isin(DRIVABLE_HIGHWAYS) if "highway" in cols else no_road
    return feats[is_road & ~is_ferry], feats[is_ferry]


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    """Return a tag column, or an all-missing column when no feature has the tag."""
    if key in frame.columns:
        return frame[key]
    return pd.Series([None] * len(frame), index=frame.index, dtype="object")


def _way_index(frame: pd.DataFrame) -> pd.Index:
    """Return ``"way/<id>"`` labels for OSM ways."""
    ids = pd.to_numeric(frame["id"], errors="coerce").astype("Int64").astype("string")
    return pd.Index(("way/" + ids).astype(object).tolist(), name="id", dtype=object)


def _text(series: pd.Series) -> pd.Series:
    """Return an object column of str or None."""
    out = series.astype("object")
    return out.where(out.notna(), None)


def _roads_frame(raw: pd.DataFrame) -> gpd.GeoDataFrame:
    """Shape raw road ways into the roads schema."""
    if len(raw) == 0:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype="object") for c in _ROAD_COLUMNS},
            geometry=gpd.GeoSeries([], crs="EPSG:4326"),
            index=pd.Index([], name="id", dtype=object),
        ).astype({"maxspeed_kmh": "float64", "oneway": "bool"})
    oneway, reverse = parse_oneway(_column(raw, "oneway"))
    geoms = np.asarray(gpd.GeoSeries(raw["geometry"]).array, dtype=object)
    flip = reverse.to_numpy()
    if flip.any():
        geoms[flip] = shapely.reverse(geoms[flip])
    highway = _text(_column(raw, "highway")).fillna("road")
    data = {
        "highway": highway.to_numpy(dtype=object),
        "maxspeed_kmh": parse_maxspeed(_column(raw, "maxspeed")).to_numpy(dtype=float),
        "oneway": oneway.to_numpy(dtype=bool),
        "name": _text(_column(raw, "name")).to_numpy(dtype=object),
    }
    index = _way_index(raw)
    roads = gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326", index=index)
    return roads[~roads.index.duplicated()]


def _ferries_frame(raw: pd.DataFrame, *, ferry_speed_kmh: float) -> gpd.GeoDataFrame:
    """Shape raw ferry ways into the ferry schema, estimating crossing times."""
    index = _way_index(raw) if len(raw) else pd.Index([], name="id", dtype=object)
    geoms = gpd.GeoSeries(list(raw["geometry"]) if len(raw) else [], crs="EPSG:4326")
    geoms.index = index
    length_m = pd.Series(
        [_GEOD.geometry_length(g) if g is not None else np.nan for g in geoms],
        index=index,
        dtype="float64",
    )
    duration = parse_duration_min(_column(raw, "duration"))
    duration.index = index
    from_length = length_m / 1000.0 / ferry_speed_kmh * 60.0
    crossing = duration.where(duration.notna(), from_length)
    interval = parse_duration_min(_column(raw, "interval"))
    interval.index = index
    headway = interval.fillna(DEFAULT_FERRY_HEADWAY_MIN)
    vehicles = pd.Series(False, index=raw.index)
    for key in ("motor_vehicle", "motorcar", "hgv"):
        vehicles |= _column(raw, key).isin(["yes", "designated"])
    names = _text(_column(raw, "name")).to_numpy(dtype=object)
    names = np.where(pd.isna(names), "ferry " + index.to_numpy(dtype=object).astype(str), names)
    n = len(raw)
    data: dict[str, Any] = {
        "name": names.astype(object),
        "from_port": [f"{i}:start" for i in index],
        "to_port": [f"{i}:end" for i in index],
        "crossing_min": crossing.to_numpy(dtype=float),
        "headway_min": headway.to_numpy(dtype=float),
        "departures_ab": [()] * n,
        "departures_ba": [()] * n,
        "service_start": ["00:00"] * n,
        "service_end": ["24:00"] * n,
        "kind": np.where(vehicles.to_numpy(bool), "both", "passenger").astype(object),
        "source": [f"osm:{i}" for i in index],
        "estimated": np.ones(n, dtype=bool),
    }
    ferries = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326", index=index)
    for col in ("from_port", "to_port", "service_start", "service_end", "source"):
        ferries[col] = ferries[col].astype(object)
    short = length_m.lt(1.0) & duration.isna()
    for way in index[short.to_numpy()]:
        warnings.warn(
            f"ferry {way} is clipped by the extract to a single point (length under 1 m); "
            "it is kept with crossing_min 0: use a larger extract to route over it",
            NetoptWarning,
            stacklevel=4,
        )
    return ferries[~ferries.index.duplicated()]
