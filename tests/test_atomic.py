"""atomic_dir under SIGKILL, the RENAME_EXCHANGE swap, its fallback and stale-temporary cleanup."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import netopt._atomic as atomic
from netopt._atomic import atomic_dir, atomic_path

N_FILES = 6
BIG = 2_000_000  # the odd-numbered files: big enough that a generation takes a while


def _file_size(i: int) -> int:
    return BIG if i % 2 else 100


def _write_generation(folder: Path, gen: int) -> None:
    for i in range(N_FILES):
        (folder / f"f{i}.bin").write_bytes(f"{gen}\n".encode() + b"x" * _file_size(i))


def _generation(folder: Path) -> int:
    """Return the one generation of a complete folder; fail on any missing or mixed file."""
    assert folder.is_dir(), f"{folder} missing"
    assert sorted(p.name for p in folder.iterdir()) == [f"f{i}.bin" for i in range(N_FILES)]
    gens = set()
    for i in range(N_FILES):
        head, _, body = (folder / f"f{i}.bin").read_bytes().partition(b"\n")
        assert len(body) == _file_size(i), f"f{i}.bin truncated"
        gens.add(int(head))
    assert len(gens) == 1, f"mixed generations {gens}"
    return gens.pop()


def _siblings(final: Path) -> list[str]:
    return sorted(p.name for p in final.parent.iterdir() if p.name.startswith(f".{final.name}."))


# The child loads _atomic.py straight from its file (it imports nothing of netopt), so that it
# starts in milliseconds; it then rewrites the folder in a loop until killed.
CHILD = textwrap.dedent(
    """
    import importlib.util, sys
    from pathlib import Path
    spec = importlib.util.spec_from_file_location("_atomic", sys.argv[1])
    atomic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(atomic)
    if sys.argv[3] == "fallback":
        atomic._renameat2 = lambda: None
    final, gen = Path(sys.argv[2]), int(sys.argv[4])
    print("ready", flush=True)
    while True:
        gen += 1
        with atomic.atomic_dir(final) as tmp:
            for i in range({n}):
                data = str(gen).encode() + b"\\n" + b"x" * ({big} if i % 2 else 100)
                (tmp / f"f{{i}}.bin").write_bytes(data)
    """
).format(n=N_FILES, big=BIG)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_sigkill_never_leaves_a_partial_folder(tmp_path, mode):
    """Killed at random moments, the folder is always one complete generation, and the
    next atomic_dir call restores it (fallback) and removes every stale temporary."""
    if mode == "exchange" and atomic._renameat2() is None:
        pytest.skip("renameat2 unavailable")
    final = tmp_path / "result"
    with atomic_dir(final) as tmp:
        _write_generation(tmp, 0)
    rng = random.Random(20261201)
    stale_seen = 0
    for gen in range(1, 9):  # 8 kills
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, atomic.__file__, str(final), mode, str(gen * 1000 + 1)],
            stdout=subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        try:
            child.wait(timeout=rng.uniform(0.0, 0.3))
        except subprocess.TimeoutExpired:
            pass
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL  # reaped: its pid is now dead
        child.stdout.close()
        stale_seen += bool(_siblings(final))
        if mode == "exchange":
            _generation(final)  # complete right after the kill
        with atomic_dir(final) as tmp:
            _generation(final)  # complete (restored, if the kill fell between the renames)
            assert _siblings(final) == [tmp.name]  # stale temporaries already removed
            _write_generation(tmp, gen * 1000)
        assert _generation(final) == gen * 1000
        assert _siblings(final) == []
    assert stale_seen > 0, "no kill landed inside atomic_dir: the test proved nothing"


def _spy_exchange(monkeypatch) -> list[bool]:
    calls: list[bool] = []
    real = atomic._exchange

    def spy(a, b):
        calls.append(real(a, b))
        return calls[-1]

    monkeypatch.setattr(atomic, "_exchange", spy)
    return calls


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RENAME_EXCHANGE is Linux")
def test_exchange_swaps_in_place_and_removes_the_old_folder(tmp_path, monkeypatch):
    """On Linux the new folder's inode takes the name in one exchange; the old one is gone."""
    calls = _spy_exchange(monkeypatch)
    final = tmp_path / "out"
    final.mkdir()
    (final / "a.txt").write_text("old")
    old_inode = final.stat().st_ino
    with atomic_dir(final) as tmp:
        (tmp / "b.txt").write_text("new")
        new_inode = tmp.stat().st_ino
    if calls != [True]:
        pytest.skip("this file system does not support RENAME_EXCHANGE")
    assert final.stat().st_ino == new_inode
    assert [p.name for p in final.iterdir()] == ["b.txt"]
    assert old_inode not in {p.stat().st_ino for p in tmp_path.iterdir()}
    assert _siblings(final) == []


def test_fallback_without_exchange(tmp_path, monkeypatch):
    """Without renameat2 the two-rename path swaps the folder and leaves nothing behind."""
    monkeypatch.setattr(atomic, "_renameat2", lambda: None)
    calls = _spy_exchange(monkeypatch)
    final = tmp_path / "out"
    for content in ("first", "second"):
        with atomic_dir(final) as tmp:
            (tmp / "c.txt").write_text(content)
        assert (final / "c.txt").read_text() == content
        assert _siblings(final) == []
    assert calls == [False]  # asked once (the first write has nothing to exchange with)


def test_failed_block_keeps_the_previous_folder(tmp_path):
    """A block that raises leaves the previous folder untouched and no temporary."""
    final = tmp_path / "out"
    with atomic_dir(final) as tmp:
        (tmp / "c.txt").write_text("kept")
    with pytest.raises(RuntimeError, match="boom"), atomic_dir(final) as tmp:
        (tmp / "c.txt").write_text("lost")
        raise RuntimeError("boom")
    assert (final / "c.txt").read_text() == "kept"
    assert _siblings(final) == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporaries_of_dead_pids_only_are_cleaned(tmp_path, caplog):
    """A set-aside folder of a dead run is restored; dead temporaries are removed (logged);
    temporaries of a live process and of other folders are left alone."""
    dead, alive = _dead_pid(), os.getpid()
    final = tmp_path / "out"
    restored = tmp_path / f".out.old-{dead}.0123abcd"
    restored.mkdir()
    (restored / "c.txt").write_text("previous")
    stale = tmp_path / f".out.{dead}.abcdefgh.tmp"
    live = tmp_path / f".out.{alive}.zzzzzzzz.tmp"
    other = tmp_path / f".out.x.{dead}.abcdefgh.tmp"  # a temporary of the folder "out.x"
    for p in (stale, live, other):
        p.mkdir()
    with caplog.at_level(logging.INFO, logger="netopt._atomic"), atomic_dir(final) as tmp:
        assert (final / "c.txt").read_text() == "previous"
        assert not restored.exists() and not stale.exists()
        assert live.exists() and other.exists()
        (tmp / "c.txt").write_text("next")
    assert (final / "c.txt").read_text() == "next"
    assert any("restored" in r.getMessage() for r in caplog.records)
    assert any(stale.name in r.getMessage() for r in caplog.records)
    assert sorted(_siblings(final)) == sorted([live.name, other.name])


def test_atomic_path_replaces_the_file(tmp_path):
    """atomic_path keeps its behaviour: the file appears only when the block succeeds."""
    target = tmp_path / "sub" / "x.csv"
    with pytest.raises(ValueError, match="no"), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise ValueError("no")
    assert not target.exists()
    with atomic_path(target) as tmp:
        tmp.write_text("whole")
    assert target.read_text() == "whole"
    assert [p.name for p in target.parent.iterdir()] == ["x.csv"]
