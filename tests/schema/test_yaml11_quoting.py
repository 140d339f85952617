"""Every scalar the tool writes reads back through PyYAML (YAML 1.1, what dbt uses) as the same string."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dbt_osmosis.core.schema.entries import insert_after, insert_item
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic
from tests.support.emitter import YAML_11_TRAPS

# Text as a warehouse or a model could hand it over (lone surrogates are removed before anything is written).
texts = st.one_of(
    st.sampled_from(YAML_11_TRAPS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.text(alphabet=":#-?&*!|>'\"%@`{}[],~ \t\nyesnofOFT0123456789.eE_x", max_size=12),
)


def written(tmp_path: Path, schema_file: SchemaFile) -> dict:
    """Write the file as a run would and read it the way dbt does."""
    write_atomic(schema_file.path, schema_file.render())
    return yaml.safe_load(schema_file.path.read_bytes())


def new_file(tmp_path: Path) -> SchemaFile:
    return SchemaFile.new(tmp_path / "_new.yml", "_new.yml")


def add_model(schema_file: SchemaFile, name: str, column: str, data_type: str, description: str) -> None:
    models = schema_file.data.setdefault("models", CommentedSeq())
    entry = CommentedMap()
    entry["name"] = name
    insert_item(models, len(models), entry)
    item = CommentedMap()
    item["name"] = column
    item["data_type"] = data_type
    item["description"] = description
    insert_after(entry, "columns", CommentedSeq([item]), ("name",))
    schema_file.touch()


@pytest.mark.parametrize("word", YAML_11_TRAPS)
def test_yaml_11_words_are_written_so_that_dbt_reads_strings(tmp_path: Path, word: str) -> None:
    schema_file = new_file(tmp_path)
    add_model(schema_file, word, word, word, word)
    data = written(tmp_path, schema_file)
    model = data["models"][0]
    assert model["name"] == word
    assert model["columns"] == [{"name": word, "data_type": word, "description": word}]


def test_a_column_named_on_is_quoted_and_nothing_else_is(tmp_path: Path) -> None:
    schema_file = new_file(tmp_path)
    add_model(schema_file, "events", "on", "BOOLEAN", "Yes")
    assert schema_file.render() == (
        "version: 2\n"
        "models:\n"
        "  - name: events\n"
        "    columns:\n"
        "      - name: 'on'\n"
        "        data_type: BOOLEAN\n"
        "        description: 'Yes'\n"
    )


def test_plain_yaml_11_words_the_author_wrote_stay_plain(tmp_path: Path) -> None:
    path = tmp_path / "schema.yml"
    original = "version: 2\nmodels:\n  - name: m\n    meta:\n      pii: yes\n      since: 2024-01-01\n"
    path.write_text(original)
    schema_file = SchemaFile.read(path, "schema.yml")
    schema_file.make_editable()
    entry = schema_file.data["models"][0]
    insert_after(entry, "columns", CommentedSeq([CommentedMap(name="off")]), ("name", "meta"))
    schema_file.touch()
    text = schema_file.render()
    assert text == original + "    columns:\n      - name: 'off'\n"
    assert yaml.safe_load(text)["models"][0]["meta"] == yaml.safe_load(original)["models"][0]["meta"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=texts, column=texts, data_type=texts, description=texts)
def test_generated_scalars_read_back_unchanged_in_a_new_file(
    tmp_path: Path, name: str, column: str, data_type: str, description: str
) -> None:
    schema_file = new_file(tmp_path)
    add_model(schema_file, name, column, data_type, description)
    model = written(tmp_path, schema_file)["models"][0]
    assert model["name"] == name
    assert model["columns"] == [{"name": column, "data_type": data_type, "description": description}]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=texts, data_type=texts, description=texts)
def test_generated_scalars_read_back_unchanged_in_an_edited_file(
    tmp_path: Path, column: str, data_type: str, description: str
) -> None:
    path = tmp_path / "schema.yml"
    original = "version: 2\nmodels:\n  - name: m   # kept\n    description: 'Hand-written.'\n"
    path.write_text(original)
    schema_file = SchemaFile.read(path, "schema.yml")
    schema_file.make_editable()
    item = CommentedMap()
    item["name"] = column
    item["data_type"] = data_type
    item["description"] = description
    insert_after(schema_file.data["models"][0], "columns", CommentedSeq([item]), ("name", "description"))
    schema_file.touch()
    data = written(tmp_path, schema_file)
    assert data["models"][0]["columns"] == [
        {"name": column, "data_type": data_type, "description": description}
    ]
    assert path.read_text().startswith(original)
