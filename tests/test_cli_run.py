"""Tests of the ``netopt run`` and ``netopt compare`` commands (real runs, synthetic region)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from scenario_files import SYNTHETIC, scenario_file

from netopt import InfeasibleError, SolverError
from netopt.cli import main


def cli(*args: str) -> tuple[int, str, str]:
    """Run the command line in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_run_writes_outputs_and_prints_kpis(tmp_path: Path) -> None:
    """`netopt run` exits 0, writes the scenario folder and prints KPIs against the baseline."""
    path = scenario_file(tmp_path, "one")
    code, out, err = cli("run", str(path), "-o", str(tmp_path / "out"))
    assert code == 0, err
    folder = tmp_path / "out" / "one"
    for name in ("plan.gpkg", "assignments.csv", "kpis.json", "map.html", "report.html"):
        assert (folder / name).is_file(), name
    assert "Mean travel time to the alliance lead" in out
    assert "naive baseline" in out and "Not covered within the travel limit" in out
    assert "Alliance plan: optimal" in out and "Expert rotations" not in out


def test_run_json_and_overrides(tmp_path: Path) -> None:
    """--json prints one parseable record; --seed and --time-limit reach the scenario."""
    path = scenario_file(tmp_path, "one")
    code, out, err = cli(
        "run", str(path), "-o", str(tmp_path / "out"), "--json", "--seed", "7", "--time-limit", "5"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["scenario"] == "one" and record["solver"]["status"] == "optimal"
    assert set(record["population_counts"]) == {
        "population_served",
        "population_unserved_capacity",
        "population_not_covered",
    }
    assert record["baseline"]["mean_lead_min"] <= record["kpis"]["mean_lead_min"] + 1e-9
    written = (Path(record["folder"]) / "scenario.toml").read_text(encoding="utf-8")
    assert "seed = 7" in written and "time_limit_s = 5.0" in written


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    """-q after the subcommand silences the tables (the outputs are still written)."""
    path = scenario_file(tmp_path, "one")
    code, out, _ = cli("run", str(path), "-o", str(tmp_path / "out"), "-q")
    assert code == 0 and out == ""
    assert (tmp_path / "out" / "one" / "report.html").is_file()


def test_bad_scenario_key_exits_1_naming_the_key(tmp_path: Path) -> None:
    """A misspelt key gives exit code 1 and a message naming the file and the key."""
    path = scenario_file(tmp_path, "bad", "[modifiers]\nclose_ferry = ['F1']\n")
    code, _, err = cli("run", str(path), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "bad.toml" in err and "close_ferry" in err and "did you mean 'close_ferries'" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "bad").exists()


def test_missing_scenario_file_exits_1(tmp_path: Path) -> None:
    """A scenario path that does not exist is bad input (exit 1), not a traceback."""
    code, _, err = cli("run", str(tmp_path / "nope.toml"))
    assert code == 1 and "nope.toml" in err


def test_compare_lists_problems_of_every_file(tmp_path: Path) -> None:
    """`netopt compare` reads every file before failing and reports all their problems."""
    a = scenario_file(tmp_path, "a", "[rotations]\nenable = true\n")
    b = scenario_file(tmp_path, "b", "[modifiers]\nnigth = true\n")
    code, _, err = cli("compare", str(a), str(b), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "did you mean 'enabled'" in err and "did you mean 'night'" in err
    assert "2 problems" in err


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (InfeasibleError("no alliance plan exists: total demand exceeds capacity"), 2),
        (SolverError("no plan found within 1 s"), 3),
    ],
)
def test_solver_failures_have_documented_exit_codes(
    tmp_path: Path, monkeypatch, error, expected
) -> None:
    """Infeasible models exit 2 and a time limit without a solution exits 3 (forced failure)."""
    import netopt.scenario.runner

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(netopt.scenario.runner, "plan_alliances", fail)
    code, _, err = cli("run", str(scenario_file(tmp_path, "one")), "-o", str(tmp_path / "out"))
    assert code == expected
    assert str(error) in err and "Traceback" not in err


