"""The result of every location model: :class:`SolveResult`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netopt.solve.status import STATUSES, check_status

__all__ = ["STATUSES", "SolveResult"]


@dataclass(frozen=True)
class SolveResult:
    """A solved (or proven infeasible) location model; checks its own values.

    Parameters
    ----------
    selected : numpy.ndarray
        Sorted indices of the open candidates (int).
    assignment : numpy.ndarray
        Candidate index serving each demand (int); ``-1`` = unassigned (uncovered in
        :func:`~netopt.solve.max_coverage`, or every demand when infeasible).
    objective : float
        Objective value of the returned plan (``nan`` when infeasible).
    bound : float
        Proven bound on the optimum: a lower bound for minimisation (p-median, p-center),
        an upper bound for maximisation (max-coverage).
    gap : float
        ``|objective - bound| / max(|objective|, 1e-9)``; 0 when optimal, ``nan`` when infeasible.
    status : str
        "optimal", "feasible" (a plan, not proven optimal), "infeasible", or "time_limit"
        (the limit stopped the search; the best plan found is returned).
    seconds : float
        Wall-clock time of the solve.
    message : str
        Human-readable explanation (why infeasible, which solver, which bound).
    shortfall : float
        The load above capacity: for a hard capacitated model that is infeasible, the load
        that cannot be placed; for a soft-capacity solve, the total overflow of the plan
        (0 otherwise).
    solver : str
        What produced the plan, e.g. "highs radius-MIP" or "greedy+interchange".
    """

    selected: np.ndarray
    assignment: np.ndarray
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    message: str = ""
    shortfall: float = 0.0
    solver: str = ""

    def __post_init__(self) -> None:
        selected = np.asarray(self.selected)
        assignment = np.asarray(self.assignment)
        problems = []
        if (bad_status := check_status(self.status)) is not None:
            problems.append(bad_status)
        if selected.ndim != 1 or (selected.size and selected.dtype.kind not in "iu"):
            problems.append(
                f"selected must be a 1-D int array, found {selected.dtype}{selected.shape}"
            )
        elif selected.size and (np.any(np.diff(selected) <= 0) or selected.min() < 0):
            problems.append("selected must hold sorted, distinct, non-negative indices")
        if assignment.ndim != 1 or (assignment.size and assignment.dtype.kind not in "iu"):
            problems.append(
                f"assignment must be a 1-D int array, found {assignment.dtype}{assignment.shape}"
            )
        elif assignment.size and not np.isin(assignment[assignment >= 0], selected).all():
            problems.append("assignment uses a candidate that is not selected")
        if self.seconds < 0 or not np.isfinite(self.seconds):
            problems.append(f"seconds must be finite and >= 0, found {self.seconds}")
        if self.shortfall < 0:
            problems.append(f"shortfall must be >= 0, found {self.shortfall}")
        if self.status == "optimal" and not (np.isfinite(self.objective) and self.gap <= 1e-6):
            problems.append(
                f"an optimal result needs a finite objective and gap 0 (gap={self.gap})"
            )
        if self.status != "infeasible" and not np.isnan(self.gap) and self.gap < -1e-9:
            problems.append(f"gap must be >= 0, found {self.gap}")
        if problems:
            raise ValueError("invalid SolveResult: " + "; ".join(problems))
        object.__setattr__(self, "selected", selected.astype(np.int64, copy=False))
        object.__setattr__(self, "assignment", assignment.astype(np.int64, copy=False))

    @property
    def is_optimal(self) -> bool:
        """True when the plan is proven optimal."""
        return self.status == "optimal"

    @property
    def is_feasible(self) -> bool:
        """True when a plan is returned (optimal, feasible, or best found at the time limit)."""
        return self.status != "infeasible" and np.isfinite(self.objective)

    def summary(self) -> str:
        """One paragraph describing the result (status, objective, bound, gap, time)."""
        lines = [
            f"status    {self.status}",
            f"objective {self.objective:,.4f}",
            f"bound     {self.bound:,.4f}",
            f"gap       {self.gap:.4%}" if np.isfinite(self.gap) else "gap       n/a",
            f"selected  {len(self.selected)} candidates: {self.selected.tolist()[:20]}"
            + (" ..." if len(self.selected) > 20 else ""),
            f"seconds   {self.seconds:.2f}",
        ]
        if self.shortfall:
            lines.append(f"shortfall {self.shortfall:,.4f}")
        if self.solver:
            lines.append(f"solver    {self.solver}")
        if self.message:
            lines.append(f"message   {self.message}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
