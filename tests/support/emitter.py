"""Styles, tricky scalars, generated entries and the YAML corpus the reader/emitter tests share."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    PlainScalarString,
    SingleQuotedScalarString,
)

from dbt_osmosis.core.schema.emit import emit_new
from dbt_osmosis.core.schema.yamlio import YamlStyle, _yaml

REPO = Path(__file__).resolve().parents[2]

YAML_11_TRAPS = [
    "on", "no", "yes", "off", "Yes", "Off", "ON", "y", "n", "true", "False", "12:30", "190:20:30", "1e3",
    "1.5", "0x1F", "0o17", "017", "1_000", "~", "null", "Null", "", "2024-01-01", "2024-01-01 10:00:00",
    ".inf", "-.Inf", ".nan", "=", "<<", "*star", "&anchor", "!tag", "%percent", "@at", "`tick", "|", ">",
    "a: b", "a #b", "- item", "? key", "trailing space ", " leading space", "[flow]", "{flow}", "'quoted'",
    '"double"', "tab\there", "line\nbreak", "#comment", ",comma", "100%", "-", "---", "...",
    "\x85", "next\x85line", "a\u2028b", "it's\u2029",
]  # fmt: skip

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
