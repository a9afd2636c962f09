"""Tests of the GIS exports: plan.gpkg layers (netopt.alliances.layers,
netopt.scenario.geopackage) and the precision of a run's CSV tables (netopt.scenario.csvs)."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from test_alliances import make_region

from netopt.alliances import AllianceOptions, plan_alliances
from netopt.alliances.layers import TIME_BANDS, alliance_table, catchments
from netopt.graph import GraphOptions
from netopt.scenario import Modifiers, NewLink, Scenario, run
from netopt.scenario.csvs import rounded
from netopt.scenario.geopackage import write_geopackage
from netopt.solve import SolverParams

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"
PLAN_LAYERS = {"zones", "facilities", "alliances", "leads", "travel_time_bands"}


@pytest.fixture(scope="module")
def tiny_plan():
    """A p = 2 plan on the tiny in-code region (point zones, no network)."""
    region, times = make_region()
    return plan_alliances(region, None, options=AllianceOptions(p=2, capacities=False), times=times)


@pytest.fixture(scope="module")
def storm():
    """A run on the synthetic region with ferry F1 closed for 12 hours and a new bridge."""
    scenario = Scenario(
        "storm",
        SYNTHETIC,
        graph=GraphOptions(h3_resolution=8),
        model=AllianceOptions(p=1, max_travel_min=math.inf),
        solver=SolverParams(time_limit_s=10),
        modifiers=Modifiers(
            close_ferries=("F1",),
            closure_hours=12.0,
            links=(NewLink("new_bridge", (121.95, 29.21), (121.97, 29.22), 4.0),),
        ),
    )
    return run(scenario)


def assert_catchments_cover_zones(path: Path, plan) -> None:
    """Every zone with a lead lies inside its alliance's catchment polygon."""
    areas = gpd.read_file(path, layer="alliances").set_index("lead")
    zones = plan.region.zones.to_crs("EPSG:4326")
    assigned = plan.zones["lead"].dropna()
    assert len(assigned) > 0
    for zone, lead in assigned.items():
        area = areas.loc[lead, "geometry"].buffer(1e-9)  # ~0.1 mm: the file's rounding
        assert area.covers(zones.loc[zone, "geometry"]), (zone, lead)


def test_plan_file_reads_back_every_layer(tiny_plan, tmp_path: Path) -> None:
    """A plan alone writes zones, facilities, catchments, leads and bands, all readable."""
    path = tiny_plan.to_file(tmp_path / "plan.gpkg")
    assert set(pyogrio.list_layers(path)[:, 0]) == PLAN_LAYERS
    for layer in PLAN_LAYERS:
        frame = gpd.read_file(path, layer=layer)
        assert len(frame) > 0 and frame.crs.to_epsg() == 4326, layer
    areas = gpd.read_file(path, layer="alliances")
    assert set(areas.geom_type) <= {"Polygon", "MultiPolygon"}
    assert sorted(areas["lead"]) == sorted(tiny_plan.leads)
    leads = gpd.read_file(path, layer="leads")
    assert set(leads.geom_type) == {"Point"} and sorted(leads["lead"]) == sorted(tiny_plan.leads)


def test_point_zone_catchments_cover_every_assigned_zone(tiny_plan, tmp_path: Path) -> None:
    """Zones given as points are covered by their alliance's catchment (discs around them)."""
    assert set(tiny_plan.region.zones.geom_type) == {"Point"}
    assert_catchments_cover_zones(tiny_plan.to_file(tmp_path / "plan.gpkg"), tiny_plan)


def test_catchments_count_their_zones_and_residents(tiny_plan) -> None:
    """A catchment's zones and population are those of the zones assigned to its lead."""
    areas = catchments(tiny_plan)
    by_lead = tiny_plan.zones.groupby("lead")["population"]
    assert areas["zones"].to_dict() == by_lead.size().to_dict()
    assert areas["population"].to_dict() == pytest.approx(by_lead.sum().to_dict())


def test_facilities_layer_has_every_attribute(tiny_plan, tmp_path: Path) -> None:
    """The facilities layer has the region's attributes (beds, township, ...) and the plan's."""
    fac = gpd.read_file(tiny_plan.to_file(tmp_path / "plan.gpkg"), layer="facilities")
    for col in ("id", "name", "tier", "beds", "township", "alliance", "lead", "lead_name"):
        assert col in fac, col
    for col in ("is_lead", "in_area", "population", "specialties", "can_lead"):
        assert col in fac, col
    fac = fac.set_index("id")
    assert fac["beds"].to_dict() == tiny_plan.region.facilities["beds"].to_dict()
    assert fac["lead"].to_dict() == tiny_plan.facilities["lead"].to_dict()
    assert fac.loc["H1", "lead_name"] == f"Facility {tiny_plan.facilities.loc['H1', 'lead']}"


def test_facilities_layer_keeps_chinese_names(tmp_path: Path) -> None:
    """A region's name_* columns (a Chinese name) reach the facilities layer as UTF-8."""
    region, times = make_region()
    region.facilities["name_zh"] = [f"医院{j}" for j in range(len(region.facilities))]
    plan = plan_alliances(region, None, options=AllianceOptions(p=2, capacities=False), times=times)
    fac = gpd.read_file(plan.to_file(tmp_path / "plan.gpkg"), layer="facilities")
    assert fac.set_index("id")["name_zh"].to_dict() == region.facilities["name_zh"].to_dict()


