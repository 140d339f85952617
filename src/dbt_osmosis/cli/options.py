"""Every click option of the command line, declared once, and the parsing of them into typed runs.

Commands pick their options from the groups below; the functions at the end turn click's parameters
into the API's frozen options, so nothing past this module reads an untyped parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from dbt_osmosis.api import (
        AnalyzeDocsRun,
        DocumentOptions,
        DocumentRun,
        LLMOptions,
        OrganizeRun,
        ProjectLocation,
        ReviewRun,
        Selection,
    )

__all__ = [
    "ANALYZE_DOCS_OPTIONS",
    "DBT_OPTIONS",
    "DOCUMENT_AUTO_APPLY",
    "LEGACY_DOCUMENT_OPTIONS",
    "LLM_OPTIONS",
    "ORGANIZE_AUTO_APPLY",
    "ORGANIZE_RECOVER",
    "YAML_OPTIONS",
    "analyze_docs_run",
    "apply",
    "document_run",
    "ignored_llm_flags",
    "organize_run",
    "project_location",
    "review_run",
]

F = TypeVar("F", bound=Callable[..., Any])

PROJECT_DIR = click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="DBT_PROJECT_DIR",
    show_envvar=True,
    help="The dbt project folder (holds dbt_project.yml). Default: the nearest folder at or above "
    "the current one that holds dbt_project.yml.",
)
PROFILES_DIR = click.option(
    "--profiles-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="DBT_PROFILES_DIR",
    show_envvar=True,
    help="Folder with profiles.yml. Default: the project folder if it holds one, then ~/.dbt.",
)
PROFILE = click.option("--profile", default=None, help="The profile to use (overrides dbt_project.yml).")
TARGET = click.option("-t", "--target", default=None, help="The profile target to use.")
THREADS = click.option("--threads", type=int, default=None, envvar="DBT_THREADS", help="Threads for dbt.")
VARS = click.option("--vars", default=None, help="dbt vars as a YAML string, as for `dbt run --vars`.")
MODELS = click.argument("models", nargs=-1)
FQN = click.option("-f", "--fqn", multiple=True, help="Select nodes by fqn prefix, e.g. staging.stripe.")
SELECT = click.option(
    "-s",
    "--select",
    multiple=True,
    help="dbt selection syntax, as for `dbt ls -s`: +orders, tag:finance, path:models/marts, "
    "source:raw+, config.materialized:table, state:modified+ (repeatable).",
)
EXCLUDE = click.option(
    "--exclude", multiple=True, help="dbt selection syntax of nodes to leave out (repeatable)."
)
SELECTOR = click.option("--selector", default=None, help="A selector defined in the project's selectors.yml.")
STATE = click.option(
    "--state",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="DBT_STATE",
    help="Folder with the manifest.json to compare against, for state:modified.",
)
DRY_RUN = click.option("-d", "--dry-run", is_flag=True, help="Compute everything, write nothing.")
CHECK = click.option("-C", "--check", is_flag=True, help="Exit with code 1 if any file would change.")
CATALOG_PATH = click.option(
    "--catalog-path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read columns from this catalog.json instead of querying the warehouse.",
)
DISABLE_INTROSPECTION = click.option(
    "--disable-introspection", is_flag=True, help="Do not query the warehouse; add no columns."
)
FORCE_INHERIT_DESCRIPTIONS = click.option(
    "-F",
    "--force-inherit-descriptions",
    is_flag=True,
    help="Replace existing column descriptions with upstream ones.",
)
SKIP_ADD_COLUMNS = click.option("--skip-add-columns", is_flag=True, help="Do not add missing columns.")
SKIP_ADD_SOURCE_COLUMNS = click.option(
    "--skip-add-source-columns", is_flag=True, help="Do not add missing columns to sources."
)
SKIP_ADD_TAGS = click.option("--skip-add-tags", is_flag=True, help="Do not inherit column tags.")
SKIP_MERGE_META = click.option("--skip-merge-meta", is_flag=True, help="Do not inherit column meta.")
SKIP_ADD_DATA_TYPES = click.option(
    "--skip-add-data-types", is_flag=True, help="Do not add data_type to columns."
)
ADD_PROGENITOR_TO_META = click.option(
    "--add-progenitor-to-meta",
    is_flag=True,
    help="Record in each inherited column's meta which node its description came from.",
)
OUTPUT_TO_LOWER = click.option(
    "--output-to-lower", is_flag=True, help="Write new column names and types in lower case."
)
REMOVE_STALE_COLUMNS = click.option(
    "--remove-stale-columns",
    is_flag=True,
    help="Remove YAML columns that the warehouse no longer has (default: keep and report them).",
)
PLACEHOLDER = click.option(
    "--placeholder",
    "placeholders",
    multiple=True,
    help="Another description text that counts as undocumented (repeatable).",
)
LOG_LEVEL = click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
    help="How much the tool logs.",
)
USE_UNRENDERED_DESCRIPTIONS = click.option(
    "--use-unrendered-descriptions",
    is_flag=True,
    help="Accepted for 1.x scripts; now always on (a {{ doc() }} reference stays a reference).",
)
ADD_INHERITANCE_FOR_SPECIFIED_KEYS = click.option(
    "--add-inheritance-for-specified-keys",
    "inherit_keys",
    multiple=True,
    help="Also inherit these column keys from upstream, e.g. policy_tags (repeatable).",
)
NUMERIC_PRECISION_AND_SCALE = click.option(
    "--numeric-precision-and-scale",
    "--numeric-precision",
    "numeric_precision_and_scale",
    is_flag=True,
    help="Write numeric data types with precision and scale, e.g. NUMBER(38,8).",
)
STRING_LENGTH = click.option(
    "--string-length",
    "--char-length",
    "string_length",
    is_flag=True,
    help="Write character data types with their length, e.g. VARCHAR(128).",
)
SYNTHESIZE = click.option(
    "--synthesize",
    is_flag=True,
    help="Ask the configured LLM (LLM_PROVIDER) for descriptions that inheritance could not fill.",
)
LLM_PROMPT_FILE = click.option(
    "--llm-prompt-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML file with custom prompts and variables (see prompts.example.yaml).",
)
LLM_STATS = click.option(
    "--llm-stats", is_flag=True, help="Print requests, retries, tokens and cost at the end."
)
LLM_TIMEOUT = click.option(
    "--llm-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds to wait for one answer (default 120, OSMOSIS_LLM_TIMEOUT).",
)
LLM_DRY_RUN = click.option(
    "--llm-dry-run",
    is_flag=True,
    help="Make no API call and need no key: show what would be asked and estimate tokens and cost "
    "(implies --synthesize).",
)
LLM_SHOW_PROMPTS = click.option(
    "--llm-show-prompts",
    is_flag=True,
    help="Print the system and user prompts each selected node would send; send nothing "
    "(implies --synthesize --llm-dry-run).",
)
LLM_CONCURRENCY = click.option(
    "--llm-concurrency",
    type=click.IntRange(min=1),
    default=None,
    help="Requests in flight at once (default 8, OSMOSIS_LLM_CONCURRENCY).",
)
LLM_RATE_LIMIT = click.option(
    "--llm-rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Requests per minute for the whole run (default 60, OSMOSIS_LLM_RATE_LIMIT).",
)
LLM_MAX_RETRIES = click.option(
    "--llm-max-retries",
    type=click.IntRange(min=0),
    default=None,
    help="Retries of a transient failure (default 3, OSMOSIS_LLM_MAX_RETRIES).",
)
LLM_BREAKER_THRESHOLD = click.option(
    "--llm-breaker-threshold",
    type=click.IntRange(min=0),
    default=None,
    help="Stop asking the provider after this many failures in a row that say it is down (5xx, "
    "timeouts, refused or dropped connections, counted together); the nodes not asked are reported "
    "(default 5, 0 never stops, OSMOSIS_LLM_BREAKER_THRESHOLD).",
)
LLM_FALLBACK = click.option(
    "--llm-fallback",
    metavar="PROVIDER:MODEL[,PROVIDER:MODEL...]",
    default=None,
    help="Providers to ask, in order, while the primary is down (its circuit breaker open, or a "
    "request's retries all ended in a 5xx, timeout or dropped connection), for "
    "example anthropic:claude-haiku-4-5,openai:gpt-4.1-mini; an empty value asks none "
    "(OSMOSIS_LLM_FALLBACK).",
)
LLM_MARK_GENERATED = click.option(
    "--llm-mark-generated",
    is_flag=True,
    help="Record in the meta of each synthesized description which provider and model wrote it, "
    "and a hash of what it was written from (OSMOSIS_LLM_MARK_GENERATED).",
)
LLM_NO_CACHE = click.option(
    "--llm-no-cache",
    is_flag=True,
    help="Ask the provider even for what the response cache already holds, and store nothing.",
)
LLM_MAX_COST = click.option(
    "--llm-max-cost",
    type=click.FloatRange(min=0),
    default=None,
    help="Spend at most this many US dollars (OSMOSIS_LLM_MAX_COST).",
)
LLM_MAX_REQUESTS = click.option(
    "--llm-max-requests",
    type=click.IntRange(min=0),
    default=None,
    help="Send at most this many requests (OSMOSIS_LLM_MAX_REQUESTS).",
)
LLM_SERVICE_TIER = click.option(
    "--llm-service-tier",
    type=click.Choice(["standard", "flex"]),
    default=None,
    help="flex: OpenAI's and Gemini's slower tier at batch prices (longer timeout; a request the "
    "provider has no flex capacity for is retried, then sent at the standard tier: see "
    "--llm-flex-unavailable); other providers ignore it.",
)
LLM_FLEX_UNAVAILABLE = click.option(
    "--llm-flex-unavailable",
    type=click.Choice(["standard", "fail"]),
    default=None,
    help="With --llm-service-tier flex, a request the provider has no flex capacity for, once its "
    "retries are spent: standard (default) re-sends it at the standard tier and price, fail fails "
    "its node (OSMOSIS_LLM_FLEX_UNAVAILABLE).",
)
LLM_REFRESH_STALE = click.option(
    "--llm-refresh-stale",
    is_flag=True,
    help="Write again model-written (marked) text whose SQL, columns or upstream docs changed since, "
    "and text a reviewer rejected; unmarked text is never touched.",
)
LLM_STYLE_GUIDE = click.option(
    "--llm-style-guide",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="House style guide put into every request (OSMOSIS_LLM_STYLE_GUIDE; default: the project's "
    "dbt-styleguide.md, if any).",
)
LLM_LANGUAGE = click.option(
    "--llm-language",
    default=None,
    help="Language to write descriptions in, e.g. German (OSMOSIS_LLM_LANGUAGE; default English); an "
    "answer in another language is asked for again.",
)
LLM_ALLOW_PARTIAL = click.option(
    "--llm-allow-partial",
    is_flag=True,
    help="Start even when the estimate exceeds the budget; stop when it is reached (exit 3).",
)
LLM_BATCH = click.option(
    "--llm-batch",
    is_flag=True,
    help="Synthesize through the provider's batch API at half the price (OpenAI, Azure, Anthropic, "
    "Gemini): submits one batch per DAG wave and exits 4 while answers are pending; run the same "
    "command again to collect them. Nothing is written until every answer is in.",
)
LLM_BATCH_CANCEL = click.option(
    "--llm-batch-cancel",
    is_flag=True,
    help="Cancel the project's batches in flight (answers already collected are kept) and exit.",
)

DOCUMENT_AUTO_APPLY = click.option(
    "--auto-apply", is_flag=True, help="Accepted for 1.x scripts; changes nothing here."
)
ORGANIZE_AUTO_APPLY = click.option(
    "--auto-apply", is_flag=True, help="Apply the moves without asking (1.x); asks only on a terminal."
)
ORGANIZE_RECOVER = click.option(
    "--recover",
    is_flag=True,
    help="Only finish the moves of a run that was killed while writing (every run does this first).",
)
REVIEW_CHECK = click.option(
    "-C",
    "--check",
    is_flag=True,
    help="Exit with code 1 while model-written text is unreviewed or a copy of a rejected text is "
    "left downstream; 3 when a selected node's entry is shared through a YAML anchor.",
)
ACCEPT = click.option(
    "--accept", is_flag=True, help="Keep the selected model-written text and remove its marks."
)
REJECT = click.option(
    "--reject",
    is_flag=True,
    help="Remove the selected model-written text and its marks, and the copies inheritance made of it "
    "downstream; it is not asked for again until --synthesize runs with --llm-refresh-stale. Text a "
    "person edited under its mark is kept.",
)
MIN_COLUMN_COVERAGE = click.option(
    "--min-column-coverage",
    type=click.FloatRange(min=0, max=100),
    default=100.0,
    show_default=True,
    help="Percent of documented columns below which the command exits 1.",
)
FAIL_ON_GAPS = click.option(
    "--fail-on-gaps/--allow-gaps",
    default=True,
    show_default=True,
    help="Exit 1 when any description is missing or too short.",
)
MIN_MODEL_LENGTH = click.option(
    "--min-model-length",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Characters a model description needs to count as documented.",
)
MIN_COLUMN_LENGTH = click.option(
    "--min-column-length",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Characters a column description needs to count as documented.",
)
MODEL_FILTER = click.option("--model-filter", default=None, help="Only models whose name contains this text.")
REPORT_FORMAT = click.option(
    "--format",
    "report_format",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="table for a terminal, json for scripts, markdown for a pull-request comment.",
)
REPORT_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of the terminal.",
)
SQL = click.argument("sql")
LIMIT = click.option(
    "--limit",
    type=int,
    default=50,
    show_default=True,
    help="At most this many rows (-1: all of them).",
)
SQL_OUTPUT = click.option(
    "--output",
    type=click.Choice(["table", "csv", "json", "jsonl"]),
    default="table",
    show_default=True,
    help="How the rows are printed: a table (full width when piped), or streamed row by row as CSV, "
    "a JSON array of objects (json), or JSON Lines, one object per line (jsonl).",
)
TEST_LLM_TIMEOUT = click.option(
    "--llm-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds to wait for the answer.",
)

#: Where the dbt project is and how dbt loads it (named and found as in dbt).
DBT_OPTIONS = (PROJECT_DIR, PROFILES_DIR, PROFILE, TARGET, THREADS, VARS)
#: Shared by the YAML commands.
YAML_OPTIONS = (
    MODELS,
    FQN,
    SELECT,
    EXCLUDE,
    SELECTOR,
    STATE,
    DRY_RUN,
    CHECK,
    CATALOG_PATH,
    DISABLE_INTROSPECTION,
    FORCE_INHERIT_DESCRIPTIONS,
    SKIP_ADD_COLUMNS,
    SKIP_ADD_SOURCE_COLUMNS,
    SKIP_ADD_TAGS,
    SKIP_MERGE_META,
    SKIP_ADD_DATA_TYPES,
    ADD_PROGENITOR_TO_META,
    OUTPUT_TO_LOWER,
    REMOVE_STALE_COLUMNS,
    PLACEHOLDER,
    LOG_LEVEL,
)
#: 1.x options of ``yaml document`` and ``yaml refactor`` that this release gave no new name.
LEGACY_DOCUMENT_OPTIONS = (
    USE_UNRENDERED_DESCRIPTIONS,
    ADD_INHERITANCE_FOR_SPECIFIED_KEYS,
    NUMERIC_PRECISION_AND_SCALE,
    STRING_LENGTH,
)
#: Switch on LLM synthesis and tune it (flags win over OSMOSIS_LLM_* variables).
LLM_OPTIONS = (
    SYNTHESIZE,
    LLM_PROMPT_FILE,
    LLM_STATS,
    LLM_TIMEOUT,
    LLM_DRY_RUN,
    LLM_SHOW_PROMPTS,
    LLM_CONCURRENCY,
    LLM_RATE_LIMIT,
    LLM_MAX_RETRIES,
    LLM_BREAKER_THRESHOLD,
    LLM_FALLBACK,
    LLM_MARK_GENERATED,
    LLM_NO_CACHE,
    LLM_MAX_COST,
    LLM_MAX_REQUESTS,
    LLM_SERVICE_TIER,
    LLM_FLEX_UNAVAILABLE,
    LLM_REFRESH_STALE,
    LLM_ALLOW_PARTIAL,
    LLM_STYLE_GUIDE,
    LLM_LANGUAGE,
    LLM_BATCH,
    LLM_BATCH_CANCEL,
)
REVIEW_OPTIONS = (MODELS, FQN, SELECT, EXCLUDE, SELECTOR, ACCEPT, REJECT, REVIEW_CHECK, PLACEHOLDER)
SQL_OPTIONS = (SQL, LOG_LEVEL)
#: ``sql run`` only.
SQL_RUN_OPTIONS = (LIMIT, SQL_OUTPUT)
#: ``analyze docs``: dbt's selection, then 1.5.0's options.
ANALYZE_DOCS_OPTIONS = (
    MODELS,
    FQN,
    SELECT,
    EXCLUDE,
    SELECTOR,
    STATE,
    MIN_COLUMN_COVERAGE,
    FAIL_ON_GAPS,
    MIN_MODEL_LENGTH,
    MIN_COLUMN_LENGTH,
    MODEL_FILTER,
    REPORT_FORMAT,
    REPORT_OUTPUT,
    LOG_LEVEL,
)


def apply(*groups: Sequence[Callable[[Any], Any]]) -> Callable[[F], F]:
    """One decorator applying the options of ``groups`` in order (the first is the first in --help)."""

    def decorate(func: F) -> F:
        for decorator in reversed([option for group in groups for option in group]):
            func = decorator(func)
        return func

    return decorate


# --- click parameters -> typed runs ----------------------------------------------------------------


def project_location(params: Mapping[str, Any]) -> ProjectLocation:
    """Where the project is (``--project-dir`` or ``DBT_PROJECT_DIR``, read by click) and how to load it."""
    from dbt_osmosis.api import ProjectLocation

    return ProjectLocation(
        project_dir=params.get("project_dir"),
        profiles_dir=params.get("profiles_dir"),
        profile=params.get("profile"),
        target=params.get("target"),
        threads=params.get("threads"),
        vars=params.get("vars"),
    )


def selection(params: Mapping[str, Any]) -> Selection:
    """The node selection given on the command line."""
    from dbt_osmosis.api import Selection

    return Selection(
        models=tuple(params.get("models", ())),
        fqn=tuple(params.get("fqn", ())),
        select=tuple(params.get("select", ())),
        exclude=tuple(params.get("exclude", ())),
        selector=params.get("selector"),
        state=params.get("state"),
    )


def document_options(params: Mapping[str, Any]) -> DocumentOptions:
    """The pipeline options of ``yaml document`` and ``yaml refactor``."""
    from dbt_osmosis.api import DocumentOptions
    from dbt_osmosis.core.document.inheritance import DEFAULT_PLACEHOLDERS

    chosen = selection(params)
    return DocumentOptions(
        models=chosen.models,
        fqn=chosen.fqn,
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
        select=chosen.select,
        exclude=chosen.exclude,
        selector=chosen.selector,
        state=chosen.state,
    )


def llm_options(params: Mapping[str, Any]) -> LLMOptions:
    """The ``--synthesize`` and ``--llm-*`` options (``--llm-stats`` is only how the result is shown)."""
    from dbt_osmosis.api import LLMOptions

    return LLMOptions(
        synthesize=params["synthesize"],
        prompt_file=params["llm_prompt_file"],
        timeout=params["llm_timeout"],
        dry_run=params["llm_dry_run"],
        show_prompts=params["llm_show_prompts"],
        concurrency=params["llm_concurrency"],
        rate_limit=params["llm_rate_limit"],
        max_retries=params["llm_max_retries"],
        breaker_threshold=params["llm_breaker_threshold"],
        fallback=fallback_chain(params.get("llm_fallback")),
        mark_generated=params["llm_mark_generated"],
        no_cache=params["llm_no_cache"],
        max_cost=params["llm_max_cost"],
        max_requests=params["llm_max_requests"],
        service_tier=params.get("llm_service_tier"),
        flex_unavailable=params.get("llm_flex_unavailable"),
        refresh_stale=params["llm_refresh_stale"],
        allow_partial=params["llm_allow_partial"],
        style_guide=params["llm_style_guide"],
        language=params["llm_language"],
        batch=params["llm_batch"],
        batch_cancel=params["llm_batch_cancel"],
    )


def document_run(params: Mapping[str, Any]) -> DocumentRun:
    """A ``yaml document`` / ``yaml refactor`` run from its click parameters."""
    from dbt_osmosis.api import DocumentRun

    return DocumentRun(
        project=project_location(params),
        options=document_options(params),
        llm=llm_options(params),
        check=params["check"],
        dry_run=params["dry_run"],
    )


def fallback_chain(value: str | None) -> tuple[str, ...] | None:
    """``--llm-fallback``'s entries (``None``: not given; an empty value: no fallback at all).

    Only split here: the API checks each entry (its form, its provider) and says which is wrong.
    """
    if value is None:
        return None
    return tuple(item.strip() for item in value.split(",") if item.strip())


def ignored_llm_flags(params: Mapping[str, Any], llm: LLMOptions) -> list[str]:
    """``--llm-*`` flags given to a run that asks no LLM, in the order they were given."""
    # --llm-batch-cancel is a run of its own, and it uses the other --llm-* settings to reach the provider.
    if llm.wanted or llm.batch_cancel:
        return []
    return [
        "--" + name.replace("_", "-")
        for name, value in params.items()
        if name.startswith("llm_") and value not in (None, False, (), "")
    ]


def organize_run(params: Mapping[str, Any]) -> OrganizeRun:
    """A ``yaml organize`` run from its click parameters."""
    from dbt_osmosis.api import OrganizeRun

    return OrganizeRun(
        project=project_location(params),
        selection=selection(params),
        disable_introspection=params["disable_introspection"],
        output_to_lower=params["output_to_lower"],
        skip_add_data_types=params["skip_add_data_types"],
        check=params["check"],
        dry_run=params["dry_run"],
        recover=bool(params.get("recover")),
    )


def review_run(params: Mapping[str, Any]) -> ReviewRun:
    """A ``yaml review`` run from its click parameters; ``UsageError`` for --accept with --reject."""
    from dbt_osmosis.api import ReviewRun
    from dbt_osmosis.core.document.inheritance import DEFAULT_PLACEHOLDERS
    from dbt_osmosis.core.errors import UsageError

    if params["accept"] and params["reject"]:
        raise UsageError("Give --accept or --reject, not both: a text is either kept or removed.")
    return ReviewRun(
        project=project_location(params),
        models=tuple(params["models"]),
        fqn=tuple(params["fqn"]),
        placeholders=(*DEFAULT_PLACEHOLDERS, *params["placeholders"]),
        verdict="accept" if params["accept"] else ("reject" if params["reject"] else None),
        check=params["check"],
        selection=selection({k: v for k, v in params.items() if k not in ("models", "fqn")}),
    )


def analyze_docs_run(params: Mapping[str, Any]) -> AnalyzeDocsRun:
    """An ``analyze docs`` run from its click parameters."""
    from dbt_osmosis.api import AnalyzeDocsRun
    from dbt_osmosis.core.analyze import DocsThresholds

    return AnalyzeDocsRun(
        project=project_location(params),
        selection=selection(params),
        thresholds=DocsThresholds(
            min_model_length=params["min_model_length"],
            min_column_length=params["min_column_length"],
            model_filter=params["model_filter"],
        ),
        min_column_coverage=params["min_column_coverage"],
        fail_on_gaps=params["fail_on_gaps"],
    )
