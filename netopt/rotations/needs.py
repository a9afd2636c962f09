"""What the sites need: expected patient visits and the travel a local visit saves.

Two tiers of sites: an alliance's member sites (township centres, visited by the
alliance's experts) and the county leads hosted by a partner hospital (visited by the
partner's experts, :attr:`~netopt.rotations.RotationOptions.hosted_by`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from netopt.alliances import AlliancePlan

__all__ = [
    "COUNTY_TIER",
    "DEFAULT_OTHER_RATE",
    "DEFAULT_VISIT_RATES",
    "PARTNER_TIER",
    "partner_saving_min",
    "patient_saving_min",
    "site_needs",
]

#: Tier of a visit by a partner (city or tertiary) expert to a county lead it hosts.
PARTNER_TIER = "partner->county"
#: Tier of a visit by an alliance's expert to one of its member sites (township centres).
COUNTY_TIER = "county->township"

#: Specialist outpatient visits per resident per year that a visiting expert can see locally.
#: Illustrative planning assumptions (not measured figures): replace them with local data
#: through ``visit_rates=`` or per site through ``needs=``.
DEFAULT_VISIT_RATES: dict[str, float] = {
    "cardiology": 0.06,
    "pediatrics": 0.08,
    "obstetrics": 0.05,
    "orthopedics": 0.05,
    "neurology": 0.03,
    "oncology": 0.02,
    "endocrinology": 0.04,
    "respiratory": 0.05,
    "ophthalmology": 0.04,
    "general": 0.10,
}
#: Rate used for a specialty missing from :data:`DEFAULT_VISIT_RATES`.
DEFAULT_OTHER_RATE: float = 0.03


def site_needs(
    plan: AlliancePlan,
    specialties: Sequence[str],
    *,
    horizon_days: int = 28,
    visit_rates: Mapping[str, float] | None = None,
    needs: pd.DataFrame | None = None,
    hosted_by: Mapping[str, str] | None = None,
    partner_specialties: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Expected patient visits per (site, specialty) over the horizon.

    Sites are the alliance members (not leads) with residents (tier
    ``"county->township"``) and, with ``hosted_by``, the county leads a partner hosts (tier
    ``"partner->county"``). The need = residents x the specialty's yearly visit rate x
    ``horizon_days / 365``, rounded; the residents of a member site are those whose primary
    facility it is, those of a hosted lead its whole alliance (the specialist clinic at the
    county hospital serves the county). A hosted lead needs the specialties its partner's
    experts offer (``partner_specialties``); a partner facility is never a member site
    (county experts do not hold clinics at the hospital above them).

    Parameters
    ----------
    plan : AlliancePlan
    specialties : sequence of str
    horizon_days : int, default 28
    visit_rates : mapping, optional
        Visits per resident per year by specialty; merged over :data:`DEFAULT_VISIT_RATES`.
    needs : pandas.DataFrame, optional
        Per-site overrides: columns ``site``, ``specialty``, ``patients`` (over the horizon;
        0 = not needed). A site is a member site with residents or a hosted lead.
    hosted_by : mapping of str to str, optional
        ``{county lead: partner facility}`` (:attr:`RotationOptions.hosted_by`).
    partner_specialties : mapping of str to sequence of str, optional
        ``{partner facility: specialties of its experts}``; a partner missing from it (or
        all partners, when None) offers every specialty of ``specialties``.

    Returns
    -------
    pandas.DataFrame
        Columns ``site``, ``specialty``, ``population``, ``rate_per_year``, ``patients``,
        ``tier``; member sites first, then hosted leads.

    Raises
    ------
    DataError
        If an override names an unknown site or lacks a column.
    """
    fac = plan.facilities
    hosted = dict(hosted_by or {})
    partners = set(hosted.values())
    members = fac.index[
        (~fac["is_lead"].astype(bool))
        & fac["lead"].notna()
        & (fac["population"] > 0)
        & ~fac.index.isin(list(partners))
    ]
    rates = {**DEFAULT_VISIT_RATES, **dict(visit_rates or {})}
    grid = pd.MultiIndex.from_product(
        [list(members), list(specialties)], names=["site", "specialty"]
    ).to_frame(index=False)
    grid["population"] = fac.loc[grid["site"], "population"].to_numpy(float)
    leads = [lead for lead in plan.leads if lead in hosted]
    alliance_pop = fac.groupby("lead")["population"].sum()
    offered = dict(partner_specialties or {})
    up = pd.DataFrame(
        [
            (lead, k)
            for lead in leads
            for k in offered.get(hosted[lead], specialties)
            if k in set(specialties)
        ],
        columns=["site", "specialty"],
    )
    up["population"] = alliance_pop.reindex(up["site"]).fillna(0.0).to_numpy(float)
    out = pd.concat([grid, up], ignore_index=True)
    out["rate_per_year"] = [float(rates.get(k, DEFAULT_OTHER_RATE)) for k in out["specialty"]]
    out["patients"] = np.rint(out["population"] * out["rate_per_year"] * horizon_days / 365.0)
    sites = pd.Index([*members, *leads])
    if needs is not None and len(needs):
        _check_needs(needs, sites)
        over = needs.set_index(["site", "specialty"])["patients"].astype(float)
        key = pd.MultiIndex.from_frame(out[["site", "specialty"]])
        hit = key.isin(over.index)
        out.loc[hit, "patients"] = over.reindex(key[hit]).to_numpy()
        extra = over.index.difference(key)
        if len(extra):
            add = extra.to_frame(index=False)
            pop = fac["population"].astype(float).copy()
            pop.loc[leads] = alliance_pop.reindex(leads).fillna(0.0).to_numpy(float)
            add["population"] = pop.reindex(add["site"]).to_numpy(float)
            add["rate_per_year"] = np.nan
            add["patients"] = over.reindex(extra).to_numpy()
            out = pd.concat([out, add], ignore_index=True)
    out["patients"] = out["patients"].astype(np.int64)
    out["tier"] = np.where(out["site"].isin(leads), PARTNER_TIER, COUNTY_TIER)
    return out


