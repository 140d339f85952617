"""Fill what inheritance left empty with an LLM: one request per node, in DAG order, concurrently.

The only module that knows both dbt nodes and the LLM layer. A node is asked about as soon as every
upstream node it depends on is finished, so what was synthesized upstream is inherited downstream
first and never asked for twice. Answers are validated against the node's real columns: invented names
are dropped and counted, hand-written descriptions are never touched, and a node that fails is reported
without stopping the others.

One run is a ``SynthesisRun``; each node goes through its named steps in order: wait for the
dependencies that matter, ``prepare`` (inherit, find the gap, build the requests), ``ask``, ``apply``
the answers and ``finish`` (learn what it now documents, report progress).

With ``--llm-batch`` the client raises ``BatchPending`` for a question whose answer is still in (or
bound for) a batch: that node applies nothing, and the nodes that wait for it are not asked either, so
a later run asks each of them exactly what a synchronous run would.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.planning import context_for
from dbt_osmosis.core.document.steps import inherit_column_docs, learn
from dbt_osmosis.core.document.types import DocumentPlan, NodeContext
from dbt_osmosis.core.errors import NodeError, OsmosisError
from dbt_osmosis.core.llm.batch.session import BatchPending
from dbt_osmosis.core.llm.budget import BudgetExhausted
from dbt_osmosis.core.llm.cache import answer_settings, request_key
from dbt_osmosis.core.llm.exceptions import LLMAuthError, LLMError, LLMProviderDownError, LLMResponseError
from dbt_osmosis.core.llm.prompts import PromptSet
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMClient, LLMRequest, LLMResponse
from dbt_osmosis.core.llm.usage import usage_scope
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.synthesis.answers import apply_answer, incomplete
from dbt_osmosis.core.synthesis.dependencies import dependencies_that_matter, waiting_chain_length
from dbt_osmosis.core.synthesis.estimate import EstimatingClient
from dbt_osmosis.core.synthesis.gaps import Gap, current_inputs_hash, find_gap, stale_texts, stamp_inputs
from dbt_osmosis.core.synthesis.provenance import Redo
from dbt_osmosis.core.synthesis.quality import answer_problems, describe
from dbt_osmosis.core.synthesis.requests import build_requests, reask, yaml_description
from dbt_osmosis.core.synthesis.types import NodeOutcome, ProgressCallback, SynthesisOptions, SynthesisReport

__all__ = ["SynthesisRun", "run_synthesis", "synthesize"]

_T = TypeVar("_T")

log = logging.getLogger("dbt_osmosis")

#: The requests built for one node, each with the columns it asks about.
Requests = list[tuple[LLMRequest, tuple[str, ...]]]
#: The usable answers for one node, each with the columns its request asked about and who wrote it.
Answered = list[tuple[tuple[str, ...], "_Answer"]]


class _Answer:
    """One usable answer and the provider and model that wrote it (a fallback may have)."""

    __slots__ = ("model", "parsed", "provider")

    def __init__(self, parsed: Any, provider: str, model: str) -> None:
        self.parsed, self.provider, self.model = parsed, provider, model


class _Stopped(Exception):
    """Synthesis was stopped for the whole run (the provider rejected the credentials)."""


class SynthesisRun:
    """One synthesis of a plan's selected nodes: what the run decided up front and what it shares.

    Built inside the running event loop, before any node starts: which texts are written again
    (``--llm-refresh-stale``), which upstream nodes each node waits for, and what each node's prompt
    shows of the parents it does not wait for.
    """

    def __init__(
        self,
        plan: DocumentPlan,
        client: LLMClient,
        prompts: PromptSet,
        settings: LLMSettings,
        options: SynthesisOptions,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.plan, self.client, self.prompts = plan, client, prompts
        self.settings, self.options, self.on_progress = settings, options, on_progress
        self.report = SynthesisReport()
        target_ids = {node.unique_id for node in plan.targets}
        self.targets = [node for node in plan.order if node.unique_id in target_ids]
        self.finished = {node.unique_id: asyncio.Event() for node in self.targets}
        self.in_flight = asyncio.Semaphore(max(1, settings.concurrency))
        self.generated_by = (
            {"provider": client.provider, "model": client.model} if options.mark_generated else None
        )
        # Decided before anything changes, from the YAML as it is: what `yaml review` calls stale.
        self.redo: dict[str, Redo] = {}
        if options.refresh_stale:
            for node in self.targets:
                again = stale_texts(context_for(plan, node))
                if again:
                    self.redo[node.unique_id] = again
        self.waits_on = dependencies_that_matter(plan, self.targets, self.redo)
        #: Nodes waiting for a batch (``--llm-batch``): their children that would inherit from them wait too.
        self.pending: set[str] = set()
        #: Texts marked this run, per node: their marks get the hash of the node's inputs at the end.
        self.marked: dict[str, tuple[bool, set[str]]] = {}
        # What each node's prompt shows of a parent it does not wait for is that parent as it was before
        # synthesis: the same prompt whatever order the nodes finish in, so a rerun finds it in the cache.
        self.before = {node.unique_id: yaml_description(plan, node) for node in self.targets}
        # All YAML work (inheritance, prompts, edits) runs on one worker thread: serialised, so the plan
        # needs no locks, and off the event loop, so parsing a file never delays sending or reading requests.
        self.yaml_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osmosis-yaml")
        self.loop = asyncio.get_running_loop()

    async def run(self) -> SynthesisReport:
        """Synthesize every node, then stamp the inputs of the texts marked; return the report."""
        # Requests queue for a slot in the order their tasks start: start first the nodes that others
        # wait for, longest chain of waiters first, so the DAG's critical path never trails at the end.
        height = waiting_chain_length(self.targets, self.waits_on)
        ordered = sorted(self.targets, key=lambda node: -height[node.unique_id])
        try:
            await asyncio.gather(*(self.run_node(node) for node in ordered))
            # Once every node is done, so that a mark's hash sees its parents as they are written.
            await self.on_yaml_thread(lambda: _stamp_all(self.plan, self.marked, self.report))
        finally:
            self.yaml_worker.shutdown(wait=True)
        return self.report

    async def on_yaml_thread(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` on the run's one YAML thread."""
        return await self.loop.run_in_executor(self.yaml_worker, work)

    async def run_node(self, node: Node) -> None:
        """One node's steps; a failure is reported on its outcome and never ends the run."""
        await self.wait_for_dependencies(node)
        context = context_for(self.plan, node)
        outcome = NodeOutcome(
            node.display_name,
            context.schema_file.display_path if context.schema_file else "",
            dry_run=isinstance(self.client, EstimatingClient),
        )
        try:
            if any(parent in self.pending for parent in self.waits_on[node.unique_id]):
                # Its question depends on a parent's answer still in a batch: asked by a later run.
                outcome.pending = True
                self.report.outcomes.append(outcome)
            else:
                gap, requests = await self.on_yaml_thread(lambda: self.prepare(context, outcome))
                if requests:
                    answered = await self.ask(node, gap, requests, outcome)
                    if not outcome.pending:
                        await self.on_yaml_thread(lambda: self.apply(context, gap, outcome, answered))
            if outcome.pending:
                self.pending.add(node.unique_id)
        except Exception as exc:  # one node's failure must never end the run
            _fail_node(self.report, outcome, exc)
        finally:
            try:
                await self.on_yaml_thread(lambda: self.finish(context, outcome))
            except Exception as exc:  # same: report the node, keep the others
                _fail_node(self.report, outcome, exc)
            self.finished[node.unique_id].set()

    async def wait_for_dependencies(self, node: Node) -> None:
        """Wait until every upstream node this one waits for is finished."""
        for parent_id in self.waits_on[node.unique_id]:
            await self.finished[parent_id].wait()

    def prepare(self, context: NodeContext, outcome: NodeOutcome) -> tuple[Gap, Requests]:
        """Inherit again, find what the node still lacks, and build its requests (none: nothing to ask)."""
        inherit_column_docs(context)  # upstream may have been synthesized since the first pass
        gap = find_gap(context, self.redo.get(context.node.unique_id))
        if not gap:
            return gap, []
        outcome.asked_table, outcome.asked_columns = gap.table, len(gap.columns)
        settled = set(self.waits_on[context.node.unique_id])
        shown = {uid: text for uid, text in self.before.items() if uid not in settled}
        return gap, build_requests(
            context,
            gap,
            self.prompts,
            self.settings,
            self.options,
            parent_descriptions=shown,
            redo=self.redo.get(context.node.unique_id),
        )

    async def ask(self, node: Node, gap: Gap, requests: Requests, outcome: NodeOutcome) -> Answered:
        """Send the node's requests together; return the usable answers, noting the others on ``outcome``."""
        fresh = self.redo.get(node.unique_id, Redo()).rejected
        self.report.outcomes.append(outcome)
        if self.options.keep_prompts:
            outcome.prompts = [request for request, _ in requests]
        with usage_scope() as outcome.usage:
            results = await asyncio.gather(
                *(
                    self.answer(request, chunk, gap.table and index == 0, outcome, fresh, node)
                    for index, (request, chunk) in enumerate(requests)
                ),
                return_exceptions=True,
            )
        answered: Answered = []
        for (_, chunk), result in zip(requests, results, strict=True):
            if isinstance(result, BatchPending):
                outcome.pending = True
            elif isinstance(result, BudgetExhausted):
                self.report.budget_exhausted = True
                # A node whose attempts were sent (then failed, or were retried) was asked: it was the
                # answer the budget ran out before.
                sent = outcome.usage is not None and outcome.usage.totals().requests > 0
                outcome.skipped = (
                    "the budget ran out before it was answered"
                    if sent
                    else "the budget ran out before it was asked"
                )
            elif isinstance(result, (_Stopped, LLMAuthError)):
                outcome.skipped = "synthesis stopped: authentication failed"
            elif isinstance(result, LLMProviderDownError):
                # Its own failure opened the breaker, or it was never sent; the answer is said once,
                # on the run's stop line.
                outcome.skipped = (
                    "provider down (its request failed)" if result.sent else "not asked: provider down"
                )
            elif isinstance(result, LLMError):
                # The node's line counts its requests (retries included): one count, not two.
                outcome.error = result.line(attempts=False)
            elif isinstance(result, BaseException):
                raise result
            else:
                answered.append((chunk, result))
        # A node is applied whole, with every answer the synchronous run would apply, or not yet.
        return [] if outcome.pending else answered

    async def answer(
        self,
        request: LLMRequest,
        chunk: tuple[str, ...],
        want_table: bool,
        outcome: NodeOutcome,
        fresh: bool,
        node: Node,
    ) -> _Answer:
        """One request's parsed answer: from the cache, or asked (and asked again once if unusable)."""
        client, cache, options = self.client, self.options.cache, self.options
        key = (
            request_key(client.provider, client.model, request, answer_settings(self.settings))
            if cache is not None
            else ""
        )
        # A rejected text must not come back from the cache: the same question is asked anew.
        if cache is not None and not fresh:
            hit = cache.get(key, request.schema_to_validate())
            if hit is not None:
                outcome.cached += 1
                return _Answer(hit.parsed, hit.provider or client.provider, hit.model or client.model)
        response: LLMResponse | None = None
        try:
            response = await self.send(request, outcome)
            problem = incomplete(response.parsed, chunk, want_table) or describe(
                self.quality(response.parsed, chunk, want_table, node)
            )
        except LLMResponseError as exc:
            if not options.reask_invalid:
                raise
            problem = exc.message
        if problem is not None and options.reask_invalid:
            outcome.reasked += 1
            try:
                response = await self.send(reask(request, problem), outcome)
            except (LLMError, BudgetExhausted, _Stopped):
                if response is None:
                    raise
                # The first answer parsed but lacked something; it is still worth applying.
        if response is None:
            raise LLMResponseError(problem or "the provider sent no usable answer")
        # The provider that wrote it: the primary, or a fallback while the primary was down.
        writer = _Answer(
            response.parsed, response.provider or client.provider, response.model or client.model
        )
        # An answer that still says nothing in places is not kept: the next run asks anew.
        clean = not self.quality(response.parsed, chunk, want_table, node)
        if cache is not None and options.store_answers and response.parsed is not None and clean:
            # Kept on disk before it is applied: a crash from here on never costs this answer again.
            cache.put(
                key, response.parsed, usage=response.usage, provider=writer.provider, model=writer.model
            )
        return writer

    def quality(self, parsed: Any, chunk: tuple[str, ...], want_table: bool, node: Node) -> dict[str, str]:
        """What says nothing in an answer, by place ("" for the model description); none in a dry run."""
        if isinstance(self.client, EstimatingClient):
            return {}
        return answer_problems(
            parsed,
            chunk,
            model_name=node.name,
            want_table=want_table,
            model_description=self.before.get(node.unique_id, ""),
            max_chars=self.settings.max_description_chars,
            language=self.prompts.variables.get("language") or "English",
        )

    async def send(self, request: LLMRequest, outcome: NodeOutcome) -> LLMResponse:
        """Send one request once a slot is free, within the budget; a rejected key stops the run."""
        budget = self.options.budget
        async with self.in_flight:
            if self.report.auth_error is not None:
                raise _Stopped(self.report.auth_error)
            if self.report.provider_down is not None:
                raise LLMProviderDownError(self.report.provider_down)
            # Reserved only once a slot is free: "in flight" means really on its way to the provider.
            reservation = None
            if budget is not None:
                if getattr(self.client, "enforces_budget", False):
                    # The client reserves for every attempt it sends, retries included.
                    request = dataclasses.replace(request, budget=budget)
                    budget = None
                else:
                    reservation = budget.reserve_request(request)
            outcome.requests += 1
            response: LLMResponse | None = None
            try:
                response = await self.client.acomplete(request)
                return response
            except BatchPending:
                outcome.requests -= 1  # noted for a batch, not sent
                raise
            except LLMAuthError as exc:
                if self.report.auth_error is None:
                    self.report.auth_error = exc.line(attempts=False)
                raise
            except LLMProviderDownError as exc:
                # Said once for the run. Stopped before it was sent: not a request.
                if not exc.sent:
                    outcome.requests -= 1
                if self.report.provider_down is None:
                    self.report.provider_down = str(exc)
                raise
            finally:
                if budget is not None and reservation is not None:
                    if response is None:
                        budget.settle(reservation, None)
                    else:
                        budget.settle(
                            reservation, response.usage, provider=response.provider, model=response.model
                        )

    def apply(self, context: NodeContext, gap: Gap, outcome: NodeOutcome, answered: Answered) -> None:
        """Write the node's answers into its YAML, marking them when the run marks (or rewrites) texts."""
        client = self.client
        again = self.redo.get(context.node.unique_id)
        # A stale text keeps its mark when it is written again, whether or not this run marks.
        marking = self.generated_by or (
            {"provider": client.provider, "model": client.model} if again else None
        )
        inputs = current_inputs_hash(context) if marking else ""
        for index, (chunk, answer) in enumerate(answered):
            want_table = gap.table and index == 0
            # Each text's mark names the provider and model that wrote it.
            mark = {"provider": answer.provider, "model": answer.model, "inputs": inputs} if marking else None
            apply_answer(
                context,
                answer.parsed,
                chunk,
                want_table=want_table,
                outcome=outcome,
                problems=self.quality(answer.parsed, chunk, want_table, context.node),
                generated_by=mark,
                max_chars=self.settings.max_description_chars,
                redo=again,
            )
        if marking and (outcome.table_filled or outcome.columns_filled):
            self.marked[context.node.unique_id] = (
                outcome.table_filled,
                {column_key(name) for name in outcome.columns_filled},
            )

    def finish(self, context: NodeContext, outcome: NodeOutcome) -> None:
        """Learn what the node now documents (for its children) and report its outcome."""
        learn(context)
        if self.on_progress is not None:
            self.on_progress(outcome)


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
    report = await SynthesisRun(plan, client, prompts, settings, options, on_progress).run()
    report.seconds = time.perf_counter() - started
    return report


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
    """Stamp the inputs of every text marked this run; a node whose stamps fail is reported failed."""
    for unique_id, (table, columns) in marked.items():
        try:
            stamp_inputs(context_for(plan, plan.project.nodes[unique_id]), table, columns)
        except Exception as exc:  # one node's marks must never cost the others' work
            outcome = next(
                (o for o in report.outcomes if o.node == plan.project.nodes[unique_id].display_name), None
            )
            if outcome is not None:
                _fail_node(report, outcome, exc)
