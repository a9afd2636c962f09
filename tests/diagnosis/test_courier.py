"""Daily laboratory courier routes (:func:`netopt.diagnosis.plan_courier`) and their
independent validator (:func:`netopt.diagnosis.check_courier`) on the synthetic region.

The synthetic region has a mainland (the county hospital C1, far-away T1, senders H1 and
H2), Beiyu Island behind the timetabled ferry F1 (the island hospital C2, sender H3) and
Xiaoyu Island behind a bridge from Beiyu (sender H4). Plans are cached per module: each
distinct courier plan is computed once.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from netopt import DataError
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.diagnosis import (
    DEFAULT_SERVICES,
    CourierOptions,
    DiagnosisOptions,
    check_courier,
    plan_courier,
    plan_diagnosis,
)
from netopt.diagnosis.courier import (
    CROSSING_COLUMNS,
    ROUTE_COLUMNS,
    STOP_COLUMNS,
    UNSERVED_COLUMNS,
)
from netopt.graph import build_graph, close_ferry, next_departure_min
from netopt.graph.timetable import departure_times
from netopt.solve import SolverParams

PARAMS = SolverParams(time_limit_s=10)
CAPACITY = CourierOptions().capacity_samples  # 400 samples a courier
FERRY = "F1"
#: The courier day of the "missed last ferry" case: starts late, island visits first.
LATE_DAY = {
    "start": "14:00",
    "end": "23:59",
    "window_min": 900.0,
    "vehicles_per_centre": 1,
    "capacity_samples": 2000.0,
}


# ----------------------------------------------------------------------------------------
# fixtures and helpers
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bay(_synthetic_region_cached):
    """The synthetic region, its graph (open and with F1 closed) and a one-lead plan."""
    region = _synthetic_region_cached
    graph = build_graph(region)
    alliances = plan_alliances(
        region, graph, options=AllianceOptions(fixed_leads=("C1",)), params=PARAMS
    )
    facilities = graph.points[graph.points["kind"] == "facility"]
    islands = set(facilities.loc[facilities["island"] != "mainland", "id"].astype(str))
    cache: dict = {}

    def closed():
        if "closed" not in cache:
            cache["closed"] = close_ferry(graph, FERRY)
        return cache["closed"]

    return SimpleNamespace(graph=graph, alliances=alliances, islands=islands, closed=closed)


@pytest.fixture(scope="module")
def diagnosis(bay):
    """Factory: the diagnosis plan with the laboratory forced to ``centre`` (cached)."""
    cache: dict = {}

    def get(centre: str, window: float | None = None):
        key = (centre, window)
        if key not in cache:
            changes = {"candidates": (centre,)}
            if window is not None:
                changes["window_min"] = float(window)
            lab = DEFAULT_SERVICES["laboratory"].replace(**changes)
            options = DiagnosisOptions(services={"laboratory": lab})
            cache[key] = plan_diagnosis(bay.alliances, bay.graph, options=options, params=PARAMS)
        return cache[key]

    return get


@pytest.fixture(scope="module")
def courier(bay, diagnosis):
    """Factory: the courier plan of a centre (lab window, F1 closed or not, options; cached)."""
    cache: dict = {}

    def get(centre: str = "C1", *, window: float | None = None, closed: bool = False, **opts):
        key = (centre, window, closed, tuple(sorted(opts.items())))
        if key not in cache:
            graph = bay.closed() if closed else bay.graph
            cache[key] = plan_courier(
                graph, diagnosis(centre, window), options=CourierOptions(**opts), params=PARAMS
            )
        return cache[key]

    return get


def samples_of(dx) -> dict[str, float]:
    """Samples per day of each laboratory sender of a diagnosis plan."""
    lab = dx.assignments[dx.assignments["service"] == "laboratory"]
    return dict(zip(lab["sender_id"].astype(str), lab["samples_per_day"].astype(float)))


def pickups(plan, fid: str | None = None) -> pd.DataFrame:
    """The pickup rows of a plan's stops (of one sender)."""
    rows = plan.stops[plan.stops["kind"] == "pickup"]
    return rows if fid is None else rows[rows["facility_id"] == fid]


def check(plan, bay, dx, graph=None, **kwargs) -> list[str]:
    """check_courier with the plan's own capacity and window unless given."""
    kwargs.setdefault("capacity", plan.options.capacity_samples)
    kwargs.setdefault("window", plan.window_min)
    return check_courier(plan, bay.graph if graph is None else graph, samples_of(dx), **kwargs)


