"""The CP-SAT rotation model: candidate visits, variables and the families of constraints.

:func:`build_model` creates one Boolean ``x`` per candidate visit (:func:`candidates`), the
expert constraints (:func:`add_expert_constraints`: one place per day, outreach days) and
the site constraints (:func:`add_site_constraints`: rhythm windows with phantom visits,
patients served with the rounding cut). The objectives are set by
:func:`~netopt.solve.rotation.solve.solve_rotation`. The mathematics is in
:mod:`netopt.solve.rotation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from netopt.solve.rotation.instance import RotationInstance

__all__ = [
    "RotationModel",
    "add_expert_constraints",
    "add_site_constraints",
    "build_model",
    "candidates",
]


@dataclass(frozen=True)
class RotationModel:
    """A built CP-SAT rotation model and the arrays of its candidate visits.

    Parameters
    ----------
    model : ortools.sat.python.cp_model.CpModel
        Variables and constraints (no objective yet).
    x : list of cp_model.IntVar
        One Boolean per candidate visit ``i``.
    cand : dict of numpy.ndarray
        ``"e"``, ``"s"``, ``"d"``, ``"len"``: expert, site, start day, days occupied.
    ck : numpy.ndarray of int
        Specialty of each candidate.
    travel : numpy.ndarray of int
        Whole expert travel minutes (out + back) of each candidate.
    cap : numpy.ndarray of int
        Patients each candidate visit can see.
    need : numpy.ndarray of int
        ``(S, K)`` patient need.
    saving : numpy.ndarray of int
        ``(S,)`` whole minutes a patient saves by being seen locally.
    rhythm : numpy.ndarray of int
        ``(S, K)`` rhythm in days of each (site, specialty), at most the horizon.
    phantoms : dict
        ``(s, k) -> {day: phantom Boolean}``.
    served : dict
        ``(s, k) -> patients-served integer variable``.
    """

    model: cp_model.CpModel
    x: list
    cand: dict[str, np.ndarray]
    ck: np.ndarray
    travel: np.ndarray
    cap: np.ndarray
    need: np.ndarray
    saving: np.ndarray
    rhythm: np.ndarray
    phantoms: dict
    served: dict

    @property
    def n(self) -> int:
        """Number of candidate visits."""
        return len(self.x)

    @property
    def all_phantoms(self) -> list:
        """Every phantom Boolean, site by site."""
        return [v for p in self.phantoms.values() for v in p.values()]


def build_model(inst: RotationInstance, cross_alliance: bool) -> RotationModel:
    """Create the variables and constraints of the rotation model of ``inst``.

    Parameters
    ----------
    inst : RotationInstance
        The data.
    cross_alliance : bool
        Let experts visit sites of other alliances.

    Returns
    -------
    RotationModel
    """
    E, _S, _K, D = inst.shape
    cand = candidates(inst, cross_alliance)
    ce, cs, cd, cl = cand["e"], cand["s"], cand["d"], cand["len"]
    ck = inst.expert_specialty[ce]
    co = inst.expert_origin[ce]
    n = len(ce)
    opt = inst.options
    travel = np.rint(opt.travel_out_min[co, cs] + opt.travel_back_min[co, cs]).astype(np.int64)
    cap = opt.capacity[co, cs].astype(np.int64)
    need = np.asarray(inst.need, dtype=np.int64)
    saving = np.rint(np.asarray(inst.patient_saving_min, float)).astype(np.int64)
    rhythm = np.minimum(inst.site_rhythm, D)

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x_e{ce[i]}_s{cs[i]}_d{cd[i]}") for i in range(n)]
    add_expert_constraints(model, x, ce, cd, cl, inst.max_days, E, D)
    phantoms, served = add_site_constraints(model, x, cs, ck, cd, cap, need, rhythm, D)
    return RotationModel(model, x, cand, ck, travel, cap, need, saving, rhythm, phantoms, served)


def candidates(inst: RotationInstance, cross_alliance: bool) -> dict[str, np.ndarray]:
    """Arrays (expert, site, day, days occupied) of every feasible visit start.

    Which sites an expert may visit: ``inst.allowed`` when given, else the alliance rule
    (same alliance, or any with ``cross_alliance``).
    """
    E, _S, _K, D = inst.shape
    opt = inst.options
    stay = opt.stay_days[inst.expert_origin]  # (E, S)
    need = inst.need[:, inst.expert_specialty].T > 0  # (E, S)
    if inst.allowed is not None:
        may = np.asarray(inst.allowed, dtype=bool)
    else:
        same = inst.expert_alliance[:, None] == inst.site_alliance[None, :]
        may = same | bool(cross_alliance)
    site_ok = (stay > 0) & need & may
    # run[e, d] = consecutive available days starting at d
    avail = np.asarray(inst.available, dtype=bool)
    run = np.zeros((E, D + 1), dtype=np.int64)
    for d in range(D - 1, -1, -1):
        run[:, d] = np.where(avail[:, d], run[:, d + 1] + 1, 0)
    mask = site_ok[:, :, None] & (run[:, None, :D] >= stay[:, :, None])
    e, s, d = np.nonzero(mask)
    return {"e": e, "s": s, "d": d, "len": stay[e, s]}


def add_expert_constraints(model, x, ce, cd, cl, max_days, E: int, D: int) -> None:
    """One place per expert per day; outreach days per expert within the limit."""
    occupied: dict[tuple[int, int], list] = {}
    per_expert: dict[int, list] = {}
    for i in range(len(x)):
        e = int(ce[i])
        for t in range(int(cd[i]), int(cd[i] + cl[i])):
            occupied.setdefault((e, t), []).append(x[i])
        per_expert.setdefault(e, []).append(i)
    for vs in occupied.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for e, idx in per_expert.items():
        total = sum(int(cl[i]) for i in idx)
        if total > int(max_days[e]):
            model.add(sum(int(cl[i]) * x[i] for i in idx) <= int(max_days[e]))


def add_site_constraints(model, x, cs, ck, cd, cap, need, rhythm, D: int):
    """Rhythm windows with phantom visits, and patients served, per (site, specialty)."""
    S, K = need.shape
    key = cs * K + ck
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(S * K + 1))
    phantoms: dict[tuple[int, int], list] = {}
    served: dict[tuple[int, int], cp_model.IntVar] = {}
    for s, k in zip(*np.nonzero(need > 0)):
        idx = order[bounds[s * K + k] : bounds[s * K + k + 1]]
        if len(idx) == 0:
            continue  # no expert can come: unavoidable shortfall, reported, not modelled
        width = int(rhythm[s, k])
        # phantom visits sit only at the last day of a window left empty (the greedy,
        # optimal cover), so they are a function of the real visits: no symmetry
        p: dict[int, cp_model.IntVar] = {
            d: model.new_bool_var(f"p_s{s}_k{k}_d{d}") for d in range(width - 1, D)
        }
        phantoms[(int(s), int(k))] = p
        by_day: list[list] = [[] for _ in range(D)]
        for i in idx:
            by_day[cd[i]].append(x[i])
        for end in range(width - 1, D):
            window = [v for d in range(end - width + 1, end + 1) for v in by_day[d]]
            before = [p[d] for d in range(max(width - 1, end - width + 1), end)]
            model.add(sum(window) + sum(before) + p[end] >= 1)
            if window or before:
                model.add(sum(window) + sum(before) == 0).only_enforce_if(p[end])
        u = model.new_int_var(0, int(need[s, k]), f"u_s{s}_k{k}")
        model.add(u <= sum(int(cap[i]) * x[i] for i in idx))
        # rounding (MIR) cut: with at most c patients a visit, X whole visits see at most
        # min(n, c X) <= q c + r (X - q), q = n // c, r = n % c; tightens the LP a lot
        c = int(cap[idx].max())
        q, r = divmod(int(need[s, k]), c) if c > 0 else (0, 0)
        if c > 0 and r > 0:
            model.add(u <= q * c + r * (sum(x[i] for i in idx) - q))
        served[(int(s), int(k))] = u
    return phantoms, served
