"""Moved to ``dbt_osmosis.core.synthesis.answer_text``; this path is kept for one release."""

from dbt_osmosis.core.synthesis.answer_text import (
    DEFAULT_MAX_DESCRIPTION_CHARS,
    clean_text,
    description_from_answer,
    escape_jinja,
    truncate_at_sentence,
)

__all__ = [
    "DEFAULT_MAX_DESCRIPTION_CHARS",
    "clean_text",
    "description_from_answer",
    "escape_jinja",
    "truncate_at_sentence",
]
