"""Which facilities may lead, which must, how many, and who leads today.

Leads stay inside the planning area (:mod:`netopt.alliances.area`): a hospital outside it is
a referral partner, not a lead candidate, unless ``allow_outside_leads`` is set.
"""

from __future__ import annotations

from collections.abc import Sequence

from netopt._errors import DataError, Problem
from netopt._notes import Note, joined, name_in
from netopt.alliances._notes import argument_error
from netopt.alliances.area import AREA_BUFFER_KM, facilities_in_area, outside_area
from netopt.alliances.options import AllianceOptions
from netopt.region import LEAD_TIERS, Region

__all__ = [
    "current_alliances",
    "lead_notes",
    "number_of_leads",
    "outside_where",
    "resolve_leads",
]


def resolve_leads(
    region: Region,
    fixed_leads: Sequence[str],
    candidates: Sequence[str] | None,
    *,
    allow_any_lead: bool = False,
    allow_outside_leads: bool = False,
) -> tuple[list[str], list[str]]:
    """Return (candidate ids, fixed lead ids), checking every id exists.

    Parameters
    ----------
    region : Region
    fixed_leads : sequence of str
        Leads that must stay open; they join the candidates.
    candidates : sequence of str or None
        Facilities that may lead; None: every facility with ``can_lead`` that is not outside
        the declared planning area (:func:`~netopt.alliances.area.outside_area`).
    allow_any_lead : bool, default False
        Accept fixed leads whose ``can_lead`` is false.
    allow_outside_leads : bool, default False
        Let facilities outside the planning area be candidates and fixed leads.

    Returns
    -------
    tuple of (list of str, list of str)

    Raises
    ------
    DataError
        Unknown facility ids, a fixed lead that cannot lead (unless ``allow_any_lead``), a
        candidate or fixed lead outside the planning area (unless ``allow_outside_leads``),
        or no facility can lead.
    """
    fac = region.facilities
    outside = outside_area(region) & (not allow_outside_leads)
    can_lead = fac["can_lead"].astype(bool)
    cand = (
        list(candidates)
        if candidates is not None
        else list(fac.index[(can_lead & ~outside).to_numpy()])
    )
    fixed = list(fixed_leads)
    problems = [
        Problem(
            "AllianceOptions",
            fid,
            field,
            "unknown facility id",
            f"use one of {list(fac.index[:10])}...",
        )
        for field, ids in (("candidates", cand), ("fixed_leads", fixed))
        for fid in ids
        if fid not in fac.index
    ]
    if not allow_any_lead:
        problems += [
            Problem(
                "AllianceOptions",
                fid,
                "fixed_leads",
                f"{fac.at[fid, 'name']} is a {fac.at[fid, 'tier']} facility that cannot lead an "
                "alliance (can_lead is false)",
                "name a lead-capable hospital, or set allow_any_lead = true to plan with it",
            )
            for fid in fixed
            if fid in fac.index and not bool(fac.at[fid, "can_lead"])
        ]
    if outside.any():
        named = (("candidates", candidates or ()), ("fixed_leads", fixed))
        problems += [
            Problem(
                "AllianceOptions",
                fid,
                field,
                f"{fac.at[fid, 'name']} lies outside the planning area "
                f"({outside_where(region, fid)}): a referral partner, not an alliance lead",
                "name a hospital inside the area, or set allow_outside_leads = true to let it lead",
            )
            for field, ids in named
            for fid in dict.fromkeys(ids)
            if fid in fac.index and bool(outside[fid])
        ]
    if problems:
        raise DataError(problems)
    for fid in fixed:
        if fid not in cand:
            cand.append(fid)
    if not cand:
        n_out = int((can_lead & outside).sum())
        raise DataError(
            Problem(
                "facilities",
                "",
                "can_lead",
                "no facility can lead an alliance"
                + (
                    f" ({n_out} lead-capable facilit{'y lies' if n_out == 1 else 'ies lie'} "
                    "outside the planning area)"
                    if n_out
                    else ""
                ),
                f"set can_lead = true for at least one {LEAD_TIERS} hospital"
                + (" inside the area, or set allow_outside_leads = true" if n_out else ""),
            )
        )
    return cand, fixed


