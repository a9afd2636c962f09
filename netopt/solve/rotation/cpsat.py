"""One CP-SAT solve of the rotation model: parameters, status names, progress records.

:func:`run_cpsat` solves the model once with the phase's budget (CP-SAT deterministic
seconds with a wall-clock backstop, or wall-clock seconds) and never raises: the caller
reads the status. :data:`CP_STATUS` maps CP-SAT's status codes onto the one vocabulary
:data:`~netopt.solve.STATUSES` (``UNKNOWN``, no solution when a limit stopped the search,
is ``"time_limit"``); ``MODEL_INVALID`` has no name there, it is a bug.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from netopt.solve.status import STATUSES

__all__ = [
    "CP_STATUS",
    "SolutionLog",
    "has_solution",
    "merge_trajectory",
    "run_cpsat",
    "set_hint",
    "status_of",
]

CP_STATUS: dict[int, str] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "time_limit",
}
if not set(CP_STATUS.values()) <= set(STATUSES):  # pragma: no cover - a coding error
    raise ImportError(f"CP_STATUS names {set(CP_STATUS.values())} outside {STATUSES}")


def status_of(code: int) -> str | None:
    """The :data:`~netopt.solve.STATUSES` name of a CP-SAT status code (None: model invalid).

    Parameters
    ----------
    code : int
        ``CpSolver.solve``'s return value.

    Returns
    -------
    str or None
    """
    return CP_STATUS.get(code)


def has_solution(code: int) -> bool:
    """True when CP-SAT returned a solution (optimal or feasible)."""
    return code in (cp_model.OPTIMAL, cp_model.FEASIBLE)


class SolutionLog(cp_model.CpSolverSolutionCallback):
    """Records (seconds, objective, bound) at every solution."""

    def __init__(self, start: float, log: Callable[[str], None] | None, scale: int = 1):
        super().__init__()
        self._scale = scale
        self._start = start
        self._log = log
        self.points: list[tuple[float, float, float]] = []

    def on_solution_callback(self) -> None:
        t = time.perf_counter() - self._start
        obj = self.objective_value / self._scale
        bnd = self.best_objective_bound / self._scale
        self.points.append((t, obj, bnd))
        if self._log is not None:
            self._log(f"{t:6.2f} s  solution {obj:,.0f}  bound {bnd:,.0f}")


def set_hint(model: cp_model.CpModel, hint: list) -> None:
    """Replace the model's solution hint."""
    model.clear_hints()
    for v, val in hint:
        model.add_hint(v, val)


def run_cpsat(
    model: cp_model.CpModel,
    limit: float | None,
    seed: int,
    num_workers: int,
    deterministic: bool,
    start: float,
    log: Callable[[str], None] | None,
    *,
    scale: int = 1,
    wall_deadline: float | None = None,
) -> tuple[int, cp_model.CpSolver, SolutionLog, list[tuple[float, float]]]:
    """Solve ``model`` once; return (status code, solver, callback, bound events).

    Parameters
    ----------
    model : cp_model.CpModel
        With its objective and hint set.
    limit : float or None
        Budget of this phase: deterministic seconds when ``deterministic``, else wall
        seconds (None: no limit).
    seed, num_workers : int
        CP-SAT ``random_seed`` and ``num_workers``.
    deterministic : bool
        ``interleave_search`` and a deterministic-time budget.
    start : float
        ``time.perf_counter()`` at the start of the whole solve (progress times).
    log : callable or None
        Receives a line at every solution.
    scale : int, default 1
        Divides the objective in progress records.
    wall_deadline : float, optional
        ``time.perf_counter()`` value by which a deterministic solve stops however slow the
        machine (at least 0.1 s is always given).

    Returns
    -------
    tuple
        CP-SAT status code, the solver (for values), the :class:`SolutionLog`, and the
        ``(seconds, bound)`` events of the bound callback. Never raises on a status.
    """
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = int(num_workers)
    prm.random_seed = int(seed)
    if limit is not None and deterministic:
        # Deterministic time (about seconds on a fast machine) keeps the result independent
        # of machine load; wall time stays as a backstop so a slow machine still stops.
        prm.max_deterministic_time = float(limit)
        if wall_deadline is not None:
            prm.max_time_in_seconds = max(0.1, wall_deadline - time.perf_counter())
    elif limit is not None:
        prm.max_time_in_seconds = float(limit)
    if deterministic:
        prm.interleave_search = True
    cb = SolutionLog(start, log, scale)
    bounds_seen: list[tuple[float, float]] = []
    solver.best_bound_callback = lambda b: bounds_seen.append((time.perf_counter() - start, b))
    code = solver.solve(model, cb)
    return code, solver, cb, bounds_seen


def merge_trajectory(points, bounds_seen, objective, bound, seconds):
    """Merge solution and bound events into (t, best objective, best bound) rows."""
    events = [(t, o, b) for t, o, b in points] + [(t, math.inf, b) for t, b in bounds_seen]
    events.sort(key=lambda ev: ev[0])
    best_obj, best_bnd = math.inf, -math.inf
    rows = []
    for t, o, b in events:
        best_obj, best_bnd = min(best_obj, o), max(best_bnd, b)
        rows.append((t, best_obj, best_bnd))
    rows.append((seconds, objective, bound))
    return tuple(rows)
