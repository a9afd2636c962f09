r"""Spatial access to care: two-step floating catchments and timely access by care level.

Two measures, both on plain arrays (``Z`` resident zones, ``F`` facilities, ``L`` care
levels) and both pure: they describe where supply *is* relative to residents, not where
patients actually go (that is the choice model's job, :mod:`netopt.flows.choice`).

- :func:`two_step_fca`: the two-step floating catchment area ratio (2SFCA, Luo & Wang 2003)
  and, with a distance-decay ``weights`` function, the enhanced 2SFCA (E2SFCA, Luo & Qi
  2009). The result is *supply units per resident* (beds per resident when ``supply`` is
  beds); multiply by 1,000 for "per 1,000 residents". :func:`township_access` summarises it
  per township. :func:`step_decay` and :func:`gaussian_decay` build the usual weights.
- :func:`timely_access`: whether the nearest facility eligible for a care level lies within
  that level's travel-time window, with the default windows in :data:`ACCESS_WINDOWS_MIN`.

Travel times are one-way minutes; ``inf`` means unreachable (outside every catchment).

References
----------
Luo, W. and Wang, F. (2003). Measures of spatial accessibility to health care in a GIS
environment: synthesis and a case study in the Chicago region. *Environment and Planning B*,
30(6), 865-884.

Luo, W. and Qi, Y. (2009). An enhanced two-step floating catchment area (E2SFCA) method for
measuring spatial accessibility to primary care physicians. *Health & Place*, 15(4),
1100-1107.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from netopt._errors import DataError, Problem

__all__ = [
    "ACCESS_CATCHMENT_MIN",
    "ACCESS_WINDOWS_MIN",
    "gaussian_decay",
    "step_decay",
    "timely_access",
    "township_access",
    "two_step_fca",
]

logger = logging.getLogger(__name__)

#: Travel-time window (one-way minutes) within which the nearest facility able to give a care
#: level should lie, by care level. Sources and assumptions:
#:
#: - ``grassroots`` 15: SOURCED. The "15-minute medical and health service circle"
#:   (15 分钟医疗卫生服务圈), a national target planned county by county (National Health
#:   Commission press conference, 2022) and used in Zhejiang's county medical communities; the
#:   NHC reported in 2025 that over 90 % of residents reach the nearest medical point within
#:   15 minutes. (Zhejiang also uses a 20-minute circle for rural areas; pass 20 to use it.)
#: - ``emergency`` 30: ASSUMPTION. A 30-minute county emergency circle (the time to reach a
#:   hospital emergency department), the usual county planning target; not taken from a
#:   Zhejiang document. Pre-hospital ambulance response targets are shorter (about 12-15 min).
#: - ``hospital_outpatient``, ``inpatient``, ``recurring`` 60: ASSUMPTION. One hour to a
#:   county-level hospital, the common "county hospital within an hour" planning figure;
#:   recurring care (dialysis, oncology follow-up) is assumed to share it.
#: Catchment of the two-step floating catchment measure that netopt's outputs report, in
#: minutes (a 30-minute county service radius, Zhejiang's "30-minute medical service circle").
ACCESS_CATCHMENT_MIN: float = 30.0

ACCESS_WINDOWS_MIN: dict[str, float] = {
    "grassroots": 15.0,
    "hospital_outpatient": 60.0,
    "inpatient": 60.0,
    "emergency": 30.0,
    "recurring": 60.0,
}

Decay = Callable[[np.ndarray], np.ndarray]
Minutes = np.ndarray | sparse.sparray | sparse.spmatrix


# --------------------------------------------------------------------------- decay weights
def step_decay(steps: Mapping[float, float]) -> Decay:
    """Return a vectorised step weight: the weight of the first threshold at or above ``t``.

    The weights of Luo & Qi (2009) are ``step_decay({10: 1.0, 20: 0.68, 30: 0.22})``;
    times beyond the largest threshold weigh 0. Equal to ``access.weights.step_fn``.

    Parameters
    ----------
    steps : mapping of float to float
        Upper bound of a time band (minutes, inclusive) -> weight in [0, 1].

    Returns
    -------
    callable
        ``f(minutes: ndarray) -> ndarray`` of weights.

    Raises
    ------
    DataError
        No steps, or a bound or weight that is not a number, or a weight outside [0, 1].

    Examples
    --------
    >>> f = step_decay({10: 1.0, 20: 0.68, 30: 0.22})
    >>> f(np.array([0.0, 10.0, 10.5, 30.0, 31.0])).tolist()
    [1.0, 1.0, 0.68, 0.22, 0.0]
    """
    problems = [] if steps else [Problem("step_decay", "", "steps", "empty", "give >= 1 step")]
    for bound, weight in steps.items():
        if not _real(bound) or not _real(weight) or not 0 <= weight <= 1:
            problems.append(
                Problem(
                    "step_decay",
                    str(bound),
                    "steps",
                    f"{bound!r}: {weight!r}",
                    "map a bound in minutes to a weight in [0, 1]",
                )
            )
    if problems:
        raise DataError(problems)
    bounds = np.array(sorted(float(b) for b in steps))
    values = np.array([float(steps[b]) for b in sorted(steps)] + [0.0])

    def decay(minutes: np.ndarray) -> np.ndarray:
        return values[np.searchsorted(bounds, np.asarray(minutes, dtype=float), side="left")]

    return decay


def gaussian_decay(sigma_min: float) -> Decay:
    r"""Return the Gaussian weight :math:`f(t) = \exp(-t^2 / (2\sigma^2))`, with ``f(0) = 1``.

    Equal to ``access.weights.gaussian(sigma)``.

    Parameters
    ----------
    sigma_min : float
        Width in minutes (> 0).

    Returns
    -------
    callable
        ``f(minutes: ndarray) -> ndarray`` of weights in (0, 1].

    Raises
    ------
    DataError
        ``sigma_min`` is not a finite number > 0.
    """
    if not _real(sigma_min) or not 0 < sigma_min < np.inf:
        raise DataError(
            Problem("gaussian_decay", "", "sigma_min", repr(sigma_min), "use minutes > 0")
        )
    two_var = 2.0 * float(sigma_min) ** 2

    def decay(minutes: np.ndarray) -> np.ndarray:
        t = np.asarray(minutes, dtype=float)
        return np.exp(-t * t / two_var)

    return decay


# --------------------------------------------------------------------------- 2SFCA
def two_step_fca(
    supply: np.ndarray,
    demand: np.ndarray,
    minutes: Minutes,
    max_min: float,
    *,
    weights: Decay | None = None,
) -> np.ndarray:
    r"""Return the two-step floating catchment area access of every zone (supply per resident).

    With :math:`S_j` the supply of facility :math:`j`, :math:`P_i` the residents of zone
    :math:`i`, :math:`t_{ij}` the travel time, :math:`d_0` = ``max_min`` and :math:`f` the
    decay ``weights`` (:math:`f \equiv 1` when None):

    .. math::

        W_{ij} = f(t_{ij})\,[t_{ij} \le d_0], \qquad
        R_j = \frac{S_j}{\sum_k P_k W_{kj}}, \qquad
        A_i = \sum_j W_{ij} R_j .

    Without weights this is 2SFCA (Luo & Wang 2003); with them E2SFCA (Luo & Qi 2009), the
    decay applied in both steps. A facility with no demand in its catchment
    (:math:`\sum_k P_k W_{kj} = 0`) has :math:`R_j = 0`: its supply reaches nobody and
    contributes 0. Hence :math:`\sum_i P_i A_i` equals the total supply of the facilities
    that do have demand in their catchment.

    Parameters
    ----------
    supply : array-like of float, shape (F,)
        Supply at each facility (beds, doctors, ...), finite and >= 0.
    demand : array-like of float, shape (Z,)
        Residents of each zone, finite and >= 0.
    minutes : array-like of float, shape (Z, F), or a scipy.sparse array/matrix
        One-way travel time in minutes, >= 0; ``inf`` is unreachable. A sparse matrix lists the
        reachable pairs only (stored entries, an explicit 0 is 0 minutes); the pairs it does not
        store are unreachable. The computation stays sparse.
    max_min : float
        Catchment size :math:`d_0` in minutes (> 0); pairs with ``minutes <= max_min`` are in
        the catchment. ``inf`` makes every reachable (finite) pair part of it.
    weights : callable, optional
        Distance decay ``f(minutes: ndarray) -> ndarray`` with values in [0, 1], called once
        on the in-catchment times (see :func:`step_decay`, :func:`gaussian_decay`).

    Returns
    -------
    numpy.ndarray of float, shape (Z,)
        Supply units per resident; 0 for a zone with no facility in reach. Multiply by 1,000
        for supply per 1,000 residents.

    Raises
    ------
    DataError
        Wrong shapes, NaN, negative or infinite supply/demand, NaN or negative minutes, a bad
        ``max_min``, or decay weights outside [0, 1]; every problem at once.

    Examples
    --------
    Two villages of 1,000 and 3,000 residents, one 40-bed hospital 10 and 20 minutes away:

    >>> two_step_fca([40.0], [1000.0, 3000.0], [[10.0], [20.0]], 30.0).tolist()
    [0.01, 0.01]
    >>> two_step_fca([40.0], [1000.0, 3000.0], [[10.0], [np.inf]], 30.0).tolist()
    [0.04, 0.0]
    """
    s = _vector(supply, "supply")
    p = _vector(demand, "demand")
    problems = _nonnegative_finite(s, "supply") + _nonnegative_finite(p, "demand")
    problems += _minutes_problems(minutes, "two_step_fca", (p.size, s.size))
    if not _real(max_min) or not max_min > 0:
        problems.append(
            Problem("two_step_fca", "", "max_min", repr(max_min), "use minutes > 0 (inf allowed)")
        )
    if problems:
        raise DataError(problems)
    w = _catchment(minutes, float(max_min), weights)
    load = np.asarray(w.T @ p, dtype=float).ravel()
    served = load > 0
    ratio = np.divide(s, load, out=np.zeros_like(s), where=served)
    n_idle = int(np.count_nonzero(~served & (s > 0)))
    if n_idle:
        logger.debug("two_step_fca: %d facilities with supply but no demand in reach", n_idle)
    return np.asarray(w @ ratio, dtype=float).ravel()


def township_access(
    values: np.ndarray,
    population: np.ndarray,
    township: Sequence[Any] | np.ndarray,
    *,
    per: float = 1.0,
) -> pd.DataFrame:
    """Summarise a per-zone access value (e.g. :func:`two_step_fca`) per township.

    Parameters
    ----------
    values : array-like of float, shape (Z,)
        Access of each zone, in supply units per resident.
    population : array-like of float, shape (Z,)
        Residents of each zone (the weights), finite and >= 0.
    township : array-like, shape (Z,)
        Township label of each zone (no missing labels).
    per : float, default 1.0
        Scale of the output: 1 for supply units per resident, 1000 for per 1,000 residents.

    Returns
    -------
    pandas.DataFrame
        One row per township, sorted by label, with columns ``township``, ``population``,
        ``mean`` (population-weighted), ``min`` and ``max`` (over the zones with residents);
        ``mean``, ``min`` and ``max`` are multiplied by ``per`` and NaN for a township without
        residents.

    Raises
    ------
    DataError
        Shapes differ, NaN values, bad population, a missing township label or a bad ``per``.

    Examples
    --------
    >>> township_access([0.002, 0.004, 0.001], [100, 300, 50], ["A", "A", "B"], per=1000)
      township  population  mean  min  max
    0        A       400.0   3.5  2.0  4.0
    1        B        50.0   1.0  1.0  1.0
    """
    v = _vector(values, "values")
    pop = _vector(population, "population")
    labels = pd.Series(np.asarray(township, dtype=object).ravel(), name="township")
    problems = _nonnegative_finite(pop, "population")
    if np.isnan(v).any():
        problems.append(
            Problem("township_access", "", "values", "NaN", "pass a number for every zone")
        )
    if not v.size == pop.size == labels.size:
        found = f"lengths {v.size}, {pop.size}, {labels.size}"
        problems.append(
            Problem("township_access", "", "values/population/township", found, "use one a zone")
        )
    elif labels.isna().any():
        problems.append(
            Problem("township_access", "", "township", "missing label", "label every zone")
        )
    if not _real(per) or not 0 < per < np.inf:
        problems.append(Problem("township_access", "", "per", repr(per), "use a number > 0"))
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame({"township": labels, "population": pop, "value": v * float(per)})
    frame["weighted"] = frame["value"] * frame["population"]
    groups = frame.groupby("township", sort=True)
    total = groups["population"].sum()
    inhabited = frame[frame["population"] > 0].groupby("township", sort=True)["value"]
    out = pd.DataFrame(
        {
            "population": total,
            "mean": (groups["weighted"].sum() / total.where(total > 0)),
            "min": inhabited.min().reindex(total.index),
            "max": inhabited.max().reindex(total.index),
        }
    )
    return out.rename_axis("township").reset_index()


# --------------------------------------------------------------------------- timely access
def timely_access(
    minutes: np.ndarray,
    eligible: np.ndarray,
    windows_min: np.ndarray | Sequence[float],
) -> np.ndarray:
    """Return whether each zone's nearest eligible facility lies within each level's window.

    ``out[i, l] = min_{j: eligible[j, l]} minutes[i, j] <= windows_min[l]``; False when no
    eligible facility is reachable. It is monotone: longer travel times never turn False into
    True. For the default windows in the order of the care levels, pass
    ``[ACCESS_WINDOWS_MIN[level] for level in CARE_LEVELS]``.

    Parameters
    ----------
    minutes : array-like of float, shape (Z, F)
        One-way travel time in minutes, >= 0; ``inf`` is unreachable.
    eligible : array-like of bool, shape (F, L)
        Whether facility ``j`` gives care level ``l`` (e.g. :func:`netopt.flows.eligibility`).
    windows_min : array-like of float, shape (L,)
        Window of each care level in minutes (>= 0, ``inf`` allowed).

    Returns
    -------
    numpy.ndarray of bool, shape (Z, L)

    Raises
    ------
    DataError
        Shapes that do not fit, NaN or negative minutes, non-boolean eligibility or bad windows.

    Examples
    --------
    >>> t = np.array([[10.0, 40.0], [25.0, np.inf]])
    >>> timely_access(t, np.array([[True, False], [True, True]]), [15.0, 60.0]).tolist()
    [[True, True], [False, False]]
    """
    t = np.asarray(minutes, dtype=float)
    e = np.asarray(eligible)
    win = _vector(windows_min, "windows_min")
    problems = _minutes_problems(t, "timely_access", None)
    if e.ndim != 2 or (t.ndim == 2 and e.shape[0] != t.shape[1]) or e.shape[-1:] != win.shape:
        found = f"eligible {e.shape}, minutes {t.shape}, windows_min {win.shape}"
        problems.append(
            Problem(
                "timely_access", "", "eligible", found, "use (F, L) with F facilities, L levels"
            )
        )
    if e.dtype != bool and not np.isin(e, (0, 1)).all():
        problems.append(
            Problem("timely_access", "", "eligible", f"dtype {e.dtype}", "pass booleans")
        )
    if np.isnan(win).any() or (win < 0).any():
        problems.append(
            Problem("timely_access", "", "windows_min", str(win.tolist()), "use minutes >= 0")
        )
    if problems:
        raise DataError(problems)
    nearest = _nearest_eligible(t, e.astype(bool))
    return nearest <= win[None, :]


# --------------------------------------------------------------------------- helpers
def _nearest_eligible(minutes: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Return (Z, L) minutes to the nearest eligible facility (inf when there is none)."""
    out = np.full((minutes.shape[0], eligible.shape[1]), np.inf)
    for level in range(eligible.shape[1]):
        cols = np.flatnonzero(eligible[:, level])
        if cols.size:
            out[:, level] = minutes[:, cols].min(axis=1)
    return out


