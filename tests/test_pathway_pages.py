"""The time-critical pathway pages: the map overlays and their Day / Night switch (in offline
Chromium), the report's section, the comparison's rows; one real run on the synthetic region
with capabilities given and a siting of one STEMI centre."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from browser import offline_page, requires_chromium

from netopt import maps
from netopt.alliances import AllianceOptions
from netopt.kpis import kpi_info
from netopt.maps.pathway_layers import LATE_COLOUR, pathway_data
from netopt.maps.pathway_report import pathway_section
from netopt.maps.text import message, use_language
from netopt.pathways import PathwayOptions, Siting
from netopt.report import scenario_report
from netopt.scenario import Scenario, compare, run
from netopt.solve import SolverParams

#: Capabilities given to the synthetic facilities (as tests/pathways/test_planner.py does).
CAPS = {
    "T1": ("pci", "stroke_centre", "thrombectomy", "trauma", "icu", "obstetric_emergency",
           "pe_reperfusion", "helipad"),
    "C1": ("pci", "thrombolysis", "icu"),
    "C2": ("thrombolysis", "obstetric_emergency"),
}  # fmt: skip
PE = "High-risk pulmonary embolism (reperfusion): treated in time"
_MAP_JS = "window[document.querySelector('.folium-map').id]"
_COUNT_JS = f"""colour => {{
    const map = {_MAP_JS}; const n = {{zones: 0, late: 0, routes: 0}};
    map.eachLayer(l => {{ const o = l.options || {{}};
        if (o.className === 'netopt-pathway') {{ n.zones += 1;
            if (o.fillColor === colour) {{ n.late += 1; }} }}
        if (o.className === 'netopt-pathway-route') {{ n.routes += 1; }} }});
    return n;
}}"""


def _with(region):
    facilities = region.facilities.copy()
    facilities["capabilities"] = [CAPS.get(i, ()) for i in facilities.index]
    return dataclasses.replace(region, facilities=facilities)


@pytest.fixture(scope="module")
def result(_synthetic_region_cached):
    """The synthetic region with capabilities, one alliance, and a siting of one PCI centre
    (C2 or H1) for STEMI by night."""
    siting = Siting(condition="stemi", candidates=("C2", "H1"), add=1, objective="night")
    scenario = Scenario(
        "pathways",
        _with(_synthetic_region_cached),
        model=AllianceOptions(p=1, max_travel_min=math.inf),
        pathways=PathwayOptions(siting=siting),
        solver=SolverParams(time_limit_s=10),
    )
    return run(scenario)


@pytest.fixture(scope="module")
def record(result):
    """The run's kpis.json record, as written (JSON round trip)."""
    return json.loads(json.dumps(result.record(), default=str))


@pytest.fixture(scope="module")
def saved(result, tmp_path_factory):
    """The run's map with pathways, and the same run's map without them."""
    out = tmp_path_factory.mktemp("pathway_maps")
    with_pw = maps.save_map(maps.alliance_map(result), out / "map.html")[0]
    without = dataclasses.replace(result, pathways=None)
    plain = maps.save_map(maps.alliance_map(without), out / "plain.html")[0]
    return with_pw, plain


def _late_zones(result, condition: str, period: str) -> int:
    t = result.pathways.table
    rows = t[(t["condition"] == condition) & (t["period"] == period)]
    return int((~rows["in_time"]).sum())


def test_fixture_has_pathways_that_differ_by_night(result) -> None:
    """The run planned pathways and a siting; PE has more zones late by night than by day."""
    assert result.pathways is not None and result.siting is not None
    assert _late_zones(result, "pulmonary_embolism", "night") > _late_zones(
        result, "pulmonary_embolism", "day"
    )


def test_page_data_is_compact_and_decodes(result) -> None:
    """One row per zone with minutes and codes per condition and period; codes give in time."""
    data = pathway_data(result.pathways, result.plan.region, 5)
    n = len(data["conds"])
    assert len(data["zones"]) == len(result.plan.region.zones)
    table = result.pathways.table.set_index(["zone", "condition", "period"])
    for row in data["zones"]:
        assert len(row[6]) == len(row[7]) == 2 * n
        for ci, cond in enumerate(data["conds"]):
            for j, period in enumerate(("day", "night")):
                expect = bool(table.loc[(row[2], cond, period), "in_time"])
                assert bool(row[7][2 * ci + j] & 1) == expect


def test_map_size_grows_modestly(saved) -> None:
    """The overlays add data, scripts and legends, not a copy of the map (< 40 kB here)."""
    grow = saved[0].stat().st_size - saved[1].stat().st_size
    assert 0 < grow < 40_000


