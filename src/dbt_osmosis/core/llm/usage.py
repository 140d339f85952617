"""What a run asked of the providers and what it cost: requests, retries, errors, tokens, time, dollars.

Costs come from a price table (USD per million tokens) shipped as ``prices.json`` next to this module,
with the provider page each price was read from and the date. Users extend or override it with their
own JSON file (``OSMOSIS_LLM_PRICE_FILE``) in the same shape. A model that is not in the table has an
*unknown* cost (``None``), never 0: a silent 0 would read as "free" on an invoice-sized run.

Token convention: ``Usage.prompt_tokens`` includes ``Usage.cached_tokens`` (the OpenAI convention);
cached tokens are charged at the cached-input price and the rest of the prompt at the input price.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dbt_osmosis.core.llm.exceptions import LLMConfigError

if TYPE_CHECKING:
    from rich.table import Table

    from dbt_osmosis.core.llm.settings import LLMSettings
    from dbt_osmosis.core.llm.types import Usage

__all__ = [
    "BATCH_LABEL",
    "STANDARD_TIER_LABEL",
    "TIERED_PROVIDERS",
    "LLMUsageStats",
    "ModelPrice",
    "PriceTable",
    "UsageTotals",
    "default_usage_for",
    "get_default_usage",
    "get_usage_stats",
    "normalize_provider",
    "report_at_exit",
    "reset_default_usage",
    "tier_for",
    "usage_scope",
]

_PER = 1_000_000
# Dated snapshots ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929") and "-latest" aliases are
# priced like the model they snapshot.
_SNAPSHOT_SUFFIX = re.compile(r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-latest)$")
_PROVIDER_ALIASES = {
    "lmstudio": "lm-studio",
    "google": "gemini",
    "google-genai": "gemini",
    "google-gemini": "gemini",
    "azure-openai": "azure",
    "claude": "anthropic",
}


#: Appended to the provider's name in usage rows for flex requests re-sent at the standard tier (the
#: provider had no flex capacity for them): they are priced at the standard price.
STANDARD_TIER_LABEL = " (standard tier)"
#: Appended to the provider's name in usage rows of answers from a batch (priced at the batch rate).
BATCH_LABEL = " (batch)"


#: Providers whose APIs take a ``service_tier`` of "flex" (slower, at batch prices). Every other provider
#: ignores ``--llm-service-tier`` (README), so its requests are sent, and priced, at its standard tier.
TIERED_PROVIDERS = frozenset({"openai", "gemini"})


def tier_for(provider: str, tier: str | None) -> str | None:
    """The tier ``provider``'s requests are sent and priced at when the run asks for ``tier``.

    ``None`` (standard) for a provider that sells no such tier: its requests go at its standard tier.
    """
    if tier in (None, "", "standard"):
        return None
    return tier if normalize_provider(provider) in TIERED_PROVIDERS else None


def normalize_provider(provider: str) -> str:
    """Canonical provider key used by the price table (``LM_STUDIO``/``lm_studio`` -> ``lm-studio``)."""
    key = provider.strip().lower().replace("_", "-")
    return _PROVIDER_ALIASES.get(key, key)


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens for one model at one service tier.

    ``cached_input`` is the price of prompt tokens read from the provider's prompt cache and
    ``cache_write`` of those written to it (Anthropic bills a 5-minute cache write at 1.25 x input);
    ``None`` means "charged as input". ``flex`` and ``batch`` are the model's prices at those tiers,
    when the provider offers them.
    """

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    flex: ModelPrice | None = None
    batch: ModelPrice | None = None

    def cost(
        self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0, cache_write_tokens: int = 0
    ) -> float:
        """Dollar cost of one or many requests with these token counts (the prompt includes the cache)."""
        cached = min(max(cached_tokens, 0), prompt_tokens)
        written = min(max(cache_write_tokens, 0), prompt_tokens - cached)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        write_rate = self.input if self.cache_write is None else self.cache_write
        plain = prompt_tokens - cached - written
        return (
            plain * self.input + cached * cached_rate + written * write_rate + completion_tokens * self.output
        ) / _PER

    def cost_of(self, usage: Usage) -> float:
        """Dollar cost of what a provider reported."""
        return self.cost(
            usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens, usage.cache_write_tokens
        )

    def at_tier(self, tier: str | None) -> ModelPrice | None:
        """The price at service tier ``tier`` (``None``/"standard": this one; unknown tier: ``None``)."""
        if tier in (None, "", "standard", "default", "auto"):
            return self
        if tier == "flex":
            return self.flex
        if tier == "batch":
            return self.batch
        return None


