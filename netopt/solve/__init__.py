"""Solver core: location models on plain numpy cost matrices (no geodata).

:func:`p_median`, :func:`p_center` and :func:`max_coverage` take ``costs[i, j]`` (cost of
serving demand i from candidate j, ``inf`` = forbidden) and return a :class:`SolveResult`.
With ``capacities`` and ``soft_capacity=True`` the p-median and p-center minimise the total
overflow above capacity first and the cost second (:mod:`netopt.solve.location.soft`);
:func:`capacity_overflow` measures a plan's overflow per candidate.
They are built on OR-Tools (its model builder with the bundled HiGHS or SCIP). The rotation
model (CP-SAT) lives in :mod:`netopt.solve.rotation`. Every solve takes one
:class:`SolverParams` and reports a status from :data:`STATUSES`.
"""

from netopt.solve.location import capacity_overflow, max_coverage, p_center, p_median
from netopt.solve.location.cover import backup_coverage, set_covering
from netopt.solve.location.facility import fixed_charge_location
from netopt.solve.location.share import ShareMetric, ShareResult, ShareTarget, share_location
from netopt.solve.params import SolverParams
from netopt.solve.result import SolveResult
from netopt.solve.routing import RoutingResult, courier_routes
from netopt.solve.status import STATUSES

__all__ = [
    "STATUSES",
    "RoutingResult",
    "ShareMetric",
    "ShareResult",
    "ShareTarget",
    "SolveResult",
    "SolverParams",
    "backup_coverage",
    "capacity_overflow",
    "courier_routes",
    "fixed_charge_location",
    "max_coverage",
    "p_center",
    "p_median",
    "set_covering",
    "share_location",
]
