"""Maps: offline HTML opened in real headless Chromium with the network off.

Regenerate the README screenshot with
``NETOPT_SCREENSHOT=docs/screenshot.png .venv/bin/python -m pytest tests/test_maps.py -k readme``.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import os
import shutil
from pathlib import Path

import folium
import numpy as np
import pytest
import shapely
from branca.element import JavascriptLink
from browser import CHROMIUM, offline_page, open_html, requires_chromium
from folium.plugins import Fullscreen, MarkerCluster

from netopt import maps
from netopt._errors import DataError, NetoptError
from netopt._offline import external_resources
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import GraphOptions, build_graph
from netopt.kpis import kpi_info, kpis_in
from netopt.maps.geometry import extent
from netopt.maps.network import network_state
from netopt.maps.styles import FERRY_STYLES, NEW_LINK
from netopt.maps.text import data_caveat
from netopt.rotations import RotationOptions, schedule_rotations
from netopt.scenario import Modifiers, NewLink, Scenario, run_all
from netopt.solve import SolverParams
from netopt.solve.status import stage_text

EVIL = "<img src=x onerror=alert(1)>"
EVIL_MEMBER = "Clinic <script>alert(2)</script> & Sons"
EVIL_EXPERT = "Dr <b onmouseover=alert(3)>X</b>"
PLAN_NAME = "Plan <i>A</i> & more"

_MAP_JS = "window[document.querySelector('.folium-map').id]"


@pytest.fixture(scope="module")
def evil_region(_synthetic_region_cached):
    """The synthetic region with hostile names on a lead candidate, a member and an expert."""
    r = _synthetic_region_cached
    fac, experts = r.facilities.copy(), r.experts.copy()
    fac.loc["C1", "name"] = EVIL
    member = fac.index[fac["tier"].isin(["township", "village"])][0]
    fac.loc[member, "name"] = EVIL_MEMBER
    experts.loc[experts.index[0], "name"] = EVIL_EXPERT
    return dataclasses.replace(r, facilities=fac, experts=experts)


@pytest.fixture(scope="module")
def graph(evil_region):
    """Travel graph of the region."""
    return build_graph(evil_region)


@pytest.fixture(scope="module")
def plan(evil_region, graph):
    """A real plan: two alliances chosen by plan_alliances, led by T1 and C1 (the hostile name)."""
    return plan_alliances(
        evil_region,
        graph,
        options=AllianceOptions(fixed_leads=("T1", "C1"), allow_outside_leads=True),
        params=SolverParams(time_limit_s=20),
        name=PLAN_NAME,
    )


_ROTATIONS = RotationOptions(horizon_days=14, start_date="2026-03-02")


@pytest.fixture(scope="module")
def schedule(plan, graph):
    """A real rotation schedule for the plan (its routes traced along the graph)."""
    return schedule_rotations(plan, graph, options=_ROTATIONS, params=SolverParams(time_limit_s=3))


@pytest.fixture(scope="module")
def saved(plan, schedule, tmp_path_factory):
    """The alliance map with rotations, saved to HTML."""
    m = maps.alliance_map(plan, schedule)
    return maps.save_map(m, tmp_path_factory.mktemp("maps") / "plan.html")


def _members(plan):
    return [f for f in plan.region.facilities.index if f not in set(plan.leads)]


def test_save_map_is_self_contained_and_atomic(saved):
    """The saved page links nothing remote, reports its true size and leaves no temp files."""
    path, size = saved
    text = path.read_text(encoding="utf-8")
    assert size == path.stat().st_size > 0
    assert external_resources(text) == []
    assert "cdn.jsdelivr" not in text and "bootstrap" not in text.lower()
    assert [p.name for p in path.parent.iterdir()] == ["plan.html"]
    head = text[:1024]
    assert "charset=UTF-8" in head  # before the embedded libraries, so names decode right


def test_hostile_names_escaped_in_html(saved):
    """Data text reaches the page only escaped: the raw markup never appears."""
    text = saved[0].read_text(encoding="utf-8")
    for raw in (EVIL, EVIL_MEMBER, EVIL_EXPERT, PLAN_NAME):
        assert raw not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text.replace("\\u003c", "<").replace(
        "\\u003e", ">"
    ).replace("\\u0026", "&")


_COUNTS = (
    ".leaflet-marker-icon.netopt-lead",
    ".leaflet-marker-icon.netopt-member",
    ".leaflet-control-layers-overlays label",
    "script[src]",
    "link[href]",
    ".netopt-kpis",
    ".netopt-legend",
    ".netopt-fullscreen-button",
)
_OPEN_POPUP_JS = f"""name => {{
    const map = {_MAP_JS};
    let found = 0, c = null;
    map.eachLayer(l => {{ if (l instanceof L.Marker && l.options.title === name) {{
        l.openPopup(); found += 1;
        c = l.getPopup().getElement().querySelector('.leaflet-popup-content'); }} }});
    return {{found: found, text: c ? c.textContent : null,
             tags: c ? c.querySelectorAll('img,script,b').length : -1}};
}}"""
_COUNT_FEATURES_JS = f"""() => {{
    const map = {_MAP_JS}; const n = {{}};
    map.eachLayer(l => {{ const k = l.options && l.options.className;
        if (k && l.feature) {{ n[k] = (n[k] || 0) + 1; }} }});
    return n;
}}"""


@pytest.fixture(scope="module")
def opened(saved, tmp_path_factory):
    """The saved map opened once in offline Chromium: report, texts, features, popups."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    shot = tmp_path_factory.mktemp("shots") / "plan.png"
    with offline_page(saved[0], counts=_COUNTS, screenshot=shot) as (page, report):
        out = {
            "labels": [
                t.strip()
                for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
            ],
            "kpi_title": page.locator(".netopt-kpis h4").inner_text(),
            "features": page.evaluate(_COUNT_FEATURES_JS),
            "lead_popup": page.evaluate(_OPEN_POPUP_JS, EVIL),
            "member_popup": page.evaluate(_OPEN_POPUP_JS, EVIL_MEMBER),
        }
        page.wait_for_timeout(100)  # let a handler that should not exist fire
    return {"report": report, "shot": shot, **out}


