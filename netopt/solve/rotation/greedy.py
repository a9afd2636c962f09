"""The greedy warm start of the rotation model, feasible by construction.

:func:`greedy_fill` adds, to a feasible selection of visits, the visit of largest marginal
gain while one helps, keeping every expert in one place per day and within the outreach-day
limit; :func:`hint_sites` gives the phantom and served variables that match the selected
visits (the phantom visits of the greedy interval cover, the patients served capped at the
need). Together they satisfy every constraint of the model: they are the CP-SAT hint, and the
schedule returned when a time limit stops the search before CP-SAT finds a solution.
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["greedy_fill", "hint_sites", "start_problems"]


def greedy_fill(sel, cand, inst, ck, travel, cap, need, saving, weights) -> np.ndarray:
    """Add the visit of largest marginal gain while one helps (a warm start for phase 2)."""
    ce, cs, cd, cl = cand["e"], cand["s"], cand["d"], cand["len"]
    E, S, K, D = inst.shape
    sel = sel.copy()
    occupied = np.zeros((E, D + int(cl.max(initial=1))), dtype=bool)
    for t in range(int(cl.max(initial=1))):
        on = sel & (t < cl)
        occupied[ce[on], cd[on] + t] = True
    days_used = np.bincount(ce[sel], weights=cl[sel], minlength=E)
    got = np.zeros((S, K))
    np.add.at(got, (cs[sel], ck[sel]), cap[sel])
    base = -float(weights.expert_travel) * travel.astype(float)
    for _ in range(len(sel)):
        busy = np.zeros(len(sel), dtype=bool)
        for t in range(int(cl.max(initial=1))):
            busy |= (t < cl) & occupied[ce, cd + t]
        ok = ~sel & ~busy & (days_used[ce] + cl <= inst.max_days[ce])
        if not ok.any():
            break
        left = np.maximum(need[cs, ck] - got[cs, ck], 0)
        gain = saving[cs] * np.minimum(cap, left) + base
        gain = np.where(ok, gain, -np.inf)
        i = int(np.argmax(gain))
        if gain[i] <= 0:
            break
        sel[i] = True
        occupied[ce[i], cd[i] : cd[i] + cl[i]] = True
        days_used[ce[i]] += cl[i]
        got[cs[i], ck[i]] += cap[i]
    return sel


def hint_sites(sel, cand, ck, cap, need, rhythm, D, phantoms, served_vars) -> list:
    """Hint values of the phantom and served variables that match the selected visits."""
    cs, cd = cand["s"], cand["d"]
    out = []
    for (s, k), p in phantoms.items():
        days = np.unique(cd[sel & (cs == s) & (ck == k)])
        width = int(rhythm[s, k])
        fill = np.zeros(D, dtype=bool)
        edges = np.concatenate([[-1], days, [D]])
        for a, b in itertools.pairwise(edges):  # free run a+1 .. b-1
            fill[np.arange(a + width, b, width)] = True
        out += [(v, bool(fill[d])) for d, v in p.items()]
        got = int(cap[sel & (cs == s) & (ck == k)].sum())
        out.append((served_vars[(s, k)], min(int(need[s, k]), got)))
    return out


def start_problems(rm, inst, sel: np.ndarray) -> list[str]:
    """The expert constraints a selection of candidate visits breaks (empty: none).

    Checks one place per expert per day, availability on every day a visit occupies, the
    horizon and the outreach-day limits; the site constraints hold for any selection with
    the values of :func:`hint_sites`.

    Parameters
    ----------
    rm : netopt.solve.rotation.model.RotationModel
        The model the candidates belong to.
    inst : netopt.solve.rotation.RotationInstance
        Its data.
    sel : numpy.ndarray of bool
        Selected candidates.

    Returns
    -------
    list of str
    """
    E, _S, _K, D = inst.shape
    ce, cd, cl = rm.cand["e"], rm.cand["d"], rm.cand["len"]
    on = np.flatnonzero(sel)
    problems = []
    occupied = np.zeros((E, D + int(cl.max(initial=1))), dtype=np.int64)
    for i in on:
        occupied[ce[i], cd[i] : cd[i] + cl[i]] += 1
    if (occupied > 1).any():
        problems.append(f"{int((occupied > 1).sum())} expert-days hold two visits")
    if (occupied[:, D:] > 0).any():
        problems.append("a visit runs past the horizon")
    avail = np.asarray(inst.available, dtype=bool)
    if ((occupied[:, :D] > 0) & ~avail).any():
        problems.append("a visit falls on a day its expert is not available")
    days = np.bincount(ce[on], weights=cl[on], minlength=E)
    if (days > np.asarray(inst.max_days)).any():
        problems.append("an expert exceeds the outreach-day limit")
    return problems
