"""Speeds, limits and lattice settings used to build a travel graph (:class:`GraphOptions`).

Every default is an assumption a planner may want to change; each is documented with its
reasoning or source below, and a scenario TOML passes a table that
:meth:`GraphOptions.from_dict` reads.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netopt._clock import format_clock, is_clock, parse_clock
from netopt._errors import DataError, Problem

__all__ = ["DEFAULT_ROAD_SPEEDS_KMH", "GraphOptions"]

#: Default free-flow car speed (km/h) per OpenStreetMap ``highway`` class, used where a road
#: has no ``maxspeed`` tag. They follow the design speeds of China's highway standard
#: JTG B01-2014 (expressway 100-120, class I 80-100, class II 60-80, class III 30-40,
#: class IV 20-30 km/h) and urban road standard CJJ 37-2012 (arterial 40-60, collector
#: 30-50, local 20-30 km/h), taken at the lower, hilly-terrain end that suits island
#: counties. ``"default"`` covers any class not listed.
DEFAULT_ROAD_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 40.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 30.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "track": 15.0,
    "road": 30.0,
    "default": 30.0,
}


@dataclass(frozen=True)
class GraphOptions:
    """Speeds and limits for :func:`netopt.build_graph` (all documented defaults).

    Parameters
    ----------
    road_speeds_kmh : dict of str to float
        Car speed per road class where ``maxspeed`` is untagged; see
        :data:`DEFAULT_ROAD_SPEEDS_KMH`. A partial dict given to :meth:`from_dict` is merged
        over the defaults.
    surface : {"auto", "always", "never"}
        Land travel surface (an H3 lattice over the land polygons, in the spirit of WHO's
        AccessMod). ``"auto"``: everywhere when the region has no roads, otherwise only in
        the gaps farther than ``surface_gap_m`` from any road.
    surface_speed_kmh : float
        Off-network speed on the land surface. 30 km/h: a car or ambulance on unmapped
        village lanes, not a walker (AccessMod lets each land-cover class carry its own
        speed; with no land-cover data offline we use one car-ish speed).
    detour_factor : float
        Ratio of travelled to straight-line distance on the surface. 1.3 is the usual
        circuity of rural road networks (Ballou et al. 2002, "Selected country circuity
        factors for road travel distance estimation", Transportation Research A 36).
    h3_resolution : int
        H3 resolution of the lattice: 9 gives cells of about 0.105 km^2 (centres about
        350 m apart), so a 1,500 km^2 county has about 15,000 cells.
    surface_gap_m : float
        With roads, lattice cells whose centre lies within this distance of a road node
        are dropped (the road serves them); the rest fill the gaps.
    access_speed_kmh : float
        Speed of the connector from a facility or zone point to its nearest network node
        (the last stretch along a lane or path). 20 km/h.
    max_snap_m : float
        A facility, zone, ferry port or link end farther than this from any network node is
        a :class:`~netopt.DataError` (never a silent snap across the sea). 2 km.
    ferry_boarding_min : float
        Time to buy a ticket, board and leave the pier, added to every ferry crossing.
        10 minutes.
    link_speed_kmh : float
        Speed on a bridge or fixed link whose ``travel_min`` is unknown. 60 km/h.
    emergency_speed_factor : float
        Road speeds are multiplied by this in :func:`netopt.graph.emergency_mode`
        (ambulances with sirens). 1.25.
    node_precision_m : float
        Road vertices closer than this grid (coordinates rounded to it) are merged into
        one node, so lines that share an end point join. 1 m.
    closure_hours : float
        How long a ferry closure lasts when :func:`netopt.graph.close_ferry` (or a
        scenario's ``close_ferries``) is not told: 24 hours, a storm day. A need arises
        uniformly during the closure, so the closed route's expected wait is
        ``closure_hours * 60 / 2`` minutes plus its normal wait (see
        :mod:`netopt.graph.ferry`).
    night_start, night_end : str
        ``"HH:MM"``: the night of a ferry route with a headway and no service hours, for
        :func:`netopt.graph.at_night` (a route with a timetable or service hours has its
        own night, from its last departure or service end to its first departure or
        service start). 22:00 to 06:00.
    """

    road_speeds_kmh: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ROAD_SPEEDS_KMH))
    surface: str = "auto"
    surface_speed_kmh: float = 30.0
    detour_factor: float = 1.3
    h3_resolution: int = 9
    surface_gap_m: float = 1000.0
    access_speed_kmh: float = 20.0
    max_snap_m: float = 2000.0
    ferry_boarding_min: float = 10.0
    link_speed_kmh: float = 60.0
    emergency_speed_factor: float = 1.25
    node_precision_m: float = 1.0
    closure_hours: float = 24.0
    night_start: str = "22:00"
    night_end: str = "06:00"

    def __post_init__(self) -> None:
        problems = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "road_speeds_kmh":
                bad = {k: v for k, v in value.items() if not float(v) > 0}
                if bad:
                    problems.append(_problem(f.name, f"non-positive speeds {bad}", "use km/h > 0"))
                if "default" not in value:
                    problems.append(_problem(f.name, "no 'default' entry", "add a 'default' speed"))
            elif f.name == "surface":
                if value not in ("auto", "always", "never"):
                    problems.append(
                        _problem(f.name, repr(value), "use 'auto', 'always' or 'never'")
                    )
            elif f.name == "h3_resolution":
                if not (isinstance(value, int) and 0 <= value <= 15):
                    problems.append(_problem(f.name, repr(value), "use an integer 0..15"))
            elif f.name == "closure_hours":
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                if not (number and 0 < float(value) < float("inf")):
                    problems.append(
                        _problem(f.name, repr(value), "use a finite number of hours > 0")
                    )
            elif f.name in ("night_start", "night_end"):
                if is_clock(value):  # stored as "HH:MM" text (TOML may give a time of day)
                    object.__setattr__(self, f.name, format_clock(parse_clock(value)))
                else:
                    problems.append(_problem(f.name, repr(value), 'use a clock time "HH:MM"'))
            elif f.name in ("surface_gap_m", "ferry_boarding_min"):
                if not float(value) >= 0:
                    problems.append(_problem(f.name, repr(value), "use a value >= 0"))
            elif not float(value) > 0:
                problems.append(_problem(f.name, repr(value), "use a value > 0"))
            if f.name == "detour_factor" and float(value) < 1:
                problems.append(_problem(f.name, repr(value), "use a factor >= 1"))
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None = None) -> GraphOptions:
        """Build options from a mapping (e.g. a scenario TOML table); unknown keys are errors.

        Parameters
        ----------
        data : mapping or None
            Field names to values; ``road_speeds_kmh`` is merged over the defaults.

        Returns
        -------
        GraphOptions

        Raises
        ------
        DataError
            If a key is unknown or a value is out of range.

        Examples
        --------
        >>> GraphOptions.from_dict({"max_snap_m": 3000, "road_speeds_kmh": {"track": 10}})
        ... # doctest: +ELLIPSIS
        GraphOptions(...)
        """
        data = dict(data or {})
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise DataError(
                [
                    Problem("graph options", "", k, "unknown option", f"use one of {sorted(names)}")
                    for k in unknown
                ]
            )
        if "road_speeds_kmh" in data:
            merged = dict(DEFAULT_ROAD_SPEEDS_KMH)
            merged.update({str(k): float(v) for k, v in dict(data["road_speeds_kmh"]).items()})
            data["road_speeds_kmh"] = merged
        return cls(**data)

    def replace(self, **changes: Any) -> GraphOptions:
        """Return a copy with some fields changed (validated like :meth:`from_dict`)."""
        merged = dataclasses.asdict(self)
        merged.update(changes)
        return GraphOptions.from_dict(merged)

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a plain dict (for TOML / JSON output and cache keys)."""
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        """Return a stable JSON text of the options (used in cache keys)."""
        return json.dumps(self.to_dict(), sort_keys=True)


def _problem(name: str, found: str, fix: str) -> Problem:
    return Problem("graph options", "", name, found, fix)
