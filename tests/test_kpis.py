"""Tests of netopt.kpis: KPI formulas on a hand-computed assignments table."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from netopt._errors import DataError
from netopt.kpis import (
    ASSIGNMENT_COLUMNS,
    KPI_BY_KEY,
    KPIS,
    POPULATION_COUNTS,
    VIEWS,
    Kpi,
    Rates,
    baseline_kpis,
    kpi_info,
    kpis_in,
    local_visits_per_year,
    plan_kpis,
    rotation_kpis,
    weighted_quantile,
    zone_kpis,
)


def table() -> pd.DataFrame:
    """Three zones: a mainland town, an island village, an island cut off by a storm.

    The cut-off island's lead trip includes the wait until its ferry reopens (750 min).
    """
    return pd.DataFrame(
        {
            "zone": ["A", "B", "C"],
            "township": ["t", "t", "t"],
            "population": [1000.0, 100.0, 50.0],
            "island": [False, True, True],
            "island_name": [None, "Isle", "Far Isle"],
            "primary": ["P1", "P2", "P3"],
            "lead": ["L1", "L2", "L1"],
            "t_primary_min": [10.0, 20.0, 5.0],
            "t_lead_min": [30.0, 90.0, 750.0],
            "t_nearest_lead_min": [30.0, 90.0, 750.0],
            "t_nearest_candidate_min": [20.0, 70.0, 740.0],
            "lead_in_area": [True, False, True],
            "nearest_candidate_in_area": [True, True, False],
            "reachable": [True, True, False],
            "cut_off": [False, False, True],
            "within_limit": [True, False, False],
            "capacity_served": [0.5, 1.0, 0.5],
        }
    )[list(ASSIGNMENT_COLUMNS)]


def test_zone_kpis_match_hand_computation():
    """Means, shares, patient-hours and population counts equal the hand-computed values,
    with the cut-off zone counted at its reopening time."""
    rates = Rates(primary_visits_per_year=2.0, referrals_per_year=0.5)
    k = zone_kpis(table(), rates)
    assert k["mean_lead_min"] == pytest.approx((1000 * 30 + 100 * 90 + 50 * 750) / 1150)
    assert k["p90_lead_min"] == 90.0
    assert k["max_lead_min"] == 750.0
    assert k["share_lead_60min"] == pytest.approx(1000 / 1150)
    hours = (
        1000 * (2 * 2 * 10 + 0.5 * 2 * 30)
        + 100 * (2 * 2 * 20 + 0.5 * 2 * 90)
        + 50 * (2 * 2 * 5 + 0.5 * 2 * 750)
    ) / 60
    assert k["patient_hours_per_year"] == pytest.approx(hours)
    assert k["population_cut_off"] == 50
    assert k["population_served"] == pytest.approx(500)
    # Lack of capacity is counted wherever people live (1000 x 0.5 + 50 x 0.5); not covered
    # is the rest: beyond the limit (100) or cut off (50 x 0.5).
    assert k["population_unserved_capacity"] == pytest.approx(525)
    assert k["population_not_covered"] == pytest.approx(125)
    assert "in_area_share" not in k  # a flow KPI: it needs the plan's choice set
    assert k["mean_lead_min_island"] == pytest.approx((100 * 90 + 50 * 750) / 150)


def test_cut_off_zone_never_leaves_a_mean():
    """Worsening the cut-off zone's wait raises the means: nobody drops out of them."""
    longer = table()
    longer.loc[2, "t_lead_min"] = 1500.0
    a, b = zone_kpis(table()), zone_kpis(longer)
    for key in ("mean_lead_min", "mean_lead_min_island", "patient_hours_per_year"):
        assert b[key] > a[key], key


def test_baseline_uses_the_nearest_candidate_and_its_location():
    """The naive baseline refers everyone to the nearest lead-capable hospital, inside or outside the area."""
    rates = Rates(primary_visits_per_year=2.0, referrals_per_year=0.5)
    b = baseline_kpis(table(), rates)
    assert b["mean_lead_min"] == pytest.approx((1000 * 20 + 100 * 70 + 50 * 740) / 1150)
    assert b["population_unserved_capacity"] == 0
    assert b["population_not_covered"] == 50  # the cut-off island stays cut off


