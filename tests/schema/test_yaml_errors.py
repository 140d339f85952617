"""Every YAML file a run refuses is named with the line and column of the problem and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_osmosis.core.errors import YamlError
from dbt_osmosis.core.schema.yamlio import SchemaFile

DUPLICATE_KEY = "version: 2\nmodels:\n  - name: orders\n    description: x\n    description: y\n"
TAB_VALUE = "version: 2\nmodels:\n  - name: orders\n    description:\tx\n"
TAB_INDENT = "version: 2\nmodels:\n\t- name: orders\n"
BROKEN_LIST = "version: 2\nmodels:\n  - name: orders\n   columns: [\n"


def _edit_error(text: str) -> str:
    schema_file = SchemaFile.from_text(Path("models/_orders.yml"), "models/_orders.yml", text, on_disk=text)
    with pytest.raises(YamlError) as caught:
        schema_file.make_editable()
    return str(caught.value)


def _read_error(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "_orders.yml"
    path.write_bytes(content)
    with pytest.raises(YamlError) as caught:
        SchemaFile.read(path, "models/_orders.yml")
    return str(caught.value)


def test_a_duplicate_key_names_its_line_and_the_fix() -> None:
    message = _edit_error(DUPLICATE_KEY)
    assert message == (
        "models/_orders.yml cannot be edited safely at line 5, column 5: duplicate key `description` "
        "(in the mapping that starts at line 3). dbt keeps only the last value; delete the key you do "
        "not mean and run again."
    )


def test_a_tab_dbt_accepts_but_a_round_trip_edit_cannot_take_is_named_as_a_tab() -> None:
    message = _edit_error(TAB_VALUE)
    assert message.startswith("models/_orders.yml cannot be edited safely at line 4, column 17: ")
    assert message.endswith("YAML does not allow a tab there: replace it with spaces and run again.")


@pytest.mark.parametrize(
    ("content", "where", "fix"),
    [
        (TAB_INDENT, "line 3, column 1", "YAML does not allow a tab there: replace it with spaces"),
        (BROKEN_LIST, "line 4, column 4", "Fix the YAML there and run again."),
    ],
)
def test_a_file_that_does_not_parse_names_line_column_and_fix(
    tmp_path: Path, content: str, where: str, fix: str
) -> None:
    message = _read_error(tmp_path, content.encode())
    assert message.startswith(f"models/_orders.yml does not parse at {where}: ")
    assert fix in message
    assert "<unicode string>" not in message


def test_a_file_that_is_not_utf8_names_where_and_how_to_fix_it(tmp_path: Path) -> None:
    message = _read_error(tmp_path, b"version: 2\nmodels:\n  - name: caf\xe9\n")
    assert message == (
        "models/_orders.yml is not UTF-8 text at line 3, column 14 (byte 32). dbt reads YAML as UTF-8: "
        "save the file as UTF-8 and run again."
    )