@pytest.mark.browser
@requires_chromium
def test_alliance_map_in_offline_chromium(plan, schedule, opened):
    """No JS errors or failed requests; layers, markers and panels as expected; screenshot."""
    report = opened["report"]
    assert report.ok, report.problems()  # also: no alert dialog, no request for "x"
    c = report.counts
    assert c[".leaflet-marker-icon.netopt-lead"] == len(plan.leads) == 2
    assert c[".leaflet-marker-icon.netopt-member"] == len(_members(plan))
    assert c["script[src]"] == 0 and c["link[href]"] == 0
    assert c[".netopt-kpis"] == c[".netopt-legend"] == c[".netopt-fullscreen-button"] == 1
    labels = opened["labels"]
    for name in (
        "Land and townships",
        "Alliance catchments",
        "Travel time to nearest lead",
        "Resident zones",
        "Referral flows",
        "Ferry routes",
        "Lead hospitals",
        "Member facilities",
    ):
        assert name in labels
    rotation = [s for s in labels if s.startswith("Rotation: ")]
    assert len(rotation) == schedule.visits["expert"].nunique()
    assert any(EVIL_EXPERT in s for s in rotation)  # shown as text, not markup
    assert opened["kpi_title"] == PLAN_NAME
    assert opened["shot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.browser
@requires_chromium
@pytest.mark.skipif(
    not os.environ.get("NETOPT_SCREENSHOT"),
    reason="regenerates docs/screenshot.png only when NETOPT_SCREENSHOT is set",
)
def test_readme_screenshot(_synthetic_region_cached, graph, tmp_path):
    """The README screenshot: p=2 plan with rotations along the roads, a lead's popup open."""
    region = _synthetic_region_cached
    clean = plan_alliances(
        region,
        graph,
        options=AllianceOptions(p=2),
        params=SolverParams(time_limit_s=20),
        name="Two alliances (p = 2)",
    )
    sched = schedule_rotations(
        clean, graph, options=_ROTATIONS, params=SolverParams(time_limit_s=3)
    )
    m = maps.alliance_map(clean, sched)
    path, _ = maps.save_map(m, tmp_path / "readme.html")
    shot = tmp_path / "screenshot.png"
    smaller = clean.alliances["population"].idxmin()  # its lead sits mid-map
    lead_name = str(region.facilities.at[smaller, "name"])
    js = f"""() => {{
        const map = {_MAP_JS}; let n = 0;
        map.eachLayer(l => {{ if (l instanceof L.Marker && l.options.title === {lead_name!r})
            {{ l.openPopup(); n += 1; }} }});
        return n;
    }}"""
    with offline_page(path, screenshot=shot, viewport=(1280, 760)) as (page, report):
        page.locator(".leaflet-control-layers-overlays label", has_text="Rotation: ").first.click()
        opened = page.evaluate(js)
        page.wait_for_timeout(300)
    assert report.ok, report.problems()
    assert opened == 1
    assert shot.stat().st_size > 10_000
    target = Path(os.environ["NETOPT_SCREENSHOT"])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, target)


def _rotation_lines(mp):
    """Coordinates of every rotation line drawn on a map."""
    layers = [
        c
        for c in mp._children.values()
        if isinstance(c, folium.FeatureGroup) and c.layer_name.startswith("Rotation: ")
    ]
    return [
        f["geometry"]["coordinates"]
        for fg in layers
        for el in fg._children.values()
        for f in el.features
    ]


def test_rotation_routes_follow_the_graph(plan, schedule):
    """Rotation lines are the schedule's routes (along roads and ferries: more than two
    vertices); a schedule without routes, or with a pair missing, gets straight lines."""
    assert len(schedule.routes) and max(len(g.coords) for g in schedule.routes.geometry) > 2
    routed = _rotation_lines(maps.alliance_map(plan, schedule))
    no_pairs = dataclasses.replace(schedule, routes=schedule.routes.iloc[0:0])
    straight = _rotation_lines(maps.alliance_map(plan, no_pairs))
    assert straight and {len(c) for c in straight} == {2}
    assert max(len(c) for c in routed) > 2
    assert len(routed) == len(straight)


