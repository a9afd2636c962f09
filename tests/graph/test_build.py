"""build_graph: roads, land surface, links, connectors, snapping limits."""

import networkx as nx
import numpy as np
import pytest
import shapely

from netopt import DataError
from netopt.graph import GraphOptions, build_graph, validate_graph
from netopt.graph.build import road_edges


def _road_edges(G):
    return [
        (u, v, d)
        for u, v, d in G.edges(data=True)
        if d["mode"] == "road" and not d.get("surface") and "link" not in d
    ]


def test_graph_follows_the_contract(tiny_region):
    """The graph is a projected MultiDiGraph whose nodes and edges carry the contract fields."""
    g = build_graph(tiny_region)
    validate_graph(g.G)
    assert g.G.graph["crs"] == "EPSG:32651"
    assert {m for _, _, m in g.G.edges(data="mode")} == {"road", "ferry", "connector"}
    assert list(g.points.columns) == [
        "kind",
        "id",
        "node",
        "road_node",
        "snap_m",
        "component",
        "island",
    ]
    assert g.points.loc["zone:Z2", "island"] == "Little Island"
    assert g.points.loc["facility:H1", "island"] == "mainland"


def test_road_speed_from_maxspeed_or_class_default(tiny_region):
    """Tagged roads use maxspeed_kmh; untagged ones the class default of GraphOptions."""
    roads = tiny_region.to_metric("roads")
    opts = GraphOptions.from_dict({"road_speeds_kmh": {"primary": 72}})
    xy, u, v, t, length = road_edges(roads, opts)
    speed = length / t * 3.6
    y = xy[:, 1]
    horizontal = np.isclose(y[u], y[v])  # R1 and R3 pieces; R1 is the long east-west one
    east_west = horizontal & (np.abs(xy[u, 0] - xy[v, 0]) > 2000)
    assert np.allclose(speed[east_west], 72.0)
    vertical = np.isclose(xy[u, 0], xy[v, 0])
    assert np.allclose(speed[vertical], 40.0)  # R2 tagged maxspeed 40


def test_lines_split_at_vertices_and_join_at_shared_points(tiny_region):
    """R1 and R2 share their middle vertex: the crossing is one node of degree 4 each way."""
    roads = tiny_region.to_metric("roads")
    _xy, u, v, _t, _length = road_edges(roads, GraphOptions())
    G = nx.MultiDiGraph()
    G.add_edges_from(zip(u.tolist(), v.tolist()))
    degrees = sorted(G.out_degree(n) for n in G)
    assert degrees.count(4) == 1  # the crossing
    # 2 + 2 + 1 segments; R1 and R2 both ways, R3 one way
    assert len(u) == 2 * 2 + 2 * 2 + 1


def test_oneway_is_respected(tiny_region):
    """The one-way road R3 has an edge only from its first vertex to its last."""
    g = build_graph(tiny_region, surface="never", max_snap_m=10_000)
    G = g.G
    first = [n for n, d in G.nodes(data=True) if "point" not in d]
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in first])
    pts = tiny_region.roads.loc[["R3"]].to_crs(G.graph["crs"]).geometry.iloc[0]
    a, b = np.array(pts.coords[0]), np.array(pts.coords[-1])
    na = first[int(np.argmin(np.hypot(*(xy - a).T)))]
    nb = first[int(np.argmin(np.hypot(*(xy - b).T)))]
    assert G.has_edge(na, nb) and not G.has_edge(nb, na)


def test_no_roads_uses_land_surface_only(region_factory):
    """Without roads the lattice carries all travel, at surface speed with the detour factor."""
    region = region_factory(roads=None)
    g = build_graph(region, detour_factor=1.5, surface_speed_kmh=36)
    surf = [d for _, _, d in g.G.edges(data=True) if d["mode"] == "road"]
    assert surf and all(d["surface"] for d in surf)
    d = surf[0]
    assert d["travel_time_s"] == pytest.approx(d["length_m"] * 1.5 / 10.0)
    tt = g.points.loc["zone:Z1"]
    assert tt["snap_m"] < 300  # H3 res 9 centres are ~350 m apart


