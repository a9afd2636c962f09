"""Loading and saving regions: region.toml, column and tier mapping, CRS handling, round trip."""

from __future__ import annotations

import math
import tomllib

import geopandas as gpd
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import shapely

from netopt._crs import WGS84, as_crs, is_projected
from netopt._errors import DataError, NetoptWarning
from netopt.io import (
    GCJ02,
    dumps_toml,
    empty_layer,
    load_region,
    parse_crs,
    region_fingerprint,
    save_region,
)
from netopt.region import SCHEMA, EmergencyFallback, Region, format_overview
from netopt.validate import haversine_km

LAYERS = ("facilities", "zones", "ferries", "links", "experts", "boundaries", "roads")


def test_synthetic_counts(synthetic_region):
    """The synthetic region has the documented size and population."""
    r = synthetic_region
    s = r.overview()
    assert s["facilities_by_tier"] == {"tertiary": 1, "county": 2, "township": 4, "village": 3}
    assert s["zones"] == 12 and s["population"] == 214_550
    assert s["islands"] == {"Beiyu Island": 24_400, "Xiaoyu Island": 3_550}
    assert list(r.ferries.index) == ["F1"] and list(r.links.index) == ["L1"]
    assert len(r.experts) == 4 and len(r.boundaries) == 3 and len(r.roads) == 7
    assert r.metric_crs == "EPSG:32651"


def test_schema_columns_and_dtypes(synthetic_region):
    """Every layer has exactly the schema columns, dtypes, an object index named id."""
    for layer in LAYERS:
        frame = getattr(synthetic_region, layer)
        cols = [c for c in frame.columns if c != "geometry"]
        assert cols == list(SCHEMA[layer]), layer
        assert frame[cols].dtypes.astype(str).to_dict() == SCHEMA[layer], layer
        assert frame.index.name == "id" and frame.index.dtype == object, layer
        if layer != "experts":
            assert frame.crs.to_epsg() == 4326, layer


def test_gcj02_facilities_converted_to_wgs84(synthetic_region):
    """Facility coordinates declared GCJ-02 come back at their WGS-84 positions (< 1 m)."""
    t1 = synthetic_region.facilities.geometry["T1"]
    assert haversine_km(t1.x, t1.y, 121.62, 29.38) * 1000 < 0.01


def test_column_and_tier_mapping(synthetic_region):
    """User column names and Chinese grade labels map to ours; defaults fill the rest."""
    f = synthetic_region.facilities
    assert f.loc["T1", "name"] == "Ningbo First Hospital"
    assert f.loc["T1", "tier"] == "tertiary" and f.loc["C2", "tier"] == "county"
    assert f.loc["H3", "tier"] == "township"  # our own label passes through
    assert f.loc["T1", "outpatient_per_day"] == 8000
    assert f.loc["T1", "specialties"][:2] == ("cardiology", "oncology")
    assert f.loc["V1", "specialties"] == () and math.isnan(f.loc["V1", "beds"])
    assert f["can_lead"].to_dict() == {i: i in ("T1", "C1") for i in f.index}
    assert f.loc["T1", "alliance"] is None


def test_zones_ferries_links_experts_roads(synthetic_region):
    """Polygons are kept, timetables and weekdays parsed, maxspeed tags converted."""
    r = synthetic_region
    assert r.zones.geometry["Z01"].geom_type == "Polygon"
    assert r.zone_points()["Z01"].within(r.zones.geometry["Z01"])
    assert r.zones.loc["Z08", "island"] and r.zones.loc["Z08", "island_name"] == "Beiyu Island"
    assert r.zones.loc["Z01", "island_name"] is None
    ferry = r.ferries.loc["F1"]
    assert ferry["departures_ab"][0] == "06:30" and len(ferry["departures_ba"]) == 6
    assert math.isnan(ferry["headway_min"]) and ferry["service_end"] == "18:30"
    assert not ferry["estimated"] and ferry["source"] == "synthetic timetable"
    assert r.links.loc["L1", "kind"] == "bridge" and math.isnan(r.links.loc["L1", "travel_min"])
    assert r.experts.loc["E1", "weekdays"] == (1, 3)  # "Tue;Thu"
    assert r.experts.loc["E3", "weekdays"] == (0, 2)  # "0;2"
    assert r.experts.loc["E2", "max_days_per_month"] == 6
    speeds = r.roads.set_index("name")["maxspeed_kmh"]
    assert speeds["Beiyu South Road"] == pytest.approx(25 * 1.609344)
    assert math.isnan(speeds["Xiaoyu Road"])
    assert r.roads.set_index("name").loc["Harbour Lane", "oneway"]


