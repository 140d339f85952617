"""A model's answer becomes text dbt renders as exactly what the model wrote, never as template code."""

from __future__ import annotations

import jinja2
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.synthesis.answer_text import (
    clean_text,
    description_from_answer,
    escape_jinja,
    truncate_at_sentence,
)

# dbt renders descriptions with Jinja's default delimiters and no whitespace trimming options.
_JINJA = jinja2.Environment(undefined=jinja2.StrictUndefined)


def rendered(source: str) -> str:
    return _JINJA.from_string(source).render()


@pytest.mark.parametrize(
    "text",
    [
        '{{ env_var("OPENAI_API_KEY") }}',
        "{{ config(x=1) }}",
        "{% if x %}broken",
        "{# unterminated comment",
        "a {% endraw %} b",
        "{%- endraw -%} and {%+endraw%} and {%endraw",
        "ends with a brace {",
        "{{{{ deep }}}}",
        "{% raw %}",
        "{% raw %}{% endraw %}",
        "}} %} #} closers only",
    ],
)
def test_jinja_in_an_answer_renders_as_the_literal_text(text: str) -> None:
    assert rendered(escape_jinja(text)) == text


def test_text_without_a_jinja_opener_is_written_unchanged() -> None:
    text = "Amount in cents; 100% of {values} }} stay"
    assert escape_jinja(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}%#-+ raw endraw x'\"\\")), max_size=60))
def test_any_mix_of_delimiters_renders_literally(text: str) -> None:
    assert rendered(escape_jinja(text)) == text


def test_control_characters_and_lone_surrogates_are_removed_and_whitespace_folded() -> None:
    text = "Order\x00 total\x07 in\u202e cents\ud800.\t\nSecond\x1b[31m line\ufeff\uffff."
    assert clean_text(text) == "Order total in cents. Second[31m line."
    # A pair that forms a real character (an emoji) is kept.
    assert clean_text("ok \U0001f600") == "ok \U0001f600"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_cleaned_text_is_always_something_yaml_can_carry(text: str) -> None:
    cleaned = description_from_answer(text)
    assert yaml.safe_load(yaml.safe_dump({"d": cleaned})) == {"d": cleaned}
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize("answer", [None, "", "   \n\t ", "\x00\x01", "\ud800\udfff"[0], 42, ["a"]])
def test_nothing_usable_is_an_empty_answer(answer: object) -> None:
    assert description_from_answer(answer) == ""


def test_long_text_is_cut_at_the_last_sentence_that_fits() -> None:
    text = "First sentence here. Second one is longer! Third? " + "word " * 50
    assert truncate_at_sentence(text, 60) == "First sentence here. Second one is longer! Third?"
    assert truncate_at_sentence(text, 45) == "First sentence here. Second one is longer!"
    # A period inside a number or an abbreviation followed by no space is no sentence end.
    assert truncate_at_sentence("Costs 3.50 dollars. Then more text follows", 25) == "Costs 3.50 dollars."
    assert truncate_at_sentence('He said "stop." Then more', 20) == 'He said "stop."'


def test_without_a_sentence_end_the_cut_falls_between_words_with_an_ellipsis() -> None:
    cut = truncate_at_sentence("alpha beta gamma delta epsilon", 14)
    assert cut == "alpha beta\u2026"
    assert len(truncate_at_sentence("x" * 50, 10)) == 10


def test_a_ten_thousand_character_answer_is_bounded_by_the_limit() -> None:
    answer = "This column holds the amount. " * 400
    assert len(answer) > 10_000
    text = description_from_answer(answer, max_chars=1000)
    assert len(text) <= 1000 and text.endswith("amount.")
    assert description_from_answer(answer, max_chars=100_000) == answer.strip()


def test_the_limit_counts_what_a_reader_sees_not_the_escaping() -> None:
    answer = "Use {{ this }} wisely. " * 10
    text = description_from_answer(answer, max_chars=50)
    assert rendered(text) == "Use {{ this }} wisely. Use {{ this }} wisely."


def test_the_limit_is_read_from_the_environment_and_must_be_positive() -> None:
    assert LLMSettings.from_env({}).max_description_chars == 1000
    assert LLMSettings.from_env({"OSMOSIS_LLM_MAX_DESCRIPTION_CHARS": "250"}).max_description_chars == 250
    for bad in ("0", "-3", "many"):
        with pytest.raises(LLMConfigError, match="OSMOSIS_LLM_MAX_DESCRIPTION_CHARS"):
            LLMSettings.from_env({"OSMOSIS_LLM_MAX_DESCRIPTION_CHARS": bad})
