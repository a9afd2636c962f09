"""The *Costs and budget* and *Diagnosis centres* sections of a scenario report, from its
``kpis.json`` record.

:func:`cost_section` reads only the record (``record["costs"]``,
:meth:`netopt.costs.CostBreakdown.record`, and ``record["diagnosis"]``), so a report rebuilt
from a saved output folder shows it too:

- the budget, what is charged to it and the balance: a negative balance is an *overrun*,
  shown in red in words and figures at the top of the section, never hidden;
- the items (label, who pays, yuan a year with thousands separators, the basis, ESTIMATE
  marks), their total and the total per resident; the costs by alliance;
- the diagnosis centres per service (kept or chosen, tests, capacity, utilisation, senders,
  costs), the courier routes (stops, samples, clock times, km, ferry crossings, the oldest
  sample against the window), and every sender not served or outside the window.

Every label is a message (:mod:`netopt.maps.i18n`) in the language in use; every data text
passes :func:`esc`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from netopt.costs import ITEMS
from netopt.maps.i18n import current_language
from netopt.maps.text import esc, message, num, translate

__all__ = ["basis_text", "cost_section", "item_label"]

_OVERRUN = 'class="worse netopt-overrun"'


def _float(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _yuan(value: Any) -> str:
    x = _float(value)
    return "&ndash;" if x is None or math.isinf(x) else num(x, ",.0f")


def _count(value: Any, fmt: str = ",.0f") -> str:
    x = _float(value)
    if x is None:
        return "&ndash;"
    return message("cost.no_limit") if math.isinf(x) else num(x, fmt)


def _share(value: Any) -> str:
    x = _float(value)
    return "&ndash;" if x is None or math.isinf(x) else num(100 * x, ".1f", " %")


def _yes(value: Any, *, bad_when_no: bool = False) -> str:
    if value is None:
        return "&ndash;"
    if bool(value):
        return message("page.yes")
    no = message("page.no")
    return f"<strong {_OVERRUN}>{no}</strong>" if bad_when_no else no


def _head(keys: Sequence[str]) -> str:
    return "<thead><tr>" + "".join(f"<th>{message(k)}</th>" for k in keys) + "</tr></thead>"


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [r for r in value or [] if isinstance(r, Mapping)]


def item_label(item: str, label: Any = None) -> str:
    """An item's label in the language in use (HTML): the catalogue's ``cost.item.<item>``
    for the items of :data:`ITEMS`, else its own ``label`` (or name), escaped.

    Parameters
    ----------
    item : str
    label : str, optional

    Returns
    -------
    str
    """
    if item in ITEMS:
        return message(f"cost.item.{item}")
    return esc(label or item.replace("_", " "))


#: The English phrases of a cost item's basis (:mod:`netopt.costs.breakdown`), longest
#: first; each is the catalogue's ``costbasis.<phrase>`` in other languages.
_BASIS_PHRASES: tuple[str, ...] = (
    "visits at hospitals outside the area",
    "visits at grassroots facilities",
    "not computed: no patient flows",
    "not computed: no horizon_days",
    "visits at in-area hospitals",
    "no rotation schedule",
    "no diagnosis centres",
    "no courier routes",
    "ferry crossings",
    "patient-hours",
    "tests a year",
    "yuan (mean)",
    "round trips",
    "expert-days",
    "no upgrades",
    "yuan a day",
    "laboratory",
    "no visits",
    "transfers",
    "upgrades",
    "centres",
    "ferries",
    "imaging",
    "bn yuan",
    "routes",
    "nights",
    "M yuan",
    "trips",
    "years",
    "runs",
    "yuan",
    "ecg",
)


def _basis_key(phrase: str) -> str:
    return "costbasis." + re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


#: Escaped phrase -> its catalogue key, and one pattern matching any phrase as whole words.
_BASIS_KEYS: dict[str, str] = {esc(p): _basis_key(p) for p in _BASIS_PHRASES}
_BASIS_PATTERN = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(re.escape(p) for p in _BASIS_KEYS) + r")(?![A-Za-z])"
)


def basis_text(text: Any) -> str:
    """A cost item's basis in the language in use (HTML): its English phrases replaced by
    the catalogue's ``costbasis.*`` messages, numbers and ids kept as they are.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    str
    """
    if not text:
        return ""
    out = esc(str(text))
    if current_language() == "en":
        return out
    return _BASIS_PATTERN.sub(lambda m: message(_BASIS_KEYS[m.group(0)]), out)


def _item_rows(costs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One dict per item (``item``, ``label``, ``paid_by``, ``yuan``, ``basis``,
    ``estimated``), in the order of :data:`ITEMS`, from ``items`` (item to yuan, or the rows
    of costs.csv) with ``paid_by``, ``labels``, ``basis`` and ``estimated`` beside it."""
    items = costs.get("items") or {}
    paid = dict(costs.get("paid_by") or {})
    labels = dict(costs.get("labels") or {})
    basis = dict(costs.get("basis") or {})
    estimated = {str(e) for e in costs.get("estimated") or []}
    if isinstance(items, Mapping):
        rows = [{"item": str(k), "yuan_per_year": v} for k, v in items.items()]
    else:
        rows = [dict(r) for r in _rows(items)]
    out = []
    for r in rows:
        item = str(r.get("item"))
        out.append(
            {
                "item": item,
                "label": r.get("label") or labels.get(item),
                "paid_by": r.get("paid_by") or paid.get(item),
                "yuan": r.get("yuan_per_year"),
                "basis": r.get("basis") or basis.get(item),
                "estimated": bool(r.get("estimated")) or item in estimated,
            }
        )
    rank = {k: i for i, k in enumerate(ITEMS)}
    out.sort(key=lambda r: rank.get(r["item"], len(ITEMS)))
    return out


