"""Self-contained HTML reports: one scenario (``report.html``) and a comparison.

The pages need no network and no JavaScript: the styles are inline and the charts are
inline SVG bar charts drawn here. Every text that comes from data (scenario titles,
facility names, messages) is HTML-escaped. The reports are rendered from the JSON record
a scenario run writes as ``kpis.json`` (:meth:`netopt.scenario.Result.record`), so a
report can be rebuilt from a saved output folder without solving again.

Which KPIs are charted, and their labels and units, come from :mod:`netopt.kpis` (the one
KPI list): :func:`~netopt.kpis.kpis_in` ``("chart")`` and :func:`~netopt.kpis.kpi_info`;
a record's own ``definitions`` are read first when it has them.
Every page shows the record's data ``caveat`` (:func:`netopt.maps.text.data_caveat`) under
the title, and each stage's status as the record's ``stages`` word it
(:func:`netopt.solve.status.stage_text`: "evaluated", "time limit, gap 10.3 %" ...).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from netopt._numbers import finite_or_none
from netopt.kpis import POPULATION_COUNTS, kpi_info, kpis_in
from netopt.maps.cost_report import cost_section
from netopt.maps.flow_report import care_section
from netopt.maps.hosting_report import hosting_section
from netopt.maps.notes_report import display_name, notes_html
from netopt.maps.pathway_report import pathway_section
from netopt.maps.text import localise, message, translate
from netopt.solve.status import NO_STAGE_TEXT, STAGE_LABELS

__all__ = [
    "PALETTE",
    "bar_chart_svg",
    "comparison_report",
    "format_change",
    "format_value",
    "page_html",
    "scenario_report",
]

#: Paul Tol's colour-blind safe "bright" palette (series colours of the charts).
PALETTE: tuple[str, ...] = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#BBBBBB",
)

#: Colour of each population count (served, unserved for capacity, not covered).
_COUNT_COLOURS = ("#228833", "#CCBB44", "#EE6677")
_COUNTS = tuple(
    (key, kpi_info(key).label, colour) for key, colour in zip(POPULATION_COUNTS, _COUNT_COLOURS)
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans SC",sans-serif;
margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666}.status{display:inline-block;padding:.05rem .5rem;border-radius:.6rem;
font-weight:600}.ok{background:#d9f0d9}.warn{background:#fbeecb}.bad{background:#f8d3d3}
ul.msg li{margin:.2rem 0}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
.charts figure{margin:0}figcaption{font-size:.85rem;color:#444}
nav a{margin-right:1rem}
.change{display:block;font-size:.8rem}.better{color:#1a7f37}.worse{color:#c62828}
.same{color:#666}
.caveat{background:#fff8dc;border:1px solid #d9b44a;border-radius:.3rem;padding:.4rem .7rem;
margin:.6rem 0;font-size:.9rem}.caveat strong{margin-right:.4rem}
"""

#: How a KPI's direction reads in the comparison (:attr:`netopt.kpis.Kpi.better`).
_DIRECTION_TEXT = {"lower": "lower is better", "higher": "higher is better"}


