"""The travel-time cache: atomic writes, checksums verified on read, corrupt entries redone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from netopt._errors import NetoptWarning
from netopt.graph import build_graph, close_ferry, drop_closed, graph_to_csr, travel_times
from netopt.graph._matrix_cache import _array_digest


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


def test_key_tells_apart_closed_crossings(tiny_region, tmp_path):
    """Open, closed, dropped and equally weighted reopening edges get their own cache entries;
    dropping from a graph with nothing closed changes nothing and shares the open entry."""
    g = build_graph(tiny_region)
    meta = {"emergency_fallback": {"name": "boat", "wait_min": 0.0, "availability": 1.0}}
    with_fallback = build_graph(dataclasses.replace(tiny_region, metadata=meta))
    same_weights = close_ferry(with_fallback, "FR1")  # the fallback's floor: the open wait
    graphs = {
        "open": g,
        "closed 24 h": close_ferry(g, "FR1"),
        "closed 6 h": close_ferry(g, "FR1", hours=6),
        "dropped": drop_closed(close_ferry(g, "FR1")),
        "dropped open": drop_closed(g),
        "reopening at the open weights": same_weights,
    }
    assert graph_to_csr(same_weights.G).matrix.data.tolist() == (
        graph_to_csr(with_fallback.G).matrix.data.tolist()
    )
    entry = {}
    for name, graph in graphs.items():
        before = set(tmp_path.glob("travel_times_*.npz"))
        got = travel_times(graph, "zones", "facilities", cache_dir=tmp_path)
        want = travel_times(graph, "zones", "facilities")
        np.testing.assert_array_equal(got.seconds, want.seconds, err_msg=name)
        new = set(tmp_path.glob("travel_times_*.npz")) - before
        entry[name] = new.pop() if new else None
    assert entry["dropped open"] is None  # served from the "open" entry
    written = [path for name, path in entry.items() if name != "dropped open"]
    assert None not in written and len(set(written)) == len(graphs) - 1
