"""Where to put a capability: :func:`site_centres` (a scenario's ``[pathways.siting]``).

"Which second county hospital should get a stroke centre so that islanders are treated in
time at night?" Each candidate (and each existing centre) is a column whose cost for a zone
is the zone's onset-to-treatment minutes if that facility were the only capable centre
(:func:`~netopt.pathways.model.pathway_routes` with one capable facility). The minutes of a
set of centres are the minimum over its columns (the nearest centre, directly, via a first
facility or by air), so the covering models of :mod:`netopt.solve` are exact on these costs:
:func:`netopt.solve.max_coverage` (the residents treated in time, existing centres fixed) for
one time of day, :func:`netopt.solve.backup_coverage` for "in time by day and still in time at
night" (the night matrix as the failure matrix).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt.graph import TravelGraph
from netopt.pathways.conditions import capable, conditions_for
from netopt.pathways.model import pathway_routes
from netopt.pathways.options import PathwayOptions, Siting
from netopt.pathways.planner import PathwayInputs, pathway_inputs
from netopt.region import Region
from netopt.solve import SolveResult, SolverParams, backup_coverage, max_coverage

#: Both periods (the candidates table shows each).
PERIODS_ALL: tuple[str, ...] = ("day", "night")

__all__ = ["PERIODS_ALL", "SitingResult", "site_centres", "with_capability"]


@dataclass(frozen=True, eq=False)
class SitingResult:
    """The chosen new centres and what each candidate would give.

    Attributes
    ----------
    siting : Siting
    chosen : tuple of str
        The facilities to get the capability.
    capabilities : tuple of str
        The capabilities given (the condition's first needs-group, e.g. ``stroke_centre``).
    solve : SolveResult
        Status, objective (residents in time, or the backup objective), bound and gap.
    candidates : pandas.DataFrame
        Index facility id: ``existing`` (already capable), ``chosen``, and for each period
        ``in_time_<period>`` (the residents in time, of the objective's population, with
        the existing centres and this one).
    population : float
        The population the objective counts (islanders only for ``*_islanders``).
    """

    siting: Siting
    chosen: tuple[str, ...]
    capabilities: tuple[str, ...]
    solve: SolveResult
    candidates: pd.DataFrame
    population: float

    def summary(self) -> str:
        """One line for messages and reports."""
        who = "islanders" if self.siting.objective.endswith("islanders") else "residents"
        return (
            f"{self.siting.condition}: give {', '.join(self.chosen) or 'none'} "
            f"{'+'.join(self.capabilities)} ({self.siting.objective}: {self.solve.objective:,.0f} of "
            f"{self.population:,.0f} {who} in time; {self.solve.status}, gap {self.solve.gap:.2%})"
        )


def _column_minutes(inputs: PathwayInputs, period: str, cols: Sequence[int], door: float, opts):
    """Zone x column minutes with each column the only capable centre."""
    t_zf, t_ff = inputs.times[period]
    n_fac = t_zf.shape[1]
    out = np.empty((t_zf.shape[0], len(cols)))
    for k, j in enumerate(cols):
        mask = np.zeros(n_fac, dtype=bool)
        mask[j] = True
        routes = pathway_routes(
            t_zf / 60.0,
            t_ff / 60.0,
            mask,
            inputs.first,
            dispatch_min=opts.dispatch_min,
            handover_min=opts.handover_min,
            door_min=door,
            air=inputs.air[period],
        )
        out[:, k] = routes.minutes
    return out


def with_capability(region: Region, ids: Sequence[str], capabilities: Sequence[str]) -> Region:
    """The region with ``capabilities`` added to the facilities ``ids`` (a copy).

    Parameters
    ----------
    region : Region
    ids : sequence of str
    capabilities : sequence of str

    Returns
    -------
    Region
    """
    if not ids:
        return region
    fac = region.facilities.copy()
    fac["capabilities"] = [
        tuple(dict.fromkeys((*caps, *capabilities))) if fid in ids else caps
        for fid, caps in zip(fac.index, fac["capabilities"], strict=True)
    ]
    return dataclasses.replace(region, facilities=fac)


def site_centres(
    region: Region,
    graph: TravelGraph | None,
    siting: Siting,
    *,
    options: PathwayOptions | None = None,
    params: SolverParams = SolverParams(),
    inputs: PathwayInputs | None = None,
) -> SitingResult:
    """Choose which candidates get a condition's capability.

    Parameters
    ----------
    region : Region
    graph : TravelGraph or None
        The network of the scenario (closures included); None only with ``inputs``.
    siting : Siting
    options : PathwayOptions, optional
    params : SolverParams, default SolverParams()
        For the covering model.
    inputs : PathwayInputs, optional
        Precomputed (:func:`~netopt.pathways.planner.pathway_inputs`).

    Returns
    -------
    SitingResult

    Raises
    ------
    DataError
        An unknown condition or candidate id.
    """
    opts = (options or PathwayOptions()).for_region(region)
    conditions = conditions_for(region)
    problems = []
    if siting.condition not in conditions:
        problems.append(
            Problem("[pathways.siting]", "", "condition", siting.condition,
                    f"use one of {sorted(conditions)}")
        )  # fmt: skip
    pos = {fid: i for i, fid in enumerate(region.facilities.index)}
    problems += [
        Problem("[pathways.siting]", "", "candidates", c, "name a facility id of the region")
        for c in siting.candidates
        if c not in pos
    ]
    if problems:
        raise DataError(problems)
    cond = conditions[siting.condition]
    if inputs is None:
        inputs = pathway_inputs(region, graph, opts)
    mask = capable(region.facilities, cond)
    existing = list(np.flatnonzero(mask))
    new = [pos[c] for c in siting.candidates if not mask[pos[c]]]
    cols = existing + new
    pop = region.zones["population"].to_numpy(float)
    if siting.objective.endswith("islanders"):
        pop = pop * region.zones["island"].to_numpy(bool)
    period = "night" if siting.objective.startswith("night") else "day"
    minutes = {
        p: _column_minutes(inputs, p, cols, cond.door_to_treatment_min, opts) for p in PERIODS_ALL
    }
    window = float(cond.window_min)
    fixed = list(range(len(existing)))
    p_total = min(len(existing) + siting.add, len(cols))
    if siting.objective == "backup":
        solve = backup_coverage(
            np.nan_to_num(minutes["day"], posinf=1e18), window, p_total, demand=pop,
            fixed=fixed, backup_costs=np.nan_to_num(minutes["night"], posinf=1e18), params=params,
        )  # fmt: skip
    else:
        solve = max_coverage(
            np.nan_to_num(minutes[period], posinf=1e18), p_total, window, weights=pop,
            fixed=fixed, params=params,
        )  # fmt: skip
    chosen = tuple(region.facilities.index[cols[k]] for k in solve.selected if k >= len(existing))
    base = {
        p: np.min(minutes[p][:, : len(existing)], axis=1) if existing else None for p in PERIODS_ALL
    }
    rows = {}
    for k, j in enumerate(cols):
        row: dict[str, Any] = {"existing": k < len(existing)}
        row["chosen"] = region.facilities.index[j] in chosen
        for p in PERIODS_ALL:
            t = minutes[p][:, k] if base[p] is None else np.minimum(base[p], minutes[p][:, k])
            row[f"in_time_{p}"] = float(pop[t <= window].sum())
        rows[region.facilities.index[j]] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "facility"
    return SitingResult(
        siting=siting,
        chosen=chosen,
        capabilities=tuple(cond.needs[0]),
        solve=solve,
        candidates=table,
        population=float(pop.sum()),
    )
