"""What the library's calls take and give: options in, hooks, results out."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from dbt_osmosis.core.dbt.project import ProjectOptions, discover_project_dir
from dbt_osmosis.core.dbt.selection import Selection
from dbt_osmosis.core.document import Change, DocumentOptions
from dbt_osmosis.core.document.inheritance import DEFAULT_PLACEHOLDERS
from dbt_osmosis.core.organize import (
    Move,
    OrganizePlan,
)
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis.core.analyze import DocsThresholds
    from dbt_osmosis.core.llm.batch import BatchStatus
    from dbt_osmosis.core.llm.budget import Budget
    from dbt_osmosis.core.llm.usage import LLMUsageStats
    from dbt_osmosis.core.synthesis import NodeOutcome, SynthesisReport
    from dbt_osmosis.core.synthesis.estimate import ChainEstimate
    from dbt_osmosis.core.synthesis.review import Copy, ReviewItem


# --- options in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectLocation:
    """Where the dbt project is and how dbt loads it; named as dbt's own options."""

    #: The folder with dbt_project.yml; ``None``: the nearest one at or above the current folder.
    #: A ``str`` or any path-like is accepted and kept as a ``Path``.
    project_dir: Path | str | os.PathLike[str] | None = None
    profiles_dir: Path | str | os.PathLike[str] | None = None
    profile: str | None = None
    target: str | None = None
    threads: int | None = None
    #: dbt vars as a YAML string, as for ``dbt run --vars``.
    vars: str | None = None

    def __post_init__(self) -> None:
        # ProjectLocation(project_dir=".") is what a notebook user writes: make it the Path it means.
        for name in ("project_dir", "profiles_dir"):
            object.__setattr__(self, name, _as_path(getattr(self, name)))

    def resolve(self) -> ProjectOptions:
        """The project found the way dbt finds it; ``ProjectError`` if there is none."""
        project_dir = discover_project_dir(_as_path(self.project_dir), Path.cwd())
        return ProjectOptions(
            project_dir=project_dir,
            profiles_dir=_as_path(self.profiles_dir),
            target=self.target,
            threads=self.threads,
            vars=self.vars,
            profile=self.profile,
        )


def _as_path(value: Path | str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)


