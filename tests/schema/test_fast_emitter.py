"""The direct emitter for brand-new files writes exactly the bytes ruamel's round-trip emitter would."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    PlainScalarString,
    SingleQuotedScalarString,
)

from dbt_osmosis.core.schema.emit import emit_new
from dbt_osmosis.core.schema.yamlio import SchemaFile, YamlStyle, _yaml, detect_style

from .test_yaml11_quoting import YAML_11_TRAPS

REPO = Path(__file__).resolve().parents[2]
STYLES = [YamlStyle(2, 4, 2), YamlStyle(4, 4, 0), YamlStyle(4, 6, 2), YamlStyle(2, 2, 0), YamlStyle(3, 5, 2)]


def ruamel_text(data: CommentedMap, style: YamlStyle) -> str:
    buffer = io.StringIO()
    _yaml(style).dump(data, buffer)
    return buffer.getvalue()


def assert_same_or_declined(data: CommentedMap, style: YamlStyle) -> bool:
    fast = emit_new(data, style.mapping, style.sequence, style.offset)
    if fast is not None:
        assert fast == ruamel_text(data, style)
    return fast is not None


def fixture_yaml_files() -> list[Path]:
    roots = [REPO / "tests/fixtures", REPO / "demo_duckdb"]
    return sorted(p for root in roots for p in root.rglob("*.yml") if p.name not in {"profiles.yml"})


def every_yaml_file() -> list[Path]:
    """Our fixtures and every YAML file of the vendored real projects (their packages included)."""
    real = (REPO / "tests/realprojects").rglob("*.yml")
    return fixture_yaml_files() + sorted(p for p in real if p.name not in {"profiles.yml"})


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


scalars = st.one_of(
    st.sampled_from(YAML_11_TRAPS),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True),  # identifiers and type names
    st.from_regex(r"[A-Z][a-z ,.:;'()%-]{0,60}", fullmatch=True),  # sentences
    st.from_regex(r"(VARCHAR|DECIMAL|TIMESTAMP)(\([0-9]{1,2}(, ?[0-9])?\))?", fullmatch=True),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.text(alphabet=":#-?&*!|>'\"%@`{}[],~ \\yesnofOFT0123456789.eE_x\u00e9\u2028\ufeff", max_size=10),
    st.integers(-5, 10**12),
    st.booleans(),
)
string_kinds = st.sampled_from([str, SingleQuotedScalarString, DoubleQuotedScalarString, PlainScalarString])


@st.composite
def entries(draw: st.DrawFn) -> CommentedMap:
    def value() -> object:
        raw = draw(scalars)
        if isinstance(raw, str):
            return draw(string_kinds)(raw)
        return raw

    columns = CommentedSeq()
    for _ in range(draw(st.integers(1, 4))):
        column = CommentedMap()
        column["name"] = value()
        if draw(st.booleans()):
            column["data_type"] = value()
        if draw(st.booleans()):
            column["description"] = value()
        if draw(st.booleans()):
            column["tags"] = CommentedSeq([value() for _ in range(draw(st.integers(1, 3)))])
        if draw(st.booleans()):
            column["meta"] = CommentedMap({str(draw(scalars)): value()})
        columns.append(column)
    entry = CommentedMap()
    entry["name"] = value()
    if draw(st.booleans()):
        entry["description"] = value()
    entry["columns"] = columns
    data = CommentedMap()
    data["version"] = 2
    data[draw(st.sampled_from(["models", "seeds", "snapshots"]))] = CommentedSeq([entry])
    return data


@settings(max_examples=300, deadline=None)
@given(data=entries(), style=st.sampled_from(STYLES))
def test_generated_entries_are_byte_identical(data: CommentedMap, style: YamlStyle) -> None:
    assert_same_or_declined(data, style)
