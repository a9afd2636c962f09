"""The :class:`Region` data model: facilities, resident zones, ferries, fixed links, experts.

A :class:`Region` is the one validated input that every later step reads. All layers are
stored in WGS-84 longitude/latitude (EPSG:4326), indexed by a string ``id``; distances are
measured in :attr:`Region.metric_crs`, a UTM zone picked for the region. Construct regions
with :func:`netopt.load_region` (which validates) or directly from frames (then call
:func:`netopt.validate_region`).

Layer schemas (column: dtype, meaning). Optional values are ``NaN`` (numbers) or ``None``.

``facilities`` (GeoDataFrame, Point):
    name: str; tier: one of :data:`TIERS`; beds: float (NaN if unknown);
    outpatient_per_day: float, outpatient capacity per day (NaN if unknown);
    specialties: tuple[str, ...]; capabilities: tuple[str, ...] (what it can treat in time,
    e.g. ``("pci", "thrombolysis", "stroke_centre")``, see :mod:`netopt.pathways`); can_lead: bool; alliance: str | None (id of the lead
    facility of its current alliance, if any); township: str | None; area: str | None
    (administrative code of its county or township as digits, e.g. "330225"; see
    :attr:`Region.area_codes`); name_zh: str | None (Chinese name, shown on Chinese pages);
    doctors: float (licensed doctors, NaN if unknown); upgrade_beds: float (beds an upgrade
    would add, making it a hospital-level and lead-capable candidate; NaN: not a candidate);
    upgrade_cost_yuan: float (the stated cost of that upgrade, NaN if unknown).
``zones`` (GeoDataFrame, Point or (Multi)Polygon):
    population: float >= 0; island: bool; island_name: str | None; township: str | None;
    primary_facility: str | None (facility id residents use first, if given in the data).
``ferries`` (GeoDataFrame, LineString from port A to port B):
    name: str; from_port: str; to_port: str; crossing_min: float;
    headway_min: float (NaN when a timetable is given);
    departures_ab / departures_ba: tuple[str, ...] of "HH:MM" departure clock times from
    port A / port B (empty when only a headway is known);
    service_start / service_end: "HH:MM"; kind: "passenger" | "vehicle" | "both";
    source: str; estimated: bool.
``links`` (GeoDataFrame, LineString; bridges, tunnels, causeways):
    name: str; kind: str; travel_min: float (NaN: computed from length);
    length_m: float (NaN: measured); source: str; estimated: bool.
``experts`` (DataFrame):
    name: str; home_facility: str (facility id); specialty: str;
    weekdays: tuple[int, ...] (0 = Monday .. 6 = Sunday); max_days_per_month: int.
``boundaries`` (GeoDataFrame, (Multi)Polygon; land / township polygons, may be empty):
    name: str.
``roads`` (GeoDataFrame of LineStrings, or None):
    highway: str (road class); maxspeed_kmh: float (NaN if untagged); oneway: bool;
    name: str | None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

__all__ = [
    "LEAD_TIERS",
    "PRIMARY_TIERS",
    "SCHEMA",
    "TIERS",
    "EmergencyFallback",
    "Region",
    "format_overview",
]

#: Facility tiers, from the top of the referral pyramid down.
TIERS: tuple[str, ...] = ("tertiary", "county", "township", "village")
#: Tiers that may lead an alliance by default.
LEAD_TIERS: tuple[str, ...] = ("tertiary", "county")
#: Tiers residents use as their first point of care by default.
PRIMARY_TIERS: tuple[str, ...] = ("township", "village")

#: Column names and pandas dtypes of each layer (geometry excluded; index is ``id``).
SCHEMA: dict[str, dict[str, str]] = {
    "facilities": {
        "name": "object",
        "tier": "object",
        "beds": "float64",
        "outpatient_per_day": "float64",
        "specialties": "object",
        "capabilities": "object",
        "can_lead": "bool",
        "alliance": "object",
        "township": "object",
        "area": "object",
        "name_zh": "object",
        "doctors": "float64",
        "upgrade_beds": "float64",
        "upgrade_cost_yuan": "float64",
    },
    "zones": {
        "population": "float64",
        "island": "bool",
        "island_name": "object",
        "township": "object",
        "primary_facility": "object",
    },
    "ferries": {
        "name": "object",
        "from_port": "object",
        "to_port": "object",
        "crossing_min": "float64",
        "headway_min": "float64",
        "departures_ab": "object",
        "departures_ba": "object",
        "service_start": "object",
        "service_end": "object",
        "kind": "object",
        "source": "object",
        "estimated": "bool",
    },
    "links": {
        "name": "object",
        "kind": "object",
        "travel_min": "float64",
        "length_m": "float64",
        "source": "object",
        "estimated": "bool",
    },
    "experts": {
        "name": "object",
        "home_facility": "object",
        "specialty": "object",
        "weekdays": "object",
        "max_days_per_month": "int64",
    },
    "boundaries": {"name": "object"},
    "roads": {"highway": "object", "maxspeed_kmh": "float64", "oneway": "bool", "name": "object"},
}


@dataclass(frozen=True)
class EmergencyFallback:
    """An emergency service that can be called to a closed crossing (region.toml
    ``[emergency_fallback]``).

    Parameters
    ----------
    name : str
        What it is, e.g. ``"ambulance boat"`` or ``"helicopter"``.
    wait_min : float
        Minutes from the call until it leaves (it then takes the crossing's time).
    availability : float
        Share of closures in which it can go, in (0, 1] (a helicopter does not fly in a
        typhoon).
    """

    name: str
    wait_min: float
    availability: float = 1.0


@dataclass(frozen=True, eq=False)
class Region:
    """A planning region: every input layer, in WGS-84, indexed by string ids.

    Parameters
    ----------
    name : str
        Human-readable name, e.g. ``"Xiangshan County"``.
    facilities, zones, ferries, links, boundaries : geopandas.GeoDataFrame
        The layers described in the module docstring (EPSG:4326, index ``id``).
    experts : pandas.DataFrame
        Visiting experts (index ``id``).
    metric_crs : str
        Projected CRS (e.g. ``"EPSG:32651"``) in which distances are measured.
    roads : geopandas.GeoDataFrame or None
        Road lines, or None when the region has no road file.
    source : pathlib.Path or None
        Folder the region was loaded from.
    metadata : dict
        Free-form metadata from ``region.toml`` (description, sources, ...; the planning
        keys ``caveat``, ``area`` and ``emergency_fallback`` are read by :attr:`caveat`,
        :attr:`area_codes` and :attr:`fallback`).
    """

    name: str
    facilities: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    ferries: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    experts: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    metric_crs: str
    roads: gpd.GeoDataFrame | None = None
    source: Path | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def caveat(self) -> str | None:
        """The region's data caveat (region.toml ``caveat``), shown on every report and map."""
        text = self.metadata.get("caveat")
        return str(text).strip() if isinstance(text, str) and text.strip() else None

    @property
    def language(self) -> str:
        """Language of the region's maps and reports (region.toml ``language``; ``"en"``)."""
        lang = self.metadata.get("language")
        return lang if isinstance(lang, str) and lang else "en"

    @property
    def area_codes(self) -> tuple[str, ...]:
        """Administrative codes of the planning area (region.toml ``area``); () if not given.

        A facility whose ``area`` code starts with one of them lies inside the area.
        """
        area = self.metadata.get("area")
        codes = [area] if isinstance(area, str) else (area or [])
        return tuple(str(c).strip() for c in codes if str(c).strip())

    @property
    def fallback(self) -> EmergencyFallback | None:
        """The emergency fallback to closed crossings (region.toml ``[emergency_fallback]``)."""
        table = self.metadata.get("emergency_fallback")
        if not isinstance(table, dict) or "wait_min" not in table:
            return None
        return EmergencyFallback(
            name=str(table.get("name", "emergency fallback")),
            wait_min=float(table["wait_min"]),
            availability=float(table.get("availability", 1.0)),
        )

    def flow_table(self, name: str) -> dict[str, Any]:
        """A table of the patient-flow model from region.toml: ``"demand"``, ``"choice"`` or
        ``"observed"`` (see :mod:`netopt.flows`); ``{}`` when the region does not give it.

        Parameters
        ----------
        name : {"demand", "choice", "observed"}

        Returns
        -------
        dict
        """
        if name not in ("demand", "choice", "observed"):
            raise ValueError(f"unknown flow table {name!r}; use 'demand', 'choice' or 'observed'")
        table = self.metadata.get(name)
        return dict(table) if isinstance(table, Mapping) else {}

    def zone_points(self) -> gpd.GeoSeries:
        """Return one travel point per zone (polygons give their representative point).

        Returns
        -------
        geopandas.GeoSeries
            Points in EPSG:4326, indexed like :attr:`zones`.
        """
        return self.zones.geometry.representative_point()

    def to_metric(self, layer: str) -> gpd.GeoDataFrame:
        """Return a copy of one layer projected to :attr:`metric_crs`.

        Parameters
        ----------
        layer : str
            One of ``"facilities"``, ``"zones"``, ``"ferries"``, ``"links"``,
            ``"boundaries"``, ``"roads"``.

        Returns
        -------
        geopandas.GeoDataFrame
        """
        frame = getattr(self, layer)
        if frame is None:
            raise ValueError(f"region {self.name!r} has no {layer!r} layer")
        return frame.to_crs(self.metric_crs)

    def land(self):
        """Return the union of the boundary polygons (the land) in EPSG:4326, or None.

        Returns
        -------
        shapely.Geometry or None
        """
        if self.boundaries is None or len(self.boundaries) == 0:
            return None
        return self.boundaries.geometry.union_all()

    def overview(self) -> dict[str, Any]:
        """Return counts and totals for a quick overview (the figures of :meth:`summary`).

        Returns
        -------
        dict
            ``name``, ``facilities_by_tier``, ``zones`` (count), ``population``,
            ``islands`` (island name to population, largest first), ``ferries`` (id to name
            and crossing minutes), ``links`` and ``experts`` (counts).
        """
        z = self.zones
        island_pop = (
            z[z["island"]].groupby(z["island_name"].fillna("(unnamed island)"))["population"].sum()
        )
        return {
            "name": self.name,
            "facilities_by_tier": self.facilities["tier"].value_counts().to_dict(),
            "zones": len(z),
            "population": float(z["population"].sum()),
            "islands": {
                str(k): float(v) for k, v in island_pop.sort_values(ascending=False).items()
            },
            "ferries": {
                str(i): {"name": r["name"], "crossing_min": float(r["crossing_min"])}
                for i, r in self.ferries.iterrows()
            },
            "links": len(self.links),
            "experts": len(self.experts),
        }

    def summary(self) -> str:
        """Return the overview as plain text (what ``netopt validate`` prints).

        Returns
        -------
        str
            Several lines, see :func:`format_overview`.

        Examples
        --------
        >>> print(region.summary())  # doctest: +SKIP
        Region: Synthetic Bay County
        Facilities: 10 (tertiary 1, county 2, township 4, village 3)
        ...
        """
        return format_overview(self.overview())


def format_overview(overview: Mapping[str, Any]) -> str:
    """Render the dict of :meth:`Region.overview` as plain text.

    Parameters
    ----------
    overview : mapping
        The dict returned by :meth:`Region.overview`.

    Returns
    -------
    str
        Several lines (no final newline); population figures are exact integers with
        thousands separators.
    """
    tiers = overview["facilities_by_tier"]
    tier_text = ", ".join(
        f"{t} {tiers[t]}" for t in [*TIERS, *sorted(set(tiers) - set(TIERS))] if t in tiers
    )
    lines = [
        f"Region: {overview['name']}",
        f"Facilities: {sum(tiers.values())} ({tier_text})",
        f"Zones: {overview['zones']}, population {_people(overview['population'])}",
    ]
    islands = overview["islands"]
    if islands:
        total = sum(islands.values())
        lines.append(f"Islands: {len(islands)}, population {_people(total)}")
        lines += [f"  {name}: {_people(pop)}" for name, pop in islands.items()]
    else:
        lines.append("Islands: none")
    ferries = overview["ferries"]
    lines.append(f"Ferry routes: {len(ferries)}")
    lines += [f"  {fid}: {f['name']} ({f['crossing_min']:g} min)" for fid, f in ferries.items()]
    lines.append(f"Fixed links: {overview['links']}")
    lines.append(f"Experts: {overview['experts']}")
    return "\n".join(lines)


def _people(value: float) -> str:
    """Return a head count as an exact integer with thousands separators."""
    return f"{round(value):,}"
