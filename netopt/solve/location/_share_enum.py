r"""Exact share-capture plans: evaluate one, count them all, enumerate them when few.

:class:`Share` is a checked instance of :func:`~netopt.solve.location.share.share_location`
and :func:`exact_plan` a plan's metrics and target shortfalls from its exact MNL shares.
:func:`count_plans` counts the feasible plans (``n_open`` exactly or up to ``max_open`` of
the candidates besides ``fixed_open``) without listing them. When they are few, evaluating
every one is a proof: :func:`enumerate_plans` takes them in batches of ``B`` plans, the
rows of a 0/1 matrix ``X`` (B x free candidates), and computes with
:math:`q_{sb} = (d_s / \sum d) / (f_s + w^{fix}_s + (W X^\top)_{sb})` every metric
:math:`M_{mb} = \sum_s n^0_{ms} q_{sb} + \sum_j x_{bj} ((G_m^\top q)_{jb} + o_{mj})`, where
:math:`n^0 = v^0 f + \sum_{j\,fixed} v_j w_j` and :math:`G_{msj} = v_{msj} w_{sj}` (free j),
in three matrix products per batch (about :func:`enumeration_flops` in all). The best
plan is the lexicographic one: least total shortfall (within :data:`SLACK_TOL`), then the
best objective (within ``1e-9`` relative); ties go to the plan with the fewest candidates,
then to the lowest sorted index tuple.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ENUM_MAX_FLOPS",
    "ENUM_MAX_PLANS",
    "FORCED_MAX_PLANS",
    "SLACK_TOL",
    "Enumeration",
    "Plan",
    "Share",
    "count_plans",
    "enumerate_plans",
    "enumeration_flops",
    "exact_plan",
    "plan_parts",
    "trivial_bound",
    "use_enumeration",
]

#: Total shortfalls (share units) closer than this are equal; phase 2's slack margin.
SLACK_TOL = 1e-6
#: ``method="auto"`` enumerates at most this many plans ...
ENUM_MAX_PLANS = 20_000
#: ... and at most about this many floating-point operations (a fraction of a second with BLAS).
ENUM_MAX_FLOPS = 3e9
#: ``method="enumerate"`` refuses more plans than this (it keeps 16 bytes per plan).
FORCED_MAX_PLANS = 10_000_000
#: Floats of working memory per batch (x 8 bytes: 32 MB).
BATCH_FLOATS = 4_000_000


@dataclass(frozen=True)
class Share:
    """A checked instance of share_location: weights, demand shares, metrics, targets."""

    w: np.ndarray  # (S, J) candidate weights
    f: np.ndarray  # (S,) fixed weights, > 0
    dn: np.ndarray  # (S,) demand / total demand
    total: float
    names: tuple[str, ...]  # metric names; row m of fv/cv
    fv: np.ndarray  # (M, S)
    cv: np.ndarray  # (M, S, J)
    ov: np.ndarray  # (M, J) value of opening each candidate / total demand
    obj: int  # index of the objective metric
    maximize: bool
    tgt_metric: np.ndarray  # (K,) metric index of each target
    tgt_sign: np.ndarray  # (K,) +1 a floor (metric >= share), -1 a ceiling (metric <= share)
    tgt_share: np.ndarray  # (K,) the share x tgt_sign: sign x metric + t >= tgt_share
    fixed: np.ndarray  # sorted fixed-open candidates
    n_open: int | None
    max_open: int | None

    @property
    def free(self) -> np.ndarray:
        return np.setdiff1d(np.arange(self.w.shape[1]), self.fixed)

    @property
    def sign(self) -> float:
        return 1.0 if self.maximize else -1.0

    @property
    def count(self) -> int | None:
        return self.n_open if self.n_open is not None else self.max_open


@dataclass(frozen=True)
class Plan:
    """A plan and its exact metrics and shortfalls (share units)."""

    mask: np.ndarray  # (J,) bool, open candidates
    values: np.ndarray  # (M,) metric / total demand
    short: np.ndarray  # (K,) shortfall per target


def plan_parts(sh: Share, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment metric numerators ``(M, S)`` and MNL denominators ``(S,)`` of a plan."""
    num = sh.fv * sh.f + (sh.cv[:, :, mask] * sh.w[:, mask]).sum(axis=2)
    return num, sh.f + sh.w[:, mask].sum(axis=1)


def exact_plan(sh: Share, mask: np.ndarray) -> tuple[Plan, tuple[float, float]]:
    """The exact metrics of the plan that opens ``mask``, and its lexicographic key."""
    num, den = plan_parts(sh, mask)
    values = (num / den) @ sh.dn + sh.ov @ mask
    short = np.maximum(sh.tgt_share - sh.tgt_sign * values[sh.tgt_metric], 0.0)
    return Plan(mask.copy(), values, short), (float(short.sum()), -sh.sign * float(values[sh.obj]))


