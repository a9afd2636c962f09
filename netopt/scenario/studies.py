"""Studies of several scenarios: :func:`run_and_compare` them into a folder (reusing
current outputs; the comparison itself is :mod:`netopt.scenario.comparison`), and the
shipped :func:`demo_scenarios`.

A region folder lists its demonstration scenarios in ``scenarios/index.toml``::

    demo = ["today", "optimised", "optimised_rotation", "storm"]

each name being a file ``scenarios/<name>.toml``, in the order the comparison shows them.
:func:`compare`, :func:`compare_stages` and :func:`write_comparison` are re-exported here
from :mod:`netopt.scenario.comparison`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from netopt._atomic import atomic_path
from netopt._errors import DataError, Problem
from netopt.io.config import toml_from_bytes
from netopt.scenario.comparison import (
    COMPARISON_KPIS_FILE,
    check_reference,
    compare,
    compare_stages,
    write_comparison,
)
from netopt.scenario.outputs import is_current, load_record
from netopt.scenario.runner import Progress, Result, Session, run
from netopt.scenario.spec import Scenario, read_scenarios

__all__ = [
    "COMPARISON_KPIS_FILE",
    "Comparison",
    "compare",
    "compare_stages",
    "demo_scenarios",
    "run_and_compare",
    "write_comparison",
]


@dataclass(frozen=True, eq=False)
class Comparison:
    """What :func:`run_and_compare` did.

    Attributes
    ----------
    records : list of dict
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

    records: list[dict[str, Any]]
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
    reference: str | None = None,
    map_scenarios: Sequence[str] | None = None,
) -> Comparison:
    """Run (or reuse) several scenarios, write each one's outputs and the comparison.

    Each scenario's outputs go to ``folder/<name>/`` (:meth:`Result.to_folder`); a folder
    whose ``run.json`` fingerprint matches the scenario (:meth:`Scenario.fingerprint`) and
    whose ``kpis.json`` has every key of :data:`~netopt.scenario.RECORD_KEYS` is reused
    without solving. Travel-time matrices are cached in ``folder/.cache``. Then
    ``comparison.csv``, ``comparison_kpis.json``, ``comparison.html``
    (:func:`write_comparison`) and, for two or more scenarios, ``compare_map.html`` (the
    ``map_scenarios`` side by side, default the first two) are written;
    ``comparison.json`` records the names and fingerprints of the scenarios that map shows
    and its language, so that it is redrawn only when one of them changes (a run in another
    language, :meth:`Scenario.page_language`, rewrites every page).

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
    reference : str, keyword-only, optional
        Name of the scenario the others are measured against (default: the first); checked
        before anything runs.
    map_scenarios : sequence of str, keyword-only, optional
        Names of the 2 to 4 scenarios ``compare_map.html`` shows, in order (default: the
        first two; :func:`netopt.maps.compare_map`); checked before anything runs.

    Returns
    -------
    Comparison

    Raises
    ------
    DataError
        Repeated scenario names, an unknown ``reference``, an unknown or repeated name in
        ``map_scenarios`` or not 2 to 4 of them, or bad input in a scenario.
    """
    folder = Path(folder)
    names = [s.name for s in scenarios]
    check_reference(reference, names)
    _check_map_scenarios(map_scenarios, names)
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
    by_name = {s.name: s for s in scenarios}
    shown_names = list(map_scenarios) if map_scenarios is not None else names[:2]
    shown = [by_name[n] for n in shown_names] if len(shown_names) >= 2 else []
    shown_key = {
        "scenarios": [s.name for s in shown],
        "fingerprints": [s.fingerprint() for s in shown],
        "language": scenarios[0].page_language() if scenarios else "en",  # the pages'
    }
    map_current = (
        bool(shown)
        and None not in shown_key["fingerprints"]
        and _saved_map(folder) == shown_key
        and (folder / "compare_map.html").is_file()
    )
    todo = [
        s
        for s in scenarios
        if force or not is_current(s, folders[s.name]) or (s in shown and not map_current)
    ]
    session = Session()
    results: dict[str, Result] = {}
    for s in todo:
        results[s.name] = run(s, cache_dir=folder / ".cache", progress=progress, session=session)
        if progress is not None:
            progress(f"{s.name}: write outputs")
        results[s.name].to_folder(folders[s.name])
    records = [
        results[s.name].record() if s.name in results else load_record(folders[s.name])
        for s in scenarios
    ]
    if progress is not None:
        progress("comparison: write")
    draw = bool(shown) and not map_current
    files = write_comparison(
        records,
        folder,
        map_runs=[results[s.name] for s in shown] if draw else None,
        map_scenarios=shown_key["scenarios"] if draw else None,
        map_href="compare_map.html" if shown else None,
        reference=reference,
    )
    if draw:
        # comparison.json: which scenarios compare_map.html shows (the KPIs are in
        # COMPARISON_KPIS_FILE, written by write_comparison).
        with atomic_path(folder / "comparison.json") as tmp:
            tmp.write_text(json.dumps({"compare_map": shown_key}, indent=2), encoding="utf-8")
    elif shown:
        files.append(folder / "compare_map.html")
    return Comparison(
        records=records,
        table=compare(records, reference=reference),
        folders=folders,
        reused=tuple(s.name for s in scenarios if s.name not in results),
        files=tuple(files),
    )


