"""dbt-osmosis as a library: one call per command, typed options in, a typed result out.

    from dbt_osmosis.api import DocumentRun, LLMOptions, document

    result = document(DocumentRun(llm=LLMOptions(synthesize=True)))
    print(result.exit_code, result.files_written)

Each call owns its run the way the command line does: the project's run lock, the LLM client, the
response cache folder (``<target-path>/dbt-osmosis``), the budget check, the order files are written in,
and the outcome (``result.exit_code`` is the code ``dbt-osmosis`` would exit with). Nothing is printed:
what the command line shows is in the result. Progress and cancellation are hooks the caller passes
in; the command line's progress bar and Ctrl-C handling are one implementation of them.

The LLM layer is loaded only by a run that asks for synthesis.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import yaml as pyyaml

from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, discover_project_dir, load_project
from dbt_osmosis.core.dbt.selection import Selection, select_nodes
from dbt_osmosis.core.document import Change, DocumentOptions, DocumentPlan, plan_document, write_changes
from dbt_osmosis.core.document.inheritance import DEFAULT_PLACEHOLDERS
from dbt_osmosis.core.errors import OsmosisError, UsageError
from dbt_osmosis.core.organize import (
    Move,
    OrganizePlan,
    delete_emptied,
    move_groups,
    organize_project,
    placed_nodes,
    set_aside_emptied,
    write_organized,
)
from dbt_osmosis.core.organize.journal import finish_journal, journaled
from dbt_osmosis.core.process.gc_tuning import keep_long_lived, long_lived_heap
from dbt_osmosis.core.process.runlock import project_lock
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis._synthesis_run import Synthesis
    from dbt_osmosis.core.llm.budget import Budget
    from dbt_osmosis.core.llm.usage import LLMUsageStats
    from dbt_osmosis.core.synthesis import NodeOutcome, SynthesisReport
    from dbt_osmosis.core.synthesis.review import ReviewItem

__all__ = [
    "CancelToken",
    "Change",
    "DocumentOptions",
    "DocumentResult",
    "DocumentRun",
    "ExitCode",
    "LLMCheckResult",
    "LLMOptions",
    "LLMUsageStats",
    "NodeOutcome",
    "OrganizeResult",
    "OrganizeRun",
    "Progress",
    "ProjectLocation",
    "ReviewResult",
    "ReviewRun",
    "Selection",
    "SynthesisReport",
    "SynthesisSummary",
    "check_llm",
    "document",
    "organize",
    "refactor",
    "review",
]

#: Result types of the LLM layer re-exported here, imported on first use (see ``__getattr__``).
_LAZY = {
    "LLMUsageStats": "dbt_osmosis.core.llm.usage",
    "NodeOutcome": "dbt_osmosis.core.synthesis",
    "SynthesisReport": "dbt_osmosis.core.synthesis",
}


def __getattr__(name: str) -> Any:
    """Re-export the LLM layer's result types without loading it for runs that never synthesize."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


# --- options in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectLocation:
    """Where the dbt project is and how dbt loads it; named as dbt's own options."""

    #: The folder with dbt_project.yml; ``None``: the nearest one at or above the current folder.
    project_dir: Path | None = None
    profiles_dir: Path | None = None
    profile: str | None = None
    target: str | None = None
    threads: int | None = None
    #: dbt vars as a YAML string, as for ``dbt run --vars``.
    vars: str | None = None

    def resolve(self) -> ProjectOptions:
        """The project found the way dbt finds it; ``ProjectError`` if there is none."""
        project_dir = discover_project_dir(self.project_dir, Path.cwd())
        return ProjectOptions(
            project_dir=project_dir,
            profiles_dir=self.profiles_dir,
            target=self.target,
            threads=self.threads,
            vars=self.vars,
            profile=self.profile,
        )


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
    mark_generated: bool = False
    no_cache: bool = False
    max_cost: float | None = None
    max_requests: int | None = None
    refresh_stale: bool = False
    #: Start even when the estimate exceeds the budget, and stop when it is reached.
    allow_partial: bool = False

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
    #: Exit code 1 while model-written text is unreviewed.
    check: bool = False


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
    #: Nodes whose steps failed, with the reason.
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

    @property
    def exit_code(self) -> ExitCode:
        """0 when the provider answered, 1 when not."""
        return ExitCode.OK if self.ok else ExitCode.CHANGES


# --- organize --------------------------------------------------------------------------------------


