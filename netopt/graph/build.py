"""Build a :class:`TravelGraph` from a :class:`~netopt.region.Region`.

The graph is a :class:`networkx.MultiDiGraph` in the region's metric CRS:

* road edges from ``region.roads`` (lines split into edges at every vertex; vertices merged
  on a ``node_precision_m`` grid), timed from ``maxspeed_kmh`` or the default speed of the
  road class, one direction only on ``oneway`` roads;
* land-surface edges (H3 lattice, :mod:`netopt.graph.surface`) where there are no roads or
  in the gaps between them (``mode="road"``, ``surface=True``);
* bridges and fixed links from ``region.links`` (``mode="road"``, ``link=<id>``);
* ferry edges (:mod:`netopt.graph.ferry`): running routes, and reopening edges
  (``closed=True``) for routes that do not run at the clock, with the wait until they run
  again;
* connector edges from every facility and zone point to its nearest network node
  (``mode="connector"``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from netopt._crs import is_projected
from netopt._errors import DataError, Problem
from netopt.graph.ferry import apply_ferries, fallback_state, parse_clock, route_state
from netopt.graph.options import GraphOptions
from netopt.graph.surface import land_lattice, segments_on_land, surface_seconds
from netopt.region import Region

__all__ = ["MODES", "TravelGraph", "build_graph", "label_points", "validate_graph"]

logger = logging.getLogger(__name__)

#: Edge modes of a travel graph.
MODES: tuple[str, ...] = ("road", "ferry", "connector")


@dataclass(frozen=True, eq=False)
class TravelGraph:
    """A travel-time graph with the region it was built from and its snapped points.

    Attributes
    ----------
    G : networkx.MultiDiGraph
        ``G.graph["crs"]`` is the metric CRS; nodes carry ``x``, ``y`` (metres); edges carry
        ``travel_time_s``, ``length_m`` and ``mode`` (see :data:`MODES`); ferry edges also
        ``route``, ``wait_s``, ``crossing_s``, ``boarding_s`` and ``closed`` (see
        :mod:`netopt.graph.ferry`). Ferry route state is in ``G.graph["ferry_routes"]``, the
        region's emergency fallback in ``G.graph["fallback"]``.
    region : Region
        The region the graph was built from.
    points : pandas.DataFrame
        Index ``"facility:<id>"`` / ``"zone:<id>"``; columns ``kind`` (facility|zone),
        ``id``, ``node`` (the point's own graph node), ``road_node`` (nearest network
        node), ``snap_m``, ``component`` (land component without ferries, 0 = largest) and
        ``island`` (its name).
    options : GraphOptions
        The speeds and limits used.
    depart_at : str or None
        Clock time at the ports (None = typical daytime).
    """

    G: nx.MultiDiGraph
    region: Region
    points: pd.DataFrame
    options: GraphOptions
    depart_at: str | None = None

    def __repr__(self) -> str:
        return (
            f"TravelGraph({self.region.name!r}, {self.G.number_of_nodes()} nodes, "
            f"{self.G.number_of_edges()} edges, depart_at={self.depart_at!r})"
        )

    def point_keys(self, kind: str) -> list[str]:
        """Return the point keys of one kind (``"zone"`` or ``"facility"``) in region order."""
        return self.points.index[self.points["kind"] == kind].tolist()


def resolve_options(
    options: GraphOptions | Mapping[str, Any] | None, overrides: Mapping[str, Any]
) -> GraphOptions:
    """Return :class:`GraphOptions` from an options object or dict plus keyword overrides."""
    if options is None:
        base: dict[str, Any] = {}
    elif isinstance(options, GraphOptions):
        base = options.to_dict()
    elif isinstance(options, Mapping):
        base = dict(options)
    else:
        raise TypeError(f"options must be GraphOptions or a dict, not {type(options).__name__}")
    base.update(overrides)
    return GraphOptions.from_dict(base)


def build_graph(
    region: Region,
    *,
    depart_at: str | None = None,
    options: GraphOptions | Mapping[str, Any] | None = None,
    **overrides: Any,
) -> TravelGraph:
    """Build the travel-time graph of a region.

    Parameters
    ----------
    region : Region
        The region (layers in EPSG:4326).
    depart_at : str or None
        ``"HH:MM"`` clock time at the ferry ports; None for a typical daytime (wait = half
        the headway). See :mod:`netopt.graph.ferry`.
    options : GraphOptions or dict, optional
        Speeds and limits (defaults documented on :class:`GraphOptions`).
    **overrides
        Individual :class:`GraphOptions` fields, e.g. ``max_snap_m=3000``.

    Returns
    -------
    TravelGraph
        Roads, land surface, links and ferries, with every facility and zone snapped to a
        node (``points``).

    Raises
    ------
    DataError
        If a facility, zone, port or link end is farther than ``max_snap_m`` from the
        network (every such record listed), a ferry direction has neither a timetable nor
        a headway, or the region has neither roads nor land polygons.

    Examples
    --------
    >>> graph = build_graph(region, depart_at="08:00", max_snap_m=3000)  # doctest: +SKIP
    """
    opts = resolve_options(options, overrides)
    if depart_at is not None:
        parse_clock(depart_at)
    if not is_projected(region.metric_crs):
        raise DataError(
            Problem(
                "region",
                region.name,
                "metric_crs",
                f"{region.metric_crs} is not projected",
                "use a projected CRS in metres, e.g. the UTM zone of the region",
            )
        )
    xy, u, v, t, length, surface = _network_edges(region, opts)
    G = nx.MultiDiGraph(crs=region.metric_crs, name=region.name)
    G.add_nodes_from((i, {"x": float(p[0]), "y": float(p[1])}) for i, p in enumerate(xy))
    G.add_edges_from(
        (
            int(a),
            int(b),
            {
                "travel_time_s": float(s),
                "length_m": float(m),
                "mode": "road",
                **({"surface": True} if f else {}),
            },
        )
        for a, b, s, m, f in zip(u, v, t, length, surface)
    )
    tree = cKDTree(xy)
    problems: list[Problem] = []
    _add_links(G, region, opts, tree, problems)
    routes = _ferry_routes(region, opts, tree, problems)
    points, connectors = _snap_points(region, opts, tree, problems)
    if problems:
        raise DataError(problems)
    G.graph.update(
        ferry_routes=routes,
        fallback=fallback_state(getattr(region, "fallback", None)),
        depart_at=depart_at,
        night=False,
        emergency=False,
        open_only=False,
        closed_links={},
        speed_factor=1.0,
    )
    apply_ferries(G, opts)
    G.add_nodes_from(
        (k, {"x": float(x), "y": float(y), "point": k})
        for k, x, y in zip(points.index, connectors["x"], connectors["y"])
    )
    keys = points.index.tolist()
    road = [int(n) for n in points["road_node"]]
    for a, b in ((keys, road), (road, keys)):
        G.add_edges_from(
            (p, q, {"travel_time_s": float(s), "length_m": float(m), "mode": "connector"})
            for p, q, s, m in zip(a, b, connectors["seconds"], points["snap_m"])
        )
    points = label_points(G, points, region)
    logger.info(
        "travel graph of %s: %d nodes, %d edges, %d points, %d ferry routes",
        region.name,
        G.number_of_nodes(),
        G.number_of_edges(),
        len(points),
        len(routes),
    )
    return TravelGraph(G=G, region=region, points=points, options=opts, depart_at=depart_at)


def road_edges(
    roads: gpd.GeoDataFrame, options: GraphOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split metric road lines into directed edges at every vertex.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame
        Road lines in a metric CRS with ``highway``, ``maxspeed_kmh``, ``oneway``.
    options : GraphOptions
        ``road_speeds_kmh`` and ``node_precision_m`` are used.

    Returns
    -------
    xy : numpy.ndarray, shape (n, 2)
        Node coordinates (rounded to ``node_precision_m``).
    u, v : numpy.ndarray of int
        Directed edges (both directions unless one-way).
    seconds, length_m : numpy.ndarray of float
        Travel time and length per edge.
    """
    roads = roads[~roads.geometry.is_empty & roads.geometry.notna()]
    roads = roads.explode(index_parts=False)
    roads = roads[roads.geometry.geom_type == "LineString"]
    coords, line = shapely.get_coordinates(roads.geometry.values, return_index=True)
    if len(coords) == 0:
        empty = np.zeros(0)
        return np.zeros((0, 2)), empty.astype(int), empty.astype(int), empty, empty
    grid = np.round(coords / options.node_precision_m).astype(np.int64)
    keys, node = np.unique(grid, axis=0, return_inverse=True)
    node = node.ravel()
    xy = keys * options.node_precision_m
    seg = np.flatnonzero(line[:-1] == line[1:])
    a, b = node[seg], node[seg + 1]
    length = np.hypot(*(coords[seg + 1] - coords[seg]).T)
    keep = a != b
    seg, a, b, length = seg[keep], a[keep], b[keep], length[keep]
    speed = road_speeds_kmh(roads, options)[line[seg]]
    seconds = length / (speed / 3.6)
    two_way = ~roads["oneway"].fillna(False).to_numpy(bool)[line[seg]]
    u = np.concatenate([a, b[two_way]])
    v = np.concatenate([b, a[two_way]])
    return (
        xy,
        u,
        v,
        np.concatenate([seconds, seconds[two_way]]),
        np.concatenate([length, length[two_way]]),
    )


