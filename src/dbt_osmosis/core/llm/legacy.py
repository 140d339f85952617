"""The 1.x LLM API, kept working: ``generate_*``, ``get_llm_client`` and the old prompt builders.

Code written against the previous single ``llm.py`` module keeps working unchanged:
``generate_model_spec_as_json``, ``generate_column_doc``, ``generate_table_doc`` and the private
``_create_llm_prompt_*`` builders keep their signatures and return shapes, and tests that monkeypatch
``dbt_osmosis.core.llm.get_llm_client`` still steer those functions (the package attribute is looked
up at each call). Calling ``get_llm_client()`` yourself still works but is deprecated (one
``DeprecationWarning`` per process). The caches these functions keep belong to the default
``LLMRuntime``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_osmosis.core.llm import structured
from dbt_osmosis.core.llm.exceptions import LLMResponseError
from dbt_osmosis.core.llm.factory import create_client, raw_sdk_client
from dbt_osmosis.core.llm.managed import ManagedClient, build_managed_client
from dbt_osmosis.core.llm.prompts import PromptSet, fence, load_prompts, model_answer_schema, prepare_sql
from dbt_osmosis.core.llm.providers import REMOVAL_VERSION, provider_from_env, warn_deprecated_once
from dbt_osmosis.core.llm.runtime import default_runtime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMClient, LLMRequest

__all__ = [
    "DESCRIPTION_SCHEMA",
    "MODEL_SPEC_SCHEMA",
    "generate_column_doc",
    "generate_model_spec_as_json",
    "generate_table_doc",
    "get_llm_client",
    "load_custom_prompts",
]

#: The JSON a model documentation request must produce (any column names).
MODEL_SPEC_SCHEMA: Mapping[str, Any] = model_answer_schema()

#: The JSON a single column or table description request must produce.
DESCRIPTION_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}

_NONE = "(none)"


def load_custom_prompts(prompt_file: str | os.PathLike[str] | None = None) -> PromptSet:
    """The prompts a run would use: the defaults, then ``prompt_file``, then ``OSMOSIS_LLM_PROMPT_*``.

    Without ``prompt_file``, ``OSMOSIS_LLM_PROMPT_FILE`` names the file (when set). Every template is
    checked: an unknown key, an unknown ``$placeholder`` or a file that does not parse raises
    ``LLMConfigError`` naming the file and the key. ``render(key, **values)`` fills one in::

        prompts = load_custom_prompts("prompts.yaml")
        print(prompts.render("model_system"))
    """
    return load_prompts(Path(prompt_file) if prompt_file is not None else None)


# --------------------------------------------------------------------------------------------------
# Deprecated: the raw SDK client
# --------------------------------------------------------------------------------------------------


def get_llm_client() -> tuple[Any, str]:
    """Return ``(client, model_engine)`` for the configured provider. Deprecated; removed in 2.0.0.

    ``client`` answers ``client.chat.completions.create(model=..., messages=..., temperature=...)``
    the way it always did: for OpenAI, Azure, Ollama, LM Studio and OpenAI-compatible endpoints it is
    the ``openai`` SDK client itself; for Anthropic and Gemini it is a small object with that method,
    backed by the native SDK (no OpenAI-compatibility shim).
    """
    warn_deprecated_once(
        "get_llm_client",
        "Calling dbt_osmosis.core.llm.get_llm_client() for direct openai module usage is deprecated and "
        f"will be removed in dbt-osmosis {REMOVAL_VERSION}; use create_client/LLMClient instead "
        "(create_client() returns an LLMClient; build_managed_client() adds retries and rate limiting).",
    )
    adapter = create_client()
    if adapter.provider in ("anthropic", "google-gemini"):
        return _ChatCompletionsCompat(adapter), adapter.model
    return raw_sdk_client(adapter), adapter.model


@dataclass(frozen=True)
class _CompatMessage:
    content: str | None
    role: str = "assistant"


@dataclass(frozen=True)
class _CompatChoice:
    message: _CompatMessage
    finish_reason: str | None
    index: int = 0


@dataclass(frozen=True)
class _CompatUsage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class _CompatCompletion:
    """The parts of an OpenAI ``ChatCompletion`` that callers of the old API read."""

    id: str | None
    model: str
    choices: list[_CompatChoice]
    usage: _CompatUsage


@dataclass(frozen=True)
class _Completions:
    client: LLMClient

    def create(
        self,
        *,
        messages: Sequence[Mapping[str, str]],
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        **_ignored: Any,
    ) -> _CompatCompletion:
        """Answer an OpenAI-style chat request through the provider's native adapter."""
        request = LLMRequest.from_messages(messages, temperature=temperature, max_tokens=max_tokens)
        reply = self.client.complete(request)
        return _CompatCompletion(
            id=reply.request_id,
            model=reply.model,
            choices=[_CompatChoice(_CompatMessage(reply.text), reply.finish_reason)],
            usage=_CompatUsage(
                reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens
            ),
        )