@dataclass(frozen=True)
class _ProviderPrices:
    source: str
    as_of: str
    models: Mapping[str, ModelPrice]


class PriceTable:
    """Per-provider, per-model prices with where they came from; look-ups tolerate snapshot suffixes."""

    def __init__(self, providers: Mapping[str, _ProviderPrices]) -> None:
        self._providers = dict(providers)

    @classmethod
    def load(cls, extra_file: Path | None = None) -> PriceTable:
        """The packaged table, extended/overridden model by model by ``extra_file`` when given."""
        packaged = resources.files("dbt_osmosis.core.llm").joinpath("prices.json").read_text("utf-8")
        providers = _parse_prices(json.loads(packaged), "prices.json (packaged)")
        if extra_file is not None:
            try:
                raw = json.loads(Path(extra_file).read_text("utf-8"))
            except FileNotFoundError:
                raise LLMConfigError(f"Price file {extra_file} does not exist.") from None
            except (OSError, ValueError) as exc:
                raise LLMConfigError(f"Price file {extra_file} could not be read as JSON: {exc}") from None
            for name, extra in _parse_prices(raw, str(extra_file)).items():
                base = providers.get(name)
                if base is None:
                    providers[name] = extra
                else:
                    providers[name] = _ProviderPrices(
                        source=extra.source or base.source,
                        as_of=extra.as_of or base.as_of,
                        models={**base.models, **extra.models},
                    )
        return cls(providers)

    def price(self, provider: str, model: str) -> ModelPrice | None:
        """The price of ``model`` at ``provider``, or ``None`` when the table does not know it."""
        entry = self._providers.get(normalize_provider(provider))
        if entry is None:
            return None
        name = model.strip()
        # Ollama tags ("llama3.1:8b") and Gemini's "models/" prefix are naming, not different models.
        candidates = [name, name.lower(), name.lower().removeprefix("models/")]
        candidates.append(_SNAPSHOT_SUFFIX.sub("", candidates[-1]))
        for candidate in candidates:
            if candidate in entry.models:
                return entry.models[candidate]
        return entry.models.get("*")

    def source(self, provider: str) -> tuple[str, str] | None:
        """``(source, as_of)`` for a provider's prices, for showing next to a cost."""
        entry = self._providers.get(normalize_provider(provider))
        return (entry.source, entry.as_of) if entry else None

    def estimate_cost(
        self,
        provider: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
        *,
        tier: str | None = None,
    ) -> float | None:
        """Dollar cost of the given tokens at ``tier``, or ``None`` when the model is not priced there."""
        price = self.price(provider, model)
        price = None if price is None else price.at_tier(tier)
        if price is None:
            return None
        return price.cost(prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens)


def _parse_prices(raw: Any, origin: str) -> dict[str, _ProviderPrices]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("providers"), Mapping):
        raise LLMConfigError(f"Price file {origin} must be a JSON object with a 'providers' object.")
    parsed: dict[str, _ProviderPrices] = {}
    for provider, body in raw["providers"].items():
        if not isinstance(body, Mapping) or not isinstance(body.get("models", {}), Mapping):
            raise LLMConfigError(f"Price file {origin}: provider {provider!r} needs a 'models' object.")
        models: dict[str, ModelPrice] = {}
        for model, numbers in body.get("models", {}).items():
            models[str(model).lower()] = _parse_price(numbers, origin, f"{provider}/{model}")
        parsed[normalize_provider(str(provider))] = _ProviderPrices(
            source=str(body.get("source", "")), as_of=str(body.get("as_of", "")), models=models
        )
    return parsed


_PRICE_FIELDS = ("input", "output", "cached_input", "cache_write")
_TIER_FIELDS = ("flex", "batch")


