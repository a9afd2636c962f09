r"""Fit the choice model to what is observed: reported shares (:func:`calibrate`) or flows
(:func:`fit_flows`).

**Shares.** A region usually reports a few figures: the share of visits that stay in the
area, the share that grassroots institutions receive, the patients transferred out. With
:math:`m_k(\theta)` the model's figure (:meth:`~netopt.flows.Flows.kpis`) and :math:`o_k` the
observed one with standard deviation :math:`s_k`, :func:`calibrate` solves

.. math::

    \min_\theta \sum_k \left(\frac{m_k(\theta) - o_k}{s_k}\right)^2

with :func:`scipy.optimize.least_squares` and the analytic Jacobian :math:`J` of the scaled
residuals (MNL: :math:`\partial p_j / \partial \theta = p_j (x_j - \bar x)`). The standard
errors follow by the delta method, :math:`\operatorname{cov}\hat\theta = (J^\top J)^{-1}`
(Gauss-Newton; exact when the figures are independent normal with known :math:`s_k`). With
as many free parameters as figures the fit is exact and the standard errors say how far the
parameters move per standard deviation of the figures.

**Flows.** With observed visit counts :math:`n_{lij}` (e.g. from claims data),
:func:`fit_flows` maximises the multinomial log-likelihood
:math:`\ell(\theta) = \sum_{lij} n_{lij} \ln p_{lij}(\theta)` (concave in the linear
coefficients) with L-BFGS-B and its analytic gradient
:math:`\sum_{li} \sum_j (n_{lij} - N_{li} p_{lij}) x_{lij}`; the standard errors come from the
inverse of the analytic observed information
:math:`\sum_{li} N_{li} \operatorname{cov}_{p_{li}}(x)` (McFadden 1974).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import least_squares, minimize

from netopt._errors import DataError, Problem
from netopt._numbers import is_number
from netopt._options import unknown_keys
from netopt.flows.choice import (
    COEFFICIENTS,
    ChoiceParams,
    ChoiceSet,
    _design,
    _softmax,
    _utility,
)
from netopt.flows.levels import CARE_LEVELS, TRANSFER_LEVELS
from netopt.flows.model import Flows, patient_flows

__all__ = ["FIGURES", "Calibration", "Observed", "calibrate", "fit_flows"]

logger = logging.getLogger(__name__)

#: The figures that :class:`Observed` can hold (keys of :meth:`~netopt.flows.Flows.kpis`).
FIGURES: tuple[str, ...] = ("in_area_share", "grassroots_share", "transfers_out_per_year")
#: Default standard deviation of an observed share: the rounding of a reported percentage.
SHARE_SD = 0.005
#: Default relative standard deviation of an observed count (ESTIMATE).
COUNT_RELATIVE_SD = 0.05
_SHARES = ("in_area_share", "grassroots_share")


@dataclass(frozen=True)
class Observed:
    """Figures observed in a region, to calibrate the choice model to.

    Parameters
    ----------
    in_area_share, grassroots_share : float or None
        Shares of all visits (0..1); None: not observed.
    transfers_out_per_year : float or None
        Inpatient, emergency and recurring visits outside the area per year.
    sd : dict, optional
        Standard deviation of a figure. Default: 0.005 for a share (the rounding of a
        reported percentage), 5 % of the value for a count (at least 1; ESTIMATE).
    """

    in_area_share: float | None = None
    grassroots_share: float | None = None
    transfers_out_per_year: float | None = None
    sd: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        for name in FIGURES:
            value = getattr(self, name)
            if value is None:
                continue
            upper = 1.0 if name in _SHARES else np.inf
            if not is_number(value) or not 0 <= value <= upper:
                fix = "use a share in [0, 1]" if name in _SHARES else "use a count >= 0"
                problems.append(Problem("Observed", "", name, repr(value), fix))
        problems += unknown_keys("Observed sd", self.sd, FIGURES)
        problems += [
            Problem("Observed", "", f"sd.{k}", repr(v), "use a standard deviation > 0")
            for k, v in self.sd.items()
            if k in FIGURES and (not is_number(v) or not 0 < v < np.inf)
        ]
        if problems:
            raise DataError(problems)

    def figures(self) -> dict[str, float]:
        """Return the observed figures (those not None), in the order of :data:`FIGURES`."""
        return {k: float(getattr(self, k)) for k in FIGURES if getattr(self, k) is not None}

    def sds(self) -> dict[str, float]:
        """Return the standard deviation of each observed figure (given or default)."""
        out = {}
        for name, value in self.figures().items():
            default = SHARE_SD if name in _SHARES else max(COUNT_RELATIVE_SD * value, 1.0)
            out[name] = float(self.sd.get(name, default))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "[observed]") -> Observed:
        """Build observed figures from a mapping (region.toml ``[observed]`` table).

        Parameters
        ----------
        data : mapping
            Keys :data:`FIGURES` and optionally ``sd`` (a table of figure -> sd).
        source : str, default "[observed]"
            Named in error messages.

        Returns
        -------
        Observed

        Raises
        ------
        DataError
            Unknown keys and bad values, all at once.
        """
        problems = unknown_keys(source, data, (*FIGURES, "sd"))
        sd = data.get("sd", {})
        if not isinstance(sd, Mapping):
            problems.append(Problem(source, "", "sd", repr(sd), "use a table figure = sd"))
            sd = {}
        if problems:
            raise DataError(problems)
        values = {k: data[k] for k in FIGURES if k in data}
        try:
            return cls(**values, sd=dict(sd))
        except DataError as exc:
            raise DataError(
                [
                    Problem(source, p.record, p.field, p.found, p.fix)
                    if isinstance(p, Problem)
                    else p
                    for p in exc.problems
                ]
            ) from None


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate` or :func:`fit_flows`.

    Parameters
    ----------
    params : ChoiceParams
        The fitted parameters (the free ones changed, the others as given).
    free : tuple of str
        The fitted parameters' names.
    std_errors : dict
        Standard error of each free parameter (NaN if it is not identified).
    fitted : dict
        The model's figures at ``params``.
    observed : dict
        The observed figures.
    residuals : dict
        :func:`calibrate`: ``(fitted - observed) / sd`` per figure; :func:`fit_flows`:
        ``fitted - observed``.
    converged : bool
    message : str
    log_likelihood : float or None
        :func:`fit_flows` only: the maximised multinomial log-likelihood.
    """

    params: ChoiceParams
    free: tuple[str, ...]
    std_errors: dict[str, float]
    fitted: dict[str, float]
    observed: dict[str, float]
    residuals: dict[str, float]
    converged: bool
    message: str
    log_likelihood: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the calibration as JSON-ready plain data.

        Returns
        -------
        dict
        """
        return {
            "params": self.params.to_dict(),
            "free": list(self.free),
            "estimates": {k: float(getattr(self.params, k)) for k in self.free},
            "std_errors": dict(self.std_errors),
            "fitted": dict(self.fitted),
            "observed": dict(self.observed),
            "residuals": dict(self.residuals),
            "converged": bool(self.converged),
            "message": self.message,
            "log_likelihood": self.log_likelihood,
        }


def _check_free(free: Iterable[str], source: str) -> tuple[str, ...]:
    """The free parameter names, checked: known coefficients, no repeats, at least one."""
    names = (free,) if isinstance(free, str) else tuple(free)
    valid = ", ".join(COEFFICIENTS)
    problems = [
        Problem(source, "", "free", repr(n), f"use some of: {valid}")
        for n in names
        if n not in COEFFICIENTS
    ]
    if len(set(names)) != len(names):
        problems.append(Problem(source, "", "free", f"repeats in {names}", "name each once"))
    if not names:
        problems.append(Problem(source, "", "free", "no free parameters", f"name some of {valid}"))
    if problems:
        raise DataError(problems)
    return names


def _with(params: ChoiceParams, free: tuple[str, ...], x: np.ndarray) -> ChoiceParams:
    return params.replace(**{k: float(v) for k, v in zip(free, x, strict=True)})


def _figure_weights(cs: ChoiceSet, names: Iterable[str]) -> dict[str, np.ndarray]:
    """The (L, 1, F) indicator behind each figure: figure = sum visits x w (/ total)."""
    lev = len(CARE_LEVELS)
    transfer = np.isin(CARE_LEVELS, TRANSFER_LEVELS)[:, None, None]
    table = {
        "in_area_share": np.broadcast_to(cs.in_area[None, None, :], (lev, 1, cs.n_facilities)),
        "grassroots_share": np.broadcast_to(
            cs.is_grassroots[None, None], (lev, 1, cs.n_facilities)
        ),
        "transfers_out_per_year": transfer & ~cs.in_area[None, None, :],
    }
    return {n: table[n].astype(float) for n in names}


def _std_errors(info: np.ndarray, free: tuple[str, ...]) -> tuple[dict[str, float], str]:
    """Standard errors from an information matrix (NaN for all if it is singular)."""
    rank = np.linalg.matrix_rank(info)
    if rank < len(free):
        note = f"; information matrix of rank {rank} < {len(free)}: not all of {free} identified"
        return {k: float("nan") for k in free}, note
    cov = np.linalg.inv(info)
    return {k: float(np.sqrt(max(cov[i, i], 0.0))) for i, k in enumerate(free)}, ""


def calibrate(
    cs: ChoiceSet,
    demand: np.ndarray,
    observed: Observed,
    params: ChoiceParams | None = None,
    *,
    free: Iterable[str] = ("grassroots_constant", "outside_constant"),
    max_nfev: int | None = None,
) -> Calibration:
    """Fit free choice parameters so that the model's figures match the observed ones.

    Least squares of ``(model - observed) / sd`` over the observed figures (see the module
    docstring), started from ``params``; standard errors by the delta method.

    Parameters
    ----------
    cs : ChoiceSet
    demand : array-like, shape (Z, L)
        Yearly visits needed (:func:`~netopt.flows.zone_demand`).
    observed : Observed
        At least as many figures as free parameters.
    params : ChoiceParams, optional
        Start values and the fixed parameters (default :class:`ChoiceParams()`).
    free : iterable of str, default ("grassroots_constant", "outside_constant")
        Parameters to fit, names from :data:`~netopt.flows.COEFFICIENTS`.
    max_nfev : int, optional
        Evaluation limit passed to :func:`scipy.optimize.least_squares`.

    Returns
    -------
    Calibration

    Raises
    ------
    DataError (a ValueError)
        Unknown free names (listing the valid ones), or more free parameters than observed
        figures (naming the parameters to fix).
    """
    params = ChoiceParams() if params is None else params
    free = _check_free(free, "calibrate")
    figures, sds = observed.figures(), observed.sds()
    if len(free) > len(figures):
        extra = free[len(figures) :]
        raise DataError(
            Problem(
                "calibrate",
                "",
                "free",
                f"{len(free)} free parameters {free} but {len(figures)} observed figures "
                f"{tuple(figures)}",
                f"fix {extra} (set them in params and leave them out of free), "
                f"or observe more of {FIGURES}",
            )
        )
    d = np.asarray(demand, dtype=float)
    base = patient_flows(cs, d, params)  # checks demand and every needed choice
    names = tuple(figures)
    obs = np.array([figures[n] for n in names])
    sd = np.array([sds[n] for n in names])
    design, available = _design(cs, params)
    weights = _figure_weights(cs, names)
    need = d.T > 0
    scale = np.array([base.kpis()["visits_per_year"] if n in _SHARES else 1.0 for n in names])
    scale[scale == 0] = 1.0
    x0 = np.array([getattr(params, k) for k in free], dtype=float)

    def _prob(x: np.ndarray) -> np.ndarray:
        coef = _with(params, free, x).to_dict()
        return _softmax(_utility(design, available, coef), need)

    def residuals(x: np.ndarray) -> np.ndarray:
        visits = _prob(x) * d.T[:, :, None]
        model = np.array([(visits * weights[n]).sum() for n in names]) / scale
        return (model - obs) / sd

    def jacobian(x: np.ndarray) -> np.ndarray:
        p = _prob(x)
        jac = np.empty((len(names), len(free)))
        means = {k: (p * design[k]).sum(axis=-1) for k in free}
        for r, n in enumerate(names):
            pw = p * weights[n]
            a = pw.sum(axis=-1)
            for c, k in enumerate(free):
                b = (pw * design[k]).sum(axis=-1)
                jac[r, c] = float((d.T * (b - a * means[k])).sum())
        return jac / (scale * sd)[:, None]

    res = least_squares(
        residuals, x0, jac=jacobian, method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12,
        max_nfev=max_nfev,
    )  # fmt: skip
    fitted_params = _with(params, free, res.x)
    std, note = _std_errors(res.jac.T @ res.jac, free)
    kpis = patient_flows(cs, d, fitted_params).kpis()
    fitted = {n: kpis[n] for n in names}
    resid = {n: (fitted[n] - figures[n]) / sds[n] for n in names}
    logger.info("calibrate %s: %s, cost %.3g", free, res.message, res.cost)
    return Calibration(
        params=fitted_params,
        free=free,
        std_errors=std,
        fitted=fitted,
        observed=figures,
        residuals=resid,
        converged=bool(res.success),
        message=f"{res.message} ({res.nfev} evaluations){note}",
    )


def _check_visits(visits: Any, cs: ChoiceSet, available: np.ndarray) -> np.ndarray:
    """The observed visits as a checked (L, Z, F) array."""
    n = np.asarray(visits, dtype=float)
    if n.shape != available.shape:
        raise DataError(
            Problem("fit_flows", "", "visits", f"shape {n.shape}",
                    f"pass visits of shape {available.shape} (levels, zones, facilities)")
        )  # fmt: skip
    if not np.isfinite(n).all() or (n < 0).any():
        raise DataError(
            Problem("fit_flows", "", "visits", "NaN, inf or negative counts", "use counts >= 0")
        )
    impossible = (n > 0) & ~available
    if impossible.any():
        lev, zone, fac = np.nonzero(impossible)
        raise DataError(
            [
                Problem("fit_flows", f"zone {z}, facility {cs.labels()[f]}", CARE_LEVELS[lv],
                        "visits where the facility is ineligible or unreachable",
                        "check the facility's tier, upgrades and the travel times")
                for lv, z, f in zip(lev, zone, fac, strict=True)
            ]
        )  # fmt: skip
    if n.sum() <= 0:
        raise DataError(Problem("fit_flows", "", "visits", "no visits", "pass observed counts"))
    return n


def fit_flows(
    cs: ChoiceSet,
    demand: np.ndarray | None,
    visits: np.ndarray,
    params: ChoiceParams | None = None,
    *,
    free: Iterable[str] = ("beta_time", "grassroots_constant", "outside_constant"),
    maxiter: int = 2000,
) -> Calibration:
    """Fit free choice parameters to observed flows by maximum likelihood.

    Maximises the multinomial log-likelihood of the observed counts given each (level, zone)
    total (see the module docstring); deterministic.

    Parameters
    ----------
    cs : ChoiceSet
    demand : array-like (Z, L) or None
        The need the fitted figures are computed for (:attr:`Calibration.fitted`); None: the
        observed totals, so that counts compare like for like with ``observed``.
    visits : array-like, shape (L, Z, F)
        Observed visit counts (>= 0; none where a facility is ineligible or unreachable).
    params : ChoiceParams, optional
        Start values and the fixed parameters (default :class:`ChoiceParams()`).
    free : iterable of str, default ("beta_time", "grassroots_constant", "outside_constant")
        Parameters to fit, names from :data:`~netopt.flows.COEFFICIENTS`.
    maxiter : int, default 2000
        L-BFGS-B iteration limit.

    Returns
    -------
    Calibration
        ``observed``: the figures of the observed visits; ``fitted``: the model's;
        ``log_likelihood``: the maximum; ``std_errors``: from the inverse information.

    Raises
    ------
    DataError (a ValueError)
        Unknown free names, bad visits (shape, negative, at impossible alternatives).
    """
    params = ChoiceParams() if params is None else params
    free = _check_free(free, "fit_flows")
    design, available = _design(cs, params)
    n = _check_visits(visits, cs, available)
    totals = n.sum(axis=-1)
    need = totals > 0
    seen = n > 0
    x_k = {k: np.broadcast_to(design[k], n.shape) for k in free}
    observed_sum = np.array([(n * x_k[k]).sum() for k in free])
    # Scale each parameter by the spread of its variable so that L-BFGS-B sees unit scales.
    spread = np.array([np.sqrt((n * x_k[k] ** 2).sum() / n.sum()) for k in free])
    spread[~(spread > 0)] = 1.0
    weight = float(n.sum())

    def _fit(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        value = _utility(design, available, _with(params, free, theta).to_dict())
        return value, _softmax(value, need)

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        theta = z / spread
        value, p = _fit(theta)
        top = np.max(value, axis=-1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            log_norm = top[..., 0] + np.log(np.exp(value - top).sum(axis=-1))
        ll = float((n[seen] * (value - log_norm[..., None])[seen]).sum())
        grad = observed_sum - np.array([(totals * (p * x_k[k]).sum(-1)).sum() for k in free])
        return -ll / weight, -grad / spread / weight

    z0 = np.array([getattr(params, k) for k in free], dtype=float) * spread
    res = minimize(
        objective, z0, jac=True, method="L-BFGS-B",
        options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20},
    )  # fmt: skip
    theta = res.x / spread
    fitted_params = _with(params, free, theta)
    _, p = _fit(theta)
    means = {k: (p * x_k[k]).sum(-1) for k in free}
    info = np.empty((len(free), len(free)))
    for a, ka in enumerate(free):
        for b, kb in enumerate(free[a:], start=a):
            cross = (p * x_k[ka] * x_k[kb]).sum(-1) - means[ka] * means[kb]
            info[a, b] = info[b, a] = float((totals * cross).sum())
    std, note = _std_errors(info, free)
    observed = Flows(visits=n, choice_set=cs, demand=totals.T).kpis()
    scale_d = totals.T if demand is None else np.asarray(demand, dtype=float)
    fitted = patient_flows(cs, scale_d, fitted_params).kpis()
    names = FIGURES
    logger.info("fit_flows %s: %s, log-likelihood %.6g", free, res.message, -res.fun * weight)
    return Calibration(
        params=fitted_params,
        free=free,
        std_errors=std,
        fitted={k: fitted[k] for k in names},
        observed={k: observed[k] for k in names},
        residuals={k: fitted[k] - observed[k] for k in names},
        converged=bool(res.success),
        message=f"{res.message} ({res.nit} iterations){note}",
        log_likelihood=-float(res.fun) * weight,
    )
