"""DataError groups problems of one cause into one line and keeps the full list."""

from __future__ import annotations

from netopt._errors import DataError, Problem


def _many(n: int, *, start: int = 12) -> list[Problem]:
    return [
        Problem(
            "zones.geojson",
            str(i),
            "geometry",
            f"point ({i}.5, 3.25) is outside -180..180",
            "declare the CRS",
        )
        for i in range(start, start + n)
    ]


def test_few_problems_of_one_cause_are_listed_one_by_one():
    """Up to three problems of a cause print as today, one line each."""
    exc = DataError(_many(3))
    lines = str(exc).splitlines()
    assert lines[0] == "3 problems found in the input data:"
    assert lines[1] == (
        "  - zones.geojson, record 12, field 'geometry': point (12.5, 3.25) is outside "
        "-180..180. Fix: declare the CRS"
    )
    assert len(lines) == 4 and not exc.shortened


def test_many_problems_of_one_cause_are_one_line():
    """2,494 alike problems give one line with the count and the first five records."""
    other = Problem("experts.csv", "E9", "home_facility", "'X9' does not exist", "fix the id")
    exc = DataError([*_many(2494), other, "a plain message"])
    lines = str(exc).splitlines()
    assert lines[0] == "2,496 problems found in the input data:"
    assert lines[1] == (
        "  - zones.geojson, field 'geometry': 2,494 records: e.g. point (12.5, 3.25) is "
        "outside -180..180 (first: 12, 13, 14, 15, 16). Fix: declare the CRS"
    )
    assert lines[2].startswith("  - experts.csv, record E9")
    assert lines[3] == "  - a plain message"
    assert len(lines) == 4 and exc.shortened
    assert len(exc.problems) == 2496
    assert exc.full_text().count("\n") == 2496


def test_explicit_kind_groups_and_names_the_cause():
    """An explicit kind groups different texts and is the summary of the group."""
    problems = [
        Problem("f.csv", f"H{i}", "id", f"id H{i} was renamed to X{i}", "fix", kind="unknown id")
        for i in range(4)
    ]
    text = str(DataError(problems))
    assert "f.csv, field 'id': 4 records: unknown id (first: H0, H1, H2, H3). Fix: fix" in text


def test_causes_differ_by_file_and_field():
    """Alike findings in different fields or files are separate causes."""
    problems = _many(2) + [
        Problem("zones.geojson", str(i), "population", "value -1 is negative", "fix")
        for i in range(2)
    ]
    assert not DataError(problems).shortened
