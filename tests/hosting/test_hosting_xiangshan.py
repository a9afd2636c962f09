"""Xiangshan: a Shipu chemotherapy patient's follow-up at the Red Cross hospital, not Ningbo.

The source (Zhejiang Daily, via en-health.articles01.com; geodata/xiangshan/sources/README.md)
says that since 2019 Ningbo Huamei Hospital (NB-H01) and Xiangshan's Red Cross Taiwan
Compatriot Hospital (XS-H02, in Shipu) form an urban alliance, and that a colon-cancer
patient from Shipu who has his cycles in Xiangshan "saves over 4 hours of driving to Ningbo
and back each time".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from netopt.flows import CARE_LEVELS, ChoiceParams, ChoiceSet, patient_flows
from netopt.graph import build_graph, travel_times
from netopt.hosting import HostingLink, HostingOptions, host_flows, plan_hosting
from netopt.io import load_region

XIANGSHAN = Path(__file__).resolve().parents[2] / "geodata" / "xiangshan"
REC = CARE_LEVELS.index("recurring")


@pytest.fixture(scope="module")
def xiangshan():
    region = load_region(XIANGSHAN)
    return region, build_graph(region)


def test_shipu_followup_saves_hours_per_cycle_as_the_source_reports(xiangshan):
    """A Shipu chemotherapy cycle at XS-H02 instead of NB-H01 saves about 4 hours.

    How it was computed: the Xiangshan travel graph (``build_graph`` on
    ``load_region('geodata/xiangshan')``) gives the one-way minutes (``travel_times``) from
    every mainland Shipu Town zone to NB-H01 and to XS-H02. A choice set of these two
    hospitals, XS-H02 leading every zone, carries one recurring visit a year per zone in the
    flows; the link NB-H01 -> XS-H02 with ``followup_share = 1`` brings each cycle at NB-H01
    home, and the model's hours saved per trip are ``2 x (t_NB-H01 - t_XS-H02) / 60``. For the
    zone of the town seat (the XS-T05 health centre's point, beside XS-H02) that is 4.7 h
    (143 min each way to Ningbo); the mean over the mainland Shipu zones, weighted by
    residents, is 4.2 h; the source's "over 4 hours ... each time" is of that order.
    """
    region, graph = xiangshan
    zones = region.zones
    shipu = zones.index[(zones["township"] == "Shipu Town") & ~zones["island"].astype(bool)]
    tt = travel_times(graph, [f"zone:{z}" for z in shipu], ["facility:NB-H01", "facility:XS-H02"])
    minutes = np.asarray(tt.seconds, dtype=float) / 60.0
    cs = ChoiceSet(
        minutes=minutes,
        tier=["tertiary", "county"],
        beds=[2000.0, 600.0],
        outpatients=[8000.0, 1800.0],
        in_area=[False, True],
        lead_of_zone=np.ones(len(shipu), dtype=int),
        facility_ids=("NB-H01", "XS-H02"),
    )
    demand = np.zeros((len(shipu), len(CARE_LEVELS)))
    demand[:, REC] = 1.0
    flows = patient_flows(cs, demand, ChoiceParams(beta_time=0.0, lead_bonus=0.0))
    _, (effect,) = host_flows(flows, [HostingLink("NB-H01", "XS-H02", followup_share=1.0)])
    per_trip = effect.followup_hours / effect.followups[REC]
    np.testing.assert_allclose(per_trip, 2.0 * (minutes[:, 0] - minutes[:, 1]) / 60.0)
    seat = region.facilities.to_crs(4326).geometry["XS-T05"]
    seat_zone = np.flatnonzero(zones.loc[shipu].to_crs(4326).geometry.contains(seat))
    assert len(seat_zone) == 1
    assert 4.0 <= per_trip[seat_zone[0]] <= 5.5
    pop = zones.loc[shipu, "population"].to_numpy(float)
    mean = float((per_trip * pop).sum() / pop.sum())
    assert 3.5 <= mean <= 5.5


def test_huamei_hosting_the_county_hospitals(xiangshan):
    """NB-H01 hosting XS-H02 (as sourced), then both county hospitals: follow-ups come home,
    patient-hours fall, and hosting both saves more than hosting one."""
    from netopt.alliances import AllianceOptions, plan_alliances

    region, graph = xiangshan
    plan = plan_alliances(
        region, graph, options=AllianceOptions(evaluate_only=True, max_travel_min=60)
    )
    sourced = plan_hosting(
        plan, options=HostingOptions.from_dict([{"partner": "NB-H01", "lead": "XS-H02"}])
    )
    both = plan_hosting(
        plan,
        options=HostingOptions.from_dict(
            [{"partner": "NB-H01", "lead": "XS-H02"}, {"partner": "NB-H01", "lead": "XS-H01"}]
        ),
    )
    for hosting in (sourced, both):
        before = hosting.base.kpis()["flow_patient_hours_per_year"]
        assert hosting.flows.kpis()["flow_patient_hours_per_year"] < before
    assert sourced.record()["partner_of_lead"] == {"XS-H02": "NB-H01"}
    assert "stemi" in sourced.links.at[0, "conditions_up"]
    places = sourced.by_place().set_index(["island_name", "township"])
    shipu = places.loc[("mainland", "Shipu Town")]
    assert shipu["followups_home_per_year"] > 0
    assert 2.5 <= shipu["followup_hours_saved_per_trip"] <= 5.5
    key = "hosting_followup_patient_hours_saved_per_year"
    assert both.kpis()[key] > sourced.kpis()[key] > 0
