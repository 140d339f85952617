"""The team's house style, put into the system prompt of every request.

dbt Copilot reads a ``dbt-styleguide.md`` at the project root; so does this, unless a style guide is
given (``--llm-style-guide`` / ``OSMOSIS_LLM_STYLE_GUIDE``) or the prompt file sets its own
``style_guide`` variable. The text goes into the system prompt, which holds nothing node-specific: it
is the same for every request of a run, so providers that cache a prompt's stable prefix can serve it
from their cache.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.prompts import PromptSet

__all__ = ["MAX_STYLE_GUIDE_CHARS", "STYLE_GUIDE_FILE", "read_style_guide", "with_style_guide"]

STYLE_GUIDE_FILE = "dbt-styleguide.md"
#: It is sent with every request: a long one multiplies the cost of a run.
MAX_STYLE_GUIDE_CHARS = 20_000


def read_style_guide(path: Path) -> str:
    """The style guide's text; ``LLMConfigError`` when it cannot be read or is too long to send each time."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LLMConfigError(
            f"Style guide {path}: cannot be read ({reason}); fix the path given with --llm-style-guide "
            "or OSMOSIS_LLM_STYLE_GUIDE."
        ) from exc
    if len(text) > MAX_STYLE_GUIDE_CHARS:
        raise LLMConfigError(
            f"Style guide {path} is {len(text):,} characters; it goes into every request, so keep it "
            f"under {MAX_STYLE_GUIDE_CHARS:,} (the rules a description must follow, not a handbook)."
        )
    return text


def with_style_guide(prompts: PromptSet, given: Path | None, project_dir: Path) -> PromptSet:
    """``prompts`` with the style guide as its ``style_guide`` variable (unchanged when there is none)."""
    if given is None and prompts.variables.get("style_guide"):
        return prompts  # the prompt file's own style_guide variable stays the user's choice
    path = given if given is not None else project_dir / STYLE_GUIDE_FILE
    if given is None and not path.is_file():
        return prompts
    text = read_style_guide(path)
    if not text:
        return prompts
    # On its own lines below "Style guide:", so a Markdown file keeps its headings and lists.
    variables = {**prompts.variables, "style_guide": "\n" + text}
    return dataclasses.replace(prompts, variables=variables)
