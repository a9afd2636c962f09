"""Tests of netopt.alliances: the two-level alliance planner on top of the solver core."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from netopt import DataError
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.kpis import Rates, zone_kpis
from netopt.region import PRIMARY_TIERS, Region
from netopt.solve.params import SolverParams


def make_region(
    n_zones: int = 8, seed: int = 0, *, beds=(300.0, 200.0, 100.0)
) -> tuple[Region, np.ndarray]:
    """A tiny region in code: 3 county hospitals (leads), 3 township centres, n zones, and a
    random zone x facility travel-time matrix in seconds."""
    rng = np.random.default_rng(seed)
    fac_ids = ["H1", "H2", "H3", "T1", "T2", "T3"]
    lon = 121.8 + 0.05 * np.arange(6)
    lat = np.full(6, 29.3)
    facilities = gpd.GeoDataFrame(
        {
            "name": [f"Facility {f}" for f in fac_ids],
            "tier": ["county"] * 3 + ["township"] * 3,
            "beds": [*beds, 20.0, 20.0, 20.0],
            "outpatient_per_day": [1000.0] * 3 + [100.0] * 3,
            "specialties": [()] * 6,
            "can_lead": [True] * 3 + [False] * 3,
            "alliance": ["H1", "H2", "H3", "H1", "H2", "H2"],
            "township": ["A"] * 6,
        },
        geometry=[Point(x, y) for x, y in zip(lon, lat)],
        index=pd.Index(fac_ids, name="id"),
        crs="EPSG:4326",
    )
    zid = [f"Z{i}" for i in range(n_zones)]
    zones = gpd.GeoDataFrame(
        {
            "population": rng.integers(100, 5000, n_zones).astype(float),
            "island": [i % 3 == 0 for i in range(n_zones)],
            "island_name": ["Isle" if i % 3 == 0 else None for i in range(n_zones)],
            "township": ["A"] * n_zones,
            "primary_facility": [None] * n_zones,
        },
        geometry=[Point(121.8 + 0.02 * i, 29.32) for i in range(n_zones)],
        index=pd.Index(zid, name="id"),
        crs="EPSG:4326",
    )
    empty = gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:4326")
    region = Region(
        name="tiny",
        facilities=facilities,
        zones=zones,
        ferries=empty.copy(),
        links=empty.copy(),
        experts=pd.DataFrame(),
        boundaries=empty.copy(),
        metric_crs="EPSG:32651",
    )
    times = rng.uniform(300, 6000, size=(n_zones, 6))
    return region, times


def brute_force(
    region: Region, times: np.ndarray, p: int, rates: Rates, *, limit_s=None, caps=None
):
    """Best uncapacitated patient-hours over every set of p leads and every member assignment."""
    pop = region.zones["population"].to_numpy()
    primary = 3 + np.argmin(times[:, 3:], axis=1)  # township facilities are columns 3..5
    members = sorted(set(primary.tolist()) | {0, 1, 2, 3, 4, 5})
    best = np.inf
    for leads in itertools.combinations(range(3), p):
        options = []
        for m in members:
            zs = np.flatnonzero(primary == m)
            if m in leads:
                choices = [m]
            elif m < 3:
                choices = list(leads)
            else:
                choices = list(leads)
            opts = []
            for j in choices:
                if limit_s is not None and zs.size and times[zs, j].max() > limit_s:
                    continue
                opts.append(
                    (j, float((2 * pop[zs] * rates.referrals_per_year * times[zs, j] / 3600).sum()))
                )
            options.append(opts)
        for combo in itertools.product(*options):
            if caps is not None:
                load = np.zeros(3)
                for m, (j, _) in zip(members, combo):
                    load[j] += pop[primary == m].sum() * rates.referrals_per_year
                if (load > caps).any():
                    continue
            best = min(best, sum(c for _, c in combo))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("p", [1, 2])
def test_plan_matches_brute_force(seed, p):
    """The planner's optimum equals brute-force enumeration of leads and member assignments."""
    region, times = make_region(seed=seed)
    rates = Rates()
    plan = plan_alliances(
        region,
        None,
        options=AllianceOptions(p=p, capacities=False, max_travel_min=math.inf),
        params=SolverParams(seed=seed),
        times=times,
    )
    expected = brute_force(region, times, p, rates)
    assert plan.solve.status == "optimal"
    assert plan.solve.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    # The KPI patient-hours = constant primary part + the referral part the solver minimised.
    primary_part = (
        2
        * plan.zones["population"]
        * rates.primary_visits_per_year
        * plan.zones["t_primary_min"]
        / 60
    ).sum()
    assert plan.kpis["patient_hours_per_year"] == pytest.approx(primary_part + expected, rel=1e-6)
    assert len(plan.leads) == p


