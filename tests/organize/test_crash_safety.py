"""A move killed midway is finished by the next run; SIGTERM stops a run as Ctrl-C does (#23, item 8)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from rich.console import Console

from dbt_osmosis import api
from dbt_osmosis.cli.interrupt import InterruptGuard
from dbt_osmosis.core.organize.journal import journal_path
from dbt_osmosis.exit_codes import ExitCode
from tests.support.cli import run_command
from tests.support.organize_checks import dbt_view
from tests.support.projects import snapshot, write_project

SCHEMA = (
    "version: 2\nmodels:\n  - name: a\n    description: Model a.\n  - name: b\n    description: Model b.\n"
)
MODELS = {"models/a.sql": "select 1 as id\n", "models/b.sql": "select 1 as id\n", "models/schema.yml": SCHEMA}

# A run killed (kill -9) right after the first file it writes: the journal is all it leaves to go on.
KILLED_AFTER_FIRST_WRITE = """
import os, sys
from pathlib import Path
from dbt_osmosis import api
from dbt_osmosis.core.organize import planning
from dbt_osmosis.core.schema.yamlio import write_atomic as real

def write_then_die(path, text, _count=[0]):
    real(path, text)
    _count[0] += 1
    if _count[0] == 1:
        os._exit(137)

planning.write_organized.__defaults__ = (write_then_die,)
root = Path(sys.argv[1])
api.organize(api.OrganizeRun(project=api.ProjectLocation(project_dir=root, profiles_dir=root),
                             disable_introspection=True))
"""


def _project(root: Path) -> Path:
    return write_project(root, MODELS, osmosis_template="_{model}.yml")


def test_a_run_killed_between_two_writes_is_finished_by_the_next_run(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    view = dbt_view(root)
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_AFTER_FIRST_WRITE), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 137, killed.stderr
    # One file written, the rest not: an entry is in two files, and the journal says what was meant.
    assert "models/_a.yml" in snapshot(root) and (root / "models/schema.yml").read_text() == SCHEMA
    assert journal_path(root).is_file()

    result = run_command(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 0, result.output
    assert "recovered: models/_b.yml: written, finishing an interrupted run" in result.output
    assert "recovered: models/schema.yml: removed, finishing an interrupted run" in result.output
    assert sorted(p for p in snapshot(root) if p.startswith("models/")) == ["models/_a.yml", "models/_b.yml"]
    assert not journal_path(root).exists()
    assert dbt_view(root) == view


def test_recover_only_finishes_the_journal(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    nothing = run_command(root, "yaml", "organize", "--recover")
    assert nothing.exit_code == 0 and "No interrupted run to finish." in nothing.output
    assert snapshot(root)["models/schema.yml"] == SCHEMA.encode()


def test_an_entry_in_two_files_is_reported_with_the_way_out(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    (root / "models/_a.yml").write_text("version: 2\nmodels:\n  - name: a\n    description: Model a.\n")
    result = run_command(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 2
    assert "one entry is in two files" in result.output and "yaml organize --recover" in result.output


def test_sigterm_stops_a_run_as_ctrl_c_does() -> None:
    console = Console(file=io.StringIO())
    before = signal.getsignal(signal.SIGTERM)
    with InterruptGuard(console) as guard:
        # Inside a write, the run finishes it: the signal only asks it to stop.
        with guard.token.handled_by(lambda: None):
            os.kill(os.getpid(), signal.SIGTERM)
        assert guard.token.cancelled
    assert signal.getsignal(signal.SIGTERM) == before


def test_an_organize_cancelled_before_writing_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    token = api.CancelToken()
    token.cancel()
    result = api.organize(
        api.OrganizeRun(
            project=api.ProjectLocation(project_dir=root, profiles_dir=root), disable_introspection=True
        ),
        cancel=token,
    )
    assert result.exit_code == ExitCode.INTERRUPTED and result.interrupted
    assert result.files_written == [] and snapshot(root)["models/schema.yml"] == SCHEMA.encode()
