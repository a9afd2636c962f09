"""Ferry edges: crossing time + expected wait + boarding time, inside service hours only.

A ferry route's state (ports, crossing, headway or timetable, service hours, closed flag) is
kept on the graph in ``G.graph["ferry_routes"]`` so that modifiers can recompute the ferry
edges without the region. The wait is

* ``depart_at`` is None ("typical daytime"): half the headway, or for a timetable half the
  mean gap between the departures inside the service hours (a single daily departure counts
  the whole service span as its gap);
* ``depart_at`` given: the clock time *at the port* (a static approximation: the time spent
  reaching the port is not added). With a timetable, the minutes until the next departure
  from that port in that direction; with only a headway, half the headway inside service
  hours, the minutes until service starts before it. When no departure is left that day
  (after the last departure, or after service ends) the edge is absent.

Closed routes, and every route at night (:func:`netopt.graph.at_night`), have no edges. In
emergency mode (:func:`netopt.graph.emergency_mode`) the wait is zero (priority boarding:
the boat is called out), the boarding time stays.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np

from netopt._clock import DAY_MIN as _DAY_MIN
from netopt._clock import format_clock, parse_clock

__all__ = [
    "apply_ferries",
    "ferry_edges",
    "ferry_wait_min",
    "format_clock",
    "parse_clock",
    "route_state",
    "sorted_times",
]

logger = logging.getLogger(__name__)


def ferry_wait_min(
    *,
    departures: Sequence[str] = (),
    headway_min: float = math.nan,
    service_start: str | None = None,
    service_end: str | None = None,
    clock: str | None = None,
) -> float | None:
    """Return the expected wait (minutes) for one direction of a ferry, or None if no boat.

    Parameters
    ----------
    departures : sequence of str
        ``"HH:MM"`` departure times from this port (empty when only a headway is known).
        Departures outside the service hours are ignored.
    headway_min : float
        Minutes between departures (used when ``departures`` is empty).
    service_start, service_end : str or None
        Service hours (``None``: 00:00 and 24:00).
    clock : str or None
        Clock time at the port; None means "typical daytime".

    Returns
    -------
    float or None
        The wait in minutes; None when no departure is possible (no timetable and no
        headway, or no departure left at ``clock``).

    Examples
    --------
    >>> ferry_wait_min(departures=["07:00", "09:00", "11:00"], clock="08:15")
    45.0
    >>> ferry_wait_min(departures=["07:00", "09:00", "11:00"])
    60.0
    >>> ferry_wait_min(departures=["07:00", "09:00"], clock="09:01") is None
    True
    """
    start = parse_clock(service_start) if service_start else 0.0
    end = parse_clock(service_end) if service_end else float(_DAY_MIN)
    t = None if clock is None else parse_clock(clock)
    if len(departures):
        deps = np.sort([parse_clock(d) for d in departures])
        deps = deps[(deps >= start) & (deps <= end)]
        if deps.size == 0:
            return None
        if t is None:
            gap = float(np.diff(deps).mean()) if deps.size >= 2 else end - start
            return gap / 2.0
        later = deps[deps >= t]
        return float(later[0] - t) if later.size else None
    if not (headway_min > 0):
        return None
    if t is None:
        return headway_min / 2.0
    if t < start:
        return start - t
    if t > end:
        return None
    return headway_min / 2.0


def _direction_waits(route: dict[str, Any], clock: str | None) -> tuple[float | None, float | None]:
    common = {
        "headway_min": route["headway_min"],
        "service_start": route["service_start"],
        "service_end": route["service_end"],
        "clock": clock,
    }
    return (
        ferry_wait_min(departures=route["departures_ab"], **common),
        ferry_wait_min(departures=route["departures_ba"], **common),
    )


def _ferry_edge_keys(G: nx.MultiDiGraph) -> list[tuple[Any, Any, Any]]:
    return [(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m == "ferry"]


def ferry_edges(
    routes: dict[str, dict[str, Any]],
    *,
    clock: str | None,
    boarding_min: float,
    night: bool = False,
    emergency: bool = False,
) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Return the ferry edges of a set of routes at a clock time (the graph is not touched).

    Parameters
    ----------
    routes : dict
        Route records as kept in ``G.graph["ferry_routes"]`` (see :func:`route_state`).
    clock : str or None
        ``"HH:MM"`` clock time at the ports; None for the typical-daytime waits.
    boarding_min : float
        Boarding time added to every crossing.
    night : bool
        No ferry runs: no edges.
    emergency : bool
        Priority boarding: the wait is zero.

    Returns
    -------
    list of (u, v, dict)
        One entry per direction with a departure left, with the edge attributes
        (``travel_time_s``, ``length_m``, ``mode="ferry"``, ``route``, ``wait_s``,
        ``crossing_s``, ``boarding_s``).
    """
    if night:
        return []
    edges = []
    for rid, r in routes.items():
        if r["closed"]:
            continue
        waits = _direction_waits(r, clock)
        ends = ((r["node_a"], r["node_b"]), (r["node_b"], r["node_a"]))
        for (u, v), wait in zip(ends, waits):
            if wait is None:
                continue
            wait_s = 0.0 if emergency else wait * 60.0
            crossing_s = float(r["crossing_min"]) * 60.0
            boarding_s = float(boarding_min) * 60.0
            attrs = {
                "travel_time_s": crossing_s + wait_s + boarding_s,
                "length_m": float(r["length_m"]),
                "mode": "ferry",
                "route": rid,
                "wait_s": wait_s,
                "crossing_s": crossing_s,
                "boarding_s": boarding_s,
            }
            edges.append((u, v, attrs))
    return edges