def _payer(value: Any) -> str:
    if value in ("budget", "patients"):
        return message(f"cost.paid.{value}")
    return esc(value) if value else "&ndash;"


def _balance_html(costs: Mapping[str, Any]) -> str:
    """The budget line at the top: an overrun in red, a surplus, or no budget stated."""
    balance = _float(costs.get("balance_yuan"))
    budget = _float(costs.get("budget_yuan"))
    if balance is None or budget is None:
        return f'<p class="muted">{message("page.cost_no_budget")}</p>'
    if balance < 0:
        text = message("page.cost_overrun", amount=_yuan(-balance))
        return f"<p {_OVERRUN}><strong>{text}</strong></p>"
    return f'<p class="better">{message("page.cost_surplus", amount=_yuan(balance))}</p>'


def _totals_table(costs: Mapping[str, Any]) -> str:
    balance = _float(costs.get("balance_yuan"))
    cell = f'<td class="num">{_yuan(balance)}</td>'
    if balance is not None and balance < 0:
        cell = f'<td class="num worse netopt-overrun"><strong>{_yuan(balance)}</strong></td>'
    rows = [
        ("page.cost_total", f'<td class="num">{_yuan(costs.get("total_yuan"))}</td>'),
        ("page.cost_charged", f'<td class="num">{_yuan(costs.get("charged_yuan"))}</td>'),
        ("page.cost_budget", f'<td class="num">{_yuan(costs.get("budget_yuan"))}</td>'),
        ("page.cost_balance", cell),
        ("page.cost_per_resident", f'<td class="num">{_yuan(costs.get("per_resident_yuan"))}</td>'),
    ]
    if costs.get("charged_per_resident_yuan") is not None:
        value = _yuan(costs.get("charged_per_resident_yuan"))
        rows.append(("page.cost_charged_per_resident", f'<td class="num">{value}</td>'))
    body = "".join(f"<tr><th>{message(k)}</th>{v}</tr>" for k, v in rows)
    return f'<table class="netopt-budget"><tbody>{body}</tbody></table>'


