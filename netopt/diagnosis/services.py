"""The shared diagnosis services and their default rates and costs: :class:`Service`.

A medical group runs shared diagnosis centres to which its grassroots health centres send
what they collect (Huarong County's medical community, for instance, runs a laboratory, an
imaging and an ECG centre for its 21 township health centres, [huarong]_):

* ``laboratory``: samples travel by courier and must reach the centre within a window
  (``moves_samples=True``);
* ``imaging`` and ``ecg``: the images and traces are sent as data and read at the centre,
  so nothing travels (``moves_samples=False``); a result takes the reading time.

Every default number below is an ESTIMATE (``Service.estimated`` is True for the
defaults): no county figures on tests per resident or on the running costs of shared
centres were found. How each estimate was made is stated beside it. Override them in
``region.toml [diagnosis.laboratory]`` (etc.) or a scenario's table of the same name, and
set ``estimated = false`` there when the numbers are your own sourced figures.

References
----------
.. [huarong] "五大中心建设标准" (on the county medical community's shared centres),
   section 3.1, http://cn-witmed.com/list/33/17916.html -- Huarong County People's
   Hospital's medical community: shared laboratory, imaging, ECG, pathology and
   sterilisation centres; its remote imaging and ECG centres connect 21 township health
   centres.
.. [nhc2018] National Health Commission, statistical report on health care in 2018: 8.31
   billion visits, about six per resident per year, as reported at
   https://nation.com.pk/25-May-2019/number-of-china-s-healthcare-workers-sickbeds-both-rises
.. [days250] Ministry of Human Resources and Social Security, 劳社部发〔2008〕3号 (on the
   average monthly working days): 365 - 104 rest days - 11 public holidays = 250 working
   days a year.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from types import MappingProxyType
from typing import Any

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, resourced, unknown_keys

__all__ = ["DEFAULT_SERVICES", "SERVICES", "WORKING_DAYS", "Service"]

#: The shared diagnosis services, in the order of every table.
SERVICES: tuple[str, ...] = ("laboratory", "imaging", "ecg")

#: Working days a year ([days250]): courier runs and samples per day.
WORKING_DAYS = 250.0

_NUMBERS = (
    "tests_per_resident",
    "fixed_cost_yuan",
    "cost_per_test_yuan",
    "capacity_per_year",
    "window_min",
    "turnaround_min",
    "courier_yuan_per_min",
)


@dataclass(frozen=True)
class Service(OptionsMixin):
    """One shared diagnosis service: demand, costs, candidates and its time standard.

    Parameters
    ----------
    tests_per_resident : float
        Tests (or reads) a year per resident of a sending facility, >= 0.
    fixed_cost_yuan : float
        Running cost of one centre a year (staff, equipment, reading), yuan, >= 0; paid for
        every centre open, kept ones included.
    cost_per_test_yuan : float
        Reagents, consumables or a read, yuan per test, >= 0 (the same at every centre, so
        it adds to the cost but does not decide where the centres go).
    capacity_per_year : float, default inf
        Tests a centre can handle a year (> 0; inf: no limit).
    candidates : tuple of str, default ()
        Facility ids or tiers (``"county"``: the in-area facilities of that tier) that may
        host a centre; ``()``: the in-area hospitals (tiers tertiary and county).
    fixed_centres : tuple of str, default ()
        Facility ids of existing centres, always kept open (candidates whatever the list).
    moves_samples : bool, default False
        True: samples travel by courier and must arrive within ``window_min``; False: data
        are sent, nothing travels.
    window_min : float or None, default None
        Minutes from collection to arrival at the centre (samples only); None: no window.
    turnaround_min : float, default 30
        Minutes from arrival (samples) or sending (data) to the result: the analysis or the
        reading time.
    max_centres : int or None, default None
        At most this many centres (kept ones included); None: as many as pay for
        themselves.
    courier_yuan_per_min : float, default 1.0
        Samples only: yuan per courier minute in the location model's travel cost (see
        :func:`~netopt.diagnosis.plan_diagnosis`). ESTIMATE: 60 yuan an hour for a van and
        its driver.
    estimated : bool, default True
        Whether the numbers are estimates (True for every default); reported with the
        costs.
    """

    tests_per_resident: float = 0.0
    fixed_cost_yuan: float = 0.0
    cost_per_test_yuan: float = 0.0
    capacity_per_year: float = math.inf
    candidates: tuple[str, ...] = ()
    fixed_centres: tuple[str, ...] = ()
    moves_samples: bool = False
    window_min: float | None = None
    turnaround_min: float = 30.0
    max_centres: int | None = None
    courier_yuan_per_min: float = 1.0
    estimated: bool = True

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(name: str, fix: str) -> None:
            problems.append(Problem("Service", "", name, repr(getattr(self, name))[:80], fix))

        for name in _NUMBERS:
            value = getattr(self, name)
            if name == "window_min" and value is None:
                continue
            if not is_number(value) or math.isnan(value) or value < 0:
                bad(name, "use a number >= 0")
            elif name in ("capacity_per_year", "window_min") and value <= 0:
                bad(name, "use a number > 0" + (" (inf: no limit)" if name[0] == "c" else ""))
            elif math.isinf(value) and name != "capacity_per_year":
                bad(name, "use a finite number")
            else:
                object.__setattr__(self, name, float(value))
        for name in ("candidates", "fixed_centres"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
                bad(name, 'use a list of facility ids (or tiers), e.g. ["XS-H01"]')
            else:
                object.__setattr__(self, name, tuple(dict.fromkeys(value)))
        for name in ("moves_samples", "estimated"):
            if not isinstance(getattr(self, name), bool):
                bad(name, "use true or false")
        k = self.max_centres
        if k is not None:
            if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
                bad("max_centres", "use a whole number >= 1 (or leave it out)")
            elif isinstance(self.fixed_centres, tuple) and len(self.fixed_centres) > k:
                bad("max_centres", f"allow at least the {len(self.fixed_centres)} fixed centres")
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        base: Service | None = None,
        source: str = "[diagnosis.<service>]",
    ) -> Service:
        """Build a service from a ``[diagnosis.<service>]`` table over ``base``.

        Parameters
        ----------
        data : mapping
            Field names to values; missing keys keep the value of ``base``.
        base : Service, optional
            What the table changes (e.g. the default of that service); default
            ``Service()``.
        source : str
            Named in error messages.

        Returns
        -------
        Service

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.

        Examples
        --------
        >>> lab = Service.from_dict({"fixed_cost_yuan": 2e6}, base=DEFAULT_SERVICES["laboratory"])
        >>> lab.fixed_cost_yuan, lab.window_min
        (2000000.0, 240.0)
        """
        if not isinstance(data, Mapping):
            raise DataError(Problem(source, "", "", repr(data)[:80], "write it as a table"))
        problems = unknown_keys(source, data, cls.fields())
        if problems:
            raise DataError(problems)
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        if "capacity_per_year" in values and values["capacity_per_year"] in ("inf", "none"):
            values["capacity_per_year"] = math.inf
        try:
            return dataclasses.replace(base or cls(), **values)
        except DataError as exc:
            raise resourced(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Return the service as a ``[diagnosis.<service>]`` table (None values left out;
        an infinite capacity is written as ``"inf"``, which TOML cannot hold as a number
        in every reader).

        Returns
        -------
        dict
        """
        out: dict[str, Any] = {}
        for name in self.fields():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif name == "capacity_per_year" and math.isinf(value):
                value = "inf"
            out[name] = value
        return out


