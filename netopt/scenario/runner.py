"""Running scenarios: :func:`run` and :func:`run_all` turn a :class:`Scenario` into a
:class:`Result`.

A run goes down the layers once: load the region, build the travel graph, apply the
network changes (:func:`apply_modifiers`), compute the zone-to-facility travel times, plan
the alliances (:func:`netopt.alliances.plan_alliances`), schedule the expert rotations
(:func:`netopt.rotations.schedule_rotations`), the steps after them (hosting, diagnosis
centres, courier, costs: :mod:`netopt.scenario.extra_steps`) and take the KPIs. With
``[costs] objective = "patient_hours"`` a plan over its budget is planned a second time
with the budget as a ceiling (:mod:`netopt.scenario.cost_objective`). Each planner gets its
option object and solver parameters from the scenario unchanged. A :class:`Session`
shares loaded regions and base graphs between the scenarios of one call.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from netopt import graph as g
from netopt._errors import SolverError
from netopt._notes import Note
from netopt._warning_groups import capture_warnings
from netopt.alliances import AllianceOptions, AlliancePlan, plan_alliances, zone_facility_seconds
from netopt.alliances.travel import open_times
from netopt.costs import CostBreakdown, Costs
from netopt.diagnosis import DiagnosisPlan
from netopt.flows import Flows
from netopt.graph import TravelGraph, build_graph
from netopt.hosting import Hosting
from netopt.kpis import POPULATION_COUNTS, baseline_kpis, plan_flows, plan_kpis
from netopt.pathways import Pathways, SitingResult, plan_pathways, site_centres, with_capability
from netopt.region import Region
from netopt.rotations import RotationSchedule, schedule_rotations
from netopt.scenario.cost_objective import check_objective, decision_budget, objective_model
from netopt.scenario.extra_steps import extra_kpis, plan_extras
from netopt.scenario.extras import resolve_costs
from netopt.scenario.options import Modifiers
from netopt.scenario.outputs import make_record, write_outputs
from netopt.scenario.spec import Scenario
from netopt.solve.status import stage_text

__all__ = ["STEPS", "Progress", "Result", "Session", "apply_modifiers", "run", "run_all"]

logger = logging.getLogger(__name__)

#: Progress callback: called with a short description of each step.
Progress = Callable[[str], None]

#: The steps of a run, in order (for progress bars; "schedule rotations" only with rotations,
#: "pathways", "hosting", "diagnosis centres", "courier routes" and "costs" only when they
#: are planned, see :mod:`netopt.scenario.extra_steps`).
STEPS: tuple[str, ...] = (
    "load region",
    "build graph",
    "travel times",
    "plan alliances",
    "schedule rotations",
    "pathways",
    "hosting",
    "diagnosis centres",
    "courier routes",
    "costs",
    "KPIs",
)


@dataclass(frozen=True, eq=False)
class Result:
    """Everything a scenario run produced.

    Attributes
    ----------
    scenario : Scenario
    plan : netopt.alliances.AlliancePlan
    schedule : netopt.rotations.RotationSchedule or None
        None when rotations are not enabled.
    kpis : dict
        Every KPI of the plan and its schedule (:func:`netopt.kpis.plan_kpis`).
    baseline : dict
        The same KPIs for the naive plan: everyone referred to the nearest lead-capable
        hospital (no travel limit, no capacity; :func:`netopt.kpis.baseline_kpis`).
    graph : netopt.graph.TravelGraph
        The travel graph after the scenario's modifiers.
    seconds : dict
        Wall-clock seconds per step.
    pathways : netopt.pathways.Pathways or None
        Time-critical referral pathways by condition, day and night (None when the scenario
        disables them); their flat KPIs (``pathway_<condition>_in_time_<period>``) are in
        :attr:`kpis`.
    siting : netopt.pathways.SitingResult or None
        Where the scenario's ``[pathways.siting]`` put a capability (None without one).
    warnings : tuple of dict
        The run's warnings grouped by cause (:meth:`netopt._warning_groups.WarningGroups.groups`).
    hosting : netopt.hosting.Hosting or None
        Partners hosting county leads (a scenario with ``[hosting]``); the flow KPIs in
        :attr:`kpis` are then those after hosting.
    diagnosis : netopt.diagnosis.DiagnosisPlan or None
        Shared diagnosis centres and their ``courier`` routes (a scenario with
        ``[diagnosis]``).
    costs : netopt.costs.CostBreakdown or None
        What the configuration costs a year, by item and alliance, and the budget's balance
        (None only when the scenario turns costs off).
    flows : netopt.flows.Flows or None
        The run's patient flows (after hosting; None for a plan without a choice set).
    courier_problems : tuple of str
        Violations :func:`netopt.diagnosis.check_courier` found in the courier routes
        (empty: valid).
    """

    scenario: Scenario
    plan: AlliancePlan
    schedule: RotationSchedule | None
    kpis: dict[str, float]
    baseline: dict[str, float]
    graph: TravelGraph
    seconds: dict[str, float] = field(default_factory=dict)
    pathways: Pathways | None = None
    siting: SitingResult | None = None
    warnings: tuple[dict[str, Any], ...] = ()
    hosting: Hosting | None = None
    diagnosis: DiagnosisPlan | None = None
    costs: CostBreakdown | None = None
    flows: Flows | None = None
    courier_problems: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.flows is None:  # a Result made by hand: the plan's own flows
            object.__setattr__(self, "flows", plan_flows(self.plan, self.schedule))

    @property
    def name(self) -> str:
        """The scenario name."""
        return self.scenario.name

    @property
    def population_counts(self) -> dict[str, float]:
        """The three population counts of :data:`netopt.kpis.POPULATION_COUNTS` (from kpis)."""
        return {k: self.kpis[k] for k in POPULATION_COUNTS}

    def summary(self) -> str:
        """Return a few lines for a log or a terminal: the plan, the schedule, the headline.

        Each stage shows its :func:`~netopt.solve.status.stage_text` ("evaluated" for today's
        alliances, "time limit, gap 10.3 %" for a stopped rotation), never a bare status.

        Returns
        -------
        str
        """
        plan, sched, k = self.plan, self.schedule, self.kpis
        names = plan.region.facilities["name"]
        leads = ", ".join(f"{names.get(j, j)} ({j})" for j in plan.leads)
        location = stage_text(plan.solve, evaluated=plan.options.evaluate_only)
        head = (
            f"{self.name}: {len(plan.leads)} alliance(s) led by {leads}; mean travel to lead "
            f"{k['mean_lead_min']:.1f} min, {k['share_lead_60min']:.1%} within 60 min; "
            f"{k['patient_hours_per_year']:,.0f} patient-hours/year; alliance plan {location}, "
            f"{plan.solve.seconds:.1f} s"
        )
        lines = [head]
        if sched is not None:
            lines.append(
                f"  rotations: {len(sched.visits)} visits, "
                f"{sched.visits['expected_patients'].sum():,.0f} patients seen locally, "
                f"{sched.patient_hours_saved:,.0f} patient-hours saved, shortfall "
                f"{int(sched.coverage['shortfall'].sum())} visits; {stage_text(sched)}, "
                f"{sched.seconds:.1f} s"
            )
        counts = self.population_counts
        lines.append(
            "  population served {:,.0f}, unserved for lack of capacity {:,.0f}, "
            "not covered {:,.0f}".format(*(counts[k] for k in POPULATION_COUNTS))
        )
        return "\n".join(lines)

    def record(self) -> dict[str, Any]:
        """Return the JSON-ready record written as ``kpis.json`` (and read by reports).

        Returns
        -------
        dict
            Keys and meanings: :data:`netopt.scenario.outputs.RECORD_KEYS`.
        """
        return make_record(self)

    def to_folder(self, path: str | Path) -> Path:
        """Write every output into ``path`` atomically (see :func:`~netopt.scenario.outputs.
        write_outputs`).

        Parameters
        ----------
        path : str or pathlib.Path
            The scenario's output folder, e.g. ``maps/storm``.

        Returns
        -------
        pathlib.Path
        """
        return write_outputs(self, path)


class Session:
    """Loaded regions and base graphs shared by the scenarios of one call.

    Regions are keyed by their folder, base graphs by the region, the
    :meth:`GraphOptions.fingerprint <netopt.graph.GraphOptions.fingerprint>` and the
    departure clock; a scenario's modifiers then change a copy (they never mutate).
    """

    def __init__(self) -> None:
        self.regions: dict[Any, Region] = {}
        self.graphs: dict[Any, TravelGraph] = {}

    def region(self, scenario: Scenario) -> Region:
        """Return the scenario's region, loaded once per folder."""
        key = scenario.region if isinstance(scenario.region, Path) else id(scenario.region)
        if key not in self.regions:
            self.regions[key] = scenario.load_region()
        return self.regions[key]

    def graph(self, scenario: Scenario, region: Region) -> TravelGraph:
        """Return the base graph of a region for the scenario's graph options and clock."""
        depart_at = scenario.modifiers.depart_at
        key = (id(region), scenario.graph.fingerprint(), depart_at)
        if key not in self.graphs:
            self.graphs[key] = build_graph(region, depart_at=depart_at, options=scenario.graph)
        return self.graphs[key]