def test_load_save_load_identical(synthetic_region, tmp_path):
    """save_region then load_region gives identical frames, metadata and metric CRS."""
    out = save_region(synthetic_region, tmp_path / "saved")
    assert sorted(p.name for p in out.iterdir()) == ["experts.csv", "region.gpkg", "region.toml"]
    again = load_region(out)
    for layer in LAYERS:
        pdt.assert_frame_equal(getattr(again, layer), getattr(synthetic_region, layer))
    assert again.metadata == synthetic_region.metadata
    assert again.name == synthetic_region.name and again.metric_crs == synthetic_region.metric_crs
    twice = load_region(save_region(again, tmp_path / "saved2"))
    pdt.assert_frame_equal(twice.facilities, again.facilities)


def test_save_is_atomic(synthetic_region, tmp_path):
    """A save that fails half-way leaves the previous folder byte-identical."""
    target = save_region(synthetic_region, tmp_path / "saved")
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    zones = synthetic_region.zones.copy()
    zones.insert(1, "dup", 0.0)
    zones.columns = ["population", "population", *zones.columns[2:]]  # GPKG refuses this
    broken = Region(**{**synthetic_region.__dict__, "zones": zones})
    with pytest.raises(ValueError, match="duplicated column names"):
        save_region(broken, target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["saved"]  # no temporary folders left


def test_empty_layer_matches_schema():
    """empty_layer returns zero rows with the schema dtypes."""
    ferries = empty_layer("ferries")
    assert len(ferries) == 0 and ferries.crs.to_epsg() == 4326
    assert ferries.drop(columns="geometry").dtypes.astype(str).to_dict() == SCHEMA["ferries"]
    assert isinstance(empty_layer("experts"), pd.DataFrame)


def test_optional_layers_may_be_left_out(region_folder):
    """Only facilities and zones are required; the other layers come back empty."""
    folder = region_folder(
        toml=[('[ferries]\nfile = "ferries.csv"', ""), ('[links]\nfile = "links.csv"', "")]
    )
    region = load_region(folder)
    assert len(region.ferries) == 0 and len(region.links) == 0
    assert list(region.ferries.columns[:-1]) == list(SCHEMA["ferries"])


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("EPSG:4326", 4326),
        ("WGS84", 4326),
        ("wgs-84", 4326),
        ("EPSG:32651", 32651),
        ("GCJ-02", GCJ02),
        ("gcj02", GCJ02),
        ("GCJ02", GCJ02),
    ],
)
def test_parse_crs(text, want):
    """CRS declarations: WGS-84 and GCJ-02 aliases and EPSG codes."""
    got = parse_crs(text)
    assert got == want if want == GCJ02 else got.to_epsg() == want


def test_parse_crs_unknown():
    """An unparseable CRS is a ValueError naming it."""
    with pytest.raises(ValueError, match="unknown CRS 'Mars'"):
        parse_crs("Mars")


@pytest.mark.parametrize(
    ("crs", "want"),
    [("EPSG:32651", True), (32651, True), ("EPSG:4326", False), (None, False), ("Mars", False)],
)
def test_is_projected(crs, want):
    """is_projected: True for a UTM zone; False for lon/lat, None and unreadable text."""
    assert is_projected(crs) is want


def test_as_crs_caches_text():
    """Text is parsed once: the same CRS object comes back, and WGS84 is EPSG:4326."""
    assert as_crs("EPSG:32651") is as_crs("EPSG:32651")
    assert as_crs(WGS84) is WGS84 and WGS84.to_epsg() == 4326


def test_projected_gpkg_uses_its_own_crs(region_folder, synthetic_region):
    """A GeoPackage in UTM loads with its own CRS even though the top-level crs is WGS84."""
    folder = region_folder()
    zones = synthetic_region.zones.to_crs("EPSG:32651").reset_index()
    zones = zones.rename(columns={"id": "zone_id", "population": "pop"})
    zones.to_file(folder / "zones_utm.gpkg", layer="zones")
    (folder / "zones.geojson").unlink()
    toml = (folder / "region.toml").read_text(encoding="utf-8")
    (folder / "region.toml").write_text(toml.replace('"zones.geojson"', '"zones_utm.gpkg"'))
    region = load_region(folder)
    got = region.zone_points()
    want = synthetic_region.zone_points()
    assert np.max(haversine_km(got.x, got.y, want.x, want.y)) < 1e-6


