"""The patient-flow tables the flow layers draw: access and where care happens, per township.

Computed from the plan's flows (:meth:`netopt.alliances.AlliancePlan.flows`) with the pure
functions of :mod:`netopt.flows`, so the maps (layer 7) need nothing of the scenario layer:
:func:`township_flows` gives the same rows as ``access.csv``
(``netopt.scenario.flow_outputs.access_table``, which can call it), and
:func:`facility_visits` the visits each facility receives by care level.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from netopt.alliances.choice import facility_numbers
from netopt.flows import (
    Flows,
    two_step_fca,
)
from netopt.flows.access import ACCESS_CATCHMENT_MIN, township_access

__all__ = ["ACCESS_CATCHMENT_MIN", "NO_TOWNSHIP", "facility_visits", "township_flows"]

#: Township label of zones without one.
NO_TOWNSHIP = "(no township)"


def _townships(plan: Any) -> np.ndarray:
    return plan.zones["township"].fillna(NO_TOWNSHIP).astype(str).to_numpy()


def township_flows(plan: Any, flows: Flows) -> pd.DataFrame:
    """Per township: beds and doctors per 1,000 within reach, where care happens, timely care.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
        Uses ``zones`` (``township``, ``population``) and ``region.facilities`` (``beds``,
        ``doctors``).
    flows : netopt.flows.Flows
        The plan's flows (:meth:`~netopt.alliances.AlliancePlan.flows`).

    Returns
    -------
    pandas.DataFrame
        One row per township, sorted: ``township``, ``population``, ``beds_per_1000`` and
        ``doctors_per_1000`` (population-weighted two-step floating catchment access within
        :data:`ACCESS_CATCHMENT_MIN`, upgrade beds included), ``in_area_share`` and
        ``grassroots_share`` (of the visits its residents make: choice outcomes) and
        ``share_timely_care`` (of their needs whose nearest able facility is within the care
        level's window, :data:`netopt.flows.ACCESS_WINDOWS_MIN`: access).
    """
    cs = flows.choice_set
    fac = plan.region.facilities.reindex(list(cs.facility_ids))
    pop = plan.zones["population"].to_numpy(float)
    township = _townships(plan)
    beds = np.nan_to_num(facility_numbers(fac, "beds")) + np.where(cs.upgraded, cs.upgrade_beds, 0)
    doctors = np.nan_to_num(facility_numbers(fac, "doctors"))
    out = None
    for name, supply in (("beds_per_1000", beds), ("doctors_per_1000", doctors)):
        a = two_step_fca(supply, pop, cs.minutes, ACCESS_CATCHMENT_MIN)
        t = township_access(a, pop, township, per=1000.0)[["township", "population", "mean"]]
        t = t.rename(columns={"mean": name})
        out = t if out is None else out.merge(t.drop(columns="population"), on="township")
    by_fac = flows.visits.sum(axis=0)
    timely = (flows.demand * flows.timely()).sum(axis=1)
    sums = ["visits", "inside", "grassroots", "demand", "timely"]
    zone = (
        pd.DataFrame(
            {
                "township": township,
                "visits": by_fac.sum(axis=1),
                "inside": by_fac[:, cs.in_area].sum(axis=1),
                "grassroots": by_fac[:, cs.is_grassroots].sum(axis=1),
                "demand": flows.demand.sum(axis=1),
                "timely": timely,
            }
        )
        .groupby("township", sort=True)[sums]
        .sum()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        zone["in_area_share"] = zone["inside"] / zone["visits"]
        zone["grassroots_share"] = zone["grassroots"] / zone["visits"]
        zone["share_timely_care"] = zone["timely"] / zone["demand"]
    assert out is not None  # two supplies: the loop ran
    shares = zone[["in_area_share", "grassroots_share", "share_timely_care"]].reset_index()
    return out.merge(shares, on="township", how="left")


def facility_visits(plan: Any, flows: Flows) -> pd.DataFrame:
    """Per facility of the choice set: name, tier, inside the area, upgraded, visits a year.

    Parameters
    ----------
    plan : netopt.alliances.AlliancePlan
    flows : netopt.flows.Flows

    Returns
    -------
    pandas.DataFrame
        Index facility id; ``name``, ``tier``, ``in_area``, ``upgraded``, one column of
        yearly visits per care level (:data:`netopt.flows.CARE_LEVELS`) and ``total``.
    """
    load = flows.facility_load()
    fac = plan.region.facilities.reindex(load.index)
    cs = flows.choice_set
    front = pd.DataFrame(
        {
            "name": fac["name"].to_numpy(),
            "tier": fac["tier"].to_numpy(),
            "in_area": np.asarray(cs.in_area, dtype=bool),
            "upgraded": np.asarray(cs.upgraded, dtype=bool),
            "expert_days_per_year": np.asarray(cs.expert_days, dtype=float),
        },
        index=load.index.astype(str),
    )
    load.index = front.index
    return pd.concat([front, load], axis=1)
