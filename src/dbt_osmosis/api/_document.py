"""``document()`` and ``refactor()``: the main job, with synthesis when asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, load_project
from dbt_osmosis.core.dbt.selection import Selection
from dbt_osmosis.core.document import DocumentPlan, plan_document, write_changes
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.core.organize import (
    OrganizePlan,
    delete_emptied,
    move_groups,
    set_aside_emptied,
)
from dbt_osmosis.core.organize.journal import finish_journal, journaled
from dbt_osmosis.core.process.gc_tuning import keep_long_lived, long_lived_heap
from dbt_osmosis.core.process.runlock import project_lock
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis._synthesis_run import Synthesis
from dbt_osmosis.api._organize import (
    _plan_organize,
)
from dbt_osmosis.api.types import (
    CancelToken,
    Confirm,
    DocumentResult,
    DocumentRun,
    NoProgress,
    OrganizeResult,
    OrganizeRun,
    Progress,
    SynthesisSummary,
)

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
    if run.llm.batch_cancel:
        from dbt_osmosis._synthesis_run import cancel_batches

        result.notes.append(cancel_batches(run.llm, where.project_dir))
        progress.note(result.notes[-1])
        return result
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
        result.synthesis = _synthesize(run, project, plan, synthesis, progress, cancel, result.notes)
        _note_flex_fallback(synthesis, result, progress)
        if result.synthesis is None:  # cancelled: every node either finished or was dropped whole
            result.interrupted, result.exit_code = "synthesis", ExitCode.INTERRUPTED
            if may_write and synthesis.batch is None:
                _write(plan, org_plan, result, cancel)
            return
        if result.synthesis.pending:
            # Written once every answer is in, in one go, exactly as a synchronous run writes it.
            _snapshot(plan, result)
            result.exit_code = ExitCode.PENDING
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
    unchecked = ExitCode.INCOMPLETE if plan.anchored else incomplete  # nodes skipped for an anchor
    if run.check:
        result.exit_code = ExitCode.CHANGES if result.changed_files else unchecked
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
    for notice in (*synthesis.settings.notices(), *synthesis.notes):
        result.notes.append(notice)
        progress.note(notice)
    return synthesis


def _note_flex_fallback(synthesis: Synthesis, result: DocumentResult, progress: Progress) -> None:
    """One note for the flex requests the provider had no capacity for, sent at the standard tier."""
    if synthesis.settings.service_tier is None or synthesis.estimator is not None:
        return
    from dbt_osmosis.core.llm.flex import flex_fallback_note

    notice = flex_fallback_note(synthesis.usage)
    if notice is not None:
        result.notes.append(notice)
        progress.note(notice)


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
    if result.synthesis is not None:
        # One place for every node that failed, whichever step failed it (README: ``failures``).
        for outcome in result.synthesis.report.failures:
            result.failures.setdefault(outcome.node, f"synthesis failed: {outcome.error}")


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
    notes: list[str],
) -> SynthesisSummary | None:
    """Fill the plan's gaps; ``None`` when cancelled. ``BudgetError`` when the estimate is over budget.

    What the budget check has to say before the run starts is added to ``notes`` and told ``progress``.
    """
    from dbt_osmosis._synthesis_run import Cancelled, check_estimate, end_batches, run_cancellable, run_client
    from dbt_osmosis.core.synthesis import EstimatingClient, SynthesisOptions, synthesize

    cache = synthesis.response_cache(project.root)
    budget = synthesis.budget()
    batch = synthesis.batch
    with cancel.handled_by(lambda: None):  # Ctrl-C waits until what the provider holds is recorded
        client = run_client(synthesis)
    if budget is not None:
        # A second plan, from the same warehouse columns: the estimate fills it with placeholder answers.
        for note in check_estimate(
            lambda: plan_document(project, run.options, columns=plan.columns),
            synthesis,
            budget,
            cache,
            allow_partial=run.llm.allow_partial,
        ):
            notes.append(note)
            progress.note(note)
    options = SynthesisOptions(
        mark_generated=synthesis.settings.mark_generated,
        keep_prompts=run.llm.show_prompts,
        cache=cache,
        store_answers=synthesis.estimator is None,
        # A batch is checked whole against the estimate above; requests noted for it are not spent.
        budget=budget if batch is None else None,
        refresh_stale=run.llm.refresh_stale,
    )
    estimate = synthesis.estimator is not None
    if not isinstance(synthesis.client, EstimatingClient):
        # A pause of more than a few seconds (a provider asking to slow down) is said as it starts.
        synthesis.client.on_wait = progress.note
    try:
        with progress.synthesis(len(plan.targets), synthesis.usage, estimate=estimate) as on_node:
            report = run_cancellable(
                synthesize(plan, client, synthesis.prompts, synthesis.settings, options, on_node),
                cancel,
            )
    except Cancelled:
        end_batches(synthesis, client, cancelled=True, note=progress.note)
        return None
    with cancel.handled_by(lambda: None):
        if end_batches(synthesis, client, cancelled=cancel.cancelled, note=progress.note):
            return None
    shown = (report, synthesis.usage, client.provider, client.model, estimate, budget, run.llm.show_prompts)
    chain = synthesis.chain_estimates(synthesis.estimator) if synthesis.estimator is not None else []
    return SynthesisSummary(*shown, batch.status if batch is not None else None, chain)


def _write(
    plan: DocumentPlan, organized: OrganizePlan | None, result: DocumentResult, cancel: CancelToken
) -> None:
    # A file is written whole or not at all: cancelling waits for the last one.
    with cancel.handled_by(lambda: None):
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
    if (
        report is not None
        and (report.failures or report.budget_exhausted or report.provider_down is not None)
    ) or (plan.blocked or plan.failures):
        return ExitCode.INCOMPLETE
    return ExitCode.OK
