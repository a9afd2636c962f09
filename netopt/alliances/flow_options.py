"""The patient-flow part of the alliance model: :class:`FlowOptions` (a scenario's
``[model.flows]`` table).

Demand by care level and the choice model (:mod:`netopt.flows`) take their values from three
places, each over the one before: the package defaults (:class:`netopt.flows.DemandRates`,
:class:`netopt.flows.ChoiceParams`, documented with their sources), the region's
``[demand]`` and ``[choice]`` tables in region.toml (the bundled Xiangshan ships calibrated
choice parameters there), and a scenario's ``[model.flows.demand]`` and
``[model.flows.choice]`` tables. The upgrade decision (which township centres become
hospital-level sub-centres) is optional: ``max_upgrades`` and the targets turn it on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from typing import Any

from netopt._errors import DataError, Problem
from netopt._options import unknown_keys
from netopt.flows import ChoiceParams, DemandRates, VisitCosts
from netopt.region import Region

__all__ = ["FLOW_OBJECTIVES", "TARGET_KEYS", "FlowOptions"]

#: What the upgrade decision optimises: patient-hours of all visits (minimised), the share
#: of visits inside the planning area (maximised), or the yearly cost in yuan of the items
#: it moves (minimised; needs ``visit_costs``).
FLOW_OBJECTIVES: tuple[str, ...] = ("patient_hours", "in_area_share", "total_cost")
#: The shares a plan can be asked to reach (``[model.flows.targets]``).
TARGET_KEYS: tuple[str, ...] = ("in_area_share", "grassroots_share")


@dataclass(frozen=True)
class FlowOptions:
    """How patient flows are modelled and whether township centres are upgraded.

    Parameters
    ----------
    demand : mapping of str to float, default {}
        Overrides of :class:`~netopt.flows.DemandRates` (yearly visits per resident by care
        level), over the region's ``[demand]`` table.
    choice : mapping of str to float, default {}
        Overrides of :class:`~netopt.flows.ChoiceParams`, over the region's ``[choice]``.
    targets : mapping of str to float, default {}
        Shares the upgrade decision must reach: ``in_area_share`` (Zhejiang's target 0.90)
        and ``grassroots_share`` (0.65). A target that cannot be met is reported with the
        shortfall in percentage points and the townships whose visits leave the area or go
        to hospitals; it never makes the plan fail.
    objective : {"patient_hours", "in_area_share", "total_cost"}, default "patient_hours"
        Minimise the patient-hours of all visits, maximise the in-area share, or minimise
        the yearly yuan of the cost items the upgrades move (care by place, transfers,
        patients' fares and time: :data:`netopt.flows.VISIT_ITEMS`, and the upgrades
        annualised), priced by ``visit_costs``.
    budget_yuan : float, optional
        A ceiling on the yuan a year of the *charged* items the upgrades move
        (``visit_costs.charged``: the care, the transfers and the upgrades in the default
        budget): the money of the budget left for them. It comes before the share targets
        (its excess, in yuan per visit, is minimised first); an excess that no choice avoids
        is reported in yuan, never hidden. Needs ``visit_costs``. A scenario's ``[costs]``
        objective sets it from the budget (:mod:`netopt.scenario.extra_steps`).
    visit_costs : netopt.flows.VisitCosts, optional
        Prices per visit for ``"total_cost"`` and ``budget_yuan`` (from
        :meth:`netopt.costs.Costs.visit_costs`; not part of ``[model.flows]``).
    max_upgrades : int, default 0
        How many upgrade candidates (facilities with ``upgrade_beds``) may be upgraded to
        hospital-level sub-centres; 0 with no targets leaves the facilities as they are.
    upgraded : tuple of str, default ()
        Facilities upgraded as given (kept when ``max_upgrades`` chooses more). An upgrade
        adds beds and can-lead status: these are lead candidates too (with ``p`` or
        ``fixed_leads``). Upgrades chosen by ``max_upgrades`` are decided after the leads,
        for the plan's leads, and do not re-plan them.

    Examples
    --------
    >>> FlowOptions.from_dict({"max_upgrades": 2, "targets": {"in_area_share": 0.9}}).targets
    {'in_area_share': 0.9}
    """

    demand: Mapping[str, float] = field(default_factory=dict)
    choice: Mapping[str, float] = field(default_factory=dict)
    targets: Mapping[str, float] = field(default_factory=dict)
    objective: str = "patient_hours"
    max_upgrades: int = 0
    upgraded: tuple[str, ...] = ()
    budget_yuan: float | None = None
    visit_costs: VisitCosts | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        problems: list[Problem | str] = []
        for name in ("demand", "choice", "targets"):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                problems.append(_problem(name, value, f"use a table [model.flows.{name}]"))
            else:
                object.__setattr__(self, name, dict(value))
        if isinstance(self.targets, Mapping):
            problems += unknown_keys("[model.flows.targets]", self.targets, TARGET_KEYS)
            for key, share in self.targets.items():
                if key in TARGET_KEYS and not (_real(share) and 0 <= share <= 1):
                    problems.append(_problem(f"targets.{key}", share, "use a share in [0, 1]"))
        if self.objective not in FLOW_OBJECTIVES:
            problems.append(_problem("objective", self.objective, f"use one of {FLOW_OBJECTIVES}"))
        n = self.max_upgrades
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
            problems.append(_problem("max_upgrades", n, "use a whole number >= 0"))
        upgraded = self.upgraded
        if isinstance(upgraded, (str, bytes)) or not isinstance(upgraded, Iterable):
            problems.append(_problem("upgraded", upgraded, "use a list of facility ids"))
        else:
            object.__setattr__(self, "upgraded", tuple(str(u) for u in upgraded))
        budget = self.budget_yuan
        if budget is not None and not _real(budget):
            problems.append(_problem("budget_yuan", budget, "use yuan a year, or leave it out"))
        if self.visit_costs is not None and not isinstance(self.visit_costs, VisitCosts):
            problems.append(_problem("visit_costs", type(self.visit_costs).__name__,
                                     "pass a netopt.flows.VisitCosts (Costs.visit_costs())"))  # fmt: skip
        elif self.visit_costs is None and (self.objective == "total_cost" or budget is not None):
            problems.append(_problem(
                "visit_costs", None, 'objective "total_cost" and budget_yuan need prices: set '
                "[costs] objective in the scenario, or pass Costs().visit_costs()"))  # fmt: skip
        if problems:
            raise DataError(problems)
        if budget is not None:
            object.__setattr__(self, "budget_yuan", float(budget))
        for kind, values in ((DemandRates, self.demand), (ChoiceParams, self.choice)):
            kind.from_dict(values, source=f"[model.flows.{kind.__name__}]")

    @property
    def decides_upgrades(self) -> bool:
        """True when the plan chooses upgrades (``max_upgrades`` > 0 or targets given)."""
        return self.max_upgrades > 0 or bool(self.targets)

    def resolve(self, region: Region) -> tuple[DemandRates, ChoiceParams]:
        """Return the demand rates and choice parameters for ``region``.

        Package defaults, then the region's ``[demand]`` / ``[choice]`` tables, then these
        options' overrides.

        Parameters
        ----------
        region : Region

        Returns
        -------
        tuple of (DemandRates, ChoiceParams)

        Raises
        ------
        DataError
            An unknown key or a bad value in region.toml's tables (named with the file).
        """
        toml = "region.toml"
        if region.source is not None:
            toml = str(region.source / "region.toml")
        demand = DemandRates.from_dict(
            {**region.flow_table("demand"), **self.demand}, source=f"{toml} [demand]"
        )
        choice = ChoiceParams.from_dict(
            {**region.flow_table("choice"), **self.choice}, source=f"{toml} [choice]"
        )
        return demand, choice

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[model.flows]") -> FlowOptions:
        """Build options from a scenario's ``[model.flows]`` table.

        Parameters
        ----------
        data : mapping
            Keys among the fields; ``demand``, ``choice`` and ``targets`` are tables.
        source : str, default "[model.flows]"
            Named in error messages.

        Returns
        -------
        FlowOptions

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.
        """
        valid = [f.name for f in fields(cls) if f.name != "visit_costs"]
        problems = unknown_keys(source, data, valid)
        if problems:
            raise DataError(problems)
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        """Return the options as a TOML-ready dict (the keys of ``[model.flows]``).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "visit_costs" or (f.name == "budget_yuan" and self.budget_yuan is None):
                continue  # prices come from [costs]; TOML has no None
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out


def _real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _problem(name: str, value: Any, fix: str) -> Problem:
    return Problem("FlowOptions", "", name, repr(value), fix)
