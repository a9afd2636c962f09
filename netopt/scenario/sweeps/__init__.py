"""Scenario sweeps: one base scenario over a grid of values and variations, each cell a task
on ``dask.distributed`` (or run serially): :func:`sweep`.

One job per module:

* :mod:`~netopt.scenario.sweeps.spec`: the sweep file (:class:`SweepSpec`, :func:`read_sweep`);
* :mod:`~netopt.scenario.sweeps.cells`: its cells (:func:`expand`) and their scenarios
  (:func:`cell_scenario`), every one checked before anything runs;
* :mod:`~netopt.scenario.sweeps.engine`: running them (:func:`run_cells`): a ``LocalCluster``
  with one worker per core by default, or a running scheduler; finished cells kept in
  ``cells/<id>.json`` and reused when the sweep runs again;
* :mod:`~netopt.scenario.sweeps.table`: ``sweep.csv`` / ``sweep.parquet`` (one row per cell
  and KPI) and ``cells.csv``;
* :mod:`~netopt.scenario.sweeps.page`: ``summary.html``.

Command line: ``netopt sweep SWEEP.toml [-o DIR] [--scheduler tcp://HOST:PORT] [--workers N]
[--serial] [--force]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from netopt._atomic import atomic_path
from netopt.scenario.reader import read_chain
from netopt.scenario.sweeps.cells import Cell, cell_scenario, expand
from netopt.scenario.sweeps.engine import CellProgress, run_cell, run_cells
from netopt.scenario.sweeps.page import sweep_page
from netopt.scenario.sweeps.spec import SweepSpec, read_sweep
from netopt.scenario.sweeps.table import cell_table, kpi_table, write_tables

__all__ = [
    "Cell",
    "CellProgress",
    "SweepResult",
    "SweepSpec",
    "cell_scenario",
    "cell_table",
    "expand",
    "kpi_table",
    "read_sweep",
    "run_cell",
    "run_cells",
    "sweep",
    "sweep_page",
]


@dataclass(frozen=True, eq=False)
class SweepResult:
    """What :func:`sweep` did.

    Attributes
    ----------
    spec : SweepSpec
    cells : list of Cell
    records : list of dict
        Each cell's record (``status``, ``kpis``, ``stages``, ``seconds``, ``error``).
    table : pandas.DataFrame
        :func:`kpi_table`: one row per finished cell and KPI.
    folder : pathlib.Path
    files : list of pathlib.Path
    reused : list of str
        Ids of the cells reused from an earlier run.
    """

    spec: SweepSpec
    cells: list[Cell]
    records: list[dict]
    table: pd.DataFrame
    folder: Path
    files: list[Path]
    reused: list[str]

    @property
    def failed(self) -> list[dict]:
        """The records of the cells that ended with an error."""
        return [r for r in self.records if r.get("status") != "done"]


def sweep(
    spec: SweepSpec | str | Path,
    folder: str | Path | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    serial: bool = False,
    force: bool = False,
    progress: CellProgress | None = None,
) -> SweepResult:
    """Run a sweep: every cell's scenario, its tables and its summary page.

    Parameters
    ----------
    spec : SweepSpec, str or pathlib.Path
        The sweep, or its file.
    folder : str or pathlib.Path, optional
        Output folder (default ``maps/sweep-<name>``).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a running ``dask scheduler``; default: a ``LocalCluster``.
    workers : int, optional
        Workers of the local cluster (default: one per core).
    serial : bool, default False
        Run every cell in this process instead (no cluster).
    force : bool, default False
        Run every cell again, finished or not.
    progress : callable, optional
        Called after each cell with (done, total, text).

    Returns
    -------
    SweepResult
        Cells that failed are in ``failed`` (and on the page), never hidden.

    Raises
    ------
    DataError
        A bad sweep file or a cell whose scenario is invalid: before anything runs.

    Examples
    --------
    >>> result = netopt.sweep("geodata/xiangshan/sweeps/leads.toml")  # doctest: +SKIP
    >>> result.table.pivot_table(index="label", columns="kpi", values="value")  # doctest: +SKIP
    """
    spec = spec if isinstance(spec, SweepSpec) else read_sweep(spec)
    folder = Path(folder) if folder is not None else Path("maps") / f"sweep-{spec.name}"
    cells = expand(spec)
    base = read_chain(spec.base)
    scenarios = [cell_scenario(spec, cell, base) for cell in cells]  # all checked first
    records, reused = run_cells(
        cells, scenarios, folder, scheduler=scheduler, workers=workers, serial=serial,
        force=force, progress=progress,
    )  # fmt: skip
    files = write_tables(folder, spec.name, records)
    lang = scenarios[0].page_language() if scenarios else None
    from netopt.maps.text import use_language

    with use_language(lang):
        html = sweep_page(spec, records, reused=len(reused))
    with atomic_path(folder / "summary.html") as tmp:
        tmp.write_text(html, encoding="utf-8")
    files.append(folder / "summary.html")
    return SweepResult(spec, cells, records, kpi_table(spec.name, records), folder, files, reused)