def road_speeds_kmh(roads: pd.DataFrame, options: GraphOptions) -> np.ndarray:
    """Return the speed of each road: its ``maxspeed_kmh`` if tagged, else its class default."""
    table = options.road_speeds_kmh
    by_class = roads["highway"].map(lambda h: table.get(str(h), table["default"]))
    tagged = pd.to_numeric(roads["maxspeed_kmh"], errors="coerce")
    tagged = tagged.where(tagged > 0)
    return tagged.fillna(by_class).to_numpy(float)


def _network_edges(region: Region, opts: GraphOptions):
    """Return road + surface node coordinates and edges (u, v, seconds, length, is_surface)."""
    has_roads = region.roads is not None and len(region.roads) > 0
    land = region.land()
    if has_roads:
        roads_m = region.to_metric("roads")
        road_lines = roads_m.geometry.values
        xy, u, v, t, length = road_edges(roads_m, opts)
    else:
        road_lines = None
        xy, u, v, t, length = np.zeros((0, 2)), *(np.zeros(0, int),) * 2, *(np.zeros(0),) * 2
    surface = np.zeros(len(u), bool)
    want_surface = opts.surface == "always" or (opts.surface == "auto" and land is not None)
    if not want_surface or land is None:
        if not has_roads:
            raise DataError(
                Problem(
                    "region",
                    region.name,
                    "roads/boundaries",
                    "no roads and no land surface (no boundary polygons, or surface='never')",
                    "add a roads file or land boundary polygons to region.toml",
                )
            )
        return xy, u, v, t, length, surface
    land_metric = region.to_metric("boundaries").geometry.union_all()
    lat = land_lattice(
        land,
        land_metric,
        region.metric_crs,
        opts,
        avoid=road_lines if opts.surface == "auto" else None,
    )
    n_road = len(xy)
    lu, lv = lat.u + n_road, lat.v + n_road
    lt = surface_seconds(lat.length_m, opts)
    parts = [(lu, lv, lt, lat.length_m), (lv, lu, lt, lat.length_m)]
    if n_road and len(lat.xy):
        # join the gap cells to the road network where the straight join stays on land
        reach = opts.surface_gap_m + 2.0 * _cell_spacing_m(lat.xy, lat.u, lat.v)
        dist, near = cKDTree(xy).query(lat.xy, distance_upper_bound=reach)
        ok = np.isfinite(dist)
        cells = np.flatnonzero(ok)
        on_land = segments_on_land(land_metric, lat.xy[cells], xy[near[ok]])
        cells, roads_at = cells[on_land], near[ok][on_land]
        jl = dist[cells]
        jt = surface_seconds(jl, opts)
        parts += [(cells + n_road, roads_at, jt, jl), (roads_at, cells + n_road, jt, jl)]
        logger.info("surface fills road gaps: %d cells, %d joins to roads", len(lat.xy), len(cells))
    su, sv, st, sl = (np.concatenate(c) for c in zip(*parts))
    return (
        np.vstack([xy, lat.xy]),
        np.concatenate([u, su]),
        np.concatenate([v, sv]),
        np.concatenate([t, st]),
        np.concatenate([length, sl]),
        np.concatenate([surface, np.ones(len(su), bool)]),
    )


