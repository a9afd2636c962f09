"""The partner hospitals of a map: city or tertiary hospitals hosting county leads.

:func:`add_hosting_layers` adds one layer, *Partner hospitals (three tiers)*, hidden at
start like the other optional layers, with its legend (:class:`LayerLegend`):

- a line from each partner to the county lead it hosts: **solid** for a link given in the
  data or the scenario, **dashed** (:data:`CHOSEN_DASH`) for one the optimiser chose;
- a ring round each partner's marker (partners are usually outside the planning area);
- a popup per link (on its line, and all of a partner's links on its marker): the partner,
  the lead, the referrals up, the follow-ups brought home, the patient-hours they save
  (follow-up and referral), the hours saved per follow-up trip, the load added to the
  county hospital, the partner's capacity, the conditions referred up and the source.

Drawing never plans: the figures are :attr:`netopt.hosting.Hosting.links`; the points are
the region's facilities (:attr:`netopt.region.Region.facilities`). Every label is a message
of :mod:`netopt.maps.i18n`; every data text passes :func:`esc`.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import numpy as np
import shapely

from netopt.maps.elements import GeoJsonLayer
from netopt.maps.flow_layers import LayerLegend
from netopt.maps.geometry import feature, point_features
from netopt.maps.pathway_layers import condition_name
from netopt.maps.tables import facility_points
from netopt.maps.text import esc, message, num, table

__all__ = [
    "CHOSEN_DASH",
    "PARTNER_COLOUR",
    "add_hosting_layers",
    "conditions_text",
    "hosting_features",
    "link_popup",
]

#: Colour of the partner links and markers.
PARTNER_COLOUR = "#762A83"
#: Leaflet dash pattern of a link the optimiser chose (a given link is solid).
CHOSEN_DASH = "8 6"
_LINE_WEIGHT = 4.0


def _figure(value: Any, fmt: str = ",.0f") -> str:
    """A number for the page; infinity (no capacity limit): *no limit*; else an en dash."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "&ndash;"
    if math.isinf(x) and x > 0:
        return message("hosting.no_limit")
    return num(x, fmt) if math.isfinite(x) else "&ndash;"


def conditions_text(value: Any) -> str:
    """The ``;``-separated condition keys of ``conditions_up`` as their short names (HTML),
    '' for none.

    Parameters
    ----------
    value : str or None

    Returns
    -------
    str
    """
    if not isinstance(value, str):
        return ""
    return ", ".join(condition_name(k.strip()) for k in value.split(";") if k.strip())


def link_popup(row: Any, partner: str, lead: str) -> str:
    """Return the popup of one link (HTML).

    Parameters
    ----------
    row : namedtuple or object
        A row of :attr:`netopt.hosting.Hosting.links` (attributes of
        :data:`netopt.hosting.LINK_COLUMNS`; missing ones show an en dash).
    partner, lead : str
        The partner's and the lead's names, already escaped.

    Returns
    -------
    str
        A title (*partner hosts lead*) over a table of the link's figures.
    """

    def get(name: str) -> Any:
        return getattr(row, name, None)

    kind = message("hosting.chosen" if bool(get("chosen")) else "hosting.given")
    rows = [
        (message("hosting.field.partner"), partner),
        (message("hosting.field.lead"), lead),
        (message("hosting.field.kind"), kind),
        (message("hosting.field.referrals_up"), _figure(get("referrals_up_per_year"))),
        (message("hosting.field.followups_home"), _figure(get("followups_home_per_year"))),
        (
            message("hosting.field.followup_hours"),
            _figure(get("followup_patient_hours_saved_per_year")),
        ),
        (
            message("hosting.field.referral_hours"),
            _figure(get("referral_patient_hours_saved_per_year")),
        ),
        (message("hosting.field.per_trip"), _figure(get("followup_hours_saved_per_trip"), ",.1f")),
        (message("hosting.field.added_load"), _figure(get("added_load_per_year"))),
        (message("hosting.field.capacity"), _figure(get("capacity_per_year"))),
    ]
    conditions = conditions_text(get("conditions_up"))
    if conditions:
        rows.append((message("hosting.field.conditions_up"), conditions))
    source = get("source")
    if isinstance(source, str) and source.strip():
        rows.append((message("hosting.field.source"), esc(source)))
    title = message("hosting.link_title", partner=partner, lead=lead)
    return f'<div class="netopt-popup"><h4>{title}</h4>{table(rows)}</div>'


