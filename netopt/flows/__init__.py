r"""Patient flows: who goes where for which care, and how many stay in the area.

The package works on plain arrays (Z zones, F facilities, L care levels) and has six parts:

**Care levels** (:mod:`~netopt.flows.levels`). A visit is of one of five levels
(:data:`CARE_LEVELS`): grassroots (primary) care, hospital outpatient care, inpatient care,
emergencies and recurring treatment (dialysis, oncology follow-up). :class:`DemandRates` holds
the visits per resident per year at each level and :func:`zone_demand` turns a population
into a (Z, L) need. Sources: National Health Commission, *Statistical Bulletin on the
Development of Health Care in China 2023*: 9.55 billion visits (4.26 billion at hospitals,
4.94 billion at grassroots institutions), 6.8 visits per resident, 301.87 million admissions,
an admission rate of 21.4 %. The split of the 6.8 visits into levels is an ESTIMATE (75 %
suited to primary care), as are the emergency and recurring rates.

**Choice model** (:mod:`~netopt.flows.choice`). A multinomial logit (McFadden 1974) over the
eligible, reachable facilities (:func:`eligibility`): the utility of facility :math:`j` for
zone :math:`i` at level :math:`l` is

.. math::

    V_{lij} = \beta_t t_{ij} + \gamma \ln S_{jl} + c_g [j\ \text{grassroots},\ l =
        \text{grassroots}] + c_o [j\ \text{outside the area}] + b_\ell [j = \text{lead}(i)]
        + b_e [j\ \text{expert clinic}]

and :math:`p_{lij} = e^{V_{lij}} / \sum_k e^{V_{lik}}` (:func:`choice_probabilities`, a stable
softmax; :func:`choice_weights` gives :math:`e^V` for the share-capture MILP). With
:math:`\beta_t = 0` and :math:`\gamma = 1` it is Huff's (1964) gravity model. The default
coefficients (:class:`ChoiceParams`) are ESTIMATES meant to be calibrated.

**Flows** (:mod:`~netopt.flows.model`). :func:`patient_flows` gives the expected yearly visits
:math:`x_{lij} = d_{il} p_{lij}` as :class:`Flows`, whose :meth:`~Flows.kpis` are the in-area
share, the grassroots share, the transfers out, the patient-hours of travel and the visits.

**Calibration** (:mod:`~netopt.flows.calibrate`). :func:`calibrate` fits free coefficients to
reported figures (:class:`Observed`) by least squares with delta-method standard errors;
:func:`fit_flows` fits them to observed visit counts by maximum likelihood.

**Access** (:mod:`~netopt.flows.access`). Two-step floating catchment area access
(:func:`two_step_fca`) and whether the nearest eligible facility lies within a care level's
time window (:func:`timely_access`, :data:`ACCESS_WINDOWS_MIN`).

**Costs per visit** (:mod:`~netopt.flows.visit_costs`). :class:`VisitCosts` prices a visit
of each level at each facility for the cost items that move with the flows
(:data:`VISIT_ITEMS`), so that a decision moving the flows (upgrades) can weigh them;
:func:`visit_geometry` gives the road km and ferry crossings of the fastest paths.
"""

from netopt.flows.access import ACCESS_WINDOWS_MIN, timely_access, two_step_fca
from netopt.flows.calibrate import FIGURES, Calibration, Observed, calibrate, fit_flows
from netopt.flows.choice import (
    COEFFICIENTS,
    EXPERT_LEVELS,
    ChoiceParams,
    ChoiceSet,
    choice_probabilities,
    choice_weights,
    eligibility,
    size,
    utilities,
)
from netopt.flows.levels import (
    CARE_LEVELS,
    GRASSROOTS_TIERS,
    HOSPITAL_TIERS,
    TRANSFER_LEVELS,
    DemandRates,
    zone_demand,
)
from netopt.flows.model import FLOW_KPIS, Flows, patient_flows
from netopt.flows.visit_costs import VISIT_ITEMS, VisitCosts, visit_geometry

__all__ = [
    "ACCESS_WINDOWS_MIN",
    "CARE_LEVELS",
    "COEFFICIENTS",
    "EXPERT_LEVELS",
    "FIGURES",
    "FLOW_KPIS",
    "GRASSROOTS_TIERS",
    "HOSPITAL_TIERS",
    "TRANSFER_LEVELS",
    "VISIT_ITEMS",
    "Calibration",
    "ChoiceParams",
    "ChoiceSet",
    "DemandRates",
    "Flows",
    "Observed",
    "VisitCosts",
    "calibrate",
    "choice_probabilities",
    "choice_weights",
    "eligibility",
    "fit_flows",
    "patient_flows",
    "size",
    "timely_access",
    "two_step_fca",
    "utilities",
    "visit_geometry",
    "zone_demand",
]
