"""Load a :class:`~netopt.region.Region` from a folder with a ``region.toml``.

:func:`load_region` reads the TOML (:mod:`netopt.io.config`), every layer it names
(:mod:`netopt.io.tables`), puts them together in WGS-84 with a metric CRS and runs the
cross-layer checks of :mod:`netopt.validate`; every problem of every file is raised at
once, as one :class:`~netopt._errors.DataError`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from netopt._crs import pick_metric_crs
from netopt._errors import DataError, Problem
from netopt.io.columns import empty_layer
from netopt.io.config import (
    LAYERS,
    OSM_SUFFIXES,
    TOP_KEYS,
    check_config,
    toml_from_bytes,
    validate_limits,
)
from netopt.io.tables import read_layer, read_osm_layer
from netopt.region import Region
from netopt.validate import find_problems

__all__ = ["load_region"]

logger = logging.getLogger(__name__)


def load_region(folder: str | os.PathLike[str], *, validate: bool = True) -> Region:
    """Load and validate the region described by ``folder/region.toml``.

    Parameters
    ----------
    folder : path-like
        A folder containing ``region.toml`` (or the path of the ``.toml`` file itself).
    validate : bool, default True
        Run the cross-layer checks of :func:`netopt.validate_region` as well as the
        per-file checks; problems from both are reported together.

    Returns
    -------
    Region
        Every layer in EPSG:4326, indexed by string ``id``.

    Raises
    ------
    DataError
        Listing every problem found (file, record, field, what was found, how to fix it).
    FileNotFoundError
        If there is no ``region.toml``.

    Notes
    -----
    The CRS of a layer is, in order: its own ``crs`` key; else the top-level ``crs`` (for a
    GeoJSON/GeoPackage only if the file itself is unreferenced or geographic -- a file that
    states a projected CRS keeps it); else the file's own CRS; a CSV with neither is a
    problem. ``GCJ-02`` coordinates are converted to WGS-84 with
    :func:`netopt._gcj02.gcj02_to_wgs84`. The metric CRS is ``metric_crs`` from the TOML or
    :func:`~netopt.io.pick_metric_crs` of the facilities and zones.

    Examples
    --------
    >>> region = load_region("tests/data/synthetic")  # doctest: +SKIP
    >>> region.overview()["population"]  # doctest: +SKIP
    214550.0
    """
    toml_path = Path(folder)
    if toml_path.is_dir():
        toml_path = toml_path / "region.toml"
    if not toml_path.is_file():
        raise FileNotFoundError(f"{toml_path}: no region.toml here (see the README for its format)")
    folder = toml_path.parent
    config = toml_from_bytes(toml_path.read_bytes(), toml_path.name)
    problems: list[Problem] = check_config(config, toml_path.name)
    layers, files, osm_ferries = _read_layers(folder, config, problems)

    ferries = layers["ferries"]
    if osm_ferries is not None and len(osm_ferries) and config["roads"].get("osm_ferries", True):
        ferries = osm_ferries if ferries is None else pd.concat([ferries, osm_ferries])
        files.setdefault("ferries", files["roads"])
    frames = {k: (v if v is not None else empty_layer(k)) for k, v in layers.items()}
    frames["ferries"] = ferries if ferries is not None else empty_layer("ferries")
    points = pd.concat(
        [frames["facilities"].geometry, frames["zones"].geometry.representative_point()]
    )
    metric = config.get("metric_crs") or pick_metric_crs(points)
    region = Region(
        name=str(config.get("name", folder.name)),
        facilities=frames["facilities"],
        zones=frames["zones"],
        ferries=frames["ferries"],
        links=frames["links"],
        experts=frames["experts"],
        boundaries=frames["boundaries"],
        metric_crs=str(metric),
        roads=layers["roads"],
        source=folder,
        metadata={k: v for k, v in config.items() if k not in TOP_KEYS},
    )
    if validate:
        failed = {f"there are no {k}" for k, v in layers.items() if v is None and k in files}
        seen = {(p.file, p.record, p.field) for p in problems}
        problems += [
            p
            for p in find_problems(region, files=files, **validate_limits(config))
            if p.found not in failed and (p.file, p.record, p.field) not in seen
        ]
    if problems:
        raise DataError(problems)
    logger.info("loaded region %r from %s", region.name, folder)
    return region


def _read_layers(
    folder: Path, config: Mapping[str, Any], problems: list[Problem]
) -> tuple[
    dict[str, gpd.GeoDataFrame | pd.DataFrame | None], dict[str, str], gpd.GeoDataFrame | None
]:
    """Read every layer table of region.toml.

    Returns the frames (None for a layer not given or not usable), the file named for
    each layer given (for the problems) and the ferry ways of an OSM roads file.
    """
    top_crs = config.get("crs")
    layers: dict[str, gpd.GeoDataFrame | pd.DataFrame | None] = {}
    files: dict[str, str] = {}
    osm_ferries = None
    for layer in LAYERS:
        spec = config.get(layer)
        if not isinstance(spec, Mapping):
            layers[layer] = None
            continue
        files[layer] = str(spec.get("file", f"[{layer}]"))
        if layer == "roads" and files[layer].lower().endswith(OSM_SUFFIXES):
            layers[layer], osm_ferries = read_osm_layer(folder, spec, problems)
            continue
        layers[layer] = read_layer(folder, layer, spec, top_crs, problems)
    return layers, files, osm_ferries
