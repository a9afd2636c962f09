"""Draw plans: :func:`alliance_map` (one plan) and :func:`compare_map` (two, side by side).

Both check their options once (:class:`~netopt.maps.options.MapOptions`), draw every layer
and panel of a plan with :func:`draw_plan`, fit the view to the region and embed the
scripts and styles the page needs (:func:`netopt._offline.make_offline`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import folium
from folium.plugins import DualMap

from netopt._offline import make_offline
from netopt.maps.elements import Fullscreen, Panel
from netopt.maps.geometry import extent, zone_groups
from netopt.maps.layers import (
    add_bands,
    add_catchments,
    add_facilities,
    add_ferries,
    add_flows,
    add_land,
    add_zone_points,
)
from netopt.maps.options import MapOptions
from netopt.maps.panels import kpi_html, legend_html
from netopt.maps.rotation_layers import MAX_EXPERT_LAYERS, add_rotations
from netopt.maps.styles import MAX_ZOOM, band_colours, band_labels, colour_alliances, css
from netopt.maps.tables import alliance_names, facility_table, lead_stats
from netopt.maps.text import esc
from netopt.maps.tiles import tile_layers

__all__ = ["alliance_map", "compare_map", "draw_plan"]

logger = logging.getLogger(__name__)

Bounds = tuple[float, float, float, float]


def draw_plan(
    m: folium.Map, plan: Any, schedule: Any, options: MapOptions, *, compact: bool = False
) -> Bounds:
    """Draw every layer and control of one plan onto ``m``; return the bounds drawn.

    Parameters
    ----------
    m : folium.Map
    plan : netopt.alliances.AlliancePlan
    schedule : netopt.rotations.RotationSchedule or None
    options : MapOptions
    compact : bool, keyword-only
        Collapsed layer control and legend (the side-by-side maps).

    Returns
    -------
    tuple of float
        ``(minx, miny, maxx, maxy)`` of the region.
    """
    region = plan.region
    bounds = extent(region.facilities, region.zones, region.boundaries)
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-4)
    tolerance = options.tolerance_deg if options.tolerance_deg is not None else span / 4000.0
    precision = int(options.precision)
    for layer in tile_layers(options.tiles, options.tianditu_key):
        layer.add_to(m)
    land = region.land()
    add_land(m, region, tolerance, precision)
    fac = facility_table(plan)
    catch, bands, zplan = zone_groups(
        plan,
        bounds,
        tolerance,
        precision,
        bands_min=options.bands_min,
        band_time=options.band_time,
        land=land,
    )
    names = alliance_names(plan, fac)
    order = [str(j) for j in plan.leads]
    colour_of = colour_alliances({k: g for k, g in catch.items() if k}, order)
    stats = lead_stats(plan, zplan)
    add_catchments(m, catch, colour_of, names, stats)
    labels, colours = band_labels(options.bands_min), band_colours(len(options.bands_min) + 1)
    add_bands(m, bands, labels, colours, band_time=options.band_time)
    if len(region.zones) <= options.max_zone_features:
        add_zone_points(m, region, zplan, precision)
    else:
        logger.info(
            "%d zones > max_zone_features=%d: zones drawn as dissolved areas only",
            len(region.zones),
            options.max_zone_features,
        )
    add_flows(m, fac, colour_of, names, precision)
    add_ferries(m, region, tolerance, precision)
    if schedule is not None:
        by = options.rotation_layers
        if by == "auto":  # one layer per expert while the layer list stays readable
            by = "expert" if schedule.visits["expert"].nunique() <= MAX_EXPERT_LAYERS else "week"
        add_rotations(m, schedule, plan, fac, precision, tolerance, by=by)
    add_facilities(
        m, fac, colour_of, stats, names, precision, cluster_threshold=options.cluster_threshold
    )
    m.add_child(Panel(kpi_html(plan, options.kpis), position="bottomleft", css_class="netopt-kpis"))
    m.add_child(
        Panel(
            legend_html(names, colour_of, catch, labels, colours, expanded=not compact),
            position="bottomright",
            css_class="netopt-legend",
        )
    )
    folium.LayerControl(collapsed=compact, position="topright").add_to(m)
    if options.fullscreen:
        m.add_child(Fullscreen())
    return bounds


def _fit(m: folium.Map, bounds: Bounds) -> None:
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(10, 10))


def alliance_map(
    plan: Any,
    schedule: Any = None,
    *,
    tiles: Any = None,
    tianditu_key: str | None = None,
    bands_min: Sequence[float] = (15, 30, 60),
    band_time: Literal["nearest", "assigned"] = "nearest",
    cluster_threshold: int = 500,
    max_zone_features: int = 5000,
    tolerance_deg: float | None = None,
    precision: int = 5,
    rotation_layers: Literal["auto", "expert", "week"] = "auto",
    kpis: Sequence[str] | None = None,
    fullscreen: bool = True,
) -> folium.Map:
    """Draw an alliance plan (and its rotation schedule) on an offline Folium map.

    Layers (each toggleable in the layer control): *Land and townships* (the offline
    basemap), *Alliance catchments* (zone areas dissolved per alliance), *Travel time to
    nearest lead* (bands, hidden at start), *Resident zones* (hidden; only up to
    ``max_zone_features`` zones), *Referral flows* (member to lead, width by referrals a year),
    *Ferry routes* (dashed, with crossing time, headway and service hours), one
    *Rotation: ...* layer per expert (or per week) when ``schedule`` is given, *Lead hospitals*
    and *Member facilities* (icons by tier; popups with name, tier, beds, population served,
    referral load against capacity and mean travel time of the residents). A KPI panel
    (``plan.kpis``), a legend, a full-screen button and the view fitted to the region.

    Drawing never routes: rotation lines are the schedule's ``routes`` (traced along the
    travel graph by :func:`netopt.rotations.schedule_rotations`), straight lines where a
    schedule has none.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        The plan to draw.
    schedule : netopt.rotations.RotationSchedule, optional
        Expert rotations to draw as toggleable layers.
    tiles, tianditu_key, bands_min, band_time, cluster_threshold, max_zone_features, \
