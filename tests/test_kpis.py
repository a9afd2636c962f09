"""Tests of netopt.kpis: KPI formulas on a hand-computed assignments table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netopt.kpis import (
    ASSIGNMENT_COLUMNS,
    KPI_DEFINITIONS,
    Rates,
    baseline_kpis,
    weighted_quantile,
    zone_kpis,
)


def table() -> pd.DataFrame:
    """Three zones: a mainland town, an island village, an island cut off by a storm."""
    return pd.DataFrame(
        {
            "zone": ["A", "B", "C"],
            "township": ["t", "t", "t"],
            "population": [1000.0, 100.0, 50.0],
            "island": [False, True, True],
            "island_name": [None, "Isle", "Far Isle"],
            "primary": ["P1", "P2", "P3"],
            "lead": ["L1", "L2", None],
            "t_primary_min": [10.0, 20.0, np.inf],
            "t_lead_min": [30.0, 90.0, np.inf],
            "t_nearest_lead_min": [30.0, 90.0, np.inf],
            "t_nearest_candidate_min": [20.0, 70.0, np.inf],
            "lead_in_area": [True, False, False],
            "nearest_candidate_in_area": [True, True, False],
            "reachable": [True, True, False],
            "within_limit": [True, False, False],
            "capacity_served": [0.5, 1.0, 0.0],
        }
    )[list(ASSIGNMENT_COLUMNS)]


def test_zone_kpis_match_hand_computation():
    """Means, shares, patient-hours and population counts equal the hand-computed values."""
    rates = Rates(primary_visits_per_year=2.0, referrals_per_year=0.5)
    k = zone_kpis(table(), rates)
    assert k["mean_lead_min"] == pytest.approx((1000 * 30 + 100 * 90) / 1100)
    assert k["share_lead_60min"] == pytest.approx(1000 / 1150)
    hours = (1000 * (2 * 2 * 10 + 0.5 * 2 * 30) + 100 * (2 * 2 * 20 + 0.5 * 2 * 90)) / 60
    assert k["patient_hours_per_year"] == pytest.approx(hours)
    assert k["population_unreachable"] == 50
    assert k["population_served"] == pytest.approx(500)
    assert k["population_unserved_capacity"] == pytest.approx(500)
    assert k["population_not_covered"] == pytest.approx(150)
    visits = 1150 * 2.0 + 1150 * 0.5
    assert k["in_area_share"] == pytest.approx((1150 * 2.0 + 1000 * 0.5) / visits)
    assert k["mean_lead_min_island"] == pytest.approx(90.0)


def test_baseline_uses_the_nearest_candidate_and_its_location():
    """The naive baseline refers everyone to the nearest lead-capable hospital, inside or outside the area."""
    rates = Rates(primary_visits_per_year=2.0, referrals_per_year=0.5)
    b = baseline_kpis(table(), rates)
    assert b["mean_lead_min"] == pytest.approx((1000 * 20 + 100 * 70) / 1100)
    assert b["in_area_share"] == pytest.approx((1150 * 2.0 + 1100 * 0.5) / (1150 * 2.5))
    assert b["population_unserved_capacity"] == 0


def test_weighted_quantile_is_a_weighted_lower_quantile():
    """A heavy weight pulls the 90th percentile to its value."""
    assert weighted_quantile(np.array([1.0, 100.0]), np.array([95.0, 5.0]), 0.9) == 1.0
    assert weighted_quantile(np.array([1.0, 100.0]), np.array([85.0, 15.0]), 0.9) == 100.0


def test_every_kpi_has_a_definition():
    """Every KPI zone_kpis returns is documented in KPI_DEFINITIONS."""
    assert set(zone_kpis(table())) <= set(KPI_DEFINITIONS)


def test_rates_reject_bad_values():
    """Negative rates and an occupancy above 1 are refused with the field named."""
    with pytest.raises(ValueError, match="referrals_per_year"):
        Rates(referrals_per_year=-1)
    with pytest.raises(ValueError, match="bed_occupancy"):
        Rates(bed_occupancy=1.5)
