"""Self-contained HTML for Folium maps: JavaScript and CSS embedded from PyPI packages.

Folium links Leaflet, jQuery, Bootstrap, awesome-markers and every plugin from CDNs. Maps for
officials must open on intranets without internet, so :func:`make_offline` removes every
CDN link from a rendered element tree and embeds, in their place, the files that the
``xstatic-*`` packages ship (Leaflet 1.9, Leaflet.markercluster 1.4, Font Awesome SVG icons).
Plugins without such a package are replaced by a few lines of our own JavaScript:

``FULLSCREEN_JS``
    ``L.Control.NetoptFullscreen``: one button that toggles the Fullscreen API on the page
    (also answers ``L.control.fullscreen``, so ``folium.plugins.Fullscreen`` works).
``SYNC_JS``
    ``L.Map.prototype.sync(other)``: keeps two maps on the same view (what folium's
    ``DualMap`` expects from Leaflet.Sync), via ``move`` events and ``setView``.

Images referenced by ``leaflet.css`` (the layer-control and default-marker icons) are
embedded as ``data:`` URIs, so a saved page makes no request at all.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable
from importlib import import_module
from pathlib import Path

from branca.element import Element, Figure

__all__ = [
    "FULLSCREEN_JS",
    "ICON_NAMES",
    "REPLACEMENTS",
    "SYNC_JS",
    "OfflineAssets",
    "asset_text",
    "external_resources",
    "icon_data_uri",
    "leaflet_css",
    "make_offline",
    "strip_cdn_links",
]

#: xstatic package module per bundle name.
_PACKAGES = {
    "leaflet": "xstatic.pkg.leaflet",
    "markercluster": "xstatic.pkg.leaflet_markercluster",
    "font_awesome": "xstatic.pkg.font_awesome",
    "jquery": "xstatic.pkg.jquery",
}

#: Font Awesome (Free, solid) icon used for each purpose; files under ``svgs/solid``.
ICON_NAMES: dict[str, str] = {
    "tertiary": "hospital",
    "county": "square-h",
    "township": "house-medical",
    "village": "house-chimney-medical",
    "other": "kit-medical",
    "expert": "user-doctor",
    "ferry": "ship",
    "fullscreen": "expand",
}

FULLSCREEN_JS = """
L.Control.NetoptFullscreen = L.Control.extend({
    options: {position: 'topleft', title: 'Full screen'},
    onAdd: function (map) {
        var bar = L.DomUtil.create('div', 'leaflet-bar leaflet-control netopt-fullscreen');
        var a = L.DomUtil.create('a', 'netopt-fullscreen-button', bar);
        a.href = '#';
        a.title = this.options.title;
        a.setAttribute('role', 'button');
        a.setAttribute('aria-label', this.options.title);
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(a, 'click', function (e) {
            L.DomEvent.preventDefault(e);
            var page = document.documentElement;
            if (document.fullscreenElement) {
                document.exitFullscreen();
            } else if (page.requestFullscreen) {
                page.requestFullscreen();
            }
        });
        L.DomEvent.on(document, 'fullscreenchange', function () { map.invalidateSize(); });
        return bar;
    }
});
// folium.plugins.Fullscreen calls L.control.fullscreen(options)
L.control.fullscreen = function (options) { return new L.Control.NetoptFullscreen(options); };
"""

SYNC_JS = """
L.Map.include({
    sync: function (other) {
        var self = this;
        self.on('move', function () {
            if (self._netoptSyncing) { return; }
            other._netoptSyncing = true;
            other.setView(self.getCenter(), self.getZoom(), {animate: false});
            other._netoptSyncing = false;
        });
        return self;
    }
});
"""

_ICON_DEFAULT_JS = """
L.Icon.Default.imagePath = '';
L.Icon.Default.mergeOptions({iconUrl: %s, iconRetinaUrl: %s, shadowUrl: %s});
"""


def _data_dir(bundle: str) -> Path:
    return Path(import_module(_PACKAGES[bundle]).BASE_DIR)


@functools.cache
def asset_text(bundle: str, relpath: str) -> str:
    """Return the text of one file shipped by an ``xstatic`` package.

    Parameters
    ----------
    bundle : str
        ``"leaflet"``, ``"markercluster"``, ``"font_awesome"`` or ``"jquery"``.
    relpath : str
        Path inside the package's data folder, e.g. ``"leaflet.js"``.

    Returns
    -------
    str
    """
    return (_data_dir(bundle) / relpath).read_text(encoding="utf-8")


@functools.cache
def _file_data_uri(bundle: str, relpath: str, mime: str) -> str:
    data = (_data_dir(bundle) / relpath).read_bytes()
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@functools.cache
def leaflet_css() -> str:
    """Return ``leaflet.css`` with its images embedded as ``data:`` URIs.

    Returns
    -------
    str
    """
    css = asset_text("leaflet", "leaflet.css")
    return re.sub(
        r"url\((images/[\w.-]+\.png)\)",
        lambda m: f'url("{_file_data_uri("leaflet", m.group(1), "image/png")}")',
        css,
    )


@functools.cache
def icon_data_uri(purpose: str, *, fill: str = "#ffffff") -> str:
    """Return a Font Awesome icon as an SVG ``data:`` URI (for CSS ``background-image``).

    Parameters
    ----------
    purpose : str
        A key of :data:`ICON_NAMES` (a facility tier, ``"expert"``, ``"ferry"``, ...).
    fill : str, keyword-only
        CSS colour of the glyph.

    Returns
    -------
    str
    """
    name = ICON_NAMES.get(purpose, ICON_NAMES["other"])
    svg = asset_text("font_awesome", f"svgs/solid/{name}.svg")
    svg = svg.replace("<svg ", f'<svg fill="{fill}" ', 1)
    return f"data:image/svg+xml;base64,{base64.b64encode(svg.encode('utf-8')).decode('ascii')}"


def _script(code: str) -> str:
    # A literal "</script" inside embedded code would end the element early.
    return "<script>\n" + code.replace("</script", "<\\/script") + "\n</script>"


def _style(css: str) -> str:
    return "<style>\n" + css.replace("</style", "<\\/style") + "\n</style>"


class OfflineAssets(Element):
    """Header element that embeds the JavaScript and CSS a map needs.

    Parameters
    ----------
    bundles : iterable of str
        Any of ``"leaflet"``, ``"markercluster"``, ``"fullscreen"``, ``"sync"``,
        ``"jquery"``; Leaflet is always included and everything is emitted in dependency
        order.
    css : str, keyword-only
        Extra CSS appended after the libraries' own.
    """

    _ORDER = ("leaflet", "jquery", "markercluster", "fullscreen", "sync")

    def __init__(self, bundles: Iterable[str] = (), *, css: str = ""):
        super().__init__()
        self._name = "OfflineAssets"
        unknown = set(bundles) - set(self._ORDER)
        if unknown:
            raise ValueError(f"unknown asset bundles {sorted(unknown)}; use {self._ORDER}")
        self.bundles = tuple(b for b in self._ORDER if b in set(bundles) | {"leaflet"})
        self.css = css

    def html_text(self) -> str:
        """Return the ``<style>`` and ``<script>`` elements to put in the page head."""
        parts: list[str] = []
        for bundle in self.bundles:
            if bundle == "leaflet":
                parts.append(_style(leaflet_css()))
                parts.append(_script(asset_text("leaflet", "leaflet.js")))
                uris = [
                    _file_data_uri("leaflet", f"images/{n}", "image/png")
                    for n in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
                ]
                parts.append(_script(_ICON_DEFAULT_JS % tuple(f'"{u}"' for u in uris)))
            elif bundle == "jquery":
                parts.append(_script(asset_text("jquery", "jquery.min.js")))
            elif bundle == "markercluster":
                parts.append(_style(asset_text("markercluster", "MarkerCluster.css")))
                parts.append(_style(asset_text("markercluster", "MarkerCluster.Default.css")))
                parts.append(_script(asset_text("markercluster", "leaflet.markercluster.js")))
            elif bundle == "fullscreen":
                parts.append(_script(FULLSCREEN_JS))
                icon = icon_data_uri("fullscreen", fill="#333333")
                parts.append(
                    _style(
                        f'.netopt-fullscreen-button {{background: #fff url("{icon}") center / 16px'
                        " no-repeat;}"
                    )
                )
            elif bundle == "sync":
                parts.append(_script(SYNC_JS))
        if self.css:
            parts.append(_style(self.css))
        return "\n".join(parts)

    def render(self, **kwargs) -> str:
        """Return :meth:`html_text` (this element lives in the figure header)."""
        return self.html_text()


def _walk(element: Element, seen: set[int] | None = None) -> Iterable[Element]:
    seen = set() if seen is None else seen
    if id(element) in seen:
        return
    seen.add(id(element))
    yield element
    for child in list(element._children.values()):
        yield from _walk(child, seen)
    # DualMap keeps its maps as attributes m1, m2; netopt's SideBySide as a list ``maps``
    subs = [getattr(element, extra, None) for extra in ("m1", "m2")]
    maps = getattr(element, "maps", None)
    subs += list(maps) if isinstance(maps, (list, tuple)) else []
    for sub in subs:
        if isinstance(sub, Element) and sub is not element:
            yield from _walk(sub, seen)


#: Folium's CDN link names and the bundle that replaces each offline ("" = not needed:
#: Bootstrap is only page styling; jQuery and awesome-markers are decided per tree).
REPLACEMENTS: dict[str, str] = {
    "leaflet": "leaflet",
    "leaflet_css": "leaflet",
    "jquery": "jquery",
    "bootstrap": "",
    "bootstrap_css": "",
    "glyphicons_css": "",
    "awesome_markers": "awesome",
    "awesome_markers_css": "awesome",
    "awesome_markers_font_css": "awesome",
    "awesome_rotate_css": "awesome",
    "markerclusterjs": "markercluster",
    "markerclustercss": "markercluster",
    "markerclusterdefaultcss": "markercluster",
    "Control.Fullscreen.js": "fullscreen",
    "Control.FullScreen.css": "fullscreen",
    "Leaflet.Sync": "sync",
}


def _needs(elements: list[Element]) -> dict[str, bool]:
    """Whether the tree uses jQuery (folium popups, keep_in_front) or awesome-markers icons."""
    from folium.map import Icon, Popup

    return {
        "jquery": any(
            isinstance(e, Popup) or getattr(e, "objects_to_stay_in_front", None) for e in elements
        ),
        "awesome": any(isinstance(e, Icon) for e in elements),
    }


def strip_cdn_links(root: Element) -> set[str]:
    """Remove every CDN link under ``root`` that has an offline replacement.

    Links without one stay in place (so :func:`external_resources` finds them): plugins
    without a PyPI package, and awesome-markers when a ``folium.Icon`` is used.

    Parameters
    ----------
    root : branca.element.Element
        A figure, map or any element.

    Returns
    -------
    set of str
        The bundles the removed links are replaced by (``"leaflet"``, ``"sync"``, ...).
    """
    elements = list(_walk(root))
    needs = _needs(elements)
    bundles: set[str] = set()
    for element in elements:
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            kept = []
            for name, url in links:
                bundle = REPLACEMENTS.get(name)
                if bundle is None or (bundle == "awesome" and needs["awesome"]):
                    kept.append((name, url))
                elif bundle in ("leaflet", "markercluster", "fullscreen", "sync") or (
                    bundle == "jquery" and needs["jquery"]
                ):
                    bundles.add(bundle)
            setattr(element, attr, kept)
    return bundles


def make_offline(root: Element, *, css: str = "", extra: Iterable[str] = ()) -> Figure:
    """Make a map's figure self-contained: drop CDN links, embed the assets it needs.

    Safe to call more than once (the embedded assets are replaced, not duplicated).

    Parameters
    ----------
    root : branca.element.Element
        A :class:`folium.Map`, :class:`folium.plugins.DualMap`,
        :class:`netopt.maps.elements.SideBySide` or their figure.
    css : str, keyword-only
        Extra CSS to embed (our marker and panel styles).
    extra : iterable of str, keyword-only
        Bundles to embed in any case (e.g. ``"fullscreen"``).

    Returns
    -------
    branca.element.Figure
        The root figure the assets were added to.
    """
    figure = root.get_root()
    if not isinstance(figure, Figure):
        raise TypeError(f"expected an element inside a branca Figure, got {type(figure).__name__}")
    previous = figure.header._children.get("netopt_offline")
    bundles = strip_cdn_links(figure) | set(extra) | set(getattr(previous, "bundles", ()))
    css = css or getattr(previous, "css", "")
    figure.header.add_child(OfflineAssets(bundles, css=css), name="netopt_offline", index=1)
    return figure


_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)


def external_resources(html: str) -> list[str]:
    """Return every URL the page would fetch from the network when opened.

    Parameters
    ----------
    html : str
        A rendered page.

    Returns
    -------
    list of str
        ``<script src>``, ``<link href>``, ``<img src>``, ``<iframe src>`` and CSS ``url()``
        targets that start with ``http:``, ``https:`` or ``//``. Tile URL templates inside
        scripts are not listed (tile layers are an explicit online option).
    """
    return [a or b for a, b in _EXTERNAL.findall(html)]
