"""Messages for people that keep their catalogue key: :class:`Note`.

A planner's message (a relaxed travel limit, an over-capacity lead, residents cut off, an
upgrade decision ...) is a :class:`Note`: a ``str`` holding its English text, so that logs,
``plan.messages`` and the ``messages`` of ``kpis.json`` read as before, which also remembers
its message-catalogue key (``note.*`` in ``netopt/maps/locale/<lang>.json``) and its fields.
A page renders it in its own language with :func:`render` (through
:func:`netopt.maps.text.note_text`); ``kpis.json`` keeps it as :meth:`Note.to_dict`.

A field is data shown as it is (a number already formatted, an id), a name in several
languages (``{"en": ..., "zh": ...}``, see :func:`name_in`), another note (any catalogue
key), a :func:`term` (English keeps the word it had, e.g. the KPI key ``in_area_share``;
other languages show a catalogue text, the KPI's label) or a list of fields
(:func:`joined` by a catalogue separator, ``note.sep`` by default).
This module imports nothing of the maps, so the planners can use it.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

from netopt._locale import LOCALE_DIR

__all__ = ["Note", "joined", "name_in", "note_from", "render", "term"]

#: A field of a note: data text, a name by language, a note, or a list of those.
Field = Any


@functools.cache
def _english() -> dict[str, str]:
    """The English catalogue as plain text: ``en.json`` and the KPI labels (``kpi.<key>``)."""
    from netopt.kpis import KPIS, PATHWAY_KPIS

    texts = json.loads((LOCALE_DIR / "en.json").read_text(encoding="utf-8"))
    out = {k: html.unescape(v) for k, v in texts.items()}
    out.update({f"kpi.{k.key}": k.label for k in KPIS + PATHWAY_KPIS})
    return out


class Note(str):
    """A message in English (the ``str``) with its catalogue key and fields.

    Parameters
    ----------
    key : str
        A key of the message catalogue (``note.*``, or any other, e.g. ``stage.optimal``).
    **fields
        The template's ``{name}`` fields (see the module docstring).

    Examples
    --------
    >>> n = Note("note.upgraded_as_given", ids="XS-T05")
    >>> str(n), n.key
    ('upgraded as given: XS-T05', 'note.upgraded_as_given')
    """

    key: str
    fields: dict[str, Field]

    def __new__(cls, key: str, /, **fields: Field) -> Self:
        self = super().__new__(cls, render({"key": key, "fields": fields}, "en", _english().get))
        self.key = key
        self.fields = fields
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return the note as JSON: ``{"key": ..., "fields": {...}, "text": <English>}``."""
        return {"key": self.key, "fields": _plain(self.fields), "text": str(self)}


def _plain(value: Field) -> Any:
    if isinstance(value, Note):
        return {"key": value.key, "fields": _plain(value.fields)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def note_from(value: str | Mapping[str, Any]) -> str | dict[str, Any]:
    """The JSON form of a message: :meth:`Note.to_dict` for a note, else the text."""
    return value.to_dict() if isinstance(value, Note) else value  # type: ignore[return-value]


def name_in(names: Mapping[str, Any], fid: str) -> dict[str, str] | str:
    """A facility's name by language from a row of the facilities table (``name``,
    optionally ``name_zh``); the English name alone when it has no other.

    Parameters
    ----------
    names : mapping
        The facility's row (``name``, ``name_zh``), or any mapping with ``name``.
    fid : str
        Its id (the name when it has none).

    Returns
    -------
    dict or str
    """
    en = str(names.get("name") or fid)
    zh = names.get("name_zh")
    if isinstance(zh, str) and zh.strip():
        return {"en": en, "zh": zh.strip()}
    return en


def term(key: str, english: str) -> dict[str, str]:
    """A field that English writes as ``english`` and other languages as catalogue ``key``.

    Parameters
    ----------
    key : str
        A catalogue key, e.g. ``"kpi.in_area_share"`` or ``"stage.time_limit"``.
    english : str
        The English text, e.g. ``"in_area_share"``, ``"time_limit"``.

    Returns
    -------
    dict
    """
    return {"term": key, "en": english}


def joined(items: Sequence[Field], sep: str = "note.sep") -> dict[str, Any]:
    """A field of several fields, joined by the catalogue text ``sep`` of the page's language.

    Parameters
    ----------
    items : sequence
        Fields (text, names, notes ...).
    sep : str
        A catalogue key: ``"note.sep"`` (``"; "``) or ``"note.comma"`` (``", "``).

    Returns
    -------
    dict
    """
    return {"items": list(items), "sep": sep}


def render(
    note: Mapping[str, Any] | Note | str,
    lang: str,
    lookup: Callable[[str], str | None],
) -> str:
    """Return a note as plain text in ``lang``.

    Parameters
    ----------
    note : Note, mapping or str
        A :class:`Note`, its :meth:`~Note.to_dict`, or plain text (returned as it is).
    lang : str
        Picks a name's form (``{"en": ..., "zh": ...}``).
    lookup : callable
        Catalogue key to its text (HTML) in ``lang``, None when unknown (then the English).

    Returns
    -------
    str
    """
    if isinstance(note, Note):
        note = {"key": note.key, "fields": note.fields}
    if isinstance(note, str):
        return note
    key = str(note.get("key"))
    template = lookup(key)
    if template is None:
        template = _english().get(key)
    if template is None:  # an unknown key: the English text the record kept
        return str(note.get("text") or key)
    fields = note.get("fields") or {}
    return html.unescape(template).format(**{k: _field(v, lang, lookup) for k, v in fields.items()})


def _text(key: str, lang: str, lookup: Callable[[str], str | None]) -> str | None:
    text = lookup(key) if lang != "en" else _english().get(key)
    return None if text is None else html.unescape(text)


def _field(value: Field, lang: str, lookup: Callable[[str], str | None]) -> str:
    if isinstance(value, Note) or (isinstance(value, Mapping) and "key" in value):
        return render(value, lang, lookup)
    if isinstance(value, Mapping) and "term" in value:
        english = str(value.get("en", ""))
        return english if lang == "en" else _text(str(value["term"]), lang, lookup) or english
    if isinstance(value, Mapping) and "items" in value:
        sep = _text(str(value.get("sep") or "note.sep"), lang, lookup) or "; "
        return sep.join(_field(v, lang, lookup) for v in value["items"])
    if isinstance(value, Mapping):  # a name by language
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "; ".join(_field(v, lang, lookup) for v in value)
    return str(value)
