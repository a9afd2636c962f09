"""Draw runs and plans: :func:`alliance_map` (one) and :func:`compare_map` (two to four, side by
side).

Both take a scenario run (:class:`netopt.scenario.Result`: its plan, schedule and the network
as it ran, :mod:`netopt.maps.network`) or a bare plan (the region's network as tabled), check
their options once (:class:`~netopt.maps.options.MapOptions`), draw every layer and panel with
:func:`draw_plan`, fit the view to the region and embed the scripts and styles the page needs
(:func:`netopt._offline.make_offline`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import folium

from netopt._errors import DataError, Problem
from netopt._offline import make_offline
from netopt.maps.cost_layers import add_cost_layers
from netopt.maps.elements import FitBounds, Fullscreen, Panel, SideBySide
from netopt.maps.flow_layers import add_flow_layers
from netopt.maps.geometry import extent, zone_groups
from netopt.maps.hosting_layers import add_hosting_layers
from netopt.maps.layers import (
    add_bands,
    add_catchments,
    add_facilities,
    add_flows,
    add_land,
    add_zone_points,
)
from netopt.maps.network import NetworkState, drawable
from netopt.maps.network_layers import add_closed_links, add_ferries, add_new_links
from netopt.maps.options import MapOptions
from netopt.maps.panels import caveat_html, kpi_html, legend_html, stage_texts
from netopt.maps.pathway_layers import add_pathway_layers
from netopt.maps.rotation_layers import MAX_EXPERT_LAYERS, add_rotations
from netopt.maps.styles import MAX_ZOOM, ZOOM_SNAP, band_colours, band_labels, colour_alliances, css
from netopt.maps.tables import alliance_names, facility_table, lead_stats
from netopt.maps.text import chosen_language, data_caveat, esc, use_language
from netopt.maps.tiles import tile_layers

__all__ = ["MAX_SIDE_BY_SIDE", "alliance_map", "compare_map", "draw_plan"]

#: Most maps :func:`compare_map` puts side by side (four make a 2 x 2 grid).
MAX_SIDE_BY_SIDE = 4

logger = logging.getLogger(__name__)

Bounds = tuple[float, float, float, float]


def draw_plan(
    m: folium.Map,
    plan: Any,
    schedule: Any,
    options: MapOptions,
    *,
    compact: bool = False,
    network: NetworkState | None = None,
    collapsed: bool = False,
    pathways: Any = None,
    diagnosis: Any = None,
    hosting: Any = None,
) -> Bounds:
    """Draw every layer and control of one plan onto ``m``; return the bounds drawn.

    Parameters
    ----------
    m : folium.Map
    plan : netopt.alliances.AlliancePlan
    schedule : netopt.rotations.RotationSchedule or None
    options : MapOptions
    compact : bool, keyword-only
        Collapsed layer control and legend, smaller panels (the side-by-side maps).
    network : NetworkState, keyword-only, optional
        The network as the run used it (:func:`netopt.maps.network.network_state`); None:
        the region's ferries, all running.
    collapsed : bool, keyword-only
        Start with the KPI panel collapsed (its toggle button opens it).
    pathways : netopt.pathways.Pathways, keyword-only, optional
        The run's time-critical pathways (:mod:`netopt.maps.pathway_layers`; None: none).
    diagnosis : netopt.diagnosis.DiagnosisPlan, keyword-only, optional
        Diagnosis centres and courier routes (:mod:`netopt.maps.cost_layers`; None: none).
    hosting : netopt.hosting.Hosting, keyword-only, optional
        Partner hospitals and their links (:mod:`netopt.maps.hosting_layers`; None: none).

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
    add_ferries(m, region, tolerance, precision, network)
    add_new_links(m, network, precision)
    add_closed_links(m, region, network, tolerance, precision)
    add_flow_layers(m, plan, schedule, tolerance, precision)  # access, where care happens
    add_pathway_layers(m, pathways, region, precision)  # time-critical care, day / night
    add_cost_layers(m, diagnosis, region, precision)  # diagnosis centres, courier routes
    add_hosting_layers(m, hosting, region, precision)  # partner hospitals (three tiers)
    if schedule is not None:
        by = options.rotation_layers
        if by == "auto":  # one layer per expert while the layer list stays readable
            by = "expert" if schedule.visits["expert"].nunique() <= MAX_EXPERT_LAYERS else "week"
        add_rotations(m, schedule, plan, fac, precision, tolerance, by=by)
    add_facilities(
        m, fac, colour_of, stats, names, precision, cluster_threshold=options.cluster_threshold
    )
    small = " netopt-compact" if compact else ""
    caveat = data_caveat(region)
    if caveat:  # bottom left, under the KPI panel (added later, stacked above it)
        m.add_child(
            Panel(caveat_html(caveat), position="bottomleft", css_class="netopt-caveat" + small)
        )
    m.add_child(
        Panel(
            kpi_html(plan, options.kpis, stages=stage_texts(plan, schedule), network=network),
            position="bottomleft",
            css_class="netopt-kpis" + small,
            collapsible=True,
            collapsed=collapsed,
        )
    )
    legend = legend_html(
        names, colour_of, catch, labels, colours, expanded=not compact, network=network
    )
    m.add_child(Panel(legend, position="bottomright", css_class="netopt-legend" + small))
    folium.LayerControl(collapsed=compact, position="topright").add_to(m)
    if options.fullscreen:
        m.add_child(Fullscreen())
    return bounds


