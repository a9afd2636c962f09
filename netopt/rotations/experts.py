"""The experts as scheduled: home, alliance, outreach-day limit and available dates."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import pandas as pd

from netopt._errors import DataError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from netopt.alliances import AlliancePlan

__all__ = ["EXPERT_COLUMNS", "experts_table"]

#: Columns of the experts table (index ``id``).
EXPERT_COLUMNS: tuple[str, ...] = ("name", "specialty", "home", "lead", "max_days", "available")

_REQUIRED = ("name", "home_facility", "specialty", "weekdays", "max_days_per_month")


def experts_table(
    plan: AlliancePlan, experts: pd.DataFrame, start: dt.date, horizon_days: int
) -> pd.DataFrame:
    """Experts with their lead, outreach-day limit and available dates (validated).

    Parameters
    ----------
    plan : AlliancePlan
        Gives each home facility its alliance (``plan.facilities["lead"]``).
    experts : pandas.DataFrame
        Like :attr:`Region.experts` (``name``, ``home_facility``, ``specialty``,
        ``weekdays``, ``max_days_per_month``; optional ``dates``: available dates,
        overriding the weekdays; optional ``max_days``: outreach days in the horizon,
        replacing ``max_days_per_month``).
    start : datetime.date
        First day of the horizon.
    horizon_days : int

    Returns
    -------
    pandas.DataFrame
        :data:`EXPERT_COLUMNS`, index ``id``. ``max_days_per_month`` becomes
        ``ceil(m * horizon_days / 31)``.

    Raises
    ------
    DataError
        A column missing, or a home facility that is not a facility of the plan (every
        such record named).
    """
    problems: list[Problem] = []
    for col in _REQUIRED:
        if col not in experts.columns and not (
            col == "max_days_per_month" and "max_days" in experts
        ):
            problems.append(
                Problem("experts", "", col, "column missing", "give the columns of Region.experts")
            )
    if problems:
        raise DataError(problems)
    fac = plan.facilities
    dates = [start + dt.timedelta(days=d) for d in range(horizon_days)]
    rows = []
    for eid, r in experts.iterrows():
        home = r["home_facility"]
        if home not in fac.index:
            problems.append(
                Problem(
                    "experts",
                    str(eid),
                    "home_facility",
                    f"{home!r} is not a facility of the plan",
                    "use a facility id of the region",
                )
            )
            continue
        lead = fac.at[home, "lead"]
        rows.append(
            {
                "id": eid,
                "name": r["name"],
                "specialty": r["specialty"],
                "home": home,
                "lead": lead if pd.notna(lead) else None,
                "max_days": _max_days(r, experts, horizon_days),
                "available": _available(r, experts, dates),
            }
        )
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows, columns=["id", *EXPERT_COLUMNS]).set_index("id")


def _available(r: pd.Series, experts: pd.DataFrame, dates: list[dt.date]) -> tuple[dt.date, ...]:
    """The expert's dates in the horizon: the ``dates`` given, else the weekdays."""
    given = r.get("dates") if "dates" in experts.columns else None
    if given is not None and not (isinstance(given, float) and math.isnan(given)) and len(given):
        want = {pd.Timestamp(x).date() for x in given}
        return tuple(d for d in dates if d in want)
    wd = {int(w) for w in (r["weekdays"] or ())}
    return tuple(d for d in dates if d.weekday() in wd)


def _max_days(r: pd.Series, experts: pd.DataFrame, horizon_days: int) -> int:
    """Outreach days in the horizon: ``max_days``, else the monthly limit pro rata."""
    if "max_days" in experts.columns and pd.notna(r.get("max_days")):
        return int(r["max_days"])
    return math.ceil(float(r["max_days_per_month"]) * horizon_days / 31.0 - 1e-9)
