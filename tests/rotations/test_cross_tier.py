"""Rotations across tiers: partner experts at hosted county leads, county experts at townships.

The Hubei pattern (the PLA General Hospital sends a specialist to Tuanfeng county hospital
every half month) on the synthetic region: the tertiary hospital T1 hosts the county lead
C1, its specialists hold clinics at C1 at least once in every 14-day window of a 28-day
horizon, while C1's own experts visit its township centres, all in one CP-SAT schedule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib

import numpy as np
import pandas as pd
import pytest

from netopt._errors import DataError
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import build_graph
from netopt.rotations import (
    RotationOptions,
    rotation_travel,
    schedule_rotations,
    site_needs,
    validate_schedule,
)
from netopt.rotations.needs import COUNTY_TIER, PARTNER_TIER
from netopt.solve.params import SolverParams
from netopt.solve.rotation import RotationInstance, solve_rotation, visit_options

START = dt.date(2026, 3, 2)  # a Monday
STEP = 120  # minutes between return clocks (fewer graphs than the default 60)
CLOCKS = ["08:00", "10:00", "12:00", "14:00", "16:00"]
HOSTED = {"C1": "T1"}  # the county lead C1 is hosted by the tertiary hospital T1
PARAMS = SolverParams(time_limit_s=20)


@pytest.fixture(scope="module")
def graph(_synthetic_region_cached):
    """The synthetic region's travel graph."""
    return build_graph(_synthetic_region_cached)


@pytest.fixture(scope="module")
def county_plan(_synthetic_region_cached, graph):
    """One county alliance led by C1 (T1, the tertiary hospital, leads nothing)."""
    return plan_alliances(
        _synthetic_region_cached,
        graph,
        options=AllianceOptions(fixed_leads=("C1",)),
        params=SolverParams(time_limit_s=10),
    )


@pytest.fixture(scope="module")
def options():
    """28 days, partner visits every 14 days, C1 hosted by T1."""
    return RotationOptions(
        start_date=START,
        horizon_days=28,
        return_step_min=STEP,
        hosted_by=HOSTED,
        partner_rhythm_days=14,
    )


@pytest.fixture(scope="module")
def hubei(county_plan, graph, options):
    """The cross-tier schedule of the region's four experts (two at T1, two at C1)."""
    return schedule_rotations(county_plan, graph, options=options, params=PARAMS)


def every_window_holds_a_visit(days, horizon: int, width: int) -> bool:
    """True when every ``width``-day window of the horizon holds a visit day (test copy)."""
    have = {int(d) for d in days}
    return all(any(d in have for d in range(w, w + width)) for w in range(horizon - width + 1))


def test_hubei_pattern_partner_specialist_every_half_month(hubei, county_plan):
    """T1's specialists visit C1 in every 14-day window; C1's experts visit townships; valid."""
    region = county_plan.region
    assert region.facilities.at["T1", "tier"] == "tertiary"
    assert region.facilities.at["C1", "tier"] == "county"
    assert validate_schedule(hubei) == []
    v = hubei.visits
    home = v["expert"].map(hubei.experts["home"])
    up = v[v["tier"] == PARTNER_TIER]
    down = v[v["tier"] == COUNTY_TIER]
    assert len(up) > 0 and len(down) > 0 and len(up) + len(down) == len(v)
    # partner visits: T1's experts at C1 only; county visits: C1's experts at member sites
    assert set(up["site"]) == {"C1"} and (home[up.index] == "T1").all()
    assert (home[down.index] == "C1").all() and "C1" not in set(down["site"])
    assert not (home == "T1").loc[down.index].any()
    # every partner specialty meets the half-month rhythm over the 28 days
    for specialty in sorted(set(hubei.experts.loc[hubei.experts["home"] == "T1", "specialty"])):
        days = up.loc[up["specialty"] == specialty, "day"]
        assert len(days) >= 2, specialty
        assert every_window_holds_a_visit(days, 28, 14), specialty
    cov = hubei.coverage.set_index(["site", "specialty"])
    c1 = cov.loc["C1"]
    assert (c1["tier"] == PARTNER_TIER).all() and (c1["rhythm_days"] == 14).all()
    assert (c1["shortfall"] == 0).all() and (c1["max_gap_days"] < 14).all()
    assert hubei.settings["hosted_by"] == HOSTED
    assert hubei.settings["partner_rhythm_days"]["cardiology"] == 14
    assert hubei.patient_hours_saved > 0


