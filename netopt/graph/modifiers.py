"""Scenario modifiers: each returns a new :class:`TravelGraph` and leaves its input untouched.

The networkx graph is copied (``G.copy()``, which copies node and edge attribute dicts) and
the ferry route state is deep-copied before any change, so a scenario can branch from a
shared base graph.

A ferry that does not run (:func:`close_ferry`, :func:`at_night`, or a clock after its last
departure) and a closed bridge (:func:`close_link`) keep *reopening* edges (``closed=True``)
timed with the wait until they run again (see :mod:`netopt.graph.ferry`), so closures, the
night and lower frequencies only ever raise travel times. :func:`drop_closed` removes those
edges: what is reachable right now.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pyproj
import shapely
from scipy.spatial import cKDTree

from netopt._errors import DataError, Problem
from netopt.graph.build import TravelGraph, label_points, replace_graph
from netopt.graph.ferry import apply_ferries, closed_wait_min, parse_clock, sorted_times

__all__ = [
    "add_departures",
    "add_link",
    "at_clock",
    "at_night",
    "close_ferry",
    "close_link",
    "drop_closed",
    "emergency_mode",
    "set_headway",
]

logger = logging.getLogger(__name__)


def _copy(graph: TravelGraph) -> nx.MultiDiGraph:
    G = graph.G.copy()
    G.graph["ferry_routes"] = copy.deepcopy(graph.G.graph.get("ferry_routes", {}))
    G.graph["fallback"] = copy.deepcopy(graph.G.graph.get("fallback"))
    G.graph["closed_links"] = dict(graph.G.graph.get("closed_links", {}))
    return G


def _route(G: nx.MultiDiGraph, route_id: str) -> dict:
    routes = G.graph["ferry_routes"]
    if str(route_id) not in routes:
        raise DataError(
            Problem(
                "ferries", str(route_id), "", "no such ferry route", f"use one of {sorted(routes)}"
            )
        )
    return routes[str(route_id)]


def _refresh(graph: TravelGraph, G: nx.MultiDiGraph, **changes) -> TravelGraph:
    apply_ferries(G, graph.options)
    return replace_graph(graph, G, **changes)


def close_ferry(graph: TravelGraph, route_id: str, *, hours: float | None = None) -> TravelGraph:
    """Return a graph with one ferry route closed for ``hours`` (e.g. a storm day).

    The route keeps reopening edges (``closed=True``, ``closed_by="closure"``) whose wait is
    ``hours * 60 / 2`` minutes (a need arises uniformly during the closure) plus the route's
    normal wait, or the region's emergency fallback where one is given (see
    :mod:`netopt.graph.ferry`); :func:`drop_closed` removes them.

    Parameters
    ----------
    graph : TravelGraph
    route_id : str
        Id of the route in ``region.ferries``.
    hours : float, optional
        How long the closure lasts, > 0; None: ``graph.options.closure_hours`` (24 h).
        Closing a closed route again replaces its hours.

    Returns
    -------
    TravelGraph
        A new graph whose ferry edges of the route are reopening edges.

    Raises
    ------
    DataError
        If there is no such route.
    ValueError
        If ``hours`` is not a finite number > 0.

    Examples
    --------
    >>> storm = close_ferry(graph, "F1", hours=48)  # doctest: +SKIP
    >>> now = drop_closed(storm)  # what islanders can reach during the storm  # doctest: +SKIP
    """
    h = _hours(graph, hours)
    G = _copy(graph)
    _route(G, route_id).update(closed=True, closed_hours=h)
    logger.info("ferry %s closed for %g h", route_id, h)
    return _refresh(graph, G)


def _hours(graph: TravelGraph, hours: float | None) -> float:
    h = graph.options.closure_hours if hours is None else hours
    if isinstance(h, bool) or not (isinstance(h, (int, float)) and 0 < h < float("inf")):
        raise ValueError(f"hours must be a finite number > 0, got {hours!r}")
    return float(h)


def close_link(graph: TravelGraph, link_id: str, *, hours: float | None = None) -> TravelGraph:
    """Return a graph with a bridge or fixed link closed for ``hours`` (e.g. a typhoon).

    The link keeps reopening edges (``closed=True``, ``closed_by="closure"``): its own
    travel time plus the expected wait ``W = hours * 60 / 2`` minutes (a need arises
    uniformly during the closure), or with the region's emergency fallback
    ``a * min(f, W) + (1 - a) * W`` (see :mod:`netopt.graph.ferry`). The edges carry
    ``wait_s``, ``reopen_wait_s`` and ``closed_hours``; the closure is also listed in
    ``G.graph["closed_links"]`` (link id to hours). :func:`drop_closed` removes the edges
    (on a graph from it, the link's edges are removed at once).

    Parameters
    ----------
    graph : TravelGraph
    link_id : str
        Id of the link in ``region.links``, or the name given to :func:`add_link`.
    hours : float, optional
        How long the closure lasts, > 0; None: ``graph.options.closure_hours`` (24 h).
        Closing a closed link again replaces its hours.

    Returns
    -------
    TravelGraph

    Raises
    ------
    DataError
        If no edge belongs to that link.
    ValueError
        If ``hours`` is not a finite number > 0.
    """
    h = _hours(graph, hours)
    G = _copy(graph)
    edges = [d for _, _, d in G.edges(data=True) if d.get("link") == str(link_id)]
    if not edges:
        links = sorted({str(d["link"]) for _, _, d in G.edges(data=True) if d.get("link")})
        raise DataError(Problem("links", str(link_id), "", "no such link", f"use one of {links}"))
    reopen_min = h * 60.0 / 2.0
    wait_s = closed_wait_min(reopen_min, fallback=G.graph.get("fallback")) * 60.0
    G.graph["closed_links"][str(link_id)] = h
    logger.info("link %s closed for %g h", link_id, h)
    if G.graph.get("open_only", False):  # a graph from drop_closed: the link is just gone
        G.remove_edges_from(
            [(u, v, k) for u, v, k, lk in G.edges(keys=True, data="link") if lk == str(link_id)]
        )
        return replace_graph(graph, G)
    for d in edges:
        drive_s = d["travel_time_s"] - d.get("wait_s", 0.0)
        d.update(
            travel_time_s=drive_s + wait_s,
            wait_s=wait_s,
            reopen_wait_s=reopen_min * 60.0,
            closed=True,
            closed_by="closure",
            closed_hours=h,
        )
        if G.graph.get("fallback") is not None:
            d["fallback"] = str(G.graph["fallback"]["name"])
    return replace_graph(graph, G)


def drop_closed(graph: TravelGraph) -> TravelGraph:
    """Return a graph without the reopening edges (``closed=True``): what is reachable now.

    Closed ferries, ferries at night, ferries after their last departure and closed links
    (:func:`close_link`) lose their edges, so a zone that reaches care only through them
    becomes unreachable (see :func:`netopt.graph.reachability`). The flag stays with the
    graph (``G.graph["open_only"]``): later modifiers do not bring the reopening edges back.

    Parameters
    ----------
    graph : TravelGraph

    Returns
    -------
    TravelGraph
        A copy; the input keeps its reopening edges.

    Examples
    --------
    >>> cut = reachability(drop_closed(close_ferry(graph, "F1")))  # doctest: +SKIP
    """
    G = _copy(graph)
    G.remove_edges_from(
        [(u, v, k) for u, v, k, c in G.edges(keys=True, data="closed", default=False) if c]
    )
    G.graph["open_only"] = True
    return replace_graph(graph, G)


def set_headway(graph: TravelGraph, route_id: str, minutes: float) -> TravelGraph:
    """Return a graph where a ferry runs every ``minutes`` (replacing any timetable).

    Parameters
    ----------
    graph : TravelGraph
    route_id : str
    minutes : float
        New headway, > 0.

    Returns
    -------
    TravelGraph
    """
    if not minutes > 0:
        raise ValueError(f"headway must be > 0 minutes, got {minutes!r}")
    G = _copy(graph)
    r = _route(G, route_id)
    r.update(headway_min=float(minutes), departures_ab=(), departures_ba=())
    return _refresh(graph, G)


def add_departures(
    graph: TravelGraph,
    route_id: str,
    times: Iterable[str],
    *,
    direction: str = "both",
) -> TravelGraph:
    """Return a graph with extra timetabled departures on a ferry route.

    Parameters
    ----------
    graph : TravelGraph
    route_id : str
    times : iterable of str
        ``"HH:MM"`` departure times to add.
    direction : {"both", "ab", "ba"}
        From port A, from port B, or from both.

    Returns
    -------
    TravelGraph

    Notes
    -----
    A route that so far had only a headway gets the timetable implied by it (departures
    every headway from ``service_start`` to ``service_end``) before the new times are added.
    """
    if direction not in ("both", "ab", "ba"):
        raise ValueError(f"direction must be 'both', 'ab' or 'ba', not {direction!r}")
    new = tuple(times)
    G = _copy(graph)
    r = _route(G, route_id)
    for side in ("ab", "ba"):
        key = f"departures_{side}"
        current = r[key] or _implied_timetable(r)
        if direction in ("both", side):
            current = tuple(current) + new
        r[key] = sorted_times(current)
    return _refresh(graph, G)


def _implied_timetable(r: dict) -> tuple[str, ...]:
    if not r["headway_min"] > 0:
        return ()
    start = parse_clock(r["service_start"]) if r["service_start"] else 0.0
    end = parse_clock(r["service_end"]) if r["service_end"] else 24 * 60.0
    mins = np.arange(start, end + 1e-9, r["headway_min"])
    return tuple(f"{int(m) // 60:02d}:{int(m) % 60:02d}" for m in mins)


def add_link(
    graph: TravelGraph,
    a_lonlat: tuple[float, float],
    b_lonlat: tuple[float, float],
    *,
    travel_min: float | None = None,
    name: str = "new link",
) -> TravelGraph:
    """Return a graph with a new bridge or road link between two places.

    Parameters
    ----------
    graph : TravelGraph
    a_lonlat, b_lonlat : tuple of float
        Ends of the link (WGS-84 longitude, latitude); each joins the nearest network node
        within ``options.max_snap_m``.
    travel_min : float, optional
        Travel time; if None, the straight length at ``options.link_speed_kmh``.
    name : str
        Link id stored on the edges (``link=<name>``).

    Returns
    -------
    TravelGraph
        A new graph with the link's two directed edges; the points' ``component`` and
        ``island`` columns recomputed.

    Raises
    ------
    DataError
        If an end is farther than ``max_snap_m`` from the network.
    """
    G = _copy(graph)
    tf = pyproj.Transformer.from_crs("EPSG:4326", G.graph["crs"], always_xy=True)
    ends = np.array([tf.transform(*a_lonlat), tf.transform(*b_lonlat)])
    nodes = [n for n, p in G.nodes(data="point") if p is None]
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in nodes])
    dist, idx = cKDTree(xy).query(ends)
    limit = graph.options.max_snap_m
    bad = [
        Problem(
            "add_link",
            name,
            end,
            f"{d / 1000:.1f} km from the network (limit {limit / 1000:.1f} km)",
            "move the end onto land or raise max_snap_m",
        )
        for end, d in zip(("a_lonlat", "b_lonlat"), dist)
        if not d <= limit
    ]
    if bad:
        raise DataError(bad)
    u, v = nodes[idx[0]], nodes[idx[1]]
    length = float(shapely.distance(shapely.points(ends[0]), shapely.points(ends[1])))
    seconds = (
        travel_min * 60.0
        if travel_min is not None
        else length / (graph.options.link_speed_kmh / 3.6)
    )
    factor = G.graph.get("speed_factor", 1.0)
    for p, q in ((u, v), (v, u)):
        G.add_edge(
            p, q, travel_time_s=seconds / factor, length_m=length, mode="road", link=str(name)
        )
    logger.info("link %s added (%.0f m, %.1f min)", name, length, seconds / 60)
    return replace_graph(graph, G, points=label_points(G, graph.points, graph.region))


def at_night(graph: TravelGraph) -> TravelGraph:
    """Return a graph for the night: no ferry runs until its first morning departure.

    Every ferry edge becomes a reopening edge (``closed=True``, ``closed_by="night"``) whose
    wait is the mean wait of a need arising uniformly during the route's night gap, never
    below its daytime wait (see :func:`netopt.graph.ferry.night_wait_min`); the region's
    emergency fallback applies where one is given. :func:`drop_closed` removes them.

    Parameters
    ----------
    graph : TravelGraph

    Returns
    -------
    TravelGraph
    """
    G = _copy(graph)
    G.graph["night"] = True
    return _refresh(graph, G)


def at_clock(graph: TravelGraph, clock: str | None) -> TravelGraph:
    """Return a graph whose ferry edges are recomputed for a clock time at the ports.

    Parameters
    ----------
    graph : TravelGraph
    clock : str or None
        ``"HH:MM"``, or None for the typical-daytime waits (half the headway).

    Returns
    -------
    TravelGraph
        With ``depart_at`` set to ``clock`` (the ``night`` flag of :func:`at_night`, if
        set, is cleared: the clock decides). A route with no departure left at ``clock``
        keeps reopening edges with the exact wait until its first departure the next
        morning.
    """
    if clock is not None:
        parse_clock(clock)
    G = _copy(graph)
    G.graph.update(depart_at=clock, night=False)
    return _refresh(graph, G, depart_at=clock)


def emergency_mode(graph: TravelGraph, *, speed_factor: float | None = None) -> TravelGraph:
    """Return a graph for ambulance trips: faster roads and priority ferry boarding.

    Road edges (including surface and links, not connectors) are sped up by
    ``speed_factor`` relative to the normal speeds (applying it twice does not compound),
    and the waits of running ferries become zero (the boarding time stays; a closed ferry
    still waits until it reopens).

    Parameters
    ----------
    graph : TravelGraph
    speed_factor : float, optional
        Defaults to ``graph.options.emergency_speed_factor``; 1.0 keeps normal speeds.

    Returns
    -------
    TravelGraph
    """
    factor = graph.options.emergency_speed_factor if speed_factor is None else float(speed_factor)
    if not factor > 0:
        raise ValueError(f"speed_factor must be > 0, got {speed_factor!r}")
    G = _copy(graph)
    ratio = G.graph.get("speed_factor", 1.0) / factor
    for _, _, d in G.edges(data=True):
        if d["mode"] == "road":  # a closed link's wait is not driving: it stays
            wait = d.get("wait_s", 0.0)
            d["travel_time_s"] = (d["travel_time_s"] - wait) * ratio + wait
    G.graph.update(emergency=True, speed_factor=factor)
    return _refresh(graph, G)
