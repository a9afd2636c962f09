"""Fixtures of the cost tests: the synthetic region's plan, graph and flows."""

from __future__ import annotations

import pytest

from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import build_graph
from netopt.solve.params import SolverParams


@pytest.fixture(scope="package")
def graph(_synthetic_region_cached):
    """The synthetic region's travel graph."""
    return build_graph(_synthetic_region_cached)


@pytest.fixture(scope="package")
def plan(_synthetic_region_cached, graph):
    """Two alliances led by T1 (outside the area) and C1."""
    return plan_alliances(
        _synthetic_region_cached,
        graph,
        options=AllianceOptions(fixed_leads=("T1", "C1")),
        params=SolverParams(time_limit_s=10),
    )


@pytest.fixture(scope="package")
def flows(plan):
    """The plan's patient flows."""
    return plan.flows()
