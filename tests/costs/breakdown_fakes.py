"""Small fake plans, flows, schedules, diagnosis centres and courier routes for the cost
tests, with the columns of the #14 spec (no dependency on the diagnosis code)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from netopt.flows import CARE_LEVELS, ChoiceSet, Flows


def fake_flows(visits, minutes, tier, in_area, *, facility_ids=()):
    """Flows on a choice set built from plain arrays."""
    visits = np.asarray(visits, dtype=float)
    _, z, f = visits.shape
    cs = ChoiceSet(
        minutes=np.asarray(minutes, dtype=float),
        tier=np.asarray(tier),
        beds=np.full(f, 100.0),
        outpatients=np.full(f, 100.0),
        in_area=np.asarray(in_area, dtype=bool),
        lead_of_zone=np.full(z, -1),
        facility_ids=tuple(facility_ids),
    )
    return Flows(visits=visits, choice_set=cs, demand=visits.sum(axis=2).T)


def fake_plan(zone_leads, population, facility_leads, *, leads=None, upgrades=None):
    """A plan-like object: zones (lead, population), facilities (lead), leads, upgrades."""
    zones = pd.DataFrame(
        {"population": np.asarray(population, dtype=float), "lead": list(zone_leads)},
        index=pd.Index([f"Z{i}" for i in range(len(zone_leads))], name="id"),
    )
    facilities = pd.DataFrame(
        {"lead": list(facility_leads.values())}, index=pd.Index(list(facility_leads), name="id")
    )
    if leads is None:
        leads = tuple(dict.fromkeys(x for x in facility_leads.values() if x))
    return SimpleNamespace(
        zones=zones,
        facilities=facilities,
        leads=tuple(leads),
        upgrades=upgrades if upgrades is not None else pd.DataFrame(),
    )


def fake_schedule(rows, *, horizon_days=28, homes=None):
    """A schedule-like object from visit rows (expert, site, lead, travel minutes, nights)."""
    visits = pd.DataFrame(
        rows,
        columns=["expert", "site", "lead", "travel_out_min", "travel_back_min", "lodging_days"],
    )
    experts = pd.DataFrame({"home": pd.Series(homes or {}, dtype=object)})
    return SimpleNamespace(visits=visits, experts=experts, settings={"horizon_days": horizon_days})


def fake_diagnosis(rows, courier=None):
    """A DiagnosisPlan-like object with a centres table."""
    centres = pd.DataFrame(
        rows,
        columns=["service", "facility_id", "tests_per_year", "fixed_cost_yuan", "test_cost_yuan"],
    )
    return SimpleNamespace(centres=centres, courier=courier)


def fake_courier(rows, runs_per_year=None):
    """A CourierPlan-like object with a routes table (and options.runs_per_year if given)."""
    routes = pd.DataFrame(rows, columns=["centre_id", "route", "km", "hours", "ferry_crossings"])
    out = SimpleNamespace(routes=routes)
    if runs_per_year is not None:
        out.options = SimpleNamespace(runs_per_year=runs_per_year)
    return out


LEVELS = len(CARE_LEVELS)