def trivial_bound(sh: Share) -> float:
    """Every segment's demand at its best alternative and the best allowed opening values,
    in share units."""
    fv = sh.fv[sh.obj]
    cv = np.where(sh.w > 0, sh.cv[sh.obj], fv[:, None])  # no weight: not an alternative
    per = np.maximum(fv, cv.max(axis=1)) if sh.maximize else np.minimum(fv, cv.min(axis=1))
    gains = -np.sort(-sh.sign * sh.ov[sh.obj, sh.free])  # best first
    least = sh.n_open or 0
    most = len(gains) if sh.count is None else sh.count
    opened = gains[:least].sum() + np.clip(gains[least:most], 0.0, None).sum()
    return float(per @ sh.dn + sh.ov[sh.obj, sh.fixed].sum() + sh.sign * opened)


def plan_sizes(sh: Share) -> range:
    """Numbers of candidates a plan may open besides ``fixed_open``."""
    if sh.n_open is not None:
        return range(sh.n_open, sh.n_open + 1)
    return range((len(sh.free) if sh.max_open is None else sh.max_open) + 1)


def count_plans(sh: Share) -> int:
    """The number of feasible plans, counted without listing them."""
    n_free, sizes = len(sh.free), plan_sizes(sh)
    if len(sizes) == n_free + 1:
        return 2**n_free
    return sum(math.comb(n_free, k) for k in sizes)


def enumeration_flops(sh: Share, n_plans: int) -> float:
    """About the floating-point operations of enumerating ``n_plans`` plans."""
    return 2.0 * (len(sh.names) + 1) * sh.w.shape[0] * max(len(sh.free), 1) * n_plans


def use_enumeration(sh: Share, n_plans: int) -> bool:
    """True when ``method="auto"`` enumerates: few plans and little work."""
    return n_plans <= ENUM_MAX_PLANS and enumeration_flops(sh, n_plans) <= ENUM_MAX_FLOPS


@dataclass(frozen=True)
class Enumeration:
    """The best plan among the ``evaluated`` first of ``n_plans`` (all: a proof)."""

    plan: Plan
    key: tuple[float, float]
    evaluated: int
    n_plans: int

    @property
    def complete(self) -> bool:
        return self.evaluated == self.n_plans


def _combos(sh: Share) -> itertools.chain[tuple[int, ...]]:
    """Positions in ``sh.free`` of every plan: fewest first, then lexicographic."""
    n_free = len(sh.free)
    return itertools.chain.from_iterable(
        itertools.combinations(range(n_free), k) for k in plan_sizes(sh)
    )


def enumerate_plans(sh: Share, deadline: float | None) -> Enumeration:
    """Evaluate every feasible plan in batches and keep the lexicographic best.

    Stops after the batch during which ``deadline`` (``time.perf_counter`` seconds) passes,
    with the best plan among those evaluated (at least one batch).
    """
    n_seg, n_met, free = sh.w.shape[0], len(sh.names), sh.free
    n_free, n_plans = len(free), count_plans(sh)
    num0, den0 = plan_parts(sh, np.isin(np.arange(sh.w.shape[1]), sh.fixed))
    ov0 = sh.ov[:, sh.fixed].sum(axis=1)[:, None]  # (M, 1)
    w_free = sh.w[:, free]  # (S, F)
    gain = (sh.cv[:, :, free] * w_free).transpose(0, 2, 1).reshape(n_met * n_free, n_seg)
    batch = max(1, BATCH_FLOATS // (2 * n_seg + n_met * n_free))
    combos, shorts, costs = _combos(sh), [], []
    while chunk := list(itertools.islice(combos, batch)):
        x = np.zeros((len(chunk), n_free))
        sizes = np.fromiter(map(len, chunk), np.int64, len(chunk))
        cols = np.fromiter(itertools.chain.from_iterable(chunk), np.int64, int(sizes.sum()))
        x[np.repeat(np.arange(len(chunk)), sizes), cols] = 1.0
        inv = sh.dn[:, None] / (den0[:, None] + w_free @ x.T)  # (S, B): d_s / den_s
        values = num0 @ inv + ((gain @ inv).reshape(n_met, n_free, -1) * x.T).sum(axis=1)
        values += ov0 + sh.ov[:, free] @ x.T  # the opening values
        signed = sh.tgt_sign[:, None] * values[sh.tgt_metric]
        shorts.append(np.maximum(sh.tgt_share[:, None] - signed, 0.0).sum(0))
        costs.append(-sh.sign * values[sh.obj])
        if deadline is not None and time.perf_counter() >= deadline:
            break
    short, cost = np.concatenate(shorts), np.concatenate(costs)
    near = short <= short.min() + SLACK_TOL
    best = cost[near].min()
    first = int(np.flatnonzero(near & (cost <= best + 1e-9 * max(1.0, abs(best))))[0])
    mask = np.isin(np.arange(sh.w.shape[1]), sh.fixed)
    mask[free[list(next(itertools.islice(_combos(sh), first, None)))]] = True
    plan, key = exact_plan(sh, mask)  # the reported numbers, as for every other plan
    return Enumeration(plan, key, len(short), n_plans)
