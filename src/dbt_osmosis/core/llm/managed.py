"""A client wrapper that adds retries, rate limiting and usage accounting to any ``LLMClient``.

Each concern lives in its own module (``retry``, ``rate_limit``, ``usage``); ``ManagedClient`` composes
them around a raw provider adapter so the adapter stays a thin SDK translation and the same policy
applies to every provider, to the mock, and to sync and async callers alike.

Per attempt: wait for the shared limiter, call the inner client, record tokens and latency, and feed
the response's rate-limit headers back to the limiter. A 429 makes the limiter hold *every* caller back
(not just this one), then the retry policy decides whether and when to try again.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from dbt_osmosis.core.llm.breaker import CircuitBreaker
from dbt_osmosis.core.llm.budget import DEFAULT_COMPLETION_CAP, Reservation, most_prompt_tokens
from dbt_osmosis.core.llm.cache_warmup import PrefixWarmup
from dbt_osmosis.core.llm.capabilities import (
    CapabilityStore,
    ModelParams,
    rejects_temperature_by_default,
)
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMError,
    LLMInternalError,
    LLMParameterError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.flex import (
    FLEX_COOLDOWN_S,
    FLEX_REFUSALS_IN_A_ROW,
    STANDARD_TIER,
    FlexCapacity,
    flex_capacity_refusal,
    flex_refused_error,
)
from dbt_osmosis.core.llm.logging import attempt_scope, get_logger
from dbt_osmosis.core.llm.rate_limit import RateLimiter
from dbt_osmosis.core.llm.retry import RetryPolicy, final_error
from dbt_osmosis.core.llm.runtime import LLMRuntime, default_runtime
from dbt_osmosis.core.llm.settings import JSON_MODES, JsonMode
from dbt_osmosis.core.llm.types import Usage
from dbt_osmosis.core.llm.usage import (
    STANDARD_TIER_LABEL,
    TIERED_PROVIDERS,
    LLMUsageStats,
    normalize_provider,
)

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.providers import ProviderConfig
    from dbt_osmosis.core.llm.settings import LLMSettings
    from dbt_osmosis.core.llm.types import LLMClient, LLMRequest, LLMResponse

__all__ = [
    "ManagedClient",
    "build_managed_client",
    "estimate_tokens",
    "reset_shared_limiters",
    "shared_limiter",
]

# Roughly four characters per token for English prose and SQL; only used to pace the token budget, so
# being a little off costs a little throughput, not correctness.
_CHARS_PER_TOKEN = 4


def estimate_tokens(request: LLMRequest) -> int:
    """Tokens a request will probably consume (prompt plus the completion budget), for the limiter."""
    if request.estimated_tokens is not None:
        return max(0, request.estimated_tokens)
    prompt_chars = sum(len(message.content) for message in request.messages)
    return prompt_chars // _CHARS_PER_TOKEN + 1 + (request.max_tokens or 0)


#: Waits longer than this many seconds are announced through ``on_wait`` (the run's progress notes).
ANNOUNCE_WAIT_S = 3.0


def _reserve(request: LLMRequest, provider: str, model: str) -> Reservation | None:
    """Room in the request's budget for one attempt (raises ``BudgetExhausted`` when there is none).

    Reserved at the price of the model the attempt goes to: in a fallback chain, not the primary's.
    """
    if request.budget is None:
        return None
    return request.budget.reserve_request(request, provider=provider, model=model)


def _release(request: LLMRequest, reservation: Reservation | None) -> None:
    if request.budget is not None and reservation is not None:
        request.budget.release(reservation)


def _settle_failed(
    request: LLMRequest, reservation: Reservation | None, exc: BaseException, provider: str, model: str
) -> None:
    """Settle a failed attempt at what the provider billed for it, as far as we can tell."""
    if request.budget is None or reservation is None:
        return
    usage = getattr(exc, "usage", None)
    request.budget.settle(
        reservation,
        usage,
        billed=usage is None and may_have_been_billed(exc),
        provider=provider,
        model=model,
    )


def billed_usage(request: LLMRequest, exc: BaseException) -> Usage | None:
    """The tokens a failed attempt is counted at: as reported, or at most what it could have used."""
    reported = getattr(exc, "usage", None)
    if isinstance(reported, Usage):
        return reported
    if may_have_been_billed(exc):
        return Usage(most_prompt_tokens(request), request.max_tokens or DEFAULT_COMPLETION_CAP)
    return None


def may_have_been_billed(exc: BaseException) -> bool:
    """Whether the provider may have generated (and billed) an answer this failure kept from us.

    An HTTP error status means the provider answered with an error and generated nothing. A dropped
    connection, a timeout, a cancelled call or a reply cut off mid-stream may each have left a whole
    generation billed and unread. A connection that was never opened, or a streamed request's
    connection that failed before the provider sent a status line (it had not started answering),
    cost nothing we can know of. The reservation is held until this settles, so the budget never
    lets more be in flight than it allows.
    """
    if isinstance(exc, LLMError):
        if exc.status_code is not None:
            return False
        return not (getattr(exc, "never_sent", False) or getattr(exc, "before_reply", False))
    return True


# TIERED_PROVIDERS (who sells a flex tier) lives in usage.py: pricing needs it too.


#: A request is re-sent at once after a parameter refusal at most this many times (temperature, then
#: two steps down the JSON ladder); more would mean the provider refuses everything we can drop.
_MAX_REFUSALS = 3


#: Said after a provider's 5xx when no fallback chain is configured.
FALLBACK_HINT = " To go on meanwhile, name another provider with --llm-fallback (OSMOSIS_LLM_FALLBACK)."


def _with_fallback_hint(exc: BaseException) -> BaseException:
    """``exc`` with ``FALLBACK_HINT`` after a 5xx (a copy: the breaker keeps the original)."""
    if not isinstance(exc, LLMAPIError) or exc.status_code is None or exc.status_code < 500:
        return exc
    hinted = copy.copy(exc)
    hinted.message = exc.message + FALLBACK_HINT
    hinted.args = (hinted.message,)
    return hinted


def what_failed(exc: BaseException) -> str:
    """What the provider (or the network) did, in words, for a note: "HTTP 500", "a connection reset"."""
    if isinstance(exc, LLMRateLimitError):
        return f"a rate limit (HTTP {exc.status_code or 429})"
    if isinstance(exc, LLMTimeoutError):
        return "no answer in time"
    if isinstance(exc, LLMError) and exc.status_code is not None:
        return f"HTTP {exc.status_code}"
    text = str(exc).lower()
    if getattr(exc, "never_sent", False) or "could not connect" in text:
        return "a refused connection"
    if "reset" in text:
        return "a connection reset"
    if "closed" in text or "cut" in text:
        return "a connection closed mid-reply"
    return "a failed connection"


class ManagedClient:
    """An ``LLMClient`` that retries, rate-limits and records usage around another ``LLMClient``.

    A request that carries a budget (``LLMRequest.budget``) reserves room in it for every attempt,
    retries and re-sends included, and settles it at what the provider reports (``budget.py``).

    It also learns what the model accepts: a 400 refusing ``temperature`` or ``response_format`` makes
    it drop the parameter (or ask for JSON more simply), re-send the request at once (a refusal is not
    a retry of a transient failure), and remember it in ``capabilities`` for every later request. Until
    one request of a model has been answered, only one is in flight, so a run pays for a few refused
    requests, not one per node.
    """

    #: Tells a caller that this client keeps ``LLMRequest.budget`` per attempt itself.
    enforces_budget = True

    def __init__(
        self,
        inner: LLMClient,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        usage: LLMUsageStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        settings: LLMSettings | None = None,
        capabilities: CapabilityStore | None = None,
        on_tokens: Callable[[int], None] | None = None,
        breaker: CircuitBreaker | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        from dbt_osmosis.core.llm.settings import LLMSettings

        self.inner = inner
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        self.usage = usage
        self.settings = settings or LLMSettings()
        self.capabilities = capabilities or CapabilityStore()
        #: Receives output tokens as they arrive for requests that bring no hook of their own (see
        #: ``LLMRequest.on_tokens``); a progress display sets it.
        self.on_tokens = on_tokens
        #: Shared by every client of the run: stops sending once the provider looks down.
        self.breaker = breaker
        #: Told about every wait longer than ``ANNOUNCE_WAIT_S`` ("waiting 42 s: openai asked to slow
        #: down"), so a run that pauses says why; the command line prints it as a note.
        self.on_wait = on_wait
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._clock = clock
        self._rng = rng
        #: The provider's refusal of our credentials, once it said so: every later request would be
        #: refused the same way, so none is sent (a bad key costs one request, not one per node).
        self._refused_credentials: LLMAuthError | None = None
        #: Whether a provider's 5xx suggests ``--llm-fallback``: not for a client of a fallback chain
        #: (``FallbackClient`` turns it off), where the chain already names what to ask meanwhile.
        self.suggest_fallback = True
        #: Whether the switch of refused flex requests to the standard tier was announced already.
        self._said_standard = False
        #: Shared by every node: after a few refusals in a row, skip the flex tier for a while.
        self.flex = FlexCapacity(clock)
        #: Which prompt prefixes the provider has seen, so their first request goes alone.
        self.warmup = PrefixWarmup()
        hand_set = self._hand_set_params()
        if hand_set is not None:
            self.capabilities.override(self.provider, self.model, hand_set)

    @property
    def provider(self) -> str:
        """The inner client's provider name."""
        return self.inner.provider

    @property
    def model(self) -> str:
        """The inner client's model name."""
        return self.inner.model

    def __repr__(self) -> str:
        return f"ManagedClient(provider={self.provider!r}, model={self.model!r}, retry={self.retry!r})"

    # ---- what to send -----------------------------------------------------------------------------

    def _ladder(self) -> tuple[JsonMode, ...]:
        modes = getattr(self.inner, "json_modes", None)
        # A client that does not say: every mode but "strict", which only some providers have.
        return tuple(modes) if modes else JSON_MODES[1:]

    def _start_params(self) -> ModelParams:
        """Parameters for a model nothing was learned about: its family's and provider's defaults."""
        send_temperature = not rejects_temperature_by_default(self.model)
        if self.settings.temperature is not None:
            send_temperature = True
        if self.settings.omit_temperature:
            send_temperature = False
        mode = self.settings.json_mode or self._ladder()[0]
        return ModelParams(send_temperature=send_temperature, json_mode=mode)

    def _hand_set_params(self) -> ModelParams | None:
        """The start parameters when the user set any of them by hand (they beat what was learned)."""
        settings = self.settings
        if settings.json_mode is None and settings.temperature is None and not settings.omit_temperature:
            return None
        learned = self.capabilities.known(self.provider, self.model)
        start = self._start_params()
        if learned is None:
            return start
        return ModelParams(
            send_temperature=start.send_temperature
            if settings.temperature is not None or settings.omit_temperature
            else learned.send_temperature,
            json_mode=settings.json_mode or learned.json_mode,
        )

    def _params(self) -> ModelParams:
        return self.capabilities.current(self.provider, self.model, self._start_params())

    def _shape(self, request: LLMRequest, params: ModelParams) -> LLMRequest:
        temperature = request.temperature
        if self.settings.temperature is not None:
            temperature = self.settings.temperature
        if not params.send_temperature:
            temperature = None
        json_mode = params.json_mode if request.json_schema is not None else None
        on_tokens = request.on_tokens or self.on_tokens
        tier = request.service_tier or self.settings.service_tier
        if tier == STANDARD_TIER:
            tier = None  # re-sent at the standard tier: no service_tier at all, as a standard request
        if tier is not None and normalize_provider(self.provider) not in TIERED_PROVIDERS:
            tier = None  # only OpenAI and Gemini sell a flex tier; others would refuse the parameter
        shaped = (temperature, json_mode, on_tokens, tier)
        if shaped == (request.temperature, request.json_mode, request.on_tokens, request.service_tier):
            return request
        return dataclasses.replace(
            request, temperature=temperature, json_mode=json_mode, on_tokens=on_tokens, service_tier=tier
        )

    def shaped(self, request: LLMRequest) -> LLMRequest:
        """``request`` as it would be sent now (temperature and JSON mode as learned); for batch items."""
        return self._shape(request, self._params())

    @staticmethod
    def _sent(shaped: LLMRequest, params: ModelParams) -> ModelParams:
        # What the refused request really carried: a refusal of something not sent cannot be fixed.
        return ModelParams(send_temperature=shaped.temperature is not None, json_mode=params.json_mode)

    # ---- the two entry points ---------------------------------------------------------------------

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Send ``request`` with rate limiting and retries; raise the typed error when giving up.

        The first request of a new cacheable prompt prefix goes alone, so that the provider has cached
        the prefix before the others that share it are sent (``cache_warmup``).
        """
        return self.warmup.call(request, lambda: self._complete_gated(request))

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Asyncio twin of ``complete``; waits with ``async_sleep`` so the event loop keeps running."""
        return await self.warmup.acall(request, lambda: self._acomplete_gated(request))

    def _complete_gated(self, request: LLMRequest) -> LLMResponse:
        store = self.capabilities
        if not store.is_open(self.provider, self.model):
            with store.thread_gate(self.provider, self.model):
                if not store.is_open(self.provider, self.model):
                    return self._complete(request)
        return self._complete(request)

    async def _acomplete_gated(self, request: LLMRequest) -> LLMResponse:
        store = self.capabilities
        if not store.is_open(self.provider, self.model):
            async with store.loop_gate(self.provider, self.model):
                if not store.is_open(self.provider, self.model):
                    return await self._acomplete(request)
        return await self._acomplete(request)

    def _complete(self, request: LLMRequest) -> LLMResponse:
        tokens = estimate_tokens(request)
        attempt = 0
        refusals = 0
        params = self._params()
        while True:
            self._stop_if_credentials_refused()
            if self.breaker is not None:
                self.breaker.check()
            attempt += 1
            request = self._past_flex(request)
            shaped = self._shape(request, params)
            reservation = _reserve(request, self.provider, self.model)
            try:
                admitted = self.limiter.acquire(tokens) if self.limiter is not None else None
            except BaseException:
                _release(request, reservation)
                raise
            started = self._clock()
            try:
                with attempt_scope(attempt):
                    response = self.inner.complete(shaped)
            except BaseException as exc:
                _settle_failed(request, reservation, exc, self.provider, self.model)
                if not isinstance(exc, Exception):
                    raise
                step = self._after_failure(exc, attempt, refusals, request, shaped, params, admitted, tokens)
                if isinstance(step, ModelParams):
                    params, refusals, attempt = step, refusals + 1, attempt - 1
                    continue
                if isinstance(step, str):  # no flex capacity: the request goes at the standard tier
                    request, attempt = dataclasses.replace(request, service_tier=step), 0
                    continue
                self._sleep(step)
                continue
            self._answered(request, shaped, reservation, response, started, admitted, tokens)
            return response

    async def _acomplete(self, request: LLMRequest) -> LLMResponse:
        tokens = estimate_tokens(request)
        attempt = 0
        refusals = 0
        params = self._params()
        while True:
            self._stop_if_credentials_refused()
            if self.breaker is not None:
                self.breaker.check()
            attempt += 1
            request = self._past_flex(request)
            shaped = self._shape(request, params)
            reservation = _reserve(request, self.provider, self.model)
            try:
                admitted = await self.limiter.acquire_async(tokens) if self.limiter is not None else None
            except BaseException:
                _release(request, reservation)
                raise
            started = self._clock()
            try:
                with attempt_scope(attempt):
                    response = await self.inner.acomplete(shaped)
            except BaseException as exc:
                _settle_failed(request, reservation, exc, self.provider, self.model)
                if not isinstance(exc, Exception):
                    raise
                step = self._after_failure(exc, attempt, refusals, request, shaped, params, admitted, tokens)
                if isinstance(step, ModelParams):
                    params, refusals, attempt = step, refusals + 1, attempt - 1
                    continue
                if isinstance(step, str):  # no flex capacity: the request goes at the standard tier
                    request, attempt = dataclasses.replace(request, service_tier=step), 0
                    continue
                await self._async_sleep(step)
                continue
            self._answered(request, shaped, reservation, response, started, admitted, tokens)
            return response

    def _answered(
        self,
        request: LLMRequest,
        shaped: LLMRequest,
        reservation: Reservation | None,
        response: LLMResponse,
        started: float,
        admitted: float | None,
        tokens: int,
    ) -> None:
        """Settle an answered attempt (sync and async alike) and record it."""
        if request.budget is not None and reservation is not None:
            # Priced as whoever answered: this client may be a fallback of the budget's own model.
            request.budget.settle(
                reservation,
                response.usage,
                provider=response.provider or self.provider,
                model=response.model or self.model,
            )
        if shaped.service_tier == "flex":
            self.flex.answered()
        self._after_success(response, self._clock() - started, admitted, tokens, self._who(request))

    def _stop_if_credentials_refused(self) -> None:
        refused = self._refused_credentials
        if refused is not None:
            raise LLMAuthError(
                refused.message,
                provider=refused.provider,
                model=refused.model,
                status_code=refused.status_code,
                request_id=refused.request_id,
                attempts=refused.attempts,
            )

    # ---- bookkeeping ------------------------------------------------------------------------------

    def _who(self, request: LLMRequest) -> str:
        """The provider name usage is counted under: labelled for a flex request sent at standard."""
        if request.service_tier == STANDARD_TIER and self.settings.service_tier == "flex":
            return self.provider + STANDARD_TIER_LABEL
        return self.provider

    def _after_success(
        self,
        response: LLMResponse,
        measured_s: float,
        admitted: float | None,
        estimated: int,
        who: str | None = None,
    ) -> None:
        self.capabilities.settle(self.provider, self.model, accepted=True)
        if self.breaker is not None:
            self.breaker.record_success()
        if self.limiter is not None:
            if admitted is not None:
                # The estimate paced the start; the provider's count is what its quota really used.
                self.limiter.correct(admitted, estimated, response.usage.total_tokens)
            if response.headers:
                self.limiter.observe_headers(response.headers)
        if self.usage is not None:
            latency = response.latency_s if response.latency_s and response.latency_s > 0 else measured_s
            provider = response.provider or self.provider
            if who is not None and who != self.provider and provider == self.provider:
                provider = who  # answered at the standard tier although the run asked for flex
            self.usage.record(provider, response.model or self.model, response.usage, latency)

    def _after_failure(
        self,
        exc: Exception,
        attempt: int,
        refusals: int,
        request: LLMRequest,
        shaped: LLMRequest,
        params: ModelParams,
        admitted: float | None,
        estimated: int,
    ) -> float | ModelParams | str:
        """Account for a failed attempt; return parameters to re-send with, or a wait, or raise.

        A parameter refusal returns the parameters to re-send with at once; a transient failure returns
        how long to wait before the retry; a flex request still refused for want of capacity after its
        retries returns the tier to re-send it at (``STANDARD_TIER``); anything else raises the final
        error.
        """
        if not isinstance(exc, LLMError):
            # Not a provider answer nor a network failure: a bug, which repeating cannot fix.
            internal = LLMInternalError(
                f"Internal error while asking {self.provider}: {type(exc).__name__}: {exc}. "
                "This is a bug; please report it with this message.",
                provider=self.provider,
                model=self.model,
            )
            internal.__cause__ = exc
            exc = internal
        if self.limiter is not None and admitted is not None:
            # A failed attempt used no tokens of the provider's quota (or none it reports to us).
            self.limiter.correct(admitted, estimated, 0)
        billed = billed_usage(request, exc)
        if isinstance(exc, LLMParameterError) and refusals < _MAX_REFUSALS:
            relearned = self._learn(exc, request, shaped, params)
            if relearned is not None:
                if self.usage is not None:
                    self.usage.record_refused(self._who(request), self.model, billed)
                return relearned
        too_long = self._retry_after_too_long(exc)
        if too_long is not None:
            # Waiting would hold the run (and, through the shared limiter, every other node) for longer
            # than the user allows: this request fails now and the others go on.
            exc = too_long
        elif isinstance(exc, LLMRateLimitError) and self.limiter is not None:
            self.limiter.penalize(exc.retry_after)
            if exc.retry_after is not None and exc.retry_after > ANNOUNCE_WAIT_S:
                self._announce_wait(exc.retry_after, f"{self.provider} asked to slow down")
        if isinstance(exc, LLMAuthError):
            self._refused_credentials = exc
        flex_full = shaped.service_tier == "flex" and flex_capacity_refusal(exc)
        if flex_full and isinstance(exc, LLMError):
            self.flex.refused(exc)
        # "No flex capacity" says the provider is up (its standard tier answers): not an outage.
        provider_down = (
            self.breaker.record_failure(exc) if self.breaker is not None and not flex_full else False
        )
        if (
            provider_down
            or too_long is not None
            or attempt > self.retry.max_retries
            or not self.retry.should_retry(exc)
            or (flex_full and self.flex.closed())  # no capacity, run-wide: retrying at flex is futile
        ):
            if flex_full and not provider_down and self.settings.flex_unavailable == STANDARD_TIER:
                return self._to_standard_tier(request, billed)
            # Any answer that is not a refusal settles the probe: a reply that failed validation
            # still proves the parameters were accepted.
            self.capabilities.settle(self.provider, self.model, accepted=isinstance(exc, LLMResponseError))
            if self.usage is not None:
                self.usage.record_error(self._who(request), self.model, billed)
            if flex_full and isinstance(exc, LLMError):
                exc = flex_refused_error(exc, self.provider)  # not rate-limit advice: a tier's capacity
            down = self.breaker.down_error(sent=True) if provider_down and self.breaker else None
            if down is not None:
                # This failure opened the breaker (or met it open): said once, as the run's stop line
                # (which counts requests itself: no attempt count of this call beside it).
                raise down from exc
            final = final_error(exc, attempt)
            if self.suggest_fallback:
                final = _with_fallback_hint(final)
            if final is exc:
                raise exc
            raise final from exc
        if self.usage is not None:
            self.usage.record_retry(self._who(request), self.model, billed)
        # With a limiter, a 429's retry_after is already enforced for everyone by penalize(); waiting
        # it here too would double the pause, so only the jitter is ours (acquire waits out the rest).
        honours_retry_after = isinstance(exc, LLMRateLimitError) and self.limiter is not None
        wait = self.retry.delay(attempt, None if honours_retry_after else exc, self._rng)
        retry_after = getattr(exc, "retry_after", None)
        if wait > ANNOUNCE_WAIT_S:
            self._announce_wait(wait, f"retrying {self.provider} after {what_failed(exc)}")
        # str(exc) is already redacted by LLMError, and the logger's filter redacts once more.
        get_logger().info(
            "llm retry provider=%s model=%s operation=%s attempt=%d/%d after %s (%s); waiting %.2fs%s",
            self.provider,
            self.model,
            request.operation,
            attempt,
            self.retry.max_retries + 1,
            type(exc).__name__,
            exc,
            wait,
            f", provider asked for {retry_after:g}s" if retry_after is not None else "",
        )
        return wait

    def _to_standard_tier(self, request: LLMRequest, billed: Usage | None) -> str:
        """Count the last flex refusal (a change of tier, not a retry); say, once per client, so."""
        if self.usage is not None:
            self.usage.record_attempt(self.provider, self.model, billed)
        get_logger().info(
            "llm flex unavailable provider=%s model=%s operation=%s: re-sent at the standard tier",
            self.provider,
            self.model,
            request.operation,
        )
        if not self._said_standard:
            self._said_standard = True
            hook = self.on_wait
            if hook is not None:
                hook(
                    f"{self.provider} has no flex capacity: a request it refuses is retried, then sent at "
                    f"the standard tier and price; after {FLEX_REFUSALS_IN_A_ROW} refusals in a row every "
                    f"request goes there at once for {FLEX_COOLDOWN_S / 60:g} minutes "
                    "(--llm-flex-unavailable fail to fail them instead)"
                )
        return STANDARD_TIER

    def _past_flex(self, request: LLMRequest) -> LLMRequest:
        """``request`` at the standard tier while the flex tier has no capacity run-wide.

        Under ``--llm-flex-unavailable fail`` it fails at once instead, without being sent.
        """
        if request.service_tier is not None or not self.flex.closed():
            return request
        if self.settings.service_tier != "flex" or normalize_provider(self.provider) not in TIERED_PROVIDERS:
            return request
        if self.settings.flex_unavailable == STANDARD_TIER:
            return dataclasses.replace(request, service_tier=STANDARD_TIER)
        refusal = self.flex.last_refusal
        if refusal is None:  # pragma: no cover - closed implies a refusal was seen
            return request
        raise flex_refused_error(refusal, self.provider)

    def _retry_after_too_long(self, exc: Exception) -> LLMRateLimitError | None:
        """The error to fail with when a 429 asks for a longer wait than ``max_retry_wait`` allows."""
        if not isinstance(exc, LLMRateLimitError) or exc.retry_after is None:
            return None
        cap = self.settings.max_retry_wait
        if exc.retry_after <= cap:
            return None
        return LLMRateLimitError(
            f"{exc.message} That is longer than the {cap:g} s a request waits at most "
            "(OSMOSIS_LLM_MAX_RETRY_WAIT), so this request failed at once and the others went on; "
            "rerun later (answers received are kept), or raise OSMOSIS_LLM_MAX_RETRY_WAIT.",
            retry_after=exc.retry_after,
            provider=exc.provider,
            model=exc.model,
            status_code=exc.status_code,
            request_id=exc.request_id,
        )

    def _announce_wait(self, seconds: float, why: str) -> None:
        hook = self.on_wait
        if hook is not None:
            hook(f"waiting {seconds:.0f} s: {why}")

    def _learn(
        self, exc: LLMParameterError, request: LLMRequest, shaped: LLMRequest, params: ModelParams
    ) -> ModelParams | None:
        if exc.parameter == "response_format" and request.json_schema is None:
            return None
        return self.capabilities.learn(
            self.provider, self.model, self._sent(shaped, params), exc.parameter, self._ladder()
        )


