"""The facility choice model: eligibility, sizes, utilities, probabilities and MNL weights."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netopt._errors import DataError
from netopt.flows import (
    CARE_LEVELS,
    ChoiceParams,
    ChoiceSet,
    choice_probabilities,
    choice_weights,
    eligibility,
    size,
    utilities,
)

TIERS = ("tertiary", "county", "township", "village")
L = len(CARE_LEVELS)


def small_set(**changes) -> ChoiceSet:
    """Two zones; a tertiary hospital outside, a county hospital, a township and a village."""
    data = {
        "minutes": np.array([[90.0, 30.0, 10.0, 5.0], [60.0, 20.0, 25.0, np.inf]]),
        "tier": ["tertiary", "county", "township", "village"],
        "beds": [1200.0, 300.0, 20.0, 0.0],
        "outpatients": [4000.0, 1000.0, 150.0, 20.0],
        "in_area": [False, True, True, True],
        "lead_of_zone": [1, -1],
        "facility_ids": ("T", "C", "W", "V"),
    }
    data.update(changes)
    return ChoiceSet(**data)


@st.composite
def choice_sets(draw) -> tuple[ChoiceSet, ChoiceParams]:
    """Random small choice sets in which facility 0, a county hospital, is always reachable."""
    n_zones = draw(st.integers(1, 4))
    n_fac = draw(st.integers(1, 5))
    minute = st.one_of(st.floats(0.0, 300.0), st.just(np.inf))
    minutes = np.array(draw(st.lists(minute, min_size=n_zones * n_fac, max_size=n_zones * n_fac)))
    minutes = minutes.reshape(n_zones, n_fac)
    minutes[:, 0] = draw(st.floats(0.0, 300.0))
    tier = draw(st.lists(st.sampled_from(TIERS), min_size=n_fac, max_size=n_fac))
    tier[0] = "county"
    positive = st.one_of(st.just(0.0), st.just(np.nan), st.floats(1.0, 5000.0))
    cs = ChoiceSet(
        minutes=minutes,
        tier=tier,
        beds=draw(st.lists(positive, min_size=n_fac, max_size=n_fac)),
        outpatients=draw(st.lists(positive, min_size=n_fac, max_size=n_fac)),
        in_area=draw(st.lists(st.booleans(), min_size=n_fac, max_size=n_fac)),
        lead_of_zone=draw(st.lists(st.integers(-1, n_fac - 1), min_size=n_zones, max_size=n_zones)),
        expert_days=draw(
            st.lists(st.sampled_from([0.0, 10.0, 100.0]), min_size=n_fac, max_size=n_fac)
        ),
        upgraded=draw(st.lists(st.booleans(), min_size=n_fac, max_size=n_fac)),
    )
    coef = st.floats(-5.0, 5.0)
    params = ChoiceParams(
        beta_time=draw(st.floats(-0.5, -0.001)),
        size_elasticity=draw(st.floats(0.0, 2.0)),
        grassroots_constant=draw(coef),
        outside_constant=draw(coef),
        lead_bonus=draw(coef),
        expert_bonus=draw(coef),
    )
    return cs, params


@settings(max_examples=150, deadline=None, derandomize=True)
@given(choice_sets())
def test_probabilities_sum_to_one_and_ineligible_get_zero(case):
    """Every (level, zone) row sums to one; ineligible or unreachable facilities get exactly 0."""
    cs, params = case
    prob = choice_probabilities(cs, params)
    assert prob.shape == (L, cs.n_zones, cs.n_facilities)
    np.testing.assert_allclose(prob.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    closed = ~(eligibility(cs).T[:, None, :] & np.isfinite(cs.minutes)[None])
    assert np.all(prob[closed] == 0.0)
    assert np.all(prob >= 0)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(choice_sets(), st.data())
def test_faster_trip_raises_that_facilitys_probability(case, data):
    """Cutting the time to one facility never lowers its probability, and raises a share < 1."""
    cs, params = case
    zone = data.draw(st.integers(0, cs.n_zones - 1))
    fac = data.draw(st.integers(0, cs.n_facilities - 1))
    if not np.isfinite(cs.minutes[zone, fac]) or cs.minutes[zone, fac] == 0:
        fac = 0
    factor = data.draw(st.floats(0.0, 0.9))
    faster = cs.minutes.copy()
    faster[zone, fac] *= factor
    before = choice_probabilities(cs, params)[:, zone, fac]
    after = choice_probabilities(ChoiceSet(**{**_fields(cs), "minutes": faster}), params)
    after = after[:, zone, fac]
    assert np.all(after >= before - 1e-15)
    strictly = (before > 1e-9) & (before < 1 - 1e-9) & (cs.minutes[zone, fac] > 1.0)
    assert np.all(after[strictly] > before[strictly])


def _fields(cs: ChoiceSet) -> dict:
    return {name: getattr(cs, name) for name in cs.__dataclass_fields__}


def test_probabilities_match_the_logit_formula():
    """Two villages 10 and 20 minutes away, equal size: p = 1 / (1 + exp(-0.5)) for the nearer."""
    cs = ChoiceSet(
        minutes=[[10.0, 20.0, 5.0]],
        tier=["village", "village", "county"],
        beds=[0.0, 0.0, 100.0],
        outpatients=[50.0, 50.0, 50.0],
        in_area=[True, True, True],
        lead_of_zone=[-1],
    )
    params = ChoiceParams(beta_time=-0.05, grassroots_constant=30.0)
    prob = choice_probabilities(cs, params)
    p_near = np.exp(-0.5) / (np.exp(-0.5) + np.exp(-1.0) + np.exp(-0.25 - 30.0))
    assert prob[0, 0, 0] == pytest.approx(p_near, rel=1e-12)
    assert prob[1:, 0, 2] == pytest.approx(np.ones(L - 1))


def test_utilities_are_stable_for_huge_values():
    """Utilities of +-1e4 do not overflow: the softmax is shifted by the row maximum."""
    cs = small_set()
    params = ChoiceParams(grassroots_constant=1e4, outside_constant=-1e4)
    prob = choice_probabilities(cs, params)
    assert np.isfinite(prob).all()
    np.testing.assert_allclose(prob.sum(axis=-1), 1.0)
    assert prob[0, 0, 2] + prob[0, 0, 3] == pytest.approx(1.0)


def test_eligibility_follows_tiers_upgrades_and_expert_clinics():
    """Hospitals offer every level; townships add outpatient/recurring care with experts."""
    cs = small_set(expert_days=[0.0, 0.0, 50.0, 0.0], upgraded=[False, False, False, True])
    elig = eligibility(cs)
    expected = {
        "grassroots": [1, 1, 1, 1],
        "hospital_outpatient": [1, 1, 1, 1],
        "inpatient": [1, 1, 0, 1],
        "emergency": [1, 1, 0, 1],
        "recurring": [1, 1, 1, 1],
    }
    for lev, name in enumerate(CARE_LEVELS):
        assert elig[:, lev].tolist() == [bool(x) for x in expected[name]], name
    plain = eligibility(small_set())
    assert plain[2:, 1:].sum() == 0


def test_size_fills_missing_values_with_the_tier_median():
    """A village without beds takes its tier's median; expert clinics are sized by their days."""
    cs = small_set(
        tier=["county", "county", "county", "township"],
        beds=[100.0, np.nan, 300.0, 0.0],
        expert_days=[0.0, 0.0, 0.0, 73.0],
    )
    s = size(cs, ChoiceParams(patients_per_expert_day=10.0))
    inpatient = CARE_LEVELS.index("inpatient")
    assert s[1, inpatient] == pytest.approx(200.0)
    assert s[3, inpatient] == pytest.approx(1.0)
    assert s[3, CARE_LEVELS.index("hospital_outpatient")] == pytest.approx(73.0 * 10.0 / 365.0)
    assert (s > 0).all()


