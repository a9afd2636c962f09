"""The pathway model on plain arrays: hand examples, a reference loop and the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from netopt._errors import DataError
from netopt.pathways import (
    CONDITIONS,
    pathway_by_place,
    pathway_minutes,
    pathway_routes,
    pathway_summary,
    pathway_table,
)

INF = np.inf


def test_hand_example_direct_transfer_air():
    """Three zones, three facilities: each route wins once, as worked out by hand.

    Facility 0 is a first facility (an island hospital, not capable), 1 and 2 are capable.
    Zone 0 drives straight to 1 (30 min). Zone 1 is 5 min from 0, which sends it on by the
    hospital's own boat (20 min): 5 + 15 + 20 = 40 < 90 direct. Zone 2 drives 200 min but
    flies in 45 (dispatch included). Dispatch 12 and door 30 are added to every route.
    """
    t_zf = np.array([[25.0, 30.0, 60.0], [5.0, 90.0, 95.0], [150.0, 200.0, 210.0]])
    t_ff = np.array([[0.0, 20.0, 50.0], [20.0, 0.0, 40.0], [50.0, 40.0, 0.0]])
    air = np.array([[INF, 60.0, INF], [INF, 70.0, INF], [INF, 80.0, 45.0]])
    cap = [False, True, True]
    first = [True, False, False]
    kw = {"dispatch_min": 12.0, "handover_min": 15.0, "door_min": 30.0}
    minutes, route = pathway_minutes(t_zf, t_ff, cap, first, air=air, **kw)
    assert minutes.tolist() == [12 + 30 + 30, 12 + 40 + 30, 12 + 45 + 30]
    assert route.tolist() == ["direct", "transfer", "air"]
    r = pathway_routes(t_zf, t_ff, cap, first, air=air, **kw)
    assert r.centre.tolist() == [1, 1, 2]
    assert r.via.tolist() == [-1, 0, -1]
    # without the helicopter zone 2 goes by the island hospital: 150 + 15 + 20
    minutes, route = pathway_minutes(t_zf, t_ff, cap, first, **kw)
    assert minutes[2] == 12 + 185 + 30 and route[2] == "transfer"


def test_unreachable_zone_has_infinite_minutes_and_no_route():
    """A zone that reaches no capable centre gets inf, route "none" and no centre."""
    t_zf = np.array([[10.0, INF], [10.0, 20.0]])
    t_ff = np.array([[0.0, INF], [INF, 0.0]])
    r = pathway_routes(t_zf, t_ff, [False, True], dispatch_min=5, handover_min=5, door_min=5)
    assert r.minutes[0] == INF and r.route[0] == "none" and r.centre[0] == -1
    assert r.minutes[1] == 30.0 and r.route[1] == "direct"
    none = pathway_routes(t_zf, t_ff, [False, False], dispatch_min=5, handover_min=5, door_min=5)
    assert np.isinf(none.minutes).all() and set(none.route) == {"none"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"t_fac_fac": np.zeros((3, 3))}, r"t_fac_fac.*shape \(2, 2\)"),
        ({"capable": [True]}, r"capable.*shape \(2,\)"),
        ({"t_zone_fac": np.array([[np.nan, 1.0]])}, r"t_zone_fac.*NaN or negative"),
        ({"air": np.ones((2, 2))}, r"air.*shape \(1, 2\)"),
        ({"dispatch_min": -1.0}, r"dispatch_min.*>= 0"),
    ],
)
def test_bad_arrays_are_data_errors(kwargs, match):
    """Wrong shapes, NaN and negative minutes raise a DataError naming the argument."""
    args = {
        "t_zone_fac": np.array([[1.0, 2.0]]),
        "t_fac_fac": np.zeros((2, 2)),
        "capable": [True, False],
        "dispatch_min": 1.0,
        "handover_min": 1.0,
        "door_min": 1.0,
    } | kwargs
    with pytest.raises(DataError, match=match):
        pathway_routes(**args)


def _reference(t_zf, t_ff, cap, first, air, d, h, g):
    """A plain loop over zones and facilities: the formula as written."""
    out = []
    for z in range(t_zf.shape[0]):
        direct = min([t_zf[z, f] for f in range(len(cap)) if cap[f]], default=INF)
        p = min((j for j in range(len(first)) if first[j]), key=lambda j: t_zf[z, j])
        onward = min([t_ff[p, f] for f in range(len(cap)) if cap[f]], default=INF)
        by_air = min([air[z, f] for f in range(len(cap)) if cap[f]], default=INF)
        best = min(direct, t_zf[z, p] + h + onward, by_air)
        out.append(d + best + g if np.isfinite(best) else INF)
    return np.array(out)


minutes_ = st.one_of(st.floats(0, 500, allow_nan=False), st.just(INF))


@settings(max_examples=150, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 6), st.integers(1, 5)),
    data=st.data(),
    d=st.floats(0, 30),
    h=st.floats(0, 30),
    g=st.floats(0, 60),
)
def test_vectorised_minutes_match_a_reference_loop(shape, data, d, h, g):
    """pathway_minutes equals the formula evaluated zone by zone, for any arrays."""
    z, f = shape
    t_zf = data.draw(hnp.arrays(float, (z, f), elements=minutes_))
    t_ff = data.draw(hnp.arrays(float, (f, f), elements=minutes_))
    air = data.draw(hnp.arrays(float, (z, f), elements=minutes_))
    cap = data.draw(hnp.arrays(bool, f))
    first = data.draw(hnp.arrays(bool, f).filter(lambda a: a.any()))
    minutes, route = pathway_minutes(
        t_zf, t_ff, cap, first, dispatch_min=d, handover_min=h, door_min=g, air=air
    )
    np.testing.assert_allclose(minutes, _reference(t_zf, t_ff, cap, first, air, d, h, g))
    assert set(route) <= {"direct", "transfer", "air", "none"}
    assert ((route == "none") == np.isinf(minutes)).all()


def _zones():
    return pd.DataFrame(
        {
            "population": [1000.0, 3000.0, 500.0, 0.0],
            "island": [False, False, True, True],
            "island_name": [None, None, "Beiyu Island", "Beiyu Island"],
            "township": ["A", "A", "B", None],
        },
        index=pd.Index(["Z1", "Z2", "Z3", "Z4"], name="id"),
    )


def test_tables_count_every_resident_and_cut_off_zones():
    """Shares divide by ALL residents; a cut-off or unreachable zone counts as not in time."""
    t_zf = np.array([[10.0], [50.0], [900.0], [INF]])  # Z3 only after a ferry reopens
    r = pathway_routes(t_zf, np.zeros((1, 1)), [True], dispatch_min=10, handover_min=0, door_min=0)
    routes = {("stemi", "day"): r, ("stemi", "night"): r}
    table = pathway_table(routes, CONDITIONS, _zones(), ["C1"])
    assert len(table) == 8
    assert table["in_time"].tolist()[:4] == [True, True, False, False]
    assert table["centre"].tolist()[:4] == ["C1", "C1", "C1", None]
    summary = pathway_summary(table)
    row = summary.loc[("stemi", "day")]
    assert row["population"] == 4500.0
    assert row["share_in_time"] == pytest.approx(4000 / 4500)
    assert row["population_not_in_time"] == 500.0
    assert row["median_min"] == 60.0  # weighted: 3,000 of 4,500 residents at 60 min
    assert row["route_direct"] == 4500.0
    places = pathway_by_place(table)
    beiyu = places[(places["period"] == "day") & (places["island"] == "Beiyu Island")]
    assert beiyu["population_not_in_time"].sum() == 500.0
    assert set(places["island"]) == {"mainland", "Beiyu Island"}
    assert places.loc[places["township"] == "A", "share_in_time"].tolist() == [1.0, 1.0]
