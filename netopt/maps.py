"""Folium maps of alliance plans and rotation schedules, for officials, working offline.

:func:`alliance_map` draws one :class:`~netopt.alliances.AlliancePlan` (and optionally its
:class:`~netopt.rotations.RotationSchedule`); :func:`compare_map` puts two plans side by side
on synchronised maps; :func:`save_map` writes a self-contained HTML file.

Design choices:

* **Offline first.** The page embeds Leaflet, Leaflet.markercluster and Font Awesome icons from
  their ``xstatic-*`` PyPI packages (:mod:`netopt._offline`); no CDN, no tiles by default. The
  region's land and township polygons are the basemap; OpenStreetMap or Tianditu tiles can be
  added as online extras (``tiles=``).
* **Light.** Resident zones are not drawn one by one: Voronoi cells of the zones (or the zone
  polygons) are dissolved into one area per alliance and one per travel-time band, clipped to
  the land, simplified to screen precision and written with 5 decimals (about 1 m). Points and
  lines are one GeoJSON layer each, drawn on a canvas; facility markers are clustered above
  ``cluster_threshold``.
* **Safe.** Every text that comes from data (names, ids, specialties) is HTML-escaped in
  Python before it reaches the page, and all data is embedded as JSON with ``<``, ``>`` and
  ``&`` escaped, so a facility named ``<img src=x onerror=alert(1)>`` is shown as text.
* **Colour-blind safe.** Alliances use Paul Tol's *muted* palette: one colour each up to its
  nine colours, beyond that assigned so that neighbouring catchments differ; travel-time bands use Tol's sequential *YlOrBr*.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.plugins import DualMap, MarkerCluster
from folium.template import Template

from netopt._atomic import atomic_path
from netopt._errors import DataError, NetoptError, Problem
from netopt._offline import external_resources, icon_data_uri, make_offline
from netopt.kpis import KPI_DEFINITIONS
from netopt.region import TIERS

__all__ = [
    "BAND_COLOURS",
    "DEFAULT_KPIS",
    "PALETTE",
    "alliance_map",
    "compare_map",
    "dissolve_cells",
    "save_map",
    "zone_cells",
]

logger = logging.getLogger(__name__)

#: With ``rotation_layers="auto"``, more experts than this get one layer per week instead.
_MAX_EXPERT_LAYERS = 8

#: Paul Tol's "muted" qualitative palette (colour-blind safe), for alliances.
PALETTE: tuple[str, ...] = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
#: Paul Tol's sequential "YlOrBr" scheme, light (near) to dark (far), for travel-time bands.
BAND_COLOURS: tuple[str, ...] = (
    "#FFF7BC",
    "#FEE391",
    "#FEC44F",
    "#FB9A29",
    "#EC7014",
    "#CC4C02",
    "#993404",
    "#662506",
)
#: KPIs shown in the panel, in this order (those present in ``plan.kpis``).
DEFAULT_KPIS: tuple[str, ...] = (
    "population",
    "mean_lead_min",
    "p90_lead_min",
    "share_lead_30min",
    "share_lead_60min",
    "share_any_lead_60min",
    "mean_lead_min_island",
    "patient_hours_per_year",
    "population_unreachable",
    "population_not_covered",
    "population_unserved_capacity",
    "in_area_share",
    "grassroots_share",
    "expert_days",
    "patient_hours_saved",
)

_GREY = "#BBBBBB"
_MAX_ZOOM = 18  # markercluster needs the map's maxZoom
_FERRY = "#1F4E79"
_ICON_PX = {"lead": 30, "tertiary": 22, "county": 22, "township": 18, "village": 14, "other": 14}

_CSS = """
.leaflet-container {background: #d9e8f2;}
.leaflet-control-layers {font: 13px/1.3 system-ui, sans-serif;}
.netopt-fac {border-radius: 50%; background: #fff center / 62% no-repeat;
  border: 3px solid #888; box-sizing: border-box; box-shadow: 0 0 2px rgba(0,0,0,.7);}
.netopt-lead {border-width: 4px; box-shadow: 0 0 0 2px #222;}
.netopt-legend-icon {display: inline-block; width: 18px; height: 18px; vertical-align: middle;
  margin-right: 6px;}
.netopt-panel {background: rgba(255,255,255,.93); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); font: 12px/1.35 system-ui, sans-serif; color: #222;
  max-height: 45vh; overflow-y: auto; max-width: 300px;}
.netopt-panel h4 {margin: 0 0 4px; font-size: 13px;}
.netopt-panel summary {cursor: pointer;}
.netopt-panel table {border-collapse: collapse;}
.netopt-panel td {padding: 1px 4px; vertical-align: top;}
.netopt-panel td.v {text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;}
.netopt-swatch {display: inline-block; width: 14px; height: 10px; margin-right: 6px;
  vertical-align: middle; border: 1px solid rgba(0,0,0,.4);}
.netopt-line {display: inline-block; width: 22px; margin-right: 6px; vertical-align: middle;}
.netopt-popup {font: 12px/1.35 system-ui, sans-serif;}
.netopt-popup table {border-collapse: collapse;}
.netopt-popup th {text-align: left; padding-right: 8px; font-weight: 600;}
.netopt-popup h4 {margin: 0 0 4px;}
"""


def _css() -> str:
    tiers = "\n".join(
        f'.netopt-tier-{t} {{background-image: url("{icon_data_uri(t, fill="#222222")}");}}'
        for t in (*TIERS, "other")
    )
    colours = "\n".join(f".netopt-c{i} {{border-color: {c};}}" for i, c in enumerate(PALETTE))
    return _CSS + tiers + "\n" + colours + "\n"


# --------------------------------------------------------------------------- text helpers


def _esc(value: Any) -> str:
    """HTML-escape any value for the page (None and NaN become an en dash)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    return html.escape(str(value), quote=True)


def _num(value: Any, fmt: str = ",.0f", unit: str = "") -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "&ndash;"
    if math.isnan(v):
        return "&ndash;"
    if math.isinf(v):
        return "unreachable"
    return f"{v:{fmt}}{unit}"


def _js_json(obj: Any) -> str:
    """JSON for embedding inside ``<script>``: compact, with ``<``, ``>``, ``&`` escaped."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _table(rows: Iterable[tuple[str, str]]) -> str:
    """Rows of (escaped label, escaped value) as an HTML table."""
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _popup(title: str, rows: Iterable[tuple[str, str]]) -> str:
    return f'<div class="netopt-popup"><h4>{title}</h4>{_table(rows)}</div>'


def _format_kpi(key: str, value: float) -> tuple[str, str]:
    """Return the label and formatted value of one KPI (both HTML-escaped)."""
    label, unit, _definition = KPI_DEFINITIONS.get(key, (key.replace("_", " "), "", ""))
    if unit == "share":
        text = _num(100 * float(value), ".1f", " %")
    elif unit == "min":
        text = _num(value, ".1f", " min")
    elif unit == "people":
        text = _num(value, ",.0f")
    elif unit:
        text = _num(value, ",.0f", f" {unit}")
    else:
        text = _num(value, ",.4g")
    return _esc(label), text


# --------------------------------------------------------------------------- geometry


def _extent(*frames: gpd.GeoSeries | gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    boxes = [np.asarray(f.total_bounds) for f in frames if f is not None and len(f)]
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        raise DataError(
            Problem(
                "map",
                "",
                "geometry",
                "no finite coordinates in the region",
                "check the facilities and zones layers",
            )
        )
    b = np.vstack(boxes)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def zone_cells(
    zones: gpd.GeoSeries, *, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Return an area per zone: its polygon, or its Voronoi cell when zones are points.

    Cells are computed once per distinct location, in a locally equal-area frame (longitude
    scaled by the cosine of the mean latitude), extended to ``bounds``; zones at the same
    location share a cell, which is given to the first of them.

    Parameters
    ----------
    zones : geopandas.GeoSeries
        Zone geometries in EPSG:4326.
    bounds : tuple of float, keyword-only
        ``(minx, miny, maxx, maxy)`` the cells must cover.

    Returns
    -------
    cells : numpy.ndarray of shapely geometries
        One area per distinct location (EPSG:4326).
    owner : numpy.ndarray of int
        Position in ``zones`` of the zone each cell belongs to.
    """
    geoms = zones.geometry.to_numpy()
    if len(geoms) and bool(np.all(shapely.get_type_id(geoms) >= 3)):  # (multi)polygons
        return geoms, np.arange(len(geoms))
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms))
    k = math.cos(math.radians(float(np.mean(pts[:, 1])))) if len(pts) else 1.0
    scale = np.array([k, 1.0])
    uniq, first = np.unique(np.round(pts * scale, 7), axis=0, return_index=True)
    minx, miny, maxx, maxy = bounds
    pad = 0.05 * max(maxx - minx, maxy - miny, 1e-3)
    box = shapely.box((minx - pad) * k, miny - pad, (maxx + pad) * k, maxy + pad)
    if len(uniq) == 1:
        cells = np.array([box])
    else:
        vor = shapely.voronoi_polygons(shapely.multipoints(uniq), extend_to=box, ordered=True)
        cells = shapely.get_parts(vor)  # clipped after dissolving (cheaper)
    cells = shapely.transform(cells, lambda c: c / scale)
    return np.asarray(cells), first


