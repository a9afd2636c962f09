"""Ferry waits: headways, timetables, service hours, closures."""

import math

import numpy as np
import pytest

from netopt import DataError
from netopt.graph import (
    at_clock,
    build_graph,
    check_reachable,
    close_ferry,
    drop_closed,
    ferry_wait_min,
    reachability,
    travel_times,
)

TIMETABLE = ("07:00", "09:00", "12:00", "16:30")


@pytest.mark.parametrize(
    ("clock", "wait"),
    [
        ("06:00", 60.0),
        ("07:00", 0.0),
        ("07:01", 119.0),
        ("10:30", 90.0),
        ("16:30", 0.0),
        ("16:31", None),
        ("23:00", None),
    ],
)
def test_timetable_wait_until_next_departure(clock, wait):
    """With a timetable the wait is the minutes to the next departure; none after the last."""
    got = ferry_wait_min(
        departures=TIMETABLE, service_start="06:00", service_end="18:00", clock=clock
    )
    assert got == wait


def test_typical_daytime_wait_is_half_the_mean_gap():
    """Without a clock: half the headway, or half the mean gap of the timetable."""
    assert ferry_wait_min(headway_min=30.0) == 15.0
    assert ferry_wait_min(departures=TIMETABLE) == pytest.approx((570 / 3) / 2)
    # a departure outside service hours does not count
    assert (
        ferry_wait_min(
            departures=("05:00", "08:00", "10:00"), service_start="06:00", service_end="18:00"
        )
        == 60.0
    )


def test_headway_route_respects_service_hours():
    """A headway-only route waits for service start, half a headway inside, none after."""
    kw = {"headway_min": 40.0, "service_start": "06:30", "service_end": "18:00"}
    assert ferry_wait_min(clock="06:00", **kw) == 30.0
    assert ferry_wait_min(clock="12:00", **kw) == 20.0
    assert ferry_wait_min(clock="18:01", **kw) is None
    assert ferry_wait_min(headway_min=math.nan) is None


def test_ferry_edge_carries_wait_crossing_boarding(tiny_region):
    """A ferry edge's time is crossing + wait (to the next departure from that port) + boarding."""
    g = build_graph(tiny_region, depart_at="08:15")
    edges = {d["wait_s"]: d for _, _, d in g.G.edges(data=True) if d["mode"] == "ferry"}
    # A->B next departure 09:00 (45 min), B->A next 10:00 (105 min)
    assert sorted(edges) == [45 * 60.0, 105 * 60.0]
    for d in edges.values():
        assert d["route"] == "FR1"
        assert d["travel_time_s"] == d["wait_s"] + 20 * 60.0 + 10 * 60.0
        assert d["crossing_s"] == 1200.0 and d["boarding_s"] == 600.0


def test_travel_time_changes_with_clock(tiny_region):
    """The island's time follows the clock; after the last boat it waits for the morning one."""
    early = build_graph(tiny_region, depart_at="09:50")
    later = at_clock(early, "09:55")
    t1 = travel_times(early, ["zone:Z2"], ["facility:H1"]).seconds[0, 0]
    t2 = travel_times(later, ["zone:Z2"], ["facility:H1"]).seconds[0, 0]
    assert t2 - t1 == pytest.approx(-5 * 60.0)  # next B->A boat at 10:00 either way
    after_last = at_clock(early, "17:01")
    t3 = travel_times(after_last, ["zone:Z2"], ["facility:H1"])
    # B->A: 09:50 waits 10 min for the 10:00 boat; 17:01 waits until 07:40 tomorrow (879 min)
    assert t3.seconds[0, 0] - t1 == pytest.approx((879 - 10) * 60.0)
    assert t3.unreachable.empty
    now = travel_times(drop_closed(after_last), ["zone:Z2"], ["facility:H1"])
    assert np.isinf(now.seconds[0, 0])
    assert now.unreachable[["origin", "destination"]].values.tolist() == [["Z2", "H1"]]


def test_closing_the_only_ferry_keeps_the_island_with_the_wait(tiny_region):
    """A closed only ferry keeps the island finite (+H*30 min); drop_closed cuts it off by name."""
    g = build_graph(tiny_region)
    closed = close_ferry(g, "FR1", hours=24)
    assert reachability(closed).empty
    open_t = travel_times(g, "zones", "facilities").to_frame()
    closed_t = travel_times(closed, "zones", "facilities").to_frame()
    assert np.isfinite(closed_t.to_numpy()).all()
    assert closed_t.loc["Z2", "H1"] - open_t.loc["Z2", "H1"] == pytest.approx(12 * 3600.0)
    assert closed_t.loc["Z1", "H1"] == open_t.loc["Z1", "H1"]  # no ferry on the way
    now = drop_closed(closed)
    cut = reachability(now)
    assert set(cut.index) == {"zone:Z2", "facility:T2"}
    assert set(cut["island"]) == {"Little Island"}
    with pytest.raises(DataError, match=r"zones, record Z2.*Little Island") as err:
        check_reachable(now)
    assert len(err.value.problems) == 2
    tt = travel_times(now, "zones", "facilities")
    pairs = set(map(tuple, tt.unreachable[["origin", "destination"]].values.tolist()))
    assert pairs == {("Z2", "H1"), ("Z2", "T1"), ("Z1", "T2"), ("Z3", "T2")}
    assert np.isinf(tt.to_frame().loc["Z2", "H1"])
    assert np.isfinite(tt.to_frame().loc["Z2", "T2"])


def test_direction_without_schedule_is_an_error(region_factory, tiny_region):
    """A ferry with a timetable one way and nothing the other way is a DataError naming it."""
    row = tiny_region.ferries.reset_index().iloc[0].to_dict()
    row["departures_ba"] = ()
    with pytest.raises(DataError, match="FR1.*departures_ba"):
        build_graph(region_factory(ferries=[row]))
