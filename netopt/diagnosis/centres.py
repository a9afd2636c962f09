r"""Diagnosis centres as a second location layer: :func:`plan_diagnosis`, :class:`DiagnosisPlan`.

For each service (:data:`~netopt.diagnosis.SERVICES`) the centres are chosen among the
candidates by :func:`netopt.solve.fixed_charge_location`, the existing (fixed) centres
kept:

* **Senders** are the facilities of ``sender_tiers`` (township health centres by default).
  Residents whose primary facility is of another tier (a village clinic) send through the
  nearest sender of their alliance (the same ``lead`` in ``plan.facilities``), by
  facility-to-facility travel time; without a sender in the alliance, through the nearest
  sender of all (said in ``messages``). A sender's demand is its residents (its own and
  those folded in, from ``plan.facilities.population``) times ``tests_per_resident``.
* **Samples** (``moves_samples``, the laboratory) travel: the cost of sending i's samples
  to centre j is a daily courier return trip,

  .. math:: c_{ij} = 2\, t_{ij}\, r \, D

  with :math:`t_{ij}` the minutes from sender to centre on the open network
  (:func:`netopt.graph.drop_closed`: a closed crossing does not count as a way) plus the
  courier's ``service_min`` at the stop (a sample's age counts from its pickup), ``r`` the
  service's ``courier_yuan_per_min`` and ``D`` the ``working_days`` a year. This is a
  location proxy (one dedicated run per sender, an upper bound: real routes share
  vehicles, see :mod:`netopt.diagnosis.courier` for the routes and their cost). A pair
  beyond ``window_min`` is forbidden. A sender that reaches no candidate within the
  window is never dropped: it goes to its fastest candidate (that centre opens) and is
  reported (``messages``, ``within_window`` False, ``excess_min``). A sender cut off on the
  open network is timed with the reopening waits of the full graph.
* **Data** (imaging, ECG) are sent, nothing travels: the assignment costs nothing, so the
  fixed cost, the capacity and ``max_centres`` decide; each sender then reads at its
  fastest open centre when capacities allow (any open centre is as cheap), and its
  turnaround is the reading time.

The cost per test is the same at every centre: it is reported (``test_cost_yuan``) but
does not move a centre. If the capacities cannot hold every sender (single-sourced), the
service is planned again without capacities and ``max_centres``, and the overload is
reported: a sender is never left without a centre.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt.alliances.area import facilities_in_area
from netopt.alliances.plan import AlliancePlan
from netopt.diagnosis.options import DiagnosisOptions
from netopt.diagnosis.services import Service
from netopt.graph import TravelGraph, TravelTimes, drop_closed, travel_times
from netopt.region import LEAD_TIERS, TIERS
from netopt.solve import SolveResult, SolverParams, fixed_charge_location
from netopt.solve.status import stage_text

__all__ = ["ASSIGNMENT_COLUMNS", "CENTRE_COLUMNS", "DiagnosisPlan", "plan_diagnosis"]

logger = logging.getLogger(__name__)

#: Columns of :attr:`DiagnosisPlan.centres` (``diagnosis_centres.csv``).
CENTRE_COLUMNS: tuple[str, ...] = (
    "service", "facility_id", "name", "kept", "tests_per_year", "capacity_per_year",
    "utilisation", "fixed_cost_yuan", "test_cost_yuan", "senders", "sender_ids",
)  # fmt: skip
#: Columns of :attr:`DiagnosisPlan.assignments`.
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "service", "sender_id", "sender_name", "centre_id", "centre_name", "residents",
    "tests_per_year", "samples_per_day", "travel_min", "turnaround_min", "within_window",
    "excess_min",
)  # fmt: skip
#: Columns of :attr:`DiagnosisPlan.senders`.
SENDER_COLUMNS: tuple[str, ...] = ("name", "tier", "lead", "own_residents", "residents", "folded")


@dataclass(frozen=True, eq=False)
class DiagnosisPlan:
    """The diagnosis centres of each service and which sender uses which centre.

    Attributes
    ----------
    centres : pandas.DataFrame
        One row per open centre (:data:`CENTRE_COLUMNS`, ``diagnosis_centres.csv``):
        ``service``, ``facility_id``, ``name``, ``kept`` (a fixed centre from the data),
        ``tests_per_year``, ``capacity_per_year`` (inf: no limit), ``utilisation`` (tests /
        capacity; NaN without a limit), ``fixed_cost_yuan``, ``test_cost_yuan`` (tests x
        cost per test), ``senders`` (their number) and ``sender_ids`` (";"-joined).
    assignments : pandas.DataFrame
        One row per service and sender (:data:`ASSIGNMENT_COLUMNS`): ``centre_id``,
        ``residents`` (its own and folded in), ``tests_per_year``, ``samples_per_day``
        (tests / working days), ``travel_min`` (sender to centre on the open network;
        NaN for data services), ``turnaround_min`` (travel plus analysis for samples, the
        reading time for data), ``within_window`` and ``excess_min`` (minutes beyond the
        window, 0 within it).
    solves : dict of str to SolveResult
        The location model of each service (status, objective, bound, gap).
    messages : tuple of str
        What the planner should know: senders beyond the window, folded clinics without a
        sender in their alliance, capacities relaxed.
    courier : CourierPlan or None
        The laboratory's courier routes (:func:`netopt.diagnosis.courier.plan_courier`),
        filled in afterwards with :func:`dataclasses.replace`.
    options : DiagnosisOptions
        The options the plan was made with.
    senders : pandas.DataFrame
        Index sender id (:data:`SENDER_COLUMNS`): ``name``, ``tier``, ``lead``,
        ``own_residents``, ``residents`` (with the folded ones) and ``folded`` (ids of the
        facilities folded into it, ";"-joined).
    """

    centres: pd.DataFrame
    assignments: pd.DataFrame
    solves: dict[str, SolveResult]
    messages: tuple[str, ...] = ()
    courier: Any = None
    options: DiagnosisOptions = field(default_factory=DiagnosisOptions)
    senders: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SENDER_COLUMNS))

    def outside_window(self) -> pd.DataFrame:
        """The assignments that miss their window (``within_window`` False).

        Returns
        -------
        pandas.DataFrame
        """
        return self.assignments[~self.assignments["within_window"].astype(bool)]

    def stages(self) -> dict[str, str]:
        """Each service's solve in words (:func:`netopt.solve.status.stage_text`).

        Returns
        -------
        dict of str to str
        """
        return {name: stage_text(res) for name, res in self.solves.items()}

    def summary(self) -> str:
        """A few lines per service: centres, tests, costs, senders beyond the window.

        Returns
        -------
        str
        """
        lines = []
        for name, res in self.solves.items():
            rows = self.centres[self.centres["service"] == name]
            sent = self.assignments[self.assignments["service"] == name]
            centres = ", ".join(
                f"{r.facility_id}{' (kept)' if r.kept else ''}" for r in rows.itertuples()
            )
            lines.append(
                f"{name}: {len(rows)} centre(s) {centres}; {len(sent)} senders, "
                f"{rows['tests_per_year'].sum():,.0f} tests/yr; fixed "
                f"{rows['fixed_cost_yuan'].sum():,.0f} yuan/yr, tests "
                f"{rows['test_cost_yuan'].sum():,.0f} yuan/yr; {stage_text(res)}"
            )
            late = sent[~sent["within_window"].astype(bool)]
            if len(late):
                worst = ", ".join(
                    f"{r.sender_id} +{r.excess_min:.0f} min" for r in late.head(5).itertuples()
                )
                lines.append(f"  {len(late)} sender(s) beyond the window: {worst}")
        lines += [f"note: {m}" for m in self.messages]
        return "\n".join(lines) if lines else "no diagnosis services planned"

    def __str__(self) -> str:
        return self.summary()


def plan_diagnosis(
    plan: AlliancePlan,
    graph: TravelGraph | None,
    *,
    options: DiagnosisOptions | None = None,
    params: SolverParams | None = None,
    times: TravelTimes | None = None,
) -> DiagnosisPlan:
    """Choose the diagnosis centres of each service and assign every sender to one.

    The model and its costs are in the module docstring.

    Parameters
    ----------
    plan : AlliancePlan
        The alliance plan: ``plan.facilities`` gives each facility's tier, alliance
        (``lead``), residents (``population``) and ``in_area``.
    graph : TravelGraph or None
        The travel graph; facility-to-facility minutes come from
        ``drop_closed(graph)`` (a crossing closed now does not count), a sender cut off
        there from the full graph. May be None when ``times`` is given.
    options : DiagnosisOptions, optional
        Services, sender tiers, working days (default ``DiagnosisOptions()``).
    params : SolverParams, optional
        Time limit and seed of each service's location model (default ``SolverParams()``).
    times : TravelTimes, optional
        Facility-to-facility travel times to use instead of the graph's (origins and
        destinations must include every facility of the plan).

    Returns
    -------
    DiagnosisPlan

    Raises
    ------
    netopt.DataError
        No facility of ``sender_tiers``, unknown candidate or fixed centre ids, a service
        without candidates, or ``times`` missing facilities (all problems at once).

    Examples
    --------
    >>> dx = plan_diagnosis(plan, graph)  # doctest: +SKIP
    >>> dx.centres[["service", "facility_id", "tests_per_year"]]  # doctest: +SKIP
    """
    params = SolverParams() if params is None else params
    options = DiagnosisOptions() if options is None else options
    if not options.enabled or not options.services:
        return _empty(options, ("diagnosis centres are not planned (disabled or no services)",))
    fac = _facilities(plan)
    ids = fac.index.to_numpy(str)
    now, full = _facility_minutes(graph, times, ids)
    senders, notes = _senders(fac, options.sender_tiers, now, full)
    messages: list[str] = list(notes)
    in_area = _in_area(plan, fac)
    problems: list[Problem] = []
    chosen = {}
    for name, service in options.services.items():
        try:
            chosen[name] = _candidates(name, service, fac, in_area)
        except DataError as exc:
            problems += [p for p in exc.problems if isinstance(p, Problem)]
    if problems:
        raise DataError(problems)
    pos = {f: k for k, f in enumerate(ids)}
    rows_s = np.array([pos[s] for s in senders.index])
    centres, assignments, solves = [], [], {}
    for name, service in options.services.items():
        cands = chosen[name]
        cols = np.array([pos[c] for c in cands])
        t_now, t_full = now[np.ix_(rows_s, cols)], full[np.ix_(rows_s, cols)]
        if service.moves_samples:  # the pickup at the stop counts against the window too
            pickup = float(getattr(options.courier, "service_min", 0.0) or 0.0)
            t_now, t_full = t_now + pickup, t_full + pickup
        res, assign, minutes, notes = _solve_service(
            name, service, senders, cands, t_now, t_full, options.working_days, params
        )
        messages += notes
        solves[name] = res
        a, c = _tables(name, service, senders, cands, fac, assign, minutes, options.working_days)
        assignments.append(a)
        centres.append(c)
        messages += _window_notes(name, service, a)
        logger.info("diagnosis %s: %s", name, stage_text(res))
    return DiagnosisPlan(
        centres=pd.concat(centres, ignore_index=True),
        assignments=pd.concat(assignments, ignore_index=True),
        solves=solves,
        messages=tuple(messages),
        options=options,
        senders=senders,
    )


# ----------------------------------------------------------------------------------------
# inputs: facilities, minutes, senders, candidates
# ----------------------------------------------------------------------------------------
def _facilities(plan: AlliancePlan) -> pd.DataFrame:
    fac = plan.facilities.copy()
    fac.index = fac.index.astype(str)
    if "name" not in fac:
        fac["name"] = plan.region.facilities["name"].reindex(fac.index)
    fac["population"] = pd.to_numeric(fac.get("population", 0.0), errors="coerce").fillna(0.0)
    return fac


def _in_area(plan: AlliancePlan, fac: pd.DataFrame) -> pd.Series:
    if "in_area" in fac:
        return fac["in_area"].fillna(False).astype(bool)
    return facilities_in_area(plan.region).reindex(fac.index).fillna(False).astype(bool)


def _facility_minutes(
    graph: TravelGraph | None, times: TravelTimes | None, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Minutes between the plan's facilities: on the open network, and on the full graph."""
    if times is not None:
        missing = sorted(set(ids) - set(times.origins)) + sorted(set(ids) - set(times.destinations))
        if missing:
            raise DataError(
                Problem("plan_diagnosis", "", "times", f"no row or column for {missing[:10]}",
                        "pass facility-to-facility times covering every facility of the plan")
            )  # fmt: skip
        frame = times.to_frame().reindex(index=ids, columns=ids)
        minutes = frame.to_numpy(float) / 60.0
        return minutes, minutes
    if graph is None:
        raise DataError(
            Problem("plan_diagnosis", "", "graph", "None", "pass the travel graph, or times")
        )
    open_ = travel_times(drop_closed(graph), "facilities", "facilities").to_frame()
    now = open_.reindex(index=ids, columns=ids).to_numpy(float) / 60.0
    if np.isfinite(now).all():
        return now, now
    whole = travel_times(graph, "facilities", "facilities").to_frame()
    return now, whole.reindex(index=ids, columns=ids).to_numpy(float) / 60.0


