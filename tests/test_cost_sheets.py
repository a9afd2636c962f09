"""The cost, diagnosis and courier sheets of a run's workbook (netopt.scenario.excel), from a
stand-in cost breakdown and diagnosis plan with the columns of the issue #14 spec."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from openpyxl import Workbook

from netopt.alliances import AllianceOptions
from netopt.graph import GraphOptions
from netopt.scenario import Scenario, run, run_workbook
from netopt.scenario.excel import MARK_FONTS, _cost_sheets
from netopt.solve import SolverParams

SYNTHETIC = Path(__file__).parent / "data" / "synthetic"
ITEMS = {
    "care_grassroots": 300_000_000.4,
    "care_county": 900_000_000.0,
    "transfers": 22_302_000.0,
    "diagnosis_fixed": 1_420_000.0,
    "courier": 410_000.0,
    "patient_travel": 85_000_000.0,
    "patient_time": 120_000_000.0,
}
PATIENTS = ("patient_travel", "patient_time")


def breakdown(budget: float) -> SimpleNamespace:
    """A CostBreakdown stand-in: items, by_alliance, totals and record()."""
    items = pd.DataFrame(
        {
            "item": list(ITEMS),
            "label": [k.replace("_", " ") for k in ITEMS],
            "paid_by": ["patients" if k in PATIENTS else "budget" for k in ITEMS],
            "yuan_per_year": list(ITEMS.values()),
            "basis": ["" for _ in ITEMS],
            "estimated": [k in ("diagnosis_fixed", "courier") for k in ITEMS],
        }
    )
    by = pd.DataFrame([{k: v / 2 for k, v in ITEMS.items()}] * 2, index=["H1", "(region)"])
    by["total"] = by.sum(axis=1)
    total = float(items["yuan_per_year"].sum())
    charged = float(items.loc[items["paid_by"] == "budget", "yuan_per_year"].sum())
    record = {
        "total_yuan": total,
        "charged_yuan": charged,
        "budget_yuan": budget,
        "balance_yuan": budget - charged,
        "per_resident_yuan": total / 1000,
        "items": dict(ITEMS),
        "paid_by": dict(zip(items["item"], items["paid_by"])),
        "by_alliance": by.to_dict("index"),
        "estimated": ["diagnosis_fixed", "courier"],
    }
    return SimpleNamespace(
        items=items,
        by_alliance=by,
        total_yuan=total,
        charged_yuan=charged,
        budget_yuan=budget,
        balance_yuan=budget - charged,
        per_resident_yuan=total / 1000,
        record=lambda: record,
    )


def diagnosis() -> SimpleNamespace:
    """A DiagnosisPlan stand-in with one laboratory centre and a courier plan."""
    centres = pd.DataFrame(
        {"service": ["laboratory"], "facility_id": ["H1"], "name": ["Hospital One"],
         "kept": [True], "tests_per_year": [12000.0], "capacity_per_year": [math.inf],
         "utilisation": [0.0], "fixed_cost_yuan": [8e5], "test_cost_yuan": [3.6e5],
         "senders": [2]}
    )  # fmt: skip
    stops = pd.DataFrame(
        {"centre_id": ["H1", "H1"], "route": ["R1", "R1"], "seq": [1, 2],
         "facility_id": ["T1", "T2"], "name": ["A", "B"], "arrive": ["08:25", "09:40"],
         "depart": ["08:35", "09:50"], "samples": [40.0, 25.0], "load": [40.0, 65.0],
         "minutes_to_centre": [150.0, 260.0], "window_min": [240.0, 240.0],
         "meets_window": [True, False], "ferries": ["", "F1"], "leg_km": [12.0, 20.5]}
    )  # fmt: skip
    routes = pd.DataFrame(
        {"centre_id": ["H1"], "route": ["R1"], "stops": [2], "samples": [65.0],
         "start": ["08:00"], "end": ["12:20"], "km": [58.3], "hours": [4.3],
         "ferry_crossings": [2], "max_sample_age_min": [260.0], "meets_window": [False]}
    )  # fmt: skip
    lines = gpd.GeoDataFrame(
        {"route": ["R1"], "mode": ["road"]},
        geometry=[shapely.LineString([(0, 0), (1, 1)])],
        crs=4326,
    )
    courier = SimpleNamespace(
        stops=stops, routes=routes, unserved=pd.DataFrame(columns=["facility_id"]), lines=lines
    )
    assignments = stops[["facility_id", "name"]].rename(
        columns={"facility_id": "sender_id", "name": "sender_name"}
    )
    return SimpleNamespace(centres=centres, assignments=assignments, courier=courier)


def rows_of(sheet) -> list[dict]:
    """The rows of a sheet as dicts keyed by its header row (empty rows skipped)."""
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:] if any(v is not None for v in row)]


def _book(tmp_path: Path, result, record: dict) -> openpyxl.Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    _cost_sheets(wb, result, record)
    wb.save(tmp_path / "w.xlsx")
    return openpyxl.load_workbook(tmp_path / "w.xlsx")


def _totals(sheet) -> dict:
    return {r["item"]: r for r in rows_of(sheet)}


def test_costs_sheet_total_equals_the_record_total(tmp_path) -> None:
    """The Costs sheet: the items, whose sum is its total row, which equals the record's
    total_yuan; the charged cost, budget and balance below; an overrun in red."""
    costs = breakdown(budget=1_000_000_000.0)
    record = {"costs": costs.record()}
    book = _book(tmp_path, SimpleNamespace(costs=costs, diagnosis=diagnosis()), record)
    assert book.sheetnames == [
        "Costs", "Costs by alliance", "Diagnosis centres", "Diagnosis assignments",
        "Courier routes", "Courier summary",
    ]  # fmt: skip
    rows = _totals(book["Costs"])
    items = [r for k, r in rows.items() if k in ITEMS]
    assert len(items) == len(ITEMS)
    assert rows["total"]["yuan_per_year"] == pytest.approx(record["costs"]["total_yuan"])
    assert sum(r["yuan_per_year"] for r in items) == pytest.approx(rows["total"]["yuan_per_year"])
    assert rows["charged"]["yuan_per_year"] == pytest.approx(record["costs"]["charged_yuan"])
    balance = rows["balance"]["yuan_per_year"]
    assert balance == pytest.approx(record["costs"]["balance_yuan"]) and balance < 0
    ws = book["Costs"]
    cell = next(c for c in ws["A"] if c.value == "balance")
    assert ws.cell(cell.row, 4).font.color.rgb == MARK_FONTS["worse"]
    assert "OVERRUN" in ws.cell(cell.row, 2).value
    assert ws.freeze_panes == "A2"
    alliance = rows_of(book["Costs by alliance"])
    assert [r["lead"] for r in alliance] == ["H1", "(region)"]
    assert sum(r["total"] for r in alliance) == pytest.approx(record["costs"]["total_yuan"])
    stops = rows_of(book["Courier routes"])
    assert [r["facility_id"] for r in stops] == ["T1", "T2"]
    assert [r["meets_window"] for r in stops] == [True, False]
    assert rows_of(book["Diagnosis centres"])[0]["capacity_per_year"] is None  # inf: empty


def test_costs_sheet_from_the_record_alone(tmp_path) -> None:
    """A result without .costs (a saved record): the sheet is built from kpis.json's costs,
    its total still the record's; without costs or diagnosis, no sheet at all."""
    record = {"costs": breakdown(budget=2e9).record()}
    book = _book(tmp_path, SimpleNamespace(), record)
    assert book.sheetnames == ["Costs", "Costs by alliance"]
    rows = _totals(book["Costs"])
    assert rows["total"]["yuan_per_year"] == pytest.approx(record["costs"]["total_yuan"])
    assert rows["balance"]["yuan_per_year"] > 0
    wb = Workbook()
    wb.remove(wb.active)
    _cost_sheets(wb, SimpleNamespace(costs=None, diagnosis=None), {})
    assert wb.sheetnames == []


