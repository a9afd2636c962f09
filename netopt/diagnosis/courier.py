"""Daily courier routes of laboratory samples: :func:`plan_courier`, :class:`CourierPlan`.

For each laboratory centre of a :class:`~netopt.diagnosis.DiagnosisPlan` (the depot), the
senders assigned to it (``assignments`` with ``service == "laboratory"``, their
``samples_per_day``) are picked up by a few couriers within the sample window
(:func:`netopt.solve.courier_routes`, OR-Tools' routing library). Two graphs:

* **planning**: the open network (:func:`netopt.graph.drop_closed`: a closed crossing is no
  way) with every ferry timed by its longest gap between departures from the courier day's
  start (:func:`netopt.graph.worst_wait_graph`); minutes and road kilometres between the
  centre and its senders along its fastest paths (:func:`netopt.graph.path_sums`);
* **simulation**: each planned route is then driven leg by leg along the same paths
  (:func:`netopt.graph.route`) with the exact timetable: a courier reaching a pier boards
  (``GraphOptions.ferry_boarding_min``) and takes the first departure at or after that
  (:func:`netopt.graph.next_departure_min`), then crosses. A courier early at a stop waits
  for the planned pickup time (the stops are told a fixed time), so the simulated sample
  ages are never above the planned ones while every pier is reached before its last
  departure; a route that misses a last departure is reported (its stops then miss the
  window, ``messages``).

A sample's age (``minutes_to_centre``) runs from the start of the pickup at the stop (the
courier's departure minus ``service_min``) to the arrival at the laboratory. A sender with
more samples than a courier holds is visited several times (equal parts). Stops that no
courier can serve (the direct trip is longer than the window, unreachable, the day too
short, no courier left) are listed in :attr:`CourierPlan.unserved`
with the reason and the excess, never dropped silently. Check a plan with
:func:`netopt.diagnosis.check_courier`.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from netopt._clock import format_clock, is_clock, parse_clock
from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, resourced, unknown_keys
from netopt.graph import (
    TravelGraph,
    drop_closed,
    next_departure_min,
    path_sums,
    route,
    worst_wait_graph,
)
from netopt.solve import RoutingResult, SolverParams, courier_routes

__all__ = [
    "CROSSING_COLUMNS",
    "ROUTE_COLUMNS",
    "STOP_COLUMNS",
    "UNSERVED_COLUMNS",
    "CourierOptions",
    "CourierPlan",
    "plan_courier",
]

logger = logging.getLogger(__name__)

#: Default sample window (minutes, collection to the laboratory) when neither the options
#: nor the laboratory service give one.
WINDOW_MIN = 240.0

#: Columns of :attr:`CourierPlan.stops` (``courier_routes.csv``).
STOP_COLUMNS: tuple[str, ...] = (
    "centre_id", "route", "seq", "kind", "facility_id", "name", "arrive", "depart",
    "arrive_min", "depart_min", "samples", "load", "minutes_to_centre", "window_min",
    "meets_window", "ferries", "leg_km", "leg_min",
)  # fmt: skip
#: Columns of :attr:`CourierPlan.routes`.
ROUTE_COLUMNS: tuple[str, ...] = (
    "centre_id", "route", "stops", "trips", "samples", "start", "end", "km", "hours",
    "ferry_crossings", "max_sample_age_min", "meets_window",
)  # fmt: skip
#: Columns of :attr:`CourierPlan.unserved`.
UNSERVED_COLUMNS: tuple[str, ...] = (
    "facility_id", "name", "centre_id", "samples", "direct_min", "window_min", "excess_min",
    "reason",
)  # fmt: skip
#: Columns of :attr:`CourierPlan.crossings`: every ferry taken, in route order.
CROSSING_COLUMNS: tuple[str, ...] = (
    "centre_id", "route", "seq", "ferry", "side", "pier_arrive_min", "depart_min",
    "arrive_min", "depart",
)  # fmt: skip

_OPTION_KEYS = (
    "vehicles_per_centre", "capacity_samples", "start", "end", "service_min",
    "runs_per_year", "window_min", "solution_limit",
)  # fmt: skip


@dataclass(frozen=True)
class CourierOptions(OptionsMixin):
    """How the laboratory couriers run (``[diagnosis.courier]``). Defaults are ESTIMATES.

    Parameters
    ----------
    vehicles_per_centre : int, default 3
        Couriers (vehicles with a driver) per laboratory.
    capacity_samples : float, default 400
        Samples a courier carries at once (cool boxes).
    start, end : str, default "08:00", "17:00"
        The courier day: leave the laboratory at or after ``start``, back by ``end``.
    service_min : float, default 10
        Minutes at each stop (hand-over, paperwork).
    runs_per_year : float, default 250
        Working days a year with a courier run (costs: km, hours and fares x runs).
    window_min : float or None, default None
        Longest minutes from pickup to the laboratory; None: the laboratory service's
        ``window_min`` (240 when it has none).
    solution_limit : int or None, default None
        The routing search's deterministic limit (see :func:`netopt.solve.courier_routes`).

    Raises
    ------
    DataError
        Every bad value at once.

    Examples
    --------
    >>> CourierOptions.from_dict({"vehicles_per_centre": 2, "start": "07:30"}).start
    '07:30'
    """

    vehicles_per_centre: int = 3
    capacity_samples: float = 400.0
    start: str = "08:00"
    end: str = "17:00"
    service_min: float = 10.0
    runs_per_year: float = 250.0
    window_min: float | None = None
    solution_limit: int | None = None

    def __post_init__(self) -> None:
        src, problems = "CourierOptions", []

        def whole(name: str, value: Any, low: int) -> bool:
            return isinstance(value, int) and not isinstance(value, bool) and value >= low

        if not whole("vehicles_per_centre", self.vehicles_per_centre, 1):
            problems.append(
                Problem(
                    src,
                    "",
                    "vehicles_per_centre",
                    repr(self.vehicles_per_centre),
                    "use a whole number >= 1",
                )
            )
        if self.solution_limit is not None and not whole("", self.solution_limit, 1):
            problems.append(
                Problem(
                    src,
                    "",
                    "solution_limit",
                    repr(self.solution_limit),
                    "use a whole number >= 1 or leave it out",
                )
            )
        for name, low in (
            ("capacity_samples", 0.0),
            ("service_min", -1.0),
            ("runs_per_year", -1.0),
            ("window_min", 0.0),
        ):
            value = getattr(self, name)
            if name == "window_min" and value is None:
                continue
            if not (is_number(value) and low < value < math.inf and value >= 0):
                fix = "use a number > 0" if low == 0 else "use a number >= 0"
                problems.append(Problem(src, "", name, repr(value), fix))
            else:
                object.__setattr__(self, name, float(value))
        for name in ("start", "end"):
            if not is_clock(getattr(self, name)):
                problems.append(Problem(src, "", name, repr(getattr(self, name)), 'use "HH:MM"'))
        if not problems and parse_clock(self.end) <= parse_clock(self.start):
            problems.append(Problem(src, "", "end", repr(self.end), "use a clock after start"))
        if problems:
            raise DataError(problems)
        for name in ("start", "end"):
            object.__setattr__(self, name, format_clock(parse_clock(getattr(self, name))))

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "[diagnosis.courier]"
    ) -> CourierOptions:
        """Build options from a ``[diagnosis.courier]`` table; unknown keys are errors.

        Parameters
        ----------
        data : mapping
        source : str
            Named in error messages.

        Returns
        -------
        CourierOptions

        Raises
        ------
        DataError
        """
        problems = unknown_keys(source, data, _OPTION_KEYS)
        if problems:
            raise DataError(problems)
        values = {
            k: (str(v)[:5] if k in ("start", "end") and not isinstance(v, str) else v)
            for k, v in data.items()
        }  # TOML reads 08:00:00 as a time
        try:
            return cls(**values)
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a plain dict (None values dropped).

        Returns
        -------
        dict
        """
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True, eq=False)
class CourierPlan:
    """The laboratories' daily courier routes, simulated on the real ferry timetable.

    Attributes
    ----------
    stops : pandas.DataFrame
        One row per visit in route order (:data:`STOP_COLUMNS`, ``courier_routes.csv``):
        ``kind`` is ``"start"``, ``"pickup"``, ``"delivery"`` (at the laboratory, a new trip
        follows) or ``"end"``; ``arrive`` / ``depart`` clock times (and ``_min`` minutes
        after midnight); ``samples`` picked up (delivered ones negative at the laboratory);
        ``load`` on board after the visit; ``minutes_to_centre`` (pickups: the simulated
        age of the samples at the laboratory), ``meets_window``; ``ferries`` taken on the
        leg into the visit (";"-joined route ids), ``leg_km`` (road km) and ``leg_min``.
    routes : pandas.DataFrame
        One row per courier with a route (:data:`ROUTE_COLUMNS`).
    unserved : pandas.DataFrame
        Senders no courier serves, or not all their samples (:data:`UNSERVED_COLUMNS`):
        ``samples`` left behind, ``direct_min`` (pickup plus
        the planning trip to the laboratory), ``excess_min`` beyond the window, ``reason``.
    lines : geopandas.GeoDataFrame
        One row per leg (EPSG:4326): ``centre_id``, ``route``, ``seq`` (the visit it leads
        to), ``mode`` (road|ferry), ``ferry``, geometry.
    crossings : pandas.DataFrame
        Every ferry taken (:data:`CROSSING_COLUMNS`): pier arrival, departure, arrival
        across.
    solves : dict of str to RoutingResult
        The routing solve of each laboratory.
    messages : tuple of str
    options : CourierOptions
    window_min : float
        The window used.
    """

    stops: pd.DataFrame
    routes: pd.DataFrame
    unserved: pd.DataFrame
    lines: gpd.GeoDataFrame
    crossings: pd.DataFrame
    solves: dict[str, RoutingResult]
    messages: tuple[str, ...] = ()
    options: CourierOptions = field(default_factory=CourierOptions)
    window_min: float = WINDOW_MIN

    def summary(self) -> str:
        """A line per route and per unserved sender.

        Returns
        -------
        str
        """
        lines = []
        for r in self.routes.itertuples():
            lines.append(
                f"{r.route}: {r.stops} stops, {r.samples:g} samples, {r.start}-{r.end}, "
                f"{r.km:.1f} km, {r.ferry_crossings} ferries, oldest sample "
                f"{r.max_sample_age_min:.0f} min (window {self.window_min:.0f})"
            )
        for u in self.unserved.itertuples():
            lines.append(f"unserved {u.facility_id} ({u.centre_id}): {u.reason}")
        return "\n".join(lines + list(self.messages))


