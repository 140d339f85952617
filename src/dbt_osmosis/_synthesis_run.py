"""How ``dbt_osmosis.api`` assembles the LLM side of a run: settings, client, cache, budget, estimate.

Private: only the API imports it, and only when a run asks for synthesis, so that a run without it
never loads the LLM layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dbt_osmosis.core.dbt.target import dbt_target_dir
from dbt_osmosis.core.errors import BudgetError
from dbt_osmosis.core.llm.budget import Budget, PriceFunction
from dbt_osmosis.core.llm.cache import ResponseCache
from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.fallback import (
    DEFAULT_LABEL,
    FallbackClient,
    build_fallbacks,
    chain_models,
    fallback_configs,
    parse_fallback,
)
from dbt_osmosis.core.llm.managed import ManagedClient, build_managed_client
from dbt_osmosis.core.llm.prompts import PromptSet, load_prompts
from dbt_osmosis.core.llm.providers import provider_from_env
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMClient, Usage
from dbt_osmosis.core.llm.usage import (
    LLMUsageStats,
    ModelPrice,
    PriceTable,
    default_usage_for,
    tier_for,
)
from dbt_osmosis.core.synthesis import EstimatingClient, SynthesisOptions, run_synthesis
from dbt_osmosis.core.synthesis.estimate import ChainEstimate
from dbt_osmosis.core.synthesis.style import with_style_guide

if TYPE_CHECKING:
    from dbt_osmosis.api import CancelToken, LLMCheckResult, LLMOptions
    from dbt_osmosis.core.document import DocumentPlan
    from dbt_osmosis.core.llm.batch import BatchSession
    from dbt_osmosis.core.llm.providers import ProviderConfig

__all__ = [
    "Cancelled",
    "Synthesis",
    "ask_once",
    "cancel_batches",
    "check_estimate",
    "end_batches",
    "llm_cache_dir",
    "llm_settings",
    "open_batches",
    "prepare_synthesis",
    "run_cancellable",
    "run_client",
]


_T = TypeVar("_T")


def llm_cache_dir(project_dir: Path) -> Path:
    """Where the LLM layer keeps files between runs: ``<target-path>/dbt-osmosis`` of the project."""
    return dbt_target_dir(project_dir) / "dbt-osmosis"


#: The flex tier answers more slowly; OpenAI advises a timeout of about 15 minutes.
FLEX_TIMEOUT_S = 900.0


def llm_settings(llm: LLMOptions, project_dir: Path) -> LLMSettings:
    """``OSMOSIS_LLM_*`` settings with the run's own options on top."""
    settings = LLMSettings.from_env()
    tier = None if llm.service_tier in (None, "standard") else llm.service_tier
    timeout = llm.timeout
    if tier == "flex" and timeout is None and settings.timeout == LLMSettings.timeout:
        timeout = FLEX_TIMEOUT_S
    return settings.with_overrides(
        service_tier=tier,
        flex_unavailable=llm.flex_unavailable,
        timeout=timeout,
        concurrency=llm.concurrency,
        rate_limit=llm.rate_limit,
        max_retries=llm.max_retries,
        breaker_threshold=llm.breaker_threshold,
        prompt_file=llm.prompt_file,
        # OSMOSIS_LLM_CACHE_DIR wins; otherwise files kept between runs live under the project's target.
        cache_dir=None if settings.cache_dir else llm_cache_dir(project_dir),
        fallback=llm.fallback,
        use_cache=False if llm.no_cache else None,
        max_cost=llm.max_cost,
        max_requests=llm.max_requests,
        mark_generated=True if llm.mark_generated else None,
        style_guide=llm.style_guide,
        language=llm.language,
    )


