"""The providers' batch APIs through their official SDKs: submit, poll, read results, cancel.

One backend per SDK family, built on the run's synchronous adapter so that an item of a batch carries
exactly the parameters the same request would carry when sent on its own (``adapter._params``), and an
item's answer is reduced exactly as a synchronous answer is (``adapter._reduce``). SDK errors are
translated once, here, by the adapter's own ``_translate``.

- OpenAI and Azure OpenAI: a JSONL file (``files.create(purpose="batch")``), ``batches.create``,
  ``batches.retrieve``, the output and error files (``files.content``), ``batches.cancel``.
- Anthropic: ``messages.batches.create`` / ``retrieve`` / ``results`` / ``cancel``.
- Gemini (google-genai, Developer API): ``batches.create`` with inlined requests, ``batches.get``
  (inlined responses in the job), ``batches.cancel``.

This module knows nothing about dbt.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dbt_osmosis.core.llm.adapters.anthropic import AnthropicAdapter
from dbt_osmosis.core.llm.adapters.base import _Adapter, _Raw
from dbt_osmosis.core.llm.adapters.gemini import GeminiAdapter
from dbt_osmosis.core.llm.adapters.openai import OpenAIAdapter
from dbt_osmosis.core.llm.exceptions import LLMConfigError, LLMError
from dbt_osmosis.core.llm.types import LLMRequest

__all__ = ["BATCH_PROVIDERS", "BatchBackend", "Polled", "backend_for"]

_T = TypeVar("_T")

#: Providers whose hosted API has a batch service this module speaks.
BATCH_PROVIDERS = frozenset({"openai", "azure-openai", "anthropic", "google-gemini"})


@dataclass
class Polled:
    """What one poll of a batch found: whether it ended, and then each item's answer or failure."""

    done: bool
    #: ``custom_id`` -> the provider's answer payload (JSON), for items that succeeded.
    answers: dict[str, Any] = field(default_factory=dict)
    #: ``custom_id`` -> why the item failed (errored, expired, cancelled).
    failures: dict[str, str] = field(default_factory=dict)


