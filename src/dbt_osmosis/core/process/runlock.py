"""One run at a time per project: a lock file in the target folder that names the process holding it.

Two runs writing the same YAML at once would both report success while the last writer wins. The lock
is taken before dbt parses the project (dbt writes the target folder too) and released on every way out of
the ``with`` block. A lock whose holder cannot be alive is taken over: on this host, when its process no
longer exists (a killed run); from another host name (a recreated container, a ``target/`` kept by a CI
cache), when it is older than ``STALE_AFTER``, since a process elsewhere cannot be checked from here.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dbt_osmosis.core.dbt.target import dbt_target_dir
from dbt_osmosis.core.errors import OsmosisError

__all__ = ["LOCK_NAME", "STALE_AFTER", "ProjectLockedError", "project_lock"]

LOCK_NAME = ".dbt-osmosis.lock"

#: A lock taken on another host name is taken over once it is this old: longer than any run lasts.
STALE_AFTER = timedelta(hours=6)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ProjectLockedError(OsmosisError):
    """Another dbt-osmosis run holds the project's lock."""


@contextmanager
def project_lock(project_dir: Path, *, clock: Clock = _utc_now) -> Iterator[Path]:
    """Hold ``<target-path>/.dbt-osmosis.lock`` for the duration of the block; yield its path.

    The target path is the project's as dbt resolves it (``DBT_TARGET_PATH``, ``target-path``, else
    ``target``), so a project that moved dbt's output gets no stray ``target/`` folder. ``clock``
    dates the lock and judges how old another host's lock is.
    """
    path = dbt_target_dir(project_dir.resolve()) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    _acquire(path, clock)
    try:
        yield path
    finally:
        _release(path)


def _acquire(path: Path, clock: Clock) -> None:
    record = json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": clock().isoformat(timespec="seconds"),
        }
    )
    # The record is written to a private file first and hard-linked into place: the link fails when a
    # lock exists, and a lock is never seen half-written (which would look like a stale one).
    staging = path.with_name(f"{LOCK_NAME}.{os.getpid()}.tmp")
    staging.write_text(record + "\n", encoding="utf-8")
    try:
        # Two attempts: the second only after removing a lock whose process is gone.
        for _ in range(2):
            try:
                _place(staging, path, record)
            except FileExistsError:
                holder = _read(path)
                if _alive(holder, clock()):
                    raise ProjectLockedError(_busy_message(path, holder)) from None
                _remove_stale(path, holder)
                continue
            return
        raise ProjectLockedError(_busy_message(path, _read(path)))
    finally:
        staging.unlink(missing_ok=True)


def _place(staging: Path, path: Path, record: str) -> None:
    try:
        os.link(staging, path)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: an exclusive create, then the record.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(record + "\n")


def _release(path: Path) -> None:
    # Only our own lock: if it was taken over (we were thought dead), it is someone else's now.
    holder = _read(path)
    if holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        path.unlink(missing_ok=True)


def _read(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _alive(holder: dict[str, object], now: datetime) -> bool:
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False  # unreadable or half-written: nobody can be holding it meaningfully
    if holder.get("host") not in (None, socket.gethostname()):
        # Another machine's process cannot be checked from here: it runs until the lock is too old
        # for any run (a lock with no readable date is judged by that alone).
        started = _started(holder)
        return started is None or now - started < STALE_AFTER
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _started(holder: dict[str, object]) -> datetime | None:
    text = holder.get("started")
    if not isinstance(text, str):
        return None
    try:
        started = datetime.fromisoformat(text)
    except ValueError:
        return None
    return started if started.tzinfo is not None else started.replace(tzinfo=timezone.utc)


def _remove_stale(path: Path, holder: dict[str, object]) -> None:
    # Re-read just before removing so that a lock another run took over meanwhile is left alone.
    if _read(path) == holder:
        path.unlink(missing_ok=True)


def _busy_message(path: Path, holder: dict[str, object]) -> str:
    pid = holder.get("pid", "unknown")
    since = f" since {holder['started']}" if holder.get("started") else ""
    where = f" on {holder['host']}" if holder.get("host") not in (None, socket.gethostname()) else ""
    later = (
        f" (a lock from another host is taken over once {STALE_AFTER.total_seconds() / 3600:g} hours old)"
        if where
        else ""
    )
    return (
        f"Another dbt-osmosis run (pid {pid}{where}{since}) is working on this project. Wait for it to "
        f"finish; if no such process is running, delete {path}{later}."
    )
