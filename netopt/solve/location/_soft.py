"""Pieces of the soft-capacity models: the MIP matrix, the overflow of a plan, the repair.

:func:`soft_model` builds the single-sourced x_ij / y_j model with one overflow column per
capacitated candidate (phase 1 minimises the overflow, phase 2 the cost under an overflow
budget); :func:`capacity_overflow` measures a plan; :func:`repair` is the local search that
gives every soft-capacity solve a plan before any MIP runs.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.sparse import coo_matrix

from netopt.solve._models import Model

__all__ = ["capacity_overflow", "lexi_better", "repair", "soft_model"]


def capacity_overflow(
    assignment: np.ndarray, loads: np.ndarray, capacities: np.ndarray
) -> np.ndarray:
    """Load above capacity of every candidate, ``max(0, sum_{i: a(i) = j} load_i - cap_j)``.

    Parameters
    ----------
    assignment : numpy.ndarray
        Candidate of each demand (``-1``: unassigned, counted nowhere).
    loads : numpy.ndarray
        Load of each demand.
    capacities : numpy.ndarray
        Capacity of each candidate (``inf``: unconstrained, never overflows).

    Returns
    -------
    numpy.ndarray
        One value >= 0 per candidate.

    Examples
    --------
    >>> capacity_overflow(np.array([0, 0, 1]), np.array([2.0, 3, 1]), np.array([4.0, np.inf]))
    array([1., 0.])
    """
    assignment = np.asarray(assignment, dtype=np.int64)
    caps = np.asarray(capacities, dtype=float)
    used = assignment >= 0
    load = np.bincount(assignment[used], np.asarray(loads, float)[used], minlength=len(caps))
    return np.where(
        np.isfinite(caps), np.maximum(load - np.where(np.isfinite(caps), caps, 0), 0), 0
    )


def lexi_better(a: tuple[float, float], b: tuple[float, float], tol: float) -> bool:
    """True when (overflow, cost) ``a`` beats ``b``: less overflow (by more than ``tol``), or
    the same overflow (within ``tol``) and a lower cost."""
    if a[0] < b[0] - tol:
        return True
    return a[0] <= b[0] + tol and a[1] < b[1] - 1e-9 * max(1.0, abs(b[1]))


def soft_model(
    costs: np.ndarray,
    weights: np.ndarray,
    *,
    p: int,
    open_lb: np.ndarray,
    loads: np.ndarray,
    capacities: np.ndarray,
    budget: float | None,
) -> Model:
    r"""The soft-capacity x_ij / y_j / o_j MIP (columns y, then x, then o).

    .. math::

        \sum_j x_{ij} = 1,\quad x_{ij} \le y_j,\quad \sum_j y_j = p,\quad
        \sum_i \ell_i x_{ij} - o_j \le Q_j \;(Q_j < \infty),\quad o_j \ge 0

    ``budget=None`` (phase 1): minimise :math:`\sum_j o_j`. Otherwise (phase 2): minimise
    :math:`\sum_{ij} w_i c_{ij} x_{ij}` subject to :math:`\sum_j o_j \le` ``budget``.
    Writing the overflow row with the constant :math:`Q_j` (not :math:`Q_j y_j`) is valid
    (a closed candidate has no load) and gives the tighter LP. Only finite-cost pairs get an
    ``x`` column.
    """
    n, m = costs.shape
    ii, jj = np.nonzero(np.isfinite(costs))
    e = len(ii)
    capped = np.flatnonzero(np.isfinite(capacities))
    k = len(capped)
    slot = np.full(m, -1)
    slot[capped] = np.arange(k)
    x0, o0 = m, m + e
    r_link, r_card, r_over = n, n + e, n + e + 1
    n_rows = r_over + k + (budget is not None)
    on_cap = slot[jj] >= 0
    rows = [ii, r_link + np.arange(e), r_link + np.arange(e), np.full(m, r_card)]
    cols = [x0 + np.arange(e), x0 + np.arange(e), jj, np.arange(m)]
    vals = [np.ones(e), np.ones(e), -np.ones(e), np.ones(m)]
    rows += [r_over + slot[jj[on_cap]], r_over + np.arange(k)]
    cols += [x0 + np.flatnonzero(on_cap), o0 + np.arange(k)]
    vals += [np.asarray(loads, float)[ii[on_cap]], -np.ones(k)]
    row_lb = np.r_[np.ones(n), np.full(e, -np.inf), p, np.full(k, -np.inf)]
    row_ub = np.r_[np.ones(n), np.zeros(e), p, np.asarray(capacities, float)[capped]]
    if budget is None:
        objective = np.r_[np.zeros(m + e), np.ones(k)]
    else:
        rows.append(np.full(k, n_rows - 1))
        cols.append(o0 + np.arange(k))
        vals.append(np.ones(k))
        row_lb, row_ub = np.r_[row_lb, -np.inf], np.r_[row_ub, budget]
        objective = np.r_[np.zeros(m), weights[ii] * costs[ii, jj], np.zeros(k)]
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, m + e + k),
    ).tocsr()
    return Model(
        matrix=matrix,
        row_lb=row_lb,
        row_ub=row_ub,
        var_lb=np.r_[np.asarray(open_lb, float), np.zeros(e + k)],
        var_ub=np.r_[np.ones(m + e), np.full(k, np.inf)],
        objective=objective,
        integer=np.r_[np.ones(m + e, bool), np.zeros(k, bool)],
        offset=0.0,
        m=m,
        pairs=(ii, jj),
    )


def repair(
    costs: np.ndarray,
    weights: np.ndarray,
    loads: np.ndarray,
    capacities: np.ndarray,
    selected: np.ndarray,
    *,
    tol: float,
    deadline: float | None = None,
    max_moves: int = 100_000,
) -> np.ndarray | None:
    """Assign every demand to an allowed candidate of ``selected``, lexicographically best
    (total overflow, then weighted cost) by single-demand moves.

    Start: each demand on its cheapest allowed selected candidate. Step: among all moves of
    one demand to another allowed selected candidate, take the one that lowers the total
    overflow most (ties and equal overflow: the largest cost saving, then the lowest demand
    and candidate index); stop when no move lowers (overflow, cost). Returns None when a
    demand has no allowed candidate in ``selected``.
    """
    selected = np.asarray(selected, dtype=np.int64)
    sub = costs[:, selected]
    allowed = np.isfinite(sub)
    if not allowed.any(axis=1).all():
        return None
    wc = np.where(allowed, sub, 0.0) * weights[:, None]
    caps = np.asarray(capacities, float)[selected]
    capped = np.isfinite(caps)
    q = np.where(capped, caps, 0.0)
    n = len(sub)
    rows = np.arange(n)
    pos = np.argmin(np.where(allowed, sub, np.inf), axis=1)
    loads = np.asarray(loads, float)
    load = np.bincount(pos, loads, minlength=len(selected))
    eps = 1e-12 * max(1.0, float(np.abs(wc).sum()))
    flat_tol = 1e-12 * max(1.0, float(loads.sum()))  # a cost move never adds overflow
    for _ in range(max_moves):
        if deadline is not None and time.perf_counter() > deadline:
            break
        over = np.where(capped, np.maximum(load - q, 0.0), 0.0)
        here = pos
        # overflow change of leaving the current candidate and of joining candidate k
        left = load[here] - loads
        d_leave = np.where(capped[here], np.maximum(left - q[here], 0.0), 0.0) - over[here]
        d_join = np.where(capped, np.maximum(load[None, :] + loads[:, None] - q, 0.0), 0.0) - over
        d_over = d_leave[:, None] + d_join
        d_cost = wc - wc[rows, here][:, None]
        ok = allowed.copy()
        ok[rows, here] = False
        gain = (d_over < -tol) | ((d_over <= flat_tol) & (d_cost < -eps))
        gain &= ok
        if not gain.any():
            break
        key_over = np.where(gain, d_over, np.inf)
        best_over = key_over.min()
        tie = gain & (key_over <= best_over + tol)
        flat = int(np.argmin(np.where(tie, d_cost, np.inf)))
        i, kk = divmod(flat, len(selected))
        load[pos[i]] -= loads[i]
        load[kk] += loads[i]
        pos[i] = kk
    return selected[pos]
