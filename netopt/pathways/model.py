r"""The pathway model on plain arrays: minutes from onset to treatment, and the tables.

For zone :math:`z`, capable centres :math:`C` and first facilities :math:`P` (those that
receive ambulance patients), with ambulance minutes :math:`t_{zf}` on the network, facility
to facility minutes :math:`t_{jf}` and air minutes :math:`a_{zf}` (``inf`` where no aircraft
flies):

.. math::

    T_z = d + \min\Bigl( \min_{f \in C} t_{zf},\;
        t_{z p(z)} + h + \min_{f \in C} t_{p(z) f},\;
        \min_{f \in C} a_{zf} \Bigr) + g

with :math:`d` the dispatch minutes (call to departure), :math:`p(z) = \arg\min_{j \in P}
t_{zj}` the nearest first facility, :math:`h` its door-in-door-out (handover) minutes and
:math:`g` the condition's door-to-treatment minutes. The three terms are the routes
``"direct"``, ``"transfer"`` and ``"air"`` (ties go to the earlier one; ``"none"`` when no
capable centre can be reached at all). On one road network the transfer route never beats
the direct one (the triangle inequality); it wins when ``t_fac_fac`` comes from a faster
inter-facility service. A zone is *in time* when :math:`T_z \le` the window; the share in
time is the population in time over the whole population: zones cut off by a closed crossing
count with their reopening times and are never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt.kpis import weighted_quantile
from netopt.pathways.conditions import Condition

__all__ = [
    "PERIODS",
    "ROUTES",
    "PathwayRoutes",
    "pathway_by_place",
    "pathway_minutes",
    "pathway_routes",
    "pathway_summary",
    "pathway_table",
]

logger = logging.getLogger(__name__)

#: Route codes of a zone's pathway, in order of preference on a tie.
ROUTES: tuple[str, ...] = ("direct", "transfer", "air", "none")
#: Times of day of a pathway plan.
PERIODS: tuple[str, ...] = ("day", "night")

TABLE_COLUMNS: tuple[str, ...] = (
    "zone",
    "condition",
    "period",
    "population",
    "island",
    "township",
    "minutes",
    "window_min",
    "in_time",
    "route",
    "centre",
    "via",
)


@dataclass(frozen=True, eq=False)
class PathwayRoutes:
    """The pathway of every zone for one condition and time of day.

    Parameters
    ----------
    minutes : numpy.ndarray, shape (Z,)
        Onset to treatment (``inf``: no capable centre reachable).
    route : numpy.ndarray of str, shape (Z,)
        One of :data:`ROUTES`.
    centre : numpy.ndarray of int, shape (Z,)
        Column of the capable centre reached (-1 with route ``"none"``).
    via : numpy.ndarray of int, shape (Z,)
        Column of the first facility of a transfer (-1 otherwise).
    """

    minutes: np.ndarray
    route: np.ndarray
    centre: np.ndarray
    via: np.ndarray


def _check(name: str, a: np.ndarray, shape: tuple[int, ...]) -> list[Problem]:
    if a.shape != shape:
        return [Problem("pathway_minutes", "", name, f"shape {a.shape}", f"pass shape {shape}")]
    if np.isnan(a).any() or (a < 0).any():
        return [
            Problem("pathway_minutes", "", name, "NaN or negative minutes",
                    "use minutes >= 0, inf where unreachable")
        ]  # fmt: skip
    return []


def _nearest(t: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row minimum and its column over the columns in ``mask`` (column -1 when none is finite)."""
    if not mask.any():
        n = t.shape[0]
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    cols = np.flatnonzero(mask)
    sub = t[:, cols]
    k = np.argmin(sub, axis=1)
    best = sub[np.arange(t.shape[0]), k]
    return best, np.where(np.isfinite(best), cols[k], -1)


