"""Care levels and the yearly need for care of each zone: :class:`DemandRates`, :func:`zone_demand`.

A care level is a kind of visit that patients choose a facility for separately (see
:data:`CARE_LEVELS`). The need is the number of visits per resident per year, whatever
facility meets it: where the visits go is the choice model's business
(:mod:`netopt.flows.choice`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import number_table

__all__ = [
    "CARE_LEVELS",
    "GRASSROOTS_TIERS",
    "HOSPITAL_TIERS",
    "TRANSFER_LEVELS",
    "DemandRates",
    "zone_demand",
]

#: The care levels, in the order of the first axis of every (L, Z, F) flow array.
CARE_LEVELS: tuple[str, ...] = (
    "grassroots",
    "hospital_outpatient",
    "inpatient",
    "emergency",
    "recurring",
)
#: Facility tiers that are hospitals (every care level is available there).
HOSPITAL_TIERS: tuple[str, ...] = ("tertiary", "county")
#: Facility tiers that are grassroots institutions (township health centres, village clinics).
GRASSROOTS_TIERS: tuple[str, ...] = ("township", "village")
#: Care levels whose visits outside the area count as transfers out (hospital care).
TRANSFER_LEVELS: tuple[str, ...] = ("inpatient", "emergency", "recurring")


@dataclass(frozen=True)
class DemandRates:
    """Yearly visits per resident by care level: the need, wherever it is met.

    Figures from the National Health Commission, *Statistical Bulletin on the Development
    of Health Care in China 2023*: 9.55 billion visits to medical institutions (4.26 billion
    at hospitals, 4.94 billion at grassroots institutions), i.e. 6.8 visits per resident;
    301.87 million admissions, an admission rate of 21.4 %.

    Parameters
    ----------
    grassroots : float, default 5.1
        Visits suited to primary care. ESTIMATE: 6.8 visits per resident x 0.75, the share
        assumed suitable for primary care (an assumption; grassroots institutions received
        4.94 of the 9.55 billion visits, 52 %, in 2023).
    hospital_outpatient : float, default 1.55
        Specialist outpatient visits. ESTIMATE: 6.8 x 0.25 less the emergency visits.
    inpatient : float, default 0.214
        Admissions per resident: the 2023 admission rate of 21.4 % (sourced, same bulletin).
    emergency : float, default 0.15
        Emergency visits. ESTIMATE.
    recurring : float, default 0.15
        Recurring treatment sessions (dialysis, oncology follow-up). ESTIMATE: about 0.07 %
        of residents on dialysis x 156 sessions a year (0.11) plus oncology follow-up.
    """

    grassroots: float = 5.1
    hospital_outpatient: float = 1.55
    inpatient: float = 0.214
    emergency: float = 0.15
    recurring: float = 0.15

    def __post_init__(self) -> None:
        problems = []
        for name in CARE_LEVELS:
            value = getattr(self, name)
            if not is_number(value) or not np.isfinite(value) or value < 0:
                problems.append(
                    Problem("DemandRates", "", name, repr(value), "use a finite number >= 0")
                )
        if problems:
            raise DataError(problems)

    def as_array(self) -> np.ndarray:
        """Return the rates in the order of :data:`CARE_LEVELS`.

        Returns
        -------
        numpy.ndarray
            Shape (L,), visits per resident per year.
        """
        return np.array([float(getattr(self, name)) for name in CARE_LEVELS])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[demand]") -> DemandRates:
        """Build rates from a mapping (e.g. a ``[demand]`` table); missing keys keep defaults.

        Parameters
        ----------
        data : mapping
            Keys are care levels (:data:`CARE_LEVELS`).
        source : str, default "[demand]"
            Named in error messages.

        Returns
        -------
        DemandRates

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.
        """
        return number_table(cls, data, source=source, valid=CARE_LEVELS)

    def to_dict(self) -> dict[str, float]:
        """Return the rates as a plain dict (the keys of a ``[demand]`` table).

        Returns
        -------
        dict
        """
        return {name: float(getattr(self, name)) for name in CARE_LEVELS}


def zone_demand(population: np.ndarray, rates: DemandRates | None = None) -> np.ndarray:
    """Return the yearly visits each zone needs, by care level.

    Parameters
    ----------
    population : array-like of float, shape (Z,)
        Residents of each zone (finite, >= 0).
    rates : DemandRates, optional
        Visits per resident per year (default :class:`DemandRates()`).

    Returns
    -------
    numpy.ndarray
        Shape (Z, L): ``population[z] x rate[l]`` visits per year.

    Raises
    ------
    DataError
        A population that is not a finite number >= 0 (every such zone named).

    Examples
    --------
    >>> zone_demand([1000.0], DemandRates())[0, 2]
    214.0
    """
    rates = DemandRates() if rates is None else rates
    pop = np.asarray(population, dtype=float)
    if pop.ndim != 1:
        raise DataError(
            Problem("population", "", "", f"shape {pop.shape}", "pass one value per zone")
        )
    bad = np.flatnonzero(~np.isfinite(pop) | (pop < 0))
    if bad.size:
        raise DataError(
            [
                Problem("population", f"zone {i}", "", repr(float(pop[i])), "use a number >= 0")
                for i in bad
            ]
        )
    return pop[:, None] * rates.as_array()[None, :]
