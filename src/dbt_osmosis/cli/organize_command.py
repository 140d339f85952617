"""``yaml organize`` and the organize half of ``yaml refactor``: plan, report, confirm, write."""

from __future__ import annotations

import sys
from typing import Any

import click
import yaml as pyyaml
from rich.console import Console
from rich.markup import escape

from dbt_osmosis.cli.compat import project_options
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.core.organize import OrganizePlan, organize_project, placed_nodes, write_organized
from dbt_osmosis.core.project import DbtProject, ProjectOptions, load_project
from dbt_osmosis.core.runlock import project_lock
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.selection import Selection, select_nodes

__all__ = ["organize_for", "report_organize", "run_organize", "selection_from"]

EXIT_OK, EXIT_CHANGES, EXIT_INCOMPLETE = 0, 1, 3


def selection_from(params: dict[str, Any]) -> Selection:
    """The node selection given on the command line."""
    return Selection(
        models=tuple(params.get("models", ())),
        fqn=tuple(params.get("fqn", ())),
        select=tuple(params.get("select", ())),
        exclude=tuple(params.get("exclude", ())),
        selector=params.get("selector"),
        state=params.get("state"),
    )


def organize_for(project: DbtProject, params: dict[str, Any], console: Console) -> OrganizePlan:
    """Plan the organize step, report it, and ask before applying it where 1.x asked.

    1.x asked for confirmation unless ``--auto-apply`` was given; here it asks only on a terminal (a CI
    job or a hook has nobody to answer) and never with ``--check`` or ``--dry-run``. A "no" keeps every
    entry where it is.
    """
    plan = organize_project(
        project,
        select_nodes(project, selection_from(params)),
        introspect=not params.get("disable_introspection", False),
        output_to_lower=params.get("output_to_lower", False),
        skip_add_data_types=params.get("skip_add_data_types", False),
        vars_override=_vars(params.get("vars")),
    )
    report_organize(plan, console)
    asks = not (params.get("auto_apply") or params.get("check") or params.get("dry_run"))
    interactive = asks and bool(plan.changed_paths()) and sys.stdin.isatty()
    if interactive and not click.confirm("Apply these moves?", default=False):
        console.print("Kept every entry where it is.")
        return OrganizePlan(SchemaStore(project.root))
    placed_nodes(project, plan)
    return plan


def run_organize(params: dict[str, Any], console: Console) -> int:
    """Run ``yaml organize``; return the exit code.

    0: done; 1: ``--check`` found moves; 2: bad input (raised) or another run holds the project; 3: some
    files cannot be written, so they and the moves into or out of them were left alone (the rest was
    written; ``--dry-run`` and a ``--check`` finding nothing else report them too).
    """
    options = project_options(params)
    if not (options.project_dir / "dbt_project.yml").is_file():
        return _run_organize(params, console, options)  # loading it says so; nothing to lock
    with project_lock(options.project_dir):
        return _run_organize(params, console, options)


def _run_organize(params: dict[str, Any], console: Console, options: ProjectOptions) -> int:
    project = load_project(options)
    plan = organize_for(project, params, console)
    for path, reason in plan.blocked.items():
        console.print(
            f"[red]error:[/red] {escape(path)} {escape(reason)}; no entry moved into or out of it",
            soft_wrap=True,
        )
    done = EXIT_INCOMPLETE if plan.blocked else EXIT_OK
    changed = plan.changed_paths()
    if params["check"]:
        if changed:
            console.print(
                f"{len(changed)} file(s) would change; run `dbt-osmosis yaml organize` to update them."
            )
            return EXIT_CHANGES
        console.print(
            "Every other entry is where its path template says."
            if plan.blocked
            else "Every entry is where its path template says."
        )
        return done
    if params["dry_run"]:
        console.print(f"Dry run: {len(changed)} file(s) would change; nothing written.")
        return done
    reported = set(plan.blocked)
    written = write_organized(plan)
    for path, reason in plan.blocked.items():
        if path not in reported:  # failed while writing (a full disk, a folder made read-only)
            console.print(f"[red]error:[/red] {escape(path)} {escape(reason)}", soft_wrap=True)
    console.print(f"Wrote {len(written)} file(s)." if written else "Nothing to change.")
    return EXIT_INCOMPLETE if plan.blocked else EXIT_OK


def report_organize(plan: OrganizePlan, console: Console) -> None:
    """One line per moved or created entry, one per file to delete, then the warnings."""
    for move in plan.moves:
        if move.source:
            console.print(f"moved {escape(move.what)}: {escape(move.source)} -> {escape(move.target)}")
        else:
            console.print(f"new entry {escape(move.what)} in {escape(move.target)}")
    for path in plan.emptied():
        console.print(f"removed {escape(path)} (no entries left)")
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)


def _vars(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        parsed = pyyaml.safe_load(text)
    except pyyaml.YAMLError as exc:
        raise OsmosisError(f"--vars is not valid YAML: {' '.join(str(exc).split())}") from exc
    return parsed if isinstance(parsed, dict) else None
