"""Fill what inheritance left empty with an LLM: one request per node, in DAG order, concurrently.

The only module that knows both dbt nodes and the LLM layer. A node is asked about as soon as every
upstream node it depends on is finished, so what was synthesized upstream is inherited downstream
first and never asked for twice. Answers are validated against the node's real columns: invented names
are dropped and counted, hand-written descriptions are never touched, and a node that fails is reported
without stopping the others.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dbt_osmosis.core.answer_text import DEFAULT_MAX_DESCRIPTION_CHARS, description_from_answer
from dbt_osmosis.core.document import (
    DocumentPlan,
    NodeContext,
    column_items,
    context_for,
    inherit_column_docs,
    learn,
    set_meta,
)
from dbt_osmosis.core.errors import NodeError, OsmosisError
from dbt_osmosis.core.inheritance import is_placeholder
from dbt_osmosis.core.llm.client import LLMClient, LLMRequest, LLMResponse, Message, Usage
from dbt_osmosis.core.llm.exceptions import LLMError
from dbt_osmosis.core.llm.prompts import PromptSet, fence, model_answer_schema, prepare_sql
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.usage import LLMUsageStats, usage_scope
from dbt_osmosis.core.project import Node
from dbt_osmosis.core.schema.entries import column_key, insert_after

__all__ = [
    "GENERATED_META_KEY",
    "EstimatingClient",
    "Gap",
    "NodeOutcome",
    "SynthesisOptions",
    "SynthesisReport",
    "find_gap",
    "run_synthesis",
    "synthesize",
]

_T = TypeVar("_T")

log = logging.getLogger("dbt_osmosis")

GENERATED_META_KEY = "osmosis_generated"
#: Characters per token for estimates; close enough for English prose and SQL across providers.
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class SynthesisOptions:
    """How synthesis behaves beyond the LLM settings."""

    mark_generated: bool = False
    #: Columns per request; wider tables are split so that answers stay within output limits.
    chunk_size: int = 40
    temperature: float | None = 0.2
    #: Keep each node's requests on its outcome (``--llm-show-prompts``); off to save memory.
    keep_prompts: bool = False


@dataclass(frozen=True)
class Gap:
    """What a node still lacks after inheritance."""

    table: bool
    columns: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.table or bool(self.columns)


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


@dataclass
class SynthesisReport:
    """Everything the run asked and got, for the summary and the exit code."""

    outcomes: list[NodeOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[NodeOutcome]:
        """Nodes whose requests failed after their retries."""
        return [outcome for outcome in self.outcomes if outcome.error]

    @property
    def requests(self) -> int:
        """How many requests were sent (retries not counted)."""
        return sum(outcome.requests for outcome in self.outcomes)

    @property
    def invented(self) -> int:
        """Column names the model answered with that the node does not have."""
        return sum(len(outcome.invented) for outcome in self.outcomes)

    @property
    def duplicates(self) -> int:
        """Column descriptions dropped because the answer had already described that column."""
        return sum(len(outcome.duplicates) for outcome in self.outcomes)


ProgressCallback = Callable[[NodeOutcome | None], None]


def find_gap(context: NodeContext) -> Gap:
    """The node's missing table description and undocumented columns (names as the YAML spells them)."""
    entry = context.entry
    if entry is None:
        return Gap(False, ())
    placeholders = context.plan.options.placeholders
    columns = tuple(
        str(item.get("name"))
        for item in column_items(entry)
        if item.get("name") is not None and is_placeholder(item.get("description"), placeholders)
    )
    return Gap(is_placeholder(entry.get("description"), placeholders), columns)


def build_requests(
    context: NodeContext, gap: Gap, prompts: PromptSet, settings: LLMSettings, options: SynthesisOptions
) -> list[tuple[LLMRequest, tuple[str, ...]]]:
    """One request per chunk of missing columns (one request when only the description is missing)."""
    node, plan = context.node, context.plan
    chunks: list[tuple[str, ...]] = [
        gap.columns[start : start + options.chunk_size]
        for start in range(0, len(gap.columns), options.chunk_size)
    ] or [()]
    system = prompts.render("model_system")
    sql = _sql_for_prompt(node, settings, plan.project.adapter_type)
    upstream = fence(_upstream_docs(plan, node, gap.columns) or "(none documented)", "upstream documentation")
    existing = fence(_existing_docs(context) or "(none yet)", "existing documentation")
    types = {column_key(col.name): col.data_type for col in (context.warehouse_columns or [])}
    requests: list[tuple[LLMRequest, tuple[str, ...]]] = []
    for chunk in chunks:
        listing = "\n".join(
            f"- {name}" + (f" ({types[column_key(name)]})" if types.get(column_key(name)) else "")
            for name in chunk
        )
        user = prompts.render(
            "model_user",
            model_name=node.display_name,
            sql=sql,
            columns=fence(
                listing or "(no columns to describe: only the model description is needed)", "columns"
            ),
            upstream_docs=upstream,
            existing_docs=existing,
        )
        request = LLMRequest(
            messages=(Message("system", system), Message("user", user)),
            temperature=options.temperature,
            max_tokens=min(8192, 400 + 120 * len(chunk)),
            json_schema=model_answer_schema(chunk),
            validation_schema=model_answer_schema(chunk, strict_names=False),
            schema_name="model_documentation",
            operation="synthesize",
        )
        requests.append((request, chunk))
    return requests


