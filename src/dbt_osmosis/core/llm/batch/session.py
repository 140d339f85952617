"""A synthesis spread over runs: the requests a run could not answer go to the provider's batch service.

A ``BatchSession`` lives for one run. It opens the state file (``<target>/dbt-osmosis/batches.json``),
polls every batch submitted by earlier runs and keeps the answers of those that ended. During the run,
its ``BatchClient`` answers a request from those answers when it has one, and otherwise notes the
request and raises ``BatchPending``: the node waits, and so does every node that would inherit from
it. At the end of the run the noted requests are submitted as one batch (one DAG wave) and the state
is written again, atomically. The run that finds every answer is an ordinary run whose answers all
come from the batch: same requests, same cache keys, same validation, same YAML.

An item that failed is sent in the next batch once more, then on its own (synchronously) through the
run's ordinary client. The state holds answers and batch ids, never a key or a header.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbt_osmosis.core.llm.batch.backends import BatchBackend
from dbt_osmosis.core.llm.cache import request_key
from dbt_osmosis.core.llm.exceptions import LLMConfigError, LLMError
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse
from dbt_osmosis.core.llm.usage import BATCH_LABEL, LLMUsageStats, ModelPrice, PriceTable

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.managed import ManagedClient

__all__ = [
    "BATCH_LABEL",
    "STATE_FILE",
    "BatchClient",
    "BatchPending",
    "BatchPriceTable",
    "BatchSession",
    "BatchStatus",
    "BatchUsageStats",
    "pending_batches_note",
]

#: Where, under the run's cache folder, the batches in flight and their answers are kept.
STATE_FILE = "batches.json"
STATE_FORMAT = 1
#: An item is submitted this many times in all before it is sent on its own.
MAX_BATCH_ATTEMPTS = 2
#: Most items per batch (OpenAI's and Gemini's inline limits are 50,000; Anthropic's 100,000).
MAX_ITEMS = 50_000


class BatchPending(Exception):
    """The answer to this request is not here yet: it is (or will be) in a batch."""


class BatchPriceTable(PriceTable):
    """Prices where a provider labelled ``BATCH_LABEL`` costs the model's ``batch`` price.

    The batch price is the price table's own entry for the model (``"batch": {...}`` in prices.json or
    the user's ``OSMOSIS_LLM_PRICE_FILE``, whose entry wins whole); a model without one has an unknown
    batch cost, never 0 and never a guessed discount.
    """

    def __init__(self, base: PriceTable) -> None:
        self.base = base

    def price(self, provider: str, model: str) -> ModelPrice | None:
        """The list price, or for the batch label the model's batch price (``None``: unknown)."""
        if not provider.endswith(BATCH_LABEL):
            return self.base.price(provider, model)
        listed = self.base.price(provider.removesuffix(BATCH_LABEL), model)
        return None if listed is None else listed.batch

    def source(self, provider: str) -> tuple[str, str] | None:
        """Where the prices came from (the batch label's are the table's batch entries)."""
        listed = self.base.source(provider.removesuffix(BATCH_LABEL))
        if listed is None or not provider.endswith(BATCH_LABEL):
            return listed
        return f"{listed[0]}; batch prices: the table's batch entries", listed[1]


class BatchUsageStats(LLMUsageStats):
    """Usage where every answer is counted (and priced) as a batch answer: the batch dry run's."""

    def record(self, provider: str, model: str, usage: Any, latency_s: float) -> None:
        """Count one answer under the provider's batch label."""
        super().record(provider + BATCH_LABEL, model, usage, latency_s)


@dataclass
class BatchStatus:
    """Where a batch synthesis stands at the end of a run."""

    #: Batches still running at the provider (their ids).
    in_flight: list[str] = field(default_factory=list)
    #: The batch this run submitted, if any, and how many requests it holds.
    submitted: str | None = None
    submitted_items: int = 0
    #: How many batches this run submitted (more than one past the provider's item limit).
    submitted_batches: int = 0
    #: Batches that ended since the last run, and how many of their items failed (retried).
    collected: int = 0
    failed_items: int = 0
    #: Requests sent on their own after failing in batches.
    sent_alone: int = 0
    #: Requests that could not be submitted, and why (they are submitted by the next run).
    submit_error: str | None = None
    #: Why a batch in flight could not be polled (it is polled again by the next run).
    poll_error: str | None = None
    #: Batches cancelled (``--llm-batch-cancel`` or Ctrl-C).
    cancelled: list[str] = field(default_factory=list)
    #: Batches still running that no node of this run waits for (its answers came another way, a run
    #: without ``--llm-batch`` for instance): left running, collected by a later run, not pending.
    unawaited: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """Whether answers are still to come: the run must be repeated to finish."""
        return bool(self.in_flight) or self.submitted is not None or self.submit_error is not None


