"""A scenario's changes to the travel network: :class:`Modifiers` and the :class:`NewLink` s
they add.

Both are frozen and check themselves: a bad value is a :class:`~netopt.DataError` listing
every problem, each naming the field, what was found and the fix. Clock times are checked
with :mod:`netopt._clock`, the one clock parser. The other option objects of a scenario
belong to the planners that use them: :class:`netopt.graph.GraphOptions`,
:class:`netopt.alliances.AllianceOptions`, :class:`netopt.rotations.RotationOptions` and
:class:`netopt.solve.SolverParams`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netopt._clock import format_clock, is_clock, parse_clock
from netopt._errors import DataError, Problem
from netopt._options import OptionsMixin, unknown_keys

__all__ = ["Modifiers", "NewLink"]

#: Keys of one ``[modifiers.links.<name>]`` table.
_LINK_KEYS = ("from", "to", "travel_min")


@dataclass(frozen=True)
class NewLink:
    """A bridge or road to add to the network (see :func:`netopt.graph.add_link`).

    Parameters
    ----------
    name : str
        Link id, stored on the new edges.
    a, b : tuple of float
        Ends as (longitude, latitude), WGS-84.
    travel_min : float, optional
        Travel time; None: the length at the graph's ``link_speed_kmh``.

    Raises
    ------
    DataError
        If the name is empty, an end is not a longitude/latitude pair or the travel time is
        not a number > 0.

    Examples
    --------
    >>> NewLink("new_bridge", (121.90, 29.17), (121.95, 29.19), travel_min=5).travel_min
    5.0
    """

    name: str
    a: tuple[float, float]
    b: tuple[float, float]
    travel_min: float | None = None

    def __post_init__(self) -> None:
        source = f"[modifiers.links.{self.name}]"
        problems = []
        if not isinstance(self.name, str) or not self.name:
            problems.append(Problem(source, "", "name", repr(self.name), "give the link a name"))
        for attr, key in (("a", "from"), ("b", "to")):
            point = _lonlat(getattr(self, attr))
            if point is None:
                problems.append(
                    Problem(
                        source,
                        "",
                        key,
                        repr(getattr(self, attr)),
                        "use [longitude, latitude] in degrees (WGS-84)",
                    )
                )
            else:
                object.__setattr__(self, attr, point)
        if self.travel_min is not None:
            if not _positive(self.travel_min):
                problems.append(
                    Problem(source, "", "travel_min", repr(self.travel_min), "use minutes > 0")
                )
            else:
                object.__setattr__(self, "travel_min", float(self.travel_min))
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> NewLink:
        """Build a link from its ``[modifiers.links.<name>]`` table.

        Parameters
        ----------
        name : str
            The table's name (the link id).
        data : mapping
            ``from``, ``to`` ([lon, lat]) and optionally ``travel_min``.

        Returns
        -------
        NewLink

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key), missing ends and bad values.
        """
        source = f"[modifiers.links.{name}]"
        if not isinstance(data, Mapping):
            raise DataError(
                Problem(
                    "[modifiers.links]",
                    "",
                    str(name),
                    repr(data),
                    f"write it as {source} with keys {', '.join(_LINK_KEYS)}",
                )
            )
        problems = unknown_keys(source, data, _LINK_KEYS, sort=True)
        missing = [key for key in ("from", "to") if key not in data]
        problems += [
            Problem(source, "", key, "missing", "add [longitude, latitude]") for key in missing
        ]
        try:
            # A missing end is stood in for by a valid point, so the other values are checked.
            link = cls(
                str(name),
                data.get("from", (0.0, 0.0)),
                data.get("to", (0.0, 0.0)),
                data.get("travel_min"),
            )
        except DataError as exc:
            problems += exc.problems
        if problems:
            raise DataError(problems)
        return link

    def to_dict(self) -> dict[str, Any]:
        """Return the link as its TOML table (``from``, ``to``, ``travel_min`` if set).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {"from": list(self.a), "to": list(self.b)}
        if self.travel_min is not None:
            out["travel_min"] = self.travel_min
        return out