def pathway_routes(
    t_zone_fac: np.ndarray,
    t_fac_fac: np.ndarray,
    capable: np.ndarray,
    first: np.ndarray | None = None,
    *,
    dispatch_min: float,
    handover_min: float,
    door_min: float,
    air: np.ndarray | None = None,
) -> PathwayRoutes:
    """Return every zone's pathway: minutes, route, centre reached and transfer facility.

    See the module docstring for the formula.

    Parameters
    ----------
    t_zone_fac : array-like, shape (Z, F)
        Ambulance minutes from each zone to each facility (``inf`` unreachable).
    t_fac_fac : array-like, shape (F, F)
        Minutes from facility to facility (the transfer leg).
    capable : array-like of bool, shape (F,)
        Facilities that can treat the condition (:func:`~netopt.pathways.capable`).
    first : array-like of bool, shape (F,), optional
        Facilities that receive ambulance patients; default every facility.
    dispatch_min, handover_min, door_min : float
        Call to departure, door-in-door-out at the first facility, door to treatment.
    air : array-like, shape (Z, F), optional
        Minutes by air from each zone to each facility, its dispatch included (``inf``
        where it does not fly); None: no air option.

    Returns
    -------
    PathwayRoutes

    Raises
    ------
    DataError
        Wrong shapes, NaN or negative minutes.
    """
    t_zf = np.asarray(t_zone_fac, dtype=float)
    if t_zf.ndim != 2:
        raise DataError(
            Problem("pathway_minutes", "", "t_zone_fac", f"shape {t_zf.shape}", "pass (Z, F)")
        )
    z, f = t_zf.shape
    t_ff = np.asarray(t_fac_fac, dtype=float)
    cap = np.asarray(capable, dtype=bool)
    fst = np.ones(f, dtype=bool) if first is None else np.asarray(first, dtype=bool)
    a = None if air is None else np.asarray(air, dtype=float)
    problems = _check("t_zone_fac", t_zf, (z, f)) + _check("t_fac_fac", t_ff, (f, f))
    for name, mask in (("capable", cap), ("first", fst)):
        if mask.shape != (f,):
            problems.append(
                Problem("pathway_minutes", "", name, f"shape {mask.shape}", f"pass shape ({f},)")
            )
    if a is not None:
        problems += _check("air", a, (z, f))
    for name, value in (("dispatch_min", dispatch_min), ("handover_min", handover_min),
                        ("door_min", door_min)):  # fmt: skip
        if not (np.isfinite(value) and value >= 0):
            problems.append(Problem("pathway_minutes", "", name, repr(value), "use minutes >= 0"))
    if problems:
        raise DataError(problems)

    direct, direct_at = _nearest(t_zf, cap)
    to_first, via = _nearest(t_zf, fst)
    onward, onward_at = _nearest(t_ff, cap)  # per facility: nearest capable centre from there
    safe_via = np.maximum(via, 0)
    transfer = np.where(via >= 0, to_first + handover_min + onward[safe_via], np.inf)
    transfer_at = np.where(via >= 0, onward_at[safe_via], -1)
    if a is None:
        by_air, air_at = np.full(z, np.inf), np.full(z, -1, dtype=np.int64)
    else:
        by_air, air_at = _nearest(a, cap)
    options = np.stack([direct, transfer, by_air])  # (3, Z), in the order of ROUTES
    k = np.argmin(options, axis=0)
    best = options[k, np.arange(z)]
    reached = np.isfinite(best)
    k = np.where(reached, k, 3)
    centre = np.choose(np.minimum(k, 2), [direct_at, transfer_at, air_at])
    return PathwayRoutes(
        minutes=np.where(reached, dispatch_min + best + door_min, np.inf),
        route=np.asarray(ROUTES, dtype=object)[k],
        centre=np.where(reached, centre, -1).astype(np.int64),
        via=np.where(k == 1, via, -1).astype(np.int64),
    )


