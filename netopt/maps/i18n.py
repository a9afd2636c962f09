"""The pages' languages: one message catalogue per language, and the language in use.

:data:`MESSAGES` is the English catalogue (``locale/en.json``), keyed by purpose (layer names,
legends, popups' field labels, the KPI panel, stage texts, the reports' headings; ``kpi.<key>``
adds each KPI's label); every other language is one JSON file ``locale/<lang>.json`` with the
same keys, so a third language is one file (``tests/test_i18n.py`` fails when a catalogue
lacks a key). The drawing and report functions set the language with :func:`use_language`
(English by default); :func:`message` reads the catalogue of the language in use,
:func:`translate` translates a key, an English label or a stage text, :func:`localise` a
rendered report page. Everything is re-exported by :mod:`netopt.maps.text`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import json
import re
from collections.abc import Iterator
from typing import Any

from netopt._locale import LOCALE_DIR, page_languages

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "MESSAGES",
    "catalogue",
    "chosen_language",
    "current_language",
    "localise",
    "message",
    "note_text",
    "translate",
    "use_language",
]

#: User-facing labels in English, keyed by purpose (``locale/en.json``): the one place to
#: reword them. Values are HTML; ``{name}`` fields are filled by :func:`message` with text
#: the caller escaped.
MESSAGES: dict[str, str] = json.loads((LOCALE_DIR / "en.json").read_text(encoding="utf-8"))


_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "netopt_language", default=None
)


#: The languages of the pages: English (:data:`MESSAGES`) and one per locale file.
LANGUAGES: tuple[str, ...] = page_languages()


@functools.cache
def catalogue(lang: str = "en") -> dict[str, str]:
    """Return the message catalogue of ``lang``: every key of the English one (:data:`MESSAGES`
    plus ``kpi.<key>`` and ``kpidef.<key>``, the label and definition of each KPI of
    :data:`netopt.kpis.KPIS` and :data:`~netopt.kpis.PATHWAY_KPIS`, and ``pathway.cond.<key>``, the short name of each
    default time-critical condition, :data:`~netopt.kpis.PATHWAY_CONDITIONS`).

    Parameters
    ----------
    lang : str
        One of :data:`LANGUAGES`.

    Returns
    -------
    dict of str to str
        Key to text (HTML, with ``{name}`` fields).

    Raises
    ------
    KeyError
        ``lang`` is not one of :data:`LANGUAGES`.
    """
    from netopt.kpis import KPIS, PATHWAY_CONDITIONS, PATHWAY_KPIS

    if lang == "en":
        kpis = {f"kpi.{k.key}": html.escape(k.label, quote=True) for k in KPIS + PATHWAY_KPIS}
        kpis |= {
            f"kpidef.{k.key}": html.escape(k.definition, quote=True) for k in KPIS + PATHWAY_KPIS
        }
        conds = {f"pathway.cond.{k}": html.escape(v) for k, v in PATHWAY_CONDITIONS.items()}
        return {**MESSAGES, **kpis, **conds}
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}: use one of {list(LANGUAGES)}")
    return dict(json.loads((LOCALE_DIR / f"{lang}.json").read_text(encoding="utf-8")))


_SPACE = re.compile(r"\s+")


@functools.cache
def _by_english(lang: str) -> dict[str, str]:
    """English text (unescaped, without fields) to the text of ``lang`` (unescaped)."""
    theirs = catalogue(lang)
    return {
        html.unescape(text): html.unescape(theirs.get(key, text))
        for key, text in catalogue("en").items()
        if "{" not in text
    }


@functools.cache
def _templates(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The catalogue's texts with ``{fields}`` as patterns over English text, to the text of
    ``lang`` (unescaped), the longest literal text first; a template with fewer than six
    letters outside its fields is left out (it would match too much)."""
    theirs = catalogue(lang)
    out = []
    for key, text in catalogue("en").items():
        plain = html.unescape(text)
        if "{" not in plain or key.startswith(("note.", "warn.", "cli.")):
            continue
        parts = re.split(r"\{(\w+)\}", plain)
        literal = "".join(parts[::2])
        if sum(c.isalpha() for c in literal) < 6:
            continue
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        out.append((len(literal), re.compile(pattern), html.unescape(theirs.get(key, text))))
    out.sort(key=lambda t: -t[0])
    return tuple((pattern, target) for _, pattern, target in out)


def _by_template(text: str, lang: str) -> str | None:
    """``text`` in ``lang`` when it is a catalogue template with its fields filled in."""
    for pattern, target in _templates(lang):
        match = pattern.fullmatch(text)
        if match:
            return target.format(**{k: translate(v, lang) for k, v in match.groupdict().items()})
    return None


def current_language() -> str:
    """Return the language the pages are being written in (:func:`use_language`; ``"en"``).

    Returns
    -------
    str
    """
    return _LANGUAGE.get() or "en"