def test_rotation_line_is_the_schedule_route(plan, schedule, tmp_path):
    """A rotation line is drawn from ``schedule.routes``: a made-up detour shows in the page."""
    routes = schedule.routes.copy()
    fac = plan.region.facilities
    detours = []
    for i, (origin, site) in enumerate(zip(routes["origin"], routes["site"])):
        a, b = fac.geometry[origin], fac.geometry[site]
        via = (round(a.x + 0.1 + i / 100, 4), round(a.y + 0.15, 4))  # far off any road
        detours.append(shapely.LineString([(a.x, a.y), via, (b.x, b.y)]))
    routes["geometry"] = detours
    m = maps.alliance_map(plan, dataclasses.replace(schedule, routes=routes))
    drawn = _rotation_lines(m)
    vias = [list(line.coords[1]) for line in detours]
    assert all(len(c) == 3 for c in drawn)
    assert {tuple(c[1]) for c in drawn} == {tuple(v) for v in vias}
    path, _ = maps.save_map(m, tmp_path / "detour.html")
    text = path.read_text(encoding="utf-8")
    for via in vias:
        assert json.dumps(via, separators=(",", ":")) in text


def test_schedule_without_routes_draws_straight_lines(plan, schedule):
    """An older schedule-like object (visits only, no routes or experts) still draws."""
    from types import SimpleNamespace

    bare = SimpleNamespace(visits=schedule.visits)
    lines = _rotation_lines(maps.alliance_map(plan, bare))
    assert lines and {len(c) for c in lines} == {2}


def test_maps_never_route():
    """netopt.maps takes no graph and imports nothing from netopt.graph."""
    package = Path(maps.__file__).parent
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == "netopt.graph" or n.startswith("netopt.graph.") for n in names), (
                path.name
            )
            assert not (
                isinstance(node, ast.ImportFrom)
                and node.module == "netopt"
                and any(a.name == "graph" for a in node.names)
            ), path.name


def test_graph_is_not_a_map_option(plan, graph):
    """Passing the old ``graph=`` keyword fails loudly instead of being ignored."""
    with pytest.raises(TypeError, match="graph"):
        maps.alliance_map(plan, graph=graph)
    with pytest.raises(TypeError, match="graph"):
        maps.compare_map(plan, plan, graph=graph)


def test_kpi_panel_shows_the_panel_kpis(plan):
    """The KPI panel lists the "panel" KPIs the plan has, in order, labelled by netopt.kpis."""
    from netopt.maps.panels import kpi_html

    page = kpi_html(plan)
    shown = [k for k in kpis_in("panel") if k.key in plan.kpis]
    assert shown
    at = [page.index(f"<td>{kpi_info(k.key).label}</td>") for k in shown]
    assert at == sorted(at)
    hidden = [k for k in plan.kpis if k not in {x.key for x in kpis_in("panel")}]
    assert hidden and all(f"<td>{kpi_info(k).label}</td>" not in page for k in hidden)
    one = kpi_html(plan, ["mean_lead_min"])
    assert kpi_info("mean_lead_min").label in one and kpi_info("population").label not in one


@pytest.mark.browser
@requires_chromium
def test_popups_show_hostile_names_as_text(plan, opened):
    """The popups of the hostile lead and member show the names as text and run nothing."""
    lead, member = opened["lead_popup"], opened["member_popup"]
    assert opened["report"].ok, opened["report"].problems()
    assert lead["found"] == 1 and EVIL in lead["text"] and lead["tags"] == 0
    assert "alliance lead" in lead["text"] and "Referral load / capacity" in lead["text"]
    assert member["found"] == 1 and EVIL_MEMBER in member["text"] and member["tags"] == 0
    member_id = plan.region.facilities.index[plan.region.facilities["name"] == EVIL_MEMBER][0]
    its_lead = plan.facilities.at[member_id, "lead"]
    assert f"Alliance{plan.region.facilities.at[its_lead, 'name']}" in member["text"]


@pytest.mark.browser
@requires_chromium
def test_vector_layers_have_one_feature_per_object(plan, opened):
    """Ferries, referral flows and catchments are drawn once per object (canvas layers)."""
    n = opened["features"]
    members_with_lead = (
        ~plan.facilities["is_lead"]
        & plan.facilities["lead"].notna()
        & (plan.facilities["lead"].astype(str) != "")
    ).sum()
    assert n["netopt-ferry"] == len(plan.region.ferries) == 1
    assert n["netopt-flow"] == members_with_lead
    assert n["netopt-catchment"] >= len(plan.leads)
    assert "netopt-band" not in n  # travel-time bands start hidden


