r"""Share-capture location under a multinomial-logit choice rule: :func:`share_location`.

Segments ``s`` (e.g. zone x care level, demand :math:`d_s`) choose among alternatives that are
always there (together of weight :math:`f_s > 0`) and the opened candidates (weights
:math:`w_{sj} \ge 0`, e.g. :math:`\exp V_{sj}`). With :math:`x_j = 1` when j opens, the MNL
shares are :math:`z_s = f_s / (f_s + \sum_k w_{sk} x_k)` and :math:`y_{sj} = w_{sj} x_j /
(f_s + \sum_k w_{sk} x_k)`, made linear as in Haase (2009) and Haase & Mueller (2014, EJOR
232(3)) with :math:`r_{sj} = w_{sj} / f_s` (no :math:`y_{sj}` where :math:`w_{sj} = 0`):

.. math::

    z_s + \sum_j y_{sj} = 1,\; y_{sj} \le \bar y_{sj} x_j,\; y_{sj} \le r_{sj} z_s,\;
    y_{sj} \ge r_{sj} z_s - r_{sj} \bar z_s (1 - x_j),\; y_{sj} \ge r_{sj} \underline z_s x_j,\;
    \underline z_s \le z_s \le \bar z_s

(:math:`\bar y_{sj}`: j's share beside the ``fixed_open`` alone; :math:`\bar z_s`,
:math:`\underline z_s`: the share with those only, and with the largest allowed weights).
For binary x, :math:`y_{sj} = r_{sj} z_s x_j`: the exact shares for any objective, so a
metric may be maximised or minimised. Tangent planes of the convex :math:`z_s(x)` at the
fixed-only plan and at the incumbent are added as cuts.
A metric (:class:`ShareMetric`) is :math:`M = \sum_s d_s (v^0_s z_s + \sum_j
v_{sj} y_{sj}) + \sum_j o_j x_j`: captured visits (:math:`v^0 = 0, v = 1`), visits in the
area, patient-hours (:math:`v` = hours per visit), yuan (:math:`v` = yuan per visit,
:math:`o_j` = the yearly cost of opening j) ... ``n_open`` (exactly) or ``max_open`` (at
most) count the candidates opened besides ``fixed_open``. A target (:class:`ShareTarget`)
asks :math:`M_k / \sum_s d_s + t_k \ge \sigma_k` with a slack :math:`t_k \ge 0`, or, a
ceiling (``upper=True``, a budget), :math:`M_k / \sum_s d_s - t_k \le \sigma_k`; the best
plan has the least total slack (in the targets' own units per unit of demand), then the
best objective. How it is found (``method``):

* few plans (``"auto"``: at most 20,000 feasible plans and about :math:`3 \cdot 10^9` flops;
  :mod:`~netopt.solve.location._share_enum`): every plan's exact shares are evaluated,
  vectorised in batches; a proof, reported "optimal" with ``bound == objective`` ("exact by
  enumeration of N plans"); ties to the fewest candidates, then the lowest indices;
* otherwise (or ``"mip"``), the MIP above (:mod:`~netopt.solve.location._share_mip`):

  1. a greedy + swap plan on the exact shares (<= 10 % of the limit), so a time-out has one;
  2. phase 1 minimises :math:`\sum_k t_k` (unless the plan meets every target), <= half the
     time;
  3. phase 2 optimises the objective metric subject to :math:`\sum_k t_k \le T^* + 10^{-6}`
     (:data:`SLACK_TOL`), :math:`T^*` the least total slack found.

Numbers reported come from the plan's exact shares: ``objective``/``bound`` in the metric's
units, ``metrics``/``shortfalls`` per unit of total demand (as in the MIP). The bound is the
phase-2 MIP's (for plans within the shortfall budget) or, failing that (or when the time
limit stops an enumeration), every segment at its best alternative. ``time_limit_s`` counts
wall-clock as for the soft-capacity models (about ``1.02 x time_limit_s + 2.5 s`` at most;
an enumeration stops after the batch in which it runs out, with the best plan evaluated and
status "time_limit"); the same seed gives the same answer unless the limit stops a MIP or
an enumeration. The MIP's relaxation is weak for metrics other than captures: its proofs
for hundreds of segments and tens of candidates can take minutes, and instances of
10,000 segments end with gaps near 20 % (hence the enumeration).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from netopt._errors import DataError, Problem
from netopt.solve.location._outcome import relative_gap
from netopt.solve.location._problem import TOL, Progress, say
from netopt.solve.location._share_enum import (
    FORCED_MAX_PLANS,
    SLACK_TOL,
    Plan,
    Share,
    count_plans,
    enumerate_plans,
    exact_plan,
    plan_parts,
    trivial_bound,
    use_enumeration,
)
from netopt.solve.location._share_mip import Run, phase_one, phase_two
from netopt.solve.location._soft import lexi_better
from netopt.solve.params import SolverParams
from netopt.solve.status import check_status

__all__ = ["ShareMetric", "ShareResult", "ShareTarget", "share_location"]


@dataclass(frozen=True)
class ShareMetric:
    """A sum over the choices and the opened candidates,
    :math:`\\sum_s d_s (v^0_s z_s + \\sum_j v_{sj} y_{sj}) + \\sum_j o_j x_j`.

    Parameters
    ----------
    fixed_value : numpy.ndarray
        ``(S,)`` value per unit of demand choosing an always-present alternative.
    cand_value : numpy.ndarray
        ``(S, J)`` value per unit of demand choosing candidate j.
    open_value : numpy.ndarray, optional
        ``(J,)`` value of opening candidate j, whoever chooses it (e.g. its yearly fixed
        cost in yuan); default 0.
    """

    fixed_value: np.ndarray
    cand_value: np.ndarray
    open_value: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.open_value is None:
            object.__setattr__(self, "open_value", np.zeros(np.shape(self.cand_value)[-1:]))
        for name in ("fixed_value", "cand_value", "open_value"):
            arr = np.array(getattr(self, name), dtype=float)  # read-only float copies
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)


@dataclass(frozen=True)
class ShareTarget:
    """Ask that ``metric`` reaches ``share`` per unit of total demand (0.9: 90 %); soft.

    With ``upper=True`` the target is a ceiling instead: ``metric`` at most ``share`` per
    unit of demand (a budget: yuan per visit). The shortfall is then the excess.

    Parameters
    ----------
    metric : str
        A key of the ``metrics`` of :func:`share_location`.
    share : float
        The target value per unit of demand.
    upper : bool, default False
        A ceiling (at most) rather than a floor (at least).
    """

    metric: str
    share: float
    upper: bool = False

    def __post_init__(self) -> None:
        ok = isinstance(self.share, (int, float, np.number)) and not isinstance(self.share, bool)
        if not isinstance(self.metric, str) or not ok or not math.isfinite(float(self.share)):
            found = f"metric={self.metric!r}, share={self.share!r}"
            raise DataError(Problem("ShareTarget", "", "", found, "use a name and a finite number"))
        if not isinstance(self.upper, bool):
            raise DataError(
                Problem("ShareTarget", "", "upper", repr(self.upper), "use True or False")
            )
        object.__setattr__(self, "share", float(self.share))


@dataclass(frozen=True)
class ShareResult:
    """A solved share-capture model; checks its own values.

    The common fields mean what they mean in :class:`~netopt.solve.SolveResult` (and
    :func:`~netopt.solve.status.stage_text` reads them), but no segment is assigned to one
    candidate and each target has a shortfall. ``status``: "optimal" (both phases
    proven), "feasible" or "time_limit" (best plan found), never "infeasible".

    Parameters
    ----------
    shortfalls : dict
        Target metric -> ``max(0, share - achieved)`` per unit of total demand.
    metrics : dict
        Every metric -> its value per unit of total demand.
    shares, fixed_shares : numpy.ndarray
        ``(S, J)`` exact share of each segment choosing each candidate (0 where closed) and
        ``(S,)`` the share choosing an always-present alternative (read-only).
    """

    selected: np.ndarray
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    message: str = ""
    solver: str = ""
    shortfalls: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    shares: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    fixed_shares: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        selected = np.asarray(self.selected)
        shares, fixed = np.array(self.shares, float), np.array(self.fixed_shares, float)
        problems = [p for p in [check_status(self.status)] if p is not None]
        if selected.ndim != 1 or (selected.size and selected.dtype.kind not in "iu"):
            problems.append(f"selected must be a 1-D int array, found {selected.dtype}")
        elif selected.size and (np.any(np.diff(selected) <= 0) or selected.min() < 0):
            problems.append("selected must hold sorted, distinct, non-negative indices")
        if not (np.isfinite(self.seconds) and self.seconds >= 0):
            problems.append(f"seconds must be finite and >= 0, found {self.seconds}")
        if any(not v >= 0 for v in self.shortfalls.values()):
            problems.append(f"shortfalls must be >= 0, found {self.shortfalls}")
        if self.status == "optimal" and not (np.isfinite(self.objective) and self.gap <= 1e-6):
            problems.append(f"an optimal result needs a finite objective and gap 0 ({self.gap})")
        if shares.ndim != 2 or fixed.shape != shares.shape[:1]:
            problems.append(f"shares {shares.shape} and fixed_shares {fixed.shape} differ")
        if problems:
            raise ValueError("invalid ShareResult: " + "; ".join(problems))
        shares.setflags(write=False), fixed.setflags(write=False)
        own = {"selected": selected.astype(np.int64, copy=False), "shares": shares,
               "fixed_shares": fixed, "shortfalls": dict(self.shortfalls),
               "metrics": dict(self.metrics)}  # fmt: skip
        for name, value in own.items():
            object.__setattr__(self, name, value)

    @property
    def is_optimal(self) -> bool:
        """True when the plan is proven optimal (least shortfall, then best objective)."""
        return self.status == "optimal"

    @property
    def is_feasible(self) -> bool:
        """True when a plan is returned (always, for this model)."""
        return self.status != "infeasible" and bool(np.isfinite(self.objective))

    @property
    def targets_met(self) -> bool:
        """True when every target is met."""
        return all(v <= SLACK_TOL for v in self.shortfalls.values())

    def summary(self) -> str:
        """Status, objective, bound, gap, plan, metrics, shortfalls and notes, one a line."""
        gap = f"{self.gap:.4%}" if np.isfinite(self.gap) else "n/a"
        lines = [f"status    {self.status}", f"objective {self.objective:,.4f}",
                 f"bound     {self.bound:,.4f}", f"gap       {gap}",
                 f"selected  {len(self.selected)} candidates: {self.selected.tolist()}",
                 *(f"metric    {k} {v:.4%}" for k, v in self.metrics.items()),
                 *(f"shortfall {k} {100 * v:.2f} pp" for k, v in self.shortfalls.items() if v),
                 f"seconds   {self.seconds:.2f}", f"solver    {self.solver}",
                 f"message   {self.message}"]  # fmt: skip
        return "\n".join(lines)

    __str__ = summary


def _added(sh: Share, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys ``(J,)`` of ``mask`` plus each candidate (vectorised over candidates)."""
    num, den = plan_parts(sh, mask)
    together = (num[:, :, None] + sh.cv * sh.w) / (den[:, None] + sh.w)
    values = np.einsum("msj,s->mj", together, sh.dn) + (sh.ov @ mask)[:, None] + sh.ov
    signed = sh.tgt_sign[:, None] * values[sh.tgt_metric]
    short = np.maximum(sh.tgt_share[:, None] - signed, 0.0).sum(axis=0)
    return short, -sh.sign * values[sh.obj]


