"""Which upstream nodes a node waits for before it is asked about, and which nodes to start first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.planning import context_for
from dbt_osmosis.core.document.types import DocumentPlan
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.synthesis.gaps import find_gap
from dbt_osmosis.core.synthesis.provenance import Redo

__all__ = ["dependencies_that_matter", "waiting_chain_length"]


def dependencies_that_matter(
    plan: DocumentPlan, targets: Sequence[Node], redo: Mapping[str, Redo] | None = None
) -> dict[str, list[str]]:
    """For each node, the upstream nodes it must wait for before asking about its own gaps.

    A node waits for every upstream node (however far up) that is about to be asked about a column
    this node also lacks: only then can its answer be inherited here instead of being asked again, and
    only then is the question the same whatever order the others finish in. Waiting on the rest would
    serialise the DAG for nothing.
    """
    found = {
        node.unique_id: find_gap(context_for(plan, node), (redo or {}).get(node.unique_id))
        for node in targets
    }
    gaps = {unique_id: {column_key(c) for c in gap.columns} for unique_id, gap in found.items()}
    # For each node, the selected upstream nodes with gaps of their own (the only ones worth waiting for).
    upstream: dict[str, set[str]] = {}
    waits: dict[str, list[str]] = {}
    position = {node.unique_id: index for index, node in enumerate(targets)}
    for node in targets:  # targets are in DAG order, so parents are done first
        parents = [p for p in node.depends_on if p in gaps]
        above: set[str] = set()
        for parent in parents:
            above |= upstream[parent]
            if gaps[parent]:
                above.add(parent)
        upstream[node.unique_id] = above
        own = gaps[node.unique_id]
        wanted = {p for p in above if own & gaps[p]}
        # The versions of one model read the same model-level columns (and often the same description):
        # a later version waits for an earlier one with a gap in common, then finds it filled.
        wanted |= {
            other.unique_id
            for other in _earlier_versions(node, targets[: position[node.unique_id]])
            if own & gaps[other.unique_id] or (found[node.unique_id].table and found[other.unique_id].table)
        }
        waits[node.unique_id] = sorted(wanted, key=position.__getitem__)
    return waits


def _earlier_versions(node: Node, earlier: Sequence[Node]) -> list[Node]:
    """The other versions of ``node``'s model among ``earlier`` (none when it is not versioned)."""
    if node.version is None:
        return []
    same = (node.package_name, node.name, node.patch_path)
    return [
        other
        for other in earlier
        if other.version is not None and (other.package_name, other.name, other.patch_path) == same
    ]


def waiting_chain_length(targets: Sequence[Node], waits_on: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How many nodes wait, one behind the other, for each node (0 when nobody waits for it)."""
    height = {node.unique_id: 0 for node in targets}
    for node in reversed(targets):  # children before parents
        for parent_id in waits_on[node.unique_id]:
            height[parent_id] = max(height[parent_id], height[node.unique_id] + 1)
    return height
