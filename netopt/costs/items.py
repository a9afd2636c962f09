r"""One small pure function per cost item, on plain arrays and tables.

Flows are the (L, Z, F) yearly visits of :class:`netopt.flows.Flows` (care level, zone,
facility). Every visit is one round trip. With :math:`x_{lzf}` the visits, :math:`p_{lf}`
the price of level :math:`l` at facility :math:`f` (its place's table; 0 at facilities of
another place), :math:`k_{zf}` and :math:`c_{zf}` the road km and ferry crossings one way,
:math:`t_{zf}` the minutes one way:

.. math::

    \text{care}_z = \sum_{l,f} x_{lzf}\, p_{lf}, \qquad
    \text{travel}_z = \sum_{l,f} 2 x_{lzf} (k_{zf}\, y_k + c_{zf}\, y_c), \qquad
    \text{time}_z = \sum_{l,f} 2 x_{lzf} \frac{t_{zf}}{60}\, v

with :math:`y_k` the fare per km, :math:`y_c` the ferry fare and :math:`v` the value of
time per hour. Each function returns yuan per year per zone (or per row of its table), so
the breakdown can allocate it to alliances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from netopt.flows import CARE_LEVELS, TRANSFER_LEVELS

__all__ = [
    "REGION_ROW",
    "allocate",
    "annualised_yuan",
    "care_price_matrices",
    "courier_yuan",
    "fallback_km",
    "outreach_yuan",
    "patient_hours",
    "round_trip_yuan",
    "transfers_out",
    "visit_yuan",
]

#: The row of :attr:`CostBreakdown.by_alliance` for costs that belong to no alliance.
REGION_ROW = "(region)"

_TRANSFER = np.isin(CARE_LEVELS, TRANSFER_LEVELS)


def care_price_matrices(
    is_grassroots: np.ndarray,
    in_area: np.ndarray,
    grassroots: np.ndarray,
    county: np.ndarray,
    outside: np.ndarray,
) -> dict[str, np.ndarray]:
    """The (L, F) price of every care level at every facility, one matrix per care item.

    A grassroots-tier facility is priced by ``grassroots`` wherever it lies; a hospital by
    ``county`` inside the area and by ``outside`` beyond it. Each matrix is 0 at the
    facilities of the other places, so the three items add up to all care.

    Parameters
    ----------
    is_grassroots, in_area : array-like of bool, shape (F,)
    grassroots, county, outside : array-like, shape (L,)
        Yuan per visit by care level.

    Returns
    -------
    dict
        ``care_grassroots``, ``care_county``, ``care_outside``: arrays of shape (L, F).
    """
    g = np.asarray(is_grassroots, dtype=bool)
    a = np.asarray(in_area, dtype=bool)
    masks = {"care_grassroots": g, "care_county": ~g & a, "care_outside": ~g & ~a}
    prices = {"care_grassroots": grassroots, "care_county": county, "care_outside": outside}
    return {
        item: np.asarray(prices[item], dtype=float)[:, None] * masks[item][None, :]
        for item in masks
    }


def visit_yuan(visits: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Yuan per zone of the visits at a price per (level, facility).

    Parameters
    ----------
    visits : numpy.ndarray, shape (L, Z, F)
    price : numpy.ndarray, shape (L, F)

    Returns
    -------
    numpy.ndarray, shape (Z,)
    """
    return np.einsum("lzf,lf->z", np.asarray(visits, dtype=float), np.asarray(price, dtype=float))


def transfers_out(visits: np.ndarray, in_area: np.ndarray) -> np.ndarray:
    """Transfers out of the area per zone: inpatient, emergency and recurring visits at
    facilities outside it (as :meth:`netopt.flows.Flows.kpis` counts them).

    Parameters
    ----------
    visits : numpy.ndarray, shape (L, Z, F)
    in_area : array-like of bool, shape (F,)

    Returns
    -------
    numpy.ndarray, shape (Z,)
    """
    outside = ~np.asarray(in_area, dtype=bool)
    return np.asarray(visits, dtype=float)[_TRANSFER][:, :, outside].sum(axis=(0, 2))


def _finite(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, 0.0)


