"""Tests of netopt.solve: every model against brute-force enumeration, published optima."""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from netopt import DataError
from netopt.solve import STATUSES, SolveResult, SolverParams, max_coverage, p_center, p_median
from netopt.solve._mip import solve_mip
from netopt.solve._models import radius_median

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import instances


# ----------------------------------------------------------------------------------------
# brute force
# ----------------------------------------------------------------------------------------
def _sets(m: int, p: int, fixed=()):
    for s in itertools.combinations(range(m), p):
        if set(fixed) <= set(s):
            yield np.array(s)


def _assignments(costs, sel, loads, caps):
    """Every single-sourced assignment of demands to ``sel`` on finite pairs that fits."""
    n = len(costs)
    for combo in itertools.product(sel, repeat=n):
        a = np.array(combo)
        if not np.isfinite(costs[np.arange(n), a]).all():
            continue
        if loads is not None and (np.bincount(a, loads, len(caps)) > caps + 1e-9).any():
            continue
        yield a


def brute_median(costs, p, w, fixed=(), loads=None, caps=None):
    best = np.inf
    for sel in _sets(costs.shape[1], p, fixed):
        if loads is None:
            sub = costs[:, sel].min(axis=1)
            best = min(best, float((w * sub).sum()))
        else:
            for a in _assignments(costs, sel, loads, caps):
                best = min(best, float((w * costs[np.arange(len(a)), a]).sum()))
    return best


def brute_center(costs, p, w, fixed=(), loads=None, caps=None):
    wc = costs * w[:, None]
    best = np.inf
    for sel in _sets(costs.shape[1], p, fixed):
        if loads is None:
            best = min(best, float(wc[:, sel].min(axis=1).max()))
        else:
            for a in _assignments(costs, sel, loads, caps):
                best = min(best, float(wc[np.arange(len(a)), a].max()))
    return best


def brute_coverage(costs, p, T, w, loads=None, caps=None):
    cover = costs <= T
    best = 0.0
    for sel in _sets(costs.shape[1], p):
        if loads is None:
            best = max(best, float(w[cover[:, sel].any(axis=1)].sum()))
            continue
        options = [list(sel[cover[i, sel]]) + [-1] for i in range(len(costs))]
        for combo in itertools.product(*options):
            a = np.array(combo)
            ok = a >= 0
            if (np.bincount(a[ok], loads[ok], len(caps)) > caps + 1e-9).any():
                continue
            best = max(best, float(w[ok].sum()))
    return best


def _instance(seed, n=7, m=5, *, forbid=0.0, integer=True):
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 50, size=(n, m)).astype(float) if integer else rng.random((n, m)) * 50
    if forbid:
        costs[rng.random((n, m)) < forbid] = np.inf
        costs[np.arange(n), rng.integers(0, m, n)] = rng.integers(0, 50, n)  # keep one option
    w = rng.integers(1, 5, size=n).astype(float)
    return costs, w


def _check_assignment(res, costs, *, loads=None, caps=None, max_cost=None):
    a = res.assignment
    served = a >= 0
    assert np.isin(a[served], res.selected).all()
    assert np.isfinite(costs[np.flatnonzero(served), a[served]]).all()
    if max_cost is not None:
        assert (costs[np.flatnonzero(served), a[served]] <= max_cost).all()
    if loads is not None:
        assert (np.bincount(a[served], loads[served], costs.shape[1]) <= caps + 1e-9).all()


# ----------------------------------------------------------------------------------------
# brute-force comparisons
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_p_median_matches_brute_force(seed):
    """p_median reaches the enumerated optimum, with weights, inf pairs and real costs."""
    costs, w = _instance(seed, forbid=0.3 if seed % 2 else 0.0, integer=seed < 3)
    p = 1 + seed % 3
    res = p_median(costs, p, weights=w)
    expected = brute_median(costs, p, w)
    if not np.isfinite(expected):
        assert res.status == "infeasible" and "serves every demand" in res.message
        return
    assert res.status == "optimal"
    assert res.objective == pytest.approx(expected)
    assert len(res.selected) == p
    _check_assignment(res, costs)


@pytest.mark.parametrize("seed", range(3))
def test_p_median_fixed_and_max_cost_match_brute_force(seed):
    """fixed candidates stay open and max_cost forbids pairs, as in enumeration."""
    costs, w = _instance(10 + seed, n=8, m=6)
    limit = float(np.sort(costs, axis=1)[:, 2].max())
    res = p_median(costs, 3, weights=w, fixed=[seed], max_cost=limit)
    capped = np.where(costs <= limit, costs, np.inf)
    assert seed in res.selected
    assert res.objective == pytest.approx(brute_median(capped, 3, w, fixed=[seed]))
    _check_assignment(res, costs, max_cost=limit)


