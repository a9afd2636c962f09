"""Excel workbooks of a run (:func:`run_workbook`) and of a comparison
(:func:`comparison_workbook`), for planners who work in a spreadsheet.

A run's ``workbook.xlsx`` has one sheet per table: ``KPIs`` (the ``kpis`` of ``kpis.json``,
value for value), ``Alliances`` (one row per alliance with its members' ids and names),
``Facilities``, ``Zones`` (the assignments), ``Cut off`` and ``Capacity moves`` when they
have rows, ``Schedule`` (the expert visits) with rotations, and with patient flows ``Access``
(per township: beds and doctors per 1,000 within reach, the shares of visits inside the
county and at grassroots level, the share of needs within reach in time: the ``access`` rows
of ``kpis.json``), ``Upgrades`` (the upgrade candidates, their added beds, ESTIMATED cost and
whether upgraded; when there are candidates) and ``Facility load`` (the yearly visits each
facility receives, by care level); with costs ``Costs`` (the items of ``costs.csv``, then
the total, the charged cost, the budget and the balance, an overrun in red:
:data:`COST_TOTALS`) and ``Costs by alliance``; with diagnosis centres ``Diagnosis
centres``, ``Diagnosis assignments`` and, with a courier plan, ``Courier
routes`` (one row per stop, ``courier_routes.csv``), ``Courier summary`` (one row per
vehicle route) and ``Courier unserved`` (when it has rows). A comparison's
``comparison.xlsx`` has one ``Comparison`` sheet: the rows and columns of ``comparison.csv``
(stage status rows first, then one row per KPI, one column per scenario, then the change
against the reference and its verdict), the changes marked green when better and red when
worse.

Cells hold the full-precision numbers; only their ``number_format`` rounds what is shown
(thousands separators, percentages for shares, one decimal for minutes). Every sheet has a
frozen header row and column widths set. Both files are written atomically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from netopt._atomic import atomic_path
from netopt.alliances.layers import alliance_table, facilities_frame
from netopt.kpis import KPIS, kpi_info
from netopt.scenario.flow_outputs import access_table, facility_load_table

if TYPE_CHECKING:
    from netopt.scenario.runner import Result

__all__ = ["COST_TOTALS", "MARK_FONTS", "RUN_SHEETS", "comparison_workbook", "run_workbook"]

#: The sheets of a run's workbook, in order (from ``Cut off`` on only when they have rows).
RUN_SHEETS: tuple[str, ...] = (
    "KPIs",
    "Alliances",
    "Facilities",
    "Zones",
    "Cut off",
    "Capacity moves",
    "Schedule",
    "Access",
    "Upgrades",
    "Facility load",
    "Costs",
    "Costs by alliance",
    "Diagnosis centres",
    "Diagnosis assignments",
    "Courier routes",
    "Courier summary",
    "Courier unserved",
)

#: The summary rows under the items of the ``Costs`` sheet: (record key, label).
COST_TOTALS: tuple[tuple[str, str], ...] = (
    ("total_yuan", "Total cost (all items)"),
    ("charged_yuan", "Charged to the budget"),
    ("budget_yuan", "Budget"),
    ("balance_yuan", "Balance (negative: overrun)"),
    ("per_resident_yuan", "Total cost per resident"),
)

#: Font colour (ARGB) of a change cell and its verdict, by verdict (Excel's Good and Bad).
MARK_FONTS: dict[str, str] = {"better": "FF006100", "worse": "FF9C0006"}
_MARK_FILLS = {"better": "FFC6EFCE", "worse": "FFFFC7CE"}

#: number_format by KPI unit (values, then changes with a sign).
_UNIT_FORMATS: dict[str, tuple[str, str]] = {
    "share": ("0.0%", "+0.0%;-0.0%;0.0%"),
    "min": ("#,##0.0", "+#,##0.0;-#,##0.0;0.0"),
    "s": ("#,##0.0", "+#,##0.0;-#,##0.0;0.0"),
}
_COUNT_FORMATS = ("#,##0", "+#,##0;-#,##0;0")
_OTHER_FORMATS = ("#,##0.##", "+#,##0.##;-#,##0.##;0")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDE4EE")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def _unit_formats(unit: str) -> tuple[str, str]:
    """(value, change) number formats of a KPI unit."""
    if unit in _UNIT_FORMATS:
        return _UNIT_FORMATS[unit]
    if unit in ("people", "patients", "h/year", "h/period", "days", ""):
        return _COUNT_FORMATS
    return _OTHER_FORMATS


def _column_format(name: str) -> str:
    """The number_format of a numeric table column, from its name."""
    if name.endswith("_min"):
        return "#,##0.0"
    if name.endswith("_per_1000"):
        return "#,##0.00"
    if name in ("utilisation", "capacity_served") or "share" in name:
        return "0.0%"
    if name.endswith(("_hours", "_h")) or "hours" in name:
        return "#,##0.0"
    return "#,##0"


def _cell_value(value: Any) -> Any:
    """A value openpyxl can write: None for NaN and missing, plain Python scalars."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if hasattr(value, "isoformat") else str(value)


