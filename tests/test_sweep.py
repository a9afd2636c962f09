"""Scenario sweeps: real scenario runs on the synthetic region, serially and on a real
``dask.distributed`` LocalCluster (2 worker processes), a resumed sweep, bad sweep files, the
command line against a running scheduler, and the summary page in offline Chromium."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from browser import offline_page, requires_chromium
from scenario_files import scenario_file

import netopt
from netopt import DataError
from netopt.cli import main
from netopt.scenario.sweeps import expand, read_sweep

SWEEP = """
name = "syn"
title = "Synthetic: one or two leads, calm and storm"
base = "base.toml"
[grid]
"model.p" = [1, 2]
[[variations]]
name = "calm"
[[variations]]
name = "storm"
"modifiers.close_ferries" = ["F1"]
"modifiers.closure_hours" = 24
"""


def _sweep_file(folder: Path, body: str = SWEEP) -> Path:
    scenario_file(folder, "base")
    path = folder / "syn.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    return folder, netopt.sweep(_sweep_file(folder), folder / "serial", serial=True)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["cell", "kpi"]).reset_index(drop=True)


def test_cells_are_the_variations_times_the_grid(serial):
    """Four cells in a fixed order, each a real run; every cell has every KPI; the storm
    lowers nobody's waiting (islanders wait for the boat) and the tables agree."""
    folder, result = serial
    assert [c.label for c in result.cells] == [
        "calm, model.p=1", "calm, model.p=2", "storm, model.p=1", "storm, model.p=2",
    ]  # fmt: skip
    assert not result.failed and len(result.reused) == 0
    table = result.table
    assert set(table["name"]) == {"syn-1", "syn-2", "syn-3", "syn-4"}
    wide = table.pivot_table(index="label", columns="kpi", values="value")
    assert wide.loc["calm, model.p=2", "population"] == wide.loc["storm, model.p=2", "population"]
    assert (
        wide.loc["storm, model.p=1", "mean_lead_min"] > wide.loc["calm, model.p=1", "mean_lead_min"]
    )
    on_disk = pd.read_parquet(folder / "serial" / "sweep.parquet")
    assert _sorted(on_disk).equals(_sorted(table))
    csv = pd.read_csv(folder / "serial" / "sweep.csv")
    assert len(csv) == len(table) and set(csv.columns) >= {"cell", "kpi", "value", "model.p"}
    cells = pd.read_csv(folder / "serial" / "cells.csv")
    assert list(cells["status"]) == ["done"] * 4


def test_a_local_cluster_gives_the_serial_table(serial, tmp_path):
    """The same sweep as tasks on a LocalCluster of 2 worker processes: identical KPIs cell by
    cell, and the cells ran in other processes than this one."""
    folder, reference = serial
    result = netopt.sweep(folder / "syn.toml", tmp_path / "cluster", workers=2)
    assert _sorted(result.table).equals(_sorted(reference.table))
    import os

    pids = {r["pid"] for r in result.records}
    assert os.getpid() not in pids and len(pids) >= 1


def test_an_interrupted_sweep_resumes(serial, tmp_path):
    """Finished cells are reused; a missing one (an interrupted run) is run again; the
    table is the same. A changed base scenario runs every cell again."""
    import shutil

    folder, reference = serial
    out = tmp_path / "resume"
    shutil.copytree(folder / "serial", out)
    (out / "cells" / f"{reference.cells[2].id}.json").unlink()
    again = netopt.sweep(folder / "syn.toml", out, serial=True)
    assert sorted(again.reused) == sorted(c.id for i, c in enumerate(reference.cells) if i != 2)
    assert _sorted(again.table).equals(_sorted(reference.table))
    # the same cells of a changed base scenario (another seed) are not reused
    other = tmp_path / "other"
    other.mkdir()
    sweep_path = _sweep_file(other)
    base = other / "base.toml"
    base.write_text(base.read_text().replace("time_limit_s = 10", "time_limit_s = 10\nseed = 3"))
    shutil.copytree(folder / "serial" / "cells", other / "out" / "cells")
    changed = netopt.sweep(sweep_path, other / "out", serial=True)
    assert changed.reused == []