def dissolve_cells(cells: np.ndarray, labels: np.ndarray, *, coverage: bool) -> dict[Any, Any]:
    """Union the cells of each label.

    Parameters
    ----------
    cells : numpy.ndarray of shapely geometries
    labels : numpy.ndarray
        One label per cell.
    coverage : bool, keyword-only
        True when the cells do not overlap (Voronoi cells): uses the fast coverage union.

    Returns
    -------
    dict
        Label to dissolved geometry.
    """
    order = np.argsort(labels, kind="stable")
    keys, starts = np.unique(labels[order], return_index=True)
    union = shapely.coverage_union_all if coverage else shapely.union_all
    parts = np.split(cells[order], starts[1:])
    return {key: union(part) for key, part in zip(keys.tolist(), parts)}


def _clip_simplify(geom: Any, clip: Any, tolerance: float, precision: int) -> Any:
    if clip is not None:
        geom = shapely.intersection(geom, clip)
    geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.transform(geom, lambda c: np.round(c, precision))
    return shapely.make_valid(geom) if not shapely.is_valid(geom) else geom


def _feature(geom: Any, props: dict[str, Any], precision: int) -> dict[str, Any] | None:
    if geom is None or shapely.is_empty(geom):
        return None
    geom = shapely.transform(geom, lambda c: np.round(c, precision))
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geom)),
        "properties": props,
    }


def _point_features(
    xy: np.ndarray, props: Sequence[dict[str, Any]], precision: int
) -> list[dict[str, Any]]:
    xy = np.round(np.asarray(xy, dtype=float), precision)
    return [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": p}
        for (x, y), p in zip(xy.tolist(), props)
    ]


def _line_features(
    a: np.ndarray, b: np.ndarray, props: Sequence[dict[str, Any]], precision: int
) -> list[dict[str, Any]]:
    a = np.round(np.asarray(a, dtype=float), precision).tolist()
    b = np.round(np.asarray(b, dtype=float), precision).tolist()
    return [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [p, q]},
            "properties": pr,
        }
        for p, q, pr in zip(a, b, props)
    ]


def _colour_alliances(areas: dict[str, Any], order: Sequence[str]) -> dict[str, int]:
    """Colour index per alliance: all distinct while the palette lasts; beyond that a
    greedy graph colouring so that neighbouring catchments still get different colours."""
    if len(order) <= len(PALETTE):
        return {k: i for i, k in enumerate(order)}
    keys = [k for k in order if k in areas]
    G = nx.Graph()
    G.add_nodes_from(keys)
    if len(keys) > 1:
        geoms = np.array([areas[k] for k in keys])
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        G.add_edges_from((keys[i], keys[j]) for i, j in zip(left, right) if i < j)
    colours = nx.greedy_color(G, strategy=lambda g, _c: iter(keys))
    out = {k: colours[k] % len(PALETTE) for k in keys}
    for i, k in enumerate(k for k in order if k not in out):
        out[k] = (len(out) + i) % len(PALETTE)
    return out


# --------------------------------------------------------------------------- page elements


