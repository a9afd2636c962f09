"""Scenarios with costs, diagnosis centres, the courier and hosting (real solves, real files).

The synthetic region: T1 (a tertiary hospital outside the area), the county lead C1, Beiyu
Island by a timetabled ferry. One scenario runs everything at once: T1 hosts C1 (the Hubei
pattern, its specialists at C1 every half month in the same rotation schedule), shared
diagnosis centres with a laboratory courier, and a capitated budget below the cost.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenario_files import SYNTHETIC

from netopt import DataError, Scenario, run
from netopt.costs import Costs
from netopt.diagnosis import check_courier
from netopt.kpis import kpi_info
from netopt.rotations import validate_schedule
from netopt.rotations.needs import PARTNER_TIER

BASE = f"""
region = "{SYNTHETIC.as_posix()}"
[model]
fixed_leads = ["C1"]
[solver]
time_limit_s = 10
seed = 0
"""

EVERYTHING = """
[rotations]
enabled = true
horizon_days = 28
start_date = 2026-03-02
return_step_min = 120
partner_rhythm_days = 14
[rotations.hosted_by]
C1 = "T1"
[rotations.solver]
time_limit_s = 20

[hosting]
[[hosting.links]]
partner = "T1"
lead = "C1"
source = "test: the Hubei pattern"

[diagnosis.laboratory]
window_min = 240
[diagnosis.courier]
vehicles_per_centre = 2

[costs]
budget_per_resident_yuan = 100       # far below the cost: an overrun
"""


def scenario(tmp_path: Path, name: str, body: str = "") -> Scenario:
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(BASE) + textwrap.dedent(body), encoding="utf-8")
    return Scenario.from_toml(path)


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """The run with every extra step, written to a folder; (result, folder, record)."""
    tmp = tmp_path_factory.mktemp("extras")
    result = run(scenario(tmp, "everything", EVERYTHING))
    folder = result.to_folder(tmp / "out")
    record = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    return result, folder, record


def test_total_cost_is_the_sum_of_its_items_everywhere(everything):
    """kpis.json, costs.csv and costs_by_alliance.csv agree; the items add up to the total."""
    _result, folder, record = everything
    costs = record["costs"]
    assert costs["total_yuan"] == pytest.approx(sum(costs["items"].values()), rel=1e-12)
    table = pd.read_csv(folder / "costs.csv")
    assert table["yuan_per_year"].sum() == pytest.approx(costs["total_yuan"], rel=1e-6)
    by = pd.read_csv(folder / "costs_by_alliance.csv")
    assert by["total"].sum() == pytest.approx(costs["total_yuan"], rel=1e-6)
    assert record["kpis"]["cost_total_yuan"] == pytest.approx(costs["total_yuan"])
    # every item has a value: outreach (the schedule), diagnosis, courier are all priced
    for item in ("expert_outreach", "diagnosis_fixed", "diagnosis_tests", "courier"):
        assert costs["items"][item] > 0, item


def test_a_budget_below_the_cost_is_an_overrun_never_hidden(everything):
    """100 yuan per resident is far below the charged cost: a negative balance, said."""
    result, _, record = everything
    costs = record["costs"]
    population = result.plan.zones["population"].sum()
    assert costs["budget_yuan"] == pytest.approx(100 * population)
    assert costs["balance_yuan"] == pytest.approx(costs["budget_yuan"] - costs["charged_yuan"])
    assert costs["balance_yuan"] < 0
    assert "overrun" in result.costs.summary()


def test_diagnosis_outputs_and_a_valid_courier(everything):
    """Centres, assignments and courier routes are written; the routes pass the validator."""
    result, folder, record = everything
    for f in ("diagnosis_centres.csv", "diagnosis_assignments.csv", "courier_routes.csv"):
        assert (folder / f).is_file(), f
    diagnosis = result.diagnosis
    lab = diagnosis.assignments[diagnosis.assignments["service"] == "laboratory"]
    samples = dict(zip(lab["sender_id"], lab["samples_per_day"], strict=True))
    courier = diagnosis.courier
    assert check_courier(courier, result.graph, samples, 400, courier.window_min) == []
    assert record["diagnosis"]["courier_problems"] == []
    served = set(courier.stops.loc[courier.stops["kind"] == "pickup", "facility_id"])
    assert served | set(courier.unserved["facility_id"]) == {s for s, n in samples.items() if n > 0}
    assert len(record["diagnosis"]["centres"]) == len(diagnosis.centres)
    assert record["kpis"]["courier_routes"] == len(courier.routes)


def test_hubei_pattern_in_one_scenario(everything):
    """T1 hosts C1: kpis.json names the partner, and T1's specialists visit C1 in the same
    valid schedule (never two places on one day: the independent validator)."""
    result, folder, record = everything
    assert record["hosting"]["partner_of_lead"] == {"C1": "T1"}
    assert record["hosting"]["followup_patient_hours_saved_per_year"] >= 0
    assert (folder / "hosting_links.csv").is_file()
    schedule = result.schedule
    assert validate_schedule(schedule) == []
    up = schedule.visits[schedule.visits["tier"] == PARTNER_TIER]
    assert len(up) > 0 and set(up["site"]) == {"C1"}
    per_day = schedule.visits.groupby(["expert", "day"]).size()
    assert (per_day == 1).all()


def test_hosting_never_raises_patient_hours(tmp_path):
    """The same plan with and without the link: the flows' patient-hours never rise."""
    without = run(scenario(tmp_path, "without"))
    hosted = run(scenario(tmp_path, "hosted", '[[hosting.links]]\npartner = "T1"\nlead = "C1"\n'))
    before = without.kpis["flow_patient_hours_per_year"]
    after = hosted.kpis["flow_patient_hours_per_year"]
    assert after <= before + 1e-6
    assert after == pytest.approx(before - hosted.kpis["hosting_patient_hours_saved_per_year"])
    assert without.hosting is None and without.costs is not None