def _cell_spacing_m(xy: np.ndarray, u: np.ndarray, v: np.ndarray) -> float:
    if len(u) == 0:
        return 0.0
    return float(np.median(np.hypot(*(xy[u] - xy[v]).T)))


def _snap(tree: cKDTree, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if tree.n == 0:
        return np.full(len(xy), np.inf), np.zeros(len(xy), int)
    dist, idx = tree.query(xy)
    return dist, idx


def _too_far(layer: str, ids, dist: np.ndarray, limit: float, what: str) -> list[Problem]:
    bad = np.flatnonzero(~(dist <= limit))
    return [
        Problem(
            layer,
            str(ids[i]),
            "geometry",
            f"{what} is {dist[i] / 1000:.1f} km from the nearest road or land node "
            f"(limit {limit / 1000:.1f} km)",
            "check its coordinates and CRS, add roads or land polygons near it, "
            "or raise GraphOptions.max_snap_m",
        )
        for i in bad
    ]


def _snap_line_ends(
    layer: str,
    gdf: gpd.GeoDataFrame,
    tree: cKDTree,
    opts: GraphOptions,
    problems: list[Problem],
    what: tuple[str, str],
) -> tuple[np.ndarray, np.ndarray]:
    """Return the nodes nearest to the start and end of each line; note the ends too far."""
    ids = gdf.index.to_numpy()
    nodes = []
    for vertex, end in zip((0, -1), what):
        xy = shapely.get_coordinates(shapely.get_point(gdf.geometry.values, vertex))
        dist, near = _snap(tree, xy)
        problems += _too_far(layer, ids, dist, opts.max_snap_m, end)
        nodes.append(near)
    return nodes[0], nodes[1]


def _add_links(
    G: nx.MultiDiGraph, region: Region, opts: GraphOptions, tree: cKDTree, problems: list[Problem]
) -> None:
    if region.links is None or len(region.links) == 0:
        return
    links = region.to_metric("links")
    ends = ("the start of the link", "the end of the link")
    na, nb = _snap_line_ends("links", links, tree, opts, problems, ends)
    ids = links.index.to_numpy()
    length = links["length_m"].to_numpy(float)
    length = np.where(np.isfinite(length), length, links.geometry.length.to_numpy())
    minutes = links["travel_min"].to_numpy(float)
    seconds = np.where(np.isfinite(minutes), minutes * 60.0, length / (opts.link_speed_kmh / 3.6))
    for lid, x, y, s, m in zip(ids, na, nb, seconds, length):
        for p, q in ((x, y), (y, x)):
            G.add_edge(
                int(p),
                int(q),
                travel_time_s=float(s),
                length_m=float(m),
                mode="road",
                link=str(lid),
            )


def _ferry_routes(
    region: Region, opts: GraphOptions, tree: cKDTree, problems: list[Problem]
) -> dict[str, dict[str, Any]]:
    if region.ferries is None or len(region.ferries) == 0:
        return {}
    ferries = region.to_metric("ferries")
    ends = ("port A (line start)", "port B (line end)")
    na, nb = _snap_line_ends("ferries", ferries, tree, opts, problems, ends)
    routes = {}
    lengths = ferries.geometry.length.to_numpy()
    for i, (rid, row) in enumerate(ferries.drop(columns="geometry").iterrows()):
        r = route_state(str(rid), row, int(na[i]), int(nb[i]), lengths[i])
        for side in ("departures_ab", "departures_ba"):
            if not r[side] and not (r["headway_min"] > 0):
                problems.append(
                    Problem(
                        "ferries",
                        str(rid),
                        side,
                        "no departures and no headway_min",
                        "give a headway_min or departure times for both directions",
                    )
                )
        routes[str(rid)] = r
    return routes


def _snap_points(
    region: Region, opts: GraphOptions, tree: cKDTree, problems: list[Problem]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    fac = region.to_metric("facilities").geometry
    zon = region.zone_points().to_crs(region.metric_crs)
    frames = []
    for kind, layer, geom in (("facility", "facilities", fac), ("zone", "zones", zon)):
        pxy = shapely.get_coordinates(geom.values)
        dist, near = _snap(tree, pxy)
        problems += _too_far(layer, geom.index.to_numpy(), dist, opts.max_snap_m, f"the {kind}")
        ids = geom.index.astype(str)
        frames.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "id": ids,
                    "road_node": near,
                    "snap_m": dist,
                    "x": pxy[:, 0],
                    "y": pxy[:, 1],
                },
                index=pd.Index([f"{kind}:{i}" for i in ids], name="key"),
            )
        )
    points = pd.concat(frames)
    points["node"] = points.index
    seconds = points["snap_m"] / (opts.access_speed_kmh / 3.6)
    connectors = pd.DataFrame({"x": points.pop("x"), "y": points.pop("y"), "seconds": seconds})
    points = points[["kind", "id", "node", "road_node", "snap_m"]]
    return points, connectors


