"""Whether a YAML file can be edited and written safely, checked before a run changes anything.

A file that the round-trip parser cannot load (a duplicate key, a tab where YAML forbids one), a
read-only file, a folder that cannot take the temporary file of an atomic write, a symlink that leads
out of the project: each is a reason to leave the file as it is. ``yaml document`` checks the files it
would edit (``core/preflight.py``), ``yaml organize`` the files it would move entries into or out of.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dbt_osmosis.core.errors import YamlError
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = ["file_problem"]


def file_problem(schema_file: SchemaFile, root: Path) -> str | None:
    """Why ``schema_file`` cannot be edited and written safely (``root``: the resolved project folder).

    ``None`` when it can. The reason follows the file's path in a report line: "<path> is read-only; ...".
    """
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
