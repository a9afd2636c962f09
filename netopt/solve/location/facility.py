r"""The capacitated fixed-charge location problem, single-sourced: :func:`fixed_charge_location`.

Open any number of candidates, each at a fixed cost, and send every demand to exactly one
open candidate, so that the fixed costs plus the assignment costs are least:

.. math::

    \min \sum_j f_j y_j + \sum_{(i,j) \in A} c_{ij} x_{ij} \quad \text{s.t.} \quad
    \sum_{j: (i,j) \in A} x_{ij} = 1 \;\forall i,\quad x_{ij} \le y_j,\quad
    \sum_i d_i x_{ij} \le Q_j y_j,\quad \sum_j y_j \le K,\quad
    y_j = 1 \;(j \in F),\quad x, y \in \{0, 1\}

with :math:`A` the allowed pairs (finite ``costs``), ``d`` the demands, ``Q`` the
capacities (``inf``: unconstrained, no row), ``K`` = ``max_open`` and ``F`` the ``fixed``
candidates. ``c_ij`` is the whole cost of serving demand i from j (it is not multiplied by
``d_i``: scale it before, if it should be). With finite capacities the aggregate cut
:math:`\sum_j Q_j y_j \ge \sum_i d_i` is added (it tightens the LP bound and changes no
plan). Simple reasons for infeasibility (a demand with no allowed candidate, too little
capacity in total or for one demand) are found before any solver runs and named with the
numbers; a greedy plan (add the best candidate while it helps, then drop the useless ones)
is the fallback when the time limit stops the MIP before it finds a plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix

from netopt._errors import DataError, Problem
from netopt.solve._models import Model
from netopt.solve.location._outcome import infeasible_result, no_plan_result, plan_result
from netopt.solve.location._problem import TOL, LocationProblem, say
from netopt.solve.location._steps import run_mip
from netopt.solve.params import SolverParams
from netopt.solve.result import SolveResult

__all__ = ["fixed_charge_location"]

_FUNC = "fixed_charge_location"


def fixed_charge_location(
    costs: np.ndarray,
    fixed_cost: np.ndarray,
    *,
    demand: np.ndarray | None = None,
    capacities: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    max_open: int | None = None,
    params: SolverParams | None = None,
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
) -> SolveResult:
    """Open candidates at a fixed cost and single-source every demand to an open one.

    The model is in the module docstring.

    Parameters
    ----------
    costs : numpy.ndarray
        ``(n_demands, n_candidates)`` cost of serving demand i from candidate j (the whole
        cost, e.g. yuan per year), >= 0; ``inf`` forbids a pair (e.g. beyond a time window).
    fixed_cost : numpy.ndarray
        ``(n_candidates,)`` cost of opening each candidate, finite and >= 0.
    demand : numpy.ndarray, optional
        ``(n_demands,)`` load of each demand on the capacity of its candidate (default 1).
    capacities : numpy.ndarray, optional
        ``(n_candidates,)`` capacity of each candidate, >= 0 (``inf``: unconstrained);
        default: no capacities.
    fixed : numpy.ndarray, optional
        ``(n_candidates,)`` bool mask (or a sequence of candidate indices) of the candidates
        that are always open (existing centres); their fixed cost counts in the objective.
    max_open : int, optional
        At most this many candidates open (fixed ones included); default: no limit.
    params : SolverParams, optional
        ``time_limit_s`` (wall-clock seconds of the whole call; None: until proven optimal)
        and ``seed`` (same seed, same answer). Default ``SolverParams()``.
    progress : callable, optional
        Receives one-line progress messages (also logged at INFO).
    solver : {"highs", "scip"}
        OR-Tools backend of the MIP.

    Returns
    -------
    SolveResult
        ``selected``: the open candidates (fixed ones, and those serving a demand);
        ``assignment``: the candidate of each demand; ``objective``: fixed plus assignment
        costs of the plan; ``bound``: a proven lower bound; ``status`` "optimal",
        "time_limit" (the best plan found, or none), or "infeasible" with ``message``
        naming the demands without an allowed candidate or the missing capacity
        (``shortfall``).

    Raises
    ------
    netopt.DataError
        For malformed arguments (every problem listed).

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import SolverParams, fixed_charge_location
    >>> costs = np.array([[0, 4, 9], [3, 0, 8], [9, 7, 0], [8, 9, 1]], float)
    >>> r = fixed_charge_location(costs, np.array([5.0, 5.0, 5.0]),
    ...                           params=SolverParams(time_limit_s=None))
    >>> r.selected.tolist(), r.objective, r.status
    ([0, 2], 14.0, 'optimal')
    """
    start = time.perf_counter()
    params = SolverParams() if params is None else params
    c, f, d, q, is_fixed, k = _validate(
        costs, fixed_cost, demand, capacities, fixed, max_open, params, solver
    )
    n, m = c.shape
    prob = LocationProblem(c, d, k, np.flatnonzero(is_fixed), d, q)
    found = _precheck(c, d, q, is_fixed, k)
    if found is not None:
        return infeasible_result(prob, found[0], start, shortfall=found[1])
    deadline = None if params.time_limit_s is None else start + params.time_limit_s
    greedy = _greedy(c, f, d, q, is_fixed, k)
    lower = _trivial_bound(c, f, is_fixed)
    say(progress, f"{_FUNC}: {n:,} demands, {m:,} candidates, greedy plan {greedy[0]:,.6g}")
    if not np.isfinite(q).any() and is_fixed.sum() == k:  # nothing to choose: nearest open
        assign = _nearest(c, is_fixed)
        lonely = np.flatnonzero(~np.isfinite(c[:, is_fixed]).any(axis=1))
        if len(lonely):
            message = (
                f"{len(lonely)} demand(s) have no allowed candidate among the {k} fixed ones "
                f"(max_open = {k}): indices {_shown(lonely)}"
            )
            return infeasible_result(prob, message, start, shortfall=float(d[lonely].sum()))
        obj = _objective(c, f, is_fixed, assign)
        return plan_result(
            np.flatnonzero(is_fixed), assign, obj, obj, "optimal", start,
            solver="evaluation of the fixed candidates",
        )  # fmt: skip
    model = _model(c, f, d, q, is_fixed, k)
    hint = (
        _hint(model, greedy[1], greedy[2]) if solver == "scip" and greedy[2] is not None else None
    )
    out = run_mip(model, deadline, params.seed, progress, solver, _FUNC, hint=hint)
    if out.status == "infeasible":
        return infeasible_result(
            prob,
            "no single-sourced assignment fits: the capacities hold the total demand, but not "
            f"the individual demands on their allowed candidates{_within(k, m)}",
            start,
            solver=solver,
        )
    plans = []
    if out.values is not None:
        assign = _read_assignment(model, out.values, n)
        if (assign >= 0).all():
            plans.append((_objective(c, f, is_fixed, assign), assign, "mip"))
    if greedy[2] is not None:
        plans.append((greedy[0], greedy[2], "greedy"))
    if not plans:
        return no_plan_result(prob, start, out, f"{solver} fixed-charge MIP")
    objective, assign, source = min(plans, key=lambda p: (p[0], p[2] != "mip"))
    open_ = is_fixed.copy()
    open_[assign] = True
    bound = max(lower, float(out.bound)) if np.isfinite(out.bound) else lower
    status = "optimal" if out.status == "optimal" else "time_limit"
    if out.status == "error":
        status = "feasible"
    used = (
        f"{solver} fixed-charge MIP" if source == "mip" else f"greedy ({solver} MIP: {out.status})"
    )
    return plan_result(
        np.flatnonzero(open_), assign, objective, bound, status, start,
        message=out.message, solver=used,
    )  # fmt: skip


# ----------------------------------------------------------------------------------------
# arguments and prechecks
# ----------------------------------------------------------------------------------------
def _validate(
    costs: object,
    fixed_cost: object,
    demand: object,
    capacities: object,
    fixed: object,
    max_open: object,
    params: object,
    solver: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Check every argument in one pass; raise one DataError listing every problem.

    Returns costs, fixed costs, demands, capacities (inf: none), the fixed mask and the
    largest number of open candidates.
    """
    if not isinstance(params, SolverParams):
        raise TypeError(f"{_FUNC}: params must be a SolverParams, found {type(params).__name__}")
    problems: list[Problem] = []

    def bad(field: str, found: str, fix: str) -> None:
        problems.append(Problem(_FUNC, "", field, found, fix))

    try:
        c = np.array(costs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(
            Problem(_FUNC, "", "costs", f"not numeric ({exc})", "pass a 2-D float array")
        ) from None
    if c.ndim != 2 or 0 in c.shape:
        raise DataError(
            Problem(_FUNC, "", "costs", f"shape {c.shape}",
                    "pass a 2-D (demands x candidates) array with at least one of each")
        )  # fmt: skip
    n, m = c.shape
    if np.isnan(c).any():
        rows = np.unique(np.nonzero(np.isnan(c))[0])[:10].tolist()
        bad("costs", f"NaN in rows {rows}", "use inf for forbidden pairs, never NaN")
    if (c < 0).any():
        bad("costs", f"{int((c < 0).sum())} negative entries", "costs must be >= 0")
    f = _vector(fixed_cost, m, "fixed_cost", bad, default=None, allow_inf=False)
    d = _vector(demand, n, "demand", bad, default=1.0, allow_inf=False)
    q = _vector(capacities, m, "capacities", bad, default=np.inf, allow_inf=True)
    is_fixed = _mask(fixed, m, bad)
    k = m
    if max_open is not None:
        if isinstance(max_open, bool) or not isinstance(max_open, (int, np.integer)):
            bad("max_open", repr(max_open), "pass a whole number >= 1, or None")
        elif not 1 <= max_open:
            bad("max_open", str(max_open), "pass a whole number >= 1, or None")
        elif max_open < is_fixed.sum():
            bad("max_open", str(max_open),
                f"allow at least the {int(is_fixed.sum())} fixed candidates")  # fmt: skip
        else:
            k = min(int(max_open), m)
    if solver not in ("highs", "scip"):
        bad("solver", repr(solver), 'use "highs" or "scip"')
    if problems:
        raise DataError(problems)
    return c, f, d, q, is_fixed, k  # type: ignore[return-value]


def _vector(
    value: object,
    size: int,
    name: str,
    bad: Callable[[str, str, str], None],
    *,
    default: float | None,
    allow_inf: bool,
) -> np.ndarray:
    if value is None:
        if default is None:
            bad(name, "None", f"pass {size} values")
            return np.zeros(size)
        return np.full(size, float(default))
    try:
        arr = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        bad(name, f"not numeric ({type(value).__name__})", f"pass {size} numbers")
        return np.zeros(size)
    if arr.shape != (size,):
        bad(name, f"length {arr.size}", f"pass {size} values")
        return np.zeros(size)
    ok = np.isfinite(arr) | (allow_inf & (arr == np.inf))
    if not ok.all() or (arr < 0).any():
        fix = (
            "values must be >= 0 (inf: unconstrained)"
            if allow_inf
            else "values must be finite and >= 0"
        )
        bad(name, "negative, NaN or inf values", fix)
        return np.zeros(size)
    return arr


def _mask(fixed: object, m: int, bad: Callable[[str, str, str], None]) -> np.ndarray:
    """The fixed candidates as a bool mask (from a mask or a sequence of indices)."""
    mask = np.zeros(m, bool)
    if fixed is None:
        return mask
    arr = np.asarray(fixed)
    if arr.dtype == bool:
        if arr.shape != (m,):
            bad("fixed", f"bool mask of length {arr.size}", f"pass {m} values, one per candidate")
            return mask
        return arr.copy()
    arr = arr.ravel()
    if arr.size and arr.dtype.kind not in "iu":
        bad("fixed", f"dtype {arr.dtype}", "pass a bool mask or candidate indices")
        return mask
    if arr.size and (arr.min() < 0 or arr.max() >= m):
        bad("fixed", str(arr.tolist()[:20]), f"indices must lie in 0..{m - 1}")
        return mask
    mask[arr.astype(np.int64)] = True
    return mask


def _within(k: int, m: int) -> str:
    return f" with at most {k} open candidates" if k < m else ""


def _precheck(
    c: np.ndarray, d: np.ndarray, q: np.ndarray, is_fixed: np.ndarray, k: int
) -> tuple[str, float] | None:
    """(message, missing capacity) when the instance is infeasible for a simple reason."""
    allowed = np.isfinite(c)
    lonely = np.flatnonzero(~allowed.any(axis=1))
    if len(lonely):
        message = (
            f"{len(lonely)} demand(s) have no allowed candidate (every cost is inf): "
            f"indices {_shown(lonely)}"
        )
        return message, float(d[lonely].sum())
    fits = allowed & (d[:, None] <= q[None, :] + TOL)
    big = np.flatnonzero(~fits.any(axis=1))
    if len(big):
        most = np.where(allowed[big], q[None, :], 0.0).max(axis=1)
        missing = float((d[big] - most).sum())
        message = (
            f"{len(big)} demand(s) are larger than the capacity of every allowed candidate: "
            f"indices {_shown(big)} (demand {_shown(d[big], num=True)} against at most "
            f"{_shown(most, num=True)}; {missing:,.6g} missing)"
        )
        return message, missing
    total = float(d.sum())
    free = np.sort(q[~is_fixed])[::-1][: k - int(is_fixed.sum())]
    best = float(q[is_fixed].sum() + free.sum())
    if total > best + TOL * max(1.0, total):
        what = f"the {k} largest candidates" if not is_fixed.any() else (
            f"the {int(is_fixed.sum())} fixed and {k - int(is_fixed.sum())} largest other "
            "candidates"
        )  # fmt: skip
        message = (
            f"total demand {total:,.6g} exceeds the capacity of {what}, {best:,.6g} "
            f"({total - best:,.6g} missing)"
        )
        return message, total - best
    return None


def _shown(values: np.ndarray, *, num: bool = False) -> str:
    items = [f"{v:,.6g}" for v in values[:20]] if num else [str(v) for v in values[:20].tolist()]
    return ", ".join(items) + (" ..." if len(values) > 20 else "")


# ----------------------------------------------------------------------------------------
# plans: evaluation, greedy, bound
# ----------------------------------------------------------------------------------------
def _objective(c: np.ndarray, f: np.ndarray, is_fixed: np.ndarray, assign: np.ndarray) -> float:
    """Fixed costs of the fixed and used candidates plus the assignment costs."""
    open_ = is_fixed.copy()
    open_[assign] = True
    return float(f[open_].sum() + c[np.arange(len(c)), assign].sum())


def _nearest(c: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """Cheapest open candidate of each demand (ties to the lowest index)."""
    sub = np.where(open_[None, :], c, np.inf)
    return np.argmin(sub, axis=1).astype(np.int64)


def _assign(
    c: np.ndarray, d: np.ndarray, q: np.ndarray, open_: np.ndarray
) -> tuple[float, np.ndarray]:
    """Greedy single-sourced assignment to the open candidates: (unplaced demand, assignment).

    Uncapacitated: every demand to its cheapest open candidate. Capacitated: the largest
    demands first, each to its cheapest open candidate with room left. ``-1``: unplaced.
    """
    sub = np.where(open_[None, :], c, np.inf)
    if not np.isfinite(q[open_]).any():
        assign = np.argmin(sub, axis=1).astype(np.int64)
        lost = ~np.isfinite(sub[np.arange(len(c)), assign])
        assign[lost] = -1
        return float(d[lost].sum() + lost.sum()), assign
    room = q.copy()
    assign = np.full(len(c), -1, np.int64)
    for i in np.argsort(-d, kind="stable"):
        row = np.where(d[i] <= room + TOL, sub[i], np.inf)
        j = int(np.argmin(row))
        if np.isfinite(row[j]):
            assign[i] = j
            room[j] -= d[i]
    lost = assign < 0
    return float(d[lost].sum() + lost.sum()), assign


def _score(
    c: np.ndarray, f: np.ndarray, d: np.ndarray, q: np.ndarray, open_: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """(unplaced demand, cost, assignment) of the plan that opens ``open_``."""
    lost, assign = _assign(c, d, q, open_)
    placed = assign >= 0
    cost = float(f[open_].sum() + c[np.flatnonzero(placed), assign[placed]].sum())
    return lost, cost, assign


def _greedy(
    c: np.ndarray, f: np.ndarray, d: np.ndarray, q: np.ndarray, is_fixed: np.ndarray, k: int
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Add the candidate that helps most while one helps, then drop the useless ones.

    Returns (objective, open mask, assignment); objective ``inf`` and no assignment when
    the greedy plan leaves a demand unplaced.
    """
    m = c.shape[1]
    open_ = is_fixed.copy()
    best = _score(c, f, d, q, open_)
    while open_.sum() < k:
        trials = []
        for j in np.flatnonzero(~open_):
            trial = open_.copy()
            trial[j] = True
            lost, cost, _ = _score(c, f, d, q, trial)
            trials.append((lost, cost, int(j)))
        lost, cost, j = min(trials)
        if (lost, cost) >= best[:2]:
            break
        open_[j] = True
        best = _score(c, f, d, q, open_)
    for j in np.flatnonzero(open_ & ~is_fixed):  # drop candidates that do not pay for themselves
        trial = open_.copy()
        trial[j] = False
        score = _score(c, f, d, q, trial)
        if score[:2] <= best[:2]:
            open_, best = trial, score
    if best[0] > 0:
        return np.inf, open_, None
    assign = best[2]
    return (
        _objective(c, f, is_fixed, assign),
        open_ | (np.bincount(assign, minlength=m) > 0),
        assign,
    )


def _trivial_bound(c: np.ndarray, f: np.ndarray, is_fixed: np.ndarray) -> float:
    """Fixed costs of the fixed candidates plus each demand's cheapest allowed pair."""
    return float(f[is_fixed].sum() + np.min(c, axis=1).sum())


# ----------------------------------------------------------------------------------------
# the MIP
# ----------------------------------------------------------------------------------------
def _model(
    c: np.ndarray, f: np.ndarray, d: np.ndarray, q: np.ndarray, is_fixed: np.ndarray, k: int
) -> Model:
    """Columns ``y`` (m), then ``x`` per allowed pair; rows::

    sum_j x_ij = 1                       every demand i
    x_ij - y_j <= 0                      every allowed pair
    sum_i d_i x_ij - Q_j y_j <= 0        every candidate with a finite capacity
    sum_j y_j <= K                       when K < m
    sum_j Q_j y_j >= sum_i d_i           when every capacity is finite
    """
    n, m = c.shape
    ii, jj = np.nonzero(np.isfinite(c))
    e = len(ii)
    x = m + np.arange(e)
    rows = [ii, n + np.arange(e), n + np.arange(e)]
    cols = [x, x, jj]
    vals = [np.ones(e), np.ones(e), -np.ones(e)]
    lb = [np.ones(n), np.full(e, -np.inf)]
    ub = [np.ones(n), np.zeros(e)]
    row = n + e
    capped = np.flatnonzero(np.isfinite(q))
    if len(capped):
        where = np.full(m, -1)
        where[capped] = row + np.arange(len(capped))
        on = where[jj] >= 0
        rows += [where[jj[on]], where[capped]]
        cols += [x[on], capped]
        vals += [d[ii[on]], -q[capped]]
        lb.append(np.full(len(capped), -np.inf))
        ub.append(np.zeros(len(capped)))
        row += len(capped)
    if k < m:
        rows.append(np.full(m, row))
        cols.append(np.arange(m))
        vals.append(np.ones(m))
        lb.append(np.array([-np.inf]))
        ub.append(np.array([float(k)]))
        row += 1
    if len(capped) == m:
        rows.append(np.full(m, row))
        cols.append(np.arange(m))
        vals.append(q.copy())
        lb.append(np.array([float(d.sum())]))
        ub.append(np.array([np.inf]))
        row += 1
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(row, m + e),
    ).tocsr()
    return Model(
        matrix=matrix,
        row_lb=np.concatenate(lb),
        row_ub=np.concatenate(ub),
        var_lb=np.r_[is_fixed.astype(float), np.zeros(e)],
        var_ub=np.ones(m + e),
        objective=np.r_[f, c[ii, jj]],
        integer=np.ones(m + e, bool),
        offset=0.0,
        m=m,
        pairs=(ii, jj),
    )


def _read_assignment(model: Model, values: np.ndarray, n: int) -> np.ndarray:
    """The candidate of each demand in a MIP solution (-1: none chosen)."""
    assert model.pairs is not None
    ii, jj = model.pairs
    chosen = values[model.m : model.m + len(ii)] > 0.5
    assign = np.full(n, -1, np.int64)
    assign[ii[chosen]] = jj[chosen]
    return assign


def _hint(model: Model, open_: np.ndarray, assign: np.ndarray) -> np.ndarray:
    """The full solution vector of a plan (a SCIP start)."""
    assert model.pairs is not None
    ii, jj = model.pairs
    hint = np.zeros(model.matrix.shape[1])
    hint[: model.m] = open_
    hint[model.m :] = assign[ii] == jj
    return hint