def _senders(
    fac: pd.DataFrame, tiers: Sequence[str], now: np.ndarray, full: np.ndarray
) -> tuple[pd.DataFrame, list[str]]:
    """The senders and their residents, other facilities' residents folded into them."""
    is_sender = fac["tier"].isin(tiers).to_numpy()
    if not is_sender.any():
        found = sorted(fac["tier"].dropna().unique().tolist())
        raise DataError(
            Problem("DiagnosisOptions", "", "sender_tiers", str(list(tiers)),
                    f"no facility of these tiers; the plan has {found}")
        )  # fmt: skip
    lead = fac["lead"].astype(object).where(fac["lead"].notna(), None).to_numpy()
    pop = fac["population"].to_numpy(float)
    s_idx = np.flatnonzero(is_sender)
    residents = pop[s_idx].copy()
    folded: list[list[str]] = [[] for _ in s_idx]
    lonely, cut = [], []
    for i in np.flatnonzero(~is_sender & (pop > 0)):
        row = np.where(np.isfinite(now[i, s_idx]), now[i, s_idx], full[i, s_idx])
        if not np.isfinite(row).any():
            cut.append(fac.index[i])
        same = np.array([lead[i] is not None and lead[j] == lead[i] for j in s_idx])
        if not same.any():
            lonely.append(fac.index[i])
            same[:] = True
        masked = np.where(same, row, np.inf)
        k = int(np.argmin(masked)) if np.isfinite(masked).any() else int(np.flatnonzero(same)[0])
        residents[k] += pop[i]
        folded[k].append(str(fac.index[i]))
    notes = []
    if lonely:
        notes.append(
            f"{len(lonely)} facilities with residents have no sender in their alliance and send "
            f"through the nearest sender of all: {', '.join(map(str, lonely[:10]))}"
            + (" ..." if len(lonely) > 10 else "")
        )
    if cut:
        notes.append(
            f"{len(cut)} facilities with residents reach no sender at all (no path): "
            f"{', '.join(map(str, cut[:10]))}; they send through the first sender of their "
            "alliance"
        )
    frame = pd.DataFrame(
        {
            "name": fac["name"].to_numpy()[s_idx],
            "tier": fac["tier"].to_numpy()[s_idx],
            "lead": lead[s_idx],
            "own_residents": pop[s_idx],
            "residents": residents,
            "folded": [";".join(f) for f in folded],
        },
        index=pd.Index(fac.index[s_idx], name="id"),
    )
    return frame, notes