tolerance_deg, precision, rotation_layers, kpis, fullscreen : keyword-only
        Drawing options, documented in :class:`~netopt.maps.options.MapOptions`. In short:
        ``tiles`` online basemaps (None: none, the page needs no network); ``bands_min``
        travel-time band limits in minutes; ``band_time`` ``"nearest"`` or ``"assigned"``
        lead; markers clustered above ``cluster_threshold``; zone points drawn up to
        ``max_zone_features``; ``precision`` decimals written (5, about 1 m);
        ``rotation_layers`` ``"auto"``, ``"expert"`` or ``"week"``; ``kpis`` panel KPI keys
        (default the ``"panel"`` KPIs of :mod:`netopt.kpis`); ``fullscreen`` button.

    Returns
    -------
    folium.Map
        A map whose page embeds every script and style it needs; write it with
        :func:`~netopt.maps.save_map`.

    Raises
    ------
    DataError
        Invalid options (every problem listed), or a region without coordinates.

    Examples
    --------
    >>> m = netopt.maps.alliance_map(plan, schedule)            # doctest: +SKIP
    >>> netopt.maps.save_map(m, "maps/plan.html")               # doctest: +SKIP
    """
    options = MapOptions(
        tiles=tiles,
        tianditu_key=tianditu_key,
        bands_min=bands_min,
        band_time=band_time,
        cluster_threshold=cluster_threshold,
        max_zone_features=max_zone_features,
        tolerance_deg=tolerance_deg,
        precision=precision,
        rotation_layers=rotation_layers,
        kpis=kpis,
        fullscreen=fullscreen,
    )
    m = folium.Map(
        location=None,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_start=10,
        maxZoom=MAX_ZOOM,
    )
    m.get_root().title = esc(plan.name)
    bounds = draw_plan(m, plan, schedule, options)
    m.location = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    _fit(m, bounds)
    make_offline(m, css=css(), extra=("fullscreen",) if options.fullscreen else ())
    return m


def compare_map(
    plan_a: Any,
    plan_b: Any,
    *,
    schedule_a: Any = None,
    schedule_b: Any = None,
    **options: Any,
) -> DualMap:
    """Two synchronised maps side by side, each with its plan's name and KPI panel.

    Parameters
    ----------
    plan_a, plan_b : netopt.alliances.AlliancePlan
        The scenarios (left, right); their ``name`` heads each KPI panel.
    schedule_a, schedule_b : netopt.rotations.RotationSchedule, keyword-only, optional
        Rotations to draw on each side.
    **options
        Keyword options of :func:`alliance_map` (``tiles``, ``bands_min``, ...; see
        :class:`~netopt.maps.options.MapOptions`). The full-screen button is on the left map.

    Returns
    -------
    folium.plugins.DualMap
        Panning or zooming one map moves the other (offline sync script).

    Raises
    ------
    TypeError
        An option :func:`alliance_map` does not take.
    DataError
        Invalid options (every problem listed), or a region without coordinates.

    Examples
    --------
    >>> dm = netopt.maps.compare_map(today, proposal)            # doctest: +SKIP
    >>> netopt.maps.save_map(dm, "maps/compare.html")            # doctest: +SKIP
    """
    unknown = set(options) - set(MapOptions.fields())
    if unknown:
        raise TypeError(f"compare_map() got unexpected keyword argument(s) {sorted(unknown)}")
    opts = MapOptions(**options)
    dual = DualMap(
        location=None, tiles=None, prefer_canvas=True, control_scale=True, maxZoom=MAX_ZOOM
    )
    dual.get_root().title = f"{esc(plan_a.name)} | {esc(plan_b.name)}"
    b_a = draw_plan(dual.m1, plan_a, schedule_a, opts, compact=True)
    b_b = draw_plan(dual.m2, plan_b, schedule_b, opts.replace(fullscreen=False), compact=True)
    bounds = (min(b_a[0], b_b[0]), min(b_a[1], b_b[1]), max(b_a[2], b_b[2]), max(b_a[3], b_b[3]))
    for m in (dual.m1, dual.m2):
        _fit(m, bounds)
    full = opts.fullscreen
    make_offline(dual, css=css(), extra=("sync", "fullscreen") if full else ("sync",))
    return dual