# ----------------------------------------------------------------------------------------
# 1. a valid plan that accounts for every sample
# ----------------------------------------------------------------------------------------
CASES = [("C1", None), ("C2", None), ("C1", 200.0)]


@pytest.mark.parametrize(("centre", "window"), CASES, ids=["mainland", "island", "short"])
def test_a_plan_passes_the_validator_and_accounts_for_every_sample(
    bay, diagnosis, courier, centre, window
):
    """Valid routes; every sender served or listed unserved once; loads, totals, windows."""
    dx, plan = diagnosis(centre, window), courier(centre, window=window)
    given = samples_of(dx)
    assert set(given) == {"H1", "H2", "H3", "H4"}
    assert list(plan.stops.columns) == list(STOP_COLUMNS)
    assert list(plan.routes.columns) == list(ROUTE_COLUMNS)
    assert list(plan.unserved.columns) == list(UNSERVED_COLUMNS)
    assert list(plan.crossings.columns) == list(CROSSING_COLUMNS)
    assert plan.window_min == (240.0 if window is None else window)
    assert check(plan, bay, dx) == []

    picks, left = pickups(plan), plan.unserved
    assert left["facility_id"].is_unique
    assert set(picks["facility_id"]) | set(left["facility_id"]) == set(given)
    for fid, s in given.items():
        got = picks.loc[picks["facility_id"] == fid, "samples"].sum()
        rest = left.loc[left["facility_id"] == fid, "samples"].sum()
        assert got + rest == pytest.approx(s), fid
        assert (picks["facility_id"] == fid).sum() <= math.ceil(s / CAPACITY)
    assert (picks["samples"] > 0).all()

    # loads: what is on board after each visit, emptied at the laboratory
    assert (plan.stops["load"] <= CAPACITY + 1e-6).all()
    for name, rows in plan.stops.groupby("route"):
        rows = rows.sort_values("seq")
        assert rows["seq"].tolist() == list(range(len(rows)))
        assert rows["kind"].iloc[0] == "start" and rows["kind"].iloc[-1] == "end"
        assert (rows.loc[rows["kind"] != "pickup", "facility_id"] == centre).all()
        on_board = 0.0
        for r in rows.iloc[1:].itertuples():
            if r.kind == "pickup":
                on_board += r.samples
                assert r.load == pytest.approx(on_board)
            else:
                assert r.samples == pytest.approx(-on_board) and r.load == 0.0
                on_board = 0.0
        assert (rows["depart_min"] >= rows["arrive_min"] - 1e-9).all()
        assert (rows["arrive_min"].iloc[1:].to_numpy() >= rows["depart_min"].iloc[:-1]).all()

    # the routes table adds up the stops
    routes = plan.routes.set_index("route").sort_index()
    by_route = picks.groupby("route", sort=True)
    pd.testing.assert_series_equal(routes["samples"], by_route["samples"].sum(), check_names=False)
    assert (routes["stops"] == by_route.size()).all()
    assert routes["samples"].sum() + left["samples"].sum() == pytest.approx(sum(given.values()))
    assert (routes["max_sample_age_min"] == by_route["minutes_to_centre"].max()).all()
    assert len(routes) <= plan.options.vehicles_per_centre

    # the window: claimed flags agree with the simulated ages
    assert (picks["window_min"] == plan.window_min).all()
    assert picks["minutes_to_centre"].notna().all() and (picks["minutes_to_centre"] > 0).all()
    within = picks["minutes_to_centre"] <= picks["window_min"] + 1e-6
    assert (picks["meets_window"] == within).all() and within.all()
    assert (routes["meets_window"] == by_route["meets_window"].all()).all()

    # simulated on the exact timetable, never later than planned on the worst waits
    res = plan.solves[centre]
    lab = dx.assignments[dx.assignments["service"] == "laboratory"]
    ids = [centre, *lab.loc[lab["centre_id"] == centre, "sender_id"].astype(str)]
    for r in picks.itertuples():
        assert r.minutes_to_centre <= res.age_min[ids.index(r.facility_id)] + 1e-6


# ----------------------------------------------------------------------------------------
# 2. the validator catches tampering
# ----------------------------------------------------------------------------------------
def _with_stops(plan, stops):
    return dataclasses.replace(plan, stops=stops.reset_index(drop=True))