def chosen_language(default: str | None = None) -> str:
    """Return the language set by :func:`use_language`, else ``default``, else ``"en"``.

    The command line's ``--lang`` is set with :func:`use_language` and wins over a region's
    ``language`` (the ``default`` of :func:`netopt.scenario.write_outputs`).

    Parameters
    ----------
    default : str, optional

    Returns
    -------
    str
    """
    return _LANGUAGE.get() or default or "en"


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Write the pages drawn inside the ``with`` block in ``lang`` (None: keep the current).

    Parameters
    ----------
    lang : str or None
        One of :data:`LANGUAGES`; None sets nothing (:func:`chosen_language` keeps its default).

    Yields
    ------
    str
        The language in use.

    Raises
    ------
    KeyError
        An unknown language.
    """
    if lang is None:
        yield current_language()
        return
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}: use one of {list(LANGUAGES)}")
    token = _LANGUAGE.set(lang)
    try:
        yield lang
    finally:
        _LANGUAGE.reset(token)


_GAP = re.compile(r"gap (.+)")


def translate(text: str, lang: str | None = None) -> str:
    """Translate a catalogue key, an English label (a KPI's, a stage's) or a stage text.

    Stage texts (:func:`netopt.solve.status.stage_text`) are translated part by part:
    ``"time limit, gap 10.3 %"`` is ``"达到时限，差距 10.3 %"`` in Chinese. Text the
    catalogue does not know (names, numbers) is returned as it is.

    Parameters
    ----------
    text : str
        A key of the catalogue, or plain English text.
    lang : str, optional
        Default: :func:`current_language`.

    Returns
    -------
    str
        Plain text for a plain-text argument (the catalogue's HTML for a key).

    Examples
    --------
    >>> translate("time limit, gap 10.3 %", "zh")
    '达到时限，差距 10.3 %'
    """
    lang = lang or current_language()
    if lang == "en":
        return catalogue("en").get(text, text)
    if text in catalogue("en"):
        return catalogue(lang)[text]
    known = _by_english(lang)
    if text in known:
        return known[text]
    text = _SPACE.sub(" ", text)  # a text node broken over lines
    if text in known:
        return known[text]
    head, colon, tail = text.partition(": ")
    if colon and head in known:  # "Alliance plan: status", "Baseline (...): <KPI label>"
        return known[head] + known[colon] + translate(tail, lang)
    filled = _by_template(text, lang)
    if filled is not None:
        return filled
    outer = text.split("; ")
    if len(outer) > 2 or not all(
        _stage_part(p, lang) is not None for o in outer for p in o.split(", ")
    ):
        return text
    sep, sep_eval = (
        html.unescape(catalogue(lang)[k]) for k in ("stage.sep", "stage.sep_evaluated")
    )
    return sep_eval.join(sep.join(_stage_part(p, lang) or p for p in o.split(", ")) for o in outer)


def _stage_part(part: str, lang: str) -> str | None:
    """One part of a stage text in ``lang`` (None: not a stage word)."""
    words = ("optimal", "evaluated", "feasible", "infeasible", "time limit", "no bound", "no plan")
    if part in words:
        return html.unescape(catalogue(lang)["stage." + part.replace(" ", "_")])
    gap = _GAP.fullmatch(part)
    if gap:
        return html.unescape(catalogue(lang)["stage.gap"].format(gap=gap.group(1)))
    return None


_TEXT_NODE = re.compile(r">([^<>]+)<")
_ARIA_LABEL = re.compile(r'(aria-label|title)="([^"<>]+)"')


def localise(page: str, lang: str | None = None) -> str:
    """Translate a rendered page: ``<html lang>`` and each text node the catalogue knows.

    A text node (between two tags), ``aria-label`` or ``title`` whose whole text, stripped
    (runs of white space read as one space), is an English text of the catalogue (a label, a
    KPI's definition), a stage text, ``"<label>: <text>"`` or a catalogue text with fields
    (``"{n} alliance(s) led by {leads}."``; the fields are translated the same way, else
    kept) is replaced by its translation; every other node (names, numbers) is kept.

    Parameters
    ----------
    page : str
        HTML, e.g. :func:`netopt.report.scenario_report`.
    lang : str, optional
        Default: :func:`current_language`.

    Returns
    -------
    str
    """
    lang = lang or current_language()
    if lang == "en":
        return page
    page = page.replace('<html lang="en">', f'<html lang="{lang}">', 1)

    def one(match: re.Match[str]) -> str:
        raw = match.group(1)
        plain = html.unescape(raw).strip()
        if not plain:
            return match.group(0)
        done = translate(plain, lang)
        if done == plain:
            return match.group(0)
        return ">" + raw.replace(raw.strip(), html.escape(done, quote=False)) + "<"

    def label(match: re.Match[str]) -> str:
        done = translate(html.unescape(match.group(2)), lang)
        return f'{match.group(1)}="{html.escape(done, quote=True)}"'

    return _ARIA_LABEL.sub(label, _TEXT_NODE.sub(one, page))


def message(key: str, **fields: str) -> str:
    """Return the current language's text for ``key`` (:func:`catalogue`), its fields filled in.

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
    return catalogue(current_language())[key].format(**fields)


def note_text(note: Any, lang: str | None = None) -> str:
    """Return a plan message as plain text in ``lang``: a :class:`netopt._notes.Note` (or
    its JSON form in ``kpis.json``) by its catalogue key and fields, other text translated
    as :func:`translate` does (escape it for a page with :func:`netopt.maps.text.esc`).

    Parameters
    ----------
    note : Note, mapping or str
    lang : str, optional
        Default: :func:`current_language`.

    Returns
    -------
    str

    Examples
    --------
    >>> from netopt._notes import Note
    >>> note_text(Note("note.upgraded_as_given", ids="XS-T05"), "zh")
    '按指定升级：XS-T05'
    """
    from netopt._notes import render

    lang = lang or current_language()
    if isinstance(note, str) and not hasattr(note, "key"):
        return translate(note, lang)
    return render(note, lang, catalogue(lang).get)
