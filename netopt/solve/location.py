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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from netopt._errors import DataError, Problem
from netopt.solve import _heuristics as heur
from netopt.solve._mip import MipOutcome, solve_mip
from netopt.solve._models import Model, assignment_model, radius_hint, radius_median
from netopt.solve.result import SolveResult

__all__ = ["max_coverage", "p_center", "p_median"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None] | None
_EXACT_NNZ = 2_000_000
_TOL = 1e-6


# --------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Problem:
    costs: np.ndarray  # float, inf = forbidden (after max_cost)
    weights: np.ndarray
    p: int
    fixed: np.ndarray
    loads: np.ndarray | None
    capacities: np.ndarray | None


def _validate(
    func: str,
    costs: object,
    p: object,
    *,
    weights: object,
    capacities: object,
    loads: object,
    fixed: Sequence[int],
    max_cost: float | None,
    time_limit: float | None,
    method: str = "auto",
) -> _Problem:
    """Check every argument in one pass; raise one DataError listing every problem."""
    problems: list[Problem] = []

    def bad(field: str, found: str, fix: str) -> None:
        problems.append(Problem(func, "", field, found, fix))

    try:
        c = np.array(costs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(
            Problem(func, "", "costs", f"not numeric ({exc})", "pass a 2-D float array")
        )
    if c.ndim != 2:
        raise DataError(
            Problem(
                func, "", "costs", f"shape {c.shape}", "pass a 2-D (demands x candidates) array"
            )
        )
    n, m = c.shape
    if n == 0 or m == 0:
        bad("costs", f"shape {c.shape}", "give at least one demand and one candidate")
    if np.isnan(c).any():
        rows = np.unique(np.nonzero(np.isnan(c))[0])[:10].tolist()
        bad("costs", f"NaN in rows {rows}", "use inf for forbidden pairs, never NaN")
    if (c < 0).any():
        bad("costs", f"{int((c < 0).sum())} negative entries", "costs must be >= 0")
    if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
        bad("p", f"{p!r} ({type(p).__name__})", "pass an int")
        p = 1
    elif not 1 <= p <= m:
        bad("p", str(p), f"choose 1 <= p <= {m} (the number of candidates)")
    fixed_arr = np.asarray(list(fixed), dtype=np.int64).ravel()
    if len(fixed_arr) and (fixed_arr.min() < 0 or fixed_arr.max() >= m):
        bad("fixed", str(fixed_arr.tolist()), f"indices must lie in 0..{m - 1}")
    if len(np.unique(fixed_arr)) != len(fixed_arr):
        bad("fixed", str(fixed_arr.tolist()), "list each fixed candidate once")
    if len(fixed_arr) > int(p):
        bad("fixed", f"{len(fixed_arr)} fixed candidates", f"p ({p}) must be >= len(fixed)")
    w = _vector(weights, n, "weights", bad, default=1.0)
    ld = _vector(loads, n, "loads", bad) if loads is not None else None
    cap = _vector(capacities, m, "capacities", bad) if capacities is not None else None
    if (ld is None) != (cap is None):
        bad(
            "capacities/loads",
            "only one of them given",
            "give both capacities and loads, or neither",
        )
    if max_cost is not None and not (np.isfinite(max_cost) and max_cost >= 0):
        bad("max_cost", str(max_cost), "pass a finite cost >= 0 or None")
    if time_limit is not None and not (np.isfinite(time_limit) and time_limit > 0):
        bad("time_limit", str(time_limit), "pass a positive number of seconds or None")
    if method not in ("auto", "exact", "heuristic"):
        bad("method", repr(method), 'use "auto", "exact" or "heuristic"')
    if problems:
        raise DataError(problems)
    if max_cost is not None:
        c = np.where(c <= max_cost, c, np.inf)
    return _Problem(c, w, int(p), np.sort(fixed_arr), ld, cap)


def _vector(
    value: object, size: int, name: str, bad: Callable[[str, str, str], None], default: float = 0.0
) -> np.ndarray:
    if value is None:
        return np.full(size, default)
    arr = np.asarray(value, dtype=float).ravel()
    if arr.shape != (size,):
        bad(name, f"length {arr.size}", f"pass {size} values")
        return np.full(size, default)
    if not np.isfinite(arr).all() or (arr < 0).any():
        bad(name, "negative, NaN or inf values", "values must be finite and >= 0")
        return np.full(size, default)
    return arr


def _infeasible(
    prob: _Problem, message: str, start: float, *, shortfall: float = 0.0, solver: str = "precheck"
) -> SolveResult:
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


def _precheck(prob: _Problem, *, every_demand: bool = True) -> tuple[str, float] | None:
    """Return (message, shortfall) when the instance is infeasible for a simple reason."""
    c, p = prob.costs, prob.p
    allowed = np.isfinite(c)
    if every_demand:
        lonely = np.flatnonzero(~allowed.any(axis=1))
        if len(lonely):
            shown = ", ".join(map(str, lonely[:20].tolist())) + (" ..." if len(lonely) > 20 else "")
            message = (
                f"{len(lonely)} demand(s) have no allowed candidate (inf cost or above max_cost): "
                f"indices {shown}"
            )
            return message, 0.0
    if prob.capacities is None or prob.loads is None:
        return None
    cap, load = prob.capacities, prob.loads
    free = np.setdiff1d(np.arange(c.shape[1]), prob.fixed)
    best = cap[prob.fixed].sum() + np.sort(cap[free])[::-1][: p - len(prob.fixed)].sum()
    total = load.sum() if every_demand else 0.0
    if total > best + _TOL:
        what = (
            f"the {p} largest candidates"
            if not len(prob.fixed)
            else (f"the {len(prob.fixed)} fixed and {p - len(prob.fixed)} largest other candidates")
        )
        message = (
            f"total load {total:,.6g} exceeds the capacity of {what}, {best:,.6g} "
            f"(shortfall {total - best:,.6g})"
        )
        return message, float(total - best)
    if every_demand:
        fit = allowed & (load[:, None] <= cap[None, :] + _TOL)
        big = np.flatnonzero(~fit.any(axis=1))
        if len(big):
            message = (
                f"{len(big)} demand(s) have a load larger than every allowed candidate's capacity: "
                f"indices {big[:20].tolist()} (shortfall {load[big].sum():,.6g})"
            )
            return message, float(load[big].sum())
    return None


def _no_plan(prob: _Problem, start: float, out: MipOutcome, solver: str) -> SolveResult:
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


def _say(progress: Progress, message: str) -> None:
    logger.info(message)
    if progress is not None:
        progress(message)


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.5, deadline - time.perf_counter())


