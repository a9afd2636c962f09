"""Check a :class:`~netopt.region.Region` and report every problem in one pass.

:func:`find_problems` returns the list of :class:`~netopt._errors.Problem` records;
:func:`validate_region` raises them as one :class:`~netopt._errors.DataError`.
:func:`netopt.load_region` runs the same checks after reading the files, so a region built
in code and a region loaded from files are held to the same rules.

Checks: layers in EPSG:4326 and a projected metric CRS; non-empty facilities and zones;
unique, non-empty ids; valid geometry of the expected type; population present and not
negative; capacities, crossing and travel times not negative; known tier labels; experts'
home facilities (and zones' primary facilities, facilities' alliances) exist; weekdays in
0..6; ferries have a headway or a timetable, and headways and crossing times are positive;
experts' ``max_days_per_month`` in 0..31; a positive total population, no zone with more
people than the world or denser than ``max_density_per_km2``; coordinates within
-180..180 / -90..90 and inside the region (with a hint when longitude and latitude look
swapped); ferry ports near land; facilities near land (a KD-tree on projected coordinates
of the zones and the boundaries).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from netopt._crs import distance_to_shapes_km, haversine_km, is_projected, wgs84_problems
from netopt._errors import DataError, Problem
from netopt.region import TIERS, Region

__all__ = [
    "DEFAULT_LIMITS",
    "WORLD_POPULATION",
    "find_problems",
    "haversine_km",
    "validate_region",
]

logger = logging.getLogger(__name__)

#: Default thresholds (override with keyword arguments or a ``[validate]`` table in
#: region.toml): how far outside the boundary polygons a point may lie, how far from the
#: median point when there are no boundaries, how far a ferry port may be from land, how
#: far a facility may be from every zone and boundary, and the highest plausible population
#: density of a polygon zone (people per km²).
DEFAULT_LIMITS: dict[str, float] = {
    "extent_buffer_km": 50.0,
    "outlier_km": 300.0,
    "port_max_km": 2.0,
    "facility_max_km": 5.0,
    "max_density_per_km2": 100_000.0,
}
#: More people than this in one zone (or one region) is always an error.
WORLD_POPULATION = 8.2e9

_GEOM_TYPES: dict[str, tuple[str, ...]] = {
    "facilities": ("Point",),
    "zones": ("Point", "Polygon", "MultiPolygon"),
    "ferries": ("LineString",),
    "links": ("LineString",),
    "boundaries": ("Polygon", "MultiPolygon"),
    "roads": ("LineString", "MultiLineString"),
}
_NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "facilities": ("beds", "outpatient_per_day"),
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


def validate_region(
    region: Region,
    *,
    extent_buffer_km: float = DEFAULT_LIMITS["extent_buffer_km"],
    outlier_km: float = DEFAULT_LIMITS["outlier_km"],
    port_max_km: float = DEFAULT_LIMITS["port_max_km"],
    facility_max_km: float = DEFAULT_LIMITS["facility_max_km"],
    max_density_per_km2: float = DEFAULT_LIMITS["max_density_per_km2"],
) -> None:
    """Raise :class:`DataError` listing every problem in ``region``; return None if valid.

    Parameters
    ----------
    region : Region
        A region built in code or loaded from files.
    extent_buffer_km : float, default 50
        Points farther than this outside the boundary polygons are "outside the region".
    outlier_km : float, default 300
        Without boundaries: points farther than this from the median point are outside.
    port_max_km : float, default 2
        Ferry ports farther than this from land (the boundary polygons) are reported.
    facility_max_km : float, default 5
        Facilities farther than this from every zone and boundary polygon are reported.
    max_density_per_km2 : float, default 100,000
        Polygon zones with more people per km² than this are reported.

    Raises
    ------
    DataError
        With one :class:`Problem` per issue found.
    """
    problems = find_problems(
        region,
        extent_buffer_km=extent_buffer_km,
        outlier_km=outlier_km,
        port_max_km=port_max_km,
        facility_max_km=facility_max_km,
        max_density_per_km2=max_density_per_km2,
    )
    if problems:
        raise DataError(problems)


def find_problems(
    region: Region,
    *,
    files: Mapping[str, str] | None = None,
    extent_buffer_km: float = DEFAULT_LIMITS["extent_buffer_km"],
    outlier_km: float = DEFAULT_LIMITS["outlier_km"],
    port_max_km: float = DEFAULT_LIMITS["port_max_km"],
    facility_max_km: float = DEFAULT_LIMITS["facility_max_km"],
    max_density_per_km2: float = DEFAULT_LIMITS["max_density_per_km2"],
) -> list[Problem]:
    """Return every problem found in ``region`` (empty list when it is valid).

    Parameters
    ----------
    region : Region
        The region to check.
    files : mapping, optional
        Layer name to the file it came from, used to name files in problems (default: the
        layer name).
    extent_buffer_km, outlier_km, port_max_km, facility_max_km, max_density_per_km2 : float
        See :func:`validate_region`.

    Returns
    -------
    list of Problem
    """
    files = {layer: (files or {}).get(layer, layer) for layer in _GEOM_TYPES | {"experts": ()}}
    problems: list[Problem] = []
    problems += _check_metric_crs(region)
    for layer in ("facilities", "zones"):
        if len(getattr(region, layer)) == 0 and layer in files:
            problems.append(
                Problem(
                    files[layer],
                    "",
                    "",
                    f"there are no {layer}",
                    f"a region needs at least one record in {layer}",
                )
            )
    for layer in (*_GEOM_TYPES, "experts"):
        frame = getattr(region, layer)
        if frame is None or len(frame) == 0:
            continue
        f = files[layer]
        problems += _check_ids(frame, f)
        problems += _check_numbers(frame, layer, f)
        if layer in _GEOM_TYPES:
            problems += wgs84_problems(frame, layer, f)
            problems += _check_geometry(frame, layer, f)
    problems += _check_tiers(region.facilities, files["facilities"])
    problems += _check_references(region, files)
    problems += _check_weekdays(region.experts, files["experts"])
    problems += _check_timetables(region.ferries, files["ferries"])
    problems += _check_population(
        region.zones, files["zones"], region, max_density_per_km2=max_density_per_km2
    )
    extent = _check_extent(region, files, extent_buffer_km=extent_buffer_km, outlier_km=outlier_km)
    problems += extent
    problems += _check_ports(region, files["ferries"], port_max_km=port_max_km)
    outside = {(p.file, p.record) for p in extent}
    problems += [
        p
        for p in _check_facilities_on_land(
            region, files["facilities"], facility_max_km=facility_max_km
        )
        if (p.file, p.record) not in outside
    ]
    return problems


# ----------------------------------------------------------------------------- checks


def _check_metric_crs(region: Region) -> list[Problem]:
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


def _check_ids(frame: pd.DataFrame, file: str) -> list[Problem]:
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


def _check_numbers(frame: pd.DataFrame, layer: str, file: str) -> list[Problem]:
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


def _check_geometry(frame: gpd.GeoDataFrame, layer: str, file: str) -> list[Problem]:
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
    allowed = _GEOM_TYPES[layer]
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


def _check_tiers(facilities: pd.DataFrame, file: str) -> list[Problem]:
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


def _check_references(region: Region, files: Mapping[str, str]) -> list[Problem]:
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


def _check_weekdays(experts: pd.DataFrame, file: str) -> list[Problem]:
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


def _check_timetables(ferries: pd.DataFrame, file: str) -> list[Problem]:
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


def _located_points(region: Region, files: Mapping[str, str]) -> pd.DataFrame:
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


def _check_extent(
    region: Region, files: Mapping[str, str], *, extent_buffer_km: float, outlier_km: float
) -> list[Problem]:
    """Points must lie near the boundaries (or near the median point); detect swaps."""
    pts = _located_points(region, files)
    if len(pts) == 0:
        return []
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    land = region.land()
    if land is not None and _check_metric_crs(region) == []:
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


def _check_ports(region: Region, file: str, *, port_max_km: float) -> list[Problem]:
    """Ferry ports must be within ``port_max_km`` of land (when boundaries exist)."""
    land = region.land()
    ferries = region.ferries
    if land is None or len(ferries) == 0 or _check_metric_crs(region):
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


def _check_population(
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
    if _check_metric_crs(region) or zones.crs is None:
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


def _check_facilities_on_land(
    region: Region, file: str, *, facility_max_km: float
) -> list[Problem]:
    """Facilities must be within ``facility_max_km`` of a zone or a boundary polygon."""
    facilities = region.facilities
    if len(facilities) == 0 or len(region.zones) == 0 or _check_metric_crs(region):
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