def fallback_entries(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """A fallback chain as a tuple of entries: a comma-separated ``str`` is split, blanks dropped."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item.strip())


@dataclass(frozen=True)
class LLMOptions:
    """Synthesis of missing descriptions by an LLM; ``None`` means the ``OSMOSIS_LLM_*`` variable."""

    synthesize: bool = False
    prompt_file: Path | None = None
    timeout: float | None = None
    #: Send nothing: estimate requests, tokens and cost (implies ``synthesize``).
    dry_run: bool = False
    #: Keep every prompt in the report; send nothing (implies ``synthesize`` and ``dry_run``).
    show_prompts: bool = False
    concurrency: int | None = None
    rate_limit: float | None = None
    max_retries: int | None = None
    #: Failures in a row (5xx, timeouts, refused connections) after which the run stops asking.
    breaker_threshold: int | None = None
    #: Providers asked in order while the primary is down, each ``"provider"`` or
    #: ``"provider:model"`` (``None``: ``OSMOSIS_LLM_FALLBACK``; ``()``: no fallback).
    #: A comma-separated ``str`` (``"anthropic:claude-haiku-4-5,openai"``) is accepted too.
    fallback: tuple[str, ...] | None = None
    mark_generated: bool = False
    no_cache: bool = False
    max_cost: float | None = None
    max_requests: int | None = None
    #: ``"flex"``: OpenAI's and Gemini's slower tier at batch prices; ``None``/``"standard"``: standard.
    service_tier: str | None = None
    #: A flex request refused for want of capacity after its retries: ``"standard"`` re-sends it at
    #: the standard tier and price, ``"fail"`` fails its node (``None``: OSMOSIS_LLM_FLEX_UNAVAILABLE).
    flex_unavailable: str | None = None
    refresh_stale: bool = False
    #: Start even when the estimate exceeds the budget, and stop when it is reached.
    allow_partial: bool = False
    #: House style for every request (``None``: ``OSMOSIS_LLM_STYLE_GUIDE``, or dbt-styleguide.md).
    style_guide: Path | None = None
    language: str | None = None  # descriptions' language (``None``: OSMOSIS_LLM_LANGUAGE, or English)
    #: Synthesize through the provider's batch service: one batch per DAG wave, collected by the
    #: next run with the same options (``ExitCode.PENDING`` until every answer is in).
    batch: bool = False
    #: Cancel the project's batches in flight, and do nothing else.
    batch_cancel: bool = False

    def __post_init__(self) -> None:
        # A str would otherwise be read one character per entry.
        object.__setattr__(self, "fallback", fallback_entries(self.fallback))

    @property
    def wanted(self) -> bool:
        """Whether the run synthesizes: a dry run or a look at the prompts without the LLM shows nothing."""
        return self.synthesize or self.sends_nothing

    @property
    def sends_nothing(self) -> bool:
        """Whether the run only estimates (showing the prompts sends nothing either)."""
        return self.dry_run or self.show_prompts


@dataclass(frozen=True)
class DocumentRun:
    """One ``yaml document`` (or ``yaml refactor``) run."""

    project: ProjectLocation = field(default_factory=ProjectLocation)
    options: DocumentOptions = field(default_factory=DocumentOptions)
    llm: LLMOptions = field(default_factory=LLMOptions)
    #: Write nothing; the result says whether any file would change (exit code 1).
    check: bool = False
    #: Compute everything, write nothing.
    dry_run: bool = False


@dataclass(frozen=True)
class OrganizeRun:
    """One ``yaml organize`` run."""

    project: ProjectLocation = field(default_factory=ProjectLocation)
    selection: Selection = field(default_factory=Selection)
    disable_introspection: bool = False
    output_to_lower: bool = False
    skip_add_data_types: bool = False
    check: bool = False
    dry_run: bool = False
    #: Only finish the writes of a run that was killed midway (its journal), then stop.
    recover: bool = False


@dataclass(frozen=True)
class ReviewRun:
    """One ``yaml review`` run: list model-written text, or accept or reject it."""

    project: ProjectLocation = field(default_factory=ProjectLocation)
    models: tuple[str, ...] = ()
    fqn: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    verdict: Literal["accept", "reject"] | None = None
    #: Exit code 1 while model-written text is unreviewed (or a copy of a rejected text is left).
    check: bool = False
    #: dbt's selection, as for ``yaml document`` (added to ``models`` and ``fqn``).
    selection: Selection = field(default_factory=Selection)


@dataclass(frozen=True)
class AnalyzeDocsRun:
    """One ``analyze docs`` run; ``thresholds`` ``None`` means 1.5.0's defaults (10 and 5 characters)."""

    project: ProjectLocation = field(default_factory=ProjectLocation)
    selection: Selection = field(default_factory=Selection)
    thresholds: DocsThresholds | None = None
    #: Percent of documented columns below which the result's exit code is 1.
    min_column_coverage: float = 100.0
    fail_on_gaps: bool = True


# --- hooks -----------------------------------------------------------------------------------------


class CancelToken:
    """Ask a run to stop in order, from any thread or a signal handler.

    A run stops in order where it can (between nodes of synthesis; after the file being written); a
    cancelled run returns a result with ``ExitCode.INTERRUPTED`` keeping every node finished so far.
    """

    def __init__(self) -> None:
        self._cancelled = False
        self._handlers: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return self._cancelled

    def cancel(self) -> bool:
        """Ask the run to stop; ``True`` when it is at a point that stops in order.

        ``False`` means the run is inside a step that cannot stop half way (dbt parsing the project);
        the command line then raises ``KeyboardInterrupt`` there.
        """
        self._cancelled = True
        handlers = list(self._handlers)
        for handler in handlers:
            handler()
        return bool(handlers)

    @contextmanager
    def handled_by(self, handler: Callable[[], None]) -> Iterator[None]:
        """Inside the block, ``cancel`` calls ``handler`` (the run's way of stopping there)."""
        with self._lock:
            self._handlers.append(handler)
        try:
            yield
        finally:
            with self._lock:
                self._handlers.remove(handler)


NodeDone = Callable[["NodeOutcome | None"], None]


class Progress(Protocol):
    """What a run tells its caller while it runs, in order; every method is optional to act on."""

    def note(self, text: str) -> None:
        """A note about the run's settings, said before the project is loaded."""

    def organized(self, result: OrganizeResult) -> None:
        """The organize step is planned (moves, removed files, warnings), before anything is asked."""

    def planned(self, result: DocumentResult) -> None:
        """The document step is planned: files left alone and nodes failed, before any request."""

    def synthesis(
        self, total: int, usage: LLMUsageStats, *, estimate: bool
    ) -> AbstractContextManager[NodeDone]:
        """Synthesis of ``total`` nodes starts; the callback is called once per finished node."""
        ...


class NoProgress:
    """The ``Progress`` that reports nothing (the default)."""

    def note(self, text: str) -> None:
        """Nothing to show."""

    def organized(self, result: OrganizeResult) -> None:
        """Nothing to show."""

    def planned(self, result: DocumentResult) -> None:
        """Nothing to show."""

    def synthesis(
        self, total: int, usage: LLMUsageStats, *, estimate: bool
    ) -> AbstractContextManager[NodeDone]:
        """Nothing to show."""
        return nullcontext(_ignore)


def _ignore(outcome: NodeOutcome | None) -> None:
    return None


#: Asked before organize moves entries (only when it would change something and may write): ``False``
#: keeps every entry where it is.
Confirm = Callable[["OrganizeResult"], bool]


# --- results out -----------------------------------------------------------------------------------


@dataclass
class SynthesisSummary:
    """What synthesis asked, filled and failed, and what it cost (for a dry run: the estimate)."""

    report: SynthesisReport
    usage: LLMUsageStats
    provider: str
    model: str
    #: A dry run: nothing was sent; the usage is an estimate.
    estimate: bool
    budget: Budget | None = None
    #: Every prompt is kept in the report's outcomes (``LLMOptions.show_prompts``).
    kept_prompts: bool = False
    #: With ``LLMOptions.batch``: the batches in flight, submitted and collected by this run.
    batch: BatchStatus | None = None
    #: A dry run with a fallback chain: what each fallback would cost if it answered everything.
    fallbacks: list[ChainEstimate] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """Whether answers are still in batches: nothing was written; run again to collect them."""
        return self.batch is not None and (self.batch.pending or bool(self.report.pending))

    @property
    def cost(self) -> float | None:
        """US dollars spent (estimated for a dry run); ``None`` when the model's price is unknown."""
        return self.usage.cost()


@dataclass
class OrganizeResult:
    """What ``organize`` moved, created, removed and wrote."""

    moves: list[Move] = field(default_factory=list)
    emptied: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The confirmation was declined: every entry kept where it is.
    declined: bool = False
    #: Files left alone, with the reason; no entry moved into or out of them.
    blocked: dict[str, str] = field(default_factory=dict)
    #: Entries kept where they are because moving them would change what dbt reads (one line each).
    left: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    files_written: list[str] = field(default_factory=list)
    #: Files that failed while being written (a full disk, a folder made read-only).
    write_failures: dict[str, str] = field(default_factory=dict)
    #: What finishing the writes of a run killed midway did (its journal), before this run.
    recovered: list[str] = field(default_factory=list)
    #: Stopped (Ctrl-C, SIGTERM) before writing: nothing written.
    interrupted: bool = False
    check: bool = False
    dry_run: bool = False
    exit_code: ExitCode = ExitCode.OK
    plan: OrganizePlan | None = field(default=None, repr=False)


Stop = Literal["load", "synthesis", "write"]


@dataclass
class DocumentResult:
    """What a ``document`` (or ``refactor``) run did, what it could not do, and what it cost."""

    command: Literal["document", "refactor"] = "document"
    #: Notes about the run's settings (said before the project was loaded).
    notes: list[str] = field(default_factory=list)
    organize: OrganizeResult | None = None
    #: What finishing the writes of a run killed midway did (its journal), before this run.
    recovered: list[str] = field(default_factory=list)
    #: Files left alone, with the reason, and the nodes whose entries they hold.
    blocked: dict[str, str] = field(default_factory=dict)
    blocked_nodes: dict[str, list[str]] = field(default_factory=dict)
    #: Nodes whose steps failed, with the reason: planning's and synthesis's alike (the latter also
    #: in ``synthesis.report.failures``, with the node's requests and usage).
    failures: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    files_written: list[str] = field(default_factory=list)
    #: Whether the run went as far as writing (not with ``check``, ``dry_run`` or an LLM dry run).
    wrote: bool = False
    write_failures: dict[str, str] = field(default_factory=dict)
    synthesis: SynthesisSummary | None = None
    check: bool = False
    dry_run: bool = False
    #: Where a cancelled run stopped; ``None`` when it ran to the end.
    interrupted: Stop | None = None
    exit_code: ExitCode = ExitCode.OK


@dataclass
class ReviewResult:
    """The model-written texts of the selection and what was decided about them."""

    items: list[ReviewItem] = field(default_factory=list)
    verdict: Literal["accept", "reject"] | None = None
    #: Texts accepted or rejected by this run.
    decided: int = 0
    files_written: list[str] = field(default_factory=list)
    check: bool = False
    exit_code: ExitCode = ExitCode.OK
    #: Copies inheritance made of rejected texts: removed by this run, and those still left.
    copies_removed: int = 0
    copies_left: list[Copy] = field(default_factory=list)
    anchored: list[str] = field(default_factory=list)  # selected entries shared through a YAML anchor

    @property
    def pending(self) -> list[ReviewItem]:
        """Texts nobody has accepted or rejected yet."""
        return [item for item in self.items if item.unreviewed]


@dataclass(frozen=True)
class LLMCheckResult:
    """The answer to one tiny request to the configured provider, or what went wrong."""

    provider: str
    model: str
    ok: bool
    reply: str = ""
    latency_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    #: What to check, for the kind of error.
    hint: str = ""
    #: The provider refused the credentials (401/403): exit code 2, as synthesis has.
    rejected_key: bool = False
    #: The same check of each provider of the fallback chain, in order.
    fallbacks: list[LLMCheckResult] = field(default_factory=list)

    @property
    def all_ok(self) -> bool:
        """Whether every provider of the chain answered."""
        return self.ok and all(fallback.ok for fallback in self.fallbacks)

    @property
    def exit_code(self) -> ExitCode:
        """0 when every provider of the chain answered, 2 when one rejected its key, 1 otherwise.

        A failing fallback fails the check even when the primary answers: a fallback is only asked
        while the primary is down, so this check is the one chance to find it broken beforehand.
        """
        chain = [self, *self.fallbacks]
        if all(result.ok for result in chain):
            return ExitCode.OK
        return ExitCode.BAD_INPUT if any(result.rejected_key for result in chain) else ExitCode.CHANGES