def test_csv_zones_with_per_layer_epsg(region_folder, synthetic_region):
    """A CSV layer declared in EPSG:3857 is reprojected to WGS-84."""
    folder = region_folder()
    pts = synthetic_region.zone_points().to_crs("EPSG:3857")
    frame = pd.DataFrame(
        {"zone_id": pts.index, "pop": synthetic_region.zones["population"], "x": pts.x, "y": pts.y}
    )
    frame.to_csv(folder / "zones.csv", index=False)
    toml = (folder / "region.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        'file = "zones.geojson"', 'file = "zones.csv"\ncrs = "EPSG:3857"\nlon = "x"\nlat = "y"'
    )
    (folder / "region.toml").write_text(toml, encoding="utf-8")
    region = load_region(folder)
    z8 = region.zones.geometry["Z08"]
    assert (z8.x, z8.y) == pytest.approx((122.01, 29.23), abs=1e-9)
    assert region.zones.loc["Z08", "population"] == 14_200


def test_missing_file_and_toml_typos(region_folder):
    """Missing files, unknown keys and unknown column names are all reported at once."""
    folder = region_folder(
        toml=[
            ('"links.csv"', '"bridges.csv"'),
            ("[zones.columns]", '[zones.columns]\npopulaton = "x"'),
            ('file = "ferries.csv"', 'file = "ferries.csv"\nspeed = 3'),
        ]
    )
    with pytest.raises(DataError) as info:
        load_region(folder)
    found = {(p.file, p.record, p.field): p.found for p in info.value.problems}
    assert "file 'bridges.csv' not found" in found[("region.toml", "[links]", "file")]
    assert found[("region.toml", "[zones.columns]", "populaton")].startswith("'populaton' is not")
    assert found[("region.toml", "[ferries]", "speed")] == "unknown key"


def test_unknown_keys_everywhere_in_one_pass(region_folder):
    """Unknown keys at every level of region.toml are reported together, with a suggestion."""
    folder = region_folder(
        toml=[
            ('crs = "EPSG:4326"', 'crs = "EPSG:4326"\nmetric_cr = "EPSG:32651"'),
            ('file = "ferries.csv"', 'file = "ferries.csv"\nfiel = "x.csv"'),
            ("[facilities.tiers]", "[facilities.defaults]\nbedz = 10\n\n[facilities.tiers]"),
            ("[zones.columns]", '[zones.columns]\npopulaton = "x"'),
            ("[zones]", "[validate]\nport_max = 3\n\n[zones]"),
        ]
    )
    with pytest.raises(DataError) as info:
        load_region(folder)
    fixes = {(p.file, p.record, p.field): (p.found, p.fix) for p in info.value.problems}
    want = {
        ("region.toml", "", "metric_cr"): "metric_crs",
        ("region.toml", "[ferries]", "fiel"): "file",
        ("region.toml", "[facilities.defaults]", "bedz"): "beds",
        ("region.toml", "[zones.columns]", "populaton"): "population",
        ("region.toml", "[validate]", "port_max"): "port_max_km",
    }
    for where, close in want.items():
        assert f"did you mean '{close}'?" in fixes[where][1], (where, fixes)
    assert fixes[("region.toml", "", "metric_cr")][0] == "unknown key"


def test_misspelled_layer_table_is_an_error(region_folder):
    """[ferrys] is not silently ignored (islands would be planned with no boats)."""
    folder = region_folder(replace={"region.toml": "region_ferrys.toml"})
    with pytest.raises(
        DataError, match=r"field 'ferrys': unknown key\. Fix: did you mean 'ferries'"
    ):
        load_region(folder)


def test_layer_that_is_not_a_table(region_folder):
    """ferries = "ferries.csv" (a string, not a table) is reported, not ignored."""
    folder = region_folder(
        toml=[
            ('[ferries]\nfile = "ferries.csv"', ""),
            ('crs = "EPSG:4326"\n', 'crs = "EPSG:4326"\nferries = "ferries.csv"\n'),
        ]
    )
    with pytest.raises(DataError) as info:
        load_region(folder)
    (p,) = info.value.problems
    assert (p.file, p.record, p.field) == ("region.toml", "", "ferries")
    assert p.found == "'ferries.csv' is not a table"


