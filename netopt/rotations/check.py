"""Independent re-check of a schedule's hard constraints: :func:`validate_schedule`.

It reads only the output tables of a :class:`~netopt.rotations.RotationSchedule`, never
the model, and recomputes gaps and shortfalls by walking the calendar.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from netopt._clock import parse_clock
from netopt.rotations.needs import COUNTY_TIER, PARTNER_TIER
from netopt.rotations.schedule import RotationSchedule

__all__ = ["validate_schedule"]


def validate_schedule(
    schedule: RotationSchedule,
    *,
    experts: pd.DataFrame | None = None,
    travel: pd.DataFrame | None = None,
    tolerance_min: float = 1.0,
) -> list[str]:
    """Re-check every hard constraint of a schedule; return the violations (empty if none).

    Independent of the model: it reads only the output tables. Checks: visits inside the
    horizon; one place per expert per day (lodging days included, across both tiers); the
    expert available on every day occupied; outreach days within the expert's limit; the
    tier: a visit to a lead hosted by a partner (``settings["hosted_by"]``) is a
    ``"partner->county"`` visit by an expert of that partner (any partner with
    ``cross_alliance``), every other visit a ``"county->township"`` visit to a member site
    that is no partner, by an expert of the site's own alliance (any alliance with
    ``cross_alliance``) whose home is no partner unless the partner leads its alliance;
    a day trip fits the working day with the minimum clinic time and
    uses an (origin, site) pair that is a day trip in the travel table (so the ferries run);
    a multi-day stay is allowed, has the configured lodging days and fits its days; clinic
    time between the minimum and the maximum per day; expected
    patients within each visit's clinic capacity and the site's need; coverage rows agree
    with the visits (delivered visits, longest gap, shortfall recomputed from the dates)
    and carry the rhythm of their tier (``partner_rhythm_days`` at a hosted lead,
    ``rhythm_days`` elsewhere); and the rhythm holds wherever no shortfall is reported.

    Parameters
    ----------
    schedule : RotationSchedule
    experts : pandas.DataFrame, optional
        Expert table to check against (default ``schedule.experts``).
    travel : pandas.DataFrame, optional
        Visit options to check against (default ``schedule.travel``).
    tolerance_min : float, default 1
        Rounding tolerance for time sums.

    Returns
    -------
    list of str
    """
    st = schedule.settings
    ex = schedule.experts if experts is None else experts
    tr = schedule.travel if travel is None else travel
    v = schedule.visits
    horizon = int(st["horizon_days"])
    if len(v) == 0:
        return _check_coverage(schedule, v, horizon)
    span = 1 + v["lodging_days"].astype(int)
    bad: list[str] = []
    for r, n in zip(v.itertuples(), span):
        bad += _check_visit(r, int(n), st, ex, tr, tolerance_min)
    bad += _check_days(v, span, ex)
    bad += _check_coverage(schedule, v, horizon)
    return bad


def _check_visit(r, n: int, st: dict, ex: pd.DataFrame, tr: pd.DataFrame, tol: float) -> list[str]:
    """The violations of one visit (row ``r`` occupying ``n`` days)."""
    bad: list[str] = []
    start, horizon = st["start_date"], int(st["horizon_days"])
    w0, w1 = (int(parse_clock(t)) for t in st["workday"])
    workday = w1 - w0
    tag = f"visit {r.expert} -> {r.site} on {r.date}"
    first = (r.date - start).days
    if first != r.day or first < 0 or first + n > horizon:
        bad.append(f"{tag}: outside the {horizon}-day horizon or day {r.day} != date")
    if r.expert not in ex.index:
        bad.append(f"{tag}: unknown expert")
        return bad
    e = ex.loc[r.expert]
    if e["specialty"] != r.specialty:
        bad.append(f"{tag}: specialty {r.specialty} but the expert is {e['specialty']}")
    occupied = [r.date + dt.timedelta(days=t) for t in range(n)]
    missing = [d for d in occupied if d not in set(e["available"])]
    if missing:
        bad.append(f"{tag}: expert not available on {', '.join(map(str, missing))}")
    bad += _check_tier(r, e, st, tag)
    opt = tr[(tr["origin"] == e["home"]) & (tr["site"] == r.site)]
    stay_days = int(opt["stay_days"].iloc[0]) if len(opt) else 0
    clinic = 60.0 * r.clinic_hours
    total = r.travel_out_min + clinic + r.travel_back_min
    if r.stay == "day trip":
        if n != 1:
            bad.append(f"{tag}: a day trip with {r.lodging_days} lodging days")
        if stay_days != 1:
            bad.append(f"{tag}: not a day trip in the travel table (ferry or time)")
        if total > workday + tol:
            bad.append(f"{tag}: {total:.0f} min of travel and clinic > {workday} min day")
    else:
        if not st["allow_stays"]:
            bad.append(f"{tag}: multi-day stay but stays are not allowed")
        if int(r.lodging_days) != int(st["lodging_days"]) or stay_days != n:
            bad.append(f"{tag}: {r.lodging_days} lodging days, travel table says {stay_days - 1}")
        if total > n * workday + tol:
            bad.append(f"{tag}: {total:.0f} min > {n} working days")
    cap_h = st.get("max_clinic_hours")
    if cap_h is not None and clinic > n * 60.0 * cap_h + tol:
        bad.append(f"{tag}: clinic {r.clinic_hours:.2f} h > {n} x {cap_h} h")
    if clinic < 60.0 * st["min_clinic_hours"] - tol:
        bad.append(f"{tag}: clinic {r.clinic_hours:.2f} h < {st['min_clinic_hours']} h")
    if r.expected_patients > math.floor(st["patients_per_clinic_hour"] * clinic / 60.0 + 1e-6):
        bad.append(f"{tag}: {r.expected_patients} patients > clinic capacity")
    return bad


def _check_tier(r, e: pd.Series, st: dict, tag: str) -> list[str]:
    """Who may visit where: partner experts at the leads their hospital hosts, county
    experts at their own alliance's member sites."""
    hosted = dict(st.get("hosted_by") or {})
    partners = set(hosted.values())
    cross = bool(st["cross_alliance"])
    given = getattr(r, "tier", None)
    bad = []
    if r.site in hosted:
        if given is not None and given != PARTNER_TIER:
            bad.append(f"{tag}: tier {given!r} at a hosted lead, expected {PARTNER_TIER!r}")
        if e["home"] != hosted[r.site] and not (cross and e["home"] in partners):
            bad.append(
                f"{tag}: lead hosted by {hosted[r.site]}, expert of {e['home']} is not its partner"
            )
        return bad
    if given is not None and given != COUNTY_TIER:
        bad.append(f"{tag}: tier {given!r} at a member site, expected {COUNTY_TIER!r}")
    if r.site in partners:
        bad.append(f"{tag}: {r.site} is a partner hospital, not a member site to visit")
    if e["home"] in partners and e["home"] != e["lead"]:
        bad.append(f"{tag}: partner expert (home {e['home']}) at a member site")
    if not cross and r.lead != e["lead"]:
        bad.append(f"{tag}: site of alliance {r.lead}, expert of {e['lead']}")
    return bad


