"""Clock times: the one parser and formatter of ``"HH:MM"`` text in netopt.

Every layer that reads a clock time (ferry timetables in region files, scenario
``depart_at`` and extra departures, the rotation working day) uses these functions, so
that one range holds everywhere: ``00:00`` to ``23:59``, and ``24:00`` for the end of a
day (a service that runs until midnight).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

__all__ = ["DAY_MIN", "format_clock", "is_clock", "parse_clock"]

#: Minutes in a day.
DAY_MIN = 24 * 60

_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def parse_clock(text: Any) -> float:
    """Return minutes after midnight of an ``"HH:MM"`` clock time.

    Parameters
    ----------
    text : str or datetime.time
        ``"HH:MM"`` with 00:00 <= time <= 24:00 (``"24:00"`` is the end of the day); a
        :class:`datetime.time` (as TOML reads ``07:30:00``) is accepted too.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the text is not a clock time or is out of range.

    Examples
    --------
    >>> parse_clock("07:30")
    450.0
    """
    if isinstance(text, dt.time):
        return float(text.hour * 60 + text.minute)
    match = _CLOCK.match(str(text).strip())
    if match is None:
        raise ValueError(f"clock time {text!r} is not 'HH:MM'")
    h, m = int(match.group(1)), int(match.group(2))
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(f"clock time {text!r} is out of range 00:00..24:00")
    return float(h * 60 + m)


def is_clock(text: Any) -> bool:
    """Return True if ``text`` is a valid ``"HH:MM"`` clock time (see :func:`parse_clock`).

    Parameters
    ----------
    text : object

    Returns
    -------
    bool
    """
    try:
        parse_clock(text)
    except ValueError:
        return False
    return True


def format_clock(minutes: float, *, rounding: str = "floor") -> str:
    """Return ``"HH:MM"`` for minutes after midnight.

    Parameters
    ----------
    minutes : float
        Minutes after midnight (0 <= minutes <= 1440).
    rounding : {"floor", "nearest"}, default "floor"
        Round down to the minute, or to the nearest minute.

    Returns
    -------
    str

    Examples
    --------
    >>> format_clock(450.7)
    '07:30'
    >>> format_clock(450.7, rounding="nearest")
    '07:31'
    """
    m = int(minutes) if rounding == "floor" else int(round(float(minutes)))  # noqa: RUF046
    return f"{m // 60:02d}:{m % 60:02d}"
