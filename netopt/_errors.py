"""The exception and warning hierarchy of netopt.

Every error that netopt raises on purpose derives from :class:`NetoptError`, so a caller
(or the CLI) can catch them in one place. Input problems are :class:`DataError`, which is
also a :class:`ValueError` and carries the full list of :class:`Problem` records found in one
pass, each naming the file, the record, the field, what was found and how to fix it.

Its message groups problems of one cause (same file, field and kind of finding): up to
:data:`LIST_PER_CAUSE` are listed one by one, more become one line with the count and the
first :data:`FIRST_RECORDS` records, so that 2,494 bad polygons print one line, not 2,494.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FIRST_RECORDS",
    "LIST_PER_CAUSE",
    "DataError",
    "InfeasibleError",
    "NetoptError",
    "NetoptWarning",
    "Problem",
    "SolverError",
]


#: Problems of one cause listed one by one; more are summarised in one line.
LIST_PER_CAUSE = 3
#: Records named in the one-line summary of a cause.
FIRST_RECORDS = 5

# Numbers, quoted values and parenthesised details differ between problems of one cause.
_DETAILS = re.compile(r"'[^']*'|\"[^\"]*\"|\([^()]*\)|[-+]?\d[\d,._]*")


class NetoptError(Exception):
    """Base class of every error netopt raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in input data.

    Parameters
    ----------
    file : str
        The file (or layer / argument) the problem is in.
    record : str
        The row number or id of the offending record ("" for the file as a whole).
    field : str
        The column or key ("" when the problem concerns the whole record or file).
    found : str
        What was found.
    fix : str
        What to do about it.
    kind : str, optional
        The kind of finding, shared by the problems of one cause and used as the summary
        of a group; default: ``found`` with numbers, quoted values and parentheses removed.
    """

    file: str
    record: str
    field: str
    found: str
    fix: str
    kind: str = ""

    def cause(self) -> tuple[str, str, str]:
        """Return the grouping key: (file, field, kind of finding)."""
        return self.file, self.field, self.kind or _DETAILS.sub("#", self.found)

    def __str__(self) -> str:
        where = self.file
        if self.record:
            where += f", record {self.record}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.found}. Fix: {self.fix}"


class DataError(NetoptError, ValueError):
    """Invalid input data; lists every problem found in one pass.

    Parameters
    ----------
    problems : iterable of Problem or str
        The problems found; plain strings are accepted for one-off messages.
    """

    def __init__(self, problems: Iterable[Problem | str] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem | str] = list(problems)
        lines, self.shortened = _grouped_lines(self.problems)
        n = len(self.problems)
        head = f"{n:,} problem{'s' if n != 1 else ''} found in the input data:"
        super().__init__("\n".join([head, *(f"  - {line}" for line in lines)]))

    def full_text(self) -> str:
        """Return every problem, one a line (the message shortens causes with many)."""
        return "".join(f"{p}\n" for p in self.problems)


def _grouped_lines(problems: list[Problem | str]) -> tuple[list[str], bool]:
    """Return the message lines (one per problem, or one per large cause) and whether any
    cause was summarised."""
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    for p in problems:
        if isinstance(p, Problem):
            groups.setdefault(p.cause(), []).append(p)
    lines: list[str] = []
    for p in problems:
        if not isinstance(p, Problem):
            lines.append(p)
            continue
        group = groups[p.cause()]
        if len(group) <= LIST_PER_CAUSE:
            lines.append(str(p))
        elif p is group[0]:
            lines.append(_summary(group))
    return lines, any(len(g) > LIST_PER_CAUSE for g in groups.values())


def _summary(group: list[Problem]) -> str:
    """One line for a cause with many problems: count, kind, first records and the fix."""
    first = group[0]
    where = first.file + (f", field '{first.field}'" if first.field else "")
    what = first.kind or f"e.g. {first.found}"
    records = [p.record for p in group if p.record]
    named = ", ".join(list(dict.fromkeys(records))[:FIRST_RECORDS])
    shown = f" (first: {named})" if named else ""
    return f"{where}: {len(group):,} records: {what}{shown}. Fix: {first.fix}"


class InfeasibleError(NetoptError):
    """A model has no feasible solution (the message says which constraint and by how much)."""


class SolverError(NetoptError):
    """The solver failed or returned no solution within its limits."""


class NetoptWarning(UserWarning):
    """A recoverable coercion (e.g. polygon to representative point, CRS reprojected)."""