def apply_modifiers(graph: TravelGraph, modifiers: Modifiers) -> TravelGraph:
    """Return the graph with the scenario's network changes (the input is untouched).

    Closed ferries and links (``close_ferries``, ``close_links``, for ``closure_hours``)
    and the night keep reopening
    edges timed with the wait until the ferry runs again (see
    :func:`netopt.graph.close_ferry`); :func:`netopt.graph.drop_closed` gives what is
    reachable right now.

    Parameters
    ----------
    graph : netopt.graph.TravelGraph
    modifiers : Modifiers

    Returns
    -------
    netopt.graph.TravelGraph

    Raises
    ------
    DataError
        An unknown ferry route, or a link end far from the network.
    """
    for route in modifiers.close_ferries:
        graph = g.close_ferry(graph, route, hours=modifiers.closure_hours)
    for link_id in modifiers.close_links:
        graph = g.close_link(graph, link_id, hours=modifiers.closure_hours)
    for route, minutes in modifiers.headways.items():
        graph = g.set_headway(graph, route, minutes)
    for route, times in modifiers.departures.items():
        graph = g.add_departures(graph, route, list(times))
    for link in modifiers.links:
        graph = g.add_link(graph, link.a, link.b, travel_min=link.travel_min, name=link.name)
    if modifiers.night:
        graph = g.at_night(graph)
    if modifiers.emergency:
        graph = g.emergency_mode(graph, speed_factor=modifiers.emergency_speed_factor)
    return graph


