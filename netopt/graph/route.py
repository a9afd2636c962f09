"""The fastest route between two points, as a line and its road / ferry legs for drawing."""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from netopt._errors import DataError, NetoptError, Problem
from netopt.graph.build import TravelGraph

__all__ = ["Route", "route"]


@dataclass(frozen=True, eq=False)
class Route:
    """A fastest route.

    Attributes
    ----------
    a, b : hashable
        Start and end (point keys or graph nodes).
    nodes : list
        Graph nodes along the route.
    seconds : float
        Total travel time.
    geometry : shapely.LineString
        The route in EPSG:4326.
    legs : geopandas.GeoDataFrame
        Consecutive stretches of one mode: ``mode`` (road|ferry|connector), ``seconds``,
        ``length_m``, ``route`` (ferry id or None), ``link`` (link id or None), ``closed``
        (a ferry that does not run now, timed with the wait until it reopens), geometry in
        EPSG:4326.
    """

    a: Hashable
    b: Hashable
    nodes: list[Hashable]
    seconds: float
    geometry: shapely.LineString
    legs: gpd.GeoDataFrame


def _node(graph: TravelGraph, x: Hashable, arg: str) -> Hashable:
    if isinstance(x, str) and x in graph.points.index:
        return graph.points.at[x, "node"]
    if x in graph.G:
        return x
    raise DataError(
        Problem(
            arg,
            str(x),
            "",
            "not a point key or graph node",
            "use a key like 'zone:<id>' or 'facility:<id>'",
        )
    )


def route(graph: TravelGraph, a: Hashable, b: Hashable) -> Route:
    """Return the fastest route from ``a`` to ``b``.

    Parameters
    ----------
    graph : TravelGraph
    a, b : str or node
        Point keys (``"zone:Z1"``, ``"facility:F1"``) or graph nodes.

    Returns
    -------
    Route

    Raises
    ------
    DataError
        If ``a`` or ``b`` is unknown.
    NetoptError
        If ``b`` cannot be reached from ``a``.
    """
    G = graph.G
    u, v = _node(graph, a, "a"), _node(graph, b, "b")
    try:
        nodes = nx.dijkstra_path(G, u, v, weight="travel_time_s")
    except nx.NetworkXNoPath:
        raise NetoptError(f"no route from {a} to {b} in this graph") from None
    steps = [
        min(G[p][q].values(), key=lambda d: d["travel_time_s"])
        for p, q in itertools.pairwise(nodes)
    ]
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in nodes])
    frame = pd.DataFrame(
        {
            "mode": [d["mode"] for d in steps],
            "route": [d.get("route") for d in steps],
            "link": [d.get("link") for d in steps],
            "closed": [bool(d.get("closed", False)) for d in steps],
            "seconds": [d["travel_time_s"] for d in steps],
            "length_m": [d["length_m"] for d in steps],
        }
    )
    key = frame["mode"] + "|" + frame["route"].fillna("") + "|" + frame["link"].fillna("")
    leg = (key != key.shift()).cumsum().to_numpy() - 1
    legs = frame.groupby(leg, sort=True).agg(
        mode=("mode", "first"),
        route=("route", "first"),
        link=("link", "first"),
        closed=("closed", "any"),
        seconds=("seconds", "sum"),
        length_m=("length_m", "sum"),
    )
    starts = np.r_[0, np.flatnonzero(np.diff(leg)) + 1]
    ends = np.r_[starts[1:], len(steps)]
    geoms = [shapely.linestrings(xy[s : e + 1]) for s, e in zip(starts, ends)]
    crs = G.graph["crs"]
    legs = gpd.GeoDataFrame(legs.reset_index(drop=True), geometry=geoms, crs=crs).to_crs(4326)
    line = (
        gpd.GeoSeries([shapely.linestrings(xy) if len(xy) > 1 else shapely.Point(xy[0])], crs=crs)
        .to_crs(4326)
        .iloc[0]
    )
    return Route(a, b, nodes, float(frame["seconds"].sum()), line, legs)
