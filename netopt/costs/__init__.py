"""What a configuration costs in yuan a year, and the capitated budget (issue #14).

* :class:`Costs` (:mod:`~netopt.costs.prices`): unit prices with their sources or marked
  ESTIMATE / ILLUSTRATIVE, the budget and the objective; ``region.toml [costs]`` and a
  scenario's ``[costs]``.
* :mod:`~netopt.costs.items`: one small pure function per cost item, on arrays.
* :func:`cost_breakdown` (:mod:`~netopt.costs.breakdown`): every item, by alliance, against
  the budget (:class:`Budget`): a :class:`CostBreakdown` (``costs.csv``, kpis.json
  ``"costs"``).
* :meth:`Costs.visit_costs`: the prices a decision that moves the patient flows weighs
  (:class:`netopt.flows.VisitCosts`); a scenario's ``[costs] objective`` uses them
  (:mod:`netopt.scenario.cost_objective`).
"""

from netopt.costs.breakdown import ITEM_COLUMNS, CostBreakdown, cost_breakdown
from netopt.costs.budget import Budget, money_text
from netopt.costs.items import REGION_ROW
from netopt.costs.prices import (
    BUDGET_ITEMS,
    CARE_PLACES,
    ITEM_LABELS,
    ITEMS,
    OBJECTIVES,
    PAID_BY,
    SOURCED,
    CarePrices,
    Costs,
)

__all__ = [
    "BUDGET_ITEMS",
    "CARE_PLACES",
    "ITEMS",
    "ITEM_COLUMNS",
    "ITEM_LABELS",
    "OBJECTIVES",
    "PAID_BY",
    "REGION_ROW",
    "SOURCED",
    "Budget",
    "CarePrices",
    "CostBreakdown",
    "Costs",
    "cost_breakdown",
    "money_text",
]