@dataclass
class Synthesis:
    """The LLM side of one run, assembled before dbt parses anything."""

    client: ManagedClient | FallbackClient | EstimatingClient
    prompts: PromptSet
    settings: LLMSettings
    usage: LLMUsageStats
    #: Set for a dry run: the client that only counts what would be sent.
    estimator: EstimatingClient | None
    #: Set with ``--llm-batch``: the batches of this project, polled before the run.
    batch: BatchSession | None = None
    #: ``(provider, model)`` of each fallback, in order (empty without a chain or with batches).
    fallbacks: tuple[tuple[str, str], ...] = ()
    #: What the run says before it starts about how its options combine (said once each).
    notes: list[str] = field(default_factory=list)

    def response_cache(self, project_root: Path) -> ResponseCache | None:
        """The response cache of the run, or ``None`` when it is switched off."""
        if not self.settings.use_cache:
            return None
        return ResponseCache(self.settings.cache_dir or llm_cache_dir(project_root))

    def price(self, provider: str, model: str) -> ModelPrice | None:
        """``model``'s price at the run's service tier (a tier only where the provider sells it)."""
        table = self.usage.price_table
        found = None if table is None else table.price(provider, model)
        return None if found is None else found.at_tier(tier_for(provider, self.settings.service_tier))

    def price_at_standard(self, provider: str, model: str) -> ModelPrice | None:
        """``model``'s price at the standard tier, whatever tier the run asked for."""
        table = self.usage.price_table
        return None if table is None else table.price(provider, model)

    def budget(self) -> Budget | None:
        """The run's spending limit, priced from the price table when it knows the model.

        With a fallback chain every attempt is reserved and settled at the price of the model it is
        sent to, so a cost budget needs the price of every model of the chain.
        """
        settings = self.settings
        if settings.max_cost is None and settings.max_requests is None:
            return None
        provider, model = self.client.provider, self.client.model
        if self.batch is not None:
            from dbt_osmosis.core.llm.batch import BATCH_LABEL

            table = self.usage.price_table
            found = None if table is None else table.price(provider + BATCH_LABEL, model)
            known = None if found is None else found.at_tier(settings.service_tier)
            standard = None
        else:
            known = self.price(provider, model)
            # A flex request the provider had no capacity for is re-sent at (and reserves) standard prices.
            listed = self.price_at_standard(provider, model) if settings.service_tier else None
            standard = None if listed is None else listed.cost_of
        price = None if known is None else known.cost_of
        if settings.max_cost is not None and known is None:
            _no_tier_price(provider, model, self.price_at_standard(provider, model), settings, self.batch)
        if settings.max_cost is not None:
            unpriced = [f"{p}:{m}" for p, m in self.fallbacks if self.price(p, m) is None]
            if unpriced:
                raise LLMConfigError(
                    f"A cost budget (--llm-max-cost) needs the price of every model of the fallback chain, "
                    f"and {', '.join(unpriced)} is not in the price table: add it with "
                    "OSMOSIS_LLM_PRICE_FILE, leave it out of the chain, or limit requests with "
                    "--llm-max-requests."
                )

        def price_for(other: str, other_model: str) -> PriceFunction | None:
            if (other, other_model) == (provider, model):
                return price  # the budget's own model (at the batch price with batches)
            found = self.price(other, other_model)
            return None if found is None else found.cost_of

        return Budget(
            max_cost=settings.max_cost,
            max_requests=settings.max_requests,
            price=price,
            price_for=price_for,
            standard_price=standard,
        )

    def chain_estimates(self, estimator: EstimatingClient) -> list[ChainEstimate]:
        """For each fallback, what the run would cost if it answered every request."""
        return [
            ChainEstimate(p, m, usage, None if (known := self.price(p, m)) is None else known.cost_of(usage))
            for (p, m), usage in estimator.alternates.items()
        ]


def _no_tier_price(
    provider: str, model: str, listed: ModelPrice | None, settings: LLMSettings, batch: object
) -> None:
    """Raise the precise reason a cost budget cannot price ``model`` when the table lists it.

    The model may be in the table without a price at the run's tier: OpenAI sells flex for some
    models only, and a flex or batch price is never guessed from another one.
    """
    if listed is None:
        return  # not in the table at all: the budget says so itself
    tier = "batch" if batch is not None else tier_for(provider, settings.service_tier)
    raise LLMConfigError(
        f"A cost budget (--llm-max-cost) needs the model's price, and there is no {tier} price for "
        f"{model} in the price table (only its standard price): add a {tier!r} entry for it with "
        "OSMOSIS_LLM_PRICE_FILE, run at the standard tier, or limit requests with --llm-max-requests."
    )


