r"""Where patients go: a multinomial logit choice of facility per zone and care level.

The utility of facility :math:`j` for a resident of zone :math:`i` seeking care level
:math:`l` is

.. math::

    V_{lij} = \beta_t\, t_{ij} + \gamma \ln S_{jl} + c_g [j \in G,\ l = \text{grassroots}]
        + c_o [j \notin A] + b_\ell [j = \ell(i)] + b_e [j \in E,\ l \in \{\text{hospital
        outpatient}, \text{recurring}\}]

with :math:`t_{ij}` the one-way travel time in minutes, :math:`S_{jl}` the facility's size
for the level (:func:`size`), :math:`G` the grassroots tiers, :math:`A` the planning area,
:math:`\ell(i)` the zone's alliance lead and :math:`E` the expert clinics (facilities with
visiting expert days). Only eligible (:func:`eligibility`) and reachable facilities are in the
choice set; the others have :math:`V = -\infty`. The probabilities are the softmax over the
choice set, :math:`p_{lij} = e^{V_{lij}} / \sum_k e^{V_{lik}}` (McFadden 1974); with
:math:`\beta_t = 0` and :math:`\gamma = 1` it is Huff's (1964) gravity model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import OptionsMixin, number_table
from netopt.flows.levels import CARE_LEVELS, GRASSROOTS_TIERS, HOSPITAL_TIERS

__all__ = [
    "COEFFICIENTS",
    "EXPERT_LEVELS",
    "ChoiceParams",
    "ChoiceSet",
    "choice_probabilities",
    "choice_weights",
    "eligibility",
    "size",
    "utilities",
]

#: The utility coefficients of :class:`ChoiceParams` (the parameters that can be fitted).
COEFFICIENTS: tuple[str, ...] = (
    "beta_time",
    "size_elasticity",
    "grassroots_constant",
    "outside_constant",
    "lead_bonus",
    "expert_bonus",
)
#: Care levels at which an expert clinic is open (and earns ``expert_bonus``).
EXPERT_LEVELS: tuple[str, ...] = ("hospital_outpatient", "recurring")

_LEVEL = {name: i for i, name in enumerate(CARE_LEVELS)}
_TIERS = HOSPITAL_TIERS + GRASSROOTS_TIERS


@dataclass(frozen=True)
class ChoiceParams(OptionsMixin):
    """Coefficients of the facility choice model (see the module docstring for the formula).

    Parameters
    ----------
    beta_time : float, default -0.05
        Utility per minute of one-way travel. ESTIMATE: -0.05 per minute halves the odds of
        a facility every 14 minutes; calibrate it (:func:`netopt.flows.fit_flows`).
    size_elasticity : float, default 1.0
        Exponent of the facility size, as in Huff's (1964) model.
    grassroots_constant : float, default 0.0
        Extra utility of a grassroots facility for primary care (calibrated to the observed
        grassroots share with :func:`netopt.flows.calibrate`).
    outside_constant : float, default 0.0
        Extra utility of a facility outside the planning area (calibrated to the observed
        in-area share or transfers out).
    lead_bonus : float, default 0.5
        Extra utility of the zone's alliance lead (referral pathway). ESTIMATE.
    expert_bonus : float, default 0.0
        Extra utility of an expert clinic at the levels it serves (:data:`EXPERT_LEVELS`).
    patients_per_expert_day : float, default 20.0
        Patients a visiting expert sees a day; sizes an expert clinic. ESTIMATE.
    """

    beta_time: float = -0.05
    size_elasticity: float = 1.0
    grassroots_constant: float = 0.0
    outside_constant: float = 0.0
    lead_bonus: float = 0.5
    expert_bonus: float = 0.0
    patients_per_expert_day: float = 20.0

    def __post_init__(self) -> None:
        problems = []
        for name in self.fields():
            value = getattr(self, name)
            if not is_number(value) or not np.isfinite(value):
                problems.append(Problem("ChoiceParams", "", name, repr(value), "use a number"))
        ppd = self.patients_per_expert_day
        if is_number(ppd) and np.isfinite(ppd) and ppd <= 0:
            problems.append(
                Problem(
                    "ChoiceParams", "", "patients_per_expert_day", repr(ppd), "use a number > 0"
                )
            )
        if problems:
            raise DataError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[choice]") -> ChoiceParams:
        """Build parameters from a mapping (region.toml ``[choice]``, scenario ``[flows.choice]``).

        Parameters
        ----------
        data : mapping
            Keys are the field names of this class; missing keys keep their defaults.
        source : str, default "[choice]"
            Named in error messages.

        Returns
        -------
        ChoiceParams

        Raises
        ------
        DataError
            Unknown keys (with the closest valid key) and bad values, all at once.
        """
        return number_table(cls, data, source=source, valid=cls.fields())

    def to_dict(self) -> dict[str, float]:
        """Return the parameters as a plain dict (the keys of a ``[choice]`` table).

        Returns
        -------
        dict
        """
        return {name: float(getattr(self, name)) for name in self.fields()}


def _frozen(values: Any, dtype: Any) -> np.ndarray:
    """A read-only copy of ``values`` as an array of ``dtype``."""
    arr = np.array(values, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class ChoiceSet:
    """The facilities that Z zones can choose from, as plain arrays over F facilities.

    Arrays are copied and made read-only; the ``with_*`` methods return new choice sets.

    Parameters
    ----------
    minutes : array-like, shape (Z, F)
        One-way travel time in minutes (``inf``: unreachable; never NaN or negative).
    tier : array-like of str, shape (F,)
        One of :data:`~netopt.flows.HOSPITAL_TIERS` or :data:`~netopt.flows.GRASSROOTS_TIERS`.
    beds : array-like, shape (F,)
        Beds (NaN: unknown, replaced by the tier's median size, see :func:`size`).
    outpatients : array-like, shape (F,)
        Outpatient visits per day (NaN: unknown).
    in_area : array-like of bool, shape (F,)
        The facility lies inside the planning area.
    lead_of_zone : array-like of int, shape (Z,)
        Facility index of each zone's alliance lead (-1: none).
    expert_days : array-like, shape (F,), optional
        Visiting expert days per year (default 0); > 0 makes an expert clinic.
    upgraded : array-like of bool, shape (F,), optional
        The facility is upgraded to offer hospital care (default False).
    upgrade_beds : array-like, shape (F,), optional
        Beds added by the upgrade (default 0; counted only where ``upgraded``).
    facility_ids : tuple of str, optional
        Facility ids (labels of :meth:`~netopt.flows.Flows.facility_load`); empty: indices.

    Raises
    ------
    DataError
        Wrong shapes, unknown tiers, NaN or negative minutes, bad leads, all at once.
    """

    minutes: np.ndarray
    tier: np.ndarray
    beds: np.ndarray
    outpatients: np.ndarray
    in_area: np.ndarray
    lead_of_zone: np.ndarray
    expert_days: np.ndarray | None = None
    upgraded: np.ndarray | None = None
    upgrade_beds: np.ndarray | None = None
    facility_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        minutes = np.asarray(self.minutes, dtype=float)
        problems: list[Problem] = []
        if minutes.ndim != 2:
            raise DataError(
                Problem("ChoiceSet", "", "minutes", f"shape {minutes.shape}", "pass a (Z, F) array")
            )
        n_zones, n_fac = minutes.shape
        set_(self, "minutes", _frozen(minutes, float))
        defaults = {"expert_days": 0.0, "upgraded": False, "upgrade_beds": 0.0}
        kinds = {"tier": str, "beds": float, "outpatients": float, "in_area": bool}
        kinds |= {"expert_days": float, "upgraded": bool, "upgrade_beds": float}
        for name, kind in kinds.items():
            value = getattr(self, name)
            if value is None:
                value = np.full(n_fac, defaults[name])
            arr = np.asarray(value)
            if arr.shape != (n_fac,):
                problems.append(_shape_problem(name, arr.shape, f"({n_fac},)"))
                arr = np.full(n_fac, defaults.get(name, "county" if kind is str else 0))
            set_(self, name, _frozen(arr.astype(kind), kind))
        lead = np.asarray(self.lead_of_zone)
        if lead.shape != (n_zones,) or (lead.size and not np.issubdtype(lead.dtype, np.integer)):
            problems.append(_shape_problem("lead_of_zone", lead.shape, f"({n_zones},) integers"))
            lead = np.full(n_zones, -1)
        set_(self, "lead_of_zone", _frozen(lead, np.int64))
        ids = tuple(str(i) for i in self.facility_ids)
        set_(self, "facility_ids", ids)
        problems += _value_problems(self, n_fac)
        if problems:
            raise DataError(problems)

    @property
    def n_zones(self) -> int:
        """Number of zones Z."""
        return int(self.minutes.shape[0])

    @property
    def n_facilities(self) -> int:
        """Number of facilities F."""
        return int(self.minutes.shape[1])

    @property
    def is_hospital(self) -> np.ndarray:
        """(F,) bool: the facility's tier is a hospital tier."""
        return np.isin(self.tier, HOSPITAL_TIERS)

    @property
    def is_grassroots(self) -> np.ndarray:
        """(F,) bool: the facility's tier is a grassroots tier (upgraded or not)."""
        return np.isin(self.tier, GRASSROOTS_TIERS)

    @property
    def expert_clinic(self) -> np.ndarray:
        """(F,) bool: the facility has visiting expert days."""
        return self.expert_days > 0

    def labels(self) -> list[str]:
        """Return the facility ids, or the indices as text when there are none."""
        return list(self.facility_ids) or [str(j) for j in range(self.n_facilities)]

    def with_experts(self, days: np.ndarray) -> ChoiceSet:
        """Return a copy with visiting expert days per year replaced by ``days`` (F,)."""
        return dataclasses.replace(self, expert_days=np.asarray(days, dtype=float))

    def with_upgrades(self, mask: np.ndarray, *, beds: np.ndarray | None = None) -> ChoiceSet:
        """Return a copy whose ``upgraded`` flags are ``mask`` (F,), the full new set.

        To add upgrades to the existing ones pass ``cs.upgraded | new``. ``beds`` optionally
        replaces ``upgrade_beds``.
        """
        extra = {} if beds is None else {"upgrade_beds": np.asarray(beds, dtype=float)}
        return dataclasses.replace(self, upgraded=np.asarray(mask, dtype=bool), **extra)


def _shape_problem(field: str, found: tuple[int, ...], expected: str) -> Problem:
    return Problem("ChoiceSet", "", field, f"shape {found}", f"pass an array of shape {expected}")


def _value_problems(cs: ChoiceSet, n_fac: int) -> list[Problem]:
    """Every bad value of a choice set whose shapes are right."""
    problems = []
    nan_rows = np.flatnonzero(np.isnan(cs.minutes).any(axis=1))
    neg_rows = np.flatnonzero((cs.minutes < 0).any(axis=1))
    problems += [
        Problem("ChoiceSet", f"zone {i}", "minutes", "NaN", "use inf for unreachable facilities")
        for i in nan_rows
    ]
    problems += [
        Problem("ChoiceSet", f"zone {i}", "minutes", "negative minutes", "use times >= 0")
        for i in neg_rows
    ]
    for j in np.flatnonzero(~np.isin(cs.tier, _TIERS)):
        found = repr(str(cs.tier[j]))
        problems.append(
            Problem("ChoiceSet", f"facility {j}", "tier", found, f"use one of {_TIERS}")
        )
    for name in ("beds", "outpatients", "expert_days", "upgrade_beds"):
        arr = getattr(cs, name)
        bad = (
            (arr < 0) | np.isinf(arr) | (np.isnan(arr) & (name in ("expert_days", "upgrade_beds")))
        )
        problems += [
            Problem("ChoiceSet", f"facility {j}", name, repr(float(arr[j])), "use a number >= 0")
            for j in np.flatnonzero(bad)
        ]
    lead = cs.lead_of_zone
    problems += [
        Problem("ChoiceSet", f"zone {i}", "lead_of_zone", str(lead[i]), f"use -1..{n_fac - 1}")
        for i in np.flatnonzero((lead < -1) | (lead >= n_fac))
    ]
    if cs.facility_ids and len(cs.facility_ids) != n_fac:
        problems.append(_shape_problem("facility_ids", (len(cs.facility_ids),), f"({n_fac},)"))
    elif len(set(cs.facility_ids)) != len(cs.facility_ids):
        problems.append(Problem("ChoiceSet", "", "facility_ids", "duplicate ids", "use unique ids"))
    return problems


def eligibility(cs: ChoiceSet) -> np.ndarray:
    """Return which facilities offer which care level.

    Grassroots care: every facility. Hospital outpatient care: hospitals, upgraded
    facilities and expert clinics. Inpatient and emergency care: hospitals and upgraded
    facilities. Recurring care: hospitals, upgraded facilities and expert clinics.

    Parameters
    ----------
    cs : ChoiceSet

    Returns
    -------
    numpy.ndarray
        Shape (F, L), bool, levels in the order of :data:`~netopt.flows.CARE_LEVELS`.
    """
    hospital = cs.is_hospital | cs.upgraded
    expert = hospital | cs.expert_clinic
    columns = {
        "grassroots": np.ones(cs.n_facilities, dtype=bool),
        "hospital_outpatient": expert,
        "inpatient": hospital,
        "emergency": hospital,
        "recurring": expert,
    }
    return np.stack([columns[name] for name in CARE_LEVELS], axis=1)


def size(cs: ChoiceSet, params: ChoiceParams | None = None) -> np.ndarray:
    """Return the size of each facility at each care level (the attraction of Huff's model).

    Grassroots and hospital outpatient care: outpatients per day; hospital outpatient care
    at an expert clinic that is not a hospital: ``expert_days x patients_per_expert_day /
    365`` (plus its outpatients when it is upgraded). Inpatient, emergency and recurring
    care: beds, plus ``upgrade_beds`` where upgraded. A NaN or zero size becomes the median
    positive size of the facility's tier at that level (1.0 if there is none), so that no
    facility's alternative vanishes (``ln 0``).

    Parameters
    ----------
    cs : ChoiceSet
    params : ChoiceParams, optional
        For ``patients_per_expert_day`` (default :class:`ChoiceParams()`).

    Returns
    -------
    numpy.ndarray
        Shape (F, L), finite and > 0.
    """
    params = ChoiceParams() if params is None else params
    out = cs.outpatients
    beds = cs.beds + np.where(cs.upgraded, cs.upgrade_beds, 0.0)
    clinic = cs.expert_days * params.patients_per_expert_day / 365.0
    specialist = np.where(
        cs.is_hospital, out, np.where(cs.upgraded, np.nan_to_num(out), 0.0) + clinic
    )
    columns = {
        "grassroots": out,
        "hospital_outpatient": specialist,
        "inpatient": beds,
        "emergency": beds,
        "recurring": beds,
    }
    raw = np.stack([columns[name] for name in CARE_LEVELS], axis=1).astype(float)
    good = np.isfinite(raw) & (raw > 0)
    filled = raw.copy()
    for tier in np.unique(cs.tier):
        rows = cs.tier == tier
        for lev in range(raw.shape[1]):
            vals = raw[rows, lev][good[rows, lev]]
            fill = float(np.median(vals)) if vals.size else 1.0
            filled[rows & ~good[:, lev], lev] = fill
    return filled


def _design(cs: ChoiceSet, params: ChoiceParams) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The explanatory variables of the utility, each broadcastable to (L, Z, F), and the
    (L, Z, F) mask of available (eligible and reachable) alternatives."""
    n_lev, n_zones, n_fac = len(CARE_LEVELS), cs.n_zones, cs.n_facilities
    reachable = np.isfinite(cs.minutes)
    lead = np.zeros((1, n_zones, n_fac))
    has = np.flatnonzero(cs.lead_of_zone >= 0)
    lead[0, has, cs.lead_of_zone[has]] = 1.0
    grass = np.zeros((n_lev, 1, n_fac))
    grass[_LEVEL["grassroots"], 0] = cs.is_grassroots
    expert = np.zeros((n_lev, 1, n_fac))
    for name in EXPERT_LEVELS:
        expert[_LEVEL[name], 0] = cs.expert_clinic
    design = {
        "beta_time": np.where(reachable, cs.minutes, 0.0)[None],
        "size_elasticity": np.log(size(cs, params)).T[:, None, :],
        "grassroots_constant": grass,
        "outside_constant": (~cs.in_area).astype(float)[None, None, :],
        "lead_bonus": lead,
        "expert_bonus": expert,
    }
    available = eligibility(cs).T[:, None, :] & reachable[None]
    return design, available


def _utility(
    design: dict[str, np.ndarray], available: np.ndarray, coef: Mapping[str, float]
) -> np.ndarray:
    """sum_k coef_k x design_k over the available alternatives, -inf elsewhere."""
    value = np.zeros(available.shape)
    for name, x in design.items():
        if coef[name] != 0.0:
            value += coef[name] * x
    np.copyto(value, -np.inf, where=~available)
    return value


def utilities(cs: ChoiceSet, params: ChoiceParams | None = None) -> np.ndarray:
    """Return the utility of every facility for every zone and care level.

    Parameters
    ----------
    cs : ChoiceSet
    params : ChoiceParams, optional
        Default :class:`ChoiceParams()`.

    Returns
    -------
    numpy.ndarray
        Shape (L, Z, F); ``-inf`` where the facility does not offer the level or cannot be
        reached (``inf`` minutes).
    """
    params = ChoiceParams() if params is None else params
    design, available = _design(cs, params)
    return _utility(design, available, params.to_dict())


def _softmax(value: np.ndarray, need: np.ndarray | None = None) -> np.ndarray:
    """Row softmax over the last axis, shifted by the row maximum.

    Rows without an available alternative raise unless ``need`` (L, Z) says they may be
    empty (then they are all zero).
    """
    top = value.max(axis=-1)
    empty = ~np.isfinite(top)
    bad = empty if need is None else empty & need
    if bad.any():
        lev, zone = np.nonzero(bad)
        raise DataError(
            [
                Problem(
                    "choice set",
                    f"zone {z}",
                    CARE_LEVELS[lv],
                    "no eligible facility is reachable",
                    "add a reachable facility that offers this care level, or drop the zone",
                )
                for lv, z in zip(lev, zone, strict=True)
            ]
        )
    shift = np.where(empty, 0.0, top)
    prob = np.exp(value - shift[..., None])
    total = prob.sum(axis=-1, keepdims=True)
    np.divide(prob, total, out=prob, where=total > 0)
    return prob


def choice_probabilities(
    cs: ChoiceSet, params: ChoiceParams | None = None, *, need: np.ndarray | None = None
) -> np.ndarray:
    """Return the probability that a zone's resident seeking a care level picks a facility.

    A softmax of :func:`utilities` over the facilities, computed stably (shifted by each
    row's maximum utility).

    Parameters
    ----------
    cs : ChoiceSet
    params : ChoiceParams, optional
        Default :class:`ChoiceParams()`.
    need : array-like of bool, shape (Z, L), optional
        The (zone, level) pairs that must have a choice (default: all); the others may have
        none, and then have zero probabilities (e.g. zones without residents).

    Returns
    -------
    numpy.ndarray
        Shape (L, Z, F); each (level, zone) row sums to 1 (or is all zero, see ``need``);
        exactly 0 where the facility is ineligible or unreachable.

    Raises
    ------
    DataError (a ValueError)
        A (zone, level) with no eligible reachable facility, naming the zone index and level.
    """
    mask = None if need is None else np.asarray(need, dtype=bool).T
    return _softmax(utilities(cs, params), mask)


def choice_weights(
    cs: ChoiceSet, params: ChoiceParams | None = None, *, offset: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Return the MNL weights :math:`e^{V}` split into a scaled weight and a per-row offset.

    ``weights * exp(offset[..., None]) == exp(V)`` for every (level, zone, facility), with
    ``weights = exp(V - offset)``. The offset is common to all facilities of a (level, zone)
    row, so it cancels in every ratio of weights and share of the row: the share MILP
    (:func:`netopt.solve.location.share_location`) may use ``weights`` as the raw
    :math:`e^{V}`. By default ``offset`` is the row's largest finite utility (0 for a row
    without one), so the weights lie in [0, 1] and the largest is 1; pass the ``offset`` of
    another call to put weights computed on two choice sets (e.g. before and after
    upgrades) on one scale.

    Parameters
    ----------
    cs : ChoiceSet
    params : ChoiceParams, optional
        Default :class:`ChoiceParams()`.
    offset : array-like, shape (L, Z), optional
        The offsets to use (weights may then exceed 1).

    Returns
    -------
    weights : numpy.ndarray
        Shape (L, Z, F), >= 0; exactly 0 where ineligible or unreachable.
    offset : numpy.ndarray
        Shape (L, Z).
    """
    value = utilities(cs, params)
    if offset is None:
        top = value.max(axis=-1)
        offset = np.where(np.isfinite(top), top, 0.0)
    else:
        offset = np.asarray(offset, dtype=float)
        if offset.shape != value.shape[:2] or not np.isfinite(offset).all():
            raise DataError(
                Problem("choice_weights", "", "offset", f"shape {offset.shape}",
                        f"pass finite offsets of shape {value.shape[:2]}")
            )  # fmt: skip
    return np.exp(value - offset[..., None]), offset
