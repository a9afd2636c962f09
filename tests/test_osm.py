"""Reading OpenStreetMap roads and ferry ways (pyrosm for .pbf, osmnx for .osm XML)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from netopt._errors import NetoptWarning
from netopt._osm import (
    DEFAULT_FERRY_HEADWAY_MIN,
    DEFAULT_FERRY_SPEED_KMH,
    parse_duration_min,
    parse_maxspeed,
    parse_oneway,
    read_osm,
)
from netopt.io import load_region
from netopt.region import SCHEMA

HELSINKI = Path(__file__).parent / "data" / "osm" / "Helsinki.osm.pbf"
HELSINKI_FERRY = "way/170463494"


@pytest.fixture(scope="module")
def helsinki():
    """Roads and ferries of the Helsinki extract (read once; the clipped-ferry warning is
    checked in its own test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetoptWarning)
        return read_osm(HELSINKI)


def test_parse_maxspeed():
    """Numbers, mph and knots convert to km/h; symbolic tags become NaN."""
    raw = pd.Series(["50", "50 mph", "RU:urban", None, "30;50", "10 knots", "none", " 80 "])
    got = parse_maxspeed(raw).to_numpy()
    want = [50.0, 80.4672, np.nan, np.nan, 30.0, 18.52, np.nan, 80.0]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_parse_duration_min():
    """OSM duration tags in minutes, clock and ISO 8601 forms."""
    raw = pd.Series(["45", "1:30", "01:30:30", "PT1H5M", "PT20M", "soon", None])
    got = parse_duration_min(raw).to_numpy()
    np.testing.assert_allclose(got, [45.0, 90.0, 90.5, 65.0, 20.0, np.nan, np.nan])


def test_parse_oneway():
    """yes/true/1/-1 are one-way; -1 and reverse also ask for the line to be reversed."""
    oneway, reverse = parse_oneway(pd.Series(["yes", "no", "-1", None, "true", "reversible"]))
    assert oneway.tolist() == [True, False, True, False, True, False]
    assert reverse.tolist() == [False, False, True, False, False, False]


def test_helsinki_roads(helsinki):
    """The drivable network keeps highway class, parsed maxspeed and oneway."""
    roads, _ = helsinki
    assert len(roads) == 725
    assert roads.index.name == "id" and roads.index[0].startswith("way/")
    assert roads.crs.to_epsg() == 4326
    assert {"secondary", "residential"} <= set(roads["highway"])
    speeds = roads["maxspeed_kmh"]
    assert set(speeds.dropna().unique()) == {30.0, 40.0}
    assert speeds.isna().sum() == 1
    assert roads["oneway"].dtype == bool and roads["oneway"].sum() == 380


def test_helsinki_ferry_way(helsinki, caplog):
    """The real route=ferry way is read, with its OSM source and estimated flag."""
    _, ferries = helsinki
    assert list(ferries.index) == [HELSINKI_FERRY]
    row = ferries.loc[HELSINKI_FERRY]
    assert row["source"] == "osm:way/170463494"
    assert row["estimated"]
    assert row["name"] == "Kolera-allas-Tykistölahti-Kuninkaanportti"
    assert row["kind"] == "both"  # motor_vehicle=yes
    assert row["headway_min"] == DEFAULT_FERRY_HEADWAY_MIN and row["departures_ab"] == ()
    # the extract clips the way to one node: zero length, so zero estimated minutes
    assert row["crossing_min"] == 0.0


def test_clipped_ferry_warns():
    """A ferry way that the extract clips to one point is kept with a NetoptWarning."""
    with pytest.warns(NetoptWarning, match=r"ferry way/170463494 is clipped by the extract"):
        _, ferries = read_osm(HELSINKI)
    assert HELSINKI_FERRY in ferries.index


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="netopt-test">
  <node id="1" lat="29.2200" lon="121.9000" version="1"/>
  <node id="2" lat="29.2200" lon="121.9170" version="1"/>
  <node id="3" lat="29.2200" lon="121.9660" version="1"/>
  <node id="4" lat="29.2300" lon="121.9000" version="1"/>
  <node id="5" lat="29.2300" lon="121.9400" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="50 mph"/><tag k="oneway" v="-1"/>
    <tag k="name" v="Harbour Road"/></way>
  <way id="11" version="1"><nd ref="1"/><nd ref="4"/>
    <tag k="highway" v="footway"/></way>
  <way id="20" version="1"><nd ref="2"/><nd ref="3"/>
    <tag k="route" v="ferry"/><tag k="duration" v="00:40"/><tag k="name" v="Test ferry"/>
    <tag k="interval" v="00:30"/></way>
  <way id="21" version="1"><nd ref="4"/><nd ref="5"/>
    <tag k="route" v="ferry"/></way>