def _with_crossings(plan, crossings):
    return dataclasses.replace(plan, crossings=crossings.reset_index(drop=True))


def _route_state(bay, ferry):
    return bay.graph.G.graph["ferry_routes"][ferry]


def _departure_before_the_courier(plan, bay):
    """The first ferry taken a timetabled departure before the courier reaches the pier."""
    x = plan.crossings.copy()
    c = x.iloc[0]
    deps = departure_times(_route_state(bay, c["ferry"]), c["side"])
    ready = c["pier_arrive_min"] + bay.graph.options.ferry_boarding_min
    x.loc[x.index[0], "depart_min"] = deps[deps < ready - 1].max()
    return _with_crossings(plan, x)


def _departure_off_the_timetable(plan, bay):
    x = plan.crossings.copy()
    x.loc[x.index[0], "depart_min"] += 7.0
    return _with_crossings(plan, x)


def _island_arrival_too_early(plan, bay):
    """The island stop claims an arrival half an hour before the ferry gets it there."""
    s = plan.stops.copy()
    k = s.index[(s["kind"] == "pickup") & (s["ferries"] != "")][0]
    s.loc[k, ["arrive_min", "depart_min"]] -= 30.0
    return _with_stops(plan, s)


def _last_ferry_back(plan, bay):
    """The ferry back to the laboratory moved to the last departure of the day."""
    x = plan.crossings.copy()
    k = x.index[-1]
    deps = departure_times(_route_state(bay, x.loc[k, "ferry"]), x.loc[k, "side"])
    x.loc[k, "depart_min"] = deps[-1]
    return _with_crossings(plan, x)


def _two_trips_merged(plan, bay):
    """A delivery between two road pickups dropped: both loads on board at once."""
    s = plan.stops
    for k in range(1, len(s) - 1):
        before, row, after = s.iloc[k - 1], s.iloc[k], s.iloc[k + 1]
        if (
            row["kind"] == "delivery"
            and before["kind"] == after["kind"] == "pickup"
            and row["ferries"] == after["ferries"] == ""
            and before["load"] + after["samples"] > CAPACITY
        ):
            return _with_stops(plan, s.drop(index=s.index[k]))
    raise AssertionError("no delivery to merge")


def _stop_dropped(plan, bay):
    s = plan.stops
    return _with_stops(plan, s[~((s["kind"] == "pickup") & (s["facility_id"] == "H2"))])


def _samples_inflated(plan, bay):
    s = plan.stops.copy()
    s.loc[(s["kind"] == "pickup") & (s["facility_id"] == "H2"), "samples"] *= 2
    return _with_stops(plan, s)


def _age_understated(plan, bay):
    s = plan.stops.copy()
    k = s.index[s["kind"] == "pickup"][0]
    s.loc[k, "minutes_to_centre"] -= 30.0
    return _with_stops(plan, s)


def _unknown_stop(plan, bay):
    s = plan.stops.copy()
    s.loc[s.index[s["facility_id"] == "H2"], "facility_id"] = "X9"
    return _with_stops(plan, s)


def _leaves_before_the_day(plan, bay):
    s = plan.stops.copy()
    s.loc[s.index[0], ["arrive_min", "depart_min"]] = 300.0
    return _with_stops(plan, s)


def _stray_crossing(plan, bay):
    x = plan.crossings
    return _with_crossings(plan, pd.concat([x, x.iloc[[0]].assign(seq=99)]))


TAMPERING = [
    (_departure_before_the_courier, "before the courier is at the pier"),
    (_departure_off_the_timetable, "in the timetable"),
    (_island_arrival_too_early, "arrival claimed"),
    (_last_ferry_back, "> window 240 min"),
    (_two_trips_merged, f"above the capacity {CAPACITY:g}"),
    (_stop_dropped, "H2: has 227.52 samples but is neither served nor listed unserved"),
    (_samples_inflated, "samples picked up"),
    (_age_understated, "age of"),
    (_unknown_stop, "X9 not a facility of the graph"),
    (_leaves_before_the_day, "before the day's start 08:00"),
    (_stray_crossing, "recorded for a visit the route does not have"),
]


