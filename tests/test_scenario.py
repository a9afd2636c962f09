"""Tests of netopt.scenario: scenario files, runs, outputs, caching and comparison."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from netopt import DataError
from netopt.alliances import AllianceOptions
from netopt.graph import GraphOptions
from netopt.io import dumps_toml, region_fingerprint
from netopt.kpis import (
    KPIS,
    Rates,
    baseline_kpis,
    flow_kpis,
    plan_kpis,
    population_counts,
    zone_kpis,
)
from netopt.rotations import RotationOptions
from netopt.scenario import (
    OUTPUT_FILES,
    RECORD_KEYS,
    Modifiers,
    NewLink,
    Scenario,
    apply_modifiers,
    compare,
    compare_stages,
    deep_merge,
    demo_scenarios,
    is_current,
    load_record,
    run,
    run_all,
    run_and_compare,
    write_comparison,
)
from netopt.solve import SolverParams
from netopt.solve.status import stage_text

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"
XIANGSHAN = Path(__file__).parents[1] / "geodata" / "xiangshan"


def write(folder: Path, name: str, text: str) -> Path:
    """Write a scenario file and return its path."""
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def base_toml(tmp_path: Path, synthetic_copy: Path) -> Path:
    """A base scenario on the synthetic region, in a sub-folder (relative region path)."""
    (tmp_path / "scen").mkdir()
    return write(
        tmp_path / "scen",
        "base.toml",
        f"""
        title = "Base"
        description = "the base"
        region = "{Path("..") / "region"}"
        [graph]
        h3_resolution = 8  # a coarse land lattice keeps the tests fast
        [model]
        p = 1
        max_travel_min = 90
        [model.rates]
        referrals_per_year = 0.2
        [modifiers]
        headways = {{ F1 = 30 }}
        [solver]
        time_limit_s = 5
        seed = 3
    """,
    )


@pytest.fixture
def synthetic_copy(tmp_path: Path) -> Path:
    """A copy of the synthetic region folder at tmp_path/region."""
    import shutil

    folder = tmp_path / "region"
    shutil.copytree(SYNTHETIC, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


#: Graph options that keep the synthetic runs fast (a coarse land lattice).
FAST = GraphOptions(h3_resolution=8)


@pytest.fixture(scope="module")
def runs():
    """Real runs on the synthetic region, sharing one region and base graph: ``one`` (p = 1),
    ``again`` (the same scenario), ``two`` (p = 2) and ``storm`` (ferry F1 closed)."""
    one = Scenario(
        "one",
        SYNTHETIC,
        title="One <alliance>",
        graph=FAST,
        model=AllianceOptions(p=1, max_travel_min=math.inf),  # no window: p=2 never worse
        solver=SolverParams(time_limit_s=10),
    )
    scenarios = [
        one,
        one.replace(name="again"),
        # the synthetic region has one lead-capable hospital inside its area (C1): the
        # second lead is the city hospital T1 outside it
        one.replace(
            name="two",
            model=AllianceOptions(p=2, max_travel_min=math.inf, allow_outside_leads=True),
        ),
        one.replace(name="storm", modifiers=Modifiers(close_ferries=("F1",))),
    ]
    return {r.name: r for r in run_all(scenarios)}


@pytest.fixture(scope="module")
def today(tmp_path_factory):
    """Today's alliances evaluated as they are (evaluate_only) on a copy of the synthetic
    region in which every facility belongs to the County People's Hospital's (C1) alliance."""
    import shutil

    folder = tmp_path_factory.mktemp("today") / "region"
    shutil.copytree(SYNTHETIC, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "facilities.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).assign(alliance="C1").to_csv(
        path, index=False
    )
    scenario = Scenario(
        "today",
        folder,
        graph=FAST,
        model=AllianceOptions(evaluate_only=True),
        solver=SolverParams(time_limit_s=10),
    )
    return run(scenario)


@pytest.fixture(scope="module")
def synthetic_result(runs):
    """The p = 1 run on the synthetic region."""
    return runs["one"]


# ----------------------------------------------------------------------------- files


def test_extends_merges_tables_and_resolves_paths(base_toml: Path, synthetic_copy: Path) -> None:
    """A variant inherits what it does not state, overrides what it does, and keeps its own name."""
    variant = write(
        base_toml.parent,
        "two.toml",
        """
        extends = "base.toml"
        [model]
        p = 2
        [modifiers]
        close_ferries = ["F1"]
    """,
    )
    s = Scenario.from_toml(variant)
    assert s.name == "two"
    assert s.title == ""  # titles are not inherited
    assert s.region == synthetic_copy.resolve()
    assert s.model.p == 2 and s.model.max_travel_min == 90
    assert s.model.rates == Rates(referrals_per_year=0.2)
    assert s.graph == GraphOptions(h3_resolution=8)
    assert s.modifiers.headways == {"F1": 30.0} and s.modifiers.close_ferries == ("F1",)
    assert s.solver == SolverParams(time_limit_s=5.0, seed=3)
    assert s.rotations is None and s.rotation_params == s.solver


def test_unknown_key_names_file_key_and_closest_valid_key(base_toml: Path) -> None:
    """A misspelt key is reported with the file, the table and a suggestion."""
    bad = write(
        base_toml.parent,
        "bad.toml",
        """
        extends = "base.toml"
        [model]
        max_travel_mins = 60
    """,
    )
    with pytest.raises(
        DataError,
        match=r"bad\.toml.*\[model\].*max_travel_mins.*did you mean "
        r"'max_travel_min'",
    ):
        Scenario.from_toml(bad)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Bad keys and values in every table, [graph] and [model.rates] included, give one
    DataError listing all of them, each naming the file and its table."""
    bad = write(
        tmp_path,
        "bad.toml",
        """
        regoin = "x"
        [graph]
        h3_resolution = 99
        [model]
        p = "two"
        objective = "fastest"
        [model.rates]
        bed_occupancy = 2.0
        [solver]
        seed = -1
        [rotations]
        start_date = "next monday"
        [modifiers]
        depart_at = "25:00"
    """,
    )
    with pytest.raises(DataError) as info:
        Scenario.from_toml(bad)
    problems = {p.field: p for p in info.value.problems}
    assert {
        "regoin",
        "region",
        "h3_resolution",
        "p",
        "objective",
        "bed_occupancy",
        "seed",
        "start_date",
        "depart_at",
    } <= set(problems)
    assert "did you mean 'region'" in str(info.value)
    assert all(p.file == str(bad) for p in info.value.problems)
    assert problems["h3_resolution"].record == "[graph]"
    assert problems["bed_occupancy"].record == "[model.rates]"
    assert problems["seed"].record == "[solver]"
    assert problems["depart_at"].record == "[modifiers]"


