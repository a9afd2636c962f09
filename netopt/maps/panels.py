"""The map's panels: the KPI panel (bottom left), the legend (bottom right), the data caveat.

The KPI panel shows the plan's values of the KPIs whose views include ``"panel"``
(:func:`netopt.kpis.kpis_in`), labelled and formatted from :func:`netopt.kpis.kpi_info`: the
one KPI list that the report, the comparison and the CLI read too; the status of each stage
(:func:`netopt.solve.status.stage_text`: "evaluated", "optimal", "time limit, gap 10.3 %");
and what the run changed in the network (closed ferries, new links, night).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netopt.kpis import KPIS, kpi_info, kpis_in
from netopt.maps.network import NetworkState
from netopt.maps.styles import FERRY_STYLES, GREY, NEW_LINK, PALETTE
from netopt.maps.text import esc, message, num, translate
from netopt.region import TIERS
from netopt.solve.status import STAGE_LABELS, stage_text

__all__ = ["caveat_html", "format_kpi", "kpi_html", "legend_html", "network_notes", "stage_texts"]

_KPI_KEYS = frozenset(k.key for k in KPIS)


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
        text = num(value, ",.0f", f" {esc(translate(info.unit))}")  # in the page language
    else:
        text = num(value, ",.4g")
    return (message(f"kpi.{key}") if key in _KPI_KEYS else esc(info.label)), text


def stage_texts(plan: Any, schedule: Any = None) -> dict[str, str]:
    """Return the status text of each stage that ran, by :data:`~netopt.solve.status.STAGE_LABELS`.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Its ``solve`` (and ``options.evaluate_only``: today's alliances evaluated).
    schedule : netopt.rotations.RotationSchedule, optional

    Returns
    -------
    dict of str to str
        Stage label (``"Alliance plan"``, ``"Expert rotations"``) to
        :func:`~netopt.solve.status.stage_text`.
    """
    out = {}
    solve = getattr(plan, "solve", None)
    if solve is not None:
        evaluated = bool(getattr(getattr(plan, "options", None), "evaluate_only", False))
        out[translate(STAGE_LABELS["location"])] = translate(stage_text(solve, evaluated=evaluated))
    if schedule is not None and getattr(schedule, "status", None) is not None:
        out[translate(STAGE_LABELS["rotation"])] = translate(stage_text(schedule))
    return out


def network_notes(state: NetworkState | None) -> list[str]:
    """Return one line (HTML) per change the run made to the network, for the KPI panel.

    Parameters
    ----------
    state : NetworkState or None

    Returns
    -------
    list of str
        Empty for no state or an unchanged network.
    """
    if state is None:
        return []
    notes = []
    if state.count("closed"):
        notes.append(message("network.closed", n=str(state.count("closed"))))
    if state.night:
        notes.append(message("network.night"))
    if state.count("ended"):
        clock = esc(state.depart_at or "")
        notes.append(message("network.ended", n=str(state.count("ended")), clock=clock))
    changed = sum(f.changed for f in state.ferries.values())
    if changed:
        notes.append(message("network.changed", n=str(changed)))
    if state.links:
        notes.append(message("network.links", n=str(len(state.links))))
    closed = len(state.closed_links) + sum(x.closed_hours is not None for x in state.links)
    if closed:
        notes.append(message("network.closed_links", n=str(closed)))
    if state.emergency:
        notes.append(message("network.emergency"))
    if state.depart_at and not state.count("ended"):
        notes.append(message("network.clock", clock=esc(state.depart_at)))
    return notes


def kpi_html(
    plan: Any,
    keys: Sequence[str] | None = None,
    *,
    stages: dict[str, str] | None = None,
    network: NetworkState | None = None,
) -> str:
    """Return the KPI panel's HTML: the plan's name, region, stages, network and KPIs.

    The plan's name is the panel's heading; the rest is in ``<div class="netopt-body">``,
    the part the panel's toggle button hides.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``name``, ``region.name``, ``leads`` and ``kpis``.
    keys : sequence of str, optional
        KPI keys to show, in order; default (None or empty) the ``"panel"`` KPIs. Only those in
        ``plan.kpis`` are shown.
    stages : dict of str to str, keyword-only, optional
        Stage label to status text (:func:`stage_texts`); default: the plan's own stage.
    network : NetworkState, keyword-only, optional
        What the run changed in the network (:func:`network_notes`).

    Returns
    -------
    str
    """
    kpis = dict(getattr(plan, "kpis", {}) or {})
    wanted = keys or [k.key for k in kpis_in("panel")]
    rows = [format_kpi(k, kpis[k]) for k in wanted if k in kpis]
    rows.insert(0, (message("panel.alliances"), str(len(plan.leads))))
    stages = stage_texts(plan) if stages is None else stages
    status = "".join(
        f'<tr class="netopt-stage"><td>{esc(label)}</td><td class="v">{esc(text)}</td></tr>'
        for label, text in stages.items()
    )
    body = status + "".join(f'<tr><td>{k}</td><td class="v">{v}</td></tr>' for k, v in rows)
    notes = network_notes(network)
    net = (
        f'<div class="netopt-network"><b>{message("network.title")}:</b> '
        + "; ".join(notes)
        + "</div>"
        if notes
        else ""
    )
    region = esc(getattr(plan.region, "name", ""))
    return (
        f'<h4>{esc(plan.name)}</h4><div class="netopt-body"><div>{region}</div>{net}'
        f"<table>{body}</table></div>"
    )


def caveat_html(text: str) -> str:
    """Return the data caveat box's HTML (``text`` is plain and gets escaped).

    Parameters
    ----------
    text : str
        From :func:`netopt.maps.text.data_caveat`.

    Returns
    -------
    str
    """
    return f"<b>{message('caveat.title')}</b><span>{esc(text)}</span>"


def _line(style: dict[str, Any]) -> str:
    dash = style.get("dashArray")
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg class="netopt-line" height="8"><line x1="0" y1="4" x2="22" y2="4" '
        f'stroke="{style["color"]}" stroke-width="{style["weight"]}"{dash_attr}/></svg>'
    )


def legend_html(
    names: dict[str, str],
    colour_of: dict[str, int],
    catch: dict[str, Any],
    labels: list[str],
    colours: list[str],
    *,
    max_alliances: int = 12,
    expanded: bool = True,
    network: NetworkState | None = None,
) -> str:
    """Return the legend's HTML: alliances, facility icons, lines, travel-time bands.

    The lines list the running ferry route and, when the run has them, the ferry routes
    closed, not running at night or without a departure left, and the new links (each its
    own style, ``data-legend`` attribute ``ferry-closed``, ``ferry-night``, ``ferry-ended``,
    ``new-link``, ``link-closed``).

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
    network : NetworkState, keyword-only, optional
        The run's network state.

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
        rows.append(f"<div>{message('legend.more', n=str(len(leads) - max_alliances))}</div>")
    if "" in catch:
        rows.append(
            f'<div><span class="netopt-swatch" style="background:{GREY}"></span>'
            f"{message('legend.no_lead')}</div>"
        )
    tiers = "".join(
        f'<div><span class="netopt-fac netopt-tier-{t} netopt-legend-icon"></span>'
        f"{message('tier.' + t)}</div>"
        for t in TIERS
    )
    lead = (
        '<div><span class="netopt-fac netopt-lead netopt-tier-county netopt-legend-icon">'
        f"</span>{message('legend.lead')}</div>"
    )
    entries = []
    if network is None or network.count("open") or not network.ferries:
        entries.append(("ferry", FERRY_STYLES["open"], message("legend.ferry")))
    if network is not None:
        clock = esc(network.depart_at or "")
        for kind in ("closed", "night", "ended"):
            if network.count(kind):
                text = message(f"legend.ferry_{kind}", clock=clock)
                entries.append((f"ferry-{kind}", FERRY_STYLES[kind], text))
        if network.links:
            style = {"color": NEW_LINK, "weight": 5}
            entries.append(("new-link", style, message("legend.new_link")))
        if network.closed_links or any(x.closed_hours is not None for x in network.links):
            style = {**FERRY_STYLES["closed"], "weight": 5}
            entries.append(("link-closed", style, message("legend.link_closed")))
    entries.append(("flow", {"color": "#555", "weight": 4}, message("legend.flow")))
    lines = "".join(
        f'<div data-legend="{key}">{_line(style)}{text}</div>' for key, style, text in entries
    )
    bands = "".join(
        f'<div><span class="netopt-swatch" style="background:{c}"></span>{lab}</div>'
        for lab, c in zip(labels, colours)
    )
    return (
        f"<details{' open' if expanded else ''}><summary><b>{message('legend.title')}</b>"
        f"</summary><h4>{message('legend.alliances')}</h4>"
        + "".join(rows)
        + f"<h4>{message('legend.facilities')}</h4>"
        + lead
        + tiers
        + f"<h4>{message('legend.lines')}</h4>"
        + lines
        + f"<h4>{message('legend.bands')}</h4>"
        + bands
        + "</details>"
    )
