"""The p-center: :func:`p_center`, by bisection over the radii with covering MIPs."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from netopt.solve import _heuristics as heur
from netopt.solve._mip import MipOutcome
from netopt.solve._models import assignment_model, radius_median
from netopt.solve.location._outcome import (
    infeasible_result,
    nearest,
    no_plan_result,
    plan_result,
)
from netopt.solve.location._problem import (
    LocationProblem,
    Progress,
    precheck,
    say,
    validate_problem,
)
from netopt.solve.location._steps import assignment_plan, run_mip
from netopt.solve.location.soft import solve_soft
from netopt.solve.params import SolverParams
from netopt.solve.result import SolveResult

__all__ = ["p_center"]


def p_center(
    costs: np.ndarray,
    p: int,
    *,
    weights: np.ndarray | None = None,
    capacities: np.ndarray | None = None,
    loads: np.ndarray | None = None,
    fixed: Sequence[int] = (),
    max_cost: float | None = None,
    params: SolverParams = SolverParams(),
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
    soft_capacity: bool = False,
) -> SolveResult:
    r"""Open ``p`` candidates minimising the worst weighted cost ``max_i w_i c_{i,a(i)}``.

    .. math::

        \min r \quad \text{s.t.} \quad \sum_{j: w_i c_{ij} \le r} x_{ij} = 1,\;
        x_{ij} \le y_j,\; \sum_j y_j = p,\; \sum_i \ell_i x_{ij} \le Q_j y_j

    Solved by bisection over the distinct values of ``w_i c_ij`` between a lower bound
    (every demand's cheapest candidate) and a farthest-first + interchange plan; each step
    is a covering (or capacitated assignment) feasibility MIP. Among the plans with the
    optimal radius, demands are assigned to their cheapest open candidate (uncapacitated).

    Parameters and result are those of :func:`p_median` (``weights`` multiply the costs;
    ``objective`` is the radius; ``soft_capacity=True``: the least total overflow first,
    then the smallest radius, see :mod:`netopt.solve.location.soft`). When the time limit
    stops the bisection, ``bound`` is the smallest radius not yet proven infeasible and the
    best plan found is returned.

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import p_center
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> p_center(costs, 2).objective
    3.0
    """
    start = time.perf_counter()
    prob = validate_problem(
        "p_center",
        costs,
        p,
        weights=weights,
        capacities=capacities,
        loads=loads,
        fixed=fixed,
        max_cost=max_cost,
        params=params,
        soft_capacity=soft_capacity,
    )
    time_limit, seed = params.time_limit_s, params.seed
    deadline = None if time_limit is None else start + time_limit
    plain = dataclasses.replace(prob, loads=None, capacities=None)
    found = precheck(plain if soft_capacity else prob)
    if found is not None:
        return infeasible_result(prob, found[0], start, shortfall=found[1])
    if soft_capacity:
        limit = None if time_limit is None else max(0.5, 0.3 * time_limit)
        relaxed = p_center(
            prob.costs, prob.p, weights=prob.weights, fixed=prob.fixed.tolist(),
            params=SolverParams(time_limit_s=limit, seed=seed), solver=solver,
        )  # fmt: skip
        return solve_soft(
            prob, relaxed, center=True, start=start, deadline=deadline, seed=seed,
            progress=progress, solver=solver,
        )  # fmt: skip
    wcost = prob.costs * prob.weights[:, None]
    wcost = np.where(np.isfinite(prob.costs), np.nan_to_num(wcost, nan=0.0), np.inf)
    radii = np.unique(wcost[np.isfinite(wcost)])
    low_val = float(np.max(np.min(wcost, axis=1)))
    lo = int(np.searchsorted(radii, low_val))  # radii[:lo] are infeasible
    best_sel, best_assign, hi = None, None, len(radii)
    if prob.capacities is None:
        pen, _ = heur.penalised(wcost, np.ones(len(wcost)))
        sel = heur.interchange_center(pen, heur.greedy_center(pen, prob.p, prob.fixed), prob.fixed)
        radius = float(pen[:, sel].min(axis=1).max())
        if np.isfinite(radius) and radius in radii:
            best_sel, best_assign = sel, nearest(wcost, sel)
            hi = int(np.searchsorted(radii, radius))
            say(progress, f"p_center: heuristic radius {radius:,.6g}, lower bound {low_val:,.6g}")
    timed_out = False
    if best_sel is None:  # no heuristic plan: try the largest radius (every allowed pair)
        hi = len(radii) - 1
        outcome = _cover(prob, wcost, deadline, seed, progress, solver)
        if outcome is None:
            timed_out = True
        elif outcome is not False:
            best_sel, best_assign = outcome
    while best_sel is not None and lo < hi:
        mid = (lo + hi) // 2
        sub = np.where(wcost <= radii[mid], wcost, np.inf)
        outcome = _cover(prob, sub, deadline, seed, progress, solver)
        if outcome is None:
            timed_out = True
            break
        if outcome is False:
            lo = mid + 1
        else:
            best_sel, best_assign = outcome
            hi = mid
    if best_sel is None and timed_out:
        return no_plan_result(
            prob, start, MipOutcome("time_limit", None, np.nan, radii[lo], 0.0), solver
        )
    if best_sel is None:
        msg = f"no set of {prob.p} candidates serves every demand within the capacities"
        return infeasible_result(prob, msg, start, solver=solver)
    objective = float(wcost[np.arange(len(wcost)), best_assign].max())
    bound = float(radii[lo]) if lo < len(radii) else objective
    status = "optimal" if not timed_out else "time_limit"
    return plan_result(
        best_sel,
        best_assign,
        objective,
        bound,
        status,
        start,
        solver=f"bisection + {solver} covering MIP",
    )


def _cover(
    prob: LocationProblem,
    sub: np.ndarray,
    deadline: float | None,
    seed: int,
    progress: Progress,
    solver: str,
) -> tuple[np.ndarray, np.ndarray] | bool | None:
    """Is there a plan of p candidates serving everyone on the finite pairs of ``sub``?

    Returns (selected, assignment), False (proven impossible), or None (out of time).
    """
    n, m = sub.shape
    open_lb = np.zeros(m)
    open_lb[prob.fixed] = 1.0
    if np.isinf(sub).all(axis=1).any():
        return False
    if prob.capacities is None:
        model = radius_median(
            np.where(np.isfinite(sub), 0.0, np.inf), np.ones(n), prob.p, open_lb=open_lb
        )
    else:
        model = assignment_model(
            np.where(np.isfinite(sub), 0.0, np.inf),
            np.ones(n),
            p=prob.p,
            open_lb=open_lb,
            loads=prob.loads,
            capacities=prob.capacities,
        )
    if deadline is not None and deadline - time.perf_counter() <= 0:
        return None
    out = run_mip(model, deadline, seed, progress, solver, "p_center")
    if out.status == "infeasible":
        return False
    if out.values is None:
        return None
    if prob.capacities is None:
        selected = np.flatnonzero(out.values[:m] > 0.5)
        return selected, nearest(sub, selected)
    return assignment_plan(model, out.values, n)
