"""Scenarios: one planning question as a TOML file, run end to end into a folder of outputs.

A :class:`Scenario` names a region folder, the changes to its travel network (close a ferry,
change a headway, add a bridge, night, emergency mode), the alliance model (number of
alliances, fixed leads, evaluation of today's alliances, capacities, travel limit,
objective), the expert rotation options and the solver limits. :func:`run` turns it into a
:class:`Result` (plan, schedule, KPIs, the naive baseline and the three population counts);
:meth:`Result.to_folder` writes every output atomically; :func:`compare` puts several
results side by side.

Scenario file format (every key optional except ``region``; see the README)::

    name = "storm"                     # output folder name; default: the file name
    title = "Storm day: ferries closed"
    description = "..."
    extends = "optimised.toml"         # a base scenario, relative to this file
    region = ".."                      # region folder, relative to this file

    [graph]                            # netopt.graph.GraphOptions fields
    surface_speed_kmh = 30

    [modifiers]
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

    [model]
    p = 2                              # number of alliances
    fixed_leads = ["XS-H01"]
    evaluate_only = false              # true: evaluate today's alliances as they are
    capacities = true
    max_travel_min = 90
    objective = "median"               # "median" | "center" | "coverage"
    [model.rates]                      # netopt.kpis.Rates fields
    referrals_per_year = 0.152

    [rotations]
    enabled = true
    horizon_days = 28
    start_date = 2026-03-02
    rhythm_days = 14

    [solver]
    time_limit = 20                    # seconds per solve
    seed = 0

A variant that ``extends`` a base states only what differs: tables are merged key by key
(deep merge), any other value replaces the base's. ``name``, ``title`` and ``description``
are never inherited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import logging
import math
import re
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netopt._atomic import atomic_dir, atomic_path
from netopt._errors import DataError, Problem, SolverError
from netopt.region import Region

if TYPE_CHECKING:
    from netopt.alliances import AlliancePlan
    from netopt.graph import TravelGraph
    from netopt.rotations import RotationSchedule

__all__ = [
    "DEMO_SCENARIOS",
    "MAIN_KPIS",
    "OUTPUT_FILES",
    "STEPS",
    "Comparison",
    "ModelOptions",
    "Modifiers",
    "NewLink",
    "Result",
    "RotationOptions",
    "Scenario",
    "SolverOptions",
    "apply_modifiers",
    "compare",
    "deep_merge",
    "demo_scenarios",
    "is_current",
    "load_summary",
    "region_fingerprint",
    "run",
    "run_all",
    "run_and_compare",
    "write_comparison",
]

logger = logging.getLogger(__name__)

#: KPIs shown first in reports and charted in comparisons.
MAIN_KPIS: tuple[str, ...] = (
    "mean_lead_min",
    "p90_lead_min",
    "share_lead_60min",
    "patient_hours_per_year",
    "mean_lead_min_island",
    "population_served",
    "population_unserved_capacity",
    "population_not_covered",
    "in_area_share",
    "grassroots_share",
)

#: Files :meth:`Result.to_folder` writes (``schedule.csv`` and ``ics/`` only with rotations).
OUTPUT_FILES: tuple[str, ...] = (
    "plan.gpkg",
    "assignments.csv",
    "alliances.csv",
    "kpis.json",
    "map.html",
    "report.html",
    "scenario.toml",
    "run.json",
)

#: Progress callback: called with a short description of each step.
Progress = Callable[[str], None]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")
_OBJECTIVES = ("median", "center", "coverage")
#: Keys a scenario never inherits from the base it extends.
_NOT_INHERITED = ("name", "title", "description")


# ------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class NewLink:
    """A bridge or road to add to the network (see :func:`netopt.graph.add_link`).

    Parameters
    ----------
    name : str
        Link id, stored on the new edges.
    a, b : tuple of float
        Ends as (longitude, latitude), WGS-84.
    travel_min : float, optional
        Travel time; None: the length at the graph's ``link_speed_kmh``.
    """

    name: str
    a: tuple[float, float]
    b: tuple[float, float]
    travel_min: float | None = None


@dataclass(frozen=True)
class Modifiers:
    """Changes to the travel network, applied in the order of the fields.

    Parameters
    ----------
    depart_at : str, optional
        ``"HH:MM"`` clock time at the ferry ports (None: typical daytime waits).
    close_ferries : tuple of str
        Ferry route ids to close (a storm day).
    headways : mapping of str to float
        Route id to minutes between departures.
    departures : mapping of str to tuple of str
        Route id to extra ``"HH:MM"`` departures (both directions).
    links : tuple of NewLink
        Bridges or roads to add.
    night : bool
        Ferries do not run.
    emergency : bool
        Ambulance trips: faster roads, no ferry wait (:func:`netopt.graph.emergency_mode`).
    emergency_speed_factor : float, optional
        Road speed factor in emergency mode (default from the graph options).
    """

    depart_at: str | None = None
    close_ferries: tuple[str, ...] = ()
    headways: Mapping[str, float] = field(default_factory=dict)
    departures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    links: tuple[NewLink, ...] = ()
    night: bool = False
    emergency: bool = False
    emergency_speed_factor: float | None = None


@dataclass(frozen=True)
class ModelOptions:
    """The alliance model (see :func:`netopt.alliances.plan_alliances`).

    Parameters
    ----------
    p : int, optional
        Number of alliances; None with ``fixed_leads``: exactly those leads.
    fixed_leads : tuple of str
        Facility ids that must lead.
    candidates : tuple of str, optional
        Facility ids that may lead (default: every ``can_lead`` facility).
    evaluate_only : bool
        Evaluate today's alliances (the facilities' ``alliance`` column) without optimising.
    capacities : bool
        Enforce lead admission capacity.
    max_travel_min : float, optional
        Hard limit on every zone's one-way time to its lead.
    objective : {"median", "center", "coverage"}
        Patient-hours, worst time, or population within ``max_travel_min``.
    rates : mapping
        Overrides of :class:`netopt.kpis.Rates` fields.
    """

    p: int | None = None
    fixed_leads: tuple[str, ...] = ()
    candidates: tuple[str, ...] | None = None
    evaluate_only: bool = False
    capacities: bool = True
    max_travel_min: float | None = None
    objective: str = "median"
    rates: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RotationOptions:
    """Expert rotation options (see :func:`netopt.rotations.schedule_rotations`).

    Parameters
    ----------
    enabled : bool
        Schedule expert rotations for the plan.
    horizon_days : int
        Days planned (28: four weeks).
    start_date : datetime.date, optional
        First day; None: the scheduler's default.
    rhythm_days : int or mapping of str to int
        Every site needing a specialty gets a visit in every window of this many days (a
        table gives the days per specialty).
    time_limit : float, optional
        Solver seconds for the schedule (default: the scenario's solver time limit).
    options : mapping
        Further keyword arguments passed to ``schedule_rotations``.
    """

    enabled: bool = False
    horizon_days: int = 28
    start_date: dt.date | None = None
    rhythm_days: int | Mapping[str, int] = 14
    time_limit: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SolverOptions:
    """Solver limits shared by every model of a scenario.

    Parameters
    ----------
    time_limit : float
        Seconds per solve.
    seed : int
        Random seed; the same seed gives the same answer.
    """

    time_limit: float = 60.0
    seed: int = 0


@dataclass(frozen=True, eq=False)
class Scenario:
    """One planning question: region, network changes, model, rotations, solver limits.

    Parameters
    ----------
    name : str
        Output folder name (letters, digits, ``_ . -``).
    region : pathlib.Path or Region
        Region folder (``region.toml``), or a loaded :class:`~netopt.region.Region`
        (results from an in-memory region are never reused from a cache).
    title, description : str
        Shown on reports.
    graph : mapping
        :class:`netopt.graph.GraphOptions` fields.
    modifiers : Modifiers
    model : ModelOptions
    rotations : RotationOptions
    solver : SolverOptions
    source : pathlib.Path, optional
        The TOML file the scenario was read from.

    Examples
    --------
    >>> s = Scenario("two", "geodata/xiangshan", model=ModelOptions(p=2))  # doctest: +SKIP
    >>> s = Scenario.from_toml("geodata/xiangshan/scenarios/storm.toml")  # doctest: +SKIP
    """

    name: str
    region: Path | Region
    title: str = ""
    description: str = ""
    graph: Mapping[str, Any] = field(default_factory=dict)
    modifiers: Modifiers = Modifiers()
    model: ModelOptions = ModelOptions()
    rotations: RotationOptions = RotationOptions()
    solver: SolverOptions = SolverOptions()
    source: Path | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.region, Region):
            object.__setattr__(self, "region", Path(self.region))
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise DataError(
                Problem(
                    str(self.source or "Scenario"),
                    "",
                    "name",
                    repr(self.name),
                    "use letters, digits, '_', '.' or '-' (it names a folder)",
                )
            )

    # -- construction ----------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read and validate a scenario file, following ``extends`` chains.

        Parameters
        ----------
        path : str or pathlib.Path
            The ``.toml`` file.

        Returns
        -------
        Scenario

        Raises
        ------
        DataError
            Every problem found: the file, the table, the key, what was found and the fix
            (unknown keys come with the closest valid key).
        FileNotFoundError
            If the file (or a base it extends) does not exist.
        """
        path = Path(path)
        data = _read_chain(path, ())
        return cls.from_dict(data, file=path)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        file: str | Path | None = None,
        base_dir: str | Path | None = None,
    ) -> Scenario:
        """Build a scenario from the (merged) contents of a scenario file.

        Parameters
        ----------
        data : mapping
            Tables and keys as in the module docstring.
        file : str or pathlib.Path, optional
            File named in error messages; its stem is the default name and its folder the
            default ``base_dir``.
        base_dir : str or pathlib.Path, optional
            Folder that a relative ``region`` path is relative to (default: the current
            folder, or the file's folder).

        Returns
        -------
        Scenario

        Raises
        ------
        DataError
            Every problem found in one pass.
        """
        fname = str(file) if file is not None else "scenario"
        problems = _check_keys(data, fname)
        base = (
            Path(base_dir)
            if base_dir is not None
            else (Path(file).parent if file is not None else Path("."))
        )
        name = data.get("name", Path(file).stem if file is not None else None)
        if "region" not in data:
            problems.append(
                Problem(
                    fname,
                    "",
                    "region",
                    "missing",
                    'add region = "<folder with region.toml>" (relative to this file)',
                )
            )
        elif not isinstance(data["region"], str):
            problems.append(
                Problem(
                    fname,
                    "",
                    "region",
                    repr(data["region"]),
                    'give the folder as a string, e.g. region = ".."',
                )
            )
        get = _Getter(fname, problems)
        mods = _table(data, "modifiers")
        model = _table(data, "model")
        rot = _table(data, "rotations")
        solver = _table(data, "solver")
        scenario_kwargs: dict[str, Any] = {
            "title": get.text(data, "", "title", ""),
            "description": get.text(data, "", "description", ""),
            "graph": _graph_options(data.get("graph", {}), fname, problems),
            "modifiers": Modifiers(
                depart_at=get.clock(mods, "modifiers", "depart_at"),
                close_ferries=get.texts(mods, "modifiers", "close_ferries"),
                headways=get.numbers(mods, "modifiers", "headways"),
                departures=get.clock_lists(mods, "modifiers", "departures"),
                links=get.links(mods, "modifiers", "links"),
                night=get.flag(mods, "modifiers", "night", False),
                emergency=get.flag(mods, "modifiers", "emergency", False),
                emergency_speed_factor=get.positive(mods, "modifiers", "emergency_speed_factor"),
            ),
            "model": ModelOptions(
                p=get.count(model, "model", "p"),
                fixed_leads=get.texts(model, "model", "fixed_leads"),
                candidates=(
                    get.texts(model, "model", "candidates") if "candidates" in model else None
                ),
                evaluate_only=get.flag(model, "model", "evaluate_only", False),
                capacities=get.flag(model, "model", "capacities", True),
                max_travel_min=get.positive(model, "model", "max_travel_min"),
                objective=get.choice(model, "model", "objective", _OBJECTIVES, "median"),
                rates=_rates(model.get("rates", {}), fname, problems),
            ),
            "rotations": RotationOptions(
                enabled=get.flag(rot, "rotations", "enabled", False),
                horizon_days=get.count(rot, "rotations", "horizon_days") or 28,
                start_date=get.date(rot, "rotations", "start_date"),
                rhythm_days=get.rhythm(rot, "rotations", "rhythm_days"),
                time_limit=get.positive(rot, "rotations", "time_limit"),
                options=dict(get.table(rot, "rotations", "options")),
            ),
            "solver": SolverOptions(
                time_limit=get.positive(solver, "solver", "time_limit") or 60.0,
                seed=get.integer(solver, "solver", "seed") or 0,
            ),
        }
        model_opts = scenario_kwargs["model"]
        if model_opts.objective == "coverage" and model_opts.max_travel_min is None:
            problems.append(
                Problem(
                    fname,
                    "[model]",
                    "max_travel_min",
                    "missing",
                    'objective = "coverage" needs max_travel_min',
                )
            )
        if not model_opts.evaluate_only and model_opts.p is None and not model_opts.fixed_leads:
            problems.append(
                Problem(
                    fname,
                    "[model]",
                    "p",
                    "neither p nor fixed_leads given",
                    "set p = <number of alliances>, fixed_leads = [...], or evaluate_only = true",
                )
            )
        if name is None:
            problems.append(Problem(fname, "", "name", "missing", 'add name = "<folder name>"'))
        elif not isinstance(name, str) or not _NAME.match(name):
            problems.append(
                Problem(
                    fname,
                    "",
                    "name",
                    repr(name),
                    "use letters, digits, '_', '.' or '-' (it names a folder)",
                )
            )
        region_path = None
        if isinstance(data.get("region"), str):
            region_path = Path(data["region"])
            if not region_path.is_absolute():
                region_path = (base / region_path).resolve()
            toml_path = (
                region_path if region_path.suffix == ".toml" else region_path / "region.toml"
            )
            if not toml_path.is_file():
                problems.append(
                    Problem(
                        fname,
                        "",
                        "region",
                        f"no region.toml at {toml_path}",
                        "give the region folder, relative to this scenario file",
                    )
                )
        if problems:
            raise DataError(problems)
        return cls(
            name=name, region=region_path, source=Path(file) if file else None, **scenario_kwargs
        )

    def replace(self, **changes: Any) -> Scenario:
        """Return a copy with some fields changed.

        Parameters
        ----------
        **changes
            Field names to new values; ``model``, ``modifiers``, ``rotations`` and
            ``solver`` may also be given as dicts of the fields to change.

        Returns
        -------
        Scenario
        """
        for key in ("model", "modifiers", "rotations", "solver"):
            if isinstance(changes.get(key), Mapping):
                changes[key] = dataclasses.replace(getattr(self, key), **changes[key])
        return dataclasses.replace(self, **changes)

    # -- description -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as the tables of a scenario file (fully resolved).

        Returns
        -------
        dict
            Plain values (str, int, float, bool, lists, tables); no ``extends``.
        """
        m = self.modifiers
        rot = self.rotations
        region = (
            str(self.region)
            if isinstance(self.region, Path)
            else f"<in-memory region {self.region.name}>"
        )
        model = {k: v for k, v in dataclasses.asdict(self.model).items() if k != "rates"}
        model = {k: list(v) if isinstance(v, tuple) else v for k, v in model.items()}
        return _drop_none(
            {
                "name": self.name,
                "title": self.title,
                "description": self.description,
                "region": region,
                "graph": dict(self.graph),
                "modifiers": {
                    "depart_at": m.depart_at,
                    "close_ferries": list(m.close_ferries),
                    "headways": dict(m.headways),
                    "departures": {k: list(v) for k, v in m.departures.items()},
                    "links": {
                        ln.name: _drop_none(
                            {"from": list(ln.a), "to": list(ln.b), "travel_min": ln.travel_min}
                        )
                        for ln in m.links
                    },
                    "night": m.night,
                    "emergency": m.emergency,
                    "emergency_speed_factor": m.emergency_speed_factor,
                },
                "model": {**model, "rates": dict(self.model.rates)},
                "rotations": {
                    "enabled": rot.enabled,
                    "horizon_days": rot.horizon_days,
                    "start_date": rot.start_date.isoformat() if rot.start_date else None,
                    "rhythm_days": (
                        dict(rot.rhythm_days)
                        if isinstance(rot.rhythm_days, Mapping)
                        else rot.rhythm_days
                    ),
                    "time_limit": rot.time_limit,
                    "options": dict(rot.options),
                },
                "solver": dataclasses.asdict(self.solver),
            }
        )

    def fingerprint(self) -> str | None:
        """Return a SHA-256 of the resolved scenario, the region files and netopt's version.

        Two runs with the same fingerprint give the same outputs (the solvers are
        deterministic for a seed when they finish by optimality), so a saved result may be
        reused. None for an in-memory region (never reused).

        Returns
        -------
        str or None
        """
        if isinstance(self.region, Region):
            return None
        from netopt import __version__

        h = hashlib.sha256()
        h.update(json.dumps(self.to_dict(), sort_keys=True, default=str).encode())
        h.update(region_fingerprint(self.region).encode())
        h.update(__version__.encode())
        return h.hexdigest()

    def load_region(self) -> Region:
        """Return the scenario's region (loaded and validated from its folder).

        Returns
        -------
        Region
        """
        if isinstance(self.region, Region):
            return self.region
        from netopt.io import load_region

        return load_region(self.region)


# ------------------------------------------------------------------------- TOML reading


def _read_chain(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """Read one scenario file and the bases it extends; return the merged tables."""
    path = path.resolve()
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
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(
            Problem(
                str(path), "", "", f"not valid TOML ({exc})", "fix the syntax (https://toml.io)"
            )
        ) from None
    # Paths are relative to the file that states them.
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
    base = _read_chain(path.parent / base_ref, (*seen, path))
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
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass: the valid keys of its scenario table."""
    return tuple(f.name for f in dataclasses.fields(cls))


