"""What a YAML document shares through anchors and aliases: one object reachable in two places."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["containers", "shared_containers"]


def containers(value: Any) -> Iterator[Any]:
    """Every mapping and list in ``value``, itself included (each object once)."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict | list) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend(item.values() if isinstance(item, dict) else item)


def shared_containers(data: Any) -> frozenset[int]:
    """Ids of the mappings and lists reachable by more than one path from the top of a document.

    Each object is entered at most twice, so the walk stays linear even for alias bombs, and whatever
    sits inside a shared object is itself reached twice and so counted as shared too.
    """
    visits: dict[int, int] = {}
    stack = [data]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict | list):
            continue
        count = visits.get(id(item), 0) + 1
        visits[id(item)] = count
        if count <= 2:
            stack.extend(item.values() if isinstance(item, dict) else item)
    return frozenset(key for key, count in visits.items() if count > 1)
