"""Settings of a diagnosis-centre plan: :class:`DiagnosisOptions`.

Read from ``region.toml [diagnosis]`` and a scenario's ``[diagnosis]`` (which overrides the
region's, key by key, see :meth:`DiagnosisOptions.for_region`)::

    [diagnosis]
    enabled = true
    services = ["laboratory", "imaging", "ecg"]   # which services to plan (default: all)
    sender_tiers = ["township"]                   # facilities that send samples and data
    working_days = 250

    [diagnosis.laboratory]                        # changes to the default service
    fixed_centres = ["XS-H01"]
    window_min = 240

    [diagnosis.courier]                           # the courier routes (CourierOptions)
    vehicles_per_centre = 3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, resourced, unknown_keys
from netopt.diagnosis.services import DEFAULT_SERVICES, SERVICES, WORKING_DAYS, Service
from netopt.region import TIERS, Region

__all__ = ["DiagnosisOptions"]

_KEYS = ("enabled", "services", "sender_tiers", "working_days", "courier", *SERVICES)


def _courier_class() -> Any:
    """H3's ``CourierOptions`` (imported late: the courier module imports this one)."""
    try:
        from netopt.diagnosis.courier import CourierOptions
    except ImportError:  # pragma: no cover - until netopt.diagnosis.courier exists
        return None
    return CourierOptions


def _default_courier() -> Any:
    cls = _courier_class()
    return None if cls is None else cls()


