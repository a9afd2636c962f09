"""Read and check ``region.toml``: its tables, their keys and column mappings, and defaults.

``region.toml`` names the file of each layer (one table per layer: ``[facilities]``,
``[zones]``, ...) and maps the user's column names (``[layer.columns]``) and tier labels
(``[facilities.tiers]``) to ours, with fill values for blank cells (``[layer.defaults]``).
This module knows that structure; :mod:`netopt.io.tables` reads the files it names.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from typing import Any

from netopt._crs import parse_crs
from netopt._errors import DataError, Problem
from netopt.region import SCHEMA
from netopt.validate import DEFAULT_LIMITS

__all__ = [
    "DEFAULTS",
    "LAYERS",
    "LAYER_KEYS",
    "LINE_LAYERS",
    "OSM_SUFFIXES",
    "REQUIRED",
    "TOP_KEYS",
    "check_config",
    "parse_toml",
    "validate_limits",
]

#: The layer tables of region.toml, in loading order.
LAYERS = ("facilities", "zones", "ferries", "links", "experts", "boundaries", "roads")
#: Layers whose records are lines from port (or end) A to B.
LINE_LAYERS = {"ferries", "links"}
#: File suffixes read as OpenStreetMap data in ``[roads]``.
OSM_SUFFIXES = (".pbf", ".osm", ".xml")
#: Keys at the top of region.toml that are not free-form metadata.
TOP_KEYS = {"name", "crs", "metric_crs", "validate", *LAYERS}
#: Keys allowed in a layer table.
LAYER_KEYS = {
    "file",
    "layer",
    "crs",
    "lon",
    "lat",
    "columns",
    "tiers",
    "defaults",
    "ferry_speed_kmh",
    "osm_ferries",
}

#: Columns that must be present in a layer's file (after column mapping).
REQUIRED: dict[str, tuple[str, ...]] = {
    "facilities": ("id", "tier"),
    "zones": ("id", "population"),
    "ferries": ("id", "crossing_min"),
    "links": ("id",),
    "experts": ("id", "home_facility", "specialty"),
    "boundaries": (),
    "roads": (),
}
#: Fill values of optional columns (None: computed, see ``netopt.io.columns.fill_defaults``);
#: a ``[layer.defaults]`` table in region.toml overrides them.
DEFAULTS: dict[str, dict[str, Any]] = {
    "facilities": {
        "name": None,
        "beds": math.nan,
        "outpatient_per_day": math.nan,
        "specialties": (),
        "can_lead": None,
        "alliance": None,
        "township": None,
    },
    "zones": {"island": False, "island_name": None, "township": None, "primary_facility": None},
    "ferries": {
        "name": None,
        "from_port": "A",
        "to_port": "B",
        "headway_min": math.nan,
        "departures_ab": (),
        "departures_ba": (),
        "service_start": "00:00",
        "service_end": "24:00",
        "kind": "passenger",
        "source": None,
        "estimated": False,
    },
    "links": {
        "name": None,
        "kind": "bridge",
        "travel_min": math.nan,
        "length_m": math.nan,
        "source": None,
        "estimated": False,
    },
    "experts": {"name": None, "weekdays": (0, 1, 2, 3, 4), "max_days_per_month": 4},
    "boundaries": {"name": None},
    "roads": {"highway": "road", "maxspeed_kmh": math.nan, "oneway": False, "name": None},
}
_COORDINATE_COLUMNS = ("lon", "lat", "from_lon", "from_lat", "to_lon", "to_lat")


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """Parse the text of a region.toml.

    Parameters
    ----------
    text : str
        The file's text.
    name : str
        The file name, for the problem.

    Returns
    -------
    dict

    Raises
    ------
    DataError
        If the text is not valid TOML.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(
            Problem(name, "", "", f"not valid TOML ({exc})", "fix the TOML syntax")
        ) from exc