def pathway_minutes(
    t_zone_fac: np.ndarray,
    t_fac_fac: np.ndarray,
    capable: np.ndarray,
    first: np.ndarray | None = None,
    *,
    dispatch_min: float,
    handover_min: float,
    door_min: float,
    air: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return every zone's minutes from onset to treatment and its route code.

    The formula is in the module docstring; :func:`pathway_routes` also gives the centre
    reached and the transfer facility.

    Parameters
    ----------
    t_zone_fac, t_fac_fac, capable, first, dispatch_min, handover_min, door_min, air
        As in :func:`pathway_routes`.

    Returns
    -------
    minutes : numpy.ndarray, shape (Z,)
        ``inf`` where no capable centre is reachable.
    route : numpy.ndarray of str, shape (Z,)
        ``"direct"``, ``"transfer"``, ``"air"`` or ``"none"``.

    Examples
    --------
    >>> import numpy as np
    >>> t_zf = np.array([[10.0, 30.0], [5.0, 90.0]])  # facility 1 can treat, 0 cannot
    >>> t_ff = np.array([[0.0, 20.0], [20.0, 0.0]])
    >>> m, r = pathway_minutes(t_zf, t_ff, [False, True], dispatch_min=10, handover_min=15,
    ...                        door_min=30)
    >>> m.tolist(), r.tolist()
    ([70.0, 80.0], ['direct', 'transfer'])
    """
    routes = pathway_routes(
        t_zone_fac, t_fac_fac, capable, first, dispatch_min=dispatch_min,
        handover_min=handover_min, door_min=door_min, air=air,
    )  # fmt: skip
    return routes.minutes, routes.route


def _places(zones: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Island name ("mainland" off the islands) and township ("" if unknown) of each zone."""
    island = zones.get("island", pd.Series(False, index=zones.index)).fillna(False).astype(bool)
    names = zones.get("island_name", pd.Series(None, index=zones.index, dtype=object))
    label = np.where(island, names.where(names.notna(), "island").astype(str), "mainland")
    town = zones.get("township", pd.Series(None, index=zones.index, dtype=object))
    return label.astype(object), town.where(town.notna(), "").astype(str).to_numpy(object)


def pathway_table(
    routes: Mapping[tuple[str, str], PathwayRoutes],
    conditions: Mapping[str, Condition],
    zones: pd.DataFrame,
    facility_ids: Sequence[str],
) -> pd.DataFrame:
    """Return one row per zone, condition and time of day.

    Parameters
    ----------
    routes : mapping of (condition key, period) to PathwayRoutes
    conditions : mapping of str to Condition
        Gives each condition's window.
    zones : pandas.DataFrame
        ``region.zones``: ``population``, ``island``, ``island_name``, ``township``; its rows
        follow the arrays of ``routes``.
    facility_ids : sequence of str
        Column ids of the arrays (``centre`` and ``via`` are given as ids, None if none).

    Returns
    -------
    pandas.DataFrame
        Columns ``zone``, ``condition``, ``period``, ``population``, ``island``,
        ``township``, ``minutes``, ``window_min``, ``in_time``, ``route``, ``centre``,
        ``via``.
    """
    ids = np.asarray([str(f) for f in facility_ids] + [None], dtype=object)  # -1 -> None
    island, town = _places(zones)
    pop = zones["population"].to_numpy(float)
    frames = []
    for (key, period), r in routes.items():
        window = float(conditions[key].window_min)
        frames.append(
            pd.DataFrame(
                {
                    "zone": [str(z) for z in zones.index],
                    "condition": key,
                    "period": period,
                    "population": pop,
                    "island": island,
                    "township": town,
                    "minutes": r.minutes,
                    "window_min": window,
                    "in_time": r.minutes <= window,
                    "route": r.route,
                    "centre": pd.Series(ids[r.centre], dtype=object),
                    "via": pd.Series(ids[r.via], dtype=object),
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in TABLE_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else float("nan")


def pathway_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Return the share in time per condition and time of day (every resident counts).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`pathway_table`.

    Returns
    -------
    pandas.DataFrame
        Index (``condition``, ``period``); columns ``window_min``, ``population`` (all
        residents), ``population_in_time``, ``population_not_in_time``, ``share_in_time``
        (population in time / all residents; NaN without residents), ``median_min``
        (population-weighted, ``inf`` when at least half cannot be reached) and one
        ``route_<code>`` column per route: the residents it serves.
    """
    rows = []
    for (key, period), g in table.groupby(["condition", "period"], sort=False):
        pop = g["population"].to_numpy(float)
        in_time = float(pop[g["in_time"].to_numpy(bool)].sum())
        total = float(pop.sum())
        row = {
            "condition": key,
            "period": period,
            "window_min": float(g["window_min"].iloc[0]),
            "population": total,
            "population_in_time": in_time,
            "population_not_in_time": total - in_time,
            "share_in_time": _share(in_time, total),
            "median_min": weighted_quantile(g["minutes"].to_numpy(float), pop, 0.5),
        }
        for code in ROUTES:
            row[f"route_{code}"] = float(pop[(g["route"] == code).to_numpy()].sum())
        rows.append(row)
    columns = ["condition", "period", "window_min", "population", "population_in_time",
               "population_not_in_time", "share_in_time", "median_min",
               *(f"route_{c}" for c in ROUTES)]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).set_index(["condition", "period"])


def pathway_by_place(table: pd.DataFrame) -> pd.DataFrame:
    """Return the residents not in time by island and township, per condition and period.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`pathway_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``condition``, ``period``, ``island`` ("mainland" off the islands),
        ``township``, ``population``, ``population_not_in_time``, ``share_in_time`` and
        ``max_min`` (the slowest zone), one row per place, every place listed (also those
        fully in time).
    """
    t = table.assign(not_in_time=table["population"].where(~table["in_time"].astype(bool), 0.0))
    g = t.groupby(["condition", "period", "island", "township"], sort=False)
    out = g.agg(
        population=("population", "sum"),
        population_not_in_time=("not_in_time", "sum"),
        max_min=("minutes", "max"),
    ).reset_index()
    pop = out["population"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pop > 0, 1.0 - out["population_not_in_time"].to_numpy(float) / pop, np.nan)
    out.insert(6, "share_in_time", share)
    return out
