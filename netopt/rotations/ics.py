"""iCalendar (RFC 5545) text of an expert's visits, for :meth:`RotationSchedule.to_ics`."""

from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["calendar_text", "safe_filename"]


def calendar_text(
    expert: str,
    rows: pd.DataFrame,
    *,
    workday: tuple[str, str],
    start_date: dt.date,
) -> str:
    """Return one expert's calendar: a VEVENT per visit, CRLF line ends, folded lines.

    Events use floating local times (the working day); a multi-day stay is one event from
    the first morning to the last evening. ``DTSTAMP`` is the start date at 00:00 UTC, so
    the same schedule always gives the same text.

    Parameters
    ----------
    expert : str
        The expert id (used in the event UIDs).
    rows : pandas.DataFrame
        The expert's visits (:data:`~netopt.rotations.VISIT_COLUMNS`).
    workday : (str, str)
        ``"HH:MM"`` start and end of the working day.
    start_date : datetime.date
        First day of the schedule.

    Returns
    -------
    str
    """
    w0, w1 = workday
    name = rows["expert_name"].iloc[0]
    stamp = f"{start_date:%Y%m%d}T000000Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//netopt//expert rotations//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(f'Outreach rotation: {name}')}",
    ]
    for r in rows.sort_values("date").itertuples():
        last = r.date + dt.timedelta(days=int(r.lodging_days))
        desc = (
            f"{r.specialty} clinic at {r.site_name} ({r.site}), alliance {r.lead}.\n"
            f"Travel out {r.travel_out_min:.0f} min, back {r.travel_back_min:.0f} min; "
            f"clinic {r.clinic_hours:.1f} h; about {r.expected_patients} patients; {r.stay}"
            + (f", {r.lodging_days} night(s) away." if r.lodging_days else ".")
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{safe_filename(expert)}-{safe_filename(str(r.site))}-{r.date:%Y%m%d}@netopt",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{r.date:%Y%m%d}T{w0.replace(':', '')}00",
            f"DTEND:{last:%Y%m%d}T{w1.replace(':', '')}00",
            f"SUMMARY:{_escape(f'{r.specialty} outreach: {r.site_name}')}",
            f"LOCATION:{_escape(r.site_name)}",
            f"DESCRIPTION:{_escape(desc)}",
            f"CATEGORIES:{_escape(r.specialty)}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def safe_filename(text: str) -> str:
    """Return ``text`` with every character but letters, digits and ``-_.`` replaced by ``_``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        ``"expert"`` if the text is empty.
    """
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "expert"


def _escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)
