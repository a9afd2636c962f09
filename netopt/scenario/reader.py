"""The scenario file reader: TOML tables to the option objects of a :class:`Scenario`.

Scenario file format (every key optional except ``region``; see the README)::

    name = "storm"                     # output folder name; default: the file name
    title = "Storm day: ferries closed"
    description = "..."
    extends = "optimised.toml"         # a base scenario, relative to this file
    region = ".."                      # region folder, relative to this file
    language = "zh"                    # maps and reports: "en", "zh" (default: the region's)

    [graph]                            # netopt.graph.GraphOptions fields
    surface_speed_kmh = 30

    [modifiers]                        # netopt.scenario.Modifiers fields
    depart_at = "08:00"                # clock time at the ferry ports
    close_ferries = ["F1", "F4"]
    headways = { F2 = 30 }             # route id -> minutes between departures
    departures = { F1 = ["12:00"] }    # extra departures, both directions
    night = false                      # ferries do not run
    emergency = false                  # ambulance speeds, no ferry wait
    [modifiers.links.new_bridge]       # a new bridge or road, keyed by its name
    from = [121.90, 29.17]             # lon, lat (WGS-84)
    to = [121.95, 29.19]
    travel_min = 5                     # optional; default from length

    [model]                            # netopt.alliances.AllianceOptions fields
    p = 2                              # number of alliances
    fixed_leads = ["XS-H01"]
    evaluate_only = false              # true: evaluate today's alliances as they are
    capacities = true
    max_travel_min = 90
    objective = "median"               # "median" | "center" | "coverage"
    [model.rates]                      # netopt.kpis.Rates fields
    referrals_per_year = 0.152

    [rotations]                        # enabled + netopt.rotations.RotationOptions fields
    enabled = true
    horizon_days = 28
    start_date = 2026-03-02
    rhythm_days = 14
    [rotations.solver]                 # SolverParams fields for the rotation model only
    time_limit_s = 10                  # (overrides [solver]; the rest is inherited)

    [pathways]                         # netopt.pathways.PathwayOptions fields (on by default)
    conditions = ["stroke", "stemi"]   # default: every condition; enabled = false: none
    [pathways.siting]                  # netopt.pathways.Siting: where to put a capability
    condition = "stroke"
    candidates = ["XS-H02", "XS-H03"]
    add = 1
    objective = "night_islanders"

    [costs]                            # netopt.costs.Costs fields (prices, budget)
    budget_per_resident_yuan = 3800    # over region.toml [costs]; enabled = false: none
    [diagnosis]                        # netopt.diagnosis.DiagnosisOptions (off by default)
    [diagnosis.laboratory]             # a service: window_min, candidates, fixed_centres...
    window_min = 240
    [diagnosis.courier]                # netopt.diagnosis.CourierOptions
    vehicles_per_centre = 3
    [hosting]                          # netopt.hosting.HostingOptions (off by default)
    [[hosting.links]]                  # with region.toml's [[hosting]] rows
    partner = "NB-H01"                 # (region_links = false: without them)
    lead = "XS-H01"

    [solver]                           # netopt.solve.SolverParams fields
    time_limit_s = 20                  # seconds per solve (see SolverParams)
    seed = 0

A variant that ``extends`` a base states only what differs: tables are merged key by key
(deep merge), any other value replaces the base's. ``name``, ``title`` and ``description``
are never inherited.

Each table is parsed once, by the ``from_dict`` of the object it describes; the reader only
adds what a file needs: the ``extends`` chain, unknown keys with the closest valid key, and
every problem of every table collected in one pass and raised once as a
:class:`~netopt.DataError` naming this file and the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from netopt._errors import DataError, Problem
from netopt._options import unknown_keys
from netopt.alliances import AllianceOptions
from netopt.graph import GraphOptions
from netopt.io.config import toml_from_bytes
from netopt.kpis import Rates
from netopt.pathways import PathwayOptions
from netopt.rotations import RotationOptions
from netopt.scenario.extras import EXTRA_TABLES, check_extra
from netopt.scenario.options import Modifiers
from netopt.solve import SolverParams

__all__ = ["NAME_PATTERN", "TOP_KEYS", "deep_merge", "read_chain", "scenario_fields"]

#: A scenario name: it names an output folder.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

#: Keys of the top level of a scenario file.
TOP_KEYS: tuple[str, ...] = (
    "name",
    "title",
    "description",
    "extends",
    "region",
    "language",
    "graph",
    "modifiers",
    "model",
    "rotations",
    "pathways",
    "costs",
    "diagnosis",
    "hosting",
    "solver",
)

#: Keys a scenario never inherits from the base it extends.
_NOT_INHERITED = ("name", "title", "description")

#: Keys of ``[rotations]`` besides the RotationOptions fields.
_ROTATION_KEYS = ("enabled", "solver")

#: Keys of the old ``[rotations]`` format -> where they went.
_MOVED = {
    "options": "write its keys directly under [rotations] (they are RotationOptions fields)",
    "time_limit": "write it as [rotations.solver] time_limit_s = <seconds>",
}


def read_chain(path: str | Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read one scenario file and the bases it ``extends``; return the merged tables.

    A relative ``region`` is resolved against the file that states it.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.toml`` file.
    seen : tuple of pathlib.Path
        Files already on the chain (to report cycles).

    Returns
    -------
    dict

    Raises
    ------
    DataError
        Invalid TOML or text that is not UTF-8, a non-text ``extends`` or a circular chain (naming the chain).
    FileNotFoundError
        If the file or a base does not exist.
    """
    path = Path(path).resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise DataError(
            Problem(
                str(path),
                "",
                "extends",
                f"circular extends: {chain}",
                "remove one of the extends keys",
            )
        )
    if not path.is_file():
        raise FileNotFoundError(f"scenario file not found: {path}")
    data = toml_from_bytes(path.read_bytes(), str(path))
    if isinstance(data.get("region"), str) and not Path(data["region"]).is_absolute():
        data["region"] = str((path.parent / data["region"]).resolve())
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data
    if not isinstance(base_ref, str):
        raise DataError(
            Problem(
                str(path),
                "",
                "extends",
                repr(base_ref),
                'give the base file as a string, e.g. extends = "base.toml"',
            )
        )
    base = read_chain(path.parent / base_ref, (*seen, path))
    for key in _NOT_INHERITED:
        base.pop(key, None)
    return deep_merge(base, data)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``override``; tables merge key by key, other values replace.

    Parameters
    ----------
    base, override : mapping

    Returns
    -------
    dict

    Examples
    --------
    >>> deep_merge({"a": {"x": 1, "y": [1]}}, {"a": {"y": [2]}})
    {'a': {'x': 1, 'y': [2]}}
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def scenario_fields(
    data: Mapping[str, Any],
    *,
    file: str | Path | None = None,
    base_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Parse the (merged) tables of a scenario file into the fields of a :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        Tables and keys as in the module docstring.
    file : str or pathlib.Path, optional
        File named in error messages; its stem is the default name and its folder the
        default ``base_dir``.
    base_dir : str or pathlib.Path, optional
        Folder that a relative ``region`` path is relative to (default: the file's folder,
        else the current folder).

    Returns
    -------
    dict
        ``name``, ``region``, ``title``, ``description``, ``graph``, ``modifiers``,
        ``model``, ``rotations``, ``solver``, ``rotation_solver``, ``pathways``,
        ``language``, ``source``.

    Raises
    ------
    DataError
        Every problem of every table, found in one pass.
    """
    fname = str(file) if file is not None else "scenario"
    read = _Reader(fname)
    read.unknown("", data, TOP_KEYS)
    base = Path(base_dir) if base_dir is not None else (Path(file).parent if file else Path())
    name = data.get("name", Path(file).stem if file is not None else None)
    if name is None:
        read.add("", "name", "missing", 'add name = "<folder name>"')
    elif not isinstance(name, str) or not NAME_PATTERN.match(name):
        read.add("", "name", repr(name), "use letters, digits, '_', '.' or '-' (it names a folder)")
    title = read.text(data, "title")
    description = read.text(data, "description")
    region = _region(data, base, read)
    language = _language(data, read)

    graph = read.build("graph", read.table(data, "graph"), _graph_options, _graph_keys())
    modifiers = read.build(
        "modifiers", read.table(data, "modifiers"), Modifiers.from_dict, Modifiers.fields()
    )
    model = _model(read.table(data, "model"), read)
    solver = read.build(
        "solver", read.table(data, "solver"), SolverParams.from_dict, SolverParams.fields()
    )
    rotations, rotation_solver = _rotations(read.table(data, "rotations"), solver, read)
    pathways = _pathways(read.table(data, "pathways"), read)
    extras = {key: _extra(data, key, read) for key in EXTRA_TABLES}
    if read.problems:
        raise DataError(read.problems)
    return {
        "name": name,
        "region": region,
        "title": title,
        "description": description,
        "graph": graph,
        "modifiers": modifiers,
        "model": model,
        "rotations": rotations,
        "solver": solver,
        "rotation_solver": rotation_solver,
        "pathways": pathways,
        **extras,
        "language": language,
        "source": Path(file) if file is not None else None,
    }


class _Reader:
    """Collects the problems of one file; each one names the file and the table."""

    def __init__(self, fname: str):
        self.fname = fname
        self.problems: list[Problem | str] = []

    def add(self, table: str, key: str, found: str, fix: str) -> None:
        self.problems.append(Problem(self.fname, table, key, found, fix))

    def unknown(self, table: str, data: Mapping[str, Any], valid: tuple[str, ...]) -> None:
        """Report every key of ``data`` not in ``valid``, with the closest valid key."""
        self.problems += [
            Problem(self.fname, table, p.field, p.found, p.fix)
            for p in unknown_keys(table, data, valid, sort=True)
        ]

    def text(self, data: Mapping[str, Any], key: str) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            self.add("", key, repr(value), "use a string in quotes")
            return ""
        return value

    def table(self, data: Mapping[str, Any], key: str, parent: str = "") -> Mapping[str, Any]:
        """The sub-table ``key`` of ``data`` ({} when missing; a problem when not a table)."""
        value = data.get(key, {})
        if isinstance(value, Mapping):
            return value
        where = f"{parent}.{key}" if parent else key
        self.add(f"[{parent}]" if parent else "", key, repr(value), f"write it as [{where}]")
        return {}

    def build(
        self,
        table: str,
        values: Mapping[str, Any],
        from_dict: Callable[..., Any],
        valid: tuple[str, ...],
        *,
        given: Mapping[str, Any] | None = None,
    ) -> Any:
        """Build one option object from a table; its problems become this file's.

        Unknown keys are reported here (with the closest valid key) and left out, so that
        the values of the known keys are checked in the same pass. ``given`` is the table
        as written, when ``values`` adds inherited values to it.
        """
        source = f"[{table}]"
        self.unknown(source, values if given is None else given, valid)
        try:
            return from_dict(_known(values, valid), source=source)
        except DataError as exc:
            self.problems += [self._relabel(p, source) for p in exc.problems]
        except (TypeError, ValueError) as exc:
            self.add(source, "", str(exc), "check the value types")
        return None

    def _relabel(self, problem: Problem | str, source: str) -> Problem:
        """A problem of an option object, as a problem of this file and table."""
        if not isinstance(problem, Problem):
            return Problem(self.fname, source, "", str(problem), "check the table")
        table = problem.file if problem.file.startswith("[") else source
        field = problem.field
        if problem.record and not problem.file.startswith("["):
            field = f"{problem.record}.{field}" if field else problem.record
        return Problem(self.fname, table, field, problem.found, problem.fix)


def _region(data: Mapping[str, Any], base: Path, read: _Reader) -> Path | None:
    """The region folder, resolved against ``base``; a problem when it has no region.toml."""
    if "region" not in data:
        read.add(
            "",
            "region",
            "missing",
            'add region = "<folder with region.toml>" (relative to this file)',
        )
        return None
    if not isinstance(data["region"], str):
        read.add(
            "", "region", repr(data["region"]), 'give the folder as a string, e.g. region = ".."'
        )
        return None
    path = Path(data["region"])
    if not path.is_absolute():
        path = (base / path).resolve()
    toml_path = path if path.suffix == ".toml" else path / "region.toml"
    if not toml_path.is_file():
        read.add(
            "",
            "region",
            f"no region.toml at {toml_path}",
            "give the region folder, relative to this scenario file",
        )
    return path


def _language(data: Mapping[str, Any], read: _Reader) -> str | None:
    """The top-level ``language`` (None when not given; a problem when unknown)."""
    from netopt._locale import page_languages

    value = data.get("language")
    if value is None or value in page_languages():
        return value
    read.add("", "language", repr(value), f"use one of {list(page_languages())}")
    return None


def _model(table: Mapping[str, Any], read: _Reader) -> AllianceOptions | None:
    """``[model]`` and its ``[model.rates]`` as AllianceOptions (None after a problem)."""
    if "rates" in table:
        rates = read.table(table, "rates", "model")
        read.unknown("[model.rates]", rates, _rates_keys())
        table = {**table, "rates": _known(rates, _rates_keys())}
    model = read.build("model", table, AllianceOptions.from_dict, _model_keys())
    if model is not None and not model.evaluate_only and model.p is None and not model.fixed_leads:
        read.add(
            "[model]",
            "p",
            "neither p nor fixed_leads given",
            "set p = <number of alliances>, fixed_leads = [...], or evaluate_only = true",
        )
    return model


def _rotations(
    table: Mapping[str, Any], solver: SolverParams | None, read: _Reader
) -> tuple[RotationOptions | None, SolverParams | None]:
    """``[rotations]`` as RotationOptions and ``[rotations.solver]`` merged over ``solver``.

    Both are None when rotations are not enabled (their values are still checked).
    """
    read.unknown(
        "[rotations]", {k: v for k, v in table.items() if k not in _MOVED}, _rotations_keys()
    )
    for key in (k for k in _MOVED if k in table):
        read.add("[rotations]", key, "no longer a key", _MOVED[key])
    enabled = table.get("enabled", False)
    if not isinstance(enabled, bool):
        read.add("[rotations]", "enabled", repr(enabled), "use true or false")
        enabled = False
    values = {k: v for k, v in table.items() if k not in _ROTATION_KEYS and k not in _MOVED}
    # given={}: the unknown keys were reported above, with enabled and solver among the valid.
    options = read.build("rotations", values, RotationOptions.from_dict, _rotation_keys(), given={})
    params = None
    if "solver" in table:
        overrides = read.table(table, "solver", "rotations")
        params = read.build(
            "rotations.solver",
            {**(solver or SolverParams()).to_dict(), **overrides},
            SolverParams.from_dict,
            SolverParams.fields(),
            given=overrides,
        )
    return (options, params) if enabled else (None, None)


def _known(data: Mapping[str, Any], valid: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in valid}


def _graph_options(data: Mapping[str, Any], *, source: str) -> GraphOptions:
    """:meth:`GraphOptions.from_dict` (it names no table; the reader relabels its problems)."""
    return GraphOptions.from_dict(data)


def _graph_keys() -> tuple[str, ...]:
    return tuple(GraphOptions.__dataclass_fields__)


def _rates_keys() -> tuple[str, ...]:
    return tuple(Rates.__dataclass_fields__)


def _pathways(table: Mapping[str, Any], read: _Reader) -> PathwayOptions | None:
    """``[pathways]`` as PathwayOptions (time-critical pathways are planned in every scenario
    unless ``enabled = false``); None when disabled or after a problem."""
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        read.add("[pathways]", "enabled", repr(enabled), "use true or false")
        return None
    values = {k: v for k, v in table.items() if k != "enabled"}
    options = read.build(
        "pathways", values, PathwayOptions.from_dict, (*PathwayOptions.fields(),),
        given=values,
    )  # fmt: skip
    return options if enabled else None


def _extra(data: Mapping[str, Any], key: str, read: _Reader) -> Any:
    """``[costs]``, ``[diagnosis]`` or ``[hosting]`` checked (:mod:`netopt.scenario.extras`):
    the table, or None when absent (costs: ``{}``, the region's) or disabled."""
    if key not in data:
        return {} if key == "costs" else None
    table = read.table(data, key)
    try:
        return check_extra(key, table, source=read.fname)
    except DataError as exc:
        read.problems += list(exc.problems)
    return None


def _model_keys() -> tuple[str, ...]:
    return tuple(AllianceOptions.fields())


def _rotation_keys() -> tuple[str, ...]:
    return tuple(RotationOptions.fields())


def _rotations_keys() -> tuple[str, ...]:
    """The valid keys of ``[rotations]``: enabled, solver and the RotationOptions fields."""
    return (*_ROTATION_KEYS, *_rotation_keys())
