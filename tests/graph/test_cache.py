"""The travel-time cache: atomic writes, checksums verified on read, corrupt entries redone."""

from __future__ import annotations

import numpy as np
import pytest

from netopt._errors import NetoptWarning
from netopt.graph import build_graph, travel_times
from netopt.graph.matrix import _array_digest


def _entry(folder):
    files = list(folder.glob("travel_times_*.npz"))
    assert len(files) == 1
    return files[0]


def _assert_valid(path, want):
    with np.load(path, allow_pickle=False) as f:
        np.testing.assert_array_equal(f["seconds"], want)
        assert str(f["sha256"][()]) == _array_digest(want)


@pytest.fixture
def cached(tiny_region, tmp_path):
    """A graph, its fresh matrix and the folder holding its one cache entry."""
    g = build_graph(tiny_region)
    fresh = travel_times(g, "zones", "facilities")
    travel_times(g, "zones", "facilities", cache_dir=tmp_path)
    return g, fresh.seconds, tmp_path


def test_valid_hit_is_identical(cached):
    """A valid entry is read back bit for bit, without a warning, and left untouched."""
    g, want, folder = cached
    path = _entry(folder)
    before = path.stat().st_mtime_ns, path.read_bytes()
    got = travel_times(g, "zones", "facilities", cache_dir=folder)
    np.testing.assert_array_equal(got.seconds, want)
    assert got.seconds.dtype == want.dtype
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert not list(folder.glob(".*"))


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_middle(path):
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    for i in range(mid - 4, mid + 4):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _wrong_data(path):
    """A well-formed npz whose matrix no longer matches its stored checksum."""
    with np.load(path) as f:
        seconds, sha = f["seconds"].copy(), f["sha256"]
    seconds.flat[0] += 1.0
    with open(path, "wb") as fh:
        np.savez(fh, seconds=seconds, sha256=sha)


def _no_checksum(path):
    with np.load(path) as f:
        seconds = f["seconds"]
    with open(path, "wb") as fh:
        np.savez(fh, seconds=seconds)


def _empty(path):
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate, _flip_middle, _wrong_data, _no_checksum, _empty])
def test_corrupt_entry_is_recomputed_and_rewritten(cached, damage):
    """A damaged entry warns, gives the fresh result, and is rewritten valid."""
    g, want, folder = cached
    path = _entry(folder)
    damage(path)
    with pytest.warns(NetoptWarning, match=r"cache entry .*travel_times_.*corrupt.*recomputing"):
        got = travel_times(g, "zones", "facilities", cache_dir=folder)
    np.testing.assert_array_equal(got.seconds, want)
    assert _entry(folder) == path
    _assert_valid(path, want)
    again = travel_times(g, "zones", "facilities", cache_dir=folder)  # no warning now
    np.testing.assert_array_equal(again.seconds, want)
    assert not list(folder.glob(".*"))


def test_entry_of_another_dtype_is_not_served(cached):
    """An entry whose matrix has the wrong dtype for the request is treated as corrupt."""
    g, want, folder = cached
    path = _entry(folder)
    wrong = want.astype(np.float32)
    with open(path, "wb") as fh:
        np.savez(fh, seconds=wrong, sha256=np.array(_array_digest(wrong)))
    with pytest.warns(NetoptWarning, match="corrupt"):
        got = travel_times(g, "zones", "facilities", cache_dir=folder)
    assert got.seconds.dtype == np.float64
    _assert_valid(path, want)
