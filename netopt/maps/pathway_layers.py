"""The time-critical pathway layers of a map: who is treated within each condition's window.

:func:`add_pathway_layers` adds one overlay per condition (*Stroke (IV thrombolysis):
treated in time*, ...), hidden at start, each with its legend (:class:`LayerLegend`):

- every resident zone as a circle (area by population) coloured *treated in time* (green),
  *not in time* (red) or *no capable centre reached* (dark grey), its tooltip giving the
  minutes from onset to treatment against the window, the route and the centre reached;
- transfer routes: a line from each zone not in time, or on an island, to the centre it
  reaches (through the nearest facility for a transfer; dashed for a helicopter).

A *Day / Night* switch (a small offline control, no library) shows while any pathway overlay
is on; it restyles every overlay for the chosen period and sets ``data-netopt-period`` on
the map's container.

The page gets the data once, compactly (:func:`pathway_data`): per zone its point,
population, and per condition and period the whole minutes and one integer code (centre,
route, in time); the circles and lines are made by the page's script when an overlay is
first turned on. Drawing never routes: everything comes from :attr:`netopt.pathways.
Pathways.table`.
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from netopt.maps.flow_layers import LayerLegend
from netopt.maps.i18n import catalogue, current_language
from netopt.maps.tables import display_names
from netopt.maps.text import esc, js_json, message, num

__all__ = [
    "IN_TIME_COLOUR",
    "LATE_COLOUR",
    "NO_ROUTE_COLOUR",
    "PathwayLayers",
    "add_pathway_layers",
    "condition_name",
    "pathway_data",
]

#: Zones treated in time, not in time, and without any capable centre reached.
IN_TIME_COLOUR, LATE_COLOUR, NO_ROUTE_COLOUR = "#1A9850", "#D73027", "#4D4D4D"
#: Route lines: through the nearest facility (transfer), by helicopter, straight (direct).
_ROUTE_COLOURS = {"direct": "#5E5E5E", "transfer": "#E08214", "air": "#7B3294"}
_ROUTES = ("direct", "transfer", "air", "none")
_PERIODS = ("day", "night")
_CSS = """
.netopt-period-switch {display: flex; gap: 0; border-radius: 4px; overflow: hidden;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); background: #fff;}
.netopt-period-switch button {border: 0; padding: 4px 10px; font: 600 12px sans-serif;
  background: #fff; color: #333; cursor: pointer;}
.netopt-period-switch button[aria-pressed="true"] {background: #1F4E79; color: #fff;}
.netopt-pathway-key {display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: middle; border-radius: 50%; border: 1px solid #333;}
.netopt-pathway-line {display: inline-block; width: 18px; margin-right: 6px;
  vertical-align: middle; border-top: 3px solid;}
"""


def condition_name(key: str, label: str | None = None) -> str:
    """A condition's short name in the language in use (HTML): the catalogue's
    ``pathway.cond.<key>`` for a default condition, else its own ``label`` (or key), escaped.

    Parameters
    ----------
    key : str
    label : str, optional

    Returns
    -------
    str
    """
    known = catalogue(current_language())
    return known.get(f"pathway.cond.{key}") or esc(label or key.replace("_", " "))


def pathway_data(pathways: Any, region: Any, precision: int) -> dict[str, Any]:
    """The compact page data of the pathway layers.

    Parameters
    ----------
    pathways : netopt.pathways.Pathways
    region : netopt.region.Region
    precision : int
        Decimals of the coordinates.

    Returns
    -------
    dict
        ``conds`` (keys), ``window`` (minutes per condition), ``centres`` (``[lon, lat,
        name]``), ``towns`` (names) and ``zones``: one row per zone, ``[lon, lat, id,
        population, town index, island (0/1), minutes, codes]`` where ``minutes`` and
        ``codes`` have one entry per condition and period (condition-major, day first):
        whole minutes (null when unreachable) and ``((centre + 1) * 4 + route) * 2 +
        in_time`` (route index of ``direct``, ``transfer``, ``air``, ``none``; centre -1:
        none); ``via``: ``{"<zone row>.<slot>": centre index}`` for the transfers.
    """
    table = pathways.table
    conds = [str(c) for c in pathways.conditions]
    zones = region.zones
    ids = zones.index.astype(str)
    xy = shapely.get_coordinates(shapely.point_on_surface(zones.geometry.to_numpy()))
    xy = np.round(xy, precision)
    fac = region.facilities
    fxy = np.round(
        shapely.get_coordinates(shapely.point_on_surface(fac.geometry.to_numpy())), precision
    )
    names = display_names(fac)
    fid = [str(i) for i in fac.index]
    centre_of = {f: i for i, f in enumerate(fid)}
    first = table.drop_duplicates("zone").set_index("zone")
    first.index = first.index.astype(str)
    towns = sorted({str(t) for t in first["township"].fillna("")})
    town_of = {t: i for i, t in enumerate(towns)}
    row_of = {z: i for i, z in enumerate(ids)}
    n_slots = 2 * len(conds)
    minutes: list[list[int | None]] = [[None] * n_slots for _ in ids]
    codes: list[list[int]] = [[_ROUTES.index("none") * 2] * n_slots for _ in ids]
    via: dict[str, int] = {}
    slot_of = {(c, p): 2 * i + j for i, c in enumerate(conds) for j, p in enumerate(_PERIODS)}
    for r in table.itertuples(index=False):
        zi, s = row_of.get(str(r.zone)), slot_of.get((str(r.condition), str(r.period)))
        if zi is None or s is None:
            continue
        m = float(r.minutes)
        minutes[zi][s] = round(m) if np.isfinite(m) else None
        centre = centre_of.get(str(r.centre), -1) if isinstance(r.centre, str) else -1
        route = _ROUTES.index(r.route) if r.route in _ROUTES else _ROUTES.index("none")
        codes[zi][s] = ((centre + 1) * 4 + route) * 2 + int(bool(r.in_time))
        if isinstance(r.via, str) and r.via in centre_of:
            via[f"{zi}.{s}"] = centre_of[r.via]
    rows = []
    for i, z in enumerate(ids):
        info = first.loc[z] if z in first.index else None
        pop = float(zones["population"].iloc[i]) if "population" in zones else 0.0
        town = str(info["township"]) if info is not None and info["township"] else ""
        island = int(info is not None and str(info["island"]) not in ("", "mainland"))
        rows.append(
            [*xy[i].tolist(), esc(z), round(pop), town_of.get(town, 0), island]
            + [minutes[i], codes[i]]
        )
    return {
        "conds": conds,
        "window": [float(pathways.conditions[c].window_min) for c in conds],
        "centres": [[*fxy[i].tolist(), esc(names.iloc[i])] for i in range(len(fid))],
        "towns": [esc(t) for t in towns],
        "zones": rows,
        "via": via,
    }


def _labels() -> dict[str, Any]:
    """The texts the page's script puts in tooltips and the switch (HTML)."""
    return {
        "day": message("pathway.day"),
        "night": message("pathway.night"),
        "switch": message("pathway.switch_title"),
        "zone": message("pathway.zone"),
        "residents": message("flow.residents"),
        "minutes": message("pathway.minutes"),
        "window": message("pathway.window"),
        "route": message("pathway.route"),
        "centre": message("pathway.centre"),
        "via": message("pathway.via"),
        "in_time": message("pathway.in_time"),
        "late": message("pathway.late"),
        "routes": [message(f"pathway.route_{r}") for r in _ROUTES],
        "unreachable": message("value.unreachable"),
    }


def _legend_html(key: str, cond: Any, summary: pd.DataFrame) -> str:
    """Colour keys, the window (ESTIMATE flagged), the shares in time by day and night."""
    name = condition_name(key, cond.label)
    window = num(cond.window_min, ".0f")
    title = message("pathway.legend_title", condition=name, window=window)
    if cond.estimated:
        title += f" <strong>({message('pathway.estimate')})</strong>"
    share = {
        p: num(100 * float(summary.loc[(key, p), "share_in_time"]), ".1f", " %") for p in _PERIODS
    }
    keys = "".join(
        f'<div><span class="netopt-pathway-key" style="background:{c}"></span>{t}</div>'
        for c, t in (
            (IN_TIME_COLOUR, message("pathway.in_time")),
            (LATE_COLOUR, message("pathway.late")),
            (NO_ROUTE_COLOUR, message("pathway.no_route")),
        )
    )
    lines = "".join(
        f'<div><span class="netopt-pathway-line" style="border-color:{_ROUTE_COLOURS[r]}'
        f'{";border-top-style:dashed" if r == "air" else ""}"></span>'
        f"{message(f'pathway.route_{r}')}</div>"
        for r in ("transfer", "air", "direct")
    )
    return (
        f"<h4>{title}</h4>{keys}"
        f"<div>{message('pathway.shares', day=share['day'], night=share['night'])}</div>"
        f"<div><small>{message('pathway.lines')}</small></div>{lines}"
    )


class PathwayLayers(MacroElement):
    """The script that fills the pathway overlays and the Day / Night switch (on the map).

    Parameters
    ----------
    groups : list of folium.FeatureGroup
        One per condition, in the order of ``data["conds"]``.
    data : dict
        :func:`pathway_data`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, groups, P, T, K) {
            var C = P.conds.length, period = 0, built = [];
            var top = Math.max.apply(null, P.zones.map(function (z) { return z[3]; }).concat([1]));
            var el = map.getContainer();
            el.setAttribute('data-netopt-period', 'day');
            function dec(k) { return {ok: k & 1, route: (k >> 1) & 3, centre: (k >> 3) - 1}; }
            function style(z, ci) {
                var d = dec(z[7][2 * ci + period]);
                var fill = d.ok ? K.in_time : (d.route === 3 ? K.none : K.late);
                return {radius: Math.max(3, Math.min(12, 3 + 9 * Math.sqrt(z[3] / top))),
                        fillColor: fill, color: '#333333', weight: 0.7, fillOpacity: 0.85,
                        className: 'netopt-pathway'};
            }
            function fmt(x) { return Math.round(x).toLocaleString('en-US'); }
            function tip(zi, ci) {
                var z = P.zones[zi], s = 2 * ci + period, d = dec(z[7][s]), m = z[6][s];
                var via = P.via[zi + '.' + s];
                var rows = [[T.residents, fmt(z[3])],
                    [T.minutes, m === null ? T.unreachable : fmt(m)],
                    [T.window, fmt(P.window[ci])],
                    ['', d.ok ? T.in_time : T.late],
                    [T.route, T.routes[d.route]]];
                if (d.centre >= 0) { rows.push([T.centre, P.centres[d.centre][2]]); }
                if (via !== undefined) { rows.push([T.via, P.centres[via][2]]); }
                var town = P.towns[z[4]];
                return '<div class="netopt-popup"><h4>' + T.zone + ' ' + z[2] +
                    (town ? ' &middot; ' + town : '') + ' &middot; ' +
                    (period ? T.night : T.day) + '</h4><table>' + rows.map(function (r) {
                        return '<tr><th>' + r[0] + '</th><td>' + r[1] + '</td></tr>';
                    }).join('') + '</table></div>';
            }
            function lines(ci) {
                var out = [];
                P.zones.forEach(function (z, zi) {
                    var s = 2 * ci + period, d = dec(z[7][s]);
                    if (d.centre < 0 || (d.ok && !z[5])) { return; }
                    var c = P.centres[d.centre], pts = [[z[1], z[0]]];
                    var via = P.via[zi + '.' + s];
                    if (via !== undefined) { pts.push([P.centres[via][1], P.centres[via][0]]); }
                    pts.push([c[1], c[0]]);
                    var r = ['direct', 'transfer', 'air'][d.route] || 'direct';
                    out.push(L.polyline(pts, {color: K.routes[r], weight: 1.6, opacity: 0.8,
                        dashArray: r === 'air' ? '6 5' : null, interactive: false,
                        className: 'netopt-pathway-route'}));
                });
                return L.layerGroup(out);
            }
            function build(ci) {
                var g = groups[ci];
                if (built[ci]) { g.removeLayer(built[ci].lines); }
                else {
                    built[ci] = {marks: P.zones.map(function (z, zi) {
                        var mk = L.circleMarker([z[1], z[0]], style(z, ci));
                        mk.bindTooltip(function () { return tip(zi, ci); }, {sticky: true});
                        g.addLayer(mk);
                        return mk;
                    })};
                }
                built[ci].lines = lines(ci);
                g.addLayer(built[ci].lines);
                built[ci].marks.forEach(function (mk, zi) { mk.setStyle(style(P.zones[zi], ci)); });
                built[ci].period = period;
            }
            var box = L.DomUtil.create('div', 'netopt-period-switch');
            box.setAttribute('role', 'group');
            box.setAttribute('aria-label', T.switch);
            box.title = T.switch;
            var buttons = [T.day, T.night].map(function (text, p) {
                var b = L.DomUtil.create('button', 'netopt-period-' + (p ? 'night' : 'day'), box);
                b.type = 'button';
                b.innerHTML = text;
                b.setAttribute('aria-pressed', p === period ? 'true' : 'false');
                L.DomEvent.on(b, 'click', function (e) { L.DomEvent.stop(e); show(p); });
                return b;
            });
            L.DomEvent.disableClickPropagation(box);
            var ctl = L.control({position: 'topleft'});
            ctl.onAdd = function () { return box; };
            function show(p) {
                period = p;
                el.setAttribute('data-netopt-period', p ? 'night' : 'day');
                buttons.forEach(function (b, i) { b.setAttribute('aria-pressed', i === p ? 'true' : 'false'); });
                groups.forEach(function (g, ci) { if (built[ci] && map.hasLayer(g)) { build(ci); } });
            }
            function onCount() {
                var on = groups.some(function (g) { return map.hasLayer(g); });
                if (on && !ctl.getContainer()) { ctl.addTo(map); }
                if (!on && ctl.getContainer() && ctl._map) { ctl.remove(); }
            }
            groups.forEach(function (g, ci) {
                g.on('add', function () {
                    if (!built[ci] || built[ci].period !== period) { build(ci); }
                    onCount();
                });
                g.on('remove', onCount);  // the map no longer has the layer here
            });
        })({{ this._parent.get_name() }}, [{{ this.group_names }}], {{ this.data_js }},
           {{ this.labels_js }}, {{ this.colours_js }});
        {% endmacro %}
        """
    )

    def __init__(self, groups: list[folium.FeatureGroup], data: dict[str, Any]):
        super().__init__()
        self._name = "NetoptPathways"
        self.group_names = ", ".join(g.get_name() for g in groups)
        self.data_js = js_json(data)
        self.labels_js = js_json(_labels())
        self.colours_js = js_json(
            {
                "in_time": IN_TIME_COLOUR,
                "late": LATE_COLOUR,
                "none": NO_ROUTE_COLOUR,
                "routes": _ROUTE_COLOURS,
            }
        )


def add_pathway_layers(m: folium.Map, pathways: Any, region: Any, precision: int) -> int:
    """Add one *<condition>: treated in time* overlay per condition (hidden at start), their
    legends and the Day / Night switch.

    Parameters
    ----------
    m : folium.Map
    pathways : netopt.pathways.Pathways or None
        The run's pathways (:attr:`netopt.scenario.Result.pathways`); None adds nothing.
    region : netopt.region.Region
        The region drawn (zone points, facility points and names).
    precision : int
        Decimals kept.

    Returns
    -------
    int
        Overlays added (0 without pathways).
    """
    if pathways is None or not len(pathways.conditions) or not len(pathways.table):
        return 0
    data = pathway_data(pathways, region, precision)
    groups = []
    for key in data["conds"]:
        cond = pathways.conditions[key]
        name = message("layer.pathway", condition=condition_name(key, cond.label))
        fg = folium.FeatureGroup(name=name, show=False).add_to(m)
        fg.add_child(LayerLegend(_legend_html(key, cond, pathways.summary)))
        groups.append(fg)
    m.get_root().header.add_child(Element(f"<style>{_CSS}</style>"), name="netopt_pathway_css")
    m.add_child(PathwayLayers(groups, data))
    return len(groups)
