"""The p-median: :func:`p_median` (uncapacitated and capacitated).

See :mod:`netopt.solve.location` for the method (heuristic, Lagrangian reduction, radius MIP).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from netopt.solve import _heuristics as heur
from netopt.solve._models import radius_hint, radius_median
from netopt.solve.location._outcome import (
    infeasible_result,
    nearest,
    no_plan_result,
    plan_result,
    relative_gap,
)
from netopt.solve.location._problem import (
    TOL,
    LocationProblem,
    Progress,
    precheck,
    say,
    validate_problem,
)
from netopt.solve.location._reduction import lagrangian_fixing, probe
from netopt.solve.location._steps import run_mip, solve_assignment
from netopt.solve.location.soft import solve_soft
from netopt.solve.params import SolverParams
from netopt.solve.result import SolveResult

__all__ = ["p_median", "uncapacitated_median"]

_EXACT_NNZ = 2_000_000


def p_median(
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
    method: str = "auto",
    solver: str = "highs",
    soft_capacity: bool = False,
) -> SolveResult:
    r"""Open ``p`` candidates minimising the weighted total cost of serving every demand.

    .. math::

        \min \sum_i \sum_j w_i c_{ij} x_{ij} \quad \text{s.t.} \quad \sum_j x_{ij} = 1,\;
        x_{ij} \le y_j,\; \sum_j y_j = p,\; \sum_i \ell_i x_{ij} \le Q_j y_j,\;
        x, y \in \{0, 1\}

    Without capacities the equivalent radius formulation is solved (module docstring).

    Parameters
    ----------
    costs : numpy.ndarray
        ``(n_demands, n_candidates)`` cost matrix, >= 0; ``inf`` forbids a pair.
    p : int
        Number of candidates to open (``len(fixed) <= p <= n_candidates``).
    weights : numpy.ndarray, optional
        Demand weights ``w_i`` (default 1).
    capacities, loads : numpy.ndarray, optional
        Candidate capacities ``Q_j`` and demand loads ``l_i``; single-sourced. Give both or neither.
    fixed : sequence of int
        Candidates that must be open (they count toward ``p``). ``p == len(fixed)`` only
        assigns the demands (evaluation of a given plan, capacities still respected).
    max_cost : float, optional
        Pairs costing more are forbidden.
    params : SolverParams, optional
        ``time_limit_s``: wall-clock seconds for the whole solve (None: no limit); enforced
        (the MIP runs in a child process that is stopped if the solver overruns), the best
        plan found is returned. ``seed``: random seed of the MIP solver; the same seed gives
        the same result. ``deterministic`` and ``workers`` do not apply (single-threaded).
    progress : callable, optional
        Receives one-line progress messages (also logged at INFO).
    method : {"auto", "exact", "heuristic"}
        "heuristic" skips the MIP (greedy + interchange plan, Lagrangian bound); "auto" does
        so only when the reduced MIP would exceed 2 million nonzeros.
    solver : {"highs", "scip"}
        OR-Tools backend of the MIP.
    soft_capacity : bool, default False
        With ``capacities``: let a candidate's load exceed its capacity, the total overflow
        minimised first and the cost second (lexicographic, exact: two phases, see
        :mod:`netopt.solve.location.soft`). Equal to the hard model's optimum whenever the
        capacities can hold; otherwise a plan with the least total overflow instead of
        "infeasible". ``shortfall`` is then the plan's total overflow, and a time-out
        always returns a plan (a heuristic one first).

    Returns
    -------
    SolveResult
        ``status`` "infeasible" (with ``message`` and ``shortfall``) instead of an exception
        when no plan exists.

    Raises
    ------
    netopt.DataError
        For malformed arguments (every problem listed).

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import p_median
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> r = p_median(costs, 2)
    >>> r.selected.tolist(), r.objective, r.status
    ([0, 2], 4.0, 'optimal')
    """
    start = time.perf_counter()
    prob = validate_problem(
        "p_median",
        costs,
        p,
        weights=weights,
        capacities=capacities,
        loads=loads,
        fixed=fixed,
        max_cost=max_cost,
        params=params,
        method=method,
        soft_capacity=soft_capacity,
    )
    time_limit, seed = params.time_limit_s, params.seed
    deadline = None if time_limit is None else start + time_limit
    plain = dataclasses.replace(prob, loads=None, capacities=None)
    found = precheck(plain if soft_capacity else prob)
    if found is not None:
        return infeasible_result(prob, found[0], start, shortfall=found[1])
    if soft_capacity:
        early = None if deadline is None else start + 0.3 * (deadline - start)
        relaxed = uncapacitated_median(plain, start, early, seed, None, "auto", solver)
        return solve_soft(
            prob, relaxed, center=False, start=start, deadline=deadline, seed=seed,
            progress=progress, solver=solver,
        )  # fmt: skip
    if prob.capacities is not None:
        return _capacitated_median(prob, start, deadline, seed, progress, solver)
    return uncapacitated_median(prob, start, deadline, seed, progress, method, solver)


def uncapacitated_median(
    prob: LocationProblem,
    start: float,
    deadline: float | None,
    seed: int,
    progress: Progress,
    method: str,
    solver: str,
) -> SolveResult:
    c, w, p, fixed = prob.costs, prob.weights, prob.p, prob.fixed
    n, m = c.shape
    wc, penalty = heur.penalised(c, w)
    if p == len(fixed):
        assign = nearest(c, fixed)
        lonely = np.flatnonzero(assign < 0)
        if len(lonely):
            return infeasible_result(
                prob,
                f"{len(lonely)} demand(s) have no allowed pair with the fixed candidates: "
                f"indices {lonely[:20].tolist()}",
                start,
                solver="assignment",
            )
        value = float(wc[np.arange(n), assign].sum())
        return plan_result(fixed, assign, value, value, "optimal", start, solver="assignment")
    greedy = heur.greedy_median(wc, p, fixed)
    selected = heur.interchange_median(wc, greedy, fixed, deadline=deadline)
    upper = float(wc[:, selected].min(axis=1).sum())
    covered = upper < penalty
    say(
        progress,
        f"p_median: greedy + interchange plan {upper:,.6g}"
        if covered
        else "p_median: the heuristic plan leaves demands on forbidden pairs",
    )
    lower, lam = heur.lagrangian_bound(wc, p, fixed, upper, deadline=deadline)
    finite = wc[np.isfinite(c)]
    integral = bool(np.all(finite == np.round(finite)))
    if integral:  # the optimum is an integer: round the bound up
        lower = float(np.ceil(lower - 1e-9 * max(1.0, abs(lower))))
    lower = min(lower, upper)
    if covered:
        say(
            progress,
            f"p_median: Lagrangian bound {lower:,.6g} (gap {relative_gap(upper, lower):.3%})",
        )
        if relative_gap(upper, lower) <= TOL:
            return plan_result(
                selected,
                nearest(c, selected),
                upper,
                lower,
                "optimal",
                start,
                solver="greedy+interchange, Lagrangian bound",
            )
    # only plans strictly better than the incumbent matter: with integer costs, below upper - 1
    tol = TOL * max(1.0, abs(upper))
    threshold = (upper - 1.0 + tol if integral else upper + tol) if covered else np.inf
    keep, force = lagrangian_fixing(wc, lam, p, fixed, threshold)
    keep[selected] = True  # the incumbent stays feasible in the reduced MIP
    force &= np.isin(np.arange(m), selected)
    if covered:
        probe(wc, p, fixed, selected, keep, force, threshold, deadline)
    kept = np.flatnonzero(keep)
    sub = c[:, kept]
    nnz = int(np.isfinite(sub).sum())
    heuristic = method == "heuristic" or (method == "auto" and nnz > _EXACT_NNZ)
    if heuristic and covered:
        status = "feasible"
        return plan_result(
            selected,
            nearest(c, selected),
            upper,
            lower,
            status,
            start,
            solver="greedy+interchange, Lagrangian bound",
            message=f"heuristic mode ({nnz:,} nonzeros in the reduced model)",
        )
    say(
        progress,
        f"p_median: {m - len(kept)} of {m} candidates closed by Lagrangian "
        f"reduced costs and probing, {int(force.sum())} forced open; radius MIP on {len(kept)}",
    )
    open_lb = np.zeros(len(kept))
    open_lb[np.searchsorted(kept, fixed)] = 1.0
    open_lb[np.searchsorted(kept, np.flatnonzero(force))] = 1.0
    model = radius_median(sub, w, p, open_lb=open_lb)
    hint = radius_hint(model, np.searchsorted(kept, selected), sub) if covered else None
    out = run_mip(model, deadline, seed, progress, solver, "p_median", hint=hint, integral=integral)
    if out.status == "infeasible":
        return infeasible_result(
            prob,
            f"no set of {p} candidates serves every demand on an allowed pair",
            start,
            solver=solver,
        )
    bound = max(lower, out.bound) if np.isfinite(out.bound) else lower
    if integral:
        bound = float(np.ceil(bound - 1e-9 * max(1.0, abs(bound))))
    if out.values is not None:
        mip_sel = kept[np.flatnonzero(out.values[: len(kept)] > 0.5)]
        mip_val = float(wc[:, mip_sel].min(axis=1).sum())
        if not covered or mip_val <= upper:
            selected, upper, covered = mip_sel, mip_val, True
    status = {"optimal": "optimal", "feasible": "time_limit"}.get(out.status, "time_limit")
    if out.status == "error":
        status = "feasible"
    if not covered and out.status == "time_limit":  # out of time: no proof of infeasibility
        return no_plan_result(prob, start, out, solver)
    if not covered:
        return infeasible_result(
            prob, f"no plan found that serves every demand ({out.message})", start, solver=solver
        )
    message = (
        out.message
        if status != "time_limit"
        else (f"stopped by the time limit; best plan and bound returned ({out.message})")
    )
    return plan_result(
        selected,
        nearest(c, selected),
        upper,
        bound,
        status,
        start,
        solver=f"{solver} radius MIP",
        message=message,
    )


def _capacitated_median(
    prob: LocationProblem,
    start: float,
    deadline: float | None,
    seed: int,
    progress: Progress,
    solver: str,
) -> SolveResult:
    """Capacitated p-median: relaxation first, then a reduced single-sourced MIP.

    1. The uncapacitated p-median (at most 30 % of the time) is a relaxation: its bound is
       valid, and if its plan happens to fit the capacities it is optimal.
    2. Otherwise, assigning the demands to its candidates within the capacities (a small
       assignment MIP) gives a capacitated plan, i.e. an upper bound UB.
    3. Candidates whose opening pushes the uncapacitated Lagrangian bound above UB are
       closed, and the x_ij / y_j model is solved on the rest.
    """
    c, w, p, fixed = prob.costs, prob.weights, prob.p, prob.fixed
    loads, caps = prob.loads, prob.capacities
    assert loads is not None and caps is not None
    m = c.shape[1]
    if p == len(fixed):
        return solve_assignment(prob, start, deadline, seed, progress, solver, label="p_median")
    plain = LocationProblem(c, w, p, fixed, None, None)
    early = None if deadline is None else start + 0.3 * (deadline - start)
    relaxed = uncapacitated_median(plain, start, early, seed, None, "auto", solver)
    if relaxed.status == "infeasible":
        return relaxed
    lower = relaxed.bound if np.isfinite(relaxed.bound) else -np.inf
    incumbent: SolveResult | None = None
    if relaxed.is_feasible:
        used = np.bincount(relaxed.assignment, loads, m)
        if (used <= caps + TOL).all():
            say(progress, "p_median: the uncapacitated plan fits the capacities")
            return plan_result(
                relaxed.selected,
                relaxed.assignment,
                relaxed.objective,
                relaxed.bound,
                relaxed.status,
                start,
                solver="uncapacitated plan fits the capacities",
                message=relaxed.message,
            )
        only = np.where(np.isin(np.arange(m), relaxed.selected)[None, :], c, np.inf)
        fit = LocationProblem(only, w, p, relaxed.selected, loads, caps)
        if precheck(fit) is None:
            attempt = solve_assignment(
                fit,
                start,
                deadline,
                seed,
                progress,
                solver,
                label="p_median (assign to the relaxation's plan)",
            )
            incumbent = attempt if attempt.is_feasible else None
    keep = np.ones(m, bool)
    if incumbent is not None:
        say(
            progress,
            f"p_median: capacitated plan {incumbent.objective:,.6g}, relaxation bound {lower:,.6g}",
        )
        wc, _ = heur.penalised(c, w)
        _, lam = heur.lagrangian_bound(wc, p, fixed, incumbent.objective, deadline=deadline)
        threshold = incumbent.objective + TOL * max(1.0, abs(incumbent.objective))
        keep, _ = lagrangian_fixing(wc, lam, p, fixed, threshold)
        keep[incumbent.selected] = True
    kept = np.flatnonzero(keep)
    say(progress, f"p_median: capacitated MIP on {len(kept)} of {m} candidates")
    reduced = LocationProblem(c[:, kept], w, p, np.searchsorted(kept, fixed), loads, caps[kept])
    res = solve_assignment(reduced, start, deadline, seed, progress, solver, label="p_median")
    if res.status == "infeasible" and incumbent is None:
        return res
    best = incumbent
    bound = lower
    if res.is_feasible:
        assign = np.where(res.assignment >= 0, kept[np.maximum(res.assignment, 0)], -1)
        bound = max(bound, res.bound)
        if best is None or res.objective <= best.objective:
            best = plan_result(
                kept[res.selected],
                assign,
                res.objective,
                res.bound,
                res.status,
                start,
                solver=res.solver,
                message=res.message,
            )
    elif np.isfinite(res.bound):
        bound = max(bound, res.bound)
    if best is None:
        return res
    status = "optimal" if res.status in ("optimal", "infeasible") else "time_limit"
    if res.status == "infeasible":  # the reduced model holds the incumbent: cannot happen
        bound = best.objective
    return plan_result(
        best.selected,
        best.assignment,
        best.objective,
        bound,
        status,
        start,
        solver=best.solver,
        message=best.message,
    )
