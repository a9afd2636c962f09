"""Expert rotations drawn as toggleable layers: one per expert, or one per week.

Drawing never routes. The line of each trip, from the expert's home facility to the visited
site, is the ``geometry`` of the schedule's :attr:`~netopt.rotations.RotationSchedule.routes`
row for that (``origin``, ``site``) pair, which the scheduler traced along the travel graph;
a schedule without ``routes``, or a pair missing from it, gets a straight line between the
two facilities.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely

from netopt.maps.elements import GeoJsonLayer
from netopt.maps.geometry import feature
from netopt.maps.styles import PALETTE
from netopt.maps.text import esc, message, num, popup

__all__ = ["MAX_EXPERT_LAYERS", "add_rotations", "route_lines", "visit_homes"]

logger = logging.getLogger(__name__)

#: With ``rotation_layers="auto"``, more experts than this get one layer per week instead.
MAX_EXPERT_LAYERS = 8

_STYLE = {"weight": 3.5, "opacity": 0.9, "dashArray": "2 7", "lineCap": "round"}


def visit_homes(schedule: Any, plan: Any) -> pd.Series:
    """Return the home facility of each visit's expert, the ``origin`` of its route.

    The schedule's own experts table (``schedule.experts["home"]``, from which the
    scheduler made the ``origin`` of :attr:`routes`) when it has one, else the region's
    (``plan.region.experts["home_facility"]``); a visit whose expert is in neither starts
    from its alliance's lead.

    Parameters
    ----------
    schedule : netopt.rotations.RotationSchedule
        Uses ``visits`` (``expert``, ``lead``) and, when present, ``experts``.
    plan : netopt.alliances.AlliancePlan

    Returns
    -------
    pandas.Series of str
        Aligned with ``schedule.visits``.
    """
    visits = schedule.visits
    home = visits["lead"].astype(str)
    experts = getattr(schedule, "experts", None)
    column = "home"
    if experts is None or column not in experts:
        experts, column = getattr(plan.region, "experts", None), "home_facility"
    if experts is not None and column in experts:
        home = visits["expert"].map(experts[column].astype(str)).fillna(home).astype(str)
    return home


def route_lines(
    schedule: Any, pairs: Iterable[tuple[str, str]], fac: pd.DataFrame
) -> dict[tuple[str, str], np.ndarray]:
    """Return the line coordinates of each (home, site) pair, from ``schedule.routes``.

    Parameters
    ----------
    schedule : netopt.rotations.RotationSchedule
        Its ``routes`` table (columns ``origin``, ``site``, ``geometry``, lon/lat), if any.
    pairs : iterable of (str, str)
        Facility ids (home, site).
    fac : pandas.DataFrame
        :func:`netopt.maps.tables.facility_table` (``lon``, ``lat``), for straight lines.

    Returns
    -------
    dict of (str, str) to numpy.ndarray
        ``(n, 2)`` lon/lat coordinates; a straight line where ``routes`` has no line.
    """
    routes = getattr(schedule, "routes", None)
    known: dict[tuple[str, str], Any] = {}
    if routes is not None and len(routes):
        for a, b, geom in zip(
            routes["origin"].astype(str), routes["site"].astype(str), routes["geometry"]
        ):
            known[(a, b)] = geom
    out = {}
    for a, b in pairs:
        geom = known.get((a, b))
        coords = None
        if geom is not None and not shapely.is_empty(geom):
            coords = shapely.get_coordinates(geom)
        if coords is None or len(coords) < 2:
            if routes is not None:
                logger.debug("no route %s -> %s in the schedule: straight line drawn", a, b)
            coords = fac.loc[[a, b], ["lon", "lat"]].to_numpy()
        out[(a, b)] = coords
    return out


def _date(day: Any) -> str:
    """A day and month in the page's language: "05 Mar", "3月05日"."""
    return message("date.short", day=f"{day:%d}", month=message(f"date.month.{day.month}"))


def _title(key: Any, g: pd.DataFrame, by: str) -> str:
    if by == "week":
        dates = pd.to_datetime(g["date"])
        return message(
            "rotation.week",
            n=str(int(key) + 1),
            start=_date(dates.min()),
            end=_date(dates.max()),
        )
    name, specialty = str(g.iloc[0]["expert_name"]), str(g.iloc[0]["specialty"])
    title = message("rotation.expert", name=esc(name))
    if specialty.lower() not in name.lower():
        title += f" ({esc(specialty)})"
    return title


def _trip_popup(site_name: Any, trips: pd.DataFrame) -> str:
    dates = ", ".join(_date(d) for d in pd.to_datetime(trips["date"]).sort_values())
    names = ", ".join(sorted({esc(n) for n in trips["expert_name"]}))
    rows = [
        (message("field.experts"), names),
        (message("field.specialty"), ", ".join(sorted({esc(x) for x in trips["specialty"]}))),
        (message("field.visits"), f"{len(trips)}: {dates}"),
        (message("field.travel_out"), num(trips["travel_out_min"].mean(), ".0f", " min")),
        (message("field.clinic_hours"), num(trips["clinic_hours"].sum(), ".1f", " h")),
        (message("field.patients"), num(trips["expected_patients"].sum())),
        (message("field.stay"), esc(", ".join(sorted(set(map(str, trips["stay"])))))),
    ]
    return popup(message("rotation.to", name=esc(site_name)), rows)


def add_rotations(
    m: folium.Map,
    schedule: Any,
    plan: Any,
    fac: pd.DataFrame,
    precision: int,
    tolerance: float,
    *,
    by: str,
) -> int:
    """Add one hidden layer of dotted trip lines per expert (or per week) of the schedule.

    Parameters
    ----------
    m : folium.Map
    schedule : netopt.rotations.RotationSchedule
        Uses ``visits`` and ``routes`` (see the module docstring).
    plan : netopt.alliances.AlliancePlan
    fac : pandas.DataFrame
        :func:`netopt.maps.tables.facility_table`.
    precision : int
        Decimals kept.
    tolerance : float
        Simplification tolerance in degrees (lines are simplified by a quarter of it).
    by : {"expert", "week"}, keyword-only
        One layer per expert or per week.

    Returns
    -------
    int
        Layers added.
    """
    v = schedule.visits.copy()
    if v.empty:
        return 0
    v = v.assign(home=visit_homes(schedule, plan).to_numpy(), site=v["site"].astype(str))
    v = v[v["site"].isin(fac.index) & v["home"].isin(fac.index) & (v["home"] != v["site"])]
    if by == "week":
        v["group"] = (pd.to_numeric(v["day"]) // 7).astype(int)
    else:
        v["group"] = v["expert"].astype(str)
    lines = route_lines(schedule, sorted(set(zip(v["home"], v["site"]))), fac)
    n_layers = 0
    for i, (key, g) in enumerate(v.groupby("group", sort=True)):
        feats = []
        for (h, s), trips in g.groupby(["home", "site"], sort=True):
            geom = shapely.simplify(shapely.linestrings(lines[(h, s)]), tolerance / 4)
            f = feature(geom, {"p": _trip_popup(fac.at[s, "name"], trips)}, precision)
            if f:
                feats.append(f)
        fg = folium.FeatureGroup(name=_title(key, g, by), show=False).add_to(m)
        style = {"color": PALETTE[i % len(PALETTE)], **_STYLE}
        fg.add_child(GeoJsonLayer(feats, class_name="netopt-rotation", style=style))
        n_layers += 1
    return n_layers
