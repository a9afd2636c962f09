"""Reopening edges: closed ferries and links, the night and clocks after the last boat keep a
timed edge.

The tiny region's ferry FR1 (service 06:30-18:00) leaves port A at 07:00, 09:00, 12:00 and
16:30 and port B at 07:40, 10:00, 13:00 and 17:00: by day the mean wait is 95 min from A
(gaps 570/3 min) and 280/3 min from B; the night gap is 14:30 h from A (16:30 to 07:00) and
14:40 h from B (17:00 to 07:40).
"""

import dataclasses
import math

import numpy as np
import pytest

from netopt import DataError
from netopt.graph import (
    GraphOptions,
    add_link,
    at_clock,
    at_night,
    build_graph,
    close_ferry,
    close_link,
    drop_closed,
    emergency_mode,
    night_wait_min,
    reachability,
    reopen_wait_min,
    set_headway,
    travel_times,
    travel_times_at_clocks,
)
from netopt.scenario import Modifiers, apply_modifiers

DAY_AB, DAY_BA = 95.0, 280.0 / 3.0
NIGHT_AB, NIGHT_BA = 870.0 / 2.0, 880.0 / 2.0


def _ferry(g, side="ab"):
    """The attributes of FR1's edge from port A (``"ab"``) or port B (``"ba"``)."""
    r = g.G.graph["ferry_routes"]["FR1"]
    u, v = (r["node_a"], r["node_b"]) if side == "ab" else (r["node_b"], r["node_a"])
    (d,) = [d for d in g.G[u][v].values() if d["mode"] == "ferry"]
    return d


def _with_fallback(region, wait_min, availability):
    meta = dict(region.metadata)
    meta["emergency_fallback"] = {
        "name": "ambulance boat",
        "wait_min": wait_min,
        "availability": availability,
    }
    return dataclasses.replace(region, metadata=meta)


def test_open_edges_are_marked_open(tiny_region):
    """A running ferry's edges carry closed=False and no reopening attributes."""
    g = build_graph(tiny_region)
    for side, wait in (("ab", DAY_AB), ("ba", DAY_BA)):
        d = _ferry(g, side)
        assert d["closed"] is False and "reopen_wait_s" not in d
        assert d["wait_s"] == pytest.approx(wait * 60.0)


@pytest.mark.parametrize("hours", [0.5, 6.0, 24.0, 72.0])
def test_closure_of_h_hours_adds_h_times_30_minutes(tiny_region, hours):
    """Closing for H hours adds H*60/2 minutes to the wait of both directions, nothing else."""
    g = build_graph(tiny_region)
    closed = close_ferry(g, "FR1", hours=hours)
    for side in ("ab", "ba"):
        before, after = _ferry(g, side), _ferry(closed, side)
        assert after["closed"] is True and after["closed_by"] == "closure"
        assert after["wait_s"] - before["wait_s"] == pytest.approx(hours * 30 * 60.0)
        assert after["reopen_wait_s"] == pytest.approx(after["wait_s"])
        assert after["travel_time_s"] - before["travel_time_s"] == pytest.approx(hours * 1800.0)
        assert after["crossing_s"] == 1200.0 and after["boarding_s"] == 600.0
    assert closed.G.graph["ferry_routes"]["FR1"]["closed_hours"] == hours


def test_closure_hours_default_from_options(tiny_region):
    """Without hours the closure lasts GraphOptions.closure_hours (24 h unless changed)."""
    g = build_graph(tiny_region)
    assert _ferry(close_ferry(g, "FR1"), "ab")["wait_s"] == pytest.approx((720 + DAY_AB) * 60)
    short = build_graph(tiny_region, closure_hours=2.0)
    assert _ferry(close_ferry(short, "FR1"), "ab")["wait_s"] == pytest.approx((60 + DAY_AB) * 60)
    again = close_ferry(close_ferry(g, "FR1", hours=48), "FR1", hours=4)  # hours replaced
    assert _ferry(again, "ab")["wait_s"] == pytest.approx((120 + DAY_AB) * 60)


@pytest.mark.parametrize("hours", [0, -1.0, math.inf, math.nan, True, "24"])
def test_bad_closure_hours_are_errors(tiny_region, hours):
    """Closure hours must be a finite number > 0."""
    with pytest.raises(ValueError, match="hours must be a finite number > 0"):
        close_ferry(build_graph(tiny_region), "FR1", hours=hours)


