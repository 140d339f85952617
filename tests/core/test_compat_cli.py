"""What 1.x users type keeps working: project discovery, `python -m`, workbench, accepted 1.x flags."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dbt.adapters.base.column import Column

from dbt_osmosis import __version__
from dbt_osmosis.cli.main import cli
from dbt_osmosis.core.dbt.catalog import data_type
from tests.support.yaml_checks import columns


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def no_dbt_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DBT_PROJECT_DIR", "DBT_PROFILES_DIR", "DBT_THREADS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_dbt_env")
def test_project_is_found_from_a_sub_folder(chain: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(chain / "models" / "staging")
    result = invoke("yaml", "document", "--check")
    # The chain has gaps: --check finds them, which means the project (and its profiles.yml) was found.
    assert result.exit_code == 1, result.output
    assert "would change" in result.output


@pytest.mark.usefixtures("no_dbt_env")
def test_dbt_project_dir_and_dbt_profiles_dir_are_honoured(
    chain: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    # The profile's relative DuckDB path still resolves from the project folder, as dbt does.
    (chain / "profiles.yml").rename(profiles / "profiles.yml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke(
        "yaml",
        "document",
        "customers",
        env={"DBT_PROJECT_DIR": str(chain), "DBT_PROFILES_DIR": str(profiles)},
    )
    assert result.exit_code == 0, result.output
    assert "status" in columns(chain / "models/marts/_marts.yml", "customers")


@pytest.mark.usefixtures("no_dbt_env")
def test_no_project_anywhere_is_a_clear_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty" / "deeper"
    empty.mkdir(parents=True)
    monkeypatch.chdir(empty)
    result = invoke("yaml", "document")
    assert result.exit_code == 2
    assert "No dbt_project.yml in" in result.output
    assert "DBT_PROJECT_DIR" in result.output
    assert "Traceback" not in result.output


def test_profile_is_passed_to_dbt(chain: Path) -> None:
    profiles = chain / "profiles.yml"
    profiles.write_text(profiles.read_text() + profiles.read_text().replace("test_project:", "other:", 1))
    base = ("yaml", "document", "--project-dir", str(chain), "--profiles-dir", str(chain))
    missing = invoke(*base, "--profile", "no_such_profile", "--disable-introspection")
    assert missing.exit_code == 2
    assert "no_such_profile" in missing.output
    other = invoke(*base, "--profile", "other", "customers")
    assert other.exit_code == 0, other.output
    assert "status" in columns(chain / "models/marts/_marts.yml", "customers")


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dbt_osmosis", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
    assert "dbt-osmosis" in result.stdout


def test_workbench_says_what_to_use_instead() -> None:
    for args in (("workbench",), ("workbench", "--host", "0.0.0.0", "--port", "8502", "--options")):
        result = invoke(*args)
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1
        assert "not part of dbt-osmosis 1.2" in lines[0]
        assert "dbt docs serve" in lines[0] and "sql run" in lines[0]


def test_now_default_flags_are_accepted_and_said_once_at_debug(
    chain: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="dbt_osmosis"):
        result = invoke(
            "yaml",
            "document",
            "--project-dir",
            str(chain),
            "--profiles-dir",
            str(chain),
            "--disable-introspection",
            "--use-unrendered-descriptions",
            "--auto-apply",
            "--log-level",
            "DEBUG",
        )
    assert result.exit_code == 0, result.output
    notes = [r.getMessage() for r in caplog.records if "--use-unrendered-descriptions" in r.getMessage()]
    assert len(notes) == 1
    assert all(r.levelno == logging.DEBUG for r in caplog.records if "--auto-apply" in r.getMessage())
    # The flag changes nothing else: a hand-written description stays.
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["customer_id"]["description"] == "Hand-written mart description."


def test_added_inheritance_for_specified_keys(chain: Path) -> None:
    staging = chain / "models/staging/_staging.yml"
    staging.write_text(
        staging.read_text().replace(
            "        description: Primary key of a customer.\n",
            "        description: Primary key of a customer.\n        policy_tags: [restricted]\n",
        )
    )
    base = ("yaml", "document", "--project-dir", str(chain), "--profiles-dir", str(chain))
    plain = invoke(*base, "--disable-introspection", "customers", "--dry-run")
    assert "policy_tags" not in plain.output
    result = invoke(
        *base, "--disable-introspection", "customers", "--add-inheritance-for-specified-keys", "policy_tags"
    )
    assert result.exit_code == 0, result.output
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["customer_id"]["policy_tags"] == ["restricted"]
    # The hand-written description is kept: only the missing key was inherited.
    assert mart["customer_id"]["description"] == "Hand-written mart description."


@pytest.mark.parametrize(
    ("column", "numeric", "string", "expected"),
    [
        (Column("amount", "numeric", numeric_precision=38, numeric_scale=8), False, False, "numeric"),
        (Column("amount", "numeric", numeric_precision=38, numeric_scale=8), True, False, "numeric(38,8)"),
        (Column("name", "character varying", char_size=128), False, False, "character varying"),
        (Column("name", "character varying", char_size=128), False, True, "character varying(128)"),
        (Column("name", "character varying", char_size=128), True, False, "character varying"),
    ],
)
def test_numeric_precision_and_string_length_flags(
    column: Column, numeric: bool, string: bool, expected: str
) -> None:
    assert data_type(column, numeric, string) == expected


def test_legacy_type_flags_are_accepted_by_their_1_0_names(chain: Path) -> None:
    result = invoke(
        "yaml",
        "document",
        "--project-dir",
        str(chain),
        "--profiles-dir",
        str(chain),
        "--numeric-precision",
        "--char-length",
        "--string-length",
        "--numeric-precision-and-scale",
        "--dry-run",
        "customers",
    )
    assert result.exit_code == 0, result.output


def test_shell_completion_as_documented_lists_the_1x_commands() -> None:
    env = {**os.environ, "_DBT_OSMOSIS_COMPLETE": "bash_source"}
    source = subprocess.run(
        [sys.executable, "-m", "dbt_osmosis"], env=env, capture_output=True, text=True, check=False
    )
    assert "complete -o nosort -F _dbt_osmosis_completion dbt-osmosis" in source.stdout
    words = {
        **env,
        "_DBT_OSMOSIS_COMPLETE": "bash_complete",
        "COMP_WORDS": "dbt-osmosis yaml ",
        "COMP_CWORD": "2",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "dbt_osmosis"], env=words, capture_output=True, text=True, check=False
    )
    assert {"plain,document", "plain,organize", "plain,refactor"} <= set(completed.stdout.split())


# Every option 1.x (1.0.0 to 1.1.17) declared on these commands, with a value where it takes one.
DBT_1X = ["--project-dir", ".", "--profiles-dir", ".", "-t", "dev", "--target", "dev", "--threads", "2"]
YAML_1X = [
    *DBT_1X,
    "-f",
    "a.b",
    "--fqn",
    "a.b",
    "-d",
    "--dry-run",
    "-C",
    "--check",
    "--catalog-path",
    "c.json",
    "--profile",
    "p",
    "--vars",
    "{}",
    "--disable-introspection",
]
DOCUMENT_1X = [
    "-F",
    "--force-inherit-descriptions",
    "--use-unrendered-descriptions",
    "--skip-add-columns",
    "--skip-add-source-columns",
    "--skip-add-tags",
    "--skip-merge-meta",
    "--skip-add-data-types",
    "--add-progenitor-to-meta",
    "--add-inheritance-for-specified-keys",
    "policy_tags",
    "--numeric-precision-and-scale",
    "--numeric-precision",
    "--string-length",
    "--char-length",
    "--output-to-lower",
    "--synthesize",
]


@pytest.mark.parametrize(
    "args",
    [
        ["yaml", "refactor", *YAML_1X, *DOCUMENT_1X, "--auto-apply", "model_a"],
        ["yaml", "document", *YAML_1X, *DOCUMENT_1X, "--auto-apply", "model_a"],
        ["yaml", "organize", *YAML_1X, "--auto-apply", "model_a"],
        ["sql", "run", *DBT_1X, "select 1"],
        ["sql", "compile", *DBT_1X, "select 1"],
        ["workbench", "--project-dir", ".", "--profiles-dir", ".", "--host", "h", "--port", "1", "--config"],
    ],
    ids=["yaml refactor", "yaml document", "yaml organize", "sql run", "sql compile", "workbench"],
)
def test_every_1x_option_is_accepted(args: list[str]) -> None:
    # --help last: click rejects an unknown option while parsing, before --help would answer.
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.output
    assert "No such" not in result.output


def test_1x_index_lookups_in_templates_are_refused_with_the_template_named() -> None:
    from dbt_osmosis.core.dbt.project import Node
    from dbt_osmosis.core.errors import TemplateError
    from dbt_osmosis.core.schema.placement import target_path

    node = Node(
        unique_id="model.p.orders", resource_type="model", name="orders", package_name="p",
        original_file_path="models/marts/orders.sql", patch_path=None, source_name=None, depends_on=(),
        fqn=("p", "marts", "orders"), osmosis_template="{node.fqn[-2]}.yml", database=None, schema=None,
        identifier="orders",
    )  # fmt: skip
    with pytest.raises(TemplateError, match=r"\{node\.fqn\[-2\]\}\.yml"):
        target_path(node)
    # What the migration guide says to write instead: the folder's name.
    assert target_path(replace(node, osmosis_template="{parent}.yml")) == "models/marts/marts.yml"
