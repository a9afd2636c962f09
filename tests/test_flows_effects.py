"""Effects a planner expects from the patient-flow model, end to end on the synthetic region:
rotations raise the grassroots share, a bigger county hospital keeps hospital care in the
county, closed ferries lower the islanders' timely care, targets drive upgrades."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import netopt
from netopt import graph as g
from netopt.alliances import AllianceOptions, FlowOptions, evaluate_plan, plan_alliances
from netopt.kpis import plan_kpis
from netopt.solve import SolverParams

PARAMS = SolverParams(time_limit_s=30, seed=0)


@pytest.fixture(scope="module")
def graph(_synthetic_region_cached: netopt.Region) -> netopt.TravelGraph:
    return netopt.build_graph(
        _synthetic_region_cached, options=netopt.GraphOptions(h3_resolution=8)
    )


@pytest.fixture(scope="module")
def today(_synthetic_region_cached, graph):
    return plan_alliances(
        _synthetic_region_cached, graph, options=AllianceOptions(fixed_leads=("C1",))
    )


def _with_facility(region: netopt.Region, fid: str, **values) -> netopt.Region:
    facilities = region.facilities.copy()
    for key, value in values.items():
        facilities.loc[fid, key] = value
    return dataclasses.replace(region, facilities=facilities)


def test_every_need_is_a_visit(today) -> None:
    """Every resident counts: the flows carry the whole demand, and the shares are shares."""
    flows = today.flows()
    pop = float(today.zones["population"].sum())
    assert flows.visits.sum() == pytest.approx(pop * today.demand.as_array().sum(), rel=1e-9)
    for key in ("in_area_share", "grassroots_share", "share_timely_care"):
        assert 0.0 <= today.kpis[key] <= 1.0


def test_visiting_experts_raise_the_grassroots_share(today) -> None:
    """Experts at a township centre take hospital outpatients there: its zones' grassroots
    share rises, and so does the county's."""
    fac_ids = today.choice.facility_ids
    site = next(f for f, t in zip(fac_ids, today.choice.tier, strict=True) if t == "township")
    days = np.zeros(len(fac_ids))
    days[fac_ids.index(site)] = 52.0  # one expert-day a week
    visits = pd.DataFrame({"site": [site] * 4, "expected_patients": [20.0] * 4})
    schedule = type("S", (), {})()
    schedule.visits = visits.assign(lodging_days=0)
    schedule.settings = {"horizon_days": 28}
    schedule.patient_hours_saved = 0.0
    with_experts = plan_kpis(today, schedule)
    assert with_experts["grassroots_share"] > today.kpis["grassroots_share"]
    before = today.flows().zone_shares()["grassroots_share"]
    after = today.flows(schedule).zone_shares()["grassroots_share"]
    own = (today.zones["primary"] == site).to_numpy()
    assert (after[own].to_numpy() > before[own].to_numpy()).all()


def test_a_bigger_county_hospital_keeps_care_in_the_county(
    _synthetic_region_cached, graph, today
) -> None:
    """Enlarging the county hospital lowers hospital care leaving the county."""
    region = _synthetic_region_cached
    if today.choice.in_area.all():
        pytest.skip("the synthetic region has no hospital outside the planning area")
    beds = float(region.facilities.at["C1", "beds"])
    bigger = _with_facility(region, "C1", beds=3 * beds)
    plan = plan_alliances(bigger, graph, options=AllianceOptions(fixed_leads=("C1",)))
    assert plan.kpis["transfers_out_per_year"] < today.kpis["transfers_out_per_year"]
    assert plan.kpis["in_area_share"] > today.kpis["in_area_share"]


def test_closed_ferries_never_raise_the_islanders_timely_care(graph, today) -> None:
    """A storm lowers the islanders' access: their share of timely care never rises, and
    every need still counts. Their patient-hours may fall (they stay at the island's own
    facilities): a choice outcome, not access."""
    storm = graph
    for route in sorted(graph.G.graph.get("ferry_routes", {})):
        storm = g.close_ferry(storm, route, hours=24)
    after = evaluate_plan(today, storm)
    assert after.kpis["share_timely_care_island"] <= today.kpis["share_timely_care_island"]
    assert after.kpis["share_timely_care"] <= today.kpis["share_timely_care"]
    assert after.flows().visits.sum() == pytest.approx(today.flows().visits.sum(), rel=1e-12)
    assert after.kpis["visits_per_year"] == pytest.approx(today.kpis["visits_per_year"])