def apply_answer(
    context: NodeContext,
    parsed: Any,
    asked: Sequence[str],
    *,
    want_table: bool,
    outcome: NodeOutcome,
    generated_by: Mapping[str, str] | None,
    max_chars: int = DEFAULT_MAX_DESCRIPTION_CHARS,
) -> None:
    """Write an answer into the node's YAML: only asked-for columns, only where still undocumented.

    Every text is data, made safe by ``description_from_answer`` (Jinja neutralised, control
    characters removed, cut to ``max_chars``); an empty one fails that column and is reported.
    """
    if not isinstance(parsed, dict):
        return
    placeholders = context.plan.options.placeholders
    wanted = {column_key(name) for name in asked}
    answers: dict[str, str] = {}
    unanswered: dict[str, str] = {}
    for item in parsed.get("columns") or []:
        if not isinstance(item, dict):
            continue
        key = column_key(item.get("name", ""))
        text = description_from_answer(item.get("description"), max_chars=max_chars)
        if key not in wanted:
            outcome.invented.append(str(item.get("name")))
        elif text and key in answers:
            # A column described twice: the first description wins, whatever order the model chose.
            outcome.duplicates.append(str(item.get("name")))
        elif text:
            answers[key] = text
        else:
            unanswered.setdefault(key, str(item.get("name")))
    # A column counts as empty only when no description of it was usable, wherever it came in the list.
    empty = [name for key, name in unanswered.items() if key not in answers]
    table_text = description_from_answer(parsed.get("description"), max_chars=max_chars) if want_table else ""
    if want_table and not table_text:
        empty.append("the model description")
    if empty:
        outcome.empty.extend(empty)
        message = f"empty answer for {', '.join(empty)} (left undocumented)"
        outcome.error = f"{outcome.error}; {message}" if outcome.error else message
    entry = context.entry
    if entry is None or (not answers and not table_text):
        return
    editable = context.edit()
    filled: list[str] = []
    for item in column_items(editable):
        key = column_key(item.get("name"))
        if key in answers and is_placeholder(item.get("description"), placeholders):
            insert_after(item, "description", answers[key], ("name",))
            if generated_by:
                set_meta(item, {GENERATED_META_KEY: dict(generated_by)})
            filled.append(str(item.get("name")))
    if table_text and is_placeholder(editable.get("description"), placeholders):
        insert_after(editable, "description", table_text, ("name",))
        outcome.table_filled = True
    outcome.columns_filled.extend(filled)
    if filled or outcome.table_filled:
        what = ["description"] if outcome.table_filled and not filled else []
        if filled:
            what.append(f"descriptions for {', '.join(filled)}")
        verb = "would ask for" if outcome.dry_run else "synthesized"
        context.record(f"{verb} {' and '.join(what)}")


