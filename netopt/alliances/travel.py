"""The zone x facility travel-time matrix the planner works on, in region order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from netopt.alliances._notes import argument_error
from netopt.graph import TravelGraph, travel_times
from netopt.region import Region

__all__ = ["plan_times", "zone_facility_seconds"]


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
    return (
        pd.DataFrame(
            np.asarray(tt.seconds, dtype=float),
            index=[str(z) for z in tt.origins],
            columns=[str(f) for f in tt.destinations],
        )
        .reindex(
            index=[str(z) for z in region.zones.index],
            columns=[str(f) for f in region.facilities.index],
        )
        .to_numpy(float)
    )


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
