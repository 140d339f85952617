"""Model answers are data: turn what a model wrote into a description dbt shows as exactly that text.

dbt renders every description through Jinja when it parses the project, so a model's answer written
as is would be live template code: ``{{ env_var("OPENAI_API_KEY") }}`` would put the key into
``target/manifest.json``, and ``{{ config(x=1) }}`` or a stray ``{% if %}`` would make ``dbt parse``
fail (and inheritance would copy the breakage downstream). Here an answer becomes safe text:

1. characters a YAML reader refuses (control characters, lone surrogates, non-characters) and the
   invisible bidirectional overrides are removed, and runs of whitespace become one space;
2. text longer than the limit is cut at the last sentence boundary that fits (or, failing that, at a
   word, with an ellipsis);
3. if the text holds a Jinja opener (``{{``, ``{%``, ``{#``) it is wrapped in ``{% raw %}`` ...
   ``{% endraw %}``, which dbt renders as the literal text inside (closers such as ``}}`` render as
   themselves when no opener precedes them, so text with closers only is left alone). A
   ``{% endraw %}`` inside the text is written as the expression ``{{ '{%' }}`` followed by the rest,
   so nothing the model writes can end the raw block early.

An answer that is empty after cleaning is reported by the caller as a failure of that column.
"""

from __future__ import annotations

import re

__all__ = [
    "DEFAULT_MAX_DESCRIPTION_CHARS",
    "clean_text",
    "description_from_answer",
    "escape_jinja",
    "truncate_at_sentence",
]

DEFAULT_MAX_DESCRIPTION_CHARS = 1000

# What a YAML 1.1 reader (PyYAML, which dbt uses) accepts in a document; everything else (C0/C1
# controls, lone surrogates, U+FFFE/U+FFFF) is dropped. Tab, newline and carriage return are kept here
# and folded into spaces below, with the rest of the whitespace.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Bidirectional embeddings, overrides and isolates make text display differently from what it is
# ("Trojan source"); a zero-width no-break space in the middle of text is invisible noise.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff]")

_JINJA_OPENER = re.compile(r"\{[{%#]")
# The only thing that ends a raw block in Jinja's lexer: "{%", an optional "-" or "+", whitespace,
# "endraw". Matching the prefix (not the whole tag) splits a little more often than needed, never less.
_RAW_END = re.compile(r"\{%[-+]?\s*endraw")
_RAW_BEGIN = "{% raw %}"
_RAW_CLOSE = "{% endraw %}"
_LITERAL_BLOCK_START = "{{ '{%' }}"

# A sentence ends at . ! ? (or their full-width and ellipsis forms), optionally followed by closing
# quotes or brackets, when the next character is whitespace or the end of the text.
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u2019\u201d\u00bb)\]]*(?=\s|$)")
_ELLIPSIS = "\u2026"


def clean_text(text: object) -> str:
    """The text with unreadable and invisible characters removed and whitespace folded to single spaces.

    Anything that is not a string (``None``, a number, a list an unruly model sent) yields ``""``.
    """
    if not isinstance(text, str):
        return ""
    text = _INVISIBLE.sub("", _UNPRINTABLE.sub("", text))
    return " ".join(text.split())


def truncate_at_sentence(text: str, max_chars: int) -> str:
    """``text`` if it fits in ``max_chars``, else its longest prefix that ends a sentence and fits.

    Without any sentence boundary in reach the cut falls after the last whole word and an ellipsis
    marks it (the ellipsis counts towards ``max_chars``); a single word longer than the limit is cut
    inside the word.
    """
    if len(text) <= max_chars:
        return text
    if max_chars <= 0:
        return ""
    # The boundary test looks one character past the window: "word." followed by a space ends a
    # sentence even when the space itself does not fit.
    window = text[: max_chars + 1]
    ends = [match.end() for match in _SENTENCE_END.finditer(window) if match.end() <= max_chars]
    if ends:
        return text[: ends[-1]]
    head = text[: max_chars - 1]
    space = head.rfind(" ")
    kept = head[:space] if space > 0 else head
    return kept.rstrip() + _ELLIPSIS


def escape_jinja(text: str) -> str:
    """``text`` as Jinja source that renders to exactly ``text`` (unchanged when it opens no block)."""
    if not _JINJA_OPENER.search(text):
        return text
    pieces: list[str] = []
    start = 0
    for match in _RAW_END.finditer(text):
        pieces.append(_raw(text[start : match.start()]) + _LITERAL_BLOCK_START)
        start = match.start() + 2  # the "{%" itself was written by the expression above
    pieces.append(_raw(text[start:]))
    return "".join(pieces)


def _raw(text: str) -> str:
    # An empty raw block renders as nothing; leaving it out keeps the written text shorter.
    return f"{_RAW_BEGIN}{text}{_RAW_CLOSE}" if text else ""


def description_from_answer(text: object, *, max_chars: int = DEFAULT_MAX_DESCRIPTION_CHARS) -> str:
    """A model's description made safe to write into a dbt YAML file; ``""`` when nothing usable is left.

    The limit applies to the text a reader sees, before Jinja escaping adds its ``{% raw %}`` wrapper.
    """
    return escape_jinja(truncate_at_sentence(clean_text(text), max_chars))
