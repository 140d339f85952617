"""The LLM package's shape: old import paths keep working, light modules stay light, state is per runtime."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import dbt_osmosis.core.llm as llm
from dbt_osmosis.core.llm import adapters, factory, legacy, testing, types
from dbt_osmosis.core.llm.runtime import LLMRuntime, default_runtime

_OLD_CLIENT_NAMES = {
    "LLMClient": types,
    "LLMRequest": types,
    "LLMResponse": types,
    "Message": types,
    "Usage": types,
    "MockLLMClient": testing,
    "MockReply": testing,
    "clear_client_cache": factory,
    "create_client": factory,
    "raw_sdk_client": factory,
    "cached_client_count": factory,
    "parse_retry_after": adapters,
    "STREAMS_BY_DEFAULT": adapters,
    "ANTHROPIC_DEFAULT_MAX_TOKENS": adapters,
    "OpenAIAdapter": adapters,
    "AnthropicAdapter": adapters,
    "GeminiAdapter": adapters,
}


def test_the_old_client_module_still_exports_every_old_name() -> None:
    from dbt_osmosis.core.llm import client

    for name, home in _OLD_CLIENT_NAMES.items():
        assert getattr(client, name) is getattr(home, name), name


def test_every_package_export_resolves_to_its_home() -> None:
    for name in llm.__all__:
        assert getattr(llm, name) is not None, name
    assert llm.get_llm_client is legacy.get_llm_client
    assert llm.MockLLMClient is testing.MockLLMClient
    assert set(llm.__all__) <= set(dir(llm))


def test_the_package_init_holds_no_function_or_class_bodies() -> None:
    source = Path(llm.__file__).read_text(encoding="utf-8")
    defined = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    assert defined == []


@pytest.mark.parametrize(
    "module", ["dbt_osmosis.core.llm.budget", "dbt_osmosis.core.llm.types", "dbt_osmosis.core.llm.usage"]
)
def test_light_modules_load_no_sdk_adapter_or_managed_client(module: str) -> None:
    heavy = [
        "openai",
        "anthropic",
        "google.genai",
        "dbt_osmosis.core.llm.adapters",
        "dbt_osmosis.core.llm.managed",
        "dbt_osmosis.core.llm.legacy",
    ]
    code = f"import sys, {module}; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_patching_the_package_attribute_steers_the_legacy_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def create(**kwargs: Any) -> Any:
        calls.append(kwargs)
        message = SimpleNamespace(content='{"description": "Patched."}')
        return SimpleNamespace(choices=[SimpleNamespace(message=message)])

    client = SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create)))
    monkeypatch.setattr(llm, "get_llm_client", lambda: (client, "patched"))
    # Called through the legacy module directly: it still looks the name up on the package.
    assert legacy.generate_column_doc("id") == "Patched."
    assert calls and calls[0]["model"] == "patched"


def test_each_runtime_owns_its_state(llm_runtime: LLMRuntime) -> None:
    assert default_runtime() is llm_runtime
    other = LLMRuntime()
    assert other.first_warning("k") and not other.first_warning("k")
    assert llm_runtime.first_warning("k")  # another runtime's memory is not shared
    assert other.capability_store(None) is other.capability_store(None)
    assert other.capability_store(None) is not llm_runtime.capability_store(None)
    other.reset()
    assert other.first_warning("k")
