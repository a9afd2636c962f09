"""Pathways on the synthetic region: day, night, storm, the helicopter, options and KPIs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netopt._errors import DataError
from netopt.graph import at_night, build_graph, close_ferry, emergency_mode
from netopt.pathways import (
    CAPABILITIES,
    CONDITIONS,
    PERIODS,
    PathwayOptions,
    TransferMode,
    pathway_times,
    plan_pathways,
)

#: Capabilities given to the synthetic facilities (the region's file has none).
CAPS = {
    "T1": ("pci", "stroke_centre", "thrombectomy", "trauma", "icu", "obstetric_emergency",
           "pe_reperfusion", "helipad"),
    "C1": ("pci", "thrombolysis", "icu"),
    "C2": ("thrombolysis", "obstetric_emergency"),
}  # fmt: skip
ISLANDERS = 24_400 + 3_550  # Beiyu (by ferry) and Xiaoyu (bridged to Beiyu)
HELICOPTER = {"name": "helicopter", "kind": "air", "dispatch_min": 30, "speed_kmh": 200,
              "hours": "07:00-18:00", "flies_in_storm": False}  # fmt: skip


def _with(region, caps=None, **metadata):
    facilities = region.facilities.copy()
    facilities["capabilities"] = [(caps or CAPS).get(i, ()) for i in facilities.index]
    return dataclasses.replace(
        region, facilities=facilities, metadata={**region.metadata, **metadata}
    )


@pytest.fixture(scope="module")
def region(_synthetic_region_cached):
    """The synthetic region with capabilities: C1 pci;thrombolysis;icu, T1 everything."""
    return _with(_synthetic_region_cached)


@pytest.fixture(scope="module")
def graph(region):
    return build_graph(region)


@pytest.fixture(scope="module")
def storm(graph):
    """The only ferry (F1) closed: Beiyu and Xiaoyu are cut off from the mainland."""
    return close_ferry(graph, "F1")


@pytest.fixture(scope="module")
def times(region, graph, storm):
    """Day and night matrices of the normal and the storm network, in emergency mode."""
    out = {}
    for name, g in (("normal", graph), ("storm", storm)):
        e = emergency_mode(g)
        out[name] = {"day": pathway_times(region, e), "night": pathway_times(region, at_night(e))}
    return out


@pytest.fixture(scope="module")
def plans(region, graph, storm):
    return {"normal": plan_pathways(region, graph), "storm": plan_pathways(region, storm)}


def test_every_resident_counts(region, plans):
    """The shares divide by the whole population, for every condition, period and network."""
    total = region.zones["population"].sum()
    for plan in plans.values():
        assert (plan.summary["population"] == total).all()
        assert len(plan.table) == len(region.zones) * len(CONDITIONS) * len(PERIODS)
        for (key, period), g in plan.by_place.groupby(["condition", "period"]):
            assert g["population"].sum() == total
            not_in_time = plan.summary.loc[(key, period), "population_not_in_time"]
            assert g["population_not_in_time"].sum() == pytest.approx(not_in_time)


def test_islands_cut_off_by_the_storm_are_not_in_time_but_counted(plans):
    """In a storm the islanders reach a PCI centre only after the ferry reopens: not in time."""
    plan = plans["storm"]
    stemi = plan.table[plan.table["condition"] == "stemi"]
    islands = stemi[stemi["island"] != "mainland"]
    assert not islands["in_time"].any()
    assert np.isfinite(islands["minutes"]).all()  # reopening times, not dropped
    assert (islands["minutes"] > 6 * 60).all()
    for period in PERIODS:
        row = plan.summary.loc[("stemi", period)]
        assert row["population_not_in_time"] == ISLANDERS
        assert row["share_in_time"] == pytest.approx(1 - ISLANDERS / row["population"])
    # with the ferry running the islands are in time by day (C1 across the strait)
    normal = plans["normal"].table
    day = normal[(normal["condition"] == "stemi") & (normal["period"] == "day")]
    assert day["in_time"].all()


def test_obstetric_care_on_the_island_does_not_depend_on_the_ferry(plans):
    """C2 on Beiyu treats obstetric haemorrhage: a storm changes nothing for its islanders."""
    for plan in plans.values():
        t = plan.table[plan.table["condition"] == "obstetric_haemorrhage"]
        beiyu = t[t["island"] == "Beiyu Island"]
        assert beiyu["in_time"].all() and set(beiyu["centre"]) == {"C2"}


def test_helicopter_flies_by_day_and_only_in_the_weather_it_flies_in(region, storm, times):
    """By day in a storm the islanders are in time only if the helicopter flies in storms."""
    t = {"times_day": times["storm"]["day"], "times_night": times["storm"]["night"]}
    grounded = plan_pathways(_with(region, transfer_modes=[HELICOPTER]), storm, **t)
    flying = plan_pathways(
        _with(region, transfer_modes=[{**HELICOPTER, "flies_in_storm": True}]), storm, **t
    )
    assert any("grounded" in m for m in grounded.messages)
    assert grounded.summary.loc[("stemi", "day"), "route_air"] == 0
    t = flying.table[(flying.table["condition"] == "stemi")]
    day = t[(t["period"] == "day") & (t["island"] != "mainland")]
    night = t[(t["period"] == "night") & (t["island"] != "mainland")]
    assert day["in_time"].all() and set(day["route"]) == {"air"} and set(day["centre"]) == {"T1"}
    assert not night["in_time"].any() and "air" not in set(night["route"])  # 02:00: no flight


def test_kpis_nested_and_flat(plans):
    """kpis() gives the nested pathways table and flat pathway_<cond>_in_time_<period> keys."""
    kpis = plans["storm"].kpis()
    assert set(kpis["pathways"]) == set(CONDITIONS)
    stemi = kpis["pathways"]["stemi"]
    assert stemi["window_min"] == 120.0
    assert set(stemi["share_in_time"]) == {"day", "night"}
    assert kpis["pathway_stemi_in_time_day"] == stemi["share_in_time"]["day"]
    assert kpis["pathway_stroke_in_time_night"] == plans["storm"].share_in_time("stroke", "night")


def test_precomputed_times_give_the_same_plan(region, graph, times, plans):
    """Passing the matrices (as from pathway_times) gives the plan computed from the graph."""
    t = times["normal"]
    again = plan_pathways(region, graph, times_day=t["day"], times_night=t["night"])
    np.testing.assert_array_equal(
        again.table["minutes"].to_numpy(), plans["normal"].table["minutes"].to_numpy()
    )
    with pytest.raises(DataError, match="times_day"):
        plan_pathways(region, graph, times_day=(t["day"][0], t["day"][0]))


settings_ = settings(max_examples=25, deadline=None)
capabilities_ = st.lists(st.frozensets(st.sampled_from(CAPABILITIES)), min_size=10, max_size=10)


@settings_
@given(
    caps=capabilities_,
    dispatch=st.floats(0, 30),
    handover=st.floats(0, 30),
    heli=st.booleans(),
    storm_flight=st.booleans(),
)
def test_night_and_storm_never_raise_a_share(region, graph, storm, times, caps, dispatch,
                                             handover, heli, storm_flight):  # fmt: skip
    """For any capabilities: night share <= day share and storm share <= normal share."""
    ids = list(region.facilities.index)
    modes = [{**HELICOPTER, "flies_in_storm": storm_flight}] if heli else []
    r = _with(region, dict(zip(ids, map(tuple, caps), strict=True)), transfer_modes=modes)
    opts = PathwayOptions(dispatch_min=dispatch, handover_min=handover)
    shares = {}
    for name, g in (("normal", graph), ("storm", storm)):
        t = times[name]
        plan = plan_pathways(r, g, options=opts, times_day=t["day"], times_night=t["night"])
        shares[name] = plan.summary["share_in_time"]
        assert (plan.summary["population"] == region.zones["population"].sum()).all()
    for share in shares.values():
        s = share.unstack("period")
        assert (s["night"] <= s["day"] + 1e-12).all(), s
    assert (shares["storm"] <= shares["normal"] + 1e-12).all()


def test_the_same_inputs_give_the_same_plan(region, graph, plans):
    """Planning twice gives the same table (no randomness)."""
    again = plan_pathways(region, graph)
    assert again.table.equals(plans["normal"].table)


# --- options -------------------------------------------------------------------------


def test_options_round_trip_and_region_defaults(region):
    """from_dict(to_dict()) is the identity; None values come from [ambulance] or 12/15."""
    opts = PathwayOptions.from_dict(
        {"conditions": ["stemi"], "night_clock": "03:00", "transfer_modes": [HELICOPTER]}
    )
    assert PathwayOptions.from_dict(opts.to_dict()) == opts
    filled = PathwayOptions().for_region(region)
    assert (filled.dispatch_min, filled.handover_min, filled.transfer_modes) == (12.0, 15.0, ())
    r = _with(region, ambulance={"dispatch_min": 8}, transfer_modes=[HELICOPTER])
    filled = PathwayOptions().for_region(r)
    assert (filled.dispatch_min, filled.handover_min) == (8.0, 15.0)
    assert filled.transfer_modes == (TransferMode(),)
    assert PathwayOptions(dispatch_min=5.0).for_region(r).dispatch_min == 5.0


def test_conditions_option_selects_and_checks_keys(region, graph, times):
    """conditions=("stemi",) plans only STEMI; an unknown key suggests the closest."""
    t = times["normal"]
    plan = plan_pathways(region, graph, options=PathwayOptions(conditions=("stemi",)),
                         times_day=t["day"], times_night=t["night"])  # fmt: skip
    assert set(plan.table["condition"]) == {"stemi"}
    with pytest.raises(DataError, match=r"did you mean 'stemi'"):
        plan_pathways(region, graph, options=PathwayOptions(conditions=("stemy",)))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"dispatch": 10}, r"\[pathways\].*'dispatch'.*did you mean 'dispatch_min'"),
        ({"day_clock": "25:00"}, r"\[pathways\].*'day_clock'"),
        ({"transfer_modes": [{**HELICOPTER, "hours": "dawn"}]}, r"transfer_modes.*'hours'"),
        ({"transfer_modes": [{**HELICOPTER, "kind": "boat"}]}, r"'kind'.*emergency_fallback"),
    ],
)
def test_bad_options_are_data_errors(data, match):
    """A bad [pathways] table names the key and the fix."""
    with pytest.raises(DataError, match=match):
        PathwayOptions.from_dict(data)


def test_bad_region_tables_name_region_toml(region, graph):
    """Bad [ambulance], [[transfer_modes]] and [conditions.*] tables name region.toml."""
    with pytest.raises(DataError, match=r"region.toml \[ambulance\].*'dispatch_min'"):
        PathwayOptions().for_region(_with(region, ambulance={"dispatch_min": -3}))
    with pytest.raises(DataError, match=r"region.toml \[\[transfer_modes\]\] #1.*'speed_kmh'"):
        PathwayOptions().for_region(_with(region, transfer_modes=[{**HELICOPTER, "speed_kmh": 0}]))
    with pytest.raises(DataError, match=r"region.toml \[conditions.stroke\].*'window_mins'"):
        plan_pathways(_with(region, conditions={"stroke": {"window_mins": 1}}), graph)


def test_helicopter_hours():
    """A mode flies from the start of its hours until (not at) their end; ranges may wrap."""
    day = TransferMode()
    assert day.flies_at("07:00") and day.flies_at("17:59") and not day.flies_at("18:00")
    assert not day.flies_at("02:00")
    wrap = TransferMode(hours="20:00-06:00")
    assert wrap.flies_at("02:00") and not wrap.flies_at("12:00")
    assert TransferMode(hours="00:00-24:00").flies_at("23:59")