def test_no_region_toml(tmp_path):
    """A folder without region.toml is a FileNotFoundError saying what is missing."""
    with pytest.raises(FileNotFoundError, match="no region.toml"):
        load_region(tmp_path)


def test_invalid_toml(tmp_path):
    """A TOML syntax error is a DataError naming region.toml."""
    (tmp_path / "region.toml").write_text("name = \n", encoding="utf-8")
    with pytest.raises(DataError, match="region.toml: not valid TOML"):
        load_region(tmp_path)


@pytest.mark.parametrize(
    ("value", "ok"), [("24:00", True), ("7:30", True), ("24:30", False), ("7h30", False)]
)
def test_ferry_clock_times_checked(region_folder, value, ok):
    """Service hours must be HH:MM in 00:00..24:00; others are reported with the value."""
    folder = region_folder()
    path = folder / "ferries.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",06:30,18:30,", f",06:30,{value},"), encoding="utf-8")
    if ok:
        assert load_region(folder).ferries.loc["F1", "service_end"] == value
        return
    with pytest.raises(DataError, match=f"'{value}' is not a clock time") as info:
        load_region(folder)
    (p,) = info.value.problems
    assert (p.file, p.record, p.field) == ("ferries.csv", "F1", "service_end")
    assert p.fix == "write times as HH:MM, e.g. 07:30"


def test_summary_text(synthetic_region):
    """Region.summary() is the text `netopt validate` prints, built from overview()."""
    text = synthetic_region.summary()
    assert text == format_overview(synthetic_region.overview())
    assert text.splitlines()[:4] == [
        "Region: Synthetic Bay County",
        "Facilities: 10 (tertiary 1, county 2, township 4, village 3)",
        "Zones: 12, population 214,550",
        "Islands: 2, population 27,950",
    ]
    assert "  F1: Shipu-Beiyu ferry (25 min)" in text and text.endswith("Experts: 4")


def test_format_overview_without_islands():
    """Population prints as an exact integer; no islands and unknown tiers are shown."""
    text = format_overview(
        {
            "name": "X",
            "facilities_by_tier": {"clinic": 2, "county": 1},
            "zones": 3,
            "population": 567665.0,
            "islands": {},
            "ferries": {},
            "links": 0,
            "experts": 0,
        }
    )
    assert "Facilities: 3 (county 1, clinic 2)" in text
    assert "population 567,665" in text and "Islands: none" in text


def test_region_fingerprint(region_folder):
    """The fingerprint is stable, accepts the TOML path, and changes with any named file."""
    folder = region_folder()
    fp = region_fingerprint(folder)
    assert len(fp) == 64 and fp == region_fingerprint(folder / "region.toml")
    with (folder / "links.csv").open("a", encoding="utf-8") as f:
        f.write("\n")
    assert region_fingerprint(folder) != fp
    with pytest.raises(FileNotFoundError, match="no region.toml in"):
        region_fingerprint(folder / "nowhere")


def test_dumps_toml_round_trip():
    """The small TOML writer produces text tomllib reads back to the same data."""
    data = {
        "name": '县 "A"',
        "n": 3,
        "x": 1.5,
        "ok": True,
        "tags": ["a", "b"],
        "facilities": {"file": "f.csv", "tiers": {"三级甲等": "tertiary"}},
    }
    assert tomllib.loads(dumps_toml(data)) == data


def test_region_built_in_code_saves(tmp_path):
    """A minimal region built from frames (empty optional layers) saves and loads."""
    index = pd.Index(["A"], name="id", dtype=object)
    facilities = gpd.GeoDataFrame(
        {
            "name": ["A hospital"],
            "tier": ["county"],
            "beds": [10.0],
            "outpatient_per_day": [50.0],
            "specialties": [()],
            "can_lead": [True],
            "alliance": [None],
            "township": [None],
        },
        index=index,
        geometry=[shapely.Point(121.9, 29.2)],
        crs="EPSG:4326",
    )
    zones = gpd.GeoDataFrame(
        {
            "population": [100.0],
            "island": [False],
            "island_name": [None],
            "township": [None],
            "primary_facility": ["A"],
        },
        index=pd.Index(["Z"], name="id", dtype=object),
        geometry=[shapely.Point(121.91, 29.21)],
        crs="EPSG:4326",
    )
    region = Region(
        name="tiny",
        facilities=facilities,
        zones=zones,
        ferries=empty_layer("ferries"),
        links=empty_layer("links"),
        experts=empty_layer("experts"),
        boundaries=empty_layer("boundaries"),
        metric_crs="EPSG:32651",
    )
    again = load_region(save_region(region, tmp_path / "tiny"))
    assert again.facilities.loc["A", "tier"] == "county"
    assert again.zones.loc["Z", "population"] == 100.0
    assert len(again.experts) == 0 and again.roads is None
    assert isinstance(again.facilities, gpd.GeoDataFrame)