def test_plan_respects_travel_limit_and_reports_excess():
    """With a hard limit, every zone that can meet it does, and the others are listed with their excess."""
    region, times = make_region(seed=3)
    limit_min = 40.0
    options = AllianceOptions(p=2, capacities=False, max_travel_min=limit_min)
    plan = plan_alliances(region, None, options=options, times=times)
    z = plan.zones
    best_min = times[:, :3].min(axis=1) / 60
    can_meet = best_min <= limit_min
    # Zones whose member facility has one lead that serves all its can-meet zones in time.
    chosen = [int(j[1]) - 1 for j in plan.leads]
    one_lead_ok = {
        m: any(
            (times[(z["primary"] == m).to_numpy() & can_meet, j] <= limit_min * 60).all()
            for j in chosen
        )
        for m in z["primary"].unique()
    }
    strict = can_meet & z["primary"].map(one_lead_ok).to_numpy(bool)
    assert strict.any()
    assert not any("solved without it" in m for m in plan.messages)
    assert (z.loc[strict, "t_lead_min"] <= limit_min + 1e-9).all()
    missed = z[z["t_lead_min"] > limit_min + 1e-9]
    assert set(plan.beyond_limit["zone"]) == set(missed.index)
    assert np.allclose(
        plan.beyond_limit["excess_min"].to_numpy(), missed["t_lead_min"].to_numpy() - limit_min
    )


def test_capacitated_plan_fits_capacity():
    """With capacities the referral load of every lead stays within its admission capacity."""
    region, times = make_region(n_zones=10, seed=6, beds=(60.0, 60.0, 60.0))
    rates = Rates()
    options = AllianceOptions(p=3, max_travel_min=math.inf)  # brute force knows no limit
    plan = plan_alliances(region, None, options=options, times=times)
    a = plan.alliances
    assert not any("capacity is exceeded" in m for m in plan.messages)
    assert (a["referral_load"] <= a["referral_capacity"] + 1e-6).all()
    assert (a["overflow"] == 0).all() and plan.capacity_moves.empty
    caps = rates.admissions_capacity(np.array([60.0, 60.0, 60.0]))
    assert plan.solve.objective == pytest.approx(
        brute_force(region, times, 3, rates, caps=caps), rel=1e-6
    )


def test_capacity_shortfall_is_reported_not_raised():
    """When the leads cannot absorb all referrals, the plan says so and counts the unserved population."""
    region, times = make_region(n_zones=10, seed=5, beds=(1.0, 1.0, 1.0))
    options = AllianceOptions(p=2, max_travel_min=math.inf)
    plan = plan_alliances(region, None, options=options, times=times)
    assert any("lead capacity is exceeded" in m for m in plan.messages)
    assert not any("without capacities" in m for m in plan.messages)
    assert plan.kpis["population_unserved_capacity"] > 0
    total = sum(
        plan.kpis[k]
        for k in ("population_served", "population_unserved_capacity", "population_not_covered")
    )
    assert total == pytest.approx(plan.kpis["population"])


def test_time_out_without_a_plan_still_returns_a_plan(monkeypatch):
    """A solve within the travel limit stopped before any plan (forced) is solved again
    without the limit, capacities kept (soft), noted, never raises."""
    from netopt.alliances import locate
    from netopt.solve import SolveResult

    real = locate.p_median
    calls = []

    def timed_out_within_the_limit(costs, p, **kw):
        limited = bool(np.isinf(costs).any())
        calls.append((kw.get("soft_capacity", False), limited))
        if limited:  # the time limit struck before the solver had a plan
            return SolveResult(
                selected=np.array([], dtype=int),
                assignment=np.full(costs.shape[0], -1),
                objective=float("nan"),
                bound=0.0,
                gap=float("nan"),
                status="time_limit",
                seconds=0.0,
                message="no plan before the limit",
            )
        return real(costs, p, **kw)

    monkeypatch.setattr(locate, "p_median", timed_out_within_the_limit)
    region, times = make_region(n_zones=10, seed=4, beds=(60.0, 60.0, 60.0))
    plan = plan_alliances(
        region,
        None,
        options=AllianceOptions(p=2, max_travel_min=40.0),
        params=SolverParams(time_limit_s=8),
        times=times,
    )
    assert calls == [(True, True), (True, False)]  # capacities kept in both solves
    assert len(plan.leads) == 2
    assert any("no plan within the travel limit was found" in m for m in plan.messages)
    assert not any("without capacities" in m for m in plan.messages)
    counts = sum(
        plan.kpis[k]
        for k in ("population_served", "population_unserved_capacity", "population_not_covered")
    )
    assert counts == pytest.approx(plan.kpis["population"])