def patient_hours(visits: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Round-trip patient-hours per zone, ``sum visits x 2 x minutes / 60`` (unreachable
    pairs, which get no visits, count 0), as ``flow_patient_hours_per_year``.

    Parameters
    ----------
    visits : numpy.ndarray, shape (L, Z, F)
    minutes : numpy.ndarray, shape (Z, F)
        One-way minutes (``inf``: unreachable).

    Returns
    -------
    numpy.ndarray, shape (Z,)
    """
    v = np.asarray(visits, dtype=float)
    per_trip = (2.0 / 60.0) * _finite(minutes)
    return np.where(v > 0, v * per_trip[None], 0.0).sum(axis=(0, 2))


def round_trip_yuan(
    visits: np.ndarray,
    km: np.ndarray,
    crossings: np.ndarray,
    *,
    km_yuan: float,
    crossing_yuan: float,
) -> np.ndarray:
    """Patients' fares per zone: every visit a round trip over the km and ferry crossings.

    Parameters
    ----------
    visits : numpy.ndarray, shape (L, Z, F)
    km, crossings : numpy.ndarray, shape (Z, F)
        One way along the fastest path (NaN / inf where unreachable: counted 0).
    km_yuan, crossing_yuan : float
        Fare per km and per crossing.

    Returns
    -------
    numpy.ndarray, shape (Z,)
    """
    fare = 2.0 * (_finite(km) * km_yuan + _finite(crossings) * crossing_yuan)
    v = np.asarray(visits, dtype=float)
    return np.where(v > 0, v * fare[None], 0.0).sum(axis=(0, 2))


def fallback_km(minutes: np.ndarray, speed_kmh: float) -> np.ndarray:
    """Kilometres from minutes at an average speed (when there is no travel graph).

    Parameters
    ----------
    minutes : array-like
    speed_kmh : float

    Returns
    -------
    numpy.ndarray
        ``minutes / 60 x speed_kmh``; ``inf`` stays ``inf``.
    """
    return np.asarray(minutes, dtype=float) / 60.0 * float(speed_kmh)


def outreach_yuan(
    days: np.ndarray,
    km: np.ndarray,
    nights: np.ndarray,
    crossings: np.ndarray,
    *,
    day_yuan: float,
    km_yuan: float,
    lodging_yuan: float,
    crossing_yuan: float,
) -> np.ndarray:
    """Expert outreach per visit: day allowances, travel and lodging.

    Parameters
    ----------
    days, km, nights, crossings : array-like, shape (n,)
        Per visit (already per year): expert-days, round-trip km, nights away, ferry
        crossings of the round trip.
    day_yuan, km_yuan, lodging_yuan, crossing_yuan : float

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    return (
        _finite(days) * day_yuan
        + _finite(km) * km_yuan
        + _finite(nights) * lodging_yuan
        + _finite(crossings) * crossing_yuan
    )


def courier_yuan(
    km: np.ndarray,
    hours: np.ndarray,
    crossings: np.ndarray,
    *,
    runs_per_year: float,
    km_yuan: float,
    hour_yuan: float,
    crossing_yuan: float,
) -> np.ndarray:
    """Yearly cost of each daily courier route: (km, driver hours, ferries) x runs.

    Parameters
    ----------
    km, hours, crossings : array-like, shape (n,)
        Per route and run.
    runs_per_year : float
    km_yuan, hour_yuan, crossing_yuan : float

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    per_run = _finite(km) * km_yuan + _finite(hours) * hour_yuan
    per_run = per_run + _finite(crossings) * crossing_yuan
    return per_run * float(runs_per_year)


def annualised_yuan(cost_yuan: np.ndarray, years: float) -> np.ndarray:
    """Straight-line annualisation of a one-off cost (NaN: unknown, counted 0).

    Parameters
    ----------
    cost_yuan : array-like
    years : float
        > 0.

    Returns
    -------
    numpy.ndarray
    """
    return _finite(cost_yuan) / float(years)


def allocate(yuan: np.ndarray, owners: Sequence[object], rows: Sequence[str] = ()) -> pd.Series:
    """Sum yuan by owner (an alliance lead id); no owner goes to :data:`REGION_ROW`.

    Parameters
    ----------
    yuan : array-like, shape (n,)
    owners : sequence, length n
        Lead ids; None, NaN or ``""`` for none.
    rows : sequence of str
        Rows always present (in this order), e.g. every lead; others follow sorted, then
        :data:`REGION_ROW`.

    Returns
    -------
    pandas.Series
        Index rows, values yuan; sums to ``yuan.sum()``.
    """
    keys = [REGION_ROW if _no_owner(o) else str(o) for o in owners]
    values = np.asarray(yuan, dtype=float)
    sums = pd.Series(values, dtype=float).groupby(np.asarray(keys, dtype=object)).sum()
    fixed = [r for r in dict.fromkeys(str(r) for r in rows) if r != REGION_ROW]
    extra = sorted(k for k in sums.index if k not in fixed and k != REGION_ROW)
    index = [*fixed, *extra, REGION_ROW]
    return sums.reindex(pd.Index(index, dtype=object), fill_value=0.0).astype(float)


def _no_owner(owner: object) -> bool:
    if owner is None or (isinstance(owner, str) and owner == ""):
        return True
    return not isinstance(owner, str) and bool(pd.isna(owner))
