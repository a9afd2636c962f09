"""Plan hospital alliances: choose lead hospitals, assign members and residents.

:func:`plan_alliances` turns a :class:`~netopt.region.Region` and its
:class:`~netopt.graph.TravelGraph` into an :class:`AlliancePlan`, on top of the array solvers
in :mod:`netopt.solve`.

The model is two-level. Residents of zone :math:`z` (population :math:`w_z`) first use their
primary facility :math:`m(z)` (given in the data, else the nearest township or village
facility by travel time); a member facility's alliance decides which lead :math:`j` receives
its referrals. With yearly rates :math:`r_p` (primary visits) and :math:`r_r` (referrals) and
one-way times :math:`t`, the plan minimises patient-hours travelled per year (round trips):

.. math::

    \\min \\sum_z 2 w_z \\big( r_p\\, t(z, m(z)) + r_r\\, t(z, \\ell(m(z))) \\big) / 3600

where :math:`\\ell(m)` is the lead of member :math:`m`'s alliance. The first term does not
depend on the choice, so the choice is a p-median over member facilities with cost
:math:`c_{mj} = \\sum_{z: m(z)=m} 2 w_z r_r t(z, j) / 3600`, single-sourced capacities
(referrals per year against the lead's admission capacity) and an optional hard limit on every
zone's travel time to its lead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from netopt._atomic import atomic_path
from netopt._errors import DataError, Problem
from netopt.graph import TravelGraph, travel_times
from netopt.kpis import ASSIGNMENT_COLUMNS, Rates, zone_kpis
from netopt.region import LEAD_TIERS, PRIMARY_TIERS, Region
from netopt.solve import SolveResult, max_coverage, p_center, p_median

__all__ = ["AlliancePlan", "assignments_table", "plan_alliances"]

logger = logging.getLogger(__name__)

Objective = Literal["median", "center", "coverage"]


@dataclass(frozen=True, eq=False)
class AlliancePlan:
    """An alliance configuration and how residents travel under it.

    Attributes
    ----------
    name : str
        Scenario or plan name (shown on maps and reports).
    region : Region
        The region planned.
    leads : tuple of str
        Facility ids of the lead hospitals.
    facilities : pandas.DataFrame
        Index facility id; ``name``, ``tier``, ``lead`` (id of its alliance's lead),
        ``is_lead``, ``population`` (residents whose primary facility it is),
        ``referrals_per_year``, ``mean_travel_min`` (its residents' mean one-way time to it).
    zones : pandas.DataFrame
        Index zone id; the per-zone assignments table (:data:`netopt.kpis.ASSIGNMENT_COLUMNS`).
    alliances : pandas.DataFrame
        Index lead id; ``name``, ``members``, ``population``, ``referral_load``,
        ``referral_capacity``, ``utilisation``.
    beyond_limit : pandas.DataFrame
        Zones that miss the travel-time limit: ``zone``, ``lead``, ``time_min``,
        ``best_time_min`` (to the best possible lead), ``limit_min``, ``excess_min``.
    unreachable : pandas.DataFrame
        Zones that cannot reach any lead-capable hospital: ``zone``, ``island_name``,
        ``population``.
    solve : SolveResult
        The solver's result (status, objective, bound, gap, seconds).
    rates : Rates
        Visit rates used.
    kpis : dict
        KPIs from :func:`netopt.kpis.zone_kpis`.
    messages : tuple of str
        What the planner should know (relaxed limits, capacity shortfall, ...).
    options : dict
        The options the plan was made with.
    """

    name: str
    region: Region
    leads: tuple[str, ...]
    facilities: pd.DataFrame
    zones: pd.DataFrame
    alliances: pd.DataFrame
    beyond_limit: pd.DataFrame
    unreachable: pd.DataFrame
    solve: SolveResult
    rates: Rates
    kpis: dict[str, float]
    messages: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def to_geodataframe(self, layer: Literal["zones", "facilities"] = "zones") -> gpd.GeoDataFrame:
        """Return the zones or facilities with their alliance, as a GeoDataFrame (EPSG:4326).

        Parameters
        ----------
        layer : {"zones", "facilities"}

        Returns
        -------
        geopandas.GeoDataFrame
        """
        if layer == "zones":
            geom = self.region.zones.geometry
            frame = self.zones.drop(columns=["zone"])
        elif layer == "facilities":
            geom = self.region.facilities.geometry
            frame = self.facilities
        else:
            raise ValueError(f"layer must be 'zones' or 'facilities', got {layer!r}")
        out = gpd.GeoDataFrame(frame.copy(), geometry=geom.reindex(frame.index), crs="EPSG:4326")
        out.index.name = "id"
        return out

    def to_file(self, path: str | Path) -> Path:
        """Write the plan as a GeoPackage with layers ``zones``, ``facilities``, ``alliances``.

        The file is written atomically: an existing file stays intact if writing fails.

        Parameters
        ----------
        path : str or pathlib.Path
            Target ``.gpkg`` file.

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        with atomic_path(path) as tmp:
            zones = self.to_geodataframe("zones").reset_index()
            zones.to_file(tmp, layer="zones", driver="GPKG")
            fac = self.to_geodataframe("facilities").reset_index()
            fac.to_file(tmp, layer="facilities", driver="GPKG", mode="a")
            lead_geom = self.region.facilities.geometry.reindex(self.alliances.index)
            all_gdf = gpd.GeoDataFrame(self.alliances.copy(), geometry=lead_geom, crs="EPSG:4326")
            all_gdf.index.name = "lead"
            all_gdf.reset_index().to_file(tmp, layer="alliances", driver="GPKG", mode="a")
        return path

    def summary(self) -> str:
        """Return a short human-readable summary.

        Returns
        -------
        str
        """
        names = self.region.facilities["name"]
        leads = ", ".join(f"{names.get(j, j)} ({j})" for j in self.leads)
        k = self.kpis
        return (
            f"{self.name}: {len(self.leads)} alliance(s) led by {leads}; "
            f"mean travel to lead {k['mean_lead_min']:.1f} min, "
            f"{k['share_lead_60min']:.1%} within 60 min; "
            f"{k['patient_hours_per_year']:,.0f} patient-hours/year; solver {self.solve.status}, "
            f"gap {self.solve.gap:.2%}, {self.solve.seconds:.1f} s"
        )


def _primary_of_zones(
    region: Region, t_zf: np.ndarray, fac_ids: Sequence[str], primary_tiers: Sequence[str]
) -> np.ndarray:
    """Index (into fac_ids) of each zone's primary facility; -1 where none is reachable."""
    tiers = region.facilities["tier"].reindex(fac_ids).to_numpy()
    allowed = np.isin(tiers, list(primary_tiers))
    if not allowed.any():
        raise DataError(
            Problem(
                "facilities",
                "",
                "tier",
                f"no facility of a primary tier {list(primary_tiers)}",
                "add township/village facilities or pass primary_tiers=...",
            )
        )
    masked = np.where(allowed[None, :], t_zf, np.inf)
    primary = np.argmin(masked, axis=1)
    primary[~np.isfinite(masked[np.arange(len(primary)), primary])] = -1
    given = region.zones["primary_facility"]
    pos = {f: i for i, f in enumerate(fac_ids)}
    problems = []
    for k, (zid, fid) in enumerate(given.items()):
        if fid is None or (isinstance(fid, float) and np.isnan(fid)) or fid == "":
            continue
        if fid not in pos:
            problems.append(
                Problem(
                    "zones",
                    str(zid),
                    "primary_facility",
                    f"unknown facility id {fid!r}",
                    "use an id from the facilities layer or leave it empty",
                )
            )
            continue
        primary[k] = pos[fid]
    if problems:
        raise DataError(problems)
    return primary


def _resolve_leads(
    region: Region,
    leads: Iterable[str] | None,
    candidates: Iterable[str] | None,
) -> tuple[list[str], list[str]]:
    """Return (candidate ids, fixed lead ids), checking every id exists."""
    fac = region.facilities
    cand = (
        list(candidates)
        if candidates is not None
        else list(fac.index[fac["can_lead"].astype(bool)])
    )
    fixed = list(leads or ())
    problems = []
    for fid in [*cand, *fixed]:
        if fid not in fac.index:
            problems.append(
                Problem(
                    "plan_alliances",
                    fid,
                    "leads/candidates",
                    "unknown facility id",
                    f"use one of {list(fac.index[:10])}...",
                )
            )
    if problems:
        raise DataError(problems)
    for fid in fixed:
        if fid not in cand:
            cand.append(fid)
    if not cand:
        raise DataError(
            Problem(
                "facilities",
                "",
                "can_lead",
                "no facility can lead an alliance",
                f"set can_lead = true for at least one {LEAD_TIERS} hospital",
            )
        )
    return cand, fixed


def _current_alliances(region: Region) -> dict[str, str]:
    """Facility id -> lead id of today's alliances (facilities.alliance)."""
    fac = region.facilities
    alliance = fac["alliance"].where(fac["alliance"].notna(), None)
    current = {fid: lead for fid, lead in alliance.items() if lead not in (None, "")}
    bad = sorted({lead for lead in current.values() if lead not in fac.index})
    if bad:
        raise DataError(
            [
                Problem(
                    "facilities",
                    fid,
                    "alliance",
                    f"lead {lead!r} is not a facility id",
                    "name the lead hospital's facility id",
                )
                for fid, lead in current.items()
                if lead in bad
            ]
        )
    if not current:
        raise DataError(
            Problem(
                "facilities",
                "",
                "alliance",
                "no facility has a current alliance",
                "fill the alliance column, or plan with p=... instead",
            )
        )
    return current


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


def plan_alliances(
    region: Region,
    graph: TravelGraph | None,
    *,
    p: int | None = None,
    leads: Iterable[str] | None = None,
    current: bool = False,
    candidates: Iterable[str] | None = None,
    capacities: bool = True,
    max_travel_min: float | None = None,
    objective: Objective = "median",
    rates: Rates | None = None,
    primary_tiers: Sequence[str] = PRIMARY_TIERS,
    time_limit: float | None = 60.0,
    seed: int = 0,
    name: str = "plan",
    times: np.ndarray | None = None,
) -> AlliancePlan:
    """Choose lead hospitals and assign member facilities and residents to alliances.

    Three ways to call it:

    * ``current=True``: evaluate today's alliances (``facilities.alliance``) as they are.
    * ``leads=[...]`` without ``p``: the leads are fixed, members are assigned optimally.
    * ``p=k`` (optionally with ``leads``): choose ``k`` leads among the lead-capable
      facilities (``can_lead``), keeping the given ``leads`` open.

    Parameters
    ----------
    region : Region
        The region (facilities, zones ...).
    graph : TravelGraph or None
        Its travel-time graph (from :func:`netopt.build_graph`); may be None when ``times``
        is given.
    p : int, optional
        Number of alliances (lead hospitals) to form.
    leads : iterable of str, optional
        Facility ids of leads that must be kept (today's leads, say).
    current : bool, default False
        Evaluate today's membership (``facilities.alliance``) without optimising.
    candidates : iterable of str, optional
        Facility ids that may lead; default every facility with ``can_lead``.
    capacities : bool, default True
        Enforce the leads' yearly admission capacity (beds, see
        :meth:`netopt.kpis.Rates.admissions_capacity`) against their referral load. When the
        total cannot fit, the plan is solved without capacities and the shortfall is reported
        (``kpis['population_unserved_capacity']``, ``messages``). With ``False`` the
        capacity is not enforced but the overload is still reported.
    max_travel_min : float, optional
        Hard limit on every zone's one-way travel time to its lead (emergency window, ferry
        included). Zones that no candidate can serve within it are exempted and listed in
        ``beyond_limit`` with their excess.
    objective : {"median", "center", "coverage"}, default "median"
        ``median`` minimises patient-hours (p-median); ``center`` minimises the worst zone's
        time to its lead (p-center); ``coverage`` maximises the population within
        ``max_travel_min`` of its lead (MCLP; requires ``max_travel_min``).
    rates : Rates, optional
        Visit rates and bed conversion (default ``Rates()``: documented defaults with sources).
    primary_tiers : sequence of str
        Tiers residents use first (default township and village).
    time_limit : float, optional
        Solver time limit in seconds (default 60).
    seed : int, default 0
        Solver seed; the same seed gives the same plan.
    name : str, default "plan"
        Name shown on maps and reports.
    times : numpy.ndarray, optional
        Precomputed zone x facility travel times in seconds (rows in ``region.zones`` order,
        columns in ``region.facilities`` order); computed from ``graph`` when omitted.

    Returns
    -------
    AlliancePlan

    Raises
    ------
    DataError
        Unknown facility ids, no lead-capable facility, inconsistent arguments.

    Examples
    --------
    >>> region = netopt.load_region("geodata/xiangshan")          # doctest: +SKIP
    >>> graph = netopt.build_graph(region)                          # doctest: +SKIP
    >>> plan = netopt.plan_alliances(region, graph, p=2)            # doctest: +SKIP
    >>> plan.leads                                                  # doctest: +SKIP
    """
    rates = rates if rates is not None else Rates()
    fac = region.facilities
    fac_ids = [str(i) for i in fac.index]
    pos = {f: i for i, f in enumerate(fac_ids)}
    if objective not in ("median", "center", "coverage"):
        raise _argument_error("objective", repr(objective), "use 'median', 'center' or 'coverage'")
    if objective == "coverage" and max_travel_min is None:
        raise _argument_error("max_travel_min", "missing", "objective 'coverage' needs it")
    t_zf = _zone_facility_seconds(region, graph, times, fac_ids)

    cand_ids, fixed_ids = _resolve_leads(region, leads, candidates)
    cand_idx = np.array([pos[c] for c in cand_ids])
    messages: list[str] = []
    primary = _primary_of_zones(region, t_zf, fac_ids, primary_tiers)
    pop = region.zones["population"].to_numpy(float)
    t_zc = t_zf[:, cand_idx]

    # Zones that cannot reach any candidate (or their primary): reported, left out of the model.
    reach_any = np.isfinite(t_zc).any(axis=1) & (primary >= 0)
    unreachable = pd.DataFrame(
        {
            "zone": region.zones.index.astype(str)[~reach_any],
            "island_name": region.zones["island_name"].to_numpy()[~reach_any],
            "population": pop[~reach_any],
        }
    )
    if len(unreachable):
        islands = sorted(set(map(str, unreachable["island_name"].dropna())))
        _note(
            messages,
            f"{len(unreachable)} zone(s), population {unreachable['population'].sum():,.0f}, "
            f"cannot reach any lead-capable hospital or primary facility (islands: {islands}); "
            "they are reported as not covered and left out of the optimisation",
        )

    members = _member_model(
        region,
        graph,
        fac_ids,
        primary,
        np.flatnonzero(reach_any),
        cand_idx,
        t_zc,
        pop,
        rates,
        primary_tiers,
    )
    forbid = (
        _limit_forbidden(members, t_zc, pop, max_travel_min, fac_ids, messages)
        if max_travel_min is not None
        else None
    )
    caps = (
        rates.admissions_capacity(
            fac["beds"].reindex([fac_ids[j] for j in cand_idx]).to_numpy(float)
        )
        if capacities
        else None
    )
    costs = members.costs
    objective_eff: Objective = objective
    fixed_cols = [int(np.flatnonzero(cand_idx == pos[f])[0]) for f in fixed_ids]
    if current:
        allowed, fixed_cols = _current_membership(region, members, cand_ids, cand_idx, pos, fac_ids)
        costs = np.where(allowed, costs, np.inf)
        p_eff = len(fixed_cols)
        forbid = None  # today's membership is evaluated, not constrained
        objective_eff = "median"
    else:
        p_eff = _number_of_leads(p, len(fixed_cols), len(cand_idx))

    result = _solve(
        objective_eff,
        costs,
        members.worst,
        p_eff,
        caps,
        members.loads,
        fixed_cols,
        forbid,
        max_travel_min,
        pop,
        members.zone_member,
        members.zones,
        time_limit,
        seed,
        messages,
    )

    lead_cols = [int(c) for c in result.selected]
    member_lead_col = np.asarray(result.assignment, dtype=int).copy()
    # A chosen lead leads its own alliance (for leads without residents of their own this
    # changes nothing the solver weighed).
    for c in lead_cols:
        row = int(np.flatnonzero(members.index == cand_idx[c])[0])
        if members.zoneless[row]:
            member_lead_col[row] = c
    lead_ids = tuple(fac_ids[cand_idx[c]] for c in lead_cols)

    # Zone -> lead (facility index); unreachable zones get -1.
    lead_of_zone = np.full(len(region.zones), -1)
    zone_lead_col = member_lead_col[members.zone_member]
    assigned = zone_lead_col >= 0
    lead_of_zone[members.zones[assigned]] = cand_idx[zone_lead_col[assigned]]

    # Capacity is always reported (from beds); `capacities` only decides whether it is enforced.
    cap_full = rates.admissions_capacity(fac["beds"].reindex(fac_ids).to_numpy(float))
    table = assignments_table(
        region,
        primary=primary,
        lead_of_zone=lead_of_zone,
        t_zf=t_zf,
        fac_ids=fac_ids,
        lead_idx=[cand_idx[c] for c in lead_cols],
        cand_idx=cand_idx,
        limit_min=max_travel_min,
        capacity_served=_capacity_served(
            members.loads, member_lead_col, cand_idx, cap_full, lead_of_zone
        ),
    )
    facilities = _facility_table(
        region, table, fac_ids, members.index, member_lead_col, cand_idx, lead_ids, rates
    )
    plan = AlliancePlan(
        name=name,
        region=region,
        leads=lead_ids,
        facilities=facilities,
        zones=table,
        alliances=_alliance_table(region, facilities, lead_ids, cap_full, fac_ids),
        beyond_limit=_beyond_limit(table, max_travel_min),
        unreachable=unreachable,
        solve=result,
        rates=rates,
        kpis=zone_kpis(table, rates),
        messages=tuple(messages),
        options={
            "p": p_eff,
            "current": current,
            "objective": objective,
            "capacities": capacities,
            "max_travel_min": max_travel_min,
            "seed": seed,
            "time_limit": time_limit,
            "fixed_leads": list(fixed_ids),
        },
    )
    logger.info("%s", plan.summary())
    return plan


def _note(messages: list[str], msg: str) -> None:
    """Log a planner-facing message and keep it for the plan's ``messages``."""
    logger.warning(msg)
    messages.append(msg)


def _argument_error(field: str, found: str, fix: str) -> DataError:
    """A DataError about an argument of :func:`plan_alliances`."""
    return DataError(Problem("plan_alliances", "", field, found, fix))


def _zone_facility_seconds(
    region: Region, graph: TravelGraph | None, times: np.ndarray | None, fac_ids: list[str]
) -> np.ndarray:
    """Zone x facility one-way travel times in seconds, in region order."""
    if times is not None:
        t_zf = np.asarray(times, dtype=float)
        if t_zf.shape != (len(region.zones), len(fac_ids)):
            raise _argument_error(
                "times",
                f"shape {t_zf.shape}",
                f"pass a ({len(region.zones)}, {len(fac_ids)}) matrix",
            )
        return t_zf
    if graph is None:
        raise _argument_error("graph", "None", "pass a TravelGraph, or precomputed times=...")
    return zone_facility_seconds(region, graph)


def zone_facility_seconds(
    region: Region, graph: TravelGraph, *, cache_dir: str | Path | None = None
) -> np.ndarray:
    """Return the zone x facility travel-time matrix in the region's own row and column order.

    This is the ``times`` matrix :func:`plan_alliances` computes when none is given; compute
    it once (optionally cached on disk) to reuse it across plans of the same graph.

    Parameters
    ----------
    region : Region
        The region; rows follow ``region.zones``, columns ``region.facilities``.
    graph : TravelGraph
        Its travel-time graph.
    cache_dir : str or pathlib.Path, optional
        Folder for the on-disk matrix cache of :func:`netopt.travel_times`.

    Returns
    -------
    numpy.ndarray
        One-way travel times in seconds (``inf`` where unreachable).
    """
    tt = travel_times(graph, "zones", "facilities", cache_dir=cache_dir)
    return (
        pd.DataFrame(
            np.asarray(tt.seconds, dtype=float),
            index=[str(z) for z in tt.origins],
            columns=[str(f) for f in tt.destinations],
        )
        .reindex(
            index=[str(z) for z in region.zones.index],
            columns=[str(f) for f in region.facilities.index],
        )
        .to_numpy(float)
    )


@dataclass(frozen=True)
class _Members:
    """The member-level model: who is a member, their zones, costs and loads."""

    index: np.ndarray  # facility index of each member
    zones: np.ndarray  # zone indices in the model (reachable ones)
    zone_member: np.ndarray  # member row of each zone in ``zones``
    costs: np.ndarray  # member x candidate referral patient-hours per year
    worst: np.ndarray  # member x candidate worst zone time (s)
    loads: np.ndarray  # referrals per year per member
    zoneless: np.ndarray  # members without residents of their own


def _member_model(
    region: Region,
    graph: TravelGraph | None,
    fac_ids: list[str],
    primary: np.ndarray,
    zone_ok: np.ndarray,
    cand_idx: np.ndarray,
    t_zc: np.ndarray,
    pop: np.ndarray,
    rates: Rates,
    primary_tiers: Sequence[str],
) -> _Members:
    """Aggregate zones to member facilities: costs, worst times and loads per candidate.

    Members are every primary-tier facility, every facility that is primary for a reachable
    zone, and every candidate.
    """
    tiers = region.facilities["tier"].reindex(fac_ids)
    tier_members = np.flatnonzero(tiers.isin(list(primary_tiers)).to_numpy())
    index = np.unique(np.concatenate([primary[zone_ok], cand_idx, tier_members])).astype(int)
    zone_member = np.searchsorted(index, primary[zone_ok])
    n_mem, n_cand = len(index), len(cand_idx)
    t_ok = t_zc[zone_ok]
    costs = np.zeros((n_mem, n_cand))
    np.add.at(
        costs, zone_member, (2.0 * pop[zone_ok] * rates.referrals_per_year / 3600.0)[:, None] * t_ok
    )
    loads = np.bincount(
        zone_member, weights=pop[zone_ok] * rates.referrals_per_year, minlength=n_mem
    )
    worst = np.full((n_mem, n_cand), -np.inf)
    np.maximum.at(worst, zone_member, t_ok)
    worst[worst == -np.inf] = 0.0  # members without zones of their own
    # Members without residents of their own join the lead nearest to them: a negligible
    # cost (1e-6 patient-hours per second of facility-to-lead travel) breaks the tie.
    zoneless = np.bincount(zone_member, minlength=n_mem) == 0
    if zoneless.any() and graph is not None:
        keys = [f"facility:{fac_ids[m]}" for m in index[zoneless]]
        t_mc = travel_times(graph, keys, [f"facility:{fac_ids[j]}" for j in cand_idx]).seconds
        t_mc = np.asarray(t_mc, dtype=float)
        costs[zoneless] = np.where(np.isfinite(t_mc), 1e-6 * t_mc, 1.0)
    return _Members(index, zone_ok, zone_member, costs, worst, loads, zoneless)


def _limit_forbidden(
    members: _Members,
    t_zc: np.ndarray,
    pop: np.ndarray,
    max_travel_min: float,
    fac_ids: list[str],
    messages: list[str],
) -> np.ndarray:
    """Member x candidate pairs the travel limit forbids, after the documented relaxations.

    Zones no candidate can serve within the limit are exempt; a member whose residents need
    different leads to meet it may join the lead that leaves the fewest residents beyond it.
    """
    limit_s = max_travel_min * 60.0
    t_ok = t_zc[members.zones]
    best = t_ok.min(axis=1)
    exempt = best > limit_s
    if exempt.any():
        _note(
            messages,
            f"{int(exempt.sum())} zone(s) cannot reach any lead-capable hospital within "
            f"{max_travel_min:g} min (worst best-case {best[exempt].max() / 60:.0f} min); "
            "the limit is relaxed for them",
        )
    over = (t_ok > limit_s) & ~exempt[:, None]
    over_pop = np.zeros(members.costs.shape)
    np.add.at(over_pop, members.zone_member, over * pop[members.zones][:, None])
    forbid = over_pop > 0
    split = forbid.all(axis=1)
    if split.any():
        forbid[split] = over_pop[split] > over_pop[split].min(axis=1, keepdims=True)
        names = [fac_ids[m] for m in members.index[split]]
        _note(
            messages,
            f"{len(names)} member facilit{'y' if len(names) == 1 else 'ies'} ({', '.join(names)}) "
            f"serve residents that no single lead reaches within {max_travel_min:g} min; "
            "each joins the lead that leaves the fewest residents beyond the limit",
        )
    return forbid


def _current_membership(
    region: Region,
    members: _Members,
    cand_ids: list[str],
    cand_idx: np.ndarray,
    pos: dict[str, int],
    fac_ids: list[str],
) -> tuple[np.ndarray, list[int]]:
    """Allowed member x candidate pairs under today's alliances, and today's lead columns."""
    mapping = _current_alliances(region)
    lead_ids = sorted(set(mapping.values()))
    not_lead = [lead for lead in lead_ids if lead not in cand_ids]
    if not_lead:
        raise DataError(
            [
                Problem(
                    "facilities",
                    lead,
                    "can_lead",
                    "a current lead cannot lead",
                    "set can_lead = true for today's lead hospitals",
                )
                for lead in not_lead
            ]
        )
    lead_col = {f: int(np.flatnonzero(cand_idx == pos[f])[0]) for f in lead_ids}
    allowed = np.zeros(members.costs.shape, bool)
    for k, m in enumerate(members.index):
        fid = fac_ids[m]
        if fid in lead_col:
            allowed[k, lead_col[fid]] = True
        elif fid in mapping:
            allowed[k, lead_col[mapping[fid]]] = True
        else:  # not in any alliance today: the nearest of today's leads
            allowed[k, list(lead_col.values())] = True
    return allowed, list(lead_col.values())


def _number_of_leads(p: int | None, n_fixed: int, n_cand: int) -> int:
    """The number of leads to open, checked against the fixed leads and the candidates."""
    if p is None and not n_fixed:
        raise _argument_error(
            "p",
            "neither p nor leads given",
            "pass p=<number of alliances>, leads=[...], or current=True",
        )
    p_eff = n_fixed if p is None else int(p)
    if not n_fixed <= p_eff <= n_cand:
        raise _argument_error(
            "p",
            f"p={p_eff}",
            f"choose p between {n_fixed} (fixed leads) and {n_cand} (lead-capable facilities)",
        )
    return p_eff


def _capacity_served(
    loads: np.ndarray,
    member_lead_col: np.ndarray,
    cand_idx: np.ndarray,
    cap_full: np.ndarray,
    lead_of_zone: np.ndarray,
) -> np.ndarray:
    """Share (0..1) of each zone's referrals its lead has beds for."""
    share = np.ones(len(cap_full))
    for col, load in pd.Series(loads).groupby(member_lead_col).sum().items():
        if col >= 0 and load > 0:
            share[cand_idx[col]] = min(1.0, cap_full[cand_idx[col]] / load)
    return np.where(lead_of_zone >= 0, share[np.maximum(lead_of_zone, 0)], 0.0)


def _beyond_limit(table: pd.DataFrame, max_travel_min: float | None) -> pd.DataFrame:
    """Zones beyond the travel limit to their lead, with the best possible time and excess."""
    columns = ["zone", "lead", "time_min", "best_time_min", "limit_min", "excess_min"]
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


def _solve(
    objective: str,
    costs: np.ndarray,
    worst: np.ndarray,
    p: int,
    caps: np.ndarray | None,
    loads: np.ndarray,
    fixed_cols: list[int],
    forbid: np.ndarray | None,
    max_travel_min: float | None,
    pop: np.ndarray,
    zone_member: np.ndarray,
    zone_ok: np.ndarray,
    time_limit: float | None,
    seed: int,
    messages: list[str],
) -> SolveResult:
    """Run the chosen location model; fall back without capacities/limits when infeasible."""
    cap_kw = (
        {"capacities": caps, "loads": loads} if caps is not None and np.isfinite(caps).any() else {}
    )
    common = {"fixed": tuple(fixed_cols), "time_limit": time_limit, "seed": seed}

    def run(with_caps: bool, with_limit: bool) -> SolveResult:
        c = costs
        wc = worst
        if with_limit and forbid is not None:
            c = np.where(forbid, np.inf, costs)
            wc = np.where(forbid, np.inf, worst)
        kw = {**common, **(cap_kw if with_caps else {})}
        if objective == "median":
            return p_median(c, p, **kw)
        if objective == "center":
            wc = np.where(np.isfinite(c), wc, np.inf)
            return p_center(wc / 60.0, p, **kw)
        member_pop = np.bincount(zone_member, weights=pop[zone_ok], minlength=costs.shape[0])
        wc = np.where(np.isfinite(c), wc, np.inf)
        return max_coverage(wc / 60.0, p, float(max_travel_min), weights=member_pop, **kw)

    # The emergency window outranks capacity: when both cannot hold, capacity is dropped
    # first (its excess is reported as unserved), then the window (zones beyond it reported).
    result = run(True, True)
    if result.status == "infeasible" and cap_kw:
        msg = (
            f"lead capacity is short ({result.message}); solved without capacities, the excess "
            "is reported as unserved for lack of capacity"
        )
        _note(messages, msg)
        result = run(False, True)
    if result.status == "infeasible" and forbid is not None:
        msg = f"the travel limit cannot be met with p={p} ({result.message}); solved without it"
        _note(messages, msg)
        result = run(bool(cap_kw), False)
        if result.status == "infeasible" and cap_kw:
            result = run(False, False)
    if result.status == "infeasible":
        from netopt._errors import InfeasibleError

        raise InfeasibleError(f"no alliance plan exists: {result.message}")
    return result


def _facility_table(
    region: Region,
    table: pd.DataFrame,
    fac_ids: Sequence[str],
    member_idx: np.ndarray,
    member_lead_col: np.ndarray,
    cand_idx: np.ndarray,
    lead_ids: Sequence[str],
    rates: Rates,
) -> pd.DataFrame:
    """Per-facility table: its lead, population served as primary, referrals, mean travel."""
    fac = region.facilities
    lead_of = pd.Series(None, index=list(fac_ids), dtype=object)
    for k, m in enumerate(member_idx):
        if member_lead_col[k] >= 0:
            lead_of.iloc[m] = fac_ids[cand_idx[member_lead_col[k]]]
    ok = table[table["reachable"]]
    pop_by = ok.groupby("primary")["population"].sum()
    tw = (ok["population"] * ok["t_primary_min"]).groupby(ok["primary"]).sum()
    out = pd.DataFrame(
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
        index=pd.Index(list(fac_ids), name="id"),
    )
    return out


def _alliance_table(
    region: Region,
    facilities: pd.DataFrame,
    lead_ids: Sequence[str],
    cap_full: np.ndarray,
    fac_ids: Sequence[str],
) -> pd.DataFrame:
    """Per-alliance table: members, population, referral load vs capacity."""
    cap = pd.Series(cap_full, index=list(fac_ids))
    grouped = facilities.groupby("lead")
    out = pd.DataFrame(
        {
            "name": region.facilities["name"].reindex(list(lead_ids)).to_numpy(),
            "members": grouped.size().reindex(list(lead_ids)).fillna(0).astype(int).to_numpy(),
            "population": grouped["population"]
            .sum()
            .reindex(list(lead_ids))
            .fillna(0.0)
            .to_numpy(),
            "referral_load": grouped["referrals_per_year"]
            .sum()
            .reindex(list(lead_ids))
            .fillna(0.0)
            .to_numpy(),
            "referral_capacity": cap.reindex(list(lead_ids)).to_numpy(),
        },
        index=pd.Index(list(lead_ids), name="lead"),
    )
    out["utilisation"] = out["referral_load"] / out["referral_capacity"]
    return out