def test_save_refuses_layer_without_crs(synthetic_region, tmp_path):
    """Saving a layer without a CRS is a DataError (region.toml would declare WGS-84)."""
    broken = Region(
        **{
            **synthetic_region.__dict__,
            "links": synthetic_region.links.set_crs(None, allow_override=True),
        }
    )
    with pytest.raises(DataError, match="the links layer has no CRS"):
        save_region(broken, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_gbk_csv_names_the_encoding(region_folder):
    """A CSV saved in GBK is one problem naming GBK and the encoding key."""
    folder = region_folder(replace={"facilities.csv": "facilities_gbk.csv"})
    with pytest.raises(DataError) as info:
        load_region(folder)
    text = str(info.value)
    assert "facilities.csv: not UTF-8; it looks like GBK/GB18030" in text
    assert 'declare encoding = "gbk" in [facilities] of region.toml' in text
    assert len(info.value.problems) == 1


def test_gbk_csv_reads_with_encoding_key(region_folder):
    """`encoding = "gbk"` in the layer's table reads the file, Chinese names included."""
    folder = region_folder(
        replace={"facilities.csv": "facilities_gbk.csv"},
        toml=[('file = "facilities.csv"', 'file = "facilities.csv"\nencoding = "gbk"')],
    )
    region = load_region(folder)
    assert region.facilities.loc["T1", "name"] == "宁波市第一医院"
    assert region.facilities.loc["T1", "tier"] == "tertiary"


def test_unknown_encoding_is_a_problem(region_folder):
    """An encoding Python does not know is reported against region.toml."""
    folder = region_folder(
        toml=[('file = "facilities.csv"', 'file = "facilities.csv"\nencoding = "klingon"')]
    )
    with pytest.raises(DataError, match="unknown encoding 'klingon' for facilities.csv"):
        load_region(folder)


def test_semicolon_csv_is_one_problem(region_folder):
    """A ';'-delimited CSV says so instead of listing every missing column."""
    folder = region_folder(replace={"facilities.csv": "facilities_semicolon.csv"})
    with pytest.raises(DataError) as info:
        load_region(folder)
    assert len(info.value.problems) == 1
    assert "facilities.csv: looks ';'-delimited" in str(info.value)
    assert "save as comma-separated" in str(info.value)


def test_epsg3857_declared_as_wgs84_is_one_problem(region_folder):
    """Web-Mercator metres in a layer declared EPSG:4326: one problem naming EPSG:3857."""
    folder = region_folder(replace={"zones.geojson": "zones_epsg3857.geojson"})
    with pytest.raises(DataError) as info:
        load_region(folder)
    zones = [p for p in info.value.problems if p.file == "zones.geojson"]
    assert len(zones) == 1
    assert "coordinates look like projected metres (EPSG:3857?): 12 of 12 records" in zones[0].found
    assert 'declare crs = "EPSG:3857"' in zones[0].fix and "[zones]" in zones[0].fix


def test_epsg3857_declared_reads(region_folder, synthetic_region):
    """Declaring the layer's crs as EPSG:3857 reads the same zones as the original."""
    folder = region_folder(
        replace={"zones.geojson": "zones_epsg3857.geojson"},
        toml=[('file = "zones.geojson"', 'file = "zones.geojson"\ncrs = "EPSG:3857"')],
    )
    zones = load_region(folder).zones
    assert zones.index.tolist() == synthetic_region.zones.index.tolist()
    assert np.allclose(zones.total_bounds, synthetic_region.zones.total_bounds, atol=1e-6)


def test_area_codes_stay_text(region_folder, tmp_path):
    """Area codes load as text: digits and leading zeros kept, a spreadsheet's .0 dropped."""
    folder = region_folder(replace={"facilities.csv": "facilities_area_not_digits.csv"})
    text = (folder / "facilities.csv").read_text(encoding="utf-8")
    text = text.replace(",象山县,", ",330225.0,").replace(",330203,", ",0330203,")
    (folder / "facilities.csv").write_text(text, encoding="utf-8")
    region = load_region(folder)
    area = region.facilities["area"]
    assert area["H1"] == "330225" and area["T1"] == "0330203" and area["C1"] == "330225"
    again = load_region(save_region(region, tmp_path / "saved"))
    pdt.assert_series_equal(again.facilities["area"], area)


def test_area_column_is_optional(synthetic_region):
    """Without an area column every facility's code is None (placed by position)."""
    assert synthetic_region.facilities["area"].isna().all()
    assert synthetic_region.facilities["area"].dtype == object
    assert synthetic_region.area_codes == ()


FALLBACK_TABLE = (
    '[emergency_fallback]\nname = "ambulance boat"\nwait_min = 40\navailability = 0.75\n\n'
)


def test_planning_keys_are_read_into_the_region(region_folder) -> None:
    """region.toml caveat, area and [emergency_fallback] reach Region.caveat/area_codes/fallback."""
    folder = region_folder(
        toml=[
            (
                'crs = "EPSG:4326"\n',
                'crs = "EPSG:4326"\ncaveat = "Positions estimated"\narea = ["330225", "330226"]\n',
            ),
            (
                "[facilities]\n",
                FALLBACK_TABLE + "[facilities]\n",
            ),
        ]
    )
    region = load_region(folder)
    assert region.caveat == "Positions estimated"
    assert region.area_codes == ("330225", "330226")
    assert region.fallback == EmergencyFallback("ambulance boat", 40.0, 0.75)


def test_bad_planning_keys_name_the_key_and_the_fix(region_folder) -> None:
    """A bad caveat, area code or fallback value is reported with its key and the fix, at once."""
    folder = region_folder(
        toml=[
            (
                'crs = "EPSG:4326"\n',
                'crs = "EPSG:4326"\ncaveat = 3\narea = "Xiangshan"\n',
            ),
            (
                "[facilities]\n",
                "[emergency_fallback]\nwait_minutes = 40\navailability = 1.5\n\n[facilities]\n",
            ),
        ]
    )
    with pytest.raises(DataError) as info:
        load_region(folder)
    text = str(info.value)
    assert "'caveat'" in text and "'area'" in text and "administrative code" in text
    assert "did you mean 'wait_min'" in text
    assert "'availability'" in text and "(0, 1]" in text


def _facilities_with_two_names(folder) -> pd.DataFrame:
    """Give the folder's facilities.csv an English `name` and a Chinese `name_zh` column."""
    path = folder / "facilities.csv"
    fac = pd.read_csv(path, dtype=str)
    fac["name"] = "English " + fac["name_en"]
    fac["name_zh"] = [f"医院{i}" for i in range(len(fac))]
    fac.to_csv(path, index=False)
    return fac.set_index("facility_id")


def test_explicit_mapping_wins_over_a_same_named_column(region_folder):
    """`name = "name_zh"` reads name_zh even though the file has a `name` column, with a note."""
    folder = region_folder(toml=[('name = "name_en"', 'name = "name_zh"')])
    fac = _facilities_with_two_names(folder)
    with pytest.warns(NetoptWarning) as caught:
        region = load_region(folder)
    note = (
        "facilities.csv: column 'name' is not used: [facilities.columns] maps "
        "name = \"name_zh\", so 'name_zh' is read as name"
    )
    assert [str(w.message) for w in caught] == [note]
    assert region.facilities["name"].to_dict() == fac["name_zh"].to_dict()
    # the column was read as name, so the schema's own name_zh stays empty
    assert region.facilities["name_zh"].isna().all()


def test_a_column_mapped_elsewhere_is_not_dropped(region_folder):
    """The file's `name`, itself mapped to township, is read as township, not dropped as name."""
    folder = region_folder(toml=[('name = "name_en"', 'name = "name_zh"\ntownship = "name"')])
    fac = _facilities_with_two_names(folder)
    with pytest.warns(NetoptWarning) as caught:
        region = load_region(folder)
    assert [str(w.message).split(":")[1] for w in caught] == [" column 'township' is not used"]
    assert region.facilities["name"].to_dict() == fac["name_zh"].to_dict()
    assert region.facilities["township"].to_dict() == fac["name"].to_dict()