def land_components(G: nx.MultiDiGraph) -> dict[Any, int]:
    """Return the land component of every node (ferries excluded; 0 = most nodes).

    Parameters
    ----------
    G : networkx.MultiDiGraph

    Returns
    -------
    dict
        Node to component number, numbered by size (largest first).
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v, m in G.edges(data="mode") if m != "ferry"]
    uv = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    n = len(nodes)
    A = csr_array((np.ones(len(uv)), (uv[:, 0], uv[:, 1])), shape=(n, n))
    _, labels = connected_components(A, directed=True, connection="weak")
    sizes = np.bincount(labels)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return dict(zip(nodes, rank[labels].tolist()))


def label_points(G: nx.MultiDiGraph, points: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Return ``points`` with ``component`` and ``island`` columns (re)computed from ``G``.

    A zone with an ``island_name`` is labelled with it. Other points take their component's
    name: ``"mainland"`` if any of its zones is not an island zone, else the most common
    ``island_name`` of its zones, else ``"mainland"`` for component 0 and
    ``"component <k>"`` otherwise.
    """
    comp = land_components(G)
    points = points.copy()
    points["component"] = points["node"].map(comp).astype(int)
    zones = region.zones
    z = points[points["kind"] == "zone"]
    zinfo = pd.DataFrame(
        {
            "component": z["component"].to_numpy(),
            "island": zones.loc[z["id"].to_numpy(), "island"].fillna(False).to_numpy(bool)
            if len(z)
            else np.zeros(0, bool),
            "name": zones.loc[z["id"].to_numpy(), "island_name"].to_numpy() if len(z) else [],
        }
    )
    names: dict[int, str] = {}
    for c in sorted(points["component"].unique()):
        rows = zinfo[zinfo["component"] == c]
        named = rows["name"].dropna()
        if (~rows["island"]).any():
            names[c] = "mainland"
        elif len(named):
            names[c] = str(named.mode().iloc[0])
        else:
            names[c] = "mainland" if c == 0 else f"component {c}"
    points["island"] = points["component"].map(names)
    # a zone with its own island name keeps it (islands joined by a bridge share a component)
    own = pd.Series(zinfo["name"].to_numpy(), index=z.index).dropna()
    points.loc[own.index, "island"] = own.astype(str)
    return points


