"""Tests of the soft-capacity p-median and p-center against brute-force enumeration."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netopt import DataError
from netopt.solve import SolverParams, capacity_overflow, p_center, p_median

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import instances


# ----------------------------------------------------------------------------------------
# brute force: every lead set, every single-sourced assignment on allowed pairs
# ----------------------------------------------------------------------------------------
def brute_soft(costs, p, w, loads, caps, fixed=(), center=False):
    """Lexicographic optimum (total overflow, then cost) by enumeration; None if no plan."""
    n, m = costs.shape
    best = None
    tol = 1e-9 * max(1.0, float(np.sum(loads)))  # float sums of equal overflows differ by ulps
    for sel in itertools.combinations(range(m), p):
        if not set(fixed) <= set(sel):
            continue
        options = [[j for j in sel if np.isfinite(costs[i, j])] for i in range(n)]
        for combo in itertools.product(*options):
            a = np.array(combo)
            over = float(capacity_overflow(a, loads, caps).sum())
            served = w * costs[np.arange(n), a]
            key = (over, float(served.max() if center else served.sum()))
            if (
                best is None
                or key[0] < best[0] - tol
                or (key[0] <= best[0] + tol and key[1] < best[1])
            ):
                best = key
    return best


def random_instance(seed, n=6, m=4, *, forbid=0.25, tight=True, inf_cap=False):
    """Integer costs, weights, loads and capacities; some pairs forbidden, one kept per row."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 40, size=(n, m)).astype(float)
    costs[rng.random((n, m)) < forbid] = np.inf
    costs[np.arange(n), rng.integers(0, m, n)] = rng.integers(0, 40, n)
    w = rng.integers(1, 4, n).astype(float)
    loads = rng.integers(1, 8, n).astype(float)
    share = 0.35 if tight else 1.2
    caps = np.maximum(1.0, np.round(rng.uniform(0.5, 1.5, m) * share * loads.sum()))
    if inf_cap:
        caps[rng.integers(0, m)] = np.inf
    return costs, w, loads, caps


def check_plan(res, costs, loads, caps, p, fixed=()):
    """A plan: p open candidates incl. fixed, every demand on an open allowed candidate."""
    a = res.assignment
    assert len(res.selected) == p and set(fixed) <= set(res.selected.tolist())
    assert (a >= 0).all() and np.isin(a, res.selected).all()
    assert np.isfinite(costs[np.arange(len(a)), a]).all()
    assert res.shortfall == pytest.approx(capacity_overflow(a, loads, caps).sum())


# ----------------------------------------------------------------------------------------
# brute-force comparisons
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_soft_median_matches_brute_force(seed):
    """Least total overflow, then least cost: equal to enumeration, with inf pairs and fixed."""
    costs, w, loads, caps = random_instance(seed, inf_cap=seed % 4 == 3)
    p = 1 + seed % 3
    fixed = [seed % 4] if seed % 2 else []
    res = p_median(costs, p, weights=w, loads=loads, capacities=caps, fixed=fixed,
                   soft_capacity=True)  # fmt: skip
    expected = brute_soft(costs, p, w, loads, caps, fixed)
    if expected is None:  # no p-set serves every demand on allowed pairs
        assert res.status == "infeasible"
        return
    assert res.status == "optimal"
    check_plan(res, costs, loads, caps, p, fixed)
    assert (res.shortfall, res.objective) == pytest.approx(expected)
    assert res.bound <= res.objective + 1e-9 and res.gap == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_soft_center_matches_brute_force(seed):
    """Soft p-center: least total overflow, then the least worst weighted cost."""
    costs, w, loads, caps = random_instance(100 + seed)
    p = 1 + seed % 3
    fixed = [1] if seed % 2 else []
    res = p_center(costs, p, weights=w, loads=loads, capacities=caps, fixed=fixed,
                   soft_capacity=True)  # fmt: skip
    expected = brute_soft(costs, p, w, loads, caps, fixed, center=True)
    if expected is None:
        assert res.status == "infeasible"
        return
    over, radius = expected
    assert res.status == "optimal"
    check_plan(res, costs, loads, caps, p, fixed)
    assert res.shortfall == pytest.approx(over)
    assert res.objective == pytest.approx(radius)
    served = w * costs[np.arange(len(costs)), res.assignment]
    assert served.max() == pytest.approx(res.objective)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 6),
    m=st.integers(1, 4),
    data=st.data(),
)
def test_soft_median_property(seed, n, m, data):
    """Over random small instances (any p, fixed leads, forbidden pairs, tight or loose
    capacities) the soft p-median is the lexicographic optimum of enumeration."""
    p = data.draw(st.integers(1, m))
    fixed = data.draw(st.lists(st.integers(0, m - 1), unique=True, max_size=p))
    tight = data.draw(st.booleans())
    costs, w, loads, caps = random_instance(seed, n, m, tight=tight, inf_cap=seed % 5 == 0)
    res = p_median(costs, p, weights=w, loads=loads, capacities=caps, fixed=fixed,
                   soft_capacity=True)  # fmt: skip
    expected = brute_soft(costs, p, w, loads, caps, fixed)
    if expected is None:
        assert res.status == "infeasible"
        return
    check_plan(res, costs, loads, caps, p, fixed)
    assert res.status == "optimal"
    assert (res.shortfall, res.objective) == pytest.approx(expected)


