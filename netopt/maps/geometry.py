"""Geometry for drawing: zone cells, catchments dissolved from them, GeoJSON features.

Resident zones are not drawn one by one: Voronoi cells of the zones (or the zone polygons)
are dissolved into one area per alliance and one per travel-time band, clipped to the land,
simplified to screen precision and written with 5 decimals (about 1 m).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from netopt._errors import DataError, Problem
from netopt.maps.tables import clean_ids, minutes

__all__ = [
    "clip_simplify",
    "dissolve_cells",
    "extent",
    "feature",
    "line_features",
    "point_features",
    "zone_cells",
    "zone_groups",
]


def extent(*frames: gpd.GeoSeries | gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    """Return the bounds ``(minx, miny, maxx, maxy)`` of the frames with finite coordinates.

    Parameters
    ----------
    *frames : geopandas.GeoSeries or GeoDataFrame or None

    Returns
    -------
    tuple of float

    Raises
    ------
    DataError
        When no frame has finite coordinates.
    """
    boxes = [np.asarray(f.total_bounds) for f in frames if f is not None and len(f)]
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        raise DataError(
            Problem(
                "map",
                "",
                "geometry",
                "no finite coordinates in the region",
                "check the facilities and zones layers",
            )
        )
    b = np.vstack(boxes)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def zone_cells(
    zones: gpd.GeoSeries, *, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Return an area per zone: its polygon, or its Voronoi cell when zones are points.

    Cells are computed once per distinct location, in a locally equal-area frame (longitude
    scaled by the cosine of the mean latitude), extended to ``bounds``; zones at the same
    location share a cell, which is given to the first of them.

    Parameters
    ----------
    zones : geopandas.GeoSeries
        Zone geometries in EPSG:4326.
    bounds : tuple of float, keyword-only
        ``(minx, miny, maxx, maxy)`` the cells must cover.

    Returns
    -------
    cells : numpy.ndarray of shapely geometries
        One area per distinct location (EPSG:4326).
    owner : numpy.ndarray of int
        Position in ``zones`` of the zone each cell belongs to.
    """
    geoms = zones.geometry.to_numpy()
    if len(geoms) and bool(np.all(shapely.get_type_id(geoms) >= 3)):  # (multi)polygons
        return geoms, np.arange(len(geoms))
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms))
    k = math.cos(math.radians(float(np.mean(pts[:, 1])))) if len(pts) else 1.0
    scale = np.array([k, 1.0])
    uniq, first = np.unique(np.round(pts * scale, 7), axis=0, return_index=True)
    minx, miny, maxx, maxy = bounds
    pad = 0.05 * max(maxx - minx, maxy - miny, 1e-3)
    box = shapely.box((minx - pad) * k, miny - pad, (maxx + pad) * k, maxy + pad)
    if len(uniq) == 1:
        cells = np.array([box])
    else:
        vor = shapely.voronoi_polygons(shapely.multipoints(uniq), extend_to=box, ordered=True)
        cells = shapely.get_parts(vor)  # clipped after dissolving (cheaper)
    cells = shapely.transform(cells, lambda c: c / scale)
    return np.asarray(cells), first


def dissolve_cells(cells: np.ndarray, labels: np.ndarray, *, coverage: bool) -> dict[Any, Any]:
    """Union the cells of each label.

    Parameters
    ----------
    cells : numpy.ndarray of shapely geometries
    labels : numpy.ndarray
        One label per cell.
    coverage : bool, keyword-only
        True when the cells do not overlap (Voronoi cells): uses the fast coverage union.

    Returns
    -------
    dict
        Label to dissolved geometry.
    """
    order = np.argsort(labels, kind="stable")
    keys, starts = np.unique(labels[order], return_index=True)
    union = shapely.coverage_union_all if coverage else shapely.union_all
    parts = np.split(cells[order], starts[1:])
    return {key: union(part) for key, part in zip(keys.tolist(), parts)}


def clip_simplify(geom: Any, clip: Any, tolerance: float, precision: int) -> Any:
    """Clip a geometry (to the land), simplify it and round its coordinates; keep it valid.

    Parameters
    ----------
    geom : shapely geometry
    clip : shapely geometry or None
    tolerance : float
        Simplification tolerance in degrees.
    precision : int
        Decimals kept.

    Returns
    -------
    shapely geometry
    """
    if clip is not None:
        geom = shapely.intersection(geom, clip)
    geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.transform(geom, lambda c: np.round(c, precision))
    return shapely.make_valid(geom) if not shapely.is_valid(geom) else geom


