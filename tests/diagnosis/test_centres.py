"""Diagnosis centres: the location layer against brute force, windows, kept centres, options."""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netopt import DataError
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.diagnosis import (
    ASSIGNMENT_COLUMNS,
    CENTRE_COLUMNS,
    DEFAULT_SERVICES,
    SERVICES,
    DiagnosisOptions,
    Service,
    plan_diagnosis,
)
from netopt.graph import build_graph, close_ferry, drop_closed, travel_times
from netopt.io import load_region
from netopt.solve import SolverParams

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic"
XIANGSHAN = Path(__file__).resolve().parents[2] / "geodata" / "xiangshan"
EXACT = SolverParams(time_limit_s=None)


@pytest.fixture(scope="module")
def synthetic():
    """The synthetic region, its graph and a two-lead alliance plan."""
    region = load_region(SYNTHETIC)
    graph = build_graph(region)
    plan = plan_alliances(region, graph, options=AllianceOptions(p=2), params=EXACT)
    return region, graph, plan


def options(**services: Service) -> DiagnosisOptions:
    return DiagnosisOptions(services=dict(services))


def lab(**changes) -> Service:
    return DEFAULT_SERVICES["laboratory"].replace(**changes)


def island_senders(plan) -> set[str]:
    """Township senders whose own residents live mostly on islands."""
    zones = plan.zones
    share = zones.assign(p_island=zones["population"] * zones["island"]).groupby("primary")
    share = share["p_island"].sum() / share["population"].sum()
    townships = plan.facilities.index[plan.facilities["tier"] == "township"]
    return set(share.index[share > 0.5]) & set(townships)


# ----------------------------------------------------------------------------------------
# synthetic region
# ----------------------------------------------------------------------------------------
def test_every_sender_appears_and_residents_add_up(synthetic):
    """Each service assigns every township centre once; folding loses no resident."""
    _, graph, plan = synthetic
    dx = plan_diagnosis(plan, graph, params=EXACT)
    townships = set(plan.facilities.index[plan.facilities["tier"] == "township"])
    assert list(dx.assignments.columns) == list(ASSIGNMENT_COLUMNS)
    assert list(dx.centres.columns) == list(CENTRE_COLUMNS)
    for name in SERVICES:
        rows = dx.assignments[dx.assignments["service"] == name]
        assert sorted(rows["sender_id"]) == sorted(townships)
        assert rows["residents"].sum() == pytest.approx(plan.facilities["population"].sum())
        centres = dx.centres[dx.centres["service"] == name]
        assert set(rows["centre_id"]) <= set(centres["facility_id"])
        assert centres["tests_per_year"].sum() == pytest.approx(rows["tests_per_year"].sum())
        assert centres["senders"].sum() == len(rows)
        assert dx.solves[name].status == "optimal"
    # the village clinics fold into a sender of their own alliance
    folded = dx.senders[dx.senders["folded"] != ""]
    for sender, row in folded.iterrows():
        for clinic in row["folded"].split(";"):
            assert plan.facilities.loc[clinic, "lead"] == plan.facilities.loc[sender, "lead"]
    assert "laboratory" in dx.summary()


def test_model_agrees_with_brute_force(synthetic):
    """The laboratory's plan equals enumerating every open set and every assignment."""
    _, graph, plan = synthetic
    candidates = ("T1", "C1", "C2", "H1")
    service = lab(candidates=candidates, fixed_cost_yuan=30_000.0, window_min=120.0,
                  capacity_per_year=160_000.0, courier_yuan_per_min=1.0)  # fmt: skip
    dx = plan_diagnosis(plan, graph, options=options(laboratory=service), params=EXACT)
    frame = travel_times(drop_closed(graph), "facilities", "facilities").to_frame() / 60.0
    senders = dx.senders.index.tolist()
    # a sample's age counts from its pickup: the courier's minutes at the stop count too
    t = frame.loc[senders, list(candidates)].to_numpy() + DiagnosisOptions().courier.service_min
    tests = dx.senders["residents"].to_numpy() * service.tests_per_resident
    cost = np.where(t <= 120.0, 2 * t * 1.0 * 250.0, np.inf)
    best = math.inf
    for size in range(1, len(candidates) + 1):
        for combo in itertools.combinations(range(len(candidates)), size):
            for assign in itertools.product(combo, repeat=len(senders)):
                c = cost[np.arange(len(senders)), list(assign)].sum()
                load = np.bincount(assign, weights=tests, minlength=len(candidates))
                if np.isfinite(c) and (load <= service.capacity_per_year).all():
                    best = min(best, size * service.fixed_cost_yuan + c)
    res = dx.solves["laboratory"]
    assert res.status == "optimal"
    assert res.objective == pytest.approx(best, rel=1e-6)
    rows = dx.assignments
    assert rows["within_window"].all()
    assert (rows.groupby("centre_id")["tests_per_year"].sum() <= 160_000.0).all()


