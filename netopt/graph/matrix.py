"""Travel-time matrices with scipy's multi-source Dijkstra over a CSR export of the graph.

networkx stays the graph model (and the exact reference in the tests); for matrices the graph
is exported once to a compressed sparse row matrix (parallel edges keep their minimum time)
and :func:`scipy.sparse.csgraph.dijkstra` runs from whichever side has fewer points, on the
transposed graph when the destinations are fewer. Sources are processed in chunks so that a
large graph never holds more than ``chunk_mb`` of distance rows at once; with ``n_jobs > 1``
the chunks are spread over a process pool (scipy's Dijkstra holds the GIL, so threads do not
help; measured with scipy 1.17: two threads take as long as one). A ``max_time_s`` cutoff is
passed to Dijkstra as ``limit`` and cuts the search short.

The CSR export (and its transpose, for runs from the destinations) is built once per
:class:`~netopt.graph.TravelGraph` and kept with it (:func:`csr`): a weak-keyed cache, so
it lives exactly as long as the graph. The modifiers return new graphs, which get their own
export. Unreachable pairs are counted, not listed: :attr:`TravelTimes.n_unreachable` and
:meth:`TravelTimes.unreachable_pairs` answer from the matrix itself.

:func:`travel_times_at_clocks` gives the matrices of several clock times at the ferry ports
(:func:`~netopt.graph.at_clock`) from one export: only the ferry edges change per clock.
"""

from __future__ import annotations

import logging
import multiprocessing
import weakref
from collections.abc import Hashable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from netopt._errors import DataError, Problem
from netopt.graph._matrix_cache import _cache_key, _load_cache, _save_cache
from netopt.graph.build import TravelGraph
from netopt.graph.ferry import graph_ferry_edges, parse_clock