def test_fixed_lead_that_cannot_lead_is_an_error_unless_allowed():
    """A health centre named in fixed_leads is refused with its tier; allowed, it is noted."""
    region, times = make_region(n_zones=8, seed=3)
    with pytest.raises(DataError, match=r"T1.*township facility that cannot lead") as info:
        plan_alliances(region, None, options=AllianceOptions(fixed_leads=("T1",)), times=times)
    assert info.value.problems[0].field == "fixed_leads"
    plan = plan_alliances(
        region,
        None,
        options=AllianceOptions(fixed_leads=("T1",), allow_any_lead=True),
        times=times,
    )
    assert plan.leads == ("T1",)
    assert any("allow_any_lead" in m and "T1" in m for m in plan.messages)
    with pytest.raises(DataError, match="allow_any_lead"):
        AllianceOptions(allow_any_lead="yes")


def test_current_alliances_are_evaluated_as_they_are():
    """evaluate_only=True keeps today's membership, even where another lead would be nearer."""
    region, times = make_region(seed=6)
    options = AllianceOptions(evaluate_only=True, capacities=False)
    plan = plan_alliances(region, None, options=options, times=times)
    assert set(plan.leads) == {"H1", "H2", "H3"}
    assert plan.facilities.loc["T1", "lead"] == "H1"
    assert plan.facilities.loc["T2", "lead"] == "H2"
    assert plan.facilities.loc["T3", "lead"] == "H2"
    zones = plan.zones
    assert (zones["lead"] == zones["primary"].map(plan.facilities["lead"])).all()


def test_fixed_lead_stays_open():
    """A fixed lead is kept even when the free optimum would not choose it."""
    region, times = make_region(seed=7)
    free = plan_alliances(region, None, options=AllianceOptions(p=1, capacities=False), times=times)
    other = next(f for f in ("H1", "H2", "H3") if f not in free.leads)
    options = AllianceOptions(p=2, fixed_leads=[other], capacities=False)
    plan = plan_alliances(region, None, options=options, times=times)
    assert other in plan.leads and len(plan.leads) == 2


def test_kpis_recompute_from_assignments():
    """The plan's KPIs equal those recomputed from its own assignments table."""
    region, times = make_region(seed=8)
    plan = plan_alliances(region, None, options=AllianceOptions(p=2, capacities=False), times=times)
    again = zone_kpis(plan.zones.reset_index(drop=True), plan.rates)
    for key, value in again.items():
        assert plan.kpis[key] == pytest.approx(value, nan_ok=True), key
    flows = plan.flows()  # the rest are flow KPIs, from the plan's choice set
    assert plan.kpis["in_area_share"] == pytest.approx(flows.kpis()["in_area_share"])


def test_same_seed_same_plan():
    """Two runs with the same seed return the same leads and assignment."""
    region, times = make_region(n_zones=12, seed=9)
    options, params = AllianceOptions(p=2), SolverParams(seed=3)
    a = plan_alliances(region, None, options=options, params=params, times=times)
    b = plan_alliances(region, None, options=options, params=params, times=times)
    assert a.leads == b.leads
    assert (a.zones["lead"] == b.zones["lead"]).all()


def test_plan_keeps_its_options_and_params():
    """The plan carries the options and solver parameters it was made with, and a summary."""
    region, times = make_region(seed=10)
    options, params = AllianceOptions(p=2, capacities=False), SolverParams(time_limit_s=20)
    plan = plan_alliances(region, None, options=options, params=params, name="two", times=times)
    assert plan.options is options and plan.params is params
    assert plan.rates is options.rates
    assert plan.summary().startswith("two: 2 alliance(s) led by ")


def test_unknown_lead_id_is_a_data_error():
    """A lead id that is not a facility gives a DataError naming it."""
    region, times = make_region()
    with pytest.raises(DataError, match="NOPE"):
        plan_alliances(region, None, options=AllianceOptions(fixed_leads=["NOPE"]), times=times)


def test_neither_p_nor_leads_is_a_data_error():
    """Default options (no p, no fixed leads, not evaluate_only) give a DataError naming p."""
    region, times = make_region()
    with pytest.raises(DataError, match="field 'p'"):
        plan_alliances(region, None, times=times)


def test_wrong_times_shape_is_a_data_error():
    """A times matrix of the wrong shape gives a DataError naming times and the shape wanted."""
    region, times = make_region()
    with pytest.raises(DataError, match=r"field 'times'.*\(8, 6\)"):
        plan_alliances(region, None, options=AllianceOptions(p=1), times=times[:, :3])


