"""A run's warnings grouped by cause: one line per cause with a count and the first examples.

:class:`WarningGroups` is a logging handler (and takes ``warnings.warn`` warnings too, see
:meth:`WarningGroups.add_warning`). A cause is the logger and the message template
(``"rotation shortfall: %s"``), or the whole message when it has no arguments.
:meth:`WarningGroups.groups` gives each cause as a JSON-ready record; the command line prints
them after its progress bars (:mod:`netopt.cli`), and :func:`netopt.scenario.run` keeps the
groups of its run (:func:`capture_warnings`) for the ``warnings`` of ``kpis.json``, shown in
``report.html``'s "Warnings" section in the page's language
(:func:`netopt.maps.notes_report.warning_lines`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

__all__ = ["EXAMPLES", "WarningGroups", "capture_warnings", "group_text"]

#: How many examples a group keeps.
EXAMPLES = 3


class WarningGroups(logging.Handler):
    """Collects warnings by cause (records at WARNING; errors are not kept)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.causes: dict[tuple[str, str, str], list[logging.LogRecord]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a warning under its cause."""
        if record.levelno >= logging.ERROR:
            return
        template = str(record.msg) if record.args else record.getMessage()
        self.causes.setdefault((record.levelname, record.name, template), []).append(record)

    def add_warning(self, message: Warning | str, category: type[Warning], where: str) -> None:
        """Keep a ``warnings.warn`` warning (e.g. a NetoptWarning) under its cause.

        Parameters
        ----------
        message : Warning or str
        category : type
            The warning's class; it names the group (``NetoptWarning``).
        where : str
            ``file:line`` of the warning, kept in the full list.
        """
        record = logging.LogRecord(
            category.__name__, logging.WARNING, where, 0, str(message), None, None
        )
        self.emit(record)

    @property
    def shortened(self) -> bool:
        """True when a cause has more examples than a group keeps."""
        return any(r[0].args and len(r) > EXAMPLES for r in self.causes.values())

    def records(self) -> list[logging.LogRecord]:
        """Every warning kept, cause by cause."""
        return [r for records in self.causes.values() for r in records]

    def groups(self) -> list[dict[str, Any]]:
        """Return one JSON-ready record per cause, in the order first seen.

        Returns
        -------
        list of dict
            ``level``, ``logger``, ``count``, ``cause`` (the template's text before its
            first argument; None when the messages have no arguments), ``examples`` (the
            first :data:`EXAMPLES` messages, without the cause; a
            :class:`netopt._notes.Note` as its JSON form) and ``text``, the line in English
            (:func:`group_text`).
        """
        from netopt._notes import Note

        out = []
        for (level, name, template), records in self.causes.items():
            cause = None
            if records[0].args:
                cause = template.split("%", 1)[0].rstrip(" :") or template
            prefix = template.split("%", 1)[0] if cause is not None else ""
            examples: list[Any] = []
            for r in records[:EXAMPLES] if cause is not None else records[:1]:
                msg = r.msg if not r.args else None
                examples.append(
                    msg.to_dict() if isinstance(msg, Note) else r.getMessage().removeprefix(prefix)
                )
            group = {
                "level": level,
                "logger": name,
                "count": len(records),
                "cause": cause,
                "examples": examples,
            }
            out.append({**group, "text": group_text(group)})
        return out


def group_text(group: dict[str, Any], text: Any = None, message: Any = None) -> str:
    """One group as a line: the message (``"... (4 times)"``) or ``"<cause>: 202 times,
    first: <examples>"``.

    Parameters
    ----------
    group : dict
        A record of :meth:`WarningGroups.groups`.
    text : callable, optional
        Example (a note's JSON or text) to its text; default: the English text.
    message : callable, optional
        ``message(key, **fields)`` of the page's catalogue (plain text); default English.

    Returns
    -------
    str
    """

    def english(x: Any) -> str:
        return str(x.get("text", "")) if isinstance(x, dict) else str(x)

    text = text or english
    if message is None:
        formats = {
            "warn.times": "{line} ({n} times)",
            "warn.first": "{cause}: {n} times, first: {examples}",
        }

        def message(key: str, **fields: str) -> str:
            return formats[key].format(**fields)

    examples = [text(x) for x in group["examples"]]
    n = f"{group['count']:,}"
    if group["count"] == 1:
        return examples[0] if examples else ""
    if group.get("cause") is None:
        return message("warn.times", line=examples[0] if examples else "", n=n)
    return message("warn.first", cause=text(group["cause"]), n=n, examples="; ".join(examples))


@contextlib.contextmanager
def capture_warnings(logger: str = "netopt") -> Iterator[WarningGroups]:
    """Collect the warnings ``logger`` (and its children) logs inside the ``with`` block.

    The logger is let through WARNING records for the block (a quiet command line still
    sees errors only: its own handler has its level), so a run always knows its warnings.

    Parameters
    ----------
    logger : str

    Yields
    ------
    WarningGroups
    """
    log = logging.getLogger(logger)
    groups = WarningGroups()
    old = log.level
    if log.getEffectiveLevel() > logging.WARNING:
        log.setLevel(logging.WARNING)
    log.addHandler(groups)
    try:
        yield groups
    finally:
        log.removeHandler(groups)
        log.setLevel(old)
