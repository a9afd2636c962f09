"""KPIs computed from patient flows: where care happens, by care level, under patient choice.

A plan carries its choice set (:class:`netopt.flows.ChoiceSet`: every facility a resident can
reach, with travel times on the network as run, the alliance lead of each zone and the
upgraded centres), its demand rates and its choice parameters. The rotation schedule adds
visiting-expert presence (expert-days per year at each site), which makes a township centre
an *expert clinic* for hospital-level outpatient care. The flows follow from the choice model;
the county-community indicators follow from the flows (:meth:`netopt.flows.Flows.kpis`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from netopt.flows import (
    Flows,
    patient_flows,
    zone_demand,
)

__all__ = ["expert_days_per_year", "flow_kpis", "plan_flows"]


def expert_days_per_year(schedule: Any, facility_ids: tuple[str, ...]) -> np.ndarray:
    """Expert-days per year at each facility in a rotation schedule.

    Parameters
    ----------
    schedule : netopt.rotations.RotationSchedule or None
        Uses ``visits["site"]`` (one row per expert-day at a site) and
        ``settings["horizon_days"]``.
    facility_ids : tuple of str
        The facility order of the result.

    Returns
    -------
    numpy.ndarray
        Shape ``(F,)``; zeros without a schedule.
    """
    days = np.zeros(len(facility_ids))
    if schedule is None or len(schedule.visits) == 0:
        return days
    horizon = float(schedule.settings.get("horizon_days") or 0)
    if horizon <= 0:
        return days
    pos = {f: i for i, f in enumerate(facility_ids)}
    counts = schedule.visits["site"].astype(str).value_counts()
    for site, n in counts.items():
        if site in pos:
            days[pos[site]] += float(n) * 365.0 / horizon
    return days


def plan_flows(plan: Any, schedule: Any = None) -> Flows | None:
    """The patient flows of a plan and its rotation schedule.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``plan.choice`` (None: no flows), ``plan.demand`` and ``plan.choice_params``.
    schedule : netopt.rotations.RotationSchedule, optional
        Adds its visiting-expert days to the choice set.

    Returns
    -------
    netopt.flows.Flows or None
        None when the plan has no choice set.
    """
    choice = getattr(plan, "choice", None)
    if choice is None:
        return None
    if schedule is not None:
        extra = expert_days_per_year(schedule, choice.facility_ids)
        choice = choice.with_experts(choice.expert_days + extra)
    pop = plan.zones["population"].to_numpy(float)
    return patient_flows(choice, zone_demand(pop, plan.demand), plan.choice_params)


def _timely_share(flows: Flows, mask: np.ndarray | None = None) -> float:
    """Share of the demand whose nearest facility able to give its level of care lies within
    the level's window (:data:`netopt.flows.ACCESS_WINDOWS_MIN`): an access measure, so worse
    travel never raises it."""
    timely = flows.timely()
    demand = flows.demand
    if mask is not None:
        timely, demand = timely[mask], demand[mask]
    total = float(demand.sum())
    return float((demand * timely).sum() / total) if total > 0 else float("nan")


def flow_kpis(flows: Flows, island: np.ndarray) -> dict[str, float]:
    """The flow KPIs of a plan: every visit of every resident counts.

    Parameters
    ----------
    flows : netopt.flows.Flows
    island : numpy.ndarray of bool
        Island zones (for the ``*_island`` KPIs).

    Returns
    -------
    dict
        ``in_area_share``, ``grassroots_share``, ``transfers_out_per_year``,
        ``flow_patient_hours_per_year``, ``visits_per_year``, ``share_timely_care``, and
        ``grassroots_share_island``, ``share_timely_care_island`` (NaN without islands).
    """
    out = dict(flows.kpis())
    out["share_timely_care"] = _timely_share(flows)
    island = np.asarray(island, dtype=bool)
    if island.any():
        out["grassroots_share_island"] = float(flows.kpis(zones=island)["grassroots_share"])
        out["share_timely_care_island"] = _timely_share(flows, island)
    else:
        out["grassroots_share_island"] = float("nan")
        out["share_timely_care_island"] = float("nan")
    return out