def test_night_waits_come_from_the_timetable(tiny_region):
    """At night each direction waits half its own night gap (last to first departure)."""
    g = at_night(build_graph(tiny_region))
    for side, wait in (("ab", NIGHT_AB), ("ba", NIGHT_BA)):
        d = _ferry(g, side)
        assert d["closed"] is True and d["closed_by"] == "night"
        assert d["wait_s"] == pytest.approx(wait * 60.0)
        assert d["travel_time_s"] == pytest.approx(wait * 60.0 + 1800.0)
    closed_at_night = close_ferry(g, "FR1", hours=10)
    assert _ferry(closed_at_night, "ab")["wait_s"] == pytest.approx((300 + NIGHT_AB) * 60.0)
    assert _ferry(closed_at_night, "ab")["closed_by"] == "closure"


def test_night_wait_of_headway_routes():
    """A headway route's night runs from service end to start, else from the night options."""
    assert night_wait_min(headway_min=20.0, service_start="06:30", service_end="18:30") == 360.0
    assert night_wait_min(headway_min=20.0) == 240.0  # 22:00 to 06:00
    assert night_wait_min(headway_min=20.0, night_start="23:00", night_end="05:00") == 180.0
    assert night_wait_min(departures=("08:00",)) == 720.0  # one boat a day: a 24 h gap
    assert night_wait_min() is None


def test_night_of_a_headway_route_uses_the_options(region_factory, tiny_region):
    """GraphOptions.night_start/night_end set the night of a route without service hours."""
    row = tiny_region.ferries.reset_index().iloc[0].to_dict()
    row.update(headway_min=30.0, departures_ab=(), departures_ba=())
    row.update(service_start=None, service_end=None)
    region = region_factory(ferries=[row])
    night = at_night(build_graph(region, night_start="21:00", night_end="07:00"))
    assert _ferry(night, "ab")["wait_s"] == pytest.approx(5 * 3600.0)  # half of 10 h
    assert _ferry(at_night(build_graph(region)), "ba")["wait_s"] == pytest.approx(4 * 3600.0)


def test_never_below_the_open_wait(region_factory, tiny_region):
    """A night shorter than the daytime gaps still waits at least the daytime wait."""
    row = tiny_region.ferries.reset_index().iloc[0].to_dict()
    row.update(departures_ab=("00:10", "12:00", "23:50"), service_start=None, service_end=None)
    g = build_graph(region_factory(ferries=[row]))
    day = _ferry(g, "ab")["wait_s"]
    assert day == pytest.approx(355 * 60.0)  # half the mean gap of 710 min
    night = _ferry(at_night(g), "ab")  # the 20 min night gap alone would give 10 min
    assert night["closed"] is True
    assert night["reopen_wait_s"] == night["wait_s"] == pytest.approx(day)


@pytest.mark.parametrize(
    ("clock", "ab", "ba"),
    [
        ("16:45", (1440 - 1005 + 420, True), (15.0, False)),  # A's last boat left at 16:30
        ("17:01", (1440 - 1021 + 420, True), (1440 - 1021 + 460, True)),
        ("23:30", (30 + 420, True), (30 + 460, True)),
        ("24:00", (420, True), (460, True)),
    ],
)
def test_clock_after_last_departure_waits_for_the_morning(tiny_region, clock, ab, ba):
    """After the last departure the wait is the exact minutes to the next morning's first boat."""
    g = build_graph(tiny_region, depart_at=clock)
    for side, (wait, closed) in (("ab", ab), ("ba", ba)):
        d = _ferry(g, side)
        assert d["wait_s"] == pytest.approx(wait * 60.0)
        assert d["closed"] is closed
        assert d.get("closed_by") == ("last departure" if closed else None)
    assert reopen_wait_min(departures=("07:00",), clock="23:00") == 480.0
    kw = {"headway_min": 30.0, "service_start": "06:00", "service_end": "18:00"}
    assert reopen_wait_min(clock="20:00", **kw) == 600.0


def test_clock_and_closure_add_up(tiny_region):
    """A closure at a clock adds H*30 min to the wait the route has at that clock."""
    g = build_graph(tiny_region, depart_at="08:15")
    closed = close_ferry(g, "FR1", hours=4)
    assert _ferry(closed, "ab")["wait_s"] == pytest.approx((120 + 45) * 60.0)
    late = close_ferry(at_clock(g, "17:01"), "FR1", hours=4)
    assert _ferry(late, "ba")["wait_s"] == pytest.approx((120 + 879) * 60.0)


def test_fallback_with_availability(tiny_region):
    """A fallback of f min with availability a gives a*min(f, W) + (1-a)*W on closed edges."""
    region = _with_fallback(tiny_region, wait_min=30.0, availability=0.8)
    g = build_graph(region)
    assert g.G.graph["fallback"] == {
        "name": "ambulance boat",
        "wait_min": 30.0,
        "availability": 0.8,
    }
    assert _ferry(g, "ab")["wait_s"] == pytest.approx(DAY_AB * 60.0)  # open: no fallback
    d = _ferry(close_ferry(g, "FR1", hours=24), "ab")
    w = 720 + DAY_AB
    assert d["reopen_wait_s"] == pytest.approx(w * 60.0)
    assert d["wait_s"] == pytest.approx((0.8 * 30 + 0.2 * w) * 60.0)
    assert d["fallback"] == "ambulance boat"
    night = _ferry(at_night(g), "ba")
    assert night["wait_s"] == pytest.approx((0.8 * 30 + 0.2 * NIGHT_BA) * 60.0)


