"""Shared fixtures: the synthetic test region (loaded, or as a folder to break on purpose)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from netopt.io import load_region
from netopt.region import Region

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "synthetic"
BAD = DATA / "bad"
HELSINKI = DATA / "osm" / "Helsinki.osm.pbf"

_LAYERS = ("facilities", "zones", "ferries", "links", "experts", "boundaries", "roads")


@pytest.fixture(scope="session")
def _synthetic_region_cached() -> Region:
    """Load the synthetic region once per test session."""
    return load_region(SYNTHETIC)


def copy_region(region: Region) -> Region:
    """Return a copy of ``region`` whose frames can be modified freely."""
    frames = {
        name: (getattr(region, name).copy() if getattr(region, name) is not None else None)
        for name in _LAYERS
    }
    return dataclasses.replace(region, metadata=dict(region.metadata), **frames)


@pytest.fixture
def synthetic_region(_synthetic_region_cached: Region) -> Region:
    """The synthetic region (mainland, Beiyu Island by ferry, Xiaoyu Island by bridge).

    A fresh copy per test: modify its frames freely.
    """
    return copy_region(_synthetic_region_cached)


@pytest.fixture
def region_folder(tmp_path: Path) -> Callable[..., Path]:
    """Factory: copy the synthetic region folder, optionally swapping files and editing TOML.

    ``region_folder(replace={"facilities.csv": "facilities_swapped.csv"},
    toml=[("old text", "new text")])`` returns the path of the new folder; ``replace``
    values are names in ``tests/data/bad/`` (or absolute paths).
    """
    counter = iter(range(1_000_000))

    def make(
        *,
        replace: Mapping[str, str | Path] | None = None,
        toml: Sequence[tuple[str, str]] = (),
    ) -> Path:
        folder = tmp_path / f"region{next(counter)}"
        shutil.copytree(SYNTHETIC, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        for target, source in (replace or {}).items():
            shutil.copyfile(BAD / source, folder / target)
        text = (folder / "region.toml").read_text(encoding="utf-8")
        for old, new in toml:
            if old not in text:
                raise ValueError(f"{old!r} is not in region.toml")
            text = text.replace(old, new)
        (folder / "region.toml").write_text(text, encoding="utf-8")
        return folder

    return make
