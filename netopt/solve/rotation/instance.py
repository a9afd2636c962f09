"""The data of one rotation problem (:class:`RotationInstance`) and its objective weights
(:class:`RotationWeights`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netopt.solve.rotation.visits import VisitOptions

__all__ = ["RotationInstance", "RotationWeights"]


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
        ``(K,)``: every window of this many consecutive days should contain a visit; or
        ``(S, K)``: a rhythm per site and specialty (e.g. partner visits to county
        hospitals every 14 days, township visits every 7). :attr:`site_rhythm` is always
        ``(S, K)``.
    patient_saving_min : numpy.ndarray
        ``(S,)``: round-trip minutes a patient saves when seen at the site, not the lead.
    options : VisitOptions
        ``(O, S)`` arrays from :func:`visit_options`.
    allowed : numpy.ndarray of bool, optional
        ``(E, S)``: which sites each expert may visit. When given it *replaces* the
        alliance rule (``expert_alliance == site_alliance``) and the solver's
        ``cross_alliance`` flag: the adapter folds both into it (this is how experts of a
        partner hospital visit the county leads it hosts while county experts visit their
        own members). None (default): the alliance rule.
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
    allowed: np.ndarray | None = None

    def __post_init__(self) -> None:
        rhythm_shape = tuple(np.shape(self.rhythm_days))
        E, S = len(self.expert_specialty), len(self.site_alliance)
        K = rhythm_shape[-1] if rhythm_shape else 0
        problems = []
        checks = {
            "expert_origin": (np.shape(self.expert_origin), (E,)),
            "expert_alliance": (np.shape(self.expert_alliance), (E,)),
            "available": (np.shape(self.available), (E, self.n_days)),
            "max_days": (np.shape(self.max_days), (E,)),
            "need": (np.shape(self.need), (S, K)),
            "patient_saving_min": (np.shape(self.patient_saving_min), (S,)),
        }
        if self.allowed is not None:
            checks["allowed"] = (np.shape(self.allowed), (E, S))
        if rhythm_shape not in ((K,), (S, K)):
            problems.append(f"rhythm_days has shape {rhythm_shape}, expected ({K},) or ({S}, {K})")
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
            np.shape(self.rhythm_days)[-1],
            self.n_days,
        )

    @property
    def site_rhythm(self) -> np.ndarray:
        """``(S, K)`` rhythm in days of every (site, specialty), broadcast from ``(K,)``."""
        r = np.asarray(self.rhythm_days, dtype=np.int64)
        return np.broadcast_to(r, (len(self.site_alliance), r.shape[-1])) if r.ndim == 1 else r


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
