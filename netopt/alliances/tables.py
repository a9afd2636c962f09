"""The tables of a plan: per zone (assignments), per facility, per alliance, beyond the limit.

Capacity is always reported (from beds, :meth:`netopt.kpis.Rates.admissions_capacity`);
``AllianceOptions.capacities`` only decides whether the solver enforces it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from netopt._errors import Problem
from netopt.alliances.area import facilities_in_area
from netopt.alliances.capacity import lead_loads
from netopt.alliances.locate import Assignment
from netopt.alliances.members import Members, PlanData
from netopt.kpis import ASSIGNMENT_COLUMNS, Rates
from netopt.region import Region

__all__ = [
    "BEYOND_LIMIT_COLUMNS",
    "CUT_OFF_COLUMNS",
    "alliance_table",
    "assignments_table",
    "beyond_limit_table",
    "cut_off_by_place",
    "cut_off_table",
    "facility_table",
    "primary_travel",
    "unconnected_problems",
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
    open_zf: np.ndarray | None = None,
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
    open_zf : numpy.ndarray, optional
        The same times on the network as it runs now (closed crossings dropped; see
        :func:`~netopt.alliances.travel.open_times`); a zone whose primary or lead trip is
        finite in ``t_zf`` but not here is ``cut_off``. Default: ``t_zf`` (nobody cut off).

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
    in_area = facilities_in_area(region).reindex(fac_ids).fillna(False).to_numpy(bool)
    now = t_zf if open_zf is None else open_zf
    t_primary_now = np.where(has_p, now[rows, np.maximum(primary, 0)], np.inf)
    t_lead_now = np.where(has_l, now[rows, np.maximum(lead_of_zone, 0)], np.inf)
    finite = has_p & has_l & np.isfinite(t_primary) & np.isfinite(t_lead)
    reachable = finite & np.isfinite(t_primary_now) & np.isfinite(t_lead_now)
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
            "cut_off": finite & ~reachable,
            "within_limit": within,
            "capacity_served": np.where(finite, capacity_served, 0.0),
        },
        index=pd.Index(zones.index.astype(str), name="id"),
    )
    return table[list(ASSIGNMENT_COLUMNS)]


def _admission_capacity(data: PlanData, rates: Rates) -> np.ndarray:
    """Yearly admission capacity of every facility (from its beds; ``inf`` when unknown)."""
    beds = data.region.facilities["beds"].reindex(list(data.fac_ids)).to_numpy(float)
    return rates.admissions_capacity(beds)


def _capacity_served(
    data: PlanData, members: Members, assignment: Assignment, rates: Rates, lead_of_zone: np.ndarray
) -> np.ndarray:
    """Share (0..1) of each zone's referrals its lead has beds for: ``min(1, capacity /
    load)``, the load counting every member assigned to the lead with all its residents
    (:func:`~netopt.alliances.capacity.lead_loads`), so worse access never raises it."""
    cap_full = _admission_capacity(data, rates)
    share = np.ones(len(cap_full))
    load, _ = lead_loads(data, members, assignment)
    for col, value in zip(assignment.lead_cols, load):
        if value > 0:
            share[data.cand_idx[col]] = min(1.0, cap_full[data.cand_idx[col]] / value)
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
        open_zf=data.open_zf,
    )


def primary_travel(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Residents per primary facility and their mean one-way time to it.

    Parameters
    ----------
    table : pandas.DataFrame
        The assignments table; every zone counts, cut-off ones with their reopening times.

    Returns
    -------
    population, mean_travel_min : pandas.Series
        Indexed by primary facility id (NaN mean where no resident lives).
    """
    pop = table.groupby("primary")["population"].sum()
    weighted = (table["population"] * table["t_primary_min"]).groupby(table["primary"]).sum()
    return pop, weighted / pop


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
    pop_by, mean_travel = primary_travel(table)
    fac = data.region.facilities
    return pd.DataFrame(
        {
            "name": fac["name"].reindex(fac_ids).to_numpy(),
            "tier": fac["tier"].reindex(fac_ids).to_numpy(),
            "lead": lead_of.to_numpy(),
            "is_lead": np.isin(np.asarray(fac_ids, dtype=object), list(lead_ids)),
            # False: outside the planning area, a referral partner (netopt.alliances.area)
            "in_area": facilities_in_area(data.region).reindex(fac_ids).to_numpy(bool),
            "population": pop_by.reindex(fac_ids).fillna(0.0).to_numpy(),
            "referrals_per_year": (
                pop_by.reindex(fac_ids).fillna(0.0) * rates.referrals_per_year
            ).to_numpy(),
            "mean_travel_min": mean_travel.reindex(fac_ids).to_numpy(),
        },
        index=pd.Index(fac_ids, name="id"),
    )


