"""The maximal covering location problem: :func:`max_coverage`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from netopt.solve.location._outcome import infeasible_result, nearest, plan_result
from netopt.solve.location._problem import LocationProblem, precheck, validate_problem
from netopt.solve.location._steps import solve_assignment
from netopt.solve.location.median import uncapacitated_median
from netopt.solve.params import SolverParams
from netopt.solve.result import SolveResult

__all__ = ["max_coverage"]


def max_coverage(
    costs: np.ndarray,
    p: int,
    max_cost: float,
    *,
    weights: np.ndarray | None = None,
    capacities: np.ndarray | None = None,
    loads: np.ndarray | None = None,
    fixed: Sequence[int] = (),
    params: SolverParams = SolverParams(),
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
) -> SolveResult:
    r"""Open ``p`` candidates maximising the demand weight served within ``max_cost`` (MCLP).

    .. math::

        \max \sum_i w_i u_i \quad \text{s.t.} \quad u_i \le \sum_{j: c_{ij} \le T} y_j,\;
        \sum_j y_j = p,\; u_i \in [0, 1],\; y \in \{0, 1\}

    This is the p-median on the 0/1 matrix "not covered", solved the same way (greedy +
    interchange, Lagrangian reduction, radius MIP). With capacities, covered demands are
    single-sourced and their loads must fit (x_ij / y_j model with an "uncovered" slack).
    Covered demands are assigned to their cheapest open candidate within ``max_cost``;
    uncovered ones get ``-1``. ``objective`` is the covered weight and ``bound`` a proven
    upper bound on it.

    Parameters are those of :func:`p_median`; ``max_cost`` is the coverage standard T.

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import max_coverage
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> max_coverage(costs, 1, 3.0, weights=[1, 1, 5, 5]).objective
    10.0
    """
    start = time.perf_counter()
    prob = validate_problem(
        "max_coverage",
        costs,
        p,
        weights=weights,
        capacities=capacities,
        loads=loads,
        fixed=fixed,
        max_cost=max_cost,
        params=params,
    )
    time_limit, seed = params.time_limit_s, params.seed
    deadline = None if time_limit is None else start + time_limit
    found = precheck(prob, every_demand=False)
    if found is not None:
        return infeasible_result(prob, found[0], start, shortfall=found[1])
    cover = np.isfinite(prob.costs)
    total = float(prob.weights.sum())
    if prob.capacities is not None:
        zero = np.where(cover, 0.0, np.inf)
        res = solve_assignment(
            prob,
            start,
            deadline,
            seed,
            progress,
            solver,
            label="max_coverage",
            unassigned=prob.weights.copy(),
            objective_costs=zero,
        )
        if res.status == "infeasible":
            return res
        assign = res.assignment
    else:  # minimise the uncovered weight: a p-median on 0/1 costs
        miss = LocationProblem(
            np.where(cover, 0.0, 1.0), prob.weights, prob.p, prob.fixed, None, None
        )
        res = uncapacitated_median(miss, start, deadline, seed, progress, "auto", solver)
        assign = nearest(prob.costs, res.selected)
    covered = float(prob.weights[assign >= 0].sum())
    return plan_result(
        res.selected,
        assign,
        covered,
        total - res.bound,
        res.status,
        start,
        solver=res.solver,
        message=res.message,
        maximize=True,
    )
