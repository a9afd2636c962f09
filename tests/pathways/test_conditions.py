"""Conditions, the capability vocabulary and region.toml [conditions.<key>] overrides."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from netopt._errors import DataError
from netopt.io import load_region
from netopt.pathways import CAPABILITIES, CONDITIONS, Condition, capable, conditions_for


def _with_conditions(region, table):
    return dataclasses.replace(region, metadata={**region.metadata, "conditions": table})


def test_five_defaults_with_sources_and_estimate_labels():
    """The defaults are the five conditions of the spec, each cited, ESTIMATEs marked."""
    assert list(CONDITIONS) == [
        "stroke",
        "stemi",
        "pulmonary_embolism",
        "major_trauma",
        "obstetric_haemorrhage",
    ]
    figures = {k: (c.window_min, c.door_to_treatment_min) for k, c in CONDITIONS.items()}
    assert figures == {
        "stroke": (270.0, 60.0),
        "stemi": (120.0, 30.0),
        "pulmonary_embolism": (120.0, 30.0),
        "major_trauma": (60.0, 0.0),
        "obstetric_haemorrhage": (60.0, 15.0),
    }
    assert CONDITIONS["stroke"].needs == (("stroke_centre",),)
    assert not CONDITIONS["stroke"].estimated
    assert all(c.estimated for k, c in CONDITIONS.items() if k != "stroke")
    assert all(c.source for c in CONDITIONS.values())
    assert "ESTIMATE" in CONDITIONS["major_trauma"].source


def test_vocabulary_covers_every_default_need():
    """Every capability a default condition needs is in CAPABILITIES."""
    assert {"ambulance", "helipad", "pe_reperfusion"} <= set(CAPABILITIES)
    assert {c for cond in CONDITIONS.values() for g in cond.needs for c in g} <= set(CAPABILITIES)


def test_capable_any_group_all_of_its_capabilities_and_stroke_centre_implies_thrombolysis():
    """A facility qualifies with every capability of one group; a stroke centre thrombolyses,
    but thrombolysis alone is no stroke pathway."""
    f = pd.DataFrame(
        {"capabilities": [("stroke_centre",), ("thrombolysis",), ("icu",), ("pci", "icu"), ()]}
    )
    assert capable(f, CONDITIONS["stroke"]).tolist() == [True, False, False, False, False]
    lysis = Condition("y", "y", 60.0, 0.0, (("thrombolysis",),))
    assert capable(f, lysis).tolist() == [True, True, False, False, False]
    both = Condition("x", "x", 60.0, 0.0, (("thrombolysis", "icu"), ("pci", "icu")))
    assert capable(f, both).tolist() == [False, False, False, True, False]
    assert capable(f.drop(columns="capabilities"), both).tolist() == [False] * 5


def test_defaults_without_overrides(synthetic_region):
    """A region without [conditions] gets the package defaults."""
    assert conditions_for(synthetic_region) == CONDITIONS
    assert conditions_for(None) == CONDITIONS


def test_override_changes_a_figure_and_keeps_the_source(synthetic_region):
    """[conditions.stroke] window_min = 240 overrides only that figure; the source says so."""
    region = _with_conditions(
        synthetic_region,
        {"stroke": {"window_min": 240}, "stemi": {"needs": [["pci", "icu"]]}},
    )
    out = conditions_for(region)
    assert out["stroke"].window_min == 240.0
    assert out["stroke"].door_to_treatment_min == 60.0
    assert out["stroke"].source.endswith("region override")
    assert out["stemi"].needs == (("pci", "icu"),)
    assert out["major_trauma"] == CONDITIONS["major_trauma"]


def test_a_region_can_add_a_condition(synthetic_region):
    """A new key with window_min and needs is a condition of the region's own."""
    region = _with_conditions(
        synthetic_region, {"sepsis": {"window_min": 60, "needs": "icu", "label": "Sepsis"}}
    )
    out = conditions_for(region)
    assert list(out)[-1] == "sepsis"
    assert out["sepsis"].needs == (("icu",),) and out["sepsis"].label == "Sepsis"


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ({"stroke": {"window_mins": 240}}, r"\[conditions\.stroke\].*'window_mins'.*'window_min'"),
        ({"stemi": {"window_min": "two hours"}}, r"\[conditions\.stemi\].*'window_min'.*number"),
        ({"stemi": {"needs": ["pcii"]}}, r"\[conditions\.stemi\].*'needs'.*did you mean 'pci'"),
        (
            {"strok": {"window_min": 240}},
            r"\[conditions\.strok\].*did you mean \[conditions\.stroke",
        ),
        (
            {"stroke": {"door_to_treatment_min": 300}},
            r"\[conditions\.stroke\].*'door_to_treatment_min'.*<= window_min",
        ),
        ({"stroke": 240}, r"\[conditions\.stroke\].*table"),
    ],
)
def test_bad_override_names_the_file_table_field_and_fix(synthetic_region, table, match):
    """A bad override is a DataError naming region.toml [conditions.<key>], the field, a fix."""
    with pytest.raises(DataError, match=match):
        conditions_for(_with_conditions(synthetic_region, table))


def test_every_bad_override_is_reported_at_once(synthetic_region):
    """Problems in several tables come in one DataError."""
    table = {"stroke": {"window_mins": 1}, "stemi": {"window_min": "x"}}
    with pytest.raises(DataError) as info:
        conditions_for(_with_conditions(synthetic_region, table))
    assert len(info.value.problems) == 2


def test_overrides_read_from_region_toml(region_folder):
    """[conditions.stroke] in region.toml loads and overrides the default window."""
    folder = region_folder(
        toml=[
            (
                '[facilities]\nfile = "facilities.csv"',
                '[conditions.stroke]\nwindow_min = 240\n\n[facilities]\nfile = "facilities.csv"',
            )
        ]
    )
    assert conditions_for(load_region(folder))["stroke"].window_min == 240.0
