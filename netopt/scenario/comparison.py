"""Comparing scenarios: :func:`compare` their KPIs side by side against a reference,
:func:`compare_stages` their stage statuses, and :func:`write_comparison` the files.

A comparison is read against a reference scenario (the first, unless named): every KPI
carries its direction (:attr:`netopt.kpis.Kpi.better`) and every other scenario its change
from the reference and a verdict, ``"better"``, ``"worse"`` or ``"same"``; every KPI counts
every resident (cut-off islanders at their reopening wait), so a closed ferry can never read
as shorter trips; scenarios of different populations (another region, other zones) are
``"not comparable"``, and so are the choice outcomes (where care happens,
:attr:`netopt.kpis.Kpi.outcome`) of scenarios on different networks (another population cut
off by a closed crossing).

Every comparison also says how each scenario's figures were obtained: the status of each
stage (:func:`compare_stages`: ``"evaluated"`` for today's alliances, ``"optimal"``,
``"time limit, gap 10.3 %"`` ..., from the records' ``stages``), in ``comparison.csv``,
``comparison_kpis.json`` and ``comparison.html``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from netopt._atomic import atomic_path
from netopt._errors import DataError, Problem
from netopt._numbers import finite_or_none
from netopt.kpis import KPIS, kpi_info, kpis_in
from netopt.scenario.runner import Result
from netopt.solve.status import NO_STAGE_TEXT, STAGE_LABELS, stage_text

__all__ = [
    "COMPARISON_KPIS_FILE",
    "NOT_COMPARABLE",
    "STAGE_ROW_PREFIX",
    "compare",
    "compare_stages",
    "write_comparison",
]

#: The machine-readable comparison :func:`write_comparison` writes next to ``comparison.csv``.
#: (``comparison.json`` is taken: it holds the fingerprints of the pair ``compare_map.html``
#: shows, see :func:`run_and_compare`.) Its schema, like ``RECORD_KEYS`` for ``kpis.json``::
#:
#:     {"reference": "<name>", "scenarios": ["<name>", ...],
#:      "stages": {"location": {"label": "Alliance plan", "text": {"<name>": str, ...}},
#:                 "rotation": {"label": "Expert rotations",
#:                              "text": {"<name>": str | null, ...}}},
#:      "kpis": {"<kpi>": {"label": str, "unit": str, "better": "lower" | "higher" | "",
#:                         "values": {"<name>": float | null, ...},
#:                         "change": {"<other name>": float | null, ...},
#:                         "verdict": {"<other name>": "better" | "worse" | "same"
#:                                     | "not comparable" | "", ...}}}}
#:
#: ``change`` and ``verdict`` hold every scenario but the reference; NaN is written as null.
#: ``stages`` holds each stage's :func:`~netopt.solve.status.stage_text` per scenario (null:
#: the scenario has no rotations).
COMPARISON_KPIS_FILE = "comparison_kpis.json"

#: Relative tolerance under which a change is a verdict of "same".
_SAME_RTOL = 1e-9


#: Row-key prefix of the stage rows in ``comparison.csv`` (``stage_location``, ...).
STAGE_ROW_PREFIX = "stage_"


def _record_of(item: Result | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(item, Result):
        return item.record()
    if isinstance(item, Mapping) and "kpis" in item and "scenario" in item:
        return item
    raise TypeError(
        f"compare() takes Result objects or kpis.json records, not {type(item).__name__}"
    )


def check_reference(reference: str | None, names: Sequence[str]) -> None:
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


#: The verdict of a directed KPI when the two scenarios model different populations (another
#: region or other zones): their figures describe different people.
NOT_COMPARABLE = "not comparable"


def _verdict(
    better: str | None,
    ref: float,
    value: float,
    *,
    same_population: bool = True,
    same_network: bool = True,
    outcome: bool = False,
) -> str:
    """``"better"``, ``"worse"``, ``"same"``, :data:`NOT_COMPARABLE` or ``""`` (no direction,
    or a value missing). A choice outcome (:attr:`netopt.kpis.Kpi.outcome`) of two scenarios
    on different networks (another population cut off) is not comparable: a storm that keeps
    islanders at their health centre raises the grassroots share, which is no improvement."""
    if better is None or not (math.isfinite(ref) and math.isfinite(value)):
        return ""
    if not same_population or (outcome and not same_network):
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
        ``solver_seconds`` (the alliance plan's solve) and, when a scenario has rotations,
        ``rotation_gap`` and ``rotation_seconds`` (NaN for the others). The stage status
        texts are in :func:`compare_stages`. Columns ``label``, ``unit``, then one float column per
        scenario, in the order given, then ``better`` (the KPI's direction, ``"lower"`` or
        ``"higher"``; ``""`` when it has none or the row is not a KPI) and, for every
        scenario ``S`` but the reference, ``change_S`` (``S`` minus the reference, float)
        and ``verdict_S``: ``"better"``, ``"worse"``, ``"same"`` (equal within a relative
        1e-9), ``"not comparable"`` (``S`` and the reference model different
        populations) or ``""`` (no direction, or a value
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
    check_reference(reference, names)
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
        "label": "Alliance plan: solver optimality gap",
        "unit": "share",
        **{s["scenario"]: s["solver"]["gap"] for s in records},
    }
    rows["solver_seconds"] = {
        "label": "Alliance plan: solver time",
        "unit": "s",
        **{s["scenario"]: s["solver"]["seconds"] for s in records},
    }
    if any(s.get("rotation_solver") for s in records):
        rotation = {s["scenario"]: s.get("rotation_solver") or {} for s in records}
        rows["rotation_gap"] = {
            "label": "Expert rotations: solver optimality gap",
            "unit": "share",
            **{n: r.get("gap") for n, r in rotation.items()},
        }
        rows["rotation_seconds"] = {
            "label": "Expert rotations: solver time",
            "unit": "s",
            **{n: r.get("seconds") for n, r in rotation.items()},
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "kpi"
    for n in names:
        frame[n] = pd.to_numeric(frame[n], errors="coerce").astype(float)
    directions = [kpi_info(k).better for k in frame.index]  # pathway KPIs too (kpi_info)
    frame["better"] = [d or "" for d in directions]
    columns = ["label", "unit", *names, "better"]
    population = frame.loc["population"] if "population" in frame.index else None
    cut = frame.loc["population_cut_off"] if "population_cut_off" in frame.index else None
    outcomes = [kpi_info(k).outcome for k in frame.index]
    for n in names:
        if n == ref:
            continue
        frame[f"change_{n}"] = frame[n] - frame[ref]
        same = population is None or math.isclose(
            float(population[ref]), float(population[n]), rel_tol=1e-9
        )
        same_net = cut is None or math.isclose(float(cut[ref]), float(cut[n]), rel_tol=1e-9)
        frame[f"verdict_{n}"] = [
            _verdict(d, r, v, same_population=same, same_network=same_net, outcome=o)
            for d, r, v, o in zip(directions, frame[ref], frame[n], outcomes, strict=True)
        ]
        columns += [f"change_{n}", f"verdict_{n}"]
    return frame[columns]


def _stage_texts(record: Mapping[str, Any]) -> dict[str, str | None]:
    """Stage key -> its text (None: the stage did not run), from a record's ``stages``; a
    record without them (read by hand, not by :func:`~netopt.scenario.load_record`) gets
    the texts of its ``solver`` and ``rotation_solver``."""
    if "stages" not in record:
        solves = {"location": record.get("solver"), "rotation": record.get("rotation_solver")}
        return {k: None if v is None else stage_text(v) for k, v in solves.items()}
    stages = record.get("stages") or {}
    return {key: (stages.get(key) or {}).get("text") for key in STAGE_LABELS}


def compare_stages(results: Iterable[Result | Mapping[str, Any]]) -> pd.DataFrame:
    """Put the status of each stage of several scenarios side by side.

    Parameters
    ----------
    results : iterable of Result or dict
        As for :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        Index ``stage``: ``"location"`` (the alliance plan) and ``"rotation"`` (the expert
        rotations), the keys of :data:`netopt.solve.status.STAGE_LABELS`; column
        ``label`` (``"Alliance plan"``, ``"Expert rotations"``), then one text column per
        scenario, in the order given: :func:`netopt.solve.status.stage_text` of that stage
        (``"evaluated"``, ``"optimal"``, ``"time limit, gap 10.3 %"`` ...), or ``"not run"``
        for a scenario without rotations.

    Examples
    --------
    >>> compare_stages([today, storm]).loc["location"].tolist()  # doctest: +SKIP
    ['Alliance plan', 'evaluated', 'evaluated']
    """
    records = [_record_of(r) for r in results]
    texts = {s["scenario"]: _stage_texts(s) for s in records}
    return pd.DataFrame(
        {
            "label": list(STAGE_LABELS.values()),
            **{n: [t[key] or NO_STAGE_TEXT for key in STAGE_LABELS] for n, t in texts.items()},
        },
        index=pd.Index(list(STAGE_LABELS), name="stage"),
    )


def _csv_table(table: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """The ``comparison.csv`` table: the stage rows (``stage_location``, ...) first, texts
    in the scenario columns, then the :func:`compare` rows."""
    rows = stages.rename(index=lambda key: f"{STAGE_ROW_PREFIX}{key}")
    rows["label"] = rows["label"] + ": status"
    out = pd.concat([rows.reindex(columns=table.columns, fill_value=""), table.astype(object)])
    out.index.name = table.index.name
    return out


def _comparison_json(
    table: pd.DataFrame, records: Sequence[Mapping[str, Any]], reference: str
) -> dict[str, Any]:
    """The :data:`COMPARISON_KPIS_FILE` document of a :func:`compare` table."""
    names = [s["scenario"] for s in records]
    others = [n for n in names if n != reference]
    texts = {s["scenario"]: _stage_texts(s) for s in records}
    return {
        "reference": reference,
        "scenarios": list(names),
        "stages": {
            key: {"label": label, "text": {n: texts[n][key] for n in names}}
            for key, label in STAGE_LABELS.items()
        },
        "kpis": {
            str(key): {
                "label": str(row["label"]),
                "unit": str(row["unit"]),
                "better": str(row["better"]),
                "values": {n: finite_or_none(row[n]) for n in names},
                "change": {n: finite_or_none(row[f"change_{n}"]) for n in others},
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
    map_runs: Sequence[Result] | None = None,
    map_scenarios: Sequence[str] | None = None,
    map_href: str | None = None,
    reference: str | None = None,
) -> list[Path]:
    """Write ``comparison.csv``, ``comparison_kpis.json``, ``comparison.html``,
    ``comparison.xlsx`` and (given runs to map) ``compare_map.html``.

    Each file is written atomically. ``comparison.csv`` is the :func:`compare` table
    after one row per stage, ``stage_location`` and ``stage_rotation`` (label
    ``"Alliance plan: status"``, ``"Expert rotations: status"``), that hold the
    :func:`compare_stages` texts in the scenario columns (so the CSV's scenario columns
    mix text and numbers; skip the ``stage_`` rows, or read ``comparison_kpis.json``, for
    numbers only). ``comparison_kpis.json`` (:data:`COMPARISON_KPIS_FILE`) holds the same
    as JSON: the reference, the scenarios, the stage texts and, per KPI, its label, unit,
    direction, values, changes and verdicts. ``comparison.html`` shows the stage texts from
    the records' ``stages``. ``comparison.xlsx``
    (:func:`~netopt.scenario.excel.comparison_workbook`) is ``comparison.csv`` as a
    formatted sheet, each change marked green when better and red when worse.

    The pages are in one language: the command line's ``--lang``
    (:func:`netopt.maps.text.use_language`), else the first record's ``language`` (the
    language its own pages were written in), else English; so a comparison of scenarios
    in different languages follows the first scenario.

    Parameters
    ----------
    results : sequence of Result or dict
        As for :func:`compare`.
    folder : str or pathlib.Path
        Output folder.
    links : mapping of str to str, optional
        Scenario name to the relative link of its report (default ``<name>/report.html``).
    map_runs : sequence of Result, keyword-only, optional
        Runs to draw side by side in ``compare_map.html`` (:func:`netopt.maps.compare_map`;
        none: no map is drawn).
    map_scenarios : sequence of str, keyword-only, optional
        Which of ``map_runs`` the map shows, in order (2 to 4 names; default: all of them).
    map_href : str, keyword-only, optional
        Relative link from ``comparison.html`` to the side-by-side map (default:
        ``"compare_map.html"`` when ``map_runs`` are drawn, else no link).
    reference : str, keyword-only, optional
        As for :func:`compare`.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    DataError
        As for :func:`compare`; an unknown or repeated name in ``map_scenarios``, or not 2
        to 4 maps to show.
    """
    from netopt import maps, report
    from netopt.maps.text import chosen_language, use_language
    from netopt.scenario.excel import comparison_workbook

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    records = [_record_of(r) for r in results]
    table = compare(records, reference=reference)
    names = [s["scenario"] for s in records]
    written = []
    with atomic_path(folder / "comparison.csv") as tmp:
        _csv_table(table, compare_stages(records)).to_csv(tmp)
    written.append(folder / "comparison.csv")
    if names:
        doc = _comparison_json(table, records, reference or names[0])
        with atomic_path(folder / COMPARISON_KPIS_FILE) as tmp:
            tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        written.append(folder / COMPARISON_KPIS_FILE)
    links = dict(links or {s["scenario"]: f"{s['scenario']}/report.html" for s in records})
    side_by_side = None
    with use_language(chosen_language(records[0].get("language") if records else None)):
        if map_runs:  # drawn first: a bad name in map_scenarios writes no comparison.html
            side_by_side = maps.compare_map(list(map_runs), scenarios=map_scenarios)
            map_href = map_href or "compare_map.html"
        html = report.comparison_report(records, table, links=links, map_href=map_href)
    with atomic_path(folder / "comparison.html") as tmp:
        tmp.write_text(html, encoding="utf-8")
    written.append(folder / "comparison.html")
    written.append(comparison_workbook(records, folder / "comparison.xlsx", reference=reference))
    if side_by_side is not None:
        maps.save_map(side_by_side, folder / "compare_map.html")
        written.append(folder / "compare_map.html")
    return written