@pytest.mark.parametrize(
    ("tamper", "says"), TAMPERING, ids=[t.__name__.strip("_") for t, _ in TAMPERING]
)
def test_the_validator_catches_tampering(bay, diagnosis, courier, tamper, says):
    """Each broken claim of a valid plan is a violation naming it."""
    plan, dx = courier("C1"), diagnosis("C1")
    assert len(plan.crossings) >= 2  # the island stops need the ferry both ways
    problems = check(tamper(plan, bay), bay, dx)
    assert problems, tamper.__name__
    assert any(says in p for p in problems), problems


def test_the_validator_holds_the_plan_to_its_limits(bay, diagnosis, courier):
    """The same routes checked against a smaller courier, a shorter window, a later day or
    a closed ferry fail; the numbers are the ones the routes reach."""
    plan, dx = courier("C1"), diagnosis("C1")
    most = plan.stops["load"].max()
    small = check(plan, bay, dx, capacity=300.0)
    assert any(f"load {most:g} above the capacity 300" in p for p in small), small
    oldest = pickups(plan)["minutes_to_centre"].max()
    short = check(plan, bay, dx, window=oldest - 5.0)
    assert any(f"after {oldest:.1f} min > window" in p for p in short), short
    assert check(plan, bay, dx, window=oldest + 1.0) == []
    later = check(plan, bay, dx, day=("09:00", "17:00"))
    assert any("before the day's start 09:00" in p for p in later), later
    assert any(f"ferry {FERRY} is closed" in p for p in check(plan, bay, dx, bay.closed()))


def test_the_validator_counts_the_boarding_time(bay, diagnosis, courier):
    """A departure after the courier reaches the pier but within the boarding time is one
    the courier cannot take (leaving C2 at 08:48, the pier at 08:54, the 09:00 ferry)."""
    plan, dx = courier("C2", start="08:48"), diagnosis("C2")
    assert check(plan, bay, dx) == []
    board = bay.graph.options.ferry_boarding_min
    x = plan.crossings.copy()
    for k, c in x.iterrows():
        deps = departure_times(_route_state(bay, c["ferry"]), c["side"])
        early = deps[(deps >= c["pier_arrive_min"]) & (deps < c["pier_arrive_min"] + board)]
        if early.size:
            x.loc[k, "depart_min"] = early[0]
            break
    else:
        raise AssertionError("no departure within the boarding time")
    problems = check(_with_crossings(plan, x), bay, dx)
    assert any(f"plus {board:g} min boarding" in p for p in problems), problems


def test_the_validator_reads_routes_back_from_csv(bay, diagnosis, courier, tmp_path):
    """courier_routes.csv read back (empty ferries become NaN) is still a valid plan."""
    plan, dx = courier("C1"), diagnosis("C1")
    plan.stops.to_csv(tmp_path / "stops.csv", index=False)
    plan.crossings.to_csv(tmp_path / "crossings.csv", index=False)
    stops = pd.read_csv(tmp_path / "stops.csv")
    assert stops["ferries"].isna().any()
    back = dataclasses.replace(plan, stops=stops, crossings=pd.read_csv(tmp_path / "crossings.csv"))
    assert check(back, bay, dx) == []


# ----------------------------------------------------------------------------------------
# 3. a laboratory nearer the islands
# ----------------------------------------------------------------------------------------
def test_a_laboratory_on_the_island_shortens_the_island_courier_times(bay, diagnosis, courier):
    """Same senders; the lab at C2 (Beiyu) instead of C1 (mainland): the island samples are
    younger at the lab, reach it sooner after pickup, and no longer cross the ferry."""
    far, near = courier("C1"), courier("C2")
    assert samples_of(diagnosis("C1")) == samples_of(diagnosis("C2"))
    assert bay.islands == {"C2", "H3", "H4", "V2"}
    for fid in sorted(bay.islands & {"H3", "H4"}):
        a, b = pickups(far, fid), pickups(near, fid)
        assert len(a) and len(b), fid
        assert b["minutes_to_centre"].max() < a["minutes_to_centre"].min() - 30.0, fid
    # from C2 the island pickups go to the lab by road: no crossing after them
    for name, rows in near.stops.groupby("route"):
        rows = rows.sort_values("seq").reset_index(drop=True)
        for k in rows.index[rows["facility_id"].isin(["H3", "H4"])]:
            end = rows.index[(rows.index > k) & (rows["kind"] != "pickup")][0]
            assert (rows.loc[k + 1 : end, "ferries"] == "").all(), name
    # and from C1 every island pickup is reached across the ferry
    island_legs = pickups(far)[pickups(far)["facility_id"].isin(["H3", "H4"])]
    assert (island_legs["ferries"] == FERRY).all()


