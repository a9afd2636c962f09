"""A scenario's ``[costs] objective``: the upgrade decision minimises the total cost, or the
patient-hours within the budget.

``objective = "report"`` (the default) only reports what a configuration costs. The two
other objectives act on the decision whose cost moves with the patient flows, which
township centres to upgrade to sub-centres (``[model.flows] max_upgrades`` or targets,
:func:`netopt.alliances.upgrades.decide_upgrades`), priced by the run's
:class:`netopt.costs.Costs` (:meth:`~netopt.costs.Costs.visit_costs`, with patients' road km
and ferry crossings along the scenario's graph):

* ``"total_cost"``: the upgrades minimise the yearly yuan of the items they move (care by
  place, transfers, patients' fares and time, the upgrades annualised). The other items
  (outreach, diagnosis, courier) do not depend on the upgrades (they are decided after the
  leads and for them), so this minimises the total.
* ``"patient_hours"``: the upgrades minimise the patient-hours of all visits with the
  charged cost within the budget. The budget left for the items the upgrades move is the
  budget less what the rest of the run charges: a first pass plans as without a budget;
  if its charged cost is within the budget, that plan is the answer (the best
  patient-hours, within budget). Otherwise :func:`decision_budget` takes the first
  pass's charged cost less the items its upgrades moved (as the decision sees them:
  before the rotations' expert days and hosting change the flows) and the second pass
  plans with the rest of the budget. The final balance is the breakdown's, whatever it is:
  an overrun that no choice of upgrades avoids is reported, never hidden.

The leads are chosen on travel time as before, and the diagnosis centres by their own
cost model (:func:`netopt.diagnosis.plan_diagnosis`), whatever the objective.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np

from netopt._errors import DataError, Problem
from netopt.alliances import AllianceOptions
from netopt.costs import CostBreakdown, Costs
from netopt.flows import VISIT_ITEMS, VisitCosts, visit_geometry
from netopt.graph import TravelGraph
from netopt.kpis import plan_flows
from netopt.region import Region

__all__ = ["check_objective", "decision_budget", "moved_charged_yuan", "objective_model"]

logger = logging.getLogger(__name__)


def check_objective(costs: Costs | None, model: AllianceOptions, source: str) -> None:
    """Refuse an objective that has nothing to act on, or a budget objective without budget.

    Parameters
    ----------
    costs : Costs or None
    model : AllianceOptions
    source : str
        The scenario file, named in the error.

    Raises
    ------
    DataError
        Every problem at once, with the fix.
    """
    if costs is None or costs.objective == "report":
        return
    problems = []
    if not model.flows.decides_upgrades:
        problems.append(Problem(
            source, "[costs]", "objective", repr(costs.objective),
            "the cost objective acts on the upgrade decision: set [model.flows] max_upgrades "
            '(facilities with upgrade_beds are the candidates), or use objective = "report"',
        ))  # fmt: skip
    if costs.objective == "patient_hours" and not costs.has_budget:
        problems.append(Problem(
            source, "[costs]", "objective", '"patient_hours"',
            "patient-hours within the budget needs a budget: set budget_per_resident_yuan "
            'or budget_yuan, or use objective = "total_cost"',
        ))  # fmt: skip
    if problems:
        raise DataError(problems)


def objective_model(
    model: AllianceOptions,
    costs: Costs,
    region: Region,
    graph: TravelGraph | None,
    times: np.ndarray,
) -> AllianceOptions:
    """The alliance options with the upgrade decision priced for the cost objective (no
    budget ceiling: a second pass over budget sets ``flows.budget_yuan`` from
    :func:`decision_budget`).

    Parameters
    ----------
    model : AllianceOptions
    costs : Costs
        ``objective`` "total_cost" or "patient_hours".
    region : Region
    graph : TravelGraph or None
        Patients' road km and ferry crossings along its fastest paths.
    times : numpy.ndarray
        Zone x facility seconds (the fallback's minutes).

    Returns
    -------
    AllianceOptions
    """
    km, crossings, notes = visit_geometry(
        graph, list(region.zones.index), list(region.facilities.index),
        np.asarray(times, dtype=float) / 60.0, costs.fallback_speed_kmh,
    )  # fmt: skip
    for text in notes:
        logger.info("cost objective: %s", text)
    flows = dataclasses.replace(
        model.flows,
        objective="total_cost" if costs.objective == "total_cost" else "patient_hours",
        visit_costs=costs.visit_costs(km, crossings),
    )
    return dataclasses.replace(model, flows=flows)


def moved_charged_yuan(plan: Any, prices: VisitCosts) -> float:
    """The charged yuan a year of the items the upgrade decision moves, as it sees them: the
    plan's flows before rotations and hosting, and its upgrades annualised.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
    prices : netopt.flows.VisitCosts

    Returns
    -------
    float
    """
    flows = plan_flows(plan, None)
    total = 0.0
    charged = [i for i in prices.charged if i in VISIT_ITEMS]
    if flows is not None and charged:
        per_visit = prices.per_visit(flows.choice_set, charged)
        total += float((np.asarray(flows.visits, dtype=float) * per_visit).sum())
    table = plan.upgrades
    if "upgrades" in prices.charged and len(table) and "upgraded" in table:
        cost = table.loc[table["upgraded"].astype(bool), "upgrade_cost_yuan"].to_numpy(float)
        total += float(prices.upgrade_yuan(cost).sum())
    return total


def decision_budget(breakdown: CostBreakdown, plan: Any, prices: VisitCosts) -> float:
    """The budget left for the items the upgrades move: the budget less what the run
    charges besides them (outreach, diagnosis, courier, and how rotations and hosting
    change the flows' cost), from a first pass.

    Parameters
    ----------
    breakdown : CostBreakdown
        The first pass's costs (with a budget).
    plan : netopt.alliances.AlliancePlan
        The first pass's plan.
    prices : netopt.flows.VisitCosts
        The prices its decision used.

    Returns
    -------
    float
        May be negative (nothing left): the decision then keeps the overrun least.
    """
    others = breakdown.charged_yuan - moved_charged_yuan(plan, prices)
    return float(breakdown.budget_yuan - others)
