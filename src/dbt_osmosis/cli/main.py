"""The ``dbt-osmosis`` command line: click commands and shared options; the work happens in ``core``."""

from __future__ import annotations

import logging
import sys
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

EXIT_OK, EXIT_CHANGES, EXIT_BAD_INPUT = 0, 1, 2


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
def document(**params: Any) -> None:
    """Add missing columns and data types, inherit column docs down the DAG, and write the YAML back.

    MODELS are node names or paths under the project; with none, every model, seed, snapshot and source
    of the project is documented.
    """
    from dbt_osmosis.cli.document_command import run_document

    logging.basicConfig(level=params["log_level"].upper(), format="%(levelname)s %(name)s: %(message)s")
    console = Console(stderr=False, highlight=False)
    errors = Console(stderr=True, highlight=False)
    try:
        code = run_document(params, console)
    except OsmosisError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    cli()
