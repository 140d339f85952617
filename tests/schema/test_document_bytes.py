"""Bytes users see after `yaml document` on files written the way people really leave them.

Folded descriptions with trailing spaces, a blank line after an entry that gets `columns:`, a line of
only spaces next to an insertion, column entries separated by blank lines, a CRLF file with end-of-line
comments, and warehouse columns named with YAML 1.1 words (`on`, `yes`, `off`). Every original line must
survive byte for byte and in order, and the result must read back (through PyYAML, as dbt reads it) as
the intended data; dbt must still parse the project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.cli import RunCli, run_document
from tests.support.projects import ProjectStore, build, copy_project, dbt_parses, write_project

SQL = "select * from {{ ref('raw_events') }}\n"
FILES = {
    "seeds/raw_events.csv": """
        id,on,yes,off,event_time
        1,true,1,0,2024-01-01
    """,
    **{f"models/{name}.sql": SQL for name in ("m_folded", "m_blank", "m_spaces", "m_spaced", "m_crlf")},
}

# Written byte for byte (textwrap.dedent would strip the very whitespace under test).
SCHEMA = (
    "version: 2\n"
    "models:\n"
    "  - name: m_folded\n"
    "    description: >\n"
    "      Events, folded by hand,  \n"
    "      with trailing spaces. \n"
    "  - name: m_blank\n"
    "    description: A blank line follows this entry.\n"
    "\n"
    "  - name: m_spaces\n"
    "    description: A line of only spaces follows.\n"
    "   \n"
    "  - name: m_spaced\n"
    "    columns:\n"
    "      - name: id\n"
    "        description: The id.\n"
    "\n"
    "      - name: event_time\n"
    "        description: When it happened.  \n"
)
CRLF = (
    "version: 2\r\n"
    "models:\r\n"
    "  - name: m_crlf  # end-of-line comment\r\n"
    "    description: A CRLF file. # another one\r\n"
    "    # a full-line comment\r\n"
    "    config:\r\n"
    "      tags: [crlf]\r\n"
)


def make_events(root: Path) -> None:
    write_project(root, FILES)
    (root / "models/schema.yml").write_bytes(SCHEMA.encode())
    (root / "models/crlf.yml").write_bytes(CRLF.encode())
    build(root)


@pytest.fixture(scope="session")
def documented(project_store: ProjectStore) -> Path:
    """The events project after one `yaml document`, made once per session; tests only read it."""

    def document(root: Path) -> None:
        copy_project(project_store.built("bytes", make_events), root)
        result = run_document(root)
        assert result.exit_code == 0, result.output

    return project_store.built("documented", document)


def lines(data: bytes) -> list[bytes]:
    """Lines with their endings, so that a lost space or a doubled \\r shows."""
    return data.splitlines(keepends=True)


def assert_kept_in_order(before: bytes, after: bytes) -> None:
    remaining = iter(lines(after))
    for line in lines(before):
        assert any(candidate == line for candidate in remaining), f"original line lost or moved: {line!r}"


def entry(root: Path, relative: str, name: str) -> dict:
    data = yaml.safe_load((root / relative).read_bytes())
    return next(item for item in data["models"] if item["name"] == name)


def test_every_original_line_is_kept_byte_for_byte(documented: Path) -> None:
    assert_kept_in_order(SCHEMA.encode(), (documented / "models/schema.yml").read_bytes())
    assert_kept_in_order(CRLF.encode(), (documented / "models/crlf.yml").read_bytes())


def test_folded_description_is_not_reflowed_when_columns_follow(documented: Path) -> None:
    text = (documented / "models/schema.yml").read_text()
    folded = "    description: >\n      Events, folded by hand,  \n      with trailing spaces. \n"
    assert folded + "    columns:\n" in text
    assert entry(documented, "models/schema.yml", "m_folded")["description"] == (
        "Events, folded by hand,   with trailing spaces. \n"
    )


def test_blank_line_stays_after_the_entry_not_inside_its_new_columns(documented: Path) -> None:
    text = (documented / "models/schema.yml").read_text()
    block = text.split("  - name: m_blank\n", 1)[1].split("  - name: m_spaces\n", 1)[0]
    description = "    description: A blank line follows this entry.\n"
    assert block.startswith(description + "    columns:\n      - name: id\n")
    assert block.endswith("\n\n") and "\n\n" not in block[:-2], block


def test_line_of_only_spaces_stays_as_it_was(documented: Path) -> None:
    text = (documented / "models/schema.yml").read_text()
    block = text.split("  - name: m_spaces\n", 1)[1].split("  - name: m_spaced\n", 1)[0]
    assert block.endswith("   \n"), repr(block)
    assert "\n\n" not in block


def test_new_columns_follow_the_blank_line_spacing_between_column_entries(documented: Path) -> None:
    text = (documented / "models/schema.yml").read_text()
    block = text.split("  - name: m_spaced\n", 1)[1]
    items = block.split("      - name: ")[1:]
    names = [item.split("\n", 1)[0] for item in items]
    assert names == ["id", "'on'", "'yes'", "'off'", "event_time"]
    for item in items[:-1]:
        assert item.endswith("\n\n") and not item.endswith("\n\n\n"), repr(item)


def test_crlf_comments_keep_exactly_one_crlf(documented: Path) -> None:
    data = (documented / "models/crlf.yml").read_bytes()
    assert b"\r\r" not in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"  - name: m_crlf  # end-of-line comment\r\n" in data
    assert entry(documented, "models/crlf.yml", "m_crlf")["config"] == {"tags": ["crlf"]}


def test_yaml_11_words_from_the_warehouse_read_back_as_strings(documented: Path) -> None:
    for relative, name in (("models/schema.yml", "m_blank"), ("seeds/_raw_events.yml", None)):
        data = yaml.safe_load((documented / relative).read_bytes())
        items = data["seeds"][0] if name is None else next(m for m in data["models"] if m["name"] == name)
        assert [column["name"] for column in items["columns"]] == ["id", "on", "yes", "off", "event_time"]
        assert all(isinstance(column["data_type"], str) for column in items["columns"])


def test_dbt_parses_and_a_second_run_changes_nothing(
    documented: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    root = tmp_path / "again"
    shutil.copytree(documented, root, ignore=shutil.ignore_patterns("target", "logs"))
    dbt_parses(root)
    before = {p: p.read_bytes() for p in root.rglob("*.yml")}
    result = run_cli(root)
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in root.rglob("*.yml")} == before
