"""Running a sweep's cells, serially or as tasks on ``dask.distributed``: :func:`run_cells`.

Each cell is one :func:`netopt.scenario.run` of its scenario (:func:`run_cell`). In a worker
process the regions and base travel graphs are kept in one
:class:`~netopt.scenario.Session` for every cell the worker runs, and the travel-time
matrices in the sweep's cache folder (shared by all workers), so each region's graph and
matrices are built once per worker. A finished cell is written at once to
``cells/<id>.json`` (atomically); a sweep started again reuses every cell whose scenario is
unchanged (same netopt version, same scenario tables), so an interrupted sweep resumes.
Results do not depend on where a cell ran: the same seed gives the same KPIs serially and
on a cluster (the solvers' deterministic modes).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from netopt._atomic import atomic_path
from netopt._errors import NetoptError
from netopt._version import __version__
from netopt.scenario.runner import Session, run
from netopt.scenario.spec import Scenario
from netopt.scenario.sweeps.cells import Cell

__all__ = ["CellProgress", "run_cell", "run_cells", "scenario_hash"]

logger = logging.getLogger(__name__)

#: Called after each cell: (cells done, cells in all, the cell's name and status).
CellProgress = Callable[[int, int, str], None]

_SESSION: Session | None = None  # one per process: the regions and graphs of its cells


def _session() -> Session:
    global _SESSION
    if _SESSION is None:
        _SESSION = Session()
    return _SESSION


def scenario_hash(scenario: Scenario) -> str:
    """A hash of a scenario's tables (:meth:`~netopt.scenario.Scenario.to_dict`) and the
    netopt version: a finished cell is reused only when both are unchanged."""
    text = json.dumps([__version__, scenario.to_dict()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _worker(scenario: Scenario, cache_dir: str) -> dict[str, Any]:
    """:func:`run_cell` in a dask worker: the planners' warnings stay out of the worker's
    stderr (Python prints unhandled warnings there; they are the runs' messages and
    warnings, kept in each cell's record)."""
    log = logging.getLogger("netopt")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return run_cell(scenario, cache_dir)


def run_cell(scenario: Scenario, cache_dir: str | None = None) -> dict[str, Any]:
    """Run one cell's scenario and return its record (never raises on bad input).

    Parameters
    ----------
    scenario : Scenario
    cache_dir : str, optional
        The travel-time cache shared by the cells.

    Returns
    -------
    dict
        ``status`` ("done", or "error" with ``error``: a DataError, an infeasible model, a
        solver that found nothing, or a bug, named with its type), ``kpis``, ``stages``
        (status, objective, bound, gap of each solve), ``messages`` and ``warnings`` (as in
        ``kpis.json``), ``seconds``, ``pid`` (the process that ran it).
    """
    start = time.perf_counter()
    out: dict[str, Any] = {"pid": os.getpid()}
    try:
        result = run(scenario, cache_dir=cache_dir, session=_session())
        record = result.record()
        out.update(status="done", kpis={k: float(v) for k, v in result.kpis.items()},
                   stages=record.get("stages", {}), messages=record.get("messages", []),
                   warnings=record.get("warnings", []))  # fmt: skip
    except NetoptError as err:
        out.update(status="error", error=f"{type(err).__name__}: {err}", kpis={})
    except Exception as err:  # a bug in one cell must not lose the others: reported
        logger.exception("sweep cell %s failed", scenario.name)
        out.update(status="error", error=f"{type(err).__name__} (a bug): {err}", kpis={})
    out["seconds"] = time.perf_counter() - start
    return out


def _record_path(folder: Path, cell: Cell) -> Path:
    return folder / "cells" / f"{cell.id}.json"


def _finished(folder: Path, cell: Cell, digest: str) -> dict[str, Any] | None:
    """The cell's record if it finished with this scenario."""
    path = _record_path(folder, cell)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = record.get("status") == "done" and record.get("scenario_hash") == digest
    return record if ok else None


def _keep(folder: Path, cell: Cell, digest: str, out: dict[str, Any]) -> dict[str, Any]:
    record = {
        "cell": cell.id, "index": cell.index, "name": cell.name, "variation": cell.variation,
        "label": cell.label, "changes": cell.changes, "grid_keys": list(cell.grid_keys),
        "scenario_hash": digest, "netopt": __version__, **out,
    }  # fmt: skip
    path = _record_path(folder, cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
    return record


def run_cells(
    cells: Sequence[Cell],
    scenarios: Sequence[Scenario],
    folder: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    serial: bool = False,
    force: bool = False,
    progress: CellProgress | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Run the cells not yet finished; return every cell's record and the reused ids.

    Parameters
    ----------
    cells, scenarios : sequence
        The cells and their scenarios (:func:`~netopt.scenario.sweeps.cells.cell_scenario`).
    folder : str or pathlib.Path
        The sweep's output folder (``cells/``, ``.cache/``).
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler (``tcp://HOST:PORT``).
    workers : int, optional
        Workers of the local cluster (default: one per core); with ``serial`` ignored.
    serial : bool, default False
        Run in this process, one cell after another (no cluster).
    force : bool, default False
        Run every cell, finished or not.
    progress : callable, optional
        :data:`CellProgress`.

    Returns
    -------
    tuple
        The records in cell order, and the ids of the cells reused.
    """
    folder = Path(folder)
    cache = str(folder / ".cache")
    digests = [scenario_hash(s) for s in scenarios]
    records: dict[int, dict[str, Any]] = {}
    for cell, digest in zip(cells, digests, strict=True):
        old = None if force else _finished(folder, cell, digest)
        if old is not None:
            records[cell.index] = old
    reused = [cells[i].id for i in records]
    todo = [i for i in range(len(cells)) if i not in records]
    total, done = len(cells), len(records)

    def finish(i: int, out: dict[str, Any]) -> None:
        nonlocal done
        records[i] = _keep(folder, cells[i], digests[i], out)
        done += 1
        if progress is not None:
            progress(done, total, f"{cells[i].name}: {out['status']}")

    if todo and serial:
        for i in todo:
            finish(i, run_cell(scenarios[i], cache))
    elif todo:
        _on_dask(todo, scenarios, cache, scheduler, workers, finish)
    return [records[i] for i in range(len(cells))], reused


def _on_dask(
    todo: list[int],
    scenarios: Sequence[Scenario],
    cache: str,
    scheduler: str | None,
    workers: int | None,
    finish: Callable[[int, dict[str, Any]], None],
) -> None:
    """Submit each cell as a task; keep each result as it arrives."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)  # fmt: skip
        logger.info("sweep: a local cluster of %d worker(s)", n)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        futures = {
            client.submit(_worker, scenarios[i], cache, pure=False, key=f"cell-{i}-{time.time_ns()}"): i
            for i in todo
        }  # fmt: skip
        for future in as_completed(futures):
            finish(futures[future], future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