def _best(short: np.ndarray, cost: np.ndarray, allowed: np.ndarray) -> int:
    """The allowed index with the least shortfall (within SLACK_TOL), then the least cost."""
    idx = np.flatnonzero(allowed)
    near = idx[short[idx] <= short[idx].min() + SLACK_TOL]
    return int(near[np.argmin(cost[near])])


def _validate(
    w: np.ndarray, f: np.ndarray, d: np.ndarray, metrics: Mapping[str, ShareMetric],
    objective: str, maximize: object, targets: Sequence[ShareTarget], n_open: object,
    max_open: object, fixed_open: Sequence[int],
) -> Share:  # fmt: skip
    """Check every argument in one pass; raise one DataError listing every problem."""
    problems: list[Problem] = []

    def bad(name: str, found: str, fix: str, record: str = "") -> None:
        problems.append(Problem("share_location", record, name, found, fix))

    if w.ndim != 2 or 0 in w.shape:
        raise DataError(Problem("share_location", "", "cand_weight", f"shape {w.shape}",
                                "pass a 2-D (segments x candidates) array, not empty"))  # fmt: skip
    (n_seg, n_cand), names = w.shape, tuple(metrics)
    if not np.isfinite(w).all() or (w < 0).any():
        bad("cand_weight", "negative, NaN or inf values", "weights must be finite and >= 0")
    for name, arr in (("fixed_weight", f), ("demand", d)):
        if arr.shape != (n_seg,):
            bad(name, f"length {arr.size}", f"pass {n_seg} values (one per segment)")
    if f.shape == (n_seg,) and (poor := np.flatnonzero(~(np.isfinite(f) & (f > 0)))).size:
        bad("fixed_weight", f"{len(poor)} segment(s) without a positive finite weight: "
            f"{poor[:10].tolist()}", "give each an always-present alternative")  # fmt: skip
    if d.shape == (n_seg,) and (not np.isfinite(d).all() or (d < 0).any() or d.sum() <= 0):
        bad("demand", "negative, NaN or inf values, or all zero", "demands must be >= 0, not all 0")
    for name, metric in metrics.items():
        if not isinstance(metric, ShareMetric):
            raise TypeError(f"share_location: metrics[{name!r}] must be a ShareMetric")
        fv, cv, ov = metric.fixed_value, metric.cand_value, metric.open_value
        if fv.shape != (n_seg,) or cv.shape != (n_seg, n_cand) or ov.shape != (n_cand,):
            bad("metrics", f"fixed_value {fv.shape}, cand_value {cv.shape}, open_value "
                f"{ov.shape}", f"use shapes ({n_seg},), ({n_seg}, {n_cand}) and ({n_cand},)",
                record=name)  # fmt: skip
        elif not (np.isfinite(fv).all() and np.isfinite(cv).all() and np.isfinite(ov).all()):
            bad("metrics", "NaN or inf values", "values must be finite", record=name)
    if objective not in metrics:
        bad("objective", repr(objective), f"name one of the metrics {list(names)}")
    if not isinstance(maximize, bool):
        bad("maximize", repr(maximize), "use True or False")
    for k, target in enumerate(targets):
        if not isinstance(target, ShareTarget):
            raise TypeError(f"share_location: targets[{k}] must be a ShareTarget")
        if target.metric not in metrics:
            bad("targets", repr(target.metric), f"name one of the metrics {list(names)}", str(k))
        elif target.metric in [t.metric for t in targets[:k]]:
            bad("targets", f"a second target on {target.metric!r}", "give one per metric", str(k))
    fixed = np.unique(np.asarray(list(fixed_open), dtype=np.int64))
    if len(fixed) != len(fixed_open) or (fixed.size and (fixed[0] < 0 or fixed[-1] >= n_cand)):
        bad("fixed_open", str(list(fixed_open)), f"list distinct indices in 0..{n_cand - 1}")
    n_free = n_cand - len(fixed)
    for name, value, most in (("n_open", n_open, n_free), ("max_open", max_open, np.inf)):
        whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        if value is not None and (not whole or not 0 <= value <= most):
            top = "any" if most == np.inf else most
            bad(name, repr(value), f"choose 0..{top}: the {n_cand} candidates less the "
                f"{n_cand - n_free} in fixed_open (it counts the others opened)")  # fmt: skip
    if isinstance(n_open, int) and isinstance(max_open, int) and n_open > max_open:
        bad("n_open", f"{n_open} > max_open {max_open}", "give n_open <= max_open, or only one")
    if problems:
        raise DataError(problems)
    return Share(
        w=w, f=f, dn=d / d.sum(), total=float(d.sum()), names=names,
        fv=np.stack([metrics[n].fixed_value for n in names]),
        cv=np.stack([metrics[n].cand_value for n in names]),
        ov=np.stack([metrics[n].open_value for n in names]) / float(d.sum()),
        obj=names.index(objective), maximize=bool(maximize), fixed=fixed,
        tgt_metric=np.array([names.index(t.metric) for t in targets], np.int64),
        tgt_sign=np.array([-1.0 if t.upper else 1.0 for t in targets], float),
        tgt_share=np.array([-t.share if t.upper else t.share for t in targets], float),
        n_open=None if n_open is None else int(n_open),  # type: ignore[call-overload]
        max_open=None if max_open is None else min(int(max_open), n_free),  # type: ignore
    )  # fmt: skip


