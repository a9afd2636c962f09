"""Yearly visit rates and the conversion of beds into admissions: :class:`Rates`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import number_table

__all__ = ["Rates"]


@dataclass(frozen=True)
class Rates:
    """Yearly visit rates per resident used to weight travel.

    Parameters
    ----------
    primary_visits_per_year : float
        Visits per resident per year at the primary (grassroots) facility. Default 3.2:
        China 2019, 4.53 billion visits to grassroots institutions for 1.40 billion people
        (National Health Commission, *Statistical Bulletin on the Development of Health
        Care 2019*).
    referrals_per_year : float
        Referrals per resident per year that go to the alliance's lead hospital. Default
        0.152: the 2019 inpatient admission rate of 19.0 % (same bulletin) times the
        hospitals' 80 % share of admissions (211.8 of 266.0 million).
    bed_occupancy : float
        Target bed occupancy used to turn beds into yearly admission capacity (default 0.85).
    length_of_stay_days : float
        Mean hospital length of stay (default 9.1 days, hospitals in 2019, same bulletin).
    """

    primary_visits_per_year: float = 3.2
    referrals_per_year: float = 0.152
    bed_occupancy: float = 0.85
    length_of_stay_days: float = 9.1

    def __post_init__(self) -> None:
        problems = []
        for name in ("primary_visits_per_year", "referrals_per_year", "length_of_stay_days"):
            value = getattr(self, name)
            if not is_number(value) or not np.isfinite(value) or value < 0:
                problems.append(Problem("Rates", "", name, repr(value), "use a finite number >= 0"))
        occ = self.bed_occupancy
        if not is_number(occ) or not 0 < occ <= 1:
            problems.append(
                Problem("Rates", "", "bed_occupancy", repr(occ), "use a share in (0, 1]")
            )
        if problems:
            raise DataError(problems)

    def admissions_capacity(self, beds: np.ndarray | float) -> np.ndarray:
        """Return the yearly admission capacity of hospitals with ``beds`` beds.

        ``beds x 365 x bed_occupancy / length_of_stay_days``; NaN beds give ``inf``
        (unknown capacity is not constrained).

        Parameters
        ----------
        beds : array-like of float

        Returns
        -------
        numpy.ndarray
        """
        beds = np.asarray(beds, dtype=float)
        cap = beds * 365.0 * self.bed_occupancy / self.length_of_stay_days
        return np.where(np.isnan(cap), np.inf, cap)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[model.rates]") -> Rates:
        """Build rates from a mapping (e.g. a scenario's ``[model.rates]`` table).

        Parameters
        ----------
        data : mapping
            Keys are the field names of this class.
        source : str, default "[model.rates]"
            Named in error messages.

        Returns
        -------
        Rates

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.
        """
        return number_table(cls, data, source=source, valid=cls.__dataclass_fields__, sort=True)

    def to_dict(self) -> dict[str, float]:
        """Return the rates as a plain dict (the keys of a ``[model.rates]`` table).

        Returns
        -------
        dict
        """
        return {f: float(getattr(self, f)) for f in self.__dataclass_fields__}