class _GeoJsonLayer(MacroElement):
    """One ``L.geoJSON`` layer with pre-escaped popups, drawn on the parent layer.

    Feature properties read by the page: ``p`` popup HTML, ``tt`` tooltip HTML, ``s`` per
    feature style; for ``point="icon"``: ``c`` CSS classes, ``z`` icon size (px), ``t``
    plain title (set as a DOM property, never parsed as HTML).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
            className: {{ this.class_name|tojson }},
            interactive: {{ this.interactive|tojson }},
            style: function (f) {
                return Object.assign({className: {{ this.class_name|tojson }}},
                                     {{ this.style_js }}, f.properties.s || {});
            },
            {%- if this.point == "circle" %}
            pointToLayer: function (f, ll) {
                return L.circleMarker(ll, Object.assign({className: {{ this.class_name|tojson }}},
                                      {{ this.style_js }}, f.properties.s || {}));
            },
            {%- elif this.point == "icon" %}
            pointToLayer: function (f, ll) {
                var p = f.properties;
                return L.marker(ll, {
                    icon: L.divIcon({className: p.c, iconSize: [p.z, p.z], html: ''}),
                    title: p.t, keyboard: true, riseOnHover: true
                });
            },
            {%- endif %}
            onEachFeature: function (f, layer) {
                if (f.properties.p) { layer.bindPopup(f.properties.p, {maxWidth: 360}); }
                if (f.properties.tt) { layer.bindTooltip(f.properties.tt, {sticky: true}); }
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: list[dict[str, Any]],
        *,
        class_name: str,
        style: dict[str, Any] | None = None,
        point: Literal["circle", "icon", "none"] = "none",
        interactive: bool = True,
    ):
        super().__init__()
        self._name = "NetoptGeoJson"
        self.n_features = len(features)
        self.features = features
        self.data_js = _js_json({"type": "FeatureCollection", "features": features})
        self.style_js = _js_json(style or {})
        self.class_name = class_name
        self.point = point
        self.interactive = interactive


class _Panel(MacroElement):
    """A Leaflet control holding pre-escaped HTML (legend, KPI panel)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html_js }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str, css_class: str):
        super().__init__()
        self._name = "NetoptPanel"
        self.html_js = _js_json(html_text)
        self.position = position
        self.css_class = f"leaflet-control netopt-panel {css_class}"


class _Fullscreen(MacroElement):
    """The offline full-screen button (see :data:`netopt._offline.FULLSCREEN_JS`)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        new L.Control.NetoptFullscreen({position: 'topleft'}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "NetoptFullscreen"


# --------------------------------------------------------------------------- plan tables


def _minutes(frame: pd.DataFrame, base: str) -> pd.Series:
    """``<base>_min`` if present, else ``<base>_s`` / 60, else NaN."""
    if f"{base}_min" in frame:
        return pd.to_numeric(frame[f"{base}_min"], errors="coerce")
    if f"{base}_s" in frame:
        return pd.to_numeric(frame[f"{base}_s"], errors="coerce") / 60.0
    return pd.Series(np.nan, index=frame.index)


def _clean_ids(values: pd.Series) -> pd.Series:
    """Facility-id column with '' / NaN / None turned into ''."""
    out = values.astype(object).where(values.notna(), "")
    return out.map(lambda v: "" if v is None else str(v))


def _facility_table(plan: Any) -> pd.DataFrame:
    """Region facilities joined with the plan's facility table and alliance figures."""
    fac = plan.region.facilities
    pf = plan.facilities.reindex(fac.index)
    out = pd.DataFrame(index=fac.index.astype(str))
    out["name"] = fac["name"].to_numpy()
    out["tier"] = fac["tier"].where(fac["tier"].isin(TIERS), "other").to_numpy()
    out["beds"] = (
        pd.to_numeric(fac.get("beds"), errors="coerce").to_numpy() if "beds" in fac else np.nan
    )
    xy = shapely.get_coordinates(shapely.point_on_surface(fac.geometry.to_numpy()))
    out["lon"], out["lat"] = xy[:, 0], xy[:, 1]
    out["lead"] = _clean_ids(pf["lead"]).to_numpy() if "lead" in pf else ""
    leads = {str(j) for j in plan.leads}
    out["is_lead"] = out.index.isin(list(leads))
    for col in ("population", "referrals_per_year", "mean_travel_min"):
        out[col] = pd.to_numeric(pf[col], errors="coerce").to_numpy() if col in pf else np.nan
    return out


# --------------------------------------------------------------------------- layers


