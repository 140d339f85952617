"""``yaml organize``: every entry in the file its path template says, moved as text so nothing is lost.

An entry is moved as the lines the author wrote (with the comment lines directly above it), only
re-indented to the list it joins: comments, quoting, ``{{ doc() }}`` references and block scalars travel
unchanged, and the files it leaves keep every other byte. Each moved file is re-read afterwards and must
hold exactly the data expected (the entry gone here, there there); anything else stops the run before
anything is written.

Where entries belong: models, seeds and snapshots whose ``+dbt-osmosis`` template is set go where
``placement.target_path`` says (the rule ``yaml document`` uses for new entries); a node without a
template keeps its entry where it is. Sources named under ``vars: dbt-osmosis: sources:`` in
``dbt_project.yml`` (1.x syntax: ``source_name: path`` or ``{path, schema, database}``, the path
relative to the first model path) go to that file, and a declared source that no YAML defines yet is
created there from the warehouse's relations in its schema.
"""

from __future__ import annotations

import copy
import logging
import posixpath
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.errors import OsmosisError, ProjectError
from dbt_osmosis.core.schema.entries import create_entry, find_entry, insert_item
from dbt_osmosis.core.schema.placement import target_path
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.writable import Writer, file_problem, write_files
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic, yaml_error_message

__all__ = [
    "Move",
    "OrganizeError",
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

_Loader: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


class OrganizeError(OsmosisError):
    """The path templates or the files make a move ambiguous or unsafe; nothing was written."""


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
        if _normal(move.source or "") not in leave and _normal(move.target) not in leave
    ]
    texts = _apply_moves(project, moves)
    for path, (text, on_disk) in texts.items():
        schema_file = SchemaFile.from_text(project.root / path, path, text, on_disk=on_disk)
        plan.store.put(schema_file)
        if on_disk is not None and _is_empty(schema_file.data):
            plan.deleted.append(path)
    for entry in moves:
        plan.moves.append(Move(entry.what, entry.source, entry.target))
        for node_id in entry.node_ids:
            plan.placed[node_id] = entry.target
    _create_missing_entries(project, selected, plan, leave)
    declared = {name: target for name, target in sources.items() if _normal(target.path) not in leave}
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
        source, target = _normal(move.source), _normal(move.target)
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
        if _normal(path) in kept:
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


@dataclass
class _EntryMove:
    what: str
    key: str
    name: str
    source: str | None
    target: str
    node_ids: list[str]


def _planned_moves(
    project: DbtProject, nodes: list[Node], sources: Mapping[str, SourceTarget]
) -> list[_EntryMove]:
    claims: dict[tuple[str, str, str], _EntryMove] = {}
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
            key, name, target = node.yaml_key, node.name, target_path(node)
            what = node.display_name
        current = node.patch_path
        claim = claims.get((current, key, name))
        if claim is None:
            claims[(current, key, name)] = _EntryMove(what, key, name, current, target, [node.unique_id])
        elif claim.target != target:
            raise OrganizeError(
                f"The dbt-osmosis path template puts {what} in two places ({claim.target} and {target}); "
                "one entry can live in one file only. Make the template give one path. Nothing was written."
            )
        else:
            claim.node_ids.append(node.unique_id)
    moves = [move for move in claims.values() if _normal(move.source or "") != _normal(move.target)]
    landing: dict[tuple[str, str, str], _EntryMove] = {}
    for move in moves:
        slot = (_normal(move.target), move.key, move.name)
        if slot in landing:
            raise OrganizeError(
                f"The dbt-osmosis path templates put two `{move.name}` entries under `{move.key}` in "
                f"{move.target} (from {landing[slot].source} and {move.source}). Nothing was written."
            )
        landing[slot] = move
    return moves


