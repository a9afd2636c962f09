"""The solver's arrays as the schedule's tables: visits, coverage and shortfalls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from netopt.rotations.needs import COUNTY_TIER
from netopt.rotations.schedule import COVERAGE_COLUMNS, VISIT_COLUMNS
from netopt.solve.rotation import RotationInstance, RotationResult

__all__ = ["coverage_frame", "shortfall_table", "visits_frame"]


def visits_frame(
    res: RotationResult,
    inst: RotationInstance,
    experts: pd.DataFrame,
    sites: Sequence[str],
    specialties: Sequence[str],
    facilities: pd.DataFrame,
    names: Mapping[str, str],
    start: dt.date,
    tiers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per visit; expected patients filled visit by visit up to each capacity.

    Parameters
    ----------
    res : RotationResult
    inst : RotationInstance
    experts : pandas.DataFrame
        The experts table, in the instance's expert order.
    sites, specialties : sequence of str
        In the instance's order.
    facilities : pandas.DataFrame
        The plan's facilities (``lead`` column).
    names : mapping
        Facility id to name.
    start : datetime.date
        Day 0.
    tiers : mapping, optional
        Site id to tier (``"partner->county"`` or ``"county->township"``, the default).

    Returns
    -------
    pandas.DataFrame
        :data:`~netopt.rotations.VISIT_COLUMNS`, sorted by date, expert, site.
    """
    v = res.visits
    if len(v) == 0:
        return pd.DataFrame(columns=list(VISIT_COLUMNS))
    e, s, d, length = v[:, 0], v[:, 1], v[:, 2], v[:, 3]
    o = inst.expert_origin[e]
    k = inst.expert_specialty[e]
    opt = inst.options
    cap = opt.capacity[o, s]
    order = np.lexsort((e, d, s * len(specialties) + k))
    expected = np.zeros(len(v), np.int64)
    left = res.served.astype(np.int64).copy()
    for i in order:
        take = min(int(cap[i]), int(left[s[i], k[i]]))
        expected[i] = take
        left[s[i], k[i]] -= take
    site_ids = np.asarray(sites, dtype=object)[s]
    frame = pd.DataFrame(
        {
            "expert": experts.index.to_numpy()[e],
            "expert_name": experts["name"].to_numpy()[e],
            "specialty": np.asarray(specialties, dtype=object)[k],
            "date": [start + dt.timedelta(days=int(x)) for x in d],
            "day": d.astype(np.int64),
            "site": site_ids,
            "site_name": [names.get(x, x) for x in site_ids],
            "lead": facilities.loc[site_ids, "lead"].to_numpy(),
            "travel_out_min": np.round(opt.travel_out_min[o, s], 1),
            "travel_back_min": np.round(opt.travel_back_min[o, s], 1),
            "clinic_hours": np.round(opt.clinic_min[o, s] / 60.0, 2),
            "expected_patients": expected,
            "stay": np.where(length > 1, "multi-day", "day trip"),
            "lodging_days": (length - 1).astype(np.int64),
            "tier": _tiers_of(site_ids, tiers),
        }
    )
    return frame.sort_values(["date", "expert", "site"], kind="stable").reset_index(drop=True)


def coverage_frame(
    res: RotationResult,
    inst: RotationInstance,
    sites: Sequence[str],
    specialties: Sequence[str],
    names: Mapping[str, str],
    need: np.ndarray,
    tiers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per (site, specialty) with a need: need, service, visits, shortfall, gap.

    Parameters
    ----------
    res : RotationResult
    inst : RotationInstance
    sites, specialties : sequence of str
        In the instance's order.
    names : mapping
        Facility id to name.
    need : numpy.ndarray
        ``(S, K)`` patients needed.
    tiers : mapping, optional
        Site id to tier (default ``"county->township"``).

    Returns
    -------
    pandas.DataFrame
        :data:`~netopt.rotations.COVERAGE_COLUMNS`.
    """
    s, k = np.nonzero(need > 0)
    site_ids = np.asarray(sites, dtype=object)[s]
    return pd.DataFrame(
        {
            "site": site_ids,
            "site_name": [names.get(x, x) for x in site_ids],
            "specialty": np.asarray(specialties, dtype=object)[k],
            "rhythm_days": inst.site_rhythm[s, k],
            "need_patients": need[s, k],
            "served_patients": res.served[s, k],
            "needed_visits": res.needed[s, k],
            "delivered_visits": res.delivered[s, k],
            "shortfall": res.shortfall[s, k],
            "max_gap_days": res.max_gap[s, k],
            "tier": _tiers_of(site_ids, tiers),
        },
        columns=list(COVERAGE_COLUMNS),
    )


def shortfall_table(coverage: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """The coverage rows with a shortfall, each with a one-line ``message``.

    Parameters
    ----------
    coverage : pandas.DataFrame
        From :func:`coverage_frame`.
    horizon_days : int

    Returns
    -------
    pandas.DataFrame
    """
    short = coverage[coverage["shortfall"] > 0].copy()
    short["message"] = [
        f"{r.site} ({r.site_name}), {r.specialty}: needs {r.needed_visits} visit(s) "
        f"(one every {r.rhythm_days} days over {horizon_days}), gets {r.delivered_visits}, "
        f"longest gap {r.max_gap_days} days: short by {r.shortfall}"
        for r in short.itertuples()
    ]
    return short.reset_index(drop=True)


def _tiers_of(site_ids: np.ndarray, tiers: Mapping[str, str] | None) -> np.ndarray:
    """The tier of each site id (``"county->township"`` unless ``tiers`` says otherwise)."""
    tiers = tiers or {}
    return np.array([tiers.get(s, COUNTY_TIER) for s in site_ids], dtype=object)