def test_upgrades_follow_the_target(_synthetic_region_cached, graph) -> None:
    """With an upgrade candidate, a grassroots target is met by upgrading it (or reported
    short by exactly the missing share), and the plan says so."""
    region = _with_facility(_synthetic_region_cached, "H1", upgrade_beds=60.0)
    region = _with_facility(region, "H1", upgrade_cost_yuan=36e6)
    base = plan_alliances(region, graph, options=AllianceOptions(fixed_leads=("C1",)))
    target = min(base.kpis["grassroots_share"] + 0.01, 0.99)
    flows = FlowOptions(max_upgrades=1, targets={"grassroots_share": target})
    plan = plan_alliances(
        region, graph, options=AllianceOptions(fixed_leads=("C1",), flows=flows), params=PARAMS
    )
    assert plan.upgrade_solve is not None
    assert list(plan.upgrades.index) == ["H1"]
    short = plan.upgrade_solve.shortfalls["grassroots_share"]
    if plan.upgraded == ("H1",):
        assert plan.kpis["grassroots_share"] > base.kpis["grassroots_share"]
        assert plan.kpis["grassroots_share"] == pytest.approx(target - short, abs=1e-6) or (
            short == 0 and plan.kpis["grassroots_share"] >= target - 1e-9
        )
    else:
        assert short > 0
        assert any("missed by" in m for m in plan.messages)
    assert any("upgrades to hospital-level sub-centres" in m for m in plan.messages)


def test_upgraded_as_given_changes_the_flows(_synthetic_region_cached, graph) -> None:
    """An upgrade given in the options adds hospital-level care at the centre."""
    region = _with_facility(_synthetic_region_cached, "H1", upgrade_beds=60.0)
    base = plan_alliances(region, graph, options=AllianceOptions(fixed_leads=("C1",)))
    up = plan_alliances(
        region,
        graph,
        options=AllianceOptions(fixed_leads=("C1",), flows=FlowOptions(upgraded=("H1",))),
    )
    assert up.upgraded == ("H1",)
    load_base = base.flows().facility_load().loc["H1", "inpatient"]
    load_up = up.flows().facility_load().loc["H1", "inpatient"]
    assert load_base == 0.0 and load_up > 0.0


def test_unknown_upgrade_is_a_data_error(_synthetic_region_cached, graph) -> None:
    with pytest.raises(netopt.DataError, match="upgraded"):
        plan_alliances(
            _synthetic_region_cached,
            graph,
            options=AllianceOptions(flows=FlowOptions(upgraded=("NOPE",)), fixed_leads=("C1",)),
        )


def test_a_target_out_of_reach_is_reported_with_where_and_how_much(
    _synthetic_region_cached, graph
) -> None:
    """An in-area target of 100 % cannot be met (the outside hospital draws visits): the plan
    is made, the shortfall is the target minus the share reached, and the message names the
    townships whose visits leave the area."""
    region = _with_facility(_synthetic_region_cached, "H1", upgrade_beds=60.0)
    flows = FlowOptions(max_upgrades=1, targets={"in_area_share": 1.0})
    plan = plan_alliances(
        region, graph, options=AllianceOptions(fixed_leads=("C1",), flows=flows), params=PARAMS
    )
    short = plan.upgrade_solve.shortfalls["in_area_share"]
    assert short == pytest.approx(1.0 - plan.kpis["in_area_share"], abs=1e-6)
    assert short > 0
    (msg,) = [m for m in plan.messages if "missed by" in m]
    assert f"{short * 100:.2f} percentage points" in msg
    townships = set(plan.zones["township"].dropna())
    assert any(t in msg for t in townships), msg


def test_an_upgraded_centre_can_lead(_synthetic_region_cached, graph) -> None:
    """An upgrade adds can-lead status: with p, the upgraded centre is a lead candidate."""
    region = _with_facility(_synthetic_region_cached, "H1", upgrade_beds=60.0)
    assert not bool(region.facilities.at["H1", "can_lead"])
    plan = plan_alliances(
        region,
        graph,
        options=AllianceOptions(
            fixed_leads=("C1", "H1"), flows=FlowOptions(upgraded=("H1",)), max_travel_min=60
        ),
    )
    assert set(plan.leads) == {"C1", "H1"} and plan.upgraded == ("H1",)
    assert not any("cannot normally lead" in m for m in plan.messages)
    with pytest.raises(netopt.DataError, match="H1"):  # without the upgrade it cannot lead
        plan_alliances(region, graph, options=AllianceOptions(fixed_leads=("C1", "H1")))
