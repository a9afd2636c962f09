"""Show that two sets of scenario outputs carry the same numbers.

Usage::

    python scripts/compare_outputs.py OLD_FOLDER NEW_FOLDER

Both folders are ``netopt demo -o ...`` (or ``netopt compare``) output folders. For every
scenario folder in OLD, compares ``assignments.csv`` and ``schedule.csv`` cell by cell (numbers
to 1e-9 relative) and every value of ``kpis.json``'s ``kpis``, ``baseline`` and
``population_counts``. Timings, version stamps and fingerprints are ignored. Prints one line
per difference and exits 1 when there is any, 0 when the numbers are identical.

A rotation schedule is deterministic for a seed unless its solve was stopped by the wall-clock
backstop (``rotation_solver.seconds`` near ``1.25 x time_limit_s + 2``); the script says so
when it sees that, since such a schedule can differ between two runs of the same code.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd


def _frames_differ(a: Path, b: Path) -> list[str]:
    if not a.exists() and not b.exists():
        return []
    if a.exists() != b.exists():
        return [f"{a.name}: present in only one folder"]
    fa, fb = pd.read_csv(a), pd.read_csv(b)
    if list(fa.columns) != list(fb.columns) or fa.shape != fb.shape:
        return [
            f"{a.name}: columns/shape {list(fa.columns)} {fa.shape} vs {list(fb.columns)} {fb.shape}"
        ]
    out = []
    for col in fa.columns:
        x, y = fa[col], fb[col]
        numeric = pd.api.types.is_numeric_dtype
        boolean = pd.api.types.is_bool_dtype
        if numeric(x) and numeric(y) and not (boolean(x) or boolean(y)):
            bad = ~(
                (x == y) | (x.isna() & y.isna()) | ((x - y).abs() <= 1e-9 * y.abs().clip(lower=1))
            )
        else:
            bad = (x.astype(str) != y.astype(str)) & ~(x.isna() & y.isna())
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            out.append(
                f"{a.name}: column {col}: {int(bad.sum())} rows differ, first row {i}: {x.iloc[i]!r} vs {y.iloc[i]!r}"
            )
    return out


def _values_differ(name: str, a: dict, b: dict) -> list[str]:
    out = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        same = x == y or (
            isinstance(x, (int, float))
            and isinstance(y, (int, float))
            and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
        )
        if not same:
            out.append(f"{name}.{k}: {x!r} vs {y!r}")
    return out


def compare_folders(old: Path, new: Path) -> list[str]:
    """Return one line per difference between two output folders (empty: identical)."""
    diffs = []
    for sub in sorted(p for p in old.iterdir() if (p / "kpis.json").is_file()):
        other = new / sub.name
        if not (other / "kpis.json").is_file():
            diffs.append(f"{sub.name}: missing in {new}")
            continue
        for f in ("assignments.csv", "schedule.csv"):
            diffs += [f"{sub.name}/{d}" for d in _frames_differ(sub / f, other / f)]
        ra = json.loads((sub / "kpis.json").read_text(encoding="utf-8"))
        rb = json.loads((other / "kpis.json").read_text(encoding="utf-8"))
        for part in ("kpis", "baseline", "population_counts"):
            diffs += [
                f"{sub.name}/{d}"
                for d in _values_differ(part, ra.get(part) or {}, rb.get(part) or {})
            ]
        for r, where in ((ra, old), (rb, new)):
            rot = r.get("rotation_solver") or {}
            if rot.get("status") == "time_limit":
                print(
                    f"note: {sub.name} in {where}: rotation stopped at its limit after "
                    f"{rot.get('seconds', 0):.1f} s (a backstop stop may differ between runs)"
                )
    return diffs


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    diffs = compare_folders(Path(argv[0]), Path(argv[1]))
    for d in diffs:
        print(d)
    print("identical numbers" if not diffs else f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
