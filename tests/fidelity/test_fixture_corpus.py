"""Real-world YAML styles survive `yaml document` and `--synthesize`: only deliberate additions change.

Each fixture under tests/fixtures/ (and the bundled demo) is built once, then copied per test. After a
run, every YAML file that existed must be its original text with lines inserted, except lines whose
placeholder description was deliberately filled; dbt must still parse the project; and a second run must
change nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer
from tests.support.projects import ProjectStore, build, copy_project, dbt_parses
from tests.support.projects import snapshot as yaml_files
from tests.support.yaml_checks import assert_only_deliberate_changes

REPO = Path(__file__).resolve().parents[2]
FIXTURES = {
    "big_schema_four_space": REPO / "tests/fixtures/big_schema_four_space",
    "per_model_two_space": REPO / "tests/fixtures/per_model_two_space",
    "demo_duckdb": REPO / "demo_duckdb",
}
IGNORE = shutil.ignore_patterns("target", "logs", "*.duckdb*", ".user.yml")


def built_copy_of(source: Path) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        shutil.copytree(source, root, ignore=IGNORE)
        build(root)

    return make


@pytest.fixture(params=sorted(FIXTURES))
def fixture_copy(request: pytest.FixtureRequest, project_store: ProjectStore, tmp_path: Path) -> Path:
    name = request.param
    built = project_store.built(f"fixture-{name}", built_copy_of(FIXTURES[name]), folder=name)
    return copy_project(built, tmp_path / name)


def check_run(root: Path, run_cli, *args: str) -> None:
    before = yaml_files(root)
    result = run_cli(root, *args)
    assert result.exit_code == 0, result.output
    after = yaml_files(root)
    for name, text in before.items():
        assert name in after, f"{name} was deleted"
        assert_only_deliberate_changes(name, text, after[name])
    dbt_parses(root)
    again = run_cli(root, *args)
    assert again.exit_code == 0, again.output
    assert yaml_files(root) == after, "a second run changed the YAML"


@pytest.mark.slow
def test_yaml_document_changes_only_what_it_adds(fixture_copy: Path, run_cli) -> None:
    check_run(fixture_copy, run_cli)


@pytest.mark.slow
def test_synthesize_changes_only_what_it_fills(
    fixture_copy: Path, run_cli, fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_provider.base_url}/v1")
    check_run(fixture_copy, run_cli, "--synthesize", "--llm-rate-limit", "100000")
    assert fake_provider.requests, "the fixture had gaps, so something must have been asked"
