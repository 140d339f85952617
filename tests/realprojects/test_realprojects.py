"""Real public dbt projects, vendored under tests/realprojects/ (see its README for sources and changes).

For each project, on a private copy of a built warehouse:
1. `yaml document`: the original files keep every line byte for byte (lines are only inserted),
   `dbt parse` passes;
2. `yaml document --synthesize` against the fake provider: still insertion-only (placeholder
   descriptions may be filled), every model, seed, snapshot and source table of the project and every
   one of their columns (the warehouse's columns included) has a real description, `dbt parse` passes,
   and at most one request went out per node that still had gaps (one per 40-column chunk);
3. the same command again changes nothing and asks nothing.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer
from tests.support.projects import ProjectStore, copy_project, dbt
from tests.support.yaml_checks import assert_only_deliberate_changes

from dbt_osmosis.core.document.inheritance import is_placeholder

HERE = Path(__file__).resolve().parent
PACKAGES = HERE / "_packages"  # one copy of each vendored dbt package version, shared by the projects
# Files a dbt run produces; everything else in a project copy is the project.
RUN_OUTPUT = shutil.ignore_patterns("target", "logs", "*.duckdb*", ".user.yml", "package-lock.yml")
SYNTHESIZE = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0")
# Every vendored profile reads its DuckDB file from this variable (default warehouse.duckdb). dbt-duckdb
# keeps one open database per process for equal credentials, so two projects (or a project and its
# copy) with the same relative path would share whichever file was opened first; absolute paths don't.
DUCKDB_PATH = "DUCKDB_PATH"
WAREHOUSE = "warehouse.duckdb"
CHUNK = 40  # columns per request; wider tables are split (README: "more than 40 missing columns")
DOCUMENTED = ("model", "seed", "snapshot")


def load_raw_csvs(folder: str, schema: str, prefix: str = "", suffix: str = "") -> Callable[[Path], None]:
    """A loader that puts each CSV of ``folder`` into ``schema`` as a table, as an EL tool would."""

    def load(root: Path) -> None:
        with duckdb.connect(str(root / WAREHOUSE)) as con:
            con.execute(f'create schema if not exists "{schema}"')
            for csv in sorted((root / folder).glob("*.csv")):
                table = csv.stem.removeprefix(prefix).removesuffix(suffix)
                con.execute(
                    f'create or replace table "{schema}"."{table}" as select * from read_csv(?, header=true)',
                    [str(csv)],
                )

    return load


@dataclass(frozen=True)
class RealProject:
    """How to build one vendored project so every relation it documents exists in DuckDB."""

    folder: str
    commands: tuple[str, ...] = ("seed", "run")
    # Vendored packages (folders of _packages/, named <package>-<version>) that `dbt deps` would have
    # installed; the build puts each into the private copy's dbt_packages/<package>.
    packages: tuple[str, ...] = ()
    load: Callable[[Path], None] | None = None
    vars: Mapping[str, Any] = field(default_factory=dict)


FIVETRAN_PACKAGES = ("dbt_utils-1.3.3", "fivetran_utils-0.4.10", "spark_utils-0.3.3")
EVALUATOR_PACKAGES = ("dbt_project_evaluator-927abbd", "dbt_utils-1.3.3")

PROJECTS = {
    "codegen_it": RealProject(
        "codegen_it",
        commands=("seed", "run-operation create_source_table", "run"),
        packages=("codegen-526cb1f", "dbt_utils-1.3.3"),
    ),
    "dbt_artifacts_it": RealProject(
        "dbt_artifacts_it",
        # microbatch does not compile on dbt-duckdb: it stays unbuilt and gets no columns
        commands=("seed", "run -s package:artifacts_integration_tests --exclude microbatch", "snapshot"),
        packages=("dbt_artifacts-6d37fa0",),
    ),
    "dbt_expectations_it": RealProject(
        "dbt_expectations_it", commands=("run",), packages=("dbt_date-0.9.2", "dbt_expectations-c7dc2af")
    ),
    "github_source": RealProject(
        "github_source",
        commands=("run",),
        load=load_raw_csvs("integration_tests/seeds", "github", prefix="github_", suffix="_data"),
        packages=FIVETRAN_PACKAGES,
    ),
    "jaffle_shop": RealProject("jaffle_shop"),
    "project_evaluator": RealProject("project_evaluator", commands=("seed",), packages=EVALUATOR_PACKAGES),
    "project_evaluator_2": RealProject(
        "project_evaluator_2", commands=("seed",), packages=EVALUATOR_PACKAGES
    ),
    "octo_jaffle_shop": RealProject(
        "octo_jaffle_shop",
        commands=("seed", "run --selector jaffle_shop"),
        packages=("codegen-0.13.1", "dbt_project_evaluator-1.0.0", "dbt_utils-1.3.0", "spark_utils-0.3.0"),
    ),
    "stripe_source": RealProject(
        "stripe_source",
        commands=("run",),
        load=load_raw_csvs("integration_tests/seeds", "stripe", suffix="_data"),
        packages=FIVETRAN_PACKAGES,
    ),
}


def install_packages(root: Path, packages: tuple[str, ...]) -> None:
    """What `dbt deps` would do offline: copy each vendored package into the project's dbt_packages/."""
    for folder in packages:
        package = folder.rsplit("-", 1)[0]
        shutil.copytree(PACKAGES / folder, root / "dbt_packages" / package)


