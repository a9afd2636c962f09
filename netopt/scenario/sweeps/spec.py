"""A sweep file: :class:`SweepSpec` and :func:`read_sweep`.

A sweep varies one base scenario over a grid of values, a list of variations, or both (each
variation with every grid point)::

    name = "leads"
    title = "How many leads, and a storm"
    base = "../scenarios/optimised.toml"      # relative to the sweep file

    [grid]                                    # every combination, in this order
    "model.p" = [2, 3, 4]
    "solver.seed" = [0, 1]

    [[variations]]                            # optional: named sets of changes
    name = "calm"
    [[variations]]
    name = "storm"
    "modifiers.close_ferries" = ["F1", "F2"]

A key is a dotted path into the scenario file's tables (``"model.flows.max_upgrades"``, or a
top-level key such as ``"region"`` to run the same scenario on several regions). Every cell
is a complete scenario, checked like a scenario file: a bad key or value is a
:class:`~netopt.DataError` naming the sweep file, the cell and the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netopt._errors import DataError, Problem
from netopt._options import unknown_keys
from netopt.io.config import toml_from_bytes

__all__ = ["SWEEP_KEYS", "SweepSpec", "read_sweep"]

#: The top-level keys of a sweep file.
SWEEP_KEYS: tuple[str, ...] = ("name", "title", "description", "base", "grid", "variations")


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep varies.

    Parameters
    ----------
    name : str
        Names the output folder's files and the cells (``<name>-<n>``).
    base : pathlib.Path
        The base scenario file.
    grid : mapping of str to sequence
        Dotted scenario key to its values; every combination is a cell (the first key
        varies slowest).
    variations : sequence of mapping
        Named sets of changes (``name`` and dotted keys); with a grid, each variation is
        combined with every grid point.
    title, description : str
    source : pathlib.Path, optional
        The sweep file (named in error messages).
    """

    name: str
    base: Path
    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    variations: Sequence[Mapping[str, Any]] = ()
    title: str = ""
    description: str = ""
    source: Path | None = None

    def __post_init__(self) -> None:
        src = str(self.source or "sweep")
        problems: list[Problem | str] = []
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append(Problem(src, "", "name", repr(self.name), "give the sweep a name"))
        if not isinstance(self.grid, Mapping):
            problems.append(Problem(src, "[grid]", "", type(self.grid).__name__,
                                    'use a table of "dotted.key" = [values]'))  # fmt: skip
        else:
            for key, values in self.grid.items():
                if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                    problems.append(Problem(src, "[grid]", key, repr(values)[:60],
                                            "give a list of values"))  # fmt: skip
                elif len(values) == 0:
                    problems.append(Problem(src, "[grid]", key, "[]", "give at least one value"))
        if isinstance(self.variations, (str, bytes)) or not isinstance(self.variations, Sequence):
            problems.append(Problem(src, "[[variations]]", "", repr(self.variations)[:60],
                                    "use [[variations]] tables"))  # fmt: skip
        else:
            seen: set[str] = set()
            for k, variation in enumerate(self.variations):
                record = f"[[variations]] {k + 1}"
                if not isinstance(variation, Mapping):
                    problems.append(Problem(src, record, "", repr(variation)[:60], "use a table"))
                    continue
                name = variation.get("name")
                if not isinstance(name, str) or not name.strip():
                    problems.append(Problem(src, record, "name", repr(name),
                                            "give each variation a name"))  # fmt: skip
                elif name in seen:
                    problems.append(Problem(src, record, "name", repr(name),
                                            "give each variation its own name"))  # fmt: skip
                else:
                    seen.add(name)
        if problems:
            raise DataError(problems)
        object.__setattr__(self, "base", Path(self.base))
        object.__setattr__(self, "grid", {str(k): list(v) for k, v in self.grid.items()})
        object.__setattr__(self, "variations", tuple(dict(v) for v in self.variations))

    @property
    def label(self) -> str:
        """The title, else the name."""
        return self.title or self.name


def read_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    SweepSpec

    Raises
    ------
    DataError
        Unknown keys (with the closest), a missing base, bad grid values or variations: all
        at once, each naming the file, table and key with the fix.
    FileNotFoundError
        If the sweep file does not exist.
    """
    path = Path(path)
    data = toml_from_bytes(path.read_bytes(), str(path))
    problems: list[Problem | str] = list(unknown_keys(str(path), data, SWEEP_KEYS))
    base = data.get("base")
    if not isinstance(base, str) or not base:
        problems.append(Problem(str(path), "", "base", repr(base),
                                'name the base scenario file, e.g. base = "../scenarios/today.toml"'))  # fmt: skip
    elif not (path.parent / base).is_file():
        problems.append(Problem(str(path), "", "base", repr(base),
                                f"no such file next to the sweep file ({path.parent / base})"))  # fmt: skip
    if problems:
        raise DataError(problems)
    return SweepSpec(
        name=str(data.get("name", path.stem)),
        base=(path.parent / str(base)).resolve(),
        grid=data.get("grid", {}),
        variations=data.get("variations", ()),
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        source=path,
    )
