"""Tests of the rotation adapter (netopt.rotations) on the synthetic region, end to end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tomllib

import numpy as np
import pandas as pd
import pytest
import shapely

from netopt._errors import DataError
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import build_graph
from netopt.rotations import (
    COVERAGE_COLUMNS,
    ROUTE_COLUMNS,
    VISIT_COLUMNS,
    RotationOptions,
    RotationSchedule,
    rotation_travel,
    schedule_rotations,
    site_needs,
    validate_schedule,
)
from netopt.solve.params import SolverParams
from netopt.solve.rotation import RotationWeights
from netopt.solve.status import stage_text

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
    return plan_alliances(
        _synthetic_region_cached,
        graph,
        options=AllianceOptions(fixed_leads=("T1", "C1")),
        params=SolverParams(time_limit_s=10),
    )


@pytest.fixture(scope="module")
def schedule(plan, graph):
    """The default schedule of the region's four experts (travel read from the graph)."""
    return schedule_rotations(
        plan,
        graph,
        options=RotationOptions(start_date=START, return_step_min=STEP),
        params=SolverParams(time_limit_s=20),
    )


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
    opts = RotationOptions(start_date=START, return_step_min=STEP)
    kw = {"experts": experts, "params": SolverParams(time_limit_s=20), "travel": travel}
    stays = schedule_rotations(plan, options=opts, **kw)
    assert validate_schedule(stays) == []
    options = stays.travel.set_index(["origin", "site"])
    assert options.loc[("C1", "H3"), "stay_days"] == 2
    assert options.loc[("C1", "H1"), "stay_days"] == 1
    h3 = stays.visits[stays.visits["site"] == "H3"]
    assert len(h3) >= 1
    assert (h3["stay"] == "multi-day").all() and (h3["lodging_days"] == 1).all()
    assert (pd.to_datetime(h3["date"]).dt.weekday == 0).all()  # only Mon-Tue fits E3
    none = schedule_rotations(plan, options=opts.replace(allow_stays=False), **kw)
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
        schedule_rotations(plan, graph, experts=experts, options=RotationOptions(start_date=START))


def test_summary_and_type(schedule):
    """The schedule is a RotationSchedule whose summary names visits and status."""
    assert isinstance(schedule, RotationSchedule)
    assert "visits" in schedule.summary() and stage_text(schedule) in schedule.summary()
    assert np.isfinite(schedule.first_solution_s)


def test_schedule_keeps_its_options_and_params(schedule):
    """The schedule carries the options (start date resolved) and solver parameters used."""
    assert schedule.options == RotationOptions(start_date=START, return_step_min=STEP)
    assert schedule.params == SolverParams(time_limit_s=20)
    assert schedule.settings["horizon_days"] == 28
    assert schedule.settings["start_date"] == START


def test_routes_one_line_per_home_and_site(schedule, plan):
    """routes: one valid lon/lat line per (home facility, site) pair visited, facility to facility."""
    routes = schedule.routes
    assert tuple(routes.columns) == ROUTE_COLUMNS
    home = schedule.visits["expert"].map(plan.region.experts["home_facility"])
    pairs = set(zip(home, schedule.visits["site"]))
    assert len(routes) == len(pairs) > 0
    assert set(zip(routes["origin"], routes["site"])) == pairs
    fac = plan.region.facilities
    for r in routes.itertuples():
        assert isinstance(r.geometry, shapely.LineString) and r.geometry.is_valid
        xy = shapely.get_coordinates(r.geometry)
        assert len(xy) > 2  # along the graph, not a straight line
        for end, fid in ((xy[0], r.origin), (xy[-1], r.site)):
            point = shapely.get_coordinates(fac.geometry[fid])[0]
            assert end == pytest.approx(point, abs=1e-6)


def test_routes_are_straight_without_a_graph(schedule, plan, graph):
    """Without a graph (travel given) each route is the straight line between the facilities."""
    travel = rotation_travel(
        graph,
        sorted(set(schedule.experts["home"])),
        list(dict.fromkeys(site_needs(plan, sorted(set(schedule.experts["specialty"])))["site"])),
        return_clocks=CLOCKS,
    )
    sched = schedule_rotations(
        plan, options=schedule.options, params=schedule.params, travel=travel
    )
    pd.testing.assert_frame_equal(sched.visits, schedule.visits)
    assert validate_schedule(sched) == []
    fac = plan.region.facilities
    assert len(sched.routes) > 0
    for r in sched.routes.itertuples():
        want = shapely.get_coordinates(fac.geometry[[r.origin, r.site]])
        assert np.array_equal(shapely.get_coordinates(r.geometry), want)


