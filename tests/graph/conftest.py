"""Tiny synthetic regions for the graph tests, built directly with the Region constructor.

Mainland (121.80-121.86 E, 29.40-29.46 N) with two roads crossing at a shared vertex, and an
island (121.90-121.93 E, 29.42-29.44 N) about 4 km across the water with no roads (the land
surface serves it), joined by one timetabled ferry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from netopt.region import SCHEMA, Region

WGS84 = "EPSG:4326"
UTM51N = "EPSG:32651"


def _frame(layer: str, rows: list[dict[str, Any]], geometry: list | None) -> Any:
    cols = list(SCHEMA[layer])
    ids = [r.pop("id") for r in rows]
    df = pd.DataFrame(rows, columns=cols, index=pd.Index(ids, name="id", dtype=object))
    for c, dtype in SCHEMA[layer].items():
        if dtype == "float64":
            df[c] = df[c].astype(float)
        elif dtype == "bool":
            df[c] = df[c].fillna(False).astype(bool)
    if geometry is None:
        return df
    return gpd.GeoDataFrame(df, geometry=list(geometry), crs=WGS84)


def make_region(
    *,
    facilities: list[dict[str, Any]] | None = None,
    zones: list[dict[str, Any]] | None = None,
    ferries: list[dict[str, Any]] | None = None,
    links: list[dict[str, Any]] | None = None,
    roads: list[dict[str, Any]] | None | bool = True,
    land: list | None = None,
) -> Region:
    """Return the tiny two-island region; any layer may be replaced (rows carry ``geometry``)."""
    if land is None:
        land = [
            shapely.box(121.80, 29.40, 121.86, 29.46),
            shapely.box(121.90, 29.42, 121.93, 29.44),
        ]
    if facilities is None:
        facilities = [
            {
                "id": "H1",
                "name": "County Hospital",
                "tier": "county",
                "can_lead": True,
                "geometry": shapely.Point(121.8305, 29.4305),
            },
            {
                "id": "T1",
                "name": "North THC",
                "tier": "township",
                "can_lead": False,
                "geometry": shapely.Point(121.812, 29.451),
            },
            {
                "id": "T2",
                "name": "Island THC",
                "tier": "township",
                "can_lead": False,
                "geometry": shapely.Point(121.915, 29.431),
            },
        ]
    if zones is None:
        zones = [
            {
                "id": "Z1",
                "population": 1200.0,
                "island": False,
                "geometry": shapely.Point(121.852, 29.409),
            },
            {
                "id": "Z2",
                "population": 800.0,
                "island": True,
                "island_name": "Little Island",
                "geometry": shapely.box(121.91, 29.425, 121.92, 29.435),
            },
            {
                "id": "Z3",
                "population": 500.0,
                "island": False,
                "geometry": shapely.Point(121.806, 29.42),
            },
        ]
    if ferries is None:
        ferries = [
            {
                "id": "FR1",
                "name": "Mainland-Island",
                "from_port": "Pier A",
                "to_port": "Pier B",
                "crossing_min": 20.0,
                "headway_min": np.nan,
                "departures_ab": ("07:00", "09:00", "12:00", "16:30"),
                "departures_ba": ("07:40", "10:00", "13:00", "17:00"),
                "service_start": "06:30",
                "service_end": "18:00",
                "kind": "passenger",
                "source": "test",
                "estimated": False,
                "geometry": shapely.LineString([(121.8595, 29.43), (121.9005, 29.43)]),
            },
        ]
    if roads is True:
        roads = [
            {
                "id": "R1",
                "highway": "primary",
                "maxspeed_kmh": np.nan,
                "oneway": False,
                "name": "East-West",
                "geometry": shapely.LineString(
                    [(121.802, 29.43), (121.83, 29.43), (121.8595, 29.43)]
                ),
            },
            {
                "id": "R2",
                "highway": "residential",
                "maxspeed_kmh": 40.0,
                "oneway": False,
                "name": "North-South",
                "geometry": shapely.LineString(
                    [(121.83, 29.402), (121.83, 29.43), (121.83, 29.458)]
                ),
            },
            {
                "id": "R3",
                "highway": "tertiary",
                "maxspeed_kmh": np.nan,
                "oneway": True,
                "name": "One-way",
                "geometry": shapely.LineString([(121.83, 29.458), (121.812, 29.45)]),
            },
        ]

    def layer(name: str, rows: list[dict[str, Any]] | None) -> Any:
        rows = [dict(r) for r in rows or []]
        geoms = [r.pop("geometry") for r in rows]
        return _frame(name, rows, geoms)

    boundaries = _frame(
        "boundaries", [{"id": f"L{i}", "name": f"land {i}"} for i in range(len(land))], land
    )
    return Region(
        name="Tiny",
        facilities=layer("facilities", facilities),
        zones=layer("zones", zones),
        ferries=layer("ferries", ferries),
        links=layer("links", links),
        experts=_frame("experts", [], None),
        boundaries=boundaries,
        metric_crs=UTM51N,
        roads=None if roads is None or roads is False else layer("roads", roads),
    )


@pytest.fixture
def region_factory() -> Callable[..., Region]:
    """The :func:`make_region` factory."""
    return make_region


@pytest.fixture
def tiny_region() -> Region:
    """The default tiny region (roads on the mainland, a timetabled ferry to the island)."""
    return make_region()


@pytest.fixture(scope="session")
def three_ferry_region() -> Region:
    """The tiny region with two more ferries to the island: FR2 every 60 min around the clock
    (no service hours) and FR3 every 45 min from 07:00 to 19:00."""
    base = make_region().ferries.reset_index().iloc[0].to_dict()
    hourly = dict(base, id="FR2", departures_ab=(), departures_ba=(), headway_min=60.0)
    hourly.update(service_start=None, service_end=None)
    hourly["geometry"] = shapely.LineString([(121.8595, 29.425), (121.9005, 29.425)])
    daytime = dict(base, id="FR3", departures_ab=(), departures_ba=(), headway_min=45.0)
    daytime.update(service_start="07:00", service_end="19:00")
    daytime["geometry"] = shapely.LineString([(121.8595, 29.436), (121.9005, 29.437)])
    return make_region(ferries=[base, hourly, daytime])
