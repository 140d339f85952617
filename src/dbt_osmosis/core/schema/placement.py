"""Where a node without a YAML entry gets one: the project's dbt-osmosis path template, or a default.

The template is the dbt-osmosis convention users already have in ``dbt_project.yml``
(``+dbt-osmosis: "_{model}.yml"``). It is relative to the folder of the node's file; a template that
starts with ``/`` is relative to the project root. Placeholders: ``{model}`` (the node name),
``{parent}`` (the folder's name), ``{node.name}``, ``{node.resource_type}``, ``{node.schema}``,
``{node.database}``, ``{node.package_name}`` and ``{node.fqn}`` (dot-joined).
"""

from __future__ import annotations

import posixpath
import string
from dataclasses import dataclass

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.errors import TemplateError

__all__ = ["DEFAULT_TEMPLATE", "target_path"]

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
