"""``yaml organize``: every entry in the file its path template says, moved as text so nothing is lost.

Where entries belong: models, seeds and snapshots whose ``+dbt-osmosis`` template is set go where
``placement.target_path`` says (the rule ``yaml document`` uses for new entries); a node without a
template keeps its entry where it is. Sources named under ``vars: dbt-osmosis: sources:`` in
``dbt_project.yml`` (1.x syntax: ``source_name: path`` or ``{path, schema, database}``, the path
relative to the first model path) go to that file, and a declared source that no YAML defines yet is
created there from the warehouse's relations in its schema.

The moves themselves are made as text by ``organize.text``.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml as pyyaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.errors import ProjectError
from dbt_osmosis.core.organize.text import (
    SAFE_LOADER,
    EntryMove,
    OrganizeError,
    apply_moves,
    load_plain,
    normal_path,
)
from dbt_osmosis.core.schema.entries import create_entry, find_entry, insert_item
from dbt_osmosis.core.schema.placement import readable_target_path
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.writable import Writer, file_problem, write_files
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic

__all__ = [
    "Move",
    "OrganizePlan",
    "SourceTarget",
    "delete_emptied",
    "move_groups",
    "organize_project",
    "placed_nodes",
    "set_aside_emptied",
    "source_targets",
    "write_organized",
]


log = logging.getLogger("dbt_osmosis")


@dataclass(frozen=True)
class SourceTarget:
    """Where a source declared in ``vars: dbt-osmosis: sources:`` belongs, and where its tables live."""

    path: str
    schema: str
    database: str | None = None


@dataclass(frozen=True)
class Move:
    """One entry moved (or created) by the run, for the report."""

    what: str
    source: str | None
    target: str


@dataclass
class OrganizePlan:
    """The organized files in memory, what moved, and the files that end up empty (to delete)."""

    store: SchemaStore
    moves: list[Move] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Node id -> the project-relative file that now holds its entry (for a later step of the same run).
    placed: dict[str, str] = field(default_factory=dict)
    #: Entries that stay where they are because moving them would change what dbt reads, with why.
    left: list[str] = field(default_factory=list)
    #: Files the run cannot write (read-only, a symlink out of the project...) -> why. They stay as
    #: they are, and so does every entry that would have moved into or out of them.
    blocked: dict[str, str] = field(default_factory=dict)

    def emptied(self) -> list[str]:
        """The files this run leaves without entries; writing deletes them."""
        files = {f.display_path: f for f in self.store.files()}
        return [path for path in self.deleted if path in files and _is_empty(_current_data(files[path]))]

    def changed_paths(self) -> list[str]:
        """Every file that writing would create, change or delete."""
        changed = {f.display_path for f in self.store.files() if f.changed()}
        return sorted(changed | set(self.emptied()))


def source_targets(
    project: DbtProject, vars_override: Mapping[str, Any] | None = None
) -> dict[str, SourceTarget]:
    """The 1.x ``vars: dbt-osmosis: sources:`` of ``dbt_project.yml`` (``--vars`` wins), as paths."""
    config = _read_project_file(project)
    variables: dict[str, Any] = {}
    raw_vars = config.get("vars")
    if isinstance(raw_vars, dict):
        variables.update(raw_vars)
        scoped = raw_vars.get(project.project_name)
        if isinstance(scoped, dict):
            variables.update(scoped)
    if vars_override:
        variables.update(vars_override)
    settings: dict[str, Any] = next(
        (variables[key] for key in ("dbt-osmosis", "dbt_osmosis") if isinstance(variables.get(key), dict)), {}
    )
    declared = settings.get("sources") or {}
    if not isinstance(declared, dict):
        raise OrganizeError("vars: dbt-osmosis: sources: in dbt_project.yml must map source names to paths.")
    model_paths = config.get("model-paths") or config.get("source-paths") or ["models"]
    models_dir = str(model_paths[0]) if isinstance(model_paths, list) and model_paths else "models"
    targets: dict[str, SourceTarget] = {}
    for name, spec in declared.items():
        if isinstance(spec, str):
            path, schema, database = spec, str(name), None
        elif isinstance(spec, dict) and isinstance(spec.get("path"), str):
            path = spec["path"]
            schema = str(spec.get("schema") or name)
            database = str(spec["database"]) if spec.get("database") else None
        else:
            raise OrganizeError(
                f"vars: dbt-osmosis: sources: {name} in dbt_project.yml needs a path "
                "(`{name}: path.yml` or `{name}: {path: path.yml, schema: ...}`)."
            )
        relative = path.strip().lstrip("/")
        if not relative.endswith((".yml", ".yaml")):
            relative += ".yml"
        joined = posixpath.normpath(posixpath.join(models_dir, relative))
        if joined.startswith("../") or joined == "..":
            raise OrganizeError(f"The dbt-osmosis path of source {name} ({path}) is outside the project.")
        targets[str(name)] = SourceTarget(joined, schema, database)
    return targets


def organize_project(
    project: DbtProject,
    nodes: Iterable[Node],
    *,
    introspect: bool = True,
    output_to_lower: bool = False,
    skip_add_data_types: bool = False,
    vars_override: Mapping[str, Any] | None = None,
) -> OrganizePlan:
    """Plan every move, creation and deletion in memory; raise ``OrganizeError`` when one is unsafe.

    Every file the plan would write or delete is checked first (``writable.file_problem``): one that
    cannot be written safely is recorded in ``blocked`` and the plan is made again without the moves
    into or out of it, so that an entry never leaves a file unless it can land in another.
    """
    selected = list(nodes)
    sources = source_targets(project, vars_override)
    blocked: dict[str, str] = {}
    root = project.root.resolve()
    while True:
        plan = _plan(
            project,
            selected,
            sources,
            frozenset(blocked),
            introspect,
            output_to_lower,
            types=not skip_add_data_types,
        )
        found = {
            schema_file.display_path: reason
            for schema_file in plan.store.files()
            if schema_file.changed() and (reason := file_problem(schema_file, root)) is not None
        }
        if not found:
            plan.blocked = blocked
            return plan
        if found.keys() <= blocked.keys():
            # Cannot happen: a file left alone gets no move, entry or source. Never write it anyway.
            raise OrganizeError(
                f"{', '.join(sorted(found))} would change although left alone; nothing was written."
            )
        blocked.update(found)  # each pass leaves at least one more file alone, so this ends


def _plan(
    project: DbtProject,
    selected: list[Node],
    sources: Mapping[str, SourceTarget],
    leave: frozenset[str],
    introspect: bool,
    output_to_lower: bool,
    *,
    types: bool,
) -> OrganizePlan:
    plan = OrganizePlan(SchemaStore(project.root))
    moves = [
        move
        for move in _planned_moves(project, selected, sources)
        if normal_path(move.source or "") not in leave and normal_path(move.target) not in leave
    ]
    texts, skipped = apply_moves(project, moves)
    for index, why in sorted(skipped.items()):
        move = moves[index]
        plan.left.append(f"{move.what}: left in {move.source} (its template says {move.target}): {why}")
    moves = [move for index, move in enumerate(moves) if index not in skipped]
    for path, (moved_text, on_disk) in texts.items():
        text = moved_text
        comments = sum(1 for line in text.splitlines() if line.lstrip().startswith("#"))
        if on_disk is not None and comments and _is_empty(load_plain(path, text)):
            text = _tidy(text)  # only comments are left: the blank lines between entries go
        schema_file = SchemaFile.from_text(project.root / path, path, text, on_disk=on_disk)
        plan.store.put(schema_file)
        if on_disk is not None and _is_empty(schema_file.data):
            if comments:
                # Comments that belonged to no entry (a header, a section title, a commented-out
                # entry): deleting the file would lose them.
                plan.warnings.append(
                    f"{path} has no entries left but was kept for its {comments} comment line(s) that "
                    "belong to no entry; move them where they belong, then delete the file."
                )
            else:
                plan.deleted.append(path)
    for entry in moves:
        plan.moves.append(Move(entry.what, entry.source, entry.target))
        for node_id in entry.node_ids:
            plan.placed[node_id] = entry.target
    _create_missing_entries(project, selected, plan, leave)
    declared = {name: target for name, target in sources.items() if normal_path(target.path) not in leave}
    _create_declared_sources(
        project, declared, plan, introspect=introspect, lower=output_to_lower, types=types
    )
    return plan


def write_organized(plan: OrganizePlan, writer: Writer = write_atomic) -> list[str]:
    """Write every changed file atomically, then delete the files left empty; return what changed.

    Files joined by a moved entry are written all or none (``move_groups``); one that cannot be written
    is recorded in ``plan.blocked`` with the others of its group, and the rest is still written.
    """
    emptied = set_aside_emptied(plan)
    changed = [schema_file for schema_file in plan.store.files() if schema_file.changed()]
    written = write_files(changed, plan.blocked, writer, move_groups(plan))
    return written + delete_emptied(plan, emptied)


def move_groups(plan: OrganizePlan) -> list[list[str]]:
    """The files joined by moved entries, to be written all or none; in each, the receiving files first.

    Writing the files entries move into before the files they leave means that a failure midway has
    changed nothing but receiving files, which can be put back; an entry is never only in a file that
    was not written.
    """
    parent: dict[str, str] = {}

    def root_of(path: str) -> str:
        parent.setdefault(path, path)
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    receiving: set[str] = set()
    leaving: set[str] = set()
    for move in plan.moves:
        if move.source is None:
            continue  # a created entry leaves no file
        source, target = normal_path(move.source), normal_path(move.target)
        receiving.add(target)
        leaving.add(source)
        parent[root_of(source)] = root_of(target)
    groups: dict[str, list[str]] = {}
    for path in [*sorted(receiving), *sorted(leaving - receiving)]:
        groups.setdefault(root_of(path), []).append(path)
    return list(groups.values())


def set_aside_emptied(plan: OrganizePlan) -> list[str]:
    """The files to delete, marked so that no writer writes them (call before writing the others)."""
    emptied = plan.emptied()
    for schema_file in plan.store.files():
        if schema_file.display_path in emptied:
            schema_file.on_disk = schema_file.render()  # nothing left to write: it goes away instead
    return emptied


def delete_emptied(plan: OrganizePlan, emptied: Iterable[str], blocked: Collection[str] = ()) -> list[str]:
    """Delete the files set aside by ``set_aside_emptied``; return their paths.

    A file is kept when a file of its move group was not written (in ``plan.blocked`` or ``blocked``):
    its entries did not land anywhere else.
    """
    unwritten = set(plan.blocked) | set(blocked)
    kept = {path for group in move_groups(plan) if unwritten & set(group) for path in group}
    deleted: list[str] = []
    for path in emptied:
        if normal_path(path) in kept:
            continue
        (plan.store.root / path).unlink(missing_ok=True)
        deleted.append(path)
    return deleted


def placed_nodes(project: DbtProject, plan: OrganizePlan) -> None:
    """Point the run's nodes at the files organize put their entries in (so one parse serves both)."""
    for node_id, path in plan.placed.items():
        node = project.nodes.get(node_id)
        if node is not None:
            project.nodes[node_id] = replace(node, patch_path=path)


