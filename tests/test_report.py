"""Tests of netopt.report: number formatting, SVG bar charts, HTML escaping, the data caveat,
stage texts, and the comparison page in real headless Chromium."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from browser import offline_page, requires_chromium

from netopt.kpis import kpi_info, kpis_in
from netopt.report import (
    bar_chart_svg,
    comparison_report,
    format_change,
    format_value,
    scenario_report,
)

SVG = "{http://www.w3.org/2000/svg}"
SYNTHETIC = Path(__file__).parent / "data" / "synthetic"


def record(name: str, title: str, mean_lead: float) -> dict:
    """A minimal kpis.json record."""
    return {
        "scenario": name,
        "title": title,
        "description": "<b>bold</b> & more",
        "region": "R",
        "leads": [{"id": "H1", "name": "Hospital <One>"}],
        "solver": {"status": "optimal", "objective": 1.0, "bound": 1.0, "gap": 0.0, "seconds": 0.1},
        "rotation_solver": None,
        "kpis": {
            "mean_lead_min": mean_lead,
            "share_lead_60min": 0.5,
            "population_served": 10.0,
            "population_unserved_capacity": 0.0,
            "population_not_covered": 5.0,
        },
        "baseline": {"mean_lead_min": 20.0, "share_lead_60min": 0.9},
        "population_counts": {
            "population_served": 10.0,
            "population_unserved_capacity": 0.0,
            "population_not_covered": 5.0,
        },
        "alliances": [
            {
                "lead": "H1",
                "name": "Hospital <One>",
                "members": 3,
                "population": 15.0,
                "referral_load": 2.0,
                "referral_capacity": 4.0,
                "utilisation": 0.5,
            }
        ],
        "messages": ["zone <Z1> & friends are far"],
        "definitions": {
            "mean_lead_min": {"label": "Mean <lead> time", "unit": "min", "definition": "a < b"}
        },
    }


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.8342, "share", "83.4 %"),
        (12345.6, "people", "12,346"),
        (25.04, "min", "25.0"),
        (None, "min", "–"),
        (math.nan, "share", "–"),
        (math.inf, "min", "–"),
    ],
)
def test_format_value(value, unit, text) -> None:
    """Values are formatted by unit; missing and non-finite values show a dash."""
    assert format_value(value, unit) == text


def test_bar_chart_is_valid_svg_with_one_bar_per_value() -> None:
    """The chart parses as XML and draws one rect per finite value (plus legend swatches)."""
    svg = bar_chart_svg(["a <x>", "b"], {"s1": [1.0, 2.0], "s2": [3.0, None]}, title="T & U")
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 3
    widths = sorted(float(r.get("width")) for r in bars)
    assert widths[-1] == pytest.approx(3 * widths[0], rel=0.01)  # bars scale with the values
    assert "a <x>" in "".join(root.itertext())  # the escaped label reads back as text


def test_scenario_report_escapes_every_data_text() -> None:
    """Names, messages and descriptions with markup are shown as text, never as tags."""
    page = scenario_report(record("s", "<script>alert(1)</script>", 30.0))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Hospital &lt;One&gt;" in page and "zone &lt;Z1&gt; &amp; friends" in page
    assert "<b>bold</b>" not in page
    assert 'href="map.html"' in page


def test_comparison_report_has_a_column_per_scenario() -> None:
    """The comparison page heads one column per scenario, linked to its report."""
    sums = [record("a", "A", 30.0), record("b", "B <2>", 40.0)]
    table = pd.DataFrame(
        {"label": ["Mean <lead> time"], "unit": ["min"], "a": [30.0], "b": [40.0]},
        index=pd.Index(["mean_lead_min"], name="kpi"),
    )
    page = comparison_report(
        sums, table, links={"a": "a/report.html", "b": "b/report.html"}, map_href="compare_map.html"
    )
    assert 'href="a/report.html"' in page and "B &lt;2&gt;" in page
    assert "30.0" in page and "40.0" in page and "Mean &lt;lead&gt; time" in page
    assert 'href="compare_map.html"' in page


def test_labels_come_from_the_record_else_from_netopt_kpis() -> None:
    """A record's own definitions label its KPIs; without them netopt.kpis does."""
    rec = record("s", "S", 30.0)
    page = scenario_report(rec)
    assert "Mean &lt;lead&gt; time" in page  # the record's definition
    assert kpi_info("share_lead_60min").label in page  # not in the record's definitions
    del rec["definitions"]
    page = scenario_report(rec)
    assert kpi_info("mean_lead_min").label in page and "Mean &lt;lead&gt; time" not in page
    for key in ("population_served", "population_not_covered"):
        assert kpi_info(key).label in page  # the population counts


