"""Tests of netopt.solve.params: the one solver-parameters object."""

from __future__ import annotations

import pytest

from netopt._errors import DataError
from netopt.solve.params import SolverParams


def test_defaults_and_from_dict():
    """Defaults are 60 s, seed 0, deterministic, 2 workers; a table overrides some of them."""
    p = SolverParams()
    assert (p.time_limit_s, p.seed, p.deterministic, p.workers) == (60.0, 0, True, 2)
    q = SolverParams.from_dict({"time_limit_s": 5, "seed": 3})
    assert q == SolverParams(time_limit_s=5.0, seed=3)
    assert SolverParams.from_dict(q.to_dict()) == q
    assert SolverParams(time_limit_s=None).to_dict() == {
        "seed": 0,
        "deterministic": True,
        "workers": 2,
    }


def test_bad_values_are_named_together():
    """Every bad value is reported in one DataError naming the field."""
    with pytest.raises(DataError) as info:
        SolverParams(time_limit_s=-1, seed=1.5, workers=0)
    fields = {p.field for p in info.value.problems}
    assert fields == {"time_limit_s", "seed", "workers"}
    with pytest.raises(DataError, match="time_limit_s"):
        SolverParams(time_limit_s=float("inf"))
    with pytest.raises(DataError, match="deterministic"):
        SolverParams(deterministic="yes")


def test_unknown_key_suggests_the_unit_name():
    """The old key `time_limit` is refused with a pointer to `time_limit_s`."""
    with pytest.raises(DataError, match="did you mean 'time_limit_s'") as info:
        SolverParams.from_dict({"time_limit": 20}, source="today.toml [solver]")
    assert "today.toml [solver]" in str(info.value)


def test_replace_checks_again():
    """replace() returns a new object and validates the change."""
    p = SolverParams(seed=1)
    assert p.replace(seed=2).seed == 2 and p.seed == 1
    with pytest.raises(DataError, match="seed"):
        p.replace(seed=-4)
