"""Benchmark travel-time matrices on road-like graphs: netopt vs scipy, igraph and networkx.

Run by hand (``tests/test_bench_smoke.py`` runs ``--quick --public-only``)::

    python bench/bench_matrix.py                 # public call (1M nodes) + core (100k, 1M)
    python bench/bench_matrix.py --public-only   # the public travel_times table only
    python bench/bench_matrix.py --quick         # 40k nodes (public) and 100k (core)

**The public call** (first table): :func:`netopt.travel_times` on a
:class:`~netopt.graph.TravelGraph` made from the grid below (networkx graph, 20,000 zone
and 250 facility points on random nodes; quick: 40k nodes, 4,000 x 200), zones x
facilities, beside plain ``scipy.sparse.csgraph.dijkstra`` on the same CSR (transposed,
from the facilities, zone columns taken from each block of 50 rows: the whole call at once
would hold a float64 row of every node per facility, 2 GB at 1M nodes), with and without a
60-minute cutoff
(``limit=``). netopt's first call includes the CSR export from networkx (kept with the
graph); the second call on the same graph reuses it. Ratios are against plain scipy
without a cutoff. Targets (issue #18): within 1.2x of plain scipy without a cutoff, at
least 5x faster than it with the 60-minute cutoff.

**The core** (second table):

The graph is a jittered grid "road network": ~150 m blocks, 15% of street segments removed,
every 10th street an arterial (60-80 km/h), the rest 30-50 km/h, 5% one-way. Each matrix is
sources x 1,000 destination nodes (zones x facilities in the planner's terms).

Rows:

* ``scipy dijkstra (plain)``: ``scipy.sparse.csgraph.dijkstra(csr, indices=sources)``, the
  fastest C reference here. For 1,000 sources on 1M nodes the plain call would need 8 GB of
  float64 rows, so it is timed on the first 100 sources and extrapolated (labelled).
* ``igraph distances``: ``Graph.distances(sources, targets, weights=...)``, timed on a few
  sources and extrapolated (labelled).
* ``networkx``: ``single_source_dijkstra_path_length`` timed on a few sources, extrapolated.
* ``netopt``: :func:`netopt.graph.dijkstra_matrix` (the core of ``travel_times``), float32
  result, chunked rows, with and without the planner's cutoff and 2 processes.

Peak memory is the growth of the process's peak resident set during the call (Linux
``VmHWM``, reset through ``/proc/self/clear_refs`` before each call); for process-pool runs
the largest worker's peak RSS is given in the note. Timings were taken on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from netopt.graph.matrix import _csr_min, csr, dijkstra_matrix, travel_times

CUTOFF_S = 3600.0  # the planner's travel-time cutoff: nobody plans with trips over an hour
N_TARGETS = 1000


@dataclass
class Row:
    nodes: int
    sources: int
    method: str
    seconds: float
    peak_mb: float
    note: str = ""


def road_grid(n_nodes: int, seed: int = 0) -> tuple[csr_array, np.ndarray, np.ndarray, np.ndarray]:
    """Return a road-like directed grid as CSR plus its edge arrays (u, v, seconds)."""
    rng = np.random.default_rng(seed)
    side = round(np.sqrt(n_nodes))
    n = side * side
    idx = np.arange(n).reshape(side, side)
    hu, hv = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    vu, vv = idx[:-1, :].ravel(), idx[1:, :].ravel()
    arterial_h = np.repeat(np.arange(side) % 10 == 0, side - 1)
    arterial_v = np.tile(np.arange(side) % 10 == 0, side - 1)
    u = np.r_[hu, vu]
    v = np.r_[hv, vv]
    arterial = np.r_[arterial_h, arterial_v]
    keep = arterial | (rng.random(len(u)) > 0.15)
    u, v, arterial = u[keep], v[keep], arterial[keep]
    speed = np.where(arterial, rng.choice([60.0, 80.0], len(u)), rng.choice([30.0, 50.0], len(u)))
    length = 150.0 * rng.uniform(0.8, 1.3, len(u))
    sec = length / (speed / 3.6)
    two_way = rng.random(len(u)) > 0.05
    U = np.r_[u, v[two_way]]
    V = np.r_[v, u[two_way]]
    W = np.r_[sec, sec[two_way]]
    return _csr_min(U, V, W, n), U, V, W


def _reset_peak() -> int:
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return _status_kb("VmRSS")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure(fn):
    """Run fn(); return (result, seconds, peak extra MB of this process + largest child)."""
    base = _reset_peak()
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    peak = (_status_kb("VmHWM") - base) / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out, dt, peak, child


def _time_igraph(ig, csr: csr_array, sources: np.ndarray, targets: np.ndarray):
    """Return igraph's seconds per source and peak extra MB (graph built outside the timing)."""
    g = ig.Graph(
        n=csr.shape[0],
        edges=np.column_stack([csr.nonzero()[0], csr.indices]).tolist(),
        directed=True,
    )
    weights = csr.data.tolist()
    _, dt, peak, _ = measure(
        partial(g.distances, sources.tolist(), targets.tolist(), weights=weights, mode="out")
    )
    return dt / len(sources), peak