def test_to_file_writes_geopackage_layers(tmp_path):
    """to_file writes a GeoPackage whose zones layer carries each zone's lead."""
    region, times = make_region()
    plan = plan_alliances(region, None, options=AllianceOptions(p=2, capacities=False), times=times)
    path = plan.to_file(tmp_path / "plan.gpkg")
    zones = gpd.read_file(path, layer="zones")
    fac = gpd.read_file(path, layer="facilities")
    assert len(zones) == len(region.zones) and len(fac) == len(region.facilities)
    assert dict(zip(zones["id"], zones["lead"])) == plan.zones["lead"].to_dict()


# --------------------------------------------------------------------------- AllianceOptions


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"p": 0}, "p"),
        ({"p": 1.5}, "p"),
        ({"p": True}, "p"),
        ({"fixed_leads": "H1"}, "fixed_leads"),
        ({"fixed_leads": [1, 2]}, "fixed_leads"),
        ({"candidates": "H1"}, "candidates"),
        ({"evaluate_only": "yes"}, "evaluate_only"),
        ({"capacities": 1}, "capacities"),
        ({"max_travel_min": 0}, "max_travel_min"),
        ({"max_travel_min": float("nan")}, "max_travel_min"),
        ({"max_travel_min": -5.0}, "max_travel_min"),
        ({"objective": "mean"}, "objective"),
        ({"objective": "coverage", "max_travel_min": float("inf")}, "max_travel_min"),
        ({"rates": {"referrals_per_year": 0.2}}, "rates"),
        ({"primary_tiers": ()}, "primary_tiers"),
    ],
)
def test_options_reject_bad_values(changes, field):
    """AllianceOptions raises a DataError naming the offending field."""
    with pytest.raises(DataError, match=f"AllianceOptions, field '{field}'"):
        AllianceOptions(**changes)


def test_options_list_every_problem_at_once():
    """All bad values are reported in one DataError."""
    with pytest.raises(DataError, match="3 problems") as info:
        AllianceOptions(p=-1, objective="best", max_travel_min=-1)
    assert {p.field for p in info.value.problems} == {"p", "objective", "max_travel_min"}


def test_options_coerce_lists_and_numbers():
    """Lists become tuples of ids and an integer limit a float, so options compare equal."""
    options = AllianceOptions(fixed_leads=["H1"], candidates=["H1", "H2"], max_travel_min=60)
    assert options.fixed_leads == ("H1",) and options.candidates == ("H1", "H2")
    assert options.max_travel_min == 60.0 and isinstance(options.max_travel_min, float)
    assert options.primary_tiers == PRIMARY_TIERS
    assert options == AllianceOptions(
        fixed_leads=("H1",), candidates=("H1", "H2"), max_travel_min=60.0
    )


def test_from_dict_suggests_the_closest_key():
    """A misspelt key is reported with the closest valid key and the source table."""
    with pytest.raises(
        DataError, match=r"\[model\], field 'max_travel': unknown key.*max_travel_min"
    ):
        AllianceOptions.from_dict({"p": 2, "max_travel": 60})


def test_from_dict_reports_every_problem_with_its_table():
    """Unknown keys, bad values and bad rates come in one DataError, rates under [model.rates]."""
    data = {"p": "two", "objectiv": "median", "rates": {"referals_per_year": 0.1}}
    with pytest.raises(DataError) as info:
        AllianceOptions.from_dict(data, source="[scenario.model]")
    where = {(p.file, p.field) for p in info.value.problems}
    assert where == {
        ("[scenario.model]", "objectiv"),
        ("[scenario.model]", "p"),
        ("[scenario.model.rates]", "referals_per_year"),
    }
    text = str(info.value)
    assert "did you mean 'objective'" in text and "did you mean 'referrals_per_year'" in text


def test_to_dict_from_dict_round_trip():
    """to_dict gives a TOML-ready dict (lists, a rates table, no None) that from_dict reads back."""
    options = AllianceOptions(
        p=3,
        fixed_leads=("H1",),
        candidates=("H1", "H2", "H3"),
        max_travel_min=45.0,
        objective="coverage",
        rates=Rates(referrals_per_year=0.2),
    )
    data = options.to_dict()
    assert data["fixed_leads"] == ["H1"] and data["rates"]["referrals_per_year"] == 0.2
    assert all(isinstance(v, (bool, int, float, str, list, dict)) for v in data.values())
    assert AllianceOptions.from_dict(data) == options
    default = AllianceOptions().to_dict()
    assert "p" not in default and "candidates" not in default and "max_travel_min" not in default
    assert AllianceOptions.from_dict(default) == AllianceOptions()
    assert set(AllianceOptions.fields()) >= set(data)