def test_time_bands_partition_the_zones(tiny_plan, tmp_path: Path) -> None:
    """The travel-time bands hold every zone once, each in the band of its time to its lead."""
    path = tiny_plan.to_file(tmp_path / "plan.gpkg")
    bands = gpd.read_file(path, layer="travel_time_bands").set_index("band")
    assert bands["zones"].sum() == len(tiny_plan.zones)
    assert bands["population"].sum() == pytest.approx(tiny_plan.zones["population"].sum())
    labels = [label for label, _lo, _hi in TIME_BANDS]
    assert set(bands.index) <= {*labels, "none"}
    for label, lo, hi in TIME_BANDS:
        t = tiny_plan.zones["t_lead_min"]
        n = int(((t > lo) & (t <= hi)).sum())
        assert (bands.loc[label, "zones"] if label in bands.index else 0) == n, label


def test_alliance_table_lists_members_lead_first(tiny_plan) -> None:
    """alliance_table keeps every column and adds the member ids and names, lead first."""
    table = alliance_table(tiny_plan)
    assert list(table.columns[: len(tiny_plan.alliances.columns)]) == list(
        tiny_plan.alliances.columns
    )
    for lead, row in table.iterrows():
        ids = row["member_ids"].split(";")
        assert ids[0] == lead and len(ids) == row["members"]
        expected = tiny_plan.facilities.index[tiny_plan.facilities["lead"] == lead]
        assert set(ids) == set(expected)
        assert row["member_names"].split("; ") == [f"Facility {j}" for j in ids]


def test_run_geopackage_has_the_network_as_run(storm, tmp_path: Path) -> None:
    """A run's file adds ferries (F1 closed, 12 h) and links (the bridge and the new one)."""
    path = write_geopackage(storm, tmp_path / "plan.gpkg")
    assert set(pyogrio.list_layers(path)[:, 0]) == PLAN_LAYERS | {"ferries", "links"}
    ferries = gpd.read_file(path, layer="ferries").set_index("id")
    assert ferries.loc["F1", "state"] == "closed"
    assert ferries.loc["F1", "closed_hours"] == pytest.approx(12.0)
    assert set(ferries.geom_type) == {"LineString"}
    links = gpd.read_file(path, layer="links").set_index("id")
    assert links.loc["L1", "state"] == "open" and not links.loc["L1", "added"]
    assert links.loc["new_bridge", "added"] and links.loc["new_bridge", "state"] == "open"
    assert links.loc["new_bridge", "travel_min"] == pytest.approx(4.0)
    assert_catchments_cover_zones(path, storm.plan)  # polygon and point zones


def test_run_outputs_round_their_csvs(storm, tmp_path: Path) -> None:
    """alliances.csv, cut_off.csv keep 1 decimal for minutes and people, 4 for shares;
    assignments.csv stays exact (the KPIs recompute from it)."""
    folder = storm.to_folder(tmp_path / "storm")
    assert "ferries" in set(pyogrio.list_layers(folder / "plan.gpkg")[:, 0])
    alliances = pd.read_csv(folder / "alliances.csv", index_col="lead")
    assert {"members", "member_ids", "member_names", "zones"} <= set(alliances.columns)
    assert alliances["population"].to_dict() == pytest.approx(
        storm.plan.alliances["population"].round(1).to_dict(), abs=0
    )
    assert alliances["utilisation"].to_dict() == pytest.approx(
        storm.plan.alliances["utilisation"].round(4).to_dict(), abs=0
    )
    cut = pd.read_csv(folder / "cut_off.csv")
    assert len(cut) > 0  # the storm cuts the island off
    assert (cut["t_lead_min"] == cut["t_lead_min"].round(1)).all()
    text = (folder / "cut_off.csv").read_text(encoding="utf-8")
    cells = [c for line in text.splitlines() for c in line.split(",")]
    assert max(len(c.split(".")[1]) for c in cells if c.replace(".", "").isdigit()) == 1
    exact = pd.read_csv(folder / "assignments.csv")
    assert exact["t_lead_min"].to_numpy() == pytest.approx(
        storm.plan.zones["t_lead_min"].to_numpy(), rel=1e-12
    )


def test_rounded_keeps_shares_to_four_decimals_and_text_as_is() -> None:
    """rounded: minutes and people to 0.1, shares to 4 decimals, other columns untouched."""
    frame = pd.DataFrame(
        {
            "t_lead_min": [12.3456, math.nan],
            "population": [10.06, 3.0],
            "utilisation": [0.123456, 1.0],
            "in_area_share": [0.987654, 0.5],
            "members": [3, 4],
            "name": ["a", "b"],
        }
    )
    out = rounded(frame)
    assert out["t_lead_min"].iloc[0] == 12.3 and math.isnan(out["t_lead_min"].iloc[1])
    assert out["population"].tolist() == [10.1, 3.0]
    assert out["utilisation"].tolist() == [0.1235, 1.0]
    assert out["in_area_share"].tolist() == [0.9877, 0.5]
    assert out["members"].tolist() == [3, 4] and out["name"].tolist() == ["a", "b"]
    assert frame["t_lead_min"].iloc[0] == 12.3456  # the input is untouched
