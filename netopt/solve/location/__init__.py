r"""Discrete location models on a plain cost matrix: p-median, p-center, max-coverage.

``costs[i, j]`` is the cost (e.g. travel seconds) of serving demand i from candidate j;
``inf`` marks a forbidden pair, and ``max_cost`` forbids every pair above it. No geodata is
involved: :mod:`netopt.alliances` turns travel-time matrices into these arrays.

How the p-median is solved (uncapacitated):

1. greedy + vertex substitution (fast interchange) gives a plan and an upper bound UB;
2. a Lagrangian relaxation of the assignment rows gives a lower bound LB, and closes every
   candidate whose opening would push the Lagrangian bound above UB (and opens every
   candidate whose closing would) -- on OR-Library pmed16 this leaves 65 of 400 candidates;
3. the radius (sorted-distance) formulation of Elloumi (2010) / Garcia, Labbe & Marin (2011)
   on the remaining candidates, with only the distinct cost levels of each demand, chained
   so that the matrix has about n x m nonzeros, solved by OR-Tools' bundled HiGHS.

Beyond ``exact_nnz`` nonzeros (``method="auto"``) or with ``method="heuristic"``, step 3 is
skipped and the result reports the gap between the heuristic plan and the Lagrangian bound.
With capacities, a single-sourced x_ij / y_j model with strong linking rows is solved.
With ``soft_capacity=True`` (p-median, p-center) the capacities may overflow: the total
overflow is minimised first and the cost second, exactly, in two phases
(:mod:`~netopt.solve.location.soft`), so a plan exists whenever the beds cannot hold.

Every model takes one :class:`~netopt.solve.SolverParams` (``time_limit_s`` is wall-clock
here) and never raises on a time-out: the best plan found is returned with status
``"time_limit"`` (no plan at all when none was found in time).

Modules, one job each: :mod:`~netopt.solve.location.median`,
:mod:`~netopt.solve.location.center` and :mod:`~netopt.solve.location.coverage` (the three
models); :mod:`~netopt.solve.location.soft` (soft capacities, two phases) and ``_soft`` (its
MIP matrix, overflow measure and repair heuristic); ``_problem`` (argument checks and infeasibility prechecks), ``_outcome`` (building
the :class:`~netopt.solve.SolveResult`), ``_steps`` (one MIP step with the time left) and
``_reduction`` (Lagrangian fixing and probing).
"""

from netopt.solve.location._soft import capacity_overflow
from netopt.solve.location.center import p_center
from netopt.solve.location.cover import backup_coverage, set_covering
from netopt.solve.location.coverage import max_coverage
from netopt.solve.location.median import p_median
from netopt.solve.location.share import ShareMetric, ShareResult, ShareTarget, share_location

__all__ = [
    "ShareMetric",
    "ShareResult",
    "ShareTarget",
    "backup_coverage",
    "capacity_overflow",
    "max_coverage",
    "p_center",
    "p_median",
    "set_covering",
    "share_location",
]
