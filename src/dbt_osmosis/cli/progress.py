"""Progress of a synthesis run: a rich bar on a terminal, one plain line per node elsewhere.

A plain line carries that node's own numbers (the requests sent for it, retries included, its tokens
and its cost), never the run's running totals, so that a CI log can be read line by line. Every
selected node gets a line, nodes with nothing to ask included, so the count goes from 1 to the total.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from dbt_osmosis.cli.render import report_organize, report_problems

if TYPE_CHECKING:
    from dbt_osmosis.api import DocumentResult, LLMUsageStats, NodeOutcome, OrganizeResult
    from dbt_osmosis.cli.interrupt import InterruptGuard

__all__ = ["CommandLineProgress", "SynthesisProgress", "ask_to_apply", "describe_outcome", "usage_text"]


class CommandLineProgress:
    """The API's ``Progress`` hooks as the command line shows them, each as soon as the run says it."""

    def __init__(self, console: Console, guard: InterruptGuard | None = None) -> None:
        self.console = console
        self.guard = guard

    def note(self, text: str) -> None:
        """A yellow note line."""
        self.console.print(f"[yellow]note:[/yellow] {escape(text)}", soft_wrap=True)

    def organized(self, result: OrganizeResult) -> None:
        """One line per moved or created entry and removed file, then the warnings."""
        report_organize(result, self.console)

    def planned(self, result: DocumentResult) -> None:
        """Files left alone and nodes failed, one line each, before any request."""
        report_problems(result, self.console)

    def synthesis(self, total: int, usage: LLMUsageStats, *, estimate: bool) -> SynthesisProgress:
        """The bar (or one line per node); Ctrl-C silences it while the nodes in flight are cancelled."""
        progress = SynthesisProgress(self.console, total, usage, estimate=estimate)
        if self.guard is not None:
            self.guard.on_interrupt = progress.mute
        return progress


def ask_to_apply(console: Console) -> Callable[[OrganizeResult], bool] | None:
    """Asking before organize moves entries, as 1.x did; only on a terminal (a CI job has nobody)."""
    if not sys.stdin.isatty():
        return None

    def confirm(result: OrganizeResult) -> bool:
        if click.confirm("Apply these moves?", default=False):
            return True
        console.print("Kept every entry where it is.")
        return False

    return confirm


class SynthesisProgress:
    """Counts finished nodes; a bar with running totals on a terminal, a line per node elsewhere."""

    def __init__(
        self, console: Console, total: int, usage: LLMUsageStats | None, *, estimate: bool = False
    ) -> None:
        self.console = console
        self.total = total
        self.usage = usage
        self.estimate = estimate
        self.done = 0
        self.muted = False
        self._started = time.perf_counter()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> SynthesisProgress:  # the node callback is the object itself
        if self.console.is_terminal:
            self._progress = Progress(
                TextColumn("[bold]synthesizing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stats]}"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("synthesize", total=self.total, stats="")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)

    def mute(self) -> None:
        """Report nothing more (after Ctrl-C, nodes being cancelled are not "finished")."""
        self.muted = True

    def __call__(self, outcome: NodeOutcome | None) -> None:
        """Called once per finished node (``None`` from callers that have no outcome for it)."""
        if self.muted:
            return
        self.done += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self.done, stats=self._running_totals())
            return
        if outcome is None:
            return
        self.console.print(
            f"[{self.done}/{self.total}] {escape(outcome.node)}: "
            f"{escape(describe_outcome(outcome, estimate=self.estimate))}",
            soft_wrap=True,
            highlight=False,
        )

    def _running_totals(self) -> str:
        return usage_text(self.usage, estimate=self.estimate) if self.usage is not None else ""


def describe_outcome(outcome: NodeOutcome, *, estimate: bool = False) -> str:
    """What happened to one node, with its own requests, tokens and cost."""
    asked = _asked(outcome)
    if outcome.error:
        what = f"failed: {outcome.error}"
    elif outcome.skipped:
        what = f"skipped: {outcome.skipped}"
    elif outcome.pending:
        return "waiting for a batch" + (f" (asks for {asked})" if asked else " (an upstream node's)")
    elif not outcome.requests and not asked:
        return "nothing to ask"
    elif estimate:
        what = f"would ask for {asked}"
    else:
        what = f"filled {_filled(outcome)}"
    if outcome.usage is None:
        return what
    return f"{what}; {usage_text(outcome.usage, estimate=estimate)}"


def usage_text(usage: LLMUsageStats, *, estimate: bool = False) -> str:
    """``3 requests (2 retries), 1,234 tokens, $0.0012``; every number prefixed ``~`` for estimates."""
    totals = usage.totals()
    about = "~" if estimate else ""
    cost = usage.cost()
    money = "cost unknown" if cost is None else f"{about}${cost:.4f}"
    apart = []
    if totals.retries:
        apart.append(f"{totals.retries} {'retry' if totals.retries == 1 else 'retries'}")
    if totals.errors:
        apart.append(f"{totals.errors} failed")
    detail = f" ({', '.join(apart)})" if apart else ""
    return (
        f"{about}{totals.requests} request{'' if totals.requests == 1 else 's'}{detail}, "
        f"{about}{totals.total_tokens:,} tokens, {money}"
    )


def _asked(outcome: NodeOutcome) -> str:
    parts = ["the description"] if outcome.asked_table else []
    if outcome.asked_columns:
        parts.append(f"{outcome.asked_columns} column description(s)")
    return " and ".join(parts)


def _filled(outcome: NodeOutcome) -> str:
    parts = ["the description"] if outcome.table_filled else []
    if outcome.columns_filled:
        parts.append(f"{len(outcome.columns_filled)} column description(s)")
    return " and ".join(parts) if parts else "nothing"
