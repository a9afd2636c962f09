"""Time-critical conditions and what a facility needs to treat them: :class:`Condition`.

A condition has a treatment window (minutes from onset or first medical contact to
treatment), the in-hospital part of it (door to treatment) and the capability groups a
facility must have to treat it (:attr:`Condition.needs`: any one group, all of its
capabilities). The package defaults (:data:`CONDITIONS`) cite their guideline; a figure that
is a convention rather than a guideline number is marked ESTIMATE. A region overrides them in
``region.toml``::

    [conditions.stroke]
    window_min = 240            # e.g. a local target below the 4.5 h guideline window

and may add a condition of its own by giving at least ``window_min`` and ``needs``.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, unknown_keys
from netopt.region import Region

__all__ = [
    "CAPABILITIES",
    "CONDITIONS",
    "IMPLIED",
    "Condition",
    "capable",
    "conditions_for",
    "facility_capabilities",
]

#: Capability vocabulary of the facilities' ``capabilities`` column:
#:
#: - ``pci``: primary PCI, a catheter laboratory staffed 24/7;
#: - ``thrombolysis``: IV thrombolysis;
#: - ``stroke_centre``: thrombolysis and CT 24/7 (implies ``thrombolysis``, see :data:`IMPLIED`);
#: - ``thrombectomy``: mechanical thrombectomy for large-vessel stroke;
#: - ``trauma``: a trauma centre;
#: - ``icu``: an intensive care unit;
#: - ``obstetric_emergency``: emergency obstetric surgery and blood transfusion;
#: - ``pe_reperfusion``: systemic thrombolysis or catheter therapy for pulmonary embolism
#:   (kept explicit: not implied by ``icu`` and ``thrombolysis``);
#: - ``ambulance``: an ambulance base (a first facility for ambulance patients);
#: - ``helipad``: a helicopter landing site.
CAPABILITIES: tuple[str, ...] = (
    "pci",
    "thrombolysis",
    "stroke_centre",
    "thrombectomy",
    "trauma",
    "icu",
    "obstetric_emergency",
    "pe_reperfusion",
    "ambulance",
    "helipad",
)
#: Capabilities that imply others: a stroke centre gives thrombolysis.
IMPLIED: dict[str, tuple[str, ...]] = {"stroke_centre": ("thrombolysis",)}

_FIELDS = ("label", "window_min", "door_to_treatment_min", "needs", "source", "estimated")


@dataclass(frozen=True)
class Condition(OptionsMixin):
    """A time-critical condition: its treatment window and the capabilities that treat it.

    Parameters
    ----------
    key : str
        Identifier, e.g. ``"stroke"`` (used in KPI names: ``pathway_stroke_in_time_day``).
    label : str
        Human-readable name.
    window_min : float
        Minutes from onset (or first medical contact) to treatment, > 0.
    door_to_treatment_min : float
        The in-hospital part of the window (door to needle, balloon, theatre), >= 0 and
        <= ``window_min``.
    needs : tuple of tuple of str
        Capability groups from :data:`CAPABILITIES`: a facility qualifies when it has all the
        capabilities of any one group.
    source : str
        The guideline or convention the figures come from.
    estimated : bool
        True when a figure is a convention or an assumption rather than a guideline number.
    """

    key: str
    label: str
    window_min: float
    door_to_treatment_min: float
    needs: tuple[tuple[str, ...], ...]
    source: str = ""
    estimated: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", _needs(self.needs))
        problems = []
        name = f"Condition {self.key!r}"
        if not (isinstance(self.key, str) and self.key.isidentifier()):
            problems.append(Problem(name, "", "key", repr(self.key), "use a name like 'stroke'"))
        w, d = self.window_min, self.door_to_treatment_min
        if not (is_number(w) and 0 < w < float("inf")):
            problems.append(Problem(name, "", "window_min", repr(w), "use minutes > 0"))
        if not (is_number(d) and 0 <= d < float("inf")):
            problems.append(Problem(name, "", "door_to_treatment_min", repr(d), "use minutes >= 0"))
        elif is_number(w) and d > w:
            problems.append(
                Problem(
                    name, "", "door_to_treatment_min", f"{d:g} > window_min {w:g}",
                    "the door-to-treatment time is part of the window: use a value <= window_min",
                )
            )  # fmt: skip
        if not self.needs:
            problems.append(
                Problem(name, "", "needs", "no capability group", 'give e.g. needs = ["pci"]')
            )
        for group in self.needs:
            problems += [_capability_problem(name, c) for c in group if c not in CAPABILITIES]
        if not isinstance(self.estimated, bool):
            problems.append(Problem(name, "", "estimated", repr(self.estimated), "use true/false"))
        if problems:
            raise DataError(problems)

    @property
    def travel_budget_min(self) -> float:
        """Minutes left for the journey: ``window_min - door_to_treatment_min``."""
        return float(self.window_min - self.door_to_treatment_min)

    def to_dict(self) -> dict[str, Any]:
        """Return the condition as a plain dict (the keys of a ``[conditions.<key>]`` table).

        Returns
        -------
        dict
        """
        out = dataclasses.asdict(self)
        out["needs"] = [list(g) for g in self.needs]
        return out


def _needs(value: Any) -> tuple[tuple[str, ...], ...]:
    """Normalise ``needs``: a str is one capability; a list of str, any one of them; a list of
    lists, any one group (all of its capabilities). Bad shapes give an empty tuple."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        return ()
    groups = []
    for g in value:
        if isinstance(g, str):
            groups.append((g.strip(),))
        elif isinstance(g, Iterable) and all(isinstance(c, str) for c in g):
            groups.append(tuple(c.strip() for c in g))
        else:
            return ()
    return tuple(g for g in groups if g)


