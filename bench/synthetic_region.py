"""Write a synthetic county of any size as a region folder (region.toml + CSV/GeoJSON files).

Used by ``bench/bench_pipeline.py``. The county is a square mainland (its side grows with the
square root of the number of zones, about 28 residents' zones per km²) and one island a
ferry crossing away. Both are covered by a jittered street grid (150 m blocks, 12 % of the
street segments missing, every 10th street an arterial at 60-80 km/h, the rest 30-50 km/h)
written as GeoJSON lines through the crossings, so the graph builder's nodes are the
crossings. Zones are points (a CSV with ``lon``/``lat``), facilities too: ``n_leads``
lead-capable hospitals (a quarter tertiary, the rest county), a fifth of the facilities
township health centres, the rest village clinics.

Example::

    python bench/synthetic_region.py /tmp/county --zones 20000 --facilities 1000
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

METRIC_CRS = "EPSG:32651"  # UTM 51N, around 121 E
ORIGIN_M = (300_000.0, 3_250_000.0)  # south-west corner of the mainland (about 29.4 N 120.9 E)
BLOCK_M = 150.0
ZONES_PER_KM2 = 28.0
ISLAND_SHARE = 0.05  # of the zones and facilities


def _street_grid(
    rng: np.random.Generator, x0: float, y0: float, side_m: float
) -> tuple[list[np.ndarray], list[float]]:
    """Return street polylines (arrays of metric xy) and their speeds (km/h)."""
    n = max(2, int(side_m // BLOCK_M) + 1)
    gx = x0 + np.arange(n) * BLOCK_M + rng.uniform(-20, 20, (n, n))
    gy = y0 + np.arange(n)[:, None] * BLOCK_M + rng.uniform(-20, 20, (n, n))
    lines: list[np.ndarray] = []
    speeds: list[float] = []
    for axis in (0, 1):
        for k in range(n):
            xs, ys = (gx[k], gy[k]) if axis == 0 else (gx[:, k], gy[:, k])
            arterial = k % 10 == 0
            keep = np.ones(n - 1, bool) if arterial else rng.random(n - 1) > 0.12
            # runs of consecutive kept segments become one line each
            edges = np.flatnonzero(np.diff(np.r_[0, keep.astype(int), 0]))
            for a, b in zip(edges[0::2], edges[1::2]):
                lines.append(np.column_stack([xs[a : b + 1], ys[a : b + 1]]))
                speeds.append(float(rng.choice([60.0, 80.0] if arterial else [30.0, 50.0])))
    return lines, speeds


def _points(rng: np.random.Generator, boxes: list[tuple[float, float, float]], counts: list[int]):
    return np.vstack(
        [
            np.column_stack([x + rng.uniform(0, s, c), y + rng.uniform(0, s, c)])
            for (x, y, s), c in zip(boxes, counts)
        ]
    )


def write_region(
    folder: str | Path,
    n_zones: int,
    n_facilities: int,
    *,
    n_leads: int | None = None,
    seed: int = 0,
) -> Path:
    """Write the synthetic county into ``folder`` and return the folder.

    Parameters
    ----------
    folder : path-like
        Created if needed; its files are overwritten.
    n_zones, n_facilities : int
        Numbers of zone points and facilities.
    n_leads : int, optional
        Lead-capable hospitals (default: a tenth of the facilities, at least 60).
    seed : int
        Random seed: the same seed writes the same files.

    Returns
    -------
    pathlib.Path
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    side = 1000.0 * math.sqrt(n_zones / ZONES_PER_KM2)
    x0, y0 = ORIGIN_M
    isle = (x0 + side + 4000.0, y0 + side / 3, max(side / 6, 1000.0))
    boxes = [(x0, y0, side), isle]
    to_wgs = pyproj.Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

    lines, speeds = [], []
    for bx, by, bs in boxes:
        part, sp = _street_grid(rng, bx, by, bs)
        lines += part
        speeds += sp
    roads = gpd.GeoDataFrame(
        {"highway": ["primary" if s >= 60 else "residential" for s in speeds], "maxspeed": speeds},
        geometry=[shapely.LineString(c) for c in lines],
        crs=METRIC_CRS,
    ).to_crs("EPSG:4326")
    roads.to_file(folder / "roads.geojson", driver="GeoJSON")
    land = gpd.GeoDataFrame(
        {"name": ["Mainland", "Island"]},
        geometry=[shapely.box(x - 300, y - 300, x + s + 300, y + s + 300) for x, y, s in boxes],
        crs=METRIC_CRS,
    ).to_crs("EPSG:4326")
    land.to_file(folder / "boundaries.geojson", driver="GeoJSON")

    n_isle_z = max(1, round(ISLAND_SHARE * n_zones))
    zxy = _points(rng, boxes, [n_zones - n_isle_z, n_isle_z])
    lon, lat = to_wgs.transform(zxy[:, 0], zxy[:, 1])
    on_isle = np.arange(n_zones) >= n_zones - n_isle_z
    pd.DataFrame(
        {
            "id": [f"Z{i}" for i in range(n_zones)],
            "population": np.round(rng.lognormal(4.0, 0.8, n_zones)).clip(1),
            "island": on_isle,
            "island_name": np.where(on_isle, "Island", ""),
            "lon": np.round(lon, 7),
            "lat": np.round(lat, 7),
        }
    ).to_csv(folder / "zones.csv", index=False)

    n_leads = max(60, n_facilities // 10) if n_leads is None else n_leads
    n_isle_f = max(1, round(ISLAND_SHARE * n_facilities))
    fxy = _points(rng, boxes, [n_facilities - n_isle_f, n_isle_f])
    # leads on the mainland (the first rows), island facilities last
    tier = np.full(n_facilities, "village", dtype=object)
    tier[:n_leads] = np.where(np.arange(n_leads) < n_leads // 4, "tertiary", "county")
    tier[n_leads : n_leads + n_facilities // 5] = "township"
    tier[-n_isle_f:] = "township"
    beds = np.where(np.isin(tier, ["tertiary", "county"]), rng.uniform(300, 900, n_facilities), 0)
    lon, lat = to_wgs.transform(fxy[:, 0], fxy[:, 1])
    pd.DataFrame(
        {
            "id": [f"F{i}" for i in range(n_facilities)],
            "name": [f"{t.title()} facility {i}" for i, t in enumerate(tier)],
            "tier": tier,
            "beds": np.where(beds > 0, np.round(beds), np.nan),
            "can_lead": np.isin(tier, ["tertiary", "county"]),
            "lon": np.round(lon, 7),
            "lat": np.round(lat, 7),
        }
    ).to_csv(folder / "facilities.csv", index=False)

    pier_a = (x0 + side, isle[1] + isle[2] / 2)
    pier_b = (isle[0], isle[1] + isle[2] / 2)
    (alon, blon), (alat, blat) = to_wgs.transform([pier_a[0], pier_b[0]], [pier_a[1], pier_b[1]])
    pd.DataFrame(
        {
            "id": ["FR1"],
            "name": ["Island ferry"],
            "from_port": ["Mainland pier"],
            "to_port": ["Island pier"],
            "from_lon": [alon],
            "from_lat": [alat],
            "to_lon": [blon],
            "to_lat": [blat],
            "crossing_min": [25.0],
            "headway_min": [60.0],
            "service_start": ["06:30"],
            "service_end": ["18:30"],
            "kind": ["both"],
        }
    ).to_csv(folder / "ferries.csv", index=False)
    (folder / "region.toml").write_text(
        f'name = "Synthetic county ({n_zones:,} zones)"\n'
        f'crs = "EPSG:4326"\nmetric_crs = "{METRIC_CRS}"\n'
        f'sources = ["synthetic (bench/synthetic_region.py, seed {seed})"]\n\n'
        '[facilities]\nfile = "facilities.csv"\n\n[zones]\nfile = "zones.csv"\n\n'
        '[ferries]\nfile = "ferries.csv"\n\n[boundaries]\nfile = "boundaries.geojson"\n\n'
        '[roads]\nfile = "roads.geojson"\n\n[roads.columns]\nmaxspeed_kmh = "maxspeed"\n',
        encoding="utf-8",
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--zones", type=int, default=2000)
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_region(args.folder, args.zones, args.facilities, seed=args.seed)


if __name__ == "__main__":
    main()