@pytest.mark.browser
@requires_chromium
def test_compare_map_synchronised_offline(plan, evil_region, graph, tmp_path):
    """Two maps side by side, each with its plan's name; panning one moves the other."""
    other = plan_alliances(
        evil_region,
        graph,
        options=AllianceOptions(p=1),
        params=SolverParams(time_limit_s=20),
        name="One alliance",
    )
    path, _size = maps.save_map(maps.compare_map(plan, other), tmp_path / "compare.html")
    js = """() => {
        const ids = [...document.querySelectorAll('.folium-map')].map(d => d.id);
        const [a, b] = ids.map(i => window[i]);
        a.setView([29.25, 121.95], 13, {animate: false});
        const c = b.getCenter();
        return {n: ids.length, lat: c.lat, lng: c.lng, zoom: b.getZoom()};
    }"""
    with offline_page(path, counts=(".leaflet-marker-icon.netopt-lead",)) as (page, report):
        moved = page.evaluate(js)
        titles = page.locator(".netopt-kpis h4").all_inner_texts()
    assert report.ok, report.problems()
    assert moved["n"] == 2 and moved["zoom"] == 13
    assert moved["lat"] == pytest.approx(29.25, abs=1e-6)
    assert moved["lng"] == pytest.approx(121.95, abs=1e-6)
    assert titles == [PLAN_NAME, "One alliance"]
    assert report.counts[".leaflet-marker-icon.netopt-lead"] == len(plan.leads) + len(other.leads)


@pytest.mark.browser
@requires_chromium
def test_plain_folium_map_made_offline(tmp_path):
    """save_map embeds what a plain Folium map with default markers and clusters needs."""
    m = folium.Map(location=[29.2, 121.9], zoom_start=9, tiles=None, maxZoom=18)
    cluster = MarkerCluster().add_to(m)
    for i in range(5):
        folium.Marker([29.2 + i / 100, 121.9]).add_to(cluster)
    folium.Marker([29.0, 121.5], popup=folium.Popup("Lone marker")).add_to(m)
    Fullscreen().add_to(m)
    path, _ = maps.save_map(m, tmp_path / "plain.html")
    report = open_html(path)
    assert report.ok, report.problems()
    assert report.counts["script[src]"] == 0
    assert report.counts[".leaflet-marker-icon"] >= 2  # a cluster and the lone marker
    assert "jquery" in path.read_text(encoding="utf-8").lower()  # folium popups need it