class BatchBackend:
    """Submit, poll and cancel batches of one provider; reduce an item's payload to a reply."""

    def __init__(self, adapter: _Adapter) -> None:
        #: Each family's adapter has its own ``_params`` and ``_reduce``; the subclasses know which.
        self.adapter: Any = adapter
        self.provider = adapter.provider
        self.model = adapter.model

    def submit(self, items: Sequence[tuple[str, LLMRequest]]) -> str:
        """Submit ``(custom_id, request)`` items as one batch; returns the provider's batch id."""
        return self._sdk(lambda: self._submit(items))

    def poll(self, batch_id: str) -> Polled:
        """Ask whether ``batch_id`` ended; when it did, collect every item's answer or failure."""
        return self._sdk(lambda: self._poll(batch_id))

    def cancel(self, batch_id: str) -> None:
        """Ask the provider to stop ``batch_id`` (items already answered are still billed)."""
        self._sdk(lambda: self._cancel(batch_id))

    def reduce(self, payload: Any, request: LLMRequest) -> _Raw:
        """One item's answer as the synchronous path reduces it (text, usage, finish reason)."""
        raise NotImplementedError

    def _submit(self, items: Sequence[tuple[str, LLMRequest]]) -> str:
        raise NotImplementedError

    def _poll(self, batch_id: str) -> Polled:
        raise NotImplementedError

    def _cancel(self, batch_id: str) -> None:
        raise NotImplementedError

    def _sdk(self, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except LLMError:
            raise
        except Exception as exc:
            translated = self.adapter._translate_or_wrap(exc)
            raise translated from exc


class _OpenAIBatches(BatchBackend):
    def _endpoint(self) -> str:
        # Azure's global batch names the endpoint without the version prefix.
        return "/chat/completions" if self.provider == "azure-openai" else "/v1/chat/completions"

    def _submit(self, items: Sequence[tuple[str, LLMRequest]]) -> str:
        endpoint = self._endpoint()
        lines = [
            json.dumps(
                {"custom_id": key, "method": "POST", "url": endpoint, "body": self.adapter._params(req)}
            )
            for key, req in items
        ]
        client = self.adapter.sdk_client
        uploaded = client.files.create(
            file=("dbt-osmosis-batch.jsonl", ("\n".join(lines) + "\n").encode("utf-8")), purpose="batch"
        )
        created = client.batches.create(input_file_id=uploaded.id, endpoint=endpoint, completion_window="24h")
        return str(created.id)

    def _poll(self, batch_id: str) -> Polled:
        client = self.adapter.sdk_client
        batch = client.batches.retrieve(batch_id)
        status = str(batch.status)
        if status not in ("completed", "failed", "expired", "cancelled"):
            return Polled(done=False)
        polled = Polled(done=True)
        if batch.output_file_id:
            for line in _jsonl(client.files.content(batch.output_file_id).text):
                response = line.get("response") or {}
                if response.get("status_code") == 200:
                    polled.answers[line["custom_id"]] = response.get("body")
                else:
                    polled.failures[line["custom_id"]] = _error_text(response.get("body"))
        if batch.error_file_id:
            for line in _jsonl(client.files.content(batch.error_file_id).text):
                body = (line.get("response") or {}).get("body") or line.get("error")
                polled.failures[line["custom_id"]] = _error_text(body)
        if status != "completed":
            polled.failures["*"] = f"the batch ended {status}"
        return polled

    def _cancel(self, batch_id: str) -> None:
        self.adapter.sdk_client.batches.cancel(batch_id)

    def reduce(self, payload: Any, request: LLMRequest) -> _Raw:
        from openai.types.chat import ChatCompletion

        adapter = self.adapter
        if not isinstance(adapter, OpenAIAdapter):  # pragma: no cover - backend_for pairs them
            raise TypeError(adapter)
        return adapter._reduce(ChatCompletion.model_validate(payload), {})


class _AnthropicBatches(BatchBackend):
    def _submit(self, items: Sequence[tuple[str, LLMRequest]]) -> str:
        requests = [{"custom_id": key, "params": self.adapter._params(req)} for key, req in items]
        created = self.adapter.sdk_client.messages.batches.create(requests=requests)
        return str(created.id)

    def _poll(self, batch_id: str) -> Polled:
        batches = self.adapter.sdk_client.messages.batches
        batch = batches.retrieve(batch_id)
        if batch.processing_status != "ended":
            return Polled(done=False)
        polled = Polled(done=True)
        for entry in batches.results(batch_id):
            result = entry.result
            if result.type == "succeeded":
                polled.answers[entry.custom_id] = result.message.model_dump(mode="json")
            elif result.type == "errored":
                polled.failures[entry.custom_id] = _error_text(result.error.model_dump(mode="json"))
            else:
                polled.failures[entry.custom_id] = f"the item was {result.type}"
        return polled

    def _cancel(self, batch_id: str) -> None:
        self.adapter.sdk_client.messages.batches.cancel(batch_id)

    def reduce(self, payload: Any, request: LLMRequest) -> _Raw:
        from anthropic.types import Message

        adapter = self.adapter
        if not isinstance(adapter, AnthropicAdapter):  # pragma: no cover - backend_for pairs them
            raise TypeError(adapter)
        return adapter._reduce(Message.model_validate(payload), {}, request)


class _GeminiBatches(BatchBackend):
    def _submit(self, items: Sequence[tuple[str, LLMRequest]]) -> str:
        inlined = []
        for key, req in items:
            params = self.adapter._params(req)
            inlined.append(
                {"contents": params["contents"], "config": params["config"], "metadata": {"key": key}}
            )
        job = self.adapter.sdk_client.batches.create(
            model=self.model, src=inlined, config={"display_name": "dbt-osmosis"}
        )
        return str(job.name)

    def _poll(self, batch_id: str) -> Polled:
        job = self.adapter.sdk_client.batches.get(name=batch_id)
        state = getattr(job.state, "value", None) or str(job.state)
        ended = ("JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED")
        if state not in ended:
            return Polled(done=False)
        polled = Polled(done=True)
        responses = (job.dest.inlined_responses if job.dest is not None else None) or []
        for index, entry in enumerate(responses):
            key = (entry.metadata or {}).get("key", str(index))
            if entry.response is not None:
                polled.answers[key] = entry.response.model_dump(mode="json", exclude_none=True)
            else:
                polled.failures[key] = _error_text(
                    entry.error.model_dump(mode="json") if entry.error else None
                )
        if state != "JOB_STATE_SUCCEEDED":
            polled.failures["*"] = f"the batch ended {state.removeprefix('JOB_STATE_').lower()}"
        return polled

    def _cancel(self, batch_id: str) -> None:
        self.adapter.sdk_client.batches.cancel(name=batch_id)

    def reduce(self, payload: Any, request: LLMRequest) -> _Raw:
        from google.genai import types

        adapter = self.adapter
        if not isinstance(adapter, GeminiAdapter):  # pragma: no cover - backend_for pairs them
            raise TypeError(adapter)
        return adapter._reduce(types.GenerateContentResponse.model_validate(payload))


def backend_for(adapter: Any) -> BatchBackend:
    """The batch backend for the run's adapter; ``LLMConfigError`` for a provider without batches."""
    provider = getattr(adapter, "provider", "?")
    if provider in BATCH_PROVIDERS:
        if isinstance(adapter, OpenAIAdapter):
            return _OpenAIBatches(adapter)
        if isinstance(adapter, AnthropicAdapter):
            return _AnthropicBatches(adapter)
        if isinstance(adapter, GeminiAdapter):
            return _GeminiBatches(adapter)
    raise LLMConfigError(
        f"--llm-batch needs a provider with a batch API (OpenAI, Azure OpenAI, Anthropic, Gemini); "
        f"{provider} has none. Run without --llm-batch, or set LLM_PROVIDER to one of those.",
        provider=provider,
    )


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _error_text(body: Any) -> str:
    """A one-line reason from any of the providers' error shapes."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            inner = inner.get("error", inner) if isinstance(inner.get("error"), dict) else inner
            message = inner.get("message")
            if message:
                return str(message)
    return "the provider gave no reason" if body is None else str(body)[:200]