def _catchment(minutes: Minutes, max_min: float, weights: Decay | None) -> Any:
    """Return the (Z, F) catchment weights W (dense ndarray or sparse CSR, like ``minutes``)."""
    if sparse.issparse(minutes):
        coo = sparse.coo_array(minutes)
        keep = (coo.data <= max_min) & np.isfinite(coo.data)
        rows, cols, t = coo.row[keep], coo.col[keep], coo.data[keep].astype(float)
        w = np.ones_like(t) if weights is None else _decay(weights, t)
        return sparse.csr_array((w, (rows, cols)), shape=coo.shape)
    t = np.asarray(minutes, dtype=float)
    inside = (t <= max_min) & np.isfinite(t)
    w = inside.astype(float)
    if weights is not None:
        w[inside] = _decay(weights, t[inside])
    return w


def _decay(weights: Decay, t: np.ndarray) -> np.ndarray:
    """Evaluate the decay on in-catchment times and check it lies in [0, 1]."""
    w = np.broadcast_to(np.asarray(weights(t), dtype=float), t.shape)
    bad = ~((w >= 0) & (w <= 1))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        found = f"{int(bad.sum()):,} weights outside [0, 1] (f({t[k]:g}) = {w[k]!r})"
        raise DataError(
            Problem("two_step_fca", "", "weights", found, "return decay weights in [0, 1]")
        )
    return w


