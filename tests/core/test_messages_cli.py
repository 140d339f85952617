"""Error messages as a user reads them: one clean line, and a guess at what was meant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dbt_osmosis.cli.main import cli
from dbt_osmosis.core.dbt.messages import one_line
from tests.support.cli import RunCli
from tests.support.projects import snapshot


def _document(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbt_osmosis.cli.main", "yaml", "document", "--project-dir", str(project),
         "--profiles-dir", str(project), *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("bad", ["{bad", "[1, 2]"])
def test_bad_vars_is_one_clean_line_and_nothing_else(chain: Path, bad: str) -> None:
    before = snapshot(chain)
    result = _document(chain, "--vars", bad)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines  # no dbt log line before the error
    assert lines[0].startswith("error: --vars ") and repr(bad) in lines[0]
    assert "\x1b" not in result.stdout + result.stderr
    assert snapshot(chain) == before


def test_unknown_target_is_one_line_with_the_valid_names(chain: Path, run_cli: RunCli) -> None:
    result = run_cli(chain, "-t", "nope")
    assert result.exit_code == 2, result.output
    error = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "does not have a target named 'nope'" in error[0]
    assert error[0].endswith("are: dev")


def test_dbt_compilation_error_keeps_heading_message_and_line_on_one_line() -> None:
    from dbt.exceptions import CompilationError, DbtRuntimeError

    assert one_line(CompilationError("unexpected '}', expected ')'\n  line 52\n    {{ oops( }}")) == (
        "Compilation Error: unexpected '}', expected ')' (line 52: {{ oops( }})"
    )
    listed = DbtRuntimeError("Valid targets are:\n - dev\n - prod")
    assert one_line(listed) == "Runtime Error: Valid targets are: dev, prod"
    assert one_line("\x1b[0m13:45:55  Something \x1b[31mfailed\x1b[0m\n") == "13:45:55 Something failed"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("gemini", "google-gemini"), ("claude", "anthropic"), ("azure", "azure-openai"), ("openia", "openai")],
)
def test_unknown_provider_says_which_one_was_meant(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, typed: str, meant: str
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", typed)
    result = run_cli(chain, "--synthesize", "--llm-dry-run")
    assert result.exit_code == 2, result.output
    assert f"Unknown LLM provider '{typed}'. Did you mean '{meant}'?" in result.output
    assert "Traceback" not in result.output


def test_mistyped_flag_says_which_one_was_meant() -> None:
    result = CliRunner().invoke(cli, ["yaml", "document", "--synthesise"])
    assert result.exit_code == 2
    assert "Did you mean '--synthesize'?" in result.output
    result = CliRunner().invoke(cli, ["yaml", "document", "--llm-dryrun"])
    assert "Did you mean" in result.output and "'--llm-dry-run'" in result.output
