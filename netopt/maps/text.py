"""Text for the page: HTML escaping, number formatting, popups and JSON safe inside ``<script>``.

Every text that comes from data (names, ids, specialties) passes :func:`esc` in Python before
it reaches the page, and all data is embedded with :func:`js_json` (``<``, ``>`` and ``&``
escaped), so a facility named ``<img src=x onerror=alert(1)>`` is shown as text.

The labels of the network state (closed ferries, new links), the data caveat and the panel
controls are in one message catalogue, :data:`MESSAGES`, read through :func:`message`; the
reports (:mod:`netopt.report`) read the caveat's labels from it too.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

__all__ = [
    "MESSAGES",
    "data_caveat",
    "esc",
    "js_json",
    "message",
    "minutes_text",
    "num",
    "popup",
    "table",
]

#: User-facing labels, keyed by purpose: the one place to reword or translate them. Values
#: are HTML; ``{name}`` fields are filled by :func:`message` with text the caller escaped.
MESSAGES: dict[str, str] = {
    "caveat.title": "Data caveat",
    "caveat.estimated": (
        "Estimated data: {parts} are estimated, not surveyed; read the results as "
        "indicative, not as measured."
    ),
    "caveat.ferries": "the times of {n} of {total} ferry routes",
    "caveat.links": "the times of {n} of {total} bridges and links",
    "panel.hide": "Hide",
    "panel.show": "Show",
    "panel.hide_title": "Hide the key figures",
    "panel.show_title": "Show the key figures",
    "layer.ferries": "Ferry routes",
    "layer.ferries_stopped": "Ferry routes not running",
    "layer.new_links": "New links (scenario)",
    "layer.closed_links": "Links closed",
    "legend.ferry": "ferry route",
    "legend.ferry_closed": "ferry route closed in this scenario",
    "legend.ferry_night": "ferry route not running (night)",
    "legend.ferry_ended": "ferry route, no departure left at {clock}",
    "legend.new_link": "new link added by the scenario",
    "legend.link_closed": "bridge or link closed in this scenario",
    "ferry.state": "State",
    "ferry.open": "running",
    "ferry.changed": "running, service changed by the scenario",
    "ferry.closed": "closed in this scenario",
    "ferry.night": "not running: night (until the first morning departure)",
    "ferry.ended": "not running: no departure left at {clock}",
    "ferry.closed_for": "Closed for",
    "ferry.reopen_wait": "Expected wait until it runs again",
    "ferry.fallback": "{wait}, or the {name} when it can go",
    "ferry.headway": "Service",
    "ferry.every": "every {minutes}",
    "ferry.timetable": "{n} departures a day (timetable)",
    "ferry.was": "{now} (region: {before})",
    "ferry.added": "Extra departures",
    "ferry.added_text": "{times} (added by the scenario)",
    "ferry.estimated": "times estimated",
    "link.title": "New link: {name}",
    "link.travel": "Travel time",
    "link.added": "added by the scenario",
    "link.closed": "closed in this scenario",
    "link.closed_title": "Link: {name}",
    "network.title": "Network",
    "network.closed": "{n} ferry route(s) closed",
    "network.night": "night: ferries not running",
    "network.ended": "{n} ferry route(s) without a departure left at {clock}",
    "network.links": "{n} new link(s)",
    "network.closed_links": "{n} bridge(s) or link(s) closed",
    "network.changed": "{n} ferry timetable(s) changed",
    "network.emergency": "emergency trips (priority boarding, faster roads)",
    "network.clock": "clock at the ports {clock}",
}


def message(key: str, **fields: str) -> str:
    """Return the catalogue's text for ``key`` (:data:`MESSAGES`), its fields filled in.

    Parameters
    ----------
    key : str
        A key of :data:`MESSAGES`.
    **fields : str
        Values for the ``{name}`` fields, already HTML (escape data text with :func:`esc`).

    Returns
    -------
    str

    Examples
    --------
    >>> message("network.links", n="2")
    '2 new link(s)'
    """
    return MESSAGES[key].format(**fields)


def minutes_text(value: float | None) -> str:
    """Format a duration in minutes: ``"45 min"``, ``"12 h 5 min"``; None or NaN: an en dash.

    Parameters
    ----------
    value : float or None

    Returns
    -------
    str

    Examples
    --------
    >>> minutes_text(725)
    '12 h 5 min'
    """
    if value is None:
        return "&ndash;"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "&ndash;"
    if not math.isfinite(v):
        return num(v)
    if v < 120:
        return f"{v:.0f} min"
    h, m = divmod(round(v), 60)
    return f"{h} h {m} min" if m else f"{h} h"


def esc(value: Any) -> str:
    """HTML-escape any value for the page (None and NaN become an en dash).

    Parameters
    ----------
    value : any

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    return html.escape(str(value), quote=True)


def num(value: Any, fmt: str = ",.0f", unit: str = "") -> str:
    """Format a number for the page: ``fmt`` plus ``unit``; NaN or text: an en dash.

    Parameters
    ----------
    value : any
        A number (or something ``float`` accepts).
    fmt : str
        Format specification, default ``",.0f"``.
    unit : str
        Appended as is (already HTML).

    Returns
    -------
    str
        ``"unreachable"`` for infinity.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "&ndash;"
    if math.isnan(v):
        return "&ndash;"
    if math.isinf(v):
        return "unreachable"
    return f"{v:{fmt}}{unit}"


def js_json(obj: Any) -> str:
    """Return JSON for embedding inside ``<script>``: compact, with ``<``, ``>``, ``&`` escaped.

    Parameters
    ----------
    obj : any
        JSON-serialisable, without NaN.

    Returns
    -------
    str
    """
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def table(rows: Iterable[tuple[str, str]]) -> str:
    """Rows of (escaped label, escaped value) as an HTML table.

    Parameters
    ----------
    rows : iterable of (str, str)

    Returns
    -------
    str
    """
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def popup(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """A popup's HTML: an escaped title over a table of escaped rows.

    Parameters
    ----------
    title : str
    rows : iterable of (str, str)

    Returns
    -------
    str
    """
    return f'<div class="netopt-popup"><h4>{title}</h4>{table(rows)}</div>'


def data_caveat(region: Any) -> str | None:
    """Return the data caveat every map and report of a region shows (plain text), or None.

    The region's own caveat (region.toml ``caveat``, :attr:`netopt.region.Region.caveat`);
    without one, a generic caveat naming what the region's tables flag as ``estimated``
    (ferry and link times); None when nothing is flagged.

    Parameters
    ----------
    region : netopt.region.Region

    Returns
    -------
    str or None
    """
    text = getattr(region, "caveat", None)
    if isinstance(text, str) and text.strip():
        return text.strip()
    parts = []
    for layer, key in (("ferries", "caveat.ferries"), ("links", "caveat.links")):
        frame = getattr(region, layer, None)
        if frame is None or len(frame) == 0 or "estimated" not in frame:
            continue
        n = int(frame["estimated"].fillna(False).astype(bool).sum())
        if n:
            parts.append(message(key, n=str(n), total=str(len(frame))))
    if not parts:
        return None
    return message("caveat.estimated", parts=" and ".join(parts))