def _add_land(m: folium.Map, region: Any, tolerance: float, precision: int) -> None:
    b = region.boundaries
    if b is None or len(b) == 0:
        return
    geoms = shapely.simplify(b.geometry.to_numpy(), tolerance, preserve_topology=True)
    names = b["name"] if "name" in b else pd.Series("", index=b.index)
    feats = [
        _feature(g, {"tt": _esc(n)} if isinstance(n, str) and n else {}, precision)
        for g, n in zip(geoms, names.to_numpy())
    ]
    fg = folium.FeatureGroup(name="Land and townships", show=True).add_to(m)
    fg.add_child(
        _GeoJsonLayer(
            [f for f in feats if f],
            class_name="netopt-land",
            style={"color": "#8c8c8c", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
        )
    )


def _zone_groups(
    plan: Any,
    bounds: tuple[float, float, float, float],
    tolerance: float,
    precision: int,
    *,
    bands_min: Sequence[float],
    band_time: str,
    land: Any,
) -> tuple[dict[str, Any], dict[int, Any], pd.DataFrame]:
    """Catchment and band areas (dissolved cells), plus per-zone arrays for the zone layer."""
    region = plan.region
    zplan = plan.zones.reindex(region.zones.index.astype(str))
    cells, owner = zone_cells(region.zones.geometry, bounds=bounds)
    coverage = not bool(np.all(shapely.get_type_id(region.zones.geometry.to_numpy()) >= 3))
    lead = _clean_ids(zplan["lead"]).to_numpy() if "lead" in zplan else np.full(len(zplan), "")
    t_band = _minutes(zplan, "t_nearest_lead" if band_time == "nearest" else "t_lead").to_numpy()
    clip = land
    if clip is None:
        clip = shapely.convex_hull(
            shapely.multipoints(shapely.get_coordinates(region.zones.geometry.to_numpy()))
        ).buffer(2 * tolerance * 40)
    else:
        clip = shapely.simplify(clip, tolerance / 2, preserve_topology=True)
    catch = dissolve_cells(cells, lead[owner].astype(str), coverage=coverage)
    t = np.where(np.isfinite(t_band), t_band, np.inf)
    band = np.digitize(t, np.asarray(bands_min, dtype=float), right=True)
    bands = dissolve_cells(cells, band[owner], coverage=coverage)
    catch = {k: _clip_simplify(g, clip, tolerance, precision) for k, g in catch.items()}
    bands = {k: _clip_simplify(g, clip, tolerance, precision) for k, g in bands.items()}
    return catch, bands, zplan


def _band_labels(bands_min: Sequence[float]) -> list[str]:
    edges = [0.0, *bands_min]
    labels = [f"{a:g}&ndash;{b:g} min" for a, b in itertools.pairwise(edges)]
    labels[0] = f"&le; {bands_min[0]:g} min"
    return [*labels, f"&gt; {bands_min[-1]:g} min or unreachable"]


def _band_colours(n: int) -> list[str]:
    idx = np.linspace(1, len(BAND_COLOURS) - 1, n).round().astype(int)
    return [BAND_COLOURS[i] for i in idx]


def _alliance_names(plan: Any, facilities: pd.DataFrame) -> dict[str, str]:
    names = facilities["name"].astype(str).to_dict()
    al = getattr(plan, "alliances", None)
    out = {j: names.get(j, j) for j in map(str, plan.leads)}
    if al is not None and "name" in al:
        out.update({str(k): str(v) for k, v in al["name"].items() if isinstance(v, str) and v})
    return out


def _lead_stats(plan: Any, zplan: pd.DataFrame) -> pd.DataFrame:
    """Per lead: alliance population, referral load/capacity, mean time of its residents."""
    al = getattr(plan, "alliances", pd.DataFrame()).copy()
    al.index = al.index.astype(str)
    if len(zplan) and "lead" in zplan:
        t = _minutes(zplan, "t_lead")
        w = pd.to_numeric(zplan.get("population", 1.0), errors="coerce").fillna(0.0)
        ok = np.isfinite(t) & (w > 0)
        frame = pd.DataFrame({"lead": _clean_ids(zplan["lead"]), "wt": (w * t)[ok], "w": w[ok]})
        g = frame.groupby("lead")[["wt", "w"]].sum()
        al["resident_mean_min"] = (g["wt"] / g["w"].where(g["w"] > 0)).reindex(al.index)
    return al


def _add_catchments(
    m: folium.Map,
    catch: dict[str, Any],
    colour_of: dict[str, int],
    names: dict[str, str],
    stats: pd.DataFrame,
) -> None:
    fg = folium.FeatureGroup(name="Alliance catchments", show=True).add_to(m)
    feats = []
    for key, geom in catch.items():
        if key == "":
            style = {"fillColor": _GREY, "color": "#777777"}
            tip = "No lead reachable"
        else:
            c = PALETTE[colour_of.get(key, 0)]
            style = {"fillColor": c, "color": c}
            pop = stats["population"].get(key, np.nan) if "population" in stats else np.nan
            tip = f"Alliance of {_esc(names.get(key, key))} &middot; {_num(pop)} residents"
        f = _feature(geom, {"s": style, "tt": tip}, 6)
        if f:
            feats.append(f)
    fg.add_child(
        _GeoJsonLayer(
            feats,
            class_name="netopt-catchment",
            style={"weight": 1.2, "opacity": 0.9, "fillOpacity": 0.35},
        )
    )


def _add_bands(
    m: folium.Map,
    bands: dict[int, Any],
    labels: list[str],
    colours: list[str],
    *,
    band_time: str,
) -> None:
    title = "Travel time to nearest lead" if band_time == "nearest" else "Travel time to own lead"
    fg = folium.FeatureGroup(name=title, show=False).add_to(m)
    feats = []
    for key, geom in sorted(bands.items()):
        f = _feature(geom, {"s": {"fillColor": colours[key]}, "tt": labels[key]}, 6)
        if f:
            feats.append(f)
    fg.add_child(
        _GeoJsonLayer(feats, class_name="netopt-band", style={"stroke": False, "fillOpacity": 0.6})
    )


def _add_zone_points(m: folium.Map, region: Any, zplan: pd.DataFrame, precision: int) -> None:
    z = region.zones
    xy = shapely.get_coordinates(shapely.point_on_surface(z.geometry.to_numpy()))
    pop = pd.to_numeric(z["population"], errors="coerce").fillna(0.0).to_numpy()
    t_lead = _minutes(zplan, "t_lead").to_numpy()
    radius = np.clip(2 + 6 * np.sqrt(pop / max(pop.max(), 1.0)), 2, 8).round(1)
    props = [
        {
            "s": {"radius": r},
            "tt": f"Zone {_esc(i)}: {_num(p)} residents, {_num(t, '.0f', ' min')} to lead",
        }
        for i, p, t, r in zip(z.index, pop, t_lead, radius)
    ]
    fg = folium.FeatureGroup(name="Resident zones", show=False).add_to(m)
    fg.add_child(
        _GeoJsonLayer(
            _point_features(xy, props, precision),
            class_name="netopt-zone",
            point="circle",
            style={"color": "#333333", "weight": 0.5, "fillColor": "#ffffff", "fillOpacity": 0.8},
        )
    )


def _add_flows(
    m: folium.Map,
    fac: pd.DataFrame,
    colour_of: dict[str, int],
    names: dict[str, str],
    precision: int,
) -> int:
    members = fac[(~fac["is_lead"]) & (fac["lead"] != "") & fac["lead"].isin(fac.index)]
    if members.empty:
        return 0
    lead_xy = fac.loc[members["lead"], ["lon", "lat"]].to_numpy()
    vol = members["referrals_per_year"].fillna(0.0).to_numpy()
    width = 1.0 + 7.0 * np.sqrt(vol / max(float(vol.max()), 1.0))
    props = [
        {
            "s": {"weight": round(float(w), 1), "color": PALETTE[colour_of.get(j, 0)]},
            "p": f"{_esc(n)} &rarr; {_esc(names.get(j, j))}: {_num(v)} referrals a year",
        }
        for n, j, v, w in zip(members["name"], members["lead"], vol, width)
    ]
    fg = folium.FeatureGroup(name="Referral flows", show=True).add_to(m)
    fg.add_child(
        _GeoJsonLayer(
            _line_features(members[["lon", "lat"]].to_numpy(), lead_xy, props, precision),
            class_name="netopt-flow",
            style={"opacity": 0.65, "lineCap": "round"},
        )
    )
    return len(members)


def _ferry_popup(row: pd.Series) -> str:
    headway = row.get("headway_min")
    deps = [*(row.get("departures_ab") or ()), *(row.get("departures_ba") or ())]
    if isinstance(headway, (int, float)) and math.isfinite(headway):
        service = f"every {_num(headway, '.0f', ' min')}"
    elif deps:
        service = f"{len(deps)} departures a day (timetable)"
    else:
        service = "&ndash;"
    hours = f"{_esc(row.get('service_start'))}&ndash;{_esc(row.get('service_end'))}"
    rows = [
        ("Crossing", _num(row.get("crossing_min"), ".0f", " min")),
        ("Headway", service),
        ("Service hours", hours),
        ("From / to", f"{_esc(row.get('from_port'))} &rarr; {_esc(row.get('to_port'))}"),
        ("Kind", _esc(row.get("kind"))),
    ]
    if bool(row.get("estimated", False)):
        rows.append(("Note", "times estimated"))
    return _popup(f"Ferry: {_esc(row.get('name'))}", rows)


def _add_ferries(m: folium.Map, region: Any, tolerance: float, precision: int) -> int:
    fer = region.ferries
    if fer is None or len(fer) == 0:
        return 0
    geoms = shapely.simplify(fer.geometry.to_numpy(), tolerance / 4)
    feats = [
        _feature(g, {"p": _ferry_popup(r)}, precision) for g, (_i, r) in zip(geoms, fer.iterrows())
    ]
    fg = folium.FeatureGroup(name="Ferry routes", show=True).add_to(m)
    fg.add_child(
        _GeoJsonLayer(
            [f for f in feats if f],
            class_name="netopt-ferry",
            style={"color": _FERRY, "weight": 3, "dashArray": "8 6", "opacity": 0.9},
        )
    )
    return len(feats)


def _facility_popup(r: pd.Series, stats: pd.DataFrame, names: dict[str, str]) -> str:
    rows = [("Tier", _esc(r["tier"])), ("Beds", _num(r["beds"]))]
    if r["is_lead"]:
        s = stats.loc[r.name] if r.name in stats.index else pd.Series(dtype=float)
        members = s.get("members", np.nan)
        n_members = len(members) if isinstance(members, (list, tuple)) else members
        load, cap = s.get("referral_load", np.nan), s.get("referral_capacity", np.nan)
        util = s.get("utilisation", np.nan)
        rows += [
            ("Role", "alliance lead"),
            ("Members", _num(n_members)),
            ("Population served", _num(s.get("population", np.nan))),
            (
                "Referral load / capacity",
                f"{_num(load)} / {_num(cap)} a year ({_num(100 * float(util), '.0f', ' %')})",
            ),
            (
                "Mean travel time of residents",
                _num(s.get("resident_mean_min", np.nan), ".1f", " min"),
            ),
        ]
        if pd.notna(r["population"]) and float(r["population"]) > 0:
            rows.append(("Residents using it first", _num(r["population"])))
    else:
        lead = r["lead"]
        rows += [
            ("Alliance", _esc(names.get(lead, lead)) if lead else "none"),
            ("Population served", _num(r["population"])),
            ("Referrals to lead", f"{_num(r['referrals_per_year'])} a year"),
            ("Mean travel time of residents", _num(r["mean_travel_min"], ".1f", " min")),
        ]
    return _popup(f"{_esc(r['name'])} <small>({_esc(r.name)})</small>", rows)


def _add_facilities(
    m: folium.Map,
    fac: pd.DataFrame,
    colour_of: dict[str, int],
    stats: pd.DataFrame,
    names: dict[str, str],
    precision: int,
    *,
    cluster_threshold: int,
) -> dict[str, int]:
    counts = {}
    for role, title in (("lead", "Lead hospitals"), ("member", "Member facilities")):
        sub = fac[fac["is_lead"]] if role == "lead" else fac[~fac["is_lead"]]
        counts[role] = len(sub)
        if sub.empty:
            continue
        colour = [
            f"netopt-c{colour_of[j]}" if j in colour_of else ""
            for j in (sub.index if role == "lead" else sub["lead"])
        ]
        size = [_ICON_PX["lead"] if role == "lead" else _ICON_PX[t] for t in sub["tier"]]
        props = [
            {
                "c": f"netopt-fac netopt-{role} netopt-tier-{t} {c}".strip(),
                "z": z,
                "t": str(n),
                "p": _facility_popup(r, stats, names),
            }
            for (_i, r), t, c, z, n in zip(sub.iterrows(), sub["tier"], colour, size, sub["name"])
        ]
        feats = _point_features(sub[["lon", "lat"]].to_numpy(), props, precision)
        if len(sub) > cluster_threshold:
            parent = MarkerCluster(
                name=title,
                show=True,
                options={"disableClusteringAtZoom": 15, "chunkedLoading": True},
            ).add_to(m)
        else:
            parent = folium.FeatureGroup(name=title, show=True).add_to(m)
        parent.add_child(_GeoJsonLayer(feats, class_name=f"netopt-{role}", point="icon"))
    return counts


def _route_lines(graph: Any, pairs: list[tuple[str, str]], fac: pd.DataFrame) -> dict:
    """Line coordinates per (home, site): along the travel graph when given, else straight."""
    out = {}
    for a, b in pairs:
        coords = None
        if graph is not None:
            try:
                from netopt.graph import route

                coords = shapely.get_coordinates(
                    route(graph, f"facility:{a}", f"facility:{b}").geometry
                )
            except (NetoptError, KeyError, ValueError) as err:
                logger.debug("no route %s -> %s drawn along the graph: %s", a, b, err)
        if coords is None or len(coords) < 2:
            coords = fac.loc[[a, b], ["lon", "lat"]].to_numpy()
        out[(a, b)] = coords
    return out


def _add_rotations(
    m: folium.Map,
    schedule: Any,
    plan: Any,
    fac: pd.DataFrame,
    graph: Any,
    precision: int,
    tolerance: float,
    *,
    by: str,
) -> int:
    v = schedule.visits.copy()
    if v.empty:
        return 0
    v = v[v["site"].astype(str).isin(fac.index)]
    experts = getattr(plan.region, "experts", None)
    home = v["lead"].astype(str)
    if experts is not None and "home_facility" in experts:
        home = v["expert"].map(experts["home_facility"].astype(str)).fillna(home).astype(str)
    v = v.assign(home=home, site=v["site"].astype(str))
    v = v[v["home"].isin(fac.index) & (v["home"] != v["site"])]
    if by == "week":
        v["group"] = (pd.to_numeric(v["day"]) // 7).astype(int)
    else:
        v["group"] = v["expert"].astype(str)
    lines = _route_lines(graph, sorted(set(zip(v["home"], v["site"]))), fac)
    n_layers = 0
    for i, (key, g) in enumerate(v.groupby("group", sort=True)):
        if by == "week":
            dates = pd.to_datetime(g["date"])
            title = f"Rotations week {int(key) + 1} ({dates.min():%d %b}&ndash;{dates.max():%d %b})"
        else:
            name, specialty = str(g.iloc[0]["expert_name"]), str(g.iloc[0]["specialty"])
            title = f"Rotation: {_esc(name)}"
            if specialty.lower() not in name.lower():
                title += f" ({_esc(specialty)})"
        colour = PALETTE[i % len(PALETTE)]
        feats = []
        for (h, s), trips in g.groupby(["home", "site"], sort=True):
            dates = ", ".join(f"{d:%d %b}" for d in pd.to_datetime(trips["date"]).sort_values())
            names = ", ".join(sorted({_esc(n) for n in trips["expert_name"]}))
            rows = [
                ("Expert(s)", names),
                ("Specialty", ", ".join(sorted({_esc(x) for x in trips["specialty"]}))),
                ("Visits", f"{len(trips)}: {dates}"),
                ("Travel out", _num(trips["travel_out_min"].mean(), ".0f", " min")),
                ("Clinic hours", _num(trips["clinic_hours"].sum(), ".1f", " h")),
                ("Expected patients", _num(trips["expected_patients"].sum())),
                ("Stay", _esc(", ".join(sorted(set(map(str, trips["stay"])))))),
            ]
            geom = shapely.simplify(shapely.linestrings(lines[(h, s)]), tolerance / 4)
            f = _feature(geom, {"p": _popup(f"To {_esc(fac.at[s, 'name'])}", rows)}, precision)
            if f:
                feats.append(f)
        fg = folium.FeatureGroup(name=title, show=False).add_to(m)
        fg.add_child(
            _GeoJsonLayer(
                feats,
                class_name="netopt-rotation",
                style={
                    "color": colour,
                    "weight": 3.5,
                    "opacity": 0.9,
                    "dashArray": "2 7",
                    "lineCap": "round",
                },
            )
        )
        n_layers += 1
    return n_layers


def _legend_html(
    names: dict[str, str],
    colour_of: dict[str, int],
    catch: dict[str, Any],
    labels: list[str],
    colours: list[str],
    *,
    max_alliances: int = 12,
    expanded: bool = True,
) -> str:
    leads = [k for k in names if k in colour_of]
    rows = [
        f'<div><span class="netopt-swatch" style="background:{PALETTE[colour_of[k]]}"></span>'
        f"{_esc(names[k])}</div>"
        for k in leads[:max_alliances]
    ]
    if len(leads) > max_alliances:
        rows.append(f"<div>+ {len(leads) - max_alliances} more alliances</div>")
    if "" in catch:
        rows.append(
            f'<div><span class="netopt-swatch" style="background:{_GREY}"></span>'
            "no lead reachable</div>"
        )
    tiers = "".join(
        f'<div><span class="netopt-fac netopt-tier-{t} netopt-legend-icon"></span>{t}</div>'
        for t in TIERS
    )
    lead = (
        '<div><span class="netopt-fac netopt-lead netopt-tier-county netopt-legend-icon">'
        "</span>lead hospital (ring: alliance colour)</div>"
    )
    lines = (
        f'<div><svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
        f'stroke="{_FERRY}" stroke-width="3" stroke-dasharray="6 4"/></svg>ferry route</div>'
        '<div><svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
        'stroke="#555" stroke-width="4"/></svg>referral flow (width: referrals / year)</div>'
    )
    bands = "".join(
        f'<div><span class="netopt-swatch" style="background:{c}"></span>{lab}</div>'
        for lab, c in zip(labels, colours)
    )
    return (
        f"<details{' open' if expanded else ''}><summary><b>Legend</b></summary>"
        "<h4>Alliances</h4>"
        + "".join(rows)
        + "<h4>Facilities</h4>"
        + lead
        + tiers
        + "<h4>Lines</h4>"
        + lines
        + "<h4>Travel time (layer)</h4>"
        + bands
        + "</details>"
    )


def _kpi_html(plan: Any, keys: Sequence[str] | None) -> str:
    kpis = dict(getattr(plan, "kpis", {}) or {})
    keys = [k for k in (keys or DEFAULT_KPIS) if k in kpis]
    rows = [_format_kpi(k, kpis[k]) for k in keys]
    rows.insert(0, ("Alliances", str(len(plan.leads))))
    body = "".join(f'<tr><td>{k}</td><td class="v">{v}</td></tr>' for k, v in rows)
    region = _esc(getattr(plan.region, "name", ""))
    return f"<h4>{_esc(plan.name)}</h4><div>{region}</div><table>{body}</table>"


def _tile_layers(tiles: Any, tianditu_key: str | None) -> list[folium.TileLayer]:
    if tiles is None:
        return []
    items = [tiles] if isinstance(tiles, (str, folium.TileLayer)) else list(tiles)
    out = []
    for item in items:
        if isinstance(item, folium.TileLayer):
            out.append(item)
        elif str(item).lower() in ("openstreetmap", "osm"):
            out.append(folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)"))
        elif str(item).lower() == "tianditu":
            if not tianditu_key:
                raise DataError(
                    Problem(
                        "alliance_map",
                        "",
                        "tianditu_key",
                        "missing",
                        "pass tianditu_key=<your Tianditu browser key>",
                    )
                )
            for layer, label in (("vec", "Tianditu (online)"), ("cva", "Tianditu labels")):
                url = (
                    f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS"
                    f"&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default"
                    "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
                    f"&tk={tianditu_key}"
                )
                out.append(
                    folium.TileLayer(
                        url,
                        name=label,
                        attr="&copy; Tianditu",
                        overlay=(layer == "cva"),
                        subdomains="01234567",
                        max_zoom=18,
                    )
                )
        else:
            raise DataError(
                Problem(
                    "alliance_map",
                    "",
                    "tiles",
                    repr(item),
                    "use None, 'openstreetmap', 'tianditu' or a folium.TileLayer",
                )
            )
    return out


def _draw_plan(
    m: folium.Map,
    plan: Any,
    schedule: Any,
    *,
    graph: Any,
    tiles: Any,
    tianditu_key: str | None,
    bands_min: Sequence[float],
    band_time: str,
    cluster_threshold: int,
    max_zone_features: int,
    tolerance_deg: float | None,
    precision: int,
    rotation_layers: str,
    kpis: Sequence[str] | None,
    fullscreen: bool,
    compact: bool = False,
) -> tuple[float, float, float, float]:
    """Draw every layer and control of one plan onto ``m``; return the bounds drawn."""
    region = plan.region
    bounds = _extent(region.facilities, region.zones, region.boundaries)
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-4)
    tolerance = tolerance_deg if tolerance_deg is not None else span / 4000.0
    for layer in _tile_layers(tiles, tianditu_key):
        layer.add_to(m)
    land = region.land()
    _add_land(m, region, tolerance, precision)
    fac = _facility_table(plan)
    catch, bands, zplan = _zone_groups(
        plan, bounds, tolerance, precision, bands_min=bands_min, band_time=band_time, land=land
    )
    names = _alliance_names(plan, fac)
    order = [str(j) for j in plan.leads]
    colour_of = _colour_alliances({k: g for k, g in catch.items() if k}, order)
    stats = _lead_stats(plan, zplan)
    _add_catchments(m, catch, colour_of, names, stats)
    labels, colours = _band_labels(bands_min), _band_colours(len(bands_min) + 1)
    _add_bands(m, bands, labels, colours, band_time=band_time)
    if len(region.zones) <= max_zone_features:
        _add_zone_points(m, region, zplan, precision)
    else:
        logger.info(
            "%d zones > max_zone_features=%d: zones drawn as dissolved areas only",
            len(region.zones),
            max_zone_features,
        )
    _add_flows(m, fac, colour_of, names, precision)
    _add_ferries(m, region, tolerance, precision)
    if schedule is not None:
        by = rotation_layers
        if by == "auto":  # one layer per expert while the layer list stays readable
            by = "expert" if schedule.visits["expert"].nunique() <= _MAX_EXPERT_LAYERS else "week"
        _add_rotations(m, schedule, plan, fac, graph, precision, tolerance, by=by)
    _add_facilities(m, fac, colour_of, stats, names, precision, cluster_threshold=cluster_threshold)
    m.add_child(_Panel(_kpi_html(plan, kpis), position="bottomleft", css_class="netopt-kpis"))
    m.add_child(
        _Panel(
            _legend_html(names, colour_of, catch, labels, colours, expanded=not compact),
            position="bottomright",
            css_class="netopt-legend",
        )
    )
    folium.LayerControl(collapsed=compact, position="topright").add_to(m)
    if fullscreen:
        m.add_child(_Fullscreen())
    return bounds


def _check_options(
    bands_min: Sequence[float], band_time: str, rotation_layers: str, precision: int
) -> None:
    problems = []
    b = list(bands_min)
    if not b or any(not (x > 0) for x in b) or b != sorted(b):
        problems.append(
            Problem(
                "alliance_map",
                "",
                "bands_min",
                repr(bands_min),
                "give increasing positive minutes, e.g. (15, 30, 60)",
            )
        )
    if band_time not in ("nearest", "assigned"):
        problems.append(
            Problem("alliance_map", "", "band_time", repr(band_time), "use 'nearest' or 'assigned'")
        )
    if rotation_layers not in ("auto", "expert", "week"):
        problems.append(
            Problem(
                "alliance_map",
                "",
                "rotation_layers",
                repr(rotation_layers),
                "use 'auto', 'expert' or 'week'",
            )
        )
    if not (0 <= int(precision) <= 8):
        problems.append(
            Problem(
                "alliance_map",
                "",
                "precision",
                repr(precision),
                "use 0..8 decimals (5 is about 1 m)",
            )
        )
    if problems:
        raise DataError(problems)


def _fit(m: folium.Map, bounds: tuple[float, float, float, float]) -> None:
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(10, 10))


