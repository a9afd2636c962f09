"""The network layers of a map: ferry routes in their run state, and the links a scenario added.

*Ferry routes* (running, dashed blue) and *Ferry routes not running* (closed: red; night or
no departure left: grey) are drawn from the region's ferry lines in the state of
:func:`netopt.maps.network.network_state`; their popups give crossing, headway and service
hours as run, what the scenario changed (headway, extra departures, against the region's
table) and, for a route that does not run, how long and the expected wait until it runs.
*New links (scenario)* draws the bridges and roads a scenario added, with name and minutes;
*Links closed* the region's bridges and links the run closes (``G.graph["closed_links"]``).
"""

from __future__ import annotations

import math
from typing import Any

import folium
import pandas as pd
import shapely

from netopt.maps.elements import GeoJsonLayer
from netopt.maps.geometry import feature
from netopt.maps.network import FerryState, NetworkState
from netopt.maps.styles import FERRY_STYLES, NEW_LINK
from netopt.maps.text import esc, message, minutes_text, num, popup

__all__ = ["add_closed_links", "add_ferries", "add_new_links", "ferry_popup"]


def _service(headway: Any, n_departures: int) -> str:
    if isinstance(headway, (int, float)) and math.isfinite(headway):
        return message("ferry.every", minutes=num(headway, ".0f", " min"))
    if n_departures:
        return message("ferry.timetable", n=str(n_departures))
    return "&ndash;"


def ferry_popup(
    row: pd.Series, state: FerryState | None = None, *, clock: str | None = None
) -> str:
    """Return a ferry route's popup: its state, crossing, headway, hours and what changed.

    Parameters
    ----------
    row : pandas.Series
        The route's row of ``region.ferries``.
    state : FerryState, optional
        The route as the run used it (None: the region's table, running).
    clock : str, keyword-only, optional
        The run's clock time at the ports (for a route with no departure left).

    Returns
    -------
    str
        HTML; every data text escaped.
    """
    deps = [*(row.get("departures_ab") or ()), *(row.get("departures_ba") or ())]
    service = _service(row.get("headway_min"), len(deps))
    rows = []
    if state is not None:
        service = _service(state.headway_min, len(state.departures_ab) + len(state.departures_ba))
        if state.state == "open":
            text = message("ferry.changed" if state.changed else "ferry.open")
        elif state.state == "ended":
            text = message("ferry.ended", clock=esc(clock or "the clock"))
        else:
            text = message(f"ferry.{state.state}")
        rows.append((message("ferry.state"), f"<b>{text}</b>"))
        if state.state == "closed" and state.closed_hours is not None:
            rows.append((message("ferry.closed_for"), minutes_text(60 * state.closed_hours)))
        if state.reopen_wait_min is not None:
            wait = minutes_text(state.reopen_wait_min)
            if state.fallback:
                wait = message("ferry.fallback", wait=wait, name=esc(state.fallback))
            rows.append((message("ferry.reopen_wait"), wait))
        if state.headway_was is not None or state.timetable_was is not None:
            if state.headway_was is not None and math.isfinite(state.headway_was):
                before = _service(state.headway_was, 0)
            else:
                before = _service(math.nan, state.timetable_was or len(deps))
            service = message("ferry.was", now=service, before=before)
    rows += [
        (message("field.crossing"), num(row.get("crossing_min"), ".0f", " min")),
        (message("ferry.headway"), service),
    ]
    if state is not None and state.added:
        times = esc(", ".join(state.added))
        rows.append((message("ferry.added"), message("ferry.added_text", times=times)))
    rows += [
        (
            message("field.service_hours"),
            f"{esc(row.get('service_start'))}&ndash;{esc(row.get('service_end'))}",
        ),
        (message("ferry.from_to"), f"{esc(row.get('from_port'))} &rarr; {esc(row.get('to_port'))}"),
        (message("field.kind"), esc(row.get("kind"))),
    ]
    if bool(row.get("estimated", False)):
        rows.append((message("field.note"), message("ferry.estimated")))
    return popup(message("ferry.title", name=esc(row.get("name"))), rows)