def apply_ferries(G: nx.MultiDiGraph, *, boarding_min: float) -> int:
    """Replace every ferry edge of ``G`` in place from ``G.graph["ferry_routes"]``.

    Reads ``G.graph["depart_at"]`` (clock or None), ``G.graph["night"]`` and
    ``G.graph["emergency"]``. Library callers use the modifiers in
    :mod:`netopt.graph.modifiers`, which copy the graph first.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph to update in place.
    boarding_min : float
        Boarding time added to every crossing.

    Returns
    -------
    int
        Number of ferry edges now in the graph.
    """
    G.remove_edges_from(_ferry_edge_keys(G))
    night = bool(G.graph.get("night", False))
    if night:
        logger.debug("night: no ferry edges")
    edges = ferry_edges(
        G.graph.get("ferry_routes", {}),
        clock=G.graph.get("depart_at"),
        boarding_min=boarding_min,
        night=night,
        emergency=bool(G.graph.get("emergency", False)),
    )
    G.add_edges_from(edges)
    return len(edges)


def _clock_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        return None
    return str(value).strip()


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(";") if s.strip())
    return tuple(str(s) for s in value)


def route_state(rid: str, row: Any, node_a: Any, node_b: Any, length_m: float) -> dict[str, Any]:
    """Return the route record kept in ``G.graph["ferry_routes"]`` for one ferries row."""
    return {
        "name": row.get("name"),
        "node_a": node_a,
        "node_b": node_b,
        "from_port": row.get("from_port"),
        "to_port": row.get("to_port"),
        "crossing_min": float(row["crossing_min"]),
        "headway_min": float(row.get("headway_min", math.nan)),
        "departures_ab": _as_tuple(row.get("departures_ab")),
        "departures_ba": _as_tuple(row.get("departures_ba")),
        "service_start": _clock_or_none(row.get("service_start")),
        "service_end": _clock_or_none(row.get("service_end")),
        "length_m": float(length_m),
        "closed": False,
    }


def sorted_times(times: Iterable[str]) -> tuple[str, ...]:
    """Return unique ``"HH:MM"`` times sorted by clock (validated)."""
    return tuple(sorted({format_clock(parse_clock(t)) for t in times}, key=parse_clock))
