"""Courier routes on plain arrays (:func:`netopt.solve.courier_routes`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netopt import DataError
from netopt.solve import RoutingResult, SolverParams, courier_routes

DAY = {"start_min": 480.0, "end_min": 1020.0}


def instance(seed: int, n: int, scale: float = 60.0) -> tuple[np.ndarray, np.ndarray]:
    """Random points in a square: minutes (1.2 min a km) and km matrices."""
    xy = np.random.default_rng(seed).uniform(0, scale, (n, 2))
    km = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    return km * 1.2, km


def check_routes(
    res: RoutingResult,
    minutes: np.ndarray,
    samples: np.ndarray,
    *,
    capacity: float,
    window: float,
    service: float,
    start: float,
    end: float,
) -> None:
    """Every route keeps the day, the travel times, the capacity and the window; every stop
    with samples is served in full or reported."""
    tol = 1 / 60 + 1e-9  # the model counts whole seconds, rounded up
    picked = np.zeros(samples.size)
    for route, times, got in zip(res.routes, res.arrivals, res.picked):
        if not route:
            continue
        assert route[0] == 0 and route[-1] == 0
        assert times[0] >= start - tol and times[-1] <= end + tol
        load, onboard = 0.0, []
        for k in range(1, len(route)):
            a, b = route[k - 1], route[k]
            ready = times[k - 1] + (service if a != 0 else 0.0) + minutes[a, b]
            assert times[k] >= ready - tol * 2
            if b == 0:
                for t_pick in onboard:
                    assert times[k] - t_pick <= window + tol
                load, onboard = 0.0, []
            else:
                load += got[k]
                picked[b] += got[k]
                onboard.append(times[k])
                assert load <= capacity + 1e-6
    stops = np.flatnonzero(samples > 0)
    stops = stops[stops != 0]
    np.testing.assert_allclose(picked[stops] + res.unserved_samples[stops], samples[stops])
    assert set(res.dropped.tolist()) == set(stops[res.unserved_samples[stops] > 1e-9].tolist())
    assert len(res.drop_reasons) == len(res.dropped) and all(res.drop_reasons)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 7),
    vehicles=st.integers(1, 3),
    capacity=st.sampled_from([40.0, 80.0, 150.0]),
    window=st.sampled_from([45.0, 90.0, 180.0]),
    service=st.sampled_from([0.0, 5.0, 15.0]),
)
def test_windows_and_capacities_kept(seed, n, vehicles, capacity, window, service):
    """On random small instances the routes keep the day, the travel times, the capacity and
    the window, and every stop is served in full or reported with a reason."""
    minutes, km = instance(seed, n)
    samples = np.random.default_rng(seed + 1).integers(0, 100, n).astype(float)
    res = courier_routes(
        minutes,
        km,
        samples,
        vehicles=vehicles,
        capacity=capacity,
        window_min=window,
        service_min=service,
        params=SolverParams(time_limit_s=30),
        **DAY,
    )
    assert res.status == "feasible"
    check_routes(
        res,
        minutes,
        samples,
        capacity=capacity,
        window=window,
        service=service,
        start=DAY["start_min"],
        end=DAY["end_min"],
    )


def test_dropped_stops_are_reported_with_their_reason():
    """A stop farther than the window, an unreachable one and one the day cannot hold are
    dropped and named; the others are served."""
    minutes = np.array(
        [
            [0, 20, 150, np.inf, 20],
            [20, 0, 160, np.inf, 30],
            [150, 160, 0, np.inf, 150],
            [np.inf] * 4 + [np.inf],
            [20, 30, 150, np.inf, 0],
        ]
    )
    np.fill_diagonal(minutes, 0.0)
    samples = np.array([0.0, 10.0, 10.0, 10.0, 10.0])
    res = courier_routes(
        minutes, minutes, samples, vehicles=1, capacity=100, window_min=120, service_min=5, **DAY
    )
    assert res.dropped.tolist() == [2, 3]
    reasons = dict(zip(res.dropped.tolist(), res.drop_reasons))
    assert "window 120" in reasons[2] and "155 min" in reasons[2]
    assert "unreachable" in reasons[3]
    assert res.vehicle[[1, 4]].tolist() == [0, 0]
    assert "2 not (fully) served" in res.message
    short = courier_routes(
        minutes,
        minutes,
        samples,
        vehicles=1,
        capacity=100,
        window_min=400,
        service_min=5,
        start_min=480,
        end_min=600,
    )
    assert 2 in short.dropped.tolist()
    assert "after the day's end 10:00" in dict(zip(short.dropped, short.drop_reasons))[2]


def test_a_full_day_drops_what_does_not_fit_never_silently():
    """One courier, a short day: the stops it cannot reach in time are dropped by the solver
    and reported as such."""
    minutes, km = instance(3, 9, scale=40.0)
    samples = np.r_[0.0, np.full(8, 20.0)]
    res = courier_routes(
        minutes,
        km,
        samples,
        vehicles=1,
        capacity=1000,
        window_min=300,
        service_min=30,
        start_min=480,
        end_min=660,
    )
    assert res.dropped.size > 0
    assert all("no vehicle fits it" in r for r in res.drop_reasons)
    check_routes(res, minutes, samples, capacity=1000, window=300, service=30, start=480, end=660)


def test_more_samples_than_a_vehicle_holds_are_picked_up_in_parts():
    """250 samples with a capacity of 100 are collected in three visits of equal parts."""
    minutes, km = instance(5, 3, scale=20.0)
    samples = np.array([0.0, 250.0, 30.0])
    res = courier_routes(
        minutes, km, samples, vehicles=2, capacity=100, window_min=120, service_min=5, **DAY
    )
    assert res.dropped.size == 0
    visits = [(n, q) for r, g in zip(res.routes, res.picked) for n, q in zip(r, g) if n == 1]
    assert len(visits) == 3
    assert [q for _, q in visits] == pytest.approx([250 / 3] * 3)
    check_routes(
        res, minutes, samples, capacity=100, window=120, service=5, start=480.0, end=1020.0
    )


def test_same_answer_twice_and_on_a_busy_machine(cpu_hogs):
    """The search is limited by a number of solutions: the same inputs give the same routes
    and times, also with the CPU taken by other processes."""
    minutes, km = instance(11, 14)
    samples = np.random.default_rng(2).integers(5, 60, 14).astype(float)
    kw = dict(
        vehicles=3,
        capacity=150,
        window_min=120,
        service_min=10,
        **DAY,
        params=SolverParams(time_limit_s=60, seed=4),
    )
    first = courier_routes(minutes, km, samples, **kw)
    second = courier_routes(minutes, km, samples, **kw)
    assert first.routes == second.routes and first.arrivals == second.arrivals
    assert first.objective == second.objective and first.status == "feasible"
    assert np.isnan(first.bound) and np.isnan(first.gap)


def test_the_wall_clock_backstop_returns_the_best_routes():
    """A tiny time limit stops the search without raising; the routes returned are valid."""
    minutes, km = instance(8, 30)
    samples = np.r_[0.0, np.full(29, 10.0)]
    res = courier_routes(
        minutes,
        km,
        samples,
        vehicles=3,
        capacity=200,
        window_min=150,
        service_min=5,
        **DAY,
        params=SolverParams(time_limit_s=0.05),
        solution_limit=100_000,
    )
    assert res.status == "time_limit"
    check_routes(res, minutes, samples, capacity=200, window=150, service=5, start=480, end=1020)


def test_bad_arguments_are_all_reported():
    """Wrong shapes and values raise one DataError naming each argument."""
    with pytest.raises(DataError, match=r"(?s)minutes.*vehicles.*capacity.*end_min"):
        courier_routes(
            np.zeros((2, 3)),
            np.zeros((3, 3)),
            np.ones(3),
            vehicles=0,
            capacity=-1,
            window_min=60,
            service_min=5,
            start_min=600,
            end_min=500,
        )
