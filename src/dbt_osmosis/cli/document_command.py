"""``yaml document``: turn CLI parameters into options, run the pipeline, report, and write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dbt_osmosis.cli.compat import project_options
from dbt_osmosis.cli.interrupt import Interrupted, InterruptGuard
from dbt_osmosis.cli.organize_command import organize_for
from dbt_osmosis.cli.progress import SynthesisProgress, usage_text
from dbt_osmosis.cli.usage_table import usage_table
from dbt_osmosis.core.dbt_target import dbt_target_dir
from dbt_osmosis.core.document import DocumentOptions, DocumentPlan, plan_document, write_changes
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.core.gc_tuning import keep_long_lived, long_lived_heap
from dbt_osmosis.core.inheritance import DEFAULT_PLACEHOLDERS
from dbt_osmosis.core.llm.budget import Budget
from dbt_osmosis.core.llm.cache import ResponseCache
from dbt_osmosis.core.llm.managed import ManagedClient, build_managed_client
from dbt_osmosis.core.llm.prompts import PromptSet, load_prompts
from dbt_osmosis.core.llm.providers import provider_from_env
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable, default_usage_for
from dbt_osmosis.core.organize import delete_emptied, move_groups, set_aside_emptied
from dbt_osmosis.core.preflight import preflight
from dbt_osmosis.core.project import ProjectOptions, load_project
from dbt_osmosis.core.runlock import project_lock
from dbt_osmosis.core.synthesis import (
    EstimatingClient,
    SynthesisOptions,
    SynthesisReport,
    run_synthesis,
    synthesize,
)

__all__ = ["document_options", "llm_settings", "run_document"]

EXIT_OK, EXIT_CHANGES, EXIT_BAD_INPUT, EXIT_SYNTHESIS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class BudgetError(OsmosisError):
    """The run's estimate already exceeds its budget; nothing was sent."""


def document_options(params: dict[str, Any]) -> DocumentOptions:
    """The pipeline options for the CLI parameters of ``yaml document``."""
    return DocumentOptions(
        models=tuple(params["models"]),
        fqn=tuple(params["fqn"]),
        catalog_path=params["catalog_path"],
        disable_introspection=params["disable_introspection"],
        force_inherit_descriptions=params["force_inherit_descriptions"],
        skip_add_columns=params["skip_add_columns"],
        skip_add_source_columns=params["skip_add_source_columns"],
        skip_add_tags=params["skip_add_tags"],
        skip_merge_meta=params["skip_merge_meta"],
        skip_add_data_types=params["skip_add_data_types"],
        add_progenitor_to_meta=params["add_progenitor_to_meta"],
        output_to_lower=params["output_to_lower"],
        remove_stale_columns=params["remove_stale_columns"],
        placeholders=(*DEFAULT_PLACEHOLDERS, *params["placeholders"]),
        numeric_precision_and_scale=params.get("numeric_precision_and_scale", False),
        string_length=params.get("string_length", False),
        inherit_keys=tuple(params.get("inherit_keys", ())),
        select=tuple(params.get("select", ())),
        exclude=tuple(params.get("exclude", ())),
        selector=params.get("selector"),
        state=params.get("state"),
    )


def llm_settings(params: dict[str, Any]) -> LLMSettings:
    """``OSMOSIS_LLM_*`` settings with the CLI's ``--llm-*`` flags on top."""
    settings = LLMSettings.from_env()
    return settings.with_overrides(
        timeout=params["llm_timeout"],
        concurrency=params["llm_concurrency"],
        rate_limit=params["llm_rate_limit"],
        max_retries=params["llm_max_retries"],
        prompt_file=params["llm_prompt_file"],
        # OSMOSIS_LLM_CACHE_DIR wins; otherwise files kept between runs live under the project's target.
        cache_dir=None if settings.cache_dir else llm_cache_dir(Path(params["project_dir"])),
        use_cache=False if params["llm_no_cache"] else None,
        max_cost=params["llm_max_cost"],
        max_requests=params["llm_max_requests"],
        mark_generated=True if params["llm_mark_generated"] else None,
    )


