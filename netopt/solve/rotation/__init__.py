"""Expert outreach rotations as a CP-SAT model on plain arrays.

Specialists based at alliance leads (or other home facilities) visit member sites on
outreach days. This package holds the solver core only: numpy arrays in, numpy arrays out.
It never imports :mod:`netopt.region`, :mod:`netopt.graph` or :mod:`netopt.alliances`; the
adapter :mod:`netopt.rotations` turns an alliance plan into a :class:`RotationInstance`.

Indices: ``e`` experts, ``s`` sites, ``k`` specialties, ``o`` origins (the experts' home
facilities), ``d`` days ``0 .. D-1`` of the horizon. A *candidate* is a triple
``(e, s, d)``: expert ``e`` starts a visit to site ``s`` on day ``d``. Candidates exist
only where the expert may visit the site (the same alliance, or any with cross-alliance
help; or, when the instance gives an ``allowed`` mask ``A_{es}``, where it says so: that is
how one schedule spans tiers, partner experts visiting the county leads their hospital
hosts and county experts visiting township centres), the site needs the expert's specialty,
the visit is possible from the expert's origin (``stay_days[o, s] > 0``) and the expert is
available on every day the visit occupies.

Model (all times in whole minutes, the CP-SAT coefficients are integers):

.. math::

    \\operatorname{lexmin}\\; & \\Big(\\sum_{s,k,d} p_{skd},\\;
             \\sum_{s,k} m_s\\,(n_{sk} - u_{sk})
             + \\omega \\sum_{esd} (t^{out}_{os} + t^{back}_{os})\\,x_{esd},\\;
             \\sum_{es} y_{es} \\Big) \\\\
    \\text{s.t.}\\; & \\sum_{s,\\, d' \\le d < d' + L_{os}} x_{esd'} \\le 1
        && \\forall e, d \\quad \\text{(one place per expert per day)} \\\\
    & \\sum_{s,d} L_{os}\\, x_{esd} \\le M_e && \\forall e \\quad \\text{(outreach days)} \\\\
    & \\sum_{e \\in E_k} \\sum_{d \\in [w, w+K_{sk})} x_{esd}
      + \\sum_{d \\in [w, w+K_{sk})} p_{skd} \\ge 1
        && \\forall s, k, w \\quad \\text{(rhythm, soft)} \\\\
    & u_{sk} \\le \\sum_{e \\in E_k, d} c_{os}\\, x_{esd}, \\quad 0 \\le u_{sk} \\le n_{sk} \\\\
    & x_{esd} \\le y_{es}

where :math:`n_{sk}` is the expected patient need of site ``s`` for specialty ``k`` over
the horizon, :math:`u_{sk}` the patients seen locally, :math:`m_s` the round-trip minutes a
patient of site ``s`` saves by being seen locally instead of at the lead, :math:`c_{os}` the
patients one visit can see (clinic minutes x patients per hour), :math:`L_{os}` the days a
visit occupies (1 for a day trip, 1 + lodging days for a multi-day stay), :math:`M_e` the
expert's outreach-day limit, :math:`K_{sk}` the rhythm (every window of :math:`K_{sk}`
consecutive days must contain a visit; one value per specialty, or per site and specialty
so that partner visits to county hospitals keep their own rhythm) and :math:`p_{skd}` *phantom visits* that fill rhythm windows the
expert supply cannot: their count is the shortfall, so a shortage never makes the model
infeasible. The objective is lexicographic, solved in three CP-SAT phases: (1) the fewest
phantom visits (the rhythm comes first); (2) with that shortfall fixed, the patient travel
plus :math:`\\omega` (small) times the expert travel minutes; (3) with that objective
fixed, the fewest distinct (expert, site) pairs :math:`y_{es}`: continuity, the same expert
returning to the same site. Phase 3 only runs in the time left and never worsens phase 2.

Phantom visits may only sit on the last day of a window that holds no real or earlier
phantom visit (the greedy interval cover, which is optimal), so they are a function of the
real visits and add no symmetry. The rounding cut
:math:`u_{sk} \\le q c + r (\\sum x - q)` with :math:`c` the largest visit capacity,
:math:`q = \\lfloor n_{sk} / c \\rfloor`, :math:`r = n_{sk} - q c` tightens the LP bound.
A multi-day visit counts for the rhythm on its first day. The phase-2 objective includes the
constant ``sum(m * n)`` (the patient travel without any rotation), so ``objective`` is the
total patient travel (plus the weighted expert travel) and ``gap`` is relative to that.

Modules, one job each: :mod:`~netopt.solve.rotation.visits` (day trip, stay or nothing per
origin and site), :mod:`~netopt.solve.rotation.instance` (the data and the weights),
:mod:`~netopt.solve.rotation.model` (candidates, variables, constraint families),
:mod:`~netopt.solve.rotation.greedy` (the warm start), :mod:`~netopt.solve.rotation.cpsat`
(one CP-SAT run, status names), :mod:`~netopt.solve.rotation.solve` (the phases) and
:mod:`~netopt.solve.rotation.result` (the result and the rhythm measures).
"""

from netopt.solve.rotation.instance import RotationInstance, RotationWeights
from netopt.solve.rotation.result import RotationResult, max_gap_days, rhythm_shortfall
from netopt.solve.rotation.solve import solve_rotation
from netopt.solve.rotation.visits import VisitOptions, visit_options

__all__ = [
    "RotationInstance",
    "RotationResult",
    "RotationWeights",
    "VisitOptions",
    "max_gap_days",
    "rhythm_shortfall",
    "solve_rotation",
    "visit_options",
]
