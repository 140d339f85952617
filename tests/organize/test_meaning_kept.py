"""`yaml organize` on the layouts of real projects: dbt reads the same project after it, no comment is lost.

Each case is a minimal repro from issue #23: two models ``a`` and ``b`` on DuckDB, the template
``"_{model}.yml"``, and one schema file in a layout dbt accepts. After organize, dbt's own parse of the
project must give the same descriptions, columns, tests and config for every node, and every comment
line of the schema files must still be in one of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_command
from tests.support.organize_checks import comment_lines, dbt_view, lost_comments
from tests.support.projects import dbt, snapshot, write_project

MODELS = {"models/a.sql": "select 1 as id\n", "models/b.sql": "select 1 as id\n"}

CASES = {
    # (1) dbt needs no `version: 2`, and takes the top-level keys in any order.
    "no_version": "models:\n  - name: a\n    description: Model a.\n  - name: b\n    description: Model b.\n",
    "version_last": "# Models.\nmodels:\n  - name: a\n    description: Model a.\n  - name: b\nversion: 2\n",
    # (2) A folded description as the file's last line, without a final newline.
    "folded_at_eof": "version: 2\nmodels:\n  - name: a\n    description: A.\n  - name: b\n"
    "    description: >\n"
    "      Model b, folded.",
    # (3) A folded description that ends an entry in the middle of a file ends the new file.
    "folded_mid_file": "version: 2\nmodels:\n  - name: a\n    description: >\n      Model a, folded.\n"
    "  - name: b\n    description: |-\n      Model b.\n",
    "literal_keep_at_eof": "version: 2\nmodels:\n  - name: b\n    description: B.\n  - name: a\n"
    "    description: |+\n      Model a.\n\n",
    # (4) Section comments a blank line above an entry, in a file organize empties.
    "section_comments": "version: 2\n\n## Staging\n\nmodels:\n  - name: a\n    description: A.\n\n"
    "### Final\n\n  - name: b\n    description: B.\n",
    # (9) Header comments, a commented-out column and a commented-out entry at the ends.
    "commented_out": "# Header: owned by the data team.\nversion: 2\nmodels:\n  - name: a\n    columns:\n"
    "      - name: id\n        description: Id.\n        data_tests: [not_null]\n      # - name: legacy_col\n"
    "  - name: b\n    description: B.\n  # - name: c\n  #   description: gone\n",
    # (10) A literal block whose last line starts with `#` is text, not a comment.
    "literal_hash_line": "version: 2\nmodels:\n  - name: a\n    description: |\n      Model a.\n"
    "      # not a comment\n  - name: b\n    description: B.\n",
}


def _project(root: Path, schema: str, template: str = "_{model}.yml") -> Path:
    write_project(root, MODELS, osmosis_template=template)
    (root / "models/schema.yml").write_text(schema)
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_organize_changes_nothing_dbt_reads_and_loses_no_comment(case: str, tmp_path: Path) -> None:
    root = _project(tmp_path / "project", CASES[case])
    view, comments = dbt_view(root), comment_lines(root)
    result = run_command(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 0, result.output
    files = snapshot(root)
    assert "models/_a.yml" in files and "models/_b.yml" in files, result.output
    assert dbt_view(root) == view
    assert not lost_comments(comments, comment_lines(root))
    again = run_command(root, "yaml", "organize", "--disable-introspection", "--check")
    assert again.exit_code == 0, again.output


TWO_MODELS = "version: 2\nmodels:\n  - name: a\n    description: A.\n  - name: b\n    description: B.\n"


@pytest.mark.parametrize("command", ["organize", "document"])
def test_template_outside_the_folders_dbt_reads_is_refused_before_writing(
    command: str, tmp_path: Path
) -> None:
    # (7) What a 1.x user writes for models/schema.yml: the root's schema.yml, which dbt never reads.
    root = _project(tmp_path / "project", TWO_MODELS, template="/schema.yml")
    (root / "models/c.sql").write_text("select 1 as id\n")  # no entry yet: document would create one
    before = snapshot(root)
    result = run_command(root, "yaml", command, "--disable-introspection")
    assert result.exit_code == 2, result.output
    assert "'/schema.yml'" in result.output and "in schema.yml, where dbt does not read it" in result.output
    assert "'/models/schema.yml'" in result.output  # the fix, spelled out
    assert snapshot(root) == before and not (root / "schema.yml").exists()


def test_template_from_the_project_root_into_a_model_folder_is_accepted(tmp_path: Path) -> None:
    root = _project(tmp_path / "project", CASES["no_version"], template="/models/all.yml")
    view = dbt_view(root)
    result = run_command(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 0, result.output
    assert [path for path in snapshot(root) if path.startswith("models/")] == ["models/all.yml"]
    assert dbt_view(root) == view


def test_entries_sharing_an_anchor_stay_and_every_other_entry_moves(tmp_path: Path) -> None:
    # (10) The anchor and its alias cannot be split across files; that is no reason to stop the run.
    schema = (
        "version: 2\nmodels:\n  - name: a\n    description: &shared Shared.\n"
        "  - name: b\n    description: *shared\n"
    )
    root = _project(tmp_path / "project", schema)
    (root / "models/c.sql").write_text("select 1 as id\n")
    (root / "models/schema.yml").write_text(schema + "  - name: c\n    description: C.\n")
    view = dbt_view(root)
    result = run_command(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 3, result.output
    out = " ".join(result.output.split())
    assert "moved c: models/schema.yml -> models/_c.yml" in out
    # The file named as where each entry is, is the file it is in.
    assert (
        "a: left in models/schema.yml (its template says models/_a.yml): dbt would read models/schema.yml"
        in out
    )
    assert (
        "b: left in models/schema.yml (its template says models/_b.yml): dbt would read it differently" in out
    )
    assert dbt_view(root) == view


def test_refactor_documents_the_nodes_of_a_file_without_version(tmp_path: Path) -> None:
    # (1) refactor used to leave such a file alone, and with it the documenting of its nodes.
    root = _project(tmp_path / "project", CASES["no_version"])
    dbt(root, "run")
    result = run_command(root, "yaml", "refactor")
    assert result.exit_code == 0, result.output
    for name in ("a", "b"):
        entry = yaml.safe_load((root / f"models/_{name}.yml").read_text())["models"][0]
        assert entry["description"] == f"Model {name}." and entry["columns"][0]["name"] == "id"
