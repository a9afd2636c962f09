"""The plan's choice set: every facility a resident can reach, as the flow model sees it.

:func:`plan_choice_set` turns the planning arrays (zone x facility travel times on the
network as run, closed crossings at their reopening time) and the chosen leads into a
:class:`netopt.flows.ChoiceSet`; the KPIs take the flows from it
(:func:`netopt.kpis.plan_flows`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from netopt.alliances.area import facilities_in_area
from netopt.alliances.members import PlanData
from netopt.flows import ChoiceSet

__all__ = ["facility_numbers", "lead_index_of_zones", "plan_choice_set", "upgrade_candidates"]


def facility_numbers(frame, column: str) -> np.ndarray:
    """A float column of the facilities, NaN where the region has no such column (a region
    built from frames need not carry the optional columns)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(float)


def lead_index_of_zones(data: PlanData, lead_of_zone: Sequence[str | None]) -> np.ndarray:
    """Facility index of each zone's alliance lead (-1 where it has none).

    Parameters
    ----------
    data : PlanData
    lead_of_zone : sequence of str or None
        Lead facility id per zone, in ``region.zones`` order.

    Returns
    -------
    numpy.ndarray of int
    """
    pos = data.pos
    return np.array(
        [pos.get(str(lead), -1) if isinstance(lead, str) and lead else -1 for lead in lead_of_zone],
        dtype=int,
    )


def upgrade_candidates(data: PlanData) -> np.ndarray:
    """Facility indices that can be upgraded (``upgrade_beds`` > 0 and not a hospital)."""
    fac = data.region.facilities.loc[list(data.fac_ids)]
    beds = facility_numbers(fac, "upgrade_beds")
    hospital = fac["tier"].isin(("tertiary", "county")).to_numpy()
    return np.flatnonzero((np.nan_to_num(beds) > 0) & ~hospital)


def plan_choice_set(
    data: PlanData, lead_of_zone: Sequence[str | None], *, upgraded: Sequence[str] = ()
) -> ChoiceSet:
    """Build the choice set of a plan.

    Parameters
    ----------
    data : PlanData
        The planning arrays (``t_zf`` in seconds, closed crossings at their reopening time,
        so a cut-off resident's trips count with the wait).
    lead_of_zone : sequence of str or None
        Each zone's alliance lead.
    upgraded : sequence of str, default ()
        Facilities upgraded to hospital-level sub-centres (they add ``upgrade_beds``).

    Returns
    -------
    netopt.flows.ChoiceSet
    """
    fac = data.region.facilities.loc[list(data.fac_ids)]
    in_area = facilities_in_area(data.region).reindex(list(data.fac_ids)).fillna(False)
    up = np.isin(np.asarray(data.fac_ids, dtype=object), list(upgraded))
    return ChoiceSet(
        minutes=data.t_zf / 60.0,
        tier=fac["tier"].astype(str).to_numpy(),
        beds=facility_numbers(fac, "beds"),
        outpatients=facility_numbers(fac, "outpatient_per_day"),
        in_area=in_area.to_numpy(bool),
        lead_of_zone=lead_index_of_zones(data, lead_of_zone),
        expert_days=np.zeros(len(data.fac_ids)),
        upgraded=up,
        upgrade_beds=np.nan_to_num(facility_numbers(fac, "upgrade_beds")),
        facility_ids=tuple(data.fac_ids),
    )