def _esc(value: Any) -> str:
    """HTML-escape any value's text (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def format_value(value: Any, unit: str = "") -> str:
    """Format a KPI value for display according to its unit.

    Parameters
    ----------
    value : float or None
    unit : str
        ``"share"`` (shown as a percentage), ``"people"``, ``"min"``, ``"h/year"`` ...

    Returns
    -------
    str
        ``"–"`` for missing or non-finite values.

    Examples
    --------
    >>> format_value(0.8342, "share")
    '83.4 %'
    >>> format_value(12345.6, "people")
    '12,346'
    """
    if value is None or isinstance(value, str):
        return "–" if value is None else value
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "–"
    if unit == "share":
        return f"{100 * x:.1f} %"
    if unit in ("people", "h/year", "h/period", "days") or abs(x) >= 1000:
        return f"{x:,.0f}"
    if unit in ("min", "s"):
        return f"{x:,.1f}"
    return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.1f}"


def format_change(change: Any, unit: str = "") -> str:
    """Format a change between two KPI values, with its sign.

    Parameters
    ----------
    change : float or None
        The difference (scenario minus reference).
    unit : str
        As for :func:`format_value`; a change of a ``"share"`` is in percentage points.

    Returns
    -------
    str
        ``"–"`` for missing or non-finite values.

    Examples
    --------
    >>> format_change(2.34, "min")
    '+2.3'
    >>> format_change(-0.05, "share")
    '-5.0 pp'
    """
    x = finite_or_none(change)
    if x is None:
        return "–"
    sign = "+" if x > 0 else "-" if x < 0 else ""
    if unit == "share":
        return f"{sign}{100 * abs(x):.1f} pp"
    return sign + format_value(abs(x), unit)


def bar_chart_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str = "",
    unit: str = "",
    width: int = 540,
    colours: Sequence[str] = PALETTE,
) -> str:
    """Return an inline SVG horizontal (grouped) bar chart.

    Parameters
    ----------
    categories : sequence of str
        One group of bars per category (a row).
    series : mapping of str to sequence of float
        Series name to one value per category (None or NaN: no bar, shown as "–"). One
        series draws plain bars; several draw grouped bars with a legend.
    title : str, keyword-only
        Shown above the chart (and as its accessible name).
    unit : str, keyword-only
        Unit used to format the value labels (see :func:`format_value`).
    width : int, keyword-only
        Width in pixels.
    colours : sequence of str, keyword-only
        Series colours.

    Returns
    -------
    str
        An ``<svg>`` element; every text is escaped.
    """
    names = list(series)
    n_cat, n_ser = len(categories), max(len(names), 1)
    bar_h, gap, label_w, value_w = 14, 10, 230, 80
    legend_h = 18 if n_ser > 1 else 0
    title_h = 20 if title else 0
    plot_w = max(width - label_w - value_w, 40)
    height = title_h + legend_h + n_cat * (n_ser * bar_h + gap) + 6
    values = [[finite_or_none(v) for v in series[s]] for s in names]
    vmax = max([v for row in values for v in row if v is not None] + [0.0])
    vmin = min([v for row in values for v in row if v is not None] + [0.0])
    span = (vmax - vmin) or 1.0
    zero_x = label_w + plot_w * (-vmin / span)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
            'font-family="system-ui,sans-serif" font-size="11">'
        )
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-size="13" font-weight="600">{_esc(title)}</text>')
    if n_ser > 1:
        x = label_w
        for k, s in enumerate(names):
            c = colours[k % len(colours)]
            parts.append(f'<rect x="{x}" y="{title_h + 3}" width="10" height="10" fill="{c}"/>')
            parts.append(f'<text x="{x + 14}" y="{title_h + 12}">{_esc(s)}</text>')
            x += 24 + 7 * len(str(s))
    y = title_h + legend_h
    for i, cat in enumerate(categories):
        group_h = n_ser * bar_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + group_h / 2 + 4:.1f}" '
            f'text-anchor="end">{_esc(_clip(translate(cat), 38))}</text>'
        )
        for k in range(len(names)):
            v = values[k][i]
            c = colours[k % len(colours)]
            by = y + k * bar_h
            if v is None:
                parts.append(
                    f'<text x="{zero_x + 3:.1f}" y="{by + bar_h - 3}" fill="#666">–</text>'
                )
                continue
            x0 = label_w + plot_w * ((min(v, 0.0) - vmin) / span)
            w = plot_w * abs(v) / span
            parts.append(
                f'<rect x="{x0:.1f}" y="{by + 1}" width="{max(w, 0.5):.1f}" '
                f'height="{bar_h - 2}" fill="{c}"><title>{_esc(names[k])}: '
                f"{_esc(format_value(v, unit))}</title></rect>"
            )
            parts.append(
                f'<text x="{x0 + w + 4:.1f}" y="{by + bar_h - 3}">'
                f"{_esc(format_value(v, unit))}</text>"
            )
        y += group_h + gap
    parts.append(
        f'<line x1="{zero_x:.1f}" x2="{zero_x:.1f}" y1="{title_h + legend_h}" '
        f'y2="{height - 4}" stroke="#999" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: Any, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def page_html(title: str, body: str) -> str:
    """A complete page in the reports' style (title escaped; labels in the current language)."""
    return localise(  # the labels in the language of use_language (English by default)
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n"
        "</body></html>\n"
    )