def test_replace_checks_again():
    """replace returns changed options and rejects unknown fields and bad values."""
    options = AllianceOptions(p=2)
    assert options.replace(p=3).p == 3 and options.p == 2
    with pytest.raises(DataError, match="field 'q'"):
        options.replace(q=3)
    with pytest.raises(DataError, match="field 'p'"):
        options.replace(p=0)


def test_plan_alliances_wants_option_objects():
    """A plain mapping instead of AllianceOptions is a TypeError pointing at from_dict."""
    region, times = make_region()
    with pytest.raises(TypeError, match=r"AllianceOptions\.from_dict"):
        plan_alliances(region, None, options={"p": 2}, times=times)


# ----------------------------------------------------------------------------------------
# capacity: soft capacities, per-lead overflow, the members that would have to move
# ----------------------------------------------------------------------------------------
def _member_arrays(region: Region, times: np.ndarray, rates: Rates):
    """Members with residents (township columns 3..5): loads and patient-hours to H1..H3."""
    pop = region.zones["population"].to_numpy()
    primary = 3 + np.argmin(times[:, 3:], axis=1)
    members = [m for m in (3, 4, 5) if (primary == m).any()]
    loads = np.array([pop[primary == m].sum() * rates.referrals_per_year for m in members])
    costs = np.array(
        [
            [(2 * pop[primary == m] * rates.referrals_per_year * times[primary == m, j] / 3600).sum()
             for j in range(3)]
            for m in members
        ]
    )  # fmt: skip
    return members, loads, costs


def brute_force_soft(region, times, p, rates, caps):
    """Least total overflow, then least referral patient-hours, over every set of p leads
    and every member assignment (no travel limit)."""
    _, loads, costs = _member_arrays(region, times, rates)
    best = None
    for leads in itertools.combinations(range(3), p):
        for combo in itertools.product(leads, repeat=len(loads)):
            a = np.array(combo)
            load = np.bincount(a, loads, 3)
            over = float(np.maximum(load - caps, 0)[list(leads)].sum())
            cost = float(costs[np.arange(len(a)), a].sum())
            if best is None or over < best[0] - 1e-6 or (over <= best[0] + 1e-6 and cost < best[1]):
                best = (over, cost)
    return best


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_soft_capacity_plan_matches_brute_force(seed, p):
    """Where the beds cannot hold, the plan has the least total overflow of any plan and,
    among those, the least patient-hours; the alliance table reports that overflow."""
    region, times = make_region(n_zones=10, seed=seed, beds=(60.0, 45.0, 30.0))
    rates = Rates()
    options = AllianceOptions(p=p, max_travel_min=math.inf)
    plan = plan_alliances(region, None, options=options, times=times)
    caps = rates.admissions_capacity(np.array([60.0, 45.0, 30.0]))
    over, cost = brute_force_soft(region, times, p, rates, caps)
    a = plan.alliances
    assert plan.solve.status == "optimal"
    assert a["overflow"].sum() == pytest.approx(over, abs=1e-6)
    assert plan.solve.shortfall == pytest.approx(over, abs=1e-6)
    assert plan.solve.objective == pytest.approx(cost, rel=1e-6)
    assert np.allclose(a["overflow"], np.maximum(a["referral_load"] - a["referral_capacity"], 0))
    assert np.allclose(a["utilisation"], a["referral_load"] / a["referral_capacity"])
    assert a["referral_load"].sum() == pytest.approx(
        region.zones["population"].sum() * rates.referrals_per_year
    )
    exceeded = [m for m in plan.messages if "lead capacity is exceeded" in m]
    assert bool(exceeded) == (over > 1e-6)
    assert not any("without capacities" in m for m in plan.messages)


def test_over_capacity_is_named_with_load_capacity_overflow_and_share():
    """The message names every over-capacity lead with its load, beds capacity, overflow and
    utilisation, as the alliance table has them."""
    region, times = make_region(n_zones=10, seed=4, beds=(300.0, 5.0, 300.0))
    options = AllianceOptions(evaluate_only=True, max_travel_min=math.inf)
    plan = plan_alliances(region, None, options=options, times=times)
    row = plan.alliances.loc["H2"]
    assert row["overflow"] > 0 and row["beds"] == 5.0
    (msg,) = [m for m in plan.messages if "lead capacity is exceeded" in m]
    assert (
        f"Facility H2 (H2) {row['referral_load']:,.0f} referrals/year for a capacity of "
        f"{row['referral_capacity']:,.0f} (5 beds), overflow {row['overflow']:,.0f} "
        f"({row['utilisation'] * 100:,.0f} % utilisation)"
    ) in msg
    assert "Facility H1 (H1)" not in msg  # H1 and H3 fit


