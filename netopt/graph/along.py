r"""Sums of edge attributes along the fastest paths: road km and ferry crossings.

The travel-time matrix (:func:`~netopt.graph.travel_times`) says how long a trip takes; what
it costs depends on what the fastest path goes over: kilometres by road and the ferry
crossings (fares). For a measure :math:`a` of the edges (e.g. road kilometres) this module
returns, for every origin :math:`i` and destination :math:`j`,

.. math::

    A_{ij} = \sum_{(u, v) \in P_{ij}} a_{uv}

with :math:`P_{ij}` the fastest path by ``travel_time_s`` (of parallel edges the fastest
one, as in the CSR export of :mod:`netopt.graph.matrix`).

How: scipy's Dijkstra returns the shortest-path tree of each source as predecessors; the
sums down the tree are accumulated for all nodes at once by pointer jumping (each round
adds the sum of the ancestor's stretch and doubles the stretch, so a tree of depth
:math:`d` takes :math:`\lceil \log_2 d \rceil` vectorised rounds). When the destinations
are fewer, the search runs from them on the transposed graph (the predecessors are then the
next nodes towards the destination). Rows are processed in chunks of at most ``chunk_mb``.

Measures (:data:`EDGE_MEASURES`): ``road_km`` (``length_m`` / 1000 of every edge that is not
a ferry: roads, land-surface edges, bridges and the connectors from a point to the
network), ``ferry_km`` and ``ferry_crossings`` (1 per ferry edge taken, a crossing that is
closed now and taken with its reopening wait included). Unreachable pairs get ``inf``
seconds and NaN sums.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from netopt._errors import DataError, Problem
from netopt.graph.build import TravelGraph
from netopt.graph.matrix import _point_rows, _resolve_points

__all__ = ["EDGE_MEASURES", "PathSums", "csr_with_values", "path_sums", "sums_along"]

logger = logging.getLogger(__name__)

EdgeMeasure = Callable[[Mapping[str, Any]], float]


def _road_km(d: Mapping[str, Any]) -> float:
    return 0.0 if d.get("mode") == "ferry" else float(d.get("length_m", 0.0)) / 1000.0


def _ferry_km(d: Mapping[str, Any]) -> float:
    return float(d.get("length_m", 0.0)) / 1000.0 if d.get("mode") == "ferry" else 0.0


def _ferry_crossings(d: Mapping[str, Any]) -> float:
    return 1.0 if d.get("mode") == "ferry" else 0.0


#: Edge measures by name: a function of an edge's attributes (a dict) to a number >= 0.
EDGE_MEASURES: dict[str, EdgeMeasure] = {
    "road_km": _road_km,
    "ferry_km": _ferry_km,
    "ferry_crossings": _ferry_crossings,
}


@dataclass(frozen=True, eq=False)
class PathSums:
    """Travel times and edge sums along the fastest paths between named points.

    Attributes
    ----------
    seconds : numpy.ndarray, shape (n_origins, n_destinations)
        Fastest travel time (``inf``: unreachable).
    sums : dict of str to numpy.ndarray
        Per measure, the sum along the fastest path, same shape (NaN where unreachable).
    origins, destinations : tuple of str
        Plain ids (without the ``"zone:"`` / ``"facility:"`` prefix).
    """

    seconds: np.ndarray
    sums: dict[str, np.ndarray]
    origins: tuple[str, ...]
    destinations: tuple[str, ...]

    def __getitem__(self, measure: str) -> np.ndarray:
        return self.sums[measure]

    @property
    def road_km(self) -> np.ndarray:
        """Kilometres on land (roads, surface, bridges, connectors) along the fastest path."""
        return self.sums["road_km"]

    @property
    def ferry_crossings(self) -> np.ndarray:
        """Ferry edges taken along the fastest path."""
        return self.sums["ferry_crossings"]

    def to_frame(self, measure: str) -> pd.DataFrame:
        """Return one measure as a DataFrame (index origins, columns destinations).

        Parameters
        ----------
        measure : str
            A key of :attr:`sums`, or ``"seconds"``.

        Returns
        -------
        pandas.DataFrame
        """
        values = self.seconds if measure == "seconds" else self.sums[measure]
        return pd.DataFrame(
            values,
            index=pd.Index(self.origins, name="origin"),
            columns=pd.Index(self.destinations, name="destination"),
        )


def _measures(measures: Sequence[str] | Mapping[str, EdgeMeasure]) -> dict[str, EdgeMeasure]:
    if isinstance(measures, Mapping):
        bad = [k for k, f in measures.items() if not callable(f)]
        if not bad:
            return dict(measures)
        raise DataError(
            [Problem("measures", "", k, "not callable", "give a function of the edge's attributes")
             for k in bad]
        )  # fmt: skip
    names = [measures] if isinstance(measures, str) else list(measures)
    unknown = [m for m in names if m not in EDGE_MEASURES]
    if unknown:
        raise DataError(
            [Problem("measures", "", m, "unknown measure", f"use one of {sorted(EDGE_MEASURES)}")
             for m in unknown]
        )  # fmt: skip
    return {m: EDGE_MEASURES[m] for m in names}


def csr_with_values(
    G: nx.MultiDiGraph,
    measures: Mapping[str, EdgeMeasure],
    *,
    weight: str = "travel_time_s",
) -> tuple[csr_array, dict[str, np.ndarray], list[Hashable]]:
    """Export a graph to CSR with, per measure, the value of each CSR entry's edge.

    Of parallel edges the one of least ``weight`` is kept (the first such in edge order),
    and its measures with it: the values of the edge a fastest path takes.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    measures : mapping of str to callable
        Name to a function of an edge's attribute dict.
    weight : str, default "travel_time_s"

    Returns
    -------
    matrix : scipy.sparse.csr_array
        Weights; rows sorted by column (explicit zeros are edges).
    values : dict of str to numpy.ndarray
        Per measure, one value per stored entry of ``matrix`` (aligned with ``matrix.data``).
    nodes : list
        Graph node of each row.
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    names = list(measures)
    rows = [
        (index[a], index[b], float(d[weight]), *(float(measures[m](d)) for m in names))
        for a, b, d in G.edges(data=True)
    ]
    arr = np.array(rows, dtype=np.float64).reshape(-1, 3 + len(names))
    u, v, w = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2]
    order = np.lexsort((w, v, u))  # stable: of equal weights, the first edge in edge order
    u, v, arr = u[order], v[order], arr[order]
    first = np.ones(len(u), bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, arr = u[first], v[first], arr[first]
    n = len(nodes)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    matrix = csr_array((arr[:, 2], v, indptr), shape=(n, n))
    return matrix, {m: arr[:, 3 + i] for i, m in enumerate(names)}, nodes


def _entry_position(matrix: csr_array, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Position in ``matrix.data`` of the entries (a, b) (each must exist)."""
    n = matrix.shape[1]
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    keys = rows * n + matrix.indices.astype(np.int64)
    return np.searchsorted(keys, a.astype(np.int64) * n + b.astype(np.int64))


def _tree_sums(
    matrix: csr_array,
    values: Mapping[str, np.ndarray],
    pred: np.ndarray,
    *,
    reverse: bool,
) -> dict[str, np.ndarray]:
    """Sums from each row's root to every node of its shortest-path tree (pointer jumping).

    ``pred[r, t]`` is the parent of node t in row r's tree (< 0: the root or unreached).
    Forward trees (``reverse=False``) take the edge (parent, t); reverse trees, run on the
    transposed graph, the edge (t, parent) of the original graph.
    """
    k, n = pred.shape
    has = pred >= 0
    own = np.broadcast_to(np.arange(n), (k, n))
    anc = np.where(has, pred, own)
    r, t = np.nonzero(has)
    p = pred[r, t]
    pos = _entry_position(matrix, t, p) if reverse else _entry_position(matrix, p, t)
    acc = {}
    for name, vals in values.items():
        a = np.zeros((k, n))
        a[r, t] = vals[pos]
        acc[name] = a
    while True:
        up = np.take_along_axis(anc, anc, axis=1)
        for name, a in acc.items():
            a += np.take_along_axis(a, anc, axis=1)
        if np.array_equal(up, anc):
            break
        anc = up
    return acc


def sums_along(
    matrix: csr_array,
    values: Mapping[str, np.ndarray],
    sources: Sequence[int] | np.ndarray,
    targets: Sequence[int] | np.ndarray,
    *,
    chunk_mb: float = 256.0,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Shortest-path lengths and edge sums along the shortest paths on a CSR graph.

    Parameters
    ----------
    matrix : scipy.sparse.csr_array
        Directed weights (explicit zeros are edges), columns sorted within rows (as
        :func:`csr_with_values` returns it).
    values : mapping of str to numpy.ndarray
        Per measure, a value per stored entry of ``matrix``.
    sources, targets : sequence of int
        Rows and columns of the result.
    chunk_mb : float, default 256
        Memory budget of the full tree rows handled at once.

    Returns
    -------
    seconds : numpy.ndarray, shape (len(sources), len(targets))
        Shortest-path lengths (``inf``: unreachable).
    sums : dict of str to numpy.ndarray
        Per measure, the sum along the shortest path (NaN where unreachable; 0 from a node
        to itself).
    """
    src = np.asarray(sources, dtype=np.int64)
    dst = np.asarray(targets, dtype=np.int64)
    reverse = len(dst) < len(src)
    graph, roots, leaves = (matrix.T.tocsr(), dst, src) if reverse else (matrix, src, dst)
    n = matrix.shape[0]
    dist = np.empty((len(roots), len(leaves)))
    out = {name: np.empty((len(roots), len(leaves))) for name in values}
    per_row = 8 * n * (4 + len(values))
    step = max(1, int(chunk_mb * 2**20 // max(per_row, 1)))
    for i in range(0, len(roots), step):
        chunk = roots[i : i + step]
        d, pred = dijkstra(graph, directed=True, indices=chunk, return_predecessors=True)
        sums = _tree_sums(matrix, values, pred, reverse=reverse)
        dist[i : i + len(chunk)] = d[:, leaves]
        for name, a in sums.items():
            out[name][i : i + len(chunk)] = a[:, leaves]
    unreachable = ~np.isfinite(dist)
    for a in out.values():
        a[unreachable] = np.nan
    if reverse:
        dist = np.ascontiguousarray(dist.T)
        out = {name: np.ascontiguousarray(a.T) for name, a in out.items()}
    return dist, out


def path_sums(
    graph: TravelGraph,
    origins: str | Sequence[str] = "zones",
    destinations: str | Sequence[str] = "facilities",
    *,
    measures: Sequence[str] | Mapping[str, EdgeMeasure] = ("road_km", "ferry_crossings"),
    chunk_mb: float = 256.0,
) -> PathSums:
    """Road kilometres, ferry crossings (or other edge sums) along the fastest paths.

    Parameters
    ----------
    graph : TravelGraph
    origins, destinations : {"zones", "facilities"} or sequence of str
        A kind of point, or point keys such as ``"zone:Z1"`` / ``"facility:F1"``.
    measures : sequence of str or mapping, default ("road_km", "ferry_crossings")
        Names in :data:`EDGE_MEASURES`, or a mapping of names to functions of an edge's
        attribute dict (e.g. ``{"toll_yuan": lambda d: d.get("toll", 0.0)}``).
    chunk_mb : float, default 256
        Memory budget of the tree rows handled at once.

    Returns
    -------
    PathSums
        ``seconds`` equals :func:`~netopt.graph.travel_times`' matrix. With named measures
        the result is kept with the graph (read-only arrays; the same call returns it again,
        a modified graph gets its own).

    Raises
    ------
    DataError
        An unknown point key or measure.

    Examples
    --------
    >>> ps = path_sums(graph, "zones", "facilities")  # doctest: +SKIP
    >>> ps.to_frame("road_km").loc["Z2", "H1"]  # km along the fastest path  # doctest: +SKIP
    """
    funcs = _measures(measures)
    okeys = _resolve_points(graph, origins, "origins")
    dkeys = _resolve_points(graph, destinations, "destinations")
    named = not isinstance(measures, Mapping)  # named measures: the same sums every call
    key = (tuple(funcs), tuple(okeys), tuple(dkeys))
    if named and key in _SUMS.get(graph, {}):
        return _SUMS[graph][key]
    matrix, values, nodes = csr_with_values(graph.G, funcs)
    index = {node: i for i, node in enumerate(nodes)}
    src = _point_rows(graph, index, okeys)
    dst = _point_rows(graph, index, dkeys)
    seconds, sums = sums_along(matrix, values, src, dst, chunk_mb=chunk_mb)
    pts = graph.points
    logger.debug("path sums %s: %d x %d", list(funcs), len(src), len(dst))
    out = PathSums(
        seconds=seconds,
        sums=sums,
        origins=tuple(pts.loc[okeys, "id"].astype(str).tolist()),
        destinations=tuple(pts.loc[dkeys, "id"].astype(str).tolist()),
    )
    if named:  # kept with the graph, read-only (one scenario prices patients' km twice)
        for arr in (out.seconds, *out.sums.values()):
            arr.setflags(write=False)
        cache = _SUMS.setdefault(graph, {})
        if len(cache) >= _SUMS_PER_GRAPH:
            cache.pop(next(iter(cache)))
        cache[key] = out
    return out


#: Path sums of named measures, kept with their graph (weakly: they go when it goes).
_SUMS: weakref.WeakKeyDictionary[TravelGraph, dict[tuple, PathSums]] = weakref.WeakKeyDictionary()
#: Results kept per graph (the oldest dropped first).
_SUMS_PER_GRAPH = 4
