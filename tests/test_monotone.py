"""A monotone world: worse access never improves a KPI of the same plan (issue #11 items 2-3).

Each example draws a random worsening of the network - closed ferries for a random number of
hours, lower ferry frequencies, closed bridges, the night - evaluates the *same* plan on it
(:func:`netopt.alliances.evaluate_plan`: same leads, same primaries, same lead per zone) and
checks every KPI with a direction against the plan on the normal network, on the synthetic
region and on Xiangshan.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netopt
from netopt import graph as g
from netopt._clock import parse_clock
from netopt._errors import DataError
from netopt.alliances import AllianceOptions, evaluate_plan, plan_alliances
from netopt.kpis import KPIS, POPULATION_COUNTS
from netopt.solve import SolverParams

XIANGSHAN = Path(__file__).resolve().parents[1] / "geodata" / "xiangshan"

#: KPIs with a direction, rotation KPIs excepted (no rotation schedule here), and choice
#: outcomes excepted: where patients choose to go moves either way when access worsens (a
#: closed ferry keeps islanders at their health centre, which raises the grassroots share);
#: the access KPIs beside them (times, share_timely_care) are the ones that may only worsen.
DIRECTED = tuple(
    k
    for k in KPIS
    if k.better is not None
    and not k.outcome
    and k.key not in {"patients_seen_locally", "patient_hours_saved", "expert_days"}
)
PARAMS = SolverParams(time_limit_s=60, seed=0)


def _routes(graph: netopt.TravelGraph) -> list[str]:
    return sorted(graph.G.graph.get("ferry_routes", {}))


def _links(graph: netopt.TravelGraph) -> list[str]:
    return sorted({str(d["link"]) for _, _, d in graph.G.edges(data=True) if d.get("link")})


def _day_wait_min(route: dict) -> float:
    """Mean minutes between departures of a route in the daytime, the larger of the two
    directions (so a headway of a factor >= 1 times it lowers neither direction's wait)."""
    gaps = [float(route["headway_min"])] if route["headway_min"] > 0 else []
    for side in ("departures_ab", "departures_ba"):
        deps = sorted(parse_clock(t) for t in route[side])
        if len(deps) >= 2:
            gaps.append(float(np.diff(deps).mean()))
    return max(gaps)


@st.composite
def worsenings(draw: st.DrawFn, routes: list[str], links: list[str]) -> dict:
    """A random worsening: closures with hours, lower frequencies, closed links, night."""
    closed = draw(st.lists(st.sampled_from(routes), unique=True)) if routes else []
    slower = draw(st.lists(st.sampled_from(routes), unique=True)) if routes else []
    return {
        "close": {r: draw(st.floats(0.5, 96.0)) for r in closed},
        "slower": {r: draw(st.floats(1.0, 4.0)) for r in slower if r not in closed},
        "links": {
            lk: draw(st.floats(0.5, 48.0))
            for lk in (draw(st.lists(st.sampled_from(links), unique=True)) if links else [])
        },
        "night": draw(st.booleans()),
    }


def worsen(graph: netopt.TravelGraph, change: dict) -> netopt.TravelGraph:
    """Apply a worsening drawn by :func:`worsenings`."""
    for route, factor in change["slower"].items():
        state = graph.G.graph["ferry_routes"][route]
        graph = g.set_headway(graph, route, factor * _day_wait_min(state))
    for route, hours in change["close"].items():
        graph = g.close_ferry(graph, route, hours=hours)
    for link, hours in change["links"].items():
        graph = g.close_link(graph, link, hours=hours)
    if change["night"]:
        graph = g.at_night(graph)
    return graph


#: Directed KPIs of the scenario runner's later steps (hosting, diagnosis centres, courier):
#: an alliance plan alone does not have them.
LATER_STEPS = {
    "hosting_followup_patient_hours_saved_per_year",
    "hosting_followup_patient_hours_saved_per_year_island",
    "hosting_followups_home_per_year",
    "hosting_referral_patient_hours_saved_per_year",
    "hosting_patient_hours_saved_per_year",
    "diagnosis_senders_outside_window",
    "courier_unserved_stops",
    "courier_max_sample_age_min",
}


def assert_no_kpi_improves(before: dict, after: dict, change: dict) -> None:
    """Every directed KPI of ``after`` is at most as good as in ``before``."""
    absent = {k.key for k in DIRECTED} - set(before)
    assert absent <= LATER_STEPS, absent
    for kpi in DIRECTED:
        if kpi.key in absent:
            continue
        b, a = before[kpi.key], after[kpi.key]
        if isinstance(b, float) and math.isnan(b):
            assert math.isnan(a), (kpi.key, change)
            continue
        slack = 1e-9 * max(1.0, abs(b))
        if kpi.better == "lower":
            assert a >= b - slack, (kpi.key, b, a, change)
        else:
            assert a <= b + slack, (kpi.key, b, a, change)


def assert_partition(kpis: dict) -> None:
    """Served, unserved for lack of capacity and not covered add up to the population."""
    total = sum(kpis[k] for k in POPULATION_COUNTS)
    assert total == pytest.approx(kpis["population"], rel=1e-9)
    assert min(kpis[k] for k in POPULATION_COUNTS) >= -1e-9


@pytest.fixture(scope="module")
def synthetic_plans(_synthetic_region_cached: netopt.Region):
    """The synthetic region's graph, a one-lead plan and an optimised p=2 plan (60 min)."""
    region = _synthetic_region_cached
    # A coarser land surface (H3 resolution 8) keeps an example well under a second.
    graph = netopt.build_graph(region, options=netopt.GraphOptions(h3_resolution=8))
    today = plan_alliances(region, graph, options=AllianceOptions(fixed_leads=("C1",)))
    chosen = plan_alliances(
        region, graph, options=AllianceOptions(p=2, max_travel_min=60), params=PARAMS
    )
    return graph, (today, chosen)


@pytest.fixture(scope="module")
def xiangshan_plans():
    """Xiangshan's graph and today's alliances."""
    region = netopt.load_region(XIANGSHAN)
    graph = netopt.build_graph(region)
    return graph, plan_alliances(region, graph, options=AllianceOptions(evaluate_only=True))


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_worse_access_never_improves_a_kpi_synthetic(synthetic_plans, data) -> None:
    """Random closures, frequencies, bridges and night never improve a KPI (synthetic)."""
    graph, plans = synthetic_plans
    change = data.draw(worsenings(_routes(graph), _links(graph)))
    worse = worsen(graph, change)
    for plan in plans:
        after = evaluate_plan(plan, worse)
        assert_no_kpi_improves(plan.kpis, after.kpis, change)
        assert_partition(after.kpis)
        assert after.kpis["population"] == plan.kpis["population"]


@pytest.mark.slow
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_worse_access_never_improves_a_kpi_xiangshan(xiangshan_plans, data) -> None:
    """Random closures, frequencies, bridges and night never improve a KPI (Xiangshan)."""
    graph, plan = xiangshan_plans
    change = data.draw(worsenings(_routes(graph), _links(graph)))
    after = evaluate_plan(plan, worsen(graph, change))
    assert_no_kpi_improves(plan.kpis, after.kpis, change)
    assert_partition(after.kpis)


def test_storm_counts_every_islander(synthetic_plans) -> None:
    """Closing every ferry leaves nobody out: the cut-off islanders count with the wait."""
    graph, (today, _) = synthetic_plans
    storm = graph
    for route in _routes(graph):
        storm = g.close_ferry(storm, route, hours=24)
    after = evaluate_plan(today, storm)
    cut = after.zones["cut_off"]
    assert cut.any()
    assert after.kpis["population_cut_off"] == pytest.approx(after.zones["population"][cut].sum())
    assert np.isfinite(after.zones["t_lead_min"]).all()
    # 24 h closure: the mean wait of a need arising during it is 12 h, on top of the trip.
    extra = after.zones.loc[cut, "t_lead_min"] - today.zones.loc[cut, "t_lead_min"]
    assert (extra >= 12 * 60 - 1e-6).all()
    assert after.kpis["mean_lead_min"] > today.kpis["mean_lead_min"]
    served_max = after.kpis["population"] - after.kpis["population_cut_off"]
    assert after.kpis["population_served"] <= served_max + 1e-6
    places = after.cut_off_by_place()
    assert places["population"].sum() == pytest.approx(after.kpis["population_cut_off"])
    assert set(places["island_name"]) <= set(after.zones.loc[cut, "island_name"].fillna("mainland"))


def test_served_only_falls(synthetic_plans) -> None:
    """'Served' never rises when a ferry closes, even when the lead is short of beds."""
    graph, (today, chosen) = synthetic_plans
    for plan in (today, chosen):
        for route in _routes(graph):
            after = evaluate_plan(plan, g.close_ferry(graph, route, hours=6))
            assert after.kpis["population_served"] <= plan.kpis["population_served"] + 1e-6
            assert_partition(after.kpis)


def test_evaluating_on_a_network_without_the_crossing_names_the_zones(synthetic_plans) -> None:
    """A network that no longer has the island's ferry at all (not closed: removed) leaves
    islanders without any time: a DataError naming zone, island and the lead they lost."""
    graph, (today, _) = synthetic_plans
    gone = g.drop_closed(g.close_ferry(graph, "F1", hours=24))
    with pytest.raises(DataError, match=r"zones.*island Beiyu.*no path to its lead C1"):
        evaluate_plan(today, gone)
