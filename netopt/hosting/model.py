r"""The hosting model on a plan's flows: referrals up and follow-ups brought home.

A link hosts lead :math:`\ell` by partner :math:`p`; its zones :math:`Z_\ell` are those whose
alliance lead is :math:`\ell`. With :math:`x_{lzj}` the yearly visits of
:class:`netopt.flows.Flows` and :math:`t_{zj}` the one-way minutes, the model moves visits in
two steps, each to a facility that is no farther for the zone, so that **hosting never
raises patient-hours** (:math:`\sum x_{lzj} \cdot 2 t_{zj} / 60`) and every visit still goes
somewhere:

(a) *Referral up.* For :math:`z \in Z_\ell` and each referral level :math:`l` (default the
    transfer levels: inpatient, emergency, recurring) at which the partner is eligible, the
    visits at a facility :math:`j` outside the area (not the partner, not the lead) move to the
    partner when :math:`t_{zp} \le t_{zj}`: the county's care that leaves the area goes to its
    partner rather than to any outside hospital, and the rest stays where the patients chose.
    With a capacity :math:`Q` (redirected visits a year) the moves that save the most minutes
    per visit go first, the last one in part (a fractional knapsack, which saves the most
    patient-hours for the capacity).

(b) *Follow-up brought home.* For :math:`z \in Z_\ell` with :math:`t_{z\ell} < t_{zp}` and
    each follow-up level (default recurring) at which the lead is eligible, the share
    :math:`s` (``followup_share``) of the zone's visits at the partner, after (a), happen at
    the lead instead. Each is a trip to the partner saved, and
    :math:`2 (t_{zp} - t_{z\ell}) / 60` patient-hours saved; together they are the load
    added to the county hospital.

:func:`host_flows` applies the links (each lead at most once, so their zones are disjoint)
and returns the new flows and one :class:`LinkEffect` per link.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from netopt._errors import DataError, Problem
from netopt.flows import CARE_LEVELS, TRANSFER_LEVELS, Flows, eligibility
from netopt.hosting.options import FOLLOWUP_LEVELS, FOLLOWUP_SHARE, HostingLink

__all__ = ["LinkEffect", "host_flows", "host_visits"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class LinkEffect:
    """What one link changes, per care level and zone (arrays over all Z zones).

    Attributes
    ----------
    partner, lead : int
        Facility indices.
    zones : numpy.ndarray of bool, shape (Z,)
        The hosted zones (their alliance lead is ``lead``).
    redirected : numpy.ndarray, shape (L, Z)
        Visits a year moved to the partner from other hospitals outside the area (a).
    redirect_hours : numpy.ndarray, shape (Z,)
        Patient-hours a year those moves save (>= 0).
    followups : numpy.ndarray, shape (L, Z)
        Visits a year at the partner that happen at the lead instead (b).
    followup_hours : numpy.ndarray, shape (Z,)
        Patient-hours a year those save (>= 0).
    referrals_up : numpy.ndarray, shape (Z,)
        Visits a year at the referral levels at the partner after hosting.
    referrals_before : numpy.ndarray, shape (Z,)
        The same before hosting.
    capacity_per_year : float or None
        The link's capacity for redirected visits.
    """

    partner: int
    lead: int
    zones: np.ndarray
    redirected: np.ndarray
    redirect_hours: np.ndarray
    followups: np.ndarray
    followup_hours: np.ndarray
    referrals_up: np.ndarray
    referrals_before: np.ndarray
    capacity_per_year: float | None = None

    @property
    def redirected_per_year(self) -> float:
        """All visits redirected to the partner."""
        return float(self.redirected.sum())

    @property
    def followups_per_year(self) -> float:
        """All follow-up visits brought home (the load added to the lead)."""
        return float(self.followups.sum())


def _level_mask(levels: Sequence[str]) -> np.ndarray:
    return np.isin(np.asarray(CARE_LEVELS), list(levels))


def _fill(amount: np.ndarray, gain: np.ndarray, cap: float) -> np.ndarray:
    """Take ``amount`` in order of decreasing ``gain`` until ``cap`` (the last one in part);
    ties in array order."""
    flat, g = amount.ravel(), gain.ravel()
    order = np.argsort(-g, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(flat[order])[:-1]])
    take = np.clip(cap - before, 0.0, flat[order])
    out = np.zeros_like(flat)
    out[order] = take
    return out.reshape(amount.shape)


def host_visits(
    visits: np.ndarray,
    minutes: np.ndarray,
    in_area: np.ndarray,
    eligible: np.ndarray,
    zones: np.ndarray,
    partner: int,
    lead: int,
    *,
    capacity_per_year: float | None = None,
    followup_share: float = FOLLOWUP_SHARE,
    referral_levels: np.ndarray | None = None,
    followup_levels: np.ndarray | None = None,
) -> tuple[np.ndarray, LinkEffect]:
    """Apply one link to plain arrays (the rules (a) and (b) of the module docstring).

    Parameters
    ----------
    visits : numpy.ndarray, shape (L, Z, F)
        Yearly visits (not modified).
    minutes : numpy.ndarray, shape (Z, F)
        One-way minutes (``inf``: unreachable).
    in_area : numpy.ndarray of bool, shape (F,)
    eligible : numpy.ndarray of bool, shape (F, L)
        Which facility gives which level (:func:`netopt.flows.eligibility`).
    zones : numpy.ndarray of bool, shape (Z,)
        The hosted zones.
    partner, lead : int
        Facility indices (distinct).
    capacity_per_year : float or None, default None
        Visits a year that may be redirected (None: no limit).
    followup_share : float, default 0.75
        Share of the follow-up visits at the partner brought home.
    referral_levels, followup_levels : numpy.ndarray of bool, shape (L,), optional
        Default: the transfer levels, and recurring care.

    Returns
    -------
    visits : numpy.ndarray, shape (L, Z, F)
        The visits after hosting (a new array).
    effect : LinkEffect
    """
    ref = _level_mask(TRANSFER_LEVELS) if referral_levels is None else referral_levels
    fol = _level_mask(FOLLOWUP_LEVELS) if followup_levels is None else followup_levels
    ref, fol = np.asarray(ref, dtype=bool), np.asarray(fol, dtype=bool)
    out = np.array(visits, dtype=float, copy=True)
    n_lev, n_zones = out.shape[:2]
    zones = np.asarray(zones, dtype=bool)
    zi = np.flatnonzero(zones)
    t = minutes[zi]  # (Zh, F)
    tp = t[:, partner]
    # (a) referral up: outside facilities no nearer than the partner
    source = ~np.asarray(in_area, bool)[None, :] & np.isfinite(t) & (tp[:, None] <= t)
    source[:, [partner, lead]] = False
    levels_a = ref & eligible[partner]
    amount = np.where(levels_a[:, None, None] & source[None], out[:, zi, :], 0.0)
    with np.errstate(invalid="ignore"):  # inf - inf where neither is reachable
        gain = np.where(source, (t - tp[:, None]) * (2.0 / 60.0), 0.0)
    total = float(amount.sum())
    cap = capacity_per_year
    if cap is None or total <= cap:
        moved = amount
    else:
        moved = _fill(amount, np.broadcast_to(gain, amount.shape), cap)
    block = out[:, zi, :]
    block -= moved
    block[:, :, partner] += moved.sum(axis=2)
    out[:, zi, :] = block
    redirected = np.zeros((n_lev, n_zones))
    redirected[:, zi] = moved.sum(axis=2)
    redirect_hours = np.zeros(n_zones)
    redirect_hours[zi] = (moved * gain[None]).sum(axis=(0, 2))
    before = np.zeros(n_zones)
    before[zi] = visits[ref][:, zi, partner].sum(axis=0)
    # (b) follow-up brought home: where the lead is nearer than the partner
    tl = t[:, lead]
    home = np.isfinite(tl) & np.isfinite(tp) & (tl < tp)
    levels_b = fol & eligible[lead]
    at_partner = out[:, zi, partner]
    back = np.where(levels_b[:, None] & home[None, :], followup_share * at_partner, 0.0)
    out[:, zi, partner] -= back
    out[:, zi, lead] += back
    followups = np.zeros((n_lev, n_zones))
    followups[:, zi] = back
    followup_hours = np.zeros(n_zones)
    with np.errstate(invalid="ignore"):
        saved = np.where(home, (tp - tl) * (2.0 / 60.0), 0.0)
    followup_hours[zi] = (back * saved[None, :]).sum(axis=0)
    after = np.zeros(n_zones)
    after[zi] = out[ref][:, zi, partner].sum(axis=0)
    effect = LinkEffect(
        partner=int(partner),
        lead=int(lead),
        zones=zones,
        redirected=redirected,
        redirect_hours=redirect_hours,
        followups=followups,
        followup_hours=followup_hours,
        referrals_up=after,
        referrals_before=before,
        capacity_per_year=cap,
    )
    return out, effect


def _indices(flows: Flows, links: Sequence[HostingLink]) -> list[tuple[int, int]]:
    """Facility indices of each link's partner and lead (every unknown id a problem)."""
    cs = flows.choice_set
    pos = {f: j for j, f in enumerate(cs.labels())}
    problems = []
    out = []
    leads = set()
    for link in links:
        src = f"hosting link {link.partner} -> {link.lead}"
        for name in ("partner", "lead"):
            if getattr(link, name) not in pos:
                problems.append(Problem(src, "", name, f"unknown facility {getattr(link, name)!r}",
                                        "use a facility id of the plan's choice set"))  # fmt: skip
        if link.lead in leads:
            problems.append(Problem(src, "", "lead", "hosted twice", "give each lead one partner"))
        leads.add(link.lead)
        if link.partner in pos and link.lead in pos:
            out.append((pos[link.partner], pos[link.lead]))
    if problems:
        raise DataError(problems)
    return out


