"""Shared pytest fixtures: one fake LLM provider server for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer


@pytest.fixture(scope="session")
def _fake_provider_session() -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        yield server


@pytest.fixture
def fake_provider(_fake_provider_session: FakeProviderServer) -> Iterator[FakeProviderServer]:
    """The session's fake provider, with scripts, records, latency and limits cleared for this test."""
    _fake_provider_session.reset()
    yield _fake_provider_session


@pytest.fixture
def fake_provider_env(fake_provider: FakeProviderServer) -> dict[str, str]:
    """Environment variables pointing every provider at the fake server (apply with monkeypatch)."""
    base = fake_provider.base_url
    return {
        "OPENAI_BASE_URL": f"{base}/v1",
        "OPENAI_API_KEY": FAKE_API_KEY,
        "ANTHROPIC_BASE_URL": base,
        "ANTHROPIC_API_KEY": FAKE_API_KEY,
        "GOOGLE_GEMINI_BASE_URL": base,
        "GOOGLE_GEMINI_API_KEY": FAKE_API_KEY,
        "AZURE_OPENAI_BASE_URL": base,
        "AZURE_OPENAI_API_KEY": FAKE_API_KEY,
        "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-4o-deploy",
        "AZURE_OPENAI_API_VERSION": "2024-10-21",
        "OLLAMA_BASE_URL": f"{base}/v1",
        "LM_STUDIO_BASE_URL": f"{base}/v1",
    }


@pytest.fixture(autouse=True)
def _no_usage_summary_from_the_test_process() -> Iterator[None]:
    # A test that turns OSMOSIS_LLM_TRACK_USAGE on in-process leaves the shared stats behind, and their
    # exit-time summary would print after pytest's own closing line; each test starts and ends clean.
    yield
    from dbt_osmosis.core.llm import usage

    stats = usage._default_usage
    if stats is not None:
        stats.mark_reported()
    usage.reset_default_usage()
