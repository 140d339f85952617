"""A journal of the files a move writes, so that a run killed midway is finished by the next one.

Moving an entry writes two files (the one it joins first, then the one it leaves) and may delete the
second. A run killed between the two (``kill -9``, a CI timeout, a container stopped) leaves the entry
in both, and dbt refuses to parse a project with one entry twice. Before writing, the run records every
file it is about to write or delete, with its text before and after, in
``<target>/dbt-osmosis/organize-journal.json``; it removes the journal once every write is done. The
next organize, refactor or document run (or ``yaml organize --recover``) finds a journal left behind and
finishes the writes: a file that still holds its text from before gets its text from after, a file that
already holds it is done, and a file changed by something else since is left as it is and reported.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dbt_osmosis.core.dbt.target import dbt_target_dir
from dbt_osmosis.core.organize.planning import OrganizePlan
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic

__all__ = ["JOURNAL_NAME", "Writes", "finish_journal", "journal_path", "journaled", "start_journal"]

log = logging.getLogger("dbt_osmosis")

JOURNAL_NAME = "organize-journal.json"

#: Project-relative path -> (text before, text after); ``None`` for a file that does not exist.
Writes = Mapping[str, tuple[str | None, str | None]]


def journal_path(project_dir: Path) -> Path:
    """Where the journal of ``project_dir`` lives (under the project's target folder)."""
    return dbt_target_dir(project_dir.resolve()) / "dbt-osmosis" / JOURNAL_NAME


def start_journal(project_dir: Path, writes: Writes) -> Path:
    """Record ``writes`` before they are made; return the journal's path (remove it when done)."""
    path = journal_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "files": [{"path": p, "before": before, "after": after} for p, (before, after) in writes.items()]
    }
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return path


def finish_journal(project_dir: Path) -> list[str]:
    """Finish the writes of a run that was killed midway, if it left a journal; one line per file done.

    Files changed by something else since are left alone and reported. The journal is removed once
    read, so that a file it could not finish is never written later from stale text.
    """
    path = journal_path(project_dir)
    if not path.is_file():
        return []
    root = project_dir.resolve()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        files = [(str(f["path"]), f["before"], f["after"]) for f in record["files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{path} cannot be read ({exc}); it was left for you to check and delete."]
    said: list[str] = []
    for relative, before, after in files:
        file = root / relative
        now = file.read_bytes().decode("utf-8", "replace") if file.is_file() else None
        if now == after:
            continue
        if now != before:
            said.append(
                f"{relative} changed since an interrupted run started writing it; left as it is "
                "(check that each entry is in one file only)"
            )
            continue
        if after is None:
            file.unlink(missing_ok=True)
            said.append(f"{relative}: removed, finishing an interrupted run")
        else:
            file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(file, after)
            said.append(f"{relative}: written, finishing an interrupted run")
    path.unlink(missing_ok=True)
    for line in said:
        log.warning("%s", line)
    return said


@contextmanager
def journaled(root: Path, plan: OrganizePlan, files: Iterable[SchemaFile]) -> Iterator[None]:
    """Journal the writes of ``files`` and the deletions of ``plan`` while the block writes them.

    Only when the plan moves an entry out of a file (one write that needs another). The journal is
    left behind when the process dies inside the block, and removed when the block returns.
    """
    if not any(move.source for move in plan.moves):
        yield
        return
    by_path = {schema_file.display_path: schema_file for schema_file in plan.store.files()}
    writes: dict[str, tuple[str | None, str | None]] = {
        schema_file.display_path: (schema_file.on_disk, schema_file.render())
        for schema_file in files
        if schema_file.changed()
    }
    for path in plan.emptied():
        writes[path] = (by_path[path].on_disk, None)
    journal = start_journal(root, writes)
    yield
    journal.unlink(missing_ok=True)
