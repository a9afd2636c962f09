"""Sparse MIP matrices of the location models, built with numpy only (no row loops).

Each builder returns a :class:`Model`: the arrays that :func:`netopt.solve._mip.solve_mip`
takes, plus what is needed to read a plan back from the solution vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

__all__ = ["Model", "assignment_model", "radius_hint", "radius_median"]


@dataclass(frozen=True)
class Model:
    """A MIP ``min c @ x + offset`` s.t. ``row_lb <= A @ x <= row_ub``, ``lb <= x <= ub``.

    The first ``m`` columns are always the open/closed variables ``y_j`` of the candidates.
    ``pairs`` (assignment models only) lists the (demand, candidate) of each ``x`` column,
    which start at column ``m``.
    """

    matrix: csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    var_lb: np.ndarray
    var_ub: np.ndarray
    objective: np.ndarray
    integer: np.ndarray
    offset: float
    m: int
    pairs: tuple[np.ndarray, np.ndarray] | None = None
    levels: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _levels(
    costs: np.ndarray, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct finite cost levels per demand, cut where any p-set must already serve it.

    Returns ``lev[i, j]`` (level index of c_ij; levels counted from 0 per demand), ``K[i]``
    (number of kept levels above level 0), and the (demand, value, index) of every kept level.
    A level l is kept while fewer than ``m - p + 1`` candidates are strictly cheaper: beyond
    that, every set of p candidates contains a cheaper one.
    """
    m = costs.shape[1]
    order = np.argsort(costs, axis=1, kind="stable")
    ranked = np.take_along_axis(costs, order, axis=1)
    new = np.ones_like(ranked, dtype=bool)
    new[:, 1:] = ranked[:, 1:] != ranked[:, :-1]
    lev_ranked = np.cumsum(new, axis=1) - 1
    lev = np.empty_like(lev_ranked)
    np.put_along_axis(lev, order, lev_ranked, axis=1)
    kept = new & np.isfinite(ranked) & (np.arange(m)[None, :] <= m - p)
    K = kept.sum(axis=1) - 1
    rows, pos = np.nonzero(kept)
    return lev, K, rows, ranked[rows, pos], lev_ranked[rows, pos]


def radius_median(costs: np.ndarray, weights: np.ndarray, p: int, *, open_lb: np.ndarray) -> Model:
    """The radius (sorted-distance) p-median of Elloumi (2010) / Garcia et al. (2011).

    With ``D_i0 < D_i1 < ... < D_iK`` the distinct costs of demand i, ``z_il = 1`` when no
    open candidate is cheaper than ``D_il``::

        min  sum_i w_i D_i0 + sum_i sum_{l>=1} w_i (D_il - D_i,l-1) z_il
        s.t. z_i1 + sum_{j: c_ij = D_i0} y_j >= 1
             z_il - z_i,l-1 + sum_{j: c_ij = D_i,l-1} y_j >= 0     l = 2..K_i
             -z_iK + sum_{j: c_ij = D_iK} y_j >= 0
             sum_j y_j = p,   y binary,   z >= 0 continuous

    The chained rows telescope to the covering rows ``z_il + sum_{c_ij < D_il} y_j >= 1``
    (same LP bound) but put each ``y_j`` in one row per demand, so the matrix has about
    ``n * m`` nonzeros instead of ``n * m^2 / 2``. ``inf`` costs never enter a row.
    """
    m = costs.shape[1]
    lev, K, lvl_rows, lvl_vals, lvl_idx = _levels(costs, p)
    row_start = np.r_[0, np.cumsum(K + 1)[:-1]]
    z_start = m + np.r_[0, np.cumsum(K)[:-1]]
    n_rows, n_z = int((K + 1).sum()), int(K.sum())

    ii, jj = np.nonzero(np.isfinite(costs) & (lev <= K[:, None]))
    y_rows = row_start[ii] + lev[ii, jj]
    up = lvl_idx >= 1
    zi, zl = lvl_rows[up], lvl_idx[up]
    z_cols = z_start[zi] + zl - 1
    steps = lvl_vals[up] - lvl_vals[np.flatnonzero(up) - 1]

    card_row = np.full(m, n_rows)
    rows = np.r_[y_rows, row_start[zi] + zl - 1, row_start[zi] + zl, card_row]
    cols = np.r_[jj, z_cols, z_cols, np.arange(m)]
    vals = np.r_[np.ones(len(jj)), np.ones(len(zi)), -np.ones(len(zi)), np.ones(m)]
    matrix = coo_matrix((vals, (rows, cols)), shape=(n_rows + 1, m + n_z)).tocsr()

    row_lb = np.zeros(n_rows + 1)
    row_lb[row_start] = 1.0
    row_lb[n_rows] = p
    row_ub = np.full(n_rows + 1, np.inf)
    row_ub[n_rows] = p
    var_lb = np.r_[np.asarray(open_lb, float), np.zeros(n_z)]
    objective = np.r_[np.zeros(m), weights[zi] * steps]
    integer = np.r_[np.ones(m, bool), np.zeros(n_z, bool)]
    base = lvl_vals[~up]  # D_i0, one per demand, in demand order
    return Model(
        matrix=matrix,
        row_lb=row_lb,
        row_ub=row_ub,
        var_lb=var_lb,
        var_ub=np.ones(m + n_z),
        objective=objective,
        integer=integer,
        offset=float(weights @ base),
        m=m,
        levels=(zi, lvl_vals[up], z_cols),
    )