def hosting_features(
    links: Any, region: Any, precision: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the link lines and the partner markers of a hosting's links.

    Parameters
    ----------
    links : pandas.DataFrame
        :attr:`netopt.hosting.Hosting.links` (``partner``, ``lead``, ``chosen`` and the
        figures of :data:`netopt.hosting.LINK_COLUMNS`).
    region : netopt.region.Region
        Facility points and names; a link whose partner or lead is not a facility of it is
        left out.
    precision : int
        Decimals of the coordinates.

    Returns
    -------
    lines : list of dict
        One line feature per link, partner to lead (properties ``p`` popup, ``tt`` tooltip,
        ``s`` style; dashed when the optimiser chose the link).
    markers : list of dict
        One point feature per partner (``p``: the popups of all its links, ``tt``, ``s``).
    """
    points, names = facility_points(region)
    lines: list[dict[str, Any]] = []
    popups: dict[str, list[str]] = {}
    for r in links.itertuples(index=False):
        a, b = str(r.partner), str(r.lead)
        if a not in points or b not in points or a == b:
            continue
        partner, lead = names[a], names[b]
        popup = link_popup(r, partner, lead)
        popups.setdefault(a, []).append(popup)
        style: dict[str, Any] = {"color": PARTNER_COLOUR, "weight": _LINE_WEIGHT, "opacity": 0.85}
        if bool(r.chosen):
            style["dashArray"] = CHOSEN_DASH
        tip = message(
            "hosting.tooltip",
            partner=partner,
            lead=lead,
            hours=_figure(getattr(r, "followup_patient_hours_saved_per_year", None)),
        )
        line = feature(
            shapely.LineString([points[a], points[b]]),
            {"p": popup, "tt": tip, "s": style},
            precision,
        )
        if line:
            lines.append(line)
    props = [
        {
            "p": "".join(p),
            "tt": message("hosting.partner_tooltip", partner=names[a]),
            "s": {"radius": 15.0, "fillColor": PARTNER_COLOUR, "color": PARTNER_COLOUR},
        }
        for a, p in popups.items()
    ]
    xy = np.array([points[a] for a in popups], dtype=float).reshape(-1, 2)
    return lines, point_features(xy, props, precision)


def _legend() -> str:
    """The layer's legend: solid (given) and dashed (chosen) lines, the partner marker."""

    def line(dash: str | None) -> str:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            '<svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
            f'stroke="{PARTNER_COLOUR}" stroke-width="{_LINE_WEIGHT}"{d}/></svg>'
        )

    dot = (
        '<svg class="netopt-line" height="18"><circle cx="11" cy="9" r="7" '
        f'fill="{PARTNER_COLOUR}" fill-opacity="0.3" stroke="{PARTNER_COLOUR}" '
        'stroke-width="2.5"/></svg>'
    )
    return (
        f"<h4>{message('layer.hosting')}</h4>"
        f"<div><small>{message('hosting.legend_line')}</small></div>"
        f"<div>{line(None)}{message('hosting.given')}</div>"
        f"<div>{line(CHOSEN_DASH)}{message('hosting.chosen')}</div>"
        f"<div>{dot}{message('hosting.legend_partner')}</div>"
    )


def add_hosting_layers(m: folium.Map, hosting: Any, region: Any, precision: int) -> int:
    """Add the *Partner hospitals* layer (hidden at start, with its legend).

    Parameters
    ----------
    m : folium.Map
    hosting : netopt.hosting.Hosting or None
        The run's hosting (its ``links``); None, no links, or no link between facilities
        of ``region`` adds nothing.
    region : netopt.region.Region
        The region drawn (facility points and names).
    precision : int
        Decimals kept.

    Returns
    -------
    int
        Layers added (0 or 1).
    """
    links = getattr(hosting, "links", None)
    if hosting is None or links is None or len(links) == 0:
        return 0
    lines, marks = hosting_features(links, region, precision)
    if not lines:
        return 0
    fg = folium.FeatureGroup(name=message("layer.hosting"), show=False).add_to(m)
    fg.add_child(LayerLegend(_legend()))
    fg.add_child(GeoJsonLayer(lines, class_name="netopt-hosting-link"))
    fg.add_child(
        GeoJsonLayer(
            marks,
            class_name="netopt-hosting-partner",
            point="circle",
            style={"fillOpacity": 0.3, "opacity": 1.0, "weight": 3.0},
        )
    )
    return 1