def bench_size(n_nodes: int, source_counts: list[int], rows: list[Row], *, with_nx: bool) -> None:
    import igraph as ig
    import networkx as nx

    t0 = time.perf_counter()
    csr, U, V, W = road_grid(n_nodes)
    n = csr.shape[0]
    print(
        f"\n# graph: {n:,} nodes, {csr.nnz:,} directed edges (built in "
        f"{time.perf_counter() - t0:.1f} s)",
        flush=True,
    )
    rng = np.random.default_rng(1)
    all_sources = rng.choice(n, max(source_counts), replace=False)
    targets = rng.choice(n, N_TARGETS, replace=False)

    k_ig = 10
    ig_per_source, ig_peak = _time_igraph(ig, csr, all_sources[:k_ig], targets)

    nx_per_source = None
    if with_nx:
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(U.tolist(), V.tolist(), W.tolist()), weight="t")
        k_nx = 3
        t = time.perf_counter()
        for s in all_sources[:k_nx].tolist():
            nx.single_source_dijkstra_path_length(G, s, weight="t")
        nx_per_source = (time.perf_counter() - t) / k_nx
        del G
        gc.collect()

    for S in source_counts:
        src = all_sources[:S]
        plain_k = S if S * n * 8 <= 1.0e9 else 100  # the plain call's float64 rows
        out, dt, peak, _ = measure(partial(dijkstra, csr, directed=True, indices=src[:plain_k]))
        ref_rows = out[:, targets]
        del out
        per = dt / plain_k
        note = "" if plain_k == S else f"extrapolated from {plain_k} sources"
        rows.append(
            Row(
                n,
                S,
                "scipy dijkstra (plain)",
                per * S,
                peak * S / plain_k,
                note + ("; " if note else "") + "float64 rows for all nodes",
            )
        )
        rows.append(
            Row(
                n,
                S,
                "igraph distances",
                ig_per_source * S,
                ig_peak,
                f"extrapolated from {k_ig} sources",
            )
        )
        if nx_per_source is not None:
            rows.append(
                Row(
                    n,
                    S,
                    "networkx single_source_dijkstra",
                    nx_per_source * S,
                    float("nan"),
                    "extrapolated from 3 sources",
                )
            )
        variants = [
            ("netopt, 1 process", None, 1),
            ("netopt, 2 processes", None, 2),
            (f"netopt, cutoff {CUTOFF_S / 60:.0f} min, 1 process", CUTOFF_S, 1),
            (f"netopt, cutoff {CUTOFF_S / 60:.0f} min, 2 processes", CUTOFF_S, 2),
        ]
        if n > 500_000 and S > 100:
            variants = [variants[1], variants[3]]  # keep the full run under ~10 minutes
        for label, limit, jobs in variants:
            res, dt, peak, child = measure(
                partial(
                    dijkstra_matrix, csr, src, targets, limit=limit, n_jobs=jobs, dtype=np.float32
                )
            )
            check = res[:plain_k]
            if limit is None:
                same = np.array_equal(check, ref_rows.astype(np.float32))
            else:
                ok = ref_rows <= limit
                same = (
                    np.array_equal(check[ok], ref_rows[ok].astype(np.float32))
                    and np.isinf(check[~ok]).all()
                )
            reached = np.isfinite(res).mean()
            note = (
                f"{'matches scipy' if same else 'MISMATCH vs scipy'}; "
                f"{reached:.0%} of pairs within reach"
            )
            if jobs > 1:
                note += f"; largest worker RSS {child:.0f} MB"
            rows.append(Row(n, S, label, dt, peak, note))
            print(f"  {label:<36} {S:>5} sources {dt:8.2f} s", flush=True)
    print(f"  (scipy {scipy.__version__}, igraph {ig.__version__}, networkx {nx.__version__})")


def _travel_graph(U: np.ndarray, V: np.ndarray, W: np.ndarray, n: int, zones: int, facs: int):
    """A TravelGraph on the grid: networkx edges, zone and facility points on random nodes."""
    from types import SimpleNamespace

    import networkx as nx
    import pandas as pd

    from netopt.graph import GraphOptions, TravelGraph

    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(
        (a, b, {"travel_time_s": w}) for a, b, w in zip(U.tolist(), V.tolist(), W.tolist())
    )
    at = np.random.default_rng(2).choice(n, zones + facs, replace=False)
    ids = [f"Z{i}" for i in range(zones)] + [f"F{i}" for i in range(facs)]
    kinds = ["zone"] * zones + ["facility"] * facs
    points = pd.DataFrame(
        {"kind": kinds, "id": ids, "node": at.tolist()},
        index=[f"{k}:{i}" for k, i in zip(kinds, ids)],
    )
    region = SimpleNamespace(name="grid")
    return TravelGraph(G=G, region=region, points=points, options=GraphOptions())


