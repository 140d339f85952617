"""Two runs at once on one project: the second one stops at once and says which run holds the project."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbt_osmosis.core.runlock import LOCK_NAME

from .conftest import RunCli
from .dbt_projects import snapshot

HOLD_LOCK = """
import sys
from pathlib import Path
from dbt_osmosis.core.runlock import project_lock
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
