"""What a configuration costs in yuan a year, by item and by alliance: :func:`cost_breakdown`.

The items (:data:`~netopt.costs.ITEMS`, in this order) and what they are computed from:

* ``care_grassroots``, ``care_county``, ``care_outside``: the patient flows' visits
  (``flows.visits``, L x Z x F) x the price of the level at the facility's place
  (:func:`~netopt.costs.items.care_price_matrices`);
* ``transfers``: inpatient, emergency and recurring visits outside the area
  (``transfers_out_per_year``) x ``transfer_yuan``;
* ``expert_outreach``: the rotation schedule's visits scaled to a year
  (``365 / horizon_days``): each visit ``1 + lodging_days`` expert-days x the allowance, one
  round trip from the expert's home facility (km along the fastest paths of the graph, else
  ``travel_out_min + travel_back_min`` at ``fallback_speed_kmh``; ferry crossings x
  ``ferry_fare_yuan``) and ``lodging_days`` nights x the lodging rate;
* ``diagnosis_fixed``, ``diagnosis_tests``: the diagnosis centres' ``fixed_cost_yuan`` and
  ``test_cost_yuan`` columns;
* ``courier``: each courier route's ``km``, ``hours`` and ``ferry_crossings`` per run x
  the courier prices x runs a year (the courier plan's ``options.runs_per_year``, else
  ``Costs.courier_runs_per_year``);
* ``upgrades``: ``upgrade_cost_yuan`` of the upgraded facilities / ``upgrade_years``;
* ``patient_travel``: every visit a round trip over the road km and ferry crossings of the
  fastest path zone -> facility (:func:`netopt.graph.path_sums` when a graph is given, else
  the choice set's minutes at ``fallback_speed_kmh`` and no ferry fares);
* ``patient_time``: the flows' round-trip patient-hours x ``value_of_time_yuan_per_hour``.

Allocation to alliances: zone items to the zone's lead; outreach to the visited site's lead;
upgrades to the facility's lead; diagnosis and courier to the centre facility's lead; what
has no lead to the row ``"(region)"``. The rows add up to the item totals.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt.costs.budget import Budget, money_text
from netopt.costs.items import (
    REGION_ROW,
    allocate,
    annualised_yuan,
    care_price_matrices,
    courier_yuan,
    fallback_km,
    outreach_yuan,
    patient_hours,
    round_trip_yuan,
    transfers_out,
    visit_yuan,
)
from netopt.costs.prices import ITEM_LABELS, ITEMS, PAID_BY, Costs
from netopt.flows.visit_costs import visit_geometry
from netopt.graph import path_sums

__all__ = ["ITEM_COLUMNS", "CostBreakdown", "cost_breakdown"]

logger = logging.getLogger(__name__)

#: Columns of :attr:`CostBreakdown.items` (``costs.csv``).
ITEM_COLUMNS: tuple[str, ...] = ("item", "label", "paid_by", "yuan_per_year", "basis", "estimated")


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


@dataclass(frozen=True)
class _Item:
    """One item while the breakdown is assembled."""

    yuan: pd.Series  # by owner row
    basis: str
    estimated: bool


@dataclass(frozen=True, eq=False)
class CostBreakdown:
    """The yearly cost of a configuration by item and by alliance, against the budget.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per item (:data:`ITEM_COLUMNS`): ``item``, ``label``, ``paid_by``
        (``"budget"`` or ``"patients"``), ``yuan_per_year``, ``basis`` (how it was
        computed, e.g. ``"74,340 transfers x 1,000 yuan"``), ``estimated`` (it rests on an
        ESTIMATE / ILLUSTRATIVE price). Its ``yuan_per_year`` sums to ``total_yuan``.
    by_alliance : pandas.DataFrame
        Index lead id and a last row ``"(region)"``; a column per item and ``total``. Each
        column sums to the item's total.
    total_yuan : float
        All items.
    charged_yuan : float
        The items charged to the budget (``costs.budget_items``).
    budget_yuan : float
        The stated budget (NaN: none).
    balance_yuan : float
        ``budget_yuan - charged_yuan``; negative is an overrun; NaN without a budget.
    population : float
        Residents of the plan's zones.
    per_resident_yuan : float
        ``total_yuan / population`` (NaN without residents).
    costs : Costs
        The prices used.
    messages : tuple of str
        Fallbacks and missing inputs (e.g. km from minutes without a graph).
    """

    items: pd.DataFrame
    by_alliance: pd.DataFrame
    total_yuan: float
    charged_yuan: float
    budget_yuan: float
    balance_yuan: float
    population: float
    per_resident_yuan: float
    costs: Costs = field(default_factory=Costs)
    messages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        total = float(self.items["yuan_per_year"].sum()) if len(self.items) else 0.0
        if not math.isclose(total, self.total_yuan, rel_tol=1e-9, abs_tol=1e-6):
            raise DataError(
                Problem("CostBreakdown", "", "total_yuan", f"{self.total_yuan!r}",
                        f"the items add up to {total!r}: build it with cost_breakdown()")
            )  # fmt: skip

    @property
    def budget(self) -> Budget:
        """The budget against the charged cost."""
        return Budget(self.budget_yuan, self.charged_yuan, tuple(self.costs.budget_items))

    @property
    def charged_per_resident_yuan(self) -> float:
        """``charged_yuan / population`` (NaN without residents): compare with a budget per
        resident."""
        return self.charged_yuan / self.population if self.population > 0 else math.nan

    def item_yuan(self) -> dict[str, float]:
        """Item name to yuan per year, in :data:`~netopt.costs.ITEMS` order."""
        return {str(r.item): float(r.yuan_per_year) for r in self.items.itertuples()}

    def record(self) -> dict[str, Any]:
        """The breakdown for ``kpis.json`` ``"costs"`` (NaN where there is no budget).

        Returns
        -------
        dict
            ``total_yuan``, ``budget_yuan``, ``balance_yuan``, ``charged_yuan``,
            ``per_resident_yuan``, ``charged_per_resident_yuan``, ``overrun`` (bool),
            ``items`` {item: yuan}, ``paid_by`` {item: "budget"|"patients"},
            ``budget_items`` [items], ``objective`` (what the run's upgrades were chosen
            for, :data:`~netopt.costs.OBJECTIVES`), ``by_alliance`` {lead: {item: yuan, "total": yuan}},
            ``estimated`` [items], ``basis`` {item: text}, ``messages`` [text].
        """
        items = self.items
        by = {
            str(lead): {str(k): float(v) for k, v in row.items()}
            for lead, row in self.by_alliance.iterrows()
        }
        return {
            "total_yuan": float(self.total_yuan),
            "budget_yuan": float(self.budget_yuan),
            "balance_yuan": float(self.balance_yuan),
            "charged_yuan": float(self.charged_yuan),
            "per_resident_yuan": float(self.per_resident_yuan),
            "charged_per_resident_yuan": float(self.charged_per_resident_yuan),
            "overrun": bool(self.budget.is_overrun),
            "items": self.item_yuan(),
            "paid_by": dict(zip(items["item"].astype(str), items["paid_by"].astype(str))),
            "budget_items": list(self.costs.budget_items),
            "objective": self.costs.objective,
            "by_alliance": by,
            "estimated": items.loc[items["estimated"].astype(bool), "item"].astype(str).tolist(),
            "basis": dict(zip(items["item"].astype(str), items["basis"].astype(str))),
            "messages": list(self.messages),
        }

    def kpis(self) -> dict[str, float]:
        """Flat KPIs: ``cost_total_yuan``, ``cost_charged_yuan``, ``cost_balance_yuan``
        (NaN without a budget), ``cost_per_resident_yuan``.

        Returns
        -------
        dict
        """
        return {
            "cost_total_yuan": float(self.total_yuan),
            "cost_charged_yuan": float(self.charged_yuan),
            "cost_balance_yuan": float(self.balance_yuan),
            "cost_per_resident_yuan": float(self.per_resident_yuan),
        }

    def summary(self) -> str:
        """One line: the total, who pays it, per resident, and the budget's balance or overrun.

        Returns
        -------
        str
            An overrun is always named: ``"... overrun of 12.3 M yuan"``.
        """
        patients = float(self.items.loc[self.items["paid_by"] == "patients", "yuan_per_year"].sum())
        per = (
            f", {_n(self.per_resident_yuan)} yuan per resident"
            if math.isfinite(self.per_resident_yuan)
            else ""
        )
        return (
            f"costs {money_text(self.total_yuan)} a year ({money_text(patients)} borne by "
            f"patients){per}; {self.budget.text()}"
        )


# -- the items ------------------------------------------------------------------------------


def _lead_of_zone(plan: Any) -> list[object]:
    zones = plan.zones
    return list(zones["lead"]) if "lead" in zones else [None] * len(zones)


def _lead_of_facility(plan: Any, ids: Any) -> list[object]:
    fac = getattr(plan, "facilities", None)
    if fac is None or "lead" not in fac:
        return [None] * len(ids)
    lead = fac["lead"]
    return [lead.get(str(i)) if str(i) in lead.index else None for i in ids]


def _zero(rows: list[str], basis: str) -> _Item:
    return _Item(allocate([], [], rows), basis, False)


def _patient_geometry(
    flows: Any, plan: Any, graph: Any, costs: Costs, messages: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Road km and ferry crossings zone -> facility (graph, else minutes x speed)."""
    cs = flows.choice_set
    km, crossings, notes = visit_geometry(
        graph, list(plan.zones.index), list(cs.facility_ids), cs.minutes, costs.fallback_speed_kmh
    )
    messages.extend(notes)
    return km, crossings


