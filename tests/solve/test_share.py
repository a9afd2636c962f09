"""Tests of netopt.solve.share_location: the MNL share MIP against brute-force enumeration."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from netopt import DataError
from netopt.solve import (
    STATUSES,
    ShareMetric,
    ShareResult,
    ShareTarget,
    SolverParams,
    share_location,
)

EXACT = SolverParams(time_limit_s=None)


# ----------------------------------------------------------------------------------------
# instances and brute force
# ----------------------------------------------------------------------------------------
def _instance(seed: int, n_seg: int = 12, n_cand: int = 6):
    """Random weights (some zero), fixed weights, demands and three metrics."""
    rng = np.random.default_rng(seed)
    w = rng.exponential(1.0, (n_seg, n_cand)) * (rng.random((n_seg, n_cand)) < 0.7)
    f = rng.exponential(1.0, n_seg) + 0.1
    d = rng.integers(1, 50, n_seg).astype(float)
    inside = rng.random(n_cand) < 0.5
    metrics = {
        "capture": ShareMetric(np.zeros(n_seg), np.ones((n_seg, n_cand))),
        "in_area": ShareMetric(rng.random(n_seg), np.tile(inside.astype(float), (n_seg, 1))),
        "hours": ShareMetric(rng.uniform(0.5, 3.0, n_seg), rng.uniform(0.2, 3.0, (n_seg, n_cand))),
    }
    return w, f, d, metrics


def _evaluate(w, f, d, metrics, sel):
    """Exact MNL shares and every metric / total demand for the open set ``sel``."""
    den = f + w[:, sel].sum(axis=1)
    y = np.zeros_like(w)
    y[:, sel] = w[:, sel] / den[:, None]
    z = f / den
    values = {
        name: float(
            (d @ (m.fixed_value * z + (m.cand_value * y).sum(axis=1)) + m.open_value[sel].sum())
            / d.sum()
        )
        for name, m in metrics.items()
    }
    return values, y, z


def _brute(w, f, d, metrics, objective, maximize, targets=(), n_open=None, fixed=(), max_open=None):
    """Least total shortfall (within 1e-6), then the best objective, over every plan."""
    free = [j for j in range(w.shape[1]) if j not in fixed]
    sizes = [n_open] if n_open is not None else range((max_open or len(free)) + 1)
    plans = []
    for k in sizes:
        for combo in itertools.combinations(free, k):
            sel = sorted([*fixed, *combo])
            values, _, _ = _evaluate(w, f, d, metrics, sel)
            short = sum(
                max(0.0, values[t.metric] - t.share if t.upper else t.share - values[t.metric])
                for t in targets
            )
            plans.append((short, values[objective], sel))
    least = min(p[0] for p in plans)
    near = [p for p in plans if p[0] <= least + 1e-6]
    best = (max if maximize else min)(near, key=lambda p: p[1])
    return least, best[1] * d.sum(), best[2]


def _check(res: ShareResult, w, f, d, metrics, objective, maximize, targets=(), **card):
    least, value, _ = _brute(w, f, d, metrics, objective, maximize, targets, **card)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(value, rel=1e-6, abs=1e-6)
    assert res.bound == pytest.approx(res.objective)
    assert sum(res.shortfalls.values()) == pytest.approx(least, abs=1e-6)
    values, y, z = _evaluate(w, f, d, metrics, res.selected)
    assert res.metrics == pytest.approx(values)
    np.testing.assert_allclose(res.shares, y, atol=1e-12)
    np.testing.assert_allclose(res.fixed_shares, z, atol=1e-12)


# ----------------------------------------------------------------------------------------
# agreement with brute force
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_open", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_max_capture_matches_brute_force(seed, n_open):
    """Maximising the captured demand gives the brute-force optimum and the exact shares."""
    w, f, d, metrics = _instance(seed)
    res = share_location(
        w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=n_open, params=EXACT
    )
    _check(res, w, f, d, metrics, "capture", True, n_open=n_open)
    assert len(res.selected) == n_open
    np.testing.assert_allclose(res.shares.sum(axis=1) + res.fixed_shares, 1.0)


@pytest.mark.parametrize("n_open", [1, 2, 3])
@pytest.mark.parametrize("seed", range(3))
def test_min_hours_with_target_matches_brute_force(seed, n_open):
    """Minimising patient-hours under an in-area target (met or not) matches brute force."""
    w, f, d, metrics = _instance(100 + seed)
    share = _brute(w, f, d, metrics, "in_area", True, n_open=n_open)[1] / d.sum()
    for goal in (0.5 * share, share - 0.01):
        targets = [ShareTarget("in_area", goal)]
        res = share_location(
            w, f, d, metrics=metrics, objective="hours", maximize=False, targets=targets,
            n_open=n_open, params=EXACT,
        )  # fmt: skip
        _check(res, w, f, d, metrics, "hours", False, targets, n_open=n_open)


@pytest.mark.parametrize("seed", range(3))
def test_min_hours_without_target_matches_brute_force(seed):
    """Minimising a metric needs the exact shares (not only bounds): brute force agrees."""
    w, f, d, metrics = _instance(200 + seed)
    res = share_location(
        w, f, d, metrics=metrics, objective="hours", maximize=False, n_open=2, params=EXACT
    )
    _check(res, w, f, d, metrics, "hours", False, n_open=2)
    assert res.shortfalls == {} and res.message == "exact by enumeration of 15 plans"


@pytest.mark.parametrize("seed", range(3))
def test_max_in_area_with_capture_target_and_max_open(seed):
    """max_open allows every size up to it; a capture target is honoured first."""
    w, f, d, metrics = _instance(300 + seed)
    targets = [ShareTarget("capture", 0.3)]
    res = share_location(
        w, f, d, metrics=metrics, objective="in_area", maximize=True, targets=targets,
        max_open=2, params=EXACT,
    )  # fmt: skip
    _check(res, w, f, d, metrics, "in_area", True, targets, max_open=2)
    assert len(res.selected) <= 2


def test_unreachable_target_reports_exact_shortfall():
    """A target above the best achievable share is reported with its exact shortfall."""
    w, f, d, metrics = _instance(7)
    best = _brute(w, f, d, metrics, "capture", True, n_open=1)[1] / d.sum()
    targets = [ShareTarget("capture", 0.99), ShareTarget("in_area", 0.0)]
    res = share_location(
        w, f, d, metrics=metrics, objective="hours", maximize=False, targets=targets,
        n_open=1, params=EXACT,
    )  # fmt: skip
    assert res.shortfalls["capture"] == pytest.approx(0.99 - best, abs=1e-6)
    assert res.shortfalls["in_area"] == 0.0
    assert not res.targets_met
    assert "capture" in res.message and "percentage points" in res.message
    assert f"{100 * (0.99 - best):.2f} percentage points" in res.message
    _check(res, w, f, d, metrics, "hours", False, targets, n_open=1)


@pytest.mark.parametrize("seed", range(3))
def test_fixed_open_is_respected(seed):
    """fixed_open candidates are always open; n_open counts the others."""
    w, f, d, metrics = _instance(400 + seed)
    res = share_location(
        w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=2,
        fixed_open=[4, 1], params=EXACT,
    )  # fmt: skip
    assert {1, 4} <= set(res.selected.tolist()) and len(res.selected) == 4
    _check(res, w, f, d, metrics, "capture", True, n_open=2, fixed=(1, 4))


def test_max_open_above_the_candidates_is_no_limit():
    """A max_open above the candidates left besides fixed_open does not constrain the plan."""
    w, f, d, metrics = _instance(21)
    res = share_location(
        w, f, d, metrics=metrics, objective="hours", maximize=False, max_open=6,
        fixed_open=[0], params=EXACT,
    )  # fmt: skip
    _check(res, w, f, d, metrics, "hours", False, max_open=5, fixed=(0,))


def test_no_choice_left_evaluates_the_plan():
    """n_open=0 evaluates the fixed plan exactly, proven optimal without a MIP."""
    w, f, d, metrics = _instance(9)
    res = share_location(
        w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=0, fixed_open=[3]
    )
    assert res.selected.tolist() == [3] and res.status == "optimal"
    _check(res, w, f, d, metrics, "capture", True, n_open=0, fixed=(3,))


def test_same_seed_same_answer():
    """Two solves with the same seed return the same plan and numbers."""
    w, f, d, metrics = _instance(11, n_seg=30, n_cand=10)
    params = SolverParams(time_limit_s=None, seed=3)
    targets = [ShareTarget("in_area", 0.6)]

    def solve():
        return share_location(w, f, d, metrics=metrics, objective="hours", maximize=False,
                              n_open=3, targets=targets, params=params)  # fmt: skip

    a, b = solve(), solve()
    assert a.selected.tolist() == b.selected.tolist()
    fields = ("objective", "bound", "shortfalls", "metrics", "status", "message")
    assert [getattr(a, k) for k in fields] == [getattr(b, k) for k in fields]
    np.testing.assert_array_equal(a.shares, b.shares)


def test_time_limited_large_instance_returns_a_plan():
    """A short limit on a larger instance returns a plan with a finite objective, no raise."""
    w, f, d, metrics = _instance(13, n_seg=400, n_cand=40)
    start = time.perf_counter()
    res = share_location(
        w, f, d, metrics=metrics, objective="hours", maximize=False, n_open=8,
        targets=[ShareTarget("in_area", 0.9)], params=SolverParams(time_limit_s=2.0),
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert res.status in STATUSES and res.status != "infeasible"
    assert np.isfinite(res.objective) and np.isfinite(res.bound) and len(res.selected) == 8
    assert res.bound <= res.objective + 1e-9 and res.gap >= 0
    assert elapsed < 1.02 * 2.0 + 2.5 + 2.0  # documented return time, with slack for CI
    assert "status" in res.summary() and res.message


# ----------------------------------------------------------------------------------------
# exact enumeration against the MIP
# ----------------------------------------------------------------------------------------
def _cost_instance(seed: int, n_seg: int = 12, n_cand: int = 6):
    """The instance with a cost metric: yuan per visit by alternative and a yearly fixed cost
    per opened candidate (an upgrade), as the upgrade decision builds it."""
    w, f, d, metrics = _instance(seed, n_seg, n_cand)
    rng = np.random.default_rng(seed + 1000)
    per_visit = ShareMetric(rng.uniform(200, 400, n_seg), rng.uniform(50, 300, (n_seg, n_cand)),
                            open_value=rng.uniform(0, 0.4, n_cand) * d.sum() * 100)  # fmt: skip
    return w, f, d, {**metrics, "yuan": per_visit}


@pytest.mark.parametrize("method", ["enumerate", "mip"])
@pytest.mark.parametrize("seed", range(6))
def test_opening_values_minimise_cost_as_brute_force(seed, method):
    """A metric with a fixed value per opened candidate (yearly yuan of an upgrade): the
    least total cost agrees with brute force, whichever way the plan is found."""
    w, f, d, metrics = _cost_instance(seed)
    res = share_location(w, f, d, metrics=metrics, objective="yuan", maximize=False,
                         max_open=4, params=EXACT, method=method)  # fmt: skip
    _check(res, w, f, d, metrics, "yuan", False, max_open=4)


@pytest.mark.parametrize("method", ["enumerate", "mip"])
@pytest.mark.parametrize("seed", range(6))
def test_ceiling_target_is_a_budget(seed, method):
    """Least hours with the yuan at most a budget (``upper=True``), met or missed: brute
    force agrees, and the shortfall is the excess over the ceiling."""
    w, f, d, metrics = _cost_instance(seed)
    values = [_evaluate(w, f, d, metrics, list(c))[0]["yuan"]
              for k in range(5) for c in itertools.combinations(range(6), k)]  # fmt: skip
    ceiling = float(np.quantile(values, [0.3, 0.0][seed % 2])) - (seed % 2) * 1.0
    targets = [ShareTarget("yuan", ceiling, upper=True)]
    res = share_location(w, f, d, metrics=metrics, objective="hours", maximize=False,
                         targets=targets, max_open=4, params=EXACT, method=method)  # fmt: skip
    _check(res, w, f, d, metrics, "hours", False, targets, max_open=4)
    excess = max(res.metrics["yuan"] - ceiling, 0.0)
    assert res.shortfalls["yuan"] == pytest.approx(excess, abs=1e-9)
    assert (excess > 0) == (seed % 2 == 1)  # the cheapest plan costs 1 yuan per visit too much
    if excess:
        assert "ceiling yuan <=" in res.message and "over by" in res.message


def test_trivial_bound_counts_opening_values():
    """The bound without a MIP (every segment at its best) still bounds the cost when the
    opening values are large: a time-limited enumeration never reports a bound above it."""
    w, f, d, metrics = _cost_instance(3)
    res = share_location(w, f, d, metrics=metrics, objective="yuan", maximize=False,
                         max_open=4, params=EXACT)  # fmt: skip
    from netopt.solve.location._share_enum import trivial_bound
    from netopt.solve.location.share import _validate

    sh = _validate(w, f, d, metrics, "yuan", False, (), None, 4, ())
    assert trivial_bound(sh) * d.sum() <= res.objective + 1e-6


#: The brute-force instances above: (seed, objective, maximize, target or None, card).
CASES = [
    *((s, "capture", True, None, {"n_open": k}) for s in range(4) for k in (1, 2, 3)),
    *((100 + s, "hours", False, "in_area", {"n_open": k}) for s in range(3) for k in (1, 2, 3)),
    *((200 + s, "hours", False, None, {"n_open": 2}) for s in range(3)),
    *((300 + s, "in_area", True, ("capture", 0.3), {"max_open": 2}) for s in range(3)),
    *((400 + s, "capture", True, None, {"n_open": 2, "fixed": (4, 1)}) for s in range(3)),
    (21, "hours", False, None, {"max_open": 5, "fixed": (0,)}),
    (7, "hours", False, ("capture", 0.99), {"n_open": 1}),
    (9, "capture", True, None, {"n_open": 0, "fixed": (3,)}),
]


def _n_plans(n_cand, n_open=None, max_open=None, fixed=()):
    free = n_cand - len(fixed)
    sizes = [n_open] if n_open is not None else range(max_open + 1)
    return sum(math.comb(free, k) for k in sizes)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{c[0]}-{sorted(c[4].items())}")
def test_enumeration_agrees_with_the_mip(case):
    """method="enumerate" and method="mip" both give the brute-force plan and numbers."""
    seed, objective, maximize, target, card = case
    w, f, d, metrics = _instance(seed)
    if target == "in_area":  # a target just out of reach, as above
        share = _brute(w, f, d, metrics, "in_area", True, n_open=card["n_open"])[1] / d.sum()
        target = ("in_area", share - 0.01)
    targets = [ShareTarget(*target)] if target else []
    kw = {"n_open": card.get("n_open"), "max_open": card.get("max_open")}
    fixed = card.get("fixed", ())

    def solve(method):
        return share_location(
            w, f, d, metrics=metrics, objective=objective, maximize=maximize, targets=targets,
            fixed_open=fixed, params=EXACT, method=method, **kw,
        )  # fmt: skip

    runs = {method: solve(method) for method in ("mip", "enumerate")}
    for res in runs.values():
        _check(res, w, f, d, metrics, objective, maximize, targets, **card)
    mip, enum = runs["mip"], runs["enumerate"]
    assert enum.selected.tolist() == mip.selected.tolist()
    assert enum.objective == pytest.approx(mip.objective, rel=1e-9)
    assert enum.shortfalls == pytest.approx(mip.shortfalls, abs=1e-9)
    n_plans = _n_plans(w.shape[1], **card)
    assert enum.message.endswith(f"exact by enumeration of {n_plans:,} plans")
    assert enum.solver.startswith("enumeration") and "enumeration" not in mip.solver
    assert "enumeration" not in mip.message


def test_auto_enumerates_small_instances():
    """The default method enumerates a few plans: optimal, gap 0, bound == objective."""
    w, f, d, metrics = _instance(5)
    res = share_location(
        w, f, d, metrics=metrics, objective="hours", maximize=False, n_open=2,
        targets=[ShareTarget("in_area", 0.4)], params=SolverParams(time_limit_s=30),
    )  # fmt: skip
    assert res.is_optimal and res.gap == 0.0 and res.bound == res.objective
    assert "exact by enumeration of 15 plans" in res.message
    assert res.solver == "enumeration of 15 plans (exact MNL shares)"
    _check(res, w, f, d, metrics, "hours", False, [ShareTarget("in_area", 0.4)], n_open=2)


def test_auto_uses_the_mip_for_many_plans():
    """Above 20,000 feasible plans the default method solves the MIP instead."""
    w, f, d, metrics = _instance(17, n_seg=20, n_cand=30)  # C(30, 4) = 27,405 plans
    res = share_location(
        w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=4,
        params=SolverParams(time_limit_s=2.0),
    )  # fmt: skip
    assert "MIP" in res.solver and "enumeration" not in res.message
    assert len(res.selected) == 4 and res.status != "infeasible"


def test_large_instance_is_exact_by_enumeration_in_seconds():
    """10,000 segments x 10 candidates, at most 2 open: proven optimal well under 10 s."""
    w, f, d, metrics = _instance(23, n_seg=10_000, n_cand=10)
    targets = [ShareTarget("in_area", 0.6)]
    start = time.perf_counter()
    res = share_location(
        w, f, d, metrics=metrics, objective="hours", maximize=False, targets=targets,
        max_open=2, params=SolverParams(time_limit_s=60),
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, elapsed
    assert res.is_optimal and res.gap == 0.0 and res.bound == res.objective
    assert res.message.endswith("exact by enumeration of 56 plans")  # 1 + 10 + 45
    _check(res, w, f, d, metrics, "hours", False, targets, max_open=2)


def test_enumeration_ties_go_to_fewest_then_lowest_candidates():
    """Equal plans: the one with fewer candidates, then the lowest indices, is chosen."""
    w, f, d, metrics = _instance(31)
    w[:, 5] = w[:, 2] = 50.0  # two identical, dominant candidates
    metrics = {"capture": metrics["capture"]}
    res = share_location(
        w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=1, method="enumerate"
    )
    assert res.selected.tolist() == [2]
    w[:, 3] = 0.0  # opening 3 changes nothing: left closed
    res = share_location(w, f, d, metrics=metrics, objective="capture", maximize=True)
    assert res.selected.tolist() == [0, 1, 2, 4, 5] and res.is_optimal


def test_enumeration_stopped_by_the_time_limit(monkeypatch):
    """A time-out during the enumeration returns the best plan evaluated and a valid bound."""
    from netopt.solve.location import _share_enum

    monkeypatch.setattr(_share_enum, "BATCH_FLOATS", 1)  # one plan per batch
    w, f, d, metrics = _instance(3)
    res = share_location(
        w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=2,
        method="enumerate", params=SolverParams(time_limit_s=1e-6),
    )  # fmt: skip
    assert res.status == "time_limit" and "after 1 of 15 plans" in res.message
    best = _brute(w, f, d, metrics, "capture", True, n_open=2)[1]
    assert res.objective <= best + 1e-9 <= res.bound + 2e-9 and res.gap > 0


def test_forced_enumeration_of_too_many_plans_is_refused():
    """method="enumerate" above 10,000,000 plans is a DataError; an unknown method a ValueError."""
    w, f, d, metrics = _instance(1, n_seg=5, n_cand=40)
    with pytest.raises(DataError, match=r"method.*1,099,511,627,776 feasible plans"):
        share_location(w, f, d, metrics=metrics, objective="capture", maximize=True,
                       method="enumerate")  # fmt: skip
    with pytest.raises(ValueError, match=r"method must be.*'brute'"):
        share_location(w, f, d, metrics=metrics, objective="capture", maximize=True,
                       method="brute")  # fmt: skip


# ----------------------------------------------------------------------------------------
# input errors
# ----------------------------------------------------------------------------------------
def test_nonpositive_fixed_weight_names_the_segment():
    """A segment without an always-present alternative is a DataError naming it."""
    w, f, d, metrics = _instance(1)
    f[5] = 0.0
    with pytest.raises(DataError, match=r"fixed_weight.*\[5\]"):
        share_location(w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=1)


def test_impossible_cardinality_is_a_data_error():
    """n_open above the candidates left besides fixed_open is refused before solving."""
    w, f, d, metrics = _instance(1)
    with pytest.raises(DataError, match=r"n_open.*choose 0\.\.4"):
        share_location(
            w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=5,
            fixed_open=[0, 1],
        )  # fmt: skip
    with pytest.raises(DataError, match=r"max_open.*choose 0\.\.any"):
        share_location(w, f, d, metrics=metrics, objective="capture", maximize=True, max_open=-1)
    with pytest.raises(DataError, match="n_open <= max_open"):
        share_location(
            w, f, d, metrics=metrics, objective="capture", maximize=True, n_open=3, max_open=2
        )


def test_bad_metric_and_target_names_are_listed():
    """An unknown objective and target metric are listed in one DataError."""
    w, f, d, metrics = _instance(1)
    with pytest.raises(DataError, match=r"(?s)objective.*targets"):
        share_location(
            w, f, d, metrics=metrics, objective="nope", maximize=True,
            targets=[ShareTarget("missing", 0.5)],
        )  # fmt: skip
