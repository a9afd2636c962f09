"""The phased CP-SAT solve of the rotation model: :func:`solve_rotation`.

Phase 1 minimises the rhythm shortfall (phantom visits); phase 2, with that shortfall fixed,
minimises patient travel plus the weighted expert travel from the greedy warm start
(:mod:`netopt.solve.rotation.greedy`); phase 3 (continuity), at no worse phase-2 objective,
minimises the distinct (expert, site) pairs in the time left. A time limit never raises:
when it stops phase 2 before CP-SAT finds a solution, the greedy warm start, feasible by
construction, is returned with status ``"time_limit"``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from netopt._errors import SolverError
from netopt.solve.params import SolverParams
from netopt.solve.rotation.cpsat import (
    has_solution,
    merge_trajectory,
    run_cpsat,
    set_hint,
    status_of,
)
from netopt.solve.rotation.greedy import greedy_fill, hint_sites, start_problems
from netopt.solve.rotation.instance import RotationInstance, RotationWeights
from netopt.solve.rotation.model import RotationModel, build_model
from netopt.solve.rotation.result import RotationResult, coverage

__all__ = ["solve_rotation"]

logger = logging.getLogger(__name__)


#: The wall-clock backstop of a deterministic solve: BACKSTOP x time_limit_s + BACKSTOP_S after the
#: model is built.
BACKSTOP = 4.0
#: ... plus this many seconds (short limits: phase 2 always gets 1 s, the phases their 0.1 s).
BACKSTOP_S = 10.0
#: Largest share of ``time_limit_s`` the continuity phase (fewest expert-site pairs) may use.
CONTINUITY_SHARE = 0.15


def solve_rotation(
    inst: RotationInstance,
    *,
    weights: RotationWeights = RotationWeights(),
    cross_alliance: bool = False,
    params: SolverParams = SolverParams(),
    rhythm_time_share: float = 0.4,
    progress: Callable[[str], None] | None = None,
) -> RotationResult:
    """Build and solve the rotation model of :mod:`netopt.solve.rotation` with CP-SAT.

    The objective is lexicographic: phase 1 minimises the rhythm shortfall (the phantom
    visits); phase 2 fixes the shortfall at the phase-1 value and minimises patient travel
    plus the weighted expert travel, from a greedy warm start; phase 3 (continuity) keeps
    that objective and minimises the distinct (expert, site) pairs in the time left, at most
    :data:`CONTINUITY_SHARE` of ``time_limit_s`` (up to ``min(5 s, 10 %)`` of it is reserved
    for it).

    Parameters
    ----------
    inst : RotationInstance
        The data.
    weights : RotationWeights, optional
        Objective weights of phase 2 (minutes).
    cross_alliance : bool, default False
        Let experts visit sites of other alliances.
    params : SolverParams, optional
        ``time_limit_s``: limit in seconds for all phases together (None = until optimal);
        with ``deterministic=True`` measured in CP-SAT deterministic time (phase 2 gets at
        least 1 s), with a wall-clock backstop that stops each phase by
        ``BACKSTOP x time_limit_s + BACKSTOP_S`` after the model is built (only a solve stopped
        by it can differ between runs; its ``message`` says so); with
        ``deterministic=False`` wall-clock seconds.
        ``seed``: CP-SAT ``random_seed``. ``workers``: CP-SAT ``num_workers``.
        ``deterministic``: use ``interleave_search`` and budget every phase in CP-SAT's
        deterministic time, so the same seed gives the same schedule on a busy or an idle
        machine.
    rhythm_time_share : float, default 0.4
        Largest share of ``time_limit_s`` phase 1 may use; phase 2 gets the rest.
    progress : callable, optional
        Called with a log line at every improving solution.

    Returns
    -------
    RotationResult
        ``objective``/``bound``/``gap`` are those of phase 2; ``status`` is ``"optimal"``
        only when both phases were proved optimal, ``"time_limit"`` when a limit stopped
        the search. If the limit stops phase 2 before CP-SAT finds any solution, the
        greedy warm start is returned (``message`` says so), with the bound CP-SAT proved
        or the trivial one.

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`~netopt.solve.SolverParams`.
    netopt.SolverError
        Only if CP-SAT reports the model infeasible or invalid, or the greedy start breaks
        a constraint: both impossible by construction (a bug). Never on a time-out.

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.solve import SolverParams
    >>> from netopt.solve.rotation import RotationInstance, solve_rotation, visit_options
    >>> inst = RotationInstance(
    ...     n_days=3, expert_specialty=np.array([0]), expert_origin=np.array([0]),
    ...     expert_alliance=np.array([0]), available=np.ones((1, 3), bool),
    ...     max_days=np.array([3]), site_alliance=np.array([0]), need=np.array([[20]]),
    ...     rhythm_days=np.array([3]), patient_saving_min=np.array([100.0]),
    ...     options=visit_options(np.array([[60.0]]), np.array([[60.0]])))
    >>> res = solve_rotation(inst, params=SolverParams(time_limit_s=10))
    >>> res.status, len(res.visits), int(res.shortfall.sum())
    ('optimal', 1, 0)
    """
    if not isinstance(params, SolverParams):
        raise TypeError(f"params must be a SolverParams, found {type(params).__name__}")
    time_limit, seed = params.time_limit_s, params.seed
    num_workers, deterministic = params.workers, params.deterministic
    _E, S, K, D = inst.shape
    start = time.perf_counter()
    # In deterministic mode the phase budgets are CP-SAT deterministic time, so the split
    # between phases, and the schedule, do not depend on how busy the machine is.
    used = [0.0]
    cut: list[str] = []  # the phases the wall-clock backstop stopped
    wall_deadline: float | None = None  # set once the model is built

    def elapsed() -> float:
        return used[0] if deterministic else time.perf_counter() - start

    def run(limit: float | None, log: Callable[[str], None], scale: int = 1, name: str = ""):
        out = run_cpsat(
            rm.model,
            limit,
            seed,
            num_workers,
            deterministic,
            start,
            log,
            scale=scale,
            wall_deadline=wall_deadline,
        )
        stopped = deterministic and wall_deadline is not None and out[0] != cp_model.OPTIMAL
        if stopped and time.perf_counter() >= wall_deadline - 0.05:
            cut.append(name)
        return out

    rm = build_model(inst, cross_alliance)
    if time_limit is not None:
        # The wall-clock backstop: the search stops by BACKSTOP x time_limit + BACKSTOP_S after the
        # model is built however slow the machine (room for a process that gets a quarter of
        # a core: deterministic time then advances about 4 x slower than on an idle machine).
        # Only a solve it stops can differ between runs, and its message says so.
        wall_deadline = time.perf_counter() + BACKSTOP * float(time_limit) + BACKSTOP_S
    model, x, n = rm.model, rm.x, rm.n
    ce, cs, cd, cl = rm.cand["e"], rm.cand["s"], rm.cand["d"], rm.cand["len"]
    all_p = rm.all_phantoms

    # phase 1: fewest missing rhythm visits
    log = progress or (lambda line: None)
    limit1 = None if time_limit is None else rhythm_time_share * float(time_limit)
    code1, cb1, best_short, short_bound = cp_model.OPTIMAL, None, 0, 0.0
    start_sel = np.zeros(n, dtype=bool)
    if all_p:
        model.minimize(sum(all_p))
        code1, sol1, cb1, _ = run(limit1, lambda m: log(f"rhythm: {m}"), name="rhythm")
        used[0] += sol1.deterministic_time
        if has_solution(code1):
            best_short = round(sol1.objective_value)
            short_bound = float(sol1.best_objective_bound)
            start_sel = np.array([sol1.boolean_value(v) for v in x], dtype=bool)
            model.add(sum(all_p) <= best_short)
        else:  # no solution in time: keep the rhythm first by a dominating weight instead
            short_bound = float(sol1.best_objective_bound)
            logger.warning("rotation: no rhythm solution within %s s; using a penalty", limit1)
    start_sel = greedy_fill(
        start_sel, rm.cand, inst, rm.ck, rm.travel, rm.cap, rm.need, rm.saving, weights
    )
    hint = list(zip(x, start_sel.tolist()))
    hint += hint_sites(
        start_sel, rm.cand, rm.ck, rm.cap, rm.need, rm.rhythm, D, rm.phantoms, rm.served
    )

    # phase 2: patient travel + expert travel, given the shortfall
    sc = int(weights.scale)
    terms, coefs, upper, constant = _phase2_terms(rm, weights, penalty=not has_solution(code1))
    objective2 = cp_model.LinearExpr.weighted_sum(terms, coefs) + constant
    model.minimize(objective2)
    set_hint(model, hint)
    reserve = 0.0
    if weights.continuity and time_limit is not None:
        reserve = min(5.0, 0.1 * float(time_limit))
    limit2 = None if time_limit is None else max(1.0, float(time_limit) - reserve - elapsed())
    code2, solver, cb2, bounds2 = run(limit2, log, scale=sc, name="travel")
    used[0] += solver.deterministic_time
    fallback = not has_solution(code2)
    if fallback:
        if time_limit is None or status_of(code2) != "time_limit":
            raise SolverError(
                f"CP-SAT returned {solver.status_name(code2)} on the rotation model "
                f"({len(model.proto.variables)} variables), which has a feasible solution by "
                "construction: please report this as a bug"
            )
        # the limit stopped the search before any solution: return the greedy start
        problems = start_problems(rm, inst, start_sel)
        if problems:
            raise SolverError(
                "the greedy rotation start breaks a constraint: " + "; ".join(problems)
            )
        hv = {v.index: int(val) for v, val in hint}
        value = constant + sum(c * hv[t.index] for t, c in zip(terms, coefs))
        trivial = constant + sum(min(0, c) * ub for c, ub in zip(coefs, upper))
        proved = max([trivial] + [b for _, b in bounds2 if math.isfinite(b)])
        objective = value / sc
        bound = min(proved / sc, objective)
        values = {"x": start_sel.tolist(), "u": {key: hv[u.index] for key, u in rm.served.items()}}
        best_short = sum(hv[v.index] for v in all_p)
        logger.warning(
            "rotation: the time limit stopped phase 2 before CP-SAT found a solution; "
            "returning the greedy start"
        )
    else:
        if all_p and not has_solution(code1):
            best_short = round(sum(solver.value(v) for v in all_p))
        objective = float(solver.objective_value) / sc
        bound = float(solver.best_objective_bound) / sc
        values = {
            "x": [solver.boolean_value(v) for v in x],
            "u": {key: solver.value(u) for key, u in rm.served.items()},
        }

    # phase 3 (continuity): fewest distinct (expert, site) pairs at no worse objective
    pairs_note = ""
    left = None if time_limit is None else float(time_limit) - elapsed()
    if left is not None and time_limit is not None:  # a secondary objective: a bounded share
        left = min(left, max(reserve, CONTINUITY_SHARE * float(time_limit)))
    if not fallback and weights.continuity and n and (left is None or left >= 0.5):
        model.add(objective2 <= round(solver.objective_value))
        pair = ce * S + cs
        chosen_x = np.asarray(values["x"], dtype=bool)
        order = np.argsort(pair, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(pair[order])) + 1)
        ys = []
        for idx in groups:
            y = model.new_bool_var(f"y_e{ce[idx[0]]}_s{cs[idx[0]]}")
            for i in idx:
                model.add_implication(x[i], y)
            ys.append((y, bool(chosen_x[idx].any())))
        model.minimize(sum(y for y, _ in ys))
        hint3 = list(zip(x, values["x"])) + ys
        hint3 += [(u, values["u"][key]) for key, u in rm.served.items()]
        set_hint(model, hint3)
        code3, sol3, _, _ = run(left, lambda m: log(f"continuity: {m}"), name="continuity")
        if has_solution(code3):
            values = {
                "x": [sol3.boolean_value(v) for v in x],
                "u": {key: sol3.value(u) for key, u in rm.served.items()},
            }
            pairs_note = (
                f"; {round(sol3.objective_value)} expert-site pairs"
                f"{' (fewest)' if code3 == cp_model.OPTIMAL else ''}"
            )
    seconds = time.perf_counter() - start

    status = "optimal" if status_of(code1) == status_of(code2) == "optimal" else "feasible"
    if status == "feasible" and time_limit is not None:
        # CP-SAT stops short of a proof only at a limit (deterministic budget or backstop).
        status = "time_limit"
    chosen = np.array(values["x"], dtype=bool)
    visits = np.stack([ce, cs, cd, cl], axis=1)[chosen] if n else np.zeros((0, 4), np.int64)
    visits = visits[np.lexsort((visits[:, 1], visits[:, 2], visits[:, 0]))]
    served = np.zeros((S, K), dtype=np.int64)
    for key, val in values["u"].items():
        served[key] = val
    delivered, needed, short, gap_days = coverage(inst, visits)
    gap = max(0.0, objective - bound) / max(1.0, abs(objective))
    first = (
        cb1.points[0][0]
        if cb1 is not None and cb1.points
        else (cb2.points[0][0] if cb2.points else seconds)
    )
    trajectory = merge_trajectory(
        cb2.points, [(t, b / sc) for t, b in bounds2], objective, bound, seconds
    )
    if code1 != cp_model.OPTIMAL:
        trajectory = tuple((t, o, -math.inf) for t, o, _ in trajectory)  # phase 2 gap is moot
    msg = (
        f"{n} candidate visits; rhythm shortfall {best_short} visits "
        f"(lower bound {short_bound:.0f}{', proved' if code1 == cp_model.OPTIMAL else ''})"
        f"{pairs_note}"
    )
    if cut:
        msg += (
            f"; the wall-clock backstop ({BACKSTOP:g} x {time_limit:g} s + {BACKSTOP_S:g} s) stopped the "
            f"{', '.join(cut)} phase(s) before their deterministic budget on a busy machine: "
            "the same seed may give another schedule (raise time_limit_s or free the machine)"
        )
        logger.warning("rotation: %s", msg)
    if fallback:
        msg = (
            f"the time limit ({time_limit:g} s) stopped the search before CP-SAT found a "
            f"solution; the greedy start is returned; {msg}"
        )
    logger.info(
        "rotation: %s, objective %.0f, bound %.0f, gap %.3f%%, %s, %.1f s",
        status,
        objective,
        bound,
        100 * gap,
        msg,
        seconds,
    )
    return RotationResult(
        visits=visits.astype(np.int64),
        served=served,
        delivered=delivered,
        needed=needed,
        shortfall=short,
        max_gap=gap_days,
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        seconds=seconds,
        first_solution_s=first,
        trajectory=trajectory,
        n_candidates=n,
        shortfall_bound=float(short_bound),
        message=msg,
    )


def _phase2_terms(
    rm: RotationModel, weights: RotationWeights, *, penalty: bool
) -> tuple[list, list[int], list[int], int]:
    """Variables, integer coefficients, variable upper bounds and constant of phase 2.

    ``penalty``: phase 1 found no solution, so the phantom visits get a weight larger than
    any patient and expert travel (the rhythm stays first).
    """
    sc = int(weights.scale)
    terms: list = list(rm.x)
    coefs: list[int] = np.rint(sc * weights.expert_travel * rm.travel).astype(np.int64).tolist()
    upper: list[int] = [1] * len(rm.x)
    for (s, k), u in rm.served.items():
        terms.append(u)
        coefs.append(-sc * int(rm.saving[s]))
        upper.append(int(rm.need[s, k]))
    all_p = rm.all_phantoms
    if all_p and penalty:
        big = sc * (int(rm.saving.max(initial=0)) * int(rm.need.sum()) + int(rm.travel.sum()) + 1)
        terms += all_p
        coefs += [big] * len(all_p)
        upper += [1] * len(all_p)
    constant = sc * int(np.sum(rm.saving[:, None] * rm.need))
    return terms, coefs, upper, constant
