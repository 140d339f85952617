"""What a synthesis run is told (its options) and what it tells back (one outcome per node, the report)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dbt_osmosis.core.llm.budget import Budget
from dbt_osmosis.core.llm.cache import ResponseCache
from dbt_osmosis.core.llm.types import LLMRequest
from dbt_osmosis.core.llm.usage import LLMUsageStats

__all__ = ["NodeOutcome", "ProgressCallback", "SynthesisOptions", "SynthesisReport"]


@dataclass(frozen=True)
class SynthesisOptions:
    """How synthesis behaves beyond the LLM settings."""

    mark_generated: bool = False
    #: Columns per request; wider tables are split so that answers stay within output limits.
    chunk_size: int = 40
    temperature: float | None = 0.2
    #: Keep each node's requests on its outcome (``--llm-show-prompts``); off to save memory.
    keep_prompts: bool = False
    #: Answers already received are taken from here, and new ones kept here before they are applied.
    cache: ResponseCache | None = None
    #: Store new answers in ``cache`` (off for the dry run, whose answers are placeholders).
    store_answers: bool = True
    #: Stop sending once the next request could take the run past this budget.
    budget: Budget | None = None
    #: Ask once more, quoting the problem, when an answer cannot be used.
    reask_invalid: bool = True
    #: Write again the model-written texts whose inputs changed since (and those a reviewer rejected).
    refresh_stale: bool = False


@dataclass
class NodeOutcome:
    """What synthesis did for one node."""

    node: str
    path: str
    requests: int = 0
    table_filled: bool = False
    columns_filled: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    #: Column names the answer described more than once (only the first description was used).
    duplicates: list[str] = field(default_factory=list)
    #: Asked-for columns (and "the model description") the model answered with no usable text.
    empty: list[str] = field(default_factory=list)
    asked_columns: int = 0
    asked_table: bool = False
    error: str | None = None
    #: This node's own requests, tokens and cost (its attempts only, not the run's running totals).
    usage: LLMUsageStats | None = None
    #: The requests built for this node, when ``SynthesisOptions.keep_prompts`` is on.
    prompts: list[LLMRequest] = field(default_factory=list)
    #: Answers came from ``EstimatingClient``: the report says "would ask for", not "synthesized".
    dry_run: bool = False
    #: Answers taken from the response cache instead of being asked for.
    cached: int = 0
    #: Requests asked again because the first answer could not be used.
    reasked: int = 0
    #: Texts left unwritten because they said nothing (restated the name, filler, too long), with why.
    rejected_quality: list[str] = field(default_factory=list)
    #: Why the node was left undone without failing (the budget ran out, the run was stopped).
    skipped: str | None = None
    #: The node waits for a batch (its own requests', or an upstream node's it inherits from).
    pending: bool = False


@dataclass
class SynthesisReport:
    """Everything the run asked and got, for the summary and the exit code."""

    outcomes: list[NodeOutcome] = field(default_factory=list)
    seconds: float = 0.0
    #: Set when the provider rejected the credentials: synthesis stopped at once.
    auth_error: str | None = None
    #: Set when the budget stopped the run before every node was asked.
    budget_exhausted: bool = False
    #: Set when the provider failed so often in a row that the run stopped asking it (the breaker).
    provider_down: str | None = None

    @property
    def failures(self) -> list[NodeOutcome]:
        """Nodes whose requests failed after their retries."""
        return [outcome for outcome in self.outcomes if outcome.error]

    @property
    def requests(self) -> int:
        """How many requests were sent (retries not counted)."""
        return sum(outcome.requests for outcome in self.outcomes)

    @property
    def cached(self) -> int:
        """How many answers came from the response cache (no request sent)."""
        return sum(outcome.cached for outcome in self.outcomes)

    @property
    def skipped(self) -> list[NodeOutcome]:
        """Nodes left undone because the run stopped (budget, authentication, provider down), not failed."""
        return [outcome for outcome in self.outcomes if outcome.skipped and not outcome.error]

    @property
    def pending(self) -> list[NodeOutcome]:
        """Nodes waiting for a batch's answers (``--llm-batch``): asked again by the next run."""
        return [outcome for outcome in self.outcomes if outcome.pending and not outcome.error]

    @property
    def invented(self) -> int:
        """Column names the model answered with that the node does not have."""
        return sum(len(outcome.invented) for outcome in self.outcomes)

    @property
    def rejected_quality(self) -> int:
        """Texts never written because they said nothing, after being asked for once more."""
        return sum(len(outcome.rejected_quality) for outcome in self.outcomes)

    @property
    def duplicates(self) -> int:
        """Column descriptions dropped because the answer had already described that column."""
        return sum(len(outcome.duplicates) for outcome in self.outcomes)


ProgressCallback = Callable[[NodeOutcome | None], None]
