"""The zone x facility travel-time matrix the planner works on, in region order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from netopt.alliances._notes import argument_error
from netopt.graph import TravelGraph, drop_closed, travel_times
from netopt.region import Region

__all__ = ["has_closed_crossings", "open_times", "plan_times", "zone_facility_seconds"]


def zone_facility_seconds(
    region: Region, graph: TravelGraph, *, cache_dir: str | Path | None = None
) -> np.ndarray:
    """Return the zone x facility travel-time matrix in the region's own row and column order.

    This is the ``times`` matrix :func:`~netopt.alliances.plan_alliances` computes when none
    is given; compute it once (optionally cached on disk) to reuse it across plans of the same
    graph.

    Parameters
    ----------
    region : Region
        The region; rows follow ``region.zones``, columns ``region.facilities``.
    graph : TravelGraph
        Its travel-time graph.
    cache_dir : str or pathlib.Path, optional
        Folder for the on-disk matrix cache of :func:`netopt.travel_times`.

    Returns
    -------
    numpy.ndarray
        One-way travel times in seconds (``inf`` where unreachable).
    """
    tt = travel_times(graph, "zones", "facilities", cache_dir=cache_dir)
    seconds = np.asarray(tt.seconds, dtype=float)
    rows = pd.Index([str(z) for z in tt.origins]).get_indexer([str(z) for z in region.zones.index])
    cols = pd.Index([str(f) for f in tt.destinations]).get_indexer(
        [str(f) for f in region.facilities.index]
    )
    if np.array_equal(rows, np.arange(len(tt.origins))) and np.array_equal(
        cols, np.arange(len(tt.destinations))
    ):
        return seconds  # the graph's points are in region order: no copy
    out = np.full((len(rows), len(cols)), np.inf)  # a point missing from the graph: unreachable
    ok_r, ok_c = rows >= 0, cols >= 0
    out[np.ix_(ok_r, ok_c)] = seconds[np.ix_(rows[ok_r], cols[ok_c])]
    return out


def plan_times(region: Region, graph: TravelGraph | None, times: np.ndarray | None) -> np.ndarray:
    """Return the given ``times`` after checking their shape, else compute them from ``graph``.

    Parameters
    ----------
    region : Region
    graph : TravelGraph or None
    times : numpy.ndarray or None
        Precomputed zone x facility seconds (rows ``region.zones``, columns
        ``region.facilities``).

    Returns
    -------
    numpy.ndarray
        Zone x facility one-way travel times in seconds.

    Raises
    ------
    DataError
        ``times`` of the wrong shape, or neither ``times`` nor ``graph`` given.
    """
    if times is not None:
        t_zf = np.asarray(times, dtype=float)
        expected = (len(region.zones), len(region.facilities))
        if t_zf.shape != expected:
            raise argument_error(
                "plan_alliances", "times", f"shape {t_zf.shape}", f"pass a {expected} matrix"
            )
        return t_zf
    if graph is None:
        raise argument_error(
            "plan_alliances", "graph", "None", "pass a TravelGraph, or precomputed times=..."
        )
    return zone_facility_seconds(region, graph)


def has_closed_crossings(graph: TravelGraph) -> bool:
    """Whether ``graph`` has closed crossings: edges usable only after they reopen.

    Parameters
    ----------
    graph : TravelGraph

    Returns
    -------
    bool
        True when an edge carries ``closed=True`` (a closed ferry, a ferry at night or after
        its last departure; see :func:`netopt.graph.drop_closed`).
    """
    return any(closed for _, _, closed in graph.G.edges(data="closed", default=False))


def open_times(
    region: Region,
    graph: TravelGraph | None,
    times: np.ndarray,
    open_now: np.ndarray | None = None,
    *,
    cache_dir: str | Path | None = None,
) -> np.ndarray:
    """Return the zone x facility seconds on the network as it runs now (closed crossings out).

    A pair that is finite in ``times`` but infinite here is *cut off*: it can only be made
    after a closed crossing reopens (its time in ``times`` includes that wait).

    Parameters
    ----------
    region : Region
    graph : TravelGraph or None
        Without closed crossings (or None) the answer is ``times`` itself.
    times : numpy.ndarray
        Zone x facility seconds with closed crossings at their reopening times.
    open_now : numpy.ndarray or None
        Precomputed answer (same shape as ``times``).
    cache_dir : str or pathlib.Path, optional
        Folder for the on-disk matrix cache (see :func:`zone_facility_seconds`).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    DataError
        ``open_now`` of the wrong shape.
    """
    if open_now is not None:
        now = np.asarray(open_now, dtype=float)
        if now.shape != times.shape:
            raise argument_error(
                "plan_alliances",
                "open_times",
                f"shape {now.shape}",
                f"pass a {times.shape} matrix like times",
            )
        return np.maximum(now, times)
    if graph is None or not has_closed_crossings(graph):
        return times
    now = zone_facility_seconds(region, drop_closed(graph), cache_dir=cache_dir)
    return np.maximum(now, times, out=now)  # our own matrix: no second full-size copy
