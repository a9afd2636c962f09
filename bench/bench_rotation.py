"""Benchmark the expert rotation model (netopt.solve.rotation) on generated instances.

Instances: 4 alliances, 4 specialties, a 28-day horizon; experts work 2-4 weekdays and
4-10 outreach days; a fifth of the sites are islands (ferry crossing 30-120 min; a third of
them have no afternoon ferry back, so they are multi-day stays only). Needs follow a
township-sized population (median ~9,000) times illustrative visit rates.

For each size the script prints the seconds to the first feasible solution, to a 1 % gap
(from the CP-SAT solution and bound callbacks; the gap is that of phase 2, patient travel,
and counts only once phase 1, the rhythm shortfall, is proved), and the final gap within a
60 s limit, with 2 workers and ``interleave_search`` (reproducible). "seconds" includes the
continuity phase (at most 15 % of the limit). Run: ``python bench/bench_rotation.py [--time-limit 60] [--sizes 60x40 ...]``.

``--busy 60x40`` measures reproducibility under load instead: the instance is solved on the
machine as it is and again beside two CPU hogs (busy-looping processes), in the default
deterministic mode and, as the named alternative, with a plain wall-clock limit
(``deterministic=False``); the table says whether the two schedules are the same.
Nothing is downloaded; the data is generated from a fixed seed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import multiprocessing
import platform
import time
from collections.abc import Iterator

import numpy as np

from netopt.solve import SolverParams
from netopt.solve.rotation import RotationInstance, solve_rotation, visit_options

SPECIALTY_RATES = (0.060, 0.080, 0.060, 0.050)  # visits per resident per year (illustrative)


def make_instance(
    n_experts: int, n_sites: int, *, n_days: int = 28, seed: int = 0, n_alliances: int = 4
) -> RotationInstance:
    """A random rotation instance with islands, ferries and weekday availability."""
    rng = np.random.default_rng(seed)
    K = len(SPECIALTY_RATES)
    site_alliance = rng.integers(0, n_alliances, n_sites)
    island = rng.random(n_sites) < 0.2
    road = rng.uniform(15, 90, n_sites)
    crossing = np.where(island, rng.uniform(30, 120, n_sites), 0.0)
    out = np.full((n_alliances, n_sites), np.inf)
    back = np.full((2, n_alliances, n_sites), np.inf)  # returns leaving 10:30 and 15:30
    own = site_alliance
    out[own, np.arange(n_sites)] = road + crossing
    back[0, own, np.arange(n_sites)] = road + crossing
    afternoon = road + crossing
    afternoon[island & (rng.random(n_sites) < 1 / 3)] = np.inf  # no afternoon ferry
    back[1, own, np.arange(n_sites)] = afternoon
    options = visit_options(out, back, return_at_min=np.array([150.0, 450.0]))
    pop = rng.lognormal(np.log(9000), 0.6, n_sites)
    needs = rng.random((n_sites, K)) < 0.75
    need = np.rint(pop[:, None] * np.array(SPECIALTY_RATES) * n_days / 365 * needs)
    weekdays = np.zeros((n_experts, 7), bool)
    for e in range(n_experts):
        weekdays[e, rng.choice(5, size=rng.integers(2, 5), replace=False)] = True
    available = weekdays[:, np.arange(n_days) % 7]
    return RotationInstance(
        n_days=n_days,
        expert_specialty=rng.integers(0, K, n_experts),
        expert_origin=(ea := rng.integers(0, n_alliances, n_experts)),
        expert_alliance=ea,
        available=available,
        max_days=rng.integers(4, 11, n_experts),
        site_alliance=site_alliance,
        need=need.astype(np.int64),
        rhythm_days=np.full(K, 14),
        patient_saving_min=np.rint(2 * 0.8 * (road + crossing)),
        options=options,
    )


@contextlib.contextmanager
def cpu_hogs(n: int = 2) -> Iterator[None]:
    """``n`` busy-looping processes while the block runs."""
    ctx = multiprocessing.get_context("spawn")
    hogs = [ctx.Process(target=exec, args=("while True: pass",), daemon=True) for _ in range(n)]
    for hog in hogs:
        hog.start()
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.join(timeout=10)


def busy_table(size: str, limit: float, seed: int) -> None:
    """Quiet and busy solves of one instance, deterministic and wall-clock: a table."""
    n_e, n_s = (int(v) for v in size.split("x"))
    inst = make_instance(n_e, n_s, seed=seed)
    print(f"# bench_rotation --busy {size}: limit {limit:.0f} s, 2 workers, 2 CPU hogs when busy")
    print("| mode | machine | seconds | gap | status | schedule | same as quiet |")
    print("|---|---|---:|---:|---|---|---|")
    for mode, deterministic in (("deterministic (default)", True), ("wall-clock", False)):
        params = SolverParams(time_limit_s=limit, seed=seed, deterministic=deterministic)
        first = None
        for machine in ("quiet", "busy"):
            with cpu_hogs() if machine == "busy" else contextlib.nullcontext():
                t0 = time.perf_counter()
                res = solve_rotation(inst, params=params)
                seconds = time.perf_counter() - t0
            digest = hashlib.sha1(np.ascontiguousarray(res.visits).tobytes()).hexdigest()[:10]
            first = first or digest
            same = "" if machine == "quiet" else ("yes" if digest == first else "no")
            cut = " (backstop)" if "backstop" in res.message else ""
            print(f"| {mode} | {machine} | {seconds:.1f} | {res.gap:.3%} | {res.status}{cut} | "
                  f"{digest} | {same} |", flush=True)  # fmt: skip


def main() -> None:
    """Run the benchmark and print a markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument(
        "--sizes", nargs="*", default=["20x40", "60x40", "120x40", "20x120", "60x120", "120x120"]
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--free-search", action="store_true", help="no interleave_search (faster, not reproducible)"
    )
    ap.add_argument("--busy", metavar="SIZE", help="reproducibility under load, e.g. 60x40")
    args = ap.parse_args()
    if args.busy:
        busy_table(args.busy, args.time_limit, args.seed)
        return
    print(
        f"# bench_rotation: CP-SAT, 2 workers, limit {args.time_limit:.0f} s, "
        f"28 days, {platform.machine()} ({platform.python_version()})"
    )
    print(
        "| experts | sites | candidates | first feasible (s) | 1 % gap (s) | final gap "
        "| status | shortfall (visits) | seconds |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for size in args.sizes:
        n_e, n_s = (int(v) for v in size.split("x"))
        inst = make_instance(n_e, n_s, seed=args.seed)
        t0 = time.perf_counter()
        params = SolverParams(
            time_limit_s=args.time_limit, seed=args.seed, deterministic=not args.free_search
        )
        res = solve_rotation(inst, params=params)
        t1 = res.time_to_gap(0.01)
        t1s = f"{t1:.1f}" if math.isfinite(t1) else "not reached"
        print(
            f"| {n_e} | {n_s} | {res.n_candidates:,} | {res.first_solution_s:.2f} | {t1s} | "
            f"{res.gap:.3%} | {res.status} | {int(res.shortfall.sum())} | "
            f"{time.perf_counter() - t0:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
