"""The libyaml-built round-trip data for a plain file is what ruamel's own parser reads, in every way
a run can notice: values, types (quoted strings stay quoted), key order, key lines, rendered text."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dbt_osmosis.core.schema.entries import insert_after, insert_item
from dbt_osmosis.core.schema.fastload import load_plain
from dbt_osmosis.core.schema.yamlio import SchemaFile, YamlStyle, _yaml, detect_style
from tests.support.emitter import REPO, STYLES, assert_same_or_declined, entries, every_yaml_file


def assert_same_reading(fast: Any, slow: Any, path: str = "") -> None:
    assert type(fast) is type(slow), f"{path}: {type(fast).__name__} != {type(slow).__name__}"
    if isinstance(fast, dict):
        assert list(fast) == list(slow), path
        assert [type(k) for k in fast] == [type(k) for k in slow], path
        assert (fast.lc.line, fast.lc.col) == (slow.lc.line, slow.lc.col), path
        assert fast.lc.data == slow.lc.data, path
        assert comments(fast) == comments(slow), path
        for key in fast:
            assert_same_reading(fast[key], slow[key], f"{path}/{key}")
    elif isinstance(fast, list):
        assert len(fast) == len(slow), path
        assert (fast.lc.line, fast.lc.col) == (slow.lc.line, slow.lc.col), path
        assert fast.lc.data == slow.lc.data, path
        assert comments(fast) == comments(slow), path
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert_same_reading(a, b, f"{path}[{index}]")
    else:
        assert fast == slow, path


def comments(node: Any) -> object:
    """What ruamel keeps beside the data of a collection (blank lines, comments), with positions."""

    def token(value: Any) -> object:
        if value is None:
            return None
        if isinstance(value, list):
            return [token(item) for item in value]
        return (value.value, value.start_mark.line, value.start_mark.column)

    return (
        {key: token(slots) for key, slots in node.ca.items.items()},
        token(node.ca.comment),
        token(node.ca.end),
    )


def rendered(data: Any, style: YamlStyle) -> str:
    buffer = io.StringIO()
    _yaml(style).dump(data, buffer)
    return buffer.getvalue()


def same_or_declined(text: str) -> bool:
    fast = load_plain(text)
    if fast is None:
        return False
    slow = _yaml(detect_style(text)).load(text)
    assert_same_reading(fast, slow)
    assert rendered(fast, detect_style(text)) == rendered(slow, detect_style(text))
    return True


@pytest.mark.parametrize("path", every_yaml_file(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_real_file_reads_the_same_or_is_declined(path: Path) -> None:
    same_or_declined(path.read_text(encoding="utf-8").replace("\r\n", "\n"))


def test_generated_benchmark_files_take_the_fast_reading(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate_project import generate

    generate(tmp_path, 40)
    files = sorted((tmp_path / "models").rglob("*.yml"))
    assert files
    for path in files:
        assert same_or_declined(path.read_text(encoding="utf-8")), path


def test_a_typical_hand_written_file_without_comments_is_read_fast() -> None:
    text = (
        "version: 2\nmodels:\n  - name: orders\n    description: 'All orders.'\n    columns:\n"
        '      - name: "id"\n        description:\n        tests:\n          - unique\n'
        "          - not_null\n      - name: status\n        meta:\n          pii: no\n"
        "        data_type: 12\n"
    )
    assert same_or_declined(text)


def test_blank_lines_between_entries_are_kept_as_ruamel_keeps_them() -> None:
    text = (
        "version: 2\n\nmodels:\n  - name: orders\n    columns:\n      - name: id\n"
        "        tests:\n          - unique\n\n          - not_null\n\n\n"
        "  - name: 'customers'\n    description: \"All.\"\n\n  - name: items\n\n"
    )
    assert same_or_declined(text)
    fast = load_plain(text)
    assert fast is not None
    assert rendered(fast, YamlStyle()) == text


@pytest.mark.parametrize(
    "text",
    [
        "version: 2\n# a comment\nmodels: []\n",  # comments live outside the data
        "\nversion: 2\n",  # blank lines above everything
        "a: 1\n  \nb: 2\n",  # a line of only spaces
        "a:\n\nb: 1\n",  # blank lines after a null value
        "a:\n\n  - x\n",  # blank lines between a key and its list
        "---\nversion: 2\n",
        "%YAML 1.1\n---\nversion: 2\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: |\n  text\n",
        "a: 1.5\n",
        "a: 2024-01-01\n",
        "a: 0x1F\n",
        "a: True\n",
        "a: ~\n",
        "a: plain\n  continued\n",
        "a: 1\na: 2\n",  # a duplicate key: ruamel reports it
        "base:\n  x: 1\nm:\n  <<: {x: 2}\n",
        "a: {}\n",
        "a: 1\n---\nb: 2\n",
        "- a\n- b\n",
        "a:\tb\n",
        "a: :\n  - ]\n",  # invalid YAML: ruamel reports the error
    ],
)
def test_what_only_ruamel_reads_faithfully_is_declined(text: str) -> None:
    assert load_plain(text) is None


@settings(max_examples=200, deadline=None)
@given(data=entries(), style=st.sampled_from(STYLES))
def test_generated_files_read_the_same(data: CommentedMap, style: YamlStyle) -> None:
    text = rendered(data, style)
    same_or_declined(text)


def test_an_edit_of_a_fast_read_file_renders_like_one_of_a_ruamel_read_file(tmp_path: Path) -> None:
    text = (
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n"
        "        description: ''\n      - name: status\n"
    )
    results = []
    for reader in ("fast", "ruamel"):
        path = tmp_path / f"{reader}.yml"
        path.write_text(text)
        schema_file = SchemaFile.read(path, path.name)
        schema_file.make_editable()
        if reader == "ruamel":
            schema_file.data = _yaml(schema_file.style).load(text)
        else:
            assert load_plain(text) is not None
        columns = schema_file.data["models"][0]["columns"]
        columns[1]["description"] = "The order's status: yes or no."
        columns.append(CommentedMap(name="on"))
        schema_file.touch()
        results.append(schema_file.render())
    assert results[0] == results[1]
    assert results[0].startswith("version: 2\nmodels:\n  - name: orders\n")
    assert "      - name: 'on'\n" in results[0]


# Text as people write it, not as an emitter would: indents of 2 to 4, dashes flush or indented,
# extra spaces after colons, trailing spaces, every quoting style, words YAML 1.1 reads as other types.
hostile_words = st.one_of(
    st.sampled_from(["yes", "No", "on", "OFF", "~", "null", "0", "007", "1e3", "0x1F", "12:30"]),
    st.sampled_from(["true", "True", "1.5", ".inf", "-3", "+3", "1_000", "=", "<<", "{{ doc('x') }}"]),
    st.just("2024-01-01"),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
    st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
)


@st.composite
def scalar_text(draw: st.DrawFn) -> str:
    word = draw(hostile_words)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    if style == "double":
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


@st.composite
def authored_files(draw: st.DrawFn) -> str:
    indent = draw(st.integers(2, 4))
    dash_offset = draw(st.sampled_from([0, indent]))
    gap = lambda: " " * draw(st.integers(1, 3))  # noqa: E731  spaces after a colon
    trail = lambda: draw(st.sampled_from(["", "", " ", "  "]))  # noqa: E731
    lines = ["version: 2", "models:"]
    for _ in range(draw(st.integers(1, 3))):
        pad = " " * dash_offset
        lines.append(f"{pad}- name:{gap()}{draw(scalar_text())}{trail()}")
        inner = " " * (dash_offset + 2)
        if draw(st.booleans()):
            lines.append(f"{inner}description:{gap()}{draw(scalar_text())}{trail()}")
        if draw(st.booleans()):
            lines.append(f"{inner}columns:{trail()}")
            col_pad = inner + " " * (dash_offset and indent)
            for _ in range(draw(st.integers(1, 3))):
                lines.append(f"{col_pad}- name:{gap()}{draw(scalar_text())}{trail()}")
                if draw(st.booleans()):
                    lines.append(f"{col_pad}  description:{trail()}")
                if draw(st.booleans()):
                    lines.append(f"{col_pad}  meta:")
                    key, value = draw(scalar_text()), draw(scalar_text())
                    lines.append(f"{col_pad}  {' ' * indent}{key}:{gap()}{value}")
    # Blank lines between any two lines but the first two: most real files separate entries so.
    spaced: list[str] = []
    for number, line in enumerate(lines):
        spaced.append(line)
        if number > 0 and draw(st.integers(0, 5)) == 0:
            spaced.extend([""] * draw(st.integers(1, 2)))
    return "\n".join(spaced) + "\n"


@settings(max_examples=300, deadline=None)
@given(text=authored_files())
def test_hand_written_files_read_the_same_or_are_declined(text: str) -> None:
    try:
        slow = _yaml(detect_style(text)).load(text)
    except Exception:  # ruamel refuses it: so must the fast reader, leaving the error to ruamel
        assert load_plain(text) is None
        return
    assert_same_or_declined(slow, detect_style(text))  # the direct emitter, on the author's data
    fast = load_plain(text)
    if fast is not None:
        assert_same_reading(fast, slow)
        assert rendered(fast, detect_style(text)) == rendered(slow, detect_style(text))


@settings(max_examples=200, deadline=None)
@given(text=authored_files(), where=st.integers(0, 10), spaced=st.booleans())
def test_edits_of_hand_written_files_render_the_same_from_either_reading(
    text: str, where: int, spaced: bool
) -> None:
    # The run's own edits (a column inserted among others, a description set) on the fast reading
    # and on ruamel's reading give the same text, whichever emitter renders it.
    style = detect_style(text)
    try:
        slow = _yaml(style).load(text)
    except Exception:
        return
    fast = load_plain(text)
    results = []
    for data in (slow, fast) if fast is not None else (slow,):
        for entry in data["models"]:
            if not isinstance(entry, CommentedMap):
                continue
            insert_after(entry, "description", "Set by the run.", ("name",))
            columns = entry.get("columns")
            if isinstance(columns, CommentedSeq):
                insert_item(columns, min(where, len(columns)), CommentedMap(name="added"))
                if spaced:
                    insert_item(columns, len(columns), CommentedMap(name="last"))
        assert_same_or_declined(data, style)
        results.append(rendered(data, style))
    assert len(set(results)) == 1
