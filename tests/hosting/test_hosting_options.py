"""Hosting options: the region.toml rows and the scenario table, every problem at once."""

from __future__ import annotations

import dataclasses

import pytest

from netopt._errors import DataError
from netopt.flows import TRANSFER_LEVELS
from netopt.hosting import (
    FOLLOWUP_SHARE,
    HostingCandidate,
    HostingLink,
    HostingOptions,
)


def test_region_rows_become_links_with_the_documented_defaults():
    """A [[hosting]] row gives a link with the default share, levels and no capacity."""
    options = HostingOptions.from_dict([{"partner": "NB-H01", "lead": "XS-H02"}])
    (link,) = options.links
    assert link == HostingLink("NB-H01", "XS-H02")
    assert link.followup_share == FOLLOWUP_SHARE == 0.75
    assert link.followup_levels == ("recurring",)
    assert link.referral_levels == TRANSFER_LEVELS
    assert link.capacity_per_year is None
    assert options.partner_of_lead == {"XS-H02": "NB-H01"}
    assert not options.choose


def test_scenario_table_shares_its_values_with_links_that_leave_them_out():
    """The table's followup_share applies to links without one; a link's own value wins."""
    options = HostingOptions.from_dict(
        {
            "followup_share": 0.5,
            "links": [
                {"partner": "NB-H01", "lead": "XS-H02"},
                {"partner": "NB-H01", "lead": "XS-H01", "followup_share": 0.9},
            ],
        }
    )
    assert [x.followup_share for x in options.links] == [0.5, 0.9]
    assert options.link("NB-H02", "XS-H03", 10).followup_share == 0.5


def test_choose_reads_candidates_as_tables_or_ids():
    """Candidates may be ids (no limit) or tables with a capacity."""
    options = HostingOptions.from_dict(
        {"choose": True, "candidates": ["NB-H01", {"partner": "NB-H02", "capacity_per_year": 300}]}
    )
    assert options.candidates == (
        HostingCandidate("NB-H01"),
        HostingCandidate("NB-H02", 300.0),
    )


def test_to_dict_from_dict_round_trip():
    """to_dict gives a table that from_dict reads back to equal options."""
    options = HostingOptions(
        links=(HostingLink("T1", "C1", 500.0, 0.6, source="Hubei pattern"),),
        choose=True,
        candidates=(HostingCandidate("T2", 100.0), HostingCandidate("T3")),
        leads=("C2",),
        followup_share=0.7,
    )
    again = HostingOptions.from_dict(options.to_dict())
    assert again == options


def test_every_problem_is_listed_at_once_with_its_row():
    """Unknown keys (with the closest key), bad values and missing ids, all in one error."""
    rows = [
        {"partner": "NB-H01", "lead": "XS-H02", "folowup_share": 0.5},
        {"partner": "NB-H01", "lead": "XS-H01", "followup_share": 1.5},
        {"lead": "XS-H03", "capacity_per_year": -1, "followup_levels": ["chemo"]},
    ]
    with pytest.raises(DataError, match="did you mean 'followup_share'") as info:
        HostingOptions.from_dict(rows, source="region.toml [[hosting]]")
    text = str(info.value)
    assert "[[hosting]] #1" in text and "[[hosting]] #2" in text and "[[hosting]] #3" in text
    assert "use a share in [0, 1]" in text
    assert "field 'partner': missing" in text


def test_bad_link_values_are_all_reported():
    """A link checks its capacity, share, levels and that the partner is not the lead."""
    with pytest.raises(DataError) as info:
        HostingLink("C1", "C1", -5, 2.0, ("chemo",))
    fields = {p.field for p in info.value.problems}
    assert fields == {"partner", "capacity_per_year", "followup_share", "followup_levels"}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            {"links": [{"partner": "A", "lead": "L"}, {"partner": "B", "lead": "L"}]},
            "give each lead at most one partner",
        ),
        ({"choose": True}, "give candidate partners"),
        ({"candidates": ["A"]}, "set choose = true"),
        ({"choose": True, "candidates": ["A", "A"]}, "list each partner once"),
        ({"chose": True}, "did you mean 'choose'"),
        ({"links": {"partner": "A"}}, "use a list of tables"),
    ],
)
def test_inconsistent_tables_are_data_errors(data, match):
    """Two partners for one lead, choose without candidates, typos: a DataError each."""
    with pytest.raises(DataError, match=match):
        HostingOptions.from_dict(data)


def test_replace_checks_again():
    """replace() re-runs the checks."""
    with pytest.raises(DataError, match="use a share"):
        HostingOptions().replace(followup_share=-0.1)


def test_region_metadata_rows(synthetic_region):
    """from_region reads region.toml's [[hosting]] rows (none: empty options)."""
    assert HostingOptions.from_region(synthetic_region).is_empty
    region = dataclasses.replace(
        synthetic_region, metadata={"hosting": [{"partner": "T1", "lead": "C1"}]}
    )
    assert HostingOptions.from_region(region).partner_of_lead == {"C1": "T1"}
    bad = dataclasses.replace(synthetic_region, metadata={"hosting": [{"partner": "T1"}]})
    with pytest.raises(DataError, match=r"region.toml \[\[hosting\]\] #1"):
        HostingOptions.from_region(bad)