def test_fractional_loads_match_brute_force():
    """Real-valued loads and capacities (as beds give them) reach the same optimum."""
    rng = np.random.default_rng(7)
    costs = rng.random((6, 4)) * 30
    loads = rng.random(6) * 5 + 0.5
    caps = rng.random(4) * 6 + 1
    res = p_median(costs, 2, loads=loads, capacities=caps, soft_capacity=True)
    over, cost = brute_soft(costs, 2, np.ones(6), loads, caps)
    assert res.status == "optimal"
    assert res.shortfall == pytest.approx(over, rel=1e-6)
    assert res.objective == pytest.approx(cost, rel=1e-6)


# ----------------------------------------------------------------------------------------
# equal to the hard model when the capacities hold
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_soft_equals_hard_when_capacity_holds(seed):
    """Where the hard capacitated p-median has a plan, the soft one has no overflow and the
    same optimal cost (so always solving the soft model loses nothing)."""
    costs, w, loads, caps = random_instance(200 + seed, n=7, tight=False)
    hard = p_median(costs, 2, weights=w, loads=loads, capacities=caps)
    soft = p_median(costs, 2, weights=w, loads=loads, capacities=caps, soft_capacity=True)
    assert hard.status == "optimal"
    assert soft.status == "optimal" and soft.shortfall == 0.0
    assert soft.objective == pytest.approx(hard.objective)
    assert (capacity_overflow(soft.assignment, loads, caps) == 0).all()
    hard_c = p_center(costs, 2, weights=w, loads=loads, capacities=caps)
    soft_c = p_center(costs, 2, weights=w, loads=loads, capacities=caps, soft_capacity=True)
    assert soft_c.shortfall == 0.0 and soft_c.objective == pytest.approx(hard_c.objective)


@pytest.mark.parametrize("k, optimum", [(1, 713), (4, 651)])
def test_soft_reaches_osman_christofides_optima(k, optimum):
    """On capacitated p-median benchmarks whose capacities hold, the soft model proves the
    published optimum with zero overflow."""
    inst = instances.read_cpmp(
        instances.DATA / "cpmp_osman_christofides" / f"cpmp{k:02d}.txt", truncate=True
    )
    res = p_median(inst.costs, inst.p, loads=inst.loads, capacities=inst.capacities,
                   soft_capacity=True)  # fmt: skip
    assert res.status == "optimal" and res.shortfall == 0.0
    assert res.objective == pytest.approx(optimum)


def test_overloaded_instance_keeps_capacity_wherever_it_can():
    """Where the hard model is infeasible, the soft plan overflows only as much as it must:
    the total load exceeds the capacity of the p largest candidates by exactly the overflow."""
    costs = np.array([[0, 5, 9], [1, 5, 9], [2, 6, 9], [9, 9, 0], [9, 9, 1], [9, 0, 4]], float)
    loads = np.array([3, 3, 3, 2, 2, 2], float)
    caps = np.array([4, 6, 4], float)
    hard = p_median(costs, 2, loads=loads, capacities=caps)
    assert hard.status == "infeasible"
    soft = p_median(costs, 2, loads=loads, capacities=caps, soft_capacity=True)
    assert soft.status == "optimal"
    assert soft.shortfall == pytest.approx(15 - 10)  # total 15, the two largest hold 10
    assert "overflow 5" in soft.message and "proven minimal" in soft.message
    assert soft.objective == pytest.approx(brute_soft(costs, 2, np.ones(6), loads, caps)[1])