def test_capacity_moves_follow_the_greedy_rule():
    """Today's over-full lead lists the members that would have to move: each to a lead
    whose spare beds hold it whole, the least extra patient-hours per referral first, until
    the lead fits; the messages name them."""
    region, times = make_region(n_zones=10, seed=4, beds=(300.0, 5.0, 300.0))
    rates = Rates()
    options = AllianceOptions(evaluate_only=True, max_travel_min=math.inf)
    plan = plan_alliances(region, None, options=options, times=times)
    moves = plan.capacity_moves
    members, loads, costs = _member_arrays(region, times, rates)
    ids = [f"T{m - 2}" for m in members]
    a = plan.alliances
    load = a["referral_load"].to_dict()
    cap = a["referral_capacity"].to_dict()
    lead_of = {f: plan.facilities.at[f, "lead"] for f in ids}
    expected = []
    while load["H2"] > cap["H2"]:
        options_ = [
            ((costs[k, int(t[1]) - 1] - costs[k, 1]) / loads[k], f, t)
            for k, f in enumerate(ids)
            if lead_of[f] == "H2" and loads[k] > 0 and f not in [e[0] for e in expected]
            for t in ("H1", "H3")
            if cap[t] - load[t] >= loads[k]
        ]
        if not options_:
            break
        _, f, t = min(options_)
        k = ids.index(f)
        load["H2"] -= loads[k]
        load[t] += loads[k]
        expected.append((f, t))
    assert expected and list(zip(moves["member"], moves["to_lead"])) == expected
    assert (moves["lead"] == "H2").all() and moves["within_limit"].all()
    assert moves["lead_load_after"].iloc[-1] == pytest.approx(load["H2"])
    for row in moves.itertuples():
        k = ids.index(row.member)
        extra = costs[k, int(row.to_lead[1]) - 1] - costs[k, 1]
        assert row.extra_patient_hours == pytest.approx(extra)
        assert row.extra_min == pytest.approx(extra * 30 / loads[k])  # h per referral -> min
    (msg,) = [m for m in plan.messages if "would have to move" in m]
    assert all(f"({f}) to Facility {t}" in msg for f, t in expected)


def test_fixed_health_centre_over_capacity_is_reported():
    """A 20-bed health centre fixed as the only lead (allow_any_lead) takes every referral:
    its overflow and utilisation are reported, and no member can move anywhere."""
    region, times = make_region(n_zones=8, seed=3)
    options = AllianceOptions(fixed_leads=("T1",), allow_any_lead=True, max_travel_min=math.inf)
    plan = plan_alliances(region, None, options=options, times=times)
    row = plan.alliances.loc["T1"]
    total = region.zones["population"].sum() * Rates().referrals_per_year
    assert row["referral_load"] == pytest.approx(total)
    assert row["overflow"] == pytest.approx(total - row["referral_capacity"])
    assert row["utilisation"] == pytest.approx(total / row["referral_capacity"])
    assert row["utilisation"] > 4  # 427 %
    (msg,) = [m for m in plan.messages if "lead capacity is exceeded" in m]
    assert "Facility T1 (T1)" in msg and "(20 beds)" in msg
    assert f"{row['utilisation'] * 100:,.0f} % utilisation" in msg
    assert plan.capacity_moves.empty
    assert any("every lead is at or over capacity" in m for m in plan.messages)


def test_fixed_health_centre_keeps_its_beds_where_another_lead_has_room():
    """With a second fixed lead that has room, the soft model sends the members there: the
    health centre stays within its beds, unlike without capacities."""
    region, times = make_region(n_zones=8, seed=3)
    options = AllianceOptions(
        fixed_leads=("T1", "H1"), allow_any_lead=True, max_travel_min=math.inf
    )
    plan = plan_alliances(region, None, options=options, times=times)
    assert (plan.alliances["overflow"] == 0).all()
    assert not any("capacity is exceeded" in m for m in plan.messages)
    free = plan_alliances(region, None, options=options.replace(capacities=False), times=times)
    if free.alliances.loc["T1", "overflow"] > 0:  # without capacities it is reported anyway
        assert any("capacities = false: not enforced" in m for m in free.messages)


