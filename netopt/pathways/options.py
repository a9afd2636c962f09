"""Settings of a pathway plan: :class:`PathwayOptions` and the region's :class:`TransferMode`.

A scenario's ``[pathways]`` table is read by :meth:`PathwayOptions.from_dict`; what it leaves
out comes from the region (:meth:`PathwayOptions.for_region`): the ambulance times from
``region.toml [ambulance]`` and the transfer modes from ``[[transfer_modes]]``::

    [ambulance]
    dispatch_min = 12           # call to departure (ESTIMATE)
    handover_min = 15           # first facility door-in-door-out for a transfer (ESTIMATE)

    [[transfer_modes]]
    name = "helicopter"
    kind = "air"
    dispatch_min = 30
    speed_kmh = 200
    hours = "07:00-18:00"
    flies_in_storm = false

Ambulance boats are not a transfer mode here: they are the region's
``[emergency_fallback]``, already in the graph's reopening times of closed crossings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from netopt._clock import format_clock, is_clock, parse_clock
from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, resourced, unknown_keys
from netopt.region import Region

__all__ = [
    "DISPATCH_MIN",
    "HANDOVER_MIN",
    "OBJECTIVES",
    "PathwayOptions",
    "Siting",
    "TransferMode",
]

#: Minutes from the emergency call to the ambulance leaving (ESTIMATE; region.toml
#: ``[ambulance] dispatch_min``).
DISPATCH_MIN = 12.0
#: Minutes at the first facility of a transfer, door in to door out (ESTIMATE; region.toml
#: ``[ambulance] handover_min``).
HANDOVER_MIN = 15.0

_MODE_KEYS = ("name", "kind", "dispatch_min", "speed_kmh", "hours", "flies_in_storm")


@dataclass(frozen=True)
class TransferMode(OptionsMixin):
    """A transfer mode besides the ambulance on the network: a helicopter.

    Parameters
    ----------
    name : str
        E.g. ``"helicopter"``.
    kind : {"air"}
        Only air modes are modelled: straight-line distance at ``speed_kmh``.
    dispatch_min : float
        Minutes from the request to take-off, >= 0.
    speed_kmh : float
        Cruising speed, > 0.
    hours : str
        ``"HH:MM-HH:MM"`` when it flies (daylight flying, e.g. ``"07:00-18:00"``; a range
        may wrap past midnight; ``"00:00-24:00"`` is always).
    flies_in_storm : bool
        Whether it flies when crossings are closed (a storm); False for most helicopters.
    """

    name: str = "helicopter"
    kind: str = "air"
    dispatch_min: float = 30.0
    speed_kmh: float = 200.0
    hours: str = "07:00-18:00"
    flies_in_storm: bool = False

    def __post_init__(self) -> None:
        src = f"TransferMode {self.name!r}"
        problems = []
        if not isinstance(self.name, str) or not self.name:
            problems.append(Problem(src, "", "name", repr(self.name), "give a name"))
        if self.kind != "air":
            problems.append(
                Problem(src, "", "kind", repr(self.kind), 'use kind = "air" (ambulance boats are '
                        "the region's [emergency_fallback])")
            )  # fmt: skip
        d, v = self.dispatch_min, self.speed_kmh
        if not (is_number(d) and 0 <= d < float("inf")):
            problems.append(Problem(src, "", "dispatch_min", repr(d), "use minutes >= 0"))
        if not (is_number(v) and 0 < v < float("inf")):
            problems.append(Problem(src, "", "speed_kmh", repr(v), "use km/h > 0"))
        if not isinstance(self.flies_in_storm, bool):
            problems.append(
                Problem(src, "", "flies_in_storm", repr(self.flies_in_storm), "use true or false")
            )
        span = _hours(self.hours)
        if span is None:
            problems.append(
                Problem(src, "", "hours", repr(self.hours), 'use "HH:MM-HH:MM", e.g. "07:00-18:00"')
            )
        if problems:
            raise DataError(problems)
        object.__setattr__(self, "hours", f"{format_clock(span[0])}-{format_clock(span[1])}")

    def flies_at(self, clock: str) -> bool:
        """Whether ``clock`` (``"HH:MM"``) lies within :attr:`hours` (start included, end not).

        Parameters
        ----------
        clock : str

        Returns
        -------
        bool
        """
        start, end = _hours(self.hours)  # type: ignore[misc]
        t = parse_clock(clock)
        if end - start >= 24 * 60:
            return True
        return start <= t < end if start <= end else (t >= start or t < end)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "[[transfer_modes]]"
    ) -> TransferMode:
        """Build a mode from a ``[[transfer_modes]]`` table; unknown keys are errors.

        Parameters
        ----------
        data : mapping
        source : str
            Named in error messages.

        Returns
        -------
        TransferMode

        Raises
        ------
        DataError
        """
        if not isinstance(data, Mapping):
            raise DataError(Problem(source, "", "", repr(data)[:80], "write the mode as a table"))
        problems = unknown_keys(source, data, _MODE_KEYS)
        if problems:
            raise DataError(problems)
        values = {k: (float(v) if k in ("dispatch_min", "speed_kmh") and is_number(v) else v)
                  for k, v in data.items()}  # fmt: skip
        if "hours" in values and not isinstance(values["hours"], str):
            values["hours"] = repr(values["hours"])  # reported as a bad range below
        try:
            return cls(**values)
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the mode as a plain dict (a ``[[transfer_modes]]`` table).

        Returns
        -------
        dict
        """
        return dataclasses.asdict(self)


