"""The project name comes from dbt_project.yml, whatever a partial-parse file left in target/ says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dbt.contracts.graph.manifest import Manifest

from tests.support.cli import RunCli
from tests.support.projects import snapshot


def _rewrite_partial_parse(project: Path, change: Callable[[Any], None], target: str = "target") -> None:
    # What another tool (dbt-osmosis 1.5.0, for one) leaves behind: a manifest dbt will reuse.
    path = project / target / "partial_parse.msgpack"
    manifest = Manifest.from_msgpack(path.read_bytes())
    change(manifest)
    path.write_bytes(manifest.to_msgpack())


def _drop_project_name(manifest: Any) -> None:
    manifest.metadata.project_name = None


def test_check_sees_pending_changes_after_a_foreign_partial_parse_without_project_name(
    chain: Path, run_cli: RunCli
) -> None:
    assert run_cli(chain, "--check").exit_code == 1  # leaves target/partial_parse.msgpack behind
    _rewrite_partial_parse(chain, _drop_project_name)
    result = run_cli(chain, "--check")
    assert result.exit_code == 1, result.output
    assert "would change" in result.output
    assert "int_customers: new entry" in result.output


def test_a_real_run_after_a_foreign_partial_parse_documents_the_project(chain: Path, run_cli: RunCli) -> None:
    assert run_cli(chain, "--check").exit_code == 1
    _rewrite_partial_parse(chain, _drop_project_name)
    result = run_cli(chain)
    assert result.exit_code == 0, result.output
    assert (chain / "models/intermediate/_int_customers.yml").is_file()


def test_zero_nodes_recognised_without_a_selector_is_an_error_that_says_why(
    chain: Path, run_cli: RunCli
) -> None:
    assert run_cli(chain, "--check").exit_code == 1
    before = snapshot(chain)

    def reassign(manifest: Any) -> None:
        for node in manifest.nodes.values():
            node.package_name = "jaffle_shop_old"

    _rewrite_partial_parse(chain, reassign)
    result = run_cli(chain)
    assert result.exit_code == 2, result.output
    assert "test_project" in result.output and "jaffle_shop_old" in result.output
    assert "partial_parse.msgpack" in result.output
    assert snapshot(chain) == before


def test_the_partial_parse_file_to_delete_is_named_in_the_projects_target_path(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", "out")
    assert run_cli(chain, "--check").exit_code == 1

    def reassign(manifest: Any) -> None:
        for node in manifest.nodes.values():
            node.package_name = "jaffle_shop_old"

    _rewrite_partial_parse(chain, reassign, target="out")
    result = run_cli(chain)
    assert result.exit_code == 2, result.output
    assert "delete out/partial_parse.msgpack" in result.output
