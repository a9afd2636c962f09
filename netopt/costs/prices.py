"""Unit prices in yuan and the capitated budget: :class:`Costs` and :class:`CarePrices`.

Read from ``region.toml [costs]`` and a scenario's ``[costs]`` (which overrides the region,
see :meth:`Costs.from_dict` with ``base``)::

    [costs]
    transfer_yuan = 1000
    value_of_time_yuan_per_hour = 32.9
    budget_per_resident_yuan = 3800     # or budget_yuan = 2.6e9; none: no budget
    objective = "report"                # "total_cost" | "patient_hours"
    estimates = ["transfer_yuan"]       # your own values that are estimates

    [costs.care_county_yuan]            # one table per place, keys are care levels
    inpatient = 9800

Every default below is either sourced (named in its docstring) or an ESTIMATE /
ILLUSTRATIVE value; :meth:`Costs.estimated_fields` lists those left at an estimated default
(and those you mark in ``estimates``), so ``costs.csv`` can flag the items that rest on them.

Money is yuan per year everywhere; prices are yuan per unit (visit, transfer, day, km,
hour, crossing).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, resourced, unknown_keys
from netopt.flows import CARE_LEVELS, VISIT_ITEMS, VisitCosts

__all__ = [
    "BUDGET_ITEMS",
    "CARE_PLACES",
    "ITEMS",
    "ITEM_LABELS",
    "OBJECTIVES",
    "PAID_BY",
    "SOURCED",
    "CarePrices",
    "Costs",
]

#: The cost items, in the order of ``costs.csv`` (their sum is the total).
ITEMS: tuple[str, ...] = (
    "care_grassroots",
    "care_county",
    "care_outside",
    "transfers",
    "expert_outreach",
    "diagnosis_fixed",
    "diagnosis_tests",
    "courier",
    "upgrades",
    "patient_travel",
    "patient_time",
)
#: Who pays each item: the group's budget or the patients.
PAID_BY: dict[str, str] = {
    **{item: "budget" for item in ITEMS},
    "patient_travel": "patients",
    "patient_time": "patients",
}
#: The items charged to the budget by default (those paid by the group).
BUDGET_ITEMS: tuple[str, ...] = tuple(i for i in ITEMS if PAID_BY[i] == "budget")
#: Readable names of the items.
ITEM_LABELS: dict[str, str] = {
    "care_grassroots": "Care at grassroots facilities",
    "care_county": "Care at in-area hospitals",
    "care_outside": "Care at hospitals outside the area",
    "transfers": "Transfers out of the area",
    "expert_outreach": "Expert outreach",
    "diagnosis_fixed": "Diagnosis centres (fixed)",
    "diagnosis_tests": "Diagnosis tests",
    "courier": "Sample courier",
    "upgrades": "Upgrades (annualised)",
    "patient_travel": "Patients' travel",
    "patient_time": "Patients' time",
}
#: What a plan is optimised for: only reported (the default), the total cost, or
#: patient-hours within the budget.
OBJECTIVES: tuple[str, ...] = ("report", "total_cost", "patient_hours")
#: The places of care, one price table each: grassroots-tier facilities, hospitals inside
#: the planning area, hospitals outside it.
CARE_PLACES: tuple[str, ...] = ("care_yuan", "care_county_yuan", "care_outside_yuan")

_NHC_2023 = (
    "National Health Commission, Statistical Bulletin on the Development of Health Care in "
    "China 2023 (2023年我国卫生健康事业发展统计公报, published 29 Aug 2024)"
)


@dataclass(frozen=True)
class CarePrices:
    """Yuan per visit by care level (:data:`netopt.flows.CARE_LEVELS`) at one place of care.

    The defaults are those of grassroots-tier facilities (``Costs.care_yuan``); the
    in-area and outside hospitals have their own defaults (:meth:`Costs` fields).

    Parameters
    ----------
    grassroots, hospital_outpatient, inpatient, emergency, recurring : float
        Yuan per visit (per admission for ``inpatient``, per session for ``recurring``),
        finite and >= 0.
    """

    grassroots: float = 100.0
    hospital_outpatient: float = 150.0
    inpatient: float = 2500.0
    emergency: float = 200.0
    recurring: float = 300.0

    def __post_init__(self) -> None:
        problems = []
        for name in CARE_LEVELS:
            value = getattr(self, name)
            if not (is_number(value) and math.isfinite(value) and value >= 0):
                problems.append(
                    Problem("CarePrices", "", name, repr(value), "use yuan per visit >= 0")
                )
            else:
                object.__setattr__(self, name, float(value))
        if problems:
            raise DataError(problems)

    def as_array(self) -> np.ndarray:
        """Return the prices in the order of :data:`~netopt.flows.CARE_LEVELS`, shape (L,)."""
        return np.array([getattr(self, name) for name in CARE_LEVELS], dtype=float)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "[costs.care_yuan]",
        base: CarePrices | None = None,
    ) -> CarePrices:
        """Build prices from a table keyed by care level; missing levels keep ``base``'s.

        Parameters
        ----------
        data : mapping
        source : str
            Named in error messages.
        base : CarePrices, optional
            Where missing levels come from (default :class:`CarePrices()`).

        Returns
        -------
        CarePrices

        Raises
        ------
        DataError
            Unknown levels (with the closest), values that are not numbers >= 0.
        """
        if not isinstance(data, Mapping):
            raise DataError(
                Problem(source, "", "", repr(data)[:80], "write a table of care level = yuan")
            )
        problems = unknown_keys(source, data, CARE_LEVELS)
        values = (base or cls()).to_dict()
        for key, value in data.items():
            if key not in CARE_LEVELS:
                continue
            if not (is_number(value) and math.isfinite(value) and value >= 0):
                problems.append(Problem(source, "", key, repr(value), "use yuan per visit >= 0"))
            else:
                values[key] = float(value)
        if problems:
            raise DataError(problems)
        return cls(**values)

    def to_dict(self) -> dict[str, float]:
        """Return the prices as a plain dict (a ``[costs.care_yuan]`` table)."""
        return {name: float(getattr(self, name)) for name in CARE_LEVELS}


#: Grassroots-tier facilities (township health centres, village clinics). Every level is an
#: ESTIMATE: a township centre's outpatient visit about 100 yuan, an expert-clinic
#: visit 150, an admission 2,500 (township admissions are short and cheap), an emergency
#: visit 200, a recurring session 300.
GRASSROOTS_PRICES = CarePrices()
#: Hospitals inside the planning area (county hospitals). ``grassroots`` and
#: ``hospital_outpatient``: 361.6 yuan, and ``inpatient``: 10,315.8 yuan, the average cost
#: per outpatient visit and per admission of all hospitals in 2023 (NHC bulletin 2023; a
#: county hospital is usually below the national average, which includes tertiary
#: hospitals). ``emergency`` 600 and ``recurring`` 450 (a haemodialysis session) are
#: ESTIMATES.
COUNTY_PRICES = CarePrices(
    grassroots=361.6, hospital_outpatient=361.6, inpatient=10315.8, emergency=600.0, recurring=450.0
)
#: Hospitals outside the area (the tertiary hospitals of the city). ESTIMATES: 1.25 x the
#: 2023 hospital averages (450 per visit, 13,000 per admission), emergency 750, recurring 500.
OUTSIDE_PRICES = CarePrices(
    grassroots=450.0, hospital_outpatient=450.0, inpatient=13000.0, emergency=750.0, recurring=500.0
)
_CARE_DEFAULTS = {
    "care_yuan": GRASSROOTS_PRICES,
    "care_county_yuan": COUNTY_PRICES,
    "care_outside_yuan": OUTSIDE_PRICES,
}

#: Fields (``"place.level"`` for care prices) whose defaults are sourced, not estimated.
SOURCED: frozenset[str] = frozenset(
    {
        "care_county_yuan.grassroots",
        "care_county_yuan.hospital_outpatient",
        "care_county_yuan.inpatient",
        "value_of_time_yuan_per_hour",
    }
)

_PRICES = (
    "transfer_yuan",
    "expert_day_yuan",
    "expert_km_yuan",
    "expert_lodging_yuan",
    "courier_km_yuan",
    "courier_hour_yuan",
    "courier_ferry_yuan",
    "patient_km_yuan",
    "ferry_fare_yuan",
    "value_of_time_yuan_per_hour",
    "courier_runs_per_year",
)
_POSITIVE = ("upgrade_years", "fallback_speed_kmh")
_BUDGETS = ("budget_per_resident_yuan", "budget_yuan")


def _names(values: Any) -> tuple[str, ...] | None:
    """A tuple of strings from a list/tuple of strings, else None."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        return None
    if not all(isinstance(v, str) for v in values):
        return None
    return tuple(values)


