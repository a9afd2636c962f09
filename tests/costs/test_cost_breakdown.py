"""cost_breakdown: every item, by alliance, against the budget (synthetic region and fakes)."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from breakdown_fakes import fake_courier, fake_diagnosis, fake_flows, fake_plan, fake_schedule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netopt import DataError
from netopt.costs import ITEM_COLUMNS, ITEMS, REGION_ROW, Costs, cost_breakdown
from netopt.rotations import VISIT_COLUMNS


def _rows_add_up(b):
    """by_alliance columns sum to the item totals; the total column to the total."""
    items = b.items.set_index("item")["yuan_per_year"]
    for item in ITEMS:
        assert b.by_alliance[item].sum() == pytest.approx(items[item], rel=1e-6, abs=1e-6)
    assert b.by_alliance["total"].sum() == pytest.approx(b.total_yuan, rel=1e-6, abs=1e-6)
    assert b.total_yuan == pytest.approx(float(items.sum()), rel=1e-12, abs=1e-9)


def test_synthetic_plan_with_graph(plan, flows, graph):
    """On the synthetic plan: the items in order, rows add up, patient time and transfers
    follow from the flow KPIs, the island zones pay ferry fares."""
    costs = Costs()
    b = cost_breakdown(plan, flows=flows, graph=graph, costs=costs)
    assert tuple(b.items.columns) == ITEM_COLUMNS
    assert b.items["item"].tolist() == list(ITEMS)
    assert b.by_alliance.index.tolist() == [*plan.leads, REGION_ROW]
    _rows_add_up(b)
    k = flows.kpis()
    got = b.item_yuan()
    assert got["patient_time"] == pytest.approx(
        k["flow_patient_hours_per_year"] * costs.value_of_time_yuan_per_hour, rel=1e-9
    )
    assert got["transfers"] == pytest.approx(k["transfers_out_per_year"] * costs.transfer_yuan)
    care = got["care_grassroots"] + got["care_county"] + got["care_outside"]
    assert care > 0 and got["care_outside"] > 0  # T1 lies outside the area
    assert "ferry crossings" in b.items.set_index("item").at["patient_travel", "basis"]
    assert b.messages == ()
    assert b.population == pytest.approx(plan.zones["population"].sum())
    assert math.isnan(b.balance_yuan) and "no budget stated" in b.summary()


def test_without_a_graph_km_come_from_minutes(plan, flows):
    """Without a graph, km = minutes x the fallback speed, no ferry fares, and it is said."""
    costs = Costs(fallback_speed_kmh=30.0)
    b = cost_breakdown(plan, flows=flows, costs=costs)
    v = flows.visits.sum(axis=0)
    minutes = np.where(np.isfinite(flows.choice_set.minutes), flows.choice_set.minutes, 0)
    want = (2 * v * minutes / 60 * 30.0 * costs.patient_km_yuan).sum()
    assert b.item_yuan()["patient_travel"] == pytest.approx(want, rel=1e-9)
    assert any("no travel graph" in m for m in b.messages)


def test_a_budget_below_the_cost_is_an_overrun(plan, flows):
    """A budget below the charged cost gives a negative balance, reported as an overrun."""
    charged = cost_breakdown(plan, flows=flows).charged_yuan
    low = cost_breakdown(plan, flows=flows, costs=Costs(budget_yuan=charged - 12.3e6))
    assert low.balance_yuan == pytest.approx(-12.3e6)
    assert "overrun of 12.3 M yuan" in low.summary()
    assert low.record()["overrun"] is True and low.kpis()["cost_balance_yuan"] < 0
    pop = plan.zones["population"].sum()
    high = cost_breakdown(plan, flows=flows, costs=Costs(budget_per_resident_yuan=1e5))
    assert high.budget_yuan == pytest.approx(1e5 * pop)
    assert high.balance_yuan == pytest.approx(high.budget_yuan - high.charged_yuan)
    assert "kept by the group" in high.summary() and "overrun" not in high.summary()


def test_charged_items_are_the_budget_items(plan, flows):
    """Only the stated budget items are charged; patients' items never by default."""
    b = cost_breakdown(plan, flows=flows)
    items = b.item_yuan()
    assert b.charged_yuan == pytest.approx(
        b.total_yuan - items["patient_travel"] - items["patient_time"]
    )
    only = cost_breakdown(plan, flows=flows, costs=Costs(budget_items=("care_county",)))
    assert only.charged_yuan == pytest.approx(items["care_county"])


