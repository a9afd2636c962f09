"""The pages' languages: one message catalogue per language, and the language in use.

:data:`MESSAGES` is the English catalogue, keyed by purpose (layer names, legends, popups' field
labels, the KPI panel, stage texts, the reports' headings; ``kpi.<key>`` adds each KPI's label);
every other language is one JSON file ``locale/<lang>.json`` with the same keys, so a third
language is one file (``tests/test_i18n.py`` fails when a catalogue lacks a key). The drawing
and report functions set the language with :func:`use_language` (English by default);
:func:`message` reads the catalogue of the language in use, :func:`translate` translates a key,
an English label or a stage text, :func:`localise` a rendered report page. Everything is
re-exported by :mod:`netopt.maps.text`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import json
import re
from collections.abc import Iterator

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
    "translate",
    "use_language",
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
    "layer.land": "Land and townships",
    "layer.catchments": "Alliance catchments",
    "layer.bands_nearest": "Travel time to nearest lead",
    "layer.bands_assigned": "Travel time to own lead",
    "layer.zones": "Resident zones",
    "layer.flows": "Referral flows",
    "layer.leads": "Lead hospitals",
    "layer.members": "Member facilities",
    "catchment.none": "No lead reachable",
    "catchment.tip": "Alliance of {name} &middot; {n} residents",
    "field.tier": "Tier",
    "field.beds": "Beds",
    "field.role": "Role",
    "field.lead_role": "alliance lead",
    "field.members": "Members",
    "field.population": "Population served",
    "field.load": "Referral load / capacity",
    "field.load_text": "{load} / {cap} a year ({util})",
    "field.resident_mean": "Mean travel time of residents",
    "field.first_use": "Residents using it first",
    "field.alliance": "Alliance",
    "field.none": "none",
    "field.referrals": "Referrals to lead",
    "field.a_year": "{n} a year",
    "field.note": "Note",
    "field.kind": "Kind",
    "field.crossing": "Crossing",
    "field.service_hours": "Service hours",
    "field.specialty": "Specialty",
    "field.visits": "Visits",
    "field.travel_out": "Travel out",
    "field.clinic_hours": "Clinic hours",
    "field.patients": "Expected patients",
    "field.stay": "Stay",
    "panel.alliances": "Alliances",
    "value.unreachable": "unreachable",
    "stage.optimal": "optimal",
    "stage.evaluated": "evaluated",
    "stage.feasible": "feasible",
    "stage.infeasible": "infeasible",
    "stage.time_limit": "time limit",
    "stage.no_bound": "no bound",
    "stage.no_plan": "no plan",
    "stage.not_run": "not run",
    "stage.gap": "gap {gap}",
    "stage.sep": ", ",
    "stage.sep_evaluated": "; ",
    "stage.location": "Alliance plan",
    "stage.rotation": "Expert rotations",
    "page.open_map": "Open the map",
    "page.open_side_map": "Open the side-by-side map",
    "page.notes": "Notes",
    "page.plan": "Plan",
    "page.model": "Model",
    "page.status": "Status",
    "page.objective": "Objective",
    "page.bound": "Bound",
    "page.gap": "Gap",
    "page.seconds": "Seconds",
    "page.who": "Who is served",
    "page.key_baseline": "Key figures against the naive baseline",
    "page.key_figures": "Key figures",
    "page.alliances": "Alliances",
    "page.kpi": "KPI",
    "page.this_plan": "This plan",
    "page.baseline": "Naive baseline",
    "page.unit": "Unit",
    "page.definition": "Definition",
    "page.direction": "Direction",
    "page.leads": "Leads",
    "page.charts": "Charts",
    "page.comparison": "Scenario comparison",
    "page.assignments": "assignments",
    "page.alliances_csv": "alliances",
    "page.moves": "moves for the beds to hold",
    "page.cut_off": "cut-off zones",
    "page.kpis_json": "KPIs (JSON)",
    "page.schedule": "rotation schedule",
    "page.calendars": "calendars (.ics)",
    "page.time_chart": "Travel time (minutes)",
    "page.share_chart": "Shares of the population or of visits",
    "page.scenario": "scenario",
    "page.naive_baseline": "naive baseline",
    "page.lower": "lower is better",
    "page.higher": "higher is better",
    "legend.title": "Legend",
    "legend.alliances": "Alliances",
    "legend.facilities": "Facilities",
    "legend.lines": "Lines",
    "legend.bands": "Travel time (layer)",
    "legend.more": "+ {n} more alliances",
    "legend.no_lead": "no lead reachable",
    "legend.lead": "lead hospital (ring: alliance colour)",
    "legend.flow": "referral flow (width: referrals / year)",
    "tier.tertiary": "tertiary",
    "tier.county": "county",
    "tier.township": "township",
    "tier.village": "village",
    "band.first": "&le; {limit} min",
    "band.between": "{a}&ndash;{b} min",
    "band.last": "&gt; {limit} min or unreachable",
    "rotation.expert": "Rotation: {name}",
    "rotation.week": "Rotations week {n} ({start}&ndash;{end})",
    "rotation.to": "To {name}",
    "field.experts": "Expert(s)",
    "page.baseline_nearest": "Baseline (nearest hospital)",
    "page.n_alliances": "Number of alliances",
    "page.solver_gap": "solver optimality gap",
    "page.solver_time": "solver time",
    "page.status_part": "status",
    "page.label_sep": ": ",
    "unit.people": "people",
    "unit.min": "min",
    "unit.share": "share",
    "unit.days": "days",
    "unit.patients": "patients",
    "unit.h_year": "h/year",
    "unit.h_period": "h/period",
    "ferry.title": "Ferry: {name}",
    "ferry.from_to": "From / to",
    "page.lead_id": "Lead id",
    "page.lead_hospital": "Lead hospital",
    "page.people": "People",
    "page.share": "Share",
    "page.referrals_year": "Referrals / year",
    "page.capacity_year": "Capacity / year",
    "page.utilisation": "Utilisation",
    "page.utilisation_series": "utilisation",
    "page.population_series": "population",
    "page.per_alliance": "Population per alliance",
    "page.this_plan_series": "this plan",
    "page.no_alliances": "No alliances.",
    "layer.access": "Beds per 1,000 within {minutes} min (2SFCA)",
    "layer.care": "Where care happens",
    "flow.access_title": "Beds per 1,000 residents within {minutes} min",
    "flow.access_note": (
        "Two-step floating catchment (2SFCA): each facility's beds shared among the "
        "residents within reach of it."
    ),
    "flow.beds_1000": "Beds per 1,000 (2SFCA)",
    "flow.doctors_1000": "Doctors per 1,000 (2SFCA)",
    "flow.residents": "Residents",
    "flow.care_title": "Visits of the township's residents inside the county (%)",
    "flow.facilities": "Facilities (size: visits a year)",
    "flow.legend_inside": "facility inside the county",
    "flow.legend_outside": "facility outside the county",
    "flow.legend_upgraded": "township centre upgraded to a county medical sub-centre",
    "flow.where": "Where",
    "flow.inside": "inside the county",
    "flow.outside": "outside the county",
    "flow.upgraded": "upgraded to a county medical sub-centre",
    "flow.visits_title": "Click a facility for its visits a year by care level (choice model).",
    "care.grassroots": "Grassroots (primary) care",
    "care.hospital_outpatient": "Hospital outpatient care",
    "care.inpatient": "Inpatient care",
    "care.emergency": "Emergencies",
    "care.recurring": "Recurring treatment (dialysis, oncology)",
    "care.total": "All visits",
    "range.first": "&lt; {a}",
    "range.between": "{a}&ndash;{b}",
    "range.last": "&ge; {a}",
    "page.care": "Where care happens",
    "page.care_note": (
        "The shares of visits inside the county and at grassroots level are choice "
        "outcomes: they follow where residents choose to go, so a storm can raise the "
        "grassroots share because islanders stay at their health centre. The share of "
        "care needs within reach in time is access: whether a facility able to give the "
        "care lies within the care level's time window."
    ),
    "page.township": "Township",
    "page.county": "Whole county",
    "page.residents": "Residents",
    "page.beds_1000": "Beds per 1,000 within {minutes} min",
    "page.doctors_1000": "Doctors per 1,000 within {minutes} min",
    "page.access_note": (
        "Beds and doctors per 1,000: two-step floating catchment (2SFCA) within {minutes} "
        "minutes, population-weighted per township; upgrade beds included."
    ),
    "page.upgrades": "Upgrades to county medical sub-centres",
    "page.facility": "Facility",
    "page.beds": "Beds",
    "page.upgrade_beds": "Beds added",
    "page.upgrade_cost": "Cost (yuan, ESTIMATED)",
    "page.upgraded": "Upgraded",
    "page.yes": "yes",
    "page.no": "no",
    "page.upgrade_total": (
        "Total cost of the upgrades chosen: {cost} yuan (ESTIMATED, not a quote)."
    ),
    "page.no_upgrades": "No facility is upgraded in this plan.",
    "page.upgraded_ids": (
        "Upgraded: {ids}. Their added beds and ESTIMATED costs are in upgrades.csv."
    ),
    "page.upgrade_status": "Upgrade model: {status}, gap {gap}, objective {objective}",
    "page.target": "Target",
    "page.target_value": "Target share",
    "page.shortfall": "Shortfall (percentage points)",
    "page.target_met": "met",
    "layer.pathway": "{condition}: treated in time",
    "pathway.day": "Day",
    "pathway.night": "Night",
    "pathway.switch_title": "Time of day of the time-critical layers",
    "pathway.legend_title": "{condition}: onset to treatment within {window} min",
    "pathway.estimate": "window ESTIMATED",
    "pathway.shares": "Residents in time: {day} by day, {night} by night",
    "pathway.in_time": "treated in time",
    "pathway.late": "not in time",
    "pathway.no_route": "no capable centre reached",
    "pathway.lines": "Lines: to the centre reached, for residents not in time or on an island.",
    "pathway.zone": "Zone",
    "pathway.minutes": "Minutes from onset to treatment",
    "pathway.window": "Window (min)",
    "pathway.route": "Route",
    "pathway.centre": "Centre reached",
    "pathway.via": "Via",
    "pathway.route_direct": "direct to the centre",
    "pathway.route_transfer": "transfer through the nearest facility",
    "pathway.route_air": "helicopter",
    "pathway.route_none": "none",
    "page.pathways": "Time-critical care",
    "page.pathways_note": (
        "Share of ALL residents treated within each condition's window from onset: "
        "ambulance dispatch, the drive to a capable centre (or a transfer through the nearest "
        "facility, or the helicopter), handover and door to treatment; zones cut off by a "
        "closed crossing count with their reopening times. Windows marked ESTIMATE are "
        "planning assumptions, not guideline values."
    ),
    "page.condition": "Condition",
    "page.window": "Window (min)",
    "page.in_time_day": "In time, day",
    "page.in_time_night": "In time, night",
    "page.median_day": "Median min, day",
    "page.median_night": "Median min, night",
    "page.late_day": "Not in time, day",
    "page.late_night": "Not in time, night",
    "page.late": "Not in time",
    "page.estimate": "ESTIMATE",
    "page.pathway_places": "Residents not in time, by island and township",
    "page.period": "Time of day",
    "page.island": "Island",
    "page.max_min": "Longest (min)",
    "page.places_more": "{n} more rows in kpis.json (pathway_places).",
    "page.no_late": "Every resident is treated in time for every condition, by day and by night.",
    "page.siting": "Where a new centre helps most",
    "page.siting_chosen": "Chosen: {chosen}, given {capabilities} for {condition}.",
    "page.siting_status": (
        "Siting model ({objective}): {status}, gap {gap}; {value} of {population} residents "
        "in time."
    ),
    "page.existing": "Already capable",
    "page.chosen": "Chosen",
    "page.in_time_with_day": "Residents in time with it, day",
    "page.in_time_with_night": "Residents in time with it, night",
}


_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "netopt_language", default=None
)


#: The languages of the pages: English (:data:`MESSAGES`) and one per locale file.
LANGUAGES: tuple[str, ...] = page_languages()


@functools.cache
def catalogue(lang: str = "en") -> dict[str, str]:
    """Return the message catalogue of ``lang``: every key of the English one (:data:`MESSAGES`
    plus ``kpi.<key>``, the label of each KPI of :data:`netopt.kpis.KPIS` and
    :data:`~netopt.kpis.PATHWAY_KPIS`, and ``pathway.cond.<key>``, the short name of each
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
        conds = {f"pathway.cond.{k}": html.escape(v) for k, v in PATHWAY_CONDITIONS.items()}
        return {**MESSAGES, **kpis, **conds}
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}: use one of {list(LANGUAGES)}")
    return dict(json.loads((LOCALE_DIR / f"{lang}.json").read_text(encoding="utf-8")))


@functools.cache
def _by_english(lang: str) -> dict[str, str]:
    """English text (unescaped, without fields) to the text of ``lang`` (unescaped)."""
    theirs = catalogue(lang)
    return {
        html.unescape(text): html.unescape(theirs.get(key, text))
        for key, text in catalogue("en").items()
        if "{" not in text
    }


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
    head, colon, tail = text.partition(": ")
    if colon and head in known:  # "Alliance plan: status", "Baseline (...): <KPI label>"
        return known[head] + known[colon] + translate(tail, lang)
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
_ARIA_LABEL = re.compile(r'aria-label="([^"<>]+)"')


def localise(page: str, lang: str | None = None) -> str:
    """Translate a rendered page: ``<html lang>`` and each text node the catalogue knows.

    A text node (between two tags) or ``aria-label`` whose whole text, stripped, is an English
    label of the catalogue, a stage text or ``"<label>: <text>"`` is replaced by its
    translation; every other node (names, numbers) is kept.

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
        done = translate(html.unescape(match.group(1)), lang)
        return f'aria-label="{html.escape(done, quote=True)}"'

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
