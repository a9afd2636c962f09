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

from netopt._errors import DataError, SolverError
from netopt._notes import Note, joined, name_in, term
from netopt.alliances._notes import note
from netopt.alliances.capacity import capacity_moves_table, capacity_notes
from netopt.alliances.choice import plan_choice_set
from netopt.alliances.leads import lead_notes
from netopt.alliances.locate import Assignment, assignment_of, location_model, solve_location
from netopt.alliances.members import Members, member_model, plan_data
from netopt.alliances.options import AllianceOptions
from netopt.alliances.plan import AlliancePlan
from netopt.alliances.tables import (
    alliance_table,
    beyond_limit_table,
    cut_off_by_place,
    cut_off_table,
    facility_table,
    unconnected_problems,
    zone_table,
)
from netopt.alliances.travel import open_times, plan_times
from netopt.alliances.upgrades import decide_upgrades, with_upgraded_leads
from netopt.graph import TravelGraph
from netopt.kpis import plan_kpis
from netopt.region import Region
from netopt.solve import SolveResult
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
    times_now: np.ndarray | None = None,
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
        is given (members without residents of their own then join a lead arbitrarily; with
        a graph they join the nearest, read from ``times`` by
        :func:`~netopt.alliances.members.zoneless_seconds`, no shortest-path search rerun).
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
        from ``graph`` when omitted. A closed crossing (a storm, the night) counts at its
        reopening time (see :func:`netopt.graph.close_ferry`), so every connected zone has a
        finite time.
    times_now : numpy.ndarray, optional
        The same matrix on the network as it runs now (closed crossings dropped,
        :func:`netopt.graph.drop_closed`); zones that reach their primary facility or lead
        only in ``times`` are *cut off* (``plan.cut_off``). Computed from ``graph`` when it
        has closed crossings and this is omitted; without either, nobody is cut off.

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
        ``graph`` nor ``times``; a zone with residents that has no path to any primary
        facility or lead-capable hospital even with closed crossings reopened.
    InfeasibleError
        If no plan exists even without the travel limit (capacities never make a plan
        impossible: they are soft, the overflow is reported).
    SolverError
        If the solver stopped (its time limit) without opening any lead: a plan with no
        lead is never returned. A plan whose leads serve no resident says why in
        ``plan.messages``.

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
    region = with_upgraded_leads(region, options.flows.upgraded)
    t_zf = plan_times(region, graph, times)
    data = plan_data(region, t_zf, options, open_zf=open_times(region, graph, t_zf, times_now))
    problems = unconnected_problems(data)
    if problems:
        raise DataError(problems)
    messages: list[str] = []
    fac = region.facilities
    for fid in data.fixed_ids:
        if not bool(fac.at[fid, "can_lead"]):  # only reachable with allow_any_lead
            tier = str(fac.at[fid, "tier"])
            note(
                messages,
                Note(
                    "note.fixed_lead",
                    id=fid,
                    name=name_in(fac.loc[fid], fid),
                    tier=term(f"tier.{tier}", tier),
                ),
            )
    rates = options.rates
    members = member_model(data, graph, rates, options.primary_tiers)
    model = location_model(data, members, options, messages)
    result = solve_location(model, params, messages)
    assignment = assignment_of(result, members, data)
    lead_ids = assignment.lead_ids(data)
    _check_not_empty(lead_ids, assignment, members, result, params, model.p, messages)
    for msg in lead_notes(region, lead_ids, options):  # default window, outside leads
        note(messages, msg)

    table = zone_table(data, members, assignment, rates=rates, limit_min=options.max_travel_min)
    cut_off = cut_off_table(table)
    if len(cut_off):
        places = cut_off_by_place(cut_off)
        listed = [
            Note(
                "note.place",
                island=str(row.island_name),
                township=str(row.township),
                people=f"{row.population:,.0f}",
            )
            for row in places.head(8).itertuples()
        ]
        note(
            messages,
            Note(
                "note.cut_off",
                people=f"{cut_off['population'].sum():,.0f}",
                n=str(len(cut_off)),
                places=joined(listed, "note.sep"),
            ),
        )
    facilities = facility_table(data, members, assignment, table, rates)
    alliances = alliance_table(
        data, facilities, lead_ids, rates, members=members, assignment=assignment
    )
    limit = options.max_travel_min
    moves = capacity_moves_table(data, members, assignment, alliances, limit_min=limit)
    enforced, status = model.has_capacities, result.status
    for msg in capacity_notes(
        data, alliances, moves, enforced=enforced, status=status, limit_min=limit
    ):
        note(messages, msg)
    demand, choice_params = options.flows.resolve(region)
    choice = plan_choice_set(data, table["lead"].tolist())
    choice, upgrades, upgrade_solve = decide_upgrades(
        data, choice, demand, choice_params, options.flows, params, messages
    )
    plan = AlliancePlan(
        name=name,
        region=region,
        leads=lead_ids,
        facilities=facilities,
        zones=table,
        alliances=alliances,
        capacity_moves=moves,
        beyond_limit=beyond_limit_table(table, options.max_travel_min),
        cut_off=cut_off,
        solve=result,
        rates=rates,
        kpis={},
        messages=tuple(messages),
        options=options,
        params=params,
        choice=choice,
        demand=demand,
        choice_params=choice_params,
        upgrades=upgrades,
        upgrade_solve=upgrade_solve,
    )
    plan = dataclasses.replace(plan, kpis=plan_kpis(plan))
    logger.info("%s", plan.summary())
    return plan


def _check_not_empty(
    lead_ids: tuple[str, ...],
    assignment: Assignment,
    members: Members,
    result: SolveResult,
    params: SolverParams,
    p: int,
    messages: list[str],
) -> None:
    """Raise when the solve opened no lead; note why when the leads serve no resident."""
    why = f"status {result.status}" + (f": {result.message}" if result.message else "")
    if not lead_ids:
        limit = params.time_limit_s
        raise SolverError(
            f"plan_alliances: the solver opened no lead (p={p}, {why}) within "
            f"{'no time limit' if limit is None else f'its time limit of {limit:g} s'}; "
            "raise SolverParams(time_limit_s=...), lower p, or drop capacities"
        )
    served = assignment.member_lead_col >= 0
    if members.population.sum() > 0 and not members.population[served].sum() > 0:
        note(
            messages,
            f"the plan's {len(lead_ids)} lead(s) serve no resident: no member facility with "
            f"residents was assigned to a lead ({why}); raise the time limit or check the "
            "capacities and the travel limit",
        )
