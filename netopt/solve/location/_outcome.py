"""Building the :class:`~netopt.solve.SolveResult` of a location model.

One constructor per outcome: a plan (:func:`plan_result`, which tightens the bound to the
objective and upgrades a zero gap to "optimal"), a proven infeasibility
(:func:`infeasible_result`) and a time limit reached before any plan (:func:`no_plan_result`).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from netopt.solve._mip import MipOutcome
from netopt.solve.location._problem import TOL, LocationProblem
from netopt.solve.result import SolveResult

__all__ = ["infeasible_result", "nearest", "no_plan_result", "plan_result", "relative_gap"]

logger = logging.getLogger(__name__)


def infeasible_result(
    prob: LocationProblem,
    message: str,
    start: float,
    *,
    shortfall: float = 0.0,
    solver: str = "precheck",
) -> SolveResult:
    """A proven infeasibility: no plan, every demand unassigned, the reason in ``message``."""
    logger.info("infeasible: %s", message)
    return SolveResult(
        selected=np.zeros(0, np.int64),
        assignment=np.full(len(prob.costs), -1, np.int64),
        objective=np.nan,
        bound=np.nan,
        gap=np.nan,
        status="infeasible",
        seconds=time.perf_counter() - start,
        message=message,
        shortfall=shortfall,
        solver=solver,
    )


def no_plan_result(
    prob: LocationProblem, start: float, out: MipOutcome, solver: str
) -> SolveResult:
    """The limit stopped the MIP before any plan was found."""
    return SolveResult(
        selected=np.zeros(0, np.int64),
        assignment=np.full(len(prob.costs), -1, np.int64),
        objective=np.nan,
        bound=float(out.bound),
        gap=np.nan,
        status="time_limit",
        seconds=time.perf_counter() - start,
        message=f"no plan found within the time limit ({out.message})",
        solver=solver,
    )


def relative_gap(objective: float, bound: float) -> float:
    """``|objective - bound| / max(|objective|, 1e-9)``; nan without a finite objective."""
    if not np.isfinite(objective):
        return np.nan
    return max(0.0, abs(objective - bound)) / max(abs(objective), 1e-9)


def nearest(costs: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """Cheapest selected candidate per demand (ties to the lowest index); -1 if all forbidden."""
    sub = costs[:, selected]
    pick = selected[np.argmin(sub, axis=1)]
    return np.where(np.isfinite(sub).any(axis=1), pick, -1)


def plan_result(
    selected: np.ndarray,
    assignment: np.ndarray,
    objective: float,
    bound: float,
    status: str,
    start: float,
    *,
    message: str = "",
    solver: str = "",
    maximize: bool = False,
) -> SolveResult:
    """A plan; the bound is clipped to the objective and a zero gap makes it "optimal"."""
    if maximize:
        bound = max(bound, objective)
    else:
        bound = min(bound, objective)
    gap = relative_gap(objective, bound)
    if status in ("feasible", "time_limit") and gap <= TOL:
        status = "optimal"
    return SolveResult(
        selected=np.sort(np.asarray(selected, np.int64)),
        assignment=np.asarray(assignment, np.int64),
        objective=float(objective),
        bound=float(bound),
        gap=0.0 if status == "optimal" else gap,
        status=status,
        seconds=time.perf_counter() - start,
        message=message,
        solver=solver,
    )
