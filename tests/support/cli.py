"""The command line, run in-process as a user would type it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from dbt_osmosis.cli.main import cli

RunCli = Callable[..., Result]


def run_command(project: Path, group: str, command: str, *args: str) -> Result:
    """``dbt-osmosis <group> <command> --project-dir P --profiles-dir P <args>``, exceptions raised."""
    return CliRunner().invoke(
        cli,
        [group, command, "--project-dir", str(project), "--profiles-dir", str(project), *args],
        catch_exceptions=False,
    )


def run_document(project: Path, *args: str) -> Result:
    """``dbt-osmosis yaml document`` on the project with the given extra arguments."""
    return run_command(project, "yaml", "document", *args)


def run_review(project: Path, *args: str) -> Result:
    """``dbt-osmosis yaml review`` on the project with the given extra arguments."""
    return run_command(project, "yaml", "review", *args)
