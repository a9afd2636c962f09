"""Scenarios: one planning question as a TOML file, run end to end into a folder of outputs.

One job per module:

- :mod:`~netopt.scenario.options`: :class:`Modifiers` and :class:`NewLink`, the changes to
  the travel network (the other option objects belong to the planners).
- :mod:`~netopt.scenario.reader`: the TOML format, ``extends`` chains, every problem at once.
- :mod:`~netopt.scenario.spec`: the frozen :class:`Scenario`.
- :mod:`~netopt.scenario.runner`: :func:`run`, :func:`run_all` and the :class:`Result`.
- :mod:`~netopt.scenario.outputs`: the output folder and its ``kpis.json`` record.
- :mod:`~netopt.scenario.comparison`: :func:`compare`, :func:`compare_stages`,
  :func:`write_comparison` (KPIs against a reference, the stage statuses, the files).
- :mod:`~netopt.scenario.excel`: :func:`run_workbook`, :func:`comparison_workbook` (the
  Excel workbooks of a run and of a comparison).
- :mod:`~netopt.scenario.studies`: :func:`run_and_compare`, :func:`demo_scenarios`.
- :mod:`~netopt.scenario.sweeps`: :func:`sweep` (a grid of variations of one scenario, its
  cells as tasks on ``dask.distributed``).
"""

from netopt.scenario.comparison import compare, compare_stages, write_comparison
from netopt.scenario.excel import comparison_workbook, run_workbook
from netopt.scenario.options import Modifiers, NewLink
from netopt.scenario.outputs import OUTPUT_FILES, RECORD_KEYS, is_current, load_record
from netopt.scenario.reader import deep_merge
from netopt.scenario.runner import STEPS, Result, Session, apply_modifiers, run, run_all
from netopt.scenario.spec import Scenario, read_scenarios
from netopt.scenario.studies import Comparison, demo_scenarios, run_and_compare
from netopt.scenario.sweeps import SweepResult, SweepSpec, read_sweep, sweep

__all__ = [
    "OUTPUT_FILES",
    "RECORD_KEYS",
    "STEPS",
    "Comparison",
    "Modifiers",
    "NewLink",
    "Result",
    "Scenario",
    "Session",
    "SweepResult",
    "SweepSpec",
    "apply_modifiers",
    "compare",
    "compare_stages",
    "comparison_workbook",
    "deep_merge",
    "demo_scenarios",
    "is_current",
    "load_record",
    "read_scenarios",
    "read_sweep",
    "run",
    "run_all",
    "run_and_compare",
    "run_workbook",
    "sweep",
    "write_comparison",
]
