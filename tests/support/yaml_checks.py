"""Reading schema files back, and checking that a run changed only what it meant to."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

from dbt_osmosis.core.document.inheritance import is_placeholder


def load(path: Path) -> dict:
    """A YAML file as plain data."""
    return YAML(typ="safe").load(path.read_text())


def columns(path: Path, model: str, key: str = "models") -> dict[str, dict]:
    """The columns of entry ``model`` under ``key`` in a schema file, by name."""
    for entry in load(path)[key]:
        if entry["name"] == model:
            return {col["name"]: col for col in entry.get("columns", [])}
    raise AssertionError(f"{model} not in {path}")


def all_descriptions(root: Path) -> dict[tuple[str, str], object]:
    """Every model's and seed's description, by (entry, column); column "" is the entry's own."""
    found: dict[tuple[str, str], object] = {}
    for path in root.rglob("*.yml"):
        if "target" in path.parts or path.name in {"dbt_project.yml", "profiles.yml"}:
            continue
        for key in ("models", "seeds"):
            for entry in load(path).get(key) or []:
                found[(entry["name"], "")] = entry.get("description")
                for col in entry.get("columns") or []:
                    found[(entry["name"], col["name"])] = col.get("description")
    return found


def assert_only_deliberate_changes(name: str, before: bytes, after: bytes) -> None:
    """``after`` is ``before`` with lines inserted, plus placeholder descriptions that were filled."""
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    if before.endswith(b"\n") != after.endswith(b"\n"):
        pytest.fail(f"{name}: the final newline changed")
    if (b"\r\n" in before) != (b"\r\n" in after):
        pytest.fail(f"{name}: the line endings changed")
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("equal", "insert"):
            continue
        replaced = old[i1:i2]
        filled = all(_is_placeholder_description(line) for line in replaced)
        assert tag == "replace" and filled, f"{name}: lines changed that the run did not own:\n" + "".join(
            difflib.unified_diff(replaced, new[j1:j2])
        )


def _is_placeholder_description(line: str) -> bool:
    try:
        parsed = yaml.safe_load(line.strip().removeprefix("- "))
    except yaml.YAMLError:
        return False
    return isinstance(parsed, dict) and "description" in parsed and is_placeholder(parsed["description"])