def _candidates(name: str, service: Service, fac: pd.DataFrame, in_area: pd.Series) -> list[str]:
    """Candidate facility ids of a service (tiers expanded to their in-area facilities)."""
    src = f"[diagnosis.{name}]"
    problems = []
    entries = service.candidates or LEAD_TIERS
    out: list[str] = []
    for e in entries:
        if e in TIERS:
            out += fac.index[(fac["tier"] == e) & in_area].tolist()
        elif e in fac.index:
            out.append(e)
        else:
            problems.append(Problem(src, "", "candidates", repr(e),
                                    f"use facility ids or tiers among {TIERS}"))  # fmt: skip
    for e in service.fixed_centres:
        if e not in fac.index:
            problems.append(Problem(src, "", "fixed_centres", repr(e), "use facility ids"))
        else:
            out.append(e)
    out = list(dict.fromkeys(out))
    if not out and not problems:
        problems.append(
            Problem(src, "", "candidates", repr(list(entries)),
                    "no facility qualifies: list candidate facility ids")
        )  # fmt: skip
    if problems:
        raise DataError(problems)
    return out


# ----------------------------------------------------------------------------------------
# the model of one service
# ----------------------------------------------------------------------------------------
def _solve_service(
    name: str,
    service: Service,
    senders: pd.DataFrame,
    cands: list[str],
    t_now: np.ndarray,
    t_full: np.ndarray,
    days: float,
    params: SolverParams,
) -> tuple[SolveResult, np.ndarray, np.ndarray, list[str]]:
    """Solve a service's fixed-charge model; return the result, the assignment (candidate
    positions), the sender-to-candidate minutes used, and notes."""
    n, m = t_now.shape
    notes: list[str] = []
    cut = ~np.isfinite(t_now).any(axis=1)
    minutes = np.where(cut[:, None], t_full, t_now)
    fixed = np.isin(cands, service.fixed_centres)
    demand = senders["residents"].to_numpy(float) * service.tests_per_resident
    if service.moves_samples:
        window = np.inf if service.window_min is None else service.window_min
        allowed = minutes <= window
        fastest = minutes == np.min(minutes, axis=1, keepdims=True)
        allowed = np.where(allowed.any(axis=1, keepdims=True), allowed, fastest)
        nowhere = ~np.isfinite(minutes).any(axis=1)
        allowed[nowhere] = True  # no path at all: any centre (reported below)
        costs = np.where(allowed, 2.0 * minutes * service.courier_yuan_per_min * days, np.inf)
        costs[nowhere] = 0.0
        if cut.any():
            notes.append(
                f"{name}: {int(cut.sum())} sender(s) are cut off on the open network and are "
                f"timed with the reopening waits: {', '.join(senders.index[cut][:10])}"
            )
        if nowhere.any():
            notes.append(
                f"{name}: {int(nowhere.sum())} sender(s) have no path to any candidate: "
                f"{', '.join(senders.index[nowhere][:10])}"
            )
    else:
        costs = np.zeros((n, m))
    f = np.full(m, service.fixed_cost_yuan)
    caps = np.full(m, service.capacity_per_year)
    res = fixed_charge_location(
        costs, f, demand=demand, capacities=caps, fixed=fixed,
        max_open=service.max_centres, params=params,
    )  # fmt: skip
    if res.status == "infeasible":
        notes.append(
            f"{name}: the capacities ({service.capacity_per_year:,.0f} tests/yr per centre"
            + (f", at most {service.max_centres} centres" if service.max_centres else "")
            + f") cannot hold every sender ({res.message}); planned without them, the "
            "overload is in the centres' utilisation"
        )
        res = fixed_charge_location(costs, f, demand=demand, fixed=fixed, params=params)
    assign = res.assignment
    if (assign < 0).any():  # the limit stopped the model before any plan: fastest open
        notes.append(
            f"{name}: no plan within the time limit; senders go to their fastest candidate"
        )
        pool = fixed if fixed.any() else np.ones(m, bool)
        assign = np.argmin(np.where(pool, np.where(np.isfinite(minutes), minutes, 1e12), np.inf), 1)
    elif not service.moves_samples and not np.isfinite(service.capacity_per_year):
        # every plan with as many centres costs the same: take the centres nearest the
        # senders (least tests x minutes), each sender reading at its fastest one
        selected, assign = _nearest_centres(minutes, demand, fixed, len(res.selected))
        res = dataclasses.replace(res, selected=selected, assignment=assign)
    return res, np.asarray(assign, np.int64), minutes, notes


