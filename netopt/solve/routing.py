r"""Daily courier routes for laboratory samples: :func:`courier_routes` on plain arrays.

A vehicle routing problem with pickups, deliveries and time windows solved with OR-Tools'
routing library (``ortools.constraint_solver.pywrapcp``). Node ``depot`` is the laboratory;
every other node with ``samples > 0`` is a *stop* whose samples are picked up and carried
to the laboratory.

Model
-----
Each stop :math:`i` becomes a pickup node :math:`P_i` (at the stop) and a delivery node
:math:`D_i` (a copy of the depot), paired on one vehicle with :math:`P_i` before
:math:`D_i`. Because every delivery copy sits at the depot, a vehicle may make several trips
in one day (depot, stops, depot, stops, depot). With :math:`T` the cumulated time (whole
seconds, start of service at a node; waiting allowed), :math:`s` the service minutes at a
stop and :math:`t_{ab}` the travel minutes:

.. math::

    T_b \ge T_a + s_a + t_{ab} \quad \text{for consecutive nodes } a \to b

    \text{start} \le T_{\text{start}(v)}, \quad T_{\text{end}(v)} \le \text{end}

    T_{D_i} - T_{P_i} \le W \quad \text{(the sample window, pickup to the laboratory)}

    \text{load} \le \text{capacity} \quad (+q_i \text{ at } P_i, -q_i \text{ at } D_i)

The objective is the driving seconds plus every vehicle's time on duty (end minus start,
waiting included), plus a penalty for each stop left out (a disjunction per node, larger
than any route cost, so a stop is dropped only when no vehicle can serve it). Dropped stops
are always reported with a reason (:attr:`RoutingResult.drop_reasons`); stops that no
vehicle could serve even alone (the trip to the laboratory longer than the window, a
direct round trip that does not fit in the day, unreachable) are found before the solve
and left out of the model. A stop with more samples than a vehicle holds becomes
``ceil(samples / capacity)`` pickups of equal parts (several visits or vehicles).

Determinism
-----------
The search is a first solution by parallel cheapest insertion improved by guided local
search stopped after a fixed number of solutions (``solution_limit``, default
``20 + 2 x stops``; each guided solution costs more than the last, so the default stays
small: a few tenths of a second for 25 stops), a deterministic criterion: the same inputs give the same routes on
an idle or a busy machine. ``SolverParams.time_limit_s`` is a wall-clock backstop only; a
search it stops returns the best routes found with status ``"time_limit"`` (only such a
run can differ between runs). ``SolverParams.seed`` reseeds the constraint solver's random
generator. Times are whole seconds in the model (travel rounded up) and reported in
minutes.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from netopt._clock import format_clock
from netopt._errors import DataError, Problem
from netopt.solve.params import SolverParams
from netopt.solve.status import check_status

__all__ = ["RoutingResult", "courier_routes"]

logger = logging.getLogger(__name__)

_SAMPLE_SCALE = 100  # samples in hundredths (integer demands)
_LNS_LIMIT_S = 5  # completion limit per neighbour: never reached on tens of stops


@dataclass(frozen=True, eq=False)
class RoutingResult:
    """Courier routes of one laboratory (see :func:`courier_routes`).

    Parameters
    ----------
    routes : list of list of int
        Per vehicle, the nodes visited in order, starting and ending at the depot; the depot
        appears in between where the vehicle delivers (a new trip starts). Empty for an
        unused vehicle.
    arrivals : list of list of float
        Per vehicle, aligned with ``routes``: minutes after midnight at each visit (start of
        service at a stop: the pickup time; arrival at the depot for a delivery and the end;
        departure for the first depot visit).
    dropped : numpy.ndarray
        Sorted node indices of the stops not served, or not all their samples (int).
    status : str
        ``"feasible"`` (routes found, stopped by the solution limit), ``"time_limit"`` (the
        wall-clock backstop stopped the search; the best routes are returned) or
        ``"infeasible"``.
    objective : float
        Minutes of driving plus minutes on duty of all vehicles (penalties excluded; ``nan``
        when no routes).
    bound : float
        ``nan``: the routing search proves no bound.
    gap : float
        ``nan``.
    seconds : float
        Wall-clock time of the call.
    message : str
        What was served and dropped.
    drop_reasons : tuple of str
        Aligned with ``dropped``.
    vehicle : numpy.ndarray
        Vehicle serving each node (``-1``: the depot, a node without samples, dropped).
    pickup_min, delivery_min : numpy.ndarray
        Per node: the first start of service at the stop and the last arrival of its
        samples at the depot (minutes after midnight; ``nan`` when not served).
    age_min : numpy.ndarray
        Per node: the longest minutes from a pickup there to its delivery at the depot.
    loads : list of list of float
        Per vehicle, aligned with ``routes``: samples on board after each visit.
    picked : list of list of float
        Per vehicle, aligned with ``routes``: samples picked up at each visit (0 at the
        depot). A stop with more samples than a vehicle holds is visited ``ceil(samples /
        capacity)`` times, for equal parts.
    unserved_samples : numpy.ndarray
        Per node, samples left behind (0 when fully served).
    km : numpy.ndarray
        Kilometres driven per vehicle.
    solver : str
    """

    routes: list[list[int]]
    arrivals: list[list[float]]
    dropped: np.ndarray
    status: str
    objective: float
    bound: float = math.nan
    gap: float = math.nan
    seconds: float = 0.0
    message: str = ""
    drop_reasons: tuple[str, ...] = ()
    vehicle: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pickup_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    delivery_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    age_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    loads: list[list[float]] = field(default_factory=list)
    picked: list[list[float]] = field(default_factory=list)
    unserved_samples: np.ndarray = field(default_factory=lambda: np.zeros(0))
    km: np.ndarray = field(default_factory=lambda: np.zeros(0))
    solver: str = "ortools routing: parallel cheapest insertion + guided local search"

    def __post_init__(self) -> None:
        problems = []
        if (bad := check_status(self.status)) is not None:
            problems.append(bad)
        if len(self.routes) != len(self.arrivals) or any(
            len(r) != len(a) for r, a in zip(self.routes, self.arrivals)
        ):
            problems.append("arrivals must be aligned with routes")
        if len(self.drop_reasons) != len(self.dropped):
            problems.append("drop_reasons must be aligned with dropped")
        if problems:
            raise ValueError("invalid RoutingResult: " + "; ".join(problems))
        object.__setattr__(self, "dropped", np.asarray(self.dropped, dtype=np.int64))

    @property
    def is_feasible(self) -> bool:
        """True when routes are returned."""
        return self.status != "infeasible"

    def summary(self) -> str:
        """A few lines: status, objective, routes with clock times, dropped stops."""
        lines = [f"status    {self.status}", f"objective {self.objective:,.1f} min"]
        for v, (r, a) in enumerate(zip(self.routes, self.arrivals)):
            if r:
                stops = " ".join(f"{n}@{format_clock(t)}" for n, t in zip(r, a))
                lines.append(f"vehicle {v}: {stops}")
        for n, why in zip(self.dropped.tolist(), self.drop_reasons):
            lines.append(f"dropped {n}: {why}")
        lines.append(f"seconds   {self.seconds:.2f}")
        if self.message:
            lines.append(f"message   {self.message}")
        return "\n".join(lines)


def _validate(
    minutes: np.ndarray,
    km: np.ndarray,
    samples: np.ndarray,
    depot: int,
    vehicles: int,
    numbers: dict[str, float],
) -> None:
    src = "courier_routes"
    problems = []
    n = samples.shape[0] if samples.ndim == 1 else -1
    if samples.ndim != 1 or not np.all(np.isfinite(samples)) or np.any(samples < 0):
        problems.append(Problem(src, "", "samples", "not a 1-D array of numbers >= 0", "fix it"))
    for name, m in (("minutes", minutes), ("km", km)):
        if m.shape != (n, n):
            problems.append(Problem(src, "", name, f"shape {m.shape}", f"use an ({n}, {n}) matrix"))
        elif np.isnan(m).any() or (m < 0).any():
            problems.append(Problem(src, "", name, "NaN or negative", "use values >= 0 or inf"))
    if isinstance(depot, bool) or not isinstance(depot, (int, np.integer)) or not 0 <= depot < n:
        problems.append(Problem(src, "", "depot", repr(depot), f"use a node index in 0..{n - 1}"))
    if isinstance(vehicles, bool) or not isinstance(vehicles, (int, np.integer)) or vehicles < 1:
        problems.append(Problem(src, "", "vehicles", repr(vehicles), "use a whole number >= 1"))
    for name, value in numbers.items():
        low = 0.0 if name in ("service_min", "start_min") else 1e-9
        if not (math.isfinite(value) and value >= low):
            problems.append(Problem(src, "", name, repr(value), f"use a number >= {low:g}"))
    if numbers["end_min"] <= numbers["start_min"]:
        problems.append(
            Problem(src, "", "end_min", repr(numbers["end_min"]), "use a time after start_min")
        )
    if problems:
        raise DataError(problems)


def _precheck(
    minutes: np.ndarray,
    samples: np.ndarray,
    depot: int,
    *,
    capacity: float,
    window_min: float,
    service_min: float,
    start_min: float,
    end_min: float,
) -> tuple[list[int], dict[int, str]]:
    """Return the stops to model and the reasons of those no vehicle can serve even alone."""
    stops, reasons = [], {}
    for i in np.flatnonzero(samples > 0).tolist():
        if i == depot:
            continue
        out, back = minutes[depot, i], minutes[i, depot]
        if not (math.isfinite(out) and math.isfinite(back)):
            reasons[i] = "unreachable from or to the laboratory"
        elif service_min + back > window_min:
            reasons[i] = (
                f"the trip to the laboratory takes {service_min + back:.0f} min "
                f"(service included) > the window {window_min:.0f} min"
            )
        elif start_min + out + service_min + back > end_min:
            reasons[i] = (
                f"a direct round trip ends at {format_clock(start_min + out + service_min + back)}"
                f" after the day's end {format_clock(end_min)}"
            )
        else:
            stops.append(i)
    return stops, reasons


def _int_seconds(minutes: np.ndarray, big: int) -> np.ndarray:
    s = np.where(np.isfinite(minutes), np.ceil(minutes * 60.0 - 1e-6), big)
    return np.minimum(s, big).astype(np.int64)


def courier_routes(
    minutes: np.ndarray,
    km: np.ndarray,
    samples: np.ndarray,
    *,
    depot: int = 0,
    vehicles: int,
    capacity: float,
    window_min: float,
    service_min: float,
    start_min: float,
    end_min: float,
    params: SolverParams | None = None,
    solution_limit: int | None = None,
) -> RoutingResult:
    """Plan a laboratory's daily courier routes: pickups brought in within the sample window.

    Parameters
    ----------
    minutes : numpy.ndarray, shape (N, N)
        Travel minutes between nodes (``inf``: no path). For planning with ferries, use
        upper bounds such as the worst-wait graph's times
        (:func:`netopt.graph.worst_wait_graph`).
    km : numpy.ndarray, shape (N, N)
        Kilometres along the same paths (reported, not optimised).
    samples : numpy.ndarray, shape (N,)
        Samples to pick up per node per day (the depot's own are ignored; 0: no stop).
    depot : int, default 0
        The laboratory.
    vehicles : int
        Couriers available, each starting and ending at the depot.
    capacity : float
        Samples a vehicle holds at once.
    window_min : float
        Longest time from the pickup (start of service at the stop) to the depot.
    service_min : float
        Minutes at each stop.
    start_min, end_min : float
        The courier day (minutes after midnight): leave the depot at or after ``start_min``,
        back by ``end_min``.
    params : SolverParams, optional
        ``time_limit_s`` (wall-clock backstop) and ``seed``.
    solution_limit : int, optional
        Solutions of the guided local search before it stops (the deterministic limit);
        default ``20 + 2 x stops``.

    Returns
    -------
    RoutingResult
        Never raises for an instance without a feasible route: stops that cannot be served
        are dropped and listed with their reasons.

    Raises
    ------
    DataError
        If an argument has the wrong shape or value (all problems at once).

    Examples
    --------
    >>> m = np.array([[0, 30, 40], [30, 0, 20], [40, 20, 0]], float)
    >>> r = courier_routes(m, m / 2, np.array([0, 5, 5]), vehicles=1, capacity=20,
    ...                    window_min=120, service_min=5, start_min=480, end_min=1020)
    >>> r.routes[0][0], r.routes[0][-1], r.dropped.tolist()
    (0, 0, [])
    """
    params = SolverParams() if params is None else params
    t0 = time.perf_counter()
    minutes = np.asarray(minutes, dtype=float)
    km = np.asarray(km, dtype=float)
    samples = np.asarray(samples, dtype=float)
    numbers = {
        "capacity": float(capacity),
        "window_min": float(window_min),
        "service_min": float(service_min),
        "start_min": float(start_min),
        "end_min": float(end_min),
    }
    _validate(minutes, km, samples, depot, vehicles, numbers)
    stops, reasons = _precheck(minutes, samples, depot, **numbers)
    parts = []  # a stop with more samples than a vehicle holds is picked up in equal parts
    for i in stops:
        k = max(math.ceil(samples[i] / numbers["capacity"] - 1e-9), 1)
        parts += [(i, samples[i] / k)] * k
    if parts:
        visits, info = _solve(minutes, depot, parts, vehicles, numbers, params, solution_limit, t0)
    else:
        visits, info = [[] for _ in range(vehicles)], {"timed_out": False, "served": set()}
    left = np.zeros(samples.shape[0])
    for k, (i, q) in enumerate(parts):
        if k not in info["served"]:
            left[i] += q
    why = "no vehicle fits it in the day within the window and capacity"
    for i in np.flatnonzero(left > 0).tolist():
        part = "" if left[i] >= samples[i] - 1e-9 else f"{left[i]:g} of {samples[i]:g} samples: "
        reasons[i] = part + why
    for i in reasons:
        left[i] = left[i] or samples[i]
    return _result(visits, reasons, minutes, km, samples, left, depot, parts, info, t0)


def _solve(
    minutes: np.ndarray,
    depot: int,
    parts: list[tuple[int, float]],
    vehicles: int,
    numbers: dict[str, float],
    params: SolverParams,
    solution_limit: int | None,
    t0: float,
) -> tuple[list[list[tuple[int, str, int, int, int]]], dict]:
    """Build and solve the model; per vehicle the visits (node, kind, time_s, load, part)."""
    n = len(parts)
    end_s = math.floor(numbers["end_min"] * 60.0)
    start_s = math.ceil(numbers["start_min"] * 60.0)
    big = end_s + 1
    loc = np.array([depot] + [i for i, _ in parts] + [depot] * n)  # model node -> original node
    travel = _int_seconds(minutes[np.ix_(loc, loc)], big)
    service = np.zeros(loc.size, dtype=np.int64)
    service[1 : n + 1] = math.ceil(numbers["service_min"] * 60.0 - 1e-6)
    transit = np.minimum(travel + service[:, None], big)
    demand = np.zeros(loc.size, dtype=np.int64)
    q = np.ceil(np.array([s for _, s in parts]) * _SAMPLE_SCALE - 1e-6).astype(np.int64)
    demand[1 : n + 1], demand[n + 1 :] = q, -q

    manager = pywrapcp.RoutingIndexManager(int(loc.size), int(vehicles), 0)
    model = pywrapcp.RoutingModel(manager)
    model.solver().ReSeed(int(params.seed))
    cost_cb = model.RegisterTransitMatrix(travel.tolist())
    time_cb = model.RegisterTransitMatrix(transit.tolist())
    load_cb = model.RegisterUnaryTransitVector(demand.tolist())
    model.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    model.AddDimension(time_cb, end_s, end_s, False, "time")
    cap = math.ceil(numbers["capacity"] * _SAMPLE_SCALE - 1e-6)
    model.AddDimensionWithVehicleCapacity(load_cb, 0, [cap] * int(vehicles), True, "load")
    clock = model.GetDimensionOrDie("time")
    clock.SetSpanCostCoefficientForAllVehicles(1)
    for v in range(int(vehicles)):
        clock.CumulVar(model.Start(v)).SetRange(start_s, end_s)
        clock.CumulVar(model.End(v)).SetRange(start_s, end_s)
    penalty = int(10 * (int(vehicles) * 2 * end_s + int(travel.sum()) + 1))
    window_s = math.floor(numbers["window_min"] * 60.0 + 1e-6)

    def limit(pickup_alternative: int, delivery_alternative: int) -> int:
        return window_s

    for k in range(1, n + 1):
        p, d = manager.NodeToIndex(k), manager.NodeToIndex(n + k)
        model.AddPickupAndDelivery(p, d)  # same vehicle, pickup first
        # the window, checked by the routing filters (a solver.Add constraint is far slower)
        clock.SetPickupToDeliveryLimitFunctionForPair(limit, k - 1)
        model.AddDisjunction([p], penalty)
        model.AddDisjunction([d], penalty)

    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    search.solution_limit = int(20 + 2 * n if solution_limit is None else solution_limit)
    search.lns_time_limit.seconds = _LNS_LIMIT_S
    backstop = params.time_limit_s
    if backstop is not None:
        left = max(backstop - (time.perf_counter() - t0), 0.05)
        search.time_limit.FromMilliseconds(int(left * 1000))
    solution = model.SolveWithParameters(search)
    timed_out = backstop is not None and time.perf_counter() - t0 >= 0.98 * backstop
    if solution is None:
        logger.warning("courier routing found no solution (status %s)", model.status())
        return [[] for _ in range(int(vehicles))], {"timed_out": timed_out, "served": set()}
    load = model.GetDimensionOrDie("load")
    visits, served = [], set()
    for v in range(int(vehicles)):
        idx, rows = model.Start(v), []
        if model.IsEnd(solution.Value(model.NextVar(idx))):
            visits.append([])
            continue
        while True:
            node = manager.IndexToNode(idx)
            kind = "start" if node == 0 else ("pickup" if node <= n else "delivery")
            if model.IsEnd(idx):
                kind = "end"
            t = solution.Min(clock.CumulVar(idx))
            after = solution.Min(load.CumulVar(idx)) + (demand[node] if kind != "end" else 0)
            part = node - 1 if kind == "pickup" else -1
            rows.append((int(loc[node]), kind, int(t), int(after), part))
            if kind == "pickup":
                served.add(part)
            if model.IsEnd(idx):
                break
            idx = solution.Value(model.NextVar(idx))
        visits.append(rows)
    logger.debug(
        "courier routing: status %s, objective %d", model.status(), solution.ObjectiveValue()
    )
    return visits, {"timed_out": timed_out, "served": served}


def _result(
    visits: list[list[tuple[int, str, int, int, int]]],
    reasons: dict[int, str],
    minutes: np.ndarray,
    km: np.ndarray,
    samples: np.ndarray,
    left: np.ndarray,
    depot: int,
    parts: list[tuple[int, float]],
    info: dict,
    t0: float,
) -> RoutingResult:
    """Collapse consecutive depot visits and gather the per-node and per-vehicle arrays."""
    n_nodes = samples.shape[0]
    vehicle = np.full(n_nodes, -1, dtype=np.int64)
    pickup = np.full(n_nodes, np.nan)
    delivery = np.full(n_nodes, np.nan)
    age = np.full(n_nodes, np.nan)
    routes, arrivals, loads, picked, kms = [], [], [], [], []
    objective = 0.0
    for v, rows in enumerate(visits):
        route: list[int] = []
        times: list[float] = []
        load: list[float] = []
        got: list[float] = []
        onboard: list[tuple[int, float]] = []
        for node, kind, t_s, after, part in rows:
            t = t_s / 60.0
            if kind in ("pickup", "start") or route[-1] != depot:
                route.append(node)
                times.append(t)
                load.append(after / _SAMPLE_SCALE)
                got.append(parts[part][1] if kind == "pickup" else 0.0)
            if kind == "pickup":
                if vehicle[node] < 0:
                    vehicle[node] = v
                pickup[node] = np.fmin(pickup[node], t)
                onboard.append((node, t))
            elif kind != "start":
                load[-1] = after / _SAMPLE_SCALE
                for s, t_pick in onboard:
                    delivery[s] = np.fmax(delivery[s], times[-1])
                    age[s] = np.fmax(age[s], times[-1] - t_pick)
                onboard = []
        if route:
            load[-1] = 0.0
            d = sum(km[a, b] for a, b in itertools.pairwise(route))
            drive = sum(minutes[a, b] for a, b in itertools.pairwise(route))
            objective += drive + (times[-1] - times[0])
        else:
            d = 0.0
        routes.append(route)
        arrivals.append(times)
        loads.append(load)
        picked.append(got)
        kms.append(d)
    dropped = sorted(reasons)
    served = int((vehicle >= 0).sum())
    used = sum(1 for r in routes if r)
    message = f"{served} stops served by {used} of {len(routes)} vehicles"
    if dropped:
        message += f"; {len(dropped)} not (fully) served: " + "; ".join(
            f"{i}: {reasons[i]}" for i in dropped
        )
    status = "time_limit" if info["timed_out"] else "feasible"
    return RoutingResult(
        routes=routes,
        arrivals=arrivals,
        dropped=np.array(dropped, dtype=np.int64),
        status=status,
        objective=float(objective),
        seconds=time.perf_counter() - t0,
        message=message,
        drop_reasons=tuple(reasons[i] for i in dropped),
        vehicle=vehicle,
        pickup_min=pickup,
        delivery_min=delivery,
        age_min=age,
        loads=loads,
        picked=picked,
        unserved_samples=left,
        km=np.array(kms, dtype=float),
    )