def _fallback_label(llm: LLMOptions) -> str:
    return "--llm-fallback" if llm.fallback is not None else DEFAULT_LABEL


def prepare_synthesis(llm: LLMOptions, project_dir: Path) -> Synthesis:
    """Settings, prompts, usage record and client; everything wrong with the configuration fails here."""
    settings = llm_settings(llm, project_dir)
    settings, said = _combined(llm, settings)
    prompts = with_style_guide(load_prompts(settings.prompt_file), settings.style_guide, project_dir)
    if settings.language:
        prompts = replace(prompts, variables={**prompts.variables, "language": settings.language})
    # With OSMOSIS_LLM_TRACK_USAGE the run records into the process-wide stats, whose summary is
    # printed when the process ends (unless --llm-stats showed it already).
    usage = (
        default_usage_for(settings)
        if settings.track_usage
        else LLMUsageStats(PriceTable.load(settings.price_file))
    )
    usage.service_tier = settings.service_tier
    if llm.batch:
        from dbt_osmosis.core.llm.batch import BatchPriceTable, BatchUsageStats

        # Batch answers are counted under "<provider> (batch)" at the batch price.
        table = BatchPriceTable(PriceTable.load(settings.price_file))
        usage = (BatchUsageStats if llm.sends_nothing else LLMUsageStats)(table)
    elif llm.sends_nothing:
        # Estimates are not usage: they never go into the process-wide stats printed at exit.
        usage = LLMUsageStats(PriceTable.load(settings.price_file), service_tier=settings.service_tier)
    if llm.sends_nothing:
        config, env = provider_from_env()
        model = (env.get(config.model_env or "", "") or "").strip() or config.model or config.default_model
        # The dry run prices each fallback too: what the run would cost if it answered everything.
        names = () if llm.batch else _chain(settings, env, _fallback_label(llm))
        estimator = EstimatingClient(config.name, model or "unknown", usage, alternates=names)
        return Synthesis(estimator, prompts, settings, usage, estimator, fallbacks=names, notes=said)
    # One runtime per run: its clients, limiter and learned capabilities are this run's alone, so two
    # runs in one Python process (a notebook, an orchestrator) never share a limiter or a stale client.
    runtime = LLMRuntime()
    primary = build_managed_client(settings, usage=usage, runtime=runtime)
    if llm.batch:
        # Batches go to the primary's batch API; a fallback chain is for synchronous requests only.
        batches = open_batches(primary, settings, project_dir)
        return Synthesis(primary, prompts, settings, usage, None, batches, notes=said)
    pending = said + _pending_batches(settings, project_dir)
    if not settings.fallback:
        return Synthesis(primary, prompts, settings, usage, None, notes=pending)
    # Every fallback is configured (its variables, its SDK) before anything runs, like the primary.
    label = _fallback_label(llm)
    fallbacks = build_fallbacks(
        fallback_configs(parse_fallback(",".join(settings.fallback), label), label),
        lambda config: build_managed_client(settings, config=config, usage=usage, runtime=runtime),
        label,
    )
    chain = tuple((client.provider, client.model) for client in fallbacks)
    return Synthesis(
        FallbackClient(primary, fallbacks), prompts, settings, usage, None, fallbacks=chain, notes=pending
    )


