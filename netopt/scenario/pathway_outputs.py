"""The time-critical pathway outputs of a run: ``pathways.csv`` and the ``pathways``,
``pathway_places`` and ``siting`` entries of ``kpis.json``.

* ``pathways.csv``: one row per zone, condition and time of day (minutes from onset to
  treatment, in time or not, the route and the centre reached; :data:`netopt.pathways.
  TABLE_COLUMNS`).
* ``kpis.json`` ``pathways``: for each condition ``window_min`` and ``share_in_time`` by
  ``"day"`` and ``"night"`` (of every resident), ``median_min`` and
  ``population_not_in_time`` by period; ``pathway_places``: the residents not in time by
  island and township; ``siting``: where a ``[pathways.siting]`` put a capability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from netopt.scenario.runner import Result

__all__ = ["pathway_record", "pathway_table", "places_record", "siting_record"]


def pathway_table(result: Result) -> pd.DataFrame | None:
    """The rows of ``pathways.csv`` (None when the run planned no pathways).

    Parameters
    ----------
    result : Result

    Returns
    -------
    pandas.DataFrame or None
    """
    return None if result.pathways is None else result.pathways.table


def pathway_record(result: Result) -> dict[str, Any] | None:
    """The ``pathways`` entry of ``kpis.json`` (None without pathways).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict or None
        Condition -> ``label``, ``window_min``, ``source``, ``estimated``,
        ``share_in_time``, ``median_min`` and ``population_not_in_time`` (each
        ``{"day": x, "night": y}``).
    """
    pw = result.pathways
    if pw is None:
        return None
    out: dict[str, Any] = {}
    for key, cond in pw.conditions.items():
        rows = pw.summary.loc[key]
        out[key] = {
            "label": cond.label,
            "window_min": float(cond.window_min),
            "source": cond.source,
            "estimated": bool(cond.estimated),
            "share_in_time": {p: float(rows.loc[p, "share_in_time"]) for p in rows.index},
            "median_min": {p: float(rows.loc[p, "median_min"]) for p in rows.index},
            "population_not_in_time": {
                p: float(rows.loc[p, "population_not_in_time"]) for p in rows.index
            },
        }
    return out


def places_record(result: Result) -> list[dict[str, Any]]:
    """The residents not in time by island and township (places with nobody late left out).

    Parameters
    ----------
    result : Result

    Returns
    -------
    list of dict
    """
    pw = result.pathways
    if pw is None:
        return []
    late = pw.by_place[pw.by_place["population_not_in_time"] > 0]
    return late.to_dict(orient="records")


def siting_record(result: Result) -> dict[str, Any] | None:
    """Where ``[pathways.siting]`` put a capability (None without a siting).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict or None
        ``siting`` (the question), ``chosen``, ``capabilities``, ``summary``, the solve's
        ``status``, ``objective``, ``bound``, ``gap`` and ``candidates`` (residents in time
        by day and night with each candidate added).
    """
    s = result.siting
    if s is None:
        return None
    return {
        "siting": s.siting.to_dict(),
        "chosen": list(s.chosen),
        "capabilities": list(s.capabilities),
        "summary": s.summary(),
        "status": s.solve.status,
        "objective": s.solve.objective,
        "bound": s.solve.bound,
        "gap": s.solve.gap,
        "population": s.population,
        "candidates": s.candidates.reset_index().to_dict(orient="records"),
    }