def _window(diagnosis: Any, options: CourierOptions) -> float:
    if options.window_min is not None:
        return float(options.window_min)
    services = getattr(getattr(diagnosis, "options", None), "services", {}) or {}
    lab = services.get("laboratory") if isinstance(services, Mapping) else None
    w = getattr(lab, "window_min", None)
    return float(w) if w is not None else WINDOW_MIN


def _lab_senders(diagnosis: Any) -> dict[str, pd.DataFrame]:
    a = diagnosis.assignments
    a = a[(a["service"] == "laboratory") & (a["sender_id"] != a["centre_id"])]
    a = a[pd.to_numeric(a["samples_per_day"], errors="coerce").fillna(0) > 0]
    return {str(c): g for c, g in a.groupby("centre_id", sort=True)}


def _name(graph: TravelGraph, fid: str) -> str:
    f = graph.region.facilities
    return str(f.at[fid, "name"]) if fid in f.index and "name" in f.columns else fid


def plan_courier(
    graph: TravelGraph,
    diagnosis: Any,
    *,
    options: CourierOptions | None = None,
    params: SolverParams | None = None,
) -> CourierPlan:
    """Plan and simulate the daily courier routes of every laboratory centre.

    Parameters
    ----------
    graph : TravelGraph
        The network of the scenario (closures and clock included); not modified.
    diagnosis : DiagnosisPlan
        Its ``assignments`` (``service``, ``sender_id``, ``centre_id``,
        ``samples_per_day``) and ``options.services["laboratory"].window_min`` are read.
    options : CourierOptions, optional
    params : SolverParams, optional
        Time limit (a backstop, see :func:`netopt.solve.courier_routes`) and seed.

    Returns
    -------
    CourierPlan

    Raises
    ------
    DataError
        If a centre or sender is not a facility of the graph.
    """
    options = CourierOptions() if options is None else options
    params = SolverParams() if params is None else params
    window = _window(diagnosis, options)
    groups = _lab_senders(diagnosis)
    missing = [
        Problem(
            "diagnosis.assignments",
            fid,
            "facility",
            "not a facility of the graph",
            "use facility ids of the region",
        )
        for fid in sorted({f for c, g in groups.items() for f in [c, *g["sender_id"]]})
        if f"facility:{fid}" not in graph.points.index
    ]
    if missing:
        raise DataError(missing)
    plan_graph = worst_wait_graph(drop_closed(graph), earliest=options.start)  # after the checks
    out: dict[str, list] = {"stops": [], "routes": [], "unserved": [], "lines": [], "cross": []}
    solves: dict[str, RoutingResult] = {}
    messages: list[str] = []
    for centre, senders in groups.items():
        ids = [centre, *[str(s) for s in senders["sender_id"]]]
        samples = np.r_[0.0, senders["samples_per_day"].to_numpy(float)]
        keys = [f"facility:{i}" for i in ids]
        sums = path_sums(plan_graph, keys, keys, measures=("road_km",))
        minutes = sums.seconds / 60.0
        km = np.nan_to_num(sums.road_km, nan=0.0)
        res = courier_routes(
            minutes,
            km,
            samples,
            depot=0,
            vehicles=options.vehicles_per_centre,
            capacity=options.capacity_samples,
            window_min=window,
            service_min=options.service_min,
            start_min=parse_clock(options.start),
            end_min=parse_clock(options.end),
            params=params,
            solution_limit=options.solution_limit,
        )
        solves[centre] = res
        for i, why in zip(res.dropped.tolist(), res.drop_reasons):
            direct = options.service_min + minutes[i, 0]
            out["unserved"].append(
                (
                    ids[i],
                    _name(graph, ids[i]),
                    centre,
                    res.unserved_samples[i],
                    direct,
                    window,
                    max(direct - window, 0.0) if math.isfinite(direct) else math.inf,
                    why,
                )
            )
            messages.append(f"courier {centre}: {ids[i]} not served: {why}")
        for v, (nodes, planned) in enumerate(zip(res.routes, res.arrivals)):
            if nodes:
                name = f"{centre}-{v + 1}"
                sim = _Simulation(graph, plan_graph, options, window, centre, name)
                sim.drive([ids[n] for n in nodes], planned, res.picked[v])
                messages += sim.messages
                for key in ("stops", "lines", "cross"):
                    out[key] += getattr(sim, key)
                out["routes"].append(sim.route_row())
    lines = gpd.GeoDataFrame(
        pd.DataFrame(
            out["lines"], columns=["centre_id", "route", "seq", "mode", "ferry", "geometry"]
        ),
        geometry="geometry",
        crs="EPSG:4326",
    )
    return CourierPlan(
        stops=pd.DataFrame(out["stops"], columns=list(STOP_COLUMNS)),
        routes=pd.DataFrame(out["routes"], columns=list(ROUTE_COLUMNS)),
        unserved=pd.DataFrame(out["unserved"], columns=list(UNSERVED_COLUMNS)),
        lines=lines,
        crossings=pd.DataFrame(out["cross"], columns=list(CROSSING_COLUMNS)),
        solves=solves,
        messages=tuple(messages),
        options=options,
        window_min=window,
    )


