"""The diagnosis centres and the laboratory courier routes of a map.

:func:`add_cost_layers` adds, hidden at start, each with its legend (:class:`LayerLegend`):

- *Diagnosis centres*: a circle per centre and service at its facility, coloured by service
  (:data:`SERVICE_COLOURS`; a facility hosting several services shows nested circles, the
  laboratory outermost), a dark ring for an existing centre kept, a white one for a centre
  the model chose; the popup lists every service of the facility with its tests a year,
  capacity, utilisation, senders and costs;
- *Courier routes: <laboratory>*, one per laboratory centre: the legs of each vehicle route
  (``diagnosis.courier.lines``; a colour per route, road solid, ferry dashed), a popup per
  leg with the route's stops and clock times, samples, distance and oldest sample against
  the window; a circle per stop, in :data:`LATE_COLOUR` with the excess minutes when its
  samples miss the window; the stops the courier cannot serve as red rings with the reason.

Drawing never routes: the lines are the courier plan's own; the points are the region's
facilities (:func:`netopt.maps.tables.display_names` names them in the page language).
Every label is a message of :mod:`netopt.maps.i18n`; every data text passes :func:`esc`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import Element

from netopt.maps.elements import GeoJsonLayer
from netopt.maps.flow_layers import LayerLegend
from netopt.maps.geometry import feature, point_features
from netopt.maps.styles import PALETTE
from netopt.maps.tables import facility_points
from netopt.maps.text import esc, message, num, table, translate

__all__ = [
    "FERRY_DASH",
    "LATE_COLOUR",
    "SERVICE_COLOURS",
    "add_cost_layers",
    "centre_features",
    "courier_features",
    "service_name",
]

#: Fill of a centre per service (Paul Tol's *vibrant*, colour-blind safe); others grey.
SERVICE_COLOURS: dict[str, str] = {"laboratory": "#CC3311", "imaging": "#0077BB", "ecg": "#009988"}
#: Stops whose samples miss the window, and stops the courier cannot serve.
LATE_COLOUR = "#D73027"
#: Leaflet dash pattern of a ferry leg.
FERRY_DASH = "7 6"
_OTHER_COLOUR = "#777777"
_RADIUS = {"laboratory": 12.0, "imaging": 8.5, "ecg": 5.5}
_KEPT_RING, _CHOSEN_RING = "#1A1A1A", "#FFFFFF"
_LAB_COLOUR = "#1A1A1A"


def service_name(service: Any) -> str:
    """A service's name in the language in use (HTML): the catalogue's
    ``cost.service.<key>`` for laboratory, imaging and ECG, else the key, escaped.

    Parameters
    ----------
    service : str

    Returns
    -------
    str
    """
    key = f"cost.service.{service}"
    return message(key) if service in SERVICE_COLOURS else esc(service)


def _float(value: Any) -> float:
    """A number, NaN when missing or not one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _name(fid: Any, row_name: Any, names: Mapping[str, str]) -> str:
    """The page name of a facility (escaped): the region's display name, else the row's."""
    given = names.get(str(fid))
    if given:
        return given
    missing = row_name is None or (isinstance(row_name, float) and math.isnan(row_name))
    text = "" if missing else str(row_name)
    return esc(text or fid)


def _yuan(value: Any) -> str:
    return message("cost.yuan_year", amount=num(value))


def _capacity(value: Any) -> str:
    x = _float(value)
    return message("cost.no_limit") if math.isinf(x) else num(x)


def _senders(count: Any, ids: Any, names: Mapping[str, str]) -> str:
    """A centre's senders: their number, then their names (``sender_ids``, ``;``-joined or
    a list) when given; a text ``senders`` column is taken as the ids."""
    if ids is None and isinstance(count, (str, list, tuple, np.ndarray)):
        count, ids = None, count
    if isinstance(ids, str):
        ids = [s.strip() for s in ids.replace(",", ";").split(";") if s.strip()]
    listed = [str(i) for i in ids] if isinstance(ids, (list, tuple, np.ndarray)) else []
    text = num(len(listed) if count is None else count)
    if listed:
        text += ": " + ", ".join(names.get(i) or esc(i) for i in listed)
    return text


