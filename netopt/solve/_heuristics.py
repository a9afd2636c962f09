"""Construction and improvement heuristics, and a Lagrangian lower bound, on dense arrays.

Every function takes a *finite* weighted cost matrix ``wc[i, j] = weight_i * cost_ij`` in
which forbidden pairs already carry a large penalty (see :func:`penalised`), so that the
heuristics first cover every demand and then minimise cost. All loops run over facility
moves, never over demand rows: each step is one vectorised pass over the matrix.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.sparse import csr_matrix

__all__ = [
    "greedy_center",
    "greedy_median",
    "interchange_center",
    "interchange_median",
    "lagrangian_bound",
    "penalised",
]


def penalised(costs: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Return ``weights[:, None] * costs`` with ``inf`` replaced by a dominating penalty.

    The penalty exceeds the sum of every finite entry, so a plan that leaves a demand on a
    forbidden pair always costs more than any plan that does not.
    """
    allowed = np.isfinite(costs)
    wc = np.where(allowed, costs, 0.0) * weights[:, None]
    penalty = float(np.abs(wc).sum(axis=1).max(initial=0.0) * len(wc) + 1.0)
    return np.where(allowed, wc, penalty), penalty


def greedy_median(wc: np.ndarray, p: int, fixed: np.ndarray) -> np.ndarray:
    """Open ``fixed`` then add, one at a time, the candidate that lowers the total cost most.

    Ties go to the lowest candidate index, so the result is deterministic.
    """
    n, m = wc.shape
    is_open = np.zeros(m, dtype=bool)
    is_open[fixed] = True
    best = wc[:, is_open].min(axis=1) if is_open.any() else np.full(n, np.inf)
    for _ in range(p - int(is_open.sum())):
        totals = np.minimum(best[:, None], wc).sum(axis=0)
        totals[is_open] = np.inf
        j = int(np.argmin(totals))
        is_open[j] = True
        best = np.minimum(best, wc[:, j])
    return np.flatnonzero(is_open)