def _combined(llm: LLMOptions, settings: LLMSettings) -> tuple[LLMSettings, list[str]]:
    """Options that contradict each other: refused when both were given, else one wins with a note."""
    from dataclasses import replace as copy

    notes: list[str] = []
    if llm.batch and settings.service_tier == "flex":
        if llm.service_tier == "flex":
            raise LLMConfigError(
                "--llm-service-tier flex and --llm-batch contradict each other: a batch is billed at "
                "the batch price and flex is a synchronous tier. Give one of them."
            )
        notes.append(
            "OSMOSIS_LLM_SERVICE_TIER=flex is ignored with --llm-batch: batches are sent and priced "
            "at the batch price."
        )
        settings = copy(settings, service_tier=None)
    if llm.batch and settings.fallback:
        where = "--llm-fallback" if llm.fallback is not None else "OSMOSIS_LLM_FALLBACK"
        notes.append(
            f"The fallback chain ({where}) is not used with --llm-batch: batches go to the primary "
            "provider's batch service only."
        )
    if llm.flex_unavailable == "fail" and settings.service_tier != "flex":
        notes.append(
            "--llm-flex-unavailable fail has no effect without --llm-service-tier flex (it says what to "
            "do when the flex tier has no capacity)."
        )
    if settings.service_tier == "flex" and not llm.batch:
        config, env = provider_from_env()
        provider = config.name
        model = (env.get(config.model_env or "", "") or "").strip() or config.model or config.default_model
        listed = PriceTable.load(settings.price_file).price(provider, model or "")
        if tier_for(provider, "flex") is None:
            notes.append(
                f"{provider} sells no flex tier: --llm-service-tier flex is ignored, and requests are "
                "sent and priced at its standard tier."
            )
        elif listed is not None and listed.flex is None:
            notes.append(
                f"There is no flex price for {model} in the price table, so this run's cost is unknown: "
                "add a 'flex' entry for it with OSMOSIS_LLM_PRICE_FILE, or leave out --llm-service-tier flex."
            )
    return settings, notes


def _pending_batches(settings: LLMSettings, project_dir: Path) -> list[str]:
    """The note about batches an earlier ``--llm-batch`` run left in flight (a synchronous run)."""
    from dbt_osmosis.core.llm.batch import STATE_FILE, pending_batches_note

    note = pending_batches_note((settings.cache_dir or llm_cache_dir(project_dir)) / STATE_FILE)
    return [] if note is None else [note]


def _chain(settings: LLMSettings, env: Any, label: str) -> tuple[tuple[str, str], ...]:
    """The fallbacks' providers and models, checked as a real run checks them."""
    return tuple(chain_models(parse_fallback(",".join(settings.fallback), label), env, label))


def open_batches(client: ManagedClient, settings: LLMSettings, project_dir: Path) -> BatchSession:
    """The project's batch state for this run's provider and model; ``LLMConfigError`` without batches."""
    from dbt_osmosis.core.llm.batch import STATE_FILE, BatchSession, backend_for

    folder = settings.cache_dir or llm_cache_dir(project_dir)
    return BatchSession(folder / STATE_FILE, backend_for(client.inner))


def run_client(synthesis: Synthesis) -> LLMClient:
    """The client synthesis runs with; with ``--llm-batch``, after collecting the batches that ended."""
    batch = synthesis.batch
    if batch is None or not isinstance(synthesis.client, ManagedClient):
        return synthesis.client
    from dbt_osmosis.core.llm.batch import BatchClient

    batch.collect()
    return BatchClient(synthesis.client, batch, synthesis.usage)


def end_batches(
    synthesis: Synthesis, client: LLMClient, *, cancelled: bool, note: Callable[[str], None]
) -> bool:
    """Submit the next wave and record the state; when ``cancelled``, cancel what is in flight instead.

    Returns whether the run was cancelled.
    """
    from dbt_osmosis.core.llm.batch import BatchClient

    batch = synthesis.batch
    if batch is None:
        return cancelled
    if not cancelled and isinstance(client, BatchClient):
        batch.submit(client)
        batch.settle_unawaited(client.awaited | set(client.wanted))
        if batch.status.unawaited:
            note(
                f"No node of this run waits for batch(es) {', '.join(batch.status.unawaited)} any more "
                "(their requests were answered another way): they are left running at the provider, and "
                "a later --llm-batch run collects them; stop them (and their bill) with --llm-batch-cancel."
            )
    if cancelled:
        batch.cancel()  # Ctrl-C: nothing left running at the provider's expense
        if batch.status.cancelled:
            note(f"Cancelled the batch(es) in flight: {', '.join(batch.status.cancelled)}.")
    batch.save()
    return cancelled


def cancel_batches(llm: LLMOptions, project_dir: Path) -> str:
    """Cancel every batch the project has in flight (``--llm-batch-cancel``); says what was cancelled."""
    settings = llm_settings(llm, project_dir)
    client = build_managed_client(settings, runtime=LLMRuntime())
    session = open_batches(client, settings, project_dir)
    session.cancel()
    session.save()
    cancelled = session.status.cancelled
    return (
        f"Cancelled {len(cancelled)} batch(es): {', '.join(cancelled)}."
        if cancelled
        else "No batch in flight."
    )


