"""The ``netopt`` command line: parses arguments, calls the library, prints or writes results.

Exit codes: 0 success; 1 invalid input data (:class:`~netopt._errors.DataError`, the
problem list grouped by cause is printed to stderr; when a cause was shortened, the full list
is written to a file in the system temp folder, named in the last line) and command-line
usage errors; 2 infeasible models
(:class:`~netopt._errors.InfeasibleError`); 3 the time limit passed without a solution
(:class:`~netopt._errors.SolverError`) and any other :class:`~netopt._errors.NetoptError`
(one-line message, no traceback).

-v and -q are accepted before and after the subcommand. Without -v, warnings are printed
after the command (after the progress bars), one line per cause with a count and the first
examples, and all of them written to a temp file (:class:`_GroupedWarnings`).

Subcommands register themselves in :data:`COMMANDS` (name -> (add_arguments, run)); to add
``run``, ``compare`` or ``demo``, write an ``_add_<name>(parser)`` and a
``_cmd_<name>(args) -> int`` and add one line to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from netopt._errors import DataError, InfeasibleError, NetoptError, Problem
from netopt._version import __version__
from netopt._warning_groups import WarningGroups

__all__ = [
    "COMMANDS",
    "EXIT_DATA",
    "EXIT_ERROR",
    "EXIT_INFEASIBLE",
    "build_parser",
    "main",
    "solver_overrides",
]

logger = logging.getLogger(__name__)

#: Exit code for invalid input data.
EXIT_DATA = 1
#: Exit code for any other netopt error (including a time limit without a solution).
EXIT_ERROR = 3
#: Exit code for an infeasible model.
EXIT_INFEASIBLE = 2


# ----------------------------------------------------------------------------- validate


def _add_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="folder with region.toml")


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from netopt.alliances import FlowOptions
    from netopt.flows import Observed
    from netopt.io import load_region

    region = load_region(args.folder)
    FlowOptions().resolve(region)  # region.toml [demand] and [choice]: known keys, numbers
    observed = region.flow_table("observed")
    if observed:
        Observed.from_dict(observed, source=f"{args.folder}/region.toml [observed]")
    print(region.summary(), file=out)
    print("OK: no problems found.", file=out)
    return 0


# ----------------------------------------------------------------------------- calibrate


def _add_calibrate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="region folder with region.toml and its [observed] table")
    parser.add_argument(
        "--free",
        nargs="+",
        metavar="PARAM",
        help="choice parameters to fit (default: grassroots_constant outside_constant)",
    )
    parser.add_argument(
        "--write", action="store_true", help="write the fitted [choice] table into region.toml"
    )


def _cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    from netopt.scenario.calibration import (
        DEFAULT_FREE,
        calibrate_region,
        calibration_text,
        choice_toml,
        write_choice,
    )

    result = calibrate_region(args.folder, free=tuple(args.free or DEFAULT_FREE))
    print(calibration_text(result), file=out)
    if args.write:
        print(f"written: {write_choice(args.folder, result)}", file=out)
    else:
        print("\n# for region.toml (or run again with --write):\n" + choice_toml(result), file=out)
    return 0 if result.converged else EXIT_ERROR


# ----------------------------------------------------------------------------- run, compare, demo


def _add_output_options(parser: argparse.ArgumentParser, *, default_out: str) -> None:
    parser.add_argument(
        "-o", "--out", default=default_out, help=f"output folder (default: {default_out})"
    )
    parser.add_argument(
        "--time-limit",
        "--time-limit-s",
        dest="time_limit_s",
        type=float,
        metavar="SECONDS",
        help=(
            "time limit in seconds of every solve, rotations included (overrides [solver] "
            "time_limit_s; see netopt.solve.SolverParams for what it counts in each solver)"
        ),
    )
    parser.add_argument("--seed", type=int, help="solver seed (overrides [solver] seed)")
    parser.add_argument(
        "--workers", type=int, help="CP-SAT search workers (overrides [solver] workers)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON record of the results instead of tables"
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help=(
            "language of the maps, reports and printed summary: en, zh (default: the "
            "scenario's language, else region.toml's, else en)"
        ),
    )


def _add_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario file (.toml)")
    _add_output_options(parser, default_out="maps")


def _names(text: str) -> list[str]:
    """A comma-separated list of scenario names: ``"today,storm"`` -> ``["today", "storm"]``."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected scenario names such as today,storm: {text!r}")
    return names


