"""Plan the time-critical pathways of a region on its travel graph: :func:`plan_pathways`.

The adapter from a :class:`~netopt.region.Region` and a :class:`~netopt.graph.TravelGraph` to
the array model of :mod:`netopt.pathways.model`: it computes the zone x facility and facility
x facility minutes by day (the graph as given) and by night (:func:`netopt.graph.at_night`),
the helicopter's minutes (straight-line distance in :attr:`Region.metric_crs` at its speed,
plus its dispatch, within its hours and only in weather it flies in), and returns
:class:`Pathways`.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netopt._crs import is_projected
from netopt._errors import DataError, Problem
from netopt.alliances.travel import has_closed_crossings, zone_facility_seconds
from netopt.graph import TravelGraph, at_clock, at_night, emergency_mode, travel_times
from netopt.pathways.conditions import Condition, capable, conditions_for, facility_capabilities
from netopt.pathways.model import (
    PERIODS,
    TABLE_COLUMNS,
    PathwayRoutes,
    pathway_by_place,
    pathway_routes,
    pathway_summary,
    pathway_table,
)
from netopt.pathways.options import PathwayOptions, TransferMode
from netopt.region import Region

__all__ = [
    "HOSPITAL_TIERS",
    "PathwayInputs",
    "Pathways",
    "air_minutes",
    "pathway_inputs",
    "pathway_times",
    "plan_pathways",
]

logger = logging.getLogger(__name__)

#: Tiers whose facilities receive ambulance patients (with any facility listing the
#: ``ambulance`` capability or an ``emergency`` specialty).
HOSPITAL_TIERS: tuple[str, ...] = ("tertiary", "county")


@dataclass(frozen=True, eq=False)
class Pathways:
    """Time-critical pathways of a region: per zone, per condition, by day and by night.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per zone, condition and period (see :func:`~netopt.pathways.pathway_table`).
    summary : pandas.DataFrame
        Index (``condition``, ``period``): ``window_min``, ``share_in_time`` (of ALL
        residents), ``median_min``, ``population_not_in_time``, ...
        (:func:`~netopt.pathways.pathway_summary`).
    by_place : pandas.DataFrame
        Residents not in time by island and township
        (:func:`~netopt.pathways.pathway_by_place`).
    messages : tuple of str
        What the plan assumed or could not do (no capable centre, helicopter grounded, ...).
    options : PathwayOptions
        The options used, with the region's values filled in.
    conditions : dict of str to Condition
        The conditions planned.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    by_place: pd.DataFrame
    messages: tuple[str, ...]
    options: PathwayOptions
    conditions: dict[str, Condition]

    def __post_init__(self) -> None:
        problems = []
        missing = set(TABLE_COLUMNS) - set(self.table.columns)
        if missing:
            problems.append(Problem("Pathways", "", "table", f"missing {sorted(missing)}",
                                    "build it with pathway_table"))  # fmt: skip
        share = self.summary["share_in_time"].to_numpy(float)
        if ((share < 0) | (share > 1)).any():
            problems.append(Problem("Pathways", "", "summary", "a share outside [0, 1]",
                                    "build it with pathway_summary"))  # fmt: skip
        want = {(k, p) for k in self.conditions for p in PERIODS}
        if set(self.summary.index) != want:
            problems.append(Problem("Pathways", "", "summary", "rows do not match conditions",
                                    "one row per condition and period"))  # fmt: skip
        if problems:
            raise DataError(problems)

    def share_in_time(self, condition: str, period: str = "day") -> float:
        """Return the share of all residents treated in time.

        Parameters
        ----------
        condition : str
        period : {"day", "night"}

        Returns
        -------
        float
        """
        return float(self.summary.loc[(condition, period), "share_in_time"])

    def kpis(self) -> dict[str, Any]:
        """Return the pathway KPIs, nested and flat.

        Returns
        -------
        dict
            ``{"pathways": {cond: {"window_min": w, "share_in_time": {"day": x, "night":
            y}}}}`` and, for each condition and period, ``pathway_<cond>_in_time_<period>``
            (the share in time) and ``pathway_<cond>_median_min_<period>``.
        """
        nested: dict[str, Any] = {}
        flat: dict[str, float] = {}
        for key in self.conditions:
            shares = {p: self.share_in_time(key, p) for p in PERIODS}
            nested[key] = {
                "window_min": float(self.summary.loc[(key, PERIODS[0]), "window_min"]),
                "share_in_time": shares,
            }
            for p in PERIODS:
                flat[f"pathway_{key}_in_time_{p}"] = shares[p]
                flat[f"pathway_{key}_median_min_{p}"] = float(
                    self.summary.loc[(key, p), "median_min"]
                )
        return {"pathways": nested, **flat}


