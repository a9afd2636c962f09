"""The tables of a plan: per zone (assignments), per facility, per alliance, beyond the limit.

Capacity is always reported (from beds, :meth:`netopt.kpis.Rates.admissions_capacity`);
``AllianceOptions.capacities`` only decides whether the solver enforces it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from netopt.alliances.locate import Assignment
from netopt.alliances.members import Members, PlanData
from netopt.kpis import ASSIGNMENT_COLUMNS, Rates
from netopt.region import Region

__all__ = [
    "BEYOND_LIMIT_COLUMNS",
    "alliance_table",
    "assignments_table",
    "beyond_limit_table",
    "facility_table",
    "unreachable_table",
    "zone_table",
]

#: Columns of :attr:`AlliancePlan.beyond_limit`.
BEYOND_LIMIT_COLUMNS: tuple[str, ...] = (
    "zone",
    "lead",
    "time_min",
    "best_time_min",
    "limit_min",
    "excess_min",
)


def assignments_table(
    region: Region,
    *,
    primary: np.ndarray,
    lead_of_zone: np.ndarray,
    t_zf: np.ndarray,
    fac_ids: Sequence[str],
    lead_idx: Sequence[int],
    cand_idx: Sequence[int],
    limit_min: float | None,
    capacity_served: np.ndarray,
) -> pd.DataFrame:
    """Build the per-zone assignments table (:data:`netopt.kpis.ASSIGNMENT_COLUMNS`).

    Parameters
    ----------
    region : Region
    primary, lead_of_zone : numpy.ndarray
        Facility index (into ``fac_ids``) per zone; -1 where none.
    t_zf : numpy.ndarray
        Zone x facility one-way travel times in seconds.
    fac_ids : sequence of str
    lead_idx, cand_idx : sequence of int
        Facility indices of the chosen leads and of all lead-capable candidates.
    limit_min : float or None
        Travel-time limit to the lead, minutes.
    capacity_served : numpy.ndarray
        Share (0..1) of each zone's referrals its lead has capacity for.

    Returns
    -------
    pandas.DataFrame
        Indexed by zone id.
    """
    zones = region.zones
    n = len(zones)
    rows = np.arange(n)
    fac_ids = np.asarray(fac_ids, dtype=object)
    has_p = primary >= 0
    has_l = lead_of_zone >= 0
    t_primary = np.where(has_p, t_zf[rows, np.maximum(primary, 0)], np.inf) / 60.0
    t_lead = np.where(has_l, t_zf[rows, np.maximum(lead_of_zone, 0)], np.inf) / 60.0
    t_near_lead = (
        t_zf[:, list(lead_idx)].min(axis=1) / 60.0 if len(lead_idx) else np.full(n, np.inf)
    )
    t_cand = t_zf[:, list(cand_idx)]
    t_near_cand = t_cand.min(axis=1) / 60.0
    near_cand = np.asarray(cand_idx)[np.argmin(t_cand, axis=1)]
    in_area = _facilities_in_area(region).reindex(fac_ids).fillna(False).to_numpy(bool)
    reachable = has_p & has_l & np.isfinite(t_primary) & np.isfinite(t_lead)
    within = reachable & (t_lead <= (limit_min if limit_min is not None else np.inf) + 1e-9)
    table = pd.DataFrame(
        {
            "zone": zones.index.astype(str),
            "township": zones["township"].to_numpy(),
            "population": zones["population"].to_numpy(float),
            "island": zones["island"].to_numpy(bool),
            "island_name": zones["island_name"].to_numpy(),
            "primary": np.where(has_p, fac_ids[np.maximum(primary, 0)], None),
            "lead": np.where(has_l, fac_ids[np.maximum(lead_of_zone, 0)], None),
            "t_primary_min": t_primary,
            "t_lead_min": t_lead,
            "t_nearest_lead_min": t_near_lead,
            "t_nearest_candidate_min": t_near_cand,
            "lead_in_area": np.where(has_l, in_area[np.maximum(lead_of_zone, 0)], False),
            "nearest_candidate_in_area": in_area[near_cand] & np.isfinite(t_near_cand),
            "reachable": reachable,
            "within_limit": within,
            "capacity_served": np.where(reachable, capacity_served, 0.0),
        },
        index=pd.Index(zones.index.astype(str), name="id"),
    )
    return table[list(ASSIGNMENT_COLUMNS)]


def _facilities_in_area(region: Region) -> pd.Series:
    """True for facilities inside the planning area (within 2 km of a resident zone)."""
    zones_m = region.zones.to_crs(region.metric_crs)
    fac_m = region.facilities.to_crs(region.metric_crs)
    area = zones_m.geometry.union_all().buffer(2000)
    return pd.Series(fac_m.geometry.within(area).to_numpy(), index=region.facilities.index)


def _admission_capacity(data: PlanData, rates: Rates) -> np.ndarray:
    """Yearly admission capacity of every facility (from its beds; ``inf`` when unknown)."""
    beds = data.region.facilities["beds"].reindex(list(data.fac_ids)).to_numpy(float)
    return rates.admissions_capacity(beds)


def _capacity_served(
    data: PlanData, members: Members, assignment: Assignment, rates: Rates, lead_of_zone: np.ndarray
) -> np.ndarray:
    """Share (0..1) of each zone's referrals its lead has beds for."""
    cap_full = _admission_capacity(data, rates)
    cand_idx = data.cand_idx
    share = np.ones(len(cap_full))
    loads = pd.Series(members.loads).groupby(assignment.member_lead_col).sum()
    for col, load in loads.items():
        if col >= 0 and load > 0:
            share[cand_idx[col]] = min(1.0, cap_full[cand_idx[col]] / load)
    return np.where(lead_of_zone >= 0, share[np.maximum(lead_of_zone, 0)], 0.0)


