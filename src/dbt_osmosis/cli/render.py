"""How the command line shows what a run returned: the API's results as lines, tables and prompts.

Lines said while a run goes on (notes, the organize plan, files left alone) are printed by the progress
hooks in ``progress.py``; everything here is printed after the call returns, in the order a run
used to print it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dbt_osmosis.cli.usage_table import usage_table
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis.api import (
        DocumentResult,
        LLMCheckResult,
        NodeOutcome,
        OrganizeResult,
        ReviewResult,
        SynthesisReport,
        SynthesisSummary,
    )

__all__ = [
    "render_check_llm",
    "render_document",
    "render_organize",
    "render_review",
    "report_organize",
    "report_problems",
    "show_prompts",
]


def report_organize(result: OrganizeResult, console: Console) -> None:
    """One line per moved or created entry, one per file to delete, then the warnings."""
    for move in result.moves:
        if move.source:
            console.print(f"moved {escape(move.what)}: {escape(move.source)} -> {escape(move.target)}")
        else:
            console.print(f"new entry {escape(move.what)} in {escape(move.target)}")
    for path in result.emptied:
        console.print(f"removed {escape(path)} (no entries left)")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    for left in result.left:
        console.print(f"[red]not moved:[/red] {escape(left)}; move it by hand", soft_wrap=True)


def render_organize(result: OrganizeResult, console: Console) -> None:
    """What ``yaml organize`` says after its plan: files left alone, then what was (or would be) done."""
    for line in result.recovered:
        console.print(f"[yellow]recovered:[/yellow] {escape(line)}", soft_wrap=True)
    if result.interrupted:
        console.print("Interrupted before writing: nothing written.")
        return
    if result.plan is None:  # --recover: nothing else was asked
        if not result.recovered:
            console.print("No interrupted run to finish.")
        return
    for path, reason in result.blocked.items():
        console.print(
            f"[red]error:[/red] {escape(path)} {escape(reason)}; no entry moved into or out of it",
            soft_wrap=True,
        )
    changed = result.changed_files
    if result.check:
        if changed:
            console.print(
                f"{len(changed)} file(s) would change; run `dbt-osmosis yaml organize` to update them."
            )
            return
        console.print(
            "Every other entry is where its path template says."
            if result.blocked
            else "Every entry is where its path template says."
        )
        return
    if result.dry_run:
        console.print(f"Dry run: {len(changed)} file(s) would change; nothing written.")
        return
    for path, reason in result.write_failures.items():  # a full disk, a folder made read-only
        console.print(f"[red]error:[/red] {escape(path)} {escape(reason)}", soft_wrap=True)
    written = result.files_written
    console.print(f"Wrote {len(written)} file(s)." if written else "Nothing to change.")


def report_problems(result: DocumentResult, console: Console) -> None:
    """Files the run leaves alone and nodes whose steps failed, one line each, before any request."""
    for path, reason in result.blocked.items():
        nodes = result.blocked_nodes.get(path, [])
        which = f" (not edited: {', '.join(nodes)})" if nodes else ""
        console.print(f"[red]error:[/red] {escape(path)} {escape(reason)}{escape(which)}", soft_wrap=True)
    for node, reason in result.failures.items():
        console.print(f"[red]failed:[/red] {escape(node)}: {escape(reason)}", soft_wrap=True)


def render_document(result: DocumentResult, console: Console, *, show_stats: bool) -> None:
    """Everything ``yaml document`` / ``yaml refactor`` says once the run has returned."""
    for line in result.recovered:
        console.print(f"[yellow]recovered:[/yellow] {escape(line)}", soft_wrap=True)
    if result.interrupted in ("load", "synthesis"):
        _interrupted(result, console)
        return
    synthesis = result.synthesis
    if synthesis is not None and synthesis.kept_prompts:
        show_prompts(synthesis.report, console)
    _report_changes(result, console)
    if synthesis is not None:
        report_synthesis(synthesis, console, show_stats=show_stats)
    changed = result.changed_files
    if result.check:
        if changed:
            command = result.command
            console.print(
                f"{len(changed)} file(s) would change; run `dbt-osmosis yaml {command}` to update them."
            )
            return
        incomplete = bool(result.blocked or result.failures)
        console.print("All YAML is up to date." if not incomplete else "The other YAML is up to date.")
        return
    if result.dry_run:
        console.print(f"Dry run: {len(changed)} file(s) would change; nothing written.")
        if result.blocked:
            console.print(f"{len(result.blocked)} file(s) could not be edited (listed above).")
        return
    if result.interrupted == "write":
        _interrupted(result, console)
        return
    if synthesis is not None and synthesis.pending:
        _report_pending(synthesis, console)
        return
    for path, reason in result.write_failures.items():
        console.print(f"[red]error:[/red] {escape(path)} {escape(reason)}", soft_wrap=True)
    written = result.files_written
    console.print(f"Wrote {len(written)} file(s)." if written else "Nothing to change.")


def _report_pending(summary: SynthesisSummary, console: Console) -> None:
    """Where a ``--llm-batch`` run stands: what it collected, submitted and still waits for."""
    status = summary.batch
    if status is None:  # pragma: no cover - pending implies a batch
        return
    if status.collected:
        retried = f"; {status.failed_items} failed item(s) will be asked again" if status.failed_items else ""
        console.print(f"Collected {status.collected} finished batch(es){retried}.")
    if status.submitted is not None:
        console.print(f"Submitted {status.submitted_items} request(s) in batch {escape(status.submitted)}.")
    if status.submit_error is not None:
        console.print(
            f"[red]error:[/red] could not submit the batch: {escape(status.submit_error)}", soft_wrap=True
        )
    if status.poll_error is not None:
        console.print(
            f"[yellow]warning:[/yellow] could not ask about batch {escape(status.poll_error)}", soft_wrap=True
        )
    waiting = len(summary.report.pending)
    console.print(
        f"Pending: {waiting} node(s) wait for {len(status.in_flight)} batch(es) "
        f"({escape(', '.join(status.in_flight))}). Nothing written yet: run the same command again to "
        "collect the answers (exit code 4 until then), or --llm-batch-cancel to stop them.",
        soft_wrap=True,
    )


def _interrupted(result: DocumentResult, console: Console) -> None:
    if result.wrote:
        console.print(
            f"Interrupted: wrote {len(result.files_written)} file(s) with every node finished so far."
        )
    else:
        console.print("Interrupted: nothing written.")


def _report_changes(result: DocumentResult, console: Console) -> None:
    """What the run did per file, then the warnings."""
    by_path: dict[str, list[str]] = {}
    for change in result.changes:
        by_path.setdefault(change.path, []).append(f"{change.node}: {change.what}")
    lines: list[str] = []
    for path in sorted(by_path):
        if path in result.blocked:
            continue  # left alone (reported as such): listing edits it never got would mislead
        lines.append(f"[bold]{escape(path)}[/bold]")
        lines.extend(f"  {escape(line)}" for line in by_path[path])
    if lines:
        # One print for the whole report: rich's per-call overhead made 14,000 lines (4,000 models)
        # cost 0.7 s of CPU, a third of that when joined.
        console.print("\n".join(lines), soft_wrap=True)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)


def report_synthesis(summary: SynthesisSummary, console: Console, *, show_stats: bool) -> None:
    """What synthesis asked, filled, dropped and failed, and what it cost; with a dry run, the estimate.

    Every count of requests here, in the per-node lines and in ``--llm-stats`` is the same thing: an
    attempt sent to the provider (retries included and also shown apart), taken from one usage record.
    """
    from dbt_osmosis.cli.progress import usage_text

    result, usage, budget = summary.report, summary.usage, summary.budget
    if summary.estimate:
        if console.is_terminal:
            # Off a terminal every node already had its own line; on one, the bar has gone.
            console.print(_estimate_table(result))
        console.print(
            f"Estimate for {escape(summary.provider)} / {escape(summary.model)} "
            f"(dry run, no request sent): {escape(usage_text(usage, estimate=True))}"
            + (f" ({result.cached} more served by the response cache)" if result.cached else "")
            + ".",
            soft_wrap=True,
        )
        for fallback in summary.fallbacks:
            cost = (
                "cost unknown (not in the price table)" if fallback.cost is None else f"~${fallback.cost:.4f}"
            )
            console.print(
                f"If the fallback {escape(fallback.provider)} / {escape(fallback.model)} answered "
                f"everything: {cost}, ~{fallback.usage.total_tokens:,} tokens.",
                soft_wrap=True,
            )
        if show_stats:
            console.print(usage_table(usage, console))
        return
    filled = sum(len(outcome.columns_filled) for outcome in result.outcomes)
    tables = sum(1 for outcome in result.outcomes if outcome.table_filled)
    from_cache = f" ({result.cached} answer(s) from the cache)" if result.cached else ""
    if summary.batch is not None:
        _report_batch_synthesis(summary, tables, filled, from_cache, console)
    else:
        console.print(
            f"Synthesized {tables} model description(s) and {filled} column description(s) "
            f"with {escape(usage_text(usage))} in {result.seconds:.1f}s{from_cache}.",
            soft_wrap=True,
        )
    if result.auth_error is not None:
        console.print(f"[red]error:[/red] synthesis stopped: {escape(result.auth_error)}", soft_wrap=True)
    # Every node left undone is named once: by the line that says why the run stopped, or after it.
    named: set[int] = set()
    if result.provider_down is not None:
        console.print(f"[red]error:[/red] synthesis stopped: {escape(result.provider_down)}", soft_wrap=True)
        not_asked = [o for o in result.skipped if o.skipped == "not asked: provider down"]
        if not_asked:
            console.print(
                f"[yellow]not asked:[/yellow] {len(not_asked)} node(s), provider down: "
                f"{escape(', '.join(o.node for o in not_asked))}.",
                soft_wrap=True,
            )
        cut_off = [o for o in result.skipped if o.skipped == "provider down (its request failed)"]
        if cut_off:
            console.print(
                f"[yellow]not answered:[/yellow] {len(cut_off)} node(s), their request failed as the "
                f"provider went down: {escape(', '.join(o.node for o in cut_off))}.",
                soft_wrap=True,
            )
        named.update(id(o) for o in (*not_asked, *cut_off))
    if result.budget_exhausted and budget is not None:
        spent = f"${budget.spent:.4f}" + (
            f" of ${budget.max_cost:.4f}" if budget.max_cost is not None else ""
        )
        sent = f"{budget.sent} request(s)" + (
            f" of {budget.max_requests}" if budget.max_requests is not None else ""
        )
        undone = [outcome.node for outcome in result.skipped if id(outcome) not in named]
        named.update(id(outcome) for outcome in result.skipped)
        console.print(
            f"[yellow]budget reached:[/yellow] spent {spent} on {sent}{escape(_why_stopped(summary))}; "
            "left undone: "
            f"{len(undone)} node(s): {escape(', '.join(undone))}. Rerun to continue (answers "
            "received are not asked for again).",
            soft_wrap=True,
        )
    _left_undone([o for o in result.skipped if id(o) not in named], console)
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
        reasked = sum(outcome.reasked for outcome in result.outcomes)
        console.print(
            f"Answer quality: {reasked} request(s) asked again, {result.rejected_quality} description(s) "
            "rejected for quality (never written).",
            soft_wrap=True,
        )
        console.print(usage_table(usage, console))
        console.print(escape(usage.summary()), soft_wrap=True)
        usage.mark_reported()


def _report_batch_synthesis(
    summary: SynthesisSummary, tables: int, filled: int, from_cache: str, console: Console
) -> None:
    """The "Synthesized" line of a ``--llm-batch`` run: answers collected, sent, submitted, apart.

    A batch's requests are sent when it is submitted and answered in a later run: counting them as
    "sent" by the run that collects them, or the submitting run as "0 requests", would mislead.
    """
    status, usage = summary.batch, summary.usage
    collected, cost = usage.batch_part()
    priced = "cost unknown" if cost is None else f"${cost:.4f}"
    parts = [
        f"{collected.answered} answer(s) collected from batches ({collected.total_tokens:,} tokens, {priced})"
    ]
    sent = usage.totals().requests - collected.requests
    if sent:
        parts.append(f"{sent} request(s) sent on their own")
    if status is not None and status.submitted_items:
        parts.append(f"{status.submitted_items} request(s) submitted in {status.submitted_batches} batch(es)")
    console.print(
        f"Synthesized {tables} model description(s) and {filled} column description(s) in "
        f"{summary.report.seconds:.1f}s{from_cache}: {escape('; '.join(parts))}.",
        soft_wrap=True,
    )


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


def render_review(result: ReviewResult, console: Console) -> None:
    """``yaml review``: what was decided, or one plain line per text and the counts."""
    pending = result.pending
    if result.verdict is not None:
        what = (
            "accepted (marks removed, text kept)"
            if result.verdict == "accept"
            else "rejected (text and mark removed)"
        )
        console.print(
            f"{result.decided} model-written text(s) {what}; wrote {len(result.files_written)} file(s)."
        )
        edited = [item for item in result.items if item.edited]
        if result.verdict == "reject" and edited:
            console.print(f"{len(edited)} text(s) edited by a person under their mark were kept.")
        if result.copies_removed:
            console.print(f"Removed {result.copies_removed} inherited copy(ies) of rejected text downstream.")
        _render_leftovers(result, console)
        return
    # Plain lines, one per text: they read the same in a terminal, a CI log and a grep.
    for item in result.items:
        state = (
            "rejected" if item.rejected else "edited" if item.edited else "stale" if item.stale else "current"
        )
        where = f"{item.node.display_name}.{item.column}" if item.column else item.node.display_name
        written_by = f"{item.provider}/{item.model}" if not item.rejected else "-"
        console.print(f"{escape(where)}  {escape(written_by)}  {state}  {escape(item.path)}", soft_wrap=True)
    stale = sum(1 for item in pending if item.stale)
    # Each kind counted for what it is: an edited text is a person's, not a rejection.
    rejected = sum(1 for item in result.items if item.rejected)
    rewritten = sum(1 for item in result.items if item.edited and not item.rejected)
    console.print(
        f"{len(pending)} model-written text(s) to review ({stale} stale); {rejected} rejected; "
        f"{rewritten} edited by a person.",
        soft_wrap=True,
    )
    _render_leftovers(result, console)
    if result.exit_code == ExitCode.CHANGES and pending:
        console.print(
            "Unreviewed model-written text: run `dbt-osmosis yaml review --accept` or `--reject` "
            "(optionally with node names)."
        )


def _render_leftovers(result: ReviewResult, console: Console) -> None:
    for copy in result.copies_left:
        console.print(
            f"copy left: {escape(copy.node.display_name)}.{escape(copy.column)} in {escape(copy.path)} "
            f"still holds rejected text inherited from {escape(copy.progenitor)}; delete its description "
            "(or edit the entry by hand if it is shared through a YAML anchor).",
            soft_wrap=True,
        )
    for name in result.anchored:
        console.print(
            f"skipped: {escape(name)}: its entry is shared through a YAML anchor; review it by hand.",
            soft_wrap=True,
        )


def render_check_llm(result: LLMCheckResult, console: Console) -> None:
    """``test-llm``: one line per provider of the chain, its answer or its error and what to check."""
    for index, check in enumerate([result, *result.fallbacks]):
        role = "" if index == 0 else " (fallback)"
        if not check.ok:
            console.print(
                f"[red]failed{role}:[/red] {escape(check.provider)} / {escape(check.model)}: "
                f"{escape(check.error or '')}",
                soft_wrap=True,
            )
            if check.hint:
                console.print(escape(check.hint), soft_wrap=True)
            continue
        console.print(
            f"[green]ok{role}:[/green] {escape(check.provider)} / {escape(check.model)} answered "
            f"{escape(repr(check.reply))} in {check.latency_s:.2f}s "
            f"({check.prompt_tokens} prompt + {check.completion_tokens} completion tokens)",
            soft_wrap=True,
        )
    if result.ok and not result.all_ok:
        console.print(
            "[yellow]warning:[/yellow] the primary answers, but a fallback does not: the run would "
            "have no working fallback while the primary is down (exit code "
            f"{int(result.exit_code)}).",
            soft_wrap=True,
        )


def _why_stopped(summary: SynthesisSummary) -> str:
    """Why a cost budget stopped the run below its limit: each request reserves its completion cap."""
    budget = summary.budget
    refused = budget.refused if budget is not None else None
    if budget is None or refused is None or refused.too_many or budget.max_cost is None:
        return ""
    model = refused.model or summary.model
    return (
        f"; the next request would have reserved up to ${refused.cost:.4f} (its prompt and its whole "
        f"{refused.completion_tokens:,}-token completion cap at {model}'s price), more than the "
        f"${refused.left:.4f} left beside what was spent and what requests in flight had reserved (each "
        "request holds the most it may cost until it is answered): raise --llm-max-cost"
    )


def _left_undone(outcomes: list[NodeOutcome], console: Console) -> None:
    """One line per reason for the undone nodes no stop line named (so none is left out)."""
    reasons: dict[str, list[str]] = {}
    for outcome in outcomes:
        reasons.setdefault(outcome.skipped or "", []).append(outcome.node)
    for reason, nodes in reasons.items():
        console.print(
            f"[yellow]left undone:[/yellow] {len(nodes)} node(s) ({escape(reason)}): "
            f"{escape(', '.join(nodes))}.",
            soft_wrap=True,
        )
