"""The report's notes and warnings in the page's language.

:func:`notes_html` renders a ``kpis.json`` record's plan notes (its ``notes``: catalogue keys
and fields, :class:`netopt._notes.Note`; an older record's English ``messages``) and the
run's warnings grouped by cause (its ``warnings``, :mod:`netopt._warning_groups`: one line
per cause with a count and the first examples), each in the language :func:`use_language`
set, as the "Notes" and "Warnings" sections of ``report.html``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from netopt._warning_groups import group_text
from netopt.maps.text import current_language, esc, message, note_text

__all__ = ["display_name", "notes_html", "warning_lines"]


def display_name(row: Mapping[str, Any]) -> Any:
    """A facility's name on the page: its ``name_zh`` on Chinese pages where the record has
    one (``leads`` and ``alliances`` of ``kpis.json``), else its ``name`` (else its id).

    Parameters
    ----------
    row : mapping
        A lead (``id``, ``name``, ``name_zh``) or an alliance (``lead``, ``name``, ``name_zh``).

    Returns
    -------
    str
    """
    zh = row.get("name_zh")
    if current_language() == "zh" and isinstance(zh, str) and zh:
        return zh
    return row.get("name") or row.get("id") or row.get("lead")


def _plain(key: str, **fields: str) -> str:
    return html.unescape(message(key, **{k: html.escape(v) for k, v in fields.items()}))


def warning_lines(record: Mapping[str, Any]) -> list[str]:
    """Return the run's warnings, one plain-text line per cause, in the page's language.

    Parameters
    ----------
    record : mapping
        A ``kpis.json`` record.

    Returns
    -------
    list of str
        E.g. ``"rotation shortfall: 202 times, first: ..."`` (``"巡诊次数不足：202 次，例如：..."``).
    """
    return [
        group_text(g, text=note_text, message=_plain)
        for g in record.get("warnings") or []
        if isinstance(g, Mapping)
    ]


def _noted(group: Any, shown: set[str]) -> bool:
    """True for a warning that is one of the notes shown (planners log their notes)."""
    if not isinstance(group, Mapping) or group.get("cause") is not None:
        return False
    example = (group.get("examples") or [None])[0]
    text = example.get("text") if isinstance(example, Mapping) else example
    return str(text) in shown


def notes_html(record: Mapping[str, Any]) -> str:
    """Return the "Notes" and "Warnings" sections of a scenario report (empty without them).

    A warning that is one of the notes (planners log their notes as warnings) is not repeated
    under "Warnings".

    Parameters
    ----------
    record : mapping
        A ``kpis.json`` record (``notes``, else ``messages``; ``warnings``).

    Returns
    -------
    str
        HTML; every text escaped.
    """
    notes = record.get("notes")
    if notes is None:
        notes = record.get("messages") or []
    out = ""
    if notes:
        items = "".join(f"<li>{esc(note_text(n))}</li>" for n in notes)
        out += f'<h2>{message("page.notes")}</h2><ul class="msg">{items}</ul>'
    shown = {str(n.get("text") if isinstance(n, Mapping) else n) for n in notes}
    lines = warning_lines(
        {"warnings": [g for g in record.get("warnings") or [] if not _noted(g, shown)]}
    )
    if lines:
        items = "".join(f"<li>{esc(line)}</li>" for line in lines)
        out += (
            f'<h2>{message("page.warnings")}</h2><p class="muted">'
            f'{message("page.warnings_note")}</p><ul class="msg">{items}</ul>'
        )
    return out
