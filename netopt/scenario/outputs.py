"""A run's output folder: what is written (:data:`OUTPUT_FILES`), the ``kpis.json`` record
(:data:`RECORD_KEYS`), and when saved outputs are still current (:func:`is_current`).

:func:`write_outputs` writes every file of a :class:`~netopt.scenario.Result` into a
temporary folder and swaps it in only when all of them are written, so a failed run leaves
the previous outputs byte-identical. ``kpis.json`` holds the record of
:func:`make_record`, the one description of a run that reports, comparisons and the CLI
read; :data:`RECORD_KEYS` is its schema.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netopt._atomic import atomic_dir
from netopt._notes import note_from
from netopt.alliances.layers import alliance_table
from netopt.kpis import KPI_BY_KEY, KPIS, kpi_info, local_visits_per_year
from netopt.scenario.cost_outputs import cost_files, cost_record, diagnosis_record, hosting_files
from netopt.scenario.csvs import rounded
from netopt.scenario.flow_outputs import flow_files, flow_record
from netopt.scenario.geopackage import write_geopackage
from netopt.scenario.pathway_outputs import (
    pathway_record,
    pathway_table,
    places_record,
    siting_record,
)
from netopt.solve.status import stage_text

if TYPE_CHECKING:
    from netopt.scenario.runner import Result
    from netopt.scenario.spec import Scenario

__all__ = [
    "OUTPUT_FILES",
    "RECORD_KEYS",
    "is_current",
    "load_record",
    "make_record",
    "write_outputs",
]

logger = logging.getLogger(__name__)

#: Files :func:`write_outputs` writes (``schedule.csv`` and ``ics/`` only with rotations,
#: ``pathways.csv`` only with pathways).
OUTPUT_FILES: tuple[str, ...] = (
    "plan.gpkg",
    "assignments.csv",
    "alliances.csv",
    "capacity_moves.csv",
    "cut_off.csv",
    "flows_by_zone.csv",
    "facility_load.csv",
    "access.csv",
    "upgrades.csv",
    "kpis.json",
    "map.html",
    "report.html",
    "workbook.xlsx",
    "scenario.toml",
    "run.json",
)

#: The schema of ``kpis.json`` (:meth:`Result.record`): every key and what it holds.
RECORD_KEYS: dict[str, str] = {
    "scenario": "scenario name (its output folder)",
    "title": "scenario title (the name when it has none)",
    "description": "scenario description",
    "region": "region name",
    "caveat": (
        "the region's data caveat shown on every report and map (netopt.maps.text.data_caveat: "
        "region.toml caveat, else the tables' estimated flags; null when neither)"
    ),
    "leads": (
        "the alliance leads: list of {id, name, name_zh} (name_zh: the Chinese name, null "
        "where the data give none)"
    ),
    "solver": (
        "the alliance plan's solve: status (netopt.solve.STATUSES), objective, bound, gap, "
        "seconds, solver (backend name), message, params (the SolverParams used)"
    ),
    "rotation_solver": (
        "the rotation solve (null without rotations): status, objective, bound, gap, "
        "seconds, params (the SolverParams used)"
    ),
    "stages": (
        'the status of each stage for people: {"location": STAGE, "rotation": STAGE or null}, '
        "STAGE = {status, objective, bound, gap, seconds, evaluated, text}; text is "
        'netopt.solve.status.stage_text ("optimal", "evaluated", "time limit, gap 10.3 %" ...), '
        "evaluated is true when today's alliances were evaluated, not optimised"
    ),
    "kpis": "KPI key -> value (netopt.kpis.plan_kpis; null for NaN)",
    "baseline": "the same KPIs for the naive plan (netopt.kpis.baseline_kpis)",
    "population_counts": (
        "population_served, population_unserved_capacity, population_not_covered "
        "(they add up to the population)"
    ),
    "cut_off": (
        "residents cut off until a closed crossing reopens, by island and township: list of "
        "{island_name, township, zones, population, mean_lead_min} (AlliancePlan."
        "cut_off_by_place; empty when nobody is cut off; the zones are in cut_off.csv)"
    ),
    "rates": "the netopt.kpis.Rates fields used (visits and referrals per resident per year)",
    "local_specialist_visits_per_year": (
        "patients seen locally by visiting experts, per year (0 without rotations)"
    ),
    "flows": (
        "the patient-flow model of the run (netopt.scenario.flow_outputs.flow_record): demand "
        "(visits per resident per year by care level), choice (the choice parameters), "
        "upgraded (facility ids), upgrade_solver (status, objective, bound, gap, message, "
        "targets, shortfalls in shares; null when upgrades were not decided), access (per "
        "township: beds and doctors per 1,000 within 30 min by 2SFCA, in-area, grassroots "
        "and timely-care shares)"
    ),
    "pathways": (
        "time-critical referral pathways (netopt.scenario.pathway_outputs.pathway_record): "
        "condition -> label, window_min, source, estimated, and share_in_time, median_min, "
        'population_not_in_time each by "day" and "night" (of every resident); null '
        "when the scenario disables pathways"
    ),
    "pathway_places": (
        "residents not in time by condition, period, island and township (list of records; "
        "places with nobody late left out)"
    ),
    "siting": (
        "where [pathways.siting] put a capability: siting, chosen, capabilities, summary, "
        "status, objective, bound, gap, population, candidates; null without a siting"
    ),
    "costs": (
        "what the configuration costs a year (netopt.costs.CostBreakdown.record): total_yuan "
        "(the sum of items), budget_yuan (null without a budget), charged_yuan (the items "
        "paid from the budget), balance_yuan (budget less charged; negative: an overrun), "
        "per_resident_yuan, items (item -> yuan), paid_by (item -> budget|patients), "
        "by_alliance (lead -> item -> yuan, rows adding up to the items), estimated (items "
        "with estimated prices), objective (report, total_cost or patient_hours: what the "
        "upgrades were chosen for); null when the scenario turns costs off"
    ),
    "diagnosis": (
        "shared diagnosis centres (netopt.scenario.cost_outputs.diagnosis_record): centres, "
        "assignments_outside_window, courier routes, unserved stops, messages, stages, "
        "courier_problems (the independent validator's findings; empty: valid); null "
        "without [diagnosis]"
    ),
    "hosting": (
        "partners hosting county leads (netopt.hosting.Hosting.record): "
        "followup_patient_hours_saved_per_year, referral and total hours saved, referrals "
        "up, follow-ups home, the county's added load, links, partner_of_lead, by_place, "
        "by_island, chosen, solve; null without [hosting]"
    ),
    "alliances": (
        "one record per alliance (the rows of alliances.csv at full precision, with "
        "member_ids and member_names: netopt.alliances.layers.alliance_table; name_zh: the "
        "lead's Chinese name or null)"
    ),
    "messages": "the planner's notes (relaxed limits, capacity shortfalls ...), in English",
    "notes": (
        "the same notes as catalogue keys and fields, for pages in any language: list of "
        "{key, fields, text} (netopt._notes.Note; a note made as plain text is that text)"
    ),
    "warnings": (
        "the run's warnings grouped by cause (netopt._warning_groups.WarningGroups.groups): "
        "list of {level, logger, count, cause, examples, text}"
    ),
    "definitions": (
        "KPI key -> {label, unit, definition, better} (netopt.kpis.KPIS, then every other "
        'key of kpis, e.g. the pathway KPIs, by netopt.kpis.kpi_info; better is "lower", '
        '"higher" or null)'
    ),
    "fingerprint": "Scenario.fingerprint() (null for an in-memory region)",
    "language": (
        "the language of the run's pages (Scenario.page_language: --lang, else the "
        "scenario's language, else region.toml's, else en)"
    ),
    "seconds": "wall-clock seconds per step of the run",
}


def make_record(result: Result) -> dict[str, Any]:
    """Return the JSON-ready ``kpis.json`` record of a run (keys: :data:`RECORD_KEYS`).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict
        Plain JSON types; NaN and infinities are None.
    """
    from netopt.maps.text import data_caveat  # maps load folium: imported when needed

    plan, sched, scenario = result.plan, result.schedule, result.scenario
    names = plan.region.facilities["name"]
    solve = plan.solve
    record = {
        "scenario": scenario.name,
        "title": scenario.title or scenario.name,
        "description": scenario.description,
        "region": plan.region.name,
        "caveat": data_caveat(plan.region),
        "leads": [
            {"id": j, "name": str(names.get(j, j)), "name_zh": _name_zh(plan.region, j)}
            for j in plan.leads
        ],
        "solver": {
            "status": solve.status,
            "objective": solve.objective,
            "bound": solve.bound,
            "gap": solve.gap,
            "seconds": solve.seconds,
            "solver": solve.solver,
            "message": solve.message,
            "params": plan.params.to_dict(),
        },
        "rotation_solver": None
        if sched is None
        else {
            "status": sched.status,
            "objective": sched.objective,
            "bound": sched.bound,
            "gap": sched.gap,
            "seconds": sched.seconds,
            "params": sched.params.to_dict(),
        },
        "stages": {
            "location": _stage(solve, evaluated=plan.options.evaluate_only),
            "rotation": None if sched is None else _stage(sched),
        },
        "kpis": result.kpis,
        "baseline": result.baseline,
        "population_counts": result.population_counts,
        "cut_off": plan.cut_off_by_place().to_dict(orient="records"),
        "rates": plan.rates.to_dict(),
        "local_specialist_visits_per_year": local_visits_per_year(sched),
        "flows": flow_record(result, result.flows),
        "pathways": pathway_record(result),
        "pathway_places": places_record(result),
        "siting": siting_record(result),
        "costs": cost_record(result),
        "diagnosis": diagnosis_record(result),
        "hosting": None if result.hosting is None else result.hosting.record(),
        "alliances": [
            {**row, "name_zh": _name_zh(plan.region, row.get("lead"))}
            for row in alliance_table(plan).reset_index().to_dict(orient="records")
        ],
        "messages": [str(m) for m in plan.messages],
        "notes": [note_from(m) for m in plan.messages],
        "warnings": list(result.warnings),
        "definitions": {
            k.key: {
                "label": k.label,
                "unit": k.unit,
                "definition": k.definition,
                "better": k.better,
            }
            for k in [*KPIS, *(kpi_info(key) for key in result.kpis if key not in KPI_BY_KEY)]
        },
        "fingerprint": scenario.fingerprint(),
        "language": scenario.page_language(),
        "seconds": result.seconds,
    }
    return _jsonable(record)


def _name_zh(region: Any, fid: Any) -> str | None:
    """A facility's Chinese name (``name_zh``), None where the data give none."""
    fac = region.facilities
    if "name_zh" not in fac.columns or fid not in fac.index:
        return None
    value = fac.at[fid, "name_zh"]
    return value.strip() if isinstance(value, str) and value.strip() else None


