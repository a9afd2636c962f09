"""The pure item functions agree with the flows' own KPIs and partition care by place."""

import numpy as np
import pytest
from breakdown_fakes import fake_flows

from netopt.costs.items import (
    REGION_ROW,
    allocate,
    annualised_yuan,
    care_price_matrices,
    courier_yuan,
    fallback_km,
    outreach_yuan,
    patient_hours,
    round_trip_yuan,
    transfers_out,
    visit_yuan,
)


@pytest.fixture
def small():
    """3 zones, 4 facilities (county in area, tertiary outside, township, village outside)."""
    rng = np.random.default_rng(3)
    visits = rng.uniform(0, 100, (5, 3, 4))
    minutes = rng.uniform(5, 90, (3, 4))
    minutes[2, 1] = np.inf
    visits[:, 2, 1] = 0.0
    tier = ["county", "tertiary", "township", "village"]
    return fake_flows(visits, minutes, tier, [True, False, True, False])


def test_care_matrices_partition_all_care(small):
    """The three care items add up to every visit at one price, each facility priced once."""
    cs = small.choice_set
    one = np.ones(5)
    mats = care_price_matrices(cs.is_grassroots, cs.in_area, one, one * 2, one * 3)
    total = sum(mats.values())
    assert (np.count_nonzero(np.stack(list(mats.values())), axis=0) == 1).all()
    assert np.allclose(mats["care_grassroots"][:, [2, 3]], 1.0)  # a village outside: grassroots
    assert np.allclose(mats["care_county"][:, 0], 2.0) and np.allclose(
        mats["care_outside"][:, 1], 3
    )
    assert visit_yuan(small.visits, total).sum() == pytest.approx(
        (small.visits * total[:, None, :]).sum()
    )


def test_hours_and_transfers_equal_the_flow_kpis(small):
    """patient_hours and transfers_out sum to the flows' own KPIs."""
    k = small.kpis()
    assert patient_hours(small.visits, small.choice_set.minutes).sum() == pytest.approx(
        k["flow_patient_hours_per_year"]
    )
    assert transfers_out(small.visits, small.choice_set.in_area).sum() == pytest.approx(
        k["transfers_out_per_year"]
    )


def test_round_trip_fares(small):
    """Fares are 2 x visits x (km x fare + crossings x ferry fare); unreachable counts 0."""
    km = np.full((3, 4), 10.0)
    km[2, 1] = np.nan
    crossings = np.zeros((3, 4))
    crossings[0, 1] = 1.0
    got = round_trip_yuan(small.visits, km, crossings, km_yuan=0.5, crossing_yuan=15.0)
    v = small.visits.sum(axis=0)
    want = 2 * (v * 5.0).sum(axis=1)
    want[0] += 2 * v[0, 1] * 15.0
    np.testing.assert_allclose(got, want)


def test_small_item_functions():
    """Fallback km, outreach, courier and annualisation are the stated products."""
    assert fallback_km(np.array([30.0, np.inf]), 40.0).tolist() == [20.0, np.inf]
    got = outreach_yuan([2, 1], [100, 50], [1, 0], [0, 2], day_yuan=500, km_yuan=1,
                        lodging_yuan=400, crossing_yuan=15)  # fmt: skip
    assert got.tolist() == [1000 + 100 + 400, 500 + 50 + 30]
    assert courier_yuan([100], [8], [2], runs_per_year=250, km_yuan=1.5, hour_yuan=50,
                        crossing_yuan=80).tolist() == [250 * (150 + 400 + 160)]  # fmt: skip
    assert annualised_yuan([1e6, np.nan], 10).tolist() == [1e5, 0.0]


def test_allocate_keeps_every_yuan():
    """Allocation by owner keeps the given rows first and sends no owner to (region)."""
    s = allocate([1.0, 2.0, 3.0, 4.0, 5.0], ["b", None, "a", float("nan"), "c"], ["a", "b"])
    assert s.index.tolist() == ["a", "b", "c", REGION_ROW]
    assert s.tolist() == [3.0, 1.0, 5.0, 6.0]
    assert allocate([], [], ["a"]).tolist() == [0.0, 0.0]