@pytest.mark.parametrize("seed", range(5))
def test_capacitated_p_median_matches_brute_force(seed):
    """Single-sourced capacitated p-median equals enumeration and respects capacities."""
    costs, w = _instance(20 + seed, n=6, m=4)
    rng = np.random.default_rng(seed)
    loads = rng.integers(1, 6, 6).astype(float)
    caps = np.full(4, np.ceil(loads.sum() / 2) + 1)
    res = p_median(costs, 2, weights=w, loads=loads, capacities=caps)
    expected = brute_median(costs, 2, w, loads=loads, caps=caps)
    if np.isfinite(expected):
        assert res.status == "optimal"
        assert res.objective == pytest.approx(expected)
        assert (res.assignment >= 0).all()
        _check_assignment(res, costs, loads=loads, caps=caps)
    else:
        assert res.status == "infeasible"


@pytest.mark.parametrize("seed", range(5))
def test_p_center_matches_brute_force(seed):
    """p_center minimises the worst weighted cost exactly as enumeration does."""
    costs, w = _instance(30 + seed, forbid=0.2 if seed % 2 else 0.0)
    p = 1 + seed % 3
    res = p_center(costs, p, weights=w if seed > 2 else None)
    expected = brute_center(costs, p, w if seed > 2 else np.ones(len(costs)))
    if not np.isfinite(expected):
        assert res.status == "infeasible"
        return
    assert res.status == "optimal"
    assert res.objective == pytest.approx(expected)
    assert len(res.selected) == p
    _check_assignment(res, costs)


def test_capacitated_p_median_when_relaxation_does_not_fit():
    """Tight capacities force a plan other than the uncapacitated one; both match enumeration."""
    costs = np.array(
        [[0, 5, 9, 9], [1, 5, 9, 9], [2, 6, 9, 9], [9, 9, 0, 4], [9, 9, 1, 4], [9, 9, 2, 5]],
        float,
    )
    loads = np.ones(6)
    caps = np.full(4, 2.0)
    free = p_median(costs, 2)
    res = p_median(costs, 3, loads=loads, capacities=caps)
    assert free.objective == pytest.approx(6.0)
    assert res.objective == pytest.approx(
        brute_median(costs, 3, np.ones(6), loads=loads, caps=caps)
    )
    assert res.is_optimal
    _check_assignment(res, costs, loads=loads, caps=caps)


def test_capacitated_p_center_matches_brute_force():
    """Capacitated p_center equals enumeration over single-sourced assignments."""
    costs, _ = _instance(41, n=6, m=4)
    loads = np.array([3, 2, 4, 1, 3, 2], float)
    caps = np.array([8, 7, 9, 6], float)
    res = p_center(costs, 2, loads=loads, capacities=caps)
    assert res.objective == pytest.approx(
        brute_center(costs, 2, np.ones(6), loads=loads, caps=caps)
    )
    _check_assignment(res, costs, loads=loads, caps=caps)


@pytest.mark.parametrize("seed", range(4))
def test_max_coverage_matches_brute_force(seed):
    """max_coverage covers the enumerated maximum weight within max_cost."""
    costs, w = _instance(50 + seed, n=8, m=6)
    T = float(np.median(costs))
    res = max_coverage(costs, 2, T, weights=w)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_coverage(costs, 2, T, w))
    assert res.objective == pytest.approx(w[res.assignment >= 0].sum())
    _check_assignment(res, costs, max_cost=T)


def test_capacitated_max_coverage_matches_brute_force():
    """With capacities, covered loads fit and the covered weight is the enumerated optimum."""
    costs, w = _instance(61, n=6, m=4)
    loads = np.array([3, 2, 4, 1, 3, 2], float)
    caps = np.array([5, 4, 6, 3], float)
    T = float(np.median(costs))
    res = max_coverage(costs, 2, T, weights=w, loads=loads, capacities=caps)
    assert res.objective == pytest.approx(brute_coverage(costs, 2, T, w, loads, caps))
    _check_assignment(res, costs, loads=loads, caps=caps, max_cost=T)


# ----------------------------------------------------------------------------------------
# infeasibility, evaluation, determinism, limits
# ----------------------------------------------------------------------------------------
def test_shortfall_reported_when_total_load_exceeds_capacity():
    """Total load above the p largest capacities gives status infeasible with the shortfall."""
    costs = np.ones((4, 3))
    res = p_median(costs, 2, loads=[400, 300, 300, 200], capacities=[500, 400, 300])
    assert res.status == "infeasible"
    assert res.shortfall == pytest.approx(300)
    assert "total load 1,200 exceeds the capacity of the 2 largest candidates, 900" in res.message
    assert (res.assignment == -1).all()


