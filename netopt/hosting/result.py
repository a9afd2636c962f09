"""The result of hosting a plan: :class:`Hosting`, its tables, KPIs and ``kpis.json`` entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from netopt._numbers import finite_or_none
from netopt.flows import Flows
from netopt.hosting.model import LinkEffect
from netopt.hosting.options import HostingLink, HostingOptions
from netopt.solve import SolveResult

__all__ = ["HOSTING_KPIS", "LINK_COLUMNS", "PLACE_COLUMNS", "ZONE_COLUMNS", "Hosting"]

#: Columns of :attr:`Hosting.links`, one row per link.
LINK_COLUMNS: tuple[str, ...] = (
    "partner",
    "partner_name",
    "lead",
    "lead_name",
    "chosen",
    "capacity_per_year",
    "followup_share",
    "zones",
    "population",
    "referrals_before_per_year",
    "referrals_up_per_year",
    "redirected_per_year",
    "referral_patient_hours_saved_per_year",
    "followups_home_per_year",
    "followup_patient_hours_saved_per_year",
    "followup_hours_saved_per_trip",
    "added_load_per_year",
    "partner_load_change_per_year",
    "conditions_up",
    "source",
)
#: The savings columns shared by the zone and place tables.
_SAVINGS: tuple[str, ...] = (
    "redirected_per_year",
    "referral_patient_hours_saved_per_year",
    "followups_home_per_year",
    "followup_patient_hours_saved_per_year",
    "patient_hours_saved_per_year",
)
#: Columns of :attr:`Hosting.zones`, one row per hosted zone.
ZONE_COLUMNS: tuple[str, ...] = (
    "zone", "lead", "partner", "population", "island", "island_name", "township",
    "referrals_up_per_year", *_SAVINGS, "followup_hours_saved_per_trip",
)  # fmt: skip
#: Columns of :meth:`Hosting.by_place` (``by_island`` has no ``township``).
PLACE_COLUMNS: tuple[str, ...] = (
    "island_name", "township", "zones", "population", *_SAVINGS, "followup_hours_saved_per_trip",
)  # fmt: skip
#: The keys of :meth:`Hosting.kpis`.
HOSTING_KPIS: tuple[str, ...] = (
    "hosting_links",
    "hosting_referrals_up_per_year",
    "hosting_redirected_per_year",
    "hosting_referral_patient_hours_saved_per_year",
    "hosting_followups_home_per_year",
    "hosting_followup_patient_hours_saved_per_year",
    "hosting_followup_patient_hours_saved_per_year_island",
    "hosting_patient_hours_saved_per_year",
    "hosting_county_added_load_per_year",
)


def _per_trip(hours: Any, trips: Any) -> Any:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.asarray(trips) > 0, np.asarray(hours) / np.asarray(trips), np.nan)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN and inf become None, numpy scalars plain values."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, (bool, np.bool_)):
                clean[k] = bool(v)
            elif isinstance(v, (int, np.integer)):
                clean[k] = int(v)
            elif isinstance(v, (int, float, np.integer, np.floating)) or v is None:
                clean[k] = finite_or_none(v)
            else:
                clean[k] = v
        out.append(clean)
    return out


@dataclass(frozen=True, eq=False)
class Hosting:
    """Hosting links applied to a plan: referrals up, follow-ups home and what they save.

    Attributes
    ----------
    links : pandas.DataFrame
        One row per link (:data:`LINK_COLUMNS`): visits a year at the referral levels at
        the partner before and after hosting (``referrals_up_per_year``), those redirected
        from other outside hospitals, the follow-ups brought home (each a trip to the
        partner saved) and the patient-hours they save, the load added to the county
        hospital (``added_load_per_year``, the follow-ups home) and the partner's net load
        change; ``conditions_up``: the time-critical conditions the lead cannot treat and the
        partner can (``;``-separated, :mod:`netopt.pathways.conditions`).
    zones : pandas.DataFrame
        One row per hosted zone (:data:`ZONE_COLUMNS`).
    flows : netopt.flows.Flows
        The flows after hosting.
    base : netopt.flows.Flows
        The flows before.
    options : HostingOptions
        The options as given.
    solve : netopt.solve.SolveResult or None
        The partner choice's result (status, objective, bound, gap) when partners were chosen.
    messages : tuple of str
        What the planner should know.
    """

    links: pd.DataFrame
    zones: pd.DataFrame
    flows: Flows
    base: Flows
    options: HostingOptions = field(default_factory=HostingOptions)
    solve: SolveResult | None = None
    messages: tuple[str, ...] = ()

    @property
    def partner_of_lead(self) -> dict[str, str]:
        """``{lead: partner}`` of every link."""
        return dict(zip(self.links["lead"], self.links["partner"], strict=True))

    def _group(self, keys: list[str]) -> pd.DataFrame:
        z = self.zones.assign(n=1, island_name=self.zones["island_name"].fillna("mainland"))
        sums = {c: (c, "sum") for c in ("population", *_SAVINGS)}
        out = z.groupby(keys, sort=False).agg(zones=("n", "sum"), **sums).reset_index()
        out["followup_hours_saved_per_trip"] = _per_trip(
            out["followup_patient_hours_saved_per_year"], out["followups_home_per_year"]
        )
        out = out.sort_values(["patient_hours_saved_per_year", *keys], ascending=[False] +
                              [True] * len(keys))  # fmt: skip
        return out.reset_index(drop=True)

    def by_place(self) -> pd.DataFrame:
        """Savings by island and township (the hosted zones; largest saving first).

        Returns
        -------
        pandas.DataFrame
            :data:`PLACE_COLUMNS`; ``island_name`` is ``"mainland"`` for mainland zones.
        """
        if len(self.zones) == 0:
            return pd.DataFrame(columns=list(PLACE_COLUMNS))
        return self._group(["island_name", "township"])[list(PLACE_COLUMNS)]

    def by_island(self) -> pd.DataFrame:
        """Savings by island (``"mainland"`` for the mainland zones).

        Returns
        -------
        pandas.DataFrame
            :data:`PLACE_COLUMNS` without ``township``.
        """
        columns = [c for c in PLACE_COLUMNS if c != "township"]
        if len(self.zones) == 0:
            return pd.DataFrame(columns=columns)
        return self._group(["island_name"])[columns]

    def kpis(self) -> dict[str, float]:
        """Return the flat hosting KPIs (:data:`HOSTING_KPIS`).

        Returns
        -------
        dict
            Totals over the links; ``..._island``: the island zones' follow-up saving.
        """
        links, zones = self.links, self.zones
        island = zones["island"].astype(bool) if len(zones) else pd.Series([], dtype=bool)
        follow = "followup_patient_hours_saved_per_year"
        return {
            "hosting_links": float(len(links)),
            "hosting_referrals_up_per_year": float(links["referrals_up_per_year"].sum()),
            "hosting_redirected_per_year": float(links["redirected_per_year"].sum()),
            "hosting_referral_patient_hours_saved_per_year": float(
                links["referral_patient_hours_saved_per_year"].sum()
            ),
            "hosting_followups_home_per_year": float(links["followups_home_per_year"].sum()),
            "hosting_followup_patient_hours_saved_per_year": float(links[follow].sum()),
            "hosting_followup_patient_hours_saved_per_year_island": float(
                zones.loc[island, follow].sum()
            ),
            "hosting_patient_hours_saved_per_year": float(
                links[follow].sum() + links["referral_patient_hours_saved_per_year"].sum()
            ),
            "hosting_county_added_load_per_year": float(links["added_load_per_year"].sum()),
        }

    def record(self) -> dict[str, Any]:
        """Return the ``kpis.json`` ``"hosting"`` entry (JSON-ready: NaN becomes null).

        Returns
        -------
        dict
            ``followup_patient_hours_saved_per_year`` (total), ``referrals_up_per_year``,
            ``followups_home_per_year``, ``patient_hours_saved_per_year``, ``links`` (the
            link rows), ``partner_of_lead`` (``{lead: partner}``), ``by_place`` and
            ``by_island`` rows, ``chosen`` and ``solve`` (status, objective, bound, gap,
            seconds, solver; None when the links were given).
        """
        k = self.kpis()
        solve = None
        if self.solve is not None:
            s = self.solve
            solve = {"status": s.status, "objective": finite_or_none(s.objective),
                     "bound": finite_or_none(s.bound), "gap": finite_or_none(s.gap),
                     "seconds": float(s.seconds), "solver": s.solver}  # fmt: skip
        return {
            "followup_patient_hours_saved_per_year": k[
                "hosting_followup_patient_hours_saved_per_year"
            ],
            "referral_patient_hours_saved_per_year": k[
                "hosting_referral_patient_hours_saved_per_year"
            ],
            "patient_hours_saved_per_year": k["hosting_patient_hours_saved_per_year"],
            "referrals_up_per_year": k["hosting_referrals_up_per_year"],
            "followups_home_per_year": k["hosting_followups_home_per_year"],
            "county_added_load_per_year": k["hosting_county_added_load_per_year"],
            "links": _rows(self.links),
            "partner_of_lead": self.partner_of_lead,
            "by_place": _rows(self.by_place()),
            "by_island": _rows(self.by_island()),
            "chosen": bool(self.links["chosen"].any()) if len(self.links) else False,
            "solve": solve,
        }

    def summary(self) -> str:
        """Return a one-line summary (links, follow-ups home, hours saved).

        Returns
        -------
        str
        """
        k = self.kpis()
        pairs = ", ".join(f"{p} hosts {lead}" for lead, p in self.partner_of_lead.items())
        return (
            f"hosting: {pairs or 'no links'}; "
            f"{k['hosting_followups_home_per_year']:,.0f} follow-ups/year brought home, "
            f"{k['hosting_followup_patient_hours_saved_per_year']:,.0f} patient-hours/year "
            f"saved by them, {k['hosting_referral_patient_hours_saved_per_year']:,.0f} by "
            "referrals up"
        )


def hosting_tables(
    base: Flows,
    links: Sequence[HostingLink],
    effects: Sequence[LinkEffect],
    *,
    zones: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    conditions_up: Mapping[tuple[str, str], Sequence[str]] | None = None,
    chosen: Sequence[bool] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the link and zone tables of :class:`Hosting` from the model's effects.

    Parameters
    ----------
    base : netopt.flows.Flows
        The flows before hosting (for the zone populations when ``zones`` has none).
    links, effects : sequences
        The links and :func:`~netopt.hosting.model.host_flows`' effects, in order.
    zones : pandas.DataFrame, optional
        One row per zone in the choice set's order, index the zone ids, with (any of)
        ``population``, ``island``, ``island_name``, ``township``; default indices and no
        places.
    names : mapping, optional
        Facility names by id.
    conditions_up : mapping, optional
        ``{(partner, lead): condition keys}``.
    chosen : sequence of bool, optional
        Per link: chosen by the optimiser (default all False).

    Returns
    -------
    links : pandas.DataFrame
        :data:`LINK_COLUMNS`.
    zones : pandas.DataFrame
        :data:`ZONE_COLUMNS`.
    """
    n_zones = base.choice_set.n_zones
    if zones is None:
        zones = pd.DataFrame(index=pd.RangeIndex(n_zones, name="zone"))
    pop = zones["population"].to_numpy(float) if "population" in zones else np.full(n_zones, np.nan)
    island = zones["island"].fillna(False).to_numpy(bool) if "island" in zones else np.zeros(
        n_zones, bool)  # fmt: skip
    island_name = zones["island_name"] if "island_name" in zones else pd.Series([None] * n_zones)
    township = zones["township"] if "township" in zones else pd.Series([""] * n_zones)
    names = dict(names or {})
    conditions_up = dict(conditions_up or {})
    chosen = list(chosen) if chosen is not None else [False] * len(links)
    link_rows, zone_frames = [], []
    for link, e, was_chosen in zip(links, effects, chosen, strict=True):
        zi = np.flatnonzero(e.zones)
        redirected = e.redirected.sum(axis=0)
        follow = e.followups.sum(axis=0)
        frame = pd.DataFrame({
            "zone": [str(z) for z in zones.index[zi]],
            "lead": link.lead,
            "partner": link.partner,
            "population": pop[zi],
            "island": island[zi],
            "island_name": island_name.to_numpy(object)[zi],
            "township": township.fillna("").astype(str).to_numpy(object)[zi],
            "referrals_up_per_year": e.referrals_up[zi],
            "redirected_per_year": redirected[zi],
            "referral_patient_hours_saved_per_year": e.redirect_hours[zi],
            "followups_home_per_year": follow[zi],
            "followup_patient_hours_saved_per_year": e.followup_hours[zi],
            "patient_hours_saved_per_year": e.redirect_hours[zi] + e.followup_hours[zi],
            "followup_hours_saved_per_trip": _per_trip(e.followup_hours[zi], follow[zi]),
        })  # fmt: skip
        zone_frames.append(frame)
        trips, hours = float(follow.sum()), float(e.followup_hours.sum())
        link_rows.append({
            "partner": link.partner,
            "partner_name": names.get(link.partner, link.partner),
            "lead": link.lead,
            "lead_name": names.get(link.lead, link.lead),
            "chosen": bool(was_chosen),
            "capacity_per_year": (np.inf if link.capacity_per_year is None
                                  else link.capacity_per_year),
            "followup_share": link.followup_share,
            "zones": len(zi),
            "population": float(np.nansum(pop[zi])),
            "referrals_before_per_year": float(e.referrals_before.sum()),
            "referrals_up_per_year": float(e.referrals_up.sum()),
            "redirected_per_year": e.redirected_per_year,
            "referral_patient_hours_saved_per_year": float(e.redirect_hours.sum()),
            "followups_home_per_year": trips,
            "followup_patient_hours_saved_per_year": hours,
            "followup_hours_saved_per_trip": hours / trips if trips > 0 else np.nan,
            "added_load_per_year": trips,
            "partner_load_change_per_year": e.redirected_per_year - trips,
            "conditions_up": ";".join(conditions_up.get((link.partner, link.lead), ())),
            "source": link.source,
        })  # fmt: skip
    link_table = pd.DataFrame(link_rows, columns=list(LINK_COLUMNS))
    zone_table = (
        pd.concat(zone_frames, ignore_index=True)[list(ZONE_COLUMNS)]
        if zone_frames
        else pd.DataFrame(columns=list(ZONE_COLUMNS))
    )
    return link_table, zone_table
