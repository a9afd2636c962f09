"""The Folium elements the maps are made of: a canvas GeoJSON layer, a panel (collapsible), a
full-screen button, a view fitted around the panels, and synchronised maps side by side.

Each is a :class:`branca.element.MacroElement` whose script reads only pre-escaped HTML and
JSON made by :func:`netopt.maps.text.js_json`, so no data text is ever parsed as markup by
the page. The scripts and styles they need are embedded by :mod:`netopt._offline`.
"""

from __future__ import annotations

import html
from typing import Any, Literal

import folium
from branca.element import Figure, MacroElement
from folium.template import Template

from netopt.maps.text import js_json, message

__all__ = ["FitBounds", "Fullscreen", "GeoJsonLayer", "Panel", "SideBySide"]


class GeoJsonLayer(MacroElement):
    """One ``L.geoJSON`` layer with pre-escaped popups, drawn on the parent layer.

    Feature properties read by the page: ``p`` popup HTML, ``tt`` tooltip HTML, ``s`` per
    feature style; for ``point="icon"``: ``c`` CSS classes, ``z`` icon size (px), ``t``
    plain title (set as a DOM property, never parsed as HTML).

    Parameters
    ----------
    features : list of dict
        GeoJSON features (see :mod:`netopt.maps.geometry`); kept as ``features``.
    class_name : str, keyword-only
        CSS class of every path or marker (tests count features by it).
    style : dict, keyword-only, optional
        Leaflet path options shared by all features.
    point : {"circle", "icon", "none"}, keyword-only
        How points are drawn: canvas circle markers, div icons, or Leaflet's default.
    interactive : bool, keyword-only
        Whether the features take clicks and hovers.
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
        self.data_js = js_json({"type": "FeatureCollection", "features": features})
        self.style_js = js_json(style or {})
        self.class_name = class_name
        self.point = point
        self.interactive = interactive


class Panel(MacroElement):
    """A Leaflet control holding pre-escaped HTML (legend, KPI panel, data caveat).

    A collapsible panel gets a toggle button (``.netopt-toggle``, plain JavaScript, no
    library) that hides and shows its ``.netopt-body`` part: the class ``netopt-collapsed``
    on the panel and ``aria-expanded`` on the button follow its state.

    Parameters
    ----------
    html_text : str
        The panel's content, already escaped; with ``collapsible`` the part to hide is
        wrapped in ``<div class="netopt-body">``.
    position : str, keyword-only
        Leaflet control position, e.g. ``"bottomleft"``.
    css_class : str, keyword-only
        Extra CSS classes (``netopt-kpis``, ``netopt-legend``, ``netopt-caveat``).
    collapsible : bool, keyword-only
        Add the toggle button.
    collapsed : bool, keyword-only
        Start collapsed (with ``collapsible``).
    labels : dict of str to str, keyword-only, optional
        Button texts ``hide``, ``show``, ``hide_title``, ``show_title`` (default: the
        message catalogue's ``panel.*`` entries, :data:`netopt.maps.text.MESSAGES`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html_js }};
            {%- if this.collapsible %}
            var t = {{ this.labels_js }};
            var btn = L.DomUtil.create('button', 'netopt-toggle');
            btn.type = 'button';
            div.insertBefore(btn, div.firstChild);
            var show = function (open) {
                L.DomUtil[open ? 'removeClass' : 'addClass'](div, 'netopt-collapsed');
                btn.setAttribute('aria-expanded', open ? 'true' : 'false');
                btn.textContent = open ? t.hide : t.show;
                btn.title = open ? t.hide_title : t.show_title;
            };
            show({{ (not this.collapsed)|tojson }});
            L.DomEvent.on(btn, 'click', function (e) {
                L.DomEvent.stop(e);
                show(L.DomUtil.hasClass(div, 'netopt-collapsed'));
            });
            {%- endif %}
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        html_text: str,
        *,
        position: str,
        css_class: str,
        collapsible: bool = False,
        collapsed: bool = False,
        labels: dict[str, str] | None = None,
    ):
        super().__init__()
        self._name = "NetoptPanel"
        self.html_js = js_json(html_text)
        self.position = position
        self.css_class = f"leaflet-control netopt-panel {css_class}"
        self.collapsible = bool(collapsible)
        self.collapsed = bool(collapsed)
        texts = labels or {
            k: message(f"panel.{k}") for k in ("hide", "show", "hide_title", "show_title")
        }
        self.labels_js = js_json({k: html.unescape(v) for k, v in texts.items()})


