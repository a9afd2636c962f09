r"""Yuan per visit of the patient-flow cost items, on plain arrays: :class:`VisitCosts`.

The cost items that move with the patient flows (care by place, transfers out of the area,
patients' fares and time) are linear in the visits :math:`x_{lzf}`, so a decision that moves
the flows (which township centres to upgrade) can weigh them exactly: with
:math:`p_{lf}` the price of level :math:`l` at facility :math:`f` (its place's table),
:math:`T_l` the transfer levels, :math:`k_{zf}, c_{zf}, t_{zf}` the road km, ferry crossings
and minutes one way,

.. math::

    c_{lzf} = p_{lf} + y_T [l \in T_l,\ f \notin \text{area}]
        + 2 (k_{zf} y_k + c_{zf} y_c) + 2 \frac{t_{zf}}{60} v

yuan per visit, the sum of :data:`VISIT_ITEMS` (:meth:`VisitCosts.per_visit`). This module
holds only the arithmetic; the prices, their sources and the budget are
:class:`netopt.costs.Costs` (whose :meth:`~netopt.costs.Costs.visit_costs` builds one), and
:func:`netopt.costs.cost_breakdown` reports the same items from the same formulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netopt._errors import DataError, Problem
from netopt.flows.choice import ChoiceSet
from netopt.flows.levels import CARE_LEVELS, TRANSFER_LEVELS
from netopt.graph import path_sums

__all__ = ["VISIT_ITEMS", "VisitCosts", "visit_geometry"]

#: The cost items that move with the patient flows, in :data:`netopt.costs.ITEMS` order.
VISIT_ITEMS: tuple[str, ...] = (
    "care_grassroots",
    "care_county",
    "care_outside",
    "transfers",
    "patient_travel",
    "patient_time",
)
_TRANSFER = np.isin(CARE_LEVELS, TRANSFER_LEVELS)


def _finite(values: Any) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, 0.0)


@dataclass(frozen=True, eq=False)
class VisitCosts:
    """Yuan per visit of each item of :data:`VISIT_ITEMS`, and upgrades' yearly cost.

    Parameters
    ----------
    care_grassroots, care_county, care_outside : array-like, shape (L,)
        Yuan per visit by care level (:data:`netopt.flows.CARE_LEVELS`) at grassroots-tier
        facilities, at hospitals inside the area and at hospitals outside it.
    transfer_yuan : float
        Per inpatient, emergency or recurring visit outside the area.
    km_yuan, crossing_yuan : float
        Patients' fare per road km and per ferry crossing (one way; a visit is a round trip).
    hour_yuan : float
        Value of patients' time per hour.
    upgrade_years : float
        Years over which an upgrade's one-off cost is spread.
    charged : tuple of str
        The items charged to the budget, among :data:`VISIT_ITEMS` and ``"upgrades"``.
    km, crossings : numpy.ndarray, optional
        ``(Z, F)`` road km and ferry crossings one way (:func:`visit_geometry`); None: km
        from the minutes at ``fallback_speed_kmh`` and no ferry fares.
    fallback_speed_kmh : float, default 40

    Examples
    --------
    >>> import numpy as np
    >>> from netopt.flows import CARE_LEVELS
    >>> vc = VisitCosts(*(np.full(len(CARE_LEVELS), 100.0),) * 3, transfer_yuan=0.0,
    ...                 km_yuan=0.0, crossing_yuan=0.0, hour_yuan=30.0, upgrade_years=10.0,
    ...                 charged=())
    >>> float(vc.upgrade_yuan(np.array([5e6]))[0])
    500000.0
    """

    care_grassroots: np.ndarray
    care_county: np.ndarray
    care_outside: np.ndarray
    transfer_yuan: float
    km_yuan: float
    crossing_yuan: float
    hour_yuan: float
    upgrade_years: float
    charged: tuple[str, ...] = ()
    km: np.ndarray | None = field(default=None, repr=False)
    crossings: np.ndarray | None = field(default=None, repr=False)
    fallback_speed_kmh: float = 40.0

    def __post_init__(self) -> None:
        problems: list[Problem | str] = []
        for name in ("care_grassroots", "care_county", "care_outside"):
            arr = np.array(getattr(self, name), dtype=float)
            if arr.shape != (len(CARE_LEVELS),) or not np.isfinite(arr).all() or (arr < 0).any():
                problems.append(Problem("VisitCosts", "", name, repr(arr),
                                        f"give {len(CARE_LEVELS)} prices >= 0"))  # fmt: skip
            object.__setattr__(self, name, arr)
        for name in ("transfer_yuan", "km_yuan", "crossing_yuan", "hour_yuan"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                problems.append(Problem("VisitCosts", "", name, repr(value), "use a number >= 0"))
        for name in ("upgrade_years", "fallback_speed_kmh"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                problems.append(Problem("VisitCosts", "", name, repr(value), "use a number > 0"))
        unknown = [c for c in self.charged if c not in (*VISIT_ITEMS, "upgrades")]
        if unknown:
            problems.append(Problem("VisitCosts", "", "charged", repr(unknown),
                                    f"use items among {(*VISIT_ITEMS, 'upgrades')}"))  # fmt: skip
        if problems:
            raise DataError(problems)
        object.__setattr__(self, "charged", tuple(self.charged))

    def geometry(self, choice: ChoiceSet) -> tuple[np.ndarray, np.ndarray]:
        """Road km and ferry crossings one way, ``(Z, F)``: the given ones when their shape
        is the choice set's, else km from minutes at the fallback speed and no crossings."""
        minutes = np.asarray(choice.minutes, dtype=float)
        if self.km is not None and np.shape(self.km) == minutes.shape:
            crossings = self.crossings if self.crossings is not None else np.zeros_like(minutes)
            km = np.where(np.isfinite(self.km), self.km, minutes / 60.0 * self.fallback_speed_kmh)
            return km, _finite(crossings)
        return minutes / 60.0 * self.fallback_speed_kmh, np.zeros_like(minutes)

    def per_visit(self, choice: ChoiceSet, items: Sequence[str] = VISIT_ITEMS) -> np.ndarray:
        """Yuan per visit ``(L, Z, F)`` of the given items (unreachable pairs: 0).

        Parameters
        ----------
        choice : netopt.flows.ChoiceSet
        items : sequence of str, default :data:`VISIT_ITEMS`
            E.g. :attr:`charged` for the budget's part.

        Returns
        -------
        numpy.ndarray
        """
        n_zones, n_fac = np.shape(choice.minutes)
        grass = np.asarray(choice.is_grassroots, dtype=bool)
        inside = np.asarray(choice.in_area, dtype=bool)
        by_level = np.zeros((len(CARE_LEVELS), n_fac))  # (L, F): the items that need no zone
        masks = {"care_grassroots": grass, "care_county": ~grass & inside,
                 "care_outside": ~grass & ~inside}  # fmt: skip
        for item, mask in masks.items():
            if item in items:
                by_level += getattr(self, item)[:, None] * mask[None, :]
        if "transfers" in items:
            by_level += self.transfer_yuan * (_TRANSFER[:, None] & ~inside[None, :])
        by_zone = np.zeros((n_zones, n_fac))  # (Z, F): the items that need no level
        if "patient_travel" in items:
            km, crossings = self.geometry(choice)
            by_zone += 2.0 * (_finite(km) * self.km_yuan + crossings * self.crossing_yuan)
        if "patient_time" in items:
            by_zone += 2.0 * _finite(choice.minutes) / 60.0 * self.hour_yuan
        out = by_level[:, None, :] + by_zone[None, :, :]
        return np.where(np.isfinite(np.asarray(choice.minutes))[None], out, 0.0)

    def upgrade_yuan(self, cost_yuan: np.ndarray) -> np.ndarray:
        """Yearly cost of upgrades from their one-off ``cost_yuan`` (NaN: unknown, 0).

        Parameters
        ----------
        cost_yuan : array-like

        Returns
        -------
        numpy.ndarray
        """
        return _finite(cost_yuan) / float(self.upgrade_years)


