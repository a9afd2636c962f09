r"""Covering models: :func:`set_covering` and :func:`backup_coverage`.

Both read ``costs[i, j] <= max_cost`` as "candidate j covers demand i" and solve an exact
MIP (OR-Tools' model builder with the bundled HiGHS or SCIP, through
:func:`~netopt.solve._mip.solve_mip`) after a greedy start, so a time-out always returns a
plan. Demands that no candidate covers within ``max_cost`` are left out of the model and
reported (``message`` and ``shortfall``), never an exception; ``fixed`` candidates are
open in every plan. Demands with the same coverage pattern are merged into one MIP row
(their weights summed), which changes neither the optimum nor the bound; before its MIP,
set covering also drops the rows that contain another row's candidates and the candidates
that another covers better (the reductions of Toregas & ReVelle 1973). The greedy starts,
reductions and MIP matrices are in ``_cover_models``.

:func:`set_covering` is the location set covering problem (Toregas et al. 1971): the fewest
(or cheapest) candidates serving every coverable demand. :func:`backup_coverage` is the
backup coverage problem of Hogan & ReVelle (1986): p candidates maximising a weighted sum
of demand covered once and demand covered twice (or covered also under a failure matrix,
e.g. the travel times at night or in a storm). :func:`~netopt.solve.max_coverage` is its
``beta = 1`` case.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from netopt._errors import DataError, Problem
from netopt.solve._mip import MipOutcome
from netopt.solve.location._cover_models import (
    backup_model,
    backup_value,
    cover_lower_bound,
    cover_model,
    covers,
    greedy_backup,
    greedy_cover,
    irredundant,
    minimal_rows,
    undominated_columns,
)
from netopt.solve.location._outcome import nearest, plan_result
from netopt.solve.location._problem import LocationProblem, say, validate_problem
from netopt.solve.location._steps import run_mip
from netopt.solve.params import SolverParams
from netopt.solve.result import SolveResult

__all__ = ["backup_coverage", "set_covering"]


def set_covering(
    costs: np.ndarray,
    max_cost: float,
    *,
    fixed: Sequence[int] = (),
    weights: np.ndarray | None = None,
    params: SolverParams = SolverParams(),
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
) -> SolveResult:
    r"""Open the fewest (or cheapest) candidates so every demand has one within ``max_cost``.

    .. math::

        \min \sum_j f_j y_j \quad \text{s.t.} \quad \sum_{j: c_{ij} \le T} y_j \ge 1
        \;\; \forall i \in I_T,\; y_j = 1 \;\; \forall j \in F,\; y \in \{0, 1\}

    with ``T = max_cost``, ``f`` the candidate costs (``weights``), ``F`` the ``fixed``
    candidates and :math:`I_T` the demands that some candidate covers within T. The other
    demands cannot be covered by any plan: they are left out and reported (``message``,
    ``shortfall`` = their number), never raised. A greedy cover (Chvatal's ratio rule, then
    redundant candidates dropped) is the start; the MIP proves or improves it. Every plan
    returned is irredundant: no non-fixed candidate can be closed without uncovering a
    demand.

    Parameters
    ----------
    costs : numpy.ndarray
        ``(n_demands, n_candidates)`` cost matrix (e.g. travel minutes), >= 0; ``inf``
        forbids a pair.
    max_cost : float
        Coverage standard T: j covers i when ``costs[i, j] <= max_cost``.
    fixed : sequence of int
        Candidates that must be open (existing centres); their cost counts in the objective.
    weights : numpy.ndarray, optional
        Cost ``f_j >= 0`` of opening each candidate (default 1: the fewest candidates).
    params : SolverParams, optional
        ``time_limit_s`` (wall-clock seconds of the whole call, enforced as in
        :func:`~netopt.solve.p_median`) and ``seed`` (same seed, same answer).
    time_limit : float, optional
        Shortcut for ``params.time_limit_s`` (seconds); when given it replaces the limit
        of ``params``. To solve without a limit, pass ``SolverParams(time_limit_s=None)``.
    progress : callable, optional
        Receives one-line progress messages (also logged at INFO).
    solver : {"highs", "scip"}
        OR-Tools backend of the MIP.

    Returns
    -------
    SolveResult
        ``selected``: the open candidates (fixed included); ``assignment``: the cheapest
        open candidate within ``max_cost`` of each demand (``-1``: uncoverable);
        ``objective``: the total cost of the open candidates (their number by default);
        ``bound``: a proven lower bound; ``status`` "optimal", or "time_limit" with the
        best plan found.

    Raises
    ------
    netopt.DataError
        For malformed arguments (every problem listed).

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import set_covering
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> r = set_covering(costs, 4.0)
    >>> r.selected.tolist(), r.objective, r.status
    ([0, 2], 2.0, 'optimal')
    """
    start = time.perf_counter()
    prob, params, f = _validate(
        "set_covering", costs, max_cost, None, fixed, params, time_limit, weights=weights
    )
    deadline = None if params.time_limit_s is None else start + params.time_limit_s
    cover = np.isfinite(prob.costs)
    lonely = np.flatnonzero(~cover.any(axis=1))
    note = _left_out(lonely)
    is_fixed = np.zeros(cover.shape[1], bool)
    is_fixed[prob.fixed] = True
    rows = cover[cover.any(axis=1) & ~cover[:, is_fixed].any(axis=1)]
    patterns = minimal_rows(np.unique(rows, axis=0)) if len(rows) else rows
    selected = greedy_cover(patterns, f, is_fixed)
    upper = float(f[selected].sum())
    lower = cover_lower_bound(patterns, f, is_fixed)
    integral = bool(np.all(f == np.round(f)))
    say(progress, f"set_covering: {len(patterns):,} distinct rows to cover, greedy plan {upper:g}")
    status, message, used = "optimal", note, "greedy"
    if lower < upper - 1e-9 * max(1.0, upper):
        model = cover_model(patterns, f, is_fixed, undominated_columns(patterns, f, is_fixed))
        hint = is_fixed | np.isin(np.arange(len(f)), selected)
        out = run_mip(
            model, deadline, params.seed, progress, solver, "set_covering",
            hint=hint.astype(float), integral=integral,
        )  # fmt: skip
        if np.isfinite(out.bound):
            lower = max(lower, float(out.bound))
        if integral:
            lower = float(np.ceil(lower - 1e-9 * max(1.0, abs(lower))))
        if out.values is not None:
            mip = irredundant(patterns, np.flatnonzero(out.values > 0.5), f, is_fixed)
            if covers(patterns, mip) and f[mip].sum() <= upper:
                selected, upper = mip, float(f[mip].sum())
        status, text = _status(out)
        message = "; ".join(s for s in (note, text) if s)
        used = f"greedy + {solver} set covering MIP"
    res = plan_result(
        selected, _assign(prob.costs, selected), upper, lower, status, start,
        message=message, solver=used,
    )  # fmt: skip
    return dataclasses.replace(res, shortfall=float(len(lonely)))


def backup_coverage(
    costs: np.ndarray,
    max_cost: float,
    p: int,
    *,
    demand: np.ndarray | None = None,
    fixed: Sequence[int] = (),
    backup_costs: np.ndarray | None = None,
    beta: float = 0.5,
    params: SolverParams = SolverParams(),
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
) -> SolveResult:
    r"""Open ``p`` candidates maximising demand covered once and demand covered twice.

    The backup coverage problem of Hogan & ReVelle (1986), BACOP2. With
    :math:`N_i = \{j: c_{ij} \le T\}`, :math:`u_i` = "covered" and :math:`v_i` = "backed up":

    .. math::

        \max \sum_i h_i (\beta u_i + (1 - \beta) v_i) \quad \text{s.t.} \quad
        u_i + v_i \le \sum_{j \in N_i} y_j,\; v_i \le u_i \le 1,\;
        \sum_j y_j = p,\; y_j = 1 \; (j \in F),\; y \in \{0, 1\},\; v \in \{0, 1\}

    so :math:`v_i = 1` needs two open candidates within T. With ``backup_costs`` (a failure
    matrix ``b``, e.g. travel times when the ferry stops), "backed up" means covered also
    under the failure: :math:`v_i \le u_i` and :math:`v_i \le \sum_{j: b_{ij} \le T} y_j`
    (the same candidate may serve both, when its route survives the failure).
    ``beta = 1`` is :func:`~netopt.solve.max_coverage`; ``beta = 0`` maximises the backed-up
    demand only.

    Parameters
    ----------
    costs : numpy.ndarray
        ``(n_demands, n_candidates)`` cost matrix, >= 0; ``inf`` forbids a pair.
    max_cost : float
        Coverage standard T (for ``costs`` and ``backup_costs`` alike).
    p : int
        Number of candidates to open (``len(fixed) <= p <= n_candidates``).
    demand : numpy.ndarray, optional
        Demand weights ``h_i >= 0`` (default 1).
    fixed : sequence of int
        Candidates that must be open (existing centres; they count toward ``p``).
    backup_costs : numpy.ndarray, optional
        Failure matrix of the same shape as ``costs`` (``inf``: cut off). Default: none,
        "backed up" means covered twice.
    beta : float, default 0.5
        Weight of the first coverage, in [0, 1].
    params, time_limit, progress, solver
        As in :func:`set_covering`.

    Returns
    -------
    SolveResult
        ``objective``: :math:`\sum_i h_i (\beta u_i + (1 - \beta) v_i)` of the plan;
        ``bound``: a proven upper bound; ``assignment``: the cheapest open candidate within
        ``max_cost`` of each demand (``-1``: not covered); ``shortfall``: the demand weight
        that no candidate covers within ``max_cost`` (left out, named in ``message``).

    Raises
    ------
    netopt.DataError
        For malformed arguments (every problem listed).

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import backup_coverage
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> r = backup_coverage(costs, 4.0, 3, beta=0.5)
    >>> r.selected.tolist(), r.objective, r.status
    ([0, 1, 2], 3.0, 'optimal')
    """
    start = time.perf_counter()
    prob, params, back = _validate(
        "backup_coverage", costs, max_cost, p, fixed, params, time_limit,
        demand=demand, backup_costs=backup_costs, beta=beta,
    )  # fmt: skip
    deadline = None if params.time_limit_s is None else start + params.time_limit_s
    beta = float(beta)
    a = np.isfinite(prob.costs)
    h, m = prob.weights, a.shape[1]
    lonely = np.flatnonzero(~a.any(axis=1))
    note = _left_out(lonely)
    keep = a.any(axis=1) & (h > 0)
    stacked = a[keep] if back is None else np.hstack([a[keep], back[keep] <= max_cost])
    if len(stacked):
        patterns, inverse = np.unique(stacked, axis=0, return_inverse=True)
        hk = np.bincount(inverse.ravel(), h[keep], len(patterns))
    else:
        patterns, hk = stacked, np.zeros(0)
    pa, pb = patterns[:, :m], (None if back is None else patterns[:, m:])
    is_fixed = np.zeros(m, bool)
    is_fixed[prob.fixed] = True
    selected = greedy_backup(pa, pb, hk, beta, prob.p, is_fixed)
    value = backup_value(pa, pb, hk, beta, selected)
    backable = pa.sum(axis=1) >= 2 if pb is None else pb.any(axis=1)
    upper = float(beta * hk.sum() + (1 - beta) * hk[backable].sum())
    say(progress, f"backup_coverage: {len(patterns):,} distinct rows, greedy plan {value:,.6g}")
    status, message, used = "optimal", note, "greedy"
    if prob.p == len(prob.fixed):
        upper, used = value, "evaluation of the fixed candidates"
    elif value < upper - 1e-9 * max(1.0, upper):
        model = backup_model(pa, pb, hk, beta, prob.p, is_fixed)
        out = run_mip(
            model, deadline, params.seed, progress, solver, "backup_coverage", maximize=True
        )
        if np.isfinite(out.bound):
            upper = min(upper, float(out.bound))
        if out.values is not None:
            mip = np.flatnonzero(out.values[:m] > 0.5)
            mip_value = backup_value(pa, pb, hk, beta, mip)
            if len(mip) == prob.p and is_fixed[mip].sum() == is_fixed.sum() and mip_value >= value:
                selected, value = mip, mip_value
        status, text = _status(out)
        message = "; ".join(s for s in (note, text) if s)
        used = f"greedy + {solver} backup coverage MIP"
    res = plan_result(
        selected, _assign(prob.costs, selected), value, upper, status, start,
        message=message, solver=used, maximize=True,
    )  # fmt: skip
    return dataclasses.replace(res, shortfall=float(h[lonely].sum()))


# ----------------------------------------------------------------------------------------
# arguments
# ----------------------------------------------------------------------------------------
def _validate(
    func: str,
    costs: object,
    max_cost: float,
    p: object,
    fixed: Sequence[int],
    params: object,
    time_limit: object,
    *,
    weights: object = None,
    demand: object = None,
    backup_costs: object = None,
    beta: object = 0.5,
) -> tuple[LocationProblem, SolverParams, np.ndarray | None]:
    """Check every argument in one pass; raise one DataError listing every problem.

    Returns the problem (``weights`` = the demand weights), the parameters with
    ``time_limit`` applied, and the column costs (:func:`set_covering`) or the failure
    matrix (:func:`backup_coverage`, None without one).
    """
    if not isinstance(params, SolverParams):
        raise TypeError(f"{func}: params must be a SolverParams, found {type(params).__name__}")
    problems: list[Problem | str] = []

    def bad(field: str, found: str, fix: str) -> None:
        problems.append(Problem(func, "", field, found, fix))

    if time_limit is not None:
        try:
            params = dataclasses.replace(params, time_limit_s=time_limit)
        except DataError:
            bad("time_limit", repr(time_limit), "use a number of seconds > 0 (or params)")
    try:
        shape = np.shape(costs)
    except ValueError:
        shape = ()
    n, m = (int(shape[0]), int(shape[1])) if len(shape) == 2 else (0, 0)
    cover_only = p is None
    try:
        prob = validate_problem(
            func, costs, max(m, 1) if cover_only else p, weights=None, capacities=None,
            loads=None, fixed=fixed, max_cost=max_cost, params=params,
        )  # fmt: skip
    except DataError as exc:  # set_covering has no p: drop what validate_problem says of it
        problems = [q for q in exc.problems if not (cover_only and _field(q) == "p")] + problems
        prob = None
    extra = None
    if len(shape) != 2:  # costs already reported; the other checks need its shape
        pass
    elif cover_only:
        extra = _vector(weights, m, "weights", bad, "opening costs must be finite and >= 0")
    else:
        h = _vector(demand, n, "demand", bad, "demand weights must be finite and >= 0")
        if prob is not None and h is not None:
            prob = dataclasses.replace(prob, weights=h)
        extra = _failure_matrix(backup_costs, (n, m), bad)
    if not cover_only:
        real = isinstance(beta, (int, float, np.integer, np.floating)) and not isinstance(
            beta, bool
        )
        if not (real and 0.0 <= float(beta) <= 1.0):  # type: ignore[arg-type]
            bad("beta", repr(beta), "use a number in [0, 1]")
    if problems or prob is None:
        raise DataError(problems)
    return prob, params, extra


def _field(problem: Problem | str) -> str:
    return problem.field if isinstance(problem, Problem) else ""


def _vector(
    value: object, size: int, name: str, bad: Callable[[str, str, str], None], fix: str
) -> np.ndarray | None:
    """A non-negative finite vector of ``size`` values (default ones); None if invalid."""
    if value is None:
        return np.ones(size)
    try:
        arr = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        bad(name, f"not numeric ({type(value).__name__})", f"pass {size} numbers")
        return None
    if arr.shape != (size,):
        bad(name, f"length {arr.size}", f"pass {size} values, one per {_what(name)}")
        return None
    if not np.isfinite(arr).all() or (arr < 0).any():
        bad(name, "negative, NaN or inf values", fix)
        return None
    return arr


def _what(name: str) -> str:
    return "candidate (column)" if name == "weights" else "demand (row)"


def _failure_matrix(
    value: object, shape: tuple[int, int], bad: Callable[[str, str, str], None]
) -> np.ndarray | None:
    if value is None:
        return None
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        bad("backup_costs", f"not numeric ({exc})", "pass a 2-D float array like costs")
        return None
    if arr.shape != shape:
        bad("backup_costs", f"shape {arr.shape}", f"pass the shape of costs, {shape}")
        return None
    if np.isnan(arr).any() or (arr < 0).any():
        bad("backup_costs", "NaN or negative entries", "use costs >= 0 and inf for cut-off pairs")
        return None
    return arr


def _assign(costs: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """Cheapest open candidate within max_cost per demand (-1: none), as max_coverage."""
    if not len(selected):
        return np.full(len(costs), -1, np.int64)
    return nearest(costs, np.asarray(selected, np.int64))


def _left_out(lonely: np.ndarray) -> str:
    if not len(lonely):
        return ""
    shown = ", ".join(map(str, lonely[:20].tolist())) + (" ..." if len(lonely) > 20 else "")
    return (
        f"{len(lonely)} demand(s) cannot be covered within max_cost by any candidate "
        f"and are left out: indices {shown}"
    )


def _status(out: MipOutcome) -> tuple[str, str]:
    """Status of the plan and a message, from the MIP's outcome (a plan always exists)."""
    if out.status == "optimal":
        return "optimal", ""
    if out.status == "feasible":
        return (
            "time_limit",
            f"stopped by the time limit; best plan and bound returned ({out.message})",
        )
    if out.status == "time_limit":
        return (
            "time_limit",
            f"the time limit stopped the MIP; the greedy plan is returned ({out.message})",
        )
    return "feasible", f"MIP {out.status} ({out.message}); the greedy plan is returned"
