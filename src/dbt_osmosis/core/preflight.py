"""Before the first LLM request, check that every file this run would edit can be edited and written.

Problems are found up front, per file, instead of after the requests are paid for: a file that the
round-trip parser cannot load (a duplicate key, a tab where YAML forbids one), a read-only file, a
folder that cannot take the temporary file of an atomic write, a symlink that leads out of the project.
Such a file is reported and left exactly as it is, and so are the nodes it documents; every other file
is still edited.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from dbt_osmosis.core.document import DocumentPlan, context_for
from dbt_osmosis.core.errors import YamlError
from dbt_osmosis.core.schema.yamlio import SchemaFile
from dbt_osmosis.core.synthesis import find_gap

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
        reason = _problem(schema_file, root)
        if reason is not None:
            plan.block(schema_file, reason)
            found[schema_file.display_path] = reason
    return found


def _problem(schema_file: SchemaFile, root: Path) -> str | None:
    path = schema_file.path
    target = path.resolve()
    if not target.is_relative_to(root):
        return f"is a symlink to {target}, outside the project; left alone"
    if os.path.lexists(target):
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            return "is not a regular file; left alone"
        # The mode bits, not only access(): root may write anything, but a file someone made
        # read-only was made so on purpose, and a rename would silently replace it.
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
            return "is read-only; left alone (make it writable to let dbt-osmosis edit it)"
    folder = _existing_ancestor(target.parent)
    if not folder.is_dir():
        return f"cannot be created: {folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be written: its folder {folder} is not writable"
    if schema_file.original is not None:
        try:
            schema_file.make_editable()
        except YamlError as exc:
            return str(exc)
    return None


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
