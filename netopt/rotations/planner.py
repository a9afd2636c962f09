"""From an alliance plan to a rotation schedule: :func:`schedule_rotations`.

The steps, each in its own module:

1. **Experts** (:mod:`~netopt.rotations.experts`): home, alliance, outreach-day limit and
   available dates.
2. **Sites and need** (:mod:`~netopt.rotations.needs`): the alliance members (not leads)
   with residents, and the county leads hosted by a partner
   (:attr:`~netopt.rotations.RotationOptions.hosted_by`); need per (site, specialty) =
   residents x yearly visit rate x ``horizon_days / 365``.
2b. **Tiers**: who may visit which site. A partner's experts visit the leads it hosts
   (``"partner->county"``, rhythm ``partner_rhythm_days``); every other expert visits its
   own alliance's member sites (``"county->township"``, rhythm ``rhythm_days``; any
   alliance with ``cross_alliance``), and so does a partner's expert when the partner is
   itself a lead of the plan. Both tiers are one CP-SAT schedule, so an expert is never in
   two places on one day whichever tier the visit belongs to.
3. **Travel** (:mod:`~netopt.rotations.travel`): out at the start of the working day,
   back at every ``return_step_min``.
4. **Visit options** (:func:`netopt.solve.rotation.visit_options`): a day trip when the
   latest return that still gets home by the end of the working day leaves at least
   ``min_clinic_hours`` of clinic; else a multi-day stay (``1 + lodging_days`` days) when
   ``allow_stays``; else no visit.
5. **Patient saving** per site (:func:`~netopt.rotations.needs.patient_saving_min`; at a
   hosted lead :func:`~netopt.rotations.needs.partner_saving_min`, the round trip to the
   partner).
6. **Solve** with CP-SAT (:func:`netopt.solve.rotation.solve_rotation`; see its module
   docstring for the mathematics), then the tables (:mod:`~netopt.rotations.tables`) and
   the lines travelled (:func:`~netopt.rotations.travel.route_lines`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from netopt._clock import parse_clock
from netopt._errors import DataError, Problem
from netopt.rotations.experts import experts_table
from netopt.rotations.needs import (
    PARTNER_TIER,
    partner_saving_min,
    patient_saving_min,
    site_needs,
)
from netopt.rotations.options import RotationOptions
from netopt.rotations.schedule import RotationSchedule
from netopt.rotations.tables import coverage_frame, shortfall_table, visits_frame
from netopt.rotations.travel import options_table, return_clocks, rotation_travel, route_lines
from netopt.solve.params import SolverParams
from netopt.solve.rotation import RotationInstance, VisitOptions, solve_rotation, visit_options

if TYPE_CHECKING:  # pragma: no cover
    from netopt.alliances import AlliancePlan
    from netopt.graph import TravelGraph

__all__ = ["schedule_rotations"]

logger = logging.getLogger(__name__)


def schedule_rotations(
    plan: AlliancePlan,
    graph: TravelGraph | None = None,
    experts: pd.DataFrame | None = None,
    *,
    options: RotationOptions = RotationOptions(),
    params: SolverParams = SolverParams(),
    needs: pd.DataFrame | None = None,
    travel: tuple[np.ndarray, np.ndarray] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RotationSchedule:
    """Schedule expert outreach visits to an alliance plan's member sites (CP-SAT).

    Parameters
    ----------
    plan : AlliancePlan
        The alliances; sites are its members with residents and the leads hosted by a
        partner (``options.hosted_by``).
    graph : TravelGraph, optional
        Travel graph of ``plan.region``; needed unless ``travel`` is given. Also gives the
        lines of :attr:`RotationSchedule.routes` (straight lines without it).
    experts : pandas.DataFrame, optional
        Like :attr:`Region.experts` (``name``, ``home_facility``, ``specialty``,
        ``weekdays``, ``max_days_per_month``; optional ``dates``: available dates, overriding
        the weekdays; optional ``max_days``: outreach days in the horizon). Default: the
        region's experts. ``max_days_per_month`` becomes ``ceil(m * horizon_days / 31)``.
    options : RotationOptions, default RotationOptions()
        Horizon, start date, rhythm, visit rates, working day, clinic hours, stays,
        alliances crossed, return clocks, partners hosting leads and their rhythm, and
        objective weights.
    params : SolverParams, default SolverParams()
        Time limit (for the three solver phases together: rhythm, patient travel,
        continuity), seed, workers, determinism; handed to the solver unchanged.
    needs : pandas.DataFrame, optional
        Per-site overrides (``site``, ``specialty``, ``patients`` over the horizon).
    travel : (out, back), optional
        Precomputed :func:`~netopt.rotations.rotation_travel` arrays for (origins = the
        experts' sorted unique home facilities, sites = the need table's sites in order)
        and return clocks every ``return_step_min`` from ``workday[0]`` to ``workday[1]``.
    progress : callable, optional
        Called with a log line at every improving solution.

    Returns
    -------
    RotationSchedule

    Raises
    ------
    TypeError
        If ``options`` or ``params`` is not the right kind of object.
    DataError
        If experts or needs are malformed, ``hosted_by`` names a lead that is not a lead of
        the plan or a partner that is not a facility of it, or there is nothing to
        schedule.

    Examples
    --------
    >>> opts = RotationOptions(start_date="2026-03-02")  # doctest: +SKIP
    >>> sched = schedule_rotations(plan, graph, options=opts)  # doctest: +SKIP
    >>> validate_schedule(sched)  # doctest: +SKIP
    []
    >>> sched.shortfalls["message"].tolist()  # doctest: +SKIP
    """
    if not isinstance(options, RotationOptions):
        raise TypeError(f"options must be a RotationOptions, not {type(options).__name__}")
    if not isinstance(params, SolverParams):
        raise TypeError(f"params must be a SolverParams, not {type(params).__name__}")
    start = options.start_date or _next_monday(dt.date.today())
    options = options.replace(start_date=start)
    horizon = options.horizon_days
    experts = plan.region.experts if experts is None else experts
    hosted = _check_hosted(plan, options.hosted_by)
    ex = experts_table(plan, experts, start, horizon)
    if len(ex) == 0:
        raise DataError(Problem("experts", "", "", "no experts", "give at least one expert"))
    specialties = sorted(set(ex["specialty"]))
    offered = {p: sorted(set(ex.loc[ex["home"] == p, "specialty"])) for p in set(hosted.values())}
    for lead, partner in sorted(hosted.items()):
        if not offered[partner]:
            logger.warning("rotations: partner %s of lead %s has no experts", partner, lead)
    need_tab = site_needs(
        plan,
        specialties,
        horizon_days=horizon,
        visit_rates=options.visit_rates,
        needs=needs,
        hosted_by=hosted,
        partner_specialties=offered,
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
    w0, w1 = (int(parse_clock(t)) for t in options.workday)
    ret_at = np.arange(0.0, w1 - w0 + 1e-9, float(options.return_step_min))
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
        out, back = rotation_travel(
            graph,
            origins,
            sites,
            depart_at=options.workday[0],
            return_clocks=return_clocks(w0, ret_at),
        )
    else:
        out, back = (np.asarray(a, float) for a in travel)
    max_clinic = options.max_clinic_hours
    opts = visit_options(
        out,
        back,
        return_at_min=ret_at,
        workday_min=w1 - w0,
        min_clinic_min=60.0 * options.min_clinic_hours,
        allow_stays=options.allow_stays,
        lodging_days=options.lodging_days,
        patients_per_clinic_hour=options.patients_per_clinic_hour,
        max_clinic_min=None if max_clinic is None else 60.0 * max_clinic,
    )
    need = _need_matrix(need_tab, sites, specialties)
    tiers = dict(zip(need_tab["site"], need_tab["tier"]))
    saving = patient_saving_min(plan, sites).copy()
    for j, s in enumerate(sites):
        if tiers[s] == PARTNER_TIER:  # the trip to the partner that a county clinic saves
            o = origins.index(hosted[s]) if hosted[s] in origins else None
            saving[j] = 0.0 if o is None else partner_saving_min(out[o, [j]], back[:, o, [j]])[0]
    inst = _instance(plan, ex, sites, specialties, origins, need, options, opts, tiers, saving)
    res = solve_rotation(
        inst,
        weights=options.weights,
        cross_alliance=options.cross_alliance,
        params=params,
        progress=progress,
    )
    fac = plan.facilities
    names = plan.region.facilities["name"] if "name" in plan.region.facilities else fac["name"]
    visits = visits_frame(res, inst, ex, sites, specialties, fac, names, start, tiers)
    coverage = coverage_frame(res, inst, sites, specialties, names, need, tiers)
    short = shortfall_table(coverage, horizon)
    sched = RotationSchedule(
        visits=visits,
        coverage=coverage,
        shortfalls=short,
        patient_hours_saved=float(np.sum(res.served * inst.patient_saving_min[:, None])) / 60.0,
        status=res.status,
        objective=res.objective,
        bound=res.bound,
        gap=res.gap,
        seconds=res.seconds,
        experts=ex,
        travel=options_table(opts, origins, sites),
        settings=_settings(options, specialties),
        first_solution_s=res.first_solution_s,
        message=res.message,
        routes=route_lines(plan.region, graph, _travelled_pairs(visits, ex)),
        options=options,
        params=params,
    )
    for line in short["message"]:
        logger.warning("rotation shortfall: %s", line)
    if hosted:
        up = int((visits["tier"] == PARTNER_TIER).sum()) if len(visits) else 0
        logger.info("rotations: %d partner visits to %d hosted lead(s)", up, len(hosted))
    logger.info("rotations: %s", sched.summary())
    return sched


def _next_monday(today: dt.date) -> dt.date:
    """The first Monday after ``today`` (a week ahead if today is a Monday)."""
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def _need_matrix(need_tab: pd.DataFrame, sites: list[str], specialties: list[str]) -> np.ndarray:
    """``(S, K)`` patients needed, from the need table."""
    k_ix = {k: i for i, k in enumerate(specialties)}
    s_ix = {s: i for i, s in enumerate(sites)}
    need = np.zeros((len(sites), len(specialties)), np.int64)
    need[need_tab["site"].map(s_ix).to_numpy(), need_tab["specialty"].map(k_ix).to_numpy()] = (
        need_tab["patients"].to_numpy()
    )
    return need


def _instance(
    plan: AlliancePlan,
    ex: pd.DataFrame,
    sites: list[str],
    specialties: list[str],
    origins: list[str],
    need: np.ndarray,
    options: RotationOptions,
    opts: VisitOptions,
    tiers: dict[str, str],
    saving: np.ndarray,
) -> RotationInstance:
    """The solver's instance: experts, availability, who may visit where, need, rhythm."""
    horizon = options.horizon_days
    start = options.start_date
    lead_ix = {lead: i for i, lead in enumerate(plan.leads)}
    k_ix = {k: i for i, k in enumerate(specialties)}
    day_of = {start + dt.timedelta(days=d): d for d in range(horizon)}
    available = np.zeros((len(ex), horizon), bool)
    for i, av in enumerate(ex["available"]):
        available[i, [day_of[d] for d in av]] = True
    return RotationInstance(
        n_days=horizon,
        expert_specialty=ex["specialty"].map(k_ix).to_numpy(np.int64),
        expert_origin=ex["home"].map({o: i for i, o in enumerate(origins)}).to_numpy(np.int64),
        expert_alliance=ex["lead"].map(lead_ix).fillna(-1).to_numpy(np.int64),
        available=available,
        max_days=ex["max_days"].to_numpy(np.int64),
        site_alliance=plan.facilities.loc[sites, "lead"].map(lead_ix).fillna(-2).to_numpy(np.int64),
        need=need,
        rhythm_days=_rhythm_matrix(options, sites, specialties, tiers),
        patient_saving_min=saving,
        options=opts,
        allowed=_allowed(plan, ex, sites, options, tiers),
    )