def test_old_solver_time_limit_suggests_time_limit_s(tmp_path: Path) -> None:
    """[solver] time_limit is no longer a key; the error names the file and suggests the new one."""
    bad = write(tmp_path, "old.toml", 'region = "."\n[model]\np = 1\n[solver]\ntime_limit = 20\n')
    with pytest.raises(
        DataError,
        match=r"old\.toml, record \[solver\], field 'time_limit': unknown key.*"
        r"did you mean 'time_limit_s'",
    ):
        Scenario.from_toml(bad)


def test_rotations_options_table_is_an_unknown_key(tmp_path: Path, synthetic_copy: Path) -> None:
    """The free-form [rotations.options] table is gone: its keys are [rotations] keys now."""
    bad = write(
        tmp_path,
        "opts.toml",
        """
        region = "region"
        [model]
        p = 1
        [rotations]
        enabled = true
        [rotations.options]
        allow_stays = false
    """,
    )
    with pytest.raises(
        DataError,
        match=r"opts\.toml, record \[rotations\], field 'options': no longer a key.*"
        r"directly under \[rotations\]",
    ):
        Scenario.from_toml(bad)
    good = write(
        tmp_path,
        "good.toml",
        'region = "region"\n[model]\np = 1\n[rotations]\nenabled = true\nallow_stays = false\n',
    )
    assert Scenario.from_toml(good).rotations.allow_stays is False


def test_region_folder_must_hold_region_toml(tmp_path: Path) -> None:
    """A region path without region.toml is reported when the scenario is read."""
    path = write(tmp_path, "lost.toml", 'region = "nowhere"\n[model]\np = 1\n')
    with pytest.raises(DataError, match=r"lost\.toml, field 'region': no region.toml at"):
        Scenario.from_toml(path)