#: Valid keys per table ("" = top level). None: free-form table checked elsewhere.
_SCHEMA: dict[str, tuple[str, ...] | None] = {
    "": (
        "name",
        "title",
        "description",
        "extends",
        "region",
        "graph",
        "modifiers",
        "model",
        "rotations",
        "solver",
    ),
    "modifiers": _field_names(Modifiers),
    "model": _field_names(ModelOptions),
    "rotations": _field_names(RotationOptions),
    "solver": _field_names(SolverOptions),
}
_TABLES = ("graph", "modifiers", "model", "rotations", "solver")


def _unknown(fname: str, table: str, key: str, valid: Iterable[str]) -> Problem:
    """A problem for an unknown key, suggesting the closest valid key."""
    valid = sorted(valid)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    fix = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        fname,
        f"[{table}]" if table else "",
        key,
        "unknown key",
        f"{fix}valid keys: {', '.join(valid)}",
    )


def _unknown_keys(
    fname: str, table: str, data: Mapping[str, Any], valid: Sequence[str]
) -> list[Problem]:
    """A problem for each key of ``data`` that is not in ``valid``."""
    return [_unknown(fname, table, k, valid) for k in data if k not in valid]


def _check_keys(data: Mapping[str, Any], fname: str) -> list[Problem]:
    """Unknown keys and non-table sections, every one."""
    problems = _unknown_keys(fname, "", data, _SCHEMA[""])
    for table in _TABLES:
        if table not in data:
            continue
        if not isinstance(data[table], Mapping):
            problems.append(
                Problem(
                    fname,
                    "",
                    table,
                    f"{data[table]!r} is not a table",
                    f"write it as [{table}] with keys below it",
                )
            )
            continue
        valid = _SCHEMA.get(table)
        if valid is not None:
            problems += _unknown_keys(fname, table, data[table], valid)
    return problems