def organize(
    run: OrganizeRun,
    *,
    progress: Progress | None = None,
    confirm: Confirm | None = None,
    cancel: CancelToken | None = None,
) -> OrganizeResult:
    """Put every selected entry in the file its dbt-osmosis path template says, and write the files.

    ``confirm`` is asked once, after planning, when the run would move something and may write; a
    ``False`` keeps every entry where it is. A run killed while writing left a journal: it is finished
    first (``run.recover`` does only that). ``cancel`` stops the run before it writes, or lets the
    writes of the move groups finish and then stops.
    """
    where = run.project.resolve()
    token = cancel or CancelToken()
    if not (where.project_dir / "dbt_project.yml").is_file():
        return _organize(run, where, progress or NoProgress(), confirm, token)  # loading says so; no lock
    with project_lock(where.project_dir):
        recovered = finish_journal(where.project_dir)
        if run.recover:
            return OrganizeResult(recovered=recovered)
        result = _organize(run, where, progress or NoProgress(), confirm, token)
        result.recovered = recovered
        return result


def _organize(
    run: OrganizeRun, where: ProjectOptions, progress: Progress, confirm: Confirm | None, cancel: CancelToken
) -> OrganizeResult:
    project = load_project(where)
    result = _plan_organize(project, run, progress, confirm)
    plan = result.plan
    if plan is None:  # pragma: no cover - _plan_organize always sets it
        raise RuntimeError("organize planned nothing")
    done = ExitCode.INCOMPLETE if plan.blocked or plan.left else ExitCode.OK
    if run.check:
        result.exit_code = ExitCode.CHANGES if result.changed_files else done
        return result
    if run.dry_run:
        result.exit_code = done
        return result
    if cancel.cancelled:
        result.interrupted, result.exit_code = True, ExitCode.INTERRUPTED
        return result
    reported = set(plan.blocked)
    with cancel.handled_by(_nothing), journaled(project.root, plan, plan.store.files()):
        result.files_written = write_organized(plan)
    result.write_failures = {path: why for path, why in plan.blocked.items() if path not in reported}
    result.exit_code = ExitCode.INCOMPLETE if plan.blocked or plan.left else ExitCode.OK
    return result


def _plan_organize(
    project: DbtProject, run: OrganizeRun, progress: Progress, confirm: Confirm | None
) -> OrganizeResult:
    plan = organize_project(
        project,
        select_nodes(project, run.selection),
        introspect=not run.disable_introspection,
        output_to_lower=run.output_to_lower,
        skip_add_data_types=run.skip_add_data_types,
        vars_override=_vars(run.project.vars),
    )
    result = OrganizeResult(
        moves=list(plan.moves),
        emptied=plan.emptied(),
        warnings=list(plan.warnings),
        left=list(plan.left),
        check=run.check,
        dry_run=run.dry_run,
    )
    progress.organized(result)
    asks = confirm is not None and not (run.check or run.dry_run) and bool(plan.changed_paths())
    if asks and confirm is not None and not confirm(result):
        plan = OrganizePlan(SchemaStore(project.root))
        result.declined = True
    else:
        placed_nodes(project, plan)
    result.plan = plan
    result.blocked = dict(plan.blocked)
    result.changed_files = plan.changed_paths()
    return result


