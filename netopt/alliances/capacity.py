"""Lead capacity of a plan: each lead's load, and the members that would have to move.

The solver keeps every lead within its beds wherever any plan can (soft capacities,
:mod:`netopt.solve.location.soft`); what it cannot hold is reported, never dropped:

* :func:`lead_loads`: referrals per year and residents of every lead's members;
* :func:`capacity_moves_table`: the members that would have to move to another lead with
  spare beds for each over-capacity lead to fit (:data:`CAPACITY_MOVES_COLUMNS`), by the
  rule of its docstring;
* :func:`capacity_notes`: the plan messages that say where, and by how much, capacity is
  exceeded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from netopt._notes import Note, joined, name_in, term
from netopt.alliances.locate import Assignment
from netopt.alliances.members import Members, PlanData

__all__ = ["CAPACITY_MOVES_COLUMNS", "capacity_moves_table", "capacity_notes", "lead_loads"]

#: Columns of :attr:`AlliancePlan.capacity_moves`, one row per member to move, in move order.
CAPACITY_MOVES_COLUMNS: tuple[str, ...] = (
    "member",
    "member_name",
    "lead",
    "to_lead",
    "to_lead_name",
    "load",
    "extra_min",
    "extra_patient_hours",
    "within_limit",
    "lead_load_after",
    "lead_capacity",
)

_TOL = 1e-6  # referrals per year: loads closer than this to the capacity fit


def lead_loads(
    data: PlanData, members: Members, assignment: Assignment
) -> tuple[np.ndarray, np.ndarray]:
    """Referrals per year and residents of each lead (in ``assignment.lead_cols`` order).

    Every member assigned to the lead counts with all its residents: a zone that is cut off
    or beyond the travel window still needs its lead's beds, so worse access never lowers a
    lead's load (nor raises the share of referrals it has capacity for).

    Returns
    -------
    tuple of numpy.ndarray
        ``(load, population)``, one value per lead.
    """
    cols = np.asarray(assignment.lead_cols, dtype=int)
    at = assignment.member_lead_col
    load = np.array([members.loads[at == c].sum() for c in cols], dtype=float)
    pop = np.array([members.population[at == c].sum() for c in cols], dtype=float)
    return load, pop


def capacity_moves_table(
    data: PlanData,
    members: Members,
    assignment: Assignment,
    alliances: pd.DataFrame,
    *,
    limit_min: float | None,
) -> pd.DataFrame:
    """The members that would have to move for every lead's beds to hold.

    The rule, per over-capacity lead ``j`` (load above ``referral_capacity``), the largest
    overflow first (ties by lead id):

    1. a member may move when it is assigned to ``j``, has referrals (load > 0) and is not
       ``j``'s own facility; it moves whole (single-sourced) to another lead ``k`` of the
       plan whose spare capacity (capacity - load, after the moves so far) holds its whole
       load and that all its residents can reach;
    2. among all such (member, lead) pairs, the one chosen first keeps the member's
       residents within the travel window (``limit_min``; every pair when there is none),
       then adds the fewest patient-hours per referral moved (round trips, as the plan's
       objective), then has the lowest member id and lead id;
    3. the move is applied (``j`` loses the load, ``k`` gains it) and step 2 repeats until
       ``j`` fits or no pair is left; a member moves at most once, and a move never makes
       ``k`` exceed its capacity.

    What is still over afterwards cannot be placed in any lead's spare beds
    (:func:`capacity_notes` says how much). The moves are computed on the member x lead
    costs of all pairs, also when the plan was constrained (today's alliances, the travel
    window), so they show what respecting the beds would take.

    Parameters
    ----------
    data : PlanData
    members : Members
    assignment : Assignment
    alliances : pandas.DataFrame
        The plan's alliance table (``referral_load``, ``referral_capacity``), in
        ``assignment.lead_cols`` order.
    limit_min : float or None
        The travel window, minutes (for ``within_limit``).

    Returns
    -------
    pandas.DataFrame
        :data:`CAPACITY_MOVES_COLUMNS`: the member (facility id, name), its ``lead`` now,
        ``to_lead`` (id, name), ``load`` (referrals per year), ``extra_min`` (its residents'
        mean extra one-way minutes per referral), ``extra_patient_hours`` (per year),
        ``within_limit``, ``lead_load_after`` (the load of ``lead`` after this move) and
        ``lead_capacity``. Empty when every lead fits.
    """
    cols = np.asarray(assignment.lead_cols, dtype=int)
    cap = alliances["referral_capacity"].to_numpy(float)
    load = alliances["referral_load"].to_numpy(float).copy()
    lead_ids = [str(i) for i in alliances.index]
    names = data.region.facilities["name"]
    at = assignment.member_lead_col.copy()
    moved = np.zeros(len(at), dtype=bool)
    fac_ids = np.asarray(data.fac_ids, dtype=object)
    member_ids = fac_ids[members.index]
    within_all = (
        np.ones(members.worst.shape, dtype=bool)
        if limit_min is None
        else members.worst <= limit_min * 60.0 + 1e-9
    )
    rows = []
    over = load - cap
    order = sorted(np.flatnonzero(over > _TOL), key=lambda j: (-over[j], lead_ids[j]))
    for j in order:
        own = data.cand_idx[cols[j]]
        while load[j] > cap[j] + _TOL:
            movable = np.flatnonzero((at == cols[j]) & ~moved & (members.loads > 0))
            movable = movable[members.index[movable] != own]
            spare = cap - load
            targets = np.flatnonzero((np.arange(len(cols)) != j) & (spare > _TOL))
            if not len(movable) or not len(targets):
                break
            ld = members.loads[movable][:, None]
            costs = members.costs[np.ix_(movable, cols[targets])]
            fits = (ld <= spare[targets][None, :] + _TOL) & np.isfinite(costs)
            if not fits.any():
                break
            extra = costs - members.costs[movable, cols[j]][:, None]
            within = within_all[np.ix_(movable, cols[targets])]
            keys = [
                (not within[a, b], extra[a, b] / ld[a, 0], member_ids[movable[a]], lead_ids[t])
                for a, b in zip(*np.nonzero(fits))
                for t in [targets[b]]
            ]
            _, _, mid, tid = min(keys)
            a = int(np.flatnonzero(member_ids[movable] == mid)[0])
            k = movable[a]
            t = lead_ids.index(tid)
            hours = float(members.costs[k, cols[t]] - members.costs[k, cols[j]])
            load[j] -= members.loads[k]
            load[t] += members.loads[k]
            at[k], moved[k] = cols[t], True
            rows.append(
                {
                    "member": str(mid),
                    "member_name": names.get(mid, mid),
                    "lead": lead_ids[j],
                    "to_lead": tid,
                    "to_lead_name": names.get(tid, tid),
                    "load": float(members.loads[k]),
                    "extra_min": hours * 30.0 / float(members.loads[k]),
                    "extra_patient_hours": hours,
                    "within_limit": bool(within_all[k, cols[t]]),
                    "lead_load_after": float(load[j]),
                    "lead_capacity": float(cap[j]),
                }
            )
    return pd.DataFrame(rows, columns=list(CAPACITY_MOVES_COLUMNS))


def capacity_notes(
    data: PlanData,
    alliances: pd.DataFrame,
    moves: pd.DataFrame,
    *,
    enforced: bool,
    status: str,
    limit_min: float | None,
) -> list[str]:
    """The plan messages on capacity: where it is exceeded, by how much, and what would fix it.

    Parameters
    ----------
    data : PlanData
    alliances : pandas.DataFrame
        The plan's alliance table (``referral_load``, ``referral_capacity``, ``overflow``).
    moves : pandas.DataFrame
        :func:`capacity_moves_table`.
    enforced : bool
        Whether the solver enforced the capacities (soft capacities) or ignored them
        (``capacities = false``).
    status : str
        The location solve's status ("optimal": the total overflow is proven the least).
    limit_min : float or None
        The travel window, minutes.

    Returns
    -------
    list of str
        Empty when every lead fits; else one message naming each over-capacity lead with its
        load, beds capacity, overflow and utilisation, and one on the members to move.
    """
    over = alliances[alliances["overflow"] > _TOL].sort_values("overflow", ascending=False)
    if not len(over):
        return []
    fac = data.region.facilities
    beds = fac["beds"]
    parts = [
        Note(
            "note.over_part",
            name=_name(fac, lead, row["name"]),
            id=str(lead),
            load=f"{row.referral_load:,.0f}",
            capacity=f"{row.referral_capacity:,.0f}",
            beds=f"{beds.get(lead, np.nan):,.0f}",
            overflow=f"{row.overflow:,.0f}",
            util=f"{row.utilisation * 100:,.0f}",
        )
        for lead, row in over.iterrows()
    ]
    total = float(over["overflow"].sum())
    if enforced:
        head = "note.over_capacity"
        tail = (
            Note("note.tail_proven")
            if status == "optimal"
            else Note("note.tail_unproven", status=term(f"stage.{status}", status))
        )
    else:
        head, tail = "note.over_capacity_free", Note("note.tail_free")
    notes = [Note(head, parts=joined(parts), total=f"{total:,.0f}", tail=tail)]
    load = alliances["referral_load"].copy()
    for row in moves.itertuples():
        load[row.lead] -= row.load
        load[row.to_lead] += row.load
    left = float((load - alliances["referral_capacity"]).clip(lower=0).sum())
    if len(moves):
        listed = [
            Note(
                "note.move",
                member=_name(fac, row.member, row.member_name),
                id=str(row.member),
                to=_name(fac, row.to_lead, row.to_lead_name),
            )
            for row in moves.head(8).itertuples()
        ]
        more = Note("note.moves_more", n=str(len(moves) - 8)) if len(moves) > 8 else ""
        outside = int((~moves["within_limit"].astype(bool)).sum())
        window = (
            Note("note.moves_window", n=str(outside), limit=f"{limit_min:g}")
            if outside and limit_min is not None
            else ""
        )
        notes.append(
            Note(
                "note.moves_one" if len(moves) == 1 else "note.moves_many",
                n=str(len(moves)),
                listed=joined(listed, "note.comma"),
                more=more,
                window=window,
                hours=f"{moves['extra_patient_hours'].sum():,.0f}",
                left=Note("note.moves_left", left=f"{left:,.0f}") if left > _TOL else "",
            )
        )
    elif (alliances["referral_load"] >= alliances["referral_capacity"] - _TOL).all():
        notes.append(Note("note.all_over", left=f"{left:,.0f}"))
    else:
        spare = (alliances["referral_capacity"] - alliances["referral_load"]).clip(lower=0)
        notes.append(Note("note.no_fit", spare=f"{spare.sum():,.0f}", left=f"{left:,.0f}"))
    return notes


def _name(facilities: pd.DataFrame, fid: Any, name: Any) -> dict[str, str] | str:
    """A facility's name by language (its ``name_zh`` too, where the data give one)."""
    row = facilities.loc[fid] if fid in facilities.index else {"name": name}
    return name_in({**dict(row), "name": name}, str(fid))
