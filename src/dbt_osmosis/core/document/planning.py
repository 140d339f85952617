"""The ``yaml document`` pipeline: select -> columns -> (per node, in DAG order) place -> add -> inherit.

``plan_document`` edits YAML in memory only and reports what it did; ``write_changes`` is the single
place that touches disk. A node's steps are small named functions so the order of work reads as a list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from dbt_osmosis.core.dbt import selection
from dbt_osmosis.core.dbt.catalog import ColumnMap, columns_from_catalog, columns_from_warehouse
from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.document.inheritance import Knowledge, topological_order
from dbt_osmosis.core.document.steps import apply_node_steps, learn, locate_entry
from dbt_osmosis.core.document.types import DocumentOptions, DocumentPlan, NodeContext
from dbt_osmosis.core.errors import NodeError, YamlError
from dbt_osmosis.core.process.gc_tuning import keep_long_lived
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.versions import entry_of
from dbt_osmosis.core.schema.writable import write_files
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic

__all__ = ["context_for", "orphan_entries", "plan_document", "select_nodes", "write_changes"]


def select_nodes(project: DbtProject, models: Sequence[str], fqns: Sequence[str]) -> list[Node]:
    """The nodes a run works on: all of the project's, or those matching names, paths or fqn prefixes."""
    return selection.select_nodes(project, selection.Selection(models=tuple(models), fqn=tuple(fqns)))


def plan_document(
    project: DbtProject,
    options: DocumentOptions,
    store: SchemaStore | None = None,
    *,
    columns: ColumnMap | None = None,
) -> DocumentPlan:
    """Run every step in memory and return the plan; nothing is written to disk.

    ``store`` holds files an earlier step of the same run already changed in memory (``yaml refactor``).
    ``columns`` reuses the warehouse columns of an earlier plan instead of asking the warehouse again.
    """
    targets = selection.select_nodes(
        project,
        selection.Selection(
            options.models, options.fqn, options.select, options.exclude, options.selector, options.state
        ),
    )
    parents = {uid: [p for p in node.depends_on if p in project.nodes] for uid, node in project.nodes.items()}
    order = [project.nodes[uid] for uid in topological_order(parents)]

    started = time.perf_counter()
    unreadable: list[str] = []
    if columns is not None:
        pass
    elif options.catalog_path is not None:
        columns = columns_from_catalog(options.catalog_path, targets)
    elif not options.disable_introspection:
        columns = columns_from_warehouse(
            project,
            targets,
            unreadable,
            numeric_precision_and_scale=options.numeric_precision_and_scale,
            string_length=options.string_length,
        )
        unreadable.extend(_not_built(project, targets, columns, unreadable))
    else:
        columns = {}
    introspection_seconds = time.perf_counter() - started

    started = time.perf_counter()
    plan = DocumentPlan(
        project=project,
        options=options,
        store=store if store is not None else SchemaStore(project.root),
        knowledge=Knowledge(parents),
        order=order,
        targets=targets,
        columns=columns,
        introspection_seconds=introspection_seconds,
    )
    plan.warnings.extend(unreadable)
    target_ids = {node.unique_id for node in targets}
    for index, node in enumerate(order, 1):
        if not index % _FREEZE_EVERY:
            # The YAML read and edited so far stays until the run ends: spare it the collector's full
            # passes, which otherwise walk all of it again and again as the store grows.
            keep_long_lived()
        context = NodeContext(plan, node)
        try:
            if node.unique_id in target_ids:
                apply_node_steps(context)
            else:
                locate_entry(context, create=False)
        except YamlError as exc:
            # The file cannot be edited safely (a duplicate key, say): leave it and its nodes alone.
            if context.schema_file is None:
                raise
            plan.block(context.schema_file, str(exc))
        except NodeError as exc:
            plan.failures[node.display_name] = str(exc)
            plan.frozen.add(node.unique_id)
        learn(context)
    plan.warnings.extend(orphan_entries(project, plan.store.files()))
    keep_long_lived()  # the plan, too, stays until the run has written it
    plan.work_seconds = time.perf_counter() - started
    return plan


