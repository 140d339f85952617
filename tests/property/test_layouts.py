"""Property test: whatever the YAML layout, a run keeps every original line, fills every gap once, and
a second run changes nothing.

dbt parses one small project once (its nodes are real dbt nodes); each generated example then writes a
different YAML layout into a fresh folder and drives the pipeline on it: nodes per file, which nodes have
no YAML yet, which columns each entry lists (so which step edits a node first: adding columns,
inheriting, or synthesis), which descriptions are missing, and the file styles of tests/fixtures
(4-space ``-   name`` lists, 2-space indented and non-indented lists, quoting, comments, blank lines).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, load_project
from dbt_osmosis.core.document import (
    DocumentOptions,
    DocumentPlan,
    column_items,
    plan_document,
    write_changes,
)
from dbt_osmosis.core.llm.prompts import load_prompts
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.testing import MockLLMClient
from dbt_osmosis.core.llm.types import LLMRequest
from dbt_osmosis.core.schema.entries import find_entry
from dbt_osmosis.core.synthesis import SynthesisOptions, run_synthesis
from tests.support.projects import ProjectStore, write_project

# A small DAG whose column names repeat, so that inheritance has something to carry:
# a -> b, a -> c, (b, c) -> d -> e, and f on its own.
COLUMNS = {
    "a": ["id", "name", "status", "amount"],
    "b": ["id", "name", "status"],
    "c": ["id", "amount", "created_at"],
    "d": ["id", "name", "amount", "created_at"],
    "e": ["id", "name", "flag"],
    "f": ["key", "value"],
}
PARENTS = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["d"], "f": []}
MODELS = list(COLUMNS)


def _sql(name: str) -> str:
    columns = ", ".join(f"1 as {column}" for column in COLUMNS[name])
    refs = "".join(f" cross join {{{{ ref('{parent}') }}}}" for parent in PARENTS[name])
    return f"select {columns} from (select 1) as seed_row{refs}\n"


def make_parsed(root: Path) -> tuple[DbtProject, Path]:
    write_project(root, {f"models/{name}.sql": _sql(name) for name in MODELS})
    project = load_project(ProjectOptions(project_dir=root, profiles_dir=root))
    catalog = {
        "nodes": {
            f"model.test_project.{name}": {
                "columns": {col: {"name": col, "type": "INTEGER", "index": i} for i, col in enumerate(cols)}
            }
            for name, cols in COLUMNS.items()
        }
    }
    catalog_path = root / "target" / "layout_catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    return project, catalog_path


@pytest.fixture(scope="session")
def parsed(project_store: ProjectStore) -> tuple[DbtProject, Path]:
    """The project parsed once per session, and a catalog.json with every model's real columns."""
    root = project_store.built("layouts", lambda root: root.mkdir(parents=True))
    return project_store.kept("layouts", lambda: make_parsed(root))


# ---- generated layouts --------------------------------------------------------------------------

STYLES = {
    # (indent of a folded block's text, how a list item starts relative to its parent key)
    "two_space_indented": ("  ", "  - "),
    "two_space_flush": ("  ", "- "),
    "four_space_flush": ("    ", "-   "),
}
WORDS = st.sampled_from(["Primary key.", "Customer name", "Status: active or not", "Amount in EUR", "Yes"])


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    """Which file documents which model, what each entry lists, and the style of each file."""
    files = draw(st.integers(min_value=1, max_value=3))
    layout: dict[str, Any] = {"files": {}, "entries": {}}
    for index in range(files):
        layout["files"][f"models/schema_{index}.yml"] = {
            "style": draw(st.sampled_from(sorted(STYLES))),
            "comment": draw(st.booleans()),
            "blank_between": draw(st.booleans()),
            "quote": draw(st.sampled_from(["plain", "double", "single", "folded"])),
        }
    paths = sorted(layout["files"])
    for name in MODELS:
        if draw(st.booleans()) and draw(st.integers(0, 3)) > 0:  # about 3 in 8 have no YAML yet
            listed = [c for c in COLUMNS[name] if draw(st.booleans())]
            layout["entries"][name] = {
                "file": draw(st.sampled_from(paths)),
                "description": draw(st.one_of(st.none(), WORDS)),
                "columns": {c: draw(st.one_of(st.none(), st.just(""), WORDS)) for c in listed},
            }
    return layout


