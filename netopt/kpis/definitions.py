"""The one list of KPIs: label, unit, definition, direction and where each is shown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "KPIS",
    "KPI_BY_KEY",
    "PATHWAY_CONDITIONS",
    "PATHWAY_KPIS",
    "POPULATION_COUNTS",
    "VIEWS",
    "Kpi",
    "kpi_info",
    "kpis_in",
    "pathway_kpi",
]


@dataclass(frozen=True)
class Kpi:
    """One key performance indicator: what it is called, measured in, means, and which way is
    better.

    Parameters
    ----------
    key : str
        The key in ``kpis.json`` and in :func:`plan_kpis`'s result.
    label : str
        Short English label (the message catalogue translates it).
    unit : str
        ``"min"``, ``"share"`` (0..1), ``"people"``, ``"h/year"`` ...
    definition : str
        How it is computed, from the columns of the assignments table.
    better : {"lower", "higher"} or None
        Which direction is an improvement; None for a context figure (population, effort).
    views : frozenset of str
        Where it is shown: ``"headline"`` (CLI summary, baseline rows of a comparison,
        first in reports), ``"chart"`` (bar charts of the comparison report), ``"panel"``
        (the KPI panel of the maps).
    outcome : bool, default False
        True for a *choice outcome*: where patients choose to be treated (the share inside
        the county, at grassroots level, ...). Such a KPI can move either way when access
        worsens (islanders who cannot reach the county hospital in a storm are treated at
        their township centre, which raises the grassroots share), so it is never read as
        an access measure; the access KPIs beside it (times, timely care) only worsen.
    """

    key: str
    label: str
    unit: str
    definition: str
    better: str | None = None
    views: frozenset[str] = frozenset()
    outcome: bool = False

    def __post_init__(self) -> None:
        if self.better not in (None, "lower", "higher"):
            raise ValueError(f"Kpi {self.key}: better must be 'lower', 'higher' or None")
        unknown = set(self.views) - set(VIEWS)
        if unknown:
            raise ValueError(f"Kpi {self.key}: unknown views {sorted(unknown)}; valid {VIEWS}")


#: Where a KPI can be shown (see :class:`Kpi`).
VIEWS: tuple[str, ...] = ("headline", "chart", "panel")

#: Every KPI netopt computes, in display order: the one list that the report, the maps, the
#: comparison and the CLI read. Its definitions are the documentation.
KPIS: tuple[Kpi, ...] = (
    Kpi(
        "population",
        "Population",
        "people",
        "sum of zone populations",
        better=None,
        views=frozenset(["panel"]),
    ),
    Kpi(
        "population_cut_off",
        "Cut off until a closed crossing reopens",
        "people",
        "population of zones that reach their primary facility or lead only after a closed crossing (storm, night) runs again; they count in every KPI with that wait, and as not covered",
        better="lower",
        views=frozenset(["panel"]),
    ),
    Kpi(
        "mean_primary_min",
        "Mean travel time to primary facility",
        "min",
        "population-weighted mean of t_primary_min over all zones",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "p90_primary_min",
        "90th percentile travel time to primary facility",
        "min",
        "population-weighted 90th percentile of t_primary_min over all zones",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "mean_lead_min",
        "Mean travel time to the alliance lead",
        "min",
        "population-weighted mean of t_lead_min over all zones",
        better="lower",
        views=frozenset(["headline", "chart", "panel"]),
    ),
    Kpi(
        "p90_lead_min",
        "90th percentile travel time to the alliance lead",
        "min",
        "population-weighted 90th percentile of t_lead_min over all zones",
        better="lower",
        views=frozenset(["headline", "chart", "panel"]),
    ),
    Kpi(
        "max_lead_min",
        "Longest travel time to the lead",
        "min",
        "max of t_lead_min over all zones",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "share_lead_30min",
        "Population within 30 min of its lead",
        "share",
        "population with t_lead_min <= 30 / total population",
        better="higher",
        views=frozenset(["panel"]),
    ),
    Kpi(
        "share_lead_60min",
        "Population within 60 min of its lead",
        "share",
        "population with t_lead_min <= 60 / total population",
        better="higher",
        views=frozenset(["headline", "chart", "panel"]),
    ),
    Kpi(
        "share_any_lead_60min",
        "Population within 60 min of any lead",
        "share",
        "population with t_nearest_lead_min <= 60 / total population",
        better="higher",
        views=frozenset(["panel"]),
    ),
    Kpi(
        "patient_hours_per_year",
        "Patient-hours travelled per year",
        "h/year",
        "sum of population x (primary_visits_per_year x 2 t_primary_min + referrals_per_year x 2 t_lead_min) / 60, round trips, all zones",
        better="lower",
        views=frozenset(["headline", "chart", "panel"]),
    ),
    Kpi(
        "in_area_share",
        "Visits inside the county",
        "share",
        "visits at facilities inside the planning area / all visits, from the patient flows (every care level, every resident; target 0.90)",
        better="higher",
        views=frozenset(["headline", "panel"]),
        outcome=True,
    ),
    Kpi(
        "grassroots_share",
        "Visits at grassroots level",
        "share",
        "visits at township and village facilities (expert clinics and upgraded sub-centres included) / all visits, from the patient flows (target 0.65)",
        better="higher",
        views=frozenset(["headline", "panel"]),
        outcome=True,
    ),
    Kpi(
        "transfers_out_per_year",
        "Hospital care leaving the county",
        "visits/year",
        "inpatient admissions, emergencies and recurring specialist visits at facilities outside the planning area, per year, from the patient flows",
        better="lower",
        views=frozenset(["headline", "panel"]),
        outcome=True,
    ),
    Kpi(
        "flow_patient_hours_per_year",
        "Patient-hours of all visits per year",
        "h/year",
        "sum over care levels, zones and facilities of visits x 2 x travel minutes / 60, from the patient flows (round trips, waits for closed crossings included)",
        better="lower",
        views=frozenset(["panel"]),
        outcome=True,
    ),
    Kpi(
        "share_timely_care",
        "Care needs within reach in time",
        "share",
        "demand whose nearest facility able to give its care level lies within the level's window (grassroots 15 min, emergency 30 min, hospital care 60 min) / all demand",
        better="higher",
        views=frozenset(["headline", "panel"]),
    ),
    Kpi(
        "visits_per_year",
        "Visits per year",
        "visits/year",
        "all care needs of all residents, by the demand rates (every resident counts)",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "population_served",
        "Served within the limits",
        "people",
        "population not cut off, within the travel limit of its lead, and with lead capacity for its referrals",
        better="higher",
        views=frozenset(["headline"]),
    ),
    Kpi(
        "population_unserved_capacity",
        "Unserved for lack of capacity",
        "people",
        "population x (1 - capacity_served) over all zones: referrals beyond the lead's capacity, in people (a property of the plan: worse access does not change it)",
        better="lower",
        views=frozenset(["headline", "panel"]),
    ),
    Kpi(
        "population_not_covered",
        "Not covered within the travel limit",
        "people",
        "population x capacity_served of zones beyond the travel-time limit to their lead, or cut off (the rest of the population after served and unserved for lack of capacity)",
        better="lower",
        views=frozenset(["headline", "chart", "panel"]),
    ),
    Kpi(
        "mean_lead_min_island",
        "Island residents: mean travel time to the lead",
        "min",
        "mean_lead_min over island zones",
        better="lower",
        views=frozenset(["headline", "chart", "panel"]),
    ),
    Kpi(
        "share_lead_60min_island",
        "Island residents within 60 min of their lead",
        "share",
        "share_lead_60min over island zones",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "mean_primary_min_island",
        "Island residents: mean travel time to primary facility",
        "min",
        "mean_primary_min over island zones",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "patient_hours_per_year_island",
        "Island residents: patient-hours per year",
        "h/year",
        "patient_hours_per_year over island zones",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "grassroots_share_island",
        "Island residents: visits at grassroots level",
        "share",
        "grassroots_share over island zones",
        better="higher",
        views=frozenset([]),
        outcome=True,
    ),
    Kpi(
        "share_timely_care_island",
        "Island residents: care needs within reach in time",
        "share",
        "share_timely_care over island zones",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "expert_days",
        "Expert outreach days",
        "days",
        "visits in the rotation schedule, in expert-days",
        better=None,
        views=frozenset(["panel"]),
    ),
    Kpi(
        "patients_seen_locally",
        "Patients seen locally by visiting experts",
        "patients",
        "sum of expected_patients over the schedule's visits, per horizon",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "patient_hours_saved",
        "Patient-hours saved by rotation",
        "h/period",
        "patients seen locally by visiting experts x their round trip to the lead, per horizon",
        better="higher",
        views=frozenset(["panel"]),
    ),
    Kpi(
        "hosting_followup_patient_hours_saved_per_year",
        "Patient-hours saved by follow-ups brought home",
        "h/year",
        "follow-up visits a hosting partner's plan lets the county hospital give x the "
        "round trip saved (partner minus county hospital), a year",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "hosting_referrals_up_per_year",
        "Referrals up to hosting partners",
        "visits/year",
        "visits at the referral levels that the hosting partners receive from their leads' "
        "zones, a year",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "hosting_county_added_load_per_year",
        "Load added to hosted county hospitals",
        "visits/year",
        "follow-up visits brought home to the hosted county hospitals, a year",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "hosting_links",
        "Hosting links",
        "links",
        "partner -> county lead links applied (given or chosen)",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "hosting_redirected_per_year",
        "Referrals redirected to hosting partners",
        "visits/year",
        "referral-level visits that went to other outside hospitals before hosting and go to the partner after, a year",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "hosting_referral_patient_hours_saved_per_year",
        "Patient-hours saved by referrals up",
        "h/year",
        "redirected visits x the round trip saved (the other outside hospital minus the partner), a year",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "hosting_followups_home_per_year",
        "Follow-ups brought home",
        "visits/year",
        "follow-up visits at a hosting partner that take place at the hosted county hospital instead, a year",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "hosting_followup_patient_hours_saved_per_year_island",
        "Island residents: patient-hours saved by follow-ups brought home",
        "h/year",
        "hosting_followup_patient_hours_saved_per_year over island zones",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "hosting_patient_hours_saved_per_year",
        "Patient-hours saved by hosting",
        "h/year",
        "follow-up and referral patient-hours saved by the hosting links, a year",
        better="higher",
        views=frozenset([]),
    ),
    Kpi(
        "cost_total_yuan",
        "Total cost per year",
        "yuan/year",
        "sum of the cost items (costs.csv): care, transfers, expert outreach, diagnosis "
        "centres and tests, courier, annualised upgrades, patients' travel and time",
        better="lower",
        views=frozenset([]),
        outcome=True,
    ),
    Kpi(
        "cost_charged_yuan",
        "Cost charged to the budget per year",
        "yuan/year",
        "sum of the cost items paid from the group's budget (patients' travel and time left out)",
        better="lower",
        views=frozenset([]),
        outcome=True,
    ),
    Kpi(
        "cost_budget_yuan",
        "Capitated budget per year",
        "yuan/year",
        "the budget stated by the scenario (per resident x residents, or in total)",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "cost_balance_yuan",
        "Budget balance per year",
        "yuan/year",
        "budget minus the cost charged to it: positive is kept by the group, negative is an "
        "overrun",
        better="higher",
        views=frozenset([]),
        outcome=True,
    ),
    Kpi(
        "cost_per_resident_yuan",
        "Total cost per resident",
        "yuan",
        "total cost per year / residents",
        better="lower",
        views=frozenset([]),
        outcome=True,
    ),
    Kpi(
        "diagnosis_senders_outside_window",
        "Senders whose samples miss the window",
        "facilities",
        "sending facilities that reach no laboratory centre within the sample window",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "courier_routes",
        "Courier routes per day",
        "routes",
        "daily courier routes from the laboratory centres",
        better=None,
        views=frozenset([]),
    ),
    Kpi(
        "courier_unserved_stops",
        "Stops no courier can serve in the window",
        "facilities",
        "senders with samples that no courier route picks up within the window",
        better="lower",
        views=frozenset([]),
    ),
    Kpi(
        "courier_max_sample_age_min",
        "Oldest sample on arrival at the laboratory",
        "min",
        "largest minutes from pickup to the laboratory over the courier routes, simulated "
        "on the ferry timetables; a sender no route serves counts a day (1,440 min: its "
        "samples wait for the next day's run)",
        better="lower",
        views=frozenset([]),
    ),
)

#: KPI key -> :class:`Kpi`.
KPI_BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}


def kpis_in(view: str, *, order: Sequence[str] | None = None) -> tuple[Kpi, ...]:
    """Return the KPIs shown in one view, in display order.

    Parameters
    ----------
    view : {"headline", "chart", "panel"}
        See :class:`Kpi`.
    order : sequence of str, optional
        Keys in the order to return (default: the order of :data:`KPIS`).

    Returns
    -------
    tuple of Kpi

    Raises
    ------
    ValueError
        If the view is unknown.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown KPI view {view!r}; use one of {VIEWS}")
    chosen = [k for k in KPIS if view in k.views]
    if order is not None:
        rank = {key: i for i, key in enumerate(order)}
        chosen.sort(key=lambda k: rank.get(k.key, len(rank)))
    return tuple(chosen)


