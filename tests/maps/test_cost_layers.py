"""The diagnosis centre and courier route layers of a map (netopt.maps.cost_layers), drawn
from small stand-in plans with the columns of the spec."""

from __future__ import annotations

import folium
from cost_fakes import diagnosis, region

from netopt.maps.cost_layers import FERRY_DASH, LATE_COLOUR, SERVICE_COLOURS, add_cost_layers
from netopt.maps.elements import GeoJsonLayer
from netopt.maps.flow_layers import LayerLegend
from netopt.maps.text import use_language


def _groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.FeatureGroup)}


def _features(fg: folium.FeatureGroup, class_name: str) -> list[dict]:
    return [
        f
        for el in fg._children.values()
        if isinstance(el, GeoJsonLayer) and el.class_name == class_name
        for f in el.features
    ]


def _draw(plan=None, lang: str = "en") -> folium.Map:
    m = folium.Map(tiles=None)
    with use_language(lang):
        n = add_cost_layers(m, diagnosis() if plan is None else plan, region(), 5)
    m.netopt_layers = n
    return m


def test_no_diagnosis_adds_nothing() -> None:
    """diagnosis None: 0 layers, the map unchanged; without a courier plan only the centres."""
    m = folium.Map(tiles=None)
    before = len(m._children)
    assert add_cost_layers(m, None, region(), 5) == 0
    assert len(m._children) == before
    only = _draw(diagnosis(with_courier=False))
    assert only.netopt_layers == 1 and list(_groups(only)) == ["Diagnosis centres"]


def test_centre_and_courier_layers_are_added_hidden() -> None:
    """One centres layer and one courier layer per laboratory, hidden at start; the page renders."""
    m = _draw()
    groups = _groups(m)
    assert m.netopt_layers == 2
    assert list(groups) == ["Diagnosis centres", "Courier routes: Hospital &lt;One&gt;"]
    assert all(not fg.show for fg in groups.values())
    page = m.get_root().render()
    assert "netopt-diagnosis-centre" in page and "netopt-courier-stop" in page
    assert "Hospital <One>" not in page  # names are escaped


def test_centre_popups_carry_the_values() -> None:
    """A circle per centre and service, coloured by service; the popup lists every service of
    the facility with tests, utilisation, kept or chosen, senders and costs."""
    feats = _features(_groups(_draw())["Diagnosis centres"], "netopt-diagnosis-centre")
    assert len(feats) == 3
    fills = [f["properties"]["s"]["fillColor"] for f in feats]
    assert fills == [SERVICE_COLOURS[s] for s in ("laboratory", "imaging", "ecg")]  # largest first
    h1 = feats[0]["properties"]["p"]
    assert feats[1]["properties"]["p"] == h1  # both H1 circles open the same popup
    for text in ("Laboratory", "Imaging", "12,000", "3,400", "34 %", "kept", "800,000 yuan"):
        assert text in h1, text
    assert "no limit" in h1  # infinite laboratory capacity
    assert "3: Town A, Town B, Island C" in h1  # the senders, by name
    c1 = feats[2]["properties"]["p"]
    assert "chosen by the model" in c1 and "70 %" in c1 and "5,600" in c1
    assert feats[0]["properties"]["s"]["weight"] > feats[2]["properties"]["s"]["weight"]  # kept


def test_courier_legs_stops_and_unserved() -> None:
    """Road legs solid, ferry legs dashed, in the route's colour; the route popup has the stops
    with clock times, samples and the oldest sample against the window; the late stop is red
    with its excess, the unserved stop a red ring with its reason."""
    fg = _groups(_draw())["Courier routes: Hospital &lt;One&gt;"]
    legs = _features(fg, "netopt-courier-leg")
    assert [f["properties"]["s"].get("dashArray") for f in legs] == [None, FERRY_DASH, None]
    assert len({f["properties"]["s"]["color"] for f in legs}) == 1
    route = legs[0]["properties"]["p"]
    for text in ("XS-H1-1", "08:25", "09:50", "Town A", "Town B", "65", "260 min", "240 min"):
        assert text in route, text
    assert "misses the window by 20 min" in route and "58.3 km" in route
    marks = _features(fg, "netopt-courier-stop")
    props = [f["properties"] for f in marks]
    lab, town_a, town_b, island = props
    assert "tt" in lab and "p" not in lab
    assert not town_a["late"] and town_a["s"]["fillColor"] != LATE_COLOUR
    assert town_b["late"] and town_b["s"]["fillColor"] == LATE_COLOUR
    assert "misses the window by 20 min" in town_b["p"] and "F1" in town_b["p"]
    assert "within the window" in town_a["p"]
    assert island["unserved"] and island["s"]["color"] == LATE_COLOUR
    assert "Not served: Island C" in island["p"] and "no ferry back" in island["p"]
    assert "60 min" in island["p"]


def test_layers_in_chinese() -> None:
    """use_language("zh"): Chinese layer names, facility names, popups and legends."""
    m = _draw(lang="zh")
    groups = _groups(m)
    assert list(groups) == ["诊断中心", "标本转运路线：第一医院"]
    feats = _features(groups["诊断中心"], "netopt-diagnosis-centre")
    popup = feats[0]["properties"]["p"]
    assert "医学检验" in popup and "年检查量" in popup and "保留" in popup
    assert "Tests / year" not in popup and "Laboratory" not in popup
    marks = _features(groups["标本转运路线：第一医院"], "netopt-courier-stop")
    late = [f["properties"] for f in marks if f["properties"].get("late")]
    assert "超出时限 20 分钟" in late[0]["p"]
    assert "Town B" in late[0]["p"]  # no Chinese name in the data: the English one
    legends = [
        el.html_js
        for fg in groups.values()
        for el in fg._children.values()
        if isinstance(el, LayerLegend)
    ]
    assert "医学影像" in legends[0] and "深色外圈" in legends[0]
    assert "标本须在采集后 240 分钟内送达检验中心" in legends[1] and "轮渡段" in legends[1]
    assert "Courier" not in legends[1]
