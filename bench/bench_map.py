"""Benchmark: map size and load time for a large generated region, ours against naive Folium.

Generates an island county with 100,000 resident zones and 2,000 facilities (40 alliances),
assigns zones and members to the nearest lead in straight-line time (the map is being
measured, not the solver), then writes two maps and opens each in headless Chromium with the
network switched off:

``netopt.maps``
    :func:`netopt.maps.alliance_map`: catchments and travel-time bands dissolved from the
    zones' Voronoi cells, simplified, 5 decimals; facilities and flows as one canvas GeoJSON
    layer each; every script and style embedded.
``naive folium`` (the alternative)
    What one writes first with Folium: one GeoJSON feature per zone cell coloured by alliance,
    one ``folium.Marker`` with a ``folium.Popup`` per facility, one ``PolyLine`` per referral
    flow, default CDN assets. Offline it cannot load at all; to time it anyway, its CDN
    requests are answered from the local xstatic copies (and empty files for Bootstrap and
    awesome-markers), so its time is a lower bound.

Load time = from navigation start until the page's ``load`` event has fired and two
animation frames have been painted. Targets for ``netopt.maps``: under 3 s and under 15 MB.

Run: ``.venv/bin/python bench/bench_map.py [--zones 100000] [--facilities 2000] [--no-naive]``.
Timings depend on the machine (they were taken on a shared 2-core machine).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, open_html

from netopt import maps
from netopt.region import Region

CRS = "EPSG:4326"
SPEED_KMH = 35.0
TARGET_S, TARGET_MB = 3.0, 15.0


# --------------------------------------------------------------------------- region


def _blob(rng: np.random.Generator, x: float, y: float, r: float, n: int = 48) -> Any:
    """An irregular island polygon around (x, y), radius about r degrees."""
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    wobble = 1 + 0.25 * np.sin(3 * a + rng.uniform(0, 6)) + 0.1 * rng.standard_normal(n)
    k = math.cos(math.radians(y))
    return shapely.Polygon(np.c_[x + r * wobble * np.cos(a) / k, y + r * wobble * np.sin(a)])


def _points_on(land: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = land.bounds
    shapely.prepare(land)
    out: list[np.ndarray] = []
    have = 0
    while have < n:
        xy = rng.uniform([minx, miny], [maxx, maxy], size=(2 * n, 2))
        xy = xy[shapely.contains_xy(land, xy[:, 0], xy[:, 1])]
        out.append(xy)
        have += len(xy)
    return np.vstack(out)[:n]


def make_region(n_zones: int = 100_000, n_facilities: int = 2_000, *, seed: int = 0) -> Region:
    """Generate an island county: a mainland, 12 islands with ferries, townships.

    Parameters
    ----------
    n_zones, n_facilities : int
        Numbers of resident zones (points) and facilities.
    seed : int, keyword-only
        Random seed.

    Returns
    -------
    netopt.region.Region
    """
    rng = np.random.default_rng(seed)
    x0, y0 = 121.9, 29.2
    mainland = _blob(rng, x0 - 0.25, y0, 0.35, n=160)
    islands = [
        _blob(
            rng, x0 + 0.25 + 0.12 * (i % 4), y0 - 0.3 + 0.2 * (i // 4), 0.03 + 0.02 * rng.random()
        )
        for i in range(12)
    ]
    land = shapely.union_all([mainland, *islands])
    seeds = _points_on(mainland, 20, rng)
    towns = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=shapely.box(*land.bounds))
    )
    towns = [t for t in shapely.intersection(towns, mainland) if not t.is_empty]
    boundaries = gpd.GeoDataFrame(
        {
            "name": [f"Township {i + 1}" for i in range(len(towns))]
            + [f"Island {i + 1}" for i in range(len(islands))]
        },
        geometry=[*towns, *islands],
        crs=CRS,
        index=pd.Index([f"B{i}" for i in range(len(towns) + len(islands))], name="id"),
    )
    zxy = _points_on(land, n_zones, rng)
    on_island = ~shapely.contains_xy(mainland, zxy[:, 0], zxy[:, 1])
    zones = gpd.GeoDataFrame(
        {
            "population": np.round(rng.lognormal(4.0, 0.8, n_zones)),
            "island": on_island,
            "island_name": np.where(on_island, "island", None),
            "township": None,
            "primary_facility": None,
        },
        geometry=shapely.points(zxy),
        crs=CRS,
        index=pd.Index([f"Z{i}" for i in range(n_zones)], name="id"),
    )
    fxy = _points_on(land, n_facilities, rng)
    n_lead = max(2, n_facilities // 50)
    tier = np.array(["village"] * n_facilities, dtype=object)
    tier[:n_lead] = np.where(np.arange(n_lead) < n_lead // 4, "tertiary", "county")
    tier[n_lead : n_lead + n_facilities // 5] = "township"
    facilities = gpd.GeoDataFrame(
        {
            "name": [f"{t.title()} facility {i}" for i, t in enumerate(tier)],
            "tier": tier,
            "beds": np.where(
                np.isin(tier, ["tertiary", "county"]),
                400.0,
                np.where(tier == "township", 40.0, np.nan),
            ),
            "outpatient_per_day": np.nan,
            "specialties": [()] * n_facilities,
            "can_lead": np.isin(tier, ["tertiary", "county"]),
            "alliance": None,
            "township": None,
        },
        geometry=shapely.points(fxy),
        crs=CRS,
        index=pd.Index([f"F{i}" for i in range(n_facilities)], name="id"),
    )
    centres = shapely.get_coordinates(shapely.centroid(np.array(islands)))
    coast = shapely.get_coordinates(
        shapely.shortest_line(mainland.boundary, shapely.points(centres))
    )[0::2]
    ferries = gpd.GeoDataFrame(
        {
            "name": [f"Ferry {i + 1}" for i in range(len(islands))],
            "from_port": [f"Pier M{i + 1}" for i in range(len(islands))],
            "to_port": [f"Pier I{i + 1}" for i in range(len(islands))],
            "crossing_min": 20.0 + 5 * np.arange(len(islands)) % 30,
            "headway_min": 60.0,
            "departures_ab": [()] * len(islands),
            "departures_ba": [()] * len(islands),
            "service_start": "06:30",
            "service_end": "18:30",
            "kind": "both",
            "source": "generated",
            "estimated": True,
        },
        geometry=shapely.linestrings(np.stack([coast, centres], axis=1)),
        crs=CRS,
        index=pd.Index([f"FR{i}" for i in range(len(islands))], name="id"),
    )
    links = gpd.GeoDataFrame(
        {"name": [], "kind": [], "travel_min": [], "length_m": [], "source": [], "estimated": []},
        geometry=[],
        crs=CRS,
    )
    experts = pd.DataFrame(
        {"name": [], "home_facility": [], "specialty": [], "weekdays": [], "max_days_per_month": []}
    )
    return Region(
        name=f"Generated county ({n_zones:,} zones)",
        facilities=facilities,
        zones=zones,
        ferries=ferries,
        links=links,
        experts=experts,
        boundaries=boundaries,
        metric_crs="EPSG:32651",
    )


# --------------------------------------------------------------------------- plan


def straight_line_plan(region: Region, *, name: str = "generated plan") -> Any:
    """An AlliancePlan-shaped result: nearest lead by straight-line time, no solver.

    Returns an object with the attributes of :class:`netopt.alliances.AlliancePlan` that the
    maps read (``name``, ``region``, ``leads``, ``facilities``, ``zones``, ``alliances``,
    ``kpis``).
    """
    fac, z = region.facilities, region.zones
    k = math.cos(math.radians(float(z.geometry.y.mean())))
    to_km = np.array([111.32 * k, 110.57])
    fxy = shapely.get_coordinates(fac.geometry.to_numpy()) * to_km
    zxy = shapely.get_coordinates(z.geometry.to_numpy()) * to_km
    is_lead = fac["can_lead"].to_numpy()
    lead_ids = fac.index[is_lead]
    prim_mask = fac["tier"].isin(["township", "village"]).to_numpy()
    lead_tree, prim_tree = cKDTree(fxy[is_lead]), cKDTree(fxy[prim_mask])
    minutes = 60.0 / SPEED_KMH
    d_prim, i_prim = prim_tree.query(zxy)
    primary = fac.index[prim_mask][i_prim]
    _d, i_lead_of_fac = lead_tree.query(fxy)
    lead_of_fac = pd.Series(lead_ids[i_lead_of_fac], index=fac.index)
    lead_of_fac[is_lead] = lead_ids
    zone_lead = lead_of_fac.reindex(primary).to_numpy()
    lead_pos = pd.Series(np.arange(len(fac)), index=fac.index)
    d_lead = np.hypot(*(zxy - fxy[lead_pos.reindex(zone_lead).to_numpy()]).T)
    d_near, _ = lead_tree.query(zxy)
    island_extra = np.where(z["island"].to_numpy(), 45.0, 0.0)
    pop = z["population"].to_numpy()
    zones = pd.DataFrame(
        {
            "zone": z.index,
            "population": pop,
            "island": z["island"].to_numpy(),
            "primary": primary,
            "lead": zone_lead,
            "t_primary_min": d_prim * minutes,
            "t_lead_min": d_lead * minutes + island_extra,
            "t_nearest_lead_min": d_near * minutes + island_extra,
        },
        index=z.index,
    )
    by_primary = zones.groupby("primary").agg(
        population=("population", "sum"),
        wt=(
            "t_primary_min",
            lambda s: float(np.average(s, weights=zones.loc[s.index, "population"])),
        ),
    )
    facilities = pd.DataFrame(
        {
            "name": fac["name"],
            "tier": fac["tier"],
            "lead": lead_of_fac,
            "is_lead": is_lead,
            "population": by_primary["population"].reindex(fac.index).fillna(0.0),
            "mean_travel_min": by_primary["wt"].reindex(fac.index),
        },
        index=fac.index,
    )
    facilities["referrals_per_year"] = 0.12 * facilities["population"]
    grouped = zones.groupby("lead")["population"].sum()
    load = facilities.groupby("lead")["referrals_per_year"].sum()
    alliances = pd.DataFrame(
        {
            "name": fac["name"].reindex(lead_ids).to_numpy(),
            "members": [tuple(facilities.index[facilities["lead"] == j]) for j in lead_ids],
            "population": grouped.reindex(lead_ids).fillna(0).to_numpy(),
            "referral_load": load.reindex(lead_ids).fillna(0).to_numpy(),
            "referral_capacity": 400.0 * 365 / 6,
        },
        index=pd.Index(lead_ids, name="id"),
    )
    alliances["utilisation"] = alliances["referral_load"] / alliances["referral_capacity"]
    t = zones["t_lead_min"]
    kpis = {
        "population": float(pop.sum()),
        "mean_lead_min": float(np.average(t, weights=pop)),
        "share_lead_60min": float(pop[t <= 60].sum() / pop.sum()),
        "share_any_lead_60min": float(pop[zones["t_nearest_lead_min"] <= 60].sum() / pop.sum()),
        "patient_hours_per_year": float((pop * 0.12 * 2 * t / 60).sum()),
    }
    return SimpleNamespace(
        name=name,
        region=region,
        leads=tuple(lead_ids),
        facilities=facilities,
        zones=zones,
        alliances=alliances,
        kpis=kpis,
    )


# --------------------------------------------------------------------------- naive


def naive_map(plan: Any) -> folium.Map:
    """The alternative: one feature or marker per object, default CDN assets."""
    region = plan.region
    b = region.zones.total_bounds
    m = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=10, tiles=None)
    cells, owner = maps.zone_cells(region.zones.geometry, bounds=tuple(b))
    leads = list(plan.leads)
    colour = {j: maps.PALETTE[i % len(maps.PALETTE)] for i, j in enumerate(leads)}
    gdf = gpd.GeoDataFrame(
        {
            "lead": plan.zones["lead"].to_numpy()[owner],
            "population": plan.zones["population"].to_numpy()[owner],
        },
        geometry=cells,
        crs=CRS,
    )
    folium.GeoJson(
        gdf,
        name="zones",
        style_function=lambda f: {
            "fillColor": colour.get(f["properties"]["lead"], "#999"),
            "weight": 0.3,
            "fillOpacity": 0.4,
        },
    ).add_to(m)
    fac = plan.facilities.join(region.facilities[["beds"]])
    xy = shapely.get_coordinates(region.facilities.geometry.to_numpy())
    for (fid, r), (x, y) in zip(fac.iterrows(), xy):
        folium.Marker(
            [y, x],
            popup=folium.Popup(
                f"{r['name']}<br>tier {r['tier']}<br>beds {r['beds']}"
                f"<br>population {r['population']:.0f}"
            ),
            tooltip=r["name"],
        ).add_to(m)
        if not r["is_lead"]:
            lx, ly = xy[region.facilities.index.get_loc(r["lead"])]
            folium.PolyLine([[y, x], [ly, lx]], weight=1 + r["referrals_per_year"] / 200).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def _cdn_from_local():
    """Route handler that answers CDN requests from the xstatic copies (empty when none)."""
    from netopt._offline import _data_dir

    local = {
        "leaflet.js": _data_dir("leaflet") / "leaflet.js",
        "leaflet.css": _data_dir("leaflet") / "leaflet.css",
        "jquery-3.7.1.min.js": _data_dir("jquery") / "jquery.min.js",
        "all.min.css": _data_dir("font_awesome") / "css/all.min.css",
    }

    def handle(route):
        url = route.request.url
        if url.startswith("file:"):
            return route.continue_()
        name = url.rsplit("/", 1)[-1]
        path = local.get(name)
        body = path.read_bytes() if path is not None else b""
        ctype = "text/css" if url.endswith(".css") else "application/javascript"
        return route.fulfill(status=200, body=body, content_type=ctype)

    return handle


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zones", type=int, default=100_000)
    ap.add_argument("--facilities", type=int, default=2_000)
    ap.add_argument("--no-naive", action="store_true", help="skip the naive Folium map")
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep the HTML files in")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"bench_map: {CHROMIUM} not found; install Debian's chromium", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    region = make_region(args.zones, args.facilities)
    plan = straight_line_plan(region)
    t_gen = time.perf_counter() - t0
    print(
        f"generated {args.zones:,} zones, {args.facilities:,} facilities, "
        f"{len(plan.leads)} alliances in {t_gen:.1f} s"
    )

    with tempfile.TemporaryDirectory(prefix="bench_map.") as tmp:
        rows = _measure(plan, Path(args.keep) if args.keep else Path(tmp), naive=not args.no_naive)
    _print_table(rows)
    ours = rows[0]
    ok = ours[3].load_s < TARGET_S and ours[2] / 1e6 < TARGET_MB
    print(
        f"\ntarget for netopt.maps: load < {TARGET_S:g} s and HTML < {TARGET_MB:g} MB: "
        f"{'met' if ok else 'NOT met'} (timings depend on the machine and its load)"
    )
    return 0 if ok else 1


def _measure(plan: Any, out: Path, *, naive: bool) -> list[tuple[str, float, int, Any]]:
    """Build, save and open our map (and the naive one); return table rows."""
    rows = []
    t0 = time.perf_counter()
    m = maps.alliance_map(plan)
    path, size = maps.save_map(m, out / "netopt_map.html")
    t_build = time.perf_counter() - t0
    rep = open_html(path, timeout_s=120)
    rows.append(("netopt.maps", t_build, size, rep))
    if naive:
        t0 = time.perf_counter()
        nm = naive_map(plan)
        npath = out / "naive_folium.html"
        nm.save(str(npath))
        t_build = time.perf_counter() - t0
        nrep = open_html(npath, timeout_s=300, route=_cdn_from_local())
        rows.append(("naive folium (alternative)", t_build, npath.stat().st_size, nrep))
    return rows


def _print_table(rows: list[tuple[str, float, int, Any]]) -> None:
    print()
    print(
        f"{'map':<28} {'build s':>8} {'HTML MB':>8} {'load s':>8} {'markers':>8} "
        f"{'JS errors':>9} {'failed req':>10}"
    )
    for label, tb, sz, r in rows:
        print(
            f"{label:<28} {tb:8.1f} {sz / 1e6:8.2f} {r.load_s:8.2f} "
            f"{r.counts.get('.leaflet-marker-icon', 0):8d} {len(r.console_errors):9d} "
            f"{len(r.failed_requests):10d}"
        )
    for label, _tb, _sz, r in rows:
        for err in r.console_errors[:3]:
            print(f"  {label}: {err[:160]}")


if __name__ == "__main__":
    raise SystemExit(main())
