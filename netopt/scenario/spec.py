"""One planning question: the frozen :class:`Scenario`.

A scenario names a region folder and carries the option objects of every step, each owned by
the planner that uses it: :class:`~netopt.graph.GraphOptions` (the travel graph),
:class:`~netopt.scenario.Modifiers` (changes to the network),
:class:`~netopt.alliances.AllianceOptions` (the alliance model),
:class:`~netopt.rotations.RotationOptions` (expert rotations, None when not enabled) and
:class:`~netopt.solve.SolverParams` (the solver, with an optional override for the rotation
model). :func:`netopt.scenario.run` hands them down unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netopt._errors import DataError, Problem
from netopt._locale import page_languages
from netopt._version import __version__
from netopt.alliances import AllianceOptions, FlowOptions
from netopt.graph import GraphOptions
from netopt.kpis import Rates
from netopt.pathways import PathwayOptions
from netopt.region import Region
from netopt.rotations import RotationOptions
from netopt.scenario.extras import EXTRA_TABLES, check_extra, extra_to_dict
from netopt.scenario.options import Modifiers
from netopt.scenario.reader import NAME_PATTERN, deep_merge, read_chain, scenario_fields
from netopt.solve import SolverParams

__all__ = ["Scenario", "read_scenarios"]

#: Field name -> the option class it must hold (``rotations`` and ``rotation_solver`` may
#: also be None).
_OPTION_TYPES: dict[str, type] = {
    "graph": GraphOptions,
    "modifiers": Modifiers,
    "model": AllianceOptions,
    "rotations": RotationOptions,
    "solver": SolverParams,
    "rotation_solver": SolverParams,
    "pathways": PathwayOptions,
}


@dataclass(frozen=True, eq=False)
class Scenario:
    """One planning question: region, network changes, model, rotations, solver parameters.

    Parameters
    ----------
    name : str
        Output folder name (letters, digits, ``_ . -``).
    region : pathlib.Path or Region
        Region folder (``region.toml``), or a loaded :class:`~netopt.region.Region`
        (results from an in-memory region are never reused from a cache).
    title, description : str
        Shown on reports.
    graph : netopt.graph.GraphOptions
        Speeds and limits of the travel graph.
    modifiers : Modifiers
        Changes to the travel network.
    model : netopt.alliances.AllianceOptions
        The alliance model.
    rotations : netopt.rotations.RotationOptions or None
        Expert rotation options; None: no rotations are scheduled.
    solver : netopt.solve.SolverParams
        Time limit, seed and workers of every solve.
    rotation_solver : netopt.solve.SolverParams or None
        The rotation model's parameters when they differ from ``solver`` (a scenario's
        ``[rotations.solver]`` table, merged over ``[solver]``); see :attr:`rotation_params`.
    pathways : netopt.pathways.PathwayOptions or None
        Time-critical referral pathways (a ``[pathways]`` table; planned in every scenario
        by default); None (``[pathways] enabled = false``): not planned.
    costs : dict, netopt.costs.Costs or None
        The cost model: a ``[costs]`` table merged over region.toml's ``[costs]`` and the
        documented defaults when the scenario runs (default ``{}``: the region's prices), a
        finished :class:`~netopt.costs.Costs` used as it is, or None: no costs.
    diagnosis : dict, netopt.diagnosis.DiagnosisOptions or None
        Shared diagnosis centres and the laboratory courier: a ``[diagnosis]`` table merged
        over region.toml's, or the options as they are; None (default): not planned.
    hosting : dict, netopt.hosting.HostingOptions or None
        City or tertiary partners hosting county leads: a ``[hosting]`` table (its links
        added to region.toml's ``[[hosting]]`` rows, see :mod:`netopt.scenario.extras`), or
        the options as they are; None (default): no hosting.
    language : str or None
        Language of the scenario's maps and reports (one of
        :data:`netopt.maps.text.LANGUAGES`); None: the region's (region.toml ``language``).
        The command line's ``--lang`` wins over it (see :meth:`page_language`).
    source : pathlib.Path, optional
        The TOML file the scenario was read from.

    Raises
    ------
    DataError
        If the name cannot name a folder.
    TypeError
        If an option field does not hold its option object (e.g. a dict for ``model``).

    Examples
    --------
    >>> from netopt.alliances import AllianceOptions
    >>> s = Scenario("two", "geodata/xiangshan", model=AllianceOptions(p=2))  # doctest: +SKIP
    >>> s = Scenario.from_toml("geodata/xiangshan/scenarios/storm.toml")  # doctest: +SKIP
    """

    name: str
    region: Path | Region
    title: str = ""
    description: str = ""
    graph: GraphOptions = dataclasses.field(default_factory=GraphOptions)
    modifiers: Modifiers = dataclasses.field(default_factory=Modifiers)
    model: AllianceOptions = dataclasses.field(default_factory=AllianceOptions)
    rotations: RotationOptions | None = None
    solver: SolverParams = dataclasses.field(default_factory=SolverParams)
    rotation_solver: SolverParams | None = None
    pathways: PathwayOptions | None = dataclasses.field(default_factory=PathwayOptions)
    costs: Any = dataclasses.field(default_factory=dict)
    diagnosis: Any = None
    hosting: Any = None
    language: str | None = None
    source: Path | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.region, Region):
            object.__setattr__(self, "region", Path(self.region))
        for key, cls in _OPTION_TYPES.items():
            value = getattr(self, key)
            if value is None and key in ("rotations", "rotation_solver", "pathways"):
                continue
            if not isinstance(value, cls):
                raise TypeError(
                    f"Scenario {key} must be a {cls.__name__}, not {type(value).__name__}; "
                    f"build it with {cls.__name__}(...) or {cls.__name__}.from_dict(...), or "
                    f"change fields with Scenario.replace({key}={{...}})"
                )
        for key in EXTRA_TABLES:
            checked = check_extra(key, getattr(self, key), source=str(self.source or "Scenario"))
            object.__setattr__(self, key, checked)
        if self.language is not None and self.language not in page_languages():
            raise DataError(
                Problem(
                    str(self.source or "Scenario"),
                    "",
                    "language",
                    repr(self.language),
                    f"use one of {list(page_languages())}, or leave it out for the region's",
                )
            )
        if not isinstance(self.name, str) or not NAME_PATTERN.match(self.name):
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
            The ``.toml`` file (format: :mod:`netopt.scenario.reader`).

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
        return cls.from_dict(read_chain(path), file=path)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        file: str | Path | None = None,
        base_dir: str | Path | None = None,
    ) -> Scenario:
        """Build a scenario from the (merged) tables of a scenario file.

        Parameters
        ----------
        data : mapping
            Tables and keys as in :mod:`netopt.scenario.reader` (e.g. :meth:`to_dict`).
        file : str or pathlib.Path, optional
            File named in error messages; its stem is the default name and its folder the
            default ``base_dir``.
        base_dir : str or pathlib.Path, optional
            Folder that a relative ``region`` path is relative to (default: the file's
            folder, else the current folder).

        Returns
        -------
        Scenario

        Raises
        ------
        DataError
            Every problem found in one pass.
        """
        return cls(**scenario_fields(data, file=file, base_dir=base_dir))

    def replace(self, **changes: Any) -> Scenario:
        """Return a copy with some fields changed.

        Parameters
        ----------
        **changes
            Field names to new values. ``graph``, ``modifiers``, ``model``, ``rotations``,
            ``solver`` and ``rotation_solver`` may also be given as mappings of the fields
            to change: they merge into the current object (``model={"rates": {...}}``
            merges into the rates; ``rotations`` into the defaults when rotations are off;
            ``rotation_solver`` into :attr:`rotation_params`). ``solver`` changes only the
            solver; give ``rotation_solver`` too to change the rotation model's.

        Returns
        -------
        Scenario

        Raises
        ------
        DataError
            If a changed value is out of range.

        Examples
        --------
        >>> s.replace(name="seed1", solver={"seed": 1})  # doctest: +SKIP
        """
        keys = ("graph", "modifiers", "model", "rotations", "solver", "rotation_solver", "pathways")
        for key in keys:
            value = changes.get(key)
            if not isinstance(value, Mapping):
                continue
            if key == "rotation_solver":
                current: Any = self.rotation_params
            elif key == "rotations":
                current = self.rotations or RotationOptions()
            elif key == "pathways":
                current = self.pathways or PathwayOptions()
            else:
                current = getattr(self, key)
            value = dict(value)
            if key == "model" and isinstance(value.get("rates"), Mapping):
                value["rates"] = Rates.from_dict({**current.rates.to_dict(), **value["rates"]})
            if key == "model" and isinstance(value.get("flows"), Mapping):
                value["flows"] = _merged_flows(current.flows, value["flows"])
            changes[key] = current.replace(**value)
        for key in EXTRA_TABLES:  # a table over a table merges; anything else replaces
            value, current = changes.get(key), getattr(self, key)
            if isinstance(value, Mapping) and isinstance(current, Mapping):
                changes[key] = deep_merge(current, value)
        return dataclasses.replace(self, **changes)

    # -- description -----------------------------------------------------------------

    @property
    def rotation_params(self) -> SolverParams:
        """The solver parameters of the rotation model: ``rotation_solver`` or ``solver``."""
        return self.rotation_solver if self.rotation_solver is not None else self.solver

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as the tables of a scenario file (fully resolved).

        ``[graph]`` holds only the options that differ from the defaults and
        ``[rotations.solver]`` only the parameters that differ from ``[solver]``, so that
        the written ``scenario.toml`` stays readable; :meth:`from_dict` reads it back to
        an equal scenario.

        Returns
        -------
        dict
            Plain values (str, int, float, bool, lists, tables); no ``extends``.
        """
        region = (
            str(self.region)
            if isinstance(self.region, Path)
            else f"<in-memory region {self.region.name}>"
        )
        out: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "region": region,
            "graph": _graph_changes(self.graph),
            "modifiers": self.modifiers.to_dict(),
            "model": self.model.to_dict(),
        }
        if self.rotations is not None:
            base = self.solver.to_dict()
            overrides = {
                k: v for k, v in self.rotation_params.to_dict().items() if base.get(k) != v
            }
            out["rotations"] = {"enabled": True, **self.rotations.to_dict()}
            if overrides:
                out["rotations"]["solver"] = overrides
        out["pathways"] = {"enabled": False} if self.pathways is None else self.pathways.to_dict()
        for key in EXTRA_TABLES:
            table = extra_to_dict(getattr(self, key))
            out[key] = {"enabled": False} if table is None and key == "costs" else table
        out["solver"] = self.solver.to_dict()
        if self.language is not None:
            out["language"] = self.language
        return {k: v for k, v in out.items() if v != {} and v is not None}

    def fingerprint(self) -> str | None:
        """Return a SHA-256 of the resolved scenario, the region files and netopt's version.

        Two runs with the same fingerprint give the same outputs (the solvers are
        deterministic for a seed), so a saved result may be reused. None for an in-memory
        region (never reused).

        Returns
        -------
        str or None
        """
        if isinstance(self.region, Region):
            return None
        from netopt.io import region_fingerprint

        # The parameters also as objects: a TOML table cannot hold a None time limit.
        params = {
            "solver": dataclasses.asdict(self.solver),
            "rotation_solver": (
                dataclasses.asdict(self.rotation_params) if self.rotations is not None else None
            ),
        }
        h = hashlib.sha256()
        h.update(json.dumps([self.to_dict(), params], sort_keys=True, default=str).encode())
        h.update(region_fingerprint(self.region).encode())
        h.update(__version__.encode())
        return h.hexdigest()

    def page_language(self) -> str:
        """Return the language of this scenario's maps and reports.

        The command line's ``--lang`` (set with :func:`netopt.maps.text.use_language`) wins,
        then the scenario's :attr:`language`, then the region's (region.toml ``language``),
        then English.

        Returns
        -------
        str
            One of :data:`netopt.maps.text.LANGUAGES`.
        """
        from netopt.maps.text import chosen_language

        return chosen_language(self.language or _region_language(self.region))

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