def _header(ws: Worksheet, names: Sequence[str]) -> None:
    """Write the bold header row and freeze it."""
    ws.append(list(names))
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=False)
    ws.freeze_panes = "A2"


def _fit_widths(ws: Worksheet) -> None:
    """Set every column's width from its longest shown text (within 8 and 60 characters)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            value = cell.value
            text = f"{value:,.1f}" if isinstance(value, float) else str(value)
            n = max(len(line) for line in text.splitlines() or [""])
            n += sum(1 for ch in text if ord(ch) > 0x2E7F)  # CJK glyphs are two wide
            widths[cell.column] = max(widths.get(cell.column, 0), n)
    for col, n in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(_MAX_WIDTH, max(_MIN_WIDTH, n + 2))


def _table_sheet(wb: Workbook, title: str, frame: pd.DataFrame) -> Worksheet:
    """One sheet of a table: a header row of its columns, a row per row, numbers formatted."""
    ws = wb.create_sheet(title)
    columns = [str(c) for c in frame.columns]
    _header(ws, columns)
    numeric = {
        i
        for i, c in enumerate(frame.columns)
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell_value(v) for v in row])
    for i in numeric:
        fmt = _column_format(columns[i])
        for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = fmt
    _fit_widths(ws)
    return ws


def _kpi_rows(record: Mapping[str, Any]) -> list[tuple[str, str, str, Any, str]]:
    """(key, label, unit, value, better) per KPI of the record, in the order of KPIS."""
    values = record["kpis"]
    keys = [k.key for k in KPIS if k.key in values]
    keys += [k for k in values if k not in keys]
    definitions = record.get("definitions") or {}
    rows = []
    for key in keys:
        info = definitions.get(key) or {}
        fallback = kpi_info(key)
        rows.append(
            (
                key,
                str(info.get("label", fallback.label)),
                str(info.get("unit", fallback.unit)),
                values[key],
                str(info.get("better", fallback.better) or ""),
            )
        )
    return rows


def _kpi_sheet(wb: Workbook, record: Mapping[str, Any]) -> None:
    ws = wb.create_sheet("KPIs")
    _header(ws, ["key", "label", "unit", "value", "better"])
    for key, label, unit, value, better in _kpi_rows(record):
        ws.append([key, label, unit, _cell_value(value), better or None])
        ws.cell(ws.max_row, 4).number_format = _unit_formats(unit)[0]
    _fit_widths(ws)


def _flow_sheets(wb: Workbook, result: Result, record: Mapping[str, Any]) -> None:
    """``Access``, ``Upgrades`` and ``Facility load``, for a run with patient flows."""
    flows = result.flows
    if flows is None:
        return
    access = (record.get("flows") or {}).get("access")
    frame = pd.DataFrame(access) if access else access_table(result, flows)
    _table_sheet(wb, "Access", frame)
    upgrades = result.plan.upgrades
    if len(upgrades):
        _table_sheet(wb, "Upgrades", upgrades.rename_axis("facility").reset_index())
    load = facility_load_table(result, flows)
    _table_sheet(wb, "Facility load", load.rename_axis("facility_id").reset_index())


def _frame(obj: Any, name: str) -> pd.DataFrame | None:
    """``obj.name`` when it is a table with rows (geometry dropped), else None."""
    frame = getattr(obj, name, None)
    if not isinstance(frame, pd.DataFrame) or not len(frame):
        return None
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


def _record_costs(costs: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The items and by-alliance tables from a ``kpis.json`` ``costs`` record."""
    items = costs.get("items") or {}
    if isinstance(items, Mapping):
        paid = costs.get("paid_by") or {}
        estimated = {str(e) for e in costs.get("estimated") or []}
        frame = pd.DataFrame(
            {
                "item": [str(k) for k in items],
                "paid_by": [paid.get(k) for k in items],
                "yuan_per_year": [items[k] for k in items],
                "estimated": [str(k) in estimated for k in items],
            }
        )
    else:
        frame = pd.DataFrame(list(items))
    by = costs.get("by_alliance")
    alliance = pd.DataFrame.from_dict(by, orient="index").rename_axis("lead") if by else None
    return frame, alliance