def _saved_map(folder: Path) -> dict[str, list[Any]] | None:
    """Names and fingerprints of the scenarios the saved compare_map.html shows."""
    try:
        data = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        saved = data["compare_map"]
        return {
            "scenarios": list(saved["scenarios"]),
            "fingerprints": list(saved["fingerprints"]),
            "language": saved.get("language"),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _check_map_scenarios(map_scenarios: Sequence[str] | None, names: Sequence[str]) -> None:
    """Raise a DataError when ``map_scenarios`` names an unknown scenario, one twice, or not
    2 to :data:`netopt.maps.draw.MAX_SIDE_BY_SIDE` of them (all problems at once)."""
    from netopt.maps.draw import MAX_SIDE_BY_SIDE

    if map_scenarios is None:
        return
    wanted = list(map_scenarios)
    problems = [
        Problem(
            "compare",
            "",
            "map_scenarios",
            f"{n!r} is not one of the scenarios compared",
            f"use names of {list(names)}",
        )
        for n in wanted
        if n not in names
    ]
    repeated = sorted({n for n in wanted if wanted.count(n) > 1})
    if repeated:
        problems.append(
            Problem("compare", "", "map_scenarios", f"named twice: {repeated}", "name each once")
        )
    if not 2 <= len(wanted) <= MAX_SIDE_BY_SIDE:
        problems.append(
            Problem(
                "compare",
                "",
                "map_scenarios",
                f"{len(wanted)} scenario(s) to show: {wanted}",
                f"name 2 to {MAX_SIDE_BY_SIDE} scenarios to show side by side",
            )
        )
    if problems:
        raise DataError(problems)


def demo_scenarios(region: str | Path = "geodata/xiangshan") -> list[Scenario]:
    """Return the demonstration scenarios a region folder lists in ``scenarios/index.toml``.

    Parameters
    ----------
    region : str or pathlib.Path, default "geodata/xiangshan"
        Region folder (relative to the current folder) holding ``scenarios/index.toml``.

    Returns
    -------
    list of Scenario
        In the order of the index's ``demo`` list.

    Raises
    ------
    FileNotFoundError
        If the region folder has no ``scenarios/index.toml``.
    DataError
        If the index is not a list of scenario names, or names a file that is missing or
        invalid (every problem of every file at once).

    Examples
    --------
    >>> [s.name for s in demo_scenarios("geodata/xiangshan")]  # doctest: +SKIP
    ['today', 'optimised', 'optimised_rotation', 'storm']
    """
    index = Path(region) / "scenarios" / "index.toml"
    if not index.is_file():
        raise FileNotFoundError(
            f"no demo scenarios: {index} does not exist; run from the folder that holds "
            f"{Path(region)} (a source checkout of netopt), pass --region <region folder>, "
            'or write scenarios/index.toml there with demo = ["<scenario>", ...]'
        )
    data = toml_from_bytes(index.read_bytes(), str(index))
    names = data.get("demo")
    problems: list[Problem | str] = [
        Problem(str(index), "", key, "unknown key", "the index holds one key: demo")
        for key in data
        if key != "demo"
    ]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems.append(
            Problem(
                str(index),
                "",
                "demo",
                repr(names),
                'list the scenario files without .toml, e.g. demo = ["today", "storm"]',
            )
        )
        raise DataError(problems)
    paths = [index.parent / f"{name}.toml" for name in names]
    problems += [
        Problem(
            str(index),
            "",
            "demo",
            f"{name!r}: no file {path}",
            f"add {path.name} to {index.parent} or remove {name!r} from the list",
        )
        for name, path in zip(names, paths, strict=True)
        if not path.is_file()
    ]
    try:
        scenarios = read_scenarios(p for p in paths if p.is_file())
    except DataError as exc:
        problems += exc.problems
    if problems:
        raise DataError(problems)
    return scenarios
