"""The fingerprint of a region folder: one hash that changes when any of its files changes.

A saved scenario result is reused only while the fingerprint of its region (part of
:meth:`netopt.scenario.Scenario.fingerprint`) is unchanged.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from netopt.io.config import toml_from_bytes

__all__ = ["region_fingerprint"]


def region_fingerprint(folder: str | os.PathLike[str]) -> str:
    """Return a SHA-256 over ``region.toml`` and every file it names (``file = ...``).

    The bytes of ``region.toml`` are hashed first; then, for each top-level table in
    sorted order that names a ``file``, the table's name and the bytes of that file (or
    ``<missing>`` when it does not exist).

    Parameters
    ----------
    folder : path-like
        Region folder (or its ``region.toml``).

    Returns
    -------
    str
        64 hexadecimal digits.

    Raises
    ------
    FileNotFoundError
        If there is no ``region.toml``.
    DataError
        If ``region.toml`` is not valid TOML.
    """
    folder = Path(folder)
    toml_path = folder if folder.suffix == ".toml" else folder / "region.toml"
    if not toml_path.is_file():
        raise FileNotFoundError(f"no region.toml in {folder}")
    raw = toml_path.read_bytes()
    config = toml_from_bytes(raw, toml_path.name)
    h = hashlib.sha256(raw)
    for key in sorted(config):
        spec = config[key]
        if isinstance(spec, Mapping) and isinstance(spec.get("file"), str):
            p = toml_path.parent / spec["file"]
            h.update(key.encode())
            h.update(p.read_bytes() if p.is_file() else b"<missing>")
    return h.hexdigest()