def test_awesome_marker_icons_are_reported(tmp_path):
    """folium.Icon needs awesome-markers from a CDN: saving offline names it, writes nothing."""
    m = folium.Map(tiles=None)
    folium.Marker([29.0, 121.5], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(NetoptError, match="awesome-markers"):
        maps.save_map(m, tmp_path / "icons.html")
    assert not (tmp_path / "icons.html").exists()


def test_save_map_refuses_remote_scripts(tmp_path):
    """A script that has no offline copy is reported instead of silently needing internet."""
    m = folium.Map(tiles=None)
    m.get_root().header.add_child(JavascriptLink("https://example.org/extra.js"))
    with pytest.raises(NetoptError, match="1 resource.*example.org/extra.js"):
        maps.save_map(m, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_options_checked_together(plan):
    """Every invalid option is listed in one DataError."""
    with pytest.raises(DataError, match=r"(?s)2 problems.*bands_min.*band_time"):
        maps.alliance_map(plan, bands_min=(30, 15), band_time="fastest")


def test_tianditu_needs_a_key(plan):
    """Tianditu tiles without a key fail with the fix in the message."""
    with pytest.raises(DataError, match="tianditu_key"):
        maps.alliance_map(plan, tiles="tianditu")


def test_online_tiles_are_optional_base_layers(plan, tmp_path):
    """With tiles requested, the tile URLs appear only as layer templates, not as page assets."""
    m = maps.alliance_map(plan, tiles=["openstreetmap", "tianditu"], tianditu_key="KEY123")
    path, _ = maps.save_map(m, tmp_path / "tiles.html")
    text = path.read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in text and "tianditu.gov.cn" in text and "tk=KEY123" in text
    assert external_resources(text) == []


def test_zone_cells_partition_the_points():
    """Voronoi cells contain their own zone point; duplicates share the first zone's cell."""
    rng = np.random.default_rng(1)
    xy = rng.uniform([121.0, 29.0], [122.0, 30.0], size=(200, 2))
    xy[10] = xy[3]  # a duplicate location
    pts = shapely.points(xy)
    import geopandas as gpd

    cells, owner = maps.zone_cells(
        gpd.GeoSeries(pts, crs="EPSG:4326"), bounds=(121.0, 29.0, 122.0, 30.0)
    )
    assert len(cells) == 199 and 10 not in set(owner) and 3 in set(owner)
    assert shapely.contains(cells, pts[owner]).all()
    union = maps.dissolve_cells(cells, np.zeros(len(cells), int), coverage=True)[0]
    assert union.area == pytest.approx(shapely.union_all(cells).area, rel=1e-9)


@pytest.mark.browser
@requires_chromium
def test_point_zones_without_land_and_clustered_markers(plan, tmp_path):
    """Point zones with no land polygons get Voronoi catchments; big layers are clustered."""
    region = plan.region
    zones = region.zones.copy()
    zones["geometry"] = zones.geometry.representative_point()
    bare = dataclasses.replace(region, zones=zones, boundaries=region.boundaries.iloc[0:0])
    m = maps.alliance_map(dataclasses.replace(plan, region=bare), cluster_threshold=3)
    groups = {c.layer_name: c for c in m._children.values() if hasattr(c, "layer_name")}
    assert "Land and townships" not in groups
    assert type(groups["Member facilities"]).__name__ == "MarkerCluster"
    assert type(groups["Lead hospitals"]).__name__ == "FeatureGroup"  # 2 leads <= 3
    path, _ = maps.save_map(m, tmp_path / "bare.html")
    with offline_page(path, counts=(".marker-cluster", ".leaflet-marker-icon")) as (page, rep):
        n_catch = page.evaluate(
            f"""() => {{ let n = 0; {_MAP_JS}.eachLayer(l => {{
                if (l.feature && l.options.className === 'netopt-catchment') n += 1; }});
                return n; }}"""
        )
    assert rep.ok, rep.problems()
    assert n_catch >= len(plan.leads)
    assert rep.counts[".leaflet-marker-icon"] >= len(plan.leads) + 1


def test_alliances_get_distinct_colours_while_the_palette_lasts():
    """Every alliance gets its own colour up to the palette's size, touching or not."""
    import itertools

    from shapely.geometry import box

    from netopt.maps import PALETTE
    from netopt.maps.styles import colour_alliances

    far_apart = {f"L{i}": box(10 * i, 0, 10 * i + 1, 1) for i in range(len(PALETTE))}
    colours = colour_alliances(far_apart, list(far_apart))
    assert len(set(colours.values())) == len(PALETTE)
    touching = {f"L{i}": box(i, 0, i + 1, 1) for i in range(len(PALETTE) + 3)}
    colours = colour_alliances(touching, list(touching))
    keys = list(touching)
    assert all(colours[a] != colours[b] for a, b in itertools.pairwise(keys))


# ------------------------------------------------------------ the network as a scenario ran it

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"
BRIDGE = "Bridge <b>X</b> & co"
_FAST = GraphOptions(h3_resolution=8)


@pytest.fixture(scope="module")
def runs():
    """Real runs on the synthetic region: ``today``; ``storm`` (ferry F1 closed, a new bridge
    with a hostile name); ``night`` (ferries not running, F1 every 90 min instead of its
    timetable); ``extra`` (two evening departures added to F1)."""
    today = Scenario(
        "today",
        SYNTHETIC,
        graph=_FAST,
        model=AllianceOptions(p=1),
        solver=SolverParams(time_limit_s=10),
    )
    bridge = NewLink(BRIDGE, (121.93, 29.23), (121.96, 29.23), travel_min=4)
    scenarios = [
        today,
        today.replace(name="storm", modifiers=Modifiers(close_ferries=("F1",), links=(bridge,))),
        today.replace(name="night", modifiers=Modifiers(night=True, headways={"F1": 90})),
        today.replace(name="extra", modifiers=Modifiers(departures={"F1": ("19:00", "20:30")})),
    ]
    return {r.name: r for r in run_all(scenarios)}


def _layer_features(m, class_name):
    """The GeoJSON features of every canvas layer of a map drawn with ``class_name``."""
    return [
        f
        for fg in m._children.values()
        for el in getattr(fg, "_children", {}).values()
        if getattr(el, "class_name", None) == class_name
        for f in el.features
    ]


def _layer_names(m):
    return [c.layer_name for c in m._children.values() if hasattr(c, "layer_name")]


def test_network_state_is_read_from_the_run(runs):
    """Closed, night, changed headway, added departures and new links come from the run."""
    storm, night, extra = (network_state(runs[n]) for n in ("storm", "night", "extra"))
    assert network_state(runs["today"]).ferries["F1"].state == "open"
    assert not network_state(runs["today"]).ferries["F1"].changed
    f1 = storm.ferries["F1"]
    assert f1.state == "closed" and f1.reopen_wait_min > 60
    assert f1.closed_hours in (None, 24.0)  # the graph's closure_hours, when it records them
    assert [(x.name, x.travel_min) for x in storm.links] == [(BRIDGE, 4.0)]
    assert night.night and night.ferries["F1"].state == "night"
    assert night.ferries["F1"].headway_min == 90 and math.isnan(night.ferries["F1"].headway_was)
    assert night.ferries["F1"].timetable_was == 12  # F1 had 6 + 6 departures a day
    assert extra.ferries["F1"].added == ("19:00", "20:30") and extra.ferries["F1"].changed
    assert network_state(runs["today"].plan) is None  # a bare plan has no run network


def test_map_draws_closed_ferries_and_new_links(runs, tmp_path):
    """A storm run draws F1 as closed (own layer and class) and the bridge with name and time."""
    m = maps.alliance_map(runs["storm"])
    assert "Ferry routes not running" in _layer_names(m) and "Ferry routes" not in _layer_names(m)
    (closed,) = _layer_features(m, "netopt-ferry-stopped")
    assert closed["properties"]["s"]["className"] == "netopt-ferry-closed"
    assert closed["properties"]["s"]["dashArray"] == FERRY_STYLES["closed"]["dashArray"]
    assert "closed in this scenario" in closed["properties"]["p"]
    assert "Expected wait until it runs again" in closed["properties"]["p"]
    (link,) = _layer_features(m, "netopt-new-link")
    assert link["geometry"]["coordinates"] == [[121.93, 29.23], [121.96, 29.23]]
    assert "Bridge &lt;b&gt;X&lt;/b&gt; &amp; co" in link["properties"]["p"]
    assert "4.0 min" in link["properties"]["p"]
    text = maps.save_map(m, tmp_path / "storm.html")[0].read_text(encoding="utf-8")
    assert BRIDGE not in text  # escaped
    bare = maps.alliance_map(runs["storm"].plan)  # a bare plan: the region's network as tabled
    assert "Ferry routes" in _layer_names(bare) and "New links (scenario)" not in _layer_names(bare)


def test_closed_links_are_drawn_closed(runs):
    """A bridge the run closes (close_link) is drawn red with its hours; so is a closed new link."""
    from netopt.graph import close_link

    storm = runs["storm"]
    graph = close_link(close_link(storm.graph, "L1", hours=12), BRIDGE, hours=6)
    closed = dataclasses.replace(storm, graph=graph)
    state = network_state(closed)
    assert state.closed_links == {"L1": 12.0}
    assert [(x.name, x.travel_min, x.closed_hours) for x in state.links] == [(BRIDGE, 4.0, 6.0)]
    m = maps.alliance_map(closed)
    assert "Links closed" in _layer_names(m)
    (l1,) = _layer_features(m, "netopt-link-closed")
    assert "Beiyu-Xiaoyu bridge" in l1["properties"]["p"] and "12 h" in l1["properties"]["p"]
    (bridge,) = _layer_features(m, "netopt-new-link")
    assert bridge["properties"]["s"]["className"] == "netopt-link-closed"
    assert "6 h" in bridge["properties"]["p"]


def test_popups_say_what_the_scenario_changed(runs):
    """Night, a changed headway and extra departures are in the ferry popups."""
    (night,) = _layer_features(maps.alliance_map(runs["night"]), "netopt-ferry-stopped")
    assert night["properties"]["s"]["className"] == "netopt-ferry-night"
    assert "not running: night" in night["properties"]["p"]
    assert "every 90 min (region: 12 departures a day (timetable))" in night["properties"]["p"]
    (extra,) = _layer_features(maps.alliance_map(runs["extra"]), "netopt-ferry")
    assert "19:00, 20:30 (added by the scenario)" in extra["properties"]["p"]
    assert "running, service changed by the scenario" in extra["properties"]["p"]
    (today,) = _layer_features(maps.alliance_map(runs["today"]), "netopt-ferry")
    assert "<b>running</b>" in today["properties"]["p"] and "added" not in today["properties"]["p"]


def test_legend_and_panel_name_the_network_changes(runs):
    """The legend has an entry per ferry state and the new link; the panel says what changed."""
    from netopt.maps.panels import kpi_html, legend_html

    state = network_state(runs["storm"])
    legend = legend_html({}, {}, {}, [], [], network=state)
    assert 'data-legend="ferry-closed"' in legend and 'data-legend="new-link"' in legend
    assert 'data-legend="ferry"' not in legend  # no running ferry to show
    assert 'data-legend="ferry"' in legend_html({}, {}, {}, [], [])
    panel = kpi_html(runs["storm"].plan, network=state)
    assert "1 ferry route(s) closed" in panel and "1 new link(s)" in panel
    assert "night: ferries not running" in kpi_html(
        runs["night"].plan, network=network_state(runs["night"])
    )


def test_panel_shows_the_stage_texts(plan):
    """The KPI panel words each stage as stage_text does: evaluated, time limit with its gap."""
    from types import SimpleNamespace

    from netopt.maps.panels import kpi_html, stage_texts

    evaluated = dataclasses.replace(
        plan, options=dataclasses.replace(plan.options, evaluate_only=True)
    )
    stopped = SimpleNamespace(status="time_limit", gap=0.1034, bound=90.0, objective=100.4)
    texts = stage_texts(evaluated, stopped)
    assert texts == {"Alliance plan": "evaluated", "Expert rotations": "time limit, gap 10.3 %"}
    page = kpi_html(evaluated, stages=texts)
    assert '<td class="v">evaluated</td>' in page and "time limit, gap 10.3 %" in page
    assert stage_texts(plan)["Alliance plan"] == stage_text(
        plan.solve, evaluated=plan.options.evaluate_only
    )


def test_compare_map_shows_the_scenarios_named(runs):
    """compare_map(scenarios=...) shows those runs in that order; unknown names are listed."""
    results = list(runs.values())
    side = maps.compare_map(results, scenarios=["storm", "today"])
    assert len(side.maps) == 2
    assert "Ferry routes not running" in _layer_names(side.maps[0])
    assert "Ferry routes" in _layer_names(side.maps[1])
    assert len(maps.compare_map(*results).maps) == 4  # None: all of them, a 2 x 2 grid
    with pytest.raises(DataError, match=r"'nope' is not one of the results.*'today', 'storm'"):
        maps.compare_map(results, scenarios=["today", "nope"])
    with pytest.raises(DataError, match="show 2 to 4 side by side"):
        maps.compare_map(results, scenarios=["today"])
    with pytest.raises(DataError, match="named twice"):
        maps.compare_map(results, scenarios=["today", "today"])


def test_data_caveat_from_the_region_or_its_estimated_flags(_synthetic_region_cached):
    """The region's caveat is used as given; without one, the estimated tables are named."""
    r = _synthetic_region_cached
    assert data_caveat(r) is None  # nothing estimated, no caveat
    ferries = r.ferries.assign(estimated=True)
    flagged = dataclasses.replace(r, ferries=ferries)
    assert data_caveat(flagged).startswith("Estimated data: the times of 1 of 1 ferry routes")
    own = dataclasses.replace(flagged, metadata={**r.metadata, "caveat": "Positions <guessed>"})
    assert data_caveat(own) == "Positions <guessed>"


def test_every_map_carries_the_caveat(plan, runs, tmp_path):
    """alliance_map and each side of compare_map show the region's caveat, escaped."""
    region = dataclasses.replace(plan.region, metadata={"caveat": "Positions <i>guessed</i>"})
    m = maps.alliance_map(dataclasses.replace(plan, region=region))
    text = maps.save_map(m, tmp_path / "c.html")[0].read_text(encoding="utf-8")
    assert "Positions \\u0026lt;i\\u0026gt;guessed" in text and "<i>guessed" not in text
    side = maps.compare_map(
        dataclasses.replace(plan, region=region), dataclasses.replace(plan, region=region)
    )
    panels = [
        c
        for mp in side.maps
        for c in mp._children.values()
        if "netopt-caveat" in c.__dict__.get("css_class", "")
    ]
    assert len(panels) == 2


@pytest.mark.browser
@requires_chromium
def test_closed_ferries_and_new_links_in_chromium(runs, tmp_path):
    """In Chromium the storm map draws F1 red and dashed, the bridge magenta, both in the legend
    and the layer control, and F1's popup says it is closed."""
    path, _ = maps.save_map(maps.alliance_map(runs["storm"]), tmp_path / "storm.html")
    js = f"""() => {{
        const map = {_MAP_JS}; const out = {{}};
        map.eachLayer(l => {{ const k = l.options && l.options.className;
            if (l.feature && k) {{ (out[k] = out[k] || []).push(
                {{color: l.options.color, dash: l.options.dashArray || null}}); }} }});
        map.eachLayer(l => {{ if (l.feature && l.options.className === 'netopt-ferry-closed') {{
            l.openPopup(l.getCenter());
            out.popup = l.getPopup().getElement().textContent; }} }});
        return out;
    }}"""
    with offline_page(path) as (page, report):
        drawn = page.evaluate(js)
        legend = {
            key: page.locator(f'.netopt-legend [data-legend="{key}"]').inner_text()
            for key in ("ferry-closed", "new-link")
        }
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        network = page.locator(".netopt-kpis .netopt-network").inner_text()
    assert report.ok, report.problems()
    assert drawn["netopt-ferry-closed"] == [
        {"color": FERRY_STYLES["closed"]["color"], "dash": FERRY_STYLES["closed"]["dashArray"]}
    ]
    assert drawn["netopt-new-link"] == [{"color": NEW_LINK, "dash": None}]
    assert "netopt-ferry" not in drawn
    assert "closed in this scenario" in drawn["popup"] and "Closed for24 h" in drawn["popup"]
    assert legend == {
        "ferry-closed": "ferry route closed in this scenario",
        "new-link": "new link added by the scenario",
    }
    assert {"Ferry routes not running", "New links (scenario)"} <= {s.strip() for s in labels}
    assert "1 ferry route(s) closed" in network and "1 new link(s)" in network


_LAYOUT_JS = """bounds => [...document.querySelectorAll('.folium-map')].map(div => {
    const map = window[div.id], box = div.getBoundingClientRect();
    const rect = el => { const r = el.getBoundingClientRect();
        return {l: r.left - box.left, t: r.top - box.top, r: r.right - box.left,
                b: r.bottom - box.top}; };
    const a = map.latLngToContainerPoint(bounds[0]), b = map.latLngToContainerPoint(bounds[1]);
    return {w: box.width, h: box.height, kpi: rect(div.querySelector('.netopt-kpis')),
            panels: [...div.querySelectorAll('.netopt-panel')].map(rect),
            region: {l: Math.min(a.x, b.x), r: Math.max(a.x, b.x),
                     t: Math.min(a.y, b.y), b: Math.max(a.y, b.y)}};
})"""


def _area(r):
    return max(r["r"] - r["l"], 0.0) * max(r["b"] - r["t"], 0.0)


def _overlap(a, b):
    return _area(
        {
            "l": max(a["l"], b["l"]),
            "r": min(a["r"], b["r"]),
            "t": max(a["t"], b["t"]),
            "b": min(a["b"], b["b"]),
        }
    )


def _assert_region_visible(layout):
    """Each map: the KPI panel under 30 % of the map, no panel over the region's centre or
    over more than 5 % of the region's area."""
    for m in layout:
        assert _area(m["kpi"]) < 0.30 * m["w"] * m["h"], m
        cx, cy = (
            (m["region"]["l"] + m["region"]["r"]) / 2,
            (m["region"]["t"] + m["region"]["b"]) / 2,
        )
        for p in m["panels"]:
            assert not (p["l"] <= cx <= p["r"] and p["t"] <= cy <= p["b"]), (p, m["region"])
            assert _overlap(p, m["region"]) <= 0.05 * _area(m["region"]), (p, m["region"])
        assert 0 <= m["region"]["l"] and m["region"]["r"] <= m["w"], m  # the region is in view
        assert 0 <= m["region"]["t"] and m["region"]["b"] <= m["h"], m


def _toggle(page):
    """Click the first KPI panel's toggle twice; return its state after each click."""
    js = """() => { const p = document.querySelector('.netopt-kpis');
        const b = p.querySelector('.netopt-toggle');
        return {collapsed: p.classList.contains('netopt-collapsed'), height: p.offsetHeight,
                expanded: b.getAttribute('aria-expanded'), label: b.textContent,
                body: getComputedStyle(p.querySelector('.netopt-body')).display}; }"""
    states = []
    for _ in range(2):
        page.locator(".netopt-kpis .netopt-toggle").first.click()
        states.append(page.evaluate(js))
    return states


def _region_box(region):
    """The populated area's bounds as Leaflet [[lat, lon], [lat, lon]]."""
    minx, miny, maxx, maxy = extent(region.zones, region.boundaries)
    return [[miny, minx], [maxy, maxx]]


@pytest.mark.browser
@requires_chromium
@pytest.mark.parametrize("kind", ["alliance_map", "compare_map"])
def test_kpi_panel_leaves_the_region_visible_at_1366x768(runs, kind, tmp_path):
    """At 1366 x 768 no panel covers the region; the KPI panel's button collapses and
    reopens it."""
    if kind == "alliance_map":
        m = maps.alliance_map(runs["storm"])
    else:
        m = maps.compare_map(runs["today"], runs["storm"])
    path, _ = maps.save_map(m, tmp_path / f"{kind}.html")
    with offline_page(path, viewport=(1366, 768)) as (page, report):
        layout = page.evaluate(_LAYOUT_JS, _region_box(runs["storm"].plan.region))
        before = layout[0]["kpi"]
        closed, reopened = _toggle(page)
    assert report.ok, report.problems()
    assert len(layout) == (1 if kind == "alliance_map" else 2)
    _assert_region_visible(layout)
    assert closed["collapsed"] and closed["expanded"] == "false" and closed["body"] == "none"
    assert closed["label"] == "Show" and closed["height"] < 45
    assert not reopened["collapsed"] and reopened["expanded"] == "true"
    assert reopened["height"] == pytest.approx(before["b"] - before["t"], abs=2)


@pytest.mark.slow
@pytest.mark.browser
@requires_chromium
def test_xiangshan_storm_side_by_side_at_1366x768(tmp_path):
    """Xiangshan today | storm at 1366 x 768: the region in view beside the panels, the caveat
    on both maps, the storm's four ferries drawn closed."""
    xiangshan = Path(__file__).parents[1] / "geodata" / "xiangshan" / "scenarios"
    results = run_all(
        [Scenario.from_toml(xiangshan / f"{n}.toml") for n in ("today", "storm")],
        cache_dir=tmp_path / "cache",
    )
    path, _ = maps.save_map(maps.compare_map(results), tmp_path / "xs.html")
    js = """() => [...document.querySelectorAll('.folium-map')].map(div => {
        let n = 0; window[div.id].eachLayer(l => {
            if (l.feature && l.options.className === 'netopt-ferry-closed') n += 1; });
        return n; })"""
    with offline_page(path, viewport=(1366, 768)) as (page, report):
        layout = page.evaluate(_LAYOUT_JS, _region_box(results[0].plan.region))
        closed = page.evaluate(js)
        caveats = page.locator(".netopt-caveat").all_inner_texts()
    assert report.ok, report.problems()
    _assert_region_visible(layout)
    assert closed == [0, 4]
    assert len(caveats) == 2 and all("Estimated data" in c for c in caveats)