def test_tables_read_merge_and_round_trip(tmp_path):
    """[costs] over region.toml's, [diagnosis] and [hosting] read, written back equal."""
    s = scenario(tmp_path, "tables", EVERYTHING)
    assert s.costs == {"budget_per_resident_yuan": 100}
    again = Scenario.from_dict(s.to_dict(), base_dir=tmp_path)
    assert again.to_dict() == s.to_dict()
    merged = s.replace(costs={"ferry_fare_yuan": 30})
    assert merged.costs == {"budget_per_resident_yuan": 100, "ferry_fare_yuan": 30}
    off = scenario(tmp_path, "off", "[costs]\nenabled = false\n[diagnosis]\nenabled = false\n")
    assert off.costs is None and off.diagnosis is None and off.hosting is None
    assert "costs" in off.to_dict() and off.to_dict()["costs"] == {"enabled": False}
    assert Scenario.from_dict(off.to_dict(), base_dir=tmp_path).costs is None
    given = s.replace(costs=Costs(transfer_yuan=5.0))
    assert isinstance(given.costs, Costs)


def test_bad_tables_name_file_table_field_and_fix(tmp_path):
    """Every problem of the three tables at once, each with the file and the field."""
    body = """
    [costs]
    ferry_fare = 15
    transfer_yuan = -1
    [diagnosis.laboratory]
    window_minutes = 60
    [[hosting.links]]
    partner = "T1"
    """
    with pytest.raises(DataError) as err:
        scenario(tmp_path, "bad", body)
    text = str(err.value)
    assert "bad.toml" in text
    for needle in ("ferry_fare", "transfer_yuan", "window_minutes", "lead"):
        assert needle in text, needle
    assert "ferry_fare_yuan" in text  # the closest valid key


def test_unknown_hosting_facility_is_a_data_error_at_run(tmp_path):
    """A partner id the region does not have: a DataError naming it, not a KeyError."""
    s = scenario(tmp_path, "ghost", '[[hosting.links]]\npartner = "NOPE"\nlead = "C1"\n')
    with pytest.raises(DataError, match="NOPE"):
        run(s)


def test_moving_the_laboratory_nearer_the_island_shortens_its_samples(tmp_path):
    """The island health centre's samples arrive sooner when the laboratory is the island
    hospital C2 than when it is the mainland county hospital C1."""
    ages = {}
    for centre in ("C1", "C2"):
        body = f"""
        [diagnosis]
        services = ["laboratory"]
        [diagnosis.laboratory]
        candidates = ["{centre}"]
        fixed_centres = ["{centre}"]
        window_min = 600
        """
        result = run(scenario(tmp_path, f"lab_{centre}", body))
        stops = result.diagnosis.courier.stops
        island = stops[(stops["kind"] == "pickup") & (stops["facility_id"] == "H3")]
        assert len(island) >= 1, centre
        ages[centre] = float(np.max(island["minutes_to_centre"]))
    assert ages["C2"] < ages["C1"]


def test_every_kpi_of_the_run_has_a_definition(everything):
    """Each key of the run's KPIs (hosting, costs, courier too) has a label and a definition
    (a key without one shows as its raw name, in English, on Chinese pages)."""
    result, _, _ = everything
    undefined = [k for k in result.kpis if not kpi_info(k).definition]
    assert undefined == []


def test_an_unserved_sender_never_lowers_the_oldest_sample():
    """A stop the courier drops counts a day (its samples wait for the next run): losing a
    stop raises the KPI instead of removing its age from the maximum."""
    from netopt.scenario.extra_steps import UNSERVED_SAMPLE_AGE_MIN, _oldest_sample

    rng = np.random.default_rng(0)
    for _ in range(200):
        ages = rng.uniform(5, UNSERVED_SAMPLE_AGE_MIN, rng.integers(1, 6))
        unserved = int(rng.integers(0, 3))
        before = _oldest_sample(ages, unserved)
        drop = int(rng.integers(0, len(ages)))
        after = _oldest_sample(np.delete(ages, drop), unserved + 1)
        assert after >= before
    assert _oldest_sample(np.array([100.0, 119.9]), 0) == 119.9
    assert np.isnan(_oldest_sample(np.array([]), 0))
    assert _oldest_sample(np.array([]), 2) == UNSERVED_SAMPLE_AGE_MIN


def test_the_side_by_side_map_draws_centres_courier_and_partners(everything):
    """compare_map draws each run's diagnosis centres, courier routes and partner links, as
    its own map does (a run without them draws none)."""
    from netopt.maps import compare_map

    result = everything[0]
    html = compare_map([result, result.plan]).get_root().render()
    for name in ("netopt-diagnosis-centre", "netopt-courier-leg", "netopt-hosting-link"):
        assert html.count(name) >= 1, name