def _vars(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        parsed = pyyaml.safe_load(text)
    except pyyaml.YAMLError as exc:
        raise UsageError(f"--vars is not valid YAML: {' '.join(str(exc).split())}") from exc
    return parsed if isinstance(parsed, dict) else None


# --- document and refactor -------------------------------------------------------------------------


def document(
    run: DocumentRun, *, progress: Progress | None = None, cancel: CancelToken | None = None
) -> DocumentResult:
    """Add missing columns and types, inherit docs down the DAG, synthesize the rest, write the YAML.

    Synthesis runs with ``run.llm.synthesize`` (or an LLM dry run).

    Bad input raises an ``OsmosisError`` before anything is written (the LLM configuration is checked
    before dbt parses the project); everything else, failed nodes included, is in the result.
    """
    return _document_run(run, progress or NoProgress(), cancel or CancelToken(), None, organize=False)


def refactor(
    run: DocumentRun,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    confirm: Confirm | None = None,
) -> DocumentResult:
    """Organize, then document, in one run on one parse of the project (see ``organize``, ``document``)."""
    return _document_run(run, progress or NoProgress(), cancel or CancelToken(), confirm, organize=True)


def _document_run(
    run: DocumentRun, progress: Progress, cancel: CancelToken, confirm: Confirm | None, *, organize: bool
) -> DocumentResult:
    result = DocumentResult(command="refactor" if organize else "document", check=run.check)
    result.dry_run = run.dry_run or run.llm.sends_nothing
    where = run.project.resolve()
    try:
        if not (where.project_dir / "dbt_project.yml").is_file():
            # Not a project: loading it says so, nothing to lock.
            _document(run, where, result, progress, cancel, confirm, organize)
        else:
            with project_lock(where.project_dir), long_lived_heap():
                result.recovered = finish_journal(where.project_dir)
                _document(run, where, result, progress, cancel, confirm, organize)
    except OsmosisError:
        if not cancel.cancelled:
            raise
        # dbt turns Ctrl-C during its parse into a failed parse.
        result.interrupted, result.exit_code = "load", ExitCode.INTERRUPTED
    return result


def _document(
    run: DocumentRun,
    where: ProjectOptions,
    result: DocumentResult,
    progress: Progress,
    cancel: CancelToken,
    confirm: Confirm | None,
    organize: bool,
) -> None:
    synthesis = _prepare(run, where, result, progress)
    project = load_project(where)
    keep_long_lived()  # the manifest lives until the run ends: the collector need not rescan it
    organized = _organize_first(project, run, progress, confirm) if organize else None
    result.organize = organized
    org_plan = organized.plan if organized is not None else None
    plan = plan_document(project, run.options, org_plan.store if org_plan is not None else None)
    if org_plan is not None:
        # Files organize could not write: document leaves them alone too.
        plan.blocked.update(
            {path: f"{reason}; no entry moved into or out of it" for path, reason in org_plan.blocked.items()}
        )
    from dbt_osmosis.core.document.preflight import preflight

    # Before any request is paid for: files the run cannot edit or write are reported and left alone.
    preflight(plan, synthesize=synthesis is not None)
    _snapshot(plan, result)
    result.blocked_nodes = _blocked_nodes(plan)
    progress.planned(result)
    reported = set(plan.blocked)
    may_write = not result.dry_run and not run.check
    if synthesis is not None:
        result.synthesis = _synthesize(run, project, plan, synthesis, progress, cancel)
        if result.synthesis is None:  # cancelled: every node either finished or was dropped whole
            result.interrupted, result.exit_code = "synthesis", ExitCode.INTERRUPTED
            if may_write:
                _write(plan, org_plan, result, cancel)
            return
    _snapshot(plan, result)
    result.changes = list(plan.changes)
    result.warnings = list(plan.warnings)
    result.changed_files = (
        org_plan.changed_paths()
        if org_plan is not None
        else [changed.display_path for changed in plan.changed_files()]
    )
    left = org_plan is not None and bool(org_plan.left)
    incomplete = ExitCode.INCOMPLETE if plan.blocked or plan.failures or left else ExitCode.OK
    if run.check:
        result.exit_code = ExitCode.CHANGES if result.changed_files else incomplete
        return
    if not may_write:
        # The code the run itself would end with: files it could not edit are not a clean run.
        result.exit_code = incomplete
        return
    _write(plan, org_plan, result, cancel)
    result.write_failures = {path: why for path, why in plan.blocked.items() if path not in reported}
    if cancel.cancelled:
        result.interrupted, result.exit_code = "write", ExitCode.INTERRUPTED
        return
    result.exit_code = _outcome(plan, result.synthesis)
    if left and result.exit_code == ExitCode.OK:
        result.exit_code = ExitCode.INCOMPLETE


def _prepare(
    run: DocumentRun, where: ProjectOptions, result: DocumentResult, progress: Progress
) -> Synthesis | None:
    # Everything that can be wrong with the LLM configuration fails here, before dbt parses anything.
    if not run.llm.wanted:
        return None
    from dbt_osmosis._synthesis_run import prepare_synthesis

    synthesis = prepare_synthesis(run.llm, where.project_dir)
    for notice in synthesis.settings.notices():
        result.notes.append(notice)
        progress.note(notice)
    return synthesis


def _organize_first(
    project: DbtProject, run: DocumentRun, progress: Progress, confirm: Confirm | None
) -> OrganizeResult:
    options = run.options
    selection = Selection(
        models=options.models,
        fqn=options.fqn,
        select=options.select,
        exclude=options.exclude,
        selector=options.selector,
        state=options.state,
    )
    organize_run = OrganizeRun(
        project=run.project,
        selection=selection,
        disable_introspection=options.disable_introspection,
        output_to_lower=options.output_to_lower,
        skip_add_data_types=options.skip_add_data_types,
        check=run.check,
        dry_run=run.dry_run,
    )
    return _plan_organize(project, organize_run, progress, confirm)


def _snapshot(plan: DocumentPlan, result: DocumentResult) -> None:
    result.blocked = dict(plan.blocked)
    result.failures = dict(plan.failures)


def _blocked_nodes(plan: DocumentPlan) -> dict[str, list[str]]:
    return {
        path: sorted(
            node.display_name
            for unique_id, node in plan.project.nodes.items()
            if (owner := plan.entries.get(unique_id)) is not None and owner.display_path == path
        )
        for path in plan.blocked
    }


def _synthesize(
    run: DocumentRun,
    project: DbtProject,
    plan: DocumentPlan,
    synthesis: Synthesis,
    progress: Progress,
    cancel: CancelToken,
) -> SynthesisSummary | None:
    """Fill the plan's gaps; ``None`` when cancelled. ``BudgetError`` when the estimate is over budget."""
    from dbt_osmosis._synthesis_run import Cancelled, check_estimate, run_cancellable
    from dbt_osmosis.core.synthesis import SynthesisOptions, synthesize

    cache = synthesis.response_cache(project.root)
    budget = synthesis.budget()
    if budget is not None:
        # A second plan, from the same warehouse columns: the estimate fills it with placeholder answers.
        check_estimate(
            lambda: plan_document(project, run.options, columns=plan.columns),
            synthesis,
            budget,
            cache,
            allow_partial=run.llm.allow_partial,
        )
    options = SynthesisOptions(
        mark_generated=synthesis.settings.mark_generated,
        keep_prompts=run.llm.show_prompts,
        cache=cache,
        store_answers=synthesis.estimator is None,
        budget=budget,
        refresh_stale=run.llm.refresh_stale,
    )
    estimate = synthesis.estimator is not None
    try:
        with progress.synthesis(len(plan.targets), synthesis.usage, estimate=estimate) as on_node:
            report = run_cancellable(
                synthesize(plan, synthesis.client, synthesis.prompts, synthesis.settings, options, on_node),
                cancel,
            )
    except Cancelled:
        return None
    client = synthesis.client
    return SynthesisSummary(
        report, synthesis.usage, client.provider, client.model, estimate, budget, run.llm.show_prompts
    )


def _write(
    plan: DocumentPlan, organized: OrganizePlan | None, result: DocumentResult, cancel: CancelToken
) -> None:
    # A file is written whole or not at all: cancelling waits for the last one.
    with cancel.handled_by(_nothing):
        result.wrote = True
        if organized is None:
            result.files_written = write_changes(plan)
            return
        # Files joined by a moved entry are written all or none, the files entries move into first;
        # a file an entry left is deleted only when the file it moved into was written.
        with journaled(plan.project.root, organized, plan.changed_files()):
            emptied = set_aside_emptied(organized)
            written = write_changes(plan, together=move_groups(organized))
            result.files_written = written + delete_emptied(organized, emptied, plan.blocked)


def _outcome(plan: DocumentPlan, synthesis: SynthesisSummary | None) -> ExitCode:
    report = synthesis.report if synthesis is not None else None
    if report is not None and report.auth_error is not None:
        return ExitCode.BAD_INPUT
    if (report is not None and (report.failures or report.budget_exhausted)) or plan.blocked or plan.failures:
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def _nothing() -> None:
    return None


# --- review and check_llm --------------------------------------------------------------------------


def review(run: ReviewRun) -> ReviewResult:
    """List the selection's model-written texts; with a verdict, accept or reject the unreviewed ones."""
    from dbt_osmosis.core.document import select_nodes as select_named

    project = load_project(run.project.resolve())
    nodes = select_named(project, run.models, run.fqn)
    # Review reads marks through the synthesis package, which loads the LLM layer: only for review.
    from dbt_osmosis.core.synthesis.review import ReviewSession

    session = ReviewSession(project, nodes, run.placeholders)
    result = ReviewResult(items=list(session.items), verdict=run.verdict, check=run.check)
    if run.verdict is not None:
        decide = session.accept if run.verdict == "accept" else session.reject
        result.decided = decide(result.pending)
        result.files_written = session.write()
        return result
    if run.check and result.pending:
        result.exit_code = ExitCode.CHANGES
    return result


def check_llm(
    *, timeout: float | None = None, on_ask: Callable[[str, str], None] | None = None
) -> LLMCheckResult:
    """Send one tiny request to the provider configured by the environment; say what is wrong, if anything.

    ``on_ask(provider, model)`` is called just before the request is sent. One attempt, no retries:
    the point is to see the first error. A bad configuration raises ``LLMConfigError``.
    """
    from dbt_osmosis._synthesis_run import ask_once

    return ask_once(timeout, on_ask)
