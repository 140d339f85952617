"""``analyze docs``: run the API call and show its report as a table, JSON or Markdown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dbt_osmosis.cli import options
from dbt_osmosis.core.errors import UsageError
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis.core.analyze import Coverage, DocsReport

__all__ = ["markdown_report", "run_analyze_docs"]


def run_analyze_docs(params: Mapping[str, Any], console: Console) -> ExitCode:
    """``analyze docs``: 0 passes, 1 under the threshold or with gaps, 3 anchored entries."""
    from dbt_osmosis import api

    report = api.analyze_docs(options.analyze_docs_run(params))
    kind, output = params["report_format"], params["output"]
    if kind == "table" and output is None:
        _print_table(report, console)
    else:
        text = json.dumps(report.as_dict(), indent=2) + "\n" if kind == "json" else markdown_report(report)
        if kind == "table":
            text = _plain_text(report)
        if output is None:
            console.out(text, end="", highlight=False)
        else:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"--output {output}: cannot write the report ({exc.strerror}).") from exc
            console.print(f"Wrote the documentation report to {escape(str(output))}.")
    for reason in report.failed:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]failed:[/red] {escape(reason)}")
    return report.exit_code


def _figures(coverage: Coverage) -> list[str]:
    return [
        f"{coverage.models_documented}/{coverage.models}",
        f"{coverage.columns_documented}/{coverage.columns}",
        f"{coverage.column_coverage:.1f}%" if coverage.columns else "-",
        str(coverage.model_written),
        str(coverage.unreviewed),
        str(coverage.edited),
    ]


_HEADERS = ["", "models", "columns", "coverage", "by LLM", "unreviewed", "edited"]


def _rows(report: DocsReport) -> list[list[str]]:
    rows = [[m.name, *_figures(m.coverage)] for m in report.models]
    rows += [[f"{folder}/", *_figures(figures)] for folder, figures in report.folders.items()]
    rows.append(["total", *_figures(report.total)])
    return rows


def _print_table(report: DocsReport, console: Console) -> None:
    table = Table(title="Documentation coverage", title_justify="left", box=box.SIMPLE_HEAD)
    # A narrow terminal (or a CI log, 80 columns) folds long names instead of cutting them.
    rows = _rows(report)
    longest = max((len(row[0]) for row in rows), default=0)
    table.add_column("", justify="left", overflow="fold", min_width=min(longest, 32))
    for header in _HEADERS[1:]:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    for gap in report.gaps:
        where = f"{gap.model}.{gap.column}" if gap.column else gap.model
        console.print(f"gap: {escape(where)}: {escape(gap.reason)}", soft_wrap=True)


def _plain_text(report: DocsReport) -> str:
    lines = ["\t".join(["name", *_HEADERS[1:]])]
    lines += ["\t".join(row) for row in _rows(report)]
    lines += [f"gap\t{g.model}\t{g.column}\t{g.reason}" for g in report.gaps]
    return "\n".join(lines) + "\n"


def markdown_report(report: DocsReport) -> str:
    """The report as a Markdown table and a gap list, readable as a pull-request comment."""
    total = report.total
    lines = [
        "### Documentation coverage",
        "",
        f"**{total.column_coverage:.1f}%** of columns and {total.models_documented} of {total.models} "
        f"models documented; {total.model_written} text(s) written by a model, {total.unreviewed} "
        "still unreviewed.",
        "",
        "| " + " | ".join(["name", *_HEADERS[1:]]) + " |",
        "|" + "---|" * len(_HEADERS),
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(report)]
    if report.gaps:
        lines += ["", f"<details><summary>{len(report.gaps)} gap(s)</summary>", ""]
        lines += [f"- `{g.model}{'.' + g.column if g.column else ''}`: {g.reason}" for g in report.gaps]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
