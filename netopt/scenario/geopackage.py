"""A run's ``plan.gpkg``: the plan's layers and the travel network as the scenario ran it.

:func:`write_geopackage` writes the layers of :func:`netopt.alliances.layers.plan_layers`
(zones, facilities, alliance catchments, leads, travel-time bands) and
:func:`network_layers`: ``ferries`` (each route with its state in the run: open, closed,
night or ended, its headway, departures and closure hours) and ``links`` (the region's
links and those the scenario added, open or closed). The network state is read once, by
:func:`netopt.maps.network.network_state`, the reader the run's map draws from.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString

from netopt._atomic import atomic_path
from netopt.alliances.layers import plan_layers, write_layers

if TYPE_CHECKING:
    from netopt.scenario.runner import Result

__all__ = ["network_layers", "write_geopackage"]

_CRS = "EPSG:4326"


def _none(value: Any) -> Any:
    """None for NaN (GDAL writes it as NULL either way; this keeps dtypes plain)."""
    return None if isinstance(value, float) and math.isnan(value) else value


def network_layers(result: Result) -> dict[str, gpd.GeoDataFrame]:
    """The ``ferries`` and ``links`` layers of a run (EPSG:4326).

    Parameters
    ----------
    result : Result
        A run with its graph (``result.graph``).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``ferries``: the region's ferry routes (``id`` and their table's columns) with
        ``state`` (``"open"``, ``"closed"``, ``"night"``, ``"ended"``), ``headway_min`` and
        ``departures_ab``/``departures_ba`` as run (``;`` text), ``closed_hours``,
        ``reopen_wait_min``, ``headway_was`` (the region's headway when the run changed it)
        and ``changed``. ``links``: the region's links (``added`` false) and the scenario's
        new links (``added`` true) with ``state`` (``"open"`` or ``"closed"``),
        ``closed_hours`` and ``travel_min``. Empty dict when the run has no graph.
    """
    from netopt.maps.network import network_state  # maps load folium: imported when needed

    state = network_state(result)
    if state is None:
        return {}
    region = result.plan.region
    out: dict[str, gpd.GeoDataFrame] = {}
    if region.ferries is not None and len(region.ferries):
        table = region.ferries.to_crs(_CRS)
        rows = []
        for rid in table.index.astype(str):
            f = state.ferries.get(rid)
            rows.append(
                {
                    "state": f.state if f else "open",
                    "headway_min": _none(f.headway_min) if f else None,
                    "departures_ab": ";".join(f.departures_ab) if f else None,
                    "departures_ba": ";".join(f.departures_ba) if f else None,
                    "closed_hours": f.closed_hours if f else None,
                    "reopen_wait_min": f.reopen_wait_min if f else None,
                    "headway_was": _none(f.headway_was) if f else None,
                    "changed": bool(f.changed) if f else False,
                }
            )
        run = pd.DataFrame(rows, index=table.index)
        attrs = table.drop(columns=[c for c in run.columns if c in table.columns])
        ferries = gpd.GeoDataFrame(attrs.join(run), geometry="geometry", crs=_CRS)
        ferries.index.name = "id"
        out["ferries"] = ferries.reset_index()
    frames = []
    if region.links is not None and len(region.links):
        links = region.links.to_crs(_CRS).copy()
        links.index = links.index.astype(str)
        hours = pd.Series(state.closed_links, dtype=float).reindex(links.index)
        links["state"] = hours.notna().map({True: "closed", False: "open"})
        links["closed_hours"] = hours.to_numpy()
        links["added"] = False
        links.index.name = "id"
        frames.append(links.reset_index())
    if state.links:
        added = gpd.GeoDataFrame(
            {
                "id": [x.name for x in state.links],
                "name": [x.name for x in state.links],
                "travel_min": [x.travel_min for x in state.links],
                "state": ["closed" if x.closed_hours is not None else "open" for x in state.links],
                "closed_hours": [x.closed_hours for x in state.links],
                "added": True,
            },
            geometry=[LineString(x.coords) for x in state.links],
            crs=_CRS,
        )
        frames.append(added)
    if frames:
        joined = pd.concat(frames, ignore_index=True)
        out["links"] = gpd.GeoDataFrame(joined, geometry="geometry", crs=_CRS)
    return out


def write_geopackage(result: Result, path: str | Path) -> Path:
    """Write a run's GeoPackage atomically: the plan's layers and the network as run.

    Parameters
    ----------
    result : Result
    path : str or pathlib.Path
        Target ``.gpkg`` file (an existing one stays intact if writing fails).

    Returns
    -------
    pathlib.Path

    See Also
    --------
    netopt.alliances.AlliancePlan.to_file : the plan's layers alone (no graph needed).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        write_layers({**plan_layers(result.plan), **network_layers(result)}, tmp)
    return path