def _add_comparison_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``compare`` and ``demo``: --force, --reference, --map-scenarios."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="run every scenario even if its saved outputs are current",
    )
    parser.add_argument(
        "--reference",
        metavar="NAME",
        help="scenario the others are measured against (default: the first)",
    )
    parser.add_argument(
        "--map-scenarios",
        type=_names,
        metavar="NAME,NAME",
        help=(
            "the 2 to 4 scenarios compare_map.html shows side by side, in order, e.g. "
            "today,storm (default: the first two)"
        ),
    )


def _add_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario files (.toml)")
    _add_output_options(parser, default_out="maps")
    _add_comparison_options(parser)


def _add_demo(parser: argparse.ArgumentParser) -> None:
    _add_output_options(parser, default_out="maps")
    parser.add_argument(
        "--region",
        default="geodata/xiangshan",
        help="region folder whose scenarios/index.toml lists the demo (default: %(default)s)",
    )
    _add_comparison_options(parser)


def solver_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Return the :class:`~netopt.solve.SolverParams` fields set by ``--time-limit``,
    ``--seed`` and ``--workers`` (only those given).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments of ``run``, ``compare`` or ``demo``.

    Returns
    -------
    dict
        SolverParams field name to value.
    """
    names = (("time_limit_s", "time_limit_s"), ("seed", "seed"), ("workers", "workers"))
    return {
        field: getattr(args, attr) for field, attr in names if getattr(args, attr, None) is not None
    }


def _with_overrides(scenarios: list[Any], args: argparse.Namespace) -> list[Any]:
    """Apply the solver flags to every solve of every scenario (rotations included)."""
    changes = solver_overrides(args)
    if not changes:
        return scenarios
    out = []
    for s in scenarios:
        extra = {}
        if s.rotation_solver is not None:
            extra["rotation_solver"] = s.rotation_solver.replace(**changes)
        out.append(s.replace(solver=s.solver.replace(**changes), **extra))
    return out


def _progress(args: argparse.Namespace, steps: int):
    """A rich progress bar on stderr (disabled by --quiet); returns (context, callback)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=bool(getattr(args, "quiet", False)),
        transient=True,
    )
    task = bar.add_task("starting", total=steps)

    def callback(message: str) -> None:
        bar.update(task, description=message, advance=1)

    return bar, callback


def _steps(scenario: Any) -> int:
    """Progress steps of one scenario run (its model steps plus writing)."""
    from netopt.scenario import STEPS

    return len(STEPS) - (0 if scenario.rotations is not None else 1) + 1


def _language(args: argparse.Namespace) -> Any:
    """The pages' language set by ``--lang`` (netopt.maps.text.use_language; it wins over a
    scenario's and a region's ``language``), or nothing: each scenario's
    :meth:`~netopt.scenario.Scenario.page_language` then decides."""
    from netopt.maps.text import LANGUAGES, use_language

    lang = getattr(args, "lang", None)
    if lang is not None and lang not in LANGUAGES:
        raise DataError(Problem("--lang", "", "lang", repr(lang), f"use one of {list(LANGUAGES)}"))
    return use_language(lang)


def _cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    import json
    from pathlib import Path

    from netopt.scenario import Scenario, run

    scenario = _with_overrides([Scenario.from_toml(args.scenario)], args)[0]
    out_dir = Path(args.out)
    bar, callback = _progress(args, _steps(scenario))
    with bar, _language(args):
        result = run(scenario, cache_dir=out_dir / ".cache", progress=callback)
        callback(f"{scenario.name}: write outputs")
        folder = result.to_folder(out_dir / scenario.name)
        summary = result.record()  # its language: --lang, else the scenario's or region's
    if args.json:
        print(
            json.dumps({**summary, "folder": str(folder)}, indent=2, ensure_ascii=False), file=out
        )
    elif not getattr(args, "quiet", False):
        from netopt._cli_summary import print_run

        print_run(summary, folder, out)
    return 0


def _compare_scenarios(scenarios: list[Any], args: argparse.Namespace, out: TextIO) -> int:
    import json

    from netopt.scenario import run_and_compare

    scenarios = _with_overrides(scenarios, args)
    bar, callback = _progress(args, sum(_steps(s) for s in scenarios) + 1)
    with bar, _language(args):
        comparison = run_and_compare(
            scenarios,
            args.out,
            force=args.force,
            progress=callback,
            reference=args.reference,
            map_scenarios=args.map_scenarios,
        )
    if args.json:
        record = {
            "scenarios": comparison.records,
            "folders": {k: str(v) for k, v in comparison.folders.items()},
            "reused": list(comparison.reused),
            "files": [str(f) for f in comparison.files],
        }
        print(json.dumps(record, indent=2, ensure_ascii=False), file=out)
    elif not getattr(args, "quiet", False):
        from netopt._cli_summary import print_comparison

        print_comparison(comparison, out)
    return 0