def _planned_moves(
    project: DbtProject, nodes: list[Node], sources: Mapping[str, SourceTarget]
) -> list[EntryMove]:
    claims: dict[tuple[str, str, str], EntryMove] = {}
    for node in nodes:
        if node.resource_type == "source":
            declared = sources.get(node.source_name or "")
            if declared is None or not node.patch_path:
                continue
            key, name, target = "sources", node.source_name or "", declared.path
            what = f"source {name}"
        else:
            if not node.patch_path or node.osmosis_template is None:
                continue  # no template: the entry stays where its author put it
            key, name, target = node.yaml_key, node.name, readable_target_path(node, project.root)
            what = node.display_name
        current = node.patch_path
        claim = claims.get((current, key, name))
        if claim is None:
            claims[(current, key, name)] = EntryMove(what, key, name, current, target, [node.unique_id])
        elif claim.target != target:
            raise OrganizeError(
                f"The dbt-osmosis path template puts {what} in two places ({claim.target} and {target}); "
                "one entry can live in one file only. Make the template give one path. Nothing was written."
            )
        else:
            claim.node_ids.append(node.unique_id)
    moves = [move for move in claims.values() if normal_path(move.source or "") != normal_path(move.target)]
    landing: dict[tuple[str, str, str], EntryMove] = {}
    for move in moves:
        slot = (normal_path(move.target), move.key, move.name)
        if slot in landing:
            raise OrganizeError(
                f"The dbt-osmosis path templates put two `{move.name}` entries under `{move.key}` in "
                f"{move.target} (from {landing[slot].source} and {move.source}). Nothing was written."
            )
        landing[slot] = move
    return moves


