"""Tests of the rotation adapter (netopt.rotations) on the synthetic region, end to end."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from netopt._errors import DataError
from netopt.alliances import plan_alliances
from netopt.graph import build_graph
from netopt.rotations import (
    COVERAGE_COLUMNS,
    VISIT_COLUMNS,
    RotationSchedule,
    rotation_travel,
    schedule_rotations,
    site_needs,
    validate_schedule,
)

START = dt.date(2026, 3, 2)  # a Monday
STEP = 120  # minutes between return clocks: fewer graphs to build than the default 60
CLOCKS = ["08:00", "10:00", "12:00", "14:00", "16:00"]  # the return clocks of STEP


@pytest.fixture(scope="module")
def graph(_synthetic_region_cached):
    """The synthetic region's travel graph."""
    return build_graph(_synthetic_region_cached)


@pytest.fixture(scope="module")
def plan(_synthetic_region_cached, graph):
    """Two alliances led by T1 and C1."""
    return plan_alliances(_synthetic_region_cached, graph, leads=["T1", "C1"], time_limit=10)


@pytest.fixture(scope="module")
def schedule(plan, graph):
    """The default schedule of the region's four experts (travel read from the graph)."""
    return schedule_rotations(plan, graph, start_date=START, return_step_min=STEP, time_limit=20)


def test_schedule_meets_every_hard_constraint(schedule, plan):
    """The default schedule validates and has the contract's columns and coverage rows."""
    assert validate_schedule(schedule) == []
    assert tuple(schedule.visits.columns) == VISIT_COLUMNS
    assert tuple(schedule.coverage.columns) == COVERAGE_COLUMNS
    assert schedule.status == "optimal" and schedule.gap == pytest.approx(0.0)
    members = plan.facilities.index[
        ~plan.facilities["is_lead"]
        & plan.facilities["lead"].notna()
        & (plan.facilities["population"] > 0)
    ]
    assert set(schedule.coverage["site"]) == set(members)
    v = schedule.visits
    assert len(v) > 0 and (v["date"] >= START).all()
    assert (v["date"] - START).map(lambda d: d.days).tolist() == v["day"].tolist()
    assert (v["lead"] == v["expert"].map(schedule.experts["lead"])).all()
    assert schedule.patient_hours_saved > 0
    assert v["expected_patients"].sum() == schedule.coverage["served_patients"].sum()


def test_shortfalls_are_reported_per_site_and_specialty(schedule):
    """Every (site, specialty) missing its rhythm is listed with the exact visit count."""
    cov = schedule.coverage
    short = schedule.shortfalls
    assert len(short) == (cov["shortfall"] > 0).sum()
    assert short["shortfall"].sum() == cov["shortfall"].sum()
    # C1 has no cardiologist: its members get no cardiology and are short by 2 visits each
    c1 = short[(short["specialty"] == "cardiology") & short["site"].isin(["H3", "H4", "V1"])]
    assert len(c1) == 3 and (c1["shortfall"] == 2).all()
    assert "short by 2" in c1["message"].iloc[0]


def test_far_island_without_afternoon_ferry_gets_stays_only(_synthetic_region_cached, plan):
    """No return ferry after 09:00: Beiyu North (H3) is never a day trip; stays or shortfall."""
    region = _synthetic_region_cached
    ferries = region.ferries.copy()
    ferries["departures_ba"] = [("07:15", "09:00")] * len(ferries)
    g = build_graph(dataclasses.replace(region, ferries=ferries))
    experts = region.experts.copy()
    experts["weekdays"] = experts["weekdays"].astype(object)
    experts.at["E3", "weekdays"] = (0, 1, 2)  # Mon-Tue allows a two-day stay
    experts["max_days"] = np.where(experts.index == "E3", 16, np.nan)  # E3 has time to spare
    sites = list(dict.fromkeys(site_needs(plan, ["obstetrics"])["site"]))
    travel = rotation_travel(g, ["C1", "T1"], sites, return_clocks=CLOCKS)
    kw = {
        "experts": experts,
        "start_date": START,
        "time_limit": 20,
        "travel": travel,
        "return_step_min": STEP,
    }
    stays = schedule_rotations(plan, **kw)
    assert validate_schedule(stays) == []
    options = stays.travel.set_index(["origin", "site"])
    assert options.loc[("C1", "H3"), "stay_days"] == 2
    assert options.loc[("C1", "H1"), "stay_days"] == 1
    h3 = stays.visits[stays.visits["site"] == "H3"]
    assert len(h3) >= 1
    assert (h3["stay"] == "multi-day").all() and (h3["lodging_days"] == 1).all()
    assert (pd.to_datetime(h3["date"]).dt.weekday == 0).all()  # only Mon-Tue fits E3
    none = schedule_rotations(plan, allow_stays=False, **kw)
    assert validate_schedule(none) == []
    assert "H3" not in set(none.visits["site"])
    row = none.coverage.set_index(["site", "specialty"]).loc[("H3", "obstetrics")]
    assert row["delivered_visits"] == 0 and row["shortfall"] == 2


