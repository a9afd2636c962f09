"""Plan hospital alliances: choose lead hospitals, assign members and residents.

:func:`plan_alliances` turns a :class:`~netopt.region.Region` and its
:class:`~netopt.graph.TravelGraph` into an :class:`AlliancePlan`, on top of the array solvers
in :mod:`netopt.solve`; :class:`AllianceOptions` says what is optimised (its docstring
states the two-level model and its mathematics) and :class:`~netopt.solve.SolverParams` how
long and with which seed.

Modules: :mod:`~netopt.alliances.options` (the options), :mod:`~netopt.alliances.travel`
(the zone x facility matrix), :mod:`~netopt.alliances.area` (the planning area: who is
inside), :mod:`~netopt.alliances.leads` (candidates, fixed and today's leads),
:mod:`~netopt.alliances.members` (zones aggregated to member facilities),
:mod:`~netopt.alliances.locate` (the location model and its relaxations),
:mod:`~netopt.alliances.tables` (the plan's tables), :mod:`~netopt.alliances.choice` (the
plan's choice set for the patient flows), :mod:`~netopt.alliances.flow_options` and
:mod:`~netopt.alliances.upgrades` (the flow model's options and the upgrade decision for
targets on where care happens), :mod:`~netopt.alliances.plan` (the result) and
:mod:`~netopt.alliances.planner` (:func:`plan_alliances`).
"""

from netopt.alliances.evaluate import evaluate_plan
from netopt.alliances.flow_options import FlowOptions
from netopt.alliances.options import OBJECTIVES, AllianceOptions
from netopt.alliances.plan import AlliancePlan
from netopt.alliances.planner import plan_alliances
from netopt.alliances.tables import assignments_table
from netopt.alliances.travel import zone_facility_seconds

__all__ = [
    "OBJECTIVES",
    "AllianceOptions",
    "AlliancePlan",
    "FlowOptions",
    "assignments_table",
    "evaluate_plan",
    "plan_alliances",
    "zone_facility_seconds",
]
