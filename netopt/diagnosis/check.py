"""An independent check of courier routes: :func:`check_courier`.

It takes a :class:`~netopt.diagnosis.CourierPlan` as a list of claims and re-derives every
time from the graph and the ferry timetables, without the planner's numbers or code paths
(no routing result, no worst-wait graph, no timetable helper of :mod:`netopt.graph`):

* legs: the fastest road time (every edge but ferries and closed links, scipy's Dijkstra
  over the graph's own edges) from each visit to the next, through the piers of the ferries
  the plan says it takes, in order; a claimed arrival that differs from the recomputed one
  by more than ``tolerance_min`` is a violation;
* ferries: each departure taken must be one of the direction's departures (the timetable
  inside the service hours, or every headway from the start of service), at or after the
  arrival at the pier plus the boarding time, on a route that is not closed, and recorded
  for a visit of the route;
* stops: every sender's samples all picked up or listed unserved (the samples picked up
  plus those listed unserved equal the samples given; a sender with more samples than a
  courier holds may be visited several times, never more than ``ceil(samples /
  capacity)``), no unknown stop, no pickup before the courier is there (arrival plus service at most the
  departure), the samples claimed equal to the samples given, the load never above the
  capacity;
* window: each sample's age, from the pickup (departure minus ``service_min``) to the
  recomputed arrival at the laboratory, at most the window;
* the day: leaving the laboratory at or after the day's start, back by its end.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from netopt.graph import TravelGraph

__all__ = ["check_courier"]

_DAY = 1440.0


def _clock(text: str) -> float:
    h, m = str(text).split(":")
    return float(int(h) * 60 + int(m))


def _ferry_ids(value: Any) -> list[str]:
    """The ";"-joined ferry ids of a stop row (empty, None or NaN: none, e.g. read from CSV)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [f for f in str(value).split(";") if f]


def _departures(state: Mapping[str, Any], side: str) -> np.ndarray:
    """The direction's departures (minutes), from the route record itself."""
    lo = _clock(state["service_start"]) if state.get("service_start") else 0.0
    hi = _clock(state["service_end"]) if state.get("service_end") else _DAY
    listed = list(state.get(f"departures_{side}") or ())
    if listed:
        deps = np.array(sorted(_clock(d) for d in listed))
        return deps[(deps >= lo) & (deps <= hi)]
    h = float(state.get("headway_min") or math.nan)
    if not h > 0:
        return np.zeros(0)
    return lo + h * np.arange(math.floor((hi - lo) / h + 1e-9) + 1)


class _Roads:
    """Fastest road minutes between graph nodes (ferries and closed edges left out)."""

    def __init__(self, graph: TravelGraph) -> None:
        G = graph.G
        self.index = {n: i for i, n in enumerate(G.nodes)}
        best: dict[tuple[int, int], float] = {}
        for u, v, d in G.edges(data=True):
            if d.get("mode") == "ferry" or d.get("closed", False):
                continue
            key = (self.index[u], self.index[v])
            best[key] = min(best.get(key, math.inf), float(d["travel_time_s"]))
        n = len(self.index)
        if best:
            uv = np.array(list(best), dtype=np.int64)
            w = np.array(list(best.values())) + 1e-9  # keep zero-time edges as edges
            self.matrix = csr_array((w, (uv[:, 0], uv[:, 1])), shape=(n, n))
        else:
            self.matrix = csr_array((n, n))
        self.rows: dict[int, np.ndarray] = {}

    def minutes(self, a: Hashable, b: Hashable) -> float:
        i = self.index[a]
        if i not in self.rows:
            self.rows[i] = dijkstra(self.matrix, indices=i) / 60.0
        return float(self.rows[i][self.index[b]])