# ----------------------------------------------------------------------------------------
# 4. a window too short for the islands
# ----------------------------------------------------------------------------------------
def test_a_window_too_short_for_the_islands_lists_them_unserved(bay, diagnosis, courier):
    """With the laboratory's 200 min window the island trips are too long: H3 and H4 are
    listed with their reason and excess and named in the messages; the mainland is served."""
    plan, dx = courier("C1", window=200.0), diagnosis("C1", 200.0)
    assert plan.window_min == 200.0  # read from the laboratory service
    left = plan.unserved.set_index("facility_id")
    assert set(left.index) == {"H3", "H4"}
    given = samples_of(dx)
    for fid, row in left.iterrows():
        assert row["samples"] == pytest.approx(given[fid])
        assert row["centre_id"] == "C1" and row["window_min"] == 200.0
        assert row["excess_min"] > 0
        assert row["excess_min"] == pytest.approx(row["direct_min"] - 200.0)
        assert "> the window 200 min" in row["reason"]
        assert any(m.startswith(f"courier C1: {fid} not served") for m in plan.messages)
        assert f"unserved {fid} (C1)" in plan.summary()
        assert pickups(plan, fid).empty
    assert set(pickups(plan)["facility_id"]) == {"H1", "H2"}
    assert plan.crossings.empty
    # listed, never dropped: without its unserved rows the plan fails the validator
    hidden = dataclasses.replace(plan, unserved=plan.unserved.iloc[:0])
    problems = check(hidden, bay, dx)
    assert {p.split(":")[0] for p in problems} == {"H3", "H4"}
    # an explicit courier window overrides the laboratory's
    assert courier("C1", window=200.0, window_min=240.0).unserved.empty


# ----------------------------------------------------------------------------------------
# 5. determinism
# ----------------------------------------------------------------------------------------
def test_same_seed_same_routes(bay, diagnosis, courier):
    """Planning again with the same seed gives the same tables."""
    first = courier("C1")
    again = plan_courier(bay.graph, diagnosis("C1"), options=CourierOptions(), params=PARAMS)
    for name in ("stops", "routes", "unserved", "crossings"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name), obj=name)
    assert again.messages == first.messages
    assert [s.routes for s in again.solves.values()] == [s.routes for s in first.solves.values()]


# ----------------------------------------------------------------------------------------
# 6. a closed ferry
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("window", [200.0, 240.0, 300.0])
def test_a_closed_ferry_never_speeds_up_the_islands(bay, diagnosis, courier, window):
    """With F1 closed an island stop is never served sooner or faster; those cut off are
    listed unserved (unreachable) and the mainland is still served."""
    base, storm = courier("C1", window=window), courier("C1", window=window, closed=True)
    dx = diagnosis("C1", window)
    assert check(storm, bay, dx, graph=bay.closed()) == []
    assert storm.crossings.empty
    served_base = set(pickups(base)["facility_id"])
    served_storm = set(pickups(storm)["facility_id"])
    for fid in sorted(bay.islands & set(samples_of(dx))):
        if fid in served_storm:
            assert fid in served_base
            a, b = pickups(base, fid), pickups(storm, fid)
            assert b["minutes_to_centre"].min() >= a["minutes_to_centre"].min() - 1e-6
            assert b["arrive_min"].min() >= a["arrive_min"].min() - 1e-6
        else:
            row = storm.unserved.set_index("facility_id").loc[fid]
            assert row["reason"] == "unreachable from or to the laboratory"
            assert math.isinf(row["excess_min"]) and math.isinf(row["direct_min"])
            assert any(f"{fid} not served" in m for m in storm.messages)
    assert {"H1", "H2"} <= served_storm
    assert set(storm.unserved["facility_id"]) >= set(base.unserved["facility_id"])


# ----------------------------------------------------------------------------------------
# 7. the ferry legs of the simulation
# ----------------------------------------------------------------------------------------
FERRY_CASES = [("C1", {}), ("C2", {}), ("C2", {"start": "08:48"})]