#: The default services (every number an ESTIMATE, see the module docstring):
#:
#: * laboratory: 1.2 samples a resident a year (about six visits a resident a year
#:   [nhc2018], roughly half of them at the grassroots, two in five with a sample sent
#:   out); 1.5 M yuan a year per centre (about ten technicians and the analysers' upkeep);
#:   20 yuan reagents and consumables per test; samples within 240 minutes of collection
#:   (the four hours of issue #14, a planning standard); 60 minutes of analysis.
#: * imaging: 0.15 reads a resident a year (X-ray and CT taken at the township, read at
#:   the centre); 0.6 M yuan a year per centre (three radiologists and the image archive);
#:   30 yuan per read; 30 minutes to the report.
#: * ecg: 0.2 traces a resident a year; 0.3 M yuan a year per centre (two readers on
#:   call); 10 yuan per read; 30 minutes to the report.
DEFAULT_SERVICES: Mapping[str, Service] = MappingProxyType(
    {
        "laboratory": Service(
            tests_per_resident=1.2,
            fixed_cost_yuan=1_500_000.0,
            cost_per_test_yuan=20.0,
            moves_samples=True,
            window_min=240.0,
            turnaround_min=60.0,
        ),
        "imaging": Service(
            tests_per_resident=0.15,
            fixed_cost_yuan=600_000.0,
            cost_per_test_yuan=30.0,
            turnaround_min=30.0,
        ),
        "ecg": Service(
            tests_per_resident=0.2,
            fixed_cost_yuan=300_000.0,
            cost_per_test_yuan=10.0,
            turnaround_min=30.0,
        ),
    }
)
