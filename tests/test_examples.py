"""The worked example in examples/ runs and produces its table and chart."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "planning_study.py"
SYNTHETIC = ROOT / "tests" / "data" / "synthetic"


def test_planning_study_runs_on_the_synthetic_region(tmp_path: Path) -> None:
    """The study solves p = 1, 2 (the synthetic region has two lead-capable hospitals), writes a
    valid SVG and CSV, and names an elbow."""
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--region",
            str(SYNTHETIC),
            "--max-p",
            "2",
            "--h3-resolution",
            "8",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(tmp_path / "patient_hours_by_p.csv", index_col="p")
    assert list(table.index) == [1, 2]
    assert (table["status"] == "optimal").all()
    hours = table["patient_hours_per_year"].to_numpy()
    assert np.all(np.diff(hours) <= 1e-6)  # more alliances never cost patient-hours here
    root = ET.parse(tmp_path / "patient_hours_by_p.svg").getroot()
    assert root.tag.endswith("svg")
    assert "Elbow: p = " in proc.stdout


def test_elbow_rule_picks_the_bend() -> None:
    """The kneedle rule picks the point after the steep drop, and 0 for a flat curve."""
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        from planning_study import elbow
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    assert elbow(np.array([1, 2, 3, 4]), np.array([100.0, 40.0, 35.0, 33.0])) == 1
    assert elbow(np.array([1, 2, 3]), np.array([5.0, 5.0, 5.0])) == 0