def check_courier(
    plan: Any,
    graph: TravelGraph,
    samples_by_stop: Mapping[str, float],
    capacity: float,
    window: float,
    *,
    service_min: float | None = None,
    boarding_min: float | None = None,
    day: tuple[str, str] | None = None,
    tolerance_min: float = 0.1,
) -> list[str]:
    """Return the violations of a courier plan, re-derived from the graph (empty: valid).

    Parameters
    ----------
    plan : CourierPlan
        Its ``stops``, ``crossings`` and ``unserved`` tables are checked.
    graph : TravelGraph
        The network the routes run on (its ferry route records and road edges).
    samples_by_stop : mapping of str to float
        Samples per day of each sender (facility id); those > 0 must be served or unserved.
    capacity : float
        Samples a courier holds at once.
    window : float
        Longest minutes from pickup to the laboratory.
    service_min : float, optional
        Minutes at a stop; default ``plan.options.service_min``.
    boarding_min : float, optional
        Minutes to board a ferry; default ``graph.options.ferry_boarding_min``.
    day : (str, str), optional
        The courier day ``("HH:MM", "HH:MM")``; default the plan's options.
    tolerance_min : float, default 0.1
        Slack on recomputed times.

    Returns
    -------
    list of str
        One sentence per violation.

    Examples
    --------
    >>> check_courier(plan, graph, {"H1": 40.0}, 400, 240)  # doctest: +SKIP
    []
    """
    opts = getattr(plan, "options", None)
    svc = float(opts.service_min if service_min is None else service_min)
    board = float(graph.options.ferry_boarding_min if boarding_min is None else boarding_min)
    start, end = (opts.start, opts.end) if day is None else day
    tol = float(tolerance_min)
    roads = _Roads(graph)
    ferries = graph.G.graph.get("ferry_routes", {})
    nodes = graph.points["node"]
    problems: list[str] = []
    stops, crossings = plan.stops, plan.crossings
    for name, rows in stops.groupby("route", sort=True):
        rows = rows.sort_values("seq")
        legs = crossings[crossings["route"] == name]
        for c in legs[~legs["seq"].isin(rows["seq"])].itertuples():
            problems.append(
                f"{name} seq {c.seq}: ferry {c.ferry} recorded for a visit the route does not have"
            )
        problems += _check_route(
            str(name),
            rows,
            legs,
            roads,
            ferries,
            nodes,
            samples_by_stop,
            capacity=float(capacity),
            window=float(window),
            svc=svc,
            board=board,
            day=(_clock(start), _clock(end)),
            tol=tol,
        )
    for c in crossings[~crossings["route"].isin(stops["route"])].itertuples():
        problems.append(f"{c.route}: ferry {c.ferry} recorded for a route without visits")
    problems += _check_coverage(stops, plan.unserved, samples_by_stop, float(capacity))
    return problems


def _check_coverage(
    stops: Any, unserved: Any, samples_by_stop: Mapping[str, float], capacity: float
) -> list[str]:
    out = []
    picks = stops[stops["kind"] == "pickup"].assign(
        facility_id=lambda f: f["facility_id"].astype(str)
    )
    visits = picks["facility_id"].value_counts()
    picked = picks.groupby("facility_id")["samples"].sum()
    left = unserved.assign(facility_id=unserved["facility_id"].astype(str))
    listed = left.groupby("facility_id")["samples"].sum()
    centres = set(stops["centre_id"].astype(str)) | set(unserved["centre_id"].astype(str))
    for fid, s in samples_by_stop.items():
        if not s > 0 or fid in centres:
            continue
        n, got, rest = int(visits.get(fid, 0)), picked.get(fid, 0.0), listed.get(fid, 0.0)
        if n + int((left["facility_id"] == fid).sum()) == 0:
            out.append(f"{fid}: has {s:g} samples but is neither served nor listed unserved")
        elif abs(got + rest - s) > 1e-6 * max(s, 1.0):
            out.append(
                f"{fid}: {got:g} samples picked up in {n} visits and {rest:g} listed unserved, "
                f"for {s:g} given"
            )
        if n > max(math.ceil(s / capacity - 1e-9), 1):
            out.append(f"{fid}: served {n} times for {s:g} samples (capacity {capacity:g})")
    for fid in visits.index:
        if fid not in samples_by_stop:
            out.append(f"{fid}: a pickup at a facility that sends no samples")
    return out


