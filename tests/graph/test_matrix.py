"""travel_times / dijkstra_matrix against networkx, caching, cutoffs, processes."""

import networkx as nx
import numpy as np
import pytest

from netopt import DataError
from netopt.graph import build_graph, dijkstra_matrix, graph_to_csr, travel_times
from netopt.graph.matrix import _save_cache


def _random_graph(seed: int, n: int = 60, m: int = 200, dyadic: bool = False) -> nx.MultiDiGraph:
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n + 3))  # the last three are isolated: unreachable pairs
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    w = rng.integers(1, 400, m) / 8.0 if dyadic else rng.uniform(0.5, 100.0, m)
    # parallel edges: the least must win
    for a, b, c in zip(u.tolist(), v.tolist(), w.tolist()):
        G.add_edge(a, b, travel_time_s=c)
        if a == b or c > 50:
            G.add_edge(a, b, travel_time_s=c * 1.5)
    G.add_edge(0, 1, travel_time_s=0.0)  # zero-time edges (connectors at distance 0) count
    return G


def _nx_matrix(G, sources, targets, reverse=False):
    H = G.reverse(copy=False) if reverse else G
    out = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        d = nx.single_source_dijkstra_path_length(H, s, weight="travel_time_s")
        out[i] = [d.get(t, np.inf) for t in targets]
    return out


@pytest.mark.parametrize("seed", range(8))
def test_matrix_equals_networkx_exactly(seed):
    """On random directed multigraphs the CSR Dijkstra equals networkx bit for bit."""
    G = _random_graph(seed)
    csr = graph_to_csr(G)
    nodes = list(G.nodes)
    rng = np.random.default_rng(100 + seed)
    src = rng.choice(len(nodes), 7, replace=False)
    dst = np.r_[rng.choice(len(nodes) - 3, 10, replace=False), len(nodes) - 1]
    got = dijkstra_matrix(csr.matrix, src, dst)
    want = _nx_matrix(G, [nodes[i] for i in src], [nodes[i] for i in dst])
    np.testing.assert_array_equal(got, want)
    assert np.isinf(want[:, -1]).all() and np.isfinite(want).any()


@pytest.mark.parametrize("seed", range(4))
def test_reverse_run_equals_networkx(seed):
    """Running from the targets on the transposed graph gives the same matrix (dyadic weights)."""
    G = _random_graph(seed, dyadic=True)
    csr = graph_to_csr(G)
    rev = csr.matrix.T.tocsr()
    src, dst = np.arange(20), np.arange(30, 33)
    got = dijkstra_matrix(rev, dst, src).T
    np.testing.assert_array_equal(got, _nx_matrix(G, src.tolist(), dst.tolist()))


def test_cutoff_and_chunks_and_float32():
    """limit gives inf beyond it only; small chunks and float32 give the same numbers."""
    G = _random_graph(3, n=300, m=1500)
    csr = graph_to_csr(G)
    full = dijkstra_matrix(csr.matrix, np.arange(40))
    cut = dijkstra_matrix(csr.matrix, np.arange(40), limit=30.0, chunk_mb=0.003)
    np.testing.assert_array_equal(cut[full <= 30.0], full[full <= 30.0])
    assert np.isinf(cut[full > 30.0]).all()
    f32 = dijkstra_matrix(csr.matrix, np.arange(40), dtype=np.float32)
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32, full, rtol=1e-6)


def test_process_pool_gives_the_same_matrix():
    """Splitting sources over 2 processes returns the identical matrix in source order."""
    G = _random_graph(5, n=400, m=2000)
    csr = graph_to_csr(G)
    src = np.arange(0, 400, 7)
    one = dijkstra_matrix(csr.matrix, src, np.arange(50))
    two = dijkstra_matrix(csr.matrix, src, np.arange(50), n_jobs=2)
    np.testing.assert_array_equal(one, two)


def test_travel_times_match_networkx_on_a_region(tiny_region):
    """Zone-to-facility times equal networkx Dijkstra between the point nodes (run reversed)."""
    g = build_graph(tiny_region)
    tt = travel_times(g, "zones", ["facility:H1", "facility:T2"])
    assert tt.origins == ("Z1", "Z2", "Z3") and tt.destinations == ("H1", "T2")
    want = _nx_matrix(g.G, ["zone:Z1", "zone:Z2", "zone:Z3"], ["facility:H1", "facility:T2"])
    np.testing.assert_allclose(tt.seconds, want, rtol=1e-12)
    frame = tt.to_frame()
    assert frame.loc["Z2", "T2"] == tt.seconds[1, 1]
    assert tt.unreachable.empty


