"""Whether a YAML file can be edited and written safely, and writing a run's files without losing any.

A file that the round-trip parser cannot load (a duplicate key, a tab where YAML forbids one), a
read-only file, a folder that cannot take the temporary file of an atomic write, a symlink that leads
out of the project: each is a reason to leave the file as it is. ``yaml document`` checks the files it
would edit (``core/preflight.py``), ``yaml organize`` the files it would move entries into or out of.

What still fails while writing (a full disk, a folder made read-only meanwhile) is caught per file; files
joined by a moved entry are written all or none, so an entry never leaves one file without landing in
the other. A file that changed on disk since the run read it (saved in an editor, replaced by a
checkout during a long synthesis) is left as it now is: writing the run's version would undo that.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from dbt_osmosis.core.errors import YamlError
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic

__all__ = ["Writer", "file_problem", "write_files"]

log = logging.getLogger("dbt_osmosis")

#: Writes one file's text at a path (``write_atomic``; tests pass one that fails).
Writer = Callable[[Path, str], None]


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


def write_files(
    files: Sequence[SchemaFile],
    blocked: dict[str, str],
    writer: Writer = write_atomic,
    together: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Write ``files``; return the display paths written, recording each one not written in ``blocked``.

    Each group of ``together`` (display paths, the files entries move into first) is written all or
    none: when one of its files cannot be written, the ones already written are put back as they were
    and none of the others is written, so an entry is never only in the file it left. A group with a
    file already in ``blocked`` is not written at all. Every other file is written on its own.
    """
    by_path = {schema_file.display_path: schema_file for schema_file in files}
    written: list[str] = []
    grouped: set[str] = set()
    for group in together:
        grouped.update(group)
        members = [by_path[path] for path in group if path in by_path]
        stuck = next((path for path in group if path in blocked), None)
        if stuck is None:
            stuck = _write_all_or_none(members, blocked, writer)
        if stuck is not None:
            for schema_file in members:
                blocked.setdefault(
                    schema_file.display_path,
                    f"not changed: entries move between it and {stuck}, which could not be written",
                )
            continue
        written.extend(schema_file.display_path for schema_file in members)
    for schema_file in files:
        if (
            schema_file.display_path not in grouped
            and _write_all_or_none([schema_file], blocked, writer) is None
        ):
            written.append(schema_file.display_path)
    return written


def _write_all_or_none(members: Sequence[SchemaFile], blocked: dict[str, str], writer: Writer) -> str | None:
    # Returns the file that failed (recorded in ``blocked``), or None when all were written.
    done: list[SchemaFile] = []
    for schema_file in members:
        path = schema_file.path.resolve()  # once: each resolve is a system call per folder of the path
        changed = _changed_meanwhile(schema_file, path)
        if changed is not None:
            blocked[schema_file.display_path] = changed
            for earlier in reversed(done):
                _put_back(earlier, blocked, writer)
            return schema_file.display_path
        text = schema_file.render()
        try:
            writer(path, text)
        except OSError as exc:
            blocked[schema_file.display_path] = f"could not be written ({exc.strerror or exc}); not changed"
            for earlier in reversed(done):
                _put_back(earlier, blocked, writer)
            return schema_file.display_path
        done.append(schema_file)
    for schema_file in done:
        schema_file.on_disk = schema_file.render()  # what it holds now, should the run write it again
    return None


def _changed_meanwhile(schema_file: SchemaFile, path: Path) -> str | None:
    # A run can take minutes (LLM requests); someone may save the file, or an editor or `git checkout`
    # may replace it, in the meantime. Writing the run's version would silently undo that.
    try:
        now: str | None = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        now = None
    except (OSError, UnicodeDecodeError):
        now = ""  # unreadable now: certainly not what the run read
    if now == schema_file.on_disk:
        return None
    if schema_file.on_disk is None:
        happened = "was created by something else while the run worked"
    elif now is None:
        happened = "was deleted or moved while the run worked"
    else:
        happened = "was changed on disk while the run worked"
    return f"{happened}; left as it is now (run again to include it)"


def _put_back(schema_file: SchemaFile, blocked: dict[str, str], writer: Writer) -> None:
    path = schema_file.path.resolve()
    try:
        if schema_file.on_disk is None:
            path.unlink(missing_ok=True)
        else:
            writer(path, schema_file.on_disk)
    except OSError as exc:
        # The files entries move out of come last and were not written: an entry may now be in two
        # files (dbt says so at its next parse), never in none.
        log.error("could not put %s back as it was: %s", schema_file.display_path, exc)
        blocked[schema_file.display_path] = (
            f"was written, but putting it back failed ({exc.strerror or exc}); check it against the "
            "files its entries moved from"
        )