def _graph_options(table: Any, fname: str, problems: list[Problem]) -> dict[str, Any]:
    """Validate the [graph] table against GraphOptions; return it as a dict."""
    if not isinstance(table, Mapping):
        return {}
    from netopt.graph import GraphOptions

    unknown = _unknown_keys(fname, "graph", table, _field_names(GraphOptions))
    problems += unknown
    if unknown:
        return {}
    try:
        GraphOptions.from_dict(table)
    except DataError as exc:
        problems += [
            Problem(
                fname,
                "[graph]",
                getattr(p, "field", ""),
                getattr(p, "found", str(p)),
                getattr(p, "fix", ""),
            )
            for p in exc.problems
        ]
    except (TypeError, ValueError) as exc:
        problems.append(Problem(fname, "[graph]", "", str(exc), "check the value types"))
    return dict(table)


def _rates(table: Any, fname: str, problems: list[Problem]) -> dict[str, float]:
    """Validate [model.rates] against netopt.kpis.Rates."""
    from netopt.kpis import Rates

    if not isinstance(table, Mapping):
        problems.append(
            Problem(fname, "[model]", "rates", repr(table), "write it as [model.rates]")
        )
        return {}
    unknown = _unknown_keys(fname, "model.rates", table, _field_names(Rates))
    problems += unknown
    if unknown:
        return {}
    try:
        Rates.from_dict(table)
    except (TypeError, ValueError) as exc:
        problems.append(Problem(fname, "[model.rates]", "", str(exc), "use numbers >= 0"))
        return {}
    return {k: float(v) for k, v in table.items()}


