"""A monotone network: closures, lower frequencies and the night never shorten a trip.

Property tests at the travel-time level (issue #11 item 2): over random sets of closed ferry
routes with random closure hours, raised headways, closed bridges and the night, every
zone-to-facility time is at least the time on the unmodified graph, and finite wherever that
one is finite.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netopt.graph import (
    at_clock,
    at_night,
    build_graph,
    close_ferry,
    close_link,
    ferry_wait_min,
    set_headway,
    travel_times,
)

FALLBACK = {"name": "ambulance boat", "wait_min": 40.0, "availability": 0.7}
CLOCKS = ["05:00", "06:30", "08:15", "12:00", "16:45", "17:45", "18:20", "23:30"]


def _with_fallback(region):
    return dataclasses.replace(region, metadata={**region.metadata, "emergency_fallback": FALLBACK})


@pytest.fixture(scope="module")
def base_graphs(_synthetic_region_cached, three_ferry_region):
    """Unmodified graphs and their zone x facility times: the synthetic region and the
    three-ferry tiny region, each with and without an emergency fallback. (The synthetic
    region gets fewer examples: each modifier copies its 80,000 edges.)"""
    three = three_ferry_region
    regions = {
        "synthetic": _synthetic_region_cached,
        "synthetic+fallback": _with_fallback(_synthetic_region_cached),
        "three ferries": three,
        "three ferries+fallback": _with_fallback(three),
    }
    graphs = {name: build_graph(region) for name, region in regions.items()}
    return {name: (g, travel_times(g, "zones", "facilities")) for name, g in graphs.items()}


def _day_headway_floor(route):
    """A headway whose half is at least the typical-daytime wait of both directions."""
    waits = [
        ferry_wait_min(
            departures=route[f"departures_{side}"],
            headway_min=route["headway_min"],
            service_start=route["service_start"],
            service_end=route["service_end"],
        )
        for side in ("ab", "ba")
    ]
    return 2.0 * max(waits)


@st.composite
def worsenings(draw, routes, links=()):
    """Closed routes and links with hours, raised headways (factor >= 1 on the day waits) and
    night."""
    closed = draw(st.lists(st.sampled_from(routes), unique=True))
    slower = draw(st.lists(st.sampled_from(routes), unique=True))
    cut = draw(st.lists(st.sampled_from(sorted(links)), unique=True)) if links else []
    return {
        "close": {r: draw(st.floats(0.25, 120.0)) for r in closed},
        "slower": {r: draw(st.floats(1.0, 5.0)) for r in slower},
        "links": {lk: draw(st.floats(0.25, 72.0)) for lk in cut},
        "night": draw(st.booleans()),
    }


def _links(graph):
    return {str(d["link"]) for _, _, d in graph.G.edges(data=True) if d.get("link")}


def _worsen(graph, change, *, headways=True):
    routes = graph.G.graph["ferry_routes"]
    if headways:
        for r, factor in change["slower"].items():
            graph = set_headway(graph, r, factor * _day_headway_floor(routes[r]))
    for r, hours in change["close"].items():
        graph = close_ferry(graph, r, hours=hours)
    for lk, hours in change["links"].items():
        graph = close_link(graph, lk, hours=hours)
    if change["night"]:
        graph = at_night(graph)
    return graph


def _assert_not_better(before, after, change):
    b, a = before.seconds, after.seconds
    finite = np.isfinite(b)
    assert np.isfinite(a[finite]).all(), change
    assert (a[finite] >= b[finite] - 1e-6).all(), (change, float((b - a)[finite].max()))


@pytest.mark.parametrize(
    ("name", "n"),
    [
        ("synthetic", 10),
        ("synthetic+fallback", 6),
        ("three ferries", 40),
        ("three ferries+fallback", 40),
    ],
)
def test_worse_network_never_shortens_a_trip(base_graphs, name, n):
    """Closures, raised headways, closed bridges and night: every time >= the open one, and
    finite where it is."""
    graph, before = base_graphs[name]

    @settings(max_examples=n, deadline=None, derandomize=True)
    @given(change=worsenings(sorted(graph.G.graph["ferry_routes"]), _links(graph)))
    def check(change):
        after = travel_times(_worsen(graph, change), "zones", "facilities")
        _assert_not_better(before, after, change)
        if change["night"] or (name == "synthetic" and (change["close"] or change["links"])):
            assert (after.seconds > before.seconds + 1e-6).any(), change  # the islanders wait

    check()


@pytest.mark.parametrize(("name", "n"), [("synthetic+fallback", 6), ("three ferries", 40)])
def test_closures_at_a_clock_never_shorten_a_trip(base_graphs, name, n):
    """At any clock, closures and night never shorten a trip against the same clock."""
    base, _ = base_graphs[name]
    at = {clock: at_clock(base, clock) for clock in CLOCKS}
    before = {clock: travel_times(g, "zones", "facilities") for clock, g in at.items()}

    @settings(max_examples=n, deadline=None, derandomize=True)
    @given(
        clock=st.sampled_from(CLOCKS),
        change=worsenings(sorted(base.G.graph["ferry_routes"]), _links(base)),
    )
    def check(clock, change):
        after = travel_times(_worsen(at[clock], change, headways=False), "zones", "facilities")
        _assert_not_better(before[clock], after, change)

    check()


@pytest.mark.parametrize(("name", "n"), [("three ferries", 30), ("three ferries+fallback", 30)])
def test_longer_closures_never_shorten_a_trip(base_graphs, name, n):
    """Closing every route for longer never gives a shorter time (with or without night)."""

    @settings(max_examples=n, deadline=None, derandomize=True)
    @given(h1=st.floats(0.25, 72.0), extra=st.floats(0.0, 72.0), night=st.booleans())
    def check(h1, extra, night):
        graph, _ = base_graphs[name]
        graph = at_night(graph) if night else graph
        short, long = graph, graph
        for r in sorted(graph.G.graph["ferry_routes"]):
            short = close_ferry(short, r, hours=h1)
            long = close_ferry(long, r, hours=h1 + extra)
        _assert_not_better(
            travel_times(short, "zones", "facilities"),
            travel_times(long, "zones", "facilities"),
            {"hours": (h1, h1 + extra), "night": night},
        )

    check()