def test_unreachable_demands_named_in_message():
    """Demands without an allowed candidate are listed by index, no exception."""
    costs = np.array([[1, 2], [np.inf, np.inf], [3, 1], [9, 8]], float)
    res = p_median(costs, 1, max_cost=5)
    assert res.status == "infeasible"
    assert "indices 1, 3" in res.message


def test_bin_packing_infeasibility_is_a_status():
    """Loads that fit in total but not single-sourced give status infeasible, not an error."""
    costs = np.zeros((3, 2))
    res = p_median(costs, 2, loads=[2, 2, 2], capacities=[3, 3])
    assert res.status == "infeasible"
    assert "single-sourced" in res.message


def test_evaluate_only_assigns_within_capacities():
    """p == len(fixed) only assigns demands, and capacities still hold."""
    costs = np.array([[1, 9, 9], [1, 8, 9], [2, 7, 9], [9, 9, 1]], float)
    loads = np.array([2, 2, 2, 1], float)
    res = p_median(costs, 2, fixed=[0, 2], loads=loads, capacities=[4, 4, 4])
    assert res.selected.tolist() == [0, 2]
    assert res.objective == pytest.approx(1 + 1 + 9 + 1)
    _check_assignment(res, costs, loads=loads, caps=np.array([4, 4, 4.0]))
    plain = p_median(costs, 2, fixed=[0, 2])
    assert plain.objective == pytest.approx(1 + 1 + 2 + 1) and plain.is_optimal


def test_same_seed_same_result():
    """Two solves with the same seed return the same plan, objective and bound."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / "pmed3.txt")
    a = p_median(inst.costs, inst.p, params=SolverParams(time_limit_s=None, seed=7))
    b = p_median(inst.costs, inst.p, params=SolverParams(time_limit_s=None, seed=7))
    assert a.selected.tolist() == b.selected.tolist()
    assert (a.assignment == b.assignment).all()
    assert (a.objective, a.bound, a.status) == (b.objective, b.bound, b.status)


def test_time_limit_holds_and_returns_best_plan():
    """A 1 s limit on a hard instance returns a plan with a valid bound soon after the limit."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / "pmed19.txt")
    res = p_median(inst.costs, inst.p, params=SolverParams(time_limit_s=1.0))
    assert res.status in ("time_limit", "optimal")
    assert np.isfinite(res.objective) and res.bound <= res.objective
    assert res.bound <= 2845 <= res.objective
    assert res.seconds < 1.0 + 15.0  # the limit plus the watchdog's grace, generously


