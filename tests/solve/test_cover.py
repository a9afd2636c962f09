"""Tests of netopt.solve's covering models: set_covering and backup_coverage."""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from netopt import DataError
from netopt.solve import SolverParams, backup_coverage, max_coverage, set_covering

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import instances

EXACT = SolverParams(time_limit_s=None)


# ----------------------------------------------------------------------------------------
# brute force
# ----------------------------------------------------------------------------------------
def _sets(m, sizes, fixed=()):
    for k in sizes:
        for s in itertools.combinations(range(m), k):
            if set(fixed) <= set(s):
                yield np.array(s, dtype=np.int64)


def brute_cover(costs, T, f, fixed=()):
    """Cheapest set (containing ``fixed``) covering every coverable row within T."""
    cover = costs <= T
    need = cover.any(axis=1)
    best = np.inf
    for sel in _sets(costs.shape[1], range(len(fixed), costs.shape[1] + 1), fixed):
        if cover[need][:, sel].any(axis=1).all():
            best = min(best, float(f[sel].sum()))
    return best


def backup_value(costs, T, sel, h, beta, back=None):
    count = (costs[:, sel] <= T).sum(axis=1)
    u = count >= 1
    v = count >= 2 if back is None else u & (back[:, sel] <= T).any(axis=1)
    return float(h @ (beta * u + (1 - beta) * v))


def brute_backup(costs, T, p, h, beta, back=None, fixed=()):
    return max(
        backup_value(costs, T, sel, h, beta, back) for sel in _sets(costs.shape[1], [p], fixed)
    )


def _instance(seed, n=9, m=7, *, forbid=0.2):
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 60, size=(n, m)).astype(float)
    costs[rng.random((n, m)) < forbid] = np.inf
    return costs, rng.integers(1, 6, size=n).astype(float)


def _check(res, costs, T):
    """The assignment uses open candidates within T, and -1 only where none is."""
    a = res.assignment
    served = a >= 0
    assert np.isin(a[served], res.selected).all()
    assert (costs[np.flatnonzero(served), a[served]] <= T).all()
    reach = (costs[:, res.selected] <= T).any(axis=1)
    assert (served == reach).all()


# ----------------------------------------------------------------------------------------
# set covering
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_set_covering_fewest_columns_match_brute_force(seed):
    """The number of open candidates is the enumerated minimum, and every row is covered."""
    costs, _ = _instance(seed)
    T = float(np.nanpercentile(costs[np.isfinite(costs)], 25))
    res = set_covering(costs, T, params=EXACT)
    assert res.status == "optimal" and res.gap == 0.0
    assert res.objective == len(res.selected) == brute_cover(costs, T, np.ones(costs.shape[1]))
    assert res.bound == res.objective
    _check(res, costs, T)
    assert ((res.assignment >= 0) == (costs <= T).any(axis=1)).all()


@pytest.mark.parametrize("seed", range(4))
def test_weighted_set_covering_matches_brute_force(seed):
    """With opening costs (zeros and reals included) the cost is the enumerated minimum."""
    costs, _ = _instance(10 + seed)
    rng = np.random.default_rng(seed)
    f = np.round(rng.random(costs.shape[1]) * 10, 2)
    f[seed % costs.shape[1]] = 0.0
    T = float(np.median(costs[np.isfinite(costs)]))
    res = set_covering(costs, T, weights=f, params=EXACT)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_cover(costs, T, f))
    assert res.objective == pytest.approx(f[res.selected].sum())
    _check(res, costs, T)


def test_set_covering_keeps_fixed_centres_open():
    """Fixed candidates are open and the rest is the cheapest completion (brute force)."""
    costs, _ = _instance(21)
    T = float(np.nanpercentile(costs[np.isfinite(costs)], 30))
    free = set_covering(costs, T, params=EXACT)
    fixed = [j for j in range(costs.shape[1]) if j not in free.selected][:2]
    res = set_covering(costs, T, fixed=fixed, params=EXACT)
    assert set(fixed) <= set(res.selected.tolist())
    assert res.objective == brute_cover(costs, T, np.ones(costs.shape[1]), fixed) > free.objective
    assert res.is_optimal
    _check(res, costs, T)


def test_set_covering_reports_uncoverable_rows():
    """Rows that no column covers within max_cost are left out, counted and named."""
    costs = np.array([[1, 9, 9], [np.inf, np.inf, np.inf], [9, 2, 9], [8, 7, 6], [9, 9, 1]])
    res = set_covering(costs, 5.0, params=EXACT)
    assert res.status == "optimal"
    assert res.shortfall == 2.0
    assert "2 demand(s) cannot be covered" in res.message and "indices 1, 3" in res.message
    assert res.selected.tolist() == [0, 1, 2] and res.objective == 3
    assert res.assignment.tolist() == [0, -1, 1, -1, 2]


