"""``yaml document``: turn CLI parameters into options, run the pipeline, report, and write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from dbt_osmosis.core.document import DocumentOptions, DocumentPlan, plan_document, write_changes
from dbt_osmosis.core.inheritance import DEFAULT_PLACEHOLDERS
from dbt_osmosis.core.project import ProjectOptions, load_project

__all__ = ["document_options", "run_document"]


def document_options(params: dict[str, Any]) -> DocumentOptions:
    """The pipeline options for the CLI parameters of ``yaml document``."""
    return DocumentOptions(
        models=tuple(params["models"]),
        fqn=tuple(params["fqn"]),
        catalog_path=params["catalog_path"],
        disable_introspection=params["disable_introspection"],
        force_inherit_descriptions=params["force_inherit_descriptions"],
        skip_add_columns=params["skip_add_columns"],
        skip_add_source_columns=params["skip_add_source_columns"],
        skip_add_tags=params["skip_add_tags"],
        skip_merge_meta=params["skip_merge_meta"],
        skip_add_data_types=params["skip_add_data_types"],
        add_progenitor_to_meta=params["add_progenitor_to_meta"],
        output_to_lower=params["output_to_lower"],
        remove_stale_columns=params["remove_stale_columns"],
        placeholders=(*DEFAULT_PLACEHOLDERS, *params["placeholders"]),
    )


def run_document(params: dict[str, Any], console: Console) -> int:
    """Run ``yaml document``; return the exit code (1 only for ``--check`` with pending changes)."""
    project = load_project(
        ProjectOptions(
            project_dir=Path(params["project_dir"]),
            profiles_dir=params["profiles_dir"],
            target=params["target"],
            threads=params["threads"],
            vars=params["vars"],
        )
    )
    plan = plan_document(project, document_options(params))
    report(plan, console)
    changed = plan.changed_files()
    if params["check"]:
        if changed:
            console.print(
                f"{len(changed)} file(s) would change; run `dbt-osmosis yaml document` to update them."
            )
            return 1
        console.print("All YAML is up to date.")
        return 0
    if params["dry_run"]:
        console.print(f"Dry run: {len(changed)} file(s) would change; nothing written.")
        return 0
    written = write_changes(plan)
    console.print(f"Wrote {len(written)} file(s)." if written else "Nothing to change.")
    return 0


def report(plan: DocumentPlan, console: Console) -> None:
    """Print what the run did per file, then the warnings, then timings at debug level."""
    by_path: dict[str, list[str]] = {}
    for change in plan.changes:
        by_path.setdefault(change.path, []).append(f"{change.node}: {change.what}")
    for path in sorted(by_path):
        console.print(f"[bold]{escape(path)}[/bold]")
        for line in by_path[path]:
            console.print(f"  {escape(line)}", soft_wrap=True)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
