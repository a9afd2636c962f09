"""The cost, diagnosis and hosting tables of a scenario: read, resolved over the region's.

A scenario file may hold three tables beside the alliance model:

* ``[costs]`` (:class:`netopt.costs.Costs` fields): prices, the capitated budget and the
  objective. Costs are reported in every scenario; the scenario's table is merged over
  region.toml's ``[costs]`` (key by key, care prices level by level), itself over the
  documented defaults. ``enabled = false``: no cost model.
* ``[diagnosis]`` (:class:`netopt.diagnosis.DiagnosisOptions`: ``[diagnosis.laboratory]``,
  ``[diagnosis.imaging]``, ``[diagnosis.ecg]``, ``[diagnosis.courier]``): shared diagnosis
  centres and the laboratory courier, planned only in a scenario with this table; merged
  over region.toml's ``[diagnosis]``.
* ``[hosting]`` (:class:`netopt.hosting.HostingOptions`: ``[[hosting.links]]``,
  ``choose``, ``[[hosting.candidates]]``): city or tertiary partners hosting county leads,
  applied only in a scenario with this table. The links are region.toml's ``[[hosting]]``
  rows (the sourced arrangements) and the scenario's own; a scenario link for the same
  lead replaces the region's; ``region_links = false`` leaves the region's out.

A :class:`~netopt.scenario.Scenario` keeps each table as the mapping written (so that it
merges over whichever region it runs on) or, from the Python API, as the finished option
object, which is then used as it is. The tables are checked when the scenario is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netopt._errors import DataError, Problem
from netopt.costs import Costs
from netopt.diagnosis import DiagnosisOptions
from netopt.hosting import HostingOptions
from netopt.region import Region

__all__ = [
    "EXTRA_TABLES",
    "check_extra",
    "extra_to_dict",
    "resolve_costs",
    "resolve_diagnosis",
    "resolve_hosting",
]

#: Scenario tables handled here -> the option class they describe.
EXTRA_TABLES: dict[str, type] = {
    "costs": Costs,
    "diagnosis": DiagnosisOptions,
    "hosting": HostingOptions,
}

#: Keys of ``[hosting]`` read here, not by HostingOptions.
_HOSTING_KEYS = ("enabled", "region_links")


def _plain(value: Any) -> Any:
    """A deep copy of a TOML-like value as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def check_extra(key: str, value: Any, *, source: str = "Scenario") -> Any:
    """Check one of the ``costs``, ``diagnosis`` or ``hosting`` values of a scenario.

    Parameters
    ----------
    key : {"costs", "diagnosis", "hosting"}
    value : mapping, option object or None
        A mapping is the scenario's table (``enabled = false`` turns it into None); an
        option object of :data:`EXTRA_TABLES` is kept as it is.
    source : str
        The file named in error messages.

    Returns
    -------
    dict, option object or None
        The table as plain values, the object, or None (not planned).

    Raises
    ------
    DataError
        A bad table: every problem, naming the file, the table and the key.
    TypeError
        A value that is neither a mapping, the option object nor None.
    """
    cls = EXTRA_TABLES[key]
    if value is None or isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"Scenario {key} must be a mapping (the [{key}] table), a {cls.__name__} or None, "
            f"not {type(value).__name__}"
        )
    table = _plain(value)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise DataError(Problem(source, f"[{key}]", "enabled", repr(enabled), "use true or false"))
    if not enabled:
        return None
    _build(key, table, source)  # every problem now, not at run time
    return table


def _build(key: str, table: Mapping[str, Any], source: str) -> Any:
    """The option object of a table on its own (no region underneath)."""
    label = f"{source} [{key}]"
    if key == "costs":
        return Costs.from_dict(_without(table, ("enabled",)), source=f"[{key}]", file=source)
    if key == "diagnosis":
        return DiagnosisOptions.from_dict(table, source=label)
    region_links = table.get("region_links", True)
    if not isinstance(region_links, bool):
        raise DataError(
            Problem(source, "[hosting]", "region_links", repr(region_links), "use true or false")
        )
    return HostingOptions.from_dict(_without(table, _HOSTING_KEYS), source=label)


def _without(table: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if k not in keys}


def extra_to_dict(value: Any) -> dict[str, Any] | None:
    """The table written to ``scenario.toml`` for a ``costs``/``diagnosis``/``hosting`` value.

    Parameters
    ----------
    value : dict, option object or None

    Returns
    -------
    dict or None
        The mapping as given, the object's ``to_dict()``, or None (nothing to write).
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        return _plain(value)
    return value.to_dict()


def _region_table(region: Region, key: str) -> Mapping[str, Any]:
    table = region.metadata.get(key) or {}
    if not isinstance(table, Mapping):
        raise DataError(
            Problem("region.toml", f"[{key}]", "", type(table).__name__, f"write a [{key}] table")
        )
    return table


def resolve_costs(region: Region, value: Any, *, source: str = "scenario") -> Costs | None:
    """The prices of a run: the scenario's ``[costs]`` over region.toml's over the defaults.

    Parameters
    ----------
    region : Region
    value : dict, Costs or None
        The scenario's ``costs`` (:func:`check_extra`).
    source : str
        The scenario file named in error messages.

    Returns
    -------
    Costs or None
        None when the scenario has no cost model.

    Raises
    ------
    DataError
        A bad region table (filed under region.toml) or scenario table.
    """
    if value is None:
        return None
    if isinstance(value, Costs):
        return value
    table = _region_table(region, "costs")
    if table.get("enabled", True) is False and not value:
        return None
    base = Costs.from_dict(_without(table, ("enabled",)), file="region.toml")
    return Costs.from_dict(_without(value, ("enabled",)), file=source, base=base)


def resolve_diagnosis(
    region: Region, value: Any, *, source: str = "scenario"
) -> DiagnosisOptions | None:
    """The diagnosis options of a run: the scenario's ``[diagnosis]`` over region.toml's.

    Parameters
    ----------
    region : Region
    value : dict, DiagnosisOptions or None
        The scenario's ``diagnosis``; None: no diagnosis centres are planned.
    source : str
        The scenario file named in error messages.

    Returns
    -------
    DiagnosisOptions or None
        None when not planned (no table, or ``enabled = false``).

    Raises
    ------
    DataError
    """
    if value is None:
        return None
    options = (
        value
        if isinstance(value, DiagnosisOptions)
        else DiagnosisOptions.for_region(region, value, source=f"{source} [diagnosis]")
    )
    return options if options.enabled else None


def resolve_hosting(
    region: Region, value: Any, *, source: str = "scenario"
) -> HostingOptions | None:
    """The hosting links of a run: region.toml's ``[[hosting]]`` rows and the scenario's.

    Parameters
    ----------
    region : Region
    value : dict, HostingOptions or None
        The scenario's ``hosting``; None: no hosting.
    source : str
        The scenario file named in error messages.

    Returns
    -------
    HostingOptions or None

    Raises
    ------
    DataError
        A bad region row or scenario table.
    """
    if value is None or isinstance(value, HostingOptions):
        return value
    own = HostingOptions.from_dict(_without(value, _HOSTING_KEYS), source=f"{source} [hosting]")
    if not value.get("region_links", True):
        return own
    given = {x.lead for x in own.links} | set(own.leads or ())
    inherited = tuple(x for x in HostingOptions.from_region(region).links if x.lead not in given)
    return own.replace(links=inherited + own.links) if inherited else own