def test_rotation_options_defaults_and_coercion():
    """Defaults match the documented ones; ISO dates and clock lists are coerced."""
    o = RotationOptions()
    assert (o.horizon_days, o.rhythm_days, o.workday) == (28, 14, ("08:00", "17:30"))
    assert o.weights == RotationWeights() and o.start_date is None
    o = RotationOptions(start_date="2026-03-02", workday=["07:30", "16:00"])
    assert o.start_date == START and o.workday == ("07:30", "16:00")
    assert RotationOptions(max_clinic_hours=math.inf).max_clinic_hours is None
    assert RotationOptions(rhythm_days={"cardiology": 7}).rhythm_for("pediatrics") == 14


def test_rotation_options_report_every_bad_value():
    """Every bad value is named in one DataError, with what was found."""
    with pytest.raises(DataError) as err:
        RotationOptions(
            horizon_days=0,
            start_date="2026-13-01",
            rhythm_days={"cardiology": 0},
            visit_rates={"cardiology": -1},
            workday=("17:30", "08:00"),
            min_clinic_hours=0,
            lodging_days=-1,
            return_step_min=2.5,
            allow_stays="yes",
            weights={"continuity": False},
        )
    fields = {p.field for p in err.value.problems}
    assert fields == {
        "horizon_days",
        "start_date",
        "rhythm_days",
        "visit_rates",
        "workday",
        "min_clinic_hours",
        "lodging_days",
        "return_step_min",
        "allow_stays",
        "weights",
    }
    assert "'2026-13-01'" in str(err.value)
    with pytest.raises(DataError, match=r"field 'max_clinic_hours'.*min_clinic_hours"):
        RotationOptions(min_clinic_hours=4, max_clinic_hours=2)
    with pytest.raises(DataError, match=r"field 'workday'.*'25:00'"):
        RotationOptions(workday=("08:00", "25:00"))


def test_rotation_options_from_dict_suggests_keys():
    """Typos get the closest key; wrong types and weights keys are reported in one error."""
    with pytest.raises(DataError) as err:
        RotationOptions.from_dict(
            {
                "horizon_day": 14,
                "rhythm_days": "weekly",
                "weights": {"continuty": True, "scale": 0},
            },
            source="demo.toml [rotations]",
        )
    text = str(err.value)
    assert "field 'horizon_day': unknown key. Fix: did you mean 'horizon_days'?" in text
    assert "field 'weights.continuty': unknown key. Fix: did you mean 'continuity'?" in text
    assert "field 'weights.scale'" in text and "field 'rhythm_days': 'weekly'" in text
    assert all(p.file == "demo.toml [rotations]" for p in err.value.problems)
    with pytest.raises(TypeError, match="RotationOptions"):
        schedule_rotations(None, options={"horizon_days": 14})


def test_rotation_options_round_trip_through_toml():
    """to_dict is TOML-ready: written by netopt's TOML writer, read back to equal options."""
    from netopt.io import dumps_toml

    o = RotationOptions.from_dict(
        {
            "start_date": dt.date(2026, 3, 2),
            "rhythm_days": {"cardiology": 7, "pediatrics": 28},
            "visit_rates": {"cardiology": 0.1},
            "workday": ["07:30", "16:00"],
            "max_clinic_hours": math.inf,
            "weights": {"expert_travel": 0.5, "continuity": False},
        }
    )
    assert o.weights == RotationWeights(expert_travel=0.5, continuity=False)
    back = RotationOptions.from_dict(tomllib.loads(dumps_toml(o.to_dict())))
    assert back == o and back.max_clinic_hours is None
    assert RotationOptions.from_dict(o.to_dict()) == o
    assert o.replace(horizon_days=7).horizon_days == 7
    assert RotationOptions.fields()[0] == "horizon_days" and "weights" in RotationOptions.fields()