def test_evaluation_of_fixed_leads_reports_overflow():
    """p == len(fixed) only assigns: a single fixed lead takes every load, overflow reported."""
    costs = np.array([[1, 4], [2, 3], [3, 1]], float)
    loads = np.array([5.0, 5.0, 5.0])
    res = p_median(costs, 1, fixed=[0], loads=loads, capacities=[2.0, 100.0], soft_capacity=True)
    assert res.selected.tolist() == [0] and res.status == "optimal"
    assert res.shortfall == pytest.approx(13.0)
    two = p_median(costs, 2, fixed=[0, 1], loads=loads, capacities=[6.0, 6.0], soft_capacity=True)
    assert two.shortfall == pytest.approx(4.0)  # 5 + 5 on one lead of 6: 4 over, no less


# ----------------------------------------------------------------------------------------
# determinism, time limit, arguments
# ----------------------------------------------------------------------------------------
def _plane(n, m, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)), rng.random((m, 2))
    costs = np.rint(1000 * np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]))
    return costs, rng.integers(1, 20, n).astype(float)


def test_same_seed_same_answer():
    """Two soft solves with the same seed return the same plan, overflow, cost and bound."""
    costs, w = _plane(40, 12, seed=3)
    caps = np.full(12, w.sum() / 5)
    runs = [
        p_median(
            costs,
            4,
            weights=w,
            loads=w,
            capacities=caps,
            soft_capacity=True,
            params=SolverParams(time_limit_s=None, seed=5),
        )
        for _ in range(2)
    ]
    a, b = runs
    assert a.selected.tolist() == b.selected.tolist()
    assert (a.assignment == b.assignment).all()
    assert (a.objective, a.bound, a.shortfall, a.status) == (
        b.objective, b.bound, b.shortfall, b.status,
    )  # fmt: skip


def test_time_out_returns_the_heuristic_plan():
    """A 1 s limit on an overloaded 400 x 60 instance returns a full plan (never none),
    its overflow in shortfall and a valid cost bound."""
    costs, w = _plane(400, 60, seed=1)
    caps = np.full(60, w.sum() / 12)  # 8 leads hold 2/3 of the load
    res = p_median(costs, 8, weights=w, loads=w, capacities=caps, soft_capacity=True,
                   params=SolverParams(time_limit_s=1.0))  # fmt: skip
    assert res.status in ("time_limit", "optimal", "feasible")
    check_plan(res, costs, w, caps, 8)
    assert res.shortfall >= w.sum() - 8 * caps[0] - 1e-6
    assert res.bound <= res.objective and res.seconds < 1.0 + 15.0
    if res.status != "optimal":
        assert "overflow" in res.message


def test_unknown_capacity_never_overflows_and_lonely_demand_is_infeasible():
    """An inf capacity absorbs any load (overflow first: the third demand travels 9, not 1,
    to avoid overflowing candidate 1); a demand without an allowed pair stays infeasible."""
    costs = np.array([[1, 9], [1, 9], [9, 1]], float)
    res = p_median(costs, 2, loads=[5, 5, 5], capacities=[np.inf, 1.0], soft_capacity=True)
    assert res.shortfall == 0.0 and res.assignment.tolist() == [0, 0, 0]
    assert res.objective == pytest.approx(11.0)
    lonely = np.array([[1, 2], [np.inf, np.inf]])
    bad = p_median(lonely, 1, loads=[1, 1], capacities=[1, 1], soft_capacity=True)
    assert bad.status == "infeasible" and "no allowed candidate" in bad.message


def test_soft_capacity_needs_capacities():
    """soft_capacity without capacities, or not a bool, is a DataError naming the field."""
    with pytest.raises(DataError, match="soft_capacity"):
        p_median(np.ones((3, 2)), 1, soft_capacity=True)
    with pytest.raises(DataError, match="soft_capacity"):
        p_center(np.ones((3, 2)), 1, loads=[1, 1, 1], capacities=[1, 1], soft_capacity="yes")
