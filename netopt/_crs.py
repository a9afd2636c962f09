"""Coordinate reference systems: the one home of netopt's CRS helpers.

Every layer of a :class:`~netopt.region.Region` is in WGS-84 longitude/latitude
(:data:`WGS84`); distances are measured in a projected metric CRS, a UTM zone picked by
:func:`pick_metric_crs`. Region files may declare their coordinates as WGS-84, GCJ-02
(:data:`GCJ02`, the datum of Chinese web maps, which is not an EPSG CRS) or any CRS pyproj
understands; :func:`parse_crs` reads such a declaration. Building a :class:`pyproj.CRS`
queries PROJ's database (tens of milliseconds), so text is parsed once and cached
(:func:`as_crs`).
"""

from __future__ import annotations

import functools
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from scipy.spatial import cKDTree

from netopt._errors import Problem

__all__ = [
    "GCJ02",
    "GCJ02_ALIASES",
    "WGS84",
    "WGS84_ALIASES",
    "as_crs",
    "distance_to_shapes_km",
    "haversine_km",
    "is_projected",
    "parse_crs",
    "pick_metric_crs",
    "wgs84_problems",
]

#: The value :func:`parse_crs` returns for the GCJ-02 datum (not an EPSG CRS).
GCJ02 = "GCJ-02"
#: Declarations read as GCJ-02 (compared in lower case, without surrounding spaces).
GCJ02_ALIASES: frozenset[str] = frozenset({"gcj-02", "gcj02", "gcj_02", "gcj"})
#: Declarations read as WGS-84 (compared in lower case, without surrounding spaces).
WGS84_ALIASES: frozenset[str] = frozenset({"wgs84", "wgs-84", "wgs 84", "epsg:4326"})

_EARTH_RADIUS_KM = 6371.0088


@functools.lru_cache(maxsize=64)
def _cached(text: str) -> CRS:
    """Parse CRS text once."""
    return CRS.from_user_input(text)


def as_crs(value: Any) -> CRS:
    """Return ``value`` as a :class:`pyproj.CRS`, parsing text only once (cached).

    Parameters
    ----------
    value : str, int, pyproj.CRS or anything :meth:`pyproj.CRS.from_user_input` reads
        E.g. ``"EPSG:32651"``, ``4326``.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    pyproj.exceptions.CRSError
        If pyproj cannot read it.
    """
    if isinstance(value, CRS):
        return value
    if isinstance(value, str):
        return _cached(value)
    return CRS.from_user_input(value)


#: WGS-84 longitude/latitude, the CRS of every layer.
WGS84: CRS = as_crs("EPSG:4326")


def is_projected(crs: Any) -> bool:
    """Return True if ``crs`` is a projected CRS (one in which distances are metres, say).

    Parameters
    ----------
    crs : str, int, pyproj.CRS or None
        Anything :func:`as_crs` reads.

    Returns
    -------
    bool
        False for None and for a value pyproj cannot read, as well as for geographic CRSs.

    Examples
    --------
    >>> is_projected("EPSG:32651"), is_projected("EPSG:4326")
    (True, False)
    """
    if crs is None:
        return False
    try:
        return bool(as_crs(crs).is_projected)
    except CRSError:
        return False


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

    Examples
    --------
    >>> parse_crs("gcj02")
    'GCJ-02'
    >>> parse_crs("WGS 84").to_epsg()
    4326
    """
    key = str(value).strip().lower()
    if key in GCJ02_ALIASES:
        return GCJ02
    if key in WGS84_ALIASES:
        return WGS84
    try:
        return as_crs(str(value).strip())
    except CRSError as exc:
        raise ValueError(f"unknown CRS {value!r}") from exc


def haversine_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Return great-circle distances in km between lon/lat points (broadcasting).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array-like
        Degrees.

    Returns
    -------
    numpy.ndarray
    """
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


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


def distance_to_shapes_km(
    points: gpd.GeoSeries, shapes: gpd.GeoSeries, metric_crs: Any, *, step_m: float = 250.0
) -> np.ndarray:
    """Return the distance in km from each point to the nearest of ``shapes``.

    A KD-tree (:class:`scipy.spatial.cKDTree`) of the shapes' vertices in ``metric_crs``,
    densified every ``step_m`` metres, answers the queries, so a distance is at most
    ``step_m / 2`` too large; points inside a valid polygon are at distance 0.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points, with a CRS.
    shapes : geopandas.GeoSeries
        Points, lines or polygons, with a CRS.
    metric_crs : str or pyproj.CRS
        A projected CRS in metres.
    step_m : float, default 250
        The densification step.

    Returns
    -------
    numpy.ndarray
        One distance per point (``inf`` when there are no usable shapes).
    """
    shapes = shapes[shapes.notna() & ~shapes.is_empty].to_crs(metric_crs)
    xy = shapely.get_coordinates(points.to_crs(metric_crs).array)
    coords = shapely.get_coordinates(shapely.segmentize(shapes.array, step_m))
    coords = coords[np.isfinite(coords).all(axis=1)]
    if len(xy) == 0 or len(coords) == 0:
        return np.full(len(xy), np.inf)
    dist_m, _ = cKDTree(coords).query(xy)
    polygons = [g for g in shapes if g.geom_type in ("Polygon", "MultiPolygon") and g.is_valid]
    if polygons:
        land = shapely.union_all(polygons)
        shapely.prepare(land)
        dist_m = np.where(shapely.contains_xy(land, xy[:, 0], xy[:, 1]), 0.0, dist_m)
    return dist_m / 1000.0


def wgs84_problems(frame: gpd.GeoDataFrame, layer: str, file: str) -> list[Problem]:
    """Return a problem unless ``frame`` is in EPSG:4326 (every layer of a region must be).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One layer.
    layer : str
        Its name, e.g. ``"facilities"``.
    file : str
        The file (or layer name) to name in the problem.

    Returns
    -------
    list of Problem
        Empty when the layer is in EPSG:4326.
    """
    if frame.crs is None:
        return [
            Problem(
                file,
                "",
                "crs",
                f"the {layer} layer has no CRS",
                'declare crs = "EPSG:4326" (or "GCJ-02", "EPSG:nnnn")',
            )
        ]
    if frame.crs != WGS84:
        return [
            Problem(
                file,
                "",
                "crs",
                f"the {layer} layer is in {frame.crs.to_string()}",
                "reproject it to EPSG:4326 (frame.to_crs(4326))",
            )
        ]
    return []