def alliance_table(
    data: PlanData,
    facilities: pd.DataFrame,
    lead_ids: Sequence[str],
    rates: Rates,
    *,
    members: Members | None = None,
    assignment: Assignment | None = None,
) -> pd.DataFrame:
    """Per-alliance table: members, population, referral load against capacity, overflow.

    With ``members`` and ``assignment`` the population and the load count every member
    assigned to the lead with all its residents (:func:`~netopt.alliances.capacity.lead_loads`,
    the solver's loads); without them they are summed from ``facilities``.

    Returns
    -------
    pandas.DataFrame
        Index lead id; ``name``, ``members``, ``population``, ``referral_load`` (referrals
        per year), ``beds``, ``referral_capacity`` (admissions per year from the beds,
        ``inf`` when unknown), ``overflow`` (``max(0, load - capacity)``) and
        ``utilisation`` (load / capacity).
    """
    leads = list(lead_ids)
    cap = pd.Series(_admission_capacity(data, rates), index=list(data.fac_ids))
    grouped = facilities.groupby("lead")
    if members is not None and assignment is not None:
        load, pop = lead_loads(data, members, assignment)
    else:
        load = grouped["referrals_per_year"].sum().reindex(leads).fillna(0.0).to_numpy()
        pop = grouped["population"].sum().reindex(leads).fillna(0.0).to_numpy()
    capacity = cap.reindex(leads).to_numpy(float)
    fac = data.region.facilities
    out = pd.DataFrame(
        {
            "name": fac["name"].reindex(leads).to_numpy(),
            "members": grouped.size().reindex(leads).fillna(0).astype(int).to_numpy(),
            "population": pop,
            "referral_load": load,
            "beds": fac["beds"].reindex(leads).to_numpy(float),
            "referral_capacity": capacity,
            "overflow": np.where(np.isfinite(capacity), np.maximum(load - capacity, 0.0), 0.0),
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


#: Columns of :attr:`AlliancePlan.cut_off`.
CUT_OFF_COLUMNS: tuple[str, ...] = (
    "zone",
    "island_name",
    "township",
    "population",
    "primary",
    "lead",
    "t_primary_min",
    "t_lead_min",
)


def cut_off_table(table: pd.DataFrame) -> pd.DataFrame:
    """Zones cut off from their primary facility or lead until a closed crossing reopens.

    Parameters
    ----------
    table : pandas.DataFrame
        The assignments table (:func:`assignments_table`).

    Returns
    -------
    pandas.DataFrame
        One row per cut-off zone (:data:`CUT_OFF_COLUMNS`); its times include the wait until
        the crossing runs again, and it counts in every KPI with them.
    """
    cut = table[table["cut_off"].astype(bool)]
    return cut.reset_index(drop=True).reindex(columns=list(CUT_OFF_COLUMNS))


def cut_off_by_place(cut_off: pd.DataFrame) -> pd.DataFrame:
    """Cut-off residents by island and township (the list a planner reads).

    Parameters
    ----------
    cut_off : pandas.DataFrame
        :attr:`AlliancePlan.cut_off`.

    Returns
    -------
    pandas.DataFrame
        Columns ``island_name`` ("mainland" for mainland zones), ``township``, ``zones``,
        ``population``, ``mean_lead_min`` (population-weighted, with the wait), largest
        population first.
    """
    columns = ["island_name", "township", "zones", "population", "mean_lead_min"]
    if len(cut_off) == 0:
        return pd.DataFrame(columns=columns)
    frame = cut_off.assign(
        island_name=cut_off["island_name"].fillna("mainland"),
        township=cut_off["township"].fillna(""),
        weighted=cut_off["population"] * cut_off["t_lead_min"],
    )
    grouped = frame.groupby(["island_name", "township"], sort=False)
    out = grouped.agg(
        zones=("zone", "size"), population=("population", "sum"), weighted=("weighted", "sum")
    ).reset_index()
    pop = out["population"].where(out["population"] > 0)
    out["mean_lead_min"] = out["weighted"] / pop
    out = out.sort_values(["population", "island_name", "township"], ascending=[False, True, True])
    return out[columns].reset_index(drop=True)


def unconnected_problems(data: PlanData) -> list[Problem]:
    """Problems for resident zones that no time can be given for, even after reopening.

    A zone with residents that reaches no lead-capable hospital or no primary facility on
    the whole network (closed crossings included at their reopening times) would drop out of
    every KPI; it is a data error instead.

    Parameters
    ----------
    data : PlanData

    Returns
    -------
    list of netopt.Problem
    """
    zones = data.region.zones
    bad = np.flatnonzero(~data.reachable & (data.pop > 0))
    problems = []
    for k in bad:
        island = zones["island_name"].iloc[k]
        where = f"island {island}" if isinstance(island, str) and island else "the mainland"
        what = "a primary facility" if data.primary[k] < 0 else "a lead-capable hospital"
        problems.append(
            Problem(
                "zones",
                str(zones.index[k]),
                "geometry",
                f"{data.pop[k]:,.0f} residents on {where} have no path to {what}",
                "add the ferry or link that serves it (ferries.csv / links.csv), or move the "
                "zone onto the network",
            )
        )
    return problems