def _items_table(costs: Mapping[str, Any]) -> str:
    rows = _item_rows(costs)
    estimate = f' <strong class="netopt-estimate">{message("page.estimate")}</strong>'
    body = "".join(
        f"<tr><td>{item_label(r['item'], r['label'])}"
        f"{estimate if r['estimated'] else ''}</td><td>{_payer(r['paid_by'])}</td>"
        f'<td class="num">{_yuan(r["yuan"])}</td><td>{basis_text(r["basis"])}</td></tr>'
        for r in rows
    )
    total = (
        f"<tr><th>{message('page.cost_total')}</th><td></td>"
        f'<th class="num">{_yuan(costs.get("total_yuan"))}</th><td></td></tr>'
    )
    head = _head(("page.cost_item", "page.paid_by", "page.yuan_year", "page.basis"))
    return f'<table class="netopt-costs">{head}<tbody>{body}</tbody><tfoot>{total}</tfoot></table>'


def _alliance_table(costs: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    by = costs.get("by_alliance")
    if not isinstance(by, Mapping) or not by:
        return ""
    names = {str(x.get("id")): x.get("name") for x in _rows(record.get("leads"))}
    present = {str(k) for v in by.values() if isinstance(v, Mapping) for k in v}
    present.discard("total")
    nonzero = {
        k
        for v in by.values()
        if isinstance(v, Mapping)
        for k in present
        if (_float(v.get(k)) or 0.0) != 0.0
    }
    rank = {k: i for i, k in enumerate(ITEMS)}
    items = sorted(nonzero, key=lambda k: (rank.get(k, len(ITEMS)), k))
    head = (
        f"<thead><tr><th>{message('field.alliance')}</th>"
        + "".join(f"<th>{item_label(k)}</th>" for k in items)
        + f"<th>{message('page.cost_total')}</th></tr></thead>"
    )
    body = ""
    for lead, values in by.items():
        if not isinstance(values, Mapping):
            continue
        lead = str(lead)
        if lead == "(region)":
            name = message("page.cost_region")
        else:
            name = f"{esc(names.get(lead) or lead)} <small>({esc(lead)})</small>"
        cells = "".join(f'<td class="num">{_yuan(values.get(k, 0.0))}</td>' for k in items)
        body += f'<tr><td>{name}</td>{cells}<td class="num">{_yuan(values.get("total"))}</td></tr>'
    return (
        f"<h3>{message('page.cost_by_alliance')}</h3>"
        f'<table class="netopt-costs-alliance">{head}<tbody>{body}</tbody></table>'
    )


def _costs_html(costs: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    return (
        f'<h2 id="costs">{message("page.costs")}</h2>'
        + _balance_html(costs)
        + f'<p class="muted">{message("page.costs_note")}</p>'
        + _totals_table(costs)
        + _items_table(costs)
        + _alliance_table(costs, record)
        + _messages_html(costs.get("messages"))
    )


def _messages_html(messages: Any) -> str:
    msgs = [str(m) for m in messages or []]
    if not msgs:
        return ""
    return '<ul class="msg">' + "".join(f"<li>{esc(m)}</li>" for m in msgs) + "</ul>"


def _service(value: Any) -> str:
    key = f"cost.service.{value}"
    return message(key) if value in ("laboratory", "imaging", "ecg") else esc(value)


def _senders(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return num(len(value))
    if isinstance(value, str):
        return num(len([s for s in value.replace(",", ";").split(";") if s.strip()]))
    return _count(value)


def _facility(name: Any, fid: Any) -> str:
    if name and str(name) != str(fid):
        return f"{esc(name)} <small>({esc(fid)})</small>"
    return esc(fid)


def _centres_table(centres: list[Mapping[str, Any]]) -> str:
    keys = (
        "page.service",
        "page.facility",
        "page.centre_kind",
        "page.tests_year",
        "page.capacity_year",
        "page.utilisation",
        "page.senders",
        "page.fixed_cost",
        "page.test_cost",
    )
    body = "".join(
        f"<tr><td>{_service(c.get('service'))}</td>"
        f"<td>{_facility(c.get('name'), c.get('facility_id'))}</td>"
        f"<td>{message('page.centre_kept' if c.get('kept') else 'page.centre_new')}</td>"
        f'<td class="num">{_count(c.get("tests_per_year"))}</td>'
        f'<td class="num">{_count(c.get("capacity_per_year"))}</td>'
        f'<td class="num">{_share(c.get("utilisation"))}</td>'
        f'<td class="num">{_senders(c.get("senders"))}</td>'
        f'<td class="num">{_yuan(c.get("fixed_cost_yuan"))}</td>'
        f'<td class="num">{_yuan(c.get("test_cost_yuan"))}</td></tr>'
        for c in centres
    )
    return f'<table class="netopt-centres">{_head(keys)}<tbody>{body}</tbody></table>'


def _routes_table(routes: list[Mapping[str, Any]], lab_names: Mapping[str, Any]) -> str:
    if not routes:
        return f'<p class="muted">{message("page.no_routes")}</p>'
    keys = (
        "page.laboratory",
        "page.route",
        "page.stops",
        "page.samples",
        "page.start",
        "page.end",
        "page.km",
        "page.ferry_crossings",
        "page.oldest_sample",
        "page.meets_window",
    )
    body = ""
    for r in routes:
        centre = r.get("centre_id")
        age = _count(r.get("max_sample_age_min"))
        late = r.get("meets_window") is not None and not bool(r.get("meets_window"))
        age_cell = f"<strong {_OVERRUN}>{age}</strong>" if late else age
        body += (
            f"<tr><td>{_facility(lab_names.get(str(centre)), centre)}</td>"
            f"<td>{esc(r.get('route'))}</td>"
            f'<td class="num">{_count(r.get("stops"))}</td>'
            f'<td class="num">{_count(r.get("samples"))}</td>'
            f"<td>{esc(r.get('start'))}</td><td>{esc(r.get('end'))}</td>"
            f'<td class="num">{_count(r.get("km"), ",.1f")}</td>'
            f'<td class="num">{_count(r.get("ferry_crossings"))}</td>'
            f'<td class="num">{age_cell}</td>'
            f"<td>{_yes(r.get('meets_window'), bad_when_no=True)}</td></tr>"
        )
    return f'<table class="netopt-courier">{_head(keys)}<tbody>{body}</tbody></table>'


def _window(row: Mapping[str, Any]) -> float | None:
    """An assignment's window: ``window_min``, else its minutes less the excess."""
    given = _float(row.get("window_min"))
    if given is not None:
        return given
    minutes = _float(row.get("travel_min"))
    excess = _float(row.get("excess_min"))
    return None if minutes is None or excess is None else minutes - excess


def _outside_table(
    unserved: list[Mapping[str, Any]],
    outside: list[Mapping[str, Any]],
    lab_names: Mapping[str, Any],
) -> str:
    if not unserved and not outside:
        return f'<p class="better">{message("page.all_in_window")}</p>'
    keys = (
        "page.sender",
        "page.service",
        "page.laboratory",
        "page.minutes",
        "page.window",
        "page.excess_min",
        "page.reason",
    )
    body = ""
    for u in unserved:
        centre = u.get("centre_id")
        reason = u.get("reason")
        body += (
            f"<tr><td>{_facility(u.get('name'), u.get('facility_id'))}</td>"
            f"<td>{_service('laboratory')}</td>"
            f"<td>{_facility(lab_names.get(str(centre)), centre)}</td>"
            f'<td class="num">{_count(u.get("direct_min"))}</td>'
            f'<td class="num">{_count(u.get("window_min"))}</td>'
            f'<td class="num"><strong {_OVERRUN}>{_count(u.get("excess_min"))}</strong></td>'
            f"<td>{esc(translate(str(reason))) if reason else message('page.reason_unserved')}"
            "</td></tr>"
        )
    for a in outside:
        centre = a.get("centre_id")
        body += (
            f"<tr><td>{_facility(a.get('sender_name'), a.get('sender_id'))}</td>"
            f"<td>{_service(a.get('service'))}</td>"
            f"<td>{_facility(lab_names.get(str(centre)), centre)}</td>"
            f'<td class="num">{_count(a.get("travel_min"))}</td>'
            f'<td class="num">{_count(_window(a))}</td>'
            f'<td class="num"><strong {_OVERRUN}>{_count(a.get("excess_min"))}</strong></td>'
            f"<td>{message('page.reason_window')}</td></tr>"
        )
    return (
        f"<h3>{message('page.outside')}</h3>"
        f'<table class="netopt-outside">{_head(keys)}<tbody>{body}</tbody></table>'
    )


def _stage_name(key: Any) -> str:
    """A stage's name: the service's, or *Sample courier <centre>* for ``courier:<centre>``."""
    key = str(key)
    if key.startswith("courier:"):
        return f"{message('cost.item.courier')} {esc(key.removeprefix('courier:'))}"
    return _service(key)


def _stages_html(stages: Any) -> str:
    if not isinstance(stages, Mapping) or not stages:
        return ""
    sep = message("page.label_sep")
    text = message("stage.sep").join(
        f"{_stage_name(k)}{sep}{esc(translate(str(v)))}" for k, v in stages.items()
    )
    return f'<p class="muted">{message("page.diagnosis_models", stages=text)}</p>'


def _diagnosis_html(diagnosis: Mapping[str, Any]) -> str:
    centres = _rows(diagnosis.get("centres"))
    names = {str(c.get("facility_id")): c.get("name") for c in centres}
    routes = _rows(diagnosis.get("routes"))
    return (
        f'<h2 id="diagnosis">{message("page.diagnosis")}</h2>'
        f"<p>{message('page.diagnosis_note')}</p>"
        + (_centres_table(centres) if centres else "")
        + _stages_html(diagnosis.get("stages"))
        + f"<h3>{message('page.courier')}</h3>"
        + _routes_table(routes, names)
        + _outside_table(
            _rows(diagnosis.get("unserved")),
            _rows(diagnosis.get("assignments_outside_window")),
            names,
        )
        + _messages_html(diagnosis.get("messages"))
    )


def cost_section(record: Mapping[str, Any]) -> str:
    """Return the report's *Costs and budget* and *Diagnosis centres* sections ('' for a
    record with neither ``costs`` nor ``diagnosis``).

    Parameters
    ----------
    record : mapping
        A scenario's ``kpis.json`` record; reads ``costs``
        (:meth:`netopt.costs.CostBreakdown.record`: ``total_yuan``, ``budget_yuan``,
        ``balance_yuan``, ``charged_yuan``, ``per_resident_yuan``, ``items`` (item to yuan,
        or the rows of costs.csv), ``paid_by``, ``by_alliance``, ``estimated``, and when
        present ``labels`` and ``basis``, item to text), ``diagnosis`` (``centres``,
        ``routes``, ``unserved``, ``assignments_outside_window``, ``messages``, ``stages``)
        and ``leads`` (the alliances' names).

    Returns
    -------
    str
        HTML: the budget line (an overrun in red), the totals, the items and the costs by
        alliance; the diagnosis centres, the courier routes and the senders not served or
        outside the window.

    Examples
    --------
    >>> cost_section({})
    ''
    """
    costs = record.get("costs")
    diagnosis = record.get("diagnosis")
    parts = []
    if isinstance(costs, Mapping) and costs:
        parts.append(_costs_html(costs, record))
    if isinstance(diagnosis, Mapping) and diagnosis:
        parts.append(_diagnosis_html(diagnosis))
    return "".join(parts)