def _vector(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D float array (a scalar becomes length 1)."""
    try:
        return np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise DataError(
            Problem("access", "", name, f"{type(values).__name__} value", "pass numbers")
        ) from None


def _nonnegative_finite(values: np.ndarray, name: str) -> list[Problem]:
    bad = ~(np.isfinite(values) & (values >= 0))
    if not bad.any():
        return []
    first = ", ".join(f"{i}: {values[i]!r}" for i in np.flatnonzero(bad)[:5])
    found = f"{int(bad.sum()):,} values not finite and >= 0 (index {first})"
    return [Problem("access", "", name, found, "use finite numbers >= 0")]


def _minutes_problems(minutes: Minutes, where: str, shape: tuple[int, int] | None) -> list[Problem]:
    """Check shape, NaN and sign of a travel-time matrix (dense or sparse)."""
    if sparse.issparse(minutes):
        data, found_shape = np.asarray(minutes.data, dtype=float), minutes.shape
    else:
        data = np.asarray(minutes, dtype=float)
        found_shape = data.shape
    problems = []
    if len(found_shape) != 2 or (shape is not None and tuple(found_shape) != shape):
        want = "(zones, facilities)" if shape is None else f"{shape} (zones, facilities)"
        problems.append(
            Problem(where, "", "minutes", f"shape {tuple(found_shape)}", f"use shape {want}")
        )
    n_nan, n_neg = int(np.isnan(data).sum()), int((data < 0).sum())
    if n_nan:
        problems.append(
            Problem(where, "", "minutes", f"{n_nan:,} NaN", "use inf for unreachable pairs")
        )
    if n_neg:
        problems.append(Problem(where, "", "minutes", f"{n_neg:,} negative", "use minutes >= 0"))
    return problems


def _real(value: Any) -> bool:
    """Whether ``value`` is a real number (not bool, not NaN)."""
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and not np.isnan(value)
    )