def llm_cache_dir(project_dir: Path) -> Path:
    """Where the LLM layer keeps files between runs: ``<target-path>/dbt-osmosis`` of the project."""
    return dbt_target_dir(project_dir) / "dbt-osmosis"


@dataclass
class _Synthesis:
    client: ManagedClient | EstimatingClient
    prompts: PromptSet
    settings: LLMSettings
    usage: LLMUsageStats
    estimator: EstimatingClient | None


def _prepare_synthesis(params: dict[str, Any]) -> _Synthesis | None:
    # Everything that can be wrong with the LLM configuration fails here, before dbt parses anything.
    if not params["synthesize"]:
        return None
    settings = llm_settings(params)
    prompts = load_prompts(settings.prompt_file)
    # With OSMOSIS_LLM_TRACK_USAGE the run records into the process-wide stats, whose summary is
    # printed when the process ends (unless --llm-stats showed it already).
    usage = (
        default_usage_for(settings)
        if settings.track_usage
        else LLMUsageStats(PriceTable.load(settings.price_file))
    )
    if _dry_llm(params):
        # Estimates are not usage: they never go into the process-wide stats printed at exit.
        usage = LLMUsageStats(PriceTable.load(settings.price_file))
        config, env = provider_from_env()
        model = (env.get(config.model_env or "", "") or "").strip() or config.model or config.default_model
        estimator = EstimatingClient(config.name, model or "unknown", usage)
        return _Synthesis(estimator, prompts, settings, usage, estimator)
    client = build_managed_client(settings, usage=usage)
    return _Synthesis(client, prompts, settings, usage, None)


def _dry_llm(params: dict[str, Any]) -> bool:
    # --llm-show-prompts shows what would be sent, so it sends nothing either.
    return bool(params["llm_dry_run"] or params.get("llm_show_prompts"))


def _llm_options_without_synthesis(params: dict[str, Any]) -> list[str]:
    # LLM flags a user gave to a run that asks no LLM: said once, so nobody reads "nothing to ask"
    # into a run that never looked.
    if params.get("synthesize"):
        return []
    return [
        "--" + name.replace("_", "-")
        for name, value in params.items()
        if name.startswith("llm_") and value not in (None, False, (), "")
    ]


def run_document(params: dict[str, Any], console: Console, *, organize: bool = False) -> int:
    """Run ``yaml document`` (``organize``: ``yaml refactor``, organize first); return the exit code.

    0: done (or nothing to do); 1: ``--check`` found changes; 2: bad input, nothing written (raised),
    or another run holds the project's lock; 3: some nodes could not be synthesized or some files could
    not be edited or written (everything else was written; ``--dry-run`` and a ``--check`` that finds
    nothing else to change report them and return 3 too, writing nothing); 130: interrupted.
    """
    if params.get("llm_show_prompts") or params.get("llm_dry_run"):
        params = {**params, "synthesize": True}  # an LLM dry run without the LLM would show nothing
    ignored = _llm_options_without_synthesis(params)
    if ignored:
        console.print(
            f"[yellow]note:[/yellow] {', '.join(ignored)} only affect(s) --synthesize, which was not given.",
            soft_wrap=True,
        )
    where = project_options(params)  # the project found as dbt finds it; ProjectError if none
    params = {**params, "project_dir": where.project_dir}
    with InterruptGuard(console) as guard:
        try:
            if not (where.project_dir / "dbt_project.yml").is_file():
                # Not a project: loading it says so, nothing to lock.
                return _run_document(params, console, where, organize, guard)
            with project_lock(where.project_dir), long_lived_heap():
                return _run_document(params, console, where, organize, guard)
        except KeyboardInterrupt:
            console.print("Interrupted: nothing written.")
            return EXIT_INTERRUPTED
        except OsmosisError:
            if guard.interrupted:  # dbt turns Ctrl-C during its parse into a failed parse
                console.print("Interrupted: nothing written.")
                return EXIT_INTERRUPTED
            raise


