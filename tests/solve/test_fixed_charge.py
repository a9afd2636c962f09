"""The single-sourced capacitated fixed-charge location model, against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netopt import DataError
from netopt.solve import SolverParams, fixed_charge_location

EXACT = SolverParams(time_limit_s=None)


def brute_force(costs, fixed_cost, demand, capacities, fixed, max_open):
    """Least objective over every open set and every single-sourced assignment (inf: none)."""
    n, m = costs.shape
    best = np.inf
    for size in range(1, (max_open or m) + 1):
        for combo in itertools.combinations(range(m), size):
            if not all(j in combo for j in np.flatnonzero(fixed)):
                continue
            opening = fixed_cost[list(combo)].sum()
            for assign in itertools.product(combo, repeat=n):
                cost = costs[np.arange(n), list(assign)].sum()
                if not np.isfinite(cost):
                    continue
                load = np.bincount(assign, weights=demand, minlength=m)
                if (load > capacities + 1e-9).any():
                    continue
                best = min(best, opening + cost)
    return best


@st.composite
def instances(draw):
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 4))
    cells = st.integers(0, 36).map(lambda v: np.inf if v > 30 else float(v))  # 1 in 6 forbidden
    costs = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m))).reshape(n, m)
    fixed_cost = np.array(draw(st.lists(st.integers(0, 40), min_size=m, max_size=m)), float)
    demand = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), float)
    caps = st.integers(0, 30).map(lambda v: np.inf if v > 25 else float(v))
    capacities = np.array(draw(st.lists(caps, min_size=m, max_size=m)))
    fixed = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    if fixed.sum() > 2:
        fixed[:] = False
    max_open = draw(st.one_of(st.none(), st.integers(max(1, int(fixed.sum())), m)))
    return costs, fixed_cost, demand, capacities, fixed, max_open


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_agrees_with_brute_force(instance):
    """On small random instances the optimum (or infeasibility) equals brute force."""
    costs, fixed_cost, demand, capacities, fixed, max_open = instance
    expected = brute_force(costs, fixed_cost, demand, capacities, fixed, max_open)
    r = fixed_charge_location(
        costs, fixed_cost, demand=demand, capacities=capacities, fixed=fixed,
        max_open=max_open, params=EXACT,
    )  # fmt: skip
    if not np.isfinite(expected):
        assert r.status == "infeasible"
        assert r.message
        return
    assert r.status == "optimal"
    assert r.objective == pytest.approx(expected, abs=1e-6)
    # the plan is what it says: fixed open, single-sourced, allowed pairs, capacities kept
    n, m = costs.shape
    assert set(np.flatnonzero(fixed)) <= set(r.selected.tolist())
    assert (r.assignment >= 0).all() and np.isin(r.assignment, r.selected).all()
    assert np.isfinite(costs[np.arange(n), r.assignment]).all()
    load = np.bincount(r.assignment, weights=demand, minlength=m)
    assert (load <= capacities + 1e-9).all()
    if max_open is not None:
        assert len(r.selected) <= max_open
    recomputed = fixed_cost[r.selected].sum() + costs[np.arange(n), r.assignment].sum()
    assert r.objective == pytest.approx(recomputed)
    assert r.bound <= r.objective + 1e-9 and r.gap == 0.0


def test_fixed_candidates_stay_open():
    """A fixed candidate is open (and paid for) even when no demand uses it."""
    costs = np.array([[0.0, 50.0, 1.0], [2.0, 50.0, 0.0]])
    r = fixed_charge_location(costs, np.array([10.0, 10.0, 10.0]), fixed=[1], params=EXACT)
    assert r.status == "optimal"
    assert 1 in r.selected.tolist()
    assert r.objective == pytest.approx(20.0 + 1.0)  # candidate 1 and one more, cheapest pairs
    mask = fixed_charge_location(
        costs, np.array([10.0, 10.0, 10.0]), fixed=np.array([False, True, False]), params=EXACT
    )
    assert mask.selected.tolist() == r.selected.tolist()


def test_opening_cost_against_travel():
    """Cheap openings spread centres, dear ones pool demands at one centre."""
    costs = np.array([[0.0, 10.0], [10.0, 0.0]])
    cheap = fixed_charge_location(costs, np.array([1.0, 1.0]), params=EXACT)
    dear = fixed_charge_location(costs, np.array([100.0, 100.0]), params=EXACT)
    assert cheap.selected.tolist() == [0, 1] and cheap.objective == pytest.approx(2.0)
    assert len(dear.selected) == 1 and dear.objective == pytest.approx(110.0)


def test_demand_without_allowed_candidate_is_infeasible():
    """A demand whose every pair is forbidden is named in the message."""
    costs = np.array([[1.0, 2.0], [np.inf, np.inf], [3.0, np.inf]])
    r = fixed_charge_location(costs, np.zeros(2), params=EXACT)
    assert r.status == "infeasible"
    assert "no allowed candidate" in r.message and "indices 1" in r.message
    assert (r.assignment == -1).all() and len(r.selected) == 0


def test_missing_capacity_is_stated():
    """Too little capacity in total: the message gives the total and what is missing."""
    r = fixed_charge_location(
        np.zeros((3, 2)), np.zeros(2), demand=np.array([5.0, 5.0, 5.0]),
        capacities=np.array([6.0, 4.0]), params=EXACT,
    )  # fmt: skip
    assert r.status == "infeasible"
    assert "total demand 15" in r.message and "5 missing" in r.message
    assert r.shortfall == pytest.approx(5.0)
    limited = fixed_charge_location(
        np.zeros((2, 3)), np.zeros(3), demand=np.array([5.0, 5.0]),
        capacities=np.array([6.0, 6.0, 6.0]), max_open=1, params=EXACT,
    )  # fmt: skip
    assert limited.status == "infeasible" and "4 missing" in limited.message
    big = fixed_charge_location(
        np.array([[0.0, np.inf]]), np.zeros(2), demand=np.array([9.0]),
        capacities=np.array([5.0, 20.0]), params=EXACT,
    )  # fmt: skip
    assert big.status == "infeasible" and "indices 0" in big.message and "4 missing" in big.message


def test_single_sourcing_can_be_infeasible_when_the_total_fits():
    """Loads 6, 6, 6 never fit two candidates of 9 when each goes whole to one of them."""
    r = fixed_charge_location(
        np.zeros((3, 2)), np.zeros(2), demand=np.full(3, 6.0), capacities=np.array([9.0, 9.0]),
        params=EXACT,
    )  # fmt: skip
    assert r.status == "infeasible" and "individual demands" in r.message


def test_time_limit_returns_a_plan_and_same_seed_same_answer():
    """With a time limit a plan comes back (status and bound reported); same seed, same plan."""
    rng = np.random.default_rng(3)
    costs = rng.integers(0, 100, (40, 12)).astype(float)
    fixed_cost = rng.integers(50, 200, 12).astype(float)
    runs = [
        fixed_charge_location(
            costs,
            fixed_cost,
            demand=np.ones(40),
            capacities=np.full(12, 8.0),
            params=SolverParams(time_limit_s=5, seed=1),
        )
        for _ in range(2)
    ]
    for r in runs:
        assert r.status in ("optimal", "time_limit")
        assert np.isfinite(r.objective) and r.bound <= r.objective + 1e-6
        assert np.bincount(r.assignment, minlength=12).max() <= 8
    assert runs[0].selected.tolist() == runs[1].selected.tolist()
    assert runs[0].objective == runs[1].objective


def test_bad_arguments_are_listed_at_once():
    """Every malformed argument is reported in one DataError."""
    with pytest.raises(DataError, match="fixed_cost") as err:
        fixed_charge_location(
            np.array([[1.0, -2.0]]), np.array([1.0]), demand=np.array([1.0, 2.0]),
            fixed=[5], max_open=0, params=EXACT,
        )  # fmt: skip
    text = str(err.value)
    for field in ("costs", "fixed_cost", "demand", "fixed", "max_open"):
        assert field in text
    with pytest.raises(DataError, match="max_open"):
        fixed_charge_location(np.zeros((1, 3)), np.zeros(3), fixed=[0, 1], max_open=1)
