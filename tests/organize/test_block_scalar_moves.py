"""Moving an entry keeps each block scalar's value as dbt reads it (the file's text stripped) (#23, 3)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from dbt_osmosis.core.organize.text import END_COMMENT, EntryMove, apply_moves


def _dbt_reads(text: str) -> Any:
    return yaml.safe_load(text.strip())


def _move(tmp_path: Path, files: dict[str, str], name: str, source: str, target: str) -> dict[str, str]:
    for path, text in files.items():
        (tmp_path / path).write_text(text)
    project: Any = SimpleNamespace(root=tmp_path)
    texts, skipped = apply_moves(project, [EntryMove(name, "models", name, source, target, [name])])
    assert not skipped
    return {path: text for path, (text, _) in texts.items()}


def test_a_text_that_ended_its_file_gets_a_strip_indicator_where_more_follows(tmp_path: Path) -> None:
    source = "models:\n  - name: a\n    description: A.\n  - name: b\n    description: >\n      Folded b."
    target = "version: 2\nmodels:\n  - name: x\n    description: X.\nsources:\n  - name: s\n"
    texts = _move(tmp_path, {"s.yml": source, "t.yml": target}, "b", "s.yml", "t.yml")
    assert "  - name: b\n    description: >-\n      Folded b.\nsources:" in texts["t.yml"]
    assert _dbt_reads(texts["t.yml"])["models"][1] == {"name": "b", "description": "Folded b."}


def test_a_text_with_a_final_line_break_that_now_ends_a_file_gets_a_closing_comment(tmp_path: Path) -> None:
    source = "version: 2\nmodels:\n  - name: a\n    description: |\n      Literal a.\n  - name: b\n"
    texts = _move(tmp_path, {"s.yml": source}, "a", "s.yml", "t.yml")
    assert texts["t.yml"].endswith(f"    description: |\n      Literal a.\n{END_COMMENT}\n")
    assert _dbt_reads(texts["t.yml"])["models"] == [{"name": "a", "description": "Literal a.\n"}]
    # The next entry lands after it; the closing comment goes, as nothing needs it any more.
    again = _move(tmp_path, {"t.yml": texts["t.yml"], "s.yml": texts["s.yml"]}, "b", "s.yml", "t.yml")
    assert END_COMMENT not in again["t.yml"]
    assert _dbt_reads(again["t.yml"])["models"] == [
        {"name": "a", "description": "Literal a.\n"},
        {"name": "b"},
    ]
