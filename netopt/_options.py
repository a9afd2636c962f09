"""What every option object shares: unknown keys with the closest valid key, re-sourced
problems, and the ``fields()`` / ``replace()`` methods.

:class:`~netopt.solve.SolverParams`, :class:`~netopt.kpis.Rates`,
:class:`~netopt.alliances.AllianceOptions`, :class:`~netopt.rotations.RotationOptions`,
:class:`~netopt.scenario.Modifiers` and :class:`~netopt.maps.MapOptions` read TOML tables
through these helpers, so a typo gets the same "did you mean" everywhere.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from typing import Any, Self

from netopt._errors import DataError, Problem
from netopt._numbers import is_number

__all__ = ["OptionsMixin", "number_table", "resourced", "unknown_keys"]


def unknown_keys(
    source: str, data: Mapping[str, Any], valid: Iterable[str], *, sort: bool = False
) -> list[Problem]:
    """Return a problem for each key of ``data`` not in ``valid``, with the closest valid key.

    Parameters
    ----------
    source : str
        The table named in the problems, e.g. ``"[model]"``.
    data : mapping
    valid : iterable of str
    sort : bool, default False
        List the valid keys alphabetically in the fix (else in the order given).

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> unknown_keys("[solver]", {"time_limit": 5}, ["time_limit_s", "seed"])[0].fix
    "did you mean 'time_limit_s'? valid keys: time_limit_s, seed"
    """
    names = sorted(valid) if sort else list(valid)
    known = set(names)
    problems = []
    for key in data:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            Problem(source, "", str(key), "unknown key", f"{hint}valid keys: {', '.join(names)}")
        )
    return problems


def number_table(
    cls: Any,
    data: Mapping[str, Any],
    *,
    source: str,
    valid: Iterable[str],
    sort: bool = False,
) -> Any:
    """Build a dataclass of numbers from a TOML table (``[model.rates]``, ``[choice]``, ...).

    Every problem at once: unknown keys (with the closest valid key), values that are not
    numbers, and the class's own checks, filed under ``source``. Missing keys keep defaults.

    Parameters
    ----------
    cls : type
        A frozen dataclass whose fields are floats and whose ``__post_init__`` raises
        :class:`DataError`.
    data : mapping
    source : str
        Named in error messages, e.g. ``"region.toml [choice]"``.
    valid : iterable of str
        The keys allowed (in the order listed in a fix).
    sort : bool, default False
        List the valid keys alphabetically.

    Returns
    -------
    object
        An instance of ``cls``.

    Raises
    ------
    DataError
    """
    valid = tuple(valid)
    problems = unknown_keys(source, data, valid, sort=sort)
    problems += [
        Problem(source, "", str(key), repr(value), "use a number")
        for key, value in data.items()
        if key in valid and not is_number(value)
    ]
    if problems:
        raise DataError(problems)
    try:
        return cls(**{k: float(v) for k, v in data.items()})
    except DataError as exc:
        raise resourced(exc, source) from None


def resourced(exc: DataError, source: str) -> DataError:
    """Return ``exc`` with every problem filed under ``source`` (e.g. the scenario table).

    Parameters
    ----------
    exc : DataError
        Raised by an option object's own checks (filed under its class name).
    source : str
        What the user wrote, e.g. ``"today.toml [solver]"``.

    Returns
    -------
    DataError
    """
    return DataError(
        [dataclasses.replace(p, file=source) if isinstance(p, Problem) else p for p in exc.problems]
    )


class OptionsMixin:
    """``fields()`` and ``replace()`` for frozen, self-checking option dataclasses."""

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """Return the field names: the valid keys of the option object's TOML table.

        Returns
        -------
        tuple of str
        """
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> Self:
        """Return a copy with some fields changed (checked again).

        Parameters
        ----------
        **changes
            Field names to new values.

        Returns
        -------
        Same type as ``self``.

        Raises
        ------
        DataError
            An unknown field name (with the closest valid one) or a bad value.
        """
        problems = unknown_keys(type(self).__name__, changes, self.fields())
        if problems:
            raise DataError(problems)
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]
