"""The report's Partner hospitals section (netopt.maps.hosting_report), from the kpis.json
record of a real hosting of the synthetic region (T1 hosts C1) and hand-made variants."""

from __future__ import annotations

import copy

import pytest
from hosting_fakes import CHOSEN, english_words, record, synthetic

from netopt.maps.hosting_report import MAX_PLACES, hosting_section
from netopt.maps.text import use_language


def _chosen_record() -> dict:
    """The real record plus a link the optimiser chose, its solve, and many places."""
    rec = copy.deepcopy(record())
    h = rec["hosting"]
    h["links"].append({**h["links"][0], **CHOSEN})
    h["chosen"] = True
    h["solve"] = {"status": "optimal", "gap": 0.0012, "objective": 1.0, "bound": 1.0}
    place = {**h["by_place"][0], "island_name": "Beiyu Island", "township": "Far <Bay>"}
    h["by_place"] += [place] * (MAX_PLACES + 3 - len(h["by_place"]))
    return rec


def test_no_hosting_no_section() -> None:
    """A record without hosting (absent, None, not a mapping) gets no section."""
    assert hosting_section({}) == ""
    assert hosting_section({"hosting": None}) == ""
    assert hosting_section({"hosting": "none"}) == ""


def test_section_lists_the_totals_the_link_and_the_places() -> None:
    """Heading, the totals with thousands separators, the link with its figures and source
    (escaped; capacity null in kpis.json is no limit), the places, mainland first."""
    _, hosting = synthetic()
    h = record()["hosting"]
    html = hosting_section({"hosting": h})
    assert html.startswith('<h2 id="hosting">Partner hospitals (three tiers)</h2>')
    for key in (
        "followup_patient_hours_saved_per_year",
        "referrals_up_per_year",
        "followups_home_per_year",
        "county_added_load_per_year",
        "patient_hours_saved_per_year",
    ):
        assert f'<td class="num">{h[key]:,.0f}</td>' in html, key
    assert h["referrals_up_per_year"] > 1000 and f"{h['referrals_up_per_year']:,.0f}" in html
    link = hosting.links.iloc[0]
    assert "<td>Ningbo First Hospital</td><td>County People&#x27;s Hospital</td>" in html
    assert f"{link['followup_hours_saved_per_trip']:,.1f}" in html
    assert "Hubei pattern &lt;Honghu&gt;" in html and "<Honghu>" not in html
    assert "no limit" in html and "link given in the data or the scenario" in html
    assert "Savings by island and township" in html and "mainland" in html
    for place in h["by_place"]:
        assert f"<td>{place['township']}</td>" in html
    assert "Partners chosen by the optimiser" not in html


def test_chosen_link_solve_and_many_places() -> None:
    """A chosen link says so, with its capacity and conditions; the solve status and gap;
    the places stop at MAX_PLACES with a note on the rest; data text escaped."""
    html = hosting_section(_chosen_record())
    assert html.count("<tr><td>Ningbo First Hospital</td>") == 2
    assert "link chosen by the optimiser" in html and "Beiyu Island Hospital" in html
    for text in ("12,346", "2,222", "7,778", "1,111", "3.5", "3,000"):
        assert f'<td class="num">{text}</td>' in html, text
    assert "Stroke (IV thrombolysis), STEMI (primary PCI)" in html
    assert "Partners chosen by the optimiser: optimal, gap 0.12 %." in html
    places = html.split('class="netopt-hosting-places"')[1]
    assert places.count("<tr>") == MAX_PLACES + 1  # the head row
    assert "3 more places in kpis.json" in html
    assert "Far &lt;Bay&gt;" in html and "<Bay>" not in html


@pytest.mark.parametrize("chosen", [False, True])
def test_section_in_chinese_has_no_english_beyond_names(chosen: bool) -> None:
    """With language zh every label is Chinese: the Latin words left are names and ids."""
    rec = _chosen_record() if chosen else record()
    with use_language("zh"):
        html = hosting_section(rec)
    assert "合作医院（三级联动）" in html and "随访回流每年节省的患者小时" in html
    assert "上转每年节省的患者小时" in html and "县医院每年增加的就诊人次" in html
    assert ("优化选定的托管关系" in html) is chosen
    h = rec["hosting"]
    names = [r[k] for r in h["links"] for k in ("partner_name", "lead_name", "source")]
    names += [p["township"] for p in h["by_place"]]
    names += [p["island_name"] for p in h["by_place"] if p["island_name"] != "mainland"]
    ids = ["kpis.json", "hosting.by_place", "STEMI", "PCI"]
    assert english_words(html, names + ids) == set()
    with use_language("en"):
        assert "Partner" in english_words(hosting_section(rec), names + ids)
