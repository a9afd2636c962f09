"""Where to put a capability: the covering models agree with trying every candidate."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from netopt._errors import DataError
from netopt.graph import build_graph, close_ferry
from netopt.pathways import PathwayOptions, Siting, plan_pathways, site_centres, with_capability

#: The synthetic facilities' capabilities: no stroke centre on the island (C2 is the island
#: hospital), thrombolysis only at T1 (far away on the mainland).
CAPS = {"T1": ("stroke_centre", "pci", "icu"), "C1": ("pci", "icu")}


@pytest.fixture(scope="module")
def region(_synthetic_region_cached):
    fac = _synthetic_region_cached.facilities.copy()
    fac["capabilities"] = [CAPS.get(i, ()) for i in fac.index]
    return dataclasses.replace(_synthetic_region_cached, facilities=fac)


@pytest.fixture(scope="module")
def graph(region):
    return build_graph(region)


def _in_time(region, graph, ids, period, islanders=False):
    """Residents in time for stroke with ``ids`` given a stroke centre (by re-planning)."""
    plan = plan_pathways(
        with_capability(region, ids, ("stroke_centre",)),
        graph,
        options=PathwayOptions(conditions=("stroke",)),
    )
    t = plan.table[(plan.table["condition"] == "stroke") & (plan.table["period"] == period)]
    t = t[t["in_time"].astype(bool)]
    if islanders:
        island = region.zones["island"].astype(bool)
        t = t[t["zone"].map(island).astype(bool)]
    return float(t["population"].sum())


@pytest.mark.parametrize("objective", ["night", "day", "night_islanders"])
def test_siting_agrees_with_trying_every_candidate(region, graph, objective) -> None:
    """The chosen centre is the best single addition, measured by re-planning the pathways."""
    cands = ("C1", "C2", "H1")
    siting = Siting(condition="stroke", candidates=cands, add=1, objective=objective)
    result = site_centres(region, graph, siting)
    period = objective.split("_")[0]
    islanders = objective.endswith("islanders")
    best = {c: _in_time(region, graph, (c,), period, islanders) for c in cands}
    assert result.solve.status == "optimal"
    assert result.solve.objective == pytest.approx(max(best.values()))
    assert best[result.chosen[0]] == pytest.approx(max(best.values()))
    for c in cands:  # the per-candidate table equals re-planning
        assert result.candidates.loc[c, f"in_time_{period}"] == pytest.approx(best[c])
    assert result.candidates.loc["T1", "existing"] and not result.candidates.loc["C1", "existing"]


def test_two_centres_and_the_storm(region, graph) -> None:
    """add=2 picks the best pair; in a storm the island hospital is the one that counts."""
    cands = ("C1", "C2", "H1")
    result = site_centres(region, graph, Siting(candidates=cands, add=2, objective="night"))
    pairs = {p: _in_time(region, graph, p, "night") for p in itertools.combinations(cands, 2)}
    assert result.solve.objective == pytest.approx(max(pairs.values()))
    storm = close_ferry(graph, "F1")
    one = site_centres(region, storm, Siting(candidates=cands, objective="night_islanders"))
    assert one.chosen == ("C2",)


def test_backup_keeps_the_night_in_view(region, graph) -> None:
    """The backup objective returns a proven plan whose centres cover by day and at night."""
    result = site_centres(region, graph, Siting(candidates=("C1", "C2", "H1"), objective="backup"))
    assert result.solve.status in ("optimal", "feasible")
    assert len(result.chosen) == 1


def test_bad_siting_is_a_data_error(region, graph) -> None:
    with pytest.raises(DataError, match="candidates"):
        site_centres(region, graph, Siting(candidates=("NOPE",)))
    with pytest.raises(DataError, match="objective"):
        Siting(objective="fastest")
    with pytest.raises(DataError, match=r"\[pathways.siting\], field 'add'"):
        PathwayOptions.from_dict({"siting": {"candidates": ["C1"], "add": 0}})
    with pytest.raises(DataError, match="did you mean"):
        PathwayOptions.from_dict({"siting": {"condition": "stroke", "candidate": ["C1"]}})