def _check_days(v: pd.DataFrame, span: pd.Series, ex: pd.DataFrame) -> list[str]:
    """One place per expert per day; outreach days within each expert's limit."""
    bad = []
    occ = pd.DataFrame(
        {
            "expert": np.repeat(v["expert"].to_numpy(), span),
            "day": np.concatenate([np.arange(d, d + n) for d, n in zip(v["day"], span)]),
        }
    )
    for (e, d), c in occ.value_counts().items():
        if c > 1:
            bad.append(f"expert {e}: {c} places on day {d}")
    used = occ.groupby("expert").size()
    for e, n in used.items():
        if e in ex.index and n > int(ex.at[e, "max_days"]):
            bad.append(f"expert {e}: {n} outreach days > limit {int(ex.at[e, 'max_days'])}")
    return bad


def _check_coverage(schedule: RotationSchedule, v: pd.DataFrame, horizon: int) -> list[str]:
    """Coverage rows agree with the visits; the rhythm holds where no shortfall is claimed."""
    bad = []
    cov = schedule.coverage
    st = schedule.settings
    hosted = dict(st.get("hosted_by") or {})
    served = v.groupby(["site", "specialty"])["expected_patients"].sum() if len(v) else {}
    for r in cov.itertuples():
        sel = v[(v["site"] == r.site) & (v["specialty"] == r.specialty)] if len(v) else v
        days = sel["day"].to_numpy(int) if len(sel) else np.zeros(0, int)
        tag = f"coverage {r.site}/{r.specialty}"
        key = "partner_rhythm_days" if r.site in hosted else "rhythm_days"
        want = (st.get(key) or {}).get(r.specialty)
        if want is not None and int(want) != int(r.rhythm_days):
            bad.append(f"{tag}: rhythm {r.rhythm_days} days claimed, {key} says {want}")
        tier = PARTNER_TIER if r.site in hosted else COUNTY_TIER
        if getattr(r, "tier", tier) != tier:
            bad.append(f"{tag}: tier {r.tier!r}, expected {tier!r}")
        if len(days) != r.delivered_visits:
            bad.append(f"{tag}: {r.delivered_visits} visits claimed, {len(days)} scheduled")
        gap = _longest_gap(days, horizon)
        if gap != r.max_gap_days:
            bad.append(f"{tag}: longest gap {r.max_gap_days} claimed, {gap} found")
        short = _fewest_extra_visits(days, horizon, int(r.rhythm_days))
        if short != r.shortfall:
            bad.append(f"{tag}: shortfall {r.shortfall} claimed, {short} found")
        if r.shortfall == 0 and gap >= min(int(r.rhythm_days), horizon):
            bad.append(f"{tag}: a {gap}-day gap breaks the {r.rhythm_days}-day rhythm")
        got = int(served.get((r.site, r.specialty), 0)) if len(v) else 0
        if got > r.need_patients:
            bad.append(f"{tag}: {got} patients expected > need {r.need_patients}")
    return bad


def _longest_gap(days: np.ndarray, horizon: int) -> int:
    """Longest run of days without a visit, by walking the calendar (validation copy)."""
    seen = {int(d) for d in days}
    best = run = 0
    for d in range(horizon):
        run = 0 if d in seen else run + 1
        best = max(best, run)
    return best


def _fewest_extra_visits(days: np.ndarray, horizon: int, rhythm: int) -> int:
    """Greedy window scan: add a visit at the end of every window left empty (validation copy)."""
    k = min(rhythm, horizon)
    have = {int(d) for d in days}
    added = 0
    for w in range(horizon - k + 1):
        if not any(d in have for d in range(w, w + k)):
            have.add(w + k - 1)
            added += 1
    return added
