"""The body of each command: click parameters -> typed run -> one API call -> rendered result -> code.

Nothing here decides anything a Python caller would also need; that lives in ``dbt_osmosis.api``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape

from dbt_osmosis.cli import options
from dbt_osmosis.exit_codes import ExitCode

__all__ = ["run_document", "run_organize", "run_review", "run_test_llm"]


def run_document(params: Mapping[str, Any], console: Console, *, organize: bool = False) -> ExitCode:
    """``yaml document`` (``organize``: ``yaml refactor``); the codes are those of ``ExitCode``."""
    from dbt_osmosis import api
    from dbt_osmosis.cli.interrupt import InterruptGuard
    from dbt_osmosis.cli.progress import CommandLineProgress, ask_to_apply
    from dbt_osmosis.cli.render import render_document

    run = options.document_run(params)
    ignored = options.ignored_llm_flags(params, run.llm)
    if ignored:
        console.print(
            f"[yellow]note:[/yellow] {', '.join(ignored)} only affect(s) --synthesize, which was not given.",
            soft_wrap=True,
        )
    with InterruptGuard(console) as guard:
        try:
            progress = CommandLineProgress(console, guard)
            if organize:
                confirm = None if params.get("auto_apply") else ask_to_apply(console)
                result = api.refactor(run, progress=progress, cancel=guard.token, confirm=confirm)
            else:
                result = api.document(run, progress=progress, cancel=guard.token)
            render_document(result, console, show_stats=bool(params["llm_stats"]))
        except KeyboardInterrupt:
            console.print("Interrupted: nothing written.")
            return ExitCode.INTERRUPTED
    return result.exit_code


def run_organize(params: Mapping[str, Any], console: Console) -> ExitCode:
    """``yaml organize``: 0 done, 1 ``--check`` found moves, 3 some files left alone (see ``ExitCode``)."""
    from dbt_osmosis import api
    from dbt_osmosis.cli.interrupt import InterruptGuard
    from dbt_osmosis.cli.progress import CommandLineProgress, ask_to_apply
    from dbt_osmosis.cli.render import render_organize

    confirm = None if params.get("auto_apply") else ask_to_apply(console)
    with InterruptGuard(console) as guard:
        try:
            result = api.organize(
                options.organize_run(params),
                progress=CommandLineProgress(console),
                confirm=confirm,
                cancel=guard.token,
            )
        except KeyboardInterrupt:
            console.print("Interrupted: nothing written.")
            return ExitCode.INTERRUPTED
    render_organize(result, console)
    return result.exit_code


def run_review(params: Mapping[str, Any], console: Console) -> ExitCode:
    """``yaml review``: 1 when ``--check`` finds unreviewed text."""
    from dbt_osmosis import api
    from dbt_osmosis.cli.render import render_review

    result = api.review(options.review_run(params))
    render_review(result, console)
    return result.exit_code


def run_test_llm(console: Console, *, timeout: float | None, fallback: str | None = None) -> ExitCode:
    """``test-llm``: one tiny request to each provider of the chain; 1 when one does not answer."""
    from dbt_osmosis import api
    from dbt_osmosis.cli.render import render_check_llm

    def asking(provider: str, model: str) -> None:
        console.print(f"Asking {escape(provider)} / {escape(model)} for a one-word reply...")

    result = api.check_llm(
        timeout=timeout, on_ask=asking, fallback=options.fallback_chain(fallback), _label="--llm-fallback"
    )
    render_check_llm(result, console)
    return result.exit_code