def _check_hosted(plan: AlliancePlan, hosted_by: Mapping[str, str] | None) -> dict[str, str]:
    """``hosted_by`` checked against the plan: leads of the plan, partners among its facilities."""
    hosted = dict(hosted_by or {})
    problems = []
    for lead, partner in sorted(hosted.items()):
        if lead not in plan.leads:
            problems.append(
                Problem(
                    "RotationOptions",
                    lead,
                    "hosted_by",
                    f"{lead!r} is not a lead of the plan",
                    f"use one of the leads {list(plan.leads)}",
                )
            )
        if partner not in plan.facilities.index:
            problems.append(
                Problem(
                    "RotationOptions",
                    lead,
                    "hosted_by",
                    f"partner {partner!r} is not a facility of the region",
                    "add the partner hospital to facilities.csv or fix the id",
                )
            )
    if problems:
        raise DataError(problems)
    return hosted


def _allowed(
    plan: AlliancePlan,
    ex: pd.DataFrame,
    sites: list[str],
    options: RotationOptions,
    tiers: dict[str, str],
) -> np.ndarray:
    """``(E, S)`` which expert may visit which site, tier by tier (see the module docstring)."""
    hosted = dict(options.hosted_by or {})
    partners = set(hosted.values())
    home = ex["home"].to_numpy(object)
    lead = ex["lead"].to_numpy(object)
    fac_lead = plan.facilities["lead"]
    up = np.array([tiers[s] == PARTNER_TIER for s in sites], bool)
    site_lead = fac_lead.reindex(sites).to_numpy(object)
    host = np.array([hosted.get(s) for s in sites], object)
    is_partner = np.array([h in partners for h in home], bool)
    # a partner's expert does township visits only when the partner leads its own alliance
    county_ok = ~is_partner | np.array([h == ld for h, ld in zip(home, lead)], bool)
    same = (lead[:, None] == site_lead[None, :]) & pd.notna(lead)[:, None]
    down = county_ok[:, None] & (same | options.cross_alliance) & ~up[None, :]
    mine = home[:, None] == host[None, :]
    partner = (mine | (options.cross_alliance & is_partner[:, None])) & up[None, :]
    return down | partner