async def synthesize(
    plan: DocumentPlan,
    client: LLMClient,
    prompts: PromptSet,
    settings: LLMSettings,
    options: SynthesisOptions,
    on_progress: ProgressCallback | None = None,
) -> SynthesisReport:
    """Synthesize every selected node with gaps, each as soon as its upstream nodes are finished."""
    started = time.perf_counter()
    report = SynthesisReport()
    target_ids = {node.unique_id for node in plan.targets}
    targets = [node for node in plan.order if node.unique_id in target_ids]
    finished = {node.unique_id: asyncio.Event() for node in targets}
    in_flight = asyncio.Semaphore(max(1, settings.concurrency))
    generated_by = {"provider": client.provider, "model": client.model} if options.mark_generated else None
    waits_on = _dependencies_that_matter(plan, targets)

    # All YAML work (inheritance, prompts, edits) runs on one worker thread: serialised, so the plan
    # needs no locks, and off the event loop, so parsing a file never delays sending or reading requests.
    yaml_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osmosis-yaml")
    loop = asyncio.get_running_loop()

    async def on_yaml_thread(work: Callable[[], _T]) -> _T:
        return await loop.run_in_executor(yaml_worker, work)

    async def ask(request: LLMRequest) -> LLMResponse:
        async with in_flight:
            return await client.acomplete(request)

    def prepare(
        context: NodeContext, outcome: NodeOutcome
    ) -> tuple[Gap, list[tuple[LLMRequest, tuple[str, ...]]]]:
        inherit_column_docs(context)  # upstream may have been synthesized since the first pass
        gap = find_gap(context)
        if not gap:
            return gap, []
        outcome.asked_table, outcome.asked_columns = gap.table, len(gap.columns)
        return gap, build_requests(context, gap, prompts, settings, options)

    def apply_all(
        context: NodeContext, gap: Gap, outcome: NodeOutcome, answered: list[tuple[tuple[str, ...], Any]]
    ) -> None:
        for index, (chunk, parsed) in enumerate(answered):
            apply_answer(
                context,
                parsed,
                chunk,
                want_table=gap.table and index == 0,
                outcome=outcome,
                generated_by=generated_by,
                max_chars=settings.max_description_chars,
            )

    def finish(context: NodeContext, outcome: NodeOutcome) -> None:
        learn(context)
        if on_progress is not None:
            on_progress(outcome)

    async def run_node(node: Node) -> None:
        for parent_id in waits_on[node.unique_id]:
            await finished[parent_id].wait()
        context = context_for(plan, node)
        outcome = NodeOutcome(
            node.display_name,
            context.schema_file.display_path if context.schema_file else "",
            dry_run=isinstance(client, EstimatingClient),
        )
        try:
            gap, requests = await on_yaml_thread(lambda: prepare(context, outcome))
            if requests:
                report.outcomes.append(outcome)
                outcome.requests = len(requests)
                if options.keep_prompts:
                    outcome.prompts = [request for request, _ in requests]
                with usage_scope() as outcome.usage:
                    results = await asyncio.gather(
                        *(ask(request) for request, _ in requests), return_exceptions=True
                    )
                answered: list[tuple[tuple[str, ...], Any]] = []
                for (_, chunk), result in zip(requests, results, strict=True):
                    if isinstance(result, LLMError):
                        outcome.error = str(result)
                    elif isinstance(result, BaseException):
                        raise result
                    else:
                        answered.append((chunk, result.parsed))
                await on_yaml_thread(lambda: apply_all(context, gap, outcome, answered))
        except Exception as exc:  # one node's failure must never end the run
            _fail_node(report, outcome, exc)
        finally:
            try:
                await on_yaml_thread(lambda: finish(context, outcome))
            except Exception as exc:  # same: report the node, keep the others
                _fail_node(report, outcome, exc)
            finished[node.unique_id].set()

    # Requests queue for a slot in the order their tasks start: start first the nodes that others
    # wait for, longest chain of waiters first, so the DAG's critical path never trails at the end.
    height = _waiting_chain_length(targets, waits_on)
    ordered = sorted(targets, key=lambda node: -height[node.unique_id])
    try:
        await asyncio.gather(*(run_node(node) for node in ordered))
    finally:
        yaml_worker.shutdown(wait=True)
    report.seconds = time.perf_counter() - started
    return report


def _fail_node(report: SynthesisReport, outcome: NodeOutcome, exc: Exception) -> None:
    """Mark one node failed with a one-line reason; the traceback goes to the debug log only."""
    log.debug("synthesis of %s failed", outcome.node, exc_info=exc)
    if isinstance(exc, NodeError | OsmosisError):
        reason = str(exc)
    else:
        # A bug, not bad input: say so, with the exception's type, so it can be reported.
        reason = f"internal error: {type(exc).__name__}: {exc}"
    outcome.error = reason if outcome.error is None else f"{outcome.error}; {reason}"
    if not any(known is outcome for known in report.outcomes):
        report.outcomes.append(outcome)


def _dependencies_that_matter(plan: DocumentPlan, targets: Sequence[Node]) -> dict[str, list[str]]:
    """For each node, the upstream nodes it must wait for before asking about its own gaps.

    A node waits for a parent only when that parent, or anything the parent waits for, is about to be
    asked about a column this node also lacks: only then can its answer be inherited here instead of
    being asked again. Waiting on the rest would serialise the DAG for nothing.
    """
    gaps = {
        node.unique_id: {column_key(c) for c in find_gap(context_for(plan, node)).columns} for node in targets
    }
    reach: dict[str, set[str]] = {}
    waits: dict[str, list[str]] = {}
    for node in targets:  # targets are in DAG order, so parents are done first
        parents = [p for p in node.depends_on if p in gaps]
        own = gaps[node.unique_id]
        waits[node.unique_id] = [p for p in parents if own & reach[p]]
        reach[node.unique_id] = own.union(*(reach[p] for p in parents))
    return waits


