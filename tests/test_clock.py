"""Tests of netopt._clock: the one clock-time parser."""

from __future__ import annotations

import datetime as dt

import pytest

from netopt._clock import format_clock, is_clock, parse_clock


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("00:00", 0.0), ("7:05", 425.0), ("07:30", 450.0), ("23:59", 1439.0), ("24:00", 1440.0)],
)
def test_parse_clock_accepts_the_day(text, minutes):
    """Every time from 00:00 to 24:00 parses to minutes after midnight."""
    assert parse_clock(text) == minutes
    assert is_clock(text)


@pytest.mark.parametrize("text", ["24:01", "25:00", "12:60", "7", "07:3", "ab:cd", "", "-1:00"])
def test_parse_clock_rejects_the_rest(text):
    """Out-of-range and malformed times are refused with the text in the message."""
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(text)
    assert not is_clock(text)


def test_parse_clock_takes_toml_times_and_formats_back():
    """A TOML local time parses; formatting floors or rounds and round-trips."""
    assert parse_clock(dt.time(8, 15)) == 495.0
    assert format_clock(450.7) == "07:30"
    assert format_clock(450.7, rounding="nearest") == "07:31"
    for m in range(0, 1441, 7):
        assert parse_clock(format_clock(m)) == m
