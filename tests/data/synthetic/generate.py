"""Regenerate the synthetic test region (run from the repository root).

    .venv/bin/python tests/data/synthetic/generate.py

Writes the CSV / GeoJSON files next to this script. Facility coordinates are written in
GCJ-02 (converted from the WGS-84 positions below with netopt's exact forward transform),
so loading exercises the GCJ-02 -> WGS-84 conversion; every other file is WGS-84.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from netopt._gcj02 import wgs84_to_gcj02

HERE = Path(__file__).parent

MAINLAND = [
    (121.60, 29.05),
    (121.93, 29.05),
    (121.93, 29.18),
    (121.916, 29.22),
    (121.93, 29.30),
    (121.93, 29.40),
    (121.60, 29.40),
    (121.60, 29.05),
]
BEIYU = [
    (121.97, 29.17),
    (122.05, 29.17),
    (122.058, 29.22),
    (122.05, 29.27),
    (121.97, 29.27),
    (121.966, 29.22),
    (121.97, 29.17),
]
XIAOYU = [(122.075, 29.20), (122.11, 29.20), (122.11, 29.235), (122.075, 29.235), (122.075, 29.20)]

# id, name, label, beds, opd/day, specialties, can_lead, township, lon, lat (WGS-84)
FACILITIES = [
    (
        "T1",
        "Ningbo First Hospital",
        "三级甲等",
        1200,
        8000,
        "cardiology;oncology;neurology;pediatrics;obstetrics",
        "yes",
        "Haishu",
        121.62,
        29.38,
    ),
    (
        "C1",
        "County People's Hospital",
        "二级甲等",
        520,
        2600,
        "cardiology;pediatrics;obstetrics;orthopedics",
        "yes",
        "Dancheng",
        121.85,
        29.22,
    ),
    (
        "C2",
        "Beiyu Island Hospital",
        "二级乙等",
        120,
        450,
        "general;obstetrics",
        "no",
        "Beiyu",
        122.01,
        29.22,
    ),
    (
        "H1",
        "Shipu Township Health Centre",
        "乡镇卫生院",
        60,
        300,
        "general",
        "",
        "Shipu",
        121.80,
        29.12,
    ),
    (
        "H2",
        "Xizhou Township Health Centre",
        "乡镇卫生院",
        45,
        220,
        "general",
        "",
        "Xizhou",
        121.72,
        29.30,
    ),
    ("H3", "Beiyu North Health Centre", "township", 20, 90, "general", "", "Beiyu", 122.03, 29.25),
    ("H4", "Xiaoyu Health Centre", "乡镇卫生院", 8, 40, "general", "", "Xiaoyu", 122.09, 29.22),
    ("V1", "Dongchen Village Clinic", "村卫生室", "", 30, "", "", "Dancheng", 121.88, 29.32),
    ("V2", "Nanwan Village Clinic", "村卫生室", "", 20, "", "", "Beiyu", 121.99, 29.19),
    ("V3", "Gaotang Village Clinic", "村卫生室", "", 25, "", "", "Shipu", 121.68, 29.15),
]

# id, population, township, island name or None, geometry (point or box)
ZONES = [
    ("Z01", 85000, "Dancheng", None, (121.82, 29.19, 121.88, 29.25)),
    ("Z02", 32000, "Shipu", None, (121.77, 29.09, 121.83, 29.15)),
    ("Z03", 18500, "Xizhou", None, (121.73, 29.31)),
    ("Z04", 21300, "Xizhou", None, (121.66, 29.27)),
    ("Z05", 9800, "Shipu", None, (121.69, 29.13)),
    ("Z06", 12400, "Dancheng", None, (121.89, 29.33)),
    ("Z07", 7600, "Haishu", None, (121.64, 29.36)),
    ("Z08", 14200, "Beiyu", "Beiyu Island", (122.01, 29.23)),
    ("Z09", 6300, "Beiyu", "Beiyu Island", (122.035, 29.255)),
    ("Z10", 3900, "Beiyu", "Beiyu Island", (121.995, 29.185)),
    ("Z11", 2100, "Xiaoyu", "Xiaoyu Island", (122.09, 29.215)),
    ("Z12", 1450, "Xiaoyu", "Xiaoyu Island", (122.10, 29.228)),
]

ROADS = [  # highway, maxspeed tag, oneway, name, coordinates
    (
        "primary",
        "60",
        "no",
        "Coastal Highway",
        [(121.62, 29.38), (121.72, 29.30), (121.85, 29.22), (121.915, 29.22)],
    ),
    ("secondary", "50", "no", "Shipu Road", [(121.85, 29.22), (121.80, 29.12), (121.68, 29.15)]),
    ("tertiary", "40", "no", "Dongchen Road", [(121.85, 29.22), (121.88, 29.32)]),
    ("residential", "30", "yes", "Harbour Lane", [(121.90, 29.215), (121.915, 29.22)]),
    (
        "secondary",
        "40",
        "no",
        "Beiyu Ring Road",
        [(121.967, 29.22), (122.01, 29.22), (122.03, 29.25)],
    ),
    (
        "tertiary",
        "25 mph",
        "no",
        "Beiyu South Road",
        [(122.01, 29.22), (121.99, 29.19), (122.052, 29.215)],
    ),
    (
        "unclassified",
        "CN:rural",
        "no",
        "Xiaoyu Road",
        [(122.077, 29.215), (122.09, 29.22), (122.10, 29.228)],
    ),
]


def _box(x0: float, y0: float, x1: float, y1: float) -> list:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _feature(props: dict, geom: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def _write_geojson(name: str, features: list[dict]) -> None:
    text = json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1
    )
    (HERE / name).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    rows = []
    for fid, name, label, beds, opd, spec, lead, town, lon, lat in FACILITIES:
        glon, glat = wgs84_to_gcj02(lon, lat)
        rows.append(
            {
                "facility_id": fid,
                "name_en": name,
                "grade": label,
                "beds": beds,
                "opd_per_day": opd,
                "specialties": spec,
                "can_lead": lead,
                "township": town,
                "gcj_lon": round(float(glon), 8),
                "gcj_lat": round(float(glat), 8),
            }
        )
    pd.DataFrame(rows).to_csv(HERE / "facilities.csv", index=False)

    feats = []
    for zid, pop, town, island, g in ZONES:
        geom = (
            {"type": "Polygon", "coordinates": _box(*g)}
            if len(g) == 4
            else {"type": "Point", "coordinates": list(g)}
        )
        feats.append(
            _feature(
                {
                    "zone_id": zid,
                    "pop": pop,
                    "township": town,
                    "island": island is not None,
                    "island_name": island,
                },
                geom,
            )
        )
    _write_geojson("zones.geojson", feats)

    _write_geojson(
        "boundaries.geojson",
        [
            _feature({"name": n}, {"type": "Polygon", "coordinates": [[list(p) for p in ring]]})
            for n, ring in (
                ("Mainland", MAINLAND),
                ("Beiyu Island", BEIYU),
                ("Xiaoyu Island", XIAOYU),
            )
        ],
    )
    _write_geojson(
        "roads.geojson",
        [
            _feature(
                {"highway": h, "maxspeed": m, "oneway": o, "name": n},
                {"type": "LineString", "coordinates": [list(p) for p in c]},
            )
            for h, m, o, n, c in ROADS
        ],
    )
    pd.DataFrame(
        [
            {
                "id": "F1",
                "name": "Shipu-Beiyu ferry",
                "from_port": "Shipu pier",
                "to_port": "Beiyu pier",
                "from_lon": 121.917,
                "from_lat": 29.22,
                "to_lon": 121.966,
                "to_lat": 29.22,
                "crossing_min": 25,
                "headway_min": "",
                "departures_ab": "06:30;08:00;10:00;12:30;15:00;17:30",
                "departures_ba": "07:15;09:00;11:00;13:30;16:00;18:00",
                "service_start": "06:30",
                "service_end": "18:30",
                "kind": "both",
                "source": "synthetic timetable",
            }
        ]
    ).to_csv(HERE / "ferries.csv", index=False)
    pd.DataFrame(
        [
            {
                "id": "L1",
                "name": "Beiyu-Xiaoyu bridge",
                "kind": "bridge",
                "from_lon": 122.052,
                "from_lat": 29.215,
                "to_lon": 122.077,
                "to_lat": 29.215,
                "travel_min": "",
                "source": "synthetic",
            }
        ]
    ).to_csv(HERE / "links.csv", index=False)
    pd.DataFrame(
        [
            ("E1", "Dr Chen (cardiology)", "T1", "cardiology", "Tue;Thu", 4),
            ("E2", "Dr Li (pediatrics)", "T1", "pediatrics", "Mon;Wed;Fri", 6),
            ("E3", "Dr Wang (obstetrics)", "C1", "obstetrics", "0;2", 4),
            ("E4", "Dr Zhao (orthopedics)", "C1", "orthopedics", "Sat", 2),
        ],
        columns=["expert_id", "name", "home", "specialty", "days", "max_days"],
    ).to_csv(HERE / "experts.csv", index=False)


if __name__ == "__main__":
    main()
