"""Read and check ``region.toml``: its tables, their keys and column mappings, and defaults.

``region.toml`` names the file of each layer (one table per layer: ``[facilities]``,
``[zones]``, ...) and maps the user's column names (``[layer.columns]``) and tier labels
(``[facilities.tiers]``) to ours, with fill values for blank cells (``[layer.defaults]``).
This module knows that structure; :mod:`netopt.io.tables` reads the files it names.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from typing import Any

from netopt._crs import parse_crs
from netopt._errors import DataError, Problem
from netopt._locale import page_languages
from netopt.region import SCHEMA
from netopt.validate import DEFAULT_LIMITS

__all__ = [
    "DEFAULTS",
    "LAYERS",
    "LAYER_KEYS",
    "LINE_LAYERS",
    "METADATA_KEYS",
    "OSM_SUFFIXES",
    "REQUIRED",
    "TOP_KEYS",
    "check_config",
    "parse_toml",
    "toml_from_bytes",
    "unknown_key_problems",
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
#: Free-form metadata keys allowed at the top of region.toml (kept in ``Region.metadata``).
METADATA_KEYS = {
    "caveat",
    "language",
    "area",
    "emergency_fallback",
    "demand",
    "choice",
    "observed",
    "ambulance",
    "transfer_modes",
    "conditions",
    "costs",
    "diagnosis",
    "hosting",
    "description",
    "sources",
    "source",
    "notes",
    "license",
    "author",
    "version",
    "updated",
    "url",
    "metadata",
}
#: Keys allowed in a layer table.
LAYER_KEYS = {
    "file",
    "layer",
    "crs",
    "encoding",
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
        "capabilities": (),
        "can_lead": None,
        "alliance": None,
        "township": None,
        "area": None,
        "name_zh": None,
        "doctors": math.nan,
        "upgrade_beds": math.nan,
        "upgrade_cost_yuan": math.nan,
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


def toml_from_bytes(raw: bytes, name: str) -> dict[str, Any]:
    """Decode and parse the bytes of a TOML file (region.toml or a scenario file).

    The one reader of netopt's TOML files: UTF-8, a byte-order mark allowed.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file, named in the problem.

    Returns
    -------
    dict

    Raises
    ------
    DataError
        If the bytes are not UTF-8 text (a UTF-16 file is named as such) or not valid TOML.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise DataError(
            Problem(
                name,
                "",
                "",
                f"not UTF-8 text ({'a UTF-16 file' if utf16 else error.reason} at byte "
                f"{error.start})",
                "save it as UTF-8 (TOML files must be UTF-8)",
            )
        ) from None
    return parse_toml(text, name)


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
    problems = unknown_key_problems(
        config,
        TOP_KEYS | METADATA_KEYS,
        toml_name,
        "",
        what="top-level key",
    )
    for layer in LAYERS:
        if layer in config and not isinstance(config[layer], Mapping):
            problems.append(
                Problem(
                    toml_name,
                    "",
                    layer,
                    f"{config[layer]!r} is not a table",
                    f'write it as a table: [{layer}] then file = "<your {layer} file>"',
                )
            )
    if "validate" in config and not isinstance(config["validate"], Mapping):
        problems.append(
            Problem(
                toml_name,
                "",
                "validate",
                f"{config['validate']!r} is not a table",
                "write it as a [validate] table of limits",
            )
        )
    for layer in ("facilities", "zones"):
        if isinstance(config.get(layer), Mapping) and "file" not in config[layer]:
            problems.append(
                Problem(
                    toml_name,
                    f"[{layer}]",
                    "file",
                    "no file given",
                    f'add file = "<your {layer} file>" to the [{layer}] table',
                )
            )
        elif layer not in config:
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
    limits = config.get("validate", {})
    if isinstance(limits, Mapping):
        problems += _limit_problems(limits, toml_name)
    if "crs" in config:
        problems += _crs_problem(config["crs"], toml_name, "", "crs")
    problems += _planning_problems(config, toml_name)
    return problems


#: Keys of the ``[emergency_fallback]`` table of region.toml.
FALLBACK_KEYS = {"name", "wait_min", "availability"}


