r"""Assign leads to at most one partner each under the partners' capacities: exact search.

.. math::

    \min \sum_l \Bigl( u_l \bigl(1 - \sum_k x_{lk}\bigr) + \sum_k c_{lk} x_{lk} \Bigr)
    \quad \text{s.t.} \quad \sum_k x_{lk} \le 1,\;
    \sum_l r_{lk} x_{lk} \le Q_k,\; x \in \{0, 1\}

with :math:`u_l` the cost of lead :math:`l` unhosted, :math:`c_{lk}` its cost hosted by
partner :math:`k` (``inf``: not allowed), :math:`r_{lk}` the load it puts on :math:`k` and
:math:`Q_k` the capacity. A generalised assignment problem with an "unassigned" option, so
always feasible. The p-median of :mod:`netopt.solve` takes one load per demand, not per
(demand, candidate) pair, so this small model is solved here by depth-first branch and bound:
leads in order of decreasing regret, partners by increasing cost, the bound
:math:`\sum_l \min(u_l, \min_k c_{lk})` of the leads not yet placed (capacities relaxed).
Deterministic (no seed is needed: the same data give the same answer); a wall-clock limit
returns the best assignment found with status ``"time_limit"`` and the relaxed bound.
"""

from __future__ import annotations

import time

import numpy as np

from netopt._errors import DataError, Problem
from netopt.solve import SolveResult, SolverParams

__all__ = ["assign_partners"]

_TOL = 1e-9


def _check(cost: np.ndarray, load: np.ndarray, capacity: np.ndarray, unhosted: np.ndarray) -> None:
    problems = []
    if cost.ndim != 2:
        raise DataError(Problem("assign_partners", "", "cost", f"shape {cost.shape}",
                                "pass an (L, K) array"))  # fmt: skip
    n, m = cost.shape
    for name, arr, shape in (("load", load, (n, m)), ("capacity", capacity, (m,)),
                             ("unhosted", unhosted, (n,))):  # fmt: skip
        if arr.shape != shape:
            problems.append(Problem("assign_partners", "", name, f"shape {arr.shape}",
                                    f"pass an array of shape {shape}"))  # fmt: skip
    if problems:
        raise DataError(problems)
    if np.isnan(cost).any() or (cost < 0).any():
        problems.append(Problem("assign_partners", "", "cost", "NaN or negative",
                                "use costs >= 0 (inf: not allowed)"))  # fmt: skip
    if not np.isfinite(unhosted).all() or (unhosted < 0).any():
        problems.append(Problem("assign_partners", "", "unhosted", "not finite >= 0",
                                "use finite costs >= 0"))  # fmt: skip
    if not np.isfinite(load).all() or (load < 0).any():
        problems.append(Problem("assign_partners", "", "load", "not finite >= 0",
                                "use loads >= 0"))  # fmt: skip
    if np.isnan(capacity).any() or (capacity < 0).any():
        problems.append(Problem("assign_partners", "", "capacity", "NaN or negative",
                                "use capacities >= 0 (inf: no limit)"))  # fmt: skip
    if problems:
        raise DataError(problems)


def assign_partners(
    cost: np.ndarray,
    load: np.ndarray,
    capacity: np.ndarray,
    unhosted: np.ndarray,
    *,
    params: SolverParams = SolverParams(),
) -> SolveResult:
    """Solve the assignment of the module docstring exactly (or to the time limit).

    Parameters
    ----------
    cost : numpy.ndarray, shape (L, K)
        Cost of each lead hosted by each partner (>= 0; ``inf``: not allowed).
    load : numpy.ndarray, shape (L, K)
        Load on the partner (>= 0).
    capacity : numpy.ndarray, shape (K,)
        Capacity of each partner (>= 0; ``inf``: no limit).
    unhosted : numpy.ndarray, shape (L,)
        Cost of each lead without a partner (finite, >= 0).
    params : SolverParams, optional
        ``time_limit_s`` (wall clock; None: to optimality). ``seed`` is not needed.

    Returns
    -------
    SolveResult
        ``assignment[l]``: partner index or -1 (unhosted); ``selected``: the partners used;
        ``objective`` the total cost, ``bound`` a proven lower bound, ``solver``
        ``"branch-and-bound"``.

    Raises
    ------
    DataError
        Wrong shapes or values.

    Examples
    --------
    >>> r = assign_partners(np.array([[1.0, 2.0], [1.0, 3.0]]), np.ones((2, 2)),
    ...                     np.array([1.0, 1.0]), np.array([5.0, 5.0]))
    >>> r.assignment.tolist(), r.objective
    ([1, 0], 3.0)
    """
    start = time.perf_counter()
    cost, load = np.asarray(cost, float), np.asarray(load, float)
    capacity, unhosted = np.asarray(capacity, float), np.asarray(unhosted, float)
    _check(cost, load, capacity, unhosted)
    n, m = cost.shape
    deadline = None if params.time_limit_s is None else start + float(params.time_limit_s)
    allowed = np.isfinite(cost) & (load <= capacity[None, :] + _TOL)
    best_each = np.minimum(unhosted, np.where(allowed, cost, np.inf).min(axis=1, initial=np.inf))
    second = np.sort(np.column_stack([np.where(allowed, cost, np.inf), unhosted]), axis=1)
    regret = second[:, 1] - second[:, 0] if m else np.zeros(n)
    order = np.lexsort((np.arange(n), -np.nan_to_num(regret, posinf=1e300)))
    tail = np.concatenate([np.cumsum(best_each[order][::-1])[::-1], [0.0]])
    options = []
    for lead in order:
        ks = [int(k) for k in np.flatnonzero(allowed[lead])]
        ks.sort(key=lambda k: (cost[lead, k], k))
        choices = [(float(cost[lead, k]), k) for k in ks] + [(float(unhosted[lead]), -1)]
        choices.sort(key=lambda c: (c[0], c[1] < 0, c[1]))
        options.append(choices)
    best_assign = np.full(n, -1, dtype=np.int64)
    best_value = float(unhosted.sum())
    left = capacity.copy()
    current = np.full(n, -1, dtype=np.int64)
    stopped = False
    nodes = 0

    def search(depth: int, value: float) -> None:
        nonlocal best_value, stopped, nodes
        if stopped:
            return
        nodes += 1
        if deadline is not None and nodes % 1024 == 0 and time.perf_counter() > deadline:
            stopped = True
            return
        if value + tail[depth] >= best_value - _TOL * max(1.0, abs(best_value)):
            return
        if depth == n:
            best_value = value
            best_assign[:] = current
            return
        lead = order[depth]
        for c, k in options[depth]:
            if k >= 0:
                if load[lead, k] > left[k] + _TOL:
                    continue
                left[k] -= load[lead, k]
            current[lead] = k
            search(depth + 1, value + c)
            current[lead] = -1
            if k >= 0:
                left[k] += load[lead, k]

    search(0, 0.0)
    bound = float(min(best_value, tail[0])) if stopped else best_value
    gap = abs(best_value - bound) / max(abs(best_value), 1e-9)
    status = "time_limit" if stopped else "optimal"
    used = np.unique(best_assign[best_assign >= 0])
    return SolveResult(
        selected=used,
        assignment=best_assign,
        objective=best_value,
        bound=bound,
        gap=0.0 if status == "optimal" else gap,
        status=status,
        seconds=time.perf_counter() - start,
        message=f"{nodes:,} nodes; {n} lead(s), {m} candidate partner(s)",
        solver="branch-and-bound",
    )