def _costs_sheet(wb: Workbook, items: pd.DataFrame, totals: Mapping[str, Any]) -> None:
    """``Costs``: the items, an empty row, then :data:`COST_TOTALS` in bold (overrun red)."""
    ws = _table_sheet(wb, "Costs", items)
    columns = [str(c) for c in items.columns]
    value_col = columns.index("yuan_per_year") + 1 if "yuan_per_year" in columns else 2
    label_col = columns.index("label") + 1 if "label" in columns else None
    ws.append([])
    for key, label in COST_TOTALS:
        value = _cell_value(totals.get(key))
        row = [None] * max(len(columns), value_col)
        row[0] = key.removesuffix("_yuan")
        if label_col is not None:
            row[label_col - 1] = label
        row[value_col - 1] = value
        ws.append(row)
        r = ws.max_row
        overrun = key == "balance_yuan" and isinstance(value, (int, float)) and value < 0
        for cell in ws[r]:
            cell.font = Font(bold=True, color=MARK_FONTS["worse"] if overrun else None)
        ws.cell(r, value_col).number_format = "#,##0"
        if overrun and label_col is not None:
            ws.cell(r, label_col).value = "Balance: OVERRUN (the group pays it)"
    _fit_widths(ws)


def _cost_sheets(wb: Workbook, result: Any, record: Mapping[str, Any]) -> None:
    """``Costs`` and ``Costs by alliance`` (from ``result.costs``, else the record's
    ``costs``); the diagnosis and courier sheets from ``result.diagnosis``."""
    costs = getattr(result, "costs", None)
    items: pd.DataFrame | None = None
    alliance: pd.DataFrame | None = None
    totals: Mapping[str, Any] = {}
    if costs is not None:
        items, alliance = costs.items, getattr(costs, "by_alliance", None)
        totals = {key: getattr(costs, key, None) for key, _ in COST_TOTALS}
    elif isinstance(record.get("costs"), Mapping) and record["costs"]:
        items, alliance = _record_costs(record["costs"])
        totals = record["costs"]
    if items is not None:
        _costs_sheet(wb, pd.DataFrame(items), totals)
        if alliance is not None and len(alliance):
            frame = alliance.rename_axis(alliance.index.name or "lead").reset_index()
            _table_sheet(wb, "Costs by alliance", frame)
    diagnosis = getattr(result, "diagnosis", None)
    courier = getattr(diagnosis, "courier", None)
    for title, obj, name in (
        ("Diagnosis centres", diagnosis, "centres"),
        ("Diagnosis assignments", diagnosis, "assignments"),
        ("Courier routes", courier, "stops"),
        ("Courier summary", courier, "routes"),
        ("Courier unserved", courier, "unserved"),
    ):
        frame = _frame(obj, name)
        if frame is not None:
            _table_sheet(wb, title, frame)


