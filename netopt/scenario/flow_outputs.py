"""The patient-flow outputs of a run: tables by zone, facility and township, and the ``flows``
entry of ``kpis.json``.

* ``flows_by_zone.csv``: per zone, its yearly visits (all care levels), the share inside the
  county, at grassroots level, and the visits outside the county.
* ``facility_load.csv``: per facility, the yearly visits it receives by care level.
* ``access.csv``: per township, beds and doctors per 1,000 residents within the catchment
  (two-step floating catchment area, :func:`netopt.flows.two_step_fca`), the share inside
  the county and at grassroots level, and the share of care needs within reach in time.
* ``upgrades.csv``: the upgrade candidates and which were upgraded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from netopt.flows import (
    Flows,
)
from netopt.flows.access import ACCESS_CATCHMENT_MIN

if TYPE_CHECKING:
    from netopt.scenario.runner import Result

__all__ = [
    "ACCESS_CATCHMENT_MIN",
    "access_table",
    "facility_load_table",
    "flow_files",
    "flow_record",
    "flows_by_zone",
]


def flows_by_zone(result: Result, flows: Flows) -> pd.DataFrame:
    """Per zone: visits, shares inside the county and at grassroots level, visits outside.

    Parameters
    ----------
    result : Result
    flows : netopt.flows.Flows

    Returns
    -------
    pandas.DataFrame
    """
    zones = result.plan.zones
    shares = flows.zone_shares()
    frame = pd.DataFrame(
        {
            "zone": zones["zone"].to_numpy(),
            "township": zones["township"].to_numpy(),
            "island_name": zones["island_name"].to_numpy(),
            "population": zones["population"].to_numpy(float),
        }
    )
    for col in ("visits", "in_area_share", "grassroots_share", "outside_visits"):
        frame[col] = shares[col].to_numpy()
    return frame


def facility_load_table(result: Result, flows: Flows) -> pd.DataFrame:
    """Per facility: name, tier, inside the area, upgraded, expert-days and yearly visits by
    care level (:func:`netopt.maps.flow_tables.facility_visits`).

    Parameters
    ----------
    result : Result
    flows : netopt.flows.Flows

    Returns
    -------
    pandas.DataFrame
    """
    from netopt.maps.flow_tables import facility_visits  # maps load folium: when needed

    return facility_visits(result.plan, flows)


def access_table(result: Result, flows: Flows) -> pd.DataFrame:
    """Per township: beds and doctors per 1,000 within the catchment, where care happens, and
    the share of needs within reach in time (:func:`netopt.maps.flow_tables.township_flows`,
    the table the maps draw).

    Parameters
    ----------
    result : Result
    flows : netopt.flows.Flows

    Returns
    -------
    pandas.DataFrame
        ``township``, ``population``, ``beds_per_1000`` and ``doctors_per_1000``
        (population-weighted 2SFCA within :data:`ACCESS_CATCHMENT_MIN`), ``in_area_share``,
        ``grassroots_share`` and ``share_timely_care``.
    """
    from netopt.maps.flow_tables import township_flows  # maps load folium: when needed

    return township_flows(result.plan, flows)


def flow_record(result: Result, flows: Flows | None) -> dict[str, Any] | None:
    """The ``flows`` entry of ``kpis.json``.

    Parameters
    ----------
    result : Result
    flows : netopt.flows.Flows or None

    Returns
    -------
    dict or None
        ``demand`` (visits per resident per year by care level), ``choice`` (the choice
        parameters used), ``upgraded`` (ids), ``upgrades`` (the candidates: facility, name,
        township, beds, upgrade_beds, upgrade_cost_yuan, upgraded), ``upgrade_solver`` (status, objective, bound,
        gap, message, shortfalls; null when not decided), ``access`` (the rows of
        :func:`access_table`); None without flows.
    """
    if flows is None:
        return None
    plan = result.plan
    solve = plan.upgrade_solve
    upgrade = None
    if solve is not None:
        upgrade = {
            k: getattr(solve, k, None)
            for k in ("status", "objective", "bound", "gap", "seconds", "message")
        }
        upgrade["shortfalls"] = dict(getattr(solve, "shortfalls", {}) or {})
        upgrade["targets"] = dict(plan.options.flows.targets)
    return {
        "demand": plan.demand.to_dict(),
        "choice": plan.choice_params.to_dict(),
        "upgraded": list(plan.upgraded),
        "upgrades": plan.upgrades.reset_index().to_dict(orient="records"),
        "upgrade_solver": upgrade,
        "access": access_table(result, flows).to_dict(orient="records"),
    }


def flow_files(result: Result) -> dict[str, pd.DataFrame]:
    """The flow tables of a run, file name -> table (empty without flows).

    Parameters
    ----------
    result : Result

    Returns
    -------
    dict
    """
    flows = result.flows
    if flows is None:
        return {}
    return {
        "flows_by_zone.csv": flows_by_zone(result, flows),
        "facility_load.csv": facility_load_table(result, flows),
        "access.csv": access_table(result, flows),
        "upgrades.csv": result.plan.upgrades.reset_index(),
    }