def run(
    scenario: Scenario,
    *,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    session: Session | None = None,
) -> Result:
    """Run one scenario: region, graph, modifiers, alliance plan, rotations, KPIs.

    Parameters
    ----------
    scenario : Scenario
    cache_dir : str or pathlib.Path, optional
        Folder for cached travel-time matrices.
    progress : callable, optional
        Called with ``"<scenario>: <step>"`` before each step of :data:`STEPS`.
    session : Session, optional
        Regions and base graphs to share with other runs (default: a new one).

    Returns
    -------
    Result

    Raises
    ------
    DataError
        Bad input (unknown ferry route or facility id, ...).
    InfeasibleError
        The model has no solution.
    SolverError
        The time limit passed before any plan was found.

    Examples
    --------
    >>> result = netopt.run(netopt.Scenario.from_toml("geodata/xiangshan/scenarios/today.toml"))
    ... # doctest: +SKIP
    """
    with capture_warnings() as caught:  # for the report's "Warnings" (kpis.json warnings)
        result = _run(scenario, cache_dir=cache_dir, progress=progress, session=session)
    return dataclasses.replace(result, warnings=tuple(caught.groups()))


def _run(
    scenario: Scenario,
    *,
    cache_dir: str | Path | None,
    progress: Progress | None,
    session: Session | None,
) -> Result:
    """:func:`run` without collecting its warnings."""
    session = session if session is not None else Session()
    timer = _Timer(scenario.name, progress)
    timer.step("load region")
    region = session.region(scenario)
    source = str(scenario.source or scenario.name)
    cost_options = resolve_costs(region, scenario.costs, source=source)
    check_objective(cost_options, scenario.model, source)  # before the slow steps
    timer.step("build graph")
    graph = apply_modifiers(session.graph(scenario, region), scenario.modifiers)
    timer.step("travel times")
    times = zone_facility_seconds(region, graph, cache_dir=cache_dir)
    times_now = open_times(region, graph, times, cache_dir=cache_dir)
    model = scenario.model
    if cost_options is not None and cost_options.objective != "report":
        model = objective_model(model, cost_options, region, graph, times)
    plan, schedule = _plan(scenario, model, region, graph, times, times_now, timer)
    pathways, siting = None, None
    if scenario.pathways is not None:
        timer.step("pathways")
        pathways, siting = _pathways(region, graph, scenario)
    extras = plan_extras(scenario, region, graph, plan, schedule, step=timer.step)
    plan, schedule, extras = _keep_budget(
        scenario, model, cost_options, (region, graph, times, times_now), timer,
        (plan, schedule, extras),
    )  # fmt: skip
    timer.step("KPIs")
    kpis = plan_kpis(plan, schedule, flows=extras.flows)
    if pathways is not None:
        kpis.update({k: v for k, v in pathways.kpis().items() if k != "pathways"})
    kpis.update(extra_kpis(extras))
    baseline = baseline_kpis(plan.zones, plan.rates)
    timer.step(None)
    logger.info("scenario %s done: %s", scenario.name, plan.summary())
    return Result(
        scenario=scenario,
        plan=plan,
        schedule=schedule,
        kpis=kpis,
        baseline=baseline,
        graph=graph,
        seconds=timer.seconds,
        pathways=pathways,
        siting=siting,
        hosting=extras.hosting,
        diagnosis=extras.diagnosis,
        costs=extras.costs,
        flows=extras.flows,
        courier_problems=extras.courier_problems,
    )


