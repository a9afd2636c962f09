"""Greedy starts, bounds, reductions and MIP matrices of :mod:`netopt.solve.location.cover`.

Every function works on boolean *pattern* matrices: one row per distinct coverage pattern
of the demands (``patterns[k, j]``: candidate j covers the rows of pattern k), built with
numpy and scipy.sparse only.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

from netopt.solve._models import Model

__all__ = [
    "backup_model",
    "backup_value",
    "cover_lower_bound",
    "cover_model",
    "covers",
    "greedy_backup",
    "greedy_cover",
    "irredundant",
    "minimal_rows",
    "undominated_columns",
]

#: Dominance reductions are skipped when their overlap product could hold more nonzeros.
_MAX_PAIRS = 30_000_000


# ----------------------------------------------------------------------------------------
# set covering: greedy, bound, model
# ----------------------------------------------------------------------------------------
def covers(patterns: np.ndarray, selected: np.ndarray) -> bool:
    return bool(patterns[:, selected].any(axis=1).all()) if len(patterns) else True


def greedy_cover(patterns: np.ndarray, f: np.ndarray, is_fixed: np.ndarray) -> np.ndarray:
    """Chvatal's greedy: open the candidate with the most uncovered rows per unit cost.

    Free candidates (cost 0) first; ties to the most rows, then the lowest index. Redundant
    candidates are dropped at the end (:func:`irredundant`).
    """
    is_open = is_fixed.copy()
    uncovered = np.ones(len(patterns), bool)
    while uncovered.any():
        gain = patterns[uncovered].sum(axis=0).astype(float)
        gain[is_open] = 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(gain > 0, np.where(f > 0, gain / f, np.inf), -np.inf)
        ties = np.flatnonzero(score == score.max())
        j = int(ties[np.argmax(gain[ties])])
        is_open[j] = True
        uncovered &= ~patterns[:, j]
    return irredundant(patterns, np.flatnonzero(is_open), f, is_fixed)


def irredundant(
    patterns: np.ndarray, selected: np.ndarray, f: np.ndarray, is_fixed: np.ndarray
) -> np.ndarray:
    """Close non-fixed candidates whose rows stay covered, the most expensive first."""
    selected = np.sort(np.asarray(selected, np.int64))
    count = patterns[:, selected].sum(axis=1)
    movable = selected[~is_fixed[selected]]
    order = movable[np.lexsort((-movable, -f[movable]))]  # cost down, then index down
    closed = []
    for j in order:
        rows = patterns[:, j]
        if (count[rows] >= 2).all():
            count -= rows
            closed.append(j)
    return np.setdiff1d(selected, closed)


def cover_lower_bound(patterns: np.ndarray, f: np.ndarray, is_fixed: np.ndarray) -> float:
    """The fixed costs plus a packing bound: rows with pairwise disjoint candidate sets
    (taken greedily, the rows with the fewest candidates first) each need their own
    candidate, so the sum of their cheapest candidates is a lower bound."""
    base = float(f[is_fixed].sum())
    if not len(patterns):
        return base
    cheapest = np.where(patterns, f[None, :], np.inf).min(axis=1)
    used = np.zeros(patterns.shape[1], bool)
    packed = 0.0
    for k in np.lexsort((-cheapest, patterns.sum(axis=1))):
        if not (patterns[k] & used).any():
            used |= patterns[k]
            packed += float(cheapest[k])
    return base + max(packed, float(cheapest.max()))


def _pairs(counts: np.ndarray) -> int:
    """Nonzeros of the overlap product behind a dominance test (at most)."""
    return int((np.asarray(counts, np.int64) ** 2).sum())


def minimal_rows(patterns: np.ndarray) -> np.ndarray:
    """Drop every row whose candidates include all those of another (distinct) row: covering
    the smaller row covers it too (the classic row reduction of set covering)."""
    if _pairs(patterns.sum(axis=0)) > _MAX_PAIRS:
        return patterns
    sp = csr_matrix(patterns.astype(np.int32))
    size = np.asarray(sp.sum(axis=1)).ravel()
    overlap = (sp @ sp.T).tocoo()
    inside = (overlap.row != overlap.col) & (overlap.data == size[overlap.row])
    dominated = np.zeros(len(patterns), bool)
    dominated[overlap.col[inside]] = True  # row ``col`` contains row ``row``
    return patterns[~dominated]


def undominated_columns(patterns: np.ndarray, f: np.ndarray, is_fixed: np.ndarray) -> np.ndarray:
    """Candidates the MIP may open: fixed ones, and those no other candidate dominates.

    k dominates j when k covers every row j covers at no higher cost, strictly (more rows,
    a lower cost, or, for twins, a lower index); an optimum without dominated candidates
    always exists (replace each by an undominated dominator).
    """
    size = patterns.sum(axis=0)
    if _pairs(patterns.sum(axis=1)) > _MAX_PAIRS:
        return (size > 0) | is_fixed
    sp = csr_matrix(patterns.T.astype(np.int32))  # candidates x rows
    size = np.asarray(sp.sum(axis=1)).ravel()
    overlap = (sp @ sp.T).tocoo()
    j, k, shared = overlap.row, overlap.col, overlap.data
    strict = (size[k] > size[j]) | (f[k] < f[j]) | (k < j)
    beats = (j != k) & (shared == size[j]) & (f[k] <= f[j]) & strict
    dominated = np.zeros(len(f), bool)
    dominated[j[beats]] = True
    return (~dominated & (size > 0)) | is_fixed


def cover_model(
    patterns: np.ndarray, f: np.ndarray, is_fixed: np.ndarray, allowed: np.ndarray
) -> Model:
    """``min f @ y`` s.t. ``patterns @ y >= 1``, y binary, fixed at 1, others not allowed at 0."""
    r, m = patterns.shape
    return Model(
        matrix=csr_matrix(patterns.astype(float)),
        row_lb=np.ones(r),
        row_ub=np.full(r, np.inf),
        var_lb=is_fixed.astype(float),
        var_ub=allowed.astype(float),
        objective=np.asarray(f, float),
        integer=np.ones(m, bool),
        offset=0.0,
        m=m,
    )


# ----------------------------------------------------------------------------------------
# backup coverage: value, greedy, model
# ----------------------------------------------------------------------------------------
def backup_value(
    pa: np.ndarray, pb: np.ndarray | None, hk: np.ndarray, beta: float, selected: np.ndarray
) -> float:
    """``sum_k h_k (beta u_k + (1 - beta) v_k)`` of the plan that opens ``selected``."""
    count = pa[:, selected].sum(axis=1)
    u = count >= 1
    v = count >= 2 if pb is None else u & pb[:, selected].any(axis=1)
    return float(hk @ (beta * u + (1.0 - beta) * v))


def greedy_backup(
    pa: np.ndarray,
    pb: np.ndarray | None,
    hk: np.ndarray,
    beta: float,
    p: int,
    is_fixed: np.ndarray,
) -> np.ndarray:
    """Open the fixed candidates, then the one with the largest gain, ``p`` times in all.

    Covered twice (no failure matrix), a first cover earns half the backup weight, so
    that ``beta = 0`` does not start blind. Each step is a few matrix-vector products over all candidates; ties to the lowest index.
    """
    is_open = is_fixed.copy()
    fa = pa.astype(float)
    fb = None if pb is None else pb.astype(float)
    both = None if pb is None else (pa & pb).astype(float)
    for _ in range(p - int(is_open.sum())):
        ca = pa[:, is_open].sum(axis=1)
        gain = (beta * hk * (ca == 0)) @ fa
        if fb is None or both is None:  # half credit for a first cover: a second may follow
            gain += ((1.0 - beta) * hk * ((ca == 1) + 0.5 * (ca == 0))) @ fa
        else:
            cb = pb[:, is_open].any(axis=1)  # type: ignore[index]
            w = (1.0 - beta) * hk
            gain += (w * ((ca >= 1) & ~cb)) @ fb
            gain += (w * ((ca == 0) & cb)) @ fa
            gain += (w * ((ca == 0) & ~cb)) @ both
        gain[is_open] = -np.inf
        is_open[int(np.argmax(gain))] = True
    return np.flatnonzero(is_open)


def backup_model(
    pa: np.ndarray,
    pb: np.ndarray | None,
    hk: np.ndarray,
    beta: float,
    p: int,
    is_fixed: np.ndarray,
) -> Model:
    """Columns ``y`` (m), ``u`` (r), ``v`` (r); rows per demand pattern k::

    twice:    u_k + v_k - sum_{A_k} y <= 0,  v_k - u_k <= 0        (v binary)
    failure:  u_k - sum_{A_k} y <= 0,  v_k - u_k <= 0,  v_k - sum_{B_k} y <= 0
    sum_j y_j = p
    """
    r, m = pa.shape
    u0, v0 = m, m + r
    k = np.arange(r)
    ka, ja = np.nonzero(pa)
    rows = [ka, k, r + k, r + k]
    cols = [ja, u0 + k, v0 + k, u0 + k]
    vals = [-np.ones(len(ka)), np.ones(r), np.ones(r), -np.ones(r)]
    if pb is None:  # v_k also in the first row: two candidates for u + v = 2
        rows.append(k)
        cols.append(v0 + k)
        vals.append(np.ones(r))
        n_rows = 2 * r
    else:
        kb, jb = np.nonzero(pb)
        rows += [2 * r + k, 2 * r + kb]
        cols += [v0 + k, jb]
        vals += [np.ones(r), -np.ones(len(kb))]
        n_rows = 3 * r
    rows.append(np.full(m, n_rows))
    cols.append(np.arange(m))
    vals.append(np.ones(m))
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows + 1, m + 2 * r),
    ).tocsr()
    return Model(
        matrix=matrix,
        row_lb=np.r_[np.full(n_rows, -np.inf), p],
        row_ub=np.r_[np.zeros(n_rows), p],
        var_lb=np.r_[is_fixed.astype(float), np.zeros(2 * r)],
        var_ub=np.ones(m + 2 * r),
        objective=np.r_[np.zeros(m), beta * hk, (1.0 - beta) * hk],
        integer=np.r_[np.ones(m, bool), np.zeros(r, bool), np.full(r, pb is None)],
        offset=0.0,
        m=m,
    )
