"""plan_alliances at scale: the matrix that was passed is reused; a plan is never empty."""

from __future__ import annotations

import numpy as np
import pytest

import netopt
from netopt import SolverError
from netopt.alliances import AllianceOptions, plan_alliances, zone_facility_seconds
from netopt.alliances.members import member_model, plan_data, zoneless_seconds
from netopt.solve import SolveResult


@pytest.fixture
def inputs(synthetic_region):
    """The synthetic region, its graph and its zone x facility times."""
    graph = netopt.build_graph(synthetic_region)
    return synthetic_region, graph, zone_facility_seconds(synthetic_region, graph)


def test_zoneless_members_are_read_from_the_matrix(inputs, monkeypatch):
    """With times= given, no shortest-path search runs for members without residents."""
    from netopt.graph import matrix

    region, graph, times = inputs

    def no_search(*args, **kwargs):
        raise AssertionError("a shortest-path search ran although times= was given")

    monkeypatch.setattr(matrix, "_fill", no_search)
    plan = plan_alliances(region, graph, options=AllianceOptions(p=2), times=times)
    assert len(plan.leads) == 2


def test_zoneless_seconds_take_the_nearest_zone(inputs):
    """A facility's time to a candidate is the time from the zone that reaches it fastest."""
    region, graph, times = inputs
    data = plan_data(region, times, AllianceOptions(p=2))
    facilities = np.arange(len(data.fac_ids))
    got = zoneless_seconds(data, facilities, block=3)
    near = np.argmin(times, axis=0)
    np.testing.assert_array_equal(got, data.t_zc[near])
    members = member_model(data, graph, AllianceOptions().rates, AllianceOptions().primary_tiers)
    rows = np.flatnonzero(members.zoneless)
    assert len(rows) and np.all(members.costs[rows] <= 1e-6 * got[members.index[rows]] + 1e-12)


def test_a_plan_without_leads_is_an_error(inputs, monkeypatch):
    """A solver that stops with no lead open makes plan_alliances raise, naming why."""
    from netopt.alliances import planner

    region, graph, times = inputs

    def timed_out(model, params, messages):
        n = model.costs.shape[0]
        return SolveResult(
            selected=np.zeros(0, int),
            assignment=np.full(n, -1),
            objective=np.inf,
            bound=0.0,
            gap=np.nan,
            status="time_limit",
            seconds=1.0,
            message="stopped before any plan",
        )

    monkeypatch.setattr(planner, "solve_location", timed_out)
    with pytest.raises(SolverError, match=r"opened no lead \(p=2, status time_limit: stopped"):
        plan_alliances(region, graph, options=AllianceOptions(p=2), times=times)