__all__ = [
    "CSRGraph",
    "TravelTimes",
    "csr",
    "dijkstra_matrix",
    "graph_to_csr",
    "travel_times",
    "travel_times_at_clocks",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CSRGraph:
    """A CSR export of a travel graph.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        ``matrix[i, j]`` is the least ``travel_time_s`` of the edges from node i to j.
    nodes : list
        Graph node of each row.
    index : dict
        Graph node to row.
    """

    matrix: csr_array
    nodes: list[Hashable]
    index: dict[Hashable, int]

    @cached_property
    def transposed(self) -> csr_array:
        """The transposed matrix (edges reversed) as CSR, built on first use and kept."""
        return self.matrix.T.tocsr()

    def rows_of(self, nodes: Iterable[Hashable]) -> np.ndarray:
        """Return the rows of graph nodes (``KeyError`` for a node not in the graph)."""
        nodes = list(nodes)
        index = self.index
        return np.fromiter((index[n] for n in nodes), np.int64, len(nodes))


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """A travel-time matrix in seconds between named origins and destinations.

    Attributes
    ----------
    seconds : numpy.ndarray, shape (n_origins, n_destinations)
        Travel times; ``inf`` exactly where a pair is unreachable.
    origins, destinations : tuple of str
        Plain ids (without the ``"zone:"`` / ``"facility:"`` prefix).
    n_unreachable : int
        Number of unreachable pairs (``inf`` entries of ``seconds``).
    reason : str
        Why those pairs are unreachable: ``"no path"``, or ``"no path within max_time_s"``
        when a cutoff was given.
    """

    seconds: np.ndarray
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    n_unreachable: int = 0
    reason: str = "no path"

    @property
    def minutes(self) -> np.ndarray:
        """The matrix in minutes."""
        return self.seconds / 60.0

    def unreachable_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the (origin, destination) positions of the unreachable pairs, row by row.

        Returns
        -------
        tuple of numpy.ndarray
            Origin and destination indices into :attr:`origins` / :attr:`destinations`.
        """
        if self.n_unreachable == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.nonzero(np.isinf(self.seconds))

    @property
    def unreachable(self) -> pd.DataFrame:
        """One row per unreachable pair: ``origin``, ``destination``, ``reason``.

        Built on request from the matrix (a cutoff can leave millions of pairs: prefer
        :attr:`n_unreachable` and :meth:`unreachable_pairs`).
        """
        oi, di = self.unreachable_pairs()
        return pd.DataFrame(
            {
                "origin": np.asarray(self.origins, dtype=object)[oi],
                "destination": np.asarray(self.destinations, dtype=object)[di],
                "reason": np.full(len(oi), self.reason, dtype=object),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the matrix as a DataFrame (index origins, columns destinations, seconds)."""
        return pd.DataFrame(
            self.seconds,
            index=pd.Index(self.origins, name="origin"),
            columns=pd.Index(self.destinations, name="destination"),
        )


def graph_to_csr(G: nx.MultiDiGraph, *, weight: str = "travel_time_s") -> CSRGraph:
    """Export a graph to CSR, keeping the least weight of parallel edges.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    weight : str
        Edge attribute to use.

    Returns
    -------
    CSRGraph
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    u, v, w = _edge_arrays(index, G.edges(data=weight))
    return CSRGraph(_csr_min(u, v, w, len(nodes)), nodes, index)


#: One CSR export per graph, dropped with the graph (TravelGraph is frozen: no field for it).
_EXPORTS: weakref.WeakKeyDictionary[TravelGraph, tuple[tuple[int, int], CSRGraph]] = (
    weakref.WeakKeyDictionary()
)


def csr(graph: TravelGraph) -> CSRGraph:
    """Return the CSR export of a travel graph (``travel_time_s``), built once and kept.

    The export is cached with the graph (a weak reference: it goes when the graph goes) and
    shared by :func:`travel_times`, :func:`~netopt.graph.nearest_lead_seconds` and any other
    reader. The modifiers (:func:`~netopt.graph.close_ferry`, ...) return new graphs, which
    get their own export. A graph whose ``G`` was changed in place gets a new export when
    its node or edge count changed; other in-place edits (a weight) are not seen: use the
    modifiers, or :func:`graph_to_csr` for a fresh export.

    Parameters
    ----------
    graph : TravelGraph

    Returns
    -------
    CSRGraph
        Do not modify its arrays: they are shared.

    Examples
    --------
    >>> c = csr(graph)                                    # doctest: +SKIP
    >>> c is csr(graph), c.matrix.shape                   # doctest: +SKIP
    (True, (5548, 5548))
    """
    stamp = (graph.G.number_of_nodes(), graph.G.number_of_edges())
    hit = _EXPORTS.get(graph)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    export = graph_to_csr(graph.G)
    _EXPORTS[graph] = (stamp, export)
    logger.debug("CSR export: %d nodes, %d edges", export.matrix.shape[0], export.matrix.nnz)
    return export


def _edge_arrays(
    index: dict[Hashable, int], edges: Iterable[tuple[Hashable, Hashable, float]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the row, column and weight arrays of ``(node, node, weight)`` edges."""
    rows = [(index[a], index[b], w) for a, b, w in edges]
    triples = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return triples[:, 0].astype(np.int64), triples[:, 1].astype(np.int64), triples[:, 2]


def _csr_min(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> csr_array:
    """Build a CSR matrix (explicit zeros kept as edges) with the minimum of duplicate pairs."""
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, w = u[first], v[first], w[first]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    idx_dtype = np.int32 if max(n, len(v)) < 2**31 else np.int64
    return csr_array((w, v.astype(idx_dtype), indptr.astype(idx_dtype)), shape=(n, n))


# -- the Dijkstra core --------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(matrix: csr_array, targets: np.ndarray, limit: float, dtype: str) -> None:
    _WORKER.update(matrix=matrix, targets=targets, limit=limit, dtype=dtype)


def _rows(
    matrix: csr_array, sources: np.ndarray, targets: np.ndarray, limit: float, dtype: Any
) -> np.ndarray:
    d = dijkstra(matrix, directed=True, indices=sources, limit=limit)
    return d[:, targets].astype(dtype, copy=False)


def _worker_rows(sources: np.ndarray) -> np.ndarray:
    w = _WORKER
    return _rows(w["matrix"], sources, w["targets"], w["limit"], w["dtype"])


def _start_method() -> str:
    """Fork where available (workers inherit the graph without pickling), else spawn."""
    import sys

    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and sys.platform.startswith("linux") else "spawn"


def dijkstra_matrix(
    matrix: csr_array,
    sources: Sequence[int] | np.ndarray,
    targets: Sequence[int] | np.ndarray | None = None,
    *,
    limit: float | None = None,
    n_jobs: int = 1,
    dtype: Any = np.float64,
    chunk_mb: float = 256.0,
) -> np.ndarray:
    """Return shortest-path lengths from ``sources`` to ``targets`` on a CSR graph.

    Parameters
    ----------
    matrix : scipy.sparse.csr_array
        Directed graph, ``matrix[i, j]`` = edge weight (explicit zeros are edges).
    sources : sequence of int
        Source rows.
    targets : sequence of int, optional
        Target columns (all nodes if None).
    limit : float, optional
        Stop each search beyond this distance; farther targets get ``inf``.
    n_jobs : int
        Processes to use (1 = in this process). Each worker receives a copy of the graph.
    dtype : numpy dtype
        Result dtype (``float32`` halves the memory of large matrices).
    chunk_mb : float
        Memory budget of the full distance rows computed at once per process.

    Returns
    -------
    numpy.ndarray, shape (len(sources), len(targets))
    """
    sources = np.asarray(sources, dtype=np.int64)
    n = matrix.shape[0]
    targets = np.arange(n) if targets is None else np.asarray(targets, dtype=np.int64)
    out = np.empty((len(sources), len(targets)), dtype=dtype)
    _fill(out, matrix, sources, targets, limit=limit, n_jobs=n_jobs, chunk_mb=chunk_mb)
    return out


def _fill(
    out: np.ndarray,
    matrix: csr_array,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    limit: float | None,
    n_jobs: int,
    chunk_mb: float,
    transposed: bool = False,
) -> None:
    """Write the rows of :func:`dijkstra_matrix` into ``out`` (its columns if ``transposed``).

    ``transposed`` fills a ``(len(targets), len(sources))`` array chunk by chunk, so a run
    from the destinations never holds the matrix twice.
    """
    n = matrix.shape[0]
    lim = np.inf if limit is None else float(limit)
    if len(sources) == 0 or len(targets) == 0:
        return
    dtype = out.dtype
    rows = max(1, int(chunk_mb * 2**20 // (8 * max(n, 1))))
    if n_jobs > 1 and len(sources) > 1:
        rows = min(rows, -(-len(sources) // (4 * n_jobs)))  # several chunks per worker
    starts = range(0, len(sources), rows)
    chunks = [sources[i : i + rows] for i in starts]

    def put(i: int, r: np.ndarray) -> None:
        if transposed:
            out[:, i : i + len(r)] = r.T
        else:
            out[i : i + len(r)] = r

    if n_jobs <= 1 or len(chunks) == 1:
        for i, c in zip(starts, chunks):
            put(i, _rows(matrix, c, targets, lim, dtype))
        return
    ctx = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(
        max_workers=n_jobs,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(matrix, targets, lim, np.dtype(dtype).str),
    ) as pool:
        for i, r in zip(starts, pool.map(_worker_rows, chunks)):
            put(i, r)


# -- travel_times -------------------------------------------------------------------------


def _resolve_points(graph: TravelGraph, which: str | Sequence[str], arg: str) -> list[str]:
    if isinstance(which, str):
        kinds = {"zones": "zone", "facilities": "facility"}
        if which not in kinds:
            raise ValueError(
                f"{arg} must be 'zones', 'facilities' or a sequence of point keys, not {which!r}"
            )
        return graph.point_keys(kinds[which])
    keys = [str(k) for k in which]
    missing = [k for k, i in zip(keys, graph.points.index.get_indexer(keys)) if i < 0]
    if missing:
        raise DataError(
            [
                Problem(
                    arg,
                    k,
                    "",
                    "not a point of the graph",
                    "use keys like 'zone:<id>' or 'facility:<id>' from graph.points",
                )
                for k in missing
            ]
        )
    return keys


def travel_times(
    graph: TravelGraph,
    origins: str | Sequence[str],
    destinations: str | Sequence[str],
    *,
    max_time_s: float | None = None,
    cache_dir: str | Path | None = None,
    n_jobs: int = 1,
    dtype: Any = np.float64,
) -> TravelTimes:
    """Compute the travel-time matrix (seconds) between points of a travel graph.

    Parameters
    ----------
    graph : TravelGraph
    origins, destinations : {"zones", "facilities"} or sequence of str
        A kind of point, or point keys such as ``"zone:Z1"`` / ``"facility:F1"``.
    max_time_s : float, optional
        Planner's cutoff: pairs farther apart get ``inf`` (listed as unreachable with the
        reason ``"no path within max_time_s"``), and the search stops early.
    cache_dir : path-like, optional
        Folder of cached matrices (``.npz``), keyed by a SHA-256 of the graph's CSR
        arrays, the point nodes, the options and the state of the ferry edges (open or
        reopening, see :func:`~netopt.graph.drop_closed`); None disables caching. Entries are
        written atomically and hold a SHA-256 of the matrix, checked on every read: a
        corrupt, truncated or unreadable entry is discarded with a :class:`NetoptWarning`
        and recomputed.
    n_jobs : int
        Processes for the Dijkstra runs (see :func:`dijkstra_matrix`).
    dtype : numpy dtype
        Result dtype.

    Returns
    -------
    TravelTimes

    Raises
    ------
    DataError
        If a point key is not in ``graph.points``.

    Examples
    --------
    >>> tt = travel_times(graph, "zones", "facilities")  # doctest: +SKIP
    >>> tt.to_frame().loc["Z1", "F1"] / 60  # minutes  # doctest: +SKIP
    """
    okeys = _resolve_points(graph, origins, "origins")
    dkeys = _resolve_points(graph, destinations, "destinations")
    export = csr(graph)
    src = _point_rows(graph, export.index, okeys)
    dst = _point_rows(graph, export.index, dkeys)
    limit = None if max_time_s is None else float(max_time_s)
    path = None
    if cache_dir is not None:
        key = _cache_key(export, src, dst, np.inf if limit is None else limit, graph, dtype)
        path = Path(cache_dir) / f"travel_times_{key[:32]}.npz"
        cached = _load_cache(path, (len(src), len(dst)), dtype)
        if cached is not None:
            return _result(graph, okeys, dkeys, cached, limit)
    seconds = _seconds(export, src, dst, limit=limit, n_jobs=n_jobs, dtype=dtype)
    if path is not None:
        _save_cache(path, seconds)
    return _result(graph, okeys, dkeys, seconds, limit)


def _point_rows(graph: TravelGraph, index: dict[Hashable, int], keys: list[str]) -> np.ndarray:
    """Return the CSR rows of the nodes of point keys (keys checked by the caller)."""
    nodes = graph.points["node"].to_numpy()[graph.points.index.get_indexer(keys)]
    return np.fromiter((index[n] for n in nodes), np.int64, len(nodes))


def _seconds(
    export: CSRGraph | csr_array,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    limit: float | None,
    n_jobs: int,
    dtype: Any,
    chunk_mb: float = 256.0,
) -> np.ndarray:
    """Run Dijkstra from the side with fewer points (on the transposed graph for targets).

    ``export`` is a :class:`CSRGraph` (its cached transpose is used) or a bare matrix.
    """
    matrix = export.matrix if isinstance(export, CSRGraph) else export
    out = np.empty((len(src), len(dst)), dtype=dtype)
    kw: dict[str, Any] = {"limit": limit, "n_jobs": n_jobs, "chunk_mb": chunk_mb}
    if len(dst) < len(src):
        rev = export.transposed if isinstance(export, CSRGraph) else matrix.T.tocsr()
        _fill(out, rev, dst, src, transposed=True, **kw)
    else:
        _fill(out, matrix, src, dst, **kw)
    return out


def travel_times_at_clocks(
    graph: TravelGraph,
    origins: str | Sequence[str],
    destinations: str | Sequence[str],
    clocks: Iterable[str | None],
    *,
    max_time_s: float | None = None,
    n_jobs: int = 1,
    dtype: Any = np.float64,
) -> dict[str | None, TravelTimes]:
    """Compute travel-time matrices (seconds) for several clock times at the ferry ports.

    Gives for every clock exactly the matrix of
    ``travel_times(at_clock(graph, clock), origins, destinations)``, without copying the
    networkx graph per clock: the edges other than ferries are exported once, and for each
    clock only the ferry edges are recomputed (the wait until the next departure at that
    clock, or a reopening edge with the wait until the next morning when no departure is
    left, see :mod:`netopt.graph.ferry`) before the CSR matrix is assembled and Dijkstra
    runs. Closed routes stay closed (reopening edges), emergency mode keeps its zero waits
    and a graph from :func:`~netopt.graph.drop_closed` stays without reopening edges; a
    night flag is cleared, as :func:`at_clock` does.

    Parameters
    ----------
    graph : TravelGraph
    origins, destinations : {"zones", "facilities"} or sequence of str
        As in :func:`travel_times`.
    clocks : iterable of str or None
        ``"HH:MM"`` clock times at the ports (None: the typical-daytime waits).
    max_time_s, n_jobs, dtype
        As in :func:`travel_times` (there is no ``cache_dir``: nothing is cached).

    Returns
    -------
    dict
        Clock time to its :class:`TravelTimes`, in the order of ``clocks`` (a repeated
        clock is computed once).

    Raises
    ------
    ValueError
        If a clock is not ``"HH:MM"``.
    DataError
        If a point key is not in ``graph.points``.

    Examples
    --------
    >>> tts = travel_times_at_clocks(graph, "zones", "facilities", ["08:00", "17:00"])  # doctest: +SKIP
    >>> tts["17:00"].to_frame()  # doctest: +SKIP
    """
    clocks = list(dict.fromkeys(clocks))
    for clock in clocks:
        if clock is not None:
            parse_clock(clock)
    okeys = _resolve_points(graph, origins, "origins")
    dkeys = _resolve_points(graph, destinations, "destinations")
    G = graph.G
    export = csr(graph)  # its node order and index; the edges other than ferries kept too
    nodes, index = export.nodes, export.index
    fixed = _FIXED.get(graph)
    if fixed is None or len(fixed[0]) + _n_ferry_edges(G) != G.number_of_edges():
        fixed = _edge_arrays(
            index,
            (
                (a, b, d["travel_time_s"])
                for a, b, d in G.edges(data=True)
                if d.get("mode") != "ferry"
            ),
        )
        _FIXED[graph] = fixed
    src = _point_rows(graph, index, okeys)
    dst = _point_rows(graph, index, dkeys)
    limit = None if max_time_s is None else float(max_time_s)
    out = {}
    for clock in clocks:
        ferries = graph_ferry_edges(G, graph.options, clock=clock, night=False)
        extra = _edge_arrays(index, ((a, b, d["travel_time_s"]) for a, b, d in ferries))
        u, v, w = (np.concatenate(pair) for pair in zip(fixed, extra))
        matrix = _csr_min(u, v, w, len(nodes))
        seconds = _seconds(matrix, src, dst, limit=limit, n_jobs=n_jobs, dtype=dtype)
        logger.debug("travel times at %s: %d ferry edges", clock, len(ferries))
        out[clock] = _result(graph, okeys, dkeys, seconds, limit)
    return out


#: The edges other than ferries of a graph (for :func:`travel_times_at_clocks`), kept with it.
_FIXED: weakref.WeakKeyDictionary[TravelGraph, tuple[np.ndarray, np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def _n_ferry_edges(G: nx.MultiDiGraph) -> int:
    return sum(1 for _, _, mode in G.edges(data="mode") if mode == "ferry")


def _count_inf(seconds: np.ndarray, *, block_mb: float = 32.0) -> int:
    """Count the ``inf`` entries of a matrix a block of rows at a time (no full-size mask)."""
    if seconds.size == 0:
        return 0
    per = max(1, int(block_mb * 2**20 // max(1, seconds.shape[-1])))
    return sum(
        int(np.count_nonzero(np.isinf(seconds[i : i + per]))) for i in range(0, len(seconds), per)
    )


def _result(
    graph: TravelGraph, okeys: list[str], dkeys: list[str], seconds: np.ndarray, limit: float | None
) -> TravelTimes:
    pts = graph.points
    ids = pts["id"].to_numpy()
    oids = ids[pts.index.get_indexer(okeys)]
    dids = ids[pts.index.get_indexer(dkeys)]
    n_inf = _count_inf(seconds)
    if n_inf:
        logger.warning("%d of %d origin-destination pairs unreachable", n_inf, seconds.size)
    why = "no path" if limit is None else "no path within max_time_s"
    return TravelTimes(seconds, tuple(oids.tolist()), tuple(dids.tolist()), n_inf, why)