def _region_language(region: Path | Region) -> str | None:
    """The ``language`` of a region (loaded, or its region.toml read without loading it)."""
    if isinstance(region, Region):
        return region.language
    from netopt.io.config import toml_from_bytes

    toml = region if region.suffix == ".toml" else region / "region.toml"
    if not toml.is_file():
        return None
    lang = toml_from_bytes(toml.read_bytes(), str(toml)).get("language")
    return lang if isinstance(lang, str) else None


def _graph_changes(options: GraphOptions) -> dict[str, Any]:
    """The graph options that differ from the defaults (road speeds: the changed classes)."""
    default = GraphOptions().to_dict()
    out = {}
    for key, value in options.to_dict().items():
        if key == "road_speeds_kmh":
            speeds = {k: v for k, v in value.items() if default[key].get(k) != v}
            if speeds:
                out[key] = speeds
        elif value != default[key]:
            out[key] = value
    return out


def read_scenarios(paths: Iterable[str | Path]) -> list[Scenario]:
    """Read several scenario files, reporting the problems of all of them at once.

    Parameters
    ----------
    paths : iterable of str or pathlib.Path
        Scenario files (``.toml``).

    Returns
    -------
    list of Scenario
        In the order given.

    Raises
    ------
    DataError
        Every problem of every file, after reading them all.
    FileNotFoundError
        If a file (or a base it extends) does not exist.
    """
    problems: list[Problem | str] = []
    scenarios = []
    for path in paths:
        try:
            scenarios.append(Scenario.from_toml(path))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    return scenarios


def _merged_flows(current: FlowOptions, change: Mapping[str, Any]) -> FlowOptions:
    """``change`` over ``current``: its ``demand``, ``choice`` and ``targets`` tables merge."""
    merged = current.to_dict()
    for key, value in change.items():
        if key in ("demand", "choice", "targets") and isinstance(value, Mapping):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return FlowOptions.from_dict(merged)
