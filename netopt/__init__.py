"""netopt: plan hospital alliances on travel-time graphs with roads and island ferries.

The flow, one way only::

    load_region -> Region -> build_graph -> TravelGraph -> travel_times -> TravelTimes
    -> plan_alliances -> AlliancePlan -> schedule_rotations -> RotationSchedule

A :class:`Scenario` (TOML) strings these together into a :class:`Result` that
:mod:`netopt.maps` and :mod:`netopt.report` draw.
"""

from netopt import graph, kpis, maps, solve
from netopt._errors import (
    DataError,
    InfeasibleError,
    NetoptError,
    NetoptWarning,
    Problem,
    SolverError,
)
from netopt._version import __version__
from netopt.alliances import AllianceOptions, AlliancePlan, plan_alliances
from netopt.costs import CostBreakdown, Costs, cost_breakdown
from netopt.diagnosis import DiagnosisOptions, plan_courier, plan_diagnosis
from netopt.graph import (
    GraphOptions,
    TravelGraph,
    TravelTimes,
    build_graph,
    route,
    travel_times,
)
from netopt.hosting import HostingOptions, plan_hosting
from netopt.io import load_region, save_region
from netopt.kpis import KPIS, Rates, plan_kpis
from netopt.maps import alliance_map, compare_map, save_map
from netopt.region import Region
from netopt.rotations import (
    RotationOptions,
    RotationSchedule,
    schedule_rotations,
    validate_schedule,
)
from netopt.scenario import Result, Scenario, compare, run, run_all, sweep
from netopt.solve import SolverParams
from netopt.validate import validate_region

__all__ = [
    "KPIS",
    "AllianceOptions",
    "AlliancePlan",
    "CostBreakdown",
    "Costs",
    "DataError",
    "DiagnosisOptions",
    "GraphOptions",
    "HostingOptions",
    "InfeasibleError",
    "NetoptError",
    "NetoptWarning",
    "Problem",
    "Rates",
    "Region",
    "Result",
    "RotationOptions",
    "RotationSchedule",
    "Scenario",
    "SolverError",
    "SolverParams",
    "TravelGraph",
    "TravelTimes",
    "__version__",
    "alliance_map",
    "build_graph",
    "compare",
    "compare_map",
    "cost_breakdown",
    "graph",
    "kpis",
    "load_region",
    "maps",
    "plan_alliances",
    "plan_courier",
    "plan_diagnosis",
    "plan_hosting",
    "plan_kpis",
    "route",
    "run",
    "run_all",
    "save_map",
    "save_region",
    "schedule_rotations",
    "solve",
    "sweep",
    "travel_times",
    "validate_region",
    "validate_schedule",
]