def test_rhythm_days_per_specialty(tmp_path: Path, synthetic_copy: Path) -> None:
    """[rotations] rhythm_days may be a table of days per specialty."""
    path = write(
        tmp_path,
        "r.toml",
        """
        region = "region"
        [model]
        p = 1
        [rotations]
        enabled = true
        rhythm_days = { cardiology = 7, pediatrics = 28 }
    """,
    )
    s = Scenario.from_toml(path)
    assert s.rotations is not None
    assert s.rotations.rhythm_days == {"cardiology": 7, "pediatrics": 28}


def test_circular_extends_is_a_data_error(tmp_path: Path) -> None:
    """Two files that extend each other are rejected, naming the chain."""
    write(tmp_path, "a.toml", 'extends = "b.toml"\nregion = "."\n[model]\np = 1\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(DataError, match="circular extends: a.toml -> b.toml -> a.toml"):
        Scenario.from_toml(tmp_path / "a.toml")


def test_invalid_toml_syntax_is_a_data_error(tmp_path: Path) -> None:
    """A syntax error is a DataError naming the file, not a raw TOMLDecodeError."""
    path = write(tmp_path, "broken.toml", "p = [1, 2\n")
    with pytest.raises(DataError, match=r"broken\.toml.*not valid TOML"):
        Scenario.from_toml(path)


def test_scenario_and_region_toml_that_are_not_utf8_are_data_errors(tmp_path: Path) -> None:
    """A GBK scenario file, and a fingerprint of a GBK region.toml, name the file (no traceback)."""
    from netopt.io import region_fingerprint

    path = tmp_path / "gbk.toml"
    path.write_bytes('title = "象山县"\nregion = "."\n'.encode("gbk"))
    with pytest.raises(DataError, match=r"gbk\.toml.*not UTF-8 text"):
        Scenario.from_toml(path)
    region = tmp_path / "region"
    region.mkdir()
    (region / "region.toml").write_bytes('name = "象山县"\n'.encode("gbk"))
    with pytest.raises(DataError, match=r"region\.toml.*not UTF-8 text"):
        region_fingerprint(region)


def test_links_and_departures_are_parsed(tmp_path: Path) -> None:
    """A new bridge keyed by name and extra departures become typed modifiers."""
    path = write(
        tmp_path,
        "bridge.toml",
        f"""
        region = "{SYNTHETIC.as_posix()}"
        [model]
        fixed_leads = ["C1"]
        [modifiers]
        departures = {{ F1 = ["12:00", "20:15"] }}
        [modifiers.links.new_bridge]
        from = [121.95, 29.21]
        to = [121.97, 29.22]
        travel_min = 4
    """,
    )
    s = Scenario.from_toml(path)
    assert s.modifiers.links == (NewLink("new_bridge", (121.95, 29.21), (121.97, 29.22), 4.0),)
    assert s.modifiers.departures == {"F1": ("12:00", "20:15")}
    assert s.model.fixed_leads == ("C1",) and s.model.p is None


def test_shipped_scenarios_load() -> None:
    """Every shipped Xiangshan scenario file is valid and points at the bundled region; the
    index lists the demo in report order; the rotation model has its own time limit."""
    files = sorted(f for f in (XIANGSHAN / "scenarios").glob("*.toml") if f.name != "index.toml")
    assert len(files) >= 4
    for f in files:
        s = Scenario.from_toml(f)
        assert (s.region / "region.toml").is_file()
        assert s.solver.time_limit_s <= 30 and s.rotation_params.time_limit_s <= 30
    demo = demo_scenarios(XIANGSHAN)
    assert [s.name for s in demo] == [
        "today",
        "optimised",
        "optimised_rotation",
        "storm",
        "sub_centres",
        "capitation",
        "hosted_both",
        "today_en",
    ]
    # Xiangshan writes Chinese pages; today_en is today with English ones
    assert [s.page_language() for s in demo] == ["zh"] * 7 + ["en"]
    # the capitation scenario states a budget and plans the diagnosis centres and courier;
    # the hosting scenarios add to region.toml's sourced [[hosting]] link
    by_name = {s.name: s for s in demo}
    assert by_name["capitation"].costs["budget_per_resident_yuan"] == 3900
    assert by_name["capitation"].diagnosis["laboratory"]["window_min"] == 120
    assert by_name["hosted_both"].hosting["links"][0]["lead"] == "XS-H01"
    assert demo[-1].to_dict()["model"] == demo[0].to_dict()["model"]
    rotation = demo[2]
    assert rotation.rotation_params == SolverParams(time_limit_s=10, seed=0)
    assert rotation.solver == SolverParams(time_limit_s=20, seed=0)


def test_demo_scenarios_need_an_index(tmp_path: Path) -> None:
    """A region folder without scenarios/index.toml names the missing file and the fix."""
    with pytest.raises(FileNotFoundError, match=r"scenarios/index\.toml does not exist.*--region"):
        demo_scenarios(tmp_path)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "index.toml").write_text('demo = ["nothere"]\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"index\.toml, field 'demo': 'nothere': no file"):
        demo_scenarios(tmp_path)


def test_to_dict_round_trips_through_toml(tmp_path: Path, base_toml: Path) -> None:
    """The resolved scenario written as TOML reads back to the same scenario and fingerprint,
    rotations and their solver override included; [graph] keeps only the changed options."""
    variant = write(
        base_toml.parent,
        "rot.toml",
        """
        extends = "base.toml"
        [graph]
        road_speeds_kmh = { track = 12 }
        [rotations]
        enabled = true
        start_date = 2026-03-02
        rhythm_days = { cardiology = 7 }
        [rotations.solver]
        time_limit_s = 7
    """,
    )
    for s in (Scenario.from_toml(base_toml), Scenario.from_toml(variant)):
        path = tmp_path / "resolved.toml"
        path.write_text(dumps_toml(s.to_dict()), encoding="utf-8")
        again = Scenario.from_toml(path)
        assert again.to_dict() == s.to_dict()
        assert again.fingerprint() == s.fingerprint()
        assert Scenario.from_dict(s.to_dict()).fingerprint() == s.fingerprint()
        assert again.graph == s.graph and again.model == s.model and again.solver == s.solver
        assert again.rotations == s.rotations and again.rotation_params == s.rotation_params
    table = s.to_dict()
    assert table["graph"] == {"h3_resolution": 8, "road_speeds_kmh": {"track": 12.0}}
    assert table["rotations"]["solver"] == {"time_limit_s": 7.0}
    assert s.rotation_params == SolverParams(time_limit_s=7, seed=3)


def test_replace_merges_mappings_into_the_option_objects(base_toml: Path) -> None:
    """replace() with a mapping changes only the fields given, rates and rotations included."""
    s = Scenario.from_toml(base_toml)
    t = s.replace(
        model={"p": 2, "rates": {"bed_occupancy": 0.9}},
        solver={"seed": 4},
        rotations={"horizon_days": 14},
        rotation_solver={"time_limit_s": 3},
    )
    assert t.model.p == 2 and t.model.max_travel_min == 90
    assert t.model.rates == Rates(referrals_per_year=0.2, bed_occupancy=0.9)
    assert t.solver == SolverParams(time_limit_s=5, seed=4)
    assert t.rotations == RotationOptions(horizon_days=14)
    assert t.rotation_params == SolverParams(time_limit_s=3, seed=3)
    assert t.fingerprint() != s.fingerprint()
    with pytest.raises(TypeError, match="model must be a AllianceOptions"):
        Scenario("x", SYNTHETIC, model={"p": 1})
    with pytest.raises(DataError, match="depart_at"):
        s.replace(modifiers={"depart_at": "8 o'clock"})


def test_deep_merge_replaces_lists_and_merges_tables() -> None:
    """Tables merge key by key; a list in the override replaces the base list."""
    merged = deep_merge({"a": {"x": 1, "y": [1, 2]}, "b": 1}, {"a": {"y": [3]}, "c": 2})
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 1, "c": 2}


