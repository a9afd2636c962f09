"""Text for the page: HTML escaping, number formatting, popups and JSON safe inside ``<script>``.

Every text that comes from data (names, ids, specialties) passes :func:`esc` in Python before
it reaches the page, and all data is embedded with :func:`js_json` (``<``, ``>`` and ``&``
escaped), so a facility named ``<img src=x onerror=alert(1)>`` is shown as text.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

__all__ = ["esc", "js_json", "num", "popup", "table"]


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
