"""The travel graph of the shared synthetic region (roads, land surface, ferry, bridge)."""

import numpy as np
import pytest

from netopt.graph import (
    at_clock,
    build_graph,
    close_ferry,
    drop_closed,
    reachability,
    route,
    travel_times,
    validate_graph,
)


@pytest.fixture(scope="module")
def graph(_synthetic_region_cached):
    """The synthetic region's graph at typical daytime (built once for this module)."""
    return build_graph(_synthetic_region_cached)


def test_synthetic_graph_is_valid_and_labels_islands(graph):
    """All modes are present and the island zones carry their island names."""
    validate_graph(graph.G)
    modes = {m for _, _, m in graph.G.edges(data="mode")}
    assert modes == {"road", "ferry", "connector"}
    assert any(d.get("link") == "L1" for _, _, d in graph.G.edges(data=True))
    z = graph.points[graph.points["kind"] == "zone"].set_index("id")
    assert set(z.loc[["Z08", "Z09", "Z10"], "island"]) == {"Beiyu Island"}
    assert set(z.loc[["Z11", "Z12"], "island"]) == {"Xiaoyu Island"}
    assert z.loc["Z01", "island"] == "mainland"
    # Xiaoyu is bridged to Beiyu: one land component, separate from the mainland
    assert z.loc["Z11", "component"] == z.loc["Z08", "component"] != z.loc["Z01", "component"]


def test_everyone_reaches_a_lead_by_day(graph):
    """With the ferry running every zone has a finite time to the county hospital."""
    assert reachability(graph).empty
    tt = travel_times(graph, "zones", ["facility:C1"])
    assert np.isfinite(tt.seconds).all()
    # the islanders' trip includes the 25 min crossing plus boarding
    beiyu = tt.to_frame().loc[["Z08", "Z09", "Z10"], "C1"]
    assert (beiyu > (25 + 10) * 60).all()


def test_storm_day_and_evening_cut_off_both_islands(graph):
    """Closing F1 (or after the last sailing) cuts off Beiyu and Xiaoyu now, by name, and
    leaves them a finite time that waits for the ferry to run again."""
    day = travel_times(graph, "zones", ["facility:C1"]).to_frame()["C1"]
    islands = ["Z08", "Z09", "Z10", "Z11", "Z12"]
    for g in (close_ferry(graph, "F1"), at_clock(graph, "23:00")):
        assert reachability(g).empty
        cut = reachability(drop_closed(g))
        zones = set(cut.loc[cut["kind"] == "zone", "id"])
        assert zones == set(islands)
        assert set(cut.loc[cut["kind"] == "zone", "island"]) == {"Beiyu Island", "Xiaoyu Island"}
        later = travel_times(g, "zones", ["facility:C1"]).to_frame()["C1"]
        assert np.isfinite(later).all()
        assert (later[islands] - day[islands] > 6 * 3600).all()
        assert (later.drop(islands) == day.drop(islands)).all()


def test_route_from_xiaoyu_uses_bridge_and_ferry(graph):
    """The route from Xiaoyu to the county hospital crosses the bridge and takes the ferry."""
    r = route(graph, "zone:Z11", "facility:C1")
    assert "ferry" in r.legs["mode"].tolist()
    assert "L1" in r.legs["link"].dropna().tolist()
    t = travel_times(graph, ["zone:Z11"], ["facility:C1"]).seconds[0, 0]
    assert r.seconds == pytest.approx(t)