def test_surface_never_crosses_water(region_factory):
    """Two land blocks 150 m apart across a strait are not joined by the lattice."""
    west = shapely.box(121.80, 29.40, 121.84, 29.44)
    east = shapely.box(121.8415, 29.40, 121.88, 29.44)
    region = region_factory(
        roads=None,
        land=[west, east],
        ferries=[],
        facilities=[
            {
                "id": "H1",
                "name": "H",
                "tier": "county",
                "can_lead": True,
                "geometry": shapely.Point(121.82, 29.42),
            }
        ],
        zones=[
            {
                "id": "E",
                "population": 1.0,
                "island": True,
                "island_name": "East",
                "geometry": shapely.Point(121.86, 29.42),
            }
        ],
    )
    g = build_graph(region)
    assert g.points.loc["zone:E", "component"] != g.points.loc["facility:H1", "component"]
    assert g.points.loc["zone:E", "island"] == "East"
    # and the same blocks as one polygon are joined
    joined = region_factory(
        roads=None,
        land=[west.union(east).envelope],
        ferries=[],
        facilities=region.facilities.reset_index().to_dict("records"),
        zones=region.zones.reset_index().to_dict("records"),
    )
    g2 = build_graph(joined)
    assert g2.points["component"].nunique() == 1


def n_surface(g):
    return sum(1 for _, _, s in g.G.edges(data="surface") if s)


def test_surface_fills_only_the_gaps_between_roads(tiny_region):
    """With roads, lattice cells near a road are dropped; the island is all surface."""
    full = build_graph(tiny_region, surface="always")
    auto = build_graph(tiny_region)
    assert 0 < n_surface(auto) < n_surface(full)
    none = build_graph(tiny_region, surface="never", max_snap_m=10_000)
    assert n_surface(none) == 0


def test_link_is_an_edge_with_its_sourced_time(region_factory):
    """A bridge joins the island by an edge with travel_min; without it, length at link speed."""
    bridge = {
        "id": "B1",
        "name": "Bridge",
        "kind": "bridge",
        "travel_min": 7.0,
        "length_m": np.nan,
        "source": "test",
        "estimated": False,
        "geometry": shapely.LineString([(121.8595, 29.43), (121.9005, 29.43)]),
    }
    g = build_graph(region_factory(links=[bridge], ferries=[]))
    e = [d for _, _, d in g.G.edges(data=True) if d.get("link") == "B1"]
    assert len(e) == 2 and all(d["travel_time_s"] == 420.0 for d in e)
    assert g.points["component"].nunique() == 1
    unsourced = dict(bridge, travel_min=np.nan)
    g2 = build_graph(region_factory(links=[unsourced], ferries=[]), link_speed_kmh=36)
    d = next(d for _, _, d in g2.G.edges(data=True) if d.get("link") == "B1")
    assert d["travel_time_s"] == pytest.approx(d["length_m"] / 10.0)
    assert 3900 < d["length_m"] < 4000


def test_connectors_keep_snap_distance(tiny_region):
    """Each point joins its nearest node both ways at the access speed over the snap distance."""
    g = build_graph(tiny_region, access_speed_kmh=18)
    for key, row in g.points.iterrows():
        out = g.G.get_edge_data(key, row["road_node"])
        back = g.G.get_edge_data(row["road_node"], key)
        assert out and back
        d = out[0]
        assert d["mode"] == "connector"
        assert d["length_m"] == row["snap_m"]
        assert d["travel_time_s"] == pytest.approx(row["snap_m"] / 5.0)


def test_points_too_far_from_the_network_are_named(region_factory, tiny_region):
    """A zone at sea and a facility far off are one DataError naming both records."""
    zones = tiny_region.zones.reset_index().to_dict("records")
    zones.append(
        {"id": "SEA", "population": 10.0, "island": False, "geometry": shapely.Point(121.88, 29.50)}
    )
    fac = tiny_region.facilities.reset_index().to_dict("records")
    fac.append(
        {
            "id": "FAR",
            "name": "far",
            "tier": "village",
            "can_lead": False,
            "geometry": shapely.Point(122.2, 29.9),
        }
    )
    with pytest.raises(DataError, match=r"zones, record SEA.*km from the nearest") as err:
        build_graph(region_factory(zones=zones, facilities=fac))
    text = str(err.value)
    assert "facilities, record FAR" in text
    assert len(err.value.problems) == 2


def test_region_without_roads_or_land_is_an_error(region_factory):
    """No roads and no land polygons cannot be turned into a graph."""
    with pytest.raises(DataError, match="no roads and no land surface"):
        build_graph(region_factory(roads=None, land=[]))


def test_geographic_metric_crs_is_rejected(tiny_region):
    """Distances are never measured in degrees."""
    import dataclasses

    bad = dataclasses.replace(tiny_region, metric_crs="EPSG:4326")
    with pytest.raises(DataError, match="not projected"):
        build_graph(bad)
