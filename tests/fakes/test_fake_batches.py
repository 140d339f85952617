"""The fake server's batch APIs answer the real SDKs as the providers document them."""

from __future__ import annotations

import json

import anthropic
import openai
from google import genai
from google.genai import types

from tests.fakes.fake_provider import FAKE_API_KEY, Fail, FakeProviderServer

SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}


def test_openai_batch_completes_after_the_polls_the_test_allows(fake_provider: FakeProviderServer) -> None:
    client = openai.OpenAI(api_key=FAKE_API_KEY, base_url=f"{fake_provider.base_url}/v1", max_retries=0)
    body = {
        "model": "gpt-4.1-mini",
        "messages": [{"role": "user", "content": "describe orders"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": SCHEMA}},
    }
    lines = [
        json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions", "body": body})
        for i in (1, 2)
    ]
    uploaded = client.files.create(file=("in.jsonl", "\n".join(lines).encode()), purpose="batch")
    fake_provider.batches.complete_after_polls = 2
    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )

    assert client.batches.retrieve(batch.id).status == "in_progress"
    done = client.batches.retrieve(batch.id)
    assert (
        done.status == "completed" and done.request_counts is not None and done.request_counts.completed == 2
    )
    assert done.output_file_id is not None
    results = [json.loads(line) for line in client.files.content(done.output_file_id).text.splitlines()]
    assert {line["custom_id"] for line in results} == {"r1", "r2"}
    answer = results[0]["response"]["body"]["choices"][0]["message"]["content"]
    assert isinstance(json.loads(answer)["description"], str)


def test_anthropic_batch_reports_a_scripted_failure_per_item(fake_provider: FakeProviderServer) -> None:
    client = anthropic.Anthropic(api_key=FAKE_API_KEY, base_url=fake_provider.base_url, max_retries=0)
    fake_provider.script_for("customers", Fail(529))
    requests = [
        {
            "custom_id": name,
            "params": {
                "model": "claude-sonnet-4-5",
                "max_tokens": 64,
                "messages": [{"role": "user", "content": f"describe {name}"}],
            },
        }
        for name in ("orders", "customers")
    ]
    batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    assert fake_provider.batches.complete_all() == 1

    results = {entry.custom_id: entry.result for entry in client.messages.batches.results(batch.id)}
    assert results["orders"].type == "succeeded"
    assert results["customers"].type == "errored"


def test_gemini_batch_can_be_cancelled(fake_provider: FakeProviderServer) -> None:
    client = genai.Client(
        api_key=FAKE_API_KEY, http_options=types.HttpOptions(base_url=fake_provider.base_url)
    )
    job = client.batches.create(
        model="gemini-2.5-flash",
        src=[
            {
                "contents": [{"role": "user", "parts": [{"text": "describe orders"}]}],
                "metadata": {"key": "k1"},
            }
        ],
    )
    assert job.name is not None
    client.batches.cancel(name=job.name)
    assert fake_provider.batches.complete_all() == 0
    again = client.batches.get(name=job.name)
    assert again.state == types.JobState.JOB_STATE_CANCELLED
