"""dbt_osmosis.api as a Python user meets it: the README's example, and each call's typed result."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbt_osmosis import api
from dbt_osmosis.api import (
    CancelToken,
    DocumentOptions,
    DocumentRun,
    ExitCode,
    LLMOptions,
    OrganizeRun,
    ProjectLocation,
    ReviewRun,
)
from dbt_osmosis.core.dbt.project import working_directory
from dbt_osmosis.core.llm.exceptions import LLMConfigError
from tests.fakes.fake_provider import FakeProviderServer
from tests.fakes.steps import Fail
from tests.support.projects import ProjectStore

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "demo_duckdb"
OFFLINE = ["--no-send-anonymous-usage-stats", "--no-version-check", "--quiet"]


def readme_example() -> str:
    """The first Python block of the README's "Use from Python" section, as a user would copy it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use from Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README's Use from Python section has no python block"
    return match.group(1)


def build_demo(project: Path) -> None:
    """The demo project, seeded and run from its own folder, as `make demo` builds it."""
    from dbt.cli.main import dbtRunner

    shutil.copytree(
        DEMO_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb", "*.duckdb.wal")
    )
    with working_directory(project):
        for command in ("seed", "run"):
            result = dbtRunner().invoke([command, "--project-dir", ".", "--profiles-dir", ".", *OFFLINE])
            assert result.success, f"dbt {command} failed: {result.exception}"


@pytest.fixture
def built_demo(project_store: ProjectStore) -> Path:
    return project_store.built("api-demo", build_demo, folder="demo_duckdb")


