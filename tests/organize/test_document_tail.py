"""`yaml document` keeps a whitespace-only last line without a final newline byte for byte (#23, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_osmosis.core.schema.yamlio import SchemaFile


@pytest.mark.parametrize(
    "text",
    [
        "version: 2\nmodels:\n  - name: a\n    description: A.\n  - name: b\n  ",
        "version: 2\nmodels:\n  - name: a\n    description: A.\n  - name: b\n    # note\n  ",
        "version: 2\nmodels:\n  - name: a\n    description: A.\n  - name: b\n\n    ",
    ],
)
def test_an_edit_keeps_the_last_line_of_spaces(text: str, tmp_path: Path) -> None:
    path = tmp_path / "schema.yml"
    path.write_text(text)
    schema_file = SchemaFile.read(path, "schema.yml")
    schema_file.make_editable()
    schema_file.data["models"][1]["description"] = "Filled."
    schema_file.touch()
    rendered = schema_file.render()
    # Every line the author wrote is still there, the last one included; only the new line is added.
    assert rendered.endswith("\n" + text.rsplit("\n", 1)[1]) and not rendered.endswith("\n")
    assert rendered.replace("    description: Filled.\n", "", 1) == text
