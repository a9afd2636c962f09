"""One MIP step of a location model: build, solve with the time left, read the plan back.

:func:`run_mip` solves a :class:`~netopt.solve._models.Model` with the time left before the
deadline (reporting progress); :func:`solve_assignment` solves the single-sourced x_ij / y_j
model and turns the solution into a :class:`~netopt.solve.SolveResult`.
"""

from __future__ import annotations

import time

import numpy as np

from netopt.solve._mip import MipOutcome, solve_mip
from netopt.solve._models import Model, assignment_model
from netopt.solve.location._outcome import infeasible_result, no_plan_result, plan_result
from netopt.solve.location._problem import LocationProblem, Progress, say
from netopt.solve.result import SolveResult

__all__ = ["assignment_plan", "remaining_s", "run_mip", "solve_assignment"]


def remaining_s(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (a ``time.perf_counter()`` value), at least 0.5."""
    return None if deadline is None else max(0.5, deadline - time.perf_counter())


def run_mip(
    model: Model,
    deadline: float | None,
    seed: int,
    progress: Progress,
    solver: str,
    label: str,
    *,
    hint: np.ndarray | None = None,
    maximize: bool = False,
    integral: bool | None = None,
) -> MipOutcome:
    """Solve ``model`` with the time left before ``deadline``; report size and outcome."""
    say(
        progress,
        f"{label}: MIP with {model.matrix.shape[0]:,} rows, "
        f"{model.matrix.shape[1]:,} columns, {model.matrix.nnz:,} nonzeros",
    )
    out = solve_mip(
        model.matrix,
        model.row_lb,
        model.row_ub,
        model.var_lb,
        model.var_ub,
        model.objective,
        model.integer,
        offset=model.offset,
        maximize=maximize,
        solver=solver,
        time_limit=remaining_s(deadline),
        seed=seed,
        hint=hint,
        progress=progress,
        label=label,
        integral=integral,
    )
    say(
        progress,
        f"{label}: MIP {out.status} {out.message[:300]} in {out.seconds:.1f} s, objective "
        f"{out.objective:,.6g}, bound {out.bound:,.6g}",
    )
    return out


def solve_assignment(
    prob: LocationProblem,
    start: float,
    deadline: float | None,
    seed: int,
    progress: Progress,
    solver: str,
    *,
    label: str,
    unassigned: np.ndarray | None = None,
    objective_costs: np.ndarray | None = None,
) -> SolveResult:
    """Solve the single-sourced x/y model; read back plan, objective and bound."""
    c = prob.costs if objective_costs is None else objective_costs
    open_lb = np.zeros(c.shape[1])
    open_lb[prob.fixed] = 1.0
    model = assignment_model(
        c,
        prob.weights,
        p=prob.p,
        open_lb=open_lb,
        loads=prob.loads,
        capacities=prob.capacities,
        unassigned_cost=unassigned,
    )
    out = run_mip(model, deadline, seed, progress, solver, label)
    if out.status == "infeasible":
        return infeasible_result(
            prob,
            f"no single-sourced assignment fits the capacities with {prob.p} candidates "
            "(the total fits, but not the individual loads on allowed pairs)",
            start,
            solver=solver,
        )
    if out.values is None:
        return no_plan_result(prob, start, out, solver)
    selected, assign = assignment_plan(model, out.values, c.shape[0])
    status = {"optimal": "optimal"}.get(out.status, "time_limit")
    done = np.flatnonzero(assign >= 0)
    objective = float((prob.weights[done] * c[done, assign[done]]).sum())
    if unassigned is not None:
        objective += float(unassigned[assign < 0].sum())
    return plan_result(
        selected,
        assign,
        objective,
        out.bound,
        status,
        start,
        solver=f"{solver} assignment MIP",
        message=out.message,
    )


def assignment_plan(model: Model, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Open candidates and single-sourced assignment (-1: unassigned) of an x_ij / y_j solution."""
    assert model.pairs is not None
    m = model.m
    ii, jj = model.pairs
    chosen = values[m : m + len(ii)] > 0.5
    assign = np.full(n, -1, np.int64)
    assign[ii[chosen]] = jj[chosen]
    return np.flatnonzero(values[:m] > 0.5), assign
