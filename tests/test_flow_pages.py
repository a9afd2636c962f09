"""The patient-flow pages: map overlays (in offline Chromium), the report's section, the
workbook's sheets; one real run on the synthetic region with an upgrade candidate."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from browser import offline_page, requires_chromium

from netopt import maps
from netopt.alliances import AllianceOptions, FlowOptions
from netopt.graph import GraphOptions
from netopt.maps.flow_layers import break_colours
from netopt.maps.flow_report import care_section
from netopt.maps.flow_tables import township_flows
from netopt.maps.text import use_language
from netopt.report import scenario_report
from netopt.scenario import Scenario, run, run_workbook
from netopt.scenario.excel import RUN_SHEETS
from netopt.scenario.flow_outputs import access_table
from netopt.solve import SolverParams

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"
ACCESS = "Beds per 1,000 within 30 min (2SFCA)"
CARE = "Where care happens"
_MAP_JS = "window[document.querySelector('.folium-map').id]"
_COUNT_FEATURES_JS = f"""() => {{
    const map = {_MAP_JS}; const n = {{}};
    map.eachLayer(l => {{ const k = l.options && l.options.className;
        if (k && l.feature) {{ n[k] = (n[k] || 0) + 1; }} }});
    return n;
}}"""
_OPEN_POPUP_JS = f"""cls => {{
    const map = {_MAP_JS}; let text = null;
    map.eachLayer(l => {{ if (text === null && l.feature && l.options.className === cls) {{
        l.openPopup(); text = l.getPopup().getElement().textContent; }} }});
    return text;
}}"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """The synthetic region with Shipu health centre (H1) an upgrade candidate (60 beds,
    36 million yuan), run with one upgrade allowed for a grassroots target."""
    folder = tmp_path_factory.mktemp("flows") / "region"
    shutil.copytree(SYNTHETIC, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    fac = pd.read_csv(folder / "facilities.csv", dtype=str)
    fac["upgrade_beds"] = ["60" if f == "H1" else "" for f in fac["facility_id"]]
    fac["upgrade_cost_yuan"] = ["36000000" if f == "H1" else "" for f in fac["facility_id"]]
    fac.to_csv(folder / "facilities.csv", index=False)
    flows = FlowOptions(max_upgrades=1, targets={"grassroots_share": 0.05})
    scenario = Scenario(
        "flows",
        folder,
        graph=GraphOptions(h3_resolution=8),
        model=AllianceOptions(p=1, max_travel_min=math.inf, flows=flows),
        solver=SolverParams(time_limit_s=10),
    )
    return run(scenario)


@pytest.fixture(scope="module")
def record(result):
    """The run's kpis.json record, as written (JSON round trip)."""
    return json.loads(json.dumps(result.record(), default=str))


@pytest.fixture(scope="module")
def saved(result, tmp_path_factory):
    """The run's map in English and in Chinese, saved."""
    out = tmp_path_factory.mktemp("flow_maps")
    en = maps.save_map(maps.alliance_map(result), out / "map.html")[0]
    zh = maps.save_map(maps.alliance_map(result, lang="zh"), out / "map_zh.html")[0]
    return en, zh


def test_run_has_an_upgraded_sub_centre(result) -> None:
    """The fixture is what the pages need: flows, H1 a candidate, the upgrade model run."""
    plan = result.plan
    assert plan.choice is not None and plan.upgrade_solve is not None
    assert list(plan.upgrades.index) == ["H1"]


def test_map_tables_equal_access_csv(result) -> None:
    """The maps' township table is the scenario's access table, row for row."""
    flows = result.plan.flows(result.schedule)
    pd.testing.assert_frame_equal(township_flows(result.plan, flows), access_table(result, flows))


def test_break_colours_classes() -> None:
    """A value on a break falls in the class above it; NaN is light grey."""
    assert break_colours([1.0, 2.0, 9.0, math.nan], (2.0, 4.0), ("a", "b", "c")) == [
        "a",
        "b",
        "c",
        "#DDDDDD",
    ]


def test_map_html_carries_the_flow_overlays(saved, result) -> None:
    """Both overlays are in the page with their features and legends, and no remote link."""
    text = saved[0].read_text(encoding="utf-8")
    for name in (ACCESS, CARE):
        assert json.dumps(name)[1:-1] in text or name in text
    for cls in ("netopt-access", "netopt-care", "netopt-care-facility", "netopt-upgraded"):
        assert f'"{cls}"' in text
    assert "NetoptLayerLegend" not in text  # rendered as a script, not a name
    assert "cdn.jsdelivr" not in text and "unpkg.com" not in text


