"""Which facilities may lead, which must, how many, and who leads today."""

from __future__ import annotations

from collections.abc import Sequence

from netopt._errors import DataError, Problem
from netopt.alliances._notes import argument_error
from netopt.region import LEAD_TIERS, Region

__all__ = ["current_alliances", "number_of_leads", "resolve_leads"]


def resolve_leads(
    region: Region,
    fixed_leads: Sequence[str],
    candidates: Sequence[str] | None,
    *,
    allow_any_lead: bool = False,
) -> tuple[list[str], list[str]]:
    """Return (candidate ids, fixed lead ids), checking every id exists.

    Parameters
    ----------
    region : Region
    fixed_leads : sequence of str
        Leads that must stay open; they join the candidates.
    candidates : sequence of str or None
        Facilities that may lead; None: every facility with ``can_lead``.
    allow_any_lead : bool, default False
        Accept fixed leads whose ``can_lead`` is false.

    Returns
    -------
    tuple of (list of str, list of str)

    Raises
    ------
    DataError
        Unknown facility ids, a fixed lead that cannot lead (unless ``allow_any_lead``), or
        no facility can lead.
    """
    fac = region.facilities
    cand = (
        list(candidates)
        if candidates is not None
        else list(fac.index[fac["can_lead"].astype(bool)])
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
