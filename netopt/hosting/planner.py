"""Host a plan's county leads by city or tertiary partners: :func:`plan_hosting`."""

from __future__ import annotations

import logging
from typing import Any

from netopt._errors import DataError, Problem
from netopt.flows import Flows
from netopt.hosting.choose import choose_partners
from netopt.hosting.model import host_flows
from netopt.hosting.options import HostingLink, HostingOptions
from netopt.hosting.result import Hosting, hosting_tables
from netopt.pathways.conditions import capable, conditions_for
from netopt.solve import SolverParams

__all__ = ["plan_hosting"]

logger = logging.getLogger("netopt.hosting")

_HOSPITALS = ("tertiary", "county")


def _check_ids(plan: Any, options: HostingOptions) -> list[Problem]:
    """Every link, lead and candidate that the plan cannot host, with the fix."""
    fac = plan.region.facilities
    leads = set(plan.leads)
    problems = []

    def facility(src: str, name: str, fid: str) -> bool:
        if fid not in fac.index:
            problems.append(Problem(src, "", name, f"unknown facility {fid!r}",
                                    "use a facility id of the region"))  # fmt: skip
            return False
        return True

    def partner(src: str, fid: str) -> None:
        if facility(src, "partner", fid) and fac.at[fid, "tier"] not in _HOSPITALS:
            problems.append(Problem(src, "", "partner", f"{fid} is a {fac.at[fid, 'tier']} "
                                    "facility", "name a city, tertiary or county hospital"))  # fmt: skip

    def lead(src: str, fid: str) -> None:
        if facility(src, "lead", fid) and fid not in leads:
            problems.append(Problem(src, "", "lead", f"{fid} is not a lead of the plan",
                                    f"host one of the plan's leads: {', '.join(plan.leads)}"))  # fmt: skip

    for link in options.links:
        src = f"[hosting] link {link.partner} -> {link.lead}"
        partner(src, link.partner)
        lead(src, link.lead)
    for cand in options.candidates:
        partner(f"[hosting] candidate {cand.partner}", cand.partner)
    for fid in options.leads or ():
        lead("[hosting] leads", fid)
        if fid in options.partner_of_lead:
            problems.append(Problem("[hosting] leads", "", "leads", f"{fid} has a given link",
                                    "leave it out of leads, or drop its link"))  # fmt: skip
    return problems


def _conditions_up(plan: Any, links: list[HostingLink]) -> dict[tuple[str, str], list[str]]:
    """The time-critical conditions each link's lead cannot treat and its partner can."""
    fac = plan.region.facilities
    conditions = conditions_for(plan.region)
    out = {}
    for link in links:
        pair = fac.loc[[link.partner, link.lead]]
        out[(link.partner, link.lead)] = [
            key for key, cond in conditions.items() if list(capable(pair, cond)) == [True, False]
        ]
    return out


def _notes(hosting_links: list[HostingLink], table: Any) -> list[str]:
    messages = []
    for link, row in zip(hosting_links, table.itertuples(), strict=True):
        cap = link.capacity_per_year
        if cap is not None and row.redirected_per_year >= cap - 1e-9 * max(cap, 1.0) and cap > 0:
            messages.append(
                f"{link.partner} takes {cap:,.0f} redirected visits/year from {link.lead}'s "
                "alliance, its capacity: the moves that save the most minutes went first"
            )
        if row.followups_home_per_year <= 0:
            messages.append(
                f"no follow-up of {link.lead}'s zones comes home from {link.partner}: none of "
                "their recurring visits go there, or the partner is nearer for them"
            )
    return messages


def plan_hosting(
    plan: Any,
    *,
    options: HostingOptions,
    flows: Flows | None = None,
    params: SolverParams | None = None,
) -> Hosting:
    """Apply hosting links to a plan: referrals up, follow-ups brought home, and the savings.

    The links given in ``options`` are applied as they are; with ``options.choose`` the
    other leads (``options.leads``, default every county-tier lead of the plan) are assigned
    to at most one candidate partner each (:func:`~netopt.hosting.choose_partners`). The
    rules (:mod:`netopt.hosting.model`) only move visits to a facility that is no farther
    for the zone, so hosting never raises the plan's patient-hours.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``leads``, ``region`` (facility tiers, capabilities, zone townships and islands)
        and its flows.
    options : HostingOptions
        The links, or the candidates to choose among.
    flows : netopt.flows.Flows, optional
        The plan's flows (e.g. with a rotation schedule's experts); default ``plan.flows()``.
    params : netopt.solve.SolverParams, optional
        For the partner choice; default the plan's.

    Returns
    -------
    Hosting

    Raises
    ------
    TypeError
        If ``options`` is not a :class:`HostingOptions` (build one with ``from_dict``).
    DataError
        The plan has no choice set (no flows); an unknown facility; a partner that is not a
        hospital; a lead that is not a lead of the plan; a lead both linked and to choose.

    Examples
    --------
    >>> options = HostingOptions.from_dict([{"partner": "NB-H01", "lead": "XS-H02"}])
    >>> hosting = plan_hosting(plan, options=options)                      # doctest: +SKIP
    >>> hosting.record()["partner_of_lead"]                                 # doctest: +SKIP
    {'XS-H02': 'NB-H01'}
    """
    if not isinstance(options, HostingOptions):
        raise TypeError(
            f"plan_hosting: expected HostingOptions, got {type(options).__name__}; "
            "build one with HostingOptions.from_dict(...)"
        )
    if params is None:
        params = getattr(plan, "params", None) or SolverParams()
    base = plan.flows() if flows is None else flows
    if base is None:
        raise DataError(Problem("plan", "", "choice", "no choice set (no patient flows)",
                                "plan with netopt.alliances.plan_alliances, which builds one"))  # fmt: skip
    problems = _check_ids(plan, options)
    if problems:
        raise DataError(problems)
    links = list(options.links)
    chosen = [False] * len(links)
    solve = None
    if options.choose:
        fac = plan.region.facilities
        leads = options.leads
        if leads is None:
            leads = tuple(
                x for x in plan.leads
                if fac.at[x, "tier"] == "county" and x not in options.partner_of_lead
            )  # fmt: skip
        picked, solve = choose_partners(base, leads, options.candidates, options=options,
                                        params=params)  # fmt: skip
        links += picked
        chosen += [True] * len(picked)
    after, effects = host_flows(base, links)
    names = plan.region.facilities["name"].astype(str).to_dict()
    link_table, zone_table = hosting_tables(
        base, links, effects, zones=plan.region.zones, names=names,
        conditions_up=_conditions_up(plan, links), chosen=chosen,
    )  # fmt: skip
    hosting = Hosting(
        links=link_table,
        zones=zone_table,
        flows=after,
        base=base,
        options=options,
        solve=solve,
        messages=tuple(_notes(links, link_table)),
    )
    logger.info("%s", hosting.summary())
    return hosting
