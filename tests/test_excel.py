"""Tests of netopt.scenario.excel: the workbooks of a run and of a comparison, read back with
openpyxl."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from netopt.alliances import AllianceOptions
from netopt.graph import GraphOptions
from netopt.rotations import RotationOptions
from netopt.scenario import (
    Modifiers,
    Scenario,
    comparison_workbook,
    load_record,
    run_all,
    run_workbook,
    write_comparison,
)
from netopt.scenario.comparison import STAGE_ROW_PREFIX
from netopt.scenario.excel import MARK_FONTS
from netopt.solve import SolverParams

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"


@pytest.fixture(scope="module")
def runs():
    """Real runs on the synthetic region: ``one`` (p = 1), ``two`` (p = 2, the city hospital
    a second lead), ``storm`` (ferry F1 closed: islanders cut off) and ``rot`` (p = 1 with
    two weeks of expert rotations)."""
    one = Scenario(
        "one",
        SYNTHETIC,
        graph=GraphOptions(h3_resolution=8),
        model=AllianceOptions(p=1, max_travel_min=math.inf),
        solver=SolverParams(time_limit_s=10),
    )
    scenarios = [
        one,
        one.replace(
            name="two",
            model=AllianceOptions(p=2, max_travel_min=math.inf, allow_outside_leads=True),
        ),
        one.replace(name="storm", modifiers=Modifiers(close_ferries=("F1",))),
        one.replace(
            name="rot",
            rotations=RotationOptions(horizon_days=14, start_date="2026-03-02"),
            rotation_solver=SolverParams(time_limit_s=3),
        ),
    ]
    return {r.name: r for r in run_all(scenarios)}


@pytest.fixture(scope="module")
def folders(runs, tmp_path_factory):
    """Every run written to its output folder (write_outputs)."""
    out = tmp_path_factory.mktemp("excel")
    return {name: r.to_folder(out / name) for name, r in runs.items()}


def rows_of(sheet) -> list[dict]:
    """The rows of a sheet as dicts keyed by its header row."""
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def c_colour(cell) -> str | None:
    """The ARGB font colour of a cell (None when it has none)."""
    color = cell.font.color
    return None if color is None else color.rgb


def test_kpi_sheet_equals_kpis_json(folders) -> None:
    """Every run's workbook.xlsx has one KPI row per key of kpis.json, with its value, label,
    unit and direction; numbers are formatted and the header frozen."""
    for name, folder in folders.items():
        record = json.loads((folder / "kpis.json").read_text(encoding="utf-8"))
        book = openpyxl.load_workbook(folder / "workbook.xlsx")
        sheet = book["KPIs"]
        rows = {row["key"]: row for row in rows_of(sheet)}
        assert set(rows) == set(record["kpis"]), name
        assert len(rows) == len(record["kpis"]) == sheet.max_row - 1
        for key, value in record["kpis"].items():
            got = rows[key]["value"]
            if value is None:
                assert got is None, (name, key)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (name, key)
            info = record["definitions"][key]
            assert rows[key]["label"] == info["label"] and rows[key]["unit"] == info["unit"]
            assert rows[key]["better"] == info["better"]  # empty when it has none
        formats = {
            sheet.cell(r, 1).value: sheet.cell(r, 4).number_format
            for r in range(2, sheet.max_row + 1)
        }
        assert formats["share_lead_60min"] == "0.0%"
        assert formats["mean_lead_min"] == "#,##0.0"
        assert formats["population"] == "#,##0"
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["B"].width > 20  # the labels are long


def test_alliance_sheet_lists_every_member(runs, folders) -> None:
    """The Alliances sheet has one row per alliance with every member's id and name (as
    plan.facilities assigns them) and the alliance's figures."""
    for name, folder in folders.items():
        plan = runs[name].plan
        book = openpyxl.load_workbook(folder / "workbook.xlsx")
        rows = rows_of(book["Alliances"])
        assert [row["lead"] for row in rows] == list(plan.alliances.index), name
        for row in rows:
            lead = row["lead"]
            members = plan.facilities.index[plan.facilities["lead"] == lead]
            ids = row["member_ids"].split(";")
            assert ids[0] == lead and sorted(ids) == sorted(members), (name, lead)
            names = row["member_names"].split("; ")
            assert names == [plan.facilities.loc[j, "name"] for j in ids]
            assert row["members"] == len(members)
            for column in ("population", "referral_load", "beds", "utilisation"):
                expected = float(plan.alliances.loc[lead, column])
                assert row[column] == pytest.approx(expected, rel=1e-12), column
    two = openpyxl.load_workbook(folders["two"] / "workbook.xlsx")["Alliances"]
    assert two.max_row == 3  # two alliances
    header = [c.value for c in two[1]]
    assert two.cell(2, header.index("utilisation") + 1).number_format == "0.0%"
    assert two.cell(2, header.index("population") + 1).number_format == "#,##0"


