"""The ``dbt-osmosis`` command line: click commands and shared options; the work happens in ``core``."""

from __future__ import annotations

import atexit
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
    """Options that say where the dbt project is and how dbt loads it (named and found as in dbt)."""
    decorators = [
        click.option(
            "--project-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            envvar="DBT_PROJECT_DIR",
            show_envvar=True,
            help="The dbt project folder (holds dbt_project.yml). Default: the nearest folder at or above "
            "the current one that holds dbt_project.yml.",
        ),
        click.option(
            "--profiles-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            envvar="DBT_PROFILES_DIR",
            show_envvar=True,
            help="Folder with profiles.yml. Default: the project folder if it holds one, then ~/.dbt.",
        ),
        click.option("--profile", default=None, help="The profile to use (overrides dbt_project.yml)."),
        click.option("-t", "--target", default=None, help="The profile target to use."),
        click.option("--threads", type=int, default=None, envvar="DBT_THREADS", help="Threads for dbt."),
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
        click.option(
            "-s",
            "--select",
            multiple=True,
            help="dbt selection syntax, as for `dbt ls -s`: +orders, tag:finance, path:models/marts, "
            "source:raw+, config.materialized:table, state:modified+ (repeatable).",
        ),
        click.option(
            "--exclude", multiple=True, help="dbt selection syntax of nodes to leave out (repeatable)."
        ),
        click.option("--selector", default=None, help="A selector defined in the project's selectors.yml."),
        click.option(
            "--state",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            envvar="DBT_STATE",
            help="Folder with the manifest.json to compare against, for state:modified.",
        ),
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


def legacy_document_options(func: F) -> F:
    """1.x options of ``yaml document`` and ``yaml refactor`` that this release gave no new name."""
    decorators = [
        click.option(
            "--use-unrendered-descriptions",
            is_flag=True,
            help="Accepted for 1.x scripts; now always on (a {{ doc() }} reference stays a reference).",
        ),
        click.option(
            "--add-inheritance-for-specified-keys",
            "inherit_keys",
            multiple=True,
            help="Also inherit these column keys from upstream, e.g. policy_tags (repeatable).",
        ),
        click.option(
            "--numeric-precision-and-scale",
            "--numeric-precision",
            "numeric_precision_and_scale",
            is_flag=True,
            help="Write numeric data types with precision and scale, e.g. NUMBER(38,8).",
        ),
        click.option(
            "--string-length",
            "--char-length",
            "string_length",
            is_flag=True,
            help="Write character data types with their length, e.g. VARCHAR(128).",
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
            help="Make no API call and need no key: show what would be asked and estimate tokens and cost "
            "(implies --synthesize).",
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
@legacy_document_options
@llm_options
@click.option("--auto-apply", is_flag=True, help="Accepted for 1.x scripts; changes nothing here.")
def document(**params: Any) -> None:
    """Add missing columns and data types, inherit column docs down the DAG, and write the YAML back.

    MODELS are node names or paths under the project; with none, every model, seed, snapshot and source
    of the project is documented.
    """
    from dbt_osmosis.cli.compat import note_now_default_flags
    from dbt_osmosis.cli.document_command import run_document

    _configure_logging(params["log_level"])
    note_now_default_flags(params)
    sys.exit(_run_reporting_errors(lambda console: run_document(params, console)))


@yaml.command()
@dbt_options
@yaml_options
@click.option(
    "--auto-apply", is_flag=True, help="Apply the moves without asking (1.x); asks only on a terminal."
)
def organize(**params: Any) -> None:
    """Put every model, seed, snapshot and source entry in the file its dbt-osmosis path template says.

    Entries move with their comments; files left without entries are deleted; undocumented models get
    a new entry. Sources listed under `vars: dbt-osmosis: sources:` in dbt_project.yml go to their file.
    """
    from dbt_osmosis.cli.compat import note_now_default_flags
    from dbt_osmosis.cli.organize_command import run_organize

    _configure_logging(params["log_level"])
    note_now_default_flags(params, {})
    sys.exit(_run_reporting_errors(lambda console: run_organize(params, console)))


@yaml.command()
@dbt_options
@yaml_options
@legacy_document_options
@llm_options
@click.option(
    "--auto-apply", is_flag=True, help="Apply the moves without asking (1.x); asks only on a terminal."
)
def refactor(**params: Any) -> None:
    """Organize, then document, in one run on one parse of the project (every `yaml document` option).

    MODELS are node names or paths under the project; with none, every node of the project.
    """
    from dbt_osmosis.cli.compat import NOW_DEFAULT_FLAGS, note_now_default_flags
    from dbt_osmosis.cli.document_command import run_document

    _configure_logging(params["log_level"])
    note_now_default_flags(params, {k: v for k, v in NOW_DEFAULT_FLAGS.items() if k != "auto_apply"})
    sys.exit(_run_reporting_errors(lambda console: run_document(params, console, organize=True)))


@cli.group()
def sql() -> None:
    """Compile or run a SQL string against the project through dbt."""


def sql_options(func: F) -> F:
    """The SQL argument and the options ``sql run`` and ``sql compile`` share."""
    decorators = [
        click.argument("sql"),
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


@sql.command("run")
@dbt_options
@sql_options
@click.option(
    "--limit",
    type=int,
    default=50,
    show_default=True,
    help="At most this many rows (-1: all of them).",
)
def sql_run(**params: Any) -> None:
    """Run SQL (Jinja, ref() and source() allowed) against the project's warehouse; print the rows."""
    from dbt_osmosis.cli.sql_command import run_sql_command

    _configure_logging(params["log_level"])
    sys.exit(_run_reporting_errors(lambda console: run_sql_command(params, console, execute=True)))


@sql.command("compile")
@dbt_options
@sql_options
def sql_compile(**params: Any) -> None:
    """Compile SQL (Jinja, ref() and source() allowed) against the project; print the SQL."""
    from dbt_osmosis.cli.sql_command import run_sql_command

    _configure_logging(params["log_level"])
    sys.exit(_run_reporting_errors(lambda console: run_sql_command(params, console, execute=False)))


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


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def workbench(args: tuple[str, ...]) -> None:
    """Not part of this release (1.x's Streamlit workbench); says what to use instead."""
    click.echo(
        "error: `dbt-osmosis workbench` is not part of dbt-osmosis 1.2; use `dbt-osmosis sql run` / "
        "`sql compile` for queries and `dbt docs serve` to browse the project.",
        err=True,
    )
    sys.exit(EXIT_BAD_INPUT)


def _configure_logging(level: str) -> None:
    """Log at ``level`` to stderr, every handler redacting secrets.

    Library debug lines (httpcore prints response headers) reach the root handler, not our logger, so
    the redacting filter goes on the root handlers too.
    """
    from dbt_osmosis.core.llm.logging import redact_root_handlers

    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    redact_root_handlers()


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
        # (closing warehouse connections, say) would only add a traceback after that line. Only at
        # exit: a process that goes on (a test runner calling the CLI in-process) keeps its Ctrl-C,
        # and its children do not inherit an ignored SIGINT.
        atexit.register(signal.signal, signal.SIGINT, signal.SIG_IGN)
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
