"""The Folium elements the maps are made of: a canvas GeoJSON layer, a panel, a full-screen button.

Each is a :class:`branca.element.MacroElement` whose script reads only pre-escaped HTML and
JSON made by :func:`netopt.maps.text.js_json`, so no data text is ever parsed as markup by
the page. The scripts and styles they need are embedded by :mod:`netopt._offline`.
"""

from __future__ import annotations

from typing import Any, Literal

from branca.element import MacroElement
from folium.template import Template

from netopt.maps.text import js_json

__all__ = ["Fullscreen", "GeoJsonLayer", "Panel"]


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
    """A Leaflet control holding pre-escaped HTML (legend, KPI panel).

    Parameters
    ----------
    html_text : str
        The panel's content, already escaped.
    position : str, keyword-only
        Leaflet control position, e.g. ``"bottomleft"``.
    css_class : str, keyword-only
        Extra CSS classes (``netopt-kpis``, ``netopt-legend``).
    """

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
        self.html_js = js_json(html_text)
        self.position = position
        self.css_class = f"leaflet-control netopt-panel {css_class}"


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
