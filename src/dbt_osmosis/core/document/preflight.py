"""Before the first LLM request, check that every file this run would edit can be edited and written.

Problems are found up front, per file, instead of after the requests are paid for: a file that the
round-trip parser cannot load (a duplicate key, a tab where YAML forbids one), a read-only file, a
folder that cannot take the temporary file of an atomic write, a symlink that leads out of the project.
Such a file is reported and left exactly as it is, and so are the nodes it documents; every other file
is still edited.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbt_osmosis.core.document.planning import context_for
from dbt_osmosis.core.document.types import DocumentPlan
from dbt_osmosis.core.schema.writable import file_problem
from dbt_osmosis.core.schema.yamlio import SchemaFile
from dbt_osmosis.core.synthesis.gaps import find_gap

__all__ = ["check_files", "files_to_edit", "preflight"]


def preflight(plan: DocumentPlan, *, synthesize: bool) -> dict[str, str]:
    """Check every file the run would edit; block and return the ones it cannot, with the reason."""
    return check_files(plan, files_to_edit(plan, synthesize=synthesize))


def files_to_edit(plan: DocumentPlan, *, synthesize: bool) -> list[SchemaFile]:
    """The files the run would write.

    Those already changed and, when synthesizing, the files of the selected nodes that still have gaps
    (each will be asked about and edited).
    """
    chosen = {schema_file.display_path: schema_file for schema_file in plan.changed_files()}
    if synthesize:
        for node in plan.targets:
            context = context_for(plan, node)
            if context.schema_file is not None and context.entry is not None and find_gap(context):
                chosen.setdefault(context.schema_file.display_path, context.schema_file)
    return [chosen[path] for path in sorted(chosen)]


def check_files(plan: DocumentPlan, files: Iterable[SchemaFile]) -> dict[str, str]:
    """Check each file; block (in ``plan``) and return the ones that cannot be edited, with the reason."""
    found: dict[str, str] = {}
    root = plan.project.root.resolve()
    for schema_file in files:
        reason = file_problem(schema_file, root)
        if reason is not None:
            plan.block(schema_file, reason)
            found[schema_file.display_path] = reason
    return found