def _random_plane(n: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Whole-metre distances between n random demands and m random candidates in a 1 km square."""
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)), rng.random((m, 2))
    costs = np.rint(1000 * np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]))
    return costs, rng.integers(1, 20, n).astype(float)


@pytest.mark.parametrize("model", ["p_median", "p_center", "max_coverage", "capacitated"])
def test_short_limit_under_cpu_load_returns_the_best_plan(cpu_hogs, model):
    """Two CPU hogs and a 2 s limit on a 1500 x 300 instance: a plan (or none) soon, no error."""
    costs, w = _random_plane(1500, 300)
    params = SolverParams(time_limit_s=2.0)
    caps = np.full(300, w.sum() / 30 * 1.1)
    t0 = time.perf_counter()
    if model == "p_median":
        res = p_median(costs, 30, weights=w, params=params)
    elif model == "p_center":
        res = p_center(costs, 30, params=params)
    elif model == "max_coverage":
        res = max_coverage(costs, 30, 60.0, weights=w, params=params)
    else:
        res = p_median(costs, 30, weights=w, loads=w, capacities=caps, params=params)
    elapsed = time.perf_counter() - t0
    # three MIPs may each overrun by 1.5 s (SolverParams), model building comes on top
    assert elapsed < 1.02 * 2.0 + 3 * 1.5 + 10.0
    assert res.status in STATUSES and res.status != "infeasible"
    if model == "capacitated" and not res.is_feasible:  # no capacitated plan within 2 s
        assert res.status == "time_limit" and len(res.selected) == 0
        return
    assert res.is_feasible and len(res.selected) == 30
    if model == "max_coverage":
        _check_assignment(res, np.where(costs <= 60.0, costs, np.inf), max_cost=60.0)
        assert res.objective == pytest.approx(w[res.assignment >= 0].sum())
        assert res.bound >= res.objective
        return
    _check_assignment(res, costs, loads=w if model == "capacitated" else None, caps=caps)
    served = costs[np.arange(len(costs)), res.assignment]
    value = served.max() if model == "p_center" else (w * served).sum()
    assert res.objective == pytest.approx(value)
    assert res.bound <= res.objective


def test_watchdog_stops_an_overrunning_solver():
    """solve_mip with no grace returns "time_limit"/"feasible" even if the solver overruns."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / "pmed17.txt")
    n, m = inst.costs.shape
    mod = radius_median(inst.costs, np.ones(n), inst.p, open_lb=np.zeros(m))
    out = solve_mip(mod.matrix, mod.row_lb, mod.row_ub, mod.var_lb, mod.var_ub, mod.objective,
                    mod.integer, offset=mod.offset, time_limit=0.5, grace_s=0.5)  # fmt: skip
    assert out.status in ("time_limit", "feasible")
    assert out.seconds < 0.5 + 0.5 + 5.0


def test_heuristic_mode_reports_valid_gap():
    """method="heuristic" returns a plan, a Lagrangian bound below the optimum, and its gap."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / "pmed17.txt")
    res = p_median(inst.costs, inst.p, method="heuristic")
    assert res.bound <= 6999 <= res.objective
    assert res.gap == pytest.approx((res.objective - res.bound) / res.objective)
    assert res.solver.startswith("greedy")


def test_progress_receives_messages():
    """progress gets the heuristic value and the bound."""
    seen: list[str] = []
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / "pmed2.txt")
    p_median(inst.costs, inst.p, progress=seen.append)
    assert any("greedy + interchange" in s for s in seen)
    assert any("Lagrangian bound" in s for s in seen)


def test_bad_arguments_listed_together():
    """Invalid arguments raise one DataError naming each of them."""
    with pytest.raises(DataError, match="field 'p'") as info:
        p_median(np.ones((3, 2)), 5, weights=[1, 2], fixed=[7])
    fields = {problem.field for problem in info.value.problems}
    assert {"p", "weights", "fixed"} <= fields
    with pytest.raises(DataError, match="capacities/loads"):
        p_median(np.ones((3, 2)), 1, loads=[1, 1, 1])
    with pytest.raises(DataError, match="NaN"):
        p_center(np.array([[np.nan, 1.0]]), 1)


def test_solve_result_validates_itself():
    """SolveResult rejects unknown statuses and assignments to closed candidates."""
    ok = SolveResult(np.array([1]), np.array([1, 1]), 3.0, 3.0, 0.0, "optimal", 0.1)
    assert ok.is_optimal and "optimal" in ok.summary()
    with pytest.raises(ValueError, match="status"):
        SolveResult(np.array([1]), np.array([1]), 3.0, 3.0, 0.0, "done", 0.1)
    with pytest.raises(ValueError, match="not selected"):
        SolveResult(np.array([1]), np.array([0]), 3.0, 3.0, 0.0, "feasible", 0.1)


# ----------------------------------------------------------------------------------------
# published optima (bench/data)
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed5"])
def test_orlib_p_median_optima(name):
    """OR-Library p-median optima (Beasley) are reached and proven."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / f"{name}.txt")
    res = p_median(inst.costs, inst.p)
    assert res.status == "optimal"
    assert res.objective == instances.pmed_optima()[name]


@pytest.mark.parametrize("name", ["pmed1", "pmed2"])
def test_orlib_p_center_optima(name):
    """Vertex p-center optima on OR-Library graphs (Pullan 2008) are reached."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / f"{name}.txt")
    res = p_center(inst.costs, inst.p)
    assert res.status == "optimal"
    assert res.objective == instances.pcenter_optima()[name]


def test_tsplib_p_center_optimum():
    """TSPLIB pr226 with p = 40 has the published radius 650."""
    costs = instances.read_tsplib(instances.DATA / "pcenter_tsplib" / "pr226.tsp")
    res = p_center(costs, 40)
    assert res.objective == instances.tsplib_pcenter_optima()[("pr226", 40)] == 650


@pytest.mark.parametrize("k, optimum", [(1, 713), (2, 740), (4, 651), (6, 778)])
def test_osman_christofides_capacitated_optima(k, optimum):
    """Capacitated p-median optima of Osman & Christofides (truncated distances) are reached."""
    inst = instances.read_cpmp(
        instances.DATA / "cpmp_osman_christofides" / f"cpmp{k:02d}.txt", truncate=True
    )
    res = p_median(inst.costs, inst.p, loads=inst.loads, capacities=inst.capacities)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(optimum)
    _check_assignment(res, inst.costs, loads=inst.loads, caps=inst.capacities)


def test_swain_max_coverage():
    """Swain's 55 nodes: 5 sites within 10 units cover 609 of 640 (published)."""
    dist, w = instances.read_swain()
    res = max_coverage(dist, 5, 10.0, weights=w)
    assert res.objective == 609 and res.is_optimal
