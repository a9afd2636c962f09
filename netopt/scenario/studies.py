"""Studies of several scenarios: :func:`compare` them side by side, :func:`run_and_compare`
them into a folder (reusing current outputs), and the shipped :func:`demo_scenarios`.

A region folder lists its demonstration scenarios in ``scenarios/index.toml``::

    demo = ["today", "optimised", "optimised_rotation", "storm"]

each name being a file ``scenarios/<name>.toml``, in the order the comparison shows them.

A comparison is read against a reference scenario (the first, unless named): every KPI
carries its direction (:attr:`netopt.kpis.Kpi.better`) and every other scenario its change
from the reference and a verdict, ``"better"``, ``"worse"`` or ``"same"``; a KPI computed
over reachable residents only is ``"not comparable"`` when the two scenarios cut off different
populations (a closed ferry must not read as shorter trips).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from netopt._atomic import atomic_path
from netopt._errors import DataError, Problem
from netopt.io.config import toml_from_bytes
from netopt.kpis import KPI_BY_KEY, KPIS, kpi_info, kpis_in
from netopt.scenario.outputs import is_current, load_record
from netopt.scenario.runner import Progress, Result, Session, run
from netopt.scenario.spec import Scenario, read_scenarios

__all__ = [
    "COMPARISON_KPIS_FILE",
    "Comparison",
    "compare",
    "demo_scenarios",
    "run_and_compare",
    "write_comparison",
]

#: The machine-readable comparison :func:`write_comparison` writes next to ``comparison.csv``.
#: (``comparison.json`` is taken: it holds the fingerprints of the pair ``compare_map.html``
#: shows, see :func:`run_and_compare`.) Its schema, like ``RECORD_KEYS`` for ``kpis.json``::
#:
#:     {"reference": "<name>", "scenarios": ["<name>", ...],
#:      "kpis": {"<kpi>": {"label": str, "unit": str, "better": "lower" | "higher" | "",
#:                         "values": {"<name>": float | null, ...},
#:                         "change": {"<other name>": float | null, ...},
#:                         "verdict": {"<other name>": "better" | "worse" | "same"
#:                                     | "not comparable" | "", ...}}}}
#:
#: ``change`` and ``verdict`` hold every scenario but the reference; NaN is written as null.
COMPARISON_KPIS_FILE = "comparison_kpis.json"

#: Relative tolerance under which a change is a verdict of "same".
_SAME_RTOL = 1e-9


def _record_of(item: Result | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(item, Result):
        return item.record()
    if isinstance(item, Mapping) and "kpis" in item and "scenario" in item:
        return item
    raise TypeError(
        f"compare() takes Result objects or kpis.json records, not {type(item).__name__}"
    )


def _check_reference(reference: str | None, names: Sequence[str]) -> None:
    """Raise a DataError when ``reference`` is given and names none of the scenarios."""
    if reference is not None and reference not in names:
        raise DataError(
            Problem(
                "compare",
                "",
                "reference",
                f"{reference!r} is not one of the scenarios compared",
                f"use one of {list(names)}, or leave it out to compare against the first",
            )
        )


#: The verdict of a KPI computed over reachable residents only (:attr:`Kpi.over_reachable`)
#: when the two scenarios cut off different populations: its value leaves different people
#: out, so a lower mean may only mean that the farthest residents dropped out.
NOT_COMPARABLE = "not comparable"


def _verdict(better: str | None, ref: float, value: float, *, same_population: bool = True) -> str:
    """``"better"``, ``"worse"``, ``"same"``, :data:`NOT_COMPARABLE` or ``""`` (no direction,
    or a value missing)."""
    if better is None or not (math.isfinite(ref) and math.isfinite(value)):
        return ""
    if not same_population:
        return NOT_COMPARABLE
    if math.isclose(value, ref, rel_tol=_SAME_RTOL, abs_tol=0.0):
        return "same"
    return "better" if (value < ref) == (better == "lower") else "worse"


def compare(
    results: Iterable[Result | Mapping[str, Any]], *, reference: str | None = None
) -> pd.DataFrame:
    """Put the KPIs of several scenarios side by side, read against a reference scenario.

    Parameters
    ----------
    results : iterable of Result or dict
        Results of :func:`~netopt.scenario.run`, or their ``kpis.json`` records
        (:func:`~netopt.scenario.load_record`).
    reference : str, keyword-only, optional
        Name of the scenario the others are measured against (default: the first given).

    Returns
    -------
    pandas.DataFrame
        Index ``kpi``: the KPI keys in the order of :data:`netopt.kpis.KPIS` (then any
        other key), ``baseline_<key>`` rows for the naive baseline of the headline KPIs
        (:func:`netopt.kpis.kpis_in`), then ``alliances``, ``solver_gap`` and
        ``solver_seconds``. Columns ``label``, ``unit``, then one float column per
        scenario, in the order given, then ``better`` (the KPI's direction, ``"lower"`` or
        ``"higher"``; ``""`` when it has none or the row is not a KPI) and, for every
        scenario ``S`` but the reference, ``change_S`` (``S`` minus the reference, float)
        and ``verdict_S``: ``"better"``, ``"worse"``, ``"same"`` (equal within a relative
        1e-9), ``"not comparable"`` (a KPI over reachable residents only, when ``S`` and the
        reference cut off different populations) or ``""`` (no direction, or a value
        missing).

    Raises
    ------
    DataError
        If two results have the same scenario name, or ``reference`` names none of them.

    Examples
    --------
    >>> compare([today, storm], reference="today")  # doctest: +SKIP
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
    _check_reference(reference, names)
    ref = names[0] if reference is None and names else reference
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
    directions = [KPI_BY_KEY[k].better if k in KPI_BY_KEY else None for k in frame.index]
    frame["better"] = [d or "" for d in directions]
    over_reachable = [k in KPI_BY_KEY and KPI_BY_KEY[k].over_reachable for k in frame.index]
    columns = ["label", "unit", *names, "better"]
    for n in names:
        if n == ref:
            continue
        frame[f"change_{n}"] = frame[n] - frame[ref]
        cut_off = (
            frame[[ref, n]].loc["population_unreachable"]
            if ("population_unreachable" in frame.index)
            else None
        )
        same = cut_off is None or bool(cut_off[ref] == cut_off[n])
        frame[f"verdict_{n}"] = [
            _verdict(d, r, v, same_population=same or not reach)
            for d, r, v, reach in zip(directions, frame[ref], frame[n], over_reachable, strict=True)
        ]
        columns += [f"change_{n}", f"verdict_{n}"]
    return frame[columns]