def test_max_time_marks_far_pairs(tiny_region):
    """With max_time_s, pairs beyond it are inf and listed with the cutoff as the reason."""
    g = build_graph(tiny_region)
    tt = travel_times(g, "zones", "facilities", max_time_s=3600)
    full = travel_times(g, "zones", "facilities")
    far = full.seconds > 3600
    assert far.any() and np.isinf(tt.seconds[far]).all()
    np.testing.assert_array_equal(tt.seconds[~far], full.seconds[~far])
    assert len(tt.unreachable) == far.sum()
    assert set(tt.unreachable["reason"]) == {"no path within max_time_s"}


def test_cache_is_written_and_read(tiny_region, tmp_path):
    """The second call reads the cached .npz (proved by planting a valid entry with a marker)."""
    g = build_graph(tiny_region)
    first = travel_times(g, "zones", "facilities", cache_dir=tmp_path)
    files = list(tmp_path.glob("travel_times_*.npz"))
    assert len(files) == 1
    planted = first.seconds.copy()
    planted[0, 0] = 12345.0
    _save_cache(files[0], planted)  # a valid entry (with its checksum) holding the marker
    again = travel_times(g, "zones", "facilities", cache_dir=tmp_path)
    assert again.seconds[0, 0] == 12345.0
    other = travel_times(
        build_graph(tiny_region, depart_at="08:00"), "zones", "facilities", cache_dir=tmp_path
    )
    assert other.seconds[0, 0] != 12345.0  # another graph, another key
    assert len(list(tmp_path.glob("travel_times_*.npz"))) == 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_unknown_point_keys_are_listed(tiny_region):
    """Keys that are not points of the graph are a DataError naming each one."""
    g = build_graph(tiny_region)
    with pytest.raises(DataError, match="zone:NOPE") as err:
        travel_times(g, ["zone:NOPE", "Z1"], "facilities")
    assert len(err.value.problems) == 2
    with pytest.raises(ValueError, match="'zones', 'facilities'"):
        travel_times(g, "villages", "facilities")


def _fresh(graph, okeys, dkeys, **kw):
    """The matrix from a fresh export of graph.G (no cache), origins run directly."""
    export = graph_to_csr(graph.G)
    src = [export.index[graph.points.at[k, "node"]] for k in okeys]
    dst = [export.index[graph.points.at[k, "node"]] for k in dkeys]
    return dijkstra_matrix(export.matrix, src, dst, **kw)


def test_csr_export_is_built_once_per_graph(tiny_region, monkeypatch):
    """travel_times and nearest_lead_seconds share one CSR export per graph."""
    from netopt.graph import matrix, nearest_lead_seconds

    g = build_graph(tiny_region)
    calls = []
    real = matrix.graph_to_csr
    monkeypatch.setattr(matrix, "graph_to_csr", lambda G: calls.append(G) or real(G))
    zones, facs = g.point_keys("zone"), g.point_keys("facility")
    first = travel_times(g, "zones", "facilities")
    again = travel_times(g, "facilities", "zones", max_time_s=3600)
    nearest_lead_seconds(g)
    assert len(calls) == 1 and matrix.csr(g) is matrix.csr(g)
    np.testing.assert_array_equal(first.seconds, _fresh(g, zones, facs))
    np.testing.assert_array_equal(again.seconds, _fresh(g, facs, zones, limit=3600))


def test_modified_graph_gets_its_own_csr(tiny_region):
    """A modifier returns a new graph with a new export: the cache never leaks across graphs."""
    from netopt.graph import close_ferry, drop_closed
    from netopt.graph.matrix import csr

    g = build_graph(tiny_region)
    base = csr(g)
    travel_times(g, "zones", "facilities")
    closed = close_ferry(g, "FR1")
    dropped = drop_closed(closed)
    assert csr(closed) is not base and csr(dropped) is not csr(closed)
    assert csr(dropped).matrix.nnz < base.matrix.nnz  # the closed crossing's edges are gone
    assert not np.array_equal(csr(closed).matrix.data, base.matrix.data)  # waits changed
    zones, facs = g.point_keys("zone"), g.point_keys("facility")
    for graph in (closed, dropped):
        got = travel_times(graph, "zones", "facilities").seconds
        np.testing.assert_array_equal(got, _fresh(graph, zones, facs))


def test_unreachable_pairs_are_counted_not_listed(tiny_region):
    """n_unreachable and unreachable_pairs() come from the matrix; the frame only on request."""
    g = build_graph(tiny_region)
    tt = travel_times(g, "zones", "facilities", max_time_s=1200)
    oi, di = tt.unreachable_pairs()
    want = np.nonzero(np.isinf(tt.seconds))
    assert tt.n_unreachable == len(oi) > 0 and tt.reason == "no path within max_time_s"
    np.testing.assert_array_equal(oi, want[0])
    np.testing.assert_array_equal(di, want[1])
    frame = tt.unreachable
    assert frame["origin"].tolist() == [tt.origins[i] for i in oi]
    assert frame["destination"].tolist() == [tt.destinations[j] for j in di]