def _cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from netopt.scenario import read_scenarios

    return _compare_scenarios(read_scenarios(args.scenarios), args, out)


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from netopt.scenario import demo_scenarios

    return _compare_scenarios(demo_scenarios(args.region), args, out)


def _add_sweep(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sweep", help="sweep file (.toml): a base scenario, [grid], [[variations]]")
    parser.add_argument("-o", "--out", help="output folder (default: maps/sweep-<name>)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="a running dask scheduler (default: a local cluster)")  # fmt: skip
    parser.add_argument("--workers", type=int, metavar="N",
                        help="workers of the local cluster (default: one per core)")  # fmt: skip
    parser.add_argument("--serial", action="store_true",
                        help="run the cells one after another in this process")  # fmt: skip
    parser.add_argument("--force", action="store_true",
                        help="run every cell again, even the finished ones")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print a JSON record instead")


#: KPIs the sweep table prints beside each cell (when the runs have them).
_SWEEP_COLUMNS = ("mean_lead_min", "share_lead_60min", "patient_hours_per_year", "cost_total_yuan")


def _cmd_sweep(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from netopt.kpis import kpi_info
    from netopt.report import format_value
    from netopt.scenario import read_sweep, sweep
    from netopt.scenario.sweeps import expand

    spec = read_sweep(args.sweep)
    bar = Progress(TextColumn("{task.description:<30}"), BarColumn(), MofNCompleteColumn(),
                   console=Console(stderr=True), disable=bool(getattr(args, "quiet", False)),
                   transient=True)  # fmt: skip
    task = bar.add_task(f"sweep {spec.name}", total=len(expand(spec)))

    def callback(done: int, total: int, text: str) -> None:
        bar.update(task, completed=done, description=text)

    with bar:
        result = sweep(spec, args.out, scheduler=args.scheduler, workers=args.workers,
                       serial=args.serial, force=args.force, progress=callback)  # fmt: skip
    if args.json:
        doc = {"sweep": spec.name, "folder": str(result.folder), "cells": len(result.cells),
               "failed": len(result.failed), "reused": len(result.reused),
               "files": [str(f) for f in result.files]}  # fmt: skip
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
    elif not getattr(args, "quiet", False):
        shown = [k for k in _SWEEP_COLUMNS if k in set(result.table["kpi"])]
        print(f"sweep {spec.name}: {len(result.cells)} cells, {len(result.failed)} failed, "
              f"{len(result.reused)} reused -> {result.folder}", file=out)  # fmt: skip
        head = ["cell", "changes", "status", "s"] + [kpi_info(k).label for k in shown]
        rows = [head]
        for r in result.records:
            values = [format_value(r["kpis"].get(k), kpi_info(k).unit) for k in shown]
            rows.append([r["name"], r["label"], r["status"], f"{r['seconds']:.1f}", *values])
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
        for row in rows:
            print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)), file=out)
        print(f"summary page: {result.folder / 'summary.html'}", file=out)
    for r in result.failed:
        logger.error("sweep cell %s (%s) failed: %s", r["name"], r["label"], r.get("error"))
    return EXIT_DATA if result.failed else 0


# Subcommand registry: name -> (help, add_arguments, run). Other subcommands
# (run, compare, demo) are added here.
COMMANDS: dict[
    str,
    tuple[
        str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace, TextIO], int]
    ],
] = {
    "validate": ("check a region folder and print a summary", _add_validate, _cmd_validate),
    "calibrate": (
        "fit the patient-choice model to the region's observed shares",
        _add_calibrate,
        _cmd_calibrate,
    ),
    "run": ("run one scenario file and write its outputs", _add_run, _cmd_run),
    "compare": ("run (or reuse) scenarios and compare their KPIs", _add_compare, _cmd_compare),
    "demo": ("run the shipped Xiangshan scenarios and their comparison", _add_demo, _cmd_demo),
    "sweep": ("run a grid of scenario variations on a dask cluster", _add_sweep, _cmd_sweep),
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with :data:`EXIT_DATA` (bad input), so
    exit code 2 means only "infeasible"."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_DATA, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand of :data:`COMMANDS`.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = _Parser(
        prog="netopt",
        description="Plan hospital alliances on travel-time graphs with roads and ferries.",
    )
    parser.add_argument("--version", action="version", version=f"netopt {__version__}")
    _add_verbosity(parser, default=True)
    # -v and -q are also accepted after the subcommand (SUPPRESS: absent there, the global
    # value stands)
    after = argparse.ArgumentParser(add_help=False)
    _add_verbosity(after, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, add_arguments, _run) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text, parents=[after]))
    return parser