def kpi_info(key: str) -> Kpi:
    """Return the :class:`Kpi` of ``key``; an undocumented key gets a plain label.

    Parameters
    ----------
    key : str

    Returns
    -------
    Kpi
    """
    return KPI_BY_KEY.get(key) or pathway_kpi(key) or Kpi(key, key.replace("_", " "), "", "")


#: Short labels of the default time-critical conditions (:data:`netopt.pathways.CONDITIONS`)
#: for the pathway KPIs; a region's own condition is labelled by its key.
PATHWAY_CONDITIONS: dict[str, str] = {
    "stroke": "Stroke (IV thrombolysis)",
    "stemi": "STEMI (primary PCI)",
    "pulmonary_embolism": "High-risk pulmonary embolism (reperfusion)",
    "major_trauma": "Major trauma (trauma centre)",
    "obstetric_haemorrhage": "Obstetric haemorrhage (definitive care)",
}
_PATHWAY_KEY = re.compile(
    r"pathway_(?P<cond>\w+?)_(?P<what>in_time|median_min)_(?P<period>day|night)"
)
_PERIODS = ("day", "night")


def pathway_kpi(key: str) -> Kpi | None:
    """The :class:`Kpi` of a flat pathway KPI key, else None.

    The pathway KPIs are made per condition (a region may add its own), so they are not in
    the static :data:`KPIS`: ``pathway_<cond>_in_time_<period>`` is the share of ALL residents
    treated within the condition's window (``"share"``, higher is better) and
    ``pathway_<cond>_median_min_<period>`` the population median of minutes from onset to
    treatment (``"min"``, lower is better), for ``period`` ``day`` or ``night``
    (:meth:`netopt.pathways.Pathways.kpis`).

    Parameters
    ----------
    key : str

    Returns
    -------
    Kpi or None

    Examples
    --------
    >>> pathway_kpi("pathway_stroke_in_time_night").label
    'Stroke (IV thrombolysis) in time, night'
    """
    match = _PATHWAY_KEY.fullmatch(key)
    if match is None:
        return None
    cond, period = match["cond"], match["period"]
    name = PATHWAY_CONDITIONS.get(cond, cond.replace("_", " ").capitalize())
    if match["what"] == "in_time":
        return Kpi(
            key,
            f"{name} in time, {period}",
            "share",
            f"share of all residents treated within the {cond} window by {period} "
            "(dispatch, drive, transfer or air, door to treatment)",
            better="higher",
        )
    return Kpi(
        key,
        f"{name} median minutes to treatment, {period}",
        "min",
        f"population median of minutes from onset to {cond} treatment by {period}",
        better="lower",
    )


#: The pathway KPIs of the default conditions (their labels are in the message catalogue).
PATHWAY_KPIS: tuple[Kpi, ...] = tuple(
    k
    for cond in PATHWAY_CONDITIONS
    for what in ("in_time", "median_min")
    for period in _PERIODS
    if (k := pathway_kpi(f"pathway_{cond}_{what}_{period}")) is not None
)


#: The three population counts, which add up to the total population.
POPULATION_COUNTS: tuple[str, ...] = (
    "population_served",
    "population_unserved_capacity",
    "population_not_covered",
)
