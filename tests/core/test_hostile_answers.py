"""A provider that answers whatever it likes cannot break the dbt project or leak a secret through it.

The real OpenAI SDK talks to the fake server in hostile mode; after each `--synthesize` run a real
`dbt parse` must pass, `target/manifest.json` must not hold the API key, and every description must
read back (with PyYAML, as dbt reads it, and from dbt's rendered manifest) as the text the model meant.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbt_osmosis.core.dbt.project import working_directory
from dbt_osmosis.core.synthesis.answer_text import clean_text, description_from_answer, truncate_at_sentence
from dbt_osmosis.core.synthesis.quality import text_problem
from tests.fakes.fake_provider import HOSTILE_TEXTS, FakeProviderServer, HostileResponder
from tests.support.cli import RunCli
from tests.support.projects import ProjectStore, built_from

pytestmark = pytest.mark.slow

# One request at a time: which hostile text lands where is then the same on every run.
FAST = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0", "--llm-concurrency", "1")
#: Looks like nothing the key patterns know, so only the verbatim secret list can hide it.
SECRET = "hostile-test-credential-5b1e0c"
COLUMNS = [f"c{index:02d}" for index in range(1, 17)]
#: Every hostile text, YAML 1.1 words ("Yes", "Off", "on", "12:30") included: the writer quotes them.
TEXTS = HOSTILE_TEXTS

WIDE_FILES = {
    "models/wide.sql": "select " + ", ".join(f"{i} as {name}" for i, name in enumerate(COLUMNS)) + "\n",
    "models/wide_child.sql": "select * from {{ ref('wide') }}\n",
    # DuckDB reads the backslash literally: the first literal ends at its second quote.
    "models/paths.sql": "select 'C:\\temp\\' as win_path, 'hunter2-in-sql' as db_password\n",
    "models/_models.yml": """
        version: 2
        models:
          - name: wide
          - name: wide_child
            description: Hand-written child description.
    """,
}


@pytest.fixture
def wide(project_store: ProjectStore, tmp_path: Path) -> Path:
    return project_store.copy("wide", built_from(WIDE_FILES), tmp_path / "project")


@pytest.fixture
def hostile_env(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> None:
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    # The key dbt's env_var() would read if a model's Jinja were ever rendered live.
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    # Not streamed: a streamed reply past the output limit is cut off as a failure before it is read
    # (tested with streaming), and here the 10,000-character answer must arrive whole to be shortened.
    monkeypatch.setenv("OSMOSIS_LLM_STREAM", "false")


def dbt_parse(root: Path) -> dict[str, Any]:
    """Run a real `dbt parse` (the next thing a user does) and return the manifest it wrote."""
    from dbt.cli.main import dbtRunner

    args = [
        "parse",
        "--project-dir",
        str(root),
        "--profiles-dir",
        str(root),
        "--quiet",
        "--log-level",
        "none",
    ]
    with working_directory(root):
        result = dbtRunner().invoke([*args, "--no-partial-parse"])
    assert result.success, f"dbt parse failed after the run: {result.exception}"
    manifest_text = (root / "target" / "manifest.json").read_text(encoding="utf-8")
    assert SECRET not in manifest_text
    manifest: dict[str, Any] = json.loads(manifest_text)
    return manifest


def yaml_descriptions(root: Path) -> dict[tuple[str, str], object]:
    """Every model description as PyYAML (dbt's reader) sees it; "" keys the model's own."""
    found: dict[tuple[str, str], object] = {}
    entries = [
        entry
        for path in sorted((root / "models").glob("*.yml"))
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    ]
    for entry in entries:
        found[(entry["name"], "")] = entry.get("description")
        for column in entry.get("columns") or []:
            found[(entry["name"], str(column["name"]))] = column.get("description")
    return found


def manifest_descriptions(manifest: dict[str, Any]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        found[(node["name"], "")] = node["description"]
        for name, column in node["columns"].items():
            found[(node["name"], name)] = column["description"]
    return found


def test_hostile_answers_are_written_as_the_text_the_model_meant(
    wide: Path, run_cli: RunCli, hostile_env: None, fake_provider: FakeProviderServer
) -> None:
    responder = HostileResponder(TEXTS)
    fake_provider.responder = responder
    result = run_cli(wide, *FAST)
    # The empty answer fails its column, and so do the ones that say nothing ("~", "on", the
    # 10,000-character essay): reported, exit 3, everything else written.
    assert result.exit_code == 3, result.output
    assert "empty answer for" in result.output
    assert "rejected for quality" in result.output

    manifest = dbt_parse(wide)
    written = yaml_descriptions(wide)
    rendered = manifest_descriptions(manifest)
    assert set(TEXTS) <= set(responder.given.values()), "every hostile text was answered"
    for (model, name), text in responder.given.items():
        if (model, name) == ("wide_child", ""):
            continue  # answered, but hand-written text is never replaced (checked below)
        # A place asked twice (the first answer was unusable, so it was asked again) holds one of them.
        answers = responder.history[(model, name)]
        meant = {truncate_at_sentence(clean_text(answer), 1000) for answer in answers}
        if not written.get((model, name)):
            # Only an empty answer, or one that says nothing, leaves a place unfilled.
            unusable = [
                a for a in answers if not clean_text(a) or text_problem(a, name or model, max_chars=1000)
            ]
            copies = [a for a in answers if clean_text(a) == clean_text(responder.given.get((model, "")))]
            assert len(unusable) + len(copies) >= 1, (model, name)
            continue
        assert written[(model, name)] in {description_from_answer(a) for a in answers}, (
            model,
            name,
            text[:40],
        )
        assert rendered[(model, name)] in meant, (model, name, text[:40])
    # Inherited downstream, the text still renders as what the model meant.
    for name in COLUMNS:
        if written.get(("wide", name)):
            assert rendered[("wide_child", name)] == rendered[("wide", name)]
    assert rendered[("wide_child", "")] == "Hand-written child description."


def test_a_second_run_after_hostile_answers_changes_nothing(
    wide: Path, run_cli: RunCli, hostile_env: None, fake_provider: FakeProviderServer
) -> None:
    # Only texts that say something, each used once (a column's text equal to the model's would be
    # rejected as a copy of the model description).
    usable = tuple(text for text in TEXTS if text and text_problem(text, "c01", max_chars=1000) is None)
    fake_provider.responder = HostileResponder(usable + tuple(f"{text} (again)" for text in usable))
    first = run_cli(wide, *FAST)
    assert first.exit_code == 0, first.output
    before = (wide / "models" / "_models.yml").read_bytes()
    fake_provider.reset()
    second = run_cli(wide, *FAST)
    assert second.exit_code == 0, second.output
    assert fake_provider.requests == []
    assert (wide / "models" / "_models.yml").read_bytes() == before


def test_redacted_literals_never_reach_the_provider(
    wide: Path,
    run_cli: RunCli,
    hostile_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSMOSIS_LLM_REDACT_LITERALS", "true")
    result = run_cli(wide, *FAST, "paths")
    assert result.exit_code == 0, result.output
    (request,) = fake_provider.requests
    assert "hunter2-in-sql" not in request.prompt_text
    assert "'***' as win_path, '***' as db_password" in request.prompt_text


def test_a_key_echoed_in_a_response_header_never_reaches_the_debug_log(
    wide: Path, hostile_env: None, fake_provider: FakeProviderServer
) -> None:
    # A real process, as a user runs it: logging configured by the CLI, httpcore writing to stderr.
    texts = ("Paths seen on the build machine.", "Folder the export went to.", "Kept for the audit.")
    fake_provider.responder = HostileResponder(texts, echo_credentials=True)
    command = [str(Path(sys.executable).parent / "dbt-osmosis"), "yaml", "document", "paths"]
    command += ["--project-dir", str(wide), "--profiles-dir", str(wide), "--log-level", "DEBUG", *FAST]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    # The header did come back, and the HTTP library did log it (with the key masked).
    assert fake_provider.requests
    assert "x-echoed-credential" in done.stderr
    assert SECRET not in done.stderr and SECRET not in done.stdout
