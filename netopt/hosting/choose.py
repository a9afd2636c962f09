r"""Choose hosting partners for county leads: :func:`choose_partners`.

Each lead :math:`l` is hosted by at most one candidate partner :math:`k`. Hosting :math:`l`
by :math:`k` (the rules of :mod:`netopt.hosting.model`, without a capacity) leaves
:math:`c_{lk}` patient-hours a year of the lead's zones at the referral and follow-up levels,
and redirects :math:`r_{lk}` visits a year to the partner; unhosted the lead keeps
:math:`u_l`, today's patient-hours of those visits. The choice minimises the patient-hours
that remain under the partners' capacities :math:`Q_k` (redirected visits a year, over every
lead a partner hosts):

.. math::

    \min \sum_l \Bigl( u_l \bigl(1 - \sum_k x_{lk}\bigr) + \sum_k c_{lk} x_{lk} \Bigr)
    \quad \text{s.t.} \quad \sum_k x_{lk} \le 1,\;
    \sum_l r_{lk} x_{lk} \le Q_k,\; x_{lk} \in \{0, 1\}

solved exactly by branch and bound (:func:`netopt.hosting._assign.assign_partners`). A lead is
hosted only when the partner can take all the visits it would redirect; to host a lead in
part, give its link in the data with the capacity the partner offers it. Since
:math:`c_{lk} \le u_l` always (hosting never raises patient-hours), every lead with a
candidate that fits is hosted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from netopt._errors import DataError, Problem
from netopt.flows import CARE_LEVELS, Flows, eligibility
from netopt.hosting._assign import assign_partners
from netopt.hosting.model import host_visits
from netopt.hosting.options import HostingCandidate, HostingLink, HostingOptions
from netopt.solve import SolveResult, SolverParams

__all__ = ["choose_partners", "hosting_costs"]

logger = logging.getLogger(__name__)


def _hours(visits: np.ndarray, minutes: np.ndarray, levels: np.ndarray, zones: np.ndarray) -> float:
    """Patient-hours a year (round trips) of the visits at ``levels`` of ``zones``."""
    v = visits[levels][:, zones, :]
    t = minutes[zones]
    return float((v * np.where(np.isfinite(t), t, 0.0)[None] * (2.0 / 60.0)).sum())


def hosting_costs(
    flows: Flows,
    leads: Sequence[str],
    candidates: Sequence[HostingCandidate],
    *,
    options: HostingOptions | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the data of the choice: costs, loads, capacities and unhosted costs.

    Parameters
    ----------
    flows : netopt.flows.Flows
    leads : sequence of str
        Lead facility ids (their zones are those with that alliance lead).
    candidates : sequence of HostingCandidate
    options : HostingOptions, optional
        The shared follow-up share and levels of the chosen links (default
        :class:`HostingOptions()`).

    Returns
    -------
    cost : numpy.ndarray, shape (L, K)
        Patient-hours a year left with each partner (``inf``: the partner is the lead).
    load : numpy.ndarray, shape (L, K)
        Visits a year redirected to the partner.
    capacity : numpy.ndarray, shape (K,)
        ``inf`` for no limit.
    unhosted : numpy.ndarray, shape (L,)
        Patient-hours a year without a partner.

    Raises
    ------
    DataError
        An id not in the flows' choice set.
    """
    options = HostingOptions() if options is None else options
    cs = flows.choice_set
    pos = {f: j for j, f in enumerate(cs.labels())}
    unknown = [("leads", x) for x in leads if x not in pos]
    unknown += [("candidates", c.partner) for c in candidates if c.partner not in pos]
    if unknown:
        raise DataError([
            Problem("[hosting]", "", name, f"unknown facility {fid!r}",
                    "use a facility id of the plan")
            for name, fid in unknown
        ])  # fmt: skip
    eligible = eligibility(cs).astype(bool)
    ref = np.isin(np.asarray(CARE_LEVELS), list(options.referral_levels))
    fol = np.isin(np.asarray(CARE_LEVELS), list(options.followup_levels))
    counted = ref | fol
    n, m = len(leads), len(candidates)
    cost, load = np.full((n, m), np.inf), np.zeros((n, m))
    unhosted = np.zeros(n)
    base = np.asarray(flows.visits, dtype=float)
    for i, lead in enumerate(leads):
        zones = cs.lead_of_zone == pos[lead]
        unhosted[i] = _hours(base, cs.minutes, counted, zones)
        for k, cand in enumerate(candidates):
            if cand.partner == lead:
                continue
            after, effect = host_visits(
                base, cs.minutes, cs.in_area, eligible, zones, pos[cand.partner], pos[lead],
                followup_share=options.followup_share, referral_levels=ref,
                followup_levels=fol,
            )  # fmt: skip
            cost[i, k] = min(_hours(after, cs.minutes, counted, zones), unhosted[i])
            load[i, k] = effect.redirected_per_year
    capacity = np.array(
        [np.inf if c.capacity_per_year is None else c.capacity_per_year for c in candidates]
    )
    return cost, load, capacity, unhosted


def choose_partners(
    flows: Flows,
    leads: Sequence[str],
    candidates: Sequence[HostingCandidate],
    *,
    options: HostingOptions | None = None,
    params: SolverParams = SolverParams(),
) -> tuple[list[HostingLink], SolveResult]:
    """Assign each lead to at most one candidate partner (the model of the module docstring).

    Parameters
    ----------
    flows : netopt.flows.Flows
        The plan's flows.
    leads : sequence of str
        The leads that may be hosted.
    candidates : sequence of HostingCandidate
        The partners and their capacities.
    options : HostingOptions, optional
        The follow-up share and levels of the chosen links.
    params : SolverParams, optional
        ``time_limit_s`` of the search (wall clock). The search is deterministic: the same
        data (and seed) give the same answer.

    Returns
    -------
    links : list of HostingLink
        One per hosted lead, in the order of ``leads``; each carries the capacity left to it
        (the partner's capacity less the loads of the other leads it hosts).
    result : netopt.solve.SolveResult
        ``assignment[l]``: candidate index or -1; ``objective``: the patient-hours a year
        left, ``bound``, ``gap``, ``status``.

    Raises
    ------
    DataError
        An unknown facility id.

    Examples
    --------
    >>> links, result = choose_partners(flows, ["XS-H02"], [HostingCandidate("NB-H01")])
    ... # doctest: +SKIP
    """
    options = HostingOptions() if options is None else options
    leads, candidates = list(leads), list(candidates)
    cost, load, capacity, unhosted = hosting_costs(flows, leads, candidates, options=options)
    result = assign_partners(cost, load, capacity, unhosted, params=params)
    links = []
    for i, k in enumerate(result.assignment):
        if k < 0:
            continue
        cap = candidates[k].capacity_per_year
        if cap is not None:
            others = sum(load[j, k] for j in np.flatnonzero(result.assignment == k) if j != i)
            cap = max(float(cap - others), float(load[i, k]))
        links.append(options.link(candidates[k].partner, leads[i], cap))
    logger.info(
        "hosting partners chosen for %d of %d lead(s): %s (%s)",
        len(links), len(leads), ", ".join(f"{x.partner}->{x.lead}" for x in links) or "none",
        result.status,
    )  # fmt: skip
    return links, result