def _run_document(
    params: dict[str, Any], console: Console, where: ProjectOptions, organize: bool, guard: InterruptGuard
) -> int:
    synthesis = _prepare_synthesis(params)
    if synthesis is not None:
        for notice in synthesis.settings.notices():
            console.print(f"[yellow]note:[/yellow] {escape(notice)}", soft_wrap=True)
    project = load_project(where)
    keep_long_lived()  # the manifest lives until the run ends: the collector need not rescan it
    organized = organize_for(project, params, console) if organize else None
    plan = plan_document(project, document_options(params), organized.store if organized else None)
    if organized is not None:
        # Files organize could not write: document leaves them alone too, and they are reported below.
        plan.blocked.update(
            {
                path: f"{reason}; no entry moved into or out of it"
                for path, reason in organized.blocked.items()
            }
        )
    # Before any request is paid for: files the run cannot edit or write are reported and left alone.
    preflight(plan, synthesize=synthesis is not None)
    report_problems(plan, console)
    reported = set(plan.blocked)

    def write() -> list[str]:
        if organized is None:
            return write_changes(plan)
        # Files joined by a moved entry are written all or none, the files entries move into first;
        # a file an entry left is deleted only when the file it moved into was written.
        emptied = set_aside_emptied(organized)
        written = write_changes(plan, together=move_groups(organized))
        return written + delete_emptied(organized, emptied, plan.blocked)

    write_allowed = not (params["check"] or params["dry_run"] or _dry_llm(params))
    synth_report: SynthesisReport | None = None
    budget: Budget | None = None
    if synthesis is not None:
        cache = _response_cache(synthesis.settings, project.root)
        budget = _budget(synthesis)
        if budget is not None:
            _check_estimate(plan, project, params, synthesis, budget, cache)
        options = SynthesisOptions(
            mark_generated=synthesis.settings.mark_generated,
            keep_prompts=bool(params.get("llm_show_prompts")),
            cache=cache,
            store_answers=synthesis.estimator is None,
            budget=budget,
            refresh_stale=params["llm_refresh_stale"],
        )
        estimate = synthesis.estimator is not None
        try:
            with SynthesisProgress(
                console, len(plan.targets), synthesis.usage, estimate=estimate
            ) as progress:
                guard.on_interrupt = progress.mute
                synth_report = guard.run(
                    synthesize(
                        plan, synthesis.client, synthesis.prompts, synthesis.settings, options, progress
                    )
                )
        except Interrupted:
            # Every node either finished (and is in the plan) or was dropped whole.
            if not write_allowed:
                console.print("Interrupted: nothing written.")
                return EXIT_INTERRUPTED
            with guard.deferred():
                written = write()
            console.print(f"Interrupted: wrote {len(written)} file(s) with every node finished so far.")
            return EXIT_INTERRUPTED
    if synth_report is not None and params.get("llm_show_prompts"):
        show_prompts(synth_report, console)
    report(plan, console)
    if synthesis is not None and synth_report is not None:
        report_synthesis(synth_report, synthesis, console, show_stats=params["llm_stats"], budget=budget)
    changed = organized.changed_paths() if organized is not None else plan.changed_files()
    incomplete = bool(plan.blocked or plan.failures)
    if params["check"]:
        if changed:
            command = "refactor" if organize else "document"
            console.print(
                f"{len(changed)} file(s) would change; run `dbt-osmosis yaml {command}` to update them."
            )
            return EXIT_CHANGES
        console.print("All YAML is up to date." if not incomplete else "The other YAML is up to date.")
        return EXIT_SYNTHESIS_FAILED if incomplete else EXIT_OK
    if not write_allowed:
        console.print(f"Dry run: {len(changed)} file(s) would change; nothing written.")
        # The code the run itself would end with: files it could not edit are not a clean run.
        if plan.blocked:
            console.print(f"{len(plan.blocked)} file(s) could not be edited (listed above).")
        return EXIT_SYNTHESIS_FAILED if incomplete else EXIT_OK
    with guard.deferred():  # a file is written whole or not at all; Ctrl-C waits for the last one
        written = write()
    if guard.interrupted:
        console.print(f"Interrupted: wrote {len(written)} file(s) with every node finished so far.")
        return EXIT_INTERRUPTED
    for path, reason in plan.blocked.items():
        if path not in reported:
            console.print(f"[red]error:[/red] {escape(path)} {escape(reason)}", soft_wrap=True)
    console.print(f"Wrote {len(written)} file(s)." if written else "Nothing to change.")
    if synth_report is not None and synth_report.auth_error is not None:
        return EXIT_BAD_INPUT
    if (
        (synth_report is not None and (synth_report.failures or synth_report.budget_exhausted))
        or plan.blocked
        or plan.failures
    ):
        return EXIT_SYNTHESIS_FAILED
    return EXIT_OK