def _capability_problem(file: str, name: str) -> Problem:
    close = difflib.get_close_matches(name, CAPABILITIES, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        file, "", "needs", f"unknown capability {name!r}", f"{hint}use {', '.join(CAPABILITIES)}"
    )


#: The package's default conditions. Sources:
#:
#: - ``stroke``: IV thrombolysis within 4.5 h (270 min) of onset (AHA/ASA 2019 guideline for
#:   the early management of acute ischaemic stroke; ESO 2021 guideline on IV thrombolysis;
#:   Chinese Stroke Association / Chinese guidelines for acute ischaemic stroke 2018),
#:   door-to-needle 60 min (same guidelines). Needs a stroke centre (CT and a stroke team
#:   around the clock): a ward that can give thrombolysis for other reasons (pulmonary
#:   embolism) is not a stroke pathway.
#: - ``stemi``: primary PCI within 120 min of first medical contact (ESC STEMI guideline 2017,
#:   ESC ACS guideline 2023; Chinese Society of Cardiology STEMI guideline 2019). The 90 min
#:   door-to-balloon target counts inside the 120; the in-hospital part when the ambulance
#:   pre-alerts the cath lab is an ESTIMATE of 30 min.
#: - ``pulmonary_embolism``: reperfusion for high-risk PE; ESC 2019 asks for it "without
#:   delay" and gives no window, so 120 min is an ESTIMATE, door-to-treatment 30 min.
#: - ``major_trauma``: the "golden hour", 60 min to a trauma centre (ACS Committee on Trauma
#:   convention, not an evidence-based threshold: ESTIMATE), door-to-treatment 0.
#: - ``obstetric_haemorrhage``: 60 min to definitive care, an ESTIMATE from WHO guidance on
#:   postpartum haemorrhage (treatment "within the first hour"), door-to-treatment 15 min.
CONDITIONS: dict[str, Condition] = {
    c.key: c
    for c in (
        Condition(
            "stroke",
            "Acute ischaemic stroke (IV thrombolysis)",
            270.0,
            60.0,
            (("stroke_centre",),),
            "AHA/ASA 2019; ESO 2021; Chinese Stroke Association 2018: thrombolysis within "
            "4.5 h of onset, door-to-needle 60 min",
            False,
        ),
        Condition(
            "stemi",
            "STEMI (primary PCI)",
            120.0,
            30.0,
            (("pci",),),
            "ESC 2017/2023; Chinese Society of Cardiology 2019: primary PCI within 120 min of "
            "first medical contact; in-hospital 30 min with pre-alert ESTIMATE",
            True,
        ),
        Condition(
            "pulmonary_embolism",
            "High-risk pulmonary embolism (reperfusion)",
            120.0,
            30.0,
            (("pe_reperfusion",),),
            "ESC 2019: reperfusion without delay; 120 min window ESTIMATE",
            True,
        ),
        Condition(
            "major_trauma",
            "Major trauma (trauma centre)",
            60.0,
            0.0,
            (("trauma",),),
            "ACS Committee on Trauma 'golden hour' convention; ESTIMATE",
            True,
        ),
        Condition(
            "obstetric_haemorrhage",
            "Obstetric haemorrhage (definitive care)",
            60.0,
            15.0,
            (("obstetric_emergency",),),
            "WHO postpartum haemorrhage guidance: treatment within the first hour; ESTIMATE",
            True,
        ),
    )
}