def test_fallback_never_beats_the_open_wait(tiny_region):
    """A fallback faster than the boat still waits at least the route's normal open wait."""
    g = build_graph(_with_fallback(tiny_region, wait_min=5.0, availability=1.0))
    assert _ferry(close_ferry(g, "FR1"), "ab")["wait_s"] == pytest.approx(DAY_AB * 60.0)
    late = _ferry(at_clock(g, "17:01"), "ab")  # no boat left: typical daytime wait at least
    assert late["wait_s"] == pytest.approx(DAY_AB * 60.0)
    assert late["reopen_wait_s"] == pytest.approx(839 * 60.0)
    slow = build_graph(_with_fallback(tiny_region, wait_min=2000.0, availability=0.5))
    assert _ferry(close_ferry(slow, "FR1"), "ab")["wait_s"] == pytest.approx((720 + DAY_AB) * 60)


def test_fallback_survives_modifiers_without_the_region(tiny_region):
    """The fallback is kept on the graph, so later modifiers still apply it."""
    g = build_graph(_with_fallback(tiny_region, wait_min=30.0, availability=1.0))
    g = set_headway(close_ferry(g, "FR1", hours=24), "FR1", 20)
    g = dataclasses.replace(g, region=tiny_region)  # the region no longer has it
    d = _ferry(at_clock(g, "12:00"), "ab")
    assert d["wait_s"] == pytest.approx(30 * 60.0) and d["fallback"] == "ambulance boat"


def test_emergency_zeroes_the_open_wait_only(tiny_region):
    """In emergency mode the running boat does not wait, a closed one still waits H*30 min."""
    e = emergency_mode(build_graph(tiny_region))
    assert _ferry(e, "ab")["wait_s"] == 0.0
    assert _ferry(close_ferry(e, "FR1", hours=6), "ab")["wait_s"] == pytest.approx(3 * 3600.0)
    assert _ferry(at_night(e), "ab")["wait_s"] == pytest.approx(NIGHT_AB * 60.0)


def test_drop_closed_removes_only_reopening_edges(tiny_region):
    """drop_closed leaves the open ferries and every other edge, and stays through modifiers."""
    g = build_graph(tiny_region)
    assert drop_closed(g).G.number_of_edges() == g.G.number_of_edges()
    closed = close_ferry(g, "FR1")
    now = drop_closed(closed)
    assert closed.G.number_of_edges() - now.G.number_of_edges() == 2
    assert not any(c for _, _, c in now.G.edges(data="closed", default=False))
    assert set(reachability(now).index) == {"zone:Z2", "facility:T2"}
    assert set(reachability(at_night(now)).index) == {"zone:Z2", "facility:T2"}
    reopened = set_headway(drop_closed(at_night(g)), "FR1", 30)
    assert set(reachability(reopened).index) == {"zone:Z2", "facility:T2"}
    day = drop_closed(at_clock(g, "17:01"))  # B's 17:00 boat has gone, A's too
    assert set(reachability(day).index) == {"zone:Z2", "facility:T2"}
    assert reachability(drop_closed(at_clock(g, "16:45"))).empty


def test_matrix_at_clocks_after_drop_closed(tiny_region):
    """travel_times_at_clocks keeps a dropped graph without reopening edges at every clock."""
    now = drop_closed(build_graph(tiny_region))
    got = travel_times_at_clocks(now, ["zone:Z2"], ["facility:H1"], ["12:00", "17:01"])
    assert np.isfinite(got["12:00"].seconds[0, 0]) and np.isinf(got["17:01"].seconds[0, 0])
    want = travel_times(at_clock(now, "17:01"), ["zone:Z2"], ["facility:H1"])
    np.testing.assert_array_equal(got["17:01"].seconds, want.seconds)


def test_new_options_are_checked():
    """closure_hours must be finite and > 0, the night bounds clock times; all listed at once."""
    assert GraphOptions().closure_hours == 24.0
    assert (GraphOptions().night_start, GraphOptions().night_end) == ("22:00", "06:00")
    with pytest.raises(DataError, match="closure_hours") as err:
        GraphOptions.from_dict({"closure_hours": 0, "night_start": "10pm", "night_end": "25:00"})
    assert {p.field for p in err.value.problems} == {"closure_hours", "night_start", "night_end"}
    with pytest.raises(DataError, match="closure_hours"):
        GraphOptions(closure_hours=math.inf)
    assert GraphOptions.from_dict(GraphOptions(night_end="5:30").to_dict()).night_end == "05:30"


