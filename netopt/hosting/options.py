"""What a hosting arrangement is: :class:`HostingLink`, :class:`HostingCandidate` and
:class:`HostingOptions` (region.toml ``[[hosting]]`` rows, a scenario's ``[hosting]`` table).

A *link* says that a city or tertiary hospital (the *partner*) hosts a county alliance lead:
care the county cannot give is referred up to the partner rather than to any other hospital
outside the area, and recurring care started at the partner can continue at the county
hospital under the partner's plan (:mod:`netopt.hosting.model`). The links are given in the
data, or chosen by the optimiser among candidate partners with the capacity each offers
(:mod:`netopt.hosting.choose`). Two shapes are read by :meth:`HostingOptions.from_dict`::

    # region.toml: one row per link, as the region's sources describe them
    [[hosting]]
    partner = "NB-H01"
    lead = "XS-H02"
    followup_share = 0.75               # optional, default FOLLOWUP_SHARE
    source = "Ningbo Huamei - Red Cross Taiwan Compatriot Hospital alliance, since 2019"

    # a scenario: links, or candidates for the optimiser, and shared defaults
    [hosting]
    choose = true
    leads = ["XS-H01", "XS-H02"]        # optional, default every county-tier lead
    followup_share = 0.75
    [[hosting.candidates]]
    partner = "NB-H01"
    capacity_per_year = 3000
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, resourced, unknown_keys
from netopt.flows import CARE_LEVELS, TRANSFER_LEVELS
from netopt.region import Region

__all__ = [
    "FOLLOWUP_LEVELS",
    "FOLLOWUP_SHARE",
    "HostingCandidate",
    "HostingLink",
    "HostingOptions",
]

#: Share of the recurring visits started at the partner that can happen at the hosted county
#: hospital instead. ESTIMATE: an adjuvant FOLFOX course for colon cancer is 12 cycles every
#: 14 days over 6 months (NCCN and CSCO colon cancer guidelines); with the first cycle and two
#: restaging reviews kept at the partner, 9 of 12 cycles can be given at home, 0.75. The
#: Xiangshan source (a Shipu patient having his 60th cycle in the county under the city
#: hospital's plan) shows that nearly every cycle can move; dialysis after initiation moves
#: almost entirely, post-surgical follow-up less.
FOLLOWUP_SHARE = 0.75
#: Care levels whose visits at the partner can be followed up at home: recurring treatment
#: (chemotherapy cycles, dialysis, post-surgical follow-up; :data:`netopt.flows.CARE_LEVELS`).
FOLLOWUP_LEVELS: tuple[str, ...] = ("recurring",)

_LINK_KEYS = (
    "partner",
    "lead",
    "capacity_per_year",
    "followup_share",
    "followup_levels",
    "referral_levels",
    "source",
)
_SHARED = ("followup_share", "followup_levels", "referral_levels")


def _levels(value: Any, name: str, src: str, problems: list[Problem]) -> tuple[str, ...]:
    """A tuple of care levels (every unknown one a problem)."""
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(src, "", name, repr(value)[:80], 'use a list, e.g. ["recurring"]'))
        return ()
    out = tuple(dict.fromkeys(value))
    problems += [
        Problem(src, "", name, f"unknown care level {v!r}", f"use some of {', '.join(CARE_LEVELS)}")
        for v in out
        if v not in CARE_LEVELS
    ]
    return out


def _capacity_problem(value: Any, src: str) -> Problem | None:
    if value is None or (is_number(value) and not math.isnan(value) and value >= 0):
        return None
    return Problem(
        src, "", "capacity_per_year", repr(value),
        "use visits per year >= 0 (leave it out for no limit)",
    )  # fmt: skip


def _id_problems(src: str, **ids: Any) -> list[Problem]:
    return [
        Problem(src, "", name, repr(value), "give a facility id")
        for name, value in ids.items()
        if not isinstance(value, str) or not value
    ]


@dataclass(frozen=True)
class HostingLink(OptionsMixin):
    """A city or tertiary hospital hosting a county alliance lead.

    Parameters
    ----------
    partner : str
        Facility id of the hosting hospital (a hospital, usually outside the area).
    lead : str
        Facility id of the hosted alliance lead (a county hospital); the zones whose lead it
        is are the hosted zones.
    capacity_per_year : float or None, default None
        Visits a year the partner takes *in addition* to today's: the visits redirected to it
        from other hospitals outside the area (rule (a) of :mod:`netopt.hosting.model`).
        None: no limit. Visits that already go to the partner are never limited.
    followup_share : float, default :data:`FOLLOWUP_SHARE` (0.75, ESTIMATE)
        Share of the hosted zones' visits at the partner, at ``followup_levels``, that
        happen at the lead instead where the lead is closer for the zone.
    followup_levels : tuple of str, default :data:`FOLLOWUP_LEVELS` (``("recurring",)``)
    referral_levels : tuple of str, default :data:`netopt.flows.TRANSFER_LEVELS`
        Care levels referred up (inpatient, emergency, recurring: the levels whose visits
        outside the area are transfers out).
    source : str, default ""
        Where the arrangement is documented.

    Raises
    ------
    DataError
        Every bad value at once.
    """

    partner: str
    lead: str
    capacity_per_year: float | None = None
    followup_share: float = FOLLOWUP_SHARE
    followup_levels: tuple[str, ...] = FOLLOWUP_LEVELS
    referral_levels: tuple[str, ...] = TRANSFER_LEVELS
    source: str = ""

    def __post_init__(self) -> None:
        src = f"HostingLink {self.partner!r} -> {self.lead!r}"
        problems = _id_problems(src, partner=self.partner, lead=self.lead)
        if not problems and self.partner == self.lead:
            problems.append(Problem(src, "", "partner", "the lead itself", "name another hospital"))
        if (p := _capacity_problem(self.capacity_per_year, src)) is not None:
            problems.append(p)
        share = self.followup_share
        if not (is_number(share) and 0.0 <= share <= 1.0):
            problems.append(
                Problem(src, "", "followup_share", repr(share), "use a share in [0, 1]")
            )
        for name in ("followup_levels", "referral_levels"):
            object.__setattr__(self, name, _levels(getattr(self, name), name, src, problems))
        if not isinstance(self.source, str):
            problems.append(Problem(src, "", "source", repr(self.source), "use text"))
        if problems:
            raise DataError(problems)
        cap = self.capacity_per_year
        object.__setattr__(self, "capacity_per_year", None if cap is None else float(cap))
        object.__setattr__(self, "followup_share", float(share))

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "[[hosting]]", defaults: Mapping[str, Any]
        | None = None,
    ) -> HostingLink:  # fmt: skip
        """Build a link from a ``[[hosting]]`` row; unknown keys are errors.

        Parameters
        ----------
        data : mapping
            Keys among the fields.
        source : str, default "[[hosting]]"
            Named in error messages.
        defaults : mapping, optional
            Values for the keys the row leaves out (a scenario table's shared values).

        Returns
        -------
        HostingLink

        Raises
        ------
        DataError
        """
        if not isinstance(data, Mapping):
            raise DataError(
                Problem(source, "", "", repr(data)[:80], 'write it as a table: partner = "..."')
            )
        problems = unknown_keys(source, data, _LINK_KEYS)
        missing = [k for k in ("partner", "lead") if k not in data]
        problems += [Problem(source, "", k, "missing", "give a facility id") for k in missing]
        if problems:
            raise DataError(problems)
        values = {**dict(defaults or {}), **dict(data)}
        try:
            return cls(**values)
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the link as a ``[[hosting]]`` row (no capacity key when unlimited).

        Returns
        -------
        dict
        """
        out = dataclasses.asdict(self)
        for name in ("followup_levels", "referral_levels"):
            out[name] = list(out[name])
        if out["capacity_per_year"] is None:
            del out["capacity_per_year"]
        return out


@dataclass(frozen=True)
class HostingCandidate(OptionsMixin):
    """A hospital that offers to host county leads, and how many referrals a year it takes.

    Parameters
    ----------
    partner : str
        Facility id.
    capacity_per_year : float or None, default None
        Redirected visits a year it takes from all the leads it hosts together
        (:attr:`HostingLink.capacity_per_year`); None: no limit.
    """

    partner: str
    capacity_per_year: float | None = None

    def __post_init__(self) -> None:
        src = f"HostingCandidate {self.partner!r}"
        problems = _id_problems(src, partner=self.partner)
        if (p := _capacity_problem(self.capacity_per_year, src)) is not None:
            problems.append(p)
        if problems:
            raise DataError(problems)
        cap = self.capacity_per_year
        object.__setattr__(self, "capacity_per_year", None if cap is None else float(cap))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "[[hosting.candidates]]") -> HostingCandidate:
        """Build a candidate from a table (``partner``, ``capacity_per_year``) or an id.

        Parameters
        ----------
        data : mapping or str
        source : str
            Named in error messages.

        Returns
        -------
        HostingCandidate

        Raises
        ------
        DataError
        """
        if isinstance(data, str):
            data = {"partner": data}
        if not isinstance(data, Mapping):
            raise DataError(
                Problem(source, "", "", repr(data)[:80], "use a facility id or a table")
            )
        problems = unknown_keys(source, data, cls.fields())
        if "partner" not in data:
            problems.append(Problem(source, "", "partner", "missing", "give a facility id"))
        if problems:
            raise DataError(problems)
        try:
            return cls(**dict(data))
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the candidate as a table (no capacity key when unlimited)."""
        out: dict[str, Any] = {"partner": self.partner}
        if self.capacity_per_year is not None:
            out["capacity_per_year"] = self.capacity_per_year
        return out


@dataclass(frozen=True)
class HostingOptions(OptionsMixin):
    """The hosting arrangements of a plan: links as given, or partners to choose.

    Parameters
    ----------
    links : tuple of HostingLink, default ()
        Links as given (each lead at most once). With ``choose`` they are kept, and the
        optimiser assigns partners to the other leads.
    choose : bool, default False
        Assign each lead of ``leads`` to at most one of ``candidates``
        (:func:`netopt.hosting.choose_partners`).
    candidates : tuple of HostingCandidate, default ()
        The partners the optimiser may choose, each with its capacity.
    leads : tuple of str or None, default None
        The leads the optimiser may host; None: every lead of the plan whose tier is
        ``"county"`` and that no given link hosts.
    followup_share, followup_levels, referral_levels
        As in :class:`HostingLink`: the values of the chosen links, and of given links that
        leave them out (in :meth:`from_dict`).

    Raises
    ------
    DataError
        Every bad value at once: a lead hosted twice, ``choose`` without candidates, a
        candidate listed twice ...

    Examples
    --------
    >>> HostingOptions.from_dict([{"partner": "NB-H01", "lead": "XS-H02"}]).partner_of_lead
    {'XS-H02': 'NB-H01'}
    """

    links: tuple[HostingLink, ...] = ()
    choose: bool = False
    candidates: tuple[HostingCandidate, ...] = ()
    leads: tuple[str, ...] | None = None
    followup_share: float = FOLLOWUP_SHARE
    followup_levels: tuple[str, ...] = FOLLOWUP_LEVELS
    referral_levels: tuple[str, ...] = TRANSFER_LEVELS

    def __post_init__(self) -> None:
        src = "HostingOptions"
        problems: list[Problem] = []
        for name, kind in (("links", HostingLink), ("candidates", HostingCandidate)):
            value = getattr(self, name)
            if isinstance(value, (str, Mapping)) or not isinstance(value, Iterable):
                problems.append(Problem(src, "", name, repr(value)[:80], f"use {kind.__name__}s"))
                continue
            value = tuple(value)
            if not all(isinstance(v, kind) for v in value):
                problems.append(Problem(src, "", name, repr(value)[:80], f"use {kind.__name__}s"))
            object.__setattr__(self, name, value)
        if not isinstance(self.choose, bool):
            problems.append(Problem(src, "", "choose", repr(self.choose), "use true or false"))
        if self.leads is not None:
            leads = self.leads
            if isinstance(leads, str) or not all(isinstance(v, str) for v in leads):
                problems.append(Problem(src, "", "leads", repr(leads)[:80], "use facility ids"))
            else:
                object.__setattr__(self, "leads", tuple(dict.fromkeys(leads)))
        try:  # the shared values are checked as a link would check them
            HostingLink("-", "--", None, self.followup_share, self.followup_levels,
                        self.referral_levels)  # fmt: skip
        except DataError as exc:
            problems += [p for p in resourced(exc, src).problems if isinstance(p, Problem)]
        for name in ("followup_levels", "referral_levels"):
            value = getattr(self, name)
            if not isinstance(value, str) and isinstance(value, Iterable):
                object.__setattr__(self, name, tuple(value))
        problems += self._consistency(src)
        if problems:
            raise DataError(problems)
        object.__setattr__(self, "followup_share", float(self.followup_share))

    def _consistency(self, src: str) -> list[Problem]:
        problems = []
        links = [x for x in self.links if isinstance(x, HostingLink)]
        seen: dict[str, str] = {}
        for link in links:
            if link.lead in seen:
                problems.append(
                    Problem(src, link.lead, "links", f"lead hosted by {seen[link.lead]!r} and "
                            f"{link.partner!r}", "give each lead at most one partner")
                )  # fmt: skip
            seen.setdefault(link.lead, link.partner)
        cands = [c.partner for c in self.candidates if isinstance(c, HostingCandidate)]
        problems += [
            Problem(src, p, "candidates", "listed twice", "list each partner once")
            for p in sorted({p for p in cands if cands.count(p) > 1})
        ]
        if self.choose is True and not cands:
            problems.append(
                Problem(src, "", "candidates", "none", "give candidate partners, or choose = false")
            )
        if self.choose is False and (cands or self.leads is not None):
            problems.append(
                Problem(src, "", "choose", "false with candidates or leads",
                        "set choose = true, or leave out candidates and leads")
            )  # fmt: skip
        return problems

    @property
    def partner_of_lead(self) -> dict[str, str]:
        """The given links as ``{lead: partner}``."""
        return {link.lead: link.partner for link in self.links}

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to host (no link, nothing to choose)."""
        return not self.links and not self.choose

    def link(self, partner: str, lead: str, capacity_per_year: float | None) -> HostingLink:
        """Return a link with these options' shared values (a chosen link).

        Parameters
        ----------
        partner, lead : str
        capacity_per_year : float or None

        Returns
        -------
        HostingLink
        """
        return HostingLink(partner, lead, capacity_per_year, **self._shared())

    def _shared(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SHARED}

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, *,
        source: str = "[hosting]",
    ) -> HostingOptions:  # fmt: skip
        """Build options from a scenario's ``[hosting]`` table or region.toml's ``[[hosting]]``.

        Parameters
        ----------
        data : mapping, list of mappings or None
            A mapping: the scenario table, with ``links`` (a list of link tables, each as a
            ``[[hosting]]`` row), ``choose``, ``candidates`` (tables with ``partner`` and
            ``capacity_per_year``, or facility ids), ``leads`` and the shared
            ``followup_share``, ``followup_levels``, ``referral_levels`` (also the values of
            the links that leave them out). A list: region.toml's ``[[hosting]]`` rows, one
            link each. None: no hosting.
        source : str, default "[hosting]"
            Named in error messages (rows as ``<source> #<n>``).

        Returns
        -------
        HostingOptions

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, every row's at once.
        """
        if data is None:
            return cls()
        if isinstance(data, Sequence) and not isinstance(data, str):
            data = {"links": list(data)}
            row_source = source
        elif isinstance(data, Mapping):
            row_source = f"{source[:-1]}.links]" if source.endswith("]") else source
        else:
            raise DataError(Problem(source, "", "", repr(data)[:80], "write it as a table"))
        problems = unknown_keys(source, data, cls.fields())
        values: dict[str, Any] = {k: v for k, v in data.items() if k not in ("links", "candidates")}
        shared = {k: values[k] for k in _SHARED if k in values}
        found: dict[str, list[Any]] = {"links": [], "candidates": []}
        for name, into in found.items():
            rows = data.get(name, [])
            if isinstance(rows, (str, Mapping)) or not isinstance(rows, Sequence):
                problems.append(Problem(source, "", name, repr(rows)[:80], "use a list of tables"))
                continue
            for i, row in enumerate(rows):
                where = f"{row_source if name == 'links' else source} #{i + 1}"
                try:
                    if name == "links":
                        into.append(HostingLink.from_dict(row, source=where, defaults=shared))
                    else:
                        into.append(HostingCandidate.from_dict(row, source=where))
                except DataError as exc:
                    problems += [p for p in exc.problems if isinstance(p, Problem)]
        if problems:
            raise DataError(problems)
        for name in ("leads", *_SHARED[1:]):
            if isinstance(values.get(name), list):
                values[name] = tuple(values[name])
        try:
            return cls(links=tuple(found["links"]), candidates=tuple(found["candidates"]), **values)
        except DataError as exc:
            raise resourced(exc, source) from None

    @classmethod
    def from_region(cls, region: Region) -> HostingOptions:
        """Return the links of region.toml's ``[[hosting]]`` rows (none without them).

        Parameters
        ----------
        region : Region

        Returns
        -------
        HostingOptions

        Raises
        ------
        DataError
            A bad row, filed under ``region.toml [[hosting]] #<n>``.
        """
        rows = region.metadata.get("hosting")
        if rows is None:
            return cls()
        if isinstance(rows, Mapping):
            rows = [rows]
        return cls.from_dict(rows, source="region.toml [[hosting]]")

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a scenario ``[hosting]`` table (None values left out).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {
            "links": [x.to_dict() for x in self.links],
            "choose": self.choose,
            "candidates": [c.to_dict() for c in self.candidates],
            "followup_share": self.followup_share,
            "followup_levels": list(self.followup_levels),
            "referral_levels": list(self.referral_levels),
        }
        if self.leads is not None:
            out["leads"] = list(self.leads)
        return out
