"""Where a node without a YAML entry gets one: the project's dbt-osmosis path template, or a default.

The template is the dbt-osmosis convention users already have in ``dbt_project.yml``
(``+dbt-osmosis: "_{model}.yml"``). It is relative to the folder of the node's file; a template that
starts with ``/`` is relative to the project root. Placeholders: ``{model}`` (the node name),
``{parent}`` (the folder's name), ``{node.name}``, ``{node.resource_type}``, ``{node.schema}``,
``{node.database}``, ``{node.package_name}`` and ``{node.fqn}`` (dot-joined).
"""

from __future__ import annotations

import functools
import posixpath
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.errors import TemplateError

__all__ = ["DEFAULT_TEMPLATE", "read_folders", "readable_target_path", "target_path"]

#: The dbt_project.yml keys of the folders dbt reads property YAML from, with dbt's defaults (older
#: spellings second).
_FOLDER_KEYS = (
    (("model-paths", "source-paths"), "models"),
    (("seed-paths", "data-paths"), "seeds"),
    (("snapshot-paths",), "snapshots"),
    (("analysis-paths",), "analyses"),
    (("macro-paths",), "macros"),
    (("test-paths",), "tests"),
)

DEFAULT_TEMPLATE = "_{model}.yml"


@dataclass(frozen=True)
class _NodeFields:
    name: str
    resource_type: str
    schema: str
    database: str
    package_name: str
    fqn: str


def target_path(node: Node) -> str:
    """The project-relative path of the YAML file where ``node``'s new entry belongs."""
    template = node.osmosis_template or DEFAULT_TEMPLATE
    folder = posixpath.dirname(node.original_file_path)
    fields = _NodeFields(
        name=node.name,
        resource_type=node.resource_type,
        schema=node.schema or "",
        database=node.database or "",
        package_name=node.package_name,
        fqn=".".join(node.fqn),
    )
    try:
        _check_fields(template)
        rendered = template.format(model=node.name, parent=posixpath.basename(folder), node=fields)
    except (KeyError, AttributeError, IndexError, ValueError) as exc:
        raise TemplateError(
            f"The dbt-osmosis path template {template!r} cannot be rendered for {node.unique_id}: "
            f"{exc!s} is not a known placeholder. Use {{model}}, {{parent}} or {{node.<field>}}."
        ) from exc
    rendered = rendered.strip()
    if not rendered or rendered.endswith("/"):
        raise TemplateError(
            f"The dbt-osmosis path template {template!r} gives no file name for {node.unique_id}."
        )
    if not rendered.endswith((".yml", ".yaml")):
        rendered += ".yml"
    path = posixpath.normpath(
        rendered.lstrip("/") if rendered.startswith("/") else posixpath.join(folder, rendered)
    )
    if path.startswith("../") or path == "..":
        raise TemplateError(
            f"The dbt-osmosis path template {template!r} puts {node.unique_id}'s YAML outside the "
            f"project ({path}). Keep the template inside the project folder."
        )
    return path


def _check_fields(template: str) -> None:
    # str.format would happily evaluate {node.__class__}; only plain names and node.<field> are allowed.
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is None:
            continue
        head, _, attribute = field_name.partition(".")
        if head in {"model", "parent"} and not attribute:
            continue
        if head == "node" and attribute in _NodeFields.__dataclass_fields__:
            continue
        raise KeyError(field_name)


def read_folders(root: Path) -> tuple[str, ...] | None:
    """The project-relative folders dbt reads schema YAML from; ``None`` when they cannot be told.

    They come from ``dbt_project.yml`` (``model-paths``, ``seed-paths``, ``snapshot-paths``,
    ``analysis-paths``, ``macro-paths``, ``test-paths``, with dbt's defaults).
    """
    project_file = root / "dbt_project.yml"
    try:
        stamp = project_file.stat().st_mtime_ns
    except OSError:
        return None
    return _folders(str(project_file), stamp)


@functools.lru_cache(maxsize=16)
def _folders(project_file: str, stamp: int) -> tuple[str, ...] | None:
    try:
        with open(project_file, encoding="utf-8") as handle:
            config: Any = pyyaml.safe_load(handle)
    except (OSError, pyyaml.YAMLError):
        return None
    if not isinstance(config, dict):
        return None
    folders: list[str] = []
    for keys, default in _FOLDER_KEYS:
        value = next((config[key] for key in keys if key in config), [default])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return None  # set by Jinja or malformed: dbt decides, and this run cannot tell
        if any("{{" in item for item in value):
            return None
        folders.extend(posixpath.normpath(item.strip().strip("/")) for item in value)
    return tuple(folders)


def readable_target_path(node: Node, root: Path) -> str:
    """``target_path``, refused (``TemplateError``) when it is in no folder dbt reads schema YAML from.

    An entry written where dbt does not look is an entry dbt loses: its descriptions and tests vanish
    from the manifest, and nothing says so.
    """
    path = target_path(node)
    folders = read_folders(root)
    if folders is None or any(path == f or path.startswith(f"{f}/") or f == "." for f in folders):
        return path
    template = node.osmosis_template or DEFAULT_TEMPLATE
    hint = (
        " A template starting with `/` is relative to the project root: write the folder too "
        f"(e.g. {'/' + folders[0] + '/' + template.lstrip('/')!r})."
        if template.startswith("/")
        else ""
    )
    raise TemplateError(
        f"The dbt-osmosis path template {template!r} puts {node.unique_id}'s YAML in {path}, where dbt "
        f"does not read it (dbt reads schema YAML under {', '.join(folders)}).{hint} Nothing was written."
    )
