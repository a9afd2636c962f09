"""GraphOptions: documented defaults, loading from a dict, validation."""

import pytest

from netopt import DataError
from netopt.graph import DEFAULT_ROAD_SPEEDS_KMH, GraphOptions


def test_from_dict_merges_road_speeds_over_defaults():
    """A partial speed table changes only the classes given and keeps the rest."""
    opts = GraphOptions.from_dict({"road_speeds_kmh": {"track": 8}, "max_snap_m": 3000})
    assert opts.road_speeds_kmh["track"] == 8.0
    assert opts.road_speeds_kmh["primary"] == DEFAULT_ROAD_SPEEDS_KMH["primary"]
    assert opts.max_snap_m == 3000


def test_unknown_and_invalid_options_are_listed_together():
    """Unknown keys are a DataError naming each key; invalid values name the field."""
    with pytest.raises(DataError, match="max_snap_km") as err:
        GraphOptions.from_dict({"max_snap_km": 2, "surface_speed": 3})
    assert len(err.value.problems) == 2
    with pytest.raises(DataError, match="detour_factor"):
        GraphOptions(detour_factor=0.5)
    with pytest.raises(DataError, match="surface"):
        GraphOptions(surface="sometimes")


def test_replace_round_trips_through_dict():
    """replace() changes one field and to_dict()/from_dict() reproduce the options."""
    opts = GraphOptions().replace(h3_resolution=8)
    assert opts.h3_resolution == 8
    assert GraphOptions.from_dict(opts.to_dict()) == opts
