"""The GIS layers of an :class:`~netopt.alliances.AlliancePlan`, as QGIS users expect them.

:func:`plan_layers` turns a plan into GeoDataFrames (EPSG:4326), one per GeoPackage layer:

``zones``
    Every zone with its assignment (:data:`netopt.kpis.ASSIGNMENT_COLUMNS`).
``facilities``
    Every facility with every attribute: the region's (``name``, any ``name_*`` column such as
    ``name_zh``, ``tier``, ``beds``, ``township``, ``area``, ``alliance`` as the data gives it,
    ...) and the plan's (``lead``, ``lead_name``, ``is_lead``, ``in_area``, ``population``, ...).
``alliances``
    One catchment polygon per alliance: the union of its zones (:func:`catchments`), with
    the alliance table's columns and its members (:func:`alliance_table`).
``leads``
    The lead hospitals as points, with the same columns.
``travel_time_bands``
    The zones dissolved by bands of ``t_lead_min`` (:data:`TIME_BANDS`).

:func:`write_layers` writes such layers into one GeoPackage; the network layers of a run
(ferries and links as the scenario ran them) are added by :mod:`netopt.scenario.geopackage`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import union_all

if TYPE_CHECKING:
    from netopt.alliances.plan import AlliancePlan

__all__ = [
    "POINT_RADIUS_M",
    "TIME_BANDS",
    "alliance_table",
    "catchments",
    "facilities_frame",
    "plan_layers",
    "time_bands",
    "write_layers",
]

#: Radius (metres) of the disc drawn around a zone given as a point, in catchments and bands.
POINT_RADIUS_M = 500.0

#: Bands of travel time to the lead: (label, lower, upper] minutes.
TIME_BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-15", -math.inf, 15.0),
    ("15-30", 15.0, 30.0),
    ("30-60", 30.0, 60.0),
    ("60-120", 60.0, 120.0),
    (">120", 120.0, math.inf),
)

_CRS = "EPSG:4326"


def _text(value: Any) -> Any:
    """A cell GDAL can store: sequences become ``;``-separated text."""
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return ";".join(map(str, value))
    return value


def facilities_frame(plan: AlliancePlan) -> pd.DataFrame:
    """Every facility with the region's attributes and the plan's.

    Parameters
    ----------
    plan : AlliancePlan

    Returns
    -------
    pandas.DataFrame
        Index facility id; the region's columns (``name``, ``name_*``, ``tier``, ``beds``,
        ``township``, ``area``, ``alliance`` as the data gives it, sequences as ``;`` text),
        then the plan's (``lead``, ``lead_name``, ``is_lead``, ``in_area``, ``population``,
        ``referrals_per_year``, ``mean_travel_min``); a column in both holds the plan's value.
    """
    ours = plan.facilities
    out = plan.region.facilities.drop(columns="geometry").reindex(ours.index)
    for col in ours.columns:
        out[col] = ours[col]  # the plan's value, in the region's column order where both
    names = plan.region.facilities["name"]
    if "lead" in out:
        at = out.columns.get_loc("lead") + 1
        out.insert(at, "lead_name", out["lead"].map(names))
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_text)
    return out


def alliance_table(plan: AlliancePlan) -> pd.DataFrame:
    """The plan's alliance table with its members (``alliances.csv``).

    Parameters
    ----------
    plan : AlliancePlan

    Returns
    -------
    pandas.DataFrame
        ``plan.alliances`` (every column, ``members`` the number of member facilities), then
        ``member_ids`` (the members, lead first then by id, separated by ``";"``, as other
        lists in the tables), ``member_names`` (their names in that order, separated by
        ``"; "``) and ``zones``: the number of zones assigned to the lead.
    """
    out = plan.alliances.copy()
    names = plan.region.facilities["name"]
    leads = plan.facilities["lead"]
    ids, labels = [], []
    for lead in out.index:
        members = sorted(leads.index[leads == lead].astype(str), key=lambda j: (j != lead, j))
        ids.append(";".join(members))
        labels.append("; ".join(str(names.get(j, j)) for j in members))
    out["member_ids"] = ids
    out["member_names"] = labels
    out["zones"] = plan.zones["lead"].value_counts().reindex(out.index).fillna(0).astype(int)
    return out


def _zone_areas(plan: AlliancePlan, *, point_radius_m: float) -> gpd.GeoSeries:
    """Zone geometries (EPSG:4326) in which points are discs of ``point_radius_m``."""
    geom = plan.region.zones.geometry.to_crs(_CRS)
    points = geom.geom_type.isin(["Point", "MultiPoint"])
    if points.any():
        discs = geom[points].to_crs(plan.region.metric_crs).buffer(point_radius_m).to_crs(_CRS)
        geom = geom.copy()
        geom[points] = discs
    return geom


def _dissolve(
    geom: gpd.GeoSeries, groups: pd.Series, zones: pd.DataFrame, order: list[Any]
) -> pd.DataFrame:
    """Per group: the union of its zones' geometries, its zone count and population."""
    rows = []
    by_key = groups.index.groupby(groups.to_numpy())  # one pass, not one mask per group
    for key in order:
        ids = by_key.get(key, groups.index[:0])
        rows.append(
            {
                "key": key,
                "zones": len(ids),
                "population": float(zones.loc[ids, "population"].sum()),
                "geometry": union_all(geom.reindex(ids).to_numpy()),
            }
        )
    return pd.DataFrame(rows, columns=["key", "zones", "population", "geometry"])


