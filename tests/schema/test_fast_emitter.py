"""The direct emitter for brand-new files writes exactly the bytes ruamel's round-trip emitter would."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    FoldedScalarString,
    LiteralScalarString,
)

from dbt_osmosis.core.schema.emit import emit_new
from dbt_osmosis.core.schema.yamlio import SchemaFile, YamlStyle, _yaml, detect_style
from tests.support.emitter import (
    REPO,
    STYLES,
    assert_same_or_declined,
    entries,
    every_yaml_file,
    fixture_yaml_files,
    ruamel_text,
)


@pytest.mark.parametrize("path", every_yaml_file(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_file_as_read_is_byte_identical(path: Path) -> None:
    # Files that exist are rendered through the direct emitter too: for each real file as ruamel
    # reads it, and again with a column and a description added, both emitters agree or it declines.
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    style = detect_style(text)
    try:
        data = _yaml(style).load(text)
    except Exception:  # a file ruamel cannot read is never rendered at all
        return
    if not isinstance(data, CommentedMap):
        return
    assert_same_or_declined(data, style)
    for items in data.values():
        if isinstance(items, list) and items and isinstance(items[0], CommentedMap):
            items[0]["description"] = "Added by the run: it's 'quoted', #1"
            columns = items[0].setdefault("columns", CommentedSeq())
            if isinstance(columns, list):
                columns.append(CommentedMap(name="added_column", description=""))
    assert_same_or_declined(data, style)


def test_plain_files_as_read_take_the_fast_path() -> None:
    # What most generated and hand-kept schema files look like: no comments, no blank lines.
    text = (
        'version: 2\nmodels:\n  - name: orders\n    description: "All orders."\n    columns:\n'
        "      - name: id\n        description: ''\n      - name: note\n        description:\n"
    )
    data = _yaml(YamlStyle()).load(text)
    assert emit_new(data, 2, 4, 2) == ruamel_text(data, YamlStyle()) == text


@pytest.mark.parametrize("path", fixture_yaml_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_fixture_entry_as_a_new_file_is_byte_identical(path: Path) -> None:
    # Each entry of each fixture file, as plain data (what a new file holds), in the fixture's style.
    schema_file = SchemaFile.read(path, path.name)
    style = detect_style(schema_file.original or "")
    for key, items in schema_file.data.items():
        if not isinstance(items, list):
            continue
        for item in items:
            data = CommentedMap()
            data["version"] = 2
            data[key] = CommentedSeq([_commented(item)])
            for candidate in (style, YamlStyle()):
                assert_same_or_declined(data, candidate)


def _commented(value: object) -> object:
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _commented(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq(_commented(item) for item in value)
    return value


def test_a_typical_new_file_takes_the_fast_path(tmp_path: Path) -> None:
    data = CommentedMap()
    data["version"] = 2
    entry = CommentedMap(name="orders")
    entry["columns"] = CommentedSeq(
        [CommentedMap(name="id", data_type="INTEGER"), CommentedMap(name="on", data_type="BOOLEAN")]
    )
    data["models"] = CommentedSeq([entry])
    for style in STYLES:
        assert assert_same_or_declined(data, style)


def test_what_only_ruamel_writes_right_is_declined() -> None:
    for value in (
        LiteralScalarString("a\nb\n"),
        FoldedScalarString("a b\n"),
        None,
        1.5,
        "",
        "a\nb",
        "x" * 130,
    ):
        data = CommentedMap(version=2, models=CommentedSeq([CommentedMap(name="m", description=value)]))
        assert_same_or_declined(data, YamlStyle())
    commented = CommentedMap(version=2, models=CommentedSeq([CommentedMap(name="m")]))
    commented["models"][0].yaml_add_eol_comment("kept", "name")
    assert emit_new(commented, 2, 4, 2) is None
    flow = CommentedSeq(["pii"])
    flow.fa.set_flow_style()
    assert emit_new(CommentedMap(version=2, tags=flow), 2, 4, 2) is None


@settings(max_examples=300, deadline=None)
@given(data=entries(), style=st.sampled_from(STYLES))
def test_generated_entries_are_byte_identical(data: CommentedMap, style: YamlStyle) -> None:
    assert_same_or_declined(data, style)
