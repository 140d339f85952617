"""Fill what inheritance left empty with an LLM: one request per node, in DAG order, concurrently.

The only module that knows both dbt nodes and the LLM layer. A node is asked about as soon as every
upstream node it depends on is finished, so what was synthesized upstream is inherited downstream
first and never asked for twice. Answers are validated against the node's real columns: invented names
are dropped and counted, hand-written descriptions are never touched, and a node that fails is reported
without stopping the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dbt_osmosis.core.answer_text import DEFAULT_MAX_DESCRIPTION_CHARS, clean_text, description_from_answer
from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document import (
    DocumentPlan,
    NodeContext,
    answers_for,
    column_items,
    context_for,
    inherit_column_docs,
    learn,
    set_meta,
)
from dbt_osmosis.core.document.inheritance import is_placeholder
from dbt_osmosis.core.errors import NodeError, OsmosisError
from dbt_osmosis.core.llm.budget import Budget, BudgetExhausted
from dbt_osmosis.core.llm.cache import ResponseCache, request_key
from dbt_osmosis.core.llm.client import LLMClient, LLMRequest, LLMResponse, Message, Usage
from dbt_osmosis.core.llm.exceptions import LLMAuthError, LLMError, LLMResponseError
from dbt_osmosis.core.llm.prompts import PromptSet, fence, model_answer_schema, prepare_sql
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.usage import LLMUsageStats, usage_scope
from dbt_osmosis.core.provenance import (
    GENERATED_META_KEY,
    REJECTED_META_KEY,
    Redo,
    entry_meta,
    inputs_hash,
    item_meta,
    marks_of,
    remove_meta_key,
    set_entry_meta,
)
from dbt_osmosis.core.schema.entries import column_key, insert_after

__all__ = [
    "GENERATED_META_KEY",
    "EstimatingClient",
    "Gap",
    "NodeOutcome",
    "SynthesisOptions",
    "SynthesisReport",
    "expected_tokens",
    "find_gap",
    "run_synthesis",
    "synthesize",
]

_T = TypeVar("_T")

log = logging.getLogger("dbt_osmosis")

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
    #: Answers already received are taken from here, and new ones kept here before they are applied.
    cache: ResponseCache | None = None
    #: Store new answers in ``cache`` (off for the dry run, whose answers are placeholders).
    store_answers: bool = True
    #: Stop sending once the next request could take the run past this budget.
    budget: Budget | None = None
    #: Ask once more, quoting the problem, when an answer cannot be used.
    reask_invalid: bool = True
    #: Write again the model-written texts whose inputs changed since (and those a reviewer rejected).
    refresh_stale: bool = False


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
    #: Answers taken from the response cache instead of being asked for.
    cached: int = 0
    #: Requests asked again because the first answer could not be used.
    reasked: int = 0
    #: Why the node was left undone without failing (the budget ran out, the run was stopped).
    skipped: str | None = None


@dataclass
class SynthesisReport:
    """Everything the run asked and got, for the summary and the exit code."""

    outcomes: list[NodeOutcome] = field(default_factory=list)
    seconds: float = 0.0
    #: Set when the provider rejected the credentials: synthesis stopped at once.
    auth_error: str | None = None
    #: Set when the budget stopped the run before every node was asked.
    budget_exhausted: bool = False

    @property
    def failures(self) -> list[NodeOutcome]:
        """Nodes whose requests failed after their retries."""
        return [outcome for outcome in self.outcomes if outcome.error]

    @property
    def requests(self) -> int:
        """How many requests were sent (retries not counted)."""
        return sum(outcome.requests for outcome in self.outcomes)

    @property
    def cached(self) -> int:
        """How many answers came from the response cache (no request sent)."""
        return sum(outcome.cached for outcome in self.outcomes)

    @property
    def skipped(self) -> list[NodeOutcome]:
        """Nodes left undone because the run stopped (budget or authentication), not because they failed."""
        return [outcome for outcome in self.outcomes if outcome.skipped and not outcome.error]

    @property
    def invented(self) -> int:
        """Column names the model answered with that the node does not have."""
        return sum(len(outcome.invented) for outcome in self.outcomes)

    @property
    def duplicates(self) -> int:
        """Column descriptions dropped because the answer had already described that column."""
        return sum(len(outcome.duplicates) for outcome in self.outcomes)


ProgressCallback = Callable[[NodeOutcome | None], None]


def find_gap(context: NodeContext, redo: Redo | None = None) -> Gap:
    """The node's missing table description and undocumented columns (names as the YAML spells them).

    A text a reviewer rejected is not missing; a text in ``redo`` (stale or rejected, with
    ``--llm-refresh-stale``) is.
    """
    entry = context.entry
    if entry is None:
        return Gap(False, ())
    redo = redo or Redo()
    placeholders = context.plan.options.placeholders

    def wanted(mapping: Any, meta: dict[str, Any], again: bool) -> bool:
        if again:
            return True
        return (
            is_placeholder(mapping.get("description"), placeholders)
            and meta.get(REJECTED_META_KEY) is not True
        )

    columns = tuple(
        str(item.get("name"))
        for item in column_items(entry)
        if item.get("name") is not None
        and wanted(item, item_meta(item), column_key(item.get("name")) in redo.columns)
    )
    return Gap(wanted(entry, entry_meta(entry), redo.table), columns)


def stale_texts(context: NodeContext) -> Redo:
    """The node's model-written texts whose inputs changed since they were written, or were rejected."""
    entry = context.entry
    marks = marks_of(entry) if entry is not None else []
    if entry is not None and marks:
        # A model-level text read by several versions of a model is judged by one of them only.
        nodes, node = context.plan.project.nodes, context.node
        marks = [mark for mark in marks if answers_for(nodes, node, entry, column_key(mark.column) or None)]
    if entry is None or not marks:
        return Redo()
    current = _inputs_hash(context)
    again = [mark for mark in marks if mark.rejected or mark.inputs != current]
    return Redo(
        table=any(not mark.column for mark in again),
        columns=frozenset(column_key(mark.column) for mark in again if mark.column),
        rejected=any(mark.rejected for mark in again),
    )