def _flow_items(
    plan: Any,
    flows: Any,
    graph: Any,
    costs: Costs,
    rows: list[str],
    messages: list[str],
) -> dict[str, _Item]:
    """The care, transfer, travel and time items, allocated by the zone's lead."""
    names = ("care_grassroots", "care_county", "care_outside", "transfers")
    names += ("patient_travel", "patient_time")
    if flows is None:
        messages.append("no patient flows: care, transfers and patients' costs are 0")
        return {n: _zero(rows, "not computed: no patient flows") for n in names}
    cs = flows.choice_set
    visits = np.asarray(flows.visits, dtype=float)
    if visits.shape[1] != len(plan.zones):
        raise DataError(
            Problem("cost_breakdown", "", "flows", f"{visits.shape[1]} zones",
                    f"pass the flows of this plan ({len(plan.zones)} zones)")
        )  # fmt: skip
    owners = _lead_of_zone(plan)
    prices = care_price_matrices(
        cs.is_grassroots,
        cs.in_area,
        costs.care_yuan.as_array(),
        costs.care_county_yuan.as_array(),
        costs.care_outside_yuan.as_array(),
    )
    place = {"care_grassroots": "care_yuan", "care_county": "care_county_yuan"}
    place["care_outside"] = "care_outside_yuan"
    where = {
        "care_grassroots": "grassroots facilities",
        "care_county": "in-area hospitals",
        "care_outside": "hospitals outside the area",
    }
    out: dict[str, _Item] = {}
    for item, price in prices.items():
        yuan = visit_yuan(visits, price)
        n = float(visits[:, :, (price > 0).any(axis=0)].sum())
        mean = float(yuan.sum()) / n if n > 0 else 0.0
        out[item] = _Item(
            allocate(yuan, owners, rows),
            f"{_n(n)} visits at {where[item]} x {_n(mean, 1)} yuan (mean)",
            bool(yuan.sum() > 0) and costs.is_estimated(place[item]),
        )
    moved = transfers_out(visits, cs.in_area)
    out["transfers"] = _Item(
        allocate(moved * costs.transfer_yuan, owners, rows),
        f"{_n(moved.sum())} transfers x {_n(costs.transfer_yuan)} yuan",
        bool(moved.sum() > 0) and costs.is_estimated("transfer_yuan"),
    )
    km, crossings = _patient_geometry(flows, plan, graph, costs, messages)
    fares = round_trip_yuan(
        visits, km, crossings, km_yuan=costs.patient_km_yuan, crossing_yuan=costs.ferry_fare_yuan
    )
    trips = visits.sum(axis=0)
    trip_km = float((trips * np.where(np.isfinite(km), km, 0.0)).sum()) * 2
    trip_ferries = float((trips * crossings).sum()) * 2
    used = ["patient_km_yuan", "ferry_fare_yuan"] + (
        ["fallback_speed_kmh"] if graph is None else []
    )
    out["patient_travel"] = _Item(
        allocate(fares, owners, rows),
        f"{_n(trips.sum())} round trips: {_n(trip_km)} km x {costs.patient_km_yuan:g} + "
        f"{_n(trip_ferries)} ferry crossings x {_n(costs.ferry_fare_yuan)} yuan",
        bool(fares.sum() > 0) and costs.is_estimated(*used),
    )
    hours = patient_hours(visits, cs.minutes)
    out["patient_time"] = _Item(
        allocate(hours * costs.value_of_time_yuan_per_hour, owners, rows),
        f"{_n(hours.sum())} patient-hours x {costs.value_of_time_yuan_per_hour:g} yuan",
        bool(hours.sum() > 0) and costs.is_estimated("value_of_time_yuan_per_hour"),
    )
    return out