def test_bad_sweep_files_name_file_table_and_key(tmp_path):
    """Every problem at once, before anything runs; a bad key in a cell names the cell."""
    path = _sweep_file(tmp_path, """
        name = "bad"
        base = "missing.toml"
        grids = 1
    """)  # fmt: skip
    with pytest.raises(DataError) as err:
        read_sweep(path)
    text = str(err.value)
    assert "grids" in text and "'grid'" in text and "missing.toml" in text
    path = _sweep_file(tmp_path, """
        name = "bad"
        base = "base.toml"
        [grid]
        "model.p" = []
        [[variations]]
        name = "a"
        [[variations]]
        name = "a"
    """)  # fmt: skip
    with pytest.raises(DataError) as err:
        read_sweep(path)
    assert "give at least one value" in str(err.value) and "its own name" in str(err.value)
    path = _sweep_file(tmp_path, """
        name = "bad"
        base = "base.toml"
        [grid]
        "model.pp" = [1]
    """)  # fmt: skip
    with pytest.raises(DataError) as err:
        netopt.sweep(path, tmp_path / "out", serial=True)
    assert "cell 1" in str(err.value) and "pp" in str(err.value)
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written
    assert len(expand(read_sweep(_sweep_file(tmp_path)))) == 4


def test_a_failing_cell_is_reported_and_the_others_kept(tmp_path):
    """A cell whose model cannot be solved (more leads than lead-capable hospitals) is an
    error row in cells.csv and on the page; the other cells are in the table."""
    path = _sweep_file(tmp_path, """
        name = "mixed"
        base = "base.toml"
        [grid]
        "model.p" = [1, 9]
    """)  # fmt: skip
    result = netopt.sweep(path, tmp_path / "out", serial=True)
    assert [r["status"] for r in result.records] == ["done", "error"]
    assert set(result.table["name"]) == {"mixed-1"}
    page = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "mixed-2" in page and result.failed[0]["error"].split(":")[0] in page


@requires_chromium
def test_cli_sweep_on_a_running_scheduler_and_its_page(serial, tmp_path):
    """``netopt sweep FILE --scheduler tcp://...`` on a cluster started apart, as a planner
    starts ``dask scheduler`` and ``dask worker``; it prints a table and writes the page,
    which opens offline without errors and shows a chart per varying KPI."""
    from distributed import LocalCluster

    folder, reference = serial
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        out = io.StringIO()
        code = main(["sweep", str(folder / "syn.toml"), "-o", str(tmp_path / "cli"),
                     "--scheduler", cluster.scheduler_address, "--json"], out=out)  # fmt: skip
    assert code == 0
    doc = json.loads(out.getvalue())
    assert doc["cells"] == 4 and doc["failed"] == 0
    table = pd.read_parquet(tmp_path / "cli" / "sweep.parquet")
    assert _sorted(table).equals(_sorted(reference.table))
    with offline_page(tmp_path / "cli" / "summary.html") as (page, report):
        charts = page.locator("figure svg").count()
        rows = page.locator("table tr").count()
    assert report.ok, report.problems()
    assert charts >= 2 and rows == 5


def test_the_shipped_sweep_file_is_valid():
    """The README's sweep: four cells on the bundled region, each a valid scenario."""
    from netopt.scenario.sweeps import cell_scenario

    root = Path(__file__).parents[1] / "geodata" / "xiangshan"
    spec = read_sweep(root / "sweeps" / "leads.toml")
    cells = expand(spec)
    scenarios = [cell_scenario(spec, c) for c in cells]
    assert [c.label for c in cells] == [
        "calm, model.p=2", "calm, model.p=3", "storm, model.p=2", "storm, model.p=3",
    ]  # fmt: skip
    assert [s.model.p for s in scenarios] == [2, 3, 2, 3]
    assert scenarios[2].modifiers.close_ferries == ("F1", "F2", "F3", "F4")
    assert all(s.region.resolve() == root.resolve() for s in scenarios)


def test_a_sweep_over_regions_runs_each_county(tmp_path, region_folder):
    """A grid over ``region`` (paths relative to the sweep file) runs the same scenario on
    each county: a provincial planner's many counties in one table."""
    other = region_folder(toml=[('name = "Synthetic Bay County"', 'name = "Second Bay County"')])
    scenario_file(tmp_path, "base")
    path = tmp_path / "regions.toml"
    rel = other.relative_to(tmp_path)  # relative to the sweep file's folder
    path.write_text(textwrap.dedent(f"""
        name = "regions"
        base = "base.toml"
        [grid]
        region = ["{Path(__file__).parent.as_posix()}/data/synthetic", "{Path(rel).as_posix()}"]
    """), encoding="utf-8")  # fmt: skip
    result = netopt.sweep(path, tmp_path / "out", serial=True)
    assert [r["status"] for r in result.records] == ["done", "done"]
    pop = result.table[result.table["kpi"] == "population"]["value"].tolist()
    assert len(pop) == 2 and pop[0] == pop[1] > 0  # the copy has the same residents