def _heuristic(sh: Share, deadline: float | None) -> tuple[Plan, tuple[float, float]]:
    """Greedy additions by (shortfall, cost), then best-swap moves until none improves."""
    n_cand = sh.w.shape[1]
    mask = np.isin(np.arange(n_cand), sh.fixed)
    plan, key = exact_plan(sh, mask)
    for step in range(len(sh.free) if sh.count is None else sh.count):
        short, cost = _added(sh, mask)
        j = _best(short, cost, ~mask)
        if step >= (sh.n_open or 0) and not lexi_better((short[j], cost[j]), key, SLACK_TOL):
            break
        mask[j] = True
        plan, key = exact_plan(sh, mask)
    improved = not mask.all()
    while improved and not (deadline is not None and time.perf_counter() >= deadline):
        improved = False
        for i in np.setdiff1d(np.flatnonzero(mask), sh.fixed):
            less = mask & (np.arange(n_cand) != i)
            short, cost = _added(sh, less)
            j = _best(short, cost, ~mask)
            if lexi_better((short[j], cost[j]), key, SLACK_TOL):
                mask, improved = less | (np.arange(n_cand) == j), True
                plan, key = exact_plan(sh, mask)
    return plan, key


def _message(sh: Share, plan: Plan, proven1: bool) -> str:
    """Which targets are short, by how many percentage points."""
    parts = [
        f"target {sh.names[m]} >= {100 * sh.tgt_share[k]:.2f} % not met: achieved "
        f"{100 * plan.values[m]:.2f} %, short by {100 * plan.short[k]:.2f} percentage points"
        if sh.tgt_sign[k] > 0 else
        f"ceiling {sh.names[m]} <= {-sh.tgt_share[k] * sh.total:,.6g} not met: achieved "
        f"{plan.values[m] * sh.total:,.6g}, over by {plan.short[k] * sh.total:,.6g}"
        for k, m in enumerate(sh.tgt_metric) if plan.short[k] > SLACK_TOL
    ]  # fmt: skip
    if not parts:
        return "every target met" if len(sh.tgt_metric) else ""
    return "; ".join(parts) + ("" if proven1 else " (least shortfall not proven)")