def _fit(m: folium.Map, bounds: Bounds) -> None:
    """Fit the view to ``bounds`` around the panels (added last: they exist by then)."""
    m.add_child(FitBounds(bounds))


def alliance_map(
    run: Any,
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
    lang: str | None = None,
) -> folium.Map:
    """Draw a scenario run (or an alliance plan) on an offline Folium map.

    Layers (each toggleable in the layer control): *Land and townships* (the offline
    basemap), *Alliance catchments* (zone areas dissolved per alliance), *Travel time to
    nearest lead* (bands, hidden at start), *Resident zones* (hidden; only up to
    ``max_zone_features`` zones), *Referral flows* (member to lead, width by referrals a year),
    *Ferry routes* (running: dashed blue, with crossing time, headway and service hours as
    run, and what the scenario changed), *Ferry routes not running* (closed in the scenario:
    red; at night or after the last departure: grey; with how long and the expected wait),
    *New links (scenario)* (bridges and roads the scenario added: solid magenta, with name
    and minutes), *Links closed* (the region's bridges the run closes: red, dashed), with patient
    flows *Beds per 1,000 within 30 min (2SFCA)* and *Where care happens* (hidden;
    :mod:`netopt.maps.flow_layers`), one *<condition>: treated in time* per time-critical
    condition with a Day / Night switch (hidden; :mod:`netopt.maps.pathway_layers`), one *Rotation: ...* layer per expert (or per week) with a schedule, *Lead
    hospitals* and *Member facilities* (icons by tier; popups with name, tier, beds,
    population served, referral load against capacity and mean travel time of the
    residents). A collapsible KPI panel (``plan.kpis``, the status of each stage, the
    network's changes), a legend, the region's data caveat
    (:func:`netopt.maps.text.data_caveat`), a full-screen button and the view fitted to the
    region.

    Drawing never routes: rotation lines are the schedule's ``routes`` (traced along the
    travel graph by :func:`netopt.rotations.schedule_rotations`), straight lines where a
    schedule has none; the network state is read from the run's graph records
    (:mod:`netopt.maps.network`).

    Parameters
    ----------
    run : netopt.scenario.Result or netopt.alliances.AlliancePlan
        The run to draw: its plan, its schedule and the network as it ran (closed ferries,
        changed timetables, new links, night). A bare plan draws the region's network as
        tabled (every ferry running).
    schedule : netopt.rotations.RotationSchedule, optional
        Expert rotations to draw as toggleable layers (default: the run's own).
    tiles, tianditu_key, bands_min, band_time, cluster_threshold, max_zone_features, \
tolerance_deg, precision, rotation_layers, kpis, fullscreen, lang : keyword-only
        Drawing options, documented in :class:`~netopt.maps.options.MapOptions`. In short:
        ``tiles`` online basemaps (None: none, the page needs no network); ``bands_min``
        travel-time band limits in minutes; ``band_time`` ``"nearest"`` or ``"assigned"``
        lead; markers clustered above ``cluster_threshold``; zone points drawn up to
        ``max_zone_features``; ``precision`` decimals written (5, about 1 m);
        ``rotation_layers`` ``"auto"``, ``"expert"`` or ``"week"``; ``kpis`` panel KPI keys
        (default the ``"panel"`` KPIs of :mod:`netopt.kpis`); ``fullscreen`` button;
        ``lang`` the labels' language (``"en"``, ``"zh"``; :mod:`netopt.maps.text`).

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
    >>> m = netopt.maps.alliance_map(netopt.run(storm))         # doctest: +SKIP
    >>> netopt.maps.save_map(m, "maps/storm.html")              # doctest: +SKIP
    """
    plan, schedule, network, _run = drawable(run, schedule)
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
        lang=lang,
    )
    m = folium.Map(
        location=None,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_start=10,
        maxZoom=MAX_ZOOM,
        zoomSnap=ZOOM_SNAP,
    )
    m.get_root().title = esc(plan.name)
    m.netopt_lang = chosen_language(options.lang)  # save_map writes it as <html lang>
    with use_language(m.netopt_lang):
        bounds = draw_plan(
            m,
            plan,
            schedule,
            options,
            network=network,
            pathways=getattr(_run, "pathways", None),
            diagnosis=getattr(_run, "diagnosis", None),
            hosting=getattr(_run, "hosting", None),
        )
    m.location = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    _fit(m, bounds)
    make_offline(m, css=css(), extra=("fullscreen",) if options.fullscreen else ())
    return m


