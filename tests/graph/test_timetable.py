"""Exact ferry departures at a clock and the worst-wait graph (netopt.graph.timetable)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from netopt.graph import (
    at_clock,
    build_graph,
    close_ferry,
    exact_wait_min,
    next_departure_min,
    travel_times,
    worst_wait_graph,
    worst_wait_min,
)
from netopt.graph.timetable import departure_times

FR1 = {  # the tiny region's ferry, as kept in G.graph["ferry_routes"]
    "departures_ab": ("07:00", "09:00", "12:00", "16:30"),
    "departures_ba": ("07:40", "10:00", "13:00", "17:00"),
    "headway_min": math.nan,
    "service_start": "06:30",
    "service_end": "18:00",
    "closed": False,
    "closed_hours": None,
}
HEADWAY = {
    "departures_ab": (),
    "departures_ba": (),
    "headway_min": 45.0,
    "service_start": "07:00",
    "service_end": "19:00",
    "closed": False,
}


@pytest.mark.parametrize(
    ("clock", "wait"),
    [
        ("06:00", 60.0),
        ("07:00", 0.0),
        ("07:01", 119.0),
        ("10:30", 90.0),
        ("16:30", 0.0),
        ("16:31", 24 * 60 - 991 + 420),  # the first departure of the next morning
        ("23:00", 60.0 + 7 * 60),
    ],
)
def test_exact_wait_until_the_next_departure(clock, wait):
    """The wait is the minutes to the next departure in that direction, after the last one
    the first departure of the next morning."""
    assert exact_wait_min(FR1, "ab", clock) == pytest.approx(wait)


def test_minutes_past_midnight_are_later_days():
    """A clock given in minutes may run into the next day: its timetable applies."""
    assert next_departure_min(FR1, "ba", 1440 + 8 * 60) == 1440 + 10 * 60
    assert next_departure_min(FR1, "ba", 17 * 60 + 1) == 1440 + 7 * 60 + 40


def test_a_headway_departs_from_the_start_of_service():
    """A headway route departs at service start and every headway after it, until the end."""
    deps = departure_times(HEADWAY, "ab")
    assert deps[0] == 420.0 and deps[1] == 465.0 and deps[-1] <= 19 * 60
    assert exact_wait_min(HEADWAY, "ab", "06:00") == 60.0
    assert exact_wait_min(HEADWAY, "ba", "07:50") == 40.0  # 07:45 gone, 08:30 next
    last = float(deps[-1])
    assert next_departure_min(HEADWAY, "ab", last + 1) == 1440 + 420


def test_a_closed_route_departs_after_its_closure():
    """A route closed for 3 h takes the first departure at or after the closure ends."""
    closed = dict(FR1, closed=True, closed_hours=3.0)
    assert next_departure_min(closed, "ab", "08:00") == 12 * 60


def test_worst_wait_is_the_longest_gap_from_the_start_of_service():
    """The longest wait: the largest gap, or the start of service to the first departure."""
    assert worst_wait_min(FR1, "ab") == 270.0  # 12:00 -> 16:30
    assert worst_wait_min(FR1, "ba") == 240.0  # 13:00 -> 17:00
    assert worst_wait_min(dict(FR1, departures_ab=("09:00", "10:00")), "ab") == 150.0
    assert worst_wait_min(FR1, "ab", earliest="16:40") == 1440 - 1000 + 420
    assert worst_wait_min(HEADWAY, "ab") == 45.0


@pytest.mark.parametrize("route", [FR1, HEADWAY])
@pytest.mark.parametrize("side", ["ab", "ba"])
def test_no_exact_wait_above_the_worst_while_the_route_runs(route, side):
    """At every minute from the start of service to the last departure, the exact wait is at
    most the worst wait."""
    deps = departure_times(route, side)
    worst = worst_wait_min(route, side)
    for t in np.arange(420.0 if route is HEADWAY else 390.0, deps[-1] + 1e-9, 1.0):
        assert exact_wait_min(route, side, float(t)) <= worst + 1e-9


def _state(g):
    edges = sorted(
        (str(u), str(v), k, tuple(sorted(d.items())))
        for u, v, k, d in g.G.edges(keys=True, data=True)
    )
    return edges, copy.deepcopy(dict(g.G.graph))


def test_worst_wait_graph_never_mutates_and_times_the_longest_gap(tiny_region):
    """The input graph is unchanged; each ferry edge is crossing + boarding + the longest gap,
    and no travel time is shorter than on the typical-daytime graph."""
    g = build_graph(tiny_region)
    before = _state(g)
    worst = worst_wait_graph(g)
    assert _state(g) == before and worst.G is not g.G
    assert worst.G.graph["worst_wait"] is True
    boarding = g.options.ferry_boarding_min
    ferry = {
        (d["route"], "ab" if u == worst.G.graph["ferry_routes"][d["route"]]["node_a"] else "ba"): d
        for u, _, d in worst.G.edges(data=True)
        if d["mode"] == "ferry"
    }
    assert ferry["FR1", "ab"]["travel_time_s"] == pytest.approx((20 + boarding + 270) * 60)
    assert ferry["FR1", "ba"]["wait_s"] == pytest.approx(240 * 60)
    typical = travel_times(g, "zones", "facilities").seconds
    planned = travel_times(worst, "zones", "facilities").seconds
    assert np.all(planned >= typical - 1e-6)


def test_the_worst_wait_bounds_the_wait_at_every_clock(tiny_region):
    """At any clock at the piers until the last departure, the clock graph's ferry edges are
    never slower than the worst-wait graph's."""
    g = build_graph(tiny_region)
    worst = worst_wait_graph(g, earliest="06:30")
    bound = {
        (u, v): d["travel_time_s"] for u, v, d in worst.G.edges(data=True) if d["mode"] == "ferry"
    }
    for clock in ("06:30", "07:01", "09:30", "12:05", "16:00", "16:30"):
        at = at_clock(g, clock)
        for u, v, d in at.G.edges(data=True):
            if d["mode"] == "ferry" and not d["closed"]:
                assert d["travel_time_s"] <= bound[u, v] + 1e-6


def test_a_closed_route_keeps_its_longer_reopening_wait(tiny_region):
    """A closure's wait is longer than any gap: the worst-wait graph keeps it."""
    storm = close_ferry(build_graph(tiny_region), "FR1", hours=48)
    worst = worst_wait_graph(storm)
    waits = [d["wait_s"] for _, _, d in worst.G.edges(data=True) if d["mode"] == "ferry"]
    before = [d["wait_s"] for _, _, d in storm.G.edges(data=True) if d["mode"] == "ferry"]
    assert sorted(waits) == sorted(before) and min(waits) >= 24 * 3600
