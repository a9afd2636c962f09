"""The on-disk cache of :func:`netopt.graph.travel_times` (``cache_dir``): keys and entries.

An entry is a ``.npz`` with the matrix and its SHA-256, written atomically and checked on
every read; the key is a SHA-256 of the graph's CSR arrays, the point rows, the cutoff, the
dtype, the options and the state of the ferry and closed edges.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from netopt._atomic import atomic_path
from netopt._errors import NetoptWarning

if TYPE_CHECKING:
    from netopt.graph.build import TravelGraph
    from netopt.graph.matrix import CSRGraph

__all__: list[str] = []

logger = logging.getLogger("netopt.graph.matrix")

# 2: entries carry a SHA-256; 3: closed crossings keep reopening edges, part of the key
_CACHE_VERSION = "netopt-travel-times-3"
# What reading a damaged .npz raises (numpy reports bad headers as ValueError).
_UNREADABLE = (OSError, EOFError, KeyError, ValueError, MemoryError, zipfile.BadZipFile, zlib.error)


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