def _check_route(
    name,
    rows,
    legs,
    roads,
    ferries,
    nodes,
    samples_by_stop,
    *,
    capacity,
    window,
    svc,
    board,
    day,
    tol,
) -> list[str]:
    out: list[str] = []
    first = rows.iloc[0]
    centre = str(first["centre_id"])
    if first["kind"] != "start" or str(first["facility_id"]) != centre:
        out.append(f"{name}: does not start at its laboratory {centre}")
    if rows.iloc[-1]["kind"] != "end" or str(rows.iloc[-1]["facility_id"]) != centre:
        out.append(f"{name}: does not end at its laboratory {centre}")
    unknown = sorted({str(f) for f in rows["facility_id"] if f"facility:{f}" not in nodes.index})
    if unknown:  # no road to or from them: the route cannot be followed
        return out + [f"{name}: {', '.join(unknown)} not a facility of the graph"]
    t = float(first["depart_min"])
    if t < day[0] - tol:
        out.append(f"{name}: leaves at {_hhmm(t)}, before the day's start {_hhmm(day[0])}")
    prev = str(first["facility_id"])
    load, onboard = 0.0, []
    for row in rows.iloc[1:].itertuples():
        fid, at = str(row.facility_id), f"{name} seq {row.seq} ({row.facility_id})"
        pos = nodes[f"facility:{prev}"]
        taken = legs[legs["seq"] == row.seq]
        claimed = _ferry_ids(row.ferries)
        if claimed != [str(f) for f in taken["ferry"]]:
            out.append(f"{at}: ferries {claimed} listed, {list(taken['ferry'])} recorded")
        for c in taken.itertuples():
            t, pos, bad = _crossing(c, t, pos, roads, ferries, board, tol, at)
            out += bad
        arrive = t + roads.minutes(pos, nodes[f"facility:{fid}"])
        if not math.isfinite(arrive):
            out.append(f"{at}: no road from the previous visit")
            return out
        if abs(arrive - float(row.arrive_min)) > tol:
            out.append(f"{at}: arrival claimed {_hhmm(row.arrive_min)}, recomputed {_hhmm(arrive)}")
        if row.kind == "pickup":
            depart = float(row.depart_min)
            if depart < arrive + svc - tol:
                out.append(
                    f"{at}: leaves at {_hhmm(depart)}, before arriving ({_hhmm(arrive)})"
                    f" plus {svc:g} min of service"
                )
            s = float(row.samples)
            if not 0 < s <= float(samples_by_stop.get(fid, 0.0)) + 1e-6:
                out.append(
                    f"{at}: {s:g} samples picked up, {samples_by_stop.get(fid, 0.0):g} given"
                )
            load += max(s, 0.0)
            if load > capacity + 1e-6:
                out.append(f"{at}: load {load:g} above the capacity {capacity:g}")
            onboard.append((fid, depart - svc, row.minutes_to_centre))
            t = depart
        else:
            if fid != centre:
                out.append(f"{at}: a {row.kind} away from the laboratory {centre}")
            for sender, pickup, claimed_age in onboard:
                age = arrive - pickup
                if age > window + tol:
                    out.append(
                        f"{name}: samples of {sender} reach {centre} after {age:.1f} min"
                        f" > window {window:g} min"
                    )
                if not abs(age - float(claimed_age)) <= tol:
                    out.append(
                        f"{name}: age of {sender}'s samples claimed {claimed_age:.1f} "
                        f"min, recomputed {age:.1f}"
                    )
            load, onboard = 0.0, []
            t = max(arrive, float(row.depart_min))
        prev = fid
    if onboard:
        out.append(f"{name}: samples of {[s for s, _, _ in onboard]} never delivered")
    if t > day[1] + tol:
        out.append(f"{name}: back at {_hhmm(t)}, after the day's end {_hhmm(day[1])}")
    return out


def _crossing(c, t, pos, roads, ferries, board, tol, at) -> tuple[float, Hashable, list[str]]:
    """Drive to the pier of crossing ``c`` and take its departure; (time, node, problems)."""
    out: list[str] = []
    state = ferries.get(str(c.ferry))
    if state is None or c.side not in ("ab", "ba"):
        return t, pos, [f"{at}: ferry {c.ferry} ({c.side}) is not a route of the graph"]
    pier, far = (state["node_a"], state["node_b"])[:: 1 if c.side == "ab" else -1]
    at_pier = t + roads.minutes(pos, pier)
    dep = float(c.depart_min)
    if state.get("closed"):
        out.append(f"{at}: ferry {c.ferry} is closed")
    if not math.isfinite(at_pier):
        out.append(f"{at}: no road to the pier of ferry {c.ferry}")
    elif dep < at_pier + board - tol:
        out.append(
            f"{at}: ferry {c.ferry} departs at {_hhmm(dep)}, before the courier is at "
            f"the pier ({_hhmm(at_pier)}) plus {board:g} min boarding"
        )
    if abs(at_pier - float(c.pier_arrive_min)) > tol:
        out.append(
            f"{at}: at the pier of {c.ferry} claimed {_hhmm(c.pier_arrive_min)}, "
            f"recomputed {_hhmm(at_pier)}"
        )
    deps = _departures(state, c.side)
    if not np.any(np.abs(deps - (dep % _DAY)) <= 1e-6):
        out.append(
            f"{at}: no departure of ferry {c.ferry} ({c.side}) at {_hhmm(dep)} in the timetable"
        )
    return dep + float(state["crossing_min"]), far, out


def _hhmm(minutes: float) -> str:
    m = float(minutes)
    if not math.isfinite(m):
        return str(m)
    m = round(m) % int(_DAY)
    return f"{m // 60:02d}:{m % 60:02d}"