def test_set_covering_with_nothing_to_cover():
    """No coverable row: an empty (or fixed-only) plan, optimal, every row reported."""
    costs = np.full((3, 2), 50.0)
    res = set_covering(costs, 10.0)
    assert res.selected.tolist() == [] and res.objective == 0 and res.is_optimal
    assert res.shortfall == 3
    res = set_covering(costs, 10.0, fixed=[1])
    assert res.selected.tolist() == [1] and res.objective == 1 and res.is_optimal


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5", "pmed6", "pmed11"])
def test_orlib_p_center_radius_decides_the_cover_size(name):
    """At the optimal p-center radius r* p centres cover everyone; within r* - 1 they do not."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / f"{name}.txt")
    radius = instances.pcenter_optima()[name]
    at = set_covering(inst.costs, radius)
    below = set_covering(inst.costs, radius - 1)  # shortest paths are whole numbers
    assert at.is_optimal and below.is_optimal
    assert at.objective <= inst.p < below.objective
    assert below.bound > inst.p  # proven: no p centres reach everyone within r* - 1
    assert (at.assignment >= 0).all() and at.shortfall == 0
    assert inst.costs[np.arange(len(inst.costs)), at.assignment].max() <= radius


# ----------------------------------------------------------------------------------------
# backup coverage
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "seed, beta, failure", [(0, 0.5, False), (1, 0.0, False), (2, 0.3, False), (3, 1.0, False),
                            (4, 0.5, True), (5, 0.0, True), (6, 0.7, True)],
)  # fmt: skip
def test_backup_coverage_matches_brute_force(seed, beta, failure):
    """The objective is the enumerated optimum, covered twice or covered under a failure."""
    costs, h = _instance(30 + seed)
    rng = np.random.default_rng(seed)
    back = costs + rng.integers(0, 40, costs.shape) * (rng.random(costs.shape) < 0.5)
    back = back if failure else None
    T = float(np.median(costs[np.isfinite(costs)]))
    res = backup_coverage(costs, T, 3, demand=h, backup_costs=back, beta=beta, params=EXACT)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(brute_backup(costs, T, 3, h, beta, back))
    assert res.objective == pytest.approx(backup_value(costs, T, res.selected, h, beta, back))
    assert len(res.selected) == 3
    _check(res, costs, T)


def test_backup_coverage_keeps_fixed_centres_open():
    """Fixed centres are open and count toward p; the rest is the best completion."""
    costs, h = _instance(41)
    T = float(np.median(costs[np.isfinite(costs)]))
    res = backup_coverage(costs, T, 3, demand=h, fixed=[5, 6], params=EXACT)
    assert {5, 6} <= set(res.selected.tolist()) and len(res.selected) == 3
    assert res.objective == pytest.approx(brute_backup(costs, T, 3, h, 0.5, fixed=(5, 6)))
    only = backup_coverage(costs, T, 2, demand=h, fixed=[5, 6])
    assert only.selected.tolist() == [5, 6] and only.is_optimal
    assert only.objective == pytest.approx(backup_value(costs, T, [5, 6], h, 0.5))


def test_backup_coverage_reports_uncoverable_demand():
    """Demand no candidate covers is left out: its weight is the shortfall, named in message."""
    costs = np.array([[1, 2, 9], [99, 99, 99], [9, 1, 2], [3, 9, 1]], float)
    res = backup_coverage(costs, 5.0, 2, demand=[1, 7, 1, 1], params=EXACT)
    assert res.shortfall == 7.0 and "indices 1" in res.message
    assert res.assignment[1] == -1 and res.is_optimal


def test_backup_coverage_beta_one_is_max_coverage():
    """beta = 1 counts first coverage only: the max_coverage optimum."""
    costs, h = _instance(51, n=12, m=8)
    T = float(np.median(costs[np.isfinite(costs)]))
    res = backup_coverage(costs, T, 3, demand=h, beta=1.0)
    assert res.objective == pytest.approx(max_coverage(costs, 3, T, weights=h).objective)


@pytest.mark.parametrize("seed", range(4))
def test_beta_zero_covers_every_row_twice_when_possible(seed):
    """No failure matrix, beta = 0: with the fewest p that allow it, every row is covered twice.

    With ``backup_costs=costs`` (a failure that changes nothing) "covered under the failure"
    is "covered", and beta = 0 gives the max-coverage optimum instead.
    """
    costs, h = _instance(60 + seed, n=8, m=7, forbid=0.0)
    T = float(np.percentile(costs, 50))
    cover = costs <= T
    twice_possible = cover.sum(axis=1) >= 2
    costs = costs[twice_possible]
    cover, h = cover[twice_possible], h[twice_possible]
    p = next(
        k for k in range(2, 8) if any((cover[:, s].sum(axis=1) >= 2).all() for s in _sets(7, [k]))
    )
    res = backup_coverage(costs, T, p, demand=h, beta=0.0, params=EXACT)
    assert ((costs[:, res.selected] <= T).sum(axis=1) >= 2).all()
    assert res.objective == pytest.approx(h.sum()) and res.is_optimal
    same = backup_coverage(costs, T, p - 1, demand=h, backup_costs=costs, beta=0.0)
    assert same.objective == pytest.approx(max_coverage(costs, p - 1, T, weights=h).objective)


def _ferry_region():
    """Four island villages, four + two mainland villages; at night the ferry stops.

    Candidate 0 (mainland, at the ferry) reaches the island and four mainland villages by
    day, only the mainland at night; 1 (island clinic) the island, day and night; 2 and 3
    (mainland) two and four mainland villages, day and night. Minutes; standard 30.
    """
    far = 90.0
    day = np.full((10, 4), far)
    day[:4, 0] = 25  # island via the ferry
    day[4:8, 0] = 20
    day[:4, 1] = 10
    day[8:, 2] = 15
    day[4:8, 3] = 20
    night = day.copy()
    night[:4, 0] = 180  # the ferry waits until morning
    return day, night


def test_backup_plan_keeps_more_rows_covered_when_the_ferry_stops():
    """Against the failure matrix, the backup plan keeps more villages covered at night."""
    day, night = _ferry_region()
    mc = max_coverage(day, 2, 30.0)
    assert mc.selected.tolist() == [0, 2] and mc.objective == 10  # every village by day
    res = backup_coverage(day, 30.0, 2, backup_costs=night, beta=0.4)
    assert res.is_optimal
    assert res.objective == pytest.approx(brute_backup(day, 30.0, 2, np.ones(10), 0.4, night))

    def at_night(sel):
        return int((night[:, sel] <= 30).any(axis=1).sum())

    assert at_night(res.selected) == 8 > at_night(mc.selected) == 6


# ----------------------------------------------------------------------------------------
# determinism, limits, arguments
# ----------------------------------------------------------------------------------------
def test_same_seed_same_answer():
    """Two solves with the same seed return the same plan, objective and bound."""
    inst = instances.read_orlib_pmed(instances.DATA / "orlib_pmed" / "pmed6.txt")
    radius = instances.pcenter_optima()["pmed6"]
    runs = [
        (
            set_covering(inst.costs, radius - 1, params=SolverParams(seed=3)),
            backup_coverage(inst.costs, radius, 8, params=SolverParams(seed=3)),
        )
        for _ in range(2)
    ]
    for a, b in zip(*runs, strict=True):
        assert a.selected.tolist() == b.selected.tolist()
        assert (a.assignment == b.assignment).all()
        assert (a.objective, a.bound, a.status) == (b.objective, b.bound, b.status)


def _random_plane(n, m, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)), rng.random((m, 2))
    return np.rint(1000 * np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]))


@pytest.mark.parametrize("model", ["set_covering", "backup_coverage"])
def test_time_limit_returns_a_plan(model):
    """A 1 s limit (the time_limit shortcut) on 2000 x 400 returns a plan soon after it."""
    costs = _random_plane(2000, 400)
    t0 = time.perf_counter()
    if model == "set_covering":
        res = set_covering(costs, 90.0, time_limit=1.0)
        assert (res.assignment >= 0).all() or res.shortfall > 0
        assert res.bound <= res.objective
    else:
        res = backup_coverage(costs, 90.0, 40, backup_costs=costs * 1.2, time_limit=1.0)
        assert len(res.selected) == 40 and res.bound >= res.objective
    assert res.status in ("optimal", "time_limit") and res.is_feasible
    assert time.perf_counter() - t0 < 1.0 + 15.0  # the limit plus the watchdog's grace


def test_bad_arguments_listed_together():
    """Every malformed argument is named in one DataError; a wrong params is a TypeError."""
    costs = np.ones((3, 2))
    with pytest.raises(DataError, match="weights") as info:
        set_covering(costs, -1.0, weights=[1, 2, 3], fixed=[5], time_limit=-2)
    text = str(info.value)
    assert all(word in text for word in ("max_cost", "fixed", "time_limit"))
    assert "'p'" not in text
    with pytest.raises(DataError, match="beta") as info:
        backup_coverage(costs, 1.0, 3, demand=[1, -1, 1], backup_costs=np.ones((2, 2)), beta=2)
    text = str(info.value)
    assert all(word in text for word in ("'p'", "demand", "backup_costs"))
    with pytest.raises(TypeError, match="params must be a SolverParams"):
        set_covering(costs, 1.0, params={"time_limit_s": 5})
