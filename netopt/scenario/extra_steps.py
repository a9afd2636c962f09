"""The steps of a run after the alliances: hosting, diagnosis centres, courier, costs.

:func:`plan_extras` runs, in this order and each only when the scenario asks for it
(:mod:`netopt.scenario.extras`):

1. **hosting** (:func:`netopt.hosting.plan_hosting`): partners take the care the county
   cannot give, follow-ups come home; the flows after hosting are the run's flows, so the
   flow KPIs (``in_area_share``, ``flow_patient_hours_per_year``, ...) and the costs read
   them;
2. **diagnosis centres** (:func:`netopt.diagnosis.plan_diagnosis`) and, when the
   laboratory is planned and a courier is set, the **courier routes**
   (:func:`netopt.diagnosis.plan_courier`, checked at once by the independent
   :func:`netopt.diagnosis.check_courier`: a violation is a message of the run, never
   hidden);
3. **costs** (:func:`netopt.costs.cost_breakdown`) of the plan, its schedule, flows,
   centres and courier, with the budget's balance.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from netopt.costs import CostBreakdown, cost_breakdown
from netopt.diagnosis import DiagnosisPlan, check_courier, plan_courier, plan_diagnosis
from netopt.flows import Flows
from netopt.graph import TravelGraph
from netopt.hosting import Hosting, plan_hosting
from netopt.kpis import plan_flows
from netopt.region import Region
from netopt.scenario.extras import resolve_costs, resolve_diagnosis, resolve_hosting

__all__ = ["Extras", "extra_kpis", "plan_extras"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Extras:
    """What :func:`plan_extras` produced (each None when the scenario did not ask for it).

    Attributes
    ----------
    flows : netopt.flows.Flows or None
        The run's patient flows (after hosting; None for a plan without a choice set).
    hosting : netopt.hosting.Hosting or None
    diagnosis : netopt.diagnosis.DiagnosisPlan or None
        With its ``courier`` (:class:`netopt.diagnosis.CourierPlan`) when planned.
    costs : netopt.costs.CostBreakdown or None
    courier_problems : tuple of str
        What :func:`netopt.diagnosis.check_courier` found (empty: the routes are valid).
    """

    flows: Flows | None = None
    hosting: Hosting | None = None
    diagnosis: DiagnosisPlan | None = None
    costs: CostBreakdown | None = None
    courier_problems: tuple[str, ...] = ()


def _courier(
    graph: TravelGraph, diagnosis: DiagnosisPlan, params: Any, step: Any
) -> tuple[Any, list[str]]:
    """The courier routes of the laboratory centres and the validator's findings."""
    options = diagnosis.options
    lab = options.services.get("laboratory")
    if options.courier is None or lab is None or not lab.moves_samples:
        return None, []
    senders = diagnosis.assignments[diagnosis.assignments["service"] == "laboratory"]
    if len(senders) == 0:
        return None, []
    step("courier routes")
    courier = plan_courier(graph, diagnosis, options=options.courier, params=params)
    samples = dict(zip(senders["sender_id"].astype(str), senders["samples_per_day"], strict=True))
    problems = check_courier(
        courier, graph, samples, options.courier.capacity_samples, courier.window_min
    )
    for p in problems:
        logger.warning("courier routes: %s", p)
    return courier, problems


def plan_extras(
    scenario: Any,
    region: Region,
    graph: TravelGraph,
    plan: Any,
    schedule: Any,
    *,
    step: Any = None,
) -> Extras:
    """Plan the scenario's hosting, diagnosis centres, courier routes and costs.

    Parameters
    ----------
    scenario : netopt.scenario.Scenario
        Its ``hosting``, ``diagnosis``, ``costs`` and ``solver``.
    region : Region
    graph : TravelGraph
        The scenario's network (after its modifiers).
    plan : netopt.alliances.AlliancePlan
    schedule : netopt.rotations.RotationSchedule or None
    step : callable, optional
        Called with the name of each step that runs (progress).

    Returns
    -------
    Extras

    Raises
    ------
    DataError
        A bad table of region.toml or of the scenario, an unknown facility id.
    """
    step = step if step is not None else (lambda name: None)
    source = str(scenario.source or scenario.name)
    flows = plan_flows(plan, schedule)
    hosting = None
    host_options = resolve_hosting(region, scenario.hosting, source=source)
    if host_options is not None and flows is not None:
        step("hosting")
        hosting = plan_hosting(plan, options=host_options, flows=flows, params=scenario.solver)
        flows = hosting.flows
    diagnosis, problems = None, []
    diag_options = resolve_diagnosis(region, scenario.diagnosis, source=source)
    if diag_options is not None:
        step("diagnosis centres")
        diagnosis = plan_diagnosis(plan, graph, options=diag_options, params=scenario.solver)
        courier, problems = _courier(graph, diagnosis, scenario.solver, step)
        if courier is not None:
            diagnosis = dataclasses.replace(diagnosis, courier=courier)
    costs = None
    cost_options = resolve_costs(region, scenario.costs, source=source)
    if cost_options is not None:
        step("costs")
        costs = cost_breakdown(
            plan,
            flows=flows,
            schedule=schedule,
            diagnosis=diagnosis,
            graph=graph,
            costs=cost_options,
        )
        logger.info("scenario %s: %s", scenario.name, costs.summary())
    return Extras(flows, hosting, diagnosis, costs, tuple(problems))


#: The age counted for the samples of a sender no courier route serves: they wait for the
#: next day's run at least (a day), so an unserved stop never lowers the oldest sample.
UNSERVED_SAMPLE_AGE_MIN = 1440.0


def _oldest_sample(ages: np.ndarray, unserved: int) -> float:
    """The oldest sample on arrival: the routes' largest age, at least a day when a sender is
    left unserved; NaN with neither routes nor unserved senders."""
    candidates = [float(ages.max())] if len(ages) else []
    candidates += [UNSERVED_SAMPLE_AGE_MIN] if unserved else []
    return max(candidates) if candidates else np.nan


def extra_kpis(extras: Extras) -> dict[str, float]:
    """The flat KPIs the extra steps add (the flow KPIs after hosting come from
    :func:`netopt.kpis.plan_kpis` with :attr:`Extras.flows`).

    Parameters
    ----------
    extras : Extras

    Returns
    -------
    dict
        With hosting :data:`netopt.hosting.HOSTING_KPIS`;
        with costs ``cost_total_yuan``, ``cost_charged_yuan``, ``cost_budget_yuan``,
        ``cost_balance_yuan``, ``cost_per_resident_yuan``; with diagnosis
        ``diagnosis_senders_outside_window`` and, with a courier, ``courier_routes``,
        ``courier_unserved_stops``, ``courier_max_sample_age_min`` (at least
        :data:`UNSERVED_SAMPLE_AGE_MIN` when a sender is unserved).
    """
    out: dict[str, float] = {}
    if extras.hosting is not None:
        out.update(extras.hosting.kpis())
    if extras.costs is not None:
        out.update(extras.costs.kpis())
        out["cost_budget_yuan"] = float(extras.costs.budget_yuan)
    diagnosis = extras.diagnosis
    if diagnosis is not None:
        within = diagnosis.assignments["within_window"].astype(bool)
        out["diagnosis_senders_outside_window"] = float((~within).sum())
        courier = diagnosis.courier
        if courier is not None:
            ages = courier.routes["max_sample_age_min"].to_numpy(float)
            out["courier_routes"] = float(len(courier.routes))
            out["courier_unserved_stops"] = float(len(courier.unserved))
            out["courier_max_sample_age_min"] = _oldest_sample(ages, len(courier.unserved))
    return out