def _expert_geometry(
    visits: pd.DataFrame, homes: list[str], graph: Any, costs: Costs, messages: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Round-trip km and ferry crossings of each visit (graph, else minutes x speed)."""
    minutes = visits["travel_out_min"].to_numpy(float) + visits["travel_back_min"].to_numpy(float)
    fallback = fallback_km(minutes, costs.fallback_speed_kmh)
    if graph is None:
        messages.append(
            f"experts' km from travel minutes at {_n(costs.fallback_speed_kmh)} km/h: no "
            "travel graph was given"
        )
        return fallback, np.zeros(len(visits))
    sites = visits["site"].astype(str).tolist()
    ids = sorted(set(homes) | set(sites))
    keys = [f"facility:{i}" for i in ids]
    if not set(keys) <= set(graph.points.index):
        messages.append("experts' km from travel minutes: some facilities are not in the graph")
        return fallback, np.zeros(len(visits))
    ps = path_sums(graph, keys, keys, measures=("road_km", "ferry_crossings"))
    pos = {i: k for k, i in enumerate(ids)}
    h = np.array([pos[x] for x in homes], dtype=np.int64)
    s = np.array([pos[x] for x in sites], dtype=np.int64)
    km = ps.road_km[h, s] + ps.road_km[s, h]
    crossings = ps.ferry_crossings[h, s] + ps.ferry_crossings[s, h]
    km = np.where(np.isfinite(km), km, fallback)
    return km, np.where(np.isfinite(crossings), crossings, 0.0)


def _outreach_item(
    plan: Any, schedule: Any, graph: Any, costs: Costs, rows: list[str], messages: list[str]
) -> _Item:
    if schedule is None or len(schedule.visits) == 0:
        return _zero(rows, "no rotation schedule" if schedule is None else "no visits")
    horizon = float((getattr(schedule, "settings", None) or {}).get("horizon_days") or 0)
    if horizon <= 0:
        messages.append("the rotation schedule has no horizon_days: outreach not costed")
        return _zero(rows, "not computed: no horizon_days")
    v = schedule.visits
    scale = 365.0 / horizon
    experts = getattr(schedule, "experts", None)
    home_of = experts["home"] if experts is not None and "home" in experts else pd.Series()
    leads = v["lead"] if "lead" in v else pd.Series([None] * len(v), index=v.index)
    homes = [
        str(home_of.get(e)) if e in home_of.index and pd.notna(home_of.get(e)) else str(lead)
        for e, lead in zip(v["expert"], leads)
    ]
    nights = v["lodging_days"].to_numpy(float) if "lodging_days" in v else np.zeros(len(v))
    days = 1.0 + nights
    km, crossings = _expert_geometry(v, homes, graph, costs, messages)
    yuan = outreach_yuan(
        days * scale,
        km * scale,
        nights * scale,
        crossings * scale,
        day_yuan=costs.expert_day_yuan,
        km_yuan=costs.expert_km_yuan,
        lodging_yuan=costs.expert_lodging_yuan,
        crossing_yuan=costs.ferry_fare_yuan,
    )
    owners = list(leads) if "lead" in v else _lead_of_facility(plan, v["site"])
    parts = [
        f"{_n(days.sum() * scale)} expert-days x {_n(costs.expert_day_yuan)}",
        f"{_n(len(v) * scale)} trips, {_n(km.sum() * scale)} km x {costs.expert_km_yuan:g}",
        f"{_n(nights.sum() * scale)} nights x {_n(costs.expert_lodging_yuan)}",
    ]
    if crossings.sum() > 0:
        parts.append(f"{_n(crossings.sum() * scale)} ferry crossings x {_n(costs.ferry_fare_yuan)}")
    basis = " + ".join(parts) + " yuan"
    used = ["expert_day_yuan", "expert_km_yuan", "expert_lodging_yuan"]
    used += ["ferry_fare_yuan"] if crossings.sum() > 0 else []
    used += ["fallback_speed_kmh"] if graph is None else []
    return _Item(
        allocate(yuan, owners, rows), basis, bool(yuan.sum() > 0) and costs.is_estimated(*used)
    )


def _frame_estimated(frame: pd.DataFrame) -> bool:
    """A diagnosis table's ``estimated`` column, or True (its costs are not known sourced)."""
    return bool(frame["estimated"].astype(bool).any()) if "estimated" in frame else True


def _diagnosis_items(plan: Any, diagnosis: Any, rows: list[str]) -> dict[str, _Item]:
    centres = getattr(diagnosis, "centres", None) if diagnosis is not None else None
    if centres is None or len(centres) == 0:
        basis = "no diagnosis centres"
        return {"diagnosis_fixed": _zero(rows, basis), "diagnosis_tests": _zero(rows, basis)}
    owners = _lead_of_facility(plan, centres["facility_id"])
    fixed = centres["fixed_cost_yuan"].to_numpy(float)
    tests = centres["test_cost_yuan"].to_numpy(float)
    est = _frame_estimated(centres)
    by_service = centres.groupby("service", sort=False).size() if "service" in centres else {}
    per = ", ".join(f"{s} {n}" for s, n in dict(by_service).items())
    n_tests = float(centres["tests_per_year"].sum()) if "tests_per_year" in centres else math.nan
    return {
        "diagnosis_fixed": _Item(
            allocate(np.nan_to_num(fixed), owners, rows),
            f"{len(centres)} centres ({per})" if per else f"{len(centres)} centres",
            bool(np.nansum(fixed) > 0) and est,
        ),
        "diagnosis_tests": _Item(
            allocate(np.nan_to_num(tests), owners, rows),
            f"{_n(n_tests)} tests a year" if math.isfinite(n_tests) else "tests a year",
            bool(np.nansum(tests) > 0) and est,
        ),
    }


def _courier_item(
    plan: Any, courier: Any, costs: Costs, rows: list[str], messages: list[str]
) -> _Item:
    routes = getattr(courier, "routes", None) if courier is not None else None
    if routes is None or len(routes) == 0:
        return _zero(rows, "no courier routes")
    runs = getattr(getattr(courier, "options", None), "runs_per_year", None)
    if runs is None:
        runs = costs.courier_runs_per_year
        messages.append(f"courier runs a year: {_n(runs)} (Costs.courier_runs_per_year)")
    km = routes["km"].to_numpy(float)
    hours = routes["hours"].to_numpy(float)
    ferries = (
        routes["ferry_crossings"].to_numpy(float)
        if "ferry_crossings" in routes
        else np.zeros(len(routes))
    )
    yuan = courier_yuan(
        km,
        hours,
        ferries,
        runs_per_year=float(runs),
        km_yuan=costs.courier_km_yuan,
        hour_yuan=costs.courier_hour_yuan,
        crossing_yuan=costs.courier_ferry_yuan,
    )
    basis = (
        f"{len(routes)} routes x {_n(float(runs))} runs: {_n(np.nansum(km), 1)} km x "
        f"{costs.courier_km_yuan:g} + {_n(np.nansum(hours), 1)} h x "
        f"{_n(costs.courier_hour_yuan)} + {_n(np.nansum(ferries))} ferries x "
        f"{_n(costs.courier_ferry_yuan)} yuan a day"
    )
    used = ["courier_km_yuan", "courier_hour_yuan", "courier_ferry_yuan"]
    owners = _lead_of_facility(plan, routes["centre_id"])
    return _Item(
        allocate(yuan, owners, rows), basis, bool(yuan.sum() > 0) and costs.is_estimated(*used)
    )


def _upgrade_item(plan: Any, costs: Costs, rows: list[str], messages: list[str]) -> _Item:
    up = getattr(plan, "upgrades", None)
    if up is None or len(up) == 0 or "upgraded" not in up:
        return _zero(rows, "no upgrades")
    chosen = up[up["upgraded"].astype(bool)]
    if len(chosen) == 0:
        return _zero(rows, "no upgrades")
    cost = (
        chosen["upgrade_cost_yuan"].to_numpy(float)
        if "upgrade_cost_yuan" in chosen
        else np.full(len(chosen), np.nan)
    )
    unknown = chosen.index[~np.isfinite(cost)].astype(str).tolist()
    if unknown:
        messages.append(f"upgrade cost unknown (counted 0): {', '.join(unknown)}")
    yuan = annualised_yuan(cost, costs.upgrade_years)
    basis = (
        f"{len(chosen)} upgrades, {money_text(float(np.nansum(cost)))} / "
        f"{costs.upgrade_years:g} years"
    )
    owners = _lead_of_facility(plan, chosen.index)
    est = bool(yuan.sum() > 0) and costs.is_estimated("upgrade_years")
    return _Item(allocate(yuan, owners, rows), basis, est)


# -- the breakdown --------------------------------------------------------------------------


def _assemble(parts: Mapping[str, _Item], rows: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    index: list[str] = [r for r in rows if r != REGION_ROW]
    for part in parts.values():
        index += [str(k) for k in part.yuan.index if k not in index and k != REGION_ROW]
    index.append(REGION_ROW)
    by = pd.DataFrame(
        {item: parts[item].yuan.reindex(index, fill_value=0.0).astype(float) for item in ITEMS},
        index=pd.Index(index, name="lead", dtype=object),
    )
    by["total"] = by[list(ITEMS)].sum(axis=1)
    items = pd.DataFrame(
        {
            "item": list(ITEMS),
            "label": [ITEM_LABELS[i] for i in ITEMS],
            "paid_by": [PAID_BY[i] for i in ITEMS],
            "yuan_per_year": [float(by[i].sum()) for i in ITEMS],
            "basis": [parts[i].basis for i in ITEMS],
            "estimated": [bool(parts[i].estimated) for i in ITEMS],
        }
    )
    return items, by


def cost_breakdown(
    plan: Any,
    *,
    flows: Any = None,
    schedule: Any = None,
    diagnosis: Any = None,
    courier: Any = None,
    graph: Any = None,
    costs: Costs | None = None,
) -> CostBreakdown:
    """The yearly cost of a plan by item and by alliance, and its budget's balance.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``zones`` (``population``, ``lead``), ``leads``, ``facilities`` (``lead``) and
        ``upgrades`` (``upgraded``, ``upgrade_cost_yuan``).
    flows : netopt.flows.Flows, optional
        The plan's patient flows (with the schedule's experts); None: no care, transfer or
        patient items (0, said in ``messages``).
    schedule : netopt.rotations.RotationSchedule, optional
        Uses ``visits`` (``expert``, ``site``, ``lead``, ``travel_out_min``,
        ``travel_back_min``, ``lodging_days``), ``experts["home"]`` and
        ``settings["horizon_days"]``.
    diagnosis : netopt.diagnosis.DiagnosisPlan, optional
        Uses ``centres`` (``service``, ``facility_id``, ``tests_per_year``,
        ``fixed_cost_yuan``, ``test_cost_yuan``, optional ``estimated``) and, without
        ``courier``, its ``courier``.
    courier : netopt.diagnosis.CourierPlan, optional
        Uses ``routes`` (``centre_id``, ``km``, ``hours``, ``ferry_crossings``) and, if it
        has them, ``options.runs_per_year``.
    graph : netopt.graph.TravelGraph, optional
        For road km and ferry crossings along the fastest paths; without it km are the
        minutes at ``costs.fallback_speed_kmh`` and ferry fares are left out.
    costs : Costs, optional
        Default :class:`Costs()`.

    Returns
    -------
    CostBreakdown

    Raises
    ------
    DataError
        Flows of another plan (a different number of zones).
    """
    costs = costs if costs is not None else Costs()
    rows = [str(lead) for lead in getattr(plan, "leads", ())]
    messages: list[str] = []
    parts = _flow_items(plan, flows, graph, costs, rows, messages)
    parts["expert_outreach"] = _outreach_item(plan, schedule, graph, costs, rows, messages)
    parts.update(_diagnosis_items(plan, diagnosis, rows))
    if courier is None and diagnosis is not None:
        courier = getattr(diagnosis, "courier", None)
    parts["courier"] = _courier_item(plan, courier, costs, rows, messages)
    parts["upgrades"] = _upgrade_item(plan, costs, rows, messages)
    items, by = _assemble(parts, rows)
    total = float(items["yuan_per_year"].sum())
    charged_mask = items["item"].isin(costs.budget_items)
    charged = float(items.loc[charged_mask, "yuan_per_year"].sum())
    population = float(plan.zones["population"].sum()) if "population" in plan.zones else 0.0
    budget = Budget(costs.budget_for(population), charged, tuple(costs.budget_items))
    for m in messages:
        logger.info("costs: %s", m)
    return CostBreakdown(
        items=items,
        by_alliance=by,
        total_yuan=total,
        charged_yuan=charged,
        budget_yuan=budget.budget_yuan,
        balance_yuan=budget.balance_yuan,
        population=population,
        per_resident_yuan=total / population if population > 0 else math.nan,
        costs=costs,
        messages=tuple(messages),
    )
