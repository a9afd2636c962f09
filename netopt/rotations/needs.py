"""What the member sites need: expected patient visits and the travel a local visit saves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from netopt.alliances import AlliancePlan

__all__ = ["DEFAULT_OTHER_RATE", "DEFAULT_VISIT_RATES", "patient_saving_min", "site_needs"]

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
) -> pd.DataFrame:
    """Expected patient visits per (site, specialty) over the horizon.

    Sites are the alliance members (not leads) with residents. The need = residents whose
    primary facility is the site x the specialty's yearly visit rate x
    ``horizon_days / 365``, rounded.

    Parameters
    ----------
    plan : AlliancePlan
    specialties : sequence of str
    horizon_days : int, default 28
    visit_rates : mapping, optional
        Visits per resident per year by specialty; merged over :data:`DEFAULT_VISIT_RATES`.
    needs : pandas.DataFrame, optional
        Per-site overrides: columns ``site``, ``specialty``, ``patients`` (over the horizon;
        0 = not needed).

    Returns
    -------
    pandas.DataFrame
        Columns ``site``, ``specialty``, ``population``, ``rate_per_year``, ``patients``.

    Raises
    ------
    DataError
        If an override names an unknown site or lacks a column.
    """
    fac = plan.facilities
    sites = fac.index[
        (~fac["is_lead"].astype(bool)) & fac["lead"].notna() & (fac["population"] > 0)
    ]
    rates = {**DEFAULT_VISIT_RATES, **dict(visit_rates or {})}
    grid = pd.MultiIndex.from_product([list(sites), list(specialties)], names=["site", "specialty"])
    out = grid.to_frame(index=False)
    out["population"] = fac.loc[out["site"], "population"].to_numpy(float)
    out["rate_per_year"] = [float(rates.get(k, DEFAULT_OTHER_RATE)) for k in out["specialty"]]
    out["patients"] = np.rint(out["population"] * out["rate_per_year"] * horizon_days / 365.0)
    if needs is not None and len(needs):
        _check_needs(needs, sites)
        over = needs.set_index(["site", "specialty"])["patients"].astype(float)
        key = pd.MultiIndex.from_frame(out[["site", "specialty"]])
        hit = key.isin(over.index)
        out.loc[hit, "patients"] = over.reindex(key[hit]).to_numpy()
        extra = over.index.difference(key)
        if len(extra):
            add = extra.to_frame(index=False)
            add["population"] = fac.loc[add["site"], "population"].to_numpy(float)
            add["rate_per_year"] = np.nan
            add["patients"] = over.reindex(extra).to_numpy()
            out = pd.concat([out, add], ignore_index=True)
    out["patients"] = out["patients"].astype(np.int64)
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
                f"{r['site']!r} is not a member site with residents",
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
