"""Flags and request helpers for runs against the fake provider (tests/fakes/fake_provider.py)."""

from __future__ import annotations

from tests.fakes.schema_answers import prompt_columns
from tests.fakes.steps import FAKE_API_KEY, RecordedRequest

# Synthesis without waiting: no client-side rate limit to speak of, and a failure is not retried.
FAST = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0")


def provider_env(base_url: str) -> dict[str, str]:
    """Environment variables pointing every provider at a fake server at ``base_url``."""
    return {
        "OPENAI_BASE_URL": f"{base_url}/v1",
        "OPENAI_API_KEY": FAKE_API_KEY,
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": FAKE_API_KEY,
        "GOOGLE_GEMINI_BASE_URL": base_url,
        "GOOGLE_GEMINI_API_KEY": FAKE_API_KEY,
        "AZURE_OPENAI_BASE_URL": base_url,
        "AZURE_OPENAI_API_KEY": FAKE_API_KEY,
        "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-4o-deploy",
        "AZURE_OPENAI_API_VERSION": "2024-10-21",
        "OLLAMA_BASE_URL": f"{base_url}/v1",
        "LM_STUDIO_BASE_URL": f"{base_url}/v1",
    }


def asked_columns(request: RecordedRequest) -> list[str]:
    """The column names a synthesis request asks about: those its prompt lists.

    (The answer schema is the same for every node, so the names are not in it.)
    """
    return prompt_columns(request.prompt_text)
