"""``yaml review``: list model-written texts; accept, reject, or check that none is left unreviewed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from dbt_osmosis.core.document import select_nodes
from dbt_osmosis.core.errors import OsmosisError
from dbt_osmosis.core.inheritance import DEFAULT_PLACEHOLDERS
from dbt_osmosis.core.project import ProjectOptions, load_project
from dbt_osmosis.core.review import ReviewItem, ReviewSession

__all__ = ["run_review"]

EXIT_OK, EXIT_UNREVIEWED = 0, 1


class ReviewUsageError(OsmosisError):
    """Flags that cannot go together."""


def run_review(params: dict[str, Any], console: Console) -> int:
    """Run ``yaml review``; return the exit code (1: ``--check`` found unreviewed text)."""
    if params["accept"] and params["reject"]:
        raise ReviewUsageError("Give --accept or --reject, not both: a text is either kept or removed.")
    project = load_project(
        ProjectOptions(
            project_dir=Path(params["project_dir"]),
            profiles_dir=params["profiles_dir"],
            target=params["target"],
            threads=params["threads"],
            vars=params["vars"],
        )
    )
    nodes = select_nodes(project, params["models"], params["fqn"])
    session = ReviewSession(project, nodes, (*DEFAULT_PLACEHOLDERS, *params["placeholders"]))
    pending = [item for item in session.items if item.unreviewed]
    if params["accept"] or params["reject"]:
        verdict = session.accept if params["accept"] else session.reject
        count = verdict(pending)
        written = session.write()
        what = (
            "accepted (marks removed, text kept)" if params["accept"] else "rejected (text and mark removed)"
        )
        console.print(f"{count} model-written text(s) {what}; wrote {len(written)} file(s).")
        return EXIT_OK
    _print_items(session.items, console)
    stale = sum(1 for item in pending if item.stale)
    rejected = len(session.items) - len(pending)
    console.print(
        f"{len(pending)} model-written text(s) to review ({stale} stale); {rejected} rejected.",
        soft_wrap=True,
    )
    if params["check"] and pending:
        console.print(
            "Unreviewed model-written text: run `dbt-osmosis yaml review --accept` or `--reject` "
            "(optionally with node names)."
        )
        return EXIT_UNREVIEWED
    return EXIT_OK


def _print_items(items: list[ReviewItem], console: Console) -> None:
    # Plain lines, one per text: they read the same in a terminal, a CI log and a grep.
    for item in items:
        state = "rejected" if item.rejected else ("stale" if item.stale else "current")
        where = f"{item.node.display_name}.{item.column}" if item.column else item.node.display_name
        written_by = f"{item.provider}/{item.model}" if not item.rejected else "-"
        console.print(f"{escape(where)}  {escape(written_by)}  {state}  {escape(item.path)}", soft_wrap=True)
