"""Benchmark a scenario sweep: serially in one process (the alternative) against dask
``LocalCluster`` s of 1 and 2 worker processes, on the same cells.

For each way the script prints the wall seconds, the speed-up over one worker, the peak
memory of each worker process (its ``ru_maxrss``), and whether the KPI table equals the
serial one cell by cell. Each way writes its own empty output folder (and travel-time
cache), so each builds its own graphs and matrices.

Run: ``python bench/bench_sweep.py [--sweep geodata/xiangshan/sweeps/leads.toml] [--workers 1 2]``.
Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

import netopt
from netopt.scenario.sweeps import expand, read_sweep

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    """This process's peak resident memory in MB (Linux: ru_maxrss is in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["cell", "kpi"]).reset_index(drop=True)


def _on_cluster(sweep: Path, out: Path, n: int) -> tuple[float, pd.DataFrame, list[float]]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        client.wait_for_workers(n)
        t0 = time.perf_counter()
        result = netopt.sweep(sweep, out, scheduler=cluster.scheduler_address, force=True)
        seconds = time.perf_counter() - t0
        peaks = sorted(client.run(_peak_mb).values())
    return seconds, result.table, peaks


def main() -> None:
    """Run the benchmark and print a markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", default=str(ROOT / "geodata/xiangshan/sweeps/leads.toml"))
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    args = ap.parse_args()
    sweep = Path(args.sweep)
    n_cells = len(expand(read_sweep(sweep)))
    print(f"# bench_sweep: {sweep.name}, {n_cells} cells, {os.cpu_count()} cores, "
          f"{platform.machine()} ({platform.python_version()})")  # fmt: skip
    print("| run | workers | seconds | speed-up vs 1 worker | peak MB per worker | same table |")
    print("|---|---:|---:|---:|---|---|")
    work = Path(tempfile.mkdtemp(prefix="bench_sweep-"))
    try:
        t0 = time.perf_counter()
        serial = netopt.sweep(sweep, work / "serial", serial=True, force=True)
        seconds = time.perf_counter() - t0
        print(f"| serial (one process) | 0 | {seconds:.1f} | | {_peak_mb():,.0f} (this process) "
              f"| reference |", flush=True)  # fmt: skip
        one = None
        for n in args.workers:
            out = work / f"cluster{n}"
            seconds, table, peaks = _on_cluster(sweep, out, n)
            one = seconds if n == 1 else one
            speed = f"{one / seconds:.2f}x" if one else ""
            same = "yes" if _sorted(table).equals(_sorted(serial.table)) else "NO"
            peak = ", ".join(f"{p:,.0f}" for p in peaks)
            print(f"| LocalCluster | {n} | {seconds:.1f} | {speed} | {peak} | {same} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