def _hours(text: Any) -> tuple[float, float] | None:
    """Return (start, end) minutes of an ``"HH:MM-HH:MM"`` range, or None."""
    if not isinstance(text, str) or text.count("-") != 1:
        return None
    a, b = (s.strip() for s in text.split("-"))
    if not (is_clock(a) and is_clock(b)):
        return None
    return parse_clock(a), parse_clock(b)


#: What a siting maximises: residents treated in time at night or by day (all residents, or
#: island residents only), or in time by day with a backup at night.
OBJECTIVES: tuple[str, ...] = ("night", "day", "night_islanders", "day_islanders", "backup")


@dataclass(frozen=True)
class Siting(OptionsMixin):
    """Which facilities may get a capability, and what the choice maximises.

    Parameters
    ----------
    condition : str
        The condition key (e.g. ``"stroke"``); the capability given is its first needs-group.
    candidates : tuple of str
        Facility ids that may get it (those already capable are kept as they are).
    add : int, default 1
        How many new centres.
    objective : str, default "night"
        One of :data:`OBJECTIVES`.
    """

    condition: str = "stroke"
    candidates: tuple[str, ...] = ()
    add: int = 1
    objective: str = "night"

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.condition, str) or not self.condition:
            problems.append(
                _siting_problem("condition", self.condition, 'name a condition, "stroke"')
            )
        cands = self.candidates
        if isinstance(cands, str) or not all(isinstance(c, str) for c in cands):
            problems.append(_siting_problem("candidates", cands, "use a list of facility ids"))
        else:
            object.__setattr__(self, "candidates", tuple(cands))
        if isinstance(self.add, bool) or not isinstance(self.add, Integral) or self.add < 1:
            problems.append(_siting_problem("add", self.add, "use a whole number >= 1"))
        if self.objective not in OBJECTIVES:
            problems.append(
                _siting_problem("objective", self.objective, f"use one of {OBJECTIVES}")
            )
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "[pathways.siting]") -> Siting:
        """Build a siting from a scenario's ``[pathways.siting]`` table.

        Parameters
        ----------
        data : mapping
        source : str
            Named in error messages.

        Returns
        -------
        Siting

        Raises
        ------
        DataError
        """
        problems = unknown_keys(source, data, cls.fields())
        if problems:
            raise DataError(problems)
        try:
            return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the siting as a ``[pathways.siting]`` table."""
        return {
            "condition": self.condition,
            "candidates": list(self.candidates),
            "add": int(self.add),
            "objective": self.objective,
        }


def _siting_problem(name: str, value: Any, fix: str) -> Problem:
    return Problem("Siting", "", name, repr(value), fix)


@dataclass(frozen=True)
class PathwayOptions(OptionsMixin):
    """What a pathway plan computes and with which ambulance and transfer times.

    Parameters
    ----------
    conditions : tuple of str or None
        Condition keys to plan (see :func:`~netopt.pathways.conditions_for`); None: all.
    day_clock, night_clock : str
        ``"HH:MM"`` of the day and the night. They decide whether a transfer mode flies
        (its ``hours``) and, with ``clock_graphs``, the ferry waits. 10:00 and 02:00.
    clock_graphs : bool, default False
        False: the day matrices come from the graph as given and the night ones from
        :func:`netopt.graph.at_night` (the mean wait over each route's night gap); True: from
        :func:`netopt.graph.at_clock` at ``day_clock`` and ``night_clock`` (the exact wait
        from that clock).
    emergency : bool, default True
        Ambulance trips: travel on :func:`netopt.graph.emergency_mode` (faster roads, priority
        boarding on running ferries; a closed ferry still waits until it reopens).
    dispatch_min, handover_min : float or None
        Ambulance call-to-departure minutes and first-facility door-in-door-out minutes of a
        transfer; None: the region's ``[ambulance]`` values, else :data:`DISPATCH_MIN` (12)
        and :data:`HANDOVER_MIN` (15), both ESTIMATES.
    transfer_modes : tuple of TransferMode or None
        None: the region's ``[[transfer_modes]]``; ``()``: none (ambulances only).
    siting : Siting or None
        Where to put a capability (a ``[pathways.siting]`` table, :mod:`netopt.pathways.siting`);
        None: the capabilities stay as the data give them.
    """

    conditions: tuple[str, ...] | None = None
    day_clock: str = "10:00"
    night_clock: str = "02:00"
    clock_graphs: bool = False
    emergency: bool = True
    dispatch_min: float | None = None
    handover_min: float | None = None
    transfer_modes: tuple[TransferMode, ...] | None = None
    siting: Siting | None = None

    def __post_init__(self) -> None:
        problems = []
        src = "PathwayOptions"
        if self.conditions is not None:
            keys = (self.conditions,) if isinstance(self.conditions, str) else self.conditions
            if not (isinstance(keys, Sequence) and all(isinstance(k, str) for k in keys)):
                problems.append(
                    Problem(
                        src, "", "conditions", repr(keys), 'use a list of keys, e.g. ["stroke"]'
                    )
                )
            else:
                object.__setattr__(self, "conditions", tuple(keys))
        for name in ("day_clock", "night_clock"):
            value = getattr(self, name)
            if is_clock(value):
                object.__setattr__(self, name, format_clock(parse_clock(value)))
            else:
                problems.append(Problem(src, "", name, repr(value), 'use a clock time "HH:MM"'))
        for name in ("clock_graphs", "emergency"):
            if not isinstance(getattr(self, name), bool):
                problems.append(Problem(src, "", name, repr(getattr(self, name)), "use true/false"))
        for name in ("dispatch_min", "handover_min"):
            value = getattr(self, name)
            if value is not None and not (is_number(value) and 0 <= value < float("inf")):
                problems.append(Problem(src, "", name, repr(value), "use minutes >= 0"))
        modes = self.transfer_modes
        if modes is not None:
            if not all(isinstance(m, TransferMode) for m in modes):
                problems.append(
                    Problem(src, "", "transfer_modes", repr(modes)[:80], "use TransferMode objects")
                )
            else:
                object.__setattr__(self, "transfer_modes", tuple(modes))
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | None = None, *, source: str = "[pathways]"
    ) -> PathwayOptions:
        """Build options from a scenario's ``[pathways]`` table; unknown keys are errors.

        Parameters
        ----------
        data : mapping or None
            Field names to values; ``transfer_modes`` is a list of tables.
        source : str, default "[pathways]"
            Named in error messages, e.g. ``"storm.toml [pathways]"``.

        Returns
        -------
        PathwayOptions

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.

        Examples
        --------
        >>> PathwayOptions.from_dict({"conditions": ["stroke"], "dispatch_min": 10}).dispatch_min
        10.0
        """
        data = dict(data or {})
        problems = unknown_keys(source, data, cls.fields())
        if problems:
            raise DataError(problems)
        if "transfer_modes" in data:
            modes = data["transfer_modes"]
            if not isinstance(modes, Sequence) or isinstance(modes, str):
                raise DataError(
                    Problem(source, "", "transfer_modes", repr(modes)[:80],
                            "use a list of tables with name, kind, dispatch_min, ...")
                )  # fmt: skip
            data["transfer_modes"] = tuple(
                m if isinstance(m, TransferMode)
                else TransferMode.from_dict(m, source=f"{source} transfer_modes[{i}]")
                for i, m in enumerate(modes)
            )  # fmt: skip
        for name in ("dispatch_min", "handover_min"):
            if is_number(data.get(name)):
                data[name] = float(data[name])
        if isinstance(data.get("siting"), Mapping):
            data["siting"] = Siting.from_dict(data["siting"], source=f"{source[:-1]}.siting]")
        if isinstance(data.get("conditions"), list):
            data["conditions"] = tuple(data["conditions"])
        try:
            return cls(**data)
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a plain dict (a ``[pathways]`` table; None values left out).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for name in self.fields():
            value = getattr(self, name)
            if value is None:
                continue
            if name == "transfer_modes":
                value = [m.to_dict() for m in value]
            elif name == "siting":
                value = value.to_dict()
            elif name == "conditions":
                value = list(value)
            out[name] = value
        return out

    def for_region(self, region: Region) -> PathwayOptions:
        """Return a copy with the values left as None filled from the region.

        ``dispatch_min`` and ``handover_min`` from ``region.toml [ambulance]`` (else 12 and
        15 minutes, ESTIMATES); ``transfer_modes`` from ``[[transfer_modes]]`` (else none).

        Parameters
        ----------
        region : Region

        Returns
        -------
        PathwayOptions
            With no None left but ``conditions``.

        Raises
        ------
        DataError
            A bad ``[ambulance]`` or ``[[transfer_modes]]`` table, filed under region.toml.
        """
        problems: list[Problem] = []
        ambulance = region.metadata.get("ambulance") or {}
        if not isinstance(ambulance, Mapping):
            ambulance = {}
            problems.append(
                Problem("region.toml [ambulance]", "", "", "not a table", "write [ambulance]")
            )
        problems += unknown_keys(
            "region.toml [ambulance]", ambulance, ("dispatch_min", "handover_min")
        )
        changes: dict[str, Any] = {}
        for name, default in (("dispatch_min", DISPATCH_MIN), ("handover_min", HANDOVER_MIN)):
            if getattr(self, name) is not None:
                continue
            value = ambulance.get(name, default)
            if not (is_number(value) and 0 <= value < float("inf")):
                problems.append(
                    Problem("region.toml [ambulance]", "", name, repr(value), "use minutes >= 0")
                )
                continue
            changes[name] = float(value)
        if self.transfer_modes is None:
            modes = region.metadata.get("transfer_modes") or []
            found = []
            for i, m in enumerate(modes if isinstance(modes, list) else [modes]):
                try:
                    found.append(
                        TransferMode.from_dict(m, source=f"region.toml [[transfer_modes]] #{i + 1}")
                    )
                except DataError as exc:
                    problems += [p for p in exc.problems if isinstance(p, Problem)]
            changes["transfer_modes"] = tuple(found)
        if problems:
            raise DataError(problems)
        return dataclasses.replace(self, **changes)