def _apply_moves(project: DbtProject, moves: list[_EntryMove]) -> dict[str, tuple[str, str | None]]:
    # Path -> (new text, text on disk or None); every file read once, removals first, then insertions.
    texts: dict[str, tuple[str, str | None]] = {}

    def text_of(path: str) -> str | None:
        key = _normal(path)
        if key not in texts:
            file = project.root / key
            on_disk = file.read_bytes().decode("utf-8") if file.is_file() else None
            texts[key] = (on_disk or "", on_disk)
        text, on_disk = texts[key]
        return text if (on_disk is not None or text) else None

    blocks: dict[int, _Block] = {}
    by_source: dict[str, list[tuple[int, _EntryMove]]] = {}
    for index, move in enumerate(moves):
        by_source.setdefault(_normal(move.source or ""), []).append((index, move))
    for path, items in by_source.items():
        text = text_of(path)
        if text is None:
            raise OrganizeError(f"{path} is gone; run dbt parse again. Nothing was written.")
        located = _locate(path, text)
        expected = _load(path, text)
        spans: list[tuple[int, int, str, str]] = []
        for index, move in items:
            found = located.get((move.key, move.name))
            if found is None:
                raise OrganizeError(
                    f"{move.what}: no `{move.name}` entry under `{move.key}` in {path} to move; "
                    "nothing was written."
                )
            blocks[index] = found
            spans.append((found.start, found.end, move.key, move.name))
            _drop(expected, move.key, move.name)
        new_text = _remove(text, spans, located)
        _verify(path, new_text, expected)
        texts[path] = (new_text, texts[path][1])
    by_target: dict[str, list[tuple[int, _EntryMove]]] = {}
    for index, move in enumerate(moves):
        by_target.setdefault(_normal(move.target), []).append((index, move))
    for path, items in by_target.items():
        text = text_of(path)
        newline = "\r\n" if text and "\r\n" in text else _newline_of(blocks[items[0][0]].text)
        base = text if text is not None else f"version: 2{newline}"
        expected = _load(path, base)
        for index, move in items:
            block = blocks[index]
            base = _insert(path, base, move.key, block, newline)
            expected.setdefault(move.key, []).append(copy.deepcopy(block.data))
        _verify(path, base, expected)
        texts[path] = (base, texts[path][1])
    return texts


@dataclass(frozen=True)
class _Block:
    start: int  # first line (leading comment lines included), 0-based
    end: int  # one past the last line
    dash: int  # column of the item's dash
    text: str  # the lines, as written
    data: Any  # the entry as plain data


def _locate(path: str, text: str) -> dict[tuple[str, str], _Block]:
    """Every named entry of every top-level list, with the lines it spans."""
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise OrganizeError(yaml_error_message(path, "cannot be organized", exc, text)) from exc
    plain = _load(path, text)
    lines = text.splitlines(keepends=True)
    found: dict[tuple[str, str], _Block] = {}
    if not isinstance(data, CommentedMap):
        return found
    keys = list(data.keys())
    for position, key in enumerate(keys):
        items = data[key]
        if not isinstance(items, CommentedSeq) or not items or items.fa.flow_style():
            continue
        key_line = data.lc.key(key)[0]
        after = data.lc.key(keys[position + 1])[0] if position + 1 < len(keys) else len(lines)
        starts = [_dash_line(lines, items.lc.item(i)[0]) for i in range(len(items))]
        previous_end = key_line + 1
        for i, item in enumerate(items):
            boundary = starts[i + 1] if i + 1 < len(items) else after
            end = boundary
            while end > starts[i] + 1 and _is_blank_or_comment(lines[end - 1]):
                end -= 1
            start = starts[i]
            while start > previous_end and _is_comment(lines[start - 1]):
                start -= 1
            previous_end = end
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            dash = len(lines[starts[i]]) - len(lines[starts[i]].lstrip(" "))
            entry = next(
                (e for e in plain.get(key) or [] if isinstance(e, dict) and e.get("name") == name), None
            )
            found[(str(key), name)] = _Block(start, end, dash, "".join(lines[start:end]), entry)
    return found