@pytest.mark.parametrize(("centre", "opts"), FERRY_CASES, ids=["C1", "C2", "C2-boarding"])
def test_ferry_legs_take_real_timetable_departures(bay, courier, centre, opts):
    """Each crossing takes the first timetabled departure at or after the courier reaches
    the pier plus the boarding time, and the stops list the ferries of their legs. Leaving
    C2 at 08:48 the courier is at the pier before the 09:00 ferry but too late to board it."""
    plan = courier(centre, **opts)
    board = bay.graph.options.ferry_boarding_min
    assert len(plan.crossings) > 0
    stops = plan.stops.set_index(["route", "seq"])
    for c in plan.crossings.itertuples():
        state = _route_state(bay, c.ferry)
        deps = departure_times(state, c.side)
        assert np.isclose(deps, c.depart_min % 1440).any(), c
        assert c.depart_min >= c.pier_arrive_min + board - 1e-9
        assert c.depart_min == next_departure_min(state, c.side, c.pier_arrive_min + board)
        assert c.arrive_min == pytest.approx(c.depart_min + state["crossing_min"])
        assert c.depart == f"{int(c.depart_min % 1440) // 60:02d}:{int(c.depart_min) % 60:02d}"
        previous, visit = stops.loc[(c.route, c.seq - 1)], stops.loc[(c.route, c.seq)]
        assert c.pier_arrive_min > previous["depart_min"]
        assert visit["arrive_min"] > c.arrive_min
        assert c.depart_min < 1440  # nothing waits until the next morning
    for (name, seq), rows in plan.crossings.groupby(["route", "seq"]):
        assert stops.loc[(name, seq), "ferries"] == ";".join(rows["ferry"])
        assert rows["depart_min"].is_monotonic_increasing
    # both directions: out to the island and back
    assert set(plan.crossings["side"]) == {"ab", "ba"}
    if opts:
        missed = []
        for c in plan.crossings.itertuples():
            deps = departure_times(_route_state(bay, c.ferry), c.side)
            missed += deps[(deps >= c.pier_arrive_min) & (deps < c.depart_min)].tolist()
        assert missed  # a departure left while the courier was boarding


def test_a_missed_last_ferry_is_reported_never_silent(bay, diagnosis, courier):
    """The plan times ferries by their longest gap and cannot see the day's last departure
    (documented): a simulated courier that misses it waits for the next morning, and that is
    said in the messages and found by the validator."""
    plan, dx = courier("C1", **LATE_DAY), diagnosis("C1")
    x = plan.crossings
    late = x[np.floor(x["depart_min"] / 1440) > np.floor(x["pier_arrive_min"] / 1440)]
    assert len(late) >= 1
    for c in late.itertuples():
        assert any(f"no departure of ferry {c.ferry} left after" in m for m in plan.messages)
    missed = pickups(plan)[~pickups(plan)["meets_window"]]
    assert len(missed)
    for fid in missed["facility_id"]:
        assert any(f"samples of {fid} reach C1 after" in m for m in plan.messages)
    problems = check(plan, bay, dx)
    assert any("after the day's end 23:59" in p for p in problems)
    for fid in missed["facility_id"]:
        assert any(f"samples of {fid} reach C1 after" in p for p in problems), fid
    assert not plan.routes["meets_window"].all()


# ----------------------------------------------------------------------------------------
# options and inputs
# ----------------------------------------------------------------------------------------
def test_courier_options_report_every_problem():
    """Bad values come together; a TOML time is a clock; unknown keys are named."""
    with pytest.raises(DataError) as err:
        CourierOptions(vehicles_per_centre=0, capacity_samples=-1.0, start="8h", window_min=0)
    text = str(err.value)
    for name in ("vehicles_per_centre", "capacity_samples", "start", "window_min"):
        assert name in text
    with pytest.raises(DataError, match="end"):
        CourierOptions(start="17:00", end="08:00")
    opts = CourierOptions.from_dict({"start": datetime.time(7, 30), "capacity_samples": 250})
    assert (opts.start, opts.capacity_samples) == ("07:30", 250.0)
    assert CourierOptions.from_dict(opts.to_dict()) == opts
    with pytest.raises(DataError, match="vehicle_per_centre"):
        CourierOptions.from_dict({"vehicle_per_centre": 2})


def test_senders_outside_the_graph_are_an_error(bay, diagnosis):
    """A sender that is not a facility of the graph is a data error naming it."""
    dx = diagnosis("C1")
    a = dx.assignments.copy()
    a.loc[(a["service"] == "laboratory") & (a["sender_id"] == "H2"), "sender_id"] = "X9"
    with pytest.raises(DataError, match="X9"):
        plan_courier(bay.graph, dataclasses.replace(dx, assignments=a), params=PARAMS)