@dataclass(frozen=True)
class DiagnosisOptions(OptionsMixin):
    """Which diagnosis services to plan, who sends, and how the courier runs.

    Parameters
    ----------
    services : dict of str to Service
        The services to plan, keyed by a name of :data:`~netopt.diagnosis.SERVICES`
        (default: all three with their defaults, :data:`~netopt.diagnosis.DEFAULT_SERVICES`).
    sender_tiers : tuple of str, default ("township",)
        Tiers of the facilities that send samples and data. Residents whose primary
        facility is of another tier (a village clinic) send through the nearest sender of
        their alliance, by facility-to-facility travel time.
    working_days : float, default 250
        Working days a year (the Labour Ministry's count, see
        :mod:`netopt.diagnosis.services`): samples per day and the courier runs a year of
        the laboratory's travel cost.
    courier : CourierOptions or None
        The courier routes (:class:`netopt.diagnosis.courier.CourierOptions`); the default
        when that module is present, else None.
    enabled : bool, default True
        Whether a scenario plans diagnosis centres at all.
    """

    services: dict[str, Service] = field(default_factory=lambda: dict(DEFAULT_SERVICES))
    sender_tiers: tuple[str, ...] = ("township",)
    working_days: float = WORKING_DAYS
    # TODO(lead): type as CourierOptions once netopt.diagnosis.courier (H3) is merged
    courier: Any = field(default_factory=_default_courier)
    enabled: bool = True

    def __post_init__(self) -> None:
        src = "DiagnosisOptions"
        problems: list[Problem] = []
        services = self.services
        if not isinstance(services, Mapping):
            problems.append(Problem(src, "", "services", repr(services)[:80],
                                    "use a mapping of service name to Service"))  # fmt: skip
        else:
            for name, service in services.items():
                if name not in SERVICES:
                    problems += unknown_keys(src + " services", {name: 0}, SERVICES)
                elif not isinstance(service, Service):
                    problems.append(Problem(src, "", f"services.{name}", repr(service)[:80],
                                            "use a Service"))  # fmt: skip
            object.__setattr__(
                self, "services", {k: services[k] for k in SERVICES if k in services}
            )
        tiers = self.sender_tiers
        tiers = (tiers,) if isinstance(tiers, str) else tiers
        if not tiers or not all(t in TIERS for t in tiers):
            problems.append(Problem(src, "", "sender_tiers", repr(self.sender_tiers),
                                    f"use tiers among {TIERS}, e.g. [\"township\"]"))  # fmt: skip
        else:
            object.__setattr__(self, "sender_tiers", tuple(dict.fromkeys(tiers)))
        days = self.working_days
        if not (is_number(days) and 0 < days <= 366):
            problems.append(Problem(src, "", "working_days", repr(days), "use days in (0, 366]"))
        else:
            object.__setattr__(self, "working_days", float(days))
        if not isinstance(self.enabled, bool):
            problems.append(Problem(src, "", "enabled", repr(self.enabled), "use true or false"))
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | None = None, *, source: str = "[diagnosis]"
    ) -> DiagnosisOptions:
        """Build options from a ``[diagnosis]`` table; unknown keys are errors.

        Parameters
        ----------
        data : mapping or None
            ``enabled``, ``services`` (a list of service names to plan, default all),
            ``sender_tiers``, ``working_days``, a sub-table per service (changes to its
            default, :meth:`Service.from_dict`) and ``courier`` (a
            ``[diagnosis.courier]`` table).
        source : str, default "[diagnosis]"
            Named in error messages, e.g. ``"islands.toml [diagnosis]"``.

        Returns
        -------
        DiagnosisOptions

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.

        Examples
        --------
        >>> opts = DiagnosisOptions.from_dict({"services": ["laboratory"],
        ...                                    "laboratory": {"window_min": 180}})
        >>> list(opts.services), opts.services["laboratory"].window_min
        (['laboratory'], 180.0)
        """
        data = dict(data or {})
        problems = unknown_keys(source, data, _KEYS)
        names = data.pop("services", list(SERVICES))
        if isinstance(names, str) or not isinstance(names, (list, tuple)):
            problems.append(Problem(source, "", "services", repr(names)[:80],
                                    f"use a list of services among {SERVICES}"))  # fmt: skip
            names = list(SERVICES)
        problems += unknown_keys(f"{source} services", dict.fromkeys(names), SERVICES)
        names = [n for n in names if n in SERVICES]
        services: dict[str, Service] = {}
        sub = source.removesuffix("]")
        for name in SERVICES:
            table = data.pop(name, None)
            if table is not None and name not in names:
                problems.append(Problem(source, "", name, "a table for a service not planned",
                                        f"add {name!r} to services, or drop the table"))  # fmt: skip
                continue
            if name not in names:
                continue
            try:
                services[name] = Service.from_dict(
                    table or {}, base=DEFAULT_SERVICES[name], source=f"{sub}.{name}]"
                )
            except DataError as exc:
                problems += [p for p in exc.problems if isinstance(p, Problem)]
        values: dict[str, Any] = {k: v for k, v in data.items() if k in _KEYS}
        if "courier" in values:
            try:
                values["courier"] = _courier(values["courier"], f"{sub}.courier]")
            except DataError as exc:
                problems += [p for p in exc.problems if isinstance(p, Problem)]
                values.pop("courier")
        if isinstance(values.get("sender_tiers"), list):
            values["sender_tiers"] = tuple(values["sender_tiers"])
        if problems:
            raise DataError(problems)
        try:
            return cls(services=services, **values)
        except DataError as exc:
            raise resourced(exc, source) from None

    @classmethod
    def for_region(
        cls,
        region: Region,
        data: Mapping[str, Any] | None = None,
        *,
        source: str = "[diagnosis]",
    ) -> DiagnosisOptions:
        """Options from ``region.toml [diagnosis]`` with a scenario's table over it.

        Tables merge key by key (a scenario's ``[diagnosis.laboratory]`` changes only the
        keys it gives); the region's table alone is filed under ``region.toml``.

        Parameters
        ----------
        region : Region
        data : mapping, optional
            The scenario's ``[diagnosis]`` table.
        source : str
            Named in error messages for the merged table.

        Returns
        -------
        DiagnosisOptions

        Raises
        ------
        DataError
        """
        base = region.metadata.get("diagnosis") or {}
        if not isinstance(base, Mapping):
            raise DataError(
                Problem("region.toml [diagnosis]", "", "", "not a table", "write [diagnosis]")
            )
        if not data:
            return cls.from_dict(base, source="region.toml [diagnosis]")
        return cls.from_dict(_merge(base, data), source=source)

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a ``[diagnosis]`` table (the services as sub-tables).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {
            "enabled": self.enabled,
            "services": list(self.services),
            "sender_tiers": list(self.sender_tiers),
            "working_days": self.working_days,
        }
        out.update({name: s.to_dict() for name, s in self.services.items()})
        courier = self.courier
        if courier is not None:
            out["courier"] = courier.to_dict() if hasattr(courier, "to_dict") else dict(courier)
        return out

    def service(self, name: str) -> Service:
        """The planned service ``name``.

        Parameters
        ----------
        name : str

        Returns
        -------
        Service

        Raises
        ------
        KeyError
            If the service is not planned.
        """
        return self.services[name]


def _courier(table: Any, source: str) -> Any:
    """A ``[diagnosis.courier]`` table as H3's CourierOptions (kept as a dict without it)."""
    cls = _courier_class()
    if table is None or (cls is not None and isinstance(table, cls)):
        return table
    if not isinstance(table, Mapping):
        raise DataError(Problem(source, "", "", repr(table)[:80], "write it as a table"))
    if cls is None:  # pragma: no cover - TODO(lead): remove once courier.py is merged
        return dict(table)
    return cls.from_dict(table, source=source)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on ``base``, merging sub-tables key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
