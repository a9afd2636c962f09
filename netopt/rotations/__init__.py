"""Expert outreach rotations: who visits which member site on which day.

:func:`schedule_rotations` turns an :class:`~netopt.alliances.AlliancePlan`, its
:class:`~netopt.graph.TravelGraph` and the region's experts into a :class:`RotationSchedule`,
on top of the CP-SAT model in :mod:`netopt.solve.rotation` (see its docstring for the
mathematics); :class:`RotationOptions` holds the scheduling choices and
:class:`~netopt.solve.params.SolverParams` the solver's. :func:`validate_schedule` re-checks
every hard constraint on an output with independent code.

Rotations span tiers in one schedule: with :attr:`RotationOptions.hosted_by` (county lead ->
partner hospital) the partner's experts hold specialist clinics at the leads it hosts
(:data:`PARTNER_TIER`, rhythm ``partner_rhythm_days``) while county experts visit their
member sites (:data:`COUNTY_TIER`); the ``tier`` column of the tables says which.

Modules: ``options`` (:class:`RotationOptions`), ``experts`` (the experts as scheduled),
``needs`` (need per site and specialty, patient saving), ``travel`` (travel minutes, visit
options, route lines), ``planner`` (:func:`schedule_rotations`), ``tables`` (solver arrays
to tables), ``schedule`` (:class:`RotationSchedule`), ``ics`` (iCalendar text), ``check``
(:func:`validate_schedule`).
"""

from netopt.rotations.check import validate_schedule
from netopt.rotations.needs import (
    COUNTY_TIER,
    DEFAULT_OTHER_RATE,
    DEFAULT_VISIT_RATES,
    PARTNER_TIER,
    site_needs,
)
from netopt.rotations.options import RotationOptions
from netopt.rotations.planner import schedule_rotations
from netopt.rotations.schedule import (
    COVERAGE_COLUMNS,
    ROUTE_COLUMNS,
    VISIT_COLUMNS,
    RotationSchedule,
)
from netopt.rotations.travel import rotation_travel

__all__ = [
    "COUNTY_TIER",
    "COVERAGE_COLUMNS",
    "DEFAULT_OTHER_RATE",
    "DEFAULT_VISIT_RATES",
    "PARTNER_TIER",
    "ROUTE_COLUMNS",
    "VISIT_COLUMNS",
    "RotationOptions",
    "RotationSchedule",
    "rotation_travel",
    "schedule_rotations",
    "site_needs",
    "validate_schedule",
]
