"""Costs and CarePrices: defaults, estimates, [costs] tables with every problem at once."""

import math

import pytest

from netopt import DataError
from netopt.costs import BUDGET_ITEMS, ITEMS, PAID_BY, SOURCED, CarePrices, Costs


def test_defaults_are_valid_and_the_items_partition():
    """The default costs build; budget items are the items paid by the budget."""
    c = Costs()
    assert c.objective == "report" and not c.has_budget
    assert set(BUDGET_ITEMS) | {"patient_travel", "patient_time"} == set(ITEMS)
    assert all(PAID_BY[i] == "budget" for i in BUDGET_ITEMS)
    assert c.care_county_yuan.inpatient == pytest.approx(10315.8)
    assert c.care_county_yuan.hospital_outpatient == pytest.approx(361.6)


def test_estimated_fields_leave_out_sourced_defaults_and_overrides():
    """Estimated defaults are flagged, sourced ones not; an override is not an estimate
    unless marked in ``estimates``."""
    c = Costs()
    est = c.estimated_fields()
    assert "transfer_yuan" in est and "care_yuan.inpatient" in est
    assert not (SOURCED & est)
    own = c.replace(transfer_yuan=900.0)
    assert "transfer_yuan" not in own.estimated_fields()
    marked = own.replace(estimates=("transfer_yuan",))
    assert "transfer_yuan" in marked.estimated_fields()
    assert c.is_estimated("care_yuan") and not c.is_estimated("value_of_time_yuan_per_hour")


def test_round_trip_through_a_table():
    """to_dict then from_dict gives the same costs (None budgets left out)."""
    c = Costs(budget_per_resident_yuan=3800, budget_items=("care_county",), objective="total_cost")
    d = c.to_dict()
    assert "budget_yuan" not in d and d["budget_items"] == ["care_county"]
    assert Costs.from_dict(d) == c
    assert isinstance(Costs(transfer_yuan=900).transfer_yuan, float)


def test_every_problem_at_once_with_the_closest_key():
    """Unknown keys (with the closest), bad numbers, both budgets, bad items and objective,
    and a bad care table are all reported in one DataError filed under the file."""
    table = {
        "tranfer_yuan": 900,
        "patient_km_yuan": -1,
        "ferry_fare_yuan": "15",
        "budget_yuan": 1e9,
        "budget_per_resident_yuan": 3000,
        "care_county_yuan": {"inpatent": 3, "emergency": -5},
        "objective": "cheapest",
        "budget_items": ["care_grasroots"],
        "upgrade_years": 0,
    }
    with pytest.raises(DataError) as info:
        Costs.from_dict(table, file="region.toml")
    text = str(info.value)
    assert len(info.value.problems) == 9
    assert "region.toml [costs], field 'tranfer_yuan'" in text
    assert "did you mean 'transfer_yuan'" in text
    assert "region.toml [costs.care_county_yuan], field 'inpatent'" in text
    assert "did you mean 'inpatient'" in text
    assert "field 'emergency'" in text and "field 'ferry_fare_yuan'" in text
    assert "field 'patient_km_yuan': -1" in text
    assert "state the budget once" in text
    assert "did you mean 'care_grassroots'" in text
    assert "field 'objective'" in text and "field 'upgrade_years'" in text


def test_scenario_table_over_the_region():
    """A scenario's [costs] overrides the region's; care tables merge level by level."""
    region = Costs.from_dict(
        {"care_county_yuan": {"inpatient": 9000}, "transfer_yuan": 800}, file="region.toml"
    )
    scenario = Costs.from_dict(
        {"care_county_yuan": {"emergency": 700}, "budget_per_resident_yuan": 3000},
        file="capitation.toml",
        base=region,
    )
    assert (
        scenario.care_county_yuan.inpatient == 9000 and scenario.care_county_yuan.emergency == 700
    )
    assert scenario.care_county_yuan.recurring == Costs().care_county_yuan.recurring
    assert scenario.transfer_yuan == 800 and scenario.budget_per_resident_yuan == 3000


def test_budget_for_a_population():
    """Per resident x residents, or the total as stated; NaN without a budget."""
    assert Costs(budget_per_resident_yuan=3000).budget_for(1000) == 3_000_000
    assert Costs(budget_yuan=5e6).budget_for(1000) == 5e6
    assert math.isnan(Costs().budget_for(1000))


def test_replace_checks_again():
    """replace() rejects a negative price and an unknown field."""
    with pytest.raises(DataError, match="use a finite number >= 0"):
        Costs().replace(courier_km_yuan=-2.0)
    with pytest.raises(DataError, match="did you mean 'courier_km_yuan'"):
        Costs().replace(courier_kms_yuan=2.0)


def test_care_prices_table():
    """CarePrices from a table keeps missing levels from its base; bad values are errors."""
    base = CarePrices(inpatient=1000.0)
    p = CarePrices.from_dict({"grassroots": 80}, base=base)
    assert p.grassroots == 80.0 and p.inpatient == 1000.0
    assert p.as_array().shape == (5,)
    with pytest.raises(DataError, match="use yuan per visit >= 0"):
        CarePrices(recurring=float("inf"))
    with pytest.raises(DataError, match="write a table"):
        CarePrices.from_dict(12)
