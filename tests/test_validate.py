"""Every kind of input problem is reported, naming the file, record and field, in one pass."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import shapely

from netopt._errors import DataError, Problem
from netopt.io import load_region
from netopt.region import TIERS
from netopt.validate import find_problems, validate_region


def _problems(folder) -> list[Problem]:
    """Load a folder that must fail; return its problems."""
    with pytest.raises(DataError) as info:
        load_region(folder)
    assert all(isinstance(p, Problem) for p in info.value.problems)
    return info.value.problems


def _one(problems: list[Problem], **where) -> Problem:
    """Return the single problem matching ``where`` (file/record/field)."""
    hits = [p for p in problems if all(getattr(p, k) == v for k, v in where.items())]
    assert len(hits) == 1, (where, [str(p) for p in problems])
    return hits[0]


# (file in the synthetic folder, bad fixture, file, record, field, text in found, text in fix)
CASES = [
    (
        "facilities.csv",
        "facilities_duplicate_id.csv",
        "facilities.csv",
        "C1",
        "id",
        "id 'C1' is used 2 times",
        "unique id",
    ),
    (
        "facilities.csv",
        "facilities_swapped.csv",
        "facilities.csv",
        "H1",
        "geometry",
        "longitude and latitude look swapped",
        "swap the longitude and latitude",
    ),
    (
        "facilities.csv",
        "facilities_outside.csv",
        "facilities.csv",
        "H1",
        "geometry",
        "more than 50 km outside the region's boundaries",
        "declared crs",
    ),
    (
        "facilities.csv",
        "facilities_unknown_tier.csv",
        "facilities.csv",
        "H1",
        "tier",
        "unknown tier label '二级丙等'",
        '"二级丙等" = "county" (say) under [facilities.tiers]',
    ),
    (
        "facilities.csv",
        "facilities_negative_capacity.csv",
        "facilities.csv",
        "H1",
        "beds",
        "negative value -5",
        ">= 0",
    ),
    (
        "zones.geojson",
        "zones_invalid_geometry.geojson",
        "zones.geojson",
        "Z01",
        "geometry",
        "invalid geometry (Self-intersection",
        "make_valid",
    ),
    (
        "zones.geojson",
        "zones_missing_column.geojson",
        "zones.geojson",
        "",
        "population",
        (
            "expected column 'pop' (mapped from 'population' in [zones.columns]); found: zone_id, "
            "population_2020, township"
        ),
        "[zones.columns]",
    ),
    (
        "experts.csv",
        "experts_unknown_home.csv",
        "experts.csv",
        "E9",
        "home_facility",
        "facility 'X9' does not exist",
        "facilities.csv",
    ),
    (
        "ferries.csv",
        "ferries_port_at_sea.csv",
        "ferries.csv",
        "F2",
        "to_port",
        "port 'Far rock' is 21.5 km from land",
        "within 2 km",
    ),
    (
        "links.csv",
        "links_empty.csv",
        "links.csv",
        "",
        "",
        "the file has no rows",
        "remove the [links] table",
    ),
    ("links.csv", "empty.txt", "links.csv", "", "", "the file is empty (0 bytes)", "[links]"),
    (
        "facilities.csv",
        "facilities_at_sea.csv",
        "facilities.csv",
        "H1",
        "geometry",
        "the facility is 38.0 km from the nearest zone or boundary",
        "within 5 km of land",
    ),
    (
        "experts.csv",
        "experts_too_many_days.csv",
        "experts.csv",
        "E2",
        "max_days_per_month",
        "40 is above 31",
        "0..31",
    ),
    (
        "region.toml",
        "region_ferrys.toml",
        "region.toml",
        "",
        "ferrys",
        "unknown key",
        "did you mean 'ferries'?",
    ),
    (
        "facilities.csv",
        "facilities_area_not_digits.csv",
        "facilities.csv",
        "H1",
        "area",
        "'象山县' is not an administrative code (digits only)",
        "e.g. 330225",
    ),
]


@pytest.mark.parametrize(
    ("target", "fixture", "file", "record", "field", "found", "fix"),
    CASES,
    ids=[c[1] for c in CASES],
)
def test_bad_fixture_is_reported(region_folder, target, fixture, file, record, field, found, fix):
    """Each bad fixture yields exactly one problem with the right file, record and field."""
    problems = _problems(region_folder(replace={target: fixture}))
    assert len(problems) == 1, [str(p) for p in problems]
    p = _one(problems, file=file, record=record, field=field)
    assert found in p.found and fix in p.fix


def test_population_problems(region_folder):
    """Missing, negative and non-numeric populations are each reported once."""
    problems = _problems(region_folder(replace={"zones.geojson": "zones_bad_population.geojson"}))
    assert len(problems) == 3
    assert _one(problems, record="Z02", field="population").found == "the value is missing (NaN)"
    assert _one(problems, record="Z03", field="population").found == "negative value -120"
    assert _one(problems, record="Z08", field="population").found == "'many' is not a number"


def test_csv_without_crs(region_folder):
    """A CSV layer with no declared CRS (and no top-level crs) asks for one."""
    problems = _problems(region_folder(toml=[('crs = "EPSG:4326"\n', "")]))
    assert {p.file for p in problems} == {"ferries.csv", "links.csv"}
    p = _one(problems, file="links.csv", field="crs")
    assert p.found == "no coordinate reference system is declared"
    assert 'declare crs = "EPSG:4326"' in p.fix and "[links]" in p.fix


def test_unknown_crs_names_the_key(region_folder):
    """An unknown CRS string is reported against the region.toml key that holds it."""
    problems = _problems(region_folder(toml=[('crs = "GCJ-02"', 'crs = "Mars-99"')]))
    p = _one(problems, file="region.toml", record="[facilities]", field="crs")
    assert "unknown CRS 'Mars-99'" in p.found and "GCJ-02" in p.fix
    assert len(problems) == 1  # no follow-on noise about the unreadable layer


def test_unknown_top_level_crs(region_folder):
    """A bad top-level crs is reported once for region.toml's crs key."""
    problems = _problems(region_folder(toml=[('crs = "EPSG:4326"', 'crs = "EPSG:0"')]))
    _one(problems, file="region.toml", record="", field="crs")


