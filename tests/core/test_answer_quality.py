"""Answers that say nothing are asked for once more with the reason, then reported, never written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_osmosis.core.synthesis.quality import answer_problems, text_problem
from tests.fakes.fake_provider import FakeProviderServer, RecordedRequest, Reply
from tests.support.cli import RunCli
from tests.support.llm import FAST, asked_columns
from tests.support.yaml_checks import all_descriptions

LIMIT = 1000


@pytest.mark.parametrize(
    "text",
    ["order_id", "Order id", "The order_id column", "ORDER ID.", "orderId", "The order id field."],
)
def test_a_text_that_only_restates_the_name_is_caught(text: str) -> None:
    assert text_problem(text, "order_id", max_chars=LIMIT) == "only restates the column name"


@pytest.mark.parametrize("text", ["This column contains data.", "N/A", "Value of the field.", "~", "TBD"])
def test_generic_filler_is_caught(text: str) -> None:
    assert text_problem(text, "order_id", max_chars=LIMIT) == "is generic filler that would fit any column"


@pytest.mark.parametrize(
    "text",
    ["Unique identifier of an order.", "Customer id of the buyer.", "Yes", "Primary key of the order."],
)
def test_a_text_that_says_something_passes(text: str) -> None:
    assert text_problem(text, "order_id", max_chars=LIMIT) is None


def test_over_the_length_limit_and_the_model_description_copied_into_columns() -> None:
    assert text_problem("word " * 300, "order_id", max_chars=LIMIT) == (
        "is 1,499 characters long, over the limit of 1,000"
    )
    copied = "Orders placed on the web shop."
    parsed = {
        "description": copied,
        "columns": [
            {"name": "status", "description": copied},
            {"name": "amount", "description": copied},
            {"name": "invented", "description": "invented"},
        ],
    }
    problems = answer_problems(
        parsed, ["status", "amount"], model_name="orders", want_table=True, max_chars=LIMIT
    )
    assert problems == {
        "status": "the description of status repeats the model description",
        "amount": "the description of amount repeats the model description",
    }
    # One column reading like the model description (a column named "description") is not a copy.
    parsed["columns"][1]["description"] = "Order total in cents."
    assert (
        answer_problems(parsed, ["status", "amount"], model_name="orders", want_table=True, max_chars=LIMIT)
        == {}
    )


def restating(request: RecordedRequest) -> Reply:
    """Every description restates its own name (the model's: its name)."""
    names = asked_columns(request)
    model = request.prompt_text.split("Document the dbt model `", 1)[-1].split("`", 1)[0]
    return Reply(
        json={
            "description": f"The {model} model.",
            "columns": [{"name": name, "description": f"The {name} column"} for name in names],
        }
    )


def test_no_restating_answer_is_ever_written_and_each_is_asked_again_once(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.responder = restating
    before = all_descriptions(chain)
    result = run_cli(chain, *FAST, "--llm-stats")
    assert result.exit_code == 3, result.output  # the nodes are reported failed
    assert "rejected for quality, left undocumented" in result.output
    after = all_descriptions(chain)
    for (entry, column), text in after.items():
        if text != before.get((entry, column)):
            # Whatever was written came from inheritance, never from a restating answer.
            assert text not in (f"The {column} column", f"The {entry} model."), (entry, column, text)
    requests = fake_provider.requests
    # Each node asked at most twice: once, and once again with the reason.
    nodes = [r.prompt_text.split("Document the dbt model `", 1)[-1].split("`", 1)[0] for r in requests]
    assert all(nodes.count(name) == 2 for name in set(nodes)), nodes
    reasks = [r for r in requests if "could not be used" in r.prompt_text]
    assert len(reasks) == len(requests) // 2
    assert all("only restates the" in r.prompt_text for r in reasks)
    assert "description(s) rejected for quality (never written)" in result.output
    assert " 0 description(s) rejected" not in result.output


def test_a_second_answer_that_says_something_is_written(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    def better_when_told(request: RecordedRequest) -> Reply:
        if "could not be used" not in request.prompt_text:
            return restating(request)
        names = asked_columns(request)
        return Reply(
            json={
                "description": "Customers with their lifecycle status.",
                "columns": [
                    {"name": n, "description": f"What the CRM records as {n} (told)."} for n in names
                ],
            }
        )

    fake_provider.responder = better_when_told
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0, result.output
    texts = [str(text) for text in all_descriptions(chain).values()]
    assert any("(told)" in text for text in texts)
    assert not any(text.startswith("The ") and text.endswith(" column") for text in texts)


@pytest.mark.parametrize(
    ("text", "language", "problem"),
    [
        ("The number of the order in the shop.", "German", "is in English, not in German"),
        ("Die Nummer der Bestellung im Shop.", "German", None),
        ("Die Nummer der Bestellung im Shop.", "English", "is not in English"),
        ("The number of the order in the shop.", "English", None),
        ("Bestellung im Shop.", "English", None),  # too short to judge
    ],
)
def test_text_in_another_language_than_asked_is_caught(text: str, language: str, problem: str | None) -> None:
    assert text_problem(text, "order_id", max_chars=LIMIT, language=language) == problem


def test_llm_language_is_asked_for_and_an_english_answer_is_asked_again(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    def english_first(request: RecordedRequest) -> Reply:
        names = asked_columns(request)
        german = "could not be used" in request.prompt_text
        text = (
            "Die Kunden aus dem CRM und ihr Status."
            if german
            else "The customers of the CRM and their status."
        )
        columns = [
            {
                "name": n,
                "description": f"Der Wert {n} aus dem CRM." if german else f"The value {n} of the CRM.",
            }
            for n in names
        ]
        return Reply(json={"description": text, "columns": columns})

    fake_provider.responder = english_first
    result = run_cli(chain, *FAST, "--llm-language", "German")
    assert result.exit_code == 0, result.output
    requests = fake_provider.requests
    assert all("Write in German." in r.prompt_text for r in requests)
    assert any("is in English, not in German" in r.prompt_text for r in requests)
    texts = [str(text) for text in all_descriptions(chain).values()]
    assert "Die Kunden aus dem CRM und ihr Status." in texts
    assert "The customers of the CRM and their status." not in texts
