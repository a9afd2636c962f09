"""Tests of netopt.solve.status.stage_text: what people read for the status of each solve."""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from netopt.solve import STATUSES, SolverParams, p_median
from netopt.solve.rotation import solve_rotation
from netopt.solve.status import STAGE_LABELS, stage_text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_rotation import make_instance as make_large

#: Four demands on a line, three candidates (a small p-median solved to optimality).
COSTS = np.array([[0.0, 5, 9], [2, 3, 8], [9, 1, 2], [8, 4, 0]])


@pytest.fixture(scope="module")
def optimal():
    """A real p-median solve, proven optimal."""
    res = p_median(COSTS, 2, params=SolverParams(time_limit_s=10))
    assert res.status == "optimal"
    return res


@pytest.fixture(scope="module")
def stopped_rotation():
    """A real rotation solve of a 60-expert x 120-site month stopped by a 1 s limit.

    The limit counts CP-SAT deterministic seconds (``SolverParams.deterministic``), so the
    stop does not depend on the machine's speed or load.
    """
    res = solve_rotation(make_large(60, 120, seed=1), params=SolverParams(time_limit_s=1.0))
    assert res.status == "time_limit"
    return res


def test_optimal_and_evaluated(optimal) -> None:
    """A proven optimum reads "optimal"; the same solve evaluating today's alliances, "evaluated"."""
    assert stage_text(optimal) == "optimal"
    assert stage_text(optimal, evaluated=True) == "evaluated"


def test_a_stopped_rotation_shows_its_gap(stopped_rotation) -> None:
    """A rotation stopped at its limit reads "time limit, gap X %" with its own gap, never
    "optimal"."""
    text = stage_text(stopped_rotation)
    assert re.fullmatch(r"time limit, gap (< 0\.1|\d[\d,]*\.\d) %", text), text
    if stopped_rotation.gap >= 0.0005:
        assert text == f"time limit, gap {100 * stopped_rotation.gap:,.1f} %"


def test_infeasible_solve(optimal) -> None:
    """Capacities below the total load give a real "infeasible" solve, shown as such."""
    res = p_median(COSTS, 2, loads=np.full(4, 10.0), capacities=np.full(3, 5.0))
    assert res.status == "infeasible"
    assert stage_text(res) == stage_text(res, evaluated=True) == "infeasible"


@pytest.mark.parametrize(
    ("status", "gap", "bound", "expected"),
    [
        ("feasible", 0.021, 1.0, "feasible, gap 2.1 %"),
        ("feasible", 0.0001, 1.0, "feasible, gap < 0.1 %"),
        ("feasible", math.nan, math.nan, "feasible, no bound"),
        ("time_limit", 0.1034, 1.0, "time limit, gap 10.3 %"),
        ("time_limit", 12.5, 1.0, "time limit, gap 1,250.0 %"),
        ("time_limit", math.inf, -math.inf, "time limit, no bound"),
        ("time_limit", 0.2, -math.inf, "time limit, no bound"),
    ],
)
def test_every_status_has_a_text(optimal, status, gap, bound, expected) -> None:
    """The mapping on SolveResults from a real solve with the status, gap and bound replaced;
    an evaluation prefixes "evaluated; " to every text but optimal and infeasible."""
    res = dataclasses.replace(optimal, status=status, gap=gap, bound=bound)
    assert stage_text(res) == expected
    assert stage_text(res, evaluated=True) == f"evaluated; {expected}"


def test_a_time_limit_without_a_plan(optimal) -> None:
    """A limit reached before any plan (no objective) reads "time limit, no plan"."""
    none = dataclasses.replace(
        optimal,
        selected=np.zeros(0, np.int64),
        assignment=np.full(4, -1),
        objective=math.nan,
        gap=math.nan,
        status="time_limit",
    )
    assert stage_text(none) == "time limit, no plan"


def test_records_read_like_results(optimal, stopped_rotation) -> None:
    """A kpis.json stage or solver record (a mapping, NaN as null) reads like the result."""
    for res in (optimal, stopped_rotation):
        record = {k: getattr(res, k) for k in ("status", "objective", "bound", "gap")}
        assert stage_text(record) == stage_text(res)
    assert stage_text({"status": "time_limit", "gap": None}) == "time limit, no bound"
    assert set(STAGE_LABELS) == {"location", "rotation"}
    for status in STATUSES:  # a new status needs its own text, not its bare name
        record = {"status": status, "gap": 0.05, "bound": 1.0, "objective": 2.0}
        assert stage_text(record) != status or status in ("optimal", "infeasible")