#: Badge colour of a stage by its status (evaluated or optimised alike).
_BADGE = {"optimal": "ok", "feasible": "warn", "time_limit": "warn", "infeasible": "bad"}


def _stage(record: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """A record's stage (``"location"``, ``"rotation"``): its ``stages`` entry, else the bare
    solver record (older ``kpis.json``), None when the stage did not run."""
    stages = record.get("stages")
    if isinstance(stages, Mapping) and key in stages:
        return stages[key]
    return record.get("solver" if key == "location" else "rotation_solver")


def _status_badge(stage: Mapping[str, Any] | None) -> str:
    """The stage's text (:func:`netopt.solve.status.stage_text`) as a coloured badge."""
    if not stage:
        return f'<span class="muted">{_esc(NO_STAGE_TEXT)}</span>'
    status = stage.get("status")
    text = stage.get("text") or status
    return f'<span class="status {_BADGE.get(str(status), "warn")}">{_esc(text)}</span>'


def _caveat_html(records: Sequence[Mapping[str, Any]]) -> str:
    """The data caveat box: each distinct ``caveat`` of the records (with its region when the
    records have several)."""
    seen = {r["caveat"]: str(r.get("region") or "") for r in records if r.get("caveat")}
    items = [(f"{_esc(g)}: " if len(seen) > 1 else "") + _esc(t) for t, g in seen.items()]
    title = _esc(html.unescape(message("caveat.title")))
    body = "<br>".join(items)
    return f'<div class="caveat" role="note"><strong>{title}</strong>{body}</div>' if seen else ""


def _definitions(record: Mapping[str, Any]) -> Mapping[str, Mapping[str, str]]:
    return record.get("definitions") or {}


def _label_unit(key: str, defs: Mapping[str, Mapping[str, str]]) -> tuple[str, str, str]:
    """Label, unit and definition of a KPI: the record's ``definitions``, else netopt.kpis."""
    info = kpi_info(key)
    d = defs.get(key, {})
    return (
        d.get("label", info.label),
        d.get("unit", info.unit),
        d.get("definition", info.definition),
    )


def _solver_rows(record: Mapping[str, Any], key: str) -> str:
    solver = _stage(record, key)
    if not solver:
        return ""
    gap = finite_or_none(solver.get("gap"))
    return (
        f"<tr><th>{_esc(STAGE_LABELS[key])}</th><td>{_status_badge(solver)}</td>"
        f'<td class="num">{_esc(format_value(solver.get("objective")))}</td>'
        f'<td class="num">{_esc(format_value(solver.get("bound")))}</td>'
        f'<td class="num">{_esc("–" if gap is None else f"{100 * gap:.2f} %")}</td>'
        f'<td class="num">{_esc(format_value(solver.get("seconds"), "s"))}</td></tr>'
    )


def _kpi_table(record: Mapping[str, Any]) -> str:
    defs = _definitions(record)
    kpis, base = record.get("kpis", {}), record.get("baseline", {})
    rows = []
    for key in [k for k in defs if k in kpis] + [k for k in kpis if k not in defs]:
        label, unit, definition = _label_unit(key, defs)
        rows.append(
            f'<tr><td title="{_esc(definition)}">{_esc(label)}</td>'
            f'<td class="num">{_esc(format_value(kpis.get(key), unit))}</td>'
            f'<td class="num">{_esc(format_value(base.get(key), unit) if key in base else "")}</td>'
            f'<td>{_esc(unit)}</td><td class="muted">{_esc(definition)}</td></tr>'
        )
    return (
        "<table><thead><tr><th>KPI</th><th>This plan</th><th>Naive baseline</th>"
        "<th>Unit</th><th>Definition</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _baseline_chart(
    record: Mapping[str, Any], keys: Sequence[str], *, title: str, unit: str
) -> str:
    """Bar chart of those ``keys`` the record's KPIs have: this plan against the baseline."""
    defs = _definitions(record)
    kpis, base = record.get("kpis", {}), record.get("baseline", {})
    shown = [k for k in keys if k in kpis]
    return bar_chart_svg(
        [_label_unit(k, defs)[0] for k in shown],
        {
            "this plan": [kpis.get(k) for k in shown],
            "naive baseline": [base.get(k) for k in shown],
        },
        title=title,
        unit=unit,
    )


def _counts_html(record: Mapping[str, Any]) -> str:
    counts = record.get("population_counts", {})
    total = sum(finite_or_none(counts.get(k)) or 0.0 for k, _, _ in _COUNTS)
    rows = "".join(
        f'<tr><td>{_esc(label)}</td><td class="num">{_esc(format_value(counts.get(k), "people"))}'
        f'</td><td class="num">{_esc(format_value((finite_or_none(counts.get(k)) or 0) / total, "share") if total else "–")}</td></tr>'
        for k, label, _ in _COUNTS
    )
    bar = _stacked_bar(
        [(label, finite_or_none(counts.get(k)) or 0.0, c) for k, label, c in _COUNTS]
    )
    return (
        f"<table><thead><tr><th>Population</th><th>People</th><th>Share</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{bar}"
    )


def _stacked_bar(parts: Sequence[tuple[str, float, str]], width: int = 600) -> str:
    total = sum(v for _, v, _ in parts) or 1.0
    x = 0.0
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="24" role="img" '
            f'aria-label="{_esc(translate("population counts"))}">'
        )
    ]
    for label, v, c in parts:
        w = width * v / total
        out.append(
            f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="20" fill="{c}">'
            f"<title>{_esc(label)}: {_esc(format_value(v, 'people'))}</title></rect>"
        )
        x += w
    out.append("</svg>")
    return "".join(out)