def test_all_problems_in_one_pass(region_folder):
    """Problems in several files are collected and raised together."""
    folder = region_folder(
        replace={
            "facilities.csv": "facilities_swapped.csv",
            "zones.geojson": "zones_bad_population.geojson",
            "experts.csv": "experts_unknown_home.csv",
            "ferries.csv": "ferries_port_at_sea.csv",
        }
    )
    problems = _problems(folder)
    assert {p.file for p in problems} == {
        "facilities.csv",
        "zones.geojson",
        "experts.csv",
        "ferries.csv",
    }
    assert len(problems) == 6
    with pytest.raises(DataError, match=r"^6 problems found in the input data:\n  - "):
        load_region(folder)


def test_tier_mapping_fixes_unknown_label(region_folder):
    """Adding the label under [facilities.tiers], as the fix says, makes the data load."""
    folder = region_folder(
        replace={"facilities.csv": "facilities_unknown_tier.csv"},
        toml=[("[facilities.tiers]", '[facilities.tiers]\n"二级丙等" = "county"')],
    )
    assert load_region(folder).facilities.loc["H1", "tier"] == "county"


def test_port_distance_is_configurable(region_folder):
    """A [validate] table in region.toml raises the port distance limit."""
    folder = region_folder(
        replace={"ferries.csv": "ferries_port_at_sea.csv"},
        toml=[("[zones]", "[validate]\nport_max_km = 30\n\n[zones]")],
    )
    assert list(load_region(folder).ferries.index) == ["F1", "F2"]


def test_valid_region_passes(synthetic_region):
    """The synthetic region has no problems."""
    assert find_problems(synthetic_region) == []
    assert validate_region(synthetic_region) is None