def _keep_budget(
    scenario: Scenario,
    model: AllianceOptions,
    cost_options: Costs | None,
    inputs: tuple[Region, TravelGraph, np.ndarray, np.ndarray | None],
    timer: _Timer,
    first_pass: tuple[AlliancePlan, RotationSchedule | None, Any],
) -> tuple[AlliancePlan, RotationSchedule | None, Any]:
    """Patient-hours within the budget: a first pass within it is said so; one over it is
    planned again with the budget left for the upgrades' items as their ceiling."""
    plan, schedule, extras = first_pass
    region, graph, times, times_now = inputs
    first = extras.costs
    if _within_budget(first, cost_options):
        kept = Note("note.budget_kept", left=f"{first.balance_yuan:,.0f}")
        return dataclasses.replace(plan, messages=(*plan.messages, kept)), schedule, extras
    if model.flows.visit_costs is None or not _over_budget(first, cost_options):
        return plan, schedule, extras
    left = decision_budget(first, plan, model.flows.visit_costs)
    logger.info("scenario %s: over budget by %.0f yuan; upgrades re-planned with %.0f "
                "yuan left for the items they move", scenario.name, -first.balance_yuan,
                left)  # fmt: skip
    model = dataclasses.replace(model, flows=dataclasses.replace(model.flows, budget_yuan=left))
    plan, schedule = _plan(scenario, model, region, graph, times, times_now, timer)
    extras = plan_extras(scenario, region, graph, plan, schedule, step=timer.step)
    replanned = Note("note.budget_replanned", over=f"{-first.balance_yuan:,.0f}",
                     left=f"{left:,.0f}")  # fmt: skip
    return dataclasses.replace(plan, messages=(*plan.messages, replanned)), schedule, extras