def feature(geom: Any, props: dict[str, Any], precision: int) -> dict[str, Any] | None:
    """Return a GeoJSON feature with rounded coordinates (None for an empty geometry).

    Parameters
    ----------
    geom : shapely geometry or None
    props : dict
        The feature's properties.
    precision : int
        Decimals kept.

    Returns
    -------
    dict or None
    """
    if geom is None or shapely.is_empty(geom):
        return None
    geom = shapely.transform(geom, lambda c: np.round(c, precision))
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geom)),
        "properties": props,
    }


def point_features(
    xy: np.ndarray, props: Sequence[dict[str, Any]], precision: int
) -> list[dict[str, Any]]:
    """Return one GeoJSON Point feature per row of ``xy`` (lon, lat).

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
    props : sequence of dict
        One per point.
    precision : int

    Returns
    -------
    list of dict
    """
    xy = np.round(np.asarray(xy, dtype=float), precision)
    return [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": p}
        for (x, y), p in zip(xy.tolist(), props)
    ]


def line_features(
    a: np.ndarray, b: np.ndarray, props: Sequence[dict[str, Any]], precision: int
) -> list[dict[str, Any]]:
    """Return one straight GeoJSON LineString feature from each row of ``a`` to that of ``b``.

    Parameters
    ----------
    a, b : numpy.ndarray, shape (n, 2)
        Start and end (lon, lat).
    props : sequence of dict
    precision : int

    Returns
    -------
    list of dict
    """
    a = np.round(np.asarray(a, dtype=float), precision).tolist()
    b = np.round(np.asarray(b, dtype=float), precision).tolist()
    return [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [p, q]},
            "properties": pr,
        }
        for p, q, pr in zip(a, b, props)
    ]


def zone_groups(
    plan: Any,
    bounds: tuple[float, float, float, float],
    tolerance: float,
    precision: int,
    *,
    bands_min: Sequence[float],
    band_time: str,
    land: Any,
) -> tuple[dict[str, Any], dict[int, Any], pd.DataFrame]:
    """Catchment and band areas (dissolved cells), plus per-zone rows for the zone layer.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
    bounds : tuple of float
        The region's extent (:func:`extent`).
    tolerance : float
        Simplification tolerance in degrees.
    precision : int
        Decimals kept.
    bands_min : sequence of float, keyword-only
        Travel-time band limits.
    band_time : {"nearest", "assigned"}, keyword-only
        Time to the nearest lead or to the zone's own lead.
    land : shapely geometry or None, keyword-only
        Clips the areas; without it, the zones' convex hull (buffered) does.

    Returns
    -------
    catchments : dict of str to geometry
        Lead id ('' for zones without a lead) to area.
    bands : dict of int to geometry
        Band index to area.
    zplan : pandas.DataFrame
        ``plan.zones`` aligned with the region's zones.
    """
    region = plan.region
    zplan = plan.zones.reindex(region.zones.index.astype(str))
    cells, owner = zone_cells(region.zones.geometry, bounds=bounds)
    coverage = not bool(np.all(shapely.get_type_id(region.zones.geometry.to_numpy()) >= 3))
    lead = clean_ids(zplan["lead"]).to_numpy() if "lead" in zplan else np.full(len(zplan), "")
    t_band = minutes(zplan, "t_nearest_lead" if band_time == "nearest" else "t_lead").to_numpy()
    clip = land
    if clip is None:
        clip = shapely.convex_hull(
            shapely.multipoints(shapely.get_coordinates(region.zones.geometry.to_numpy()))
        ).buffer(2 * tolerance * 40)
    else:
        clip = shapely.simplify(clip, tolerance / 2, preserve_topology=True)
    catch = dissolve_cells(cells, lead[owner].astype(str), coverage=coverage)
    t = np.where(np.isfinite(t_band), t_band, np.inf)
    band = np.digitize(t, np.asarray(bands_min, dtype=float), right=True)
    bands = dissolve_cells(cells, band[owner], coverage=coverage)
    catch = {k: clip_simplify(g, clip, tolerance, precision) for k, g in catch.items()}
    bands = {k: clip_simplify(g, clip, tolerance, precision) for k, g in bands.items()}
    return catch, bands, zplan