def test_validate_schedule_finds_broken_constraints(schedule):
    """Tampered outputs are caught: double booking, too long day, wrong coverage claims."""
    v = schedule.visits
    first = v.iloc[0]
    other = v[(v["expert"] != first["expert"])].iloc[0]
    twice = pd.concat([v, first.to_frame().T.assign(site=other["site"])], ignore_index=True)
    twice["day"] = twice["day"].astype(int)
    bad = validate_schedule(dataclasses.replace(schedule, visits=twice))
    assert any("2 places on day" in b for b in bad)
    long = v.copy()
    long.loc[0, "clinic_hours"] = 12.0
    assert any(
        "min day" in b for b in validate_schedule(dataclasses.replace(schedule, visits=long))
    )
    cov = schedule.coverage.copy()
    i = cov.index[cov["shortfall"] > 0][0]
    cov.loc[i, "shortfall"] = 0
    bad = validate_schedule(dataclasses.replace(schedule, coverage=cov))
    assert any("shortfall 0 claimed" in b for b in bad)
    assert any("rhythm" in b for b in bad)
    off = v.copy()
    off.loc[0, "date"] = off.loc[0, "date"] + dt.timedelta(days=1)
    off.loc[0, "day"] = off.loc[0, "day"] + 1
    assert any(
        "not available" in b or "places" in b
        for b in validate_schedule(dataclasses.replace(schedule, visits=off))
    )


def test_ics_export_parses_and_follows_rfc5545(schedule, tmp_path):
    """One calendar per expert; CRLF lines of at most 75 octets; escaped text parses back."""
    icalendar = pytest.importorskip("icalendar")
    v = schedule.visits.copy()
    v["site_name"] = v["site_name"] + ", annex; 东门 \\ " + "x" * 60
    sched = dataclasses.replace(schedule, visits=v)
    paths = sched.to_ics(tmp_path / "ics")
    assert sorted(p.stem for p in paths) == sorted(v["expert"].unique())
    for path in paths:
        raw = path.read_bytes()
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 75
        cal = icalendar.Calendar.from_ical(raw)
        events = [c for c in cal.walk("VEVENT")]
        mine = v[v["expert"] == path.stem]
        assert len(events) == len(mine)
        assert str(events[0]["LOCATION"]) == mine.sort_values("date")["site_name"].iloc[0]
        assert events[0].decoded("DTSTART").date() == mine["date"].min()


def test_to_csv_round_trip(schedule, tmp_path):
    """The visits CSV reads back with the same rows."""
    path = schedule.to_csv(tmp_path / "rotation.csv")
    back = pd.read_csv(path)
    assert list(back.columns) == list(VISIT_COLUMNS)
    assert back["expected_patients"].tolist() == schedule.visits["expected_patients"].tolist()


def test_needs_and_rates_override_defaults(plan):
    """Visit rates scale the need; a per-site override of 0 removes that row."""
    base = site_needs(plan, ["cardiology"], horizon_days=28)
    double = site_needs(plan, ["cardiology"], horizon_days=28, visit_rates={"cardiology": 0.12})
    assert (double["patients"] - 2 * base["patients"]).abs().max() <= 1
    h1 = base.set_index("site").loc["H1"]
    assert h1["patients"] == round(h1["population"] * 0.06 * 28 / 365)
    over = pd.DataFrame({"site": ["H1"], "specialty": ["cardiology"], "patients": [0]})
    got = site_needs(plan, ["cardiology"], needs=over).set_index("site")
    assert got.loc["H1", "patients"] == 0
    with pytest.raises(DataError, match="'ZZ' is not a member site"):
        site_needs(plan, ["cardiology"], needs=over.assign(site="ZZ"))


def test_bad_expert_home_is_a_data_error(plan, graph):
    """An expert whose home facility is unknown is reported with the record and the fix."""
    experts = plan.region.experts.copy()
    experts.loc["E2", "home_facility"] = "NOPE"
    with pytest.raises(DataError, match=r"experts, record E2, field 'home_facility'"):
        schedule_rotations(plan, graph, experts=experts, start_date=START)


def test_summary_and_type(schedule):
    """The schedule is a RotationSchedule whose summary names visits and status."""
    assert isinstance(schedule, RotationSchedule)
    assert "visits" in schedule.summary() and schedule.status in schedule.summary()
    assert np.isfinite(schedule.first_solution_s)
