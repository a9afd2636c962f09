"""Choose the leads: the member x candidate location model, solved with its relaxations.

:func:`location_model` turns the :class:`~netopt.alliances.members.Members` and the options
into one :class:`LocationModel`; :func:`solve_location` runs the chosen model of
:mod:`netopt.solve` on it (soft capacities: the beds are kept wherever they can be, the
overflow minimised where they cannot), relaxing only the travel limit when it cannot hold;
:func:`assignment_of` reads the result back as member -> lead columns.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from netopt._errors import InfeasibleError
from netopt._notes import Note
from netopt.alliances._notes import note
from netopt.alliances.leads import number_of_leads
from netopt.alliances.members import (
    Members,
    PlanData,
    current_membership,
    limit_forbidden,
)
from netopt.alliances.options import AllianceOptions
from netopt.solve import SolveResult, max_coverage, p_center, p_median
from netopt.solve.params import SolverParams

__all__ = ["Assignment", "LocationModel", "assignment_of", "location_model", "solve_location"]


@dataclass(frozen=True, eq=False)
class LocationModel:
    """One member x candidate location model, as the solver core takes it.

    Attributes
    ----------
    objective : {"median", "center", "coverage"}
        The model solved ("median" when today's alliances are evaluated).
    p : int
        Number of leads to open.
    costs : numpy.ndarray
        Member x candidate referral patient-hours per year; ``inf`` = not allowed.
    worst : numpy.ndarray
        Member x candidate worst zone time, seconds.
    fixed : tuple of int
        Candidate columns that must be open.
    capacities : numpy.ndarray or None
        Yearly admission capacity per candidate (None: not enforced).
    loads : numpy.ndarray
        Referrals per year per member.
    weights : numpy.ndarray
        Residents per member (the coverage weights).
    forbid : numpy.ndarray or None
        Member x candidate pairs the travel limit forbids (None: no limit).
    max_travel_min : float or None
        The travel limit (coverage radius).
    """

    objective: str
    p: int
    costs: np.ndarray
    worst: np.ndarray
    fixed: tuple[int, ...]
    capacities: np.ndarray | None
    loads: np.ndarray
    weights: np.ndarray
    forbid: np.ndarray | None
    max_travel_min: float | None

    @property
    def has_capacities(self) -> bool:
        """Whether a finite capacity is enforced."""
        return self.capacities is not None and bool(np.isfinite(self.capacities).any())


def location_model(
    data: PlanData, members: Members, options: AllianceOptions, messages: list[str]
) -> LocationModel:
    """Build the location model of ``options`` (today's alliances, or leads to choose).

    Raises
    ------
    DataError
        An inconsistent ``p``, or today's alliances that cannot be evaluated.
    """
    limit = options.max_travel_min
    forbid = limit_forbidden(members, data, limit, messages) if limit is not None else None
    fac = data.region.facilities
    caps = (
        options.rates.admissions_capacity(
            fac["beds"].reindex([data.fac_ids[j] for j in data.cand_idx]).to_numpy(float)
        )
        if options.capacities
        else None
    )
    costs = members.costs
    objective = options.objective
    fixed = [data.column(f) for f in data.fixed_ids]
    if options.evaluate_only:
        allowed, fixed = current_membership(members, data)
        costs = np.where(allowed, costs, np.inf)
        p = len(fixed)
        forbid = None  # today's membership is evaluated, not constrained
        objective = "median"
    else:
        p = number_of_leads(options.p, len(fixed), len(data.cand_idx))
    return LocationModel(
        objective=objective,
        p=p,
        costs=costs,
        worst=members.worst,
        fixed=tuple(fixed),
        capacities=caps,
        loads=members.loads,
        weights=members.population,
        forbid=forbid,
        max_travel_min=limit,
    )


def _run(model: LocationModel, params: SolverParams, *, with_limit: bool) -> SolveResult:
    """Solve ``model`` once (soft capacities for the median and center), with or without its
    travel limit."""
    costs, worst = model.costs, model.worst
    if with_limit and model.forbid is not None:
        costs = np.where(model.forbid, np.inf, costs)
        worst = np.where(model.forbid, np.inf, worst)
    kw: dict = {"fixed": model.fixed, "params": params}
    if model.has_capacities:
        caps = np.asarray(model.capacities, float)
        if model.objective == "coverage":  # hard capacities: an unknown one holds everything
            caps = np.where(np.isfinite(caps), caps, float(model.loads.sum()) + 1.0)
        else:
            kw["soft_capacity"] = True
        kw.update(capacities=caps, loads=model.loads)
    if model.objective == "median":
        return p_median(costs, model.p, **kw)
    worst = np.where(np.isfinite(costs), worst, np.inf)
    if model.objective == "center":
        return p_center(worst / 60.0, model.p, **kw)
    return max_coverage(
        worst / 60.0, model.p, float(model.max_travel_min), weights=model.weights, **kw
    )


def solve_location(model: LocationModel, params: SolverParams, messages: list[str]) -> SolveResult:
    """Solve the model; relax the travel limit (noted in ``messages``) only when it cannot hold.

    Capacities are never dropped: the median and center objectives solve the soft-capacity
    model (:mod:`netopt.solve.location.soft`), which keeps every lead within its beds
    wherever any plan can, minimises the overflow where none can, and equals the hard
    capacitated optimum when the beds hold. The coverage objective keeps hard capacities
    (a member whose referrals do not fit is left uncovered). Where capacity is exceeded is
    reported from the plan's tables (:func:`~netopt.alliances.tables.capacity_notes`).

    Raises
    ------
    InfeasibleError
        If no plan exists even without the travel limit.
    """
    result = _run(model, params, with_limit=True)
    if result.status == "infeasible" and model.forbid is not None:
        note(messages, Note("note.limit_unmet", p=str(model.p), reason=str(result.message)))
        result = _run(model, params, with_limit=False)
    if result.status == "infeasible":
        raise InfeasibleError(f"no alliance plan exists: {result.message}")
    return _plan_despite_time_limit(model, params, result, messages)


def _no_plan(result: SolveResult) -> bool:
    """The time limit stopped the solver before it had any plan."""
    return result.status == "time_limit" and len(result.selected) == 0


def _plan_despite_time_limit(
    model: LocationModel, params: SolverParams, result: SolveResult, messages: list[str]
) -> SolveResult:
    """A time-out never ends without a plan.

    The soft-capacity models start from a heuristic plan, so they always have one when the
    travel limit allows any; when the limit stops a solve before any plan within the travel
    limit was found, the model is solved again without the limit (capacities kept), with a
    quarter of the time limit (at least 1 s). The coverage objective's hard capacities have
    no heuristic: if it still has no plan, its members are assigned without capacities
    (the overflow is then reported like any other). Each step is noted in ``messages``.
    """
    if not _no_plan(result):
        return result
    limit = params.time_limit_s
    short = params.replace(time_limit_s=None if limit is None else max(1.0, 0.25 * limit))
    if model.forbid is not None:
        note(messages, Note("note.limit_timeout", reason=str(result.message)))
        result = _run(model, short, with_limit=False)
    if _no_plan(result) and model.has_capacities:  # coverage: hard capacities, no heuristic
        note(messages, Note("note.coverage_timeout"))
        plain = dataclasses.replace(model, capacities=None)
        result = _run(plain, short, with_limit=False)
    return result


@dataclass(frozen=True, eq=False)
class Assignment:
    """The solved plan: the open candidate columns and each member's lead column (-1: none)."""

    lead_cols: tuple[int, ...]
    member_lead_col: np.ndarray

    def lead_idx(self, data: PlanData) -> list[int]:
        """Facility indices of the leads."""
        return [int(data.cand_idx[c]) for c in self.lead_cols]

    def lead_ids(self, data: PlanData) -> tuple[str, ...]:
        """Facility ids of the leads."""
        return tuple(data.fac_ids[data.cand_idx[c]] for c in self.lead_cols)

    def lead_of_zone(self, data: PlanData, members: Members) -> np.ndarray:
        """Facility index of each zone's lead; -1 for zones outside the model or unassigned."""
        out = np.full(len(data.region.zones), -1)
        zone_lead_col = self.member_lead_col[members.zone_member]
        assigned = zone_lead_col >= 0
        out[members.zones[assigned]] = data.cand_idx[zone_lead_col[assigned]]
        return out


def assignment_of(result: SolveResult, members: Members, data: PlanData) -> Assignment:
    """Read the solver's result back as leads and member -> lead columns.

    A chosen lead leads its own alliance (for leads without residents of their own this
    changes nothing the solver weighed).
    """
    lead_cols = tuple(int(c) for c in result.selected)
    member_lead_col = np.asarray(result.assignment, dtype=int).copy()
    for c in lead_cols:
        row = int(np.flatnonzero(members.index == data.cand_idx[c])[0])
        if members.zoneless[row]:
            member_lead_col[row] = c
    return Assignment(lead_cols, member_lead_col)