def _alliances_html(record: Mapping[str, Any]) -> tuple[str, str]:
    rows = record.get("alliances") or []
    if not rows:
        return '<p class="muted">No alliances.</p>', ""
    body = "".join(
        f"<tr><td>{_esc(r.get('lead'))}</td><td>{_esc(display_name(r))}</td>"
        f'<td class="num">{_esc(format_value(r.get("members"), "people"))}</td>'
        f'<td class="num">{_esc(format_value(r.get("population"), "people"))}</td>'
        f'<td class="num">{_esc(format_value(r.get("referral_load"), "people"))}</td>'
        f'<td class="num">{_esc(format_value(r.get("referral_capacity"), "people"))}</td>'
        f'<td class="num">{_esc(format_value(r.get("utilisation"), "share"))}</td></tr>'
        for r in rows
    )
    table = (
        "<table><thead><tr><th>Lead id</th><th>Lead hospital</th><th>Members</th>"
        "<th>Population</th><th>Referrals / year</th><th>Capacity / year</th>"
        f"<th>Utilisation</th></tr></thead><tbody>{body}</tbody></table>"
    )
    names = [str(display_name(r)) for r in rows]
    chart = bar_chart_svg(
        names,
        {"population": [r.get("population") for r in rows]},
        title="Population per alliance",
        unit="people",
    )
    util = bar_chart_svg(
        names,
        {"utilisation": [r.get("utilisation") for r in rows]},
        title="Referral load / capacity",
        unit="share",
    )
    return table, chart + util


