"""``review()``, ``analyze_docs()``, ``check_llm()`` and the ``sql`` calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING

from dbt_osmosis.core.dbt.project import load_project
from dbt_osmosis.core.dbt.selection import select_nodes
from dbt_osmosis.core.errors import SelectionError
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis.core.analyze import DocsReport
    from dbt_osmosis.core.dbt.sql import RowStream
from dbt_osmosis.api.types import (
    AnalyzeDocsRun,
    LLMCheckResult,
    ProjectLocation,
    ReviewResult,
    ReviewRun,
    fallback_entries,
)

# --- review and check_llm --------------------------------------------------------------------------


def review(run: ReviewRun) -> ReviewResult:
    """List the selection's model-written texts; with a verdict, accept or reject the unreviewed ones."""
    project = load_project(run.project.resolve())
    chosen = run.selection
    nodes = select_nodes(
        project, replace(chosen, models=run.models + chosen.models, fqn=run.fqn + chosen.fqn)
    )
    # Review reads marks through the synthesis package, which loads the LLM layer: only for review.
    from dbt_osmosis.core.synthesis.review import ReviewSession

    session = ReviewSession(project, nodes, run.placeholders)
    result = ReviewResult(items=list(session.items), verdict=run.verdict, check=run.check)
    result.anchored = session.anchored(nodes)
    if run.verdict is not None:
        decide = session.accept if run.verdict == "accept" else session.reject
        result.decided = decide(result.items)  # accept takes edited texts too; reject never does
        result.files_written = session.write()
        result.copies_removed, result.copies_left = session.copies_removed, session.copies_left
        return result
    result.copies_left = session.leftover_copies()
    if run.check and (result.pending or result.copies_left):
        result.exit_code = ExitCode.CHANGES
    elif run.check and result.anchored:
        result.exit_code = ExitCode.INCOMPLETE
    return result


def analyze_docs(run: AnalyzeDocsRun) -> DocsReport:
    """Coverage of the selected models' descriptions, per model, folder and in total; writes nothing."""
    from dbt_osmosis.core.analyze import DocsThresholds, judge, measure_docs

    project = load_project(run.project.resolve())
    thresholds = run.thresholds or DocsThresholds()
    report = measure_docs(project, select_nodes(project, run.selection), thresholds)
    if not report.models and (thresholds.model_filter or run.selection.describe()):
        # A typo in a filter must not pass a CI gate as "100% of nothing".
        raise SelectionError(_no_model_counted(project.project_name, run, thresholds.model_filter))
    return judge(report, run.min_column_coverage, run.fail_on_gaps)


def _no_model_counted(project_name: str, run: AnalyzeDocsRun, model_filter: str | None) -> str:
    chosen = run.selection.describe()
    where = f"the selection {chosen}" if chosen else f"project {project_name}"
    if model_filter:
        return (
            f"No model of {where} has a name containing the model filter {model_filter!r} "
            "(--model-filter, matched case-insensitively). Check its spelling."
        )
    return (
        f"The selection {chosen} holds no model: analyze docs counts models only (seeds, snapshots "
        "and sources are not counted). Select models, for example -s path:models/marts."
    )


def check_llm(
    *,
    timeout: float | None = None,
    on_ask: Callable[[str, str], None] | None = None,
    fallback: str | Sequence[str] | None = None,
    _label: str = "fallback=",
) -> LLMCheckResult:
    """Send one tiny request to the provider configured by the environment; say what is wrong, if anything.

    Then the same to each provider of the fallback chain (``fallback``, as ``LLMOptions.fallback``: a
    sequence of ``"provider[:model]"`` or one comma-separated ``str``; ``None``:
    ``OSMOSIS_LLM_FALLBACK``), reported in ``result.fallbacks``. ``on_ask(provider, model)`` is called
    just before each request is sent. One attempt, no retries: the point is to see the first error. A
    bad configuration raises ``LLMConfigError`` (``_label`` is how it names the chain given here).
    """
    from dbt_osmosis._synthesis_run import ask_once

    chain = fallback_entries(fallback)
    if chain is not None:
        from dbt_osmosis.core.llm.fallback import fallback_configs, parse_fallback

        # Checked here so the message names the chain as the caller gave it (not a CLI flag).
        fallback_configs(parse_fallback(",".join(chain), _label), _label)
    return ask_once(timeout, on_ask, chain)


def sql_compile(sql: str, project: ProjectLocation | None = None) -> str:
    """``sql compile``: the SQL with its Jinja rendered and refs resolved by dbt (secrets shown as ***).

    ``SqlError`` carries dbt's own reason when the SQL does not compile.
    """
    from dbt_osmosis.core.dbt.sql import compile_sql

    return compile_sql((project or ProjectLocation()).resolve(), sql)


def sql_run(
    sql: str, project: ProjectLocation | None = None, limit: int = 50
) -> AbstractContextManager[RowStream]:
    """``sql run``: a ``with`` block over the query's rows, read in batches (``limit`` -1: all of them).

    ``stream.columns`` names the columns; iterate ``stream`` for the rows; afterwards ``stream.more``
    says whether rows past the limit were left out. Values of secret environment variables are ***.
    """
    from dbt_osmosis.core.dbt.sql import stream_sql

    return stream_sql((project or ProjectLocation()).resolve(), sql, limit)