def _nearest_centres(
    minutes: np.ndarray, demand: np.ndarray, fixed: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` centres (the fixed ones first, then greedily the one that most lowers the
    senders' tests x minutes) and each sender's fastest centre among them."""
    finite = np.where(np.isfinite(minutes), minutes, 1e12)
    weight = np.maximum(demand, 1e-9)[:, None]
    open_ = fixed.copy()
    while open_.sum() < k:
        best = finite[:, open_].min(axis=1) if open_.any() else np.full(len(finite), 1e13)
        gain = (weight * np.minimum(finite, best[:, None])).sum(axis=0)
        gain[open_] = np.inf
        open_[int(np.argmin(gain))] = True
    assign = np.argmin(np.where(open_[None, :], finite, np.inf), axis=1)
    return np.flatnonzero(open_), assign.astype(np.int64)


# ----------------------------------------------------------------------------------------
# tables and notes
# ----------------------------------------------------------------------------------------
def _tables(
    name: str,
    service: Service,
    senders: pd.DataFrame,
    cands: list[str],
    fac: pd.DataFrame,
    assign: np.ndarray,
    minutes: np.ndarray,
    days: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(senders)
    centre = np.asarray(cands, object)[assign]
    tests = senders["residents"].to_numpy(float) * service.tests_per_resident
    travel = minutes[np.arange(n), assign]
    if service.moves_samples:
        window = np.inf if service.window_min is None else service.window_min
        excess = np.maximum(0.0, travel - window)
        within = travel <= window
        turnaround = travel + service.turnaround_min
    else:
        travel = np.full(n, np.nan)
        excess, within = np.zeros(n), np.ones(n, bool)
        turnaround = np.full(n, service.turnaround_min)
    names = fac["name"]
    assignments = pd.DataFrame(
        {
            "service": name,
            "sender_id": senders.index.to_numpy(str),
            "sender_name": senders["name"].to_numpy(),
            "centre_id": centre.astype(str),
            "centre_name": names.reindex(centre).to_numpy(),
            "residents": senders["residents"].to_numpy(float),
            "tests_per_year": tests,
            "samples_per_day": tests / days,
            "travel_min": travel,
            "turnaround_min": turnaround,
            "within_window": within,
            "excess_min": excess,
        },
        columns=list(ASSIGNMENT_COLUMNS),
    )
    used = sorted(set(np.flatnonzero(np.isin(cands, service.fixed_centres))) | set(assign))
    rows = []
    for j in used:
        mine = assignments[assign == j]
        load = float(mine["tests_per_year"].sum())
        cap = service.capacity_per_year
        rows.append(
            {
                "service": name,
                "facility_id": cands[j],
                "name": names.get(cands[j]),
                "kept": cands[j] in service.fixed_centres,
                "tests_per_year": load,
                "capacity_per_year": cap,
                "utilisation": load / cap if np.isfinite(cap) else np.nan,
                "fixed_cost_yuan": service.fixed_cost_yuan,
                "test_cost_yuan": load * service.cost_per_test_yuan,
                "senders": len(mine),
                "sender_ids": ";".join(mine["sender_id"]),
            }
        )
    return assignments, pd.DataFrame(rows, columns=list(CENTRE_COLUMNS))


def _window_notes(name: str, service: Service, assignments: pd.DataFrame) -> list[str]:
    late = assignments[~assignments["within_window"]]
    if not len(late):
        return []
    shown = "; ".join(
        f"{r.sender_id} ({r.sender_name}) {r.travel_min:.0f} min to {r.centre_id} "
        f"(+{r.excess_min:.0f} min)"
        for r in late.sort_values("excess_min", ascending=False).head(10).itertuples()
    )
    return [
        f"{name}: {len(late)} sender(s) reach no candidate within the {service.window_min:g} min "
        f"window and send to their fastest one: {shown}" + (" ..." if len(late) > 10 else "")
    ]


def _empty(options: DiagnosisOptions, messages: tuple[str, ...]) -> DiagnosisPlan:
    return DiagnosisPlan(
        centres=pd.DataFrame(columns=list(CENTRE_COLUMNS)),
        assignments=pd.DataFrame(columns=list(ASSIGNMENT_COLUMNS)),
        solves={},
        messages=messages,
        options=options,
    )
