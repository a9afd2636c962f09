"""Ferry edges: crossing time + expected wait + boarding time; closed crossings keep an edge.

A ferry route's state (ports, crossing, headway or timetable, service hours, closure) is kept
on the graph in ``G.graph["ferry_routes"]``, and the region's emergency fallback (if any) in
``G.graph["fallback"]``, so that modifiers can recompute the ferry edges without the region.

The wait of a running route (an *open* edge, ``closed=False``) is

* ``depart_at`` is None ("typical daytime"): half the headway, or for a timetable half the
  mean gap between the departures inside the service hours (a single daily departure counts
  the whole service span as its gap);
* ``depart_at`` given: the clock time *at the port* (a static approximation: the time spent
  reaching the port is not added). With a timetable, the minutes until the next departure
  from that port in that direction; with only a headway, half the headway inside service
  hours, the minutes until service starts before it.

A route that does not run (closed, at night, or at a clock after its last departure) keeps a
*reopening* edge (``closed=True``) whose time is crossing + boarding + the expected wait until
the route runs again, so every zone connected by the open network keeps a finite, documented
time. Per direction, in minutes:

1. ``W0``, the wait without closure or night: the open wait above (zero in emergency mode);
   at a clock after the last departure of the day, the exact wait until the first departure
   of the next morning, ``24:00 - clock + first departure`` (the first departure inside the
   service hours, or ``service_start`` for a headway).
2. At night (:func:`netopt.graph.at_night`): ``W1 = max(W0, N / 2)``, the mean wait of a need
   arising uniformly during the night gap ``N`` of that direction: from its last departure to
   its first departure of the next morning (a timetable), from ``service_end`` to
   ``service_start`` (a headway), or from ``GraphOptions.night_start`` to ``night_end``,
   22:00 to 06:00 (a headway route without service hours; see :func:`night_wait_min`).
   Otherwise ``W1 = W0``.
3. Closed for ``H`` hours (:func:`netopt.graph.close_ferry`): ``W = H * 60 / 2 + W1``: a need
   arises uniformly during the closure, waits out the rest of it (``H / 2`` on average), then
   the route's normal wait; else ``W = W1``.
4. With a region fallback (``G.graph["fallback"]``: an ambulance boat or helicopter that
   leaves ``f`` minutes after a call and is available with probability ``a``), the wait is
   ``a * min(f, W) + (1 - a) * W``; without one, ``W``.
5. The wait is never below the route's normal open wait (at the clock; the typical-daytime
   wait when no departure is left at the clock; zero in emergency mode).

Every step only raises the wait, so closing a route, the night and lower frequencies never
shorten a trip. A reopening edge carries ``reopen_wait_s`` (``W``, before the fallback),
``closed_by`` (``"closure"``, ``"night"`` or ``"last departure"``) and, where a fallback
applies, ``fallback`` (its name); :func:`netopt.graph.drop_closed` removes these edges (what
is reachable right now). In emergency mode (:func:`netopt.graph.emergency_mode`) the open
wait is zero (priority boarding: the boat is called out); the boarding time stays.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from netopt._clock import DAY_MIN as _DAY_MIN
from netopt._clock import format_clock, parse_clock
from netopt.graph.options import GraphOptions

__all__ = [
    "CLOSED_BY",
    "FerryWait",
    "apply_ferries",
    "closed_wait_min",
    "direction_wait",
    "fallback_state",
    "ferry_edges",
    "ferry_wait_min",
    "format_clock",
    "graph_ferry_edges",
    "night_wait_min",
    "parse_clock",
    "reopen_wait_min",
    "route_state",
    "sorted_times",
]

logger = logging.getLogger(__name__)

#: Values of the ``closed_by`` edge attribute, from the weakest reason to the strongest.
CLOSED_BY: tuple[str, ...] = ("last departure", "night", "closure")


def _service_window(service_start: str | None, service_end: str | None) -> tuple[float, float]:
    start = parse_clock(service_start) if service_start else 0.0
    end = parse_clock(service_end) if service_end else float(_DAY_MIN)
    return start, end


def _departures_in_service(departures: Sequence[str], start: float, end: float) -> np.ndarray:
    deps = np.sort([parse_clock(d) for d in departures])
    return deps[(deps >= start) & (deps <= end)]


def ferry_wait_min(
    *,
    departures: Sequence[str] = (),
    headway_min: float = math.nan,
    service_start: str | None = None,
    service_end: str | None = None,
    clock: str | None = None,
) -> float | None:
    """Return the expected wait (minutes) for one direction of a running ferry, or None.

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
        headway, or no departure left at ``clock``: see :func:`reopen_wait_min`).

    Examples
    --------
    >>> ferry_wait_min(departures=["07:00", "09:00", "11:00"], clock="08:15")
    45.0
    >>> ferry_wait_min(departures=["07:00", "09:00", "11:00"])
    60.0
    >>> ferry_wait_min(departures=["07:00", "09:00"], clock="09:01") is None
    True
    """
    start, end = _service_window(service_start, service_end)
    t = None if clock is None else parse_clock(clock)
    if len(departures):
        deps = _departures_in_service(departures, start, end)
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


def reopen_wait_min(
    *,
    departures: Sequence[str] = (),
    headway_min: float = math.nan,
    service_start: str | None = None,
    service_end: str | None = None,
    clock: str,
) -> float | None:
    """Return the minutes from ``clock`` until the first departure of the next morning.

    The wait of a reopening edge when no departure is left at ``clock`` (see
    :func:`ferry_wait_min`): ``24:00 - clock`` plus the first departure inside the service
    hours, or plus ``service_start`` (00:00 if not given) for a headway.

    Parameters
    ----------
    departures, headway_min, service_start, service_end
        As in :func:`ferry_wait_min`.
    clock : str
        ``"HH:MM"`` clock time at the port.

    Returns
    -------
    float or None
        Minutes; None when the direction has no departure at all.

    Examples
    --------
    >>> reopen_wait_min(departures=["07:00", "09:00"], clock="21:00")
    600.0
    >>> reopen_wait_min(headway_min=30.0, service_start="06:00", service_end="18:00",
    ...                 clock="18:30")
    690.0
    """
    start, end = _service_window(service_start, service_end)
    if len(departures):
        deps = _departures_in_service(departures, start, end)
        if deps.size == 0:
            return None
        first = float(deps[0])
    elif headway_min > 0:
        first = start
    else:
        return None
    return _DAY_MIN - parse_clock(clock) + first


def night_wait_min(
    *,
    departures: Sequence[str] = (),
    headway_min: float = math.nan,
    service_start: str | None = None,
    service_end: str | None = None,
    night_start: str = "22:00",
    night_end: str = "06:00",
) -> float | None:
    """Return the mean wait (minutes) of a need that arises uniformly during the night gap.

    The night gap ``N`` of one direction runs from its last departure to the first departure
    of the next morning (a timetable; a single daily departure gives 24 h), from
    ``service_end`` to ``service_start`` (a headway with service hours; a missing one counts
    as 24:00 / 00:00), or from ``night_start`` to ``night_end`` (a headway route without
    service hours). The mean wait is ``N / 2``.

    Parameters
    ----------
    departures, headway_min, service_start, service_end
        As in :func:`ferry_wait_min`.
    night_start, night_end : str
        The night of a route without service hours (``GraphOptions.night_start`` /
        ``night_end``).

    Returns
    -------
    float or None
        Minutes; None when the direction has no departure at all.

    Examples
    --------
    >>> night_wait_min(departures=["07:00", "12:00", "17:00"])
    420.0
    >>> night_wait_min(headway_min=30.0)
    240.0
    """
    start, end = _service_window(service_start, service_end)
    if len(departures):
        deps = _departures_in_service(departures, start, end)
        if deps.size == 0:
            return None
        gap = float(deps[0]) + _DAY_MIN - float(deps[-1])
    elif headway_min > 0:
        if service_start is None and service_end is None:
            end, start = parse_clock(night_start), parse_clock(night_end)
        gap = (start - end) % _DAY_MIN
    else:
        return None
    return gap / 2.0


@dataclass(frozen=True)
class FerryWait:
    """The wait of one direction of a ferry route (see the module docstring for the rules).

    Attributes
    ----------
    wait_min : float
        The expected wait used on the edge (minutes).
    reopen_min : float or None
        For a route that does not run, the wait ``W`` until it runs again (before the
        fallback); None for a running route.
    closed_by : str or None
        ``"closure"``, ``"night"`` or ``"last departure"``; None for a running route.
    fallback : str or None
        Name of the region fallback that shortens ``wait_min``, if any.
    """

    wait_min: float
    reopen_min: float | None = None
    closed_by: str | None = None
    fallback: str | None = None

    @property
    def closed(self) -> bool:
        """Whether the direction does not run (a reopening edge)."""
        return self.closed_by is not None


def direction_wait(
    route: Mapping[str, Any],
    side: str,
    *,
    clock: str | None,
    night: bool = False,
    emergency: bool = False,
    fallback: Mapping[str, Any] | None = None,
    night_start: str = "22:00",
    night_end: str = "06:00",
) -> FerryWait | None:
    """Return the wait of one direction of a route, open or reopening, or None if it never runs.

    Parameters
    ----------
    route : mapping
        A route record of ``G.graph["ferry_routes"]`` (see :func:`route_state`); ``closed``
        and ``closed_hours`` give a closure of that many hours.
    side : {"ab", "ba"}
        From port A or from port B.
    clock : str or None
        ``"HH:MM"`` clock time at the port; None for the typical-daytime waits.
    night : bool
        Ferries do not run: the night gap's mean wait.
    emergency : bool
        The open wait is zero (priority boarding).
    fallback : mapping, optional
        ``name``, ``wait_min`` and ``availability`` of the region's emergency fallback.
    night_start, night_end : str
        The night of a headway route without service hours.

    Returns
    -------
    FerryWait or None
        None when the direction has no departure at all (no timetable inside the service
        hours and no headway).

    Examples
    --------
    >>> r = {"departures_ab": ("07:00", "09:00"), "departures_ba": (), "headway_min": 60.0,
    ...      "service_start": None, "service_end": None, "closed": True, "closed_hours": 24.0}
    >>> direction_wait(r, "ab", clock=None).wait_min  # 12 h closure + the 60 min mean wait
    780.0
    """
    kw = {
        "departures": route[f"departures_{side}"],
        "headway_min": route["headway_min"],
        "service_start": route["service_start"],
        "service_end": route["service_end"],
    }
    typical = ferry_wait_min(**kw)
    if typical is None:
        return None
    at_clock = typical if clock is None else ferry_wait_min(**kw, clock=clock)
    reasons = []
    if at_clock is None:  # no departure left today: wait for the first one tomorrow
        wait = reopen_wait_min(**kw, clock=str(clock))
        floor = 0.0 if emergency else typical
        reasons.append("last departure")
    else:
        wait = floor = 0.0 if emergency else at_clock
    if night:
        wait = max(wait, night_wait_min(**kw, night_start=night_start, night_end=night_end))
        reasons.append("night")
    if route["closed"]:
        wait = float(route["closed_hours"]) * 60.0 / 2.0 + wait
        reasons.append("closure")
    if not reasons:
        return FerryWait(float(wait))
    effective = closed_wait_min(float(wait), fallback=fallback, floor_min=float(floor))
    name = None if fallback is None else str(fallback["name"])
    return FerryWait(effective, float(wait), reasons[-1], name)


def closed_wait_min(
    reopen_min: float, *, fallback: Mapping[str, Any] | None = None, floor_min: float = 0.0
) -> float:
    """Return the expected wait (minutes) at a closed crossing, with the region's fallback.

    Parameters
    ----------
    reopen_min : float
        ``W``, the expected wait until the crossing runs again.
    fallback : mapping, optional
        ``wait_min`` (``f``) and ``availability`` (``a``) of the emergency fallback.
    floor_min : float
        The crossing's normal open wait: the result is never below it.

    Returns
    -------
    float
        ``max(a * min(f, W) + (1 - a) * W, floor_min)``; without a fallback ``max(W, floor_min)``.

    Examples
    --------
    >>> closed_wait_min(720.0, fallback={"wait_min": 30.0, "availability": 0.5})
    375.0
    """
    wait = float(reopen_min)
    if fallback is not None:
        a = float(fallback["availability"])
        wait = a * min(float(fallback["wait_min"]), wait) + (1.0 - a) * wait
    return max(wait, float(floor_min))


def _ferry_edge_keys(G: nx.MultiDiGraph) -> list[tuple[Any, Any, Any]]:
    return [(u, v, k) for u, v, k, m in G.edges(keys=True, data="mode") if m == "ferry"]


def ferry_edges(
    routes: Mapping[str, Mapping[str, Any]],
    *,
    clock: str | None,
    boarding_min: float,
    night: bool = False,
    emergency: bool = False,
    fallback: Mapping[str, Any] | None = None,
    night_start: str = "22:00",
    night_end: str = "06:00",
    open_only: bool = False,
) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Return the ferry edges of a set of routes at a clock time (the graph is not touched).

    Parameters
    ----------
    routes : mapping
        Route records as kept in ``G.graph["ferry_routes"]`` (see :func:`route_state`).
    clock : str or None
        ``"HH:MM"`` clock time at the ports; None for the typical-daytime waits.
    boarding_min : float
        Boarding time added to every crossing.
    night : bool
        No ferry runs: every edge is a reopening edge with the night's wait.
    emergency : bool
        Priority boarding: the open wait is zero.
    fallback : mapping, optional
        The region's emergency fallback (``G.graph["fallback"]``).
    night_start, night_end : str
        The night of a headway route without service hours (``GraphOptions``).
    open_only : bool
        Leave out the reopening edges (see :func:`netopt.graph.drop_closed`).

    Returns
    -------
    list of (u, v, dict)
        One entry per direction that has departures, with the edge attributes
        (``travel_time_s``, ``length_m``, ``mode="ferry"``, ``route``, ``wait_s``,
        ``crossing_s``, ``boarding_s``, ``closed``; a reopening edge also ``reopen_wait_s``,
        ``closed_by`` and, with a fallback, ``fallback``).
    """
    edges = []
    for rid, r in routes.items():
        ends = ((r["node_a"], r["node_b"]), (r["node_b"], r["node_a"]))
        for (u, v), side in zip(ends, ("ab", "ba")):
            w = direction_wait(
                r,
                side,
                clock=clock,
                night=night,
                emergency=emergency,
                fallback=fallback,
                night_start=night_start,
                night_end=night_end,
            )
            if w is None or (open_only and w.closed):
                continue
            wait_s = w.wait_min * 60.0
            crossing_s = float(r["crossing_min"]) * 60.0
            boarding_s = float(boarding_min) * 60.0
            attrs: dict[str, Any] = {
                "travel_time_s": crossing_s + wait_s + boarding_s,
                "length_m": float(r["length_m"]),
                "mode": "ferry",
                "route": rid,
                "wait_s": wait_s,
                "crossing_s": crossing_s,
                "boarding_s": boarding_s,
                "closed": w.closed,
            }
            if w.closed:
                attrs.update(reopen_wait_s=float(w.reopen_min) * 60.0, closed_by=w.closed_by)
                if w.fallback is not None:
                    attrs["fallback"] = w.fallback
            edges.append((u, v, attrs))
    return edges


