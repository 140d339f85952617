"""Every LLM test gets a fresh ``LLMRuntime``: nothing one test caches or learns reaches the next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dbt_osmosis.core.llm import runtime as runtime_module
from dbt_osmosis.core.llm.runtime import LLMRuntime


@pytest.fixture(autouse=True)
def llm_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMRuntime]:
    """A new runtime, installed as the process default so code that takes none uses it too."""
    runtime = LLMRuntime()
    monkeypatch.setattr(runtime_module, "_default", runtime)
    yield runtime
    stats = runtime.usage_if_created
    if stats is not None:
        # Its exit-time summary would otherwise print after pytest's closing line.
        stats.mark_reported()
    runtime.clear_clients()
