"""The cells of a sweep: :func:`expand` a :class:`~netopt.scenario.sweeps.SweepSpec` into
:class:`Cell` s and build each cell's :class:`~netopt.scenario.Scenario` (:func:`cell_scenario`).

The order is fixed: the variations in file order (one empty variation without any), each
with every grid point, the first grid key varying slowest. A cell's ``id`` is a hash of its
changes (not of its position), so a finished cell is found again when the sweep file grows.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netopt._errors import DataError, Problem
from netopt.scenario.reader import read_chain
from netopt.scenario.spec import Scenario
from netopt.scenario.sweeps.spec import SweepSpec

__all__ = ["Cell", "cell_scenario", "expand"]


@dataclass(frozen=True)
class Cell:
    """One scenario of a sweep.

    Attributes
    ----------
    index : int
        Position in the sweep (from 0).
    name : str
        ``<sweep name>-<index + 1>``: the scenario's name.
    variation : str
        The variation's name ("" without variations).
    changes : dict
        Dotted scenario key to value, the variation's then the grid point's.
    grid_keys : tuple of str
        The keys of ``changes`` that come from the grid.
    """

    index: int
    name: str
    variation: str
    changes: dict[str, Any]
    grid_keys: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """12 hex digits of a hash of the variation and the changes."""
        text = json.dumps([self.variation, self.changes], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    @property
    def label(self) -> str:
        """``"storm, model.p=3"``: the variation and the grid values."""
        grid = [f"{k}={_short(self.changes[k])}" for k in self.grid_keys]
        return ", ".join([self.variation] * bool(self.variation) + grid) or "base"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def expand(spec: SweepSpec) -> list[Cell]:
    """Every cell of a sweep, in order.

    Parameters
    ----------
    spec : SweepSpec

    Returns
    -------
    list of Cell
    """
    variations = list(spec.variations) or [{"name": ""}]
    keys = list(spec.grid)
    points = list(itertools.product(*(spec.grid[k] for k in keys)))
    cells = []
    for variation in variations:
        own = {k: v for k, v in variation.items() if k != "name"}
        for point in points:
            changes = {**own, **dict(zip(keys, point, strict=True))}
            n = len(cells)
            name = f"{spec.name}-{n + 1}"
            cells.append(Cell(n, name, str(variation["name"]), changes, tuple(keys)))
    return cells


def _set(data: dict[str, Any], key: str, value: Any, where: str) -> Problem | None:
    """Set a dotted key in nested tables; a problem when a part is not a table."""
    parts = key.split(".")
    node = data
    for k, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return Problem(where, "", key, f"{'.'.join(parts[: k + 1])} is {child!r}, not a table",
                           "change a key inside a table, or the value itself")  # fmt: skip
        node = child
    node[parts[-1]] = copy.deepcopy(value)
    return None


def cell_scenario(spec: SweepSpec, cell: Cell, base: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario of a cell: the base scenario file's tables with the cell's changes.

    Parameters
    ----------
    spec : SweepSpec
    cell : Cell
    base : mapping, optional
        The base file's merged tables (:func:`netopt.scenario.reader.read_chain`), read
        once for many cells; read from ``spec.base`` when omitted.

    Returns
    -------
    Scenario
        Named ``cell.name``, titled with the base title and the cell's label.

    Raises
    ------
    DataError
        A bad key or value, named with the sweep file and the cell.
    """
    data = copy.deepcopy(dict(base if base is not None else read_chain(spec.base)))
    where = f"{spec.source or spec.name} cell {cell.index + 1} ({cell.label})"
    problems = []
    for key, value in cell.changes.items():
        if key == "region" and isinstance(value, str) and spec.source is not None:
            value = str((Path(spec.source).parent / value).resolve())  # as the sweep file says
        problem = _set(data, key, value, where)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise DataError(problems)
    data["name"] = cell.name
    data["title"] = f"{data.get('title') or Path(spec.base).stem}: {cell.label}"
    data.pop("extends", None)
    try:
        return Scenario.from_dict(data, file=spec.base)
    except DataError as err:
        raise DataError([f"{where}:", *err.problems]) from None
