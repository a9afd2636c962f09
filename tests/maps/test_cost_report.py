"""The report's Costs and budget and Diagnosis centres sections (netopt.maps.cost_report),
from kpis.json records built by hand."""

from __future__ import annotations

import json
import re

from cost_fakes import ITEMS, cost_record, diagnosis

from netopt.maps.cost_report import cost_section
from netopt.maps.text import use_language


def _diagnosis_record() -> dict:
    """The kpis.json "diagnosis" record of the stand-in plan (JSON round trip)."""
    plan = diagnosis()
    outside = plan.assignments.assign(within_window=False, travel_min=275.0, excess_min=35.0)
    rec = {
        "centres": plan.centres.to_dict("records"),
        "assignments_outside_window": outside.to_dict("records"),
        "routes": plan.courier.routes.to_dict("records"),
        "unserved": plan.courier.unserved.to_dict("records"),
        "messages": ["sender I1 <island> is beyond the window"],
        "stages": {"laboratory": "optimal", "courier:H1": "feasible"},
    }
    return json.loads(json.dumps(rec))


def _record(budget: float | None, with_diagnosis: bool = False) -> dict:
    record = {"leads": [{"id": "H1", "name": "Hospital <One>"}], "costs": cost_record(budget)}
    if with_diagnosis:
        record["diagnosis"] = _diagnosis_record()
    return json.loads(json.dumps(record))


def test_no_costs_no_section() -> None:
    """A record without costs and diagnosis gets no section; empty ones neither."""
    assert cost_section({}) == ""
    assert cost_section({"costs": None, "diagnosis": None}) == ""
    assert cost_section({"costs": {}, "diagnosis": {}}) == ""


def test_section_shows_items_and_totals() -> None:
    """Every item with its label, payer and yuan (thousands separators), the basis, the
    ESTIMATE marks, the total, charged cost, budget and per resident; costs by alliance."""
    html = cost_section(_record(2_000_000_000.0))
    assert '<h2 id="costs">Costs and budget</h2>' in html
    total = sum(ITEMS.values())
    assert f"{total:,.0f}" in html and "1,629,818,000" in html
    assert "Transfers" in html and "22,302,000" in html and "7,434 transfers x 3,000 yuan" in html
    assert "Patients&#x27; time" in html or "Patients' time" in html
    assert html.count('class="netopt-estimate">ESTIMATE<') == 2
    assert "group budget" in html and "patients" in html
    assert "2,000,000,000" in html and f"{total / 700_000:,.0f}" in html
    assert "Surplus of 370,182,000 yuan a year" in html and "overrun" not in html.lower()
    assert "Costs by alliance" in html and "Hospital &lt;One&gt;" in html
    assert "Region-wide (no alliance)" in html
    assert "unit prices &lt;ILLUSTRATIVE&gt;" in html
    assert "<One>" not in html


def test_overrun_is_shown_as_overrun() -> None:
    """A budget below the charged cost: the overrun in red, in words and as a negative balance."""
    html = cost_section(_record(1_500_000_000.0))
    assert "Overrun of 129,818,000 yuan a year: the group pays it." in html
    assert re.search(r'class="worse netopt-overrun"><strong>Overrun', html)
    assert '<td class="num worse netopt-overrun"><strong>-129,818,000</strong>' in html
    assert html.index("Overrun") < html.index("<table")  # at the top, never hidden
    assert "Surplus" not in html


def test_no_budget_no_balance() -> None:
    """Without a budget the section says so and shows no balance."""
    html = cost_section(_record(None))
    assert "No budget stated" in html and "Overrun" not in html and "Surplus" not in html


def test_diagnosis_centres_routes_and_outside() -> None:
    """The centres table, the courier routes (the late one marked), the unserved stop and the
    sender outside the window, the messages and the model status."""
    html = cost_section(_record(2e9, with_diagnosis=True))
    assert '<h2 id="diagnosis">Diagnosis centres and sample courier</h2>' in html
    for text in ("Laboratory", "Imaging", "ECG", "12,000", "34.0 %", "kept", "chosen", "no limit"):
        assert text in html, text
    assert "XS-H1-1" in html and "58.3" in html and "08:00" in html
    assert '<strong class="worse netopt-overrun">260</strong>' in html  # oldest sample, late
    assert "Island C" in html and "no ferry back within the window" in html
    assert "no centre within the window" in html and ">35<" in html
    assert '<td class="num">275</td><td class="num">240</td>' in html  # window = 275 - 35
    assert "sender I1 &lt;island&gt; is beyond the window" in html
    assert "Models: Laboratory: optimal, Sample courier H1: feasible" in html
    only = cost_section({"diagnosis": _diagnosis_record()})
    assert "Costs and budget" not in only and "Diagnosis centres" in only


def test_section_in_chinese() -> None:
    """use_language("zh"): Chinese headings, item labels, payers and the overrun; no English."""
    with use_language("zh"):
        html = cost_section(_record(1_500_000_000.0, with_diagnosis=True))
    for text in (
        "费用与预算",
        "每年超支 129,818,000 元",
        "转诊转运",
        "患者",
        "估算",
        "各医共体费用",
    ):
        assert text in html, text
    for text in ("诊断中心与标本转运", "医学检验", "标本转运路线", "最优", "可行"):
        assert text in html, text
    for english in ("Costs and budget", "Overrun", "Transfers", "Courier routes", "optimal"):
        assert english not in html, english
