"""The share-capture MIP of :func:`~netopt.solve.location.share.share_location`.

:func:`share_model` builds the linearised MNL model of the module docstring of
:mod:`netopt.solve.location.share` (Haase 2009) with tangent-plane cuts; :class:`Run` holds
one solve's clock and incumbent; :func:`phase_one` minimises the total shortfall and
:func:`phase_two` optimises the objective within it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

from netopt.solve._mip import MipOutcome
from netopt.solve._models import Model
from netopt.solve.location._outcome import relative_gap
from netopt.solve.location._problem import TOL, Progress
from netopt.solve.location._share_enum import SLACK_TOL, Plan, Share, exact_plan, trivial_bound
from netopt.solve.location._soft import lexi_better
from netopt.solve.location._steps import run_mip

__all__ = ["Run", "phase_one", "phase_two", "share_model"]


class _Rows:
    """Constraint rows ``lo <= A x <= hi`` gathered block by block (rows from 0 per block)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.n = 0

    def __call__(self, rr: object, cc: object, vv: object, lo: object, hi: object) -> None:
        lo_arr = np.asarray(lo, float)
        self.parts.append((np.asarray(rr) + self.n, np.asarray(cc), np.asarray(vv, float),
                           lo_arr, np.asarray(hi, float)))  # fmt: skip
        self.n += len(lo_arr)

    def matrix(self, n_col: int) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
        rr, cc, vv, lo, hi = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        return coo_matrix((vv, (rr, cc)), shape=(self.n, n_col)).tocsr(), lo, hi


def _z_range(sh: Share) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on z: every allowed candidate open (the largest ``n_open``/``max_open`` free
    weights with the fixed ones), or only the fixed ones."""
    fixed_w = sh.w[:, sh.fixed].sum(axis=1)
    free_w = -np.sort(-sh.w[:, sh.free], axis=1)
    most = free_w[:, : sh.count].sum(axis=1)  # [:, :None] is every column
    return sh.f / (sh.f + fixed_w + most), sh.f / (sh.f + fixed_w)


def share_model(
    sh: Share, *, phase: int, budget: float | None = None, at: Sequence[np.ndarray] = ()
) -> Model:
    """Columns ``x (J) | z (S) | y (pairs) | t (K)``; phase 1 minimises ``sum t``, phase 2
    optimises the objective metric (divided by the total demand) with ``sum t <= budget``."""
    n_seg, n_cand = sh.w.shape
    ii, jj = np.nonzero(sh.w > 0)
    n_pair, n_tgt = len(ii), len(sh.tgt_share)
    cz, cy, ct = n_cand, n_cand + n_seg, n_cand + n_seg + n_pair
    n_col = ct + n_tgt
    seg, pair = np.arange(n_seg), np.arange(n_pair)
    zmin, zmax = _z_range(sh)
    wp, fp = sh.w[ii, jj], sh.f[ii]
    base = fp + np.where(np.isin(jj, sh.fixed), 0.0, sh.w[:, sh.fixed].sum(axis=1)[ii])
    r, cap = wp / fp, wp / (base + wp)  # cap: j with the fixed-open candidates only
    big = r * zmax[ii]  # r z <= r zmax: the big-M of the lower link
    rows = _Rows()
    ones, inf_p, zero_p = np.ones(n_pair), np.full(n_pair, np.inf), np.zeros(n_pair)
    rows(np.r_[seg, ii], np.r_[cz + seg, cy + pair], np.ones(n_seg + n_pair), np.ones(n_seg),
         np.ones(n_seg))  # z_s + sum_j y_sj = 1  # fmt: skip
    rows(np.r_[pair, pair], np.r_[cy + pair, jj], np.r_[ones, -cap], -inf_p, zero_p)
    rows(np.r_[pair, pair], np.r_[cy + pair, cz + ii], np.r_[ones, -r], -inf_p, zero_p)
    rows(np.r_[pair, pair, pair], np.r_[cy + pair, cz + ii, jj], np.r_[ones, -r, -big],
         -big, inf_p)  # y >= r z - r zmax (1 - x)  # fmt: skip
    rows(np.r_[pair, pair], np.r_[cy + pair, jj], np.r_[ones, -r * zmin[ii]], zero_p, inf_p)
    for mask in at:  # z_s = f_s / (f_s + w_s x) is convex in x: its tangent planes at plans
        den = sh.f + sh.w[:, mask].sum(axis=1)
        slope = sh.f[ii] / den[ii] ** 2 * wp  # z_s + sum_j slope_sj x_j >= g + slope . mask
        rhs = sh.f / den + np.bincount(ii, slope * mask[jj], n_seg)
        rows(np.r_[seg, ii], np.r_[cz + seg, jj], np.r_[np.ones(n_seg), slope], rhs,
             np.full(n_seg, np.inf))  # fmt: skip
    if sh.count is not None:
        free = sh.free
        rows(np.zeros(len(free), int), free, np.ones(len(free)), [sh.n_open or 0], [sh.count])
    metric_z = sh.dn[None, :] * sh.fv  # (M, S)
    metric_y = sh.dn[ii][None, :] * sh.cv[:, ii, jj]  # (M, pairs)
    cand = np.arange(n_cand)
    for k, m in enumerate(sh.tgt_metric):  # sign x metric + t_k >= sign x share
        sign = sh.tgt_sign[k]
        rows(np.zeros(n_cand + n_seg + n_pair + 1, int), np.r_[cand, cz + seg, cy + pair, ct + k],
             np.r_[sign * sh.ov[m], sign * metric_z[m], sign * metric_y[m], 1.0],
             [sh.tgt_share[k]], [np.inf])  # fmt: skip
    if budget is not None and n_tgt:
        rows(np.zeros(n_tgt, int), ct + np.arange(n_tgt), np.ones(n_tgt), [-np.inf], [budget])
    matrix, row_lb, row_ub = rows.matrix(n_col)
    var_lb = np.zeros(n_col)
    var_lb[sh.fixed] = 1.0
    var_lb[cz:cy] = zmin
    var_ub = np.r_[np.ones(n_cand), zmax, cap, np.full(n_tgt, np.inf)]
    objective = np.zeros(n_col)
    if phase == 1:
        objective[ct:] = 1.0
    else:
        objective[:n_cand] = sh.ov[sh.obj]
        objective[cz:cy], objective[cy:ct] = metric_z[sh.obj], metric_y[sh.obj]
    return Model(
        matrix=matrix, row_lb=row_lb, row_ub=row_ub,
        var_lb=var_lb, var_ub=var_ub, objective=objective,
        integer=np.r_[np.ones(n_cand, bool), np.zeros(n_col - n_cand, bool)],
        offset=0.0, m=n_cand,
    )  # fmt: skip


@dataclass
class Run:
    """One solve in progress: the instance, the clock, the best plan so far."""

    sh: Share
    deadline: float | None
    seed: int
    progress: Progress
    solver: str
    plan: Plan
    key: tuple[float, float]
    mips: int = 0
    source: str = "greedy + swap"

    def points(self) -> list[np.ndarray]:
        """Plans to cut at: the fixed-open candidates alone, and the incumbent."""
        alone = np.isin(np.arange(self.sh.w.shape[1]), self.sh.fixed)
        return [alone, self.plan.mask]

    def late(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def offer(self, values: np.ndarray | None, budget: float = np.inf) -> None:
        """Keep the MIP's plan if it beats the incumbent (exact shares; within the budget)."""
        if values is None:
            return
        plan, key = exact_plan(self.sh, values[: self.sh.w.shape[1]] > 0.5)
        if key[0] <= budget and lexi_better(key, self.key, SLACK_TOL):
            self.plan, self.key, self.source = plan, key, f"{self.solver} MIP"

    def mip(self, model: Model, label: str, deadline: float | None, **kw: bool) -> MipOutcome:
        """Solve ``model``; the incumbent's x is the hint (SCIP uses it, HiGHS cannot)."""
        self.mips += 1
        hint = np.r_[self.plan.mask, np.zeros(model.matrix.shape[1] - model.m)]
        return run_mip(model, deadline, self.seed, self.progress, self.solver,
                       f"share_location {label}", hint=hint, integral=False, **kw)  # fmt: skip