def test_capacity_served_counts_every_member_of_the_lead():
    """Each zone's capacity_served is min(1, capacity / load) of its lead, the load counting
    every assigned member, also zones beyond the travel window; a tighter window (worse
    access for the same plan) never raises the population served."""
    region, times = make_region(n_zones=10, seed=4, beds=(60.0, 45.0, 30.0))
    wide = plan_alliances(
        region, None, options=AllianceOptions(evaluate_only=True, max_travel_min=90), times=times
    )
    a = wide.alliances
    share = np.minimum(1.0, a["referral_capacity"] / a["referral_load"])
    z = wide.zones
    assert np.allclose(z["capacity_served"], share.reindex(z["lead"]).to_numpy())
    narrow = plan_alliances(
        region, None, options=AllianceOptions(evaluate_only=True, max_travel_min=30), times=times
    )
    assert (narrow.zones["lead"] == z["lead"]).all()
    assert np.allclose(narrow.zones["capacity_served"], z["capacity_served"])
    assert narrow.kpis["population_served"] <= wide.kpis["population_served"] + 1e-9


# --- the planning area and the default travel window (issue 11, item 5) -------------------


def _coded_synthetic(synthetic_region: Region) -> Region:
    """The synthetic region with area codes: T1 in Haishu (330203), the rest in 330225."""
    import dataclasses

    fac = synthetic_region.facilities.copy()
    fac["area"] = ["330203" if f == "T1" else "330225" for f in fac.index]
    meta = {**synthetic_region.metadata, "area": "330225"}
    return dataclasses.replace(synthetic_region, facilities=fac, metadata=meta)


@pytest.fixture
def coded_plan_inputs(synthetic_region):
    """The coded synthetic region and its zone x facility times."""
    import netopt

    region = _coded_synthetic(synthetic_region)
    graph = netopt.build_graph(region)
    return region, netopt.alliances.zone_facility_seconds(region, graph)


def test_code_rules_of_the_planning_area():
    """A code inside starts with an area code; a coarser code or no code cannot say."""
    from netopt.alliances.area import code_in_area

    assert code_in_area("330225101", ["330225"]) is True
    assert code_in_area("330225", ["330225"]) is True
    assert code_in_area("330203", ["330225", "330226"]) is False
    assert code_in_area("330225", ["330225101"]) is None
    assert code_in_area(None, ["330225"]) is None and code_in_area("330225", []) is None


def test_position_test_equals_the_buffer_of_the_zones(synthetic_region):
    """Without codes, the KD-tree test gives the union-of-2-km-buffers answer (point and
    polygon zones, random facilities)."""
    import dataclasses

    from netopt.alliances.area import facilities_in_area

    rng = np.random.default_rng(7)
    fac = synthetic_region.facilities
    many = pd.concat([fac] * 20, ignore_index=True)
    many.index = pd.Index([f"F{i}" for i in range(len(many))], name="id")
    lon = rng.uniform(121.55, 122.15, len(many))
    lat = rng.uniform(29.05, 29.45, len(many))
    many = gpd.GeoDataFrame(
        many.drop(columns="geometry"),
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=many.index,
    )
    region = dataclasses.replace(synthetic_region, facilities=many)
    zones_m = region.zones.to_crs(region.metric_crs)
    buffer = zones_m.geometry.union_all().buffer(2000)
    expected = many.to_crs(region.metric_crs).geometry.within(buffer).to_numpy()
    got = facilities_in_area(region).to_numpy()
    assert 0 < expected.sum() < len(expected)
    assert (got == expected).mean() > 0.99  # only points on the buffer's polygonal edge may differ
    assert list(
        facilities_in_area(synthetic_region).index[~facilities_in_area(synthetic_region)]
    ) == [
        "T1",
        "V3",
    ]


def test_outside_hospital_is_a_referral_partner_not_a_lead(coded_plan_inputs):
    """With a planning area, the hospital outside it is no candidate: it is marked in_area
    False and named in the messages, and p=2 picks leads inside."""
    region, times = coded_plan_inputs
    plan = plan_alliances(region, None, options=AllianceOptions(p=1), times=times)
    assert plan.leads == ("C1",)
    assert not plan.facilities.loc["T1", "in_area"] and plan.facilities.loc["C1", "in_area"]
    assert pd.isna(plan.facilities.loc["T1", "lead"])
    assert any(
        "referral partner outside the planning area" in m and "T1" in m and "330203" in m
        for m in plan.messages
    )
    # the outside hospital draws visits in the choice model: not every visit stays inside
    assert 0.0 < plan.kpis["in_area_share"] < 1.0
    outside = plan.flows().facility_load().loc["T1", "total"]
    assert outside > 0