def _rhythm_matrix(
    options: RotationOptions, sites: list[str], specialties: list[str], tiers: dict[str, str]
) -> np.ndarray:
    """``(S, K)`` rhythm days: ``partner_rhythm_days`` at hosted leads, else ``rhythm_days``."""
    county = [options.rhythm_for(k) for k in specialties]
    partner = [options.partner_rhythm_for(k) for k in specialties]
    return np.array(
        [partner if tiers[s] == PARTNER_TIER else county for s in sites], np.int64
    ).reshape(len(sites), len(specialties))


def _settings(options: RotationOptions, specialties: Sequence[str]) -> dict:
    """The settings dict of a schedule (read by validation, calendars and KPIs)."""
    return {
        "start_date": options.start_date,
        "horizon_days": options.horizon_days,
        "workday": tuple(options.workday),
        "min_clinic_hours": options.min_clinic_hours,
        "max_clinic_hours": options.max_clinic_hours,
        "patients_per_clinic_hour": options.patients_per_clinic_hour,
        "allow_stays": options.allow_stays,
        "lodging_days": options.lodging_days,
        "cross_alliance": options.cross_alliance,
        "rhythm_days": {k: options.rhythm_for(k) for k in specialties},
        "hosted_by": dict(options.hosted_by or {}),
        "partner_rhythm_days": {k: options.partner_rhythm_for(k) for k in specialties},
    }


def _travelled_pairs(visits: pd.DataFrame, ex: pd.DataFrame) -> list[tuple[str, str]]:
    """Distinct (home facility, site) pairs of the visits; a home that is the site is left out."""
    if visits.empty:
        return []
    home = visits["expert"].map(ex["home"]).fillna(visits["lead"]).astype(str)
    site = visits["site"].astype(str)
    return sorted({(h, s) for h, s in zip(home, site) if h != s})
