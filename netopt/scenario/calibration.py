"""Calibrating the choice model of a region: :func:`calibrate_region` (``netopt calibrate``).

The region's reported figures (region.toml ``[observed]``: the share of visits inside the
county, at grassroots level, transfers out of the county) are matched by the flows of today's
alliances (``facilities.alliance``, evaluated as they are; without any, every lead-capable
hospital inside the area leads the zones nearest to it) on the network as it normally runs, by fitting the free coefficients of :class:`netopt.flows.ChoiceParams` with
:func:`netopt.flows.calibrate`. The result says the fitted figures, the residuals and the
parameters with their standard errors, and gives the ``[choice]`` table to paste into (or
with ``--write``, to write into) region.toml.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from pathlib import Path

from netopt._atomic import atomic_path
from netopt._errors import DataError, Problem
from netopt.alliances import AllianceOptions, plan_alliances
from netopt.alliances.area import facilities_in_area
from netopt.flows import Calibration, Observed, calibrate, zone_demand
from netopt.graph import GraphOptions, build_graph
from netopt.io import load_region
from netopt.region import Region
from netopt.solve import SolverParams

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_FREE", "calibrate_region", "calibration_text", "choice_toml", "write_choice"]

#: The coefficients fitted by default: one per figure a county usually reports.
DEFAULT_FREE: tuple[str, ...] = ("grassroots_constant", "outside_constant")


def _toml_name(region: Region) -> str:
    return str(region.source / "region.toml") if region.source is not None else "region.toml"


def _today(region: Region) -> AllianceOptions:
    """Today's alliances as they are; without any in the data, every lead-capable hospital
    inside the area leads the zones nearest to it (logged)."""
    if region.facilities["alliance"].notna().any():
        return AllianceOptions(evaluate_only=True)
    inside = region.facilities.index[
        region.facilities["can_lead"].astype(bool) & facilities_in_area(region)
    ]
    logger.warning(
        "%s records no current alliances (facilities column alliance): calibrating with "
        "every lead-capable hospital inside the area as a lead (%s)",
        region.name,
        ", ".join(inside),
    )
    return AllianceOptions(fixed_leads=tuple(inside), capacities=False, max_travel_min=math.inf)


def calibrate_region(
    region: Region | str | Path,
    *,
    free: Iterable[str] = DEFAULT_FREE,
    observed: Observed | None = None,
    graph: GraphOptions = GraphOptions(),
    params: SolverParams = SolverParams(),
) -> Calibration:
    """Fit the region's choice parameters to its observed figures.

    Parameters
    ----------
    region : Region or path
        The region (or its folder).
    free : iterable of str, default :data:`DEFAULT_FREE`
        Coefficients to fit; the others keep the region's ``[choice]`` values (or the
        package defaults).
    observed : netopt.flows.Observed, optional
        The figures to match (default: region.toml ``[observed]``).
    graph : GraphOptions, default GraphOptions()
        The network (as it normally runs).
    params : SolverParams, default SolverParams()
        For evaluating today's alliances.

    Returns
    -------
    netopt.flows.Calibration
        Its ``params`` are the full choice parameters with the fitted values.

    Raises
    ------
    DataError
        No ``[observed]`` figures, bad ones, or more free parameters than figures.
    """
    if not isinstance(region, Region):
        region = load_region(region)
    toml = _toml_name(region)
    if observed is None:
        table = region.flow_table("observed")
        if not table:
            raise DataError(
                [
                    Problem(
                        toml,
                        "[observed]",
                        "in_area_share",
                        "no observed figures",
                        "add an [observed] table, e.g. in_area_share = 0.92 and "
                        "grassroots_share = 0.674 (the county's reported shares)",
                    )
                ]
            )
        observed = Observed.from_dict(table, source=f"{toml} [observed]")
    travel = build_graph(region, options=graph)
    plan = plan_alliances(region, travel, options=_today(region), params=params, name="today")
    demand = zone_demand(plan.zones["population"].to_numpy(float), plan.demand)
    return calibrate(plan.choice, demand, observed, plan.choice_params, free=free)


def calibration_text(result: Calibration) -> str:
    """The calibration as lines for a terminal: figures, then parameters with std errors.

    Parameters
    ----------
    result : netopt.flows.Calibration

    Returns
    -------
    str
    """
    lines = [f"{'figure':<26}{'observed':>12}{'fitted':>12}{'residual (sd)':>16}"]
    for key, obs in result.observed.items():
        fit = result.fitted.get(key, float("nan"))
        res = result.residuals.get(key, float("nan"))
        share = key.endswith("_share")
        fmt = (lambda v: f"{v:.2%}") if share else (lambda v: f"{v:,.0f}")
        lines.append(f"{key:<26}{fmt(obs):>12}{fmt(fit):>12}{res:>16.2f}")
    lines.append("")
    lines.append(f"{'parameter':<26}{'value':>12}{'std error':>12}")
    for key in result.free:
        value = float(getattr(result.params, key))
        lines.append(f"{key:<26}{value:>12.4f}{result.std_errors.get(key, float('nan')):>12.4f}")
    status = "converged" if result.converged else "NOT converged"
    lines.append(f"{status}: {result.message}".rstrip(": "))
    return "\n".join(lines)


def choice_toml(result: Calibration) -> str:
    """The ``[choice]`` table of region.toml with the calibrated parameters.

    Parameters
    ----------
    result : netopt.flows.Calibration

    Returns
    -------
    str
    """
    lines = ["[choice]"]
    for key, value in result.params.to_dict().items():
        note = ""
        if key in result.free:
            note = f"  # calibrated, std error {result.std_errors.get(key, float('nan')):.4f}"
        lines.append(f"{key} = {float(value)!r}{note}")
    return "\n".join(lines) + "\n"


def write_choice(folder: str | Path, result: Calibration) -> Path:
    """Write the calibrated ``[choice]`` table into a region's region.toml (atomically).

    An existing ``[choice]`` table is replaced (up to the next table header); otherwise the
    table is appended. Everything else in the file stays as it is.

    Parameters
    ----------
    folder : str or pathlib.Path
        The region folder.
    result : netopt.flows.Calibration

    Returns
    -------
    pathlib.Path
        The region.toml written.
    """
    path = Path(folder) / "region.toml"
    text = path.read_text(encoding="utf-8")
    table = choice_toml(result)
    pattern = re.compile(r"^\[choice\][^\n]*\n(?:(?!\[)[^\n]*\n?)*", re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(table + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + table
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return path