class _WithCosts:
    """A real run with a stand-in cost breakdown and diagnosis plan added."""

    def __init__(self, result, costs, diagnosis):
        self._result, self.costs, self.diagnosis = result, costs, diagnosis

    def __getattr__(self, name):
        return getattr(self._result, name)

    def record(self) -> dict:
        return {**self._result.record(), "costs": self.costs.record()}


def test_run_workbook_has_the_cost_sheets(tmp_path) -> None:
    """run_workbook of a real run with costs: the usual sheets first, then the cost ones; the
    Costs total equals kpis.json's costs total_yuan."""
    scenario = Scenario(
        "one",
        SYNTHETIC,
        graph=GraphOptions(h3_resolution=8),
        model=AllianceOptions(p=1, max_travel_min=math.inf),
        solver=SolverParams(time_limit_s=10),
    )
    result = _WithCosts(run(scenario), breakdown(budget=1e9), diagnosis())
    record = result.record()
    path = run_workbook(result, tmp_path / "workbook.xlsx", record=record)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:4] == ["KPIs", "Alliances", "Facilities", "Zones"]
    assert {"Costs", "Costs by alliance", "Diagnosis centres", "Courier routes"} <= set(
        book.sheetnames
    )
    total = _totals(book["Costs"])["total"]["yuan_per_year"]
    assert total == pytest.approx(record["costs"]["total_yuan"])