</osm>
"""


@pytest.fixture
def osm_xml(tmp_path):
    """A hand-written .osm XML file with two roads and two ferry ways."""
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    return path


def test_xml_roads_and_ferries(osm_xml):
    """osmnx reads .osm XML: footways dropped, oneway=-1 reversed, ferry durations parsed."""
    roads, ferries = read_osm(osm_xml)
    assert list(roads.index) == ["way/10"]
    road = roads.loc["way/10"]
    assert road["maxspeed_kmh"] == pytest.approx(80.4672)
    assert road["oneway"]
    assert road.geometry.coords[0] == pytest.approx((121.917, 29.22))  # drawn against travel
    assert sorted(ferries.index) == ["way/20", "way/21"]
    assert ferries.loc["way/20", "crossing_min"] == pytest.approx(40.0)
    assert ferries.loc["way/20", "headway_min"] == pytest.approx(30.0)  # interval tag
    assert ferries.loc["way/21", "headway_min"] == DEFAULT_FERRY_HEADWAY_MIN
    length_km = Geod(ellps="WGS84").geometry_length(ferries.loc["way/21"].geometry) / 1000
    want = length_km / DEFAULT_FERRY_SPEED_KMH * 60
    assert ferries.loc["way/21", "crossing_min"] == pytest.approx(want)
    assert ferries.loc["way/21", "name"] == "ferry way/21"
    assert ferries["estimated"].all()


def test_slower_ferry_speed_gives_longer_crossing(osm_xml):
    """ferry_speed_kmh is used for ways without a duration tag (and only for those)."""
    _, fast = read_osm(osm_xml)
    _, slow = read_osm(osm_xml, ferry_speed_kmh=DEFAULT_FERRY_SPEED_KMH / 2)
    assert slow.loc["way/21", "crossing_min"] == pytest.approx(
        2 * fast.loc["way/21", "crossing_min"]
    )
    assert slow.loc["way/20", "crossing_min"] == fast.loc["way/20", "crossing_min"]


def test_not_an_osm_file(tmp_path):
    """Other extensions are refused with a message naming the expected formats."""
    with pytest.raises(ValueError, match=r"expected \.osm\.pbf, \.osm or \.xml"):
        read_osm(tmp_path / "roads.shp")


def test_load_region_with_helsinki_roads(tmp_path):
    """A region whose [roads] is the Helsinki .pbf gets its roads and its OSM ferry row."""
    (tmp_path / "facilities.csv").write_text(
        "id,name,tier,lon,lat\nK1,Kauppatori clinic,township,24.9530,60.1670\n"
        "K2,Central hospital,county,24.9400,60.1690\n",
        encoding="utf-8",
    )
    (tmp_path / "zones.csv").write_text(
        "id,population,lon,lat\nZ1,1200,24.9500,60.1680\nZ2,800,24.9450,60.1650\n", encoding="utf-8"
    )
    (tmp_path / "region.toml").write_text(
        f'name = "Helsinki test"\ncrs = "WGS84"\n[facilities]\nfile = "facilities.csv"\n'
        f'[zones]\nfile = "zones.csv"\n[roads]\nfile = "{HELSINKI.as_posix()}"\n',
        encoding="utf-8",
    )
    with pytest.warns(NetoptWarning, match="clipped"):
        region = load_region(tmp_path)
    assert region.metric_crs == "EPSG:32635"
    assert len(region.roads) == 725
    assert list(region.ferries.index) == [HELSINKI_FERRY]
    assert region.ferries.loc[HELSINKI_FERRY, "source"] == "osm:way/170463494"
    for layer in ("roads", "ferries"):
        frame = getattr(region, layer)
        assert list(frame.columns[:-1]) == list(SCHEMA[layer])
        assert frame.dtypes.drop("geometry").astype(str).to_dict() == SCHEMA[layer]
