"""Real-world YAML styles survive `yaml document` and `--synthesize`: only deliberate additions change.

Each fixture under tests/fixtures/ (and the bundled demo) is built once, then copied per test. After a
run, every YAML file that existed must be its original text with lines inserted, except lines whose
placeholder description was deliberately filled; dbt must still parse the project; and a second run must
change nothing.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml
from dbt.cli.main import dbtRunner

from dbt_osmosis.core.dbt.project import working_directory
from dbt_osmosis.core.document.inheritance import is_placeholder
from tests.core.dbt_projects import build
from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer

REPO = Path(__file__).resolve().parents[2]
FIXTURES = {
    "big_schema_four_space": REPO / "tests/fixtures/big_schema_four_space",
    "per_model_two_space": REPO / "tests/fixtures/per_model_two_space",
    "demo_duckdb": REPO / "demo_duckdb",
}
IGNORE = shutil.ignore_patterns("target", "logs", "*.duckdb*", ".user.yml")


def yaml_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*.yml"))
        if "target" not in path.parts and path.name not in {"dbt_project.yml", "profiles.yml"}
    }


def assert_only_deliberate_changes(name: str, before: bytes, after: bytes) -> None:
    """``after`` is ``before`` with lines inserted, plus placeholder descriptions that were filled."""
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    if before.endswith(b"\n") != after.endswith(b"\n"):
        pytest.fail(f"{name}: the final newline changed")
    if (b"\r\n" in before) != (b"\r\n" in after):
        pytest.fail(f"{name}: the line endings changed")
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("equal", "insert"):
            continue
        replaced = old[i1:i2]
        filled = all(_is_placeholder_description(line) for line in replaced)
        assert tag == "replace" and filled, f"{name}: lines changed that the run did not own:\n" + "".join(
            difflib.unified_diff(replaced, new[j1:j2])
        )


def _is_placeholder_description(line: str) -> bool:
    try:
        parsed = yaml.safe_load(line.strip().removeprefix("- "))
    except yaml.YAMLError:
        return False
    return isinstance(parsed, dict) and "description" in parsed and is_placeholder(parsed["description"])


def dbt_parses(root: Path) -> None:
    with working_directory(root):
        result = dbtRunner().invoke(
            ["parse", "--project-dir", str(root), "--profiles-dir", str(root), "--quiet",
             "--log-level", "none", "--no-partial-parse"]
        )  # fmt: skip
    assert result.success, f"dbt parse failed after the run: {result.exception}"


@pytest.fixture(scope="session")
def built_fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    built: dict[str, Path] = {}
    for name, source in FIXTURES.items():
        root = tmp_path_factory.mktemp(f"fixture-{name}") / name
        shutil.copytree(source, root, ignore=IGNORE)
        build(root)
        built[name] = root
    return built


@pytest.fixture(params=sorted(FIXTURES))
def fixture_copy(request: pytest.FixtureRequest, built_fixtures: dict[str, Path], tmp_path: Path) -> Path:
    root = tmp_path / request.param
    shutil.copytree(built_fixtures[request.param], root, ignore=shutil.ignore_patterns("target", "logs"))
    return root


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
