"""Expert outreach rotations: who visits which member site on which day.

:func:`schedule_rotations` turns an :class:`~netopt.alliances.AlliancePlan`, its
:class:`~netopt.graph.TravelGraph` and the region's experts into a :class:`RotationSchedule`,
on top of the CP-SAT model in :mod:`netopt.solve.rotation` (see its docstring for the
mathematics). :func:`validate_schedule` re-checks every hard constraint on an output with
independent code.

The adapter's steps:

1. **Sites** are the alliance members (not leads) with residents.
2. **Need** per (site, specialty) over the horizon = residents whose primary facility is
   the site x the specialty's yearly visit rate x ``horizon_days / 365``
   (:data:`DEFAULT_VISIT_RATES`, overridable per specialty with ``visit_rates`` and per site
   with ``needs``).
3. **Travel** (:func:`rotation_travel`): out from each expert's home facility at the start
   of the working day (graph :func:`~netopt.graph.at_clock` at ``workday[0]``); back from
   each site at every ``return_step_min`` from the start to the end of the working day
   (graph at that clock, which times the ferry wait as if the traveller reached the pier
   at that clock), so a ferry that no longer runs makes the return ``inf``.
4. **Visit options** (:func:`netopt.solve.rotation.visit_options`): a day trip when the
   latest return that still gets home by the end of the working day leaves at least
   ``min_clinic_hours`` of clinic; else a multi-day stay (``1 + lodging_days`` days) when
   ``allow_stays``; else no visit.
5. **Patient saving** per site: the population-weighted mean over its zones of the round trip
   to the lead minus the round trip to the site (minutes, clipped at 0): what one patient
   seen locally does not travel.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netopt._atomic import atomic_dir, atomic_path
from netopt._errors import DataError, Problem
from netopt.solve.rotation import (
    RotationInstance,
    RotationWeights,
    solve_rotation,
    visit_options,
)

if TYPE_CHECKING:  # pragma: no cover
    from netopt.alliances import AlliancePlan
    from netopt.graph import TravelGraph

__all__ = [
    "DEFAULT_OTHER_RATE",
    "DEFAULT_VISIT_RATES",
    "RotationSchedule",
    "rotation_travel",
    "schedule_rotations",
    "site_needs",
    "validate_schedule",
]

logger = logging.getLogger(__name__)

#: Specialist outpatient visits per resident per year that a visiting expert can see locally.
#: Illustrative planning assumptions (not measured figures): replace them with local data
#: through ``visit_rates=`` or per site through ``needs=``.
DEFAULT_VISIT_RATES: dict[str, float] = {
    "cardiology": 0.06,
    "pediatrics": 0.08,
    "obstetrics": 0.05,
    "orthopedics": 0.05,
    "neurology": 0.03,
    "oncology": 0.02,
    "endocrinology": 0.04,
    "respiratory": 0.05,
    "ophthalmology": 0.04,
    "general": 0.10,
}
#: Rate used for a specialty missing from :data:`DEFAULT_VISIT_RATES`.
DEFAULT_OTHER_RATE: float = 0.03

VISIT_COLUMNS: tuple[str, ...] = (
    "expert",
    "expert_name",
    "specialty",
    "date",
    "day",
    "site",
    "site_name",
    "lead",
    "travel_out_min",
    "travel_back_min",
    "clinic_hours",
    "expected_patients",
    "stay",
    "lodging_days",
)
COVERAGE_COLUMNS: tuple[str, ...] = (
    "site",
    "site_name",
    "specialty",
    "rhythm_days",
    "need_patients",
    "served_patients",
    "needed_visits",
    "delivered_visits",
    "shortfall",
    "max_gap_days",
)


@dataclass(frozen=True, eq=False)
class RotationSchedule:
    """An expert rotation schedule and how well it covers the member sites.

    Attributes
    ----------
    visits : pandas.DataFrame
        One row per visit (:data:`VISIT_COLUMNS`): ``expert``, ``expert_name``,
        ``specialty``, ``date`` (:class:`datetime.date` of the first day), ``day`` (0-based),
        ``site``, ``site_name``, ``lead``, ``travel_out_min``, ``travel_back_min``,
        ``clinic_hours``, ``expected_patients``, ``stay`` (``"day trip"`` or
        ``"multi-day"``), ``lodging_days``.
    coverage : pandas.DataFrame
        One row per (site, specialty) with a need (:data:`COVERAGE_COLUMNS`); ``max_gap_days``
        is the longest run of days without a visit (the rhythm holds iff it is below
        ``rhythm_days``); ``shortfall`` is the fewest extra visits that would restore it.
    shortfalls : pandas.DataFrame
        The coverage rows with a shortfall, with a ``message`` column.
    patient_hours_saved : float
        Patient travel hours saved against no rotation (patients seen locally x saving).
    status, objective, bound, gap, seconds
        From the solver (objective in minutes; see :mod:`netopt.solve.rotation`).
    experts : pandas.DataFrame
        The experts as scheduled: ``name``, ``specialty``, ``home``, ``lead``, ``max_days``
        (outreach days in the horizon), ``available`` (tuple of dates).
    travel : pandas.DataFrame
        Visit options per (``origin``, ``site``): ``travel_out_min``, ``travel_back_min``,
        ``clinic_min``, ``stay_days`` (0 none, 1 day trip, more = stay), ``capacity``.
    settings : dict
        ``start_date``, ``horizon_days``, ``workday`` (start, end), ``min_clinic_hours``,
        ``patients_per_clinic_hour``, ``allow_stays``, ``lodging_days``, ``cross_alliance``,
        ``rhythm_days`` (per specialty).
    first_solution_s : float
        Seconds to the first feasible schedule.
    message : str
    """

    visits: pd.DataFrame
    coverage: pd.DataFrame
    shortfalls: pd.DataFrame
    patient_hours_saved: float
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    experts: pd.DataFrame = field(default_factory=pd.DataFrame)
    travel: pd.DataFrame = field(default_factory=pd.DataFrame)
    settings: dict[str, Any] = field(default_factory=dict)
    first_solution_s: float = math.nan
    message: str = ""

    def summary(self) -> str:
        """One line: visits, patients, hours saved, shortfall, solver status."""
        return (
            f"{len(self.visits)} visits, {self.visits['expected_patients'].sum():,.0f} patients "
            f"seen locally, {self.patient_hours_saved:,.0f} patient-hours saved, shortfall "
            f"{int(self.coverage['shortfall'].sum())} visits; {self.status}, gap {self.gap:.2%}"
        )

    def to_csv(self, path: str | Path) -> Path:
        """Write the visits as CSV (UTF-8, atomically).

        Parameters
        ----------
        path : str or pathlib.Path

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        with atomic_path(path) as tmp:
            self.visits.to_csv(tmp, index=False, encoding="utf-8")
        return path

    def to_ics(self, folder: str | Path) -> list[Path]:
        """Write one iCalendar (RFC 5545) file per expert with visits: ``<expert>.ics``.

        Events use floating local times (the working day of :attr:`settings`); a multi-day
        stay is one event from the first morning to the last evening. Lines end in CRLF,
        text is escaped and long lines are folded at 75 octets. ``DTSTAMP`` is the start
        date at 00:00 UTC, so the same schedule always gives the same files.

        Parameters
        ----------
        folder : str or pathlib.Path
            Created if missing; replaced atomically.

        Returns
        -------
        list of pathlib.Path
        """
        folder = Path(folder)
        written: list[str] = []
        with atomic_dir(folder) as tmp:
            for expert, rows in self.visits.groupby("expert", sort=True):
                name = f"{_safe_filename(str(expert))}.ics"
                (tmp / name).write_bytes(_calendar(self, str(expert), rows).encode("utf-8"))
                written.append(name)
        return [folder / n for n in written]