class BatchSession:
    """The batches of one project and model, as kept between runs in ``state_path``."""

    def __init__(
        self, state_path: Path, backend: BatchBackend, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = state_path
        self.backend = backend
        self._clock = clock
        self.status = BatchStatus()
        self.batches: list[dict[str, Any]] = []
        self.answers: dict[str, Any] = {}
        self.attempts: dict[str, int] = {}
        #: Keep the answers collected so far on disk even with nothing in flight (after a cancel).
        self.keep_answers = False
        self._load()
        self._check_writable()

    # ---- the state file ---------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise LLMConfigError(
                f"The batch state {self.path} cannot be read ({exc}). Delete it to start over "
                "(answers already applied are in the response cache)."
            ) from None
        if not isinstance(raw, dict) or raw.get("format") != STATE_FORMAT:
            raise LLMConfigError(
                f"The batch state {self.path} is not in a format this version reads; delete it."
            )
        provider, model = raw.get("provider"), raw.get("model")
        if raw.get("batches") and (provider, model) != (self.backend.provider, self.backend.model):
            raise LLMConfigError(
                f"Batches of {provider}/{model} are still pending in {self.path}, but this run uses "
                f"{self.backend.provider}/{self.backend.model}. Finish them, or cancel them with "
                "--llm-batch-cancel, with the same LLM_PROVIDER and model."
            )
        self.batches = list(raw.get("batches") or [])
        if (provider, model) == (self.backend.provider, self.backend.model):
            self.answers = dict(raw.get("answers") or {})
            self.attempts = {str(k): int(v) for k, v in (raw.get("attempts") or {}).items()}

    def _check_writable(self) -> None:
        # A batch submitted but not recorded would run (and be billed) with nobody to collect it.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            writable = os.access(self.path.parent, os.W_OK)
        except OSError:
            writable = False
        if not writable:
            raise LLMConfigError(
                f"--llm-batch keeps its state in {self.path.parent}, which cannot be written. Make it "
                "writable, or point OSMOSIS_LLM_CACHE_DIR at a folder that is."
            )

    def save(self) -> None:
        """Write the state atomically, or delete it once nothing is in flight or waiting."""
        if not self.batches and not self.status.pending and not self.keep_answers:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        self._write()

    def _write(self) -> None:
        state = {
            "format": STATE_FORMAT,
            "provider": self.backend.provider,
            "model": self.backend.model,
            "batches": self.batches,
            "answers": self.answers,
            "attempts": self.attempts,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(state, handle)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    # ---- the three moments of a run ----------------------------------------------------------------

    def collect(self) -> None:
        """Poll every batch in flight; keep the answers of those that ended, count their failures."""
        still: list[dict[str, Any]] = []
        for batch in self.batches:
            try:
                polled = self.backend.poll(batch["id"])
            except LLMError as exc:
                still.append(batch)  # the provider did not answer now: ask again next run
                self.status.poll_error = f"{batch['id']}: {exc}"
                continue
            if not polled.done:
                still.append(batch)
                continue
            self.status.collected += 1
            self.answers.update(polled.answers)
            for key in batch["keys"]:
                if key not in polled.answers:
                    self.attempts[key] = self.attempts.get(key, 0) + 1
                    self.status.failed_items += 1
        self.batches = still
        if self.status.collected:
            self._write()  # what was downloaded is on disk before anything else can go wrong
        self.status.in_flight = [batch["id"] for batch in still]

    def submit(self, client: BatchClient) -> None:
        """Submit the requests the run noted as one batch (more when over the provider's limit)."""
        wanted = list(client.wanted.items())
        for start in range(0, len(wanted), MAX_ITEMS):
            items = wanted[start : start + MAX_ITEMS]
            try:
                batch_id = self.backend.submit(items)
            except LLMError as exc:
                self.status.submit_error = str(exc)
                return
            self.batches.append(
                {"id": batch_id, "keys": [key for key, _ in items], "submitted_at": self._clock()}
            )
            self.status.submitted = batch_id
            self.status.submitted_items += len(items)
            self.status.submitted_batches += 1
            self.status.in_flight.append(batch_id)

    def cancel(self) -> None:
        """Cancel every batch in flight; answers already collected are kept."""
        for batch in self.batches:
            with contextlib.suppress(LLMError):
                self.backend.cancel(batch["id"])
            self.status.cancelled.append(batch["id"])
        self.batches = []
        self.status.in_flight = []
        self.status.submitted = None
        self.status.submit_error = None
        self.keep_answers = bool(self.answers)

    def settle_unawaited(self, awaited: set[str]) -> None:
        """Stop counting as pending the batches in flight that none of the ``awaited`` requests is in.

        ``awaited``: the requests this run waits for, those it just submitted included.

        They stay in the state (a later ``--llm-batch`` run collects them; ``--llm-batch-cancel`` stops
        them) but this run waits for nothing in them, so it can write what it has and end.
        """
        awaited_ids = {batch["id"] for batch in self.batches if awaited & set(batch["keys"])}
        self.status.unawaited = [i for i in self.status.in_flight if i not in awaited_ids]
        self.status.in_flight = [i for i in self.status.in_flight if i in awaited_ids]

    def in_flight_keys(self) -> set[str]:
        """The requests some batch in flight will answer."""
        return {key for batch in self.batches for key in batch["keys"]}


class BatchClient:
    """An ``LLMClient`` answering from the batches' answers, or noting the request for the next batch.

    Requests are shaped by the run's ``ManagedClient`` (temperature, JSON mode) before being keyed, so
    a batch item carries what the synchronous request would. An item that failed in
    ``MAX_BATCH_ATTEMPTS`` batches is sent through that client on its own.
    """

    def __init__(self, managed: ManagedClient, session: BatchSession, usage: LLMUsageStats | None) -> None:
        self.managed = managed
        self.session = session
        self.usage = usage
        self.provider = managed.provider
        self.model = managed.model
        #: Requests to submit at the end of the run, by key.
        self.wanted: dict[str, LLMRequest] = {}
        #: Requests of this run that a batch in flight will answer (a node waits for each).
        self.awaited: set[str] = set()
        self._in_flight = session.in_flight_keys()

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Not used: synthesis runs on the event loop (``acomplete``)."""
        raise NotImplementedError("BatchClient answers asynchronously only")

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """The batch's answer to ``request``; ``BatchPending`` while it has none."""
        shaped = self.managed.shaped(request)
        key = request_key(self.provider, self.model, shaped)
        payload = self.session.answers.get(key)
        if payload is not None:
            adapter = self.session.backend.adapter
            started = time.perf_counter()
            response: LLMResponse = adapter._finish(
                shaped, self.session.backend.reduce(payload, shaped), started
            )
            if self.usage is not None:
                self.usage.record(self.provider + BATCH_LABEL, self.model, response.usage, 0.0)
            return response
        if key in self._in_flight:
            self.awaited.add(key)
            raise BatchPending(key)
        if self.session.attempts.get(key, 0) >= MAX_BATCH_ATTEMPTS:
            self.session.status.sent_alone += 1
            return await self.managed.acomplete(request)
        self.wanted[key] = shaped
        raise BatchPending(key)


def pending_batches_note(state_path: Path) -> str | None:
    """What a run without ``--llm-batch`` says about batches an earlier run left in flight, or ``None``.

    Such a run does not wait for them and pays for its own requests; the batches keep running (and
    are billed) until a ``--llm-batch`` run collects them or ``--llm-batch-cancel`` stops them.
    """
    try:
        raw = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    batches = raw.get("batches") if isinstance(raw, dict) else None
    if not batches or not isinstance(batches, list):
        return None
    ids = ", ".join(str(batch.get("id")) for batch in batches if isinstance(batch, dict))
    return (
        f"{len(batches)} batch(es) of {raw.get('provider')}/{raw.get('model')} from an earlier --llm-batch "
        f"run are still in flight for this project ({ids}); this run does not wait for them and sends "
        "its own requests. Collect them with the same command and --llm-batch, or stop them (and "
        "their bill) with --llm-batch-cancel."
    )
