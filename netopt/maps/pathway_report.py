"""The *Time-critical care* section of a scenario report, from its ``kpis.json`` record.

:func:`pathway_section` reads only the record (``pathways``, ``pathway_places`` and
``siting``, :mod:`netopt.scenario.pathway_outputs`), so a report rebuilt from a saved output
folder shows it too: per condition its window (flagged ESTIMATE where the window is a
planning assumption, its source in the cell's title), the share of all residents treated in
time by day and by night, the median minutes and the residents not in time; the places with
residents not in time (the largest first, :data:`MAX_PLACES` rows); and where a
``[pathways.siting]`` put a new centre, with each candidate's residents in time. Every label
is a message (:mod:`netopt.maps.i18n`) in the language in use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from netopt.maps.pathway_layers import condition_name
from netopt.maps.text import esc, message, num, translate

__all__ = ["MAX_PLACES", "pathway_section"]

#: Rows of the places table (the rest are in ``kpis.json``).
MAX_PLACES = 15
_PERIODS = ("day", "night")


def _float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _share(value: Any) -> str:
    x = _float(value)
    return "&ndash;" if x is None else num(100 * x, ".1f", " %")


def _count(value: Any) -> str:
    x = _float(value)
    return "&ndash;" if x is None else num(x, ",.0f")


def _by(record: Mapping[str, Any], key: str, period: str) -> Any:
    values = record.get(key)
    return values.get(period) if isinstance(values, Mapping) else None


def _name(key: str, conditions: Mapping[str, Any]) -> str:
    info = conditions.get(key)
    return condition_name(key, info.get("label") if isinstance(info, Mapping) else None)


def _conditions_table(conditions: Mapping[str, Any]) -> str:
    keys = ("condition", "window", "in_time_day", "in_time_night", "median_day", "median_night")
    head = "".join(f"<th>{message(f'page.{k}')}</th>" for k in (*keys, "late_day", "late_night"))
    body = ""
    for key, c in conditions.items():
        if not isinstance(c, Mapping):
            continue
        window = _count(c.get("window_min"))
        if c.get("estimated"):
            window += f' <strong class="netopt-estimate">{message("page.estimate")}</strong>'
        cells = [f'<td title="{esc(c.get("source") or "")}">{window}</td>']
        cells += [f'<td class="num">{_share(_by(c, "share_in_time", p))}</td>' for p in _PERIODS]
        cells += [f'<td class="num">{_count(_by(c, "median_min", p))}</td>' for p in _PERIODS]
        cells += [
            f'<td class="num">{_count(_by(c, "population_not_in_time", p))}</td>' for p in _PERIODS
        ]
        body += f"<tr><td>{_name(key, conditions)}</td>{''.join(cells)}</tr>"
    return (
        f'<table class="netopt-pathways"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _places_table(places: list[Mapping[str, Any]], conditions: Mapping[str, Any]) -> str:
    late = [p for p in places if (_float(p.get("population_not_in_time")) or 0) > 0]
    if not late:
        return f'<p class="muted">{message("page.no_late")}</p>'
    late.sort(key=lambda p: -(_float(p.get("population_not_in_time")) or 0))
    head = "".join(
        f"<th>{message(k)}</th>"
        for k in (
            "page.condition",
            "page.period",
            "page.island",
            "page.township",
            "page.residents",
            "page.late",
            "page.share",
            "page.max_min",
        )
    )
    body = "".join(
        f"<tr><td>{_name(str(p.get('condition')), conditions)}</td>"
        f"<td>{_period(p.get('period'))}</td><td>{esc(translate(str(p.get('island') or '')))}</td>"
        f"<td>{esc(p.get('township') or '')}</td>"
        f'<td class="num">{_count(p.get("population"))}</td>'
        f'<td class="num">{_count(p.get("population_not_in_time"))}</td>'
        f'<td class="num">{_share(p.get("share_in_time"))}</td>'
        f'<td class="num">{_count(p.get("max_min"))}</td></tr>'
        for p in late[:MAX_PLACES]
    )
    more = len(late) - MAX_PLACES
    note = f'<p class="muted">{message("page.places_more", n=str(more))}</p>' if more > 0 else ""
    return (
        f'<table class="netopt-pathway-places"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{note}"
    )


def _period(value: Any) -> str:
    return message(f"pathway.{value}") if value in _PERIODS else esc(value)


def _siting_html(siting: Mapping[str, Any], conditions: Mapping[str, Any]) -> str:
    question = siting.get("siting") or {}
    cond = str(question.get("condition") or "")
    chosen = esc(", ".join(str(c) for c in siting.get("chosen") or []) or "–")
    caps = esc(" + ".join(str(c) for c in siting.get("capabilities") or []))
    gap = _float(siting.get("gap"))
    parts = [
        f"<h3>{message('page.siting')}</h3>",
        "<p><strong>"
        + message(
            "page.siting_chosen",
            chosen=chosen,
            capabilities=caps,
            condition=_name(cond, conditions),
        )
        + "</strong></p>",
        "<p>"
        + message(
            "page.siting_status",
            objective=esc(question.get("objective") or ""),
            status=esc(translate(str(siting.get("status") or "").replace("_", " "))),
            gap="&ndash;" if gap is None else num(100 * gap, ".2f", " %"),
            value=_count(siting.get("objective")),
            population=_count(siting.get("population")),
        )
        + "</p>",
    ]
    rows = [r for r in siting.get("candidates") or [] if isinstance(r, Mapping)]
    if rows:
        keys = ("page.facility", "page.existing", "page.chosen")
        head = "".join(f"<th>{message(k)}</th>" for k in keys)
        periods = [p for p in _PERIODS if any(f"in_time_{p}" in r for r in rows)]
        head += "".join(f"<th>{message(f'page.in_time_with_{p}')}</th>" for p in periods)
        fid = next((k for k in ("facility", "index", "facility_id") if k in rows[0]), None)

        def yes(v: Any) -> str:
            return message("page.yes" if bool(v) else "page.no")

        body = "".join(
            f"<tr><td>{esc(r.get(fid) if fid else '')}</td><td>{yes(r.get('existing'))}</td>"
            f"<td>{yes(r.get('chosen'))}</td>"
            + "".join(f'<td class="num">{_count(r.get(f"in_time_{p}"))}</td>' for p in periods)
            + "</tr>"
            for r in rows
        )
        parts.append(
            f'<table class="netopt-siting"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    return "".join(parts)


def pathway_section(record: Mapping[str, Any]) -> str:
    """Return the report's *Time-critical care* section ('' for a record without pathways).

    Parameters
    ----------
    record : mapping
        A scenario's ``kpis.json`` record; reads ``pathways`` (condition -> ``label``,
        ``window_min``, ``source``, ``estimated``, ``share_in_time``, ``median_min``,
        ``population_not_in_time``, each by ``"day"`` and ``"night"``), ``pathway_places``
        and ``siting``.

    Returns
    -------
    str
        HTML: a heading, what the shares mean, the conditions table, the places not in
        time and the siting.
    """
    conditions = record.get("pathways")
    if not isinstance(conditions, Mapping) or not conditions:
        return ""
    places = [p for p in record.get("pathway_places") or [] if isinstance(p, Mapping)]
    siting = record.get("siting")
    return (
        f'<h2 id="pathways">{message("page.pathways")}</h2>'
        f"<p>{message('page.pathways_note')}</p>"
        + _conditions_table(conditions)
        + f"<h3>{message('page.pathway_places')}</h3>"
        + _places_table(places, conditions)
        + (_siting_html(siting, conditions) if isinstance(siting, Mapping) else "")
    )