def _inputs_hash(context: NodeContext) -> str:
    plan = context.plan
    entry = context.entry or {}

    def entry_of(node: Node) -> Any:
        return context_for(plan, node).entry

    return inputs_hash(context.node, entry, entry_of, plan.project.nodes, plan.options.placeholders)


def stamp_inputs(context: NodeContext, table: bool, columns: Iterable[str]) -> None:
    """Record in the marks of these texts (written this run) a hash of the node's inputs as they are now."""
    current = _inputs_hash(context)
    editable = context.edit()
    keys = set(columns)
    holders: list[Any] = [context.edit_holder()] if table else []
    holders += [item for item in column_items(editable) if column_key(item.get("name")) in keys]
    for holder in holders:
        for meta in (holder.get("meta"), (holder.get("config") or {}).get("meta")):
            mark = meta.get(GENERATED_META_KEY) if isinstance(meta, dict) else None
            if isinstance(mark, dict) and mark.get("inputs") != current:
                mark["inputs"] = current


def build_requests(
    context: NodeContext,
    gap: Gap,
    prompts: PromptSet,
    settings: LLMSettings,
    options: SynthesisOptions,
    *,
    parent_descriptions: Mapping[str, str] | None = None,
    redo: Redo | None = None,
) -> list[tuple[LLMRequest, tuple[str, ...]]]:
    """One request per chunk of missing columns (one request when only the description is missing).

    ``parent_descriptions`` fixes what the prompt shows as a parent's description (by unique id);
    parents not in it are shown as their YAML says now.
    """
    node, plan = context.node, context.plan
    chunks: list[tuple[str, ...]] = [
        gap.columns[start : start + options.chunk_size]
        for start in range(0, len(gap.columns), options.chunk_size)
    ] or [()]
    system = prompts.render("model_system")
    sql = _sql_for_prompt(node, settings, plan.project.adapter_type)
    upstream = fence(
        _upstream_docs(plan, node, gap.columns, parent_descriptions or {}) or "(none documented)",
        "upstream documentation",
    )
    existing = fence(_existing_docs(context, redo or Redo()) or "(none yet)", "existing documentation")
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
    redo: Redo | None = None,
) -> None:
    """Write an answer into the node's YAML: only asked-for columns, only where still undocumented.

    Every text is data, made safe by ``description_from_answer`` (Jinja neutralised, control
    characters removed, cut to ``max_chars``); an empty one fails that column and is reported.
    """
    redo = redo or Redo()
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
        again = key in redo.columns
        if key in answers and (again or is_placeholder(item.get("description"), placeholders)):
            insert_after(item, "description", answers[key], ("name",))
            if again:
                remove_meta_key(item, [REJECTED_META_KEY])
            if generated_by:
                set_meta(item, {GENERATED_META_KEY: dict(generated_by)})
            filled.append(str(item.get("name")))
    if table_text and (redo.table or is_placeholder(editable.get("description"), placeholders)):
        # The entry itself, or for a version of a versioned model where dbt reads its description.
        holder = context.edit_holder()
        insert_after(holder, "description", table_text, ("name", "v"))
        if redo.table:
            remove_meta_key(holder, [REJECTED_META_KEY])
        if generated_by:
            set_entry_meta(holder, {GENERATED_META_KEY: dict(generated_by)})
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
    # Decided before anything changes, from the YAML as it is: what `yaml review` calls stale.
    redo: dict[str, Redo] = {}
    if options.refresh_stale:
        for node in targets:
            again = stale_texts(context_for(plan, node))
            if again:
                redo[node.unique_id] = again
    waits_on = _dependencies_that_matter(plan, targets, redo)
    #: Texts marked this run, per node: their marks get the hash of the node's inputs at the end.
    marked: dict[str, tuple[bool, set[str]]] = {}
    # What each node's prompt shows of a parent it does not wait for is that parent as it was before
    # synthesis: the same prompt whatever order the nodes finish in, so a rerun finds it in the cache.
    before = {node.unique_id: _yaml_description(plan, node) for node in targets}
    cache, budget = options.cache, options.budget

    # All YAML work (inheritance, prompts, edits) runs on one worker thread: serialised, so the plan
    # needs no locks, and off the event loop, so parsing a file never delays sending or reading requests.
    yaml_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osmosis-yaml")
    loop = asyncio.get_running_loop()

    async def on_yaml_thread(work: Callable[[], _T]) -> _T:
        return await loop.run_in_executor(yaml_worker, work)

    async def send(request: LLMRequest, outcome: NodeOutcome) -> LLMResponse:
        async with in_flight:
            if report.auth_error is not None:
                raise _Stopped(report.auth_error)
            # Reserved only once a slot is free: "in flight" means really on its way to the provider.
            reservation = None
            if budget is not None:
                reservation = budget.reserve(*expected_tokens(request))
            outcome.requests += 1
            response: LLMResponse | None = None
            try:
                response = await client.acomplete(request)
                return response
            except LLMAuthError as exc:
                if report.auth_error is None:
                    report.auth_error = str(exc)
                raise
            finally:
                if budget is not None and reservation is not None:
                    budget.settle(reservation, response.usage if response is not None else None)

    async def answer(
        request: LLMRequest, chunk: tuple[str, ...], want_table: bool, outcome: NodeOutcome, fresh: bool
    ) -> Any:
        key = request_key(client.provider, client.model, request) if cache is not None else ""
        # A rejected text must not come back from the cache: the same question is asked anew.
        if cache is not None and not fresh:
            hit = cache.get(key)
            if hit is not None:
                outcome.cached += 1
                return hit.parsed
        response: LLMResponse | None = None
        try:
            response = await send(request, outcome)
            problem = _incomplete(response.parsed, chunk, want_table)
        except LLMResponseError as exc:
            if not options.reask_invalid:
                raise
            problem = exc.message
        if problem is not None and options.reask_invalid:
            outcome.reasked += 1
            try:
                response = await send(_reask(request, problem), outcome)
            except (LLMError, BudgetExhausted, _Stopped):
                if response is None:
                    raise
                # The first answer parsed but lacked something; it is still worth applying.
        if response is None:
            raise LLMResponseError(problem or "the provider sent no usable answer")
        if cache is not None and options.store_answers and response.parsed is not None:
            # Kept on disk before it is applied: a crash from here on never costs this answer again.
            cache.put(
                key, response.parsed, usage=response.usage, provider=client.provider, model=client.model
            )
        return response.parsed

    def prepare(
        context: NodeContext, outcome: NodeOutcome
    ) -> tuple[Gap, list[tuple[LLMRequest, tuple[str, ...]]]]:
        inherit_column_docs(context)  # upstream may have been synthesized since the first pass
        gap = find_gap(context, redo.get(context.node.unique_id))
        if not gap:
            return gap, []
        outcome.asked_table, outcome.asked_columns = gap.table, len(gap.columns)
        settled = set(waits_on[context.node.unique_id])
        shown = {uid: text for uid, text in before.items() if uid not in settled}
        return gap, build_requests(
            context,
            gap,
            prompts,
            settings,
            options,
            parent_descriptions=shown,
            redo=redo.get(context.node.unique_id),
        )

    def apply_all(
        context: NodeContext, gap: Gap, outcome: NodeOutcome, answered: list[tuple[tuple[str, ...], Any]]
    ) -> None:
        again = redo.get(context.node.unique_id)
        # A stale text keeps its mark when it is written again, whether or not this run marks.
        marking = generated_by or ({"provider": client.provider, "model": client.model} if again else None)
        inputs = _inputs_hash(context) if marking else ""
        for index, (chunk, parsed) in enumerate(answered):
            apply_answer(
                context,
                parsed,
                chunk,
                want_table=gap.table and index == 0,
                outcome=outcome,
                generated_by={**marking, "inputs": inputs} if marking else None,
                max_chars=settings.max_description_chars,
                redo=again,
            )
        if marking and (outcome.table_filled or outcome.columns_filled):
            marked[context.node.unique_id] = (
                outcome.table_filled,
                {column_key(name) for name in outcome.columns_filled},
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
                fresh = redo.get(node.unique_id, Redo()).rejected
                report.outcomes.append(outcome)
                if options.keep_prompts:
                    outcome.prompts = [request for request, _ in requests]
                with usage_scope() as outcome.usage:
                    results = await asyncio.gather(
                        *(
                            answer(request, chunk, gap.table and index == 0, outcome, fresh)
                            for index, (request, chunk) in enumerate(requests)
                        ),
                        return_exceptions=True,
                    )
                answered: list[tuple[tuple[str, ...], Any]] = []
                for (_, chunk), result in zip(requests, results, strict=True):
                    if isinstance(result, BudgetExhausted):
                        report.budget_exhausted = True
                        outcome.skipped = "the budget ran out before it was asked"
                    elif isinstance(result, (_Stopped, LLMAuthError)):
                        outcome.skipped = "synthesis stopped: authentication failed"
                    elif isinstance(result, LLMError):
                        outcome.error = str(result)
                    elif isinstance(result, BaseException):
                        raise result
                    else:
                        answered.append((chunk, result))
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
        # Once every node is done, so that a mark's hash sees its parents as they are written.
        await on_yaml_thread(lambda: _stamp_all(plan, marked, report))
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


def _stamp_all(
    plan: DocumentPlan, marked: Mapping[str, tuple[bool, set[str]]], report: SynthesisReport
) -> None:
    for unique_id, (table, columns) in marked.items():
        try:
            stamp_inputs(context_for(plan, plan.project.nodes[unique_id]), table, columns)
        except Exception as exc:  # one node's marks must never cost the others' work
            outcome = next(
                (o for o in report.outcomes if o.node == plan.project.nodes[unique_id].display_name), None
            )
            if outcome is not None:
                _fail_node(report, outcome, exc)


class _Stopped(Exception):
    """Synthesis was stopped for the whole run (the provider rejected the credentials)."""


def expected_tokens(request: LLMRequest) -> tuple[int, int]:
    """Prompt and completion tokens a request is expected to use, as the dry run estimates them."""
    # A typical answer: ~40 tokens for the table description and ~30 per column.
    return math.ceil(request.prompt_chars() / CHARS_PER_TOKEN), 40 + 30 * len(_asked_columns(request))


def _incomplete(parsed: Any, chunk: Sequence[str], want_table: bool) -> str | None:
    """What an answer that passed the schema still lacks (a description asked for), or ``None``."""
    if not isinstance(parsed, dict):
        return "the answer is not a JSON object"
    lacking: list[str] = []
    if want_table and not clean_text(parsed.get("description")):
        lacking.append("the model description")
    answered = {
        column_key(item.get("name", ""))
        for item in parsed.get("columns") or []
        if isinstance(item, dict) and clean_text(item.get("description"))
    }
    missing = [name for name in chunk if column_key(name) not in answered]
    if missing:
        lacking.append("descriptions for the columns " + ", ".join(missing))
    return "the answer has no " + " and no ".join(lacking) if lacking else None


def _reask(request: LLMRequest, problem: str) -> LLMRequest:
    """The same request with the reason the first answer could not be used, quoted."""
    note = (
        f"Your previous answer could not be used: {problem}\n"
        "Answer again with a single JSON value that matches the requested schema and describes every "
        "listed column."
    )
    return dataclasses.replace(request, messages=(*request.messages, Message("user", note)))


def _dependencies_that_matter(
    plan: DocumentPlan, targets: Sequence[Node], redo: Mapping[str, Redo] | None = None
) -> dict[str, list[str]]:
    """For each node, the upstream nodes it must wait for before asking about its own gaps.

    A node waits for every upstream node (however far up) that is about to be asked about a column
    this node also lacks: only then can its answer be inherited here instead of being asked again, and
    only then is the question the same whatever order the others finish in. Waiting on the rest would
    serialise the DAG for nothing.
    """
    found = {
        node.unique_id: find_gap(context_for(plan, node), (redo or {}).get(node.unique_id))
        for node in targets
    }
    gaps = {unique_id: {column_key(c) for c in gap.columns} for unique_id, gap in found.items()}
    # For each node, the selected upstream nodes with gaps of their own (the only ones worth waiting for).
    upstream: dict[str, set[str]] = {}
    waits: dict[str, list[str]] = {}
    position = {node.unique_id: index for index, node in enumerate(targets)}
    for node in targets:  # targets are in DAG order, so parents are done first
        parents = [p for p in node.depends_on if p in gaps]
        above: set[str] = set()
        for parent in parents:
            above |= upstream[parent]
            if gaps[parent]:
                above.add(parent)
        upstream[node.unique_id] = above
        own = gaps[node.unique_id]
        wanted = {p for p in above if own & gaps[p]}
        # The versions of one model read the same model-level columns (and often the same description):
        # a later version waits for an earlier one with a gap in common, then finds it filled.
        wanted |= {
            other.unique_id
            for other in _earlier_versions(node, targets[: position[node.unique_id]])
            if own & gaps[other.unique_id] or (found[node.unique_id].table and found[other.unique_id].table)
        }
        waits[node.unique_id] = sorted(wanted, key=position.__getitem__)
    return waits


def _earlier_versions(node: Node, earlier: Sequence[Node]) -> list[Node]:
    """The other versions of ``node``'s model among ``earlier`` (none when it is not versioned)."""
    if node.version is None:
        return []
    same = (node.package_name, node.name, node.patch_path)
    return [
        other
        for other in earlier
        if other.version is not None and (other.package_name, other.name, other.patch_path) == same
    ]


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
        prompt_tokens, completion_tokens = expected_tokens(request)
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


# A description quoted to the model as context is cut at this length: one pasted specification of
# hundreds of kilobytes would otherwise make every prompt that quotes it cost a fortune (or exceed the
# model's context), where its first paragraphs carry what the model needs.
CONTEXT_DOC_CHARS = 2000


def _context_text(written: object, rendered: str) -> str:
    # Jinja in a description (a doc() block, a var) means nothing to a model; show what dbt renders.
    text = str(written or "")
    if "{{" in text or "{%" in text:
        text = rendered or text
    if len(text) > CONTEXT_DOC_CHARS:
        text = f"{text[:CONTEXT_DOC_CHARS]} [... cut here: {len(text):,} characters in all]"
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


def _upstream_docs(plan: DocumentPlan, node: Node, wanted: Sequence[str], fixed: Mapping[str, str]) -> str:
    # Only the parents' docs for columns this node shares with them, to keep prompts (and costs) small.
    keys = {column_key(name) for name in wanted}
    lines: list[str] = []
    for parent_id in node.depends_on:
        parent = plan.project.nodes.get(parent_id)
        if parent is None:
            continue
        written = fixed[parent_id] if parent_id in fixed else _yaml_description(plan, parent)
        description = _context_text(written, parent.rendered_description)
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


def _existing_docs(context: NodeContext, redo: Redo) -> str:
    entry = context.entry or {}
    node = context.node
    placeholders = context.plan.options.placeholders
    lines: list[str] = []
    description = entry.get("description")
    if not is_placeholder(description, placeholders) and not redo.table:
        lines.append(f"Model: {_context_text(description, node.rendered_description)}")
    for item in column_items(entry):
        text = item.get("description")
        # A stale text being written again is not shown: the model should not copy what it replaces.
        if not is_placeholder(text, placeholders) and column_key(item.get("name")) not in redo.columns:
            name = str(item.get("name"))
            lines.append(f"  - {name}: {_context_text(text, node.rendered_columns.get(name, ''))}")
    return "\n".join(lines)


def _yaml_description(plan: DocumentPlan, node: Node) -> str:
    context = context_for(plan, node)
    if context.entry is None:
        return ""
    description = context.entry.get("description")
    return "" if is_placeholder(description, plan.options.placeholders) else str(description)