def _service_rows(r: Any, names: Mapping[str, str]) -> list[tuple[str, str]]:
    util = _float(getattr(r, "utilisation", math.nan))
    kind = "cost.centre_kept" if bool(getattr(r, "kept", False)) else "cost.centre_chosen"
    return [
        (message("cost.field.kind"), message(kind)),
        (message("cost.field.tests"), num(getattr(r, "tests_per_year", math.nan))),
        (message("cost.field.capacity"), _capacity(getattr(r, "capacity_per_year", math.inf))),
        (message("cost.field.utilisation"), num(100 * util, ".0f", " %")),
        (
            message("cost.field.senders"),
            _senders(getattr(r, "senders", None), getattr(r, "sender_ids", None), names),
        ),
        (message("cost.field.fixed_cost"), _yuan(getattr(r, "fixed_cost_yuan", math.nan))),
        (message("cost.field.test_cost"), _yuan(getattr(r, "test_cost_yuan", math.nan))),
    ]


def centre_features(
    centres: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    names: Mapping[str, str],
    precision: int,
) -> list[dict[str, Any]]:
    """Return one circle feature per centre row (service at a facility), largest first.

    Every circle of a facility carries the same popup: each of its services with whether it
    is kept or chosen, tests a year, capacity, utilisation, senders and costs.

    Parameters
    ----------
    centres : pandas.DataFrame
        :attr:`DiagnosisPlan.centres` (``service``, ``facility_id``, ``name``, ``kept``,
        ``tests_per_year``, ``capacity_per_year``, ``utilisation``, ``fixed_cost_yuan``,
        ``test_cost_yuan``, ``senders``).
    points : mapping of str to (float, float)
        Facility id to (lon, lat); centres at a facility not in it are left out.
    names : mapping of str to str
        Facility id to its escaped display name.
    precision : int
        Decimals of the coordinates.

    Returns
    -------
    list of dict
        GeoJSON features with ``p`` (popup), ``tt`` (tooltip) and ``s`` (style).
    """
    rows = [r for r in centres.itertuples(index=False) if str(r.facility_id) in points]
    if not rows:
        return []
    popups: dict[str, str] = {}
    tips: dict[str, str] = {}
    for fid in dict.fromkeys(str(r.facility_id) for r in rows):
        mine = [r for r in rows if str(r.facility_id) == fid]
        title = _name(fid, getattr(mine[0], "name", None), names)
        body = "".join(
            f"<h5>{service_name(r.service)}</h5>{table(_service_rows(r, names))}" for r in mine
        )
        popups[fid] = (
            f'<div class="netopt-popup"><h4>{title} <small>({esc(fid)})</small></h4>{body}</div>'
        )
        tips[fid] = f"{title}: " + ", ".join(service_name(r.service) for r in mine)
    rows.sort(key=lambda r: -_RADIUS.get(str(r.service), 4.0))
    props = []
    for r in rows:
        fid, service = str(r.facility_id), str(r.service)
        kept = bool(getattr(r, "kept", False))
        style = {
            "radius": _RADIUS.get(service, 4.0),
            "fillColor": SERVICE_COLOURS.get(service, _OTHER_COLOUR),
            "color": _KEPT_RING if kept else _CHOSEN_RING,
            "weight": 3.0 if kept else 1.5,
        }
        props.append({"p": popups[fid], "tt": tips[fid], "s": style})
    xy = np.array([points[str(r.facility_id)] for r in rows], dtype=float)
    return point_features(xy, props, precision)


def _clock(value: Any) -> str:
    return "&ndash;" if value is None or isinstance(value, float) else esc(value)


def _excess(minutes: Any, window: Any) -> float:
    """Minutes over the window (0 when within, NaN when unknown)."""
    m, w = _float(minutes), _float(window)
    return max(0.0, m - w) if math.isfinite(m) and math.isfinite(w) else math.nan


