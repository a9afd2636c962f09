"""`netopt validate FOLDER`: summary and exit 0, or the full problem list and exit 1."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netopt.cli import EXIT_DATA, build_parser, main
from netopt.region import format_overview

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"


def _run(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_prints_summary():
    """A valid folder prints tiers, exact population, islands and ferries; exit 0."""
    code, out, err = _run(["validate", str(SYNTHETIC)])
    assert code == 0, err
    assert "Facilities: 10 (tertiary 1, county 2, township 4, village 3)" in out
    assert "Zones: 12, population 214,550" in out
    assert "Islands: 2, population 27,950" in out
    assert "  Beiyu Island: 24,400" in out
    assert "  F1: Shipu-Beiyu ferry (25 min)" in out
    assert out.rstrip().endswith("OK: no problems found.")


def test_validate_lists_every_problem(region_folder):
    """Invalid data prints every problem to stderr and exits 1, without a traceback."""
    folder = region_folder(
        replace={
            "facilities.csv": "facilities_swapped.csv",
            "experts.csv": "experts_unknown_home.csv",
        }
    )
    code, out, err = _run(["validate", str(folder)])
    assert code == EXIT_DATA == 1
    assert out == ""
    assert err.startswith("2 problems found in the input data:")
    assert "facilities.csv, record H1, field 'geometry'" in err
    assert "experts.csv, record E9, field 'home_facility'" in err
    assert "Traceback" not in err


def test_missing_folder_exits_1(tmp_path):
    """A folder without region.toml is a one-line error with exit code 1."""
    code, _, err = _run(["validate", str(tmp_path / "nowhere")])
    assert code == 1
    assert "no region.toml" in err and len(err.strip().splitlines()) == 1


def test_usage_error_exits_1():
    """A missing subcommand is a usage error: exit 1 (bad input), never 2 (infeasible)."""
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([])
    assert info.value.code == 1


def test_format_overview_rounds_population_exactly():
    """Population prints as an exact integer with thousands separators."""
    text = format_overview(
        {
            "name": "X",
            "facilities_by_tier": {"county": 1},
            "zones": 3,
            "population": 567665.0,
            "islands": {},
            "ferries": {},
            "links": 0,
            "experts": 0,
        }
    )
    assert "population 567,665" in text and "Islands: none" in text


def test_entry_point_subprocess():
    """`python -m netopt.cli validate` works as a real process."""
    proc = subprocess.run(
        [sys.executable, "-m", "netopt.cli", "-q", "validate", str(SYNTHETIC)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "population 214,550" in proc.stdout


def test_entry_point_groups_problems_and_writes_full_list(region_folder, tmp_path):
    """Ten alike problems print as one line; the full list goes to a file named last."""
    folder = region_folder()
    csv = folder / "facilities.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    blanked = [lines[0]] + [",".join(line.split(",")[:-2] + ["", ""]) for line in lines[1:]]
    csv.write_text("\n".join(blanked) + "\n", encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "netopt.cli", "-q", "validate", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert proc.returncode == EXIT_DATA, proc.stderr
    err = proc.stderr.strip().splitlines()
    assert (
        "  - facilities.csv, field 'lon/lat': 10 records: e.g. coordinates missing "
        "(first: T1, C1, C2, H1, H2). Fix: fill in both coordinates in decimal degrees"
    ) in err
    assert not any("record V3" in line for line in err)
    n = int(err[0].split()[0].replace(",", ""))
    path = Path(err[-1].removeprefix(f"full list of {n:,} problems: "))
    assert path.parent == temp and path.name.startswith("netopt-problems-")
    full = path.read_text(encoding="utf-8").splitlines()
    assert len(full) == n
    assert "facilities.csv, record V3, field 'lon/lat': coordinates missing." in full[9]


def test_few_problems_write_no_file(region_folder):
    """Without a shortened cause the message is complete and no full list is named."""
    folder = region_folder(replace={"facilities.csv": "facilities_swapped.csv"})
    code, _, err = _run(["validate", str(folder)])
    assert code == EXIT_DATA
    assert "full list" not in err


@pytest.mark.parametrize(
    "argv",
    [["-v", "validate", str(SYNTHETIC)], ["validate", str(SYNTHETIC), "-v"]],
    ids=["before", "after"],
)
def test_verbose_before_or_after_the_subcommand(argv):
    """-v works before and after the subcommand: the info lines appear, as without -v they don't."""
    code, _, err = _run(argv)
    assert code == 0 and "INFO netopt.io.load: loaded region" in err
    code, _, err = _run(["validate", str(SYNTHETIC)])
    assert code == 0 and err == ""


def test_quiet_after_the_subcommand_wins_over_verbose():
    """`netopt -v validate FOLDER -q`: -q after the subcommand leaves only errors."""
    args = build_parser().parse_args(["-v", "validate", str(SYNTHETIC), "-q"])
    assert args.quiet and args.verbose == 1
    code, _, err = _run(["-v", "validate", str(SYNTHETIC), "-q"])
    assert code == 0 and err == ""


def _append(folder: Path, text: str) -> Path:
    """Append tables at the end of the folder's region.toml."""
    toml = folder / "region.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return folder


def test_validate_checks_the_flow_tables(region_folder):
    """region.toml [choice], [demand] and [observed]: an unknown key names the table and the
    closest key, a share given in percent is refused."""
    folder = _append(region_folder(), "[observed]\nin_area_share = 92\n")
    code, out, err = _run(["validate", str(folder)])
    assert code == EXIT_DATA and out == ""
    assert "[observed]" in err and "in_area_share" in err and "0.92" in err
    folder = _append(region_folder(), "[choice]\nlead_bonous = 0.5\n")
    code, out, err = _run(["validate", str(folder)])
    assert code == EXIT_DATA
    assert "[choice]" in err and "lead_bonous" in err and "did you mean 'lead_bonus'" in err


def test_calibrate_fits_the_observed_shares(region_folder):
    """`netopt calibrate` on the synthetic region with two observed shares: fitted equal to
    observed, parameters with std errors, and --write puts the [choice] table into
    region.toml, which then loads and reproduces the shares."""
    folder = _append(region_folder(), "[observed]\nin_area_share = 0.85\ngrassroots_share = 0.6\n")
    code, out, err = _run(["calibrate", str(folder), "--write"])
    assert code == 0, err
    assert "85.00%" in out and "60.00%" in out and "std error" in out
    assert "grassroots_constant" in out and "outside_constant" in out
    text = (folder / "region.toml").read_text(encoding="utf-8")
    assert "[choice]" in text and "# calibrated, std error" in text
    from netopt.scenario.calibration import calibrate_region

    again = calibrate_region(folder)  # starts from the written values: already fitted
    assert again.fitted["in_area_share"] == pytest.approx(0.85, abs=1e-4)
    assert again.fitted["grassroots_share"] == pytest.approx(0.60, abs=1e-4)