def conditions_for(region: Region | None = None) -> dict[str, Condition]:
    """Return the conditions of a region: the defaults with its ``region.toml`` overrides.

    Each ``[conditions.<key>]`` table may set ``label``, ``window_min``,
    ``door_to_treatment_min``, ``needs``, ``source`` and ``estimated``. An override of a
    default that changes a figure without giving its own ``source`` keeps the default source
    with ``"; region override"`` appended. A key that is not a default is a new condition and
    must give ``window_min`` and ``needs``.

    Parameters
    ----------
    region : Region or None
        None (or a region without ``[conditions]``): the defaults, :data:`CONDITIONS`.

    Returns
    -------
    dict of str to Condition
        Defaults first, in their order, then the region's own conditions.

    Raises
    ------
    DataError
        Every bad table, key or value at once, each filed under
        ``region.toml [conditions.<key>]`` with the field and the fix.

    Examples
    --------
    >>> conditions_for()["stroke"].window_min
    270.0
    """
    table = {} if region is None else region.metadata.get("conditions") or {}
    out = dict(CONDITIONS)
    if not isinstance(table, Mapping):
        raise DataError(
            Problem("region.toml", "", "conditions", repr(table)[:80],
                    "write each override as a table, e.g. [conditions.stroke] window_min = 270")
        )  # fmt: skip
    problems: list[Problem] = []
    for key, override in table.items():
        source = f"region.toml [conditions.{key}]"
        if not isinstance(override, Mapping):
            problems.append(Problem(source, "", "", repr(override)[:80], "write it as a table"))
            continue
        bad = unknown_keys(source, override, _FIELDS)
        problems += bad
        if bad:
            continue
        base = out.get(str(key))
        if base is None:
            missing = [f for f in ("window_min", "needs") if f not in override]
            if missing:
                close = difflib.get_close_matches(str(key), list(CONDITIONS), n=1, cutoff=0.5)
                hint = f"did you mean [conditions.{close[0]}]? " if close else ""
                problems.append(
                    Problem(source, "", ", ".join(missing), f"unknown condition {key!r}",
                            f"{hint}override one of {', '.join(CONDITIONS)}, or give a new "
                            "condition window_min and needs")
                )  # fmt: skip
                continue
            # placeholders: window_min and needs are given and replace them
            base = Condition(str(key), str(key), 1.0, 0.0, (("icu",),), "region.toml", False)
        try:
            out[str(key)] = _override(base, override, source)
        except DataError as exc:
            problems += [
                dataclasses.replace(p, file=source) for p in exc.problems if isinstance(p, Problem)
            ]
    if problems:
        raise DataError(problems)
    return out


def _override(base: Condition, override: Mapping[str, Any], source: str) -> Condition:
    """Apply one ``[conditions.<key>]`` table to ``base`` (types checked first)."""
    problems = []
    changes: dict[str, Any] = {}
    for name, value in override.items():
        if name in ("window_min", "door_to_treatment_min"):
            if not is_number(value):
                problems.append(Problem(source, "", name, repr(value), "use a number of minutes"))
                continue
            changes[name] = float(value)
        elif name in ("label", "source"):
            if not isinstance(value, str):
                problems.append(Problem(source, "", name, repr(value), "use text"))
                continue
            changes[name] = value
        elif name == "estimated":
            if not isinstance(value, bool):
                problems.append(Problem(source, "", name, repr(value), "use true or false"))
                continue
            changes[name] = value
        elif name == "needs":
            needs = _needs(value)
            if not needs:
                problems.append(
                    Problem(source, "", name, repr(value)[:80],
                            'use a capability, a list (any one) or a list of lists (all of one '
                            'group), e.g. needs = [["pci"], ["thrombolysis", "icu"]]')
                )  # fmt: skip
                continue
            changes[name] = needs
    if problems:
        raise DataError(problems)
    figures = {"window_min", "door_to_treatment_min", "needs"} & set(changes)
    if figures and "source" not in changes and base.key in CONDITIONS:
        changes["source"] = f"{base.source}; region override"
    return dataclasses.replace(base, **changes)


def facility_capabilities(facilities: pd.DataFrame) -> list[frozenset[str]]:
    """Return each facility's capabilities with the implied ones added (:data:`IMPLIED`).

    Parameters
    ----------
    facilities : pandas.DataFrame
        With a ``capabilities`` column of tuples (a missing column or a missing value: none).

    Returns
    -------
    list of frozenset of str
    """
    column = facilities.get("capabilities")
    values = [()] * len(facilities) if column is None else list(column)
    out = []
    for caps in values:
        if isinstance(caps, str):
            caps = [c for c in caps.split(";") if c.strip()]
        elif not isinstance(caps, Iterable):
            caps = ()
        own = {str(c).strip() for c in caps}
        for c in list(own):
            own.update(IMPLIED.get(c, ()))
        out.append(frozenset(own))
    return out


def capable(facilities: pd.DataFrame, condition: Condition) -> np.ndarray:
    """Return which facilities can treat ``condition``: all capabilities of any one group.

    Parameters
    ----------
    facilities : pandas.DataFrame
        ``region.facilities`` (its ``capabilities`` column; a stroke centre counts as a
        thrombolysis site).
    condition : Condition

    Returns
    -------
    numpy.ndarray of bool, shape (F,)

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"capabilities": [("stroke_centre",), ("pci",), ()]})
    >>> capable(f, CONDITIONS["stroke"]).tolist()
    [True, False, False]
    """
    caps = facility_capabilities(facilities)
    return np.array([any(set(g) <= c for g in condition.needs) for c in caps], dtype=bool).reshape(
        len(caps)
    )
