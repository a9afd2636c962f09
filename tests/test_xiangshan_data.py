"""Checks of the bundled Xiangshan County region (geodata/xiangshan), read from the committed files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from netopt.io import load_region

FOLDER = Path(__file__).resolve().parent.parent / "geodata" / "xiangshan"
CENSUS_2020 = 567_665
NAMED_HOSPITALS = {
    "XS-H01": "Xiangshan First People's Hospital",
    "XS-H02": "Xiangshan Red Cross Taiwan Compatriot Hospital",
    "XS-H03": "Xiangshan Hospital of Traditional Chinese Medicine",
    "NB-H01": "Ningbo Huamei Hospital, University of Chinese Academy of Sciences",
}
#: islands reached only by boat (their zones must not sit on a bridged island)
FERRY_ISLANDS = {
    "Yushan Islands": "F1",
    "Hua'ao Island": "F2",
    "Dongmen Island": "F3",
    "Tantoushan Island": "F4",
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
