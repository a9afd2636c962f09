"""What a rotation schedule is asked to do: :class:`RotationOptions`.

One frozen object carries the scheduling choices (horizon, rhythm, working day, clinic
length, stays, the partner hospitals hosting county leads and their rhythm, objective
weights) from a scenario's ``[rotations]`` table or a caller down
to :func:`~netopt.rotations.schedule_rotations`. It checks itself when built and reports
every bad value at once in a :class:`~netopt.DataError`; the solver's time limit, seed and
parallelism are not here but in :class:`~netopt.solve.params.SolverParams`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netopt._clock import format_clock, parse_clock
from netopt._errors import DataError, Problem
from netopt._options import OptionsMixin, unknown_keys
from netopt.solve.rotation import RotationWeights

__all__ = ["RotationOptions"]

_NAME = "RotationOptions"


@dataclass(frozen=True)
class RotationOptions(OptionsMixin):
    """Scheduling choices of :func:`~netopt.rotations.schedule_rotations`.

    Parameters
    ----------
    horizon_days : int, default 28
        Days planned (four weeks).
    start_date : datetime.date or None, default None
        First day; ISO text (``"2026-03-02"``) is accepted. None: the next Monday after the
        day the schedule is made.
    rhythm_days : int or mapping of str to int, default 14
        Every window of this many days should hold a visit at each site needing a specialty;
        a mapping gives the days per specialty (a specialty missing from it gets 14).
    visit_rates : mapping of str to float or None, default None
        Yearly visits per resident by specialty, merged over
        :data:`~netopt.rotations.DEFAULT_VISIT_RATES`.
    workday : (str, str), default ("08:00", "17:30")
        Start and end of the working day, ``"HH:MM"`` (start before end).
    min_clinic_hours : float, default 3
        Shortest clinic that makes a visit worthwhile.
    max_clinic_hours : float or None, default 6
        Longest clinic per visit day (None: from arrival until the return).
    patients_per_clinic_hour : float, default 5
        So a 6-hour clinic day sees 30 patients.
    allow_stays : bool, default True
        Serve sites out of day-trip reach by multi-day stays.
    lodging_days : int, default 1
        Nights away of a multi-day stay (the stay occupies ``1 + lodging_days`` days).
    cross_alliance : bool, default False
        Let experts visit other alliances' sites.
    return_step_min : int, default 60
        Spacing of the return clock times tried, in minutes from the start of the day.
    hosted_by : mapping of str to str or None, default None
        Rotations across tiers: ``{county lead id: partner facility id}`` (a city or
        tertiary hospital hosting the county lead, e.g.
        ``Hosting.partner_of_lead`` of :mod:`netopt.hosting`). The partner's experts then hold
        specialist clinics at the leads it hosts (tier ``"partner->county"``), in the same
        schedule in which county experts visit their member sites (``"county->township"``).
        None or empty: no partner tier. An empty mapping is stored as None.
    partner_rhythm_days : int or mapping of str to int, default 14
        The rhythm of partner visits: every window of this many days should hold a partner
        visit at each hosted lead needing a specialty (the PLA General Hospital's specialist
        at Tuanfeng "every half month" is 14); a mapping gives days per specialty (14 if
        missing).
    weights : RotationWeights, default RotationWeights()
        Objective weights (expert travel minutes weigh 0.1 patient minutes; continuity on).

    Raises
    ------
    DataError
        Every out-of-range or wrongly typed value, in one error.

    Examples
    --------
    >>> RotationOptions(start_date="2026-03-02").start_date
    datetime.date(2026, 3, 2)
    >>> RotationOptions.from_dict({"workday": ["07:30", "16:00"]}).workday
    ('07:30', '16:00')
    >>> RotationOptions(hosted_by={"C1": "T1"}).partner_rhythm_for("cardiology")
    14
    """

    horizon_days: int = 28
    start_date: dt.date | None = None
    rhythm_days: int | Mapping[str, int] = 14
    visit_rates: Mapping[str, float] | None = None
    workday: tuple[str, str] = ("08:00", "17:30")
    min_clinic_hours: float = 3.0
    max_clinic_hours: float | None = 6.0
    patients_per_clinic_hour: float = 5.0
    allow_stays: bool = True
    lodging_days: int = 1
    cross_alliance: bool = False
    return_step_min: int = 60
    hosted_by: Mapping[str, str] | None = None
    partner_rhythm_days: int | Mapping[str, int] = 14
    weights: RotationWeights = field(default_factory=RotationWeights)

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(name: str, value: Any, fix: str) -> None:
            problems.append(Problem(_NAME, "", name, repr(value), fix))

        def whole(name: str, low: int) -> None:
            value = getattr(self, name)
            if not _is_int(value) or value < low:
                bad(name, value, f"use a whole number >= {low}")

        def number(name: str, *, positive: bool) -> None:
            value = getattr(self, name)
            if not (_is_number(value) and math.isfinite(value)) or not (
                value > 0 if positive else value >= 0
            ):
                bad(name, value, f"use a number {'> 0' if positive else '>= 0'}")
            else:
                object.__setattr__(self, name, float(value))

        def flag(name: str) -> None:
            if not isinstance(getattr(self, name), bool):
                bad(name, getattr(self, name), "use true or false")

        whole("horizon_days", 1)
        self._check_start_date(bad)
        self._check_rhythm(bad, "rhythm_days")
        self._check_rhythm(bad, "partner_rhythm_days")
        self._check_hosted_by(bad)
        self._check_rates(bad)
        self._check_workday(bad)
        number("min_clinic_hours", positive=True)
        cap = self.max_clinic_hours
        if _is_number(cap) and math.isinf(cap) and cap > 0:
            object.__setattr__(self, "max_clinic_hours", None)  # inf: no cap (TOML)
        if self.max_clinic_hours is not None:
            number("max_clinic_hours", positive=True)
            lo, hi = self.min_clinic_hours, self.max_clinic_hours
            if isinstance(lo, float) and isinstance(hi, float) and hi < lo:
                bad(
                    "max_clinic_hours",
                    hi,
                    f"use at least min_clinic_hours ({lo:g}), or none for no cap",
                )
        number("patients_per_clinic_hour", positive=True)
        flag("allow_stays")
        whole("lodging_days", 0)
        flag("cross_alliance")
        whole("return_step_min", 1)
        if not isinstance(self.weights, RotationWeights):
            bad("weights", self.weights, "use a RotationWeights (a [weights] table in TOML)")
        if problems:
            raise DataError(problems)

    # ------------------------------------------------------------------ field checks

    def _check_start_date(self, bad: Any) -> None:
        value = self.start_date
        if value is None:
            return
        if isinstance(value, dt.datetime):
            object.__setattr__(self, "start_date", value.date())
        elif isinstance(value, str):
            try:
                object.__setattr__(self, "start_date", dt.date.fromisoformat(value.strip()))
            except ValueError:
                bad("start_date", value, "use an ISO date such as 2026-03-02")
        elif not isinstance(value, dt.date):
            bad("start_date", value, "use a date such as 2026-03-02")

    def _check_rhythm(self, bad: Any, name: str) -> None:
        value = getattr(self, name)
        if isinstance(value, Mapping):
            wrong = {k: v for k, v in value.items() if not (_is_int(v) and v >= 1)}
            keys = [k for k in value if not isinstance(k, str)]
            if wrong or keys:
                bad(name, dict(value), "use whole days >= 1 per specialty name")
            else:
                object.__setattr__(self, name, dict(value))
        elif not _is_int(value) or value < 1:
            bad(name, value, "use whole days >= 1, or a table of days per specialty")

    def _check_hosted_by(self, bad: Any) -> None:
        value = self.hosted_by
        if value is None:
            return
        fix = 'use a table of county lead id = partner facility id: hosted_by = { C1 = "T1" }'
        if not isinstance(value, Mapping):
            bad("hosted_by", value, fix)
            return
        wrong = {
            k: v
            for k, v in value.items()
            if not (isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip())
        }
        if wrong:
            bad("hosted_by", wrong, fix)
            return
        same = sorted(k for k, v in value.items() if k == v)
        if same:
            bad("hosted_by", {k: value[k] for k in same}, "a lead cannot host itself")
            return
        object.__setattr__(self, "hosted_by", dict(value) or None)

    def _check_rates(self, bad: Any) -> None:
        value = self.visit_rates
        if value is None:
            return
        if not isinstance(value, Mapping):
            bad("visit_rates", value, "use a table of visits per resident per year by specialty")
            return
        wrong = {
            k: v
            for k, v in value.items()
            if not (isinstance(k, str) and _is_number(v) and math.isfinite(v) and v >= 0)
        }
        if wrong:
            bad("visit_rates", wrong, "use finite numbers >= 0 per specialty name")
        else:
            object.__setattr__(self, "visit_rates", {k: float(v) for k, v in value.items()})

    def _check_workday(self, bad: Any) -> None:
        value = self.workday
        fix = 'use two clock times, start before end, e.g. ["08:00", "17:30"]'
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            bad("workday", value, fix)
            return
        try:
            minutes = [parse_clock(t) for t in value]
        except ValueError:
            bad("workday", value, fix)
            return
        if len(minutes) != 2 or minutes[0] >= minutes[1]:
            bad("workday", value, fix)
            return
        object.__setattr__(self, "workday", tuple(format_clock(m) for m in minutes))

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[rotations]") -> RotationOptions:
        """Build options from a mapping such as a scenario's ``[rotations]`` table.

        Dates may be TOML dates or ISO text, ``workday`` a list of two ``"HH:MM"``,
        ``rhythm_days`` and ``partner_rhythm_days`` a number or a table of days per
        specialty, ``hosted_by`` a table of county lead id to partner facility id,
        ``max_clinic_hours = inf`` means no cap (TOML has no null), and ``weights`` a sub-table of
        :class:`~netopt.solve.rotation.RotationWeights` fields.

        Parameters
        ----------
        data : mapping
            Keys among :meth:`fields`; missing keys keep their defaults.
        source : str, default "[rotations]"
            Named in error messages.

        Returns
        -------
        RotationOptions

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all in one error.

        Examples
        --------
        >>> RotationOptions.from_dict({"horizon_days": 14, "weights": {"continuity": False}})
        ... # doctest: +ELLIPSIS
        RotationOptions(horizon_days=14, ...)
        """
        values = dict(data)
        problems = unknown_keys(source, values, cls.fields())
        for key in [k for k in values if k not in cls.fields()]:
            del values[key]
        if "weights" in values and not isinstance(values["weights"], RotationWeights):
            weights, more = _weights_from(values["weights"], source)
            problems += more
            values["weights"] = weights if weights is not None else RotationWeights()
        try:
            options = cls(**values)
        except DataError as exc:
            problems += [_relabel(p, source) for p in exc.problems]
        if problems:
            raise DataError(problems)
        return options

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a TOML-ready dict (round-trips through :meth:`from_dict`).

        The start date is ISO text (None dropped), ``workday`` a list, ``weights`` a
        sub-table, ``visit_rates`` dropped when None, and ``max_clinic_hours`` None written
        as ``inf`` (no cap).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for name in self.fields():
            value = getattr(self, name)
            if name == "start_date":
                value = None if value is None else value.isoformat()
            elif name == "max_clinic_hours" and value is None:
                value = math.inf
            elif name == "workday":
                value = list(value)
            elif name == "weights":
                value = dataclasses.asdict(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            if value is not None:
                out[name] = value
        return out

    def replace(self, **changes: Any) -> RotationOptions:
        """Return a copy with some fields changed (checked again).

        Parameters
        ----------
        **changes
            Field names to new values (``weights`` may be a mapping of its fields).

        Returns
        -------
        RotationOptions

        Raises
        ------
        DataError
            Unknown field names and bad values.
        """
        current = {name: getattr(self, name) for name in self.fields()}
        return RotationOptions.from_dict({**current, **changes}, source=_NAME)

    def rhythm_for(self, specialty: str) -> int:
        """Return the rhythm in days of one specialty (14 if a mapping omits it).

        Parameters
        ----------
        specialty : str

        Returns
        -------
        int
        """
        r = self.rhythm_days
        return int(r.get(specialty, 14) if isinstance(r, Mapping) else r)

    def partner_rhythm_for(self, specialty: str) -> int:
        """Return the rhythm in days of partner visits of one specialty (14 if omitted).

        Parameters
        ----------
        specialty : str

        Returns
        -------
        int
        """
        r = self.partner_rhythm_days
        return int(r.get(specialty, 14) if isinstance(r, Mapping) else r)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def _weights_from(data: Any, source: str) -> tuple[RotationWeights | None, list[Problem]]:
    """RotationWeights from a ``weights`` sub-table; the problems name ``weights.<key>``."""
    if not isinstance(data, Mapping):
        fix = "use a table of " + ", ".join(f.name for f in dataclasses.fields(RotationWeights))
        return None, [Problem(source, "", "weights", repr(data), fix)]
    valid = tuple(f.name for f in dataclasses.fields(RotationWeights))
    problems = [
        dataclasses.replace(p, field=f"weights.{p.field}")
        for p in unknown_keys(source, data, valid)
    ]
    values = {k: v for k, v in data.items() if k in valid}
    checks = {
        "expert_travel": (lambda v: _is_number(v) and math.isfinite(v) and v >= 0, "a number >= 0"),
        "continuity": (lambda v: isinstance(v, bool), "true or false"),
        "scale": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    }
    for key, value in values.items():
        ok, want = checks.get(key, (lambda v: True, ""))
        if not ok(value):
            problems.append(Problem(source, "", f"weights.{key}", repr(value), f"use {want}"))
    if problems:
        return None, problems
    try:
        return RotationWeights(**values), []
    except (TypeError, ValueError) as exc:
        return None, [Problem(source, "", "weights", str(exc), "check the weights")]


def _relabel(problem: Problem | str, source: str) -> Problem | str:
    if isinstance(problem, Problem) and problem.file == _NAME:
        return dataclasses.replace(problem, file=source)
    return problem
