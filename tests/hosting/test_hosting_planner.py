"""The Hubei pattern on the synthetic region: a tertiary hospital hosting a county hospital."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from netopt._errors import DataError
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.graph import build_graph
from netopt.hosting import (
    HOSTING_KPIS,
    LINK_COLUMNS,
    PLACE_COLUMNS,
    ZONE_COLUMNS,
    HostingOptions,
    plan_hosting,
)
from netopt.io import load_region

SYNTHETIC = Path(__file__).parents[1] / "data" / "synthetic"

#: Capabilities of the synthetic hospitals (the region's file has none): the county hospital
#: cannot treat a STEMI or a stroke, the tertiary one can (Wuhan Union takes the emergencies
#: Honghu's county hospital cannot treat).
CAPS = {
    "T1": ("pci", "stroke_centre", "thrombectomy", "trauma", "icu", "obstetric_emergency",
           "pe_reperfusion"),
    "C1": ("thrombolysis", "icu", "obstetric_emergency"),
}  # fmt: skip
HUBEI = {"links": [{"partner": "T1", "lead": "C1", "source": "Hubei pattern (Honghu)"}]}


@pytest.fixture(scope="module")
def plan():
    """The synthetic region with C1 as the only lead (today's county alliance)."""
    region = load_region(SYNTHETIC)
    facilities = region.facilities.copy()
    facilities["capabilities"] = [CAPS.get(i, ()) for i in facilities.index]
    region = dataclasses.replace(region, facilities=facilities)
    return plan_alliances(region, build_graph(region), options=AllianceOptions(fixed_leads=("C1",)))


@pytest.fixture(scope="module")
def hubei(plan):
    return plan_hosting(plan, options=HostingOptions.from_dict(HUBEI))


def test_hubei_pattern_brings_followups_home_and_saves_hours(plan, hubei):
    """T1 hosting C1: follow-ups come home to C1, patient-hours fall by the savings."""
    (link,) = hubei.links.to_dict(orient="records")
    assert (link["partner"], link["lead"]) == ("T1", "C1")
    assert link["followups_home_per_year"] > 0
    assert link["added_load_per_year"] == link["followups_home_per_year"]
    assert link["followup_patient_hours_saved_per_year"] > 0
    before = hubei.base.kpis()["flow_patient_hours_per_year"]
    after = hubei.flows.kpis()["flow_patient_hours_per_year"]
    saved = hubei.kpis()["hosting_patient_hours_saved_per_year"]
    assert before - after == pytest.approx(saved, rel=1e-9)
    assert after < before
    load = hubei.flows.facility_load()["recurring"] - hubei.base.facility_load()["recurring"]
    assert load["C1"] == pytest.approx(link["followups_home_per_year"])
    assert load["T1"] == pytest.approx(-link["followups_home_per_year"])


def test_conditions_the_county_cannot_treat_go_up(hubei):
    """The link names the time-critical conditions only the partner can treat."""
    assert set(hubei.links.at[0, "conditions_up"].split(";")) == {
        "stroke", "stemi", "major_trauma", "pulmonary_embolism",
    }  # fmt: skip


def test_tables_have_their_columns_and_add_up(hubei):
    """Links, zones and places: documented columns; the places sum to the link."""
    assert list(hubei.links.columns) == list(LINK_COLUMNS)
    assert list(hubei.zones.columns) == list(ZONE_COLUMNS)
    places = hubei.by_place()
    assert list(places.columns) == list(PLACE_COLUMNS)
    key = "followup_patient_hours_saved_per_year"
    assert places[key].sum() == pytest.approx(hubei.links[key].sum())
    islands = hubei.by_island()
    assert set(islands["island_name"]) == {"mainland", "Beiyu Island", "Xiaoyu Island"}
    island = islands[islands["island_name"] != "mainland"][key].sum()
    assert hubei.kpis()["hosting_followup_patient_hours_saved_per_year_island"] == pytest.approx(
        island
    )


def test_record_is_the_kpis_json_entry(hubei):
    """record(): the total saving, the partner of each lead, links and places, JSON-ready."""
    record = json.loads(json.dumps(hubei.record(), allow_nan=False))
    assert record["partner_of_lead"] == {"C1": "T1"}
    assert record["followup_patient_hours_saved_per_year"] == pytest.approx(
        hubei.kpis()["hosting_followup_patient_hours_saved_per_year"]
    )
    assert record["links"][0]["source"] == "Hubei pattern (Honghu)"
    assert record["links"][0]["capacity_per_year"] is None  # no limit
    assert record["solve"] is None and record["chosen"] is False
    assert {r["township"] for r in record["by_place"]} >= {"Dancheng", "Beiyu"}
    kpis = hubei.kpis()
    assert set(kpis) == set(HOSTING_KPIS)
    assert all(math.isfinite(v) for v in kpis.values())
    assert "T1 hosts C1" in hubei.summary()


def test_chosen_partner_is_the_tertiary_hospital(plan, hubei):
    """With T1 and C2 as candidates the optimiser hosts C1 by T1, optimally."""
    options = HostingOptions.from_dict({"choose": True, "candidates": ["T1", "C2"]})
    chosen = plan_hosting(plan, options=options)
    assert chosen.partner_of_lead == {"C1": "T1"}
    assert chosen.solve.is_optimal
    assert chosen.record()["solve"]["status"] == "optimal"
    assert chosen.kpis()["hosting_patient_hours_saved_per_year"] == pytest.approx(
        hubei.kpis()["hosting_patient_hours_saved_per_year"]
    )


def test_ids_the_plan_cannot_host_are_data_errors(plan):
    """Unknown ids, a township partner and a lead that is not a lead: all in one error."""
    options = HostingOptions.from_dict(
        [{"partner": "X9", "lead": "C1"}, {"partner": "H1", "lead": "C2"}]
    )
    with pytest.raises(DataError) as info:
        plan_hosting(plan, options=options)
    text = str(info.value)
    assert "unknown facility 'X9'" in text
    assert "H1 is a township facility" in text
    assert "C2 is not a lead of the plan" in text
    with pytest.raises(TypeError, match="HostingOptions.from_dict"):
        plan_hosting(plan, options=HUBEI)


def test_no_links_changes_nothing(plan):
    """Empty options: no link, the flows as they were."""
    hosting = plan_hosting(plan, options=HostingOptions())
    assert len(hosting.links) == 0 and hosting.record()["partner_of_lead"] == {}
    assert hosting.kpis()["hosting_patient_hours_saved_per_year"] == 0.0
    assert len(hosting.by_place()) == 0
