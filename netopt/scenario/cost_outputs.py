"""The cost and diagnosis outputs of a run: ``costs.csv``, ``diagnosis_centres.csv``,
``courier_routes.csv`` and the ``costs`` and ``diagnosis`` entries of ``kpis.json``.

* ``costs.csv``: one row per cost item (:class:`netopt.costs.CostBreakdown` ``items``): its
  label, who pays it (the group's budget or the patients), yuan per year, the basis of the
  figure and whether its prices are estimated; the rows add up to the total.
* ``costs_by_alliance.csv``: the same items by alliance lead, with a ``(region)`` row for
  costs that belong to no alliance; its rows add up to the item totals.
* ``diagnosis_centres.csv``: one row per shared diagnosis centre and service (laboratory,
  imaging, ECG): kept from the data or chosen, tests per year, capacity and utilisation,
  fixed and per-test cost, senders.
* ``diagnosis_assignments.csv``: which centre each sending facility uses per service, with
  the sample travel or reading turnaround and whether the window is kept.
* ``courier_routes.csv``: one row per stop of each daily laboratory courier route, in order,
  with clock times simulated on the ferry timetables, samples, load and the age of the
  samples on arrival at the laboratory against the window; ``courier_unserved.csv``: the
  stops no courier can serve within the window, with the reason and the excess.
* ``hosting_links.csv``: one row per partner -> lead link (referrals up, follow-ups brought
  home, patient-hours saved, the county hospital's added load, source);
  ``hosting_places.csv``: the savings by island and township.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from netopt.solve.status import stage_text

if TYPE_CHECKING:
    from netopt.scenario.runner import Result

__all__ = ["cost_files", "cost_record", "diagnosis_record", "hosting_files"]


def cost_files(result: Result) -> dict[str, pd.DataFrame]:
    """The cost and diagnosis tables of a run, by file name (empty without them).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict of str to pandas.DataFrame
    """
    out: dict[str, pd.DataFrame] = {}
    costs = result.costs
    if costs is not None:
        out["costs.csv"] = costs.items
        out["costs_by_alliance.csv"] = costs.by_alliance.rename_axis("lead").reset_index()
    diagnosis = result.diagnosis
    if diagnosis is not None:
        out["diagnosis_centres.csv"] = diagnosis.centres
        out["diagnosis_assignments.csv"] = diagnosis.assignments
        if diagnosis.courier is not None:
            out["courier_routes.csv"] = diagnosis.courier.stops
            out["courier_unserved.csv"] = diagnosis.courier.unserved
    return out


def hosting_files(result: Result) -> dict[str, pd.DataFrame]:
    """The hosting tables of a run, by file name (empty without hosting).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict of str to pandas.DataFrame
    """
    hosting = result.hosting
    if hosting is None:
        return {}
    return {"hosting_links.csv": hosting.links, "hosting_places.csv": hosting.by_place()}


def cost_record(result: Result) -> dict[str, Any] | None:
    """The ``costs`` entry of ``kpis.json`` (None when the run has no cost model).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict or None
        :meth:`netopt.costs.CostBreakdown.record`: ``total_yuan`` (the sum of ``items``),
        ``budget_yuan``, ``charged_yuan`` (the items paid from the budget), ``balance_yuan``
        (budget less charged: negative is an overrun), ``per_resident_yuan``, ``items``,
        ``paid_by``, ``by_alliance`` and ``estimated``.
    """
    return None if result.costs is None else result.costs.record()


def _rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


def diagnosis_record(result: Result) -> dict[str, Any] | None:
    """The ``diagnosis`` entry of ``kpis.json`` (None without diagnosis centres).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict or None
        ``centres`` (rows of ``diagnosis_centres.csv``), ``assignments_outside_window``
        (senders whose samples cannot reach a centre in the window), ``routes`` (one row
        per courier route), ``unserved`` (stops no courier can serve in the window),
        ``messages``, ``stages`` (service or ``courier:<centre>`` -> stage text) and
        ``courier_problems`` (what :func:`netopt.diagnosis.check_courier` found; empty:
        the routes are valid).
    """
    diagnosis = result.diagnosis
    if diagnosis is None:
        return None
    assignments = diagnosis.assignments
    outside = assignments[~assignments["within_window"].astype(bool)]
    courier = diagnosis.courier
    stages = {key: stage_text(solve) for key, solve in diagnosis.solves.items()}
    messages = list(diagnosis.messages)
    if courier is not None:
        stages.update({f"courier:{k}": stage_text(s) for k, s in courier.solves.items()})
        messages += list(courier.messages)
    return {
        "centres": _rows(diagnosis.centres),
        "assignments_outside_window": _rows(outside),
        "routes": _rows(None if courier is None else courier.routes),
        "unserved": _rows(None if courier is None else courier.unserved),
        "messages": messages,
        "stages": stages,
        "courier_problems": list(result.courier_problems),
    }