def outside_where(region: Region, fid: str) -> str:
    """Say where facility ``fid`` lies against the planning area, in words.

    Returns
    -------
    str
        E.g. ``"area 330203, planning area 330225"``, or, for a facility placed by position,
        ``"more than 2 km from every resident zone"``.
    """
    fac = region.facilities
    code = fac.at[fid, "area"] if "area" in fac.columns else None
    areas = ", ".join(region.area_codes)
    if (
        isinstance(code, str)
        and code
        and areas
        and not any(a.startswith(code) for a in region.area_codes)
    ):
        return Note("note.where_area", code=code, areas=areas)
    km = f"{AREA_BUFFER_KM:g}"
    if areas:
        return Note("note.where_far_area", km=km, areas=areas)
    return Note("note.where_far", km=km)


def lead_notes(region: Region, lead_ids: Sequence[str], options: AllianceOptions) -> list[str]:
    """Return what a plan must say about its settings: the travel window and the area.

    Parameters
    ----------
    region : Region
    lead_ids : sequence of str
        The plan's leads.
    options : AllianceOptions

    Returns
    -------
    list of str
        ``"travel window 60 min (default): ..."`` when no ``max_travel_min`` was given; the
        lead-capable hospitals left out as referral partners outside the planning area;
        each lead outside it (with ``allow_outside_leads``, or by position in a region
        without ``area``).
    """
    notes: list[str] = []
    if options.travel_window_default:
        window = options.max_travel_min
        text = (
            Note("note.no_window")
            if window is None
            else Note("note.window_default_text", min=f"{window:g}")
        )
        notes.append(Note("note.window_default", window=text))
    fac = region.facilities
    inside = facilities_in_area(region)
    outside = ~inside if region.area_codes else inside & False  # as outside_area(region)
    partners = [
        fid
        for fid in fac.index[(fac["can_lead"].astype(bool) & outside).to_numpy()]
        if fid not in lead_ids
    ]
    if partners and not (
        options.allow_outside_leads or options.evaluate_only or options.candidates
    ):
        listed = [
            Note(
                "note.partner",
                id=fid,
                name=name_in(fac.loc[fid], fid),
                where=outside_where(region, fid),
            )
            for fid in partners
        ]
        one = len(partners) == 1
        notes.append(
            Note("note.partners_one" if one else "note.partners_many", listed=joined(listed))
        )
    for fid in lead_ids:
        if fid not in fac.index or bool(inside[fid]):
            continue
        where = outside_where(region, fid)
        if region.area_codes:
            notes.append(
                Note("note.lead_outside", id=fid, name=name_in(fac.loc[fid], fid), where=where)
            )
        else:
            notes.append(
                Note(
                    "note.lead_maybe_outside", id=fid, name=name_in(fac.loc[fid], fid), where=where
                )
            )
    return notes


def number_of_leads(p: int | None, n_fixed: int, n_cand: int) -> int:
    """Return the number of leads to open, checked against the fixed leads and the candidates.

    Raises
    ------
    DataError
        Neither ``p`` nor fixed leads given, or ``p`` outside ``n_fixed..n_cand``.
    """
    if p is None and not n_fixed:
        raise argument_error(
            "AllianceOptions",
            "p",
            "neither p nor fixed_leads given",
            "set p (number of alliances), fixed_leads, or evaluate_only = true",
        )
    p_eff = n_fixed if p is None else int(p)
    if not n_fixed <= p_eff <= n_cand:
        raise argument_error(
            "AllianceOptions",
            "p",
            f"p={p_eff}",
            f"choose p between {n_fixed} (fixed leads) and {n_cand} (lead-capable facilities)",
        )
    return p_eff


def current_alliances(region: Region) -> dict[str, str]:
    """Return facility id -> lead id of today's alliances (``facilities.alliance``).

    Raises
    ------
    DataError
        A lead that is not a facility id, or no facility with a current alliance.
    """
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