class _Getter:
    """Typed access to scenario keys; each bad value becomes a Problem, never an exception."""

    def __init__(self, fname: str, problems: list[Problem]):
        self.fname = fname
        self.problems = problems

    def _bad(self, table: str, key: str, value: Any, fix: str) -> None:
        self.problems.append(
            Problem(self.fname, f"[{table}]" if table else "", key, repr(value), fix)
        )

    def text(self, t: Mapping[str, Any], table: str, key: str, default: str) -> str:
        value = t.get(key, default)
        if not isinstance(value, str):
            self._bad(table, key, value, "use a string in quotes")
            return default
        return value

    def flag(self, t: Mapping[str, Any], table: str, key: str, default: bool) -> bool:
        value = t.get(key, default)
        if not isinstance(value, bool):
            self._bad(table, key, value, "use true or false")
            return default
        return value

    def integer(self, t: Mapping[str, Any], table: str, key: str) -> int | None:
        value = t.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._bad(table, key, value, "use a whole number")
            return None
        return value

    def count(self, t: Mapping[str, Any], table: str, key: str) -> int | None:
        value = self.integer(t, table, key)
        if value is not None and value < 1:
            self._bad(table, key, value, "use a whole number >= 1")
            return None
        return value

    def rhythm(self, t: Mapping[str, Any], table: str, key: str) -> int | dict[str, int]:
        value = t.get(key, 14)
        if isinstance(value, Mapping):
            days = {str(k): self.count(value, f"{table}.{key}", k) for k in value}
            return {k: v for k, v in days.items() if v is not None}
        return self.count(t, table, key) or 14

    def positive(self, t: Mapping[str, Any], table: str, key: str) -> float | None:
        value = t.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not value > 0
            or not math.isfinite(value)
        ):
            self._bad(table, key, value, "use a number > 0")
            return None
        return float(value)

    def choice(
        self, t: Mapping[str, Any], table: str, key: str, options: Sequence[str], default: str
    ) -> str:
        value = t.get(key, default)
        if value not in options:
            self._bad(table, key, value, f"use one of {', '.join(map(repr, options))}")
            return default
        return value

    def texts(self, t: Mapping[str, Any], table: str, key: str) -> tuple[str, ...]:
        value = t.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self._bad(table, key, value, 'use a list of ids, e.g. ["A", "B"]')
            return ()
        return tuple(str(v) for v in value)

    def clock(self, t: Mapping[str, Any], table: str, key: str) -> str | None:
        value = t.get(key)
        if value is None:
            return None
        if isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        if not isinstance(value, str) or not _CLOCK.match(value):
            self._bad(table, key, value, 'use a clock time "HH:MM", e.g. "08:00"')
            return None
        return value

    def table(self, t: Mapping[str, Any], table: str, key: str) -> Mapping[str, Any]:
        value = t.get(key, {})
        if not isinstance(value, Mapping):
            self._bad(table, key, value, f"write it as a table [{table}.{key}]")
            return {}
        return value

    def numbers(self, t: Mapping[str, Any], table: str, key: str) -> dict[str, float]:
        sub = self.table(t, table, key)
        out = {}
        for k in sub:
            got = self.positive(sub, f"{table}.{key}", k)
            if got is not None:
                out[str(k)] = got
        return out

    def clock_lists(self, t: Mapping[str, Any], table: str, key: str) -> dict[str, tuple[str, ...]]:
        sub = self.table(t, table, key)
        out = {}
        for k, v in sub.items():
            items = v if isinstance(v, list) else [v]
            if not items or not all(isinstance(c, (str, dt.time)) for c in items):
                self._bad(f"{table}.{key}", k, v, 'use a list of "HH:MM" times')
                continue
            clocks = [self.clock({k: c}, f"{table}.{key}", k) for c in items]
            if all(c is not None for c in clocks):
                out[str(k)] = tuple(clocks)
        return out

    def lonlat(self, t: Mapping[str, Any], table: str, key: str) -> tuple[float, float] | None:
        value = t.get(key)
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            and -180 <= value[0] <= 180
            and -90 <= value[1] <= 90
        )
        if not ok:
            self._bad(table, key, value, "use [longitude, latitude] in degrees (WGS-84)")
            return None
        return (float(value[0]), float(value[1]))

    def links(self, t: Mapping[str, Any], table: str, key: str) -> tuple[NewLink, ...]:
        sub = self.table(t, table, key)
        out = []
        for name, spec in sub.items():
            where = f"{table}.{key}.{name}"
            if not isinstance(spec, Mapping):
                self._bad(
                    f"{table}.{key}",
                    name,
                    spec,
                    f"write it as [{where}] with keys from, to, travel_min",
                )
                continue
            self.problems += _unknown_keys(self.fname, where, spec, ("from", "to", "travel_min"))
            a, b = self.lonlat(spec, where, "from"), self.lonlat(spec, where, "to")
            travel = self.positive(spec, where, "travel_min")
            if a is not None and b is not None:
                out.append(NewLink(str(name), a, b, travel))
        return tuple(out)

    def date(self, t: Mapping[str, Any], table: str, key: str) -> dt.date | None:
        value = t.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self._bad(table, key, value, "use a date, e.g. 2026-03-02")
        return None


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The sub-table ``key`` of ``data``, or {} when missing or not a table (reported elsewhere)."""
    value = data.get(key, {})
    return value if isinstance(value, Mapping) else {}


def _drop_none(data: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None values and empty tables/lists, recursively (TOML has no null)."""
    out = {}
    for k, v in data.items():
        if isinstance(v, Mapping):
            v = _drop_none(v)
        if v is None or (isinstance(v, (Mapping, list, tuple)) and len(v) == 0):
            continue
        out[k] = v
    return out


