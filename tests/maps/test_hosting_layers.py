"""The Partner hospitals layer of a map (netopt.maps.hosting_layers), drawn from a real
hosting of the synthetic region (T1 hosts C1) and a variant with a link the optimiser chose."""

from __future__ import annotations

import json
from types import SimpleNamespace

import folium
import pandas as pd
from hosting_fakes import CHOSEN, SOURCE, english_words, synthetic, two_links

from netopt.maps.elements import GeoJsonLayer
from netopt.maps.flow_layers import LayerLegend
from netopt.maps.hosting_layers import CHOSEN_DASH, add_hosting_layers, hosting_features
from netopt.maps.text import use_language


def _groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def _features(fg: folium.FeatureGroup, class_name: str) -> list[dict]:
    return [
        f
        for el in fg._children.values()
        if isinstance(el, GeoJsonLayer) and el.class_name == class_name
        for f in el.features
    ]


def test_nothing_to_draw_adds_no_layer() -> None:
    """None, no links, or links between facilities the region lacks: 0 layers, map as it was."""
    region, hosting = synthetic()
    m = folium.Map(tiles=None)
    before = len(m._children)
    assert add_hosting_layers(m, None, region, 5) == 0
    assert add_hosting_layers(m, SimpleNamespace(links=hosting.links.iloc[:0]), region, 5) == 0
    ghost = hosting.links.assign(partner="NOT-THERE")
    assert add_hosting_layers(m, SimpleNamespace(links=ghost), region, 5) == 0
    assert len(m._children) == before


def test_one_hidden_layer_with_its_legend() -> None:
    """The real hosting: one layer, hidden at start, its legend naming solid and dashed."""
    region, hosting = synthetic()
    m = folium.Map(tiles=None)
    assert add_hosting_layers(m, hosting, region, 5) == 1
    (fg,) = _groups(m)
    assert fg.layer_name == "Partner hospitals (three tiers)" and fg.show is False
    (legend,) = [c for c in fg._children.values() if isinstance(c, LayerLegend)]
    key = json.loads(legend.html_js)
    assert "link given in the data or the scenario" in key
    assert "link chosen by the optimiser" in key and f'stroke-dasharray="{CHOSEN_DASH}"' in key
    html = m.get_root().render()
    assert "Partner hospitals (three tiers)" in html and "netopt-hosting-link" in html
    (line,) = _features(fg, "netopt-hosting-link")
    (mark,) = _features(fg, "netopt-hosting-partner")
    assert line["geometry"]["type"] == "LineString" and "dashArray" not in line["properties"]["s"]
    assert mark["geometry"]["type"] == "Point"


def test_popup_carries_the_figures_of_the_link() -> None:
    """Partner, lead, referrals up, follow-ups home, hours saved (both), per trip, added load,
    capacity (no limit) and the source, escaped; the partner's marker has the same popup."""
    region, hosting = synthetic()
    link = hosting.links.iloc[0]
    lines, marks = hosting_features(hosting.links, region, 5)
    popup = lines[0]["properties"]["p"]
    assert "Ningbo First Hospital hosts County People&#x27;s Hospital" in popup
    for column in (
        "referrals_up_per_year",
        "followups_home_per_year",
        "followup_patient_hours_saved_per_year",
        "referral_patient_hours_saved_per_year",
        "added_load_per_year",
    ):
        assert f"{link[column]:,.0f}" in popup, column
    assert f"{link['followup_hours_saved_per_trip']:,.1f}" in popup
    assert "no limit" in popup and "Hours saved per follow-up trip" in popup
    assert "Hubei pattern &lt;Honghu&gt;" in popup and SOURCE not in popup
    assert marks[0]["properties"]["p"] == popup
    tip = lines[0]["properties"]["tt"]
    assert f"{link['followup_patient_hours_saved_per_year']:,.0f}" in tip and len(tip) < 160


def test_chosen_link_is_dashed_and_partner_marker_lists_both() -> None:
    """A chosen link: dashed; a given one: solid; one marker per partner with both popups;
    the chosen link's capacity, conditions referred up and thousands separators."""
    region, _ = synthetic()
    lines, marks = hosting_features(two_links().links, region, 5)
    given, chosen = lines
    assert "dashArray" not in given["properties"]["s"]
    assert chosen["properties"]["s"]["dashArray"] == CHOSEN_DASH
    popup = chosen["properties"]["p"]
    assert "link chosen by the optimiser" in popup and "Beiyu Island Hospital" in popup
    for text in ("12,346", "2,222", "7,778", "1,111", "3.5", "3,000"):
        assert text in popup, text
    assert "Stroke" in popup and "STEMI" in popup
    assert CHOSEN["source"] in popup
    (mark,) = marks
    assert mark["properties"]["p"] == given["properties"]["p"] + popup


def test_layer_in_chinese_has_no_english_beyond_names() -> None:
    """With language zh the layer name, legend, popups and tooltips are Chinese."""
    region, _ = synthetic()
    links = two_links().links
    m = folium.Map(tiles=None)
    with use_language("zh"):
        assert add_hosting_layers(m, SimpleNamespace(links=links), region, 5) == 1
        lines, marks = hosting_features(links, region, 5)
    (fg,) = _groups(m)
    assert fg.layer_name == "合作医院（三级联动）"
    (legend,) = [c for c in fg._children.values() if isinstance(c, LayerLegend)]
    texts = [json.loads(legend.html_js)]
    texts += [f["properties"][k] for f in lines + marks for k in ("p", "tt")]
    names = pd.concat([links["partner_name"], links["lead_name"], links["source"]]).tolist()
    for text in texts:
        assert "托管" in text or "合作医院" in text
        assert english_words(text, names + ["STEMI", "PCI"]) == set(), text
