"""dbt-osmosis as a library: one call per command, typed options in, a typed result out.

    from dbt_osmosis.api import DocumentRun, LLMOptions, document

    result = document(DocumentRun(llm=LLMOptions(synthesize=True)))
    print(result.exit_code, result.files_written)

Each call owns its run the way the command line does: the project's run lock, the LLM client, the
response cache folder (``<target-path>/dbt-osmosis``), the budget check, the order files are written in,
and the outcome (``result.exit_code`` is the code ``dbt-osmosis`` would exit with). Nothing is printed:
what the command line shows is in the result. Progress and cancellation are hooks the caller passes
in; the command line's progress bar and Ctrl-C handling are one implementation of them.

The LLM layer is loaded only by a run that asks for synthesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbt_osmosis.api._document import document, refactor
from dbt_osmosis.api._organize import organize
from dbt_osmosis.api._tools import analyze_docs, check_llm, review, sql_compile, sql_run
from dbt_osmosis.api.types import (
    AnalyzeDocsRun,
    CancelToken,
    DocumentResult,
    DocumentRun,
    LLMCheckResult,
    LLMOptions,
    NoProgress,
    OrganizeResult,
    OrganizeRun,
    Progress,
    ProjectLocation,
    ReviewResult,
    ReviewRun,
    SynthesisSummary,
)
from dbt_osmosis.core.dbt.selection import Selection
from dbt_osmosis.core.document import Change, DocumentOptions
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.usage import LLMUsageStats
    from dbt_osmosis.core.synthesis import NodeOutcome, SynthesisReport
    from dbt_osmosis.core.synthesis.estimate import ChainEstimate

__all__ = [
    "AnalyzeDocsRun",
    "CancelToken",
    "ChainEstimate",
    "Change",
    "DocumentOptions",
    "DocumentResult",
    "DocumentRun",
    "ExitCode",
    "LLMCheckResult",
    "LLMOptions",
    "LLMUsageStats",
    "NoProgress",
    "NodeOutcome",
    "OrganizeResult",
    "OrganizeRun",
    "Progress",
    "ProjectLocation",
    "ReviewResult",
    "ReviewRun",
    "Selection",
    "SynthesisReport",
    "SynthesisSummary",
    "analyze_docs",
    "check_llm",
    "document",
    "organize",
    "refactor",
    "review",
    "sql_compile",
    "sql_run",
]


#: Result types of the LLM layer re-exported here, imported on first use (see ``__getattr__``).
_LAZY = {
    "ChainEstimate": "dbt_osmosis.core.synthesis.estimate",
    "LLMUsageStats": "dbt_osmosis.core.llm.usage",
    "NodeOutcome": "dbt_osmosis.core.synthesis",
    "SynthesisReport": "dbt_osmosis.core.synthesis",
}


def __getattr__(name: str) -> Any:
    """Re-export the LLM layer's result types without loading it for runs that never synthesize."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