def run_workbook(
    result: Result, path: str | Path, *, record: Mapping[str, Any] | None = None
) -> Path:
    """Write a run's Excel workbook (sheets :data:`RUN_SHEETS`), atomically.

    Parameters
    ----------
    result : Result
        A run of :func:`~netopt.scenario.run`.
    path : str or pathlib.Path
        Target ``.xlsx`` file, e.g. ``maps/storm/workbook.xlsx``.
    record : mapping, keyword-only, optional
        The run's ``kpis.json`` record when already made (default:
        :meth:`Result.record`); the ``KPIs`` sheet holds its ``kpis``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> run_workbook(storm, "maps/storm/workbook.xlsx")  # doctest: +SKIP
    """
    path = Path(path)
    record = result.record() if record is None else record
    plan = result.plan
    wb = Workbook()
    wb.remove(wb.active)
    _kpi_sheet(wb, record)
    _table_sheet(wb, "Alliances", alliance_table(plan).reset_index())
    _table_sheet(wb, "Facilities", facilities_frame(plan).rename_axis("id").reset_index())
    _table_sheet(wb, "Zones", plan.zones)
    if len(plan.cut_off):
        _table_sheet(wb, "Cut off", plan.cut_off)
    if len(plan.capacity_moves):
        _table_sheet(wb, "Capacity moves", plan.capacity_moves)
    if result.schedule is not None and len(result.schedule.visits):
        _table_sheet(wb, "Schedule", result.schedule.visits)
    _flow_sheets(wb, result, record)
    _cost_sheets(wb, result, record)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def comparison_workbook(
    results_or_records: Iterable[Result | Mapping[str, Any]],
    path: str | Path,
    *,
    reference: str | None = None,
) -> Path:
    """Write a comparison's Excel workbook: one ``Comparison`` sheet, atomically.

    The sheet holds the rows and columns of ``comparison.csv``
    (:func:`~netopt.scenario.write_comparison`): header ``kpi``, ``label``, ``unit``, one
    column per scenario, ``better``, then ``change_S`` and ``verdict_S`` for every
    scenario ``S`` but the reference; the stage status rows (``stage_location``,
    ``stage_rotation``) first, then one row per KPI. A change and its verdict are in green
    (:data:`MARK_FONTS`, on a green fill) when better and in red when worse. The header row
    and the key, label and unit columns are frozen.

    Parameters
    ----------
    results_or_records : iterable of Result or dict
        As for :func:`~netopt.scenario.compare`.
    path : str or pathlib.Path
        Target ``.xlsx`` file, e.g. ``maps/comparison.xlsx``.
    reference : str, keyword-only, optional
        As for :func:`~netopt.scenario.compare` (default: the first scenario).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        As for :func:`~netopt.scenario.compare`.
    """
    from netopt.scenario.comparison import STAGE_ROW_PREFIX, _csv_table, compare, compare_stages

    path = Path(path)
    items = list(results_or_records)
    table = compare(items, reference=reference)
    stages = compare_stages(items)
    frame = _csv_table(table, stages)
    names = list(stages.columns[1:])
    others = [c[len("change_") :] for c in table.columns if str(c).startswith("change_")]
    wb = Workbook()
    ws = wb.active
    ws.title = "Comparison"
    columns = [frame.index.name or "kpi", *map(str, frame.columns)]
    _header(ws, columns)
    ws.freeze_panes = "D2"
    col = {c: i + 1 for i, c in enumerate(columns)}
    for key, row in frame.iterrows():
        ws.append([str(key), *(_cell_value(v) for v in row)])
        r = ws.max_row
        if str(key).startswith(STAGE_ROW_PREFIX):
            for c in ws[r]:
                c.font = Font(italic=True)
            continue
        value_fmt, change_fmt = _unit_formats(str(row["unit"]))
        for n in names:
            ws.cell(r, col[n]).number_format = value_fmt
        for n in others:
            change = ws.cell(r, col[f"change_{n}"])
            change.number_format = change_fmt
            verdict = str(row[f"verdict_{n}"])
            if verdict in MARK_FONTS:
                for cell in (change, ws.cell(r, col[f"verdict_{n}"])):
                    cell.font = Font(color=MARK_FONTS[verdict], bold=True)
                    cell.fill = PatternFill("solid", fgColor=_MARK_FILLS[verdict])
    _fit_widths(ws)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
