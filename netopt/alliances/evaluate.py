"""The same plan on another network: :func:`evaluate_plan`.

A plan is its leads, each zone's primary facility and each zone's lead. A storm day, the
night or a new bridge changes how long the trips take, not who goes where: evaluating a plan
on a changed network keeps every assignment and recomputes the travel times, the cut-off
zones and the KPIs. Loads, capacities and ``capacity_served`` depend on who goes where only,
so they stay as planned.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt.alliances.members import plan_data
from netopt.alliances.plan import AlliancePlan
from netopt.alliances.tables import (
    assignments_table,
    beyond_limit_table,
    cut_off_table,
    primary_travel,
)
from netopt.alliances.travel import open_times, plan_times
from netopt.graph import TravelGraph
from netopt.kpis import plan_kpis

__all__ = ["evaluate_plan"]


def evaluate_plan(
    plan: AlliancePlan,
    graph: TravelGraph | None = None,
    *,
    times: np.ndarray | None = None,
    times_now: np.ndarray | None = None,
    name: str | None = None,
) -> AlliancePlan:
    """Return ``plan`` with the same assignments, evaluated on another network.

    Parameters
    ----------
    plan : AlliancePlan
        A plan from :func:`~netopt.alliances.plan_alliances`.
    graph : TravelGraph, optional
        The changed network (e.g. after :func:`netopt.graph.close_ferry`).
    times, times_now : numpy.ndarray, optional
        Zone x facility seconds on it, and on it as it runs now (closed crossings dropped),
        as for :func:`~netopt.alliances.plan_alliances`; computed from ``graph`` when
        omitted.
    name : str, optional
        Name of the evaluated plan (default: the plan's name).

    Returns
    -------
    AlliancePlan
        Same leads, primaries, leads per zone, loads, capacity shares and upgrades; new
        times, ``cut_off``, ``beyond_limit``, facility mean travel times, choice set (so the
        patient flows follow the new times) and KPIs; the solve result is the original
        plan's.

    Raises
    ------
    DataError
        Neither ``graph`` nor ``times``, a matrix of the wrong shape, or a zone with residents
        that has no path to its primary facility or lead on the new network.
    """
    region = plan.region
    t_zf = plan_times(region, graph, times)
    data = plan_data(region, t_zf, plan.options, open_zf=open_times(region, graph, t_zf, times_now))
    pos = data.pos
    zones = plan.zones
    primary = np.array([pos.get(str(f), -1) if _given(f) else -1 for f in zones["primary"]])
    lead = np.array([pos.get(str(f), -1) if _given(f) else -1 for f in zones["lead"]])
    table = assignments_table(
        region,
        primary=primary,
        lead_of_zone=lead,
        t_zf=t_zf,
        fac_ids=data.fac_ids,
        lead_idx=[pos[f] for f in plan.leads],
        cand_idx=data.cand_idx,
        limit_min=plan.options.max_travel_min,
        capacity_served=zones["capacity_served"].to_numpy(float),
        open_zf=data.open_zf,
    )
    lost = table[~table["reachable"] & ~table["cut_off"] & (table["population"] > 0)]
    if len(lost):
        raise DataError([_lost_problem(zid, row) for zid, row in lost.iterrows()])
    evaluated = dataclasses.replace(
        plan,
        name=plan.name if name is None else name,
        zones=table,
        facilities=plan.facilities.assign(
            mean_travel_min=primary_travel(table)[1].reindex(plan.facilities.index).to_numpy()
        ),
        beyond_limit=beyond_limit_table(table, plan.options.max_travel_min),
        cut_off=cut_off_table(table),
        choice=None if plan.choice is None else dataclasses.replace(plan.choice, minutes=t_zf / 60),
        kpis={},
    )
    return dataclasses.replace(evaluated, kpis=plan_kpis(evaluated))


def _given(value: object) -> bool:
    """A facility id that is set (not None, NaN or empty)."""
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value != ""


def _lost_problem(zone: str, row: pd.Series) -> Problem:
    """The problem of a zone with residents that the new network leaves without a path."""
    where = f"island {row.island_name}" if isinstance(row.island_name, str) else "the mainland"
    trip = f"its primary facility {row.primary}" if not np.isfinite(row.t_primary_min) else None
    trip = trip or f"its lead {row.lead}"
    return Problem(
        "zones",
        str(zone),
        "geometry",
        f"{row.population:,.0f} residents on {where} have no path to {trip} on this network, "
        "even with closed crossings reopened",
        "evaluate on a network that still connects them (close the crossing instead of "
        "removing it), or plan again",
    )
