"""Fixtures of the solver tests: CPU hogs that make the machine as busy as a loaded CI runner."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest


@pytest.fixture
def cpu_hogs() -> Iterator[list]:
    """Two busy-looping processes beside the test (a 2-core runner fully taken); killed after."""
    ctx = multiprocessing.get_context("spawn")
    hogs = [ctx.Process(target=exec, args=("while True: pass",), daemon=True) for _ in range(2)]
    for hog in hogs:
        hog.start()
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.join(timeout=10)
