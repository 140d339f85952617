"""Progress of a synthesis run: a rich bar on a terminal, one plain line per node elsewhere."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from dbt_osmosis.core.llm.usage import LLMUsageStats
from dbt_osmosis.core.synthesis import NodeOutcome

__all__ = ["SynthesisProgress"]


class SynthesisProgress:
    """Counts finished nodes and shows requests, tokens and cost as they accumulate."""

    def __init__(self, console: Console, total: int, usage: LLMUsageStats | None) -> None:
        self.console = console
        self.total = total
        self.usage = usage
        self.done = 0
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

    def __call__(self, outcome: NodeOutcome | None) -> None:
        """Called once per finished node; ``outcome`` is ``None`` for nodes that needed no request."""
        self.done += 1
        stats = self._stats()
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self.done, stats=stats)
        elif outcome is not None:
            if outcome.error:
                status = f"failed: {outcome.error}"
            elif outcome.skipped:
                status = f"skipped: {outcome.skipped}"
            else:
                status = f"{len(outcome.columns_filled)} column(s)"
            self.console.print(
                f"[{self.done}/{self.total}] {escape(outcome.node)}: {escape(status)} {escape(stats)}",
                soft_wrap=True,
                highlight=False,
            )

    def _stats(self) -> str:
        if self.usage is None:
            return ""
        totals = self.usage.totals()
        cost = self.usage.cost()
        money = "cost unknown" if cost is None else f"${cost:.4f}"
        return f"{totals.requests} req, {totals.prompt_tokens + totals.completion_tokens} tok, {money}"
