"""The solved rotation (:class:`RotationResult`) and the rhythm measures it reports.

:func:`rhythm_shortfall` and :func:`max_gap_days` measure a list of visit days against a
rhythm; :func:`coverage` applies them to every (site, specialty) of a schedule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from netopt.solve.rotation.instance import RotationInstance
from netopt.solve.status import check_status

__all__ = ["RotationResult", "coverage", "max_gap_days", "rhythm_shortfall"]


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
        One of :data:`~netopt.solve.STATUSES`: ``"optimal"``, ``"feasible"`` or
        ``"time_limit"`` (a limit stopped the search; the best schedule found, or the greedy
        warm start if CP-SAT found none, is returned). ``"infeasible"`` does not occur: a
        shortage of experts is a shortfall, never an infeasible model.
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

    Raises
    ------
    ValueError
        If the status is not in :data:`~netopt.solve.STATUSES`, ``visits`` is not
        ``(n, 4)``, the gap is negative or the seconds are not finite and >= 0.
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

    def __post_init__(self) -> None:
        problems = []
        if (bad_status := check_status(self.status)) is not None:
            problems.append(bad_status)
        visits = np.asarray(self.visits)
        if visits.ndim != 2 or visits.shape[1] != 4:
            problems.append(f"visits must have shape (n, 4), found {visits.shape}")
        if not math.isnan(self.gap) and self.gap < -1e-9:
            problems.append(f"gap must be >= 0 or nan, found {self.gap}")
        if not (math.isfinite(self.seconds) and self.seconds >= 0):
            problems.append(f"seconds must be finite and >= 0, found {self.seconds}")
        if problems:
            raise ValueError("invalid RotationResult: " + "; ".join(problems))

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


def coverage(inst: RotationInstance, visits: np.ndarray):
    """Delivered, needed, shortfall and longest gap per (site, specialty), from the visits."""
    _E, S, K, D = inst.shape
    delivered = np.zeros((S, K), np.int64)
    needed = np.zeros((S, K), np.int64)
    short = np.zeros((S, K), np.int64)
    gap = np.zeros((S, K), np.int64)
    spec = inst.expert_specialty[visits[:, 0]] if len(visits) else np.zeros(0, np.int64)
    rhythm = inst.site_rhythm
    for s, k in zip(*np.nonzero(np.asarray(inst.need) > 0)):
        days = visits[(visits[:, 1] == s) & (spec == k), 2]
        K_ = int(rhythm[s, k])
        delivered[s, k] = len(days)
        needed[s, k] = rhythm_shortfall(np.zeros(0), D, K_)
        short[s, k] = rhythm_shortfall(days, D, K_)
        gap[s, k] = max_gap_days(days, D)
    return delivered, needed, short, gap
