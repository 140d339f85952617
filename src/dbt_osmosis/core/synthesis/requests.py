"""The requests for one node's gaps, the re-ask after an unusable answer, and their expected tokens.

A prompt shows the node's SQL, its parents' docs for the columns asked about and its own docs; wide
tables are asked about in chunks of columns.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.inheritance import is_placeholder
from dbt_osmosis.core.document.planning import context_for
from dbt_osmosis.core.document.types import DocumentPlan, NodeContext
from dbt_osmosis.core.llm.prompts import PromptSet, fence, model_answer_schema, prepare_sql
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.schema.items import column_items
from dbt_osmosis.core.synthesis.gaps import Gap
from dbt_osmosis.core.synthesis.provenance import Redo
from dbt_osmosis.core.synthesis.types import SynthesisOptions

#: The answer schema sent with every synthesis request (any column names; each node's are checked
#: when its answer is applied).
STABLE_ANSWER_SCHEMA = model_answer_schema(None)

__all__ = [
    "CHARS_PER_TOKEN",
    "CONTEXT_DOC_CHARS",
    "STABLE_ANSWER_SCHEMA",
    "asked_columns",
    "build_requests",
    "expected_tokens",
    "reask",
    "yaml_description",
]


#: Characters per token for estimates; close enough for English prose and SQL across providers.
CHARS_PER_TOKEN = 4


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
    # Requests of one project share their prefix: OpenAI routes them to the same cache with this key.
    cache_key = f"dbt-osmosis:{plan.project.project_name or 'project'}"
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
            # One schema for every node: it opens the prompt the provider caches (OpenAI puts the
            # schema first, Anthropic the tool), so a per-node schema would make every prefix new.
            # The node's own column names are checked when the answer is applied.
            json_schema=STABLE_ANSWER_SCHEMA,
            validation_schema=model_answer_schema(chunk, strict_names=False),
            schema_name="model_documentation",
            operation="synthesize",
            asked=tuple(chunk),
            stable_prefix_chars=len(json.dumps(STABLE_ANSWER_SCHEMA)) + len(system),
            cache_key=cache_key,
        )
        requests.append((request, chunk))
    return requests


def reask(request: LLMRequest, problem: str) -> LLMRequest:
    """The same request with the reason the first answer could not be used, quoted."""
    note = (
        f"Your previous answer could not be used: {problem}\n"
        "Answer again with a single JSON value that matches the requested schema and describes every "
        "listed column."
    )
    return dataclasses.replace(request, messages=(*request.messages, Message("user", note)))


def expected_tokens(request: LLMRequest) -> tuple[int, int]:
    """Prompt and completion tokens a request is expected to use, as the dry run estimates them."""
    # A typical answer: ~40 tokens for the table description and ~30 per column.
    return math.ceil(request.prompt_chars() / CHARS_PER_TOKEN), 40 + 30 * len(asked_columns(request))


def asked_columns(request: LLMRequest) -> list[str]:
    """The column names a request asks about (``LLMRequest.asked``, else its answer schema's enum)."""
    if request.asked:
        return list(request.asked)
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
        written = fixed[parent_id] if parent_id in fixed else yaml_description(plan, parent)
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


def yaml_description(plan: DocumentPlan, node: Node) -> str:
    """The node's description as its YAML says now (empty when it is a placeholder or has no entry)."""
    context = context_for(plan, node)
    if context.entry is None:
        return ""
    description = context.entry.get("description")
    return "" if is_placeholder(description, plan.options.placeholders) else str(description)
