"""Travel-time matrices with scipy's multi-source Dijkstra over a CSR export of the graph.

networkx stays the graph model (and the exact reference in the tests); for matrices the graph
is exported once to a compressed sparse row matrix (parallel edges keep their minimum time)
and :func:`scipy.sparse.csgraph.dijkstra` runs from whichever side has fewer points, on the
transposed graph when the destinations are fewer. Sources are processed in chunks so that a
large graph never holds more than ``chunk_mb`` of distance rows at once; with ``n_jobs > 1``
the chunks are spread over a process pool (scipy's Dijkstra holds the GIL, so threads do not
help; measured with scipy 1.17: two threads take as long as one). A ``max_time_s`` cutoff is
passed to Dijkstra as ``limit`` and cuts the search short.

:func:`travel_times_at_clocks` gives the matrices of several clock times at the ferry ports
(:func:`~netopt.graph.at_clock`) from one export: only the ferry edges change per clock.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import warnings
import zipfile
import zlib
from collections.abc import Hashable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from netopt._atomic import atomic_path
from netopt._errors import DataError, NetoptWarning, Problem
from netopt.graph.build import TravelGraph
from netopt.graph.ferry import graph_ferry_edges, parse_clock

__all__ = [
    "CSRGraph",
    "TravelTimes",
    "dijkstra_matrix",
    "graph_to_csr",
    "travel_times",
    "travel_times_at_clocks",
]

logger = logging.getLogger(__name__)

# 2: entries carry a SHA-256; 3: closed crossings keep reopening edges, part of the key
_CACHE_VERSION = "netopt-travel-times-3"
# What reading a damaged .npz raises (numpy reports bad headers as ValueError).
_UNREADABLE = (OSError, EOFError, KeyError, ValueError, MemoryError, zipfile.BadZipFile, zlib.error)


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


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """A travel-time matrix in seconds between named origins and destinations.

    Attributes
    ----------
    seconds : numpy.ndarray, shape (n_origins, n_destinations)
        Travel times; ``inf`` exactly where a pair is unreachable (listed in ``unreachable``).
    origins, destinations : tuple of str
        Plain ids (without the ``"zone:"`` / ``"facility:"`` prefix).
    unreachable : pandas.DataFrame
        One row per unreachable pair: ``origin``, ``destination``, ``reason``.
    """

    seconds: np.ndarray
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    unreachable: pd.DataFrame

    @property
    def minutes(self) -> np.ndarray:
        """The matrix in minutes."""
        return self.seconds / 60.0

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
    lim = np.inf if limit is None else float(limit)
    out = np.empty((len(sources), len(targets)), dtype=dtype)
    if len(sources) == 0 or len(targets) == 0:
        return out
    rows = max(1, int(chunk_mb * 2**20 // (8 * max(n, 1))))
    if n_jobs > 1 and len(sources) > 1:
        rows = min(rows, -(-len(sources) // (4 * n_jobs)))  # several chunks per worker
    chunks = [sources[i : i + rows] for i in range(0, len(sources), rows)]
    if n_jobs <= 1 or len(chunks) == 1:
        results = (_rows(matrix, c, targets, lim, dtype) for c in chunks)
        for i, r in zip(range(0, len(sources), rows), results):
            out[i : i + len(r)] = r
        return out
    ctx = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(
        max_workers=n_jobs,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(matrix, targets, lim, np.dtype(dtype).str),
    ) as pool:
        for i, r in zip(range(0, len(sources), rows), pool.map(_worker_rows, chunks)):
            out[i : i + len(r)] = r
    return out


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
    missing = [k for k in keys if k not in graph.points.index]
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


def _cache_key(
    csr: CSRGraph, src: np.ndarray, dst: np.ndarray, limit: float, graph: TravelGraph, dtype: Any
) -> str:
    h = hashlib.sha256(_CACHE_VERSION.encode())
    m = csr.matrix
    for arr in (m.indptr, m.indices, m.data, src, dst):
        h.update(np.ascontiguousarray(arr).tobytes())
        h.update(b"|")
    h.update(repr((limit, np.dtype(dtype).str, graph.options.fingerprint())).encode())
    h.update(_closed_fingerprint(graph.G).encode())
    return h.hexdigest()


def _closed_fingerprint(G: nx.MultiDiGraph) -> str:
    """Return a stable text of the ferry and closed edges and their state (why, wait).

    The CSR arrays already carry every edge weight (so a graph from
    :func:`~netopt.graph.drop_closed` has its own key); this also tells apart graphs whose
    reopening edges happen to weigh what open ones would (a fallback at zero wait).
    """
    ferries = sorted(
        (
            repr(u),
            repr(v),
            str(d.get("route", d.get("link"))),
            bool(d.get("closed", False)),
            str(d.get("closed_by", "")),
            float(d.get("reopen_wait_s", 0.0)),
        )
        for u, v, d in G.edges(data=True)
        if d.get("mode") == "ferry" or d.get("closed", False)
    )
    return repr(ferries)


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
    csr = graph_to_csr(graph.G)
    src = _point_rows(graph, csr.index, okeys)
    dst = _point_rows(graph, csr.index, dkeys)
    limit = None if max_time_s is None else float(max_time_s)
    path = None
    if cache_dir is not None:
        key = _cache_key(csr, src, dst, np.inf if limit is None else limit, graph, dtype)
        path = Path(cache_dir) / f"travel_times_{key[:32]}.npz"
        cached = _load_cache(path, (len(src), len(dst)), dtype)
        if cached is not None:
            return _result(graph, okeys, dkeys, cached, limit)
    seconds = _seconds(csr.matrix, src, dst, limit=limit, n_jobs=n_jobs, dtype=dtype)
    if path is not None:
        _save_cache(path, seconds)
    return _result(graph, okeys, dkeys, seconds, limit)


def _array_digest(a: np.ndarray) -> str:
    """Return the SHA-256 of an array's dtype, shape and bytes (C order)."""
    h = hashlib.sha256(f"{a.dtype.str}|{a.shape}|".encode())
    h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _save_cache(path: Path, seconds: np.ndarray) -> None:
    """Write a cache entry atomically, with the SHA-256 of the matrix stored beside it."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, seconds=seconds, sha256=np.array(_array_digest(seconds)))
    logger.info("travel times cached in %s", path)


def _load_cache(path: Path, shape: tuple[int, int], dtype: Any) -> np.ndarray | None:
    """Return a verified cached matrix, or None (missing, or corrupt: warned and deleted)."""
    if not path.exists():
        return None
    try:
        # our own handle: np.load leaks its file when the zip is unreadable
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            seconds = f["seconds"]
            stored = str(f["sha256"][()])
        ok = (
            seconds.shape == shape
            and seconds.dtype == np.dtype(dtype)
            and stored == _array_digest(seconds)
        )
        problem = "" if ok else "checksum, shape or dtype mismatch"
    except _UNREADABLE as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if not problem:
        logger.info("travel times read from cache %s", path)
        return seconds
    warnings.warn(
        f"cache entry {path} is corrupt ({problem}); recomputing",
        NetoptWarning,
        stacklevel=3,
    )
    path.unlink(missing_ok=True)
    return None


def _point_rows(graph: TravelGraph, index: dict[Hashable, int], keys: list[str]) -> np.ndarray:
    """Return the CSR rows of the nodes of point keys."""
    return np.array([index[graph.points.at[k, "node"]] for k in keys], np.int64)


def _seconds(
    matrix: csr_array,
    src: np.ndarray,
    dst: np.ndarray,
    *,
    limit: float | None,
    n_jobs: int,
    dtype: Any,
) -> np.ndarray:
    """Run Dijkstra from the side with fewer points (on the transposed graph for targets)."""
    if len(dst) < len(src):
        rev = matrix.T.tocsr()
        seconds = dijkstra_matrix(rev, dst, src, limit=limit, n_jobs=n_jobs, dtype=dtype).T
        return np.ascontiguousarray(seconds)
    return dijkstra_matrix(matrix, src, dst, limit=limit, n_jobs=n_jobs, dtype=dtype)


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
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    fixed = _edge_arrays(
        index,
        ((a, b, d["travel_time_s"]) for a, b, d in G.edges(data=True) if d.get("mode") != "ferry"),
    )
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


def _result(
    graph: TravelGraph, okeys: list[str], dkeys: list[str], seconds: np.ndarray, limit: float | None
) -> TravelTimes:
    pts = graph.points
    oi, di = np.nonzero(~np.isfinite(seconds))
    oids = pts.loc[okeys, "id"].to_numpy()
    dids = pts.loc[dkeys, "id"].to_numpy()
    why = "no path" if limit is None else "no path within max_time_s"
    reason = np.full(len(oi), why, dtype=object)
    unreachable = pd.DataFrame({"origin": oids[oi], "destination": dids[di], "reason": reason})
    if len(unreachable):
        logger.warning(
            "%d of %d origin-destination pairs unreachable", len(unreachable), seconds.size
        )
    return TravelTimes(seconds, tuple(oids.tolist()), tuple(dids.tolist()), unreachable)