@dataclass(frozen=True)
class _Chat:
    completions: _Completions


@dataclass(frozen=True)
class _ChatCompletionsCompat:
    """``client.chat.completions.create(...)`` for providers whose SDK is not OpenAI's."""

    adapter: LLMClient
    chat: _Chat = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chat", _Chat(_Completions(self.adapter)))


_ORIGINAL_GET_LLM_CLIENT = get_llm_client


def _patched_get_llm_client() -> Any | None:
    """The replacement when a test monkeypatched ``dbt_osmosis.core.llm.get_llm_client``, else None.

    Looked up on the package at each call, because that is the name the 1.x API told users to patch;
    patching this module's own attribute is honoured too.
    """
    package = sys.modules.get("dbt_osmosis.core.llm")
    for current in (getattr(package, "get_llm_client", None), globals().get("get_llm_client")):
        if current is not None and current is not _ORIGINAL_GET_LLM_CLIENT:
            return current
    return None


# --------------------------------------------------------------------------------------------------
# Prompt builders (old private API, now rendered from the prompt templates)
# --------------------------------------------------------------------------------------------------


def _settings() -> LLMSettings:
    return LLMSettings.from_env()


def _prompts(settings: LLMSettings) -> PromptSet:
    # Prompt overrides can come from env variables as well as the file, so both are in the key.
    overrides = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("OSMOSIS_LLM_PROMPT_")))
    key = (settings.prompt_file, overrides)
    return default_runtime().facade_prompts(key, lambda: load_prompts(settings.prompt_file))


def _docs(upstream_docs: list[str] | None) -> str:
    return os.linesep.join(upstream_docs) if upstream_docs else _NONE


def _sql(sql_content: str, settings: LLMSettings) -> str:
    prepared = prepare_sql(
        sql_content, max_chars=settings.max_sql_chars, redact_literals=settings.redact_literals
    )
    return fence(prepared, "sql")


