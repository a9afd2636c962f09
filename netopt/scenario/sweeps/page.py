"""The summary page of a sweep: :func:`sweep_page` (self-contained HTML, inline SVG charts,
no script and nothing fetched), in the base scenario's page language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from netopt.kpis import KPIS, kpi_info
from netopt.maps.text import esc, message
from netopt.report import bar_chart_svg, format_value, page_html
from netopt.scenario.sweeps.spec import SweepSpec

__all__ = ["MAX_CHARTS", "sweep_page"]

#: Charts drawn at most: the KPIs that differ between cells, in the order of KPIS.
MAX_CHARTS = 16


def _varying(records: Sequence[dict[str, Any]]) -> list[str]:
    """KPIs with a value in some cell that differ between the finished cells."""
    done = [r for r in records if r.get("status") == "done"]
    keys = list(dict.fromkeys(k for r in done for k in r.get("kpis", {})))
    order = {k.key: i for i, k in enumerate(KPIS)}
    out = []
    for key in sorted(keys, key=lambda k: (order.get(k, len(order)), k)):
        values = np.array([r["kpis"].get(key, math.nan) for r in done], dtype=float)
        finite = values[np.isfinite(values)]
        if len(finite) and (
            len(finite) < len(values) or np.ptp(finite) > 1e-12 * max(1, abs(finite).max())
        ):
            out.append(key)
    return out


def _cells_table(records: Sequence[dict[str, Any]], shown: list[str]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in (message("sweep.cell"), message("sweep.changes"),
                                                   message("sweep.status"), message("sweep.seconds")))  # fmt: skip
    head += "".join(f"<th>{esc(kpi_info(k).label)}</th>" for k in shown)
    rows = []
    for r in records:
        ok = r.get("status") == "done"
        badge = "ok" if ok else "bad"
        status = message("sweep.done") if ok else message("sweep.error")
        cells = [f"<td>{esc(r['name'])}</td>", f"<td>{esc(r.get('label', ''))}</td>",
                 f'<td><span class="status {badge}">{esc(status)}</span></td>',
                 f'<td class="num">{float(r.get("seconds", math.nan)):.1f}</td>']  # fmt: skip
        for k in shown:
            v = r.get("kpis", {}).get(k)
            cells.append(f'<td class="num">{esc(format_value(v, kpi_info(k).unit))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def sweep_page(spec: SweepSpec, records: Sequence[dict[str, Any]], *, reused: int = 0) -> str:
    """Return the HTML of a sweep's summary: its cells, their status, and a chart per KPI
    that differs between them.

    Parameters
    ----------
    spec : SweepSpec
    records : sequence of dict
        The cells' records, in cell order.
    reused : int, default 0
        How many cells were reused from an earlier run (said on the page).

    Returns
    -------
    str
        A complete, self-contained page (every text escaped).
    """
    varying = _varying(records)
    done = [r for r in records if r.get("status") == "done"]
    failed = [r for r in records if r.get("status") != "done"]
    parts = [f"<h1>{esc(spec.label)}</h1>"]
    if spec.description:
        parts.append(f"<p>{esc(spec.description)}</p>")
    parts.append("<p class=\"muted\">" + message(
        "sweep.summary", n=str(len(records)), done=str(len(done)), failed=str(len(failed)),
        reused=str(reused), base=esc(spec.base.name)) + "</p>")  # fmt: skip
    if failed:
        items = "".join(f"<li><strong>{esc(r['name'])}</strong> ({esc(r.get('label', ''))}): "
                        f"{esc(r.get('error', ''))}</li>" for r in failed)  # fmt: skip
        parts.append(f'<h2>{esc(message("sweep.failed"))}</h2><ul class="msg">{items}</ul>')
    parts.append(f"<h2>{esc(message('sweep.cells'))}</h2>")
    parts.append(_cells_table(records, varying[:6]))
    if varying:
        parts.append(f'<h2>{esc(message("sweep.charts"))}</h2><div class="charts">')
        labels = [f"{r['name']}: {r.get('label', '')}" for r in done]
        for key in varying[:MAX_CHARTS]:
            info = kpi_info(key)
            values = [r["kpis"].get(key) for r in done]
            svg = bar_chart_svg(labels, {info.label: values}, title=info.label, unit=info.unit)
            parts.append(f"<figure>{svg}<figcaption>{esc(info.definition)}</figcaption></figure>")
        parts.append("</div>")
    else:
        parts.append(f"<p>{esc(message('sweep.no_change'))}</p>")
    return page_html(spec.label, "\n".join(parts))
