"""Fixtures of the solver tests: CPU hogs that make the machine as busy as a loaded CI runner."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator

import pytest


@contextlib.contextmanager
def _hogs(n: int = 2) -> Iterator[list]:
    """``n`` busy-looping processes while the block runs (2: a 2-core runner fully taken)."""
    ctx = multiprocessing.get_context("spawn")
    hogs = [ctx.Process(target=exec, args=("while True: pass",), daemon=True) for _ in range(n)]
    for hog in hogs:
        hog.start()
    try:
        yield hogs
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.join(timeout=10)


@pytest.fixture
def cpu_hogs() -> Iterator[list]:
    """Two busy-looping processes beside the whole test; killed after."""
    with _hogs() as hogs:
        yield hogs


@pytest.fixture
def busy() -> Callable[[], contextlib.AbstractContextManager[list]]:
    """Two CPU hogs for a part of a test only: ``with busy(): ...``."""
    return _hogs
