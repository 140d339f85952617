"""Sparing long-lived objects from the cycle collector never outlives the run that asked for it."""

from __future__ import annotations

import gc
import weakref

import pytest

from dbt_osmosis.core.process.gc_tuning import keep_long_lived, long_lived_heap


def test_a_library_process_gets_its_collector_back_after_nested_blocks() -> None:
    assert gc.get_freeze_count() == 0
    with long_lived_heap():
        assert gc.get_freeze_count() > 0
        with long_lived_heap():  # load_project inside a CLI run
            pass
        assert gc.get_freeze_count() > 0  # the inner block does not thaw the outer one
        kept = [[] for _ in range(1000)]  # lists are tracked by the collector
        before = gc.get_freeze_count()
        keep_long_lived()
        assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_freeze_count() == 0


def test_an_error_inside_still_gives_the_collector_back() -> None:
    with pytest.raises(RuntimeError), long_lived_heap():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0
    keep_long_lived()  # outside any block it does nothing
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_made_during_a_block_is_still_collected() -> None:
    class Node:
        partner: object

    with long_lived_heap():
        first, second = Node(), Node()
        first.partner, second.partner = second, first
        watch = weakref.ref(first)
        del first, second
        gc.collect()
        assert watch() is None