def test_outside_lead_named_is_an_error_unless_allowed(coded_plan_inputs):
    """fixed_leads or candidates naming the outside hospital is a DataError naming it and its
    area; with allow_outside_leads it may lead, and the messages say so."""
    region, times = coded_plan_inputs
    for field in ("fixed_leads", "candidates"):
        options = AllianceOptions(p=1, **{field: ("T1",)})
        with pytest.raises(
            DataError,
            match=rf"T1, field '{field}': Ningbo First Hospital lies outside the planning area "
            r"\(area 330203, planning area 330225\)",
        ):
            plan_alliances(region, None, options=options, times=times)
    options = AllianceOptions(fixed_leads=("T1",), allow_outside_leads=True)
    plan = plan_alliances(region, None, options=options, times=times)
    assert plan.leads == ("T1",)
    assert any("T1" in m and "allow_outside_leads is set" in m for m in plan.messages)
    assert AllianceOptions.from_dict({"allow_outside_leads": True}).allow_outside_leads
    with pytest.raises(DataError, match="allow_outside_leads"):
        AllianceOptions(allow_outside_leads="yes")


def test_no_lead_inside_the_area_says_why(coded_plan_inputs):
    """When every lead-capable hospital is outside, the error says so and how to allow it."""
    import dataclasses

    region, times = coded_plan_inputs
    elsewhere = dataclasses.replace(region, metadata={**region.metadata, "area": "330226"})
    with pytest.raises(DataError, match=r"2 lead-capable facilities lie outside.*allow_outside"):
        plan_alliances(elsewhere, None, options=AllianceOptions(p=1), times=times)


def test_default_travel_window_applies_and_is_stated():
    """No max_travel_min: the 60-min window applies (the plan equals a stated 60) and the
    messages say 'travel window 60 min (default)'; inf means no limit."""
    from netopt.alliances.options import DEFAULT_TRAVEL_WINDOW_MIN

    region, times = make_region(n_zones=10, seed=2)
    default = plan_alliances(region, None, options=AllianceOptions(p=1), times=times)
    stated = plan_alliances(
        region, None, options=AllianceOptions(p=1, max_travel_min=60), times=times
    )
    none = plan_alliances(
        region, None, options=AllianceOptions(p=1, max_travel_min=math.inf), times=times
    )
    assert DEFAULT_TRAVEL_WINDOW_MIN == 60.0 and default.options.max_travel_min == 60.0
    assert default.leads == stated.leads
    assert (default.zones["within_limit"] == stated.zones["within_limit"]).all()
    assert len(default.beyond_limit) and none.beyond_limit.empty
    assert any(m.startswith("travel window 60 min (default)") for m in default.messages)
    assert not any("(default)" in m for m in stated.messages + none.messages)
    assert AllianceOptions().to_dict().get("max_travel_min") is None
    assert AllianceOptions.from_dict({"max_travel_min": math.inf}).max_travel_min is None
    assert AllianceOptions(max_travel_min=None).to_dict()["max_travel_min"] == math.inf
    assert AllianceOptions(p=2).replace(p=3).travel_window_text == "travel window 60 min (default)"


def test_readme_two_alliances_stay_in_the_county():
    """The README's p=2 example with no stated limit leads from inside Xiangshan County: the
    Ningbo hospital (330203) is a referral partner, and the default window is stated."""
    import netopt

    region = netopt.load_region("geodata/xiangshan")
    assert region.area_codes == ("330225",)
    assert region.facilities.loc["NB-H01", "area"] == "330203"
    county = region.facilities[region.facilities["tier"] != "tertiary"]  # Ningbo's hospitals
    assert (county["area"] == "330225").all()
    two = netopt.run(netopt.Scenario("two", region, model=netopt.AllianceOptions(p=2)))
    assert "NB-H01" not in two.plan.leads and len(two.plan.leads) == 2
    assert not two.plan.facilities.loc["NB-H01", "in_area"]
    assert any("travel window 60 min (default)" in m for m in two.plan.messages)


def test_today_led_from_outside_the_area_names_the_option():
    """Evaluating today's alliances with a lead outside the planning area is an error naming
    the lead and allow_outside_leads; with the option set it is evaluated as it is."""
    import dataclasses

    import netopt

    region = netopt.load_region("geodata/xiangshan")
    fac = region.facilities.copy()
    fac.loc[fac["alliance"] == "XS-H02", "alliance"] = "NB-H01"
    fac.loc["NB-H01", "alliance"] = "NB-H01"
    moved = dataclasses.replace(region, facilities=fac)
    times = np.ones((len(moved.zones), len(fac))) * 600.0
    with pytest.raises(DataError, match=r"NB-H01.*outside the planning area.*allow_outside_leads"):
        plan_alliances(moved, options=AllianceOptions(evaluate_only=True), times=times)
    plan = plan_alliances(
        moved,
        options=AllianceOptions(evaluate_only=True, allow_outside_leads=True),
        times=times,
    )
    assert "NB-H01" in plan.leads
