"""The command line's summaries: a run's KPI table and a comparison's, in the pages' language.

:func:`print_run` and :func:`print_comparison` print rich tables whose headers, KPI labels,
stage texts, verdicts and headline lines come from the message catalogue
(:mod:`netopt.maps.text`), in the language the run's pages were written in (the record's
``language``: ``--lang``, else the scenario's, else the region's).
"""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ["print_comparison", "print_run"]


def print_run(summary: dict[str, Any], folder: Any, out: TextIO) -> None:
    """Print one scenario's KPIs against the baseline as a rich table, in the language of
    its pages (the record's ``language``)."""
    from rich.console import Console
    from rich.table import Table

    from netopt.kpis import kpis_in
    from netopt.maps.notes_report import display_name
    from netopt.maps.text import use_language
    from netopt.report import format_value
    from netopt.solve.status import STAGE_LABELS

    defs = summary["definitions"]
    with use_language(summary.get("language") or "en"):
        table = Table(title=f"{summary['title']} ({summary['scenario']})")
        table.add_column(_say("cli.kpi"))
        table.add_column(_say("cli.this_plan"), justify="right")
        table.add_column(_say("cli.baseline"), justify="right")
        keys = [k.key for k in kpis_in("headline") if k.key in summary["kpis"]]
        keys += [k for k in ("expert_days", "patient_hours_saved") if k in summary["kpis"]]
        for k in keys:
            unit = defs.get(k, {}).get("unit", "")
            table.add_row(
                _said(defs.get(k, {}).get("label", k)),
                format_value(summary["kpis"][k], unit),
                format_value(summary["baseline"].get(k), unit) if k in summary["baseline"] else "",
            )
        console = Console(file=out, width=110)
        console.print(table)
        leads = ", ".join(f"{display_name(x)} ({x['id']})" for x in summary["leads"])
        console.print(_say("cli.leads", leads=leads), markup=False)
        for key, stage in summary["stages"].items():
            if stage is not None:
                console.print(_said(f"{STAGE_LABELS[key]}: {stage['text']}"), markup=False)
        for note in summary.get("notes", summary.get("messages", [])):
            console.print(_say("cli.note", text=_note(note)), markup=False)
        console.print(_say("cli.outputs", folder=str(folder)), markup=False)


def _say(key: str, **fields: str) -> str:
    """The catalogue's text for ``key`` in the language in use, as plain text."""
    import html

    from netopt.maps.text import message

    return html.unescape(message(key, **{k: html.escape(v) for k, v in fields.items()}))


def _said(text: str) -> str:
    """English text (a KPI label, a stage, a verdict) in the language in use."""
    from netopt.maps.text import translate

    return translate(text)


def _note(note: Any) -> str:
    """A plan note (kpis.json ``notes``) in the language in use."""
    from netopt.maps.text import note_text

    return note_text(note)


def print_comparison(comparison: Any, out: TextIO) -> None:
    """Print the side-by-side KPI table of a comparison, in the language of its pages (the
    first record's ``language``)."""
    import math

    from rich.console import Console
    from rich.table import Table

    from netopt.maps.text import use_language
    from netopt.report import format_change, format_value
    from netopt.scenario import compare_stages

    frame = comparison.table
    names = [s["scenario"] for s in comparison.records]

    def cell(row: Any, name: str) -> str:
        """The value, then its change from the reference and the verdict: 25.6 (+2.3, worse)."""
        unit = str(row["unit"])
        text = format_value(row[name], unit)
        change = row.get(f"change_{name}")
        if change is None or not math.isfinite(change):  # the reference, or a value missing
            return text
        verdict = str(row.get(f"verdict_{name}", "") or "")
        note = format_change(change, unit) + (f", {_said(verdict)}" if verdict else "")
        return f"{text} ({note})"

    lang = (comparison.records[0].get("language") if comparison.records else None) or "en"
    with use_language(lang):
        reference = [n for n in names if f"change_{n}" not in frame.columns]
        one = len(reference) == 1 and len(names) > 1
        table = Table(
            title=_say("cli.against", name=reference[0]) if one else _said("Scenario comparison")
        )
        table.add_column(_say("cli.kpi"))
        for n in names:
            table.add_column(n, justify="right")
        stages = compare_stages(comparison.records)
        for key, stage in stages.iterrows():
            if key == "location" or any(s["stages"].get(key) for s in comparison.records):
                table.add_row(
                    _said(f"{stage['label']}: status"), *[_said(str(stage[n])) for n in names]
                )
        for key, row in frame.iterrows():
            if key in ("solver_seconds", "rotation_seconds"):
                continue
            table.add_row(_said(str(row["label"])), *[cell(row, n) for n in names])
        console = Console(file=out, width=max(110, 48 + 28 * len(names)))
        console.print(table)
        if comparison.reused:
            console.print(_say("cli.reused", names=", ".join(comparison.reused)), markup=False)
        files = ", ".join(str(f) for f in comparison.files)
        console.print(_say("cli.wrote", files=files), markup=False)
