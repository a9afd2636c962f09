"""The member-level model: zones aggregated to their primary (member) facilities.

:func:`plan_data` gathers the arrays one planning run works on (:class:`PlanData`);
:func:`member_model` aggregates zones to members with their referral costs, worst times and
loads per candidate lead (:class:`Members`); :func:`limit_forbidden` turns the travel limit
into forbidden member x lead pairs after its documented relaxations, and
:func:`current_membership` the pairs today's alliances allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from netopt._errors import DataError, Problem
from netopt._notes import Note
from netopt.alliances._notes import note
from netopt.alliances.area import outside_area
from netopt.alliances.leads import current_alliances, resolve_leads
from netopt.alliances.options import AllianceOptions
from netopt.graph import TravelGraph
from netopt.kpis import Rates
from netopt.region import Region

__all__ = [
    "Members",
    "PlanData",
    "current_membership",
    "limit_forbidden",
    "member_model",
    "plan_data",
    "primary_of_zones",
    "zoneless_seconds",
]


@dataclass(frozen=True, eq=False)
class PlanData:
    """The arrays of one planning run: facilities, candidates, primaries, times, population.

    Facility indices point into ``fac_ids`` (the region's facility order), zone indices into
    ``region.zones``.
    """

    region: Region
    fac_ids: tuple[str, ...]
    t_zf: np.ndarray  # zone x facility one-way seconds
    cand_ids: tuple[str, ...]  # facilities that may lead (fixed leads included)
    fixed_ids: tuple[str, ...]  # leads that must stay open
    cand_idx: np.ndarray  # facility index of each candidate
    primary: np.ndarray  # facility index of each zone's primary facility; -1 where none
    pop: np.ndarray  # population of each zone
    open_zf: np.ndarray | None = None  # t_zf on the network as it runs now (None: the same)

    @cached_property
    def pos(self) -> dict[str, int]:
        """Facility id -> facility index."""
        return {f: i for i, f in enumerate(self.fac_ids)}

    @cached_property
    def t_zc(self) -> np.ndarray:
        """Zone x candidate one-way seconds."""
        return self.t_zf[:, self.cand_idx]

    @cached_property
    def reachable(self) -> np.ndarray:
        """True for zones that reach a candidate and have a primary facility (the model's)."""
        return np.isfinite(self.t_zc).any(axis=1) & (self.primary >= 0)

    def column(self, fid: str) -> int:
        """Candidate column of facility ``fid``."""
        return int(np.flatnonzero(self.cand_idx == self.pos[fid])[0])


def plan_data(
    region: Region,
    t_zf: np.ndarray,
    options: AllianceOptions,
    *,
    open_zf: np.ndarray | None = None,
) -> PlanData:
    """Resolve candidates, fixed leads and primary facilities into a :class:`PlanData`.

    ``open_zf`` are the times on the network as it runs now (closed crossings dropped), used
    only to flag cut-off zones; the model works on ``t_zf``.

    Raises
    ------
    DataError
        Unknown facility ids, no lead-capable or primary-tier facility.
    """
    fac_ids = tuple(str(i) for i in region.facilities.index)
    cand_ids, fixed_ids = resolve_leads(
        region,
        options.fixed_leads,
        options.candidates,
        allow_any_lead=options.allow_any_lead,
        allow_outside_leads=options.allow_outside_leads,
    )
    pos = {f: i for i, f in enumerate(fac_ids)}
    return PlanData(
        region=region,
        fac_ids=fac_ids,
        t_zf=t_zf,
        cand_ids=tuple(cand_ids),
        fixed_ids=tuple(fixed_ids),
        cand_idx=np.array([pos[c] for c in cand_ids]),
        primary=primary_of_zones(region, t_zf, fac_ids, options.primary_tiers),
        pop=region.zones["population"].to_numpy(float),
        open_zf=open_zf,
    )


def primary_of_zones(
    region: Region, t_zf: np.ndarray, fac_ids: Sequence[str], primary_tiers: Sequence[str]
) -> np.ndarray:
    """Return the index (into ``fac_ids``) of each zone's primary facility; -1 where none.

    A zone's ``primary_facility`` is used where given, else the nearest facility of a
    primary tier by travel time.

    Raises
    ------
    DataError
        No facility of a primary tier, or an unknown ``primary_facility`` id.
    """
    tiers = region.facilities["tier"].reindex(fac_ids).to_numpy()
    allowed = np.isin(tiers, list(primary_tiers))
    if not allowed.any():
        raise DataError(
            Problem(
                "facilities",
                "",
                "tier",
                f"no facility of a primary tier {list(primary_tiers)}",
                "add township/village facilities or set primary_tiers",
            )
        )
    cols = np.flatnonzero(allowed)
    primary = np.full(len(t_zf), -1)
    step = max(1, 2**22 // max(1, len(cols)))  # rows of primary-tier columns at a time
    for i in range(0, len(t_zf), step):
        sub = t_zf[i : i + step, cols]
        best = np.argmin(sub, axis=1)
        found = np.isfinite(sub[np.arange(len(best)), best])
        primary[i : i + len(best)] = np.where(found, cols[best], -1)
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


@dataclass(frozen=True, eq=False)
class Members:
    """The member-level model: who is a member, their zones, costs and loads."""

    index: np.ndarray  # facility index of each member
    zones: np.ndarray  # zone indices in the model (reachable ones)
    zone_member: np.ndarray  # member row of each zone in ``zones``
    costs: np.ndarray  # member x candidate referral patient-hours per year
    worst: np.ndarray  # member x candidate worst zone time (s)
    loads: np.ndarray  # referrals per year per member
    population: np.ndarray  # residents per member
    zoneless: np.ndarray  # members without residents of their own


def member_model(
    data: PlanData, graph: TravelGraph | None, rates: Rates, primary_tiers: Sequence[str]
) -> Members:
    """Aggregate zones to member facilities: costs, worst times and loads per candidate.

    Members are every primary-tier facility, every facility that is primary for a reachable
    zone, and every candidate. With a ``graph``, members without residents of their own join
    the lead nearest to them, a negligible cost breaking the tie; their time to a lead is
    read from the plan's matrix, as the time from the zone nearest to them
    (:func:`zoneless_seconds`), so no shortest-path search is run again. Without a graph
    (``times`` only) they join a lead arbitrarily, as before.
    """
    fac_ids, primary, pop, cand_idx = data.fac_ids, data.primary, data.pop, data.cand_idx
    zone_ok = np.flatnonzero(data.reachable)
    tiers = data.region.facilities["tier"].reindex(list(fac_ids))
    tier_members = np.flatnonzero(tiers.isin(list(primary_tiers)).to_numpy())
    index = np.unique(np.concatenate([primary[zone_ok], cand_idx, tier_members])).astype(int)
    zone_member = np.searchsorted(index, primary[zone_ok])
    n_mem, n_cand = len(index), len(cand_idx)
    t_ok = data.t_zc[zone_ok]
    # sums and maxima per member over its zones: zones sorted by member, one reduceat each
    order = np.argsort(zone_member, kind="stable")
    groups, starts = np.unique(zone_member[order], return_index=True)
    costs = np.zeros((n_mem, n_cand))
    worst = np.zeros((n_mem, n_cand))  # 0 for members without zones of their own
    if len(order):
        weight = 2.0 * pop[zone_ok] * rates.referrals_per_year / 3600.0
        costs[groups] = np.add.reduceat(weight[order, None] * t_ok[order], starts, axis=0)
        worst[groups] = np.maximum.reduceat(t_ok[order], starts, axis=0)
    loads = np.bincount(
        zone_member, weights=pop[zone_ok] * rates.referrals_per_year, minlength=n_mem
    )
    # Members without residents of their own join the lead nearest to them: a negligible
    # cost (1e-6 patient-hours per second of facility-to-lead travel) breaks the tie.
    zoneless = np.bincount(zone_member, minlength=n_mem) == 0
    if zoneless.any() and graph is not None:
        t_mc = zoneless_seconds(data, index[zoneless])
        costs[zoneless] = np.where(np.isfinite(t_mc), 1e-6 * t_mc, 1.0)
    population = np.bincount(zone_member, weights=pop[zone_ok], minlength=n_mem)
    return Members(index, zone_ok, zone_member, costs, worst, loads, population, zoneless)


def zoneless_seconds(data: PlanData, facilities: np.ndarray, *, block: int = 64) -> np.ndarray:
    """Return facility x candidate seconds for facilities, read from the plan's matrix.

    A facility's time to a candidate is the time from the zone that reaches the facility
    fastest (``argmin`` of its column of ``t_zf``); inf when no zone reaches it. It ranks the
    leads for a member without residents of its own, which only breaks a tie: no
    shortest-path search is run for it (at 100,000 zones one took 94 % of a plan). The
    columns are scanned ``block`` at a time, so no copy of the matrix is made.

    Parameters
    ----------
    data : PlanData
    facilities : numpy.ndarray of int
        Facility indices (into ``data.fac_ids``).

    Returns
    -------
    numpy.ndarray, shape (len(facilities), len(data.cand_idx))
    """
    out = np.full((len(facilities), len(data.cand_idx)), np.inf)
    if len(data.t_zf) == 0:
        return out
    for i in range(0, len(facilities), block):
        cols = data.t_zf[:, facilities[i : i + block]]
        near = np.argmin(cols, axis=0)
        ok = np.isfinite(cols[near, np.arange(len(near))])
        out[i : i + len(near)][ok] = data.t_zc[near[ok]]
    return out


def limit_forbidden(
    members: Members, data: PlanData, max_travel_min: float, messages: list[str]
) -> np.ndarray:
    """Return the member x candidate pairs the travel limit forbids, after the relaxations.

    Zones no candidate can serve within the limit are exempt; a member whose residents need
    different leads to meet it may join the lead that leaves the fewest residents beyond it.
    Both relaxations are noted in ``messages``.
    """
    limit_s = max_travel_min * 60.0
    t_ok = data.t_zc[members.zones]
    best = t_ok.min(axis=1)
    exempt = best > limit_s
    if exempt.any():
        note(
            messages,
            Note(
                "note.limit_relaxed",
                n=f"{int(exempt.sum())}",
                limit=f"{max_travel_min:g}",
                worst=f"{best[exempt].max() / 60:.0f}",
            ),
        )
    over = (t_ok > limit_s) & ~exempt[:, None]
    over_pop = np.zeros(members.costs.shape)
    np.add.at(over_pop, members.zone_member, over * data.pop[members.zones][:, None])
    forbid = over_pop > 0
    split = forbid.all(axis=1)
    if split.any():
        forbid[split] = over_pop[split] > over_pop[split].min(axis=1, keepdims=True)
        names = [data.fac_ids[m] for m in members.index[split]]
        note(
            messages,
            Note(
                "note.split_one" if len(names) == 1 else "note.split_many",
                n=str(len(names)),
                ids=", ".join(names),
                limit=f"{max_travel_min:g}",
            ),
        )
    return forbid


def current_membership(members: Members, data: PlanData) -> tuple[np.ndarray, list[int]]:
    """Return the member x candidate pairs today's alliances allow, and today's lead columns.

    Raises
    ------
    DataError
        A lead of today that cannot lead (not a candidate), or a bad ``alliance`` column.
    """
    mapping = current_alliances(data.region)
    lead_ids = sorted(set(mapping.values()))
    not_lead = [lead for lead in lead_ids if lead not in data.cand_ids]
    if not_lead:
        outside = outside_area(data.region)
        raise DataError(
            [
                Problem(
                    "facilities",
                    lead,
                    "area" if bool(outside.get(lead, False)) else "can_lead",
                    "a current lead lies outside the planning area"
                    if bool(outside.get(lead, False))
                    else "a current lead cannot lead",
                    "set [model] allow_outside_leads = true to evaluate it as it is"
                    if bool(outside.get(lead, False))
                    else "set can_lead = true for today's lead hospitals",
                )
                for lead in not_lead
            ]
        )
    lead_col = {f: data.column(f) for f in lead_ids}
    allowed = np.zeros(members.costs.shape, bool)
    for k, m in enumerate(members.index):
        fid = data.fac_ids[m]
        if fid in lead_col:
            allowed[k, lead_col[fid]] = True
        elif fid in mapping:
            allowed[k, lead_col[mapping[fid]]] = True
        else:  # not in any alliance today: the nearest of today's leads
            allowed[k, list(lead_col.values())] = True
    return allowed, list(lead_col.values())
