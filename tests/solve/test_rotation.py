"""Tests of the CP-SAT rotation core (netopt.solve.rotation) on plain arrays."""

from __future__ import annotations

import dataclasses
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model

from netopt._errors import SolverError
from netopt.solve import STATUSES, SolverParams
from netopt.solve.rotation import (
    RotationInstance,
    RotationWeights,
    max_gap_days,
    rhythm_shortfall,
    solve_rotation,
    visit_options,
)
from netopt.solve.rotation import cpsat as rotation_cpsat
from netopt.solve.rotation import solve as rotation_solve
from netopt.solve.rotation.solve import BACKSTOP, BACKSTOP_S

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_rotation import make_instance as make_large

INF = np.inf


def make_instance(
    *,
    n_days: int = 6,
    specialty=(0, 0),
    alliance=(0, 0),
    weekdays=((0, 1, 2, 3, 4, 5, 6),) * 2,
    max_days=(6, 6),
    site_alliance=(0, 0),
    need=((40,), (40,)),
    rhythm=(3,),
    saving=(100.0, 60.0),
    out=None,
    back=None,
    allow_stays: bool = True,
) -> RotationInstance:
    """A small instance: experts at origin = their alliance index, day trips by default."""
    n_sites = len(site_alliance)
    n_origins = max(alliance) + 1
    out = np.full((n_origins, n_sites), 60.0) if out is None else np.asarray(out, float)
    back = out.copy() if back is None else np.asarray(back, float)
    options = visit_options(out, back, allow_stays=allow_stays)
    avail = np.array([[d % 7 in set(w) for d in range(n_days)] for w in weekdays])
    return RotationInstance(
        n_days=n_days,
        expert_specialty=np.array(specialty),
        expert_origin=np.array(alliance),
        expert_alliance=np.array(alliance),
        available=avail,
        max_days=np.array(max_days),
        site_alliance=np.array(site_alliance),
        need=np.array(need),
        rhythm_days=np.array(rhythm),
        patient_saving_min=np.array(saving),
        options=options,
    )


def windows_hold(days, n_days: int, k: int) -> bool:
    """Every window of k consecutive days (inside the horizon) holds a visit."""
    k = min(k, n_days)
    return all(any(w <= d < w + k for d in days) for w in range(n_days - k + 1))


def brute_force(inst: RotationInstance, weights: RotationWeights | None = None):
    """Lexicographic optimum (shortfall, objective, expert-site pairs) by enumeration."""
    weights = weights or RotationWeights()
    E, S, K, D = inst.shape
    opt = inst.options

    def plans(e):  # every feasible sequence of visits of expert e: tuples (site, day, length)
        o, k = inst.expert_origin[e], inst.expert_specialty[e]
        sites = [
            s
            for s in range(S)
            if opt.stay_days[o, s] > 0
            and inst.need[s, k] > 0
            and inst.site_alliance[s] == inst.expert_alliance[e]
        ]

        def rec(d, used):
            if d >= D:
                yield ()
                return
            yield from rec(d + 1, used)
            for s in sites:
                n = int(opt.stay_days[o, s])
                if (
                    d + n <= D
                    and used + n <= inst.max_days[e]
                    and inst.available[e, d : d + n].all()
                ):
                    for rest in rec(d + n, used + n):
                        yield ((s, d, n),) + rest

        return list(rec(0, 0))

    best = None
    for combo in itertools.product(*(plans(e) for e in range(E))):
        got = np.zeros((S, K))
        days = {}
        travel = pairs = 0.0
        for e, seq in enumerate(combo):
            o, k = inst.expert_origin[e], inst.expert_specialty[e]
            for s, d, _ in seq:
                got[s, k] += opt.capacity[o, s]
                days.setdefault((s, k), []).append(d)
                travel += round(opt.travel_out_min[o, s] + opt.travel_back_min[o, s])
            pairs += len({s for s, _, _ in seq})
        short = sum(
            rhythm_shortfall(days.get((s, k), []), D, int(inst.rhythm_days[k]))
            for s in range(S)
            for k in range(K)
            if inst.need[s, k] > 0
        )
        served = np.minimum(got, inst.need)
        obj = (
            float(np.sum(inst.patient_saving_min[:, None] * (inst.need - served)))
            + weights.expert_travel * travel
        )
        key = (short, round(obj, 6), pairs)
        if best is None or key < best:
            best = key
    return best


