"""Solve a sparse MIP with OR-Tools' model builder, with a time limit that holds.

The model is given as arrays (a CSR constraint matrix, bounds, objective) and loaded in one
call (:meth:`ModelBuilderHelper.fill_model_from_sparse_data`), so no Python loop runs over
rows. The request is solved by OR-Tools' bundled HiGHS (default) or SCIP:

* without a time limit, in this process;
* with a time limit, in a child Python process; the solver is given 95 % of the limit less
  one second (the child's start-up), and the child is killed ``grace_s`` seconds after the
  limit if the solver overruns it (a solver's own limit is not a guarantee: HiGHS has been
  seen running 15 minutes past it). The caller then keeps its heuristic plan.

While the solver runs, ``progress`` (if given) receives a heartbeat message every few seconds.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse import csr_matrix

__all__ = ["MipOutcome", "solve_mip"]

logger = logging.getLogger(__name__)

_CHILD = (
    "import sys\n"
    "from ortools.linear_solver.python import model_builder_helper as mbh\n"
    "model = mbh.ModelBuilderHelper()\n"
    "assert model.read_model_from_proto_file(sys.argv[1])\n"
    "solver = mbh.ModelSolverHelper(sys.argv[3])\n"
    "solver.set_time_limit_in_seconds(float(sys.argv[4]))\n"
    "solver.set_solver_specific_parameters(sys.argv[5])\n"
    "solver.solve(model)\n"
    "open(sys.argv[2], 'wb').write(solver.response().SerializeToString())\n"
)


@dataclass(frozen=True)
class MipOutcome:
    """What came back from the MIP solver.

    ``status`` is one of "optimal", "feasible" (a solution, limit reached), "time_limit"
    (no solution within the limit), "infeasible", "error".
    """

    status: str
    values: np.ndarray | None
    objective: float
    bound: float
    seconds: float
    message: str = ""


def _model(
    matrix: csr_matrix,
    row_lb: np.ndarray,
    row_ub: np.ndarray,
    var_lb: np.ndarray,
    var_ub: np.ndarray,
    objective: np.ndarray,
    integer: np.ndarray,
    *,
    offset: float,
    maximize: bool,
    hint: np.ndarray | None,
) -> mbh.ModelBuilderHelper:
    model = mbh.ModelBuilderHelper()
    model.fill_model_from_sparse_data(
        np.asarray(var_lb, float),
        np.asarray(var_ub, float),
        np.asarray(objective, float),
        np.asarray(row_lb, float),
        np.asarray(row_ub, float),
        csr_matrix(matrix, dtype=float),
    )
    for j in np.flatnonzero(integer):
        model.set_var_integrality(int(j), True)
    model.set_objective_offset(float(offset))
    model.set_maximize(bool(maximize))
    if hint is not None:
        for j in np.flatnonzero(np.asarray(integer)):
            model.add_hint(int(j), float(hint[j]))
    return model


def _parameters(solver: str, seed: int, integral: bool) -> str:
    """Solver options: quiet, seeded, relative gap 1e-6; an absolute gap just below 1 when
    every objective coefficient is an integer (then bound > objective - 1 proves optimality).
    """
    seed = int(seed) % 2**31
    if solver == "highs":
        lines = ["output_flag=false", "log_to_console=false", f"random_seed={seed}",
                 "mip_rel_gap=1e-6"]  # fmt: skip
        lines += ["mip_abs_gap=0.999"] if integral else []
    else:
        lines = [f"randomization/randomseedshift = {seed}", "parallel/maxnthreads = 1",
                 "limits/gap = 1e-6"]  # fmt: skip
        lines += ["limits/absgap = 0.999"] if integral else []
    return "\n".join(lines)


def _integral_objective(objective: np.ndarray, integer: np.ndarray, offset: float) -> bool:
    """True when every feasible objective value is an integer (integral coefficients on
    integer variables, no cost on continuous ones, integral offset)."""
    objective = np.asarray(objective, float)
    integer = np.asarray(integer, bool)
    on_int = objective[integer]
    return (
        bool(np.all(objective[~integer] == 0.0))
        and bool(np.all(on_int == np.round(on_int)))
        and float(offset) == round(float(offset))
    )


def _heartbeat(
    progress: Callable[[str], None] | None, label: str, start: float, stop: threading.Event
) -> threading.Thread | None:
    if progress is None:
        return None

    def beat() -> None:
        while not stop.wait(5.0):
            progress(f"{label}: MIP running, {time.perf_counter() - start:.0f} s elapsed")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    return thread


def _run_child(
    model: mbh.ModelBuilderHelper, solver: str, params: str, time_limit: float, deadline_s: float
) -> bytes | None:
    """Solve in a child process; return None if it had to be killed at the deadline."""
    with tempfile.TemporaryDirectory(prefix="netopt-mip-") as tmp:
        req_path, resp_path = Path(tmp, "model.pb"), Path(tmp, "response.pb")
        model.write_model_to_proto_file(str(req_path))
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
        args = [str(req_path), str(resp_path), solver, repr(float(time_limit)), params]
        with subprocess.Popen(
            [sys.executable, "-c", _CHILD, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        ) as child:
            try:
                _, err = child.communicate(timeout=deadline_s)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                return None
        if child.returncode != 0 or not resp_path.exists():
            raise RuntimeError(
                f"MIP child process failed with exit code {child.returncode}: "
                f"{err.decode(errors='replace').strip()[-500:]}"
            )
        return resp_path.read_bytes()


def solve_mip(
    matrix: csr_matrix,
    row_lb: np.ndarray,
    row_ub: np.ndarray,
    var_lb: np.ndarray,
    var_ub: np.ndarray,
    objective: np.ndarray,
    integer: np.ndarray,
    *,
    offset: float = 0.0,
    maximize: bool = False,
    solver: str = "highs",
    time_limit: float | None = None,
    seed: int = 0,
    hint: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
    label: str = "mip",
    grace_s: float | None = None,
    integral: bool | None = None,
) -> MipOutcome:
    """Solve ``min/max objective @ x + offset`` s.t. ``row_lb <= matrix @ x <= row_ub``.

    ``integral=True`` declares that the optimal value is an integer (default: inferred from
    the coefficients). Returns a :class:`MipOutcome`; never raises for solver-side trouble
    (status "error").
    """
    start = time.perf_counter()
    if solver not in ("highs", "scip"):
        raise ValueError(f'solver must be "highs" or "scip", found {solver!r}')
    # OR-Tools 9.15's HiGHS bridge crashes the process on solution hints: SCIP only
    model = _model(
        matrix, row_lb, row_ub, var_lb, var_ub, objective, integer,
        offset=offset, maximize=maximize, hint=hint if solver == "scip" else None,
    )  # fmt: skip
    if integral is None:
        integral = _integral_objective(objective, integer, offset)
    params = _parameters(solver, seed, integral)
    logger.debug("%s: %d rows, %d columns, %d nonzeros", label, *matrix.shape, matrix.nnz)
    stop = threading.Event()
    thread = _heartbeat(progress, label, start, stop)
    try:
        if time_limit is None:
            in_process = mbh.ModelSolverHelper(solver)
            in_process.set_solver_specific_parameters(params)
            in_process.solve(model)
            raw = in_process.response().SerializeToString()
        else:
            grace = grace_s if grace_s is not None else 1.0 + 0.02 * time_limit
            # the solver gets slightly less than the limit (the child needs ~1 s to start)
            own = max(0.2, 0.95 * time_limit - 1.0)
            raw = _run_child(model, solver, params, own, time_limit + grace)
    except RuntimeError as exc:
        return MipOutcome("error", None, np.nan, -np.inf, time.perf_counter() - start, str(exc))
    finally:
        stop.set()
        if thread is not None:
            thread.join()
    seconds = time.perf_counter() - start
    if raw is None:
        msg = f"{label}: solver overran its {time_limit:g} s limit and was stopped"
        logger.warning(msg)
        return MipOutcome("time_limit", None, np.nan, -np.inf, seconds, msg)
    response = pb.MPSolutionResponse.FromString(raw)
    timed = time_limit is not None
    return _outcome(
        response, n_vars=len(objective), maximize=maximize, seconds=seconds, timed=timed
    )


def _outcome(
    response: pb.MPSolutionResponse, *, n_vars: int, maximize: bool, seconds: float, timed: bool
) -> MipOutcome:
    status = response.status
    has_values = len(response.variable_value) == n_vars
    values = np.asarray(response.variable_value, float) if has_values else None
    bound = response.best_objective_bound if response.HasField("best_objective_bound") else None
    objective = response.objective_value if values is not None else np.nan
    if status == pb.MPSOLVER_OPTIMAL:
        return MipOutcome("optimal", values, objective, objective, seconds, response.status_str)
    if status == pb.MPSOLVER_INFEASIBLE:
        return MipOutcome("infeasible", None, np.nan, np.nan, seconds, response.status_str)
    worst = np.inf if maximize else -np.inf
    bound = worst if bound is None or not np.isfinite(bound) else bound
    limit_hit = (pb.MPSOLVER_FEASIBLE, pb.MPSOLVER_NOT_SOLVED, pb.MPSOLVER_CANCELLED_BY_USER)
    # HiGHS reports a reached time limit as UNKNOWN_STATUS ("Warning HiGHS run()")
    if status in limit_hit or (status == pb.MPSOLVER_UNKNOWN_STATUS and timed):
        label = "feasible" if values is not None else "time_limit"
        return MipOutcome(label, values, objective, bound, seconds, response.status_str)
    msg = f"solver status {pb.MPSolverResponseStatus.Name(status)}: {response.status_str}"
    return MipOutcome("error", values, objective, bound, seconds, msg)
