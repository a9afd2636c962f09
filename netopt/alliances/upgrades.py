"""Which township centres to upgrade to hospital-level sub-centres, for targets on where
care happens: :func:`decide_upgrades`.

Zhejiang builds *county medical sub-centres* (县域医疗卫生次中心) from central township
health centres: an upgrade adds beds and hospital-level care (inpatients, emergencies,
recurring treatment, specialist outpatients) to a grassroots institution. Under the choice
model (:mod:`netopt.flows`) an upgraded centre draws hospital-level visits from the county
hospitals and from the hospitals outside the county, which raises both the in-county share
and the grassroots share.

The decision is the share-capture model :func:`netopt.solve.share_location` (an exact
linearisation of the multinomial logit, Haase 2009) on plain arrays: one segment per zone and
care level, one candidate per upgrade candidate, the extra choice weight an upgrade gives it,
and three linear metrics per unit of share (visits inside the area, visits at grassroots
level, patient-hours). Targets on the two shares are constraints with slack: a target that
cannot be met is reported with its shortfall and the townships whose visits leave the area,
never as a failure. Candidate weights below 1e-9 of a segment's weight are dropped (the
shares move by less than that).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netopt._errors import DataError, Problem
from netopt._notes import Note, joined, name_in, term
from netopt.alliances._notes import note
from netopt.alliances.choice import facility_numbers, upgrade_candidates
from netopt.alliances.flow_options import FlowOptions
from netopt.alliances.members import PlanData
from netopt.flows import (
    GRASSROOTS_TIERS,
    VISIT_ITEMS,
    ChoiceParams,
    ChoiceSet,
    DemandRates,
    VisitCosts,
    patient_flows,
    utilities,
    zone_demand,
)
from netopt.region import Region
from netopt.solve import ShareMetric, ShareTarget, share_location
from netopt.solve.params import SolverParams

__all__ = ["UPGRADE_COLUMNS", "decide_upgrades", "upgrade_table", "with_upgraded_leads"]

logger = logging.getLogger("netopt.alliances")

#: Columns of :attr:`AlliancePlan.upgrades` (index: facility id).
UPGRADE_COLUMNS: tuple[str, ...] = (
    "name",
    "township",
    "beds",
    "upgrade_beds",
    "upgrade_cost_yuan",
    "upgraded",
)
#: Candidate weights below this share of a segment's weight are dropped.
_NEGLIGIBLE = 1e-9


def with_upgraded_leads(region: Region, upgraded: Sequence[str]) -> Region:
    """The region with the given upgraded centres lead-capable (an upgrade adds can-lead
    status): with ``p`` they are lead candidates. Unknown ids are left to
    :func:`decide_upgrades` to report; the region itself is not changed.

    Parameters
    ----------
    region : Region
    upgraded : sequence of str

    Returns
    -------
    Region
    """
    ids = [u for u in upgraded if u in region.facilities.index]
    if not ids or region.facilities.loc[ids, "can_lead"].astype(bool).all():
        return region
    facilities = region.facilities.copy()
    facilities.loc[ids, "can_lead"] = True
    return dataclasses.replace(region, facilities=facilities)


def upgrade_table(data: PlanData, upgraded: tuple[str, ...]) -> pd.DataFrame:
    """The upgrade candidates and whether each is upgraded.

    Parameters
    ----------
    data : PlanData
    upgraded : tuple of str

    Returns
    -------
    pandas.DataFrame
        Index facility id, :data:`UPGRADE_COLUMNS`.
    """
    fac = data.region.facilities
    ids = [data.fac_ids[j] for j in upgrade_candidates(data)]
    ids += [u for u in upgraded if u not in ids]
    rows = fac.loc[ids]
    frame = pd.DataFrame(
        {
            "name": rows["name"].to_numpy(),
            "township": rows["township"].to_numpy() if "township" in rows else None,
            "beds": facility_numbers(rows, "beds"),
            "upgrade_beds": facility_numbers(rows, "upgrade_beds"),
            "upgrade_cost_yuan": facility_numbers(rows, "upgrade_cost_yuan"),
            "upgraded": [i in upgraded for i in ids],
        },
        index=pd.Index(ids, dtype=object),
    )
    frame.index.name = "facility"
    return frame[list(UPGRADE_COLUMNS)]


def _facility_values(choice: ChoiceSet) -> dict[str, np.ndarray]:
    """Per-visit value of each metric at each (zone, facility): (Z, F) arrays."""
    z = choice.minutes.shape[0]
    in_area = np.broadcast_to(choice.in_area.astype(float), (z, len(choice.in_area)))
    grass = np.isin(choice.tier, GRASSROOTS_TIERS).astype(float)
    minutes = np.where(np.isfinite(choice.minutes), choice.minutes, 0.0)
    return {
        "in_area_share": in_area,
        "grassroots_share": np.broadcast_to(grass, (z, len(grass))),
        "patient_hours": 2.0 * minutes / 60.0,
    }


def _cost_values(choice: ChoiceSet, costs: VisitCosts | None) -> dict[str, np.ndarray]:
    """Yuan per visit (L, Z, F) of every flow item (``total_cost_yuan``) and of the charged
    ones (``charged_yuan``); none without prices."""
    if costs is None:
        return {}
    charged = tuple(i for i in costs.charged if i in VISIT_ITEMS)
    return {
        "total_cost_yuan": costs.per_visit(choice),
        "charged_yuan": costs.per_visit(choice, charged),
    }


def _share_inputs(
    base: ChoiceSet,
    full: ChoiceSet,
    cands: np.ndarray,
    demand: np.ndarray,
    params: ChoiceParams,
    opening: Mapping[str, np.ndarray] | None = None,
    costs: VisitCosts | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, ShareMetric]]:
    """Segments (level x zone), the extra weight of each upgrade, and the metrics (with
    prices, also the yuan of the flow items, plus ``opening`` yuan per upgrade)."""
    u_base = utilities(base, params)  # (L, Z, F)
    u_full = utilities(full, params)
    offset = np.max(np.where(np.isfinite(u_base), u_base, -np.inf), axis=2, keepdims=True)
    offset = np.where(np.isfinite(offset), offset, 0.0)
    w_base = np.exp(u_base - offset)  # exp(-inf) = 0
    w_full = np.exp(np.minimum(u_full - offset, 700.0))
    extra = np.clip(w_full[:, :, cands] - w_base[:, :, cands], 0.0, None)  # (L, Z, J)
    fixed = w_base.sum(axis=2)  # (L, Z)
    values = {**_facility_values(base), **_cost_values(base, costs)}
    opening = opening or {}
    n_levels, n_zones = fixed.shape
    fixed_w = fixed.reshape(-1)
    cand_w = extra.reshape(n_levels * n_zones, len(cands))
    ok = fixed_w > 0
    cand_w[~ok] = 0.0
    cand_w[cand_w < _NEGLIGIBLE * np.where(ok, fixed_w, 1.0)[:, None]] = 0.0
    metrics = {}
    for name, v in values.items():
        v = np.broadcast_to(v, w_base.shape)  # (Z, F) values are the same at every level
        fixed_value = (w_base * v).sum(axis=2) / np.where(fixed > 0, fixed, 1.0)
        cand_value = v[:, :, cands]
        metrics[name] = ShareMetric(
            fixed_value=fixed_value.reshape(-1),
            cand_value=np.ascontiguousarray(cand_value).reshape(n_levels * n_zones, len(cands)),
            open_value=opening.get(name),
        )
    dem = demand.T.reshape(-1)  # (L, Z) order
    return cand_w, np.where(ok, fixed_w, 1.0), dem, metrics


def _where_short(
    choice: ChoiceSet, demand: np.ndarray, params: ChoiceParams, data: PlanData, metric: str
) -> str:
    """The three townships that miss a share target by the most visits: visits outside the
    area (``in_area_share``) or away from grassroots facilities (``grassroots_share``)."""
    flows = patient_flows(choice, demand, params)
    away = ~choice.in_area if metric == "in_area_share" else ~np.isin(choice.tier, GRASSROOTS_TIERS)
    visits = flows.visits[:, :, away].sum(axis=(0, 2))
    township = data.region.zones["township"].fillna("(no township)").to_numpy()
    by = pd.Series(visits, index=township).groupby(level=0).sum().sort_values(ascending=False)
    return ", ".join(f"{t} {v:,.0f}" for t, v in by.head(3).items() if v > 0)


def _opening_yuan(
    data: PlanData, cands: np.ndarray, costs: VisitCosts | None
) -> dict[str, np.ndarray]:
    """Yearly yuan of upgrading each candidate: in the total, and in the charged part when
    the budget pays for upgrades."""
    if costs is None:
        return {}
    rows = data.region.facilities.loc[[data.fac_ids[j] for j in cands]]
    yearly = costs.upgrade_yuan(facility_numbers(rows, "upgrade_cost_yuan"))
    charged = yearly if "upgrades" in costs.charged else np.zeros_like(yearly)
    return {"total_cost_yuan": yearly, "charged_yuan": charged}


def _budget_note(messages: list[str], budget: float, result: Any, visits: float) -> None:
    """Say whether the upgrades keep the charged yuan within the budget, by how much."""
    charged = result.metrics["charged_yuan"] * visits
    over = result.shortfalls.get("charged_yuan", 0.0) * visits
    key = "note.upgrade_budget_over" if over > 1e-6 * max(budget, 1.0) else "note.upgrade_budget"
    note(messages, Note(key, charged=f"{charged:,.0f}", budget=f"{budget:,.0f}",
                        over=f"{over:,.0f}", left=f"{budget - charged:,.0f}"))  # fmt: skip


def decide_upgrades(
    data: PlanData,
    choice: ChoiceSet,
    demand_rates: DemandRates,
    params: ChoiceParams,
    options: FlowOptions,
    solver: SolverParams,
    messages: list[str],
) -> tuple[ChoiceSet, pd.DataFrame, object]:
    """Apply the given upgrades and, when asked, choose more for the targets.

    Parameters
    ----------
    data : PlanData
    choice : netopt.flows.ChoiceSet
        The plan's choice set without upgrades.
    demand_rates : netopt.flows.DemandRates
    params : netopt.flows.ChoiceParams
    options : FlowOptions
        ``upgraded`` (kept), ``max_upgrades``, ``targets``, ``objective``.
    solver : SolverParams
        Time limit and seed of the share model.
    messages : list of str
        The plan's messages: what was upgraded, and any target missed, where and by how much.

    Returns
    -------
    tuple
        The choice set with the upgrades, the upgrades table (:func:`upgrade_table`) and the
        share model's result (None when no decision was made).
    """
    pos = data.pos
    unknown = [u for u in options.upgraded if u not in pos]
    if unknown:
        raise DataError(
            [
                Problem("[model.flows]", "", "upgraded", u, "name a facility id of the region")
                for u in unknown
            ]
        )
    fixed = tuple(options.upgraded)
    mask = np.isin(np.asarray(data.fac_ids, dtype=object), list(fixed))
    if not options.decides_upgrades:
        if fixed:
            note(messages, Note("note.upgraded_as_given", ids=", ".join(fixed)))
        return choice.with_upgrades(mask), upgrade_table(data, fixed), None
    cands = np.union1d(upgrade_candidates(data), [pos[u] for u in fixed]).astype(int)
    if len(cands) == 0:
        note(messages, Note("note.no_upgrade_candidates"))
        return choice.with_upgrades(mask), upgrade_table(data, fixed), None
    pop = data.pop
    demand = zone_demand(pop, demand_rates)
    base = choice.with_upgrades(np.zeros(len(data.fac_ids), dtype=bool))
    full_mask = np.zeros(len(data.fac_ids), dtype=bool)
    full_mask[cands] = True
    full = choice.with_upgrades(full_mask)
    costs = options.visit_costs
    opening = _opening_yuan(data, cands, costs)
    cand_w, fixed_w, dem, metrics = _share_inputs(base, full, cands, demand, params, opening, costs)
    targets = [ShareTarget(k, float(v)) for k, v in options.targets.items()]
    if options.budget_yuan is not None:  # first: its excess is yuan per visit, >> any share
        targets.insert(0, ShareTarget("charged_yuan", options.budget_yuan / dem.sum(), upper=True))
    fixed_open = [int(np.flatnonzero(cands == pos[u])[0]) for u in fixed]
    # max_upgrades counts every upgrade, the given ones included; the model counts the others
    max_open = max(options.max_upgrades - len(fixed_open), 0) if options.max_upgrades else None
    maximize = options.objective == "in_area_share"
    objective = {"total_cost": "total_cost_yuan"}.get(options.objective, options.objective)
    result = share_location(
        cand_w,
        fixed_w,
        dem,
        metrics=metrics,
        objective=objective,
        maximize=maximize,
        targets=targets,
        max_open=max_open,
        fixed_open=fixed_open,
        params=solver,
    )
    chosen = tuple(data.fac_ids[cands[j]] for j in result.selected)
    up_mask = np.isin(np.asarray(data.fac_ids, dtype=object), list(chosen))
    upgraded_choice = choice.with_upgrades(up_mask)
    table = upgrade_table(data, chosen)
    names = data.region.facilities["name"]
    cost = float(np.nansum(table.loc[list(chosen), "upgrade_cost_yuan"])) if chosen else 0.0
    listed = ", ".join(f"{names.get(c, c)} ({c})" for c in chosen) or "none"
    fac = data.region.facilities
    note(
        messages,
        Note(
            "note.upgrades",
            listed=joined(
                [Note("note.name_id", name=name_in(fac.loc[c], c), id=c) for c in chosen]
                or [Note("note.none")],
                "note.comma",
            ),
            cost=f"{cost:,.0f}",
            status=term(f"stage.{result.status}", result.status),
            gap=f"{result.gap:.2%}",
        ),
    )
    if options.budget_yuan is not None:
        _budget_note(messages, options.budget_yuan, result, float(dem.sum()))
    for metric, short in result.shortfalls.items():
        if metric == "charged_yuan":
            continue
        if short > 1e-6:
            where = _where_short(upgraded_choice, demand, params, data, metric)
            away = "note.away_outside" if metric == "in_area_share" else "note.away_hospitals"
            note(
                messages,
                Note(
                    "note.target_missed",
                    metric=term(f"kpi.{metric}", metric),
                    target=f"{options.targets[metric]:.1%}",
                    pp=f"{short * 100:.2f}",
                    n=str(len(chosen)),
                    away=Note(away),
                    where=where,
                ),
            )
    logger.info("upgrades: %s (%s)", listed, result.status)
    return upgraded_choice, table, result
