r"""Time-critical referral pathways: who reaches a capable centre within the treatment window.

The package works on plain arrays (Z zones, F facilities) and has four parts:

**Conditions** (:mod:`~netopt.pathways.conditions`). A :class:`Condition` has a treatment
window, its in-hospital part and the capability groups that treat it (any one group, all of
its capabilities, from :data:`CAPABILITIES`; a stroke centre implies thrombolysis). The
defaults (:data:`CONDITIONS`) and their sources:

- stroke: IV thrombolysis within 4.5 h (270 min) of onset, door-to-needle 60 min (AHA/ASA
  2019; ESO 2021; Chinese Stroke Association 2018);
- stemi: primary PCI within 120 min of first medical contact (ESC 2017/2023; Chinese Society
  of Cardiology 2019), 30 min in hospital with a pre-alert (ESTIMATE);
- pulmonary_embolism: reperfusion of high-risk PE "without delay" (ESC 2019); 120 min and
  30 min in hospital are ESTIMATES;
- major_trauma: the "golden hour" to a trauma centre (ACS-COT convention; ESTIMATE);
- obstetric_haemorrhage: definitive care within the first hour (WHO postpartum haemorrhage
  guidance; ESTIMATE), 15 min in hospital.

``region.toml [conditions.<key>]`` overrides them (:func:`conditions_for`).

**Options** (:mod:`~netopt.pathways.options`). :class:`PathwayOptions`: the conditions, the
day and night clocks, the ambulance dispatch (12 min) and handover (15 min) ESTIMATES from
``region.toml [ambulance]``, and the transfer modes (:class:`TransferMode`, a helicopter) from
``[[transfer_modes]]``.

**Model** (:mod:`~netopt.pathways.model`). For zone :math:`z`, capable centres :math:`C`,
first facilities :math:`P` and :math:`p(z)` the nearest of them:

.. math::

    T_z = d + \min\Bigl( \min_{f \in C} t_{zf},\;
        t_{z p(z)} + h + \min_{f \in C} t_{p(z) f},\;
        \min_{f \in C} a_{zf} \Bigr) + g

(dispatch :math:`d`, handover :math:`h`, door to treatment :math:`g`, air minutes
:math:`a_{zf}` = helicopter dispatch + distance / speed): the routes ``"direct"``,
``"transfer"`` and ``"air"`` (:func:`pathway_minutes`). The share in time is the population
with :math:`T_z \le` window over ALL residents: zones cut off by a closed crossing count with
their reopening times, never dropped (:func:`pathway_summary`).

**Planner** (:mod:`~netopt.pathways.planner`). :func:`plan_pathways` computes the minutes on
the graph by day and on :func:`netopt.graph.at_night` by night (ambulances in
:func:`netopt.graph.emergency_mode`), the helicopter within its hours and weather, and
returns :class:`Pathways` (table, summary, residents not in time by island and township,
:meth:`~Pathways.kpis`).
"""

from netopt.pathways.conditions import (
    CAPABILITIES,
    CONDITIONS,
    IMPLIED,
    Condition,
    capable,
    conditions_for,
    facility_capabilities,
)
from netopt.pathways.model import (
    PERIODS,
    ROUTES,
    PathwayRoutes,
    pathway_by_place,
    pathway_minutes,
    pathway_routes,
    pathway_summary,
    pathway_table,
)
from netopt.pathways.options import (
    DISPATCH_MIN,
    HANDOVER_MIN,
    OBJECTIVES,
    PathwayOptions,
    Siting,
    TransferMode,
)
from netopt.pathways.planner import (
    HOSPITAL_TIERS,
    Pathways,
    air_minutes,
    pathway_times,
    plan_pathways,
)
from netopt.pathways.siting import SitingResult, site_centres, with_capability

__all__ = [
    "CAPABILITIES",
    "CONDITIONS",
    "DISPATCH_MIN",
    "HANDOVER_MIN",
    "HOSPITAL_TIERS",
    "IMPLIED",
    "OBJECTIVES",
    "PERIODS",
    "ROUTES",
    "Condition",
    "PathwayOptions",
    "PathwayRoutes",
    "Pathways",
    "Siting",
    "SitingResult",
    "TransferMode",
    "air_minutes",
    "capable",
    "conditions_for",
    "facility_capabilities",
    "pathway_by_place",
    "pathway_minutes",
    "pathway_routes",
    "pathway_summary",
    "pathway_table",
    "pathway_times",
    "plan_pathways",
    "site_centres",
    "with_capability",
]
