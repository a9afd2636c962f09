"""Scenario modifiers: each returns a new :class:`TravelGraph` and leaves its input untouched.

The networkx graph is copied (``G.copy()``, which copies node and edge attribute dicts) and
the ferry route state is deep-copied before any change, so a scenario can branch from a
shared base graph.
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
from netopt.graph.ferry import apply_ferries, parse_clock, sorted_times

__all__ = [
    "add_departures",
    "add_link",
    "at_clock",
    "at_night",
    "close_ferry",
    "emergency_mode",
    "set_headway",
]

logger = logging.getLogger(__name__)


def _copy(graph: TravelGraph) -> nx.MultiDiGraph:
    G = graph.G.copy()
    G.graph["ferry_routes"] = copy.deepcopy(graph.G.graph.get("ferry_routes", {}))
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
    apply_ferries(G, boarding_min=graph.options.ferry_boarding_min)
    return replace_graph(graph, G, **changes)


def close_ferry(graph: TravelGraph, route_id: str) -> TravelGraph:
    """Return a graph with one ferry route closed (e.g. a storm day).

    Parameters
    ----------
    graph : TravelGraph
    route_id : str
        Id of the route in ``region.ferries``.

    Returns
    -------
    TravelGraph
        A new graph without the route's ferry edges.

    Raises
    ------
    DataError
        If there is no such route.
    """
    G = _copy(graph)
    _route(G, route_id)["closed"] = True
    logger.info("ferry %s closed", route_id)
    return _refresh(graph, G)


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
    """Return a graph with no ferry edges (ferries do not run at night)."""
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
        set, is cleared: the clock decides).
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
    and ferry waits become zero (the boarding time stays).

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
        if d["mode"] == "road":
            d["travel_time_s"] = d["travel_time_s"] * ratio
    G.graph.update(emergency=True, speed_factor=factor)
    return _refresh(graph, G)
