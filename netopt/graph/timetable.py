"""Exact ferry departures at a clock, and the worst-wait graph for planning timed trips.

The travel graph's ferry edges carry an *expected* wait (half the gap between departures;
see :mod:`netopt.graph.ferry`). A courier who must be somewhere by a deadline needs two
other numbers, both read from the route state in ``G.graph["ferry_routes"]``:

* the **exact** wait at a clock: minutes from arriving at the pier until the next departure
  in that direction (:func:`next_departure_min`, :func:`exact_wait_min`); after the last
  departure of the day, the first one of the next morning;
* the **worst** wait while the route runs (:func:`worst_wait_min`): the largest gap between
  consecutive departures, counting from the start of the service hours (or from a given
  earliest clock) to the first departure. :func:`worst_wait_graph` times every ferry edge
  with crossing + boarding + that wait, so a plan made on it is never earlier than the
  trip simulated with the exact waits, as long as the pier is reached before the last
  departure of the day.

Departures: a timetabled direction uses its departures inside the service hours; a
direction with only a headway departs at ``service_start`` (00:00 if not given) and every
headway after it until ``service_end`` (24:00 if not given), the timetable implied by
:func:`netopt.graph.add_departures` (an ASSUMPTION: real headway services are not phased
like that). A closed route (:func:`netopt.graph.close_ferry`) runs again ``closed_hours``
after the clock asked about.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from netopt._clock import DAY_MIN, parse_clock
from netopt.graph.build import TravelGraph, replace_graph

__all__ = [
    "departure_times",
    "exact_wait_min",
    "next_departure_min",
    "worst_wait_graph",
    "worst_wait_min",
]


def _minutes(clock: str | float) -> float:
    return parse_clock(clock) if isinstance(clock, str) else float(clock)


def _side(side: str) -> str:
    if side not in ("ab", "ba"):
        raise ValueError(f"side must be 'ab' (from port A) or 'ba' (from port B), not {side!r}")
    return side


def departure_times(route: Mapping[str, Any], side: str) -> np.ndarray:
    """Return the sorted departure minutes (after midnight) of one direction of a route.

    Parameters
    ----------
    route : mapping
        A record of ``G.graph["ferry_routes"]`` (``departures_ab`` / ``departures_ba``,
        ``headway_min``, ``service_start``, ``service_end``).
    side : {"ab", "ba"}
        From port A (``node_a``) or from port B.

    Returns
    -------
    numpy.ndarray
        Timetabled departures inside the service hours, or those implied by the headway
        (see the module docstring); empty when the direction has none.

    Examples
    --------
    >>> r = {"departures_ab": (), "departures_ba": (), "headway_min": 90.0,
    ...      "service_start": "07:00", "service_end": "11:00"}
    >>> departure_times(r, "ab").tolist()
    [420.0, 510.0, 600.0]
    """
    start = parse_clock(route["service_start"]) if route.get("service_start") else 0.0
    end = parse_clock(route["service_end"]) if route.get("service_end") else float(DAY_MIN)
    listed = route.get(f"departures_{_side(side)}") or ()
    if len(listed):
        deps = np.sort(np.array([parse_clock(d) for d in listed], dtype=float))
        return deps[(deps >= start) & (deps <= end)]
    headway = float(route.get("headway_min", math.nan))
    if not headway > 0:
        return np.zeros(0)
    return np.arange(start, end + 1e-9, headway)


def next_departure_min(route: Mapping[str, Any], side: str, clock: str | float) -> float:
    """Return the first departure at or after ``clock`` (minutes after midnight of day 0).

    Parameters
    ----------
    route : mapping
        A record of ``G.graph["ferry_routes"]``.
    side : {"ab", "ba"}
    clock : str or float
        ``"HH:MM"`` or minutes after midnight (values past 1440 are later days) when the
        traveller reaches the pier.

    Returns
    -------
    float
        The departure; past the day's last departure, the first of the next morning
        (``1440 + first``). A closed route departs at the first departure at or after
        ``clock + closed_hours x 60``. ``inf`` when the direction has no departure.

    Examples
    --------
    >>> r = {"departures_ab": ("07:00", "09:00"), "departures_ba": (), "headway_min": float("nan"),
    ...      "service_start": None, "service_end": None, "closed": False}
    >>> next_departure_min(r, "ab", "08:10"), next_departure_min(r, "ab", "09:01")
    (540.0, 1860.0)
    """
    deps = departure_times(route, side)
    if deps.size == 0:
        return math.inf
    t = _minutes(clock)
    if route.get("closed"):
        t += float(route.get("closed_hours") or 0.0) * 60.0
    day = math.floor(t / DAY_MIN)
    within = t - day * DAY_MIN
    k = int(np.searchsorted(deps, within - 1e-9, side="left"))
    if k < deps.size:
        return float(day * DAY_MIN + deps[k])
    return float((day + 1) * DAY_MIN + deps[0])


def exact_wait_min(route: Mapping[str, Any], side: str, clock: str | float) -> float:
    """Return the minutes from reaching the pier at ``clock`` until the next departure.

    Parameters
    ----------
    route : mapping
        A record of ``G.graph["ferry_routes"]``.
    side : {"ab", "ba"}
    clock : str or float
        ``"HH:MM"`` or minutes after midnight.

    Returns
    -------
    float
        ``next_departure_min(route, side, clock) - clock`` (``inf``: no departure).

    Examples
    --------
    >>> r = {"departures_ab": ("07:00", "09:00"), "departures_ba": (), "headway_min": float("nan"),
    ...      "service_start": None, "service_end": None, "closed": False}
    >>> exact_wait_min(r, "ab", "08:15")
    45.0
    """
    return next_departure_min(route, side, clock) - _minutes(clock)


def worst_wait_min(
    route: Mapping[str, Any], side: str, *, earliest: str | float | None = None
) -> float:
    """Return the longest wait at the pier while the route runs (minutes).

    The largest gap between consecutive departures, and the wait from ``earliest`` (or the
    start of the service hours, or the first departure when none is given) to the first
    departure at or after it: the wait of a traveller reaching the pier at any clock from
    then until the last departure is never longer.

    Parameters
    ----------
    route : mapping
        A record of ``G.graph["ferry_routes"]``.
    side : {"ab", "ba"}
    earliest : str or float, optional
        The earliest clock the traveller may reach the pier (e.g. the courier day's start).

    Returns
    -------
    float
        Minutes; ``inf`` when the direction has no departure; past the last departure from
        ``earliest`` on, the wait until the next morning's first.

    Examples
    --------
    >>> r = {"departures_ab": ("07:00", "08:00", "11:00"), "departures_ba": (),
    ...      "headway_min": float("nan"), "service_start": "06:30", "service_end": None}
    >>> worst_wait_min(r, "ab"), worst_wait_min(r, "ab", earliest="07:30")
    (180.0, 180.0)
    """
    deps = departure_times(route, side)
    if deps.size == 0:
        return math.inf
    if earliest is not None:
        lo = _minutes(earliest)
    elif route.get("service_start"):
        lo = parse_clock(route["service_start"])
    else:
        lo = float(deps[0])
    later = deps[deps >= lo - 1e-9]
    if later.size == 0:
        return float(DAY_MIN - lo + deps[0])
    gaps = np.diff(later)
    return float(max(later[0] - lo, gaps.max() if gaps.size else 0.0))


def worst_wait_graph(graph: TravelGraph, *, earliest: str | None = None) -> TravelGraph:
    """Return a graph whose ferry edges wait the longest gap between departures.

    Every ferry edge gets ``wait_s = max(its wait, worst_wait_min(...) x 60)`` and
    ``travel_time_s = crossing_s + boarding_s + wait_s`` (a reopening edge of a closed
    route keeps its longer wait), plus ``worst_wait_s``; the graph is flagged
    ``G.graph["worst_wait"] = True``. Use it to plan trips that must meet a deadline: the
    exact trip (:func:`exact_wait_min` at each pier) is never later, as long as each pier is
    reached before the last departure of the day. Apply it last: a later modifier recomputes
    the ferry edges with the expected waits.

    Parameters
    ----------
    graph : TravelGraph
        Not modified.
    earliest : str, optional
        The earliest clock at the piers (see :func:`worst_wait_min`); None: the start of
        each route's service hours.

    Returns
    -------
    TravelGraph

    Examples
    --------
    >>> plan_graph = worst_wait_graph(graph, earliest="08:00")  # doctest: +SKIP
    """
    G = graph.G.copy()
    routes = copy.deepcopy(graph.G.graph.get("ferry_routes", {}))
    G.graph["ferry_routes"] = routes
    G.graph["fallback"] = copy.deepcopy(graph.G.graph.get("fallback"))
    G.graph["closed_links"] = dict(graph.G.graph.get("closed_links", {}))
    for u, _, d in G.edges(data=True):
        if d.get("mode") != "ferry" or d.get("route") not in routes:
            continue
        r = routes[d["route"]]
        side = "ab" if u == r["node_a"] else "ba"
        worst = worst_wait_min(r, side, earliest=earliest) * 60.0
        if not math.isfinite(worst):  # no departure: the edge would not exist
            continue
        wait = max(float(d.get("wait_s", 0.0)), worst)
        d.update(
            wait_s=wait,
            worst_wait_s=worst,
            travel_time_s=float(d["crossing_s"]) + float(d["boarding_s"]) + wait,
        )
    G.graph["worst_wait"] = True
    return replace_graph(graph, G)
