"""The ``dbt-osmosis`` command line: click commands and shared options; the work happens in ``core``."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from dbt_osmosis import __version__
from dbt_osmosis.core.errors import OsmosisError

__all__ = ["cli"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_CHANGES, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def dbt_options(func: F) -> F:
    """Options that say where the dbt project is and how dbt loads it (named as in dbt itself)."""
    decorators = [
        click.option(
            "--project-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("."),
            show_default=True,
            help="The dbt project folder (holds dbt_project.yml).",
        ),
        click.option(
            "--profiles-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Folder with profiles.yml. Default: $DBT_PROFILES_DIR, the project folder, then ~/.dbt.",
        ),
        click.option("-t", "--target", default=None, help="The profile target to use."),
        click.option("--threads", type=int, default=None, help="Threads for dbt."),
        click.option("--vars", default=None, help="dbt vars as a YAML string, as for `dbt run --vars`."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def yaml_options(func: F) -> F:
    """Options shared by the YAML commands."""
    decorators = [
        click.argument("models", nargs=-1),
        click.option("-f", "--fqn", multiple=True, help="Select nodes by fqn prefix, e.g. staging.stripe."),
        click.option("-d", "--dry-run", is_flag=True, help="Compute everything, write nothing."),
        click.option("-C", "--check", is_flag=True, help="Exit with code 1 if any file would change."),
        click.option(
            "--catalog-path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Read columns from this catalog.json instead of querying the warehouse.",
        ),
        click.option(
            "--disable-introspection", is_flag=True, help="Do not query the warehouse; add no columns."
        ),
        click.option(
            "-F",
            "--force-inherit-descriptions",
            is_flag=True,
            help="Replace existing column descriptions with upstream ones.",
        ),
        click.option("--skip-add-columns", is_flag=True, help="Do not add missing columns."),
        click.option(
            "--skip-add-source-columns", is_flag=True, help="Do not add missing columns to sources."
        ),
        click.option("--skip-add-tags", is_flag=True, help="Do not inherit column tags."),
        click.option("--skip-merge-meta", is_flag=True, help="Do not inherit column meta."),
        click.option("--skip-add-data-types", is_flag=True, help="Do not add data_type to columns."),
        click.option(
            "--add-progenitor-to-meta",
            is_flag=True,
            help="Record in each inherited column's meta which node its description came from.",
        ),
        click.option(
            "--output-to-lower", is_flag=True, help="Write new column names and types in lower case."
        ),
        click.option(
            "--remove-stale-columns",
            is_flag=True,
            help="Remove YAML columns that the warehouse no longer has (default: keep and report them).",
        ),
        click.option(
            "--placeholder",
            "placeholders",
            multiple=True,
            help="Another description text that counts as undocumented (repeatable).",
        ),
        click.option(
            "--log-level",
            type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
            default="WARNING",
            show_default=True,
            help="How much the tool logs.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def llm_options(func: F) -> F:
    """Options that switch on LLM synthesis and tune it (flags win over OSMOSIS_LLM_* variables)."""
    decorators = [
        click.option(
            "--synthesize",
            is_flag=True,
            help="Ask the configured LLM (LLM_PROVIDER) for descriptions that inheritance could not fill.",
        ),
        click.option(
            "--llm-prompt-file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="YAML file with custom prompts and variables (see prompts.example.yaml).",
        ),
        click.option(
            "--llm-stats", is_flag=True, help="Print requests, retries, tokens and cost at the end."
        ),
        click.option(
            "--llm-timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help="Seconds to wait for one answer (default 120, OSMOSIS_LLM_TIMEOUT).",
        ),
        click.option(
            "--llm-dry-run",
            is_flag=True,
            help="Make no API call and need no key: show what would be asked and estimate tokens and cost.",
        ),
        click.option(
            "--llm-show-prompts",
            is_flag=True,
            help="Print the system and user prompts each selected node would send; send nothing "
            "(implies --synthesize --llm-dry-run).",
        ),
        click.option(
            "--llm-concurrency",
            type=click.IntRange(min=1),
            default=None,
            help="Requests in flight at once (default 8, OSMOSIS_LLM_CONCURRENCY).",
        ),
        click.option(
            "--llm-rate-limit",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help="Requests per minute for the whole run (default 60, OSMOSIS_LLM_RATE_LIMIT).",
        ),
        click.option(
            "--llm-max-retries",
            type=click.IntRange(min=0),
            default=None,
            help="Retries of a transient failure (default 3, OSMOSIS_LLM_MAX_RETRIES).",
        ),
        click.option(
            "--llm-mark-generated",
            is_flag=True,
            help="Record in the meta of each synthesized description which provider and model wrote it, "
            "and a hash of what it was written from (OSMOSIS_LLM_MARK_GENERATED).",
        ),
        click.option(
            "--llm-no-cache",
            is_flag=True,
            help="Ask the provider even for what the response cache already holds, and store nothing.",
        ),
        click.option(
            "--llm-max-cost",
            type=click.FloatRange(min=0),
            default=None,
            help="Spend at most this many US dollars (OSMOSIS_LLM_MAX_COST).",
        ),
        click.option(
            "--llm-max-requests",
            type=click.IntRange(min=0),
            default=None,
            help="Send at most this many requests (OSMOSIS_LLM_MAX_REQUESTS).",
        ),
        click.option(
            "--llm-refresh-stale",
            is_flag=True,
            help="Write again model-written (marked) text whose SQL, columns or upstream docs changed since, "
            "and text a reviewer rejected; unmarked text is never touched.",
        ),
        click.option(
            "--llm-allow-partial",
            is_flag=True,
            help="Start even when the estimate exceeds the budget; stop when it is reached (exit 3).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-v", prog_name="dbt-osmosis")
def cli() -> None:
    """Keep dbt YAML documentation in step with the warehouse and the DAG."""


@cli.group()
def yaml() -> None:
    """Maintain the schema YAML files of a dbt project."""


@yaml.command()
@dbt_options
@yaml_options
@llm_options
def document(**params: Any) -> None:
    """Add missing columns and data types, inherit column docs down the DAG, and write the YAML back.

    MODELS are node names or paths under the project; with none, every model, seed, snapshot and source
    of the project is documented.
    """
    from dbt_osmosis.cli.document_command import run_document

    logging.basicConfig(level=params["log_level"].upper(), format="%(levelname)s %(name)s: %(message)s")
    sys.exit(_run_reporting_errors(lambda console: run_document(params, console)))


@yaml.command()
@dbt_options
@click.argument("models", nargs=-1)
@click.option("-f", "--fqn", multiple=True, help="Select nodes by fqn prefix, e.g. staging.stripe.")
@click.option("--accept", is_flag=True, help="Keep the selected model-written text and remove its marks.")
@click.option(
    "--reject",
    is_flag=True,
    help="Remove the selected model-written text and its marks; it is not asked for again until "
    "--synthesize runs with --llm-refresh-stale.",
)
@click.option("-C", "--check", is_flag=True, help="Exit with code 1 while model-written text is unreviewed.")
@click.option(
    "--placeholder",
    "placeholders",
    multiple=True,
    help="Another description text that counts as undocumented (repeatable).",
)
def review(**params: Any) -> None:
    """List model-written text (marked by --llm-mark-generated) and accept or reject it.

    MODELS are node names or paths under the project; with none, every node is reviewed.
    """
    from dbt_osmosis.cli.review_command import run_review

    sys.exit(_run_reporting_errors(lambda console: run_review(params, console)))


@cli.command("test-llm")
@click.option(
    "--llm-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds to wait for the answer.",
)
def test_llm(llm_timeout: float | None) -> None:
    """Check the configured LLM provider with one tiny request and say what is wrong, if anything."""
    from dbt_osmosis.cli.test_llm_command import run_test_llm

    sys.exit(_run_reporting_errors(lambda console: run_test_llm(console, timeout=llm_timeout)))


def _run_reporting_errors(run: Callable[[Console], int]) -> int:
    """Run a command; bad input (project, YAML or LLM configuration) is one red line and exit code 2."""
    from dbt_osmosis.core.llm.exceptions import LLMConfigError

    # soft_wrap: a line printed to a pipe or a CI log stays one line instead of wrapping at 80 columns.
    console = Console(stderr=False, highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default", DeprecationWarning)
        try:
            code = run(console)
        except KeyboardInterrupt:
            errors.print("Interrupted: nothing written.")
            code = EXIT_INTERRUPTED
        except (OsmosisError, LLMConfigError) as exc:
            errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            code = EXIT_BAD_INPUT
    if code == EXIT_INTERRUPTED and threading.current_thread() is threading.main_thread():
        # The run stopped in order and said so; another Ctrl-C while the interpreter shuts down
        # (closing warehouse connections, say) would only add a traceback after that line.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Our deprecations reach CLI users once each, as a yellow line, never as a traceback; other
    # libraries' warnings are not ours to show.
    shown: set[str] = set()
    for warning in caught:
        text = str(warning.message)
        if issubclass(warning.category, DeprecationWarning) and "dbt-osmosis" in text and text not in shown:
            shown.add(text)
            errors.print(f"[yellow]deprecated:[/yellow] {escape(text)}", soft_wrap=True)
    return code


if __name__ == "__main__":  # pragma: no cover
    cli()
