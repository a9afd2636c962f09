"""Benchmark netopt.solve.p_median on the OR-Library p-median instances pmed1..pmed20.

For every instance prints: netopt's objective, the published optimum, match, seconds, gap;
and side by side, the same instance solved by a textbook x_ij / y_j MIP in HiGHS (highspy,
continuous x built from arrays) and by spopt's ``PMedian`` (PuLP + CBC). The baselines get
a per-instance time limit (``--baseline-limit``); a capped time is shown as ">= T".
Optionally (``--pcenter``) also solves the vertex p-center on the same graphs.

Run:  .venv/bin/python bench/bench_pmedian.py [--instances pmed1 pmed6 ...] [--no-spopt]
The instance files are in bench/data/orlib_pmed (see bench/data/PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import DATA, pcenter_optima, pmed_optima, read_orlib_pmed

from netopt.solve import SolverParams, p_center, p_median

__all__ = ["main", "spopt_pmedian", "textbook_highs"]


def textbook_highs(costs: np.ndarray, p: int, *, time_limit: float) -> tuple[float, float, bool]:
    """Classic x_ij / y_j p-median in highspy (continuous x); return (objective, s, optimal)."""
    import highspy

    n, m = costs.shape
    e = n * m
    ii, jj = np.divmod(np.arange(e), m)
    x = m + np.arange(e)
    rows = np.r_[ii, n + np.arange(e), n + np.arange(e), np.full(m, n + e)]
    cols = np.r_[x, x, jj, np.arange(m)]
    vals = np.r_[np.ones(e), np.ones(e), -np.ones(e), np.ones(m)]
    a = coo_matrix((vals, (rows, cols)), shape=(n + e + 1, m + e)).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m + e, n + e + 1
    lp.col_cost_ = np.r_[np.zeros(m), costs.ravel()]
    lp.col_lower_, lp.col_upper_ = np.zeros(m + e), np.ones(m + e)
    lp.row_lower_ = np.r_[np.ones(n), np.full(e, -highspy.kHighsInf), p]
    lp.row_upper_ = np.r_[np.ones(n), np.zeros(e), p]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * e
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("random_seed", 0)
    start = time.perf_counter()
    h.passModel(lp)
    h.run()
    seconds = time.perf_counter() - start
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value), seconds, optimal


def spopt_pmedian(costs: np.ndarray, p: int, *, time_limit: float) -> tuple[float, float, bool]:
    """spopt's PMedian.from_cost_matrix solved by PuLP's CBC; return (objective, s, optimal)."""
    import pulp
    from spopt.locate import PMedian

    start = time.perf_counter()
    model = PMedian.from_cost_matrix(costs, np.ones(len(costs)), p_facilities=p)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit), results=False)
    seconds = time.perf_counter() - start
    status = pulp.LpStatus[model.problem.status]
    return float(pulp.value(model.problem.objective)), seconds, status == "Optimal"


def _time(seconds: float, optimal: bool, limit: float) -> str:
    return f"{seconds:.1f}" if optimal or seconds < limit else f">= {seconds:.0f}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="*", default=[f"pmed{k}" for k in range(1, 21)])
    parser.add_argument("--time-limit", type=float, default=60.0, help="netopt, per instance")
    parser.add_argument("--baseline-limit", type=float, default=60.0, help="per baseline solve")
    parser.add_argument("--no-textbook", action="store_true")
    parser.add_argument("--no-spopt", action="store_true")
    parser.add_argument("--spopt-max-n", type=int, default=10**9, help="skip spopt above n")
    parser.add_argument("--pcenter", action="store_true", help="also run p_center")
    args = parser.parse_args(argv)
    optima, centers = pmed_optima(), pcenter_optima()
    head = (
        "| inst | n | p | netopt | optimum | match | s | gap | textbook HiGHS s | spopt (CBC) s |"
    )
    if args.pcenter:
        head += " p-center | opt | s |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    totals = {"netopt": 0.0, "textbook": 0.0, "spopt": 0.0}
    all_match = True
    for name in args.instances:
        inst = read_orlib_pmed(DATA / "orlib_pmed" / f"{name}.txt")
        n = len(inst.costs)
        res = p_median(inst.costs, inst.p, params=SolverParams(time_limit_s=args.time_limit))
        match = abs(res.objective - optima[name]) < 1e-6
        all_match &= match
        totals["netopt"] += res.seconds
        cells = [name, str(n), str(inst.p), f"{res.objective:.0f}", f"{optima[name]:.0f}",
                 "yes" if match else "NO", f"{res.seconds:.1f}", f"{res.gap:.2%}"]  # fmt: skip
        for key, skip, func in (
            ("textbook", args.no_textbook, textbook_highs),
            ("spopt", args.no_spopt, spopt_pmedian),
        ):
            if skip or (key == "spopt" and n > args.spopt_max_n):
                cells.append("-")
                continue
            obj, sec, opt = func(inst.costs, inst.p, time_limit=args.baseline_limit)
            totals[key] += sec
            flag = "" if abs(obj - optima[name]) < 1e-6 else f" (obj {obj:.0f})"
            cells.append(_time(sec, opt, args.baseline_limit) + flag)
        if args.pcenter:
            pc = p_center(inst.costs, inst.p, params=SolverParams(time_limit_s=args.time_limit))
            cells += [f"{pc.objective:.0f}", f"{centers[name]:.0f}", f"{pc.seconds:.1f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print()
    print(f"total seconds: netopt {totals['netopt']:.1f}, textbook HiGHS {totals['textbook']:.1f}"
          f" (capped at {args.baseline_limit:g} s each), spopt {totals['spopt']:.1f}")  # fmt: skip
    if totals["netopt"] > 0 and totals["textbook"] > 0:
        print(f"speed-up vs textbook HiGHS: >= {totals['textbook'] / totals['netopt']:.1f}x")
    print("all optima matched" if all_match else "SOME OPTIMA NOT MATCHED")
    return 0 if all_match else 1


if __name__ == "__main__":
    raise SystemExit(main())
