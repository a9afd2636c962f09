"""The *Where care happens* section of a scenario report, from its ``kpis.json`` record.

:func:`care_section` reads only the record (``record["flows"]`` and ``record["kpis"]``,
:func:`netopt.scenario.flow_outputs.flow_record`), so a report rebuilt from a saved output
folder shows it too: a table per township (beds and doctors per 1,000 within reach, the shares
of visits inside the county and at grassroots level, the share of needs within reach in time,
and the county's figures), the upgrades to county medical sub-centres with their ESTIMATED
cost, and the upgrade model's status, gap and target shortfalls. Every label is a message
(:mod:`netopt.maps.i18n`) in the language in use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from netopt.maps.flow_tables import ACCESS_CATCHMENT_MIN
from netopt.maps.text import esc, message, num, translate

__all__ = ["care_section"]

#: The township table's columns: key of an ``access`` row, kind of value.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("population", "count"),
    ("beds_per_1000", "rate"),
    ("doctors_per_1000", "rate"),
    ("in_area_share", "share"),
    ("grassroots_share", "share"),
    ("share_timely_care", "share"),
)


def _value(value: Any, kind: str) -> str:
    """A cell's text: a share as a percentage, a rate with one decimal, a count whole."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "&ndash;"
    if not math.isfinite(x):
        return "&ndash;"
    if kind == "share":
        return num(100 * x, ".1f", " %")
    return num(x, ".1f" if kind == "rate" else ",.0f")


def _number(value: Any) -> float:
    """A finite number, else 0 (missing or NaN cells count as nothing)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return 0.0
    return x if math.isfinite(x) else 0.0


def _headers(minutes: str) -> list[str]:
    return [
        message("page.township"),
        message("page.residents"),
        message("page.beds_1000", minutes=minutes),
        message("page.doctors_1000", minutes=minutes),
        *(message(f"kpi.{k}") for k in ("in_area_share", "grassroots_share", "share_timely_care")),
    ]


def _cells(values: Mapping[str, Any]) -> str:
    return "".join(f'<td class="num">{_value(values.get(k), kind)}</td>' for k, kind in _COLUMNS)


def _township_table(rows: Sequence[Mapping[str, Any]], kpis: Mapping[str, Any]) -> str:
    minutes = num(ACCESS_CATCHMENT_MIN, ".0f")
    head = "".join(f"<th>{h}</th>" for h in _headers(minutes))
    body = "".join(f"<tr><td>{esc(r.get('township'))}</td>{_cells(r)}</tr>" for r in rows)
    county = {k: kpis.get(k) for k, _ in _COLUMNS[3:]}
    county["population"] = sum(_number(r.get("population")) for r in rows)
    for key in ("beds_per_1000", "doctors_per_1000"):  # population-weighted, as per township
        weighted = sum(_number(r.get("population")) * _number(r.get(key)) for r in rows)
        county[key] = weighted / county["population"] if county["population"] > 0 else None
    total = f"<tr><th>{message('page.county')}</th>{_cells(county)}</tr>"
    note = message("page.access_note", minutes=minutes)
    return (
        f'<table class="netopt-townships"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f'<tfoot>{total}</tfoot></table><p class="muted">{note}</p>'
    )


def _upgrades_html(flows: Mapping[str, Any]) -> str:
    rows = [r for r in flows.get("upgrades") or [] if isinstance(r, Mapping)]
    upgraded = [str(u) for u in flows.get("upgraded") or []]
    parts = [f"<h3>{message('page.upgrades')}</h3>"]
    if not rows and upgraded:  # a record without the upgrades table: the ids only
        ids = esc(", ".join(upgraded))
        parts.append(f"<p><strong>{message('page.upgraded_ids', ids=ids)}</strong></p>")
    if rows:
        head = "".join(
            f"<th>{message(k)}</th>"
            for k in (
                "page.facility",
                "page.township",
                "page.beds",
                "page.upgrade_beds",
                "page.upgrade_cost",
                "page.upgraded",
            )
        )
        body = "".join(
            f"<tr><td>{esc(r.get('name') or r.get('facility'))} "
            f"<small>({esc(r.get('facility'))})</small></td><td>{esc(r.get('township'))}</td>"
            f'<td class="num">{_value(r.get("beds"), "count")}</td>'
            f'<td class="num">{_value(r.get("upgrade_beds"), "count")}</td>'
            f'<td class="num">{_value(r.get("upgrade_cost_yuan"), "count")}</td>'
            f"<td>{message('page.yes' if r.get('upgraded') else 'page.no')}</td></tr>"
            for r in rows
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    chosen = [r for r in rows if r.get("upgraded")]
    if chosen:
        costs = [r.get("upgrade_cost_yuan") for r in chosen]
        known = [float(c) for c in costs if isinstance(c, (int, float)) and math.isfinite(c)]
        cost = num(sum(known), ",.0f") if known else "&ndash;"
        parts.append(f"<p><strong>{message('page.upgrade_total', cost=cost)}</strong></p>")
    elif not upgraded:
        parts.append(f'<p class="muted">{message("page.no_upgrades")}</p>')
    solver = flows.get("upgrade_solver")
    if solver:
        parts.append(_solver_html(solver))
    return "".join(parts)


def _solver_html(solver: Mapping[str, Any]) -> str:
    status = str(solver.get("status") or "")
    gap = solver.get("gap")
    gap_text = _value(gap, "share") if gap is not None else "&ndash;"
    objective = _value(solver.get("objective"), "count")
    line = message(
        "page.upgrade_status",
        status=esc(translate(status.replace("_", " "))),
        gap=gap_text,
        objective=objective,
    )
    targets = dict(solver.get("targets") or {})
    shortfalls = dict(solver.get("shortfalls") or {})
    out = f"<p>{line}</p>"
    if solver.get("message"):
        parts = str(solver["message"]).split("; ")  # translated part by part (solve.* keys)
        out += f'<p class="muted">{esc("; ".join(translate(part) for part in parts))}</p>'
    if targets:
        head = "".join(
            f"<th>{message(k)}</th>" for k in ("page.target", "page.target_value", "page.shortfall")
        )
        body = ""
        for key, share in targets.items():
            short = shortfalls.get(key)
            missed = isinstance(short, (int, float)) and short > 1e-6
            short_text = num(100 * short, ".2f") if missed else message("page.target_met")
            body += (
                f"<tr><td>{message(f'kpi.{key}')}</td>"
                f'<td class="num">{_value(share, "share")}</td>'
                f'<td class="num">{short_text}</td></tr>'
            )
        out += f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return out


def care_section(record: Mapping[str, Any]) -> str:
    """Return the report's *Where care happens* section ('' for a record without flows).

    Parameters
    ----------
    record : mapping
        A scenario's ``kpis.json`` record; reads ``flows`` (``access`` rows per township,
        ``upgrades`` (the rows of ``upgrades.csv``, when the record has them; else the
        ``upgraded`` ids), ``upgrade_solver``) and ``kpis`` (the county's
        ``in_area_share``, ``grassroots_share``, ``share_timely_care``).

    Returns
    -------
    str
        HTML: a heading, what the shares mean, the township table and the upgrades.
    """
    flows = record.get("flows")
    if not isinstance(flows, Mapping):
        return ""
    rows = [r for r in flows.get("access") or [] if isinstance(r, Mapping)]
    kpis = record.get("kpis") or {}
    return (
        f'<h2 id="care">{message("page.care")}</h2>'
        f"<p>{message('page.care_note')}</p>"
        + (_township_table(rows, kpis) if rows else "")
        + _upgrades_html(flows)
    )