def test_outreach_diagnosis_courier_and_upgrades_by_alliance(plan, graph):
    """Each item goes to its alliance: outreach to the site's lead, centres and their
    courier to the centre's lead, a centre outside the plan to (region)."""
    lead = plan.facilities["lead"]
    site = next(f for f in plan.facilities.index if lead[f] == "C1" and f != "C1")
    sched = fake_schedule(
        [("E1", site, "C1", 30.0, 30.0, 0), ("E1", site, "C1", 30.0, 30.0, 1)],
        horizon_days=73,  # x 5 a year
        homes={"E1": "C1"},
    )
    diag = fake_diagnosis(
        [("laboratory", "C1", 1000.0, 2e5, 3e4), ("ecg", "NOWHERE", 10.0, 5e4, 1e3)],
        courier=fake_courier([("C1", "C1-1", 80.0, 6.0, 2)]),
    )
    costs = Costs()
    b = cost_breakdown(plan, schedule=sched, diagnosis=diag, graph=graph, costs=costs)
    by = b.by_alliance
    _rows_add_up(b)
    days, nights = 5 * 3, 5 * 1
    out = b.item_yuan()["expert_outreach"]
    assert by.at["C1", "expert_outreach"] == pytest.approx(out)
    assert out > days * costs.expert_day_yuan + nights * costs.expert_lodging_yuan
    assert by.at["C1", "diagnosis_fixed"] == 2e5 and by.at[REGION_ROW, "diagnosis_fixed"] == 5e4
    assert by.at["C1", "diagnosis_tests"] == 3e4
    per_run = (
        80 * costs.courier_km_yuan + 6 * costs.courier_hour_yuan + 2 * costs.courier_ferry_yuan
    )
    assert by.at["C1", "courier"] == pytest.approx(per_run * costs.courier_runs_per_year)
    assert any("courier runs a year" in m for m in b.messages)
    assert b.items.set_index("item").at["diagnosis_fixed", "estimated"]  # no column: estimated
    own = cost_breakdown(plan, courier=fake_courier([("C1", "r", 80.0, 6.0, 2)], runs_per_year=100))
    assert own.item_yuan()["courier"] == pytest.approx(per_run * 100)


def test_schedule_columns_exist():
    """The visit columns the outreach item reads are the rotation schedule's."""
    assert {"expert", "site", "lead", "travel_out_min", "travel_back_min", "lodging_days"} <= set(
        VISIT_COLUMNS
    )


def test_upgrades_are_annualised():
    """An upgrade's cost is spread over upgrade_years and goes to the facility's lead; an
    unknown cost counts 0 and is said."""
    ups = pd.DataFrame(
        {"upgrade_cost_yuan": [2e7, np.nan, 5e6], "upgraded": [True, True, False]},
        index=pd.Index(["T2", "T3", "T4"]),
    )
    plan = fake_plan(["A"], [100], {"A": "A", "T2": "A", "T3": "A", "T4": "A"}, upgrades=ups)
    b = cost_breakdown(plan, costs=Costs(upgrade_years=20))
    assert b.by_alliance.at["A", "upgrades"] == pytest.approx(1e6)
    assert any("upgrade cost unknown" in m and "T3" in m for m in b.messages)


def test_record_and_kpis(plan, flows):
    """record() has the spec's keys, its items add up to the total, and it dumps as JSON."""
    b = cost_breakdown(plan, flows=flows, costs=Costs(budget_per_resident_yuan=3000))
    r = b.record()
    for key in ("total_yuan", "budget_yuan", "balance_yuan", "charged_yuan", "per_resident_yuan",
                "items", "paid_by", "by_alliance", "estimated"):  # fmt: skip
        assert key in r
    assert sum(r["items"].values()) == pytest.approx(r["total_yuan"])
    assert set(r["paid_by"].values()) == {"budget", "patients"}
    assert r["by_alliance"][REGION_ROW]["total"] == 0.0
    assert set(b.kpis()) == {
        "cost_total_yuan",
        "cost_charged_yuan",
        "cost_balance_yuan",
        "cost_per_resident_yuan",
    }
    json.dumps(r)


