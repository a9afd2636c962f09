"""The cost objectives: upgrades chosen for the least total cost, or for the least
patient-hours within a budget (real solves on the synthetic region, brute force over every
choice of upgrades as the reference).

Three township centres are upgrade candidates (H1, H2, H3, costs below). For every set of
at most two, the plan with those upgrades given is costed by :func:`netopt.costs.cost_breakdown`
(an independent path: the flows of the plan, the breakdown's own item formulas); the
decision must agree with the best of them.
"""

from __future__ import annotations

import dataclasses
import itertools
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenario_files import SYNTHETIC

import netopt
from netopt import DataError, Scenario, run
from netopt.alliances import AllianceOptions, FlowOptions, plan_alliances, zone_facility_seconds
from netopt.costs import Costs, cost_breakdown
from netopt.flows import VISIT_ITEMS, visit_geometry
from netopt.scenario.cost_objective import check_objective, moved_charged_yuan
from netopt.solve import SolverParams

PARAMS = SolverParams(time_limit_s=30, seed=0)
UPGRADES = {"H1": (60.0, 36e6), "H2": (40.0, 20e6), "H3": (30.0, 90e6)}
MOVED = (*VISIT_ITEMS, "upgrades")
CHARGED = ("care_grassroots", "care_county", "care_outside", "transfers", "upgrades")


def _region(base: netopt.Region) -> netopt.Region:
    facilities = base.facilities.copy()
    for fid, (beds, yuan) in UPGRADES.items():
        facilities.loc[fid, ["upgrade_beds", "upgrade_cost_yuan"]] = [beds, yuan]
    return dataclasses.replace(base, facilities=facilities)


@pytest.fixture(scope="module")
def setting(_synthetic_region_cached):
    region = _region(_synthetic_region_cached)
    graph = netopt.build_graph(region, options=netopt.GraphOptions(h3_resolution=8))
    times = zone_facility_seconds(region, graph)
    km, crossings, _ = visit_geometry(graph, list(region.zones.index),
                                      list(region.facilities.index), times / 60.0, 40.0)  # fmt: skip
    prices = Costs().visit_costs(km, crossings)
    return region, graph, times, prices


def _plan(setting, **flows):
    region, graph, times, _ = setting
    options = AllianceOptions(fixed_leads=("C1",), flows=FlowOptions(**flows))
    return plan_alliances(region, graph, options=options, params=PARAMS, times=times)


def _items(plan, graph) -> pd.Series:
    """The breakdown's yuan per item of ``plan`` (its own flows, no schedule)."""
    costs = cost_breakdown(plan, flows=plan.flows(), graph=graph, costs=Costs())
    return costs.items.set_index("item")["yuan_per_year"]


@pytest.fixture(scope="module")
def every_choice(setting):
    """Each set of at most two upgrades: its moved items, charged part and patient-hours."""
    graph = setting[1]
    rows = {}
    for k in range(3):
        for combo in itertools.combinations(sorted(UPGRADES), k):
            plan = _plan(setting, upgraded=combo)
            items = _items(plan, graph)
            rows[combo] = {
                "total": float(items[list(MOVED)].sum()),
                "charged": float(items[list(CHARGED)].sum()),
                "hours": float(plan.flows().kpis()["flow_patient_hours_per_year"]),
            }
    return pd.DataFrame(rows).T


def test_the_decision_prices_a_plan_as_the_breakdown_does(setting):
    """The share model's yuan for the plan it chose equal the breakdown's items (the same
    prices through two paths): total of the moved items, and their charged part."""
    prices = setting[3]
    plan = _plan(setting, max_upgrades=2, objective="total_cost", visit_costs=prices)
    items = _items(plan, setting[1])
    solve = plan.upgrade_solve
    visits = solve.objective / solve.metrics["total_cost_yuan"]
    assert solve.objective == pytest.approx(items[list(MOVED)].sum(), rel=1e-9)
    assert solve.metrics["charged_yuan"] * visits == pytest.approx(
        items[list(CHARGED)].sum(), rel=1e-9
    )
    assert moved_charged_yuan(plan, prices) == pytest.approx(items[list(CHARGED)].sum(), rel=1e-9)


def test_least_total_cost_is_the_cheapest_choice(setting, every_choice):
    """The "total_cost" objective picks the set of upgrades that brute force finds cheapest, and it costs
    no more than the patient-hours choice."""
    plan = _plan(setting, max_upgrades=2, objective="total_cost", visit_costs=setting[3])
    total = every_choice["total"]
    chosen = total.loc[[tuple(sorted(plan.upgraded))]].iloc[0]
    assert chosen == pytest.approx(total.min(), rel=1e-9), (plan.upgraded, total.idxmin())
    hours = _plan(setting, max_upgrades=2)
    assert chosen <= total.loc[[tuple(sorted(hours.upgraded))]].iloc[0] + 1e-6
    assert hours.upgraded != plan.upgraded  # the two objectives disagree on this region


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
def test_patient_hours_within_the_budget_as_brute_force(setting, every_choice, where):
    """With a ceiling on the charged yuan between the cheapest and the dearest choice, the
    decision has the least patient-hours among the choices within it; the note says so."""
    charged = every_choice["charged"]
    budget = float(charged.min() + where * (charged.max() - charged.min())) + 1.0
    plan = _plan(setting, max_upgrades=2, budget_yuan=budget, visit_costs=setting[3])
    within = every_choice[every_choice["charged"] <= budget]
    chosen = tuple(sorted(plan.upgraded))
    assert chosen in within.index
    assert within.loc[[chosen], "hours"].iloc[0] == pytest.approx(within["hours"].min(), rel=1e-9)
    assert plan.upgrade_solve.shortfalls["charged_yuan"] == 0.0
    assert any("keep within the budget" in m for m in plan.messages)