def test_candidates_nearer_the_islands_lower_island_travel(synthetic):
    """Moving the laboratory's candidates to the island hospital shortens island senders' trips."""
    _, graph, plan = synthetic
    islands = island_senders(plan)
    assert islands  # Beiyu (ferry) and Xiaoyu (bridge)

    def minutes(candidates):
        dx = plan_diagnosis(plan, graph, options=options(laboratory=lab(candidates=candidates)),
                            params=EXACT)  # fmt: skip
        rows = dx.assignments.set_index("sender_id")
        return rows.loc[sorted(islands), "travel_min"]

    mainland, island = minutes(("C1",)), minutes(("C2",))
    assert (island < mainland).all()
    assert island.sum() < 0.5 * mainland.sum()


def test_fixed_centres_are_kept(synthetic):
    """An existing centre stays open (kept) although another site would be cheaper."""
    _, graph, plan = synthetic
    opts = options(
        laboratory=lab(candidates=("C1",), fixed_centres=("C2",)),
        ecg=DEFAULT_SERVICES["ecg"].replace(fixed_centres=("C2",)),
    )
    dx = plan_diagnosis(plan, graph, options=opts, params=EXACT)
    for name in ("laboratory", "ecg"):
        rows = dx.centres[dx.centres["service"] == name].set_index("facility_id")
        assert "C2" in rows.index and bool(rows.loc["C2", "kept"])
    free = plan_diagnosis(plan, graph, options=options(laboratory=lab(candidates=("C1", "C2"))),
                          params=EXACT)  # fmt: skip
    assert free.centres["facility_id"].tolist() == ["C1"] and not free.centres["kept"].any()


def test_sender_beyond_the_window_is_kept_and_reported(synthetic):
    """A sender with no candidate inside the window goes to the fastest one, with its excess."""
    _, graph, plan = synthetic
    dx = plan_diagnosis(plan, graph, options=options(laboratory=lab(candidates=("C1", "T1"),
                        window_min=60.0)), params=EXACT)  # fmt: skip
    rows = dx.assignments.set_index("sender_id")
    late = rows[~rows["within_window"]]
    assert set(late.index) == island_senders(plan)
    assert (late["centre_id"] == "C1").all()  # the fastest candidate, not T1
    assert np.allclose(late["excess_min"], late["travel_min"] - 60.0)
    assert (rows.loc[rows["within_window"], "excess_min"] == 0).all()
    assert any("within the 60 min window" in m and "H4" in m for m in dx.messages)
    assert len(dx.outside_window()) == len(late)


def test_closed_ferry_uses_the_open_network(synthetic):
    """With the ferry closed the island is cut off now: it is timed with the reopening wait."""
    region, graph, plan = synthetic
    ferry = region.ferries.index[0]
    closed = close_ferry(graph, ferry)
    base = plan_diagnosis(plan, graph, options=options(laboratory=lab(candidates=("C1",))),
                          params=EXACT)  # fmt: skip
    storm = plan_diagnosis(plan, closed, options=options(laboratory=lab(candidates=("C1",))),
                           params=EXACT)  # fmt: skip
    assert len(storm.assignments) == len(base.assignments)
    a = base.assignments.set_index("sender_id")["travel_min"]
    b = storm.assignments.set_index("sender_id")["travel_min"]
    assert (b >= a - 1e-9).all() and (b > a + 1).any()
    assert any("cut off on the open network" in m for m in storm.messages)


def test_data_services_do_not_travel(synthetic):
    """Imaging and ECG: no travel time, the reading time is the turnaround, never late."""
    _, graph, plan = synthetic
    dx = plan_diagnosis(plan, graph, params=EXACT)
    data = dx.assignments[dx.assignments["service"].isin(["imaging", "ecg"])]
    assert data["travel_min"].isna().all()
    assert (data["turnaround_min"] == 30.0).all() and data["within_window"].all()
    for name in ("imaging", "ecg"):
        assert dx.solves[name].objective == pytest.approx(DEFAULT_SERVICES[name].fixed_cost_yuan)
    lab_rows = dx.assignments[dx.assignments["service"] == "laboratory"]
    assert np.allclose(lab_rows["turnaround_min"], lab_rows["travel_min"] + 60.0)
    assert np.allclose(lab_rows["samples_per_day"], lab_rows["tests_per_year"] / 250.0)


def test_capacity_short_is_relaxed_and_reported(synthetic):
    """Too little capacity: every sender still gets a centre and the overload is shown."""
    _, graph, plan = synthetic
    service = lab(candidates=("C1",), capacity_per_year=50_000.0)
    dx = plan_diagnosis(plan, graph, options=options(laboratory=service), params=EXACT)
    assert len(dx.assignments) == len(dx.senders)
    assert dx.centres["utilisation"].iloc[0] > 1.0
    assert any("cannot hold every sender" in m for m in dx.messages)


def test_bad_candidates_are_listed_at_once(synthetic):
    """Unknown candidate and fixed-centre ids of several services come in one error."""
    _, graph, plan = synthetic
    opts = options(
        laboratory=lab(candidates=("C9",)),
        ecg=DEFAULT_SERVICES["ecg"].replace(fixed_centres=("X",)),
    )
    with pytest.raises(DataError, match="C9") as err:
        plan_diagnosis(plan, graph, options=opts, params=EXACT)
    assert "'X'" in str(err.value)
    no_townships = dataclasses.replace(plan, facilities=plan.facilities.assign(tier="county"))
    with pytest.raises(DataError, match="sender_tiers"):
        plan_diagnosis(no_townships, graph, params=EXACT)