def report_problems(plan: DocumentPlan, console: Console) -> None:
    """Files the run leaves alone and nodes whose steps failed, one line each, before any request."""
    for path, reason in plan.blocked.items():
        nodes = sorted(
            node.display_name
            for unique_id, node in plan.project.nodes.items()
            if (owner := plan.entries.get(unique_id)) is not None and owner.display_path == path
        )
        which = f" (not edited: {', '.join(nodes)})" if nodes else ""
        console.print(f"[red]error:[/red] {escape(path)} {escape(reason)}{escape(which)}", soft_wrap=True)
    for node, reason in plan.failures.items():
        console.print(f"[red]failed:[/red] {escape(node)}: {escape(reason)}", soft_wrap=True)


def _response_cache(settings: LLMSettings, project_root: Path) -> ResponseCache | None:
    if not settings.use_cache:
        return None
    return ResponseCache(settings.cache_dir or llm_cache_dir(project_root))


def _budget(synthesis: _Synthesis) -> Budget | None:
    settings = synthesis.settings
    if settings.max_cost is None and settings.max_requests is None:
        return None
    provider, model = synthesis.client.provider, synthesis.client.model
    table = synthesis.usage.price_table
    price = None
    if table is not None and table.price(provider, model) is not None:

        def price(prompt: int, completion: int, cached: int) -> float:
            return table.estimate_cost(provider, model, prompt, completion, cached) or 0.0

    return Budget(max_cost=settings.max_cost, max_requests=settings.max_requests, price=price)


def _check_estimate(
    plan: DocumentPlan,
    project: Any,
    params: dict[str, Any],
    synthesis: _Synthesis,
    budget: Budget,
    cache: ResponseCache | None,
) -> None:
    """Estimate the run as the dry run does; refuse to start when it exceeds the budget."""
    if synthesis.estimator is not None:
        return
    # A second plan, from the same warehouse columns: the estimate fills it with placeholder answers.
    scratch = plan_document(project, document_options(params), columns=plan.columns)
    estimator = EstimatingClient(synthesis.client.provider, synthesis.client.model)
    run_synthesis(
        scratch,
        estimator,
        synthesis.prompts,
        synthesis.settings,
        SynthesisOptions(cache=cache, store_answers=False),
    )
    requests = len(estimator.requests)
    cost = budget.cost_of(estimator.prompt_tokens, estimator.completion_tokens)
    over = []
    if budget.max_cost is not None and cost > budget.max_cost:
        over.append(f"about ${cost:.4f} against a budget of ${budget.max_cost:.4f}")
    if budget.max_requests is not None and requests > budget.max_requests:
        over.append(f"{requests} request(s) against a budget of {budget.max_requests}")
    if over and not params["llm_allow_partial"]:
        raise BudgetError(
            f"The estimate for this run is {' and '.join(over)}; nothing was sent. Raise the budget, "
            "select fewer nodes, or pass --llm-allow-partial to spend the budget and stop there."
        )