def test_a_budget_no_choice_keeps_is_the_least_overrun_reported(setting, every_choice):
    """Below the cheapest choice: the cheapest is taken and its overrun stated in yuan."""
    budget = float(every_choice["charged"].min()) - 5e6
    plan = _plan(setting, max_upgrades=2, budget_yuan=budget, visit_costs=setting[3])
    chosen = tuple(sorted(plan.upgraded))
    assert every_choice.loc[[chosen], "charged"].iloc[0] == pytest.approx(
        every_choice["charged"].min(), rel=1e-9
    )
    over = [m for m in plan.messages if "no choice of upgrades keeps" in m]
    assert over and "5,000,000 over" in over[0]


def test_cost_objectives_need_prices_and_a_decision():
    """Every way to ask for a cost objective that cannot act is a DataError with the fix."""
    with pytest.raises(DataError, match="visit_costs"):
        FlowOptions(max_upgrades=1, objective="total_cost")
    with pytest.raises(DataError, match="visit_costs"):
        FlowOptions(max_upgrades=1, budget_yuan=1e6)
    with pytest.raises(DataError, match="unknown|visit_costs"):
        FlowOptions.from_dict({"visit_costs": 1})
    model = AllianceOptions(fixed_leads=("C1",))
    with pytest.raises(DataError) as err:
        check_objective(Costs(objective="patient_hours"), model, "s.toml")
    text = str(err.value)
    assert "max_upgrades" in text and "budget_per_resident_yuan" in text and "s.toml" in text
    check_objective(Costs(objective="report"), model, "s.toml")  # reporting needs nothing
    assert "visit_costs" not in FlowOptions().to_dict()


def _scenario(folder: Path, body: str) -> Scenario:
    path = folder / "s.toml"
    path.write_text(textwrap.dedent(f"""
        region = "{folder.as_posix()}/region"
        [model]
        fixed_leads = ["C1"]
        [model.flows]
        max_upgrades = 2
        [solver]
        time_limit_s = 10
        seed = 0
    """) + textwrap.dedent(body), encoding="utf-8")  # fmt: skip
    return Scenario.from_toml(path)


@pytest.fixture(scope="module")
def scenario_folder(tmp_path_factory) -> Path:
    """The synthetic region folder with the three upgrade candidates in facilities.csv."""
    import shutil

    folder = tmp_path_factory.mktemp("objective")
    shutil.copytree(SYNTHETIC, folder / "region", ignore=shutil.ignore_patterns("*.py"))
    csv = folder / "region" / "facilities.csv"
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    table["upgrade_beds"], table["upgrade_cost_yuan"] = "", ""
    for fid, (beds, yuan) in UPGRADES.items():
        table.loc[table["facility_id"] == fid, ["upgrade_beds", "upgrade_cost_yuan"]] = [
            str(beds),
            str(yuan),
        ]
    table.to_csv(csv, index=False)
    return folder


def test_a_scenario_over_budget_is_planned_again_within_it(scenario_folder):
    """[costs] objective = "patient_hours": a first plan over the budget is planned again
    with the budget as a ceiling; the run's charged cost is then the least any choice of
    upgrades reaches, and both passes are in the plan's messages."""
    free = run(_scenario(scenario_folder, ""))
    per_resident = free.costs.charged_yuan / free.costs.population
    tight = run(_scenario(scenario_folder, f"""
        [costs]
        objective = "patient_hours"
        budget_per_resident_yuan = {per_resident - 5:.6f}
    """))  # fmt: skip
    assert tight.costs.charged_yuan <= free.costs.charged_yuan + 1e-6
    assert any("a first plan was" in m for m in tight.plan.messages)
    assert tight.plan.upgrade_solve.shortfalls["charged_yuan"] >= 0.0
    assert np.isfinite(tight.kpis["cost_balance_yuan"])
    roomy = run(_scenario(scenario_folder, f"""
        [costs]
        objective = "patient_hours"
        budget_per_resident_yuan = {per_resident + 50:.6f}
    """))  # fmt: skip
    assert roomy.plan.upgraded == free.plan.upgraded  # within budget at once: one pass
    assert not any("a first plan was" in m for m in roomy.plan.messages)
    assert any("keep within the budget" in m for m in roomy.plan.messages)
    assert roomy.kpis["flow_patient_hours_per_year"] == pytest.approx(
        free.kpis["flow_patient_hours_per_year"]
    )


def test_xiangshan_sub_centres_within_the_capitated_budget():
    """The shipped scenario: the least patient-hours keep the budget, said in the plan."""
    path = Path(__file__).parents[2] / "geodata/xiangshan/scenarios/capitation_sub_centres.toml"
    result = run(Scenario.from_toml(path))
    costs = result.costs
    assert costs.costs.objective == "patient_hours" and len(result.plan.upgraded) >= 1
    assert costs.charged_yuan <= costs.budget_yuan and costs.balance_yuan >= 0
    assert any("keep within the budget" in m for m in result.plan.messages)
    assert result.record()["costs"]["objective"] == "patient_hours"