#: Tables of numbers in region.toml read by the patient-flow model (``netopt.flows``):
#: ``[demand]`` (visits per resident per year by care level), ``[choice]`` (choice-model
#: parameters) and ``[observed]`` (figures to calibrate against). Their keys are checked by
#: the flow model's own option classes when a plan is made.
FLOW_TABLES = ("demand", "choice", "observed")


def _number_table_problems(table: Any, name: str, toml_name: str) -> list[Problem]:
    """A flow table must be a table of finite numbers (shares in [0, 1] for ``[observed]``)."""
    if table is None:
        return []
    if not isinstance(table, Mapping):
        return [
            Problem(
                toml_name, "", name, f"{table!r} is not a table", f"write it as a table [{name}]"
            )
        ]
    problems = []
    for key, value in table.items():
        if isinstance(value, Mapping) and name == "observed" and key == "sd":
            problems += _number_table_problems(value, f"{name}.sd", toml_name)
            continue
        if not _number(value) or not math.isfinite(value):
            problems.append(
                Problem(toml_name, f"[{name}]", str(key), repr(value), "use a finite number")
            )
        elif name == "observed" and key.endswith("_share") and not 0 <= value <= 1:
            problems.append(
                Problem(
                    toml_name,
                    f"[{name}]",
                    str(key),
                    repr(value),
                    "give the share as a fraction in [0, 1], e.g. 0.92 for 92 %",
                )
            )
    return problems


def _pathway_table_problems(config: Mapping[str, Any], toml_name: str) -> list[Problem]:
    """``[[transfer_modes]]`` must be a list of tables and ``[conditions]`` a table of tables
    (their keys are checked by :mod:`netopt.pathways` when pathways are planned)."""
    problems = []
    modes = config.get("transfer_modes")
    if modes is not None and not (
        isinstance(modes, list) and all(isinstance(m, Mapping) for m in modes)
    ):
        problems.append(
            Problem(
                toml_name,
                "",
                "transfer_modes",
                repr(modes)[:80],
                'write each mode as a [[transfer_modes]] table with name, kind = "air", ...',
            )
        )
    conditions = config.get("conditions")
    if conditions is not None and not (
        isinstance(conditions, Mapping) and all(isinstance(c, Mapping) for c in conditions.values())
    ):
        problems.append(
            Problem(
                toml_name,
                "",
                "conditions",
                repr(conditions)[:80],
                "write each override as a table, e.g. [conditions.stroke] window_min = 270",
            )
        )
    return problems


def _planning_problems(config: Mapping[str, Any], toml_name: str) -> list[Problem]:
    """Problems with the planning keys: ``caveat``, ``area`` and ``[emergency_fallback]``."""
    problems = []
    caveat = config.get("caveat")
    if caveat is not None and not (isinstance(caveat, str) and caveat.strip()):
        problems.append(
            Problem(toml_name, "", "caveat", repr(caveat), 'write one line of text, caveat = "..."')
        )
    language = config.get("language")
    known = page_languages()
    if language is not None and language not in known:
        problems.append(
            Problem(toml_name, "", "language", repr(language), f"use one of {list(known)}")
        )
    area = config.get("area")
    codes = [area] if isinstance(area, str) else area
    if area is not None and not (
        isinstance(codes, list) and codes and all(isinstance(c, str) and c.isdigit() for c in codes)
    ):
        problems.append(
            Problem(
                toml_name,
                "",
                "area",
                repr(area),
                'give the administrative code(s) of the planning area as text, e.g. area = "330225"',
            )
        )
    for table in FLOW_TABLES:
        problems += _number_table_problems(config.get(table), table, toml_name)
    problems += _number_table_problems(config.get("ambulance"), "ambulance", toml_name)
    problems += _pathway_table_problems(config, toml_name)
    fallback = config.get("emergency_fallback")
    if fallback is None:
        return problems
    record = "[emergency_fallback]"
    if not isinstance(fallback, Mapping):
        return problems + [
            Problem(
                toml_name,
                "",
                "emergency_fallback",
                f"{fallback!r} is not a table",
                "write it as a table [emergency_fallback] with name, wait_min and availability",
            )
        ]
    problems += unknown_key_problems(fallback, FALLBACK_KEYS, toml_name, record)
    wait = fallback.get("wait_min")
    if not _number(wait) or not wait >= 0:
        problems.append(
            Problem(
                toml_name,
                record,
                "wait_min",
                "missing" if wait is None else repr(wait),
                "give the minutes until the ambulance boat or helicopter leaves, >= 0",
            )
        )
    availability = fallback.get("availability", 1.0)
    if not _number(availability) or not 0 < availability <= 1:
        problems.append(
            Problem(
                toml_name,
                record,
                "availability",
                repr(availability),
                "give the share of closures in which it can go, in (0, 1], e.g. 0.8",
            )
        )
    name = fallback.get("name", "emergency fallback")
    if not isinstance(name, str) or not name.strip():
        problems.append(
            Problem(toml_name, record, "name", repr(name), 'name it, e.g. name = "ambulance boat"')
        )
    return problems