def region_fingerprint(folder: str | Path) -> str:
    """Return a SHA-256 over ``region.toml`` and every file it names (``file = ...``).

    Parameters
    ----------
    folder : str or pathlib.Path
        Region folder (or its ``region.toml``).

    Returns
    -------
    str
    """
    folder = Path(folder)
    toml_path = folder if folder.suffix == ".toml" else folder / "region.toml"
    if not toml_path.is_file():
        raise FileNotFoundError(f"no region.toml in {folder}")
    raw = toml_path.read_bytes()
    config = tomllib.loads(raw.decode("utf-8"))
    h = hashlib.sha256(raw)
    for key in sorted(config):
        spec = config[key]
        if isinstance(spec, Mapping) and isinstance(spec.get("file"), str):
            p = toml_path.parent / spec["file"]
            h.update(key.encode())
            h.update(p.read_bytes() if p.is_file() else b"<missing>")
    return h.hexdigest()


# ------------------------------------------------------------------------- running


@dataclass(frozen=True, eq=False)
class Result:
    """Everything a scenario run produced.

    Attributes
    ----------
    scenario : Scenario
    plan : netopt.alliances.AlliancePlan
    schedule : netopt.rotations.RotationSchedule or None
        None when rotations are not enabled.
    kpis : dict
        Plan KPIs (:func:`netopt.kpis.zone_kpis`) plus rotation KPIs.
    baseline : dict
        The same KPIs for the naive plan: everyone referred to the nearest lead-capable
        hospital (no travel limit, no capacity).
    population_counts : dict
        ``population_served``, ``population_unserved_capacity``, ``population_not_covered``.
    graph : netopt.graph.TravelGraph
        The travel graph after the scenario's modifiers.
    seconds : dict
        Wall-clock seconds per step.
    """

    scenario: Scenario
    plan: AlliancePlan
    schedule: RotationSchedule | None
    kpis: dict[str, float]
    baseline: dict[str, float]
    population_counts: dict[str, float]
    graph: TravelGraph
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario name."""
        return self.scenario.name

    def summary(self) -> dict[str, Any]:
        """Return the JSON-ready record written as ``kpis.json`` (and read by reports).

        Returns
        -------
        dict
            ``scenario``, ``title``, ``description``, ``region``, ``leads``, ``solver``
            (status, objective, bound, gap, seconds), ``rotation_solver`` (or None),
            ``kpis``, ``baseline``, ``population_counts``, ``rates``,
            ``local_specialist_visits_per_year``, ``alliances``, ``messages``,
            ``definitions``, ``fingerprint``.
        """
        from netopt.kpis import KPI_DEFINITIONS

        plan = self.plan
        names = plan.region.facilities["name"]
        solve = plan.solve
        sched = self.schedule
        alliances = plan.alliances.reset_index()
        return _jsonable(
            {
                "scenario": self.scenario.name,
                "title": self.scenario.title or self.scenario.name,
                "description": self.scenario.description,
                "region": plan.region.name,
                "leads": [{"id": j, "name": str(names.get(j, j))} for j in plan.leads],
                "solver": {
                    "status": solve.status,
                    "objective": solve.objective,
                    "bound": solve.bound,
                    "gap": solve.gap,
                    "seconds": solve.seconds,
                    "solver": getattr(solve, "solver", ""),
                    "message": getattr(solve, "message", ""),
                },
                "rotation_solver": None
                if sched is None
                else {
                    "status": sched.status,
                    "objective": sched.objective,
                    "bound": sched.bound,
                    "gap": sched.gap,
                    "seconds": sched.seconds,
                },
                "kpis": self.kpis,
                "baseline": self.baseline,
                "population_counts": self.population_counts,
                "rates": dataclasses.asdict(plan.rates),
                "local_specialist_visits_per_year": _local_visits_per_year(
                    sched, self.scenario.rotations.horizon_days
                ),
                "alliances": alliances.to_dict(orient="records"),
                "messages": list(plan.messages),
                "definitions": {
                    k: {"label": lab, "unit": unit, "definition": d}
                    for k, (lab, unit, d) in KPI_DEFINITIONS.items()
                },
                "fingerprint": self.scenario.fingerprint(),
                "seconds": self.seconds,
            }
        )

    def to_folder(self, path: str | Path) -> Path:
        """Write every output into ``path`` atomically (the old folder survives a failure).

        Writes ``plan.gpkg``, ``assignments.csv``, ``alliances.csv``, ``kpis.json``,
        ``map.html``, ``report.html``, ``scenario.toml`` (resolved), ``run.json`` (the
        fingerprint) and, with rotations, ``schedule.csv`` and ``ics/*.ics``.

        Parameters
        ----------
        path : str or pathlib.Path
            The scenario's output folder, e.g. ``maps/storm``.

        Returns
        -------
        pathlib.Path
        """
        from netopt import maps, report
        from netopt.io import dumps_toml

        path = Path(path)
        summary = self.summary()
        with atomic_dir(path) as tmp:
            tmp.chmod(0o755)  # mkdtemp makes it private; outputs are for sharing
            self.plan.to_file(tmp / "plan.gpkg")
            self.plan.zones.to_csv(tmp / "assignments.csv", index=False)
            self.plan.alliances.to_csv(tmp / "alliances.csv")
            if self.schedule is not None:
                self.schedule.to_csv(tmp / "schedule.csv")
                self.schedule.to_ics(tmp / "ics")
            (tmp / "kpis.json").write_text(
                json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
            )
            m = maps.alliance_map(self.plan, self.schedule, graph=self.graph)
            maps.save_map(m, tmp / "map.html")
            (tmp / "report.html").write_text(
                report.scenario_report(
                    summary, map_href="map.html", has_schedule=self.schedule is not None
                ),
                encoding="utf-8",
            )
            (tmp / "scenario.toml").write_text(
                dumps_toml(self.scenario.to_dict()), encoding="utf-8"
            )
            for sub in (p for p in tmp.rglob("*") if p.is_dir()):
                sub.chmod(0o755)  # writers that use temporary folders make them private
            (tmp / "run.json").write_text(
                json.dumps(
                    {
                        "scenario": self.name,
                        "fingerprint": summary["fingerprint"],
                        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
        logger.info("outputs of %s written to %s", self.name, path)
        return path


def _local_visits_per_year(schedule: Any, horizon_days: int) -> float:
    """Patients seen locally by visiting experts, scaled from the horizon to a year."""
    if schedule is None or len(schedule.visits) == 0:
        return 0.0
    return float(schedule.visits["expected_patients"].sum()) * 365.0 / horizon_days


def _jsonable(value: Any) -> Any:
    """Plain JSON types; NaN and infinities become None (strict JSON)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Index)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, str):
        return value
    if pd.isna(value):
        return None
    return str(value)


class _Session:
    """Loaded regions and base graphs shared by the scenarios of one call."""

    def __init__(self) -> None:
        self.regions: dict[Any, Region] = {}
        self.graphs: dict[Any, Any] = {}

    def region(self, scenario: Scenario) -> Region:
        key = scenario.region if isinstance(scenario.region, Path) else id(scenario.region)
        if key not in self.regions:
            self.regions[key] = scenario.load_region()
        return self.regions[key]

    def graph(self, scenario: Scenario, region: Region) -> Any:
        from netopt.graph import build_graph

        key = (
            id(region),
            json.dumps(dict(scenario.graph), sort_keys=True, default=str),
            scenario.modifiers.depart_at,
        )
        if key not in self.graphs:
            self.graphs[key] = build_graph(
                region, depart_at=scenario.modifiers.depart_at, options=dict(scenario.graph)
            )
        return self.graphs[key]


def apply_modifiers(graph: Any, modifiers: Modifiers) -> Any:
    """Return the graph with the scenario's network changes (the input is untouched).

    Parameters
    ----------
    graph : netopt.graph.TravelGraph
    modifiers : Modifiers

    Returns
    -------
    netopt.graph.TravelGraph
    """
    from netopt import graph as g

    for route in modifiers.close_ferries:
        graph = g.close_ferry(graph, route)
    for route, minutes in modifiers.headways.items():
        graph = g.set_headway(graph, route, minutes)
    for route, times in modifiers.departures.items():
        graph = g.add_departures(graph, route, list(times))
    for link in modifiers.links:
        graph = g.add_link(graph, link.a, link.b, travel_min=link.travel_min, name=link.name)
    if modifiers.night:
        graph = g.at_night(graph)
    if modifiers.emergency:
        graph = g.emergency_mode(graph, speed_factor=modifiers.emergency_speed_factor)
    return graph


def run(
    scenario: Scenario, *, cache_dir: str | Path | None = None, progress: Progress | None = None
) -> Result:
    """Run one scenario: region, graph, modifiers, alliance plan, rotations, KPIs.

    Parameters
    ----------
    scenario : Scenario
    cache_dir : str or pathlib.Path, optional
        Folder for cached travel-time matrices.
    progress : callable, optional
        Called with a short description before each step.

    Returns
    -------
    Result

    Raises
    ------
    DataError
        Bad input (unknown ferry route or facility id, ...).
    InfeasibleError
        The model has no solution.
    SolverError
        The time limit passed before any solution was found.

    Examples
    --------
    >>> result = netopt.run(netopt.Scenario.from_toml("geodata/xiangshan/scenarios/today.toml"))
    ... # doctest: +SKIP
    """
    return _run(scenario, _Session(), cache_dir=cache_dir, progress=progress)


def run_all(
    scenarios: Sequence[Scenario],
    *,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """Run several scenarios, loading each region and building each base graph once.

    Parameters
    ----------
    scenarios : sequence of Scenario
    cache_dir : str or pathlib.Path, optional
        Folder for cached travel-time matrices.
    progress : callable, optional
        Called with ``"<scenario>: <step>"`` before each step.

    Returns
    -------
    list of Result
    """
    session = _Session()
    return [_run(s, session, cache_dir=cache_dir, progress=progress) for s in scenarios]


#: The steps of a run, in order (for progress bars).
STEPS: tuple[str, ...] = (
    "load region",
    "build graph",
    "travel times",
    "plan alliances",
    "schedule rotations",
    "KPIs",
)


class _Timer:
    """Reports each step to the progress callback and records its wall-clock seconds."""

    def __init__(self, name: str, progress: Progress | None):
        self.name = name
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._start = time.perf_counter()

    def step(self, name: str | None) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self.seconds[self._current] = round(now - self._start, 3)
        self._current, self._start = name, now
        if name is not None and self.progress is not None:
            self.progress(f"{self.name}: {name}")


def _run(
    scenario: Scenario,
    session: _Session,
    *,
    cache_dir: str | Path | None,
    progress: Progress | None,
) -> Result:
    from netopt.alliances import plan_alliances, zone_facility_seconds
    from netopt.kpis import Rates, baseline_kpis, population_counts, rotation_kpis, zone_kpis

    timer = _Timer(scenario.name, progress)
    timer.step("load region")
    region = session.region(scenario)
    timer.step("build graph")
    graph = apply_modifiers(session.graph(scenario, region), scenario.modifiers)
    timer.step("travel times")
    times = zone_facility_seconds(region, graph, cache_dir=cache_dir)
    timer.step("plan alliances")
    m = scenario.model
    rates = Rates.from_dict(m.rates)
    plan = plan_alliances(
        region,
        graph,
        p=m.p,
        leads=m.fixed_leads or None,
        current=m.evaluate_only,
        candidates=m.candidates,
        capacities=m.capacities,
        max_travel_min=m.max_travel_min,
        objective=m.objective,
        rates=rates,
        time_limit=scenario.solver.time_limit,
        seed=scenario.solver.seed,
        name=scenario.title or scenario.name,
        times=times,
    )
    if len(plan.leads) == 0:  # the solver stopped at its time limit without any plan
        raise SolverError(
            f"scenario {scenario.name!r}: no plan found within "
            f"{scenario.solver.time_limit:g} s (status {plan.solve.status}"
            f"{': ' + plan.solve.message if plan.solve.message else ''}); "
            "raise [solver] time_limit"
        )
    schedule = None
    if scenario.rotations.enabled:
        timer.step("schedule rotations")
        schedule = _schedule(scenario, plan, graph)
    timer.step("KPIs")
    kpis = dict(plan.kpis)
    if schedule is not None:
        local = _local_visits_per_year(schedule, scenario.rotations.horizon_days)
        kpis = zone_kpis(plan.zones, rates, local_specialist_visits=local)
        kpis.update(
            rotation_kpis(schedule.visits, patient_hours_saved=schedule.patient_hours_saved)
        )
    counts = population_counts(plan.zones)
    baseline = baseline_kpis(plan.zones, rates)
    timer.step(None)
    logger.info("scenario %s done: %s", scenario.name, plan.summary())
    return Result(
        scenario=scenario,
        plan=plan,
        schedule=schedule,
        kpis=kpis,
        baseline=baseline,
        population_counts=counts,
        graph=graph,
        seconds=timer.seconds,
    )


def _schedule(scenario: Scenario, plan: Any, graph: Any) -> Any:
    """Run the rotation scheduler with the scenario's options."""
    import inspect

    from netopt.rotations import schedule_rotations

    r = scenario.rotations
    kwargs: dict[str, Any] = {
        "horizon_days": r.horizon_days,
        "rhythm_days": r.rhythm_days,
        **dict(r.options),
    }
    if r.start_date is not None:
        kwargs["start_date"] = r.start_date
    params = inspect.signature(schedule_rotations).parameters
    for key, value in (
        ("time_limit", r.time_limit or scenario.solver.time_limit),
        ("seed", scenario.solver.seed),
    ):
        if key in params and key not in kwargs:
            kwargs[key] = value
    unknown = [k for k in kwargs if k not in params]
    if unknown:
        valid = [k for k, p in params.items() if p.kind == p.KEYWORD_ONLY]
        raise DataError(
            [
                _unknown(str(scenario.source or scenario.name), "rotations.options", k, valid)
                for k in unknown
            ]
        )
    return schedule_rotations(plan, graph, **kwargs)


# ------------------------------------------------------------------------- comparing


def load_summary(folder: str | Path) -> dict[str, Any]:
    """Read the ``kpis.json`` record of a scenario output folder.

    Parameters
    ----------
    folder : str or pathlib.Path

    Returns
    -------
    dict
        As :meth:`Result.summary`.
    """
    path = Path(folder) / "kpis.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _summary_of(item: Result | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(item, Result):
        return item.summary()
    if isinstance(item, Mapping) and "kpis" in item and "scenario" in item:
        return item
    raise TypeError(
        f"compare() takes Result objects or kpis.json records, not {type(item).__name__}"
    )


def compare(results: Iterable[Result | Mapping[str, Any]]) -> pd.DataFrame:
    """Put the KPIs of several scenarios side by side.

    Parameters
    ----------
    results : iterable of Result or dict
        Results of :func:`run`, or their ``kpis.json`` records (:func:`load_summary`).

    Returns
    -------
    pandas.DataFrame
        Index ``kpi`` (the KPI keys of :data:`netopt.kpis.KPI_DEFINITIONS`, then
        ``baseline_<key>`` rows for the naive baseline of the main KPIs, then
        ``alliances``, ``solver_gap`` and ``solver_seconds``); columns ``label``,
        ``unit``, then one float column per scenario, in the order given.

    Raises
    ------
    DataError
        If two results have the same scenario name.
    """
    from netopt.kpis import KPI_DEFINITIONS

    summaries = [_summary_of(r) for r in results]
    names = [s["scenario"] for s in summaries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(
            Problem(
                "compare",
                "",
                "name",
                f"scenario names repeat: {dupes}",
                "give every scenario its own name",
            )
        )
    keys = [k for k in KPI_DEFINITIONS if any(k in s["kpis"] for s in summaries)]
    keys += sorted({k for s in summaries for k in s["kpis"]} - set(keys))
    rows: dict[str, dict[str, Any]] = {}
    for k in keys:
        label, unit, _ = KPI_DEFINITIONS.get(k, (k.replace("_", " "), "", ""))
        rows[k] = {
            "label": label,
            "unit": unit,
            **{s["scenario"]: s["kpis"].get(k) for s in summaries},
        }
    for k in MAIN_KPIS:
        if any(k in s["baseline"] for s in summaries):
            label, unit, _ = KPI_DEFINITIONS.get(k, (k, "", ""))
            rows[f"baseline_{k}"] = {
                "label": f"Baseline (nearest hospital): {label}",
                "unit": unit,
                **{s["scenario"]: s["baseline"].get(k) for s in summaries},
            }
    rows["alliances"] = {
        "label": "Number of alliances",
        "unit": "",
        **{s["scenario"]: len(s["leads"]) for s in summaries},
    }
    rows["solver_gap"] = {
        "label": "Solver optimality gap",
        "unit": "share",
        **{s["scenario"]: s["solver"]["gap"] for s in summaries},
    }
    rows["solver_seconds"] = {
        "label": "Solver time",
        "unit": "s",
        **{s["scenario"]: s["solver"]["seconds"] for s in summaries},
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "kpi"
    for n in names:
        frame[n] = pd.to_numeric(frame[n], errors="coerce").astype(float)
    return frame[["label", "unit", *names]]


def write_comparison(
    results: Sequence[Result | Mapping[str, Any]],
    folder: str | Path,
    *,
    links: Mapping[str, str] | None = None,
    map_pair: tuple[Result, Result] | None = None,
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison.html`` and (for a pair) ``compare_map.html``.

    Each file is written atomically.

    Parameters
    ----------
    results : sequence of Result or dict
        As for :func:`compare`.
    folder : str or pathlib.Path
        Output folder.
    links : mapping of str to str, optional
        Scenario name to the relative link of its report (default ``<name>/report.html``).
    map_pair : tuple of two Result, optional
        Scenarios shown side by side in ``compare_map.html``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from netopt import report

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summaries = [_summary_of(r) for r in results]
    table = compare(summaries)
    written = []
    with atomic_path(folder / "comparison.csv") as tmp:
        table.to_csv(tmp)
    written.append(folder / "comparison.csv")
    links = dict(links or {s["scenario"]: f"{s['scenario']}/report.html" for s in summaries})
    html = report.comparison_report(
        summaries, table, links=links, map_href="compare_map.html" if map_pair else None
    )
    with atomic_path(folder / "comparison.html") as tmp:
        tmp.write_text(html, encoding="utf-8")
    written.append(folder / "comparison.html")
    if map_pair is not None:
        from netopt import maps

        m = maps.compare_map(map_pair[0].plan, map_pair[1].plan)
        maps.save_map(m, folder / "compare_map.html")
        written.append(folder / "compare_map.html")
    return written


def is_current(scenario: Scenario, folder: str | Path) -> bool:
    """Return True if ``folder`` holds complete outputs of exactly this scenario.

    Parameters
    ----------
    scenario : Scenario
    folder : str or pathlib.Path
        The scenario's output folder.

    Returns
    -------
    bool
    """
    folder = Path(folder)
    fp = scenario.fingerprint()
    if fp is None or not (folder / "run.json").is_file():
        return False
    try:
        saved = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    needed = [*OUTPUT_FILES, *(["schedule.csv"] if scenario.rotations.enabled else [])]
    return saved.get("fingerprint") == fp and all((folder / f).is_file() for f in needed)


# ------------------------------------------------------------------------- studies


@dataclass(frozen=True, eq=False)
class Comparison:
    """What :func:`run_and_compare` did.

    Attributes
    ----------
    summaries : list of dict
        The ``kpis.json`` record of every scenario, in the order given.
    table : pandas.DataFrame
        :func:`compare` of the scenarios.
    folders : dict
        Scenario name to its output folder.
    reused : tuple of str
        Names of the scenarios whose saved outputs were current and reused.
    files : tuple of pathlib.Path
        Comparison files written.
    """

    summaries: list[dict[str, Any]]
    table: pd.DataFrame
    folders: dict[str, Path]
    reused: tuple[str, ...]
    files: tuple[Path, ...]


def run_and_compare(
    scenarios: Sequence[Scenario],
    folder: str | Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Comparison:
    """Run (or reuse) several scenarios, write each one's outputs and the comparison.

    Each scenario's outputs go to ``folder/<name>/`` (as :meth:`Result.to_folder`); a folder
    whose ``run.json`` fingerprint matches the scenario (:meth:`Scenario.fingerprint`) is
    reused without solving. Travel-time matrices are cached in ``folder/.cache``. Then
    ``comparison.csv``, ``comparison.html`` and, for two or more scenarios,
    ``compare_map.html`` (the first two side by side) are written.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Scenarios with distinct names.
    folder : str or pathlib.Path
        Output folder.
    force : bool, keyword-only
        Run every scenario even when its saved outputs are current.
    progress : callable, keyword-only, optional
        Called with ``"<scenario>: <step>"`` before each step (``"write outputs"`` and
        ``"comparison: write"`` included).

    Returns
    -------
    Comparison

    Raises
    ------
    DataError
        Repeated scenario names, or bad input in a scenario.
    """
    folder = Path(folder)
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(
            [
                Problem(
                    str(s.source or s.name),
                    "",
                    "name",
                    f"{s.name!r} is used twice",
                    "give every scenario its own name",
                )
                for s in scenarios
                if s.name in dupes
            ]
        )
    folders = {s.name: folder / s.name for s in scenarios}
    pair = list(scenarios[:2]) if len(scenarios) >= 2 else []
    pair_key = [s.fingerprint() for s in pair]
    map_current = (
        bool(pair)
        and None not in pair_key
        and _saved_pair(folder) == pair_key
        and (folder / "compare_map.html").is_file()
    )
    todo = [
        s
        for s in scenarios
        if force or not is_current(s, folders[s.name]) or (s in pair and not map_current)
    ]
    session = _Session()
    cache = folder / ".cache"
    results: dict[str, Result] = {}
    for s in todo:
        results[s.name] = _run(s, session, cache_dir=cache, progress=progress)
        if progress is not None:
            progress(f"{s.name}: write outputs")
        results[s.name].to_folder(folders[s.name])
    summaries = [
        results[s.name].summary() if s.name in results else load_summary(folders[s.name])
        for s in scenarios
    ]
    if progress is not None:
        progress("comparison: write")
    map_pair = (results[pair[0].name], results[pair[1].name]) if pair and not map_current else None
    files = write_comparison(summaries, folder, map_pair=map_pair)
    if map_pair is not None:
        with atomic_path(folder / "comparison.json") as tmp:
            tmp.write_text(
                json.dumps(
                    {
                        "compare_map": {
                            "scenarios": [s.name for s in pair],
                            "fingerprints": pair_key,
                        }
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
    elif pair:
        files.append(folder / "compare_map.html")
    reused = tuple(s.name for s in scenarios if s.name not in results)
    return Comparison(
        summaries=summaries,
        table=compare(summaries),
        folders=folders,
        reused=reused,
        files=tuple(files),
    )


def _saved_pair(folder: Path) -> list[str | None] | None:
    """Fingerprints of the two scenarios the saved compare_map.html shows."""
    try:
        data = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        return list(data["compare_map"]["fingerprints"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: The shipped demo scenarios (files in ``geodata/xiangshan/scenarios``), in report order.
DEMO_SCENARIOS: tuple[str, ...] = ("today", "optimised", "optimised_rotation", "storm")


def demo_scenarios(folder: str | Path | None = None) -> list[Scenario]:
    """Return the shipped demo scenarios of the bundled Xiangshan region.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Folder of the scenario files; default ``geodata/xiangshan/scenarios`` of the
        source tree netopt runs from.

    Returns
    -------
    list of Scenario

    Raises
    ------
    FileNotFoundError
        If the scenario files are not there (netopt installed without its source tree).
    """
    if folder is None:
        folder = Path(__file__).resolve().parents[1] / "geodata" / "xiangshan" / "scenarios"
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"the demo scenarios are not in {folder}; run the demo from a source checkout of "
            "netopt, or pass the scenario files to `netopt compare`"
        )
    return [Scenario.from_toml(folder / f"{name}.toml") for name in DEMO_SCENARIOS]
