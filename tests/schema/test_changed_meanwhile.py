"""A file changed on disk while a run worked is left as it now is, never overwritten with the run's
version of what it used to hold."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dbt_osmosis.core.schema.writable import write_files
from dbt_osmosis.core.schema.yamlio import SchemaFile

ORIGINAL = "version: 2\nmodels:\n  - name: orders\n"


def edited(path: Path) -> SchemaFile:
    schema_file = SchemaFile.read(path, path.name)
    schema_file.make_editable()
    schema_file.data["models"][0]["description"] = "Written by the run."
    schema_file.touch()
    return schema_file


def test_a_file_saved_by_someone_during_the_run_keeps_their_edit(tmp_path: Path) -> None:
    path = tmp_path / "schema.yml"
    path.write_text(ORIGINAL)
    schema_file = edited(path)
    theirs = ORIGINAL + "    description: Typed by a person while the run worked.  # keep me\n"
    path.write_text(theirs)
    blocked: dict[str, str] = {}
    assert write_files([schema_file], blocked) == []
    assert path.read_text() == theirs
    assert "changed on disk while the run worked" in blocked["schema.yml"]


def test_a_file_deleted_or_created_during_the_run_is_left_alone(tmp_path: Path) -> None:
    moved = tmp_path / "schema.yml"
    moved.write_text(ORIGINAL)
    schema_file = edited(moved)
    moved.rename(tmp_path / "_models.yml")  # `git mv` while the run worked
    new = SchemaFile.new(tmp_path / "_orders.yml", "_orders.yml")
    new.data["models"] = CommentedSeq([CommentedMap(name="orders")])
    (tmp_path / "_orders.yml").write_text("version: 2\n")  # someone created it meanwhile
    blocked: dict[str, str] = {}
    assert write_files([schema_file, new], blocked) == []
    assert not moved.exists()  # not recreated next to its renamed copy (dbt would read both)
    assert (tmp_path / "_orders.yml").read_text() == "version: 2\n"
    assert "deleted or moved" in blocked["schema.yml"]
    assert "created by something else" in blocked["_orders.yml"]


def test_a_group_with_a_file_changed_meanwhile_is_not_written_at_all(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    for path in (first, second):
        path.write_text(ORIGINAL)
    files = [edited(first), edited(second)]
    second.write_text(ORIGINAL + "# theirs\n")
    blocked: dict[str, str] = {}
    assert write_files(files, blocked, together=[["a.yml", "b.yml"]]) == []
    assert first.read_text() == ORIGINAL  # written, then put back
    assert second.read_text() == ORIGINAL + "# theirs\n"


def test_an_unchanged_file_is_written_and_can_be_written_again(tmp_path: Path) -> None:
    path = tmp_path / "schema.yml"
    path.write_text(ORIGINAL)
    schema_file = edited(path)
    assert write_files([schema_file], {}) == ["schema.yml"]
    assert "Written by the run." in path.read_text()
    schema_file.data["models"][0]["description"] = "Second pass."
    schema_file.touch()
    assert write_files([schema_file], {}) == ["schema.yml"]
    assert "Second pass." in path.read_text()