def test_closed_link_waits_for_the_bridge_to_reopen(tiny_region):
    """A bridge closed for H hours keeps its edges at its time + H*30 min; drop_closed cuts."""
    g = close_ferry(build_graph(tiny_region), "FR1", hours=200)  # the ferry is no way out
    bridged = add_link(g, (121.8595, 29.43), (121.9005, 29.43), travel_min=6, name="bridge")
    before = _snapshot_links(bridged)
    closed = close_link(bridged, "bridge", hours=10)
    assert _snapshot_links(bridged) == before  # input untouched
    t_open = travel_times(bridged, ["zone:Z2"], ["facility:H1"]).seconds[0, 0]
    t_closed = travel_times(closed, ["zone:Z2"], ["facility:H1"]).seconds[0, 0]
    assert t_closed - t_open == pytest.approx(5 * 3600.0)
    edges = [d for _, _, d in closed.G.edges(data=True) if d.get("link") == "bridge"]
    assert len(edges) == 2
    for d in edges:
        assert d["closed"] is True and d["closed_by"] == "closure" and d["closed_hours"] == 10
        assert d["travel_time_s"] == pytest.approx(360.0 + 5 * 3600.0)
        assert d["wait_s"] == d["reopen_wait_s"] == pytest.approx(5 * 3600.0)
    assert closed.G.graph["closed_links"] == {"bridge": 10.0}
    again = close_link(closed, "bridge", hours=2)  # hours replaced, not added
    assert travel_times(again, ["zone:Z2"], ["facility:H1"]).seconds[0, 0] - t_open == (
        pytest.approx(3600.0)
    )
    assert set(reachability(drop_closed(closed)).index) == {"zone:Z2", "facility:T2"}
    assert set(reachability(close_link(drop_closed(bridged), "bridge")).index) == {
        "zone:Z2",
        "facility:T2",
    }
    with pytest.raises(DataError, match="no such link.*bridge"):
        close_link(bridged, "L9")


def test_closed_link_in_emergency_mode_keeps_its_wait(tiny_region):
    """Emergency speeds shorten the bridge's driving time, never the wait for it to reopen."""
    g = add_link(build_graph(tiny_region), (121.8595, 29.43), (121.9005, 29.43), travel_min=6)
    for e in (
        emergency_mode(close_link(g, "new link", hours=4), speed_factor=2.0),
        close_link(emergency_mode(g, speed_factor=2.0), "new link", hours=4),
    ):
        (d, _) = [d for _, _, d in e.G.edges(data=True) if d.get("link") == "new link"]
        assert d["travel_time_s"] == pytest.approx(180.0 + 2 * 3600.0)


def test_closed_link_with_fallback(tiny_region):
    """A closed bridge with a fallback waits a*min(f, W) + (1-a)*W, W = H*30 min."""
    g = build_graph(_with_fallback(tiny_region, wait_min=30.0, availability=0.5))
    g = add_link(g, (121.8595, 29.43), (121.9005, 29.43), travel_min=6)
    (d, _) = [
        d for _, _, d in close_link(g, "new link", hours=24).G.edges(data=True) if d.get("link")
    ]
    assert d["wait_s"] == pytest.approx((0.5 * 30 + 0.5 * 720) * 60.0)
    assert d["fallback"] == "ambulance boat"


def _snapshot_links(g):
    return sorted(
        (str(u), str(v), tuple(sorted(d.items())))
        for u, v, d in g.G.edges(data=True)
        if d.get("link")
    )


def test_scenario_closure_hours_reach_close_ferry(tiny_region):
    """[modifiers] closure_hours is checked, round-trips and sets the hours of close_ferries."""
    mods = Modifiers.from_dict({"close_ferries": ["FR1"], "closure_hours": 6})
    assert mods.closure_hours == 6.0 and Modifiers.from_dict(mods.to_dict()) == mods
    assert "closure_hours" not in Modifiers().to_dict()
    g = build_graph(tiny_region)
    got = _ferry(apply_modifiers(g, mods), "ab")["wait_s"]
    assert got == pytest.approx((180 + DAY_AB) * 60.0)
    default = _ferry(apply_modifiers(g, Modifiers(close_ferries=("FR1",))), "ab")["wait_s"]
    assert default == pytest.approx((720 + DAY_AB) * 60.0)
    with pytest.raises(DataError, match=r"closure_hours.*hours > 0") as err:
        Modifiers.from_dict({"closure_hours": 0, "close_ferries": ["FR1"]})
    assert len(err.value.problems) == 1
    with pytest.raises(DataError, match="closure_hours"):
        Modifiers(closure_hours=float("inf"))