class SideBySide(MacroElement):
    """Two to four synchronised maps in one page: a row, or a 2 x 2 grid for four.

    Panning or zooming one map moves the others (``L.Map.prototype.sync`` of
    :data:`netopt._offline.SYNC_JS`). Draw on each map of :attr:`maps` (also ``m1``,
    ``m2``, ... as on :class:`folium.plugins.DualMap`).

    Parameters
    ----------
    n : int
        Number of maps, 2 to 4 (1 is allowed: one map filling the page).
    **kwargs
        Keyword arguments of every :class:`folium.Map`.

    Attributes
    ----------
    maps : list of folium.Map
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- for a in this.maps %}{%- for b in this.maps %}{%- if a is not sameas b %}
            {{ a.get_name() }}.sync({{ b.get_name() }});
        {%- endif %}{%- endfor %}{%- endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, n: int, **kwargs: Any):
        super().__init__()
        self._name = "NetoptSideBySide"
        cols = n if n <= 3 else 2
        rows = -(-n // cols)
        width, height = 100.0 / cols, 100.0 / rows
        self.maps = [
            folium.Map(
                width=f"{width:.4f}%",
                height=f"{height:.4f}%",
                left=f"{(i % cols) * width:.4f}%",
                top=f"{(i // cols) * height:.4f}%",
                position="absolute",
                **kwargs,
            )
            for i in range(n)
        ]
        for i, m in enumerate(self.maps, start=1):
            setattr(self, f"m{i}", m)
        figure = Figure()
        for m in self.maps:
            figure.add_child(m)
        figure.add_child(self)  # last: the maps exist when the sync script runs


class Fullscreen(MacroElement):
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


class FitBounds(MacroElement):
    """Fit the map's view to bounds in the part of the map that no panel covers.

    Added after the panels, its script measures them in the page (``.netopt-panel`` and an
    expanded layer control) and fits the bounds either between the panels on the left and
    on the right, or between those at the top and at the bottom: whichever allows the larger
    zoom. So the KPI panel, the legend and the data caveat never cover the region when the
    page opens, on a laptop screen (1366 x 768) as on a large one.

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` in degrees.
    margin : int, keyword-only
        Pixels kept free around the bounds and next to each panel.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var bounds = L.latLngBounds({{ this.bounds_js }});
            var m = {{ this.margin }}, size = map.getSize();
            var box = map.getContainer().getBoundingClientRect();
            var sel = '.netopt-panel, .leaflet-control-layers-expanded';
            var pad = {l: m, r: m, t: m, b: m};
            map.getContainer().querySelectorAll(sel).forEach(function (el) {
                var r = el.getBoundingClientRect();
                if (r.width <= 0 || r.height <= 0) { return; }
                var l = r.left - box.left, t = r.top - box.top;
                if (l + r.width / 2 < size.x / 2) { pad.l = Math.max(pad.l, l + r.width + m); }
                else { pad.r = Math.max(pad.r, size.x - l + m); }
                if (t + r.height / 2 < size.y / 2) { pad.t = Math.max(pad.t, t + r.height + m); }
                else { pad.b = Math.max(pad.b, size.y - t + m); }
            });
            var options = [
                {paddingTopLeft: [pad.l, m], paddingBottomRight: [pad.r, m]},
                {paddingTopLeft: [m, pad.t], paddingBottomRight: [m, pad.b]}
            ].filter(function (o) {
                return o.paddingTopLeft[0] + o.paddingBottomRight[0] < size.x &&
                    o.paddingTopLeft[1] + o.paddingBottomRight[1] < size.y;
            });
            var zoom = function (o) {
                return map.getBoundsZoom(bounds, false,
                    L.point(o.paddingTopLeft).add(o.paddingBottomRight));
            };
            options.sort(function (a, b) { return zoom(b) - zoom(a); });
            map.fitBounds(bounds, options[0] || {padding: [m, m]});
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: tuple[float, float, float, float], *, margin: int = 10):
        super().__init__()
        self._name = "NetoptFitBounds"
        minx, miny, maxx, maxy = bounds
        self.bounds_js = js_json([[miny, minx], [maxy, maxx]])
        self.margin = int(margin)