def vars_of(name: str) -> tuple[str, ...]:
    """``--vars`` for a project that needs them (dbt and dbt-osmosis take the same flag)."""
    spec = PROJECTS[name]
    return ("--vars", json.dumps(dict(spec.vars))) if spec.vars else ()


def built_project(name: str) -> Callable[[Path], None]:
    """A ``make`` for the project store: raw data loaded, seeds, models, snapshots, as the project needs."""

    def make(root: Path) -> None:
        spec = PROJECTS[name]
        shutil.copytree(HERE / spec.folder, root, ignore=RUN_OUTPUT)
        install_packages(root, spec.packages)
        if spec.load:
            spec.load(root)
        with pytest.MonkeyPatch.context() as env:
            env.setenv(DUCKDB_PATH, str(root / WAREHOUSE))
            for command in spec.commands:
                dbt(root, *command.split(), *vars_of(name))

    return make


def project_files(root: Path) -> dict[str, bytes]:
    """Every file of the project (packages included), not what dbt or DuckDB write."""
    skip = {"target", "logs"}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not skip.intersection(path.relative_to(root).parts)
        and ".duckdb" not in path.name
        and path.name not in {".user.yml", "package-lock.yml"}
    }


def assert_insertions_only(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> None:
    """Project YAML only gains lines; nothing else changes; new files are YAML of the project."""
    for name, text in before.items():
        assert name in after, f"{name} was deleted"
        if name.endswith(".yml") and not name.startswith("dbt_packages/") and name != "profiles.yml":
            assert_lines_kept(name, text, after[name])
        else:
            assert after[name] == text, f"{name} changed, and a run must never touch it"
    for name in after.keys() - before.keys():
        assert name.endswith(".yml") and not name.startswith("dbt_packages/"), f"unexpected new file {name}"


def assert_lines_kept(name: str, before: bytes, after: bytes) -> None:
    """Insertion-only; a last line without a newline gains one when lines are inserted after it."""
    assert before.endswith(b"\n") == after.endswith(b"\n"), f"{name}: the final newline changed"
    if before and not before.endswith(b"\n"):
        before, after = before + b"\n", after + b"\n"
    assert_only_deliberate_changes(name, before, after)


def parsed_manifest(root: Path, name: str) -> dict[str, Any]:
    """`dbt parse` from scratch must pass; its manifest, as written to target/."""
    dbt(root, "parse", "--no-partial-parse", *vars_of(name))
    manifest: dict[str, Any] = json.loads((root / "target/manifest.json").read_text())
    return manifest


def documented_nodes(manifest: Mapping[str, Any], *, versions: bool = False) -> Iterator[dict[str, Any]]:
    """The project's own models, seeds, snapshots and source tables (packages' nodes are not ours)."""
    project = manifest["metadata"]["project_name"]
    for node in manifest["nodes"].values():
        # Versioned models are documented, but a column only one version has cannot always be placed
        # (README, "Versioned models"): a remaining gap there is deliberate, not a failure. They are
        # counted only where the run may ask for them (``versions``).
        if node.get("version") is not None and not versions:
            continue
        if node["resource_type"] in DOCUMENTED and node["package_name"] == project:
            yield node
    for node in manifest["sources"].values():
        if node["package_name"] == project:
            yield node


def warehouse_columns(root: Path) -> dict[tuple[str, str], set[str]]:
    with duckdb.connect(str(root / WAREHOUSE), read_only=True) as con:
        rows = con.execute("select table_schema, table_name, column_name from information_schema.columns")
        found: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in rows.fetchall():
            found.setdefault((schema.lower(), table.lower()), set()).add(column.lower())
    return found


def gaps(
    manifest: Mapping[str, Any], warehouse: Mapping[tuple[str, str], set[str]], *, versions: bool = False
) -> dict[str, list[str]]:
    """What is undocumented, by node: "" for the node's own description, else column names."""
    missing: dict[str, list[str]] = {}
    for node in documented_nodes(manifest, versions=versions):
        relation = (node["schema"].lower(), (node.get("identifier") or node["alias"]).lower())
        written = {name.lower(): col for name, col in node["columns"].items()}
        holes = [""] if is_placeholder(node["description"] or None) else []
        holes += [name for name, col in written.items() if is_placeholder(col["description"] or None)]
        holes += sorted(warehouse.get(relation, set()) - written.keys())
        if holes:
            missing[node["unique_id"]] = holes
    return missing


def requests_allowed(missing: Mapping[str, list[str]]) -> int:
    """One request per node with gaps, one per chunk of columns for wide ones."""
    return sum(max(1, math.ceil(len([c for c in holes if c]) / CHUNK)) for holes in missing.values())


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer) -> FakeProviderServer:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{fake_provider.base_url}/v1")
    return fake_provider


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_project_document_synthesize_and_rerun(
    name: str,
    project_store: ProjectStore,
    tmp_path: Path,
    run_cli: Any,
    llm_env: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / name
    copy_project(project_store.built(f"real-{name}", built_project(name), folder=name), root)
    monkeypatch.setenv(DUCKDB_PATH, str(root / WAREHOUSE))
    vars_args = vars_of(name)
    original = project_files(root)
    warehouse = warehouse_columns(root)

    documented = run_cli(root, *vars_args)
    assert documented.exit_code == 0, documented.output
    assert_insertions_only(original, project_files(root))
    still_missing = gaps(parsed_manifest(root, name), warehouse, versions=True)
    assert not llm_env.requests

    synthesized = run_cli(root, *vars_args, *SYNTHESIZE)
    assert synthesized.exit_code == 0, synthesized.output
    after = project_files(root)
    assert_insertions_only(original, after)
    assert gaps(parsed_manifest(root, name), warehouse) == {}, "gaps left after --synthesize"
    asked = len(llm_env.requests)
    assert 0 < asked <= requests_allowed(still_missing), (asked, still_missing)

    llm_env.reset()
    again = run_cli(root, *vars_args, *SYNTHESIZE)
    assert again.exit_code == 0, again.output
    assert project_files(root) == after, "a second run changed the project"
    assert llm_env.requests == []


def with_template(root: Path, template: str) -> None:
    """Give every model of the project's own ``models:`` config a dbt-osmosis path template."""
    from ruamel.yaml import YAML

    parser = YAML()
    parser.preserve_quotes = True
    path = root / "dbt_project.yml"
    config = parser.load(path.read_text())
    models = config.get("models") or {}
    config["models"] = models
    own = models.get(config["name"]) or {}
    models[config["name"]] = own
    own["+dbt-osmosis"] = template
    with path.open("w") as handle:
        parser.dump(config, handle)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_project_organize_keeps_what_dbt_reads(
    name: str, project_store: ProjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # #23: on every project, organize (template "_{model}.yml") never refuses the run (exit 0 or 3),
    # and dbt reads the same descriptions, columns, tests and config after it, with no comment lost.
    from tests.support.cli import run_command
    from tests.support.organize_checks import comment_lines, dbt_view, lost_comments

    root = tmp_path / name
    copy_project(project_store.built(f"real-{name}", built_project(name), folder=name), root)
    monkeypatch.setenv(DUCKDB_PATH, str(root / WAREHOUSE))
    with_template(root, "_{model}.yml")
    vars_args = vars_of(name)
    dry = run_command(root, "yaml", "organize", "--dry-run", "--disable-introspection", *vars_args)
    assert dry.exit_code in (0, 3), dry.output
    view, comments = dbt_view(root, *vars_args), comment_lines(root)
    organized = run_command(root, "yaml", "organize", "--disable-introspection", *vars_args)
    assert organized.exit_code in (0, 3), organized.output
    assert dbt_view(root, *vars_args) == view
    assert not lost_comments(comments, comment_lines(root))


#: Projects the batch test runs: the quickest and most varied, about 70 s in all on two shared cores
#: (seeds; sources loaded raw with Fivetran's packages; a source table made by a run-operation; a
#: selector and four packages; the project evaluator's seeds). All nine were checked the same way once
#: (2026-12-06, 176 s): the same bytes each time.
BATCH_PROJECTS = ("jaffle_shop", "octo_jaffle_shop", "github_source", "codegen_it", "project_evaluator_2")


def run_batched(run_cli: Any, root: Path, server: FakeProviderServer, *args: str) -> list[int]:
    """``--llm-batch`` again and again, the fake completing the batches in between, until not pending."""
    from dbt_osmosis.exit_codes import ExitCode

    codes: list[int] = []
    for _ in range(20):
        result = run_cli(root, *args, *SYNTHESIZE, "--llm-batch")
        codes.append(int(result.exit_code))
        if result.exit_code != ExitCode.PENDING:
            assert result.exit_code == 0, result.output
            return codes
        server.batches.complete_all()
    raise AssertionError(f"still pending after {len(codes)} runs: {codes}")


@pytest.mark.slow
@pytest.mark.parametrize("name", BATCH_PROJECTS)
def test_real_project_batch_writes_what_a_synchronous_run_writes(
    name: str,
    project_store: ProjectStore,
    tmp_path: Path,
    run_cli: Any,
    llm_env: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # #21: the same project synthesized through the provider's batch API (one batch per DAG wave,
    # collected by rerunning) and synchronously, on fresh copies: the same YAML, byte for byte.
    built = project_store.built(f"real-{name}", built_project(name), folder=name)
    roots = {kind: tmp_path / kind / name for kind in ("sync", "batch")}
    for root in roots.values():
        copy_project(built, root)
    vars_args = vars_of(name)
    monkeypatch.setenv(DUCKDB_PATH, str(roots["sync"] / WAREHOUSE))
    synchronous = run_cli(roots["sync"], *vars_args, *SYNTHESIZE)
    assert synchronous.exit_code == 0, synchronous.output
    llm_env.reset()
    monkeypatch.setenv(DUCKDB_PATH, str(roots["batch"] / WAREHOUSE))
    codes = run_batched(run_cli, roots["batch"], llm_env, *vars_args)
    assert codes[0] == 4 and len(llm_env.batches.batches) >= 1
    assert not llm_env.requests, "a batch run sent synchronous requests"
    assert project_files(roots["batch"]) == project_files(roots["sync"])
