"""A fast scenario file on the synthetic region, shared by the CLI and kill tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"


def scenario_file(folder: Path, name: str, body: str = "") -> Path:
    """Write a scenario on the synthetic region (coarse lattice, p = 1) plus ``body``."""
    path = folder / f"{name}.toml"
    path.write_text(
        textwrap.dedent(f"""
        title = "Scenario {name}"
        region = "{SYNTHETIC.as_posix()}"
        [graph]
        h3_resolution = 8
        [model]
        p = 1
        [solver]
        time_limit_s = 10
    """)
        + textwrap.dedent(body),
        encoding="utf-8",
    )
    return path
