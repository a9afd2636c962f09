"""Unknown-key checks shared by the scenario reader and :class:`~netopt.scenario.Modifiers`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from netopt._errors import Problem

__all__ = ["unknown_keys"]


def unknown_keys(source: str, data: Mapping[str, Any], valid: Iterable[str]) -> list[Problem]:
    """Return a problem for each key of ``data`` not in ``valid``, with the closest valid key.

    Parameters
    ----------
    source : str
        The table named in the problems, e.g. ``"[model]"``.
    data : mapping
    valid : iterable of str

    Returns
    -------
    list of Problem
    """
    names = sorted(valid)
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
