"""The map's layers, one function each: land, catchments, bands, zones, flows, facilities.

Each ``add_*`` function adds one toggleable :class:`folium.FeatureGroup` (or marker cluster)
holding one canvas :class:`~netopt.maps.elements.GeoJsonLayer`, so a layer is one feature
collection however many objects it draws. The network layers (ferries in their run state,
new links) are in :mod:`netopt.maps.network_layers`, rotation layers in
:mod:`netopt.maps.rotation_layers`, the legend and KPI panel in :mod:`netopt.maps.panels`.
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
from folium.plugins import MarkerCluster

from netopt.maps.elements import GeoJsonLayer
from netopt.maps.geometry import feature, line_features, point_features
from netopt.maps.styles import GREY, ICON_PX, PALETTE
from netopt.maps.tables import minutes
from netopt.maps.text import MESSAGES, esc, message, num, popup

__all__ = [
    "add_bands",
    "add_catchments",
    "add_facilities",
    "add_flows",
    "add_land",
    "add_zone_points",
]


def add_land(m: folium.Map, region: Any, tolerance: float, precision: int) -> None:
    """Add *Land and townships*: the region's boundary polygons, the offline basemap.

    Parameters
    ----------
    m : folium.Map
    region : netopt.region.Region
        Uses ``boundaries`` (nothing is drawn without them).
    tolerance : float
        Simplification tolerance in degrees.
    precision : int
        Decimals kept.
    """
    b = region.boundaries
    if b is None or len(b) == 0:
        return
    geoms = shapely.simplify(b.geometry.to_numpy(), tolerance, preserve_topology=True)
    names = b["name"] if "name" in b else pd.Series("", index=b.index)
    feats = [
        feature(g, {"tt": esc(n)} if isinstance(n, str) and n else {}, precision)
        for g, n in zip(geoms, names.to_numpy())
    ]
    fg = folium.FeatureGroup(name=message("layer.land"), show=True).add_to(m)
    fg.add_child(
        GeoJsonLayer(
            [f for f in feats if f],
            class_name="netopt-land",
            style={"color": "#8c8c8c", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
        )
    )


def add_catchments(
    m: folium.Map,
    catch: dict[str, Any],
    colour_of: dict[str, int],
    names: dict[str, str],
    stats: pd.DataFrame,
) -> None:
    """Add *Alliance catchments*: one area per alliance in its colour, grey where no lead.

    Parameters
    ----------
    m : folium.Map
    catch : dict of str to geometry
        Lead id ('' for no lead) to area (:func:`netopt.maps.geometry.zone_groups`).
    colour_of : dict of str to int
        :data:`~netopt.maps.styles.PALETTE` index per lead.
    names : dict of str to str
        Alliance name per lead.
    stats : pandas.DataFrame
        :func:`netopt.maps.tables.lead_stats` (``population`` per lead).
    """
    fg = folium.FeatureGroup(name=message("layer.catchments"), show=True).add_to(m)
    feats = []
    for key, geom in catch.items():
        if key == "":
            style = {"fillColor": GREY, "color": "#777777"}
            tip = message("catchment.none")
        else:
            c = PALETTE[colour_of.get(key, 0)]
            style = {"fillColor": c, "color": c}
            pop = stats["population"].get(key, np.nan) if "population" in stats else np.nan
            tip = message("catchment.tip", name=esc(names.get(key, key)), n=num(pop))
        f = feature(geom, {"s": style, "tt": tip}, 6)
        if f:
            feats.append(f)
    fg.add_child(
        GeoJsonLayer(
            feats,
            class_name="netopt-catchment",
            style={"weight": 1.2, "opacity": 0.9, "fillOpacity": 0.35},
        )
    )


def add_bands(
    m: folium.Map,
    bands: dict[int, Any],
    labels: list[str],
    colours: list[str],
    *,
    band_time: str,
) -> None:
    """Add the travel-time bands layer (hidden at start).

    Parameters
    ----------
    m : folium.Map
    bands : dict of int to geometry
        Band index to area.
    labels, colours : list of str
        Per band (:func:`~netopt.maps.styles.band_labels`, ``band_colours``).
    band_time : {"nearest", "assigned"}, keyword-only
        Names the layer.
    """
    title = message("layer.bands_nearest" if band_time == "nearest" else "layer.bands_assigned")
    fg = folium.FeatureGroup(name=title, show=False).add_to(m)
    feats = []
    for key, geom in sorted(bands.items()):
        f = feature(geom, {"s": {"fillColor": colours[key]}, "tt": labels[key]}, 6)
        if f:
            feats.append(f)
    fg.add_child(
        GeoJsonLayer(feats, class_name="netopt-band", style={"stroke": False, "fillOpacity": 0.6})
    )


def add_zone_points(m: folium.Map, region: Any, zplan: pd.DataFrame, precision: int) -> None:
    """Add *Resident zones* (hidden at start): a circle per zone sized by population.

    Parameters
    ----------
    m : folium.Map
    region : netopt.region.Region
    zplan : pandas.DataFrame
        The plan's zone table aligned with ``region.zones``.
    precision : int
    """
    z = region.zones
    xy = shapely.get_coordinates(shapely.point_on_surface(z.geometry.to_numpy()))
    pop = pd.to_numeric(z["population"], errors="coerce").fillna(0.0).to_numpy()
    t_lead = minutes(zplan, "t_lead").to_numpy()
    radius = np.clip(2 + 6 * np.sqrt(pop / max(pop.max(), 1.0)), 2, 8).round(1)
    props = [
        {
            "s": {"radius": r},
            "tt": message(
                "map.zone_tip", zone=esc(i), people=num(p), minutes=num(t, ".0f", " min")
            ),
        }
        for i, p, t, r in zip(z.index, pop, t_lead, radius)
    ]
    fg = folium.FeatureGroup(name=message("layer.zones"), show=False).add_to(m)
    fg.add_child(
        GeoJsonLayer(
            point_features(xy, props, precision),
            class_name="netopt-zone",
            point="circle",
            style={"color": "#333333", "weight": 0.5, "fillColor": "#ffffff", "fillOpacity": 0.8},
        )
    )


def add_flows(
    m: folium.Map,
    fac: pd.DataFrame,
    colour_of: dict[str, int],
    names: dict[str, str],
    precision: int,
) -> int:
    """Add *Referral flows*: member to lead, width by referrals a year.

    Parameters
    ----------
    m : folium.Map
    fac : pandas.DataFrame
        :func:`netopt.maps.tables.facility_table`.
    colour_of : dict of str to int
    names : dict of str to str
    precision : int

    Returns
    -------
    int
        Flows drawn.
    """
    members = fac[(~fac["is_lead"]) & (fac["lead"] != "") & fac["lead"].isin(fac.index)]
    if members.empty:
        return 0
    lead_xy = fac.loc[members["lead"], ["lon", "lat"]].to_numpy()
    vol = members["referrals_per_year"].fillna(0.0).to_numpy()
    width = 1.0 + 7.0 * np.sqrt(vol / max(float(vol.max()), 1.0))
    props = [
        {
            "s": {"weight": round(float(w), 1), "color": PALETTE[colour_of.get(j, 0)]},
            "p": message("map.flow_tip", member=esc(n), lead=esc(names.get(j, j)), n=num(v)),
        }
        for n, j, v, w in zip(members["name"], members["lead"], vol, width)
    ]
    fg = folium.FeatureGroup(name=message("layer.flows"), show=True).add_to(m)
    fg.add_child(
        GeoJsonLayer(
            line_features(members[["lon", "lat"]].to_numpy(), lead_xy, props, precision),
            class_name="netopt-flow",
            style={"opacity": 0.65, "lineCap": "round"},
        )
    )
    return len(members)


def _facility_popup(r: pd.Series, stats: pd.DataFrame, names: dict[str, str]) -> str:
    tier = message(f"tier.{r['tier']}") if f"tier.{r['tier']}" in MESSAGES else esc(r["tier"])
    rows = [(message("field.tier"), tier), (message("field.beds"), num(r["beds"]))]
    if r["is_lead"]:
        s = stats.loc[r.name] if r.name in stats.index else pd.Series(dtype=float)
        members = s.get("members", np.nan)
        n_members = len(members) if isinstance(members, (list, tuple)) else members
        load, cap = s.get("referral_load", np.nan), s.get("referral_capacity", np.nan)
        util = s.get("utilisation", np.nan)
        rows += [
            (message("field.role"), message("field.lead_role")),
            (message("field.members"), num(n_members)),
            (message("field.population"), num(s.get("population", np.nan))),
            (
                message("field.load"),
                message(
                    "field.load_text",
                    load=num(load),
                    cap=num(cap),
                    util=num(100 * float(util), ".0f", " %"),
                ),
            ),
            (
                message("field.resident_mean"),
                num(s.get("resident_mean_min", np.nan), ".1f", " min"),
            ),
        ]
        if pd.notna(r["population"]) and float(r["population"]) > 0:
            rows.append((message("field.first_use"), num(r["population"])))
    else:
        lead = r["lead"]
        rows += [
            (
                message("field.alliance"),
                esc(names.get(lead, lead)) if lead else message("field.none"),
            ),
            (message("field.population"), num(r["population"])),
            (message("field.referrals"), message("field.a_year", n=num(r["referrals_per_year"]))),
            (message("field.resident_mean"), num(r["mean_travel_min"], ".1f", " min")),
        ]
    return popup(f"{esc(r['name'])} <small>({esc(r.name)})</small>", rows)


def add_facilities(
    m: folium.Map,
    fac: pd.DataFrame,
    colour_of: dict[str, int],
    stats: pd.DataFrame,
    names: dict[str, str],
    precision: int,
    *,
    cluster_threshold: int,
) -> dict[str, int]:
    """Add *Lead hospitals* and *Member facilities*: icons by tier, ringed in alliance colour.

    Parameters
    ----------
    m : folium.Map
    fac : pandas.DataFrame
        :func:`netopt.maps.tables.facility_table`.
    colour_of : dict of str to int
    stats : pandas.DataFrame
        :func:`netopt.maps.tables.lead_stats`, for the leads' popups.
    names : dict of str to str
    precision : int
    cluster_threshold : int, keyword-only
        A layer with more markers than this is clustered.

    Returns
    -------
    dict of str to int
        Markers per role (``lead``, ``member``).
    """
    counts = {}
    for role, title in (("lead", message("layer.leads")), ("member", message("layer.members"))):
        sub = fac[fac["is_lead"]] if role == "lead" else fac[~fac["is_lead"]]
        counts[role] = len(sub)
        if sub.empty:
            continue
        colour = [
            f"netopt-c{colour_of[j]}" if j in colour_of else ""
            for j in (sub.index if role == "lead" else sub["lead"])
        ]
        size = [ICON_PX["lead"] if role == "lead" else ICON_PX[t] for t in sub["tier"]]
        props = [
            {
                "c": f"netopt-fac netopt-{role} netopt-tier-{t} {c}".strip(),
                "z": z,
                "t": str(n),
                "p": _facility_popup(r, stats, names),
            }
            for (_i, r), t, c, z, n in zip(sub.iterrows(), sub["tier"], colour, size, sub["name"])
        ]
        feats = point_features(sub[["lon", "lat"]].to_numpy(), props, precision)
        if len(sub) > cluster_threshold:
            parent = MarkerCluster(
                name=title,
                show=True,
                options={"disableClusteringAtZoom": 15, "chunkedLoading": True},
            ).add_to(m)
        else:
            parent = folium.FeatureGroup(name=title, show=True).add_to(m)
        parent.add_child(GeoJsonLayer(feats, class_name=f"netopt-{role}", point="icon"))
    return counts