def phase_one(run: Run) -> tuple[bool, str]:
    """Least total shortfall; return (proven, MIP status)."""
    if run.key[0] <= SLACK_TOL or not len(run.sh.tgt_share):
        return True, "bound"
    if run.late():
        return False, "time_limit"
    deadline = None if run.deadline is None else (time.perf_counter() + run.deadline) / 2
    out = run.mip(share_model(run.sh, phase=1, at=run.points()), "phase 1 (shortfall)", deadline)
    run.offer(out.values)
    lower = float(out.bound) if np.isfinite(out.bound) else 0.0
    return out.status == "optimal" or run.key[0] <= lower + SLACK_TOL, out.status


def phase_two(run: Run) -> tuple[float, str]:
    """Best objective within the shortfall budget; return (bound in share units, status)."""
    sh = run.sh
    bound = trivial_bound(sh)
    if abs(bound - sh.sign * -run.key[1]) <= TOL * max(1.0, abs(bound)):
        return bound, "bound"
    if run.late():
        return bound, "time_limit"
    budget = run.key[0] + SLACK_TOL
    model = share_model(sh, phase=2, budget=budget, at=run.points())
    out = run.mip(model, "phase 2 (objective)", run.deadline, maximize=sh.maximize)
    run.offer(out.values, budget)
    if np.isfinite(out.bound):
        bound = min(bound, out.bound) if sh.maximize else max(bound, out.bound)
    if out.status == "optimal" and relative_gap(sh.sign * -run.key[1], bound) > TOL:
        return bound, "feasible"  # the MIP's plan was not within the budget, exactly
    return bound, out.status
