"""Input of every location model: one checked :class:`LocationProblem`, and prechecks.

:func:`validate_problem` checks every argument of :func:`~netopt.solve.p_median`,
:func:`~netopt.solve.p_center` and :func:`~netopt.solve.max_coverage` in one pass and raises
one :class:`~netopt.DataError` listing every problem; :func:`precheck` finds the simple
reasons an instance has no plan (a demand without an allowed candidate, too little capacity),
with the numbers in the message, before any solver runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from netopt._errors import DataError, Problem
from netopt.solve.params import SolverParams

__all__ = ["TOL", "LocationProblem", "Progress", "precheck", "say", "validate_problem"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None] | None
TOL = 1e-6


@dataclass(frozen=True)
class LocationProblem:
    costs: np.ndarray  # float, inf = forbidden (after max_cost)
    weights: np.ndarray
    p: int
    fixed: np.ndarray
    loads: np.ndarray | None
    capacities: np.ndarray | None


def validate_problem(
    func: str,
    costs: object,
    p: object,
    *,
    weights: object,
    capacities: object,
    loads: object,
    fixed: Sequence[int],
    max_cost: float | None,
    params: object,
    method: str = "auto",
    soft_capacity: object = False,
) -> LocationProblem:
    """Check every argument in one pass; raise one DataError listing every problem.

    A ``params`` that is not a :class:`~netopt.solve.SolverParams` is a ``TypeError``.
    """
    if not isinstance(params, SolverParams):
        raise TypeError(f"{func}: params must be a SolverParams, found {type(params).__name__}")
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
    cap = (
        _vector(capacities, m, "capacities", bad, allow_inf=soft_capacity is True)
        if capacities is not None
        else None
    )
    if (ld is None) != (cap is None):
        bad(
            "capacities/loads",
            "only one of them given",
            "give both capacities and loads, or neither",
        )
    if max_cost is not None and not (np.isfinite(max_cost) and max_cost >= 0):
        bad("max_cost", str(max_cost), "pass a finite cost >= 0 or None")
    if not isinstance(soft_capacity, bool):
        bad("soft_capacity", repr(soft_capacity), "use True or False")
    elif soft_capacity and cap is None:
        bad("soft_capacity", "True without capacities", "give capacities and loads with it")
    if method not in ("auto", "exact", "heuristic"):
        bad("method", repr(method), 'use "auto", "exact" or "heuristic"')
    if problems:
        raise DataError(problems)
    if max_cost is not None:
        c = np.where(c <= max_cost, c, np.inf)
    return LocationProblem(c, w, int(p), np.sort(fixed_arr), ld, cap)


def _vector(
    value: object,
    size: int,
    name: str,
    bad: Callable[[str, str, str], None],
    default: float = 0.0,
    *,
    allow_inf: bool = False,
) -> np.ndarray:
    if value is None:
        return np.full(size, default)
    arr = np.asarray(value, dtype=float).ravel()
    if arr.shape != (size,):
        bad(name, f"length {arr.size}", f"pass {size} values")
        return np.full(size, default)
    finite = np.isfinite(arr) | (allow_inf & (arr == np.inf))
    if not finite.all() or (arr < 0).any():
        fix = (
            "values must be >= 0 (inf: unconstrained)"
            if allow_inf
            else "values must be finite and >= 0"
        )
        bad(name, "negative, NaN or inf values", fix)
        return np.full(size, default)
    return arr


def precheck(prob: LocationProblem, *, every_demand: bool = True) -> tuple[str, float] | None:
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
    if total > best + TOL:
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
        fit = allowed & (load[:, None] <= cap[None, :] + TOL)
        big = np.flatnonzero(~fit.any(axis=1))
        if len(big):
            message = (
                f"{len(big)} demand(s) have a load larger than every allowed candidate's capacity: "
                f"indices {big[:20].tolist()} (shortfall {load[big].sum():,.6g})"
            )
            return message, float(load[big].sum())
    return None


def say(progress: Progress, message: str) -> None:
    """Log ``message`` at INFO and hand it to ``progress`` (if given)."""
    logger.info(message)
    if progress is not None:
        progress(message)
