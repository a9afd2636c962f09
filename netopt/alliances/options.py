r"""What an alliance plan optimises and under which limits (:class:`AllianceOptions`).

A scenario's ``[model]`` table (with its ``[model.rates]`` sub-table) is read by
:meth:`AllianceOptions.from_dict`; the CLI and the scenario runner hand the same object to
:func:`netopt.alliances.plan_alliances` unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any, Literal

from netopt._errors import DataError, Problem
from netopt._options import OptionsMixin, resourced, unknown_keys
from netopt.alliances.flow_options import FlowOptions
from netopt.kpis import Rates
from netopt.region import PRIMARY_TIERS

__all__ = ["DEFAULT_TRAVEL_WINDOW_MIN", "OBJECTIVES", "AllianceOptions", "Objective"]

Objective = Literal["median", "center", "coverage"]

#: The location models :func:`~netopt.alliances.plan_alliances` can solve.
OBJECTIVES: tuple[str, ...] = ("median", "center", "coverage")

_TEXT_TUPLES = ("fixed_leads", "candidates", "primary_tiers")


class _DefaultWindow(float):
    """The default travel window: a float that remembers it was not stated.

    ``AllianceOptions().max_travel_min`` is this value, so every reader of the field gets
    the limit that applies; :attr:`AllianceOptions.travel_window_default` tells it apart
    from a stated 60 and :meth:`AllianceOptions.to_dict` leaves it out.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{float(self)!r}"


#: The travel window (minutes, one way, ferry included) that applies when a scenario states
#: no ``max_travel_min``: the 60-minute emergency window of the shipped scenarios
#: (``scenarios/today.toml``) and of the access KPIs (``share_lead_60min``), the "golden
#: hour" of emergency care. It keeps a plan from handing a county to a hospital hours away.
DEFAULT_TRAVEL_WINDOW_MIN: float = _DefaultWindow(60.0)