def test_doctored_schedules_are_caught(hubei):
    """An expert in two places on one day, a partner at a township, a wrong tier: all caught."""
    v = hubei.visits
    first = v[v["tier"] == PARTNER_TIER].iloc[0]
    # the partner expert also at a township centre on the same day
    twice = pd.concat(
        [v, first.to_frame().T.assign(site="H1", lead="C1", tier=COUNTY_TIER)],
        ignore_index=True,
    )
    twice["day"] = twice["day"].astype(int)
    bad = validate_schedule(dataclasses.replace(hubei, visits=twice))
    assert any(f"expert {first['expert']}: 2 places on day {first['day']}" in b for b in bad)
    assert any("partner expert (home T1) at a member site" in b for b in bad)
    # a county expert at the hosted lead, and a partner visit labelled with the wrong tier
    county = v[v["tier"] == COUNTY_TIER].index[0]
    wrong = v.copy()
    wrong.loc[county, ["site", "lead"]] = ["C1", "C1"]
    wrong.loc[v.index[v["tier"] == PARTNER_TIER][0], "tier"] = COUNTY_TIER
    bad = validate_schedule(dataclasses.replace(hubei, visits=wrong))
    assert any("hosted by T1, expert of C1 is not its partner" in b for b in bad)
    assert any("tier 'county->township' at a hosted lead" in b for b in bad)
    # a coverage row claiming another rhythm than the partner rhythm
    cov = hubei.coverage.copy()
    cov.loc[cov["site"] == "C1", "rhythm_days"] = 28
    bad = validate_schedule(dataclasses.replace(hubei, coverage=cov))
    assert any("partner_rhythm_days says 14" in b for b in bad)


def test_same_seed_same_cross_tier_schedule(hubei, county_plan, graph, options):
    """The same seed and options give the same visits and coverage."""
    again = schedule_rotations(county_plan, graph, options=options, params=PARAMS)
    pd.testing.assert_frame_equal(again.visits, hubei.visits)
    pd.testing.assert_frame_equal(again.coverage, hubei.coverage)


def test_partner_rhythm_is_its_own(county_plan, graph, options):
    """Weekly partner visits with a 28-day township rhythm: each tier keeps its rhythm."""
    weekly = options.replace(partner_rhythm_days={"cardiology": 7}, rhythm_days=28)
    sched = schedule_rotations(county_plan, graph, options=weekly, params=PARAMS)
    assert validate_schedule(sched) == []
    cov = sched.coverage.set_index(["site", "specialty"])
    assert cov.loc[("C1", "cardiology"), "rhythm_days"] == 7
    assert cov.loc[("C1", "pediatrics"), "rhythm_days"] == 14  # missing from the table: 14
    assert (cov.loc[cov["tier"] == COUNTY_TIER, "rhythm_days"] == 28).all()
    days = sched.visits.query("site == 'C1' and specialty == 'cardiology'")["day"]
    assert len(days) >= 4  # weekly over four weeks (E1 has 4 outreach days)


def test_far_partner_comes_for_a_stay(county_plan, graph, options):
    """A partner out of day-trip reach of the county lead stays overnight, as today's rotations."""
    region = county_plan.region
    experts = region.experts.copy()
    experts["weekdays"] = experts["weekdays"].astype(object)
    experts.at["E1", "weekdays"] = (1, 2)  # Tue-Wed: a two-day stay fits
    specialties = sorted(set(experts["specialty"]))
    offered = {"T1": sorted(set(experts.loc[experts["home_facility"] == "T1", "specialty"]))}
    need = site_needs(county_plan, specialties, hosted_by=HOSTED, partner_specialties=offered)
    sites = list(dict.fromkeys(need["site"]))
    origins = ["C1", "T1"]
    out, back = rotation_travel(graph, origins, sites, return_clocks=CLOCKS)
    j = sites.index("C1")
    out[1, j], back[:, 1, j] = 400.0, 400.0  # T1 <-> C1 takes 400 min each way
    far = schedule_rotations(
        county_plan, experts=experts, options=options, params=PARAMS, travel=(out, back)
    )
    assert validate_schedule(far) == []
    opts = far.travel.set_index(["origin", "site"])
    assert opts.loc[("T1", "C1"), "stay_days"] == 2
    up = far.visits[far.visits["tier"] == PARTNER_TIER]
    assert len(up) > 0 and (up["stay"] == "multi-day").all()
    e1 = up[up["expert"] == "E1"]
    assert len(e1) >= 1 and (pd.to_datetime(e1["date"]).dt.weekday == 1).all()