def zone_table(
    data: PlanData,
    members: Members,
    assignment: Assignment,
    *,
    rates: Rates,
    limit_min: float | None,
) -> pd.DataFrame:
    """Return the assignments table of a solved plan (:func:`assignments_table`)."""
    lead_of_zone = assignment.lead_of_zone(data, members)
    return assignments_table(
        data.region,
        primary=data.primary,
        lead_of_zone=lead_of_zone,
        t_zf=data.t_zf,
        fac_ids=data.fac_ids,
        lead_idx=assignment.lead_idx(data),
        cand_idx=data.cand_idx,
        limit_min=limit_min,
        capacity_served=_capacity_served(data, members, assignment, rates, lead_of_zone),
    )


def facility_table(
    data: PlanData, members: Members, assignment: Assignment, table: pd.DataFrame, rates: Rates
) -> pd.DataFrame:
    """Per-facility table: its lead, population served as primary, referrals, mean travel."""
    fac_ids = list(data.fac_ids)
    lead_ids = assignment.lead_ids(data)
    lead_of = pd.Series(None, index=fac_ids, dtype=object)
    for k, m in enumerate(members.index):
        col = assignment.member_lead_col[k]
        if col >= 0:
            lead_of.iloc[m] = fac_ids[data.cand_idx[col]]
    ok = table[table["reachable"]]
    pop_by = ok.groupby("primary")["population"].sum()
    tw = (ok["population"] * ok["t_primary_min"]).groupby(ok["primary"]).sum()
    fac = data.region.facilities
    return pd.DataFrame(
        {
            "name": fac["name"].reindex(fac_ids).to_numpy(),
            "tier": fac["tier"].reindex(fac_ids).to_numpy(),
            "lead": lead_of.to_numpy(),
            "is_lead": np.isin(np.asarray(fac_ids, dtype=object), list(lead_ids)),
            "population": pop_by.reindex(fac_ids).fillna(0.0).to_numpy(),
            "referrals_per_year": (
                pop_by.reindex(fac_ids).fillna(0.0) * rates.referrals_per_year
            ).to_numpy(),
            "mean_travel_min": (tw / pop_by).reindex(fac_ids).to_numpy(),
        },
        index=pd.Index(fac_ids, name="id"),
    )


def alliance_table(
    data: PlanData, facilities: pd.DataFrame, lead_ids: Sequence[str], rates: Rates
) -> pd.DataFrame:
    """Per-alliance table: members, population, referral load vs capacity."""
    leads = list(lead_ids)
    cap = pd.Series(_admission_capacity(data, rates), index=list(data.fac_ids))
    grouped = facilities.groupby("lead")
    out = pd.DataFrame(
        {
            "name": data.region.facilities["name"].reindex(leads).to_numpy(),
            "members": grouped.size().reindex(leads).fillna(0).astype(int).to_numpy(),
            "population": grouped["population"].sum().reindex(leads).fillna(0.0).to_numpy(),
            "referral_load": grouped["referrals_per_year"]
            .sum()
            .reindex(leads)
            .fillna(0.0)
            .to_numpy(),
            "referral_capacity": cap.reindex(leads).to_numpy(),
        },
        index=pd.Index(leads, name="lead"),
    )
    out["utilisation"] = out["referral_load"] / out["referral_capacity"]
    return out


def beyond_limit_table(table: pd.DataFrame, max_travel_min: float | None) -> pd.DataFrame:
    """Zones beyond the travel limit to their lead, with the best possible time and excess."""
    columns = list(BEYOND_LIMIT_COLUMNS)
    if max_travel_min is None:
        return pd.DataFrame(columns=columns)
    miss = table[table["reachable"] & ~table["within_limit"]]
    return pd.DataFrame(
        {
            "zone": miss.index,
            "lead": miss["lead"].to_numpy(),
            "time_min": miss["t_lead_min"].to_numpy(),
            "best_time_min": miss["t_nearest_candidate_min"].to_numpy(),
            "limit_min": float(max_travel_min),
            "excess_min": (miss["t_lead_min"] - max_travel_min).to_numpy(),
        }
    )[columns]


def unreachable_table(data: PlanData) -> pd.DataFrame:
    """Zones that reach no lead-capable hospital or no primary facility (left out of the model)."""
    out = ~data.reachable
    zones = data.region.zones
    return pd.DataFrame(
        {
            "zone": zones.index.astype(str)[out],
            "island_name": zones["island_name"].to_numpy()[out],
            "population": data.pop[out],
        }
    )