def test_validate_region_built_in_code(synthetic_region):
    """validate_region checks regions built in code, naming layers instead of files."""
    r = synthetic_region
    r.zones.loc["Z05", "population"] = float("nan")
    r.facilities.loc["V2", "tier"] = "clinic"
    r.experts.loc["E4", "home_facility"] = "nowhere"
    r.ferries.loc["F1", "crossing_min"] = -1.0
    with pytest.raises(DataError) as info:
        validate_region(r)
    got = {(p.file, p.record, p.field) for p in info.value.problems}
    assert got == {
        ("zones", "Z05", "population"),
        ("facilities", "V2", "tier"),
        ("experts", "E4", "home_facility"),
        ("ferries", "F1", "crossing_min"),
    }
    assert isinstance(info.value, ValueError)
    assert all(t in str(info.value) for t in TIERS)


def test_ferry_needs_headway_or_timetable(synthetic_region):
    """A ferry with neither a headway nor departures is a problem."""
    r = synthetic_region
    r.ferries.at["F1", "departures_ab"] = ()
    r.ferries.at["F1", "departures_ba"] = ()
    (p,) = find_problems(r)
    assert (p.record, p.field) == ("F1", "headway_min")


def test_swap_detected_without_boundaries(synthetic_region):
    """Without boundaries the median point defines the region and swaps are still found."""
    r = dataclasses.replace(synthetic_region, boundaries=synthetic_region.boundaries.iloc[:0])
    r.facilities.loc["V3", "geometry"] = shapely.Point(29.15, 121.68)
    (p,) = find_problems(r)
    assert (p.file, p.record, p.field) == ("facilities", "V3", "geometry")
    assert "more than 300 km from the median" in p.found and "look swapped" in p.found


def test_duplicate_ids_and_wrong_geometry_type(synthetic_region):
    """Duplicate ids and a polygon where a point is expected are both reported."""
    f = synthetic_region.facilities
    f.loc["H4", "geometry"] = shapely.box(122.08, 29.21, 122.09, 29.22)
    f = pd.concat([f, f.loc[["C1"]]])
    r = dataclasses.replace(synthetic_region, facilities=f)
    problems = find_problems(r)
    assert _one(problems, record="C1", field="id").found == "id 'C1' is used 2 times (rows 2, 11)"
    assert _one(problems, record="H4", field="geometry").found == "a Polygon"


def test_metric_crs_must_be_projected(synthetic_region):
    """A geographic metric CRS is refused."""
    r = dataclasses.replace(synthetic_region, metric_crs="EPSG:4326")
    (p,) = find_problems(r)
    assert p.field == "metric_crs" and "not a projected CRS" in p.found


def test_validate_table_typos(region_folder):
    """Unknown keys and non-numbers in [validate] are problems, not crashes."""
    folder = region_folder(
        toml=[("[zones]", '[validate]\nport_km = 3\noutlier_km = "far"\n\n[zones]')]
    )
    problems = _problems(folder)
    assert _one(problems, record="[validate]", field="port_km").found == "unknown key"
    assert _one(problems, record="[validate]", field="outlier_km").found == "'far' is not a number"


def test_ferry_zero_headway_and_crossing(region_folder):
    """A headway or crossing time of 0 is reported against its own record and field."""
    problems = _problems(region_folder(replace={"ferries.csv": "ferries_zero_times.csv"}))
    assert len(problems) == 2, [str(p) for p in problems]
    for field in ("crossing_min", "headway_min"):
        p = _one(problems, file="ferries.csv", record="F1", field=field)
        assert p.found.startswith("the value is 0") and "> 0 minutes" in p.fix


def test_ferry_zero_headway_built_in_code(synthetic_region):
    """validate_region refuses a zero headway on a region built in code."""
    synthetic_region.ferries.loc["F1", "headway_min"] = 0.0
    (p,) = find_problems(synthetic_region)
    assert (p.file, p.record, p.field) == ("ferries", "F1", "headway_min")


@pytest.mark.parametrize(
    ("point", "field_text"),
    [
        (shapely.Point(121.8, 129.0), "latitude 129 is outside -90..90"),
        (shapely.Point(200.0, 29.1), "longitude 200 is outside -180..180"),
    ],
)
def test_coordinates_out_of_range(synthetic_region, point, field_text):
    """A latitude or longitude outside its range says so."""
    synthetic_region.facilities.loc["H1", "geometry"] = point
    (p,) = find_problems(synthetic_region)
    assert (p.file, p.record, p.field) == ("facilities", "H1", "geometry")
    assert field_text in p.found


