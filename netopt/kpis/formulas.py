"""KPI formulas on the per-zone assignments table, and :func:`plan_kpis`, the one KPI function.

See the package docstring for the columns of the assignments table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from netopt.kpis.flow_kpis import flow_kpis, plan_flows
from netopt.kpis.rates import Rates

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "baseline_kpis",
    "local_visits_per_year",
    "plan_kpis",
    "population_counts",
    "rotation_kpis",
    "weighted_quantile",
    "zone_kpis",
]

#: Columns of the per-zone assignments table, in the order written to ``assignments.csv``.
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "zone",
    "township",
    "population",
    "island",
    "island_name",
    "primary",
    "lead",
    "t_primary_min",
    "t_lead_min",
    "t_nearest_lead_min",
    "t_nearest_candidate_min",
    "lead_in_area",
    "nearest_candidate_in_area",
    "reachable",
    "cut_off",
    "within_limit",
    "capacity_served",
)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the weighted ``q``-quantile (lower, no interpolation) of ``values``.

    Parameters
    ----------
    values, weights : numpy.ndarray
        Same length; weights >= 0.
    q : float
        Quantile in [0, 1].

    Returns
    -------
    float
        NaN when the total weight is 0.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    k = int(np.searchsorted(cum, q * cum[-1], side="left"))
    return float(values[order][min(k, len(values) - 1)])


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    total = float(weights.sum())
    if total <= 0:
        return float("nan")
    return float(np.where(weights > 0, values * weights, 0.0).sum() / total)


def _travel_kpis(frame: pd.DataFrame, rates: Rates) -> dict[str, float]:
    """Travel KPIs of a set of zones (all zones, or the island ones): every resident counts.

    Cut-off zones count with their times, which include the wait until the closed crossing
    reopens; no zone is left out of a mean, a percentile, a share or the patient-hours.
    """
    pop = frame["population"].astype(float)
    pop_total = float(pop.sum())
    t_primary = frame["t_primary_min"].astype(float)
    t_lead = frame["t_lead_min"].astype(float)
    trips = rates.primary_visits_per_year * 2 * t_primary + rates.referrals_per_year * 2 * t_lead
    hours = float(np.where(pop > 0, pop * trips, 0.0).sum() / 60.0)
    lived = pop > 0

    def share(mask: pd.Series) -> float:
        return float(pop[mask].sum() / pop_total) if pop_total else 0.0

    return {
        "mean_primary_min": _weighted_mean(t_primary, pop),
        "p90_primary_min": weighted_quantile(t_primary, pop, 0.9),
        "mean_lead_min": _weighted_mean(t_lead, pop),
        "p90_lead_min": weighted_quantile(t_lead, pop, 0.9),
        "max_lead_min": float(t_lead[lived].max()) if lived.any() else float("nan"),
        "share_lead_30min": share(t_lead <= 30),
        "share_lead_60min": share(t_lead <= 60),
        "share_any_lead_60min": share(frame["t_nearest_lead_min"].astype(float) <= 60),
        "patient_hours_per_year": hours,
    }


def population_counts(assignments: pd.DataFrame) -> dict[str, float]:
    """Return the three population counts planners ask for.

    Parameters
    ----------
    assignments : pandas.DataFrame
        The per-zone table (module docstring).

    Returns
    -------
    dict
        ``population_served`` (not cut off, within the travel limit, and capacity for its
        referrals), ``population_unserved_capacity`` (the people whose referrals exceed the
        lead's capacity, wherever they live: a property of the plan, not of the network),
        ``population_not_covered`` (the rest: capacity for them, but beyond the travel limit
        or cut off). The three add up to the total population, and worse access only moves
        people from served to not covered.
    """
    pop = assignments["population"].astype(float)
    covered = assignments["reachable"].astype(bool) & assignments["within_limit"].astype(bool)
    served_share = assignments["capacity_served"].astype(float).clip(0, 1)
    return {
        "population_served": float((pop * served_share)[covered].sum()),
        "population_unserved_capacity": float((pop * (1 - served_share)).sum()),
        "population_not_covered": float((pop * served_share)[~covered].sum()),
    }


def zone_kpis(assignments: pd.DataFrame, rates: Rates = Rates()) -> dict[str, float]:
    """Compute every plan KPI from the per-zone assignments table.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per zone with the columns in :data:`ASSIGNMENT_COLUMNS`.
    rates : Rates
        Visit rates (see :class:`Rates`).

    Returns
    -------
    dict
        KPI key -> value, keys as in :data:`~netopt.kpis.KPIS`, except the rotation KPIs and
        the flow KPIs (:func:`netopt.kpis.flow_kpis`: they need the choice set).
    """
    a = assignments
    pop_total = float(a["population"].sum())
    cut_off = a["cut_off"].astype(bool)
    out: dict[str, float] = {
        "population": pop_total,
        "population_cut_off": float(a.loc[cut_off, "population"].sum()),
    }
    out.update(_travel_kpis(a, rates))
    out.update(population_counts(a))
    island = a[a["island"].astype(bool)]
    island_kpis = _travel_kpis(island, rates) if len(island) else {}
    for key in ("mean_lead_min", "share_lead_60min", "mean_primary_min", "patient_hours_per_year"):
        out[f"{key}_island"] = island_kpis.get(key, float("nan"))
    return out


def baseline_kpis(assignments: pd.DataFrame, rates: Rates = Rates()) -> dict[str, float]:
    """KPIs of the naive baseline: everyone referred to the nearest lead-capable hospital.

    Parameters
    ----------
    assignments : pandas.DataFrame
        The per-zone table; ``t_nearest_candidate_min`` replaces ``t_lead_min``, and no
        travel limit or capacity applies. Cut-off zones stay cut off (not covered) and
        count with their times, as in the plan.

    Returns
    -------
    dict
        Same keys as :func:`zone_kpis`.
    """
    naive = assignments.copy()
    naive["t_lead_min"] = naive["t_nearest_candidate_min"]
    naive["t_nearest_lead_min"] = naive["t_nearest_candidate_min"]
    naive["lead_in_area"] = naive["nearest_candidate_in_area"]
    naive["within_limit"] = naive["reachable"].astype(bool)
    naive["capacity_served"] = 1.0
    return zone_kpis(naive, rates)


def rotation_kpis(visits: pd.DataFrame, *, patient_hours_saved: float) -> dict[str, float]:
    """KPIs of an expert rotation schedule.

    Parameters
    ----------
    visits : pandas.DataFrame
        One row per expert visit (a RotationSchedule's ``visits``), with ``expected_patients``
        and ``lodging_days``.
    patient_hours_saved : float
        Patient-hours saved against no rotation, as computed by the scheduler.

    Returns
    -------
    dict
        ``expert_days`` (visit days plus lodging days), ``patients_seen_locally``,
        ``patient_hours_saved``.
    """
    lodging = visits["lodging_days"].sum() if "lodging_days" in visits else 0
    return {
        "expert_days": float(len(visits) + lodging),
        "patients_seen_locally": float(visits["expected_patients"].sum()) if len(visits) else 0.0,
        "patient_hours_saved": float(patient_hours_saved),
    }


def local_visits_per_year(schedule: Any) -> float:
    """Patients seen locally by visiting experts, scaled from the schedule's horizon to a year.

    Parameters
    ----------
    schedule : netopt.rotations.RotationSchedule or None
        Uses ``visits["expected_patients"]`` and ``settings["horizon_days"]``.

    Returns
    -------
    float
        0 without a schedule or visits.
    """
    if schedule is None or len(schedule.visits) == 0:
        return 0.0
    horizon = float(schedule.settings.get("horizon_days") or 0)
    if horizon <= 0:
        return 0.0
    return float(schedule.visits["expected_patients"].sum()) * 365.0 / horizon


def plan_kpis(plan: Any, schedule: Any = None, *, flows: Any = None) -> dict[str, float]:
    """Compute every KPI of an alliance plan (and its rotation schedule): the one KPI function.

    The planner calls it for ``AlliancePlan.kpis`` and the scenario runner for
    ``Result.kpis``; the runner adds only the figures of its later steps (hosting, costs,
    diagnosis: :func:`netopt.scenario.extra_steps.extra_kpis`).

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``plan.zones`` (the assignments table), ``plan.rates`` and, for the flow KPIs,
        ``plan.choice``, ``plan.demand`` and ``plan.choice_params``
        (:func:`~netopt.kpis.flow_kpis.plan_flows`).
    schedule : netopt.rotations.RotationSchedule, optional
        Adds the rotation KPIs (:func:`rotation_kpis`), and its visiting experts to the
        choice set: their clinics take hospital-level outpatient visits at township centres,
        which raises ``grassroots_share``.
    flows : netopt.flows.Flows, optional
        The flows to take the flow KPIs from, when the caller changed them (the scenario
        runner passes the flows after hosting); default :func:`plan_flows` of the plan and
        schedule.

    Returns
    -------
    dict
        KPI key -> value, keys as in :data:`KPIS`.
    """
    out = zone_kpis(plan.zones, plan.rates)
    if flows is None:
        flows = plan_flows(plan, schedule)
    if flows is not None:
        out.update(flow_kpis(flows, plan.zones["island"].to_numpy(bool)))
    if schedule is not None:
        out.update(rotation_kpis(schedule.visits, patient_hours_saved=schedule.patient_hours_saved))
    return out
