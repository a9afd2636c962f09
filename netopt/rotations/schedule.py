"""The result of :func:`~netopt.rotations.schedule_rotations`: :class:`RotationSchedule`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from netopt._atomic import atomic_dir, atomic_path
from netopt.rotations.ics import calendar_text, safe_filename
from netopt.rotations.options import RotationOptions
from netopt.solve.params import SolverParams
from netopt.solve.status import stage_text

__all__ = ["COVERAGE_COLUMNS", "ROUTE_COLUMNS", "VISIT_COLUMNS", "RotationSchedule"]

#: Columns of :attr:`RotationSchedule.visits`, in order.
VISIT_COLUMNS: tuple[str, ...] = (
    "expert",
    "expert_name",
    "specialty",
    "date",
    "day",
    "site",
    "site_name",
    "lead",
    "travel_out_min",
    "travel_back_min",
    "clinic_hours",
    "expected_patients",
    "stay",
    "lodging_days",
    "tier",
)
#: Columns of :attr:`RotationSchedule.coverage`, in order.
COVERAGE_COLUMNS: tuple[str, ...] = (
    "site",
    "site_name",
    "specialty",
    "rhythm_days",
    "need_patients",
    "served_patients",
    "needed_visits",
    "delivered_visits",
    "shortfall",
    "max_gap_days",
    "tier",
)
#: Columns of :attr:`RotationSchedule.routes`, in order.
ROUTE_COLUMNS: tuple[str, ...] = ("origin", "site", "geometry")


def _no_routes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"origin": [], "site": []}, geometry=[], crs="EPSG:4326")


@dataclass(frozen=True, eq=False)
class RotationSchedule:
    """An expert rotation schedule and how well it covers the member sites.

    Attributes
    ----------
    visits : pandas.DataFrame
        One row per visit (:data:`VISIT_COLUMNS`): ``expert``, ``expert_name``,
        ``specialty``, ``date`` (:class:`datetime.date` of the first day), ``day`` (0-based),
        ``site``, ``site_name``, ``lead``, ``travel_out_min``, ``travel_back_min``,
        ``clinic_hours``, ``expected_patients``, ``stay`` (``"day trip"`` or
        ``"multi-day"``), ``lodging_days``, ``tier`` (``"partner->county"``: a partner
        hospital's expert holds a specialist clinic at a county lead it hosts;
        ``"county->township"``: an alliance's expert visits one of its member sites).
    coverage : pandas.DataFrame
        One row per (site, specialty) with a need (:data:`COVERAGE_COLUMNS`); ``max_gap_days``
        is the longest run of days without a visit (the rhythm holds iff it is below
        ``rhythm_days``, the partner rhythm at a hosted lead); ``shortfall`` is the fewest
        extra visits that would restore it; ``tier`` as in ``visits``.
    shortfalls : pandas.DataFrame
        The coverage rows with a shortfall, with a ``message`` column.
    patient_hours_saved : float
        Patient travel hours saved against no rotation (patients seen locally x saving).
    status, objective, bound, gap, seconds
        From the solver (objective in minutes; see :mod:`netopt.solve.rotation`).
    experts : pandas.DataFrame
        The experts as scheduled: ``name``, ``specialty``, ``home``, ``lead``, ``max_days``
        (outreach days in the horizon), ``available`` (tuple of dates).
    travel : pandas.DataFrame
        Visit options per (``origin``, ``site``): ``travel_out_min``, ``travel_back_min``,
        ``clinic_min``, ``stay_days`` (0 none, 1 day trip, more = stay), ``capacity``.
    settings : dict
        ``start_date``, ``horizon_days``, ``workday`` (start, end), ``min_clinic_hours``,
        ``max_clinic_hours``, ``patients_per_clinic_hour``, ``allow_stays``,
        ``lodging_days``, ``cross_alliance``, ``rhythm_days`` (per specialty),
        ``hosted_by`` (county lead -> partner, empty without a partner tier) and
        ``partner_rhythm_days`` (per specialty).
    first_solution_s : float
        Seconds to the first feasible schedule.
    message : str
    routes : geopandas.GeoDataFrame
        One row per (``origin``, ``site``) pair an expert travels (:data:`ROUTE_COLUMNS`):
        the expert's home facility, the visited site, and ``geometry``, a shapely
        LineString in lon/lat (EPSG:4326) along the travel graph when one was given, else
        a straight line. Drawing code reads it and never routes.
    options : RotationOptions
        The options scheduled, with the start date resolved.
    params : SolverParams
        The solver parameters used.
    """

    visits: pd.DataFrame
    coverage: pd.DataFrame
    shortfalls: pd.DataFrame
    patient_hours_saved: float
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    experts: pd.DataFrame = field(default_factory=pd.DataFrame)
    travel: pd.DataFrame = field(default_factory=pd.DataFrame)
    settings: dict[str, Any] = field(default_factory=dict)
    first_solution_s: float = math.nan
    message: str = ""
    routes: pd.DataFrame = field(default_factory=_no_routes)
    options: RotationOptions = field(default_factory=RotationOptions)
    params: SolverParams = field(default_factory=SolverParams)

    def summary(self) -> str:
        """One line: visits, patients, hours saved, shortfall, solver status.

        Returns
        -------
        str
        """
        return (
            f"{len(self.visits)} visits, {self.visits['expected_patients'].sum():,.0f} patients "
            f"seen locally, {self.patient_hours_saved:,.0f} patient-hours saved, shortfall "
            f"{int(self.coverage['shortfall'].sum())} visits; {stage_text(self)}"
        )

    def to_csv(self, path: str | Path) -> Path:
        """Write the visits as CSV (UTF-8, atomically).

        Parameters
        ----------
        path : str or pathlib.Path

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        with atomic_path(path) as tmp:
            self.visits.to_csv(tmp, index=False, encoding="utf-8")
        return path

    def to_ics(self, folder: str | Path) -> list[Path]:
        """Write one iCalendar (RFC 5545) file per expert with visits: ``<expert>.ics``.

        Events use floating local times (the working day of :attr:`settings`); a multi-day
        stay is one event from the first morning to the last evening. Lines end in CRLF,
        text is escaped and long lines are folded at 75 octets. ``DTSTAMP`` is the start
        date at 00:00 UTC, so the same schedule always gives the same files.

        Parameters
        ----------
        folder : str or pathlib.Path
            Created if missing; replaced atomically.

        Returns
        -------
        list of pathlib.Path
        """
        folder = Path(folder)
        st = self.settings
        written: list[str] = []
        with atomic_dir(folder) as tmp:
            for expert, rows in self.visits.groupby("expert", sort=True):
                name = f"{safe_filename(str(expert))}.ics"
                text = calendar_text(
                    str(expert), rows, workday=st["workday"], start_date=st["start_date"]
                )
                (tmp / name).write_bytes(text.encode("utf-8"))
                written.append(name)
        return [folder / n for n in written]
