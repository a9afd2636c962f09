"""`netopt run` killed with SIGKILL at any moment leaves the previous outputs complete."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scenario_files import scenario_file

from netopt.scenario import OUTPUT_FILES

KILLS = 5

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX only"),
]


def start_run(scenario: Path, out: Path) -> subprocess.Popen[bytes]:
    """Start `netopt run` on ``scenario`` into ``out`` as a child process."""
    return subprocess.Popen(
        [sys.executable, "-m", "netopt.cli", "run", str(scenario), "-o", str(out), "-q"],
        cwd=scenario.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def assert_complete(folder: Path) -> None:
    """Every output file is in ``folder`` and kpis.json parses."""
    assert folder.is_dir(), f"{folder} is gone"
    missing = [name for name in OUTPUT_FILES if not (folder / name).exists()]
    assert not missing, f"{folder} lacks {missing}"
    json.loads((folder / "kpis.json").read_text(encoding="utf-8"))


def test_sigkill_keeps_previous_outputs(tmp_path: Path) -> None:
    """SIGKILL at random moments never leaves out/<name>/ incomplete, nor stray temp folders."""
    scenario = scenario_file(tmp_path, "one")
    out = tmp_path / "out"
    started = time.monotonic()
    first = start_run(scenario, out)
    _, err = first.communicate(timeout=120)
    duration = time.monotonic() - started
    assert first.returncode == 0, err.decode(errors="replace")
    assert_complete(out / "one")

    rng = random.Random(20240601)
    for i in range(KILLS):
        # one delay in each fifth of the measured run time, so the kills cover the whole run
        delay = duration * (i + rng.random()) / KILLS
        proc = start_run(scenario, out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert_complete(out / "one")

    last = start_run(scenario, out)
    _, err = last.communicate(timeout=120)
    assert last.returncode == 0, err.decode(errors="replace")
    assert_complete(out / "one")
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".cache")
    assert not hidden, f"temporary folders left in {out}: {hidden}"
