"""The result of :func:`~netopt.alliances.plan_alliances`: :class:`AlliancePlan`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from netopt._atomic import atomic_path
from netopt.alliances.options import AllianceOptions
from netopt.kpis import Rates
from netopt.region import Region
from netopt.solve import SolveResult
from netopt.solve.params import SolverParams

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
        Index lead id; ``name``, ``members``, ``population``, ``referral_load``,
        ``referral_capacity``, ``utilisation``.
    beyond_limit : pandas.DataFrame
        Zones that miss the travel-time limit: ``zone``, ``lead``, ``time_min``,
        ``best_time_min`` (to the best possible lead), ``limit_min``, ``excess_min``.
    unreachable : pandas.DataFrame
        Zones that cannot reach any lead-capable hospital: ``zone``, ``island_name``,
        ``population``.
    solve : SolveResult
        The solver's result (status, objective, bound, gap, seconds).
    rates : Rates
        Visit rates used (``options.rates``).
    kpis : dict
        KPIs from :func:`netopt.kpis.plan_kpis` (the plan without rotations).
    messages : tuple of str
        What the planner should know (relaxed limits, capacity shortfall, ...).
    options : AllianceOptions
        The model options the plan was made with, as given.
    params : SolverParams
        The solver parameters the plan was made with.
    """

    name: str
    region: Region
    leads: tuple[str, ...]
    facilities: pd.DataFrame
    zones: pd.DataFrame
    alliances: pd.DataFrame
    beyond_limit: pd.DataFrame
    unreachable: pd.DataFrame
    solve: SolveResult
    rates: Rates
    kpis: dict[str, float]
    messages: tuple[str, ...] = ()
    options: AllianceOptions = field(default_factory=AllianceOptions)
    params: SolverParams = field(default_factory=SolverParams)

    def to_geodataframe(self, layer: Literal["zones", "facilities"] = "zones") -> gpd.GeoDataFrame:
        """Return the zones or facilities with their alliance, as a GeoDataFrame (EPSG:4326).

        Parameters
        ----------
        layer : {"zones", "facilities"}

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
            frame = self.facilities
        else:
            raise ValueError(f"layer must be 'zones' or 'facilities', got {layer!r}")
        out = gpd.GeoDataFrame(frame.copy(), geometry=geom.reindex(frame.index), crs="EPSG:4326")
        out.index.name = "id"
        return out

    def to_file(self, path: str | Path) -> Path:
        """Write the plan as a GeoPackage with layers ``zones``, ``facilities``, ``alliances``.

        The file is written atomically: an existing file stays intact if writing fails.

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
            zones = self.to_geodataframe("zones").reset_index()
            zones.to_file(tmp, layer="zones", driver="GPKG")
            fac = self.to_geodataframe("facilities").reset_index()
            fac.to_file(tmp, layer="facilities", driver="GPKG", mode="a")
            lead_geom = self.region.facilities.geometry.reindex(self.alliances.index)
            all_gdf = gpd.GeoDataFrame(self.alliances.copy(), geometry=lead_geom, crs="EPSG:4326")
            all_gdf.index.name = "lead"
            all_gdf.reset_index().to_file(tmp, layer="alliances", driver="GPKG", mode="a")
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
            f"{k['patient_hours_per_year']:,.0f} patient-hours/year; solver {self.solve.status}, "
            f"gap {self.solve.gap:.2%}, {self.solve.seconds:.1f} s"
        )
