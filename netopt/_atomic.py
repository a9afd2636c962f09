"""Atomic file and folder writes: a failed or killed run never leaves half-written outputs.

:func:`atomic_path` writes a file beside its target and renames it into place.
:func:`atomic_dir` builds a folder beside its target and swaps it in: on Linux with one
``renameat2(..., RENAME_EXCHANGE)`` system call, elsewhere (or on file systems without it)
with two renames that the next run can undo. Temporaries carry the writer's process id, so
the next call removes those of dead processes and leaves those of running ones alone.

The guarantees hold against the death of the writing process (exceptions, ``SIGKILL``); they
are not a defence against power loss, since nothing is ``fsync``-ed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["atomic_dir", "atomic_path"]

logger = logging.getLogger(__name__)

_AT_FDCWD = -100  # Linux <fcntl.h>
_RENAME_EXCHANGE = 2  # Linux <linux/fs.h>
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only on success.

    Parameters
    ----------
    path : path-like
        The final file path.

    Yields
    ------
    pathlib.Path
        A temporary file path in the same folder (same file system, so the final
        :func:`os.replace` is atomic). It is removed if the block raises.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    # Keep the final suffix: some writers (GDAL's GPKG driver) check the file extension.
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.tmp-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    os.unlink(tmp)  # writers (e.g. GDAL) want to create the file themselves
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path, ignore_errors=True)
            else:
                tmp_path.unlink()


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """Return libc's ``renameat2`` (Linux, glibc >= 2.28 or musl), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap the entries ``a`` and ``b``; return False if that is unsupported.

    Raises
    ------
    OSError
        If the system call fails for another reason than lack of support.
    """
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _pid_alive(pid: int) -> bool:
    """Return whether process ``pid`` exists (a zombie counts as alive until reaped)."""
    if pid <= 0:
        return True  # not ours to judge: never remove
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _stale_temporaries(final: Path) -> tuple[list[Path], list[Path]]:
    """Return the temporary and set-aside folders of ``final`` left by dead processes.

    Only this folder's own patterns match: ``.{name}.{pid}.{8 chars}.tmp`` (a folder being
    built, or after an exchange the previous folder) and ``.{name}.old-{pid}.{hex}`` (the
    previous folder set aside by the two-rename fallback).
    """
    head = f".{final.name}."
    tmp_re = re.compile(r"(\d+)\.[a-z0-9_]{8}\.tmp")
    old_re = re.compile(r"old-(\d+)\.[0-9a-f]{8}")
    tmps: list[Path] = []
    olds: list[Path] = []
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return tmps, olds
    for entry in entries:
        if not entry.name.startswith(head):
            continue
        rest = entry.name[len(head) :]
        for regex, found in ((tmp_re, tmps), (old_re, olds)):
            m = regex.fullmatch(rest)
            if m and not _pid_alive(int(m.group(1))) and entry.is_dir(follow_symlinks=False):
                found.append(Path(entry.path))
    return tmps, olds


def _recover(final: Path) -> None:
    """Restore an interrupted fallback swap and remove the temporaries of dead processes."""
    tmps, olds = _stale_temporaries(final)
    if olds and not final.exists():
        # Killed between the two renames of the fallback: the set-aside folder is the last
        # complete result (the new one may be incomplete), so put it back.
        newest = max(olds, key=lambda p: p.stat().st_mtime_ns)
        try:
            os.rename(newest, final)
        except OSError:  # another run got there first
            pass
        else:
            olds.remove(newest)
            logger.info("restored %s from %s left by a killed run", final, newest.name)
    for stale in tmps + olds:
        shutil.rmtree(stale, ignore_errors=True)
        logger.info("removed %s, a temporary of a killed run", stale)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary folder; swap it in for ``path`` only on success.

    Guarantees, against the writing process raising or being killed (``SIGKILL``) at any
    moment, though not against power loss (nothing is ``fsync``-ed):

    - ``path`` is always either the complete previous folder or the complete new one, never
      a mixture. If the block raises, the previous folder stays byte-identical.
    - On Linux the swap is a single ``renameat2(..., RENAME_EXCHANGE)``, so ``path`` exists
      at every moment (if it existed before). Where the exchange is unavailable, the old
      folder is renamed to ``.{name}.old-{pid}.{hex}`` and the new one renamed into place; a
      kill between these two renames leaves no ``path`` until the next :func:`atomic_dir`
      call on it, which restores the previous folder first (journal-free recovery).
    - Temporaries are named after the writing process (``.{name}.{pid}.*.tmp``,
      ``.{name}.old-{pid}.*``); each call first removes those of processes that are no
      longer alive (logged at INFO) and never touches those of running ones, so concurrent
      runs on one machine do not harm each other. (Processes on other hosts sharing the
      folder are not told apart.)

    Parameters
    ----------
    path : path-like
        The final folder path.

    Yields
    ------
    pathlib.Path
        An empty temporary folder beside ``path``.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    _recover(final)
    pid = os.getpid()
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.{pid}.", suffix=".tmp", dir=final.parent))
    try:
        yield tmp
        if final.exists() and _exchange(tmp, final):
            logger.debug("swapped %s in with RENAME_EXCHANGE", final)
            # the previous folder now sits at ``tmp``; the finally block removes it
        else:
            old = None
            if final.exists():
                old = final.with_name(f".{final.name}.old-{pid}.{secrets.token_hex(4)}")
                os.replace(final, old)
            os.replace(tmp, final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