def _stage(solve: Any, *, evaluated: bool = False) -> dict[str, Any]:
    """The ``stages`` entry of one solve (a SolveResult, a RotationSchedule or a solver
    record of an older ``kpis.json``)."""

    def get(key: str) -> Any:
        return solve.get(key) if isinstance(solve, Mapping) else getattr(solve, key)

    return {
        **{k: get(k) for k in ("status", "objective", "bound", "gap", "seconds")},
        "evaluated": evaluated,
        "text": stage_text(solve, evaluated=evaluated),
    }


def write_outputs(result: Result, folder: str | Path) -> Path:
    """Write every output of a run into ``folder`` atomically (the old folder survives a
    failure).

    Writes ``plan.gpkg``, ``assignments.csv``, ``alliances.csv``, ``capacity_moves.csv``,
    ``cut_off.csv`` (zones cut off until a closed crossing reopens), the flow tables
    ``flows_by_zone.csv``, ``facility_load.csv``, ``access.csv`` and ``upgrades.csv``
    (:mod:`netopt.scenario.flow_outputs`), ``pathways.csv`` (with pathways,
    :mod:`netopt.scenario.pathway_outputs`), the cost and diagnosis tables ``costs.csv``,
    ``costs_by_alliance.csv``, ``diagnosis_centres.csv``, ``diagnosis_assignments.csv``,
    ``courier_routes.csv``, ``courier_unserved.csv`` and the hosting tables
    ``hosting_links.csv``, ``hosting_places.csv`` (each when planned,
    :mod:`netopt.scenario.cost_outputs`), ``kpis.json``
    (:func:`make_record`), ``map.html``, ``report.html``, ``workbook.xlsx``
    (:func:`~netopt.scenario.excel.run_workbook`), ``scenario.toml`` (resolved),
    ``run.json`` (the fingerprint) and, with rotations, ``schedule.csv`` and ``ics/*.ics``.

    Parameters
    ----------
    result : Result
    folder : str or pathlib.Path
        The scenario's output folder, e.g. ``maps/storm``.

    Returns
    -------
    pathlib.Path
    """
    from netopt import maps, report
    from netopt.io import dumps_toml
    from netopt.maps.text import use_language
    from netopt.scenario.excel import run_workbook

    folder = Path(folder)
    record = make_record(result)
    with atomic_dir(folder) as tmp:
        tmp.chmod(0o755)  # mkdtemp makes it private; outputs are for sharing
        write_geopackage(result, tmp / "plan.gpkg")  # the plan's layers and the network as run
        result.plan.zones.to_csv(tmp / "assignments.csv", index=False)  # exact: KPIs recompute
        rounded(alliance_table(result.plan)).to_csv(tmp / "alliances.csv")  # with members
        rounded(result.plan.capacity_moves).to_csv(tmp / "capacity_moves.csv", index=False)
        rounded(result.plan.cut_off).to_csv(tmp / "cut_off.csv", index=False)
        for name, table in flow_files(result).items():
            rounded(table).to_csv(tmp / name, index=name == "facility_load.csv")
        pathways = pathway_table(result)
        if pathways is not None:
            rounded(pathways).to_csv(tmp / "pathways.csv", index=False)
        for name, table in (*cost_files(result).items(), *hosting_files(result).items()):
            rounded(table).to_csv(tmp / name, index=False)
        if result.schedule is not None:
            result.schedule.to_csv(tmp / "schedule.csv")
            result.schedule.to_ics(tmp / "ics")
        (tmp / "kpis.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        # pages in the language of --lang (use_language), else the scenario's, else the
        # region's (English); an in-memory region gives its own
        lang = record["language"]
        maps.save_map(maps.alliance_map(result, lang=lang), tmp / "map.html")  # network as run
        with use_language(lang):
            page = report.scenario_report(
                record, map_href="map.html", has_schedule=result.schedule is not None
            )
        (tmp / "report.html").write_text(page, encoding="utf-8")
        run_workbook(result, tmp / "workbook.xlsx", record=record)
        (tmp / "scenario.toml").write_text(dumps_toml(result.scenario.to_dict()), encoding="utf-8")
        for sub in (p for p in tmp.rglob("*") if p.is_dir()):
            sub.chmod(0o755)  # writers that use temporary folders make them private
        (tmp / "run.json").write_text(
            json.dumps(
                {
                    "scenario": result.name,
                    "fingerprint": record["fingerprint"],
                    "language": lang,
                    "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    logger.info("outputs of %s written to %s", result.name, folder)
    return folder


def load_record(folder: str | Path) -> dict[str, Any]:
    """Read the ``kpis.json`` record of a scenario output folder.

    Parameters
    ----------
    folder : str or pathlib.Path

    Returns
    -------
    dict
        As :func:`make_record` (keys: :data:`RECORD_KEYS`). A record written before
        ``stages`` existed gets them from its ``solver`` and ``rotation_solver`` (and the
        folder's ``scenario.toml``: ``[model] evaluate_only``), so readers may rely on them.
    """
    folder = Path(folder)
    record = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    if isinstance(record, dict) and "stages" not in record and "solver" in record:
        rotation = record.get("rotation_solver")
        record["stages"] = _jsonable(
            {
                "location": _stage(record["solver"], evaluated=_evaluated_in(folder)),
                "rotation": None if rotation is None else _stage(rotation),
            }
        )
    return record


def _evaluated_in(folder: Path) -> bool:
    """True when the folder's ``scenario.toml`` evaluates today's alliances."""
    from netopt.io.config import toml_from_bytes

    try:
        path = folder / "scenario.toml"
        model = toml_from_bytes(path.read_bytes(), str(path)).get("model", {})
    except (OSError, ValueError):  # DataError is a ValueError
        return False
    return isinstance(model, Mapping) and model.get("evaluate_only") is True


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
        True when ``run.json`` holds the scenario's fingerprint and the language its pages
        would be written in now (:meth:`~netopt.scenario.Scenario.page_language`: a run in
        another language rewrites them), every output file exists
        (``schedule.csv`` too with rotations) and ``kpis.json`` holds every key of
        :data:`RECORD_KEYS` (outputs written before a key was added are run again).
    """
    folder = Path(folder)
    fp = scenario.fingerprint()
    if fp is None or not (folder / "run.json").is_file():
        return False
    try:
        saved = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    needed = [*OUTPUT_FILES, *(["schedule.csv"] if scenario.rotations is not None else [])]
    needed += ["pathways.csv"] if scenario.pathways is not None else []
    needed += ["costs.csv"] if scenario.costs is not None else []
    needed += ["diagnosis_centres.csv"] if scenario.diagnosis is not None else []
    needed += ["hosting_links.csv"] if scenario.hosting is not None else []
    if saved.get("fingerprint") != fp or saved.get("language") != scenario.page_language():
        return False
    if not all((folder / f).is_file() for f in needed):
        return False
    try:
        record = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and set(RECORD_KEYS) <= set(record)


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