def _create_missing_entries(
    project: DbtProject, nodes: list[Node], plan: OrganizePlan, leave: frozenset[str]
) -> None:
    # 1.x "injects undocumented models": a name-only entry where the template says.
    for node in nodes:
        if node.resource_type == "source" or node.patch_path or node.version is not None:
            continue
        path = readable_target_path(node, project.root)
        if normal_path(path) in leave:
            continue
        schema_file = plan.store.get_or_create(path)
        if find_entry(schema_file, node) is None:
            schema_file.make_editable()
            create_entry(schema_file, node)
            schema_file.touch()
            plan.moves.append(Move(node.display_name, None, schema_file.display_path))
        plan.placed[node.unique_id] = schema_file.display_path


def _create_declared_sources(
    project: DbtProject,
    sources: Mapping[str, SourceTarget],
    plan: OrganizePlan,
    *,
    introspect: bool,
    lower: bool,
    types: bool,
) -> None:
    defined = {node.source_name for node in project.nodes.values() if node.resource_type == "source"}
    missing = {name: target for name, target in sources.items() if name not in defined}
    if not missing:
        return
    if not introspect:
        plan.warnings.append(
            f"source(s) {', '.join(sorted(missing))} declared in vars: dbt-osmosis: sources: are not "
            "defined in any YAML; without introspection their tables cannot be listed, so they were "
            "not created."
        )
        return
    with project.adapter() as (adapter, config):
        for name, target in sorted(missing.items()):
            database = target.database or getattr(config.credentials, "database", None)
            try:
                relations = adapter.list_relations(database=database, schema=target.schema)
                tables = CommentedSeq()
                for relation in sorted(relations, key=lambda r: str(r.identifier)):
                    table = CommentedMap()
                    table["name"] = _case(str(relation.identifier), lower)
                    columns = CommentedSeq()
                    for column in adapter.get_columns_in_relation(relation):
                        item = CommentedMap()
                        item["name"] = _case(str(column.name), lower)
                        if types and getattr(column, "dtype", None):
                            item["data_type"] = _case(str(column.dtype), lower)
                        columns.append(item)
                    if columns:
                        table["columns"] = columns
                    tables.append(table)
            except Exception as exc:  # adapters raise their own driver's errors; all mean "cannot read"
                raise ProjectError(
                    f"Cannot list the relations of schema {target.schema} for source {name}: "
                    f"{' '.join(str(exc).split())}"
                ) from exc
            entry = CommentedMap()
            entry["name"] = name
            if target.database:
                entry["database"] = target.database
            entry["schema"] = target.schema
            entry["tables"] = tables
            schema_file = plan.store.get_or_create(target.path)
            schema_file.make_editable()
            listing = schema_file.data.get("sources")
            if not isinstance(listing, list):
                listing = CommentedSeq()
                schema_file.data["sources"] = listing
            insert_item(listing, len(listing), entry)
            schema_file.touch()
            plan.moves.append(Move(f"source {name} ({len(tables)} tables)", None, schema_file.display_path))


def _case(text: str, lower: bool) -> str:
    return text.lower() if lower else text


def _read_project_file(project: DbtProject) -> dict[str, Any]:
    try:
        data = pyyaml.load((project.root / "dbt_project.yml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, pyyaml.YAMLError) as exc:
        raise ProjectError(f"Cannot read {project.root / 'dbt_project.yml'}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _current_data(schema_file: SchemaFile) -> Any:
    return load_plain(schema_file.display_path, schema_file.render())


def _tidy(text: str) -> str:
    # Runs of blank lines become one, and none is left at the end.
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    for line in lines:
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(kept)


def _is_empty(data: Any) -> bool:
    return isinstance(data, dict) and not any(key != "version" for key in data)
