"""The result of :func:`~netopt.alliances.plan_alliances`: :class:`AlliancePlan`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from netopt._atomic import atomic_path
from netopt.alliances.capacity import CAPACITY_MOVES_COLUMNS
from netopt.alliances.layers import facilities_frame, plan_layers, write_layers
from netopt.alliances.options import AllianceOptions
from netopt.alliances.tables import cut_off_by_place
from netopt.flows import ChoiceParams, ChoiceSet, DemandRates, Flows
from netopt.kpis import Rates, plan_flows
from netopt.region import Region
from netopt.solve import SolveResult
from netopt.solve.params import SolverParams
from netopt.solve.status import stage_text

__all__ = ["AlliancePlan"]


@dataclass(frozen=True, eq=False)
class AlliancePlan:
    """An alliance configuration and how residents travel under it.

    Attributes
    ----------
    name : str
        Scenario or plan name (shown on maps and reports).
    region : Region
        The region planned.
    leads : tuple of str
        Facility ids of the lead hospitals (their number is the effective ``p``).
    facilities : pandas.DataFrame
        Index facility id; ``name``, ``tier``, ``lead`` (id of its alliance's lead),
        ``is_lead``, ``population`` (residents whose primary facility it is),
        ``referrals_per_year``, ``mean_travel_min`` (its residents' mean one-way time to it).
    zones : pandas.DataFrame
        Index zone id; the per-zone assignments table (:data:`netopt.kpis.ASSIGNMENT_COLUMNS`).
    alliances : pandas.DataFrame
        Index lead id; ``name``, ``members``, ``population``, ``referral_load`` (referrals
        per year of every member assigned to the lead), ``beds``, ``referral_capacity``
        (admissions per year from the beds), ``overflow`` (load above capacity, 0 when it
        fits), ``utilisation`` (load / capacity).
    beyond_limit : pandas.DataFrame
        Zones that miss the travel-time limit: ``zone``, ``lead``, ``time_min``,
        ``best_time_min`` (to the best possible lead), ``limit_min``, ``excess_min``.
    cut_off : pandas.DataFrame
        Zones cut off from their primary facility or lead until a closed crossing reopens
        (:data:`~netopt.alliances.tables.CUT_OFF_COLUMNS`): they count in every KPI with
        the wait; :meth:`cut_off_by_place` lists them by island and township.
    solve : SolveResult
        The solver's result (status, objective, bound, gap, seconds).
    rates : Rates
        Visit rates used (``options.rates``).
    kpis : dict
        KPIs from :func:`netopt.kpis.plan_kpis` (the plan without rotations).
    messages : tuple of str
        What the planner should know (relaxed limits, where and by how much lead capacity
        is exceeded, ...).
    options : AllianceOptions
        The model options the plan was made with, as given.
    params : SolverParams
        The solver parameters the plan was made with.
    capacity_moves : pandas.DataFrame
        The members that would have to move to a lead with spare beds for every lead's
        beds to hold (:data:`~netopt.alliances.capacity.CAPACITY_MOVES_COLUMNS`; the rule is
        :func:`~netopt.alliances.capacity.capacity_moves_table`); empty when every lead fits.
    choice : netopt.flows.ChoiceSet or None
        Every facility each zone can reach, with the plan's leads and upgrades: the input of
        the patient flows (:meth:`flows`); None for a plan built without one.
    demand : netopt.flows.DemandRates
        Yearly visits per resident by care level used for the flows.
    choice_params : netopt.flows.ChoiceParams
        The choice model's parameters used for the flows.
    upgrades : pandas.DataFrame
        The upgrade candidates (:data:`~netopt.alliances.upgrades.UPGRADE_COLUMNS`) and
        whether each is upgraded; empty when the region has none.
    upgrade_solve : netopt.solve.ShareResult or None
        The upgrade model's result (status, objective, bound, gap, target shortfalls), None
        when upgrades were not decided.
    """

    name: str
    region: Region
    leads: tuple[str, ...]
    facilities: pd.DataFrame
    zones: pd.DataFrame
    alliances: pd.DataFrame
    beyond_limit: pd.DataFrame
    cut_off: pd.DataFrame
    solve: SolveResult
    rates: Rates
    kpis: dict[str, float]
    messages: tuple[str, ...] = ()
    options: AllianceOptions = field(default_factory=AllianceOptions)
    params: SolverParams = field(default_factory=SolverParams)
    capacity_moves: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(CAPACITY_MOVES_COLUMNS))
    )
    choice: ChoiceSet | None = None
    demand: DemandRates = field(default_factory=DemandRates)
    choice_params: ChoiceParams = field(default_factory=ChoiceParams)
    upgrades: pd.DataFrame = field(default_factory=pd.DataFrame)
    upgrade_solve: Any = None

    @property
    def upgraded(self) -> tuple[str, ...]:
        """Facilities upgraded to hospital-level sub-centres in this plan."""
        if len(self.upgrades) == 0 or "upgraded" not in self.upgrades:
            return ()
        return tuple(self.upgrades.index[self.upgrades["upgraded"].astype(bool)])

    def flows(self, schedule: Any = None) -> Flows | None:
        """The patient flows of the plan (and a rotation schedule's visiting experts).

        Parameters
        ----------
        schedule : netopt.rotations.RotationSchedule, optional

        Returns
        -------
        netopt.flows.Flows or None
            None when the plan has no choice set.
        """
        return plan_flows(self, schedule)

    def cut_off_by_place(self) -> pd.DataFrame:
        """Cut-off residents by island and township (see
        :func:`~netopt.alliances.tables.cut_off_by_place`).

        Returns
        -------
        pandas.DataFrame
            ``island_name``, ``township``, ``zones``, ``population``, ``mean_lead_min``.
        """
        return cut_off_by_place(self.cut_off)

    def to_geodataframe(self, layer: Literal["zones", "facilities"] = "zones") -> gpd.GeoDataFrame:
        """Return the zones or facilities with their alliance, as a GeoDataFrame (EPSG:4326).

        Parameters
        ----------
        layer : {"zones", "facilities"}
            ``"zones"``: the assignments table; ``"facilities"``: every attribute of the
            region's facilities and the plan's
            (:func:`~netopt.alliances.layers.facilities_frame`).

        Returns
        -------
        geopandas.GeoDataFrame

        Raises
        ------
        ValueError
            If ``layer`` is neither.
        """
        if layer == "zones":
            geom = self.region.zones.geometry
            frame = self.zones.drop(columns=["zone"])
        elif layer == "facilities":
            geom = self.region.facilities.geometry
            frame = facilities_frame(self)
        else:
            raise ValueError(f"layer must be 'zones' or 'facilities', got {layer!r}")
        geom = geom.to_crs("EPSG:4326").reindex(frame.index)
        out = gpd.GeoDataFrame(frame.copy(), geometry=geom, crs="EPSG:4326")
        out.index.name = "id"
        return out

    def to_file(self, path: str | Path) -> Path:
        """Write the plan as a GeoPackage (EPSG:4326) for QGIS.

        Layers (:func:`~netopt.alliances.layers.plan_layers`): ``zones``, ``facilities``
        (every attribute), ``alliances`` (catchment polygons: the union of each alliance's
        zones, points as discs; with its members), ``leads`` (points) and
        ``travel_time_bands`` (zones dissolved by minutes to their lead). A run's file adds
        the network as run
        (:func:`netopt.scenario.geopackage.write_geopackage`). The file is written
        atomically: an existing file stays intact if writing fails.

        Parameters
        ----------
        path : str or pathlib.Path
            Target ``.gpkg`` file.

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        with atomic_path(path) as tmp:
            write_layers(plan_layers(self), tmp)
        return path

    def summary(self) -> str:
        """Return a one-line human-readable summary (leads, travel, patient-hours, solver).

        Returns
        -------
        str
        """
        names = self.region.facilities["name"]
        leads = ", ".join(f"{names.get(j, j)} ({j})" for j in self.leads)
        k = self.kpis
        return (
            f"{self.name}: {len(self.leads)} alliance(s) led by {leads}; "
            f"mean travel to lead {k['mean_lead_min']:.1f} min, "
            f"{k['share_lead_60min']:.1%} within 60 min; "
            f"{k['patient_hours_per_year']:,.0f} patient-hours/year; "
            f"{stage_text(self.solve, evaluated=self.options.evaluate_only)}, "
            f"{self.solve.seconds:.1f} s"
        )
