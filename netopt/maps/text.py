"""Text for the page: HTML escaping, number formatting, popups and JSON safe inside ``<script>``.

Every text that comes from data (names, ids, specialties) passes :func:`esc` in Python before
it reaches the page, and all data is embedded with :func:`js_json` (``<``, ``>`` and ``&``
escaped), so a facility named ``<img src=x onerror=alert(1)>`` is shown as text.

Every user-facing label of the pages is in one message catalogue per language
(:mod:`netopt.maps.i18n`, re-exported here): :data:`MESSAGES` (English), ``locale/<lang>.json``
(the others), read through :func:`message` in the language :func:`use_language` set.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

from netopt.maps.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    MESSAGES,
    catalogue,
    chosen_language,
    current_language,
    localise,
    message,
    note_text,
    translate,
    use_language,
)

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "MESSAGES",
    "catalogue",
    "chosen_language",
    "current_language",
    "data_caveat",
    "esc",
    "js_json",
    "localise",
    "message",
    "minutes_text",
    "note_text",
    "num",
    "popup",
    "table",
    "translate",
    "use_language",
]


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
        return message("value.unreachable")
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