def _create_llm_prompt_for_model_docs_as_json(
    sql_content: str,
    existing_context: str | None = None,
    upstream_docs: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Build the system + user messages asking for a JSON description of a model and its columns."""
    settings = _settings()
    prompts = _prompts(settings)
    user = prompts.render(
        "model_user",
        model_name="(not given)",
        sql=_sql(sql_content, settings),
        columns="(not listed: take them from the SQL)",
        upstream_docs=fence(_docs(upstream_docs), "upstream-docs"),
        existing_docs=fence(existing_context or _NONE, "existing-docs"),
    )
    return [
        {"role": "system", "content": prompts.render("model_system").strip()},
        {"role": "user", "content": user.strip()},
    ]


def _create_llm_prompt_for_column(
    column_name: str,
    existing_context: str | None = None,
    table_name: str | None = None,
    upstream_docs: list[str] | None = None,
) -> list[dict[str, str]]:
    """Build the system + user messages asking for the description of one column."""
    prompts = _prompts(_settings())
    user = prompts.render(
        "column_user",
        column_name=column_name,
        table_name=table_name or "(not given)",
        existing_context=fence(existing_context or _NONE, "existing-context"),
        upstream_docs=fence(_docs(upstream_docs), "upstream-docs"),
    )
    return [
        {"role": "system", "content": prompts.render("column_system").strip()},
        {"role": "user", "content": user.strip()},
    ]


def _create_llm_prompt_for_table(
    sql_content: str,
    table_name: str,
    upstream_docs: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Build the system + user messages asking for a high-level description of a model."""
    settings = _settings()
    prompts = _prompts(settings)
    user = prompts.render(
        "table_user",
        table_name=table_name,
        sql=_sql(sql_content, settings),
        upstream_docs=fence(_docs(upstream_docs), "upstream-docs"),
    )
    return [
        {"role": "system", "content": prompts.render("table_system").strip()},
        {"role": "user", "content": user.strip()},
    ]


# --------------------------------------------------------------------------------------------------
# The old generate_* functions
# --------------------------------------------------------------------------------------------------


def _managed_client(settings: LLMSettings) -> ManagedClient:
    """One managed client per process configuration (provider identity + settings)."""
    config, env = provider_from_env()
    resolved = config.resolve(env)
    key = (
        resolved.name,
        resolved.base_url,
        resolved.model,
        resolved.api_version,
        resolved.key_fingerprint,
        settings,
    )
    return default_runtime().facade_client(
        key, lambda: build_managed_client(settings, config=config, env=env, runtime=default_runtime())
    )


def _complete(
    messages: Sequence[Mapping[str, str]], schema: Mapping[str, Any], temperature: float, operation: str
) -> Any:
    settings = _settings()
    request = LLMRequest.from_messages(
        messages,
        temperature=temperature,
        json_schema=schema,
        schema_name=operation,
        operation=operation,
    )
    return _managed_client(settings).complete(request).parsed


def _legacy_content(patched: Any, messages: list[dict[str, Any]], temperature: float) -> str:
    """Call a monkeypatched ``get_llm_client`` the way the old module did and return the reply text."""
    client, model_engine = patched()
    response = client.chat.completions.create(model=model_engine, messages=messages, temperature=temperature)
    content = response.choices[0].message.content
    if not content or not str(content).strip():
        raise LLMResponseError("LLM returned an empty response")
    return str(content).strip()


def _description_from(text: str) -> str:
    """Accept both the JSON the templates ask for and the bare text the old prompts asked for."""
    try:
        value = structured.extract_json(text)
    except ValueError:
        return text.strip()
    if isinstance(value, dict) and isinstance(value.get("description"), str):
        return str(value["description"]).strip()
    return text.strip()


def generate_model_spec_as_json(
    sql_content: str,
    upstream_docs: list[str] | None = None,
    existing_context: str | None = None,
    temperature: float = 0.3,
) -> dict[str, Any]:
    """Ask the LLM for ``{"description": ..., "columns": [{"name": ..., "description": ...}]}``.

    Raises ``LLMResponseError`` (a ``ValueError``) when the reply is not JSON of that shape.
    """
    messages = _create_llm_prompt_for_model_docs_as_json(sql_content, existing_context, upstream_docs)
    patched = _patched_get_llm_client()
    if patched is not None:
        content = _legacy_content(patched, messages, temperature)
        data = structured.parse_structured(content, None)
        if not isinstance(data, dict):
            raise LLMResponseError("LLM returned invalid JSON:\n" + structured.excerpt(content))
        return data
    parsed = _complete(messages, MODEL_SPEC_SCHEMA, temperature, "model_doc")
    return dict(parsed)


def generate_column_doc(
    column_name: str,
    existing_context: str | None = None,
    table_name: str | None = None,
    upstream_docs: list[str] | None = None,
    temperature: float = 0.7,
) -> str:
    """Ask the LLM for a short description of one column; returns the description text."""
    messages = _create_llm_prompt_for_column(column_name, existing_context, table_name, upstream_docs)
    patched = _patched_get_llm_client()
    if patched is not None:
        return _description_from(_legacy_content(patched, messages, temperature))
    parsed = _complete(messages, DESCRIPTION_SCHEMA, temperature, "column_doc")
    return str(parsed["description"]).strip()


def generate_table_doc(
    sql_content: str,
    table_name: str,
    upstream_docs: list[str] | None = None,
    temperature: float = 0.7,
) -> str:
    """Ask the LLM for a high-level description of a model; returns the description text."""
    messages = _create_llm_prompt_for_table(sql_content, table_name, upstream_docs)
    patched = _patched_get_llm_client()
    if patched is not None:
        return _description_from(_legacy_content(patched, messages, temperature))
    parsed = _complete(messages, DESCRIPTION_SCHEMA, temperature, "table_doc")
    return str(parsed["description"]).strip()


def _reset_facade_caches() -> None:
    """Forget cached prompts and managed clients (tests switch providers between cases)."""
    default_runtime().forget_facade_caches()