@pytest.mark.browser
@requires_chromium
def test_pathway_layer_and_day_night_switch_in_offline_chromium(saved, result, tmp_path) -> None:
    """In Chromium: one overlay per condition, off at start; turned on it draws every zone
    with its legend and the switch; Night marks more PE zones red than Day and sets
    data-netopt-period; turned off, the switch goes; no errors, no requests."""
    n_zones = len(result.plan.region.zones)
    with offline_page(saved[0], screenshot=tmp_path / "pathways.png") as (page, report):
        overlays = page.locator(".leaflet-control-layers-overlays label")
        labels = [t.strip() for t in overlays.all_inner_texts()]
        box = overlays.filter(has_text=PE).locator("input")
        start = (box.is_checked(), page.locator(".netopt-period-switch").count())
        box.check()
        day = page.evaluate(_COUNT_JS, LATE_COLOUR)
        legend = page.locator(".netopt-legend .netopt-flow-legend").all_inner_texts()
        period_day = page.locator(".folium-map").get_attribute("data-netopt-period")
        page.locator(".netopt-period-switch .netopt-period-night").click()
        night = page.evaluate(_COUNT_JS, LATE_COLOUR)
        period_night = page.locator(".folium-map").get_attribute("data-netopt-period")
        pressed = page.locator(".netopt-period-night").get_attribute("aria-pressed")
        page.locator(".netopt-period-switch .netopt-period-day").click()
        back = page.evaluate(_COUNT_JS, LATE_COLOUR)
        box.uncheck()
        gone = page.locator(".netopt-period-switch").count()
    assert report.ok, report.problems()
    assert sum(PE == x for x in labels) == 1
    assert sum(x.endswith(": treated in time") for x in labels) == len(result.pathways.conditions)
    assert start == (False, 0)
    assert day["zones"] == night["zones"] == n_zones
    assert day["late"] == _late_zones(result, "pulmonary_embolism", "day")
    assert night["late"] == _late_zones(result, "pulmonary_embolism", "night") > day["late"]
    assert back == day and night["routes"] >= night["late"]
    assert (period_day, period_night, pressed) == ("day", "night", "true")
    assert len(legend) == 1 and "window ESTIMATED" in legend[0] and "by night" in legend[0]
    assert gone == 0


@pytest.mark.browser
@requires_chromium
def test_pathway_overlays_in_chinese(result, tmp_path) -> None:
    """The Chinese map names the overlays and the switch in Chinese."""
    path = maps.save_map(maps.alliance_map(result, lang="zh"), tmp_path / "zh.html")[0]
    with offline_page(path) as (page, report):
        overlays = page.locator(".leaflet-control-layers-overlays label")
        overlays.filter(has_text="卒中（静脉溶栓）").locator("input").check()
        switch = page.locator(".netopt-period-switch").inner_text()
    assert report.ok, report.problems()
    assert "白天" in switch and "夜间" in switch


def test_report_has_the_time_critical_section(record) -> None:
    """The report's section: a row per condition with ESTIMATE flags, the places not in time
    and the siting with its candidates."""
    page = scenario_report(record)
    assert '<h2 id="pathways">Time-critical care</h2>' in page
    section = pathway_section(record)
    assert section in page
    n_estimated = sum(bool(c["estimated"]) for c in record["pathways"].values())
    assert 0 < n_estimated < len(record["pathways"])  # stroke's window is a guideline's
    assert section.count(">ESTIMATE</strong>") == n_estimated
    assert "Stroke (IV thrombolysis)" in section and "In time, night" in section
    assert "Residents not in time, by island and township" in section
    assert "Beiyu" in section and "Xiaoyu" in section
    assert "Where a new centre helps most" in section
    chosen = record["siting"]["chosen"][0]
    assert f"Chosen: {chosen}, given pci" in section
    assert 'class="netopt-siting"' in section and "<td>H1</td>" in section


def test_report_section_in_chinese_and_without_pathways(record) -> None:
    """In Chinese the section is Chinese; a record without pathways has no section."""
    with use_language("zh"):
        section = pathway_section(record)
        name = message("page.pathways")
    assert name == "急危重症救治" and name in section and "Time-critical" not in section
    assert pathway_section({k: v for k, v in record.items() if k != "pathways"}) == ""


def test_comparison_has_the_pathway_rows(record) -> None:
    """Every flat pathway KPI is a comparison row with its label, unit and direction."""
    other = json.loads(json.dumps(record))
    other["scenario"] = "other"
    other["kpis"]["pathway_stroke_in_time_night"] = 0.5
    table = compare([record, other])
    keys = [k for k in record["kpis"] if k.startswith("pathway_")]
    assert len(keys) == 4 * len(record["pathways"])
    assert set(keys) <= set(table.index)
    row = table.loc["pathway_stroke_in_time_night"]
    assert row["label"] == "Stroke (IV thrombolysis) in time, night"
    assert (row["unit"], row["better"], row["verdict_other"]) == ("share", "higher", "worse")
    assert table.loc["pathway_stemi_median_min_day", "better"] == "lower"
    assert kpi_info("pathway_own_condition_in_time_day").label == "Own condition in time, day"