def check_estimate(
    scratch_plan: Callable[[], DocumentPlan],
    synthesis: Synthesis,
    budget: Budget,
    cache: ResponseCache | None,
    *,
    allow_partial: bool,
) -> list[str]:
    """Estimate the run as the dry run does; raise ``BudgetError`` when it exceeds the budget.

    With a fallback chain the run is refused on the primary's estimate only: a fallback answers only
    while the primary is down, and every attempt sent to it is reserved at its own price, so the
    budget still holds whoever answers. The refusal says what each fallback would cost; when only a
    fallback's estimate is over, the run starts and the returned note says so.
    """
    if synthesis.estimator is not None:
        return []
    estimator = EstimatingClient(
        synthesis.client.provider, synthesis.client.model, alternates=synthesis.fallbacks
    )
    run_synthesis(
        scratch_plan(),
        estimator,
        synthesis.prompts,
        synthesis.settings,
        SynthesisOptions(cache=cache, store_answers=False),
    )
    requests = len(estimator.requests)
    cost = budget.cost_of_usage(
        Usage(
            estimator.prompt_tokens,
            estimator.completion_tokens,
            estimator.cached_tokens,
            estimator.cache_write_tokens,
        )
    )
    over = []
    if budget.max_cost is not None and cost > budget.max_cost:
        over.append("about {} against a budget of {}".format(*_apart(cost, budget.max_cost)))
    if budget.max_requests is not None and requests > budget.max_requests:
        over.append(f"{requests} request(s) against a budget of {budget.max_requests}")
    chain = synthesis.chain_estimates(estimator)
    if over and not allow_partial:
        # What a fallback would cost only matters to a cost budget.
        if_fallback = "".join(
            f" If the fallback {e.provider}:{e.model} answered everything: about ${e.cost:.4f}."
            for e in chain
            if e.cost is not None and budget.max_cost is not None
        )
        raise BudgetError(
            f"The estimate for this run is {' and '.join(over)}; nothing was sent.{if_fallback} Raise the "
            "budget, select fewer nodes, or pass --llm-allow-partial to spend the budget and stop there."
        )
    if budget.max_cost is None:
        return []
    return [
        f"If the fallback {e.provider}:{e.model} answered everything, this run would cost about "
        f"${e.cost:.4f}, over the budget of ${budget.max_cost:.4f}: it would stop at the budget "
        "(the primary's estimate fits, so the run starts)."
        for e in chain
        if e.cost is not None and e.cost > budget.max_cost
    ]


def _apart(cost: float, cap: float) -> tuple[str, str]:
    """``cost`` and ``cap`` in dollars with enough decimals to tell them apart (``cost`` > ``cap``).

    "$0.0030 against a budget of $0.0030" reads as a refusal of an estimate that fits.
    """
    for digits in range(4, 9):
        shown = f"${cost:.{digits}f}", f"${cap:.{digits}f}"
        if shown[0] != shown[1]:
            return shown
    return f"${cost:.8f} (just over)", f"${cap:.8f}"


def ask_once(
    timeout: float | None,
    on_ask: Callable[[str, str], None] | None,
    fallback: tuple[str, ...] | None = None,
) -> LLMCheckResult:
    """One tiny request, one attempt, to the provider the environment configures, then to each fallback.

    ``fallback``: the chain as ``--llm-fallback`` gives it (``None``: ``OSMOSIS_LLM_FALLBACK``). A bad
    chain raises ``LLMConfigError`` before anything is sent.
    """
    from dataclasses import replace as copy

    from dbt_osmosis.api import LLMCheckResult

    settings = LLMSettings.from_env().with_overrides(timeout=timeout, max_retries=0, fallback=fallback)
    label = "--llm-fallback" if fallback is not None else DEFAULT_LABEL
    configs = fallback_configs(parse_fallback(",".join(settings.fallback), label), label)
    runtime = LLMRuntime()
    primary_config = provider_from_env()[0]
    primary = build_managed_client(settings, runtime=runtime)
    # Every client is built (its variables and SDK checked) before the first request is sent; a
    # fallback that cannot be is reported on its own line, and the primary is still checked.
    chain = [_fallback_or_error(settings, config, runtime, label) for config in configs]
    for client in (primary, *chain) if configs else ():
        if isinstance(client, ManagedClient):
            client.suggest_fallback = False  # a chain is configured: no line suggests one
    result = _ask(primary, primary_config.api_key_env, on_ask)
    answers = [
        client if isinstance(client, LLMCheckResult) else _ask(client, config.api_key_env, on_ask)
        for client, config in zip(chain, configs, strict=True)
    ]
    return copy(result, fallbacks=answers)


