"""How dbt reads one version of a versioned model from the model's YAML entry.

dbt's own rules (``get_columns_for_version`` in dbt/contracts/graph/unparsed.py and the versioned
patch in dbt/parser/schemas.py), which this module follows and nothing more:

- a version's columns are the model-level ``columns:`` it includes, then its own column entries; an
  own entry replaces the model-level entry of the same name (names compared exactly, as dbt does);
- a version's ``columns:`` may hold one ``include:`` element (``all``, ``*`` or a list of names),
  with ``exclude:`` names when it includes all; without one, a version includes every model-level
  column;
- a version's ``description:`` is read when it is not empty, the model's otherwise.

A shape this module cannot read the way dbt does is returned as a reason, never guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.schema.entries import column_key, find_entry
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = ["VersionShape", "VersionView", "entry_of", "version_shape", "version_view"]

_INCLUDE_ALL = ("all", "*")


@dataclass(frozen=True)
class VersionShape:
    """One version of a model as its YAML lays it out: where its columns and description come from."""

    #: The model's entry (``- name: orders``), which holds the model-level ``columns:``.
    model: dict[str, Any]
    #: The version's own mapping (``- v: 2``).
    block: dict[str, Any]
    #: The version's own ``columns:`` list, or ``None`` when it has none (it then takes all of the model's).
    own: list[Any] | None
    #: Model-level column names it includes (``None``: all of them).
    include: frozenset[str] | None
    exclude: frozenset[str]

    def includes(self, name: object) -> bool:
        """Whether a model-level column of this name is one of this version's columns (before overrides)."""
        text = str(name)
        return (self.include is None or text in self.include) and text not in self.exclude

    def own_items(self) -> list[dict[str, Any]]:
        """The column entries the version defines itself (its include/exclude element left out)."""
        return [item for item in self.own or [] if isinstance(item, dict) and "name" in item]

    def shared_items(self) -> list[dict[str, Any]]:
        """The model-level column entries this version reads (included, and not replaced by its own)."""
        mine = {str(item.get("name")) for item in self.own_items()}
        return [
            item
            for item in _model_items(self.model)
            if self.includes(item.get("name")) and str(item.get("name")) not in mine
        ]

    def columns(self) -> list[dict[str, Any]]:
        """The column entries dbt reads for this version, in dbt's order."""
        own = {str(item.get("name")): item for item in self.own_items()}
        resolved: list[dict[str, Any]] = []
        placed: set[str] = set()
        for item in _model_items(self.model):
            name = str(item.get("name"))
            if not self.includes(name):
                continue
            # dbt keys columns by name: an own entry takes the model-level one's place.
            resolved.append(own.get(name, item))
            placed.add(name)
        resolved.extend(item for name, item in own.items() if name not in placed)
        return resolved

    def is_shared(self, item: object) -> bool:
        """Whether ``item`` is a model-level column entry (one other versions may read too)."""
        return any(item is candidate for candidate in _model_items(self.model))

    def holder(self) -> dict[str, Any]:
        """Where the version's description is written: its own ``description:`` if it has the key."""
        return self.block if "description" in self.block else self.model

    def description(self) -> Any:
        """The description dbt reads for this version."""
        own = self.block.get("description")
        return own if own else self.model.get("description")


class VersionView(dict[str, Any]):
    """A read-only picture of one version as a plain entry: ``name``, ``description``, meta, ``columns``.

    The column entries are the file's own objects, so a change to one of them is a change to the
    file; the view itself is never written: descriptions and meta go to ``shape.holder()``.
    """

    def __init__(self, shape: VersionShape) -> None:
        super().__init__()
        self.shape = shape
        self["name"] = shape.model.get("name")
        description = shape.description()
        if description is not None:
            self["description"] = description
        holder = shape.holder()
        for key in ("config", "meta"):
            if key in holder:
                self[key] = holder[key]
        self["columns"] = shape.columns()


def version_view(entry: dict[str, Any], version: str) -> VersionView | str:
    """The view of ``version`` in a model's entry, or why it cannot be read safely."""
    shape = version_shape(entry, version)
    if isinstance(shape, str):
        return shape
    keys = [column_key(item.get("name")) for item in shape.columns()]
    clashing = sorted({key for key in keys if keys.count(key) > 1})
    if clashing:
        return (
            f"its columns {', '.join(clashing)} are listed twice, in spellings dbt keeps apart "
            "(model-level and the version's own)"
        )
    return VersionView(shape)


def version_shape(entry: dict[str, Any], version: str) -> VersionShape | str:
    """Where ``version`` of the model ``entry`` takes its columns from, or why that is unclear."""
    versions = entry.get("versions")
    if not isinstance(versions, list):
        return "its entry has no `versions:` list"
    blocks = [
        block for block in versions if isinstance(block, dict) and _same_version(block.get("v"), version)
    ]
    if not blocks:
        return f"no `- v: {version}` block was found under `versions:`"
    if len(blocks) > 1:
        return f"`v: {version}` is listed more than once under `versions:`"
    block = blocks[0]
    model_columns = entry.get("columns")
    if model_columns is not None and not isinstance(model_columns, list):
        return "its model-level `columns:` is not a list"
    own = block.get("columns")
    if own is None:
        return VersionShape(entry, block, None, None, frozenset())
    if not isinstance(own, list):
        return "the version's `columns:` is not a list"
    selectors = [item for item in own if isinstance(item, dict) and "name" not in item]
    if any(not isinstance(item, dict) for item in own):
        return "the version's `columns:` holds an item that is not a mapping"
    if len(selectors) > 1:
        return "the version's `columns:` holds more than one include/exclude element"
    if not selectors:
        return VersionShape(entry, block, own, None, frozenset())
    selector = selectors[0]
    include, exclude = selector.get("include"), selector.get("exclude") or []
    if not isinstance(exclude, list) or not _all_text(exclude):
        return "its `exclude:` is not a list of column names"
    if isinstance(include, str) and include in _INCLUDE_ALL:
        return VersionShape(entry, block, own, None, frozenset(exclude))
    if isinstance(include, list) and _all_text(include) and not exclude:
        return VersionShape(entry, block, own, frozenset(include), frozenset())
    return "its include/exclude element is not one dbt accepts (`include: all` or a list of names)"


def _model_items(model: dict[str, Any]) -> list[dict[str, Any]]:
    columns = model.get("columns")
    if not isinstance(columns, list):
        return []
    return [item for item in columns if isinstance(item, dict)]


def _all_text(values: Iterable[Any]) -> bool:
    return all(isinstance(value, str) for value in values)


def _same_version(written: object, version: str) -> bool:
    # dbt keeps `v: 1` as a number and `v: "1"` as text; the manifest's version prints the same way.
    if written is None or isinstance(written, bool):
        return False
    if str(written) == version:
        return True
    try:
        return float(str(written)) == float(version)
    except ValueError:
        return False


def entry_of(schema_file: SchemaFile, node: Node) -> dict[str, Any] | None:
    """What a node's steps read from ``schema_file``: its entry, or the view of its version.

    ``None`` when the file does not document it, or documents a version in a shape that cannot be read
    the way dbt reads it.
    """
    entry = find_entry(schema_file, node)
    if entry is None or node.version is None:
        return entry
    view = version_view(entry, node.version)
    return None if isinstance(view, str) else view