def alliance_map(
    plan: Any,
    schedule: Any = None,
    *,
    graph: Any = None,
    tiles: Any = None,
    tianditu_key: str | None = None,
    bands_min: Sequence[float] = (15, 30, 60),
    band_time: Literal["nearest", "assigned"] = "nearest",
    cluster_threshold: int = 500,
    max_zone_features: int = 5000,
    tolerance_deg: float | None = None,
    precision: int = 5,
    rotation_layers: Literal["auto", "expert", "week"] = "auto",
    kpis: Sequence[str] | None = None,
    fullscreen: bool = True,
) -> folium.Map:
    """Draw an alliance plan (and its rotation schedule) on an offline Folium map.

    Layers (each toggleable in the layer control): *Land and townships* (the offline
    basemap), *Alliance catchments* (zone areas dissolved per alliance), *Travel time to
    nearest lead* (bands, hidden at start), *Resident zones* (hidden; only up to
    ``max_zone_features`` zones), *Referral flows* (member to lead, width by referrals a year),
    *Ferry routes* (dashed, with crossing time, headway and service hours), one
    *Rotation: ...* layer per expert (or per week) when ``schedule`` is given, *Lead hospitals*
    and *Member facilities* (icons by tier; popups with name, tier, beds, population served,
    referral load against capacity and mean travel time of the residents). A KPI panel
    (``plan.kpis``), a legend, a full-screen button and the view fitted to the region.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        The plan to draw.
    schedule : netopt.rotations.RotationSchedule, optional
        Expert rotations to draw as toggleable layers.
    graph : netopt.graph.TravelGraph, keyword-only, optional
        When given, rotation routes follow the travel graph instead of straight lines.
    tiles : None, str, folium.TileLayer or a sequence of them, keyword-only
        Online basemaps: ``"openstreetmap"``, ``"tianditu"`` (needs ``tianditu_key``). None
        (default): no tiles, the page needs no network.
    tianditu_key : str, keyword-only, optional
        Tianditu browser key (it is written into the page).
    bands_min : sequence of float, keyword-only
        Travel-time band limits in minutes, default ``(15, 30, 60)``.
    band_time : {"nearest", "assigned"}, keyword-only
        Bands by time to the nearest lead (default) or to the zone's own lead.
    cluster_threshold : int, keyword-only
        Cluster a facility layer's markers when it has more than this many (default 500).
    max_zone_features : int, keyword-only
        Draw the zones as points only up to this many (default 5000).
    tolerance_deg : float, keyword-only, optional
        Simplification tolerance in degrees; default 1/4000 of the region's extent (a quarter
        of a pixel on a 1000-pixel-wide view of the whole region).
    precision : int, keyword-only
        Decimals of the coordinates written (default 5, about 1 m).
    rotation_layers : {"auto", "expert", "week"}, keyword-only
        One rotation layer per expert or per week; ``"auto"`` (default) draws one per
        expert up to 8 experts with visits, else one per week.
    kpis : sequence of str, keyword-only, optional
        KPI keys for the panel (default :data:`DEFAULT_KPIS`, those present).
    fullscreen : bool, keyword-only
        Add the full-screen button (default True).

    Returns
    -------
    folium.Map
        A map whose page embeds every script and style it needs; write it with
        :func:`save_map`.

    Raises
    ------
    DataError
        Invalid options (every problem listed), or a region without coordinates.

    Examples
    --------
    >>> m = netopt.maps.alliance_map(plan, schedule)            # doctest: +SKIP
    >>> netopt.maps.save_map(m, "maps/plan.html")               # doctest: +SKIP
    """
    _check_options(bands_min, band_time, rotation_layers, precision)
    m = folium.Map(
        location=None,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_start=10,
        maxZoom=_MAX_ZOOM,
    )
    m.get_root().title = _esc(plan.name)
    bounds = _draw_plan(
        m,
        plan,
        schedule,
        graph=graph,
        tiles=tiles,
        tianditu_key=tianditu_key,
        bands_min=bands_min,
        band_time=band_time,
        cluster_threshold=cluster_threshold,
        max_zone_features=max_zone_features,
        tolerance_deg=tolerance_deg,
        precision=precision,
        rotation_layers=rotation_layers,
        kpis=kpis,
        fullscreen=fullscreen,
    )
    m.location = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    _fit(m, bounds)
    make_offline(m, css=_css(), extra=("fullscreen",) if fullscreen else ())
    return m


