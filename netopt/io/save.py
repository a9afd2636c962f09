"""Save a :class:`~netopt.region.Region` to a folder, and write TOML text.

:func:`save_region` writes ``region.toml`` + ``region.gpkg`` + ``experts.csv`` that
:func:`netopt.io.load_region` reads back to identical data; :func:`dumps_toml` is the TOML
writer netopt uses everywhere (Python's standard library only reads TOML).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from netopt._atomic import atomic_dir
from netopt._crs import wgs84_problems
from netopt._errors import DataError
from netopt.io.columns import LIST_COLUMNS
from netopt.region import Region

__all__ = ["dumps_toml", "save_region"]

logger = logging.getLogger(__name__)

_GEO_LAYERS = ("facilities", "zones", "ferries", "links", "boundaries", "roads")


def save_region(region: Region, folder: str | os.PathLike[str]) -> Path:
    """Write ``region`` to ``folder`` as ``region.toml`` + ``region.gpkg`` + ``experts.csv``.

    The folder is written beside its final place and swapped in only when complete, so a
    failed save leaves any previous folder untouched. :func:`~netopt.io.load_region` reads
    it back to identical data.

    Parameters
    ----------
    region : Region
        The region to save.
    folder : path-like
        Target folder (replaced if it exists).

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    DataError
        If a layer is not in EPSG:4326 (the saved ``region.toml`` declares WGS-84).
    """
    folder = Path(folder)
    problems = [
        p
        for layer in _GEO_LAYERS
        if getattr(region, layer) is not None
        for p in wgs84_problems(getattr(region, layer), layer, layer)
    ]
    if problems:
        raise DataError(problems)
    config: dict[str, Any] = {
        "name": region.name,
        "crs": "EPSG:4326",
        "metric_crs": region.metric_crs,
        **region.metadata,
    }
    with atomic_dir(folder) as tmp:
        for layer in _GEO_LAYERS:
            frame = getattr(region, layer)
            if frame is None or len(frame) == 0:
                continue
            out = _to_text_lists(frame).reset_index(names="id")
            out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs)
            out.to_file(tmp / "region.gpkg", layer=layer, driver="GPKG")
            config[layer] = {"file": "region.gpkg", "layer": layer}
        if len(region.experts):
            _to_text_lists(region.experts).reset_index(names="id").to_csv(
                tmp / "experts.csv", index=False
            )
            config["experts"] = {"file": "experts.csv"}
        (tmp / "region.toml").write_text(dumps_toml(config), encoding="utf-8")
    logger.info("saved region %r to %s", region.name, folder)
    return folder


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise a nested mapping of scalars, lists and tables to TOML text.

    Parameters
    ----------
    data : mapping
        Keys to str, int, float, bool, list or mapping (sub-table) values; None values
        are left out (TOML has no null).

    Returns
    -------
    str

    Examples
    --------
    >>> print(dumps_toml({"name": "X", "solver": {"seed": 0}}), end="")
    name = "X"
    <BLANKLINE>
    [solver]
    seed = 0
    """
    lines: list[str] = []
    _dump_table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(data: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    """Append the scalars of one table, then its sub-tables, to ``lines``."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    if path and (scalars or not tables):
        lines += ["", "[" + ".".join(_toml_key(p) for p in path) + "]"]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items() if v is not None]
    for key, sub in tables.items():
        _dump_table(sub, [*path, key], lines)


def _toml_key(key: str) -> str:
    """Return a bare TOML key if possible, else a quoted one."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    """Return the TOML literal of a scalar or list."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "nan" if math.isnan(value) else repr(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _to_text_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with tuple columns written as ``;``-separated text."""
    out = frame.copy()
    for col in LIST_COLUMNS & set(out.columns):
        out[col] = out[col].map(lambda v: ";".join(str(x) for x in v)).astype(object)
    return out