@dataclass(frozen=True)
class Costs(OptionsMixin):
    """Unit prices of every cost item, the capitated budget and the objective.

    Parameters
    ----------
    care_yuan : CarePrices
        Per visit at grassroots-tier facilities (ESTIMATES, see ``GRASSROOTS_PRICES``).
    care_county_yuan : CarePrices
        Per visit at hospitals inside the area (hospital averages of the NHC bulletin 2023:
        361.6 per outpatient visit, 10,315.8 per admission; emergency and recurring
        ESTIMATES).
    care_outside_yuan : CarePrices
        Per visit at hospitals outside the area (ESTIMATES: 1.25 x the 2023 averages).
    transfer_yuan : float, default 1000
        Per transfer out of the area (transport and escort). ESTIMATE from a Zhejiang
        county hospital's published non-emergency transfer tariff (Yuhuan No. 2 People's
        Hospital, 2025: 200 yuan for the first 10 km, 11 yuan/km beyond across cities):
        a 70 km transfer to the city costs 860 yuan, rounded up for the escort.
    expert_day_yuan : float, default 500
        Allowance per expert-day of outreach. ESTIMATE.
    expert_km_yuan : float, default 1.2
        Per km an expert travels (car running cost). ILLUSTRATIVE.
    expert_lodging_yuan : float, default 400
        Per night away on a multi-day stay. ESTIMATE (a provincial travel lodging rate).
    courier_km_yuan : float, default 1.5
        Per km a courier van drives. ILLUSTRATIVE.
    courier_hour_yuan : float, default 50
        Per driver hour. ESTIMATE: the hourly wage below x 1.5 for employer's on-costs.
    courier_ferry_yuan : float, default 80
        Per vehicle ferry crossing of a courier van. ILLUSTRATIVE.
    patient_km_yuan : float, default 0.5
        Patients' fare per km by road (between a rural bus and a private car). ESTIMATE.
    ferry_fare_yuan : float, default 15
        Per passenger ferry crossing (patients and experts). ILLUSTRATIVE.
    value_of_time_yuan_per_hour : float, default 32.9
        Patients' time: the 2023 average annual wage of urban private-unit employees,
        68,340 yuan (National Bureau of Statistics, China Statistical Yearbook 2024), over
        2,080 hours (the statutory 40-hour week).
    courier_runs_per_year : float, default 250
        Courier working days a year, used when the courier plan does not carry its own
        ``options.runs_per_year``. ESTIMATE.
    fallback_speed_kmh : float, default 40
        Without a travel graph, km = minutes x this speed (ferry crossings then unknown,
        counted 0). ESTIMATE.
    upgrade_years : float, default 10
        Years over which an upgrade's ``upgrade_cost_yuan`` is spread (straight line).
        ESTIMATE (medical equipment lives 5-10 years, buildings longer).
    budget_per_resident_yuan, budget_yuan : float or None
        The capitated budget, per resident per year or in total; at most one. None: no
        budget (the balance is NaN).
    budget_items : tuple of str
        The items charged to the budget (default :data:`BUDGET_ITEMS`).
    objective : str, default "report"
        One of :data:`OBJECTIVES`: ``"report"`` only reports; ``"total_cost"`` chooses the
        upgrades (``[model.flows] max_upgrades``) for the least total cost;
        ``"patient_hours"`` for the least patient-hours with the charged cost within the
        budget (needs one). See :mod:`netopt.scenario.cost_objective`.
    estimates : tuple of str
        Fields you set to your own estimates (``"place.level"`` for care prices), flagged
        like the estimated defaults.
    """

    care_yuan: CarePrices = GRASSROOTS_PRICES
    care_county_yuan: CarePrices = COUNTY_PRICES
    care_outside_yuan: CarePrices = OUTSIDE_PRICES
    transfer_yuan: float = 1000.0
    expert_day_yuan: float = 500.0
    expert_km_yuan: float = 1.2
    expert_lodging_yuan: float = 400.0
    courier_km_yuan: float = 1.5
    courier_hour_yuan: float = 50.0
    courier_ferry_yuan: float = 80.0
    patient_km_yuan: float = 0.5
    ferry_fare_yuan: float = 15.0
    value_of_time_yuan_per_hour: float = 32.9
    courier_runs_per_year: float = 250.0
    fallback_speed_kmh: float = 40.0
    upgrade_years: float = 10.0
    budget_per_resident_yuan: float | None = None
    budget_yuan: float | None = None
    budget_items: tuple[str, ...] = BUDGET_ITEMS
    objective: str = "report"
    estimates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = _check(self)
        if problems:
            raise DataError(problems)
        for name in _PRICES + _POSITIVE + _BUDGETS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))
        for name in ("budget_items", "estimates"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    # -- reading and writing -------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any] | None = None,
        *,
        source: str = "[costs]",
        file: str | None = None,
        base: Costs | None = None,
    ) -> Costs:
        """Build costs from a ``[costs]`` table; missing keys keep ``base``'s values.

        Parameters
        ----------
        data : mapping or None
            Field names to values; the care prices are sub-tables keyed by care level
            (``[costs.care_county_yuan]``), merged level by level into ``base``'s.
        source : str, default "[costs]"
            The table named in error messages.
        file : str, optional
            The file it was read from (``"region.toml"``, ``"capitation.toml"``): problems
            are filed under ``"<file> <source>"``.
        base : Costs, optional
            The values the table overrides (e.g. the region's costs under a scenario's);
            default :class:`Costs()`.

        Returns
        -------
        Costs

        Raises
        ------
        DataError
            Every problem at once: unknown keys (with the closest valid key), values that
            are not numbers >= 0, both budgets given, unknown items or objective.

        Examples
        --------
        >>> Costs.from_dict({"budget_per_resident_yuan": 3800}).budget_per_resident_yuan
        3800.0
        """
        src = f"{file} {source}" if file else source
        data = dict(data or {})
        base = base if base is not None else cls()
        problems = unknown_keys(src, data, cls.fields())
        values = {f: getattr(base, f) for f in cls.fields()}
        for key, value in data.items():
            if key not in values:
                continue
            got, bad = _read(key, value, base, src)
            problems += bad
            if not bad:
                values[key] = got
        if not problems:
            try:
                return cls(**values)
            except DataError as exc:
                raise resourced(exc, src) from None
        # with the class's own checks of the values that could be read
        problems += [dataclasses.replace(p, file=src) for p in _check_values(values)]
        raise DataError(problems)

    def to_dict(self) -> dict[str, Any]:
        """Return the costs as a ``[costs]`` table (None budgets left out).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for name in self.fields():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, CarePrices):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out

    # -- derived -------------------------------------------------------------------------

    def visit_costs(
        self, km: np.ndarray | None = None, crossings: np.ndarray | None = None
    ) -> VisitCosts:
        """The per-visit prices a decision that moves the patient flows weighs (plain arrays).

        Parameters
        ----------
        km, crossings : numpy.ndarray, optional
            ``(Z, F)`` road km and ferry crossings one way (:func:`netopt.flows.visit_geometry`);
            None: km from the minutes at ``fallback_speed_kmh``.

        Returns
        -------
        netopt.flows.VisitCosts
            ``charged``: the :attr:`budget_items` among its items and ``"upgrades"``.
        """
        return VisitCosts(
            self.care_yuan.as_array(),
            self.care_county_yuan.as_array(),
            self.care_outside_yuan.as_array(),
            transfer_yuan=self.transfer_yuan,
            km_yuan=self.patient_km_yuan,
            crossing_yuan=self.ferry_fare_yuan,
            hour_yuan=self.value_of_time_yuan_per_hour,
            upgrade_years=self.upgrade_years,
            charged=tuple(i for i in self.budget_items if i in (*VISIT_ITEMS, "upgrades")),
            km=km,
            crossings=crossings,
            fallback_speed_kmh=self.fallback_speed_kmh,
        )

    @property
    def has_budget(self) -> bool:
        """Whether a budget is stated."""
        return self.budget_yuan is not None or self.budget_per_resident_yuan is not None

    def budget_for(self, population: float) -> float:
        """Return the budget in yuan per year for ``population`` residents (NaN: none).

        Parameters
        ----------
        population : float

        Returns
        -------
        float
        """
        if self.budget_yuan is not None:
            return float(self.budget_yuan)
        if self.budget_per_resident_yuan is not None:
            return float(self.budget_per_resident_yuan) * float(population)
        return math.nan

    def estimated_fields(self) -> frozenset[str]:
        """Fields whose value is an estimate: left at an estimated default, or in ``estimates``.

        Care prices are named ``"place.level"`` (``"care_yuan.inpatient"``).

        Returns
        -------
        frozenset of str
        """
        default = Costs()
        out = set(self.estimates)
        for name in _PRICES + _POSITIVE:
            if name not in SOURCED and getattr(self, name) == getattr(default, name):
                out.add(name)
        for place in CARE_PLACES:
            mine, theirs = getattr(self, place), getattr(default, place)
            for level in CARE_LEVELS:
                key = f"{place}.{level}"
                if key not in SOURCED and getattr(mine, level) == getattr(theirs, level):
                    out.add(key)
        return frozenset(out)

    def is_estimated(self, *names: str) -> bool:
        """Whether any of the named fields (or ``"place"`` for all its levels) is estimated.

        Parameters
        ----------
        *names : str

        Returns
        -------
        bool
        """
        est = self.estimated_fields()
        return any(n in est or any(e.startswith(f"{n}.") for e in est) for n in names)


def _valid_estimates() -> tuple[str, ...]:
    """The names allowed in ``Costs.estimates``."""
    return _PRICES + _POSITIVE + tuple(f"{p}.{lv}" for p in CARE_PLACES for lv in CARE_LEVELS)


def _read(key: str, value: Any, base: Costs, src: str) -> tuple[Any, list[Problem]]:
    """Convert one TOML value of a ``[costs]`` key; return (value, problems)."""
    if key in CARE_PLACES:
        if isinstance(value, CarePrices):
            return value, []
        sub = f"{src[:-1]}.{key}]" if src.endswith("]") else f"{src}.{key}"
        try:
            return CarePrices.from_dict(value, source=sub, base=getattr(base, key)), []
        except DataError as exc:
            return None, [p for p in exc.problems if isinstance(p, Problem)]
    if key in _PRICES + _POSITIVE + _BUDGETS:
        if value is None and key in _BUDGETS:
            return None, []
        if not is_number(value):
            return None, [Problem(src, "", key, repr(value), "use a number")]
        return float(value), []
    if key in ("budget_items", "estimates"):
        names = _names(value)
        if names is None:
            return None, [Problem(src, "", key, repr(value)[:80], "use a list of names")]
        return names, []
    return value, []


def _check(costs: Costs) -> list[Problem]:
    return _check_values({f: getattr(costs, f) for f in Costs.fields()})


def _check_values(values: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a set of field values (filed under ``Costs``)."""
    src = "Costs"
    problems: list[Problem] = []
    for place in CARE_PLACES:
        if not isinstance(values[place], CarePrices):
            problems.append(
                Problem(src, "", place, repr(values[place])[:80], "use a table of care prices")
            )
    for name in _PRICES:
        v = values[name]
        if not (is_number(v) and math.isfinite(v) and v >= 0):
            problems.append(Problem(src, "", name, repr(v), "use a finite number >= 0"))
    for name in _POSITIVE:
        v = values[name]
        if not (is_number(v) and math.isfinite(v) and v > 0):
            problems.append(Problem(src, "", name, repr(v), "use a finite number > 0"))
    for name in _BUDGETS:
        v = values[name]
        if v is not None and not (is_number(v) and math.isfinite(v) and v >= 0):
            problems.append(
                Problem(src, "", name, repr(v), "use yuan >= 0, or leave it out (no budget)")
            )
    if values["budget_yuan"] is not None and values["budget_per_resident_yuan"] is not None:
        problems.append(
            Problem(src, "", "budget_yuan", "both budget_yuan and budget_per_resident_yuan",
                    "state the budget once: per resident or in total")
        )  # fmt: skip
    items = _names(values["budget_items"])
    if items is None:
        problems.append(
            Problem(src, "", "budget_items", repr(values["budget_items"])[:80],
                    f"use a list of items from {list(ITEMS)}")
        )  # fmt: skip
    else:
        problems += [
            dataclasses.replace(p, field="budget_items", found=f"unknown item {p.field!r}")
            for p in unknown_keys(src, dict.fromkeys(items), ITEMS)
        ]
    if values["objective"] not in OBJECTIVES:
        problems.append(
            Problem(src, "", "objective", repr(values["objective"]), f"use one of {OBJECTIVES}")
        )
    marks = _names(values["estimates"])
    if marks is None:
        problems.append(
            Problem(src, "", "estimates", repr(values["estimates"])[:80], "use a list of fields")
        )
    else:
        problems += [
            dataclasses.replace(p, field="estimates", found=f"unknown field {p.field!r}")
            for p in unknown_keys(src, dict.fromkeys(marks), _valid_estimates())
        ]
    return problems