def site_needs(
    plan: AlliancePlan,
    specialties: Sequence[str],
    *,
    horizon_days: int = 28,
    visit_rates: Mapping[str, float] | None = None,
    needs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected patient visits per (site, specialty) over the horizon.

    Parameters
    ----------
    plan : AlliancePlan
    specialties : sequence of str
    horizon_days : int, default 28
    visit_rates : mapping, optional
        Visits per resident per year by specialty; merged over :data:`DEFAULT_VISIT_RATES`.
    needs : pandas.DataFrame, optional
        Per-site overrides: columns ``site``, ``specialty``, ``patients`` (over the horizon;
        0 = not needed).

    Returns
    -------
    pandas.DataFrame
        Columns ``site``, ``specialty``, ``population``, ``rate_per_year``, ``patients``.

    Raises
    ------
    DataError
        If an override names an unknown site or lacks a column.
    """
    fac = plan.facilities
    sites = fac.index[
        (~fac["is_lead"].astype(bool)) & fac["lead"].notna() & (fac["population"] > 0)
    ]
    rates = {**DEFAULT_VISIT_RATES, **dict(visit_rates or {})}
    grid = pd.MultiIndex.from_product([list(sites), list(specialties)], names=["site", "specialty"])
    out = grid.to_frame(index=False)
    out["population"] = fac.loc[out["site"], "population"].to_numpy(float)
    out["rate_per_year"] = [float(rates.get(k, DEFAULT_OTHER_RATE)) for k in out["specialty"]]
    out["patients"] = np.rint(out["population"] * out["rate_per_year"] * horizon_days / 365.0)
    if needs is not None and len(needs):
        problems = [
            Problem("needs", "", c, "column missing", "give columns site, specialty, patients")
            for c in ("site", "specialty", "patients")
            if c not in needs.columns
        ]
        if not problems:
            problems += [
                Problem(
                    "needs",
                    str(i),
                    "site",
                    f"{r['site']!r} is not a member site with residents",
                    f"use one of {sorted(map(str, sites))}",
                )
                for i, r in needs.iterrows()
                if r["site"] not in set(sites)
            ]
        if problems:
            raise DataError(problems)
        over = needs.set_index(["site", "specialty"])["patients"].astype(float)
        key = pd.MultiIndex.from_frame(out[["site", "specialty"]])
        hit = key.isin(over.index)
        out.loc[hit, "patients"] = over.reindex(key[hit]).to_numpy()
        extra = over.index.difference(key)
        if len(extra):
            add = extra.to_frame(index=False)
            add["population"] = fac.loc[add["site"], "population"].to_numpy(float)
            add["rate_per_year"] = np.nan
            add["patients"] = over.reindex(extra).to_numpy()
            out = pd.concat([out, add], ignore_index=True)
    out["patients"] = out["patients"].astype(np.int64)
    return out


def rotation_travel(
    graph: TravelGraph,
    origins: Sequence[str],
    sites: Sequence[str],
    *,
    depart_at: str = "08:00",
    return_clocks: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Travel minutes out at ``depart_at`` and back at each return clock time.

    The one place where the scheduler reads the travel graph: swap it for another source
    by passing ``travel=`` to :func:`schedule_rotations`. The matrices equal
    ``travel_times(at_clock(graph, clock), ...)`` at each clock; they come from
    :func:`~netopt.graph.travel_times_at_clocks`, which recomputes only the ferry edges per
    clock instead of copying the graph.

    Parameters
    ----------
    graph : TravelGraph
    origins, sites : sequence of str
        Facility ids.
    depart_at : str
        Morning departure clock time.
    return_clocks : sequence of str
        Clock times at which the return may leave the site.

    Returns
    -------
    out : numpy.ndarray
        ``(O, S)`` minutes (``inf`` unreachable).
    back : numpy.ndarray
        ``(C, O, S)`` minutes when leaving the site at each return clock.
    """
    from netopt.graph import travel_times_at_clocks

    o_keys = [f"facility:{o}" for o in origins]
    s_keys = [f"facility:{s}" for s in sites]
    out = travel_times_at_clocks(graph, o_keys, s_keys, [depart_at])[depart_at].seconds / 60.0
    by_clock = travel_times_at_clocks(graph, s_keys, o_keys, return_clocks)
    back = (
        np.stack([by_clock[c].seconds.T / 60.0 for c in return_clocks])
        if len(return_clocks)
        else np.zeros((0, len(origins), len(sites)))
    )
    return np.asarray(out, float), np.asarray(back, float)


def _clock_min(text: str) -> int:
    h, m = str(text).split(":")
    return int(h) * 60 + int(m)


def _clock_text(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _experts_table(
    plan: AlliancePlan, experts: pd.DataFrame, start: dt.date, horizon_days: int
) -> pd.DataFrame:
    """Experts with their lead, outreach-day limit and available dates (validated)."""
    problems: list[Problem] = []
    for col in ("name", "home_facility", "specialty", "weekdays", "max_days_per_month"):
        if col not in experts.columns and not (
            col == "max_days_per_month" and "max_days" in experts
        ):
            problems.append(
                Problem("experts", "", col, "column missing", "give the columns of Region.experts")
            )
    if problems:
        raise DataError(problems)
    fac = plan.facilities
    dates = [start + dt.timedelta(days=d) for d in range(horizon_days)]
    rows = []
    for eid, r in experts.iterrows():
        home = r["home_facility"]
        if home not in fac.index:
            problems.append(
                Problem(
                    "experts",
                    str(eid),
                    "home_facility",
                    f"{home!r} is not a facility of the plan",
                    "use a facility id of the region",
                )
            )
            continue
        lead = fac.at[home, "lead"]
        given = r.get("dates") if "dates" in experts.columns else None
        if (
            given is not None
            and not (isinstance(given, float) and math.isnan(given))
            and len(given)
        ):
            want = {pd.Timestamp(x).date() for x in given}
            avail = tuple(d for d in dates if d in want)
        else:
            wd = {int(w) for w in (r["weekdays"] or ())}
            avail = tuple(d for d in dates if d.weekday() in wd)
        if "max_days" in experts.columns and pd.notna(r.get("max_days")):
            max_days = int(r["max_days"])
        else:
            max_days = math.ceil(float(r["max_days_per_month"]) * horizon_days / 31.0 - 1e-9)
        rows.append(
            {
                "id": eid,
                "name": r["name"],
                "specialty": r["specialty"],
                "home": home,
                "lead": lead if pd.notna(lead) else None,
                "max_days": max_days,
                "available": avail,
            }
        )
    if problems:
        raise DataError(problems)
    return pd.DataFrame(
        rows, columns=["id", "name", "specialty", "home", "lead", "max_days", "available"]
    ).set_index("id")


def _patient_saving_min(plan: AlliancePlan, sites: Sequence[str]) -> np.ndarray:
    """Population-weighted mean round-trip minutes saved per patient seen at each site."""
    z = plan.zones
    t_lead = z["t_lead_min"] if "t_lead_min" in z else z["t_lead_s"] / 60.0
    t_prim = z["t_primary_min"] if "t_primary_min" in z else z["t_primary_s"] / 60.0
    save = (2.0 * (t_lead - t_prim)).clip(lower=0.0)
    ok = np.isfinite(save) & z["primary"].notna()
    w = z["population"].where(ok, 0.0)
    num = (save.where(ok, 0.0) * w).groupby(z["primary"]).sum()
    den = w.groupby(z["primary"]).sum()
    mean = (num / den.replace(0, np.nan)).fillna(0.0)
    return mean.reindex(list(sites)).fillna(0.0).to_numpy(float)


def schedule_rotations(
    plan: AlliancePlan,
    graph: TravelGraph | None = None,
    experts: pd.DataFrame | None = None,
    *,
    horizon_days: int = 28,
    start_date: dt.date | str | None = None,
    rhythm_days: int | Mapping[str, int] = 14,
    visit_rates: Mapping[str, float] | None = None,
    needs: pd.DataFrame | None = None,
    workday: tuple[str, str] = ("08:00", "17:30"),
    min_clinic_hours: float = 3.0,
    max_clinic_hours: float | None = 6.0,
    patients_per_clinic_hour: float = 5.0,
    allow_stays: bool = True,
    lodging_days: int = 1,
    cross_alliance: bool = False,
    return_step_min: int = 60,
    travel: tuple[np.ndarray, np.ndarray] | None = None,
    weights: RotationWeights | None = None,
    time_limit: float | None = 60.0,
    seed: int = 0,
    num_workers: int = 2,
    deterministic: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RotationSchedule:
    """Schedule expert outreach visits to an alliance plan's member sites (CP-SAT).

    Parameters
    ----------
    plan : AlliancePlan
        The alliances; sites are its members with residents.
    graph : TravelGraph, optional
        Travel graph of ``plan.region``; needed unless ``travel`` is given.
    experts : pandas.DataFrame, optional
        Like :attr:`Region.experts` (``name``, ``home_facility``, ``specialty``,
        ``weekdays``, ``max_days_per_month``; optional ``dates``: available dates, overriding
        the weekdays; optional ``max_days``: outreach days in the horizon). Default: the
        region's experts. ``max_days_per_month`` becomes ``ceil(m * horizon_days / 31)``.
    horizon_days : int, default 28
    start_date : datetime.date or str, optional
        First day (ISO text allowed); default the next Monday.
    rhythm_days : int or mapping, default 14
        Every window of this many days should hold a visit (per specialty if a mapping).
    visit_rates : mapping, optional
        Yearly visits per resident by specialty (see :data:`DEFAULT_VISIT_RATES`).
    needs : pandas.DataFrame, optional
        Per-site overrides (``site``, ``specialty``, ``patients`` over the horizon).
    workday : (str, str), default ("08:00", "17:30")
    min_clinic_hours : float, default 3
        Shortest clinic that makes a visit worthwhile.
    max_clinic_hours : float or None, default 6
        Longest clinic per visit day (None: from arrival until the return).
    patients_per_clinic_hour : float, default 5
        So a 6-hour clinic day sees 30 patients.
    allow_stays : bool, default True
        Serve sites out of day-trip reach by multi-day stays.
    lodging_days : int, default 1
    cross_alliance : bool, default False
        Let experts visit other alliances' sites.
    return_step_min : int, default 60
        Spacing of the return clock times tried.
    travel : (out, back), optional
        Precomputed :func:`rotation_travel` arrays for (origins = the experts' sorted unique
        home facilities, sites = the need table's sites in order) and return clocks every
        ``return_step_min`` from ``workday[0]`` to ``workday[1]``.
    weights : RotationWeights, optional
        Objective weights (default :class:`RotationWeights()`: expert travel minutes weigh
        0.1 patient minutes; continuity phase on).
    time_limit : float or None, default 60
        Seconds for the three solver phases together (rhythm, patient travel, continuity).
    seed : int, default 0
        CP-SAT random seed.
    num_workers : int, default 2
    deterministic : bool, default True
        CP-SAT ``interleave_search`` with phase budgets in deterministic time: the same seed
        gives the same schedule however busy the machine is (a wall-clock backstop stops the
        whole solve by 1.25 x time_limit + 2 s; only a solve stopped by it can differ).
    progress : callable, optional
        Called with a log line at every improving solution.

    Returns
    -------
    RotationSchedule

    Raises
    ------
    DataError
        If experts or needs are malformed, or there is nothing to schedule.

    Examples
    --------
    >>> sched = schedule_rotations(plan, graph, start_date="2026-03-02")  # doctest: +SKIP
    >>> validate_schedule(sched)  # doctest: +SKIP
    []
    >>> sched.shortfalls["message"].tolist()  # doctest: +SKIP
    """
    if start_date is None:
        today = dt.date.today()
        start = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    else:
        start = dt.date.fromisoformat(start_date) if isinstance(start_date, str) else start_date
    if horizon_days < 1:
        raise DataError(
            Problem(
                "schedule_rotations",
                "",
                "horizon_days",
                f"{horizon_days}",
                "give a horizon of at least one day",
            )
        )
    experts = plan.region.experts if experts is None else experts
    ex = _experts_table(plan, experts, start, horizon_days)
    if len(ex) == 0:
        raise DataError(Problem("experts", "", "", "no experts", "give at least one expert"))
    specialties = sorted(set(ex["specialty"]))
    need_tab = site_needs(
        plan, specialties, horizon_days=horizon_days, visit_rates=visit_rates, needs=needs
    )
    specialties = sorted(set(specialties) | set(need_tab["specialty"]))
    sites = list(dict.fromkeys(need_tab["site"]))
    if not sites:
        raise DataError(
            Problem(
                "plan",
                "",
                "facilities",
                "no member site with residents",
                "plan alliances with member facilities first",
            )
        )
    origins = sorted(set(ex["home"]))
    w0, w1 = (_clock_min(t) for t in workday)
    workday_min = w1 - w0
    min_clinic = 60.0 * float(min_clinic_hours)
    ret_at = np.arange(0.0, workday_min + 1e-9, float(return_step_min))
    if travel is None:
        if graph is None:
            raise DataError(
                Problem(
                    "schedule_rotations",
                    "",
                    "graph",
                    "no graph and no travel",
                    "pass the plan's TravelGraph or travel=(out, back)",
                )
            )
        clocks = [_clock_text(w0 + r) for r in ret_at]
        out, back = rotation_travel(
            graph, origins, sites, depart_at=workday[0], return_clocks=clocks
        )
    else:
        out, back = (np.asarray(a, float) for a in travel)
    opts = visit_options(
        out,
        back,
        return_at_min=ret_at,
        workday_min=workday_min,
        min_clinic_min=min_clinic,
        allow_stays=allow_stays,
        lodging_days=lodging_days,
        patients_per_clinic_hour=patients_per_clinic_hour,
        max_clinic_min=None if max_clinic_hours is None else 60.0 * float(max_clinic_hours),
    )
    leads = list(plan.leads)
    fac = plan.facilities
    lead_ix = {l: i for i, l in enumerate(leads)}
    k_ix = {k: i for i, k in enumerate(specialties)}
    s_ix = {s: i for i, s in enumerate(sites)}
    need = np.zeros((len(sites), len(specialties)), np.int64)
    need[need_tab["site"].map(s_ix).to_numpy(), need_tab["specialty"].map(k_ix).to_numpy()] = (
        need_tab["patients"].to_numpy()
    )
    rhythm = {
        k: int(rhythm_days.get(k, 14) if isinstance(rhythm_days, Mapping) else rhythm_days)
        for k in specialties
    }
    day_of = {start + dt.timedelta(days=d): d for d in range(horizon_days)}
    available = np.zeros((len(ex), horizon_days), bool)
    for i, av in enumerate(ex["available"]):
        available[i, [day_of[d] for d in av]] = True
    inst = RotationInstance(
        n_days=horizon_days,
        expert_specialty=ex["specialty"].map(k_ix).to_numpy(np.int64),
        expert_origin=ex["home"].map({o: i for i, o in enumerate(origins)}).to_numpy(np.int64),
        expert_alliance=ex["lead"].map(lead_ix).fillna(-1).to_numpy(np.int64),
        available=available,
        max_days=ex["max_days"].to_numpy(np.int64),
        site_alliance=fac.loc[sites, "lead"].map(lead_ix).fillna(-2).to_numpy(np.int64),
        need=need,
        rhythm_days=np.array([rhythm[k] for k in specialties], np.int64),
        patient_saving_min=_patient_saving_min(plan, sites),
        options=opts,
    )
    res = solve_rotation(
        inst,
        weights=weights or RotationWeights(),
        cross_alliance=cross_alliance,
        time_limit=time_limit,
        seed=seed,
        num_workers=num_workers,
        deterministic=deterministic,
        progress=progress,
    )
    settings = {
        "start_date": start,
        "horizon_days": int(horizon_days),
        "workday": tuple(workday),
        "min_clinic_hours": float(min_clinic_hours),
        "max_clinic_hours": None if max_clinic_hours is None else float(max_clinic_hours),
        "patients_per_clinic_hour": float(patients_per_clinic_hour),
        "allow_stays": bool(allow_stays),
        "lodging_days": int(lodging_days),
        "cross_alliance": bool(cross_alliance),
        "rhythm_days": rhythm,
    }
    names = plan.region.facilities["name"] if "name" in plan.region.facilities else fac["name"]
    visits = _visits_frame(res, inst, ex, sites, specialties, origins, fac, names, start)
    coverage = _coverage_frame(res, inst, sites, specialties, names, need)
    travel_tab = _travel_frame(opts, origins, sites)
    short = coverage[coverage["shortfall"] > 0].copy()
    short["message"] = [
        f"{r.site} ({r.site_name}), {r.specialty}: needs {r.needed_visits} visit(s) "
        f"(one every {r.rhythm_days} days over {horizon_days}), gets {r.delivered_visits}, "
        f"longest gap {r.max_gap_days} days: short by {r.shortfall}"
        for r in short.itertuples()
    ]
    saved = float(np.sum(res.served * inst.patient_saving_min[:, None])) / 60.0
    sched = RotationSchedule(
        visits=visits,
        coverage=coverage,
        shortfalls=short.reset_index(drop=True),
        patient_hours_saved=saved,
        status=res.status,
        objective=res.objective,
        bound=res.bound,
        gap=res.gap,
        seconds=res.seconds,
        experts=ex,
        travel=travel_tab,
        settings=settings,
        first_solution_s=res.first_solution_s,
        message=res.message,
    )
    for line in short["message"]:
        logger.warning("rotation shortfall: %s", line)
    logger.info("rotations: %s", sched.summary())
    return sched


def _visits_frame(res, inst, ex, sites, specialties, origins, fac, names, start) -> pd.DataFrame:
    """One row per visit; expected patients filled visit by visit up to each capacity."""
    v = res.visits
    if len(v) == 0:
        return pd.DataFrame(columns=list(VISIT_COLUMNS))
    e, s, d, length = v[:, 0], v[:, 1], v[:, 2], v[:, 3]
    o = inst.expert_origin[e]
    k = inst.expert_specialty[e]
    opt = inst.options
    cap = opt.capacity[o, s]
    order = np.lexsort((e, d, s * len(specialties) + k))
    expected = np.zeros(len(v), np.int64)
    left = res.served.astype(np.int64).copy()
    for i in order:
        take = min(int(cap[i]), int(left[s[i], k[i]]))
        expected[i] = take
        left[s[i], k[i]] -= take
    site_ids = np.asarray(sites, dtype=object)[s]
    frame = pd.DataFrame(
        {
            "expert": ex.index.to_numpy()[e],
            "expert_name": ex["name"].to_numpy()[e],
            "specialty": np.asarray(specialties, dtype=object)[k],
            "date": [start + dt.timedelta(days=int(x)) for x in d],
            "day": d.astype(np.int64),
            "site": site_ids,
            "site_name": [names.get(x, x) for x in site_ids],
            "lead": fac.loc[site_ids, "lead"].to_numpy(),
            "travel_out_min": np.round(opt.travel_out_min[o, s], 1),
            "travel_back_min": np.round(opt.travel_back_min[o, s], 1),
            "clinic_hours": np.round(opt.clinic_min[o, s] / 60.0, 2),
            "expected_patients": expected,
            "stay": np.where(length > 1, "multi-day", "day trip"),
            "lodging_days": (length - 1).astype(np.int64),
        }
    )
    return frame.sort_values(["date", "expert", "site"], kind="stable").reset_index(drop=True)


def _coverage_frame(res, inst, sites, specialties, names, need) -> pd.DataFrame:
    s, k = np.nonzero(need > 0)
    site_ids = np.asarray(sites, dtype=object)[s]
    return pd.DataFrame(
        {
            "site": site_ids,
            "site_name": [names.get(x, x) for x in site_ids],
            "specialty": np.asarray(specialties, dtype=object)[k],
            "rhythm_days": inst.rhythm_days[k],
            "need_patients": need[s, k],
            "served_patients": res.served[s, k],
            "needed_visits": res.needed[s, k],
            "delivered_visits": res.delivered[s, k],
            "shortfall": res.shortfall[s, k],
            "max_gap_days": res.max_gap[s, k],
        },
        columns=list(COVERAGE_COLUMNS),
    )


def _travel_frame(opts, origins, sites) -> pd.DataFrame:
    O, S = opts.stay_days.shape
    return pd.DataFrame(
        {
            "origin": np.repeat(np.asarray(origins, dtype=object), S),
            "site": np.tile(np.asarray(sites, dtype=object), O),
            "travel_out_min": opts.travel_out_min.ravel(),
            "travel_back_min": opts.travel_back_min.ravel(),
            "clinic_min": opts.clinic_min.ravel(),
            "stay_days": opts.stay_days.ravel(),
            "capacity": opts.capacity.ravel(),
        }
    )


# ---------------------------------------------------------------- independent validation


def validate_schedule(
    schedule: RotationSchedule,
    *,
    experts: pd.DataFrame | None = None,
    travel: pd.DataFrame | None = None,
    tolerance_min: float = 1.0,
) -> list[str]:
    """Re-check every hard constraint of a schedule; return the violations (empty if none).

    Independent of the model: it reads only the output tables. Checks: visits inside the
    horizon; one place per expert per day (lodging days included); the expert available on
    every day occupied; outreach days within the expert's limit; own alliance unless
    ``cross_alliance``; a day trip fits the working day with the minimum clinic time and
    uses an (origin, site) pair that is a day trip in the travel table (so the ferries run);
    a multi-day stay is allowed, has the configured lodging days and fits its days; clinic
    time between the minimum and the maximum per day; expected
    patients within each visit's clinic capacity and the site's need; coverage rows agree
    with the visits (delivered visits, longest gap, shortfall recomputed from the dates);
    and the rhythm holds wherever no shortfall is reported.

    Parameters
    ----------
    schedule : RotationSchedule
    experts : pandas.DataFrame, optional
        Expert table to check against (default ``schedule.experts``).
    travel : pandas.DataFrame, optional
        Visit options to check against (default ``schedule.travel``).
    tolerance_min : float, default 1
        Rounding tolerance for time sums.

    Returns
    -------
    list of str
    """
    st = schedule.settings
    ex = schedule.experts if experts is None else experts
    tr = schedule.travel if travel is None else travel
    v = schedule.visits
    bad: list[str] = []
    start, horizon = st["start_date"], int(st["horizon_days"])
    w0, w1 = (_clock_min(t) for t in st["workday"])
    workday = w1 - w0
    min_clinic = 60.0 * st["min_clinic_hours"]
    pph = st["patients_per_clinic_hour"]
    if len(v) == 0:
        bad += _check_coverage(schedule, v, horizon)
        return bad
    span = 1 + v["lodging_days"].astype(int)
    for r, n in zip(v.itertuples(), span):
        tag = f"visit {r.expert} -> {r.site} on {r.date}"
        first = (r.date - start).days
        if first != r.day or first < 0 or first + n > horizon:
            bad.append(f"{tag}: outside the {horizon}-day horizon or day {r.day} != date")
        if r.expert not in ex.index:
            bad.append(f"{tag}: unknown expert")
            continue
        e = ex.loc[r.expert]
        if e["specialty"] != r.specialty:
            bad.append(f"{tag}: specialty {r.specialty} but the expert is {e['specialty']}")
        occupied = [r.date + dt.timedelta(days=t) for t in range(n)]
        missing = [d for d in occupied if d not in set(e["available"])]
        if missing:
            bad.append(f"{tag}: expert not available on {', '.join(map(str, missing))}")
        if not st["cross_alliance"] and r.lead != e["lead"]:
            bad.append(f"{tag}: site of alliance {r.lead}, expert of {e['lead']}")
        opt = tr[(tr["origin"] == e["home"]) & (tr["site"] == r.site)]
        stay_days = int(opt["stay_days"].iloc[0]) if len(opt) else 0
        clinic = 60.0 * r.clinic_hours
        total = r.travel_out_min + clinic + r.travel_back_min
        if r.stay == "day trip":
            if n != 1:
                bad.append(f"{tag}: a day trip with {r.lodging_days} lodging days")
            if stay_days != 1:
                bad.append(f"{tag}: not a day trip in the travel table (ferry or time)")
            if total > workday + tolerance_min:
                bad.append(f"{tag}: {total:.0f} min of travel and clinic > {workday} min day")
        else:
            if not st["allow_stays"]:
                bad.append(f"{tag}: multi-day stay but stays are not allowed")
            if int(r.lodging_days) != int(st["lodging_days"]) or stay_days != n:
                bad.append(
                    f"{tag}: {r.lodging_days} lodging days, travel table says {stay_days - 1}"
                )
            if total > n * workday + tolerance_min:
                bad.append(f"{tag}: {total:.0f} min > {n} working days")
        cap_h = st.get("max_clinic_hours")
        if cap_h is not None and clinic > n * 60.0 * cap_h + tolerance_min:
            bad.append(f"{tag}: clinic {r.clinic_hours:.2f} h > {n} x {cap_h} h")
        if clinic < min_clinic - tolerance_min:
            bad.append(f"{tag}: clinic {r.clinic_hours:.2f} h < {st['min_clinic_hours']} h")
        if r.expected_patients > math.floor(pph * clinic / 60.0 + 1e-6):
            bad.append(f"{tag}: {r.expected_patients} patients > clinic capacity")
    occ = pd.DataFrame(
        {
            "expert": np.repeat(v["expert"].to_numpy(), span),
            "day": np.concatenate([np.arange(d, d + n) for d, n in zip(v["day"], span)]),
        }
    )
    for (e, d), c in occ.value_counts().items():
        if c > 1:
            bad.append(f"expert {e}: {c} places on day {d}")
    used = occ.groupby("expert").size()
    for e, n in used.items():
        if e in ex.index and n > int(ex.at[e, "max_days"]):
            bad.append(f"expert {e}: {n} outreach days > limit {int(ex.at[e, 'max_days'])}")
    bad += _check_coverage(schedule, v, horizon)
    return bad


def _check_coverage(schedule: RotationSchedule, v: pd.DataFrame, horizon: int) -> list[str]:
    bad = []
    cov = schedule.coverage
    served = v.groupby(["site", "specialty"])["expected_patients"].sum() if len(v) else {}
    for r in cov.itertuples():
        sel = v[(v["site"] == r.site) & (v["specialty"] == r.specialty)] if len(v) else v
        days = sel["day"].to_numpy(int) if len(sel) else np.zeros(0, int)
        tag = f"coverage {r.site}/{r.specialty}"
        if len(days) != r.delivered_visits:
            bad.append(f"{tag}: {r.delivered_visits} visits claimed, {len(days)} scheduled")
        gap = _longest_gap(days, horizon)
        if gap != r.max_gap_days:
            bad.append(f"{tag}: longest gap {r.max_gap_days} claimed, {gap} found")
        short = _fewest_extra_visits(days, horizon, int(r.rhythm_days))
        if short != r.shortfall:
            bad.append(f"{tag}: shortfall {r.shortfall} claimed, {short} found")
        if r.shortfall == 0 and gap >= min(int(r.rhythm_days), horizon):
            bad.append(f"{tag}: a {gap}-day gap breaks the {r.rhythm_days}-day rhythm")
        got = int(served.get((r.site, r.specialty), 0)) if len(v) else 0
        if got > r.need_patients:
            bad.append(f"{tag}: {got} patients expected > need {r.need_patients}")
    return bad


def _longest_gap(days: np.ndarray, horizon: int) -> int:
    """Longest run of days without a visit, by walking the calendar (validation copy)."""
    seen = {int(d) for d in days}
    best = run = 0
    for d in range(horizon):
        run = 0 if d in seen else run + 1
        best = max(best, run)
    return best


def _fewest_extra_visits(days: np.ndarray, horizon: int, rhythm: int) -> int:
    """Greedy window scan: add a visit at the end of every window left empty (validation copy)."""
    k = min(rhythm, horizon)
    have = {int(d) for d in days}
    added = 0
    for w in range(horizon - k + 1):
        if not any(d in have for d in range(w, w + k)):
            have.add(w + k - 1)
            added += 1
    return added


# ---------------------------------------------------------------- iCalendar


def _ics_escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _ics_fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def _safe_filename(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "expert"


def _calendar(schedule: RotationSchedule, expert: str, rows: pd.DataFrame) -> str:
    st = schedule.settings
    w0, w1 = st["workday"]
    start_date = st["start_date"]
    name = rows["expert_name"].iloc[0]
    stamp = f"{start_date:%Y%m%d}T000000Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//netopt//expert rotations//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_escape(f'Outreach rotation: {name}')}",
    ]
    for r in rows.sort_values("date").itertuples():
        last = r.date + dt.timedelta(days=int(r.lodging_days))
        desc = (
            f"{r.specialty} clinic at {r.site_name} ({r.site}), alliance {r.lead}.\n"
            f"Travel out {r.travel_out_min:.0f} min, back {r.travel_back_min:.0f} min; "
            f"clinic {r.clinic_hours:.1f} h; about {r.expected_patients} patients; {r.stay}"
            + (f", {r.lodging_days} night(s) away." if r.lodging_days else ".")
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_safe_filename(expert)}-{_safe_filename(str(r.site))}-{r.date:%Y%m%d}@netopt",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{r.date:%Y%m%d}T{w0.replace(':', '')}00",
            f"DTEND:{last:%Y%m%d}T{w1.replace(':', '')}00",
            f"SUMMARY:{_ics_escape(f'{r.specialty} outreach: {r.site_name}')}",
            f"LOCATION:{_ics_escape(r.site_name)}",
            f"DESCRIPTION:{_ics_escape(desc)}",
            f"CATEGORIES:{_ics_escape(r.specialty)}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(line) + "\r\n" for line in lines)
