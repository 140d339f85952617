"""A run lock whose holder cannot be alive is taken over (#23, item 11); a live one is not."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dbt_osmosis.core.process.runlock import LOCK_NAME, STALE_AFTER, ProjectLockedError, project_lock

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "dbt_project.yml").write_text("name: p\nversion: '1'\nprofile: p\n")
    return tmp_path


def _left(root: Path, *, pid: int, host: str, started: datetime) -> Path:
    lock = root / "target" / LOCK_NAME
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(json.dumps({"pid": pid, "host": host, "started": started.isoformat()}) + "\n")
    return lock


def test_a_lock_from_another_host_older_than_the_bound_is_taken_over(tmp_path: Path) -> None:
    # A recreated container or a target/ folder restored from a CI cache: a host name that is gone.
    root = _project(tmp_path)
    lock = _left(
        root, pid=os.getpid(), host="ci-runner-old", started=NOW - STALE_AFTER - timedelta(minutes=1)
    )
    with project_lock(root, clock=lambda: NOW):
        assert json.loads(lock.read_text())["host"] == socket.gethostname()
    assert not lock.exists()


def test_a_recent_lock_from_another_host_is_respected(tmp_path: Path) -> None:
    root = _project(tmp_path)
    lock = _left(root, pid=1, host="other-machine", started=NOW - timedelta(minutes=5))
    with (
        pytest.raises(ProjectLockedError, match=r"on other-machine.*taken over once 6 hours old"),
        project_lock(root, clock=lambda: NOW),
    ):
        pass
    assert json.loads(lock.read_text())["host"] == "other-machine"


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over_whatever_its_age(tmp_path: Path) -> None:
    root = _project(tmp_path)
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(finished.stdout)
    lock = _left(root, pid=dead, host=socket.gethostname(), started=NOW - timedelta(seconds=1))
    with project_lock(root, clock=lambda: NOW):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