def test_partner_that_leads_its_own_alliance_serves_both(_synthetic_region_cached, graph):
    """T1 leads its own members and hosts C1: its experts visit both, tiers labelled."""
    plan = plan_alliances(
        _synthetic_region_cached,
        graph,
        options=AllianceOptions(fixed_leads=("T1", "C1")),
        params=SolverParams(time_limit_s=10),
    )
    opts = RotationOptions(start_date=START, return_step_min=STEP, hosted_by=HOSTED)
    sched = schedule_rotations(plan, graph, options=opts, params=PARAMS)
    assert validate_schedule(sched) == []
    v = sched.visits
    home = v["expert"].map(sched.experts["home"])
    assert set(v.loc[v["tier"] == PARTNER_TIER, "site"]) == {"C1"}
    t1_members = set(plan.facilities.index[plan.facilities["lead"] == "T1"]) - {"T1"}
    down_t1 = v[(v["tier"] == COUNTY_TIER) & (home == "T1")]
    assert len(down_t1) > 0 and set(down_t1["site"]) <= t1_members
    assert not (v["site"] == "T1").any()


def test_hosted_by_is_checked_against_the_plan(county_plan, graph):
    """A hosted lead that leads nothing, or an unknown partner, is a DataError naming both."""
    opts = RotationOptions(start_date=START, hosted_by={"H1": "T1", "C1": "NOPE"})
    with pytest.raises(DataError) as err:
        schedule_rotations(county_plan, graph, options=opts, params=PARAMS)
    text = str(err.value)
    assert "'H1' is not a lead of the plan" in text
    assert "partner 'NOPE' is not a facility of the region" in text


def test_cross_tier_options_round_trip_and_report_bad_values():
    """hosted_by and partner_rhythm_days load from a [rotations] table and write back."""
    from netopt.io import dumps_toml

    text = """
    partner_rhythm_days = 14
    [hosted_by]
    C1 = "T1"
    """
    o = RotationOptions.from_dict(tomllib.loads(text))
    assert o.hosted_by == {"C1": "T1"} and o.partner_rhythm_for("cardiology") == 14
    assert RotationOptions.from_dict(tomllib.loads(dumps_toml(o.to_dict()))) == o
    assert RotationOptions(hosted_by={}).hosted_by is None
    assert "hosted_by" not in RotationOptions().to_dict()
    with pytest.raises(DataError) as err:
        RotationOptions.from_dict(
            {"hosted_by": {"C1": 3}, "partner_rhythm_days": 0}, source="s.toml [rotations]"
        )
    assert {p.field for p in err.value.problems} == {"hosted_by", "partner_rhythm_days"}
    assert all(p.file == "s.toml [rotations]" for p in err.value.problems)
    with pytest.raises(DataError, match="a lead cannot host itself"):
        RotationOptions(hosted_by={"C1": "C1"})


def test_solver_allowed_mask_and_site_rhythm():
    """The array core: an allowed mask decides who goes where; each site keeps its rhythm."""
    # expert 0 (a partner) may only visit site 1 (the county lead), expert 1 only site 0
    inst = RotationInstance(
        n_days=14,
        expert_specialty=np.array([0, 0]),
        expert_origin=np.array([0, 1]),
        expert_alliance=np.array([0, 0]),
        available=np.ones((2, 14), bool),
        max_days=np.array([14, 14]),
        site_alliance=np.array([0, 0]),
        need=np.array([[200], [200]]),
        rhythm_days=np.array([[7], [3]]),
        patient_saving_min=np.array([60.0, 60.0]),
        options=visit_options(np.full((2, 2), 30.0), np.full((2, 2), 30.0)),
        allowed=np.array([[False, True], [True, False]]),
    )
    res = solve_rotation(inst, params=SolverParams(time_limit_s=10))
    e, s, d = res.visits[:, 0], res.visits[:, 1], res.visits[:, 2]
    assert set(s[e == 0]) == {1} and set(s[e == 1]) == {0}
    assert every_window_holds_a_visit(d[s == 0], 14, 7)
    assert every_window_holds_a_visit(d[s == 1], 14, 3)
    assert int(res.shortfall.sum()) == 0
    with pytest.raises(ValueError, match="allowed has shape"):
        dataclasses.replace(inst, allowed=np.ones((1, 2), bool))
    with pytest.raises(ValueError, match="rhythm_days has shape"):
        dataclasses.replace(inst, rhythm_days=np.ones((3, 1), np.int64))
