"""The travel network as a scenario ran it: ferry states and new links, for drawing.

A map of a run (:class:`netopt.scenario.Result`) draws the network the run used, not the
region's tables: :func:`network_state` reads the ferry route state that the graph keeps in
``G.graph["ferry_routes"]`` (``closed`` flag, ``closed_hours``, headway, timetable), the
``night``, ``emergency`` and ``depart_at`` flags of the graph, and the links the scenario
added (``scenario.modifiers.links``, else the graph's ``link`` edges that are not in the
region's links table). It compares each route with the region's ferries table, so that a
popup can say what the scenario changed.

Reading these plain records is not routing: this module imports nothing from
:mod:`netopt.graph` or :mod:`netopt.scenario` (it reads their objects' attributes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from netopt._clock import format_clock, parse_clock

__all__ = ["FerryState", "LinkLine", "NetworkState", "drawable", "network_state"]

#: Ferry states: runs, closed (a storm, a scenario closure), not running at night, or no
#: departure left at the run's ``depart_at`` clock.
FERRY_STATES = ("open", "closed", "night", "ended")


@dataclass(frozen=True)
class FerryState:
    """One ferry route as the run used it.

    Attributes
    ----------
    route : str
        Route id (``region.ferries`` index).
    state : {"open", "closed", "night", "ended"}
        ``"closed"``: the route's ``closed`` flag (a storm, a scenario closure);
        ``"night"``: the graph is at night (no ferry runs until the first morning departure);
        ``"ended"``: no departure left in either direction at the run's ``depart_at``.
    headway_min : float
        Minutes between departures as run (NaN: a timetable only).
    departures_ab, departures_ba : tuple of str
        ``"HH:MM"`` departures as run, from port A and from port B.
    closed_hours : float or None
        How long the closure lasts (the route state's ``closed_hours``), when known.
    headway_was : float or None
        The region's headway when the run changed it (NaN: it had a timetable), else None.
    added : tuple of str
        Departures the run has that the region's timetable has not.
    timetable_was : int or None
        Departures a day in the region's table when the run replaced its timetable (0: the
        region gives only a headway and the run a timetable), else None.
    reopen_wait_min : float or None
        For a route that does not run: the expected wait until it runs again, the mean of
        its reopening edges' ``reopen_wait_s`` (None when the graph has none).
    fallback : str or None
        The region's emergency fallback that its reopening edges count with, if any.
    """

    route: str
    state: str = "open"
    headway_min: float = math.nan
    departures_ab: tuple[str, ...] = ()
    departures_ba: tuple[str, ...] = ()
    closed_hours: float | None = None
    headway_was: float | None = None
    added: tuple[str, ...] = ()
    timetable_was: int | None = None
    reopen_wait_min: float | None = None
    fallback: str | None = None

    @property
    def changed(self) -> bool:
        """True when the run's headway or timetable differs from the region's."""
        return self.headway_was is not None or bool(self.added) or self.timetable_was is not None


@dataclass(frozen=True)
class LinkLine:
    """A link a scenario added (a new bridge or road), as drawn.

    Attributes
    ----------
    name : str
        The link id (``link`` attribute of its edges).
    coords : tuple of (float, float)
        Longitude, latitude of its ends (or of the network nodes it joins).
    travel_min : float or None
        Travel time in minutes (the scenario's ``travel_min``, else the edge's time).
    closed_hours : float or None
        Hours the run closes it for (``G.graph["closed_links"]``), None when open.
    """

    name: str
    coords: tuple[tuple[float, float], ...]
    travel_min: float | None = None
    closed_hours: float | None = None


@dataclass(frozen=True)
class NetworkState:
    """What a run changed in the travel network, for the map's layers, popups and panel.

    Attributes
    ----------
    ferries : dict of str to FerryState
        Per route id of ``region.ferries``.
    links : tuple of LinkLine
        Links the scenario added.
    closed_links : dict of str to float
        Links of the region's table the run closes (``G.graph["closed_links"]``: id to hours).
    night, emergency : bool
        The graph's ``night`` and ``emergency`` flags.
    depart_at : str or None
        The clock time at the ports (None: typical daytime waits).
    """

    ferries: dict[str, FerryState] = field(default_factory=dict)
    links: tuple[LinkLine, ...] = ()
    closed_links: dict[str, float] = field(default_factory=dict)
    night: bool = False
    emergency: bool = False
    depart_at: str | None = None

    def count(self, state: str) -> int:
        """Return the number of ferry routes in ``state`` (one of ``FERRY_STATES``)."""
        return sum(f.state == state for f in self.ferries.values())


def _times(value: Any) -> tuple[str, ...]:
    """Departure times as sorted ``"HH:MM"`` text (a ``;`` string, a sequence or nothing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    items = value.split(";") if isinstance(value, str) else list(value)
    out = set()
    for t in items:
        try:
            out.add(parse_clock(t))
        except ValueError:
            continue
    return tuple(format_clock(m) for m in sorted(out))


def _float(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        not math.isnan(a) and not math.isnan(b) and math.isclose(a, b)
    )


def _ferry(
    rid: str,
    row: pd.Series,
    r: Mapping[str, Any] | None,
    night: bool,
    extra: Any,
    edges: list[dict[str, Any]],
) -> FerryState:
    """The :class:`FerryState` of one route: its table row, state record and ferry edges."""
    table_h = _float(row.get("headway_min"))
    table_ab, table_ba = _times(row.get("departures_ab")), _times(row.get("departures_ba"))
    if r is None:
        return FerryState(rid, "night" if night else "open", table_h, table_ab, table_ba)
    closed = [d for d in edges if d.get("closed")]
    waits = [float(d["reopen_wait_s"]) / 60.0 for d in closed if "reopen_wait_s" in d]
    fallback = next((str(d["fallback"]) for d in closed if d.get("fallback")), None)
    ended = bool(edges) and all(d.get("closed_by") == "last departure" for d in edges)
    state = "closed" if r.get("closed") else "night" if night else "ended" if ended else "open"
    hours = r.get("closed_hours")
    hours = float(hours) if hours is not None and math.isfinite(_float(hours)) else None
    run_h = _float(r.get("headway_min"))
    run_ab, run_ba = _times(r.get("departures_ab")), _times(r.get("departures_ba"))
    headway_was = None if _same(run_h, table_h) else table_h
    table_set, run_set = set(table_ab) | set(table_ba), set(run_ab) | set(run_ba)
    if table_set:
        added = tuple(sorted(run_set - table_set, key=parse_clock))
    else:  # a headway-only route given a timetable: the scenario's extra departures
        added = _times(extra) if run_set else ()
    timetable_was = None
    if table_set and not table_set <= run_set:  # the timetable was replaced
        timetable_was = len(table_ab) + len(table_ba)
    elif not table_set and run_set and not added:
        timetable_was = 0
    return FerryState(
        route=rid,
        state=state,
        headway_min=run_h,
        departures_ab=run_ab,
        departures_ba=run_ba,
        closed_hours=hours,
        headway_was=headway_was,
        added=added,
        timetable_was=timetable_was,
        reopen_wait_min=float(np.mean(waits)) if waits and state != "open" else None,
        fallback=fallback if state != "open" else None,
    )


def _ferry_edges(graph: Any) -> dict[str, list[dict[str, Any]]]:
    """The attributes of every ferry edge of the graph, per route id."""
    G = getattr(graph, "G", graph)
    out: dict[str, list[dict[str, Any]]] = {}
    if hasattr(G, "edges"):
        for _u, _v, d in G.edges(data=True):
            if d.get("mode") == "ferry" and d.get("route") is not None:
                out.setdefault(str(d["route"]), []).append(d)
    return out


def _graph_meta(graph: Any) -> dict[str, Any]:
    G = getattr(graph, "G", graph)
    meta = getattr(G, "graph", None)
    return meta if isinstance(meta, dict) else {}


def _edge_links(graph: Any, known: Iterable[str]) -> list[LinkLine]:
    """Links on the graph's edges that are neither in the region's table nor in ``known``."""
    G = getattr(graph, "G", graph)
    meta = _graph_meta(graph)
    if not hasattr(G, "edges") or "crs" not in meta:
        return []
    seen = set(map(str, known))
    ends: dict[str, tuple[Any, Any, float]] = {}
    for u, v, d in G.edges(data=True):
        name = d.get("link")
        if name is None or str(name) in seen or str(name) in ends:
            continue
        seconds = float(d.get("travel_time_s", math.nan)) - float(d.get("wait_s", 0.0))
        ends[str(name)] = (u, v, seconds)
    if not ends:
        return []
    import pyproj

    tf = pyproj.Transformer.from_crs(meta["crs"], "EPSG:4326", always_xy=True)
    out = []
    for name, (u, v, seconds) in ends.items():
        xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in (u, v)], dtype=float)
        lon, lat = tf.transform(xy[:, 0], xy[:, 1])
        minutes = seconds / 60.0 if math.isfinite(seconds) else None
        out.append(LinkLine(name, tuple(zip(map(float, lon), map(float, lat))), minutes))
    return out


