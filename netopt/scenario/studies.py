"""Studies of several scenarios: :func:`compare` them side by side, :func:`run_and_compare`
them into a folder (reusing current outputs), and the shipped :func:`demo_scenarios`.

A region folder lists its demonstration scenarios in ``scenarios/index.toml``::

    demo = ["today", "optimised", "optimised_rotation", "storm"]

each name being a file ``scenarios/<name>.toml``, in the order the comparison shows them.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from netopt._atomic import atomic_path
from netopt._errors import DataError, Problem
from netopt.kpis import KPIS, kpi_info, kpis_in
from netopt.scenario.outputs import is_current, load_record
from netopt.scenario.runner import Progress, Result, Session, run
from netopt.scenario.spec import Scenario

__all__ = ["Comparison", "compare", "demo_scenarios", "run_and_compare", "write_comparison"]


def _record_of(item: Result | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(item, Result):
        return item.record()
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
        Results of :func:`~netopt.scenario.run`, or their ``kpis.json`` records
        (:func:`~netopt.scenario.load_record`).

    Returns
    -------
    pandas.DataFrame
        Index ``kpi``: the KPI keys in the order of :data:`netopt.kpis.KPIS` (then any
        other key), ``baseline_<key>`` rows for the naive baseline of the headline KPIs
        (:func:`netopt.kpis.kpis_in`), then ``alliances``, ``solver_gap`` and
        ``solver_seconds``. Columns ``label``, ``unit``, then one float column per
        scenario, in the order given.

    Raises
    ------
    DataError
        If two results have the same scenario name.
    """
    records = [_record_of(r) for r in results]
    names = [s["scenario"] for s in records]
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
    keys = [k.key for k in KPIS if any(k.key in s["kpis"] for s in records)]
    keys += sorted({k for s in records for k in s["kpis"]} - set(keys))
    rows: dict[str, dict[str, Any]] = {}
    for key in keys:
        info = kpi_info(key)
        rows[key] = {
            "label": info.label,
            "unit": info.unit,
            **{s["scenario"]: s["kpis"].get(key) for s in records},
        }
    for info in kpis_in("headline"):
        if any(info.key in s["baseline"] for s in records):
            rows[f"baseline_{info.key}"] = {
                "label": f"Baseline (nearest hospital): {info.label}",
                "unit": info.unit,
                **{s["scenario"]: s["baseline"].get(info.key) for s in records},
            }
    rows["alliances"] = {
        "label": "Number of alliances",
        "unit": "",
        **{s["scenario"]: len(s["leads"]) for s in records},
    }
    rows["solver_gap"] = {
        "label": "Solver optimality gap",
        "unit": "share",
        **{s["scenario"]: s["solver"]["gap"] for s in records},
    }
    rows["solver_seconds"] = {
        "label": "Solver time",
        "unit": "s",
        **{s["scenario"]: s["solver"]["seconds"] for s in records},
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
    from netopt import maps, report

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    records = [_record_of(r) for r in results]
    table = compare(records)
    written = []
    with atomic_path(folder / "comparison.csv") as tmp:
        table.to_csv(tmp)
    written.append(folder / "comparison.csv")
    links = dict(links or {s["scenario"]: f"{s['scenario']}/report.html" for s in records})
    html = report.comparison_report(
        records, table, links=links, map_href="compare_map.html" if map_pair else None
    )
    with atomic_path(folder / "comparison.html") as tmp:
        tmp.write_text(html, encoding="utf-8")
    written.append(folder / "comparison.html")
    if map_pair is not None:
        m = maps.compare_map(map_pair[0].plan, map_pair[1].plan)
        maps.save_map(m, folder / "compare_map.html")
        written.append(folder / "compare_map.html")
    return written


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
) -> Comparison:
    """Run (or reuse) several scenarios, write each one's outputs and the comparison.

    Each scenario's outputs go to ``folder/<name>/`` (:meth:`Result.to_folder`); a folder
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
    map_pair = (results[pair[0].name], results[pair[1].name]) if pair and not map_current else None
    files = write_comparison(records, folder, map_pair=map_pair)
    if map_pair is not None:
        with atomic_path(folder / "comparison.json") as tmp:
            saved = {"compare_map": {"scenarios": [s.name for s in pair], "fingerprints": pair_key}}
            tmp.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    elif pair:
        files.append(folder / "compare_map.html")
    return Comparison(
        records=records,
        table=compare(records),
        folders=folders,
        reused=tuple(s.name for s in scenarios if s.name not in results),
        files=tuple(files),
    )


def _saved_pair(folder: Path) -> list[str | None] | None:
    """Fingerprints of the two scenarios the saved compare_map.html shows."""
    try:
        data = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        return list(data["compare_map"]["fingerprints"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


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
    try:
        with open(index, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(
            Problem(str(index), "", "", f"not valid TOML ({exc})", "fix the syntax")
        ) from None
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
    scenarios = []
    for name in names:
        path = index.parent / f"{name}.toml"
        if not path.is_file():
            problems.append(
                Problem(
                    str(index),
                    "",
                    "demo",
                    f"{name!r}: no file {path}",
                    f"add {path.name} to {index.parent} or remove {name!r} from the list",
                )
            )
            continue
        try:
            scenarios.append(Scenario.from_toml(path))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    return scenarios
