"""Column knowledge flowing down the DAG: what counts as documented, and who documents a column nearest.

Pure: data in, data out. Descriptions are kept as the YAML scalars the authors wrote (a ``{{ doc() }}``
reference stays a reference, a folded string stays folded), never as dbt's rendered text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_PLACEHOLDERS", "ColumnKnowledge", "Knowledge", "is_placeholder", "topological_order"]

#: Descriptions that mean "nobody documented this yet"; compared case-insensitively, trimmed.
DEFAULT_PLACEHOLDERS: tuple[str, ...] = (
    "",
    "Pending further documentation",
    "No description for this column",
    "Not documented",
    "Undefined",
    "TBD",
    "TODO",
)


def is_placeholder(description: object, placeholders: Iterable[str] = DEFAULT_PLACEHOLDERS) -> bool:
    """Whether a description is missing or one of the placeholder texts."""
    if description is None:
        return True
    text = " ".join(str(description).split()).lower()
    return text in {" ".join(p.split()).lower() for p in placeholders}


@dataclass(frozen=True)
class ColumnKnowledge:
    """What one node knows about one column: its description as written, tags, meta, and its origin."""

    description: Any
    progenitor: str
    tags: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: Other column keys a run was asked to inherit (``--add-inheritance-for-specified-keys``).
    extra: Mapping[str, Any] = field(default_factory=dict)


class Knowledge:
    """Documented columns per node, and the nearest upstream documentation of a column.

    Nodes must be learned in topological order: a node's ancestors are final before anyone asks on its
    behalf, which lets each node's inherited view be computed once and cached.
    """

    def __init__(self, parents: Mapping[str, Sequence[str]]) -> None:
        self._parents = parents
        self._own: dict[str, dict[str, ColumnKnowledge]] = {}
        self._views: dict[str, dict[str, ColumnKnowledge]] = {}

    def learn(self, unique_id: str, columns: Mapping[str, ColumnKnowledge]) -> None:
        """Record (or replace) the documented columns of a node, keyed by lower-case column name."""
        self._own[unique_id] = dict(columns)
        self._views.pop(unique_id, None)

    def own(self, unique_id: str) -> Mapping[str, ColumnKnowledge]:
        """The documented columns a node has itself."""
        return self._own.get(unique_id, {})

    def nearest(self, unique_id: str, column: str) -> ColumnKnowledge | None:
        """The documentation of ``column`` from the closest upstream node that documents it.

        Direct parents win over grandparents; among parents at the same distance, the order of
        ``depends_on`` decides.
        """
        parents = self._parents.get(unique_id, ())
        for parent in parents:
            found = self._own.get(parent, {}).get(column)
            if found is not None:
                return found
        for parent in parents:
            found = self._view(parent).get(column)
            if found is not None:
                return found
        return None

    def _view(self, unique_id: str) -> dict[str, ColumnKnowledge]:
        # Everything a node knows: its own docs over what it would inherit from its ancestors.
        cached = self._views.get(unique_id)
        if cached is not None:
            return cached
        view: dict[str, ColumnKnowledge] = {}
        for parent in reversed(self._parents.get(unique_id, ())):
            view.update(self._view(parent))
            view.update(self._own.get(parent, {}))
        view.update(self._own.get(unique_id, {}))
        self._views[unique_id] = view
        return view


def topological_order(parents: Mapping[str, Sequence[str]]) -> list[str]:
    """Every key of ``parents`` ordered so that each node comes after its parents (ties by name)."""
    import heapq

    children: dict[str, list[str]] = {node: [] for node in parents}
    waiting: dict[str, int] = {}
    for node, node_parents in parents.items():
        known = [parent for parent in set(node_parents) if parent in parents]
        waiting[node] = len(known)
        for parent in known:
            children[parent].append(node)
    ready = [node for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        ordered.append(node)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    # A cycle cannot come out of dbt, but never drop nodes if one did.
    placed = set(ordered)
    ordered.extend(sorted(node for node in parents if node not in placed))
    return ordered