def radius_hint(model: Model, selected: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Full solution vector of :func:`radius_median` for the plan that opens ``selected``."""
    x = np.zeros(model.matrix.shape[1])
    x[selected] = 1.0
    zi, values, z_cols = model.levels
    served = costs[:, selected].min(axis=1)
    x[z_cols] = (served[zi] >= values).astype(float)
    return x


def assignment_model(
    costs: np.ndarray,
    weights: np.ndarray,
    *,
    p: int,
    open_lb: np.ndarray,
    loads: np.ndarray | None,
    capacities: np.ndarray | None,
    unassigned_cost: np.ndarray | None = None,
) -> Model:
    """Single-sourced assignment model with capacities (x_ij / y_j, strong linking)::

        min  sum_{(i,j) allowed} w_i c_ij x_ij  [+ sum_i u_i * unassigned_cost_i]
        s.t. sum_j x_ij [+ u_i] = 1                    every demand i
             sum_i load_i x_ij <= cap_j y_j             every candidate j
             x_ij <= y_j,   sum_j y_j = p,   sum_j cap_j y_j >= total load (if u absent)
             x, y binary (u continuous in [0, 1])

    Only allowed (finite-cost) pairs get an ``x`` column. ``unassigned_cost`` (max-coverage)
    adds a slack ``u_i`` per demand.
    """
    n, m = costs.shape
    ii, jj = np.nonzero(np.isfinite(costs))
    e = len(ii)
    slack = unassigned_cost is not None
    n_u = n if slack else 0
    x0, u0 = m, m + e
    n_vars = m + e + n_u

    r_assign = ii
    r_cap = n + jj
    r_link = n + m + np.arange(e)
    r_card = n + m + e
    rows = [r_assign, np.arange(n + m, n + m + e), r_link]
    cols = [x0 + np.arange(e), x0 + np.arange(e), jj]
    vals = [np.ones(e), np.ones(e), -np.ones(e)]
    rows.append(np.full(m, r_card))
    cols.append(np.arange(m))
    vals.append(np.ones(m))
    n_rows = r_card + 1
    row_lb = np.r_[np.ones(n), np.full(m, -np.inf), np.full(e, -np.inf), p]
    row_ub = np.r_[np.ones(n), np.zeros(m), np.zeros(e), p]
    if slack:
        rows.append(np.arange(n))
        cols.append(u0 + np.arange(n))
        vals.append(np.ones(n))
    if capacities is not None and loads is not None:
        rows += [r_cap, n + np.arange(m)]
        cols += [x0 + np.arange(e), np.arange(m)]
        vals += [loads[ii], -np.asarray(capacities, float)]
        if not slack:
            rows.append(np.full(m, n_rows))
            cols.append(np.arange(m))
            vals.append(np.asarray(capacities, float))
            row_lb = np.r_[row_lb, loads.sum()]
            row_ub = np.r_[row_ub, np.inf]
            n_rows += 1
    else:  # no capacity rows: keep them empty (0 <= 0)
        pass
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_vars),
    ).tocsr()
    objective = np.r_[np.zeros(m), weights[ii] * costs[ii, jj]]
    if slack:
        objective = np.r_[objective, unassigned_cost]
    integer = np.r_[np.ones(m + e, bool), np.zeros(n_u, bool)]
    return Model(
        matrix=matrix,
        row_lb=row_lb,
        row_ub=row_ub,
        var_lb=np.r_[np.asarray(open_lb, float), np.zeros(e + n_u)],
        var_ub=np.ones(n_vars),
        objective=objective,
        integer=integer,
        offset=0.0,
        m=m,
        pairs=(ii, jj),
    )
