"""path_sums / sums_along: road km and ferry crossings along the fastest paths vs networkx."""

import itertools

import networkx as nx
import numpy as np
import pytest

from netopt import DataError
from netopt.graph import build_graph, close_ferry, path_sums, travel_times
from netopt.graph.along import EDGE_MEASURES, csr_with_values, sums_along


@pytest.fixture(scope="module")
def synthetic_graph(_synthetic_region_cached):
    """The synthetic region's travel graph."""
    return build_graph(_synthetic_region_cached)


def _path_sums(G, nodes, measures):
    """Sums of the measures along a node path (of parallel edges the fastest)."""
    steps = [
        min(G[p][q].values(), key=lambda d: d["travel_time_s"])
        for p, q in itertools.pairwise(nodes)
    ]
    return {m: sum(EDGE_MEASURES[m](d) for d in steps) for m in measures}


def _nx_sums(G, a, b, measures):
    """Sums of the measures along networkx's fastest path from a to b."""
    return _path_sums(G, nx.dijkstra_path(G, a, b, weight="travel_time_s"), measures)


@pytest.mark.parametrize(
    ("origins", "destinations"), [("zones", "facilities"), ("facilities", "zones")]
)
def test_sums_equal_networkx_on_the_synthetic_region(synthetic_graph, origins, destinations):
    """Road km, ferry km and crossings equal the sums along networkx's fastest paths, both
    ways of running (from the sources and, on the transposed graph, from the targets)."""
    g = synthetic_graph
    measures = ("road_km", "ferry_km", "ferry_crossings")
    ps = path_sums(g, origins, destinations, measures=measures)
    kind = {"zones": "zone", "facilities": "facility"}
    okeys, dkeys = g.point_keys(kind[origins]), g.point_keys(kind[destinations])
    assert ps.road_km.shape == (len(okeys), len(dkeys))
    for i, a in enumerate(okeys):
        _, paths = nx.single_source_dijkstra(g.G, g.points.at[a, "node"], weight="travel_time_s")
        for j, b in enumerate(dkeys):
            want = _path_sums(g.G, paths[g.points.at[b, "node"]], measures)
            for m in measures:
                assert ps[m][i, j] == pytest.approx(want[m], rel=1e-9, abs=1e-9), (a, b, m)
    assert ps.ferry_crossings.max() >= 1  # the island zones cross
    tt = travel_times(g, origins, destinations)
    np.testing.assert_allclose(ps.seconds, tt.seconds, rtol=1e-12)
    assert ps.origins == tt.origins and ps.destinations == tt.destinations


def test_island_trip_crosses_once(tiny_region):
    """From the tiny island to the mainland hospital: one crossing, its km on the ferry."""
    g = build_graph(tiny_region)
    ps = path_sums(g, ["zone:Z2", "zone:Z1"], ["facility:H1"], measures=tuple(EDGE_MEASURES))
    frame = ps.to_frame("ferry_crossings")
    assert frame.loc["Z2", "H1"] == 1.0 and frame.loc["Z1", "H1"] == 0.0
    assert ps["ferry_km"][0, 0] > 3.0 and ps["ferry_km"][1, 0] == 0.0
    assert ps.road_km[1, 0] > 0.0


def test_a_closed_ferry_is_still_a_crossing(tiny_region):
    """A crossing taken with its reopening wait still counts as a crossing."""
    g = close_ferry(build_graph(tiny_region), "FR1", hours=6)
    ps = path_sums(g, ["zone:Z2"], ["facility:H1"])
    assert ps.ferry_crossings[0, 0] == 1.0


def _random_graph(seed, n=50, m=160):
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n + 2))  # two isolated nodes: unreachable
    for a, b in zip(rng.integers(0, n, m).tolist(), rng.integers(0, n, m).tolist()):
        w = float(rng.uniform(1, 100))
        G.add_edge(a, b, travel_time_s=w, length_m=float(rng.uniform(10, 5000)), mode="road")
        if rng.random() < 0.3:  # a slower or faster parallel edge of another mode
            G.add_edge(a, b, travel_time_s=w * rng.uniform(0.5, 1.5),
                       length_m=float(rng.uniform(10, 5000)), mode="ferry")  # fmt: skip
    return G


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("chunk_mb", [256.0, 1e-4])
def test_sums_along_equals_networkx_on_random_multigraphs(seed, chunk_mb):
    """Random directed multigraphs (parallel edges of different modes, unreachable nodes):
    equal to networkx, NaN where unreachable, in one chunk or one row at a time."""
    G = _random_graph(seed)
    measures = {m: EDGE_MEASURES[m] for m in ("road_km", "ferry_crossings")}
    matrix, values, _ = csr_with_values(G, measures)
    rng = np.random.default_rng(seed)
    src = np.r_[rng.choice(50, 6, replace=False), 51]
    for dst in (np.r_[rng.choice(50, 9, replace=False), 50], np.array([3, 50])):
        dist, sums = sums_along(matrix, values, src, dst, chunk_mb=chunk_mb)
        for i, a in enumerate(src):
            lengths = nx.single_source_dijkstra_path_length(G, int(a), weight="travel_time_s")
            for j, b in enumerate(dst):
                if int(b) not in lengths:
                    assert np.isinf(dist[i, j]) and np.isnan(sums["road_km"][i, j])
                    continue
                assert dist[i, j] == pytest.approx(lengths[int(b)])
                want = _nx_sums(G, int(a), int(b), measures)
                for m in measures:
                    assert sums[m][i, j] == pytest.approx(want[m], rel=1e-9, abs=1e-12)


def test_custom_measure_and_unknown_measure(tiny_region):
    """A measure may be a function of the edge attributes; an unknown name is a DataError."""
    g = build_graph(tiny_region)
    ps = path_sums(
        g, "zones", "facilities", measures={"minutes": lambda d: d["travel_time_s"] / 60}
    )
    np.testing.assert_allclose(ps["minutes"], ps.seconds / 60, rtol=1e-9)
    with pytest.raises(DataError, match="unknown measure"):
        path_sums(g, measures=("road_miles",))
    with pytest.raises(DataError, match="not a point of the graph"):
        path_sums(g, ["zone:nowhere"], "facilities")


def test_named_sums_are_kept_with_the_graph(synthetic_graph):
    """The same call returns the kept result (read-only); a modified graph gets its own;
    a custom measure is computed afresh."""
    from netopt import graph as g

    a = g.path_sums(synthetic_graph, "zones", "facilities")
    b = g.path_sums(synthetic_graph, "zones", "facilities")
    assert a is b and not a.road_km.flags.writeable
    closed = g.close_ferry(synthetic_graph, "F1")
    c = g.path_sums(closed, "zones", "facilities")
    assert c is not a
    custom = {"one": lambda d: 1.0}
    assert g.path_sums(synthetic_graph, "zones", "facilities", measures=custom) is not (
        g.path_sums(synthetic_graph, "zones", "facilities", measures=custom)
    )
