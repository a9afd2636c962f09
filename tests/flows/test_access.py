"""Tests of netopt.flows.access: 2SFCA against pysal `access`, timely access, properties."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from access import Access
from access import weights as access_weights
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse

from netopt._errors import DataError
from netopt.flows.access import (
    ACCESS_WINDOWS_MIN,
    gaussian_decay,
    step_decay,
    timely_access,
    township_access,
    two_step_fca,
)

CARE_LEVELS = ("grassroots", "hospital_outpatient", "inpatient", "emergency", "recurring")
LUO_QI_STEPS = {10: 1.0, 20: 0.68, 30: 0.22}
SEEDS = [0, 1, 2, 3, 4]


def random_instance(
    seed: int, zones: int = 60, facilities: int = 15
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return supply (F,), demand (Z,) > 0 and minutes (Z, F) with about 20 % unreachable."""
    rng = np.random.default_rng(seed)
    minutes = rng.uniform(0.0, 90.0, (zones, facilities))
    minutes[rng.random(minutes.shape) < 0.2] = np.inf
    ties = rng.random(minutes.shape) < 0.05  # times exactly at a cutoff or step bound
    minutes[ties] = rng.choice([10.0, 15.0, 20.0, 30.0, 60.0], ties.sum())
    demand = rng.integers(100, 5000, zones).astype(float)
    supply = rng.integers(0, 50, facilities).astype(float)
    return supply, demand, minutes