def _scalar(text: str, quote: str, indent: str) -> str:
    if quote == "double":
        return json.dumps(text)
    if quote == "single" or text in {"Yes", ""} or ":" in text:
        return "'" + text.replace("'", "''") + "'"
    if quote == "folded":
        return ">\n" + indent + text
    return text


def _render(path: str, layout: dict[str, Any]) -> str:
    spec = layout["files"][path]
    key, dash = STYLES[spec["style"]]
    lines = ["version: 2", ""]
    if spec["comment"]:
        lines.append("# Written by hand; keep this comment.")
    lines.append("models:")
    names = [name for name, entry in layout["entries"].items() if entry["file"] == path]
    for position, name in enumerate(names):
        entry = layout["entries"][name]
        if position and spec["blank_between"]:
            lines.append("")
        lines.append(f"{dash}name: {name}" + ("   # a model" if spec["comment"] else ""))
        body = " " * len(dash)
        if entry["description"] is not None:
            lines.append(f"{body}description: {_scalar(entry['description'], spec['quote'], body + key)}")
        if entry["columns"]:
            lines.append(f"{body}columns:")
            col_dash = body + dash
            col_body = " " * len(col_dash)
            for column, text in entry["columns"].items():
                lines.append(f"{col_dash}name: {column}")
                if text is not None:
                    lines.append(f"{col_body}description: {_scalar(text, spec['quote'], col_body + key)}")
    if not names:
        lines[-1] = "models: []"
    return "\n".join(lines) + "\n"


# ---- running the pipeline on a layout -------------------------------------------------------------


def _project_for(base: DbtProject, root: Path, patch_paths: dict[str, str | None]) -> DbtProject:
    # The parsed nodes, with the YAML locations dbt would record for this layout.
    project = copy.copy(base)
    project.root = root
    project.nodes = {
        uid: dataclasses.replace(node, patch_path=patch_paths.get(node.name))
        for uid, node in base.nodes.items()
    }
    return project


def _answer(request: LLMRequest) -> dict[str, Any]:
    asked = request.asked
    return {
        "description": "Synthesized model.",
        "columns": [{"name": n, "description": f"About {n}."} for n in asked],
    }


def _run(project: DbtProject, catalog: Path) -> tuple[DocumentPlan, MockLLMClient]:
    plan = plan_document(project, DocumentOptions(catalog_path=catalog))
    client = MockLLMClient(default=_answer)
    report = run_synthesis(plan, client, load_prompts(None), LLMSettings(), SynthesisOptions())
    assert report.failures == []
    return plan, client


def _asked_node(request: LLMRequest) -> str:
    text = request.messages[-1].content
    return text.split("Document the dbt model `", 1)[1].split("`", 1)[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts())
def test_any_layout_keeps_every_line_fills_every_gap_once_and_settles(
    parsed: tuple[DbtProject, Path], layout: dict[str, Any]
) -> None:
    base, catalog = parsed
    with tempfile.TemporaryDirectory(prefix="osmosis-layout-") as folder:
        root = Path(folder)
        originals = {path: _render(path, layout) for path in layout["files"]}
        for path, text in originals.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        patch_paths: dict[str, str | None] = {
            name: entry["file"] for name, entry in layout["entries"].items()
        }
        project = _project_for(base, root, patch_paths)

        plan, client = _run(project, catalog)
        write_changes(plan)

        # At most one request per node, and only nodes with gaps are asked.
        per_node = Counter(_asked_node(request) for request in client.calls)
        assert all(count == 1 for count in per_node.values()), per_node

        # Every original line is kept byte for byte, in order (placeholders are the only lines filled).
        for path, original in originals.items():
            result = iter((root / path).read_text().splitlines())
            for line in original.splitlines():
                if line.rstrip().endswith(("description: ''", 'description: ""')):
                    continue
                assert line in result, f"{path}: lost {line!r}\n{(root / path).read_text()}"

        # Every gap is filled: each model has an entry, a description, and every column described.
        for node in project.nodes.values():
            entry_file = plan.entries[node.unique_id]
            entry = find_entry(entry_file, node)
            assert entry is not None and entry.get("description"), node.name
            described = {str(item["name"]): item.get("description") for item in column_items(entry)}
            assert set(described) == set(COLUMNS[node.name]), (node.name, described)
            assert all(described.values()), (node.name, described)
            patch_paths[node.name] = entry_file.display_path

        # A second run, as dbt would now see the project, asks nothing and changes nothing.
        again, second_client = _run(_project_for(base, root, patch_paths), catalog)
        assert second_client.calls == []
        assert [f.display_path for f in again.changed_files()] == []