def solve(inst, *, seed: int = 0, **kw):
    kw.setdefault("params", SolverParams(time_limit_s=20, seed=seed))
    return solve_rotation(inst, **kw)


def test_rhythm_helpers_match_window_scan():
    """rhythm_shortfall and max_gap_days agree with a direct scan of every window."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        D = int(rng.integers(1, 30))
        K = int(rng.integers(1, 16))
        days = rng.choice(D, size=int(rng.integers(0, min(D, 5) + 1)), replace=False)
        extra, have = 0, set(days.tolist())
        for w in range(D - min(K, D) + 1):
            if not any(d in have for d in range(w, w + min(K, D))):
                have.add(w + min(K, D) - 1)
                extra += 1
        assert rhythm_shortfall(days, D, K) == extra
        assert windows_hold(list(have), D, K)
        assert (max_gap_days(days, D) < min(K, D)) == windows_hold(days, D, K)


def test_visit_options_day_trip_stay_or_none():
    """Return clocks decide: afternoon ferry -> day trip; morning only -> stay; none -> none."""
    out = np.array([[60.0, 90.0, 90.0]])
    back = np.array(
        [  # returns leaving at +240 min (12:00) and +480 min (16:00)
            [[60.0, 90.0, INF]],
            [[60.0, INF, INF]],
        ]
    )
    opt = visit_options(out, back, return_at_min=np.array([240.0, 480.0]), min_clinic_min=180)
    assert opt.stay_days.tolist() == [[1, 2, 0]]
    assert opt.clinic_min[0, 0] == pytest.approx(480 - 60)  # latest fitting return wins
    assert opt.clinic_min[0, 1] == pytest.approx((570 - 90) + 240)
    assert opt.capacity[0, 0] == 35  # 7 h x 5 patients
    none = visit_options(out, back, return_at_min=np.array([240.0, 480.0]), allow_stays=False)
    assert none.stay_days.tolist() == [[1, 0, 0]]


def test_instance_shapes_are_checked():
    """A mis-shaped array is reported with its name and expected shape."""
    inst = make_instance()
    with pytest.raises(ValueError, match=r"need has shape \(2, 2\), expected \(2, 1\)"):
        dataclasses.replace(inst, need=np.ones((2, 2), int))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_tiny_instances_match_brute_force(seed):
    """Random tiny instances (day trips and stays) reach the brute-force lexicographic optimum."""
    rng = np.random.default_rng(seed)
    out = rng.uniform(30, 250, (1, 3)).round()
    inst = make_instance(
        n_days=5,
        specialty=(0, int(rng.integers(0, 2))),
        alliance=(0, 0),
        weekdays=(tuple(rng.choice(5, 3, replace=False)), tuple(rng.choice(5, 4, replace=False))),
        max_days=tuple(rng.integers(1, 4, 2)),
        site_alliance=(0, 0, 0),
        need=rng.integers(0, 60, (3, 2)),
        rhythm=(3, 4),
        saving=tuple(rng.uniform(20, 120, 3).round()),
        out=out,
    )
    res = solve(inst)
    short, obj, pairs = brute_force(inst)
    assert res.status == "optimal"
    assert int(res.shortfall.sum()) == short
    assert res.objective == pytest.approx(obj)
    assert len({(e, s) for e, s in res.visits[:, :2].tolist()}) == pairs


def test_ferry_hours_rule_out_day_trip_to_far_island():
    """No afternoon ferry back: the island gets stays only, or nothing and a shortfall."""
    out = np.array([[40.0, 100.0]])
    back = np.array([[[40.0, 100.0]], [[40.0, INF]]])  # 11:00 and 16:00 returns
    ret = np.array([180.0, 480.0])
    for allow in (True, False):
        inst = make_instance(n_days=7, need=((30,), (30,)), rhythm=(7,), max_days=(4, 4))
        inst = dataclasses.replace(
            inst, options=visit_options(out, back, return_at_min=ret, allow_stays=allow)
        )
        res = solve(inst)
        island = res.visits[res.visits[:, 1] == 1]
        if allow:
            assert len(island) >= 1 and (island[:, 3] == 2).all()
            assert res.shortfall[1, 0] == 0
        else:
            assert len(island) == 0
            assert res.shortfall[1, 0] == 1 and res.delivered[1, 0] == 0
        assert res.shortfall[0, 0] == 0


def test_rhythm_holds_on_output():
    """With enough supply every (site, specialty) gets a visit in every K-day window."""
    inst = make_instance(
        n_days=28,
        specialty=(0, 1, 0),
        alliance=(0, 0, 0),
        weekdays=((0, 2, 4),) * 3,
        max_days=(8, 8, 8),
        site_alliance=(0, 0, 0),
        need=((30, 20), (10, 40), (25, 0)),
        rhythm=(7, 14),
        saving=(90.0, 40.0, 70.0),
        out=np.array([[60.0, 45.0, 120.0]]),
    )
    res = solve(inst)
    assert int(res.shortfall.sum()) == 0
    spec = inst.expert_specialty[res.visits[:, 0]]
    for s, k in zip(*np.nonzero(inst.need)):
        days = res.visits[(res.visits[:, 1] == s) & (spec == k), 2]
        assert windows_hold(days, 28, int(inst.rhythm_days[k]))
        assert res.max_gap[s, k] < inst.rhythm_days[k]
    # one place per expert per day, within the limits
    for e in range(3):
        mine = res.visits[res.visits[:, 0] == e]
        assert len(set(mine[:, 2])) == len(mine) and mine[:, 3].sum() <= inst.max_days[e]
        assert inst.available[e, mine[:, 2]].all()


def test_shortage_is_reported_precisely():
    """One Monday expert for two weekly-rhythm sites over 14 days: 4 visits needed, 2 possible."""
    inst = make_instance(
        n_days=14,
        specialty=(0,),
        alliance=(0,),
        weekdays=((0,),),
        max_days=(5,),
        site_alliance=(0, 0),
        need=((30,), (30,)),
        rhythm=(7,),
    )
    res = solve(inst)
    assert res.needed[:, 0].tolist() == [2, 2]
    assert int(res.delivered.sum()) == 2
    assert int(res.shortfall.sum()) == 2
    assert res.status == "optimal"
    one_day = solve(dataclasses.replace(inst, max_days=np.array([1])))
    assert int(one_day.shortfall.sum()) == 3


def test_no_expert_of_a_specialty_is_an_unavoidable_shortfall():
    """A needed specialty nobody practises shows its full rhythm as shortfall, not an error."""
    inst = make_instance(
        specialty=(0, 0), need=((20, 5), (20, 0)), rhythm=(3, 3), saving=(50.0, 50.0)
    )
    res = solve(inst)
    assert res.shortfall[0, 1] == rhythm_shortfall([], 6, 3) == 2
    assert res.served[0, 1] == 0


def test_experts_stay_in_their_alliance_unless_cross_help():
    """An alliance-1 site gets no alliance-0 expert unless cross-alliance help is on."""
    out = np.array([[60.0, 60.0], [60.0, 60.0]])
    inst = make_instance(
        specialty=(0,),
        alliance=(0,),
        weekdays=((0, 1, 2, 3, 4, 5, 6),),
        max_days=(6,),
        site_alliance=(0, 1),
        out=out,
    )
    own = solve(inst)
    assert set(own.visits[:, 1]) == {0}
    assert own.shortfall[1, 0] == 2
    cross = solve(inst, cross_alliance=True)
    assert 1 in set(cross.visits[:, 1]) and int(cross.shortfall.sum()) == 0


def test_same_seed_same_schedule():
    """Two solves with the same seed return the same visits and objective."""
    rng = np.random.default_rng(7)
    inst = make_instance(
        n_days=14,
        specialty=(0, 0, 1),
        alliance=(0, 0, 0),
        weekdays=((0, 1, 3),) * 3,
        max_days=(5, 4, 6),
        site_alliance=(0, 0, 0, 0),
        need=rng.integers(5, 60, (4, 2)),
        rhythm=(7, 7),
        saving=(80.0, 60.0, 40.0, 120.0),
        out=np.array([[30.0, 60.0, 90.0, 150.0]]),
    )
    a, b = solve(inst, seed=5), solve(inst, seed=5)
    assert np.array_equal(a.visits, b.visits)
    assert a.objective == b.objective


def test_same_seed_same_schedule_beside_two_cpu_hogs(busy):
    """A solve that ends at its deterministic budget, short of a proof, gives the same
    schedule, objective and bound with two CPU hogs on the machine as without (CP-SAT's
    deterministic time; the wall-clock backstop leaves room for a busy machine)."""
    inst = make_large(20, 30, seed=1)
    params = SolverParams(time_limit_s=1.0, seed=0)
    quiet = solve_rotation(inst, params=params)
    with busy():
        loaded = solve_rotation(inst, params=params)
    assert quiet.status == "time_limit" and quiet.gap > 0.01  # stopped by the budget
    assert "backstop" not in quiet.message and "backstop" not in loaded.message
    assert np.array_equal(quiet.visits, loaded.visits)
    assert (quiet.objective, quiet.bound) == (loaded.objective, loaded.bound)
    assert_valid_schedule(inst, loaded)


def test_progress_and_trajectory_are_recorded():
    """The solution callback logs lines and the trajectory ends at the final objective."""
    lines: list[str] = []
    res = solve(make_instance(), progress=lines.append)
    assert lines and "solution" in lines[-1]
    assert res.trajectory[-1][1] == pytest.approx(res.objective)
    assert res.first_solution_s <= res.seconds
    assert res.time_to_gap(0.01) <= res.seconds


def test_continuity_prefers_the_same_expert():
    """Two interchangeable experts: all visits to a site go to one of them."""
    inst = make_instance(
        n_days=6, max_days=(3, 3), site_alliance=(0,), need=((60,),), saving=(100.0,)
    )
    res = solve(inst)
    assert len(res.visits) == 2
    assert len(set(res.visits[:, 0].tolist())) == 1
    assert "expert-site pairs (fewest)" in res.message


def test_time_limit_holds_on_a_large_instance():
    """A 60-expert x 120-site month stops by its wall-clock backstop and still returns a schedule."""
    inst = make_large(60, 120, seed=1)
    t0 = time.perf_counter()
    res = solve_rotation(inst, params=SolverParams(time_limit_s=2.0, seed=0))
    elapsed = time.perf_counter() - t0
    # backstop after the model is built, plus building and result assembly (generous)
    assert elapsed < BACKSTOP * 2.0 + BACKSTOP_S + 10.0
    assert res.status in ("time_limit", "optimal")
    assert len(res.visits) > 0
    assert_valid_schedule(inst, res)


def assert_valid_schedule(inst: RotationInstance, res, *, cross_alliance: bool = False) -> None:
    """Check a result against the instance directly (not through the model's constraints)."""
    E, S, K, D = inst.shape
    opt = inst.options
    assert res.status in STATUSES and res.status != "infeasible"
    assert res.visits.shape[1] == 4
    got = np.zeros((S, K))
    days: dict[tuple[int, int], list[int]] = {}
    for e in range(E):
        mine = res.visits[res.visits[:, 0] == e]
        o, k = inst.expert_origin[e], inst.expert_specialty[e]
        busy = np.zeros(D, int)
        for _, s, d, n in mine.tolist():
            assert n == opt.stay_days[o, s] > 0 and d + n <= D
            assert inst.available[e, d : d + n].all()
            assert inst.need[s, k] > 0
            assert cross_alliance or inst.site_alliance[s] == inst.expert_alliance[e]
            busy[d : d + n] += 1
            got[s, k] += opt.capacity[o, s]
            days.setdefault((s, k), []).append(d)
        assert busy.max(initial=0) <= 1  # one place per expert per day
        assert mine[:, 3].sum() <= inst.max_days[e]
    assert (res.served <= np.minimum(got, inst.need)).all() and (res.served >= 0).all()
    for s, k in zip(*np.nonzero(inst.need)):
        mine = days.get((s, k), [])
        assert res.delivered[s, k] == len(mine)
        assert res.shortfall[s, k] == rhythm_shortfall(mine, D, int(inst.rhythm_days[k]))
        assert res.max_gap[s, k] == max_gap_days(mine, D)
    assert res.bound <= res.objective + 1e-6 and res.gap >= 0


def patient_and_expert_minutes(inst: RotationInstance, res, weights=None) -> float:
    """The phase-2 objective of a schedule: patient travel left plus weighted expert travel."""
    weights = weights or RotationWeights()
    opt = inst.options
    o = inst.expert_origin[res.visits[:, 0]]
    s = res.visits[:, 1]
    travel = np.rint(opt.travel_out_min[o, s] + opt.travel_back_min[o, s])
    coef = np.rint(weights.scale * weights.expert_travel * travel) / weights.scale
    saving = np.rint(inst.patient_saving_min)
    return float(np.sum(saving[:, None] * (inst.need - res.served)) + coef.sum())


def test_one_second_limit_under_cpu_load_returns_a_valid_schedule(cpu_hogs):
    """With two CPU hogs on the machine, a 1 s limit on a large month returns in bounded time."""
    inst = make_large(60, 120, seed=1)
    t0 = time.perf_counter()
    res = solve_rotation(inst, params=SolverParams(time_limit_s=1.0, seed=0))
    elapsed = time.perf_counter() - t0
    # backstop after the model is built; model building and the greedy start run three
    # times slower beside the hogs (generous)
    assert elapsed < BACKSTOP * 1.0 + BACKSTOP_S + 20.0
    assert res.status == "time_limit"
    assert len(res.visits) > 0
    assert_valid_schedule(inst, res)
    assert res.objective >= patient_and_expert_minutes(inst, res) - 1e-6


def _unknown_in(monkeypatch, phases: set[int], code: int = cp_model.UNKNOWN) -> None:
    """Make CP-SAT report ``code`` without a solution in the given phases (1, 2, 3)."""
    real = rotation_cpsat.run_cpsat
    calls = []

    def fake(model, limit, seed, num_workers, deterministic, start, log, **kw):
        calls.append(1)
        out = real(model, limit, seed, num_workers, deterministic, start, log, **kw)
        if len(calls) in phases:
            empty = rotation_cpsat.SolutionLog(start, None, kw.get("scale", 1))
            return code, out[1], empty, []
        return out

    monkeypatch.setattr(rotation_solve, "run_cpsat", fake)


def _mid_instance() -> RotationInstance:
    return make_large(8, 12, seed=2)


def test_time_out_in_phase_2_returns_the_greedy_start(monkeypatch):
    """No CP-SAT solution in phase 2: the greedy start is returned, valid, with status time_limit."""
    inst = _mid_instance()
    _unknown_in(monkeypatch, {2})
    res = solve_rotation(inst, params=SolverParams(time_limit_s=5.0))
    assert res.status == "time_limit"
    assert "greedy start is returned" in res.message
    assert len(res.visits) > 0
    assert_valid_schedule(inst, res)
    # phase 1 succeeded, so the objective is the patient + expert travel of the schedule
    assert res.objective == pytest.approx(patient_and_expert_minutes(inst, res))
    assert 0 <= res.bound <= res.objective and 0 <= res.gap <= 1
    # the greedy start keeps phase 1's shortfall (adding visits never breaks the rhythm)
    monkeypatch.undo()
    proved = solve_rotation(inst, params=SolverParams(time_limit_s=10.0))
    assert proved.status == "optimal"
    assert int(res.shortfall.sum()) == int(proved.shortfall.sum())


def test_time_out_in_both_phases_returns_a_valid_greedy_schedule(monkeypatch):
    """No CP-SAT solution in phases 1 and 2: still a valid schedule, never an exception."""
    inst = _mid_instance()
    _unknown_in(monkeypatch, {1, 2})
    res = solve_rotation(inst, params=SolverParams(time_limit_s=5.0))
    assert res.status == "time_limit"
    assert "greedy start is returned" in res.message
    assert_valid_schedule(inst, res)
    assert res.objective >= patient_and_expert_minutes(inst, res) - 1e-6


def test_an_invalid_model_is_a_solver_error(monkeypatch):
    """Only a genuinely impossible answer (MODEL_INVALID in phase 2) raises SolverError."""
    _unknown_in(monkeypatch, {2}, code=cp_model.MODEL_INVALID)
    with pytest.raises(SolverError, match="feasible solution by construction"):
        solve_rotation(_mid_instance(), params=SolverParams(time_limit_s=5.0))


def test_status_vocabulary_is_the_shared_one():
    """CP-SAT codes map into STATUSES, and a RotationResult refuses any other status."""
    assert set(rotation_cpsat.CP_STATUS.values()) <= set(STATUSES)
    res = solve(make_instance())
    assert res.status in STATUSES
    with pytest.raises(ValueError, match="status must be one of"):
        dataclasses.replace(res, status="unknown")
    with pytest.raises(TypeError, match="SolverParams"):
        solve_rotation(make_instance(), params={"time_limit_s": 5})
