"""Choosing partners: the exact search against brute force, capacities, same answer twice."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from netopt._errors import DataError
from netopt.flows import ChoiceParams, ChoiceSet, DemandRates, patient_flows, zone_demand
from netopt.hosting import HostingCandidate, choose_partners, host_flows
from netopt.hosting._assign import assign_partners
from netopt.solve import SolverParams


def brute_force(cost, load, capacity, unhosted) -> float:
    """The least total cost over every assignment of leads to a partner or none."""
    n, m = cost.shape
    best = np.inf
    for choice in itertools.product(range(-1, m), repeat=n):
        used = np.zeros(m)
        total = 0.0
        for lead, k in enumerate(choice):
            if k < 0:
                total += unhosted[lead]
            else:
                total += cost[lead, k]
                used[k] += load[lead, k]
        if (used <= capacity + 1e-9).all():
            best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_assignment_matches_brute_force(seed):
    """Branch and bound finds the brute-force optimum, within the capacities."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    unhosted = rng.uniform(50, 100, n)
    cost = unhosted[:, None] - rng.uniform(0, 50, (n, m))
    cost[rng.random((n, m)) < 0.2] = np.inf
    load = rng.uniform(0, 10, (n, m))
    capacity = np.where(rng.random(m) < 0.3, np.inf, rng.uniform(0, 20, m))
    result = assign_partners(cost, load, capacity, unhosted)
    assert result.is_optimal and result.gap == 0.0
    assert result.objective == pytest.approx(brute_force(cost, load, capacity, unhosted))
    a = result.assignment
    for k in range(m):
        assert load[a == k, k].sum() <= capacity[k] + 1e-9
    value = sum(unhosted[i] if a[i] < 0 else cost[i, a[i]] for i in range(n))
    assert value == pytest.approx(result.objective)


def test_bad_arrays_are_data_errors():
    """Shapes and values are checked before solving."""
    with pytest.raises(DataError, match="shape"):
        assign_partners(np.ones((2, 2)), np.ones((2, 3)), np.ones(2), np.ones(2))
    with pytest.raises(DataError, match="NaN or negative"):
        assign_partners(-np.ones((1, 1)), np.ones((1, 1)), np.ones(1), np.ones(1))


def test_time_limit_returns_the_best_found_with_a_bound():
    """A tiny time limit on a large instance still returns a plan, its bound and gap."""
    rng = np.random.default_rng(0)
    n, m = 40, 6
    unhosted = rng.uniform(50, 100, n)
    cost = unhosted[:, None] - rng.uniform(0, 50, (n, m))
    result = assign_partners(
        cost, rng.uniform(0, 10, (n, m)), np.full(m, 30.0), unhosted,
        params=SolverParams(time_limit_s=1e-6),
    )  # fmt: skip
    assert result.status in ("time_limit", "optimal")
    assert result.bound <= result.objective + 1e-9
    assert np.isfinite(result.gap)


def _two_counties():
    """Two county leads (zones 0-1 and 2-3) and three outside partners."""
    minutes = np.array(
        [
            [60, 5, 200, 90, 120, 5],
            [70, 15, 190, 100, 110, 5],
            [150, 200, 10, 80, 60, 5],
            [160, 190, 20, 85, 50, 5],
        ],
        dtype=float,
    )
    cs = ChoiceSet(
        minutes=minutes,
        tier=["tertiary", "county", "county", "tertiary", "tertiary", "township"],
        beds=[2000, 500, 400, 1500, 1800, 40],
        outpatients=[8000, 2000, 1500, 6000, 7000, 200],
        in_area=[False, True, True, False, False, True],
        lead_of_zone=[1, 1, 2, 2],
        facility_ids=("A", "L1", "L2", "B", "C", "T"),
    )
    demand = zone_demand(np.array([20_000.0, 15_000.0, 18_000.0, 12_000.0]), DemandRates())
    return patient_flows(cs, demand, ChoiceParams())


def test_each_lead_gets_its_nearest_partner_without_limits():
    """Without capacities each lead is hosted by the partner that saves it the most."""
    flows = _two_counties()
    cands = [HostingCandidate("A"), HostingCandidate("B"), HostingCandidate("C")]
    links, result = choose_partners(flows, ["L1", "L2"], cands)
    assert {x.lead: x.partner for x in links} == {"L1": "A", "L2": "C"}
    assert result.is_optimal
    after, _ = host_flows(flows, links)
    left = after.kpis()["flow_patient_hours_per_year"]
    assert left <= flows.kpis()["flow_patient_hours_per_year"]


def test_capacity_keeps_a_partner_from_hosting_beyond_it():
    """A partner whose capacity cannot take a lead's redirected visits does not host it."""
    flows = _two_counties()
    free, _ = choose_partners(flows, ["L2"], [HostingCandidate("C")])
    _, (effect,) = host_flows(flows, free)
    cap = 0.5 * effect.redirected_per_year
    links, result = choose_partners(
        flows, ["L1", "L2"], [HostingCandidate("A"), HostingCandidate("C", cap)]
    )
    partner = {x.lead: x.partner for x in links}
    assert partner.get("L2") != "C"
    assert result.is_optimal


def test_same_seed_same_answer():
    """Two runs with the same data and seed choose the same partners."""
    flows = _two_counties()
    cands = [HostingCandidate("A", 50.0), HostingCandidate("B"), HostingCandidate("C", 80.0)]
    params = SolverParams(seed=3)
    one = choose_partners(flows, ["L1", "L2"], cands, params=params)
    two = choose_partners(flows, ["L1", "L2"], cands, params=params)
    assert one[0] == two[0]
    assert one[1].objective == two[1].objective
    np.testing.assert_array_equal(one[1].assignment, two[1].assignment)


def test_unknown_candidate_is_a_data_error():
    """Ids outside the choice set are named."""
    with pytest.raises(DataError, match="unknown facility 'Z'"):
        choose_partners(_two_counties(), ["L1"], [HostingCandidate("Z")])
