"""Expected patient flows and their KPIs: every resident counts, and plans move them right."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from netopt._errors import DataError
from netopt.flows import (
    CARE_LEVELS,
    FLOW_KPIS,
    ChoiceParams,
    ChoiceSet,
    DemandRates,
    patient_flows,
    zone_demand,
)

L = len(CARE_LEVELS)
TIER = ["tertiary", "county", "county", "township", "township", "township", "village", "village"]
IN_AREA = [False, True, True, True, True, True, True, False]


def region(seed: int = 3, n_zones: int = 12) -> tuple[ChoiceSet, np.ndarray]:
    """A county: an outside tertiary hospital, two county hospitals, townships and villages."""
    rng = np.random.default_rng(seed)
    n_fac = len(TIER)
    minutes = rng.uniform(5.0, 90.0, (n_zones, n_fac))
    minutes[0, 6] = np.inf
    cs = ChoiceSet(
        minutes=minutes,
        tier=TIER,
        beds=[1500.0, 400.0, 250.0, 30.0, 20.0, np.nan, 0.0, 0.0],
        outpatients=[6000.0, 1500.0, 900.0, 200.0, 150.0, 120.0, 30.0, 25.0],
        in_area=IN_AREA,
        lead_of_zone=rng.integers(1, 3, n_zones),
        facility_ids=tuple(f"f{j}" for j in range(n_fac)),
    )
    demand = zone_demand(rng.uniform(500.0, 8000.0, n_zones), DemandRates())
    return cs, demand


def test_every_resident_counts():
    """The visits of the flows sum to the demand, per zone and level and in total."""
    cs, demand = region()
    flows = patient_flows(cs, demand, ChoiceParams())
    np.testing.assert_allclose(flows.visits.sum(axis=-1), demand.T, rtol=1e-12)
    kpis = flows.kpis()
    assert set(kpis) == set(FLOW_KPIS)
    assert kpis["visits_per_year"] == pytest.approx(demand.sum(), rel=1e-12)
    shares = flows.zone_shares()
    np.testing.assert_allclose(shares["visits"], demand.sum(axis=1), rtol=1e-12)
    load = flows.facility_load()
    assert list(load.index) == list(cs.facility_ids)
    assert load["total"].sum() == pytest.approx(demand.sum(), rel=1e-12)
    assert list(load.columns) == [*CARE_LEVELS, "total"]


def test_kpis_match_their_definitions_by_hand():
    """Shares, transfers and patient-hours recomputed from the visits array directly."""
    cs, demand = region()
    flows = patient_flows(cs, demand)
    v = flows.visits
    kpis = flows.kpis()
    inside, grass = np.array(IN_AREA), np.isin(TIER, ["township", "village"])
    assert kpis["in_area_share"] == pytest.approx(v[:, :, inside].sum() / v.sum())
    assert kpis["grassroots_share"] == pytest.approx(v[:, :, grass].sum() / v.sum())
    assert kpis["transfers_out_per_year"] == pytest.approx(v[2:, :, ~inside].sum())
    t = np.where(np.isfinite(cs.minutes), cs.minutes, 0.0)
    assert kpis["flow_patient_hours_per_year"] == pytest.approx((v * 2 * t / 60).sum())


def test_kpis_of_complementary_zone_subsets_add_up():
    """Counts of a subset and of the rest add up to the counts of all zones."""
    cs, demand = region()
    flows = patient_flows(cs, demand)
    mask = np.arange(cs.n_zones) % 3 == 0
    a, b, whole = flows.kpis(zones=mask), flows.kpis(zones=~mask), flows.kpis()
    for key in ("visits_per_year", "transfers_out_per_year", "flow_patient_hours_per_year"):
        assert a[key] + b[key] == pytest.approx(whole[key])
    assert flows.kpis(zones=np.flatnonzero(mask)) == a


def test_more_expert_days_at_a_township_raise_the_grassroots_share():
    """Visiting experts at a township centre draw specialist visits to a grassroots institution."""
    cs, demand = region()
    shares = []
    for days in (0.0, 20.0, 100.0, 300.0):
        expert = np.zeros(cs.n_facilities)
        expert[3] = days
        flows = patient_flows(cs.with_experts(expert), demand, ChoiceParams())
        shares.append(flows.kpis()["grassroots_share"])
    assert all(b > a for a, b in itertools.pairwise(shares))


def test_more_beds_at_the_county_hospital_lower_transfers_out():
    """A bigger in-area county hospital keeps more hospital patients from the outside tertiary."""
    cs, demand = region()
    before = patient_flows(cs, demand).kpis()["transfers_out_per_year"]
    beds = cs.beds.copy()
    beds[1] *= 2.0
    bigger = ChoiceSet(**{**_fields(cs), "beds": beds})
    after = patient_flows(bigger, demand).kpis()["transfers_out_per_year"]
    assert before > 0
    assert after < before


def test_closing_access_never_raises_visits_at_the_closed_facility():
    """Making a facility unreachable from a zone sends none of its visits there, never more."""
    cs, demand = region()
    base = patient_flows(cs, demand).visits
    for zone in range(cs.n_zones):
        for fac in range(cs.n_facilities):
            if fac in (0, 1, 2):  # keep hospitals reachable for every level
                continue
            minutes = cs.minutes.copy()
            minutes[zone, fac] = np.inf
            closed = patient_flows(ChoiceSet(**{**_fields(cs), "minutes": minutes}), demand)
            assert np.all(closed.visits[:, zone, fac] == 0.0)
            assert np.all(closed.visits[:, zone, fac] <= base[:, zone, fac])
            others = np.delete(np.arange(cs.n_facilities), fac)
            assert np.all(closed.visits[:, zone, others] >= base[:, zone, others] - 1e-9)


def test_zone_without_need_may_have_no_choice():
    """A zone without residents that reaches no hospital does not stop the flows."""
    cs, demand = region()
    minutes = cs.minutes.copy()
    minutes[2, :3] = np.inf
    blocked = ChoiceSet(**{**_fields(cs), "minutes": minutes})
    with pytest.raises(ValueError, match="zone 2, field 'hospital_outpatient'"):
        patient_flows(blocked, demand)
    demand = demand.copy()
    demand[2, 1:] = 0.0
    flows = patient_flows(blocked, demand)
    assert flows.kpis()["visits_per_year"] == pytest.approx(demand.sum())


def test_bad_demand_is_rejected():
    """Negative or mis-shaped demand raises a DataError naming the zone."""
    cs, demand = region()
    bad = demand.copy()
    bad[4, 0] = -1.0
    with pytest.raises(DataError, match="zone 4"):
        patient_flows(cs, bad)
    with pytest.raises(DataError, match="shape"):
        patient_flows(cs, demand.T)


def test_demand_rates_defaults_and_round_trip():
    """Default rates carry the 2023 admission rate; a [demand] table round-trips."""
    rates = DemandRates()
    assert rates.inpatient == 0.214
    assert zone_demand([1000.0], rates)[0].tolist() == pytest.approx([5100, 1550, 214, 150, 150])
    assert DemandRates.from_dict(rates.to_dict()) == rates
    with pytest.raises(DataError, match="did you mean 'inpatient'"):
        DemandRates.from_dict({"inpatients": 0.2})
    with pytest.raises(DataError, match="zone 1"):
        zone_demand([10.0, np.nan])


def _fields(cs: ChoiceSet) -> dict:
    return {name: getattr(cs, name) for name in cs.__dataclass_fields__}