def visit_geometry(
    graph: Any, zone_ids: Sequence[str], facility_ids: Sequence[str], minutes: np.ndarray,
    speed_kmh: float,
) -> tuple[np.ndarray, np.ndarray, list[str]]:  # fmt: skip
    """Road km and ferry crossings zone -> facility along the fastest paths.

    Parameters
    ----------
    graph : netopt.graph.TravelGraph or None
    zone_ids, facility_ids : sequence of str
    minutes : numpy.ndarray, shape (Z, F)
        One-way minutes (``inf``: unreachable), the fallback's source.
    speed_kmh : float
        Without a graph (or a path in it), km = minutes x this speed.

    Returns
    -------
    tuple
        ``(km, crossings, messages)``: (Z, F) arrays and what was estimated.
    """
    minutes = np.asarray(minutes, dtype=float)
    fallback = minutes / 60.0 * float(speed_kmh)
    if graph is None:
        note = (
            f"patients' km from travel minutes at {speed_kmh:,.0f} km/h and no ferry fares: "
            "no travel graph was given"
        )
        return fallback, np.zeros_like(minutes), [note]
    zkeys = [f"zone:{z}" for z in zone_ids]
    fkeys = [f"facility:{f}" for f in facility_ids]
    if (len(zkeys), len(fkeys)) != minutes.shape or not (set(zkeys) | set(fkeys)) <= set(
        graph.points.index
    ):
        note = (
            "patients' km from travel minutes: the choice set's zones or facilities are not "
            "all points of the travel graph"
        )
        return fallback, np.zeros_like(minutes), [note]
    ps = path_sums(graph, zkeys, fkeys, measures=("road_km", "ferry_crossings"))
    km, crossings = ps.road_km, ps.ferry_crossings
    gap = ~np.isfinite(km) & np.isfinite(minutes)
    messages = []
    if gap.any():
        messages.append(
            f"{int(gap.sum())} zone-facility pair(s) without a path in the graph: km from "
            "their minutes"
        )
    return np.where(gap, fallback, km), np.where(np.isfinite(crossings), crossings, 0.0), messages
