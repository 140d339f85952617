"""A version's columns and description, resolved from the model's YAML entry as dbt resolves them."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from dbt_osmosis.core.schema.versions import VersionView, version_view


def entry(text: str) -> dict[str, Any]:
    loaded = YAML(typ="rt").load(text)
    assert isinstance(loaded, dict)
    return loaded


def resolved(view: VersionView | str) -> list[tuple[str, Any]]:
    assert isinstance(view, VersionView), view
    return [(item["name"], item.get("description")) for item in view["columns"]]


MODEL = """
name: orders
description: Model text.
columns:
  - {name: id, description: model id}
  - {name: name, description: model name}
  - {name: amount}
versions:
  - v: 1
  - v: 2
    columns:
      - include: [id, amount]
  - v: 3
    description: Version three.
    columns:
      - include: all
        exclude: [name]
      - {name: id, description: v3 id}
      - {name: extra}
  - v: "4"
    description: ""
    columns:
      - {name: only_four}
"""


def test_without_columns_a_version_reads_every_model_level_column() -> None:
    assert resolved(version_view(entry(MODEL), "1")) == [
        ("id", "model id"),
        ("name", "model name"),
        ("amount", None),
    ]


def test_an_include_list_keeps_only_those_names() -> None:
    assert resolved(version_view(entry(MODEL), "2")) == [("id", "model id"), ("amount", None)]


def test_exclude_drops_and_an_own_entry_replaces_the_model_level_one_in_place() -> None:
    view = version_view(entry(MODEL), "3")
    assert resolved(view) == [("id", "v3 id"), ("amount", None), ("extra", None)]
    assert isinstance(view, VersionView)
    amount, extra = view["columns"][1], view["columns"][2]
    assert view.shape.is_shared(amount) and not view.shape.is_shared(extra)


def test_own_columns_without_include_still_read_every_model_level_column() -> None:
    assert resolved(version_view(entry(MODEL), "4")) == [
        ("id", "model id"),
        ("name", "model name"),
        ("amount", None),
        ("only_four", None),
    ]


def test_the_description_read_and_where_a_missing_one_is_written() -> None:
    model = entry(MODEL)
    one, three, four = (version_view(model, v) for v in ("1", "3", "4"))
    assert isinstance(one, VersionView) and isinstance(three, VersionView) and isinstance(four, VersionView)
    assert one["description"] == "Model text." and one.shape.holder() is model
    assert three["description"] == "Version three." and three.shape.holder() is model["versions"][2]
    # An empty version description is not read by dbt (the model's is), but it is where one goes.
    assert four["description"] == "Model text." and four.shape.holder() is model["versions"][3]


def test_version_numbers_match_however_they_are_written() -> None:
    model = entry("name: m\nversions:\n  - v: 1.5\n  - v: '2'\n")
    assert isinstance(version_view(model, "1.5"), VersionView)
    assert isinstance(version_view(model, "2"), VersionView)
    assert isinstance(version_view(model, "2.0"), VersionView)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("name: m\n", "no `versions:` list"),
        ("name: m\nversions:\n  - v: 1\n", "no `- v: 2` block"),
        ("name: m\nversions:\n  - v: 2\n  - v: 2.0\n", "more than once"),
        ("name: m\ncolumns: {id: x}\nversions:\n  - v: 2\n", "model-level `columns:` is not a list"),
        ("name: m\nversions:\n  - v: 2\n    columns: all\n", "`columns:` is not a list"),
        ("name: m\nversions:\n  - v: 2\n    columns: [{include: all}, {include: all}]\n", "more than one"),
        ("name: m\nversions:\n  - v: 2\n    columns: [{include: some}]\n", "not one dbt accepts"),
        (
            "name: m\nversions:\n  - v: 2\n    columns: [{include: [a], exclude: [b]}]\n",
            "not one dbt accepts",
        ),
        (
            "name: m\nversions:\n  - v: 2\n    columns: [{include: all, exclude: b}]\n",
            "`exclude:` is not a list",
        ),
        ("name: m\nversions:\n  - v: 2\n    columns: [id]\n", "not a mapping"),
        ("name: m\ncolumns: [{name: id}]\nversions:\n  - v: 2\n    columns: [{name: ID}]\n", "listed twice"),
    ],
)
def test_shapes_dbt_would_not_read_plainly_are_refused_with_the_reason(text: str, reason: str) -> None:
    view = version_view(entry(text), "2")
    assert isinstance(view, str) and reason in view, view
