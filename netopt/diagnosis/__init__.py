"""Shared diagnosis centres (laboratory, imaging, ECG) as a second location layer.

:func:`plan_diagnosis` chooses, for each service of :data:`SERVICES`, which facilities host
a centre among the candidates (existing centres kept) and which centre each sending
facility uses (:class:`DiagnosisPlan`); samples travel by courier within a time window,
images and traces are sent as data. The services and their default rates and costs are in
:mod:`netopt.diagnosis.services` (:class:`Service`, every default an ESTIMATE), the
settings in :class:`DiagnosisOptions`.
"""

from netopt.diagnosis.centres import (
    ASSIGNMENT_COLUMNS,
    CENTRE_COLUMNS,
    DiagnosisPlan,
    plan_diagnosis,
)
from netopt.diagnosis.options import DiagnosisOptions
from netopt.diagnosis.services import DEFAULT_SERVICES, SERVICES, WORKING_DAYS, Service

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "CENTRE_COLUMNS",
    "DEFAULT_SERVICES",
    "SERVICES",
    "WORKING_DAYS",
    "DiagnosisOptions",
    "DiagnosisPlan",
    "Service",
    "plan_diagnosis",
]

# H3: courier routes
from netopt.diagnosis.check import check_courier
from netopt.diagnosis.courier import CourierOptions, CourierPlan, plan_courier

__all__ += ["CourierOptions", "CourierPlan", "check_courier", "plan_courier"]
