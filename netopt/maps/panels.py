"""The map's two panels: the KPI panel (bottom left) and the legend (bottom right).

The KPI panel shows the plan's values of the KPIs whose views include ``"panel"``
(:func:`netopt.kpis.kpis_in`), labelled and formatted from :func:`netopt.kpis.kpi_info`: the
one KPI list that the report, the comparison and the CLI read too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netopt.kpis import kpi_info, kpis_in
from netopt.maps.styles import FERRY, GREY, PALETTE
from netopt.maps.text import esc, num
from netopt.region import TIERS

__all__ = ["format_kpi", "kpi_html", "legend_html"]


def format_kpi(key: str, value: float) -> tuple[str, str]:
    """Return the label and formatted value of one KPI (both HTML-escaped).

    Parameters
    ----------
    key : str
        A KPI key (:data:`netopt.kpis.KPIS`; an unknown key gets a plain label).
    value : float

    Returns
    -------
    label, value : str
    """
    info = kpi_info(key)
    if info.unit == "share":
        text = num(100 * float(value), ".1f", " %")
    elif info.unit == "min":
        text = num(value, ".1f", " min")
    elif info.unit == "people":
        text = num(value, ",.0f")
    elif info.unit:
        text = num(value, ",.0f", f" {info.unit}")
    else:
        text = num(value, ",.4g")
    return esc(info.label), text


def kpi_html(plan: Any, keys: Sequence[str] | None = None) -> str:
    """Return the KPI panel's HTML: the plan's name, region, alliances and KPIs.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``name``, ``region.name``, ``leads`` and ``kpis``.
    keys : sequence of str, optional
        KPI keys to show, in order; default (None or empty) the ``"panel"`` KPIs. Only those in
        ``plan.kpis`` are shown.

    Returns
    -------
    str
    """
    kpis = dict(getattr(plan, "kpis", {}) or {})
    wanted = keys or [k.key for k in kpis_in("panel")]
    rows = [format_kpi(k, kpis[k]) for k in wanted if k in kpis]
    rows.insert(0, ("Alliances", str(len(plan.leads))))
    body = "".join(f'<tr><td>{k}</td><td class="v">{v}</td></tr>' for k, v in rows)
    region = esc(getattr(plan.region, "name", ""))
    return f"<h4>{esc(plan.name)}</h4><div>{region}</div><table>{body}</table>"


def legend_html(
    names: dict[str, str],
    colour_of: dict[str, int],
    catch: dict[str, Any],
    labels: list[str],
    colours: list[str],
    *,
    max_alliances: int = 12,
    expanded: bool = True,
) -> str:
    """Return the legend's HTML: alliances, facility icons, lines, travel-time bands.

    Parameters
    ----------
    names : dict of str to str
        Alliance name per lead, in order.
    colour_of : dict of str to int
        :data:`~netopt.maps.styles.PALETTE` index per lead.
    catch : dict
        Catchment areas (a '' key adds the "no lead reachable" swatch).
    labels, colours : list of str
        Travel-time bands.
    max_alliances : int, keyword-only
        Alliances listed; the rest are counted.
    expanded : bool, keyword-only
        Open at start (False on the compact side-by-side maps).

    Returns
    -------
    str
    """
    leads = [k for k in names if k in colour_of]
    rows = [
        f'<div><span class="netopt-swatch" style="background:{PALETTE[colour_of[k]]}"></span>'
        f"{esc(names[k])}</div>"
        for k in leads[:max_alliances]
    ]
    if len(leads) > max_alliances:
        rows.append(f"<div>+ {len(leads) - max_alliances} more alliances</div>")
    if "" in catch:
        rows.append(
            f'<div><span class="netopt-swatch" style="background:{GREY}"></span>'
            "no lead reachable</div>"
        )
    tiers = "".join(
        f'<div><span class="netopt-fac netopt-tier-{t} netopt-legend-icon"></span>{t}</div>'
        for t in TIERS
    )
    lead = (
        '<div><span class="netopt-fac netopt-lead netopt-tier-county netopt-legend-icon">'
        "</span>lead hospital (ring: alliance colour)</div>"
    )
    lines = (
        f'<div><svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
        f'stroke="{FERRY}" stroke-width="3" stroke-dasharray="6 4"/></svg>ferry route</div>'
        '<div><svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
        'stroke="#555" stroke-width="4"/></svg>referral flow (width: referrals / year)</div>'
    )
    bands = "".join(
        f'<div><span class="netopt-swatch" style="background:{c}"></span>{lab}</div>'
        for lab, c in zip(labels, colours)
    )
    return (
        f"<details{' open' if expanded else ''}><summary><b>Legend</b></summary>"
        "<h4>Alliances</h4>"
        + "".join(rows)
        + "<h4>Facilities</h4>"
        + lead
        + tiers
        + "<h4>Lines</h4>"
        + lines
        + "<h4>Travel time (layer)</h4>"
        + bands
        + "</details>"
    )
