"""Two runs at once on one project: the second one stops at once and says which run holds the project."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dbt_osmosis.cli.main import cli
from dbt_osmosis.core.process.runlock import LOCK_NAME
from tests.support.cli import RunCli
from tests.support.projects import snapshot

HOLD_LOCK = """
import sys
from pathlib import Path
from dbt_osmosis.core.process.runlock import project_lock
with project_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()  # hold until the test closes our stdin
"""


@pytest.fixture
def other_run(chain: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process holding the project's lock, as a concurrent dbt-osmosis run would."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(chain)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_second_run_stops_naming_the_first_and_writes_nothing(
    chain: Path, run_cli: RunCli, other_run: subprocess.Popen[str]
) -> None:
    before = snapshot(chain)
    result = run_cli(chain)
    assert result.exit_code == 2, result.output
    assert f"Another dbt-osmosis run (pid {other_run.pid}" in result.output
    assert snapshot(chain) == before
    # The lock still belongs to the first run.
    assert json.loads((chain / "target" / LOCK_NAME).read_text())["pid"] == other_run.pid


def test_the_lock_is_released_when_the_first_run_ends(
    chain: Path, run_cli: RunCli, other_run: subprocess.Popen[str]
) -> None:
    assert other_run.stdin is not None
    other_run.stdin.close()
    assert other_run.wait(timeout=30) == 0
    assert not (chain / "target" / LOCK_NAME).exists()
    assert run_cli(chain).exit_code == 0


def test_a_lock_left_by_a_killed_run_is_taken_over_and_released(
    chain: Path, run_cli: RunCli, other_run: subprocess.Popen[str]
) -> None:
    other_run.kill()  # no chance to clean up: the lock file stays behind
    other_run.wait()
    assert (chain / "target" / LOCK_NAME).exists()
    result = run_cli(chain)
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    assert not (chain / "target" / LOCK_NAME).exists()


def test_the_lock_is_released_when_a_run_fails(chain: Path, run_cli: RunCli) -> None:
    result = run_cli(chain, "no_such_model")
    assert result.exit_code == 2
    assert not (chain / "target" / LOCK_NAME).exists()
    assert run_cli(chain, "--check").exit_code == 1
    assert not (chain / "target" / LOCK_NAME).exists()


def _held_by_a_live_process(lock: Path) -> int:
    """Write a lock as a run in another live process (our parent) would hold it; return its pid."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = os.getppid()
    lock.write_text(json.dumps({"pid": holder, "host": socket.gethostname()}) + "\n")
    return holder


def test_the_lock_lives_in_the_target_path_of_dbt_project_yml(chain: Path, run_cli: RunCli) -> None:
    config = chain / "dbt_project.yml"
    config.write_text(config.read_text() + "target-path: build/dbt\n")
    holder = _held_by_a_live_process(chain / "build" / "dbt" / LOCK_NAME)
    before = snapshot(chain)
    result = run_cli(chain)
    assert result.exit_code == 2, result.output
    assert f"Another dbt-osmosis run (pid {holder}" in result.output
    assert snapshot(chain) == before


def test_a_run_with_dbt_target_path_leaves_no_target_folder(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", "artifacts")
    result = run_cli(chain)
    assert result.exit_code == 0, result.output
    assert (chain / "artifacts" / "partial_parse.msgpack").exists()  # where dbt wrote
    assert not (chain / "target").exists()
    assert not (chain / "artifacts" / LOCK_NAME).exists()


@pytest.mark.parametrize("command", ["organize", "refactor"])
def test_organize_and_refactor_wait_for_the_run_holding_the_project(
    chain: Path, other_run: subprocess.Popen[str], command: str
) -> None:
    before = snapshot(chain)
    args = ["yaml", command, "--project-dir", str(chain), "--profiles-dir", str(chain), "--auto-apply"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert f"Another dbt-osmosis run (pid {other_run.pid}" in result.output
    assert snapshot(chain) == before
    assert json.loads((chain / "target" / LOCK_NAME).read_text())["pid"] == other_run.pid