def test_run_sheets_follow_the_tables(runs, folders) -> None:
    """Cut off, Capacity moves and Schedule appear only when their tables have rows, and hold
    one row per row; Facilities carries the region's beds and township."""
    for name, folder in folders.items():
        r = runs[name]
        book = openpyxl.load_workbook(folder / "workbook.xlsx")
        assert book.sheetnames[:4] == ["KPIs", "Alliances", "Facilities", "Zones"]
        assert book["Zones"].max_row - 1 == len(r.plan.zones)
        assert ("Cut off" in book.sheetnames) == (len(r.plan.cut_off) > 0), name
        assert ("Capacity moves" in book.sheetnames) == (len(r.plan.capacity_moves) > 0)
        has_visits = r.schedule is not None and len(r.schedule.visits) > 0
        assert ("Schedule" in book.sheetnames) == has_visits, name
        facilities = rows_of(book["Facilities"])
        assert [row["id"] for row in facilities] == list(r.plan.facilities.index)
        assert {"beds", "township", "tier", "lead"} <= set(facilities[0])
        for sheet in book.worksheets:
            assert sheet.freeze_panes == "A2", (name, sheet.title)
    storm = openpyxl.load_workbook(folders["storm"] / "workbook.xlsx")
    cut = rows_of(storm["Cut off"])
    assert sorted(row["zone"] for row in cut) == sorted(runs["storm"].plan.cut_off["zone"])
    schedule = openpyxl.load_workbook(folders["rot"] / "workbook.xlsx")["Schedule"]
    assert schedule.max_row - 1 == len(runs["rot"].schedule.visits) > 0


def test_comparison_sheet_equals_comparison_csv(runs, tmp_path: Path) -> None:
    """comparison.xlsx holds comparison.csv cell for cell (stage rows first), its changes
    marked green when better and red when worse, with the verdict word beside them."""
    order = ["one", "two", "storm"]
    written = write_comparison([runs[n] for n in order], tmp_path)
    assert tmp_path / "comparison.xlsx" in written
    csv = pd.read_csv(tmp_path / "comparison.csv", index_col="kpi", keep_default_na=False)
    sheet = openpyxl.load_workbook(tmp_path / "comparison.xlsx")["Comparison"]
    header = [c.value for c in sheet[1]]
    assert header == ["kpi", *csv.columns]
    assert sheet.freeze_panes == "D2"
    keys = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert keys == list(csv.index)
    assert keys[:2] == [f"{STAGE_ROW_PREFIX}location", f"{STAGE_ROW_PREFIX}rotation"]
    col = {c: i + 1 for i, c in enumerate(header)}
    marked = set()
    for r, key in enumerate(keys, start=2):
        for n in order:
            cell, text = sheet.cell(r, col[n]).value, csv.loc[key, n]
            if key.startswith(STAGE_ROW_PREFIX):
                assert cell == text
            elif text == "":
                assert cell is None
            else:
                assert cell == pytest.approx(float(text), rel=1e-9, abs=1e-9), (key, n)
        for n in order[1:]:
            change = sheet.cell(r, col[f"change_{n}"])
            verdict = sheet.cell(r, col[f"verdict_{n}"])
            want = csv.loc[key, f"change_{n}"]
            if want == "" or key.startswith(STAGE_ROW_PREFIX):
                assert change.value in (None, ""), (key, n)
            else:
                assert change.value == pytest.approx(float(want), rel=1e-9, abs=1e-9), (key, n)
            word = csv.loc[key, f"verdict_{n}"]
            assert (verdict.value or "") == word, (key, n)
            if word in MARK_FONTS:
                marked.add(word)
                for c in (change, verdict):
                    assert c.font.color.rgb == MARK_FONTS[word], (key, n)
            elif not key.startswith(STAGE_ROW_PREFIX):
                assert c_colour(change) not in MARK_FONTS.values(), (key, n)
    assert marked == {"better", "worse"}  # the storm is worse, two leads better
    row = keys.index("share_lead_60min") + 2
    assert sheet.cell(row, col["one"]).number_format == "0.0%"
    assert sheet.cell(row, col["change_two"]).number_format.startswith("+0.0%")


def test_comparison_workbook_reads_records_against_a_reference(folders, tmp_path: Path) -> None:
    """The comparison workbook of saved kpis.json records measures against the named
    reference: no change columns for it, one pair for each other scenario."""
    records = [load_record(folders[n]) for n in ("one", "storm")]
    path = comparison_workbook(records, tmp_path / "c.xlsx", reference="storm")
    header = [c.value for c in openpyxl.load_workbook(path)["Comparison"][1]]
    assert header[-2:] == ["change_one", "verdict_one"]
    assert "change_storm" not in header
    assert [p.name for p in tmp_path.iterdir()] == ["c.xlsx"]  # no temporary left


def test_run_workbook_replaces_a_file_atomically(runs, tmp_path: Path) -> None:
    """run_workbook writes a new workbook over an old file and leaves no temporary."""
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"old")
    assert run_workbook(runs["one"], path) == path
    assert openpyxl.load_workbook(path).sheetnames[0] == "KPIs"
    assert [p.name for p in tmp_path.iterdir()] == ["w.xlsx"]
