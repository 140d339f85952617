"""What dbt reads from a project's YAML, and its comment lines: organize must change neither.

``dbt_view`` parses the project with dbt itself (no partial parse) and keeps, for every model, seed,
snapshot, source and test, what a user documents in YAML: descriptions, columns, tests, config. Where
an entry lives (``patch_path``, file ids) is left out, since moving it is organize's whole point.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.support.projects import dbt

_WHERE = {
    "patch_path",
    "original_file_path",
    "path",
    "file_key_name",
    "created_at",
    "checksum",
    "root_path",
    "unique_id",
    "build_path",
    "compiled_path",
}


def dbt_view(root: Path, *args: str) -> dict[str, Any]:
    """What dbt's manifest says about every node the project documents, after a fresh ``dbt parse``."""
    dbt(root, "parse", "--no-partial-parse", *args)
    manifest = json.loads((root / "target" / "manifest.json").read_text())
    view: dict[str, Any] = {}
    for unique_id, node in [*manifest["nodes"].items(), *manifest["sources"].items()]:
        kept = {key: value for key, value in node.items() if key not in _WHERE}
        for config in ("config", "unrendered_config"):
            if isinstance(kept.get(config), dict):
                # A microbatch model's `begin` is often computed from the clock at parse time.
                kept[config] = {k: v for k, v in kept[config].items() if k != "begin"}
        if node["resource_type"] == "test":
            # A test's id is a hash of where it was declared too; its name and arguments say what it is.
            metadata = node.get("test_metadata") or {}
            key = f"test:{node['name']}:{node.get('attached_node')}:{node.get('column_name')}"
            view[key] = {"kwargs": metadata.get("kwargs"), "config": node.get("config")}
        else:
            view[unique_id] = kept
    return view


def comment_lines(root: Path) -> Counter[str]:
    """Every comment line of the project's schema files (stripped), counted."""
    found: Counter[str] = Counter()
    for path in root.rglob("*.y*ml"):
        skipped = {"target", "dbt_packages", "logs"}
        if skipped.intersection(path.relative_to(root).parts) or path.name in {
            "dbt_project.yml",
            "profiles.yml",
        }:
            continue
        for line in path.read_text().splitlines():
            if line.strip().startswith("#"):
                found[line.strip()] += 1
    return found


def lost_comments(before: Counter[str], after: Counter[str]) -> Counter[str]:
    """Comment lines ``before`` has more of than ``after`` (empty when none disappeared)."""
    return before - after