def test_compare_side_by_side_and_reuse(tmp_path: Path) -> None:
    """`netopt compare` prints both scenarios side by side, writes the comparison and reuses."""
    a = scenario_file(tmp_path, "a")
    b = scenario_file(tmp_path, "b", "[modifiers]\nclose_ferries = ['F1']\n")
    out_dir = tmp_path / "out"
    code, out, err = cli("compare", str(a), str(b), "-o", str(out_dir))
    assert code == 0, err
    assert "Scenario comparison" in out and "Cut off until a closed crossing reopens" in out
    for name in (
        "comparison.csv",
        "comparison.html",
        "compare_map.html",
        "a/report.html",
        "b/report.html",
    ):
        assert (out_dir / name).is_file(), name
    code, out, err = cli("compare", str(a), str(b), "-o", str(out_dir), "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["reused"] == ["a", "b"]
    cut = [s["kpis"]["population_cut_off"] for s in record["scenarios"]]
    assert cut[0] == 0 and cut[1] > 0  # closing the ferry cuts the island off


def test_entry_point_runs_as_a_program(tmp_path: Path) -> None:
    """The installed `netopt` program runs a scenario and exits 0 (real subprocess)."""
    exe = shutil.which("netopt", path=str(Path(sys.executable).parent))
    assert exe is not None
    path = scenario_file(tmp_path, "one")
    proc = subprocess.run(
        [exe, "-q", "run", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "one" / "kpis.json").is_file()


def test_compare_prints_change_and_verdict_next_to_each_value(tmp_path: Path) -> None:
    """`netopt compare` shows each non-reference value with its change and verdict."""
    a = scenario_file(tmp_path, "a")
    b = scenario_file(tmp_path, "b", "[modifiers]\nclose_ferries = ['F1']\n")
    code, out, err = cli("compare", str(a), str(b), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "changes against a" in out
    line = next(x for x in out.splitlines() if "Cut off until a closed crossing reopens" in x)
    assert "(+27,950, worse)" in line
    assert (tmp_path / "out" / "comparison_kpis.json").is_file()


def today_file(folder: Path) -> Path:
    """A scenario evaluating today's alliances on a copy of the synthetic region in which
    every facility belongs to the County People's Hospital's (C1) alliance."""
    region = folder / "region"
    shutil.copytree(SYNTHETIC, region, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = region / "facilities.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).assign(alliance="C1").to_csv(
        path, index=False
    )
    today = folder / "today.toml"
    today.write_text(
        f'region = "{region.as_posix()}"\n[graph]\nh3_resolution = 8\n'
        "[model]\nevaluate_only = true\n[solver]\ntime_limit_s = 10\n",
        encoding="utf-8",
    )
    return today


def test_evaluation_reads_evaluated_and_the_map_shows_the_chosen_scenarios(tmp_path: Path) -> None:
    """An evaluation of today's alliances prints "evaluated", never "optimal", in `run` and
    `compare`; --map-scenarios picks the scenarios compare_map.html shows, in that order."""
    today = today_file(tmp_path)
    code, out, err = cli("run", str(today), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "Alliance plan: evaluated" in out and "optimal" not in out
    a = scenario_file(tmp_path, "a")
    b = scenario_file(tmp_path, "b", "[modifiers]\nclose_ferries = ['F1']\n")
    out_dir = tmp_path / "out"
    args = ["compare", str(today), str(a), str(b), "-o", str(out_dir)]
    code, out, err = cli(*args, "--map-scenarios", "b,today")
    assert code == 0, err
    row = next(x for x in out.splitlines() if "Alliance plan: status" in x)
    assert [c.strip() for c in row.split("│") if c.strip()][1:] == [
        *["evaluated", "optimal", "optimal"]
    ]
    saved = json.loads((out_dir / "comparison.json").read_text(encoding="utf-8"))
    assert saved["compare_map"]["scenarios"] == ["b", "today"]
    assert (out_dir / "compare_map.html").is_file()
    csv = pd.read_csv(out_dir / "comparison.csv", index_col="kpi", keep_default_na=False)
    assert csv.loc["stage_location", ["today", "a", "b"]].tolist() == [
        *["evaluated", "optimal", "optimal"]
    ]
    # the same map again: nothing is run; another choice redraws it from fresh runs
    code, out, err = cli(*args, "--map-scenarios", "b,today", "--json")
    assert code == 0, err
    assert json.loads(out)["reused"] == ["today", "a", "b"]
    code, out, err = cli(*args, "--map-scenarios", "a,b,today", "--json")
    assert code == 0, err
    assert json.loads(out)["reused"] == []
    saved = json.loads((out_dir / "comparison.json").read_text(encoding="utf-8"))
    assert saved["compare_map"]["scenarios"] == ["a", "b", "today"]


def test_unknown_map_scenario_exits_1_before_running(tmp_path: Path) -> None:
    """--map-scenarios naming no scenario compared, or only one, exits 1 naming the valid
    names, before anything runs."""
    a = scenario_file(tmp_path, "a")
    b = scenario_file(tmp_path, "b")
    out_dir = tmp_path / "out"
    code, _, err = cli("compare", str(a), str(b), "-o", str(out_dir), "--map-scenarios", "a,storm")
    assert code == 1
    assert "'storm' is not one of the scenarios compared" in err and "['a', 'b']" in err
    code, _, err = cli("compare", str(a), str(b), "-o", str(out_dir), "--map-scenarios", "a")
    assert code == 1 and "name 2 to 4 scenarios" in err
    assert not (out_dir / "a").exists() and "Traceback" not in err


def test_repeated_warnings_print_as_one_line(tmp_path: Path) -> None:
    """Without -v, each warning cause prints once after the run: a count, the first three
    examples, and a file holding every warning; -v prints every one as it comes."""
    path = scenario_file(tmp_path, "rot", "[rotations]\nenabled = true\n")
    code, _, err = cli("run", str(path), "-o", str(tmp_path / "out"))
    assert code == 0, err
    lines = err.strip().splitlines()
    shortfall = [line for line in lines if "rotation shortfall" in line]
    assert len(shortfall) == 1, err
    head, count, examples = re.match(
        r"(WARNING netopt\.rotations\.planner: rotation shortfall): ([\d,]+) times, "
        r"first: (.*)",
        shortfall[0],
    ).groups()
    assert int(count) > 3 and examples.count("short by") == 3
    assert lines[-1].startswith("every warning: ")
    log = Path(lines[-1].removeprefix("every warning: "))
    logged = log.read_text(encoding="utf-8")
    log.unlink()
    assert logged.count(head) == int(count)
    assert set(lines[:-1]) - set(shortfall) <= set(logged.splitlines())
    code, _, err = cli("run", str(path), "-o", str(tmp_path / "out2"), "-v")
    assert code == 0, err
    assert err.count("rotation shortfall") == int(count)
