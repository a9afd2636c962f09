"""Expert outreach rotations as a CP-SAT model on plain arrays.

Specialists based at alliance leads (or other home facilities) visit member sites on
outreach days. This module holds the solver core only: numpy arrays in, numpy arrays out.
It never imports :mod:`netopt.region`, :mod:`netopt.graph` or :mod:`netopt.alliances`; the
adapter :mod:`netopt.rotations` turns an alliance plan into a :class:`RotationInstance`.

Indices: ``e`` experts, ``s`` sites, ``k`` specialties, ``o`` origins (the experts' home
facilities), ``d`` days ``0 .. D-1`` of the horizon. A *candidate* is a triple
``(e, s, d)``: expert ``e`` starts a visit to site ``s`` on day ``d``. Candidates exist
only where the expert has the site's alliance (or cross-alliance help is allowed), the site
needs the expert's specialty, the visit is possible from the expert's origin
(``stay_days[o, s] > 0``) and the expert is available on every day the visit occupies.

Model (all times in whole minutes, the CP-SAT coefficients are integers):

.. math::

    \\operatorname{lexmin}\\; & \\Big(\\sum_{s,k,d} p_{skd},\\;
             \\sum_{s,k} m_s\\,(n_{sk} - u_{sk})
             + \\omega \\sum_{esd} (t^{out}_{os} + t^{back}_{os})\\,x_{esd},\\;
             \\sum_{es} y_{es} \\Big) \\\\
    \\text{s.t.}\\; & \\sum_{s,\\, d' \\le d < d' + L_{os}} x_{esd'} \\le 1
        && \\forall e, d \\quad \\text{(one place per expert per day)} \\\\
    & \\sum_{s,d} L_{os}\\, x_{esd} \\le M_e && \\forall e \\quad \\text{(outreach days)} \\\\
    & \\sum_{e \\in E_k} \\sum_{d \\in [w, w+K_k)} x_{esd}
      + \\sum_{d \\in [w, w+K_k)} p_{skd} \\ge 1
        && \\forall s, k, w \\quad \\text{(rhythm, soft)} \\\\
    & u_{sk} \\le \\sum_{e \\in E_k, d} c_{os}\\, x_{esd}, \\quad 0 \\le u_{sk} \\le n_{sk} \\\\
    & x_{esd} \\le y_{es}

where :math:`n_{sk}` is the expected patient need of site ``s`` for specialty ``k`` over
the horizon, :math:`u_{sk}` the patients seen locally, :math:`m_s` the round-trip minutes a
patient of site ``s`` saves by being seen locally instead of at the lead, :math:`c_{os}` the
patients one visit can see (clinic minutes x patients per hour), :math:`L_{os}` the days a
visit occupies (1 for a day trip, 1 + lodging days for a multi-day stay), :math:`M_e` the
expert's outreach-day limit, :math:`K_k` the rhythm (every window of :math:`K_k` consecutive
days must contain a visit) and :math:`p_{skd}` *phantom visits* that fill rhythm windows the
expert supply cannot: their count is the shortfall, so a shortage never makes the model
infeasible. The objective is lexicographic, solved in three CP-SAT phases: (1) the fewest
phantom visits (the rhythm comes first); (2) with that shortfall fixed, the patient travel
plus :math:`\\omega` (small) times the expert travel minutes; (3) with that objective
fixed, the fewest distinct (expert, site) pairs :math:`y_{es}`: continuity, the same expert
returning to the same site. Phase 3 only runs in the time left and never worsens phase 2.

Phantom visits may only sit on the last day of a window that holds no real or earlier
phantom visit (the greedy interval cover, which is optimal), so they are a function of the
real visits and add no symmetry. The rounding cut
:math:`u_{sk} \\le q c + r (\\sum x - q)` with :math:`c` the largest visit capacity,
:math:`q = \\lfloor n_{sk} / c \\rfloor`, :math:`r = n_{sk} - q c` tightens the LP bound.
A multi-day visit counts for the rhythm on its first day. The phase-2 objective includes the
constant ``sum(m * n)`` (the patient travel without any rotation), so ``objective`` is the
total patient travel (plus the weighted expert travel) and ``gap`` is relative to that.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from netopt._errors import SolverError

__all__ = [
    "RotationInstance",
    "RotationResult",
    "RotationWeights",
    "VisitOptions",
    "max_gap_days",
    "rhythm_shortfall",
    "solve_rotation",
    "visit_options",
]

logger = logging.getLogger(__name__)

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


@dataclass(frozen=True)
class VisitOptions:
    """How an expert from each origin can visit each site (arrays of shape ``(O, S)``).

    Parameters
    ----------
    stay_days : numpy.ndarray of int
        0 = no visit possible, 1 = day trip, ``1 + lodging_days`` = multi-day stay.
    travel_out_min, travel_back_min : numpy.ndarray of float
        Travel minutes of the chosen option (``inf`` where no visit is possible).
    clinic_min : numpy.ndarray of float
        Clinic minutes of one visit (0 where no visit is possible).
    capacity : numpy.ndarray of int
        Patients one visit can see.
    """

    stay_days: np.ndarray
    travel_out_min: np.ndarray
    travel_back_min: np.ndarray
    clinic_min: np.ndarray
    capacity: np.ndarray


def visit_options(
    travel_out_min: np.ndarray,
    travel_back_min: np.ndarray,
    *,
    return_at_min: np.ndarray | None = None,
    workday_min: float = 570.0,
    min_clinic_min: float = 180.0,
    allow_stays: bool = True,
    lodging_days: int = 1,
    patients_per_clinic_hour: float = 5.0,
    max_clinic_min: float | None = None,
) -> VisitOptions:
    """Decide, per (origin, site), between a day trip, a multi-day stay or no visit.

    Clock times are minutes after the start of the working day. The expert leaves the
    origin at 0 and arrives after ``out`` minutes. With return departure times ``r_c``
    (``return_at_min``) and their travel times ``back_c`` (``inf`` when no ferry runs
    then), a return at ``r_c`` *fits* when ``r_c + back_c <= workday_min``.

    - Day trip: some fitting ``r_c`` leaves ``r_c - out >= min_clinic_min`` of clinic;
      the latest such ``r_c`` is taken (clinic ``r_c - out``).
    - Multi-day stay (``allow_stays``, no day trip): ``out <= workday_min`` and some
      ``r_c`` fits on the last day; clinic = the rest of day 1 + the full middle days +
      the last day until ``r_c`` (latest fitting), and must reach ``min_clinic_min``.

    Parameters
    ----------
    travel_out_min : numpy.ndarray
        ``(O, S)`` minutes from origin to site at the morning departure (``inf`` = no way).
    travel_back_min : numpy.ndarray
        ``(C, O, S)`` minutes back when leaving at ``return_at_min[c]``; or ``(O, S)``
        when ``return_at_min`` is None, meaning the return can leave at any time (it is
        then placed as late as possible: ``r = workday_min - back``).
    return_at_min : numpy.ndarray, optional
        ``(C,)`` return departure times, minutes after the start of the working day.
    workday_min : float, default 570
        Length of the working day in minutes (08:00-17:30).
    min_clinic_min : float, default 180
        Minimum clinic time that makes a visit worthwhile.
    allow_stays : bool, default True
        Allow multi-day stays for sites out of day-trip reach.
    lodging_days : int, default 1
        Nights away for a stay; a stay occupies ``1 + lodging_days`` days.
    patients_per_clinic_hour : float, default 5
        Patients seen per clinic hour (a 6-hour clinic day sees 30).
    max_clinic_min : float, optional
        Longest clinic per day of a visit (None: all the time between arrival and return).

    Returns
    -------
    VisitOptions

    Examples
    --------
    >>> import numpy as np
    >>> o = visit_options(np.array([[60.0, 200.0]]), np.array([[60.0, 200.0]]))
    >>> o.stay_days.tolist(), o.clinic_min.tolist()
    ([[1, 2]], [[450.0, 740.0]])
    """
    out = np.asarray(travel_out_min, dtype=float)
    back = np.asarray(travel_back_min, dtype=float)
    if return_at_min is None:
        if back.shape != out.shape:
            raise ValueError(f"travel arrays must have one shape, got {out.shape}, {back.shape}")
        back = back[None]
        ret = workday_min - back  # (1, O, S): leave as late as possible
    else:
        ret_c = np.asarray(return_at_min, dtype=float)
        if back.shape != (len(ret_c), *out.shape):
            raise ValueError(
                f"travel_back_min must have shape {(len(ret_c), *out.shape)}, got {back.shape}"
            )
        ret = np.broadcast_to(ret_c[:, None, None], back.shape)
    with np.errstate(invalid="ignore"):
        fits = np.isfinite(back) & (ret + back <= workday_min + 1e-9) & (ret >= 0)
        day_c = fits & (ret - out[None] >= min_clinic_min - 1e-9)
    ret_day = np.where(day_c, ret, -np.inf).max(axis=0)
    ret_any = np.where(fits, ret, -np.inf).max(axis=0)
    n = 1 + int(lodging_days)
    day = np.isfinite(ret_day) & np.isfinite(out)
    clinic_stay = (workday_min - out) + (n - 2) * workday_min + ret_any
    stay = (
        bool(allow_stays)
        & ~day
        & np.isfinite(out)
        & (out <= workday_min)
        & np.isfinite(ret_any)
        & (clinic_stay >= min_clinic_min)
    )
    r = np.where(day, ret_day, np.where(stay, ret_any, np.nan))
    pick = np.where(np.isfinite(r)[None], (ret == r[None]) & fits, False)
    back_pick = np.where(pick, back, np.inf).min(axis=0)
    stay_days = np.where(day, 1, np.where(stay, n, 0)).astype(np.int64)
    ok = stay_days > 0
    clinic = np.where(day, ret_day - out, np.where(stay, clinic_stay, 0.0))
    clinic = np.where(ok, clinic, 0.0)
    if max_clinic_min is not None:
        clinic = np.minimum(clinic, stay_days * float(max_clinic_min))
    capacity = np.floor(patients_per_clinic_hour * clinic / 60.0 + 1e-9).astype(np.int64)
    return VisitOptions(
        stay_days=stay_days,
        travel_out_min=np.where(ok, out, np.inf),
        travel_back_min=np.where(ok, back_pick, np.inf),
        clinic_min=clinic,
        capacity=capacity,
    )


@dataclass(frozen=True)
class RotationInstance:
    """The plain-array data of one rotation problem.

    Parameters
    ----------
    n_days : int
        Days in the horizon (day 0 is the start date).
    expert_specialty, expert_origin, expert_alliance : numpy.ndarray of int
        ``(E,)``: specialty index, origin (row of the visit arrays), alliance index.
    available : numpy.ndarray of bool
        ``(E, D)``: the expert can work on that day.
    max_days : numpy.ndarray of int
        ``(E,)``: outreach days allowed in the horizon (lodging days count).
    site_alliance : numpy.ndarray of int
        ``(S,)``: alliance index of each site.
    need : numpy.ndarray of int
        ``(S, K)``: expected patient visits over the horizon; 0 = specialty not needed.
    rhythm_days : numpy.ndarray of int
        ``(K,)``: every window of this many consecutive days should contain a visit.
    patient_saving_min : numpy.ndarray
        ``(S,)``: round-trip minutes a patient saves when seen at the site, not the lead.
    options : VisitOptions
        ``(O, S)`` arrays from :func:`visit_options`.
    """

    n_days: int
    expert_specialty: np.ndarray
    expert_origin: np.ndarray
    expert_alliance: np.ndarray
    available: np.ndarray
    max_days: np.ndarray
    site_alliance: np.ndarray
    need: np.ndarray
    rhythm_days: np.ndarray
    patient_saving_min: np.ndarray
    options: VisitOptions

    def __post_init__(self) -> None:
        E, S, K = len(self.expert_specialty), len(self.site_alliance), len(self.rhythm_days)
        problems = []
        checks = {
            "expert_origin": (np.shape(self.expert_origin), (E,)),
            "expert_alliance": (np.shape(self.expert_alliance), (E,)),
            "available": (np.shape(self.available), (E, self.n_days)),
            "max_days": (np.shape(self.max_days), (E,)),
            "need": (np.shape(self.need), (S, K)),
            "patient_saving_min": (np.shape(self.patient_saving_min), (S,)),
        }
        for name, (found, expected) in checks.items():
            if tuple(found) != expected:
                problems.append(f"{name} has shape {found}, expected {expected}")
        O = int(np.max(self.expert_origin)) + 1 if E else 0
        if self.options.stay_days.shape[1:] != (S,) or self.options.stay_days.shape[0] < O:
            problems.append(
                f"options arrays have shape {self.options.stay_days.shape}, expected (>={O}, {S})"
            )
        if E and (np.min(self.expert_specialty) < 0 or np.max(self.expert_specialty) >= K):
            problems.append(f"expert_specialty must lie in 0..{K - 1}")
        if self.n_days < 1:
            problems.append(f"n_days must be >= 1, got {self.n_days}")
        if np.any(np.asarray(self.rhythm_days) < 1):
            problems.append("rhythm_days must be >= 1")
        if np.any(np.asarray(self.need) < 0):
            problems.append("need must be >= 0")
        if problems:
            raise ValueError("invalid RotationInstance: " + "; ".join(problems))

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(experts, sites, specialties, days)``."""
        return (
            len(self.expert_specialty),
            len(self.site_alliance),
            len(self.rhythm_days),
            self.n_days,
        )


