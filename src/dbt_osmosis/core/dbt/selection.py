"""Which nodes a run works on: dbt's own selection syntax, plus 1.x's names, paths and fqn prefixes.

``--select``, ``--exclude``, ``--selector`` and ``--state`` are handed to dbt itself (``dbt ls`` through
``dbtRunner``, on the manifest the run already parsed), so graph operators, ``tag:``, ``path:``,
``source:``, ``config.`` and ``state:modified`` mean exactly what they mean in dbt. Positional names and
``--fqn`` prefixes are 1.x's own syntax and are matched here; both kinds add up, and ``--exclude``
removes from the total.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dbt_osmosis.core.dbt.project import DbtProject, Node, dbt_args, working_directory
from dbt_osmosis.core.dbt.target import dbt_target_dir
from dbt_osmosis.core.errors import SelectionError

__all__ = ["Selection", "dbt_selected_ids", "select_nodes"]


@dataclass(frozen=True)
class Selection:
    """What the command line asked for; empty means every node of the project."""

    models: tuple[str, ...] = ()
    fqn: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    selector: str | None = None
    state: Path | None = None

    def describe(self) -> str:
        """The selection as the user typed it, for messages."""
        parts = [*self.models, *(f"--fqn {f}" for f in self.fqn)]
        parts += [f"--select {s}" for s in self.select] + [f"--exclude {e}" for e in self.exclude]
        if self.selector:
            parts.append(f"--selector {self.selector}")
        return ", ".join(parts)


def select_nodes(project: DbtProject, selection: Selection) -> list[Node]:
    """The project's models, seeds, snapshots and sources that ``selection`` picks, in project order."""
    nodes = list(project.nodes.values())
    legacy = bool(selection.models or selection.fqn)
    through_dbt = bool(selection.select or selection.selector)
    if not (legacy or through_dbt or selection.exclude):
        foreign = project.foreign_nodes() if not nodes else {}
        if foreign:
            # Never a silent "nothing to change": the project has nodes, they just are not recognised.
            owners = ", ".join(f"{count} in {name}" for name, count in sorted(foreign.items()))
            partial = dbt_target_dir(project.root) / "partial_parse.msgpack"
            shown = partial.relative_to(project.root) if partial.is_relative_to(project.root) else partial
            raise SelectionError(
                f"None of the models, seeds, snapshots or sources dbt parsed belongs to project "
                f"{project.project_name} (from dbt_project.yml); dbt lists {owners}. If those are yours, "
                f"delete {shown.as_posix()} (it may come from another tool) and run again."
            )
        return nodes
    if not legacy:
        # One call: dbt combines --select, --selector and --exclude exactly as `dbt ls` would.
        wanted = dbt_selected_ids(
            project, selection.select, selection.exclude, selection.selector, selection.state
        )
    else:
        wanted = {node.unique_id for node in nodes if _matches_legacy(project, node, selection)}
        if through_dbt:
            wanted |= dbt_selected_ids(project, selection.select, (), selection.selector, selection.state)
        if selection.exclude:
            wanted -= dbt_selected_ids(project, selection.exclude, (), None, selection.state)
    selected = [node for node in nodes if node.unique_id in wanted]
    if not selected:
        raise SelectionError(
            f"No model, seed, snapshot or source in {project.project_name} matches "
            f"{selection.describe()}. Give node names, paths under the project, fqn prefixes such as "
            "staging.stg_orders, or dbt selectors such as -s +orders or -s tag:finance."
        )
    return selected


def dbt_selected_ids(
    project: DbtProject,
    select: Sequence[str],
    exclude: Sequence[str],
    selector: str | None,
    state: Path | None,
) -> set[str]:
    """The unique ids ``dbt ls`` selects on the already parsed manifest (no second parse)."""
    from dbt.cli.main import dbtRunner

    args = ["ls", *dbt_args(project.options), "--output", "json", "--output-keys", "unique_id"]
    # Each value may hold several space-separated criteria, as in dbt's own `-s "a b"`.
    if select:
        args += ["--select", *_criteria(select)]
    if exclude:
        args += ["--exclude", *_criteria(exclude)]
    if selector:
        args += ["--selector", selector]
    if state is not None:
        args += ["--state", str(state.resolve())]
    with working_directory(project.root):
        result = dbtRunner(manifest=project.manifest).invoke(args)
    if not result.success:
        reason = " ".join(str(result.exception or "dbt ls failed").split())
        raise SelectionError(f"dbt cannot apply the selection: {reason}")
    ids: set[str] = set()
    lines = result.result if isinstance(result.result, list) else []
    for line in lines:
        try:
            ids.add(str(json.loads(line)["unique_id"]))
        except (ValueError, KeyError, TypeError):
            continue  # not a JSON line of ours (dbt printed something else); nothing to select
    return ids


def _criteria(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split()]


def _matches_legacy(project: DbtProject, node: Node, selection: Selection) -> bool:
    return any(_matches_model(project, node, name) for name in selection.models) or any(
        _matches_fqn(node, prefix) for prefix in selection.fqn
    )


def _matches_model(project: DbtProject, node: Node, selector: str) -> bool:
    if selector in (node.name, node.unique_id, node.display_name):
        return True
    candidate = Path(selector)
    absolute = candidate if candidate.is_absolute() else (Path.cwd() / candidate)
    try:
        relative = absolute.resolve().relative_to(project.root).as_posix()
    except ValueError:
        relative = candidate.as_posix()
    node_path = node.original_file_path
    return node_path == relative or node_path.startswith(relative.rstrip("/") + "/")


def _matches_fqn(node: Node, selector: str) -> bool:
    parts = tuple(part for part in selector.split(".") if part)
    return bool(parts) and (node.fqn[: len(parts)] == parts or node.fqn[1 : 1 + len(parts)] == parts)
