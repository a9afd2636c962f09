"""route(): the fastest path as a line and its road / ferry legs."""

import numpy as np
import pytest

from netopt import NetoptError
from netopt.graph import build_graph, close_ferry, route, travel_times


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


def test_no_route_is_an_error(tiny_region):
    """Without the ferry the island has no route to the mainland."""
    g = close_ferry(build_graph(tiny_region), "FR1")
    with pytest.raises(NetoptError, match="no route from zone:Z2 to facility:H1"):
        route(g, "zone:Z2", "facility:H1")