def _best_two(wc: np.ndarray, open_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per demand: cheapest open cost, its facility, and the second cheapest open cost."""
    sub = wc[:, open_idx]
    if sub.shape[1] == 1:
        return sub[:, 0], np.full(len(wc), open_idx[0]), np.full(len(wc), np.inf)
    part = np.argpartition(sub, 1, axis=1)[:, :2]
    two = np.take_along_axis(sub, part, axis=1)
    swap = two[:, 1] < two[:, 0]
    first = np.where(swap, part[:, 1], part[:, 0])
    d1 = np.where(swap, two[:, 1], two[:, 0])
    d2 = np.where(swap, two[:, 0], two[:, 1])
    return d1, open_idx[first], d2


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def interchange_median(
    wc: np.ndarray,
    selected: np.ndarray,
    fixed: np.ndarray,
    *,
    max_rounds: int = 10_000,
    deadline: float | None = None,
) -> np.ndarray:
    """Vertex substitution (Teitz & Bart) with best-improvement swaps, vectorised.

    For every pair (open ``r`` not in ``fixed``, closed ``j``) the swap's total cost is
    ``sum_i min(wc_ij, d1_i) + sum_{i: f1_i = r} [min(wc_ij, d2_i) - min(wc_ij, d1_i)]``
    (Whitaker's fast interchange), computed for all pairs with one sparse product. Stops at
    a local optimum, after ``max_rounds`` swaps, or at ``deadline`` (``time.perf_counter``).
    """
    n, m = wc.shape
    selected = np.sort(np.asarray(selected, dtype=np.int64))
    movable = ~np.isin(selected, fixed)
    if not movable.any() or len(selected) == m:
        return selected
    rows = np.arange(n)
    for _ in range(max_rounds):
        if _late(deadline):
            break
        d1, f1, d2 = _best_two(wc, selected)
        current = d1.sum()
        low1 = np.minimum(wc, d1[:, None])
        base = low1.sum(axis=0)  # cost after adding j, nobody removed
        extra = np.minimum(wc, d2[:, None]) - low1  # extra cost if i's facility is removed
        position = np.searchsorted(selected, f1)
        owner = csr_matrix((np.ones(n), (position, rows)), shape=(len(selected), n))
        swap = base[None, :] + np.asarray(owner @ extra)  # (open r, candidate j)
        swap[:, selected] = np.inf
        swap[~movable, :] = np.inf
        r, j = np.unravel_index(int(np.argmin(swap)), swap.shape)
        if not swap[r, j] < current - 1e-9 * max(1.0, abs(current)):
            break
        selected = np.sort(np.r_[np.delete(selected, r), j])
        movable = ~np.isin(selected, fixed)
    return selected


def greedy_center(wc: np.ndarray, p: int, fixed: np.ndarray) -> np.ndarray:
    """Farthest-first (Gonzalez) start: repeatedly open the best candidate for the worst demand."""
    n, m = wc.shape
    is_open = np.zeros(m, dtype=bool)
    is_open[fixed] = True
    best = wc[:, is_open].min(axis=1) if is_open.any() else np.full(n, np.inf)
    for _ in range(p - int(is_open.sum())):
        worst = int(np.argmax(best))
        row = np.where(is_open, np.inf, wc[worst])
        j = int(np.argmin(row))
        is_open[j] = True
        best = np.minimum(best, wc[:, j])
    return np.flatnonzero(is_open)


def interchange_center(
    wc: np.ndarray, selected: np.ndarray, fixed: np.ndarray, *, max_rounds: int = 2_000
) -> np.ndarray:
    """Swap one open candidate for a closed one while the worst (then total) cost drops."""
    selected = np.sort(np.asarray(selected, dtype=np.int64))
    m = wc.shape[1]
    for _ in range(max_rounds):
        d1, f1, d2 = _best_two(wc, selected)
        key = (d1.max(), d1.sum())
        best_move, best_key = None, key
        for k, r in enumerate(selected):
            if r in fixed:
                continue
            keep = np.where(f1 == r, d2, d1)
            new = np.minimum(keep[:, None], wc)  # (n, m): remove r, add j
            worst = new.max(axis=0)
            worst[selected] = np.inf
            j = int(np.argmin(worst))
            cand = (worst[j], new[:, j].sum())
            if cand < best_key:
                best_move, best_key = (k, j), cand
        if best_move is None or len(selected) == m:
            break
        selected = np.sort(np.r_[np.delete(selected, best_move[0]), best_move[1]])
    return selected


def lagrangian_bound(
    wc: np.ndarray,
    p: int,
    fixed: np.ndarray,
    upper: float,
    *,
    iterations: int = 300,
    deadline: float | None = None,
) -> tuple[float, np.ndarray]:
    """Lower bound on the p-median by relaxing the assignment constraints (subgradient).

    ``L(lam) = sum_i lam_i + min_{|S| = p, S >= fixed} sum_{j in S} sum_i min(0, wc_ij - lam_i)``
    is a valid lower bound for every ``lam``; the step follows Held-Wolfe-Crowder with the
    heuristic ``upper`` value as the target. Returns the best bound seen and its multipliers.
    """
    m = wc.shape[1]
    fixed_mask = np.zeros(m, dtype=bool)
    fixed_mask[fixed] = True
    lam = np.sort(wc, axis=1)[:, min(p, m - 1)] if m > 1 else wc[:, 0].copy()
    best, best_lam, agility, stall = -np.inf, lam, 2.0, 0
    for _ in range(iterations):
        if _late(deadline) and np.isfinite(best):
            break
        reduced = np.minimum(wc - lam[:, None], 0.0)
        rho = reduced.sum(axis=0)
        order = np.argsort(np.where(fixed_mask, -np.inf, rho), kind="stable")
        chosen = np.zeros(m, dtype=bool)
        chosen[order[:p]] = True
        value = lam.sum() + rho[chosen].sum()
        if not np.isfinite(best) or value > best + 1e-9 * max(1.0, abs(best)):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                agility, stall = agility / 2.0, 0
        served = ((wc - lam[:, None]) < 0.0)[:, chosen].sum(axis=1)
        sub = 1.0 - served
        norm = float(sub @ sub)
        if norm == 0.0 or agility < 1e-4 or best >= upper - 1e-9 * max(1.0, abs(upper)):
            break
        lam = lam + agility * (upper - value) / norm * sub
    return float(best), best_lam