def test_no_reachable_facility_names_zone_and_level():
    """A zone that reaches no hospital cannot be given emergency care: the error says which."""
    cs = small_set(minutes=np.array([[90.0, 30.0, 10.0, 5.0], [np.inf, np.inf, 25.0, 9.0]]))
    with pytest.raises(ValueError, match=r"zone 1, field 'emergency'"):
        choice_probabilities(cs)
    prob = choice_probabilities(cs, need=np.array([[True] * L, [True] + [False] * (L - 1)]))
    assert prob[1:, 1].sum() == 0.0
    assert prob[0, 1].sum() == pytest.approx(1.0)


def test_choice_weights_times_offset_give_exp_utility():
    """weights x exp(offset) equals exp(V) exactly; weights of another call share its offset."""
    cs = small_set()
    params = ChoiceParams(beta_time=-0.1, lead_bonus=2.0)
    weights, offset = choice_weights(cs, params)
    value = utilities(cs, params)
    assert offset.shape == (L, cs.n_zones)
    np.testing.assert_allclose(weights * np.exp(offset)[..., None], np.exp(value), rtol=1e-13)
    assert weights.max(axis=-1) == pytest.approx(np.ones((L, cs.n_zones)))
    upgraded = cs.with_upgrades(np.array([False, False, True, False]))
    w2, o2 = choice_weights(upgraded, params, offset=offset)
    assert np.array_equal(o2, offset)
    np.testing.assert_allclose(w2[:, :, [0, 1, 3]], weights[:, :, [0, 1, 3]], rtol=1e-13)
    with pytest.raises(ValueError, match="offset"):
        choice_weights(cs, params, offset=np.zeros(3))