def _parse_price(numbers: Any, origin: str, where: str, *, tiers: bool = True) -> ModelPrice:
    if not isinstance(numbers, Mapping):
        raise LLMConfigError(f"Price file {origin}: {where} must be an object with input/output prices.")
    values: dict[str, float | None] = {}
    for key in _PRICE_FIELDS:
        value = numbers.get(key)
        if value is None:
            if key in ("input", "output"):
                raise LLMConfigError(f"Price file {origin}: {where} is missing {key!r}.")
            values[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise LLMConfigError(
                f"Price file {origin}: {where} {key!r} must be a number >= 0, got {value!r}."
            )
        values[key] = float(value)
    # "checked": where and when the prices were checked (source, read, status, note); never a price.
    allowed = set(_PRICE_FIELDS) | (set(_TIER_FIELDS) | {"checked"} if tiers else set())
    if not isinstance(numbers.get("checked", {}), Mapping):
        raise LLMConfigError(f"Price file {origin}: {where} 'checked' must be an object.")
    unknown = set(numbers) - allowed
    if unknown:
        raise LLMConfigError(
            f"Price file {origin}: {where} has unknown field(s) {', '.join(sorted(unknown))}."
        )
    tier_prices: dict[str, ModelPrice | None] = {}
    for tier in _TIER_FIELDS if tiers else ():
        body = numbers.get(tier)
        tier_prices[tier] = (
            None if body is None else _parse_price(body, origin, f"{where} {tier}", tiers=False)
        )
    return ModelPrice(
        input=values["input"] or 0.0,
        output=values["output"] or 0.0,
        cached_input=values["cached_input"],
        cache_write=values["cache_write"],
        flex=tier_prices.get("flex"),
        batch=tier_prices.get("batch"),
    )


@dataclass(frozen=True)
class UsageTotals:
    """Counters for one model or for the whole run.

    One definition of a request everywhere: ``requests`` counts attempts *sent* (answered or not).
    ``retries`` counts those that re-sent a request after a transient failure, ``refused`` those
    re-sent after the model refused a parameter, ``errors`` the calls that finally failed, and
    ``answered`` the attempts that came back with a usable reply.
    """

    requests: int = 0
    retries: int = 0
    errors: int = 0
    refused: int = 0
    answered: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    latency_s: float = 0.0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: UsageTotals) -> UsageTotals:
        return UsageTotals(
            requests=self.requests + other.requests,
            retries=self.retries + other.retries,
            errors=self.errors + other.errors,
            refused=self.refused + other.refused,
            answered=self.answered + other.answered,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            latency_s=self.latency_s + other.latency_s,
        )


