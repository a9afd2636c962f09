"""Where the scheduler reads the travel graph: travel minutes, visit options and routes.

Out from each expert's home facility at the start of the working day (graph
:func:`~netopt.graph.at_clock` at ``workday[0]``); back from each site at every
``return_step_min`` from the start to the end of the working day (graph at that clock,
which times the ferry wait as if the traveller reached the pier at that clock), so a ferry
that no longer runs makes the return ``inf``. The lines an expert travels are computed
here too (:func:`route_lines`), so that drawing a schedule never routes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from netopt._clock import format_clock
from netopt._errors import NetoptError

if TYPE_CHECKING:  # pragma: no cover
    from netopt.graph import TravelGraph
    from netopt.region import Region
    from netopt.solve.rotation import VisitOptions

__all__ = ["options_table", "return_clocks", "rotation_travel", "route_lines"]

logger = logging.getLogger(__name__)


def rotation_travel(
    graph: TravelGraph,
    origins: Sequence[str],
    sites: Sequence[str],
    *,
    depart_at: str = "08:00",
    return_clocks: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Travel minutes out at ``depart_at`` and back at each return clock time.

    The one place where the scheduler reads the travel graph: swap it for another source
    by passing ``travel=`` to :func:`~netopt.rotations.schedule_rotations`. The matrices
    equal ``travel_times(at_clock(graph, clock), ...)`` at each clock; they come from
    :func:`~netopt.graph.travel_times_at_clocks`, which recomputes only the ferry edges per
    clock instead of copying the graph.

    Parameters
    ----------
    graph : TravelGraph
    origins, sites : sequence of str
        Facility ids.
    depart_at : str
        Morning departure clock time.
    return_clocks : sequence of str
        Clock times at which the return may leave the site.

    Returns
    -------
    out : numpy.ndarray
        ``(O, S)`` minutes (``inf`` unreachable).
    back : numpy.ndarray
        ``(C, O, S)`` minutes when leaving the site at each return clock.
    """
    from netopt.graph import drop_closed, travel_times_at_clocks

    # Experts travel on the network as it runs: a closed crossing is no way to a visit
    # (they do not wait a storm out), so those pairs stay unreachable.
    graph = drop_closed(graph)
    o_keys = [f"facility:{o}" for o in origins]
    s_keys = [f"facility:{s}" for s in sites]
    out = travel_times_at_clocks(graph, o_keys, s_keys, [depart_at])[depart_at].seconds / 60.0
    by_clock = travel_times_at_clocks(graph, s_keys, o_keys, return_clocks)
    back = (
        np.stack([by_clock[c].seconds.T / 60.0 for c in return_clocks])
        if len(return_clocks)
        else np.zeros((0, len(origins), len(sites)))
    )
    return np.asarray(out, float), np.asarray(back, float)


def return_clocks(start_min: float, return_at_min: Iterable[float]) -> list[str]:
    """Clock times of the returns, ``start_min`` + each offset, rounded to the minute.

    Parameters
    ----------
    start_min : float
        Start of the working day, minutes after midnight.
    return_at_min : iterable of float
        Offsets from the start, in minutes.

    Returns
    -------
    list of str
        ``"HH:MM"`` texts.
    """
    return [format_clock(start_min + r, rounding="nearest") for r in return_at_min]


def options_table(opts: VisitOptions, origins: Sequence[str], sites: Sequence[str]) -> pd.DataFrame:
    """The visit options as a table, one row per (origin, site).

    Parameters
    ----------
    opts : VisitOptions
        ``(O, S)`` arrays from :func:`~netopt.solve.rotation.visit_options`.
    origins, sites : sequence of str
        Facility ids of the rows and columns.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``site``, ``travel_out_min``, ``travel_back_min``, ``clinic_min``,
        ``stay_days`` (0 none, 1 day trip, more = stay), ``capacity``.
    """
    n_o, n_s = opts.stay_days.shape
    return pd.DataFrame(
        {
            "origin": np.repeat(np.asarray(origins, dtype=object), n_s),
            "site": np.tile(np.asarray(sites, dtype=object), n_o),
            "travel_out_min": opts.travel_out_min.ravel(),
            "travel_back_min": opts.travel_back_min.ravel(),
            "clinic_min": opts.clinic_min.ravel(),
            "stay_days": opts.stay_days.ravel(),
            "capacity": opts.capacity.ravel(),
        }
    )


def route_lines(
    region: Region,
    graph: TravelGraph | None,
    pairs: Iterable[tuple[str, str]],
) -> gpd.GeoDataFrame:
    """The line of each (origin, site) pair, along the travel graph when one is given.

    A pair the graph cannot route (an unknown point, no path), or every pair when there is
    no graph, gets a straight line between the two facilities.

    Parameters
    ----------
    region : Region
        Gives the facility locations (``region.facilities`` geometry).
    graph : TravelGraph or None
    pairs : iterable of (str, str)
        Facility ids (origin, site); one row per distinct pair, in sorted order.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``origin``, ``site``, ``geometry`` (LineString, EPSG:4326).
    """
    from netopt.graph import drop_closed, route

    graph = None if graph is None else drop_closed(graph)

    pairs = sorted({(str(a), str(b)) for a, b in pairs})
    fac = region.facilities
    if fac.crs is not None and not fac.crs.equals("EPSG:4326"):
        fac = fac.to_crs(4326)
    xy = pd.DataFrame(
        shapely.get_coordinates(shapely.point_on_surface(fac.geometry.to_numpy())),
        index=fac.index.astype(str),
        columns=["lon", "lat"],
    )
    lines = []
    for a, b in pairs:
        coords = None
        if graph is not None:
            try:
                coords = shapely.get_coordinates(
                    route(graph, f"facility:{a}", f"facility:{b}").geometry
                )
            except (NetoptError, KeyError, ValueError) as err:
                logger.debug("no route %s -> %s along the graph: %s", a, b, err)
        if coords is None or len(coords) < 2:
            coords = xy.loc[[a, b], ["lon", "lat"]].to_numpy()
        lines.append(shapely.linestrings(coords))
    return gpd.GeoDataFrame(
        {"origin": [a for a, _ in pairs], "site": [b for _, b in pairs]},
        geometry=lines,
        crs="EPSG:4326",
    )
