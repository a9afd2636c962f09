"""The one status vocabulary of every solve (:data:`STATUSES`) and its words for people
(:func:`stage_text`).

Both :class:`~netopt.solve.SolveResult` (location models) and
:class:`~netopt.solve.rotation.RotationResult` (CP-SAT rotations) carry one of these:

* ``"optimal"``: the returned answer is proven optimal;
* ``"feasible"``: an answer, not proven optimal (e.g. a heuristic mode), no limit reached;
* ``"infeasible"``: proven that no answer exists (the message says why);
* ``"time_limit"``: the limit stopped the search; the best answer found is returned.

A scenario has two stages, each solved by one model family (:data:`STAGE_LABELS`): the
alliance plan (``"location"``, :mod:`netopt.solve.location`) and the expert rotations
(``"rotation"``, :mod:`netopt.solve.rotation`). :func:`stage_text` is what reports, maps,
comparisons and the command line show for a stage; never the bare status, so a plan that
only evaluates today's alliances, or a solve stopped by its limit, is never called
"optimal". The texts are English, like every user-facing string of netopt (there is no
message catalogue: :mod:`netopt.maps.text` escapes and formats, it does not translate).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netopt._numbers import finite_or_none

__all__ = ["NO_STAGE_TEXT", "STAGE_LABELS", "STATUSES", "check_status", "stage_text"]

STATUSES: tuple[str, ...] = ("optimal", "feasible", "infeasible", "time_limit")

#: The stages of a scenario run, keyed as in the ``kpis.json`` record's ``stages``, and
#: their names for people.
STAGE_LABELS: dict[str, str] = {"location": "Alliance plan", "rotation": "Expert rotations"}

#: What a stage without a rotation model shows, e.g. in a comparison column.
NO_STAGE_TEXT = "not run"


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


_MISSING = object()


def _field(result: Any, name: str) -> Any:
    """An attribute of a result object, or a key of a record (:data:`_MISSING` when absent)."""
    if isinstance(result, Mapping):
        return result.get(name, _MISSING)
    return getattr(result, name, _MISSING)


def _gap_text(gap: float) -> str:
    """``"gap 10.3 %"``; ``"gap < 0.1 %"`` for a gap above 0 that rounds to 0.0 %."""
    percent = 100.0 * gap
    if 0.0 < percent < 0.05:
        return "gap < 0.1 %"
    return f"gap {percent:,.1f} %"


def stage_text(result: Any, *, evaluated: bool = False) -> str:
    """Return what a person reads for the status of one solve: ``"optimal"``,
    ``"time limit, gap 10.3 %"``, ``"evaluated"`` ...

    The complete mapping, by :data:`STATUSES` (gap in per cent, one decimal; ``"< 0.1 %"``
    for a gap above 0 that would round to 0.0; *no bound* means the gap or the bound is
    missing or infinite; *no plan* means the objective is missing):

    ==============  =================================  ==================================
    status          evaluated=False                    evaluated=True
    ==============  =================================  ==================================
    optimal         ``optimal``                        ``evaluated``
    feasible        ``feasible, gap 2.1 %``            ``evaluated; feasible, gap 2.1 %``
                    (``feasible, no bound``)
    time_limit      ``time limit, gap 10.3 %``         ``evaluated; time limit, gap ...``
                    (``time limit, no bound``;
                    ``time limit, no plan``)
    infeasible      ``infeasible``                     ``infeasible``
    ==============  =================================  ==================================

    Any other status is shown as it is.

    Parameters
    ----------
    result : SolveResult, RotationResult, RotationSchedule or mapping
        Anything with ``status``, ``gap``, ``bound`` and ``objective`` as attributes or
        keys (a ``kpis.json`` stage or solver record too).
    evaluated : bool, keyword-only, default False
        True when the solve only evaluated a given configuration
        (:attr:`AllianceOptions.evaluate_only <netopt.alliances.AllianceOptions>`: today's
        alliances as they are) instead of optimising one.

    Returns
    -------
    str

    Examples
    --------
    >>> stage_text({"status": "time_limit", "gap": 0.1034, "bound": 90.0, "objective": 100.4})
    'time limit, gap 10.3 %'
    >>> stage_text({"status": "optimal", "gap": 0.0, "bound": 5.0, "objective": 5.0},
    ...            evaluated=True)
    'evaluated'
    """
    status = str(_field(result, "status"))
    if status == "infeasible":
        return "infeasible"
    if status == "optimal":
        return "evaluated" if evaluated else "optimal"
    if status not in ("feasible", "time_limit"):
        return status
    words = "time limit" if status == "time_limit" else "feasible"
    gap, bound, objective = (_field(result, k) for k in ("gap", "bound", "objective"))
    if status == "time_limit" and objective is not _MISSING and finite_or_none(objective) is None:
        text = f"{words}, no plan"
    elif finite_or_none(gap) is None or (bound is not _MISSING and finite_or_none(bound) is None):
        text = f"{words}, no bound"
    else:
        text = f"{words}, {_gap_text(float(gap))}"
    return f"evaluated; {text}" if evaluated else text
