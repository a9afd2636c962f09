"""The one status vocabulary of every solve: :data:`STATUSES`.

Both :class:`~netopt.solve.SolveResult` (location models) and
:class:`~netopt.solve.rotation.RotationResult` (CP-SAT rotations) carry one of these:

* ``"optimal"``: the returned answer is proven optimal;
* ``"feasible"``: an answer, not proven optimal (e.g. a heuristic mode), no limit reached;
* ``"infeasible"``: proven that no answer exists (the message says why);
* ``"time_limit"``: the limit stopped the search; the best answer found is returned.
"""

from __future__ import annotations

__all__ = ["STATUSES", "check_status"]

STATUSES: tuple[str, ...] = ("optimal", "feasible", "infeasible", "time_limit")


def check_status(status: str) -> str | None:
    """Return a problem sentence when ``status`` is not in :data:`STATUSES`, else None.

    Parameters
    ----------
    status : str
        The status to check.

    Returns
    -------
    str or None
    """
    if status in STATUSES:
        return None
    return f"status must be one of {STATUSES}, found {status!r}"