def scenario_report(
    record: Mapping[str, Any], *, map_href: str | None = "map.html", has_schedule: bool = False
) -> str:
    """Return the HTML of one scenario's report.

    Parameters
    ----------
    record : mapping
        The scenario's ``kpis.json`` record (:meth:`netopt.scenario.Result.record`).
    map_href : str or None, keyword-only
        Relative link to the scenario's map (None: no link).
    has_schedule : bool, keyword-only
        Link ``schedule.csv`` and the ``ics/`` calendars.

    Returns
    -------
    str
        A complete, self-contained HTML page.
    """
    title = record.get("title") or record.get("scenario", "scenario")
    leads = ", ".join(
        f"{_esc(display_name(lead))} ({_esc(lead.get('id'))})" for lead in record.get("leads", [])
    )
    links = [
        ("plan.gpkg", "GeoPackage"),
        ("assignments.csv", "assignments"),
        ("alliances.csv", "alliances"),
        ("capacity_moves.csv", "moves for the beds to hold"),
        ("cut_off.csv", "cut-off zones"),
        ("kpis.json", "KPIs (JSON)"),
    ]
    if has_schedule:
        links += [("schedule.csv", "rotation schedule"), ("ics/", "calendars (.ics)")]
    nav = "".join(f'<a href="{_esc(h)}">{_esc(t)}</a>' for h, t in links)
    if map_href:
        nav = f'<a href="{_esc(map_href)}"><strong>Open the map</strong></a>' + nav
    msg_html = notes_html(record)  # notes and grouped warnings, in the page's language
    time_chart = _baseline_chart(
        record,
        ("mean_primary_min", "mean_lead_min", "p90_lead_min", "mean_lead_min_island"),
        title="Travel time (minutes)",
        unit="min",
    )
    share_chart = _baseline_chart(
        record,
        ("share_lead_30min", "share_lead_60min", "in_area_share", "grassroots_share"),
        title="Shares of the population or of visits",
        unit="share",
    )
    alliance_table, alliance_charts = _alliances_html(record)
    body = f"""
<h1>{_esc(title)}</h1>
<p class="muted">Scenario <code>{_esc(record.get("scenario"))}</code> · region {_esc(record.get("region"))}</p>
{_caveat_html([record])}
<p>{_esc(record.get("description"))}</p>
<nav>{nav}</nav>
<h2>Plan</h2>
<p>{len(record.get("leads", []))} alliance(s) led by {leads or "–"}.</p>
<table><thead><tr><th>Model</th><th>Status</th><th>Objective</th><th>Bound</th><th>Gap</th>
<th>Seconds</th></tr></thead><tbody>{_solver_rows(record, "location")}
{_solver_rows(record, "rotation")}</tbody></table>
{msg_html}
<h2>Who is served</h2>
{_counts_html(record)}
<h2>Key figures against the naive baseline</h2>
<p class="muted">Naive baseline: every resident referred to the nearest lead-capable hospital,
no travel limit, no capacity limit.</p>
<div class="charts"><figure>{time_chart}</figure><figure>{share_chart}</figure></div>
{_kpi_table(record)}
<h2>Alliances</h2>
<div class="charts"><figure>{alliance_charts}</figure></div>
{alliance_table}
{care_section(record)}
{pathway_section(record)}
{hosting_section(record)}
{cost_section(record)}
"""
    return page_html(f"netopt: {title}", body)


def _change_html(row: pd.Series, name: str, unit: str) -> str:
    """The change of one scenario from the reference, with an arrow and its verdict in words."""
    change = finite_or_none(row.get(f"change_{name}"))
    if change is None:
        return ""
    verdict = str(row.get(f"verdict_{name}", "") or "")
    arrow = "▲ " if change > 0 else "▼ " if change < 0 else ""
    word = f" {translate(verdict)}" if verdict else ""
    cls = f"change {verdict}" if verdict else "change muted"
    return f'<span class="{cls}">{arrow}{_esc(format_change(change, unit))}{_esc(word)}</span>'


