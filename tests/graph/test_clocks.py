"""travel_times_at_clocks equals travel_times(at_clock(graph, clock)) for every clock."""

import numpy as np
import pandas as pd
import pytest

from netopt import DataError
from netopt.graph import (
    at_clock,
    at_night,
    build_graph,
    close_ferry,
    drop_closed,
    emergency_mode,
    set_headway,
    travel_times,
    travel_times_at_clocks,
)

# before service, first departures, midday, between the last departures of the two
# directions, after the last departure, late night, and the typical-daytime waits
SYNTHETIC_CLOCKS = ["05:00", "06:30", "07:10", "12:45", "17:45", "18:10", "23:59", None]
TINY_CLOCKS = ["06:00", "08:15", "16:45", "17:01", "18:30", None]


def _assert_same(graph, clocks, *pairs):
    """Compare every (origins, destinations) pair at every clock; return the first's results."""
    got = [travel_times_at_clocks(graph, o, d, clocks) for o, d in pairs]
    for clock in clocks:
        reference = at_clock(graph, clock)
        for (o, d), by_clock in zip(pairs, got):
            assert list(by_clock) == list(dict.fromkeys(clocks))
            want, tt = travel_times(reference, o, d), by_clock[clock]
            np.testing.assert_array_equal(tt.seconds, want.seconds, err_msg=f"{clock} {o} {d}")
            assert tt.origins == want.origins and tt.destinations == want.destinations
            pd.testing.assert_frame_equal(tt.unreachable, want.unreachable)
    return got[0]


@pytest.fixture(scope="module")
def synthetic_graph(_synthetic_region_cached):
    """The synthetic region's graph (timetabled Shipu-Beiyu ferry)."""
    return build_graph(_synthetic_region_cached)


def test_synthetic_region_equals_at_clock(synthetic_graph):
    """On the synthetic region every clock's matrix is bit-identical (both Dijkstra sides)."""
    got = _assert_same(
        synthetic_graph, SYNTHETIC_CLOCKS, ("zones", "facilities"), ("facilities", "zones")
    )
    # the clocks matter: after the last boat the island waits for the morning, still finite
    for clock in SYNTHETIC_CLOCKS:
        assert np.isfinite(got[clock].seconds).all() and got[clock].unreachable.empty
    assert (got["23:59"].seconds <= got["18:10"].seconds).all()
    assert (got["23:59"].seconds < got["18:10"].seconds).any()
    assert not np.array_equal(got["06:30"].seconds, got["12:45"].seconds)


@pytest.mark.parametrize(
    "modify",
    [
        lambda g: g,
        lambda g: emergency_mode(g),
        lambda g: at_night(g),
        lambda g: close_ferry(g, "FR1"),
        lambda g: set_headway(g, "FR1", 45),
        lambda g: drop_closed(g),
        lambda g: close_ferry(emergency_mode(g), "FR1", hours=5),
    ],
    ids=["timetable", "emergency", "night-cleared", "closed", "headway", "dropped", "em-closed"],
)
def test_timetabled_ferry_equals_at_clock(tiny_region, modify):
    """On the tiny timetabled ferry, and after each modifier, every clock matches at_clock."""
    g = modify(build_graph(tiny_region, depart_at="09:00"))
    pairs = [
        ("zones", "facilities"),
        (["facility:T2", "facility:H1", "facility:T1"], ["zone:Z2", "zone:Z3"]),
    ]
    _assert_same(g, TINY_CLOCKS, *pairs)


def test_after_last_departure_island_waits_for_the_morning(tiny_region):
    """After the last B->A boat (17:00) the island zone waits for the 07:40 boat (879 min)."""
    g = build_graph(tiny_region)
    got = travel_times_at_clocks(g, ["zone:Z2"], ["facility:H1"], ["16:45", "17:01"])
    # 15 min wait for the 17:00 boat + 20 min crossing + 10 min boarding on top of the roads
    assert np.isfinite(got["16:45"].seconds[0, 0]) and got["16:45"].seconds[0, 0] > 45 * 60.0
    extra = got["17:01"].seconds[0, 0] - got["16:45"].seconds[0, 0]
    assert extra == pytest.approx((879 - 15) * 60.0)
    assert got["17:01"].unreachable.empty
    now = travel_times_at_clocks(drop_closed(g), ["zone:Z2"], ["facility:H1"], ["17:01"])
    assert now["17:01"].unreachable[["origin", "destination"]].values.tolist() == [["Z2", "H1"]]


def test_repeated_clock_computed_once_in_given_order(tiny_region):
    """The result is keyed by clock in the given order; a repeated clock appears once."""
    g = build_graph(tiny_region)
    got = travel_times_at_clocks(g, "zones", "facilities", ["12:00", "07:00", "12:00"])
    assert list(got) == ["12:00", "07:00"]
    assert travel_times_at_clocks(g, "zones", "facilities", []) == {}


def test_bad_clock_and_point_are_errors(tiny_region):
    """A malformed clock raises ValueError and an unknown point key DataError, before any work."""
    g = build_graph(tiny_region)
    with pytest.raises(ValueError, match="not 'HH:MM'"):
        travel_times_at_clocks(g, "zones", "facilities", ["08:00", "8h"])
    with pytest.raises(ValueError, match="out of range"):
        travel_times_at_clocks(g, "zones", "facilities", ["25:00"])
    with pytest.raises(DataError, match="zone:NOPE"):
        travel_times_at_clocks(g, ["zone:NOPE"], "facilities", ["08:00"])