def test_lead_and_outside_constants_enter_the_utility():
    """The zone's lead gets lead_bonus; facilities outside the area get outside_constant."""
    cs = small_set()
    base = utilities(cs, ChoiceParams(lead_bonus=0.0))
    bonus = utilities(cs, ChoiceParams(lead_bonus=1.5, outside_constant=-2.0))
    finite = np.isfinite(base)
    diff = np.zeros_like(base)
    diff[finite] = bonus[finite] - base[finite]
    assert diff[:, 0, 1] == pytest.approx(np.full(L, 1.5))
    assert diff[:, 1, 1] == pytest.approx(np.zeros(L))
    assert diff[:, :, 0] == pytest.approx(np.full((L, 2), -2.0))
    assert np.isneginf(base[:, 1, 3]).all()


def test_choice_set_is_immutable():
    """with_experts returns a new choice set; the arrays of the old one cannot be written."""
    cs = small_set()
    more = cs.with_experts(np.array([0.0, 0.0, 30.0, 0.0]))
    assert cs.expert_days.sum() == 0 and more.expert_days[2] == 30.0
    with pytest.raises(ValueError, match="read-only"):
        cs.minutes[0, 0] = 1.0


def test_bad_choice_set_lists_every_problem():
    """NaN minutes, an unknown tier and a lead out of range are reported together."""
    with pytest.raises(DataError) as info:
        small_set(
            minutes=np.array([[np.nan, 30.0, 10.0, 5.0], [60.0, 20.0, 25.0, 1.0]]),
            tier=["tertiary", "clinic", "township", "village"],
            lead_of_zone=[7, -1],
        )
    text = str(info.value)
    assert "3 problems" in text and "'clinic'" in text and "lead_of_zone" in text and "NaN" in text


def test_choice_params_from_dict_round_trip_and_typo():
    """[choice] tables round-trip; a typo gets the closest valid key."""
    params = ChoiceParams.from_dict({"beta_time": -0.02, "lead_bonus": 1})
    assert ChoiceParams.from_dict(params.to_dict()) == params
    with pytest.raises(DataError, match="did you mean 'beta_time'"):
        ChoiceParams.from_dict({"beta_tme": -0.02})
    with pytest.raises(DataError, match="patients_per_expert_day"):
        ChoiceParams(patients_per_expert_day=0.0)


def test_full_size_probabilities_are_fast():
    """2,500 zones x 500 facilities x 5 levels take well under a few seconds and sum to one."""
    rng = np.random.default_rng(7)
    n_zones, n_fac = 2500, 500
    minutes = rng.uniform(1.0, 120.0, (n_zones, n_fac))
    minutes[rng.random((n_zones, n_fac)) < 0.2] = np.inf
    minutes[:, 0] = 45.0
    tier = rng.choice(TIERS, n_fac)
    tier[0] = "county"
    cs = ChoiceSet(
        minutes, tier, rng.uniform(0, 500, n_fac), rng.uniform(0, 500, n_fac),
        rng.random(n_fac) < 0.8, rng.integers(-1, n_fac, n_zones),
    )  # fmt: skip
    start = time.perf_counter()
    prob = choice_probabilities(cs)
    assert time.perf_counter() - start < 5.0
    np.testing.assert_allclose(prob.sum(axis=-1), 1.0, atol=1e-12)