@dataclass(frozen=True)
class RotationWeights:
    """Phase-2 objective weights, in minutes of patient travel.

    CP-SAT needs integer coefficients: every term is multiplied by ``scale`` and rounded
    (patient minutes are whole minutes, so one patient minute = ``scale`` units); results
    are divided back, so objectives are reported in patient minutes.

    Parameters
    ----------
    expert_travel : float, default 0.1
        Weight per expert travel minute: small, ten expert minutes count like one patient
        minute.
    continuity : bool, default True
        Run a third phase that, at no worse phase-2 objective, uses the fewest distinct
        (expert, site) pairs: the same expert returns to the same site.
    scale : int, default 10
        Integer scaling of the objective for CP-SAT.
    """

    expert_travel: float = 0.1
    continuity: bool = True
    scale: int = 10

    def __post_init__(self) -> None:
        if self.expert_travel < 0 or self.scale < 1:
            raise ValueError(f"RotationWeights must be >= 0 (scale >= 1), got {self}")


@dataclass(frozen=True)
class RotationResult:
    """The solved rotation (arrays), with solver status and progress.

    Parameters
    ----------
    visits : numpy.ndarray of int
        ``(n, 4)`` rows ``(expert, site, start day, days occupied)``, sorted.
    served, delivered, needed, shortfall, max_gap : numpy.ndarray of int
        ``(S, K)``: patients seen locally; visits delivered; visits the rhythm needs;
        missing visits (the fewest extra visits that would restore the rhythm); longest
        run of days without a visit.
    objective, bound, gap : float
        Objective (minutes, including the constant no-rotation patient travel), best
        bound and relative gap ``(objective - bound) / max(1, |objective|)``.
    status : str
        ``"optimal"``, ``"feasible"`` or ``"time_limit"`` (feasible, stopped by the limit).
    seconds : float
        Wall time of the solve.
    first_solution_s : float
        Seconds to the first feasible solution.
    trajectory : tuple of (float, float, float)
        ``(seconds, objective, bound)`` at every improving solution or bound.
    n_candidates : int
        Number of (expert, site, day) variables in the model.
    shortfall_bound : float
        Phase-1 lower bound on the modelled shortfall (equal to it when proved).
    message : str
    """

    visits: np.ndarray
    served: np.ndarray
    delivered: np.ndarray
    needed: np.ndarray
    shortfall: np.ndarray
    max_gap: np.ndarray
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    first_solution_s: float
    trajectory: tuple[tuple[float, float, float], ...] = field(default=())
    n_candidates: int = 0
    shortfall_bound: float = 0.0
    message: str = ""

    @property
    def is_optimal(self) -> bool:
        """True when the solver proved optimality."""
        return self.status == "optimal"

    def time_to_gap(self, gap: float) -> float:
        """Seconds until the incumbent was within ``gap`` of the bound (``inf`` if never).

        Parameters
        ----------
        gap : float
            Relative gap, e.g. ``0.01``.

        Returns
        -------
        float
        """
        for t, obj, bnd in self.trajectory:
            if math.isfinite(obj) and (obj - bnd) <= gap * max(1.0, abs(obj)):
                return t
        return math.inf

    def summary(self) -> str:
        """One line: status, objective, gap, visits, shortfall."""
        return (
            f"{self.status}: objective {self.objective:,.0f} min (bound {self.bound:,.0f}, "
            f"gap {self.gap:.2%}), {len(self.visits)} visits, shortfall "
            f"{int(self.shortfall.sum())} visits, {self.seconds:.1f} s"
        )