def _number(value: Any) -> bool:
    """True for an int or float that is not a bool and not NaN."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


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
    if not isinstance(table, Mapping):
        table = {}
    return {
        k: float(table[k]) if isinstance(table.get(k), (int, float)) else v
        for k, v in DEFAULT_LIMITS.items()
    }


def unknown_key_problems(
    table: Mapping[str, Any],
    valid: set[str] | frozenset[str],
    toml_name: str,
    record: str,
    *,
    what: str = "key",
) -> list[Problem]:
    """Return one problem per key of ``table`` not in ``valid``, with the closest valid key.

    Parameters
    ----------
    table : mapping
        A table of region.toml.
    valid : set of str
        The keys allowed in it.
    toml_name : str
        The file name, for the problems.
    record : str
        The table named in the problems, e.g. ``"[ferries]"`` ("" for the top level).
    what : str, default "key"
        What the keys are, for the fix text.

    Returns
    -------
    list of Problem
        ``found`` is ``"unknown key"``; ``fix`` starts with ``did you mean '...'?`` when a
        valid key is close (:func:`difflib.get_close_matches`).
    """
    names = sorted(valid)
    problems = []
    for key in sorted(set(map(str, table)) - set(valid)):
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            Problem(
                toml_name,
                record,
                key,
                "unknown key",
                f"{hint}each {what} must be one of {', '.join(names)}",
            )
        )
    return problems


def _layer_problems(spec: Mapping[str, Any], layer: str, toml_name: str) -> list[Problem]:
    """Unknown keys of a layer table and of its ``columns`` and ``defaults`` tables."""
    problems = unknown_key_problems(spec, LAYER_KEYS, toml_name, f"[{layer}]")
    for sub in ("columns", "tiers", "defaults"):
        if sub in spec and not isinstance(spec[sub], Mapping):
            problems.append(
                Problem(
                    toml_name,
                    f"[{layer}]",
                    sub,
                    f"{spec[sub]!r} is not a table",
                    f"write it as a [{layer}.{sub}] table",
                )
            )
    columns = spec.get("columns", {})
    columns = columns if isinstance(columns, Mapping) else {}
    known = set(SCHEMA[layer]) | {"id", *_COORDINATE_COLUMNS}
    for key in sorted(set(columns) - known):
        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            Problem(
                toml_name,
                f"[{layer}.columns]",
                key,
                f"'{key}' is not a netopt column",
                f"{hint}the left-hand side is our name: one of {', '.join(sorted(known))}",
            )
        )
    defaults = spec.get("defaults", {})
    if isinstance(defaults, Mapping):
        problems += unknown_key_problems(
            defaults, set(SCHEMA[layer]), toml_name, f"[{layer}.defaults]", what="column"
        )
    return problems


def _limit_problems(table: Mapping[str, Any], toml_name: str) -> list[Problem]:
    """Unknown keys and non-numbers in the ``[validate]`` table."""
    problems = unknown_key_problems(table, set(DEFAULT_LIMITS), toml_name, "[validate]")
    for key in sorted(set(table) & set(DEFAULT_LIMITS)):
        if isinstance(table[key], bool) or not isinstance(table[key], (int, float)):
            problems.append(
                Problem(
                    toml_name,
                    "[validate]",
                    key,
                    f"{table[key]!r} is not a number",
                    "give a number, e.g. 2.5 (km) or 100000 (people per km²)",
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