def share_location(
    cand_weight: np.ndarray,
    fixed_weight: np.ndarray,
    demand: np.ndarray,
    *,
    metrics: Mapping[str, ShareMetric],
    objective: str,
    maximize: bool,
    targets: Sequence[ShareTarget] = (),
    n_open: int | None = None,
    max_open: int | None = None,
    fixed_open: Sequence[int] = (),
    params: SolverParams = SolverParams(),
    progress: Callable[[str], None] | None = None,
    solver: str = "highs",
    method: str = "auto",
) -> ShareResult:
    """Open candidates to maximise or minimise a metric of MNL choices, targets first.

    The model, the enumeration and the MIP's two phases are in the module docstring.

    Parameters
    ----------
    cand_weight, fixed_weight : numpy.ndarray
        ``(S, J)`` choice weights of the candidates (>= 0) and ``(S,)`` total weight of the
        always-present alternatives (> 0), on one scale (e.g. ``exp(V)``).
    demand : numpy.ndarray
        ``(S,)`` demand per segment (e.g. visits per year), >= 0.
    metrics : mapping of str to ShareMetric
        Quantities to optimise, constrain or report; ``objective`` names the one optimised,
        maximised when ``maximize`` (captures), else minimised (patient-hours).
    targets : sequence of ShareTarget
        Soft lower bounds, one per metric at most; the total shortfall is minimised first.
    n_open, max_open : int, optional
        Exactly / at most this many candidates opened **besides** ``fixed_open`` (always
        open; a ``max_open`` above the others is no limit); neither: any number.
    params : SolverParams, optional
        ``time_limit_s`` (wall-clock seconds of the call; None: until proven) and ``seed``.
    progress : callable, optional
        Receives one-line progress messages (also logged at INFO).
    solver : {"highs", "scip"}
        OR-Tools backend of the MIPs.
    method : {"auto", "enumerate", "mip"}
        ``"auto"``: every feasible plan evaluated when they are few (<= 20,000 and about
        3e9 flops), else the MIP; ``"enumerate"``: every plan, however many (up to
        10,000,000; the time limit applies); ``"mip"``: the greedy + swap plan and the MIP.

    Returns
    -------
    ShareResult
        Unmet targets in ``shortfalls`` and ``message``, never raised; a time-out returns
        the best plan found (status "time_limit").

    Raises
    ------
    netopt.DataError
        Every malformed argument, e.g. a segment whose ``fixed_weight`` is not > 0, or
        ``method="enumerate"`` with more than 10,000,000 feasible plans.
    TypeError
        ``params``, a metric or a target of the wrong type.
    ValueError
        An unknown ``solver`` or ``method``.

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import ShareMetric, share_location
    >>> w, capture = np.array([[2.0, 1.0], [0.0, 3.0]]), ShareMetric(np.zeros(2), np.ones((2, 2)))
    >>> r = share_location(w, np.ones(2), np.ones(2), metrics={"capture": capture},
    ...                    objective="capture", maximize=True, n_open=1)
    >>> r.selected.tolist(), round(r.objective, 4), r.status
    ([1], 1.25, 'optimal')
    """
    start = time.perf_counter()
    if not isinstance(params, SolverParams):
        raise TypeError(f"share_location: params must be a SolverParams, not {type(params)}")
    if solver not in ("highs", "scip"):
        raise ValueError(f'share_location: solver must be "highs" or "scip", found {solver!r}')
    if method not in ("auto", "enumerate", "mip"):
        raise ValueError(
            f'share_location: method must be "auto", "enumerate" or "mip", found {method!r}'
        )
    if not isinstance(metrics, Mapping) or not metrics:
        raise TypeError("share_location: metrics must be a non-empty mapping of ShareMetric")
    arrays = [np.array(a, dtype=float) for a in (cand_weight, fixed_weight, demand)]
    sh = _validate(arrays[0], arrays[1].ravel(), arrays[2].ravel(), metrics, objective,
                   maximize, targets, n_open, max_open, fixed_open)  # fmt: skip
    limit = params.time_limit_s
    deadline = None if limit is None else start + limit
    n_plans = count_plans(sh)
    if method == "enumerate" and n_plans > FORCED_MAX_PLANS:
        raise DataError(Problem("share_location", "", "method", f'"enumerate" with {n_plans:,} '
                                f"feasible plans (at most {FORCED_MAX_PLANS:,})",
                                'use method="auto" or "mip", or fewer candidates'))  # fmt: skip
    if method == "enumerate" or (method == "auto" and use_enumeration(sh, n_plans)):
        return _enumerated(sh, n_plans, start, deadline, progress)
    early = None if limit is None else start + 0.1 * limit  # the greedy + swap plan
    plan, key = _heuristic(sh, early)
    say(progress, f"share_location: greedy + swap plan, shortfall {key[0]:.6g}, "
        f"{sh.names[sh.obj]} {sh.sign * -key[1] * sh.total:,.6g}")  # fmt: skip
    run = Run(sh, deadline, params.seed, progress, solver, plan, key)
    if sh.count == 0 or len(sh.free) == 0 or sh.n_open == len(sh.free):
        proven1, bound, st2 = True, sh.sign * -key[1], "bound"  # one plan only
    else:
        proven1, _ = phase_one(run)
        bound, st2 = phase_two(run)
    plan, value = run.plan, sh.sign * -run.key[1]
    bound = max(bound, value) if sh.maximize else min(bound, value)
    gap = relative_gap(value, bound)
    if proven1 and (st2 in ("optimal", "bound") or gap <= TOL):
        status, gap, bound = "optimal", 0.0, value
    elif deadline is not None and (st2 in ("feasible", "time_limit") or run.late()):
        status = "time_limit"
    else:
        status = "feasible"
    notes = [_message(sh, plan, proven1)]
    if status == "time_limit":
        notes.append("stopped by the time limit; best plan and bound returned")
    elif st2 == "error":
        notes.append("the MIP solver failed; the heuristic plan is returned")
    how = f"{run.source} plan" + (f", {solver} MNL MIP (Haase 2009)" if run.mips else "")
    return _result(sh, plan, (value, bound, gap), status, notes, how, start)


