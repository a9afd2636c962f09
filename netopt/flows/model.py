r"""Expected patient flows: each zone's need times its choice probabilities, :class:`Flows`.

.. math::

    x_{lij} = d_{il}\, p_{lij}

with :math:`d_{il}` the yearly visits of care level :math:`l` that zone :math:`i` needs
(:func:`~netopt.flows.zone_demand`) and :math:`p_{lij}` the probability of choosing facility
:math:`j` (:func:`~netopt.flows.choice_probabilities`). Every resident's need goes somewhere:
the visits of a zone sum to its demand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt.flows.access import ACCESS_WINDOWS_MIN, timely_access
from netopt.flows.choice import ChoiceParams, ChoiceSet, choice_probabilities, eligibility
from netopt.flows.levels import CARE_LEVELS, TRANSFER_LEVELS

__all__ = ["FLOW_KPIS", "Flows", "patient_flows"]

logger = logging.getLogger(__name__)

#: The keys of :meth:`Flows.kpis`.
FLOW_KPIS: tuple[str, ...] = (
    "in_area_share",
    "grassroots_share",
    "transfers_out_per_year",
    "flow_patient_hours_per_year",
    "visits_per_year",
)
_TRANSFER = np.isin(CARE_LEVELS, TRANSFER_LEVELS)


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else float("nan")


@dataclass(frozen=True, eq=False)
class Flows:
    """Expected yearly visits from every zone to every facility, by care level.

    Parameters
    ----------
    visits : numpy.ndarray, shape (L, Z, F)
        Expected visits per year.
    choice_set : ChoiceSet
        The facilities and travel times the flows were computed on.
    demand : numpy.ndarray, shape (Z, L)
        The yearly need of each zone.
    """

    visits: np.ndarray
    choice_set: ChoiceSet
    demand: np.ndarray

    def __post_init__(self) -> None:
        cs = self.choice_set
        shape = (len(CARE_LEVELS), cs.n_zones, cs.n_facilities)
        if np.shape(self.visits) != shape or np.shape(self.demand) != shape[1::-1]:
            raise DataError(
                Problem(
                    "Flows",
                    "",
                    "visits",
                    f"shapes {np.shape(self.visits)} and {np.shape(self.demand)}",
                    f"pass visits of shape {shape} and demand of shape {shape[1::-1]}",
                )
            )

    def _zone_mask(self, zones: np.ndarray | None) -> np.ndarray:
        if zones is None:
            return np.ones(self.choice_set.n_zones, dtype=bool)
        mask = np.asarray(zones)
        if mask.dtype != bool:  # zone indices
            out = np.zeros(self.choice_set.n_zones, dtype=bool)
            out[mask.astype(int)] = True
            return out
        if mask.shape != (self.choice_set.n_zones,):
            raise DataError(
                Problem("Flows.kpis", "", "zones", f"shape {mask.shape}",
                        f"pass a bool mask of shape ({self.choice_set.n_zones},) or indices")
            )  # fmt: skip
        return mask

    def kpis(self, zones: np.ndarray | None = None) -> dict[str, float]:
        """Return the flow KPIs, of all zones or of the zones in ``zones``.

        * ``visits_per_year``: all visits (equals the demand: every resident counts);
        * ``in_area_share``: visits at facilities inside the area / all visits;
        * ``grassroots_share``: visits at grassroots-tier facilities / all visits (expert
          clinics and upgraded centres included: they stay grassroots institutions);
        * ``transfers_out_per_year``: inpatient, emergency and recurring visits at
          facilities outside the area;
        * ``flow_patient_hours_per_year``: ``sum visits x 2 x minutes / 60`` (round trips).

        Shares of a subset without visits are NaN.

        Parameters
        ----------
        zones : array-like of bool (Z,) or of int, optional
            The zones to count (e.g. the islands); default all.

        Returns
        -------
        dict
            Keys :data:`FLOW_KPIS`.
        """
        mask = self._zone_mask(zones)
        cs = self.choice_set
        v = self.visits[:, mask, :]
        by_fac = v.sum(axis=(0, 1))
        total = float(by_fac.sum())
        outside = ~cs.in_area
        minutes = cs.minutes[mask]
        hours = np.where(v > 0, v * (2.0 / 60.0) * np.where(np.isfinite(minutes), minutes, 0.0), 0)
        return {
            "in_area_share": _share(float(by_fac[cs.in_area].sum()), total),
            "grassroots_share": _share(float(by_fac[cs.is_grassroots].sum()), total),
            "transfers_out_per_year": float(v[_TRANSFER][:, :, outside].sum()),
            "flow_patient_hours_per_year": float(hours.sum()),
            "visits_per_year": total,
        }

    def timely(self) -> np.ndarray:
        """Return which needs reach a facility able to give their level in time.

        Returns
        -------
        numpy.ndarray of bool
            Shape (Z, L): the nearest eligible facility lies within the level's window
            (:data:`~netopt.flows.ACCESS_WINDOWS_MIN`, :func:`~netopt.flows.timely_access`).
        """
        windows = np.array([ACCESS_WINDOWS_MIN[level] for level in CARE_LEVELS], dtype=float)
        return timely_access(self.choice_set.minutes, eligibility(self.choice_set), windows)

    def facility_load(self) -> pd.DataFrame:
        """Return the yearly visits each facility receives, by care level.

        Returns
        -------
        pandas.DataFrame
            Index ``facility_id`` (ids of the choice set, or indices), a column per care level
            and ``total``.
        """
        load = self.visits.sum(axis=1).T
        frame = pd.DataFrame(load, columns=list(CARE_LEVELS))
        frame.index = pd.Index(self.choice_set.labels(), name="facility_id")
        frame["total"] = load.sum(axis=1)
        return frame

    def zone_shares(self) -> pd.DataFrame:
        """Return, per zone, its visits and where they go.

        Returns
        -------
        pandas.DataFrame
            Index ``zone`` (0..Z-1); columns ``visits``, ``in_area_share``,
            ``grassroots_share`` (NaN for a zone without visits) and ``outside_visits``.
        """
        cs = self.choice_set
        by_fac = self.visits.sum(axis=0)
        total = by_fac.sum(axis=1)
        inside = by_fac[:, cs.in_area].sum(axis=1)
        grass = by_fac[:, cs.is_grassroots].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame = pd.DataFrame(
                {
                    "visits": total,
                    "in_area_share": np.where(total > 0, inside / total, np.nan),
                    "grassroots_share": np.where(total > 0, grass / total, np.nan),
                    "outside_visits": total - inside,
                }
            )
        frame.index.name = "zone"
        return frame


def patient_flows(cs: ChoiceSet, demand: np.ndarray, params: ChoiceParams | None = None) -> Flows:
    """Return the expected yearly visits of every zone at every facility.

    Parameters
    ----------
    cs : ChoiceSet
    demand : array-like, shape (Z, L)
        Yearly visits needed (:func:`~netopt.flows.zone_demand`), finite and >= 0.
    params : ChoiceParams, optional
        Default :class:`ChoiceParams()`.

    Returns
    -------
    Flows

    Raises
    ------
    DataError (a ValueError)
        Bad demand, or a (zone, level) with demand but no eligible reachable facility
        (naming the zone index and level). Rows without demand may have no choice.
    """
    d = np.asarray(demand, dtype=float)
    expected = (cs.n_zones, len(CARE_LEVELS))
    if d.shape != expected:
        raise DataError(
            Problem("demand", "", "", f"shape {d.shape}", f"pass an array of shape {expected}")
        )
    bad = np.flatnonzero((~np.isfinite(d) | (d < 0)).any(axis=1))
    if bad.size:
        raise DataError(
            [
                Problem("demand", f"zone {i}", "", "not a number >= 0", "use visits >= 0")
                for i in bad
            ]
        )
    prob = choice_probabilities(cs, params, need=d > 0)
    visits = prob * d.T[:, :, None]
    logger.debug("flows: %d zones, %d facilities", cs.n_zones, cs.n_facilities)
    return Flows(visits=visits, choice_set=cs, demand=d)
