"""Keep the garbage collector from rescanning what a run keeps until it ends.

A run imports dbt, parses the project into a manifest of millions of objects and then edits YAML,
allocating all the way. Every few thousand allocations CPython's collector looks for reference cycles,
and its fuller passes walk every tracked object, although the imported modules and the manifest stay
alive until the run ends. Moving them out of the collector's reach (``gc.freeze``) takes about a tenth
off a first run at 800 models without using more memory (a larger collection threshold does the
same, at a higher peak). When the outermost block ends everything is handed back to the collector, so
a process that loads projects as a library is left as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["keep_long_lived", "long_lived_heap"]

_depth = 0


@contextmanager
def long_lived_heap() -> Iterator[None]:
    """Within the block, the objects alive at its start are not rescanned by the cycle collector."""
    global _depth
    gc.freeze()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()


def keep_long_lived() -> None:
    """Inside a ``long_lived_heap`` block, also spare everything alive now (the parsed manifest)."""
    if _depth:
        gc.freeze()
