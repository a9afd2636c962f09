"""Colours, icon sizes and the page's CSS: how the maps look, in one place.

Alliances use Paul Tol's *muted* palette (colour-blind safe): one colour each up to its nine
colours, beyond that assigned by :func:`colour_alliances` so that neighbouring catchments
differ. Travel-time bands use Tol's sequential *YlOrBr*. Facility icons are the tier icons
of :mod:`netopt._offline`, embedded as data URIs in the CSS.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import shapely

from netopt._offline import icon_data_uri
from netopt.maps.text import message
from netopt.region import TIERS

__all__ = [
    "BAND_COLOURS",
    "FERRY",
    "FERRY_STYLES",
    "GREY",
    "ICON_PX",
    "MAX_ZOOM",
    "NEW_LINK",
    "PALETTE",
    "ZOOM_SNAP",
    "band_colours",
    "band_labels",
    "colour_alliances",
    "css",
]

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
#: Fill of zones that reach no lead.
GREY = "#BBBBBB"
#: Colour of ferry routes.
FERRY = "#1F4E79"
#: Colour of the links a scenario adds (Tol's vibrant magenta).
NEW_LINK = "#EE3377"
#: Leaflet line style of a ferry route per state (:data:`netopt.maps.network.FERRY_STATES`):
#: running (dashed blue), closed (red, short dashes), not running at night or after the last
#: departure (grey, short dashes).
FERRY_STYLES: dict[str, dict[str, object]] = {
    "open": {"color": FERRY, "weight": 3, "dashArray": "8 6", "opacity": 0.9},
    "closed": {"color": "#C62828", "weight": 3.5, "dashArray": "2 7", "opacity": 0.95},
    "night": {"color": "#6E6E6E", "weight": 3.5, "dashArray": "2 7", "opacity": 0.95},
    "ended": {"color": "#6E6E6E", "weight": 3.5, "dashArray": "2 7", "opacity": 0.95},
}
#: The maps' maximum zoom (markercluster needs the map's ``maxZoom``).
MAX_ZOOM = 18
#: Zoom steps the view snaps to (quarter levels: the region fills the space the panels leave).
ZOOM_SNAP = 0.25
#: Facility icon size in pixels, per role or tier.
ICON_PX: dict[str, int] = {
    "lead": 30,
    "tertiary": 22,
    "county": 22,
    "township": 18,
    "village": 14,
    "other": 14,
}

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
.netopt-panel.netopt-compact {max-width: min(250px, 40vw); max-height: 36vh; font-size: 11px;}
.netopt-toggle {float: right; margin: -2px -4px 2px 8px; padding: 1px 6px; font: 11px system-ui,
  sans-serif; border: 1px solid #999; border-radius: 3px; background: #f4f4f4; cursor: pointer;}
.netopt-toggle:focus-visible {outline: 2px solid #1F4E79;}
.netopt-collapsed .netopt-body {display: none;}
.netopt-collapsed {display: flex; flex-direction: row-reverse; align-items: center; gap: 8px;}
.netopt-collapsed .netopt-toggle {float: none; margin: 0;}
.netopt-collapsed h4 {margin: 0;}
.netopt-panel.netopt-caveat {max-width: min(300px, 40vw); background: #fff8dc;
  border: 1px solid #d9b44a; font-size: 11px; line-height: 1.3;}
.netopt-panel.netopt-caveat.netopt-compact {max-width: min(250px, 40vw); font-size: 10.5px;}
.netopt-caveat b {display: block;}
"""


def css() -> str:
    """Return the page's CSS: panels, popups, facility icons per tier, alliance ring colours.

    Returns
    -------
    str
    """
    tiers = "\n".join(
        f'.netopt-tier-{t} {{background-image: url("{icon_data_uri(t, fill="#222222")}");}}'
        for t in (*TIERS, "other")
    )
    colours = "\n".join(f".netopt-c{i} {{border-color: {c};}}" for i, c in enumerate(PALETTE))
    return _CSS + tiers + "\n" + colours + "\n"


def band_labels(bands_min: Sequence[float]) -> list[str]:
    """Return the HTML label of each travel-time band (one more than the limits).

    Parameters
    ----------
    bands_min : sequence of float
        Increasing band limits in minutes.

    Returns
    -------
    list of str
        ``"≤ 15 min"``, ``"15–30 min"``, ..., ``"> 60 min or unreachable"`` (as entities).
    """
    edges = [0.0, *bands_min]
    labels = [message("band.between", a=f"{a:g}", b=f"{b:g}") for a, b in itertools.pairwise(edges)]
    labels[0] = message("band.first", limit=f"{bands_min[0]:g}")
    return [*labels, message("band.last", limit=f"{bands_min[-1]:g}")]


def band_colours(n: int) -> list[str]:
    """Return ``n`` colours spread over :data:`BAND_COLOURS`, light to dark.

    Parameters
    ----------
    n : int

    Returns
    -------
    list of str
    """
    idx = np.linspace(1, len(BAND_COLOURS) - 1, n).round().astype(int)
    return [BAND_COLOURS[i] for i in idx]


def colour_alliances(areas: dict[str, Any], order: Sequence[str]) -> dict[str, int]:
    """Return a :data:`PALETTE` index per alliance.

    All distinct while the palette lasts; beyond that a greedy graph colouring so that
    neighbouring catchments still get different colours.

    Parameters
    ----------
    areas : dict of str to shapely geometry
        Catchment area per lead id (used only beyond the palette's size).
    order : sequence of str
        Lead ids in drawing order.

    Returns
    -------
    dict of str to int
    """
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
