"""The patient-flow layers of a map: spatial access and where care happens, by township.

:func:`add_flow_layers` adds two overlays, both hidden at start, each with its own legend
that shows while the overlay is on (:class:`LayerLegend`):

- *Beds per 1,000 within 30 min (2SFCA)*: each township coloured by the beds per 1,000
  residents within :data:`~netopt.maps.flow_tables.ACCESS_CATCHMENT_MIN` minutes (two-step
  floating catchment, upgrade beds included), doctors per 1,000 and the share of needs within
  reach in time in its tooltip: *access*, where supply is.
- *Where care happens*: each township coloured by the share of its residents' visits made
  inside the county, with the grassroots share in its tooltip (*choice outcomes*, where
  patients go), and the facilities as circles sized by the visits they receive a year, in
  or outside the county, their popups listing the visits by care level (the levels with visits); upgraded
  sub-centres are drawn as squares.

Townships are the region's boundary polygons whose ``name`` is a zone township; a township
without one is a circle at its residents' centre (sized by population). The tables come from
:mod:`netopt.maps.flow_tables`; a plan without flows (no choice set) adds nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from netopt.flows import CARE_LEVELS
from netopt.maps.elements import GeoJsonLayer
from netopt.maps.flow_tables import (
    ACCESS_CATCHMENT_MIN,
    NO_TOWNSHIP,
    facility_visits,
    township_flows,
)
from netopt.maps.geometry import feature, point_features
from netopt.maps.text import esc, js_json, message, num, popup

__all__ = [
    "BEDS_BREAKS",
    "BEDS_COLOURS",
    "SHARE_BREAKS",
    "SHARE_COLOURS",
    "UPGRADED_COLOUR",
    "LayerLegend",
    "add_access_layer",
    "add_care_layer",
    "add_flow_layers",
    "break_colours",
]

#: Class breaks of beds per 1,000 residents (China's 2025 planning norm is about 7.4-7.5
#: beds per 1,000 for a whole province; a county without its city hospitals lies lower).
BEDS_BREAKS: tuple[float, ...] = (2.0, 4.0, 6.0, 8.0)
#: ColorBrewer *GnBu* (5 classes), few beds (light) to many (dark).
BEDS_COLOURS: tuple[str, ...] = ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")
#: Class breaks of the share of visits inside the county (Zhejiang's target is 90 %).
SHARE_BREAKS: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9)
#: ColorBrewer *Purples* (5 classes), little care inside the county (light) to most (dark).
SHARE_COLOURS: tuple[str, ...] = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
#: Facilities inside and outside the county, and the upgraded sub-centres.
INSIDE_COLOUR, OUTSIDE_COLOUR, UPGRADED_COLOUR = "#1F4E79", "#E08214", "#EE3377"
_NO_DATA = "#DDDDDD"
_CSS = f"""
.netopt-upgraded {{border-radius: 3px; border: 3px solid {UPGRADED_COLOUR};
  background: #fff center / 62% no-repeat; box-sizing: border-box;
  box-shadow: 0 0 0 2px #fff, 0 0 3px 2px rgba(0,0,0,.6);}}
.netopt-flow-legend {{width: 230px; max-width: 100%; border-bottom: 1px solid #ccc;
  margin-bottom: 4px; padding-bottom: 4px;}}
.netopt-ramp {{display: flex; gap: 2px; margin-bottom: 4px;}}
.netopt-ramp-class {{flex: 1; font-size: 10px; text-align: center; white-space: nowrap;}}
.netopt-ramp-class span {{display: block; height: 10px; border: 1px solid rgba(0,0,0,.4);}}
.netopt-flow-key {{display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: middle; border: 2px solid #555; border-radius: 50%; box-sizing: border-box;}}
"""


class LayerLegend(MacroElement):
    """A legend shown while its parent layer is on the map (added to a layer).

    It goes at the top of the map's legend panel (``.netopt-legend``, which scrolls), so the
    corners hold no more panels than without it; a map without that panel gets it as a
    control of its own.

    Parameters
    ----------
    html_text : str
        The legend's content, already escaped.
    position : str, keyword-only
        Leaflet control position when the map has no legend panel.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (layer) {
            var div = L.DomUtil.create('div', 'netopt-flow-legend');
            div.innerHTML = {{ this.html_js }};
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function () {
                L.DomUtil.addClass(div, 'leaflet-control netopt-panel');
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            layer.on('add', function () {
                var host = layer._map.getContainer().querySelector('.netopt-legend');
                if (host) { host.insertBefore(div, host.firstChild); } else { ctl.addTo(layer._map); }
            });
            layer.on('remove', function () {
                if (ctl.getContainer()) { ctl.remove(); } else { L.DomUtil.remove(div); }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str = "bottomright"):
        super().__init__()
        self._name = "NetoptLayerLegend"
        self.html_js = js_json(html_text)
        self.position = position


def break_colours(
    values: Sequence[float], breaks: Sequence[float], colours: Sequence[str]
) -> list[str]:
    """The class colour of each value (``len(breaks) + 1`` classes; NaN: light grey).

    Parameters
    ----------
    values : sequence of float
    breaks : sequence of float
        Ascending upper bounds of all classes but the last (a value on a bound is above it).
    colours : sequence of str
        One per class.

    Returns
    -------
    list of str

    Examples
    --------
    >>> break_colours([1.0, 2.0, float("nan")], (2.0,), ("#fff", "#000"))
    ['#fff', '#000', '#DDDDDD']
    """
    v = np.asarray(values, dtype=float)
    idx = np.searchsorted(np.asarray(breaks, dtype=float), v, side="right")
    return [_NO_DATA if np.isnan(x) else colours[i] for x, i in zip(v, idx)]


def _class_labels(breaks: Sequence[float], fmt: str, unit: str) -> list[str]:
    """Legend text of each class: below the first break, between two, from the last on."""
    b = [num(x, fmt, unit) for x in breaks]
    return (
        [message("range.first", a=b[0])]
        + [message("range.between", a=x, b=y) for x, y in itertools.pairwise(b)]
        + [message("range.last", a=b[-1])]
    )


def _scale_html(
    title: str, breaks: Sequence[float], colours: Sequence[str], fmt: str, unit: str
) -> str:
    """A colour ramp, one swatch per class with its range under it."""
    cells = "".join(
        f'<div class="netopt-ramp-class"><span style="background:{c}"></span>{lab}</div>'
        for lab, c in zip(_class_labels(breaks, fmt, unit), colours)
    )
    return f'<h4>{title}</h4><div class="netopt-ramp">{cells}</div>'


def _share(value: Any) -> str:
    return num(100 * float(value), ".1f", " %") if value is not None else num(None)


def _kpi(key: str) -> str:
    """A KPI's label in the language in use (``kpi.<key>`` of the catalogue)."""
    return message(f"kpi.{key}")


def _township_shapes(
    region: Any, plan: Any, towns: Sequence[str], tolerance: float, precision: int
) -> tuple[dict[str, Any], dict[str, tuple[float, float, float]]]:
    """Boundary polygon of each township that has one, else (lon, lat, population) of the
    population-weighted centre of its zones."""
    b = region.boundaries
    shapes: dict[str, Any] = {}
    if b is not None and len(b) and "name" in b:
        named = b[b["name"].astype(str).isin(set(towns))]
        geoms = shapely.simplify(named.geometry.to_numpy(), tolerance, preserve_topology=True)
        for name, g in zip(named["name"].astype(str), geoms):
            shapes[name] = g if name not in shapes else shapely.union(shapes[name], g)
    z = plan.zones
    xy = shapely.get_coordinates(shapely.point_on_surface(region.zones.geometry.to_numpy()))
    frame = pd.DataFrame(
        {
            "township": z["township"].fillna(NO_TOWNSHIP).astype(str).to_numpy(),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "w": np.nan_to_num(z["population"].to_numpy(float)),
        }
    )
    frame["w1"] = frame["w"] + 1e-9  # uninhabited townships still get a centre
    frame["wx"], frame["wy"] = frame["x"] * frame["w1"], frame["y"] * frame["w1"]
    g = frame.groupby("township")[["wx", "wy", "w1", "w"]].sum()
    points = {
        str(t): (r.wx / r.w1, r.wy / r.w1, r.w)
        for t, r in g.iterrows()
        if str(t) in towns and str(t) not in shapes
    }
    return shapes, points


def _township_features(
    rows: pd.DataFrame,
    colours: list[str],
    tips: list[str],
    shapes: dict[str, Any],
    points: dict[str, tuple[float, float, float]],
    precision: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(polygon features, point features) of the townships, coloured, with tooltips."""
    polys, pts = [], []
    top = max([p[2] for p in points.values()] + [1.0])
    for town, colour, tip in zip(rows["township"].astype(str), colours, tips):
        if town in shapes:
            f = feature(shapes[town], {"s": {"fillColor": colour}, "tt": tip}, precision)
            if f:
                polys.append(f)
        elif town in points:
            x, y, w = points[town]
            radius = round(float(np.clip(6 + 14 * np.sqrt(w / top), 6, 20)), 1)
            pts += point_features(
                np.array([[x, y]]),
                [{"s": {"radius": radius, "fillColor": colour}, "tt": tip}],
                precision,
            )
    return polys, pts


def _add_townships(
    fg: folium.FeatureGroup,
    polys: list[dict[str, Any]],
    pts: list[dict[str, Any]],
    class_name: str,
) -> None:
    if polys:
        fg.add_child(
            GeoJsonLayer(
                polys,
                class_name=class_name,
                style={"color": "#555555", "weight": 0.8, "fillOpacity": 0.75},
            )
        )
    if pts:
        fg.add_child(
            GeoJsonLayer(
                pts,
                class_name=class_name,
                point="circle",
                style={"color": "#333333", "weight": 1.5, "dashArray": "3 3", "fillOpacity": 0.85},
            )
        )


def add_access_layer(
    m: folium.Map,
    rows: pd.DataFrame,
    shapes: dict[str, Any],
    points: dict[str, tuple[float, float, float]],
    precision: int,
) -> folium.FeatureGroup:
    """Add *Beds per 1,000 within 30 min (2SFCA)* (hidden at start), with its legend.

    Parameters
    ----------
    m : folium.Map
    rows : pandas.DataFrame
        :func:`netopt.maps.flow_tables.township_flows`.
    shapes, points : dict
        Township polygons, and the centres of the townships without one.
    precision : int

    Returns
    -------
    folium.FeatureGroup
    """
    minutes = num(ACCESS_CATCHMENT_MIN, ".0f")
    tips = [
        popup(
            esc(r.township),
            [
                (message("flow.beds_1000"), num(r.beds_per_1000, ".1f")),
                (message("flow.doctors_1000"), num(r.doctors_per_1000, ".1f")),
                (message("flow.residents"), num(r.population)),
                (_kpi("share_timely_care"), _share(r.share_timely_care)),
            ],
        )
        for r in rows.itertuples()
    ]
    colours = break_colours(rows["beds_per_1000"], BEDS_BREAKS, BEDS_COLOURS)
    polys, pts = _township_features(rows, colours, tips, shapes, points, precision)
    fg = folium.FeatureGroup(name=message("layer.access", minutes=minutes), show=False).add_to(m)
    _add_townships(fg, polys, pts, "netopt-access")
    legend = (
        _scale_html(
            message("flow.access_title", minutes=minutes), BEDS_BREAKS, BEDS_COLOURS, ".0f", ""
        )
        + f"<div><small>{message('flow.access_note')}</small></div>"
    )
    fg.add_child(LayerLegend(legend))
    return fg


def _facility_popup(r: pd.Series) -> str:
    """Name, inside or outside the county, and the visits a year of each level it gives."""
    where = message("flow.inside") if bool(r["in_area"]) else message("flow.outside")
    rows = [(message("flow.where"), where)]
    if bool(r["upgraded"]):
        rows.append((message("field.note"), message("flow.upgraded")))
    levels = [level for level in CARE_LEVELS if r[level] >= 0.5]
    rows += [(message(f"care.{level}"), num(r[level])) for level in levels]
    if len(levels) > 1:
        rows.append((message("care.total"), num(r["total"])))
    return popup(f"{esc(r['name'])} <small>({esc(r.name)})</small>", rows)


def add_care_layer(
    m: folium.Map,
    rows: pd.DataFrame,
    visits: pd.DataFrame,
    shapes: dict[str, Any],
    points: dict[str, tuple[float, float, float]],
    xy: pd.DataFrame,
    precision: int,
) -> folium.FeatureGroup:
    """Add *Where care happens* (hidden at start): townships by in-county share, facilities
    by visits a year, upgraded sub-centres as squares; with its legend.

    Parameters
    ----------
    m : folium.Map
    rows : pandas.DataFrame
        :func:`netopt.maps.flow_tables.township_flows`.
    visits : pandas.DataFrame
        :func:`netopt.maps.flow_tables.facility_visits`.
    shapes, points : dict
        Township polygons, and the centres of the townships without one.
    xy : pandas.DataFrame
        ``lon``, ``lat`` per facility id.
    precision : int

    Returns
    -------
    folium.FeatureGroup
    """
    tips = [
        popup(
            esc(r.township),
            [
                (_kpi("in_area_share"), _share(r.in_area_share)),
                (_kpi("grassroots_share"), _share(r.grassroots_share)),
                (message("flow.residents"), num(r.population)),
            ],
        )
        for r in rows.itertuples()
    ]
    colours = break_colours(rows["in_area_share"], SHARE_BREAKS, SHARE_COLOURS)
    polys, pts = _township_features(rows, colours, tips, shapes, points, precision)
    fg = folium.FeatureGroup(name=message("layer.care"), show=False).add_to(m)
    _add_townships(fg, polys, pts, "netopt-care")
    shown = visits[(visits["total"] > 0) & visits.index.isin(xy.index)]
    top = max(float(shown["total"].max()) if len(shown) else 1.0, 1.0)
    plain = shown[~shown["upgraded"]].sort_values("total", ascending=False)
    props = [
        {
            "s": {
                "radius": round(float(np.clip(3 + 17 * np.sqrt(r["total"] / top), 3, 20)), 1),
                "color": INSIDE_COLOUR if bool(r["in_area"]) else OUTSIDE_COLOUR,
            },
            "p": _facility_popup(r),
        }
        for _, r in plain.iterrows()
    ]
    if props:
        fg.add_child(
            GeoJsonLayer(
                point_features(xy.loc[plain.index, ["lon", "lat"]].to_numpy(), props, precision),
                class_name="netopt-care-facility",
                point="circle",
                style={"weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.6},
            )
        )
    up = shown[shown["upgraded"]]
    if len(up):
        marks = [
            {
                "c": "netopt-upgraded netopt-tier-township",
                "z": 24,
                "t": str(r["name"]),
                "p": _facility_popup(r),
            }
            for _, r in up.iterrows()
        ]
        fg.add_child(
            GeoJsonLayer(
                point_features(xy.loc[up.index, ["lon", "lat"]].to_numpy(), marks, precision),
                class_name="netopt-upgraded",
                point="icon",
            )
        )
    keys = "".join(
        f'<div><span class="netopt-flow-key" style="border-color:{c}"></span>{text}</div>'
        for c, text in (
            (INSIDE_COLOUR, message("flow.legend_inside")),
            (OUTSIDE_COLOUR, message("flow.legend_outside")),
        )
    )
    keys += (
        '<div><span class="netopt-upgraded netopt-tier-township netopt-legend-icon"></span>'
        f"{message('flow.legend_upgraded')}</div>"
    )
    note = f"<div><small>{message('flow.visits_title')}</small></div>"
    legend = _share_scale_html() + f"<h4>{message('flow.facilities')}</h4>{keys}{note}"
    fg.add_child(LayerLegend(legend))
    return fg


def _share_scale_html() -> str:
    return _scale_html(
        message("flow.care_title"), [100 * b for b in SHARE_BREAKS], SHARE_COLOURS, ".0f", ""
    )


def add_flow_layers(
    m: folium.Map, plan: Any, schedule: Any, tolerance: float, precision: int
) -> int:
    """Add the access and where-care-happens overlays of a plan's flows (hidden at start).

    Parameters
    ----------
    m : folium.Map
    plan : netopt.alliances.AlliancePlan
        Uses ``flows(schedule)``; a plan without flows (or without townships) adds nothing.
    schedule : netopt.rotations.RotationSchedule or None
        Its visiting experts change where care happens (an object without ``settings``, the
        horizon, is ignored).
    tolerance : float
        Simplification tolerance of the township polygons, in degrees.
    precision : int
        Decimals kept.

    Returns
    -------
    int
        Overlays added (0 or 2).
    """
    flows_of = getattr(plan, "flows", None)
    if not hasattr(schedule, "settings"):  # none, or an older schedule-like (visits only)
        schedule = None
    flows = flows_of(schedule) if callable(flows_of) else None
    if flows is None or "township" not in plan.zones:
        return 0
    rows = township_flows(plan, flows)
    visits = facility_visits(plan, flows)
    region = plan.region
    shapes, points = _township_shapes(
        region, plan, list(rows["township"].astype(str)), tolerance, precision
    )
    fac = region.facilities
    fxy = shapely.get_coordinates(shapely.point_on_surface(fac.geometry.to_numpy()))
    xy = pd.DataFrame({"lon": fxy[:, 0], "lat": fxy[:, 1]}, index=fac.index.astype(str))
    m.get_root().header.add_child(Element(f"<style>{_CSS}</style>"), name="netopt_flow_css")
    add_access_layer(m, rows, shapes, points, precision)
    add_care_layer(m, rows, visits, shapes, points, xy, precision)
    return 2