def host_flows(flows: Flows, links: Sequence[HostingLink]) -> tuple[Flows, list[LinkEffect]]:
    """Apply hosting links to a plan's flows.

    Parameters
    ----------
    flows : netopt.flows.Flows
        The plan's flows (with ``choice_set.facility_ids`` naming the facilities).
    links : sequence of HostingLink
        Each lead at most once; the hosted zones of a link are those whose alliance lead
        (``choice_set.lead_of_zone``) is the link's lead.

    Returns
    -------
    flows : netopt.flows.Flows
        The flows after hosting: same choice set and demand, visits moved.
    effects : list of LinkEffect
        One per link, in order.

    Raises
    ------
    DataError
        An unknown facility id or a lead hosted twice.
    """
    cs = flows.choice_set
    eligible = eligibility(cs).astype(bool)
    visits = np.asarray(flows.visits, dtype=float)
    effects = []
    for link, (p, lead) in zip(links, _indices(flows, links), strict=True):
        zones = cs.lead_of_zone == lead
        visits, effect = host_visits(
            visits, cs.minutes, cs.in_area, eligible, zones, p, lead,
            capacity_per_year=link.capacity_per_year,
            followup_share=link.followup_share,
            referral_levels=_level_mask(link.referral_levels),
            followup_levels=_level_mask(link.followup_levels),
        )  # fmt: skip
        logger.debug(
            "hosting %s -> %s: %d zones, %.1f redirected, %.1f follow-ups home",
            link.partner, link.lead, int(zones.sum()), effect.redirected_per_year,
            effect.followups_per_year,
        )  # fmt: skip
        effects.append(effect)
    np.clip(visits, 0.0, None, out=visits)  # rounding of exact moves
    return Flows(visits=visits, choice_set=cs, demand=flows.demand), effects
