"""The installed version of netopt (one home: package metadata)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("netopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