def _within_budget(costs: CostBreakdown | None, options: Costs | None) -> bool:
    """A first pass of "patient-hours within the budget" that keeps its budget."""
    if costs is None or options is None or options.objective != "patient_hours":
        return False
    return not costs.budget.is_overrun and np.isfinite(costs.balance_yuan)


def _over_budget(costs: CostBreakdown | None, options: Costs | None) -> bool:
    """A first pass of "patient-hours within the budget" that overruns its budget."""
    if costs is None or options is None or options.objective != "patient_hours":
        return False
    return bool(costs.budget.is_overrun)


def _plan(
    scenario: Scenario,
    model: AllianceOptions,
    region: Region,
    graph: TravelGraph,
    times: np.ndarray,
    times_now: np.ndarray | None,
    timer: _Timer,
) -> tuple[AlliancePlan, RotationSchedule | None]:
    """The alliance plan of ``model`` and its rotation schedule."""
    timer.step("plan alliances")
    plan = plan_alliances(
        region,
        graph,
        options=model,
        params=scenario.solver,
        name=scenario.title or scenario.name,
        times=times,
        times_now=times_now,
    )
    if len(plan.leads) == 0:  # the solver stopped at its time limit without any plan
        solve, limit = plan.solve, scenario.solver.time_limit_s
        raise SolverError(
            f"scenario {scenario.name!r}: no plan found within "
            f"{'no limit' if limit is None else f'{limit:g} s'} (status {solve.status}"
            f"{': ' + solve.message if solve.message else ''}); raise [solver] time_limit_s"
        )
    schedule = None
    if scenario.rotations is not None:
        timer.step("schedule rotations")
        schedule = schedule_rotations(
            plan, graph, options=scenario.rotations, params=scenario.rotation_params
        )
    return plan, schedule


def _pathways(
    region: Region, graph: TravelGraph, scenario: Scenario
) -> tuple[Pathways, SitingResult | None]:
    """The scenario's time-critical pathways; with a siting, after giving the chosen
    facilities the capability (the pathways then show the network with the new centres)."""
    options = scenario.pathways
    assert options is not None
    siting = None
    if options.siting is not None:
        siting = site_centres(
            region, graph, options.siting, options=options, params=scenario.solver
        )
        logger.info("siting: %s", siting.summary())
        region = with_capability(region, siting.chosen, siting.capabilities)
    return plan_pathways(region, graph, options=options), siting


def run_all(
    scenarios: Sequence[Scenario],
    *,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """Run several scenarios, loading each region and building each base graph once.

    Parameters
    ----------
    scenarios : sequence of Scenario
    cache_dir : str or pathlib.Path, optional
        Folder for cached travel-time matrices.
    progress : callable, optional
        Called with ``"<scenario>: <step>"`` before each step.

    Returns
    -------
    list of Result
    """
    session = Session()
    return [run(s, cache_dir=cache_dir, progress=progress, session=session) for s in scenarios]


class _Timer:
    """Reports each step to the progress callback and records its wall-clock seconds."""

    def __init__(self, name: str, progress: Progress | None):
        self.name = name
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._start = time.perf_counter()

    def step(self, name: str | None) -> None:
        now = time.perf_counter()
        if self._current is not None:  # a step run twice (a second pass) adds up
            spent = self.seconds.get(self._current, 0.0) + now - self._start
            self.seconds[self._current] = round(spent, 3)
        self._current, self._start = name, now
        if name is not None and self.progress is not None:
            self.progress(f"{self.name}: {name}")