@pytest.fixture
def demo(built_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built demo, made the working directory, with dbt's variables cleared."""
    project = Path(
        shutil.copytree(built_demo, tmp_path / "demo_duckdb", ignore=shutil.ignore_patterns("target", "logs"))
    )
    for name in ("DBT_DUCKDB_PATH", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR", "LLM_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(project)
    return project


def undocumented(project: Path) -> list[str]:
    """Models and columns of the project's YAML without a description."""
    missing = []
    for path in sorted((project / "models").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in data.get("models", []):
            if not model.get("description"):
                missing.append(model["name"])
            missing += [
                f"{model['name']}.{column['name']}"
                for column in model.get("columns", [])
                if not column.get("description")
            ]
    return missing


def yaml_files(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in project.rglob("*.yml")
        if "target" not in path.parts
    }


def test_readme_example_fills_the_demo_gaps_through_the_configured_provider(
    demo: Path, llm_env: None, fake_provider: FakeProviderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Inheritance alone leaves gaps in the demo: those are what the example asks the provider for.
    document(DocumentRun())
    assert undocumented(demo), "the demo should have gaps that only synthesis fills"

    exec(compile(readme_example(), "README.md", "exec"), {})

    printed = capsys.readouterr().out.split()
    assert printed[0] == "0"  # the exit code
    assert printed[1].startswith("[") and len(printed) > 1  # the files written
    assert undocumented(demo) == []
    assert fake_provider.requests  # the answers came from the configured provider


def document(run: DocumentRun, **hooks: Any) -> api.DocumentResult:
    return api.document(run, **hooks)


def test_two_projects_in_one_process_each_read_their_own_warehouse(
    demo: Path, built_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A notebook documents one project, then another whose profile names the same relative DuckDB
    # file: the second run must read its own warehouse, not the first run's still-open database.
    assert document(DocumentRun()).exit_code == ExitCode.OK
    other = Path(
        shutil.copytree(
            built_demo, tmp_path / "other" / "demo_duckdb", ignore=shutil.ignore_patterns("target")
        )
    )
    import duckdb

    with duckdb.connect(str(other / "jaffle_shop.duckdb")) as con:
        con.execute("alter table main.customers add column loyalty_tier varchar")
    monkeypatch.chdir(other)
    assert document(DocumentRun()).exit_code == ExitCode.OK
    assert "loyalty_tier" in (other / "models/marts/_customers.yml").read_text(encoding="utf-8")


def test_document_dry_run_reports_changes_and_writes_nothing(demo: Path) -> None:
    before = yaml_files(demo)
    result = document(DocumentRun(dry_run=True))
    assert result.exit_code == ExitCode.OK
    assert result.dry_run and not result.wrote and result.files_written == []
    assert result.changed_files and result.changes
    assert yaml_files(demo) == before
    check = document(DocumentRun(check=True))
    assert check.exit_code == ExitCode.CHANGES


def test_llm_dry_run_estimates_without_sending(
    demo: Path, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    before = yaml_files(demo)
    result = document(DocumentRun(llm=LLMOptions(dry_run=True)))
    assert result.synthesis is not None and result.synthesis.estimate
    assert result.synthesis.report.outcomes
    assert result.synthesis.usage.totals().requests > 0
    assert fake_provider.requests == []
    assert yaml_files(demo) == before


def test_organize_check_and_dry_run_do_not_load_the_llm_layer(demo: Path) -> None:
    script = (
        "import sys\n"
        "from dbt_osmosis.api import OrganizeRun, organize\n"
        "result = organize(OrganizeRun(dry_run=True))\n"
        "print(int(result.exit_code), any(m.startswith('dbt_osmosis.core.llm') for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=demo, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["0", "False"]


def test_organize_result_lists_moves_and_asks_before_writing(demo: Path) -> None:
    asked: list[api.OrganizeResult] = []

    def decline(result: api.OrganizeResult) -> bool:
        asked.append(result)
        return False

    before = yaml_files(demo)
    result = api.organize(OrganizeRun(project=ProjectLocation(project_dir=demo)), confirm=decline)
    if asked:
        assert result.declined and result.files_written == []
        assert yaml_files(demo) == before
    else:  # nothing to move: nothing asked, nothing written
        assert result.changed_files == [] and result.files_written == []
    assert result.exit_code == ExitCode.OK


def test_review_lists_nothing_on_a_project_without_model_written_text(demo: Path) -> None:
    result = api.review(ReviewRun(check=True))
    assert result.items == [] and result.pending == []
    assert result.exit_code == ExitCode.OK


def test_review_accept_with_nothing_to_review_decides_nothing(demo: Path) -> None:
    result = api.review(ReviewRun(models=("customers",), verdict="accept"))
    assert result.decided == 0 and result.exit_code == ExitCode.OK


class CancelAfterFirstNode:
    """A progress hook that cancels the run once the first node has finished."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.finished = 0
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def organized(self, result: api.OrganizeResult) -> None:
        return None

    def planned(self, result: api.DocumentResult) -> None:
        return None

    def synthesis(self, total: int, usage: Any, *, estimate: bool) -> AbstractContextManager[Any]:
        @contextmanager
        def counting() -> Iterator[Any]:
            def done(outcome: Any) -> None:
                self.finished += 1
                if self.finished == 1:
                    self.token.cancel()

            yield done

        return counting()


def test_cancelling_keeps_the_nodes_finished_so_far(
    demo: Path, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    token = CancelToken()
    progress = CancelAfterFirstNode(token)
    run = DocumentRun(llm=LLMOptions(synthesize=True, concurrency=1))
    result = api.document(run, progress=progress, cancel=token)
    assert token.cancelled
    assert result.exit_code == ExitCode.INTERRUPTED
    assert result.interrupted in ("synthesis", "write")
    assert result.wrote  # every node finished before the cancel was written


def test_a_cancel_before_the_run_stops_synthesis_before_any_request(
    demo: Path, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    token = CancelToken()
    token.cancel()
    result = api.document(
        DocumentRun(options=DocumentOptions(), llm=LLMOptions(synthesize=True)), cancel=token
    )
    assert result.exit_code == ExitCode.INTERRUPTED and result.interrupted == "synthesis"
    assert fake_provider.requests == []


def test_nodes_synthesis_failed_are_in_result_failures_with_the_reason(
    demo: Path, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    # README: "the nodes that failed (`failures`)": those whose requests failed count too.
    fake_provider.responder = lambda request: Fail(400)
    run = DocumentRun(llm=LLMOptions(synthesize=True, max_retries=0, breaker_threshold=0))
    result = document(run)
    assert result.exit_code == ExitCode.INCOMPLETE
    assert result.synthesis is not None
    failed = {outcome.node for outcome in result.synthesis.report.failures}
    assert failed and set(result.failures) >= failed
    reason = result.failures[sorted(failed)[0]]
    assert reason.startswith("synthesis failed: ") and "400" in reason, reason


def test_project_location_takes_a_plain_str_as_a_notebook_user_writes_it(demo: Path) -> None:
    location = ProjectLocation(project_dir=".", profiles_dir=str(demo))
    report = api.analyze_docs(api.AnalyzeDocsRun(project=location, min_column_coverage=0, fail_on_gaps=False))
    assert report.models and report.exit_code == ExitCode.OK
    assert location.project_dir == Path(".")  # kept as the Path it means


def test_check_llm_takes_the_fallback_chain_as_one_comma_separated_str(
    llm_env: None, fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OSMOSIS_LLM_FALLBACK", raising=False)
    result = api.check_llm(fallback="anthropic:claude-haiku-4-5")
    assert result.all_ok, result
    assert [(f.provider, f.model) for f in result.fallbacks] == [("anthropic", "claude-haiku-4-5")]
    assert LLMOptions(fallback="anthropic, openai").fallback == ("anthropic", "openai")  # type: ignore[arg-type]
    # A bad entry is named as the Python caller gave it, not as a command-line flag.
    with pytest.raises(LLMConfigError) as raised:
        api.check_llm(fallback=":gpt-4.1-mini")
    assert "fallback=: ':gpt-4.1-mini' names no provider" in str(raised.value)
    assert "--llm-fallback" not in str(raised.value)
