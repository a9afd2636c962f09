"""Scenario modifiers return new graphs and never mutate their input."""

import copy

import numpy as np
import pytest

from netopt import DataError
from netopt.graph import (
    add_departures,
    add_link,
    at_clock,
    at_night,
    build_graph,
    close_ferry,
    drop_closed,
    emergency_mode,
    reachability,
    set_headway,
    travel_times,
)


def _snapshot(g):
    G = g.G
    return (
        sorted(
            (str(u), str(v), k, tuple(sorted(d.items())))
            for u, v, k, d in G.edges(keys=True, data=True)
        ),
        sorted((str(n), tuple(sorted(d.items()))) for n, d in G.nodes(data=True)),
        copy.deepcopy({k: v for k, v in G.graph.items()}),
        g.points.copy(),
    )


def _times(g, mode):
    return np.array([d["travel_time_s"] for _, _, d in g.G.edges(data=True) if d["mode"] == mode])


def _ferry(g):
    return sorted(
        (d["wait_s"], d["travel_time_s"])
        for _, _, d in g.G.edges(data=True)
        if d["mode"] == "ferry"
    )


MODIFIERS = [
    lambda g: close_ferry(g, "FR1"),
    lambda g: close_ferry(g, "FR1", hours=3),
    lambda g: drop_closed(at_clock(g, "17:01")),
    lambda g: set_headway(g, "FR1", 30),
    lambda g: add_departures(g, "FR1", ["08:30"]),
    lambda g: add_link(g, (121.8595, 29.43), (121.9005, 29.43), travel_min=6, name="new bridge"),
    at_night,
    lambda g: at_clock(g, "15:00"),
    emergency_mode,
]


@pytest.mark.parametrize("modify", MODIFIERS)
def test_modifier_never_mutates_its_input(tiny_region, modify):
    """Every modifier leaves the input graph's edges, nodes, state and points identical."""
    g = build_graph(tiny_region, depart_at="08:15")
    before = _snapshot(g)
    new = modify(g)
    after = _snapshot(g)
    assert new is not g and new.G is not g.G
    assert before[0] == after[0] and before[1] == after[1] and before[2] == after[2]
    assert before[3].equals(after[3])
    assert _snapshot(new)[0] != before[0]  # and it did change something


def test_drop_closed_never_mutates_a_closed_graph(tiny_region):
    """drop_closed leaves the closed graph, its reopening edges and its route state intact."""
    g = close_ferry(build_graph(tiny_region), "FR1")
    before = _snapshot(g)
    now = drop_closed(g)
    after = _snapshot(g)
    assert before[0] == after[0] and before[1] == after[1] and before[2] == after[2]
    assert len(_ferry(g)) == 2 and _ferry(now) == []
    assert now.G.graph["open_only"] and not g.G.graph["open_only"]


def test_headway_and_departures_change_the_wait(tiny_region):
    """set_headway gives half the headway; an added departure shortens the wait at a clock."""
    g = build_graph(tiny_region)
    assert [w for w, _ in _ferry(set_headway(g, "FR1", 30))] == [900.0, 900.0]
    at = build_graph(tiny_region, depart_at="07:20")
    assert [w / 60 for w, _ in _ferry(at)] == [20.0, 100.0]  # B->A 07:40, A->B 09:00
    more = add_departures(at, "FR1", ["07:30"], direction="ab")
    assert [w / 60 for w, _ in _ferry(more)] == [10.0, 20.0]
    with pytest.raises(DataError, match="no such ferry route"):
        close_ferry(g, "NOPE")


def test_night_keeps_reopening_ferries_and_clock_brings_them_back(tiny_region):
    """At night the ferries wait for the morning; drop_closed cuts the island; at_clock reopens."""
    g = at_night(build_graph(tiny_region))
    assert len(_ferry(g)) == 2
    ferries = [d for _, _, d in g.G.edges(data=True) if d["mode"] == "ferry"]
    assert all(d["closed"] and d["closed_by"] == "night" for d in ferries)
    assert reachability(g).empty
    assert set(reachability(drop_closed(g)).index) == {"zone:Z2", "facility:T2"}
    day = at_clock(g, "12:30")
    assert day.depart_at == "12:30" and len(_ferry(day)) == 2
    assert not any(d["closed"] for _, _, d in day.G.edges(data=True) if d["mode"] == "ferry")
    assert reachability(drop_closed(day)).empty


def test_added_bridge_reconnects_a_closed_island(tiny_region):
    """A new bridge makes the island reachable again in its sourced travel time."""
    g = drop_closed(close_ferry(build_graph(tiny_region), "FR1"))
    linked = add_link(g, (121.8595, 29.43), (121.9005, 29.43), travel_min=6, name="bridge")
    assert reachability(linked).empty
    assert linked.points["component"].nunique() == 1
    t = travel_times(linked, ["zone:Z2"], ["facility:H1"]).seconds[0, 0]
    assert 360 < t < 3600
    with pytest.raises(DataError, match="from the network"):
        add_link(g, (121.8595, 29.43), (122.5, 29.0), name="to nowhere")


def test_emergency_mode_speeds_roads_and_skips_the_wait(tiny_region):
    """Road times shrink by the factor (not compounding), connectors stay, ferry wait is zero."""
    g = build_graph(tiny_region)
    e = emergency_mode(g, speed_factor=2.0)
    np.testing.assert_allclose(_times(e, "road"), _times(g, "road") / 2.0)
    again = emergency_mode(e, speed_factor=2.0)
    np.testing.assert_allclose(_times(again, "road"), _times(g, "road") / 2.0)
    np.testing.assert_array_equal(_times(e, "connector"), _times(g, "connector"))
    assert all(w == 0.0 and t == 1800.0 for w, t in _ferry(e))