def compare_map(
    plan_a: Any,
    plan_b: Any,
    *,
    schedule_a: Any = None,
    schedule_b: Any = None,
    **options: Any,
) -> DualMap:
    """Two synchronised maps side by side, each with its plan's name and KPI panel.

    Parameters
    ----------
    plan_a, plan_b : netopt.alliances.AlliancePlan
        The scenarios (left, right); their ``name`` heads each KPI panel.
    schedule_a, schedule_b : netopt.rotations.RotationSchedule, keyword-only, optional
        Rotations to draw on each side.
    **options
        Keyword options of :func:`alliance_map` (``tiles``, ``bands_min``, ...).

    Returns
    -------
    folium.plugins.DualMap
        Panning or zooming one map moves the other (offline sync script).

    Examples
    --------
    >>> dm = netopt.maps.compare_map(today, proposal)            # doctest: +SKIP
    >>> netopt.maps.save_map(dm, "maps/compare.html")            # doctest: +SKIP
    """
    settings = {
        "graph": None,
        "tiles": None,
        "tianditu_key": None,
        "bands_min": (15, 30, 60),
        "band_time": "nearest",
        "cluster_threshold": 500,
        "max_zone_features": 5000,
        "tolerance_deg": None,
        "precision": 5,
        "rotation_layers": "auto",
        "kpis": None,
        "fullscreen": True,
    }
    unknown = set(options) - set(settings)
    if unknown:
        raise TypeError(f"compare_map() got unexpected keyword argument(s) {sorted(unknown)}")
    settings.update(options)
    _check_options(
        settings["bands_min"],
        settings["band_time"],
        settings["rotation_layers"],
        settings["precision"],
    )
    dual = DualMap(
        location=None, tiles=None, prefer_canvas=True, control_scale=True, maxZoom=_MAX_ZOOM
    )
    dual.get_root().title = f"{_esc(plan_a.name)} | {_esc(plan_b.name)}"
    full = settings.pop("fullscreen")
    b_a = _draw_plan(dual.m1, plan_a, schedule_a, fullscreen=full, compact=True, **settings)
    b_b = _draw_plan(dual.m2, plan_b, schedule_b, fullscreen=False, compact=True, **settings)
    bounds = (min(b_a[0], b_b[0]), min(b_a[1], b_b[1]), max(b_a[2], b_b[2]), max(b_a[3], b_b[3]))
    for m in (dual.m1, dual.m2):
        _fit(m, bounds)
    make_offline(dual, css=_css(), extra=("sync", "fullscreen") if full else ("sync",))
    return dual