def test_fingerprint_changes_with_region_data(base_toml: Path, synthetic_copy: Path) -> None:
    """Editing a region file changes the fingerprint; re-reading the same file does not."""
    s = Scenario.from_toml(base_toml)
    before = s.fingerprint()
    assert Scenario.from_toml(base_toml).fingerprint() == before
    f = synthetic_copy / "facilities.csv"
    f.write_text(f.read_text(encoding="utf-8").replace("1200", "1300"), encoding="utf-8")
    assert s.fingerprint() != before
    assert len(region_fingerprint(synthetic_copy)) == 64


# ----------------------------------------------------------------------------- runs


def test_run_kpis_baseline_and_counts_agree(synthetic_result) -> None:
    """The result's KPIs, baseline and counts are those of its assignments table."""
    r = synthetic_result
    assert r.plan.solve.status == "optimal" and len(r.plan.leads) == 1
    zone = zone_kpis(r.plan.zones, Rates())
    assert {k: r.kpis[k] for k in zone} == pytest.approx(zone, nan_ok=True)
    flows = set(flow_kpis(r.plan.flows(), r.plan.zones["island"]))
    paths = {k for k in r.pathways.kpis() if k != "pathways"}
    costs = set(r.costs.kpis()) | {"cost_budget_yuan"}  # costs are reported in every run
    assert set(r.kpis) - set(zone) == flows | paths | costs
    assert r.kpis["cost_total_yuan"] == pytest.approx(r.costs.items["yuan_per_year"].sum())
    assert r.baseline == pytest.approx(baseline_kpis(r.plan.zones, Rates()), nan_ok=True)
    counts = r.population_counts
    assert counts == population_counts(r.plan.zones)
    assert sum(counts.values()) == pytest.approx(r.plan.zones["population"].sum())
    # The naive plan sends everyone to the nearest candidate: never slower on average.
    assert r.baseline["mean_lead_min"] <= r.kpis["mean_lead_min"] + 1e-9


