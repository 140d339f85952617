"""The ``dbt-osmosis`` command line: the click commands; options in ``options``, bodies in ``commands``.

Each command turns its parameters into the API's typed options, makes one ``dbt_osmosis.api`` call,
renders the result and exits with its ``ExitCode``.
"""

from __future__ import annotations

import atexit
import logging
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from dbt_osmosis import __version__
from dbt_osmosis.cli import options as o
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.exit_codes import ExitCode, exit_code_for_error

__all__ = ["cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-v", prog_name="dbt-osmosis")
def cli() -> None:
    """Keep dbt YAML documentation in step with the warehouse and the DAG."""


@cli.group()
def yaml() -> None:
    """Maintain the schema YAML files of a dbt project."""


@yaml.command()
@o.apply(o.DBT_OPTIONS, o.YAML_OPTIONS, o.LEGACY_DOCUMENT_OPTIONS, o.LLM_OPTIONS, (o.DOCUMENT_AUTO_APPLY,))
def document(**params: Any) -> None:
    """Add missing columns and data types, inherit column docs down the DAG, and write the YAML back.

    MODELS are node names or paths under the project; with none, every model, seed, snapshot and source
    of the project is documented.
    """
    from dbt_osmosis.cli.commands import run_document
    from dbt_osmosis.cli.compat import note_now_default_flags

    _configure_logging(params["log_level"])
    note_now_default_flags(params)
    sys.exit(_run_reporting_errors(lambda console: run_document(params, console)))


@yaml.command()
@o.apply(o.DBT_OPTIONS, o.YAML_OPTIONS, (o.ORGANIZE_AUTO_APPLY, o.ORGANIZE_RECOVER))
def organize(**params: Any) -> None:
    """Put every model, seed, snapshot and source entry in the file its dbt-osmosis path template says.

    Entries move with their comments; files left without entries are deleted; undocumented models get
    a new entry. Sources listed under `vars: dbt-osmosis: sources:` in dbt_project.yml go to their file.
    """
    from dbt_osmosis.cli.commands import run_organize
    from dbt_osmosis.cli.compat import note_now_default_flags

    _configure_logging(params["log_level"], redact=False)
    note_now_default_flags(params, {})
    sys.exit(_run_reporting_errors(lambda console: run_organize(params, console)))


@yaml.command()
@o.apply(o.DBT_OPTIONS, o.YAML_OPTIONS, o.LEGACY_DOCUMENT_OPTIONS, o.LLM_OPTIONS, (o.ORGANIZE_AUTO_APPLY,))
def refactor(**params: Any) -> None:
    """Organize, then document, in one run on one parse of the project (every `yaml document` option).

    MODELS are node names or paths under the project; with none, every node of the project.
    """
    from dbt_osmosis.cli.commands import run_document
    from dbt_osmosis.cli.compat import NOW_DEFAULT_FLAGS, note_now_default_flags

    _configure_logging(params["log_level"])
    note_now_default_flags(params, {k: v for k, v in NOW_DEFAULT_FLAGS.items() if k != "auto_apply"})
    sys.exit(_run_reporting_errors(lambda console: run_document(params, console, organize=True)))


@cli.group()
def sql() -> None:
    """Compile or run a SQL string against the project through dbt."""


@sql.command("run")
@o.apply(o.DBT_OPTIONS, o.SQL_OPTIONS, o.SQL_RUN_OPTIONS)
def sql_run(**params: Any) -> None:
    """Run SQL (Jinja, ref() and source() allowed) against the project's warehouse; print the rows."""
    from dbt_osmosis.cli.sql_command import run_sql_command

    _configure_logging(params["log_level"])
    where, sql, limit = o.project_location(params), str(params["sql"]), int(params["limit"])
    output = str(params["output"])
    sys.exit(_run_reporting_errors(lambda console: run_sql_command(where, sql, limit, console, output)))


@sql.command("compile")
@o.apply(o.DBT_OPTIONS, o.SQL_OPTIONS)
def sql_compile(**params: Any) -> None:
    """Compile SQL (Jinja, ref() and source() allowed) against the project; print the SQL."""
    from dbt_osmosis.cli.sql_command import run_sql_command

    _configure_logging(params["log_level"])
    where, sql = o.project_location(params), str(params["sql"])
    sys.exit(_run_reporting_errors(lambda console: run_sql_command(where, sql, None, console)))


@yaml.command()
@o.apply(o.DBT_OPTIONS, o.REVIEW_OPTIONS)
def review(**params: Any) -> None:
    """List model-written text (marked by --llm-mark-generated) and accept or reject it.

    MODELS are node names or paths under the project; with none, every node is reviewed.
    """
    from dbt_osmosis.cli.commands import run_review

    sys.exit(_run_reporting_errors(lambda console: run_review(params, console)))


@cli.group()
def analyze() -> None:
    """Read-only reports on the project's documentation."""


@analyze.command("docs")
@o.apply(o.DBT_OPTIONS, o.ANALYZE_DOCS_OPTIONS)
def analyze_docs(**params: Any) -> None:
    """How much of the selected models' documentation is written, by a model or a person, and the gaps.

    Counts each model's description and the columns its YAML lists. Exits 1 under --min-column-coverage
    or on gaps (unless --allow-gaps), 3 when a model's entry is shared through a YAML anchor, else 0.
    """
    from dbt_osmosis.cli.analyze import run_analyze_docs

    _configure_logging(params["log_level"], redact=False)
    sys.exit(_run_reporting_errors(lambda console: run_analyze_docs(params, console)))


@cli.command("test-llm")
@o.TEST_LLM_TIMEOUT
@o.LLM_FALLBACK
def test_llm(llm_timeout: float | None, llm_fallback: str | None) -> None:
    """Check the configured LLM provider, and each fallback, with one tiny request each."""
    from dbt_osmosis.cli.commands import run_test_llm

    sys.exit(
        _run_reporting_errors(
            lambda console: run_test_llm(console, timeout=llm_timeout, fallback=llm_fallback)
        )
    )


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def workbench(args: tuple[str, ...]) -> None:
    """Not part of this release (1.x's Streamlit workbench); says what to use instead."""
    click.echo(
        "error: `dbt-osmosis workbench` is not part of dbt-osmosis 1.2; use `dbt-osmosis sql run` / "
        "`sql compile` for queries and `dbt docs serve` to browse the project.",
        err=True,
    )
    sys.exit(ExitCode.BAD_INPUT)


def _configure_logging(level: str, *, redact: bool = True) -> None:
    """Log at ``level`` to stderr, every handler redacting secrets.

    Library debug lines (httpcore prints response headers) reach the root handler, not our logger, so
    the redacting filter goes on the root handlers too. A command that never builds an LLM client
    (``redact`` false) has no key to leak and does not load the LLM layer for it.
    """
    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if redact:
        from dbt_osmosis.core.llm.logging import redact_root_handlers

        redact_root_handlers()


def _run_reporting_errors(run: Callable[[Console], int]) -> int:
    """Run a command; bad input (project, YAML or LLM configuration) is one red line and exit code 2."""
    # soft_wrap: a line printed to a pipe or a CI log stays one line instead of wrapping at 80 columns.
    console = Console(stderr=False, highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default", DeprecationWarning)
        try:
            code = run(console)
        except KeyboardInterrupt:
            errors.print("Interrupted: nothing written.")
            code = ExitCode.INTERRUPTED
        except OsmosisError as exc:
            mapped = exit_code_for_error(exc)
            if mapped is None:
                raise
            errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            code = mapped
    if code == ExitCode.INTERRUPTED and threading.current_thread() is threading.main_thread():
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
