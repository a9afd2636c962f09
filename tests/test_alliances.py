"""Tests of netopt.alliances: the two-level alliance planner on top of the solver core."""

from __future__ import annotations

import itertools

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
        options=AllianceOptions(p=p, capacities=False),
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
    region, times = make_region(n_zones=10, seed=4, beds=(60.0, 60.0, 60.0))
    rates = Rates()
    plan = plan_alliances(region, None, options=AllianceOptions(p=3), times=times)
    a = plan.alliances
    if not any("capacity is short" in m for m in plan.messages):
        assert (a["referral_load"] <= a["referral_capacity"] + 1e-6).all()
        caps = rates.admissions_capacity(np.array([60.0, 60.0, 60.0]))
        assert plan.solve.objective == pytest.approx(
            brute_force(region, times, 3, rates, caps=caps), rel=1e-6
        )


def test_capacity_shortfall_is_reported_not_raised():
    """When the leads cannot absorb all referrals, the plan says so and counts the unserved population."""
    region, times = make_region(n_zones=10, seed=5, beds=(1.0, 1.0, 1.0))
    plan = plan_alliances(region, None, options=AllianceOptions(p=2), times=times)
    assert any("capacity is short" in m for m in plan.messages)
    assert plan.kpis["population_unserved_capacity"] > 0
    total = sum(
        plan.kpis[k]
        for k in ("population_served", "population_unserved_capacity", "population_not_covered")
    )
    assert total == pytest.approx(plan.kpis["population"])


def test_time_out_without_a_plan_still_returns_a_plan(monkeypatch):
    """A capacitated solve stopped before any plan (forced) falls back, noted, never raises."""
    from netopt.alliances import locate
    from netopt.solve import SolveResult

    real = locate.p_median
    calls = []

    def timed_out_with_capacities(costs, p, **kw):
        calls.append("capacities" in kw)
        if "capacities" in kw:  # the time limit struck before the solver had a plan
            n = costs.shape[0]
            return SolveResult(
                selected=np.array([], dtype=int),
                assignment=np.full(n, -1),
                objective=float("nan"),
                bound=0.0,
                gap=float("nan"),
                status="time_limit",
                seconds=0.0,
                message="no plan before the limit",
            )
        return real(costs, p, **kw)

    monkeypatch.setattr(locate, "p_median", timed_out_with_capacities)
    region, times = make_region(n_zones=10, seed=4, beds=(60.0, 60.0, 60.0))
    plan = plan_alliances(
        region, None, options=AllianceOptions(p=2), params=SolverParams(time_limit_s=8), times=times
    )
    assert calls == [True, False]
    assert len(plan.leads) == 2
    assert any(
        "no plan with capacities was found within the time limit" in m for m in plan.messages
    )
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
    for key, value in plan.kpis.items():
        assert again[key] == pytest.approx(value, nan_ok=True), key


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
        ({"max_travel_min": float("inf")}, "max_travel_min"),
        ({"max_travel_min": -5.0}, "max_travel_min"),
        ({"objective": "mean"}, "objective"),
        ({"objective": "coverage"}, "max_travel_min"),
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