def test_same_seed_same_answer(runs) -> None:
    """Running the same scenario again gives the same leads and KPIs."""
    synthetic_result, again = runs["one"], runs["again"]
    assert again.plan.leads == synthetic_result.plan.leads
    assert again.kpis == pytest.approx(synthetic_result.kpis, nan_ok=True)


def test_closing_the_ferry_cuts_off_the_island(runs) -> None:
    """A storm day (ferry closed) cuts the island off: counted, not covered, and in every mean
    with the wait until the ferry runs again."""
    synthetic_result, storm = runs["one"], runs["storm"]
    assert synthetic_result.kpis["population_cut_off"] == 0
    cut = storm.kpis["population_cut_off"]
    assert cut > 0
    assert storm.population_counts["population_served"] <= storm.kpis["population"] - cut + 1e-6
    assert storm.plan.cut_off["population"].sum() == pytest.approx(cut)
    for key in ("mean_lead_min", "mean_lead_min_island", "patient_hours_per_year"):
        assert storm.kpis[key] > synthetic_result.kpis[key], key


def test_rotation_solver_override_reaches_the_scheduler(tmp_path: Path, synthetic_copy) -> None:
    """[rotations.solver] sets the rotation model's parameters (the rest from [solver]); the
    KPIs then include the rotation and kpis.json records both solves' parameters."""
    path = write(
        tmp_path,
        "rot.toml",
        """
        region = "region"
        [graph]
        h3_resolution = 8
        [model]
        p = 1
        [rotations]
        enabled = true
        horizon_days = 14
        start_date = 2026-03-02
        [rotations.solver]
        time_limit_s = 7
        [solver]
        time_limit_s = 10
        seed = 2
    """,
    )
    result = run(Scenario.from_toml(path))
    assert result.plan.params == SolverParams(time_limit_s=10, seed=2)
    assert result.schedule.params == SolverParams(time_limit_s=7, seed=2)
    assert result.schedule.params.time_limit_s == 7
    expected = plan_kpis(result.plan, result.schedule)
    assert {k: result.kpis[k] for k in expected} == pytest.approx(expected, nan_ok=True)
    assert result.kpis["expert_days"] > 0
    record = result.record()
    assert record["rotation_solver"]["params"]["time_limit_s"] == 7
    assert record["solver"]["params"]["time_limit_s"] == 10
    assert "rotations" in result.summary()
    rotation = record["stages"]["rotation"]
    assert rotation["text"] == stage_text(result.schedule)
    assert rotation["status"] == result.schedule.status and rotation["evaluated"] is False
    assert f"; {rotation['text']}, " in result.summary().splitlines()[1]


def test_result_population_counts_come_from_the_kpis(synthetic_result) -> None:
    """population_counts is the three counts of the KPIs, and summary() is a short text."""
    r = synthetic_result
    assert r.population_counts == {k: r.kpis[k] for k in population_counts(r.plan.zones)}
    text = r.summary()
    assert text.startswith("one: ") and len(text.splitlines()) <= 4