def graph_ferry_edges(
    G: nx.MultiDiGraph, options: GraphOptions, *, clock: str | None, night: bool
) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Return :func:`ferry_edges` for the route state and flags kept on ``G``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Reads ``G.graph["ferry_routes"]``, ``["fallback"]``, ``["emergency"]`` and
        ``["open_only"]``.
    options : GraphOptions
        ``ferry_boarding_min``, ``night_start`` and ``night_end`` are used.
    clock : str or None
        Clock time at the ports.
    night : bool
        Ferries do not run.

    Returns
    -------
    list of (u, v, dict)
    """
    return ferry_edges(
        G.graph.get("ferry_routes", {}),
        clock=clock,
        boarding_min=options.ferry_boarding_min,
        night=night,
        emergency=bool(G.graph.get("emergency", False)),
        fallback=G.graph.get("fallback"),
        night_start=options.night_start,
        night_end=options.night_end,
        open_only=bool(G.graph.get("open_only", False)),
    )


def apply_ferries(G: nx.MultiDiGraph, options: GraphOptions) -> int:
    """Replace every ferry edge of ``G`` in place from ``G.graph["ferry_routes"]``.

    Reads ``G.graph["depart_at"]`` (clock or None), ``["night"]``, ``["emergency"]``,
    ``["fallback"]`` and ``["open_only"]``. Library callers use the modifiers in
    :mod:`netopt.graph.modifiers`, which copy the graph first.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph to update in place.
    options : GraphOptions
        ``ferry_boarding_min``, ``night_start`` and ``night_end`` are used.

    Returns
    -------
    int
        Number of ferry edges now in the graph.
    """
    G.remove_edges_from(_ferry_edge_keys(G))
    edges = graph_ferry_edges(
        G, options, clock=G.graph.get("depart_at"), night=bool(G.graph.get("night", False))
    )
    G.add_edges_from(edges)
    closed = sum(1 for _, _, d in edges if d["closed"])
    if closed:
        logger.debug("%d of %d ferry edges are reopening edges", closed, len(edges))
    return len(edges)


def fallback_state(fallback: Any) -> dict[str, Any] | None:
    """Return the ``G.graph["fallback"]`` record of a region's emergency fallback (or None).

    Parameters
    ----------
    fallback : netopt.region.EmergencyFallback or None
        Read through its ``name``, ``wait_min`` and ``availability`` attributes.

    Returns
    -------
    dict or None
    """
    if fallback is None:
        return None
    return {
        "name": str(fallback.name),
        "wait_min": float(fallback.wait_min),
        "availability": float(fallback.availability),
    }


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
        "closed_hours": None,
    }


def sorted_times(times: Iterable[str]) -> tuple[str, ...]:
    """Return unique ``"HH:MM"`` times sorted by clock (validated)."""
    return tuple(sorted({format_clock(parse_clock(t)) for t in times}, key=parse_clock))
