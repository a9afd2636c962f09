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
from netopt.region import TIERS

__all__ = [
    "BAND_COLOURS",
    "FERRY",
    "GREY",
    "ICON_PX",
    "MAX_ZOOM",
    "PALETTE",
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
#: The maps' maximum zoom (markercluster needs the map's ``maxZoom``).
MAX_ZOOM = 18
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
    labels = [f"{a:g}&ndash;{b:g} min" for a, b in itertools.pairwise(edges)]
    labels[0] = f"&le; {bands_min[0]:g} min"
    return [*labels, f"&gt; {bands_min[-1]:g} min or unreachable"]


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
