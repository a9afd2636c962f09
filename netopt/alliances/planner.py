"""Plan hospital alliances: :func:`plan_alliances`, the orchestration of the pieces.

Travel times (:mod:`~netopt.alliances.travel`) -> zones aggregated to member facilities
(:mod:`~netopt.alliances.members`) -> leads chosen by a location model
(:mod:`~netopt.alliances.locate`) -> tables (:mod:`~netopt.alliances.tables`) -> an
:class:`~netopt.alliances.plan.AlliancePlan` whose KPIs come from
:func:`netopt.kpis.plan_kpis`.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from netopt.alliances._notes import note
from netopt.alliances.locate import assignment_of, location_model, solve_location
from netopt.alliances.members import member_model, plan_data
from netopt.alliances.options import AllianceOptions
from netopt.alliances.plan import AlliancePlan
from netopt.alliances.tables import (
    alliance_table,
    beyond_limit_table,
    facility_table,
    unreachable_table,
    zone_table,
)
from netopt.alliances.travel import plan_times
from netopt.graph import TravelGraph
from netopt.kpis import plan_kpis
from netopt.region import Region
from netopt.solve.params import SolverParams

__all__ = ["plan_alliances"]

logger = logging.getLogger("netopt.alliances")


def plan_alliances(
    region: Region,
    graph: TravelGraph | None = None,
    *,
    options: AllianceOptions = AllianceOptions(),
    params: SolverParams = SolverParams(),
    name: str = "plan",
    times: np.ndarray | None = None,
) -> AlliancePlan:
    """Choose lead hospitals and assign member facilities and residents to alliances.

    Three ways to ask (see :class:`AllianceOptions` for the model and its mathematics):

    * ``evaluate_only=True``: evaluate today's alliances (``facilities.alliance``) as they are.
    * ``fixed_leads=(...)`` without ``p``: the leads are fixed, members are assigned optimally.
    * ``p=k`` (optionally with ``fixed_leads``): choose ``k`` leads among the lead-capable
      facilities (``can_lead``, or ``candidates``), keeping the fixed leads open.

    Parameters
    ----------
    region : Region
        The region (facilities, zones ...).
    graph : TravelGraph, optional
        Its travel-time graph (from :func:`netopt.build_graph`); may be None when ``times``
        is given (members without residents of their own then join a lead arbitrarily).
    options : AllianceOptions, default AllianceOptions()
        The model: number of leads, fixed leads, candidates, capacities, travel limit,
        objective, rates, primary tiers.
    params : SolverParams, default SolverParams()
        Time limit, seed, ...; handed unchanged to the solver core. The same seed gives the
        same plan.
    name : str, default "plan"
        Name shown on maps and reports.
    times : numpy.ndarray, optional
        Precomputed zone x facility travel times in seconds (rows in ``region.zones`` order,
        columns in ``region.facilities`` order, see :func:`zone_facility_seconds`); computed
        from ``graph`` when omitted.

    Returns
    -------
    AlliancePlan

    Raises
    ------
    TypeError
        If ``options`` or ``params`` is not an :class:`AllianceOptions` / a
        :class:`~netopt.solve.params.SolverParams` (build them from a mapping with
        ``from_dict``).
    DataError
        Unknown facility ids, no lead-capable facility, inconsistent options, neither
        ``graph`` nor ``times``.
    InfeasibleError
        If no plan exists even without capacities and the travel limit.

    Examples
    --------
    >>> region = netopt.load_region("geodata/xiangshan")                    # doctest: +SKIP
    >>> graph = netopt.build_graph(region)                                  # doctest: +SKIP
    >>> plan = plan_alliances(region, graph, options=AllianceOptions(p=2))  # doctest: +SKIP
    >>> plan.leads                                                          # doctest: +SKIP
    """
    for value, kind in ((options, AllianceOptions), (params, SolverParams)):
        if not isinstance(value, kind):
            raise TypeError(
                f"plan_alliances: expected {kind.__name__}, got {type(value).__name__}; "
                f"build one with {kind.__name__}.from_dict(...)"
            )
    data = plan_data(region, plan_times(region, graph, times), options)
    messages: list[str] = []
    fac = region.facilities
    for fid in data.fixed_ids:
        if not bool(fac.at[fid, "can_lead"]):  # only reachable with allow_any_lead
            note(
                messages,
                f"fixed lead {fid} ({fac.at[fid, 'name']}, {fac.at[fid, 'tier']}) cannot "
                "normally lead an alliance; kept as a lead because allow_any_lead is set",
            )
    unreachable = unreachable_table(data)
    if len(unreachable):
        islands = sorted(set(map(str, unreachable["island_name"].dropna())))
        note(
            messages,
            f"{len(unreachable)} zone(s), population {unreachable['population'].sum():,.0f}, "
            f"cannot reach any lead-capable hospital or primary facility (islands: {islands}); "
            "they are reported as not covered and left out of the optimisation",
        )
    rates = options.rates
    members = member_model(data, graph, rates, options.primary_tiers)
    model = location_model(data, members, options, messages)
    result = solve_location(model, params, messages)
    assignment = assignment_of(result, members, data)
    lead_ids = assignment.lead_ids(data)

    table = zone_table(data, members, assignment, rates=rates, limit_min=options.max_travel_min)
    facilities = facility_table(data, members, assignment, table, rates)
    plan = AlliancePlan(
        name=name,
        region=region,
        leads=lead_ids,
        facilities=facilities,
        zones=table,
        alliances=alliance_table(data, facilities, lead_ids, rates),
        beyond_limit=beyond_limit_table(table, options.max_travel_min),
        unreachable=unreachable,
        solve=result,
        rates=rates,
        kpis={},
        messages=tuple(messages),
        options=options,
        params=params,
    )
    plan = dataclasses.replace(plan, kpis=plan_kpis(plan))
    logger.info("%s", plan.summary())
    return plan