def test_weighted_quantile_is_a_weighted_lower_quantile():
    """A heavy weight pulls the 90th percentile to its value."""
    assert weighted_quantile(np.array([1.0, 100.0]), np.array([95.0, 5.0]), 0.9) == 1.0
    assert weighted_quantile(np.array([1.0, 100.0]), np.array([85.0, 15.0]), 0.9) == 100.0


def _schedule(patients: list[float], horizon_days: int = 28) -> SimpleNamespace:
    """A schedule-like object with the attributes plan_kpis reads."""
    visits = pd.DataFrame({"expected_patients": patients, "lodging_days": [0] * len(patients)})
    return SimpleNamespace(
        visits=visits, patient_hours_saved=12.5, settings={"horizon_days": horizon_days}
    )


def test_every_kpi_has_a_definition():
    """Every KPI plan_kpis returns, with or without a schedule, is in the one KPI list."""
    plan = SimpleNamespace(zones=table(), rates=Rates())
    assert set(plan_kpis(plan)) <= set(KPI_BY_KEY)
    assert set(plan_kpis(plan, _schedule([30.0, 30.0]))) <= set(KPI_BY_KEY)
    assert set(POPULATION_COUNTS) <= set(KPI_BY_KEY)


def test_kpi_list_is_complete_and_consistent():
    """Keys are unique, every KPI has a label, a unit or definition, a valid direction."""
    keys = [k.key for k in KPIS]
    assert len(keys) == len(set(keys))
    for k in KPIS:
        assert k.label and k.definition
        assert k.better in (None, "lower", "higher")
        assert set(k.views) <= set(VIEWS)
    assert KPI_BY_KEY["mean_lead_min"].better == "lower"
    assert KPI_BY_KEY["share_lead_60min"].better == "higher"
    assert KPI_BY_KEY["population_not_covered"].better == "lower"
    for view in VIEWS:
        assert kpis_in(view), view


def test_kpi_views_and_unknown_keys():
    """A view lists KPIs in list order; an unknown view is refused; unknown keys get a label."""
    headline = [k.key for k in kpis_in("headline")]
    assert headline == [k.key for k in KPIS if "headline" in k.views]
    with pytest.raises(ValueError, match="unknown KPI view"):
        kpis_in("sidebar")
    assert kpi_info("made_up_metric").label == "made up metric"
    with pytest.raises(ValueError, match="better"):
        Kpi("x", "X", "", "d", better="up")


def test_plan_kpis_is_zone_kpis_plus_rotation():
    """plan_kpis equals the formulas: zone KPIs and rotation KPIs (flow KPIs need a choice
    set: tests/test_flows_effects.py)."""
    plan = SimpleNamespace(zones=table(), rates=Rates())
    assert plan_kpis(plan) == pytest.approx(zone_kpis(table(), Rates()), nan_ok=True)
    sched = _schedule([30.0, 26.0], horizon_days=28)
    local = local_visits_per_year(sched)
    assert local == pytest.approx(56.0 * 365 / 28)
    expected = zone_kpis(table(), Rates())
    expected.update(rotation_kpis(sched.visits, patient_hours_saved=12.5))
    got = plan_kpis(plan, sched)
    assert got == pytest.approx(expected, nan_ok=True)
    assert local_visits_per_year(None) == 0.0
    assert local_visits_per_year(_schedule([])) == 0.0


def test_rates_reject_bad_values():
    """Negative rates and an occupancy above 1 are refused with the field named."""
    with pytest.raises(DataError, match="referrals_per_year"):
        Rates(referrals_per_year=-1)
    with pytest.raises(DataError, match="bed_occupancy"):
        Rates(bed_occupancy=1.5)


def test_rates_from_dict_collects_every_problem():
    """Unknown keys get the closest valid key; bad values are named; all in one error."""
    with pytest.raises(DataError) as info:
        Rates.from_dict({"referals_per_year": 0.1, "bed_occupancy": "high"}, source="s.toml")
    text = str(info.value)
    assert "did you mean 'referrals_per_year'" in text
    assert "bed_occupancy" in text and "s.toml" in text
    assert len(info.value.problems) == 2
    r = Rates.from_dict({"referrals_per_year": 0.2})
    assert Rates.from_dict(r.to_dict()) == r