def _fallback_or_error(
    settings: LLMSettings, config: ProviderConfig, runtime: LLMRuntime, label: str
) -> ManagedClient | LLMCheckResult:
    """The fallback's client, or the failed check saying why it cannot be built (its variables)."""
    from dbt_osmosis.api import LLMCheckResult

    try:
        return build_fallbacks(
            [config], lambda c: build_managed_client(settings, config=c, runtime=runtime), label
        )[0]
    except LLMConfigError as exc:
        model = config.model or config.default_model or "unknown"
        return LLMCheckResult(config.name, model, ok=False, error=exc.message)


def _ask(
    client: ManagedClient, key_variable: str | None, on_ask: Callable[[str, str], None] | None
) -> LLMCheckResult:
    from dbt_osmosis.api import LLMCheckResult
    from dbt_osmosis.core.llm.exceptions import LLMAuthError, LLMError
    from dbt_osmosis.core.llm.types import LLMRequest, Message

    if on_ask is not None:
        on_ask(client.provider, client.model)
    request = LLMRequest(
        messages=(Message("user", "Reply with the single word OK."),),
        max_tokens=16,
        temperature=0.0,
        operation="test_llm",
    )
    try:
        response = client.complete(request)
    except LLMError as exc:
        hint = next((text for kind, text in _hints() if isinstance(exc, kind)), "")
        rejected = isinstance(exc, LLMAuthError)
        if rejected:
            hint = (
                f"The provider rejected the key: check {key_variable or 'the API key'} "
                f"(provider {client.provider})."
            )
        return LLMCheckResult(
            client.provider, client.model, ok=False, error=str(exc), hint=hint, rejected_key=rejected
        )
    return LLMCheckResult(
        response.provider or client.provider,
        response.model or client.model,
        ok=True,
        reply=" ".join(response.text.split())[:80],
        latency_s=response.latency_s,
        prompt_tokens=response.usage.prompt_tokens,
        completion_tokens=response.usage.completion_tokens,
    )


def _hints() -> tuple[tuple[type[Exception], str], ...]:
    from dbt_osmosis.core.llm.exceptions import (
        LLMAPIError,
        LLMAuthError,
        LLMRateLimitError,
        LLMResponseError,
        LLMTimeoutError,
    )

    return (
        (
            LLMAuthError,
            "The provider rejected the key: check the API key variable of LLM_PROVIDER's provider.",
        ),
        (
            LLMRateLimitError,
            "The provider is throttling this key: wait, lower --llm-rate-limit, or check the quota.",
        ),
        (LLMTimeoutError, "No answer in time: check the base URL and the network, or raise --llm-timeout."),
        (LLMResponseError, "The provider answered, but not in a usable form: check the model name."),
        (
            LLMAPIError,
            "The request failed: check the base URL, the model or deployment name, "
            "and the provider's status.",
        ),
    )


class Cancelled(Exception):
    """The run's cancel token was set while synthesis ran; it stopped in order."""


def run_cancellable(work: Coroutine[Any, Any, _T], cancel: CancelToken) -> _T:
    """Run ``work`` in a fresh event loop; cancelling the token cancels it and raises ``Cancelled``."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(work)

    def stop() -> None:
        loop.call_soon_threadsafe(task.cancel)

    try:
        with cancel.handled_by(stop):
            if cancel.cancelled:  # cancelled before the loop even started
                task.cancel()
            return loop.run_until_complete(task)
    except asyncio.CancelledError:
        raise Cancelled from None
    finally:
        _close(loop)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    # What asyncio.run does on the way out, minus re-raising into tasks that are already finished.
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