def test_unknown_ferry_route_is_a_data_error(synthetic_result) -> None:
    """Closing a ferry that does not exist names the route and the valid ones."""
    with pytest.raises(DataError, match="F9.*no such ferry route"):
        apply_modifiers(synthetic_result.graph, Modifiers(close_ferries=("F9",)))


# ----------------------------------------------------------------------------- outputs


def test_to_folder_writes_every_output(synthetic_result, tmp_path: Path) -> None:
    """Every output exists and parses; kpis.json agrees with assignments.csv."""
    folder = synthetic_result.to_folder(tmp_path / "one")
    for name in OUTPUT_FILES:
        assert (folder / name).is_file(), name
    zones = gpd.read_file(folder / "plan.gpkg", layer="zones")
    assert len(zones) == len(synthetic_result.plan.zones)
    summary = load_record(folder)
    table = pd.read_csv(folder / "assignments.csv")
    recomputed = zone_kpis(table, Rates(**summary["rates"]))
    for key, value in recomputed.items():
        if summary["kpis"][key] is not None:
            assert value == pytest.approx(summary["kpis"][key], rel=1e-9), key
    flows = pd.read_csv(folder / "flows_by_zone.csv")
    for share in ("in_area_share", "grassroots_share"):
        recomputed_share = (flows["visits"] * flows[share]).sum() / flows["visits"].sum()
        assert recomputed_share == pytest.approx(summary["kpis"][share], rel=1e-3), share
    assert summary["solver"]["status"] == "optimal"
    assert summary["solver"]["params"] == SolverParams(time_limit_s=10).to_dict()
    assert summary["rotation_solver"] is None
    assert set(summary) == set(RECORD_KEYS)
    assert summary == synthetic_result.record()
    assert list(summary["definitions"])[: len(KPIS)] == [k.key for k in KPIS]
    assert set(summary["definitions"]) >= set(summary["kpis"])
    assert summary["definitions"]["mean_lead_min"]["better"] == "lower"
    assert set(summary["population_counts"]) == {
        "population_served",
        "population_unserved_capacity",
        "population_not_covered",
    }
    assert is_current(synthetic_result.scenario, folder)
    assert not is_current(synthetic_result.scenario.replace(solver={"seed": 1}), folder)


def test_record_stages_say_how_each_stage_was_solved(runs, today) -> None:
    """kpis.json's stages: "optimal" for an optimised plan, "evaluated" (never "optimal") for
    today's alliances, no rotation stage without rotations; summary() shows the same texts."""
    one = runs["one"]
    solve = one.plan.solve
    assert one.record()["stages"] == {
        "location": {
            "status": "optimal",
            "objective": solve.objective,
            "bound": solve.bound,
            "gap": 0.0,
            "seconds": solve.seconds,
            "evaluated": False,
            "text": "optimal",
        },
        "rotation": None,
    }
    assert "alliance plan optimal" in one.summary()
    location = today.record()["stages"]["location"]
    assert today.plan.options.evaluate_only and len(today.plan.leads) == 1
    assert location["evaluated"] is True and location["status"] == today.plan.solve.status
    assert location["text"] == "evaluated"
    assert "alliance plan evaluated" in today.summary() and "optimal" not in today.summary()


def test_an_old_record_gets_its_stages_and_is_run_again(today, tmp_path: Path) -> None:
    """A kpis.json written before stages existed: load_record adds them (evaluate_only from
    the folder's scenario.toml), and is_current says the outputs must be written again."""
    folder = today.to_folder(tmp_path / "today")
    assert is_current(today.scenario, folder)
    record = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    stages = record.pop("stages")
    (folder / "kpis.json").write_text(json.dumps(record), encoding="utf-8")
    assert load_record(folder)["stages"] == stages
    assert stages["location"]["text"] == "evaluated"
    assert not is_current(today.scenario, folder)


def test_report_escapes_data_text(synthetic_result, tmp_path: Path) -> None:
    """A title with markup appears escaped in report.html."""
    folder = synthetic_result.to_folder(tmp_path / "one")
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert "One &lt;alliance&gt;" in text and "<alliance>" not in text
    assert "<script" not in text  # no JavaScript needed


