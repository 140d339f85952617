"""Progress of a synthesis run: a rich bar on a terminal, one plain line per node elsewhere.

A plain line carries that node's own numbers (the requests sent for it, retries included, its tokens
and its cost), never the run's running totals, so that a CI log can be read line by line. Every
selected node gets a line, nodes with nothing to ask included, so the count goes from 1 to the total.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from dbt_osmosis.core.llm.usage import LLMUsageStats
from dbt_osmosis.core.synthesis import NodeOutcome

__all__ = ["SynthesisProgress", "describe_outcome", "usage_text"]


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

    def __enter__(self) -> SynthesisProgress:
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
    elif not outcome.requests and not asked:
        return "nothing to ask"
    elif estimate:
        what = f"would ask for {asked}"
    else:
        what = f"filled {_filled(outcome)}"
        if outcome.cached:
            what += f" ({outcome.cached} answer(s) from the cache)"
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
