"""Descriptions that say nothing are not documentation: find them before anything is written.

A model can answer with text that passes the schema and still documents nothing. Four kinds are
caught here, for a column or for the model's own description:

- it only restates the name: ``order_id`` -> "order_id", "Order id", "The order_id column";
- it is generic filler that would fit any column: "This column contains data.", "N/A", "~";
- the model's description copied into every column of the answer;
- it is longer than the configured limit (``OSMOSIS_LLM_MAX_DESCRIPTION_CHARS``), which says the
  model wrote an essay, or something else, instead of a description;
- it is in another language than asked (``--llm-language``): told by the small words every sentence
  has (English "the", "of", "and"; German "der", "und"; French "le", "et"...), so only a text of four
  words or more is judged, and only English against the others.

Such a text is asked for once more with the reason; if the second answer has the same problem, the
place is reported as failed and left undocumented. Pure functions: text in, reasons out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.synthesis.answer_text import clean_text

__all__ = ["answer_problems", "describe", "text_problem"]

# Words that carry no information in a description on their own: with the name's own words removed,
# a text made only of these says nothing a reader did not know from the name.
_EMPTY_WORDS = frozenset(
    """
    a an the this that these those it its is are was be being of for in on at to by with as and or
    column columns field fields value values data info information detail details attribute attributes
    contains contain containing holds hold stores store stored represents represent representing
    record records row rows table model view entity item items describes description descriptions
    describing name named tbd todo tba na n unknown placeholder none null various some etc
    generic text string number specific relevant related here used
    """.split()  # noqa: SIM905 - a word list reads best as words
)
# Small words nearly every English sentence has, and those of the languages most often asked for instead.
_ENGLISH = frozenset(
    "the of and to in is for with that this by as on from which are be when an".split()  # noqa: SIM905
)
_OTHER = frozenset(
    """
    der die das und ist ein eine mit von zu den dem nicht wird sind les et est une des du avec pour
    dans sur qui el los las y una del con por para que het een van en op zijn voor il della che per
    """.split()  # noqa: SIM905 - a word list reads best as words
)
_WORD = re.compile(r"[a-z0-9\u00c0-\u024f]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(text: str) -> list[str]:
    return _WORD.findall(_CAMEL.sub(" ", text).lower())


def _language_problem(words: list[str], language: str) -> str | None:
    if len(words) < 4:
        return None
    english = sum(word in _ENGLISH for word in words) / len(words)
    other = sum(word in _OTHER for word in words) / len(words)
    asked_english = language.strip().lower() in {"english", "en", "en-us", "en-gb", "british english"}
    if asked_english and english == 0 and other >= 0.2:
        return "is not in English"
    if not asked_english and english >= 0.2 and other == 0:
        return f"is in English, not in {language}"
    return None


def text_problem(
    text: object, name: str, *, max_chars: int, kind: str = "column", language: str = "English"
) -> str | None:
    """Why ``text`` (a description of the column or model ``name``) says nothing, or ``None`` if it is fine.

    An empty text is not judged here (the caller reports empty answers on their own).
    """
    cleaned = clean_text(text)
    if not cleaned:
        return None
    if len(cleaned) > max_chars:
        return f"is {len(cleaned):,} characters long, over the limit of {max_chars:,}"
    name_words = set(_words(name)) | {column_key(name)}
    left = [word for word in _words(cleaned) if word not in _EMPTY_WORDS]
    if not left:
        return "is generic filler that would fit any " + kind
    if all(word in name_words for word in left):
        return f"only restates the {kind} name"
    return _language_problem(_words(cleaned), language)


def _same(one: str, other: str) -> bool:
    return bool(one) and " ".join(_words(one)) == " ".join(_words(other))


def answer_problems(
    parsed: Any,
    asked: Sequence[str],
    *,
    model_name: str,
    want_table: bool,
    model_description: str = "",
    max_chars: int,
    language: str = "English",
) -> dict[str, str]:
    """What is wrong with each text of an answer: ``""`` keys the model description, else the column key.

    ``model_description`` is the model's description as the YAML holds it, for an answer that does not
    carry one; texts of columns not asked about are left to the caller (they are never written).
    """
    if not isinstance(parsed, Mapping):
        return {}
    problems: dict[str, str] = {}
    table_text = clean_text(parsed.get("description")) if want_table else ""
    if table_text:
        problem = text_problem(table_text, model_name, max_chars=max_chars, kind="model", language=language)
        if problem is not None:
            problems[""] = f"the model description {problem}"
    compare = table_text or clean_text(model_description)
    wanted = {column_key(name) for name in asked}
    # Only a copy into every column answered counts: one column whose text happens to read like the
    # model's (a column named "description", say) is not the pattern of an answer that says nothing.
    copies: dict[str, str] = {}
    answered = 0
    for item in parsed.get("columns") or []:
        if not isinstance(item, Mapping):
            continue
        key = column_key(item.get("name", ""))
        text = clean_text(item.get("description"))
        if key not in wanted or key in problems or not text:
            continue
        answered += 1
        problem = text_problem(text, str(item.get("name")), max_chars=max_chars, language=language)
        if problem is not None:
            problems[key] = f"the description of {item.get('name')} {problem}"
        elif _same(text, compare):
            copies[key] = f"the description of {item.get('name')} repeats the model description"
    if copies and len(copies) + sum(key in problems for key in wanted) >= answered:
        problems.update(copies)
    return problems


def describe(problems: Mapping[str, str]) -> str | None:
    """The problems as one sentence for a re-ask (``None`` when there are none)."""
    if not problems:
        return None
    return (
        "; ".join(problems.values())
        + ". Write descriptions that say what the value means for the business, where it comes from "
        "or how to use it, not the name again or a sentence that would fit any column."
    )
