"""Property tests: `load_region` on randomly damaged region folders, and valid data solves."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import netopt
from netopt import NetoptWarning

DATA = Path(__file__).parent / "data"
SYNTHETIC = DATA / "synthetic"
FILES = sorted(p.name for p in SYNTHETIC.iterdir() if p.suffix in {".csv", ".geojson"})
REGIONS = [SYNTHETIC]

# A cell value of another type, empty, huge, negative, NaN text or random unicode text.
CELL_VALUES = st.one_of(
    st.just(""),
    st.sampled_from(["NaN", "nan", "inf", "-inf", "NULL", "None", "1e400", "-1e400"]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([-1, -1e9, 1e308, 10**20, 0, True, False]),
    st.text(max_size=12),
)

MUTATIONS = st.one_of(
    st.tuples(
        st.just("cell"), st.sampled_from(FILES), st.integers(0, 99), st.integers(0, 99), CELL_VALUES
    ),
    st.tuples(st.just("drop_column"), st.sampled_from(FILES), st.integers(0, 99)),
    st.tuples(st.just("delete"), st.sampled_from([*FILES, "region.toml"])),
    st.tuples(
        st.just("truncate"),
        st.sampled_from([*FILES, "region.toml"]),
        st.floats(min_value=0.0, max_value=1.0),
    ),
    st.tuples(
        st.just("encode"),
        st.sampled_from([*FILES, "region.toml"]),
        st.sampled_from(["gbk", "utf-16"]),
    ),
    st.tuples(st.just("duplicate_id"), st.sampled_from(FILES), st.integers(0, 99)),
)


def _read_csv(path: Path) -> list[list[str]]:
    """Rows of a CSV file, header first."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write_csv(path: Path, rows: list[list[Any]]) -> None:
    """Write rows (header first) as UTF-8 CSV."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _csv_text(value: Any) -> str:
    """How a Python value is written into a CSV cell."""
    return value if isinstance(value, str) else repr(value)


def mutate(folder: Path, mutation: tuple[Any, ...], damaged: set[str]) -> None:
    """Apply one mutation (see MUTATIONS) to the region files in ``folder``.

    ``damaged`` names the files already deleted, truncated or re-encoded (added to here);
    a later mutation of one of them is skipped, as it can no longer be parsed.
    """
    kind, name, *args = mutation
    path = folder / name
    if name in damaged:
        return
    if kind in ("delete", "truncate", "encode"):
        damaged.add(name)
    if kind == "delete":
        path.unlink()
    elif kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * args[0])])
    elif kind == "encode":
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.encode(args[0], errors="replace"))
    elif name.endswith(".csv"):
        rows = _read_csv(path)
        header, body = rows[0], rows[1:]
        if kind == "cell" and body:
            row, col, value = args
            col %= len(header)
            body[row % len(body)][col] = _csv_text(value)
        elif kind == "drop_column":
            col = args[0] % len(header)
            rows = [[c for i, c in enumerate(r) if i != col] for r in rows]
            header, body = rows[0], rows[1:]
        elif kind == "duplicate_id" and body:
            body.append(list(body[args[0] % len(body)]))
        _write_csv(path, [header, *body])
    else:
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = collection["features"]
        keys = sorted({k for f in features for k in f["properties"]})
        if kind == "cell" and features and keys:
            row, col, value = args
            if isinstance(value, float) and not math.isfinite(value):
                value = str(value)
            features[row % len(features)]["properties"][keys[col % len(keys)]] = value
        elif kind == "drop_column" and keys:
            key = keys[args[0] % len(keys)]
            for feature in features:
                feature["properties"].pop(key, None)
        elif kind == "duplicate_id" and features:
            features.append(json.loads(json.dumps(features[args[0] % len(features)])))
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def load_quietly(folder: Path) -> netopt.Region:
    """`load_region` with netopt's recoverable-coercion warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetoptWarning)
        return netopt.load_region(folder)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
@example(mutations=[("encode", "region.toml", "gbk")])
@example(mutations=[("encode", "region.toml", "utf-16")])
@example(mutations=[("truncate", "region.toml", 0.642)])
@example(mutations=[("cell", "facilities.csv", 0, 3, "inf")])
@example(mutations=[("cell", "links.csv", 0, 4, "1e400")])
@example(mutations=[("cell", "facilities.csv", 0, 8, 1e308)])
def test_damaged_region_loads_or_raises_data_error(mutations: list[tuple[Any, ...]]) -> None:
    """A damaged region either loads or raises DataError (FileNotFoundError: no region.toml)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "region"
        shutil.copytree(SYNTHETIC, folder)
        damaged: set[str] = set()
        for mutation in mutations:
            mutate(folder, mutation, damaged)
        try:
            load_quietly(folder)
        except netopt.DataError as error:
            assert error.problems, "a DataError lists at least one problem"
        except FileNotFoundError:
            assert not (folder / "region.toml").exists()


VALID_CHANGES = st.one_of(
    st.tuples(st.just("scale_population"), st.floats(min_value=0.1, max_value=10.0)),
    st.tuples(
        st.just("move_village"),
        st.integers(0, 99),
        st.floats(min_value=-0.003, max_value=0.003),
        st.floats(min_value=-0.003, max_value=0.003),
    ),
    st.tuples(st.just("ferry_headway"), st.floats(min_value=5.0, max_value=240.0)),
)


def change_validly(folder: Path, change: tuple[Any, ...]) -> None:
    """Apply one change (see VALID_CHANGES) that should keep the region valid."""
    kind, *args = change
    if kind == "scale_population":
        path = folder / "zones.geojson"
        collection = json.loads(path.read_text(encoding="utf-8"))
        for feature in collection["features"]:
            feature["properties"]["pop"] = round(feature["properties"]["pop"] * args[0])
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    elif kind == "move_village":
        path = folder / "facilities.csv"
        rows = _read_csv(path)
        header = rows[0]
        villages = [r for r in rows[1:] if r[header.index("grade")] == "村卫生室"]
        village = villages[args[0] % len(villages)]
        for col, delta in (("gcj_lon", args[1]), ("gcj_lat", args[2])):
            i = header.index(col)
            village[i] = f"{float(village[i]) + delta:.8f}"
        _write_csv(path, rows)
    else:
        path = folder / "ferries.csv"
        rows = _read_csv(path)
        header = rows[0]
        for row in rows[1:]:
            row[header.index("headway_min")] = f"{args[0]:.1f}"
            for col in ("departures_ab", "departures_ba"):
                row[header.index(col)] = ""
        _write_csv(path, rows)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(region=st.sampled_from(REGIONS), changes=st.lists(VALID_CHANGES, max_size=2))
def test_valid_region_always_plans(region: Path, changes: list[tuple[Any, ...]]) -> None:
    """When load_region accepts a (still valid) region, plan_alliances returns a plan."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "region"
        shutil.copytree(region, folder)
        for change in changes:
            change_validly(folder, change)
        try:
            loaded = load_quietly(folder)
        except netopt.DataError:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NetoptWarning)
            graph = netopt.build_graph(loaded, options=netopt.GraphOptions(h3_resolution=8))
            plan = netopt.plan_alliances(
                loaded,
                graph,
                options=netopt.AllianceOptions(p=1),
                params=netopt.SolverParams(time_limit_s=5),
            )
        assert isinstance(plan, netopt.AlliancePlan)