def _dash_line(lines: list[str], line: int) -> int:
    # An item written as "-" alone on its line has its content on the next one.
    if not lines[line].lstrip(" ").startswith("-") and line > 0 and lines[line - 1].strip() == "-":
        return line - 1
    return line


def _remove(
    text: str, spans: list[tuple[int, int, str, str]], located: Mapping[tuple[str, str], _Block]
) -> str:
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for start, end, _, _ in spans:
        drop.update(range(start, end))
    removed_keys = {(key, name) for _, _, key, name in spans}
    # A list whose every entry leaves loses its key line too (an empty `models:` would be null).
    for key in {key for key, _ in removed_keys}:
        siblings = [block for (k, _), block in located.items() if k == key]
        if siblings and all((key, name) in removed_keys for (k, name) in located if k == key):
            first = min(block.start for block in siblings)
            key_line = next((i for i in range(first - 1, -1, -1) if lines[i].startswith(f"{key}:")), None)
            if key_line is not None:
                drop.update(range(key_line, first))
    return "".join(line for index, line in enumerate(lines) if index not in drop)


def _insert(path: str, text: str, key: str, block: _Block, newline: str) -> str:
    located = _locate(path, text)
    lines = text.splitlines(keepends=True)
    siblings = [b for (k, _), b in located.items() if k == key]
    data = _load(path, text)
    if siblings:
        last = max(siblings, key=lambda b: b.end)
        moved = _reindent(block.text, last.dash - block.dash, newline)
        return "".join(lines[: last.end]) + moved + "".join(lines[last.end :])
    if key in data:
        raise OrganizeError(
            f"{path} has `{key}:` in a form entries cannot be appended to (a flow list or a value); "
            "write it as a block list. Nothing was written."
        )
    if text and not text.endswith("\n"):
        text += newline
    return f"{text}{newline}{key}:{newline}" + _reindent(block.text, 0, newline)


def _reindent(text: str, shift: int, newline: str) -> str:
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
        elif shift >= 0:
            out.append(" " * shift + line)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            out.append(line[min(spaces, -shift) :])
    return newline.join(out) + newline


def _verify(path: str, text: str, expected: Any) -> None:
    if _load(path, text) != expected:
        raise OrganizeError(
            f"Moving entries in {path} as text would change what the file means (its layout is unusual "
            "around them); move them by hand or simplify the file. Nothing was written."
        )


def _drop(data: dict[str, Any], key: str, name: str) -> None:
    items = data.get(key)
    if isinstance(items, list):
        data[key] = [e for e in items if not (isinstance(e, dict) and e.get("name") == name)]
        if not data[key]:
            del data[key]


def _create_missing_entries(
    project: DbtProject, nodes: list[Node], plan: OrganizePlan, leave: frozenset[str]
) -> None:
    # 1.x "injects undocumented models": a name-only entry where the template says.
    for node in nodes:
        if node.resource_type == "source" or node.patch_path or node.version is not None:
            continue
        path = target_path(node)
        if _normal(path) in leave:
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
        data = pyyaml.load((project.root / "dbt_project.yml").read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, pyyaml.YAMLError) as exc:
        raise ProjectError(f"Cannot read {project.root / 'dbt_project.yml'}: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _load(path: str, text: str) -> Any:
    try:
        data = pyyaml.load(text, Loader=_Loader)
    except pyyaml.YAMLError as exc:
        raise OrganizeError(yaml_error_message(path, "does not parse", exc, text)) from exc
    return data if isinstance(data, dict) else {}


def _current_data(schema_file: SchemaFile) -> Any:
    return _load(schema_file.display_path, schema_file.render())


def _is_empty(data: Any) -> bool:
    return isinstance(data, dict) and not any(key != "version" for key in data)


def _is_blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _normal(path: str) -> str:
    return posixpath.normpath(path) if path else path