def _route_popup(route: str, info: Any, stops: pd.DataFrame, names: Mapping[str, str]) -> str:
    """A route's popup: its stops with clock times and samples, totals, the oldest sample."""
    items = "".join(
        f"<li>{_clock(s.arrive)}&ndash;{_clock(s.depart)} "
        f"{_name(s.facility_id, getattr(s, 'name', None), names)} ({num(s.samples)})"
        + (
            ""
            if bool(getattr(s, "meets_window", True))
            else f' <b style="color:{LATE_COLOUR}">!</b>'
        )
        + "</li>"
        for s in stops.itertuples(index=False)
    )
    window = stops["window_min"].max() if "window_min" in stops and len(stops) else math.nan
    age = getattr(info, "max_sample_age_min", math.nan) if info is not None else math.nan
    meets = bool(getattr(info, "meets_window", True)) if info is not None else True
    excess = _excess(age, window)
    status = (
        message("cost.in_window")
        if meets and not excess > 0
        else f'<b style="color:{LATE_COLOUR}">'
        + message("cost.late", excess=num(excess, ".0f"))
        + "</b>"
    )
    rows = [
        (message("cost.field.samples"), num(stops["samples"].sum() if len(stops) else math.nan)),
        (
            message("cost.field.oldest"),
            message("cost.oldest_text", age=num(age, ".0f"), window=num(window, ".0f"))
            + f" &middot; {status}",
        ),
    ]
    if info is not None:
        rows += [
            (message("cost.field.distance"), num(getattr(info, "km", math.nan), ",.1f", " km")),
            (message("cost.field.hours"), num(getattr(info, "hours", math.nan), ".1f", " h")),
            (message("cost.field.ferries"), num(getattr(info, "ferry_crossings", math.nan))),
        ]
    return (
        f'<div class="netopt-popup"><h4>{message("cost.route_title", route=esc(route))}</h4>'
        f"<b>{message('cost.field.stops')}</b><ol>{items}</ol>{table(rows)}</div>"
    )


def _stop_props(s: Any, colour: str, names: Mapping[str, str]) -> dict[str, Any]:
    name = _name(s.facility_id, getattr(s, "name", None), names)
    excess = _excess(getattr(s, "minutes_to_centre", math.nan), getattr(s, "window_min", math.nan))
    late = not bool(getattr(s, "meets_window", True)) or excess > 0
    status = (
        f'<b style="color:{LATE_COLOUR}">{message("cost.late", excess=num(excess, ".0f"))}</b>'
        if late
        else message("cost.in_window")
    )
    rows = [
        (message("cost.field.route"), esc(s.route)),
        (message("cost.field.arrive"), f"{_clock(s.arrive)} / {_clock(s.depart)}"),
        (message("cost.field.samples"), num(s.samples)),
        (message("cost.field.load"), num(getattr(s, "load", math.nan))),
        (
            message("cost.field.to_lab"),
            message(
                "cost.oldest_text",
                age=num(getattr(s, "minutes_to_centre", math.nan), ".0f"),
                window=num(getattr(s, "window_min", math.nan), ".0f"),
            ),
        ),
        ("", status),
    ]
    ferries = getattr(s, "ferries", None)
    if isinstance(ferries, str) and ferries:
        rows.append((message("cost.field.ferries"), esc(ferries.replace(";", ", "))))
    title = message("cost.stop", seq=num(s.seq), name=name)
    style = (
        {"radius": 7.0, "fillColor": LATE_COLOUR, "color": "#000000", "weight": 2.0}
        if late
        else {"radius": 5.0, "fillColor": colour, "color": "#FFFFFF", "weight": 1.5}
    )
    return {
        "p": f'<div class="netopt-popup"><h4>{title}</h4>{table(rows)}</div>',
        "tt": f"{title} &middot; {status}",
        "s": style,
        "late": late,
    }


def _unserved_props(u: Any, names: Mapping[str, str]) -> dict[str, Any]:
    name = _name(u.facility_id, getattr(u, "name", None), names)
    excess = _float(getattr(u, "excess_min", math.nan))
    if not math.isfinite(excess):
        excess = _excess(getattr(u, "direct_min", math.nan), getattr(u, "window_min", math.nan))
    rows = [
        (message("cost.field.reason"), esc(translate(str(getattr(u, "reason", "") or "")))),
        (
            message("cost.field.direct"),
            message(
                "cost.oldest_text",
                age=num(getattr(u, "direct_min", math.nan), ".0f"),
                window=num(getattr(u, "window_min", math.nan), ".0f"),
            ),
        ),
        (message("cost.field.excess"), num(excess, ".0f", " min")),
    ]
    title = message("cost.unserved_title", name=name)
    return {
        "p": f'<div class="netopt-popup"><h4>{title}</h4>{table(rows)}</div>',
        "tt": title,
        "s": {"radius": 8.0, "fillColor": "#FFFFFF", "color": LATE_COLOUR, "weight": 3.5},
        "unserved": True,
    }