def _enumerated(
    sh: Share, n_plans: int, start: float, deadline: float | None, progress: Progress
) -> ShareResult:
    """Every feasible plan evaluated (a proof), or as many as the time limit allows."""
    say(progress, f"share_location: enumerating {n_plans:,} feasible plans")
    found = enumerate_plans(sh, deadline)
    value = sh.sign * -found.key[1]
    if found.complete:
        status, bound, gap = "optimal", value, 0.0
        note = f"exact by enumeration of {n_plans:,} plans"
    else:  # every segment at its best alternative bounds every plan
        bound = trivial_bound(sh)
        bound = max(bound, value) if sh.maximize else min(bound, value)
        status, gap = "time_limit", relative_gap(value, bound)
        note = (f"stopped by the time limit after {found.evaluated:,} of {n_plans:,} plans; "
                "best plan evaluated and bound returned")  # fmt: skip
    notes = [_message(sh, found.plan, found.complete), note]
    how = f"enumeration of {n_plans:,} plans (exact MNL shares)"
    return _result(sh, found.plan, (value, bound, gap), status, notes, how, start)


def _result(
    sh: Share, plan: Plan, numbers: tuple[float, float, float], status: str,
    notes: list[str], how: str, start: float,
) -> ShareResult:  # fmt: skip
    """The result of ``plan`` with (objective, bound, gap) in share units, and its shares."""
    value, bound, gap = numbers
    den = sh.f + sh.w[:, plan.mask].sum(axis=1)  # the exact MNL shares of the plan
    return ShareResult(
        selected=np.flatnonzero(plan.mask), objective=value * sh.total, bound=bound * sh.total,
        gap=gap, status=status, seconds=time.perf_counter() - start,
        message="; ".join(n for n in notes if n), solver=how,
        shortfalls={sh.names[m]: float(plan.short[k]) for k, m in enumerate(sh.tgt_metric)},
        metrics=dict(zip(sh.names, map(float, plan.values), strict=True)),
        shares=sh.w * plan.mask / den[:, None], fixed_shares=sh.f / den,
    )  # fmt: skip
