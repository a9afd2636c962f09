"""netopt: plan hospital alliances on travel-time graphs with roads and island ferries.

The flow, one way only::

    load_region -> Region -> build_graph -> TravelGraph -> travel_times -> TravelTimes
    -> plan_alliances -> AlliancePlan -> schedule_rotations -> RotationSchedule

A :class:`Scenario` (TOML) strings these together into a :class:`Result` that
:mod:`netopt.maps` and :mod:`netopt.report` draw.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("netopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

from netopt import graph, kpis, maps, solve
from netopt._errors import (
    DataError,
    InfeasibleError,
    NetoptError,
    NetoptWarning,
    Problem,
    SolverError,
)
from netopt.alliances import AlliancePlan, plan_alliances
from netopt.graph import (
    GraphOptions,
    TravelGraph,
    TravelTimes,
    build_graph,
    route,
    travel_times,
)
from netopt.io import load_region, save_region
from netopt.kpis import Rates
from netopt.maps import alliance_map, compare_map, save_map
from netopt.region import Region
from netopt.rotations import RotationSchedule, schedule_rotations, validate_schedule
from netopt.scenario import Result, Scenario, compare, run
from netopt.validate import validate_region

__all__ = [
    "AlliancePlan",
    "DataError",
    "GraphOptions",
    "InfeasibleError",
    "NetoptError",
    "NetoptWarning",
    "Problem",
    "Rates",
    "Region",
    "Result",
    "RotationSchedule",
    "Scenario",
    "SolverError",
    "TravelGraph",
    "TravelTimes",
    "__version__",
    "alliance_map",
    "build_graph",
    "compare",
    "compare_map",
    "graph",
    "kpis",
    "load_region",
    "maps",
    "plan_alliances",
    "route",
    "run",
    "save_map",
    "save_region",
    "schedule_rotations",
    "solve",
    "travel_times",
    "validate_region",
    "validate_schedule",
]
