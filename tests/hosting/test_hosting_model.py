"""The hosting model on flows: referrals up, follow-ups home, and never more patient-hours."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netopt._errors import DataError
from netopt.flows import (
    CARE_LEVELS,
    ChoiceParams,
    ChoiceSet,
    DemandRates,
    patient_flows,
    zone_demand,
)
from netopt.hosting import HostingLink, host_flows

REC = CARE_LEVELS.index("recurring")
INP = CARE_LEVELS.index("inpatient")
GRASS = CARE_LEVELS.index("grassroots")


def _county(minutes, *, lead=1, ids=("P", "L", "O", "T")) -> ChoiceSet:
    """Partner P (outside), county lead L, another outside hospital O, a township T."""
    minutes = np.asarray(minutes, dtype=float)
    return ChoiceSet(
        minutes=minutes,
        tier=["tertiary", "county", "tertiary", "township"],
        beds=[2000.0, 500.0, 1500.0, 40.0],
        outpatients=[8000.0, 2000.0, 6000.0, 200.0],
        in_area=[False, True, False, True],
        lead_of_zone=np.full(len(minutes), lead),
        facility_ids=ids,
    )


def _flows(cs: ChoiceSet, pop=None):
    pop = np.full(cs.n_zones, 10_000.0) if pop is None else np.asarray(pop, float)
    return patient_flows(cs, zone_demand(pop, DemandRates()), ChoiceParams())


def _hours(flows) -> float:
    return flows.kpis()["flow_patient_hours_per_year"]


def test_referral_up_moves_only_where_the_partner_is_no_farther():
    """Outside visits go to the partner from zones where it is no farther, not from others."""
    cs = _county([[100, 10, 120, 5], [100, 10, 60, 5]])  # zone 0: O farther; zone 1: nearer
    before = _flows(cs)
    after, (effect,) = host_flows(before, [HostingLink("P", "L", followup_share=0.0)])
    v0, v1 = before.visits, after.visits
    assert v1[INP, 0, 2] == 0.0 and v1[INP, 0, 0] == pytest.approx(v0[INP, 0, [0, 2]].sum())
    np.testing.assert_allclose(v1[:, 1], v0[:, 1])  # the partner is farther for zone 1
    np.testing.assert_allclose(v1[GRASS], v0[GRASS])  # primary care is not referred
    hours = v0[[2, 3, 4], 0, 2].sum() * 2 * 20 / 60
    assert effect.redirect_hours.sum() == pytest.approx(hours)
    assert _hours(before) - _hours(after) == pytest.approx(hours)


def test_followups_come_home_where_the_lead_is_nearer():
    """The share of recurring visits at the partner moves to the lead, with its saving."""
    cs = _county([[140, 1, 200, 5], [20, 30, 200, 5]])  # lead nearer for zone 0 only
    before = _flows(cs)
    after, (effect,) = host_flows(before, [HostingLink("P", "L", followup_share=0.6)])
    at_partner = after.visits[REC, 0, 0] + effect.followups[REC, 0]
    assert effect.followups[REC, 0] == pytest.approx(0.6 * at_partner)
    assert effect.followups[REC, 1] == 0.0
    assert effect.followup_hours[0] == pytest.approx(effect.followups[REC, 0] * 2 * 139 / 60)
    assert effect.followups[:REC].sum() == 0.0  # only recurring care by default
    np.testing.assert_allclose(after.visits.sum(axis=2), before.visits.sum(axis=2))


def test_capacity_takes_the_largest_savings_first():
    """With a capacity the partner takes the visits that save the most minutes per visit."""
    cs = _county([[50, 10, 90, 5], [50, 10, 55, 5]])
    before = _flows(cs)
    free = host_flows(before, [HostingLink("P", "L", followup_share=0.0)])[1][0]
    cap = 0.5 * free.redirected[:, 0].sum()
    after, (effect,) = host_flows(
        before, [HostingLink("P", "L", capacity_per_year=cap, followup_share=0.0)]
    )
    assert effect.redirected_per_year == pytest.approx(cap)
    assert effect.redirected[:, 1].sum() == 0.0  # zone 1 saves 5 min a visit, zone 0 saves 40
    assert _hours(after) <= _hours(before)


def test_unknown_ids_and_twice_hosted_leads_are_data_errors():
    """A link must name facilities of the choice set, each lead once."""
    flows = _flows(_county([[50, 10, 90, 5]]))
    with pytest.raises(DataError, match="unknown facility 'X'"):
        host_flows(flows, [HostingLink("X", "L")])
    with pytest.raises(DataError, match="hosted twice"):
        host_flows(flows, [HostingLink("P", "L"), HostingLink("O", "L")])


def test_zones_of_other_leads_are_not_touched():
    """Only the zones whose alliance lead is the hosted lead change."""
    cs = _county([[100, 10, 120, 5], [100, 10, 120, 5]], lead=3)
    before = _flows(cs)
    after, (effect,) = host_flows(before, [HostingLink("P", "L")])
    np.testing.assert_array_equal(after.visits, before.visits)
    assert not effect.zones.any()


@st.composite
def instances(draw):
    """A random county: 1-6 zones, 3-7 facilities (some unreachable), a random link."""
    n_zones = draw(st.integers(1, 6))
    n_fac = draw(st.integers(3, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    tier = ["tertiary", "county"] + list(
        rng.choice(["tertiary", "county", "township", "village"], n_fac - 2)
    )
    minutes = rng.uniform(0.0, 200.0, (n_zones, n_fac)).round(draw(st.sampled_from([0, 3])))
    minutes[rng.random((n_zones, n_fac)) < 0.15] = np.inf
    minutes[:, :2] = np.minimum(minutes[:, :2], 300.0)  # hospitals 0 and 1 reachable
    in_area = rng.random(n_fac) < 0.5
    cs = ChoiceSet(
        minutes=minutes,
        tier=tier,
        beds=rng.uniform(10, 2000, n_fac),
        outpatients=rng.uniform(10, 8000, n_fac),
        in_area=in_area,
        lead_of_zone=rng.choice([1, 1, 1, -1], n_zones),
        facility_ids=tuple(f"f{j}" for j in range(n_fac)),
    )
    pop = rng.uniform(0, 20_000, n_zones)
    params = ChoiceParams(beta_time=-float(rng.uniform(0.0, 0.1)))
    flows = patient_flows(cs, zone_demand(pop, DemandRates()), params)
    cap = draw(st.one_of(st.none(), st.floats(0.0, 5_000.0)))
    share = draw(st.floats(0.0, 1.0))
    return flows, HostingLink("f0", "f1", capacity_per_year=cap, followup_share=share)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_hosting_never_raises_patient_hours(instance):
    """Property: for any flows and link, patient-hours never rise, every visit still goes
    somewhere, the capacity holds and the reported savings equal the drop in hours."""
    flows, link = instance
    after, (effect,) = host_flows(flows, [link])
    before_h, after_h = _hours(flows), _hours(after)
    assert after_h <= before_h + 1e-9 * max(1.0, before_h)
    np.testing.assert_allclose(after.visits.sum(axis=2), flows.visits.sum(axis=2), atol=1e-6)
    assert (after.visits >= 0).all()
    saved = effect.redirect_hours.sum() + effect.followup_hours.sum()
    assert saved == pytest.approx(before_h - after_h, rel=1e-9, abs=1e-6)
    assert (effect.redirect_hours >= 0).all() and (effect.followup_hours >= 0).all()
    if link.capacity_per_year is not None:
        assert effect.redirected_per_year <= link.capacity_per_year * (1 + 1e-12) + 1e-9