def _gap(objective: float, bound: float) -> float:
    if not np.isfinite(objective):
        return np.nan
    return max(0.0, abs(objective - bound)) / max(abs(objective), 1e-9)


def _nearest(costs: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """Cheapest selected candidate per demand (ties to the lowest index); -1 if all forbidden."""
    sub = costs[:, selected]
    pick = selected[np.argmin(sub, axis=1)]
    return np.where(np.isfinite(sub).any(axis=1), pick, -1)


def _result(
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
    if maximize:
        bound = max(bound, objective)
    else:
        bound = min(bound, objective)
    gap = _gap(objective, bound)
    if status in ("feasible", "time_limit") and gap <= _TOL:
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


# --------------------------------------------------------------------------------------
# p-median
# --------------------------------------------------------------------------------------
def p_median(
    costs: np.ndarray,
    p: int,
    *,
    weights: np.ndarray | None = None,
    capacities: np.ndarray | None = None,
    loads: np.ndarray | None = None,
    fixed: Sequence[int] = (),
    max_cost: float | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    method: str = "auto",
    solver: str = "highs",
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
    time_limit : float, optional
        Seconds for the whole solve; enforced (the MIP runs in a child process that is
        stopped if the solver overruns). The best plan found is returned.
    seed : int
        Random seed of the MIP solver; the same seed gives the same result.
    progress : callable, optional
        Receives one-line progress messages (also logged at INFO).
    method : {"auto", "exact", "heuristic"}
        "heuristic" skips the MIP (greedy + interchange plan, Lagrangian bound); "auto" does
        so only when the reduced MIP would exceed 2 million nonzeros.
    solver : {"highs", "scip"}
        OR-Tools backend of the MIP.

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
    prob = _validate(
        "p_median", costs, p, weights=weights, capacities=capacities, loads=loads,
        fixed=fixed, max_cost=max_cost, time_limit=time_limit, method=method,
    )  # fmt: skip
    deadline = None if time_limit is None else start + time_limit
    found = _precheck(prob)
    if found is not None:
        return _infeasible(prob, found[0], start, shortfall=found[1])
    if prob.capacities is not None:
        return _capacitated_median(prob, start, deadline, seed, progress, solver)
    return _uncapacitated_median(prob, start, deadline, seed, progress, method, solver)


def _uncapacitated_median(
    prob: _Problem,
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
        assign = _nearest(c, fixed)
        value = float(wc[np.arange(n), assign].sum())
        return _result(fixed, assign, value, value, "optimal", start, solver="assignment")
    greedy = heur.greedy_median(wc, p, fixed)
    selected = heur.interchange_median(wc, greedy, fixed, deadline=deadline)
    upper = float(wc[:, selected].min(axis=1).sum())
    covered = upper < penalty
    _say(progress, f"p_median: greedy + interchange plan {upper:,.6g}" if covered else
         "p_median: the heuristic plan leaves demands on forbidden pairs")  # fmt: skip
    lower, lam = heur.lagrangian_bound(wc, p, fixed, upper, deadline=deadline)
    finite = wc[np.isfinite(c)]
    integral = bool(np.all(finite == np.round(finite)))
    if integral:  # the optimum is an integer: round the bound up
        lower = float(np.ceil(lower - 1e-9 * max(1.0, abs(lower))))
    lower = min(lower, upper)
    if covered:
        _say(progress, f"p_median: Lagrangian bound {lower:,.6g} (gap {_gap(upper, lower):.3%})")
        if _gap(upper, lower) <= _TOL:
            return _result(selected, _nearest(c, selected), upper, lower, "optimal", start,
                           solver="greedy+interchange, Lagrangian bound")  # fmt: skip
    # only plans strictly better than the incumbent matter: with integer costs, below upper - 1
    tol = _TOL * max(1.0, abs(upper))
    threshold = (upper - 1.0 + tol if integral else upper + tol) if covered else np.inf
    keep, force = _lagrangian_fixing(wc, lam, p, fixed, threshold)
    keep[selected] = True  # the incumbent stays feasible in the reduced MIP
    force &= np.isin(np.arange(m), selected)
    if covered:
        _probe(wc, p, fixed, selected, keep, force, threshold, deadline)
    kept = np.flatnonzero(keep)
    sub = c[:, kept]
    nnz = int(np.isfinite(sub).sum())
    heuristic = method == "heuristic" or (method == "auto" and nnz > _EXACT_NNZ)
    if heuristic and covered:
        status = "feasible"
        return _result(selected, _nearest(c, selected), upper, lower, status, start,
                       solver="greedy+interchange, Lagrangian bound",
                       message=f"heuristic mode ({nnz:,} nonzeros in the reduced model)")  # fmt: skip
    _say(progress, f"p_median: {m - len(kept)} of {m} candidates closed by Lagrangian "
                   f"reduced costs and probing, {int(force.sum())} forced open; radius MIP on {len(kept)}")  # fmt: skip
    open_lb = np.zeros(len(kept))
    open_lb[np.searchsorted(kept, fixed)] = 1.0
    open_lb[np.searchsorted(kept, np.flatnonzero(force))] = 1.0
    model = radius_median(sub, w, p, open_lb=open_lb)
    hint = radius_hint(model, np.searchsorted(kept, selected), sub) if covered else None
    out = _solve(model, deadline, seed, progress, solver, "p_median", hint=hint, integral=integral)
    if out.status == "infeasible":
        return _infeasible(prob, f"no set of {p} candidates serves every demand on an allowed "
                                 "pair", start, solver=solver)  # fmt: skip
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
    if not covered:
        return _infeasible(prob, f"no plan found that serves every demand ({out.message})",
                           start, solver=solver)  # fmt: skip
    message = out.message if status != "time_limit" else (
        f"stopped by the time limit; best plan and bound returned ({out.message})")  # fmt: skip
    return _result(selected, _nearest(c, selected), upper, bound, status, start,
                   solver=f"{solver} radius MIP", message=message)  # fmt: skip


def _capacitated_median(
    prob: _Problem,
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
        return _capacitated(prob, start, deadline, seed, progress, solver, label="p_median")
    plain = _Problem(c, w, p, fixed, None, None)
    early = None if deadline is None else start + 0.3 * (deadline - start)
    relaxed = _uncapacitated_median(plain, start, early, seed, None, "auto", solver)
    if relaxed.status == "infeasible":
        return relaxed
    lower = relaxed.bound if np.isfinite(relaxed.bound) else -np.inf
    incumbent: SolveResult | None = None
    if relaxed.is_feasible:
        used = np.bincount(relaxed.assignment, loads, m)
        if (used <= caps + _TOL).all():
            _say(progress, "p_median: the uncapacitated plan fits the capacities")
            return _result(relaxed.selected, relaxed.assignment, relaxed.objective, relaxed.bound,
                           relaxed.status, start, solver="uncapacitated plan fits the capacities",
                           message=relaxed.message)  # fmt: skip
        only = np.where(np.isin(np.arange(m), relaxed.selected)[None, :], c, np.inf)
        fit = _Problem(only, w, p, relaxed.selected, loads, caps)
        if _precheck(fit) is None:
            attempt = _capacitated(fit, start, deadline, seed, progress, solver,
                                   label="p_median (assign to the relaxation's plan)")  # fmt: skip
            incumbent = attempt if attempt.is_feasible else None
    keep = np.ones(m, bool)
    if incumbent is not None:
        _say(progress, f"p_median: capacitated plan {incumbent.objective:,.6g}, "
                       f"relaxation bound {lower:,.6g}")  # fmt: skip
        wc, _ = heur.penalised(c, w)
        _, lam = heur.lagrangian_bound(wc, p, fixed, incumbent.objective, deadline=deadline)
        threshold = incumbent.objective + _TOL * max(1.0, abs(incumbent.objective))
        keep, _ = _lagrangian_fixing(wc, lam, p, fixed, threshold)
        keep[incumbent.selected] = True
    kept = np.flatnonzero(keep)
    _say(progress, f"p_median: capacitated MIP on {len(kept)} of {m} candidates")
    reduced = _Problem(c[:, kept], w, p, np.searchsorted(kept, fixed), loads, caps[kept])
    res = _capacitated(reduced, start, deadline, seed, progress, solver, label="p_median")
    if res.status == "infeasible" and incumbent is None:
        return res
    best = incumbent
    bound = lower
    if res.is_feasible:
        assign = np.where(res.assignment >= 0, kept[np.maximum(res.assignment, 0)], -1)
        bound = max(bound, res.bound)
        if best is None or res.objective <= best.objective:
            best = _result(kept[res.selected], assign, res.objective, res.bound, res.status,
                           start, solver=res.solver, message=res.message)  # fmt: skip
    elif np.isfinite(res.bound):
        bound = max(bound, res.bound)
    if best is None:
        return res
    status = "optimal" if res.status in ("optimal", "infeasible") else "time_limit"
    if res.status == "infeasible":  # the reduced model holds the incumbent: cannot happen
        bound = best.objective
    return _result(best.selected, best.assignment, best.objective, bound, status, start,
                   solver=best.solver, message=best.message)  # fmt: skip


def _lagrangian_fixing(
    wc: np.ndarray, lam: np.ndarray, p: int, fixed: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates that may be open (``keep``) and that must be open (``force``).

    At multipliers ``lam`` the Lagrangian picks the fixed candidates plus the ``k`` free
    ones with the lowest ``rho_j``. Forcing a free candidate in (out) changes the bound by
    swapping it with the k-th (k+1-th) best; when the bound then exceeds ``threshold`` no
    plan better than the incumbent does it.
    """
    m = wc.shape[1]
    keep = np.ones(m, bool)
    force = np.zeros(m, bool)
    if not np.isfinite(threshold):
        return keep, force
    rho = np.minimum(wc - lam[:, None], 0.0).sum(axis=0)
    free = np.setdiff1d(np.arange(m), fixed)
    k = p - len(fixed)
    order = free[np.argsort(rho[free], kind="stable")]
    value = lam.sum() + rho[fixed].sum() + rho[order[:k]].sum()
    if k >= 1:
        outside = order[k:]
        keep[outside[value + rho[outside] - rho[order[k - 1]] > threshold]] = False
    if k < len(order):
        inside = order[:k]
        force[inside[value - rho[inside] + rho[order[k]] > threshold]] = True
    return keep, force


def _probe(
    wc: np.ndarray,
    p: int,
    fixed: np.ndarray,
    incumbent: np.ndarray,
    keep: np.ndarray,
    force: np.ndarray,
    threshold: float,
    deadline: float | None,
) -> None:
    """Lagrangian probing on the kept candidates (updates ``keep`` and ``force`` in place).

    For each kept candidate outside the incumbent, re-optimise the multipliers with it forced
    open: a bound above ``threshold`` closes it. For each incumbent member, re-optimise with
    it removed: a bound above ``threshold`` forces it open. Only run when the reduced matrix
    is small enough (``n * m_kept^2 <= 5e6``) for the probes to be cheap.
    """
    kept = np.flatnonzero(keep)
    if len(kept) <= p or len(wc) * len(kept) ** 2 > 5e6:
        return
    sub = wc[:, kept]
    position = {int(j): k for k, j in enumerate(kept)}
    local_fixed = np.array([position[int(j)] for j in fixed], dtype=np.int64)
    for k, j in enumerate(kept):
        if deadline is not None and time.perf_counter() > deadline:
            return
        if j in fixed:
            continue
        if j in incumbent:
            others = np.delete(np.arange(len(kept)), k)
            rest_fixed = np.searchsorted(others, local_fixed)
            bound, _ = heur.lagrangian_bound(sub[:, others], p, rest_fixed, threshold,
                                             iterations=150)  # fmt: skip
            if bound > threshold:
                force[j] = True
        else:
            bound, _ = heur.lagrangian_bound(sub, p, np.r_[local_fixed, k], threshold,
                                             iterations=150)  # fmt: skip
            if bound > threshold:
                keep[j] = False


def _solve(
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
    _say(progress, f"{label}: MIP with {model.matrix.shape[0]:,} rows, "
                   f"{model.matrix.shape[1]:,} columns, {model.matrix.nnz:,} nonzeros")  # fmt: skip
    out = solve_mip(
        model.matrix, model.row_lb, model.row_ub, model.var_lb, model.var_ub,
        model.objective, model.integer, offset=model.offset, maximize=maximize, solver=solver,
        time_limit=_remaining(deadline), seed=seed, hint=hint, progress=progress, label=label,
        integral=integral,
    )  # fmt: skip
    _say(progress, f"{label}: MIP {out.status} {out.message[:300]} in {out.seconds:.1f} s, objective "
                   f"{out.objective:,.6g}, bound {out.bound:,.6g}")  # fmt: skip
    return out


def _capacitated(
    prob: _Problem,
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
    model = assignment_model(c, prob.weights, p=prob.p, open_lb=open_lb, loads=prob.loads,
                             capacities=prob.capacities, unassigned_cost=unassigned)  # fmt: skip
    out = _solve(model, deadline, seed, progress, solver, label)
    if out.status == "infeasible":
        return _infeasible(
            prob,
            f"no single-sourced assignment fits the capacities with {prob.p} candidates "
            "(the total fits, but not the individual loads on allowed pairs)",
            start, solver=solver,
        )  # fmt: skip
    if out.values is None:
        return _no_plan(prob, start, out, solver)
    selected, assign = _assignment_plan(model, out.values, c.shape[0])
    status = {"optimal": "optimal"}.get(out.status, "time_limit")
    done = np.flatnonzero(assign >= 0)
    objective = float((prob.weights[done] * c[done, assign[done]]).sum())
    if unassigned is not None:
        objective += float(unassigned[assign < 0].sum())
    return _result(selected, assign, objective, out.bound, status, start,
                   solver=f"{solver} assignment MIP", message=out.message)  # fmt: skip


def _assignment_plan(model: Model, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Open candidates and single-sourced assignment (-1: unassigned) of an x_ij / y_j solution."""
    assert model.pairs is not None
    m = model.m
    ii, jj = model.pairs
    chosen = values[m : m + len(ii)] > 0.5
    assign = np.full(n, -1, np.int64)
    assign[ii[chosen]] = jj[chosen]
    return np.flatnonzero(values[:m] > 0.5), assign


# --------------------------------------------------------------------------------------
# p-center
# --------------------------------------------------------------------------------------
def p_center(
    costs: np.ndarray,
    p: int,
    *,
    weights: np.ndarray | None = None,
    capacities: np.ndarray | None = None,
    loads: np.ndarray | None = None,
    fixed: Sequence[int] = (),
    max_cost: float | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
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
    ``objective`` is the radius). When the time limit stops the bisection, ``bound`` is the
    smallest radius not yet proven infeasible and the best plan found is returned.

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import p_center
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> p_center(costs, 2).objective
    3.0
    """
    start = time.perf_counter()
    prob = _validate(
        "p_center", costs, p, weights=weights, capacities=capacities, loads=loads,
        fixed=fixed, max_cost=max_cost, time_limit=time_limit,
    )  # fmt: skip
    deadline = None if time_limit is None else start + time_limit
    found = _precheck(prob)
    if found is not None:
        return _infeasible(prob, found[0], start, shortfall=found[1])
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
            best_sel, best_assign = sel, _nearest(wcost, sel)
            hi = int(np.searchsorted(radii, radius))
            _say(progress, f"p_center: heuristic radius {radius:,.6g}, lower bound {low_val:,.6g}")
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
        return _no_plan(prob, start, MipOutcome("time_limit", None, np.nan, radii[lo], 0.0), solver)
    if best_sel is None:
        msg = f"no set of {prob.p} candidates serves every demand within the capacities"
        return _infeasible(prob, msg, start, solver=solver)
    objective = float(wcost[np.arange(len(wcost)), best_assign].max())
    bound = float(radii[lo]) if lo < len(radii) else objective
    status = "optimal" if not timed_out else "time_limit"
    return _result(best_sel, best_assign, objective, bound, status, start,
                   solver=f"bisection + {solver} covering MIP")  # fmt: skip


def _cover(
    prob: _Problem,
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
        model = radius_median(np.where(np.isfinite(sub), 0.0, np.inf), np.ones(n), prob.p,
                              open_lb=open_lb)  # fmt: skip
    else:
        model = assignment_model(np.where(np.isfinite(sub), 0.0, np.inf), np.ones(n), p=prob.p,
                                 open_lb=open_lb, loads=prob.loads,
                                 capacities=prob.capacities)  # fmt: skip
    if deadline is not None and deadline - time.perf_counter() <= 0:
        return None
    out = _solve(model, deadline, seed, progress, solver, "p_center")
    if out.status == "infeasible":
        return False
    if out.values is None:
        return None
    if prob.capacities is None:
        selected = np.flatnonzero(out.values[:m] > 0.5)
        return selected, _nearest(sub, selected)
    return _assignment_plan(model, out.values, n)


# --------------------------------------------------------------------------------------
# maximal covering
# --------------------------------------------------------------------------------------
def max_coverage(
    costs: np.ndarray,
    p: int,
    max_cost: float,
    *,
    weights: np.ndarray | None = None,
    capacities: np.ndarray | None = None,
    loads: np.ndarray | None = None,
    fixed: Sequence[int] = (),
    time_limit: float | None = None,
    seed: int = 0,
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
    prob = _validate(
        "max_coverage", costs, p, weights=weights, capacities=capacities, loads=loads,
        fixed=fixed, max_cost=max_cost, time_limit=time_limit,
    )  # fmt: skip
    deadline = None if time_limit is None else start + time_limit
    found = _precheck(prob, every_demand=False)
    if found is not None:
        return _infeasible(prob, found[0], start, shortfall=found[1])
    cover = np.isfinite(prob.costs)
    total = float(prob.weights.sum())
    if prob.capacities is not None:
        zero = np.where(cover, 0.0, np.inf)
        res = _capacitated(prob, start, deadline, seed, progress, solver, label="max_coverage",
                           unassigned=prob.weights.copy(), objective_costs=zero)  # fmt: skip
        if res.status == "infeasible":
            return res
        assign = res.assignment
        covered = float(prob.weights[assign >= 0].sum())
        return _result(res.selected, assign, covered, total - res.bound, res.status, start,
                       solver=res.solver, message=res.message, maximize=True)  # fmt: skip
    miss = _Problem(np.where(cover, 0.0, 1.0), prob.weights, prob.p, prob.fixed, None, None)
    res = _uncapacitated_median(miss, start, deadline, seed, progress, "auto", solver)
    assign = _nearest(prob.costs, res.selected)
    covered = float(prob.weights[assign >= 0].sum())
    return _result(res.selected, assign, covered, total - res.bound, res.status, start,
                   solver=res.solver, message=res.message, maximize=True)  # fmt: skip
