"""Benchmark the pipeline end to end on synthetic counties of 2k, 20k and 100k zones.

Run by hand (never in the test suite; ``tests/test_bench_smoke.py`` runs ``--quick``)::

    python bench/bench_pipeline.py            # 2k, 20k, 100k zones (100k x 2,000 facilities)
    python bench/bench_pipeline.py --quick    # 1,000 zones only, a smoke test (~30 s)
    python bench/bench_pipeline.py --sizes 20000:1000

Each size runs in a fresh process (``bench/synthetic_region.py`` writes the county to a
temporary folder first, outside the timing), under an address-space limit
(``--mem-limit-gb``, default 12) so that a stage that would take the shared machine's memory
fails with ``MemoryError`` instead; the failure is a row of the table. Stages, timed one
after the other in that process:

``load``
    :func:`netopt.io.load_region` (with validation) of the folder.
``graph``
    :func:`netopt.build_graph` (roads, land surface, ferry, points).
``matrix``
    :func:`netopt.alliances.zone_facility_seconds` (the public :func:`netopt.travel_times`
    call underneath, first call: the CSR export is part of it).
``plan``
    :func:`netopt.plan_alliances` with ``p=50``, ``times=`` the matrix (soft capacities,
    default 60 s solver limit, default 60-min travel window).
``map``
    :func:`netopt.maps.alliance_map` and :func:`netopt.maps.save_map` to a temporary file.

Alternatives measured in the same process, on the same data:

``plain scipy (matrix)``
    ``scipy.sparse.csgraph.dijkstra`` on the same CSR (transposed, from the facilities),
    the zone columns taken from each block of 100 facility rows (the whole call at once
    would hold 2,000 full rows: 4 GB at 100k zones).
``plan core``
    The location model alone (members, model, solve) without tables and KPIs, so the cost
    of the rest of ``plan`` (flows, tables) can be read off.
``buffer union + within (old area test)``
    The area test before the KD-tree: the union of 2 km buffers around every zone, then
    ``within`` (only at 2k zones by default: it took 206 s and 6.9 GB at 20k).
``Dijkstra rerun for zoneless members (old)``
    What ``plan_alliances`` did before for members without residents of their own: a
    ``travel_times`` run from them to the candidates, instead of reading ``times``.

Peak memory: the stage's peak resident set (Linux ``VmHWM``, reset through
``/proc/self/clear_refs`` before each stage; memory freed by Python but kept by the
allocator still counts, so a stage after a large one starts high); the end-to-end row gives
the largest of them. ``n_jobs=2`` is timed too, as the matrix stage could run on the two
cores (the pipeline's own call uses one). ``area test (KD-tree)`` is today's
:func:`~netopt.alliances.area.facilities_in_area`, a part of ``plan``; the old test is a
reconstruction (zones are points here, so its buffers are plain discs).
Targets (issue #18, 2 cores): 100k zones x 2,000 facilities end to end under 3 minutes and
under 4 GB. Timings were taken on a shared 2-core machine: other jobs ran beside them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SIZES = [(2_000, 200), (20_000, 1_000), (100_000, 2_000)]
P = 50


def _status_kb(field: str) -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> None:
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _timed(rows: list[dict[str, Any]], stage: str, fn, *, kind: str = "stage", note: str = ""):
    """Run fn(); append a row (seconds, peak RSS MB); return its result (None on failure)."""
    _reset_peak()
    t = time.perf_counter()
    try:
        out = fn()
        error = ""
    except MemoryError as exc:
        out, error = None, f"failed: MemoryError ({str(exc)[:90]})"
    dt = time.perf_counter() - t
    peak = _status_kb("VmHWM") / 1024
    rows.append(
        {
            "stage": stage,
            "kind": kind,
            "seconds": dt,
            "peak_mb": peak,
            "note": error or note,
            "failed": bool(error),
        }
    )
    print(f"  {stage:<44} {dt:8.1f} s  {peak:7.0f} MB  {error or note}", file=sys.stderr)
    return out


def run_size(n_zones: int, n_facilities: int, *, old_area: bool) -> list[dict[str, Any]]:
    """Time every stage on one county in this process; return the rows."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    import netopt
    from netopt.alliances import AllianceOptions, plan_alliances, zone_facility_seconds
    from netopt.alliances.locate import location_model, solve_location
    from netopt.alliances.members import member_model, plan_data
    from netopt.graph import travel_times
    from netopt.graph.matrix import csr
    from netopt.maps import alliance_map, save_map
    from netopt.solve.params import SolverParams

    sys.path.insert(0, str(BENCH))
    from synthetic_region import write_region

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_region(Path(tmp) / "county", n_zones, n_facilities)
        region = _timed(rows, "load", lambda: netopt.load_region(folder))
        graph = _timed(rows, "graph", lambda: netopt.build_graph(region))
        rows[-1]["note"] = (
            f"{graph.G.number_of_nodes():,} nodes, {graph.G.number_of_edges():,} edges"
        )
        times = _timed(rows, "matrix", lambda: zone_facility_seconds(region, graph))

        export = csr(graph)
        zone_rows = export.rows_of(graph.points.loc[graph.point_keys("zone"), "node"])
        fac_rows = export.rows_of(graph.points.loc[graph.point_keys("facility"), "node"])

        def plain() -> np.ndarray:
            out = np.empty((len(zone_rows), len(fac_rows)))
            for i in range(0, len(fac_rows), 100):
                d = dijkstra(export.transposed, directed=True, indices=fac_rows[i : i + 100])
                out[:, i : i + len(d)] = d[:, zone_rows].T
            return out

        ref = _timed(rows, "plain scipy (matrix)", plain, kind="alternative")
        same = ref is not None and np.array_equal(ref, times)
        rows[-1]["note"] = "same matrix as netopt" if same else "MISMATCH vs netopt"
        del ref
        two = _timed(
            rows,
            "travel_times, 2 processes (n_jobs=2)",
            lambda: travel_times(graph, "zones", "facilities", n_jobs=2).seconds,
            kind="alternative",
        )
        rows[-1]["note"] = "same matrix" if np.array_equal(two, times) else "MISMATCH"
        del two

        options = AllianceOptions(p=P)
        params = SolverParams()

        def core() -> Any:
            data = plan_data(region, times, options)
            members = member_model(data, graph, options.rates, options.primary_tiers)
            model = location_model(data, members, options, [])
            return solve_location(model, params, [])

        res = _timed(rows, f"plan core (members + solve, p={P})", core, kind="alternative")
        if res is not None:
            rows[-1]["note"] = f"{res.status}, {len(res.selected)} leads"
        plan = _timed(
            rows,
            f"plan (p={P})",
            lambda: plan_alliances(region, graph, options=options, params=params, times=times),
        )
        if plan is not None:
            rows[-1]["note"] = (
                f"{len(plan.leads)} leads, {plan.solve.status}, {len(plan.messages)} messages"
            )

            def draw() -> int:
                html = Path(tmp) / "map.html"
                _, size = save_map(alliance_map(plan), html)
                return size

            size = _timed(rows, "map", draw)
            if size is not None:
                rows[-1]["note"] = f"{size / 2**20:.1f} MB of HTML"

        from netopt.alliances.area import facilities_in_area

        n_in = _timed(
            rows,
            "area test (KD-tree, facilities_in_area)",
            lambda: int(facilities_in_area(region).sum()),
            kind="part",
        )
        rows[-1]["note"] = f"{n_in:,} facilities inside"
        if old_area:
            n_old = _timed(
                rows,
                "buffer union + within (old area test)",
                lambda: _old_area_test(region),
                kind="alternative",
            )
            rows[-1]["note"] = f"{n_old:,} facilities inside" + (
                "" if n_old == n_in else " (differs: polygons are tested exactly now)"
            )
        data = plan_data(region, times, options)
        members = member_model(data, None, options.rates, options.primary_tiers)
        keys = [f"facility:{data.fac_ids[m]}" for m in members.index[members.zoneless]]
        cands = [f"facility:{data.fac_ids[j]}" for j in data.cand_idx]
        _timed(
            rows,
            "Dijkstra rerun for zoneless members (old)",
            lambda: travel_times(graph, keys, cands),
            kind="alternative",
            note=f"{len(keys)} members x {len(cands)} candidates (CSR already cached)",
        )
    stages = [r for r in rows if r["kind"] == "stage"]
    failed = [r["stage"] for r in stages if r["failed"]]
    rows.append(
        {
            "stage": "end to end (load+graph+matrix+plan+map)",
            "kind": "total",
            "seconds": sum(r["seconds"] for r in stages),
            "peak_mb": max(r["peak_mb"] for r in stages),
            "note": f"INCOMPLETE: {', '.join(failed)} failed" if failed else "largest stage peak",
            "failed": bool(failed),
        }
    )
    return rows