def bench_public(n_nodes: int, zones: int, facs: int, rows: list[Row]) -> None:
    """Time the public travel_times call against plain scipy on the same CSR."""
    t0 = time.perf_counter()
    _, U, V, W = road_grid(n_nodes)
    n = round(np.sqrt(n_nodes)) ** 2
    graph = _travel_graph(U, V, W, n, zones, facs)
    del U, V, W
    print(
        f"\n# public call: {n:,} nodes, {graph.G.number_of_edges():,} edges, {zones:,} zones x "
        f"{facs:,} facilities (graph built in {time.perf_counter() - t0:.1f} s)",
        flush=True,
    )
    label = f"{zones:,} x {facs:,}"
    first, dt, peak, _ = measure(partial(travel_times, graph, "zones", "facilities"))
    export = csr(graph)
    pts = graph.points
    zone_rows = export.rows_of(pts.loc[graph.point_keys("zone"), "node"])
    fac_rows = export.rows_of(pts.loc[graph.point_keys("facility"), "node"])

    def plain(limit: float) -> np.ndarray:
        out = np.empty((len(zone_rows), len(fac_rows)))
        for i in range(0, len(fac_rows), 50):
            d = dijkstra(export.transposed, indices=fac_rows[i : i + 50], limit=limit)
            out[:, i : i + len(d)] = d[:, zone_rows].T
        return out

    ref, t_plain, p_plain, _ = measure(partial(plain, np.inf))
    rows.append(Row(n, facs, f"plain scipy dijkstra, {label}", t_plain, p_plain, "the baseline"))
    same = np.array_equal(first.seconds, ref)
    rows.append(
        Row(
            n,
            facs,
            f"netopt travel_times, {label}, first call",
            dt,
            peak,
            f"{dt / t_plain:.2f}x plain; includes the CSR export; "
            f"{'same matrix' if same else 'MISMATCH'}",
        )
    )
    del first
    again, dt, peak, _ = measure(partial(travel_times, graph, "zones", "facilities"))
    rows.append(
        Row(
            n,
            facs,
            f"netopt travel_times, {label}, CSR kept",
            dt,
            peak,
            f"{dt / t_plain:.2f}x plain",
        )
    )
    del again
    cut_ref, t_cut, p_cut, _ = measure(partial(plain, CUTOFF_S))
    rows.append(
        Row(
            n,
            facs,
            f"plain scipy dijkstra, {label}, limit {CUTOFF_S / 60:.0f} min",
            t_cut,
            p_cut,
            f"{t_plain / t_cut:.1f}x faster than plain without limit",
        )
    )
    cut, dt, peak, _ = measure(
        partial(travel_times, graph, "zones", "facilities", max_time_s=CUTOFF_S)
    )
    ok = np.array_equal(cut.seconds, cut_ref)
    rows.append(
        Row(
            n,
            facs,
            f"netopt travel_times, {label}, max_time_s {CUTOFF_S / 60:.0f} min",
            dt,
            peak,
            f"{t_plain / dt:.1f}x faster than plain without limit; {cut.n_unreachable:,} pairs "
            f"beyond (counted); {'same matrix' if ok else 'MISMATCH'}",
        )
    )


def print_public(rows: list[Row]) -> None:
    print("\n| nodes | facilities | method | time (s) | peak extra MB | note |")
    print("|---:|---:|---|---:|---:|---|")
    for r in rows:
        print(
            f"| {r.nodes:,} | {r.sources:,} | {r.method} | {r.seconds:,.1f} | "
            f"{r.peak_mb:,.0f} | {r.note} |"
        )


def print_table(rows: list[Row]) -> None:
    print("\n| nodes | sources | method | time (s) | s / source | peak extra MB | note |")
    print("|---:|---:|---|---:|---:|---:|---|")
    for r in rows:
        peak = "n/a" if np.isnan(r.peak_mb) else f"{r.peak_mb:,.0f}"
        print(
            f"| {r.nodes:,} | {r.sources:,} | {r.method} | {r.seconds:,.1f} | "
            f"{r.seconds / r.sources:.4f} | {peak} | {r.note} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small graphs (smoke test)")
    parser.add_argument("--public-only", action="store_true", help="the public call only")
    args = parser.parse_args()
    public: list[Row] = []
    if args.quick:
        bench_public(40_000, 4_000, 200, public)
    else:
        bench_public(1_000_000, 20_000, 250, public)
    print_public(public)
    if args.public_only:
        return
    rows: list[Row] = []
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    for size in sizes:
        bench_size(size, [100, 1000], rows, with_nx=True)
    print_table(rows)


if __name__ == "__main__":
    main()