def report_synthesis(
    result: SynthesisReport,
    synthesis: _Synthesis,
    console: Console,
    *,
    show_stats: bool,
    budget: Budget | None = None,
) -> None:
    """What synthesis asked, filled, dropped and failed, and what it cost; with a dry run, the estimate.

    Every count of requests here, in the per-node lines and in ``--llm-stats`` is the same thing: an
    attempt sent to the provider (retries included and also shown apart), taken from one usage record.
    """
    usage = synthesis.usage
    estimator = synthesis.estimator
    if estimator is not None:
        if console.is_terminal:
            # Off a terminal every node already had its own line; on one, the bar has gone.
            console.print(_estimate_table(result))
        console.print(
            f"Estimate for {escape(estimator.provider)} / {escape(estimator.model)} "
            f"(dry run, no request sent): {escape(usage_text(usage, estimate=True))}"
            + (f" ({result.cached} more served by the response cache)" if result.cached else "")
            + ".",
            soft_wrap=True,
        )
        if show_stats:
            console.print(usage_table(usage, console))
        return
    filled = sum(len(outcome.columns_filled) for outcome in result.outcomes)
    tables = sum(1 for outcome in result.outcomes if outcome.table_filled)
    from_cache = f" ({result.cached} answer(s) from the cache)" if result.cached else ""
    console.print(
        f"Synthesized {tables} model description(s) and {filled} column description(s) "
        f"with {escape(usage_text(usage))} in {result.seconds:.1f}s{from_cache}.",
        soft_wrap=True,
    )
    if result.auth_error is not None:
        console.print(
            f"[red]error:[/red] synthesis stopped: {escape(result.auth_error)}",
            soft_wrap=True,
        )
    if result.budget_exhausted and budget is not None:
        spent = f"${budget.spent:.4f}" + (
            f" of ${budget.max_cost:.4f}" if budget.max_cost is not None else ""
        )
        sent = f"{budget.sent} request(s)" + (
            f" of {budget.max_requests}" if budget.max_requests is not None else ""
        )
        undone = [outcome.node for outcome in result.skipped]
        console.print(
            f"[yellow]budget reached:[/yellow] spent {spent} on {sent}; left undone: "
            f"{len(undone)} node(s): {escape(', '.join(undone))}. Rerun to continue (answers "
            "received are not asked for again).",
            soft_wrap=True,
        )
    if result.invented:
        console.print(
            f"[yellow]warning:[/yellow] dropped {result.invented} column description(s) for columns "
            "the nodes do not have."
        )
    if result.duplicates:
        console.print(
            f"[yellow]warning:[/yellow] ignored {result.duplicates} repeated column description(s) "
            "(an answer described a column twice; the first description was kept)."
        )
    for failure in result.failures:
        console.print(
            f"[red]failed:[/red] {escape(failure.node)}: {escape(failure.error or '')}", soft_wrap=True
        )
    if show_stats:
        console.print(usage_table(usage, console))
        console.print(escape(usage.summary()), soft_wrap=True)
        usage.mark_reported()


def _estimate_table(result: SynthesisReport) -> Table:
    table = Table(title="What --synthesize would ask (dry run: no request sent)")
    for column, justify in (
        ("node", "left"),
        ("asks for", "left"),
        ("requests", "right"),
        ("tokens", "right"),
        ("cost", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for outcome in result.outcomes:
        totals = outcome.usage.totals() if outcome.usage is not None else None
        cost = outcome.usage.cost() if outcome.usage is not None else None
        asks = ["description"] if outcome.asked_table else []
        if outcome.asked_columns:
            asks.append(f"{outcome.asked_columns} column(s)")
        table.add_row(
            outcome.node,
            " + ".join(asks),
            str(totals.requests if totals else outcome.requests),
            f"~{totals.total_tokens:,}" if totals else "",
            "unknown" if cost is None else f"~${cost:.4f}",
        )
    return table


def show_prompts(result: SynthesisReport, console: Console) -> None:
    """Print every prompt the run would send, exactly as it would be sent, node by node."""
    for outcome in result.outcomes:
        count = len(outcome.prompts)
        for number, request in enumerate(outcome.prompts, start=1):
            for message in request.messages:
                console.out(
                    f"===== {outcome.node}: {message.role} prompt (request {number} of {count}) =====",
                    highlight=False,
                )
                # Written as is: no markup, no wrapping, so it can be compared with what is sent.
                console.out(message.content, highlight=False)
    if result.outcomes:
        console.out("===== end of prompts =====", highlight=False)


def report(plan: DocumentPlan, console: Console) -> None:
    """Print what the run did per file, then the warnings, then timings at debug level."""
    by_path: dict[str, list[str]] = {}
    for change in plan.changes:
        by_path.setdefault(change.path, []).append(f"{change.node}: {change.what}")
    for path in sorted(by_path):
        if path in plan.blocked:
            continue  # left alone (reported as such): listing edits it never got would mislead
        console.print(f"[bold]{escape(path)}[/bold]")
        for line in by_path[path]:
            console.print(f"  {escape(line)}", soft_wrap=True)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
