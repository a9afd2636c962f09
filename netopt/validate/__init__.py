"""Check a :class:`~netopt.region.Region` and report every problem in one pass.

:func:`find_problems` returns the list of :class:`~netopt._errors.Problem` records;
:func:`validate_region` raises them as one :class:`~netopt._errors.DataError`.
:func:`netopt.load_region` runs the same checks after reading the files, so a region built
in code and a region loaded from files are held to the same rules.

Checks of the records (:mod:`netopt.validate._records`): unique, non-empty ids; valid
geometry of the expected type; population present and not negative; capacities, crossing
and travel times not negative; known tier labels; experts' home facilities (and zones'
primary facilities, facilities' alliances) exist; weekdays in 0..6; ferries have a headway
or a timetable, and headways and crossing times are positive; experts'
``max_days_per_month`` in 0..31; facilities' ``area`` codes are digits.

Checks of places (:mod:`netopt.validate._places`): layers in EPSG:4326 and a projected
metric CRS; non-empty facilities and zones; a positive total population, no zone with more
people than the world or denser than ``max_density_per_km2``; coordinates within
-180..180 / -90..90 and inside the region (with a hint when longitude and latitude look
swapped); ferry ports near land; facilities near land (a KD-tree on projected coordinates
of the zones and the boundaries); a planning area (region.toml ``area``) that holds at least
one facility's ``area`` code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from netopt._crs import haversine_km, wgs84_problems
from netopt._errors import DataError, Problem
from netopt.region import Region
from netopt.validate._places import (
    WORLD_POPULATION,
    check_extent,
    check_facilities_on_land,
    check_metric_crs,
    check_planning_area,
    check_population,
    check_ports,
)
from netopt.validate._records import (
    GEOM_TYPES,
    check_area_codes,
    check_geometry,
    check_ids,
    check_numbers,
    check_references,
    check_tiers,
    check_timetables,
    check_weekdays,
)

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
    files = {layer: (files or {}).get(layer, layer) for layer in GEOM_TYPES | {"experts": ()}}
    problems: list[Problem] = []
    problems += check_metric_crs(region)
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
    for layer in (*GEOM_TYPES, "experts"):
        frame = getattr(region, layer)
        if frame is None or len(frame) == 0:
            continue
        f = files[layer]
        problems += check_ids(frame, f)
        problems += check_numbers(frame, layer, f)
        if layer in GEOM_TYPES:
            problems += wgs84_problems(frame, layer, f)
            problems += check_geometry(frame, layer, f)
    problems += check_tiers(region.facilities, files["facilities"])
    problems += check_area_codes(region.facilities, files["facilities"])
    problems += check_planning_area(region, files["facilities"])
    problems += check_references(region, files)
    problems += check_weekdays(region.experts, files["experts"])
    problems += check_timetables(region.ferries, files["ferries"])
    problems += check_population(
        region.zones, files["zones"], region, max_density_per_km2=max_density_per_km2
    )
    extent = check_extent(region, files, extent_buffer_km=extent_buffer_km, outlier_km=outlier_km)
    problems += extent
    problems += check_ports(region, files["ferries"], port_max_km=port_max_km)
    outside = {(p.file, p.record) for p in extent}
    problems += [
        p
        for p in check_facilities_on_land(
            region, files["facilities"], facility_max_km=facility_max_km
        )
        if (p.file, p.record) not in outside
    ]
    return problems