def validate_graph(G: nx.MultiDiGraph) -> None:
    """Check that a graph follows the TravelGraph contract; raise with every problem found.

    Parameters
    ----------
    G : networkx.MultiDiGraph

    Raises
    ------
    TypeError
        If ``G`` is not a MultiDiGraph.
    DataError
        If the CRS is missing or not projected, a node lacks ``x``/``y``, or an edge lacks
        a non-negative ``travel_time_s``/``length_m`` or has an unknown ``mode``.
    """
    if not isinstance(G, nx.MultiDiGraph):
        raise TypeError(f"expected networkx.MultiDiGraph, got {type(G).__name__}")
    problems = []
    crs = G.graph.get("crs")
    if not is_projected(crs):
        problems.append(Problem("graph", "", "crs", repr(crs), "set a projected metric CRS"))
    for n, d in G.nodes(data=True):
        if not ("x" in d and "y" in d):
            problems.append(Problem("graph", f"node {n}", "x/y", "missing", "add coordinates"))
    for u, v, d in G.edges(data=True):
        bad = [f for f in ("travel_time_s", "length_m") if not (d.get(f, -1) >= 0)]
        if d.get("mode") not in MODES:
            bad.append("mode")
        for f in bad:
            problems.append(
                Problem(
                    "graph",
                    f"edge {u}->{v}",
                    f,
                    repr(d.get(f)),
                    "set it (times and lengths >= 0; mode road|ferry|connector)",
                )
            )
    if problems:
        raise DataError(problems)


def replace_graph(graph: TravelGraph, G: nx.MultiDiGraph, **changes: Any) -> TravelGraph:
    """Return a copy of ``graph`` with a new networkx graph (and other field changes)."""
    return dataclasses.replace(graph, G=G, **changes)