def test_comparison_charts_the_chart_kpis() -> None:
    """The comparison report draws one chart per "chart" KPI in the table, in order."""
    chart = [k.key for k in kpis_in("chart")]
    keys = [*chart, "mean_primary_min"]  # a KPI that is not charted
    table = pd.DataFrame(
        {
            "label": [kpi_info(k).label for k in keys],
            "unit": [kpi_info(k).unit for k in keys],
            "a": [1.0] * len(keys),
        },
        index=pd.Index(keys, name="kpi"),
    )
    page = comparison_report([record("a", "A", 30.0)], table)
    titles = [
        ET.fromstring(svg.split("</figure>")[0]).get("aria-label")
        for svg in page.split("<figure>")[1:]
    ]
    assert titles == [kpi_info(k).label for k in chart]


def test_comparison_report_shows_direction_change_and_verdict_in_words() -> None:
    """Each KPI shows its direction; each non-reference value its change, arrow and verdict."""
    sums = [record("a", "A", 30.0), record("b", "B", 40.0), record("c", "C", 20.0)]
    table = pd.DataFrame(
        {
            "label": ["Mean lead time", "Population"],
            "unit": ["min", "people"],
            "a": [30.0, 100.0],
            "b": [40.0, 100.0],
            "c": [20.0, 100.0],
            "better": ["lower", ""],
            "change_b": [10.0, 0.0],
            "verdict_b": ["worse", ""],
            "change_c": [-10.0, 0.0],
            "verdict_c": ["better", ""],
        },
        index=pd.Index(["mean_lead_min", "population"], name="kpi"),
    )
    page = comparison_report(sums, table)
    assert "lower is better" in page and "higher is better" not in page
    assert '<span class="change worse">▲ +10.0 worse</span>' in page
    assert '<span class="change better">▼ -10.0 better</span>' in page
    assert ".better{color:" in page and ".worse{color:" in page
    assert "Changes are against <strong>A</strong>" in page


def test_format_change_has_a_sign_and_points_for_shares() -> None:
    """A change is signed; a change of a share is in percentage points."""
    assert format_change(2.34, "min") == "+2.3"
    assert format_change(-0.05, "share") == "-5.0 pp"
    assert format_change(0.0, "people") == "0"
    assert format_change(float("nan")) == "–"


def test_every_page_carries_the_caveat_escaped() -> None:
    """A record's caveat is shown in a box on its report and on the comparison, as text."""
    rec = {**record("a", "A", 30.0), "caveat": "Positions <estimated> & timetables"}
    box = '<div class="caveat" role="note"><strong>Data caveat</strong>'
    text = "Positions &lt;estimated&gt; &amp; timetables"
    assert box + text in scenario_report(rec)
    table = pd.DataFrame(
        {"label": ["Mean lead time"], "unit": ["min"], "a": [30.0]},
        index=pd.Index(["mean_lead_min"], name="kpi"),
    )
    assert box + text in comparison_report([rec], table)
    assert 'class="caveat"' not in scenario_report(record("b", "B", 30.0))  # none given