def max_gap_days(days: np.ndarray, n_days: int) -> int:
    """Longest run of consecutive days without a visit (horizon edges count).

    Parameters
    ----------
    days : array-like of int
        Visit days in ``0 .. n_days-1`` (any order, repeats allowed).
    n_days : int
        Horizon length.

    Returns
    -------
    int
        The rhythm ``K`` holds iff this is ``< K``.
    """
    d = np.unique(np.asarray(days, dtype=np.int64))
    edges = np.concatenate([[-1], d, [n_days]])
    return int(np.max(np.diff(edges) - 1))


def rhythm_shortfall(days: np.ndarray, n_days: int, rhythm_days: int) -> int:
    """Fewest extra visits so that every ``rhythm_days``-day window holds a visit.

    A run of ``g`` visit-free days needs ``g // K`` extra visits (``K`` = the rhythm, at
    most the horizon), and runs are independent, so the sum is exact.

    Parameters
    ----------
    days : array-like of int
        Visit days delivered.
    n_days : int
        Horizon length.
    rhythm_days : int
        ``K``.

    Returns
    -------
    int
    """
    k = min(int(rhythm_days), int(n_days))
    d = np.unique(np.asarray(days, dtype=np.int64))
    runs = np.diff(np.concatenate([[-1], d, [n_days]])) - 1
    return int(np.sum(runs // k))


def _candidates(inst: RotationInstance, cross_alliance: bool) -> dict[str, np.ndarray]:
    """Arrays (expert, site, day, days occupied) of every feasible visit start."""
    E, _S, _K, D = inst.shape
    opt = inst.options
    stay = opt.stay_days[inst.expert_origin]  # (E, S)
    need = inst.need[:, inst.expert_specialty].T > 0  # (E, S)
    same = inst.expert_alliance[:, None] == inst.site_alliance[None, :]
    site_ok = (stay > 0) & need & (same | bool(cross_alliance))
    # run[e, d] = consecutive available days starting at d
    avail = np.asarray(inst.available, dtype=bool)
    run = np.zeros((E, D + 1), dtype=np.int64)
    for d in range(D - 1, -1, -1):
        run[:, d] = np.where(avail[:, d], run[:, d + 1] + 1, 0)
    mask = site_ok[:, :, None] & (run[:, None, :D] >= stay[:, :, None])
    e, s, d = np.nonzero(mask)
    return {"e": e, "s": s, "d": d, "len": stay[e, s]}


class _Progress(cp_model.CpSolverSolutionCallback):
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


def solve_rotation(
    inst: RotationInstance,
    *,
    weights: RotationWeights = RotationWeights(),
    cross_alliance: bool = False,
    time_limit: float | None = 60.0,
    rhythm_time_share: float = 0.4,
    seed: int = 0,
    num_workers: int = 2,
    deterministic: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RotationResult:
    """Build and solve the rotation model of the module docstring with CP-SAT.

    The objective is lexicographic: phase 1 minimises the rhythm shortfall (the phantom
    visits); phase 2 fixes the shortfall at the phase-1 value and minimises patient travel
    plus the weighted expert travel, from a greedy warm start; phase 3 (continuity) keeps
    that objective and minimises the distinct (expert, site) pairs in the time left (up to
    ``min(5 s, 10 %)`` of ``time_limit`` is reserved for it).

    Parameters
    ----------
    inst : RotationInstance
        The data.
    weights : RotationWeights, optional
        Objective weights of phase 2 (minutes).
    cross_alliance : bool, default False
        Let experts visit sites of other alliances.
    time_limit : float or None, default 60
        Limit in seconds for all phases together (None = until optimal); in deterministic
        mode measured in CP-SAT deterministic time, with a wall-clock backstop.
    rhythm_time_share : float, default 0.4
        Largest share of ``time_limit`` phase 1 may use; phase 2 gets the rest.
    seed : int, default 0
        CP-SAT ``random_seed``.
    num_workers : int, default 2
        CP-SAT workers.
    deterministic : bool, default True
        Use ``interleave_search`` and budget every phase in CP-SAT's deterministic time, so
        the same seed gives the same schedule on a busy or an idle machine; a wall-clock
        backstop stops the whole solve by ``1.25 x time_limit + 2 s`` (only a solve stopped
        by it can differ between runs).
    progress : callable, optional
        Called with a log line at every improving solution.

    Returns
    -------
    RotationResult
        ``objective``/``bound``/``gap`` are those of phase 2; ``status`` is ``"optimal"``
        only when both phases were proved optimal.

    Raises
    ------
    netopt.SolverError
        If CP-SAT finds no solution within the limit (the model itself is always feasible).
    """
    E, S, K, D = inst.shape
    start = time.perf_counter()
    # In deterministic mode the phase budgets are CP-SAT deterministic time, so the split
    # between phases, and the schedule, do not depend on how busy the machine is.
    used = [0.0]
    # The wall-clock backstop: the whole solve stops by 1.25 x time_limit + 2 s however slow
    # the machine; only a solve stopped by it can differ between runs.
    wall_deadline = None if time_limit is None else start + 1.25 * float(time_limit) + 2.0

    def elapsed() -> float:
        return used[0] if deterministic else time.perf_counter() - start

    cand = _candidates(inst, cross_alliance)
    ce, cs, cd, cl = cand["e"], cand["s"], cand["d"], cand["len"]
    ck = inst.expert_specialty[ce]
    co = inst.expert_origin[ce]
    n = len(ce)
    opt = inst.options
    travel = np.rint(opt.travel_out_min[co, cs] + opt.travel_back_min[co, cs]).astype(np.int64)
    cap = opt.capacity[co, cs].astype(np.int64)
    need = np.asarray(inst.need, dtype=np.int64)
    saving = np.rint(np.asarray(inst.patient_saving_min, float)).astype(np.int64)
    rhythm = np.minimum(np.asarray(inst.rhythm_days, dtype=np.int64), D)

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x_e{ce[i]}_s{cs[i]}_d{cd[i]}") for i in range(n)]
    _add_expert_constraints(model, x, ce, cd, cl, inst.max_days, E, D)
    phantoms, served_vars = _add_site_constraints(model, x, cs, ck, cd, cap, need, rhythm, D)
    all_p = [v for p in phantoms.values() for v in p.values()]

    # phase 1: fewest missing rhythm visits
    log = progress or (lambda line: None)
    limit1 = None if time_limit is None else rhythm_time_share * float(time_limit)
    code1, cb1, best_short, short_bound = cp_model.OPTIMAL, None, 0, 0.0
    start_sel = np.zeros(n, dtype=bool)
    if all_p:
        model.minimize(sum(all_p))
        code1, sol1, cb1, _ = _run(
            model,
            limit1,
            seed,
            num_workers,
            deterministic,
            start,
            lambda m: log(f"rhythm: {m}"),
            raise_unknown=False,
            wall_deadline=wall_deadline,
        )
        used[0] += sol1.deterministic_time
        if code1 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best_short = round(sol1.objective_value)
            short_bound = float(sol1.best_objective_bound)
            start_sel = np.array([sol1.boolean_value(v) for v in x], dtype=bool)
            model.add(sum(all_p) <= best_short)
        else:  # no solution in time: keep the rhythm first by a dominating weight instead
            short_bound = float(sol1.best_objective_bound)
            logger.warning("rotation: no rhythm solution within %.1f s; using a penalty", limit1)
    start_sel = _greedy_fill(start_sel, cand, inst, ck, travel, cap, need, saving, weights)
    hint = list(zip(x, start_sel.tolist()))
    hint += _hint_sites(start_sel, cand, ck, cap, need, rhythm, D, phantoms, served_vars)

    # phase 2: patient travel + expert travel, given the shortfall
    terms: list = list(x)
    sc = int(weights.scale)
    coefs: list[int] = np.rint(sc * weights.expert_travel * travel).astype(np.int64).tolist()
    for (s, k), u in served_vars.items():
        terms.append(u)
        coefs.append(-sc * int(saving[s]))
    if all_p and code1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        big = sc * (int(saving.max(initial=0)) * int(need.sum()) + int(travel.sum()) + 1)
        terms += all_p
        coefs += [big] * len(all_p)
    constant = sc * int(np.sum(saving[:, None] * need))
    objective2 = cp_model.LinearExpr.weighted_sum(terms, coefs) + constant
    model.minimize(objective2)
    _set_hint(model, hint)
    reserve = 0.0
    if weights.continuity and time_limit is not None:
        reserve = min(5.0, 0.1 * float(time_limit))
    limit2 = None if time_limit is None else max(1.0, float(time_limit) - reserve - elapsed())
    code2, solver, cb2, bounds2 = _run(
        model,
        limit2,
        seed,
        num_workers,
        deterministic,
        start,
        log,
        scale=sc,
        wall_deadline=wall_deadline,
    )
    if all_p and code1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best_short = round(sum(solver.value(v) for v in all_p))
    objective = float(solver.objective_value) / sc
    bound = float(solver.best_objective_bound) / sc
    used[0] += solver.deterministic_time
    values = {
        "x": [solver.boolean_value(v) for v in x],
        "u": {key: solver.value(u) for key, u in served_vars.items()},
    }

    # phase 3 (continuity): fewest distinct (expert, site) pairs at no worse objective
    pairs_note = ""
    left = None if time_limit is None else float(time_limit) - elapsed()
    if weights.continuity and n and (left is None or left >= 0.5):
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
        hint3 += [(u, values["u"][key]) for key, u in served_vars.items()]
        _set_hint(model, hint3)
        code3, sol3, _, _ = _run(
            model,
            left,
            seed,
            num_workers,
            deterministic,
            start,
            lambda m: log(f"continuity: {m}"),
            raise_unknown=False,
            wall_deadline=wall_deadline,
        )
        if code3 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {
                "x": [sol3.boolean_value(v) for v in x],
                "u": {key: sol3.value(u) for key, u in served_vars.items()},
            }
            pairs_note = (
                f"; {round(sol3.objective_value)} expert-site pairs"
                f"{' (fewest)' if code3 == cp_model.OPTIMAL else ''}"
            )
    seconds = time.perf_counter() - start

    status = "optimal" if code1 == code2 == cp_model.OPTIMAL else "feasible"
    if status == "feasible" and time_limit is not None:
        # CP-SAT stops short of a proof only at a limit (deterministic budget or backstop).
        status = "time_limit"
    chosen = np.array(values["x"], dtype=bool)
    visits = np.stack([ce, cs, cd, cl], axis=1)[chosen] if n else np.zeros((0, 4), np.int64)
    visits = visits[np.lexsort((visits[:, 1], visits[:, 2], visits[:, 0]))]
    served = np.zeros((S, K), dtype=np.int64)
    for key, val in values["u"].items():
        served[key] = val
    delivered, needed, short, gap_days = _coverage(inst, visits)
    gap = max(0.0, objective - bound) / max(1.0, abs(objective))
    first = (
        cb1.points[0][0]
        if cb1 is not None and cb1.points
        else (cb2.points[0][0] if cb2.points else seconds)
    )
    trajectory = _merge_trajectory(
        cb2.points, [(t, b / sc) for t, b in bounds2], objective, bound, seconds
    )
    if code1 != cp_model.OPTIMAL:
        trajectory = tuple((t, o, -math.inf) for t, o, _ in trajectory)  # phase 2 gap is moot
    msg = (
        f"{n} candidate visits; rhythm shortfall {best_short} visits "
        f"(lower bound {short_bound:.0f}{', proved' if code1 == cp_model.OPTIMAL else ''})"
        f"{pairs_note}"
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


def _greedy_fill(sel, cand, inst, ck, travel, cap, need, saving, weights) -> np.ndarray:
    """Add the visit of largest marginal gain while one helps (a warm start for phase 2)."""
    ce, cs, cd, cl = cand["e"], cand["s"], cand["d"], cand["len"]
    E, S, K, D = inst.shape
    sel = sel.copy()
    occupied = np.zeros((E, D + int(cl.max(initial=1))), dtype=bool)
    for t in range(int(cl.max(initial=1))):
        on = sel & (t < cl)
        occupied[ce[on], cd[on] + t] = True
    days_used = np.bincount(ce[sel], weights=cl[sel], minlength=E)
    got = np.zeros((S, K))
    np.add.at(got, (cs[sel], ck[sel]), cap[sel])
    base = -float(weights.expert_travel) * travel.astype(float)
    for _ in range(len(sel)):
        busy = np.zeros(len(sel), dtype=bool)
        for t in range(int(cl.max(initial=1))):
            busy |= (t < cl) & occupied[ce, cd + t]
        ok = ~sel & ~busy & (days_used[ce] + cl <= inst.max_days[ce])
        if not ok.any():
            break
        left = np.maximum(need[cs, ck] - got[cs, ck], 0)
        gain = saving[cs] * np.minimum(cap, left) + base
        gain = np.where(ok, gain, -np.inf)
        i = int(np.argmax(gain))
        if gain[i] <= 0:
            break
        sel[i] = True
        occupied[ce[i], cd[i] : cd[i] + cl[i]] = True
        days_used[ce[i]] += cl[i]
        got[cs[i], ck[i]] += cap[i]
    return sel


def _hint_sites(sel, cand, ck, cap, need, rhythm, D, phantoms, served_vars) -> list:
    """Hint values of the phantom and served variables that match the selected visits."""
    cs, cd = cand["s"], cand["d"]
    out = []
    for (s, k), p in phantoms.items():
        days = np.unique(cd[sel & (cs == s) & (ck == k)])
        width = int(rhythm[k])
        fill = np.zeros(D, dtype=bool)
        edges = np.concatenate([[-1], days, [D]])
        for a, b in itertools.pairwise(edges):  # free run a+1 .. b-1
            fill[np.arange(a + width, b, width)] = True
        out += [(v, bool(fill[d])) for d, v in p.items()]
        got = int(cap[sel & (cs == s) & (ck == k)].sum())
        out.append((served_vars[(s, k)], min(int(need[s, k]), got)))
    return out


def _set_hint(model: cp_model.CpModel, hint: list) -> None:
    """Replace the model's solution hint."""
    model.clear_hints()
    for v, val in hint:
        model.add_hint(v, val)


def _run(
    model,
    limit,
    seed,
    num_workers,
    deterministic,
    start,
    log,
    *,
    scale=1,
    raise_unknown=True,
    wall_deadline=None,
):
    """Solve ``model`` once; return (status code, solver, callback, bound events)."""
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
    cb = _Progress(start, log, scale)
    bounds_seen: list[tuple[float, float]] = []
    solver.best_bound_callback = lambda b: bounds_seen.append((time.perf_counter() - start, b))
    code = solver.solve(model, cb)
    if raise_unknown and code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverError(
            f"CP-SAT returned {_STATUS.get(code, code)} on the rotation model "
            f"({len(model.proto.variables)} variables) within {limit} s; raise time_limit"
        )
    return code, solver, cb, bounds_seen


def _add_site_constraints(model, x, cs, ck, cd, cap, need, rhythm, D: int):
    """Rhythm windows with phantom visits, and patients served, per (site, specialty)."""
    S, K = need.shape
    key = cs * K + ck
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(S * K + 1))
    phantoms: dict[tuple[int, int], list] = {}
    served: dict[tuple[int, int], cp_model.IntVar] = {}
    for s, k in zip(*np.nonzero(need > 0)):
        idx = order[bounds[s * K + k] : bounds[s * K + k + 1]]
        if len(idx) == 0:
            continue  # no expert can come: unavoidable shortfall, reported, not modelled
        width = int(rhythm[k])
        # phantom visits sit only at the last day of a window left empty (the greedy,
        # optimal cover), so they are a function of the real visits: no symmetry
        p: dict[int, cp_model.IntVar] = {
            d: model.new_bool_var(f"p_s{s}_k{k}_d{d}") for d in range(width - 1, D)
        }
        phantoms[(int(s), int(k))] = p
        by_day: list[list] = [[] for _ in range(D)]
        for i in idx:
            by_day[cd[i]].append(x[i])
        for end in range(width - 1, D):
            window = [v for d in range(end - width + 1, end + 1) for v in by_day[d]]
            before = [p[d] for d in range(max(width - 1, end - width + 1), end)]
            model.add(sum(window) + sum(before) + p[end] >= 1)
            if window or before:
                model.add(sum(window) + sum(before) == 0).only_enforce_if(p[end])
        u = model.new_int_var(0, int(need[s, k]), f"u_s{s}_k{k}")
        model.add(u <= sum(int(cap[i]) * x[i] for i in idx))
        # rounding (MIR) cut: with at most c patients a visit, X whole visits see at most
        # min(n, c X) <= q c + r (X - q), q = n // c, r = n % c; tightens the LP a lot
        c = int(cap[idx].max())
        q, r = divmod(int(need[s, k]), c) if c > 0 else (0, 0)
        if c > 0 and r > 0:
            model.add(u <= q * c + r * (sum(x[i] for i in idx) - q))
        served[(int(s), int(k))] = u
    return phantoms, served


def _add_expert_constraints(model, x, ce, cd, cl, max_days, E: int, D: int) -> None:
    """One place per expert per day; outreach days per expert within the limit."""
    occupied: dict[tuple[int, int], list] = {}
    per_expert: dict[int, list] = {}
    for i in range(len(x)):
        e = int(ce[i])
        for t in range(int(cd[i]), int(cd[i] + cl[i])):
            occupied.setdefault((e, t), []).append(x[i])
        per_expert.setdefault(e, []).append(i)
    for vs in occupied.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for e, idx in per_expert.items():
        total = sum(int(cl[i]) for i in idx)
        if total > int(max_days[e]):
            model.add(sum(int(cl[i]) * x[i] for i in idx) <= int(max_days[e]))


def _coverage(inst: RotationInstance, visits: np.ndarray):
    """Delivered, needed, shortfall and longest gap per (site, specialty), from the visits."""
    _E, S, K, D = inst.shape
    delivered = np.zeros((S, K), np.int64)
    needed = np.zeros((S, K), np.int64)
    short = np.zeros((S, K), np.int64)
    gap = np.zeros((S, K), np.int64)
    spec = inst.expert_specialty[visits[:, 0]] if len(visits) else np.zeros(0, np.int64)
    for s, k in zip(*np.nonzero(np.asarray(inst.need) > 0)):
        days = visits[(visits[:, 1] == s) & (spec == k), 2]
        K_ = int(inst.rhythm_days[k])
        delivered[s, k] = len(days)
        needed[s, k] = rhythm_shortfall(np.zeros(0), D, K_)
        short[s, k] = rhythm_shortfall(days, D, K_)
        gap[s, k] = max_gap_days(days, D)
    return delivered, needed, short, gap


def _merge_trajectory(points, bounds_seen, objective, bound, seconds):
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