def _finite_or_none(value: Any) -> float | None:
    x = float(value)
    return x if math.isfinite(x) else None


def _comparison_json(table: pd.DataFrame, names: Sequence[str], reference: str) -> dict[str, Any]:
    """The :data:`COMPARISON_KPIS_FILE` document of a :func:`compare` table."""
    others = [n for n in names if n != reference]
    return {
        "reference": reference,
        "scenarios": list(names),
        "kpis": {
            str(key): {
                "label": str(row["label"]),
                "unit": str(row["unit"]),
                "better": str(row["better"]),
                "values": {n: _finite_or_none(row[n]) for n in names},
                "change": {n: _finite_or_none(row[f"change_{n}"]) for n in others},
                "verdict": {n: str(row[f"verdict_{n}"]) for n in others},
            }
            for key, row in table.iterrows()
        },
    }


def write_comparison(
    results: Sequence[Result | Mapping[str, Any]],
    folder: str | Path,
    *,
    links: Mapping[str, str] | None = None,
    map_pair: tuple[Result, Result] | None = None,
    reference: str | None = None,
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison_kpis.json``, ``comparison.html`` and (for a
    pair) ``compare_map.html``.

    Each file is written atomically. ``comparison.csv`` is the :func:`compare` table;
    ``comparison_kpis.json`` (:data:`COMPARISON_KPIS_FILE`) holds the same figures as JSON:
    the reference, the scenarios and, per KPI, its label, unit, direction, values, changes
    and verdicts.

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
    reference : str, keyword-only, optional
        As for :func:`compare`.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    DataError
        As for :func:`compare`.
    """
    from netopt import maps, report

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    records = [_record_of(r) for r in results]
    table = compare(records, reference=reference)
    names = [s["scenario"] for s in records]
    written = []
    with atomic_path(folder / "comparison.csv") as tmp:
        table.to_csv(tmp)
    written.append(folder / "comparison.csv")
    if names:
        doc = _comparison_json(table, names, reference or names[0])
        with atomic_path(folder / COMPARISON_KPIS_FILE) as tmp:
            tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        written.append(folder / COMPARISON_KPIS_FILE)
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
    reference: str | None = None,
) -> Comparison:
    """Run (or reuse) several scenarios, write each one's outputs and the comparison.

    Each scenario's outputs go to ``folder/<name>/`` (:meth:`Result.to_folder`); a folder
    whose ``run.json`` fingerprint matches the scenario (:meth:`Scenario.fingerprint`) is
    reused without solving. Travel-time matrices are cached in ``folder/.cache``. Then
    ``comparison.csv``, ``comparison_kpis.json``, ``comparison.html``
    (:func:`write_comparison`) and, for two or more scenarios, ``compare_map.html`` (the
    first two side by side) are written; ``comparison.json`` records the fingerprints of
    the pair that map shows, so that it is redrawn only when one of them changes.

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

    Returns
    -------
    Comparison

    Raises
    ------
    DataError
        Repeated scenario names, an unknown ``reference``, or bad input in a scenario.
    """
    folder = Path(folder)
    names = [s.name for s in scenarios]
    _check_reference(reference, names)
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
    files = write_comparison(records, folder, map_pair=map_pair, reference=reference)
    if map_pair is not None:
        # comparison.json: which pair compare_map.html shows (the KPIs are in
        # COMPARISON_KPIS_FILE, written by write_comparison).
        with atomic_path(folder / "comparison.json") as tmp:
            saved = {"compare_map": {"scenarios": [s.name for s in pair], "fingerprints": pair_key}}
            tmp.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    elif pair:
        files.append(folder / "compare_map.html")
    return Comparison(
        records=records,
        table=compare(records, reference=reference),
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