def _label(item: Any) -> str:
    """The name a run (its scenario name) or a plan (its name) is selected by."""
    return str(getattr(item, "name", "") or getattr(getattr(item, "plan", None), "name", ""))


def _select(items: Sequence[Any], scenarios: Sequence[str] | None) -> list[Any]:
    """The runs named by ``scenarios``, in that order (None: all), or a DataError."""
    known = [_label(x) for x in items]
    if scenarios is None:
        chosen = list(items)
    else:
        wanted = [scenarios] if isinstance(scenarios, str) else list(scenarios)
        unknown = [n for n in wanted if n not in known]
        repeated = sorted({n for n in wanted if wanted.count(n) > 1})
        problems = [
            Problem(
                "compare_map",
                "",
                "scenarios",
                f"{n!r} is not one of the results",
                f"use one of {known}",
            )
            for n in unknown
        ]
        if repeated:
            problems.append(
                Problem(
                    "compare_map",
                    "",
                    "scenarios",
                    f"named twice: {repeated}",
                    "name each scenario once",
                )
            )
        if problems:
            raise DataError(problems)
        chosen = [items[known.index(n)] for n in wanted]
    if not 2 <= len(chosen) <= MAX_SIDE_BY_SIDE:
        raise DataError(
            Problem(
                "compare_map",
                "",
                "scenarios",
                f"{len(chosen)} scenario(s) to show: {[_label(x) for x in chosen]}",
                f"show 2 to {MAX_SIDE_BY_SIDE} side by side (scenarios=[...] of {known})",
            )
        )
    return chosen


def compare_map(
    *runs: Any,
    scenarios: Sequence[str] | None = None,
    **options: Any,
) -> SideBySide:
    """Two to four synchronised maps side by side, each a run with its name and KPI panel.

    Each map draws its run as :func:`alliance_map` does (the network as it ran: closed
    ferries, new links ...; its diagnosis centres, courier routes and partner hospitals,
    each a hidden layer), with a collapsed layer control and legend, a smaller KPI panel
    (collapsed at start from three maps on) and the region's data caveat.

    Parameters
    ----------
    *runs : netopt.scenario.Result or netopt.alliances.AlliancePlan
        The runs to choose from, in order (or one sequence of them); a bare plan draws the
        region's network as tabled.
    scenarios : sequence of str, keyword-only, optional
        Names of the runs to show, in the order shown (a run's name is its scenario's name,
        a plan's its ``name``); None (default): all of them.
    **options
        Keyword options of :func:`alliance_map` (``tiles``, ``bands_min``, ...; see
        :class:`~netopt.maps.options.MapOptions`). The full-screen button is on the first map.

    Returns
    -------
    netopt.maps.elements.SideBySide
        Its ``maps`` move together when one is panned or zoomed (offline sync script).

    Raises
    ------
    TypeError
        An option :func:`alliance_map` does not take.
    DataError
        A name in ``scenarios`` that is none of the runs (the known names listed), a name
        given twice, fewer than 2 or more than :data:`MAX_SIDE_BY_SIDE` maps to show,
        invalid options (every problem listed), or a region without coordinates.

    Examples
    --------
    >>> results = netopt.run_all(netopt.scenario.demo_scenarios())  # doctest: +SKIP
    >>> sm = netopt.maps.compare_map(results, scenarios=["today", "storm"])  # doctest: +SKIP
    >>> netopt.maps.save_map(sm, "maps/compare.html")            # doctest: +SKIP
    """
    unknown = set(options) - set(MapOptions.fields())
    if unknown:
        raise TypeError(f"compare_map() got unexpected keyword argument(s) {sorted(unknown)}")
    items = list(runs[0]) if len(runs) == 1 and isinstance(runs[0], (list, tuple)) else list(runs)
    opts = MapOptions(**options)
    chosen = [drawable(x) for x in _select(items, scenarios)]
    side = SideBySide(
        len(chosen),
        location=None,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        maxZoom=MAX_ZOOM,
        zoomSnap=ZOOM_SNAP,
    )
    side.get_root().title = " | ".join(esc(plan.name) for plan, *_ in chosen)
    side.netopt_lang = chosen_language(opts.lang)  # save_map writes it as <html lang>
    boxes = []
    for i, ((plan, schedule, network, run), m) in enumerate(zip(chosen, side.maps)):
        o = opts if i == 0 else opts.replace(fullscreen=False)
        with use_language(side.netopt_lang):
            boxes.append(
                draw_plan(
                    m,
                    plan,
                    schedule,
                    o,
                    compact=True,
                    network=network,
                    collapsed=len(chosen) >= 3,
                    diagnosis=getattr(run, "diagnosis", None),
                    hosting=getattr(run, "hosting", None),
                )
            )
    bounds = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    for m in side.maps:
        _fit(m, bounds)
    extra = ("sync", "fullscreen") if opts.fullscreen else ("sync",)
    make_offline(side, css=css(), extra=extra)
    return side