def catchments(plan: AlliancePlan, *, point_radius_m: float = POINT_RADIUS_M) -> gpd.GeoDataFrame:
    """One catchment polygon per alliance: the union of the zones assigned to its lead.

    Polygon zones are taken as they are. A zone given as a point (some regions give
    population points, not areas) becomes a disc of ``point_radius_m`` around it, so the
    catchment covers the point and shows where the alliance's residents live without
    claiming land between distant points (a convex hull would). Every zone assigned to a
    lead lies inside its catchment.

    Parameters
    ----------
    plan : AlliancePlan
    point_radius_m : float, optional
        Radius of the disc around a point zone, in metres (measured in
        ``region.metric_crs``).

    Returns
    -------
    geopandas.GeoDataFrame
        Index lead id (EPSG:4326); the columns of :func:`alliance_table` (``zones``:
        the zones in the catchment).
    """
    table = alliance_table(plan)
    zones = plan.zones
    geom = _zone_areas(plan, point_radius_m=point_radius_m)
    parts = _dissolve(geom, zones["lead"], zones, list(table.index))
    out = gpd.GeoDataFrame(table, geometry=parts["geometry"].to_numpy(), crs=_CRS)
    out.index.name = "lead"
    return out


def time_bands(plan: AlliancePlan, *, point_radius_m: float = POINT_RADIUS_M) -> gpd.GeoDataFrame:
    """The zones dissolved by bands of travel time to their lead (:data:`TIME_BANDS`).

    Zones given as points become discs of ``point_radius_m`` (as in :func:`catchments`).
    A zone with no finite time to a lead is in the band ``"none"``.

    Parameters
    ----------
    plan : AlliancePlan
    point_radius_m : float, optional

    Returns
    -------
    geopandas.GeoDataFrame
        ``band`` (``"0-15"`` ... ``">120"``), ``from_min``, ``to_min`` (the band is
        ``from_min < t_lead_min <= to_min``; ``to_min`` is empty for ``">120"``), ``zones``,
        ``population``; only bands that hold a zone.
    """
    zones = plan.zones
    t = pd.to_numeric(zones["t_lead_min"], errors="coerce").to_numpy(float)
    band = pd.Series("none", index=zones.index, dtype=object)
    limits = {}
    for label, lo, hi in TIME_BANDS:
        band[np.isfinite(t) & (t > lo) & (t <= hi)] = label
        limits[label] = (max(lo, 0.0), hi if math.isfinite(hi) else math.nan)
    limits["none"] = (math.nan, math.nan)
    order = [b for b in [*limits] if (band == b).any()]
    parts = _dissolve(_zone_areas(plan, point_radius_m=point_radius_m), band, zones, order)
    frame = pd.DataFrame(
        {
            "band": order,
            "from_min": [limits[b][0] for b in order],
            "to_min": [limits[b][1] for b in order],
            "zones": parts["zones"].to_numpy(),
            "population": parts["population"].to_numpy(),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=parts["geometry"].to_numpy(), crs=_CRS)


def plan_layers(plan: AlliancePlan) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of a plan (module docstring), each with its id as a column.

    Parameters
    ----------
    plan : AlliancePlan

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``zones``, ``facilities``, ``alliances``, ``leads``, ``travel_time_bands``.
    """
    zones = plan.to_geodataframe("zones").reset_index()
    fac = plan.to_geodataframe("facilities").reset_index()
    areas = catchments(plan)
    lead_geom = plan.region.facilities.geometry.to_crs(_CRS).reindex(areas.index)
    leads = gpd.GeoDataFrame(areas.drop(columns="geometry"), geometry=lead_geom, crs=_CRS)
    return {
        "zones": zones,
        "facilities": fac,
        "alliances": areas.reset_index(),
        "leads": leads.reset_index(),
        "travel_time_bands": time_bands(plan),
    }


def write_layers(layers: Mapping[str, gpd.GeoDataFrame], path: str | Path) -> Path:
    """Write layers into a new GeoPackage at ``path`` (not atomic: give it a temporary path).

    Empty layers are left out (GDAL cannot tell their geometry type).

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name to layer, written in this order.
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    mode = "w"
    for name, frame in layers.items():
        if len(frame) == 0:
            continue
        frame.to_file(path, layer=name, driver="GPKG", mode=mode)
        mode = "a"
    return path
