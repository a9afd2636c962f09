"""How an expert can visit a site: :func:`visit_options` decides day trip, stay or nothing.

The decision uses the travel minutes out and back (with the return departure times of a
ferry timetable, if any) and the working day; the result, :class:`VisitOptions`, holds the
``(origins, sites)`` arrays the rotation model reads: days occupied, travel, clinic minutes
and patients per visit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["VisitOptions", "visit_options"]


@dataclass(frozen=True)
class VisitOptions:
    """How an expert from each origin can visit each site (arrays of shape ``(O, S)``).

    Parameters
    ----------
    stay_days : numpy.ndarray of int
        0 = no visit possible, 1 = day trip, ``1 + lodging_days`` = multi-day stay.
    travel_out_min, travel_back_min : numpy.ndarray of float
        Travel minutes of the chosen option (``inf`` where no visit is possible).
    clinic_min : numpy.ndarray of float
        Clinic minutes of one visit (0 where no visit is possible).
    capacity : numpy.ndarray of int
        Patients one visit can see.
    """

    stay_days: np.ndarray
    travel_out_min: np.ndarray
    travel_back_min: np.ndarray
    clinic_min: np.ndarray
    capacity: np.ndarray


def visit_options(
    travel_out_min: np.ndarray,
    travel_back_min: np.ndarray,
    *,
    return_at_min: np.ndarray | None = None,
    workday_min: float = 570.0,
    min_clinic_min: float = 180.0,
    allow_stays: bool = True,
    lodging_days: int = 1,
    patients_per_clinic_hour: float = 5.0,
    max_clinic_min: float | None = None,
) -> VisitOptions:
    """Decide, per (origin, site), between a day trip, a multi-day stay or no visit.

    Clock times are minutes after the start of the working day. The expert leaves the
    origin at 0 and arrives after ``out`` minutes. With return departure times ``r_c``
    (``return_at_min``) and their travel times ``back_c`` (``inf`` when no ferry runs
    then), a return at ``r_c`` *fits* when ``r_c + back_c <= workday_min``.

    - Day trip: some fitting ``r_c`` leaves ``r_c - out >= min_clinic_min`` of clinic;
      the latest such ``r_c`` is taken (clinic ``r_c - out``).
    - Multi-day stay (``allow_stays``, no day trip): ``out <= workday_min`` and some
      ``r_c`` fits on the last day; clinic = the rest of day 1 + the full middle days +
      the last day until ``r_c`` (latest fitting), and must reach ``min_clinic_min``.

    Parameters
    ----------
    travel_out_min : numpy.ndarray
        ``(O, S)`` minutes from origin to site at the morning departure (``inf`` = no way).
    travel_back_min : numpy.ndarray
        ``(C, O, S)`` minutes back when leaving at ``return_at_min[c]``; or ``(O, S)``
        when ``return_at_min`` is None, meaning the return can leave at any time (it is
        then placed as late as possible: ``r = workday_min - back``).
    return_at_min : numpy.ndarray, optional
        ``(C,)`` return departure times, minutes after the start of the working day.
    workday_min : float, default 570
        Length of the working day in minutes (08:00-17:30).
    min_clinic_min : float, default 180
        Minimum clinic time that makes a visit worthwhile.
    allow_stays : bool, default True
        Allow multi-day stays for sites out of day-trip reach.
    lodging_days : int, default 1
        Nights away for a stay; a stay occupies ``1 + lodging_days`` days.
    patients_per_clinic_hour : float, default 5
        Patients seen per clinic hour (a 6-hour clinic day sees 30).
    max_clinic_min : float, optional
        Longest clinic per day of a visit (None: all the time between arrival and return).

    Returns
    -------
    VisitOptions

    Examples
    --------
    >>> import numpy as np
    >>> o = visit_options(np.array([[60.0, 200.0]]), np.array([[60.0, 200.0]]))
    >>> o.stay_days.tolist(), o.clinic_min.tolist()
    ([[1, 2]], [[450.0, 740.0]])
    """
    out = np.asarray(travel_out_min, dtype=float)
    back = np.asarray(travel_back_min, dtype=float)
    if return_at_min is None:
        if back.shape != out.shape:
            raise ValueError(f"travel arrays must have one shape, got {out.shape}, {back.shape}")
        back = back[None]
        ret = workday_min - back  # (1, O, S): leave as late as possible
    else:
        ret_c = np.asarray(return_at_min, dtype=float)
        if back.shape != (len(ret_c), *out.shape):
            raise ValueError(
                f"travel_back_min must have shape {(len(ret_c), *out.shape)}, got {back.shape}"
            )
        ret = np.broadcast_to(ret_c[:, None, None], back.shape)
    with np.errstate(invalid="ignore"):
        fits = np.isfinite(back) & (ret + back <= workday_min + 1e-9) & (ret >= 0)
        day_c = fits & (ret - out[None] >= min_clinic_min - 1e-9)
    ret_day = np.where(day_c, ret, -np.inf).max(axis=0)
    ret_any = np.where(fits, ret, -np.inf).max(axis=0)
    n = 1 + int(lodging_days)
    day = np.isfinite(ret_day) & np.isfinite(out)
    clinic_stay = (workday_min - out) + (n - 2) * workday_min + ret_any
    stay = (
        bool(allow_stays)
        & ~day
        & np.isfinite(out)
        & (out <= workday_min)
        & np.isfinite(ret_any)
        & (clinic_stay >= min_clinic_min)
    )
    r = np.where(day, ret_day, np.where(stay, ret_any, np.nan))
    pick = np.where(np.isfinite(r)[None], (ret == r[None]) & fits, False)
    back_pick = np.where(pick, back, np.inf).min(axis=0)
    stay_days = np.where(day, 1, np.where(stay, n, 0)).astype(np.int64)
    ok = stay_days > 0
    clinic = np.where(day, ret_day - out, np.where(stay, clinic_stay, 0.0))
    clinic = np.where(ok, clinic, 0.0)
    if max_clinic_min is not None:
        clinic = np.minimum(clinic, stay_days * float(max_clinic_min))
    capacity = np.floor(patients_per_clinic_hour * clinic / 60.0 + 1e-9).astype(np.int64)
    return VisitOptions(
        stay_days=stay_days,
        travel_out_min=np.where(ok, out, np.inf),
        travel_back_min=np.where(ok, back_pick, np.inf),
        clinic_min=clinic,
        capacity=capacity,
    )