def test_latitude_out_of_range_in_file(region_folder):
    """The same from a CSV: the file, record and range are named."""
    folder = region_folder()
    path = folder / "facilities.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",121.80413838,29.11717965", ",121.8,129"),
        encoding="utf-8",
    )
    p = _one(_problems(folder), file="facilities.csv", record="H1", field="geometry")
    assert "latitude 129 is outside -90..90" in p.found


def test_zero_total_population(synthetic_region):
    """A region where nobody lives is an error."""
    synthetic_region.zones["population"] = 0.0
    (p,) = find_problems(synthetic_region)
    assert (p.file, p.record, p.field) == ("zones", "", "population")
    assert p.found == "the total population is 0"


def test_population_above_world_population(synthetic_region):
    """A zone (even a point zone, without an area) with 10^12 residents is an error."""
    synthetic_region.zones.loc["Z03", "population"] = 1e12
    (p,) = find_problems(synthetic_region)
    assert (p.file, p.record, p.field) == ("zones", "Z03", "population")
    assert "more than the world population" in p.found


def test_implausible_density(synthetic_region):
    """A polygon zone denser than max_density_per_km2 is named, with its density."""
    zones = synthetic_region.zones
    (poly,) = zones.index[zones.geom_type.eq("Polygon")][:1]
    zones.loc[poly, "population"] = 5e9
    (p,) = find_problems(synthetic_region)
    assert (p.file, p.record, p.field) == ("zones", poly, "population")
    assert "people per km², more than 100,000" in p.found
    assert find_problems(synthetic_region, max_density_per_km2=1e9) == []


def test_facility_distance_is_configurable(region_folder):
    """facility_max_km under [validate] accepts a facility far from land."""
    folder = region_folder(
        replace={"facilities.csv": "facilities_at_sea.csv"},
        toml=[("[zones]", "[validate]\nfacility_max_km = 40\n\n[zones]")],
    )
    assert "H1" in load_region(folder).facilities.index


def test_facility_outside_region_reported_once(region_folder):
    """A facility far outside the region is not also reported as far from land."""
    problems = _problems(region_folder(replace={"facilities.csv": "facilities_outside.csv"}))
    assert len(problems) == 1


def test_planning_area_without_any_facility_is_reported(region_folder):
    """A region.toml area that holds none of the facilities' area codes is one problem."""
    folder = region_folder(
        replace={"facilities.csv": "facilities_area_elsewhere.csv"},
        toml=[("sources = [", 'area = "330225"\nsources = [')],
    )
    (p,) = _problems(folder)
    assert (p.file, p.record, p.field) == ("region", "", "area")
    assert "planning area 330225 holds no facility" in p.found and "330226" in p.found
    assert "region.toml area" in p.fix


def test_planning_area_holding_a_facility_passes(region_folder):
    """The same codes under the area they name load, and a township code counts as inside."""
    folder = region_folder(
        replace={"facilities.csv": "facilities_area_elsewhere.csv"},
        toml=[("sources = [", 'area = ["330225", "330226"]\nsources = [')],
    )
    region = load_region(folder)
    assert region.area_codes == ("330225", "330226")
    assert set(region.facilities["area"]) == {"330226"}
    township = dataclasses.replace(region, metadata={**region.metadata, "area": "330226101"})
    assert find_problems(township) == []  # a county code is too coarse to say: no problem


def test_area_codes_checked_in_code(synthetic_region):
    """Area codes of a region built in code are checked too; blanks are allowed."""
    fac = synthetic_region.facilities
    fac["area"] = ["330225"] * (len(fac) - 2) + [None, "33O225"]
    (p,) = find_problems(synthetic_region)
    assert (p.file, p.record, p.field) == ("facilities", fac.index[-1], "area")
    assert "'33O225' is not an administrative code" in p.found