@dataclass(frozen=True)
class Modifiers(OptionsMixin):
    """Changes to the travel network, applied in the order of the fields.

    Parameters
    ----------
    depart_at : str, optional
        ``"HH:MM"`` clock time at the ferry ports (None: typical daytime waits).
    close_ferries : tuple of str
        Ferry route ids to close (a storm day). A closed ferry keeps reopening edges timed
        with the expected wait until it runs again (see :func:`netopt.graph.close_ferry`).
    close_links : tuple of str
        Link ids (``links.csv``: bridges, causeways) to close for ``closure_hours``
        (:func:`netopt.graph.close_link`).
    closure_hours : float, optional
        How long the closures of ``close_ferries`` last, in hours > 0: a need arises
        uniformly during the closure, so the expected wait is ``closure_hours * 60 / 2``
        minutes plus the route's normal wait. None: the graph's
        ``GraphOptions.closure_hours`` (24 h).
    headways : mapping of str to float
        Route id to minutes between departures.
    departures : mapping of str to tuple of str
        Route id to extra ``"HH:MM"`` departures (both directions).
    links : tuple of NewLink
        Bridges or roads to add.
    night : bool
        Ferries do not run.
    emergency : bool
        Ambulance trips: faster roads, no ferry wait (:func:`netopt.graph.emergency_mode`).
    emergency_speed_factor : float, optional
        Road speed factor in emergency mode (default from the graph options).

    Raises
    ------
    DataError
        Every bad value at once (a clock time that is not ``"HH:MM"``, a headway <= 0 ...).

    Examples
    --------
    >>> Modifiers(close_ferries=("F1",), headways={"F2": 30}).headways
    {'F2': 30.0}
    """

    depart_at: str | None = None
    close_ferries: tuple[str, ...] = ()
    close_links: tuple[str, ...] = ()
    closure_hours: float | None = None
    headways: Mapping[str, float] = field(default_factory=dict)
    departures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    links: tuple[NewLink, ...] = ()
    night: bool = False
    emergency: bool = False
    emergency_speed_factor: float | None = None

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(key: str, value: Any, fix: str, source: str = "[modifiers]") -> None:
            problems.append(Problem(source, "", key, repr(value), fix))

        set_ = object.__setattr__
        if self.depart_at is not None:
            clock = _clock_text(self.depart_at)
            if clock is None:
                bad("depart_at", self.depart_at, 'use a clock time "HH:MM", e.g. "08:00"')
            else:
                set_(self, "depart_at", clock)
        ids = _ids(self.close_ferries)
        if ids is None:
            bad("close_ferries", self.close_ferries, 'use a list of route ids, e.g. ["F1", "F4"]')
        else:
            set_(self, "close_ferries", ids)
        link_ids = _ids(self.close_links)
        if link_ids is None:
            bad("close_links", self.close_links, 'use a list of link ids, e.g. ["B1"]')
        else:
            set_(self, "close_links", link_ids)
        if self.closure_hours is not None:
            if _positive(self.closure_hours):
                set_(self, "closure_hours", float(self.closure_hours))
            else:
                bad("closure_hours", self.closure_hours, "use a number of hours > 0, e.g. 48")
        if not isinstance(self.headways, Mapping):
            bad("headways", self.headways, "use a table of route id = minutes, e.g. { F2 = 30 }")
        else:
            headways = {}
            for route, minutes in self.headways.items():
                if _positive(minutes):
                    headways[str(route)] = float(minutes)
                else:
                    bad(str(route), minutes, "use minutes > 0", "[modifiers.headways]")
            set_(self, "headways", headways)
        if not isinstance(self.departures, Mapping):
            bad("departures", self.departures, 'use a table, e.g. { F1 = ["12:00"] }')
        else:
            departures = {}
            for route, times in self.departures.items():
                items = list(times) if isinstance(times, (list, tuple)) else [times]
                clocks = [_clock_text(t) for t in items]
                if not items or None in clocks:
                    bad(str(route), times, 'use a list of "HH:MM" times', "[modifiers.departures]")
                else:
                    departures[str(route)] = tuple(clocks)
            set_(self, "departures", departures)
        if not isinstance(self.links, (list, tuple)) or not all(
            isinstance(link, NewLink) for link in self.links
        ):
            bad("links", self.links, "use a tuple of NewLink (a [modifiers.links.<name>] table)")
        else:
            set_(self, "links", tuple(self.links))
        for key in ("night", "emergency"):
            if not isinstance(getattr(self, key), bool):
                bad(key, getattr(self, key), "use true or false")
        factor = self.emergency_speed_factor
        if factor is not None:
            if _positive(factor):
                set_(self, "emergency_speed_factor", float(factor))
            else:
                bad("emergency_speed_factor", factor, "use a number > 0")
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[modifiers]") -> Modifiers:
        """Build modifiers from a scenario's ``[modifiers]`` table.

        Parameters
        ----------
        data : mapping
            Keys among :meth:`fields`; ``links`` is a table of ``[modifiers.links.<name>]``
            tables (see :meth:`NewLink.from_dict`).
        source : str, default "[modifiers]"
            Named in error messages.

        Returns
        -------
        Modifiers

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all in one error.
        """
        problems = unknown_keys(source, data, cls.fields(), sort=True)
        kwargs = {k: v for k, v in data.items() if k in cls.fields()}
        for key in ("close_ferries", "close_links"):
            if key in kwargs and isinstance(kwargs[key], (str, int)):
                kwargs[key] = [kwargs[key]]
        if "links" in kwargs:
            links = kwargs.pop("links")
            if not isinstance(links, Mapping):
                problems.append(
                    Problem(
                        source,
                        "",
                        "links",
                        repr(links),
                        "write each link as a table [modifiers.links.<name>]",
                    )
                )
            else:
                built = []
                for name, spec in links.items():
                    try:
                        built.append(NewLink.from_dict(str(name), spec))
                    except DataError as exc:
                        problems += exc.problems
                kwargs["links"] = tuple(built)
        try:
            modifiers = cls(**kwargs)
        except DataError as exc:
            problems += [
                Problem(source, "", p.field, p.found, p.fix)
                if isinstance(p, Problem) and p.file == "[modifiers]"
                else p
                for p in exc.problems
            ]
        if problems:
            raise DataError(problems)
        return modifiers

    def to_dict(self) -> dict[str, Any]:
        """Return the modifiers as a ``[modifiers]`` table (TOML-ready; unset keys dropped).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {
            "depart_at": self.depart_at,
            "close_ferries": list(self.close_ferries),
            "close_links": list(self.close_links),
            "closure_hours": self.closure_hours,
            "headways": dict(self.headways),
            "departures": {k: list(v) for k, v in self.departures.items()},
            "links": {link.name: link.to_dict() for link in self.links},
            "night": self.night,
            "emergency": self.emergency,
            "emergency_speed_factor": self.emergency_speed_factor,
        }
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}


def _positive(value: Any) -> bool:
    """True for a finite number > 0 (not a bool)."""
    return (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and value > 0
    )


def _clock_text(value: Any) -> str | None:
    """``"HH:MM"`` text of a clock time (a :class:`datetime.time` is formatted), or None."""
    if isinstance(value, dt.time):
        return format_clock(parse_clock(value))
    if isinstance(value, str) and is_clock(value):
        return value
    return None


def _ids(value: Any) -> tuple[str, ...] | None:
    """A tuple of ids from a list of str or int, or None if it is not one."""
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in value
    ):
        return None
    return tuple(str(v) for v in value)


def _lonlat(value: Any) -> tuple[float, float] | None:
    """(lon, lat) floats of a two-number sequence in range, or None."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return None
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return (lon, lat)
