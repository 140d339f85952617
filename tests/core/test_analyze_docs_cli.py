"""`analyze docs`: coverage figures a CI job can gate on, read from the YAML as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from dbt_osmosis import api
from dbt_osmosis.core.analyze import DocsThresholds
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli, run_command, run_review
from tests.support.llm import FAST
from tests.support.projects import snapshot, write_project

from .test_anchors_cli import FILES as ANCHOR_FILES
from .test_anchors_cli import SCHEMA as ANCHOR_SCHEMA


def analyze(project: Path, *args: str) -> Result:
    """``dbt-osmosis analyze docs`` on the project."""
    return run_command(project, "analyze", "docs", *args)


def report_of(result: Result) -> dict:
    report: dict = json.loads(result.stdout)
    return report


def test_json_report_carries_coverage_per_model_folder_and_total_and_gates_on_the_threshold(
    chain: Path,
) -> None:
    before = snapshot(chain)
    result = analyze(chain, "--format", "json", "--allow-gaps", "--min-column-coverage", "10")
    report = report_of(result)
    total = report["total"]
    # Three models (the seed is not counted); the YAML lists the columns that count.
    assert total["models"] == 3
    stg = next(m for m in report["models"] if m["name"] == "stg_customers")
    # customer_id is documented; first_name has a placeholder and status an empty text.
    assert (stg["columns"], stg["columns_documented"], stg["folder"]) == (3, 1, "models/staging")
    assert set(report["folders"]) >= {"models/staging", "models/marts", "models/intermediate"}
    assert total["column_coverage"] == round(100 * total["columns_documented"] / total["columns"], 2)
    assert {
        "model": "stg_customers",
        "column": "first_name",
        "reason": "column description missing",
        "path": "models/staging/_staging.yml",
    } in report["gaps"]
    assert result.exit_code == 0, result.output  # 10% and gaps allowed
    # Under the threshold: exit 1 and the reason on stderr; gaps fail by default too.
    assert analyze(chain, "--format", "json", "--allow-gaps").exit_code == 1
    failing = analyze(chain, "--min-column-coverage", "0")
    assert failing.exit_code == 1 and "documentation gap(s)" in failing.stderr
    assert snapshot(chain) == before  # analyze writes nothing


def test_lengths_model_filter_and_dbt_selection(chain: Path) -> None:
    short = report_of(analyze(chain, "--format", "json", "--min-column-length", "30", "-s", "stg_customers"))
    assert [m["name"] for m in short["models"]] == ["stg_customers"]
    # "Primary key of a customer." is 26 characters: too short for 30.
    assert short["models"][0]["columns_documented"] == 0
    assert any("too short (26 < 30 characters)" in gap["reason"] for gap in short["gaps"])
    filtered = report_of(
        analyze(chain, "--format", "json", "--model-filter", "customers", "--exclude", "customers")
    )
    assert sorted(m["name"] for m in filtered["models"]) == ["int_customers", "stg_customers"]


def test_markdown_report_to_a_file_reads_as_a_pull_request_comment(chain: Path, tmp_path: Path) -> None:
    out = tmp_path / "coverage.md"
    result = analyze(
        chain, "--format", "markdown", "-o", str(out), "--allow-gaps", "--min-column-coverage", "0"
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("### Documentation coverage\n")
    assert "| name | models | columns | coverage | by LLM | unreviewed | edited |" in text
    assert "| stg_customers | 1/1 | 1/3 | 33.3% | 0 | 0 | 0 |" in text
    assert "| total |" in text and "<summary>" in text


def test_after_a_full_synthesis_full_coverage_passes_and_model_written_text_is_counted(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    assert analyze(chain, "--min-column-coverage", "100").exit_code == 1
    assert run_cli(chain, *FAST, "--llm-mark-generated").exit_code == 0
    result = analyze(chain, "--min-column-coverage", "100", "--format", "json")
    assert result.exit_code == 0, result.output
    total = report_of(result)["total"]
    assert total["column_coverage"] == 100.0 and total["model_coverage"] == 100.0
    assert total["model_written"] > 0 and total["unreviewed"] == total["model_written"]
    assert run_review(chain, "--accept").exit_code == 0
    assert report_of(analyze(chain, "--format", "json"))["total"]["unreviewed"] == 0


def test_an_anchored_entry_fails_the_gate_even_when_everything_is_documented(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", ANCHOR_FILES)
    (root / "models/schema.yml").write_text(ANCHOR_SCHEMA)
    result = analyze(root, "--allow-gaps", "--min-column-coverage", "0")
    assert result.exit_code == 3, result.output
    assert "shared through a YAML anchor" in result.stderr


def test_the_api_returns_the_same_figures(chain: Path) -> None:
    run = api.AnalyzeDocsRun(
        project=api.ProjectLocation(project_dir=chain, profiles_dir=chain),
        thresholds=DocsThresholds(model_filter="stg"),
        fail_on_gaps=False,
        min_column_coverage=0,
    )
    report = api.analyze_docs(run)
    assert [m.name for m in report.models] == ["stg_customers"]
    assert report.exit_code == 0 and report.total.columns_documented == 1


@pytest.mark.parametrize("bad", ["101", "-1"])
def test_a_threshold_outside_0_to_100_is_refused(chain: Path, bad: str) -> None:
    assert analyze(chain, "--min-column-coverage", bad).exit_code == 2


def test_a_model_filter_or_selection_matching_no_model_is_an_error_not_a_passing_gate(chain: Path) -> None:
    typo = analyze(chain, "--model-filter", "zzz", "--format", "json")
    assert typo.exit_code == 2, typo.output
    assert "model filter 'zzz'" in typo.stderr and typo.stdout == ""
    # A selection holding only a seed counts no model either: the same, named.
    seeds = analyze(chain, "-s", "raw_customers")
    assert seeds.exit_code == 2 and "--select raw_customers holds no model" in seeds.stderr, seeds.output


def test_rows_are_sorted_by_folder_then_model_name_in_every_format(tmp_path: Path) -> None:
    files = {
        "models/b/alpha.sql": "select 1 as id\n",
        "models/a/zeta.sql": "select 1 as id\n",
        "models/a/beta.sql": "select 1 as id\n",
    }
    root = write_project(tmp_path / "project", files)
    gate = ("--allow-gaps", "--min-column-coverage", "0")
    report = report_of(analyze(root, "--format", "json", *gate))
    assert [(m["folder"], m["name"]) for m in report["models"]] == [
        ("models/a", "beta"),
        ("models/a", "zeta"),
        ("models/b", "alpha"),
    ]
    for kind in ("markdown", "table"):
        text = analyze(root, "--format", kind, *gate).stdout
        positions = [text.index(name) for name in ("beta", "zeta", "alpha")]
        assert positions == sorted(positions), text