#: Nodes planned between two moves of what the run holds out of the cycle collector's reach.
_FREEZE_EVERY = 200

# The keys of a schema file whose entries describe nodes defined elsewhere (in SQL or CSV files):
# an entry whose node is gone (renamed, deleted) documents and tests nothing.
_PATCH_KEYS = {"models": "model", "seeds": "seed", "snapshots": "snapshot", "analyses": "analysis"}


def orphan_entries(project: DbtProject, files: Iterable[SchemaFile]) -> list[str]:
    """A warning for each entry of these files that names no node dbt knows (enabled or disabled).

    dbt reports such entries only in its own log, which a run keeps quiet; a model renamed after its
    YAML was written otherwise leaves the old entry, its tests included, silently documenting nothing.
    """
    manifest = project.manifest
    known: set[tuple[str, str]] = set()
    raws = [*manifest.nodes.values()]
    for disabled in (getattr(manifest, "disabled", None) or {}).values():
        raws.extend(disabled)
    for raw in raws:
        known.add((str(getattr(raw, "resource_type", "")), str(getattr(raw, "name", ""))))
    warnings: list[str] = []
    for schema_file in files:
        if schema_file.original is None:
            continue
        for key, resource_type in _PATCH_KEYS.items():
            items = schema_file.data.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str) and (resource_type, name) not in known:
                    warnings.append(
                        f"{schema_file.display_path}: `{name}` under `{key}:` matches no {resource_type} "
                        "in the project (renamed or deleted?); its entry and tests document nothing."
                    )
    return warnings


def context_for(plan: DocumentPlan, node: Node) -> NodeContext:
    """A context for a node whose entry was located by an earlier pass (none if it has no entry)."""
    context = NodeContext(plan, node)
    schema_file = plan.entries.get(node.unique_id)
    if schema_file is not None and node.unique_id not in plan.frozen:
        context.schema_file = schema_file
        context.entry = entry_of(schema_file, node)
    return context


def write_changes(
    plan: DocumentPlan,
    writer: Callable[[Path, str], None] = write_atomic,
    together: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Write every changed file atomically; return their project-relative paths.

    A file that cannot be written is recorded in ``plan.blocked`` and the others are still written;
    the files of one group of ``together`` (joined by entries ``yaml refactor`` moved) are written all
    or none. A symlinked file is written at its target (preflight has checked that it is inside the
    project).
    """
    return write_files(plan.changed_files(), plan.blocked, writer, together)


#: What builds a relation of each resource type, for the summary of the ones not built.
_BUILT_BY = {"model": "dbt run", "seed": "dbt seed", "snapshot": "dbt snapshot"}


def _not_built(project: DbtProject, targets: list[Node], columns: ColumnMap, said: list[str]) -> list[str]:
    # A relation the warehouse has no columns for does not exist yet: its entry gets no columns, and
    # one line says why (a user cannot tell "no columns" from "not built" otherwise).
    missing: dict[str, list[str]] = {}
    for node in targets:
        if node.resource_type not in _BUILT_BY or node.unique_id in columns:
            continue
        raw = project.manifest.nodes.get(node.unique_id)
        if str(getattr(getattr(raw, "config", None), "materialized", "")) == "ephemeral":
            continue  # never a relation in the warehouse
        if any(line.startswith(f"{node.display_name}:") for line in said):
            continue  # already reported as unreadable, with the reason
        missing.setdefault(node.resource_type, []).append(node.display_name)
    lines = []
    for kind, names in missing.items():
        count = len(names)
        shown = ", ".join(sorted(names)[:5]) + (f" and {count - 5} more" if count > 5 else "")
        lines.append(
            f"{count} {kind}{'s are' if count != 1 else ' is'} not built yet: run {_BUILT_BY[kind]} or dbt "
            f"build to document {'their' if count != 1 else 'its'} columns ({shown})."
        )
    return lines