def _add_verbosity(parser: argparse.ArgumentParser, *, default: bool) -> None:
    """Add -v (more log output, repeatable) and -q (no progress bars or tables, only errors)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if default else argparse.SUPPRESS,
        help="more log output: -v every warning and info, -vv debug",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False if default else argparse.SUPPRESS,
        help="no progress bars or tables, only errors",
    )


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    out, err : text streams, optional
        Where results and errors are printed (default: stdout and stderr).

    Returns
    -------
    int
        0 on success, :data:`EXIT_DATA` for invalid data, :data:`EXIT_ERROR` for other
        netopt errors; usage errors exit with :data:`EXIT_DATA` through ``SystemExit``.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    level = (
        logging.ERROR
        if args.quiet
        else (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    )
    # Without -v, warnings wait for the end of the command (no line breaks into the progress
    # bars) and repeated causes print as one line each (_GroupedWarnings).
    handler = logging.StreamHandler(err) if args.verbose or args.quiet else _GroupedWarnings(err)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler.setLevel(level)  # a run lets its warnings through for its report (-q: not here)
    package_logger = logging.getLogger("netopt")
    old_level = package_logger.level
    package_logger.addHandler(handler)
    package_logger.setLevel(level)
    run = COMMANDS[args.command][2]
    try:
        with _warnings_to(handler):
            return run(args, out)
    except DataError as exc:
        print(str(exc), file=err)
        if exc.shortened:
            path = _write_problems(exc)
            print(f"full list of {len(exc.problems):,} problems: {path}", file=err)
        return EXIT_DATA
    except FileNotFoundError as exc:
        print(f"netopt {args.command}: {exc}", file=err)
        return EXIT_DATA
    except InfeasibleError as exc:
        print(f"netopt {args.command}: infeasible: {exc}", file=err)
        return EXIT_INFEASIBLE
    except NetoptError as exc:
        print(f"netopt {args.command}: {exc}", file=err)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `netopt validate ... | head`: the reader has gone
        # Point stdout at /dev/null so the interpreter's final flush does not fail again
        # (the recipe in the Python docs on SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        package_logger.removeHandler(handler)
        package_logger.setLevel(old_level)
        if isinstance(handler, _GroupedWarnings):
            handler.summarise()


_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class _GroupedWarnings(WarningGroups):
    """The CLI's log handler without -v: one line per warning cause, printed at the end.

    Errors print at once. Warnings (log records, and ``warnings.warn`` warnings such as
    :class:`~netopt._errors.NetoptWarning`, see :func:`_warnings_to`) are held until
    :meth:`summarise` (after the progress bars are gone) and grouped by cause
    (:class:`netopt._warning_groups.WarningGroups`): a cause seen more than
    :data:`~netopt._warning_groups.EXAMPLES` times prints its count and the first examples;
    every warning is then written to a file in the system temp folder, named in the last line.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        """Print an error now; hold a warning under its cause."""
        if record.levelno >= logging.ERROR:
            self.stream.write(self.format(record) + "\n")
            return
        super().emit(record)

    def summarise(self) -> None:
        """Print one line per cause (count and first examples); the full list to a file."""
        for group in self.groups():
            self.stream.write(f"{group['level']} {group['logger']}: {group['text']}\n")
        if self.shortened:
            self.stream.write(f"every warning: {self._write_all()}\n")
        self.causes.clear()

    def _write_all(self) -> str:
        import tempfile

        fd, path = tempfile.mkstemp(prefix="netopt-warnings-", suffix=".log", text=True)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(self.format(r) + "\n" for r in self.records())
        return path


@contextlib.contextmanager
def _warnings_to(handler: logging.Handler) -> Iterator[None]:
    """Send ``warnings.warn`` warnings of netopt (NetoptWarning) to ``handler`` for the block:
    grouped like the log's warnings without -v, one line each with -v."""
    from netopt._errors import NetoptWarning

    def show(message: Any, category: type[Warning], filename: str, lineno: int, *_: Any) -> None:
        where = f"{filename}:{lineno}"
        if isinstance(handler, WarningGroups):
            handler.add_warning(message, category, where)
        else:
            handler.handle(
                logging.LogRecord(
                    category.__name__, logging.WARNING, where, lineno, str(message), None, None
                )
            )

    with warnings.catch_warnings():
        warnings.filterwarnings("always", category=NetoptWarning)
        original = warnings.showwarning
        warnings.showwarning = show
        try:
            yield
        finally:
            warnings.showwarning = original


def _write_problems(exc: DataError) -> str:
    """Write every problem, one a line, to a new file in the system temp folder; return its path."""
    import tempfile

    fd, path = tempfile.mkstemp(prefix="netopt-problems-", suffix=".txt", text=True)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(exc.full_text())
    return path


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