def _frame(obj: Any, name: str) -> pd.DataFrame:
    frame = getattr(obj, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def _route_centres(courier: Any) -> dict[str, str]:
    """Route id to its laboratory centre id (from ``routes``, else ``stops``)."""
    out: dict[str, str] = {}
    for frame in (_frame(courier, "stops"), _frame(courier, "routes")):
        if {"route", "centre_id"} <= set(frame.columns):
            out.update(zip(frame["route"].astype(str), frame["centre_id"].astype(str)))
    return out


def courier_features(
    courier: Any,
    centre: str,
    points: Mapping[str, tuple[float, float]],
    names: Mapping[str, str],
    precision: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the legs (lines) and the points (laboratory, stops, unserved) of one centre.

    Parameters
    ----------
    courier : netopt.diagnosis.CourierPlan
        Uses ``stops``, ``routes``, ``unserved`` and ``lines`` (columns as documented there).
    centre : str
        The laboratory centre's facility id.
    points : mapping of str to (float, float)
        Facility id to (lon, lat).
    names : mapping of str to str
        Facility id to its escaped display name.
    precision : int

    Returns
    -------
    (list of dict, list of dict)
        Line features (``p``, ``s`` per route colour, dashed for ferry legs) and point
        features (``p``, ``tt``, ``s``; ``late`` or ``unserved`` set on stops missing the
        window and on stops not served).
    """
    of = _route_centres(courier)
    routes = sorted(r for r, c in of.items() if c == centre)
    colour = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(routes)}
    stops = _frame(courier, "stops")
    if len(stops):
        stops = stops[stops["route"].astype(str).isin(routes)].sort_values(["route", "seq"])
    info = _frame(courier, "routes")
    info_of = {str(r.route): r for r in info.itertuples(index=False)} if "route" in info else {}
    popups = {
        r: _route_popup(r, info_of.get(r), stops[stops["route"].astype(str) == r], names)
        for r in routes
    }
    lines = []
    legs = getattr(courier, "lines", None)
    if legs is not None and len(legs):
        if getattr(legs, "crs", None) is not None and legs.crs.to_epsg() != 4326:
            legs = legs.to_crs(4326)
        for leg in legs.itertuples(index=False):
            r = str(leg.route)
            if r not in colour:
                continue
            ferry = str(getattr(leg, "mode", "road")) == "ferry"
            style = {"color": colour[r], "weight": 3.5 if ferry else 4.0, "opacity": 0.9}
            if ferry:
                style["dashArray"] = FERRY_DASH
            f = feature(leg.geometry, {"p": popups[r], "s": style}, precision)
            if f:
                lines.append(f)
    xy, props = [], []
    if centre in points:
        xy.append(points[centre])
        lab = _name(centre, None, names)
        props.append(
            {
                "tt": f"{message('cost.legend_lab')}: {lab}",
                "s": {"radius": 9.0, "fillColor": _LAB_COLOUR, "color": "#FFFFFF", "weight": 2.0},
            }
        )
    for s in stops.itertuples(index=False):
        fid = str(s.facility_id)
        if fid in points and fid != centre:
            xy.append(points[fid])
            props.append(_stop_props(s, colour.get(str(s.route), _OTHER_COLOUR), names))
    unserved = _frame(courier, "unserved")
    if len(unserved) and "centre_id" in unserved:
        for u in unserved[unserved["centre_id"].astype(str) == centre].itertuples(index=False):
            if str(u.facility_id) in points:
                xy.append(points[str(u.facility_id)])
                props.append(_unserved_props(u, names))
    return lines, point_features(np.array(xy, dtype=float).reshape(-1, 2), props, precision)


def _centres_legend(services: Iterable[str]) -> str:
    keys = "".join(
        f'<div><span class="netopt-cost-key" style="background:'
        f'{SERVICE_COLOURS.get(s, _OTHER_COLOUR)}"></span>{service_name(s)}</div>'
        for s in services
    )
    ring = (
        f'<div><span class="netopt-cost-key" style="border:3px solid {_KEPT_RING}"></span>'
        f"{message('cost.legend_kept')}</div>"
    )
    return f"<h4>{message('layer.diagnosis')}</h4>{keys}{ring}"


def _courier_legend(centre_name: str, window: float) -> str:
    def line(dash: str | None) -> str:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
            f'stroke="{PALETTE[0]}" stroke-width="3.5"{d}/></svg>'
        )

    def dot(fill: str, ring: str, width: float = 1.5) -> str:
        return (
            f'<span class="netopt-cost-key" style="background:{fill};'
            f'border:{width}px solid {ring}"></span>'
        )

    parts = [
        f"<h4>{message('cost.legend_courier', centre=centre_name)}</h4>",
        f"<div><small>{message('cost.legend_window', window=num(window, '.0f'))}</small></div>"
        if math.isfinite(window)
        else "",
        f"<div>{line(None)}{message('cost.legend_road')}</div>",
        f"<div>{line(FERRY_DASH)}{message('cost.legend_ferry')}</div>",
        f"<div>{dot(_LAB_COLOUR, '#FFFFFF', 2)}{message('cost.legend_lab')}</div>",
        f"<div>{dot(PALETTE[0], '#FFFFFF')}{message('cost.legend_stop')}</div>",
        f"<div>{dot(LATE_COLOUR, '#000000', 2)}{message('cost.legend_late')}</div>",
        f"<div>{dot('#FFFFFF', LATE_COLOUR, 3)}{message('cost.legend_unserved')}</div>",
    ]
    return "".join(parts)


_CSS = """
.netopt-cost-key {display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: middle; border-radius: 50%; box-sizing: border-box;}
.netopt-popup h5 {margin: 6px 0 2px; font-size: 12px;}
.netopt-popup ol {margin: 2px 0 4px; padding-left: 18px;}
"""


def _window(courier: Any, centre: str) -> float:
    """The centre's window in minutes (from its stops, else its unserved rows; NaN)."""
    for name in ("stops", "unserved"):
        frame = _frame(courier, name)
        if {"centre_id", "window_min"} <= set(frame.columns):
            w = pd.to_numeric(frame.loc[frame["centre_id"].astype(str) == centre, "window_min"])
            if w.notna().any():
                return float(w.max())
    return math.nan


def add_cost_layers(m: folium.Map, diagnosis: Any, region: Any, precision: int) -> int:
    """Add the *Diagnosis centres* layer and one *Courier routes: <centre>* layer per
    laboratory centre (hidden at start, each with its legend).

    Parameters
    ----------
    m : folium.Map
    diagnosis : netopt.diagnosis.DiagnosisPlan or None
        The run's diagnosis centres (``centres``) and its courier plan (``courier``: ``stops``,
        ``routes``, ``unserved``, ``lines``; None: no courier layers); None adds nothing.
    region : netopt.region.Region
        The region drawn (facility points and names).
    precision : int
        Decimals kept.

    Returns
    -------
    int
        Layers added (0 without diagnosis).
    """
    if diagnosis is None:
        return 0
    points, names = facility_points(region)
    n = 0
    centres = _frame(diagnosis, "centres")
    if len(centres):
        feats = centre_features(centres, points, names, precision)
        fg = folium.FeatureGroup(name=message("layer.diagnosis"), show=False).add_to(m)
        services = sorted(
            {str(s) for s in centres["service"]},
            key=lambda s: (list(SERVICE_COLOURS).index(s) if s in SERVICE_COLOURS else 9, s),
        )
        fg.add_child(LayerLegend(_centres_legend(services)))
        fg.add_child(
            GeoJsonLayer(
                feats,
                class_name="netopt-diagnosis-centre",
                point="circle",
                style={"fillOpacity": 0.9, "opacity": 1.0},
            )
        )
        n += 1
    courier = getattr(diagnosis, "courier", None)
    if courier is not None:
        unserved = _frame(courier, "unserved")
        labs = set(_route_centres(courier).values())
        if "centre_id" in unserved:
            labs |= {str(c) for c in unserved["centre_id"].dropna()}
        for centre in sorted(labs):
            lines, marks = courier_features(courier, centre, points, names, precision)
            lab = _name(centre, None, names)
            fg = folium.FeatureGroup(name=message("layer.courier", centre=lab), show=False)
            fg.add_to(m)
            fg.add_child(LayerLegend(_courier_legend(lab, _window(courier, centre))))
            fg.add_child(GeoJsonLayer(lines, class_name="netopt-courier-leg"))
            fg.add_child(
                GeoJsonLayer(
                    marks,
                    class_name="netopt-courier-stop",
                    point="circle",
                    style={"fillOpacity": 0.95, "opacity": 1.0},
                )
            )
            n += 1
    if n:
        m.get_root().header.add_child(Element(f"<style>{_CSS}</style>"), name="netopt_cost_css")
    return n
