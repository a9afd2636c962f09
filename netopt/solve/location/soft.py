r"""Soft capacities: the p-median and p-center whose capacities may overflow, at a price first.

The hard capacitated models (:func:`~netopt.solve.p_median`, :func:`~netopt.solve.p_center`
with ``capacities``) have no plan when the beds cannot hold the load. With
``soft_capacity=True`` the assignment stays single-sourced, but a candidate's load may
exceed its capacity by an overflow :math:`o_j`, and the total overflow dominates the cost
(lexicographic objective):

.. math::

    \operatorname{lexmin} \Big( \sum_j o_j,\; \sum_i \sum_j w_i c_{ij} x_{ij} \Big)
    \quad \text{s.t.} \quad
    \sum_j x_{ij} = 1,\; x_{ij} \le y_j,\; \sum_j y_j = p,\; y_j = 1 \;(j \in F),

    o_j \ge \sum_i \ell_i x_{ij} - Q_j,\; o_j \ge 0 \;(Q_j < \infty),\;
    x_{ij} = 0 \;(c_{ij} = \infty),\; x, y \in \{0, 1\}

(the p-center's second level is :math:`\max_i w_i c_{i,a(i)}` instead of the sum). A plan
therefore respects the capacities wherever any plan can: with enough capacity the total
overflow is 0 and the answer is the hard model's optimum; otherwise no plan has less
overflow, and among those with the least overflow it has the least cost.

**Exactly, in two phases, not by a penalty.** A penalty :math:`M \sum_j o_j` is exact only
with :math:`M` above (largest cost difference) / (smallest nonzero overflow difference), and
with real-valued loads that difference has no positive lower bound; a large :math:`M` would
also drown the cost in the MIP's relative gap. So:

1. a plan first: the uncapacitated model (at most 30 % of the time limit) gives the lead
   set and a lower bound on the cost; :func:`~netopt.solve.location._soft.repair` assigns
   demands to it (and to the ``fixed`` plus largest-capacity set) by overflow-then-cost
   moves. A time-out therefore always returns a plan (whenever the uncapacitated model has
   one: the soft model is feasible exactly when every demand can be served on allowed pairs);
2. phase 1 minimises :math:`\sum_j o_j` alone (skipped when the plan already meets the
   lower bound ``max(total load - largest p capacities, sum_i max(0, l_i - max allowed
   Q_j))``), with up to half of the time left;
3. phase 2 minimises the cost subject to :math:`\sum_j o_j \le O^*` (the least overflow
   found). p-median: first the best assignment to the incumbent's own leads (a small MIP,
   a third of the time left), then the MIP over the candidates that Lagrangian reduced
   costs do not exclude. p-center: a heuristic bisection over the radii (the repair on the
   incumbent's leads), then bisection with phase-2 feasibility MIPs.

"Least overflow" holds to the MIP's relative gap (1e-6) and to a tolerance of
``1e-6 x max(1, total load)`` between overflows; with integer loads and capacities it is
exact. ``status`` is "optimal" only when both phases are proven; a plan whose overflow is
not proven minimal keeps status "time_limit" (or "feasible"), and its message says so.
``objective``, ``bound`` and ``gap`` are those of the cost (a bound valid for every plan
with at most the returned overflow); ``shortfall`` is the total overflow
:math:`\sum_j o_j` of the returned plan (:func:`capacity_overflow` gives it per candidate).
``time_limit_s`` counts as for the capacitated p-median (no MIP starts after the limit; a
call returns by about ``1.02 x time_limit_s + 2.5 s``), and the same seed gives the same
answer unless the wall-clock limit stops a MIP.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from netopt.solve import _heuristics as heur
from netopt.solve.location._outcome import plan_result, relative_gap
from netopt.solve.location._problem import TOL, LocationProblem, Progress, say
from netopt.solve.location._reduction import lagrangian_fixing
from netopt.solve.location._soft import capacity_overflow, lexi_better, repair, soft_model
from netopt.solve.location._steps import assignment_plan, run_mip
from netopt.solve.result import SolveResult

__all__ = ["capacity_overflow", "overflow_lower_bound", "solve_soft"]


@dataclass(frozen=True)
class _Plan:
    selected: np.ndarray
    assign: np.ndarray
    overflow: float
    cost: float

    @property
    def key(self) -> tuple[float, float]:
        return self.overflow, self.cost


@dataclass(frozen=True)
class _Soft:
    """One soft-capacity instance: the problem, how a plan's cost is measured, tolerances."""

    prob: LocationProblem
    center: bool
    start: float
    deadline: float | None
    seed: int
    progress: Progress
    solver: str

    @property
    def label(self) -> str:
        return "p_center" if self.center else "p_median"

    @property
    def total(self) -> float:
        return float(self.prob.loads.sum())

    @property
    def tol(self) -> float:
        """Overflows closer than this are equal."""
        return 1e-6 * max(1.0, self.total)

    @property
    def integral(self) -> bool:
        """Integer loads and capacities: every overflow is an integer."""
        loads, caps = self.prob.loads, self.prob.capacities
        finite = caps[np.isfinite(caps)]
        return bool(np.all(loads == np.round(loads)) and np.all(finite == np.round(finite)))

    @property
    def open_lb(self) -> np.ndarray:
        lb = np.zeros(self.prob.costs.shape[1])
        lb[self.prob.fixed] = 1.0
        return lb

    def late(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def measure(self, selected: np.ndarray, assign: np.ndarray) -> _Plan:
        prob = self.prob
        served = prob.weights * prob.costs[np.arange(len(assign)), assign]
        cost = float(served.max() if self.center else served.sum())
        over = float(capacity_overflow(assign, prob.loads, prob.capacities).sum())
        return _Plan(np.sort(np.asarray(selected, np.int64)), assign, over, cost)

    def repaired(self, selected: np.ndarray, costs: np.ndarray | None = None) -> _Plan | None:
        prob = self.prob
        assign = repair(
            prob.costs if costs is None else costs,
            prob.weights,
            prob.loads,
            prob.capacities,
            selected,
            tol=self.tol,
            deadline=self.deadline,
        )
        return None if assign is None else self.measure(selected, assign)


def overflow_lower_bound(prob: LocationProblem) -> float:
    """A lower bound on the total overflow of every plan (see the module docstring)."""
    caps, loads = prob.capacities, prob.loads
    m = prob.costs.shape[1]
    free = np.setdiff1d(np.arange(m), prob.fixed)
    best = caps[prob.fixed].sum() + np.sort(caps[free])[::-1][: prob.p - len(prob.fixed)].sum()
    total = max(0.0, float(loads.sum() - best)) if np.isfinite(best) else 0.0
    largest = np.where(np.isfinite(prob.costs), caps[None, :], -np.inf).max(axis=1)
    single = float(np.where(np.isfinite(largest), np.maximum(loads - largest, 0.0), 0.0).sum())
    return max(total, single)


def _start(soft: _Soft, relaxed: SolveResult) -> _Plan | None:
    """The heuristic plan: the relaxation's leads, or the fixed + largest-capacity leads."""
    prob = soft.prob
    caps = prob.capacities
    free = np.setdiff1d(np.arange(prob.costs.shape[1]), prob.fixed)
    big = free[np.argsort(-np.where(np.isfinite(caps[free]), caps[free], np.inf), kind="stable")]
    sets = [np.sort(np.r_[prob.fixed, big[: prob.p - len(prob.fixed)]])]
    if relaxed.is_feasible:
        sets.insert(0, relaxed.selected)
    best: _Plan | None = None
    for selected in sets:
        plan = soft.repaired(selected)
        if plan is not None and (best is None or lexi_better(plan.key, best.key, soft.tol)):
            best = plan
    return best


def _phase_one(soft: _Soft, plan: _Plan, lower: float) -> tuple[_Plan, float, bool, str]:
    """Minimise the total overflow; return the plan, the overflow bound, proven, MIP status."""
    prob = soft.prob
    if plan.overflow <= lower + soft.tol:
        return plan, lower, True, "bound"
    if soft.late():
        return plan, lower, False, "time_limit"
    deadline = soft.deadline
    if deadline is not None:
        deadline = time.perf_counter() + 0.5 * (deadline - time.perf_counter())
    model = soft_model(
        prob.costs, prob.weights, p=prob.p, open_lb=soft.open_lb, loads=prob.loads,
        capacities=prob.capacities, budget=None,
    )  # fmt: skip
    out = run_mip(
        model, deadline, soft.seed, soft.progress, soft.solver, f"{soft.label} phase 1 (overflow)",
        integral=soft.integral,
    )  # fmt: skip
    if out.values is not None:
        selected, assign = assignment_plan(model, out.values, len(prob.costs))
        for found in (soft.measure(selected, assign), soft.repaired(selected)):
            if found is not None and lexi_better(found.key, plan.key, soft.tol):
                plan = found
    bound = max(lower, float(out.bound)) if np.isfinite(out.bound) else lower
    proven = out.status == "optimal" or plan.overflow <= bound + soft.tol
    return plan, min(bound, plan.overflow), proven, out.status


def _budget(soft: _Soft, plan: _Plan) -> float:
    """Phase 2's overflow budget: the least overflow, plus a margin for the MIP's tolerances."""
    return plan.overflow + (0.5 if soft.integral else 1e-7 * max(1.0, soft.total))


def _own_leads(soft: _Soft, plan: _Plan) -> _Plan:
    """The best assignment to the plan's own leads within the overflow budget (a small MIP,
    a third of the time left): a better incumbent before the MIP over every candidate."""
    prob = soft.prob
    sel = plan.selected
    deadline = soft.deadline
    if deadline is not None:
        deadline = time.perf_counter() + (deadline - time.perf_counter()) / 3.0
    model = soft_model(
        prob.costs[:, sel], prob.weights, p=len(sel), open_lb=np.ones(len(sel)),
        loads=prob.loads, capacities=prob.capacities[sel], budget=_budget(soft, plan),
    )  # fmt: skip
    out = run_mip(model, deadline, soft.seed, soft.progress, soft.solver,
                  "p_median phase 2 (assign to the incumbent's leads)")  # fmt: skip
    if out.values is None:
        return plan
    _, assign = assignment_plan(model, out.values, len(prob.costs))
    found = soft.measure(sel, sel[assign])
    better = found.overflow <= plan.overflow + soft.tol and found.cost < plan.cost
    return found if better else plan


def _median_phase_two(soft: _Soft, plan: _Plan, lower: float) -> tuple[_Plan, float, str]:
    """Least cost within the overflow budget; return the plan, the cost bound, MIP status."""
    prob = soft.prob
    c, w, p, fixed = prob.costs, prob.weights, prob.p, prob.fixed
    if plan.cost <= lower + TOL * max(1.0, abs(plan.cost)):
        return plan, lower, "bound"
    if soft.late():
        return plan, lower, "time_limit"
    plan = _own_leads(soft, plan)
    if soft.late():
        return plan, lower, "time_limit"
    wc, _ = heur.penalised(c, w)
    _, lam = heur.lagrangian_bound(wc, p, fixed, plan.cost, deadline=soft.deadline)
    keep, _ = lagrangian_fixing(wc, lam, p, fixed, plan.cost + TOL * max(1.0, abs(plan.cost)))
    keep[plan.selected] = True
    kept = np.flatnonzero(keep)
    say(soft.progress, f"p_median phase 2: cost MIP on {len(kept)} of {c.shape[1]} candidates")
    open_lb = soft.open_lb[kept]
    model = soft_model(
        c[:, kept], w, p=p, open_lb=open_lb, loads=prob.loads, capacities=prob.capacities[kept],
        budget=_budget(soft, plan),
    )  # fmt: skip
    out = run_mip(model, soft.deadline, soft.seed, soft.progress, soft.solver,
                  "p_median phase 2 (cost)")  # fmt: skip
    if out.values is not None:
        selected, assign = assignment_plan(model, out.values, len(c))
        found = soft.measure(kept[selected], kept[assign])
        if found.overflow <= plan.overflow + soft.tol and found.cost < plan.cost:
            plan = found
        elif found.overflow > plan.overflow + soft.tol:  # outside the tolerance: no proof
            return plan, lower, "error"
    bound = max(lower, float(out.bound)) if np.isfinite(out.bound) else lower
    if out.status == "optimal":
        bound = max(bound, min(plan.cost, float(out.objective)))
    return plan, bound, out.status


def _smaller_radius(
    soft: _Soft, plan: _Plan, wcost: np.ndarray, radii: np.ndarray, lo: int
) -> _Plan:
    """Heuristic bisection over the radii: the smallest radius at which the repair heuristic,
    on the plan's leads and the pairs within it, keeps the plan's overflow."""
    prob = soft.prob
    hi = int(np.searchsorted(radii, plan.cost))
    while lo < hi and not soft.late():
        mid = (lo + hi) // 2
        found = soft.repaired(plan.selected, np.where(wcost <= radii[mid], prob.costs, np.inf))
        if found is not None and found.overflow <= plan.overflow + soft.tol:
            plan, hi = found, int(np.searchsorted(radii, found.cost))
        else:
            lo = mid + 1
    return plan


def _center_phase_two(soft: _Soft, plan: _Plan, lower: float) -> tuple[_Plan, float, str]:
    """Smallest radius within the overflow budget, by bisection over the radii."""
    prob = soft.prob
    wcost = np.where(np.isfinite(prob.costs), prob.costs * prob.weights[:, None], np.inf)
    radii = np.unique(wcost[np.isfinite(wcost)])
    lo = int(np.searchsorted(radii, lower - 1e-12 * max(1.0, abs(lower))))
    plan = _smaller_radius(soft, plan, wcost, radii, lo)
    hi = int(np.searchsorted(radii, plan.cost))
    status = "optimal"
    while lo < hi:
        if soft.late():
            status = "time_limit"
            break
        mid = (lo + hi) // 2
        sub = np.where(wcost <= radii[mid], 0.0, np.inf)
        if np.isinf(sub).all(axis=1).any():
            lo = mid + 1
            continue
        model = soft_model(
            sub, prob.weights, p=prob.p, open_lb=soft.open_lb, loads=prob.loads,
            capacities=prob.capacities, budget=_budget(soft, plan),
        )  # fmt: skip
        out = run_mip(model, soft.deadline, soft.seed, soft.progress, soft.solver,
                      "p_center phase 2 (radius)")  # fmt: skip
        if out.status == "infeasible":
            lo = mid + 1
            continue
        if out.values is None:
            status = out.status if out.status == "error" else "time_limit"
            break
        selected, assign = assignment_plan(model, out.values, len(sub))
        found = soft.measure(selected, assign)
        if found.overflow > plan.overflow + soft.tol:
            status = "error"
            break
        plan, hi = found, mid
    # with the radius settled, lower the total cost without raising overflow or radius
    within = np.where(wcost <= plan.cost, prob.costs, np.inf)
    tidy = soft.repaired(plan.selected, within)
    if tidy is not None and not lexi_better(plan.key, tidy.key, soft.tol):
        plan = tidy
    bound = float(radii[lo]) if lo < len(radii) else plan.cost
    return plan, min(bound, plan.cost), status


def _solve(soft: _Soft, relaxed: SolveResult) -> SolveResult:
    """The two phases after the relaxation (shared by the p-median and the p-center)."""
    prob = soft.prob
    plan = _start(soft, relaxed)
    if plan is None:  # the relaxation found no plan in time, nor did the heuristic
        return relaxed
    lower_o = overflow_lower_bound(prob)
    say(
        soft.progress,
        f"{soft.label}: heuristic plan, overflow {plan.overflow:,.6g} (lower bound "
        f"{lower_o:,.6g}), cost {plan.cost:,.6g}",
    )
    plan, bound_o, proven1, st1 = _phase_one(soft, plan, lower_o)
    lower_c = relaxed.bound if np.isfinite(relaxed.bound) else -np.inf
    phase_two = _center_phase_two if soft.center else _median_phase_two
    plan, bound_c, st2 = phase_two(soft, plan, lower_c)
    proven2 = st2 in ("optimal", "bound")
    stopped = {"feasible", "time_limit"} & {st1, st2} or relaxed.status == "time_limit"
    if proven1 and proven2:
        status = "optimal"
    elif soft.deadline is not None and (stopped or soft.late()):
        status = "time_limit"
    else:
        status = "feasible"
    n_over = int((capacity_overflow(plan.assign, prob.loads, prob.capacities) > 0).sum())
    if plan.overflow <= soft.tol:
        message = "soft capacities: every capacity holds (no overflow)"
    else:
        message = (
            f"soft capacities: total overflow {plan.overflow:,.6g} above capacity at "
            f"{n_over} candidate(s), "
            + ("proven minimal" if proven1 else f"not proven minimal (lower bound {bound_o:,.6g})")
        )
    result = plan_result(
        plan.selected, plan.assign, plan.cost, bound_c, status, soft.start,
        message=message, solver=f"soft-capacity {soft.solver} two-phase MIP",
    )  # fmt: skip
    if result.status == "optimal" and not proven1:  # the cost gap is 0, the overflow unproven
        gap = relative_gap(result.objective, result.bound)
        result = dataclasses.replace(result, status=status, gap=gap)
    return dataclasses.replace(result, shortfall=max(0.0, plan.overflow))


def solve_soft(
    prob: LocationProblem,
    relaxed: SolveResult,
    *,
    center: bool,
    start: float,
    deadline: float | None,
    seed: int,
    progress: Progress,
    solver: str,
) -> SolveResult:
    """Solve the soft-capacity p-median (``center=False``) or p-center (module docstring).

    ``prob`` has loads and capacities; ``relaxed`` is the solved uncapacitated model (the
    caller gives it about 30 % of the time limit): its plan starts the heuristic and its
    bound bounds the cost.
    """
    if relaxed.status == "infeasible":
        return relaxed
    return _solve(_Soft(prob, center, start, deadline, seed, progress, solver), relaxed)
