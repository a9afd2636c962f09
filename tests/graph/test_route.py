"""route(): the fastest path as a line and its road / ferry legs."""

import numpy as np
import pytest

from netopt import NetoptError
from netopt.graph import build_graph, close_ferry, drop_closed, route, travel_times


def test_route_legs_sum_to_the_matrix_time(tiny_region):
    """The island-to-hospital route goes connector, road, ferry, road, connector and sums up."""
    g = build_graph(tiny_region)
    r = route(g, "zone:Z2", "facility:H1")
    assert r.legs["mode"].tolist() == ["connector", "road", "ferry", "road", "connector"]
    assert r.legs.loc[2, "route"] == "FR1"
    t = travel_times(g, ["zone:Z2"], ["facility:H1"]).seconds[0, 0]
    assert r.seconds == pytest.approx(t)
    assert r.legs["seconds"].sum() == pytest.approx(t)
    assert r.legs.crs.to_epsg() == 4326
    start, end = np.array(r.geometry.coords[0]), np.array(r.geometry.coords[-1])
    z2 = tiny_region.zone_points().loc["Z2"]
    assert np.allclose(start, (z2.x, z2.y), atol=1e-6)
    assert np.allclose(end, (121.8305, 29.4305), atol=1e-6)


def test_route_over_a_closed_ferry_is_marked_closed(tiny_region):
    """A route across a closed ferry takes it with the wait and marks that leg closed."""
    g = build_graph(tiny_region)
    closed = close_ferry(g, "FR1", hours=6)
    r = route(closed, "zone:Z2", "facility:H1")
    assert r.legs["closed"].tolist() == [False, False, True, False, False]
    assert r.seconds - route(g, "zone:Z2", "facility:H1").seconds == pytest.approx(3 * 3600.0)


def test_no_route_is_an_error(tiny_region):
    """Without the ferry (reopening edges dropped) the island has no route to the mainland."""
    g = drop_closed(close_ferry(build_graph(tiny_region), "FR1"))
    with pytest.raises(NetoptError, match="no route from zone:Z2 to facility:H1"):
        route(g, "zone:Z2", "facility:H1")