# ----------------------------------------------------------------------------------------
# options
# ----------------------------------------------------------------------------------------
def test_options_round_trip_and_defaults():
    """Tables build the options, to_dict gives them back; every default is an estimate."""
    opts = DiagnosisOptions.from_dict(
        {
            "services": ["laboratory", "ecg"],
            "laboratory": {"window_min": 180, "fixed_centres": ["XS-H01"]},
            "working_days": 251,
        }
    )
    assert list(opts.services) == ["laboratory", "ecg"]
    assert opts.services["laboratory"].window_min == 180.0
    assert opts.services["laboratory"].fixed_centres == ("XS-H01",)
    assert (
        opts.services["laboratory"].cost_per_test_yuan
        == DEFAULT_SERVICES["laboratory"].cost_per_test_yuan
    )
    table = opts.to_dict()
    again = DiagnosisOptions.from_dict({k: v for k, v in table.items() if k != "courier"} | (
        {"courier": table["courier"]} if "courier" in table else {}))  # fmt: skip
    assert again.services == opts.services and again.working_days == 251.0
    assert all(s.estimated for s in DEFAULT_SERVICES.values())
    assert DEFAULT_SERVICES["laboratory"].moves_samples
    assert not DEFAULT_SERVICES["imaging"].moves_samples
    assert math.isinf(Service.from_dict({"capacity_per_year": "inf"}).capacity_per_year)


def test_options_report_every_problem():
    """Typos get the closest key, bad values are listed together, files are named."""
    with pytest.raises(DataError) as err:
        DiagnosisOptions.from_dict(
            {
                "servces": [],
                "laboratory": {"window_mins": 3, "fixed_cost_yuan": -1},
                "imaging": {"max_centres": 0},
            },
            source="s.toml [diagnosis]",
        )
    text = str(err.value)
    assert "did you mean 'services'" in text and "did you mean 'window_min'" in text
    assert "s.toml [diagnosis.laboratory]" in text
    with pytest.raises(DataError, match="fixed_cost_yuan"):
        DiagnosisOptions.from_dict({"laboratory": {"fixed_cost_yuan": -1}})
    with pytest.raises(DataError, match="max_centres"):
        Service(fixed_centres=("A", "B"), max_centres=1)
    with pytest.raises(DataError, match="sender_tiers"):
        DiagnosisOptions(sender_tiers=("hamlet",))
    with pytest.raises(DataError, match="not planned"):
        DiagnosisOptions.from_dict({"services": ["ecg"], "laboratory": {}})


def test_region_table_is_overridden_key_by_key(synthetic):
    """A scenario's [diagnosis.laboratory] changes only its keys of region.toml's table."""
    region, _, _ = synthetic
    table = {"laboratory": {"window_min": 200, "fixed_centres": ["C1"]}}
    region = dataclasses.replace(region, metadata={**region.metadata, "diagnosis": table})
    merged = DiagnosisOptions.for_region(region, {"laboratory": {"window_min": 150}})
    assert merged.services["laboratory"].window_min == 150.0
    assert merged.services["laboratory"].fixed_centres == ("C1",)
    assert DiagnosisOptions.for_region(region).services["laboratory"].window_min == 200.0


# ----------------------------------------------------------------------------------------
# Xiangshan
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xiangshan():
    """Xiangshan County: today's alliances and the facility-to-facility minutes."""
    region = load_region(XIANGSHAN)
    graph = build_graph(region)
    plan = plan_alliances(region, graph, options=AllianceOptions(evaluate_only=True),
                          params=SolverParams(time_limit_s=60))  # fmt: skip
    times = travel_times(drop_closed(graph), "facilities", "facilities")
    return region, graph, plan, times


def test_xiangshan_every_sender_and_islands(xiangshan):
    """Every township centre is served; a lab at Shipu shortens the islands' sample trips."""
    _, graph, plan, times = xiangshan
    dx = plan_diagnosis(plan, graph, params=SolverParams(time_limit_s=60), times=times)
    townships = set(plan.facilities.index[plan.facilities["tier"] == "township"])
    for name in SERVICES:
        rows = dx.assignments[dx.assignments["service"] == name]
        assert set(rows["sender_id"]) == townships and rows["sender_id"].is_unique
        assert dx.solves[name].status == "optimal"
    assert dx.assignments["within_window"].all()
    islands = island_senders(plan)
    assert {"XS-T07", "XS-T19"} <= islands

    def island_minutes(candidate: str) -> pd.Series:
        opts = options(laboratory=lab(candidates=(candidate,)))
        out = plan_diagnosis(plan, graph, options=opts, params=EXACT, times=times)
        return out.assignments.set_index("sender_id").loc[sorted(islands), "travel_min"]

    north, south = island_minutes("XS-H01"), island_minutes("XS-H02")
    assert (south < north).all()