def test_failed_write_leaves_previous_outputs_byte_identical(
    runs, synthetic_result, tmp_path: Path, monkeypatch
) -> None:
    """A crash while writing (the map writer raises) leaves the old folder untouched."""
    from netopt import maps

    folder = synthetic_result.to_folder(tmp_path / "one")
    before = {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    def crash(*args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    other = runs["two"]
    monkeypatch.setattr(maps, "save_map", crash)
    with pytest.raises(RuntimeError, match="simulated"):
        other.to_folder(folder)
    after = {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one"]  # no temporary folder left


# ----------------------------------------------------------------------------- comparing


def test_compare_puts_scenarios_side_by_side(runs, synthetic_result) -> None:
    """compare() has one column per scenario, KPI rows, and the baseline rows."""
    two = runs["two"]
    frame = compare([synthetic_result, two])
    assert list(frame.columns)[:4] == ["label", "unit", "one", "two"]
    assert frame.loc["alliances", "one"] == 1 and frame.loc["alliances", "two"] == 2
    assert frame.loc["mean_lead_min", "two"] == pytest.approx(two.kpis["mean_lead_min"])
    assert frame.loc["baseline_mean_lead_min", "one"] == pytest.approx(
        synthetic_result.baseline["mean_lead_min"]
    )
    # Two leads never make the patient-hours worse than one (same candidates, optimal).
    assert (
        two.kpis["patient_hours_per_year"] <= synthetic_result.kpis["patient_hours_per_year"] + 1e-6
    )


def test_compare_rejects_repeated_names(synthetic_result) -> None:
    """Two results with the same scenario name cannot be compared."""
    with pytest.raises(DataError, match="repeat"):
        compare([synthetic_result, synthetic_result])


def test_run_and_compare_reuses_current_outputs(
    base_toml: Path, synthetic_copy: Path, tmp_path: Path
) -> None:
    """A second study with unchanged files reuses every folder; an edited scenario is stale."""
    two = write(
        base_toml.parent,
        "two.toml",
        'extends = "base.toml"\n[model]\np = 2\nallow_outside_leads = true\n',
    )
    scenarios = [Scenario.from_toml(base_toml), Scenario.from_toml(two)]
    out = tmp_path / "out"
    first = run_and_compare(scenarios, out)
    assert first.reused == ()
    names = {p.name for p in out.iterdir()}
    assert {"base", "two", "comparison.csv", "comparison.html", "compare_map.html"} <= names
    csv = pd.read_csv(out / "comparison.csv", index_col="kpi")
    assert list(csv.columns) == [
        *["label", "unit", "base", "two", "better", "change_two", "verdict_two"]
    ]
    assert "comparison_kpis.json" in names
    stamp = (out / "base" / "run.json").read_bytes()

    second = run_and_compare(scenarios, out)
    assert second.reused == ("base", "two")
    assert (out / "base" / "run.json").read_bytes() == stamp
    pd.testing.assert_frame_equal(second.table, first.table)

    two.write_text(two.read_text() + "[solver]\nseed = 4\n", encoding="utf-8")
    assert not is_current(Scenario.from_toml(two), out / "two")
    assert is_current(scenarios[0], out / "base")


# ------------------------------------------------------------------- reading a comparison


@pytest.fixture(scope="module")
def rare_ferry(runs):
    """The p = 1 scenario with ferry F1 sailing only every 4 hours."""
    one = runs["one"].scenario
    return run(one.replace(name="rare", modifiers=Modifiers(headways={"F1": 240})))


def test_compare_reads_every_scenario_against_the_first(runs, rare_ferry) -> None:
    """A rarer ferry makes the island mean worse; population has a change but no verdict."""
    one = runs["one"]
    frame = compare([one, rare_ferry])
    assert list(frame.columns) == [
        *["label", "unit", "one", "rare", "better"],
        *["change_rare", "verdict_rare"],
    ]
    island = frame.loc["mean_lead_min_island"]
    assert island["better"] == "lower"
    assert island["change_rare"] == pytest.approx(
        rare_ferry.kpis["mean_lead_min_island"] - one.kpis["mean_lead_min_island"]
    )
    assert island["change_rare"] > 0 and island["verdict_rare"] == "worse"
    assert frame.loc["population", "better"] == "" and frame.loc["population", "verdict_rare"] == ""
    assert frame.loc["population", "change_rare"] == 0.0
    for key in ("alliances", "solver_gap", "solver_seconds"):
        assert frame.loc[key, "verdict_rare"] == "", key
    assert frame.loc["p90_primary_min", "verdict_rare"] == "same"


def test_closing_the_ferry_is_worse_on_every_travel_kpi(runs) -> None:
    """With the ferry closed every travel KPI is worse: the cut-off islanders stay in the means."""
    frame = compare([runs["one"], runs["storm"]])
    assert frame.loc["population_cut_off", "verdict_storm"] == "worse"
    assert frame.loc["population_served", "verdict_storm"] == "worse"
    for key in ("mean_lead_min", "p90_lead_min", "patient_hours_per_year", "mean_lead_min_island"):
        assert frame.loc[key, "verdict_storm"] == "worse", key
    assert frame.loc["share_lead_60min", "verdict_storm"] in ("worse", "same")


def test_other_population_is_not_comparable(runs) -> None:
    """Scenarios of different populations get "not comparable" on every directed KPI."""
    one, storm = runs["one"], runs["storm"]
    other = dict(storm.record())
    other["kpis"] = {**other["kpis"], "population": other["kpis"]["population"] + 1}
    frame = compare([one.record(), other])
    assert frame.loc["mean_lead_min", "verdict_storm"] == "not comparable"
    assert frame.loc["population", "verdict_storm"] == ""


def test_compare_reference_by_name_and_unknown_name(runs) -> None:
    """reference="storm" measures the others against it; an unknown name lists the valid ones."""
    one, storm = runs["one"], runs["storm"]
    frame = compare([one, storm], reference="storm")
    assert "change_storm" not in frame.columns and "verdict_one" in frame.columns
    assert frame.loc["population_cut_off", "verdict_one"] == "better"
    with pytest.raises(DataError, match=r"'today' is not one of.*\['one', 'storm'\]"):
        compare([one, storm], reference="today")


def test_write_comparison_writes_the_kpis_json(runs, rare_ferry, tmp_path: Path) -> None:
    """comparison.csv keeps the verdict columns; comparison_kpis.json holds the same figures."""
    files = write_comparison([runs["one"], rare_ferry], tmp_path, reference="rare")
    assert tmp_path / "comparison_kpis.json" in files
    csv = pd.read_csv(tmp_path / "comparison.csv", index_col="kpi", keep_default_na=False)
    assert csv.loc["mean_lead_min_island", "verdict_one"] == "better"
    doc = json.loads((tmp_path / "comparison_kpis.json").read_text(encoding="utf-8"))
    assert doc["reference"] == "rare" and doc["scenarios"] == ["one", "rare"]
    island = doc["kpis"]["mean_lead_min_island"]
    assert island["better"] == "lower" and island["verdict"] == {"one": "better"}
    assert set(island["values"]) == {"one", "rare"} and island["change"]["one"] < 0
    assert doc["kpis"]["population"]["verdict"] == {"one": ""}
    html = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    assert "lower is better" in html and 'class="change better"' in html


def test_comparison_files_show_each_stage_status(runs, today, tmp_path: Path) -> None:
    """comparison.csv, comparison_kpis.json and comparison.html show each scenario's stage
    texts: "evaluated" for today's alliances, "optimal" for the optimised plan."""
    one = runs["one"]
    stages = compare_stages([today, one])
    assert stages.index.tolist() == ["location", "rotation"]
    assert stages.loc["location"].tolist() == ["Alliance plan", "evaluated", "optimal"]
    assert stages.loc["rotation", ["today", "one"]].tolist() == ["not run", "not run"]
    write_comparison([today, one], tmp_path)
    csv = pd.read_csv(tmp_path / "comparison.csv", index_col="kpi", keep_default_na=False)
    assert csv.index[:2].tolist() == ["stage_location", "stage_rotation"]
    assert csv.loc["stage_location", ["label", "today", "one"]].tolist() == [
        *["Alliance plan: status", "evaluated", "optimal"]
    ]
    assert csv.loc["stage_location", "verdict_one"] == ""
    assert float(csv.loc["mean_lead_min", "one"]) == pytest.approx(one.kpis["mean_lead_min"])
    doc = json.loads((tmp_path / "comparison_kpis.json").read_text(encoding="utf-8"))
    assert doc["stages"]["location"] == {
        "label": "Alliance plan",
        "text": {"today": "evaluated", "one": "optimal"},
    }
    assert doc["stages"]["rotation"]["text"] == {"today": None, "one": None}
    html = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    assert "evaluated" in html