def pathway_times(
    region: Region, graph: TravelGraph, *, cache_dir: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the zone x facility and facility x facility seconds on ``graph``, in region order.

    Parameters
    ----------
    region : Region
    graph : TravelGraph
    cache_dir : str or pathlib.Path, optional
        Folder for the matrix cache of :func:`netopt.travel_times`.

    Returns
    -------
    tuple of numpy.ndarray
        Shapes (Z, F) and (F, F), seconds (``inf`` where unreachable).
    """
    t_zf = zone_facility_seconds(region, graph, cache_dir=cache_dir)
    ids = [str(f) for f in region.facilities.index]
    tt = travel_times(graph, "facilities", "facilities", cache_dir=cache_dir)
    t_ff = (
        pd.DataFrame(
            np.asarray(tt.seconds, dtype=float),
            index=[str(f) for f in tt.origins],
            columns=[str(f) for f in tt.destinations],
        )
        .reindex(index=ids, columns=ids)
        .to_numpy(float, copy=True)
    )
    np.fill_diagonal(t_ff, 0.0)
    return t_zf, t_ff


def _distance_km(region: Region) -> np.ndarray:
    """Straight-line zone x facility kilometres in the region's metric CRS."""
    if not is_projected(region.metric_crs):
        raise DataError(
            Problem("region", "", "metric_crs", repr(region.metric_crs),
                    "use a projected CRS in metres, e.g. a UTM zone")
        )  # fmt: skip
    z = region.zone_points().to_crs(region.metric_crs)
    f = region.facilities.geometry.to_crs(region.metric_crs)
    dx = z.x.to_numpy()[:, None] - f.x.to_numpy()[None, :]
    dy = z.y.to_numpy()[:, None] - f.y.to_numpy()[None, :]
    return np.hypot(dx, dy) / 1000.0


def air_minutes(
    distance_km: np.ndarray,
    modes: tuple[TransferMode, ...],
    *,
    clock: str,
    storm: bool,
    landing: np.ndarray | None = None,
) -> np.ndarray | None:
    """Return the zone x facility minutes by the fastest air mode flying now, or None.

    Parameters
    ----------
    distance_km : numpy.ndarray, shape (Z, F)
        Straight-line distances.
    modes : tuple of TransferMode
    clock : str
        ``"HH:MM"``: a mode flies when its ``hours`` cover it.
    storm : bool
        Crossings are closed: only modes with ``flies_in_storm`` fly.
    landing : numpy.ndarray of bool, shape (F,), optional
        Facilities an aircraft can land at (default all).

    Returns
    -------
    numpy.ndarray or None
        ``dispatch_min + 60 * distance_km / speed_kmh`` (``inf`` where it cannot land);
        None when no mode flies.
    """
    flying = [
        m for m in modes
        if m.kind == "air" and m.flies_at(clock) and (m.flies_in_storm or not storm)
    ]  # fmt: skip
    if not flying:
        return None
    d = np.asarray(distance_km, dtype=float)
    best = np.min([m.dispatch_min + 60.0 * d / m.speed_kmh for m in flying], axis=0)
    if landing is not None:
        best = np.where(np.asarray(landing, dtype=bool)[None, :], best, np.inf)
    return best


def _first_facilities(region: Region, caps: list[frozenset[str]]) -> np.ndarray:
    """Hospitals, and any facility with an ambulance base or an emergency specialty."""
    f = region.facilities
    hospital = f["tier"].isin(HOSPITAL_TIERS).to_numpy()
    specs = f.get("specialties", pd.Series([()] * len(f), index=f.index))
    emergency = np.array(
        [isinstance(s, (tuple, list)) and "emergency" in s for s in specs], dtype=bool
    )
    ambulance = np.array(["ambulance" in c for c in caps], dtype=bool)
    return hospital | emergency | ambulance


def _select(conditions: dict[str, Condition], keys: tuple[str, ...] | None) -> dict[str, Condition]:
    if keys is None:
        return conditions
    problems = []
    for k in keys:
        if k not in conditions:
            close = difflib.get_close_matches(k, list(conditions), n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem("[pathways]", "", "conditions", f"unknown condition {k!r}",
                                    f"{hint}use {', '.join(conditions)}"))  # fmt: skip
    if problems:
        raise DataError(problems)
    return {k: conditions[k] for k in dict.fromkeys(keys)}


def _given_times(name: str, times: Any, z: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    ok = isinstance(times, (tuple, list)) and len(times) == 2
    t_zf, t_ff = (np.asarray(t, dtype=float) for t in times) if ok else (None, None)
    if not ok or t_zf.shape != (z, f) or t_ff.shape != (f, f):
        raise DataError(
            Problem("plan_pathways", "", name, "not a pair of matrices of the region's shape",
                    f"pass (zone x facility ({z}, {f}), facility x facility ({f}, {f})) seconds "
                    "as from pathway_times")
        )  # fmt: skip
    return t_zf, t_ff


@dataclass(frozen=True, eq=False)
class PathwayInputs:
    """The arrays every pathway computation of one network shares.

    Attributes
    ----------
    times : dict
        Period -> (zone x facility, facility x facility) seconds.
    first : numpy.ndarray of bool
        Facilities that take ambulance patients first.
    air : dict
        Period -> zone x facility minutes by air (None without transfer modes).
    messages : tuple of str
        What was assumed (no helipad, grounded aircraft, ...).
    storm : bool
        The network has closed crossings.
    """

    times: dict[str, tuple[np.ndarray, np.ndarray]]
    first: np.ndarray
    air: dict[str, np.ndarray | None]
    messages: tuple[str, ...]
    storm: bool


def pathway_inputs(
    region: Region,
    graph: TravelGraph | None,
    opts: PathwayOptions,
    *,
    times_day: tuple[np.ndarray, np.ndarray] | None = None,
    times_night: tuple[np.ndarray, np.ndarray] | None = None,
) -> PathwayInputs:
    """Compute the day and night matrices, the first facilities and the air minutes.

    Parameters
    ----------
    region : Region
    graph : TravelGraph or None
    opts : PathwayOptions
        With the region's values filled in (:meth:`PathwayOptions.for_region`).
    times_day, times_night : tuple of numpy.ndarray, optional
        As for :func:`plan_pathways`.

    Returns
    -------
    PathwayInputs
    """
    z, f = len(region.zones), len(region.facilities)
    messages: list[str] = []
    if graph is None and (times_day is None or times_night is None):
        raise DataError(Problem("plan_pathways", "", "graph", "None",
                                "pass a TravelGraph, or both times_day and times_night"))  # fmt: skip
    storm = graph is not None and has_closed_crossings(graph)
    base = graph
    if graph is not None and opts.emergency and (times_day is None or times_night is None):
        base = emergency_mode(graph)
    times = {}
    for period, given in (("day", times_day), ("night", times_night)):
        if given is not None:
            times[period] = _given_times(f"times_{period}", given, z, f)
            continue
        assert base is not None  # checked above
        if opts.clock_graphs:
            g = at_clock(base, opts.day_clock if period == "day" else opts.night_clock)
        else:
            g = base if period == "day" else at_night(base)
        times[period] = pathway_times(region, g)

    caps = facility_capabilities(region.facilities)
    first = _first_facilities(region, caps)
    if not first.any():
        first = np.ones(f, dtype=bool)
        messages.append("no hospital or ambulance base: every facility takes ambulance patients")
    landing = np.array(["helipad" in c for c in caps], dtype=bool)
    modes = opts.transfer_modes or ()
    if modes and not landing.any():
        landing = np.ones(f, dtype=bool)
        messages.append(
            "no facility lists a helipad: aircraft land at any capable centre (ESTIMATE)"
        )
    if modes and storm:
        grounded = [m.name for m in modes if not m.flies_in_storm]
        if grounded:
            messages.append(f"closed crossings (a storm): {', '.join(grounded)} grounded")
    distance = _distance_km(region) if modes else None
    clocks = {"day": opts.day_clock, "night": opts.night_clock}
    air = {
        p: None if distance is None
        else air_minutes(distance, modes, clock=clocks[p], storm=storm, landing=landing)
        for p in PERIODS
    }  # fmt: skip

    return PathwayInputs(times=times, first=first, air=air, messages=tuple(messages), storm=storm)


def plan_pathways(
    region: Region,
    graph: TravelGraph | None,
    *,
    options: PathwayOptions | None = None,
    times_day: tuple[np.ndarray, np.ndarray] | None = None,
    times_night: tuple[np.ndarray, np.ndarray] | None = None,
) -> Pathways:
    """Return the time-critical pathways of every zone, by day and by night.

    For each condition (:func:`~netopt.pathways.conditions_for`) and time of day, every zone's
    minutes from onset to treatment follow :mod:`netopt.pathways.model`: the ambulance
    dispatch, the fastest of the direct trip to a capable centre, the trip to the nearest
    first facility (hospitals, ambulance bases) with its handover and the transfer on, and
    the helicopter, plus the door-to-treatment minutes. Closed crossings count with their
    reopening times (or the region's emergency fallback): no zone is dropped.

    Parameters
    ----------
    region : Region
        Facilities with a ``capabilities`` column; ``region.toml`` ``[ambulance]``,
        ``[[transfer_modes]]`` and ``[conditions.<key>]`` are read.
    graph : TravelGraph or None
        The network as the scenario has it (a storm: :func:`netopt.graph.close_ferry`).
        It decides the weather for the helicopter (closed crossings ground a mode that does
        not fly in a storm). None only with both ``times_day`` and ``times_night`` (fair
        weather is then assumed).
    options : PathwayOptions, optional
        Default ``PathwayOptions()``.
    times_day, times_night : tuple of numpy.ndarray, optional
        Precomputed (zone x facility, facility x facility) seconds, as from
        :func:`pathway_times` on the (emergency-mode) day and night graphs.

    Returns
    -------
    Pathways

    Raises
    ------
    DataError
        Bad options, region tables or matrices; an unknown condition key.

    Examples
    --------
    >>> plan = plan_pathways(region, graph)  # doctest: +SKIP
    >>> plan.kpis()["pathway_stroke_in_time_night"]  # doctest: +SKIP
    """
    opts = (options or PathwayOptions()).for_region(region)
    conditions = _select(conditions_for(region), opts.conditions)
    inputs = pathway_inputs(region, graph, opts, times_day=times_day, times_night=times_night)
    times, first, air = inputs.times, inputs.first, inputs.air
    messages = list(inputs.messages)
    routes: dict[tuple[str, str], PathwayRoutes] = {}
    for key, cond in conditions.items():
        mask = capable(region.facilities, cond)
        if not mask.any():
            groups = " or ".join("+".join(g) for g in cond.needs)
            messages.append(f"no facility can treat {key} (needs {groups}): nobody is in time")
        for p in PERIODS:
            t_zf, t_ff = times[p]
            routes[(key, p)] = pathway_routes(
                t_zf / 60.0, t_ff / 60.0, mask, first, dispatch_min=opts.dispatch_min,
                handover_min=opts.handover_min, door_min=cond.door_to_treatment_min, air=air[p],
            )  # fmt: skip
    table = pathway_table(routes, conditions, region.zones, region.facilities.index)
    summary = pathway_summary(table)
    unreached = table[~np.isfinite(table["minutes"])]
    for (key, p), g in unreached.groupby(["condition", "period"], sort=False):
        messages.append(
            f"{key} ({p}): {g['population'].sum():,.0f} residents reach no capable centre at all"
        )
    for m in messages:
        logger.info("pathways: %s", m)
    return Pathways(
        table=table,
        summary=summary,
        by_place=pathway_by_place(table),
        messages=tuple(messages),
        options=opts,
        conditions=conditions,
    )