def save_map(
    m: folium.Map | DualMap, path: str | os.PathLike[str], *, self_contained: bool = True
) -> tuple[Path, int]:
    """Write a map as one HTML file, atomically.

    Parameters
    ----------
    m : folium.Map or folium.plugins.DualMap
        From :func:`alliance_map` or :func:`compare_map` (any Folium map works: its CDN
        links are replaced by embedded copies where a PyPI package ships them).
    path : path-like
        Target ``.html`` file; folders are created.
    self_contained : bool, keyword-only
        Embed scripts and styles (default). With False the page is written as Folium renders
        it.

    Returns
    -------
    path : pathlib.Path
    size : int
        File size in bytes (also logged).

    Raises
    ------
    NetoptError
        ``self_contained`` and the page would still load a script, style or image from the
        internet (an element without an offline copy); the URLs are listed.
    """
    path = Path(path)
    if self_contained:
        make_offline(m)
    text = m.get_root().render()
    if self_contained:
        urls = external_resources(text)
        if urls:
            raise NetoptError(
                f"the map would load {len(urls)} resource(s) from the internet: "
                f"{', '.join(sorted(set(urls))[:5])}. Remove the elements that need them "
                "(folium.Icon needs awesome-markers: use folium.DivIcon or CircleMarker), "
                "or call save_map(..., self_contained=False)"
            )
    data = text.encode("utf-8")
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    logger.info("wrote map %s (%.2f MB)", path, len(data) / 1e6)
    return path, len(data)