def _check_needs(needs: pd.DataFrame, sites: pd.Index) -> None:
    """Raise a DataError listing missing columns, else every unknown site of ``needs``."""
    problems = [
        Problem("needs", "", c, "column missing", "give columns site, specialty, patients")
        for c in ("site", "specialty", "patients")
        if c not in needs.columns
    ]
    if not problems:
        problems += [
            Problem(
                "needs",
                str(i),
                "site",
                f"{r['site']!r} is not a member site with residents or a hosted lead",
                f"use one of {sorted(map(str, sites))}",
            )
            for i, r in needs.iterrows()
            if r["site"] not in set(sites)
        ]
    if problems:
        raise DataError(problems)


def patient_saving_min(plan: AlliancePlan, sites: Sequence[str]) -> np.ndarray:
    """Population-weighted mean round-trip minutes saved per patient seen at each site.

    For each site: the mean over its zones (weighted by population) of the round trip to
    the lead minus the round trip to the site, clipped at 0: what one patient seen locally
    does not travel.

    Parameters
    ----------
    plan : AlliancePlan
    sites : sequence of str
        Facility ids.

    Returns
    -------
    numpy.ndarray
        ``(S,)`` minutes (0 for a site without zones).
    """
    z = plan.zones
    t_lead = z["t_lead_min"] if "t_lead_min" in z else z["t_lead_s"] / 60.0
    t_prim = z["t_primary_min"] if "t_primary_min" in z else z["t_primary_s"] / 60.0
    save = (2.0 * (t_lead - t_prim)).clip(lower=0.0)
    ok = np.isfinite(save) & z["primary"].notna()
    w = z["population"].where(ok, 0.0)
    num = (save.where(ok, 0.0) * w).groupby(z["primary"]).sum()
    den = w.groupby(z["primary"]).sum()
    mean = (num / den.replace(0, np.nan)).fillna(0.0)
    return mean.reindex(list(sites)).fillna(0.0).to_numpy(float)


def partner_saving_min(out: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Round-trip minutes a patient saves by a specialist clinic at the county lead.

    Seen at the county hospital instead of the partner hospital, a patient of the county
    does not make the trip between the two: taken as the partner's travel to the lead in
    the morning (``out``) plus the fastest return of the day (``back``), the same
    ferry-aware matrices the experts travel by. The zone-to-lead part of the journey is
    common to both and cancels. An unreachable pair saves nothing (no visit is possible).

    Parameters
    ----------
    out : numpy.ndarray
        ``(n,)`` minutes partner -> lead at the start of the working day.
    back : numpy.ndarray
        ``(C, n)`` minutes lead -> partner at each return clock (``inf`` when no ferry).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` minutes (0 where either direction is unreachable).

    Examples
    --------
    >>> import numpy as np
    >>> partner_saving_min(np.array([90.0]), np.array([[np.inf], [100.0], [95.0]])).tolist()
    [185.0]
    """
    out = np.asarray(out, dtype=float)
    back = np.asarray(back, dtype=float).reshape(-1, len(out))
    best = back.min(axis=0, initial=np.inf)
    total = out + best
    return np.where(np.isfinite(total), total, 0.0)
