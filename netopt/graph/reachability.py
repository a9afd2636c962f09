"""Which zones and facilities cannot reach any lead hospital, by island.

An unreachable point must be reported by id and island, never left as a silent ``inf``
inside a solver. One reverse multi-source Dijkstra from all leads at once (``min_only``)
gives every node's time to its nearest lead.

Closed ferries and links keep reopening edges (``closed=True``, timed with the wait until they
run again), so on such a graph every point connected by the open network reaches a lead;
``reachability(drop_closed(graph))`` (:func:`netopt.graph.drop_closed`) lists the points cut
off right now.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from netopt._errors import DataError, Problem
from netopt.graph.build import TravelGraph
from netopt.graph.matrix import csr as graph_csr

__all__ = ["check_reachable", "nearest_lead_seconds", "reachability"]

logger = logging.getLogger(__name__)


def _lead_keys(graph: TravelGraph, leads: Sequence[str] | None) -> list[str]:
    fac = graph.region.facilities
    ids = fac.index[fac["can_lead"].fillna(False).astype(bool)] if leads is None else leads
    ids = [str(i) for i in ids]
    missing = [i for i in ids if f"facility:{i}" not in graph.points.index]
    if missing or not ids:
        raise DataError(
            [
                Problem("leads", i, "", "not a facility of the graph", "use facility ids")
                for i in missing
            ]
            or [
                Problem(
                    "facilities",
                    "",
                    "can_lead",
                    "no facility can lead",
                    "mark at least one facility can_lead or pass leads",
                )
            ]
        )
    return [f"facility:{i}" for i in ids]


def nearest_lead_seconds(graph: TravelGraph, leads: Sequence[str] | None = None) -> pd.Series:
    """Return every point's travel time (s) to its nearest lead (``inf`` if none reachable).

    Parameters
    ----------
    graph : TravelGraph
    leads : sequence of str, optional
        Facility ids of the possible leads; default: facilities with ``can_lead``.

    Returns
    -------
    pandas.Series
        Seconds (named ``"seconds"``), indexed like ``graph.points``.
    """
    keys = _lead_keys(graph, leads)
    export = graph_csr(graph)  # built once per graph, shared with travel_times
    nodes = graph.points["node"]
    lead_rows = export.rows_of(nodes.to_numpy()[graph.points.index.get_indexer(keys)])
    dist = dijkstra(export.transposed, directed=True, indices=lead_rows, min_only=True)
    rows = export.rows_of(nodes)
    return pd.Series(dist[rows], index=graph.points.index, name="seconds")


def reachability(graph: TravelGraph, leads: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the points that cannot reach any possible lead hospital.

    Parameters
    ----------
    graph : TravelGraph
    leads : sequence of str, optional
        The possible leads, as in :func:`nearest_lead_seconds`.

    Returns
    -------
    pandas.DataFrame
        Index point key; columns ``id``, ``kind``, ``island``, ``component``; empty when
        every point reaches a lead.
    """
    seconds = nearest_lead_seconds(graph, leads)
    cut = graph.points.loc[~np.isfinite(seconds.to_numpy()), ["id", "kind", "island", "component"]]
    if len(cut):
        logger.warning("%d points cannot reach any lead: %s", len(cut), ", ".join(cut.index[:10]))
    return cut


def check_reachable(graph: TravelGraph, leads: Sequence[str] | None = None) -> None:
    """Raise :class:`~netopt.DataError` naming every point that cannot reach any lead.

    Parameters
    ----------
    graph, leads
        As in :func:`reachability`.

    Raises
    ------
    DataError
        One problem per unreachable zone or facility, with its island.
    """
    cut = reachability(graph, leads)
    if len(cut):
        layer = {"zone": "zones", "facility": "facilities"}
        raise DataError(
            [
                Problem(
                    layer[r.kind],
                    r.id,
                    "",
                    f"cannot reach any lead hospital (island {r.island!r}, component "
                    f"{r.component}; depart_at={graph.depart_at!r})",
                    "open a ferry or link to this island, pick a lead on it, or plan for daytime",
                )
                for r in cut.itertuples()
            ]
        )
