"""A worked planning study: how many hospital alliances should the county have?

Load the region, plan with p = 1, 2, 3, 4 alliances, plot the patient-hours travelled per
year against p, and pick the elbow: the p after which one more alliance saves little. Writes
``patient_hours_by_p.svg`` and ``patient_hours_by_p.csv`` into the output folder and prints
the table and the choice.

Run from the repository root::

    python examples/planning_study.py                       # the bundled Xiangshan region
    python examples/planning_study.py --region tests/data/synthetic --max-p 3 -o /tmp/study

The elbow is found with the "kneedle" rule (Satopää et al. 2011): scale both axes to
[0, 1] and take the p farthest below the straight line from the first point to the last.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import netopt
from netopt.alliances import AllianceOptions
from netopt.graph import GraphOptions
from netopt.scenario import Scenario, run_all
from netopt.solve import SolverParams

ROOT = Path(__file__).resolve().parents[1]


def study(
    region: netopt.Region,
    ps: list[int],
    *,
    graph: GraphOptions | None = None,
    capacities: bool = False,
    time_limit_s: float = 20.0,
) -> pd.DataFrame:
    """Plan the region with each number of alliances in ``ps``; one row of KPIs per p.

    Capacities are off by default: the study first asks how travel falls as alliances are
    added (an uncapacitated p-median never gets worse with a larger p); the capacity each
    choice needs is a second question (see ``population_served`` with ``--capacities``).
    """
    scenarios = [
        Scenario(
            f"p{p}",
            region,
            title=f"{p} alliance(s)",
            graph=graph or GraphOptions(),
            model=AllianceOptions(p=p, capacities=capacities),
            solver=SolverParams(time_limit_s=time_limit_s),
        )
        for p in ps
    ]
    results = run_all(scenarios)
    return pd.DataFrame(
        {
            "p": ps,
            "leads": [" ".join(r.plan.leads) for r in results],
            "patient_hours_per_year": [r.kpis["patient_hours_per_year"] for r in results],
            "mean_lead_min": [r.kpis["mean_lead_min"] for r in results],
            "population_served": [r.population_counts["population_served"] for r in results],
            "baseline_patient_hours_per_year": [
                r.baseline["patient_hours_per_year"] for r in results
            ],
            "status": [r.plan.solve.status for r in results],
        }
    ).set_index("p")


def elbow(x: np.ndarray, y: np.ndarray) -> int:
    """Index of the elbow of a decreasing curve (the kneedle rule; 0 if the curve is flat)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(y) == 0:
        return 0
    xs = (x - x.min()) / np.ptp(x)
    ys = (y - y.min()) / np.ptp(y)
    chord = ys[0] + (ys[-1] - ys[0]) * xs  # the straight line from first to last point
    return int(np.argmax(chord - ys))


def line_chart_svg(
    x: list[int], y: list[float], *, pick: int, title: str, width: int = 560, height: int = 300
) -> str:
    """A small SVG line chart of y against x with the chosen point marked."""
    left, right, top, bottom = 80, 70, 40, 45
    w, h = width - left - right, height - top - bottom
    y_lo, y_hi = min(y) * 0.98, max(y) * 1.02
    x_lo, x_hi = min(x), max(x) if max(x) > min(x) else min(x) + 1

    def px(a: float, b: float) -> tuple[float, float]:
        return (
            left + w * (a - x_lo) / (x_hi - x_lo),
            top + h * (1 - (b - y_lo) / ((y_hi - y_lo) or 1)),
        )

    pts = [px(a, b) for a, b in zip(x, y)]
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="12">'
        ),
        f'<text x="{left}" y="20" font-size="14" font-weight="600">{html.escape(title)}</text>',
        f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#333"/>',
        '<polyline fill="none" stroke="#4477AA" stroke-width="2" points="'
        + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
        + '"/>',
    ]
    for (a, b), xv, yv in zip(pts, x, y):
        out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4" fill="#4477AA"/>')
        out.append(f'<text x="{a:.1f}" y="{top + h + 16}" text-anchor="middle">{xv}</text>')
        out.append(f'<text x="{a + 6:.1f}" y="{b - 6:.1f}">{yv:,.0f}</text>')
    a, b = pts[pick]
    out.append(
        f'<circle cx="{a:.1f}" cy="{b:.1f}" r="8" fill="none" stroke="#EE6677" stroke-width="2"/>'
    )
    out.append(
        f'<text x="{left + w / 2}" y="{height - 8}" text-anchor="middle">'
        "number of alliances p (circled: the elbow)</text>"
    )
    out.append(
        f'<text x="14" y="{top + h / 2}" transform="rotate(-90 14 {top + h / 2})" '
        'text-anchor="middle">patient-hours per year</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the study; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--region",
        default=str(ROOT / "geodata" / "xiangshan"),
        help="region folder (default: the bundled Xiangshan region)",
    )
    parser.add_argument("--max-p", type=int, default=4, help="largest number of alliances")
    parser.add_argument(
        "--h3-resolution",
        type=int,
        help="land lattice resolution (coarser = faster; default: the graph's)",
    )
    parser.add_argument(
        "--capacities", action="store_true", help="enforce the leads' admission capacity (beds)"
    )
    parser.add_argument(
        "-o", "--out", default=str(ROOT / "maps" / "planning_study"), help="output folder"
    )
    args = parser.parse_args(argv)

    region = netopt.load_region(args.region)
    graph = GraphOptions(h3_resolution=args.h3_resolution) if args.h3_resolution else None
    ps = list(range(1, args.max_p + 1))
    table = study(region, ps, graph=graph, capacities=args.capacities)
    k = elbow(table.index.to_numpy(), table["patient_hours_per_year"].to_numpy())
    choice = int(table.index[k])

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "patient_hours_by_p.csv")
    svg = line_chart_svg(
        ps,
        table["patient_hours_per_year"].tolist(),
        pick=k,
        title=f"{region.name}: patient-hours per year against p",
    )
    (out / "patient_hours_by_p.svg").write_text(svg, encoding="utf-8")

    with pd.option_context("display.width", 120, "display.max_columns", 10):
        print(table.round(1).to_string())
    print(f"\nElbow: p = {choice} alliance(s), led by {table.loc[choice, 'leads']}.")
    print(f"Wrote {out / 'patient_hours_by_p.svg'} and {out / 'patient_hours_by_p.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