def check_config(config: Mapping[str, Any], toml_name: str) -> list[Problem]:
    """Return the problems with the structure of region.toml itself.

    Parameters
    ----------
    config : mapping
        The parsed region.toml.
    toml_name : str
        Its file name, for the problems.

    Returns
    -------
    list of Problem
        Missing ``[facilities]``/``[zones]`` files, unknown keys and columns, a
        ``[validate]`` limit that is not a number, an unknown top-level ``crs``.
    """
    problems = []
    for layer in ("facilities", "zones"):
        if not isinstance(config.get(layer), Mapping) or "file" not in config[layer]:
            problems.append(
                Problem(
                    toml_name,
                    f"[{layer}]",
                    "file",
                    "no file given",
                    f'add a [{layer}] table with file = "<your {layer} file>"',
                )
            )
    for layer in LAYERS:
        spec = config.get(layer)
        if isinstance(spec, Mapping):
            problems += _layer_problems(spec, layer, toml_name)
    problems += _limit_problems(config.get("validate", {}), toml_name)
    if "crs" in config:
        problems += _crs_problem(config["crs"], toml_name, "", "crs")
    return problems


def validate_limits(config: Mapping[str, Any]) -> dict[str, float]:
    """Return the thresholds of :func:`netopt.validate.find_problems` set by ``[validate]``.

    Parameters
    ----------
    config : mapping
        The parsed region.toml.

    Returns
    -------
    dict
        Every key of :data:`netopt.validate.DEFAULT_LIMITS`; a value that is not a number
        (reported by :func:`check_config`) keeps its default.
    """
    table = config.get("validate", {})
    return {
        k: float(table[k]) if isinstance(table.get(k), (int, float)) else v
        for k, v in DEFAULT_LIMITS.items()
    }


def _layer_problems(spec: Mapping[str, Any], layer: str, toml_name: str) -> list[Problem]:
    """Unknown keys of a layer table and unknown names in its ``columns`` mapping."""
    problems = []
    for key in sorted(set(spec) - LAYER_KEYS):
        problems.append(
            Problem(
                toml_name,
                f"[{layer}]",
                key,
                "unknown key",
                f"use one of {', '.join(sorted(LAYER_KEYS))}",
            )
        )
    columns = spec.get("columns", {})
    known = set(SCHEMA[layer]) | {"id", *_COORDINATE_COLUMNS}
    for key in sorted(set(columns) - known):
        problems.append(
            Problem(
                toml_name,
                f"[{layer}.columns]",
                key,
                f"'{key}' is not a netopt column",
                f"the left-hand side is our name: one of {', '.join(sorted(known))}",
            )
        )
    return problems


def _limit_problems(table: Mapping[str, Any], toml_name: str) -> list[Problem]:
    """Unknown keys and non-numbers in the ``[validate]`` table."""
    problems = []
    for key in sorted(set(table) - set(DEFAULT_LIMITS)):
        problems.append(
            Problem(
                toml_name,
                "[validate]",
                key,
                "unknown key",
                f"use one of {', '.join(DEFAULT_LIMITS)}",
            )
        )
    for key in sorted(set(table) & set(DEFAULT_LIMITS)):
        if isinstance(table[key], bool) or not isinstance(table[key], (int, float)):
            problems.append(
                Problem(
                    toml_name,
                    "[validate]",
                    key,
                    f"{table[key]!r} is not a number",
                    "give a distance in km, e.g. 2.5",
                )
            )
    return problems


def _crs_problem(value: Any, toml_name: str, record: str, key: str) -> list[Problem]:
    """Return a problem if ``value`` is not a CRS we can use."""
    try:
        parse_crs(value)
    except ValueError:
        return [
            Problem(
                toml_name,
                record,
                key,
                f"unknown CRS {value!r}",
                'use "EPSG:4326" / "WGS84", "GCJ-02", or an "EPSG:nnnn" code',
            )
        ]
    return []