def shared_limiter(provider: str, settings: LLMSettings) -> RateLimiter:
    """The default runtime's limiter for ``provider`` at these limits (``LLMRuntime.limiter``)."""
    return default_runtime().limiter(provider, settings)


def reset_shared_limiters() -> None:
    """Forget the default runtime's limiters (a long-lived process starting an unrelated run)."""
    default_runtime().forget_limiters()


def build_managed_client(
    settings: LLMSettings,
    *,
    config: ProviderConfig | None = None,
    env: Mapping[str, str] | None = None,
    limiter: RateLimiter | None = None,
    usage: LLMUsageStats | None = None,
    inner: LLMClient | None = None,
    capabilities: CapabilityStore | None = None,
    runtime: LLMRuntime | None = None,
) -> ManagedClient:
    """The one way the CLI and the facade get a ready client: provider adapter plus every policy.

    What is not given explicitly comes from ``runtime`` (default: the process's runtime), so clients
    built separately in one run share it: the adapter cache, the limiter for the provider (one
    budget), the capability store of ``settings.cache_dir`` (what was learned about the model) and,
    when ``OSMOSIS_LLM_TRACK_USAGE`` is on and no ``usage`` is given, the default stats object.
    """
    owner = runtime if runtime is not None else default_runtime()
    if inner is None:
        from dbt_osmosis.core.llm.factory import create_client

        inner = create_client(config, settings, env, runtime=owner)
    if usage is None and settings.track_usage:
        usage = owner.default_usage(settings)
    return ManagedClient(
        inner,
        retry=RetryPolicy.from_settings(settings),
        limiter=limiter if limiter is not None else owner.limiter(inner.provider, settings),
        usage=usage,
        settings=settings,
        capabilities=capabilities if capabilities is not None else owner.capability_store(settings.cache_dir),
        breaker=owner.breaker(inner.provider, settings.breaker_threshold),
    )
