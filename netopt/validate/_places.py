"""Checks of where things are and how many live there: the metric CRS, the region's extent,
ferry ports and facilities near land, the population, and the planning area.

Each ``check_*`` function returns a list of :class:`~netopt._errors.Problem`;
:func:`netopt.validate.find_problems` runs them all.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from netopt._crs import distance_to_shapes_km, haversine_km, is_projected
from netopt._errors import Problem
from netopt.region import Region

__all__ = [
    "WORLD_POPULATION",
    "check_extent",
    "check_facilities_on_land",
    "check_metric_crs",
    "check_planning_area",
    "check_population",
    "check_ports",
    "located_points",
]

#: More people than this in one zone (or one region) is always an error.
WORLD_POPULATION = 8.2e9


def check_metric_crs(region: Region) -> list[Problem]:
    """The metric CRS must parse and be projected."""
    if not is_projected(str(region.metric_crs)):
        return [
            Problem(
                "region",
                "",
                "metric_crs",
                f"{region.metric_crs!r} is not a projected CRS",
                'use a UTM zone such as "EPSG:32651" (or leave metric_crs out)',
            )
        ]
    return []


def located_points(region: Region, files: Mapping[str, str]) -> pd.DataFrame:
    """Return one row per located point: file, record, field, lon, lat."""
    parts = []
    for layer in ("facilities", "zones"):
        frame = getattr(region, layer)
        pts = frame.geometry.representative_point() if layer == "zones" else frame.geometry
        parts.append((files[layer], frame.index, "geometry", pts))
    for layer in ("ferries", "links"):
        frame = getattr(region, layer)
        lines = frame.geometry
        ok = lines.geom_type.eq("LineString")
        for end, field in ((0, "from_port"), (-1, "to_port")):
            pts = gpd.GeoSeries(shapely.get_point(lines[ok].array, end), index=lines.index[ok])
            parts.append(
                (files[layer], pts.index, field if layer == "ferries" else "geometry", pts)
            )
    rows = []
    for file, index, field, pts in parts:
        good = pts.notna() & ~pts.is_empty & pts.geom_type.eq("Point")
        rows.append(
            pd.DataFrame(
                {
                    "file": file,
                    "record": index[good.to_numpy()].astype(str),
                    "field": field,
                    "lon": pts[good].x.to_numpy(),
                    "lat": pts[good].y.to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def check_extent(
    region: Region, files: Mapping[str, str], *, extent_buffer_km: float, outlier_km: float
) -> list[Problem]:
    """Points must lie near the boundaries (or near the median point); detect swaps."""
    pts = located_points(region, files)
    if len(pts) == 0:
        return []
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    land = region.land()
    if land is not None and check_metric_crs(region) == []:
        area = gpd.GeoSeries([land], crs="EPSG:4326").to_crs(region.metric_crs)
        area = area.buffer(extent_buffer_km * 1000.0).to_crs("EPSG:4326").iloc[0]
        shapely.prepare(area)
        inside = shapely.contains_xy(area, lon, lat)
        swapped_in = shapely.contains_xy(area, lat, lon)
        where = f"more than {extent_buffer_km:g} km outside the region's boundaries"
    else:
        mlon, mlat = np.median(lon), np.median(lat)
        inside = haversine_km(lon, lat, mlon, mlat) <= outlier_km
        swapped_in = (np.abs(lon) <= 90) & (haversine_km(lat, lon, mlon, mlat) <= outlier_km)
        where = (
            f"more than {outlier_km:g} km from the median of all points ({mlon:.4f}, {mlat:.4f})"
        )
    invalid_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    problems = []
    bad = ~inside | invalid_range
    for row, swap in zip(pts[bad].itertuples(), swapped_in[bad], strict=True):
        out_of_range = [
            f"{axis} {value:g} is outside -{limit}..{limit}"
            for axis, value, limit in (("latitude", row.lat, 90), ("longitude", row.lon, 180))
            if abs(value) > limit
        ]
        found = (
            f"point ({row.lon:.6g}, {row.lat:.6g}) is {where}"
            if out_of_range
            else (f"point ({row.lon:.6f}, {row.lat:.6f}) is {where}")
        )
        if out_of_range:
            found = f"{'; '.join(out_of_range)}: {found}"
        if swap:
            found += "; longitude and latitude look swapped"
            fix = "swap the longitude and latitude values (lon is x, lat is y)"
        else:
            fix = "check the coordinates and the declared crs in region.toml"
        problems.append(Problem(row.file, row.record, row.field, found, fix))
    return problems


def check_ports(region: Region, file: str, *, port_max_km: float) -> list[Problem]:
    """Ferry ports must be within ``port_max_km`` of land (when boundaries exist)."""
    land = region.land()
    ferries = region.ferries
    if land is None or len(ferries) == 0 or check_metric_crs(region):
        return []
    lines = ferries[ferries.geom_type.eq("LineString")]
    if len(lines) == 0:
        return []
    land_m = gpd.GeoSeries([land], crs="EPSG:4326").to_crs(region.metric_crs).iloc[0]
    problems = []
    for end, field in ((0, "from_port"), (-1, "to_port")):
        ports = gpd.GeoSeries(
            shapely.get_point(lines.geometry.array, end), index=lines.index, crs="EPSG:4326"
        ).to_crs(region.metric_crs)
        dist_km = ports.distance(land_m).to_numpy() / 1000.0
        far = ~(dist_km <= port_max_km)
        for rec, d, name in zip(lines.index[far], dist_km[far], lines[field][far], strict=True):
            problems.append(
                Problem(
                    file,
                    str(rec),
                    field,
                    f"port '{name}' is {d:.1f} km from land",
                    f"move the port onto the coast (within {port_max_km:g} km), "
                    "or raise port_max_km under [validate]",
                )
            )
    return problems


def check_population(
    zones: pd.DataFrame, file: str, region: Region, *, max_density_per_km2: float
) -> list[Problem]:
    """A positive total population; no zone above the world population or too dense."""
    if len(zones) == 0:
        return []
    pop = pd.to_numeric(zones["population"], errors="coerce")
    problems = []
    total = float(pop.sum())
    if total <= 0 and pop.notna().any():
        problems.append(
            Problem(
                file,
                "",
                "population",
                f"the total population is {total:g}",
                "give each zone the number of people living in it (most zones have > 0)",
            )
        )
    records = zones.index.to_numpy(dtype=object)
    huge = (pop > WORLD_POPULATION).to_numpy()
    for rec, val in zip(records[huge], pop[huge], strict=True):
        problems.append(
            Problem(
                file,
                str(rec),
                "population",
                f"population {val:,.0f} is more than the world population "
                f"({WORLD_POPULATION:,.0f})",
                "check the population column (units, extra digits, a wrong column mapped)",
            )
        )
    if check_metric_crs(region) or zones.crs is None:
        return problems
    polygons = (
        zones.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        & shapely.is_valid(zones.geometry.array)
        & ~huge
    )
    if not polygons.any():
        return problems
    area_km2 = zones[polygons].geometry.to_crs(region.metric_crs).area.to_numpy() / 1e6
    density = pop[polygons].to_numpy() / np.where(area_km2 > 0, area_km2, np.nan)
    dense = density > max_density_per_km2
    for rec, val, d, a in zip(
        records[polygons][dense], pop[polygons][dense], density[dense], area_km2[dense], strict=True
    ):
        problems.append(
            Problem(
                file,
                str(rec),
                "population",
                f"population {val:,.0f} on {a:.3g} km² is {d:,.0f} people per km², more than "
                f"{max_density_per_km2:,.0f}",
                "check the population and the polygon (or raise max_density_per_km2 "
                "under [validate])",
            )
        )
    return problems


def check_facilities_on_land(region: Region, file: str, *, facility_max_km: float) -> list[Problem]:
    """Facilities must be within ``facility_max_km`` of a zone or a boundary polygon."""
    facilities = region.facilities
    if len(facilities) == 0 or len(region.zones) == 0 or check_metric_crs(region):
        return []
    pts = facilities.geometry
    ok = (pts.notna() & ~pts.is_empty & pts.geom_type.eq("Point")).to_numpy(copy=True)
    ok[ok] = (np.abs(pts[ok].y.to_numpy()) <= 90) & (np.abs(pts[ok].x.to_numpy()) <= 180)
    land = [region.zones.geometry]
    if region.boundaries is not None and len(region.boundaries):
        land.append(region.boundaries.geometry)
    shapes = gpd.GeoSeries(pd.concat(land, ignore_index=True), crs="EPSG:4326")
    dist_km = distance_to_shapes_km(pts[ok], shapes, region.metric_crs)
    far = dist_km > facility_max_km
    return [
        Problem(
            file,
            str(rec),
            "geometry",
            f"the facility is {d:.1f} km from the nearest zone or boundary",
            f"check its coordinates (within {facility_max_km:g} km of land expected), "
            "or raise facility_max_km under [validate]",
        )
        for rec, d in zip(facilities.index[ok][far], dist_km[far], strict=True)
    ]


def check_planning_area(region: Region, file: str) -> list[Problem]:
    """A planning area (region.toml ``area``) must hold the ``area`` code of some facility.

    Facilities without a code are placed by position when plans are made, so the check
    needs at least one valid code to say anything.
    """
    areas = region.area_codes
    facilities = region.facilities
    if not areas or len(facilities) == 0 or "area" not in facilities.columns:
        return []
    codes = sorted(
        {
            str(c).strip()
            for c in facilities["area"]
            if isinstance(c, str) and c.strip().isdigit() and c.strip().isascii()
        }
    )
    if not codes or any(c.startswith(areas) or a.startswith(c) for c in codes for a in areas):
        return []
    shown = ", ".join(codes[:5]) + (", ..." if len(codes) > 5 else "")
    return [
        Problem(
            "region",
            "",
            "area",
            f"the planning area {', '.join(areas)} holds no facility: the {file} area "
            f"codes are {shown}",
            "set region.toml area to the county's code (the first digits of the facilities' "
            "codes), or correct the area column",
        )
    ]
