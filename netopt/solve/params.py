"""Solver parameters shared by every model: :class:`SolverParams`.

One object carries the time limit, the seed and the parallelism from the CLI flags
(``--time-limit``, ``--seed``) and a scenario's ``[solver]`` table down to the location
models (HiGHS or SCIP through OR-Tools' model builder) and the rotation model (CP-SAT),
unchanged. It loads from the same TOML table the CLI overrides, as PyVRP's solver
parameters do.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from netopt._errors import DataError, Problem
from netopt._options import OptionsMixin, resourced, unknown_keys

__all__ = ["SolverParams"]


@dataclass(frozen=True)
class SolverParams(OptionsMixin):
    """Time limit, seed and parallelism of a solve.

    Parameters
    ----------
    time_limit_s : float or None, default 60
        Seconds per solve (None: until proven optimal). What it counts:

        * location models (:func:`~netopt.solve.p_median`, :func:`~netopt.solve.p_center`,
          :func:`~netopt.solve.max_coverage`): **wall-clock** seconds of the whole call.
          Each MIP runs in a watchdog child process: the solver is given 95 % of the time
          left less 1 s, and the child is stopped ``1 s + 2 %`` of the time left (the time
          left counting as at least 0.5 s) after the limit. The best plan found is then
          returned (status ``"time_limit"``) however the MIP solver behaves. A call with one
          MIP (the uncapacitated p-median and max-coverage, the capacitated max-coverage)
          returns by about ``1.02 x time_limit_s + 1 s``; p-center's bisection starts no MIP
          after the limit and returns by about ``max(1.02 x time_limit_s + 1 s,
          time_limit_s + 1.5 s)``; the capacitated p-median may start one more MIP at the
          limit and returns by about ``1.02 x time_limit_s + 2.5 s`` (for limits of a few
          seconds, up to 1.5 s more per MIP). "About": building the models and reading the
          plan back come on top.
        * rotation model (CP-SAT, :func:`~netopt.solve.rotation.solve_rotation`): with
          ``deterministic=True`` (default), CP-SAT **deterministic** seconds for all phases
          together (about wall seconds on an idle fast machine; independent of load, so the
          same seed gives the same schedule; phase 2 always gets at least 1 s, so a limit
          under about 2 s can be exceeded by up to 1 s). A wall-clock backstop stops every
          phase by ``4 x time_limit_s + 10 s`` after the model is built (room for a process
          that gets a quarter of a core; each phase still gets at least 0.1 s); only a solve
          stopped by it can differ between runs, and its message says so.
          With ``deterministic=False``, wall-clock seconds for all phases together (same
          1 s minimum for phase 2). A time-out never raises: if the limit stops the search
          before CP-SAT finds a schedule, the greedy warm start is returned.
    seed : int, default 0
        Random seed of every solver; the same seed gives the same answer unless a
        wall-clock limit (the location models' limit, the rotation backstop) stops the
        search.
    deterministic : bool, default True
        CP-SAT: interleaved search with deterministic-time budgets (see above). The
        location models do not use it: their solvers are deterministic for a seed, and
        their limit is always wall-clock.
    workers : int, default 2
        CP-SAT search workers (the rotation model). The location models do not use it:
        SCIP is set to one thread, HiGHS runs with its own default threading.

    Raises
    ------
    DataError
        If a value is out of range (a negative limit, zero workers ...).

    Examples
    --------
    >>> SolverParams(time_limit_s=20, seed=1).time_limit_s
    20.0
    >>> SolverParams.from_dict({"time_limit_s": 5}).seed
    0
    """

    time_limit_s: float | None = 60.0
    seed: int = 0
    deterministic: bool = True
    workers: int = 2

    def __post_init__(self) -> None:
        problems = []
        t = self.time_limit_s
        if t is not None:
            if (
                isinstance(t, bool)
                or not isinstance(t, (int, float))
                or not (math.isfinite(t) and t > 0)
            ):
                problems.append(self._problem("time_limit_s", t, "use a number of seconds > 0"))
            else:
                object.__setattr__(self, "time_limit_s", float(t))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            problems.append(self._problem("seed", self.seed, "use a whole number >= 0"))
        if not isinstance(self.deterministic, bool):
            problems.append(self._problem("deterministic", self.deterministic, "use true or false"))
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            problems.append(self._problem("workers", self.workers, "use a whole number >= 1"))
        if problems:
            raise DataError(problems)

    @staticmethod
    def _problem(field: str, value: Any, fix: str) -> Problem:
        return Problem("SolverParams", "", field, repr(value), fix)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[solver]") -> SolverParams:
        """Build parameters from a mapping such as a scenario's ``[solver]`` table.

        Parameters
        ----------
        data : mapping
            Keys among :meth:`fields`; missing keys keep their defaults.
        source : str, default "[solver]"
            Named in error messages.

        Returns
        -------
        SolverParams

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all in one error.
        """
        problems = unknown_keys(source, data, cls.fields())
        if problems:
            raise DataError(problems)
        try:
            return cls(**dict(data))
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (TOML- and JSON-ready; None values dropped).

        Returns
        -------
        dict
        """
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
