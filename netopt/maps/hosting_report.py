"""The *Partner hospitals (three tiers)* section of a scenario report, from ``kpis.json``.

:func:`hosting_section` reads only the record's ``hosting`` entry
(:meth:`netopt.hosting.Hosting.record`), so a report rebuilt from a saved output folder
shows it too:

- what hosting means, and how the partners were chosen when the optimiser chose them;
- the totals: patient-hours saved a year by follow-ups brought home and by referrals up,
  the follow-ups brought home, the referrals up and the load added to the county hospitals;
- one row per partner -> lead link: how it came about (given or chosen), its figures, the
  partner's capacity, the conditions referred up and the source;
- the savings by island and township (:meth:`~netopt.hosting.Hosting.by_place`, the
  largest first, :data:`MAX_PLACES` rows; the rest are in ``kpis.json``).

Every label is a message (:mod:`netopt.maps.i18n`) in the language in use; every data
text passes :func:`esc`; numbers have thousands separators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from netopt.maps.hosting_layers import conditions_text
from netopt.maps.text import esc, message, num, translate

__all__ = ["MAX_PLACES", "hosting_section"]

#: Rows of the places table (the rest are in ``kpis.json``).
MAX_PLACES = 15
_DASH = "&ndash;"
#: The totals: the record's key and the label's message key.
_TOTALS: tuple[tuple[str, str], ...] = (
    ("followup_patient_hours_saved_per_year", "hosting.field.followup_hours"),
    ("referral_patient_hours_saved_per_year", "hosting.field.referral_hours"),
    ("patient_hours_saved_per_year", "hosting.field.total_hours"),
    ("followups_home_per_year", "hosting.field.followups_home"),
    ("referrals_up_per_year", "hosting.field.referrals_up"),
    ("county_added_load_per_year", "hosting.field.added_load"),
)
_LINK_FIELDS = (
    "partner", "lead", "kind", "referrals_up", "followups_home", "followup_hours",
    "referral_hours", "per_trip", "added_load", "capacity", "conditions_up", "source",
)  # fmt: skip
_PLACE_FIELDS = (
    "island", "township", "population", "followups_home", "followup_hours", "referral_hours",
    "total_hours", "per_trip",
)  # fmt: skip


def _float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _n(value: Any, fmt: str = ",.0f") -> str:
    """A number with thousands separators; None, NaN or text: an en dash."""
    x = _float(value)
    return _DASH if x is None or math.isinf(x) else num(x, fmt)


def _capacity(value: Any) -> str:
    """A capacity: None or infinity (``kpis.json`` writes no limit as null) is *no limit*."""
    x = _float(value)
    if value is None or (x is not None and math.isinf(x) and x > 0):
        return message("hosting.no_limit")
    return _n(value)


def _cell(value: str) -> str:
    return f'<td class="num">{value}</td>'


def _head(fields: Sequence[str]) -> str:
    cells = "".join(f"<th>{message(f'hosting.field.{k}')}</th>" for k in fields)
    return f"<thead><tr>{cells}</tr></thead>"


def _name(row: Mapping[str, Any], key: str) -> str:
    return esc(row.get(f"{key}_name") or row.get(key) or "")


def _totals(h: Mapping[str, Any]) -> str:
    body = "".join(
        f"<tr><th>{message(label)}</th>{_cell(_n(h.get(key)))}</tr>" for key, label in _TOTALS
    )
    return f'<table class="netopt-hosting-totals"><tbody>{body}</tbody></table>'


def _links(links: Sequence[Mapping[str, Any]]) -> str:
    body = ""
    for r in links:
        kind = message("hosting.chosen" if r.get("chosen") else "hosting.given")
        numbers = (
            _n(r.get("referrals_up_per_year")),
            _n(r.get("followups_home_per_year")),
            _n(r.get("followup_patient_hours_saved_per_year")),
            _n(r.get("referral_patient_hours_saved_per_year")),
            _n(r.get("followup_hours_saved_per_trip"), ",.1f"),
            _n(r.get("added_load_per_year")),
            _capacity(r.get("capacity_per_year")),
        )
        body += (
            f"<tr><td>{_name(r, 'partner')}</td><td>{_name(r, 'lead')}</td><td>{kind}</td>"
            + "".join(_cell(v) for v in numbers)
            + f"<td>{conditions_text(r.get('conditions_up'))}</td>"
            + f"<td>{esc(r.get('source') or '')}</td></tr>"
        )
    return f'<table class="netopt-hosting-links">{_head(_LINK_FIELDS)}<tbody>{body}</tbody></table>'


def _island(value: Any) -> str:
    if value in (None, "", "mainland"):
        return message("hosting.mainland")
    return esc(translate(str(value)))


def _places(places: Sequence[Mapping[str, Any]]) -> str:
    if not places:
        return f'<p class="muted">{message("hosting.no_places")}</p>'
    body = "".join(
        f"<tr><td>{_island(p.get('island_name'))}</td><td>{esc(p.get('township') or '')}</td>"
        + "".join(
            _cell(v)
            for v in (
                _n(p.get("population")),
                _n(p.get("followups_home_per_year")),
                _n(p.get("followup_patient_hours_saved_per_year")),
                _n(p.get("referral_patient_hours_saved_per_year")),
                _n(p.get("patient_hours_saved_per_year")),
                _n(p.get("followup_hours_saved_per_trip"), ",.1f"),
            )
        )
        + "</tr>"
        for p in places[:MAX_PLACES]
    )
    more = len(places) - MAX_PLACES
    tail = f'<p class="muted">{message("hosting.more_places", n=num(more))}</p>' if more > 0 else ""
    return (
        f'<table class="netopt-hosting-places">{_head(_PLACE_FIELDS)}<tbody>{body}</tbody>'
        f"</table>{tail}"
    )


def _solve(h: Mapping[str, Any]) -> str:
    """How the optimiser chose the partners ('' for links given)."""
    solve = h.get("solve")
    if not h.get("chosen") or not isinstance(solve, Mapping):
        return ""
    gap = _float(solve.get("gap"))
    status = esc(translate(str(solve.get("status") or "").replace("_", " ")))
    text = message(
        "hosting.solve",
        status=status or _DASH,
        gap=_DASH if gap is None or math.isinf(gap) else num(100 * gap, ".2f", " %"),
    )
    return f'<p class="muted">{text}</p>'


def hosting_section(record: Mapping[str, Any]) -> str:
    """Return the report's *Partner hospitals* section ('' for a record without hosting).

    Parameters
    ----------
    record : mapping
        A scenario's ``kpis.json`` record; reads ``hosting`` (:meth:`netopt.hosting.Hosting.
        record`: the totals, ``links``, ``by_place``, ``chosen`` and ``solve``).

    Returns
    -------
    str
        HTML: a heading, what hosting means, how the partners were chosen, the totals, the
        links and the places; '' when ``hosting`` is absent, None or not a mapping.

    Examples
    --------
    >>> hosting_section({})
    ''
    """
    h = record.get("hosting")
    if not isinstance(h, Mapping):
        return ""
    links = [r for r in h.get("links") or [] if isinstance(r, Mapping)]
    places = [p for p in h.get("by_place") or [] if isinstance(p, Mapping)]
    return (
        f'<h2 id="hosting">{message("layer.hosting")}</h2>'
        f'<p class="muted">{message("hosting.note")}</p>'
        + _solve(h)
        + _totals(h)
        + f"<h3>{message('hosting.links')}</h3>"
        + _links(links)
        + f"<h3>{message('hosting.places')}</h3>"
        + _places(places)
    )