@dataclass(frozen=True)
class AllianceOptions(OptionsMixin):
    r"""The alliance model: how many leads, which ones, what to optimise, under which limits.

    The model is two-level. Residents of zone :math:`z` (population :math:`w_z`) first use
    their primary facility :math:`m(z)` (given in the data, else the nearest facility of a
    ``primary_tiers`` tier by travel time); a member facility's alliance decides which lead
    :math:`j` receives its referrals. With yearly rates :math:`r_p` (primary visits) and
    :math:`r_r` (referrals) and one-way times :math:`t`, the plan minimises patient-hours
    travelled per year (round trips):

    .. math::

        \min \sum_z 2 w_z \big( r_p\, t(z, m(z)) + r_r\, t(z, \ell(m(z))) \big) / 3600

    where :math:`\ell(m)` is the lead of member :math:`m`'s alliance. The first term does not
    depend on the choice, so the choice is a p-median over member facilities with cost
    :math:`c_{mj} = \sum_{z: m(z)=m} 2 w_z r_r t(z, j) / 3600`, single-sourced capacities
    (referrals per year against the lead's admission capacity) and an optional hard limit on
    every zone's travel time to its lead.

    The other objectives keep the members and the limits but change what is optimised:
    ``"center"`` minimises :math:`\max_m \max_{z: m(z)=m} t(z, \ell(m))` (p-center over the
    members' worst zone times) and ``"coverage"`` maximises
    :math:`\sum_m W_m [\max_{z: m(z)=m} t(z, \ell(m)) \le T]` with :math:`W_m` the residents of
    member :math:`m` and :math:`T` = ``max_travel_min`` (maximal covering location problem).

    Parameters
    ----------
    p : int, optional
        Number of alliances (lead hospitals) to form, >= 1. None with ``fixed_leads``:
        exactly those leads, members assigned optimally.
    fixed_leads : tuple of str
        Facility ids of leads that must be kept open (they count toward ``p``).
    candidates : tuple of str, optional
        Facility ids that may lead; default every facility with ``can_lead``.
    evaluate_only : bool, default False
        Evaluate today's alliances (the facilities' ``alliance`` column) as they are, without
        optimising; ``p``, ``max_travel_min`` and ``objective`` are then not used.
    capacities : bool, default True
        Enforce the leads' yearly admission capacity (beds, see
        :meth:`netopt.kpis.Rates.admissions_capacity`) against their referral load. When the
        beds cannot hold the load, a soft-capacity model keeps every member single-sourced,
        minimises the total overflow first and the patient-hours second, and reports each
        lead's load, capacity and overflow (``alliances``, ``messages``,
        ``kpis['population_unserved_capacity']``) and the members that would have to move
        (``capacity_moves``). With False the capacity is
        not enforced but the overload is still reported.
    max_travel_min : float, optional
        Hard limit (minutes, > 0) on every zone's one-way travel time to its lead (emergency
        window, ferry included). Zones that no candidate can serve within it are exempted and
        listed in ``AlliancePlan.beyond_limit`` with their excess. Not given: the default
        window :data:`DEFAULT_TRAVEL_WINDOW_MIN` (60 min) applies, and the plan's messages
        say so (:attr:`travel_window_text`). None, or ``inf`` (TOML ``max_travel_min =
        inf``): no limit.
    objective : {"median", "center", "coverage"}, default "median"
        ``"median"`` minimises patient-hours (p-median); ``"center"`` minimises the worst
        zone's time to its lead (p-center); ``"coverage"`` maximises the population within
        the travel window of its lead (MCLP; needs a finite window).
    rates : Rates, default Rates()
        Visit rates and bed conversion (documented defaults with sources).
    primary_tiers : tuple of str, default ("township", "village")
        Tiers residents use first.
    allow_any_lead : bool, default False
        Let ``fixed_leads`` name facilities that cannot lead (``can_lead`` false, e.g. a
        60-bed health centre); the plan's messages then say so. Without it such a fixed lead
        is a :class:`~netopt.DataError` naming the facility and its tier.
    allow_outside_leads : bool, default False
        Let a hospital outside the planning area (region.toml ``area``, see
        :mod:`netopt.alliances.area`) lead an alliance. Without it such facilities are
        referral partners: they are not lead candidates, and naming one in ``fixed_leads``
        or ``candidates`` is a :class:`~netopt.DataError` naming it and its area. With it
        they are candidates and the plan's messages say so.
    flows : FlowOptions, default FlowOptions()
        The patient-flow model (demand by care level, choice parameters) and the optional
        upgrade decision with its targets (a scenario's ``[model.flows]`` table).

    Raises
    ------
    DataError
        Listing every value out of range or of the wrong type, each naming its field.

    Examples
    --------
    >>> AllianceOptions(p=3, max_travel_min=60).objective
    'median'
    >>> AllianceOptions(p=2).travel_window_text
    'travel window 60 min (default)'
    >>> AllianceOptions.from_dict({"p": 2, "rates": {"referrals_per_year": 0.2}}).p
    2
    """

    p: int | None = None
    fixed_leads: tuple[str, ...] = ()
    candidates: tuple[str, ...] | None = None
    evaluate_only: bool = False
    capacities: bool = True
    max_travel_min: float | None = DEFAULT_TRAVEL_WINDOW_MIN
    objective: str = "median"
    rates: Rates = field(default_factory=Rates)
    primary_tiers: tuple[str, ...] = PRIMARY_TIERS
    allow_any_lead: bool = False
    allow_outside_leads: bool = False
    flows: FlowOptions = field(default_factory=FlowOptions)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        p = self.p
        if p is not None:
            if isinstance(p, bool) or not isinstance(p, Integral) or p < 1:
                problems.append(_problem("p", p, "use a whole number of alliances >= 1"))
            else:
                object.__setattr__(self, "p", int(p))
        for name in _TEXT_TUPLES:
            value = getattr(self, name)
            if value is None and name == "candidates":
                continue
            texts = _text_tuple(value)
            if texts is None:
                problems.append(_problem(name, value, "use a list of facility ids or tiers (text)"))
            else:
                object.__setattr__(self, name, texts)
        if not self.primary_tiers:
            problems.append(_problem("primary_tiers", (), "name at least one tier"))
        for name in ("evaluate_only", "capacities", "allow_any_lead", "allow_outside_leads"):
            if not isinstance(getattr(self, name), bool):
                problems.append(_problem(name, getattr(self, name), "use true or false"))
        limit = self.max_travel_min
        if limit is not None and not isinstance(limit, _DefaultWindow):
            if (
                isinstance(limit, bool)
                or not isinstance(limit, Real)
                or math.isnan(limit)
                or not limit > 0
            ):
                problems.append(
                    _problem("max_travel_min", limit, "use a number of minutes > 0 (inf: no limit)")
                )
            else:
                limit = None if math.isinf(limit) else float(limit)
                object.__setattr__(self, "max_travel_min", limit)
        if self.objective not in OBJECTIVES:
            problems.append(
                _problem("objective", self.objective, "use 'median', 'center' or 'coverage'")
            )
        elif self.objective == "coverage" and self.max_travel_min is None:
            problems.append(
                _problem(
                    "max_travel_min", math.inf, "objective 'coverage' needs a finite travel window"
                )
            )
        if not isinstance(self.rates, Rates):
            problems.append(_problem("rates", self.rates, "use a netopt.kpis.Rates"))
        if not isinstance(self.flows, FlowOptions):
            problems.append(_problem("flows", self.flows, "use a netopt.alliances.FlowOptions"))
        if problems:
            raise DataError(problems)

    @property
    def travel_window_default(self) -> bool:
        """True when the travel window is the default (no ``max_travel_min`` was given)."""
        return isinstance(self.max_travel_min, _DefaultWindow)

    @property
    def travel_window_text(self) -> str:
        """The travel window in words, for reports: ``"travel window 60 min (default)"``."""
        window = self.max_travel_min
        if window is None:
            return "no travel window (max_travel_min = inf)"
        return f"travel window {window:g} min" + (
            " (default)" if self.travel_window_default else ""
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[model]") -> AllianceOptions:
        """Build options from a mapping such as a scenario's ``[model]`` table.

        Parameters
        ----------
        data : mapping
            Keys among :meth:`fields`; missing keys keep their defaults. ``rates`` may be a
            mapping of :class:`~netopt.kpis.Rates` fields (a ``[model.rates]`` table).
        source : str, default "[model]"
            Named in error messages.

        Returns
        -------
        AllianceOptions

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key), wrong types and bad values, all in
            one error.
        """
        valid = cls.fields()
        problems: list[Problem | str] = list(unknown_keys(source, data, valid))
        kwargs = {k: v for k, v in data.items() if k in valid}
        for key, kind in (("rates", Rates), ("flows", FlowOptions)):  # sub-tables
            if not isinstance(kwargs.get(key), Mapping):
                continue
            sub = f"{source[:-1]}.{key}]" if source.endswith("]") else f"{source}.{key}"
            try:
                kwargs[key] = kind.from_dict(kwargs[key], source=sub)
            except DataError as exc:
                problems.extend(exc.problems)
                del kwargs[key]
        try:
            options = cls(**kwargs)
        except DataError as exc:
            problems.extend(resourced(exc, source).problems)
        if problems:
            raise DataError(problems)
        return options

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a TOML-ready dict (the keys of a ``[model]`` table).

        Tuples become lists, ``rates`` a dict of its fields, None values are dropped, the
        default travel window is left out and no window is ``max_travel_min = inf``;
        :meth:`from_dict` reads it back to equal options.

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for name in self.fields():
            value = getattr(self, name)
            if name == "max_travel_min" and value is None:
                value = math.inf
            if value is None or isinstance(value, _DefaultWindow):
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, (Rates, FlowOptions)):
                value = value.to_dict()
            out[name] = value
        return out


def _text_tuple(value: Any) -> tuple[str, ...] | None:
    """``value`` as a tuple of str (from a list, tuple, ...), or None if it is not one."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return None
    items = tuple(value)
    if not all(isinstance(v, str) for v in items):
        return None
    return items


def _problem(field: str, value: Any, fix: str) -> Problem:
    return Problem("AllianceOptions", "", field, repr(value), fix)
