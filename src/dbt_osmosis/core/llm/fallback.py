"""A provider fallback chain: when the primary provider is down, ask the next one.

``OSMOSIS_LLM_FALLBACK`` (or ``--llm-fallback``) lists providers to use, in order, once the
primary's circuit breaker is open (``breaker.py``), and for any request whose attempts against the
primary all ended in an outage-like failure (5xx, timeout, a refused or dropped connection), for example
``anthropic:claude-haiku-4-5,openai:gpt-4.1-mini``. Each entry is a full managed client of its own
(its limiter, capabilities, retries and breaker), recording into the run's usage, so ``--llm-stats``
shows each provider's requests and cost on its own row, and reserving and settling the run's budget
at its own model's price (``budget.py``). Every answer carries the provider and model that wrote it
(``LLMResponse.provider``/``.model``), which the run writes into the provenance marks. After the
breaker's cooldown the primary gets one request again; when it answers, the run goes back to it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from dbt_osmosis.core.llm.breaker import outage_kind
from dbt_osmosis.core.llm.exceptions import LLMConfigError, LLMError, LLMProviderDownError

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.managed import ManagedClient
    from dbt_osmosis.core.llm.providers import ProviderConfig
    from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse

__all__ = [
    "FallbackClient",
    "build_fallbacks",
    "chain_models",
    "fallback_configs",
    "in_chain_error",
    "parse_fallback",
]

#: Where a chain came from, for its error messages (the CLI flag names itself instead).
DEFAULT_LABEL = "OSMOSIS_LLM_FALLBACK"
#: The accepted form, said by every error about a chain.
FORM = (
    "write PROVIDER:MODEL entries separated by commas (the model may be left out), for example "
    "anthropic:claude-haiku-4-5,openai:gpt-4.1-mini"
)
# A provider's name as the registry spells it (letters, digits, "-" and "_"); a model is anything
# after the first colon, because Ollama's own model names have one ("llama3.1:8b").
_PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def parse_fallback(text: str | None, label: str = DEFAULT_LABEL) -> tuple[tuple[str, str | None], ...]:
    """``"anthropic:claude-haiku-4-5,openai"`` -> ``(("anthropic", "claude-haiku-4-5"), ("openai", None))``.

    An entry without a model uses that provider's model variable or its default model. A malformed
    entry raises ``LLMConfigError`` naming it, ``label`` (where the chain came from) and the form.
    """
    entries: list[tuple[str, str | None]] = []
    for raw in (text or "").split(","):
        item = raw.strip()
        if not item:
            continue
        name, _, model = item.partition(":")
        name = name.strip().lower()
        if not name:
            raise LLMConfigError(f"{label}: {item!r} names no provider; {FORM}.")
        if not _PROVIDER_NAME.fullmatch(name):
            raise LLMConfigError(f"{label}: {item!r} is not a provider name; {FORM}.")
        entries.append((name, model.strip() or None))
    return tuple(entries)


def fallback_configs(
    entries: Sequence[tuple[str, str | None]], label: str = DEFAULT_LABEL
) -> list[ProviderConfig]:
    """The provider configurations of a fallback chain; an unknown provider fails before the run."""
    from dbt_osmosis.core.llm.providers import get_provider_config

    configs = []
    for name, model in entries:
        try:
            config = get_provider_config(name)
        except LLMConfigError as exc:
            shown = f"{name}:{model}" if model else name
            raise LLMConfigError(f"{label}: {shown!r}: {exc.message} {FORM[0].upper()}{FORM[1:]}.") from None
        configs.append(dataclasses.replace(config, model=model) if model else config)
    return configs


def chain_models(
    entries: Sequence[tuple[str, str | None]], env: Mapping[str, str], label: str = DEFAULT_LABEL
) -> list[tuple[str, str]]:
    """``(provider, model)`` of every fallback, each model resolved as its client would resolve it."""
    out = []
    for config in fallback_configs(entries, label):
        model = config.model or (env.get(config.model_env or "", "") or "").strip() or config.default_model
        out.append((config.name, model or "unknown"))
    return out


def in_chain_error(exc: LLMConfigError, config: ProviderConfig, label: str = DEFAULT_LABEL) -> LLMConfigError:
    """``exc`` (a fallback's configuration error) saying the provider comes from the chain.

    The provider's own message tells the user to choose another provider with ``LLM_PROVIDER``,
    which is about the primary; a fallback was chosen with ``label`` (``--llm-fallback`` or
    ``OSMOSIS_LLM_FALLBACK``), so that is what to change instead of setting its variables.
    """
    shown = f"{config.name}:{config.model}" if config.model else config.name
    message = exc.message.replace(
        "choose another provider with LLM_PROVIDER", f"take {shown} out of the fallback chain ({label})"
    )
    return LLMConfigError(
        f"The fallback {shown} (from {label}): {message}", provider=exc.provider or config.name
    )


def build_fallbacks(
    configs: Sequence[ProviderConfig],
    build: Callable[[ProviderConfig], ManagedClient],
    label: str = DEFAULT_LABEL,
) -> list[ManagedClient]:
    """``build(config)`` for every fallback; a configuration error names the chain it came from."""
    clients = []
    for config in configs:
        try:
            clients.append(build(config))
        except LLMConfigError as exc:
            raise in_chain_error(exc, config, label) from None
    return clients


class FallbackClient:
    """An ``LLMClient`` that asks ``primary`` and, while its breaker is open, the fallbacks in order."""

    #: Every client of the chain is a ``ManagedClient``, which reserves a request's budget per attempt.
    enforces_budget = True

    def __init__(self, primary: ManagedClient, fallbacks: Sequence[ManagedClient]) -> None:
        self.primary = primary
        self.fallbacks = list(fallbacks)
        self._on_wait: Callable[[str], None] | None = None
        for client in self.chain:
            # The chain is configured: no failure line suggests --llm-fallback, whichever failed.
            client.suggest_fallback = False
            if client.breaker is not None:
                client.breaker.suggest_fallback = False

    @property
    def provider(self) -> str:
        """The primary provider's name (answers name the provider that wrote them)."""
        return self.primary.provider

    @property
    def model(self) -> str:
        """The primary provider's model."""
        return self.primary.model

    @property
    def chain(self) -> list[ManagedClient]:
        """Every client, primary first."""
        return [self.primary, *self.fallbacks]

    @property
    def on_wait(self) -> Callable[[str], None] | None:
        """The hook told about long waits, shared by every client of the chain."""
        return self._on_wait

    @on_wait.setter
    def on_wait(self, hook: Callable[[str], None] | None) -> None:
        self._on_wait = hook
        for client in self.chain:
            client.on_wait = hook

    def __repr__(self) -> str:
        names = ", ".join(f"{c.provider}:{c.model}" for c in self.chain)
        return f"FallbackClient({names})"

    @staticmethod
    def _down(client: ManagedClient, exc: LLMError) -> bool:
        """Whether ``exc`` means the client's provider is down, so the next one of the chain is asked.

        Its breaker is open, or this request's last attempt ended the way an outage does (5xx, timeout,
        a refused or dropped connection). The second matters as much as the first: a request spends
        its retries before the breaker has counted enough failures to open, so without it the first
        node of a run (or the only one) would fail on the primary with the fallback never asked.
        """
        if isinstance(exc, LLMProviderDownError) or outage_kind(exc) is not None:
            return True
        breaker = client.breaker
        return breaker is not None and breaker.is_open

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Ask the first provider of the chain that is not down."""
        *earlier, last = self.chain
        for client in earlier:
            try:
                return client.complete(request)
            except LLMError as exc:
                if not self._down(client, exc):
                    raise
        return last.complete(request)

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Asyncio twin of ``complete``."""
        *earlier, last = self.chain
        for client in earlier:
            try:
                return await client.acomplete(request)
            except LLMError as exc:
                if not self._down(client, exc):
                    raise
        return await last.acomplete(request)