@pytest.mark.browser
@requires_chromium
def test_flow_overlays_in_offline_chromium(saved, result, tmp_path) -> None:
    """In Chromium: the overlays are listed, off at start; turned on they draw every
    township, the facilities with visits and the upgraded centre, add their legends to the
    legend panel, and a facility popup lists its visits by care level; no errors, no
    requests."""
    flows = result.plan.flows(result.schedule)
    n_towns = result.plan.zones["township"].nunique()
    load = flows.facility_load()
    with offline_page(saved[0], screenshot=tmp_path / "flows.png") as (page, report):
        overlays = page.locator(".leaflet-control-layers-overlays label")
        labels = [t.strip() for t in overlays.all_inner_texts()]
        assert ACCESS in labels and CARE in labels
        for name in (ACCESS, CARE):
            box = overlays.filter(has_text=name).locator("input")
            assert not box.is_checked()
        before = page.evaluate(_COUNT_FEATURES_JS)
        assert "netopt-access" not in before and "netopt-care" not in before
        assert page.locator(".netopt-flow-legend").count() == 0
        for name in (ACCESS, CARE):
            overlays.filter(has_text=name).locator("input").check()
        after = page.evaluate(_COUNT_FEATURES_JS)
        legends = page.locator(".netopt-legend .netopt-flow-legend").all_inner_texts()
        popup = page.evaluate(_OPEN_POPUP_JS, "netopt-care-facility")
        upgraded = page.locator(".leaflet-marker-icon.netopt-upgraded").count()
        overlays.filter(has_text=CARE).locator("input").uncheck()
        left = page.locator(".netopt-flow-legend").count()
    assert report.ok, report.problems()
    assert after["netopt-access"] == after["netopt-care"] == n_towns
    assert after["netopt-care-facility"] + upgraded == int((load["total"] > 0).sum())
    assert upgraded == 1
    assert len(legends) == 2 and any("Beds per 1,000 residents" in t for t in legends)
    assert any("upgraded to a county medical sub-centre" in t for t in legends)
    assert popup is not None and "Grassroots (primary) care" in popup
    assert left == 1  # the access legend stays, the care legend went with its layer


@pytest.mark.browser
@requires_chromium
def test_flow_overlays_in_chinese(saved) -> None:
    """The Chinese map names the overlays in Chinese, in the layer control."""
    with offline_page(saved[1]) as (page, report):
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert report.ok, report.problems()
    labels = [t.strip() for t in labels]
    assert "30 分钟内每千人床位数（2SFCA）" in labels and "患者在哪里就医" in labels
    assert ACCESS not in labels


def test_report_shows_where_care_happens(record) -> None:
    """The report has the township table, the upgrade with its ESTIMATED cost, the upgrade
    model's status and target, and the sentence on choice outcomes against access."""
    page = scenario_report(record)
    assert '<h2 id="care">Where care happens</h2>' in page
    assert 'class="netopt-townships"' in page
    for row in record["flows"]["access"]:
        assert f"<td>{row['township']}</td>" in page
    assert "Visits inside the county" in page and "Care needs within reach in time" in page
    assert "Beds per 1,000 within 30 min" in page
    assert "choice outcomes" in page and "storm can raise the grassroots share" in page
    assert "Upgrade model:" in page and "Visits at grassroots level" in page  # target row
    assert "Cost (yuan, ESTIMATED)" in page  # kpis.json carries the upgrades table
    assert "Shipu Township Health Centre" in page


def test_report_lists_upgrade_costs_from_the_upgrades_rows(result, record) -> None:
    """With the upgrades table in the record: a row per candidate, cost labelled ESTIMATED."""
    rows = result.plan.upgrades.reset_index().to_dict(orient="records")
    section = care_section({**record, "flows": {**record["flows"], "upgrades": rows}})
    assert "Cost (yuan, ESTIMATED)" in section
    assert "Shipu Township Health Centre" in section
    if result.plan.upgraded == ("H1",):
        assert "36,000,000" in section and "(ESTIMATED, not a quote)" in section
    else:
        assert "No facility is upgraded" in section


def test_report_section_in_chinese_and_without_flows(record) -> None:
    """In Chinese the section is Chinese; a record without flows has no section."""
    with use_language("zh"):
        page = scenario_report(record)
    assert "患者在哪里就医" in page and "县域内就诊率" in page and "基层就诊率" in page
    assert "Where care happens" not in page and "choice outcomes" not in page
    assert care_section({k: v for k, v in record.items() if k != "flows"}) == ""


def test_workbook_has_the_flow_sheets(result, record, tmp_path) -> None:
    """Access (the record's rows), Upgrades and Facility load (names joined) are sheets, in
    the order of RUN_SHEETS."""
    path = run_workbook(result, tmp_path / "workbook.xlsx", record=record)
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names == [s for s in RUN_SHEETS if s in names]
    assert {"Access", "Upgrades", "Facility load"} <= set(names)
    rows = list(wb["Access"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [a["township"] for a in record["flows"]["access"]]
    assert rows[0][:3] == ("township", "population", "beds_per_1000")
    up = list(wb["Upgrades"].iter_rows(values_only=True))
    assert up[0][0] == "facility" and up[1][0] == "H1" and "upgrade_cost_yuan" in up[0]
    load = list(wb["Facility load"].iter_rows(values_only=True))
    assert load[0][:2] == ("facility_id", "name") and "grassroots" in load[0]
    assert len(load) - 1 == len(result.plan.flows(result.schedule).facility_load())
