"""The exception and warning hierarchy of netopt.

Every error that netopt raises on purpose derives from :class:`NetoptError`, so a caller
(or the CLI) can catch them in one place. Input problems are :class:`DataError`, which is
also a :class:`ValueError` and carries the full list of :class:`Problem` records found in one
pass, each naming the file, the record, the field, what was found and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DataError",
    "InfeasibleError",
    "NetoptError",
    "NetoptWarning",
    "Problem",
    "SolverError",
]


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
    """

    file: str
    record: str
    field: str
    found: str
    fix: str

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
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input data:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class InfeasibleError(NetoptError):
    """A model has no feasible solution (the message says which constraint and by how much)."""


class SolverError(NetoptError):
    """The solver failed or returned no solution within its limits."""


class NetoptWarning(UserWarning):
    """A recoverable coercion (e.g. polygon to representative point, CRS reprojected)."""