@dataclass
class LLMUsageStats:
    """Thread-safe usage and cost accounting shared by every call of a run."""

    price_table: PriceTable | None = None
    #: The service tier requests were sent at ("flex"): the tier whose prices apply.
    service_tier: str | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _per_model: dict[tuple[str, str], UsageTotals] = field(default_factory=dict, init=False, repr=False)
    _first: float | None = field(default=None, init=False, repr=False)
    _last: float | None = field(default=None, init=False, repr=False)
    _reported: bool = field(default=False, init=False, repr=False)

    def mark_reported(self) -> None:
        """Say the summary was shown already, so the end-of-process report does not repeat it."""
        self._reported = True

    @property
    def reported(self) -> bool:
        """Whether ``mark_reported`` was called."""
        return self._reported

    def record(self, provider: str, model: str, usage: Usage, latency_s: float) -> None:
        """Count one answered request (an attempt sent) with its token usage and latency."""
        self._bump(
            provider, model, latency_s, requests=1, answered=1, latency_s=float(latency_s), **_billed(usage)
        )

    def record_retry(self, provider: str, model: str, billed: Usage | None = None) -> None:
        """Count one attempt that failed transiently and will be tried again (it was sent).

        ``billed``: the tokens the provider may have billed for it (a reply cut off mid-stream).
        """
        self._bump(provider, model, 0.0, requests=1, retries=1, **_billed(billed))

    def record_attempt(self, provider: str, model: str, billed: Usage | None = None) -> None:
        """Count one attempt sent that was neither answered nor retried as such.

        A flex request the provider had no capacity for, re-sent at the standard tier: a change of
        tier, not a retry.
        """
        self._bump(provider, model, 0.0, requests=1, **_billed(billed))

    def record_refused(self, provider: str, model: str, billed: Usage | None = None) -> None:
        """Count one attempt the model refused for a parameter; it is re-sent without it at once."""
        self._bump(provider, model, 0.0, requests=1, refused=1, **_billed(billed))

    def record_error(self, provider: str, model: str, billed: Usage | None = None) -> None:
        """Count one call that finally failed (its last attempt was sent)."""
        self._bump(provider, model, 0.0, requests=1, errors=1, **_billed(billed))

    def _bump(self, provider: str, model: str, elapsed: float, **counts: Any) -> None:
        self._add(provider, model, elapsed, counts)
        for scope in _scopes.get():
            if scope is not self:
                if scope.price_table is None:
                    scope.price_table = self.price_table  # so the scope can price what it saw
                    scope.service_tier = self.service_tier
                scope._add(provider, model, elapsed, counts)

    def _add(self, provider: str, model: str, elapsed: float, counts: Mapping[str, Any]) -> None:
        now = self.clock()
        with self._lock:
            key = (provider, model)
            current = self._per_model.get(key, UsageTotals())
            self._per_model[key] = current + replace(UsageTotals(), **counts)
            started = now - max(elapsed, 0.0)
            self._first = started if self._first is None else min(self._first, started)
            self._last = now if self._last is None else max(self._last, now)

    def by_model(self) -> dict[tuple[str, str], UsageTotals]:
        """A snapshot of the counters per ``(provider, model)``."""
        with self._lock:
            return dict(self._per_model)

    def totals(self) -> UsageTotals:
        """The counters summed over every provider and model."""
        total = UsageTotals()
        for totals in self.by_model().values():
            total = total + totals
        return total

    def wall_time_s(self) -> float:
        """Seconds from the start of the first recorded call to the last recorded event."""
        with self._lock:
            if self._first is None or self._last is None:
                return 0.0
            return self._last - self._first

    def cost_by_model(self) -> dict[tuple[str, str], float | None]:
        """Dollar cost per model; ``None`` where the model is not priced (or there is no table)."""
        costs: dict[tuple[str, str], float | None] = {}
        for (provider, model), totals in self.by_model().items():
            if self.price_table is None:
                costs[(provider, model)] = None
                continue
            # Requests the flex tier had no capacity for were sent (and billed) at the standard tier.
            standard = provider.endswith(STANDARD_TIER_LABEL)
            costs[(provider, model)] = self.price_table.estimate_cost(
                provider.removesuffix(STANDARD_TIER_LABEL),
                model,
                totals.prompt_tokens,
                totals.completion_tokens,
                totals.cached_tokens,
                totals.cache_write_tokens,
                tier=None if standard else tier_for(provider, self.service_tier),
            )
        return costs

    def cost(self) -> float | None:
        """Total dollars, or ``None`` when any model that answered a request has no price."""
        total = 0.0
        for (provider, model), cost in self.cost_by_model().items():
            if cost is None:
                if self._per_model_billed(provider, model) == 0:
                    continue  # no token billed: nothing is unknown
                return None
            total += cost
        return total

    def batch_part(self) -> tuple[UsageTotals, float | None]:
        """The counters and cost of the answers that came from batches (rows labelled ``BATCH_LABEL``).

        A batch answer was submitted by an earlier run (or this one) and collected, not sent now.
        """
        totals, cost = UsageTotals(), 0.0
        costs = self.cost_by_model()
        unknown = False
        for (provider, model), row in self.by_model().items():
            if provider.endswith(BATCH_LABEL):
                totals = totals + row
                price = costs[(provider, model)]
                unknown = unknown or (price is None and row.total_tokens > 0)
                cost += price or 0.0
        return totals, None if unknown else cost

    def _per_model_billed(self, provider: str, model: str) -> int:
        with self._lock:
            totals = self._per_model.get((provider, model))
            return totals.total_tokens if totals else 0

    def summary(self) -> str:
        """One line for logs and the end of a CLI run."""
        totals = self.totals()
        cost = self.cost()
        cost_text = "cost unknown" if cost is None else f"~${cost:.4f}"
        cached = f" ({totals.cached_tokens:,} cached)" if totals.cached_tokens else ""
        if totals.cache_write_tokens:
            cached = (cached[:-1] + ", " if cached else " (") + f"{totals.cache_write_tokens:,} cache writes)"
        refused = f", {totals.refused} refused for a parameter" if totals.refused else ""
        batch, _ = self.batch_part()
        # A batch answer was submitted (and sent) by an earlier run: collected now, not sent.
        collected = f"{batch.answered} answer(s) collected from batches, " if batch.requests else ""
        return (
            f"LLM usage: {collected}{totals.requests - batch.requests} request(s) sent "
            f"({totals.retries} retry(ies){refused}), "
            f"{totals.errors} error(s); {totals.prompt_tokens:,} prompt{cached} + "
            f"{totals.completion_tokens:,} completion tokens; {cost_text}; {self.wall_time_s():.1f}s wall"
        )

    def rich_table(self) -> Table:
        """A per-model table for the CLI, with a total row and where the prices came from."""
        from rich.table import Table

        table = Table(title="LLM usage", show_footer=False)
        for header, justify in (
            ("Provider", "left"),
            ("Model", "left"),
            ("Requests", "right"),
            ("Retries", "right"),
            ("Errors", "right"),
            ("Prompt tok", "right"),
            ("Cached tok", "right"),
            ("Cache write tok", "right"),
            ("Completion tok", "right"),
            ("Avg latency", "right"),
            ("Cost (USD)", "right"),
        ):
            table.add_column(header, justify=justify)  # type: ignore[arg-type]
        costs = self.cost_by_model()
        sources: set[str] = set()
        for (provider, model), totals in sorted(self.by_model().items()):
            cost = costs[(provider, model)]
            if cost is not None and self.price_table is not None:
                origin = self.price_table.source(provider.removesuffix(STANDARD_TIER_LABEL))
                if origin:
                    sources.add(f"{origin[0]}, as of {origin[1]}")
            table.add_row(*_row(provider, model, totals, cost))
        total_cost = self.cost()
        table.add_row(*_row("total", "", self.totals(), total_cost), style="bold")
        if sources:
            table.caption = "Prices: " + "; ".join(sorted(sources))
        return table