def add_ferries(
    m: folium.Map,
    region: Any,
    tolerance: float,
    precision: int,
    state: NetworkState | None = None,
) -> dict[str, int]:
    """Add *Ferry routes* and, when some do not run, *Ferry routes not running*.

    Parameters
    ----------
    m : folium.Map
    region : netopt.region.Region
        Uses ``ferries``.
    tolerance : float
    precision : int
    state : NetworkState, optional
        The run's network (None: every route running as in the region's table).

    Returns
    -------
    dict of str to int
        Routes drawn per state (``"open"``, ``"closed"``, ``"night"``, ``"ended"``).
    """
    fer = region.ferries
    if fer is None or len(fer) == 0:
        return {}
    geoms = shapely.simplify(fer.geometry.to_numpy(), tolerance / 4)
    groups: dict[str, list[dict[str, Any]]] = {}
    for g, (rid, row) in zip(geoms, fer.iterrows()):
        st = state.ferries.get(str(rid)) if state is not None else None
        kind = st.state if st is not None else "open"
        style = {**FERRY_STYLES[kind], "className": f"netopt-ferry-{kind}"}
        if kind == "open":
            style.pop("className")
        clock = state.depart_at if state is not None else None
        f = feature(g, {"p": ferry_popup(row, st, clock=clock), "s": style}, precision)
        if f:
            groups.setdefault(kind, []).append(f)
    stopped = [f for k in ("closed", "night", "ended") for f in groups.get(k, [])]
    if "open" in groups:
        fg = folium.FeatureGroup(name=message("layer.ferries"), show=True).add_to(m)
        fg.add_child(GeoJsonLayer(groups["open"], class_name="netopt-ferry"))
    if stopped:
        fg = folium.FeatureGroup(name=message("layer.ferries_stopped"), show=True).add_to(m)
        fg.add_child(GeoJsonLayer(stopped, class_name="netopt-ferry-stopped"))
    return {k: len(v) for k, v in groups.items()}


def _link_popup(link: Any) -> str:
    rows = [
        (message("link.travel"), num(link.travel_min, ".1f", " min")),
        (message("field.note"), message("link.added")),
    ]
    if link.closed_hours is not None:
        rows.insert(0, (message("ferry.state"), f"<b>{message('link.closed')}</b>"))
        rows.insert(1, (message("ferry.closed_for"), minutes_text(60 * link.closed_hours)))
    return popup(message("link.title", name=esc(link.name)), rows)


def add_new_links(m: folium.Map, state: NetworkState | None, precision: int) -> int:
    """Add *New links (scenario)*: the bridges and roads a scenario added, solid magenta.

    Parameters
    ----------
    m : folium.Map
    state : NetworkState or None
        The run's network; nothing is drawn without new links.
    precision : int

    Returns
    -------
    int
        Links drawn.
    """
    if state is None or not state.links:
        return 0
    feats = []
    for link in state.links:
        geom = shapely.linestrings(list(link.coords))
        props: dict[str, Any] = {"p": _link_popup(link), "tt": esc(link.name)}
        if link.closed_hours is not None:
            props["s"] = {**FERRY_STYLES["closed"], "className": "netopt-link-closed"}
        f = feature(geom, props, precision)
        if f:
            feats.append(f)
    fg = folium.FeatureGroup(name=message("layer.new_links"), show=True).add_to(m)
    fg.add_child(
        GeoJsonLayer(
            feats,
            class_name="netopt-new-link",
            style={"color": NEW_LINK, "weight": 5, "opacity": 0.95, "lineCap": "round"},
        )
    )
    return len(feats)


def add_closed_links(
    m: folium.Map, region: Any, state: NetworkState | None, tolerance: float, precision: int
) -> int:
    """Add *Links closed*: the region's bridges and links the run closes, red and dashed.

    Parameters
    ----------
    m : folium.Map
    region : netopt.region.Region
        Uses ``links`` (their lines).
    state : NetworkState or None
        The run's network; nothing is drawn without closed links.
    tolerance : float
    precision : int

    Returns
    -------
    int
        Links drawn.
    """
    links = region.links
    if state is None or not state.closed_links or links is None or len(links) == 0:
        return 0
    rows = links[links.index.astype(str).isin(list(state.closed_links))]
    geoms = shapely.simplify(rows.geometry.to_numpy(), tolerance / 4)
    feats = []
    for g, (lid, row) in zip(geoms, rows.iterrows()):
        hours = state.closed_links[str(lid)]
        table = [
            (message("ferry.state"), f"<b>{message('link.closed')}</b>"),
            (message("ferry.closed_for"), minutes_text(60 * hours)),
            (message("field.kind"), esc(row.get("kind"))),
        ]
        name = message("link.closed_title", name=esc(row.get("name", lid)))
        f = feature(g, {"p": popup(name, table), "tt": esc(row.get("name", lid))}, precision)
        if f:
            feats.append(f)
    fg = folium.FeatureGroup(name=message("layer.closed_links"), show=True).add_to(m)
    style = {**FERRY_STYLES["closed"], "weight": 5}
    fg.add_child(GeoJsonLayer(feats, class_name="netopt-link-closed", style=style))
    return len(feats)
