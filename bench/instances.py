"""Readers for the public benchmark instances in ``bench/data/`` (no netopt imports).

Each reader returns plain numpy arrays ready for :mod:`netopt.solve`. The conventions of
each format (repeated edges, distance rounding) are those under which the published optima
hold; see ``bench/data/PROVENANCE.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

__all__ = [
    "DATA",
    "Instance",
    "pcenter_optima",
    "pmed_optima",
    "read_cpmp",
    "read_orlib_pmed",
    "read_swain",
    "read_tsplib",
    "tsplib_pcenter_optima",
]

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Instance:
    """A location instance: ``costs[i, j]`` = cost of serving demand i from candidate j."""

    name: str
    costs: np.ndarray
    p: int
    weights: np.ndarray | None = None
    loads: np.ndarray | None = None
    capacities: np.ndarray | None = None


def read_orlib_pmed(path: str | Path) -> Instance:
    """Read an OR-Library ``pmedK.txt`` file into all-pairs shortest path costs.

    The first line is ``n m p``; then ``m`` lines ``i j cost`` (1-based, undirected). A pair
    listed twice keeps its LAST cost (OR-Library's rule; the published optima rely on it).
    """
    path = Path(path)
    tokens = np.array(path.read_text().split(), dtype=np.int64)
    n, m, p = (int(t) for t in tokens[:3])
    edges = tokens[3 : 3 + 3 * m].reshape(m, 3)
    a = np.minimum(edges[:, 0], edges[:, 1]) - 1
    b = np.maximum(edges[:, 0], edges[:, 1]) - 1
    key = a * n + b
    # last occurrence wins: unique over the reversed list keeps the first of the reversed
    _, first_rev = np.unique(key[::-1], return_index=True)
    keep = m - 1 - first_rev
    a, b, w = a[keep], b[keep], edges[keep, 2].astype(float)
    graph = csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    costs = shortest_path(graph, method="D", directed=False)
    return Instance(name=path.stem, costs=costs, p=p)


def _truncated_or_real(xy: np.ndarray, *, truncate: bool) -> np.ndarray:
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    return np.floor(dist) if truncate else dist


def read_cpmp(path: str | Path, *, truncate: bool) -> Instance:
    """Read a capacitated p-median file (``n p``, then ``x y capacity demand`` per point).

    Osman & Christofides' optima use Euclidean distances truncated to integers
    (``truncate=True``); Lorena & Senne's SJC optima use real distances.
    """
    path = Path(path)
    tokens = np.array(path.read_text().split(), dtype=float)
    n, p = int(tokens[0]), int(tokens[1])
    rows = tokens[2 : 2 + 4 * n].reshape(n, 4)
    costs = _truncated_or_real(rows[:, :2], truncate=truncate)
    return Instance(
        name=path.stem, costs=costs, p=p, loads=rows[:, 3].copy(), capacities=rows[:, 2].copy()
    )


def read_swain(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read Swain's 55-node data: return (planar Euclidean distance matrix, demand weights)."""
    path = Path(path) if path is not None else DATA / "swain55" / "swain.txt"
    tokens = np.array(path.read_text().split(), dtype=float)
    n = int(tokens[0])
    rows = tokens[1 : 1 + 4 * n].reshape(n, 4)
    return _truncated_or_real(rows[:, 1:3], truncate=False), rows[:, 3].copy()


def read_tsplib(path: str | Path) -> np.ndarray:
    """Read a TSPLIB ``EUC_2D`` file into its nint-rounded Euclidean distance matrix."""
    lines = Path(path).read_text().splitlines()
    start = next(k for k, line in enumerate(lines) if line.strip() == "NODE_COORD_SECTION")
    coords = []
    for line in lines[start + 1 :]:
        if line.strip() in ("EOF", ""):
            break
        coords.append([float(v) for v in line.split()[1:3]])
    dist = _truncated_or_real(np.asarray(coords), truncate=False)
    return np.floor(dist + 0.5)


def _two_column(path: Path, *, skip_header: bool) -> dict[str, float]:
    lines = path.read_text().splitlines()[1 if skip_header else 0 :]
    return {parts[0]: float(parts[1]) for parts in (ln.split() for ln in lines) if len(parts) >= 2}


def pmed_optima() -> dict[str, float]:
    """Published optimal p-median values of pmed1..pmed20 (``pmedopt.txt``)."""
    return _two_column(DATA / "orlib_pmed" / "pmedopt.txt", skip_header=True)


def pcenter_optima() -> dict[str, float]:
    """Optimal vertex p-center radii of pmed1..pmed20 (``kcenteropt.txt``, Pullan 2008)."""
    return _two_column(DATA / "orlib_pmed" / "kcenteropt.txt", skip_header=False)


def tsplib_pcenter_optima() -> dict[tuple[str, int], float]:
    """Optimal vertex p-center radii of TSPLIB pr226 / pr264 keyed by (instance, p)."""
    lines = (DATA / "pcenter_tsplib" / "opt.txt").read_text().split("\n")
    out = {}
    for parts in (ln.split() for ln in lines):
        if len(parts) == 3:
            out[(parts[0], int(parts[1]))] = float(parts[2])
    return out
