"""Bad input: one clear line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import RunCli
from tests.support.projects import snapshot


def assert_refused(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    assert "Traceback" not in result.output


def test_missing_dbt_project_yml(tmp_path: Path, run_cli: RunCli) -> None:
    assert_refused(run_cli(tmp_path), "No dbt_project.yml", str(tmp_path.resolve()))


def test_broken_profile(chain: Path, run_cli: RunCli) -> None:
    (chain / "profiles.yml").write_text("test_project:\n  target: dev\n  outputs: {}\n")
    before = snapshot(chain)
    assert_refused(run_cli(chain), "dbt could not load the project")
    assert snapshot(chain) == before


def test_yaml_that_does_not_parse_names_file_and_line(chain: Path, run_cli: RunCli) -> None:
    bad = chain / "models/marts/_marts.yml"
    bad.write_text(bad.read_text() + "      - name: [unclosed\n")
    before = snapshot(chain)
    result = run_cli(chain, "--disable-introspection")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert snapshot(chain) == before


def test_template_into_a_file_dbt_does_not_read_is_refused(chain: Path, run_cli: RunCli) -> None:
    # A file dbt does not read (not under a resource path) but the template sends a new entry into:
    # refused before the file is even read, since dbt would never see what the run wrote there (#23).
    project_file = chain / "dbt_project.yml"
    project_file.write_text(
        project_file.read_text() + 'models:\n  test_project:\n    +dbt-osmosis: "/docs/all.yml"\n'
    )
    (chain / "docs").mkdir()
    (chain / "docs/all.yml").write_text("version: 2\nmodels:\n  - name: x\n    description: 'open\n")
    before = snapshot(chain)
    assert_refused(run_cli(chain, "--disable-introspection"), "'/docs/all.yml'", "where dbt does not read it")
    assert snapshot(chain) == before


def test_selector_that_matches_nothing(chain: Path, run_cli: RunCli) -> None:
    assert_refused(run_cli(chain, "no_such_model"), "no_such_model", "matches")


def test_unreadable_catalog(chain: Path, run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert_refused(run_cli(chain, "--catalog-path", str(missing)), "Cannot read the catalog", "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert_refused(run_cli(chain, "--catalog-path", str(broken)), "not valid JSON")


def test_unrenderable_path_template(chain: Path, run_cli: RunCli) -> None:
    project_file = chain / "dbt_project.yml"
    project_file.write_text(
        project_file.read_text() + 'models:\n  test_project:\n    +dbt-osmosis: "{nonsense}.yml"\n'
    )
    before = snapshot(chain)
    assert_refused(run_cli(chain), "{nonsense}.yml", "int_customers")
    assert snapshot(chain) == before


def test_locked_warehouse_is_one_clear_line(chain: Path) -> None:
    import subprocess
    import sys

    import duckdb

    before = snapshot(chain)
    holder = duckdb.connect(str(chain / "warehouse.duckdb"))  # another program has the file open
    try:
        result = subprocess.run(
            [sys.executable, "-m", "dbt_osmosis.cli.main", "yaml", "document", "--project-dir", str(chain),
             "--profiles-dir", str(chain)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        holder.close()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Cannot read the columns" in result.stderr and "--catalog-path" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(chain) == before


def test_one_unreadable_relation_warns_and_the_run_goes_on(chain: Path, run_cli: RunCli) -> None:
    # A real pattern (brooklyn-data/dbt_artifacts): a source table named as a quoted identifier that
    # this warehouse cannot quote. That node gets no columns; every other node is still documented.
    (chain / "models/staging/_sources.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    schema: main\n    tables:\n"
        "      - name: '\"GROUP\"'\n      - name: stg_customers\n"
    )
    result = run_cli(chain)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert 'app."GROUP"' in result.output and "zero-length delimited identifier" in result.output
    assert "Runtime Error" not in result.output  # dbt's header line says nothing; the reason is shown
    written = (chain / "models/staging/_sources.yml").read_text()
    assert "- name: '\"GROUP\"'\n      - name: stg_customers\n        columns:\n" in written
    assert "- name: first_name" in written