def reference(
    supply: np.ndarray,
    demand: np.ndarray,
    minutes: np.ndarray,
    max_min: float,
    *,
    weight_fn: Callable[[float], float] | None = None,
    enhanced: bool = False,
    normalize: bool = False,
) -> np.ndarray:
    """Return pysal `access` 2SFCA on the same data (cost table in long format), zone order."""
    zones = [f"z{i}" for i in range(demand.size)]
    facilities = [f"f{j}" for j in range(supply.size)]
    ii, jj = np.nonzero(np.isfinite(minutes))
    costs = pd.DataFrame(
        {
            "origin": np.array(zones)[ii],
            "dest": np.array(facilities)[jj],
            "cost": minutes[ii, jj],
        }
    )
    model = Access(
        demand_df=pd.DataFrame({"geoid": zones, "pop": demand}),
        demand_index="geoid",
        demand_value="pop",
        supply_df=pd.DataFrame({"geoid": facilities, "beds": supply}),
        supply_index="geoid",
        supply_value="beds",
        cost_df=costs,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    method = model.enhanced_two_stage_fca if enhanced else model.two_stage_fca
    out = method(name="a", max_cost=max_min, weight_fn=weight_fn, normalize=normalize)
    # `access` leaves zones with no facility in reach out (NaN); netopt gives them 0.
    return out["a_beds"].reindex(zones).fillna(0.0).to_numpy()


# --------------------------------------------------------------------------- vs pysal access
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("max_min", [15.0, 30.0, 60.0])
def test_2sfca_equals_pysal_access(seed: int, max_min: float) -> None:
    """Plain 2SFCA equals access.Access.two_stage_fca to 1e-9 (same cutoff, <= inclusive)."""
    supply, demand, minutes = random_instance(seed)
    ours = two_step_fca(supply, demand, minutes, max_min)
    np.testing.assert_allclose(ours, reference(supply, demand, minutes, max_min), atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_e2sfca_step_weights_equal_pysal_access(seed: int) -> None:
    """E2SFCA with the Luo & Qi step weights equals access's enhanced_two_stage_fca."""
    supply, demand, minutes = random_instance(seed)
    ours = two_step_fca(supply, demand, minutes, 30.0, weights=step_decay(LUO_QI_STEPS))
    ref = reference(supply, demand, minutes, 30.0, enhanced=True)  # its default = Luo & Qi
    np.testing.assert_allclose(ours, ref, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_e2sfca_gaussian_weights_equal_pysal_access(seed: int) -> None:
    """E2SFCA with Gaussian decay equals access two_stage_fca with weights.gaussian."""
    supply, demand, minutes = random_instance(seed)
    ours = two_step_fca(supply, demand, minutes, 60.0, weights=gaussian_decay(20.0))
    ref = reference(supply, demand, minutes, 60.0, weight_fn=access_weights.gaussian(20.0))
    np.testing.assert_allclose(ours, ref, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_normalised_2sfca_equals_pysal_access(seed: int) -> None:
    """Dividing by the population-weighted mean reproduces access's normalize=True."""
    supply, demand, minutes = random_instance(seed)
    ours = two_step_fca(supply, demand, minutes, 30.0)
    ours = ours / (ours @ demand / demand.sum())
    ref = reference(supply, demand, minutes, 30.0, normalize=True)
    np.testing.assert_allclose(ours, ref, atol=1e-9)


def test_step_decay_equals_pysal_step_fn() -> None:
    """step_decay gives the same weights as access.weights.step_fn, bounds inclusive."""
    t = np.array([0.0, 5.0, 10.0, 10.0001, 20.0, 25.0, 30.0, 30.5, 100.0])
    ref = access_weights.step_fn(LUO_QI_STEPS)
    np.testing.assert_array_equal(step_decay(LUO_QI_STEPS)(t), [ref(x) for x in t])


# --------------------------------------------------------------------------- 2SFCA properties
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_2sfca_conserves_supply_with_demand_in_reach(seed: int, weighted: bool) -> None:
    """sum_i A_i P_i equals the supply of facilities with demand in their catchment."""
    supply, demand, minutes = random_instance(seed)
    demand[::7] = 0.0
    minutes[:, 0] = np.inf  # facility 0 reaches nobody
    minutes[demand > 0, 1] = np.inf  # facility 1 reaches only zones without residents
    weights = step_decay(LUO_QI_STEPS) if weighted else None
    access = two_step_fca(supply, demand, minutes, 30.0, weights=weights)
    in_reach = ((minutes <= 30.0) & (demand[:, None] > 0)).any(axis=0)
    assert access @ demand == pytest.approx(supply[in_reach].sum(), rel=1e-12)


def test_2sfca_zero_supply_gives_zero_access() -> None:
    """No supply anywhere means zero access everywhere."""
    _, demand, minutes = random_instance(7)
    access = two_step_fca(np.zeros(minutes.shape[1]), demand, minutes, 60.0)
    np.testing.assert_array_equal(access, 0.0)


def test_2sfca_facility_without_demand_contributes_nothing() -> None:
    """A facility whose catchment has no residents adds 0 (not inf or NaN) to every zone."""
    minutes = np.array([[10.0, np.inf], [np.inf, 10.0]])
    access = two_step_fca([10.0, 99.0], [100.0, 0.0], minutes, 30.0)
    assert access.tolist() == [0.1, 0.0]
    only_empty = two_step_fca([10.0], [0.0, 100.0], np.array([[5.0], [np.inf]]), 30.0)
    assert only_empty.tolist() == [0.0, 0.0]


def test_2sfca_hand_example() -> None:
    """Two villages share one hospital: 40 beds / 4,000 residents = 0.01 beds each."""
    out = two_step_fca([40.0], [1000.0, 3000.0], [[10.0], [30.0]], 30.0)
    assert out.tolist() == pytest.approx([0.01, 0.01])
    out = two_step_fca([40.0], [1000.0, 3000.0], [[10.0], [30.0001]], 30.0)
    assert out.tolist() == pytest.approx([0.04, 0.0])


def test_2sfca_infinite_catchment_keeps_unreachable_pairs_out() -> None:
    """max_min=inf puts every finite pair in the catchment, never an inf (unreachable) one."""
    minutes = np.array([[10.0, np.inf], [500.0, np.inf]])
    out = two_step_fca([30.0, 7.0], [1.0, 2.0], minutes, np.inf)
    assert out.tolist() == [10.0, 10.0]
    ref = reference(np.array([30.0, 7.0]), np.array([1.0, 2.0]), minutes, 1e300)
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_2sfca_sparse_equals_dense(seed: int) -> None:
    """A sparse matrix of the reachable pairs gives the dense answer (absent = unreachable)."""
    supply, demand, minutes = random_instance(seed)
    minutes[0, 0] = 0.0  # an explicit zero is 0 minutes, not unreachable
    ii, jj = np.nonzero(np.isfinite(minutes))
    coo = sparse.coo_array((minutes[ii, jj], (ii, jj)), shape=minutes.shape)
    for weights in (None, gaussian_decay(15.0)):
        dense = two_step_fca(supply, demand, minutes, 45.0, weights=weights)
        np.testing.assert_allclose(
            two_step_fca(supply, demand, coo.tocsr(), 45.0, weights=weights), dense, atol=1e-12
        )


def test_2sfca_same_seed_same_answer_at_scale() -> None:
    """Z=2,500, F=500 runs and is deterministic."""
    supply, demand, minutes = random_instance(11, zones=2500, facilities=500)
    first = two_step_fca(supply, demand, minutes, 30.0, weights=step_decay(LUO_QI_STEPS))
    again = two_step_fca(supply, demand, minutes, 30.0, weights=step_decay(LUO_QI_STEPS))
    np.testing.assert_array_equal(first, again)


def test_2sfca_reports_every_bad_input_at_once() -> None:
    """Bad supply, demand, minutes shape and max_min are all named in one DataError."""
    with pytest.raises(DataError, match="4 problems") as info:
        two_step_fca([1.0, -1.0], [np.nan, 1.0], np.ones((2, 3)), 0.0)
    text = str(info.value)
    for field in ("'supply'", "'demand'", "'minutes'", "'max_min'"):
        assert field in text


def test_2sfca_rejects_nan_minutes_and_bad_weights() -> None:
    """NaN minutes (use inf) and decay weights outside [0, 1] are DataErrors."""
    with pytest.raises(DataError, match="use inf for unreachable"):
        two_step_fca([1.0], [1.0], [[np.nan]], 30.0)
    with pytest.raises(DataError, match=r"outside \[0, 1\]"):
        two_step_fca([1.0], [1.0], [[5.0]], 30.0, weights=lambda t: 2.0 + 0 * t)


def test_decay_constructors_check_their_arguments() -> None:
    """Empty steps, weights above 1 and a zero sigma are refused."""
    with pytest.raises(DataError, match="empty"):
        step_decay({})
    with pytest.raises(DataError, match="weight in"):
        step_decay({10: 1.5})
    with pytest.raises(DataError, match="sigma_min"):
        gaussian_decay(0.0)


# --------------------------------------------------------------------------- township table
def test_township_access_table() -> None:
    """Population-weighted mean, min and max per township, scaled by per=1000."""
    table = township_access(
        [0.002, 0.004, 0.001, 0.5], [100, 300, 50, 0], ["A", "A", "B", "B"], per=1000
    )
    assert table.columns.tolist() == ["township", "population", "mean", "min", "max"]
    assert table["township"].tolist() == ["A", "B"]
    assert table["population"].tolist() == [400.0, 50.0]
    assert table["mean"].tolist() == pytest.approx([3.5, 1.0])
    assert table["min"].tolist() == pytest.approx([2.0, 1.0])  # empty zone (0.5) ignored
    assert table["max"].tolist() == pytest.approx([4.0, 1.0])


def test_township_access_empty_township_and_bad_input() -> None:
    """A township without residents gets NaN; mismatched lengths raise a DataError."""
    table = township_access([1.0, 2.0], [0.0, 10.0], ["empty", "full"])
    assert table.set_index("township").loc["empty"].isna()[["mean", "min", "max"]].all()
    with pytest.raises(DataError, match="lengths 2, 2, 3"):
        township_access([1.0, 2.0], [1.0, 1.0], ["a", "b", "c"])


# --------------------------------------------------------------------------- timely access
def test_access_windows_cover_every_care_level() -> None:
    """ACCESS_WINDOWS_MIN has one positive window per care level, grassroots 15 minutes."""
    assert tuple(ACCESS_WINDOWS_MIN) == CARE_LEVELS
    assert ACCESS_WINDOWS_MIN["grassroots"] == 15.0
    assert ACCESS_WINDOWS_MIN["emergency"] == 30.0
    assert all(v > 0 for v in ACCESS_WINDOWS_MIN.values())


def test_timely_access_hand_example() -> None:
    """Nearest eligible facility decides; no eligible facility means False; bound inclusive."""
    minutes = np.array([[10.0, 40.0], [25.0, np.inf], [15.0, 60.0]])
    eligible = np.array([[True, False, False], [True, True, False]])
    windows = [ACCESS_WINDOWS_MIN["grassroots"], ACCESS_WINDOWS_MIN["inpatient"], 1e9]
    out = timely_access(minutes, eligible, windows)
    assert out.tolist() == [[True, True, False], [False, False, False], [True, True, False]]


def test_timely_access_rejects_bad_shapes() -> None:
    """eligible must be (F, L) matching minutes and windows."""
    with pytest.raises(DataError, match="eligible"):
        timely_access(np.ones((2, 3)), np.ones((2, 1), dtype=bool), [15.0])


minutes_arrays = hnp.arrays(
    float,
    st.tuples(st.integers(1, 6), st.integers(1, 5)),
    elements=st.one_of(st.floats(0, 120), st.just(np.inf)),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(minutes=minutes_arrays, data=st.data())
def test_timely_access_never_improves_when_times_grow(
    minutes: np.ndarray, data: st.DataObject
) -> None:
    """Raising any travel times (up to inf) never turns a False into a True."""
    n_levels = data.draw(st.integers(1, 4))
    eligible = data.draw(hnp.arrays(bool, (minutes.shape[1], n_levels)))
    windows = data.draw(hnp.arrays(float, n_levels, elements=st.floats(0, 120)))
    extra = data.draw(
        hnp.arrays(float, minutes.shape, elements=st.one_of(st.floats(0, 60), st.just(np.inf)))
    )
    before = timely_access(minutes, eligible, windows)
    after = timely_access(minutes + extra, eligible, windows)
    assert not (after & ~before).any()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(minutes=minutes_arrays, data=st.data())
def test_2sfca_conservation_property(minutes: np.ndarray, data: st.DataObject) -> None:
    """For any instance, sum_i A_i P_i is the supply of facilities with demand in reach."""
    z, f = minutes.shape
    demand = data.draw(hnp.arrays(float, z, elements=st.one_of(st.just(0.0), st.floats(1, 1e4))))
    supply = data.draw(hnp.arrays(float, f, elements=st.floats(0, 1e3)))
    access = two_step_fca(supply, demand, minutes, 60.0)
    in_reach = ((minutes <= 60.0) & (demand[:, None] > 0)).any(axis=0)
    assert access @ demand == pytest.approx(supply[in_reach].sum(), rel=1e-9, abs=1e-9)
