"""Smoke tests of the benchmarks' quick modes: they run and print their tables (never timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_pipeline_benchmark_quick_mode_runs_every_stage():
    """bench_pipeline --quick times load, graph, matrix, plan and map beside plain scipy."""
    out = _run("bench_pipeline.py", "--quick")
    for stage in ("| load |", "| graph |", "| matrix |", "| plan (p=50) |", "| map |"):
        assert stage in out
    assert "plain scipy (matrix) | alternative" in out and "same matrix as netopt" in out
    assert "failed" not in out


def test_matrix_benchmark_quick_mode_compares_the_public_call():
    """bench_matrix --quick --public-only prints travel_times beside plain scipy, matching."""
    out = _run("bench_matrix.py", "--quick", "--public-only")
    assert "netopt travel_times" in out and "plain scipy dijkstra" in out
    assert "MISMATCH" not in out


def test_sweep_benchmark_runs_serially_and_on_a_cluster(tmp_path):
    """bench_sweep on a two-cell sweep of the synthetic region: serial, then a 1-worker
    LocalCluster, with the same table."""
    from scenario_files import scenario_file

    scenario_file(tmp_path, "base")
    sweep = tmp_path / "s.toml"
    sweep.write_text('name = "s"\nbase = "base.toml"\n[grid]\n"model.p" = [1, 2]\n')
    out = _run("bench_sweep.py", "--sweep", str(sweep), "--workers", "1")
    assert "| serial (one process) | 0 |" in out and "| LocalCluster | 1 |" in out
    assert "| yes |" in out and "NO" not in out