def _link_minutes(graph: Any, name: str) -> float | None:
    """The travel time of a new link's edges in the graph (minutes), if it has any."""
    G = getattr(graph, "G", graph)
    if not hasattr(G, "edges"):
        return None
    times = [
        float(d["travel_time_s"]) - float(d.get("wait_s", 0.0))  # a closed link's own time
        for _u, _v, d in G.edges(data=True)
        if str(d.get("link")) == name and "travel_time_s" in d
    ]
    return min(times) / 60.0 if times else None


def network_state(result: Any) -> NetworkState | None:
    """Return the network a run used: ferry states and the links it added.

    Parameters
    ----------
    result : netopt.scenario.Result
        Uses ``plan.region.ferries`` and ``links``, ``graph`` (its ``G.graph`` records and
        ``link`` edges) and, when present, ``scenario.modifiers`` (links, extra departures).

    Returns
    -------
    NetworkState or None
        None when ``result`` carries no graph (a bare plan: the region's tables are drawn).
    """
    graph = getattr(result, "graph", None)
    if graph is None:
        return None
    meta = _graph_meta(graph)
    region = result.plan.region
    modifiers = getattr(getattr(result, "scenario", None), "modifiers", None)
    routes = meta.get("ferry_routes") or {}
    night = bool(meta.get("night", False))
    departures = dict(getattr(modifiers, "departures", {}) or {})
    edges = _ferry_edges(graph)
    ferries = {}
    if region.ferries is not None:
        for rid, row in region.ferries.drop(columns="geometry").iterrows():
            rid = str(rid)
            ferries[rid] = _ferry(
                rid, row, routes.get(rid), night, departures.get(rid), edges.get(rid, [])
            )
    closed = {str(k): float(h) for k, h in (meta.get("closed_links") or {}).items()}
    links = []
    for link in getattr(modifiers, "links", ()) or ():
        minutes = link.travel_min if link.travel_min is not None else None
        if minutes is None:
            minutes = _link_minutes(graph, str(link.name))
        links.append(LinkLine(str(link.name), (tuple(link.a), tuple(link.b)), minutes))
    table = list(region.links.index.astype(str)) if region.links is not None else []
    links += _edge_links(graph, [*table, *(x.name for x in links)])
    links = [replace(x, closed_hours=closed.get(x.name)) for x in links]
    return NetworkState(
        ferries=ferries,
        links=tuple(links),
        closed_links={k: h for k, h in closed.items() if k in table},
        night=night,
        emergency=bool(meta.get("emergency", False)),
        depart_at=meta.get("depart_at"),
    )


def drawable(item: Any, schedule: Any = None) -> tuple[Any, Any, NetworkState | None, Any]:
    """Split what a map is asked to draw into plan, schedule, network state and the run.

    Parameters
    ----------
    item : netopt.scenario.Result or netopt.alliances.AlliancePlan
        A run (anything with a ``plan`` attribute) or a bare plan.
    schedule : netopt.rotations.RotationSchedule, optional
        Overrides the run's own schedule.

    Returns
    -------
    plan, schedule, state, run
        ``state`` is None and ``run`` is None for a bare plan.
    """
    plan = getattr(item, "plan", None)
    if plan is None:
        return item, schedule, None, None
    if schedule is None:
        schedule = getattr(item, "schedule", None)
    return plan, schedule, network_state(item), item
