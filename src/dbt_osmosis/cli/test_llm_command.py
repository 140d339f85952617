"""``dbt-osmosis test-llm``: one tiny request to the configured provider, and a plain verdict."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from dbt_osmosis.core.llm.client import LLMRequest, Message
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.managed import build_managed_client
from dbt_osmosis.core.llm.settings import LLMSettings

__all__ = ["run_test_llm"]

_HINTS: tuple[tuple[type[LLMError], str], ...] = (
    (LLMAuthError, "The provider rejected the key: check the API key variable of LLM_PROVIDER's provider."),
    (
        LLMRateLimitError,
        "The provider is throttling this key: wait, lower --llm-rate-limit, or check the quota.",
    ),
    (LLMTimeoutError, "No answer in time: check the base URL and the network, or raise --llm-timeout."),
    (LLMResponseError, "The provider answered, but not in a usable form: check the model name."),
    (
        LLMAPIError,
        "The request failed: check the base URL, the model or deployment name, and the provider's status.",
    ),
)


def run_test_llm(console: Console, *, timeout: float | None = None) -> int:
    """Send one small request; print provider, model, latency and tokens, or what is wrong (exit 1)."""
    # One attempt only: the point is to see the first error, not to wait through back-offs.
    settings = LLMSettings.from_env().with_overrides(timeout=timeout, max_retries=0)
    client = build_managed_client(settings)
    console.print(f"Asking {escape(client.provider)} / {escape(client.model)} for a one-word reply...")
    request = LLMRequest(
        messages=(Message("user", "Reply with the single word OK."),),
        max_tokens=16,
        temperature=0.0,
        operation="test_llm",
    )
    try:
        response = client.complete(request)
    except LLMError as exc:
        hint = next((text for kind, text in _HINTS if isinstance(exc, kind)), "")
        console.print(f"[red]failed:[/red] {escape(str(exc))}", soft_wrap=True)
        if hint:
            console.print(escape(hint), soft_wrap=True)
        return 1
    reply = " ".join(response.text.split())[:80]
    console.print(
        f"[green]ok:[/green] {escape(response.provider)} / {escape(response.model)} answered "
        f"{escape(repr(reply))} in {response.latency_s:.2f}s "
        f"({response.usage.prompt_tokens} prompt + {response.usage.completion_tokens} completion tokens)",
        soft_wrap=True,
    )
    return 0