def test_stage_texts_replace_the_bare_status() -> None:
    """Report and comparison show each stage's text ("evaluated", "time limit, gap 10.3 %")."""
    rec = record("a", "A", 30.0)
    rec["rotation_solver"] = {"status": "time_limit", "gap": 0.103, "seconds": 5.0}
    rec["stages"] = {
        "location": {"status": "optimal", "evaluated": True, "text": "evaluated"},
        "rotation": {"status": "time_limit", "gap": 0.103, "text": "time limit, gap 10.3 %"},
    }
    page = scenario_report(rec)
    assert '<span class="status ok">evaluated</span>' in page
    assert '<span class="status warn">time limit, gap 10.3 %</span>' in page
    assert ">optimal<" not in page
    table = pd.DataFrame(
        {"label": ["Mean lead time"], "unit": ["min"], "a": [30.0], "b": [30.0]},
        index=pd.Index(["mean_lead_min"], name="kpi"),
    )
    other = record("b", "B", 30.0)  # an older record: no stages, no rotations
    page = comparison_report([rec, other], table)
    assert "<th>Alliance plan: status</th>" in page and "<th>Expert rotations: status</th>" in page
    assert '<span class="status ok">evaluated</span>' in page
    assert '<span class="status ok">optimal</span>' in page  # the older record's solver status
    assert '<span class="muted">not run</span>' in page


@pytest.fixture(scope="module")
def comparison_page(tmp_path_factory):
    """comparison.html of real runs on the synthetic region: today, F1 every 4 hours, storm."""
    from netopt.alliances import AllianceOptions
    from netopt.graph import GraphOptions
    from netopt.scenario import Modifiers, Scenario, compare, run_all
    from netopt.solve import SolverParams

    today = Scenario(
        "today",
        SYNTHETIC,
        title="Today",
        graph=GraphOptions(h3_resolution=8),
        model=AllianceOptions(p=1),
        solver=SolverParams(time_limit_s=10),
    )
    results = run_all(
        [
            today,
            today.replace(
                name="rare", title="Rare ferry", modifiers=Modifiers(headways={"F1": 240})
            ),
            today.replace(name="storm", title="Storm", modifiers=Modifiers(close_ferries=("F1",))),
        ]
    )
    records = [{**r.record(), "caveat": "Synthetic <made-up> data"} for r in results]
    path = tmp_path_factory.mktemp("report") / "comparison.html"
    path.write_text(comparison_report(records, compare(records)), encoding="utf-8")
    return path, compare(records)


@pytest.mark.browser
@requires_chromium
def test_comparison_page_shows_change_and_direction_in_chromium(comparison_page) -> None:
    """In Chromium each KPI row shows its direction and each scenario's change and verdict
    against today; the caveat box and the stage rows are on the page."""
    path, table = comparison_page
    js = """() => Object.fromEntries([...document.querySelectorAll('tbody tr')].map(tr => {
        const c = [...tr.children];
        return [c[0].getAttribute('title') || c[0].textContent,
                c.map(td => ({text: td.textContent,
                              change: [...td.querySelectorAll('.change')].map(s => s.className)}))];
    }))"""
    with offline_page(path, counts=(".caveat", ".change.worse")) as (page, report):
        rows = page.evaluate(js)
        caveat = page.locator(".caveat").inner_text()
    assert report.ok, report.problems()
    island = rows["mean_lead_min_island"]
    assert island[2]["text"] == "lower is better"
    assert island[3]["change"] == []  # the reference has no change
    verdict = table.loc["mean_lead_min_island", "verdict_rare"]
    assert verdict in ("worse", "not comparable")
    assert island[4]["change"] == [f"change {verdict}"] and "▲ +" in island[4]["text"]
    share = rows["share_lead_60min"]
    assert share[2]["text"] == "higher is better"
    assert report.counts[".change.worse"] >= 1
    assert caveat.startswith("Data caveat") and "Synthetic <made-up> data" in caveat
    assert rows["Alliance plan: status"][3]["text"] == "optimal"