def _waiting_chain_length(targets: Sequence[Node], waits_on: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How many nodes wait, one behind the other, for each node (0 when nobody waits for it)."""
    height = {node.unique_id: 0 for node in targets}
    for node in reversed(targets):  # children before parents
        for parent_id in waits_on[node.unique_id]:
            height[parent_id] = max(height[parent_id], height[node.unique_id] + 1)
    return height


def run_synthesis(
    plan: DocumentPlan,
    client: LLMClient,
    prompts: PromptSet,
    settings: LLMSettings,
    options: SynthesisOptions,
    on_progress: ProgressCallback | None = None,
) -> SynthesisReport:
    """Synchronous entry point: run ``synthesize`` in a fresh event loop."""
    return asyncio.run(synthesize(plan, client, prompts, settings, options, on_progress))


class EstimatingClient:
    """An ``LLMClient`` for ``--llm-dry-run``: answers instantly, sends nothing, estimates tokens.

    It answers every request as a model would (a description for each asked-for column) so that the
    dry run follows the same DAG-aware path as a real one and counts each question exactly once.
    """

    def __init__(self, provider: str, model: str, usage: LLMUsageStats | None = None) -> None:
        self.provider = provider
        self.model = model
        #: Estimates are recorded here as if they were answers, so per-node and run totals (and
        #: their cost) come out exactly as a real run's would.
        self.usage = usage
        self.requests: list[LLMRequest] = []
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Record the request and answer it with placeholder text."""
        self.requests.append(request)
        columns = _asked_columns(request)
        prompt_tokens = math.ceil(request.prompt_chars() / CHARS_PER_TOKEN)
        # A typical answer: ~40 tokens for the table description and ~30 per column.
        completion_tokens = 40 + 30 * len(columns)
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        if self.usage is not None:
            self.usage.record(self.provider, self.model, Usage(prompt_tokens, completion_tokens), 0.0)
        parsed = {
            "description": "(dry run)",
            "columns": [{"name": name, "description": "(dry run)"} for name in columns],
        }
        return LLMResponse(
            text="",
            parsed=parsed,
            usage=Usage(prompt_tokens, completion_tokens),
            latency_s=0.0,
            request_id=None,
            provider=self.provider,
            model=self.model,
        )

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Same as ``complete``; nothing is awaited."""
        return self.complete(request)


def _asked_columns(request: LLMRequest) -> list[str]:
    schema = request.json_schema or {}
    try:
        names = schema["properties"]["columns"]["items"]["properties"]["name"]["enum"]
    except (KeyError, TypeError):
        return []
    return [str(name) for name in names]


def _context_text(written: object, rendered: str) -> str:
    # Jinja in a description (a doc() block, a var) means nothing to a model; show what dbt renders.
    text = str(written or "")
    if "{{" in text or "{%" in text:
        return rendered or text
    return text


def _sql_for_prompt(node: Node, settings: LLMSettings, adapter_type: str | None) -> str:
    sql = node.compiled_code or node.raw_code
    if not sql.strip():
        kind = "a seed loaded from a CSV file" if node.resource_type == "seed" else f"a {node.resource_type}"
        where = ".".join(part for part in (node.database, node.schema, node.identifier) if part)
        return f"(no SQL: {node.display_name} is {kind}, relation {where})"
    return fence(
        prepare_sql(
            sql,
            max_chars=settings.max_sql_chars,
            redact_literals=settings.redact_literals,
            adapter_type=adapter_type,
        ),
        "sql",
    )


def _upstream_docs(plan: DocumentPlan, node: Node, wanted: Sequence[str]) -> str:
    # Only the parents' docs for columns this node shares with them, to keep prompts (and costs) small.
    keys = {column_key(name) for name in wanted}
    lines: list[str] = []
    for parent_id in node.depends_on:
        parent = plan.project.nodes.get(parent_id)
        if parent is None:
            continue
        description = _context_text(_yaml_description(plan, parent), parent.rendered_description)
        known = plan.knowledge.own(parent_id)
        shared = [
            f"  - {key}: {_context_text(doc.description, parent.rendered_columns.get(key, ''))}"
            for key, doc in known.items()
            if key in keys
        ]
        if description or shared:
            lines.append(f"{parent.display_name}: {description or '(no description)'}")
            lines.extend(shared)
    return "\n".join(lines)


def _existing_docs(context: NodeContext) -> str:
    entry = context.entry or {}
    node = context.node
    placeholders = context.plan.options.placeholders
    lines: list[str] = []
    description = entry.get("description")
    if not is_placeholder(description, placeholders):
        lines.append(f"Model: {_context_text(description, node.rendered_description)}")
    for item in column_items(entry):
        text = item.get("description")
        if not is_placeholder(text, placeholders):
            name = str(item.get("name"))
            lines.append(f"  - {name}: {_context_text(text, node.rendered_columns.get(name, ''))}")
    return "\n".join(lines)


def _yaml_description(plan: DocumentPlan, node: Node) -> str:
    context = context_for(plan, node)
    if context.entry is None:
        return ""
    description = context.entry.get("description")
    return "" if is_placeholder(description, plan.options.placeholders) else str(description)
