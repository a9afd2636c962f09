"""Small stand-ins for a DiagnosisPlan (with its CourierPlan), a region and a kpis.json
record with costs, built from the columns of the issue #14 spec (no netopt.costs or
netopt.diagnosis code needed)."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import shapely

#: Facility id -> (name, Chinese name, lon, lat).
FACILITIES = {
    "H1": ("Hospital <One>", "第一医院", 121.80, 29.45),
    "C1": ("County Two", "县二院", 121.70, 29.40),
    "T1": ("Town A", "甲镇卫生院", 121.85, 29.50),
    "T2": ("Town B", None, 121.90, 29.35),
    "I1": ("Island C", "丙岛卫生院", 122.05, 29.30),
}


def region() -> SimpleNamespace:
    """A region with five facilities (names in English and, for four, Chinese)."""
    ids = list(FACILITIES)
    fac = gpd.GeoDataFrame(
        {
            "name": [FACILITIES[i][0] for i in ids],
            "name_zh": [FACILITIES[i][1] for i in ids],
        },
        geometry=[shapely.Point(FACILITIES[i][2], FACILITIES[i][3]) for i in ids],
        index=pd.Index(ids, name="id"),
        crs=4326,
    )
    return SimpleNamespace(facilities=fac)


def centres() -> pd.DataFrame:
    """Laboratory and imaging at H1 (kept), ECG at C1 (chosen)."""
    return pd.DataFrame(
        {
            "service": ["laboratory", "imaging", "ecg"],
            "facility_id": ["H1", "H1", "C1"],
            "name": ["Hospital <One>", "Hospital <One>", "County Two"],
            "kept": [True, True, False],
            "tests_per_year": [12000.0, 3400.0, 5600.0],
            "capacity_per_year": [float("inf"), 10000.0, 8000.0],
            "utilisation": [0.0, 0.34, 0.7],
            "fixed_cost_yuan": [800000.0, 500000.0, 120000.0],
            "test_cost_yuan": [360000.0, 170000.0, 56000.0],
            "senders": [3, 3, 3],
            "sender_ids": ["T1;T2;I1", "T1;T2;I1", "T1;T2;I1"],
        }
    )


def courier() -> SimpleNamespace:
    """One route XS-H1-1 from H1: T1 (in time) then T2 (late: 260 of 240 min, by ferry);
    I1 not served."""
    stops = pd.DataFrame(
        {
            "centre_id": ["H1", "H1"],
            "route": ["XS-H1-1", "XS-H1-1"],
            "seq": [1, 2],
            "facility_id": ["T1", "T2"],
            "name": ["Town A", "Town B"],
            "arrive": ["08:25", "09:40"],
            "depart": ["08:35", "09:50"],
            "samples": [40.0, 25.0],
            "load": [40.0, 65.0],
            "minutes_to_centre": [150.0, 260.0],
            "window_min": [240.0, 240.0],
            "meets_window": [True, False],
            "ferries": ["", "F1"],
            "leg_km": [12.0, 20.5],
        }
    )
    routes = pd.DataFrame(
        {
            "centre_id": ["H1"],
            "route": ["XS-H1-1"],
            "stops": [2],
            "samples": [65.0],
            "start": ["08:00"],
            "end": ["12:20"],
            "km": [58.3],
            "hours": [4.3],
            "ferry_crossings": [2],
            "max_sample_age_min": [260.0],
            "meets_window": [False],
        }
    )
    unserved = pd.DataFrame(
        {
            "facility_id": ["I1"],
            "name": ["Island C"],
            "centre_id": ["H1"],
            "direct_min": [300.0],
            "window_min": [240.0],
            "excess_min": [60.0],
            "reason": ["no ferry back within the window"],
        }
    )
    xy = {k: (v[2], v[3]) for k, v in FACILITIES.items()}
    lines = gpd.GeoDataFrame(
        {"route": ["XS-H1-1"] * 3, "mode": ["road", "ferry", "road"]},
        geometry=[
            shapely.LineString([xy["H1"], xy["T1"]]),
            shapely.LineString([xy["T1"], xy["T2"]]),
            shapely.LineString([xy["T2"], xy["H1"]]),
        ],
        crs=4326,
    )
    return SimpleNamespace(stops=stops, routes=routes, unserved=unserved, lines=lines)


def diagnosis(with_courier: bool = True) -> SimpleNamespace:
    """A DiagnosisPlan stand-in: centres, assignments, courier (or None)."""
    assignments = pd.DataFrame(
        {
            "service": ["imaging"],
            "sender_id": ["I1"],
            "sender_name": ["Island C"],
            "centre_id": ["H1"],
            "tests_per_year": [300.0],
            "samples_per_day": [1.2],
            "travel_min": [0.0],
            "turnaround_min": [30.0],
            "within_window": [True],
            "excess_min": [0.0],
        }
    )
    return SimpleNamespace(
        centres=centres(), assignments=assignments, courier=courier() if with_courier else None
    )


ITEMS = {
    "care_grassroots": 300_000_000.0,
    "care_county": 900_000_000.0,
    "care_outside": 400_000_000.0,
    "transfers": 22_302_000.0,
    "expert_outreach": 3_100_000.0,
    "diagnosis_fixed": 1_420_000.0,
    "diagnosis_tests": 586_000.0,
    "courier": 410_000.0,
    "upgrades": 2_000_000.0,
    "patient_travel": 85_000_000.0,
    "patient_time": 120_000_000.0,
}
PATIENTS = ("patient_travel", "patient_time")


def cost_record(budget: float | None) -> dict:
    """A kpis.json ``costs`` record (items adding up to the total); ``budget`` None: none."""
    total = sum(ITEMS.values())
    charged = sum(v for k, v in ITEMS.items() if k not in PATIENTS)
    half = {k: v / 2 for k, v in ITEMS.items()}
    return {
        "total_yuan": total,
        "charged_yuan": charged,
        "budget_yuan": budget,
        "balance_yuan": None if budget is None else budget - charged,
        "per_resident_yuan": total / 700_000,
        "items": dict(ITEMS),
        "paid_by": {k: "patients" if k in PATIENTS else "budget" for k in ITEMS},
        "by_alliance": {
            "H1": {**half, "total": total / 2},
            "(region)": {**half, "total": total / 2},
        },
        "estimated": ["diagnosis_fixed", "courier"],
        "basis": {"transfers": "7,434 transfers x 3,000 yuan"},
        "messages": ["unit prices <ILLUSTRATIVE>"],
    }
