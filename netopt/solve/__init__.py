"""Solver core: location models on plain numpy cost matrices (no geodata).

:func:`p_median`, :func:`p_center` and :func:`max_coverage` take ``costs[i, j]`` (cost of
serving demand i from candidate j, ``inf`` = forbidden) and return a :class:`SolveResult`.
They are built on OR-Tools (its model builder with the bundled HiGHS or SCIP).
"""

from netopt.solve.location import max_coverage, p_center, p_median
from netopt.solve.result import SolveResult

__all__ = ["SolveResult", "max_coverage", "p_center", "p_median"]