def test_flows_of_another_plan_are_an_error(plan):
    """Flows with another number of zones are rejected."""
    other = fake_flows(np.ones((5, 2, 3)), np.ones((2, 3)), ["county"] * 3, [True] * 3)
    with pytest.raises(DataError, match="pass the flows of this plan"):
        cost_breakdown(plan, flows=other)


# -- properties over random inputs --------------------------------------------------------

TIERS = ("tertiary", "county", "township", "village")


@st.composite
def instances(draw):
    """A random fake plan with flows, a schedule, centres, routes, prices and a budget."""
    z = draw(st.integers(1, 5))
    f = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    visits = rng.uniform(0, 1000, (5, z, f)) * (rng.random((5, z, f)) < 0.8)
    minutes = rng.uniform(0, 180, (z, f))
    tier = [TIERS[i] for i in rng.integers(0, 4, f)]
    in_area = rng.random(f) < 0.6
    fids = [f"F{j}" for j in range(f)]
    leads = sorted({f"F{j}" for j in rng.integers(0, f, draw(st.integers(1, 3)))})
    zone_leads = [leads[i] if rng.random() < 0.85 else None for i in rng.integers(0, len(leads), z)]
    fac_leads = {fid: leads[int(rng.integers(0, len(leads)))] for fid in fids}
    plan = fake_plan(zone_leads, rng.integers(0, 5000, z), fac_leads, leads=leads)
    sched = fake_schedule(
        [
            (f"E{i}", fids[int(rng.integers(0, f))], leads[0], 40.0, 45.0, int(rng.integers(0, 3)))
            for i in range(int(rng.integers(0, 4)))
        ],
        horizon_days=int(rng.integers(7, 100)),
    )
    diag = fake_diagnosis(
        [
            (
                "laboratory",
                fids[int(rng.integers(0, f))],
                1e3,
                float(rng.uniform(0, 1e6)),
                float(rng.uniform(0, 1e5)),
            )
            for _ in range(int(rng.integers(0, 3)))
        ],
        courier=fake_courier(
            [(fids[0], "r", float(rng.uniform(0, 200)), float(rng.uniform(0, 9)), 1)]
        ),
    )
    scale = draw(st.floats(0, 3))
    budget = draw(st.one_of(st.none(), st.floats(0, 1e9)))
    costs = Costs(
        transfer_yuan=1000 * scale,
        patient_km_yuan=0.5 * scale,
        value_of_time_yuan_per_hour=draw(st.floats(0, 200)),
        budget_yuan=budget,
    )
    flows = fake_flows(visits, minutes, tier, in_area, facility_ids=fids)
    return plan, flows, sched, diag, costs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_total_is_the_sum_of_items_and_rows_add_up(inst):
    """Every breakdown: total = sum of items, alliance rows add to item totals, charged =
    the budget items, balance = budget - charged (NaN without a budget)."""
    plan, flows, sched, diag, costs = inst
    b = cost_breakdown(plan, flows=flows, schedule=sched, diagnosis=diag, costs=costs)
    _rows_add_up(b)
    items = b.items.set_index("item")["yuan_per_year"]
    assert (items >= 0).all()
    assert b.charged_yuan == pytest.approx(items[list(costs.budget_items)].sum(), rel=1e-12)
    if costs.budget_yuan is None:
        assert math.isnan(b.balance_yuan)
    else:
        assert b.balance_yuan == pytest.approx(costs.budget_yuan - b.charged_yuan, abs=1e-6)
        assert ("overrun" in b.summary()) == (b.balance_yuan < 0)


@settings(max_examples=60, deadline=None)
@given(instances(), st.floats(0, 120))
def test_worse_access_never_lowers_patient_time(inst, extra):
    """More minutes on any zone-facility pair (same visits) never lowers patient time or,
    without a graph, patients' travel."""
    plan, flows, _, _, costs = inst
    cs = flows.choice_set
    rng = np.random.default_rng(int(extra * 1000))
    worse = cs.minutes + extra * rng.random(cs.minutes.shape)
    slow = fake_flows(flows.visits, worse, cs.tier, cs.in_area, facility_ids=cs.facility_ids)
    a = cost_breakdown(plan, flows=flows, costs=costs).item_yuan()
    b = cost_breakdown(plan, flows=slow, costs=costs).item_yuan()
    assert b["patient_time"] >= a["patient_time"] * (1 - 1e-12)
    assert b["patient_travel"] >= a["patient_travel"] * (1 - 1e-12)
