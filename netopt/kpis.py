"""Key performance indicators of an alliance plan and a rotation schedule, each defined once.

Every KPI is computed from one table with a row per resident zone (the ``assignments`` table
that ``netopt run`` writes as ``assignments.csv``), so the numbers in ``kpis.json`` can be
recomputed by anyone from that file. Times are one-way travel times in minutes; patient-hours
count the round trip. Population-weighted statistics use the zone population as weight.

Columns of the assignments table (see :data:`ASSIGNMENT_COLUMNS`):

``zone``, ``population``, ``island`` (bool), ``primary`` (facility id), ``lead`` (facility id
of the zone's alliance lead, empty if unreachable), ``t_primary_min``, ``t_lead_min``,
``t_nearest_lead_min`` (to the nearest chosen lead), ``t_nearest_candidate_min`` (to the
nearest lead-capable hospital, the naive baseline), ``lead_in_area`` (bool: the lead lies
inside the planning area), ``nearest_candidate_in_area`` (bool: so does that nearest
lead-capable hospital), ``reachable`` (bool), ``within_limit`` (bool: the lead is within the
travel-time limit), ``capacity_served`` (share of the zone's referrals the lead has capacity
for, 0..1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "KPI_DEFINITIONS",
    "Rates",
    "baseline_kpis",
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
    "within_limit",
    "capacity_served",
)


@dataclass(frozen=True)
class Rates:
    """Yearly visit rates per resident used to weight travel.

    Parameters
    ----------
    primary_visits_per_year : float
        Visits per resident per year at the primary (grassroots) facility. Default 3.2:
        China 2019, 4.53 billion visits to grassroots institutions for 1.40 billion people
        (National Health Commission, *Statistical Bulletin on the Development of Health
        Care 2019*).
    referrals_per_year : float
        Referrals per resident per year that go to the alliance's lead hospital. Default
        0.152: the 2019 inpatient admission rate of 19.0 % (same bulletin) times the
        hospitals' 80 % share of admissions (211.8 of 266.0 million).
    bed_occupancy : float
        Target bed occupancy used to turn beds into yearly admission capacity (default 0.85).
    length_of_stay_days : float
        Mean hospital length of stay (default 9.1 days, hospitals in 2019, same bulletin).
    """

    primary_visits_per_year: float = 3.2
    referrals_per_year: float = 0.152
    bed_occupancy: float = 0.85
    length_of_stay_days: float = 9.1

    def __post_init__(self) -> None:
        for name in ("primary_visits_per_year", "referrals_per_year", "length_of_stay_days"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"Rates.{name} must be a finite number >= 0, got {value!r}")
        if not 0 < self.bed_occupancy <= 1:
            raise ValueError(f"Rates.bed_occupancy must be in (0, 1], got {self.bed_occupancy!r}")

    def admissions_capacity(self, beds: np.ndarray | float) -> np.ndarray:
        """Return the yearly admission capacity of hospitals with ``beds`` beds.

        ``beds x 365 x bed_occupancy / length_of_stay_days``; NaN beds give ``inf``
        (unknown capacity is not constrained).

        Parameters
        ----------
        beds : array-like of float

        Returns
        -------
        numpy.ndarray
        """
        beds = np.asarray(beds, dtype=float)
        cap = beds * 365.0 * self.bed_occupancy / self.length_of_stay_days
        return np.where(np.isnan(cap), np.inf, cap)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rates:
        """Build rates from a mapping (e.g. a scenario's ``[model.rates]`` table).

        Parameters
        ----------
        data : mapping
            Keys are the field names of this class.

        Returns
        -------
        Rates
        """
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(
                f"unknown rate(s) {sorted(unknown)}; valid: {sorted(cls.__dataclass_fields__)}"
            )
        return cls(**{k: float(v) for k, v in data.items()})


#: KPI key -> (label, unit, definition). The definitions are the documentation.
KPI_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "population": ("Population", "people", "sum of zone populations"),
    "population_unreachable": (
        "Population that cannot reach any lead",
        "people",
        "population of zones with no path to any chosen lead (e.g. ferries closed)",
    ),
    "mean_primary_min": (
        "Mean travel time to primary facility",
        "min",
        "population-weighted mean of t_primary_min over reachable zones",
    ),
    "p90_primary_min": (
        "90th percentile travel time to primary facility",
        "min",
        "population-weighted 90th percentile of t_primary_min over reachable zones",
    ),
    "mean_lead_min": (
        "Mean travel time to the alliance lead",
        "min",
        "population-weighted mean of t_lead_min over reachable zones",
    ),
    "p90_lead_min": (
        "90th percentile travel time to the alliance lead",
        "min",
        "population-weighted 90th percentile of t_lead_min over reachable zones",
    ),
    "max_lead_min": (
        "Longest travel time to the lead",
        "min",
        "max of t_lead_min over reachable zones",
    ),
    "share_lead_30min": (
        "Population within 30 min of its lead",
        "share",
        "population with t_lead_min <= 30 / total population",
    ),
    "share_lead_60min": (
        "Population within 60 min of its lead",
        "share",
        "population with t_lead_min <= 60 / total population",
    ),
    "share_any_lead_60min": (
        "Population within 60 min of any lead",
        "share",
        "population with t_nearest_lead_min <= 60 / total population",
    ),
    "patient_hours_per_year": (
        "Patient-hours travelled per year",
        "h/year",
        (
            "sum of population x (primary_visits_per_year x 2 t_primary_min + referrals_per_year x "
            "2 t_lead_min) / 60, round trips, reachable zones"
        ),
    ),
    "in_area_share": (
        "Care reachable inside the county",
        "share",
        (
            "visits at facilities inside the planning area / all visits: primary visits count as "
            "inside, referrals count as inside when the lead lies inside the area (target 0.90)"
        ),
    ),
    "grassroots_share": (
        "Care at grassroots level",
        "share",
        (
            "(primary visits + specialist visits held by rotating experts at members) / all visits "
            "(target 0.65)"
        ),
    ),
    "population_served": (
        "Served within the limits",
        "people",
        "population reachable, within the travel limit, and with lead capacity for its referrals",
    ),
    "population_unserved_capacity": (
        "Unserved for lack of capacity",
        "people",
        "population x (1 - capacity_served): referrals beyond the lead's capacity, in people",
    ),
    "population_not_covered": (
        "Not covered within the travel limit",
        "people",
        "population of zones beyond the travel-time limit to their lead, or unreachable",
    ),
    "mean_lead_min_island": (
        "Island residents: mean travel time to the lead",
        "min",
        "mean_lead_min over island zones",
    ),
    "share_lead_60min_island": (
        "Island residents within 60 min of their lead",
        "share",
        "share_lead_60min over island zones",
    ),
    "mean_primary_min_island": (
        "Island residents: mean travel time to primary facility",
        "min",
        "mean_primary_min over island zones",
    ),
    "patient_hours_per_year_island": (
        "Island residents: patient-hours per year",
        "h/year",
        "patient_hours_per_year over island zones",
    ),
    "expert_days": (
        "Expert outreach days",
        "days",
        "visits in the rotation schedule, in expert-days",
    ),
    "patients_seen_locally": (
        "Patients seen locally by visiting experts",
        "patients",
        "sum of expected_patients over the schedule's visits, per horizon",
    ),
    "patient_hours_saved": (
        "Patient-hours saved by rotation",
        "h/period",
        "patients seen locally by visiting experts x their round trip to the lead, per horizon",
    ),
}


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
    return float((values * weights).sum() / total) if total > 0 else float("nan")


def _travel_kpis(frame: pd.DataFrame, rates: Rates) -> dict[str, float]:
    """Travel KPIs of a set of zones (all zones, or the island ones)."""
    pop_total = float(frame["population"].sum())
    ok = frame[frame["reachable"].astype(bool)]
    w = ok["population"]
    hours = (
        ok["population"]
        * (
            rates.primary_visits_per_year * 2 * ok["t_primary_min"]
            + rates.referrals_per_year * 2 * ok["t_lead_min"]
        )
        / 60.0
    ).sum()
    share = lambda mask: float(ok.loc[mask, "population"].sum() / pop_total) if pop_total else 0.0
    return {
        "mean_primary_min": _weighted_mean(ok["t_primary_min"], w),
        "p90_primary_min": weighted_quantile(ok["t_primary_min"], w, 0.9),
        "mean_lead_min": _weighted_mean(ok["t_lead_min"], w),
        "p90_lead_min": weighted_quantile(ok["t_lead_min"], w, 0.9),
        "max_lead_min": float(ok["t_lead_min"].max()) if len(ok) else float("nan"),
        "share_lead_30min": share(ok["t_lead_min"] <= 30),
        "share_lead_60min": share(ok["t_lead_min"] <= 60),
        "share_any_lead_60min": share(ok["t_nearest_lead_min"] <= 60),
        "patient_hours_per_year": float(hours),
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
        ``population_served`` (reachable, within the travel limit, capacity for its
        referrals), ``population_unserved_capacity`` (the share of population whose
        referrals exceed the lead's capacity), ``population_not_covered`` (beyond the travel
        limit or unreachable). The three add up to the total population.
    """
    pop = assignments["population"].astype(float)
    covered = assignments["reachable"].astype(bool) & assignments["within_limit"].astype(bool)
    served_share = assignments["capacity_served"].astype(float).clip(0, 1)
    return {
        "population_served": float((pop * served_share)[covered].sum()),
        "population_unserved_capacity": float((pop * (1 - served_share))[covered].sum()),
        "population_not_covered": float(pop[~covered].sum()),
    }


def zone_kpis(
    assignments: pd.DataFrame,
    rates: Rates = Rates(),
    *,
    local_specialist_visits: float = 0.0,
) -> dict[str, float]:
    """Compute every plan KPI from the per-zone assignments table.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per zone with the columns in :data:`ASSIGNMENT_COLUMNS`.
    rates : Rates
        Visit rates (see :class:`Rates`).
    local_specialist_visits : float, optional
        Patient visits per year held locally by rotating experts (moves referral visits to
        grassroots level in ``grassroots_share``).

    Returns
    -------
    dict
        KPI key -> value, keys as in :data:`KPI_DEFINITIONS` (rotation KPIs excluded).
    """
    a = assignments
    pop_total = float(a["population"].sum())
    reachable = a["reachable"].astype(bool)
    out: dict[str, float] = {
        "population": pop_total,
        "population_unreachable": float(a.loc[~reachable, "population"].sum()),
    }
    out.update(_travel_kpis(a, rates))
    primary_visits = pop_total * rates.primary_visits_per_year
    referrals = pop_total * rates.referrals_per_year
    in_area_refs = float(a.loc[reachable & a["lead_in_area"].astype(bool), "population"].sum())
    total_visits = primary_visits + referrals
    out["in_area_share"] = (
        (primary_visits + in_area_refs * rates.referrals_per_year) / total_visits
        if total_visits
        else 0.0
    )
    local = min(local_specialist_visits, referrals)
    out["grassroots_share"] = (primary_visits + local) / total_visits if total_visits else 0.0
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
        travel limit or capacity applies.

    Returns
    -------
    dict
        Same keys as :func:`zone_kpis`.
    """
    naive = assignments.copy()
    naive["t_lead_min"] = naive["t_nearest_candidate_min"]
    naive["t_nearest_lead_min"] = naive["t_nearest_candidate_min"]
    naive["lead_in_area"] = naive["nearest_candidate_in_area"]
    naive["reachable"] = np.isfinite(naive["t_nearest_candidate_min"].astype(float)) & np.isfinite(
        naive["t_primary_min"].astype(float)
    )
    naive["within_limit"] = True
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
