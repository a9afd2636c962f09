"""The plan's tables as the layers read them: facilities with alliance figures, lead stats.

An :class:`~netopt.alliances.AlliancePlan` (or any object with its ``region``, ``leads``,
``facilities``, ``zones``, ``alliances`` attributes) is joined here once per drawing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from netopt.maps.i18n import current_language
from netopt.maps.text import esc
from netopt.region import TIERS

__all__ = [
    "alliance_names",
    "clean_ids",
    "display_names",
    "facility_points",
    "facility_table",
    "lead_stats",
    "minutes",
]


def minutes(frame: pd.DataFrame, base: str) -> pd.Series:
    """Return ``<base>_min`` if present, else ``<base>_s`` / 60, else NaN.

    Parameters
    ----------
    frame : pandas.DataFrame
    base : str
        Column name without the unit, e.g. ``"t_lead"``.

    Returns
    -------
    pandas.Series
    """
    if f"{base}_min" in frame:
        return pd.to_numeric(frame[f"{base}_min"], errors="coerce")
    if f"{base}_s" in frame:
        return pd.to_numeric(frame[f"{base}_s"], errors="coerce") / 60.0
    return pd.Series(np.nan, index=frame.index)


def clean_ids(values: pd.Series) -> pd.Series:
    """Return a facility-id column as text, with '' / NaN / None turned into ''.

    Parameters
    ----------
    values : pandas.Series

    Returns
    -------
    pandas.Series
    """
    out = values.astype(object).where(values.notna(), "")
    return out.map(lambda v: "" if v is None else str(v))


def facility_table(plan: Any) -> pd.DataFrame:
    """Region facilities joined with the plan's facility table and alliance figures.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan

    Returns
    -------
    pandas.DataFrame
        Index: facility id (text); columns ``name``, ``tier`` (a region tier or
        ``"other"``), ``beds``, ``lon``, ``lat``, ``lead`` ('' when none), ``is_lead``,
        ``population``, ``referrals_per_year``, ``mean_travel_min``.
    """
    fac = plan.region.facilities
    pf = plan.facilities.reindex(fac.index)
    out = pd.DataFrame(index=fac.index.astype(str))
    out["name"] = display_names(fac).to_numpy()
    out["tier"] = fac["tier"].where(fac["tier"].isin(TIERS), "other").to_numpy()
    out["beds"] = (
        pd.to_numeric(fac.get("beds"), errors="coerce").to_numpy() if "beds" in fac else np.nan
    )
    xy = shapely.get_coordinates(shapely.point_on_surface(fac.geometry.to_numpy()))
    out["lon"], out["lat"] = xy[:, 0], xy[:, 1]
    out["lead"] = clean_ids(pf["lead"]).to_numpy() if "lead" in pf else ""
    leads = {str(j) for j in plan.leads}
    out["is_lead"] = out.index.isin(list(leads))
    for col in ("population", "referrals_per_year", "mean_travel_min"):
        out[col] = pd.to_numeric(pf[col], errors="coerce").to_numpy() if col in pf else np.nan
    return out


def display_names(facilities: pd.DataFrame) -> pd.Series:
    """Facility names in the page language: ``name_zh`` on Chinese pages where the data give
    one, else ``name``.

    Parameters
    ----------
    facilities : pandas.DataFrame
        The region's facilities (``name``, optionally ``name_zh``).

    Returns
    -------
    pandas.Series
        Indexed like ``facilities``.
    """
    names = facilities["name"].astype(str)
    if current_language() != "zh" or "name_zh" not in facilities:
        return names
    zh = facilities["name_zh"]
    given = zh.notna() & zh.astype(str).str.strip().ne("")
    return names.where(~given, zh.astype(str))


def facility_points(region: Any) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Each facility's point (lon, lat) and its escaped display name, by id (as text).

    Parameters
    ----------
    region : netopt.region.Region

    Returns
    -------
    (dict, dict)
        ``{id: (lon, lat)}`` (a point on the facility's geometry) and ``{id: name}`` in the
        page language (:func:`display_names`), HTML-escaped.
    """
    fac = region.facilities
    xy = shapely.get_coordinates(shapely.point_on_surface(fac.geometry.to_numpy()))
    ids = [str(i) for i in fac.index]
    points = {i: (float(x), float(y)) for i, (x, y) in zip(ids, xy, strict=True)}
    names = {i: esc(n) for i, n in zip(ids, display_names(fac), strict=True)}
    return points, names


def alliance_names(plan: Any, facilities: pd.DataFrame) -> dict[str, str]:
    """Return the display name of each alliance: its ``alliances.name``, else its lead's name.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
    facilities : pandas.DataFrame
        From :func:`facility_table`.

    Returns
    -------
    dict of str to str
        Lead id to name, in the order of ``plan.leads``.
    """
    names = facilities["name"].astype(str).to_dict()
    al = getattr(plan, "alliances", None)
    out = {j: names.get(j, j) for j in map(str, plan.leads)}
    if al is not None and "name" in al and current_language() != "zh":  # zh: the Chinese names
        out.update({str(k): str(v) for k, v in al["name"].items() if isinstance(v, str) and v})
    return out


def lead_stats(plan: Any, zplan: pd.DataFrame) -> pd.DataFrame:
    """Per lead: alliance population, referral load/capacity, mean time of its residents.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
    zplan : pandas.DataFrame
        The plan's zone table aligned with the region's zones.

    Returns
    -------
    pandas.DataFrame
        ``plan.alliances`` (index as text) plus ``resident_mean_min``.
    """
    al = getattr(plan, "alliances", pd.DataFrame()).copy()
    al.index = al.index.astype(str)
    if len(zplan) and "lead" in zplan:
        t = minutes(zplan, "t_lead")
        w = pd.to_numeric(zplan.get("population", 1.0), errors="coerce").fillna(0.0)
        ok = np.isfinite(t) & (w > 0)
        frame = pd.DataFrame({"lead": clean_ids(zplan["lead"]), "wt": (w * t)[ok], "w": w[ok]})
        g = frame.groupby("lead")[["wt", "w"]].sum()
        al["resident_mean_min"] = (g["wt"] / g["w"].where(g["w"] > 0)).reindex(al.index)
    return al
