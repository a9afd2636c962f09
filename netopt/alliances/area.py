"""Which facilities lie inside the planning area: by administrative code, else by position.

The planning area is :attr:`Region.area_codes <netopt.region.Region.area_codes>` (region.toml
``area``, e.g. ``"330225"`` for Xiangshan County). A facility with an ``area`` code is inside
when its code starts with one of the area codes (township codes start with their county's
code). A facility without a code, or with a code too coarse to decide (a county code against
a township area), or a region without ``area``, is placed by position: it is inside when it
lies within :data:`AREA_BUFFER_KM` of a resident zone (a KD-tree over the zone points and
polygon vertices, projected to the region's metric CRS; polygons are tested exactly for the
few facilities the tree does not place).

Facilities outside a declared area (:func:`outside_area`) are referral partners, not alliance
leads, unless ``AllianceOptions.allow_outside_leads`` is set
(:func:`netopt.alliances.leads.resolve_leads`). A region without ``area`` declares no planning
area: no facility is kept from leading, and the position test only marks facilities (the
plan's ``in_area`` columns and the ``in_area_share`` KPI). The position test is a fallback:
2 km from the nearest zone point can miss a town hospital in a region of sparse village
points, so it never decides alone whether a hospital may lead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from netopt.region import Region

__all__ = ["AREA_BUFFER_KM", "code_in_area", "facilities_in_area", "outside_area"]

#: A facility without an area code is inside the planning area when it lies within this
#: distance of a resident zone (a hospital on the county's edge still counts).
AREA_BUFFER_KM = 2.0


def code_in_area(code: str | None, area_codes: Sequence[str]) -> bool | None:
    """Whether an administrative code lies in the planning area; None when it cannot say.

    Parameters
    ----------
    code : str or None
        A facility's ``area`` code (digits), or None.
    area_codes : sequence of str
        The planning area's codes (:attr:`Region.area_codes`).

    Returns
    -------
    bool or None
        True when ``code`` starts with an area code; None when there is no code or no area,
        or the code is a prefix of an area code (a county code against a township area);
        False otherwise.

    Examples
    --------
    >>> code_in_area("330225101", ["330225"]), code_in_area("330203", ["330225"])
    (True, False)
    >>> code_in_area("330225", ["330225101"]) is None
    True
    """
    if not code or not area_codes:
        return None
    if code.startswith(tuple(area_codes)):
        return True
    if any(a.startswith(code) for a in area_codes):
        return None
    return False


def facilities_in_area(region: Region, *, buffer_km: float = AREA_BUFFER_KM) -> pd.Series:
    """Return True for each facility inside the planning area (by code, else by position).

    Parameters
    ----------
    region : Region
        Its facilities may carry an ``area`` column; its ``area_codes`` the planning area.
    buffer_km : float, default :data:`AREA_BUFFER_KM`
        Distance to the nearest resident zone within which a facility placed by position
        is inside.

    Returns
    -------
    pandas.Series of bool
        Indexed like ``region.facilities``.

    Examples
    --------
    >>> region = netopt.load_region("geodata/xiangshan")                # doctest: +SKIP
    >>> facilities_in_area(region)["NB-H01"]                            # doctest: +SKIP
    False
    """
    fac = region.facilities
    codes = fac["area"] if "area" in fac.columns else pd.Series(None, index=fac.index)
    by_code = [code_in_area(c if isinstance(c, str) else None, region.area_codes) for c in codes]
    inside = np.array([bool(v) for v in by_code], dtype=bool)
    placed = np.array([v is None for v in by_code], dtype=bool)
    if placed.any():
        inside[placed] = _near_zones(region, np.flatnonzero(placed), buffer_km * 1000.0)
    return pd.Series(inside, index=fac.index, dtype=bool)


def outside_area(region: Region) -> pd.Series:
    """Return True for each facility outside the declared planning area.

    Only a region that declares its planning area (region.toml ``area``) has facilities
    outside it; without ``area`` every value is False (no facility is kept from leading; the
    position test of :func:`facilities_in_area` still marks them in the plan's tables).

    Parameters
    ----------
    region : Region

    Returns
    -------
    pandas.Series of bool
        Indexed like ``region.facilities``.
    """
    if not region.area_codes:
        return pd.Series(False, index=region.facilities.index, dtype=bool)
    return ~facilities_in_area(region)


def _near_zones(region: Region, rows: np.ndarray, max_m: float) -> np.ndarray:
    """True for the facilities at positions ``rows`` within ``max_m`` metres of a zone."""
    pts = region.facilities.geometry.iloc[rows].to_crs(region.metric_crs).array
    zones = region.zones.geometry.to_crs(region.metric_crs).array
    usable = ~(shapely.is_missing(zones) | shapely.is_empty(zones))
    zones = zones[usable]
    ok = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    near = np.zeros(len(rows), dtype=bool)
    if len(zones) == 0 or not ok.any():
        return near
    xy = shapely.get_coordinates(pts[ok])
    # every zone point and every polygon vertex: a facility within max_m of one is inside
    tree = cKDTree(shapely.get_coordinates(zones))
    dist, _ = tree.query(xy, k=1, distance_upper_bound=max_m)
    hit = np.isfinite(dist)
    polygons = zones[np.isin(shapely.get_type_id(zones), (3, 6))]  # Polygon, MultiPolygon
    if len(polygons) and not hit.all():
        # inside a polygon, or near an edge between far-apart vertices: exact for the rest
        rest = np.flatnonzero(~hit)
        found = shapely.STRtree(polygons).query(pts[ok][rest], predicate="dwithin", distance=max_m)
        hit[rest[np.unique(found[0])]] = True
    near[np.flatnonzero(ok)] = hit
    return near
