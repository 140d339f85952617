"""The ``--llm-stats`` table: one row per model when the terminal is wide, one column per model when not.

A CI log is 80 columns wide; the ten-column table squeezed into that truncates every header and
number. When the wide table does not fit, the same numbers are shown turned on their side: one row per
figure, one column per model (and a total column when more than one model answered).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.usage import LLMUsageStats, UsageTotals

__all__ = ["usage_table"]


def usage_table(usage: LLMUsageStats, console: Console) -> RenderableType:
    """The usage table that fits ``console``: the wide one if it fits, the narrow one otherwise."""
    wide = usage.rich_table()
    # Measured without the console's own width as a ceiling, or everything would seem to fit.
    if Measurement.get(console, console.options.update_width(1_000_000), wide).maximum <= console.width:
        return wide
    return narrow_usage_table(usage)


def narrow_usage_table(usage: LLMUsageStats) -> Table:
    """Figures as rows, models as columns; nothing truncated, numbers never split."""
    per_model = sorted(usage.by_model().items())
    costs = usage.cost_by_model()
    columns: list[tuple[str, UsageTotals, float | None]] = [
        (f"{provider} / {model}", totals, costs[(provider, model)]) for (provider, model), totals in per_model
    ]
    if len(columns) != 1:
        columns.append(("total", usage.totals(), usage.cost()))
    table = Table(title="LLM usage", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("", no_wrap=True)
    for header, _, _ in columns:
        table.add_column(header, justify="right", overflow="fold")
    rows: list[tuple[str, list[str]]] = [
        ("Requests", [str(t.requests) for _, t, _ in columns]),
        ("  retries", [str(t.retries) for _, t, _ in columns]),
        ("  errors", [str(t.errors) for _, t, _ in columns]),
        ("Prompt tokens", [f"{t.prompt_tokens:,}" for _, t, _ in columns]),
        ("  cached", [f"{t.cached_tokens:,}" for _, t, _ in columns]),
        ("Completion tokens", [f"{t.completion_tokens:,}" for _, t, _ in columns]),
        ("Avg latency", [f"{t.latency_s / t.answered:.2f}s" if t.answered else "-" for _, t, _ in columns]),
        ("Cost (USD)", ["unknown" if c is None else f"{c:.4f}" for _, _, c in columns]),
    ]
    for label, values in rows:
        table.add_row(label, *values)
    sources = _price_sources(usage)
    if sources:
        table.caption = "Prices: " + "; ".join(sources)
        table.caption_justify = "left"
    return table


def _price_sources(usage: LLMUsageStats) -> list[str]:
    if usage.price_table is None:
        return []
    found: set[str] = set()
    for (provider, _model), cost in usage.cost_by_model().items():
        origin = usage.price_table.source(provider) if cost is not None else None
        if origin:
            found.add(f"{origin[0]}, as of {origin[1]}")
    return sorted(found)