def _old_area_test(region: Any) -> int:
    """The area test before #18: a union of 2 km buffers around every zone, then within."""
    zones = region.zones.geometry.to_crs(region.metric_crs)
    area = zones.buffer(2000.0).union_all()
    inside = region.facilities.geometry.to_crs(region.metric_crs).within(area)
    return int(inside.sum())


def _child(args: argparse.Namespace) -> None:
    limit = int(args.mem_limit_gb * 2**30)
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    rows = run_size(args.zones, args.facilities, old_area=args.old_area)
    print(json.dumps(rows))


def print_table(results: list[tuple[int, int, list[dict[str, Any]]]]) -> None:
    print("\n| zones | facilities | stage | kind | time (s) | peak RSS (MB) | note |")
    print("|---:|---:|---|---|---:|---:|---|")
    for zones, facs, rows in results:
        for r in rows:
            print(
                f"| {zones:,} | {facs:,} | {r['stage']} | {r['kind']} | {r['seconds']:,.1f} | "
                f"{r['peak_mb']:,.0f} | {r['note']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 zones only (smoke test)")
    parser.add_argument("--sizes", help="zones:facilities,... e.g. 20000:1000,100000:2000")
    parser.add_argument("--mem-limit-gb", type=float, default=12.0)
    parser.add_argument("--old-area-max", type=int, default=2_000, help="old area test up to")
    parser.add_argument("--zones", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--facilities", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--old-area", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    if args.quick:
        sizes = [(1_000, 100)]
    elif args.sizes:
        sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
    else:
        sizes = SIZES
    results = []
    for zones, facs in sizes:
        print(f"# {zones:,} zones x {facs:,} facilities", file=sys.stderr, flush=True)
        cmd = [
            sys.executable,
            __file__,
            "--child",
            f"--zones={zones}",
            f"--facilities={facs}",
            f"--mem-limit-gb={args.mem_limit_gb}",
        ]
        if zones <= args.old_area_max:
            cmd.append("--old-area")
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, check=False)
        if done.returncode != 0:
            rows = [
                {
                    "stage": "(process)",
                    "kind": "total",
                    "seconds": float("nan"),
                    "peak_mb": float("nan"),
                    "note": f"failed with exit code {done.returncode}",
                    "failed": True,
                }
            ]
        else:
            rows = json.loads(done.stdout.strip().splitlines()[-1])
        results.append((zones, facs, rows))
    print_table(results)
    if args.quick and any(r["failed"] for _, _, rows in results for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
