"""Key performance indicators of an alliance plan and a rotation schedule, each defined once.

Every KPI is computed from one table with a row per resident zone (the ``assignments`` table
that ``netopt run`` writes as ``assignments.csv``), so the numbers in ``kpis.json`` can be
recomputed by anyone from that file. Times are one-way travel times in minutes; patient-hours
count the round trip. Population-weighted statistics use the zone population as weight.

Columns of the assignments table (see :data:`ASSIGNMENT_COLUMNS`):

``zone``, ``population``, ``island`` (bool), ``primary`` (facility id), ``lead`` (facility id
of the zone's alliance lead, empty if unreachable), ``t_primary_min``, ``t_lead_min``,
``t_nearest_lead_min`` (to the nearest chosen lead), ``t_nearest_candidate_min`` (to the
nearest lead-capable hospital, the naive baseline), ``lead_in_area`` (bool: the lead lies
inside the planning area), ``nearest_candidate_in_area`` (bool: so does that nearest
lead-capable hospital), ``reachable`` (bool: the zone reaches its primary facility and its
lead on the network as it runs now), ``cut_off`` (bool: it does so only after a closed crossing, a storm or the night,
runs again), ``within_limit`` (bool: reachable and the lead within the travel-time limit),
``capacity_served`` (share of the zone's referrals the lead has capacity for, 0..1).

Every resident counts in every KPI. A cut-off zone's times include the expected wait until
its crossing reopens (:func:`netopt.graph.close_ferry`, :func:`netopt.graph.at_night`), so it
is never left out of a mean, a percentile, a share or the patient-hours; it is also counted
(``population_cut_off``) and is never "covered".

Where care happens (the share inside the county, at grassroots level, transfers out) comes
from the patient flows of :mod:`netopt.flows`: :mod:`~netopt.kpis.flow_kpis` computes them
from the plan's choice set and the rotation schedule's visiting experts.

The package has three parts: :mod:`~netopt.kpis.definitions` (the one list :data:`KPIS`, with
label, unit, definition, direction and views), :mod:`~netopt.kpis.rates` (:class:`Rates`) and
:mod:`~netopt.kpis.formulas` (the formulas and :func:`plan_kpis`, the one KPI function that the
planner and the scenario runner call).
"""

from netopt.kpis.definitions import (
    KPI_BY_KEY,
    KPIS,
    PATHWAY_CONDITIONS,
    PATHWAY_KPIS,
    POPULATION_COUNTS,
    VIEWS,
    Kpi,
    kpi_info,
    kpis_in,
    pathway_kpi,
)
from netopt.kpis.flow_kpis import expert_days_per_year, flow_kpis, plan_flows
from netopt.kpis.formulas import (
    ASSIGNMENT_COLUMNS,
    baseline_kpis,
    local_visits_per_year,
    plan_kpis,
    population_counts,
    rotation_kpis,
    weighted_quantile,
    zone_kpis,
)
from netopt.kpis.rates import Rates

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "KPIS",
    "KPI_BY_KEY",
    "PATHWAY_CONDITIONS",
    "PATHWAY_KPIS",
    "POPULATION_COUNTS",
    "VIEWS",
    "Kpi",
    "Rates",
    "baseline_kpis",
    "expert_days_per_year",
    "flow_kpis",
    "kpi_info",
    "kpis_in",
    "local_visits_per_year",
    "pathway_kpi",
    "plan_flows",
    "plan_kpis",
    "population_counts",
    "rotation_kpis",
    "weighted_quantile",
    "zone_kpis",
]