def _row(provider: str, model: str, totals: UsageTotals, cost: float | None) -> list[str]:
    average = totals.latency_s / totals.answered if totals.answered else 0.0
    return [
        provider,
        model,
        str(totals.requests),
        str(totals.retries),
        str(totals.errors),
        f"{totals.prompt_tokens:,}",
        f"{totals.cached_tokens:,}",
        f"{totals.cache_write_tokens:,}",
        f"{totals.completion_tokens:,}",
        f"{average:.2f}s",
        "unknown" if cost is None else f"{cost:.4f}",
    ]


def _billed(usage: Usage | None) -> dict[str, int]:
    if usage is None:
        return {}
    return {
        "prompt_tokens": int(usage.prompt_tokens or 0),
        "completion_tokens": int(usage.completion_tokens or 0),
        "cached_tokens": int(usage.cached_tokens or 0),
        "cache_write_tokens": int(usage.cache_write_tokens or 0),
    }


_scopes: ContextVar[tuple[LLMUsageStats, ...]] = ContextVar("dbt_osmosis_usage_scopes", default=())


@contextlib.contextmanager
def usage_scope() -> Iterator[LLMUsageStats]:
    """Count again, in a fresh ``LLMUsageStats``, whatever any stats object records inside the block.

    "Inside" means in this thread or asyncio task and in the tasks it starts, so concurrent work can
    be attributed to what it was for (one node of a run) while the run's own stats still count all.
    The scope prices what it saw with the price table of the stats that recorded it.
    """
    scope = LLMUsageStats()
    token = _scopes.set((*_scopes.get(), scope))
    try:
        yield scope
    finally:
        _scopes.reset(token)


def get_default_usage() -> LLMUsageStats | None:
    """The process-wide stats object when ``OSMOSIS_LLM_TRACK_USAGE`` is on, else ``None``.

    Library users who never build their own ``LLMUsageStats`` still get accounting by setting the
    variable; every managed client built without an explicit ``usage`` then records into this one.
    """
    from dbt_osmosis.core.llm.settings import LLMSettings

    settings = LLMSettings.from_env()
    return default_usage_for(settings) if settings.track_usage else None


def default_usage_for(settings: LLMSettings) -> LLMUsageStats:
    """The process-wide stats object (the default runtime's), created on first use with these prices.

    With ``OSMOSIS_LLM_TRACK_USAGE`` on, its summary is printed to stderr when the process ends (once,
    and only if a request was sent and nobody showed the summary already).
    """
    from dbt_osmosis.core.llm.runtime import default_runtime

    return default_runtime().default_usage(settings)


def report_at_exit(stats: LLMUsageStats, stream: TextIO | None = None) -> None:
    """Print ``stats.summary()`` when the interpreter exits, unless nothing was sent or it was shown."""

    def report() -> None:
        if stats.reported or stats.totals().requests == 0:
            return
        out = stream if stream is not None else sys.stderr
        # Shutdown is no time to fail: a closed stream just means nobody is listening any more.
        with contextlib.suppress(Exception):
            print(stats.summary(), file=out, flush=True)

    atexit.register(report)


def get_usage_stats(settings: LLMSettings | None = None) -> LLMUsageStats:
    """The process-wide usage and cost statistics that managed clients record into.

    Clients built by ``build_managed_client`` without an explicit ``usage`` record here when
    ``OSMOSIS_LLM_TRACK_USAGE`` is on (and the summary is printed when the process ends); with it off
    the object exists but stays empty. ``settings`` only matters on first use (its price file).
    """
    from dbt_osmosis.core.llm.settings import LLMSettings

    return default_usage_for(settings or LLMSettings.from_env())


def reset_default_usage() -> None:
    """Forget the process-wide stats object (tests, or a long-lived process starting a new run)."""
    from dbt_osmosis.core.llm.runtime import default_runtime

    default_runtime().forget_usage()