class _Simulation:
    """Drives one planned route leg by leg on the timetable and collects its table rows."""

    def __init__(
        self,
        graph: TravelGraph,
        plan_graph: TravelGraph,
        options: CourierOptions,
        window: float,
        centre: str,
        name: str,
    ) -> None:
        self.graph, self.plan_graph, self.options = graph, plan_graph, options
        self.window, self.centre, self.name = window, centre, name
        self.routes = plan_graph.G.graph.get("ferry_routes", {})
        self.boarding = float(graph.options.ferry_boarding_min)
        self.stops: list[tuple] = []
        self.lines: list[tuple] = []
        self.cross: list[tuple] = []
        self.messages: list[str] = []

    def _leg(self, a: str, b: str, t: float, seq: int) -> tuple[float, list[str], float]:
        """Drive from facility a at clock t to b; return the arrival, ferries and road km."""
        r = route(self.plan_graph, f"facility:{a}", f"facility:{b}")
        for leg in r.legs.itertuples():
            mode = "ferry" if leg.mode == "ferry" else "road"
            self.lines.append(
                (
                    self.centre,
                    self.name,
                    seq,
                    mode,
                    leg.route if mode == "ferry" else None,
                    leg.geometry,
                )
            )
        G, ferries, km = self.plan_graph.G, [], 0.0
        for p, q in itertools.pairwise(r.nodes):
            d = min(G[p][q].values(), key=lambda e: e["travel_time_s"])
            if d["mode"] != "ferry":
                t += d["travel_time_s"] / 60.0
                km += d["length_m"] / 1000.0
                continue
            rid = d["route"]
            state = self.routes[rid]
            side = "ab" if p == state["node_a"] else "ba"
            dep = next_departure_min(state, side, t + self.boarding)
            arrive = dep + float(state["crossing_min"])
            if math.floor(dep / 1440.0) > math.floor(t / 1440.0):
                self.messages.append(
                    f"courier {self.name}: no departure of ferry {rid} left after "
                    f"{format_clock(t % 1440)} (waits until {format_clock(dep % 1440)} the "
                    "next day)"
                )
            self.cross.append(
                (self.centre, self.name, seq, rid, side, t, dep, arrive, format_clock(dep % 1440))
            )
            ferries.append(str(rid))
            t = arrive
        return t, ferries, km

    def drive(self, ids: list[str], planned: list[float], samples: list[float]) -> None:
        """Simulate the visits ``ids`` (depot first and last) with their planned times."""
        o, svc = self.options, self.options.service_min
        t = planned[0]
        self._row(0, "start", ids[0], t, t, 0.0, 0.0, math.nan, (), 0.0, 0.0)
        load, onboard, pending = 0.0, [], []
        for seq in range(1, len(ids)):
            arrive, ferries, km = self._leg(ids[seq - 1], ids[seq], t, seq)
            leg_min = arrive - t
            if ids[seq] != self.centre:  # a pickup: wait for the planned time
                begin = max(arrive, planned[seq])
                t = begin + svc
                load += samples[seq]
                onboard.append(len(self.stops))
                self._row(
                    seq,
                    "pickup",
                    ids[seq],
                    arrive,
                    t,
                    samples[seq],
                    load,
                    math.nan,
                    ferries,
                    km,
                    leg_min,
                )
                continue
            kind = "end" if seq == len(ids) - 1 else "delivery"
            for k in onboard:  # the age of each sample on board
                pickup = self.stops[k][9] - svc
                age = arrive - pickup
                row = list(self.stops[k])
                row[12], row[14] = age, bool(age <= self.window + 1e-6)
                self.stops[k] = tuple(row)
                if not row[14]:
                    pending.append(
                        f"courier {self.name}: samples of {row[4]} reach {self.centre}"
                        f" after {age:.0f} min > window {self.window:.0f} min "
                        f"(+{age - self.window:.0f})"
                    )
            self._row(
                seq, kind, ids[seq], arrive, arrive, -load, 0.0, math.nan, ferries, km, leg_min
            )
            load, onboard, t = 0.0, [], arrive
        if parse_clock(o.end) + 1e-6 < t:
            pending.append(
                f"courier {self.name}: back at {format_clock(t % 1440)} after the day's end {o.end}"
            )
        self.messages += pending

    def _row(self, seq, kind, fid, arrive, depart, samples, load, age, ferries, km, leg_min):
        self.stops.append(
            (
                self.centre,
                self.name,
                seq,
                kind,
                fid,
                _name(self.graph, fid),
                format_clock(arrive % 1440),
                format_clock(depart % 1440),
                arrive,
                depart,
                samples,
                load,
                age,
                self.window,
                True,
                ";".join(ferries),
                km,
                leg_min,
            )
        )

    def route_row(self) -> tuple:
        """The route's row of :attr:`CourierPlan.routes`."""
        rows = pd.DataFrame(self.stops, columns=list(STOP_COLUMNS))
        picks = rows[rows["kind"] == "pickup"]
        start, end = float(rows["depart_min"].iloc[0]), float(rows["arrive_min"].iloc[-1])
        return (
            self.centre,
            self.name,
            len(picks),
            int((rows["kind"] != "pickup").sum() - 1),
            float(picks["samples"].sum()),
            format_clock(start % 1440),
            format_clock(end % 1440),
            float(rows["leg_km"].sum()),
            (end - start) / 60.0,
            len(self.cross),
            float(picks["minutes_to_centre"].max()),
            bool(picks["meets_window"].all()),
        )