def comparison_report(
    records: Sequence[Mapping[str, Any]],
    table: pd.DataFrame,
    *,
    links: Mapping[str, str] | None = None,
    map_href: str | None = None,
) -> str:
    """Return the HTML of the side-by-side comparison of several scenarios.

    Parameters
    ----------
    records : sequence of mapping
        The scenarios' ``kpis.json`` records (:meth:`netopt.scenario.Result.record`), in
        column order.
    table : pandas.DataFrame
        :func:`netopt.scenario.compare` of the same scenarios. Its ``better`` column shows
        as each KPI's direction ("lower is better"), and its ``change_<name>`` and
        ``verdict_<name>`` columns under each value, with an arrow (▲ up, ▼ down) and the
        verdict in words, coloured green (``class="better"``) or red (``"worse"``).
    links : mapping of str to str, keyword-only, optional
        Scenario name to the relative link of its report.
    map_href : str or None, keyword-only
        Relative link to the side-by-side map.

    Returns
    -------
    str
        A complete, self-contained HTML page.
    """
    links = dict(links or {})
    names = [s["scenario"] for s in records]
    titles = {s["scenario"]: s.get("title") or s["scenario"] for s in records}
    reference = [n for n in names if f"change_{n}" not in table.columns]
    ref_text = (
        f" Changes are against <strong>{_esc(titles[reference[0]])}</strong>."
        if len(reference) == 1 and len(names) > 1
        else ""
    )
    head = "".join(
        f'<th><a href="{_esc(links[n])}">{_esc(titles[n])}</a></th>'
        if n in links
        else f"<th>{_esc(titles[n])}</th>"
        for n in names
    )
    leads = "".join(
        "<td>" + ", ".join(_esc(x.get("id")) for x in s.get("leads", [])) + "</td>" for s in records
    )
    rows = [
        f'<tr class="stage"><th>{_esc(label)}: status</th><td></td><td></td>'
        + "".join(f"<td>{_status_badge(_stage(s, key))}</td>" for s in records)
        + "</tr>"
        for key, label in STAGE_LABELS.items()
        if key == "location" or any(_stage(s, key) for s in records)
    ]
    rows.append(f"<tr><th>Leads</th><td></td><td></td>{leads}</tr>")
    for key, row in table.iterrows():
        unit = str(row["unit"])
        cells = "".join(
            f'<td class="num">{_esc(format_value(row[n], unit))}{_change_html(row, n, unit)}</td>'
            for n in names
        )
        direction = _DIRECTION_TEXT.get(str(row.get("better", "")), "")
        rows.append(
            f'<tr><td title="{_esc(key)}">{_esc(row["label"])}</td>'
            f"<td>{_esc(unit)}</td><td>{_esc(direction)}</td>{cells}</tr>"
        )
    charts = []
    for key in (k.key for k in kpis_in("chart")):
        if key not in table.index:
            continue
        row = table.loc[key]
        series = {"scenario": [row[n] for n in names]}
        bkey = f"baseline_{key}"
        if bkey in table.index:
            series["naive baseline"] = [table.loc[bkey, n] for n in names]
        charts.append(
            "<figure>"
            + bar_chart_svg(
                [titles[n] for n in names], series, title=str(row["label"]), unit=str(row["unit"])
            )
            + "</figure>"
        )
    counts = "".join(
        f"<p><strong>{_esc(titles[s['scenario']])}</strong></p>"
        + _stacked_bar(
            [
                (label, finite_or_none(s.get("population_counts", {}).get(k)) or 0.0, c)
                for k, label, c in _COUNTS
            ]
        )
        for s in records
    )
    legend = " ".join(f'<span style="color:{c}">■</span> {_esc(label)}' for _, label, c in _COUNTS)
    nav = (
        f'<nav><a href="{_esc(map_href)}"><strong>Open the side-by-side map</strong></a></nav>'
        if map_href
        else ""
    )
    body = f"""
<h1>Scenario comparison</h1>
<p class="muted">{len(names)} scenario(s); click a scenario for its full report.{ref_text}</p>
{_caveat_html(records)}
{nav}
<h2>Key figures</h2>
<table><thead><tr><th>KPI</th><th>Unit</th><th>Direction</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>Charts</h2>
<div class="charts">{"".join(charts)}</div>
<h2>Who is served</h2>
<p>{legend}</p>
{counts}
"""
    return page_html("netopt: scenario comparison", body)
