"""Land travel surface: an H3 hexagon lattice over the land, never crossing water.

In the spirit of WHO's AccessMod, where no road data exists (or roads leave gaps) travel
happens over a friction surface. Here the surface is a lattice of H3 cells whose centres lie
on land; two neighbouring cells are joined only when both centres are on land *and* the
straight segment between them stays on land, so the lattice never hops across a strait.
Travel time on a lattice edge is ``length * detour_factor / surface_speed``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import h3
import numpy as np
import pyproj
import shapely

from netopt.graph.options import GraphOptions

__all__ = ["Lattice", "land_lattice", "segments_on_land", "surface_seconds"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lattice:
    """Cells of a land lattice and the land-only edges between them.

    Attributes
    ----------
    cells : numpy.ndarray of str
        H3 cell ids.
    xy : numpy.ndarray, shape (n, 2)
        Cell centres in the metric CRS (metres).
    u, v : numpy.ndarray of int
        Undirected edges as pairs of cell positions (``u < v``).
    length_m : numpy.ndarray of float
        Straight-line length of each edge.
    """

    cells: np.ndarray
    xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray


def surface_seconds(length_m: np.ndarray, options: GraphOptions) -> np.ndarray:
    """Return surface travel seconds for straight-line lengths (detour and speed applied)."""
    return np.asarray(length_m, float) * options.detour_factor / (options.surface_speed_kmh / 3.6)


def segments_on_land(land_metric: shapely.Geometry, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return a boolean mask: does the segment from ``a[i]`` to ``b[i]`` stay on land?

    Parameters
    ----------
    land_metric : shapely.Geometry
        Land polygons in the metric CRS (prepared in place for speed).
    a, b : numpy.ndarray, shape (n, 2)
        Segment ends in metres.

    Returns
    -------
    numpy.ndarray of bool
    """
    if len(a) == 0:
        return np.zeros(0, bool)
    shapely.prepare(land_metric)
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    return shapely.covers(land_metric, lines)


def land_lattice(
    land_wgs84: shapely.Geometry,
    land_metric: shapely.Geometry,
    metric_crs: str,
    options: GraphOptions,
    *,
    avoid: np.ndarray | None = None,
) -> Lattice:
    """Build the H3 lattice over the land (optionally only away from given road nodes).

    Parameters
    ----------
    land_wgs84 : shapely.Geometry
        Land polygons in EPSG:4326 (used by H3 to pick the cells whose centre is inside).
    land_metric : shapely.Geometry
        The same land in ``metric_crs`` (used to keep edges on land).
    metric_crs : str
        Projected CRS of the graph.
    options : GraphOptions
        ``h3_resolution`` and ``surface_gap_m`` are used.
    avoid : numpy.ndarray of shapely geometries, optional
        Road lines in ``metric_crs``; cells within ``surface_gap_m`` of one are dropped.

    Returns
    -------
    Lattice
    """
    cells = np.array(sorted(h3.geo_to_cells(land_wgs84, options.h3_resolution)), dtype=object)
    if cells.size == 0:
        return Lattice(cells, np.zeros((0, 2)), *(np.zeros(0, int),) * 2, np.zeros(0))
    latlng = np.array([h3.cell_to_latlng(c) for c in cells])
    tf = pyproj.Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)
    x, y = tf.transform(latlng[:, 1], latlng[:, 0])
    xy = np.column_stack([x, y])
    keep = np.ones(len(cells), bool)
    if avoid is not None and len(avoid):
        tree = shapely.STRtree(avoid)
        idx, dist = tree.query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
        keep = np.ones(len(xy), bool)
        keep[idx[0]] = dist > options.surface_gap_m
    cells, xy = cells[keep], xy[keep]
    pos = {c: i for i, c in enumerate(cells)}
    pairs = [
        (i, pos[n])
        for i, c in enumerate(cells)
        for n in h3.grid_ring(c, 1)
        if n in pos and pos[n] > i
    ]
    uv = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    ok = segments_on_land(land_metric, xy[uv[:, 0]], xy[uv[:, 1]])
    uv = uv[ok]
    length = np.hypot(*(xy[uv[:, 0]] - xy[uv[:, 1]]).T)
    logger.info(
        "land lattice: %d cells at H3 resolution %d, %d land-only edges (%d dropped over water)",
        len(cells),
        options.h3_resolution,
        len(uv),
        int((~ok).sum()),
    )
    return Lattice(cells, xy, uv[:, 0], uv[:, 1], length)
